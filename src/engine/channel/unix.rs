//! The channel on Unix: a socket file in the data folder, mode 0600.
//!
//! A socket's address holds at most 107 bytes of path on Linux and 103 on
//! macOS and the BSDs. A data folder deep enough to pass that (or a long user
//! name on macOS) has its socket instead in a folder of this user's that only
//! they may enter, named after the data folder's path (see [`socket_path`]).

use crate::engine::wire::SOCKET_NAME;
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use tokio::net::{UnixListener, UnixStream};

pub type ServerConn = UnixStream;
pub type ClientConn = UnixStream;

/// The longest path a socket address holds (its last byte ends the text).
#[cfg(any(target_os = "linux", target_os = "android"))] // not text: target names
const MAX_SOCKET_PATH: usize = 107;
#[cfg(not(any(target_os = "linux", target_os = "android")))] // not text: target names
const MAX_SOCKET_PATH: usize = 103;

/// Where the engine for `data_dir` listens, for messages and logs.
pub fn address(data_dir: &Path) -> String {
    socket_path(data_dir)
        .unwrap_or_else(|_| data_dir.join(SOCKET_NAME))
        .display()
        .to_string()
}

/// The socket of `data_dir`: `engine.sock` in it when that path fits in a
/// socket's address; otherwise `<folder key>.sock` in [`private_dir`], the
/// same for every process that names the folder.
fn socket_path(data_dir: &Path) -> io::Result<PathBuf> {
    let inside = data_dir.join(SOCKET_NAME);
    if inside.as_os_str().len() <= MAX_SOCKET_PATH {
        return Ok(inside);
    }
    // macOS folders are usually case-blind: fold case there as Windows does.
    let key = super::folder_key(data_dir, cfg!(target_os = "macos")); // not text: a target name
    Ok(private_dir()?.join(format!("{key}.sock"))) // not text: a file name
}

/// `r2v-studio-<uid>` in `$XDG_RUNTIME_DIR` (a folder of the user's own,
/// on Linux desktops), else in the temporary folder (on macOS already the
/// user's own): made mode 0700, and refused unless it is a real folder
/// owned by this user that nobody else may enter, so that no one else can
/// put a socket of theirs in the engine's place.
fn private_dir() -> io::Result<PathBuf> {
    let base = std::env::var_os("XDG_RUNTIME_DIR") // not text: an environment variable
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .unwrap_or_else(std::env::temp_dir);
    // SAFETY: geteuid takes nothing and cannot fail.
    let uid = unsafe { libc::geteuid() };
    let dir = base.join(format!("r2v-studio-{uid}")); // not text: a folder name
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    let meta = std::fs::symlink_metadata(&dir)?;
    if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o077 != 0 {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{} is not a folder only this user may enter", // not text: an error for the log
                dir.display()
            ),
        ));
    }
    Ok(dir)
}

/// The listening socket. Dropping it removes the socket file, so clients see
/// that nobody serves the folder any more.
pub struct Listener {
    listener: UnixListener,
    path: PathBuf,
}

impl Listener {
    /// Binds the folder's socket. Only the process holding the folder's lock
    /// calls this, so a socket file found there is a crashed process's: it is
    /// replaced.
    pub fn bind(data_dir: &Path) -> std::io::Result<Listener> {
        let path = socket_path(data_dir)?;
        match std::fs::remove_file(&path) {
            Ok(()) => tracing::info!("removed a stale socket at {}", path.display()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let listener = UnixListener::bind(&path)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        Ok(Listener { listener, path })
    }

    pub fn address(&self) -> String {
        self.path.display().to_string()
    }

    pub async fn accept(&mut self) -> std::io::Result<ServerConn> {
        self.listener.accept().await.map(|(stream, _)| stream)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Connects to the engine serving `data_dir`.
pub async fn connect(data_dir: &Path) -> std::io::Result<ClientConn> {
    UnixStream::connect(socket_path(data_dir)?).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_folder_keeps_its_socket_inside_and_a_deep_one_gets_a_private_one() {
        let dir = tempfile::tempdir().unwrap();
        let short = dir.path().join("data");
        assert_eq!(socket_path(&short).unwrap(), short.join(SOCKET_NAME));
        let deep = dir
            .path()
            .join("a-folder-name-of-forty-characters-or-so")
            .join("x".repeat(90));
        // (a data folder exists by the time its engine listens)
        std::fs::create_dir_all(&deep).unwrap();
        let path = socket_path(&deep).unwrap();
        assert!(
            path.as_os_str().len() <= MAX_SOCKET_PATH,
            "{}",
            path.display()
        );
        assert!(!path.starts_with(&deep));
        assert_eq!(
            socket_path(&deep.join(".")).unwrap(),
            path,
            "one folder, one socket"
        );
        let other = socket_path(&dir.path().join("y".repeat(120))).unwrap();
        assert_ne!(other, path);
        let private = path.parent().unwrap();
        let mode = std::fs::metadata(private).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[test]
    fn a_private_folder_others_may_enter_is_refused() {
        let runtime = tempfile::tempdir().unwrap();
        // SAFETY: geteuid takes nothing and cannot fail.
        let uid = unsafe { libc::geteuid() };
        let shared = runtime.path().join(format!("r2v-studio-{uid}"));
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
        // (this test's own XDG_RUNTIME_DIR, in a process of its own below)
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "engine::channel::unix::tests::private_dir_of_env",
                "--nocapture",
            ])
            .env("XDG_RUNTIME_DIR", runtime.path())
            .env("R2V_EXPECT_PRIVATE_DIR", "refused")
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Run by the test above in a process of its own (the environment is
    /// process-wide); does nothing when run alone.
    #[test]
    fn private_dir_of_env() {
        if std::env::var_os("R2V_EXPECT_PRIVATE_DIR").is_some() {
            let error = private_dir().unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::PermissionDenied);
            assert!(error.to_string().contains("only this user"), "{error}");
        }
    }
}
