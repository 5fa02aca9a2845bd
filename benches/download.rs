//! Downloads: a 500 MB video from the simulator on loopback, through the whole
//! engine (poll, ranged download to `.part`, fsync, rename, sidecar), against
//! curl on the same URL in the same run. Reports throughput and this process's
//! peak RSS growth during the download (the simulator runs in a child process,
//! so its copy of the video is not counted).
//!
//! `cargo bench --bench download` [target: at least 0.9× curl; flat memory].
//! `R2V_BENCH_MB=100 cargo bench --bench download` for a shorter run.

mod common;

use r2v_studio::api::ApiKey;
use r2v_studio::core::{GenerationSpec, RefSource, Reference};
use r2v_studio::engine::{Engine, EngineConfig, Event, EventSink, JobState};
use r2v_studio::sim::{SimConfig, Simulator};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const KEY: &str = "sk-bench-download";
const RUNS: usize = 5;

fn megabytes() -> usize {
    std::env::var("R2V_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500)
}

/// Child mode: a simulator whose video is `mb` MB; prints its base URL and
/// serves until its stdin closes.
fn serve(mb: usize) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let mut video = vec![0u8; mb * 1024 * 1024];
    let mut rng = fastrand::Rng::with_seed(5);
    rng.fill(&mut video);
    let mut config = SimConfig::default().with_task_duration(Duration::from_millis(200));
    config.api_key = KEY.into();
    config.video = video.into();
    let sim = runtime
        .block_on(Simulator::start(config, 0))
        .expect("simulator");
    println!("{}", sim.base_url());
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

/// One engine download: (seconds from entering Downloading to Done, which
/// includes the fsync, the rename and the sidecar; bytes; peak RSS growth; URL).
fn ours(base_url: &str) -> (f64, u64, u64, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = EngineConfig::new(
        base_url.to_string(),
        ApiKey::new(KEY),
        dir.path().join("data"),
        dir.path().join("out"),
    );
    config.expected_generation = Some(Duration::from_millis(200));
    config.max_poll_interval = Duration::from_millis(200);
    let (tx, rx) = std::sync::mpsc::channel();
    let engine = Engine::start(config, EventSink::new(tx, Arc::new(|| {}))).expect("engine");
    let spec = GenerationSpec {
        references: vec![Reference {
            name: "cafe".into(),
            source: RefSource::Url("https://example.com/cafe.png".into()),
        }],
        prompt: "@cafe at dawn".into(),
        ..GenerationSpec::default()
    };
    let id = engine.generate(spec, None);
    let base = common::rss_of("self");
    let mut peak = base;
    let mut started: Option<Instant> = None;
    let job = loop {
        match rx
            .recv_timeout(Duration::from_secs(300))
            .expect("engine events")
        {
            Event::Job(job) if job.id == id && job.state == JobState::Downloading => {
                // Timed from the moment the job starts downloading.
                started.get_or_insert_with(Instant::now);
                peak = peak.max(common::rss_of("self"));
            }
            Event::Job(job) if job.id == id && job.state == JobState::Done => break *job,
            Event::Job(job) if job.id == id && job.state == JobState::Failed => {
                panic!("download job failed: {:?}", job.error)
            }
            _ => peak = peak.max(common::rss_of("self")),
        }
    };
    let seconds = started.map_or(0.0, |s| s.elapsed().as_secs_f64());
    let path = job.output_path.expect("output");
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let url = job.video_url.unwrap_or_default();
    engine.shutdown();
    (seconds, bytes, peak.saturating_sub(base), url)
}

fn curl(url: &str, target: &std::path::Path) -> f64 {
    let start = Instant::now();
    let status = Command::new("curl")
        .args(["-sS", "-o"])
        .arg(target)
        .arg(url)
        .status()
        .expect("curl");
    assert!(status.success(), "curl failed");
    start.elapsed().as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "serve" {
        serve(args[2].parse().expect("megabytes"));
        return;
    }
    let mb = megabytes();
    let me = std::env::current_exe().expect("own path");
    let mut child = Command::new(me)
        .args(["serve", &mb.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("simulator child");
    let mut base_url = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut base_url)
        .expect("base URL");
    let base_url = base_url.trim().to_string();
    println!("download: {mb} MB from the simulator on loopback, {RUNS} runs");
    let scratch = tempfile::tempdir().expect("tempdir");
    let mut ratios = Vec::new();
    for run in 0..RUNS {
        let (seconds, bytes, grew, url) = ours(&base_url);
        let ours_rate = bytes as f64 / seconds / 1e6;
        // A fresh file each time, as the engine writes one.
        let target = scratch.path().join(format!("curl-{run}.mp4"));
        let curl_seconds = curl(&url, &target);
        let _ = std::fs::remove_file(&target);
        let curl_rate = bytes as f64 / curl_seconds / 1e6;
        let ratio = ours_rate / curl_rate;
        ratios.push(ratio);
        println!(
            "run {run}: ours {ours_rate:>7.0} MB/s ({seconds:.2} s)  curl {curl_rate:>7.0} MB/s ({curl_seconds:.2} s)  ratio {ratio:.2}× [≥ 0.9]  RSS growth {:.1} MB",
            grew as f64 / 1e6
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "ratio ours/curl: min {:.2} median {:.2} max {:.2}",
        ratios[0],
        ratios[ratios.len() / 2],
        ratios[ratios.len() - 1]
    );
    drop(child.stdin.take());
    let _ = child.wait();
}
