//! The window's plain data and the changes the widgets make to it. No drawing, no
//! I/O: widgets call these methods, and anything to be done outside goes into
//! [`AppState::outbox`] for the shell (engine commands, file dialogs, clipboard).

use crate::core::capabilities::{self as caps, MAX_IMAGES, PriceEntry};
use crate::core::refname::{self, check_name};
use crate::core::{Field, GenerationSpec, Lang, Localized, Model, Problem, RefSource};
use crate::engine::images::Thumbnail;
use crate::engine::{Command, Event, Job, JobId};
use crate::{loc, tr};
use std::path::PathBuf;
use std::sync::Arc;

/// Longest side of slot thumbnails, in pixels.
pub const THUMB_SIDE: u32 = 256;

/// What the UI asks the outside world to do.
#[derive(Debug, Clone)]
pub enum Request {
    Engine(Command),
    /// Open the native file dialog (on another thread) to add images.
    PickFiles,
    CopyText(String),
    /// Open a file with the system's default program.
    Open(PathBuf),
    /// Show a file in the file manager.
    Reveal(PathBuf),
    /// A desktop notification (silently skipped where there is no service).
    Notify {
        title: String,
        body: String,
    },
    /// Choose the output folder with the native dialog.
    PickOutputFolder,
    /// Save settings and restart the engine with them.
    SaveSettings(crate::settings::Settings),
    /// Keep a new API key (keychain, or the 0600 file if allowed).
    StoreKey {
        key: crate::api::ApiKey,
        allow_file: bool,
    },
    ForgetKey,
    /// A free authenticated call; `None` fields mean "the ones in use".
    TestKey {
        base_url: Option<String>,
        key: Option<crate::api::ApiKey>,
    },
    /// Open a project (`None`: ask with the file dialog).
    OpenProject(Option<PathBuf>),
    /// Save the editor as a project (`None`: ask where).
    SaveProject(Option<PathBuf>),
    /// Choose a new file for a reference whose file moved.
    RelinkFile(usize),
    /// Look for every moved file in a folder.
    RelinkFolder,
    /// Close the window (after the unsaved-changes question was answered).
    CloseWindow,
    /// Save text (the request as JSON or curl) to a file the user chooses.
    ExportText {
        suggested_name: String,
        text: String,
    },
}

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

/// The jobs panel's own state.
#[derive(Debug, Clone, Default)]
pub struct JobsView {
    pub search: String,
    pub state: StateFilter,
    pub model: Option<Model>,
    /// A retry waiting for the user's confirmation.
    pub confirm_retry: Option<JobId>,
    /// "Submit anew" (may be billed twice) waiting for confirmation.
    pub confirm_resubmit: Option<JobId>,
    /// Removing a job together with its video, waiting for confirmation.
    pub confirm_delete: Option<JobId>,
}

/// A slot's picture.
#[derive(Debug, Clone)]
pub enum Thumb {
    Loading,
    Ready(Arc<Thumbnail>),
    Failed(Localized),
}

/// One reference image in the editor.
#[derive(Debug, Clone)]
pub struct Slot {
    /// Stable identity (thumbnails come back by key; textures are cached by it).
    pub key: u64,
    /// The name as typed (may be invalid while the user types).
    pub name: String,
    /// The last valid name, the one the prompt's mentions use.
    pub committed: String,
    pub source: RefSource,
    pub thumb: Thumb,
}

impl Slot {
    /// Why the typed name cannot be used, if it cannot.
    pub fn name_problem(&self, others: &[&str]) -> Option<Localized> {
        if let Err(p) = check_name(&self.name) {
            return Some(p.describe());
        }
        others
            .contains(&self.name.as_str())
            .then(|| loc!("editor-state-name-taken"))
    }
}

/// The `@` popup's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Popup {
    /// Char index of the `@` being completed, while the popup is open.
    pub anchor: Option<usize>,
    pub selected: usize,
    /// The popup was closed with Escape for this `@`: stay closed until another.
    pub dismissed: Option<usize>,
}

/// A short message that fades after a while.
#[derive(Debug, Clone)]
pub struct Toast {
    pub text: Localized,
    pub error: bool,
    pub born: f64,
}

pub struct AppState {
    pub lang: Lang,
    pub dark: bool,
    pub demo: bool,
    pub slots: Vec<Slot>,
    pub prompt: String,
    /// Model and parameters (its references and prompt are unused here).
    pub params: GenerationSpec,
    pub prices: Vec<PriceEntry>,
    /// What the last model switch adjusted.
    pub notes: Vec<Localized>,
    /// Problems found by the last Generate (empty: none, or not pressed).
    pub problems: Vec<Problem>,
    /// Messages about adding references (e.g. files left out).
    pub slot_messages: Vec<Localized>,
    pub url_text: String,
    pub popup: Popup,
    /// The caret (char index) when the popup last looked at it.
    pub popup_caret: usize,
    /// An input method is composing text: its keys are not the popup's.
    pub ime_composing: bool,
    /// A widget to focus on the next frame (a clicked problem).
    pub focus: Option<Field>,
    pub show_request: bool,
    pub base_url: String,
    pub outbox: Vec<Request>,
    /// Every job, newest first.
    pub jobs: Vec<Job>,
    /// Bumped whenever `jobs` changes: the jobs panel's cache key.
    pub jobs_version: u64,
    /// The jobs panel's filtered rows and totals, kept between frames.
    pub jobs_cache: Option<super::jobs::JobsCache>,
    pub progress: std::collections::HashMap<JobId, JobProgress>,
    pub jobs_view: JobsView,
    pub settings_view: super::settings::SettingsView,
    /// The open project file, if any.
    pub project: Option<PathBuf>,
    /// The spec as last opened or saved: the editor has unsaved changes when the
    /// spec differs from it.
    pub saved_spec: GenerationSpec,
    /// References of the opened project whose files moved: (index, old path).
    pub missing: Vec<(usize, PathBuf)>,
    /// The window was asked to close with unsaved changes.
    pub confirm_close: bool,
    /// Close once the save in progress is done.
    pub close_after_save: bool,
    pub recent_projects: Vec<PathBuf>,
    /// Thumbnails of jobs' first references, and which load key is whose.
    pub job_thumbs: std::collections::HashMap<JobId, (u64, Thumb)>,
    pub toasts: Vec<Toast>,
    /// Slot thumbnails uploaded to the GPU, by slot key.
    pub textures: std::collections::HashMap<u64, egui::TextureHandle>,
    /// Time (seconds) as of the current frame, for toasts.
    pub now: f64,
    next_key: u64,
}

impl AppState {
    pub fn new(lang: Lang, base_url: String) -> AppState {
        AppState {
            lang,
            dark: true,
            demo: false,
            slots: Vec::new(),
            prompt: String::new(),
            params: GenerationSpec::default(),
            prices: caps::default_prices(),
            notes: Vec::new(),
            problems: Vec::new(),
            slot_messages: Vec::new(),
            url_text: String::new(),
            popup: Popup::default(),
            popup_caret: 0,
            ime_composing: false,
            focus: None,
            show_request: false,
            base_url,
            outbox: Vec::new(),
            jobs: Vec::new(),
            jobs_version: 0,
            jobs_cache: None,
            progress: Default::default(),
            jobs_view: JobsView::default(),
            settings_view: Default::default(),
            project: None,
            saved_spec: GenerationSpec::default(),
            missing: Vec::new(),
            confirm_close: false,
            close_after_save: false,
            recent_projects: Vec::new(),
            job_thumbs: Default::default(),
            toasts: Vec::new(),
            textures: Default::default(),
            now: 0.0,
            next_key: 1,
        }
    }

    pub fn t(&self, text: &Localized) -> String {
        text.get(self.lang).to_string()
    }

    /// The spec as it would be sent now.
    pub fn spec(&self) -> GenerationSpec {
        GenerationSpec {
            references: self
                .slots
                .iter()
                .map(|s| crate::core::Reference {
                    name: s.name.clone(),
                    source: s.source.clone(),
                })
                .collect(),
            prompt: self.prompt.clone(),
            ..self.params.clone()
        }
    }

    pub fn names(&self) -> Vec<&str> {
        self.slots.iter().map(|s| s.committed.as_str()).collect()
    }

    /// Adds references; fills the free slots and says what was left out.
    pub fn add_sources(&mut self, sources: Vec<RefSource>) {
        self.slot_messages.clear();
        let free = MAX_IMAGES.saturating_sub(self.slots.len());
        let left_out: Vec<String> = sources.iter().skip(free).map(display_name).collect();
        for source in sources.into_iter().take(free) {
            self.add_one(source);
        }
        if !left_out.is_empty() {
            let files = Localized::list(left_out);
            self.slot_messages.push(loc!(
                "editor-state-left-out",
                max = MAX_IMAGES,
                files = files
            ));
        }
    }

    pub fn add_paths(&mut self, paths: Vec<PathBuf>) {
        self.add_sources(paths.into_iter().map(RefSource::Local).collect());
    }

    fn add_one(&mut self, source: RefSource) {
        let taken: Vec<String> = self.slots.iter().map(|s| s.name.clone()).collect();
        let name = refname::propose(&source.display(), &taken);
        let key = self.next_key;
        self.next_key += 1;
        self.outbox.push(Request::Engine(Command::LoadImage {
            key,
            source: source.clone(),
            max_side: THUMB_SIDE,
        }));
        self.slots.push(Slot {
            key,
            committed: name.clone(),
            name,
            source,
            thumb: Thumb::Loading,
        });
    }

    /// A pasted image becomes a slot at once; the engine saves it as a PNG file.
    pub fn add_pasted_image(&mut self, image: &egui::ColorImage) {
        if self.slots.len() >= MAX_IMAGES {
            self.slot_messages = vec![loc!("editor-state-paste-full", max = MAX_IMAGES)];
            return;
        }
        let rgba: Vec<u8> = image
            .pixels
            .iter()
            .flat_map(|p| p.to_srgba_unmultiplied())
            .collect();
        let key = self.next_key;
        self.next_key += 1;
        let taken: Vec<String> = self.slots.iter().map(|s| s.name.clone()).collect();
        // not text: the default reference name, an identifier the prompt mentions
        let name = refname::unique("pasted", &taken);
        self.outbox.push(Request::Engine(Command::StoreImage {
            key,
            width: image.size[0] as u32,
            height: image.size[1] as u32,
            rgba: Arc::new(rgba),
        }));
        self.slots.push(Slot {
            key,
            committed: name.clone(),
            name,
            source: RefSource::Local(PathBuf::new()),
            thumb: Thumb::Loading,
        });
    }

    /// Adds the typed URL as a reference, if it is one.
    pub fn add_url_text(&mut self) {
        let text = self.url_text.trim().to_string();
        if text.is_empty() {
            return;
        }
        match RefSource::from_text(&text) {
            RefSource::Url(url) => {
                self.add_sources(vec![RefSource::Url(url)]);
                self.url_text.clear();
            }
            RefSource::Local(_) => {
                self.slot_messages = vec![loc!("editor-state-not-url")];
            }
        }
    }

    pub fn remove_slot(&mut self, index: usize) {
        if index < self.slots.len() {
            self.slots.remove(index);
            self.slot_messages.clear();
        }
    }

    pub fn move_slot(&mut self, from: usize, to: usize) {
        if from < self.slots.len() && to < self.slots.len() && from != to {
            let slot = self.slots.remove(from);
            self.slots.insert(to, slot);
        }
    }

    /// The typed names of every slot but `index`.
    pub fn other_names(&self, index: usize) -> Vec<String> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != index)
            .map(|(_, s)| s.name.clone())
            .collect()
    }

    /// Sets a slot's typed name; once it is valid and unique, the prompt's mentions
    /// follow it.
    pub fn set_name(&mut self, index: usize, name: String) {
        let others = self.other_names(index);
        let Some(slot) = self.slots.get_mut(index) else {
            return;
        };
        slot.name = name;
        let usable = check_name(&slot.name).is_ok() && !others.contains(&slot.name);
        if usable && slot.name != slot.committed {
            self.prompt = crate::core::mentions::rename(&self.prompt, &slot.committed, &slot.name);
            slot.committed = slot.name.clone();
        }
    }

    pub fn switch_model(&mut self, model: Model) {
        if model != self.params.model {
            self.notes = self.params.switch_model(model);
        }
    }

    /// Keeps tier, ratio and duration valid after a change.
    pub fn fit_params(&mut self) {
        let notes = self.params.fit_to_model();
        if !notes.is_empty() {
            self.notes = notes;
        }
    }

    pub fn estimated_price(&self) -> Option<f64> {
        self.params.estimated_price(&self.prices)
    }

    /// Validates; sends the job to the engine when nothing is wrong.
    pub fn generate(&mut self) {
        let spec = self.spec();
        let mut problems = spec.validate();
        for (i, slot) in self.slots.iter().enumerate() {
            if let Thumb::Failed(reason) = &slot.thumb {
                problems.push(Problem {
                    code: "ref.image.unusable", // not text: a problem code for programs
                    field: Field::RefSource(i),
                    message: loc!("editor-state-ref-unusable", number = i + 1, reason = reason),
                });
            }
        }
        self.problems = problems;
        if self.problems.is_empty() {
            let id = JobId::new();
            self.outbox.push(Request::Engine(Command::Generate {
                id,
                spec,
                output_dir: None,
            }));
            self.toast(loc!("editor-state-sent"), false);
        }
    }

    /// Puts a job's settings back into the editor: references, names, prompt,
    /// parameters and seed.
    pub fn restore(&mut self, spec: &GenerationSpec) {
        self.slots.clear();
        self.slot_messages.clear();
        self.problems.clear();
        self.notes.clear();
        for reference in &spec.references {
            let key = self.next_key;
            self.next_key += 1;
            self.outbox.push(Request::Engine(Command::LoadImage {
                key,
                source: reference.source.clone(),
                max_side: THUMB_SIDE,
            }));
            self.slots.push(Slot {
                key,
                name: reference.name.clone(),
                committed: reference.name.clone(),
                source: reference.source.clone(),
                thumb: Thumb::Loading,
            });
        }
        self.prompt = spec.prompt.clone();
        self.params = GenerationSpec {
            references: Vec::new(),
            prompt: String::new(),
            ..spec.clone()
        };
        self.toast(loc!("editor-state-restored"), false);
    }

    /// The editor differs from what was last opened or saved.
    pub fn unsaved(&self) -> bool {
        self.spec() != self.saved_spec
    }

    /// Shows a project in the editor.
    pub fn load_project(&mut self, path: PathBuf, spec: &GenerationSpec, missing: Vec<usize>) {
        self.restore(spec);
        self.toasts.pop();
        self.missing = missing
            .into_iter()
            .filter_map(|i| match &spec.references.get(i)?.source {
                RefSource::Local(p) => Some((i, p.clone())),
                RefSource::Url(_) => None,
            })
            .collect();
        self.saved_spec = self.spec();
        self.remember_project(path);
    }

    pub fn remember_project(&mut self, path: PathBuf) {
        self.recent_projects.retain(|p| p != &path);
        self.recent_projects.insert(0, path.clone());
        self.recent_projects.truncate(8);
        self.project = Some(path);
    }

    /// A moved reference gets its new file (the name stays).
    pub fn relink(&mut self, index: usize, path: PathBuf) {
        if let Some(slot) = self.slots.get_mut(index) {
            slot.source = RefSource::Local(path.clone());
            slot.thumb = Thumb::Loading;
            self.outbox.push(Request::Engine(Command::LoadImage {
                key: slot.key,
                source: RefSource::Local(path),
                max_side: THUMB_SIDE,
            }));
        }
        self.missing.retain(|(i, _)| *i != index);
    }

    /// Starts over with an empty editor.
    pub fn new_project(&mut self) {
        self.slots.clear();
        self.prompt.clear();
        self.params = GenerationSpec::default();
        self.problems.clear();
        self.notes.clear();
        self.missing.clear();
        self.project = None;
        self.saved_spec = self.spec();
    }

    /// Asks for the thumbnail of a job's first reference, once.
    pub fn want_job_thumb(&mut self, job: &Job) {
        if self.job_thumbs.contains_key(&job.id) {
            return;
        }
        let Some(first) = job.spec.references.first() else {
            return;
        };
        let key = self.next_key;
        self.next_key += 1;
        self.job_thumbs
            .insert(job.id.clone(), (key, Thumb::Loading));
        self.outbox.push(Request::Engine(Command::LoadImage {
            key,
            source: first.source.clone(),
            max_side: 96,
        }));
    }

    pub fn toast(&mut self, text: Localized, error: bool) {
        self.toasts.push(Toast {
            text,
            error,
            born: self.now,
        });
    }

    /// Takes what the engine reported.
    pub fn apply(&mut self, event: Event) {
        match event {
            Event::Thumbnail { key, result } => {
                let thumb = match result {
                    Ok(thumb) => Thumb::Ready(thumb),
                    Err(reason) => Thumb::Failed(reason),
                };
                if let Some(slot) = self.slots.iter_mut().find(|s| s.key == key) {
                    slot.thumb = thumb;
                } else if let Some(entry) = self.job_thumbs.values_mut().find(|(k, _)| *k == key) {
                    entry.1 = thumb;
                }
            }
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
                for job in jobs {
                    if !self.jobs.iter().any(|j| j.id == job.id) {
                        self.jobs.push(job);
                    }
                }
                self.jobs
                    .sort_by(|a, b| b.created_ms.cmp(&a.created_ms).then(b.id.cmp(&a.id)));
                self.jobs_version += 1;
            }
            Event::Job(job) => {
                let finished = job.state.is_final();
                let was_final = self
                    .jobs
                    .iter()
                    .find(|j| j.id == job.id)
                    .is_some_and(|j| j.state.is_final());
                if finished && !was_final {
                    let (text, error) = match job.state {
                        crate::engine::JobState::Done => (
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
                    self.outbox.push(Request::Notify {
                        title: tr!(
                            self.lang,
                            "editor-state-notify-title",
                            state = job.state.describe()
                        ),
                        body: text.get(self.lang).to_string(),
                    });
                    self.toast(text, error);
                }
                match self.jobs.iter_mut().find(|j| j.id == job.id) {
                    Some(existing) => *existing = *job,
                    None => self.jobs.insert(0, *job),
                }
                self.jobs_version += 1;
            }
            Event::ImageStored { key, result } => {
                if let Some(slot) = self.slots.iter_mut().find(|s| s.key == key) {
                    match result {
                        Ok(path) => {
                            slot.source = RefSource::Local(path.clone());
                            self.outbox.push(Request::Engine(Command::LoadImage {
                                key,
                                source: RefSource::Local(path),
                                max_side: THUMB_SIDE,
                            }));
                        }
                        Err(reason) => slot.thumb = Thumb::Failed(reason),
                    }
                }
            }
            Event::Removed(id) => {
                self.jobs.retain(|j| j.id != id);
                self.jobs_version += 1;
            }
            Event::Rejected { problems, .. } => self.problems = problems,
            Event::Notice { message, .. } => self.toast(message, true),
            _ => {}
        }
    }
}

fn display_name(source: &RefSource) -> String {
    match source {
        RefSource::Local(path) => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string()),
        RefSource::Url(url) => url.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> AppState {
        AppState::new(Lang::En, "http://127.0.0.1:1/api/v1".into())
    }

    #[test]
    fn adding_more_than_seven_fills_the_free_slots_and_says_what_was_left_out() {
        let mut s = state();
        s.add_paths(
            (0..10)
                .map(|i| PathBuf::from(format!("/tmp/p{i}.png")))
                .collect(),
        );
        assert_eq!(s.slots.len(), 7);
        assert!(s.slot_messages[0].en.contains("p7.png, p8.png, p9.png"));
        let loads = s
            .outbox
            .iter()
            .filter(|r| matches!(r, Request::Engine(Command::LoadImage { .. })))
            .count();
        assert_eq!(loads, 7, "thumbnails are asked of the engine");
    }

    #[test]
    fn renaming_follows_through_invalid_intermediate_names() {
        let mut s = state();
        s.add_paths(vec!["/tmp/cat.png".into(), "/tmp/cats.png".into()]);
        s.prompt = "@cat and @cats".into();
        s.set_name(0, String::new());
        assert_eq!(s.prompt, "@cat and @cats", "an empty name renames nothing");
        s.set_name(0, "d".into());
        s.set_name(0, "dog".into());
        assert_eq!(s.prompt, "@dog and @cats");
        s.set_name(0, "cats".into());
        assert_eq!(
            s.prompt, "@dog and @cats",
            "a duplicate name renames nothing"
        );
        assert!(s.slots[0].name_problem(&["cats"]).is_some());
    }

    #[test]
    fn projects_open_track_unsaved_changes_and_relink_moved_files() {
        let mut s = state();
        assert!(!s.unsaved(), "a fresh editor has nothing to save");
        let spec = GenerationSpec {
            references: vec![
                crate::core::Reference {
                    name: "hero".into(),
                    source: RefSource::Local("/old/hero.png".into()),
                },
                crate::core::Reference {
                    name: "cafe".into(),
                    source: RefSource::Url("https://e.com/c.png".into()),
                },
            ],
            prompt: "@hero 在@cafe".into(),
            ..GenerationSpec::default()
        };
        s.load_project("/tmp/p.r2v.json".into(), &spec, vec![0]);
        assert_eq!(s.spec(), spec);
        assert!(!s.unsaved());
        assert_eq!(s.missing, vec![(0, PathBuf::from("/old/hero.png"))]);
        assert_eq!(s.recent_projects, vec![PathBuf::from("/tmp/p.r2v.json")]);
        s.relink(0, "/new/hero.png".into());
        assert!(s.missing.is_empty());
        assert_eq!(s.slots[0].source, RefSource::Local("/new/hero.png".into()));
        assert_eq!(s.slots[0].name, "hero", "the name stays");
        assert!(s.unsaved(), "a relinked file is a change to save");
        s.new_project();
        assert!(s.slots.is_empty() && s.project.is_none() && !s.unsaved());
    }

    #[test]
    fn slots_reorder_by_moving() {
        let mut s = state();
        s.add_paths(vec![
            "/tmp/a.png".into(),
            "/tmp/b.png".into(),
            "/tmp/c.png".into(),
        ]);
        s.move_slot(0, 2);
        let names: Vec<&str> = s.slots.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, vec!["b", "c", "a"]);
        s.move_slot(2, 9);
        assert_eq!(s.slots[2].name, "a", "out of range moves nothing");
    }

    #[test]
    fn generate_lists_problems_or_sends_one_command() {
        let mut s = state();
        s.generate();
        assert!(s.problems.iter().any(|p| p.code == "images.none"));
        assert!(s.outbox.is_empty());
        s.add_sources(vec![RefSource::Url("https://e.com/a.png".into())]);
        s.prompt = "@a 走".into();
        s.outbox.clear();
        s.generate();
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.outbox.len(), 1);
        assert!(
            matches!(&s.outbox[0], Request::Engine(Command::Generate { spec, .. }) if spec.prompt == "@a 走")
        );
    }
}
