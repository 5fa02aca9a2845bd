//! Demux + decode of arbitrary bytes as an MP4: never a panic, a hang or an
//! unbounded allocation. Seed the corpus with assets/test-clips/*.mp4.
//! `cargo +nightly fuzz run video -- -max_total_time=600`
#![no_main]

use libfuzzer_sys::fuzz_target;
use r2v_studio::video::{Clip, FramePos};

fuzz_target!(|data: &[u8]| {
    let Ok(mut clip) = Clip::from_bytes(data.to_vec()) else {
        return;
    };
    let count = clip.info().frame_count.min(64);
    // In order, then a seek back, at a small display size.
    for index in (0..count).chain([0, count / 2]) {
        let _ = clip.frame_at(FramePos::Index(index), Some((64, 64)));
    }
});
