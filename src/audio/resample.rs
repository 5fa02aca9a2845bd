//! Sample-rate conversion for a device that does not run at the clip's rate
//! (44.1 kHz clips on a 48 kHz device and the reverse).
//!
//! A windowed-sinc interpolator: 64 taps (Blackman–Harris window) taken from a
//! table of 512 phases, linearly interpolated between neighbouring phases. The
//! cut-off sits just below the lower of the two Nyquist frequencies, so a
//! downward conversion does not alias. Streams in any chunk size; interleaved
//! channels are converted together.

/// Taps either side of the interpolation point.
const HALF_TAPS: usize = 32;
const TAPS: usize = 2 * HALF_TAPS;
/// Phases of the filter table between two input samples.
const PHASES: usize = 512;

/// Converts interleaved samples from one rate to another.
#[derive(Debug, Clone)]
pub struct Resampler {
    channels: usize,
    /// Input samples advanced per output sample.
    step: f64,
    /// `table[p * TAPS + k]`: tap `k` at phase `p` (PHASES + 1 phases, the last
    /// for interpolation).
    table: Vec<f32>,
    /// Input frames not yet fully used (interleaved), starting with the
    /// oldest sample a future output still needs.
    history: Vec<f32>,
    /// Position of the next output between input frames, relative to the
    /// first frame of `history`.
    time: f64,
    bypass: bool,
}

impl Resampler {
    pub fn new(from_rate: u32, to_rate: u32, channels: usize) -> Resampler {
        let from = f64::from(from_rate.max(1));
        let to = f64::from(to_rate.max(1));
        let step = from / to;
        // Cut-off as a fraction of the input's Nyquist frequency: below the
        // output's Nyquist when going down, with room for the transition band.
        let cutoff = (to / from).min(1.0) * 0.92;
        let mut table = vec![0.0f32; (PHASES + 1) * TAPS];
        for phase in 0..=PHASES {
            let frac = phase as f64 / PHASES as f64;
            for k in 0..TAPS {
                // Tap k multiplies input sample (i0 - HALF_TAPS + 1 + k); its
                // distance from the interpolation point i0 + frac:
                let x = (k as f64 - (HALF_TAPS as f64 - 1.0)) - frac;
                table[phase * TAPS + k] = (cutoff * sinc(cutoff * x) * window(x)) as f32;
            }
        }
        let mut resampler = Resampler {
            channels: channels.max(1),
            step,
            table,
            history: Vec::new(),
            time: 0.0,
            bypass: from_rate == to_rate,
        };
        resampler.reset();
        resampler
    }

    /// Forgets the input so far (a seek): the next input frame is output
    /// time zero.
    pub fn reset(&mut self) {
        self.history.clear();
        // Silence before the first sample, so that output 0 lines up with input 0.
        self.history.resize((HALF_TAPS - 1) * self.channels, 0.0);
        self.time = (HALF_TAPS - 1) as f64;
    }

    /// Converts `input` (interleaved) and appends the result to `out`.
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        if self.bypass {
            out.extend_from_slice(input);
            return;
        }
        let ch = self.channels;
        self.history.extend_from_slice(input);
        let frames = self.history.len() / ch;
        loop {
            let base = self.time.floor();
            let i0 = base as usize;
            // Needs frames i0 - HALF_TAPS + 1 ..= i0 + HALF_TAPS.
            if i0 + HALF_TAPS >= frames {
                break;
            }
            let pos = (self.time - base) * PHASES as f64;
            let phase = (pos.floor() as usize).min(PHASES - 1);
            let mix = (pos - phase as f64) as f32;
            let low = &self.table[phase * TAPS..(phase + 1) * TAPS];
            let high = &self.table[(phase + 1) * TAPS..(phase + 2) * TAPS];
            let first = i0 + 1 - HALF_TAPS;
            for c in 0..ch {
                let mut sum = 0.0f32;
                for k in 0..TAPS {
                    let tap = low[k] + (high[k] - low[k]) * mix;
                    sum += tap * self.history[(first + k) * ch + c];
                }
                out.push(sum);
            }
            self.time += self.step;
        }
        // Drop the frames no future output needs.
        let keep_from = (self.time.floor() as usize + 1).saturating_sub(HALF_TAPS);
        let keep_from = keep_from.min(frames);
        if keep_from > 0 {
            self.history.drain(..keep_from * ch);
            self.time -= keep_from as f64;
        }
    }

    /// Gives out what is still held back, as if the input went on in silence
    /// (the end of the sound).
    pub fn flush(&mut self, out: &mut Vec<f32>) {
        if self.bypass {
            return;
        }
        let silence = vec![0.0; HALF_TAPS * self.channels];
        self.process(&silence, out);
    }
}

fn sinc(x: f64) -> f64 {
    if x.abs() < 1e-12 {
        1.0
    } else {
        let px = std::f64::consts::PI * x;
        px.sin() / px
    }
}

/// Four-term Blackman–Harris over the filter's span (-HALF_TAPS..HALF_TAPS).
fn window(x: f64) -> f64 {
    let n = (x + HALF_TAPS as f64) / TAPS as f64;
    if !(0.0..=1.0).contains(&n) {
        return 0.0;
    }
    let t = 2.0 * std::f64::consts::PI * n;
    0.35875 - 0.48829 * t.cos() + 0.14128 * (2.0 * t).cos() - 0.01168 * (3.0 * t).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, rate: u32, frames: usize) -> Vec<f32> {
        (0..frames)
            .map(|i| (2.0 * std::f64::consts::PI * freq * i as f64 / f64::from(rate)).sin() as f32)
            .collect()
    }

    /// Signal-to-noise ratio of `got` against `want` over `range`, in dB.
    fn snr(got: &[f32], want: &[f32], range: std::ops::Range<usize>) -> f64 {
        let (mut signal, mut noise) = (0.0f64, 0.0f64);
        for i in range {
            signal += f64::from(want[i]).powi(2);
            noise += f64::from(got[i] - want[i]).powi(2);
        }
        10.0 * (signal / noise.max(1e-30)).log10()
    }

    fn convert(input: &[f32], from: u32, to: u32, chunk: usize) -> Vec<f32> {
        let mut resampler = Resampler::new(from, to, 1);
        let mut out = Vec::new();
        for piece in input.chunks(chunk) {
            resampler.process(piece, &mut out);
        }
        resampler.flush(&mut out);
        out
    }

    #[test]
    fn a_tone_converted_up_matches_the_same_tone_made_at_the_new_rate() {
        let got = convert(&sine(1000.0, 44_100, 44_100), 44_100, 48_000, 1024);
        let want = sine(1000.0, 48_000, 48_000);
        // Away from the edges (where the input starts and stops abruptly).
        let db = snr(&got, &want, 1000..46_000);
        assert!(db > 70.0, "SNR {db:.1} dB");
    }

    #[test]
    fn a_tone_converted_down_matches_the_same_tone_made_at_the_new_rate() {
        let got = convert(&sine(5000.0, 48_000, 48_000), 48_000, 44_100, 333);
        let want = sine(5000.0, 44_100, 44_100);
        let db = snr(&got, &want, 1000..42_000);
        assert!(db > 70.0, "SNR {db:.1} dB");
    }

    #[test]
    fn the_output_is_as_long_as_the_input_at_the_new_rate() {
        let got = convert(&vec![0.5; 44_100], 44_100, 48_000, 4096);
        assert!((got.len() as i64 - 48_000).abs() <= 2, "{}", got.len());
        // And a constant stays constant (the filter passes DC at unit gain).
        for &v in &got[100..47_000] {
            assert!((v - 0.5).abs() < 1e-3, "{v}");
        }
    }

    #[test]
    fn a_tone_above_the_new_nyquist_frequency_is_filtered_out() {
        // 23 kHz at 48 kHz cannot exist at 44.1 kHz: it must not fold back.
        let got = convert(&sine(23_000.0, 48_000, 48_000), 48_000, 44_100, 1000);
        let power: f64 = got[1000..42_000]
            .iter()
            .map(|&v| f64::from(v).powi(2))
            .sum::<f64>()
            / 41_000.0;
        let db = 10.0 * (power / 0.5).log10();
        assert!(db < -40.0, "{db:.1} dB left");
    }

    #[test]
    fn channels_stay_apart() {
        let left = sine(440.0, 44_100, 8000);
        let interleaved: Vec<f32> = left.iter().flat_map(|&l| [l, 0.0]).collect();
        let mut resampler = Resampler::new(44_100, 48_000, 2);
        let mut out = Vec::new();
        resampler.process(&interleaved, &mut out);
        assert!(out.len() > 1000);
        assert!(out.chunks(2).all(|f| f[1] == 0.0));
        assert!(out.chunks(2).any(|f| f[0].abs() > 0.5));
    }

    #[test]
    fn the_same_rate_passes_samples_through_untouched() {
        let input = sine(440.0, 48_000, 1000);
        assert_eq!(convert(&input, 48_000, 48_000, 100), input);
    }
}
