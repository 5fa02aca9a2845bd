//! Windows: the progress bar on the window's taskbar button, through the
//! shell's `ITaskbarList3` (COM, on the launcher's own thread).

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
