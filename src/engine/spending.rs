//! The engine's side of the spending rules (`core::spend`): it is the one
//! place where every window and command line's new jobs meet, so the checks
//! here hold across all of them. New jobs are admitted one at a time, so a
//! double click sent twice finds the first in the journal.

use super::shared::{Shared, lock};
use super::{Allow, Event, Job, JobId, Refusal, SpendReport};
use crate::core::capabilities::{self as caps, PriceEntry};
use crate::core::spend::{self, Budget, Period};
use crate::core::{GenerationSpec, RefSource};
use crate::settings::Settings;

/// The caps and the price table as the settings say now.
fn rules(sh: &Shared) -> (Budget, Vec<PriceEntry>) {
    match sh.config.settings_dir.as_deref().map(Settings::load) {
        Some(Ok(settings)) => (settings.budget, settings.prices),
        Some(Err(problem)) => {
            tracing::warn!("settings for the budget: {}", problem.en);
            (Budget::default(), caps::default_prices())
        }
        None => (Budget::default(), caps::default_prices()),
    }
}

/// One content hash per reference, in order: a local file's SHA-256, a URL's
/// text (its contents are the service's to fetch).
///
/// Hashed in place, on one of the engine's two workers: at least 1 GB/s, so a
/// few milliseconds for usual pictures and about 0.1 s for seven of the
/// largest allowed. (On the blocking pool, a test's paused clock would run
/// ahead while it hashes.)
pub(super) fn content_hashes(spec: &GenerationSpec) -> Vec<String> {
    spec.references
        .iter()
        .map(|r| content_hash(&r.source))
        .collect()
}

fn content_hash(source: &RefSource) -> String {
    match source {
        RefSource::Url(url) => format!("url:{url}"), // not text: a key, never shown
        // Unreadable now (or over the size the upload takes): the upload will
        // say so; the path stands in.
        RefSource::Local(path) => {
            crate::provenance::archive::file_sha256(path, super::MAX_REFERENCE_BYTES)
                .unwrap_or_else(|| format!("path:{}", path.display())) // not text: a key, never shown
        }
    }
}

/// Why new jobs `ids` of `spec` with the setup key `setup` must not be sent
/// now, if they must not.
pub(super) fn refusal(
    sh: &Shared,
    spec: &GenerationSpec,
    ids: &[JobId],
    setup: &str,
    allow: Allow,
) -> Option<Refusal> {
    let now = sh.now_ms();
    let jobs = recent(sh, ids, now)?;
    if !allow.again
        && let Some(earlier) = jobs
            .iter()
            .filter(|j| j.past_use().is_some_and(|p| spend::repeats(&p, setup, now)))
            .max_by_key(|j| j.created_ms)
    {
        return Some(Refusal::Duplicate {
            earlier: Box::new(earlier.clone()),
        });
    }
    if allow.over_budget {
        return None;
    }
    over_budget(sh, spec, ids.len(), &jobs, now)
}

/// Why the retry `id` of `spec` must not be sent now, if it must not: only
/// the caps apply (a retry repeats its job's setup on purpose).
pub(super) fn retry_refusal(sh: &Shared, spec: &GenerationSpec, id: &JobId) -> Option<Refusal> {
    let now = sh.now_ms();
    let ids = std::slice::from_ref(id);
    let jobs = recent(sh, ids, now)?;
    over_budget(sh, spec, 1, &jobs, now)
}

/// The jobs the rules look at; `None` when there is nothing to check: an id
/// the journal has already (a second client claiming a job: the journal
/// refuses the whole lot, and says why), or a journal that cannot be read
/// (journaling the new jobs will meet the same trouble and say so).
fn recent(sh: &Shared, ids: &[JobId], now: i64) -> Option<Vec<Job>> {
    let store = lock(&sh.store);
    if ids.iter().any(|id| store.get(id).ok().flatten().is_some()) {
        return None;
    }
    store.since_or_unfinished(look_back_from(now)).ok()
}

/// Whether `takes` jobs of `spec` would pass a cap, given the `jobs` so far.
fn over_budget(
    sh: &Shared,
    spec: &GenerationSpec,
    takes: usize,
    jobs: &[Job],
    now: i64,
) -> Option<Refusal> {
    let (budget, prices) = rules(sh);
    if !budget.is_set() {
        return None;
    }
    // No price for this model and size: nothing to hold against the caps.
    let cost = spec.estimated_price(&prices)? * takes as f64;
    let spent = spend::totals(
        jobs.iter().filter_map(Job::charge),
        &prices,
        Period::local(now),
    );
    spend::check(budget, spent, cost)
        .err()
        .map(|over| Refusal::OverBudget { over })
}

/// How far back the rules look: this month (spend), and two days for a
/// duplicate that finished in the last 30 minutes (a task lives 24 hours);
/// unfinished jobs always.
fn look_back_from(now_ms: i64) -> i64 {
    const TWO_DAYS_MS: i64 = 2 * 86_400_000;
    Period::local(now_ms)
        .month_start_ms
        .min(now_ms - TWO_DAYS_MS)
}

/// Tells every listener today's and this month's spend.
pub(super) fn report(sh: &Shared) {
    let jobs = match lock(&sh.store).since_or_unfinished(look_back_from(sh.now_ms())) {
        Ok(jobs) => jobs,
        Err(e) => return sh.journal_trouble(&e),
    };
    let (budget, prices) = rules(sh);
    let totals = spend::totals(
        jobs.iter().filter_map(Job::charge),
        &prices,
        Period::local(sh.now_ms()),
    );
    sh.events.emit(Event::Spend(SpendReport { totals, budget }));
}
