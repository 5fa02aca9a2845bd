//! The one list of things the window asks for. Panels push commands; background
//! work answers with commands too; the shell's `execute` (in `shell.rs`) runs
//! each one with a single call. Each variant names the method that handles it.

use crate::api::ApiKey;
use crate::core::{GenerationSpec, Localized};

use crate::project::Project;
use crate::settings::{KeyLookup, Settings};
use crate::ui::player::OpenedClip;
use crate::video::VideoError;
use std::path::PathBuf;

#[derive(Debug)]
pub enum AppCommand {
    // What the panels ask for.
    /// `App::send`: hand a command to the engine.
    Engine(crate::engine::Command),
    /// `App::pick_files`: the native file dialog (on the worker) to add images.
    PickFiles,
    /// `App::copy_text`.
    CopyText(String),
    /// `App::open_file`: open a file with the system's default program.
    Open(PathBuf),
    /// `App::reveal`: show a file in the file manager.
    Reveal(PathBuf),
    /// `App::notify`: a desktop notification (skipped where there is no service).
    Notify { title: String, body: String },
    /// `AppState::toast`: a short message in the window.
    Toast { text: Localized, error: bool },
    /// `App::pick_output_folder`: choose the output folder with the native dialog.
    PickOutputFolder,
    /// `App::save_settings`: save settings, then restart the engine with them.
    SaveSettings(Settings),
    /// `App::store_key`: keep a new API key (keychain, or the 0600 file if allowed).
    StoreKey { key: ApiKey, allow_file: bool },
    /// `App::forget_key`.
    ForgetKey,
    /// `App::test_key`: a free authenticated call; `None` means "the one in use".
    /// With `region`, the region being tested and the other region's address:
    /// a refused key is tried there too, to tell a key of the other region
    /// from a wrong key.
    TestKey {
        base_url: Option<String>,
        key: Option<ApiKey>,
        region: Option<(crate::core::Region, String)>,
    },
    /// `App::start_demo`: switch this window to the built-in simulator.
    StartDemo,
    /// `App::leave_demo`: back to the account (or the welcome panel).
    LeaveDemo,
    /// `App::connect_account`: keep the key and the region chosen on the
    /// welcome panel.
    ConnectAccount {
        key: ApiKey,
        region: crate::core::Region,
        base_url: String,
    },
    /// `App::open_project` (`None`: ask with the file dialog).
    OpenProject(Option<PathBuf>),
    /// `App::save_project`: save the editor as a project (`None`: ask where).
    SaveProject(Option<PathBuf>),
    /// `App::relink_file`: choose a new file for a reference whose file moved.
    RelinkFile(usize),
    /// `App::relink_folder`: look for every moved file in a folder.
    RelinkFolder,
    /// `App::close_window`: close (after the unsaved-changes question was answered).
    CloseWindow,
    /// `App::export_text`: save text (the request as JSON or curl) to a chosen file.
    ExportText {
        suggested_name: String,
        text: String,
    },
    /// `AppState::restore`: put a job's settings back into the editor.
    Restore(Box<GenerationSpec>),
    /// `App::restore_from_video`: read a video's settings (on the worker) to
    /// put them into the editor.
    RestoreFromVideo(Option<PathBuf>),
    /// `App::open_player`: play a video in the window (opened on the worker).
    OpenPlayer(PathBuf),
    /// `App::close_player`: close the player (its decoder stops on the worker).
    ClosePlayer,
    /// `App::open_sheet`: play 2 to 4 finished jobs side by side (a take sheet).
    OpenSheet(Vec<crate::engine::Job>),

    // What background work reports.
    /// `EditorState::add_paths`: files chosen in the dialog.
    FilesPicked(Vec<PathBuf>),
    /// `SettingsPanel::folder_chosen`.
    OutputFolderPicked(PathBuf),
    /// `App::settings_saved`.
    SettingsSaved(Result<Settings, Localized>),
    /// `App::key_changed`: the key store's answer and what it holds now.
    KeyChanged(Result<(), Localized>, KeyLookup),
    /// `SettingsPanel::tested`: whether the key works, in words.
    KeyTested(bool, Localized),
    /// `App::demo_started`: the simulator running in this process, or why not.
    DemoStarted(Result<Box<super::DemoStart>, Localized>),
    /// `App::engine_started`: a restarted engine, or why it did not start.
    EngineStarted(Result<StartedEngine, Localized>),
    /// `App::project_opened`: the path, the project and its moved files.
    ProjectOpened(Result<(PathBuf, Box<Project>, Vec<usize>), Localized>),
    /// `App::project_saved`.
    ProjectSaved(Result<PathBuf, Localized>),
    /// `App::relinked`: new files for moved references.
    Relinked(Vec<(usize, PathBuf)>),
    /// `App::exported`.
    Exported(Result<PathBuf, Localized>),
    /// `AppState::dialog_closed`: a dialog was closed without a choice.
    DialogClosed,
    /// `AppState::video_restored`: a video's settings, or why there are none.
    VideoRestored(Result<Box<crate::provenance::Restored>, Localized>),
    /// `App::clip_opened`: the player's clip, opened on the worker.
    ClipOpened {
        path: PathBuf,
        result: Result<Box<OpenedClip>, VideoError>,
    },
}

/// A started engine, carried back from the worker thread.
pub struct StartedEngine(pub crate::engine::Handle);

impl std::fmt::Debug for StartedEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StartedEngine") // not text: a debug name
    }
}
