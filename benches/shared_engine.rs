//! One engine per data folder: what being a client costs.
//!
//! 1. Time from a `generate` command's start to its job being in the journal,
//!    when the command runs the engine itself and when it hands the job to an
//!    engine already running for the folder (as the window's would be).
//! 2. The client's cost per progress event: the event turned into a line, sent
//!    over a Unix socket, read and turned back (a `Job` event and a `Download`
//!    event), against building the same event in memory.
//!
//! 3. The spending checks before a new job is journaled (`engine::spending`):
//!    hashing the references' contents (seven 10 MB files against URLs) and
//!    reading the journal for spend and duplicates (an empty journal against
//!    one with 5,000 jobs, all of this month).
//!
//! `cargo bench --bench shared_engine` (release build; the simulator on 127.0.0.1).

#[cfg(unix)]
fn main() {
    unix::main();
}

#[cfg(not(unix))]
fn main() {
    eprintln!("the shared engine runs over a Unix socket: nothing to measure here");
}

#[cfg(unix)]
mod unix {
    use r2v_studio::api::ApiKey;
    use r2v_studio::core::GenerationSpec;
    use r2v_studio::core::{RefSource, Reference};
    use r2v_studio::engine::wire::{self, Reply, WireEvent};
    use r2v_studio::engine::{
        Allow, Command as EngineCommand, Engine, EngineConfig, Event, EventSink, Job, JobId,
        JobState,
    };
    use r2v_studio::sim::{SimConfig, Simulator};
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::net::UnixStream;
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    const BIN: &str = env!("CARGO_BIN_EXE_r2v-studio");
    const KEY: &str = "sk-bench-shared-1a2b3c";
    const RUNS: usize = 10;

    fn journaled_count(data: &Path) -> usize {
        let path = data.join("jobs.sqlite");
        if !path.exists() {
            return 0;
        }
        r2v_studio::engine::store::Store::open(&path)
            .and_then(|s| s.all())
            .map_or(0, |jobs| jobs.len())
    }

    /// Starts `generate` on `dir` and times it until the journal has one more job.
    fn until_journaled(base_url: &str, dir: &Path) -> Duration {
        let data = dir.join("data");
        let before = journaled_count(&data);
        let start = Instant::now();
        let mut child = Command::new(BIN)
            .args(["generate", "--ref", "cafe=https://example.com/cafe.jpg"])
            .args(["--prompt", "@cafe 计时", "--duration", "1"])
            .args(["--base-url", base_url, "--again"])
            .arg("--data-dir")
            .arg(&data)
            .arg("--out")
            .arg(dir.join("videos"))
            .env("DASHSCOPE_API_KEY", KEY)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary runs");
        while journaled_count(&data) <= before {
            assert!(start.elapsed() < Duration::from_secs(30), "never journaled");
            std::thread::sleep(Duration::from_micros(500));
        }
        let took = start.elapsed();
        let _ = child.kill();
        let _ = child.wait();
        took
    }

    fn summary(mut values: Vec<Duration>) -> String {
        values.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        format!(
            "min {:.1} / median {:.1} / max {:.1} ms",
            ms(values[0]),
            ms(values[values.len() / 2]),
            ms(values[values.len() - 1])
        )
    }

    pub fn main() {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        let mut config = SimConfig::default().with_task_duration(Duration::from_secs(600));
        config.api_key = KEY.into();
        let sim = runtime
            .block_on(Simulator::start(config, 0))
            .expect("the simulator");
        let base_url = sim.base_url();

        // 1a. The command runs the engine itself (a fresh data folder each time).
        let alone: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let dir = tempfile::tempdir().expect("a folder");
                until_journaled(&base_url, dir.path())
            })
            .collect();
        println!(
            "generate → journaled, running the engine itself:    {}",
            summary(alone)
        );

        // 1b. An engine already runs for the folder (the window's): the command is its client.
        let dir = tempfile::tempdir().expect("a folder");
        let (tx, _events) = std::sync::mpsc::channel();
        let engine = Engine::start(
            EngineConfig::new(
                base_url.clone(),
                ApiKey::new(KEY),
                dir.path().join("data"),
                dir.path().join("videos"),
            ),
            EventSink::new(tx, Arc::new(|| {})),
        )
        .expect("the engine");
        while !dir.path().join("data").join(wire::SOCKET_NAME).exists() {
            std::thread::sleep(Duration::from_millis(5));
        }
        let through: Vec<Duration> = (0..RUNS)
            .map(|_| until_journaled(&base_url, dir.path()))
            .collect();
        println!(
            "generate → journaled, through the running engine:  {}",
            summary(through)
        );
        engine.shutdown();

        // 2. Per event: encode, send, read, decode.
        let mut job = Job::new(
            GenerationSpec {
                prompt: "@cafe 清晨的阳光洒在木桌上，镜头缓缓推进".repeat(8),
                ..GenerationSpec::default()
            },
            "/tmp/videos".into(),
            0,
        );
        job.task_id = Some("0385dc79-5ff8-4d82-bcb6-xxxxxx".into());
        let events = [
            ("Job", Event::Job(Box::new(job))),
            (
                "Download",
                Event::Download {
                    job: JobId::new(),
                    received: 12_345_678,
                    total: Some(45_000_000),
                    bytes_per_sec: 3.2e6,
                },
            ),
        ];
        let (a, b) = UnixStream::pair().expect("a socket pair");
        let mut writer = a;
        let mut reader = BufReader::new(b);
        const N: usize = 20_000;
        for (name, event) in &events {
            let start = Instant::now();
            for _ in 0..N {
                std::hint::black_box(event.clone());
            }
            let in_memory = start.elapsed();
            let start = Instant::now();
            let mut line = String::new();
            for _ in 0..N {
                let wire = WireEvent::from_event(event).expect("crosses");
                let text = wire::line(&Reply::Event { event: wire }).expect("encodes");
                writer.write_all(text.as_bytes()).expect("sent");
                line.clear();
                reader.read_line(&mut line).expect("read");
                let Reply::Event { event } = serde_json::from_str(&line).expect("decodes") else {
                    unreachable!("an event was sent");
                };
                std::hint::black_box(event.into_event());
            }
            let through = start.elapsed();
            let us = |d: Duration| d.as_secs_f64() * 1e6 / N as f64;
            println!(
                "one {name:<8} event ({:>4} bytes): in memory {:>6.2} µs, through the socket {:>6.2} µs (+{:.2} µs)",
                line.len(),
                us(in_memory),
                us(through),
                us(through) - us(in_memory)
            );
        }
        admission(&base_url);
        runtime.block_on(sim.stop());
    }

    /// Part 3: from a Generate sent to an engine in this process to its job
    /// being journaled.
    fn admission(base_url: &str) {
        let dir = tempfile::tempdir().expect("a folder");
        let data = dir.path().join("data");
        let pictures: Vec<Reference> = (0..7)
            .map(|i| {
                let path = dir.path().join(format!("big-{i}.png"));
                let bytes: Vec<u8> = (0..10_000_000u32)
                    .map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8 ^ i as u8)
                    .collect();
                std::fs::write(&path, bytes).expect("written");
                Reference {
                    name: format!("p{i}"),
                    source: RefSource::Local(path),
                }
            })
            .collect();
        let urls: Vec<Reference> = (0..7)
            .map(|i| Reference {
                name: format!("p{i}"),
                source: RefSource::Url(format!("https://example.com/{i}.jpg")),
            })
            .collect();
        for (history, label) in [
            (0, "an empty journal"),
            (5_000, "5,000 jobs in the journal"),
        ] {
            let data = data.join(history.to_string());
            std::fs::create_dir_all(&data).expect("a folder");
            if history > 0 {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as i64);
                let store = r2v_studio::engine::store::Store::open(&data.join("jobs.sqlite"))
                    .expect("the journal");
                let jobs: Vec<Job> = (0..history)
                    .map(|i| {
                        let mut job = Job::new(
                            GenerationSpec {
                                prompt: format!("@cafe 历史 {i}"),
                                ..GenerationSpec::default()
                            },
                            "/tmp/videos".into(),
                            // All of them this month, the worst case for the
                            // rules (they read this month's jobs).
                            now - i as i64 * 1_000,
                        );
                        job.set_state(JobState::Done, now - i as i64 * 1_000 + 500);
                        job.billed_seconds = Some(5.0);
                        job.setup = Some(format!("{i:064x}"));
                        job
                    })
                    .collect();
                store.insert_new(&jobs, 0).expect("journaled");
            }
            let (tx, events) = std::sync::mpsc::channel();
            let mut config = EngineConfig::new(
                base_url,
                ApiKey::new(KEY),
                data.clone(),
                dir.path().join("v"),
            );
            config.resume_on_start = false;
            let engine =
                Engine::start(config, EventSink::new(tx, Arc::new(|| {}))).expect("the engine");
            for (references, what) in [(&urls, "7 URLs"), (&pictures, "7 × 10 MB files")] {
                let times: Vec<Duration> = (0..RUNS)
                    .map(|run| {
                        let spec = GenerationSpec {
                            references: references.clone(),
                            prompt: format!("@p0 @p1 @p2 @p3 @p4 @p5 @p6 计时 {run}"),
                            ..GenerationSpec::default()
                        };
                        let (ids, command) = EngineCommand::generate_takes(
                            spec,
                            None,
                            1,
                            Allow {
                                again: true,
                                over_budget: true,
                            },
                        );
                        let start = Instant::now();
                        engine.send(command);
                        loop {
                            match events.recv_timeout(Duration::from_secs(30)) {
                                Ok(Event::Job(job)) if job.id == ids[0] => break,
                                Ok(
                                    other @ (Event::Rejected { .. }
                                    | Event::Refused { .. }
                                    | Event::NotJournaled { .. }),
                                ) => panic!("not journaled: {other:?}"),
                                Ok(_) => {}
                                Err(e) => panic!("never journaled: {e}"),
                            }
                        }
                        let took = start.elapsed();
                        engine.send(EngineCommand::Cancel(ids[0].clone()));
                        took
                    })
                    .collect();
                println!(
                    "Generate → journaled, {what:<16} {label:<26} {}",
                    summary(times)
                );
            }
            engine.shutdown();
        }
    }
}
