//! macOS: the number of unfinished jobs as the badge on the app's Dock icon
//! (`NSDockTile`'s badge label; the Dock has no progress bar of its own).
//!
//! AppKit may be used only on the main thread, where the window's event loop
//! runs. The launcher's thread hands each change to the main dispatch queue,
//! which that event loop drains between frames: setting a label is a short call
//! that only records it (the Dock draws it in its own process). The queue is
//! drained only once the event loop runs, so the app object asked for here is
//! always the one winit made (winit requires making it first).

use super::LauncherState;
use dispatch2::DispatchQueue;
use objc2::MainThreadMarker;
use objc2_app_kit::NSApplication;
use objc2_foundation::NSString;

pub struct Backend;

impl Backend {
    pub fn new(_desktop_id: &str) -> Backend {
        Backend
    }

    /// The Dock finds the app by its process: no window needed.
    pub fn attach(&mut self, _window: isize) {}

    pub fn show(&mut self, state: LauncherState) {
        let label = state.badge();
        DispatchQueue::main().exec_async(move || set_badge(label.as_deref()));
    }
}

/// Sets (or, with `None`, removes) the Dock icon's badge. Runs on the main
/// queue, so on the main thread.
fn set_badge(label: Option<&str>) {
    let Some(main_thread) = MainThreadMarker::new() else {
        tracing::info!("dock badge: not on the main thread");
        return;
    };
    let app = NSApplication::sharedApplication(main_thread);
    let label = label.map(NSString::from_str);
    app.dockTile().setBadgeLabel(label.as_deref());
}
