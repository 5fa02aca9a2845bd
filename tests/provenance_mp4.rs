//! Settings inside the MP4 (src/provenance/mp4.rs) on the committed clips
//! (assets/test-clips, made by make-test-clips.sh): after writing, every video
//! and audio sample is byte-identical, the pictures decode exactly as FFmpeg's
//! decode of the original, the sound decodes to the same samples, the tags read
//! back, writing again replaces them, and every other tag is kept.

use md5::{Digest, Md5};
use r2v_studio::provenance::mp4::{FREEFORM_NAME, text_tags};
use r2v_studio::provenance::{ProvenanceError, Tags, read_tags, write_tags};
use r2v_studio::video::demux::demux;
use std::path::{Path, PathBuf};

fn clip_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/test-clips")
        .join(format!("{name}.mp4"))
}

/// A copy of a clip in a temporary folder (the folder goes with the guard).
fn copy_of(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.mp4"));
    std::fs::copy(clip_path(name), &path).unwrap();
    (dir, path)
}

fn tags(n: u32) -> Tags {
    Tags {
        comment: format!("@hero walks through the rain (take {n}) | pixverse | seed {n}"),
        json: format!(r#"{{"format":1,"n":{n},"prompt":"@英雄 在雨中行走"}}"#),
    }
}

/// The bytes of every video sample and every audio sample, in decode order.
fn samples(path: &Path) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let bytes = std::fs::read(path).unwrap();
    let demuxed = demux(&mut std::io::Cursor::new(&bytes), bytes.len() as u64).unwrap();
    let take = |s: &r2v_studio::video::demux::Sample| {
        let start = s.offset as usize;
        bytes[start..start + s.size as usize].to_vec()
    };
    let video = demuxed.samples.iter().map(take).collect();
    let audio = match demuxed.audio {
        Some(track) => track.unwrap().samples.iter().map(take).collect(),
        None => Vec::new(),
    };
    (video, audio)
}

/// Every decoded sound sample (interleaved), as the app's decoder gives them.
fn pcm(path: &Path) -> Vec<f32> {
    let Some(mut stream) = r2v_studio::audio::AacStream::open(path).unwrap() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    while stream.read(&mut out).unwrap() > 0 {}
    out
}

/// The MD5 of every decoded picture (I420, presentation order), as in `<clip>.md5`.
#[cfg(feature = "video-decoder")]
fn frame_md5s(path: &Path) -> Vec<String> {
    let mut clip = r2v_studio::video::Clip::open(path).unwrap();
    (0..clip.info().frame_count)
        .map(|i| {
            let picture = clip.picture(i).unwrap();
            let mut hash = Md5::new();
            hash.update(&picture.y);
            hash.update(&picture.u);
            hash.update(&picture.v);
            format!("{:x}", hash.finalize())
        })
        .collect()
}

#[cfg(feature = "video-decoder")]
fn ffmpeg_md5s(name: &str) -> Vec<String> {
    std::fs::read_to_string(clip_path(name).with_extension("md5"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// Writes tags twice into `path` and checks everything the issue asks for;
/// `reference` names the clip whose FFmpeg frame checksums apply.
fn check_tagging_keeps_every_sample(path: &Path, reference: Option<&str>, audio: bool) {
    let (video_before, audio_before) = samples(path);
    let pcm_before = pcm(path);
    let tags_before = text_tags(path).unwrap();
    assert!(!video_before.is_empty());
    assert_eq!(!audio_before.is_empty(), audio, "{}", path.display());
    assert_eq!(
        read_tags(path).unwrap(),
        None,
        "a clip starts without our tags"
    );

    for n in [1, 2] {
        write_tags(path, &tags(n)).unwrap();
        assert_eq!(read_tags(path).unwrap(), Some(tags(n)));
        let (video_after, audio_after) = samples(path);
        assert!(video_after == video_before, "a video sample changed");
        assert!(audio_after == audio_before, "an audio sample changed");
        let pcm_after = pcm(path);
        assert_eq!(pcm_after.len(), pcm_before.len());
        assert!(
            pcm_after
                .iter()
                .zip(&pcm_before)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "the decoded sound changed"
        );
    }
    #[cfg(feature = "video-decoder")]
    if let Some(name) = reference {
        assert_eq!(frame_md5s(path), ffmpeg_md5s(name), "decoded pictures");
    }
    #[cfg(not(feature = "video-decoder"))]
    let _ = reference;

    let bytes = std::fs::read(path).unwrap();
    assert_eq!(
        occurrences(&bytes, FREEFORM_NAME.as_bytes()),
        1,
        "writing twice replaces the settings instead of adding a second copy"
    );
    assert_eq!(
        occurrences(&bytes, b"(take 1)"),
        0,
        "the first comment is gone"
    );
    // Every tag of another program is still there, with its value.
    let after = text_tags(path).unwrap();
    for (name, value) in &tags_before {
        if name == "\u{a9}cmt" || name == "comment" {
            continue; // the one comment slot now holds ours
        }
        assert!(
            after.contains(&(name.clone(), value.clone())),
            "{name} = {value} was lost: {after:?}"
        );
    }
}

#[test]
fn tagging_a_clip_with_its_index_first_and_no_sound_changes_no_sample() {
    let (_dir, path) = copy_of("tall-9x16-moov-first");
    let before = std::fs::read(&path).unwrap();
    check_tagging_keeps_every_sample(&path, Some("tall-9x16-moov-first"), false);
    let after = std::fs::read(&path).unwrap();
    assert_ne!(
        after.len(),
        before.len(),
        "the index grew, so the media data moved and its offsets were shifted"
    );
}

#[test]
fn tagging_a_clip_with_its_index_last_and_sound_changes_no_sample() {
    let (_dir, path) = copy_of("wide-16x9-aac-moov-last");
    let before = std::fs::read(&path).unwrap();
    check_tagging_keeps_every_sample(&path, Some("wide-16x9-aac-moov-last"), true);
    let after = std::fs::read(&path).unwrap();
    let moov = before.windows(4).position(|w| w == b"moov").unwrap() - 4;
    assert_eq!(
        after[..moov],
        before[..moov],
        "everything before the index is untouched"
    );
}

#[test]
fn tagging_a_stereo_clip_changes_no_sample() {
    let (_dir, path) = copy_of("stereo-48k-aac");
    check_tagging_keeps_every_sample(&path, None, true);
}

#[test]
fn tagging_a_21_by_9_clip_with_sound_changes_no_sample() {
    let (_dir, path) = copy_of("cinema-21x9-aac");
    check_tagging_keeps_every_sample(&path, Some("cinema-21x9-aac"), true);
}

#[test]
fn tagging_a_clip_with_ffmpegs_keyed_metadata_extends_that_layout() {
    let (_dir, path) = copy_of("keyed-metadata");
    let before = text_tags(&path).unwrap();
    assert!(before.contains(&("title".into(), "Keyed layout".into())));
    check_tagging_keeps_every_sample(&path, Some("keyed-metadata"), true);
    let after = text_tags(&path).unwrap();
    let names: Vec<&str> = after.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "title",
            "com.example.note",
            "encoder",
            "comment",
            FREEFORM_NAME
        ],
        "the keys of the layout stay, ours are added to it (no second layout)"
    );
    assert_eq!(after[3].1, tags(2).comment);
    assert_eq!(after[4].1, tags(2).json);
}

#[test]
fn tagging_keeps_the_tags_of_other_programs_in_apples_layout() {
    let (_dir, path) = copy_of("stereo-48k-aac");
    write_tags(&path, &tags(1)).unwrap();
    let after = text_tags(&path).unwrap();
    assert_eq!(after[0], ("\u{a9}too".into(), "Lavf59.27.100".into()));
    assert_eq!(after[1], ("\u{a9}cmt".into(), tags(1).comment));
    assert_eq!(
        after[2],
        (
            format!("----:com.apple.iTunes:{FREEFORM_NAME}"),
            tags(1).json
        )
    );
}

/// A box at `at` (its size field) in `bytes`.
fn find_box(bytes: &[u8], kind: &[u8; 4]) -> usize {
    bytes.windows(4).position(|w| w == kind).unwrap() - 4
}

fn be32(bytes: &[u8], at: usize) -> usize {
    u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize
}

#[test]
fn a_clip_whose_media_data_has_a_64_bit_size_is_tagged_without_changing_a_sample() {
    // FFmpeg leaves an 8-byte `free` before `mdat`: turning the two headers into
    // one 16-byte `mdat` header leaves every sample where it was.
    let (_dir, path) = copy_of("tall-9x16-moov-first");
    let mut bytes = std::fs::read(&path).unwrap();
    let free = find_box(&bytes, b"free");
    let mdat = find_box(&bytes, b"mdat");
    assert_eq!((be32(&bytes, free), mdat), (8, free + 8));
    let mdat_size = be32(&bytes, mdat) as u64;
    let mut header = vec![0, 0, 0, 1];
    header.extend_from_slice(b"mdat");
    header.extend_from_slice(&(mdat_size + 8).to_be_bytes());
    bytes.splice(free..mdat + 8, header);
    std::fs::write(&path, &bytes).unwrap();
    check_tagging_keeps_every_sample(&path, Some("tall-9x16-moov-first"), false);
}

#[test]
fn a_clip_whose_index_has_a_64_bit_size_is_tagged_without_changing_a_sample() {
    let (_dir, path) = copy_of("wide-16x9-aac-moov-last");
    let mut bytes = std::fs::read(&path).unwrap();
    let moov = find_box(&bytes, b"moov");
    let size = be32(&bytes, moov) as u64;
    let mut header = vec![0, 0, 0, 1];
    header.extend_from_slice(b"moov");
    header.extend_from_slice(&(size + 8).to_be_bytes());
    bytes.splice(moov..moov + 8, header);
    std::fs::write(&path, &bytes).unwrap();
    check_tagging_keeps_every_sample(&path, Some("wide-16x9-aac-moov-last"), true);
}

#[test]
fn free_boxes_around_the_index_are_kept_and_the_samples_do_not_change() {
    // A large `free` after the index (moov first): it moves with the media data.
    let (_dir, path) = copy_of("stereo-48k-aac");
    let mut bytes = std::fs::read(&path).unwrap();
    let free = find_box(&bytes, b"free");
    let mut padding = 1032u32.to_be_bytes().to_vec();
    padding.extend_from_slice(b"free");
    padding.extend_from_slice(&[0xEE; 1024]);
    bytes.splice(free..free + 8, padding);
    // ...which moved the media data by 1024 bytes: the offsets follow by hand.
    let stco_positions: Vec<usize> = bytes[..free]
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"stco")
        .map(|(i, _)| i + 4)
        .collect();
    for body in stco_positions {
        let count = be32(&bytes, body + 4);
        for i in 0..count {
            let at = body + 8 + 4 * i;
            let moved = be32(&bytes, at) as u32 + 1024;
            bytes[at..at + 4].copy_from_slice(&moved.to_be_bytes());
        }
    }
    std::fs::write(&path, &bytes).unwrap();
    check_tagging_keeps_every_sample(&path, None, true);
    let after = std::fs::read(&path).unwrap();
    assert_eq!(occurrences(&after, &[0xEE; 1024]), 1, "the padding is kept");
}

#[test]
fn a_clip_without_any_metadata_gets_a_new_metadata_box() {
    // Remove `udta` from a clip whose index is last (nothing after it moves).
    let (_dir, path) = copy_of("wide-16x9-aac-moov-last");
    let mut bytes = std::fs::read(&path).unwrap();
    let moov = find_box(&bytes, b"moov");
    let udta = find_box(&bytes, b"udta");
    let udta_len = be32(&bytes, udta);
    bytes.drain(udta..udta + udta_len);
    let moov_len = (be32(&bytes, moov) - udta_len) as u32;
    bytes[moov..moov + 4].copy_from_slice(&moov_len.to_be_bytes());
    std::fs::write(&path, &bytes).unwrap();
    assert!(text_tags(&path).unwrap().is_empty());
    check_tagging_keeps_every_sample(&path, Some("wide-16x9-aac-moov-last"), true);
}

#[test]
fn files_that_are_not_whole_mp4s_are_refused_clearly_and_left_as_they_were() {
    for (name, expected) in [
        ("not-mp4", "NotMp4"),
        ("zero-bytes", "Empty"),
        ("truncated", "Corrupt"),
    ] {
        let (_dir, path) = copy_of(name);
        let before = std::fs::read(&path).unwrap();
        let read = read_tags(&path).unwrap_err();
        let write = write_tags(&path, &tags(1)).unwrap_err();
        for error in [&read, &write] {
            assert!(
                format!("{error:?}").starts_with(expected),
                "{name}: {error:?}"
            );
            assert!(!error.describe().en.is_empty());
        }
        assert_eq!(std::fs::read(&path).unwrap(), before, "{name} was changed");
        let left: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(left.len(), 1, "{name}: no temporary file is left");
    }
    let missing = read_tags(Path::new("/nonexistent/video.mp4")).unwrap_err();
    assert!(matches!(missing, ProvenanceError::Read { .. }));
}
