//! Progress on the taskbar or dock while jobs run, where the desktop reads it.
//!
//! What to show is a pure function of the jobs ([`LauncherState::of`]); how it
//! is shown depends on the system, and always happens on a thread of its own
//! (it is I/O), fed through a channel only when the picture changes:
//! - Linux and other free desktops: the Unity launcher API, a D-Bus signal
//!   `com.canonical.Unity.LauncherEntry.Update(app_uri, {progress, count, …})`
//!   on the session bus, read by GNOME's Dash to Dock / Ubuntu Dock, KDE Plasma's
//!   task manager, Plank and others (silently ignored where nothing reads it);
//! - Windows: the taskbar button's progress bar (`ITaskbarList3`) of the
//!   window, whose handle the shell passes once it has one ([`Launcher::attach`]);
//! - macOS: not wired yet (see [`Backend`]); the window works the same without it.

use crate::engine::{Job, JobState};
use std::sync::mpsc::{Sender, channel};

/// What the launcher shows: how many jobs are unfinished and how far they are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LauncherState {
    /// Unfinished jobs (0: no badge).
    pub count: usize,
    /// Their mean progress, 0.0 to 1.0; `None` when nothing runs.
    pub progress: Option<f64>,
}

impl LauncherState {
    pub const IDLE: LauncherState = LauncherState {
        count: 0,
        progress: None,
    };

    /// What `jobs` add up to. A job's share follows its state: the generation
    /// itself (pending and running on the service) is most of the wait.
    pub fn of(jobs: &[Job]) -> LauncherState {
        let unfinished: Vec<f64> = jobs
            .iter()
            .filter(|j| !j.state.is_final())
            .map(|j| share(j.state))
            .collect();
        if unfinished.is_empty() {
            return LauncherState::IDLE;
        }
        let mean = unfinished.iter().sum::<f64>() / unfinished.len() as f64;
        LauncherState {
            count: unfinished.len(),
            progress: Some(mean.clamp(0.0, 1.0)),
        }
    }
}

/// How far a job in `state` is, roughly.
fn share(state: JobState) -> f64 {
    match state {
        JobState::Queued => 0.0,
        JobState::Uploading => 0.05,
        JobState::Submitting | JobState::SubmitUnknown => 0.1,
        JobState::Pending => 0.2,
        JobState::Running => 0.5,
        JobState::Succeeded => 0.85,
        JobState::Downloading => 0.9,
        JobState::Done | JobState::Failed | JobState::Canceled | JobState::Expired => 1.0,
    }
}

/// What the launcher's thread is told.
enum Note {
    State(LauncherState),
    /// The window's native handle (Windows: its HWND), once it exists.
    #[cfg_attr(not(windows), allow(dead_code))]
    Window(isize),
}

/// Sends the launcher state to the system's launcher, on a thread of its own.
pub struct Launcher {
    tx: Option<Sender<Note>>,
    last: LauncherState,
    attached: bool,
}

impl Launcher {
    /// The launcher of the desktop file `desktop_id` (e.g. `r2v-studio`).
    pub fn start(desktop_id: &str) -> Launcher {
        let (tx, rx) = channel::<Note>();
        let desktop_id = desktop_id.to_string();
        let spawned = std::thread::Builder::new()
            .name("r2v-launcher".into()) // not text: a thread name
            .spawn(move || {
                let mut backend = Backend::new(&desktop_id);
                while let Ok(note) = rx.recv() {
                    let mut state = match note {
                        Note::State(state) => state,
                        Note::Window(handle) => {
                            backend.attach(handle);
                            continue;
                        }
                    };
                    // Only the newest picture matters.
                    while let Ok(newer) = rx.try_recv() {
                        match newer {
                            Note::State(newer) => state = newer,
                            Note::Window(handle) => backend.attach(handle),
                        }
                    }
                    backend.show(state);
                }
                backend.show(LauncherState::IDLE);
            });
        match spawned {
            Ok(_) => Launcher {
                tx: Some(tx),
                last: LauncherState::IDLE,
                attached: false,
            },
            Err(e) => {
                tracing::warn!("launcher progress: no thread: {e}");
                Launcher::off()
            }
        }
    }

    /// A launcher that shows nothing (tests, or no thread).
    pub fn off() -> Launcher {
        Launcher {
            tx: None,
            last: LauncherState::IDLE,
            attached: false,
        }
    }

    /// Tells the launcher which window is the app's (once; Windows shows the
    /// progress on that window's taskbar button). Elsewhere nothing to do.
    pub fn attach(&mut self, frame: &eframe::Frame) {
        if self.attached || self.tx.is_none() {
            return;
        }
        self.attached = true;
        #[cfg(windows)]
        {
            use raw_window_handle::{HasWindowHandle, RawWindowHandle};
            if let Ok(handle) = frame.window_handle()
                && let RawWindowHandle::Win32(win32) = handle.as_raw()
            {
                self.send(Note::Window(win32.hwnd.get()));
                // Shown again on the window now known.
                self.send(Note::State(self.last));
            }
        }
        #[cfg(not(windows))]
        let _ = frame;
    }

    #[cfg_attr(not(windows), allow(dead_code))]
    fn send(&mut self, note: Note) {
        if let Some(tx) = &self.tx
            && tx.send(note).is_err()
        {
            self.tx = None;
        }
    }

    /// Shows `state` if it differs from what is shown.
    pub fn update(&mut self, state: LauncherState) {
        if state == self.last {
            return;
        }
        self.last = state;
        self.send(Note::State(state));
    }
}

/// The Unity launcher API's `Update` signal: its object path, the app's URI
/// and the properties, as the signal carries them.
#[cfg(all(unix, not(target_os = "macos")))] // not text: a target name
mod unity {
    use super::LauncherState;
    use std::collections::HashMap;
    use zbus::Variant;

    pub const INTERFACE: &str = "com.canonical.Unity.LauncherEntry"; // not text: a D-Bus name
    pub const SIGNAL: &str = "Update"; // not text: a D-Bus name

    /// Any path of our own will do; readers match on the app URI.
    pub fn path(desktop_id: &str) -> String {
        let clean: String = desktop_id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        format!("/app/r2vstudio/launcher/{clean}") // not text: a D-Bus object path
    }

    pub fn app_uri(desktop_id: &str) -> String {
        format!("application://{desktop_id}.desktop") // not text: a URI
    }

    pub fn properties(state: LauncherState) -> HashMap<&'static str, Variant<'static>> {
        let count = i64::try_from(state.count).unwrap_or(i64::MAX);
        HashMap::from([
            ("count", Variant::from(count)), // not text: a D-Bus property name
            ("count-visible", Variant::from(state.count > 0)), // not text: a D-Bus property name
            ("progress", Variant::from(state.progress.unwrap_or(0.0))), // not text: a D-Bus property name
            ("progress-visible", Variant::from(state.progress.is_some())), // not text: a D-Bus property name
            ("urgent", Variant::from(false)), // not text: a D-Bus property name
        ])
    }
}

/// The system's launcher. Linux: the Unity launcher API over the session bus
/// (no bus, or nobody listening: nothing happens, and the first failure is
/// logged once).
#[cfg(all(unix, not(target_os = "macos")))] // not text: a target name
struct Backend {
    desktop_id: String,
    runtime: Option<tokio::runtime::Runtime>,
    connection: Option<zbus::Connection>,
    failed: bool,
}

#[cfg(all(unix, not(target_os = "macos")))] // not text: a target name
impl Backend {
    fn new(desktop_id: &str) -> Backend {
        Backend {
            desktop_id: desktop_id.to_string(),
            runtime: None,
            connection: None,
            failed: false,
        }
    }

    fn attach(&mut self, _window: isize) {}

    fn show(&mut self, state: LauncherState) {
        if self.failed {
            return;
        }
        if let Err(e) = self.try_show(state) {
            tracing::info!("launcher progress unavailable: {e}");
            self.failed = true;
        }
    }

    fn try_show(&mut self, state: LauncherState) -> Result<(), String> {
        if self.runtime.is_none() {
            self.runtime = Some(
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?,
            );
        }
        let Some(runtime) = &self.runtime else {
            return Ok(());
        };
        if self.connection.is_none() {
            self.connection = Some(
                runtime
                    .block_on(zbus::Connection::session())
                    .map_err(|e| e.to_string())?,
            );
        }
        let Some(connection) = &self.connection else {
            return Ok(());
        };
        let body = (unity::app_uri(&self.desktop_id), unity::properties(state));
        runtime
            .block_on(connection.emit_signal(
                None::<&str>,
                unity::path(&self.desktop_id).as_str(),
                unity::INTERFACE,
                unity::SIGNAL,
                &body,
            ))
            .map_err(|e| e.to_string())
    }
}

/// macOS (NSDockTile's badge label) needs AppKit calls that cannot be
/// compiled or tried on this Linux machine: not wired yet. The window works
/// the same without it.
#[cfg(target_os = "macos")] // not text: a target name
struct Backend;

#[cfg(target_os = "macos")] // not text: a target name
impl Backend {
    fn new(_desktop_id: &str) -> Backend {
        Backend
    }

    fn attach(&mut self, _window: isize) {}

    fn show(&mut self, _state: LauncherState) {}
}

#[cfg(windows)]
use taskbar::Backend;

/// Windows: the progress bar on the window's taskbar button, through the
/// shell's `ITaskbarList3` (COM, on the launcher's own thread).
#[cfg(windows)]
mod taskbar {
    use super::LauncherState;
    use std::ffi::c_void;
    use std::ptr::null_mut;
    use windows_sys::Win32::System::Com::{
        CLSCTX_INPROC_SERVER, COINIT_APARTMENTTHREADED, CoCreateInstance, CoInitializeEx,
    };
    use windows_sys::core::{GUID, HRESULT};

    /// `ITaskbarList3`'s interface id.
    const IID_ITASKBARLIST3: GUID = GUID::from_u128(0xea1afb91_9e28_4b86_90e9_9e9f8a5eefaf);
    /// The shell's taskbar list object.
    const CLSID_TASKBARLIST: GUID = GUID::from_u128(0x56fdf344_fd6d_11d0_958a_006097c9a090);
    const TBPF_NOPROGRESS: u32 = 0;
    const TBPF_NORMAL: u32 = 2;
    /// The bar's scale: progress is sent as thousandths.
    const TOTAL: u64 = 1000;

    /// The interface's table of functions, in its declared order (IUnknown,
    /// then ITaskbarList, ITaskbarList2, ITaskbarList3); only the slots called
    /// here are typed.
    #[repr(C)]
    struct Vtable {
        query_interface: usize,
        add_ref: usize,
        release: unsafe extern "system" fn(*mut Object) -> u32, // not text: an ABI
        hr_init: unsafe extern "system" fn(*mut Object) -> HRESULT, // not text: an ABI
        add_tab: usize,
        delete_tab: usize,
        activate_tab: usize,
        set_active_alt: usize,
        mark_fullscreen_window: usize,
        set_progress_value: unsafe extern "system" fn(*mut Object, isize, u64, u64) -> HRESULT, // not text: an ABI
        set_progress_state: unsafe extern "system" fn(*mut Object, isize, u32) -> HRESULT, // not text: an ABI
    }

    #[repr(C)]
    struct Object {
        vtable: *const Vtable,
    }

    pub struct Backend {
        window: Option<isize>,
        list: Option<*mut Object>,
        failed: bool,
    }

    impl Backend {
        pub fn new(_desktop_id: &str) -> Backend {
            Backend {
                window: None,
                list: None,
                failed: false,
            }
        }

        pub fn attach(&mut self, window: isize) {
            self.window = Some(window);
        }

        pub fn show(&mut self, state: LauncherState) {
            let Some(window) = self.window else {
                return;
            };
            let Some(list) = self.list() else {
                return;
            };
            // SAFETY: `list` is a live ITaskbarList3 made on this thread, and
            // each slot is called with the arguments its declaration takes.
            let result = unsafe {
                let table = &*(*list).vtable;
                match state.progress {
                    Some(progress) => {
                        (table.set_progress_state)(list, window, TBPF_NORMAL);
                        let done = (progress.clamp(0.0, 1.0) * TOTAL as f64).round() as u64;
                        (table.set_progress_value)(list, window, done, TOTAL)
                    }
                    None => (table.set_progress_state)(list, window, TBPF_NOPROGRESS),
                }
            };
            if result < 0 {
                tracing::info!("taskbar progress: error {result:#x}");
            }
        }

        /// The taskbar list, made on first use (`None`, logged once, where the
        /// shell offers none).
        fn list(&mut self) -> Option<*mut Object> {
            if self.list.is_some() || self.failed {
                return self.list;
            }
            let mut made: *mut c_void = null_mut();
            // SAFETY: COM is set up for this thread before the object is made;
            // `made` receives an interface pointer we own (released in Drop).
            let result = unsafe {
                CoInitializeEx(null_mut(), COINIT_APARTMENTTHREADED as u32);
                CoCreateInstance(
                    &CLSID_TASKBARLIST,
                    null_mut(),
                    CLSCTX_INPROC_SERVER,
                    &IID_ITASKBARLIST3,
                    &mut made,
                )
            };
            if result < 0 || made.is_null() {
                tracing::info!("taskbar progress unavailable: error {result:#x}");
                self.failed = true;
                return None;
            }
            let list = made.cast::<Object>();
            // SAFETY: a freshly made ITaskbarList3; HrInit must come first.
            let init = unsafe { ((*(*list).vtable).hr_init)(list) };
            if init < 0 {
                tracing::info!("taskbar progress unavailable: error {init:#x}");
                // SAFETY: releasing the one reference we hold.
                unsafe { ((*(*list).vtable).release)(list) };
                self.failed = true;
                return None;
            }
            self.list = Some(list);
            self.list
        }
    }

    impl Drop for Backend {
        fn drop(&mut self) {
            if let Some(list) = self.list.take() {
                // SAFETY: releasing the one reference we hold, on its thread.
                unsafe { ((*(*list).vtable).release)(list) };
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// Run under Wine by `scripts/wine-tests.sh lib` (and on Windows):
        /// the shell's object is made, and the calls go to the right slots.
        #[test]
        fn the_taskbar_list_is_made_and_takes_progress_and_its_end() {
            let mut backend = Backend::new("r2v-studio");
            assert!(backend.list().is_some(), "the taskbar list");
            // SAFETY: a plain call; the console's window or none (0).
            let window = unsafe { windows_sys::Win32::System::Console::GetConsoleWindow() };
            backend.attach(window as isize);
            backend.show(LauncherState {
                count: 2,
                progress: Some(0.4),
            });
            backend.show(LauncherState::IDLE);
            drop(backend);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::GenerationSpec;

    fn job(state: JobState) -> Job {
        let mut job = Job::new(GenerationSpec::default(), "/tmp".into(), 1);
        job.state = state;
        job
    }

    #[test]
    fn nothing_unfinished_shows_nothing() {
        assert_eq!(LauncherState::of(&[]), LauncherState::IDLE);
        let finished = [job(JobState::Done), job(JobState::Failed)];
        assert_eq!(LauncherState::of(&finished), LauncherState::IDLE);
    }

    #[test]
    fn unfinished_jobs_are_counted_and_their_progress_averaged() {
        let jobs = [
            job(JobState::Queued),
            job(JobState::Running),
            job(JobState::Done),
        ];
        let state = LauncherState::of(&jobs);
        assert_eq!(state.count, 2);
        assert_eq!(state.progress, Some(0.25));
        let later = LauncherState::of(&[job(JobState::Downloading), job(JobState::Running)]);
        assert!(later.progress > state.progress, "{later:?}");
    }

    #[test]
    fn an_unchanged_state_is_not_sent_again() {
        let (tx, rx) = channel();
        let mut launcher = Launcher {
            tx: Some(tx),
            last: LauncherState::IDLE,
            attached: false,
        };
        launcher.update(LauncherState::IDLE);
        let busy = LauncherState {
            count: 1,
            progress: Some(0.5),
        };
        launcher.update(busy);
        launcher.update(busy);
        let sent: Vec<LauncherState> = rx
            .try_iter()
            .filter_map(|note| match note {
                Note::State(state) => Some(state),
                Note::Window(_) => None,
            })
            .collect();
        assert_eq!(sent, vec![busy]);
    }

    #[cfg(all(unix, not(target_os = "macos")))] // not text: a target name
    #[test]
    fn the_unity_signal_names_the_desktop_file_and_carries_progress_and_count() {
        use zbus::Variant;
        assert_eq!(
            unity::app_uri("r2v-studio"),
            "application://r2v-studio.desktop"
        );
        assert!(zbus::ObjectPath::try_from(unity::path("r2v-studio").as_str()).is_ok());
        let props = unity::properties(LauncherState {
            count: 3,
            progress: Some(0.4),
        });
        assert_eq!(props["count"], Variant::from(3i64));
        assert_eq!(props["count-visible"], Variant::from(true));
        assert_eq!(props["progress"], Variant::from(0.4f64));
        assert_eq!(props["progress-visible"], Variant::from(true));
        let idle = unity::properties(LauncherState::IDLE);
        assert_eq!(idle["progress-visible"], Variant::from(false));
        assert_eq!(idle["count-visible"], Variant::from(false));
    }
}
