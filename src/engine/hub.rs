//! The engine's side of the local channel: a Unix socket in the data folder,
//! readable and writable by its owner only, that other processes on the same
//! data folder use as clients (see `wire.rs` for the messages and `remote.rs`
//! for the client).
//!
//! Only the process holding the data folder's lock serves it, so a socket file
//! found there at start is a crashed process's: it is removed and made anew.
//! A client's bad line gets an error answer and is logged; a client that goes
//! away mid-line is dropped; neither touches the engine.

use super::wire::{self, MAX_LINE, Reply, Request, VERSION, WireEvent};
use super::{Command, Event};
use crate::loc;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{broadcast, mpsc, watch};

/// Binds the socket (replacing a stale one) and serves clients until `stop`.
/// Returns the socket's path, or why it could not be served (the engine runs
/// on without clients then).
pub(super) fn start(
    data_dir: &Path,
    commands: mpsc::UnboundedSender<Command>,
    events: broadcast::Sender<Event>,
    stop: watch::Receiver<bool>,
) -> std::io::Result<PathBuf> {
    let path = data_dir.join(wire::SOCKET_NAME);
    match std::fs::remove_file(&path) {
        Ok(()) => tracing::info!("removed a stale socket at {}", path.display()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(&path)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    let served = path.clone();
    tokio::spawn(async move {
        let mut stop = stop;
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let commands = commands.clone();
                        let events = events.subscribe();
                        tokio::spawn(serve_client(stream, commands, events));
                    }
                    Err(e) => tracing::warn!("socket: {e}"),
                },
                _ = stop.changed() => break,
            }
        }
        // Clients see the end of their stream and take over or reconnect.
        let _ = std::fs::remove_file(&served);
    });
    Ok(path)
}

async fn serve_client(
    stream: UnixStream,
    commands: mpsc::UnboundedSender<Command>,
    mut events: broadcast::Receiver<Event>,
) {
    let (read, mut write) = stream.into_split();
    let (lines_tx, mut lines) = mpsc::channel(16);
    tokio::spawn(read_lines(read, lines_tx));
    loop {
        tokio::select! {
            line = lines.recv() => {
                let answer = match line {
                    // The client went away (at a line's end or in the middle of one).
                    None => return,
                    Some(Line::TooLong) => {
                        tracing::warn!("a client sent a line over {MAX_LINE} bytes");
                        let _ = send(&mut write, &error("line too long")).await;
                        return;
                    }
                    Some(Line::Text(line)) => handle(&line, &commands),
                };
                if let Some(answer) = answer
                    && send(&mut write, &answer).await.is_err()
                {
                    return;
                }
            }
            event = events.recv() => match event {
                // The engine stops: every event before this was passed on; what
                // its jobs do next (they go idle) is for whoever takes over.
                Ok(Event::EngineGone) => return,
                Ok(event) => {
                    if let Some(event) = WireEvent::from_event(&event)
                        && send(&mut write, &Reply::Event { event }).await.is_err()
                    {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!("a client missed {missed} events");
                    let _ = send(&mut write, &error("missed events")).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            },
        }
    }
}

enum Line {
    Text(Vec<u8>),
    TooLong,
}

/// Reads whole lines (at most [`MAX_LINE`] bytes) until the client goes away.
async fn read_lines(read: tokio::net::unix::OwnedReadHalf, lines: mpsc::Sender<Line>) {
    let mut read = BufReader::new(read);
    loop {
        let mut line = Vec::new();
        match (&mut read)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .await
        {
            Ok(0) | Err(_) => return,
            Ok(_) if line.ends_with(b"\n") => {
                if lines.send(Line::Text(line)).await.is_err() {
                    return;
                }
            }
            Ok(_) => {
                if line.len() > MAX_LINE {
                    let _ = lines.send(Line::TooLong).await;
                }
                // Else the stream ended in the middle of a line: nothing to do.
                return;
            }
        }
    }
}

/// The answer to one line, if it needs one.
fn handle(line: &[u8], commands: &mpsc::UnboundedSender<Command>) -> Option<Reply> {
    let request: Request = match serde_json::from_slice(line) {
        Ok(request) => request,
        Err(e) => {
            tracing::warn!("a client sent a line that is not a request: {e}");
            return Some(error(&e.to_string()));
        }
    };
    match request {
        Request::Hello { version } if version == VERSION => {
            Some(Reply::Welcome { version: VERSION })
        }
        Request::Hello { version } => Some(Reply::Error {
            message: loc!("engine-client-version", theirs = version, ours = VERSION),
        }),
        other => {
            if let Some(command) = other.into_command() {
                let _ = commands.send(command);
            }
            None
        }
    }
}

fn error(detail: &str) -> Reply {
    Reply::Error {
        message: loc!("engine-client-bad-request", detail = detail),
    }
}

async fn send(write: &mut tokio::net::unix::OwnedWriteHalf, reply: &Reply) -> std::io::Result<()> {
    let text = wire::line(reply).map_err(std::io::Error::other)?;
    write.write_all(text.as_bytes()).await
}
