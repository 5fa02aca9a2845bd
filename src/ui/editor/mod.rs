//! The editor: references, prompt and parameters. Its state is plain data, changed
//! by the methods below; anything to be done outside goes into
//! [`EditorState::commands`] for the shell (engine commands, file dialogs).
//! Drawing is in the three files beside this one.

mod params;
mod prompt;
mod references;
mod spend;

use super::command::AppCommand;
use super::shared::Shared;
use super::widgets::{Textures, Thumb};
use crate::core::capabilities::{MAX_IMAGES, PriceEntry};
use crate::core::refname::{self, check_name};
use crate::core::{Field, GenerationSpec, Localized, Model, Problem, RefSource};
use crate::engine::images::Thumbnail;
use crate::engine::{Allow, Command, JobId, MAX_TAKES, Refusal};
use crate::loc;
use egui::Ui;
use std::path::PathBuf;
use std::sync::Arc;

pub use prompt::editor_id;

/// Longest side of slot thumbnails, in pixels.
pub const THUMB_SIDE: u32 = 256;

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

#[derive(Default)]
pub struct EditorState {
    pub slots: Vec<Slot>,
    pub prompt: String,
    /// Model and parameters (its references and prompt are unused here).
    pub params: GenerationSpec,
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
    /// Open the request preview (the window draws it).
    pub show_request: bool,
    /// How many takes Generate sends (1 to [`MAX_TAKES`]); back to 1 when a job's
    /// settings are restored, so that nothing but this control multiplies a job.
    pub takes: usize,
    /// What the editor asks of the shell, taken each frame.
    pub commands: Vec<AppCommand>,
    /// The last Generate sent, until the engine journals or refuses it.
    pub sent: Option<Sent>,
    /// A Generate a spending rule stopped, while the user decides.
    pub refused: Option<Refused>,
    textures: Textures,
    /// Load keys of slot thumbnails (the jobs panel draws from another range).
    next_key: u64,
}

/// A Generate as it was sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub ids: Vec<JobId>,
    pub spec: GenerationSpec,
    pub allow: Allow,
}

/// A Generate a spending rule stopped: nothing of it was journaled or sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub sent: Sent,
    pub refusal: Refusal,
}

impl EditorState {
    pub fn new() -> EditorState {
        EditorState {
            next_key: 1,
            takes: 1,
            ..EditorState::default()
        }
    }

    /// Parameters on the right, references and prompt in the middle.
    pub fn ui(&mut self, ui: &mut Ui, shared: Shared<'_>) {
        egui::Panel::right("parameters")
            .resizable(false)
            .exact_size(310.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("params-scroll")
                    .show(ui, |ui| {
                        params::params_ui(ui, self, shared);
                        params::generate_ui(ui, self, shared);
                    });
            });
        egui::CentralPanel::default().show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("main-scroll")
                .show(ui, |ui| {
                    references::references_ui(ui, self, shared);
                    ui.add_space(6.0);
                    ui.separator();
                    prompt::prompt_ui(ui, self, shared);
                });
        });
        spend::refused_ui(ui.ctx(), self, shared);
    }

    /// Sends `takes` new jobs of `spec` (new ids), remembered until the engine
    /// journals or refuses them.
    fn send(&mut self, spec: GenerationSpec, takes: usize, allow: Allow) {
        let (ids, command) = Command::generate_takes(spec.clone(), None, takes, allow);
        self.sent = Some(Sent { ids, spec, allow });
        self.commands.push(AppCommand::Engine(command));
    }

    /// The engine refused a Generate: if it is the one sent from here, the
    /// user is asked what to do.
    pub fn refused_by_engine(&mut self, ids: &[JobId], refusal: Refusal) {
        if let Some(sent) = self.sent.take_if(|sent| sent.ids == ids) {
            self.refused = Some(Refused { sent, refusal });
        }
    }

    /// The engine journaled a job: the send it belongs to went through (its
    /// takes are journaled together), which a toast says.
    pub fn journaled(&mut self, id: &JobId) {
        if let Some(sent) = self.sent.take_if(|sent| sent.ids.contains(id)) {
            let text = match sent.ids.len() {
                1 => loc!("editor-state-sent"),
                takes => loc!("editor-state-sent-takes", takes = takes),
            };
            self.commands.push(AppCommand::Toast { text, error: false });
        }
    }

    /// Sends the refused Generate again, this once past the rule that stopped
    /// it (and any passed before).
    pub fn send_anyway(&mut self) {
        let Some(Refused { sent, refusal }) = self.refused.take() else {
            return;
        };
        let mut allow = sent.allow;
        match refusal {
            Refusal::Duplicate { .. } => allow.again = true,
            Refusal::OverBudget { .. } => allow.over_budget = true,
        }
        self.send(sent.spec, sent.ids.len(), allow);
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

    /// Pictures named on the command line: files, or image URLs.
    pub fn add_arguments(&mut self, arguments: Vec<PathBuf>) {
        let sources = arguments
            .into_iter()
            .map(|arg| match arg.to_str() {
                Some(text) if is_web_address(text) => RefSource::Url(text.to_string()),
                _ => RefSource::Local(arg),
            })
            .collect();
        self.add_sources(sources);
    }

    fn add_one(&mut self, source: RefSource) {
        let taken: Vec<String> = self.slots.iter().map(|s| s.name.clone()).collect();
        let name = refname::propose(&source.display(), &taken);
        let key = self.next_key;
        self.next_key += 1;
        self.commands.push(AppCommand::Engine(Command::LoadImage {
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
        self.commands.push(AppCommand::Engine(Command::StoreImage {
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

    pub fn estimated_price(&self, prices: &[PriceEntry]) -> Option<f64> {
        self.params.estimated_price(prices)
    }

    /// The takes Generate will send, within 1 to [`MAX_TAKES`].
    pub fn take_count(&self) -> usize {
        self.takes.clamp(1, MAX_TAKES)
    }

    /// The estimate for every take Generate will send.
    pub fn total_price(&self, prices: &[PriceEntry]) -> Option<f64> {
        self.estimated_price(prices)
            .map(|one| one * self.take_count() as f64)
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
            self.send(spec, self.take_count(), Allow::default());
        }
    }

    /// Puts a spec back into the editor: references, names, prompt, parameters
    /// and seed.
    pub fn restore(&mut self, spec: &GenerationSpec) {
        self.slots.clear();
        self.slot_messages.clear();
        self.problems.clear();
        self.notes.clear();
        for reference in &spec.references {
            let key = self.next_key;
            self.next_key += 1;
            self.commands.push(AppCommand::Engine(Command::LoadImage {
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
        self.takes = 1;
        self.params = GenerationSpec {
            references: Vec::new(),
            prompt: String::new(),
            ..spec.clone()
        };
    }

    /// A moved reference gets its new file (the name stays).
    pub fn relink(&mut self, index: usize, path: PathBuf) {
        if let Some(slot) = self.slots.get_mut(index) {
            slot.source = RefSource::Local(path.clone());
            slot.thumb = Thumb::Loading;
            self.commands.push(AppCommand::Engine(Command::LoadImage {
                key: slot.key,
                source: RefSource::Local(path),
                max_side: THUMB_SIDE,
            }));
        }
    }

    /// Starts over with an empty editor.
    pub fn clear(&mut self) {
        self.slots.clear();
        self.prompt.clear();
        self.params = GenerationSpec::default();
        self.takes = 1;
        self.problems.clear();
        self.notes.clear();
    }

    /// A thumbnail the engine made; `false` when no slot asked for it.
    pub fn thumbnail_arrived(
        &mut self,
        key: u64,
        result: &Result<Arc<Thumbnail>, Localized>,
    ) -> bool {
        let Some(slot) = self.slots.iter_mut().find(|s| s.key == key) else {
            return false;
        };
        slot.thumb = match result {
            Ok(thumb) => Thumb::Ready(thumb.clone()),
            Err(reason) => Thumb::Failed(reason.clone()),
        };
        true
    }

    /// Where the engine saved a pasted image: the slot reads it from there.
    pub fn image_stored(&mut self, key: u64, result: Result<PathBuf, Localized>) {
        let Some(slot) = self.slots.iter_mut().find(|s| s.key == key) else {
            return;
        };
        match result {
            Ok(path) => {
                slot.source = RefSource::Local(path.clone());
                self.commands.push(AppCommand::Engine(Command::LoadImage {
                    key,
                    source: RefSource::Local(path),
                    max_side: THUMB_SIDE,
                }));
            }
            Err(reason) => slot.thumb = Thumb::Failed(reason),
        }
    }
}

fn is_web_address(text: &str) -> bool {
    ["https://", "http://"] // not text: URL schemes
        .iter()
        .any(|scheme| text.starts_with(scheme))
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

    fn state() -> EditorState {
        EditorState::new()
    }

    #[test]
    fn pictures_named_on_the_command_line_may_be_files_or_urls() {
        let mut s = state();
        s.add_arguments(vec![
            PathBuf::from("/tmp/猫.png"),
            PathBuf::from("https://example.com/cafe.jpg"),
        ]);
        assert_eq!(s.slots[0].source, RefSource::Local("/tmp/猫.png".into()));
        assert_eq!(
            s.slots[1].source,
            RefSource::Url("https://example.com/cafe.jpg".into())
        );
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
            .commands
            .iter()
            .filter(|r| matches!(r, AppCommand::Engine(Command::LoadImage { .. })))
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
        assert!(s.commands.is_empty());
        s.add_sources(vec![RefSource::Url("https://e.com/a.png".into())]);
        s.prompt = "@a 走".into();
        s.commands.clear();
        s.generate();
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        let generates: Vec<&GenerationSpec> = s
            .commands
            .iter()
            .filter_map(|c| match c {
                AppCommand::Engine(Command::Generate { spec, .. }) => Some(spec),
                _ => None,
            })
            .collect();
        assert_eq!(generates.len(), 1);
        assert_eq!(generates[0].prompt, "@a 走");
    }

    fn generated_ids(s: &EditorState) -> Vec<Vec<JobId>> {
        s.commands
            .iter()
            .filter_map(|c| match c {
                AppCommand::Engine(Command::Generate { ids, .. }) => Some(ids.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn three_takes_are_one_command_with_three_distinct_ids() {
        let mut s = state();
        s.add_sources(vec![RefSource::Url("https://e.com/a.png".into())]);
        s.prompt = "@a 走".into();
        s.takes = 3;
        s.commands.clear();
        s.generate();
        let sent = generated_ids(&s);
        assert_eq!(sent.len(), 1, "one command for the set");
        let ids: std::collections::HashSet<&JobId> = sent[0].iter().collect();
        assert_eq!(ids.len(), 3);
        assert_eq!(
            s.total_price(&crate::core::capabilities::default_prices()),
            s.estimated_price(&crate::core::capabilities::default_prices())
                .map(|p| p * 3.0)
        );
    }

    #[test]
    fn restoring_a_jobs_settings_never_multiplies_the_next_generate() {
        let mut s = state();
        s.takes = 4;
        s.restore(&GenerationSpec {
            references: vec![crate::core::Reference {
                name: "a".into(),
                source: RefSource::Url("https://e.com/a.png".into()),
            }],
            prompt: "@a 走".into(),
            ..GenerationSpec::default()
        });
        s.commands.clear();
        s.generate();
        assert_eq!(generated_ids(&s).concat().len(), 1);
        s.takes = 9;
        assert_eq!(
            s.take_count(),
            MAX_TAKES,
            "never more than the control allows"
        );
    }
}
