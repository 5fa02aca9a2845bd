//! The window, driven by egui_kittest (no display): the @ popup, renames, model
//! switches, drops, Chinese text, Generate. A fake engine answers thumbnail
//! requests with the real decoder and records every other command.

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use r2v_studio::core::spend::{Budget, Cap, OverBudget, Totals};
use r2v_studio::core::{AspectRatio, Lang, Model, RefSource, Seed};
use r2v_studio::engine::{
    Allow, Command, Event, Job, JobId, JobState, Refusal, SpendReport, images,
};
use r2v_studio::ui::app::AppState;
use r2v_studio::ui::command::AppCommand;
use r2v_studio::ui::widgets::Thumb;
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod common;
use common::harness;

fn new_state(lang: Lang) -> AppState {
    AppState::new(lang, "http://127.0.0.1:9/api/v1".into())
}

/// Runs frames, answering thumbnail requests like the engine would.
fn pump(h: &mut Harness<'static, AppState>) -> Vec<Command> {
    let mut sent = Vec::new();
    for _ in 0..4 {
        // Spinners repaint until thumbnails arrive: step, don't wait to settle.
        h.run_steps(2);
        let requests = h.state_mut().take_commands();
        if requests.is_empty() {
            break;
        }
        for request in requests {
            if let AppCommand::Engine(command) = request {
                match command {
                    Command::LoadImage {
                        key,
                        source: RefSource::Local(path),
                        max_side,
                    } => {
                        let result = std::fs::read(&path)
                            .map_err(|e| images::ImageIssue::Unreadable(e.to_string()))
                            .and_then(|bytes| images::thumbnail(&bytes, max_side))
                            .map(Arc::new)
                            .map_err(|issue| issue.describe());
                        h.state_mut().apply(Event::Thumbnail { key, result });
                    }
                    other => sent.push(other),
                }
            }
        }
    }
    h.run();
    sent
}

/// A file dropped from the file manager.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn png(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    image::RgbImage::from_fn(300, 200, |x, y| image::Rgb([x as u8, y as u8, 90]))
        .save(&path)
        .unwrap();
    path
}

/// A state with URL references whose thumbnails have arrived.
fn with_refs(names: &[&str]) -> AppState {
    let mut state = new_state(Lang::En);
    state.editor.add_sources(
        names
            .iter()
            .map(|n| RefSource::Url(format!("https://example.com/{n}.png")))
            .collect(),
    );
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(png(dir.path(), "x.png")).unwrap();
    let thumb = Arc::new(images::thumbnail(&bytes, 256).unwrap());
    for (slot, name) in state.editor.slots.iter_mut().zip(names) {
        slot.name = name.to_string();
        slot.committed = name.to_string();
        slot.thumb = Thumb::Ready(thumb.clone());
    }
    state.take_commands();
    state
}

fn focus_editor(h: &mut Harness<'static, AppState>) {
    h.get_by_label("Prompt").click();
    h.run();
}

#[test]
fn typing_at_and_choosing_with_arrow_keys_inserts_the_mention_without_a_newline() {
    let mut h = harness(with_refs(&["cat", "cafe", "hero"]));
    h.run();
    focus_editor(&mut h);
    h.get_by_label("Prompt").type_text("@ca");
    h.run();
    assert_eq!(h.state().editor.popup.anchor, Some(0), "the popup opened");
    assert!(h.query_by_label("@cafe").is_some(), "candidates are listed");
    h.key_press(Key::ArrowDown);
    h.run();
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(
        h.state().editor.prompt,
        "@cafe ",
        "the second candidate, with its space, and no newline"
    );
    assert_eq!(h.state().editor.popup.anchor, None);

    h.get_by_label("Prompt").type_text("sits by @he");
    h.run();
    assert!(h.state().editor.popup.anchor.is_some());
    h.key_press(Key::Escape);
    h.run();
    assert_eq!(
        h.state().editor.popup.anchor,
        None,
        "Escape closes the popup"
    );
    assert!(
        h.get_by_label("Prompt").is_focused(),
        "and the editor keeps the keyboard"
    );
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(
        h.state().editor.prompt,
        "@cafe sits by @he\n",
        "with the popup closed, Enter is a newline"
    );
}

#[test]
fn tab_accepts_and_a_space_closes_the_popup() {
    let mut h = harness(with_refs(&["男人", "吉他"]));
    h.run();
    focus_editor(&mut h);
    h.get_by_label("Prompt").type_text("在@吉");
    h.run();
    h.key_press(Key::Tab);
    h.run();
    assert_eq!(h.state().editor.prompt, "在@吉他 ");
    h.get_by_label("Prompt").type_text("@男 ");
    h.run();
    assert_eq!(h.state().editor.popup.anchor, None, "a space closes it");
    assert_eq!(h.state().editor.prompt, "在@吉他 @男 ");
}

#[test]
fn renaming_a_reference_renames_its_mentions_and_removing_one_flags_them() {
    let mut state = with_refs(&["cat", "cats", "dog"]);
    state.editor.prompt = "@cat chases @cats and @dog".into();
    let mut h = harness(state);
    h.run();
    h.get_all_by_role(egui::accesskit::Role::TextInput)
        .find(|n| n.value().as_deref() == Some("cat"))
        .expect("the first reference's name field")
        .focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.event(egui::Event::Text("tiger".into()));
    h.run();
    assert_eq!(h.state().editor.prompt, "@tiger chases @cats and @dog");

    // Remove "dog" (the third card's ✕).
    let remove = h.get_all_by_label("×").nth(2).unwrap();
    remove.click();
    h.run();
    assert_eq!(h.state().editor.slots.len(), 2);
    assert!(
        h.query_by_label_contains("Unknown: @dog").is_some(),
        "its mention is flagged"
    );
}

#[test]
fn switching_model_fixes_ratio_and_duration_and_says_what_changed() {
    let mut state = with_refs(&["a"]);
    state.editor.prompt = "@a 走".into();
    state.editor.params.ratio = AspectRatio::R21x9;
    state.editor.params.duration = 12;
    let mut h = harness(state);
    h.run();
    assert!(h.query_by_label("21:9").is_some(), "c1 offers 21:9");
    // The parameters' model choice (the jobs panel has a model filter too).
    h.get_all_by_label("Model")
        .find(|n| n.rect().min.x > 900.0 && n.rect().min.y < 100.0)
        .expect("the model choice")
        .click();
    h.run();
    h.get_by_label("PixVerse V5.6").click();
    h.run();
    let s = &h.state().editor;
    assert_eq!(s.params.model, Model::V56);
    assert_eq!(
        (s.params.ratio, s.params.duration),
        (AspectRatio::R16x9, 10)
    );
    assert!(s.spec().validate().is_empty(), "{:?}", s.spec().validate());
    assert!(
        h.query_by_label_contains("21:9 is not available on PixVerse V5.6: switched to 16:9")
            .is_some()
    );
    assert!(
        h.query_by_label("21:9").is_none(),
        "an invalid choice cannot be made"
    );
    assert!(h.query_by_label("15 s").is_none());
}

#[test]
fn dropped_files_get_thumbnails_or_clear_messages_and_an_eighth_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = (0..5)
        .map(|i| png(dir.path(), &format!("photo{i}.png")))
        .collect();
    let text = dir.path().join("notes.png");
    std::fs::write(&text, "this is text, not a picture").unwrap();
    let corrupt = dir.path().join("broken.png");
    let mut bytes = std::fs::read(&files[0]).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&corrupt, bytes).unwrap();
    files.push(text);
    files.push(corrupt);
    files.push(png(dir.path(), "eighth.png"));

    let mut h = harness(new_state(Lang::En));
    h.run();
    h.input_mut().dropped_files = files
        .iter()
        .map(|p| Arc::new(Dropped(p.clone())) as egui::DroppedFileHandle)
        .collect();
    pump(&mut h);
    let s = &h.state().editor;
    assert_eq!(s.slots.len(), 7);
    assert!(matches!(s.slots[0].thumb, Thumb::Ready(_)));
    assert!(matches!(&s.slots[5].thumb, Thumb::Failed(r) if r.en.contains("not an image")));
    assert!(matches!(&s.slots[6].thumb, Thumb::Failed(r) if r.en.contains("damaged")));
    assert!(h.query_by_label_contains("left out eighth.png").is_some());
    assert!(
        h.query_by_label_contains("not an image").is_some(),
        "the message is on the slot"
    );
    assert_eq!(
        h.query_all_by_label_contains("PNG · 300×200").count(),
        5,
        "facts of each good file"
    );
}

#[test]
fn chinese_text_renders_with_the_bundled_font() {
    // kittest fails on a missing glyph, and it never loads system fonts.
    let mut state = with_refs(&["歌手", "咖啡厅"]);
    state.lang = Lang::Zh;
    state.editor.prompt =
        "@歌手 坐在@咖啡厅 的窗边，轻声弹唱。日本語のテキスト、한국어 텍스트".into();
    let mut h = harness(state);
    h.run();
    assert!(h.query_by_label("提示词").is_some());
    assert!(h.query_by_label("生成").is_some());
    assert!(
        h.query_by_label_contains("擅长打斗").is_some(),
        "the model's description in Chinese"
    );
}

#[test]
fn generate_lists_problems_and_a_click_focuses_the_field() {
    let mut state = with_refs(&["a"]);
    state.editor.prompt = "@b 走".into();
    let mut h = harness(state);
    h.run();
    h.get_by_label("Generate").click();
    h.run();
    assert!(
        h.query_by_label_contains("@b is not a reference name")
            .is_some()
    );
    assert!(h.query_by_label_contains("but not @a").is_some());
    assert!(
        h.state().pending_commands().next().is_none(),
        "nothing is sent"
    );
    h.get_by_label_contains("@b is not a reference name")
        .click();
    h.run();
    h.run();
    assert!(
        h.get_by_label("Prompt").is_focused(),
        "clicking the problem focuses the prompt"
    );
}

#[test]
fn ctrl_enter_sends_nothing_while_a_video_plays_in_place_of_the_editor() {
    let mut state = with_refs(&["a"]);
    state.editor.prompt = "@a 走".into();
    state.player = Some(r2v_studio::ui::player::Player::new("/tmp/none.mp4".into()));
    let mut h = harness(state);
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    let sent = pump(&mut h);
    assert!(
        !sent.iter().any(|c| matches!(c, Command::Generate { .. })),
        "{sent:?}"
    );
    // Back in the editor, the shortcut sends it.
    h.state_mut().player = None;
    h.run_steps(2);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    let sent = pump(&mut h);
    assert_eq!(
        sent.iter()
            .filter(|c| matches!(c, Command::Generate { .. }))
            .count(),
        1
    );
}

#[test]
fn a_valid_spec_sends_exactly_one_generate_and_the_editor_stays_usable() {
    let mut state = with_refs(&["a"]);
    state.editor.prompt = "@a 走".into();
    let mut h = harness(state);
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Enter);
    let sent = pump(&mut h);
    let generates: Vec<_> = sent
        .iter()
        .filter(|c| matches!(c, Command::Generate { .. }))
        .collect();
    assert_eq!(generates.len(), 1);
    match generates[0] {
        Command::Generate { spec, .. } => assert_eq!(spec.prompt, "@a 走"),
        _ => unreachable!(),
    }
    assert_eq!(
        h.state().editor.prompt,
        "@a 走",
        "the editor keeps its content for the next job"
    );
    assert!(h.state().editor.problems.is_empty());
}

#[test]
fn the_request_preview_shows_json_and_curl_without_a_key() {
    let mut state = with_refs(&["a"]);
    state.editor.prompt = "@a，走".into();
    let mut h = harness(state);
    h.run();
    h.get_by_label("Show the request (JSON / curl)").click();
    h.run();
    assert!(
        h.query_by_label_contains("\"prompt\": \"@a ，走\"")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("Bearer $DASHSCOPE_API_KEY")
            .is_some()
    );
}

#[test]
fn pasting_into_the_window_adds_urls_and_images_to_the_slots() {
    let mut h = harness(new_state(Lang::En));
    h.run_steps(2);
    h.event(egui::Event::Paste(
        "https://example.com/a.png https://example.com/b.webp".into(),
    ));
    h.run_steps(2);
    assert_eq!(h.state().editor.slots.len(), 2);
    assert_eq!(
        h.state().editor.slots[1].source,
        RefSource::Url("https://example.com/b.webp".into())
    );
    h.event(egui::Event::Paste("just words".into()));
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("not an image or an image URL")
            .is_some()
    );
    let image = egui::ColorImage::new([80, 60], vec![egui::Color32::RED; 80 * 60]);
    h.event(egui::Event::PasteImage(Arc::new(image)));
    h.run_steps(2);
    let stored = h.state().pending_commands().any(|r| {
        matches!(r, AppCommand::Engine(Command::StoreImage { width: 80, height: 60, rgba, .. }) if rgba.len() == 80 * 60 * 4)
    });
    assert!(stored, "the engine is asked to save the pasted image");
    assert_eq!(h.state().editor.slots[2].name, "pasted");
}

#[test]
fn a_paste_into_the_prompt_stays_in_the_prompt() {
    let mut h = harness(with_refs(&["a"]));
    h.run();
    focus_editor(&mut h);
    h.event(egui::Event::Paste("https://example.com/x.png".into()));
    h.run();
    assert_eq!(h.state().editor.slots.len(), 1);
    assert_eq!(h.state().editor.prompt, "https://example.com/x.png");
}

#[test]
fn the_popup_leaves_keys_alone_while_an_input_method_composes() {
    let mut h = harness(with_refs(&["cafe", "cat"]));
    h.run();
    focus_editor(&mut h);
    h.get_by_label("Prompt").type_text("@ca");
    h.run();
    assert!(h.state().editor.popup.anchor.is_some());
    // Enter that confirms a composition belongs to the input method.
    h.event(egui::Event::Ime(egui::ImeEvent::Preedit {
        text: "fe".into(),
        active_range_chars: None,
    }));
    h.run();
    h.key_press(Key::Enter);
    h.run();
    assert_ne!(
        h.state().editor.prompt,
        "@cafe ",
        "the popup did not take the Enter"
    );
    assert!(h.state().editor.ime_composing);
    h.event(egui::Event::Ime(egui::ImeEvent::Commit("fe".into())));
    h.run();
    assert!(
        !h.state().editor.ime_composing,
        "a commit ends the composition"
    );
}

#[test]
fn undo_and_redo_work_in_the_prompt() {
    let mut h = harness(with_refs(&["a"]));
    h.run();
    focus_editor(&mut h);
    h.get_by_label("Prompt").type_text("第一句");
    h.run();
    // The undoer groups edits made within a moment: let time pass between them.
    h.input_mut().time = Some(h.ctx.input(|i| i.time) + 2.0);
    h.run();
    h.get_by_label("Prompt").type_text(" second");
    h.run();
    h.input_mut().time = Some(h.ctx.input(|i| i.time) + 2.0);
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(h.state().editor.prompt, "第一句");
    h.key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    h.run();
    assert_eq!(h.state().editor.prompt, "第一句 second");
}

#[test]
fn the_language_switch_changes_the_texts_with_chinese_glyphs() {
    let mut h = harness(with_refs(&["a"]));
    h.run();
    assert!(h.query_by_label("Prompt").is_some());
    h.get_by_label("中文").click();
    h.run();
    assert!(h.query_by_label("提示词").is_some());
    assert!(h.query_by_label("生成").is_some());
    assert!(h.query_by_label("Prompt").is_none());
    h.get_by_label("设置").click();
    h.run();
    assert!(
        h.query_by_label("地域").is_some(),
        "the settings window speaks Chinese too"
    );
    h.get_by_label("关闭").click();
    h.run();
    h.get_by_label("English").click();
    h.run();
    assert!(h.query_by_label("Prompt").is_some());
}

#[test]
fn the_takes_control_shows_the_total_price_before_sending_one_set() {
    let mut state = with_refs(&["a"]);
    state.editor.prompt = "@a 走".into();
    let one = state.editor.estimated_price(&state.prices).unwrap();
    let mut h = harness(state);
    h.run();
    assert!(h.query_by_label("Takes").is_some());
    assert!(
        h.query_by_label_contains("Total ≈").is_none(),
        "one take: no total"
    );

    h.get_by_label("3").click();
    h.run();
    let total = format!("Total ≈ {:.2} CNY (3 × {one:.2}, estimate)", one * 3.0);
    assert!(
        h.query_by_label(&total).is_some(),
        "shown beside the button: {total}"
    );
    assert!(
        h.query_by_label("Each of the 3 takes gets its own random seed.")
            .is_some()
    );
    assert!(
        h.state().pending_commands().next().is_none(),
        "nothing is sent by choosing"
    );
    h.state_mut().editor.params.seed = Seed::Fixed(7);
    h.run();
    assert!(
        h.query_by_label_contains("same seed does not make identical videos")
            .is_some(),
        "a fixed seed is said not to make the takes identical"
    );

    h.get_by_label("Generate 3 takes").click();
    let sent = pump(&mut h);
    let sets: Vec<&Vec<r2v_studio::engine::JobId>> = sent
        .iter()
        .filter_map(|c| match c {
            Command::Generate { ids, .. } => Some(ids),
            _ => None,
        })
        .collect();
    assert_eq!(sets.len(), 1, "one command for the set");
    let distinct: std::collections::HashSet<_> = sets[0].iter().collect();
    assert_eq!(distinct.len(), 3, "three takes, each its own job id");
}

#[test]
fn the_takes_control_reads_in_chinese() {
    let mut state = with_refs(&["猫"]);
    state.lang = Lang::Zh;
    state.editor.prompt = "@猫 走".into();
    state.editor.takes = 4;
    let mut h = harness(state);
    h.run();
    assert!(h.query_by_label("镜次").is_some());
    assert!(h.query_by_label("生成 4 个镜次").is_some());
    assert!(h.query_by_label_contains("合计 ≈").is_some());
    assert!(
        h.query_by_label("4 个镜次各自使用不同的随机种子。")
            .is_some()
    );
}

/// The Generate the editor sends now, with its ids and what it allows.
/// It is not said to be sent before the engine has journaled it.
fn send_one(h: &mut Harness<'static, AppState>) -> (Vec<JobId>, Allow) {
    h.state_mut().editor.generate();
    h.run();
    let commands = h.state_mut().take_commands();
    assert!(!said_sent(&commands), "{commands:?}");
    let generates: Vec<(Vec<JobId>, Allow)> = commands
        .into_iter()
        .filter_map(|c| match c {
            AppCommand::Engine(Command::Generate { ids, allow, .. }) => Some((ids, allow)),
            _ => None,
        })
        .collect();
    assert_eq!(generates.len(), 1, "{generates:?}");
    generates.into_iter().next().unwrap()
}

fn said_sent(commands: &[AppCommand]) -> bool {
    commands
        .iter()
        .any(|c| matches!(c, AppCommand::Toast { text, .. } if text.en.starts_with("Sent")))
}

/// A job of the editor's setup that finished `minutes` ago.
fn finished_job(state: &AppState, minutes: i64) -> Job {
    let now = chrono::Utc::now().timestamp_millis();
    let mut job = Job::new(
        state.editor.spec(),
        "/tmp".into(),
        now - (minutes + 1) * 60_000,
    );
    job.set_state(JobState::Done, now - minutes * 60_000);
    job.output_path = Some("/tmp/earlier.mp4".into());
    job
}

#[test]
fn a_refused_duplicate_asks_first_and_another_take_sends_it_again_in_both_languages() {
    for (lang, title, status, another) in [
        (
            Lang::En,
            "The same setup again?",
            "Finished 4 min ago.",
            "Make another take",
        ),
        (
            Lang::Zh,
            "再次使用相同的设置？",
            "4 分钟前已完成。",
            "再生成一个镜次",
        ),
    ] {
        let mut state = with_refs(&["a"]);
        state.lang = lang;
        state.editor.prompt = "@a 走".into();
        let earlier = finished_job(&state, 4);
        let mut h = harness(state);
        h.run();
        let (ids, allow) = send_one(&mut h);
        assert_eq!(allow, Allow::default(), "checked by default");
        h.state_mut().apply(Event::Refused {
            ids,
            refusal: Refusal::Duplicate {
                earlier: Box::new(earlier.clone()),
            },
        });
        h.run();
        h.get_by_label(title);
        h.get_by_label(status);
        assert!(
            h.query_by_label_contains(earlier.id.short()).is_some(),
            "names the earlier job"
        );
        h.get_by_label(another).click();
        let sent: Vec<Command> = pump(&mut h);
        let again: Vec<_> = sent
            .iter()
            .filter_map(|c| match c {
                Command::Generate { spec, allow, .. } => Some((spec.prompt.clone(), *allow)),
                _ => None,
            })
            .collect();
        assert_eq!(
            again,
            vec![(
                "@a 走".to_string(),
                Allow {
                    again: true,
                    over_budget: false
                }
            )]
        );
        assert!(h.query_by_label(title).is_none(), "the question is gone");
    }
}

#[test]
fn over_budget_asks_first_and_dont_send_sends_nothing_while_send_anyway_sends_once() {
    let mut state = with_refs(&["a"]);
    state.editor.prompt = "@a 走".into();
    let mut h = harness(state);
    h.run();
    let over = OverBudget {
        cap: Cap::Daily,
        limit: 20.0,
        spent: 12.4,
        cost: 9.6,
    };
    let (ids, _) = send_one(&mut h);
    h.state_mut().apply(Event::Refused {
        ids,
        refusal: Refusal::OverBudget { over },
    });
    h.run();
    h.get_by_label("Over your budget");
    h.get_by_label_contains("today’s cap of 20.00 CNY");
    h.get_by_label("Don’t send").click();
    assert!(
        !pump(&mut h)
            .iter()
            .any(|c| matches!(c, Command::Generate { .. })),
        "nothing sent"
    );
    assert!(h.query_by_label("Over your budget").is_none());

    let (ids, _) = send_one(&mut h);
    h.state_mut().apply(Event::Refused {
        ids,
        refusal: Refusal::OverBudget { over },
    });
    h.run();
    h.get_by_label("Send it anyway, this once").click();
    h.run();
    let commands = h.state_mut().take_commands();
    let sent: Vec<(Vec<JobId>, Allow)> = commands
        .iter()
        .filter_map(|c| match c {
            AppCommand::Engine(Command::Generate { ids, allow, .. }) => Some((ids.clone(), *allow)),
            _ => None,
        })
        .collect();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].1,
        Allow {
            over_budget: true,
            again: false
        }
    );
    assert!(!said_sent(&commands));
    // Journaled: now it is said to be sent.
    let mut job = Job::new(h.state().editor.spec(), "/tmp".into(), 0);
    job.id = sent[0].0[0].clone();
    h.state_mut().apply(Event::Job(Box::new(job)));
    // (a queued job's row spins: step, don't wait to settle)
    h.run_steps(2);
    assert!(said_sent(&h.state_mut().take_commands()));
    // A refusal for a Generate sent from elsewhere (another window, a
    // terminal) asks nothing here.
    h.state_mut().apply(Event::Refused {
        ids: vec![JobId::new()],
        refusal: Refusal::OverBudget { over },
    });
    h.run_steps(2);
    assert!(h.query_by_label("Over your budget").is_none());
}

#[test]
fn the_spend_line_shows_today_against_the_cap_and_warns_before_a_generate_goes_over() {
    let mut state = with_refs(&["a"]);
    state.editor.prompt = "@a 走".into();
    state.editor.takes = 1;
    let mut h = harness(state);
    h.state_mut().apply(Event::Spend(SpendReport {
        totals: Totals {
            today: 12.4,
            month: 40.0,
        },
        budget: Budget {
            daily: Some(20.0),
            monthly: None,
        },
    }));
    h.run();
    h.get_by_label("Budget today: 12.40 of 20.00 CNY");
    assert!(h.query_by_label_contains("Budget this month").is_none());
    assert!(h.query_by_label_contains("goes over a cap").is_none());
    // Four takes of the same: over today's cap.
    let cost = h
        .state()
        .editor
        .estimated_price(&r2v_studio::core::capabilities::default_prices())
        .unwrap();
    let takes = ((7.6 / cost).floor() as usize + 1).min(4);
    assert!(cost * takes as f64 > 7.6, "the test needs a costlier setup");
    h.state_mut().editor.takes = takes;
    h.run();
    h.get_by_label_contains("goes over a cap: you will be asked first");
    // No caps: the spend alone, as a hint.
    h.state_mut().apply(Event::Spend(SpendReport::default()));
    h.run();
    h.get_by_label("Spent today 0.00 · this month 0.00 CNY (estimates)");
}

#[test]
fn the_settings_window_sets_the_caps_it_saves() {
    let mut state = new_state(Lang::En);
    state.settings.open();
    let mut h = harness(state);
    h.run();
    h.get_by_label("Daily cap").click();
    h.run();
    assert_eq!(h.state().settings.draft.budget.daily, Some(20.0));
    assert_eq!(h.state().settings.draft.budget.monthly, None);
    h.get_by_label("Save").click();
    h.run();
    let saved: Vec<_> = h
        .state_mut()
        .take_commands()
        .into_iter()
        .filter_map(|c| match c {
            AppCommand::SaveSettings(s) => Some(s.budget),
            _ => None,
        })
        .collect();
    assert_eq!(
        saved,
        vec![Budget {
            daily: Some(20.0),
            monthly: None
        }]
    );
}

/// Opens the parameters' model choice and lists the models it offers.
fn offered_models(h: &mut Harness<'static, AppState>) -> Vec<Model> {
    h.get_all_by_label("Model")
        .find(|n| n.rect().min.x > 900.0 && n.rect().min.y < 100.0)
        .expect("the model choice")
        .click();
    h.run();
    let offered = Model::ALL
        .into_iter()
        .filter(|m| h.query_by_label(m.info().display_name).is_some())
        .collect();
    h.key_press(Key::Escape);
    h.run();
    offered
}

#[test]
fn choosing_the_singapore_region_in_settings_offers_only_its_model() {
    let mut h = harness(new_state(Lang::En));
    h.run();
    assert_eq!(offered_models(&mut h), vec![Model::C1, Model::V56]);
    h.state_mut().settings.open();
    h.run();
    h.get_by_label("International (Singapore)").click();
    h.run();
    assert!(
        h.query_by_label_contains("https://{WorkspaceId}.ap-southeast-1.maas.aliyuncs.com")
            .is_some(),
        "the workspace address scheme is explained where the region is chosen"
    );
    // Below the fold of the settings window: clicked the way a screen reader does.
    h.get_by_label("Save").click_accesskit();
    h.run();
    let saved: Vec<_> = h
        .state_mut()
        .take_commands()
        .into_iter()
        .filter_map(|c| match c {
            AppCommand::SaveSettings(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].region, r2v_studio::core::Region::Singapore);
    assert_eq!(
        saved[0].service_url(),
        "https://dashscope-intl.aliyuncs.com/api/v1"
    );
    // What the shell does with saved settings.
    let ctx = h.ctx.clone();
    h.state_mut().apply_settings(&ctx, &saved[0]);
    h.state_mut().settings.open = false;
    h.run();
    assert_eq!(h.state().editor.params.model, Model::V6);
    assert_eq!(offered_models(&mut h), vec![Model::V6]);
    assert!(
        h.query_by_label_contains("Unconfirmed").is_some(),
        "the unconfirmed model says so"
    );
}
