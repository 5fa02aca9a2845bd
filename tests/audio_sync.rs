//! The sound follows the picture: what reaches the device (a `Capture` in
//! place of the sound card, pulled with a clock the test drives), decoded by
//! the real decoder, against a straight decode of the same clip.

use r2v_studio::audio::{AacStream, Capture, DeviceFormat, Sound, SoundError};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn clip_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/test-clips")
        .join(name)
}

/// The whole sound of a clip, decoded straight through.
fn decoded(name: &str) -> Vec<f32> {
    let mut stream = AacStream::open(&clip_path(name)).unwrap().unwrap();
    let mut pcm = Vec::new();
    while stream.read(&mut pcm).unwrap() > 0 {}
    pcm
}

const STEREO: &str = "stereo-48k-aac.mp4";
const RATE: u32 = 48_000;
const WAIT: Duration = Duration::from_secs(10);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Frames at 48 kHz in `n` milliseconds.
fn frames(n: u64) -> usize {
    (n * 48) as usize
}

/// A sound of the stereo clip on a 48 kHz stereo capture (no resampling, so
/// what the device gets can be compared sample for sample).
fn start(name: &str, format: DeviceFormat) -> (Sound, Capture) {
    let source = Sound::open(&clip_path(name)).unwrap().unwrap();
    let (capture, output) = Capture::new(format);
    let sound = Sound::start_with(source, output).unwrap();
    (sound, capture)
}

fn stereo_48k() -> DeviceFormat {
    DeviceFormat {
        sample_rate: RATE,
        channels: 2,
    }
}

/// A sound started on a capture, and the test's device pulling from it.
fn start_device(name: &str, format: DeviceFormat) -> (Sound, Device) {
    let (sound, capture) = start(name, format);
    let device = Device {
        capture,
        now: Instant::now(),
    };
    (sound, device)
}

/// The test's view of a device: it pulls every `step` of its clock.
struct Device {
    capture: Capture,
    now: Instant,
}

impl Device {
    /// Pulls `n` frames at the current time, after waiting until the decode
    /// thread has them (never a reason to fail by itself).
    fn pull(&mut self, n: usize) -> Vec<f32> {
        assert!(
            self.capture.wait_ready(n, WAIT),
            "the decode thread did not deliver"
        );
        self.capture.pull(n, self.now)
    }

    fn advance(&mut self, by: Duration) {
        self.now += by;
    }
}

#[test]
fn it_starts_paused_and_plays_from_the_picture_s_position_when_played() {
    let want = decoded(STEREO);
    let (mut sound, mut device) = start_device(STEREO, stereo_48k());
    sound.sync_at(device.now, false, Duration::ZERO, 1.0, false);
    assert_eq!(sound.restarts(), 1, "the first sync places the sound");
    let silent = device.pull(480);
    assert!(silent.iter().all(|&s| s == 0.0), "paused sound is silent");

    sound.sync_at(device.now, true, Duration::ZERO, 1.0, false);
    let heard = device.pull(frames(100));
    assert_eq!(heard, want[..frames(100) * 2]);
    assert_eq!(
        sound.restarts(),
        1,
        "playing from where it waits needs no restart"
    );
}

#[test]
fn it_follows_the_picture_without_restarting_while_they_agree() {
    let want = decoded(STEREO);
    let (mut sound, mut device) = start_device(STEREO, stereo_48k());
    sound.sync_at(device.now, true, Duration::ZERO, 1.0, false);
    let mut heard = device.pull(frames(100));
    // Ten UI frames, each 100 ms on, the picture a little ahead or behind
    // (within 40 ms), the device pulling 100 ms each time.
    for (i, skew) in [0i64, 15, -20, 30, -35, 10, 0, 25, -10, 5]
        .iter()
        .enumerate()
    {
        device.advance(ms(100));
        let on_time = ms(100 * (i as u64 + 1));
        let picture = if *skew >= 0 {
            on_time + ms(skew.unsigned_abs())
        } else {
            on_time - ms(skew.unsigned_abs())
        };
        sound.sync_at(device.now, true, picture, 1.0, false);
        heard.extend(device.pull(frames(100)));
    }
    assert_eq!(sound.restarts(), 1);
    assert_eq!(
        heard,
        want[..frames(1100) * 2],
        "one unbroken stretch of sound"
    );
}

#[test]
fn a_jump_of_the_picture_restarts_the_sound_where_the_picture_is() {
    let want = decoded(STEREO);
    let (mut sound, mut device) = start_device(STEREO, stereo_48k());
    sound.sync_at(device.now, true, Duration::ZERO, 1.0, false);
    device.pull(frames(100));
    device.advance(ms(100));
    // A seek to 1.2 s.
    sound.sync_at(device.now, true, ms(1200), 1.0, false);
    assert_eq!(sound.restarts(), 2);
    let heard = device.pull(frames(50));
    let from = frames(1200) * 2;
    assert_eq!(heard, want[from..from + frames(50) * 2]);
    // A step back of one picture (42 ms) is a jump too.
    device.advance(ms(50));
    sound.sync_at(device.now, true, ms(1250 - 42), 1.0, false);
    assert_eq!(sound.restarts(), 3);
    let heard = device.pull(frames(20));
    let from = frames(1208) * 2;
    assert_eq!(heard, want[from..from + frames(20) * 2]);
    // A loop back to the start.
    device.advance(ms(20));
    sound.sync_at(device.now, true, Duration::ZERO, 1.0, false);
    assert_eq!(sound.restarts(), 4);
    assert_eq!(device.pull(frames(10)), want[..frames(10) * 2]);
}

#[test]
fn a_drift_beyond_the_tolerance_restarts_and_one_within_it_does_not() {
    let (mut sound, mut device) = start_device(STEREO, stereo_48k());
    sound.sync_at(device.now, true, ms(500), 1.0, false);
    device.pull(frames(100));
    device.advance(ms(100));
    sound.sync_at(device.now, true, ms(600 + 39), 1.0, false);
    assert_eq!(sound.restarts(), 1, "39 ms is within the tolerance");
    sound.sync_at(device.now, true, ms(600 - 39), 1.0, false);
    assert_eq!(sound.restarts(), 1);
    sound.sync_at(device.now, true, ms(600 + 45), 1.0, false);
    assert_eq!(sound.restarts(), 2, "45 ms is not");
}

#[test]
fn pausing_gives_silence_and_playing_again_goes_on_where_it_stopped() {
    let want = decoded(STEREO);
    let (mut sound, mut device) = start_device(STEREO, stereo_48k());
    sound.sync_at(device.now, true, Duration::ZERO, 1.0, false);
    let mut heard = device.pull(frames(200));
    device.advance(ms(200));
    sound.sync_at(device.now, false, ms(200), 1.0, false);
    for _ in 0..5 {
        let paused = device.pull(frames(100));
        assert!(paused.iter().all(|&s| s == 0.0));
        device.advance(ms(100));
        sound.sync_at(device.now, false, ms(200), 1.0, false);
    }
    sound.sync_at(device.now, true, ms(200), 1.0, false);
    heard.extend(device.pull(frames(200)));
    assert_eq!(sound.restarts(), 1);
    assert_eq!(heard, want[..frames(400) * 2]);
}

#[test]
fn a_scrub_while_paused_moves_the_waiting_sound() {
    let want = decoded(STEREO);
    let (mut sound, mut device) = start_device(STEREO, stereo_48k());
    sound.sync_at(device.now, false, Duration::ZERO, 1.0, false);
    for to in [300, 700, 1500] {
        sound.sync_at(device.now, false, ms(to), 1.0, false);
    }
    assert_eq!(sound.restarts(), 4);
    // The same place again is not a move.
    sound.sync_at(device.now, false, ms(1500), 1.0, false);
    assert_eq!(sound.restarts(), 4);
    sound.sync_at(device.now, true, ms(1500), 1.0, false);
    let from = frames(1500) * 2;
    assert_eq!(device.pull(frames(30)), want[from..from + frames(30) * 2]);
}

#[test]
fn volume_scales_the_sound_and_mute_silences_it_without_losing_the_place() {
    let want = decoded(STEREO);
    let (mut sound, mut device) = start_device(STEREO, stereo_48k());
    sound.sync_at(device.now, true, Duration::ZERO, 1.0, false);
    device.pull(frames(50));
    device.advance(ms(50));
    sound.sync_at(device.now, true, ms(50), 0.5, false);
    // The first pull after a change ramps to the new volume (no click).
    let ramp = device.pull(frames(50));
    let at = frames(50) * 2;
    let last = ramp.len() - 1;
    assert!((ramp[last] - 0.5 * want[at + last]).abs() < 1e-6);
    device.advance(ms(50));
    sound.sync_at(device.now, true, ms(100), 0.5, false);
    let half = device.pull(frames(50));
    let at = frames(100) * 2;
    for (i, &s) in half.iter().enumerate() {
        assert_eq!(s, 0.5 * want[at + i]);
    }
    device.advance(ms(50));
    sound.sync_at(device.now, true, ms(150), 0.5, true);
    device.pull(frames(50)); // ramps down
    device.advance(ms(50));
    sound.sync_at(device.now, true, ms(200), 0.5, true);
    assert!(device.pull(frames(50)).iter().all(|&s| s == 0.0));
    device.advance(ms(50));
    sound.sync_at(device.now, true, ms(250), 1.0, false);
    device.pull(frames(50)); // ramps up
    device.advance(ms(50));
    sound.sync_at(device.now, true, ms(300), 1.0, false);
    let at = frames(300) * 2;
    assert_eq!(device.pull(frames(50)), want[at..at + frames(50) * 2]);
    assert_eq!(sound.restarts(), 1);
}

#[test]
fn the_device_s_latency_is_made_up_for() {
    let want = decoded(STEREO);
    let (mut sound, mut device) = start_device(STEREO, stereo_48k());
    sound.sync_at(device.now, true, Duration::ZERO, 1.0, false);
    device.pull(frames(10));
    // The device reports that it plays what it is given 60 ms later: the
    // sound must be handed over 60 ms ahead of the picture.
    device.capture.set_latency(ms(60));
    device.advance(ms(10));
    sound.sync_at(device.now, true, ms(10), 1.0, false);
    assert_eq!(sound.restarts(), 2);
    let from = frames(70) * 2;
    assert_eq!(device.pull(frames(20)), want[from..from + frames(20) * 2]);
    device.advance(ms(20));
    sound.sync_at(device.now, true, ms(30), 1.0, false);
    assert_eq!(sound.restarts(), 2, "once ahead, it stays");
}

#[test]
fn past_the_end_it_is_silent_and_does_not_keep_restarting() {
    let (mut sound, mut device) = start_device(STEREO, stereo_48k());
    let end = sound.duration();
    assert_eq!(end, ms(2000));
    sound.sync_at(device.now, true, end - ms(20), 1.0, false);
    let tail = device.pull(frames(20));
    assert!(tail.iter().any(|&s| s != 0.0));
    for i in 1..=10 {
        device.advance(ms(20));
        sound.sync_at(device.now, true, end - ms(20) + ms(20 * i), 1.0, false);
        // Let a restart, if one was asked for, reach the device.
        assert!(device.capture.wait_caught_up(WAIT));
        let after = device.capture.pull(frames(20), device.now);
        assert!(after.iter().all(|&s| s == 0.0));
    }
    assert!(sound.restarts() <= 2, "{} restarts", sound.restarts());
}

#[test]
fn a_44_1_khz_mono_clip_plays_on_a_48_khz_stereo_device() {
    let (mut sound, capture) = start("cinema-21x9-aac.mp4", stereo_48k());
    let mut device = Device {
        capture,
        now: Instant::now(),
    };
    sound.sync_at(device.now, true, ms(100), 1.0, false);
    let heard = device.pull(frames(500));
    let left: Vec<f32> = heard.iter().step_by(2).copied().collect();
    let right: Vec<f32> = heard.iter().skip(1).step_by(2).copied().collect();
    assert_eq!(left, right, "mono goes to both sides");
    // The clip is a 660 Hz tone at 1/8 of full scale: after conversion it
    // is still 660 Hz (counted by rising zero crossings) and as loud.
    let rising = left
        .windows(2)
        .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
        .count();
    assert!((329..=331).contains(&rising), "{rising} cycles in 0.5 s");
    let rms = (left.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / left.len() as f64).sqrt();
    assert!((rms - 0.125 / 2f64.sqrt()).abs() < 0.002, "RMS {rms}");
}

#[test]
fn dropping_the_sound_stops_its_threads() {
    let (mut sound, capture) = start(STEREO, stereo_48k());
    sound.sync_at(Instant::now(), true, Duration::ZERO, 1.0, false);
    assert!(capture.wait_ready(100, WAIT));
    drop(sound);
    // The feed stays with the device; it plays nothing new once the decode
    // thread is gone (what is already in the ring may still drain).
    let mut total = 0;
    for _ in 0..100 {
        let pulled = capture.pull(frames(100), Instant::now());
        if pulled.iter().all(|&s| s == 0.0) {
            break;
        }
        total += 1;
    }
    assert!(total < 10, "sound kept coming after the drop");
}

#[cfg(not(feature = "sound"))]
#[test]
fn without_the_sound_feature_sound_plays_in_the_system_player() {
    assert!(!Sound::available());
    let source = Sound::open(&clip_path(STEREO)).unwrap().unwrap();
    let error = Sound::start(source).unwrap_err();
    assert_eq!(error, SoundError::NotBuiltIn);
    let text = error.describe();
    assert!(
        text.get(r2v_studio::core::text::Lang::En)
            .contains("system player")
    );
}

#[cfg(feature = "sound")]
#[test]
fn with_the_sound_feature_start_plays_or_says_why_not() {
    assert!(Sound::available());
    let source = Sound::open(&clip_path(STEREO)).unwrap().unwrap();
    match Sound::start(source) {
        // A machine with a sound card: it plays (quietly) and stops.
        Ok(mut sound) => {
            sound.sync(true, Duration::ZERO, 0.0, true);
            sound.sync(false, Duration::ZERO, 0.0, true);
            assert_eq!(sound.error(), None);
        }
        // CI, a server, a virtual display: a clear error, no panic.
        Err(error) => {
            eprintln!("no sound here: {error}");
            assert!(matches!(
                error,
                SoundError::NoDevice | SoundError::Device { .. }
            ));
            let text = error.describe();
            let en = text.get(r2v_studio::core::text::Lang::En);
            assert!(en.contains("without sound"), "{en}");
        }
    }
}
