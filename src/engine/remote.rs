//! A client of the engine that another process runs for the same data folder
//! (see `hub.rs`): commands go out as lines on the folder's socket, the
//! engine's events come back to the same kind of [`EventSink`] a local engine
//! uses. When the engine's process goes away, the client's listeners get
//! [`Event::EngineGone`]: the caller then starts the engine itself (the first
//! to take the folder's lock) or connects to the one that did.

use super::wire::{self, MAX_LINE, Reply, Request, VERSION};
use super::{Command, Event, EventSink};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Why no engine could be reached.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("no engine answers on {0}")]
    NoEngine(PathBuf, #[source] std::io::Error),
    #[error("the engine answered in another version: {0}")]
    Refused(String),
}

/// A connection to another process's engine. Dropping it closes the connection
/// (the engine goes on with the jobs it was given).
pub struct Remote {
    stream: Mutex<UnixStream>,
    reader: Option<std::thread::JoinHandle<()>>,
    /// Set when this side closes: the end of the stream is then not news.
    closing: Arc<AtomicBool>,
}

impl Remote {
    /// Connects to the engine serving `data_dir` and starts passing its events
    /// to `events`.
    pub fn connect(data_dir: &Path, events: EventSink) -> Result<Remote, RemoteError> {
        let path = data_dir.join(wire::SOCKET_NAME);
        let no_engine = |e| RemoteError::NoEngine(path.clone(), e);
        let mut stream = UnixStream::connect(&path).map_err(no_engine)?;
        let hello = wire::line(&Request::Hello { version: VERSION })
            .map_err(|e| no_engine(std::io::Error::other(e)))?;
        stream.write_all(hello.as_bytes()).map_err(no_engine)?;
        // The welcome comes first; a silent engine is not one.
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .map_err(no_engine)?;
        let mut reader = BufReader::new(stream.try_clone().map_err(no_engine)?);
        match read_reply(&mut reader) {
            Some(Reply::Welcome { .. }) => {}
            Some(Reply::Error { message }) => {
                return Err(RemoteError::Refused(message.en.clone()));
            }
            _ => {
                return Err(no_engine(std::io::Error::other(
                    "no welcome from the engine",
                )));
            }
        }
        stream.set_read_timeout(None).map_err(no_engine)?;
        reader.get_ref().set_read_timeout(None).map_err(no_engine)?;
        let closing = Arc::new(AtomicBool::new(false));
        let closed_here = Arc::clone(&closing);
        let thread = std::thread::Builder::new()
            .name("r2v-engine-client".into())
            .spawn(move || {
                while let Some(reply) = read_reply(&mut reader) {
                    match reply {
                        Reply::Event { event } => events.emit(event.into_event()),
                        Reply::Error { message } => {
                            events.emit(Event::Notice { job: None, message })
                        }
                        Reply::Welcome { .. } => {}
                    }
                }
                if !closed_here.load(Ordering::SeqCst) {
                    events.emit(Event::EngineGone);
                }
            })
            .map_err(no_engine)?;
        Ok(Remote {
            stream: Mutex::new(stream),
            reader: Some(thread),
            closing,
        })
    }

    /// Sends a command; `false` when the engine is gone (its listeners hear
    /// [`Event::EngineGone`]) or the command is not one another process may send.
    pub fn send(&self, command: Command) -> bool {
        let Some(request) = Request::from_command(command) else {
            return false;
        };
        let Ok(text) = wire::line(&request) else {
            return false;
        };
        let mut stream = self.stream.lock().unwrap_or_else(PoisonError::into_inner);
        stream.write_all(text.as_bytes()).is_ok()
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        self.closing.store(true, Ordering::SeqCst);
        let stream = self.stream.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = stream.shutdown(std::net::Shutdown::Both);
        drop(stream);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// The next message, or `None` at the end of the stream (or on a line that
/// is too long or not a message: the connection is then of no use).
fn read_reply(reader: &mut BufReader<UnixStream>) -> Option<Reply> {
    let mut line = Vec::new();
    let read = reader
        .by_ref()
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', &mut line)
        .ok()?;
    if read == 0 || !line.ends_with(b"\n") {
        return None;
    }
    match serde_json::from_slice(&line) {
        Ok(reply) => Some(reply),
        Err(e) => {
            tracing::warn!("the engine sent a line that is not a message: {e}");
            None
        }
    }
}
