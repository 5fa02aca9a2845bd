//! Provenance through the engine against the simulator on 127.0.0.1: the
//! settings written into each downloaded video, the reference archive, and the
//! restore of a video's setup.

use r2v_studio::core::{GenerationSpec, RefSource, Reference, Seed};
use r2v_studio::engine::store::Store;
use r2v_studio::engine::{Command, EngineConfig, Job, JobState};
use r2v_studio::provenance::archive::{Archive, Report, sha256_hex};
use r2v_studio::provenance::{self, Found, ProvenanceError, Record, read_tags};
use r2v_studio::sim::{DEMO_VIDEO, SimConfig};
use std::path::{Path, PathBuf};
use std::time::Duration;

const KEY: &str = "sk-provenance-test-7c4b1a90";

mod common;

use common::paused::Paused as Harness;

/// The simulator (2 s tasks, as `tweak` changes it) and an engine that
/// archives linked references ([`archiving`]).
fn harness(tweak: impl FnOnce(&mut SimConfig)) -> Harness {
    let mut config = SimConfig::default().with_task_duration(Duration::from_secs(2));
    config.api_key = KEY.into();
    tweak(&mut config);
    Harness::start(config, archiving)
}

/// The links here are served on 127.0.0.1 by the test's own server, so the
/// archive is asked to fetch them (it does not for a local service).
fn archiving(c: &mut EngineConfig) {
    assert!(!c.archive_links, "off against a local service by default");
    c.archive_links = true;
}

/// Runs `spec` to its end; fails unless it ends Done.
fn run_job(h: &mut Harness, spec: GenerationSpec) -> Job {
    let id = h.generate(spec);
    h.wait_state(&id, JobState::Done, 60)
}

/// The next answer about the archive.
fn archive_report(h: &mut Harness) -> Report {
    h.run_until(30, "an answer about the archive", |h| {
        !h.archive_reports.is_empty()
    });
    h.archive_reports.remove(0).unwrap()
}

/// A web server on 127.0.0.1 for linked references: `/<name>` answers the
/// bytes given for it; anything else is 404. Returns its address.
fn serve(h: &Harness, files: Vec<(&'static str, Vec<u8>)>) -> String {
    let mut app = axum::Router::new();
    for (name, bytes) in files {
        app = app.route(
            &format!("/{name}"),
            axum::routing::get(move || async move { bytes }),
        );
    }
    h.rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{address}")
    })
}

/// A 96×80 picture in the test's folder, its blue channel `shade`.
fn picture(h: &Harness, name: &str, shade: u8) -> PathBuf {
    let path = h.dir.path().join(name);
    let img = image::RgbImage::from_fn(96, 80, |x, y| image::Rgb([x as u8, y as u8, shade]));
    img.save(&path).unwrap();
    path
}

fn spec(refs: Vec<(&str, RefSource)>, prompt: &str) -> GenerationSpec {
    GenerationSpec {
        references: refs
            .into_iter()
            .map(|(name, source)| Reference {
                name: name.into(),
                source,
            })
            .collect(),
        prompt: prompt.into(),
        duration: 5,
        seed: Seed::Fixed(4242),
        ..GenerationSpec::default()
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn a_downloaded_video_holds_its_settings_and_never_the_key_or_a_signed_link() {
    let mut h = harness(|_| {});
    let hero = picture(&h, "hero.png", 10);
    let site = serve(&h, vec![("refs/cafe.jpg", png_bytes(11))]);
    let signed = format!("{site}/refs/cafe.jpg?Expires=1700000000&Signature=c2lnbmVk");
    let job = run_job(
        &mut h,
        spec(
            vec![
                ("英雄", RefSource::Local(hero.clone())),
                ("cafe", RefSource::Url(signed.clone())),
            ],
            "@英雄 在@cafe 里读书",
        ),
    );
    let video = job.output_path.clone().unwrap();
    let record = Record::from_tags(&read_tags(&video).unwrap().unwrap()).unwrap();
    assert_eq!(record.job_id, job.id.0);
    assert_eq!(record.model, job.spec.model);
    assert_eq!(record.prompt, "@英雄 在@cafe 里读书");
    assert_eq!(record.seed, Some(4242));
    assert_eq!((record.duration, record.audio), (5, job.spec.audio));
    assert_eq!(record.task_id, job.task_id);
    assert!(!record.request_ids.is_empty());
    assert_eq!(record.request_ids.len(), job.calls.len());
    assert_eq!(record.billed_seconds, job.billed_seconds);
    assert!(record.billed_seconds.is_some());
    assert_eq!(record.app_version, env!("CARGO_PKG_VERSION"));
    let names: Vec<_> = record
        .references
        .iter()
        .map(|r| (r.name.as_str(), r.file_name.as_str()))
        .collect();
    assert_eq!(names, [("英雄", "hero.png"), ("cafe", "cafe.jpg")]);
    assert_eq!(
        record.references[1].url,
        Some(format!("{site}/refs/cafe.jpg"))
    );

    let bytes = std::fs::read(&video).unwrap();
    let mut secrets = vec![
        KEY.to_string(),
        "Signature".into(),
        "Expires".into(),
        job.video_url.clone().unwrap(),
        h.dir.path().display().to_string(),
    ];
    // The uploaded reference's temporary link (oss://…) is signed access too.
    for media in &job.request.as_ref().unwrap().input.media {
        if media.url.starts_with("oss://") {
            secrets.push(media.url.clone());
        }
    }
    assert!(secrets.len() >= 6);
    for secret in &secrets {
        assert!(!contains(&bytes, secret), "{secret} is in the video");
    }
    assert_eq!(
        provenance::mp4::outside_index(&bytes).unwrap(),
        provenance::mp4::outside_index(DEMO_VIDEO).unwrap(),
        "nothing but the index changed"
    );
    assert!(h.notices.is_empty(), "{:?}", h.notices);
}

#[test]
fn a_video_that_cannot_take_settings_is_kept_as_downloaded_and_the_job_is_done() {
    // An MP4 without an index: a download that is complete, but nothing to tag.
    let mut served = 24u32.to_be_bytes().to_vec();
    served.extend_from_slice(b"ftypisom\0\0\0\0isomavc1");
    served.extend_from_slice(&16u32.to_be_bytes());
    served.extend_from_slice(b"mdat01234567");
    let copy = served.clone();
    let mut h = harness(move |c| c.video = copy.into());
    let hero = picture(&h, "hero.png", 20);
    let job = run_job(
        &mut h,
        spec(vec![("hero", RefSource::Local(hero))], "@hero waves"),
    );
    let video = job.output_path.unwrap();
    assert_eq!(std::fs::read(&video).unwrap(), served);
    h.drain();
    assert_eq!(h.notices.len(), 1, "{:?}", h.notices);
    assert!(
        h.notices[0].contains("settings could not be written"),
        "{}",
        h.notices[0]
    );
    assert!(h.notices[0].contains(&video.display().to_string()));
    let names: Vec<_> = std::fs::read_dir(video.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        2,
        "the video and its sidecar, no temporary file: {names:?}"
    );
}

#[test]
fn a_video_tagged_just_before_the_app_stopped_is_not_downloaded_again() {
    let mut h = harness(|_| {});
    h.stop_engine();
    // The journal says Downloading (the app stopped before writing Done); the
    // video is under its final name, already with this job's settings.
    let mut job = Job::new(
        spec(
            vec![("cafe", RefSource::Url("https://example.com/c.jpg".into()))],
            "@cafe",
        ),
        h.dir.path().join("out"),
        1,
    );
    job.set_state(JobState::Pending, 2);
    job.set_state(JobState::Running, 3);
    job.set_state(JobState::Succeeded, 4);
    job.set_state(JobState::Downloading, 5);
    job.task_id = Some("task-gone".into());
    let video = h.dir.path().join("out").join("done.mp4");
    std::fs::create_dir_all(video.parent().unwrap()).unwrap();
    std::fs::write(&video, DEMO_VIDEO).unwrap();
    provenance::tag_video(&video, &job).unwrap();
    job.output_path = Some(video.clone());
    job.video_bytes = Some(DEMO_VIDEO.len() as u64);
    Store::open(&h.data().join("jobs.sqlite"))
        .unwrap()
        .save(&job, 6)
        .unwrap();
    h.start_engine(archiving);
    let done = h.wait_state(&job.id, JobState::Done, 60);
    assert_eq!(done.output_path, Some(video.clone()));
    assert_eq!(h.sim.counts().downloads, 0, "nothing was downloaded again");
    assert!(provenance::is_tagged_for(&video, &job.id.0));
}

fn png_bytes(shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(80, 80, |x, y| image::Rgb([x as u8, y as u8, shade]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[test]
fn every_reference_a_job_uses_is_archived_once_with_its_hash_in_the_job_and_the_video() {
    let mut h = harness(|_| {});
    let hero = picture(&h, "hero.png", 30);
    let linked = png_bytes(31);
    let site = serve(&h, vec![("cafe.png", linked.clone())]);
    let link = format!("{site}/cafe.png?token=secret");
    let refs = || {
        vec![
            ("hero", RefSource::Local(hero.clone())),
            ("cafe", RefSource::Url(link.clone())),
        ]
    };
    let first = run_job(&mut h, spec(refs(), "@hero at @cafe"));
    let hero_hash = sha256_hex(&std::fs::read(&hero).unwrap());
    let cafe_hash = sha256_hex(&linked);
    assert_eq!(
        first.reference_hashes,
        [Some(hero_hash.clone()), Some(cafe_hash.clone())]
    );
    let archive = Archive::in_data_dir(&h.data());
    assert_eq!(
        std::fs::read(archive.get(&hero_hash).unwrap()).unwrap(),
        std::fs::read(&hero).unwrap()
    );
    assert_eq!(
        std::fs::read(archive.get(&cafe_hash).unwrap()).unwrap(),
        linked
    );
    assert_eq!(archive.origins(&hero_hash), std::slice::from_ref(&hero));
    assert!(
        archive.origins(&cafe_hash).is_empty(),
        "a link has no local origin"
    );
    let record = Record::from_tags(
        &read_tags(first.output_path.as_ref().unwrap())
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let hashes: Vec<_> = record.references.iter().map(|r| r.sha256.clone()).collect();
    assert_eq!(hashes, [Some(hero_hash.clone()), Some(cafe_hash.clone())]);

    // A second job with the same pictures stores nothing new.
    let before = archive.usage().unwrap();
    let second = run_job(&mut h, spec(refs(), "@hero leaves @cafe"));
    assert_eq!(second.reference_hashes, first.reference_hashes);
    assert_eq!(archive.usage().unwrap(), before);
    assert_eq!(before.files, 2);
    assert!(h.notices.is_empty(), "{:?}", h.notices);
}

#[test]
fn a_link_that_cannot_be_fetched_is_told_and_the_job_goes_on() {
    let mut h = harness(|_| {});
    let site = serve(&h, vec![]);
    let job = run_job(
        &mut h,
        spec(
            vec![(
                "cafe",
                RefSource::Url(format!("{site}/gone.png?Signature=abc")),
            )],
            "@cafe at night",
        ),
    );
    assert_eq!(job.reference_hashes, [None]);
    h.drain();
    assert_eq!(h.notices.len(), 1, "{:?}", h.notices);
    assert!(
        h.notices[0].contains("Reference 1 could not be kept"),
        "{}",
        h.notices[0]
    );
    assert!(h.notices[0].contains("HTTP 404"), "{}", h.notices[0]);
    assert!(
        !h.notices[0].contains("Signature"),
        "no signature in messages"
    );
}

#[test]
fn the_clean_up_removes_only_references_no_job_in_the_journal_uses() {
    let mut h = harness(|_| {});
    let kept_image = picture(&h, "kept.png", 40);
    let dropped_image = picture(&h, "dropped.png", 41);
    let kept = run_job(
        &mut h,
        spec(
            vec![("a", RefSource::Local(kept_image.clone()))],
            "@a stays",
        ),
    );
    let dropped = run_job(
        &mut h,
        spec(
            vec![("b", RefSource::Local(dropped_image.clone()))],
            "@b goes",
        ),
    );
    h.send(Command::MeasureArchive);
    let before = archive_report(&mut h);
    assert_eq!((before.usage.files, before.removed), (2, None));

    // With both jobs in the journal, nothing is removed.
    h.send(Command::PruneArchive);
    let report = archive_report(&mut h);
    assert_eq!(report.removed.map(|r| r.files), Some(0));
    assert_eq!(report.usage, before.usage);

    h.send(Command::Remove {
        id: dropped.id.clone(),
        delete_video: false,
    });
    h.send(Command::PruneArchive);
    let report = archive_report(&mut h);
    assert_eq!(report.removed.map(|r| r.files), Some(1));
    assert_eq!(report.usage.files, 1);
    assert!(report.usage.bytes < before.usage.bytes);
    let archive = Archive::in_data_dir(&h.data());
    let kept_hash = kept.reference_hashes[0].clone().unwrap();
    let dropped_hash = dropped.reference_hashes[0].clone().unwrap();
    assert!(archive.get(&kept_hash).is_some());
    assert!(archive.get(&dropped_hash).is_none());
}

/// A job with a local picture and a linked one, run to its end.
fn job_with_two_references(h: &mut Harness, seed: Seed) -> (Job, PathBuf, Vec<u8>) {
    let hero = picture(h, "hero.png", 50);
    let linked = png_bytes(51);
    let site = serve(h, vec![("cafe.png", linked.clone())]);
    let mut s = spec(
        vec![
            ("英雄", RefSource::Local(hero.clone())),
            ("cafe", RefSource::Url(format!("{site}/cafe.png?token=t"))),
        ],
        "@英雄 在@cafe 喝咖啡",
    );
    s.seed = seed;
    s.audio = true;
    s.watermark = true;
    s.ratio = r2v_studio::core::AspectRatio::R9x16;
    s.duration = 8;
    let job = run_job(h, s);
    (job, hero, linked)
}

/// What restore gives must equal the job's spec but for the references' sources.
fn assert_same_parameters(restored: &GenerationSpec, job: &Job) {
    let mut expected = job.spec.clone();
    for (e, r) in expected.references.iter_mut().zip(&restored.references) {
        e.source = r.source.clone();
    }
    assert_eq!(restored, &expected);
}

#[test]
fn a_video_restores_every_parameter_and_its_unchanged_original_files() {
    let mut h = harness(|_| {});
    let (job, hero, linked) = job_with_two_references(&mut h, Seed::Fixed(777));
    let archive = Archive::in_data_dir(&h.data());
    let restored = provenance::restore(job.output_path.as_ref().unwrap(), &archive).unwrap();
    assert_same_parameters(&restored.spec, &job);
    assert_eq!(restored.spec.seed, Seed::Fixed(777));
    assert_eq!(restored.references[0].found, Found::Original(hero.clone()));
    assert_eq!(restored.references[0].file_name, "hero.png");
    // A link comes back as the picture it gave (the link may change or expire).
    let Found::Archived(copy) = &restored.references[1].found else {
        panic!("{:?}", restored.references[1]);
    };
    assert_eq!(std::fs::read(copy).unwrap(), linked);
    assert!(copy.starts_with(archive.root()));
    assert!(!restored.has_missing());
    assert_eq!(restored.record.task_id, job.task_id);
}

#[test]
fn after_the_original_changed_or_moved_the_archived_copy_is_restored() {
    let mut h = harness(|_| {});
    let (job, hero, _) = job_with_two_references(&mut h, Seed::Random);
    let original = std::fs::read(&hero).unwrap();
    let archive = Archive::in_data_dir(&h.data());
    let video = job.output_path.clone().unwrap();

    std::fs::write(&hero, b"edited since").unwrap();
    let restored = provenance::restore(&video, &archive).unwrap();
    let Found::Archived(copy) = &restored.references[0].found else {
        panic!("{:?}", restored.references[0]);
    };
    assert_eq!(std::fs::read(copy).unwrap(), original);
    assert_eq!(
        restored.spec.references[0].source,
        RefSource::Local(copy.clone())
    );
    assert_eq!(
        restored.spec.seed,
        Seed::Random,
        "a random seed stays random"
    );

    std::fs::remove_file(&hero).unwrap();
    let restored = provenance::restore(&video, &archive).unwrap();
    assert!(matches!(restored.references[0].found, Found::Archived(_)));
    assert_same_parameters(&restored.spec, &job);
}

#[test]
fn a_video_restored_without_its_archive_names_what_is_missing() {
    let mut h = harness(|_| {});
    let (job, _, _) = job_with_two_references(&mut h, Seed::Fixed(5));
    let elsewhere = tempfile::tempdir().unwrap();
    let empty = Archive::in_data_dir(elsewhere.path());
    let restored = provenance::restore(job.output_path.as_ref().unwrap(), &empty).unwrap();
    // The original is still in place, but nothing on this "computer" says where.
    assert_eq!(restored.references[0].found, Found::Missing);
    assert_eq!(restored.references[0].file_name, "hero.png");
    assert_eq!(
        restored.spec.references[0].source,
        RefSource::Local(PathBuf::new())
    );
    let Found::Link(link) = &restored.references[1].found else {
        panic!("{:?}", restored.references[1]);
    };
    assert!(link.ends_with("/cafe.png"), "{link}: without its query");
    assert!(restored.has_missing());
    assert_same_parameters(&restored.spec, &job);
}

#[test]
fn a_video_without_our_settings_says_so_and_other_files_say_what_they_are() {
    let archive = Archive::in_data_dir(Path::new("/nonexistent"));
    let clips = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/test-clips");
    let error = provenance::restore(&clips.join("keyed-metadata.mp4"), &archive).unwrap_err();
    assert!(matches!(error, ProvenanceError::NoSettings), "{error:?}");
    assert!(
        error
            .describe()
            .en
            .contains("not made by R2V Studio or has lost its settings")
    );
    assert!(!error.describe().zh.is_empty());
    let error = provenance::restore(&clips.join("not-mp4.mp4"), &archive).unwrap_err();
    assert!(matches!(error, ProvenanceError::NotMp4), "{error:?}");

    // Another program's JSON under our name is not taken for ours.
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("v.mp4");
    std::fs::copy(clips.join("stereo-48k-aac.mp4"), &video).unwrap();
    provenance::write_tags(
        &video,
        &provenance::Tags {
            comment: String::new(),
            json: r#"{"format":1,"app":"Another App"}"#.into(),
        },
    )
    .unwrap();
    let error = provenance::restore(&video, &archive).unwrap_err();
    assert!(matches!(error, ProvenanceError::NoSettings), "{error:?}");
}
