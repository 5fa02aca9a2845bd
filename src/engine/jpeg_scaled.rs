//! JPEG thumbnails decoded at reduced scale: the decoder's inverse DCT makes
//! a 1/2, 1/4 or 1/8 size picture directly, so a 6000×4000 photo is never
//! held at full size (what libjpeg's shrink-on-load does for libvips).

use super::images::{DECODE_MAX_SIDE_PX, ImageIssue, Scaled};
use image::metadata::Orientation;
use image::{DynamicImage, GrayImage, ImageBuffer, Luma, RgbImage};
use jpeg_decoder::{Decoder, PixelFormat};

/// Most memory the scaled decoder may use for its buffers.
const MAX_DECODING_BUFFER: usize = 512 * 1024 * 1024;

/// Decodes `bytes` (a JPEG) at reduced scale. `None` when this decoder
/// cannot read the file: the caller falls back to the full decoder, which
/// also words the error.
pub(crate) fn decode(bytes: &[u8], max_side: u32) -> Option<Result<Scaled, ImageIssue>> {
    // The decoder is not known to panic, but a damaged file must never take
    // a worker thread down with it.
    std::panic::catch_unwind(|| decode_inner(bytes, max_side))
        .ok()
        .flatten()
}

fn decode_inner(bytes: &[u8], max_side: u32) -> Option<Result<Scaled, ImageIssue>> {
    let mut decoder = Decoder::new(bytes);
    decoder.set_max_decoding_buffer_size(MAX_DECODING_BUFFER);
    decoder.read_info().ok()?;
    let info = decoder.info()?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    if width > DECODE_MAX_SIDE_PX || height > DECODE_MAX_SIDE_PX {
        return Some(Err(ImageIssue::TooLarge { width, height }));
    }
    if width == 0 || height == 0 {
        return None;
    }
    let long = width.max(height);
    if long > max_side {
        // The decoder picks the smallest scale that still meets this size.
        let want = |side: u32| (u64::from(side) * u64::from(max_side)).div_ceil(u64::from(long));
        let w = u16::try_from(want(width)).ok()?;
        let h = u16::try_from(want(height)).ok()?;
        decoder.scale(w, h).ok()?;
    }
    let orientation = decoder
        .exif_data()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let pixels = decoder.decode().ok()?;
    let info = decoder.info()?;
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let image = match info.pixel_format {
        PixelFormat::L8 => DynamicImage::ImageLuma8(GrayImage::from_raw(w, h, pixels)?),
        PixelFormat::L16 => {
            let values = pixels
                .chunks_exact(2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                .collect();
            DynamicImage::ImageLuma16(ImageBuffer::<Luma<u16>, _>::from_raw(w, h, values)?)
        }
        PixelFormat::RGB24 => DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, pixels)?),
        PixelFormat::CMYK32 => {
            // The decoder hands out ink amounts (0 = none).
            let rgb = pixels
                .chunks_exact(4)
                .flat_map(|p| {
                    let white = 255 - u32::from(p[3]);
                    let channel = |ink: u8| ((255 - u32::from(ink)) * white / 255) as u8;
                    [channel(p[0]), channel(p[1]), channel(p[2])]
                })
                .collect();
            DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, rgb)?)
        }
    };
    Some(Ok(Scaled {
        image,
        width,
        height,
        orientation,
    }))
}
