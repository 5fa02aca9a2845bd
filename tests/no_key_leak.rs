//! The API key never appears: the whole flow runs with a recognisable fake key, and
//! every file written, every log line (at trace level) and every export is scanned.
//! The only place it may be is the key store's own private file.

use r2v_studio::api::{ApiKey, CreateTaskRequest, export};
use r2v_studio::core::{GenerationSpec, Lang, RefSource, Reference};
use r2v_studio::engine::{Engine, EngineConfig, Event, EventSink, JobState};
use r2v_studio::settings::KeyStore;
use r2v_studio::sim::{Fault, Route, SimConfig, Simulator};
use r2v_studio::ui::app::AppState;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CANARY: &str = "sk-CANARY-7d1e4b9a2f6c8e0d";

/// Collects every log line in memory.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn the_key_appears_nowhere_but_its_own_store() {
    let logs = Logs::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut sim_config = SimConfig::default().with_task_duration(Duration::from_millis(600));
    sim_config.api_key = CANARY.into();
    let sim = rt.block_on(Simulator::start(sim_config, 0)).unwrap();

    // The key store: the one file allowed to hold the key.
    let settings_dir = dir.path().join("config");
    let store = KeyStore::with_service(&settings_dir, "r2v-studio-test-no-key-leak");
    let key = ApiKey::new(CANARY).unwrap();
    store.store(&key, true).unwrap();
    let found = store.load();
    let key = found.key.unwrap_or(key);
    tracing::info!(?key, "the key as the app logs it");

    // The engine, end to end, with a local upload and a failure too.
    let image = dir.path().join("hero.png");
    image::RgbImage::new(300, 200).save(&image).unwrap();
    let mut config = EngineConfig::new(
        sim.base_url(),
        Some(key.clone()),
        dir.path().join("data"),
        dir.path().join("out"),
    );
    config.expected_generation = Some(Duration::from_millis(500));
    config.max_poll_interval = Duration::from_millis(500);
    let (tx, rx) = std::sync::mpsc::channel();
    let engine = Engine::start(config, EventSink::new(tx, Arc::new(|| {}))).unwrap();
    let spec = GenerationSpec {
        references: vec![
            Reference {
                name: "hero".into(),
                source: RefSource::Local(image),
            },
            Reference {
                name: "cafe".into(),
                source: RefSource::Url("https://example.com/cafe.jpg".into()),
            },
        ],
        prompt: "@hero 走进@cafe".into(),
        ..GenerationSpec::default()
    };
    let good = engine.generate(spec.clone(), None);
    let mut failing = spec.clone();
    failing.prompt = "@hero 走进@cafe forbidden".into();
    let bad = engine.generate(failing, None);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut finished = std::collections::HashMap::new();
    while finished.len() < 2 {
        assert!(
            Instant::now() < deadline,
            "jobs did not finish: {finished:?}"
        );
        if let Ok(Event::Job(job)) = rx.recv_timeout(Duration::from_millis(200))
            && job.state.is_final()
        {
            finished.insert(job.id.clone(), job.state);
        }
    }
    assert_eq!(finished[&good], JobState::Done);
    assert_eq!(finished[&bad], JobState::Failed);

    // A gateway that echoes the key in its refusal (defect 11): the job's error
    // is journaled, sent to the window and logged with the key masked.
    sim.inject(
        Route::Create,
        Fault::Status {
            status: 401,
            code: "InvalidApiKey".into(),
            message: format!("Invalid API-key provided: Bearer {CANARY} ({CANARY})"),
        },
    );
    // The same setup as `good`, on purpose.
    let (ids, command) = r2v_studio::engine::Command::generate_takes(
        spec.clone(),
        None,
        1,
        r2v_studio::engine::Allow {
            again: true,
            ..Default::default()
        },
    );
    engine.send(command);
    let echoed = ids[0].clone();
    let refused = loop {
        assert!(Instant::now() < deadline, "the refused job did not end");
        if let Ok(Event::Job(job)) = rx.recv_timeout(Duration::from_millis(200))
            && job.id == echoed
            && job.state.is_final()
        {
            break job;
        }
    };
    assert_eq!(refused.state, JobState::Failed, "{refused:?}");
    let error = refused.error.clone().unwrap();
    assert!(error.message.en.contains("sk-…8e0d"), "{error:?}");
    let shown = format!("{refused:?} {}", serde_json::to_string(&refused).unwrap());
    assert!(
        !shown.contains(CANARY),
        "the key leaked into the job: {shown}"
    );
    engine.shutdown();

    // The window's state and its exports.
    let mut state = AppState::new(Lang::En, sim.base_url());
    state
        .editor
        .add_sources(vec![RefSource::Url("https://example.com/a.png".into())]);
    state.editor.prompt = "@a 走".into();
    state.editor.generate();
    let body = CreateTaskRequest::from_spec(
        &state.editor.spec(),
        &export::placeholder_urls(&state.editor.spec()),
    )
    .unwrap();
    let mut exported = vec![
        export::request_json(&body),
        export::curl_command(&sim.base_url(), &body),
    ];
    exported.extend(state.pending_commands().map(|r| format!("{r:?}")));
    exported.push(format!("{:?}", state.editor.spec()));

    let allowed = settings_dir.join("api-key");
    let mut scanned = 0;
    for file in files(dir.path()) {
        if file == allowed {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        scanned += 1;
        assert!(
            !String::from_utf8_lossy(&bytes).contains(CANARY),
            "the key leaked into {}",
            file.display()
        );
    }
    assert!(
        scanned >= 5,
        "journal, video, sidecar, uploads… were written ({scanned})"
    );
    for text in &exported {
        assert!(
            !text.contains(CANARY),
            "the key leaked into an export: {text}"
        );
        assert!(!text.contains("CANARY"));
    }
    let log = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(log.lines().count() > 50, "trace logging was on");
    assert!(log.contains("sk-…8e0d"), "the key is logged masked");
    for line in log.lines() {
        assert!(
            !line.contains(CANARY),
            "the key leaked into a log line: {line}"
        );
    }
    store.forget();
    rt.block_on(sim.stop());
}
