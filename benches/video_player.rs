fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or("/tmp/player-15s-1080p.mp4".into());
    let mut clip = r2v_studio::video::Clip::open(std::path::Path::new(&path)).unwrap();
    let n = clip.info().frame_count.min(96);
    for size in [None, Some((960u32, 540u32))] {
        let t = std::time::Instant::now();
        for i in 0..n {
            clip.frame_at(r2v_studio::video::FramePos::Index(i), size)
                .unwrap();
        }
        println!(
            "{size:?}: {:.1} ms/frame",
            t.elapsed().as_secs_f64() * 1000.0 / n as f64
        );
        let t = std::time::Instant::now();
        clip.frame_at(r2v_studio::video::FramePos::Index(23), size)
            .unwrap();
        println!(
            "seek to frame 23 (end of a GOP): {:.0} ms",
            t.elapsed().as_secs_f64() * 1000.0
        );
    }
}
