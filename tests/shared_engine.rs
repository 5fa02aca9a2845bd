//! One engine per data folder: the first process runs it, every later one on the
//! same folder becomes its client over the folder's socket, and a client takes
//! over when the engine's process dies. Against the simulator on 127.0.0.1 with
//! the service's limit of 5 running tasks per model series.

#![cfg(unix)]

use r2v_studio::api::ApiKey;
use r2v_studio::engine::{Engine, EngineConfig, Event, EventSink, JobId};
use r2v_studio::sim::{SimConfig, Simulator};
use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_r2v-studio");
const KEY: &str = "sk-shared-engine-5e6f7a8b";

struct Sim {
    runtime: tokio::runtime::Runtime,
    sim: Option<Simulator>,
}

impl Sim {
    fn start(task: Duration) -> Sim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let mut config = SimConfig::default().with_task_duration(task);
        config.api_key = KEY.into();
        let sim = runtime.block_on(Simulator::start(config, 0)).unwrap();
        Sim {
            runtime,
            sim: Some(sim),
        }
    }

    fn get(&self) -> &Simulator {
        self.sim.as_ref().unwrap()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.runtime.block_on(sim.stop());
        }
    }
}

/// `r2v-studio generate` of a small job (a URL reference: no upload) on `dir`.
fn generate(sim: &Sim, dir: &Path, prompt: &str) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(["generate", "--ref", "cafe=https://example.com/cafe.jpg"])
        .args(["--prompt", prompt, "--duration", "1", "--expect-secs", "1"])
        .args(["--base-url", &sim.get().base_url()])
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--out")
        .arg(dir.join("videos"))
        .env("DASHSCOPE_API_KEY", KEY)
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("DASHSCOPE_HTTP_BASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Waits for `child` for at most `secs`; its output.
fn finish(child: Child, secs: u64) -> Output {
    let id = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            // SAFETY: sending SIGKILL to our own child process by its id.
            unsafe { libc::kill(id as i32, libc::SIGKILL) };
            panic!("generate {id} did not end within {secs} s");
        }
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Waits until `path` exists (the engine's socket).
fn wait_for(path: &Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{path:?} never came"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn eight_commands_on_the_windows_data_folder_all_finish_through_its_engine_within_the_limits() {
    let sim = Sim::start(Duration::from_secs(2));
    let dir = tempfile::tempdir().unwrap();
    // The window's engine.
    let (tx, events) = std::sync::mpsc::channel();
    let config = EngineConfig::new(
        sim.get().base_url(),
        ApiKey::new(KEY),
        dir.path().join("data"),
        dir.path().join("videos"),
    );
    let engine = Engine::start(config, EventSink::new(tx, Arc::new(|| {}))).unwrap();
    wait_for(&dir.path().join("data").join("engine.sock"));
    let children: Vec<Child> = (0..8)
        .map(|i| {
            generate(&sim, dir.path(), &format!("@cafe 第{i}个"))
                .spawn()
                .unwrap()
        })
        .collect();
    let mut videos = HashSet::new();
    for child in children {
        let output = finish(child, 120);
        let all = text(&output);
        assert!(output.status.success(), "{all}");
        assert!(!all.contains(KEY), "the key leaked: {all}");
        let path = String::from_utf8_lossy(&output.stdout).trim().to_string();
        assert!(Path::new(&path).is_file(), "{all}");
        videos.insert(path);
    }
    assert_eq!(videos.len(), 8, "eight different videos");
    let counts = sim.get().counts();
    assert_eq!(counts.tasks_created, 8, "{counts:?}");
    assert_eq!(
        counts.create_requests, 8,
        "no create was refused (no 429): {counts:?}"
    );
    // The window saw every one of them live.
    let seen: HashSet<JobId> = events
        .try_iter()
        .filter_map(|e| match e {
            Event::Job(job) => Some(job.id),
            _ => None,
        })
        .collect();
    assert_eq!(seen.len(), 8);
    engine.shutdown();
}

#[test]
fn when_the_engines_process_is_killed_a_waiting_command_takes_over_and_every_job_is_created_once() {
    let sim = Sim::start(Duration::from_secs(3));
    let dir = tempfile::tempdir().unwrap();
    // The first command runs the engine; three more become its clients.
    let owner = generate(&sim, dir.path(), "@cafe 主人").spawn().unwrap();
    wait_for(&dir.path().join("data").join("engine.sock"));
    let clients: Vec<Child> = (0..3)
        .map(|i| {
            generate(&sim, dir.path(), &format!("@cafe 客人{i}"))
                .spawn()
                .unwrap()
        })
        .collect();
    // Until the clients' jobs are journaled and created (the journal has four jobs).
    let start = Instant::now();
    while sim.get().counts().tasks_created < 4 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{:?}",
            sim.get().counts()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut owner = owner;
    owner.kill().unwrap();
    let _ = owner.wait();
    for child in clients {
        let output = finish(child, 120);
        let all = text(&output);
        assert!(output.status.success(), "{:?} {all}", output.status);
        let path = String::from_utf8_lossy(&output.stdout).trim().to_string();
        assert!(Path::new(&path).is_file(), "{all}");
    }
    let counts = sim.get().counts();
    assert_eq!(counts.tasks_created, 4, "{counts:?}");
    assert_eq!(
        counts.create_requests, 4,
        "nothing was sent twice: {counts:?}"
    );
}
