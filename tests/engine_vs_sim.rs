//! The job engine against the built-in simulator on 127.0.0.1: happy paths,
//! unconfirmed creates, faults, limits, cancel and restart.

mod common;

use r2v_studio::api::ApiKey;
use r2v_studio::core::{GenerationSpec, Model, RefSource, Reference, Seed};
use r2v_studio::engine::{Allow, Command, Engine, EngineConfig, Event, EventSink, JobId, JobState};
use r2v_studio::sim::{DEMO_VIDEO, Fault, FaultKind, Route, SimConfig, Simulator};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const KEY: &str = "sk-engine-test-5f1e2d3c";

use common::paused::Paused as Harness;

fn sim_config(task: Duration) -> SimConfig {
    let mut c = SimConfig::default().with_task_duration(task);
    c.api_key = KEY.into();
    c
}

/// The engine as the tests here start it, against the simulator as `sim` says.
fn harness(sim: SimConfig) -> Harness {
    Harness::start(sim, |_| {})
}

/// A picture of `width`×`height` in the test's folder.
fn picture(h: &Harness, name: &str, width: u32, height: u32) -> PathBuf {
    let path = h.dir.path().join(name);
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 255) as u8, (y % 255) as u8, 77])
    });
    img.save(&path).unwrap();
    path
}

fn spec(refs: &[(&str, RefSource)], prompt: &str) -> GenerationSpec {
    GenerationSpec {
        references: refs
            .iter()
            .map(|(name, source)| Reference {
                name: name.to_string(),
                source: source.clone(),
            })
            .collect(),
        prompt: prompt.into(),
        duration: 5,
        ..GenerationSpec::default()
    }
}

fn url_spec(prompt: &str) -> GenerationSpec {
    spec(
        &[(
            "cafe",
            RefSource::Url("https://example.com/cafe.jpg".into()),
        )],
        prompt,
    )
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn assert_no_key_anywhere(dir: &Path) {
    for entry in walk(dir) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        let hay = String::from_utf8_lossy(&bytes);
        assert!(
            !hay.contains(KEY),
            "the key leaked into {}",
            entry.display()
        );
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn local_files_and_urls_end_as_an_identical_mp4_with_a_sidecar() {
    let mut h = harness(sim_config(Duration::from_millis(800)));
    let hero = picture(&h, "英雄.png", 320, 240);
    let big = picture(&h, "big.png", 4100, 80);
    let mut s = spec(
        &[
            ("英雄", RefSource::Local(hero.clone())),
            ("big", RefSource::Local(big)),
            (
                "cafe",
                RefSource::Url("https://example.com/cafe.jpg".into()),
            ),
        ],
        "@英雄 在@cafe 里看着@big，微笑",
    );
    s.seed = Seed::Fixed(42);
    let id = h.generate(s.clone());
    let job = h.wait_state(&id, JobState::Done, 30);

    let video = job.output_path.clone().unwrap();
    common::assert_is_demo_video(
        &video,
        "byte-identical to what the simulator served outside its index",
    );
    assert!(
        video
            .file_name()
            .unwrap()
            .to_string_lossy()
            .contains("英雄-在-cafe")
    );
    let sidecar: serde_json::Value =
        serde_json::from_slice(&std::fs::read(job.sidecar_path.as_ref().unwrap()).unwrap())
            .unwrap();
    assert_eq!(sidecar["task_id"], job.task_id.clone().unwrap().as_str());
    assert_eq!(sidecar["seed"], 42);
    assert_eq!(sidecar["billed_seconds"], 5.0);
    assert_eq!(
        sidecar["request"]["input"]["prompt"],
        "@英雄 在@cafe 里看着@big ，微笑"
    );
    assert!(
        sidecar["request"]["input"]["media"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("oss://")
    );
    assert!(
        sidecar["request_ids"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["call"] == "create")
    );
    for stage in [
        "queued",
        "upload_started",
        "submitted",
        "pending",
        "succeeded",
        "download_started",
        "done",
    ] {
        assert!(sidecar["timings"][stage].is_string(), "timing {stage}");
    }
    assert_eq!(
        files_in(&h.out())
            .iter()
            .filter(|n| n.ends_with(".part"))
            .count(),
        0
    );

    let counts = h.sim.counts();
    assert_eq!((counts.tasks_created, counts.uploads), (1, 2));
    // The 4100 px image was scaled down before upload.
    let big_url = sidecar["request"]["input"]["media"][1]["url"]
        .as_str()
        .unwrap();
    assert!(h.sim.uploaded_size(big_url).is_some());

    // A second job with the same files reuses the uploads.
    let again = h.generate_again(s);
    h.wait_state(&again, JobState::Done, 30);
    assert_eq!(
        h.sim.counts().uploads,
        2,
        "no second upload for the same content and model"
    );
    assert_eq!(h.sim.counts().tasks_created, 2);
    assert_no_key_anywhere(h.dir.path());
}

#[test]
fn an_unconfirmed_create_is_found_in_the_task_list_and_not_sent_again() {
    let mut h = harness(sim_config(Duration::from_millis(800)));
    h.sim.inject(Route::Create, Fault::Drop);
    let id = h.generate(url_spec("@cafe at dawn"));
    let job = h.wait_state(&id, JobState::Done, 30);
    assert!(job.entered(JobState::SubmitUnknown).is_some());
    let counts = h.sim.counts();
    assert_eq!((counts.create_requests, counts.tasks_created), (1, 1));
    assert!(counts.lists >= 1);
    assert_eq!(job.attempts, 1);
    assert_eq!(h.sim.fault_hits(FaultKind::Drop), 1);
}

#[test]
fn without_a_unique_candidate_the_job_waits_for_the_user() {
    let mut h = harness(sim_config(Duration::from_secs(30)));
    // Another app on the same account sends the very same setup at the same time
    // (same prompt, size and length): two tasks fit, and the app will not guess.
    let stranger = reqwest_create(&h, "@cafe two");
    assert!(stranger.is_some());
    h.sim.inject(Route::Create, Fault::Drop);
    let second = h.generate(url_spec("@cafe two"));
    let job = h.wait(&second, 15, |j| {
        j.state == JobState::SubmitUnknown
            && j.warning
                .as_ref()
                .is_some_and(|w| w.en.contains("will not guess"))
    });
    assert_eq!(job.task_id, None);
    assert_eq!(h.sim.fault_hits(FaultKind::Drop), 1);
    h.wait_idle(&second, 15);
    let creates = h.sim.counts().create_requests;
    h.run_for(Duration::from_secs(600));
    assert_eq!(
        h.sim.counts().create_requests,
        creates,
        "never resent by itself"
    );
    // The user chooses to submit anew.
    h.engine().send(Command::SubmitAnew(second.clone()));
    let job = h.wait(&second, 15, |j| j.task_id.is_some());
    assert_eq!(job.attempts, 2);
}

/// A create from "another app" on the same account.
fn reqwest_create(h: &Harness, prompt: &str) -> Option<String> {
    let client = r2v_studio::api::Client::new(r2v_studio::api::ClientConfig::new(
        h.sim.base_url(),
        ApiKey::new(KEY).unwrap(),
    ))
    .ok()?;
    let spec = url_spec(prompt);
    let body = r2v_studio::api::CreateTaskRequest::from_spec(
        &spec,
        &["https://example.com/cafe.jpg".to_string()],
    )?;
    h.rt.block_on(client.create(&body)).ok().map(|c| c.task_id)
}

#[test]
fn the_services_own_errors_and_throttling_on_create_are_retried_into_one_task() {
    let mut h = harness(sim_config(Duration::from_millis(500)));
    h.sim
        .inject(Route::Create, Fault::status(500, "InternalError"));
    h.sim
        .inject(Route::Create, Fault::status(429, "Throttling.RateQuota"));
    h.sim
        .inject(Route::Create, Fault::status(503, "ModelUnavailable"));
    let id = h.generate(url_spec("@cafe"));
    let job = h.wait_state(&id, JobState::Done, 30);
    let counts = h.sim.counts();
    assert_eq!((counts.create_requests, counts.tasks_created), (4, 1));
    assert_eq!(h.sim.fault_hits(FaultKind::Status), 3);
    assert_eq!(job.attempts, 4);
    assert!(
        job.calls.iter().filter(|c| c.call == "create").count() >= 3,
        "failed attempts' request ids are kept"
    );
}

#[test]
fn a_gateway_error_without_the_services_body_is_never_resent() {
    let mut h = harness(sim_config(Duration::from_millis(500)));
    // An empty 504 from a gateway: the service may have made the task.
    h.sim.inject(
        Route::Create,
        Fault::Status {
            status: 504,
            code: String::new(),
            message: String::new(),
        },
    );
    let id = h.generate(url_spec("@cafe"));
    let job = h.wait(&id, 30, |j| {
        j.state == JobState::SubmitUnknown && j.warning.is_some()
    });
    assert_eq!(job.attempts, 1);
    assert_eq!(h.sim.counts().create_requests, 1, "never resent by itself");
    assert!(
        !job.warning.unwrap().en.contains("Nothing was created"),
        "a gateway error does not say nothing was created"
    );
}

#[test]
fn validation_errors_fail_the_job_with_advice_and_request_id() {
    let mut h = harness(sim_config(Duration::from_millis(500)));
    h.sim.inject(Route::Create, Fault::status(400, "Arrearage"));
    let id = h.generate(url_spec("@cafe"));
    let job = h.wait_state(&id, JobState::Failed, 10);
    let error = job.error.unwrap();
    assert_eq!(error.code, "Arrearage");
    assert!(error.advice.zh.contains("欠费"));
    assert!(error.request_id.is_some());
    assert_eq!(h.sim.counts().create_requests, 1);
    assert_eq!(h.sim.fault_hits(FaultKind::Status), 1);
}

#[test]
fn polling_survives_503_bursts_and_dropped_answers() {
    let mut h = harness(sim_config(Duration::from_millis(500)));
    for _ in 0..3 {
        h.sim
            .inject(Route::Query, Fault::status(503, "ModelUnavailable"));
    }
    h.sim.inject(Route::Query, Fault::Drop);
    h.sim.inject(Route::Query, Fault::Truncate);
    let id = h.generate(url_spec("@cafe"));
    h.wait_state(&id, JobState::Done, 40);
    assert_eq!(h.sim.counts().tasks_created, 1);
    let kinds = [FaultKind::Status, FaultKind::Drop, FaultKind::Truncate];
    assert_eq!(kinds.map(|k| h.sim.fault_hits(k)), [3, 1, 1]);
}

#[test]
fn a_cut_download_resumes_by_range_and_an_expired_link_is_refreshed() {
    let mut h = harness(sim_config(Duration::from_millis(500)));
    h.sim
        .inject(Route::Download, Fault::status(403, "AccessDenied"));
    h.sim.inject(Route::Download, Fault::Cut);
    let id = h.generate(url_spec("@cafe"));
    let job = h.wait_state(&id, JobState::Done, 40);
    common::assert_is_demo_video(&job.output_path.unwrap(), "downloaded");
    let counts = h.sim.counts();
    assert!(counts.downloads >= 3, "{counts:?}");
    assert!(
        counts.bytes_served < 2 * DEMO_VIDEO.len() as u64,
        "resumed, not restarted: {counts:?}"
    );
    assert!(counts.queries >= 2, "the link was refreshed by a new query");
    let kinds = [FaultKind::Status, FaultKind::Cut];
    assert_eq!(kinds.map(|k| h.sim.fault_hits(k)), [1, 1]);
}

#[test]
fn a_task_that_vanishes_is_expired_never_failed() {
    let mut h = harness(sim_config(Duration::from_secs(60)));
    let id = h.generate(url_spec("@cafe"));
    h.wait(&id, 10, |j| {
        j.state == JobState::Pending || j.state == JobState::Running
    });
    h.sim.advance(Duration::from_secs(25 * 3600));
    let job = h.wait_state(&id, JobState::Expired, 20);
    assert_eq!(job.error.unwrap().code, "Expired");
}

#[test]
fn moderation_failures_fail_with_advice() {
    let mut h = harness(sim_config(Duration::from_millis(500)));
    let id = h.generate(url_spec("@cafe 违禁 scene"));
    let job = h.wait_state(&id, JobState::Failed, 20);
    let error = job.error.unwrap();
    assert_eq!(error.code, "DataInspectionFailed");
    assert!(error.advice.en.contains("moderation"));
    assert!(error.request_id.is_some());
}

#[test]
fn a_bad_image_fails_before_anything_is_sent() {
    let mut h = harness(sim_config(Duration::from_millis(500)));
    let fake = h.dir.path().join("notes.png");
    std::fs::write(&fake, "just text").unwrap();
    let id = h.generate(spec(&[("a", RefSource::Local(fake))], "@a"));
    let job = h.wait_state(&id, JobState::Failed, 10);
    assert_eq!(job.error.unwrap().code, "ImageUnusable");
    assert_eq!(h.sim.counts().create_requests, 0);
}

#[test]
fn invalid_specs_are_rejected_before_any_job_exists() {
    let mut h = harness(sim_config(Duration::from_millis(500)));
    let id = h.generate(spec(&[], ""));
    let rejected = loop {
        match h.next_event(5) {
            Event::Rejected { id: rid, problems } if rid == id => break problems,
            _ => {}
        }
    };
    assert!(rejected.iter().any(|p| p.code == "images.none"));
}

#[test]
fn thirty_jobs_never_exceed_the_query_limit() {
    let mut sim = sim_config(Duration::from_secs(2));
    sim.submissions_per_second = 100;
    let mut h = Harness::start(sim, |c| {
        c.queries_per_second = 10;
        c.expected_generation = Some(Duration::from_millis(300));
    });
    let ids: Vec<JobId> = (0..30)
        .map(|i| {
            let mut s = url_spec(&format!("@cafe {i}"));
            if i % 2 == 1 {
                s.model = Model::V56;
            }
            h.generate(s)
        })
        .collect();
    for id in &ids {
        h.wait_state(id, JobState::Done, 120);
    }
    let counts = h.sim.counts();
    assert_eq!(counts.tasks_created, 30);
    assert!(counts.peak_queries_per_second <= 10, "{counts:?}");
    assert_eq!(counts.queries_throttled, 0);
}

#[test]
fn the_local_queue_holds_jobs_beyond_the_series_limit_and_cancels_them_locally() {
    let mut h = Harness::start(sim_config(Duration::from_secs(30)), |c| {
        c.jobs_per_series = 1
    });
    let first = h.generate(url_spec("@cafe one"));
    h.wait(&first, 10, |j| j.state == JobState::Pending);
    let second = h.generate(url_spec("@cafe two"));
    h.wait(&second, 5, |j| j.state == JobState::Queued);
    // Three seconds of the engine's time: the first task is still PENDING (for
    // 6 s of its 30), so the second waits.
    h.run_for(Duration::from_secs(3));
    h.drain();
    assert_eq!(h.jobs[&first].state, JobState::Pending);
    assert_eq!(
        h.jobs[&second].state,
        JobState::Queued,
        "held back by the series limit"
    );
    h.engine().send(Command::Cancel(second.clone()));
    h.wait_state(&second, JobState::Canceled, 10);
    assert_eq!(h.sim.counts().tasks_created, 1);
    // A PENDING task is cancelled on the service.
    h.engine().send(Command::Cancel(first.clone()));
    h.wait_state(&first, JobState::Canceled, 10);
    assert_eq!(h.sim.counts().cancels, 1);
}

#[test]
fn a_running_task_cannot_be_cancelled_and_the_user_is_told() {
    let mut h = harness(sim_config(Duration::from_secs(40)));
    let id = h.generate(url_spec("@cafe"));
    h.wait(&id, 10, |j| j.state == JobState::Pending);
    h.sim.advance(Duration::from_secs(20));
    h.wait(&id, 10, |j| j.state == JobState::Running);
    h.engine().send(Command::Cancel(id.clone()));
    let deadline = h.now() + Duration::from_secs(5);
    while !h.notices.iter().any(|n| n.contains("cannot be cancelled")) {
        assert!(h.now() < deadline, "{:?}", h.notices);
        let event = h.next_event(5);
        h.absorb(event);
    }
    let job = h.wait_state(&id, JobState::Done, 60);
    assert!(job.billed_seconds.is_some(), "it finished and was billed");
}

#[test]
fn a_restarted_engine_resumes_unfinished_jobs() {
    let mut h = harness(sim_config(Duration::from_secs(4)));
    let id = h.generate(url_spec("@cafe"));
    h.wait(&id, 10, |j| j.state == JobState::Pending);
    h.stop_engine();
    h.start_engine(|_| {});
    let job = h.wait_state(&id, JobState::Done, 30);
    common::assert_is_demo_video(&job.output_path.unwrap(), "downloaded");
    assert_eq!(h.sim.counts().tasks_created, 1);
}

#[test]
fn a_second_engine_on_the_same_data_folder_is_refused() {
    let h = harness(sim_config(Duration::from_secs(1)));
    let (tx, _rx) = std::sync::mpsc::channel();
    let second = Engine::start(h.config(), EventSink::new(tx, Arc::new(|| {})));
    assert!(matches!(
        second,
        Err(r2v_studio::engine::EngineError::Locked(_))
    ));
}

#[test]
fn thumbnails_are_made_off_the_caller_thread() {
    // The engine on its own thread, as the window runs it; the simulator on a
    // runtime of its own, in real time.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sim = rt
        .block_on(Simulator::start(sim_config(Duration::from_secs(1)), 0))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (tx, events) = std::sync::mpsc::channel();
    let wakers = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = wakers.clone();
    let wake = Arc::new(move || seen.lock().unwrap().push(std::thread::current().id()));
    let config = EngineConfig::new(
        sim.base_url(),
        ApiKey::new(KEY),
        dir.path().join("data"),
        dir.path().join("out"),
    );
    let engine = Engine::start(config, EventSink::new(tx, wake)).unwrap();
    let path = dir.path().join("thumb.png");
    image::RgbImage::from_pixel(800, 400, image::Rgb([1, 2, 3]))
        .save(&path)
        .unwrap();
    let caller = std::thread::current().id();
    engine.send(Command::LoadImage {
        key: 7,
        source: RefSource::Local(path),
        max_side: 128,
    });
    engine.send(Command::LoadImage {
        key: 8,
        source: RefSource::Local(dir.path().join("missing.png")),
        max_side: 128,
    });
    let unreachable = format!("http://127.0.0.1:{}/videos/nothing.png", sim.port());
    engine.send(Command::LoadImage {
        key: 9,
        source: RefSource::Url(unreachable),
        max_side: 128,
    });
    let mut results = HashMap::new();
    while results.len() < 3 {
        if let Event::Thumbnail { key, result } =
            events.recv_timeout(Duration::from_secs(10)).unwrap()
        {
            results.insert(key, result);
        }
    }
    let thumb = results[&7].as_ref().unwrap();
    assert_eq!(
        (thumb.width, thumb.height, thumb.source_width),
        (128, 64, 800)
    );
    assert!(
        results[&8]
            .as_ref()
            .unwrap_err()
            .en
            .contains("could not be read")
    );
    let url_error = results[&9].as_ref().unwrap_err();
    assert!(
        url_error.en.contains("could not be fetched") && url_error.en.contains("404"),
        "{}",
        url_error.en
    );
    let wakers = wakers.lock().unwrap();
    assert!(
        !wakers.is_empty() && !wakers.contains(&caller),
        "decoded on the caller's thread"
    );
    drop(wakers);
    engine.shutdown();
    rt.block_on(sim.stop());
}

#[test]
fn an_upload_the_service_no_longer_has_is_uploaded_again() {
    let mut h = harness(sim_config(Duration::from_millis(500)));
    let hero = picture(&h, "hero.png", 320, 240);
    let s = spec(&[("hero", RefSource::Local(hero))], "@hero 走");
    let first = h.generate(s.clone());
    h.wait_state(&first, JobState::Done, 30);
    // The service forgets its uploads (here: a restart on the same address, like
    // the demo's simulator between two runs of the app).
    let port = h.sim.port();
    let config = h.sim.config().clone();
    let old = std::mem::replace(
        &mut h.sim,
        h.rt.block_on(async {
            // Bind a placeholder first so that the old server can release the port.
            Simulator::start(config.clone(), 0).await.unwrap()
        }),
    );
    h.rt.block_on(old.stop());
    h.sim = h.rt.block_on(Simulator::start(config, port)).unwrap();
    let second = h.generate_again(s);
    let job = h.wait_state(&second, JobState::Done, 30);
    assert!(job.reuploaded);
    let counts = h.sim.counts();
    assert_eq!(counts.uploads, 1, "uploaded again");
    assert_eq!(
        (counts.create_requests, counts.tasks_created),
        (2, 1),
        "the refused create made nothing"
    );
}

// Malformed server answers (the simulator's fault modes): each becomes a clear
// job error or warning with what to do; nothing panics; no job is lost; no
// create is sent twice.

#[test]
fn malformed_answers_while_polling_are_survived() {
    let mut h = harness(sim_config(Duration::from_millis(800)));
    h.sim.inject(Route::Query, Fault::Html(502));
    h.sim.inject(Route::Query, Fault::WrongTypes);
    h.sim.inject(Route::Query, Fault::Huge(50 * 1024 * 1024));
    h.sim.inject(Route::Query, Fault::Truncate);
    let id = h.generate(url_spec("@cafe"));
    let job = h.wait_state(&id, JobState::Done, 60);
    common::assert_is_demo_video(&job.output_path.unwrap(), "downloaded");
    assert_eq!(h.sim.counts().tasks_created, 1);
    let kinds = [
        FaultKind::Html,
        FaultKind::WrongTypes,
        FaultKind::Huge,
        FaultKind::Truncate,
    ];
    assert_eq!(kinds.map(|k| h.sim.fault_hits(k)), [1, 1, 1, 1]);
}

#[test]
fn a_create_answered_with_garbage_is_adopted_never_resent() {
    // The task was made, but its answer has the wrong types: ambiguous.
    let mut h = harness(sim_config(Duration::from_millis(800)));
    h.sim.inject(Route::Create, Fault::WrongTypes);
    let id = h.generate(url_spec("@cafe"));
    h.wait_state(&id, JobState::Done, 60);
    let counts = h.sim.counts();
    assert_eq!(counts.create_requests, 1, "{counts:?}");
    assert_eq!(counts.tasks_created, 1);
    assert_eq!(h.sim.fault_hits(FaultKind::WrongTypes), 1);
}

#[test]
fn a_proxy_error_page_on_create_is_never_resent_and_a_huge_answer_is_not_trusted() {
    let mut h = harness(sim_config(Duration::from_millis(800)));
    // A 502 page from a proxy is not the service's answer: a task may exist, so
    // the create is never sent again by itself; the user decides.
    h.sim.inject(Route::Create, Fault::Html(502));
    let id = h.generate(url_spec("@cafe"));
    let job = h.wait(&id, 30, |j| {
        j.state == JobState::SubmitUnknown
            && j.warning
                .as_ref()
                .is_some_and(|w| w.en.contains("not shown up"))
    });
    assert_eq!(job.attempts, 1);
    assert_eq!(h.sim.counts().create_requests, 1, "never resent by itself");
    let warning = job.warning.expect("the choice is explained");
    assert!(
        !warning.en.contains("most likely nothing was created"),
        "not found never means nothing was created: {}",
        warning.en
    );
    h.engine().send(Command::SubmitAnew(id.clone()));
    h.wait_state(&id, JobState::Done, 60);
    assert_eq!(h.sim.counts().create_requests, 2);
    assert_eq!(h.sim.counts().tasks_created, 1);
    assert_eq!(h.sim.fault_hits(FaultKind::Html), 1);

    // A 200 with a 50 MB body: the app cannot tell whether a task was made,
    // so it looks in the task list and never sends the create again.
    h.sim.inject(Route::Create, Fault::Huge(50 * 1024 * 1024));
    let id = h.generate_again(url_spec("@cafe"));
    let job = h.wait(&id, 60, |j| {
        matches!(j.state, JobState::SubmitUnknown | JobState::Done)
    });
    let counts = h.sim.counts();
    assert_eq!(counts.create_requests, 3, "one create per ask: {counts:?}");
    assert_eq!(h.sim.fault_hits(FaultKind::Huge), 1);
    if job.state == JobState::SubmitUnknown {
        let warning = job.warning.expect("the choice is explained");
        assert!(!warning.en.is_empty() && !warning.zh.is_empty());
    }
}

#[test]
fn a_video_link_that_is_not_http_is_asked_for_again() {
    let mut h = harness(sim_config(Duration::from_millis(800)));
    h.sim
        .inject(Route::Query, Fault::VideoUrl("file:///etc/passwd".into()));
    let id = h.generate(url_spec("@cafe"));
    let job = h.wait_state(&id, JobState::Done, 60);
    common::assert_is_demo_video(&job.output_path.unwrap(), "downloaded");
    assert!(job.error.is_none());
    assert_eq!(h.sim.fault_hits(FaultKind::VideoUrl), 1);
}

#[test]
fn a_service_that_keeps_giving_bad_links_fails_the_job_clearly() {
    let mut h = harness(sim_config(Duration::from_millis(800)));
    let id = h.generate(url_spec("@cafe"));
    h.wait(&id, 20, |j| {
        j.state == JobState::Running || j.state == JobState::Pending
    });
    for _ in 0..20 {
        h.sim.inject(
            Route::Query,
            Fault::VideoUrl("ftp://example.com/v.mp4".into()),
        );
    }
    let job = h.wait_state(&id, JobState::Failed, 60);
    let error = job.error.expect("an error");
    assert_eq!(error.code, "BadVideoLink");
    assert!(!error.advice.en.is_empty() && !error.advice.zh.is_empty());
    assert_eq!(
        h.sim.counts().downloads,
        0,
        "nothing but http(s) is fetched"
    );
    assert!(h.sim.fault_hits(FaultKind::VideoUrl) >= 2, "asked again");
}

#[test]
fn a_redirect_loop_on_the_download_warns_and_keeps_the_job() {
    let mut h = harness(sim_config(Duration::from_millis(800)));
    h.sim.inject(Route::Download, Fault::RedirectLoop);
    let id = h.generate(url_spec("@cafe"));
    let job = h.wait(&id, 60, |j| {
        j.warning.is_some() && j.state == JobState::Downloading
    });
    let warning = job.warning.unwrap();
    assert!(warning.en.contains("keeps trying"), "{}", warning.en);
    assert!(!warning.zh.is_empty());
    assert!(job.error.is_none(), "the job is not lost");
    assert!(job.task_id.is_some());
    assert!(h.sim.fault_hits(FaultKind::RedirectLoop) >= 1);
}

/// The create requests' seeds of these jobs, as journaled (the exact bodies sent).
fn sent_seeds(h: &Harness, ids: &[JobId]) -> Vec<Option<u32>> {
    ids.iter()
        .map(|id| h.jobs[id].request.as_ref().unwrap().parameters.seed)
        .collect()
}

#[test]
fn three_takes_are_journaled_together_then_make_exactly_three_tasks_with_their_own_seeds() {
    let mut h = harness(sim_config(Duration::from_millis(800)));
    let ids = h
        .engine()
        .generate_takes(url_spec("@cafe 三个镜次"), None, 3);
    // The three jobs are reported as journaled, all still queued, before any of
    // them moves on.
    let mut first = Vec::new();
    while first.len() < 3 {
        if let Event::Job(job) = h.next_event(10) {
            assert_eq!(job.state, JobState::Queued, "{:?} moved first", job.id);
            first.push(job.id.clone());
            h.absorb(Event::Job(job));
        }
    }
    assert_eq!(first, ids, "every take journaled before any is sent");
    for id in &ids {
        h.wait_state(id, JobState::Done, 30);
    }
    let counts = h.sim.counts();
    assert_eq!(counts.create_requests, 3, "one create per take, no more");
    assert_eq!(counts.tasks_created, 3);

    let seeds = sent_seeds(&h, &ids);
    assert!(seeds.iter().all(Option::is_some), "{seeds:?}");
    let distinct: std::collections::HashSet<_> = seeds.iter().collect();
    assert_eq!(distinct.len(), 3, "each take its own seed: {seeds:?}");

    let sets: Vec<_> = ids
        .iter()
        .map(|id| h.jobs[id].take_set.clone().unwrap())
        .collect();
    assert!(
        sets.iter()
            .all(|s| s.id == sets[0].id && s.of == 3 && s.drawn_seed)
    );
    assert_eq!(sets.iter().map(|s| s.index).collect::<Vec<_>>(), [1, 2, 3]);

    // Three videos, each with a sidecar naming its take.
    let mut indexes = Vec::new();
    for id in &ids {
        let job = &h.jobs[id];
        assert!(job.output_path.as_ref().unwrap().exists());
        let sidecar: serde_json::Value =
            serde_json::from_slice(&std::fs::read(job.sidecar_path.as_ref().unwrap()).unwrap())
                .unwrap();
        assert_eq!(sidecar["take_set"]["id"], sets[0].id.as_str());
        assert_eq!(sidecar["take_set"]["of"], 3);
        indexes.push(sidecar["take_set"]["index"].as_u64().unwrap());
    }
    assert_eq!(indexes, [1, 2, 3]);
    let mp4s = files_in(&h.out())
        .into_iter()
        .filter(|f| f.ends_with(".mp4"))
        .count();
    assert_eq!(mp4s, 3);
}

#[test]
fn a_fixed_seed_is_shared_by_every_take() {
    let mut h = harness(sim_config(Duration::from_millis(500)));
    let mut s = url_spec("@cafe same seed");
    s.seed = Seed::Fixed(4242);
    let ids = h.engine().generate_takes(s, None, 2);
    for id in &ids {
        h.wait_state(id, JobState::Done, 30);
    }
    assert_eq!(sent_seeds(&h, &ids), [Some(4242), Some(4242)]);
    assert!(ids.iter().all(|id| {
        let set = h.jobs[id].take_set.clone().unwrap();
        !set.drawn_seed && set.of == 2
    }));
    assert_eq!(h.sim.counts().create_requests, 2);
}

#[test]
fn a_set_of_takes_that_cannot_be_journaled_whole_sends_nothing() {
    let mut h = harness(sim_config(Duration::from_millis(500)));
    let existing = h.generate(url_spec("@cafe first"));
    h.wait_state(&existing, JobState::Done, 30);
    assert_eq!(h.sim.counts().create_requests, 1);

    // Two new takes and one whose id is already in the journal: the write fails,
    // so none of the three exists and nothing is sent.
    let fresh = [JobId::new(), JobId::new()];
    h.engine().send(Command::Generate {
        ids: vec![fresh[0].clone(), fresh[1].clone(), existing.clone()],
        spec: url_spec("@cafe clash"),
        output_dir: None,
        allow: Allow::default(),
    });
    let mut refused = Vec::new();
    while refused.len() < 3 {
        match h.next_event(10) {
            Event::NotJournaled { id, .. } => refused.push(id),
            Event::Job(job) => assert_eq!(job.id, existing, "no take may start: {job:?}"),
            other => h.absorb(other),
        }
    }
    assert!(refused.contains(&fresh[0]) && refused.contains(&fresh[1]));

    // Too many takes, or an id given twice, are refused before anything is made.
    let five: Vec<JobId> = (0..5).map(|_| JobId::new()).collect();
    h.engine().send(Command::Generate {
        ids: five.clone(),
        spec: url_spec("@cafe five"),
        output_dir: None,
        allow: Allow::default(),
    });
    let twice = JobId::new();
    h.engine().send(Command::Generate {
        ids: vec![twice.clone(), twice.clone()],
        spec: url_spec("@cafe twice"),
        output_dir: None,
        allow: Allow::default(),
    });
    let mut rejected = Vec::new();
    while rejected.len() < 2 {
        match h.next_event(10) {
            Event::Rejected { id, problems } => {
                assert_eq!(problems[0].code, "takes.out_of_range");
                rejected.push(id);
            }
            Event::Job(job) => panic!("nothing may be journaled: {job:?}"),
            other => h.absorb(other),
        }
    }
    assert_eq!(rejected, [five[0].clone(), twice]);

    // A job sent afterwards is the next create: nothing of the above went out.
    let after = h.generate(url_spec("@cafe after"));
    h.wait_state(&after, JobState::Done, 30);
    assert_eq!(h.sim.counts().create_requests, 2);
    let store =
        r2v_studio::engine::store::Store::open(&h.dir.path().join("data").join("jobs.sqlite"))
            .unwrap();
    assert!(store.get(&fresh[0]).unwrap().is_none());
    assert_eq!(store.all().unwrap().len(), 2);
}

/// A retry is a new paid task: the budget caps hold it like a Generate (the
/// duplicate guard does not: a retry repeats its job on purpose).
#[test]
fn a_retry_over_the_daily_cap_is_refused_unless_sent_over_budget() {
    let settings = tempfile::tempdir().unwrap();
    let mut h = Harness::start(sim_config(Duration::from_secs(2)), |c| {
        c.settings_dir = Some(settings.path().to_path_buf());
    });
    let first = h.generate(url_spec("@cafe one to retry"));
    h.wait_state(&first, JobState::Done, 30);
    // Retrying the same setup under no cap: sent, although it repeats.
    let again = JobId::new();
    h.engine().send(Command::Retry {
        from: first.clone(),
        new_id: again.clone(),
        over_budget: false,
    });
    h.wait_state(&again, JobState::Done, 30);
    assert_eq!(h.sim.counts().create_requests, 2);

    let mut capped = r2v_studio::settings::Settings::default();
    capped.budget.daily = Some(0.5);
    capped.save(settings.path()).unwrap();
    let refused = JobId::new();
    h.engine().send(Command::Retry {
        from: first.clone(),
        new_id: refused.clone(),
        over_budget: false,
    });
    h.run_until(10, "the retry refused", |h| !h.refused.is_empty());
    assert_eq!(h.refused, vec![vec![refused.clone()]]);
    assert!(!h.jobs.contains_key(&refused), "nothing journaled");
    assert_eq!(h.sim.counts().create_requests, 2, "nothing sent");

    let anyway = JobId::new();
    h.engine().send(Command::Retry {
        from: first,
        new_id: anyway.clone(),
        over_budget: true,
    });
    h.wait_state(&anyway, JobState::Done, 30);
    assert_eq!(h.sim.counts().create_requests, 3, "sent once, as asked");
    assert_eq!(h.refused.len(), 1);
}

#[test]
fn retrying_a_take_makes_one_new_job_in_its_set_with_a_new_seed() {
    let mut h = harness(sim_config(Duration::from_millis(500)));
    let ids = h
        .engine()
        .generate_takes(url_spec("@cafe retry one"), None, 2);
    for id in &ids {
        h.wait_state(id, JobState::Done, 30);
    }
    let again = JobId::new();
    h.engine().send(Command::Retry {
        from: ids[1].clone(),
        new_id: again.clone(),
        over_budget: false,
    });
    let job = h.wait_state(&again, JobState::Done, 30);
    assert_eq!(h.sim.counts().create_requests, 3, "exactly one more task");
    let set = job.take_set.clone().unwrap();
    let original = h.jobs[&ids[1]].take_set.clone().unwrap();
    assert_eq!(
        (set.id.as_str(), set.index, set.of),
        (original.id.as_str(), 2, 2)
    );
    assert_eq!(job.retry_of.as_ref(), Some(&ids[1]));
    let seeds = sent_seeds(&h, &[ids[1].clone(), again]);
    assert_ne!(seeds[0], seeds[1], "a drawn seed is drawn again");
}
