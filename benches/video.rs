//! H.264 decode speed and memory at 1080p, the in-app decoder (`rust_h264`).
//!
//! 1. Decode only (YUV pictures in presentation order), one thread: frames/s and
//!    % of real time at 24 fps.
//! 2. Decode + RGBA at full size, and at a 960×540 display size.
//! 3. The playback worker (its own thread) delivering 960×540 frames.
//! 4. Peak RSS of this process (`VmHWM`) after all of it.
//!
//! The clip is assets/test-clips/bench-1080p.mp4 (12 frames at 2 Mbit/s,
//! committed), decoded again and again; set `R2V_VIDEO_BENCH_CLIP` to a longer,
//! higher-bitrate clip for figures closer to the service's (docs/VIDEO.md says
//! how to make one). `cargo bench --bench video`.

use r2v_studio::video::{Clip, FramePos, Playback, PlaybackEvent};
use std::path::PathBuf;
use std::time::{Duration, Instant};

const ROUNDS: usize = 3;

fn clip_path() -> PathBuf {
    std::env::var_os("R2V_VIDEO_BENCH_CLIP").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/test-clips/bench-1080p.mp4"),
        PathBuf::from,
    )
}

fn report(what: &str, frames: usize, elapsed: Duration) {
    #[allow(clippy::cast_precision_loss)]
    let fps = frames as f64 / elapsed.as_secs_f64();
    println!(
        "{what:<44} {frames:>5} frames in {:>6.2} s = {fps:>6.1} frames/s = {:>4.0} % of real time at 24 fps",
        elapsed.as_secs_f64(),
        fps / 24.0 * 100.0
    );
}

/// Best (shortest) of ROUNDS runs of decoding the whole clip `repeat` times.
fn best_of(mut run: impl FnMut() -> usize) -> (usize, Duration) {
    let mut best = Duration::MAX;
    let mut frames = 0;
    for _ in 0..ROUNDS {
        let start = Instant::now();
        frames = run();
        best = best.min(start.elapsed());
    }
    (frames, best)
}

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let path = clip_path();
    let info = match Clip::open(&path) {
        Ok(clip) => clip.info().clone(),
        Err(error) => {
            eprintln!("cannot open {}: {error}", path.display());
            std::process::exit(1);
        }
    };
    println!(
        "{}: {}x{}, {} frames, {:.1} fps, {}",
        path.display(),
        info.width,
        info.height,
        info.frame_count,
        info.fps,
        info.codec
    );
    // Decode the short committed clip several times per round.
    let repeat = (96 / info.frame_count).max(1);
    let decode = |to_rgba: Option<Option<(u32, u32)>>| {
        let path = path.clone();
        move || {
            let mut frames = 0;
            for _ in 0..repeat {
                let Ok(mut clip) = Clip::open(&path) else {
                    return frames;
                };
                for index in 0..info.frame_count {
                    let ok = match to_rgba {
                        None => clip.picture(index).is_ok(),
                        Some(size) => clip.frame_at(FramePos::Index(index), size).is_ok(),
                    };
                    frames += usize::from(ok);
                }
            }
            frames
        }
    };
    let (frames, time) = best_of(decode(None));
    report("decode (YUV), 1 thread", frames, time);
    let (frames, time) = best_of(decode(Some(None)));
    report("decode + RGBA 1920x1080", frames, time);
    let (frames, time) = best_of(decode(Some(Some((960, 540)))));
    report("decode + RGBA 960x540", frames, time);

    let (frames, time) = best_of(|| {
        let mut frames = 0;
        for _ in 0..repeat {
            let Ok(clip) = Clip::open(&path) else {
                return frames;
            };
            let playback = Playback::spawn(clip, 0, 8, Some((960, 540)));
            while let Some(event) = playback.wait(Duration::from_secs(60)) {
                match event {
                    PlaybackEvent::Frame { .. } => frames += 1,
                    PlaybackEvent::End { .. } | PlaybackEvent::Failed { .. } => break,
                }
            }
        }
        frames
    });
    report("playback worker, 960x540 frames delivered", frames, time);
    if let Some(mb) = peak_rss_mb() {
        println!("peak RSS of the bench process: {mb:.0} MB");
    }
}
