//! A client of the engine that another process runs for the same data folder
//! (see `hub.rs`): commands go out as lines on the folder's channel, the
//! engine's events come back to the same kind of [`EventSink`] a local engine
//! uses. When the engine's process goes away, the client's listeners get
//! [`Event::EngineGone`]: the caller then starts the engine itself (the first
//! to take the folder's lock) or connects to the one that did.
//!
//! The connection lives on a small thread of its own (one task reads, one
//! writes), so sending never waits for an event and the caller never blocks.

use super::channel::{self, ClientConn};
use super::wire::{self, MAX_LINE, Reply, Request, VERSION};
use super::{Command, Event, EventSink};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWriteExt, BufReader, ReadHalf};
use tokio::sync::mpsc;

/// How long the engine has to welcome a client.
const WELCOME_WITHIN: Duration = Duration::from_secs(5);

/// Why no engine could be reached.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("no engine answers on {0}")]
    NoEngine(String, #[source] std::io::Error),
    #[error("the engine answered in another version: {0}")]
    Refused(String),
}

/// A connection to another process's engine. Dropping it sends what was
/// given to [`Remote::send`] and closes the connection (the engine goes on
/// with the jobs it was given).
pub struct Remote {
    outbox: Option<mpsc::UnboundedSender<String>>,
    /// Set when the engine has gone away.
    gone: Arc<AtomicBool>,
    /// Set when this side closes: the end of the stream is then not news.
    closing: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Remote {
    /// Connects to the engine serving `data_dir` and starts passing its events
    /// to `events`.
    pub fn connect(data_dir: &Path, events: EventSink) -> Result<Remote, RemoteError> {
        let address = channel::address(data_dir);
        let no_engine = |e| RemoteError::NoEngine(address.clone(), e);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(no_engine)?;
        let (reader, writer) = runtime.block_on(async {
            let mut stream = channel::connect(data_dir).await.map_err(no_engine)?;
            let hello = wire::line(&Request::Hello { version: VERSION })
                .map_err(|e| no_engine(std::io::Error::other(e)))?;
            stream
                .write_all(hello.as_bytes())
                .await
                .map_err(no_engine)?;
            let (read, write) = tokio::io::split(stream);
            let mut reader = BufReader::new(read);
            // The welcome comes first; a silent engine is not one.
            match tokio::time::timeout(WELCOME_WITHIN, read_reply(&mut reader)).await {
                Ok(Some(Reply::Welcome { .. })) => Ok((reader, write)),
                Ok(Some(Reply::Error { message })) => Err(RemoteError::Refused(message.en.clone())),
                _ => Err(no_engine(std::io::Error::other(
                    "no welcome from the engine",
                ))),
            }
        })?;
        let (outbox, mut outgoing) = mpsc::unbounded_channel::<String>();
        let gone = Arc::new(AtomicBool::new(false));
        let closing = Arc::new(AtomicBool::new(false));
        let (gone_here, closed_here) = (Arc::clone(&gone), Arc::clone(&closing));
        let thread = std::thread::Builder::new()
            .name("r2v-engine-client".into())
            .spawn(move || {
                runtime.block_on(async move {
                    tokio::spawn(pass_events(reader, events, gone_here, closed_here));
                    let mut writer = writer;
                    // Until the caller drops its side: every line it sent is
                    // written, in order, then the connection is closed.
                    while let Some(line) = outgoing.recv().await {
                        if writer.write_all(line.as_bytes()).await.is_err() {
                            break;
                        }
                    }
                    let _ = writer.shutdown().await;
                });
            })
            .map_err(no_engine)?;
        Ok(Remote {
            outbox: Some(outbox),
            gone,
            closing,
            thread: Some(thread),
        })
    }

    /// Sends a command; `false` when the engine is gone (its listeners hear
    /// [`Event::EngineGone`]) or the command is not one another process may send.
    pub fn send(&self, command: Command) -> bool {
        if self.gone.load(Ordering::SeqCst) {
            return false;
        }
        let Some(request) = Request::from_command(command) else {
            return false;
        };
        let Ok(text) = wire::line(&request) else {
            return false;
        };
        self.outbox
            .as_ref()
            .is_some_and(|outbox| outbox.send(text).is_ok())
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        self.closing.store(true, Ordering::SeqCst);
        // The writer sends what is queued and closes; the reader stops with
        // the thread's runtime.
        self.outbox = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Passes the engine's messages on until the stream ends, then tells the
/// listeners that the engine is gone (unless this side closed it).
async fn pass_events(
    mut reader: BufReader<ReadHalf<ClientConn>>,
    events: EventSink,
    gone: Arc<AtomicBool>,
    closing: Arc<AtomicBool>,
) {
    while let Some(reply) = read_reply(&mut reader).await {
        match reply {
            Reply::Event { event } => events.emit(event.into_event()),
            Reply::Error { message } => events.emit(Event::Notice { job: None, message }),
            Reply::Welcome { .. } => {}
        }
    }
    gone.store(true, Ordering::SeqCst);
    if !closing.load(Ordering::SeqCst) {
        events.emit(Event::EngineGone);
    }
}

/// The next message, or `None` at the end of the stream (or on a line that
/// is too long or not a message: the connection is then of no use).
async fn read_reply(reader: &mut BufReader<impl AsyncRead + Unpin>) -> Option<Reply> {
    let mut line = Vec::new();
    let read = reader
        .take(MAX_LINE as u64 + 1)
        .read_until(b'\n', &mut line)
        .await
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
