//! Thumbnails and upload preparation against libvips, in the same run.
//!
//! 1. Thumbnail (decode + EXIF orientation + downscale to the slot size) of a
//!    6000×4000 JPEG, a 4000×4000 PNG and a 4000×3000 WEBP: our code in a child
//!    process of this bench against `vipsthumbnail` (Debian's `libvips-tools`)
//!    on the same files. Wall time and peak RSS of each process.
//! 2. Seven 6000×4000 JPEGs given to the engine at once: time until all seven
//!    thumbnails have arrived (the engine works off the UI thread).
//! 3. Upload preparation of an 8000×6000 JPEG (downscale to 4000 px, re-encode):
//!    time and peak RSS.
//!
//! `cargo bench --bench thumbs` (needs `vipsthumbnail` and `vips` on PATH).

mod common;

use r2v_studio::api::ApiKey;
use r2v_studio::core::RefSource;
use r2v_studio::engine::{Command, Engine, EngineConfig, Event, EventSink, images};
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The slot thumbnails' longer side (`ui::state::THUMB_SIDE`).
const SLOT_SIDE: u32 = 256;
const RUNS: usize = 5;

/// Runs a child process under GNU time; returns its wall time and peak RSS
/// (bytes). (`wait4` on a direct child would count this process's memory too:
/// the child is a copy of it until it execs.)
fn run_measured(program: &str, args: &[&str]) -> (Duration, u64) {
    let report = tempfile::NamedTempFile::new().expect("report file");
    let start = Instant::now();
    let status = Process::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(report.path())
        .arg(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("/usr/bin/time (Debian: time): {e}"));
    let elapsed = start.elapsed();
    assert!(status.success(), "{program} {args:?} failed: {status}");
    let text = std::fs::read_to_string(report.path()).unwrap_or_default();
    let kb: u64 = text
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .next_back()
        .unwrap_or(0);
    (elapsed, kb * 1024)
}

/// A photo-like picture: smooth gradients with grain, so that encoders work
/// as hard as on a real photo.
fn photo(width: u32, height: u32) -> image::RgbImage {
    let mut rng = fastrand::Rng::with_seed(11);
    image::RgbImage::from_fn(width, height, |x, y| {
        let grain = rng.u8(..24);
        let r = ((x * 200 / width) as u8).saturating_add(grain);
        let g = ((y * 180 / height) as u8).saturating_add(grain);
        let b = (((x + y) * 120 / (width + height)) as u8).saturating_add(grain);
        image::Rgb([r, g, b])
    })
}

fn vips(args: &[&str]) {
    let status = Process::new("vips")
        .args(args)
        .status()
        .expect("vips (Debian: libvips-tools)");
    assert!(status.success(), "vips {args:?}");
}

/// The test files, made once in `dir`.
fn files(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    let source = dir.join("source.png");
    let jpeg = dir.join("photo-6000x4000.jpg");
    let png = dir.join("square-4000x4000.png");
    let webp = dir.join("photo-4000x3000.webp");
    let big = dir.join("photo-8000x6000.jpg");
    if !big.exists() {
        eprintln!("making test pictures in {}…", dir.display());
        photo(6000, 4000).save(&source).expect("source");
        vips(&["copy", path(&source), &format!("{}[Q=90]", path(&jpeg))]);
        photo(4000, 4000).save(&png).expect("png");
        photo(4000, 3000).save(&source).expect("source");
        vips(&["copy", path(&source), &format!("{}[Q=85]", path(&webp))]);
        photo(8000, 6000).save(&source).expect("source");
        vips(&["copy", path(&source), &format!("{}[Q=90]", path(&big))]);
        let _ = std::fs::remove_file(&source);
    }
    vec![
        ("JPEG 6000×4000", jpeg),
        ("PNG 4000×4000", png),
        ("WEBP 4000×3000", webp),
        ("JPEG 8000×6000", big),
    ]
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// Child mode: `thumbs thumbnail FILE` or `thumbs prepare FILE`.
fn child(mode: &str, file: &str) {
    let bytes = std::fs::read(file).expect("read");
    match mode {
        "thumbnail" => {
            let t = images::thumbnail(&bytes, SLOT_SIDE).expect("thumbnail");
            println!("{}×{}", t.width, t.height);
        }
        "prepare" => {
            let p = images::prepare_for_upload(&bytes).expect("prepare");
            println!("{} bytes", p.bytes.len());
        }
        _ => panic!("unknown mode {mode}"),
    }
}

fn compare_thumbnails(me: &str, files: &[(&str, PathBuf)], out: &Path) {
    println!(
        "\nthumbnail to {SLOT_SIDE} px, {RUNS} runs each, child processes (min / median / max)"
    );
    for (what, file) in files.iter().take(3) {
        let mut ours_t = Vec::new();
        let mut ours_m = Vec::new();
        let mut vips_t = Vec::new();
        let mut vips_m = Vec::new();
        let target = format!("{}/tn_%s.v", path(out));
        for _ in 0..RUNS {
            let (t, m) = run_measured(me, &["thumbnail", path(file)]);
            ours_t.push(t.as_secs_f64() * 1000.0);
            ours_m.push(m as f64 / 1e6);
            let (t, m) = run_measured(
                "vipsthumbnail",
                &[path(file), "--size", &SLOT_SIDE.to_string(), "-o", &target],
            );
            vips_t.push(t.as_secs_f64() * 1000.0);
            vips_m.push(m as f64 / 1e6);
        }
        let (a, b, c) = common::summary(&mut ours_t);
        let (d, e, f) = common::summary(&mut vips_t);
        let (g, h, i) = common::summary(&mut ours_m);
        let (j, k, l) = common::summary(&mut vips_m);
        println!("{what}");
        println!(
            "  ours time {a:>7.1} / {b:>7.1} / {c:>7.1} ms   vips {d:>7.1} / {e:>7.1} / {f:>7.1} ms   ratio {:.2}× [≤ 1.0]",
            b / e
        );
        println!(
            "  ours RSS  {g:>7.1} / {h:>7.1} / {i:>7.1} MB   vips {j:>7.1} / {k:>7.1} / {l:>7.1} MB   ratio {:.2}× [≤ 1.0]",
            h / k
        );
    }
}

fn seven_at_once(file: &Path) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = EngineConfig::new(
        "http://127.0.0.1:9/api/v1".to_string(),
        ApiKey::new("sk-bench-not-used"),
        dir.path().join("data"),
        dir.path().join("out"),
    );
    config.resume_on_start = false;
    let (tx, rx) = std::sync::mpsc::channel();
    let engine = Engine::start(config, EventSink::new(tx, Arc::new(|| {}))).expect("engine");
    let mut times = Vec::new();
    for run in 0..RUNS {
        let start = Instant::now();
        for key in 0..7 {
            engine.send(Command::LoadImage {
                key: run as u64 * 10 + key,
                source: RefSource::Local(file.to_path_buf()),
                max_side: SLOT_SIDE,
            });
        }
        let mut arrived = 0;
        while arrived < 7 {
            if let Event::Thumbnail { result, .. } = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("thumbnail in time")
            {
                result.expect("thumbnail");
                arrived += 1;
            }
        }
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    engine.shutdown();
    let (a, b, c) = common::summary(&mut times);
    println!(
        "\nseven 6000×4000 JPEGs at once through the engine: all thumbnails in {a:.0} / {b:.0} / {c:.0} ms [≤ 1000]"
    );
}

fn prepare(me: &str, file: &Path) {
    let mut t = Vec::new();
    let mut m = Vec::new();
    for _ in 0..RUNS {
        let (time, rss) = run_measured(me, &["prepare", path(file)]);
        t.push(time.as_secs_f64() * 1000.0);
        m.push(rss as f64 / 1e6);
    }
    let (a, b, c) = common::summary(&mut t);
    let (d, e, f) = common::summary(&mut m);
    println!(
        "\nupload preparation of an 8000×6000 JPEG (to 4000 px, re-encoded): {a:.0} / {b:.0} / {c:.0} ms, peak RSS {d:.0} / {e:.0} / {f:.0} MB"
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && (args[1] == "thumbnail" || args[1] == "prepare") {
        child(&args[1], &args[2]);
        return;
    }
    if Process::new("vipsthumbnail")
        .arg("--version")
        .output()
        .is_err()
    {
        println!(
            "thumbs: vipsthumbnail is not installed (Debian: apt-get install libvips-tools); skipped"
        );
        return;
    }
    let me = std::env::current_exe().expect("own path");
    let me = path(&me).to_string();
    let dir = std::env::temp_dir().join("r2v-bench-pictures");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let files = files(&dir);
    let out = tempfile::tempdir().expect("tempdir");
    compare_thumbnails(&me, &files, out.path());
    seven_at_once(&files[0].1);
    prepare(&me, &files[3].1);
}
