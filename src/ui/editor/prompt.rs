//! The prompt editor: mentions drawn as chips, an `@` popup at the caret, a counter.

use super::{EditorState, Popup};
use crate::core::Field;
use crate::core::mentions::{self, byte_of_char, completions, partial_at};
use crate::tr;
use crate::ui::shared::Shared;
use crate::ui::widgets::{self, highlight};
use egui::text::{CCursor, CCursorRange};
use egui::{Id, Key, Modifiers, TextBuffer, TextEdit, Ui};

/// The editor's widget id (tests and focus requests use it).
pub fn editor_id() -> Id {
    Id::unique("r2v-prompt-editor")
}

pub(super) fn prompt_ui(ui: &mut Ui, state: &mut EditorState, shared: Shared<'_>) {
    let id = editor_id();
    let label = ui.label(
        egui::RichText::new(tr!(shared.lang, "editor-prompt-label"))
            .strong()
            .size(15.0),
    );
    let names: Vec<String> = state.names().iter().map(|s| s.to_string()).collect();
    let candidates: Vec<String> = match state.popup.anchor {
        Some(_) => completions(&state_partial(state), &names)
            .into_iter()
            .map(str::to_string)
            .collect(),
        None => Vec::new(),
    };

    // Keys for the popup are taken before the editor sees them, so that Enter
    // never becomes a newline. While an input method composes, keys are its own.
    // The popup is only open while the editor had the keyboard last frame (egui
    // itself lets go of it on Escape before this runs).
    let mut ime_now = false;
    ui.input(|i| {
        for event in &i.events {
            if let egui::Event::Ime(ime) = event {
                ime_now = true;
                state.ime_composing = match ime {
                    egui::ImeEvent::Preedit { text, .. } => !text.is_empty(),
                    egui::ImeEvent::Commit(_) => false,
                    _ => state.ime_composing,
                };
            }
        }
    });
    let composing = ime_now || state.ime_composing;
    if state.popup.anchor.is_some() && !composing && !candidates.is_empty() {
        let mut accept = None;
        ui.input_mut(|i| {
            if i.consume_key(Modifiers::NONE, Key::ArrowDown) {
                state.popup.selected = (state.popup.selected + 1) % candidates.len();
            }
            if i.consume_key(Modifiers::NONE, Key::ArrowUp) {
                state.popup.selected =
                    (state.popup.selected + candidates.len() - 1) % candidates.len();
            }
            if i.consume_key(Modifiers::NONE, Key::Enter)
                || i.consume_key(Modifiers::NONE, Key::Tab)
            {
                accept = Some(state.popup.selected.min(candidates.len() - 1));
            }
            if i.consume_key(Modifiers::NONE, Key::Escape) {
                state.popup.dismissed = state.popup.anchor;
                state.popup.anchor = None;
            }
        });
        // egui also lets go of the keyboard on Escape: keep typing where we were.
        if state.popup.anchor.is_none() {
            ui.memory_mut(|m| m.request_focus(id));
        }
        if let Some(choice) = accept {
            insert_mention(ui.ctx(), state, &candidates[choice]);
        }
    }

    if let Some(Field::Prompt(range)) = state.focus.clone()
        && !widgets::pointer_busy(ui)
    {
        ui.memory_mut(|m| m.request_focus(id));
        if let Some(range) = range
            && let Some(mut ts) = TextEdit::load_state(ui.ctx(), id)
        {
            ts.cursor.set_char_range(Some(CCursorRange::two(
                CCursor::new(range.start),
                CCursor::new(range.end),
            )));
            ts.store(ui.ctx(), id);
        }
        state.focus = None;
    }

    let known = names.clone();
    let mut layouter = move |ui: &Ui, text: &dyn TextBuffer, wrap_width: f32| {
        let mut job = highlight(ui, text.as_str(), &known);
        job.wrap.max_width = wrap_width;
        ui.ctx().fonts_mut(|f| f.layout_job(job))
    };
    let hint = tr!(shared.lang, "editor-prompt-hint");
    let output = TextEdit::multiline(&mut state.prompt)
        .id(id)
        .hint_text(hint)
        .desired_rows(7)
        .desired_width(f32::INFINITY)
        .lock_focus(true)
        .layouter(&mut layouter)
        .show(ui);
    let response = (*output.response).clone().labelled_by(label.id);

    // Open, follow or close the popup from where the caret is.
    let caret = output.cursor_range.map(|r| r.primary.index.0);
    match (
        response.has_focus(),
        caret.and_then(|c| partial_at(&state.prompt, c).map(|(at, _)| (at, c))),
    ) {
        (true, Some((at, caret))) if state.popup.dismissed != Some(at) => {
            if state.popup.anchor != Some(at) {
                state.popup.selected = 0;
            }
            state.popup.anchor = Some(at);
            state.popup_caret = caret;
        }
        (true, Some(_)) => state.popup.anchor = None,
        (focused, _) => {
            // Closed by a space, by moving away, or by leaving the editor; a click
            // on the popup itself is handled below before focus is checked again.
            if !focused || caret.is_some() {
                state.popup.anchor = None;
                if caret.is_some() {
                    state.popup.dismissed = None;
                }
            }
        }
    }

    if let (Some(at), true) = (state.popup.anchor, response.has_focus()) {
        let candidates: Vec<String> = completions(&state_partial(state), &names)
            .into_iter()
            .map(str::to_string)
            .collect();
        if !candidates.is_empty() {
            let rect = output.galley.pos_from_cursor(CCursor::new(at));
            let pos = output.galley_pos + rect.left_bottom().to_vec2() + egui::vec2(0.0, 4.0);
            let mut clicked = None;
            // not text: an egui id
            egui::Area::new(id.with("mention-popup"))
                .order(egui::Order::Foreground)
                .fixed_pos(pos)
                .show(ui.ctx(), |ui| {
                    egui::Frame::popup(ui.style()).show(ui, |ui| {
                        ui.set_min_width(180.0);
                        for (i, name) in candidates.iter().enumerate() {
                            let selected = i == state.popup.selected.min(candidates.len() - 1);
                            let row = ui.horizontal(|ui| {
                                if let Some(slot) =
                                    state.slots.iter().find(|s| &s.committed == name).cloned()
                                {
                                    widgets::thumb_image(
                                        ui,
                                        &mut state.textures,
                                        slot.key,
                                        &slot.thumb,
                                        egui::vec2(28.0, 28.0),
                                    );
                                }
                                ui.add(egui::Button::selectable(selected, format!("@{name}")))
                            });
                            if row.inner.clicked() {
                                clicked = Some(i);
                            }
                        }
                    });
                });
            if let Some(i) = clicked {
                insert_mention(ui.ctx(), state, &candidates[i]);
                ui.memory_mut(|m| m.request_focus(id));
            }
        }
    }

    // Hovering a mention shows its picture.
    if response.hovered()
        && let Some(pointer) = ui.input(|i| i.pointer.hover_pos())
    {
        let index = output
            .galley
            .cursor_from_pos(pointer - output.galley_pos)
            .index
            .0;
        let spans = mentions::parse(&state.prompt, &names);
        if let Some(span) = spans
            .iter()
            .find(|s| s.is_mention() && s.chars.contains(&index))
        {
            let name = span.name(&state.prompt).unwrap_or_default().to_string();
            let slot = state.slots.iter().find(|s| s.committed == name).cloned();
            response.clone().on_hover_ui_at_pointer(|ui| match slot {
                Some(slot) => {
                    widgets::thumb_image(
                        ui,
                        &mut state.textures,
                        slot.key,
                        &slot.thumb,
                        egui::vec2(160.0, 120.0),
                    );
                    ui.label(format!("@{name}"));
                }
                None => {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        tr!(shared.lang, "editor-prompt-unknown-name", name = &name),
                    );
                }
            });
        }
    }

    counter_ui(ui, state, shared);
}

fn state_partial(state: &EditorState) -> String {
    state
        .popup
        .anchor
        .and_then(|_| partial_at(&state.prompt, state.popup_caret))
        .map(|(_, p)| p.to_string())
        .unwrap_or_default()
}

/// Replaces `@partial` at the caret with `@name ` and puts the caret after it.
fn insert_mention(ctx: &egui::Context, state: &mut EditorState, name: &str) {
    let Some(at) = state.popup.anchor else { return };
    let caret = state.popup_caret;
    let (Some(start), Some(end)) = (
        byte_of_char(&state.prompt, at),
        byte_of_char(&state.prompt, caret),
    ) else {
        return;
    };
    let followed_by_space = state.prompt[end..].starts_with(' ');
    let insert = if followed_by_space {
        format!("@{name}")
    } else {
        format!("@{name} ")
    };
    state.prompt.replace_range(start..end, &insert);
    let new_caret = at + insert.chars().count() + usize::from(followed_by_space);
    let id = editor_id();
    let mut ts = TextEdit::load_state(ctx, id).unwrap_or_default();
    ts.cursor
        .set_char_range(Some(CCursorRange::one(CCursor::new(new_caret))));
    ts.store(ctx, id);
    state.popup = Popup::default();
}

fn counter_ui(ui: &mut Ui, state: &EditorState, shared: Shared<'_>) {
    let spec = state.spec();
    let used = spec.prompt_chars();
    let limit = spec.model.prompt_limit();
    let over = used > limit;
    ui.horizontal(|ui| {
        let text = format!("{used} / {limit}");
        let color = if over {
            ui.visuals().error_fg_color
        } else {
            ui.visuals().weak_text_color()
        };
        ui.label(egui::RichText::new(text).color(color).monospace());
        if over {
            ui.colored_label(
                ui.visuals().error_fg_color,
                tr!(
                    shared.lang,
                    "editor-prompt-over-limit",
                    over = used - limit,
                    model = spec.model.info().display_name
                ),
            );
        } else {
            ui.label(
                egui::RichText::new(tr!(shared.lang, "editor-prompt-counter-note"))
                    .weak()
                    .small(),
            );
        }
    });
    let unknown: Vec<String> = mentions::find_mentions(&state.prompt)
        .iter()
        .filter(|m| !state.slots.iter().any(|s| s.committed == m.name))
        .map(|m| format!("@{}", m.name))
        .collect();
    if !unknown.is_empty() {
        ui.colored_label(
            ui.visuals().error_fg_color,
            tr!(
                shared.lang,
                "editor-prompt-unknown-mentions",
                mentions = unknown.join(" ")
            ),
        );
    }
}
