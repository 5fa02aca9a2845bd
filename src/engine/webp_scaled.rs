//! WEBP thumbnails decoded by libwebp with its own scaling: the decoder
//! writes straight into the small picture, as libvips has it do. The EXIF
//! orientation is read from the file's chunks. Animated files and anything
//! odd go to the full decoder instead.

use super::images::{DECODE_MAX_SIDE_PX, ImageIssue, Scaled};
use image::metadata::Orientation;
use image::{DynamicImage, RgbaImage};
use libwebp_sys::{
    VP8StatusCode, WEBP_CSP_MODE, WebPDecode, WebPDecoderConfig, WebPFreeDecBuffer, WebPGetFeatures,
};

/// Decodes `bytes` (a WEBP) into a picture whose longer side is at most
/// `max_side`. `None` when the full decoder should do it.
pub(crate) fn decode(bytes: &[u8], max_side: u32) -> Option<Result<Scaled, ImageIssue>> {
    let orientation = exif_chunk(bytes)
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let mut config = WebPDecoderConfig::new().ok()?;
    // SAFETY: the pointer and length describe `bytes`, which outlives the
    // call; `config.input` is initialised and only written by the call.
    let status = unsafe { WebPGetFeatures(bytes.as_ptr(), bytes.len(), &mut config.input) };
    if status != VP8StatusCode::VP8_STATUS_OK || config.input.has_animation != 0 {
        return None;
    }
    let width = u32::try_from(config.input.width).ok()?;
    let height = u32::try_from(config.input.height).ok()?;
    if width > DECODE_MAX_SIDE_PX || height > DECODE_MAX_SIDE_PX {
        return Some(Err(ImageIssue::TooLarge { width, height }));
    }
    let long = width.max(height);
    if long == 0 {
        return None;
    }
    let (out_w, out_h) = if long > max_side {
        let scaled = |side: u32| {
            ((u64::from(side) * u64::from(max_side)).div_ceil(u64::from(long))).max(1) as i32
        };
        config.options.use_scaling = 1;
        config.options.scaled_width = scaled(width);
        config.options.scaled_height = scaled(height);
        (
            config.options.scaled_width as u32,
            config.options.scaled_height as u32,
        )
    } else {
        (width, height)
    };
    config.output.colorspace = WEBP_CSP_MODE::MODE_RGBA;
    // SAFETY: as above; libwebp allocates the output buffer, freed below.
    let status = unsafe { WebPDecode(bytes.as_ptr(), bytes.len(), &mut config) };
    if status != VP8StatusCode::VP8_STATUS_OK {
        // SAFETY: freeing an output buffer libwebp may have allocated.
        unsafe { WebPFreeDecBuffer(&mut config.output) };
        return None;
    }
    // SAFETY: the decode succeeded in MODE_RGBA, so the RGBA arm of the union
    // is the one libwebp filled.
    let rgba = unsafe { config.output.u.RGBA };
    let stride = usize::try_from(rgba.stride).unwrap_or(0);
    let row_bytes = out_w as usize * 4;
    let mut pixels = Vec::with_capacity(row_bytes * out_h as usize);
    if !rgba.rgba.is_null()
        && stride >= row_bytes
        && rgba.size >= stride * (out_h as usize - 1) + row_bytes
    {
        // SAFETY: libwebp's buffer holds `size` bytes at `rgba`, checked above
        // to cover every row we read.
        let all = unsafe { std::slice::from_raw_parts(rgba.rgba, rgba.size) };
        for row in 0..out_h as usize {
            pixels.extend_from_slice(&all[row * stride..row * stride + row_bytes]);
        }
    }
    // SAFETY: the buffer was allocated by WebPDecode and is not used after this.
    unsafe { WebPFreeDecBuffer(&mut config.output) };
    let image = RgbaImage::from_raw(out_w, out_h, pixels)?;
    Some(Ok(Scaled {
        image: DynamicImage::ImageRgba8(image),
        width,
        height,
        orientation,
    }))
}

/// The EXIF chunk of a WEBP file (its TIFF block), if it has one.
fn exif_chunk(bytes: &[u8]) -> Option<&[u8]> {
    if bytes.get(..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WEBP") {
        return None;
    }
    let mut at = 12usize;
    while let Some(header) = bytes.get(at..at + 8) {
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let data = bytes.get(at + 8..(at + 8).checked_add(size)?)?;
        if &header[..4] == b"EXIF" {
            // Some writers keep JPEG's "Exif\0\0" in front of the TIFF block.
            return Some(data.strip_prefix(b"Exif\0\0").unwrap_or(data));
        }
        at = at + 8 + size + (size & 1);
    }
    None
}
