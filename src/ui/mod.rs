//! The desktop window (eframe/egui). Each panel owns its state and draws it
//! ([`editor`], [`jobs`], [`settings`]); [`app`] holds them and draws the window;
//! panels emit [`command::AppCommand`]s, which the eframe shell ([`shell`])
//! executes in one place. No I/O happens on the UI thread: the engine and
//! [`background`] do it.

pub mod app;
pub mod background;
pub mod command;
pub mod editor;
pub mod fonts;
pub mod jobs;
pub mod launcher;
pub mod notify;
pub mod player;
pub mod settings;
pub mod shared;
pub mod shell;
pub mod welcome;
pub mod widgets;

use crate::api::{ApiKey, resolve_base_url};
use crate::core::Lang;
use crate::engine::{EngineConfig, EventSink};
use crate::settings::{KeyStore, Settings};
use crate::sim::{SimConfig, Simulator};
use crate::{loc, tr};
use app::AppState;
use command::AppCommand;
use std::path::PathBuf;
use std::sync::Arc;

/// How the window starts.
#[derive(Debug, Clone, Default)]
pub struct WindowOptions {
    /// Against the built-in simulator, with sample references.
    pub demo: bool,
    pub base_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub lang: Option<Lang>,
    /// Pictures to start with as references.
    pub files: Vec<PathBuf>,
}

/// The in-process simulator of `--demo`, with the runtime it runs on.
pub struct DemoService {
    // Field order matters: the simulator stops before its runtime goes.
    sim: Simulator,
    _runtime: tokio::runtime::Runtime,
}

/// The demo started inside a running window (from the welcome panel): the
/// simulator, its address and key, and the sample references written.
pub struct DemoStart {
    pub service: DemoService,
    pub base_url: String,
    pub key: Option<ApiKey>,
    pub samples: Vec<PathBuf>,
    pub task_duration: std::time::Duration,
}

impl std::fmt::Debug for DemoStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DemoStart") // not text: a debug name
    }
}

impl DemoService {
    /// Starts the simulator on a runtime of its own (blocks: call it from a
    /// worker thread), and writes the sample references into `data_dir`.
    pub fn start(data_dir: &std::path::Path, lang: Lang) -> Result<DemoStart, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| tr!(lang, "shell-demo-failed", error = e.to_string()))?;
        let sim = runtime
            .block_on(Simulator::start(SimConfig::default(), 0))
            .map_err(|e| tr!(lang, "shell-demo-failed", error = e.to_string()))?;
        let samples = write_demo_samples(data_dir, lang)?;
        Ok(DemoStart {
            base_url: sim.base_url(),
            key: ApiKey::new(sim.config().api_key.clone()),
            task_duration: sim.config().task_duration,
            samples,
            service: DemoService {
                sim,
                _runtime: runtime,
            },
        })
    }
}

/// The sample references of `--demo`: name and PNG. The names are sample
/// input (the prompt mentions them), the same in both interface languages.
pub const DEMO_REFERENCES: [(&str, &[u8]); 3] = [
    ("歌手", include_bytes!("../../assets/demo/musician.png")), // not text: sample reference name, asset path
    ("吉他", include_bytes!("../../assets/demo/guitar.png")), // not text: sample reference name, asset path
    ("咖啡厅", include_bytes!("../../assets/demo/cafe.png")), // not text: sample reference name, asset path
];
/// The sample prompt of `--demo`: input for the video model, not interface text.
pub const DEMO_PROMPT: &str =
    // not text: a sample prompt the user edits, sent to the model as written
    "@歌手 坐在@咖啡厅 的窗边，抱着@吉他 轻声弹唱一首慢歌，午后的阳光洒在木桌上，镜头缓缓推近";

/// The app's icon (drawn in `assets/icon/r2v-studio.svg`, rendered by
/// `assets/icon/render.sh`): the window's icon in the taskbar and window list.
pub const ICON_PNG: &[u8] = include_bytes!("../../assets/icon/r2v-studio-256.png"); // not text: asset path

/// The desktop file's id (`packaging/linux/r2v-studio.desktop`).
pub const DESKTOP_ID: &str = "r2v-studio"; // not text: a file name

/// The window's icon, decoded once before the window exists. Should the
/// embedded PNG not decode, the window keeps the system's default icon (the
/// unit test below makes sure it does decode).
fn window_icon() -> egui::IconData {
    eframe::icon_data::from_png_bytes(ICON_PNG).unwrap_or_else(|e| {
        tracing::warn!("window icon: {e}");
        egui::IconData::default()
    })
}

/// Opens the window; returns when it closes.
///
/// Settings and the saved key are read here, before the window exists; later
/// changes go through the shell's worker thread.
pub fn run(options: WindowOptions) -> Result<(), String> {
    let settings_dir = Settings::default_dir();
    let (settings, settings_problem) = match Settings::load(&settings_dir) {
        Ok(s) => (s, None),
        Err(problem) => (Settings::default(), Some(problem)),
    };
    let lookup = KeyStore::new(&settings_dir).load();
    let lang = settings.lang.or(options.lang).unwrap_or(Lang::En);
    let mut demo = None;
    let (base_url, key, data_dir, out) = if options.demo {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| tr!(lang, "shell-demo-failed", error = e.to_string()))?;
        let sim = runtime
            .block_on(Simulator::start(SimConfig::default(), 0))
            .map_err(|e| tr!(lang, "shell-demo-failed", error = e.to_string()))?;
        let base = sim.base_url();
        let key = ApiKey::new(sim.config().api_key.clone());
        demo = Some(DemoService {
            sim,
            _runtime: runtime,
        });
        let data = options
            .data_dir
            .clone()
            .unwrap_or_else(|| EngineConfig::default_data_dir().join("demo")); // not text: a folder name
        let out = options
            .out
            .clone()
            .unwrap_or_else(|| EngineConfig::default_output_dir().join("demo")); // not text: a folder name
        (base, key, data, out)
    } else {
        (
            resolve_base_url(options.base_url.as_deref(), Some(settings.service_url())),
            lookup.key.clone(),
            options
                .data_dir
                .clone()
                .unwrap_or_else(EngineConfig::default_data_dir),
            options
                .out
                .clone()
                .or_else(|| settings.output_dir.clone())
                .unwrap_or_else(EngineConfig::default_output_dir),
        )
    };
    // Sample files are written before the window opens (never on the UI thread).
    let samples = if options.demo {
        write_demo_samples(&data_dir, lang)?
    } else {
        Vec::new()
    };
    let files = options.files.clone();
    let has_key = key.is_some();
    let mut config = EngineConfig::new(base_url.clone(), key, data_dir, out);
    config.jobs_per_series = settings.jobs_per_series;
    config.queries_per_second = settings.queries_per_second;
    config.settings_dir = Some(settings_dir.clone());
    if let Some(d) = &demo {
        config.expected_generation = Some(d.sim.config().task_duration);
    }
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(tr!(lang, "shell-window-title"))
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([1024.0, 700.0])
            .with_drag_and_drop(true)
            .with_icon(window_icon())
            // The launcher's name (r2v-studio.desktop): Wayland desktops find
            // the icon and name through it, X11 ones through WM_CLASS.
            .with_app_id(DESKTOP_ID),
        ..Default::default()
    };
    eframe::run_native(
        "R2V Studio", // not text: the app id (names the folder eframe keeps its state in)
        native,
        Box::new(move |cc| {
            fonts::install(&cc.egui_ctx);
            let (tx, rx) = std::sync::mpsc::channel();
            let ctx = cc.egui_ctx.clone();
            let sink = EventSink::new(tx, Arc::new(move || ctx.request_repaint()));
            let mut state = AppState::new(lang, base_url);
            state.apply_settings(&cc.egui_ctx, &settings);
            state.lang = lang;
            state.demo = demo.is_some();
            state.settings.demo = demo.is_some();
            state.settings.key = settings::KeyInfo::from_lookup(&lookup);
            if let Some(problem) = settings_problem {
                state.toast(loc!("shell-settings-problem", problem = problem), true);
            }
            let engine = match crate::engine::Handle::start(&config, &sink, true) {
                Ok(link) => Some(link),
                Err(e) => {
                    state.toast(
                        loc!("shell-engine-start-failed", error = e.describe()),
                        true,
                    );
                    None
                }
            };
            if !has_key && demo.is_none() {
                state.welcome = Some(welcome::WelcomePanel::new(settings.region));
            }
            state
                .commands
                .push(AppCommand::Engine(crate::engine::Command::LoadHistory));
            if !samples.is_empty() {
                state.load_demo_samples(samples.clone());
            }
            state.open_arguments(files.clone());
            state.project.recent = settings.recent_projects.clone();
            state.project.saved_spec = state.editor.spec();
            let wiring = shell::Wiring {
                config,
                settings,
                settings_dir,
                demo: demo.is_some(),
                // not text: an environment variable's name
                report_first_frame: std::env::var_os("R2V_REPORT_FIRST_FRAME").is_some(),
            };
            Ok(Box::new(
                shell::App::new(&cc.egui_ctx, state, engine, (sink, rx), wiring, demo)
                    .with_launcher(launcher::Launcher::start(DESKTOP_ID)),
            ))
        }),
    )
    .map_err(|e| tr!(lang, "shell-window-failed", error = e.to_string()))
}

/// Writes the sample references into `data_dir`; an error is a sentence in `lang`.
fn write_demo_samples(data_dir: &std::path::Path, lang: Lang) -> Result<Vec<PathBuf>, String> {
    let dir = data_dir.join("samples"); // not text: a folder name
    std::fs::create_dir_all(&dir).map_err(|e| {
        tr!(
            lang,
            "shell-samples-folder-failed",
            path = dir.display().to_string(),
            error = e.to_string(),
        )
    })?;
    let files = ["musician.png", "guitar.png", "cafe.png"]; // not text: sample file names
    files
        .iter()
        .zip(DEMO_REFERENCES)
        .map(|(file, (_, bytes))| {
            let path = dir.join(file);
            std::fs::write(&path, bytes).map_err(|e| {
                tr!(
                    lang,
                    "shell-sample-write-failed",
                    path = path.display().to_string(),
                    error = e.to_string(),
                )
            })?;
            Ok(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_window_icon_decodes_to_a_square_opaque_in_its_middle() {
        let icon = super::window_icon();
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
        let middle = (128 * 256 + 128) * 4;
        assert_eq!(
            icon.rgba[middle + 3],
            255,
            "the middle of the icon is opaque"
        );
        assert_eq!(icon.rgba[3], 0, "its corner is transparent (rounded)");
    }
}
