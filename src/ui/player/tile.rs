//! One clip on screen: its decoding worker, its frame cache at display size and
//! its texture. A tile never decodes or reads a file itself.

use crate::video::{Clip, ClipInfo, Playback, PlaybackEvent, VideoError};
use egui::{Color32, ColorImage, Rect, TextureHandle, Vec2};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Frames the worker keeps decoded ahead of the one taken.
const WORKER_AHEAD: usize = 6;
/// Frames the tile takes from the worker ahead of the one it shows.
const LOOKAHEAD: usize = 12;
/// A frame wanted further than this past the worker's position is sought, not
/// decoded up to.
const FAR_AHEAD: usize = 48;
/// The memory the frame cache may hold (a 15 s 1080p clip at the usual display
/// size nearly fits whole).
pub const CACHE_BYTES: usize = 200 * 1024 * 1024;

/// A clip opened off the UI thread, with its frame times (the UI needs them;
/// the clip itself goes to the playback worker).
pub struct OpenedClip {
    pub clip: Clip,
    pub pts: Vec<Duration>,
}

impl OpenedClip {
    /// Reads the clip's index and sets up its decoder. Not for the UI thread.
    pub fn open(path: &Path) -> Result<OpenedClip, VideoError> {
        let clip = Clip::open(path)?;
        let pts = (0..clip.info().frame_count)
            .map(|i| clip.pts_of(i))
            .collect();
        Ok(OpenedClip { clip, pts })
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

    pub fn insert(&mut self, index: usize, image: Arc<ColorImage>) {
        self.tick += 1;
        self.bytes += Self::size_of(&image);
        if let Some((old, _)) = self.frames.insert(index, (image, self.tick)) {
            self.bytes -= Self::size_of(&old);
        }
        while self.bytes > self.cap && self.frames.len() > 1 {
            let oldest = self
                .frames
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(i, _)| *i);
            let Some(oldest) = oldest else { break };
            if let Some((gone, _)) = self.frames.remove(&oldest) {
                self.bytes -= Self::size_of(&gone);
            }
        }
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

    pub fn clear(&mut self) {
        self.frames.clear();
        self.bytes = 0;
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
    texture: Option<TextureHandle>,
    shown: Option<usize>,
    /// The next frame shown follows the last one in time (no seek between).
    continuous: bool,
    pub stats: PlayStats,
    decode_size: Option<(u32, u32)>,
}

impl VideoTile {
    pub fn opening() -> VideoTile {
        VideoTile::with_cache(CACHE_BYTES)
    }

    /// A tile whose frame cache holds at most `cache_bytes` (tiles side by side
    /// share the player's memory).
    pub fn with_cache(cache_bytes: usize) -> VideoTile {
        VideoTile {
            status: TileStatus::Opening,
            info: None,
            pts: Vec::new(),
            playback: None,
            generation: 0,
            next: 0,
            ended: false,
            cache: FrameCache::new(cache_bytes),
            texture: None,
            shown: None,
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
            Ok(OpenedClip { clip, pts }) => {
                let info = clip.info().clone();
                let size = max_size.map(|m| decode_size(&info, m));
                self.decode_size = size;
                self.playback = Some(Playback::spawn(clip, start, WORKER_AHEAD, size));
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
        self.cache.clear();
        if let Some(playback) = &self.playback {
            playback.set_max_size(Some(wanted));
            self.generation = playback.seek(target);
            self.next = target;
            self.ended = false;
        }
    }

    /// Takes what the worker has (up to a little past `target`), makes sure it
    /// is heading for `target`, and shows `target` if it is there. `true` when
    /// the frame shown is not yet the one wanted.
    pub fn update(&mut self, ctx: &egui::Context, target: usize, playing: bool) -> bool {
        let Some(playback) = &self.playback else {
            return false;
        };
        while self.next <= target + LOOKAHEAD {
            let Some(event) = playback.take() else { break };
            match event {
                PlaybackEvent::Frame { generation, frame } if generation == self.generation => {
                    let image = ColorImage::from_rgba_premultiplied(
                        [frame.width as usize, frame.height as usize],
                        &frame.rgba,
                    );
                    self.cache.insert(frame.index, Arc::new(image));
                    self.next = frame.index + 1;
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
        if !self.cache.contains(target) {
            let heading = !self.ended && target >= self.next && target < self.next + FAR_AHEAD;
            if !heading {
                self.generation = playback.seek(target);
                self.next = target;
                self.ended = false;
            }
        }
        if self.shown == Some(target) {
            return false;
        }
        let Some(image) = self.cache.get(target) else {
            return true;
        };
        if playing
            && self.continuous
            && let Some(last) = self.shown
            && target > last + 1
        {
            self.stats.dropped += (target - last - 1) as u64;
        }
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
        self.shown = Some(target);
        self.continuous = true;
        if playing {
            self.stats.shown += 1;
        }
        false
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

    /// Indices of the frames in the cache, for the scrub bar.
    pub(super) fn cached(&self) -> impl Iterator<Item = usize> + '_ {
        self.cache.frames.keys().copied()
    }
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
