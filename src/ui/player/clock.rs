//! Where playback is, from "now" = whatever time the caller gives (egui's input
//! time in the window, so that a kittest harness steps it).

use std::time::Duration;

/// Playback position over time. "Now" is whatever the caller says it is (egui's
/// input time in the window), so that tests control it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PlayerClock {
    playing: bool,
    /// The position at `since`.
    at: Duration,
    since: f64,
}

impl PlayerClock {
    pub fn position(&self, now: f64) -> Duration {
        if self.playing {
            self.at + Duration::from_secs_f64((now - self.since).max(0.0))
        } else {
            self.at
        }
    }

    pub fn playing(&self) -> bool {
        self.playing
    }

    pub fn play(&mut self, now: f64) {
        if !self.playing {
            self.since = now;
            self.playing = true;
        }
    }

    pub fn pause(&mut self, now: f64) {
        self.at = self.position(now);
        self.playing = false;
    }

    /// Goes to `position`; playing goes on from there.
    pub fn set(&mut self, now: f64, position: Duration) {
        self.at = position;
        self.since = now;
    }
}

/// "mm:ss.ff": minutes, seconds and the frame within the second.
pub fn timecode(time: Duration, fps: f64) -> String {
    let seconds = time.as_secs();
    let frames = ((time.as_secs_f64() - seconds as f64) * fps + 1e-6).floor() as u64;
    format!("{:02}:{:02}.{:02}", seconds / 60, seconds % 60, frames) // not text: a time
}
