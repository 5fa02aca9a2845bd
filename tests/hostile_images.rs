//! Hostile reference images, made by the test: each gives a correct, upright
//! thumbnail or a clear message; nothing panics; memory stays bounded.

use image::{DynamicImage, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use r2v_studio::engine::images::{self, ImageIssue, Kind};
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Cursor;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts live heap bytes and the peak since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One measured section at a time (tests run on several threads).
static MEASURE: Mutex<()> = Mutex::new(());

/// Runs `f` and returns its result with the heap growth it peaked at.
fn peak_growth<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let _guard = MEASURE.lock().unwrap_or_else(|e| e.into_inner());
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(base))
}

const MB: usize = 1024 * 1024;

fn png(image: &DynamicImage) -> Vec<u8> {
    let mut out = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// A JPEG with an optional EXIF orientation, written by jpeg-encoder.
fn jpeg(image: &RgbImage, orientation: Option<u16>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
    if let Some(o) = orientation {
        encoder.add_exif_metadata(&exif_orientation(o)).unwrap();
    }
    encoder
        .encode(
            image.as_raw(),
            image.width() as u16,
            image.height() as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .unwrap();
    out
}

/// A little-endian TIFF block with one IFD entry: Orientation (0x0112).
fn exif_orientation(o: u16) -> Vec<u8> {
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(0x0112u16.to_le_bytes());
    tiff.extend(3u16.to_le_bytes());
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(o.to_le_bytes());
    tiff.extend([0, 0]);
    tiff.extend(0u32.to_le_bytes());
    tiff
}

/// The upright picture: 160×100, red top-left quarter, blue bottom-right
/// quarter, the rest white. Any flip or turn moves the colours.
fn upright() -> RgbImage {
    RgbImage::from_fn(160, 100, |x, y| match (x < 80, y < 50) {
        (true, true) => Rgb([230, 20, 20]),
        (false, false) => Rgb([20, 20, 230]),
        _ => Rgb([245, 245, 245]),
    })
}

fn thumb(bytes: &[u8]) -> Result<images::Thumbnail, ImageIssue> {
    images::thumbnail(bytes, 128)
}

fn pixel(t: &images::Thumbnail, fx: f32, fy: f32) -> [u8; 4] {
    let x = ((t.width as f32 * fx) as u32).min(t.width - 1);
    let y = ((t.height as f32 * fy) as u32).min(t.height - 1);
    let i = ((y * t.width + x) * 4) as usize;
    [t.rgba[i], t.rgba[i + 1], t.rgba[i + 2], t.rgba[i + 3]]
}

fn assert_upright(t: &images::Thumbnail, what: &str, size: (u32, u32)) {
    assert_eq!((t.source_width, t.source_height), size, "{what}: size");
    assert!(t.width > t.height, "{what}: landscape");
    let tl = pixel(t, 0.25, 0.25);
    let br = pixel(t, 0.75, 0.75);
    let tr = pixel(t, 0.75, 0.25);
    assert!(
        tl[0] > 180 && tl[2] < 80,
        "{what}: top-left is red, got {tl:?}"
    );
    assert!(
        br[2] > 180 && br[0] < 80,
        "{what}: bottom-right is blue, got {br:?}"
    );
    assert!(
        tr[0] > 200 && tr[2] > 200,
        "{what}: top-right is white, got {tr:?}"
    );
}

#[test]
fn all_eight_exif_orientations_come_out_upright() {
    use image::metadata::Orientation;
    for o in 1..=8u16 {
        let orientation = Orientation::from_exif(o as u8).unwrap();
        // Store the picture turned the other way; the decoder must turn it back.
        let inverse = match orientation {
            Orientation::Rotate90 => Orientation::Rotate270,
            Orientation::Rotate270 => Orientation::Rotate90,
            other => other,
        };
        let mut stored = DynamicImage::ImageRgb8(upright());
        stored.apply_orientation(inverse);
        let bytes = jpeg(&stored.to_rgb8(), Some(o));
        let t = thumb(&bytes).unwrap_or_else(|e| panic!("orientation {o}: {e}"));
        assert_upright(&t, &format!("orientation {o}"), (160, 100));
        assert_eq!(t.kind, Kind::Jpeg);
    }
}

#[test]
fn an_empty_file_a_text_file_and_heic_get_clear_messages() {
    assert_eq!(thumb(&[]).unwrap_err(), ImageIssue::Empty);
    let text = b"this is not a picture, only a text file named photo.png\n";
    assert_eq!(thumb(text).unwrap_err(), ImageIssue::NotAnImage);
    let mut heic = vec![0, 0, 0, 24];
    heic.extend(b"ftypheic\0\0\0\0mif1heic");
    heic.resize(4096, 0);
    assert_eq!(thumb(&heic).unwrap_err(), ImageIssue::Unsupported("HEIC"));
    for issue in [
        ImageIssue::Empty,
        ImageIssue::NotAnImage,
        ImageIssue::Unsupported("HEIC"),
    ] {
        let words = issue.describe();
        assert!(words.en.len() > 20 && !words.zh.is_empty(), "{words:?}");
    }
}

#[test]
fn truncated_and_damaged_files_never_panic() {
    let good_jpeg = jpeg(&upright(), None);
    let good_png = png(&DynamicImage::ImageRgb8(upright()));
    for cut in [2, 10, 100, good_jpeg.len() / 2, good_jpeg.len() - 2] {
        // A clear message, or a picture with a grey bottom: never a panic.
        if let Err(e) = thumb(&good_jpeg[..cut]) {
            assert!(!e.describe().en.is_empty());
        }
    }
    for cut in [8, 30, good_png.len() / 2] {
        let e = thumb(&good_png[..cut]).expect_err("a cut PNG is refused");
        assert!(matches!(e, ImageIssue::Corrupt(_)), "{e:?}");
    }
    // A flipped byte inside IHDR breaks its CRC.
    let mut bad_crc = good_png.clone();
    bad_crc[20] ^= 0x40;
    match thumb(&bad_crc) {
        Err(ImageIssue::Corrupt(_)) => {}
        other => panic!("broken CRC: {other:?}"),
    }
}

#[test]
fn cmyk_jpeg_16_bit_png_and_tiny_pictures() {
    // CMYK (as Adobe writes it): a cyan square.
    let cmyk: Vec<u8> = std::iter::repeat_n([255u8, 0, 0, 0], 96 * 96)
        .flatten()
        .collect();
    let mut bytes = Vec::new();
    jpeg_encoder::Encoder::new(&mut bytes, 90)
        .encode(&cmyk, 96, 96, jpeg_encoder::ColorType::Cmyk)
        .unwrap();
    let t = thumb(&bytes).expect("CMYK JPEG decodes");
    let p = pixel(&t, 0.5, 0.5);
    assert!(p[0] < 80 && p[1] > 150 && p[2] > 150, "cyan, got {p:?}");

    let deep = image::ImageBuffer::<Rgb<u16>, _>::from_fn(200, 120, |x, _| {
        Rgb([if x < 100 { 65535 } else { 0 }, 0, 0])
    });
    let t = thumb(&png(&DynamicImage::ImageRgb16(deep))).expect("16-bit PNG decodes");
    assert!(pixel(&t, 0.2, 0.5)[0] > 250 && pixel(&t, 0.8, 0.5)[0] < 5);

    let one = png(&DynamicImage::ImageRgba8(RgbaImage::from_pixel(
        1,
        1,
        Rgba([1, 2, 3, 255]),
    )));
    match thumb(&one) {
        Err(ImageIssue::TooSmall {
            width: 1,
            height: 1,
        }) => {}
        other => panic!("1×1: {other:?}"),
    }
    assert!(
        ImageIssue::TooSmall {
            width: 1,
            height: 1
        }
        .describe()
        .en
        .contains("64")
    );
}

/// An animated GIF: three frames; the thumbnail is the first.
#[test]
fn animated_gif_and_webp_show_their_first_frame() {
    let mut gif = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut gif);
        for colour in [[250, 0, 0, 255], [0, 250, 0, 255], [0, 0, 250, 255]] {
            let frame = image::Frame::new(RgbaImage::from_pixel(100, 80, Rgba(colour)));
            encoder.encode_frame(frame).unwrap();
        }
    }
    let t = thumb(&gif).expect("animated GIF");
    assert_eq!(t.kind, Kind::Gif);
    assert!(pixel(&t, 0.5, 0.5)[0] > 200, "first frame is red");

    let webp = animated_webp(&[[250, 0, 0, 255], [0, 0, 250, 255]], 100, 80);
    let t = thumb(&webp).expect("animated WEBP");
    assert_eq!(t.kind, Kind::Webp);
    assert!(pixel(&t, 0.5, 0.5)[0] > 200, "first frame is red");
}

/// An animated WEBP built by hand: each frame a lossless still from the
/// `image` crate, wrapped in ANMF chunks after VP8X and ANIM.
fn animated_webp(colours: &[[u8; 4]], w: u32, h: u32) -> Vec<u8> {
    fn chunk(tag: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = tag.to_vec();
        c.extend((data.len() as u32).to_le_bytes());
        c.extend(data);
        if data.len() % 2 == 1 {
            c.push(0);
        }
        c
    }
    fn u24(v: u32) -> [u8; 3] {
        let b = v.to_le_bytes();
        [b[0], b[1], b[2]]
    }
    let mut body = b"WEBP".to_vec();
    let mut vp8x = vec![0b0001_0010, 0, 0, 0]; // animation + alpha
    vp8x.extend(u24(w - 1));
    vp8x.extend(u24(h - 1));
    body.extend(chunk(b"VP8X", &vp8x));
    body.extend(chunk(b"ANIM", &[0, 0, 0, 0, 0, 0]));
    for colour in colours {
        let mut still = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut still)
            .write_image(
                RgbaImage::from_pixel(w, h, Rgba(*colour)).as_raw(),
                w,
                h,
                image::ExtendedColorType::Rgba8,
            )
            .unwrap();
        // still = RIFF size WEBP, then its VP8L chunk.
        let vp8l = &still[12..];
        let mut frame = Vec::new();
        frame.extend(u24(0));
        frame.extend(u24(0));
        frame.extend(u24(w - 1));
        frame.extend(u24(h - 1));
        frame.extend(u24(100));
        frame.push(0);
        frame.extend(vp8l);
        body.extend(chunk(b"ANMF", &frame));
    }
    let mut riff = b"RIFF".to_vec();
    riff.extend((body.len() as u32).to_le_bytes());
    riff.extend(body);
    riff
}

/// A PNG that says it is 30000×30000 but carries almost nothing.
fn png_bomb() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, tag: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(tag);
        crc.update(data);
        out.extend(tag);
        out.extend(data);
        out.extend(crc.finalize().to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(30_000u32.to_be_bytes());
    ihdr.extend(30_000u32.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    // A zlib stream of a few rows of zeros.
    let mut zlib = vec![0x78, 0x01];
    let raw = vec![0u8; 1000];
    zlib.push(1);
    zlib.extend((raw.len() as u16).to_le_bytes());
    zlib.extend((!(raw.len() as u16)).to_le_bytes());
    zlib.extend(&raw);
    let adler = {
        let (mut a, mut b) = (1u32, 0u32);
        for byte in &raw {
            a = (a + *byte as u32) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    };
    zlib.extend(adler.to_be_bytes());
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A baseline JPEG header that says 30000×30000.
fn jpeg_bomb() -> Vec<u8> {
    let mut real = jpeg(&RgbImage::from_pixel(16, 16, Rgb([9, 9, 9])), None);
    // Rewrite the SOF0 frame size.
    let sof = real.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    real[sof + 5..sof + 7].copy_from_slice(&30_000u16.to_be_bytes());
    real[sof + 7..sof + 9].copy_from_slice(&30_000u16.to_be_bytes());
    real
}

#[test]
fn decompression_bombs_are_refused_without_allocating_them() {
    for (what, bytes) in [("png", png_bomb()), ("jpeg", jpeg_bomb())] {
        assert!(bytes.len() < 4096, "{what} bomb is small");
        let (result, grew) = peak_growth(|| thumb(&bytes));
        match result {
            Err(ImageIssue::TooLarge {
                width: 30_000,
                height: 30_000,
            }) => {}
            other => panic!("{what} bomb: {other:?}"),
        }
        assert!(grew < 8 * MB, "{what} bomb took {} MB", grew / MB);
        let (result, grew) = peak_growth(|| images::prepare_for_upload(&bytes));
        assert!(matches!(result, Err(ImageIssue::TooLarge { .. })), "{what}");
        assert!(
            grew < 8 * MB,
            "{what} bomb took {} MB to prepare",
            grew / MB
        );
    }
    let words = ImageIssue::TooLarge {
        width: 30_000,
        height: 30_000,
    }
    .describe();
    assert!(
        words.en.contains("30000") || words.en.contains("30 000"),
        "{words:?}"
    );
}

#[test]
fn a_large_photo_is_thumbnailed_in_bounded_memory() {
    // 6000×4000 RGB is 72 MB decoded; the thumbnail must not need much more.
    let big = RgbImage::from_fn(6000, 4000, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let bytes = jpeg(&big, Some(6));
    drop(big);
    let (t, grew) = peak_growth(|| thumb(&bytes).unwrap());
    assert_eq!(
        (t.source_width, t.source_height),
        (4000, 6000),
        "EXIF turned it"
    );
    assert!(t.height == 128 && t.width < 128);
    assert!(
        grew < 100 * MB,
        "a 6000×4000 JPEG thumbnail peaked at {} MB",
        grew / MB
    );
}

#[test]
fn a_large_png_is_thumbnailed_row_by_row_with_the_right_colours() {
    // 1600×1000: large enough for the streaming path; grey and with alpha too.
    let big = DynamicImage::ImageRgb8(image::imageops::resize(
        &upright(),
        1600,
        1000,
        image::imageops::FilterType::Nearest,
    ));
    for picture in [big.clone(), DynamicImage::ImageRgba8(big.to_rgba8())] {
        let t = thumb(&png(&picture)).expect("large PNG");
        assert_eq!((t.width, t.height), (128, 80));
        assert_upright(&t, "large PNG", (1600, 1000));
    }
    let grey = DynamicImage::ImageLuma8(image::GrayImage::from_fn(1200, 900, |x, _| {
        image::Luma([if x < 600 { 20 } else { 230 }])
    }));
    let t = thumb(&png(&grey)).expect("grey PNG");
    assert!(pixel(&t, 0.2, 0.5)[0] < 40 && pixel(&t, 0.8, 0.5)[0] > 210);
    // Cut in the middle of its pixel data: a clear message from the full decoder.
    let bytes = png(&big);
    assert!(matches!(
        thumb(&bytes[..bytes.len() / 2]),
        Err(ImageIssue::Corrupt(_))
    ));
}

/// A lossy WEBP, as cameras and browsers write them (libwebp's encoder).
fn lossy_webp(image: &RgbImage) -> Vec<u8> {
    let mut out: *mut u8 = std::ptr::null_mut();
    // SAFETY: the pixels are width × height × 3 bytes with that stride; libwebp
    // allocates `out`, which is copied and freed right after.
    unsafe {
        let size = libwebp_sys::WebPEncodeRGB(
            image.as_raw().as_ptr(),
            image.width() as i32,
            image.height() as i32,
            image.width() as i32 * 3,
            85.0,
            &mut out,
        );
        assert!(size > 0 && !out.is_null());
        let bytes = std::slice::from_raw_parts(out, size).to_vec();
        libwebp_sys::WebPFree(out.cast());
        bytes
    }
}

#[test]
fn a_large_webp_is_decoded_at_thumbnail_size_with_the_right_colours() {
    let big = image::imageops::resize(&upright(), 1600, 1000, image::imageops::FilterType::Nearest);
    let mut lossless = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut lossless)
        .write_image(big.as_raw(), 1600, 1000, image::ExtendedColorType::Rgb8)
        .unwrap();
    for bytes in [lossy_webp(&big), lossless] {
        let t = thumb(&bytes).expect("large WEBP");
        assert_eq!(t.kind, Kind::Webp);
        assert_eq!((t.width, t.height), (128, 80));
        assert_upright(&t, "large WEBP", (1600, 1000));
        // Damaged: a clear message from the full decoder.
        let e = thumb(&bytes[..bytes.len() / 2]).expect_err("cut WEBP");
        assert!(!e.describe().en.is_empty());
    }
}

/// A lossy WEBP carrying an EXIF chunk (VP8X + VP8 + EXIF), as libvips writes.
fn webp_with_exif(image: &RgbImage, orientation: u16) -> Vec<u8> {
    let still = lossy_webp(image);
    let mut body = b"WEBP".to_vec();
    let mut vp8x = vec![0b0000_1000, 0, 0, 0]; // EXIF present
    for side in [image.width() - 1, image.height() - 1] {
        vp8x.extend(&side.to_le_bytes()[..3]);
    }
    body.extend(b"VP8X");
    body.extend((vp8x.len() as u32).to_le_bytes());
    body.extend(&vp8x);
    body.extend(&still[12..]);
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(exif_orientation(orientation));
    body.extend(b"EXIF");
    body.extend((exif.len() as u32).to_le_bytes());
    body.extend(&exif);
    if exif.len() % 2 == 1 {
        body.push(0);
    }
    let mut riff = b"RIFF".to_vec();
    riff.extend((body.len() as u32).to_le_bytes());
    riff.extend(body);
    riff
}

#[test]
fn a_turned_webp_comes_out_upright() {
    use image::metadata::Orientation;
    let big = image::imageops::resize(&upright(), 640, 400, image::imageops::FilterType::Nearest);
    for (o, inverse) in [
        (3u16, Orientation::Rotate180),
        (6, Orientation::Rotate270),
        (8, Orientation::Rotate90),
    ] {
        let mut stored = DynamicImage::ImageRgb8(big.clone());
        stored.apply_orientation(inverse);
        let t = thumb(&webp_with_exif(&stored.to_rgb8(), o)).expect("WEBP with EXIF");
        assert_upright(&t, &format!("WEBP orientation {o}"), (640, 400));
    }
}
