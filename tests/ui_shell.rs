//! The eframe shell: what runs in `logic` (also while the window is hidden),
//! and asking before closing with unsaved changes, asked the way a user asks
//! (the window's close button: a close request on the viewport).

use egui::{RawInput, ViewportCommand, ViewportEvent, ViewportId};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use r2v_studio::api::ApiKey;
use r2v_studio::core::{Lang, RefSource};
use r2v_studio::engine::{Engine, Event, Job, JobState};
use r2v_studio::settings::{Settings, Theme};
use r2v_studio::sim::{SimConfig, Simulator};
use r2v_studio::ui::app::AppState;
use r2v_studio::ui::notify::RecordedNotifications;
use r2v_studio::ui::shell::App;
use std::time::{Duration, Instant};

mod common;

/// Input of a frame while the window is minimised.
fn minimised() -> RawInput {
    let mut input = RawInput::default();
    input
        .viewports
        .entry(ViewportId::ROOT)
        .or_default()
        .minimized = Some(true);
    input
}

/// What eframe does while the window is hidden: `logic` only, no egui pass.
fn hidden_frame(ctx: &egui::Context, app: &mut App, frame: &mut eframe::Frame) {
    let _output = ctx.run_logic(&minimised(), |ctx| eframe::App::logic(app, ctx, frame));
}

#[test]
fn a_finished_job_event_raises_a_notification_in_logic_alone() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = egui::Context::default();
    let (events, tx) = common::event_channel(&ctx);
    let notifications = RecordedNotifications::default();
    let state = AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into());
    let wiring = common::wiring(dir.path(), "http://127.0.0.1:9/api/v1");
    let mut app =
        App::new(&ctx, state, None, events, wiring, None).with_notifier(notifications.clone());
    let mut frame = eframe::Frame::_new_kittest();

    let mut job = Job::new(
        r2v_studio::core::GenerationSpec::default(),
        "/tmp/out".into(),
        1,
    );
    tx.send(Event::Job(Box::new(job.clone()))).unwrap();
    hidden_frame(&ctx, &mut app, &mut frame);
    assert!(
        notifications.raised().is_empty(),
        "a job that starts is no news"
    );
    job.set_state(JobState::Done, 2);
    job.output_path = Some("/tmp/out/video.mp4".into());
    tx.send(Event::Job(Box::new(job))).unwrap();
    hidden_frame(&ctx, &mut app, &mut frame);
    let raised = notifications.raised();
    assert_eq!(raised.len(), 1, "{raised:?}");
    assert!(raised[0].0.contains("Done"), "{raised:?}");
    assert!(raised[0].1.contains("/tmp/out/video.mp4"), "{raised:?}");
    assert_eq!(ctx.cumulative_pass_nr(), 0, "no ui pass ran");
}

#[test]
fn a_job_sent_before_minimising_notifies_when_it_finishes_with_no_ui_call_at_all() {
    const KEY: &str = "sk-ui-shell-test-0000000000000000";
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut sim = SimConfig::default().with_task_duration(Duration::from_secs(1));
    sim.api_key = KEY.into();
    let sim = rt.block_on(Simulator::start(sim, 0)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ctx = egui::Context::default();
    let (events, _) = common::event_channel(&ctx);
    let mut wiring = common::wiring(dir.path(), &sim.base_url());
    wiring.config.api_key = ApiKey::new(KEY);
    wiring.config.expected_generation = Some(Duration::from_secs(1));
    wiring.config.max_poll_interval = Duration::from_millis(500);
    let engine = Engine::start(wiring.config.clone(), events.0.clone()).unwrap();
    let notifications = RecordedNotifications::default();
    let mut state = AppState::new(Lang::En, sim.base_url());
    state.project.saved_spec = state.editor.spec();
    let mut app = App::new(
        &ctx,
        state,
        Some(r2v_studio::engine::Handle::Own(engine)),
        events,
        wiring,
        None,
    )
    .with_notifier(notifications.clone());
    let mut frame = eframe::Frame::_new_kittest();

    // The user pressed Generate, then minimised the window.
    let editor = &mut app.state.editor;
    editor.add_sources(vec![RefSource::Url("https://example.com/cafe.jpg".into())]);
    editor.prompt = "@cafe 走".into();
    editor.params.duration = 5;
    editor.generate();
    assert!(editor.problems.is_empty(), "{:?}", editor.problems);

    let deadline = Instant::now() + Duration::from_secs(60);
    while notifications.raised().is_empty() {
        assert!(
            Instant::now() < deadline,
            "no notification within a minute; toasts: {:?}",
            app.state.toasts
        );
        hidden_frame(&ctx, &mut app, &mut frame);
        std::thread::sleep(Duration::from_millis(50));
    }
    let raised = notifications.raised();
    assert!(raised[0].0.contains("Done"), "{raised:?}");
    assert!(raised[0].1.contains(".mp4"), "the video's path: {raised:?}");
    assert_eq!(ctx.cumulative_pass_nr(), 0, "no ui pass ever ran");
    assert!(
        app.state
            .jobs
            .jobs
            .iter()
            .any(|j| j.state == JobState::Done),
        "the jobs panel's state is up to date for when the window shows again"
    );
    eframe::App::on_exit(&mut app);
}

/// Clicks the window's close button: a close request on the root viewport.
fn ask_to_close(h: &mut Harness<'static, App>) {
    h.input_mut()
        .viewports
        .entry(ViewportId::ROOT)
        .or_default()
        .events
        .push(ViewportEvent::Close);
}

/// Runs one frame; the viewport commands it sent.
fn step(h: &mut Harness<'static, App>) -> Vec<ViewportCommand> {
    h.step();
    h.output()
        .viewport_output
        .get(&ViewportId::ROOT)
        .map(|v| v.commands.clone())
        .unwrap_or_default()
}

/// Runs frames until the window is told to close (`true`) or `frames` pass.
fn closes_within(h: &mut Harness<'static, App>, frames: usize) -> bool {
    (0..frames).any(|_| step(h).contains(&ViewportCommand::Close))
}

fn unsaved() -> AppState {
    let mut state = AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into());
    state.editor.prompt = "a change not saved yet".into();
    state
}

#[test]
fn closing_with_unsaved_changes_asks_and_cancel_keeps_the_window() {
    let mut shell = common::shell(unsaved());
    let h = &mut shell.harness;
    h.run();
    assert!(h.query_by_label("Save your changes?").is_none());
    ask_to_close(h);
    let commands = step(h);
    assert!(
        commands.contains(&ViewportCommand::CancelClose),
        "the close is held back: {commands:?}"
    );
    h.run();
    assert!(h.query_by_label("Save your changes?").is_some());
    h.get_by_label("Cancel").click();
    assert!(!closes_within(h, 5), "cancel keeps the window");
    h.run();
    assert!(h.query_by_label("Save your changes?").is_none());
    assert_eq!(h.state().state.editor.prompt, "a change not saved yet");

    // Asked again, it asks again.
    ask_to_close(h);
    assert!(step(h).contains(&ViewportCommand::CancelClose));
    h.run();
    assert!(h.query_by_label("Save your changes?").is_some());
}

#[test]
fn closing_without_saving_lets_the_window_go() {
    let mut shell = common::shell(unsaved());
    let h = &mut shell.harness;
    h.run();
    ask_to_close(h);
    step(h);
    h.run();
    h.get_by_label("Don't save").click();
    assert!(closes_within(h, 5), "the window is closed");
    // eframe asks once more when the window goes: this time it is let through.
    ask_to_close(h);
    let commands = step(h);
    assert!(
        !commands.contains(&ViewportCommand::CancelClose),
        "{commands:?}"
    );
}

#[test]
fn save_then_close_writes_the_project_before_the_window_goes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.r2v.json");
    let mut state = unsaved();
    state.project.path = Some(file.clone());
    let mut shell = common::shell(state);
    let h = &mut shell.harness;
    h.run();
    ask_to_close(h);
    step(h);
    h.run();
    h.get_by_label("Save").click();
    // The save runs on the worker thread: wait for it (a positive check).
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut closed = false;
    while !closed && Instant::now() < deadline {
        closed = step(h).contains(&ViewportCommand::Close);
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(closed, "the window closes once saved");
    let saved = std::fs::read_to_string(&file).expect("the project was written");
    assert!(saved.contains("a change not saved yet"));
    assert!(!h.state().state.unsaved());
}

#[test]
fn a_project_file_given_at_start_opens_as_the_project_as_a_double_click_in_a_file_manager_does() {
    // The launcher runs `r2v-studio %f`: the project file is the only argument.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("雨天海报.r2v.json");
    let spec = r2v_studio::core::GenerationSpec {
        references: vec![r2v_studio::core::Reference {
            name: "cafe".into(),
            source: RefSource::Url("https://example.com/cafe.png".into()),
        }],
        prompt: "@cafe 窗外下着小雨".into(),
        duration: 8,
        ..Default::default()
    };
    r2v_studio::project::Project::new(spec.clone())
        .save(&file)
        .unwrap();
    let mut state = AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into());
    state.open_arguments(vec![file.clone()]);
    let mut shell = common::shell(state);
    let h = &mut shell.harness;
    // The file is read on the worker thread: wait for it (a positive check).
    let deadline = Instant::now() + Duration::from_secs(20);
    while h.state().state.project.path.is_none() {
        assert!(
            Instant::now() < deadline,
            "the project did not open; toasts {:?}",
            h.state().state.toasts
        );
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    // The window draws it (its thumbnail stays a spinner: no engine here).
    h.step();
    let state = &h.state().state;
    assert_eq!(state.project.path.as_deref(), Some(file.as_path()));
    assert_eq!(state.editor.spec(), spec);
    assert_eq!(state.editor.slots.len(), 1, "the project is not a picture");
    assert!(
        !state.unsaved(),
        "a project just opened has nothing to save"
    );
    assert_eq!(state.project.recent, vec![file]);
}

#[test]
fn closing_with_nothing_unsaved_does_not_ask() {
    let mut shell = common::shell(AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into()));
    let h = &mut shell.harness;
    h.run();
    ask_to_close(h);
    let commands = step(h);
    assert!(
        !commands.contains(&ViewportCommand::CancelClose),
        "{commands:?}"
    );
    h.run();
    assert!(h.query_by_label("Save your changes?").is_none());
}

/// Runs hidden frames until `done` (at most a minute).
fn frames_until(
    ctx: &egui::Context,
    app: &mut App,
    frame: &mut eframe::Frame,
    what: &str,
    done: impl Fn(&App) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(app) {
        assert!(
            Instant::now() < deadline,
            "{what}: not within a minute; toasts {:?}",
            app.state.toasts
        );
        hidden_frame(ctx, app, frame);
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_second_window_sends_its_jobs_to_the_running_engine_and_takes_over_when_that_one_closes() {
    use r2v_studio::engine::EventSink;
    use r2v_studio::engine::Handle;
    const KEY: &str = "sk-second-window-9c8d7e";
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut sim = SimConfig::default().with_task_duration(Duration::from_secs(1));
    sim.api_key = KEY.into();
    let sim = rt.block_on(Simulator::start(sim, 0)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut wiring = common::wiring(dir.path(), &sim.base_url());
    wiring.config.api_key = ApiKey::new(KEY);
    wiring.config.expected_generation = Some(Duration::from_secs(1));
    wiring.config.max_poll_interval = Duration::from_millis(500);
    // The first window (its engine, and the events it hears).
    let (first_tx, first_events) = std::sync::mpsc::channel();
    let first = Engine::start(
        wiring.config.clone(),
        EventSink::new(first_tx, std::sync::Arc::new(|| {})),
    )
    .unwrap();
    common::wait_for_engine(&dir.path().join("data"));
    // The second window finds it and becomes its client.
    let ctx = egui::Context::default();
    let (events, _) = common::event_channel(&ctx);
    let link = Handle::start(&wiring.config, &events.0, true).unwrap();
    assert!(link.is_client());
    let notifications = RecordedNotifications::default();
    let state = AppState::new(Lang::En, sim.base_url());
    let mut app = App::new(&ctx, state, Some(link), events, wiring, None)
        .with_notifier(notifications.clone());
    let mut frame = eframe::Frame::_new_kittest();
    let generate = |app: &mut App, prompt: &str| {
        let editor = &mut app.state.editor;
        editor.clear();
        editor.add_sources(vec![RefSource::Url("https://example.com/cafe.jpg".into())]);
        editor.prompt = prompt.into();
        editor.params.duration = 5;
        editor.generate();
        assert!(editor.problems.is_empty(), "{:?}", editor.problems);
    };
    generate(&mut app, "@cafe 第二个窗口");
    frames_until(
        &ctx,
        &mut app,
        &mut frame,
        "done through the first window's engine",
        |a| a.state.jobs.jobs.iter().any(|j| j.state == JobState::Done),
    );
    assert!(notifications.raised()[0].0.contains("Done"));
    // The first window's engine ran it: it heard the job too.
    assert!(
        first_events
            .try_iter()
            .any(|e| matches!(e, Event::Job(j) if j.state == JobState::Done))
    );
    // The first window closes: the second runs the engine now.
    first.shutdown();
    frames_until(&ctx, &mut app, &mut frame, "takes over", |a| {
        a.engine_is_client() == Some(false)
    });
    generate(&mut app, "@cafe 接手之后");
    frames_until(&ctx, &mut app, &mut frame, "a second job done", |a| {
        a.state
            .jobs
            .jobs
            .iter()
            .filter(|j| j.state == JobState::Done)
            .count()
            == 2
    });
    // It serves the folder now.
    common::wait_for_engine(&dir.path().join("data"));
    let counts = sim.counts();
    assert_eq!((counts.create_requests, counts.tasks_created), (2, 2));
    drop(app);
    rt.block_on(sim.stop());
}

/// `config set` in a terminal while the window is open, then a save in the
/// window's Settings: the file keeps both changes.
#[test]
fn saving_settings_in_the_window_keeps_a_config_set_made_meanwhile() {
    let mut shell = common::shell(AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into()));
    let settings_dir = shell.dir.path().join("settings");
    let h = &mut shell.harness;
    h.run();
    let mut terminal = Settings::default();
    terminal.set("price.c1.720p", "0.5").unwrap();
    terminal.set("budget.monthly", "300").unwrap();
    terminal.save(&settings_dir).unwrap();

    h.get_by_label("Settings").click();
    h.run();
    // (the theme is at the end of the settings, which scroll)
    h.get_by_label("Dark").scroll_to_me();
    h.run();
    h.get_by_label("Dark").click();
    h.run();
    assert_eq!(h.state().state.settings.draft.theme, Theme::Dark);
    h.get_by_label("Save").click();
    // The save runs on the worker thread: wait for it (a positive check).
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut saved = Settings::load(&settings_dir).unwrap();
    while saved.theme != Theme::Dark && Instant::now() < deadline {
        step(h);
        std::thread::sleep(Duration::from_millis(10));
        saved = Settings::load(&settings_dir).unwrap();
    }
    assert_eq!(saved.theme, Theme::Dark, "the window's change");
    assert_eq!(saved.get("price.c1.720p").as_deref(), Some("0.5"));
    assert_eq!(saved.budget.monthly, Some(300.0));
}
