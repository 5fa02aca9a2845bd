//! The take sheet: 2 to 4 finished jobs side by side on one clock, driven by
//! egui_kittest with a controlled clock (the test sets egui's input time for every
//! frame). The decoding workers run in real time: a test waits, with a generous
//! limit, for the frames it expects and never sleeps to prove that something did
//! not happen.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use r2v_studio::core::{GenerationSpec, Lang, Seed};
use r2v_studio::engine::{Command, Event, Job, JobState, Review, TakeSet};
use r2v_studio::ui::app::AppState;
use r2v_studio::ui::command::AppCommand;
use r2v_studio::ui::fonts;
use r2v_studio::ui::player::{OpenedClip, Player, TileStatus, Wipe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

mod common;

fn clip(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/test-clips")
        .join(name)
}

/// Finished jobs, each with its own video; `set` makes them the takes of one set.
fn finished(names: &[&str], set: bool) -> Vec<Job> {
    let set_id = TakeSet::new_id();
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let spec = GenerationSpec {
                prompt: format!("@cat walks through take {}", i + 1),
                seed: Seed::Fixed(1000 + i as u32),
                ..GenerationSpec::default()
            };
            let mut job = Job::new(spec, "/tmp/out".into(), 1_700_000_000_000 + i as i64);
            job.state = JobState::Done;
            job.output_path = Some(clip(name));
            if set {
                job.take_set = Some(TakeSet {
                    id: set_id.clone(),
                    index: i as u32 + 1,
                    of: names.len() as u32,
                    drawn_seed: false,
                });
            }
            job
        })
        .collect()
}

const THREE: [&str; 3] = [
    "wide-16x9-aac-moov-last.mp4",
    "flat-colours.mp4",
    "black-start.mp4",
];

/// A checkbox (or a star) is ticked.
fn checked(node: &egui_kittest::Node<'_>) -> bool {
    node.accesskit_node().toggled() == Some(egui::accesskit::Toggled::True)
}

struct Sheet {
    h: Harness<'static, Player>,
    now: f64,
    jobs: Vec<Job>,
}

fn sheet_in(names: &[&str], lang: Lang) -> Sheet {
    let jobs = finished(names, true);
    let player = Player::sheet(jobs.clone()).expect("two or more videos make a sheet");
    let h = Harness::builder()
        .with_size([1200.0, 800.0])
        .build_ui_state(
            move |ui, player: &mut Player| {
                fonts::install(ui.ctx());
                player.ui(ui, lang);
            },
            player,
        );
    let mut sheet = Sheet {
        h,
        now: 100.0,
        jobs,
    };
    for name in names {
        let path = clip(name);
        sheet.h.state_mut().opened(&path, OpenedClip::open(&path));
    }
    sheet.frame();
    sheet
}

fn sheet(names: &[&str]) -> Sheet {
    sheet_in(names, Lang::En)
}

impl Sheet {
    fn frame(&mut self) {
        self.h.input_mut().time = Some(self.now);
        self.h.step();
    }

    fn shown(&self) -> Vec<Option<usize>> {
        self.h
            .state()
            .sources()
            .iter()
            .map(|s| s.tile.shown_index())
            .collect()
    }

    /// Draws frames at the same time until every tile shows frame `index`.
    fn until_all_show(&mut self, index: usize) {
        let start = Instant::now();
        let want = vec![Some(index); self.h.state().sources().len()];
        while self.shown() != want {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "frame {index} never came to every tile; shown {:?}",
                self.shown()
            );
            std::thread::sleep(Duration::from_millis(2));
            self.frame();
        }
    }

    /// A primary click at `at` (a place with no widget of its own to click).
    fn click_at(&mut self, at: egui::Pos2) {
        self.h.hover_at(at);
        for pressed in [true, false] {
            self.h.event(egui::Event::PointerButton {
                pos: at,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: egui::Modifiers::NONE,
            });
        }
    }

    fn commands(&mut self) -> Vec<AppCommand> {
        std::mem::take(&mut self.h.state_mut().commands)
    }

    fn reviews(&mut self) -> Vec<(String, Review)> {
        self.commands()
            .into_iter()
            .filter_map(|c| match c {
                AppCommand::Engine(Command::Review { id, review }) => Some((id.0, review)),
                _ => None,
            })
            .collect()
    }
}

#[test]
fn three_takes_start_together_and_show_the_same_frame_of_one_clock() {
    let mut s = sheet(&THREE);
    assert_eq!(s.h.state().sources().len(), 3);
    // Nothing plays until every tile has its first frame.
    s.until_all_show(0);
    assert!(s.h.state().clock.playing());
    let started = s.now;
    for (seconds, frame) in [(0.5, 12), (1.0, 24), (1.5, 36)] {
        s.now = started + seconds;
        s.until_all_show(frame);
    }
}

#[test]
fn the_takes_never_show_different_frames_even_while_one_waits_for_its_next() {
    let mut s = sheet(&THREE);
    s.until_all_show(0);
    let started = s.now;
    for frame in 1..48 {
        s.now = started + frame as f64 / 24.0 + 0.001;
        let start = Instant::now();
        loop {
            s.frame();
            let shown = s.shown();
            assert!(
                shown.iter().all(|i| *i == shown[0]),
                "the takes show {shown:?}"
            );
            if shown[0] == Some(frame) {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "{shown:?}");
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

#[test]
fn pause_step_and_scrub_act_on_every_take_together() {
    let mut s = sheet(&THREE);
    s.until_all_show(0);
    let started = s.now;
    s.now = started + 0.5;
    s.until_all_show(12);
    s.h.key_press(egui::Key::Space);
    s.frame();
    assert!(!s.h.state().clock.playing());
    // Time passing does not move a paused sheet.
    s.now += 3.0;
    s.until_all_show(12);
    s.h.key_press(egui::Key::Period);
    s.frame();
    s.until_all_show(13);
    s.h.key_press(egui::Key::ArrowLeft);
    s.frame();
    s.h.key_press(egui::Key::Comma);
    s.frame();
    s.until_all_show(11);
    // A click at three quarters of the scrub bar: 1.5 s, frame 36 everywhere.
    let bar = s.h.get_by_label("Position in the video").rect();
    let at = egui::pos2(bar.left() + bar.width() * 0.75 + 1.0, bar.center().y);
    s.click_at(at);
    s.frame();
    s.until_all_show(36);
}

#[test]
fn with_loop_on_every_take_wraps_together_and_without_it_they_stop_on_the_last_frame() {
    let mut s = sheet(&THREE);
    s.until_all_show(0);
    let started = s.now;
    s.now = started + 2.5;
    s.until_all_show(47);
    assert!(!s.h.state().clock.playing(), "stopped at the end");
    s.h.get_by_label("Loop").click();
    s.h.key_press(egui::Key::Space);
    s.frame();
    assert!(s.h.state().clock.playing());
    // Played again from the start; 2.25 s later it has wrapped to 0.25 s.
    let replay = s.now;
    s.now = replay + 2.25;
    s.until_all_show(6);
    assert!(s.h.state().clock.playing(), "looping goes on");
}

#[test]
fn each_take_is_captioned_and_a_star_and_a_note_are_sent_to_the_journal() {
    let mut s = sheet(&THREE);
    s.until_all_show(0);
    for take in ["Take 1 of 3", "Take 2 of 3", "Take 3 of 3"] {
        assert!(s.h.query_by_label(take).is_some(), "{take} is captioned");
    }
    s.commands();
    s.h.get_by_label("Star Take 2 of 3").click();
    s.frame();
    let reviews = s.reviews();
    assert_eq!(
        reviews,
        vec![(
            s.jobs[1].id.0.clone(),
            Review {
                starred: true,
                note: String::new()
            }
        )]
    );
    // Typing a note sends nothing until the field is left.
    s.h.get_by_label("Note on Take 3 of 3").click();
    s.frame();
    s.h.get_by_label("Note on Take 3 of 3")
        .type_text("the dog 看起来很好 — keep");
    s.frame();
    assert!(s.reviews().is_empty(), "nothing is journaled while typing");
    s.h.key_press(egui::Key::Enter);
    s.frame();
    s.frame();
    assert_eq!(
        s.reviews(),
        vec![(
            s.jobs[2].id.0.clone(),
            Review {
                starred: false,
                note: "the dog 看起来很好 — keep".into()
            }
        )]
    );
}

#[test]
fn the_journals_answer_shows_the_star_and_keeps_a_note_being_typed() {
    let mut s = sheet(&THREE);
    s.until_all_show(0);
    let mut starred = s.jobs[0].clone();
    starred.review = Review {
        starred: true,
        note: "best light".into(),
    };
    s.h.state_mut().job_changed(&starred);
    s.frame();
    assert_eq!(s.h.state().sources()[0].note, "best light");
    assert!(checked(&s.h.get_by_label("Star Take 1 of 3")));
    // Take 2's note is being typed when its journaled note changes elsewhere.
    s.h.get_by_label("Note on Take 2 of 3").click();
    s.frame();
    s.h.get_by_label("Note on Take 2 of 3").type_text("mine");
    s.frame();
    let mut other = s.jobs[1].clone();
    other.review.note = "from the command line".into();
    s.h.state_mut().job_changed(&other);
    s.frame();
    assert_eq!(s.h.state().sources()[1].note, "mine");
}

#[test]
fn closing_the_sheet_keeps_a_note_still_being_typed() {
    let mut s = sheet(&THREE);
    s.until_all_show(0);
    s.h.get_by_label("Note on Take 1 of 3").click();
    s.frame();
    s.h.get_by_label("Note on Take 1 of 3")
        .type_text("hands look wrong");
    s.frame();
    s.commands();
    s.h.get_by_label("Close").click();
    s.frame();
    let commands = s.commands();
    let review = commands.iter().find_map(|c| match c {
        AppCommand::Engine(Command::Review { id, review }) => Some((id.0.clone(), review.clone())),
        _ => None,
    });
    assert_eq!(
        review,
        Some((
            s.jobs[0].id.0.clone(),
            Review {
                starred: false,
                note: "hands look wrong".into()
            }
        ))
    );
    assert!(
        matches!(commands.last(), Some(AppCommand::ClosePlayer)),
        "the note is sent before the sheet closes: {commands:?}"
    );
}

#[test]
fn use_these_settings_puts_that_takes_setup_into_the_editor_and_closes_the_sheet() {
    let mut s = sheet(&THREE);
    s.until_all_show(0);
    s.commands();
    s.h.get_by_label("Use the settings of Take 3 of 3").click();
    s.frame();
    let commands = s.commands();
    let restored = commands.iter().find_map(|c| match c {
        AppCommand::Restore(spec) => Some(spec.clone()),
        _ => None,
    });
    assert_eq!(restored.as_deref(), Some(&s.jobs[2].spec));
    assert!(matches!(commands.last(), Some(AppCommand::ClosePlayer)));
}

#[test]
fn the_wipe_shows_take_a_left_of_the_line_and_take_b_right_of_it() {
    let mut s = sheet(&THREE);
    s.until_all_show(0);
    s.h.get_by_label("A/B wipe").click();
    s.frame();
    s.frame();
    assert_eq!(
        s.h.state().wipe,
        Some(Wipe {
            a: 0,
            b: 1,
            at: 0.5
        })
    );
    // Both pictures of the wipe fill the same place; take 3 is not drawn.
    let area = s.h.state().area.unwrap();
    let a = s.h.state().sources()[0].picture.unwrap();
    let b = s.h.state().sources()[1].picture.unwrap();
    assert!(area.contains_rect(a) && area.contains_rect(b));
    assert_eq!(a.center(), b.center());
    // A click a quarter of the way across moves the line there.
    let at = egui::pos2(area.left() + area.width() * 0.25, area.center().y);
    s.click_at(at);
    s.frame();
    let wipe = s.h.state().wipe.unwrap();
    assert!((wipe.at - 0.25).abs() < 0.01, "line at {}", wipe.at);
    // B becomes take 3; the wipe plays on from the same clock.
    s.h.get_by_role_and_label(egui::accesskit::Role::ComboBox, "B")
        .click();
    // The list opens over two frames.
    s.frame();
    s.frame();

    s.h.get_by_label("Take 3 of 3").click();
    s.frame();
    assert_eq!(s.h.state().wipe.map(|w| (w.a, w.b)), Some((0, 2)));
    let started = s.now;
    s.now = started + 1.0;
    let start = Instant::now();
    while [0, 2].map(|i| s.h.state().sources()[i].tile.shown_index()) != [Some(24), Some(24)] {
        assert!(start.elapsed() < Duration::from_secs(20), "{:?}", s.shown());
        std::thread::sleep(Duration::from_millis(2));
        s.frame();
    }
    s.h.get_by_label("A/B wipe").click();
    s.frame();
    assert_eq!(s.h.state().wipe, None);
}

#[test]
fn four_videos_of_different_shapes_each_keep_their_shape_and_a_broken_one_says_why() {
    let mut s = sheet(&[
        "wide-16x9-aac-moov-last.mp4",
        "tall-9x16-moov-first.mp4",
        "cinema-21x9-aac.mp4",
        "truncated.mp4",
    ]);
    let start = Instant::now();
    while s.shown()[..3] != [Some(0), Some(0), Some(0)] {
        assert!(start.elapsed() < Duration::from_secs(20), "{:?}", s.shown());
        std::thread::sleep(Duration::from_millis(2));
        s.frame();
    }
    // The three good ones play; the broken one does not hold them back.
    assert!(s.h.state().clock.playing());
    assert!(matches!(
        s.h.state().sources()[3].tile.status,
        TileStatus::Failed(_)
    ));
    assert!(s.h.query_by_label("Open in the system player").is_some());
    for (i, aspect) in [(0, 16.0 / 9.0), (1, 9.0 / 16.0), (2, 336.0 / 144.0)] {
        let picture = s.h.state().sources()[i].picture.unwrap();
        let got = picture.width() / picture.height();
        assert!(
            (got - aspect).abs() < 0.03,
            "tile {i}: {got} instead of {aspect}"
        );
    }
    // Four tiles in a 1200×800 window: two rows of two, not one row of four.
    let pictures: Vec<egui::Rect> = (0..3)
        .map(|i| s.h.state().sources()[i].picture.unwrap())
        .collect();
    assert!(pictures[2].top() > pictures[0].bottom());
}

#[test]
fn the_take_sheet_speaks_chinese() {
    let mut s = sheet_in(&THREE, Lang::Zh);
    s.until_all_show(0);
    assert!(s.h.query_by_label("正在对比 3 个视频").is_some());
    assert!(s.h.query_by_label("第 2 条（共 3 条）").is_some());
    assert!(s.h.query_by_label("使用第 2 条（共 3 条）的设置").is_some());
    assert!(s.h.query_by_label("A/B 划像").is_some());
}

#[test]
fn fewer_than_two_videos_make_no_sheet() {
    let mut jobs = finished(&THREE, true);
    assert!(Player::sheet(jobs[..1].to_vec()).is_none());
    jobs[1].output_path = None;
    jobs[2].output_path = None;
    assert!(Player::sheet(jobs).is_none());
}

// In the whole window.

fn shell_player<'a>(h: &'a Harness<'static, r2v_studio::ui::shell::App>) -> Option<&'a Player> {
    h.state().state.player.as_ref()
}

fn wait_for_sheet(h: &mut Harness<'static, r2v_studio::ui::shell::App>, videos: usize) {
    let start = Instant::now();
    let mut time = h.ctx.input(|i| i.time);
    loop {
        let shown = shell_player(h).map(|p| {
            p.sources()
                .iter()
                .filter(|s| s.tile.shown_index().is_some())
                .count()
        });
        if shown == Some(videos) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the sheet never showed {videos} videos"
        );
        std::thread::sleep(Duration::from_millis(2));
        time += 0.01;
        h.input_mut().time = Some(time);
        h.step();
    }
}

/// Which of the visible comparison boxes to tick.
#[derive(Clone, Copy)]
enum Pick {
    First,
    Last,
    FirstUnticked,
}

/// Ticks a row's comparison box (scrolled into view first: the list lays out
/// only the rows in view).
fn choose(h: &mut Harness<'static, r2v_studio::ui::shell::App>, pick: Pick) {
    let find = |h: &Harness<'static, r2v_studio::ui::shell::App>| {
        let mut boxes = h.get_all_by_label("Choose for comparison");
        match pick {
            Pick::First => boxes.next(),
            Pick::Last => boxes.last(),
            Pick::FirstUnticked => boxes.find(|b| !checked(b)),
        }
        .map(|b| b.rect())
    };
    let before = find(h).expect("a box to tick");
    let node = h
        .get_all_by_label("Choose for comparison")
        .find(|b| b.rect() == before)
        .unwrap();
    node.scroll_to_me();
    h.run_steps(12);
    let now = find(h).expect("the box is still there");
    h.get_all_by_label("Choose for comparison")
        .find(|b| b.rect() == now)
        .unwrap()
        .click();
    h.run_steps(2);
}

#[test]
fn two_jobs_chosen_in_the_list_open_side_by_side_in_the_order_chosen() {
    let mut shell = common::shell(AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into()));
    let h = &mut shell.harness;
    let jobs = finished(&THREE, false);
    for job in &jobs {
        h.state_mut().state.apply(Event::Job(Box::new(job.clone())));
    }
    h.run_steps(3);
    assert!(h.query_by_label("Compare 1").is_none());
    // Newest first: the rows are jobs 3, 2, 1. Choose job 1, then job 3.
    assert_eq!(h.get_all_by_label("Choose for comparison").count(), 3);
    choose(h, Pick::Last);
    assert_eq!(h.state().state.jobs.compare, vec![jobs[0].id.clone()]);
    assert!(
        h.get_by_label("Compare 1").accesskit_node().is_disabled(),
        "one video is not a comparison"
    );
    choose(h, Pick::First);
    h.get_by_label("Compare 2").click();
    h.run_steps(2);
    wait_for_sheet(h, 2);
    let sheet = shell_player(h).unwrap();
    let paths: Vec<PathBuf> = sheet.sources().iter().map(|s| s.path.clone()).collect();
    assert_eq!(paths, vec![clip(THREE[0]), clip(THREE[2])]);
    assert!(h.query_by_label("Video 1").is_some());
    assert!(
        h.query_by_label("Compare 2").is_none(),
        "the choice is cleared"
    );
}

#[test]
fn at_most_four_videos_can_be_chosen() {
    let mut shell = common::shell(AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into()));
    let h = &mut shell.harness;
    let names = [
        "wide-16x9-aac-moov-last.mp4",
        "flat-colours.mp4",
        "black-start.mp4",
        "tall-9x16-moov-first.mp4",
        "cinema-21x9-aac.mp4",
    ];
    for job in finished(&names, false) {
        h.state_mut().state.apply(Event::Job(Box::new(job)));
    }
    h.run_steps(3);
    for _ in 0..4 {
        choose(h, Pick::FirstUnticked);
    }
    assert_eq!(h.state().state.jobs.compare.len(), 4);
    h.get_all_by_label("Choose for comparison")
        .last()
        .unwrap()
        .scroll_to_me();
    h.run_steps(12);
    let fifth = h
        .get_all_by_label("Choose for comparison")
        .find(|b| !checked(b))
        .unwrap();
    assert!(!checked(&fifth));
    assert!(
        fifth.accesskit_node().is_disabled(),
        "a fifth cannot be chosen"
    );
    fifth.click();
    h.run_steps(2);
    assert_eq!(h.state().state.jobs.compare.len(), 4);
    assert!(h.query_by_label("Compare 4").is_some());
}

#[test]
fn a_sets_compare_takes_button_opens_its_finished_takes_in_take_order() {
    let mut shell = common::shell(AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into()));
    let h = &mut shell.harness;
    let mut jobs = finished(&THREE, true);
    // Take 2 is still generating: only takes 1 and 3 can be compared.
    jobs[1].state = JobState::Running;
    jobs[1].output_path = None;
    for job in &jobs {
        h.state_mut().state.apply(Event::Job(Box::new(job.clone())));
    }
    h.run_steps(3);
    h.get_by_label("Compare takes").click();
    h.run_steps(2);
    wait_for_sheet(h, 2);
    let sheet = shell_player(h).unwrap();
    let ids: Vec<String> = sheet
        .sources()
        .iter()
        .map(|s| s.job.as_ref().unwrap().id.0.clone())
        .collect();
    assert_eq!(ids, vec![jobs[0].id.0.clone(), jobs[2].id.0.clone()]);
    assert!(h.query_by_label("Take 3 of 3").is_some());
}

#[test]
fn one_takes_sound_is_heard_at_a_time_and_the_user_chooses_which() {
    let mut s = sheet(&[
        "wide-16x9-aac-moov-last.mp4",
        "tall-9x16-moov-first.mp4",
        "cinema-21x9-aac.mp4",
    ]);
    s.until_all_show(0);
    // The first with sound until another is chosen; a take without sound has no choice.
    assert_eq!(s.h.state().heard(), Some(0));
    assert!(checked(&s.h.get_by_label("Hear Take 1 of 3")));
    assert!(s.h.query_by_label("Hear Take 2 of 3").is_none());
    s.h.get_by_label("Hear Take 3 of 3").click();
    s.frame();
    assert_eq!(s.h.state().heard(), Some(2));
    s.frame();
    assert!(checked(&s.h.get_by_label("Hear Take 3 of 3")));
    assert!(!checked(&s.h.get_by_label("Hear Take 1 of 3")));
}
