//! The `r2v-studio` binary as a user runs it: `sim` and `dry-run`.

use r2v_studio::api::{ApiKey, Client, ClientConfig};
use r2v_studio::core::Model;
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_r2v-studio");
const CANARY_KEY: &str = "sk-canary-7f3a9c2e5b1d4f60";

fn r2v(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("DASHSCOPE_API_KEY", CANARY_KEY)
        .env_remove("DASHSCOPE_HTTP_BASE_URL")
        .env("LANG", "en_US.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        // No settings unless a test writes some (never the user's own).
        .env(
            "R2V_STUDIO_CONFIG_DIR",
            std::env::temp_dir().join("r2v-cli-tests-no-settings"),
        );
    command
}

fn run(mut command: impl std::borrow::BorrowMut<Command>) -> Output {
    let command = command.borrow_mut();
    let output = command.output().expect("the binary runs");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!all.contains(CANARY_KEY), "the key leaked: {all}");
    output
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn dry_run_prints_the_body_and_a_curl_command_without_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let image = dir.path().join("英雄 Hero.png");
    std::fs::write(&image, b"\x89PNG\r\n\x1a\n").unwrap();
    let image_arg = image.to_str().unwrap().to_string();
    let output = run(r2v(&[
        "dry-run",
        "--ref",
        &image_arg,
        "--ref",
        "cafe=https://example.com/cafe.jpg",
        "--prompt",
        "@英雄hero 坐在@cafe，微笑",
        "--tier",
        "1080p",
        "--ratio",
        "21:9",
        "--duration",
        "12",
        "--seed",
        "42",
        "--base-url",
        "http://127.0.0.1:9/api/v1/",
    ]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let json_end = stdout
        .find("\n\ncurl")
        .expect("JSON, a blank line, then curl");
    let body: serde_json::Value = serde_json::from_str(&stdout[..json_end]).unwrap();
    assert_eq!(body["parameters"]["size"], "1920*832");
    assert_eq!(body["parameters"]["duration"], 12);
    assert_eq!(body["parameters"]["seed"], 42);
    assert_eq!(body["input"]["prompt"], "@英雄hero 坐在@cafe ，微笑");
    assert_eq!(body["input"]["media"][0]["ref_name"], "英雄hero");
    assert!(
        body["input"]["media"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("oss://")
    );
    assert!(stdout.contains("Bearer $DASHSCOPE_API_KEY"));
    assert!(
        stdout.contains("http://127.0.0.1:9/api/v1/services/aigc/video-generation/video-synthesis")
    );
    assert!(stdout.contains("X-DashScope-OssResourceResolve: enable"));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("uploaded") && stderr.contains("estimate"),
        "{stderr}"
    );
}

#[test]
fn dry_run_lists_every_problem_and_exits_2() {
    let output = run(r2v(&[
        "dry-run",
        "--model",
        "v5.6",
        "--ref",
        "a=https://e.com/a.png",
        "--ref",
        "a=https://e.com/b.png",
        "--prompt",
        "@a 和 @c",
        "--size",
        "1108*832",
        "--duration",
        "15",
    ]));
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "nothing to send");
    let stderr = text(&output.stderr);
    for code in [
        "size.unavailable",
        "ref.name.duplicate",
        "mention.unknown",
        "duration.invalid",
    ] {
        assert!(stderr.contains(code), "{code} missing from:\n{stderr}");
    }
}

#[test]
fn dry_run_speaks_chinese_in_a_chinese_locale() {
    let output = run(r2v(&["dry-run", "--prompt", "只有文字"]).env("LANG", "zh_CN.UTF-8"));
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("请至少添加一张参考图"), "{stderr}");
}

#[test]
fn dry_run_reads_the_prompt_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let prompt = dir.path().join("prompt.txt");
    std::fs::write(&prompt, "@cafe 清晨的阳光\n").unwrap();
    let output = run(r2v(&[
        "dry-run",
        "--ref",
        "cafe=https://e.com/c.png",
        "--prompt-file",
        prompt.to_str().unwrap(),
    ]));
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stdout).contains("\"prompt\": \"@cafe 清晨的阳光\""));
}

#[test]
fn sim_prints_its_address_serves_and_stops_on_sigterm() {
    let mut child = r2v(&[
        "sim",
        "--port",
        "0",
        "--api-key",
        "sk-cli-test",
        "--task-seconds",
        "1",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the first line arrives (flushed)");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/api/v1"),
        "{base}"
    );

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let good = Client::new(ClientConfig::new(
            &base,
            ApiKey::new("sk-cli-test").unwrap(),
        ))
        .unwrap();
        good.upload_policy(Model::C1)
            .await
            .expect("the given key works");
        let other = Client::new(ClientConfig::new(&base, ApiKey::new("sk-demo").unwrap())).unwrap();
        match other.upload_policy(Model::C1).await {
            Err(r2v_studio::api::Error::Api(e)) => assert_eq!(e.code, "InvalidApiKey"),
            other => panic!("{other:?}"),
        }
    });

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the simulator did not stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn sim_refuses_rates_outside_zero_to_one() {
    let output = run(r2v(&["sim", "--fail-rate", "1.5"]));
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("--fail-rate"));
}

// ---------------------------------------------------------------------------
// Commands that drive the engine, against the simulator (issue 11).
// ---------------------------------------------------------------------------

use r2v_studio::core::{GenerationSpec, RefSource};
use r2v_studio::engine::store::Store;
use r2v_studio::engine::{Job, JobId, JobState};
use r2v_studio::sim::{SimConfig, Simulator};
use std::io::Read;
use std::path::{Path, PathBuf};

/// A simulator on its own runtime, stopped when dropped.
struct Sim {
    runtime: tokio::runtime::Runtime,
    sim: Option<Simulator>,
}

impl Sim {
    fn start(task: Duration, tweak: impl FnOnce(&mut SimConfig)) -> Sim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let mut config = SimConfig::default().with_task_duration(task);
        config.api_key = CANARY_KEY.into();
        tweak(&mut config);
        let sim = runtime.block_on(Simulator::start(config, 0)).unwrap();
        Sim {
            runtime,
            sim: Some(sim),
        }
    }

    fn get(&self) -> &Simulator {
        self.sim.as_ref().unwrap()
    }

    fn base_url(&self) -> String {
        self.get().base_url()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(sim) = self.sim.take() {
            self.runtime.block_on(sim.stop());
        }
    }
}

/// `r2v-studio ARGS` against `sim`, with the journal and videos under `dir`.
fn r2v_sim(sim: &Sim, dir: &Path, args: &[&str]) -> Command {
    let mut command = r2v(args);
    command
        .args(["--base-url", &sim.base_url(), "--expect-secs", "1"])
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--out")
        .arg(dir.join("videos"))
        .stdin(Stdio::null());
    command
}

/// The arguments of a small valid generation (one reference by URL: no upload).
const GENERATION: &[&str] = &[
    "--ref",
    "cafe=https://example.com/cafe.jpg",
    "--prompt",
    "@cafe 清晨的阳光",
    "--duration",
    "1",
];

fn generate_args(extra: &[&str]) -> Vec<String> {
    std::iter::once("generate")
        .chain(GENERATION.iter().copied())
        .chain(extra.iter().copied())
        .map(String::from)
        .collect()
}

/// Runs `command`; fails the test if it has not ended within `secs`.
fn run_within(mut command: Command, secs: u64) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = err_reader.join().unwrap();
            panic!(
                "still running after {secs} s; stderr so far:\n{}",
                text(&stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    };
    let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(!all.contains(CANARY_KEY), "the key leaked: {all}");
    output
}

/// A running command whose stderr lines can be awaited.
struct Running {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: String,
}

impl Running {
    fn spawn(mut command: Command) -> Running {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running {
            child,
            lines,
            seen: String::new(),
        }
    }

    /// Waits for a stderr line containing `needle`; fails the test after `secs`.
    fn wait_for_line(&mut self, needle: &str, secs: u64) -> String {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    assert!(!line.contains(CANARY_KEY), "the key leaked: {line}");
                    self.seen.push_str(&line);
                    self.seen.push('\n');
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    panic!(
                        "no line with {needle:?} within {secs} s; stderr:\n{}",
                        self.seen
                    );
                }
            }
        }
    }

    /// Waits for the exit; fails the test after `secs`. Returns the code and stderr.
    fn finish(mut self, secs: u64) -> (Option<i32>, String) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("still running after {secs} s; stderr:\n{}", self.seen);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.seen.push_str(&line);
            self.seen.push('\n');
        }
        assert!(!self.seen.contains(CANARY_KEY), "the key leaked");
        (status.code(), std::mem::take(&mut self.seen))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A journal under `dir/data` holding queued jobs with these ids (and task ids).
fn journal_with(dir: &Path, jobs: &[(&str, Option<&str>)]) {
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let store = Store::open(&dir.join("data").join("jobs.sqlite")).unwrap();
    for (i, (id, task)) in jobs.iter().enumerate() {
        let mut spec = GenerationSpec::default();
        spec.add_reference(RefSource::Url("https://example.com/cafe.jpg".into()));
        spec.prompt = format!("job {i}");
        let mut job = Job::new(spec, dir.join("videos"), 1_700_000_000_000 + i as i64);
        job.id = JobId(id.to_string());
        job.task_id = task.map(String::from);
        store.save(&job, job.created_ms).unwrap();
    }
}

/// `show ID` against the journal under `dir`: the job's id, or the exit code and stderr.
fn show(dir: &Path, id: &str) -> Result<String, (Option<i32>, String)> {
    let output = run(r2v(&["show", id]).arg("--data-dir").arg(dir.join("data")));
    if output.status.success() {
        let job: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        Ok(job["id"].as_str().unwrap().to_string())
    } else {
        Err((output.status.code(), text(&output.stderr)))
    }
}

const JOB_A: &str = "0195f0a1-aaaa-7bbb-8ccc-111111111111";
const JOB_B: &str = "0195f0a1-aaaa-7bbb-8ccc-222222222222";

#[test]
fn show_accepts_the_id_jobs_prints_the_whole_id_a_prefix_and_a_task_id() {
    let dir = tempfile::tempdir().unwrap();
    journal_with(dir.path(), &[(JOB_A, Some("task-7f1e2d3c")), (JOB_B, None)]);
    let listed = run(r2v(&["jobs"])
        .arg("--data-dir")
        .arg(dir.path().join("data")));
    let listed = text(&listed.stdout);
    let printed: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(printed, vec!["22222222", "11111111"], "{listed}");
    for id in printed {
        let shown = show(dir.path(), id).unwrap_or_else(|e| panic!("{id}: {e:?}"));
        assert!(shown.ends_with(id), "{id} showed {shown}");
    }
    assert_eq!(show(dir.path(), JOB_A).unwrap(), JOB_A);
    assert_eq!(show(dir.path(), &JOB_B.to_uppercase()).unwrap(), JOB_B);
    assert_eq!(
        show(dir.path(), "0195f0a1-aaaa-7bbb-8ccc-2").unwrap(),
        JOB_B
    );
    assert_eq!(show(dir.path(), "task-7f1e2d3c").unwrap(), JOB_A);
    let (code, stderr) = show(dir.path(), "99999999").unwrap_err();
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("No single job matches \"99999999\""),
        "{stderr}"
    );
}

#[test]
fn an_id_that_names_several_jobs_lists_them_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    journal_with(dir.path(), &[(JOB_A, None), (JOB_B, None)]);
    let (code, stderr) = show(dir.path(), "0195f0a1").unwrap_err();
    assert_eq!(code, Some(2));
    assert!(stderr.contains("matches more than one job"), "{stderr}");
    assert!(stderr.contains(JOB_A) && stderr.contains(JOB_B), "{stderr}");
}

#[test]
fn cancel_refuses_an_empty_or_short_id_and_leaves_the_only_job_alone() {
    let dir = tempfile::tempdir().unwrap();
    journal_with(dir.path(), &[(JOB_A, None)]);
    for id in ["", "  ", "11111", "0195f"] {
        let output = run(r2v(&["cancel", id])
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .args(["--base-url", "http://127.0.0.1:9/api/v1"]));
        assert_eq!(output.status.code(), Some(2), "{id:?}");
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains("too short to name a job"),
            "{id:?}: {stderr}"
        );
    }
    let journal = Store::open(&dir.path().join("data").join("jobs.sqlite")).unwrap();
    let job = journal.get(&JobId(JOB_A.into())).unwrap().unwrap();
    assert_eq!(job.state, JobState::Queued, "the job was not touched");
}

#[test]
fn cancel_takes_the_id_jobs_prints() {
    let dir = tempfile::tempdir().unwrap();
    journal_with(dir.path(), &[(JOB_A, None)]);
    let output = run_within(
        {
            let mut c = r2v(&["cancel", "11111111"]);
            c.arg("--data-dir")
                .arg(dir.path().join("data"))
                .args(["--base-url", "http://127.0.0.1:9/api/v1"]);
            c
        },
        60,
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains(&format!("Canceled job {JOB_A}")));
}

/// The window must not open in these tests: without a display it fails at once.
fn r2v_no_display(args: &[&str]) -> Command {
    let mut command = r2v(args);
    command
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdin(Stdio::null());
    command
}

#[test]
fn an_unknown_command_is_said_to_be_one_and_exits_2() {
    let output = run_within(r2v_no_display(&["frobnicate"]), 30);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("Unknown command \"frobnicate\""),
        "{stderr}"
    );
    assert!(
        stderr.contains("generate") && stderr.contains("resume"),
        "{stderr}"
    );

    let output = run_within(r2v_no_display(&["genrate", "--out", "x"]), 30);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("did you mean `r2v-studio generate`?"),
        "{stderr}"
    );
}

#[test]
fn a_missing_picture_is_refused_but_an_existing_one_goes_to_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.png");
    let output = run_within(r2v_no_display(&[missing.to_str().unwrap()]), 30);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("No such picture"));

    let output = run_within(r2v_no_display(&[dir.path().to_str().unwrap()]), 30);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("is a folder"));

    // An existing picture passes to the window, which cannot open without a display.
    let image = dir.path().join("hero.png");
    std::fs::write(&image, b"\x89PNG\r\n\x1a\n").unwrap();
    let output = run_within(r2v_no_display(&[image.to_str().unwrap()]), 60);
    let stderr = text(&output.stderr);
    assert_ne!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("No such picture"), "{stderr}");
}

#[test]
fn relative_out_and_data_dir_are_journaled_absolute_so_resume_anywhere_writes_there() {
    let sim = Sim::start(Duration::from_secs(3600), |_| {});
    let here = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let mut args = generate_args(&["--no-wait", "--data-dir", "data", "--out", "videos"]);
    args.extend(["--base-url".to_string(), sim.base_url()]);
    let mut command = r2v(&args.iter().map(String::as_str).collect::<Vec<_>>());
    command.current_dir(here.path()).stdin(Stdio::null());
    let output = run_within(command, 60);
    assert_eq!(output.status.code(), Some(3), "{}", text(&output.stderr));
    assert!(
        !here.path().join("videos").exists(),
        "the task is still running"
    );

    sim.get().advance(Duration::from_secs(3600));
    let mut command = r2v(&["resume", "--base-url", &sim.base_url()]);
    command
        .arg("--data-dir")
        .arg(here.path().join("data"))
        .current_dir(elsewhere.path())
        .stdin(Stdio::null());
    let output = run_within(command, 90);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let video = PathBuf::from(text(&output.stdout).trim());
    assert!(
        video.starts_with(here.path().join("videos")),
        "{video:?}\n{}",
        text(&output.stderr)
    );
    assert!(video.is_file(), "{video:?}");
    assert!(!elsewhere.path().join("videos").exists());
}

/// A journal whose writes fail from the first one on (or only after it), whoever
/// runs the test (root ignores file permissions; a trigger does not).
fn journal_that_fails(dir: &Path, when: &str) {
    std::fs::create_dir_all(dir.join("data")).unwrap();
    let listed = run(r2v(&["jobs"]).arg("--data-dir").arg(dir.join("data")));
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let conn = rusqlite::Connection::open(dir.join("data").join("jobs.sqlite")).unwrap();
    conn.execute_batch(&format!(
        "CREATE TRIGGER disk_full {when} ON jobs
         BEGIN SELECT RAISE(FAIL, 'database or disk is full (simulated)'); END;"
    ))
    .unwrap();
}

#[test]
fn generate_says_so_and_exits_1_when_the_first_journal_write_fails() {
    let sim = Sim::start(Duration::from_millis(500), |_| {});
    let dir = tempfile::tempdir().unwrap();
    journal_that_fails(dir.path(), "BEFORE INSERT");
    let args = generate_args(&[]);
    let command = r2v_sim(
        &sim,
        dir.path(),
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let output = run_within(command, 60);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("could not be saved in the journal")
            && stderr.contains("disk is full (simulated)"),
        "{stderr}"
    );
    assert!(!stderr.contains("is saved in the journal"), "{stderr}");
    assert_eq!(sim.get().counts().create_requests, 0, "nothing was sent");
}

#[test]
fn generate_reports_journal_trouble_after_the_first_write_and_exits_1() {
    let sim = Sim::start(Duration::from_millis(500), |_| {});
    let dir = tempfile::tempdir().unwrap();
    journal_that_fails(dir.path(), "BEFORE UPDATE OF state");
    let args = generate_args(&[]);
    let command = r2v_sim(
        &sim,
        dir.path(),
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let output = run_within(command, 60);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("The job journal could not be written")
            && stderr.contains("stopped because of the problem above"),
        "{stderr}"
    );
}

#[test]
fn warnings_reach_stderr_when_it_is_not_a_terminal() {
    let sim = Sim::start(Duration::from_millis(500), |c| c.query_error_rate = 1.0);
    let dir = tempfile::tempdir().unwrap();
    let args = generate_args(&[]);
    let command = r2v_sim(
        &sim,
        dir.path(),
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let mut running = Running::spawn(command);
    running.wait_for_line("Checking on the task failed", 60);
}

#[test]
fn a_reference_over_the_size_limit_is_refused_from_its_size_alone() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("huge.png");
    // Sparse: 201 MB on paper, nothing on disk, and nothing may read it.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(201_000_000)
        .unwrap();
    let output = run_within(
        r2v(&[
            "dry-run",
            "--ref",
            big.to_str().unwrap(),
            "--prompt",
            "a cat",
        ]),
        30,
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("huge.png")
            && stderr.contains("201.0 MB")
            && stderr.contains("200.0 MB")
            && stderr.contains("ref.file.too_large"),
        "{stderr}"
    );
}

#[test]
fn a_prompt_file_that_is_not_utf8_and_a_folder_as_reference_are_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let prompt = dir.path().join("prompt-gbk.txt");
    std::fs::write(&prompt, [0xc4, 0xe3, 0xba, 0xc3, 0x0a]).unwrap(); // 你好 in GBK
    let output = run(r2v(&[
        "dry-run",
        "--ref",
        dir.path().to_str().unwrap(),
        "--prompt-file",
        prompt.to_str().unwrap(),
    ]));
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("not UTF-8 text") && stderr.contains("iconv"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Reference 1 is a folder") && !stderr.contains("no such file"),
        "{stderr}"
    );
}

#[test]
fn resume_while_another_command_runs_the_job_follows_it_there_to_its_end() {
    let sim = Sim::start(Duration::from_secs(3600), |_| {});
    let dir = tempfile::tempdir().unwrap();
    let args = generate_args(&[]);
    let mut generate = Running::spawn(r2v_sim(
        &sim,
        dir.path(),
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    ));
    generate.wait_for_line("Waiting on the service", 60);
    // Resume finds the engine that `generate` runs and becomes its client: the job
    // is not run a second time.
    let resume = Running::spawn(r2v_sim(&sim, dir.path(), &["resume", "--wait", "120"]));
    let socket = dir.path().join("data").join("engine.sock");
    assert!(socket.exists());
    std::thread::sleep(Duration::from_millis(500));
    sim.get().advance(Duration::from_secs(3600));
    let (code, stderr) = generate.finish(90);
    assert_eq!(code, Some(0), "generate: {stderr}");
    let (code, stderr) = resume.finish(90);
    assert_eq!(code, Some(0), "resume: {stderr}");
    assert!(stderr.contains("Done: "), "{stderr}");
    assert!(!stderr.contains("Interrupted"), "{stderr}");
    assert_eq!(sim.get().counts().tasks_created, 1);
}

#[test]
fn an_output_folder_that_cannot_be_made_is_said_at_once() {
    let sim = Sim::start(Duration::from_millis(500), |_| {});
    let dir = tempfile::tempdir().unwrap();
    let blocked = dir.path().join("blocked");
    std::fs::write(&blocked, "a file where the folder should be").unwrap();
    let args = generate_args(&[]);
    let mut command = r2v(&args.iter().map(String::as_str).collect::<Vec<_>>());
    command
        .args(["--base-url", &sim.base_url(), "--expect-secs", "1"])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .arg("--out")
        .arg(blocked.join("videos"))
        .stdin(Stdio::null());
    let mut running = Running::spawn(command);
    let line = running.wait_for_line("could not be created", 60);
    assert!(line.contains("blocked"), "{line}");
}

/// The sidecars in `dir`, read.
fn sidecars(dir: &Path) -> Vec<serde_json::Value> {
    let mut found: Vec<serde_json::Value> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
        .collect();
    found.sort_by_key(|s| s["take_set"]["index"].as_u64());
    found
}

#[test]
fn generate_with_three_takes_makes_three_tasks_and_prints_three_videos() {
    let sim = Sim::start(Duration::from_millis(600), |_| {});
    let dir = tempfile::tempdir().unwrap();
    let args = generate_args(&["--takes", "3"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run_within(r2v_sim(&sim, dir.path(), &args), 120);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let paths: Vec<PathBuf> = text(&output.stdout).lines().map(PathBuf::from).collect();
    assert_eq!(paths.len(), 3, "one path per take: {paths:?}");
    assert!(paths.iter().all(|p| p.exists()));
    let distinct: std::collections::HashSet<_> = paths.iter().collect();
    assert_eq!(distinct.len(), 3);
    let counts = sim.get().counts();
    assert_eq!(counts.create_requests, 3, "exactly three creates");
    assert_eq!(counts.tasks_created, 3);
    assert!(stderr.contains("3 of 3 takes done"), "{stderr}");

    let sidecars = sidecars(&dir.path().join("videos"));
    assert_eq!(sidecars.len(), 3);
    let set = &sidecars[0]["take_set"]["id"];
    assert!(set.is_string());
    for (n, sidecar) in sidecars.iter().enumerate() {
        assert_eq!(&sidecar["take_set"]["id"], set);
        assert_eq!(sidecar["take_set"]["index"], n as u64 + 1);
        assert_eq!(sidecar["take_set"]["of"], 3);
    }
    let seeds: std::collections::HashSet<String> =
        sidecars.iter().map(|s| s["seed"].to_string()).collect();
    assert_eq!(seeds.len(), 3, "each take its own seed: {seeds:?}");
}

#[test]
fn a_take_that_fails_makes_generate_exit_1_with_the_other_videos_printed() {
    let sim = Sim::start(Duration::from_millis(600), |_| {});
    // The service refuses the first create for sure (its own error body).
    sim.get().inject(
        r2v_studio::sim::Route::Create,
        r2v_studio::sim::Fault::Status {
            status: 400,
            code: "InvalidParameter".into(),
            message: "refused for the test".into(),
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let args = generate_args(&["--takes", "3"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run_within(r2v_sim(&sim, dir.path(), &args), 120);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let paths: Vec<&str> = std::str::from_utf8(&output.stdout)
        .unwrap()
        .lines()
        .collect();
    assert_eq!(paths.len(), 2, "the two videos made: {paths:?}");
    assert!(stderr.contains("2 of 3 takes done"), "{stderr}");
    assert!(stderr.contains("InvalidParameter"), "{stderr}");
    let counts = sim.get().counts();
    assert_eq!(
        counts.tasks_created, 2,
        "the refused take is not made up for"
    );
    assert_eq!(counts.create_requests, 3);
}

#[test]
fn dry_run_with_takes_shows_the_total_estimate_and_more_than_four_is_refused() {
    let one = run(r2v(&["dry-run"]
        .iter()
        .chain(GENERATION)
        .copied()
        .collect::<Vec<_>>()));
    assert!(one.status.success());
    let stderr = text(&one.stderr);
    let price: f64 = stderr
        .split("about ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{stderr}"));

    let mut args = vec!["dry-run", "--takes", "3"];
    args.extend_from_slice(GENERATION);
    let three = run(r2v(&args));
    assert!(three.status.success());
    let stderr = text(&three.stderr);
    let total = format!("about {:.2} CNY for 3 takes (3 × {price:.2}", price * 3.0);
    assert!(stderr.contains(&total), "{total} in {stderr}");
    assert!(stderr.contains("its own random seed"), "{stderr}");

    let mut args = vec!["generate", "--takes", "5"];
    args.extend_from_slice(GENERATION);
    let five = run(r2v(&args));
    assert_eq!(five.status.code(), Some(2));
    assert!(text(&five.stdout).is_empty());
}

/// `r2v-studio config ARGS` on the settings in `config`.
fn config(config: &Path, args: &[&str]) -> Output {
    let mut command = r2v(&[]);
    command
        .arg("config")
        .args(args)
        .env("R2V_STUDIO_CONFIG_DIR", config);
    run(command)
}

#[test]
fn config_sets_gets_and_lists_the_windows_settings_and_refuses_bad_values() {
    let dir = tempfile::tempdir().unwrap();
    let set = config(dir.path(), &["set", "budget.daily", "20"]);
    assert!(set.status.success(), "{}", text(&set.stderr));
    assert_eq!(text(&set.stdout).trim(), "budget.daily = 20.00");
    let get = config(dir.path(), &["get", "budget.daily"]);
    assert_eq!(text(&get.stdout).trim(), "20.00");
    // The window reads the same file.
    let saved = r2v_studio::settings::Settings::load(dir.path()).unwrap();
    assert_eq!(saved.budget.daily, Some(20.0));
    assert_eq!(saved.budget.monthly, None);

    let list = text(&config(dir.path(), &["list"]).stdout);
    for line in [
        "budget.monthly",
        "price.c1.720p",
        "jobs_per_series",
        "output_dir",
    ] {
        assert!(list.contains(line), "{line} in {list}");
    }
    assert!(
        list.lines()
            .any(|l| l.starts_with("budget.monthly") && l.ends_with("= off")),
        "{list}"
    );

    for (key, value) in [
        ("budget.daily", "abc"),
        ("budget.daily", "-5"),
        ("jobs_per_series", "9"),
        ("price.c1.720p", "much"),
        ("no.such.key", "1"),
        ("price.c1.2160p", "1"),
    ] {
        let refused = config(dir.path(), &["set", key, value]);
        assert_eq!(refused.status.code(), Some(2), "{key} {value}");
        assert!(!text(&refused.stderr).trim().is_empty(), "says why");
    }
    let unknown = config(dir.path(), &["get", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("config list"));
    // Nothing refused changed the file.
    assert_eq!(
        r2v_studio::settings::Settings::load(dir.path()).unwrap(),
        saved
    );

    let off = config(dir.path(), &["set", "budget.daily", "off"]);
    assert!(off.status.success());
    assert_eq!(
        text(&config(dir.path(), &["get", "budget.daily"]).stdout).trim(),
        "off"
    );
    let price = config(dir.path(), &["set", "price.c1.720p", "0.75"]);
    assert!(price.status.success(), "{}", text(&price.stderr));
    assert_eq!(
        text(&config(dir.path(), &["get", "price.c1.720p"]).stdout).trim(),
        "0.75"
    );
}

#[test]
fn generate_over_a_cap_sends_nothing_and_exits_2_unless_over_budget_is_given() {
    let sim = Sim::start(Duration::from_millis(300), |_| {});
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings");
    // One second of the default model and size costs 0.60 in the default table.
    assert!(
        config(&settings, &["set", "budget.daily", "1"])
            .status
            .success()
    );
    assert!(
        config(&settings, &["set", "budget.monthly", "100"])
            .status
            .success()
    );
    let generate = |extra: &[&str]| {
        let args = generate_args(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut command = r2v_sim(&sim, dir.path(), &args);
        command.env("R2V_STUDIO_CONFIG_DIR", &settings);
        run_within(command, 120)
    };
    // Under the cap: sent.
    let first = generate(&[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    // 0.60 spent; another 0.60 would make 1.20 of 1.00.
    let over = generate(&["--seed", "7"]);
    let said = text(&over.stderr);
    assert_eq!(over.status.code(), Some(2), "{said}");
    assert!(said.contains("today’s cap of 1.00"), "{said}");
    assert!(
        said.contains("0.60 of") || said.contains("and 0.60"),
        "{said}"
    );
    assert!(said.contains("--over-budget"), "{said}");
    assert_eq!(sim.get().counts().create_requests, 1, "nothing sent");
    assert!(text(&over.stdout).is_empty());
    // Sent anyway when asked.
    let anyway = generate(&["--seed", "7", "--over-budget"]);
    assert_eq!(anyway.status.code(), Some(0), "{}", text(&anyway.stderr));
    assert_eq!(sim.get().counts().create_requests, 2);
    // The journal has two jobs, none for the refused command.
    let jobs = r2v_studio::engine::store::Store::open(&dir.path().join("data").join("jobs.sqlite"))
        .unwrap()
        .all()
        .unwrap();
    assert_eq!(jobs.len(), 2);
}

#[test]
fn the_same_setup_again_is_refused_with_the_earlier_job_until_again_is_given() {
    let sim = Sim::start(Duration::from_millis(300), |_| {});
    let dir = tempfile::tempdir().unwrap();
    let generate = |extra: &[&str]| {
        let args = generate_args(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_within(r2v_sim(&sim, dir.path(), &args), 120)
    };
    let first = generate(&[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let earlier =
        r2v_studio::engine::store::Store::open(&dir.path().join("data").join("jobs.sqlite"))
            .unwrap()
            .all()
            .unwrap()[0]
            .id
            .clone();
    let twice = generate(&[]);
    let said = text(&twice.stderr);
    assert_eq!(twice.status.code(), Some(2), "{said}");
    assert!(
        said.contains(earlier.short()),
        "names the earlier job: {said}"
    );
    assert!(
        said.contains(&earlier.to_string()),
        "and how to show it: {said}"
    );
    assert!(said.contains("--again"), "{said}");
    assert_eq!(sim.get().counts().create_requests, 1, "nothing sent");
    // Something changed: not the same setup.
    let changed = generate(&["--seed", "3"]);
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed.stderr));
    // On purpose.
    let again = generate(&["--again"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert_eq!(sim.get().counts().create_requests, 3);
}

#[test]
fn from_a_video_restores_its_settings_for_dry_run_and_makes_a_new_take_with_generate() {
    let sim = Sim::start(Duration::from_millis(300), |_| {});
    let dir = tempfile::tempdir().unwrap();
    let args = generate_args(&["--seed", "77"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let first = run_within(r2v_sim(&sim, dir.path(), &args), 120);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let video = text(&first.stdout).trim().to_string();

    // dry-run prints what it would send: the video's settings.
    let mut dry = r2v(&["dry-run", "--from", &video]);
    dry.env("R2V_STUDIO_DATA_DIR", dir.path().join("data"));
    let output = run(dry);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let body: serde_json::Value =
        serde_json::from_str(&stdout[..stdout.find("\n\ncurl").unwrap()]).unwrap();
    assert_eq!(body["input"]["prompt"], "@cafe 清晨的阳光");
    assert_eq!(body["parameters"]["seed"], 77);
    assert_eq!(body["parameters"]["duration"], 1);
    assert_eq!(body["input"]["media"][0]["ref_name"], "cafe");
    // Flags given with --from win.
    let mut over = r2v(&[
        "dry-run",
        "--from",
        &video,
        "--prompt",
        "@cafe 黄昏",
        "--seed",
        "5",
    ]);
    over.env("R2V_STUDIO_DATA_DIR", dir.path().join("data"));
    let output = run(over);
    let stdout = text(&output.stdout);
    let body: serde_json::Value =
        serde_json::from_str(&stdout[..stdout.find("\n\ncurl").unwrap()]).unwrap();
    assert_eq!(body["input"]["prompt"], "@cafe 黄昏");
    assert_eq!(body["parameters"]["seed"], 5);
    assert_eq!(body["parameters"]["duration"], 1, "the rest as restored");

    // A new take of it: on purpose, so not stopped as a repeat (the first
    // finished moments ago).
    let take = run_within(
        r2v_sim(&sim, dir.path(), &["generate", "--from", &video]),
        120,
    );
    assert_eq!(take.status.code(), Some(0), "{}", text(&take.stderr));
    assert_ne!(text(&take.stdout).trim(), video);
    assert_eq!(sim.get().counts().create_requests, 2);

    // A video without our settings says so.
    let plain = std::path::absolute("assets/test-clips/flat-colours.mp4").unwrap();
    let output = run(r2v(&["dry-run", "--from", plain.to_str().unwrap()]));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("R2V Studio"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(sim.get().counts().create_requests, 2, "nothing sent");
}
