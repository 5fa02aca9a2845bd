//! The engine's one source of time and sleeping.
//!
//! Every "now" the engine journals or compares, and every pause it takes, comes
//! from a [`Clock`]. The system clock serves the app; [`Clock::following_tokio`]
//! follows tokio's clock, so that engine tests under paused time (`start_paused`)
//! run a three-hour task or a 24-hour link in milliseconds. A test can also set the
//! PC's clock wrong ([`Clock::set_skew_ms`]) to check that the engine never decides
//! anything paid from the local clock alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Clock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    source: Source,
    /// Added to every reading: a PC clock that is off, or jumps.
    skew_ms: AtomicI64,
}

#[derive(Debug)]
enum Source {
    System,
    Tokio {
        wall_at_start_ms: i64,
        start: tokio::time::Instant,
    },
}

impl Default for Clock {
    fn default() -> Self {
        Clock::system()
    }
}

impl Clock {
    /// The computer's clock.
    pub fn system() -> Clock {
        Clock::with(Source::System)
    }

    /// Wall time that advances with tokio's clock (paused in tests). Must be made
    /// inside a tokio runtime.
    pub fn following_tokio() -> Clock {
        Clock::with(Source::Tokio {
            wall_at_start_ms: chrono::Utc::now().timestamp_millis(),
            start: tokio::time::Instant::now(),
        })
    }

    fn with(source: Source) -> Clock {
        Clock {
            inner: Arc::new(Inner {
                source,
                skew_ms: AtomicI64::new(0),
            }),
        }
    }

    /// Milliseconds since the Unix epoch, as this computer believes.
    pub fn now_ms(&self) -> i64 {
        let base = match &self.inner.source {
            Source::System => chrono::Utc::now().timestamp_millis(),
            Source::Tokio {
                wall_at_start_ms,
                start,
            } => *wall_at_start_ms + start.elapsed().as_millis() as i64,
        };
        base + self.inner.skew_ms.load(Ordering::Relaxed)
    }

    /// Sets how far this computer's clock is off (tests: a fast, slow or jumping clock).
    pub fn set_skew_ms(&self, skew_ms: i64) {
        self.inner.skew_ms.store(skew_ms, Ordering::Relaxed);
    }

    pub async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }

    /// The local calendar date (for file names).
    pub fn local_date(&self) -> String {
        chrono::DateTime::from_timestamp_millis(self.now_ms())
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d")
                    .to_string()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_tokio_clock_advances_with_paused_time_and_takes_a_skew() {
        let clock = Clock::following_tokio();
        let t0 = clock.now_ms();
        clock.sleep(Duration::from_secs(3 * 3600)).await;
        assert_eq!(clock.now_ms() - t0, 3 * 3600 * 1000);
        clock.set_skew_ms(86_400_000);
        assert_eq!(clock.now_ms() - t0, 3 * 3600 * 1000 + 86_400_000);
    }
}
