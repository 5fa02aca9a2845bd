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
        .env_remove("LC_MESSAGES");
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
