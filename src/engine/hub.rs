//! The engine's side of the local channel that other processes on the same
//! data folder use as clients (see `channel/` for the transport, `wire.rs` for
//! the messages and `remote.rs` for the client). Only the process holding the
//! data folder's lock serves it.
//!
//! A client's bad line gets an error answer and is logged; a client that goes
//! away mid-line is dropped; neither touches the engine.

use super::channel::Listener;
use super::wire::{self, MAX_LINE, Reply, Request, VERSION, WireEvent};
use super::{Command, Event};
use crate::loc;
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::{broadcast, mpsc, watch};

/// Starts listening for the folder's clients and serves them until `stop`.
/// Returns the channel's address, or why it could not be served (the engine
/// runs on without clients then).
pub(super) fn start(
    data_dir: &Path,
    commands: mpsc::UnboundedSender<Command>,
    events: broadcast::Sender<Event>,
    stop: watch::Receiver<bool>,
) -> std::io::Result<String> {
    let mut listener = Listener::bind(data_dir)?;
    let address = listener.address();
    tokio::spawn(async move {
        let mut stop = stop;
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(stream) => {
                        let commands = commands.clone();
                        let events = events.subscribe();
                        tokio::spawn(serve_client(stream, commands, events));
                    }
                    Err(e) => {
                        tracing::warn!("local channel: {e}");
                        // Not a busy loop if the error stays.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                },
                _ = stop.changed() => break,
            }
        }
        // Dropping the listener closes the channel: clients see the end of
        // their stream and take over or reconnect.
        drop(listener);
    });
    Ok(address)
}

async fn serve_client<S>(
    stream: S,
    commands: mpsc::UnboundedSender<Command>,
    mut events: broadcast::Receiver<Event>,
) where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (read, mut write) = tokio::io::split(stream);
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
async fn read_lines(read: impl AsyncRead + Unpin, lines: mpsc::Sender<Line>) {
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

async fn send(write: &mut (impl AsyncWrite + Unpin), reply: &Reply) -> std::io::Result<()> {
    let text = wire::line(reply).map_err(std::io::Error::other)?;
    write.write_all(text.as_bytes()).await
}
