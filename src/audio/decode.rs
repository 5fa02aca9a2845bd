//! The AAC track of a clip, decoded to interleaved `f32` PCM.
//!
//! The access units come from [`crate::video::demux`]; symphonia's AAC-LC
//! decoder turns each into 1024 frames. Timing follows the edit list the way
//! FFmpeg reads it: the encoder delay (`start`, 1024 frames for FFmpeg's own
//! encoder) is dropped, a leading empty edit becomes silence. Unlike FFmpeg 5.1,
//! which plays the padding of the last access unit, the sound ends where the
//! edit list says (the clip's length).
//!
//! Seeking: AAC-LC frames are independent apart from the overlap with the
//! frame before (the `roll` sample group FFmpeg writes says -1), so a seek
//! decodes one access unit before the one holding the target and drops it;
//! the samples are then exactly those of a decode from the start.

use crate::video::VideoError;
use crate::video::demux::{self, AudioTrack};
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek, SeekFrom};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::time::Duration;
use symphonia_codec_aac::AacDecoder;
use symphonia_core::codecs::audio::well_known::CODEC_ID_AAC;
use symphonia_core::codecs::audio::{AudioCodecParameters, AudioDecoder, AudioDecoderOptions};
use symphonia_core::errors::Error as SymphoniaError;
use symphonia_core::packet::PacketRef;

/// The largest access unit read (AAC-LC stereo tops out near 1.5 KB; this is
/// far above any real one and keeps a damaged size table from allocating).
const MAX_ACCESS_UNIT: u32 = 64 << 10;
/// Frames an AAC-LC access unit decodes to.
const FRAMES_PER_UNIT: u64 = 1024;

/// What the sound is, as decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioInfo {
    pub sample_rate: u32,
    /// 1 or 2 (the decoder refuses more).
    pub channels: u16,
    /// Frames from the start of the sound to its end (edit list applied).
    pub frames: u64,
}

impl AudioInfo {
    pub fn duration(&self) -> Duration {
        frames_to_duration(self.frames, self.sample_rate)
    }
}

/// `frames` at `rate` as a duration.
pub fn frames_to_duration(frames: u64, rate: u32) -> Duration {
    if rate == 0 {
        return Duration::ZERO;
    }
    let rate = u64::from(rate);
    Duration::from_secs(frames / rate)
        + Duration::from_nanos((frames % rate) * 1_000_000_000 / rate)
}

/// The frame at `time` at `rate` (rounded down).
pub fn duration_to_frames(time: Duration, rate: u32) -> u64 {
    let nanos = time.as_nanos() * u128::from(rate) / 1_000_000_000;
    u64::try_from(nanos).unwrap_or(u64::MAX)
}

trait Source: Read + Seek + Send {}
impl<T: Read + Seek + Send> Source for T {}

/// A clip's AAC track, read and decoded in order from any frame. Not for the
/// UI thread: it reads the file.
pub struct AacStream {
    source: Box<dyn Source>,
    track: AudioTrack,
    params: AudioCodecParameters,
    decoder: AacDecoder,
    info: AudioInfo,
    /// Media frame (in the decoder's rate, before the edit list) where each
    /// access unit starts.
    unit_start: Vec<u64>,
    /// Edit list in frames.
    start: u64,
    delay: u64,
    /// The next access unit to decode.
    next_unit: usize,
    /// The output frame the next sample given out belongs to.
    position: u64,
    /// Decoded frames still to drop before giving any out (seek preroll).
    skip: u64,
    /// Access units that did not decode (given out as silence).
    bad_units: u64,
    bytes: Vec<u8>,
    pcm: Vec<f32>,
}

impl std::fmt::Debug for AacStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AacStream")
            .field("info", &self.info)
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

impl AacStream {
    /// Opens a clip's sound track: `Ok(None)` when the clip has none; an
    /// error when it has one that cannot be played (another codec, damaged).
    /// The picture does not depend on it.
    pub fn open(path: &Path) -> Result<Option<AacStream>, VideoError> {
        let file = File::open(path).map_err(|e| VideoError::io(&e))?;
        let len = file.metadata().map_err(|e| VideoError::io(&e))?.len();
        AacStream::from_source(Box::new(BufReader::new(file)), len)
    }

    /// The same from bytes in memory (tests, fuzzing).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Option<AacStream>, VideoError> {
        let len = bytes.len() as u64;
        AacStream::from_source(Box::new(Cursor::new(bytes)), len)
    }

    fn from_source(mut source: Box<dyn Source>, len: u64) -> Result<Option<AacStream>, VideoError> {
        let demuxed = demux::demux(&mut source, len)?;
        let Some(track) = demuxed.audio else {
            return Ok(None);
        };
        let track = track?;
        let mut params = AudioCodecParameters::new();
        params
            .for_codec(CODEC_ID_AAC)
            .with_extra_data(track.config.clone().into_boxed_slice());
        let decoder = new_decoder(&params, &track.config)?;
        let rate = decoder
            .codec_params()
            .sample_rate
            .ok_or_else(|| VideoError::corrupt("the sound track has no sample rate"))?;
        let channels = decoder
            .codec_params()
            .channels
            .as_ref()
            .map_or(0, |c| c.count());
        let channels = u16::try_from(channels)
            .ok()
            .filter(|c| (1..=2).contains(c))
            .ok_or_else(|| VideoError::UnsupportedAudio {
                codec: format!("AAC, {channels} channels"),
            })?;
        // Track ticks → frames at the decoder's rate (the same for every clip
        // FFmpeg writes, where the timescale is the sample rate).
        let scale = |ticks: u64| -> u64 {
            let frames = u128::from(ticks) * u128::from(rate) / u128::from(track.timescale);
            u64::try_from(frames).unwrap_or(u64::MAX)
        };
        let unit_start: Vec<u64> = track
            .samples
            .iter()
            .map(|s| scale(u64::try_from(s.dts).unwrap_or(0)))
            .collect();
        let media_end = unit_start
            .last()
            .map_or(0, |&last| last.saturating_add(FRAMES_PER_UNIT));
        let start = scale(track.start).min(media_end);
        let delay = scale(track.delay);
        let available = media_end - start;
        let frames =
            delay.saturating_add(track.length.map_or(available, |l| scale(l).min(available)));
        let info = AudioInfo {
            sample_rate: rate,
            channels,
            frames,
        };
        let mut stream = AacStream {
            source,
            track,
            params,
            decoder,
            info,
            unit_start,
            start,
            delay,
            next_unit: 0,
            position: 0,
            skip: 0,
            bad_units: 0,
            bytes: Vec::new(),
            pcm: Vec::new(),
        };
        stream.seek(0);
        Ok(Some(stream))
    }

    pub fn info(&self) -> AudioInfo {
        self.info
    }

    /// The output frame the next [`AacStream::read`] starts at.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Access units that failed to decode so far (each played as silence).
    pub fn bad_units(&self) -> u64 {
        self.bad_units
    }

    /// Goes to output frame `frame` (past the end: the next read gives nothing).
    pub fn seek(&mut self, frame: u64) {
        let frame = frame.min(self.info.frames);
        self.position = frame;
        self.decoder.reset();
        // The media frame that output `frame` shows (before the delay: the
        // first one, after the silence).
        let media = self.start + frame.saturating_sub(self.delay);
        let unit = self
            .unit_start
            .partition_point(|&s| s <= media)
            .saturating_sub(1);
        // One unit of preroll for the overlap with the frame before.
        let first = unit.saturating_sub(1);
        self.next_unit = first;
        self.skip = media - self.unit_start.get(first).copied().unwrap_or(0).min(media);
    }

    /// Decodes on and appends the next interleaved samples (up to one access
    /// unit's worth) to `out`; returns the frames appended, 0 at the end.
    /// A damaged access unit gives silence in its place; a file that cannot
    /// be read any more is an error.
    pub fn read(&mut self, out: &mut Vec<f32>) -> Result<usize, VideoError> {
        let channels = usize::from(self.info.channels);
        let left = self.info.frames.saturating_sub(self.position);
        if left == 0 {
            return Ok(0);
        }
        if self.position < self.delay {
            let frames = (self.delay - self.position).min(FRAMES_PER_UNIT).min(left);
            out.resize(out.len() + frames as usize * channels, 0.0);
            self.position += frames;
            return Ok(frames as usize);
        }
        loop {
            let Some(sample) = self.track.samples.get(self.next_unit).copied() else {
                // The edit list promised more than there is.
                self.position = self.info.frames;
                return Ok(0);
            };
            self.next_unit += 1;
            self.decode_unit(sample.offset, sample.size)?;
            let decoded = (self.pcm.len() / channels) as u64;
            if self.skip >= decoded {
                self.skip -= decoded;
                continue;
            }
            let from = self.skip as usize;
            self.skip = 0;
            let frames = (decoded - from as u64).min(left) as usize;
            out.extend_from_slice(&self.pcm[from * channels..(from + frames) * channels]);
            self.position += frames as u64;
            return Ok(frames);
        }
    }

    /// Decodes one access unit into `self.pcm` (silence if it is damaged).
    fn decode_unit(&mut self, offset: u64, size: u32) -> Result<(), VideoError> {
        let channels = usize::from(self.info.channels);
        self.pcm.clear();
        if size > MAX_ACCESS_UNIT {
            return Err(VideoError::corrupt(
                "a sound access unit is implausibly large",
            ));
        }
        self.bytes.resize(size as usize, 0);
        self.source
            .seek(SeekFrom::Start(offset))
            .map_err(|e| VideoError::io(&e))?;
        self.source
            .read_exact(&mut self.bytes)
            .map_err(|e| VideoError::io(&e))?;
        let packet = PacketRef::new(
            1,
            symphonia_core::units::Timestamp::new(0),
            symphonia_core::units::Duration::new(FRAMES_PER_UNIT),
            &self.bytes,
        );
        let decoder = &mut self.decoder;
        let pcm = &mut self.pcm;
        // The decoder is someone else's code reading untrusted bytes: a panic
        // in it is a damaged unit, not a crash.
        let decoded = catch_unwind(AssertUnwindSafe(|| match decoder.decode_ref(&packet) {
            Ok(buffer) => {
                buffer.copy_to_vec_interleaved::<f32>(pcm);
                Ok(())
            }
            Err(error) => Err(error.to_string()),
        }));
        let failed = match decoded {
            Ok(Ok(())) => pcm.len() != FRAMES_PER_UNIT as usize * channels,
            Ok(Err(error)) => {
                tracing::debug!(%error, offset, "a sound access unit did not decode");
                true
            }
            Err(_) => {
                tracing::debug!(offset, "the AAC decoder panicked on an access unit");
                true
            }
        };
        if failed {
            // A damaged unit can leave the decoder's channel layout wrong, and
            // then every later unit fails: start afresh from the next one.
            self.decoder = new_decoder(&self.params, &self.track.config)?;
            self.bad_units += 1;
            self.pcm.clear();
            self.pcm.resize(FRAMES_PER_UNIT as usize * channels, 0.0);
        }
        Ok(())
    }
}

fn new_decoder(params: &AudioCodecParameters, config: &[u8]) -> Result<AacDecoder, VideoError> {
    let made = catch_unwind(|| AacDecoder::try_new(params, &AudioDecoderOptions::default()));
    match made {
        Ok(Ok(decoder)) => Ok(decoder),
        Ok(Err(SymphoniaError::Unsupported(_))) => Err(VideoError::UnsupportedAudio {
            codec: object_type_name(config),
        }),
        Ok(Err(error)) => Err(VideoError::corrupt(format!(
            "the sound's AudioSpecificConfig: {error}"
        ))),
        Err(_) => Err(VideoError::corrupt("the sound's AudioSpecificConfig")),
    }
}

/// The AAC flavour an AudioSpecificConfig names, with its channels when
/// there are more than two (for messages).
fn object_type_name(config: &[u8]) -> String {
    let first = config.first().copied().unwrap_or(0);
    let second = config.get(1).copied().unwrap_or(0);
    let mut object_type = first >> 3;
    let escaped = object_type == 31;
    if escaped {
        object_type = 32 + (((first & 7) << 3) | (second >> 5));
    }
    let name = match object_type {
        1 => "AAC Main".to_string(),
        2 => "AAC-LC".to_string(),
        3 => "AAC SSR".to_string(),
        4 => "AAC LTP".to_string(),
        5 => "HE-AAC".to_string(),
        29 => "HE-AAC v2".to_string(),
        42 => "xHE-AAC".to_string(),
        other => format!("AAC (object type {other})"),
    };
    // Channel configuration after the 4-bit sampling frequency index (unless
    // an explicit 24-bit rate or an escaped object type moves it).
    let frequency_index = ((first & 7) << 1) | (second >> 7);
    let channels = match (escaped, frequency_index, (second >> 3) & 0x0F) {
        (false, 0..=14, 7) => 8,
        (false, 0..=14, n) => n,
        _ => 0,
    };
    if channels > 2 {
        format!("{name}, {channels} channels")
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_durations_convert_both_ways() {
        assert_eq!(frames_to_duration(44_100, 44_100), Duration::from_secs(1));
        assert_eq!(
            frames_to_duration(22_050, 44_100),
            Duration::from_millis(500)
        );
        assert_eq!(
            duration_to_frames(Duration::from_millis(500), 48_000),
            24_000
        );
        assert_eq!(frames_to_duration(10, 0), Duration::ZERO);
    }

    #[test]
    fn object_types_have_names() {
        assert_eq!(object_type_name(&[0x12, 0x10]), "AAC-LC");
        assert_eq!(object_type_name(&[0x2B, 0x92]), "HE-AAC");
        assert_eq!(object_type_name(&[0xEB, 0x0A]), "HE-AAC v2");
        assert_eq!(object_type_name(&[0x12, 0x30]), "AAC-LC, 6 channels");
        assert_eq!(object_type_name(&[0x11, 0x90]), "AAC-LC");
    }
}
