//! The look of the video: model, resolution, ratio, length, sound, watermark, seed,
//! and the estimated price. Only valid choices are offered.

use super::EditorState;
use crate::core::capabilities::{self as caps, Durations, SEED_MAX};
use crate::core::{Field, Seed};
use crate::engine::MAX_TAKES;
use crate::tr;
use crate::ui::shared::Shared;
use crate::ui::widgets;
use egui::{RichText, Ui};

pub(super) fn params_ui(ui: &mut Ui, state: &mut EditorState, shared: Shared<'_>) {
    let before = state.params.clone();
    let model_label = section(ui, tr!(shared.lang, "editor-params-model"));
    let current = state.params.model;
    let mut chosen = current;
    egui::ComboBox::from_id_salt("model-choice")
        .selected_text(current.info().display_name)
        .width(ui.available_width() - 8.0)
        .show_ui(ui, |ui| {
            for &model in shared.region.models() {
                ui.selectable_value(&mut chosen, model, model.info().display_name);
            }
        })
        .response
        .labelled_by(model_label.id);
    if chosen != current {
        state.switch_model(chosen);
    }
    let description = state
        .params
        .model
        .description()
        .get(shared.lang)
        .to_string();
    ui.label(RichText::new(description).weak().small());
    if !state.params.model.confirmed() {
        ui.label(
            RichText::new(tr!(shared.lang, "editor-params-model-unconfirmed"))
                .color(ui.visuals().warn_fg_color)
                .small(),
        )
        .on_hover_text(tr!(shared.lang, "editor-params-model-unconfirmed-tooltip"));
    }

    section(ui, tr!(shared.lang, "editor-params-resolution"));
    ui.horizontal(|ui| {
        for tier in state.params.model.tiers().collect::<Vec<_>>() {
            let r = ui.selectable_value(&mut state.params.tier, tier, tier.label());
            if matches!(state.focus, Some(Field::Tier)) {
                r.request_focus();
            }
        }
    });

    section(ui, tr!(shared.lang, "editor-params-ratio"));
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 4.0;
        for ratio in state
            .params
            .model
            .ratios(state.params.tier)
            .collect::<Vec<_>>()
        {
            let selected = state.params.ratio == ratio;
            let r = widgets::ratio_button(ui, ratio, selected);
            if r.clicked() {
                state.params.ratio = ratio;
            }
            if selected && matches!(state.focus, Some(Field::Ratio)) {
                r.request_focus();
            }
        }
    });
    if let Some(size) = state.params.size() {
        ui.label(
            RichText::new(tr!(
                shared.lang,
                "editor-params-size",
                size = size.to_string().replace('*', " × ")
            ))
            .weak()
            .small(),
        );
    }

    let length_label = section(ui, tr!(shared.lang, "editor-params-length"));
    match state.params.model.durations(state.params.tier) {
        Durations::Range { min, max } => {
            let slider = egui::Slider::new(&mut state.params.duration, min..=max)
                .suffix(tr!(shared.lang, "editor-params-seconds-suffix"))
                .step_by(1.0);
            let r = ui.add(slider).labelled_by(length_label.id);
            if matches!(state.focus, Some(Field::Duration)) {
                r.request_focus();
            }
        }
        Durations::Choices(values) => {
            ui.horizontal(|ui| {
                for &value in values {
                    let label = tr!(shared.lang, "editor-params-seconds", seconds = value);
                    ui.selectable_value(&mut state.params.duration, value, label);
                }
            });
        }
    }

    ui.add_space(6.0);
    let sound = tr!(shared.lang, "editor-params-sound");
    ui.checkbox(&mut state.params.audio, sound);
    let watermark = tr!(shared.lang, "editor-params-watermark");
    ui.checkbox(&mut state.params.watermark, watermark);

    let seed_label = section(ui, tr!(shared.lang, "editor-params-seed"));
    let roll = tr!(shared.lang, "editor-params-seed-roll");
    let random = tr!(shared.lang, "editor-params-seed-random");
    let fixed_label = tr!(shared.lang, "editor-params-seed-fixed");
    ui.horizontal(|ui| {
        let mut fixed = matches!(state.params.seed, Seed::Fixed(_));
        if ui.radio_value(&mut fixed, false, random).clicked() {
            state.params.seed = Seed::Random;
        }
        if ui.radio_value(&mut fixed, true, fixed_label).clicked()
            && state.params.seed == Seed::Random
        {
            state.params.seed = Seed::Fixed(fastrand::u32(0..=SEED_MAX));
        }
        if let Seed::Fixed(value) = &mut state.params.seed {
            let drag = ui
                .add(egui::DragValue::new(value).range(0..=SEED_MAX).speed(1.0))
                .labelled_by(seed_label.id);
            if matches!(state.focus, Some(Field::Seed)) {
                drag.request_focus();
            }
            if widgets::dice_button(ui, &roll)
                .on_hover_text(&roll)
                .clicked()
            {
                *value = fastrand::u32(0..=SEED_MAX);
            }
        }
    });
    if state.params.seed != Seed::Random {
        ui.label(
            RichText::new(tr!(shared.lang, "editor-params-seed-note"))
                .weak()
                .small(),
        );
    }

    if state.params != before {
        // A model switch wrote its own notes; any other change makes old notes stale.
        if state.params.model == before.model {
            state.notes.clear();
        }
        state.fit_params();
    }
    if matches!(
        state.focus,
        Some(Field::Tier | Field::Ratio | Field::Duration | Field::Seed | Field::Model)
    ) && !widgets::pointer_busy(ui)
    {
        state.focus = None;
    }

    ui.add_space(8.0);
    match state.estimated_price(shared.prices) {
        Some(price) => {
            ui.label(
                RichText::new(tr!(
                    shared.lang,
                    "editor-params-price",
                    price = format!("{price:.2}"),
                    currency = caps::PRICE_CURRENCY
                ))
                .strong(),
            )
            .on_hover_text(tr!(shared.lang, "editor-params-price-hint"));
        }
        None => {
            ui.label(RichText::new(tr!(shared.lang, "editor-params-no-price")).weak());
        }
    }
    for note in state.notes.clone() {
        ui.colored_label(
            widgets::warn_color(ui),
            RichText::new(format!("※ {}", note.get(shared.lang))).small(),
        );
    }
}

fn section(ui: &mut Ui, title: String) -> egui::Response {
    ui.add_space(6.0);
    ui.label(RichText::new(title).strong())
}

/// How many takes Generate sends, and what that means for the seed.
fn takes_ui(ui: &mut Ui, state: &mut EditorState, shared: Shared<'_>) {
    let lang = shared.lang;
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        ui.label(RichText::new(tr!(lang, "editor-params-takes")).strong())
            .on_hover_text(tr!(lang, "editor-params-takes-hint"));
        let mut takes = state.take_count();
        for n in 1..=MAX_TAKES {
            ui.selectable_value(&mut takes, n, n.to_string())
                .on_hover_text(tr!(lang, "editor-params-takes-button", takes = n));
        }
        state.takes = takes;
    });
    let takes = state.take_count();
    if takes > 1 {
        let note = match state.params.seed {
            Seed::Random => tr!(lang, "editor-params-takes-random-seed", takes = takes),
            Seed::Fixed(seed) => tr!(lang, "editor-params-takes-fixed-seed", seed = seed),
        };
        ui.label(RichText::new(note).weak().small());
    }
}

/// The Generate button (with the total estimate when several takes go), the
/// problems that stop it, and the request preview.
pub(super) fn generate_ui(ui: &mut Ui, state: &mut EditorState, shared: Shared<'_>) {
    let lang = shared.lang;
    takes_ui(ui, state, shared);
    ui.add_space(6.0);
    let takes = state.take_count();
    let label = match takes {
        1 => tr!(lang, "editor-params-generate"),
        _ => tr!(lang, "editor-params-generate-takes", takes = takes),
    };
    let button = egui::Button::new(RichText::new(label).size(18.0).strong())
        .min_size(egui::vec2(ui.available_width(), 40.0));
    let r = ui
        .add(button)
        .on_hover_text(tr!(lang, "editor-params-generate-shortcut"));
    if takes > 1 {
        let total = match (
            state.estimated_price(shared.prices),
            state.total_price(shared.prices),
        ) {
            (Some(one), Some(total)) => tr!(
                lang,
                "editor-params-total-price",
                total = format!("{total:.2}"),
                takes = takes,
                price = format!("{one:.2}"),
                currency = caps::PRICE_CURRENCY
            ),
            _ => tr!(lang, "editor-params-total-no-price", takes = takes),
        };
        ui.label(RichText::new(total).strong());
    }
    super::spend::spend_ui(ui, state, shared);
    if r.clicked() {
        state.generate();
    }
    if ui
        .small_button(tr!(lang, "editor-params-show-request"))
        .clicked()
    {
        state.show_request = true;
    }
    if !state.problems.is_empty() {
        ui.add_space(6.0);
        ui.colored_label(
            ui.visuals().error_fg_color,
            RichText::new(tr!(
                shared.lang,
                "editor-params-problems",
                count = state.problems.len()
            ))
            .strong(),
        );
        let problems = state.problems.clone();
        egui::ScrollArea::vertical()
            .id_salt("problems")
            .max_height(200.0)
            .show(ui, |ui| {
                for problem in problems {
                    let text = format!("• {}", problem.message.get(shared.lang));
                    let link = ui.add(
                        egui::Label::new(RichText::new(text).color(ui.visuals().error_fg_color))
                            .sense(egui::Sense::click()),
                    );
                    if link
                        .on_hover_cursor(egui::CursorIcon::PointingHand)
                        .clicked()
                    {
                        state.focus = Some(problem.field.clone());
                    }
                }
            });
    }
}
