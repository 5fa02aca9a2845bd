//! When to ask the service about a task, and the one limiter every query goes through.

use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// Most task queries per second the app may make (the account allows 20 in all).
pub const MAX_QUERIES_PER_SECOND: u32 = 20;
pub const DEFAULT_QUERIES_PER_SECOND: u32 = 10;
/// What generation is assumed to take before any history exists.
pub const DEFAULT_EXPECTED: Duration = Duration::from_secs(120);

/// How long a task of this kind is expected to take: the median of past jobs of the
/// same model, tier and duration, kept between 1 and 5 minutes while history is thin.
pub fn expected_duration(past_seconds: &[f64]) -> Duration {
    let mut past: Vec<f64> = past_seconds
        .iter()
        .copied()
        .filter(|s| s.is_finite() && *s > 0.0)
        .collect();
    if past.is_empty() {
        return DEFAULT_EXPECTED;
    }
    past.sort_by(f64::total_cmp);
    let median = past[past.len() / 2];
    let seconds = if past.len() < 3 {
        median.clamp(60.0, 300.0)
    } else {
        median.max(5.0)
    };
    Duration::from_secs_f64(seconds)
}

/// The wait before the next query, given how long the task has existed and how long
/// it is expected to take: rare while the end is far, every few seconds around the
/// expected end, backing off again if it runs long.
pub fn next_poll_delay(elapsed: Duration, expected: Duration) -> Duration {
    let e = elapsed.as_secs_f64();
    let x = expected.as_secs_f64().max(1.0);
    // Around the expected end, ask every 3 s for short tasks and up to every
    // 4.5 s for long ones: the end is still noticed sooner than with the
    // SDK's steady 5 s, at fewer queries.
    let dense_gap = 4.5;
    let dense_from = x * 0.7;
    let seconds = if e < dense_from {
        // Halve the remaining distance to the dense window, between the dense
        // gap and 30 s (a sixth of the expected time for long tasks, at most 60 s).
        let longest = (x / 6.0).clamp(30.0, 60.0);
        ((dense_from - e) / 2.0).clamp(dense_gap, longest)
    } else if e < x * 2.0 {
        dense_gap
    } else if e < x * 4.0 {
        5.0
    } else if e < 3.0 * 3600.0 {
        20.0
    } else {
        // Past the service's own 3 h limit: the answer is surely final, but ask
        // until the task's 24 h life ends.
        60.0
    };
    Duration::from_secs_f64(seconds)
}

/// Exponential backoff for retries: 2 s, 4 s, 8 s… capped, with ±20% jitter so that
/// many jobs do not retry in step.
pub fn backoff(attempt: u32, cap: Duration) -> Duration {
    let base = 2f64.powi(attempt.min(16) as i32 + 1).min(cap.as_secs_f64());
    let jitter = 0.8 + fastrand::f64() * 0.4;
    Duration::from_secs_f64((base * jitter).min(cap.as_secs_f64()))
}

/// Spaces every query of the app at least `1/rate` apart, whatever job asks.
///
/// Each permit is granted against the clock when its waiter actually runs, a full
/// spacing after the previous grant: a stalled runtime that wakes several waiters
/// late lets them through one spacing apart, never as a burst. The spacing has a
/// 10% margin so that network jitter does not bunch them up at the service either.
#[derive(Debug)]
pub struct Limiter {
    spacing: Duration,
    /// When the next permit may be granted.
    next: Mutex<Instant>,
}

impl Limiter {
    /// `per_second` is clamped to 1..=[`MAX_QUERIES_PER_SECOND`].
    pub fn new(per_second: u32) -> Limiter {
        let rate = per_second.clamp(1, MAX_QUERIES_PER_SECOND);
        Limiter {
            spacing: Duration::from_secs_f64(1.1 / f64::from(rate)),
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this caller's turn.
    pub async fn acquire(&self) {
        loop {
            let wait_until = {
                let mut next = self.next.lock().await;
                let now = Instant::now();
                if now >= *next {
                    *next = now + self.spacing;
                    return;
                }
                *next
            };
            tokio::time::sleep_until(wait_until).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_duration_starts_at_two_minutes_and_learns() {
        assert_eq!(expected_duration(&[]), Duration::from_secs(120));
        assert_eq!(
            expected_duration(&[10.0]),
            Duration::from_secs(60),
            "thin history stays in 1–5 min"
        );
        assert_eq!(expected_duration(&[900.0, 800.0]), Duration::from_secs(300));
        assert_eq!(
            expected_duration(&[40.0, 50.0, 45.0, 500.0]),
            Duration::from_secs(50)
        );
    }

    #[test]
    fn polls_rarely_early_and_densely_near_the_expected_end() {
        let x = Duration::from_secs(120);
        assert_eq!(next_poll_delay(Duration::ZERO, x), Duration::from_secs(30));
        assert!(next_poll_delay(Duration::from_secs(80), x) <= Duration::from_secs(8));
        assert_eq!(
            next_poll_delay(Duration::from_secs(100), x),
            Duration::from_millis(4500)
        );
        assert_eq!(
            next_poll_delay(Duration::from_secs(300), x),
            Duration::from_secs(5)
        );
        assert_eq!(
            next_poll_delay(Duration::from_secs(3600), x),
            Duration::from_secs(20)
        );
        assert_eq!(
            next_poll_delay(Duration::from_secs(4 * 3600), x),
            Duration::from_secs(60)
        );
    }

    #[test]
    fn a_two_minute_task_costs_few_queries() {
        let x = Duration::from_secs(120);
        let mut t = Duration::ZERO;
        let mut queries = 0;
        while t < x {
            t += next_poll_delay(t, x);
            queries += 1;
        }
        // The SDK's wait() asks 1, 1, 2, 2, 2, 4, 4, 4 s then every 5 s: ~30 queries.
        assert!(queries <= 15, "{queries}");
        assert!(
            t - x <= Duration::from_millis(4500),
            "noticed within 4.5 s: {t:?}"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let cap = Duration::from_secs(60);
        assert!(backoff(0, cap) <= Duration::from_millis(2400));
        assert!(backoff(3, cap) >= Duration::from_millis(12_800));
        assert!(backoff(30, cap) <= cap);
    }

    #[tokio::test(start_paused = true)]
    async fn the_limiter_never_lets_more_than_the_rate_through_in_a_second() {
        let limiter = std::sync::Arc::new(Limiter::new(10));
        let start = Instant::now();
        let handles: Vec<_> = (0..50)
            .map(|_| {
                let l = limiter.clone();
                tokio::spawn(async move {
                    l.acquire().await;
                    Instant::now()
                })
            })
            .collect();
        let mut times = Vec::new();
        for h in handles {
            times.push(h.await.unwrap().duration_since(start));
        }
        times.sort();
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .take_while(|u| **u - *t < Duration::from_secs(1))
                .count();
            assert!(
                in_window <= 10,
                "{in_window} queries within a second from {t:?}"
            );
        }
        assert!(*times.last().unwrap() < Duration::from_secs(6));
        for pair in times.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(109), "{pair:?}");
        }
        assert_eq!(
            Limiter::new(100).spacing,
            Limiter::new(20).spacing,
            "never above 20/s"
        );
    }
}
