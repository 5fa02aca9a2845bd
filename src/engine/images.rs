//! Reference images: what a file is, thumbnails, and what goes up to the service.
//! Everything here is CPU work: call it from a blocking task, never the UI thread.

use crate::core::Localized;
use crate::core::capabilities::{IMAGE_MAX_BYTES, IMAGE_MIN_SIDE_PX, UPLOAD_MAX_SIDE_PX};
use crate::loc;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// Larger than this per side is refused before decoding (decompression bombs).
pub const DECODE_MAX_SIDE_PX: u32 = 16_000;
/// Most memory one decode may take.
const DECODE_MAX_ALLOC: u64 = 1024 * 1024 * 1024;

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Webp,
    Gif,
    Bmp,
    Tiff,
    Heic,
    Avif,
    Unknown,
}

impl Kind {
    pub fn sniff(bytes: &[u8]) -> Kind {
        let ftyp = bytes.get(4..8) == Some(b"ftyp");
        let brand = bytes.get(8..12).unwrap_or_default();
        match bytes {
            [0xFF, 0xD8, 0xFF, ..] => Kind::Jpeg,
            [0x89, b'P', b'N', b'G', ..] => Kind::Png,
            [
                b'R',
                b'I',
                b'F',
                b'F',
                _,
                _,
                _,
                _,
                b'W',
                b'E',
                b'B',
                b'P',
                ..,
            ] => Kind::Webp,
            [b'G', b'I', b'F', b'8', ..] => Kind::Gif,
            [b'B', b'M', ..] => Kind::Bmp,
            [b'I', b'I', 42, 0, ..] | [b'M', b'M', 0, 42, ..] => Kind::Tiff,
            _ if ftyp
                && matches!(
                    brand,
                    b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1"
                ) =>
            {
                Kind::Heic
            }
            _ if ftyp && matches!(brand, b"avif" | b"avis") => Kind::Avif,
            _ => Kind::Unknown,
        }
    }

    /// The service takes these as they are.
    pub fn accepted_by_service(self) -> bool {
        matches!(self, Kind::Jpeg | Kind::Png | Kind::Webp)
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Jpeg => "JPEG",
            Kind::Png => "PNG",
            Kind::Webp => "WEBP",
            Kind::Gif => "GIF",
            Kind::Bmp => "BMP",
            Kind::Tiff => "TIFF",
            Kind::Heic => "HEIC",
            Kind::Avif => "AVIF",
            // not text: never shown, unknown files are refused before a label is needed
            Kind::Unknown => "unknown",
        }
    }

    fn format(self) -> Option<ImageFormat> {
        Some(match self {
            Kind::Jpeg => ImageFormat::Jpeg,
            Kind::Png => ImageFormat::Png,
            Kind::Webp => ImageFormat::WebP,
            Kind::Gif => ImageFormat::Gif,
            Kind::Bmp => ImageFormat::Bmp,
            Kind::Tiff => ImageFormat::Tiff,
            Kind::Heic | Kind::Avif | Kind::Unknown => return None,
        })
    }
}

/// Why an image cannot be used, in words for the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImageIssue {
    #[error("the file is empty")]
    Empty,
    #[error("the file is not an image")]
    NotAnImage,
    #[error("{0} images are not supported")]
    Unsupported(&'static str),
    #[error("the image is damaged: {0}")]
    Corrupt(String),
    #[error("the image is too small ({width}×{height} px)")]
    TooSmall { width: u32, height: u32 },
    #[error("the image is too large to open ({width}×{height} px)")]
    TooLarge { width: u32, height: u32 },
    #[error("the image could not be made smaller than 20 MB")]
    TooHeavy,
    #[error("the file could not be read: {0}")]
    Unreadable(String),
}

impl ImageIssue {
    /// What happened and what to do.
    pub fn describe(&self) -> Localized {
        match self {
            ImageIssue::Empty => loc!("engine-image-empty"),
            ImageIssue::NotAnImage => loc!("engine-image-not-an-image"),
            ImageIssue::Unsupported(kind) => loc!("engine-image-unsupported", kind = *kind),
            ImageIssue::Corrupt(detail) => loc!("engine-image-corrupt", detail = detail),
            ImageIssue::TooSmall { width, height } => loc!(
                "engine-image-too-small",
                width = *width,
                height = *height,
                min = IMAGE_MIN_SIDE_PX
            ),
            ImageIssue::TooLarge { width, height } => loc!(
                "engine-image-too-large",
                width = *width,
                height = *height,
                max = DECODE_MAX_SIDE_PX
            ),
            ImageIssue::TooHeavy => loc!("engine-image-too-heavy"),
            ImageIssue::Unreadable(detail) => loc!("engine-image-unreadable", detail = detail),
        }
    }
}

/// A decoded, upright image, small enough for a slot.
#[derive(Debug, Clone)]
pub struct Thumbnail {
    /// RGBA8, `width * height * 4` bytes.
    pub rgba: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// The upright size of the original.
    pub source_width: u32,
    pub source_height: u32,
    pub kind: Kind,
    pub file_bytes: u64,
    /// What upload will do to it (downscale, re-encode), if anything.
    pub upload_note: Option<Localized>,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(DECODE_MAX_SIDE_PX);
    limits.max_image_height = Some(DECODE_MAX_SIDE_PX);
    limits.max_alloc = Some(DECODE_MAX_ALLOC);
    limits
}

/// Decodes an image the way the service will see it: EXIF orientation applied.
/// Refuses bombs before allocating them.
pub fn decode(bytes: &[u8]) -> Result<(DynamicImage, Kind), ImageIssue> {
    if bytes.is_empty() {
        return Err(ImageIssue::Empty);
    }
    let kind = Kind::sniff(bytes);
    let format = match kind {
        Kind::Heic => return Err(ImageIssue::Unsupported("HEIC")),
        Kind::Avif => return Err(ImageIssue::Unsupported("AVIF")),
        Kind::Unknown => return Err(ImageIssue::NotAnImage),
        k => k.format().ok_or(ImageIssue::NotAnImage)?,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(|e| match classify(&e) {
        // The header alone was over the limits: say how large it claims to be.
        ImageIssue::TooLarge { .. } => {
            let mut header = ImageReader::with_format(Cursor::new(bytes), format);
            header.limits(Limits::no_limits());
            let (width, height) = header.into_dimensions().unwrap_or((0, 0));
            ImageIssue::TooLarge { width, height }
        }
        other => other,
    })?;
    let (width, height) = decoder.dimensions();
    if width > DECODE_MAX_SIDE_PX || height > DECODE_MAX_SIDE_PX {
        return Err(ImageIssue::TooLarge { width, height });
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| match classify(&e) {
        ImageIssue::TooLarge { .. } => ImageIssue::TooLarge { width, height },
        other => other,
    })?;
    image.apply_orientation(orientation);
    Ok((image, kind))
}

fn classify(e: &image::ImageError) -> ImageIssue {
    match e {
        image::ImageError::Limits(_) => ImageIssue::TooLarge {
            width: 0,
            height: 0,
        },
        image::ImageError::Unsupported(u) => ImageIssue::Corrupt(u.to_string()),
        other => ImageIssue::Corrupt(other.to_string()),
    }
}

/// A thumbnail whose longer side is at most `max_side`, with the facts a slot shows.
pub fn thumbnail(bytes: &[u8], max_side: u32) -> Result<Thumbnail, ImageIssue> {
    let shrink = |image: DynamicImage| {
        if image.width().max(image.height()) > max_side {
            image.thumbnail(max_side, max_side)
        } else {
            image
        }
    };
    let (small, kind, source_width, source_height) = match scaled(bytes, max_side, true, shrink) {
        Some(result) => result?,
        None => {
            let (image, kind) = decode(bytes)?;
            let (width, height) = (image.width(), image.height());
            let small = if width.max(height) > max_side {
                image.thumbnail(max_side, max_side)
            } else {
                image
            };
            (small, kind, width, height)
        }
    };
    if source_width.min(source_height) < IMAGE_MIN_SIDE_PX {
        return Err(ImageIssue::TooSmall {
            width: source_width,
            height: source_height,
        });
    }
    let rgba = small.to_rgba8();
    Ok(Thumbnail {
        width: rgba.width(),
        height: rgba.height(),
        rgba: rgba.into_raw(),
        source_width,
        source_height,
        kind,
        file_bytes: bytes.len() as u64,
        upload_note: upload_note(kind, bytes.len() as u64, source_width, source_height),
    })
}

/// A picture decoded at reduced scale by one of the format-specific paths
/// (`jpeg_scaled`, `png_scaled`, `webp_scaled`).
pub(crate) struct Scaled {
    /// Not yet turned upright.
    pub image: DynamicImage,
    /// The stored size of the original (before orientation).
    pub width: u32,
    pub height: u32,
    pub orientation: image::metadata::Orientation,
}

/// A thumbnail, its kind, and the original's upright width and height.
type Small = (DynamicImage, Kind, u32, u32);

/// A JPEG (or, for a `thumbnail`, a PNG or WEBP) decoded at reduced scale, made
/// smaller by `shrink`, upright, with the original's upright size. `None` when
/// the file is not one these paths read: the full decoder takes it.
fn scaled(
    bytes: &[u8],
    max_side: u32,
    thumbnail: bool,
    shrink: impl FnOnce(DynamicImage) -> DynamicImage,
) -> Option<Result<Small, ImageIssue>> {
    let kind = Kind::sniff(bytes);
    let decoded = match kind {
        Kind::Jpeg => super::jpeg_scaled::decode(bytes, max_side)?,
        // Only for thumbnails: PNG's area average would outweigh the image
        // at upload size, and uploads keep WEBP files as they are.
        Kind::Png if thumbnail => super::png_scaled::decode(bytes, max_side)?,
        Kind::Webp if thumbnail => super::webp_scaled::decode(bytes, max_side)?,
        _ => return None,
    };
    let scaled = match decoded {
        Ok(scaled) => scaled,
        Err(issue) => return Some(Err(issue)),
    };
    use image::metadata::Orientation as O;
    let turned = matches!(
        scaled.orientation,
        O::Rotate90 | O::Rotate270 | O::Rotate90FlipH | O::Rotate270FlipH
    );
    let (width, height) = if turned {
        (scaled.height, scaled.width)
    } else {
        (scaled.width, scaled.height)
    };
    // Smaller first, then upright: turning fewer pixels.
    let mut image = shrink(scaled.image);
    image.apply_orientation(scaled.orientation);
    Some(Ok((image, kind, width, height)))
}

/// What upload preparation will change, said before it happens.
pub fn upload_note(kind: Kind, file_bytes: u64, width: u32, height: u32) -> Option<Localized> {
    let long = width.max(height);
    if long > UPLOAD_MAX_SIDE_PX {
        Some(loc!(
            "engine-upload-note-scale-down",
            width = width,
            height = height,
            max = UPLOAD_MAX_SIDE_PX
        ))
    } else if file_bytes > IMAGE_MAX_BYTES {
        Some(loc!(
            "engine-upload-note-re-encode",
            megabytes = file_bytes / (1024 * 1024)
        ))
    } else if !kind.accepted_by_service() {
        Some(loc!("engine-upload-note-convert", kind = kind.label()))
    } else {
        None
    }
}

/// The bytes that go up to the service.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub extension: &'static str,
    /// What was done to the original, if anything.
    pub changed: Option<Localized>,
}

/// Leaves acceptable files untouched; otherwise decodes, turns upright, scales the
/// long side down to 4000 px and re-encodes (PNG when it has transparency and fits,
/// else JPEG) under 20 MB.
pub fn prepare_for_upload(bytes: &[u8]) -> Result<Prepared, ImageIssue> {
    let kind = Kind::sniff(bytes);
    // A large JPEG is decoded straight at the scale closest above the upload
    // size (8000 px → 4000 px at half scale), never at full size.
    let (image, width, height) = match scaled(bytes, UPLOAD_MAX_SIDE_PX, false, |image| image) {
        Some(result) => {
            let (image, _, width, height) = result?;
            (image, width, height)
        }
        None => {
            let (image, _) = decode(bytes)?;
            let (width, height) = (image.width(), image.height());
            (image, width, height)
        }
    };
    if width.min(height) < IMAGE_MIN_SIDE_PX {
        return Err(ImageIssue::TooSmall { width, height });
    }
    let upright = !has_rotation(bytes, kind);
    let fits = width.max(height) <= UPLOAD_MAX_SIDE_PX && bytes.len() as u64 <= IMAGE_MAX_BYTES;
    if kind.accepted_by_service() && fits && upright {
        let (content_type, extension) = match kind {
            Kind::Png => ("image/png", "png"),
            Kind::Webp => ("image/webp", "webp"),
            _ => ("image/jpeg", "jpg"),
        };
        return Ok(Prepared {
            bytes: bytes.to_vec(),
            content_type,
            extension,
            changed: None,
        });
    }
    let image = if image.width().max(image.height()) > UPLOAD_MAX_SIDE_PX {
        image.resize(
            UPLOAD_MAX_SIDE_PX,
            UPLOAD_MAX_SIDE_PX,
            image::imageops::FilterType::Lanczos3,
        )
    } else {
        image
    };
    let note = upload_note(kind, bytes.len() as u64, width, height)
        .unwrap_or_else(|| loc!("engine-upload-note-upright"));
    if image.color().has_alpha() {
        let mut png = Vec::new();
        image
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .map_err(|e| ImageIssue::Corrupt(e.to_string()))?;
        if png.len() as u64 <= IMAGE_MAX_BYTES {
            return Ok(Prepared {
                bytes: png,
                content_type: "image/png",
                extension: "png",
                changed: Some(note),
            });
        }
    }
    let rgb = DynamicImage::ImageRgb8(image.to_rgb8());
    for quality in [92u8, 85, 75, 60] {
        let mut jpeg = Vec::new();
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality);
        rgb.write_with_encoder(encoder)
            .map_err(|e| ImageIssue::Corrupt(e.to_string()))?;
        if jpeg.len() as u64 <= IMAGE_MAX_BYTES {
            return Ok(Prepared {
                bytes: jpeg,
                content_type: "image/jpeg",
                extension: "jpg",
                changed: Some(note),
            });
        }
    }
    Err(ImageIssue::TooHeavy)
}

/// Whether the file carries an EXIF orientation other than upright.
fn has_rotation(bytes: &[u8], kind: Kind) -> bool {
    let Some(format) = kind.format() else {
        return false;
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    reader
        .into_decoder()
        .ok()
        .and_then(|mut d| d.orientation().ok())
        .is_some_and(|o| o != image::metadata::Orientation::NoTransforms)
}

/// Hex SHA-256 of the content (the upload cache key).
pub fn content_hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    fn encode(img: DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    #[test]
    fn sniffs_formats_by_content() {
        assert_eq!(Kind::sniff(&png(70, 70)), Kind::Png);
        let jpeg = encode(DynamicImage::new_rgb8(70, 70), ImageFormat::Jpeg);
        assert_eq!(Kind::sniff(&jpeg), Kind::Jpeg);
        assert_eq!(Kind::sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Kind::Heic);
        assert_eq!(Kind::sniff(b"hello, I am text"), Kind::Unknown);
    }

    #[test]
    fn thumbnails_keep_the_aspect_and_report_the_source() {
        let thumb = thumbnail(&png(400, 200), 128).unwrap();
        assert_eq!((thumb.width, thumb.height), (128, 64));
        assert_eq!((thumb.source_width, thumb.source_height), (400, 200));
        assert_eq!(thumb.rgba.len(), 128 * 64 * 4);
        assert!(thumb.upload_note.is_none());
    }

    #[test]
    fn bad_files_get_clear_issues() {
        assert_eq!(thumbnail(b"", 64).unwrap_err(), ImageIssue::Empty);
        assert_eq!(
            thumbnail(b"just text, named .png", 64).unwrap_err(),
            ImageIssue::NotAnImage
        );
        assert_eq!(
            thumbnail(b"\0\0\0\x18ftypheic\0\0\0\0more", 64).unwrap_err(),
            ImageIssue::Unsupported("HEIC")
        );
        let mut truncated = png(200, 200);
        truncated.truncate(truncated.len() / 2);
        assert!(matches!(
            thumbnail(&truncated, 64).unwrap_err(),
            ImageIssue::Corrupt(_)
        ));
        assert_eq!(
            thumbnail(&png(10, 300), 64).unwrap_err(),
            ImageIssue::TooSmall {
                width: 10,
                height: 300
            }
        );
        for issue in [
            ImageIssue::Empty,
            ImageIssue::Unsupported("HEIC"),
            ImageIssue::TooSmall {
                width: 1,
                height: 1,
            },
        ] {
            assert!(!issue.describe().en.is_empty() && !issue.describe().zh.is_empty());
        }
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_allocation() {
        // A PNG header declaring 30000×30000 px, with a tiny body.
        let mut bomb = png(64, 64);
        bomb[16..20].copy_from_slice(&30000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&30000u32.to_be_bytes());
        let issue = thumbnail(&bomb, 64).unwrap_err();
        assert!(
            matches!(issue, ImageIssue::TooLarge { .. } | ImageIssue::Corrupt(_)),
            "{issue:?}"
        );
    }

    #[test]
    fn acceptable_files_go_up_untouched() {
        let original = png(300, 200);
        let prepared = prepare_for_upload(&original).unwrap();
        assert_eq!(prepared.bytes, original);
        assert_eq!(
            (prepared.content_type, prepared.extension),
            ("image/png", "png")
        );
        assert!(prepared.changed.is_none());
    }

    #[test]
    fn large_images_are_scaled_down_to_4000_px() {
        let big = encode(DynamicImage::new_rgb8(4400, 300), ImageFormat::Jpeg);
        let prepared = prepare_for_upload(&big).unwrap();
        let (img, _) = decode(&prepared.bytes).unwrap();
        assert_eq!(img.width(), 4000);
        assert!(prepared.changed.unwrap().en.contains("4000"));
    }

    #[test]
    fn other_formats_are_converted_keeping_transparency() {
        let gif = encode(
            DynamicImage::ImageRgba8(RgbaImage::from_pixel(80, 80, Rgba([1, 2, 3, 100]))),
            ImageFormat::Gif,
        );
        let prepared = prepare_for_upload(&gif).unwrap();
        assert_eq!(prepared.content_type, "image/png");
        let bmp = encode(DynamicImage::new_rgb8(80, 80), ImageFormat::Bmp);
        assert_eq!(prepare_for_upload(&bmp).unwrap().content_type, "image/jpeg");
        assert!(prepare_for_upload(b"\0\0\0\x18ftypheic\0\0\0\0").is_err());
    }
}
