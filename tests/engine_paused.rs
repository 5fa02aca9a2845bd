//! The job engine against the simulator under tokio's paused time: the cases that
//! take hours or days on the service (a 3-hour task, a link used a day later, the
//! 48-hour upload window, a PC clock that is wrong or jumps) run in milliseconds.
//!
//! Engine, simulator and test share one current-thread runtime whose clock only
//! moves when everything is idle, and the engine reads its time from
//! [`Clock::following_tokio`].

mod common;

use r2v_studio::api::ApiKey;
use r2v_studio::core::{GenerationSpec, Model, RefSource, Reference, Seed};
use r2v_studio::engine::{
    Clock, Command, Engine, EngineConfig, Event, EventSink, Job, JobId, JobState, MAX_NOTE_CHARS,
    Review,
};
use r2v_studio::sim::{DEMO_VIDEO, Fault, FaultKind, ForeignTask, Route, SimConfig, Simulator};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::Duration;

const KEY: &str = "sk-paused-test-7a6b5c4d";
const HOUR: Duration = Duration::from_secs(3600);

struct Paused {
    sim: Simulator,
    engine: Option<Engine>,
    events: Receiver<Event>,
    clock: Clock,
    dir: tempfile::TempDir,
    jobs: HashMap<JobId, Job>,
    notices: Vec<String>,
}

fn sim_config(task: Duration) -> SimConfig {
    let mut c = SimConfig::default().with_task_duration(task);
    c.api_key = KEY.into();
    c
}

impl Paused {
    async fn new(sim: SimConfig) -> Paused {
        let sim = Simulator::start(sim, 0).await.unwrap();
        let mut p = Paused {
            sim,
            engine: None,
            events: std::sync::mpsc::channel().1,
            clock: Clock::following_tokio(),
            dir: tempfile::tempdir().unwrap(),
            jobs: HashMap::new(),
            notices: Vec::new(),
        };
        p.start_engine();
        p
    }

    fn config(&self) -> EngineConfig {
        let mut c = EngineConfig::new(
            self.sim.base_url(),
            ApiKey::new(KEY),
            self.dir.path().join("data"),
            self.dir.path().join("out"),
        );
        c.request_timeout = Duration::from_secs(30);
        c
    }

    fn start_engine(&mut self) {
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = EventSink::new(tx, Arc::new(|| {}));
        self.engine = Some(Engine::spawn_here(self.config(), sink, self.clock.clone()).unwrap());
        self.events = rx;
    }

    async fn stop_engine(&mut self) {
        if let Some(engine) = self.engine.take() {
            engine.stop_task().await;
        }
        self.drain();
    }

    fn engine(&self) -> &Engine {
        self.engine.as_ref().unwrap()
    }

    fn drain(&mut self) {
        while let Ok(event) = self.events.try_recv() {
            match event {
                Event::Job(job) => {
                    self.jobs.insert(job.id.clone(), *job);
                }
                Event::Notice { message, .. } => self.notices.push(message.en),
                _ => {}
            }
        }
    }

    /// Waits (in the runtime's time) until `id` satisfies `done`.
    async fn wait(&mut self, id: &JobId, limit: Duration, done: impl Fn(&Job) -> bool) -> Job {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            self.drain();
            if let Some(job) = self.jobs.get(id)
                && done(job)
            {
                return job.clone();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out; job is {:#?}",
                self.jobs.get(id)
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    async fn wait_state(&mut self, id: &JobId, state: JobState, limit: Duration) -> Job {
        let job = self
            .wait(id, limit, |j| j.state == state || j.state.is_final())
            .await;
        assert_eq!(
            job.state, state,
            "the job ended otherwise: {:#?}",
            job.error
        );
        job
    }

    fn image(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        let img = image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8, y as u8, 9]));
        img.save(&path).unwrap();
        path
    }
}

fn spec(source: RefSource, prompt: &str) -> GenerationSpec {
    GenerationSpec {
        model: Model::C1,
        references: vec![Reference {
            name: "cafe".into(),
            source,
        }],
        prompt: prompt.into(),
        seed: Seed::Fixed(7),
        ..GenerationSpec::default()
    }
}

fn url_spec(prompt: &str) -> GenerationSpec {
    spec(
        RefSource::Url("https://example.com/cafe.jpg".into()),
        prompt,
    )
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_three_hour_task_is_followed_to_the_end_in_paused_time() {
    let mut p = Paused::new(sim_config(3 * HOUR)).await;
    let id = p.engine().generate(url_spec("@cafe, a long one"), None);
    let job = p.wait_state(&id, JobState::Done, 4 * HOUR).await;
    common::assert_is_demo_video(&job.output_path.unwrap(), "three hours");
    let counts = p.sim.counts();
    assert_eq!(counts.tasks_created, 1);
    // The schedule asks every 20 s once a task runs four times longer than
    // expected: about 540 queries in three hours, a quarter of the SDK's steady 5 s.
    assert!(counts.queries < 650, "{counts:?}");
    p.stop_engine().await;
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_clock_that_jumps_a_day_never_expires_a_live_task() {
    let mut p = Paused::new(sim_config(20 * 60 * Duration::from_secs(1))).await;
    let id = p.engine().generate(url_spec("@cafe at noon"), None);
    p.wait(&id, HOUR, |j| j.state == JobState::Running).await;
    // The PC's clock jumps a day ahead: the task is 24 h old by that clock.
    p.clock.set_skew_ms(25 * 3600 * 1000);
    let job = p.wait_state(&id, JobState::Done, 2 * HOUR).await;
    assert!(job.error.is_none());
    p.stop_engine().await;
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_download_resumed_a_day_after_the_task_began_still_finishes() {
    let mut sim = sim_config(2 * HOUR);
    // Slow enough to stop the app in the middle of the download.
    sim.download_bytes_per_sec = Some(DEMO_VIDEO.len() as u64 / 20);
    let mut p = Paused::new(sim).await;
    let id = p.engine().generate(url_spec("@cafe at dusk"), None);
    let job = p
        .wait(&id, 3 * HOUR, |j| {
            j.state == JobState::Downloading && j.video_bytes.is_some()
        })
        .await;
    // The simulator sends 64 KiB chunks: the first is in after about 12 s.
    tokio::time::sleep(Duration::from_secs(15)).await;
    p.stop_engine().await;
    let part = {
        let mut name = job.output_path.clone().unwrap().into_os_string();
        name.push(".part");
        PathBuf::from(name)
    };
    let had = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    assert!(had > 0 && had < DEMO_VIDEO.len() as u64, "{had}");
    // 23 hours later (25 h after the task began): the task id is forgotten by the
    // service, but the link, valid 24 h from when it was given, still works.
    tokio::time::sleep(23 * HOUR).await;
    p.start_engine();
    let job = p.wait_state(&id, JobState::Done, HOUR).await;
    common::assert_is_demo_video(&job.output_path.unwrap(), "resumed");
    assert_eq!(p.sim.counts().tasks_created, 1);
    p.stop_engine().await;
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn an_upload_is_reused_within_48_hours_and_made_again_after() {
    let mut p = Paused::new(sim_config(Duration::from_secs(60))).await;
    let photo = p.image("cafe.png");
    let first = p
        .engine()
        .generate(spec(RefSource::Local(photo.clone()), "@cafe one"), None);
    p.wait_state(&first, JobState::Done, HOUR).await;
    assert_eq!(p.sim.counts().uploads, 1);

    tokio::time::sleep(40 * HOUR).await;
    let second = p
        .engine()
        .generate(spec(RefSource::Local(photo.clone()), "@cafe two"), None);
    p.wait_state(&second, JobState::Done, HOUR).await;
    assert_eq!(p.sim.counts().uploads, 1, "reused at 40 h");

    tokio::time::sleep(10 * HOUR).await;
    let third = p
        .engine()
        .generate(spec(RefSource::Local(photo), "@cafe three"), None);
    p.wait_state(&third, JobState::Done, HOUR).await;
    assert_eq!(p.sim.counts().uploads, 2, "uploaded again after 48 h");
    p.stop_engine().await;
}

/// A PC clock that is 8 s fast or 90 s slow still finds its own task after an
/// unclear create (the old window was −5 s / +60 s around the PC's clock).
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_wrong_pc_clock_still_finds_its_own_task_after_an_unclear_create() {
    for skew_ms in [8_000, -90_000] {
        let mut p = Paused::new(sim_config(Duration::from_secs(90))).await;
        p.clock.set_skew_ms(skew_ms);
        p.sim.inject(Route::Create, Fault::Drop);
        let id = p.engine().generate(url_spec("@cafe, clock test"), None);
        let job = p.wait_state(&id, JobState::Done, HOUR).await;
        assert_eq!(job.attempts, 1, "skew {skew_ms}");
        let counts = p.sim.counts();
        assert_eq!((counts.create_requests, counts.tasks_created), (1, 1));
        assert!(counts.lists >= 1);
        p.stop_engine().await;
    }
}

/// Another program on the same account made a task of the same model at the same
/// time; this job's own create made nothing. The stranger's task is never taken as
/// this job's video.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn someone_elses_task_in_the_window_is_not_adopted() {
    let mut p = Paused::new(sim_config(Duration::from_secs(120))).await;
    let client = r2v_studio::api::Client::new(r2v_studio::api::ClientConfig::new(
        p.sim.base_url(),
        ApiKey::new(KEY).unwrap(),
    ))
    .unwrap();
    let other = url_spec("@cafe, somebody else's idea");
    let body = r2v_studio::api::CreateTaskRequest::from_spec(
        &other,
        &["https://example.com/cafe.jpg".to_string()],
    )
    .unwrap();
    let stranger = client.create(&body).await.unwrap().task_id;
    // This job's create is answered by a gateway page: nothing was made.
    p.sim.inject(Route::Create, Fault::Html(502));
    let id = p.engine().generate(url_spec("@cafe, my own idea"), None);
    let job = p
        .wait(&id, 2 * HOUR, |j| {
            j.state == JobState::SubmitUnknown
                && j.warning
                    .as_ref()
                    .is_some_and(|w| w.en.contains("someone else"))
        })
        .await;
    let _ = &stranger;
    assert_eq!(job.task_id, None);
    assert!(job.output_path.is_none(), "no video of someone else's");
    let warning = job.warning.unwrap().en;
    assert!(warning.contains("someone else"), "{warning}");
    assert_eq!(
        p.sim.counts().create_requests,
        2,
        "this job's create was never resent"
    );
    p.stop_engine().await;
}

/// Cancel during the create call waits for its answer, then cancels the PENDING
/// task on the service: a task that may exist is never journaled as Canceled
/// without the service saying so.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn cancel_during_the_create_waits_for_the_answer_then_cancels_on_the_service() {
    let mut sim = sim_config(Duration::from_secs(600));
    sim.hang = Duration::from_secs(20);
    let mut p = Paused::new(sim).await;
    p.sim.inject(Route::Create, Fault::Hang);
    let id = p.engine().generate(url_spec("@cafe, cancel me"), None);
    p.wait(&id, HOUR, |j| j.state == JobState::Submitting).await;
    p.engine().send(Command::Cancel(id.clone()));
    tokio::time::sleep(Duration::from_secs(1)).await;
    p.drain();
    assert_eq!(
        p.jobs[&id].state,
        JobState::Submitting,
        "the create is waited for"
    );
    let job = p.wait_state(&id, JobState::Canceled, HOUR).await;
    assert!(job.task_id.is_some(), "the task that was made is known");
    let counts = p.sim.counts();
    assert_eq!((counts.tasks_created, counts.cancels), (1, 1));
    p.stop_engine().await;
}

/// The output folder vanishes while the video downloads: it is made again and the
/// download finishes; a folder that cannot be made is said at once on the job.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_vanished_output_folder_is_made_again_and_a_blocked_one_is_reported_at_once() {
    let mut sim = sim_config(Duration::from_secs(60));
    sim.download_bytes_per_sec = Some(DEMO_VIDEO.len() as u64 / 10);
    let mut p = Paused::new(sim).await;
    let out = p.dir.path().join("out");
    let id = p
        .engine()
        .generate(url_spec("@cafe, vanishing folder"), None);
    p.wait(&id, HOUR, |j| {
        j.state == JobState::Downloading && j.video_bytes.is_some()
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    std::fs::remove_dir_all(&out).unwrap();
    let job = p.wait_state(&id, JobState::Done, HOUR).await;
    common::assert_is_demo_video(&job.output_path.unwrap(), "resumed");

    // A file where the folder should be: the job says so without waiting.
    let blocked = p.dir.path().join("blocked");
    std::fs::write(&blocked, b"not a folder").unwrap();
    let id = p.engine().generate(
        url_spec("@cafe, blocked folder"),
        Some(blocked.join("videos")),
    );
    let job = p
        .wait(&id, HOUR, |j| {
            j.error
                .as_ref()
                .is_some_and(|e| e.code.starts_with("Output"))
        })
        .await;
    assert!(
        !job.state.is_final(),
        "the video is still on the service: {:?}",
        job.state
    );
    std::fs::remove_file(&blocked).unwrap();
    let job = p.wait_state(&id, JobState::Done, HOUR).await;
    assert!(job.error.is_none());
    p.stop_engine().await;
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_huge_reference_file_is_refused_before_it_is_read() {
    let mut p = Paused::new(sim_config(Duration::from_secs(60))).await;
    let path = p.dir.path().join("huge.jpg");
    let file = std::fs::File::create(&path).unwrap();
    // A sparse 2 GiB file: reading it whole would take 2 GB of memory.
    file.set_len(2 * 1024 * 1024 * 1024).unwrap();
    let id = p
        .engine()
        .generate(spec(RefSource::Local(path), "@cafe"), None);
    let job = p.wait_state(&id, JobState::Failed, HOUR).await;
    let error = job.error.unwrap();
    assert_eq!(error.code, "FileTooLarge");
    assert!(error.message.en.contains("2147 MB"), "{}", error.message.en);
    assert_eq!(p.sim.counts().uploads, 0);
    p.stop_engine().await;
}

/// The same, when the task list does not tell prompts: the stranger's task is
/// followed as unconfirmed, then given up once its answer shows another prompt.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn an_unconfirmed_adoption_is_given_up_when_the_task_turns_out_to_be_someone_elses() {
    let mut sim = sim_config(Duration::from_secs(120));
    sim.list_task_details = false;
    let mut p = Paused::new(sim).await;
    let client = r2v_studio::api::Client::new(r2v_studio::api::ClientConfig::new(
        p.sim.base_url(),
        ApiKey::new(KEY).unwrap(),
    ))
    .unwrap();
    let body = r2v_studio::api::CreateTaskRequest::from_spec(
        &url_spec("@cafe, somebody else's idea"),
        &["https://example.com/cafe.jpg".to_string()],
    )
    .unwrap();
    let stranger = client.create(&body).await.unwrap().task_id;
    p.sim.inject(Route::Create, Fault::Html(502));
    let id = p.engine().generate(url_spec("@cafe, my own idea"), None);
    let adopted = p.wait(&id, HOUR, |j| j.adopted == Some(false)).await;
    assert!(adopted.warning.is_some(), "shown as unconfirmed");
    let job = p
        .wait(&id, 2 * HOUR, |j| j.foreign_tasks.contains(&stranger))
        .await;
    assert_eq!(job.state, JobState::SubmitUnknown);
    assert_eq!(job.task_id, None);
    assert!(job.output_path.is_none(), "no video of someone else's");
    assert!(job.warning.unwrap().en.contains("someone else"));
    p.stop_engine().await;
}

/// A gateway's empty 504 or HTML 502 can come after the service made the task:
/// the job finds it in the list and never sends the create again.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_gateway_answer_after_the_task_was_made_is_adopted_never_resent() {
    let mut p = Paused::new(sim_config(Duration::from_secs(90))).await;
    p.sim.inject(Route::Create, Fault::GatewayEmpty(504));
    p.sim.inject(Route::Create, Fault::GatewayHtml(502));
    let first = p.engine().generate(url_spec("@cafe, first"), None);
    let a = p.wait_state(&first, JobState::Done, HOUR).await;
    let second = p.engine().generate(url_spec("@cafe, second"), None);
    let b = p.wait_state(&second, JobState::Done, HOUR).await;
    assert_eq!((a.attempts, b.attempts), (1, 1));
    assert_eq!(a.adopted, Some(true), "confirmed by its prompt");
    let counts = p.sim.counts();
    assert_eq!((counts.create_requests, counts.tasks_created), (2, 2));
    assert_eq!(p.sim.fault_hits(FaultKind::GatewayEmpty), 1);
    assert_eq!(p.sim.fault_hits(FaultKind::GatewayHtml), 1);
    p.stop_engine().await;
}

/// A create answer whose task id cannot be one is not polled for 24 h: the real
/// task is found in the list.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_create_answer_with_an_unusable_task_id_finds_the_real_task() {
    let mut p = Paused::new(sim_config(Duration::from_secs(90))).await;
    p.sim
        .inject(Route::Create, Fault::TaskId("../../x y".into()));
    let id = p.engine().generate(url_spec("@cafe, odd id"), None);
    let job = p.wait_state(&id, JobState::Done, HOUR).await;
    assert_eq!(job.attempts, 1);
    let task = job.task_id.unwrap();
    assert!(r2v_studio::api::is_task_id(&task), "{task}");
    assert_eq!(p.sim.task_ids(), vec![task]);
    assert_eq!(p.sim.fault_hits(FaultKind::TaskId), 1);
    p.stop_engine().await;
}

/// The service's clock is ahead or behind the PC's: read from its `Date` header,
/// with another program's task of the same model a moment later in the list.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn the_services_clock_is_read_from_its_answers_and_a_neighbours_task_is_told_apart() {
    for offset_secs in [90, -8] {
        let mut sim = sim_config(Duration::from_secs(90));
        sim.clock_offset = time::Duration::seconds(offset_secs);
        sim.foreign_tasks = vec![ForeignTask::default()];
        let mut p = Paused::new(sim).await;
        p.sim.inject(Route::Create, Fault::Drop);
        let id = p.engine().generate(url_spec("@cafe, clocks"), None);
        let job = p.wait_state(&id, JobState::Done, HOUR).await;
        assert_eq!(job.attempts, 1);
        assert_eq!(job.task_id.as_ref(), p.sim.task_ids().first());
        assert!(p.sim.fault_hits(FaultKind::ClockOffset) > 0);
        assert_eq!(p.sim.fault_hits(FaultKind::ForeignTask), 1);
        p.stop_engine().await;
    }
}

/// Downloads: a partial answer without `Content-Range`, or starting elsewhere than
/// asked, is thrown away and the download starts over; a web page served as the
/// video is refused; a link announcing 50 GiB is not followed. Each ends with the
/// exact video.
#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn download_answers_that_do_not_fit_never_end_as_a_broken_video() {
    let cases: Vec<(Vec<Fault>, FaultKind)> = vec![
        (
            vec![Fault::Cut, Fault::NoContentRange],
            FaultKind::NoContentRange,
        ),
        (
            vec![Fault::Cut, Fault::RangeStartsAt(10)],
            FaultKind::RangeStartsAt,
        ),
        (
            vec![Fault::HtmlInsteadOfVideo],
            FaultKind::HtmlInsteadOfVideo,
        ),
        (
            vec![Fault::AbsurdLength(50 * 1024 * 1024 * 1024)],
            FaultKind::AbsurdLength,
        ),
    ];
    for (faults, kind) in cases {
        let mut p = Paused::new(sim_config(Duration::from_secs(60))).await;
        for fault in faults {
            p.sim.inject(Route::Download, fault);
        }
        let id = p.engine().generate(url_spec("@cafe, download"), None);
        let job = p.wait_state(&id, JobState::Done, HOUR).await;
        let video = job.output_path.unwrap();
        common::assert_is_demo_video(&video, &format!("{kind:?}"));
        assert_eq!(p.sim.fault_hits(kind), 1, "{kind:?}");
        assert_eq!(p.sim.pending_faults(), 0);
        let names: Vec<_> = std::fs::read_dir(video.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "only the video and its sidecar: {names:?}");
        p.stop_engine().await;
    }
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn a_star_and_a_note_are_journaled_for_a_finished_job_and_refused_while_it_runs() {
    let mut p = Paused::new(sim_config(Duration::from_secs(60))).await;
    let id = p.engine().generate(url_spec("@cafe with a star"), None);
    p.wait(&id, HOUR, |j| j.state == JobState::Running).await;
    // Under way: left as it is, and the user is told why.
    p.engine().send(Command::Review {
        id: id.clone(),
        review: Review {
            starred: true,
            note: "too early".into(),
        },
    });
    let done = p.wait_state(&id, JobState::Done, HOUR).await;
    assert!(done.review.is_empty(), "{:?}", done.review);
    assert!(
        p.notices.iter().any(|n| n.contains("has not finished yet")),
        "{:?}",
        p.notices
    );
    // Finished: kept, with the note on one line and cut at the limit.
    let long = format!("the  light\non the cups is right {}", "好".repeat(600));
    p.engine().send(Command::Review {
        id: id.clone(),
        review: Review {
            starred: true,
            note: long,
        },
    });
    let reviewed = p.wait(&id, HOUR, |j| j.review.starred).await;
    assert!(
        reviewed
            .review
            .note
            .starts_with("the light on the cups is right 好")
    );
    assert_eq!(reviewed.review.note.chars().count(), MAX_NOTE_CHARS);
    // It is in the journal: a new engine on the same data folder has it.
    p.stop_engine().await;
    p.jobs.clear();
    p.start_engine();
    p.engine().send(Command::LoadHistory);
    let mut history = None;
    for _ in 0..100 {
        if let Ok(Event::History(jobs)) = p.events.try_recv() {
            history = Some(jobs);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let history = history.expect("the history came");
    let journaled = history.iter().find(|j| j.id == id).unwrap();
    assert_eq!(journaled.review, reviewed.review);
    assert_eq!(p.sim.counts().tasks_created, 1, "a review sends nothing");
    p.stop_engine().await;
}
