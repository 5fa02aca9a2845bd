//! Where the samples go: the system's sound output (cpal, behind the `sound`
//! feature), or a [`Capture`] that a test pulls from by hand.

use super::SoundError;
use super::link::Feed;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The format a device plays: the decode thread converts to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceFormat {
    pub sample_rate: u32,
    pub channels: u16,
}

/// A sound output. Opened with a format; from [`Output::play`] on, it calls
/// [`Feed::fill`] from its own thread until it is dropped.
pub trait Output: Send {
    fn format(&self) -> DeviceFormat;
    /// Starts pulling from `feed`.
    fn play(&mut self, feed: Feed) -> Result<(), SoundError>;
    /// A failure after the start (a device unplugged), once it happened.
    fn error(&self) -> Option<SoundError> {
        None
    }
}

/// An output that nothing plays: the caller pulls what would reach the
/// device, with a clock of its own. For tests, and for measuring.
#[derive(Debug, Clone)]
pub struct Capture {
    feed: Arc<Mutex<Option<Feed>>>,
    format: DeviceFormat,
}

struct CaptureOutput {
    feed: Arc<Mutex<Option<Feed>>>,
    format: DeviceFormat,
}

impl Output for CaptureOutput {
    fn format(&self) -> DeviceFormat {
        self.format
    }

    fn play(&mut self, feed: Feed) -> Result<(), SoundError> {
        *self.feed.lock().unwrap_or_else(PoisonError::into_inner) = Some(feed);
        Ok(())
    }
}

impl Capture {
    /// A capture of `format`, and the output to give to
    /// [`super::Sound::start_with`].
    pub fn new(format: DeviceFormat) -> (Capture, Box<dyn Output>) {
        let feed = Arc::new(Mutex::new(None));
        let output = CaptureOutput {
            feed: Arc::clone(&feed),
            format,
        };
        (Capture { feed, format }, Box::new(output))
    }

    /// What the device would get for `frames` frames asked for at `now`
    /// (interleaved; empty before the sound started).
    pub fn pull(&self, frames: usize, now: Instant) -> Vec<f32> {
        let mut out = vec![0.0; frames * usize::from(self.format.channels)];
        match self
            .feed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_mut()
        {
            Some(feed) => feed.fill(&mut out, now),
            None => out.clear(),
        }
        out
    }

    /// Reports a device latency, as a real device does with each fill.
    pub fn set_latency(&self, latency: Duration) {
        if let Some(feed) = self
            .feed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            feed.set_latency(latency);
        }
    }

    /// Frames of the place last asked for that the decode thread has ready.
    pub fn ready_frames(&self) -> usize {
        self.feed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map_or(0, Feed::ready_frames)
    }

    /// Waits until at least `frames` frames are ready (true) or `timeout`
    /// passes (false). Tests use it before pulling.
    pub fn wait_ready(&self, frames: usize, timeout: Duration) -> bool {
        self.wait_until(timeout, |feed| feed.ready_frames() >= frames)
    }

    /// Waits until the decode thread has reached the place last asked for,
    /// even if there is nothing to play there (the end).
    pub fn wait_caught_up(&self, timeout: Duration) -> bool {
        self.wait_until(timeout, Feed::caught_up)
    }

    fn wait_until(&self, timeout: Duration, done: impl Fn(&Feed) -> bool) -> bool {
        let until = Instant::now() + timeout;
        loop {
            let ready = self
                .feed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .as_ref()
                .is_some_and(&done);
            if ready {
                return true;
            }
            if Instant::now() >= until {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// The system's default sound output.
#[cfg(feature = "sound")]
pub(crate) fn system_output() -> Result<Box<dyn Output>, SoundError> {
    super::device::CpalOutput::open().map(|o| Box::new(o) as Box<dyn Output>)
}

#[cfg(not(feature = "sound"))]
pub(crate) fn system_output() -> Result<Box<dyn Output>, SoundError> {
    Err(SoundError::NotBuiltIn)
}
