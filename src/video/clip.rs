//! One open clip: its description, and its frames by index or time.

use super::VideoError;
use super::convert::{self, ColourSpace, Pixels};
use super::decoder::{self, Decoder, Picture};
use super::demux::{self, Demuxed};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::Path;
use std::time::Duration;

/// What a clip is.
#[derive(Debug, Clone, PartialEq)]
pub struct ClipInfo {
    /// Picture size as decoded (display pixels are square in the service's clips).
    pub width: u32,
    pub height: u32,
    /// Frames per second, from the clip's timing.
    pub fps: f64,
    pub duration: Duration,
    pub frame_count: usize,
    pub has_audio: bool,
    /// "AAC" or another codec name, when there is sound.
    pub audio_codec: Option<String>,
    /// "H.264 High", "H.264 Main"…
    pub codec: String,
    /// How the samples become RGB.
    pub colour: ColourSpace,
}

/// Which frame: by index in presentation order, or the one shown at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FramePos {
    Index(usize),
    Time(Duration),
}

/// A decoded frame, ready for a texture: RGBA, 4 bytes a pixel, rows top to bottom.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    pub rgba: Pixels,
    pub width: u32,
    pub height: u32,
    /// Index in presentation order.
    pub index: usize,
    /// When it is shown, from the start of the clip.
    pub pts: Duration,
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frame")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("index", &self.index)
            .field("pts", &self.pts)
            .finish_non_exhaustive()
    }
}

trait Source: Read + Seek + Send {}
impl<T: Read + Seek + Send> Source for T {}

/// Where decoding is: the decoder, the next sample to feed (decode order), and
/// pictures decoded but not yet asked for.
struct DecodeState {
    decoder: Box<dyn Decoder>,
    next_sample: usize,
    /// Decoded pictures by presentation index, waiting (a few at most).
    ready: BTreeMap<usize, Picture>,
    /// The highest presentation index the decoder has given out.
    last_out: Option<usize>,
    flushed: bool,
}

/// An open clip. Decoding is sequential and cheap when frames are asked for in
/// order; a jump backwards or far ahead restarts at the keyframe before it.
/// Not for the UI thread: a call may decode up to a keyframe interval.
pub struct Clip {
    source: Box<dyn Source>,
    demuxed: Demuxed,
    info: ClipInfo,
    /// Decode index → presentation index.
    display_of: Vec<usize>,
    state: Option<DecodeState>,
    buffer: Vec<u8>,
}

/// The most frames the clip keeps decoded ahead of the one asked for.
const MAX_READY: usize = 24;

impl Clip {
    /// Opens an MP4 file and reads its index (no picture is decoded yet, but the
    /// decoder is set up, so an unsupported or absurd stream is refused here).
    pub fn open(path: &Path) -> Result<Clip, VideoError> {
        let file = File::open(path).map_err(|e| VideoError::io(&e))?;
        let len = file.metadata().map_err(|e| VideoError::io(&e))?.len();
        Clip::from_source(Box::new(std::io::BufReader::new(file)), len)
    }

    /// The same from bytes in memory (tests, fuzzing).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Clip, VideoError> {
        let len = bytes.len() as u64;
        Clip::from_source(Box::new(Cursor::new(bytes)), len)
    }

    fn from_source(mut source: Box<dyn Source>, len: u64) -> Result<Clip, VideoError> {
        let demuxed = demux::demux(&mut source, len)?;
        if !decoder::built_in() {
            return Err(VideoError::NotBuiltIn);
        }
        // Set up a decoder once: it checks the parameter sets.
        let probe = decoder::new_decoder(&demuxed.avc)?;
        let stream = probe.info();
        if stream.width != demuxed.width || stream.height != demuxed.height {
            // The stream is the truth; the container's size only had to be sane.
            tracing::debug!(
                container = ?(demuxed.width, demuxed.height),
                stream = ?(stream.width, stream.height),
                "container and stream disagree on the picture size"
            );
        }
        let colour = match demuxed.colour {
            // The stream's own VUI wins when it says something definite.
            _ if matches!(stream.matrix, 1 | 5 | 6) => {
                ColourSpace::from_signal(u16::from(stream.matrix), stream.full_range)
            }
            Some(c) => ColourSpace::from_signal(c.matrix, c.full_range),
            None => ColourSpace::from_signal(2, stream.full_range),
        };
        let frame_count = demuxed.display.len();
        let timescale = f64::from(demuxed.timescale);
        #[allow(clippy::cast_precision_loss)]
        let seconds = demuxed.duration.max(1) as f64 / timescale;
        #[allow(clippy::cast_precision_loss)]
        let fps = frame_count as f64 / seconds;
        let profile = match demuxed.avc.profile {
            66 => "H.264 Baseline",
            77 => "H.264 Main",
            88 => "H.264 Extended",
            100 => "H.264 High",
            110 => "H.264 High 10",
            122 => "H.264 High 4:2:2",
            244 => "H.264 High 4:4:4",
            _ => "H.264",
        };
        let mut display_of = vec![0; frame_count];
        for (shown, &decode_index) in demuxed.display.iter().enumerate() {
            display_of[decode_index] = shown;
        }
        let info = ClipInfo {
            width: stream.width,
            height: stream.height,
            fps,
            duration: Duration::from_secs_f64(seconds),
            frame_count,
            has_audio: demuxed.has_audio,
            audio_codec: demuxed.audio_codec.clone(),
            codec: profile.to_string(),
            colour,
        };
        Ok(Clip {
            source,
            demuxed,
            info,
            display_of,
            state: Some(DecodeState {
                decoder: probe,
                next_sample: 0,
                ready: BTreeMap::new(),
                last_out: None,
                flushed: false,
            }),
            buffer: Vec::new(),
        })
    }

    pub fn info(&self) -> &ClipInfo {
        &self.info
    }

    /// When the frame at `index` (presentation order) is shown.
    pub fn pts_of(&self, index: usize) -> Duration {
        let ticks = self.demuxed.pts.get(index).copied().unwrap_or(0).max(0);
        #[allow(clippy::cast_precision_loss)]
        Duration::from_secs_f64(ticks as f64 / f64::from(self.demuxed.timescale))
    }

    /// The index of the frame shown at `time` (the last one starting at or
    /// before it; the last frame for times past the end).
    pub fn index_at(&self, time: Duration) -> usize {
        #[allow(clippy::cast_possible_truncation)]
        let ticks = (time.as_secs_f64() * f64::from(self.demuxed.timescale)).round() as i64;
        self.demuxed
            .pts
            .partition_point(|&p| p <= ticks)
            .saturating_sub(1)
    }

    /// The frame at `pos`, scaled down to fit `max_size` (width, height) if given.
    pub fn frame_at(
        &mut self,
        pos: FramePos,
        max_size: Option<(u32, u32)>,
    ) -> Result<Frame, VideoError> {
        let index = match pos {
            FramePos::Index(i) => i,
            FramePos::Time(t) => self.index_at(t),
        };
        let picture = self.picture(index)?;
        let (w, h) = convert::fit(picture.width, picture.height, max_size);
        let rgba = convert::to_rgba(&picture, self.info.colour, w, h);
        Ok(Frame {
            rgba,
            width: w,
            height: h,
            index,
            pts: self.pts_of(index),
        })
    }

    /// The frame at `index` fitted into `max_size` (written into `buffer`, the
    /// bytes of a frame no longer needed, or a new one), and a smaller copy of
    /// the same picture fitted into `preview` (one decode for both).
    pub fn frame_and_preview(
        &mut self,
        index: usize,
        max_size: Option<(u32, u32)>,
        preview: Option<(u32, u32)>,
        buffer: Pixels,
    ) -> Result<(Frame, Option<Frame>), VideoError> {
        let picture = self.picture(index)?;
        let pts = self.pts_of(index);
        let make = |size: Option<(u32, u32)>, buffer: Pixels| {
            let (w, h) = convert::fit(picture.width, picture.height, size);
            Frame {
                rgba: convert::to_rgba_into(&picture, self.info.colour, w, h, buffer),
                width: w,
                height: h,
                index,
                pts,
            }
        };
        let frame = make(max_size, buffer);
        let small = preview.map(|p| make(Some(p), Pixels::default()));
        Ok((frame, small))
    }

    /// The keyframe (decode index) at or before the sample of presentation `index`.
    fn keyframe_before(&self, index: usize) -> usize {
        let decode_index = self.demuxed.display[index];
        (0..=decode_index)
            .rev()
            .find(|&i| self.demuxed.samples[i].keyframe)
            .unwrap_or(0)
    }

    /// The presentation index of the keyframe at or before presentation `index`:
    /// the frame near `index` that is cheapest to decode.
    pub fn keyframe_shown_before(&self, index: usize) -> usize {
        let key = self.keyframe_before(index.min(self.info.frame_count.saturating_sub(1)));
        self.demuxed
            .display
            .iter()
            .position(|&d| d == key)
            .unwrap_or(0)
    }

    /// The decoded picture (YUV 4:2:0 planes) at presentation `index`.
    pub fn picture(&mut self, index: usize) -> Result<Picture, VideoError> {
        let count = self.info.frame_count;
        if index >= count {
            return Err(VideoError::OutOfRange { index, count });
        }
        let keyframe = self.keyframe_before(index);
        let restart = match &self.state {
            None => true,
            Some(state) => {
                let passed = state.last_out.is_some_and(|last| last >= index)
                    && !state.ready.contains_key(&index);
                // Going on is slower than starting at a later keyframe.
                passed || keyframe > state.next_sample
            }
        };
        if restart {
            self.state = Some(DecodeState {
                decoder: decoder::new_decoder(&self.demuxed.avc)?,
                next_sample: keyframe,
                ready: BTreeMap::new(),
                last_out: None,
                flushed: false,
            });
        }
        let mut last_error = None;
        loop {
            let Some(state) = self.state.as_mut() else {
                return Err(VideoError::corrupt("no decoder"));
            };
            // Pictures before the one asked for are no longer needed.
            while let Some((&first, _)) = state.ready.first_key_value() {
                if first >= index {
                    break;
                }
                state.ready.pop_first();
            }
            if let Some(picture) = state.ready.remove(&index) {
                return Ok(picture);
            }
            if state.flushed {
                return Err(last_error.unwrap_or_else(|| {
                    VideoError::corrupt(format!("frame {index} could not be decoded"))
                }));
            }
            let pictures = if state.next_sample < self.demuxed.samples.len() {
                let n = state.next_sample;
                state.next_sample += 1;
                let sample = self.demuxed.samples[n];
                self.buffer.clear();
                self.source
                    .seek(SeekFrom::Start(sample.offset))
                    .map_err(|e| VideoError::io(&e))?;
                (&mut self.source)
                    .take(u64::from(sample.size))
                    .read_to_end(&mut self.buffer)
                    .map_err(|e| VideoError::io(&e))?;
                if self.buffer.len() != sample.size as usize {
                    return Err(VideoError::Truncated);
                }
                match state.decoder.decode(&self.buffer, n) {
                    Ok(pictures) => pictures,
                    Err(e @ VideoError::Corrupt { .. }) => {
                        last_error = Some(e);
                        Vec::new()
                    }
                    Err(e) => return Err(e),
                }
            } else {
                state.flushed = true;
                state.decoder.flush()
            };
            for picture in pictures {
                if picture.width != self.info.width || picture.height != self.info.height {
                    return Err(VideoError::corrupt(format!(
                        "a picture of {}x{} in a {}x{} clip",
                        picture.width, picture.height, self.info.width, self.info.height
                    )));
                }
                let Some(&shown) = self.display_of.get(picture.tag) else {
                    continue;
                };
                state.last_out = Some(state.last_out.map_or(shown, |l| l.max(shown)));
                if shown >= index {
                    state.ready.insert(shown, picture);
                }
            }
            while state.ready.len() > MAX_READY {
                state.ready.pop_last();
            }
        }
    }
}

/// A representative frame of the clip at `path`, at most `max_side` pixels on
/// its long side: the keyframe at or before a tenth of the clip (at most 1.5 s
/// in), or, if that one is (nearly) black, the next frame that is not.
pub fn poster(path: &Path, max_side: u32) -> Result<Frame, VideoError> {
    let mut clip = Clip::open(path)?;
    poster_of(&mut clip, max_side)
}

/// [`poster`] for a clip already open.
pub fn poster_of(clip: &mut Clip, max_side: u32) -> Result<Frame, VideoError> {
    let info = clip.info().clone();
    let tenth = info.duration.mul_f64(0.1).min(Duration::from_millis(1500));
    // From the keyframe at or before it: one picture to decode instead of a
    // keyframe interval's worth (a poster is wanted at once after a download).
    let start = clip.keyframe_shown_before(clip.index_at(tenth));
    // Look at most half the clip further for a frame that is not black.
    let end = (start + info.frame_count / 2).min(info.frame_count);
    let mut first_error = None;
    for index in start..end {
        match clip.picture(index) {
            Ok(picture) if !is_dark(&picture, info.colour) => {
                return frame_from(clip, &picture, index, max_side);
            }
            Ok(_) => {}
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        // Every frame looked at is black: the one at a tenth is as good as any.
        None => {
            let picture = clip.picture(start)?;
            frame_from(clip, &picture, start, max_side)
        }
        Some(e) => Err(e),
    }
}

fn frame_from(
    clip: &Clip,
    picture: &Picture,
    index: usize,
    max_side: u32,
) -> Result<Frame, VideoError> {
    let (w, h) = convert::fit(picture.width, picture.height, Some((max_side, max_side)));
    Ok(Frame {
        rgba: convert::to_rgba(picture, clip.info.colour, w, h),
        width: w,
        height: h,
        index,
        pts: clip.pts_of(index),
    })
}

/// Nearly all of the picture is close to black (sampled on a grid).
fn is_dark(picture: &Picture, colour: ColourSpace) -> bool {
    let black = if colour.full_range { 0 } else { 16 };
    let threshold = black + 20;
    let (w, h) = (picture.width as usize, picture.height as usize);
    let step_x = (w / 32).max(1);
    let step_y = (h / 32).max(1);
    let (mut bright, mut total) = (0usize, 0usize);
    for y in (0..h).step_by(step_y) {
        for x in (0..w).step_by(step_x) {
            total += 1;
            if picture.y[y * w + x] > threshold {
                bright += 1;
            }
        }
    }
    bright * 50 < total
}
