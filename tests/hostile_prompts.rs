//! Hostile prompts: emoji, right-to-left text, combining marks, 100 000
//! characters pasted at once, `@` at the very end, `@@name`, and names that
//! are prefixes of each other. Nothing panics, counts are right, mentions are
//! found exactly where they are.

use egui_kittest::kittest::Queryable;
use r2v_studio::core::mentions::{self, SpanKind};
use r2v_studio::core::{GenerationSpec, Lang, RefSource, Reference};
use r2v_studio::ui::app::{AppState, app_ui};
use r2v_studio::ui::fonts;

fn spec(prompt: &str, names: &[&str]) -> GenerationSpec {
    GenerationSpec {
        references: names
            .iter()
            .map(|n| Reference {
                name: n.to_string(),
                source: RefSource::Url(format!("https://example.com/{n}.png")),
            })
            .collect(),
        prompt: prompt.to_string(),
        ..GenerationSpec::default()
    }
}

fn codes(spec: &GenerationSpec) -> Vec<&'static str> {
    spec.validate().iter().map(|p| p.code).collect()
}

#[test]
fn emoji_rtl_and_combining_marks_around_mentions() {
    let names = ["cat", "猫"];
    for prompt in [
        "🐱🎸 @cat plays with @猫 👨‍👩‍👧 at dusk",
        "مرحبا @cat يلعب مع @猫",
        "e\u{301}cole\u{308} @cat a\u{20dd} @猫 z\u{35c}z",
        "\u{202e}reversed @cat\u{202c} and @猫",
    ] {
        let s = spec(prompt, &names);
        assert!(codes(&s).is_empty(), "{prompt}: {:?}", s.validate());
        let found: Vec<_> = mentions::find_mentions(prompt)
            .iter()
            .map(|m| m.name)
            .collect();
        assert_eq!(found, ["cat", "猫"], "{prompt}");
        // Spans tile the prompt exactly, on char boundaries.
        let spans = mentions::parse(prompt, &names);
        let mut end = 0;
        for span in &spans {
            assert_eq!(span.bytes.start, end, "{prompt}");
            assert!(prompt.is_char_boundary(span.bytes.end));
            end = span.bytes.end;
        }
        assert_eq!(end, prompt.len());
        // Renaming leaves everything else alone.
        let renamed = mentions::rename(prompt, "cat", "tiger");
        assert_eq!(renamed, prompt.replace("@cat", "@tiger"));
    }
}

#[test]
fn a_combining_mark_after_a_name_belongs_to_the_name_and_the_user_is_told() {
    // "@cat" followed by a combining acute accent reads "@cat́": the mark is part
    // of the last letter, so the mention is of "cat\u{301}", not of "cat", and
    // the problem names exactly what the user typed and hints at "@cat ".
    let prompt = "@cat\u{301} runs";
    let found: Vec<_> = mentions::find_mentions(prompt)
        .iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(found, ["cat\u{301}"]);
    let s = spec(prompt, &["cat"]);
    let problems = s.validate();
    let unknown = problems
        .iter()
        .find(|p| p.code == "mention.unknown")
        .unwrap_or_else(|| panic!("{problems:?}"));
    assert!(
        unknown.message.en.contains("@cat\u{301}"),
        "{}",
        unknown.message.en
    );
    assert!(
        unknown.message.en.contains("If you meant @cat,"),
        "{}",
        unknown.message.en
    );
    // A name that ends in the same mark is mentioned whole, and is fine.
    let s = spec("@cat\u{301} runs", &["cat\u{301}"]);
    assert!(codes(&s).is_empty(), "{:?}", s.validate());
}

#[test]
fn at_sign_at_the_end_double_at_and_prefix_names() {
    let names = ["cat", "catfood"];
    // `@` at the very end is text, not a mention.
    assert!(mentions::find_mentions("look @").is_empty());
    assert!(
        mentions::partial_at("look @", 6).is_some(),
        "the popup may open there"
    );
    let s = spec("@cat eats @catfood @", &names);
    assert!(codes(&s).is_empty(), "{:?}", s.validate());
    // `@@cat` is one mention of cat.
    let found: Vec<_> = mentions::find_mentions("@@cat")
        .iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(found, ["cat"]);
    // The longer name wins; the shorter one is not found inside it.
    let found: Vec<_> = mentions::find_mentions("@catfood")
        .iter()
        .map(|m| m.name)
        .collect();
    assert_eq!(found, ["catfood"]);
    // Renaming the short one leaves the long one alone, and back.
    assert_eq!(
        mentions::rename("@cat and @catfood", "cat", "kitty"),
        "@kitty and @catfood"
    );
    assert_eq!(
        mentions::rename("@cat and @catfood", "catfood", "kibble"),
        "@cat and @kibble"
    );
    // An unknown name that starts with a known one gets the space hint.
    let s = spec("@catnap", &["cat"]);
    let problems = s.validate();
    let unknown = problems
        .iter()
        .find(|p| p.code == "mention.unknown")
        .unwrap();
    assert!(
        unknown.message.en.contains("@cat"),
        "{}",
        unknown.message.en
    );
}

#[test]
fn a_hundred_thousand_characters_are_counted_and_the_excess_named() {
    let chunk = "一只猫 @cat 在弹吉他 🎸 ";
    let mut prompt = String::new();
    while prompt.chars().count() < 100_000 {
        prompt.push_str(chunk);
    }
    let s = spec(&prompt, &["cat"]);
    let problems = s.validate();
    let too_long = problems
        .iter()
        .find(|p| p.code == "prompt.too_long")
        .expect("too long");
    let chars = s.prompt_chars();
    let limit = s.model.info().prompt_limit;
    assert!(chars >= 100_000);
    assert!(
        too_long.message.en.contains(&(chars - limit).to_string()),
        "says how many to remove: {}",
        too_long.message.en
    );
    assert!(too_long.message.zh.contains(&(chars - limit).to_string()));
    let spans = mentions::parse(&prompt, &["cat"]);
    assert!(spans.iter().filter(|s| s.kind == SpanKind::Mention).count() > 5000);
}

#[test]
fn pasting_a_hundred_thousand_characters_into_the_editor() {
    let mut state = AppState::new(Lang::Zh, "http://127.0.0.1:9/api/v1".into());
    state
        .editor
        .add_sources(vec![RefSource::Url("https://example.com/cat.png".into())]);
    state.editor.slots[0].name = "cat".into();
    state.editor.slots[0].committed = "cat".into();
    // Like the app (and unlike the other window tests), characters that no
    // bundled font has, emoji here, are drawn as boxes rather than failing.
    let mut h = egui_kittest::Harness::builder()
        .with_size([1280.0, 800.0])
        .allow_missing_glyphs()
        .build_ui_state(
            |ui, state: &mut AppState| {
                fonts::install(ui.ctx());
                app_ui(ui, state);
            },
            state,
        );
    h.run_steps(3);
    h.get_by_label("提示词").click();
    h.run_steps(3);
    let mut text = String::new();
    while text.chars().count() < 100_000 {
        text.push_str("猫 @cat 🎸 abc ");
    }
    h.event(egui::Event::Paste(text.clone()));
    h.run_steps(3);
    assert_eq!(h.state().editor.prompt, text, "the whole paste arrived");
    let chars = h.state().editor.spec().prompt_chars();
    // The counter shows the count, and the problem says what is over.
    assert!(
        h.query_by_label_contains(&chars.to_string()).is_some(),
        "the counter shows {chars}"
    );
    h.state_mut().editor.generate();
    assert!(
        h.state()
            .editor
            .problems
            .iter()
            .any(|p| p.code == "prompt.too_long"),
        "{:?}",
        h.state().editor.problems
    );
    // Typing still works at the end of it.
    h.event(egui::Event::Text("!".into()));
    h.run_steps(3);
    assert!(h.state().editor.prompt.ends_with('!'));
}
