//! Sound: AAC decode speed and the resampler's, on the decode thread's path.
//!
//! 1. The AAC track decoded to f32 PCM (symphonia), best of 5: seconds of sound
//!    per millisecond and times real time.
//! 2. The resampler converting 10 s of 48 kHz stereo to 44.1 kHz.
//!
//! The clip is assets/test-clips/stereo-48k-aac.mp4 (2 s, committed); set
//! `R2V_AUDIO_BENCH_CLIP` to a longer clip. `cargo bench --bench audio`.

use r2v_studio::audio::{AacStream, Resampler};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const ROUNDS: usize = 5;

fn clip_path() -> PathBuf {
    std::env::var_os("R2V_AUDIO_BENCH_CLIP").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/test-clips/stereo-48k-aac.mp4"),
        PathBuf::from,
    )
}

fn main() {
    let bytes = std::fs::read(clip_path()).expect("the benchmark clip");
    let mut best = Duration::MAX;
    let mut seconds = 0.0;
    for _ in 0..ROUNDS {
        let mut stream = AacStream::from_bytes(bytes.clone())
            .expect("a readable clip")
            .expect("a clip with sound");
        seconds = stream.info().duration().as_secs_f64();
        let started = Instant::now();
        let mut pcm = Vec::new();
        loop {
            pcm.clear();
            if stream.read(&mut pcm).expect("decodes") == 0 {
                break;
            }
        }
        best = best.min(started.elapsed());
    }
    let ms = best.as_secs_f64() * 1e3;
    println!(
        "AAC decode: {seconds:.1} s of sound in {ms:.2} ms = {:.3} s of sound per ms ({:.0}x real time)",
        seconds / ms,
        seconds * 1e3 / ms
    );

    let input = vec![0.1f32; 48_000 * 2 * 10];
    let mut resampler = Resampler::new(48_000, 44_100, 2);
    let mut out = Vec::new();
    let started = Instant::now();
    for chunk in input.chunks(2048) {
        resampler.process(chunk, &mut out);
        out.clear();
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "resample 48 -> 44.1 kHz stereo: 10 s in {:.1} ms ({:.0}x real time)",
        elapsed * 1e3,
        10.0 / elapsed
    );
}
