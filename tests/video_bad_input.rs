//! Bad files never crash: each gives a `VideoError` whose message says what
//! happened and that the system player remains available.

use r2v_studio::core::text::Lang;
use r2v_studio::video::{Clip, FramePos, VideoError, poster};
use std::path::PathBuf;

fn clip_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/test-clips")
        .join(name)
}

fn open_error(name: &str) -> VideoError {
    match Clip::open(&clip_path(name)) {
        Ok(_) => panic!("{name} opened"),
        Err(error) => error,
    }
}

/// Every message names the system player, in both languages.
fn assert_points_to_the_system_player(error: &VideoError) {
    let text = error.describe();
    assert!(
        text.get(Lang::En).contains("system player"),
        "{}",
        text.get(Lang::En)
    );
    assert!(
        text.get(Lang::Zh).contains("系统播放器"),
        "{}",
        text.get(Lang::Zh)
    );
}

#[test]
fn a_zero_byte_file_is_empty() {
    let error = open_error("zero-bytes.mp4");
    assert_eq!(error, VideoError::Empty);
    assert_points_to_the_system_player(&error);
}

#[test]
fn a_text_file_named_mp4_is_not_an_mp4() {
    let error = open_error("not-mp4.mp4");
    assert_eq!(error, VideoError::NotMp4);
    assert_points_to_the_system_player(&error);
}

#[test]
fn a_download_cut_short_is_incomplete() {
    let error = open_error("truncated.mp4");
    assert_eq!(error, VideoError::Truncated);
    assert_points_to_the_system_player(&error);
}

#[test]
fn a_missing_file_cannot_be_read() {
    let error = open_error("no-such-file.mp4");
    assert!(matches!(error, VideoError::Unreadable { .. }), "{error:?}");
    assert_points_to_the_system_player(&error);
}

#[test]
fn hevc_and_av1_are_named_and_refused() {
    let error = open_error("hevc.mp4");
    assert_eq!(
        error,
        VideoError::UnsupportedCodec {
            codec: "HEVC (H.265)".into()
        }
    );
    assert!(error.describe().get(Lang::En).contains("HEVC"));
    assert_points_to_the_system_player(&error);
    let error = open_error("av1.mp4");
    assert_eq!(
        error,
        VideoError::UnsupportedCodec {
            codec: "AV1".into()
        }
    );
    assert_points_to_the_system_player(&error);
}

#[test]
fn absurd_declared_dimensions_are_refused_before_decoding() {
    let error = open_error("absurd-dimensions.mp4");
    assert_eq!(
        error,
        VideoError::BadDimensions {
            width: 30000,
            height: 30000
        }
    );
    assert_points_to_the_system_player(&error);
}

#[cfg(feature = "video-decoder")]
#[test]
fn corrupt_slices_give_errors_or_damaged_pictures_but_never_a_crash() {
    let mut clip = Clip::open(&clip_path("corrupt-slices.mp4")).unwrap();
    let count = clip.info().frame_count;
    let mut failures = 0;
    for index in 0..count {
        match clip.frame_at(FramePos::Index(index), Some((90, 160))) {
            Ok(frame) => assert_eq!(frame.rgba.len(), (frame.width * frame.height * 4) as usize),
            Err(error) => {
                assert!(matches!(error, VideoError::Corrupt { .. }), "{error:?}");
                assert_points_to_the_system_player(&error);
                failures += 1;
            }
        }
    }
    assert!(failures > 0, "the scrambled clip decoded cleanly");
    assert!(poster(&clip_path("corrupt-slices.mp4"), 64).is_ok() || failures == count);
}

#[cfg(not(feature = "video-decoder"))]
#[test]
fn without_the_decoder_a_clip_says_the_player_is_not_built_in() {
    let error = open_error("tall-9x16-moov-first.mp4");
    assert_eq!(error, VideoError::NotBuiltIn);
    assert_points_to_the_system_player(&error);
}

#[test]
fn every_error_names_the_system_player() {
    for error in [
        VideoError::NotBuiltIn,
        VideoError::NoVideo,
        VideoError::UnsupportedStream {
            detail: "10-bit samples".into(),
        },
        VideoError::Corrupt { detail: "x".into() },
        VideoError::OutOfRange { index: 3, count: 2 },
        VideoError::Unreadable {
            detail: "denied".into(),
        },
    ] {
        assert_points_to_the_system_player(&error);
    }
}

/// Found by fuzzing: a 45-byte file whose sample-group table claims four billion
/// entries made the MP4 reader allocate gigabytes. It is refused at once.
#[test]
fn a_table_that_claims_billions_of_entries_is_refused_without_allocating() {
    let error = open_error("fuzz-sgpd-count.mp4");
    assert!(matches!(error, VideoError::Corrupt { .. }), "{error:?}");
    assert_points_to_the_system_player(&error);
}
