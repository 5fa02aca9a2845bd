//! Polling: the same simulated tasks through our schedule and through the
//! `dashscope` Python SDK's documented `wait()` schedule (first query at once,
//! then 1, 1, 2, 2, 2, 4, 4, 4 s, then 5 s for ever). Prints queries per job and
//! the delay between a task finishing and the poller noticing (p50, p95).
//! Then 100 concurrent jobs through the app's one query limiter in paused
//! tokio time: the peak queries in any one-second window.
//!
//! `cargo bench --bench polling` (runs in a second or two: time is simulated).

use r2v_studio::engine::schedule::{Limiter, expected_duration, next_poll_delay};
use std::sync::Arc;
use std::time::Duration;

/// One task: when it finishes, and which kind (model/tier/duration) it is.
struct Task {
    kind: usize,
    seconds: f64,
}

/// Tasks of three kinds whose typical times are 50 s, 2 min and 5 min, each
/// spread ±30% around it, all within 40 s to 6 min.
fn tasks(count: usize, seed: u64) -> Vec<Task> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let typical = [50.0, 120.0, 300.0];
    (0..count)
        .map(|_| {
            let kind = rng.usize(..typical.len());
            let spread = 0.7 + rng.f64() * 0.6;
            Task {
                kind,
                seconds: (typical[kind] * spread).clamp(40.0, 360.0),
            }
        })
        .collect()
}

/// The SDK's gaps after the first query.
fn sdk_gap(query: usize) -> f64 {
    const GAPS: [f64; 8] = [1.0, 1.0, 2.0, 2.0, 2.0, 4.0, 4.0, 4.0];
    GAPS.get(query).copied().unwrap_or(5.0)
}

/// Queries until one sees the task finished: (queries, notice delay).
fn replay(finish: f64, mut gap: impl FnMut(usize, f64) -> f64) -> (usize, f64) {
    let mut t = 0.0;
    let mut queries = 0;
    loop {
        queries += 1;
        if t >= finish {
            return (queries, t - finish);
        }
        t += gap(queries - 1, t);
    }
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let i = ((values.len() as f64 - 1.0) * p).round() as usize;
    values[i]
}

struct Figures {
    queries_per_job: f64,
    delay_p50: f64,
    delay_p95: f64,
    delay_max: f64,
}

fn summarise(results: &[(usize, f64)]) -> Figures {
    let queries: usize = results.iter().map(|r| r.0).sum();
    let mut delays: Vec<f64> = results.iter().map(|r| r.1).collect();
    Figures {
        queries_per_job: queries as f64 / results.len() as f64,
        delay_p50: percentile(&mut delays, 0.5),
        delay_p95: percentile(&mut delays, 0.95),
        delay_max: percentile(&mut delays, 1.0),
    }
}

fn compare(tasks: &[Task]) -> (Figures, Figures) {
    // Ours learns each kind's typical time from the jobs before, as the app
    // does from its history.
    let mut history: Vec<Vec<f64>> = vec![Vec::new(); 3];
    let mut ours = Vec::new();
    let mut sdk = Vec::new();
    for task in tasks {
        let expected = expected_duration(&history[task.kind]);
        ours.push(replay(task.seconds, |_, t| {
            next_poll_delay(Duration::from_secs_f64(t), expected).as_secs_f64()
        }));
        sdk.push(replay(task.seconds, |q, _| sdk_gap(q)));
        history[task.kind].push(task.seconds);
    }
    (summarise(&ours), summarise(&sdk))
}

/// 100 jobs polling at once through one limiter of `rate` per second, in
/// paused time: the most grants in any one-second window.
fn peak_per_second(jobs: usize, rate: u32) -> (usize, usize) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let limiter = Arc::new(Limiter::new(rate));
        let start = tokio::time::Instant::now();
        let grants = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for (i, task) in tasks(jobs, 7).into_iter().enumerate() {
            let limiter = limiter.clone();
            let grants = grants.clone();
            handles.push(tokio::spawn(async move {
                // Jobs were started a little apart, as a user would.
                tokio::time::sleep(Duration::from_millis(i as u64 * 150)).await;
                let began = tokio::time::Instant::now();
                let expected = Duration::from_secs(120);
                loop {
                    limiter.acquire().await;
                    let now = tokio::time::Instant::now();
                    grants.lock().expect("grants").push(now - start);
                    let elapsed = now - began;
                    if elapsed.as_secs_f64() >= task.seconds {
                        break;
                    }
                    tokio::time::sleep(next_poll_delay(elapsed, expected)).await;
                }
            }));
        }
        for h in handles {
            let _ = h.await;
        }
        let mut times: Vec<Duration> = grants.lock().expect("grants").clone();
        times.sort();
        let mut peak = 0;
        let mut j = 0;
        for i in 0..times.len() {
            while times[i] - times[j] >= Duration::from_secs(1) {
                j += 1;
            }
            peak = peak.max(i - j + 1);
        }
        (peak, times.len())
    })
}

fn main() {
    // `cargo test --benches` runs this too: keep it quick either way.
    println!("polling: {} tasks per run, 40 s – 6 min", 300);
    println!(
        "{:>5} {:>10} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "seed",
        "ours q/job",
        "sdk q/job",
        "ratio",
        "ours p50",
        "ours p95",
        "sdk p50",
        "sdk p95",
        "ours max"
    );
    let mut ratios = Vec::new();
    for seed in 1..=5 {
        let (ours, sdk) = compare(&tasks(300, seed));
        let ratio = ours.queries_per_job / sdk.queries_per_job;
        ratios.push(ratio);
        println!(
            "{seed:>5} {:>10.1} {:>10.1} {:>9.2} {:>8.2}s {:>8.2}s {:>8.2}s {:>8.2}s {:>8.2}s",
            ours.queries_per_job,
            sdk.queries_per_job,
            ratio,
            ours.delay_p50,
            ours.delay_p95,
            sdk.delay_p50,
            sdk.delay_p95,
            ours.delay_max,
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "query ratio ours/sdk: min {:.2} median {:.2} max {:.2} [target ≤ 0.50]",
        ratios[0],
        ratios[ratios.len() / 2],
        ratios[ratios.len() - 1]
    );
    for rate in [10, 20] {
        let (peak, total) = peak_per_second(100, rate);
        println!(
            "100 concurrent jobs, limit {rate}/s: {total} queries, peak {peak} in one second [target ≤ {rate}]"
        );
    }
}
