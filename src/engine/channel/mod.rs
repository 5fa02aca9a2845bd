//! The local channel's transport: how the process that runs a data folder's
//! engine listens for the other processes on that folder, and how they reach
//! it. Only the same user can open it:
//!
//! - on Unix, a socket file `engine.sock` in the data folder, mode 0600; when
//!   that path is too long for a socket's address, a socket named after the
//!   folder in a folder of this user's that only they may enter;
//! - on Windows, a named pipe whose name is made from the data folder's path,
//!   with an access list that admits this user only; remote clients are
//!   refused, and a client checks that the pipe's server runs as the same user
//!   before it sends anything.
//!
//! What travels on it is in `wire.rs`; `hub.rs` serves it and `remote.rs` is
//! the client. Both see a connection as a byte stream and nothing more.

#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub(super) use unix::{ClientConn, Listener, address, connect};

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub(super) use windows::{ClientConn, Listener, address, connect};

/// The pipe's name for a data folder: the same for every process that names
/// the folder (paths compared without regard to case, as Windows does), and
/// different for different folders.
#[cfg_attr(not(windows), allow(dead_code))]
fn pipe_name(data_dir: &std::path::Path) -> String {
    format!(r"\\.\pipe\r2v-studio-{}", folder_key(data_dir, true))
}

/// A short name (20 hex digits) for a data folder, the same for every process
/// that names the folder, however it is spelled (`.`, links; with
/// `fold_case`, any case), and different for different folders.
fn folder_key(data_dir: &std::path::Path, fold_case: bool) -> String {
    use sha2::{Digest, Sha256};
    let path = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    let mut text = path.to_string_lossy().into_owned();
    if fold_case {
        text = text.to_lowercase();
    }
    let digest = Sha256::digest(text.as_bytes());
    digest[..10].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_has_one_pipe_name_however_it_is_spelled() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("Data");
        std::fs::create_dir(&data).unwrap();
        let name = pipe_name(&data);
        assert!(name.starts_with(r"\\.\pipe\r2v-studio-"), "{name}");
        assert_eq!(name.len(), r"\\.\pipe\r2v-studio-".len() + 20);
        assert_eq!(pipe_name(&data.join(".")), name);
        let other = dir.path().join("Other");
        std::fs::create_dir(&other).unwrap();
        assert_ne!(pipe_name(&other), name);
    }
}
