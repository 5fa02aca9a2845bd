//! The window's state and drawing. [`AppState`] holds each panel's state (the
//! editor, the jobs panel, settings) and what belongs to the window itself: the
//! language, the project file, toasts, the question asked on close. [`app_ui`]
//! draws everything and knows nothing of eframe, so kittest drives it directly;
//! the eframe shell around it is in `shell.rs`.

use super::command::AppCommand;
use super::editor::EditorState;
use super::jobs::JobsPanel;
use super::player::Player;
use super::settings::SettingsPanel;
use super::shared::Shared;
use super::welcome::WelcomePanel;
use crate::api::{CreateTaskRequest, export};
use crate::core::capabilities::{self as caps, PriceEntry};
use crate::core::{GenerationSpec, Lang, Localized, RefSource, Region};
use crate::engine::{Event, SpendReport};
use crate::provenance::{Found, Restored};
use crate::settings::{Settings, Theme};
use crate::{loc, tr};
use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};
use std::path::PathBuf;

/// A short message that fades after a while.
#[derive(Debug, Clone)]
pub struct Toast {
    pub text: Localized,
    pub error: bool,
    /// When it was first drawn (a toast raised while the window is hidden
    /// starts its life when the window shows again).
    pub shown_since: Option<f64>,
}

/// The project file the editor was opened from or saved to.
#[derive(Debug, Clone, Default)]
pub struct ProjectFile {
    pub path: Option<PathBuf>,
    /// The spec as last opened or saved: the editor has unsaved changes when
    /// its spec differs from it.
    pub saved_spec: GenerationSpec,
    /// References whose files moved: (index, old path).
    pub missing: Vec<(usize, PathBuf)>,
    /// Newest first.
    pub recent: Vec<PathBuf>,
}

/// Where closing the window stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Closing {
    #[default]
    No,
    /// Asked to close with unsaved changes: the question is on screen.
    Asking,
    /// Saving, then closing once the save is done.
    AfterSave,
    /// The user chose to close: let the window go.
    Confirmed,
}

pub struct AppState {
    pub lang: Lang,
    pub dark: bool,
    pub demo: bool,
    pub base_url: String,
    /// The region chosen in settings (which models the editor offers).
    pub region: Region,
    pub prices: Vec<PriceEntry>,
    /// Spend today and this month, as the engine last reported it.
    pub spend: Option<SpendReport>,
    pub editor: EditorState,
    pub jobs: JobsPanel,
    pub settings: SettingsPanel,
    /// The first run (no key, no demo): shown in place of the editor.
    pub welcome: Option<WelcomePanel>,
    pub project: ProjectFile,
    /// A video playing in the window, in place of the editor.
    pub player: Option<Player>,
    pub closing: Closing,
    pub toasts: Vec<Toast>,
    /// What the window itself (menus, dialogs) asks of the shell.
    pub commands: Vec<AppCommand>,
    /// Time (seconds) as of the last frame drawn, for toasts.
    pub now: f64,
}

impl AppState {
    pub fn new(lang: Lang, base_url: String) -> AppState {
        AppState {
            lang,
            dark: true,
            demo: false,
            base_url,
            region: Region::default(),
            prices: caps::default_prices(),
            spend: None,
            editor: EditorState::new(),
            jobs: JobsPanel::default(),
            settings: SettingsPanel::default(),
            welcome: None,
            project: ProjectFile::default(),
            player: None,
            closing: Closing::No,
            toasts: Vec::new(),
            commands: Vec::new(),
            now: 0.0,
        }
    }

    /// What the panels draw with.
    pub fn shared(&self) -> Shared<'_> {
        Shared {
            lang: self.lang,
            prices: &self.prices,
            base_url: &self.base_url,
            spend: self.spend,
            region: self.region,
        }
    }

    /// Every command the window and its panels emitted since last asked.
    pub fn take_commands(&mut self) -> Vec<AppCommand> {
        let mut all = std::mem::take(&mut self.commands);
        all.append(&mut self.editor.commands);
        all.append(&mut self.jobs.commands);
        all.append(&mut self.settings.commands);
        if let Some(welcome) = &mut self.welcome {
            all.append(&mut welcome.commands);
        }
        if let Some(player) = &mut self.player {
            all.append(&mut player.commands);
        }
        all
    }

    /// The commands waiting to be taken, without taking them.
    pub fn pending_commands(&self) -> impl Iterator<Item = &AppCommand> {
        self.commands
            .iter()
            .chain(&self.editor.commands)
            .chain(&self.jobs.commands)
            .chain(&self.settings.commands)
            .chain(self.welcome.iter().flat_map(|w| &w.commands))
            .chain(self.player.iter().flat_map(|p| &p.commands))
    }

    /// Takes what the engine reported, to the panel it concerns.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Thumbnail { key, result } => {
                if !self.editor.thumbnail_arrived(key, &result) {
                    self.jobs.thumbnail_arrived(key, &result);
                }
            }
            Event::ImageStored { key, result } => self.editor.image_stored(key, result),
            Event::Rejected { problems, .. } => self.editor.problems = problems,
            Event::Refused { ids, refusal } => {
                if !self.jobs.refused_by_engine(&ids, &refusal) {
                    self.editor.refused_by_engine(&ids, refusal);
                }
            }
            Event::Spend(report) => {
                // The caps as the engine read them (a `config set` in a
                // terminal included), unless they are being edited here.
                if !self.settings.open {
                    self.settings.draft.budget = report.budget;
                }
                self.spend = Some(report);
            }
            Event::Notice { message, .. } => self.toast(message, true),
            Event::Archive(result) => self.settings.archive_measured(result),
            other => {
                if let Event::Job(job) = &other {
                    self.editor.journaled(&job.id);
                }
                if let (Event::Job(job), Some(player)) = (&other, &mut self.player) {
                    player.job_changed(job);
                }
                self.jobs.apply(other, self.lang);
            }
        }
    }

    pub fn toast(&mut self, text: Localized, error: bool) {
        self.toasts.push(Toast {
            text,
            error,
            shown_since: None,
        });
    }

    /// The editor differs from what was last opened or saved.
    pub fn unsaved(&self) -> bool {
        self.editor.spec() != self.project.saved_spec
    }

    /// Puts a job's settings back into the editor.
    pub fn restore(&mut self, spec: &GenerationSpec) {
        self.editor.restore(spec);
        self.toast(loc!("editor-state-restored"), false);
    }

    /// A video's settings, read on the worker: into the editor, with the
    /// references that could not be found offered to be chosen again.
    pub fn video_restored(&mut self, result: Result<Box<Restored>, Localized>) {
        let restored = match result {
            Ok(restored) => restored,
            Err(e) => return self.toast(e, true),
        };
        self.editor.restore(&restored.spec);
        self.project.missing = restored
            .references
            .iter()
            .enumerate()
            .filter(|(_, r)| r.found == Found::Missing)
            .map(|(i, r)| (i, PathBuf::from(&r.file_name)))
            .collect();
        match self.project.missing.len() {
            0 => self.toast(loc!("provenance-restored"), false),
            count => self.toast(loc!("provenance-restored-missing", count = count), true),
        }
    }

    /// Opens what the window was started with (`r2v-studio FILE…`, which is
    /// also how a file manager opens a double-clicked project): a project file
    /// opens as the project, read on the worker as File → Open does; pictures
    /// and image URLs become references. A project opens alone: anything given
    /// with it is left out, and a toast says so.
    pub fn open_arguments(&mut self, files: Vec<PathBuf>) {
        let (projects, pictures): (Vec<PathBuf>, Vec<PathBuf>) = files
            .into_iter()
            .partition(|f| crate::project::is_project_path(f));
        let left_out = projects.len().saturating_sub(1) + pictures.len();
        match projects.into_iter().next() {
            Some(project) => {
                // Remembered among the recent projects: absolute, whatever the
                // folder the window was started in (no file is read for it).
                let project = std::path::absolute(&project).unwrap_or(project);
                self.commands.push(AppCommand::OpenProject(Some(project)));
                if left_out > 0 {
                    self.toast(loc!("app-arguments-left-out", count = left_out), true);
                }
            }
            None if !pictures.is_empty() => self.editor.add_arguments(pictures),
            None => {}
        }
    }

    /// Shows a project in the editor.
    pub fn load_project(&mut self, path: PathBuf, spec: &GenerationSpec, missing: Vec<usize>) {
        self.editor.restore(spec);
        self.project.missing = missing
            .into_iter()
            .filter_map(|i| match &spec.references.get(i)?.source {
                RefSource::Local(p) => Some((i, p.clone())),
                RefSource::Url(_) => None,
            })
            .collect();
        self.project.saved_spec = self.editor.spec();
        self.remember_project(path);
    }

    /// The editor was saved to `path`.
    pub fn project_saved(&mut self, path: PathBuf) {
        self.project.saved_spec = self.editor.spec();
        self.remember_project(path);
    }

    fn remember_project(&mut self, path: PathBuf) {
        let recent = &mut self.project.recent;
        recent.retain(|p| p != &path);
        recent.insert(0, path.clone());
        recent.truncate(8);
        self.project.path = Some(path);
    }

    /// A moved reference gets its new file (the name stays).
    pub fn relink(&mut self, index: usize, path: PathBuf) {
        self.editor.relink(index, path);
        self.project.missing.retain(|(i, _)| *i != index);
    }

    /// Starts over with an empty editor.
    pub fn new_project(&mut self) {
        self.editor.clear();
        self.project.missing.clear();
        self.project.path = None;
        self.project.saved_spec = self.editor.spec();
    }

    /// A file dialog was closed without a choice: a close waiting for a save
    /// does not happen.
    pub fn dialog_closed(&mut self) {
        if self.closing == Closing::AfterSave {
            self.closing = Closing::No;
        }
    }

    /// The window was asked to close: `true` when it must stay open and ask first.
    pub fn close_requested(&mut self) -> bool {
        if self.closing == Closing::Confirmed || !self.unsaved() {
            return false;
        }
        self.closing = Closing::Asking;
        true
    }

    /// The region whose models the editor offers; a model the region does not
    /// serve is switched to the region's first (the editor says what changed).
    pub fn set_region(&mut self, region: Region) {
        self.region = region;
        if !region.serves(self.editor.params.model)
            && let Some(&first) = region.models().first()
        {
            self.editor.switch_model(first);
        }
    }

    /// The demo's sample references and prompt, in the editor.
    pub fn load_demo_samples(&mut self, samples: Vec<PathBuf>) {
        let editor = &mut self.editor;
        editor.add_paths(samples);
        for (slot, (name, _)) in editor.slots.iter_mut().zip(super::DEMO_REFERENCES) {
            slot.name = name.to_string();
            slot.committed = name.to_string();
        }
        editor.prompt = super::DEMO_PROMPT.to_string();
        editor.params.duration = 5;
    }

    /// The answer to a key Test, to the panel that asked (settings or welcome).
    pub fn key_tested(&mut self, ok: bool, text: Localized) {
        if let Some(welcome) = &mut self.welcome {
            welcome.tested(ok, text.clone());
        }
        self.settings.tested(ok, text);
    }

    /// Language, theme and prices from settings.
    pub fn apply_settings(&mut self, ctx: &egui::Context, settings: &Settings) {
        if let Some(lang) = settings.lang {
            self.lang = lang;
        }
        self.prices = settings.prices.clone();
        self.set_region(settings.region);
        let preference = match settings.theme {
            Theme::System => egui::ThemePreference::System,
            Theme::Light => egui::ThemePreference::Light,
            Theme::Dark => egui::ThemePreference::Dark,
        };
        ctx.set_theme(preference);
        self.dark = ctx.theme() == egui::Theme::Dark;
        self.settings.draft = settings.clone();
    }
}

/// Draws the whole window from `state`.
pub fn app_ui(ui: &mut Ui, state: &mut AppState) {
    state.now = ui.input(|i| i.time);
    global_input(ui, state);
    egui::Panel::top("top-bar").show(ui, |ui| top_bar(ui, state));
    if let Some(welcome) = &mut state.welcome
        && !state.demo
    {
        let lang = state.lang;
        egui::CentralPanel::default().show(ui, |ui| welcome.ui(ui, lang));
        state.settings.window(ui.ctx(), state.lang);
        toasts(ui.ctx(), state);
        return;
    }
    let shared = Shared {
        lang: state.lang,
        prices: &state.prices,
        base_url: &state.base_url,
        spend: state.spend,
        region: state.region,
    };
    egui::Panel::bottom("jobs-panel")
        .resizable(true)
        .default_size(230.0)
        .min_size(170.0)
        .show(ui, |ui| state.jobs.ui(ui, shared));
    match &mut state.player {
        Some(player) => {
            egui::CentralPanel::default().show(ui, |ui| player.ui(ui, state.lang));
        }
        None => state.editor.ui(ui, shared),
    }
    request_window(ui.ctx(), state);
    state.settings.window(ui.ctx(), state.lang);
    project_dialogs(ui.ctx(), state);
    drop_overlay(ui.ctx(), state);
    toasts(ui.ctx(), state);
}

fn global_input(ui: &mut Ui, state: &mut AppState) {
    let generate = KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter);
    // Only where the editor and its Generate button are in view: a paid task is
    // never sent from behind the player.
    if state.player.is_none() && ui.input_mut(|i| i.consume_shortcut(&generate)) {
        state.editor.generate();
    }
    let dropped: Vec<PathBuf> = ui.input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .collect()
    });
    // A video brings back its settings; pictures become references.
    let (videos, pictures): (Vec<PathBuf>, Vec<PathBuf>) =
        dropped.into_iter().partition(|p| is_video(p));
    if let Some(video) = videos.into_iter().next() {
        state
            .commands
            .push(AppCommand::RestoreFromVideo(Some(video)));
    }
    if !pictures.is_empty() {
        state.editor.add_paths(pictures);
    }
    // Ctrl+V into the slots when no text field has the keyboard.
    let text_focused = ui.ctx().memory(|m| m.focused()).is_some();
    if !text_focused {
        let events = ui.input(|i| i.events.clone());
        for event in events {
            match event {
                egui::Event::Paste(text) => {
                    let urls: Vec<RefSource> = text
                        .split_whitespace()
                        .map(RefSource::from_text)
                        .filter(|s| matches!(s, RefSource::Url(_)))
                        .collect();
                    if urls.is_empty() {
                        state.editor.slot_messages = vec![loc!("app-paste-not-image")];
                    } else {
                        state.editor.add_sources(urls);
                    }
                }
                egui::Event::PasteImage(image) => state.editor.add_pasted_image(&image),
                _ => {}
            }
        }
    }
}

/// File extensions of videos the app may have made (MP4 and its relatives).
const VIDEO_EXTENSIONS: [&str; 3] = ["mp4", "m4v", "mov"]; // not text: file extensions

fn is_video(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| VIDEO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn top_bar(ui: &mut Ui, state: &mut AppState) {
    ui.horizontal(|ui| {
        file_menu(ui, state);
        ui.label(
            RichText::new(tr!(state.lang, "app-name"))
                .strong()
                .size(17.0),
        );
        if let Some(path) = &state.project.path {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mark = if state.unsaved() { " •" } else { "" };
            ui.label(RichText::new(format!("{name}{mark}")).weak())
                .on_hover_text(path.display().to_string());
        }
        if state.demo {
            ui.label(
                RichText::new(tr!(state.lang, "app-demo-badge"))
                    .background_color(ui.visuals().selection.bg_fill)
                    .color(ui.visuals().strong_text_color())
                    .small(),
            )
            .on_hover_text(tr!(state.lang, "app-demo-tooltip"));
            if ui
                .small_button(tr!(state.lang, "app-demo-leave"))
                .on_hover_text(tr!(state.lang, "app-demo-leave-tooltip"))
                .clicked()
            {
                state.commands.push(AppCommand::LeaveDemo);
            }
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let theme = if state.dark {
                tr!(state.lang, "app-theme-light")
            } else {
                tr!(state.lang, "app-theme-dark")
            };
            if ui
                .button(theme)
                .on_hover_text(tr!(state.lang, "app-theme-tooltip"))
                .clicked()
            {
                state.dark = !state.dark;
                ui.ctx().set_theme(if state.dark {
                    egui::Theme::Dark
                } else {
                    egui::Theme::Light
                });
            }
            if ui.button(tr!(state.lang, "app-settings")).clicked() {
                state.settings.open();
            }
            // The switch names the other language, in that language.
            let (label, other) = match state.lang {
                Lang::En => (tr!(state.lang, "app-language-chinese"), Lang::Zh),
                Lang::Zh => (tr!(state.lang, "app-language-english"), Lang::En),
            };
            if ui.button(label).clicked() {
                state.lang = other;
            }
        });
    });
}

fn file_menu(ui: &mut Ui, state: &mut AppState) {
    let lang = state.lang;
    ui.menu_button(tr!(lang, "app-menu-file"), |ui| {
        if ui.button(tr!(lang, "app-menu-new")).clicked() {
            state.new_project();
            ui.close();
        }
        if ui.button(tr!(lang, "app-menu-open")).clicked() {
            state.commands.push(AppCommand::OpenProject(None));
            ui.close();
        }
        if ui.button(tr!(lang, "app-menu-restore-video")).clicked() {
            state.commands.push(AppCommand::RestoreFromVideo(None));
            ui.close();
        }
        if ui.button(tr!(lang, "app-menu-save")).clicked() {
            state
                .commands
                .push(AppCommand::SaveProject(state.project.path.clone()));
            ui.close();
        }
        if ui.button(tr!(lang, "app-menu-save-as")).clicked() {
            state.commands.push(AppCommand::SaveProject(None));
            ui.close();
        }
        if ui.button(tr!(lang, "app-menu-export-request")).clicked() {
            state.editor.show_request = true;
            ui.close();
        }
        if !state.project.recent.is_empty() {
            ui.separator();
            ui.label(RichText::new(tr!(lang, "app-menu-recent")).weak());
            for path in state.project.recent.clone() {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if ui
                    .button(name)
                    .on_hover_text(path.display().to_string())
                    .clicked()
                {
                    state.commands.push(AppCommand::OpenProject(Some(path)));
                    ui.close();
                }
            }
        }
    });
}

/// Moved files of an opened project, and the unsaved-changes question on close.
fn project_dialogs(ctx: &egui::Context, state: &mut AppState) {
    let lang = state.lang;
    if !state.project.missing.is_empty() {
        let mut dismiss = false;
        egui::Window::new(tr!(lang, "app-missing-title"))
            .id(egui::Id::unique("missing-files"))
            .collapsible(false)
            .show(ctx, |ui| {
                ui.label(tr!(lang, "app-missing-explanation"));
                for (index, path) in state.project.missing.clone() {
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(path.display().to_string()).monospace());
                        if ui.button(tr!(lang, "app-missing-choose")).clicked() {
                            state.commands.push(AppCommand::RelinkFile(index));
                        }
                    });
                }
                ui.horizontal(|ui| {
                    if ui.button(tr!(lang, "app-missing-look-in-folder")).clicked() {
                        state.commands.push(AppCommand::RelinkFolder);
                    }
                    if ui.button(tr!(lang, "app-missing-later")).clicked() {
                        dismiss = true;
                    }
                });
            });
        if dismiss {
            state.project.missing.clear();
        }
    }
    if state.closing == Closing::Asking {
        let mut choice = None;
        egui::Modal::new(egui::Id::unique("confirm-close")).show(ctx, |ui| {
            ui.set_max_width(420.0);
            ui.heading(tr!(lang, "app-close-title"));
            ui.label(tr!(lang, "app-close-explanation"));
            ui.horizontal(|ui| {
                if ui.button(tr!(lang, "app-close-save")).clicked() {
                    choice = Some(0);
                }
                if ui.button(tr!(lang, "app-close-discard")).clicked() {
                    choice = Some(1);
                }
                if ui.button(tr!(lang, "app-close-cancel")).clicked() {
                    choice = Some(2);
                }
            });
        });
        match choice {
            Some(0) => {
                state.closing = Closing::AfterSave;
                state
                    .commands
                    .push(AppCommand::SaveProject(state.project.path.clone()));
            }
            Some(1) => {
                state.closing = Closing::Confirmed;
                state.commands.push(AppCommand::CloseWindow);
            }
            Some(_) => state.closing = Closing::No,
            None => {}
        }
    }
}

fn request_window(ctx: &egui::Context, state: &mut AppState) {
    if !state.editor.show_request {
        return;
    }
    let spec = state.editor.spec();
    let problems = spec.validate();
    let body = CreateTaskRequest::from_spec(&spec, &export::placeholder_urls(&spec));
    let mut open = true;
    egui::Window::new(tr!(state.lang, "app-request-title"))
        .open(&mut open)
        .default_size([640.0, 480.0])
        .show(ctx, |ui| {
            if !problems.is_empty() {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    tr!(state.lang, "app-request-problems", count = problems.len()),
                );
            }
            let Some(body) = body else {
                ui.label(tr!(state.lang, "app-request-unavailable"));
                return;
            };
            ui.label(
                RichText::new(tr!(state.lang, "app-request-explanation"))
                    .weak()
                    .small(),
            );
            let json = export::request_json(&body);
            let curl = export::curl_command(&state.base_url, &body);
            ui.horizontal(|ui| {
                if ui
                    .button(tr!(state.lang, "app-request-copy-json"))
                    .clicked()
                {
                    state.commands.push(AppCommand::CopyText(json.clone()));
                }
                if ui
                    .button(tr!(state.lang, "app-request-copy-curl"))
                    .clicked()
                {
                    state.commands.push(AppCommand::CopyText(curl.clone()));
                }
                if ui
                    .button(tr!(state.lang, "app-request-save-json"))
                    .clicked()
                {
                    state.commands.push(AppCommand::ExportText {
                        // not text: the default file name
                        suggested_name: "request.json".into(),
                        text: json.clone(),
                    });
                }
                if ui
                    .button(tr!(state.lang, "app-request-save-curl"))
                    .clicked()
                {
                    state.commands.push(AppCommand::ExportText {
                        // not text: the default file name
                        suggested_name: "request.sh".into(),
                        text: format!(
                            // not text: the script's frame; its comment line is a message
                            "#!/bin/sh\n# {}\n{curl}\n",
                            tr!(state.lang, "app-request-script-comment")
                        ),
                    });
                }
            });
            egui::ScrollArea::vertical()
                .id_salt("request-scroll")
                .show(ui, |ui| {
                    ui.add(egui::Label::new(RichText::new(&json).monospace()).wrap());
                    ui.separator();
                    ui.add(egui::Label::new(RichText::new(&curl).monospace()).wrap());
                });
        });
    state.editor.show_request = open;
}

fn drop_overlay(ctx: &egui::Context, state: &AppState) {
    let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
    if !hovering {
        return;
    }
    let screen = ctx.content_rect();
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("drop-overlay"),
    ));
    let accent = ctx.global_style().visuals.selection.bg_fill;
    painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(150));
    painter.rect_stroke(
        screen.shrink(12.0),
        12.0,
        egui::Stroke::new(3.0, accent),
        egui::StrokeKind::Inside,
    );
    painter.text(
        screen.center(),
        egui::Align2::CENTER_CENTER,
        tr!(state.lang, "app-drop-hint"),
        egui::FontId::proportional(24.0),
        egui::Color32::WHITE,
    );
}

fn toasts(ctx: &egui::Context, state: &mut AppState) {
    const LIFE: f64 = 6.0;
    let now = state.now;
    for toast in &mut state.toasts {
        toast.shown_since.get_or_insert(now);
    }
    state
        .toasts
        .retain(|t| t.shown_since.is_none_or(|since| now - since < LIFE));
    if state.toasts.is_empty() {
        return;
    }
    ctx.request_repaint_after(std::time::Duration::from_millis(500));
    egui::Area::new(egui::Id::unique("toasts"))
        .anchor(egui::Align2::LEFT_BOTTOM, egui::vec2(16.0, -250.0))
        .order(egui::Order::Foreground)
        // Messages only: clicks go through to what is underneath.
        .interactable(false)
        .show(ctx, |ui| {
            for toast in state.toasts.iter().rev().take(4) {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_max_width(380.0);
                    let text = RichText::new(toast.text.get(state.lang));
                    if toast.error {
                        ui.colored_label(ui.visuals().error_fg_color, text);
                    } else {
                        ui.label(text);
                    }
                });
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> AppState {
        AppState::new(Lang::En, "http://127.0.0.1:1/api/v1".into())
    }

    #[test]
    fn projects_open_track_unsaved_changes_and_relink_moved_files() {
        let mut s = state();
        assert!(!s.unsaved(), "a fresh editor has nothing to save");
        let spec = GenerationSpec {
            references: vec![
                crate::core::Reference {
                    name: "hero".into(),
                    source: RefSource::Local("/old/hero.png".into()),
                },
                crate::core::Reference {
                    name: "cafe".into(),
                    source: RefSource::Url("https://e.com/c.png".into()),
                },
            ],
            prompt: "@hero 在@cafe".into(),
            ..GenerationSpec::default()
        };
        s.load_project("/tmp/p.r2v.json".into(), &spec, vec![0]);
        assert_eq!(s.editor.spec(), spec);
        assert!(!s.unsaved());
        assert_eq!(s.project.missing, vec![(0, PathBuf::from("/old/hero.png"))]);
        assert_eq!(s.project.recent, vec![PathBuf::from("/tmp/p.r2v.json")]);
        s.relink(0, "/new/hero.png".into());
        assert!(s.project.missing.is_empty());
        assert_eq!(
            s.editor.slots[0].source,
            RefSource::Local("/new/hero.png".into())
        );
        assert_eq!(s.editor.slots[0].name, "hero", "the name stays");
        assert!(s.unsaved(), "a relinked file is a change to save");
        s.new_project();
        assert!(s.editor.slots.is_empty() && s.project.path.is_none() && !s.unsaved());
    }

    #[test]
    fn a_project_given_at_start_is_opened_on_the_worker_and_pictures_become_references() {
        let mut s = state();
        s.open_arguments(vec!["/work/海报.r2v.json".into()]);
        assert!(s.editor.slots.is_empty(), "a project is not a picture");
        assert!(s.toasts.is_empty(), "{:?}", s.toasts);
        let commands: Vec<AppCommand> = s.take_commands();
        assert!(
            matches!(&commands[..], [AppCommand::OpenProject(Some(p))] if *p == std::path::absolute("/work/海报.r2v.json").unwrap()),
            "{commands:?}"
        );

        let mut s = state();
        s.open_arguments(vec!["/work/hero.png".into(), "https://e.com/c.png".into()]);
        assert_eq!(s.editor.slots.len(), 2);
        assert!(
            !s.pending_commands()
                .any(|c| matches!(c, AppCommand::OpenProject(_)))
        );
    }

    #[test]
    fn a_project_given_with_other_files_opens_alone_and_says_what_was_left_out() {
        let mut s = state();
        s.open_arguments(vec![
            "/work/hero.png".into(),
            "/work/a.r2v.json".into(),
            "/work/b.R2V.JSON".into(),
        ]);
        assert!(s.editor.slots.is_empty());
        assert_eq!(s.toasts.len(), 1);
        assert!(s.toasts[0].error);
        assert!(s.toasts[0].text.en.contains('2'), "{:?}", s.toasts[0].text);
        let commands = s.take_commands();
        assert!(
            matches!(&commands[..], [AppCommand::OpenProject(Some(p))] if *p == std::path::absolute("/work/a.r2v.json").unwrap()),
            "the first project opens: {commands:?}"
        );
    }

    #[test]
    fn events_reach_the_panel_they_concern() {
        let mut s = state();
        s.editor
            .add_sources(vec![RefSource::Url("https://e.com/a.png".into())]);
        let slot_key = s.editor.slots[0].key;
        let failed = || Err(Localized::verbatim("broken"));
        s.apply(Event::Thumbnail {
            key: slot_key,
            result: failed(),
        });
        assert!(matches!(
            s.editor.slots[0].thumb,
            super::super::widgets::Thumb::Failed(_)
        ));
        s.apply(Event::Notice {
            job: None,
            message: Localized::verbatim("heads up"),
        });
        assert_eq!(s.toasts.len(), 1);
        let job = crate::engine::Job::new(GenerationSpec::default(), "/tmp".into(), 1);
        s.apply(Event::Job(Box::new(job)));
        assert_eq!(s.jobs.jobs.len(), 1);
    }
}
