//! A worker thread that decodes a clip ahead of playback and can be told to
//! seek. The UI takes frames with [`Playback::take`] (never blocks) and shows
//! each when its time comes; the worker keeps a few frames ready.
//!
//! Every frame carries the generation of the seek it belongs to, so that
//! frames decoded before a seek are never shown after it.

use super::VideoError;
use super::clip::{Clip, Frame};
use super::convert::Pixels;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the worker has for the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlaybackEvent {
    /// The next frame, in presentation order from the last seek, with a small
    /// copy when previews are asked for ([`Playback::set_preview_size`]).
    Frame {
        generation: u64,
        frame: Frame,
        preview: Option<Frame>,
    },
    /// The last frame of the clip has been given.
    End { generation: u64 },
    /// Decoding stopped; the player should offer the system player.
    Failed { generation: u64, error: VideoError },
}

/// Spare frame buffers the worker keeps for decoding into.
const SPARE_BUFFERS: usize = 2;

/// Called from the worker thread when the UI should look again.
pub type Waker = Arc<dyn Fn() + Send + Sync>;

#[derive(Default)]
struct State {
    queue: VecDeque<PlaybackEvent>,
    generation: u64,
    seek_to: Option<usize>,
    max_size: Option<(u32, u32)>,
    preview_size: Option<(u32, u32)>,
    /// Wake the UI when the next event is queued (it waits for a frame).
    wake: bool,
    waker: Option<Waker>,
    /// Bytes of frames the UI no longer holds, to decode into (and to free
    /// here rather than on the UI thread).
    spare: Vec<Pixels>,
    /// The worker has nothing more to decode until the next seek.
    idle: bool,
    stop: bool,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent under every lock holder: a panic elsewhere
        // does not make it unusable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A clip being decoded ahead on its own thread. Dropping it stops the thread.
pub struct Playback {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Playback {
    /// Starts decoding `clip` from frame `start`, keeping up to `ahead` frames
    /// (at least 1) ready, each scaled to fit `max_size`.
    pub fn spawn(clip: Clip, start: usize, ahead: usize, max_size: Option<(u32, u32)>) -> Playback {
        Playback::spawn_with_previews(clip, start, ahead, max_size, None)
    }

    /// As [`Playback::spawn`], with a small copy of every frame fitted into
    /// `preview` from the first frame on.
    pub fn spawn_with_previews(
        clip: Clip,
        start: usize,
        ahead: usize,
        max_size: Option<(u32, u32)>,
        preview: Option<(u32, u32)>,
    ) -> Playback {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                seek_to: Some(start),
                max_size,
                preview_size: preview,
                ..State::default()
            }),
            changed: Condvar::new(),
        });
        let worker = Arc::clone(&shared);
        let ahead = ahead.max(1);
        let thread = std::thread::Builder::new()
            .name("video-playback".into())
            .spawn(move || run(clip, &worker, ahead))
            .ok();
        if thread.is_none() {
            let mut state = shared.lock();
            state.queue.push_back(PlaybackEvent::Failed {
                generation: 0,
                error: VideoError::corrupt("could not start the decoding thread"),
            });
        }
        Playback { shared, thread }
    }

    /// Drops the frames decoded so far and goes on from frame `index`; returns
    /// the generation that frames from there carry.
    pub fn seek(&self, index: usize) -> u64 {
        let mut state = self.shared.lock();
        state.generation += 1;
        state.seek_to = Some(index);
        state.queue.clear();
        state.idle = false;
        self.shared.changed.notify_all();
        state.generation
    }

    /// A new display size for the frames decoded from now on.
    pub fn set_max_size(&self, max_size: Option<(u32, u32)>) {
        let mut state = self.shared.lock();
        state.max_size = max_size;
    }

    /// Every frame decoded from now on also comes as a copy fitted into
    /// `size` (for scrubbing), or not (`None`).
    pub fn set_preview_size(&self, size: Option<(u32, u32)>) {
        self.shared.lock().preview_size = size;
    }

    /// What the worker calls to wake the UI (see [`Playback::wake_on_next`]).
    pub fn set_waker(&self, waker: Waker) {
        self.shared.lock().waker = Some(waker);
    }

    /// The UI waits for a frame: the worker calls the waker once the next
    /// event is queued (at once if one is waiting already).
    pub fn wake_on_next(&self) {
        let mut state = self.shared.lock();
        if state.queue.is_empty() {
            state.wake = true;
        } else if let Some(waker) = state.waker.clone() {
            drop(state);
            waker();
        }
    }

    /// Gives back the bytes of a frame the UI no longer needs: the worker
    /// decodes the next frames into them, or frees them on its own thread.
    pub fn recycle(&self, buffer: Pixels) {
        let mut state = self.shared.lock();
        state.spare.push(buffer);
        self.shared.changed.notify_all();
    }

    /// The generation of the last seek.
    pub fn generation(&self) -> u64 {
        self.shared.lock().generation
    }

    /// The oldest event waiting, if any (never blocks).
    pub fn take(&self) -> Option<PlaybackEvent> {
        let mut state = self.shared.lock();
        let event = state.queue.pop_front();
        if event.is_some() {
            self.shared.changed.notify_all();
        }
        event
    }

    /// The next event waiting without taking it (to check its time).
    pub fn peek(&self) -> Option<PlaybackEvent> {
        self.shared.lock().queue.front().cloned()
    }

    /// Waits up to `timeout` for an event (for tests and benchmarks; the UI
    /// uses [`Playback::take`]).
    pub fn wait(&self, timeout: Duration) -> Option<PlaybackEvent> {
        let state = self.shared.lock();
        let (mut state, _) = self
            .shared
            .changed
            .wait_timeout_while(state, timeout, |s| s.queue.is_empty())
            .unwrap_or_else(PoisonError::into_inner);
        let event = state.queue.pop_front();
        if event.is_some() {
            self.shared.changed.notify_all();
        }
        event
    }
}

impl Drop for Playback {
    fn drop(&mut self) {
        {
            let mut state = self.shared.lock();
            state.stop = true;
            self.shared.changed.notify_all();
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(mut clip: Clip, shared: &Shared, ahead: usize) {
    let count = clip.info().frame_count;
    let mut next = 0usize;
    loop {
        // Wait for room in the queue, a seek, or the end.
        let (generation, max_size, preview_size, buffer, extra) = {
            let mut state = shared.lock();
            loop {
                if state.stop {
                    return;
                }
                if let Some(to) = state.seek_to.take() {
                    next = to;
                    state.idle = false;
                }
                if !state.idle && state.queue.len() < ahead {
                    break;
                }
                state = shared
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            let buffer = state.spare.pop().unwrap_or_default();
            // More than a few spare buffers are freed here, off the lock.
            let extra = if state.spare.len() > SPARE_BUFFERS {
                state.spare.split_off(SPARE_BUFFERS)
            } else {
                Vec::new()
            };
            (
                state.generation,
                state.max_size,
                state.preview_size,
                buffer,
                extra,
            )
        };
        drop(extra);
        let event = if next >= count {
            PlaybackEvent::End { generation }
        } else {
            match clip.frame_and_preview(next, max_size, preview_size, buffer) {
                Ok((frame, preview)) => PlaybackEvent::Frame {
                    generation,
                    frame,
                    preview,
                },
                Err(error) => PlaybackEvent::Failed { generation, error },
            }
        };
        let mut state = shared.lock();
        if state.generation != generation {
            // A seek came while decoding: this frame is no longer wanted.
            continue;
        }
        if !matches!(event, PlaybackEvent::Frame { .. }) {
            state.idle = true;
        }
        state.queue.push_back(event);
        shared.changed.notify_all();
        let waker = if std::mem::take(&mut state.wake) {
            state.waker.clone()
        } else {
            None
        };
        drop(state);
        if let Some(waker) = waker {
            waker();
        }
        next += 1;
    }
}
