//! Spending rules, as pure functions over the journal's numbers, so that the
//! window and the command line (through the one engine) apply the same ones:
//!
//! - **Budgets**: optional daily and monthly caps on estimated spend. A new job
//!   (times its takes) that would take today's or this month's spend over a cap
//!   is not sent unless the user says so for that job.
//! - **The duplicate-spend guard**: the same setup sent again while an earlier
//!   one is under way, or within [`DUPLICATE_WINDOW_MS`] of its end, is almost
//!   always a double click or a re-run by mistake.
//!
//! Spend counts every job that was or may have been billed, and every job on
//! its way to being billed (queued, uploading, under way), by its billed seconds
//! when the service said them, else by its duration. Canceled jobs without a
//! task and jobs that failed before any create was sent count nothing.

use super::capabilities::{self as caps, Model, PriceEntry, Tier};
use super::{GenerationSpec, Localized, Seed};
use crate::loc;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long after an earlier job of the same setup ended a new one counts as a
/// duplicate.
pub const DUPLICATE_WINDOW_MS: i64 = 30 * 60 * 1000;

/// The caps, in the price table's currency. `None`: no cap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Budget {
    pub daily: Option<f64>,
    pub monthly: Option<f64>,
}

impl Budget {
    /// A cap as given by a user: a positive amount, or `off` / `0` for none.
    pub fn parse_cap(text: &str) -> Result<Option<f64>, Localized> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") || text.eq_ignore_ascii_case("none") {
            return Ok(None);
        }
        match text.parse::<f64>() {
            Ok(0.0) => Ok(None),
            Ok(amount) if amount.is_finite() && amount > 0.0 => Ok(Some(amount)),
            _ => Err(loc!("spend-cap-invalid", value = text)),
        }
    }

    pub fn is_set(&self) -> bool {
        self.daily.is_some() || self.monthly.is_some()
    }
}

/// What one job costs or may cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Charge {
    /// When the job was asked for (it counts on that day).
    pub at_ms: i64,
    pub model: Model,
    pub tier: Tier,
    /// Billed seconds when known, else the duration asked for.
    pub seconds: f64,
}

impl Charge {
    /// Its estimate from a price table (`None` when the table has no price).
    pub fn amount(&self, prices: &[PriceEntry]) -> Option<f64> {
        prices
            .iter()
            .find(|e| e.model == self.model && e.tier == self.tier)
            .map(|e| e.per_second * self.seconds)
    }
}

/// Where today and this month begin, in the user's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub day_start_ms: i64,
    pub month_start_ms: i64,
}

impl Period {
    /// Today and this month around `now_ms` in the computer's time zone.
    pub fn local(now_ms: i64) -> Period {
        use chrono::{Datelike, Local, LocalResult, NaiveTime, TimeZone};
        let Some(now) = Local.timestamp_millis_opt(now_ms).single() else {
            return Period::utc(now_ms);
        };
        let start = |date: chrono::NaiveDate| match Local
            .from_local_datetime(&date.and_time(NaiveTime::MIN))
        {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.timestamp_millis(),
            // Midnight skipped by a clock change: the day starts when it can.
            LocalResult::None => date
                .and_time(NaiveTime::MIN)
                .and_utc()
                .timestamp_millis()
                .min(now_ms),
        };
        let today = now.date_naive();
        let first = today.with_day(1).unwrap_or(today);
        Period {
            day_start_ms: start(today),
            month_start_ms: start(first),
        }
    }

    /// Today and this month in UTC (for tests, and when the local time is unknown).
    pub fn utc(now_ms: i64) -> Period {
        const DAY: i64 = 86_400_000;
        let day_start_ms = now_ms.div_euclid(DAY) * DAY;
        let month_start_ms = chrono::DateTime::from_timestamp_millis(now_ms)
            .and_then(|t| {
                use chrono::Datelike;
                t.date_naive().with_day(1)
            })
            .map_or(day_start_ms, |d| {
                d.and_time(chrono::NaiveTime::MIN)
                    .and_utc()
                    .timestamp_millis()
            });
        Period {
            day_start_ms,
            month_start_ms,
        }
    }
}

/// Spend so far, in the price table's currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub today: f64,
    pub month: f64,
}

/// Today's and this month's spend from every job's charge.
pub fn totals(
    charges: impl IntoIterator<Item = Charge>,
    prices: &[PriceEntry],
    period: Period,
) -> Totals {
    let mut totals = Totals::default();
    for charge in charges {
        let Some(amount) = charge.amount(prices) else {
            continue;
        };
        if charge.at_ms >= period.month_start_ms {
            totals.month += amount;
        }
        if charge.at_ms >= period.day_start_ms {
            totals.today += amount;
        }
    }
    totals
}

/// Which cap a job would go over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cap {
    Daily,
    Monthly,
}

/// A job that would take spend over a cap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OverBudget {
    pub cap: Cap,
    pub limit: f64,
    /// Spent (or on its way to being spent) before this job.
    pub spent: f64,
    /// This job's estimate, every take included.
    pub cost: f64,
}

impl OverBudget {
    /// What happened and what to do.
    pub fn message(&self) -> Localized {
        let (limit, spent, cost) = (money(self.limit), money(self.spent), money(self.cost));
        let currency = caps::PRICE_CURRENCY;
        match self.cap {
            Cap::Daily => loc!(
                "spend-over-daily",
                limit = limit,
                spent = spent,
                cost = cost,
                currency = currency
            ),
            Cap::Monthly => loc!(
                "spend-over-monthly",
                limit = limit,
                spent = spent,
                cost = cost,
                currency = currency
            ),
        }
    }
}

/// An amount as shown: two decimals.
pub fn money(amount: f64) -> String {
    format!("{amount:.2}")
}

/// Whether a job costing `cost` fits under the caps (the daily cap is named
/// first when both are passed).
pub fn check(budget: Budget, spent: Totals, cost: f64) -> Result<(), OverBudget> {
    let over = |cap, limit: Option<f64>, spent: f64| {
        limit
            .filter(|&limit| spent + cost > limit + 1e-9)
            .map(|limit| OverBudget {
                cap,
                limit,
                spent,
                cost,
            })
    };
    match over(Cap::Daily, budget.daily, spent.today)
        .or_else(|| over(Cap::Monthly, budget.monthly, spent.month))
    {
        Some(over) => Err(over),
        None => Ok(()),
    }
}

/// A key for "the same setup": equal when the references have the same
/// contents, names and order, and the prompt, model, every parameter and a
/// fixed seed are the same. `contents` holds one content hash per reference,
/// in order. A random seed is not part of it (the same setup with a new random
/// seed is still the same setup).
pub fn setup_key(spec: &GenerationSpec, contents: &[String]) -> String {
    let references: Vec<(&str, &str)> = spec
        .references
        .iter()
        .zip(
            contents
                .iter()
                .map(String::as_str)
                .chain(std::iter::repeat("")),
        )
        .map(|(r, content)| (r.name.as_str(), content))
        .collect();
    let seed = match spec.seed {
        Seed::Random => None,
        Seed::Fixed(seed) => Some(seed),
    };
    let canonical = serde_json::json!({
        "model": spec.model,
        "references": references,
        "prompt": spec.prompt,
        "tier": spec.tier,
        "ratio": spec.ratio,
        "duration": spec.duration,
        "audio": spec.audio,
        "watermark": spec.watermark,
        "seed": seed,
    });
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// An earlier use of a setup, as the journal has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PastUse<'a> {
    pub setup: &'a str,
    /// Queued or under way.
    pub under_way: bool,
    /// When it ended, if it did and may have been billed (a job that failed
    /// before anything was sent, or was canceled, is not a duplicate's reason).
    pub billed_end_ms: Option<i64>,
}

/// Whether sending `setup` now repeats `past` by mistake.
pub fn repeats(past: &PastUse<'_>, setup: &str, now_ms: i64) -> bool {
    past.setup == setup
        && (past.under_way
            || past
                .billed_end_ms
                .is_some_and(|end| now_ms - end < DUPLICATE_WINDOW_MS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{RefSource, Reference};

    const DAY: i64 = 86_400_000;

    fn charge(at_ms: i64, seconds: f64) -> Charge {
        Charge {
            at_ms,
            model: Model::C1,
            tier: Tier::P720,
            seconds,
        }
    }

    #[test]
    fn totals_count_today_and_this_month_by_the_price_table() {
        // 2026-11-30 12:00 UTC; the 1st was 29 days earlier.
        let now = 1_796_040_000_000;
        let period = Period::utc(now);
        assert_eq!(period.day_start_ms, now - 12 * 3_600_000);
        assert_eq!(period.month_start_ms, period.day_start_ms - 29 * DAY);
        let prices = caps::default_prices(); // C1 720p: 0.60 a second
        let charges = [
            charge(now - 3_600_000, 5.0),            // today: 3.00
            charge(now - 2 * DAY, 10.0),             // this month: 6.00
            charge(period.month_start_ms - 1, 10.0), // last month
            charge(period.day_start_ms, 1.0),        // today, at midnight: 0.60
        ];
        let t = totals(charges, &prices, period);
        assert!((t.today - 3.6).abs() < 1e-9, "{t:?}");
        assert!((t.month - 9.6).abs() < 1e-9, "{t:?}");
    }

    #[test]
    fn a_charge_without_a_price_counts_nothing() {
        let t = totals([charge(0, 5.0)], &[], Period::utc(1));
        assert_eq!(t, Totals::default());
    }

    #[test]
    fn the_local_period_starts_at_a_midnight_not_after_now() {
        let now = 1_796_040_000_000;
        let p = Period::local(now);
        assert!(p.day_start_ms <= now && now - p.day_start_ms < DAY + 3_600_000);
        assert!(p.month_start_ms <= p.day_start_ms);
        assert!(p.day_start_ms - p.month_start_ms < 31 * DAY + 3_600_000);
    }

    #[test]
    fn a_job_over_the_daily_cap_is_refused_with_the_numbers() {
        let budget = Budget {
            daily: Some(20.0),
            monthly: Some(100.0),
        };
        let spent = Totals {
            today: 12.4,
            month: 50.0,
        };
        assert_eq!(check(budget, spent, 7.6), Ok(()), "exactly at the cap fits");
        let over = check(budget, spent, 9.6).unwrap_err();
        assert_eq!(over.cap, Cap::Daily);
        assert_eq!((over.limit, over.spent, over.cost), (20.0, 12.4, 9.6));
        let text = over.message().en;
        assert!(
            text.contains("20.00") && text.contains("12.40") && text.contains("9.60"),
            "{text}"
        );
    }

    #[test]
    fn the_monthly_cap_holds_when_the_daily_one_is_off() {
        let budget = Budget {
            daily: None,
            monthly: Some(100.0),
        };
        let spent = Totals {
            today: 0.0,
            month: 95.0,
        };
        assert_eq!(check(budget, spent, 6.0).unwrap_err().cap, Cap::Monthly);
        assert_eq!(check(Budget::default(), spent, 1e9), Ok(()));
    }

    #[test]
    fn caps_are_read_as_amounts_or_off() {
        assert_eq!(Budget::parse_cap("20"), Ok(Some(20.0)));
        assert_eq!(Budget::parse_cap(" 12.5 "), Ok(Some(12.5)));
        assert_eq!(Budget::parse_cap("off"), Ok(None));
        assert_eq!(Budget::parse_cap("0"), Ok(None));
        for bad in ["-3", "abc", "NaN", "inf", ""] {
            assert!(Budget::parse_cap(bad).is_err(), "{bad}");
        }
    }

    fn spec() -> GenerationSpec {
        GenerationSpec {
            references: vec![
                Reference {
                    name: "cafe".into(),
                    source: RefSource::Local("/a/cafe.png".into()),
                },
                Reference {
                    name: "猫".into(),
                    source: RefSource::Local("/a/cat.png".into()),
                },
            ],
            prompt: "@cafe 里的 @猫".into(),
            ..GenerationSpec::default()
        }
    }

    #[test]
    fn the_setup_key_follows_contents_names_order_prompt_parameters_and_a_fixed_seed() {
        let contents = vec!["aa".to_string(), "bb".to_string()];
        let key = setup_key(&spec(), &contents);
        // The same setup from files elsewhere with the same contents.
        let mut moved = spec();
        moved.references[0].source = RefSource::Local("/b/other-name.png".into());
        assert_eq!(setup_key(&moved, &contents), key);
        // Anything else differs.
        let changed_content = vec!["aa".to_string(), "cc".to_string()];
        assert_ne!(setup_key(&spec(), &changed_content), key);
        let swapped = vec!["bb".to_string(), "aa".to_string()];
        assert_ne!(setup_key(&spec(), &swapped), key);
        let mut renamed = spec();
        renamed.references[1].name = "狗".into();
        assert_ne!(setup_key(&renamed, &contents), key);
        let mut prompt = spec();
        prompt.prompt.push('!');
        assert_ne!(setup_key(&prompt, &contents), key);
        let mut longer = spec();
        longer.duration += 1;
        assert_ne!(setup_key(&longer, &contents), key);
        let mut audio = spec();
        audio.audio = !audio.audio;
        assert_ne!(setup_key(&audio, &contents), key);
        let mut fixed = spec();
        fixed.seed = Seed::Fixed(7);
        let fixed_key = setup_key(&fixed, &contents);
        assert_ne!(fixed_key, key);
        fixed.seed = Seed::Fixed(8);
        assert_ne!(setup_key(&fixed, &contents), fixed_key);
    }

    #[test]
    fn a_repeat_is_one_under_way_or_billed_within_half_an_hour() {
        let now = 10 * DUPLICATE_WINDOW_MS;
        let running = PastUse {
            setup: "k",
            under_way: true,
            billed_end_ms: None,
        };
        assert!(repeats(&running, "k", now));
        assert!(!repeats(&running, "other", now));
        let recent = PastUse {
            setup: "k",
            under_way: false,
            billed_end_ms: Some(now - DUPLICATE_WINDOW_MS + 1),
        };
        assert!(repeats(&recent, "k", now));
        let old = PastUse {
            billed_end_ms: Some(now - DUPLICATE_WINDOW_MS),
            ..recent
        };
        assert!(!repeats(&old, "k", now));
        let never_billed = PastUse {
            setup: "k",
            under_way: false,
            billed_end_ms: None,
        };
        assert!(!repeats(&never_billed, "k", now));
    }
}
