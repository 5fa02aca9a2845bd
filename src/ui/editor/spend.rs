//! Money beside the Generate button: spend today and this month against the
//! caps, and what to do when a spending rule stopped a Generate (the engine
//! checks; see `core::spend`).

use super::EditorState;
use crate::core::capabilities as caps;
use crate::core::spend::{self, money};
use crate::engine::{JobState, Refusal};
use crate::tr;
use crate::ui::command::AppCommand;
use crate::ui::shared::Shared;
use crate::ui::widgets;
use egui::{RichText, Ui};

/// Today's and this month's spend, against the caps when there are any, and
/// a warning when this Generate would go over one.
pub(super) fn spend_ui(ui: &mut Ui, state: &EditorState, shared: Shared<'_>) {
    let Some(report) = shared.spend else {
        return;
    };
    let lang = shared.lang;
    let currency = caps::PRICE_CURRENCY;
    let (budget, totals) = (report.budget, report.totals);
    if !budget.is_set() {
        ui.label(
            RichText::new(tr!(
                lang,
                "editor-spend-no-caps",
                today = money(totals.today),
                month = money(totals.month),
                currency = currency
            ))
            .weak()
            .small(),
        )
        .on_hover_text(tr!(lang, "editor-spend-hint"));
        return;
    }
    if let Some(limit) = budget.daily {
        ui.label(tr!(
            lang,
            "editor-spend-today",
            spent = money(totals.today),
            limit = money(limit),
            currency = currency
        ))
        .on_hover_text(tr!(lang, "editor-spend-hint"));
    }
    if let Some(limit) = budget.monthly {
        ui.label(tr!(
            lang,
            "editor-spend-month",
            spent = money(totals.month),
            limit = money(limit),
            currency = currency
        ))
        .on_hover_text(tr!(lang, "editor-spend-hint"));
    }
    if let Some(cost) = state.total_price(shared.prices)
        && spend::check(budget, totals, cost).is_err()
    {
        ui.colored_label(
            widgets::warn_color(ui),
            tr!(
                lang,
                "editor-spend-would-exceed",
                cost = money(cost),
                currency = currency
            ),
        );
    }
}

/// The question after a refused Generate: send it anyway (another take on
/// purpose, or past the cap this once), look at the earlier job, or not.
pub(super) fn refused_ui(ctx: &egui::Context, state: &mut EditorState, shared: Shared<'_>) {
    let Some(refused) = &state.refused else {
        return;
    };
    let lang = shared.lang;
    let mut choice = None;
    let modal = egui::Modal::new(egui::Id::unique("spend-refused")).show(ctx, |ui| {
        ui.set_max_width(460.0);
        match &refused.refusal {
            Refusal::Duplicate { earlier } => {
                ui.heading(tr!(lang, "editor-refused-duplicate-title"));
                ui.label(refused.refusal.message().get(lang));
                let now = chrono::Utc::now().timestamp_millis();
                let status = match earlier.entered(JobState::Done) {
                    Some(done) if earlier.state == JobState::Done => tr!(
                        lang,
                        "editor-refused-finished-ago",
                        minutes = ((now - done) / 60_000).max(0)
                    ),
                    _ => {
                        let secs = ((now - earlier.created_ms) / 1000).max(0);
                        let words = earlier.state.describe().get(lang).to_string();
                        tr!(
                            lang,
                            "editor-refused-under-way",
                            state = words,
                            elapsed = format!("{}:{:02}", secs / 60, secs % 60)
                        )
                    }
                };
                ui.label(RichText::new(status).strong());
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    if ui
                        .button(tr!(lang, "editor-refused-another-take"))
                        .clicked()
                    {
                        choice = Some(Choice::Anyway);
                    }
                    if let Some(video) = earlier
                        .output_path
                        .clone()
                        .filter(|_| earlier.state == JobState::Done)
                        && ui.button(tr!(lang, "editor-refused-play")).clicked()
                    {
                        choice = Some(Choice::Play(video));
                    }
                    if ui.button(tr!(lang, "editor-refused-cancel")).clicked() {
                        choice = Some(Choice::Cancel);
                    }
                });
            }
            Refusal::OverBudget { .. } => {
                ui.heading(tr!(lang, "editor-refused-budget-title"));
                ui.label(refused.refusal.message().get(lang));
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    if ui.button(tr!(lang, "editor-refused-send-anyway")).clicked() {
                        choice = Some(Choice::Anyway);
                    }
                    if ui.button(tr!(lang, "editor-refused-cancel")).clicked() {
                        choice = Some(Choice::Cancel);
                    }
                });
            }
        }
    });
    if modal.should_close() && choice.is_none() {
        choice = Some(Choice::Cancel);
    }
    match choice {
        Some(Choice::Anyway) => state.send_anyway(),
        Some(Choice::Play(video)) => {
            state.refused = None;
            state.commands.push(AppCommand::OpenPlayer(video));
        }
        Some(Choice::Cancel) => state.refused = None,
        None => {}
    }
}

enum Choice {
    Anyway,
    Play(std::path::PathBuf),
    Cancel,
}
