//! The first run: with no key and no `--demo`, the window opens here. Two
//! paths: try the demo in this window (the shell starts the built-in
//! simulator on its worker), or connect an account step by step (region, where
//! to create a key, activating PixVerse, paste, Test, save).

use super::command::AppCommand;
use crate::api::ApiKey;
use crate::core::{Lang, Localized, Region};
use crate::tr;
use egui::{Id, RichText, Ui};

/// Which part of the welcome panel is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WelcomeStep {
    /// The two choices.
    #[default]
    Choose,
    /// Connecting an account, step by step.
    Connect,
}

/// The welcome panel's own state.
#[derive(Debug, Default)]
pub struct WelcomePanel {
    pub step: WelcomeStep,
    pub region: Region,
    /// The key being typed (never shown, never logged).
    pub key_entry: String,
    pub testing: bool,
    /// The last Test's answer: whether the key works, in words.
    pub result: Option<(bool, Localized)>,
    /// The demo is being started on the worker.
    pub starting_demo: bool,
    /// Addresses per region in place of the table's (tests point them at
    /// simulators); empty: the table's.
    pub region_urls: Vec<(Region, String)>,
    pub commands: Vec<AppCommand>,
}

impl WelcomePanel {
    pub fn new(region: Region) -> WelcomePanel {
        WelcomePanel {
            region,
            ..WelcomePanel::default()
        }
    }

    /// The address Test and the saved settings use for `region`.
    pub fn url_of(&self, region: Region) -> String {
        self.region_urls
            .iter()
            .find(|(r, _)| *r == region)
            .map_or_else(|| region.base_url().to_string(), |(_, url)| url.clone())
    }

    /// The answer to Test.
    pub fn tested(&mut self, ok: bool, text: Localized) {
        self.testing = false;
        self.result = Some((ok, text));
    }

    pub fn ui(&mut self, ui: &mut Ui, lang: Lang) {
        egui::ScrollArea::vertical()
            .id_salt("welcome-scroll")
            .show(ui, |ui| {
                ui.vertical_centered(|ui| {
                    ui.set_max_width(640.0);
                    ui.add_space(24.0);
                    ui.label(
                        RichText::new(tr!(lang, "welcome-title"))
                            .size(26.0)
                            .strong(),
                    );
                    ui.add_space(4.0);
                    ui.label(tr!(lang, "welcome-intro"));
                    ui.add_space(16.0);
                });
                ui.vertical_centered(|ui| {
                    ui.set_max_width(640.0);
                    match self.step {
                        WelcomeStep::Choose => self.choose_ui(ui, lang),
                        WelcomeStep::Connect => self.connect_ui(ui, lang),
                    }
                });
            });
    }

    fn choose_ui(&mut self, ui: &mut Ui, lang: Lang) {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(600.0);
            ui.label(
                RichText::new(tr!(lang, "welcome-demo-heading"))
                    .strong()
                    .size(17.0),
            );
            ui.label(tr!(lang, "welcome-demo-explanation"));
            ui.add_space(4.0);
            if self.starting_demo {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(tr!(lang, "welcome-demo-starting"));
                });
            } else if ui
                .add(big_button(tr!(lang, "welcome-demo-button")))
                .clicked()
            {
                self.starting_demo = true;
                self.commands.push(AppCommand::StartDemo);
            }
        });
        ui.add_space(12.0);
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(600.0);
            ui.label(
                RichText::new(tr!(lang, "welcome-connect-heading"))
                    .strong()
                    .size(17.0),
            );
            ui.label(tr!(lang, "welcome-connect-explanation"));
            ui.add_space(4.0);
            if ui
                .add(big_button(tr!(lang, "welcome-connect-button")))
                .clicked()
            {
                self.step = WelcomeStep::Connect;
            }
        });
    }

    fn connect_ui(&mut self, ui: &mut Ui, lang: Lang) {
        egui::Frame::group(ui.style())
            .inner_margin(16.0)
            .show(ui, |ui| {
                ui.set_width(600.0);
                self.steps_ui(ui, lang);
            });
    }

    fn steps_ui(&mut self, ui: &mut Ui, lang: Lang) {
        let step = |ui: &mut Ui, n: u32, text: String| {
            ui.add_space(10.0);
            ui.label(
                RichText::new(tr!(lang, "welcome-step", n = n, text = text))
                    .strong()
                    .size(16.0),
            )
        };
        ui.with_layout(egui::Layout::top_down(egui::Align::Min), |ui| {
            step(ui, 1, tr!(lang, "welcome-step-region"));
            ui.horizontal_wrapped(|ui| {
                for region in Region::ALL {
                    let label = region.name().get(lang).to_string();
                    if ui.radio(self.region == region, label).clicked() && self.region != region {
                        self.region = region;
                        self.result = None;
                    }
                }
            });
            let models: Vec<&str> = self
                .region
                .models()
                .iter()
                .map(|m| m.info().display_name)
                .collect();
            ui.label(
                RichText::new(tr!(
                    lang,
                    "welcome-region-explanation",
                    models = models.join(", ")
                ))
                .weak(),
            );

            step(ui, 2, tr!(lang, "welcome-step-key"));
            let page = self.region.info().key_page;
            ui.hyperlink_to(tr!(lang, "welcome-key-link"), page);
            ui.label(RichText::new(page).weak().monospace());

            step(ui, 3, tr!(lang, "welcome-step-activate"));
            ui.label(tr!(lang, "welcome-activate-explanation"));

            let paste = step(ui, 4, tr!(lang, "welcome-step-paste"));
            ui.horizontal(|ui| {
                let entry = ui
                    .add(
                        egui::TextEdit::singleline(&mut self.key_entry)
                            .id(Id::unique("welcome-key-entry"))
                            .password(true)
                            .hint_text(tr!(lang, "settings-key-hint"))
                            .desired_width(300.0),
                    )
                    .labelled_by(paste.id);
                if entry.changed() {
                    self.result = None;
                }
                let key = ApiKey::new(self.key_entry.clone());
                if ui
                    .add_enabled(
                        key.is_some() && !self.testing,
                        egui::Button::new(tr!(lang, "welcome-test")),
                    )
                    .clicked()
                    && let Some(key) = key
                {
                    self.testing = true;
                    self.result = None;
                    self.commands.push(AppCommand::TestKey {
                        base_url: Some(self.url_of(self.region)),
                        key: Some(key),
                        region: Some((self.region, self.url_of(self.region.other()))),
                    });
                }
            });
            if self.testing {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label(tr!(lang, "settings-key-testing"));
                });
            }
            let mut works = false;
            if let Some((ok, text)) = &self.result {
                works = *ok;
                let color = if *ok {
                    egui::Color32::from_rgb(80, 180, 100)
                } else {
                    ui.visuals().error_fg_color
                };
                ui.colored_label(color, text.get(lang));
            }

            step(ui, 5, tr!(lang, "welcome-step-save"));
            ui.horizontal(|ui| {
                let key = ApiKey::new(self.key_entry.clone());
                if ui
                    .add_enabled(
                        works && key.is_some(),
                        big_button(tr!(lang, "welcome-save")),
                    )
                    .clicked()
                    && let Some(key) = key
                {
                    self.commands.push(AppCommand::ConnectAccount {
                        key,
                        region: self.region,
                        base_url: self.url_of(self.region),
                    });
                    self.key_entry.clear();
                }
                if ui.button(tr!(lang, "welcome-back")).clicked() {
                    self.step = WelcomeStep::Choose;
                    self.result = None;
                }
            });
        });
    }
}

/// A button a first-time user finds at a glance.
fn big_button(text: String) -> egui::Button<'static> {
    egui::Button::new(RichText::new(text).size(16.0)).min_size(egui::vec2(200.0, 34.0))
}
