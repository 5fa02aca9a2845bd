//! One clip on screen: its decoding worker, its frame cache at display size and
//! its texture. A tile never decodes or reads a file itself.

use crate::audio::{Sound, SoundError, SoundSource};
use crate::video::{Clip, ClipInfo, Pixels, Playback, PlaybackEvent, VideoError};
use egui::{Color32, ColorImage, Rect, TextureHandle, Vec2};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Frames the worker keeps decoded ahead of the one taken.
const WORKER_AHEAD: usize = 3;
/// Frames the tile takes from the worker ahead of the one it shows.
const LOOKAHEAD: usize = 12;
/// A frame wanted further than this past the worker's position is sought, not
/// decoded up to.
const FAR_AHEAD: usize = 48;
/// The memory the frame cache of one player may hold (tiles side by side share
/// it). At the usual display size it holds a few seconds of 1080p.
pub const CACHE_BYTES: usize = 80 * 1024 * 1024;
/// The memory for the small copy of every frame that makes scrubbing instant
/// (per player; tiles share it). A 15 s clip gets copies of about 280×158.
pub const PREVIEW_BYTES: usize = 64 * 1024 * 1024;
/// Previews are never larger than this (wider side), however short the clip.
const PREVIEW_MAX_SIDE: u32 = 480;

/// A clip opened off the UI thread, with its frame times (the UI needs them;
/// the clip itself goes to the playback worker).
pub struct OpenedClip {
    pub clip: Clip,
    pub pts: Vec<Duration>,
    pub sound: ClipSound,
}

/// A clip's sound, as far as the window can play it.
#[derive(Debug, Default)]
pub enum ClipSound {
    /// The clip has no sound track.
    #[default]
    None,
    /// Started on the system's output, paused until the picture plays.
    Ready(Sound),
    /// The clip has sound that does not play here, and why (the picture plays).
    Unavailable(SoundError),
}

impl ClipSound {
    pub fn has_track(&self) -> bool {
        !matches!(self, ClipSound::None)
    }
}

impl OpenedClip {
    /// Reads the clip's index, sets up its decoder and starts its sound on
    /// the system's output. Not for the UI thread.
    pub fn open(path: &Path) -> Result<OpenedClip, VideoError> {
        OpenedClip::open_with(path, Sound::start)
    }

    /// As [`OpenedClip::open`], with the sound started by `start` (a test's
    /// capture instead of a device).
    pub fn open_with(
        path: &Path,
        start: impl FnOnce(SoundSource) -> Result<Sound, SoundError>,
    ) -> Result<OpenedClip, VideoError> {
        let clip = Clip::open(path)?;
        let pts = (0..clip.info().frame_count)
            .map(|i| clip.pts_of(i))
            .collect();
        let sound = match Sound::open(path) {
            Ok(None) => ClipSound::None,
            Ok(Some(source)) => match start(source) {
                Ok(sound) => ClipSound::Ready(sound),
                Err(error) => ClipSound::Unavailable(error),
            },
            Err(error) => ClipSound::Unavailable(SoundError::Track(error)),
        };
        Ok(OpenedClip { clip, pts, sound })
    }
}

impl std::fmt::Debug for OpenedClip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedClip") // not text: a debug name
            // not text: a debug field name
            .field("info", self.clip.info())
            .finish_non_exhaustive()
    }
}

/// Decoded frames by index, at display size, least recently used first out
/// once more than `cap` bytes are held.
pub struct FrameCache {
    frames: HashMap<usize, (Arc<ColorImage>, u64)>,
    bytes: usize,
    cap: usize,
    tick: u64,
}

impl FrameCache {
    pub fn new(cap: usize) -> FrameCache {
        FrameCache {
            frames: HashMap::new(),
            bytes: 0,
            cap,
            tick: 0,
        }
    }

    fn size_of(image: &ColorImage) -> usize {
        image.pixels.len() * 4
    }

    /// Keeps `image` as frame `index`; returns the frames let go to stay
    /// within the cap (for their memory to be reused or freed elsewhere). The
    /// frames in `soon` (about to be shown) go last: the least recently used
    /// of the others goes first.
    pub fn insert(
        &mut self,
        index: usize,
        image: Arc<ColorImage>,
        soon: std::ops::RangeInclusive<usize>,
    ) -> Vec<Arc<ColorImage>> {
        self.tick += 1;
        self.bytes += Self::size_of(&image);
        let mut gone = Vec::new();
        if let Some((old, _)) = self.frames.insert(index, (image, self.tick)) {
            self.bytes -= Self::size_of(&old);
            gone.push(old);
        }
        while self.bytes > self.cap && self.frames.len() > 1 {
            let oldest = self
                .frames
                .iter()
                .filter(|(i, _)| **i != index)
                .min_by_key(|(i, (_, used))| (soon.contains(*i), *used))
                .map(|(i, _)| *i);
            let Some(oldest) = oldest else { break };
            if let Some((old, _)) = self.frames.remove(&oldest) {
                self.bytes -= Self::size_of(&old);
                gone.push(old);
            }
        }
        gone
    }

    /// The frame at `index`, marked as just used.
    pub fn get(&mut self, index: usize) -> Option<Arc<ColorImage>> {
        self.tick += 1;
        let tick = self.tick;
        self.frames.get_mut(&index).map(|(image, used)| {
            *used = tick;
            Arc::clone(image)
        })
    }

    pub fn contains(&self, index: usize) -> bool {
        self.frames.contains_key(&index)
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Lets every frame go; returns them.
    pub fn clear(&mut self) -> Vec<Arc<ColorImage>> {
        self.bytes = 0;
        self.frames.drain().map(|(_, (image, _))| image).collect()
    }
}

/// Frames shown and frames skipped while playing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlayStats {
    pub shown: u64,
    pub dropped: u64,
}

/// Where a tile's clip stands.
#[derive(Debug, Clone, PartialEq)]
pub enum TileStatus {
    Opening,
    Ready,
    Failed(VideoError),
}

/// One clip on screen: the worker that decodes it, its cache and its texture.
pub struct VideoTile {
    pub status: TileStatus,
    info: Option<ClipInfo>,
    pts: Vec<Duration>,
    playback: Option<Playback>,
    /// The generation of the worker's frames that are wanted.
    generation: u64,
    /// The index of the next frame the worker hands over.
    next: usize,
    /// The worker has given the last frame (until the next seek).
    ended: bool,
    pub cache: FrameCache,
    /// A small copy of each frame decoded so far, by index (for scrubbing).
    previews: Vec<Option<Arc<ColorImage>>>,
    preview_bytes: usize,
    texture: Option<TextureHandle>,
    /// The frame on screen, and whether it is only its small copy.
    shown: Option<usize>,
    on_preview: bool,
    /// The last full frame shown (for counting the frames skipped).
    last_full: Option<usize>,
    /// The worker wakes the window when a frame it waits for is ready.
    waker_set: bool,
    pub sound: ClipSound,
    /// The next frame shown follows the last one in time (no seek between).
    continuous: bool,
    pub stats: PlayStats,
    decode_size: Option<(u32, u32)>,
}

impl VideoTile {
    pub fn opening() -> VideoTile {
        VideoTile::with_memory(CACHE_BYTES, PREVIEW_BYTES)
    }

    /// A tile whose frame cache holds at most `cache_bytes` and its previews
    /// `preview_bytes` (tiles side by side share the player's memory).
    pub fn with_memory(cache_bytes: usize, preview_bytes: usize) -> VideoTile {
        VideoTile {
            status: TileStatus::Opening,
            info: None,
            pts: Vec::new(),
            playback: None,
            generation: 0,
            next: 0,
            ended: false,
            cache: FrameCache::new(cache_bytes),
            previews: Vec::new(),
            preview_bytes,
            texture: None,
            shown: None,
            on_preview: false,
            last_full: None,
            waker_set: false,
            sound: ClipSound::None,
            continuous: false,
            stats: PlayStats::default(),
            decode_size: None,
        }
    }

    /// The clip arrived (or could not be opened); its frames are decoded at
    /// most `max_size` from frame `start` on.
    pub fn opened(
        &mut self,
        result: Result<OpenedClip, VideoError>,
        start: usize,
        max_size: Option<(u32, u32)>,
    ) {
        match result {
            Ok(OpenedClip { clip, pts, sound }) => {
                self.sound = sound;
                let info = clip.info().clone();
                let size = max_size.map(|m| decode_size(&info, m));
                self.decode_size = size;
                let count = pts.len();
                let small = preview_size(&info, count, self.preview_bytes);
                let playback =
                    Playback::spawn_with_previews(clip, start, WORKER_AHEAD, size, Some(small));
                self.previews = vec![None; count];
                self.playback = Some(playback);
                self.generation = 0;
                self.next = start;
                self.ended = false;
                self.info = Some(info);
                self.pts = pts;
                self.status = TileStatus::Ready;
            }
            Err(error) => self.status = TileStatus::Failed(error),
        }
    }

    pub fn info(&self) -> Option<&ClipInfo> {
        self.info.as_ref()
    }

    pub fn frame_count(&self) -> usize {
        self.pts.len()
    }

    /// The frame shown at `time` (the last one starting at or before it).
    pub fn index_at(&self, time: Duration) -> usize {
        self.pts.partition_point(|&p| p <= time).saturating_sub(1)
    }

    pub fn pts_of(&self, index: usize) -> Duration {
        self.pts.get(index).copied().unwrap_or_default()
    }

    /// When the clip is over: the end of its last frame.
    pub fn duration(&self) -> Duration {
        let last = self.pts.last().copied().unwrap_or_default();
        let frame = self
            .info
            .as_ref()
            .filter(|i| i.fps > 0.0)
            .map_or(Duration::ZERO, |i| Duration::from_secs_f64(1.0 / i.fps));
        let by_frames = last + frame;
        self.info
            .as_ref()
            .map_or(by_frames, |i| i.duration.max(by_frames))
    }

    /// The index of the frame on screen.
    pub fn shown_index(&self) -> Option<usize> {
        self.shown
    }

    /// The next frame shown does not follow the last one (a seek, a step, a loop).
    pub fn discontinuity(&mut self) {
        self.continuous = false;
    }

    /// Frames are wanted at about `size` (physical pixels) from now on.
    pub fn want_size(&mut self, size: (u32, u32), target: usize) {
        let Some(info) = &self.info else { return };
        let wanted = decode_size(info, size);
        if self.decode_size == Some(wanted) {
            return;
        }
        self.decode_size = Some(wanted);
        let gone = self.cache.clear();
        self.recycle(gone);
        if let Some(playback) = &self.playback {
            playback.set_max_size(Some(wanted));
            self.generation = playback.seek(target);
            self.next = target;
            self.ended = false;
        }
    }

    /// Takes what the worker has (up to a little past `target`), makes sure it
    /// is heading for `target`, and shows `target` if it is there (its small
    /// copy while the full frame is on its way). `true` when the full frame
    /// wanted is not on screen yet: the worker then wakes the window when a
    /// frame comes.
    pub fn update(&mut self, ctx: &egui::Context, target: usize, playing: bool) -> bool {
        if self.playback.is_none() {
            return false;
        }
        self.fetch(ctx, target);
        self.present(ctx, target, playing)
    }

    /// Takes what the worker has (up to a little past `target`) and makes sure
    /// it is heading for `target`. `true` when `target` can be shown now (its
    /// full frame, or at least its small copy).
    pub fn fetch(&mut self, ctx: &egui::Context, target: usize) -> bool {
        let Some(playback) = &self.playback else {
            return false;
        };
        if !self.waker_set {
            let ctx = ctx.clone();
            playback.set_waker(Arc::new(move || ctx.request_repaint()));
            self.waker_set = true;
        }
        while self.next <= target + LOOKAHEAD {
            let Some(event) = playback.take() else { break };
            match event {
                PlaybackEvent::Frame {
                    generation,
                    frame,
                    preview,
                } => {
                    // A small copy is the right picture even from before a seek.
                    if let Some(small) = preview
                        && let Some(slot @ None) = self.previews.get_mut(small.index)
                    {
                        *slot = Some(Arc::new(colour_image(small)));
                    }
                    if generation == self.generation {
                        let index = frame.index;
                        let soon = target..=target + LOOKAHEAD;
                        let gone = self
                            .cache
                            .insert(index, Arc::new(colour_image(frame)), soon);
                        self.recycle(gone);
                        self.next = index + 1;
                    }
                }
                PlaybackEvent::End { generation } if generation == self.generation => {
                    self.ended = true;
                    break;
                }
                PlaybackEvent::Failed { generation, error } if generation == self.generation => {
                    self.status = TileStatus::Failed(error);
                    self.playback = None;
                    return false;
                }
                // From before the last seek.
                _ => {}
            }
        }
        if self.cache.contains(target) {
            return true;
        }
        let heading = !self.ended && target >= self.next && target < self.next + FAR_AHEAD;
        if !heading {
            self.generation = playback.seek(target);
            self.next = target;
            self.ended = false;
        }
        playback.wake_on_next();
        self.previews.get(target).is_some_and(Option::is_some)
    }

    /// Shows `target`: its full frame if fetched, else its small copy. `true`
    /// when the full frame is not on screen yet.
    pub fn present(&mut self, ctx: &egui::Context, target: usize, playing: bool) -> bool {
        if self.shown == Some(target) && !self.on_preview {
            return false;
        }
        let Some(image) = self.cache.get(target) else {
            if self.shown != Some(target)
                && let Some(Some(small)) = self.previews.get(target).cloned()
            {
                self.show(ctx, small);
                self.shown = Some(target);
                self.on_preview = true;
            }
            return true;
        };
        if playing
            && self.continuous
            && let Some(last) = self.last_full
            && target > last + 1
        {
            self.stats.dropped += (target - last - 1) as u64;
        }
        self.show(ctx, image);
        self.shown = Some(target);
        self.on_preview = false;
        self.last_full = Some(target);
        self.continuous = true;
        if playing {
            self.stats.shown += 1;
        }
        false
    }

    /// Frames the cache let go go back to the worker: it decodes into their
    /// memory or frees it on its own thread (freeing megabytes here would
    /// cost the UI thread a system call per frame).
    fn recycle(&self, gone: Vec<Arc<ColorImage>>) {
        let Some(playback) = &self.playback else {
            return;
        };
        for image in gone {
            // Still on screen (the texture holds it): freed when replaced.
            if let Ok(image) = Arc::try_unwrap(image) {
                playback.recycle(Pixels::from_colors(image.pixels));
            }
        }
    }

    fn show(&mut self, ctx: &egui::Context, image: Arc<ColorImage>) {
        match &mut self.texture {
            Some(texture) => texture.set(image, egui::TextureOptions::LINEAR),
            None => {
                self.texture = Some(ctx.load_texture(
                    "player-frame", // not text: a texture's debug name
                    image,
                    egui::TextureOptions::LINEAR,
                ));
            }
        }
    }

    /// The frame on screen is only its small copy (the full one is on its way).
    pub fn on_preview(&self) -> bool {
        self.on_preview
    }

    /// The frames that can be shown at once when scrubbed to (full or small).
    pub fn scrubbable(&self, index: usize) -> bool {
        self.previews.get(index).is_some_and(Option::is_some) || self.cache.contains(index)
    }

    /// The memory the tile's decoded pictures take.
    pub fn bytes(&self) -> usize {
        let previews: usize = self
            .previews
            .iter()
            .flatten()
            .map(|p| p.pixels.len() * 4)
            .sum();
        self.cache.bytes() + previews
    }

    /// Paints the frame shown fitted into `area` (bars around it) with
    /// `painter` (clipped as the caller wants); returns where the picture is.
    pub fn paint(&self, painter: &egui::Painter, area: Rect) -> Rect {
        painter.rect_filled(area, 0.0, Color32::BLACK);
        let Some(info) = &self.info else { return area };
        let picture = fit_rect(area, info.width, info.height);
        if let Some(texture) = &self.texture {
            let uv = Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
            painter.image(texture.id(), picture, uv, Color32::WHITE);
        }
        picture
    }
}

/// The decoded frame as an egui image: its bytes are taken over as they are
/// (RGBA8 is `Color32`'s layout), so that the UI thread copies nothing.
fn colour_image(frame: crate::video::Frame) -> ColorImage {
    let size = [frame.width as usize, frame.height as usize];
    let count = size[0] * size[1];
    let pixels = frame.rgba.into_colors();
    if pixels.len() == count {
        ColorImage::new(size, pixels)
    } else {
        // The decoder's frames always match their size; black rather than a panic.
        ColorImage::new(size, vec![Color32::BLACK; count])
    }
}

/// The size of the small copies of a clip of `count` frames, so that all of
/// them fit in `budget` bytes (and none is larger than it needs to be).
pub fn preview_size(info: &ClipInfo, count: usize, budget: usize) -> (u32, u32) {
    let pixels_each = (budget / 4 / count.max(1)) as f64;
    let (w, h) = (f64::from(info.width.max(1)), f64::from(info.height.max(1)));
    let by_budget = (pixels_each / (w * h)).sqrt();
    let by_side = f64::from(PREVIEW_MAX_SIDE) / w.max(h);
    let scale = by_budget.min(by_side).min(1.0);
    let even = |v: f64| ((v * scale).floor() as u32).max(2) & !1;
    (even(w), even(h))
}

/// The largest rectangle of the clip's shape inside `area`, centred.
pub fn fit_rect(area: Rect, width: u32, height: u32) -> Rect {
    let aspect = width.max(1) as f32 / height.max(1) as f32;
    let size = if area.width() / area.height().max(1.0) > aspect {
        Vec2::new(area.height() * aspect, area.height())
    } else {
        Vec2::new(area.width(), area.width() / aspect)
    };
    Rect::from_center_size(area.center(), size)
}

/// The size to decode at for a picture of about `want` physical pixels: a
/// fixed fraction of the clip's size (so that small resizes keep the cache),
/// never larger than the clip.
pub fn decode_size(info: &ClipInfo, want: (u32, u32)) -> (u32, u32) {
    const STEPS: [f32; 6] = [0.25, 0.375, 0.5, 0.625, 0.75, 1.0];
    let need =
        (want.0 as f32 / info.width.max(1) as f32).max(want.1 as f32 / info.height.max(1) as f32);
    let scale = STEPS.into_iter().find(|&s| s >= need).unwrap_or(1.0);
    let even = |v: u32| ((v as f32 * scale).round() as u32).max(2) & !1;
    (even(info.width), even(info.height))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> Arc<ColorImage> {
        Arc::new(ColorImage::new([10, 10], vec![Color32::RED; 100]))
    }

    #[test]
    fn the_cache_lets_played_frames_go_before_the_ones_about_to_be_shown() {
        // Room for five 400-byte frames.
        let mut cache = FrameCache::new(2000);
        // Frames 0..=4 came in ahead of time; 0..=2 were then shown (used).
        for i in 0..=4 {
            assert!(cache.insert(i, image(), 0..=10).is_empty());
        }
        for i in 0..=2 {
            cache.get(i);
        }
        // Frame 5 arrives while frame 3 is due: 3, 4 and 5 are wanted soon, so
        // frame 0 goes (although 3 and 4 were used longer ago than 0).
        let gone = cache.insert(5, image(), 3..=15);
        assert_eq!(gone.len(), 1);
        assert!(!cache.contains(0));
        assert!((1..=5).all(|i| cache.contains(i)));
        assert_eq!(cache.bytes(), 2000);
        // Only frames wanted soon left: the least recently used of them goes.
        let gone = cache.insert(6, image(), 0..=15);
        assert_eq!(gone.len(), 1);
        assert!(
            !cache.contains(3),
            "3 was put in before 4 and never used since"
        );
        assert!(cache.contains(6), "the frame just put in stays");
    }

    #[test]
    fn the_cache_never_holds_more_than_its_cap_and_gives_back_what_it_lets_go() {
        let mut cache = FrameCache::new(1000);
        let mut given_back = 0;
        for i in 0..50 {
            given_back += cache.insert(i, image(), i..=i + 12).len();
            assert!(cache.bytes() <= 1000);
        }
        assert_eq!(cache.len() + given_back, 50);
        assert_eq!(cache.clear().len(), 2);
        assert_eq!(cache.bytes(), 0);
    }
}
