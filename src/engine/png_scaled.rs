//! PNG thumbnails decoded row by row straight into a small, area-averaged
//! picture: the full-size image never sits in memory (libvips streams PNG the
//! same way). Interlaced files, small files and anything odd go to the full
//! decoder instead.

use super::images::{DECODE_MAX_SIDE_PX, ImageIssue, Scaled};
use image::metadata::Orientation;
use image::{DynamicImage, RgbaImage};
use png::{ColorType, Decoder, Transformations};
use std::io::Cursor;

/// Decodes `bytes` (a PNG) into a picture whose longer side is `max_side`.
/// `None` when the full decoder should do it (it also words the errors).
pub(crate) fn decode(bytes: &[u8], max_side: u32) -> Option<Result<Scaled, ImageIssue>> {
    let mut decoder = Decoder::new(Cursor::new(bytes));
    decoder.set_transformations(Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().ok()?;
    let info = reader.info();
    let (width, height) = (info.width, info.height);
    if width > DECODE_MAX_SIDE_PX || height > DECODE_MAX_SIDE_PX {
        return Some(Err(ImageIssue::TooLarge { width, height }));
    }
    // Worth it only when the picture is much larger than the thumbnail.
    if info.interlaced || width.max(height) <= max_side.saturating_mul(2) {
        return None;
    }
    let orientation = info
        .exif_metadata
        .as_deref()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    let channels = match reader.output_color_type().0 {
        ColorType::Grayscale => 1,
        ColorType::GrayscaleAlpha => 2,
        ColorType::Rgb => 3,
        ColorType::Rgba => 4,
        ColorType::Indexed => return None,
    };
    let long = u64::from(width.max(height));
    let scaled = |side: u32| ((u64::from(side) * u64::from(max_side)).div_ceil(long)).max(1) as u32;
    let (out_w, out_h) = (scaled(width), scaled(height));
    // Which output column each input column adds to, and how many add to each.
    let columns: Vec<usize> = (0..width)
        .map(|x| (u64::from(x) * u64::from(out_w) / u64::from(width)) as usize)
        .collect();
    let mut per_column = vec![0u32; out_w as usize];
    for &c in &columns {
        per_column[c] += 1;
    }
    let mut per_row = vec![0u32; out_h as usize];
    let mut sums = vec![0u32; out_w as usize * out_h as usize * 4];
    let mut y = 0u32;
    while let Some(row) = reader.next_row().ok()? {
        if y >= height {
            break;
        }
        let out_y = (u64::from(y) * u64::from(out_h) / u64::from(height)) as usize;
        per_row[out_y] += 1;
        let line = &mut sums[out_y * out_w as usize * 4..(out_y + 1) * out_w as usize * 4];
        for (pixel, &c) in row.data().chunks_exact(channels).zip(&columns) {
            let rgba = match *pixel {
                [v] => [v, v, v, 255],
                [v, a] => [v, v, v, a],
                [r, g, b] => [r, g, b, 255],
                [r, g, b, a] => [r, g, b, a],
                _ => return None,
            };
            for (sum, v) in line[c * 4..c * 4 + 4].iter_mut().zip(rgba) {
                *sum += u32::from(v);
            }
        }
        y += 1;
    }
    if y < height {
        // Cut short: the full decoder says what is wrong.
        return None;
    }
    let mut pixels = Vec::with_capacity(sums.len());
    for (i, sum) in sums.iter().enumerate() {
        let pixel = i / 4;
        let count = per_column[pixel % out_w as usize] * per_row[pixel / out_w as usize];
        pixels.push((sum / count.max(1)) as u8);
    }
    let image = DynamicImage::ImageRgba8(RgbaImage::from_raw(out_w, out_h, pixels)?);
    Some(Ok(Scaled {
        image,
        width,
        height,
        orientation,
    }))
}
