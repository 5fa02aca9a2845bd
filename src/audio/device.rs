//! The system's sound output through cpal (the `sound` feature). The stream
//! lives on a thread of its own (cpal's streams are not `Send` everywhere);
//! its callback only calls [`Feed::fill`].

use super::SoundError;
use super::link::Feed;
use super::output::{DeviceFormat, Output};
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, OutputCallbackInfo, SampleFormat, SizedSample, StreamConfig};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long opening or starting the device may take before it counts as failed.
const DEVICE_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) struct CpalOutput {
    format: DeviceFormat,
    feed: Option<Sender<Feed>>,
    started: Receiver<Result<(), SoundError>>,
    /// Dropped to stop the stream's thread.
    stop: Option<Sender<()>>,
    failure: Arc<Mutex<Option<String>>>,
    thread: Option<JoinHandle<()>>,
}

fn device_error(error: impl std::fmt::Display) -> SoundError {
    SoundError::Device {
        detail: error.to_string(),
    }
}

impl CpalOutput {
    /// Opens the default output device and reads its format (waits for it).
    pub(crate) fn open() -> Result<CpalOutput, SoundError> {
        let (format_tx, format_rx) = mpsc::channel();
        let (feed_tx, feed_rx) = mpsc::channel::<Feed>();
        let (started_tx, started_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let failure = Arc::new(Mutex::new(None));
        let failure_in = Arc::clone(&failure);
        let thread = std::thread::Builder::new()
            .name("sound-output".into())
            .spawn(move || {
                run(format_tx, feed_rx, started_tx, stop_rx, failure_in);
            })
            .map_err(device_error)?;
        let format = match format_rx.recv_timeout(DEVICE_TIMEOUT) {
            Ok(result) => result?,
            Err(RecvTimeoutError::Timeout) => {
                return Err(device_error("the sound device did not answer"));
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(device_error("the sound thread stopped"));
            }
        };
        Ok(CpalOutput {
            format,
            feed: Some(feed_tx),
            started: started_rx,
            stop: Some(stop_tx),
            failure,
            thread: Some(thread),
        })
    }
}

impl Output for CpalOutput {
    fn format(&self) -> DeviceFormat {
        self.format
    }

    fn play(&mut self, feed: Feed) -> Result<(), SoundError> {
        let sender = self
            .feed
            .take()
            .ok_or_else(|| device_error("the sound output was already started"))?;
        sender
            .send(feed)
            .map_err(|_| device_error("the sound thread stopped"))?;
        match self.started.recv_timeout(DEVICE_TIMEOUT) {
            Ok(result) => result,
            Err(_) => Err(device_error("the sound device did not start")),
        }
    }

    fn error(&self) -> Option<SoundError> {
        self.failure
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(device_error)
    }
}

impl Drop for CpalOutput {
    fn drop(&mut self) {
        self.feed.take();
        self.stop.take();
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::warn!("the sound output thread panicked");
        }
    }
}

fn run(
    format_tx: Sender<Result<DeviceFormat, SoundError>>,
    feed_rx: Receiver<Feed>,
    started_tx: Sender<Result<(), SoundError>>,
    stop_rx: Receiver<()>,
    failure: Arc<Mutex<Option<String>>>,
) {
    let host = cpal::default_host();
    let Some(device) = host.default_output_device() else {
        // Nobody may be listening any more: the error then has no reader.
        format_tx.send(Err(SoundError::NoDevice)).ok();
        return;
    };
    let supported = match device.default_output_config() {
        Ok(config) => config,
        // ALSA names a "default" device even on a machine without a sound card.
        Err(error) if error.kind() == cpal::ErrorKind::DeviceNotAvailable => {
            format_tx.send(Err(SoundError::NoDevice)).ok();
            return;
        }
        Err(error) => {
            format_tx.send(Err(device_error(error))).ok();
            return;
        }
    };
    let config: StreamConfig = supported.config();
    let format = DeviceFormat {
        sample_rate: config.sample_rate,
        channels: config.channels,
    };
    if format_tx.send(Ok(format)).is_err() {
        return;
    }
    let Ok(mut feed) = feed_rx.recv() else {
        return;
    };
    let on_error = move |error: cpal::Error| {
        tracing::warn!(%error, "sound output failed");
        *failure.lock().unwrap_or_else(PoisonError::into_inner) = Some(error.to_string());
    };
    let stream = match supported.sample_format() {
        SampleFormat::F32 => device.build_output_stream(
            config,
            move |data: &mut [f32], info: &OutputCallbackInfo| {
                note_latency(&feed, info);
                feed.fill(data, Instant::now());
            },
            on_error,
            None,
        ),
        SampleFormat::I16 => build::<i16>(&device, config, feed, on_error),
        SampleFormat::U16 => build::<u16>(&device, config, feed, on_error),
        SampleFormat::I32 => build::<i32>(&device, config, feed, on_error),
        SampleFormat::U8 => build::<u8>(&device, config, feed, on_error),
        SampleFormat::F64 => build::<f64>(&device, config, feed, on_error),
        other => {
            started_tx
                .send(Err(device_error(format!("sample format {other}"))))
                .ok();
            return;
        }
    };
    let stream = match stream {
        Ok(stream) => stream,
        Err(error) => {
            started_tx.send(Err(device_error(error))).ok();
            return;
        }
    };
    if let Err(error) = stream.play() {
        started_tx.send(Err(device_error(error))).ok();
        return;
    }
    started_tx.send(Ok(())).ok();
    // Keep the stream until the output is dropped (the sender goes away).
    while stop_rx.recv().is_ok() {}
    drop(stream);
}

fn note_latency(feed: &Feed, info: &OutputCallbackInfo) {
    let stamp = info.timestamp();
    feed.set_latency(stamp.playback.duration_since(stamp.callback));
}

/// A stream for a device that does not take `f32`: the feed fills a buffer
/// made once (and grown only if the device asks for more than before).
fn build<T>(
    device: &cpal::Device,
    config: StreamConfig,
    mut feed: Feed,
    on_error: impl FnMut(cpal::Error) + Send + 'static,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32>,
{
    let mut scratch = vec![0.0f32; 16_384 * feed.channels()];
    device.build_output_stream(
        config,
        move |data: &mut [T], info: &OutputCallbackInfo| {
            note_latency(&feed, info);
            if scratch.len() < data.len() {
                scratch.resize(data.len(), 0.0);
            }
            let buffer = &mut scratch[..data.len()];
            feed.fill(buffer, Instant::now());
            for (out, &sample) in data.iter_mut().zip(buffer.iter()) {
                *out = T::from_sample(sample);
            }
        },
        on_error,
        None,
    )
}
