//! The eframe shell around [`app_ui`]: owns the engine, feeds its events to the
//! state, and carries out the state's requests. Anything that blocks (dialogs, the
//! keychain, files, the network, stopping the engine) runs on a worker thread and
//! answers through a channel with a repaint.

use super::app::app_ui;
use super::settings::KeyInfo;
use super::state::{AppState, Request};
use crate::api::{ApiKey, Client, ClientConfig, ListFilter, resolve_base_url};
use crate::core::{GenerationSpec, Lang, Localized};
use crate::engine::{Command, Engine, EngineConfig, Event, EventSink};
use crate::project::{self, Project};
use crate::settings::{KeyLookup, KeyStore, Settings, Theme};
use crate::{loc, tr};
use egui::Ui;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};

/// The image files the file dialogs offer.
// not text: file extensions
const IMAGE_EXTENSIONS: [&str; 8] = ["jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff"];

/// Work for the worker thread. Chores with a file dialog carry the language
/// of its filter names.
enum Chore {
    PickFiles(Lang),
    PickFolder,
    SaveSettings(Settings),
    StoreKey(ApiKey, bool),
    ForgetKey,
    Test {
        base_url: String,
        key: ApiKey,
    },
    /// Stop the old engine (it may wait for a create call to be answered), start
    /// a new one.
    Restart(Option<Engine>, Box<EngineConfig>),
    OpenProject(Option<PathBuf>, Lang),
    SaveProject(Option<PathBuf>, Box<GenerationSpec>, Lang),
    RelinkFile(usize, Lang),
    RelinkFolder(Box<Project>, Vec<usize>),
    /// Keep the recent-projects list in the settings file.
    SaveRecent(Settings),
    Export {
        suggested_name: String,
        text: String,
    },
}

/// What the worker reports.
enum Done {
    Files(Vec<PathBuf>),
    Folder(PathBuf),
    Saved(Result<Settings, Localized>),
    Key(Result<(), Localized>, KeyLookup),
    Tested(bool, Localized),
    Engine(Result<Engine, Localized>),
    Opened(Result<(PathBuf, Project, Vec<usize>), Localized>),
    ProjectSaved(Result<PathBuf, Localized>),
    Relinked(Vec<(usize, PathBuf)>),
    Exported(Result<PathBuf, Localized>),
    /// A dialog was closed without a choice.
    Nothing,
}

/// How the app is wired: fixed for the session except what settings change.
pub struct Wiring {
    pub config: EngineConfig,
    pub settings: Settings,
    pub settings_dir: PathBuf,
    /// `--demo`: the simulator's address and key stay whatever settings say.
    pub demo: bool,
    /// Print a line on standard output when the first frame is drawn (for the
    /// start-up benchmark, `R2V_REPORT_FIRST_FRAME=1`).
    pub report_first_frame: bool,
}

pub struct App {
    pub state: AppState,
    engine: Option<Engine>,
    events: Receiver<Event>,
    chores: Sender<Chore>,
    done: Receiver<Done>,
    wiring: Wiring,
    /// Commands sent while the engine restarts.
    waiting: Vec<Command>,
    /// The user chose to close: let the window go.
    closing: bool,
    restarting: bool,
    /// Kept alive for `--demo`; dropped after the engine.
    _demo: Option<super::DemoService>,
}

impl App {
    pub fn new(
        ctx: &egui::Context,
        state: AppState,
        engine: Option<Engine>,
        events: (EventSink, Receiver<Event>),
        wiring: Wiring,
        demo: Option<super::DemoService>,
    ) -> App {
        let (chores, done) = worker(ctx.clone(), wiring.settings_dir.clone(), events.0.clone());
        App {
            state,
            engine,
            events: events.1,
            chores,
            done,
            wiring,
            waiting: Vec::new(),
            closing: false,
            restarting: false,
            _demo: demo,
        }
    }

    fn send(&mut self, command: Command) {
        match (&self.engine, self.restarting) {
            (Some(engine), false) => engine.send(command),
            (_, true) => self.waiting.push(command),
            (None, false) => self.state.toast(loc!("shell-engine-not-running"), true),
        }
    }

    fn remember_recent(&mut self) {
        self.wiring.settings.recent_projects = self.state.recent_projects.clone();
        let _ = self
            .chores
            .send(Chore::SaveRecent(self.wiring.settings.clone()));
    }

    fn restart_engine(&mut self) {
        self.restarting = true;
        let old = self.engine.take();
        let _ = self
            .chores
            .send(Chore::Restart(old, Box::new(self.wiring.config.clone())));
    }

    fn finished(&mut self, ctx: &egui::Context, done: Done) {
        let view = &mut self.state.settings_view;
        match done {
            Done::Files(paths) => self.state.add_paths(paths),
            Done::Folder(path) => view.draft.output_dir = Some(path),
            Done::Saved(Ok(settings)) => {
                view.message = None;
                view.open = false;
                apply_settings(ctx, &mut self.state, &settings);
                let config = &mut self.wiring.config;
                if !self.wiring.demo {
                    config.base_url = resolve_base_url(None, settings.base_url.as_deref());
                    self.state.base_url = config.base_url.clone();
                }
                config.output_dir = settings
                    .output_dir
                    .clone()
                    .unwrap_or_else(EngineConfig::default_output_dir);
                config.jobs_per_series = settings.jobs_per_series;
                config.queries_per_second = settings.queries_per_second;
                self.wiring.settings = settings;
                self.restart_engine();
                self.state.toast(loc!("shell-settings-saved"), false);
            }
            Done::Saved(Err(e)) => {
                view.message = Some(loc!("shell-settings-not-saved", error = e));
            }
            Done::Key(result, lookup) => {
                view.key = key_info(&lookup);
                if let Err(problem) = result {
                    view.message = Some(loc!("shell-key-not-saved", problem = problem));
                }
                if !self.wiring.demo && self.wiring.config.api_key != lookup.key {
                    self.wiring.config.api_key = lookup.key;
                    self.restart_engine();
                }
            }
            Done::Tested(ok, text) => {
                view.testing = false;
                view.test_result = Some((ok, text));
            }
            Done::Engine(Ok(engine)) => {
                for command in std::mem::take(&mut self.waiting) {
                    engine.send(command);
                }
                self.engine = Some(engine);
                self.restarting = false;
            }
            Done::Opened(Ok((path, project, missing))) => {
                self.state.load_project(path, &project.spec, missing);
                self.remember_recent();
            }
            Done::Opened(Err(e)) | Done::ProjectSaved(Err(e)) => {
                self.state.close_after_save = false;
                self.state.toast(e, true);
            }
            Done::ProjectSaved(Ok(path)) => {
                self.state.saved_spec = self.state.spec();
                self.state.remember_project(path);
                self.remember_recent();
                self.state.toast(loc!("shell-project-saved"), false);
                if self.state.close_after_save {
                    ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    self.closing = true;
                }
            }
            Done::Relinked(found) => {
                if found.is_empty() {
                    self.state.toast(loc!("shell-relink-none-found"), true);
                }
                for (index, path) in found {
                    self.state.relink(index, path);
                }
            }
            Done::Exported(Ok(path)) => self.state.toast(
                loc!("shell-exported", path = path.display().to_string()),
                false,
            ),
            Done::Exported(Err(e)) => self.state.toast(e, true),
            Done::Nothing => self.state.close_after_save = false,
            Done::Engine(Err(e)) => {
                self.restarting = false;
                self.state
                    .toast(loc!("shell-engine-restart-failed", error = e), true);
            }
        }
    }
}

/// What the settings window shows about a key lookup.
pub fn key_info(lookup: &KeyLookup) -> KeyInfo {
    KeyInfo {
        masked: lookup.key.as_ref().map(ApiKey::masked),
        source: Some(lookup.source),
        keychain_problem: lookup.keychain_problem.clone(),
    }
}

/// Language, theme and prices from settings.
pub fn apply_settings(ctx: &egui::Context, state: &mut AppState, settings: &Settings) {
    if let Some(lang) = settings.lang {
        state.lang = lang;
    }
    state.prices = settings.prices.clone();
    let preference = match settings.theme {
        Theme::System => egui::ThemePreference::System,
        Theme::Light => egui::ThemePreference::Light,
        Theme::Dark => egui::ThemePreference::Dark,
    };
    ctx.set_theme(preference);
    state.dark = ctx.theme() == egui::Theme::Dark;
    state.settings_view.draft = settings.clone();
}

fn worker(
    ctx: egui::Context,
    settings_dir: PathBuf,
    sink: EventSink,
) -> (Sender<Chore>, Receiver<Done>) {
    let (chores_tx, chores_rx) = std::sync::mpsc::channel::<Chore>();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<Done>();
    let spawned = std::thread::Builder::new()
        .name("r2v-chores".into()) // not text: a thread name
        .spawn(move || {
            let keys = KeyStore::new(&settings_dir);
            for chore in chores_rx {
                let done = match chore {
                    Chore::PickFiles(lang) => Done::Files(
                        rfd::FileDialog::new()
                            .add_filter(tr!(lang, "shell-filter-images"), &IMAGE_EXTENSIONS)
                            .pick_files()
                            .unwrap_or_default(),
                    ),
                    Chore::PickFolder => match rfd::FileDialog::new().pick_folder() {
                        Some(folder) => Done::Folder(folder),
                        None => continue,
                    },
                    Chore::SaveSettings(settings) => {
                        Done::Saved(settings.save(&settings_dir).map(|()| settings))
                    }
                    Chore::StoreKey(key, allow_file) => {
                        let result = keys.store(&key, allow_file).map(|_| ());
                        Done::Key(result, keys.load())
                    }
                    Chore::ForgetKey => {
                        keys.forget();
                        Done::Key(Ok(()), keys.load())
                    }
                    Chore::Test { base_url, key } => {
                        let (ok, text) = test_key(&base_url, key);
                        Done::Tested(ok, text)
                    }
                    Chore::OpenProject(path, lang) => {
                        let path = path.or_else(|| {
                            rfd::FileDialog::new()
                                .add_filter(
                                    tr!(lang, "shell-filter-project"),
                                    &["json"], // not text: a file extension
                                )
                                .pick_file()
                        });
                        match path {
                            Some(path) => Done::Opened(Project::open(&path).map(|p| {
                                let missing = p.missing_files();
                                (path, p, missing)
                            })),
                            None => Done::Nothing,
                        }
                    }
                    Chore::SaveProject(path, spec, lang) => {
                        let path = path.or_else(|| {
                            rfd::FileDialog::new()
                                .add_filter(
                                    tr!(lang, "shell-filter-project"),
                                    &["json"], // not text: a file extension
                                )
                                .set_file_name("project.r2v.json") // not text: a default file name
                                .save_file()
                                .map(project::with_extension)
                        });
                        match path {
                            Some(path) => {
                                Done::ProjectSaved(Project::new(*spec).save(&path).map(|()| path))
                            }
                            None => Done::Nothing,
                        }
                    }
                    Chore::RelinkFile(index, lang) => match rfd::FileDialog::new()
                        .add_filter(tr!(lang, "shell-filter-images"), &IMAGE_EXTENSIONS)
                        .pick_file()
                    {
                        Some(path) => Done::Relinked(vec![(index, path)]),
                        None => Done::Nothing,
                    },
                    Chore::RelinkFolder(project, missing) => {
                        match rfd::FileDialog::new().pick_folder() {
                            Some(folder) => {
                                Done::Relinked(project::find_in_folder(&project, &missing, &folder))
                            }
                            None => Done::Nothing,
                        }
                    }
                    Chore::Export {
                        suggested_name,
                        text,
                    } => {
                        match rfd::FileDialog::new()
                            .set_file_name(&suggested_name)
                            .save_file()
                        {
                            Some(path) => Done::Exported(
                                std::fs::write(&path, text)
                                    .map(|()| path.clone())
                                    .map_err(|e| {
                                        loc!(
                                            "shell-export-write-failed",
                                            path = path.display().to_string(),
                                            error = e.to_string(),
                                        )
                                    }),
                            ),
                            None => Done::Nothing,
                        }
                    }
                    Chore::SaveRecent(settings) => {
                        if let Err(e) = settings.save(&settings_dir) {
                            tracing::warn!("recent projects: {e}");
                        }
                        continue;
                    }
                    Chore::Restart(old, config) => {
                        if let Some(engine) = old {
                            engine.shutdown();
                        }
                        Done::Engine(Engine::start(*config, sink.clone()).map_err(|e| e.describe()))
                    }
                };
                if done_tx.send(done).is_err() {
                    break;
                }
                ctx.request_repaint();
            }
        });
    if let Err(e) = spawned {
        tracing::error!("could not start the worker thread: {e}");
    }
    (chores_tx, done_rx)
}

/// A free authenticated call (one page of the task list) and what it means.
fn test_key(base_url: &str, key: ApiKey) -> (bool, Localized) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return (false, Localized::verbatim(e.to_string())),
    };
    let client = match Client::new(ClientConfig::new(base_url, key)) {
        Ok(c) => c,
        Err(e) => return (false, Localized::verbatim(e.to_string())),
    };
    let filter = ListFilter {
        page_size: 1,
        ..ListFilter::default()
    };
    match runtime.block_on(client.list(&filter)) {
        Ok(_) => (true, loc!("shell-key-works", url = base_url)),
        Err(e) => {
            let error = e.to_string();
            let advice = e.advice();
            let text = match e.request_id() {
                Some(request_id) => loc!(
                    "shell-key-rejected-with-request",
                    error = &error,
                    advice = &advice,
                    request_id = request_id,
                ),
                None => loc!("shell-key-rejected", error = &error, advice = &advice),
            };
            (false, text)
        }
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        while let Ok(event) = self.events.try_recv() {
            self.state.apply(event);
        }
        while let Ok(done) = self.done.try_recv() {
            self.finished(ui.ctx(), done);
        }
        // Unsaved changes are asked about before the window goes.
        if ui.input(|i| i.viewport().close_requested()) && !self.closing && self.state.unsaved() {
            ui.ctx()
                .send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.state.confirm_close = true;
        }
        app_ui(ui, &mut self.state);
        if self.wiring.report_first_frame {
            self.wiring.report_first_frame = false;
            use std::io::Write;
            let mut out = std::io::stdout();
            let _ = writeln!(out, "first frame"); // not text: read by benches/startup.rs
            let _ = out.flush();
        }
        for request in std::mem::take(&mut self.state.outbox) {
            match request {
                Request::Engine(command) => self.send(command),
                Request::PickFiles => {
                    let _ = self.chores.send(Chore::PickFiles(self.state.lang));
                }
                Request::PickOutputFolder => {
                    let _ = self.chores.send(Chore::PickFolder);
                }
                Request::CopyText(text) => ui.ctx().copy_text(text),
                Request::Open(path) => spawn_detached(move || {
                    if let Err(e) = opener::open(&path) {
                        tracing::warn!("open {}: {e}", path.display());
                    }
                }),
                Request::Reveal(path) => spawn_detached(move || {
                    if let Err(e) = opener::reveal(&path) {
                        tracing::warn!("reveal {}: {e}", path.display());
                    }
                }),
                Request::Notify { title, body } => spawn_detached(move || {
                    // No notification service (common on bare Linux): carry on silently.
                    if let Err(e) = notify_rust::Notification::new()
                        .appname("R2V Studio") // not text: the app's name for the notification service
                        .summary(&title)
                        .body(&body)
                        .show()
                    {
                        tracing::debug!("notification: {e}");
                    }
                }),
                Request::OpenProject(path) => {
                    let _ = self.chores.send(Chore::OpenProject(path, self.state.lang));
                }
                Request::SaveProject(path) => {
                    let spec = Box::new(self.state.spec());
                    let _ = self
                        .chores
                        .send(Chore::SaveProject(path, spec, self.state.lang));
                }
                Request::RelinkFile(index) => {
                    let _ = self.chores.send(Chore::RelinkFile(index, self.state.lang));
                }
                Request::RelinkFolder => {
                    let missing: Vec<usize> = self.state.missing.iter().map(|(i, _)| *i).collect();
                    let mut spec = self.state.spec();
                    for (i, old) in &self.state.missing {
                        if let Some(r) = spec.references.get_mut(*i) {
                            r.source = crate::core::RefSource::Local(old.clone());
                        }
                    }
                    let _ = self
                        .chores
                        .send(Chore::RelinkFolder(Box::new(Project::new(spec)), missing));
                }
                Request::ExportText {
                    suggested_name,
                    text,
                } => {
                    let _ = self.chores.send(Chore::Export {
                        suggested_name,
                        text,
                    });
                }
                Request::CloseWindow => {
                    self.closing = true;
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
                Request::SaveSettings(mut settings) => {
                    settings.recent_projects = self.state.recent_projects.clone();
                    let _ = self.chores.send(Chore::SaveSettings(settings));
                }
                Request::StoreKey { key, allow_file } => {
                    let _ = self.chores.send(Chore::StoreKey(key, allow_file));
                }
                Request::ForgetKey => {
                    let _ = self.chores.send(Chore::ForgetKey);
                }
                Request::TestKey { base_url, key } => {
                    let base_url = match base_url {
                        Some(url) if !self.wiring.demo => resolve_base_url(None, Some(&url)),
                        _ => self.wiring.config.base_url.clone(),
                    };
                    match key.or_else(|| self.wiring.config.api_key.clone()) {
                        Some(key) => {
                            let _ = self.chores.send(Chore::Test { base_url, key });
                        }
                        None => {
                            let view = &mut self.state.settings_view;
                            view.testing = false;
                            view.test_result = Some((false, loc!("shell-key-enter-first")));
                        }
                    }
                }
            }
        }
    }

    fn on_exit(&mut self) {
        if let Some(engine) = self.engine.take() {
            engine.shutdown();
        }
    }
}

fn spawn_detached(work: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new().spawn(work) {
        tracing::warn!("could not start a thread: {e}");
    }
}
