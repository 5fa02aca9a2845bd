//! The look of the video: model, resolution, ratio, length, sound, watermark, seed,
//! and the estimated price. Only valid choices are offered.

use super::state::AppState;
use super::widgets;
use crate::core::capabilities::{self as caps, Durations, SEED_MAX};
use crate::core::{Field, Localized, Model, Seed};
use egui::{RichText, Ui};

pub fn params_ui(ui: &mut Ui, state: &mut AppState) {
    let before = state.params.clone();
    let model_label = section(ui, state, Localized::new("Model", "模型"));
    let current = state.params.model;
    let mut chosen = current;
    egui::ComboBox::from_id_salt("model-choice")
        .selected_text(current.info().display_name)
        .width(ui.available_width() - 8.0)
        .show_ui(ui, |ui| {
            for model in Model::ALL {
                ui.selectable_value(&mut chosen, model, model.info().display_name);
            }
        })
        .response
        .labelled_by(model_label.id);
    if chosen != current {
        state.switch_model(chosen);
    }
    let description = state.t(&state.params.model.description());
    ui.label(RichText::new(description).weak().small());

    section(ui, state, Localized::new("Resolution", "分辨率"));
    ui.horizontal(|ui| {
        for tier in state.params.model.tiers().collect::<Vec<_>>() {
            let r = ui.selectable_value(&mut state.params.tier, tier, tier.label());
            if matches!(state.focus, Some(Field::Tier)) {
                r.request_focus();
            }
        }
    });

    section(ui, state, Localized::new("Aspect ratio", "画幅"));
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
            RichText::new(format!("{} px", size.to_string().replace('*', " × ")))
                .weak()
                .small(),
        );
    }

    let length_label = section(ui, state, Localized::new("Length", "时长"));
    match state.params.model.durations(state.params.tier) {
        Durations::Range { min, max } => {
            let slider = egui::Slider::new(&mut state.params.duration, min..=max)
                .suffix(" s")
                .step_by(1.0);
            let r = ui.add(slider).labelled_by(length_label.id);
            if matches!(state.focus, Some(Field::Duration)) {
                r.request_focus();
            }
        }
        Durations::Choices(values) => {
            ui.horizontal(|ui| {
                for &value in values {
                    ui.selectable_value(&mut state.params.duration, value, format!("{value} s"));
                }
            });
        }
    }

    ui.add_space(6.0);
    let sound = state.t(&Localized::new(
        "Sound (music or effects to match)",
        "声音（配上相应的音乐或音效）",
    ));
    ui.checkbox(&mut state.params.audio, sound);
    let watermark = state.t(&Localized::new("Watermark “AI生成”", "水印“AI生成”"));
    ui.checkbox(&mut state.params.watermark, watermark);

    let seed_label = section(ui, state, Localized::new("Seed", "种子"));
    let roll = state.t(&Localized::new("Roll a new seed", "随机生成新种子"));
    ui.horizontal(|ui| {
        let mut fixed = matches!(state.params.seed, Seed::Fixed(_));
        if ui
            .radio_value(
                &mut fixed,
                false,
                state.t(&Localized::new("Random", "随机")),
            )
            .clicked()
        {
            state.params.seed = Seed::Random;
        }
        if ui
            .radio_value(&mut fixed, true, state.t(&Localized::new("Fixed", "固定")))
            .clicked()
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
            if widgets::dice_button(ui).on_hover_text(roll).clicked() {
                *value = fastrand::u32(0..=SEED_MAX);
            }
        }
    });
    if state.params.seed != Seed::Random {
        ui.label(
            RichText::new(state.t(&Localized::new(
                "The same seed does not guarantee the same video.",
                "相同的种子并不保证生成相同的视频。",
            )))
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
    match state.estimated_price() {
        Some(price) => {
            ui.label(
                RichText::new(format!(
                    "≈ {price:.2} {} {}",
                    caps::PRICE_CURRENCY,
                    state.t(&Localized::new("(estimate)", "（估算）"))
                ))
                .strong(),
            )
            .on_hover_text(state.t(&Localized::new(
                "Estimated from an editable price table: no official per-second price is published for these models.",
                "根据可编辑的价格表估算：官方未公布这些模型的每秒价格。",
            )));
        }
        None => {
            ui.label(
                RichText::new(state.t(&Localized::new("No price estimate", "无价格估算"))).weak(),
            );
        }
    }
    for note in state.notes.clone() {
        ui.colored_label(
            widgets::warn_color(ui),
            RichText::new(format!("※ {}", state.t(&note))).small(),
        );
    }
}

fn section(ui: &mut Ui, state: &AppState, title: Localized) -> egui::Response {
    ui.add_space(6.0);
    ui.label(RichText::new(state.t(&title)).strong())
}

/// The Generate button, the problems that stop it, and the request preview.
pub fn generate_ui(ui: &mut Ui, state: &mut AppState) {
    ui.add_space(10.0);
    let button = egui::Button::new(
        RichText::new(state.t(&Localized::new("Generate", "生成")))
            .size(18.0)
            .strong(),
    )
    .min_size(egui::vec2(ui.available_width(), 40.0));
    let r = ui.add(button).on_hover_text("Ctrl+Enter");
    if r.clicked() {
        state.generate();
    }
    if ui
        .small_button(state.t(&Localized::new(
            "Show the request (JSON / curl)",
            "查看请求（JSON / curl）",
        )))
        .clicked()
    {
        state.show_request = true;
    }
    if !state.problems.is_empty() {
        ui.add_space(6.0);
        ui.colored_label(
            ui.visuals().error_fg_color,
            RichText::new(state.t(&Localized::new(
                format!("{} to fix before generating:", state.problems.len()),
                format!("生成前需要修正 {} 处：", state.problems.len()),
            )))
            .strong(),
        );
        let problems = state.problems.clone();
        egui::ScrollArea::vertical()
            .id_salt("problems")
            .max_height(200.0)
            .show(ui, |ui| {
                for problem in problems {
                    let text = format!("• {}", state.t(&problem.message));
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
