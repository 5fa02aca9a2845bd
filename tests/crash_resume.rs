//! Crash safety: `r2v-studio generate` is killed with SIGKILL at chosen moments
//! (during upload, right after create, while polling, during download), then
//! `r2v-studio resume` finishes the job. Every run must end with one Done job, one
//! create on the simulator, a byte-identical MP4 and no `.part` left behind; or, when
//! the kill landed after the create was journaled but before it left, with the job
//! waiting for the user and nothing created (the app cannot know, so it never resends).
//!
//! `R2V_CRASH_RUNS=N` changes the number of runs (default 20); `R2V_CRASH_SEED`
//! the seed of the random delays.

mod common;

use r2v_studio::sim::{SimConfig, Simulator};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_r2v-studio");
const KEY: &str = "sk-crash-test-9a8b7c6d";

#[derive(Debug, Clone, Copy)]
enum Moment {
    DuringUpload,
    RightAfterCreate,
    DuringPolling,
    DuringDownload,
}

fn sim_config() -> SimConfig {
    let mut c = SimConfig::default().with_task_duration(Duration::from_millis(1500));
    c.api_key = KEY.into();
    // About a second for the sample video, so that a kill can land mid-download.
    c.download_bytes_per_sec = Some(120_000);
    c
}

fn r2v(sim: &Simulator, dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .args(["--base-url", &sim.base_url()])
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--out")
        .arg(dir.join("out"))
        .args(["--expect-secs", "1"])
        .env("DASHSCOPE_API_KEY", KEY)
        .env("LANG", "en_US.UTF-8")
        .stdin(Stdio::null());
    command
}

fn generate(sim: &Simulator, dir: &Path, image: &Path) -> Child {
    r2v(
        sim,
        dir,
        &[
            "generate",
            "--ref",
            &format!("hero={}", image.display()),
            "--ref",
            "cafe=https://example.com/cafe.jpg",
            "--prompt",
            "@hero 在@cafe 里弹吉他",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("generate starts")
}

fn reached(sim: &Simulator, moment: Moment) -> bool {
    let c = sim.counts();
    match moment {
        Moment::DuringUpload => c.policies >= 1,
        Moment::RightAfterCreate => c.tasks_created >= 1,
        Moment::DuringPolling => c.queries >= 1,
        Moment::DuringDownload => c.bytes_served > 0,
    }
}

fn check_finished(sim: &Simulator, dir: &Path, label: &str) {
    let output = r2v(sim, dir, &["jobs", "--json", "--all"])
        .output()
        .unwrap();
    let jobs: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let jobs = jobs.as_array().unwrap();
    assert_eq!(jobs.len(), 1, "{label}: one job in the journal");
    assert_eq!(jobs[0]["state"], "Done", "{label}: {:#}", jobs[0]);
    assert_eq!(
        sim.counts().tasks_created,
        1,
        "{label}: exactly one create reached the service"
    );
    let mut videos = Vec::new();
    for entry in std::fs::read_dir(dir.join("out")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".part"), "{label}: left {name}");
        if name.ends_with(".mp4") {
            videos.push(entry.path());
        }
    }
    assert_eq!(videos.len(), 1, "{label}: one video");
    common::assert_is_demo_video(&videos[0], label);
}

#[test]
fn killing_generate_at_any_moment_never_loses_or_double_pays() {
    let runs: usize = std::env::var("R2V_CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let seed: u64 = std::env::var("R2V_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2026);
    let mut rng = fastrand::Rng::with_seed(seed);
    let moments = [
        Moment::DuringUpload,
        Moment::RightAfterCreate,
        Moment::DuringPolling,
        Moment::DuringDownload,
    ];
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut unconfirmed = 0;
    for run in 0..runs {
        let moment = moments[run % moments.len()];
        let jitter = Duration::from_millis(rng.u64(0..60));
        let label = format!("run {run} ({moment:?} + {jitter:?}, seed {seed})");
        let sim = rt.block_on(Simulator::start(sim_config(), 0)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let image = dir.path().join("hero.png");
        image::RgbImage::from_fn(400, 300, |x, y| image::Rgb([x as u8, y as u8, run as u8]))
            .save(&image)
            .unwrap();

        let mut child = generate(&sim, dir.path(), &image);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !reached(&sim, moment) {
            assert!(Instant::now() < deadline, "{label}: the moment never came");
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(jitter);
        let _ = child.kill(); // SIGKILL: no chance to clean up.
        let _ = child.wait();

        let resumed = r2v(&sim, dir.path(), &["resume"]).output().unwrap();
        if resumed.status.code() == Some(3) && sim.counts().tasks_created == 0 {
            // Killed after the create was journaled but before it left: the app
            // cannot know whether it was sent, so the job waits for the user.
            // Right only if nothing was created (and the job says so).
            let jobs = r2v(&sim, dir.path(), &["jobs", "--json", "--all"])
                .output()
                .unwrap();
            let jobs: serde_json::Value = serde_json::from_slice(&jobs.stdout).unwrap();
            assert_eq!(jobs[0]["state"], "SubmitUnknown", "{label}: {:#}", jobs[0]);
            assert_eq!(sim.counts().create_requests, 0, "{label}");
            unconfirmed += 1;
            rt.block_on(sim.stop());
            continue;
        }
        assert!(
            resumed.status.success(),
            "{label}: resume exited {:?}\n{}",
            resumed.status,
            String::from_utf8_lossy(&resumed.stderr)
        );
        check_finished(&sim, dir.path(), &label);
        rt.block_on(sim.stop());
    }
    assert!(
        unconfirmed * 4 <= runs,
        "{unconfirmed} of {runs} runs were killed between journaling and sending"
    );
}

#[test]
fn an_interrupted_generate_says_how_to_resume_and_exits_3() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut config = sim_config();
    config.task_duration = Duration::from_secs(30);
    let sim = rt.block_on(Simulator::start(config, 0)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("hero.png");
    image::RgbImage::new(200, 200).save(&image).unwrap();
    let child = r2v(
        &sim,
        dir.path(),
        &[
            "generate",
            "--ref",
            &format!("hero={}", image.display()),
            "--prompt",
            "@hero",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while sim.counts().tasks_created == 0 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("r2v-studio resume"), "{stderr}");
    assert!(!stderr.contains(KEY));
    let jobs = r2v(&sim, dir.path(), &["jobs", "--json"]).output().unwrap();
    let jobs: serde_json::Value = serde_json::from_slice(&jobs.stdout).unwrap();
    assert_eq!(jobs[0]["state"], "Pending", "journaled with its task");
    assert!(jobs[0]["task_id"].is_string());
}
