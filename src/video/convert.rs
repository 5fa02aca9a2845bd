//! YUV 4:2:0 → RGBA, with the matrix and range the stream signals, optionally
//! scaled down (box filter) to fit a display size.

use super::decoder::Picture;

/// The YUV → RGB conversion a stream asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matrix {
    Bt709,
    Bt601,
}

/// How the samples are to be read: matrix and range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColourSpace {
    pub matrix: Matrix,
    /// Full range (0–255) rather than limited (16–235 luma, 16–240 chroma).
    pub full_range: bool,
}

impl ColourSpace {
    /// BT.709, limited range: what the service's clips are.
    pub const BT709_LIMITED: ColourSpace = ColourSpace {
        matrix: Matrix::Bt709,
        full_range: false,
    };

    /// From H.264/ISO `matrix_coefficients`: 5 and 6 are BT.601; 1 is BT.709,
    /// and so is "unspecified" (2) or anything else, since HD video is BT.709.
    pub fn from_signal(matrix_coefficients: u16, full_range: bool) -> ColourSpace {
        ColourSpace {
            matrix: match matrix_coefficients {
                5 | 6 => Matrix::Bt601,
                _ => Matrix::Bt709,
            },
            full_range,
        }
    }
}

/// Fixed-point (16 fractional bits) coefficients: luma gain, offsets, and the
/// chroma terms (V→R, U→G, V→G, U→B).
struct Coefficients {
    y_gain: i32,
    y_offset: i32,
    rv: i32,
    gu: i32,
    gv: i32,
    bu: i32,
}

fn fixed(x: f64) -> i32 {
    // Coefficients are below 3, so the product fits comfortably in an i32.
    #[allow(clippy::cast_possible_truncation)]
    let v = (x * 65536.0).round() as i32;
    v
}

fn coefficients(space: ColourSpace) -> Coefficients {
    let (kr, kb) = match space.matrix {
        Matrix::Bt709 => (0.2126, 0.0722),
        Matrix::Bt601 => (0.299, 0.114),
    };
    let kg = 1.0 - kr - kb;
    // Scale of luma and chroma excursions to full range.
    let (y_scale, c_scale, y_offset) = if space.full_range {
        (1.0, 1.0, 0)
    } else {
        (255.0 / 219.0, 255.0 / 224.0, 16)
    };
    Coefficients {
        y_gain: fixed(y_scale),
        y_offset,
        rv: fixed(2.0 * (1.0 - kr) * c_scale),
        gu: fixed(-2.0 * (1.0 - kb) * kb / kg * c_scale),
        gv: fixed(-2.0 * (1.0 - kr) * kr / kg * c_scale),
        bu: fixed(2.0 * (1.0 - kb) * c_scale),
    }
}

#[inline]
fn clamp8(x: i32) -> u8 {
    // Round from 16 fractional bits and clamp to 0..=255.
    let v = (x + 32768) >> 16;
    v.clamp(0, 255) as u8
}

#[inline]
fn pixel(c: &Coefficients, y: i32, u: i32, v: i32, out: &mut [u8]) {
    let y = (y - c.y_offset) * c.y_gain;
    let (u, v) = (u - 128, v - 128);
    out[0] = clamp8(y + c.rv * v);
    out[1] = clamp8(y + c.gu * u + c.gv * v);
    out[2] = clamp8(y + c.bu * u);
    out[3] = 255;
}

/// The size a `width`×`height` picture gets when made to fit within `max`
/// (never enlarged, aspect ratio kept, at least 1×1).
pub fn fit(width: u32, height: u32, max: Option<(u32, u32)>) -> (u32, u32) {
    let Some((max_w, max_h)) = max else {
        return (width, height);
    };
    let (max_w, max_h) = (max_w.max(1), max_h.max(1));
    if width <= max_w && height <= max_h {
        return (width, height);
    }
    // Scale by the tighter of the two limits, in integer arithmetic.
    let by_width = u64::from(max_w) * u64::from(height) <= u64::from(max_h) * u64::from(width);
    let (w, h) = if by_width {
        let h = (u64::from(height) * u64::from(max_w) + u64::from(width) / 2) / u64::from(width);
        (u64::from(max_w), h)
    } else {
        let w = (u64::from(width) * u64::from(max_h) + u64::from(height) / 2) / u64::from(height);
        (w, u64::from(max_h))
    };
    (
        u32::try_from(w.max(1)).unwrap_or(1),
        u32::try_from(h.max(1)).unwrap_or(1),
    )
}

/// RGBA8 pixels (4 bytes each, rows top to bottom) kept in memory laid out and
/// aligned as egui's `Color32`, so that the window takes a decoded frame over
/// without copying it. Reads and writes as bytes.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Pixels(Vec<egui::Color32>);

impl Pixels {
    /// The pixels as egui colours (no copy).
    pub fn into_colors(self) -> Vec<egui::Color32> {
        self.0
    }

    /// Colours given back (for their memory to be decoded into again).
    pub fn from_colors(colors: Vec<egui::Color32>) -> Pixels {
        Pixels(colors)
    }

    /// A copy as plain bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.to_vec()
    }
}

impl std::ops::Deref for Pixels {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        bytemuck::cast_slice(&self.0)
    }
}

impl std::ops::DerefMut for Pixels {
    fn deref_mut(&mut self) -> &mut [u8] {
        bytemuck::cast_slice_mut(&mut self.0)
    }
}

impl std::fmt::Debug for Pixels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pixels({} bytes)", self.len()) // not text: a debug form
    }
}

/// RGBA bytes of `picture` at `out_w`×`out_h` (from [`fit`]).
pub fn to_rgba(picture: &Picture, space: ColourSpace, out_w: u32, out_h: u32) -> Pixels {
    to_rgba_into(picture, space, out_w, out_h, Pixels::default())
}

/// As [`to_rgba`], writing into `rgba` (a buffer of an earlier frame: no new
/// allocation when it has the size already; every byte is overwritten).
pub fn to_rgba_into(
    picture: &Picture,
    space: ColourSpace,
    out_w: u32,
    out_h: u32,
    mut pixels: Pixels,
) -> Pixels {
    let c = coefficients(space);
    let (w, h) = (picture.width as usize, picture.height as usize);
    let cw = picture.chroma_width() as usize;
    let (ow, oh) = (out_w as usize, out_h as usize);
    pixels.0.resize(ow * oh, egui::Color32::TRANSPARENT);
    let rgba: &mut [u8] = &mut pixels;
    if ow == w && oh == h {
        for (row, line) in rgba.chunks_exact_mut(w * 4).enumerate() {
            let y_row = &picture.y[row * w..row * w + w];
            let c_row = (row / 2) * cw;
            let u_row = &picture.u[c_row..c_row + cw];
            let v_row = &picture.v[c_row..c_row + cw];
            for (x, out) in line.chunks_exact_mut(4).enumerate() {
                pixel(
                    &c,
                    i32::from(y_row[x]),
                    i32::from(u_row[x / 2]),
                    i32::from(v_row[x / 2]),
                    out,
                );
            }
        }
        return pixels;
    }
    // Box filter: each output pixel averages the source rectangle it covers,
    // luma and chroma alike, then converts.
    let span = |o: usize, out_len: usize, in_len: usize| -> (usize, usize) {
        let a = o * in_len / out_len;
        let b = ((o + 1) * in_len / out_len).max(a + 1).min(in_len);
        (a, b)
    };
    let xs: Vec<(usize, usize)> = (0..ow).map(|o| span(o, ow, w)).collect();
    for (oy, line) in rgba.chunks_exact_mut(ow * 4).enumerate() {
        let (y0, y1) = span(oy, oh, h);
        let (cy0, cy1) = (y0 / 2, (y1 - 1) / 2 + 1);
        for (ox, out) in line.chunks_exact_mut(4).enumerate() {
            let (x0, x1) = xs[ox];
            let (cx0, cx1) = (x0 / 2, (x1 - 1) / 2 + 1);
            let mut sum = 0u32;
            for r in y0..y1 {
                sum += picture.y[r * w + x0..r * w + x1]
                    .iter()
                    .map(|&s| u32::from(s))
                    .sum::<u32>();
            }
            let n = ((y1 - y0) * (x1 - x0)) as u32;
            let (mut su, mut sv) = (0u32, 0u32);
            for r in cy0..cy1 {
                for x in cx0..cx1 {
                    su += u32::from(picture.u[r * cw + x]);
                    sv += u32::from(picture.v[r * cw + x]);
                }
            }
            let cn = ((cy1 - cy0) * (cx1 - cx0)) as u32;
            #[allow(clippy::cast_possible_wrap)]
            pixel(
                &c,
                ((sum + n / 2) / n) as i32,
                ((su + cn / 2) / cn) as i32,
                ((sv + cn / 2) / cn) as i32,
                out,
            );
        }
    }
    pixels
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(y: u8, u: u8, v: u8, w: u32, h: u32) -> Picture {
        let (cw, ch) = (w.div_ceil(2) as usize, h.div_ceil(2) as usize);
        Picture {
            width: w,
            height: h,
            y: vec![y; (w * h) as usize],
            u: vec![u; cw * ch],
            v: vec![v; cw * ch],
            tag: 0,
        }
    }

    #[test]
    fn limited_range_black_and_white_are_zero_and_full() {
        let black = to_rgba(&flat(16, 128, 128, 2, 2), ColourSpace::BT709_LIMITED, 2, 2);
        assert_eq!(&black[..4], &[0, 0, 0, 255]);
        let white = to_rgba(&flat(235, 128, 128, 2, 2), ColourSpace::BT709_LIMITED, 2, 2);
        assert_eq!(&white[..4], &[255, 255, 255, 255]);
    }

    #[test]
    fn bt709_and_bt601_give_different_reds() {
        // BT.709 limited-range encoding of sRGB (255, 0, 0): Y 63, Cb 102, Cr 240.
        let red = flat(63, 102, 240, 2, 2);
        let by709 = to_rgba(&red, ColourSpace::BT709_LIMITED, 1, 1);
        assert!(
            by709[0] >= 253 && by709[1] <= 2 && by709[2] <= 2,
            "{by709:?}"
        );
        let by601 = to_rgba(
            &red,
            ColourSpace {
                matrix: Matrix::Bt601,
                full_range: false,
            },
            1,
            1,
        );
        assert!(by601[0] < 240, "BT.601 reads this red darker: {by601:?}");
    }

    #[test]
    fn fitting_keeps_the_aspect_ratio_and_never_enlarges() {
        assert_eq!(fit(1920, 1080, Some((960, 960))), (960, 540));
        assert_eq!(fit(1080, 1920, Some((960, 960))), (540, 960));
        assert_eq!(fit(320, 180, Some((960, 960))), (320, 180));
        assert_eq!(fit(2520, 1080, Some((840, 840))), (840, 360));
        assert_eq!(fit(1920, 1080, None), (1920, 1080));
    }

    #[test]
    fn scaling_down_averages_the_covered_pixels() {
        let mut picture = flat(16, 128, 128, 4, 2);
        // Left half white, right half black.
        for row in 0..2 {
            picture.y[row * 4] = 235;
            picture.y[row * 4 + 1] = 235;
        }
        let rgba = to_rgba(&picture, ColourSpace::BT709_LIMITED, 2, 1);
        assert_eq!(&rgba[..4], &[255, 255, 255, 255]);
        assert_eq!(&rgba[4..], &[0, 0, 0, 255]);
    }
}
