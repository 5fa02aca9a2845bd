//! Dropping a video onto the window restores its settings into the editor: the
//! real shell (its worker reads the video), references found in the data
//! folder's archive, the ones nowhere to be found offered to be chosen again.

use egui_kittest::kittest::Queryable;
use r2v_studio::core::{GenerationSpec, Lang, RefSource, Reference, Seed};
use r2v_studio::engine::Job;
use r2v_studio::provenance::{self, archive::Archive};
use r2v_studio::ui::app::AppState;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;

#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn clip(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/test-clips")
        .join(format!("{name}.mp4"))
}

fn drop_file(shell: &mut common::Shell, path: &Path) {
    shell.harness.input_mut().dropped_files =
        vec![Arc::new(Dropped(path.to_path_buf())) as egui::DroppedFileHandle];
}

/// Runs frames until `done` holds (the worker answers in its own time).
fn run_until(shell: &mut common::Shell, done: impl Fn(&AppState) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(&shell.harness.state().state) {
        assert!(
            Instant::now() < deadline,
            "toasts: {:?}",
            shell.harness.state().state.toasts
        );
        shell.harness.run_steps(1);
        std::thread::sleep(Duration::from_millis(10));
    }
    shell.harness.run_steps(2);
}

#[test]
fn dropping_a_video_restores_its_settings_and_asks_for_the_picture_not_found() {
    let mut shell = common::shell(AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into()));
    let dir = shell.dir.path().to_path_buf();
    let hero = dir.join("hero.png");
    image::RgbImage::from_pixel(96, 96, image::Rgb([200, 10, 10]))
        .save(&hero)
        .unwrap();
    // The data folder's archive knows the hero (and where it came from); the
    // second picture is neither archived nor where it was.
    let hero_hash = Archive::in_data_dir(&dir.join("data"))
        .put(&std::fs::read(&hero).unwrap(), Some(&hero))
        .unwrap();
    let spec = GenerationSpec {
        references: vec![
            Reference {
                name: "hero".into(),
                source: RefSource::Local(hero.clone()),
            },
            Reference {
                name: "雨伞".into(),
                source: RefSource::Local("/elsewhere/umbrella.png".into()),
            },
        ],
        prompt: "@hero 撑着@雨伞 走过街角".into(),
        seed: Seed::Fixed(31337),
        duration: 8,
        audio: true,
        ..GenerationSpec::default()
    };
    let mut job = Job::new(spec.clone(), dir.join("out"), 1);
    job.reference_hashes = vec![Some(hero_hash), Some("ab".repeat(32))];
    let video = dir.join("made-by-the-app.mp4");
    std::fs::copy(clip("stereo-48k-aac"), &video).unwrap();
    provenance::tag_video(&video, &job).unwrap();

    shell.harness.run();
    drop_file(&mut shell, &video);
    run_until(&mut shell, |s| s.editor.prompt == spec.prompt);

    let state = &shell.harness.state().state;
    let restored = state.editor.spec();
    assert_eq!(restored.seed, Seed::Fixed(31337));
    assert_eq!((restored.duration, restored.audio), (8, true));
    assert_eq!(
        restored.references[0].source,
        RefSource::Local(hero.clone())
    );
    assert_eq!(restored.references[1].name, "雨伞");
    assert_eq!(
        restored.references[1].source,
        RefSource::Local(PathBuf::new())
    );
    assert_eq!(
        state.project.missing,
        [(1, PathBuf::from("umbrella.png"))],
        "the missing picture is offered to be chosen again"
    );
    let h = &shell.harness;
    assert!(
        h.query_by_label_contains("1 picture was not found")
            .is_some()
    );
    assert!(
        h.query_by_label("umbrella.png").is_some(),
        "named in the dialog"
    );
    assert!(h.query_by_label("Look in a folder…").is_some());
}

#[test]
fn dropping_a_video_without_our_settings_says_so_and_keeps_the_editor() {
    let mut shell = common::shell(AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into()));
    shell.harness.state_mut().state.editor.prompt = "kept".into();
    shell.harness.run();
    drop_file(&mut shell, &clip("wide-16x9-aac-moov-last"));
    run_until(&mut shell, |s| !s.toasts.is_empty());
    let state = &shell.harness.state().state;
    assert_eq!(state.editor.prompt, "kept");
    assert!(
        state.editor.slots.is_empty(),
        "a video is not taken as a picture"
    );
    assert!(
        shell
            .harness
            .query_by_label_contains("not made by R2V Studio or has lost its settings")
            .is_some()
    );
}
