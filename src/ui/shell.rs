//! The eframe shell around [`app_ui`]. `logic` does everything but drawing, and
//! runs even while the window is minimised or hidden (eframe then skips `ui`):
//! it takes the engine's events, raises notifications, answers the close
//! request and executes every command in one place, [`App::execute`]. `ui`
//! only draws. Anything that blocks (dialogs, the keychain, files, the
//! network, stopping the engine) goes to [`Background`].

use super::app::{AppState, Closing, app_ui};
use super::background::Background;
use super::command::{AppCommand, StartedEngine};
use super::notify::{DesktopNotifier, Notifier};
use super::player::{OpenedClip, Player};
use super::settings::KeyInfo;
use crate::api::{ApiKey, Client, ClientConfig, ListFilter, resolve_base_url};
use crate::core::{Lang, Localized};
use crate::engine::{Command, EngineConfig, EngineError, Event, EventSink, Handle, Job};
use crate::project::{self, Project};
use crate::settings::{KeyLookup, KeyStore, Settings};
use crate::video::VideoError;
use crate::{loc, tr};
use egui::Ui;
use std::path::PathBuf;
use std::sync::mpsc::Receiver;

/// The image files the file dialogs offer.
// not text: file extensions
const IMAGE_EXTENSIONS: [&str; 8] = ["jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff"];

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

/// The engine as the shell sees it.
enum EngineLink {
    Running(Handle),
    /// Being restarted on the worker: commands wait here.
    Restarting(Vec<Command>),
    /// It could not start.
    Missing,
}

pub struct App {
    pub state: AppState,
    engine: EngineLink,
    events: Receiver<Event>,
    /// Given to restarted engines.
    sink: EventSink,
    background: Background,
    notifier: Box<dyn Notifier>,
    wiring: Wiring,
    /// Kept alive for `--demo` (or the demo started from the welcome panel);
    /// dropped after the engine.
    demo: Option<super::DemoService>,
    /// The engine's configuration from before the demo, to go back to.
    before_demo: Option<EngineConfig>,
    /// Progress on the taskbar or dock.
    launcher: super::launcher::Launcher,
}

impl App {
    pub fn new(
        ctx: &egui::Context,
        state: AppState,
        engine: Option<Handle>,
        events: (EventSink, Receiver<Event>),
        wiring: Wiring,
        demo: Option<super::DemoService>,
    ) -> App {
        let wake = ctx.clone();
        App {
            state,
            engine: engine.map_or(EngineLink::Missing, EngineLink::Running),
            events: events.1,
            sink: events.0,
            background: Background::start(move || wake.request_repaint()),
            notifier: Box::new(DesktopNotifier),
            wiring,
            demo,
            before_demo: None,
            launcher: super::launcher::Launcher::off(),
        }
    }

    /// Shows the jobs' progress on the system's taskbar or dock.
    pub fn with_launcher(mut self, launcher: super::launcher::Launcher) -> App {
        self.launcher = launcher;
        self
    }

    /// Desktop notifications go to `notifier` instead of the desktop.
    pub fn with_notifier(mut self, notifier: impl Notifier + 'static) -> App {
        self.notifier = Box::new(notifier);
        self
    }

    /// Everything but drawing; eframe calls it through `logic`, also while the
    /// window is hidden.
    pub fn tick(&mut self, ctx: &egui::Context) {
        while let Ok(event) = self.events.try_recv() {
            if matches!(event, Event::EngineGone) {
                // The process that ran the engine ended: this window runs it
                // now, or follows whichever process took over. Jobs continue
                // from the journal; the journal is read again for the jobs
                // that ended in between (no event will say so again).
                self.restart_engine();
                self.send(Command::LoadHistory);
                continue;
            }
            self.state.apply(event);
        }
        for answer in self.background.answers() {
            self.execute(ctx, answer);
        }
        self.launcher
            .update(super::launcher::LauncherState::of(&self.state.jobs.jobs));
        // Unsaved changes are asked about before the window goes.
        if ctx.input(|i| i.viewport().close_requested()) && self.state.close_requested() {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        }
        // Commands may lead to more (a restored spec asks for thumbnails).
        loop {
            let commands = self.state.take_commands();
            if commands.is_empty() {
                break;
            }
            for command in commands {
                self.execute(ctx, command);
            }
        }
    }

    /// The one place where commands are carried out.
    pub fn execute(&mut self, ctx: &egui::Context, command: AppCommand) {
        match command {
            AppCommand::Engine(command) => self.send(command),
            AppCommand::PickFiles => self.pick_files(),
            AppCommand::CopyText(text) => ctx.copy_text(text),
            AppCommand::Open(path) => open_file(path),
            AppCommand::Reveal(path) => reveal(path),
            AppCommand::Notify { title, body } => self.notifier.notify(&title, &body),
            AppCommand::Toast { text, error } => self.state.toast(text, error),
            AppCommand::PickOutputFolder => self.pick_output_folder(),
            AppCommand::SaveSettings(settings) => self.save_settings(settings),
            AppCommand::StoreKey { key, allow_file } => self.store_key(key, allow_file),
            AppCommand::ForgetKey => self.forget_key(),
            AppCommand::TestKey {
                base_url,
                key,
                region,
            } => self.test_key(base_url, key, region),
            AppCommand::StartDemo => self.start_demo(),
            AppCommand::DemoStarted(result) => self.demo_started(result),
            AppCommand::LeaveDemo => self.leave_demo(),
            AppCommand::ConnectAccount {
                key,
                region,
                base_url,
            } => self.connect_account(key, region, base_url),
            AppCommand::OpenProject(path) => self.open_project(path),
            AppCommand::SaveProject(path) => self.save_project(path),
            AppCommand::RelinkFile(index) => self.relink_file(index),
            AppCommand::RelinkFolder => self.relink_folder(),
            AppCommand::CloseWindow => self.close_window(ctx),
            AppCommand::ExportText {
                suggested_name,
                text,
            } => self.export_text(suggested_name, text),
            AppCommand::Restore(spec) => self.state.restore(&spec),
            AppCommand::RestoreFromVideo(path) => self.restore_from_video(path),
            AppCommand::VideoRestored(result) => self.state.video_restored(result),
            AppCommand::OpenPlayer(path) => self.open_player(path),
            AppCommand::ClosePlayer => self.close_player(),
            AppCommand::OpenSheet(jobs) => self.open_sheet(jobs),
            AppCommand::ClipOpened { path, result } => self.clip_opened(&path, result),
            AppCommand::FilesPicked(paths) => self.state.editor.add_paths(paths),
            AppCommand::OutputFolderPicked(path) => self.state.settings.folder_chosen(path),
            AppCommand::SettingsSaved(result) => self.settings_saved(ctx, result),
            AppCommand::KeyChanged(result, lookup) => self.key_changed(result, lookup),
            AppCommand::KeyTested(ok, text) => self.state.key_tested(ok, text),
            AppCommand::EngineStarted(result) => self.engine_started(result),
            AppCommand::ProjectOpened(result) => self.project_opened(result),
            AppCommand::ProjectSaved(result) => self.project_saved(ctx, result),
            AppCommand::Relinked(found) => self.relinked(found),
            AppCommand::Exported(result) => self.exported(result),
            AppCommand::DialogClosed => self.state.dialog_closed(),
        }
    }

    /// Shows the player for `path` at once (saying it is opening); the clip is
    /// read on the worker.
    fn open_player(&mut self, path: PathBuf) {
        self.show_player(Player::new(path));
    }

    /// Shows the take sheet of 2 to 4 finished jobs; their clips are read on
    /// the worker. Fewer than two videos: says so instead.
    fn open_sheet(&mut self, jobs: Vec<Job>) {
        match Player::sheet(jobs) {
            Some(sheet) => self.show_player(sheet),
            None => self.state.toast(loc!("sheet-too-few"), true),
        }
    }

    fn show_player(&mut self, player: Player) {
        self.close_player();
        let paths: Vec<PathBuf> = player.sources().iter().map(|s| s.path.clone()).collect();
        self.state.player = Some(player);
        for path in paths {
            // not text: a task name for the log
            self.background.run("open clip", move || {
                let result = OpenedClip::open(&path).map(Box::new);
                Some(AppCommand::ClipOpened { path, result })
            });
        }
    }

    /// Closes the player; its decoding thread is stopped and joined on the
    /// worker, not here.
    fn close_player(&mut self) {
        if let Some(mut player) = self.state.player.take() {
            // A note still being typed is kept.
            for review in player.unsaved_reviews() {
                self.send(review);
            }
            // not text: a task name for the log
            self.background.run("close clip", move || {
                drop(player);
                None
            });
        }
    }

    fn clip_opened(&mut self, path: &std::path::Path, result: Result<Box<OpenedClip>, VideoError>) {
        match &mut self.state.player {
            // Still the clip the player waits for (not one closed since).
            Some(player) if player.waits_for(path) => {
                player.opened(path, result.map(|b| *b));
            }
            _ => {
                if let Ok(clip) = result {
                    // not text: a task name for the log
                    self.background.run("drop clip", move || {
                        drop(clip);
                        None
                    });
                }
            }
        }
    }

    /// Whether this window is the client of another process's engine (`None`
    /// while no engine runs or it is being restarted).
    pub fn engine_is_client(&self) -> Option<bool> {
        match &self.engine {
            EngineLink::Running(link) => Some(link.is_client()),
            _ => None,
        }
    }

    fn send(&mut self, command: Command) {
        match &mut self.engine {
            EngineLink::Running(link) => link.send(command),
            EngineLink::Restarting(waiting) => waiting.push(command),
            EngineLink::Missing => self.state.toast(loc!("shell-engine-not-running"), true),
        }
    }

    fn pick_files(&self) {
        let lang = self.state.lang;
        // not text: a task name for the log
        self.background.run("pick files", move || {
            let files = rfd::FileDialog::new()
                .add_filter(tr!(lang, "shell-filter-images"), &IMAGE_EXTENSIONS)
                .pick_files()
                .unwrap_or_default();
            Some(AppCommand::FilesPicked(files))
        });
    }

    fn pick_output_folder(&self) {
        // not text: a task name for the log
        self.background.run("pick output folder", || {
            rfd::FileDialog::new()
                .pick_folder()
                .map(AppCommand::OutputFolderPicked)
        });
    }

    /// Saves what the window changed since it last read or wrote the
    /// settings, over the file as it is then (a `config set` meanwhile stays).
    fn save_settings(&self, mut settings: Settings) {
        settings.recent_projects = self.state.project.recent.clone();
        let dir = self.wiring.settings_dir.clone();
        let base = self.wiring.settings.clone();
        // not text: a task name for the log
        self.background.run("save settings", move || {
            // A damaged or unreadable file is replaced by the window's.
            let settings = match Settings::load(&dir) {
                Ok(on_disk) => settings.merged_over(&base, on_disk),
                Err(_) => settings,
            };
            Some(AppCommand::SettingsSaved(
                settings.save(&dir).map(|()| settings),
            ))
        });
    }

    fn store_key(&self, key: ApiKey, allow_file: bool) {
        let keys = KeyStore::new(&self.wiring.settings_dir);
        // not text: a task name for the log
        self.background.run("store key", move || {
            let result = keys.store(&key, allow_file).map(|_| ());
            Some(AppCommand::KeyChanged(result, keys.load()))
        });
    }

    fn forget_key(&self) {
        let keys = KeyStore::new(&self.wiring.settings_dir);
        // not text: a task name for the log
        self.background.run("forget key", move || {
            keys.forget();
            Some(AppCommand::KeyChanged(Ok(()), keys.load()))
        });
    }

    fn test_key(
        &mut self,
        base_url: Option<String>,
        key: Option<ApiKey>,
        region: Option<(crate::core::Region, String)>,
    ) {
        let base_url = match base_url {
            Some(url) if !self.wiring.demo => resolve_base_url(None, Some(&url)),
            _ => self.wiring.config.base_url.clone(),
        };
        // The demo's key is the simulator's: never try it on the real service.
        let region = region.filter(|_| !self.wiring.demo);
        let model = region
            .as_ref()
            .map(|(r, _)| *r)
            .or_else(|| crate::core::Region::of_url(&base_url))
            .unwrap_or(self.wiring.settings.region)
            .models()
            .first()
            .copied();
        match key.or_else(|| self.wiring.config.api_key.clone()) {
            // not text: a task name for the log
            Some(key) => self.background.run("test key", move || {
                let (ok, text) = test_key(&base_url, key, region, model);
                Some(AppCommand::KeyTested(ok, text))
            }),
            None => self.state.key_tested(false, loc!("shell-key-enter-first")),
        }
    }

    /// Starts the simulator on the worker; the window switches once it runs.
    fn start_demo(&mut self) {
        if self.wiring.demo {
            return;
        }
        let data_dir = self.wiring.config.data_dir.join("demo"); // not text: a folder name
        let lang = self.state.lang;
        // not text: a task name for the log
        self.background.run("start demo", move || {
            Some(AppCommand::DemoStarted(
                super::DemoService::start(&data_dir, lang)
                    .map(Box::new)
                    .map_err(Localized::verbatim),
            ))
        });
    }

    /// The simulator runs: the engine restarts against it, with the samples.
    fn demo_started(&mut self, result: Result<Box<super::DemoStart>, Localized>) {
        if let Some(welcome) = &mut self.state.welcome {
            welcome.starting_demo = false;
        }
        let start = match result {
            Ok(start) => *start,
            Err(e) => return self.state.toast(e, true),
        };
        let config = &mut self.wiring.config;
        self.before_demo = Some(config.clone());
        config.base_url = start.base_url.clone();
        config.api_key = start.key;
        config.data_dir = config.data_dir.join("demo"); // not text: a folder name
        config.output_dir = config.output_dir.join("demo"); // not text: a folder name
        config.expected_generation = Some(start.task_duration);
        self.wiring.demo = true;
        self.state.demo = true;
        self.state.settings.demo = true;
        self.state.welcome = None;
        self.state.base_url = start.base_url;
        self.state.jobs = super::jobs::JobsPanel::default();
        self.state.new_project();
        self.state.load_demo_samples(start.samples);
        self.state.project.saved_spec = self.state.editor.spec();
        self.demo = Some(start.service);
        self.restart_engine();
        self.send(Command::LoadHistory);
    }

    /// Back from the demo to the account: the engine restarts with the
    /// configuration from before (or, for `--demo`, the one settings give),
    /// then the simulator stops on the worker. Without a key, the welcome
    /// panel shows again.
    fn leave_demo(&mut self) {
        if !self.wiring.demo {
            return;
        }
        let from_settings = self.before_demo.is_none();
        let config = self.before_demo.take().unwrap_or_else(|| {
            let mut c = self.wiring.config.clone();
            c.base_url = resolve_base_url(None, Some(self.wiring.settings.service_url()));
            c.api_key = None;
            c.data_dir = EngineConfig::default_data_dir();
            c.output_dir = self
                .wiring
                .settings
                .output_dir
                .clone()
                .unwrap_or_else(EngineConfig::default_output_dir);
            c.expected_generation = None;
            c
        });
        self.wiring.demo = false;
        self.state.demo = false;
        self.state.settings.demo = false;
        self.state.base_url = config.base_url.clone();
        let has_key = config.api_key.is_some();
        self.wiring.config = config;
        self.state.jobs = super::jobs::JobsPanel::default();
        self.state.new_project();
        if !has_key {
            self.state.welcome = Some(super::welcome::WelcomePanel::new(
                self.wiring.settings.region,
            ));
        }
        self.restart_engine();
        self.send(Command::LoadHistory);
        if let Some(service) = self.demo.take() {
            // not text: a task name for the log
            self.background.run("stop demo", move || {
                drop(service);
                None
            });
        }
        if from_settings {
            // `--demo` never read the saved key: read it now (on the worker).
            let keys = KeyStore::new(&self.wiring.settings_dir);
            self.background.run(
                "load key", // not text: a task name for the log
                move || Some(AppCommand::KeyChanged(Ok(()), keys.load())),
            );
        }
    }

    /// The welcome panel's key and region: the key goes to the key store, the
    /// region (and a custom address, if the one tested is not the region's) to
    /// the settings.
    fn connect_account(&mut self, key: ApiKey, region: crate::core::Region, base_url: String) {
        let mut settings = self.wiring.settings.clone();
        settings.region = region;
        settings.base_url = (base_url != region.base_url()).then_some(base_url);
        self.save_settings(settings);
        self.store_key(key, true);
    }

    fn open_project(&self, path: Option<PathBuf>) {
        let lang = self.state.lang;
        // not text: a task name for the log
        self.background.run("open project", move || {
            let Some(path) = path.or_else(|| project_dialog(lang).pick_file()) else {
                return Some(AppCommand::DialogClosed);
            };
            Some(AppCommand::ProjectOpened(Project::open(&path).map(|p| {
                let missing = p.missing_files();
                (path, Box::new(p), missing)
            })))
        });
    }

    /// Reads a video's settings on the worker, finding its references in the
    /// data folder's archive.
    fn restore_from_video(&self, path: Option<PathBuf>) {
        let archive = crate::provenance::Archive::in_data_dir(&self.wiring.config.data_dir);
        let lang = self.state.lang;
        // not text: a task name for the log
        self.background.run("restore from video", move || {
            let picked = path.or_else(|| {
                rfd::FileDialog::new()
                    .add_filter(
                        tr!(lang, "shell-filter-video"),
                        &["mp4", "MP4"], // not text: file extensions
                    )
                    .pick_file()
            });
            let Some(path) = picked else {
                return Some(AppCommand::DialogClosed);
            };
            let result = crate::provenance::restore(&path, &archive)
                .map(Box::new)
                .map_err(|e| e.describe());
            Some(AppCommand::VideoRestored(result))
        });
    }

    fn save_project(&self, path: Option<PathBuf>) {
        let lang = self.state.lang;
        let spec = self.state.editor.spec();
        // not text: a task name for the log
        self.background.run("save project", move || {
            let path = path.or_else(|| {
                project_dialog(lang)
                    .set_file_name("project.r2v.json") // not text: a default file name
                    .save_file()
                    .map(project::with_extension)
            });
            let Some(path) = path else {
                return Some(AppCommand::DialogClosed);
            };
            Some(AppCommand::ProjectSaved(
                Project::new(spec).save(&path).map(|()| path),
            ))
        });
    }

    fn relink_file(&self, index: usize) {
        let lang = self.state.lang;
        // not text: a task name for the log
        self.background.run("relink file", move || {
            let picked = rfd::FileDialog::new()
                .add_filter(tr!(lang, "shell-filter-images"), &IMAGE_EXTENSIONS)
                .pick_file();
            Some(match picked {
                Some(path) => AppCommand::Relinked(vec![(index, path)]),
                None => AppCommand::DialogClosed,
            })
        });
    }

    fn relink_folder(&self) {
        let missing: Vec<usize> = self.state.project.missing.iter().map(|(i, _)| *i).collect();
        let mut spec = self.state.editor.spec();
        for (i, old) in &self.state.project.missing {
            if let Some(r) = spec.references.get_mut(*i) {
                r.source = crate::core::RefSource::Local(old.clone());
            }
        }
        let project = Project::new(spec);
        // not text: a task name for the log
        self.background.run("relink folder", move || {
            Some(match rfd::FileDialog::new().pick_folder() {
                Some(folder) => {
                    AppCommand::Relinked(project::find_in_folder(&project, &missing, &folder))
                }
                None => AppCommand::DialogClosed,
            })
        });
    }

    fn close_window(&mut self, ctx: &egui::Context) {
        self.state.closing = Closing::Confirmed;
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }

    fn export_text(&self, suggested_name: String, text: String) {
        // not text: a task name for the log
        self.background.run("export", move || {
            let Some(path) = rfd::FileDialog::new()
                .set_file_name(&suggested_name)
                .save_file()
            else {
                return Some(AppCommand::DialogClosed);
            };
            Some(AppCommand::Exported(
                std::fs::write(&path, text)
                    .map(|()| path.clone())
                    .map_err(|e| {
                        loc!(
                            "shell-export-write-failed",
                            path = path.display().to_string(),
                            error = e.to_string(),
                        )
                    }),
            ))
        });
    }

    fn remember_recent(&mut self) {
        self.wiring.settings.recent_projects = self.state.project.recent.clone();
        let settings = self.wiring.settings.clone();
        let dir = self.wiring.settings_dir.clone();
        // not text: a task name for the log
        self.background.run("save recent projects", move || {
            if let Err(e) = settings.save(&dir) {
                tracing::warn!("recent projects: {e}");
            }
            None
        });
    }

    /// Stops the old engine on the worker (it may wait for a create call to be
    /// answered) and starts a new one with the current wiring.
    fn restart_engine(&mut self) {
        let old = std::mem::replace(&mut self.engine, EngineLink::Restarting(Vec::new()));
        let config = self.wiring.config.clone();
        let sink = self.sink.clone();
        // not text: a task name for the log
        self.background.run("restart engine", move || {
            if let EngineLink::Running(link) = old {
                link.shutdown();
            }
            // The engine's process may be handing over: try for a while.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
            let started = loop {
                match Handle::start(&config, &sink, true) {
                    Err(EngineError::Locked(_)) if std::time::Instant::now() < deadline => {
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                    other => break other,
                }
            };
            Some(AppCommand::EngineStarted(
                started.map(StartedEngine).map_err(|e| e.describe()),
            ))
        });
    }

    fn settings_saved(&mut self, ctx: &egui::Context, result: Result<Settings, Localized>) {
        let settings = match result {
            Ok(settings) => settings,
            Err(e) => {
                self.state.settings.message = Some(loc!("shell-settings-not-saved", error = e));
                return;
            }
        };
        self.state.settings.message = None;
        self.state.settings.open = false;
        self.state.apply_settings(ctx, &settings);
        let config = &mut self.wiring.config;
        if !self.wiring.demo {
            config.base_url = resolve_base_url(None, Some(settings.service_url()));
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

    fn key_changed(&mut self, result: Result<(), Localized>, lookup: KeyLookup) {
        self.state.settings.key = KeyInfo::from_lookup(&lookup);
        if lookup.key.is_some() && !self.wiring.demo {
            self.state.welcome = None;
        }
        if let Err(problem) = result {
            self.state.settings.message = Some(loc!("shell-key-not-saved", problem = problem));
        }
        if !self.wiring.demo && self.wiring.config.api_key != lookup.key {
            self.wiring.config.api_key = lookup.key;
            self.restart_engine();
        }
    }

    fn engine_started(&mut self, result: Result<StartedEngine, Localized>) {
        let waiting = match std::mem::replace(&mut self.engine, EngineLink::Missing) {
            EngineLink::Restarting(waiting) => waiting,
            _ => Vec::new(),
        };
        match result {
            Ok(StartedEngine(link)) => {
                for command in waiting {
                    link.send(command);
                }
                self.engine = EngineLink::Running(link);
            }
            Err(e) => self
                .state
                .toast(loc!("shell-engine-restart-failed", error = e), true),
        }
    }

    fn project_opened(&mut self, result: Result<(PathBuf, Box<Project>, Vec<usize>), Localized>) {
        match result {
            Ok((path, project, missing)) => {
                self.state.load_project(path, &project.spec, missing);
                self.remember_recent();
            }
            Err(e) => {
                self.state.dialog_closed();
                self.state.toast(e, true);
            }
        }
    }

    fn project_saved(&mut self, ctx: &egui::Context, result: Result<PathBuf, Localized>) {
        match result {
            Ok(path) => {
                self.state.project_saved(path);
                self.remember_recent();
                self.state.toast(loc!("shell-project-saved"), false);
                if self.state.closing == Closing::AfterSave {
                    self.close_window(ctx);
                }
            }
            Err(e) => {
                self.state.dialog_closed();
                self.state.toast(e, true);
            }
        }
    }

    fn relinked(&mut self, found: Vec<(usize, PathBuf)>) {
        if found.is_empty() {
            self.state.toast(loc!("shell-relink-none-found"), true);
        }
        for (index, path) in found {
            self.state.relink(index, path);
        }
    }

    fn exported(&mut self, result: Result<PathBuf, Localized>) {
        match result {
            Ok(path) => self.state.toast(
                loc!("shell-exported", path = path.display().to_string()),
                false,
            ),
            Err(e) => self.state.toast(e, true),
        }
    }
}

/// The file dialog for project files.
fn project_dialog(lang: Lang) -> rfd::FileDialog {
    rfd::FileDialog::new().add_filter(
        tr!(lang, "shell-filter-project"),
        &["json"], // not text: a file extension
    )
}

fn open_file(path: PathBuf) {
    spawn_detached(move || {
        if let Err(e) = opener::open(&path) {
            tracing::warn!("open {}: {e}", path.display());
        }
    });
}

fn reveal(path: PathBuf) {
    spawn_detached(move || {
        if let Err(e) = opener::reveal(&path) {
            tracing::warn!("reveal {}: {e}", path.display());
        }
    });
}

/// A free authenticated call (one page of the task list), then an upload
/// policy for the region's model (free too; it needs the model activated), and
/// what the answers mean in plain words. A key refused here is tried at
/// the other region's address (`region`: the region tested, the other's
/// address): accepted there, it is a key of the other region.
fn test_key(
    base_url: &str,
    key: ApiKey,
    region: Option<(crate::core::Region, String)>,
    model: Option<crate::core::Model>,
) -> (bool, Localized) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return (false, Localized::verbatim(e.to_string())),
    };
    let client = match Client::new(ClientConfig::new(base_url, key.clone())) {
        Ok(c) => c,
        Err(e) => return (false, e.describe()),
    };
    let filter = ListFilter {
        page_size: 1,
        ..ListFilter::default()
    };
    let answer = runtime.block_on(async {
        client.list(&filter).await?;
        if let Some(model) = model {
            client.upload_policy(model).await?;
        }
        Ok::<(), crate::api::Error>(())
    });
    let error = match answer {
        Ok(()) => return (true, loc!("shell-key-works", url = base_url)),
        Err(e) => e,
    };
    let code = match &error {
        crate::api::Error::Api(api) => api.code.as_str(),
        _ => "",
    };
    let request_id = error.request_id().unwrap_or("—").to_string();
    let plain = match code {
        // not text: the service's error code
        "InvalidApiKey" if region.is_some() => {
            let elsewhere = region.as_ref().is_some_and(|(_, other)| {
                Client::new(ClientConfig::new(other, key))
                    .ok()
                    .is_some_and(|c| runtime.block_on(c.list(&filter)).is_ok())
            });
            let here = region
                .as_ref()
                .map(|(r, _)| *r)
                .or_else(|| crate::core::Region::of_url(base_url));
            match (elsewhere, here) {
                (true, Some(region)) => Some(loc!(
                    "shell-key-other-region",
                    region = region.name(),
                    other = region.other().name(),
                    request_id = &request_id,
                )),
                (true, None) => Some(loc!("shell-key-other-address", request_id = &request_id)),
                (false, _) => Some(loc!("shell-key-invalid", request_id = &request_id)),
            }
        }
        // not text: the service's error code
        "AccessDenied.Unpurchased" => Some(loc!(
            "shell-key-not-activated",
            // not text: a product name
            model = model.map_or("PixVerse", |m| m.info().display_name),
            request_id = &request_id,
        )),
        // not text: the service's error code
        "Arrearage" => Some(loc!("shell-key-overdue", request_id = &request_id)),
        _ => None,
    };
    if let Some(text) = plain {
        return (false, text);
    }
    let described = error.describe();
    let advice = error.advice();
    let text = match error.request_id() {
        Some(request_id) => loc!(
            "shell-key-rejected-with-request",
            error = &described,
            advice = &advice,
            request_id = request_id,
        ),
        None => loc!("shell-key-rejected", error = &described, advice = &advice),
    };
    (false, text)
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        self.launcher.attach(frame);
        self.tick(ctx);
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        app_ui(ui, &mut self.state);
        if self.wiring.report_first_frame {
            self.wiring.report_first_frame = false;
            use std::io::Write;
            let mut out = std::io::stdout();
            let _ = writeln!(out, "first frame"); // not text: read by benches/startup.rs
            let _ = out.flush();
        }
        // What the panels asked for is done in the next `logic`, at once.
        if self.state.pending_commands().next().is_some() {
            ui.ctx().request_repaint();
        }
    }

    fn on_exit(&mut self) {
        if let EngineLink::Running(link) = std::mem::replace(&mut self.engine, EngineLink::Missing)
        {
            link.shutdown();
        }
    }
}

fn spawn_detached(work: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new().spawn(work) {
        tracing::warn!("could not start a thread: {e}");
    }
}
