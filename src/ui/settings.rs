//! The settings window: API key, region, output folder, limits, prices, language,
//! theme. Edits a draft; Save hands it to the shell, which stores it off the UI
//! thread and restarts the engine with it.

use super::command::AppCommand;
use crate::api::ApiKey;
use crate::core::capabilities::{self as caps, Model, Region};
use crate::core::{Lang, Localized};
use crate::engine::Command;
use crate::provenance::archive::Report;
use crate::settings::{KeyLookup, KeySource, Settings, Theme};
use crate::tr;
use egui::{Id, RichText, Ui};
use std::path::PathBuf;

/// What the window knows about the saved key (never the key itself).
#[derive(Debug, Clone, Default)]
pub struct KeyInfo {
    /// `sk-…abcd`.
    pub masked: Option<String>,
    pub source: Option<KeySource>,
    /// Why the keychain could not be used.
    pub keychain_problem: Option<String>,
}

impl KeyInfo {
    /// What a key lookup found, masked.
    pub fn from_lookup(lookup: &KeyLookup) -> KeyInfo {
        KeyInfo {
            masked: lookup.key.as_ref().map(ApiKey::masked),
            source: Some(lookup.source),
            keychain_problem: lookup.keychain_problem.clone(),
        }
    }
}

/// A cap as first offered when its box is ticked.
const DEFAULT_CAP: f64 = 20.0;

/// The settings window's own state.
#[derive(Debug, Default)]
pub struct SettingsPanel {
    pub open: bool,
    pub draft: Settings,
    /// A key being typed: sent once on Save, then cleared; never shown again.
    pub key_entry: String,
    /// Store the key in a 0600 file when there is no keychain.
    pub allow_file: bool,
    pub key: KeyInfo,
    /// The last "Test" result.
    pub test_result: Option<(bool, Localized)>,
    pub testing: bool,
    /// A message about saving (errors).
    pub message: Option<Localized>,
    /// `--demo`: the key belongs to the built-in simulator.
    pub demo: bool,
    /// The reference archive's size as the engine last told it (or why not);
    /// `None` while it is being measured.
    pub archive: Option<Result<Report, Localized>>,
    /// A clean-up of the archive was asked for and has not answered yet.
    pub pruning: bool,
    /// What the window asks of the shell, taken each frame.
    pub commands: Vec<AppCommand>,
}

impl SettingsPanel {
    /// Opens the window afresh (no message or test result from last time)
    /// and asks the engine for the reference archive's size.
    pub fn open(&mut self) {
        self.open = true;
        self.message = None;
        self.test_result = None;
        self.archive = None;
        self.pruning = false;
        self.commands
            .push(AppCommand::Engine(Command::MeasureArchive));
    }

    /// The engine's answer about the reference archive.
    pub fn archive_measured(&mut self, result: Result<Report, Localized>) {
        self.pruning = false;
        self.archive = Some(result);
    }

    /// The window, while it is open.
    pub fn window(&mut self, ctx: &egui::Context, lang: Lang) {
        settings_window(ctx, self, lang);
    }

    /// The window's contents.
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang) {
        settings_ui(ui, self, lang);
    }

    /// The output folder chosen in the dialog.
    pub fn folder_chosen(&mut self, path: PathBuf) {
        self.draft.output_dir = Some(path);
    }

    /// The answer to "Test".
    pub fn tested(&mut self, ok: bool, text: Localized) {
        self.testing = false;
        self.test_result = Some((ok, text));
    }
}

fn settings_window(ctx: &egui::Context, panel: &mut SettingsPanel, lang: Lang) {
    if !panel.open {
        return;
    }
    let mut open = true;
    let title = tr!(lang, "settings-title");
    egui::Window::new(title)
        .id(Id::unique("settings-window"))
        .open(&mut open)
        .default_size([560.0, 690.0])
        .show(ctx, |ui| {
            let height = (ctx.content_rect().height() - 190.0).clamp(160.0, 620.0);
            egui::ScrollArea::vertical()
                .max_height(height)
                .auto_shrink([false, true])
                .show(ui, |ui| settings_ui(ui, panel, lang));
            ui.separator();
            footer_ui(ui, panel, lang);
        });
    if !open {
        panel.open = false;
        panel.key_entry.clear();
    }
}

fn heading(ui: &mut Ui, text: String) -> egui::Response {
    ui.add_space(8.0);
    ui.label(RichText::new(text).strong().size(15.0))
}

fn settings_ui(ui: &mut Ui, panel: &mut SettingsPanel, lang: Lang) {
    key_ui(ui, panel, lang);

    region_ui(ui, &mut panel.draft, lang);

    let folder = heading(ui, tr!(lang, "settings-output-folder"));
    ui.horizontal(|ui| {
        let shown = panel
            .draft
            .output_dir
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| tr!(lang, "settings-output-default"));
        ui.label(RichText::new(shown).monospace())
            .labelled_by(folder.id);
        if ui.button(tr!(lang, "settings-output-choose")).clicked() {
            panel.commands.push(AppCommand::PickOutputFolder);
        }
        if panel.draft.output_dir.is_some()
            && ui
                .button(tr!(lang, "settings-output-use-default"))
                .clicked()
        {
            panel.draft.output_dir = None;
        }
    });

    let limits = heading(ui, tr!(lang, "settings-limits"));
    ui.horizontal(|ui| {
        ui.label(tr!(lang, "settings-jobs-per-model"));
        ui.add(egui::Slider::new(
            &mut panel.draft.jobs_per_series,
            1..=caps::RUNNING_TASKS_PER_SERIES,
        ))
        .labelled_by(limits.id);
    });
    ui.horizontal(|ui| {
        ui.label(tr!(lang, "settings-checks-per-second"));
        ui.add(egui::Slider::new(
            &mut panel.draft.queries_per_second,
            1..=crate::engine::schedule::MAX_QUERIES_PER_SECOND,
        ))
        .labelled_by(limits.id);
    });

    let prices = heading(ui, tr!(lang, "settings-prices"));
    ui.label(
        RichText::new(tr!(
            lang,
            "settings-prices-note",
            currency = caps::PRICE_CURRENCY
        ))
        .weak()
        .small(),
    );
    // not text: an egui id
    egui::Grid::new("price-grid").striped(true).show(ui, |ui| {
        ui.label("");
        for tier in caps::Tier::ALL {
            ui.label(tier.label());
        }
        ui.end_row();
        for model in Model::ALL {
            ui.label(model.info().display_name);
            for tier in caps::Tier::ALL {
                if let Some(entry) = panel
                    .draft
                    .prices
                    .iter_mut()
                    .find(|e| e.model == model && e.tier == tier)
                {
                    ui.add(
                        egui::DragValue::new(&mut entry.per_second)
                            .range(0.0..=100.0)
                            .speed(0.01)
                            .fixed_decimals(2),
                    )
                    .labelled_by(prices.id);
                }
            }
            ui.end_row();
        }
    });
    if ui.button(tr!(lang, "settings-prices-reset")).clicked() {
        panel.draft.prices = caps::default_prices();
    }

    let budget = heading(ui, tr!(lang, "settings-budget"));
    ui.label(
        RichText::new(tr!(
            lang,
            "settings-budget-note",
            currency = caps::PRICE_CURRENCY
        ))
        .weak()
        .small(),
    );
    for (cap, label) in [
        (
            &mut panel.draft.budget.daily,
            tr!(lang, "settings-budget-daily"),
        ),
        (
            &mut panel.draft.budget.monthly,
            tr!(lang, "settings-budget-monthly"),
        ),
    ] {
        ui.horizontal(|ui| {
            let mut on = cap.is_some();
            if ui.checkbox(&mut on, label).changed() {
                *cap = on.then_some(DEFAULT_CAP);
            }
            if let Some(amount) = cap {
                ui.add(
                    egui::DragValue::new(amount)
                        .range(0.01..=1_000_000.0)
                        .speed(0.5)
                        .fixed_decimals(2)
                        .suffix(format!(" {}", caps::PRICE_CURRENCY)),
                )
                .labelled_by(budget.id);
            }
        });
    }

    archive_ui(ui, panel, lang);

    heading(ui, tr!(lang, "settings-language-and-theme"));
    ui.horizontal(|ui| {
        let chosen = panel.draft.lang.unwrap_or(lang);
        if ui
            .radio(chosen == Lang::En, tr!(lang, "settings-language-english"))
            .clicked()
        {
            panel.draft.lang = Some(Lang::En);
        }
        if ui
            .radio(chosen == Lang::Zh, tr!(lang, "settings-language-chinese"))
            .clicked()
        {
            panel.draft.lang = Some(Lang::Zh);
        }
    });
    ui.horizontal(|ui| {
        let theme = panel.draft.theme;
        for (value, label) in [
            (Theme::System, tr!(lang, "settings-theme-system")),
            (Theme::Light, tr!(lang, "settings-theme-light")),
            (Theme::Dark, tr!(lang, "settings-theme-dark")),
        ] {
            if ui.radio(theme == value, label).clicked() {
                panel.draft.theme = value;
            }
        }
    });
}

/// Save and Close, always in view below the settings (which scroll).
fn footer_ui(ui: &mut Ui, panel: &mut SettingsPanel, lang: Lang) {
    if let Some(message) = &panel.message {
        ui.colored_label(ui.visuals().error_fg_color, message.get(lang));
    }
    ui.horizontal(|ui| {
        if ui
            .button(RichText::new(tr!(lang, "settings-save")).strong())
            .clicked()
        {
            let draft = panel.draft.clone().clamped();
            panel.commands.push(AppCommand::SaveSettings(draft));
        }
        if ui.button(tr!(lang, "settings-close")).clicked() {
            panel.open = false;
            panel.key_entry.clear();
        }
    });
}

/// The reference archive: its size, and the clean-up of what no job uses.
fn archive_ui(ui: &mut Ui, panel: &mut SettingsPanel, lang: Lang) {
    heading(ui, tr!(lang, "provenance-archive-heading"));
    ui.label(
        RichText::new(tr!(lang, "provenance-archive-note"))
            .weak()
            .small(),
    );
    match &panel.archive {
        // Text, not a spinner: the window need not repaint while it waits.
        None => {
            ui.label(RichText::new(tr!(lang, "provenance-archive-measuring")).weak());
        }
        Some(Ok(report)) => {
            ui.label(tr!(
                lang,
                "provenance-archive-size",
                count = report.usage.files,
                size = super::widgets::file_size(report.usage.bytes)
            ));
            if let Some(removed) = report.removed {
                ui.label(
                    RichText::new(tr!(
                        lang,
                        "provenance-archive-removed",
                        count = removed.files,
                        size = super::widgets::file_size(removed.bytes)
                    ))
                    .weak(),
                );
            }
        }
        Some(Err(error)) => {
            ui.colored_label(ui.visuals().error_fg_color, error.get(lang));
        }
    }
    let ready = !panel.pruning && matches!(panel.archive, Some(Ok(_)));
    if ui
        .add_enabled(
            ready,
            egui::Button::new(tr!(lang, "provenance-archive-prune")),
        )
        .on_hover_text(tr!(lang, "provenance-archive-prune-tooltip"))
        .clicked()
    {
        panel.pruning = true;
        panel
            .commands
            .push(AppCommand::Engine(Command::PruneArchive));
    }
}

/// The region (the primary choice: it decides the address and the models),
/// then an optional custom address such as a workspace address.
pub fn region_ui(ui: &mut Ui, draft: &mut Settings, lang: Lang) {
    let heading_response = heading(ui, tr!(lang, "settings-region"));
    ui.horizontal_wrapped(|ui| {
        for region in Region::ALL {
            let label = region.name().get(lang).to_string();
            if ui.radio(draft.region == region, label).clicked() {
                draft.region = region;
            }
        }
    });
    let info = draft.region.info();
    let models: Vec<&str> = info.models.iter().map(|m| m.info().display_name).collect();
    ui.label(
        RichText::new(tr!(
            lang,
            "settings-region-models",
            models = models.join(", ")
        ))
        .small(),
    );
    let mut custom = draft.base_url.is_some();
    if ui
        .checkbox(&mut custom, tr!(lang, "settings-region-custom"))
        .changed()
    {
        draft.base_url = custom.then(String::new);
    }
    if let Some(url) = &mut draft.base_url {
        ui.add(
            egui::TextEdit::singleline(url)
                .hint_text(info.workspace_url)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(heading_response.id);
    } else {
        ui.label(RichText::new(info.base_url).weak().monospace());
    }
    ui.label(
        RichText::new(tr!(
            lang,
            "settings-region-note",
            shared = info.base_url,
            workspace = info.workspace_url
        ))
        .weak()
        .small(),
    );
    if info.unconfirmed.contains(&caps::Fact::BaseUrl) {
        ui.label(
            RichText::new(tr!(lang, "settings-region-unconfirmed"))
                .color(ui.visuals().warn_fg_color)
                .small(),
        );
    }
}

fn key_ui(ui: &mut Ui, panel: &mut SettingsPanel, lang: Lang) {
    let heading_response = heading(ui, tr!(lang, "settings-key"));
    let info = panel.key.clone();
    let where_from = match info.source {
        Some(KeySource::Environment) => tr!(lang, "settings-key-from-environment"),
        Some(KeySource::Keychain) => tr!(lang, "settings-key-in-keychain"),
        Some(KeySource::File) => tr!(lang, "settings-key-in-file"),
        Some(KeySource::None) | None => tr!(lang, "settings-key-none"),
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(info.masked.clone().unwrap_or_else(|| "—".into())).monospace());
        ui.label(RichText::new(where_from).weak());
    });
    if panel.demo {
        ui.label(RichText::new(tr!(lang, "settings-key-demo")).weak().small());
    }
    if info.source == Some(KeySource::File) {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            tr!(lang, "settings-key-file-warning"),
        );
    }
    if let Some(problem) = &info.keychain_problem {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            tr!(lang, "settings-keychain-unavailable", problem = problem),
        );
    }
    ui.horizontal(|ui| {
        let hint = tr!(lang, "settings-key-hint");
        ui.add(
            egui::TextEdit::singleline(&mut panel.key_entry)
                .id(Id::unique("settings-key-entry"))
                .password(true)
                .hint_text(hint)
                .desired_width(260.0),
        )
        .labelled_by(heading_response.id);
        let entered = crate::api::ApiKey::new(panel.key_entry.clone());
        if ui
            .add_enabled(
                entered.is_some(),
                egui::Button::new(tr!(lang, "settings-key-save")),
            )
            .clicked()
            && let Some(key) = entered
        {
            panel.commands.push(AppCommand::StoreKey {
                key,
                allow_file: panel.allow_file,
            });
            panel.key_entry.clear();
        }
        let test_label = tr!(lang, "settings-key-test");
        if ui
            .add_enabled(!panel.testing, egui::Button::new(test_label))
            .on_hover_text(tr!(lang, "settings-key-test-tooltip"))
            .clicked()
        {
            panel.testing = true;
            panel.test_result = None;
            let base_url = Some(panel.draft.service_url().to_string());
            let key = crate::api::ApiKey::new(panel.key_entry.clone());
            panel.commands.push(AppCommand::TestKey {
                base_url,
                key,
                region: Some((
                    panel.draft.region,
                    panel.draft.region.other().base_url().to_string(),
                )),
            });
        }
        if info
            .source
            .is_some_and(|s| matches!(s, KeySource::Keychain | KeySource::File))
            && ui.button(tr!(lang, "settings-key-forget")).clicked()
        {
            panel.commands.push(AppCommand::ForgetKey);
        }
    });
    let file_label = tr!(lang, "settings-key-allow-file");
    ui.checkbox(&mut panel.allow_file, file_label);
    if panel.testing {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(tr!(lang, "settings-key-testing"));
        });
    }
    if let Some((ok, text)) = &panel.test_result {
        let color = if *ok {
            egui::Color32::from_rgb(80, 180, 100)
        } else {
            ui.visuals().error_fg_color
        };
        ui.colored_label(color, text.get(lang));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provenance::archive::Usage;
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT, Queryable};

    fn harness(panel: SettingsPanel, lang: Lang) -> Harness<'static, SettingsPanel> {
        Harness::builder()
            .with_size([600.0, 1200.0])
            .build_ui_state(
                move |ui, panel: &mut SettingsPanel| {
                    crate::ui::fonts::install(ui.ctx());
                    panel.ui(ui, lang);
                },
                panel,
            )
    }

    fn engine_commands(panel: &mut SettingsPanel) -> Vec<String> {
        panel
            .commands
            .drain(..)
            .filter_map(|c| match c {
                AppCommand::Engine(c) => Some(format!("{c:?}")),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_archive_is_measured_on_opening_and_cleaned_up_on_request() {
        let mut panel = SettingsPanel::default();
        panel.open();
        assert_eq!(engine_commands(&mut panel), ["MeasureArchive"]);
        let mut h = harness(panel, Lang::En);
        h.run();
        assert!(h.query_by_label("Measuring the archive…").is_some());
        let prune = "Remove references no job uses";
        assert!(
            h.get_by_label(prune).accesskit_node().is_disabled(),
            "nothing to clean before the size is known"
        );

        h.state_mut().archive_measured(Ok(Report {
            usage: Usage {
                files: 3,
                bytes: 2_500_000,
            },
            removed: None,
        }));
        h.run_steps(2);
        assert!(h.query_by_label("3 pictures, 2.4 MB").is_some());
        h.get_by_label(prune).click();
        h.run_steps(2);
        assert_eq!(engine_commands(h.state_mut()), ["PruneArchive"]);
        assert!(
            h.get_by_label(prune).accesskit_node().is_disabled(),
            "one clean-up at a time"
        );

        h.state_mut().archive_measured(Ok(Report {
            usage: Usage {
                files: 1,
                bytes: 500_000,
            },
            removed: Some(Usage {
                files: 2,
                bytes: 2_000_000,
            }),
        }));
        h.run_steps(2);
        assert!(h.query_by_label("1 picture, 489 KB").is_some());
        assert!(h.query_by_label("Removed 2 pictures (1.9 MB).").is_some());
        assert!(!h.get_by_label(prune).accesskit_node().is_disabled());
    }

    #[test]
    fn the_archive_section_speaks_chinese_and_shows_an_error() {
        let mut panel = SettingsPanel::default();
        panel.open();
        panel.archive_measured(Err(crate::loc!(
            "provenance-error-read",
            error = "denied",
            path = "/data/references"
        )));
        let mut h = harness(panel, Lang::Zh);
        h.run_steps(2);
        assert!(h.query_by_label("参考图存档").is_some());
        assert!(
            h.query_by_label_contains("无法读取该文件（denied）")
                .is_some()
        );
        assert!(
            h.get_by_label("移除没有任务使用的参考图")
                .accesskit_node()
                .is_disabled()
        );
    }
}
