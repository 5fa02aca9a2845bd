//! Start-up and idle memory of the real window, side by side with a bare
//! eframe window built with the same eframe (`examples/bare_window.rs`):
//! process start to first frame, and resident memory once idle. The app is
//! measured empty and with seven 6000×4000 JPEGs given as references (only
//! their thumbnails should stay in memory).
//!
//! Needs an X display: run under Xvfb (`Xvfb :99 & DISPLAY=:99 …`), or leave
//! DISPLAY unset and have `Xvfb` on PATH (it is started on :97).
//! `cargo build --release --example bare_window && cargo bench --bench startup`
//! [targets: first frame ≤ 1.5× the bare window; idle RSS with 7 references
//! ≤ bare + 100 MB].

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 5;

/// Starts `program`; returns (time to its "first frame" line, idle RSS after
/// `settle`).
fn measure(program: &Path, args: &[PathBuf], home: &Path, settle: Duration) -> (Duration, u64) {
    let runtime_dir = home.join("run");
    std::fs::create_dir_all(&runtime_dir).expect("runtime dir");
    let start = Instant::now();
    let mut child: Child = Command::new(program)
        .args(args)
        .env("R2V_REPORT_FIRST_FRAME", "1")
        .env("HOME", home)
        .env("XDG_RUNTIME_DIR", &runtime_dir)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("DASHSCOPE_API_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first frame line");
    let first = start.elapsed();
    assert_eq!(line.trim(), "first frame", "{}", program.display());
    std::thread::sleep(settle);
    let rss = common::rss_of(&child.id().to_string());
    let _ = child.kill();
    let _ = child.wait();
    (first, rss)
}

fn pictures(dir: &Path) -> Vec<PathBuf> {
    let first = dir.join("ref-1.jpg");
    if !first.exists() {
        let mut rng = fastrand::Rng::with_seed(3);
        let photo = image::RgbImage::from_fn(6000, 4000, |x, y| {
            let grain = rng.u8(..24);
            image::Rgb([
                ((x / 24) as u8).saturating_add(grain),
                ((y / 16) as u8).saturating_add(grain),
                90,
            ])
        });
        photo.save(&first).expect("picture");
    }
    (1..=7)
        .map(|i| {
            let path = dir.join(format!("ref-{i}.jpg"));
            if !path.exists() {
                std::fs::copy(&first, &path).expect("copy");
            }
            path
        })
        .collect()
}

fn main() {
    let _xvfb = if std::env::var_os("DISPLAY").is_none() {
        match Command::new("Xvfb")
            .args([":97", "-screen", "0", "1280x800x24"])
            .spawn()
        {
            Ok(child) => {
                // SAFETY: no other thread of this process is running yet.
                unsafe { std::env::set_var("DISPLAY", ":97") };
                std::thread::sleep(Duration::from_secs(2));
                Some(KillOnDrop(child))
            }
            Err(_) => {
                println!("startup: no DISPLAY and no Xvfb; skipped");
                return;
            }
        }
    } else {
        None
    };
    let app = PathBuf::from(env!("CARGO_BIN_EXE_r2v-studio"));
    let me = std::env::current_exe().expect("own path");
    let bare = me
        .parent()
        .and_then(Path::parent)
        .map(|release| release.join("examples/bare_window"))
        .expect("target dir");
    if !bare.exists() {
        println!("startup: build the baseline first: cargo build --release --example bare_window");
        return;
    }
    let scratch = tempfile::tempdir().expect("tempdir");
    let dir = std::env::temp_dir().join("r2v-bench-pictures");
    std::fs::create_dir_all(&dir).expect("dir");
    let refs = pictures(&dir);
    let app_args = vec![
        PathBuf::from("--data-dir"),
        scratch.path().join("data"),
        PathBuf::from("--out"),
        scratch.path().join("out"),
    ];
    let mut with_refs = app_args.clone();
    with_refs.extend(refs);
    let settle = Duration::from_secs(4);
    let (mut bare_t, mut bare_m) = (Vec::new(), Vec::new());
    let (mut app_t, mut app_m) = (Vec::new(), Vec::new());
    let (mut refs_t, mut refs_m) = (Vec::new(), Vec::new());
    for run in 0..RUNS {
        let home = scratch.path().join(format!("home-{run}"));
        let (t, m) = measure(&bare, &[], &home, settle);
        bare_t.push(t.as_secs_f64() * 1000.0);
        bare_m.push(m as f64 / 1e6);
        let (t, m) = measure(&app, &app_args, &home, settle);
        app_t.push(t.as_secs_f64() * 1000.0);
        app_m.push(m as f64 / 1e6);
        let (t, m) = measure(&app, &with_refs, &home, settle);
        refs_t.push(t.as_secs_f64() * 1000.0);
        refs_m.push(m as f64 / 1e6);
    }
    println!("startup: {RUNS} runs each, process start to first frame, RSS after {settle:?} idle");
    for (what, t, m) in [
        ("bare eframe window", &mut bare_t, &mut bare_m),
        ("r2v-studio, empty", &mut app_t, &mut app_m),
        ("r2v-studio, 7 × 6000×4000 JPEG", &mut refs_t, &mut refs_m),
    ] {
        let (a, b, c) = common::summary(t);
        let (d, e, f) = common::summary(m);
        println!(
            "{what:<32} first frame {a:>6.0} / {b:>6.0} / {c:>6.0} ms   RSS {d:>6.1} / {e:>6.1} / {f:>6.1} MB"
        );
    }
    let ratio = app_t[app_t.len() / 2] / bare_t[bare_t.len() / 2];
    let extra = refs_m[refs_m.len() / 2] - bare_m[bare_m.len() / 2];
    println!("first frame ratio app/bare (median): {ratio:.2}× [≤ 1.5]");
    println!("idle RSS with 7 references minus bare (median): {extra:+.1} MB [≤ +100]");
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
