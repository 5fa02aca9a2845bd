//! The journal: every job in SQLite, written before each network step and after
//! each answer, so that a crash at any moment loses nothing.

use super::job::{Job, JobId, JobState};
use crate::core::{Localized, Model, Tier};
use crate::loc;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashSet;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the job database failed: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("a job record could not be read: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the job database is from a newer version of R2V Studio (schema {0}); update the app")]
    TooNew(i64),
}

impl StoreError {
    /// What went wrong, for people (the `Display` text is for logs).
    pub fn describe(&self) -> Localized {
        match self {
            StoreError::Sql(e) => loc!("engine-store-failed", error = e.to_string()),
            StoreError::Json(e) => loc!("engine-store-record-unreadable", error = e.to_string()),
            StoreError::TooNew(schema) => loc!("engine-store-too-new", schema = *schema),
        }
    }
}

/// Schema migrations, applied in order; `user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    // 1: jobs and the upload cache.
    "CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        state TEXT NOT NULL,
        model TEXT NOT NULL,
        tier TEXT NOT NULL,
        duration INTEGER NOT NULL,
        task_id TEXT,
        prompt TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX jobs_state ON jobs(state);
    CREATE INDEX jobs_task ON jobs(task_id);
    CREATE INDEX jobs_kind ON jobs(model, tier, duration, state);
    CREATE TABLE uploads (
        content_hash TEXT NOT NULL,
        model TEXT NOT NULL,
        oss_url TEXT NOT NULL,
        uploaded_ms INTEGER NOT NULL,
        PRIMARY KEY (content_hash, model)
    );",
    // 2: uploads belong to one service and account (`scope`); the old cache cannot
    // say whose its uploads were, so it is dropped.
    "DROP TABLE uploads;
    CREATE TABLE uploads (
        content_hash TEXT NOT NULL,
        model TEXT NOT NULL,
        scope TEXT NOT NULL,
        oss_url TEXT NOT NULL,
        uploaded_ms INTEGER NOT NULL,
        PRIMARY KEY (content_hash, model, scope)
    );
    CREATE INDEX uploads_url ON uploads(oss_url);",
    // 3: the spending rules read the recent jobs before every new one.
    "CREATE INDEX jobs_created ON jobs(created_ms);",
];

pub struct Store {
    conn: Connection,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the journal at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        // Switching a new journal to WAL needs it to itself for a moment, and
        // SQLite answers "busy" at once then (without waiting): another process
        // opening it at the same moment tries again.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match Store::setup(Connection::open(path)?) {
                Err(StoreError::Sql(rusqlite::Error::SqliteFailure(e, _)))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy
                        && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                other => return other,
            }
        }
    }

    pub fn open_in_memory() -> Result<Store, StoreError> {
        Store::setup(Connection::open_in_memory()?)
    }

    fn setup(conn: Connection) -> Result<Store, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // WAL lets the CLI read while the app writes; FULL syncs every commit, so a
        // state change is on disk before the network step that follows it.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let mut store = Store { conn };
        store.migrate()?;
        Ok(store)
    }

    /// Brings the journal's tables up to date. Several processes may open the
    /// journal at once (the engine, `jobs`, `show`): the migrations run under the
    /// write lock, and the version is read again once it is held, so that only
    /// one of them migrates.
    fn migrate(&mut self) -> Result<(), StoreError> {
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > MIGRATIONS.len() as i64 {
            return Err(StoreError::TooNew(version));
        }
        if version == MIGRATIONS.len() as i64 {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Writes the whole job (insert or replace) and syncs it to disk.
    pub fn save(&self, job: &Job, now_ms: i64) -> Result<(), StoreError> {
        self.conn
            .execute(UPSERT, row(job, now_ms)?.as_params().as_slice())?;
        Ok(())
    }

    /// Writes new jobs in one transaction: all of them, or none (an id already in
    /// the journal fails the whole write). The takes of a set are journaled this
    /// way, so that a crash never leaves part of a set to be sent.
    pub fn insert_new(&self, jobs: &[Job], now_ms: i64) -> Result<(), StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        for job in jobs {
            tx.execute(INSERT, row(job, now_ms)?.as_params().as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Every job of a set of takes, in take order (retries after the take they
    /// replace).
    pub fn take_set(&self, set_id: &str) -> Result<Vec<Job>, StoreError> {
        let mut jobs = self.query(
            "SELECT data FROM jobs WHERE json_extract(data, '$.take_set.id') = ?1
             ORDER BY created_ms ASC, id ASC",
            [set_id],
        )?;
        jobs.sort_by_key(|j| j.take_set.as_ref().map_or(0, |t| t.index));
        Ok(jobs)
    }

    pub fn get(&self, id: &JobId) -> Result<Option<Job>, StoreError> {
        let data: Option<String> = self
            .conn
            .query_row("SELECT data FROM jobs WHERE id = ?1", [&id.0], |r| r.get(0))
            .optional()?;
        data.map(|d| serde_json::from_str(&d).map_err(StoreError::from))
            .transpose()
    }

    /// A job by its id, a unique prefix of it, or its task id.
    pub fn find(&self, text: &str) -> Result<Option<Job>, StoreError> {
        let pattern = format!("{}%", text.replace(['%', '_'], ""));
        let mut stmt = self
            .conn
            .prepare("SELECT data FROM jobs WHERE id LIKE ?1 OR task_id = ?2 LIMIT 2")?;
        let rows: Vec<String> = stmt
            .query_map(params![pattern, text], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        match rows.as_slice() {
            [one] => Ok(Some(serde_json::from_str(one)?)),
            _ => Ok(None),
        }
    }

    /// Every job, newest first.
    pub fn all(&self) -> Result<Vec<Job>, StoreError> {
        self.query(
            "SELECT data FROM jobs ORDER BY created_ms DESC, id DESC",
            [],
        )
    }

    /// Jobs asked for at or after `since_ms`, and every job not in a final
    /// state, newest first (what the spending rules look at).
    pub fn since_or_unfinished(&self, since_ms: i64) -> Result<Vec<Job>, StoreError> {
        self.query(
            "SELECT data FROM jobs
             WHERE created_ms >= ?1 OR state NOT IN ('done', 'failed', 'canceled', 'expired')
             ORDER BY created_ms DESC, id DESC",
            [since_ms],
        )
    }

    /// Jobs not in a final state, oldest first (the order they resume in).
    pub fn unfinished(&self) -> Result<Vec<Job>, StoreError> {
        self.query(
            "SELECT data FROM jobs WHERE state NOT IN ('done', 'failed', 'canceled', 'expired')
             ORDER BY created_ms ASC, id ASC",
            [],
        )
    }

    fn query<P: rusqlite::Params>(&self, sql: &str, params: P) -> Result<Vec<Job>, StoreError> {
        let mut stmt = self.conn.prepare(sql)?;
        let rows: Vec<String> = stmt
            .query_map(params, |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        rows.iter()
            .map(|d| serde_json::from_str(d).map_err(StoreError::from))
            .collect()
    }

    /// Task ids already owned by some job (never adopt one twice).
    pub fn known_task_ids(&self) -> Result<HashSet<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT task_id FROM jobs WHERE task_id IS NOT NULL")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    pub fn delete(&self, id: &JobId) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM jobs WHERE id = ?1", [&id.0])?
            > 0)
    }

    /// A previous upload of the same content for the same model, if young enough.
    /// A previous upload of the same content, for the same model, service and
    /// account (`scope`), if young enough.
    pub fn cached_upload(
        &self,
        content_hash: &str,
        model: Model,
        scope: &str,
        not_before_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT oss_url FROM uploads WHERE content_hash = ?1 AND model = ?2 AND scope = ?3
                 AND uploaded_ms >= ?4",
                params![content_hash, model.wire_name(), scope, not_before_ms],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn record_upload(
        &self,
        content_hash: &str,
        model: Model,
        scope: &str,
        oss_url: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO uploads (content_hash, model, scope, oss_url, uploaded_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![content_hash, model.wire_name(), scope, oss_url, now_ms],
        )?;
        Ok(())
    }

    /// Forgets uploads the service no longer has.
    pub fn forget_upload(&self, oss_url: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM uploads WHERE oss_url = ?1", [oss_url])?;
        Ok(())
    }

    /// Seconds from task creation to success for recent finished jobs of this kind
    /// (most recent first, at most 50).
    pub fn past_generation_seconds(
        &self,
        model: Model,
        tier: Tier,
        duration: u32,
    ) -> Result<Vec<f64>, StoreError> {
        let jobs = self.query(
            "SELECT data FROM jobs WHERE model = ?1 AND tier = ?2 AND duration = ?3
             AND state IN ('done', 'downloading', 'succeeded') ORDER BY created_ms DESC LIMIT 50",
            params![model.wire_name(), tier.label(), duration],
        )?;
        Ok(jobs
            .iter()
            .filter_map(|j| {
                let start = j.task_created_ms?;
                let end = j.entered(JobState::Succeeded)?;
                (end > start).then(|| (end - start) as f64 / 1000.0)
            })
            .collect())
    }

    /// Jobs that `text` names: the whole id, its beginning, its end (what `jobs`
    /// prints), or the task id. Case is ignored; at most `limit` jobs, newest first.
    pub fn find_all(&self, text: &str, limit: usize) -> Result<Vec<Job>, StoreError> {
        let escaped = text
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        self.query(
            "SELECT data FROM jobs WHERE id LIKE ?1 ESCAPE '\\' OR id LIKE ?2 ESCAPE '\\'
             OR task_id = ?3 ORDER BY created_ms DESC, id DESC LIMIT ?4",
            params![
                format!("{escaped}%"),
                format!("%{escaped}"),
                text,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
        )
    }
}

const INSERT: &str = "INSERT INTO jobs (id, created_ms, updated_ms, state, model, tier, duration, task_id, prompt, data)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

const UPSERT: &str = "INSERT INTO jobs (id, created_ms, updated_ms, state, model, tier, duration, task_id, prompt, data)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
     ON CONFLICT(id) DO UPDATE SET updated_ms = ?3, state = ?4, model = ?5, tier = ?6,
         duration = ?7, task_id = ?8, prompt = ?9, data = ?10";

/// A job's columns, in the order of [`INSERT`] and [`UPSERT`].
struct Row {
    id: String,
    created_ms: i64,
    updated_ms: i64,
    state: &'static str,
    model: &'static str,
    tier: String,
    duration: u32,
    task_id: Option<String>,
    prompt: String,
    data: String,
}

impl Row {
    fn as_params(&self) -> [&dyn rusqlite::ToSql; 10] {
        [
            &self.id,
            &self.created_ms,
            &self.updated_ms,
            &self.state,
            &self.model,
            &self.tier,
            &self.duration,
            &self.task_id,
            &self.prompt,
            &self.data,
        ]
    }
}

fn row(job: &Job, now_ms: i64) -> Result<Row, StoreError> {
    Ok(Row {
        id: job.id.0.clone(),
        created_ms: job.created_ms,
        updated_ms: now_ms,
        state: job.state.as_str(),
        model: job.spec.model.wire_name(),
        tier: job.spec.tier.label().to_string(),
        duration: job.spec.duration,
        task_id: job.task_id.clone(),
        prompt: job.spec.prompt.clone(),
        data: serde_json::to_string(job)?,
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn processes_opening_a_new_journal_at_the_same_moment_all_get_it() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("jobs.sqlite");
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let (path, barrier) = (path.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        Store::open(&path).map(|s| s.all().map(|jobs| jobs.len()))
                    })
                })
                .collect();
            for handle in handles {
                let opened = handle.join().unwrap();
                assert!(matches!(opened, Ok(Ok(0))), "{opened:?}");
            }
        }
    }

    use super::*;
    use crate::core::GenerationSpec;

    fn job(prompt: &str, created: i64) -> Job {
        let spec = GenerationSpec {
            prompt: prompt.into(),
            ..GenerationSpec::default()
        };
        Job::new(spec, "/tmp/out".into(), created)
    }

    #[test]
    fn the_spending_rules_see_recent_jobs_and_every_unfinished_one() {
        let store = Store::open_in_memory().unwrap();
        let mut old_done = job("旧的", 100);
        old_done.set_state(JobState::Done, 200);
        let old_running = job("还在跑", 150);
        let mut recent_done = job("新的", 1_000);
        recent_done.set_state(JobState::Done, 1_100);
        for j in [&old_done, &old_running, &recent_done] {
            store.save(j, 0).unwrap();
        }
        let seen: Vec<JobId> = store
            .since_or_unfinished(1_000)
            .unwrap()
            .into_iter()
            .map(|j| j.id)
            .collect();
        assert_eq!(seen, vec![recent_done.id.clone(), old_running.id.clone()]);
    }

    #[test]
    fn a_set_of_takes_is_journaled_whole_or_not_at_all() {
        let store = Store::open_in_memory().unwrap();
        let set = crate::engine::TakeSet::new_id();
        let takes: Vec<Job> = (1..=3)
            .map(|index| {
                let mut j = job("一只猫", 10 + i64::from(index));
                j.take_set = Some(crate::engine::TakeSet {
                    id: set.clone(),
                    index,
                    of: 3,
                    drawn_seed: false,
                });
                j
            })
            .collect();
        store.insert_new(&takes[..2], 20).unwrap();
        // The third take with a second's id: the write fails and adds nothing.
        let mut clash = takes[2].clone();
        clash.id = takes[1].id.clone();
        assert!(store.insert_new(&[takes[2].clone(), clash], 21).is_err());
        assert!(store.get(&takes[2].id).unwrap().is_none(), "rolled back");
        assert_eq!(store.all().unwrap().len(), 2);
        store.insert_new(&takes[2..], 22).unwrap();
        let read: Vec<u32> = store
            .take_set(&set)
            .unwrap()
            .iter()
            .map(|j| j.take_set.as_ref().unwrap().index)
            .collect();
        assert_eq!(read, vec![1, 2, 3]);
        assert!(store.take_set("another").unwrap().is_empty());
    }

    #[test]
    fn saves_and_reads_jobs_back() {
        let store = Store::open_in_memory().unwrap();
        let mut a = job("first 第一", 1);
        store.save(&a, 1).unwrap();
        a.set_state(JobState::Pending, 2);
        a.task_id = Some("task-1".into());
        store.save(&a, 2).unwrap();
        assert_eq!(store.get(&a.id).unwrap().unwrap(), a);
        assert_eq!(store.find("task-1").unwrap().unwrap().id, a.id);
        assert_eq!(store.find(&a.id.0[..13]).unwrap().unwrap().id, a.id);
        assert!(store.known_task_ids().unwrap().contains("task-1"));
    }

    #[test]
    fn lists_newest_first_and_unfinished_oldest_first() {
        let store = Store::open_in_memory().unwrap();
        let a = job("a", 1);
        let mut b = job("b", 2);
        let c = job("c", 3);
        b.set_state(JobState::Done, 5);
        for j in [&a, &b, &c] {
            store.save(j, 5).unwrap();
        }
        let all: Vec<_> = store
            .all()
            .unwrap()
            .into_iter()
            .map(|j| j.spec.prompt)
            .collect();
        assert_eq!(all, vec!["c", "b", "a"]);
        let open: Vec<_> = store
            .unfinished()
            .unwrap()
            .into_iter()
            .map(|j| j.spec.prompt)
            .collect();
        assert_eq!(open, vec!["a", "c"]);
        assert!(store.delete(&a.id).unwrap());
        assert_eq!(store.all().unwrap().len(), 2);
    }

    #[test]
    fn uploads_are_reused_only_while_young_for_the_same_model_and_scope() {
        let store = Store::open_in_memory().unwrap();
        store
            .record_upload("h1", Model::C1, "acct-a", "oss://x/a.png", 1000)
            .unwrap();
        let hit = store.cached_upload("h1", Model::C1, "acct-a", 500).unwrap();
        assert_eq!(hit.as_deref(), Some("oss://x/a.png"));
        assert_eq!(
            store
                .cached_upload("h1", Model::C1, "acct-a", 2000)
                .unwrap(),
            None
        );
        assert_eq!(
            store.cached_upload("h1", Model::V56, "acct-a", 0).unwrap(),
            None
        );
        assert_eq!(
            store.cached_upload("h1", Model::C1, "acct-b", 0).unwrap(),
            None
        );
        store.forget_upload("oss://x/a.png").unwrap();
        assert_eq!(
            store.cached_upload("h1", Model::C1, "acct-a", 0).unwrap(),
            None
        );
    }

    #[test]
    fn learns_generation_times_from_finished_jobs() {
        let store = Store::open_in_memory().unwrap();
        let mut j = job("a", 1);
        j.task_created_ms = Some(10_000);
        j.set_state(JobState::Succeeded, 70_000);
        j.set_state(JobState::Done, 71_000);
        store.save(&j, 71_000).unwrap();
        let spec = &j.spec;
        assert_eq!(
            store
                .past_generation_seconds(spec.model, spec.tier, spec.duration)
                .unwrap(),
            vec![60.0]
        );
        assert!(
            store
                .past_generation_seconds(Model::V56, spec.tier, spec.duration)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn files_survive_reopening_and_refuse_newer_schemas() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.sqlite");
        let j = job("persisted", 1);
        Store::open(&path).unwrap().save(&j, 1).unwrap();
        assert_eq!(Store::open(&path).unwrap().get(&j.id).unwrap().unwrap(), j);
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        assert!(matches!(Store::open(&path), Err(StoreError::TooNew(99))));
    }
}
