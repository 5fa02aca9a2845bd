//! The in-app decoder against FFmpeg's decode of the committed clips
//! (assets/test-clips, made by make-test-clips.sh), colour, seeking, posters and
//! the playback worker.
#![cfg(feature = "video-decoder")]

use md5::{Digest, Md5};
use r2v_studio::video::{Clip, FramePos, Playback, PlaybackEvent, poster};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

fn clip_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/test-clips")
        .join(name)
}

fn open(name: &str) -> Clip {
    Clip::open(&clip_path(&format!("{name}.mp4"))).unwrap()
}

/// FFmpeg's per-frame MD5s (presentation order) of a clip's I420 pictures.
fn reference(name: &str) -> Vec<String> {
    std::fs::read_to_string(clip_path(&format!("{name}.md5")))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn md5_of_picture(clip: &mut Clip, index: usize) -> String {
    let picture = clip.picture(index).unwrap();
    let mut hash = Md5::new();
    hash.update(&picture.y);
    hash.update(&picture.u);
    hash.update(&picture.v);
    format!("{:x}", hash.finalize())
}

fn assert_matches_ffmpeg(name: &str, width: u32, height: u32, audio: bool) {
    let mut clip = open(name);
    let info = clip.info().clone();
    assert_eq!((info.width, info.height), (width, height), "{name}");
    assert_eq!(info.has_audio, audio, "{name}");
    assert_eq!(info.codec, "H.264 High", "{name}");
    assert!((info.fps - 24.0).abs() < 0.01, "{name}: {} fps", info.fps);
    let expected = reference(name);
    assert_eq!(info.frame_count, expected.len(), "{name}");
    for (index, want) in expected.iter().enumerate() {
        assert_eq!(
            &md5_of_picture(&mut clip, index),
            want,
            "{name}: frame {index}"
        );
    }
}

#[test]
fn a_16_by_9_clip_with_sound_and_its_index_at_the_end_decodes_exactly_as_ffmpeg_does() {
    assert_matches_ffmpeg("wide-16x9-aac-moov-last", 320, 180, true);
}

#[test]
fn a_9_by_16_clip_without_sound_and_its_index_first_decodes_exactly_as_ffmpeg_does() {
    assert_matches_ffmpeg("tall-9x16-moov-first", 180, 320, false);
}

#[test]
fn a_21_by_9_clip_with_sound_decodes_exactly_as_ffmpeg_does() {
    assert_matches_ffmpeg("cinema-21x9-aac", 336, 144, true);
}

#[test]
fn a_1080p_clip_decodes_exactly_as_ffmpeg_does() {
    assert_matches_ffmpeg("bench-1080p", 1920, 1080, false);
}

#[test]
fn the_clip_info_tells_duration_sound_codec_and_colour() {
    let clip = open("wide-16x9-aac-moov-last");
    let info = clip.info();
    assert_eq!(info.frame_count, 48);
    assert!(
        (info.duration.as_secs_f64() - 2.0).abs() < 0.01,
        "{:?}",
        info.duration
    );
    assert_eq!(info.audio_codec.as_deref(), Some("AAC"));
    assert_eq!(info.colour, r2v_studio::video::ColourSpace::BT709_LIMITED);
}

fn centre_pixel(frame: &r2v_studio::video::Frame) -> [u8; 3] {
    let (x, y) = (frame.width as usize / 2, frame.height as usize / 2);
    let i = (y * frame.width as usize + x) * 4;
    [frame.rgba[i], frame.rgba[i + 1], frame.rgba[i + 2]]
}

fn close(got: [u8; 3], want: [u8; 3]) -> bool {
    got.iter()
        .zip(want)
        .all(|(g, w)| (i16::from(*g) - i16::from(w)).abs() <= 3)
}

#[test]
fn flat_colours_convert_with_bt709_as_ffmpeg_does_not_bt601() {
    // FFmpeg's own RGB of this clip's centre pixel at frames 5 and 36
    // (`-vf scale=in_color_matrix=bt709:in_range=tv,format=rgb24`), and what the
    // BT.601 matrix would give instead (in_color_matrix=bt601).
    let cases = [
        (5, [197, 35, 55], [183, 18, 55]),
        (36, [26, 89, 219], [33, 87, 213]),
    ];
    let mut clip = open("flat-colours");
    for (index, bt709, bt601) in cases {
        let got = centre_pixel(&clip.frame_at(FramePos::Index(index), None).unwrap());
        assert!(
            close(got, bt709),
            "frame {index}: {got:?}, FFmpeg says {bt709:?}"
        );
        assert!(
            !close(got, bt601),
            "frame {index}: {got:?} is the BT.601 reading"
        );
    }
    let by_time = clip
        .frame_at(FramePos::Time(Duration::from_millis(1500)), None)
        .unwrap();
    assert_eq!(by_time.index, 36);
}

#[test]
fn seeking_backwards_forwards_and_by_time_gives_the_same_pictures_as_playing_through() {
    let name = "wide-16x9-aac-moov-last";
    let expected = reference(name);
    let mut clip = open(name);
    for index in [40, 3, 47, 24, 23, 25, 0, 30, 29] {
        assert_eq!(
            md5_of_picture(&mut clip, index),
            expected[index],
            "frame {index}"
        );
    }
    let frame = clip
        .frame_at(
            FramePos::Time(Duration::from_millis(1000)),
            Some((160, 160)),
        )
        .unwrap();
    assert_eq!(frame.index, 24);
    assert_eq!(frame.pts, Duration::from_secs(1));
    assert_eq!((frame.width, frame.height), (160, 90));
    assert_eq!(frame.rgba.len(), 160 * 90 * 4);
}

#[test]
fn a_frame_past_the_end_is_refused() {
    let mut clip = open("tall-9x16-moov-first");
    let error = clip.frame_at(FramePos::Index(48), None).unwrap_err();
    assert_eq!(
        error,
        r2v_studio::video::VideoError::OutOfRange {
            index: 48,
            count: 48
        }
    );
}

#[test]
fn the_poster_skips_black_frames_at_the_start() {
    // 12 black frames, then the test pattern; a tenth of the clip is frame 4.
    let frame = poster(&clip_path("black-start.mp4"), 64).unwrap();
    assert_eq!(frame.index, 12);
    assert_eq!((frame.width, frame.height), (64, 36));
}

#[test]
fn the_poster_of_a_clip_without_black_is_the_keyframe_at_or_before_a_tenth() {
    // A tenth of 2 s is 0.2 s (frame 4); the keyframe before it is the first frame,
    // so the poster costs one decoded picture.
    let frame = poster(&clip_path("tall-9x16-moov-first.mp4"), 160).unwrap();
    assert_eq!(frame.index, 0);
    assert_eq!((frame.width, frame.height), (90, 160));
}

fn next_frame(playback: &Playback) -> PlaybackEvent {
    playback
        .wait(Duration::from_secs(30))
        .expect("the worker gives an event")
}

#[test]
fn the_playback_worker_gives_frames_in_order_seeks_and_ends() {
    let clip = open("cinema-21x9-aac");
    let playback = Playback::spawn(clip, 0, 4, Some((168, 168)));
    for want in 0..6 {
        match next_frame(&playback) {
            PlaybackEvent::Frame {
                generation,
                frame,
                preview,
            } => {
                assert_eq!((generation, frame.index), (0, want));
                assert!(preview.is_none(), "no previews unless asked for");
                assert_eq!((frame.width, frame.height), (168, 72));
            }
            other => panic!("{other:?}"),
        }
    }
    let generation = playback.seek(46);
    assert_eq!(generation, 1);
    let mut seen = Vec::new();
    loop {
        match next_frame(&playback) {
            PlaybackEvent::Frame {
                generation: g,
                frame,
                ..
            } if g == generation => seen.push(frame.index),
            PlaybackEvent::Frame { .. } => panic!("a frame from before the seek"),
            PlaybackEvent::End { generation: g } => {
                assert_eq!(g, generation);
                break;
            }
            PlaybackEvent::Failed { error, .. } => panic!("{error:?}"),
        }
    }
    assert_eq!(seen, vec![46, 47]);
}

#[test]
fn asked_for_previews_come_with_each_frame_as_a_smaller_copy_of_the_same_picture() {
    let mut reference = open("wide-16x9-aac-moov-last");
    let playback = Playback::spawn(open("wide-16x9-aac-moov-last"), 0, 4, Some((320, 180)));
    playback.set_preview_size(Some((80, 80)));
    // Frames already decoded may come without; from a seek on, every one has its copy.
    let generation = playback.seek(20);
    let mut checked = 0;
    while checked < 5 {
        match next_frame(&playback) {
            PlaybackEvent::Frame {
                generation: g,
                frame,
                preview,
            } if g == generation => {
                let preview = preview.expect("a preview with every frame");
                assert_eq!(preview.index, frame.index);
                assert_eq!((preview.width, preview.height), (80, 45));
                // The same picture as decoding that frame alone at that size.
                let alone = reference
                    .frame_at(FramePos::Index(frame.index), Some((80, 80)))
                    .unwrap();
                assert_eq!(preview.rgba, alone.rgba);
                checked += 1;
            }
            PlaybackEvent::Frame { .. } => {}
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn the_worker_wakes_the_ui_once_when_the_frame_it_waits_for_is_ready() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let woken = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&woken);
    let playback = Playback::spawn(open("flat-colours"), 0, 2, Some((64, 64)));
    playback.set_waker(Arc::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
    }));
    // Not asked: frames are queued without waking anyone.
    next_frame(&playback);
    next_frame(&playback);
    assert_eq!(woken.load(Ordering::SeqCst), 0);
    // Asked after a seek (the queue is empty): one wake when the frame is there.
    playback.seek(30);
    playback.wake_on_next();
    let start = std::time::Instant::now();
    while woken.load(Ordering::SeqCst) == 0 {
        assert!(start.elapsed() < Duration::from_secs(30), "never woken");
        std::thread::sleep(Duration::from_millis(1));
    }
    match playback.take() {
        Some(PlaybackEvent::Frame { frame, .. }) => assert_eq!(frame.index, 30),
        other => panic!("{other:?}"),
    }
    // Asked while a frame is waiting already: woken at once.
    while playback.peek().is_none() {
        std::thread::sleep(Duration::from_millis(1));
    }
    playback.wake_on_next();
    assert_eq!(woken.load(Ordering::SeqCst), 2);
}
