//! Jobs and history: every generation, live, with what can be done about it.

use super::command::AppCommand;
use super::player::MAX_SHEET;
use super::shared::Shared;
use super::widgets::{self, Textures, Thumb, file_size};
use crate::api::{CreateTaskRequest, export};
use crate::core::capabilities::{self as caps, Model};
use crate::core::spend::{self, Cap};
use crate::core::{Lang, Localized};
use crate::engine::images::Thumbnail;
use crate::engine::{Command, Event, Job, JobId, JobState, Poster, PosterError, Refusal, TakeSet};
use crate::{loc, tr};
use egui::{Id, RichText, Ui};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

const ROW_HEIGHT: f32 = 66.0;

/// The box of a row's picture: a 16:9 video fills it; 9:16 and 21:9 keep their
/// shape inside it, centred.
const PICTURE: egui::Vec2 = egui::vec2(100.0, 56.0);

/// How far the takes of a set sit to the right of its header.
const TAKE_INDENT: f32 = 28.0;

/// Thumbnail load keys of job rows start here; the editor's slots count up from 1.
const FIRST_THUMB_KEY: u64 = 1 << 62;

/// What is known about a job beyond its journal: live progress.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobProgress {
    /// Bytes sent and total, per reference index.
    pub uploads: std::collections::BTreeMap<usize, (u64, u64)>,
    /// Bytes received, total, bytes per second.
    pub download: Option<(u64, Option<u64>, f64)>,
    /// 1-based place in the local queue.
    pub queue_position: Option<usize>,
}

/// Which jobs the panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    #[default]
    All,
    Active,
    Done,
    Problems,
}

/// The jobs panel: every job the engine reported, its live progress, the
/// filters, and the confirmations waiting for an answer.
pub struct JobsPanel {
    /// Every job, newest first.
    pub jobs: Vec<Job>,
    /// Bumped whenever `jobs` changes: the cache's key.
    pub version: u64,
    cache: Option<JobsCache>,
    pub progress: HashMap<JobId, JobProgress>,
    pub search: String,
    pub filter: StateFilter,
    pub model: Option<Model>,
    /// A retry waiting for the user's confirmation.
    pub confirm_retry: Option<JobId>,
    /// The last retry sent: the job it retries and the new job's id, until
    /// the engine journals or refuses it.
    pub retry_sent: Option<(JobId, JobId)>,
    /// A retry a budget cap stopped (the job it retries, and why), while the
    /// user decides.
    pub retry_refused: Option<(JobId, Refusal)>,
    /// "Submit anew" (may be billed twice) waiting for confirmation.
    pub confirm_resubmit: Option<JobId>,
    /// Removing a job together with its video, waiting for confirmation.
    pub confirm_delete: Option<JobId>,
    /// Sets of takes shown folded (their header only); sets start unfolded.
    pub collapsed: HashSet<String>,
    /// Thumbnails of jobs' first references, and which load key is whose.
    pub thumbs: HashMap<JobId, (u64, Thumb)>,
    textures: Textures,
    /// Poster frames of finished jobs' videos, asked for once per job.
    pub posters: HashMap<JobId, PosterView>,
    /// Finished jobs chosen to be compared side by side, in the order chosen
    /// (at most [`MAX_SHEET`]).
    pub compare: Vec<JobId>,
    next_key: u64,
    /// What the panel asks of the shell, taken each frame.
    pub commands: Vec<AppCommand>,
}

impl Default for JobsPanel {
    fn default() -> JobsPanel {
        JobsPanel {
            jobs: Vec::new(),
            version: 0,
            cache: None,
            progress: HashMap::new(),
            search: String::new(),
            filter: StateFilter::All,
            model: None,
            confirm_retry: None,
            retry_sent: None,
            retry_refused: None,
            confirm_resubmit: None,
            confirm_delete: None,
            collapsed: HashSet::new(),
            thumbs: HashMap::new(),
            textures: Textures::default(),
            posters: HashMap::new(),
            compare: Vec::new(),
            next_key: FIRST_THUMB_KEY,
            commands: Vec::new(),
        }
    }
}

impl JobsPanel {
    pub fn ui(&mut self, ui: &mut Ui, shared: Shared<'_>) {
        jobs_ui(ui, self, shared);
    }

    /// Takes what the engine reported about jobs; a job that has just ended
    /// raises a toast and a desktop notification.
    pub fn apply(&mut self, event: Event, lang: Lang) {
        match event {
            Event::Upload {
                job,
                index,
                sent,
                total,
            } => {
                self.progress
                    .entry(job)
                    .or_default()
                    .uploads
                    .insert(index, (sent, total));
            }
            Event::Download {
                job,
                received,
                total,
                bytes_per_sec,
            } => {
                self.progress.entry(job).or_default().download =
                    Some((received, total, bytes_per_sec));
            }
            Event::Queue(queue) => {
                for progress in self.progress.values_mut() {
                    progress.queue_position = None;
                }
                for (i, id) in queue.into_iter().enumerate() {
                    self.progress.entry(id).or_default().queue_position = Some(i + 1);
                }
            }
            Event::History(jobs) => {
                let mut ended = Vec::new();
                for job in jobs {
                    match self.jobs.iter().find(|j| j.id == job.id) {
                        None => self.jobs.push(job),
                        // Shown unfinished, ended in the journal: it ended while
                        // this window heard nothing (another process ran it).
                        Some(shown) if !shown.state.is_final() && job.state.is_final() => {
                            ended.push(job)
                        }
                        Some(_) => {}
                    }
                }
                for job in ended {
                    self.job_changed(job, lang);
                }
                self.jobs
                    .sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then(b.id.cmp(&a.id)));
                self.version += 1;
            }
            Event::Job(job) => self.job_changed(*job, lang),
            Event::Poster { job, result } => self.poster_arrived(job, result),
            Event::Removed(id) => {
                self.posters.remove(&id);
                self.compare.retain(|c| *c != id);
                self.jobs.retain(|j| j.id != id);
                self.version += 1;
            }
            _ => {}
        }
    }

    /// The engine refused a job: if it is the retry sent from here, the user
    /// is asked whether to send it anyway. Whether it was.
    pub fn refused_by_engine(&mut self, ids: &[JobId], refusal: &Refusal) -> bool {
        let Some((from, _)) = self
            .retry_sent
            .take_if(|(_, new_id)| ids == std::slice::from_ref(new_id))
        else {
            return false;
        };
        self.retry_refused = Some((from, refusal.clone()));
        true
    }

    fn job_changed(&mut self, job: Job, lang: Lang) {
        if self
            .retry_sent
            .as_ref()
            .is_some_and(|(_, new_id)| *new_id == job.id)
        {
            self.retry_sent = None;
        }
        let was_final = self
            .jobs
            .iter()
            .find(|j| j.id == job.id)
            .is_some_and(|j| j.state.is_final());
        if job.state.is_final() && !was_final {
            self.announce_end(&job, lang);
        }
        match self.jobs.iter_mut().find(|j| j.id == job.id) {
            Some(existing) => *existing = job,
            None => self.jobs.insert(0, job),
        }
        self.version += 1;
    }

    /// A toast in the window and a desktop notification (the window may be hidden).
    fn announce_end(&mut self, job: &Job, lang: Lang) {
        if job.state == JobState::Canceled {
            // The user's own doing: said in the window, not as an error, and no
            // desktop notification.
            self.commands.push(AppCommand::Toast {
                text: job.state.describe(),
                error: false,
            });
            return;
        }
        let (text, error) = match job.state {
            JobState::Done => (
                loc!(
                    "editor-state-video-ready",
                    path = job
                        .output_path
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                ),
                false,
            ),
            _ => (
                loc!(
                    "editor-state-job-ended",
                    state = job.state.describe(),
                    advice = job
                        .error
                        .as_ref()
                        .map(|e| e.advice.clone())
                        .unwrap_or_else(|| Localized::verbatim(""))
                ),
                true,
            ),
        };
        self.commands.push(AppCommand::Notify {
            title: tr!(
                lang,
                "editor-state-notify-title",
                state = job.state.describe()
            ),
            body: text.get(lang).to_string(),
        });
        self.commands.push(AppCommand::Toast { text, error });
    }

    /// Folds or unfolds a set of takes.
    pub fn toggle_set(&mut self, set: &str) {
        if !self.collapsed.remove(set) {
            self.collapsed.insert(set.to_string());
        }
        self.version += 1;
    }

    /// A thumbnail the engine made; `false` when no row asked for it.
    pub fn thumbnail_arrived(
        &mut self,
        key: u64,
        result: &Result<Arc<Thumbnail>, Localized>,
    ) -> bool {
        let Some(entry) = self.thumbs.values_mut().find(|(k, _)| *k == key) else {
            return false;
        };
        entry.1 = match result {
            Ok(thumb) => Thumb::Ready(thumb.clone()),
            Err(reason) => Thumb::Failed(reason.clone()),
        };
        true
    }

    /// A poster the engine made (or why there is none); ignored when no row asked.
    fn poster_arrived(&mut self, job: JobId, result: Result<Arc<Poster>, PosterError>) {
        let Some(view) = self.posters.get_mut(&job) else {
            return;
        };
        *view = match result {
            Ok(poster) => PosterView::Ready {
                poster,
                texture: None,
            },
            Err(e @ PosterError::Missing { .. }) => PosterView::Missing(e.describe()),
            Err(e) => PosterView::Failed(e.describe()),
        };
    }

    /// The poster of a finished job's video, when it has arrived (e.g. to show
    /// before a player opens).
    pub fn poster(&self, job: &JobId) -> Option<&Arc<Poster>> {
        match self.posters.get(job) {
            Some(PosterView::Ready { poster, .. }) => Some(poster),
            _ => None,
        }
    }

    /// Asks the engine for a finished job's poster, once (the engine answers from
    /// its cache or decodes in the background; the row shows the reference
    /// picture meanwhile).
    fn want_poster(&mut self, job: &Job) {
        if job.state != JobState::Done || self.posters.contains_key(&job.id) {
            return;
        }
        self.posters.insert(job.id.clone(), PosterView::Loading);
        self.commands.push(AppCommand::Engine(Command::LoadPoster {
            job: job.id.clone(),
        }));
    }

    /// Asks for the thumbnail of a job's first reference, once.
    fn want_thumb(&mut self, job: &Job) {
        if self.thumbs.contains_key(&job.id) {
            return;
        }
        let Some(first) = job.spec.references.first() else {
            return;
        };
        let key = self.next_key;
        self.next_key += 1;
        self.thumbs.insert(job.id.clone(), (key, Thumb::Loading));
        self.commands.push(AppCommand::Engine(Command::LoadImage {
            key,
            source: first.source.clone(),
            max_side: 96,
        }));
    }
}

/// Where a finished job's poster stands.
pub enum PosterView {
    /// Asked for; the row shows the reference picture meanwhile.
    Loading,
    /// The video's frame; its texture is made when the row is first drawn.
    Ready {
        poster: Arc<Poster>,
        texture: Option<egui::TextureHandle>,
    },
    /// The video is not where the job says: the row says so instead of a picture.
    Missing(Localized),
    /// The app cannot show this video (or has no decoder): the row keeps the
    /// reference picture and says why on hover.
    Failed(Localized),
}

/// The picture at the start of a row: the video's poster once it has arrived,
/// "moved or deleted" when the video is gone, else the first reference picture.
/// The response covers the whole box (the player opens on a click there).
fn row_picture(
    ui: &mut Ui,
    panel: &mut JobsPanel,
    shared: Shared<'_>,
    job: &Job,
) -> egui::Response {
    panel.want_poster(job);
    let lang = shared.lang;
    match panel.posters.get_mut(&job.id) {
        Some(PosterView::Ready { poster, texture }) => {
            let texture = texture
                .get_or_insert_with(|| {
                    let image = egui::ColorImage::from_rgba_unmultiplied(
                        [poster.width as usize, poster.height as usize],
                        &poster.rgba,
                    );
                    ui.ctx().load_texture(
                        // not text: the texture's debug name
                        format!("poster-{}", job.id),
                        image,
                        egui::TextureOptions::LINEAR,
                    )
                })
                .clone();
            let (rect, response) = ui.allocate_exact_size(PICTURE, egui::Sense::hover());
            let fitted = fit(poster.width, poster.height, PICTURE);
            egui::Image::new((texture.id(), fitted))
                .corner_radius(4.0)
                .paint_at(ui, egui::Rect::from_center_size(rect.center(), fitted));
            response.widget_info(|| {
                egui::WidgetInfo::labeled(egui::Role::Image, true, tr!(lang, "jobs-poster"))
            });
            response
        }
        Some(PosterView::Missing(reason)) => {
            let reason = reason.get(lang).to_string();
            let (rect, response) = ui.allocate_exact_size(PICTURE, egui::Sense::hover());
            ui.painter()
                .rect_filled(rect, 4.0, ui.visuals().extreme_bg_color);
            let text = tr!(lang, "jobs-poster-missing");
            let galley = ui.painter().layout(
                text.clone(),
                egui::FontId::proportional(11.0),
                ui.visuals().warn_fg_color,
                rect.width() - 8.0,
            );
            let at = rect.center() - galley.size() / 2.0;
            ui.painter().galley(at, galley, ui.visuals().warn_fg_color);
            response
                .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, text.clone()));
            response.on_hover_text(reason)
        }
        state => {
            let failed = match state {
                Some(PosterView::Failed(reason)) => Some(reason.get(lang).to_string()),
                _ => None,
            };
            panel.want_thumb(job);
            let thumb = panel.thumbs.get(&job.id).map(|(k, t)| (*k, t.clone()));
            let response = match thumb {
                Some((key, thumb)) => {
                    widgets::thumb_image(ui, &mut panel.textures, key, &thumb, PICTURE)
                }
                None => ui.allocate_exact_size(PICTURE, egui::Sense::hover()).1,
            };
            match failed {
                Some(reason) => response.on_hover_text(reason),
                None => response,
            }
        }
    }
}

/// `width`×`height` scaled to fit in `size`, keeping its shape.
fn fit(width: u32, height: u32, size: egui::Vec2) -> egui::Vec2 {
    let aspect = width.max(1) as f32 / height.max(1) as f32;
    if aspect > size.x / size.y {
        egui::vec2(size.x, size.x / aspect)
    } else {
        egui::vec2(size.y * aspect, size.y)
    }
}

/// The rows the filters let through and the totals line, computed again
/// only when the jobs, the filters or the language change, or a minute has
/// passed (so that "today" turns at midnight): a frame costs the same with 30
/// jobs in history as with 3000.
pub struct JobsCache {
    key: CacheKey,
    shown: Vec<Row>,
    totals: String,
}

/// One line of the list (all lines are as tall, so that only visible ones are
/// laid out). Numbers are indices into `JobsPanel::jobs`.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// A job asked for on its own.
    Job(usize),
    /// The header of a set of takes: every job of the set, in take order.
    Set { id: String, members: Vec<usize> },
    /// One take, beneath its set's header.
    Take(usize),
}

#[derive(PartialEq)]
struct CacheKey {
    version: u64,
    count: usize,
    search: String,
    state: StateFilter,
    model: Option<Model>,
    lang: crate::core::Lang,
    minute: i64,
}

fn refresh_cache(panel: &mut JobsPanel, shared: Shared<'_>) {
    let key = CacheKey {
        version: panel.version,
        count: panel.jobs.len(),
        search: panel.search.clone(),
        state: panel.filter,
        model: panel.model,
        lang: shared.lang,
        minute: chrono::Utc::now().timestamp() / 60,
    };
    if panel.cache.as_ref().is_some_and(|c| c.key == key) {
        return;
    }
    let needle = key.search.trim().to_lowercase();
    let shown = rows(panel, &needle);
    let totals = totals(panel, shared);
    panel.cache = Some(JobsCache { key, shown, totals });
}

fn jobs_ui(ui: &mut Ui, panel: &mut JobsPanel, shared: Shared<'_>) {
    refresh_cache(panel, shared);
    header_ui(ui, panel, shared);
    let now = chrono::Utc::now().timestamp_millis();
    // The header's filters may have changed.
    refresh_cache(panel, shared);
    let shown = panel
        .cache
        .as_ref()
        .map(|c| c.shown.clone())
        .unwrap_or_default();
    if panel.jobs.is_empty() {
        ui.label(RichText::new(tr!(shared.lang, "jobs-empty")).weak());
        return;
    }
    if shown.is_empty() {
        ui.label(RichText::new(tr!(shared.lang, "jobs-no-match")).weak());
    }
    // Only the visible rows are laid out: the cost does not grow with history.
    egui::ScrollArea::vertical()
        .id_salt("jobs-scroll")
        .auto_shrink([false, false])
        .show_rows(ui, ROW_HEIGHT, shown.len(), |ui, range| {
            for row in &shown[range] {
                match row {
                    Row::Job(index) => {
                        let job = panel.jobs[*index].clone();
                        row_ui(ui, panel, shared, &job, now);
                    }
                    Row::Set { id, members } => {
                        let takes: Vec<Job> =
                            members.iter().map(|&m| panel.jobs[m].clone()).collect();
                        set_row_ui(ui, panel, shared, id, &takes);
                    }
                    Row::Take(index) => {
                        let job = panel.jobs[*index].clone();
                        row_ui(ui, panel, shared, &job, now);
                    }
                }
            }
        });
    confirmations(ui.ctx(), panel, shared);
}

/// The lines to show, newest first: a set of takes sits where its newest job
/// would, as a header with the takes the filters let through beneath it (none when
/// folded). A set is shown when any of its takes matches.
fn rows(panel: &JobsPanel, needle: &str) -> Vec<Row> {
    let mut sets: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, job) in panel.jobs.iter().enumerate() {
        if let Some(set) = &job.take_set {
            sets.entry(set.id.as_str()).or_default().push(i);
        }
    }
    for members in sets.values_mut() {
        let index = |i: &usize| panel.jobs[*i].take_set.as_ref().map_or(0, |t| t.index);
        members.sort_by(|a, b| {
            index(a)
                .cmp(&index(b))
                .then(panel.jobs[*a].created_ms.cmp(&panel.jobs[*b].created_ms))
        });
    }
    let mut placed = HashSet::new();
    let mut shown = Vec::new();
    for (i, job) in panel.jobs.iter().enumerate() {
        let Some(set) = &job.take_set else {
            if matches_filters(panel, needle, job) {
                shown.push(Row::Job(i));
            }
            continue;
        };
        if !placed.insert(set.id.as_str()) {
            continue;
        }
        let members = sets.get(set.id.as_str()).cloned().unwrap_or_default();
        let matching: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&m| matches_filters(panel, needle, &panel.jobs[m]))
            .collect();
        if matching.is_empty() {
            continue;
        }
        shown.push(Row::Set {
            id: set.id.clone(),
            members,
        });
        if !panel.collapsed.contains(&set.id) {
            shown.extend(matching.into_iter().map(Row::Take));
        }
    }
    shown
}

fn matches_filters(view: &JobsPanel, needle: &str, job: &Job) -> bool {
    let state_ok = match view.filter {
        StateFilter::All => true,
        StateFilter::Active => !job.state.is_final(),
        StateFilter::Done => job.state == JobState::Done,
        StateFilter::Problems => matches!(
            job.state,
            JobState::Failed | JobState::Expired | JobState::Canceled | JobState::SubmitUnknown
        ),
    };
    let model_ok = view.model.is_none_or(|m| m == job.spec.model);
    state_ok && model_ok && (needle.is_empty() || job.spec.prompt.to_lowercase().contains(needle))
}

fn header_ui(ui: &mut Ui, panel: &mut JobsPanel, shared: Shared<'_>) {
    ui.horizontal(|ui| {
        let lang = shared.lang;
        ui.label(RichText::new(tr!(lang, "jobs-title")).strong());
        ui.label(RichText::new(format!("{}", panel.jobs.len())).weak());
        ui.add_space(8.0);
        let search = tr!(lang, "jobs-search-hint");
        let label = ui.label(RichText::new(tr!(lang, "jobs-search")).weak());
        ui.add(
            egui::TextEdit::singleline(&mut panel.search)
                .id(Id::unique("jobs-search"))
                .hint_text(search)
                .desired_width(180.0),
        )
        .labelled_by(label.id);
        let filters = [
            (StateFilter::All, tr!(lang, "jobs-filter-all")),
            (StateFilter::Active, tr!(lang, "jobs-filter-active")),
            (StateFilter::Done, tr!(lang, "jobs-filter-done")),
            (StateFilter::Problems, tr!(lang, "jobs-filter-problems")),
        ];
        let current = filters
            .iter()
            .find(|(f, _)| *f == panel.filter)
            .map(|(_, l)| l.clone())
            .unwrap_or_default();
        let show = ui.label(RichText::new(tr!(lang, "jobs-show")).weak());
        egui::ComboBox::from_id_salt("jobs-state-filter")
            .selected_text(current)
            .show_ui(ui, |ui| {
                for (filter, label) in &filters {
                    ui.selectable_value(&mut panel.filter, *filter, label);
                }
            })
            .response
            .labelled_by(show.id);
        let all_models = tr!(lang, "jobs-all-models");
        let model_label = ui.label(RichText::new(tr!(lang, "jobs-model")).weak());
        egui::ComboBox::from_id_salt("jobs-model-filter")
            .selected_text(
                panel
                    .model
                    .map_or(all_models.clone(), |m| m.info().display_name.to_string()),
            )
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut panel.model, None, all_models);
                for model in Model::ALL {
                    ui.selectable_value(&mut panel.model, Some(model), model.info().display_name);
                }
            })
            .response
            .labelled_by(model_label.id);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            compare_ui(ui, panel, shared);
            ui.label(
                RichText::new(
                    panel
                        .cache
                        .as_ref()
                        .map(|c| c.totals.clone())
                        .unwrap_or_default(),
                )
                .weak(),
            )
            .on_hover_text(tr!(lang, "jobs-totals-hint"));
        });
    });
    ui.separator();
}

/// With videos chosen for comparison: how many, "Compare" (2 or more) and "Clear".
fn compare_ui(ui: &mut Ui, panel: &mut JobsPanel, shared: Shared<'_>) {
    if panel.compare.is_empty() {
        return;
    }
    let lang = shared.lang;
    if ui.small_button(tr!(lang, "jobs-compare-clear")).clicked() {
        panel.compare.clear();
        return;
    }
    let chosen = panel.compare.len();
    let open = ui
        .add_enabled(
            chosen >= 2,
            egui::Button::new(tr!(lang, "jobs-compare", count = chosen)),
        )
        .on_hover_text(tr!(lang, "jobs-compare-hint", max = MAX_SHEET))
        .on_disabled_hover_text(tr!(lang, "jobs-compare-one-more"));
    if open.clicked() {
        let jobs: Vec<Job> = panel
            .compare
            .iter()
            .filter_map(|id| panel.jobs.iter().find(|j| j.id == *id).cloned())
            .collect();
        panel.commands.push(AppCommand::OpenSheet(jobs));
        panel.compare.clear();
    }
    ui.separator();
}

/// A finished job's video can be played in the window (a file is known and
/// has not been found missing).
fn playable(panel: &JobsPanel, job: &Job) -> bool {
    job.state == JobState::Done
        && job.output_path.is_some()
        && !matches!(
            panel.posters.get(&job.id),
            Some(PosterView::Missing(_) | PosterView::Failed(_))
        )
}

/// The box that chooses a finished job for side-by-side comparison.
fn compare_box(ui: &mut Ui, panel: &mut JobsPanel, shared: Shared<'_>, job: &Job) {
    if !playable(panel, job) {
        return;
    }
    let lang = shared.lang;
    let mut chosen = panel.compare.contains(&job.id);
    let enabled = chosen || panel.compare.len() < MAX_SHEET;
    let response = ui
        .add_enabled(enabled, egui::Checkbox::without_text(&mut chosen))
        .on_hover_text(tr!(lang, "jobs-compare-choose-hint", max = MAX_SHEET))
        .on_disabled_hover_text(tr!(lang, "jobs-compare-full", max = MAX_SHEET));
    response.widget_info(|| {
        egui::WidgetInfo::selected(
            egui::Role::CheckBox,
            enabled,
            chosen,
            tr!(lang, "jobs-compare-choose"),
        )
    });
    if response.changed() {
        if chosen {
            panel.compare.push(job.id.clone());
        } else {
            panel.compare.retain(|c| *c != job.id);
        }
    }
}

/// Billed seconds and estimated spend today and this month (local time).
fn totals(panel: &JobsPanel, shared: Shared<'_>) -> String {
    use chrono::Datelike;
    let today = chrono::Local::now().date_naive();
    let (mut day_s, mut day_cost, mut month_s, mut month_cost) = (0.0, 0.0, 0.0, 0.0);
    for job in &panel.jobs {
        let (Some(billed), Some(done)) = (job.billed_seconds, job.entered(JobState::Done)) else {
            continue;
        };
        let Some(when) = chrono::DateTime::from_timestamp_millis(done) else {
            continue;
        };
        let date = when.with_timezone(&chrono::Local).date_naive();
        let price = caps::estimate_price(shared.prices, job.spec.model, job.spec.tier, 1)
            .unwrap_or(0.0)
            * billed;
        if date.year() == today.year() && date.month() == today.month() {
            month_s += billed;
            month_cost += price;
            if date == today {
                day_s += billed;
                day_cost += price;
            }
        }
    }
    tr!(
        shared.lang,
        "jobs-totals",
        day_seconds = day_s,
        day_cost = format!("{day_cost:.2}"),
        month_seconds = month_s,
        month_cost = format!("{month_cost:.2}"),
        currency = caps::PRICE_CURRENCY,
    )
}

fn row_ui(ui: &mut Ui, panel: &mut JobsPanel, shared: Shared<'_>, job: &Job, now: i64) {
    let progress = panel.progress.get(&job.id).cloned().unwrap_or_default();
    ui.allocate_ui(egui::vec2(ui.available_width(), ROW_HEIGHT), |ui| {
        ui.horizontal(|ui| {
            if job.take_set.is_some() {
                // Beneath the set's header.
                ui.add_space(TAKE_INDENT);
            }
            let picture = row_picture(ui, panel, shared, job).rect;
            play_on_click(ui, panel, shared, job, picture);
            ui.vertical(|ui| {
                ui.horizontal(|ui| {
                    let (color, text) = status(ui, shared, job, &progress, now);
                    compare_box(ui, panel, shared, job);
                    // The state on the left, cut short if need be; actions on the right.
                    egui::Sides::new().shrink_left().truncate().show(
                        ui,
                        |ui| {
                            if let Some(set) = &job.take_set {
                                ui.label(RichText::new(take_label(shared, job, set)).weak());
                            }
                            ui.colored_label(color, "●");
                            ui.label(RichText::new(&text).strong());
                            review_mark(ui, shared, job);
                        },
                        |ui| actions_ui(ui, panel, shared, job),
                    );
                });
                match (&job.take_set, job.spec.seed) {
                    // A take: the prompt is on its set's header; what tells takes
                    // apart is their seed.
                    (Some(_), crate::core::Seed::Fixed(seed)) => {
                        ui.label(tr!(shared.lang, "jobs-take-seed", seed = seed));
                    }
                    _ => {
                        let names: Vec<String> =
                            job.spec.references.iter().map(|r| r.name.clone()).collect();
                        let mut title = widgets::highlight(ui, job.title(), &names);
                        title.wrap.max_rows = 1;
                        title.wrap.break_anywhere = true;
                        title.wrap.max_width = ui.available_width();
                        ui.add(egui::Label::new(title).truncate());
                    }
                }
                ui.label(RichText::new(details(shared, job, now)).weak().small());
            });
        });
    });
    ui.separator();
}

/// A star (or a pencil for a note alone) after the state; the note on hover.
fn review_mark(ui: &mut Ui, shared: Shared<'_>, job: &Job) {
    let review = &job.review;
    if review.is_empty() {
        return;
    }
    let mark = if review.starred { "★" } else { "✎" }; // not text: symbols
    let colour = if review.starred {
        egui::Color32::from_rgb(240, 190, 40)
    } else {
        ui.visuals().weak_text_color()
    };
    let hover = if review.note.is_empty() {
        tr!(shared.lang, "jobs-starred")
    } else {
        review.note.clone()
    };
    ui.colored_label(colour, mark).on_hover_text(hover);
}

/// A finished job's picture plays its video in the window when clicked.
fn play_on_click(
    ui: &mut Ui,
    panel: &mut JobsPanel,
    shared: Shared<'_>,
    job: &Job,
    rect: egui::Rect,
) {
    let (JobState::Done, Some(path)) = (job.state, &job.output_path) else {
        return;
    };
    if matches!(
        panel.posters.get(&job.id),
        Some(PosterView::Missing(_) | PosterView::Failed(_))
    ) {
        // Nothing to play in the window: the picture's hover says why.
        return;
    }
    let response = ui
        .interact(
            rect,
            // not text: an egui id
            Id::unique(("job-picture", &job.id)),
            egui::Sense::click(),
        )
        .on_hover_cursor(egui::CursorIcon::PointingHand)
        .on_hover_text(tr!(shared.lang, "jobs-play-in-window-hint"));
    response.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::Button,
            true,
            tr!(shared.lang, "jobs-play-in-window"),
        )
    });
    if response.clicked() {
        panel.commands.push(AppCommand::OpenPlayer(path.clone()));
    }
}

/// "Take 2/3" (and whether it is a retry of that take).
fn take_label(shared: Shared<'_>, job: &Job, set: &TakeSet) -> String {
    match job.retry_of {
        Some(_) => tr!(
            shared.lang,
            "jobs-take-retry",
            index = set.index,
            of = set.of
        ),
        None => tr!(shared.lang, "jobs-take", index = set.index, of = set.of),
    }
}

/// The header of a set of takes: fold button, how many takes, their states in
/// one line, what they cost; the prompt and the setup they share.
fn set_row_ui(ui: &mut Ui, panel: &mut JobsPanel, shared: Shared<'_>, set: &str, takes: &[Job]) {
    let Some(first) = takes.first() else {
        return;
    };
    let lang = shared.lang;
    // The set's picture: the first finished take's video, else its references.
    let pictured = takes
        .iter()
        .find(|j| j.state == JobState::Done)
        .unwrap_or(first)
        .clone();
    let folded = panel.collapsed.contains(set);
    let of = first.take_set.as_ref().map_or(takes.len() as u32, |t| t.of);
    let mut toggled = false;
    ui.allocate_ui(egui::vec2(ui.available_width(), ROW_HEIGHT), |ui| {
        ui.horizontal(|ui| {
            row_picture(ui, panel, shared, &pictured);
            ui.vertical(|ui| {
                ui.horizontal(|ui| {
                    egui::Sides::new().shrink_left().truncate().show(
                        ui,
                        |ui| {
                            let toggle = if folded {
                                tr!(lang, "jobs-set-expand", takes = of)
                            } else {
                                tr!(lang, "jobs-set-collapse")
                            };
                            if ui.small_button(toggle).clicked() {
                                toggled = true;
                            }
                            ui.colored_label(set_color(ui, takes), "●");
                            ui.label(RichText::new(set_summary(shared, of, takes)).strong());
                        },
                        |ui| {
                            ui.label(RichText::new(set_cost(shared, takes)).weak());
                            set_actions_ui(ui, panel, shared, takes);
                            set_compare_ui(ui, panel, shared, takes);
                        },
                    );
                });
                let names: Vec<String> = first
                    .spec
                    .references
                    .iter()
                    .map(|r| r.name.clone())
                    .collect();
                let mut title = widgets::highlight(ui, first.title(), &names);
                title.wrap.max_rows = 1;
                title.wrap.break_anywhere = true;
                title.wrap.max_width = ui.available_width();
                ui.add(egui::Label::new(title).truncate());
                ui.label(RichText::new(setup(shared, first)).weak().small());
            });
        });
    });
    ui.separator();
    if toggled {
        panel.toggle_set(set);
    }
}

/// "3 takes · Done: 2 · Generating: 1".
fn set_summary(shared: Shared<'_>, of: u32, takes: &[Job]) -> String {
    let lang = shared.lang;
    let mut parts = vec![tr!(lang, "jobs-set-takes", takes = of)];
    for state in crate::engine::job::ALL_STATES {
        let count = takes.iter().filter(|j| j.state == state).count();
        if count > 0 {
            parts.push(tr!(
                lang,
                "jobs-set-state-count",
                state = state.describe(),
                count = count
            ));
        }
    }
    parts.join(" · ")
}

/// Billed seconds of the finished takes, and the estimate for the whole set
/// (billed takes at their billed length, unfinished ones at the asked length).
fn set_cost(shared: Shared<'_>, takes: &[Job]) -> String {
    let lang = shared.lang;
    let per_second =
        |job: &Job| caps::estimate_price(shared.prices, job.spec.model, job.spec.tier, 1);
    let billed: f64 = takes.iter().filter_map(|j| j.billed_seconds).sum();
    let mut cost = Some(0.0);
    for job in takes {
        let part = match (job.billed_seconds, job.state.is_final()) {
            (Some(seconds), _) => per_second(job).map(|p| p * seconds),
            (None, false) => job.spec.estimated_price(shared.prices),
            (None, true) => Some(0.0),
        };
        cost = cost.zip(part).map(|(a, b)| a + b);
    }
    match (billed > 0.0, cost) {
        (true, Some(c)) => tr!(
            lang,
            "jobs-set-billed-estimate",
            seconds = billed,
            cost = format!("{c:.2}"),
            currency = caps::PRICE_CURRENCY,
        ),
        (true, None) => tr!(lang, "jobs-set-billed", seconds = billed),
        (false, Some(c)) if c > 0.0 => tr!(
            lang,
            "jobs-set-estimate",
            cost = format!("{c:.2}"),
            currency = caps::PRICE_CURRENCY,
        ),
        _ => String::new(),
    }
}

/// Red when a take needs attention, the accent while any is under way, green
/// when all are done.
fn set_color(ui: &Ui, takes: &[Job]) -> egui::Color32 {
    let trouble = takes.iter().any(|j| {
        matches!(
            j.state,
            JobState::Failed | JobState::Expired | JobState::SubmitUnknown
        )
    });
    if trouble {
        ui.visuals().error_fg_color
    } else if takes.iter().any(|j| !j.state.is_final()) {
        ui.visuals().selection.bg_fill
    } else if takes.iter().any(|j| j.state == JobState::Done) {
        egui::Color32::from_rgb(80, 180, 100)
    } else {
        ui.visuals().weak_text_color()
    }
}

/// What the set's takes share: model, size, length, sound, and the seed.
fn setup(shared: Shared<'_>, job: &Job) -> String {
    let lang = shared.lang;
    let mut parts = vec![
        job.spec.model.info().display_name.to_string(),
        job.spec.size().map(|s| s.to_string()).unwrap_or_default(),
        tr!(lang, "jobs-duration", seconds = job.spec.duration),
    ];
    if job.spec.audio {
        parts.push(tr!(lang, "jobs-sound"));
    }
    match (&job.take_set, job.spec.seed) {
        (Some(set), _) if set.drawn_seed => parts.push(tr!(lang, "jobs-set-seeds-drawn")),
        (_, crate::core::Seed::Fixed(seed)) => {
            parts.push(tr!(lang, "jobs-set-seed-shared", seed = seed));
        }
        _ => {}
    }
    parts.join(" · ")
}

/// "Compare takes": the set's finished videos side by side, in take order.
fn set_compare_ui(ui: &mut Ui, panel: &mut JobsPanel, shared: Shared<'_>, takes: &[Job]) {
    let mut finished: Vec<Job> = takes
        .iter()
        .filter(|j| playable(panel, j))
        .cloned()
        .collect();
    finished.sort_by_key(|j| j.take_set.as_ref().map_or(0, |t| t.index));
    let lang = shared.lang;
    let open = ui
        .add_enabled(
            finished.len() >= 2,
            egui::Button::new(tr!(lang, "jobs-set-compare")).small(),
        )
        .on_hover_text(tr!(lang, "jobs-set-compare-hint"))
        .on_disabled_hover_text(tr!(lang, "jobs-set-compare-too-few"));
    if open.clicked() {
        panel.commands.push(AppCommand::OpenSheet(finished));
    }
}

/// The set's own menu: its shared settings back into the editor (with the seed
/// random again if the app drew the takes' seeds).
fn set_actions_ui(ui: &mut Ui, panel: &mut JobsPanel, shared: Shared<'_>, takes: &[Job]) {
    let Some(first) = takes.first() else {
        return;
    };
    ui.menu_button(tr!(shared.lang, "jobs-set-more"), |ui| {
        if ui.button(tr!(shared.lang, "jobs-set-restore")).clicked() {
            let mut spec = first.spec.clone();
            if first.take_set.as_ref().is_some_and(|t| t.drawn_seed) {
                spec.seed = crate::core::Seed::Random;
            }
            panel.commands.push(AppCommand::Restore(Box::new(spec)));
            ui.close();
        }
    });
}

/// The state in words, with the stage's progress.
fn status(
    ui: &Ui,
    shared: Shared<'_>,
    job: &Job,
    progress: &JobProgress,
    now: i64,
) -> (egui::Color32, String) {
    let lang = shared.lang;
    let words = job.state.describe().get(lang).to_string();
    let clock = |ms: i64| {
        let s = (ms / 1000).max(0);
        format!("{}:{:02}", s / 60, s % 60)
    };
    let accent = ui.visuals().selection.bg_fill;
    let error = ui.visuals().error_fg_color;
    match job.state {
        JobState::Queued => {
            let text = match progress.queue_position {
                Some(p) => tr!(lang, "jobs-queued", state = words, position = p),
                None => words,
            };
            (accent, text)
        }
        JobState::Uploading => {
            let parts: Vec<String> = progress
                .uploads
                .iter()
                .map(|(i, (sent, total))| {
                    format!(
                        "#{} {}%",
                        i + 1,
                        (sent * 100).checked_div(*total).unwrap_or(100)
                    )
                })
                .collect();
            (accent, format!("{words} {}", parts.join(" · ")))
        }
        JobState::Pending | JobState::Running => {
            let started = job.task_created_ms.unwrap_or(job.created_ms);
            let elapsed = now - started;
            let text = match job.expected_secs {
                Some(expected) => {
                    let left = (expected * 1000.0) as i64 - elapsed;
                    if left > 0 {
                        tr!(
                            lang,
                            "jobs-running-left",
                            state = words,
                            elapsed = clock(elapsed),
                            left = clock(left),
                        )
                    } else {
                        tr!(
                            lang,
                            "jobs-running-late",
                            state = words,
                            elapsed = clock(elapsed),
                        )
                    }
                }
                None => format!("{words} · {}", clock(elapsed)),
            };
            (accent, text)
        }
        JobState::Downloading => {
            let text = match progress.download {
                Some((received, Some(total), speed)) if total > 0 => tr!(
                    lang,
                    "jobs-downloading",
                    state = words,
                    percent = received * 100 / total,
                    speed = file_size(speed as u64),
                ),
                Some((received, _, _)) => format!("{words} {}", file_size(received)),
                None => words,
            };
            (accent, text)
        }
        JobState::Done => {
            let billed = job.billed_seconds.unwrap_or(job.spec.duration as f64);
            let cost = caps::estimate_price(shared.prices, job.spec.model, job.spec.tier, 1)
                .map(|p| p * billed);
            let text = match cost {
                Some(c) => tr!(
                    lang,
                    "jobs-done-estimate",
                    state = words,
                    seconds = billed,
                    cost = format!("{c:.2}"),
                    currency = caps::PRICE_CURRENCY,
                ),
                None => tr!(lang, "jobs-done", state = words, seconds = billed),
            };
            (egui::Color32::from_rgb(80, 180, 100), text)
        }
        JobState::Failed | JobState::Expired => {
            // What happened here; what to do is on the details line.
            let text = match &job.error {
                Some(e) => tr!(
                    lang,
                    "jobs-failed-detail",
                    state = words.as_str(),
                    code = e.code.as_str(),
                    message = e.message.get(lang)
                ),
                None => words,
            };
            (error, text)
        }
        JobState::SubmitUnknown => {
            let text = job
                .warning
                .as_ref()
                .map(|w| w.get(shared.lang).to_string())
                .unwrap_or(words);
            (error, text)
        }
        JobState::Canceled => (ui.visuals().weak_text_color(), words),
        _ => {
            let text = match &job.warning {
                Some(w) => format!("{words} · {}", w.get(shared.lang)),
                None => words,
            };
            (accent, text)
        }
    }
}

/// Model, size, length, sound, and how long the task id and link stay valid.
fn details(shared: Shared<'_>, job: &Job, now: i64) -> String {
    let lang = shared.lang;
    let size = job.spec.size().map(|s| s.to_string()).unwrap_or_default();
    let mut parts = Vec::new();
    if let Some(e) = &job.error
        && job.state.is_final()
    {
        parts.push(e.advice.get(shared.lang).to_string());
    }
    parts.extend([
        job.spec.model.info().display_name.to_string(),
        size,
        tr!(lang, "jobs-duration", seconds = job.spec.duration),
    ]);
    if job.spec.audio {
        parts.push(tr!(lang, "jobs-sound"));
    }
    let hours = |until: i64| {
        let left = (until - now).max(0) / 60_000;
        tr!(
            lang,
            "jobs-hours-minutes",
            hours = left / 60,
            minutes = format!("{:02}", left % 60),
        )
    };
    if !job.state.is_final() {
        if let Some(created) = job.task_created_ms {
            let until = created + (caps::TASK_LIFETIME_SECS * 1000) as i64;
            parts.push(tr!(lang, "jobs-task-id-valid", time = hours(until)));
        }
        if let Some(until) = job.video_url_expires_ms {
            parts.push(tr!(lang, "jobs-link-valid", time = hours(until)));
        }
    }
    if let Some(e) = &job.error
        && let Some(id) = &e.request_id
    {
        parts.push(tr!(lang, "jobs-request-id", id = id));
    }
    if job.state == JobState::Done
        && let Some(path) = &job.output_path
    {
        parts.push(path.display().to_string());
    }
    parts.join(" · ")
}

fn actions_ui(ui: &mut Ui, panel: &mut JobsPanel, shared: Shared<'_>, job: &Job) {
    let lang = shared.lang;
    ui.menu_button(tr!(lang, "jobs-more"), |ui| {
        if ui.button(tr!(lang, "jobs-restore")).clicked() {
            panel
                .commands
                .push(AppCommand::Restore(Box::new(job.spec.clone())));
            ui.close();
        }
        if let Some(task) = &job.task_id
            && ui.button(tr!(lang, "jobs-copy-task-id")).clicked()
        {
            panel.commands.push(AppCommand::CopyText(task.clone()));
            ui.close();
        }
        let request_id = job
            .error
            .as_ref()
            .and_then(|e| e.request_id.clone())
            .or_else(|| job.calls.last().map(|c| c.request_id.clone()));
        if let Some(id) = request_id
            && ui.button(tr!(lang, "jobs-copy-request-id")).clicked()
        {
            panel.commands.push(AppCommand::CopyText(id));
            ui.close();
        }
        let body = job.request.clone().or_else(|| {
            CreateTaskRequest::from_spec(&job.spec, &export::placeholder_urls(&job.spec))
        });
        if let Some(body) = body {
            if ui.button(tr!(lang, "jobs-copy-json")).clicked() {
                panel
                    .commands
                    .push(AppCommand::CopyText(export::request_json(&body)));
                ui.close();
            }
            if ui.button(tr!(lang, "jobs-copy-curl")).clicked() {
                panel
                    .commands
                    .push(AppCommand::CopyText(export::curl_command(
                        shared.base_url,
                        &body,
                    )));
                ui.close();
            }
        }
        if job.state.is_final() || job.state == JobState::SubmitUnknown {
            ui.separator();
            if ui.button(tr!(lang, "jobs-remove")).clicked() {
                panel.commands.push(AppCommand::Engine(Command::Remove {
                    id: job.id.clone(),
                    delete_video: false,
                }));
                ui.close();
            }
            if job.output_path.is_some() && ui.button(tr!(lang, "jobs-remove-delete")).clicked() {
                panel.confirm_delete = Some(job.id.clone());
                ui.close();
            }
        }
    });
    match job.state {
        JobState::Done => {
            if let Some(path) = &job.output_path {
                if ui.button(tr!(lang, "jobs-show-in-folder")).clicked() {
                    panel.commands.push(AppCommand::Reveal(path.clone()));
                }
                let play = ui.button(tr!(lang, "jobs-play"));
                if play.clicked() {
                    panel.commands.push(AppCommand::Open(path.clone()));
                }
                play.context_menu(|ui| {
                    if ui.button(tr!(lang, "jobs-play-in-window")).clicked() {
                        panel.commands.push(AppCommand::OpenPlayer(path.clone()));
                        ui.close();
                    }
                    if ui.button(tr!(lang, "player-open-system")).clicked() {
                        panel.commands.push(AppCommand::Open(path.clone()));
                        ui.close();
                    }
                });
            }
        }
        JobState::Queued
        | JobState::Uploading
        | JobState::Submitting
        | JobState::Pending
        | JobState::Running
            if ui.button(tr!(lang, "jobs-cancel")).clicked() =>
        {
            panel
                .commands
                .push(AppCommand::Engine(Command::Cancel(job.id.clone())));
        }
        JobState::SubmitUnknown => {
            if ui.button(tr!(lang, "jobs-submit-anew")).clicked() {
                panel.confirm_resubmit = Some(job.id.clone());
            }
            if ui.button(tr!(lang, "jobs-look-again")).clicked() {
                panel
                    .commands
                    .push(AppCommand::Engine(Command::LookAgain(job.id.clone())));
            }
        }
        _ => {}
    }
    if job.state.is_final() && ui.button(tr!(lang, "jobs-retry")).clicked() {
        panel.confirm_retry = Some(job.id.clone());
    }
    if let Some(error) = &job.error
        && let Some(id) = &error.request_id
        && ui
            .small_button(tr!(lang, "jobs-request-id-button"))
            .on_hover_text(tr!(lang, "jobs-request-id-hint"))
            .clicked()
    {
        panel.commands.push(AppCommand::CopyText(id.clone()));
    }
}

/// Dialogs for choices that cost money or delete files.
fn confirmations(ctx: &egui::Context, panel: &mut JobsPanel, shared: Shared<'_>) {
    let lang = shared.lang;
    let prices = shared.prices;
    let JobsPanel {
        jobs,
        confirm_retry,
        confirm_resubmit,
        confirm_delete,
        retry_sent,
        retry_refused,
        commands,
        ..
    } = panel;
    let price_of = |id: &JobId| {
        jobs.iter()
            .find(|j| &j.id == id)
            .and_then(|j| j.spec.estimated_price(prices))
    };
    // A retry the last spend report says goes over a cap: the one question
    // says so, and going ahead sends it past the cap (the engine asks again
    // only if its newer numbers say more is spent).
    let over_cap = confirm_retry.as_ref().and_then(|id| {
        let report = shared.spend?;
        spend::check(report.budget, report.totals, price_of(id)?).err()
    });
    let retry_texts = |id: &JobId| {
        let mut body = match price_of(id) {
            Some(p) => tr!(
                lang,
                "jobs-retry-body-estimate",
                price = spend::money(p),
                currency = caps::PRICE_CURRENCY,
            ),
            None => tr!(lang, "jobs-retry-body"),
        };
        let yes = match over_cap {
            Some(over) => {
                let (limit, spent) = (spend::money(over.limit), spend::money(over.spent));
                let currency = caps::PRICE_CURRENCY;
                let warning = match over.cap {
                    Cap::Daily => tr!(
                        lang,
                        "jobs-retry-over-daily",
                        limit = limit,
                        spent = spent,
                        currency = currency
                    ),
                    Cap::Monthly => tr!(
                        lang,
                        "jobs-retry-over-monthly",
                        limit = limit,
                        spent = spent,
                        currency = currency
                    ),
                };
                body = format!("{body}\n\n{warning}");
                tr!(lang, "jobs-retry-yes-over")
            }
            None => tr!(lang, "jobs-retry-yes"),
        };
        [
            tr!(lang, "jobs-retry-title"),
            body,
            yes,
            tr!(lang, "jobs-retry-no"),
        ]
    };
    ask(
        ctx,
        confirm_retry,
        commands,
        "confirm-retry", // not text: egui id of the dialog
        retry_texts,
        |from| {
            let new_id = JobId::new();
            *retry_sent = Some((from.clone(), new_id.clone()));
            Command::Retry {
                from,
                new_id,
                over_budget: over_cap.is_some(),
            }
        },
    );
    if let Some((from, refusal)) = retry_refused.clone() {
        let texts = [
            tr!(lang, "editor-refused-budget-title"),
            refusal.message().get(lang).to_string(),
            tr!(lang, "editor-refused-send-anyway"),
            tr!(lang, "editor-refused-cancel"),
        ];
        // not text: egui id of the dialog
        if let Some(yes) = confirm(ctx, "retry-over-budget", texts) {
            *retry_refused = None;
            if yes {
                let new_id = JobId::new();
                *retry_sent = Some((from.clone(), new_id.clone()));
                commands.push(AppCommand::Engine(Command::Retry {
                    from,
                    new_id,
                    over_budget: true,
                }));
            }
        }
    }
    ask(
        ctx,
        confirm_resubmit,
        commands,
        "confirm-resubmit", // not text: egui id of the dialog
        |_| {
            [
                tr!(lang, "jobs-resubmit-title"),
                tr!(lang, "jobs-resubmit-body"),
                tr!(lang, "jobs-resubmit-yes"),
                tr!(lang, "jobs-resubmit-no"),
            ]
        },
        Command::SubmitAnew,
    );
    ask(
        ctx,
        confirm_delete,
        commands,
        "confirm-delete", // not text: egui id of the dialog
        |_| {
            [
                tr!(lang, "jobs-delete-title"),
                tr!(lang, "jobs-delete-body"),
                tr!(lang, "jobs-delete-yes"),
                tr!(lang, "jobs-delete-no"),
            ]
        },
        |id| Command::Remove {
            id,
            delete_video: true,
        },
    );
}

/// While `waiting` holds a job, asks about it; an answer clears it, and "yes"
/// sends the job's command to the engine.
fn ask(
    ctx: &egui::Context,
    waiting: &mut Option<JobId>,
    outbox: &mut Vec<AppCommand>,
    dialog: &str,
    texts: impl FnOnce(&JobId) -> [String; 4],
    command: impl FnOnce(JobId) -> Command,
) {
    let Some(id) = waiting.clone() else {
        return;
    };
    if let Some(yes) = confirm(ctx, dialog, texts(&id)) {
        *waiting = None;
        if yes {
            outbox.push(AppCommand::Engine(command(id)));
        }
    }
}

/// A modal question: title, explanation, the button that goes ahead, the one that
/// does not. `Some(true)` when the user went ahead, `Some(false)` when not.
fn confirm(ctx: &egui::Context, id: &str, texts: [String; 4]) -> Option<bool> {
    let [title, body, yes, no] = texts;
    let mut answer = None;
    egui::Modal::new(Id::unique(id)).show(ctx, |ui| {
        ui.set_max_width(440.0);
        ui.heading(title);
        ui.label(body);
        ui.horizontal(|ui| {
            if ui.button(yes).clicked() {
                answer = Some(true);
            }
            if ui.button(no).clicked() {
                answer = Some(false);
            }
        });
    });
    answer
}
