//! The player: finished jobs' videos inside the window, one at a time or as a
//! take sheet of 2 to 4 side by side.
//!
//! - [`PlayerClock`] (`clock.rs`): where playback is, from "now" = egui's input
//!   time (so a kittest harness steps it).
//! - [`VideoTile`] (`tile.rs`): one clip. It asks its decoding worker for
//!   frames, keeps them in a [`FrameCache`] at display size (bounded in bytes)
//!   and shows the frame asked for, or the last one it had while that one is on
//!   its way. It never decodes or reads a file.
//! - [`Player`] (here): one clock, one to four tiles and the controls around
//!   them. Every tile shows the frame due at the clock's position, so play,
//!   pause, scrub, frame step and loop act on all of them together.
//! - `sheet.rs`: what only the take sheet has: each tile's caption with its
//!   star, note and "use these settings", and the A/B wipe.
//!
//! Opening reads the file and sets up the decoder: [`OpenedClip::open`] runs on
//! the shell's worker, never on the UI thread.

mod clock;
mod sheet;
mod tile;

pub use clock::{PlayerClock, timecode};
pub use sheet::Wipe;
pub use tile::{
    CACHE_BYTES, ClipSound, FrameCache, OpenedClip, PREVIEW_BYTES, PlayStats, TileStatus,
    VideoTile, decode_size, fit_rect, preview_size,
};

use super::command::AppCommand;
use crate::core::Lang;
use crate::engine::{Command, Job, MAX_TAKES, Review};
use crate::tr;
use crate::video::VideoError;
use egui::{Color32, Key, Rect, RichText, Sense, Ui, Vec2};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often the window looks for a frame it waits for in any case (the decoding
/// worker wakes it when the frame is ready; this only guards against a lost wake).
const WAIT_POLL: Duration = Duration::from_millis(50);
/// The most videos a take sheet shows side by side.
pub const MAX_SHEET: usize = MAX_TAKES;
/// Height of the transport controls under the pictures.
const CONTROLS_HEIGHT: f32 = 64.0;

/// One video in the player.
pub struct Source {
    pub path: PathBuf,
    /// The job the video came from, as last journaled (the take sheet shows and
    /// reviews it).
    pub job: Option<Box<Job>>,
    pub tile: VideoTile,
    /// Where its picture was last drawn.
    pub picture: Option<Rect>,
    /// The note as typed; journaled when the field loses focus.
    pub note: String,
    /// The review last sent, until the journal's answer comes back (so that it
    /// is not sent twice).
    sent: Option<Review>,
}

impl Source {
    /// A video given `share` of the player's memory (1 for a lone video).
    fn new(path: PathBuf, job: Option<Job>, share: usize) -> Source {
        let note = job
            .as_ref()
            .map(|j| j.review.note.clone())
            .unwrap_or_default();
        Source {
            path,
            job: job.map(Box::new),
            tile: VideoTile::with_memory(CACHE_BYTES / share, PREVIEW_BYTES / share),
            picture: None,
            note,
            sent: None,
        }
    }

    fn ready(&self) -> bool {
        self.tile.status == TileStatus::Ready
    }

    /// The review to journal if the user changed it here (marked as sent).
    fn changed_review(&mut self, starred: Option<bool>) -> Option<Command> {
        let job = self.job.as_ref()?;
        let known = self.sent.as_ref().unwrap_or(&job.review);
        let review = Review {
            starred: starred.unwrap_or(known.starred),
            note: self.note.clone(),
        }
        .tidied();
        if review == *known {
            return None;
        }
        self.sent = Some(review.clone());
        Some(Command::Review {
            id: job.id.clone(),
            review,
        })
    }
}

/// The player: one clock, its tiles and their controls.
pub struct Player {
    /// Never empty (every constructor gives at least one).
    sources: Vec<Source>,
    pub clock: PlayerClock,
    pub looping: bool,
    pub muted: bool,
    pub volume: f32,
    /// Start playing once every clip is open and shows its first frame.
    autoplay: bool,
    /// The take sheet's A/B wipe, while it is on.
    pub wipe: Option<Wipe>,
    /// Whose sound is heard (one at a time); the first with sound until chosen.
    pub listen: Option<usize>,
    /// The area the pictures were fitted into.
    pub area: Option<Rect>,
    pub commands: Vec<AppCommand>,
}

impl Player {
    /// A player for one video; the clip arrives with [`Player::opened`].
    pub fn new(path: PathBuf) -> Player {
        Player::with_sources(vec![Source::new(path, None, 1)])
    }

    /// A take sheet of the finished jobs' videos (2 to [`MAX_SHEET`]; jobs
    /// without a video are left out). `None` when fewer than two remain.
    pub fn sheet(jobs: Vec<Job>) -> Option<Player> {
        let jobs: Vec<(PathBuf, Job)> = jobs
            .into_iter()
            .filter_map(|j| Some((j.output_path.clone()?, j)))
            .take(MAX_SHEET)
            .collect();
        if jobs.len() < 2 {
            return None;
        }
        // The tiles share the memory one player may use.
        let share = jobs.len();
        let sources = jobs
            .into_iter()
            .map(|(path, job)| Source::new(path, Some(job), share))
            .collect();
        Some(Player::with_sources(sources))
    }

    fn with_sources(sources: Vec<Source>) -> Player {
        Player {
            sources,
            clock: PlayerClock::default(),
            looping: false,
            muted: false,
            volume: 1.0,
            autoplay: true,
            wipe: None,
            listen: None,
            area: None,
            commands: Vec::new(),
        }
    }

    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The first video's tile (the only one outside a take sheet).
    pub fn tile(&self) -> &VideoTile {
        // `sources` is never empty (see the field).
        &self.sources[0].tile
    }

    /// The first video's file.
    pub fn path(&self) -> &Path {
        &self.sources[0].path
    }

    pub fn is_sheet(&self) -> bool {
        self.sources.len() > 1
    }

    /// Every file the player still waits to have opened.
    pub fn waits_for(&self, path: &Path) -> bool {
        self.sources
            .iter()
            .any(|s| s.path == path && s.tile.status == TileStatus::Opening)
    }

    /// A clip (opened on the worker) arrived for the video at `path`.
    pub fn opened(&mut self, path: &Path, result: Result<OpenedClip, VideoError>) {
        let sheet = self.is_sheet();
        let Some(source) = self
            .sources
            .iter_mut()
            .find(|s| s.path == path && s.tile.status == TileStatus::Opening)
        else {
            return;
        };
        let guess = if sheet { (640, 360) } else { (1280, 720) };
        let size = source
            .picture
            .map(|r| (r.width().round() as u32, r.height().round() as u32))
            .unwrap_or(guess);
        source.tile.opened(result, 0, Some(size));
    }

    /// A job changed in the journal: a tile showing it takes its new review
    /// (a note being typed is kept).
    pub fn job_changed(&mut self, job: &Job) {
        for source in &mut self.sources {
            if let Some(old) = &source.job
                && old.id == job.id
            {
                let typed = source.sent.as_ref().map_or(&old.review.note, |r| &r.note);
                if source.note == *typed {
                    source.note = job.review.note.clone();
                }
                source.sent = None;
                source.job = Some(Box::new(job.clone()));
            }
        }
    }

    /// Reviews typed but not yet sent (a note field that still has the
    /// keyboard when the player closes); each is sent once.
    pub fn unsaved_reviews(&mut self) -> Vec<Command> {
        self.sources
            .iter_mut()
            .filter_map(|s| s.changed_review(None))
            .collect()
    }

    fn close(&mut self) {
        let reviews = self.unsaved_reviews();
        self.commands
            .extend(reviews.into_iter().map(AppCommand::Engine));
        self.commands.push(AppCommand::ClosePlayer);
    }

    /// The tiles the layout shows now (the wipe shows two of them).
    fn visible(&self, index: usize) -> bool {
        match &self.wipe {
            Some(wipe) => index == wipe.a || index == wipe.b,
            None => true,
        }
    }

    /// The video whose sound is heard: the one chosen, else the first with a
    /// sound track.
    pub fn heard(&self) -> Option<usize> {
        self.listen
            .filter(|&i| {
                self.sources
                    .get(i)
                    .is_some_and(|s| s.tile.sound.has_track())
            })
            .or_else(|| self.sources.iter().position(|s| s.tile.sound.has_track()))
    }

    /// Keeps the heard sound where the picture is (and the others silent);
    /// a sound that stopped working says why instead.
    fn sync_sound(&mut self, playing: bool, position: Duration) {
        let heard = self.heard();
        let visible: Vec<bool> = (0..self.sources.len()).map(|i| self.visible(i)).collect();
        let (volume, muted) = (self.volume, self.muted);
        for (index, source) in self.sources.iter_mut().enumerate() {
            let ClipSound::Ready(sound) = &mut source.tile.sound else {
                continue;
            };
            if let Some(error) = sound.error() {
                source.tile.sound = ClipSound::Unavailable(error);
                continue;
            }
            let on = playing && heard == Some(index) && visible[index];
            sound.sync(on, position, volume, muted);
        }
    }

    /// The tile that sets the pace of frame steps and the time shown: the
    /// first one that plays.
    pub fn lead(&self) -> Option<&VideoTile> {
        self.sources.iter().find(|s| s.ready()).map(|s| &s.tile)
    }

    fn ready_tiles(&self) -> impl Iterator<Item = &VideoTile> {
        self.sources.iter().filter(|s| s.ready()).map(|s| &s.tile)
    }

    /// When the longest clip is over.
    pub fn duration(&self) -> Duration {
        self.ready_tiles()
            .map(VideoTile::duration)
            .max()
            .unwrap_or_default()
    }

    /// Where the last frame of the longest clip starts.
    fn last_start(&self) -> Duration {
        self.ready_tiles()
            .map(|t| t.pts_of(t.frame_count().saturating_sub(1)))
            .max()
            .unwrap_or_default()
    }

    /// The index of the lead's frame due at `now`.
    pub fn due_index(&self, now: f64) -> usize {
        self.lead()
            .map_or(0, |t| t.index_at(self.clock.position(now)))
    }

    pub fn play(&mut self, now: f64) {
        if self.lead().is_none() {
            return;
        }
        if self.clock.position(now) >= self.last_start() {
            // At the end: play again from the start.
            self.seek(now, Duration::ZERO);
        }
        self.clock.play(now);
    }

    pub fn pause(&mut self, now: f64) {
        self.clock.pause(now);
        // Stop on the frame on screen.
        if let Some(lead) = self.lead()
            && let Some(shown) = lead.shown_index()
        {
            let at = lead.pts_of(shown);
            self.clock.set(now, at);
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
        let time = time.min(self.last_start());
        self.clock.set(now, time);
        for source in &mut self.sources {
            source.tile.discontinuity();
        }
    }

    /// Pauses and moves `delta` frames of the lead from the one shown.
    pub fn step(&mut self, now: f64, delta: i64) {
        let Some(lead) = self.lead() else { return };
        let from = lead
            .shown_index()
            .unwrap_or_else(|| lead.index_at(self.clock.position(now)));
        let last = lead.frame_count().saturating_sub(1) as i64;
        let to = (from as i64 + delta).clamp(0, last) as usize;
        let at = lead.pts_of(to);
        self.clock.pause(now);
        self.seek(now, at);
    }

    /// Advances the clock (looping or stopping at the end) and brings each
    /// visible tile's frame due to the screen. Asks for the next repaint.
    pub fn update(&mut self, ctx: &egui::Context, now: f64) {
        if self.lead().is_none() {
            return;
        }
        let at = self.clock.position(now);
        if self.autoplay {
            self.sync_sound(false, at);
        }
        if self.autoplay {
            // The clock starts once every clip shows its first frame, so that
            // opening does not eat into the clips and the tiles start together.
            let mut waiting = self
                .sources
                .iter()
                .any(|s| s.tile.status == TileStatus::Opening);
            for source in self.sources.iter_mut().filter(|s| s.ready()) {
                source.tile.update(ctx, 0, false);
                waiting |= source.tile.shown_index().is_none();
            }
            if waiting {
                ctx.request_repaint_after(WAIT_POLL);
                return;
            }
            self.autoplay = false;
            self.clock.set(now, Duration::ZERO);
            self.clock.play(now);
        }
        let duration = self.duration();
        let position = self.clock.position(now);
        if self.clock.playing() && position >= duration && !duration.is_zero() {
            if self.looping {
                let wrapped = position.as_secs_f64() % duration.as_secs_f64();
                self.seek(now, Duration::from_secs_f64(wrapped));
            } else {
                self.clock.pause(now);
                let last = self.last_start();
                self.clock.set(now, last);
            }
        }
        let position = self.clock.position(now);
        let playing = self.clock.playing();
        self.sync_sound(playing, position);
        // Every visible tile moves to its frame due only when all of them can
        // show theirs: side by side, they never show different moments (one
        // that lags holds the others, which then skip ahead together).
        let shown: Vec<usize> = (0..self.sources.len())
            .filter(|&i| self.visible(i))
            .collect();
        let mut all_there = true;
        for &index in &shown {
            let tile = &mut self.sources[index].tile;
            if tile.status == TileStatus::Ready {
                let target = tile.index_at(position);
                all_there &= tile.fetch(ctx, target);
            }
        }
        let mut waiting = !all_there;
        let mut until = duration.saturating_sub(position);
        for &index in &shown {
            let tile = &mut self.sources[index].tile;
            if tile.status != TileStatus::Ready {
                continue;
            }
            let target = tile.index_at(position);
            if all_there {
                waiting |= tile.present(ctx, target, playing);
            }
            let next = tile.pts_of(target + 1);
            if target + 1 < tile.frame_count() && next > position {
                until = until.min(next - position);
            }
        }
        if waiting {
            ctx.request_repaint_after(WAIT_POLL);
        } else if playing {
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
            self.close();
        }
    }

    /// Draws the player into `ui` (all of its space).
    pub fn ui(&mut self, ui: &mut Ui, lang: Lang) {
        let now = ui.input(|i| i.time);
        self.keys(ui, now);
        self.update(ui.ctx(), now);
        self.top_row(ui, lang);
        let area = {
            let rect = ui.available_rect_before_wrap();
            Rect::from_min_max(
                rect.min,
                egui::pos2(
                    rect.max.x,
                    (rect.max.y - CONTROLS_HEIGHT).max(rect.min.y + 40.0),
                ),
            )
        };
        ui.allocate_rect(area, Sense::hover());
        self.area = Some(area);
        if self.wipe.is_some() {
            sheet::wipe_ui(self, ui, area, lang, now);
        } else if self.is_sheet() {
            let cells = sheet::grid(area, self.sources.len(), self.aspect());
            for (index, cell) in cells.into_iter().enumerate() {
                let picture = Rect::from_min_max(
                    cell.min,
                    egui::pos2(cell.max.x, cell.max.y - sheet::CAPTION_HEIGHT),
                );
                self.tile_ui(ui, index, picture, lang, now);
                let caption = Rect::from_min_max(egui::pos2(cell.min.x, picture.max.y), cell.max);
                sheet::caption_ui(self, ui, index, caption, lang);
            }
        } else {
            self.tile_ui(ui, 0, area, lang, now);
        }
        self.controls(ui, lang, now);
    }

    /// The shape most tiles have (for laying out the sheet), 16:9 until known.
    fn aspect(&self) -> f32 {
        self.ready_tiles()
            .filter_map(|t| t.info())
            .map(|i| i.width.max(1) as f32 / i.height.max(1) as f32)
            .next()
            .unwrap_or(16.0 / 9.0)
    }

    /// One tile's picture (or why it has none) in `area`.
    fn tile_ui(&mut self, ui: &mut Ui, index: usize, area: Rect, lang: Lang, now: f64) {
        let ppp = ui.ctx().pixels_per_point();
        let position = self.clock.position(now);
        let source = &mut self.sources[index];
        match &source.tile.status {
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
                let path = source.path.clone();
                ui.scope_builder(
                    egui::UiBuilder::new()
                        .max_rect(area.shrink(12.0))
                        .id_salt(("player-failed", index)), // not text: an egui id
                    |ui| {
                        ui.vertical_centered(|ui| {
                            ui.add_space(12.0);
                            ui.colored_label(ui.visuals().error_fg_color, text);
                            ui.add_space(8.0);
                            if ui.button(tr!(lang, "player-open-system")).clicked() {
                                self.commands.push(AppCommand::Open(path));
                            }
                        });
                    },
                );
            }
            TileStatus::Ready => {
                let picture = source.tile.paint(ui.painter(), area);
                source.picture = Some(picture);
                let physical = (
                    (picture.width() * ppp).round() as u32,
                    (picture.height() * ppp).round() as u32,
                );
                let target = source.tile.index_at(position);
                source.tile.want_size(physical, target);
            }
        }
    }

    fn top_row(&mut self, ui: &mut Ui, lang: Lang) {
        ui.horizontal(|ui| {
            if self.is_sheet() {
                ui.label(
                    RichText::new(tr!(lang, "sheet-title", videos = self.sources.len())).strong(),
                );
            } else {
                let path = self.path().to_path_buf();
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                ui.label(RichText::new(name).strong())
                    .on_hover_text(path.display().to_string());
                if let Some(info) = self.tile().info() {
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
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui
                    .button(tr!(lang, "player-close"))
                    .on_hover_text(tr!(lang, "player-close-hint"))
                    .clicked()
                {
                    self.close();
                }
                if !self.is_sheet() {
                    let path = self.path().to_path_buf();
                    if ui.button(tr!(lang, "player-show-in-folder")).clicked() {
                        self.commands.push(AppCommand::Reveal(path.clone()));
                    }
                    if ui.button(tr!(lang, "player-open-system")).clicked() {
                        self.commands.push(AppCommand::Open(path));
                    }
                }
            });
        });
    }

    fn controls(&mut self, ui: &mut Ui, lang: Lang, now: f64) {
        let ready = self.lead().is_some();
        let (count, shown, fps) = self.lead().map_or((0, 0, 24.0), |t| {
            (
                t.frame_count(),
                t.shown_index().unwrap_or(0),
                t.info().map_or(24.0, |i| i.fps),
            )
        });
        let shown_at = self.lead().map_or(Duration::ZERO, |t| t.pts_of(shown));
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
                ui.label(
                    RichText::new(tr!(
                        lang,
                        "player-time",
                        time = timecode(shown_at, fps),
                        total = timecode(self.duration(), fps),
                    ))
                    .monospace(),
                );
                ui.label(
                    RichText::new(tr!(lang, "player-frame", frame = shown + 1, count = count))
                        .weak(),
                );
                ui.toggle_value(&mut self.looping, tr!(lang, "player-loop"))
                    .on_hover_text(tr!(lang, "player-loop-hint"));
                if self.is_sheet() {
                    sheet::wipe_controls(self, ui, lang);
                }
                if self.heard().is_some() {
                    self.sound_controls(ui, lang);
                }
            });
        });
    }

    /// Mute and volume of the sound heard; disabled, saying why, when that
    /// sound does not play here.
    fn sound_controls(&mut self, ui: &mut Ui, lang: Lang) {
        ui.separator();
        let why = self
            .heard()
            .and_then(|i| match &self.sources[i].tile.sound {
                ClipSound::Unavailable(error) => Some(error.describe().get(lang).to_string()),
                _ => None,
            });
        ui.add_enabled_ui(why.is_none(), |ui| {
            let hint = why.unwrap_or_default();
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
        let duration = self.duration().as_secs_f64().max(1e-6);
        let shown = self
            .lead()
            .and_then(|t| t.shown_index().map(|i| t.pts_of(i)))
            .unwrap_or_default();
        let fraction = (shown.as_secs_f64() / duration).clamp(0.0, 1.0);
        response
            .widget_info(|| egui::WidgetInfo::slider(true, fraction, tr!(lang, "player-scrub")));
        if (response.dragged() || response.clicked())
            && let Some(pointer) = response.interact_pointer_pos()
            && let Some(lead) = self.lead()
        {
            let at = ((pointer.x - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0);
            let time = Duration::from_secs_f64(f64::from(at) * duration);
            let frame_start = lead.pts_of(lead.index_at(time));
            self.seek(now, frame_start);
        }
        let visuals = ui.visuals();
        let track = Rect::from_center_size(rect.center(), Vec2::new(rect.width(), 6.0));
        let painter = ui.painter();
        painter.rect_filled(track, 3.0, visuals.extreme_bg_color);
        // Frames ready for scrubbing, as a faint band (one rectangle per run).
        if let Some(lead) = self.lead() {
            let count = lead.frame_count();
            let colour = visuals.weak_text_color().gamma_multiply(0.5);
            let x_of = |i: usize| track.left() + track.width() * i as f32 / count.max(1) as f32;
            let mut run: Option<usize> = None;
            for index in 0..=count {
                let ready = index < count && lead.scrubbable(index);
                match (ready, run) {
                    (true, None) => run = Some(index),
                    (false, Some(start)) => {
                        painter.rect_filled(
                            Rect::from_min_max(
                                egui::pos2(x_of(start), track.top()),
                                egui::pos2(x_of(index), track.bottom()),
                            ),
                            0.0,
                            colour,
                        );
                        run = None;
                    }
                    _ => {}
                }
            }
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
