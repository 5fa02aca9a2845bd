//! The reference slots: up to seven cards with thumbnail, name, facts and problems.

use super::EditorState;
use crate::core::capabilities::MAX_IMAGES;
use crate::core::{Field, RefSource};
use crate::tr;
use crate::ui::command::AppCommand;
use crate::ui::shared::Shared;
use crate::ui::widgets::{self, Thumb, file_size};
use egui::{Id, RichText, Ui};

const CARD_WIDTH: f32 = 150.0;
const THUMB: egui::Vec2 = egui::vec2(138.0, 100.0);

enum Action {
    Remove(usize),
    Move { from: usize, to: usize },
    Rename(usize, String),
}

pub(super) fn references_ui(ui: &mut Ui, state: &mut EditorState, shared: Shared<'_>) {
    ui.horizontal(|ui| {
        ui.label(
            RichText::new(tr!(shared.lang, "editor-refs-title"))
                .strong()
                .size(15.0),
        );
        ui.label(RichText::new(format!("{} / {MAX_IMAGES}", state.slots.len())).weak());
        ui.add_space(8.0);
        let full = state.slots.len() >= MAX_IMAGES;
        if ui
            .add_enabled(
                !full,
                egui::Button::new(tr!(shared.lang, "editor-refs-add-images")),
            )
            .on_hover_text(tr!(shared.lang, "editor-refs-add-images-hint"))
            .clicked()
        {
            state.commands.push(AppCommand::PickFiles);
        }
        let hint = tr!(shared.lang, "editor-refs-url-hint");
        let url_edit = ui.add_enabled(
            !full,
            egui::TextEdit::singleline(&mut state.url_text)
                .id(Id::unique("r2v-url-input"))
                .hint_text(hint)
                .desired_width(220.0),
        );
        let entered = url_edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui
            .add_enabled(
                !full && !state.url_text.trim().is_empty(),
                egui::Button::new(tr!(shared.lang, "editor-refs-add-url")),
            )
            .clicked()
            || entered
        {
            state.add_url_text();
        }
    });
    for message in state.slot_messages.clone() {
        ui.colored_label(widgets::warn_color(ui), message.get(shared.lang));
    }

    let mut actions = Vec::new();
    egui::ScrollArea::horizontal()
        .id_salt("slots-scroll")
        .show(ui, |ui| {
            ui.horizontal_top(|ui| {
                for index in 0..state.slots.len() {
                    card_ui(ui, state, shared, index, &mut actions);
                }
                if state.slots.len() < MAX_IMAGES {
                    empty_card_ui(ui, state, shared);
                }
            });
        });
    for action in actions {
        match action {
            Action::Remove(i) => state.remove_slot(i),
            Action::Move { from, to } => state.move_slot(from, to),
            Action::Rename(i, name) => state.set_name(i, name),
        }
    }
}

fn card_ui(
    ui: &mut Ui,
    state: &mut EditorState,
    shared: Shared<'_>,
    index: usize,
    actions: &mut Vec<Action>,
) {
    let frame = egui::Frame::group(ui.style())
        .inner_margin(6.0)
        .corner_radius(8.0);
    let (_, dropped) = ui.dnd_drop_zone::<usize, _>(frame, |ui| {
        ui.set_width(CARD_WIDTH - 12.0);
        ui.vertical(|ui| card_contents(ui, state, shared, index, actions));
    });
    if let Some(from) = dropped {
        actions.push(Action::Move {
            from: *from,
            to: index,
        });
    }
}

/// Number and remove button, thumbnail (drag to reorder), name, facts, problems.
fn card_contents(
    ui: &mut Ui,
    state: &mut EditorState,
    shared: Shared<'_>,
    index: usize,
    actions: &mut Vec<Action>,
) {
    let slot = state.slots[index].clone();
    let others = state.other_names(index);
    let other_refs: Vec<&str> = others.iter().map(String::as_str).collect();
    let focus_here =
        matches!(state.focus, Some(Field::RefName(i) | Field::RefSource(i)) if i == index);
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("{}", index + 1)).weak().small());
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let remove = ui
                .small_button("×")
                .on_hover_text(tr!(shared.lang, "editor-refs-remove"));
            if remove.clicked() {
                actions.push(Action::Remove(index));
            }
        });
    });
    let drag_id = Id::unique(("slot-drag", slot.key)); // not text: an egui id
    ui.dnd_drag_source(drag_id, index, |ui| {
        widgets::thumb_image(ui, &mut state.textures, slot.key, &slot.thumb, THUMB);
    })
    .response
    .on_hover_text(tr!(shared.lang, "editor-refs-drag"));

    let mut name = slot.name.clone();
    let edit = ui.horizontal(|ui| {
        let label = ui.label(RichText::new("@").weak());
        ui.add(
            egui::TextEdit::singleline(&mut name)
                .id(Id::unique(("slot-name", slot.key))) // not text: an egui id
                .desired_width(CARD_WIDTH - 32.0),
        )
        .labelled_by(label.id)
    });
    let edit = edit.inner;
    if focus_here && !widgets::pointer_busy(ui) {
        edit.request_focus();
        state.focus = None;
    }
    if edit.changed() {
        actions.push(Action::Rename(index, name));
    }
    if let Some(problem) = slot.name_problem(&other_refs) {
        ui.colored_label(
            ui.visuals().error_fg_color,
            RichText::new(problem.get(shared.lang)).small(),
        );
    }
    facts_ui(ui, shared, &slot.source, &slot.thumb);
}

fn facts_ui(ui: &mut Ui, shared: Shared<'_>, source: &RefSource, thumb: &Thumb) {
    let origin = match source {
        RefSource::Local(path) => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        RefSource::Url(url) => url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| url.clone()),
    };
    ui.label(
        RichText::new(crate::core::refname::truncate(&origin, 40))
            .weak()
            .small(),
    )
    .on_hover_text(source.display());
    match thumb {
        Thumb::Ready(image) => {
            ui.label(
                RichText::new(format!(
                    "{} · {}×{} · {}",
                    image.kind.label(),
                    image.source_width,
                    image.source_height,
                    file_size(image.file_bytes)
                ))
                .small(),
            );
            if let Some(note) = &image.upload_note {
                ui.colored_label(
                    widgets::warn_color(ui),
                    RichText::new(note.get(shared.lang)).small(),
                );
            }
        }
        Thumb::Loading => {
            ui.label(
                RichText::new(tr!(shared.lang, "editor-refs-reading"))
                    .weak()
                    .small(),
            );
        }
        Thumb::Failed(reason) => {
            ui.colored_label(
                ui.visuals().error_fg_color,
                RichText::new(reason.get(shared.lang)).small(),
            );
        }
    }
}

fn empty_card_ui(ui: &mut Ui, state: &mut EditorState, shared: Shared<'_>) {
    let frame = egui::Frame::NONE
        .inner_margin(6.0)
        .corner_radius(8.0)
        .stroke(egui::Stroke::new(1.0, ui.visuals().weak_text_color()));
    let response = frame
        .show(ui, |ui| {
            ui.set_width(CARD_WIDTH - 12.0);
            ui.set_height(THUMB.y + 70.0);
            ui.centered_and_justified(|ui| {
                ui.label(RichText::new(tr!(shared.lang, "editor-refs-empty-card")).weak())
            });
        })
        .response
        .interact(egui::Sense::click());
    if response.clicked() {
        state.commands.push(AppCommand::PickFiles);
    }
}
