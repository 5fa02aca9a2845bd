//! The player: a finished job's video inside the window.
//!
//! Three parts, so that the take sheet can later play several tiles from one clock:
//! - [`PlayerClock`]: where playback is, from "now" = egui's input time (so a
//!   kittest harness steps it). Play, pause, seek.
//! - [`VideoTile`]: one clip. It asks its [`Playback`] worker for frames, keeps
//!   them in a [`FrameCache`] at display size (bounded in bytes, least recently
//!   used goes first) and shows the frame a given index asks for, or the last
//!   one it had while that one is on its way. It never decodes or reads a file.
//! - [`Player`]: a clock, one tile and the controls around them.
//!
//! Opening reads the file and sets up the decoder: [`OpenedClip::open`] runs on
//! the shell's worker, never on the UI thread.

use super::command::AppCommand;
use crate::core::Lang;
use crate::tr;
use crate::video::{Clip, ClipInfo, Playback, PlaybackEvent, VideoError};
use egui::{Color32, ColorImage, Key, Rect, RichText, Sense, TextureHandle, Ui, Vec2};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
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
/// How often the window looks for a frame it waits for (the worker cannot wake it).
const WAIT_POLL: Duration = Duration::from_millis(8);

/// Playback position over time. "Now" is whatever the caller says it is (egui's
/// input time in the window), so that tests control it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlayerClock {
    playing: bool,
    /// The position at `since`.
    at: Duration,
    since: f64,
}

impl PlayerClock {
    pub fn position(&self, now: f64) -> Duration {
        if self.playing {
            self.at + Duration::from_secs_f64((now - self.since).max(0.0))
        } else {
            self.at
        }
    }

    pub fn playing(&self) -> bool {
        self.playing
    }

    pub fn play(&mut self, now: f64) {
        if !self.playing {
            self.since = now;
            self.playing = true;
        }
    }

    pub fn pause(&mut self, now: f64) {
        self.at = self.position(now);
        self.playing = false;
    }

    /// Goes to `position`; playing goes on from there.
    pub fn set(&mut self, now: f64, position: Duration) {
        self.at = position;
        self.since = now;
    }
}

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
        VideoTile {
            status: TileStatus::Opening,
            info: None,
            pts: Vec::new(),
            playback: None,
            generation: 0,
            next: 0,
            ended: false,
            cache: FrameCache::new(CACHE_BYTES),
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

    /// Paints the frame shown fitted into `area` (bars around it); returns
    /// where the picture is.
    pub fn paint(&self, ui: &Ui, area: Rect) -> Rect {
        ui.painter().rect_filled(area, 0.0, Color32::BLACK);
        let Some(info) = &self.info else { return area };
        let picture = fit_rect(area, info.width, info.height);
        if let Some(texture) = &self.texture {
            let uv = Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
            ui.painter()
                .image(texture.id(), picture, uv, Color32::WHITE);
        }
        picture
    }

    /// Indices of the frames in the cache, for the scrub bar.
    fn cached(&self) -> impl Iterator<Item = usize> + '_ {
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

/// "mm:ss.ff": minutes, seconds and the frame within the second.
pub fn timecode(time: Duration, fps: f64) -> String {
    let seconds = time.as_secs();
    let frames = ((time.as_secs_f64() - seconds as f64) * fps + 1e-6).floor() as u64;
    format!("{:02}:{:02}.{:02}", seconds / 60, seconds % 60, frames) // not text: a time
}

/// The player: one clip, its clock and its controls.
pub struct Player {
    pub path: PathBuf,
    pub clock: PlayerClock,
    pub tile: VideoTile,
    pub looping: bool,
    pub muted: bool,
    pub volume: f32,
    /// Start playing once the clip is open.
    autoplay: bool,
    /// Where the picture was last drawn (physical size asked of the decoder).
    pub picture: Option<Rect>,
    /// The area the picture was fitted into.
    pub area: Option<Rect>,
    /// That area in physical pixels: the size frames are decoded for.
    physical: Option<(u32, u32)>,
    pub commands: Vec<AppCommand>,
}

impl Player {
    /// A player for `path`; the clip itself arrives with [`Player::opened`].
    pub fn new(path: PathBuf) -> Player {
        Player {
            path,
            clock: PlayerClock::default(),
            tile: VideoTile::opening(),
            looping: false,
            muted: false,
            volume: 1.0,
            autoplay: true,
            picture: None,
            area: None,
            physical: None,
            commands: Vec::new(),
        }
    }

    /// The clip (opened on the worker) arrived.
    pub fn opened(&mut self, result: Result<OpenedClip, VideoError>) {
        self.tile
            .opened(result, 0, self.physical.or(Some((1280, 720))));
    }

    /// The index of the frame due at `now`.
    pub fn due_index(&self, now: f64) -> usize {
        self.tile.index_at(self.clock.position(now))
    }

    pub fn play(&mut self, now: f64) {
        if self.tile.status != TileStatus::Ready {
            return;
        }
        let last = self.tile.frame_count().saturating_sub(1);
        if self.due_index(now) >= last && !self.looping {
            // At the end: play again from the start.
            self.seek(now, Duration::ZERO);
        }
        self.clock.play(now);
    }

    pub fn pause(&mut self, now: f64) {
        self.clock.pause(now);
        // Stop on the frame on screen.
        if let Some(shown) = self.tile.shown_index() {
            self.clock.set(now, self.tile.pts_of(shown));
        }
    }

    pub fn toggle(&mut self, now: f64) {
        if self.clock.playing() {
            self.pause(now);
        } else {
            self.play(now);
        }
    }

    /// Goes to `time` (playing goes on from there).
    pub fn seek(&mut self, now: f64, time: Duration) {
        let time = time.min(self.tile.pts_of(self.tile.frame_count().saturating_sub(1)));
        self.clock.set(now, time);
        self.tile.discontinuity();
    }

    /// Pauses and moves `delta` frames from the one shown.
    pub fn step(&mut self, now: f64, delta: i64) {
        if self.tile.status != TileStatus::Ready {
            return;
        }
        self.clock.pause(now);
        let from = self
            .tile
            .shown_index()
            .unwrap_or_else(|| self.due_index(now));
        let last = self.tile.frame_count().saturating_sub(1) as i64;
        let to = (from as i64 + delta).clamp(0, last) as usize;
        self.seek(now, self.tile.pts_of(to));
    }

    /// Advances the clock (looping or stopping at the end) and brings the frame
    /// due to the screen. Asks for the next repaint.
    pub fn update(&mut self, ctx: &egui::Context, now: f64) {
        if self.tile.status != TileStatus::Ready {
            return;
        }
        if self.autoplay {
            // The clock starts once the first frame is on screen, so that
            // opening does not eat into the clip.
            self.tile.update(ctx, 0, false);
            if self.tile.shown_index().is_none() {
                ctx.request_repaint_after(WAIT_POLL);
                return;
            }
            self.autoplay = false;
            self.clock.set(now, Duration::ZERO);
            self.clock.play(now);
        }
        let duration = self.tile.duration();
        let position = self.clock.position(now);
        if self.clock.playing() && position >= duration && !duration.is_zero() {
            if self.looping {
                let wrapped = position.as_secs_f64() % duration.as_secs_f64();
                self.clock.set(now, Duration::from_secs_f64(wrapped));
                self.tile.discontinuity();
            } else {
                self.clock.pause(now);
                let last = self.tile.frame_count().saturating_sub(1);
                self.clock.set(now, self.tile.pts_of(last));
            }
        }
        let target = self.due_index(now);
        let waiting = self.tile.update(ctx, target, self.clock.playing());
        if waiting {
            ctx.request_repaint_after(WAIT_POLL);
        } else if self.clock.playing() {
            let next = self.tile.pts_of(target + 1);
            let position = self.clock.position(now);
            let until = if target + 1 < self.tile.frame_count() && next > position {
                next - position
            } else {
                duration.saturating_sub(position)
            };
            ctx.request_repaint_after(until.max(Duration::from_millis(1)));
        }
    }

    fn keys(&mut self, ui: &Ui, now: f64) {
        if ui.ctx().egui_wants_keyboard_input() {
            return;
        }
        let none = egui::Modifiers::NONE;
        let pressed = |key| ui.input_mut(|i| i.consume_key(none, key));
        if pressed(Key::Space) {
            self.toggle(now);
        }
        if pressed(Key::ArrowLeft) || pressed(Key::Comma) {
            self.step(now, -1);
        }
        if pressed(Key::ArrowRight) || pressed(Key::Period) {
            self.step(now, 1);
        }
        if pressed(Key::Escape) {
            self.commands.push(AppCommand::ClosePlayer);
        }
    }

    /// Draws the player into `ui` (all of its space).
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang) {
        let now = ui.input(|i| i.time);
        self.keys(ui, now);
        self.update(ui.ctx(), now);
        self.top_row(ui, lang);
        let controls = 64.0;
        let area = {
            let rect = ui.available_rect_before_wrap();
            Rect::from_min_max(
                rect.min,
                egui::pos2(rect.max.x, (rect.max.y - controls).max(rect.min.y + 40.0)),
            )
        };
        ui.allocate_rect(area, Sense::hover());
        self.area = Some(area);
        let ppp = ui.ctx().pixels_per_point();
        self.physical = Some((
            (area.width() * ppp).round() as u32,
            (area.height() * ppp).round() as u32,
        ));
        match &self.tile.status {
            TileStatus::Opening => {
                ui.painter().rect_filled(area, 0.0, Color32::BLACK);
                ui.put(
                    area,
                    egui::Label::new(
                        RichText::new(tr!(lang, "player-opening")).color(Color32::GRAY),
                    ),
                );
            }
            TileStatus::Failed(error) => {
                let text = error.describe().get(lang).to_string();
                ui.scope_builder(egui::UiBuilder::new().max_rect(area.shrink(24.0)), |ui| {
                    ui.vertical_centered(|ui| {
                        ui.add_space(24.0);
                        ui.colored_label(ui.visuals().error_fg_color, text);
                        ui.add_space(8.0);
                        if ui.button(tr!(lang, "player-open-system")).clicked() {
                            self.commands.push(AppCommand::Open(self.path.clone()));
                        }
                    });
                });
            }
            TileStatus::Ready => {
                let picture = self.tile.paint(ui, area);
                self.picture = Some(picture);
                let physical = (
                    (picture.width() * ppp).round() as u32,
                    (picture.height() * ppp).round() as u32,
                );
                let target = self.due_index(now);
                self.tile.want_size(physical, target);
            }
        }
        self.controls(ui, lang, now);
    }

    fn top_row(&mut self, ui: &mut Ui, lang: Lang) {
        ui.horizontal(|ui| {
            let name = self
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            ui.label(RichText::new(name).strong())
                .on_hover_text(self.path.display().to_string());
            if let Some(info) = self.tile.info() {
                ui.label(
                    RichText::new(tr!(
                        lang,
                        "player-clip-info",
                        width = info.width,
                        height = info.height,
                        fps = format!("{:.3}", info.fps) // not text: a number
                            .trim_end_matches('0')
                            .trim_end_matches('.')
                            .to_string(),
                    ))
                    .weak(),
                );
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button(tr!(lang, "player-close"))
                    .on_hover_text(tr!(lang, "player-close-hint"))
                    .clicked()
                {
                    self.commands.push(AppCommand::ClosePlayer);
                }
                if ui.button(tr!(lang, "player-show-in-folder")).clicked() {
                    self.commands.push(AppCommand::Reveal(self.path.clone()));
                }
                if ui.button(tr!(lang, "player-open-system")).clicked() {
                    self.commands.push(AppCommand::Open(self.path.clone()));
                }
            });
        });
    }

    fn controls(&mut self, ui: &mut Ui, lang: Lang, now: f64) {
        let ready = self.tile.status == TileStatus::Ready;
        let count = self.tile.frame_count();
        let shown = self.tile.shown_index().unwrap_or(0);
        ui.add_enabled_ui(ready, |ui| {
            self.scrub_bar(ui, lang, now);
            ui.horizontal(|ui| {
                let play = if self.clock.playing() {
                    tr!(lang, "player-pause")
                } else {
                    tr!(lang, "player-play")
                };
                if ui
                    .button(play)
                    .on_hover_text(tr!(lang, "player-play-hint"))
                    .clicked()
                {
                    self.toggle(now);
                }
                if ui
                    .button("‹") // not text: a symbol
                    .on_hover_text(tr!(lang, "player-step-back"))
                    .clicked()
                {
                    self.step(now, -1);
                }
                if ui
                    .button("›") // not text: a symbol
                    .on_hover_text(tr!(lang, "player-step-forward"))
                    .clicked()
                {
                    self.step(now, 1);
                }
                let fps = self.tile.info().map_or(24.0, |i| i.fps);
                ui.label(
                    RichText::new(tr!(
                        lang,
                        "player-time",
                        time = timecode(self.tile.pts_of(shown), fps),
                        total = timecode(self.tile.duration(), fps),
                    ))
                    .monospace(),
                );
                ui.label(
                    RichText::new(tr!(lang, "player-frame", frame = shown + 1, count = count))
                        .weak(),
                );
                ui.toggle_value(&mut self.looping, tr!(lang, "player-loop"))
                    .on_hover_text(tr!(lang, "player-loop-hint"));
                if self.tile.info().is_some_and(|i| i.has_audio) {
                    self.sound_controls(ui, lang);
                }
            });
        });
    }

    /// Sound is not played in the window yet: the controls say so.
    fn sound_controls(&mut self, ui: &mut Ui, lang: Lang) {
        ui.separator();
        ui.add_enabled_ui(false, |ui| {
            let hint = tr!(lang, "player-sound-elsewhere");
            ui.toggle_value(&mut self.muted, tr!(lang, "player-mute"))
                .on_disabled_hover_text(&hint);
            ui.add(
                egui::Slider::new(&mut self.volume, 0.0..=1.0)
                    .show_value(false)
                    .text(tr!(lang, "player-volume")),
            )
            .on_disabled_hover_text(hint);
        });
    }

    fn scrub_bar(&mut self, ui: &mut Ui, lang: Lang, now: f64) {
        let width = ui.available_width();
        let (rect, response) =
            ui.allocate_exact_size(Vec2::new(width, 18.0), Sense::click_and_drag());
        let duration = self.tile.duration().as_secs_f64().max(1e-6);
        let shown = self
            .tile
            .shown_index()
            .map_or(Duration::ZERO, |i| self.tile.pts_of(i));
        let fraction = (shown.as_secs_f64() / duration).clamp(0.0, 1.0);
        response
            .widget_info(|| egui::WidgetInfo::slider(true, fraction, tr!(lang, "player-scrub")));
        if (response.dragged() || response.clicked())
            && let Some(pointer) = response.interact_pointer_pos()
        {
            let at = ((pointer.x - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0);
            let time = Duration::from_secs_f64(f64::from(at) * duration);
            let index = self.tile.index_at(time);
            self.seek(now, self.tile.pts_of(index));
        }
        let visuals = ui.visuals();
        let track = Rect::from_center_size(rect.center(), Vec2::new(rect.width(), 6.0));
        let painter = ui.painter();
        painter.rect_filled(track, 3.0, visuals.extreme_bg_color);
        // Frames ready for scrubbing, as a faint band.
        let count = self.tile.frame_count().max(1) as f32;
        let cached_colour = visuals.weak_text_color().gamma_multiply(0.5);
        for index in self.tile.cached() {
            let x0 = track.left() + track.width() * index as f32 / count;
            let x1 = track.left() + track.width() * (index + 1) as f32 / count;
            painter.rect_filled(
                Rect::from_min_max(egui::pos2(x0, track.top()), egui::pos2(x1, track.bottom())),
                0.0,
                cached_colour,
            );
        }
        let x = track.left() + track.width() * fraction as f32;
        painter.rect_filled(
            Rect::from_min_max(track.min, egui::pos2(x, track.bottom())),
            3.0,
            visuals.selection.bg_fill,
        );
        painter.circle_filled(
            egui::pos2(x, track.center().y),
            7.0,
            visuals.strong_text_color(),
        );
    }
}
