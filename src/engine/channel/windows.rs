//! The channel on Windows: a named pipe that only this user can open.
//!
//! The pipe's access list admits this user alone, and remote clients are
//! refused. The first instance is created with "first instance only", so a
//! pipe of the same name made earlier by someone else makes serving fail
//! (the engine then runs without clients) instead of sharing the name. A
//! client checks that the process serving the pipe runs as the same user
//! before it sends anything.

use std::ffi::c_void;
use std::io;
use std::os::windows::io::AsRawHandle;
use std::path::Path;
use std::ptr::null_mut;
use std::time::Duration;
use tokio::net::windows::named_pipe::{
    ClientOptions, NamedPipeClient, NamedPipeServer, ServerOptions,
};
use windows_sys::Win32::Foundation::{CloseHandle, ERROR_PIPE_BUSY, HANDLE, LocalFree};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW, SDDL_REVISION_1,
};
use windows_sys::Win32::Security::{
    EqualSid, GetTokenInformation, PSECURITY_DESCRIPTOR, PSID, SECURITY_ATTRIBUTES, TOKEN_QUERY,
    TOKEN_USER, TokenUser,
};
use windows_sys::Win32::System::Pipes::GetNamedPipeServerProcessId;
use windows_sys::Win32::System::Threading::{
    GetCurrentProcess, OpenProcess, OpenProcessToken, PROCESS_QUERY_LIMITED_INFORMATION,
};

pub type ServerConn = NamedPipeServer;
pub type ClientConn = NamedPipeClient;

/// How long a client waits for a free pipe instance (the engine makes the
/// next one right after each connection).
const BUSY_WAIT: Duration = Duration::from_secs(5);

/// Where the engine for `data_dir` listens, for messages and logs.
pub fn address(data_dir: &Path) -> String {
    super::pipe_name(data_dir)
}

/// The pipe, with the instance that waits for the next client.
pub struct Listener {
    name: String,
    next: NamedPipeServer,
    security: OwnUserOnly,
}

impl Listener {
    pub fn bind(data_dir: &Path) -> io::Result<Listener> {
        let name = super::pipe_name(data_dir);
        let security = OwnUserOnly::new()?;
        let next = security.create(&name, true)?;
        Ok(Listener {
            name,
            next,
            security,
        })
    }

    pub fn address(&self) -> String {
        self.name.clone()
    }

    /// The next client's connection; a fresh instance then waits for the one
    /// after it.
    pub async fn accept(&mut self) -> io::Result<ServerConn> {
        let connected = self.next.connect().await;
        let fresh = self.security.create(&self.name, false)?;
        let instance = std::mem::replace(&mut self.next, fresh);
        connected.map(|()| instance)
    }
}

/// Connects to the engine serving `data_dir`, if it runs as this user.
pub async fn connect(data_dir: &Path) -> io::Result<ClientConn> {
    let name = super::pipe_name(data_dir);
    let started = std::time::Instant::now();
    let client = loop {
        match ClientOptions::new().open(&name) {
            Ok(client) => break client,
            Err(e)
                if e.raw_os_error() == Some(ERROR_PIPE_BUSY as i32)
                    && started.elapsed() < BUSY_WAIT => {}
            Err(e) => return Err(e),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    served_by_this_user(&client)?;
    Ok(client)
}

fn served_by_this_user(client: &NamedPipeClient) -> io::Result<()> {
    let mut pid = 0u32;
    // SAFETY: the handle is the client's open pipe; `pid` is a valid out place.
    if unsafe { GetNamedPipeServerProcessId(client.as_raw_handle(), &mut pid) } == 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: plain call; the handle it returns is closed by `Owned`.
    let process = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
    if process.is_null() {
        return Err(io::Error::last_os_error());
    }
    let process = Owned(process);
    let theirs = Owned::token_of(process.0)?;
    // SAFETY: the pseudo handle of this process needs no closing.
    let ours = Owned::token_of(unsafe { GetCurrentProcess() })?;
    if user_of(&theirs)?.same(&user_of(&ours)?) {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the engine's pipe is served by another user",
        ))
    }
}

/// A handle closed when dropped.
struct Owned(HANDLE);

impl Owned {
    /// The access token of `process`, for reading its user.
    fn token_of(process: HANDLE) -> io::Result<Owned> {
        let mut token = null_mut();
        // SAFETY: `process` is a process handle; `token` is a valid out place.
        if unsafe { OpenProcessToken(process, TOKEN_QUERY, &mut token) } == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Owned(token))
    }
}

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: the handle is open and owned by this value alone.
        unsafe { CloseHandle(self.0) };
    }
}

/// A token's user: the `TOKEN_USER` as the system wrote it, in a buffer
/// aligned for it (the SID it points to lies inside the buffer).
struct User(Vec<u64>);

fn user_of(token: &Owned) -> io::Result<User> {
    let mut len = 0u32;
    // SAFETY: asking for the size only (no buffer); `len` is a valid out place.
    unsafe { GetTokenInformation(token.0, TokenUser, null_mut(), 0, &mut len) };
    if (len as usize) < size_of::<TOKEN_USER>() {
        return Err(io::Error::last_os_error());
    }
    let mut buffer = vec![0u64; (len as usize).div_ceil(8)];
    // SAFETY: the buffer holds at least `len` bytes, aligned for TOKEN_USER.
    let ok = unsafe {
        GetTokenInformation(
            token.0,
            TokenUser,
            buffer.as_mut_ptr().cast::<c_void>(),
            len,
            &mut len,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(User(buffer))
}

impl User {
    fn sid(&self) -> PSID {
        // SAFETY: the buffer holds a TOKEN_USER written by GetTokenInformation.
        unsafe { (*self.0.as_ptr().cast::<TOKEN_USER>()).User.Sid }
    }

    fn same(&self, other: &User) -> bool {
        // SAFETY: both SIDs are valid for as long as their buffers live.
        unsafe { EqualSid(self.sid(), other.sid()) != 0 }
    }

    /// The SID as text (`S-1-5-21-…`), for an access list.
    fn text(&self) -> io::Result<String> {
        let mut text = null_mut();
        // SAFETY: the SID is valid; `text` receives memory freed below.
        if unsafe { ConvertSidToStringSidW(self.sid(), &mut text) } == 0 {
            return Err(io::Error::last_os_error());
        }
        let mut len = 0;
        // SAFETY: the system wrote a NUL-terminated string at `text`.
        while unsafe { *text.add(len) } != 0 {
            len += 1;
        }
        // SAFETY: `len` characters were just read from it.
        let wide = unsafe { std::slice::from_raw_parts(text, len) };
        let sid = String::from_utf16_lossy(wide);
        // SAFETY: allocated by ConvertSidToStringSidW with LocalAlloc.
        unsafe { LocalFree(text.cast()) };
        Ok(sid)
    }
}

/// A security descriptor whose access list admits this process's user alone.
struct OwnUserOnly(PSECURITY_DESCRIPTOR);

// SAFETY: the descriptor is memory this value owns alone and only reads after
// making it; the system copies it into every pipe instance.
unsafe impl Send for OwnUserOnly {}
unsafe impl Sync for OwnUserOnly {}

impl OwnUserOnly {
    fn new() -> io::Result<OwnUserOnly> {
        // SAFETY: the pseudo handle of this process needs no closing.
        let token = Owned::token_of(unsafe { GetCurrentProcess() })?;
        let sid = user_of(&token)?.text()?;
        // Protected (no inherited entries), full access for this user only.
        let sddl: Vec<u16> = format!("D:P(A;;GA;;;{sid})")
            .encode_utf16()
            .chain([0])
            .collect();
        let mut descriptor = null_mut();
        // SAFETY: `sddl` is NUL-terminated; the descriptor is freed in Drop.
        let ok = unsafe {
            ConvertStringSecurityDescriptorToSecurityDescriptorW(
                sddl.as_ptr(),
                SDDL_REVISION_1,
                &mut descriptor,
                null_mut(),
            )
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(OwnUserOnly(descriptor))
    }

    /// A pipe instance under this access list.
    fn create(&self, name: &str, first: bool) -> io::Result<NamedPipeServer> {
        let mut attributes = SECURITY_ATTRIBUTES {
            nLength: size_of::<SECURITY_ATTRIBUTES>() as u32,
            lpSecurityDescriptor: self.0,
            bInheritHandle: 0,
        };
        // SAFETY: `attributes` is a valid SECURITY_ATTRIBUTES for the call, and
        // its descriptor lives as long as `self`.
        unsafe {
            ServerOptions::new()
                .first_pipe_instance(first)
                .reject_remote_clients(true)
                .create_with_security_attributes_raw(name, (&raw mut attributes).cast::<c_void>())
        }
    }
}

impl Drop for OwnUserOnly {
    fn drop(&mut self) {
        // SAFETY: allocated by ConvertStringSecurityDescriptorToSecurityDescriptorW.
        unsafe { LocalFree(self.0) };
    }
}
