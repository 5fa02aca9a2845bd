//! Progress on the taskbar or dock while jobs run, where the desktop reads it.
//!
//! What to show is a pure function of the jobs ([`LauncherState::of`]); how it
//! is shown depends on the system, and always happens on a thread of its own
//! (it is I/O), fed through a channel only when the picture changes:
//! - Linux and other free desktops (`unity.rs`): the Unity launcher API, a D-Bus signal
//!   `com.canonical.Unity.LauncherEntry.Update(app_uri, {progress, count, …})`
//!   on the session bus, read by GNOME's Dash to Dock / Ubuntu Dock, KDE Plasma's
//!   task manager, Plank and others (silently ignored where nothing reads it);
//! - Windows (`taskbar.rs`): the taskbar button's progress bar (`ITaskbarList3`)
//!   of the window, whose handle the shell passes once it has one
//!   ([`Launcher::attach`]);
//! - macOS (`dock.rs`): the count of unfinished jobs as the Dock icon's badge
//!   ([`LauncherState::badge`]), set on the main thread as AppKit requires.
//!
//! Each system's part is its own file with a `Backend` of the same shape:
//! `new(desktop_id)`, `attach(window)`, `show(state)`.

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

    /// The badge for a launcher that shows only a short label (the macOS
    /// Dock): the count of unfinished jobs, none when nothing runs.
    #[cfg_attr(not(any(target_os = "macos", test)), allow(dead_code))] // not text: a target name
    pub fn badge(&self) -> Option<String> {
        (self.count > 0).then(|| self.count.to_string())
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

#[cfg(all(unix, not(target_os = "macos")))] // not text: a target name
mod unity;
#[cfg(all(unix, not(target_os = "macos")))] // not text: a target name
use unity::Backend;

#[cfg(windows)]
mod taskbar;
#[cfg(windows)]
use taskbar::Backend;

#[cfg(target_os = "macos")] // not text: a target name
mod dock;
#[cfg(target_os = "macos")] // not text: a target name
use dock::Backend;

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
    fn the_badge_is_the_count_of_unfinished_jobs_and_gone_when_idle() {
        assert_eq!(LauncherState::IDLE.badge(), None);
        let jobs = [
            job(JobState::Running),
            job(JobState::Queued),
            job(JobState::Done),
        ];
        assert_eq!(LauncherState::of(&jobs).badge().as_deref(), Some("2"));
        let many = vec![job(JobState::Pending); 12];
        assert_eq!(LauncherState::of(&many).badge().as_deref(), Some("12"));
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
}
