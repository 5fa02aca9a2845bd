//! Sound: a clip's AAC track, decoded in pure Rust and played in step with
//! the picture.
//!
//! - [`Sound::open`] (worker thread) reads the clip's sound track and sets up
//!   its decoder: `Ok(None)` when the clip has no sound, a [`VideoError`]
//!   when it has one that cannot be played (the picture plays regardless).
//! - [`Sound::start`] opens the system's sound output (off the UI thread: it
//!   waits for the device) and starts a decode thread; [`SoundError`] when
//!   the app was built without the `sound` feature or there is no output.
//! - [`Sound::sync`], every UI frame: cheap, never blocks, no I/O. It follows
//!   the picture's clock and restarts the sound only when it is more than
//!   [`TOLERANCE`] away from it (a seek, a step, a loop).
//!
//! Threads: the decode thread decodes, resamples to the device's rate and
//! fills a bounded ring (half a second); the device's callback takes from
//! the ring ([`Feed::fill`]: atomics only, no locks, no allocation). See
//! `link.rs` for how a restart reaches the callback, and docs/VIDEO.md.
//!
//! Without the `sound` feature everything but the output is built:
//! [`Sound::available`] is false and [`Sound::start`] says that sound plays
//! in the system player. A [`Capture`] output stands in for a device in tests.

mod decode;
#[cfg(feature = "sound")]
mod device;
mod link;
mod output;
mod resample;

pub use decode::{AacStream, AudioInfo, duration_to_frames, frames_to_duration};
pub use link::Feed;
pub use output::{Capture, DeviceFormat, Output};
pub use resample::Resampler;

use crate::core::text::Localized;
use crate::loc;
use crate::video::VideoError;
use link::Link;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How far the sound may be from the picture before it is restarted where
/// the picture is (lip sync stays acceptable well beyond this).
pub const TOLERANCE: Duration = Duration::from_millis(40);
/// How far past its last callback the device is assumed to go on playing.
const EXTRAPOLATE: Duration = Duration::from_millis(100);
/// How much decoded sound waits ahead of the device.
const AHEAD: Duration = Duration::from_millis(500);
/// How often a decode thread with a full ring looks again.
const REFILL: Duration = Duration::from_millis(10);

/// Why the sound does not play in the window. The picture plays either way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SoundError {
    /// Built without the `sound` feature.
    #[error("this build plays sound in the system player only")]
    NotBuiltIn,
    /// The system has no sound output (a server, CI, a virtual display).
    #[error("no sound output device")]
    NoDevice,
    /// The output exists but could not be opened or stopped working.
    #[error("the sound output failed: {detail}")]
    Device { detail: String },
    /// The sound track stopped decoding (the file went away, damage).
    #[error("the sound track: {0}")]
    Track(VideoError),
}

impl SoundError {
    /// What happened and what the user can do, in both languages.
    pub fn describe(&self) -> Localized {
        match self {
            SoundError::NotBuiltIn => loc!("sound-error-not-built-in"),
            SoundError::NoDevice => loc!("sound-error-no-device"),
            SoundError::Device { detail } => {
                let detail = detail.as_str();
                loc!("sound-error-device", detail = detail)
            }
            SoundError::Track(error) => error.describe(),
        }
    }
}

/// A clip's sound, opened and ready to start: made on a worker thread, `Send`.
#[derive(Debug)]
pub struct SoundSource {
    stream: AacStream,
}

impl SoundSource {
    pub fn info(&self) -> AudioInfo {
        self.stream.info()
    }
}

/// What the player asks of the decode thread.
#[derive(Debug, Default)]
struct Control {
    /// Restart: (generation, first frame at the clip's rate).
    restart: Mutex<Option<(u64, u64)>>,
    stop: AtomicBool,
    failure: Mutex<Option<VideoError>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every holder leaves the value consistent: a panic elsewhere does not
    // make it unusable.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One clip's sound, playing (or paused) in step with the picture. Dropping
/// it stops the sound and its threads.
pub struct Sound {
    link: Arc<Link>,
    control: Arc<Control>,
    producer: Option<JoinHandle<()>>,
    output: Box<dyn Output>,
    clip_rate: u32,
    device_rate: u32,
    duration: Duration,
    /// Restarts so far (the generation the callback should play).
    generation: u64,
    /// Where the current generation starts, in clip time.
    start: Duration,
    /// A restart not yet heard: when it was asked, and the picture's position then.
    pending: Option<(Instant, Duration)>,
}

impl std::fmt::Debug for Sound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sound")
            .field("generation", &self.generation)
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

impl Sound {
    /// Opens the clip's sound track (on a worker thread: it reads the file).
    /// `Ok(None)`: the clip has no sound. An error: it has sound that cannot
    /// be played here (another codec, damage); the picture still plays.
    pub fn open(path: &Path) -> Result<Option<SoundSource>, VideoError> {
        Ok(AacStream::open(path)?.map(|stream| SoundSource { stream }))
    }

    /// The same from the bytes of a clip (tests, fuzzing).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Option<SoundSource>, VideoError> {
        Ok(AacStream::from_bytes(bytes)?.map(|stream| SoundSource { stream }))
    }

    /// Whether this build can play sound at all (the `sound` feature).
    pub fn available() -> bool {
        cfg!(feature = "sound")
    }

    /// Starts the sound on the system's output, paused at the start. Waits
    /// for the device (up to a few seconds): call it off the UI thread, then
    /// hand the `Sound` to the UI.
    pub fn start(source: SoundSource) -> Result<Sound, SoundError> {
        let output = output::system_output()?;
        Sound::start_with(source, output)
    }

    /// Starts the sound on `output` (a [`Capture`] in tests).
    pub fn start_with(
        source: SoundSource,
        mut output: Box<dyn Output>,
    ) -> Result<Sound, SoundError> {
        let format = output.format();
        if format.sample_rate == 0 || format.channels == 0 {
            return Err(SoundError::Device {
                detail: format!(
                    "unusable format: {} Hz, {} channels",
                    format.sample_rate, format.channels
                ),
            });
        }
        let channels = usize::from(format.channels);
        let capacity = decode::duration_to_frames(AHEAD, format.sample_rate) as usize * channels;
        let link = Arc::new(Link::new(capacity, channels));
        output.play(Feed::new(Arc::clone(&link)))?;
        let info = source.info();
        let control = Arc::new(Control::default());
        let producer = {
            let link = Arc::clone(&link);
            let control = Arc::clone(&control);
            std::thread::Builder::new()
                .name("sound-decode".into())
                .spawn(move || produce(source.stream, &link, &control, format))
                .map_err(|e| SoundError::Device {
                    detail: e.to_string(),
                })?
        };
        Ok(Sound {
            link,
            control,
            producer: Some(producer),
            output,
            clip_rate: info.sample_rate,
            device_rate: format.sample_rate,
            duration: info.duration(),
            generation: 0,
            start: Duration::ZERO,
            pending: None,
        })
    }

    /// Call every frame with the picture's state: plays from `position` while
    /// `playing`, pauses otherwise. Restarts the sound at `position` only when
    /// it is more than [`TOLERANCE`] from where the sound is. Never blocks.
    pub fn sync(&mut self, playing: bool, position: Duration, volume: f32, muted: bool) {
        self.sync_at(Instant::now(), playing, position, volume, muted);
    }

    /// [`Sound::sync`] with the time given (tests drive the clock).
    pub fn sync_at(
        &mut self,
        now: Instant,
        playing: bool,
        position: Duration,
        volume: f32,
        muted: bool,
    ) {
        let gain = if muted || !volume.is_finite() {
            0.0
        } else {
            volume.clamp(0.0, 1.0)
        };
        self.link.gain.store(gain.to_bits(), Ordering::Relaxed);
        self.link.playing.store(playing, Ordering::Release);
        // What the device should be handed now, so that it is heard when the
        // picture gets there.
        let latency = self.link.latency();
        let wanted = (position + latency).min(self.duration);
        let Some(played) = self.link.played() else {
            // The callback is writing its report right now: decide next frame.
            return;
        };
        let off = match self.handed(played, now) {
            Some(handed) => {
                self.pending = None;
                handed.abs_diff(wanted) > TOLERANCE
            }
            None => match self.pending {
                // Not heard yet: only a new jump of the picture counts.
                Some((asked, then)) => {
                    let expected = if playing {
                        then + now.saturating_duration_since(asked)
                    } else {
                        then
                    };
                    expected.abs_diff(position) > TOLERANCE
                }
                None => true,
            },
        };
        if off {
            self.restart(now, position, wanted);
        }
    }

    /// Where the device is in the clip (what it has been handed up to now),
    /// once it has been handed some of the current generation.
    fn handed(&self, played: link::Played, now: Instant) -> Option<Duration> {
        let handed = played.before + played.last;
        if played.generation != self.generation || self.generation == 0 || handed == 0 {
            return None;
        }
        // Between two callbacks the device goes on at its rate. Devices call
        // in bursts and gaps (a sound server's first period can be 50 ms), so
        // the guess runs past the last callback's frames, but not beyond
        // [`EXTRAPOLATE`]; a device that hands nothing (paused, starved) stays.
        let since = now.saturating_duration_since(played.at);
        let most = if played.last == 0 {
            0
        } else {
            played
                .last
                .max(decode::duration_to_frames(EXTRAPOLATE, self.device_rate))
        };
        let partial = decode::duration_to_frames(since, self.device_rate).min(most);
        let frames = played.before + partial;
        Some(self.start + frames_to_duration(frames, self.device_rate))
    }

    fn restart(&mut self, now: Instant, position: Duration, wanted: Duration) {
        self.generation += 1;
        let frame = decode::duration_to_frames(wanted, self.clip_rate);
        self.start = frames_to_duration(frame, self.clip_rate);
        *lock(&self.control.restart) = Some((self.generation, frame));
        self.link.wanted.store(self.generation, Ordering::Release);
        self.pending = Some((now, position));
        if let Some(producer) = &self.producer {
            producer.thread().unpark();
        }
    }

    /// How many times the sound has been (re)started (tests, diagnostics).
    pub fn restarts(&self) -> u64 {
        self.generation
    }

    /// A failure since the start (the device went away, the file became
    /// unreadable); the picture goes on without sound.
    pub fn error(&self) -> Option<SoundError> {
        if let Some(error) = self.output.error() {
            return Some(error);
        }
        lock(&self.control.failure).clone().map(SoundError::Track)
    }

    /// The sound's length.
    pub fn duration(&self) -> Duration {
        self.duration
    }
}

impl Drop for Sound {
    fn drop(&mut self) {
        self.control.stop.store(true, Ordering::Release);
        if let Some(producer) = self.producer.take() {
            producer.thread().unpark();
            if producer.join().is_err() {
                tracing::warn!("the sound decode thread panicked");
            }
        }
    }
}

/// Puts interleaved `input` (`from` channels) into `out` as `to` channels:
/// mono goes to the first two, stereo to left and right, a mono device gets
/// the average; further device channels stay silent.
fn map_channels(input: &[f32], from: usize, to: usize, out: &mut Vec<f32>) {
    if from == to {
        out.extend_from_slice(input);
        return;
    }
    for frame in input.chunks_exact(from) {
        let start = out.len();
        out.resize(start + to, 0.0);
        let target = &mut out[start..];
        if to == 1 {
            target[0] = frame.iter().sum::<f32>() / from as f32;
        } else if from == 1 {
            target[0] = frame[0];
            target[1] = frame[0];
        } else {
            target[0] = frame[0];
            target[1] = frame[1];
        }
    }
}

/// The decode thread: waits for a restart, then decodes, converts and keeps
/// the ring full until the next restart or the end.
fn produce(mut stream: AacStream, link: &Link, control: &Control, format: DeviceFormat) {
    let info = stream.info();
    let from = usize::from(info.channels);
    let to = usize::from(format.channels);
    let mut resampler = Resampler::new(info.sample_rate, format.sample_rate, from);
    let mut decoded = Vec::new();
    let mut converted = Vec::new();
    let mut pending: Vec<f32> = Vec::new();
    let mut sent = 0usize;
    // Nothing to do until the player asks for a place.
    let mut idle = true;
    loop {
        if control.stop.load(Ordering::Acquire) {
            return;
        }
        if let Some((generation, frame)) = lock(&control.restart).take() {
            stream.seek(frame);
            resampler.reset();
            pending.clear();
            sent = 0;
            idle = false;
            // Announce where the generation begins before writing any of it.
            link.produced_from
                .store(link.ring.written(), Ordering::Release);
            link.producing.store(generation, Ordering::Release);
        }
        if sent < pending.len() {
            sent += link.ring.push(&pending[sent..]);
            if sent < pending.len() {
                std::thread::park_timeout(REFILL);
            }
            continue;
        }
        pending.clear();
        sent = 0;
        if idle {
            std::thread::park();
            continue;
        }
        decoded.clear();
        match stream.read(&mut decoded) {
            Ok(0) => {
                resampler.flush(&mut converted);
                idle = true;
            }
            Ok(_) => resampler.process(&decoded, &mut converted),
            Err(error) => {
                tracing::warn!(%error, "the sound track stopped decoding");
                *lock(&control.failure) = Some(error);
                idle = true;
            }
        }
        map_channels(&converted, from, to, &mut pending);
        converted.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sound_can_be_made_on_a_worker_and_handed_to_the_ui() {
        fn send<T: Send>() {}
        send::<SoundSource>();
        send::<Sound>();
        send::<SoundError>();
    }

    #[test]
    fn channels_are_mapped_to_the_device() {
        let mut out = Vec::new();
        map_channels(&[0.5, 0.25], 1, 2, &mut out);
        assert_eq!(out, [0.5, 0.5, 0.25, 0.25]);
        out.clear();
        map_channels(&[0.5, 0.25], 2, 1, &mut out);
        assert_eq!(out, [0.375]);
        out.clear();
        map_channels(&[0.5, 0.25], 2, 4, &mut out);
        assert_eq!(out, [0.5, 0.25, 0.0, 0.0]);
    }

    #[test]
    fn every_sound_error_has_a_message_in_both_languages() {
        for error in [
            SoundError::NotBuiltIn,
            SoundError::NoDevice,
            SoundError::Device {
                detail: "busy".into(),
            },
            SoundError::Track(VideoError::Truncated),
        ] {
            let text = error.describe();
            let en = text.get(crate::core::text::Lang::En);
            let zh = text.get(crate::core::text::Lang::Zh);
            assert!(!en.is_empty() && !zh.is_empty() && en != zh, "{error:?}");
            assert!(!en.contains("sound-error"), "{en}");
        }
    }
}
