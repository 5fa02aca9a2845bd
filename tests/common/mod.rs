//! Shared by the window tests: the whole window in a 1280×800 kittest harness,
//! with the app's own fonts (so missing glyphs fail the test); either the
//! drawing alone over an [`AppState`], or the real eframe shell around it.
//! Also: waiting for another engine to serve a data folder, and (`paused`)
//! the engine and the simulator on a paused clock.

#![allow(dead_code)] // each test file uses a part

pub mod paused;

use egui_kittest::Harness;
use r2v_studio::engine::{EngineConfig, Event, EventSink};
use r2v_studio::settings::Settings;
use r2v_studio::ui::app::{AppState, app_ui};
use r2v_studio::ui::fonts;
use r2v_studio::ui::notify::RecordedNotifications;
use r2v_studio::ui::shell::{App, Wiring};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender};

pub fn harness(state: AppState) -> Harness<'static, AppState> {
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(
            |ui, state: &mut AppState| {
                fonts::install(ui.ctx());
                app_ui(ui, state);
            },
            state,
        )
}

/// The real shell: each frame runs `logic` then `ui`, as eframe does while
/// the window is shown.
pub struct Shell {
    pub harness: Harness<'static, App>,
    pub notifications: RecordedNotifications,
    /// Where the test's data, output and settings folders live.
    pub dir: tempfile::TempDir,
}

/// Engine events for an app made by hand: the sink (for an engine) and the
/// receiver the app reads, plus a sender for a test's own events.
pub fn event_channel(ctx: &egui::Context) -> ((EventSink, Receiver<Event>), Sender<Event>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let ctx = ctx.clone();
    (
        (
            EventSink::new(tx.clone(), Arc::new(move || ctx.request_repaint())),
            rx,
        ),
        tx,
    )
}

/// Wiring against `base_url`, with every folder inside `dir`.
pub fn wiring(dir: &std::path::Path, base_url: &str) -> Wiring {
    Wiring {
        config: EngineConfig::new(
            base_url.to_string(),
            None,
            dir.join("data"),
            dir.join("out"),
        ),
        settings: Settings::default(),
        settings_dir: dir.join("settings"),
        demo: false,
        report_first_frame: false,
    }
}

/// The shell around `state`, without an engine (engine commands become a
/// "not running" toast); notifications are recorded.
pub fn shell(state: AppState) -> Shell {
    let dir = tempfile::tempdir().unwrap();
    let notifications = RecordedNotifications::default();
    let recorder = notifications.clone();
    let base_url = state.base_url.clone();
    let wiring = wiring(dir.path(), &base_url);
    let ctx = egui::Context::default();
    fonts::install(&ctx);
    let (events, _) = event_channel(&ctx);
    let app = App::new(
        &ctx,
        state,
        None::<r2v_studio::engine::Handle>,
        events,
        wiring,
        None,
    )
    .with_notifier(recorder);
    let mut frame = eframe::Frame::_new_kittest();
    let harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_ui_state(
            move |ui, app: &mut App| {
                fonts::install(ui.ctx());
                eframe::App::logic(app, ui.ctx(), &mut frame);
                eframe::App::ui(app, ui, &mut frame);
            },
            app,
        );
    Shell {
        harness,
        notifications,
        dir,
    }
}

/// Waits (at most 20 s) until an engine serves `data_dir` on its local channel
/// (a socket, or a named pipe on Windows).
pub fn wait_for_engine(data_dir: &std::path::Path) {
    let start = std::time::Instant::now();
    let (tx, _events) = std::sync::mpsc::channel();
    let sink = EventSink::new(tx, Arc::new(|| {}));
    while r2v_studio::engine::remote::Remote::connect(data_dir, sink.clone()).is_err() {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "no engine came for {data_dir:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The simulator's video as downloaded: byte for byte outside its index, where
/// the app wrote the job's settings.
pub fn assert_is_demo_video(path: &std::path::Path, label: &str) {
    let bytes = std::fs::read(path).unwrap();
    let demo = r2v_studio::sim::DEMO_VIDEO;
    assert_eq!(
        r2v_studio::provenance::mp4::outside_index(&bytes).unwrap(),
        r2v_studio::provenance::mp4::outside_index(demo).unwrap(),
        "{label}: the MP4 is complete"
    );
    assert!(
        r2v_studio::provenance::read_tags(path).unwrap().is_some(),
        "{label}: the settings are in the MP4"
    );
}
