//! The player, driven by egui_kittest with a controlled clock: the test sets
//! egui's input time for every frame, so "now" only moves when the test says.
//! The decoding worker runs in real time: a test waits (with a generous limit)
//! for a frame it expects, and never sleeps to prove that something did not happen.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use r2v_studio::audio::{Capture, DeviceFormat, Sound, SoundError};
use r2v_studio::core::{GenerationSpec, Lang};
use r2v_studio::engine::{Event, Job, JobState};
use r2v_studio::ui::app::AppState;
use r2v_studio::ui::command::AppCommand;
use r2v_studio::ui::fonts;
use r2v_studio::ui::player::{OpenedClip, Player, TileStatus};
use r2v_studio::ui::shell::App;
use std::path::PathBuf;
use std::time::{Duration, Instant};

mod common;

fn clip(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/test-clips")
        .join(name)
}

struct Test {
    h: Harness<'static, Player>,
    /// The time every frame is drawn at until the test moves it.
    now: f64,
}

/// A player for `name` (opened here, as the shell's worker would), in `lang`.
fn player_in(name: &str, lang: Lang) -> Test {
    let path = clip(name);
    let opened = OpenedClip::open(&path);
    player_opened(&path, opened, lang)
}

/// A player for a clip opened by the test.
fn player_opened(
    path: &std::path::Path,
    opened: Result<OpenedClip, r2v_studio::video::VideoError>,
    lang: Lang,
) -> Test {
    let path = path.to_path_buf();
    let player = Player::new(path.clone());
    let h = Harness::builder().with_size([900.0, 600.0]).build_ui_state(
        move |ui, player: &mut Player| {
            fonts::install(ui.ctx());
            player.ui(ui, lang);
        },
        player,
    );
    let mut test = Test { h, now: 100.0 };
    // Opened once the clock is the test's (the harness drew its first frames already).
    test.h.state_mut().opened(&path, opened);
    test.frame();
    test
}

fn player(name: &str) -> Test {
    player_in(name, Lang::En)
}

impl Test {
    /// One frame at the current time.
    fn frame(&mut self) {
        self.h.input_mut().time = Some(self.now);
        self.h.step();
    }

    /// Moves the clock to `seconds` after the start and draws a frame.
    fn at(&mut self, seconds: f64) {
        self.now = 100.0 + seconds;
        self.frame();
    }

    fn shown(&self) -> Option<usize> {
        self.h.state().tile().shown_index()
    }

    /// Draws frames at the same time until frame `index` is on screen (the
    /// worker decodes in real time).
    fn until_shown(&mut self, index: usize) {
        let start = Instant::now();
        while self.shown() != Some(index) {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "frame {index} never came; {:?} is shown, status {:?}",
                self.shown(),
                self.h.state().tile().status
            );
            std::thread::sleep(Duration::from_millis(2));
            self.frame();
        }
    }

    fn key(&mut self, key: egui::Key) {
        self.h.key_press(key);
        self.frame();
    }

    /// When the last frame asked to be drawn again.
    fn repaint_delay(&self) -> Duration {
        self.h.output().viewport_output[&egui::ViewportId::ROOT].repaint_delay
    }

    fn has_label(&self, text: &str) -> bool {
        self.h.query_by_label(text).is_some()
    }
}

#[test]
fn the_player_starts_playing_and_shows_the_frame_due_at_the_clock_time() {
    let mut t = player("wide-16x9-aac-moov-last.mp4");
    t.until_shown(0);
    assert!(t.h.state().clock.playing(), "it plays once opened");
    assert!(t.has_label("Frame 1 of 48"));
    // 1.25 s in at 24 fps: frame 30.
    t.at(1.25);
    t.until_shown(30);
    assert!(t.has_label("Frame 31 of 48"));
    assert!(t.has_label("00:01.06 / 00:02.00"), "minutes:seconds.frame");
    // Half a frame later the same frame is still due.
    t.at(1.25 + 0.5 / 24.0);
    assert_eq!(t.shown(), Some(30));
}

#[test]
fn the_player_asks_for_repaints_at_the_frame_rate_only_while_playing() {
    let mut t = player("wide-16x9-aac-moov-last.mp4");
    t.until_shown(0);
    t.at(0.01);
    let delay = t.repaint_delay();
    assert!(
        delay <= Duration::from_millis(42),
        "the next frame is due within 1/24 s: {delay:?}"
    );
    t.key(egui::Key::Space);
    t.at(0.5);
    // (egui draws once more after a key press by itself.)
    t.frame();
    let delay = t.repaint_delay();
    assert!(
        delay > Duration::from_secs(1),
        "paused: no repaints asked ({delay:?})"
    );
}

#[test]
fn a_click_on_the_scrub_bar_shows_the_frame_there() {
    let mut t = player("wide-16x9-aac-moov-last.mp4");
    t.until_shown(0);
    t.key(egui::Key::Space);
    assert!(!t.h.state().clock.playing());
    // The middle of the bar is 1 s into the 2 s clip: frame 24.
    t.h.get_by_label("Position in the video").click();
    t.frame();
    t.until_shown(24);
    assert!(t.has_label("Frame 25 of 48"));
    assert!(t.has_label("00:01.00 / 00:02.00"));
}

#[test]
fn once_played_through_a_scrub_is_shown_from_the_cache_in_the_same_frame() {
    let mut t = player("wide-16x9-aac-moov-last.mp4");
    t.until_shown(0);
    for i in 1..48 {
        t.at(f64::from(i) / 24.0);
        t.until_shown(i as usize);
    }
    assert_eq!(t.h.state().tile().cache.len(), 48, "every frame is kept");
    for time in [0.3, 1.7, 0.05, 1.0] {
        let now = t.now;
        let expected = t.h.state().tile().index_at(Duration::from_secs_f64(time));
        t.h.state_mut().seek(now, Duration::from_secs_f64(time));
        t.frame();
        assert_eq!(t.shown(), Some(expected), "scrub to {time} s");
    }
}

#[test]
fn space_toggles_play_and_pause_and_the_button_says_which() {
    let mut t = player("wide-16x9-aac-moov-last.mp4");
    t.until_shown(0);
    assert!(t.has_label("Pause"));
    t.key(egui::Key::Space);
    assert!(!t.h.state().clock.playing());
    assert!(t.has_label("Play"));
    // Paused: time passes, the frame stays.
    t.at(1.0);
    t.frame();
    assert_eq!(t.shown(), Some(0));
    t.key(egui::Key::Space);
    assert!(t.h.state().clock.playing());
    t.at(1.5);
    t.until_shown(12);
}

#[test]
fn arrows_and_comma_and_period_step_one_frame() {
    let mut t = player("wide-16x9-aac-moov-last.mp4");
    t.until_shown(0);
    t.at(0.5);
    t.until_shown(12);
    t.key(egui::Key::ArrowRight);
    assert!(!t.h.state().clock.playing(), "stepping pauses");
    t.until_shown(13);
    t.key(egui::Key::Period);
    t.until_shown(14);
    t.key(egui::Key::ArrowLeft);
    t.until_shown(13);
    t.key(egui::Key::Comma);
    t.until_shown(12);
    t.key(egui::Key::Comma);
    t.until_shown(11);
    assert!(t.has_label("Frame 12 of 48"));
    // Time passing does not move a paused player.
    t.at(5.0);
    assert_eq!(t.shown(), Some(11));
}

#[test]
fn with_loop_on_the_clip_wraps_and_without_it_stops_on_the_last_frame() {
    let mut t = player("wide-16x9-aac-moov-last.mp4");
    t.until_shown(0);
    t.h.get_by_label("Loop").click();
    t.frame();
    assert!(t.h.state().looping);
    // 2 s clip: 2.5 s is 0.5 s into the second time round.
    t.at(2.5);
    t.until_shown(12);
    assert!(t.h.state().clock.playing());

    let mut t = player("wide-16x9-aac-moov-last.mp4");
    t.until_shown(0);
    t.at(2.5);
    t.until_shown(47);
    assert!(!t.h.state().clock.playing(), "it stops at the end");
    // Play again starts over.
    t.key(egui::Key::Space);
    t.until_shown(0);
}

#[test]
fn a_file_that_cannot_be_decoded_says_why_and_offers_the_system_player() {
    for name in ["not-mp4.mp4", "hevc.mp4", "zero-bytes.mp4"] {
        let mut t = player(name);
        let TileStatus::Failed(error) = t.h.state().tile().status.clone() else {
            panic!("{name} should fail");
        };
        let message = error.describe().get(Lang::En).to_string();
        assert!(
            t.has_label(&message),
            "{name}: the error is shown: {message}"
        );
        let buttons = t.h.query_all_by_label("Open in the system player").count();
        assert_eq!(buttons, 2, "{name}: in the top row and beside the error");
        t.h.query_all_by_label("Open in the system player")
            .last()
            .unwrap()
            .click();
        t.frame();
        let commands = std::mem::take(&mut t.h.state_mut().commands);
        assert!(
            matches!(&commands[..], [AppCommand::Open(p)] if *p == clip(name)),
            "{name}: {commands:?}"
        );
    }
}

#[test]
fn a_tall_9_16_clip_fits_the_height_with_bars_on_both_sides() {
    let mut t = player("tall-9x16-moov-first.mp4");
    t.until_shown(0);
    let (area, picture) = {
        let p = t.h.state();
        (p.area.unwrap(), p.sources()[0].picture.unwrap())
    };
    assert!((picture.height() - area.height()).abs() < 0.5);
    assert!((picture.width() / picture.height() - 180.0 / 320.0).abs() < 0.01);
    assert!(picture.width() < area.width() / 2.0, "bars on both sides");
    assert!(
        (picture.center().x - area.center().x).abs() < 0.5,
        "centred"
    );
}

#[test]
fn a_wide_21_9_clip_fits_the_width_with_bars_above_and_below() {
    let mut t = player("cinema-21x9-aac.mp4");
    t.until_shown(0);
    let p = t.h.state();
    let (area, picture) = (p.area.unwrap(), p.sources()[0].picture.unwrap());
    assert!((picture.width() - area.width()).abs() < 0.5);
    assert!((picture.width() / picture.height() - 336.0 / 144.0).abs() < 0.01);
    assert!(picture.height() < area.height());
    assert!((picture.center().y - area.center().y).abs() < 0.5);
}

#[test]
fn sound_controls_show_only_for_a_clip_with_sound_and_say_why_when_it_cannot_play() {
    let path = clip("wide-16x9-aac-moov-last.mp4");
    let no_device = OpenedClip::open_with(&path, |_| Err(SoundError::NoDevice));
    let t = player_opened(&path, no_device, Lang::En);
    let mute = t.h.get_by_label("Mute");
    assert!(mute.accesskit_node().is_disabled());
    mute.hover();
    let mut t = t;
    // Tooltips wait for the pointer to rest.
    for _ in 0..3 {
        t.now += 1.0;
        t.frame();
    }
    assert!(
        t.h.query_by_label_contains("No sound output was found")
            .is_some(),
        "the hover says why"
    );
    let t = player("tall-9x16-moov-first.mp4");
    assert!(!t.has_label("Mute"), "no sound, no sound controls");
}

/// Runs the player and the test's "device" together in real time for
/// `seconds`: the picture's clock follows the wall clock, and the device takes
/// 10 ms of sound every 10 ms. Returns what the device got in the second half.
fn play_along(t: &mut Test, capture: &Capture, seconds: f64) -> Vec<f32> {
    let start = Instant::now();
    let from = t.now;
    let mut heard = Vec::new();
    while start.elapsed().as_secs_f64() < seconds {
        t.now = from + start.elapsed().as_secs_f64();
        t.frame();
        let samples = capture.pull(480, Instant::now());
        if start.elapsed().as_secs_f64() > seconds / 2.0 {
            heard.extend(samples);
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    heard
}

fn loud(samples: &[f32]) -> bool {
    samples.iter().any(|s| s.abs() > 0.05)
}

#[test]
fn the_sound_plays_while_the_picture_plays_and_mute_and_pause_silence_it() {
    let path = clip("wide-16x9-aac-moov-last.mp4");
    let (capture, output) = Capture::new(DeviceFormat {
        sample_rate: 48_000,
        channels: 2,
    });
    let opened = OpenedClip::open_with(&path, |source| Sound::start_with(source, output));
    let mut t = player_opened(&path, opened, Lang::En);
    // Before the picture plays: silence.
    assert!(!loud(&capture.pull(4800, Instant::now())));
    t.until_shown(0);
    assert!(t.h.state().clock.playing());
    t.h.get_by_label("Loop").click();
    assert!(
        loud(&play_along(&mut t, &capture, 1.2)),
        "the 440 Hz tone is heard"
    );
    t.h.get_by_label("Mute").click();
    assert!(!loud(&play_along(&mut t, &capture, 0.4)), "muted");
    assert!(t.h.state().muted);
    t.h.get_by_label("Mute").click();
    assert!(loud(&play_along(&mut t, &capture, 1.2)), "heard again");
    t.key(egui::Key::Space);
    assert!(!t.h.state().clock.playing());
    assert!(!loud(&play_along(&mut t, &capture, 0.4)), "paused");
}

#[test]
fn the_player_speaks_chinese() {
    let mut t = player_in("wide-16x9-aac-moov-last.mp4", Lang::Zh);
    t.until_shown(0);
    assert!(t.has_label("第 1 帧，共 48 帧"));
    assert!(t.has_label("暂停"));
    assert!(t.has_label("用系统播放器打开"));
}

fn finished_job(path: PathBuf) -> Job {
    let mut job = Job::new(
        GenerationSpec::default(),
        "/tmp/out".into(),
        chrono::Utc::now().timestamp_millis(),
    );
    job.state = JobState::Done;
    job.output_path = Some(path);
    job
}

/// The whole window with one finished job whose video is `path`.
fn shell_with_finished_job(path: &std::path::Path) -> common::Shell {
    let mut shell = common::shell(AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into()));
    let h = &mut shell.harness;
    h.state_mut()
        .state
        .apply(Event::Job(Box::new(finished_job(path.to_path_buf()))));
    h.run_steps(3);
    shell
}

fn shell_player<'a>(h: &'a Harness<'static, App>) -> Option<&'a Player> {
    h.state().state.player.as_ref()
}

#[test]
fn clicking_a_finished_jobs_picture_plays_it_in_the_window_and_escape_closes_it() {
    let path = clip("flat-colours.mp4");
    let mut shell = shell_with_finished_job(&path);
    let h = &mut shell.harness;
    assert!(shell_player(h).is_none());
    h.get_by_label("Play in the window").click();
    let start = Instant::now();
    let mut time = 10.0;
    // The clip opens on the worker; then it plays from the window's clock.
    while shell_player(h).and_then(|p| p.tile().shown_index()) != Some(0) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "never showed a frame"
        );
        std::thread::sleep(Duration::from_millis(2));
        h.input_mut().time = Some(time);
        h.step();
    }
    assert!(shell_player(h).unwrap().clock.playing());
    assert_eq!(shell_player(h).unwrap().path(), path);
    time += 1.5;
    while shell_player(h).and_then(|p| p.tile().shown_index()) != Some(36) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "never reached 1.5 s"
        );
        std::thread::sleep(Duration::from_millis(2));
        h.input_mut().time = Some(time);
        h.step();
    }
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(shell_player(h).is_none(), "Escape closes the player");
    assert!(h.query_by_label("Play in the window").is_some());
}

#[test]
fn the_play_buttons_menu_offers_the_window_and_the_system_player() {
    let path = clip("flat-colours.mp4");
    let mut shell = shell_with_finished_job(&path);
    let h = &mut shell.harness;
    h.get_by_label("Play").click_secondary();
    h.run_steps(2);
    assert!(h.query_all_by_label("Open in the system player").count() == 1);
    h.query_all_by_label("Play in the window")
        .last()
        .unwrap()
        .click();
    h.run_steps(2);
    assert_eq!(shell_player(h).map(|p| p.path().to_path_buf()), Some(path));
}

/// A lone tile with room for only three full frames, driven frame by frame.
struct Scrub {
    tile: r2v_studio::ui::player::VideoTile,
    target: usize,
}

#[test]
fn a_scrub_to_a_frame_no_longer_held_shows_its_small_copy_at_once_then_the_full_frame() {
    use r2v_studio::ui::player::VideoTile;
    let path = clip("wide-16x9-aac-moov-last.mp4");
    let full_frame = 320 * 180 * 4;
    let mut tile = VideoTile::with_memory(3 * full_frame, 4 * 1024 * 1024);
    tile.opened(OpenedClip::open(&path), 0, Some((320, 180)));
    let mut h = Harness::builder().with_size([400.0, 300.0]).build_ui_state(
        |ui, s: &mut Scrub| {
            s.tile.update(ui.ctx(), s.target, false);
            let rect = ui.max_rect();
            s.tile.paint(ui.painter(), rect);
        },
        Scrub { tile, target: 0 },
    );
    let wait_full = |h: &mut Harness<'_, Scrub>, index: usize| {
        let start = Instant::now();
        while h.state().tile.shown_index() != Some(index) || h.state().tile.on_preview() {
            assert!(start.elapsed() < Duration::from_secs(20), "frame {index}");
            std::thread::sleep(Duration::from_millis(2));
            h.step();
        }
    };
    // One play-through.
    for index in 0..48 {
        h.state_mut().target = index;
        wait_full(&mut h, index);
    }
    assert!(
        h.state().tile.cache.len() <= 3,
        "only three full frames are kept"
    );
    assert!((0..48).all(|i| h.state().tile.scrubbable(i)));
    // Back to frame 5: its small copy is on screen in the very next frame.
    h.state_mut().target = 5;
    h.step();
    assert_eq!(h.state().tile.shown_index(), Some(5));
    assert!(h.state().tile.on_preview());
    // And the full frame follows.
    wait_full(&mut h, 5);
}
