//! One engine per data folder: the first process runs it, every later one on the
//! same folder becomes its client over the folder's local channel (a Unix
//! socket, or a named pipe on Windows), and a client takes over when the
//! engine's process dies. Against the simulator on 127.0.0.1 with the
//! service's limit of 5 running tasks per model series.
//!
//! The tests that write raw bytes to the socket are Unix-only; the others run
//! on Windows too (checked under Wine, see docs/ENGINE.md).

mod common;

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
            kill(id);
            let said = rx
                .recv_timeout(Duration::from_secs(10))
                .map(|output| text(&output.unwrap()))
                .unwrap_or_default();
            panic!("generate {id} did not end within {secs} s; it said: {said}");
        }
    }
}

/// Ends our own child process `id` at once.
fn kill(id: u32) {
    #[cfg(unix)]
    // SAFETY: sending SIGKILL to our own child process by its id.
    unsafe {
        libc::kill(id as i32, libc::SIGKILL)
    };
    #[cfg(not(unix))]
    let _ = Command::new("taskkill")
        .args(["/F", "/PID", &id.to_string()])
        .status();
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The window's engine on `dir` (its poll schedule expects 1 s tasks, as the
/// commands' `--expect-secs 1` does).
fn engine_config(sim: &Sim, dir: &Path) -> EngineConfig {
    let mut config = EngineConfig::new(
        sim.get().base_url(),
        ApiKey::new(KEY),
        dir.join("data"),
        dir.join("videos"),
    );
    config.expected_generation = Some(Duration::from_secs(1));
    config
}

/// Waits until the simulator has made `count` tasks.
fn until_tasks_created(sim: &Sim, count: u64) {
    let start = Instant::now();
    while sim.get().counts().tasks_created < count {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{:?}",
            sim.get().counts()
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
    let config = engine_config(&sim, dir.path());
    let engine = Engine::start(config, EventSink::new(tx, Arc::new(|| {}))).unwrap();
    common::wait_for_engine(&dir.path().join("data"));
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
    common::wait_for_engine(&dir.path().join("data"));
    let clients: Vec<Child> = (0..3)
        .map(|i| {
            generate(&sim, dir.path(), &format!("@cafe 客人{i}"))
                .spawn()
                .unwrap()
        })
        .collect();
    // Until the clients' jobs are journaled and created (the journal has four jobs).
    until_tasks_created(&sim, 4);
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

/// An engine on its own in this process, on a fresh data folder.
fn own_engine(sim: &Sim, dir: &Path) -> (Engine, std::sync::mpsc::Receiver<Event>) {
    let (tx, events) = std::sync::mpsc::channel();
    let config = engine_config(sim, dir);
    let engine = Engine::start(config, EventSink::new(tx, Arc::new(|| {}))).unwrap();
    common::wait_for_engine(&dir.join("data"));
    (engine, events)
}

#[cfg(unix)]
fn read_line(reader: &mut impl std::io::BufRead) -> serde_json::Value {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"))
}

#[cfg(unix)]
#[test]
fn bad_lines_on_the_socket_get_an_error_answer_and_never_take_the_engine_down() {
    use std::io::{BufReader, Write};
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::UnixStream;
    let sim = Sim::start(Duration::from_secs(1));
    let dir = tempfile::tempdir().unwrap();
    // A socket file left by a crashed process is replaced at start.
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data").join("engine.sock"), "stale").unwrap();
    let (tx, _events) = std::sync::mpsc::channel();
    let config = engine_config(&sim, dir.path());
    let engine = Engine::start(config, EventSink::new(tx, Arc::new(|| {}))).unwrap();
    let socket = dir.path().join("data").join("engine.sock");
    let start = Instant::now();
    let mut stream = loop {
        if let Ok(stream) = UnixStream::connect(&socket) {
            break stream;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "never served");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "only the user can open it");
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    // Not JSON; JSON that is not a request; another version.
    stream.write_all(b"hello engine\n").unwrap();
    assert_eq!(read_line(&mut reader)["type"], "error");
    stream.write_all(b"{\"type\":\"format_disk\"}\n").unwrap();
    assert_eq!(read_line(&mut reader)["type"], "error");
    stream
        .write_all(b"{\"type\":\"hello\",\"version\":999}\n")
        .unwrap();
    let answer = read_line(&mut reader);
    assert_eq!(answer["type"], "error");
    assert!(answer.to_string().contains("999"), "{answer}");
    // A client that goes away in the middle of a line.
    let mut half = UnixStream::connect(&socket).unwrap();
    half.write_all(b"{\"type\":\"gener").unwrap();
    drop(half);
    // The engine still serves, and still runs jobs.
    stream
        .write_all(
            format!(
                "{{\"type\":\"hello\",\"version\":{}}}\n",
                r2v_studio::engine::wire::VERSION
            )
            .as_bytes(),
        )
        .unwrap();
    assert_eq!(read_line(&mut reader)["type"], "welcome");
    let output = finish(
        generate(&sim, dir.path(), "@cafe 之后").spawn().unwrap(),
        120,
    );
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(sim.get().counts().tasks_created, 1);
    drop(engine);
}

#[test]
fn generate_no_wait_through_a_running_engine_returns_once_the_job_is_journaled() {
    // A task that takes an hour: the command must not wait for it.
    let sim = Sim::start(Duration::from_secs(3600));
    let dir = tempfile::tempdir().unwrap();
    let (engine, _events) = own_engine(&sim, dir.path());
    let mut command = generate(&sim, dir.path(), "@cafe 不等");
    command.arg("--no-wait");
    let output = finish(command.spawn().unwrap(), 60);
    let all = text(&output);
    assert_eq!(output.status.code(), Some(3), "pending: {all}");
    assert!(all.contains("is journaled"), "{all}");
    // The window's engine goes on with it.
    let store =
        r2v_studio::engine::store::Store::open(&dir.path().join("data").join("jobs.sqlite"))
            .unwrap();
    let jobs = store.all().unwrap();
    assert_eq!(jobs.len(), 1);
    assert!(!jobs[0].state.is_final());
    drop(engine);
}

/// A data folder whose socket path would not fit in a socket's address (107
/// bytes on Linux, 103 on macOS) is shared all the same.
#[test]
fn a_data_folder_too_deep_for_a_socket_address_is_shared_all_the_same() {
    let sim = Sim::start(Duration::from_secs(3600));
    let top = tempfile::tempdir().unwrap();
    let dir = top.path().join("a-long-folder-name-".repeat(6));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(dir.join("data").join("engine.sock").as_os_str().len() > 110);
    let (engine, _events) = own_engine(&sim, &dir);
    let mut command = generate(&sim, &dir, "@cafe 深处");
    command.arg("--no-wait");
    let output = finish(command.spawn().unwrap(), 60);
    let all = text(&output);
    assert_eq!(output.status.code(), Some(3), "pending: {all}");
    assert!(
        all.contains("is journaled"),
        "through the running engine: {all}"
    );
    drop(engine);
}

#[test]
fn a_create_in_flight_when_the_engines_process_dies_is_found_again_never_resent() {
    use r2v_studio::sim::{Fault, Route};
    let sim = Sim::start(Duration::from_secs(3));
    let dir = tempfile::tempdir().unwrap();
    let owner = generate(&sim, dir.path(), "@cafe 主人").spawn().unwrap();
    common::wait_for_engine(&dir.path().join("data"));
    until_tasks_created(&sim, 1);
    // The client's create makes its task, and its answer never comes.
    sim.get().inject(Route::Create, Fault::Hang);
    let client = generate(&sim, dir.path(), "@cafe 客人").spawn().unwrap();
    until_tasks_created(&sim, 2);
    let mut owner = owner;
    owner.kill().unwrap();
    let _ = owner.wait();
    // The client takes over: its job's create may have been sent, so the task is
    // looked for in the service's list and adopted, not created again.
    let output = finish(client, 120);
    let all = text(&output);
    assert!(output.status.success(), "{all}");
    let counts = sim.get().counts();
    assert_eq!(
        counts.create_requests, 2,
        "nothing was sent twice: {counts:?}"
    );
    assert_eq!(counts.tasks_created, 2, "{counts:?}");
}

fn journal(dir: &Path) -> Vec<r2v_studio::engine::Job> {
    r2v_studio::engine::store::Store::open(&dir.join("data").join("jobs.sqlite"))
        .unwrap()
        .all()
        .unwrap()
}

#[test]
fn cancel_through_the_running_engine_cancels_a_pending_task_there() {
    // An hour's task: PENDING for its first twelve minutes.
    let sim = Sim::start(Duration::from_secs(3600));
    let dir = tempfile::tempdir().unwrap();
    let (engine, _events) = own_engine(&sim, dir.path());
    let mut command = generate(&sim, dir.path(), "@cafe 取消我");
    command.arg("--no-wait");
    let output = finish(command.spawn().unwrap(), 60);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output));
    let start = Instant::now();
    let id = loop {
        let jobs = journal(dir.path());
        if let Some(job) = jobs.iter().find(|j| j.task_id.is_some()) {
            break job.id.0.clone();
        }
        assert!(start.elapsed() < Duration::from_secs(30), "never created");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut cancel = Command::new(BIN);
    cancel
        .args(["cancel", &id])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["--base-url", &sim.get().base_url()])
        .env("DASHSCOPE_API_KEY", KEY)
        .env("LANG", "en_US.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = finish(cancel.spawn().unwrap(), 60);
    let all = text(&output);
    assert!(output.status.success(), "{all}");
    assert!(all.contains("Canceled job"), "{all}");
    assert_eq!(
        journal(dir.path())[0].state,
        r2v_studio::engine::JobState::Canceled
    );
    assert_eq!(sim.get().counts().cancels, 1);
    drop(engine);
}

#[cfg(unix)]
#[test]
fn a_second_client_claiming_a_journaled_job_is_told_and_nothing_more_is_sent() {
    use r2v_studio::core::{RefSource, Reference};
    use r2v_studio::engine::wire::{self, Request};
    use std::io::{BufReader, Write};
    use std::os::unix::net::UnixStream;
    let sim = Sim::start(Duration::from_secs(3600));
    let dir = tempfile::tempdir().unwrap();
    let (engine, _events) = own_engine(&sim, dir.path());
    let id = JobId::new();
    let request = Request::Generate {
        ids: vec![id.clone()],
        spec: r2v_studio::core::GenerationSpec {
            references: vec![Reference {
                name: "cafe".into(),
                source: RefSource::Url("https://example.com/cafe.jpg".into()),
            }],
            prompt: "@cafe 同一个".into(),
            ..r2v_studio::core::GenerationSpec::default()
        },
        allow: Default::default(),
        output_dir: Some(dir.path().join("videos")),
    };
    let hello = wire::line(&Request::Hello {
        version: wire::VERSION,
    })
    .unwrap();
    let mut clients: Vec<(UnixStream, BufReader<UnixStream>)> = (0..2)
        .map(|_| {
            let mut stream =
                UnixStream::connect(dir.path().join("data").join("engine.sock")).unwrap();
            stream.write_all(hello.as_bytes()).unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            assert_eq!(read_line(&mut reader)["type"], "welcome");
            (stream, reader)
        })
        .collect();
    // The first client's job is journaled and sent.
    clients[0]
        .0
        .write_all(wire::line(&request).unwrap().as_bytes())
        .unwrap();
    let start = Instant::now();
    until_tasks_created(&sim, 1);
    // The second claims the same job: it hears that it was not journaled.
    clients[1]
        .0
        .write_all(wire::line(&request).unwrap().as_bytes())
        .unwrap();
    let reader = &mut clients[1].1;
    loop {
        let message = read_line(reader);
        if message["event"]["kind"] == "not_journaled" {
            assert_eq!(message["event"]["id"], id.0.as_str());
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{message}");
    }
    assert_eq!(journal(dir.path()).len(), 1);
    assert_eq!(sim.get().counts().create_requests, 1);
    drop(engine);
}
