//! The channel on Unix: a socket file in the data folder, mode 0600.

use crate::engine::wire::SOCKET_NAME;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tokio::net::{UnixListener, UnixStream};

pub type ServerConn = UnixStream;
pub type ClientConn = UnixStream;

/// Where the engine for `data_dir` listens, for messages and logs.
pub fn address(data_dir: &Path) -> String {
    data_dir.join(SOCKET_NAME).display().to_string()
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
        let path = data_dir.join(SOCKET_NAME);
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
    UnixStream::connect(data_dir.join(SOCKET_NAME)).await
}
