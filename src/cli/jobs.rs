//! Commands that drive the job engine: generate, resume, cancel, jobs, show.

use super::{EXIT_INVALID, SpecArgs, env_lang, print_problems};
use crate::api::{ApiKey, resolve_base_url};
use crate::core::GenerationSpec;
use crate::core::{Lang, Localized};
use crate::engine::Handle;
use crate::engine::store::Store;
use crate::engine::{
    Allow, Command, EngineConfig, EngineError, Event, EventSink, Job, JobId, JobState, Refusal,
};
use crate::settings::Settings;
use crate::tr;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

pub const EXIT_FAILED: u8 = 1;
pub const EXIT_PENDING: u8 = 3;

/// Shortest job or task id `show` and `cancel` accept: fewer characters would name
/// too many jobs (and an empty one, from an unset shell variable, every job).
pub const MIN_ID_CHARS: usize = 6;

/// Where the engine works: shared by every engine command.
#[derive(Debug, Args, Clone)]
pub struct EngineArgs {
    /// Service base URL [default: $DASHSCOPE_HTTP_BASE_URL, else Beijing].
    #[arg(long, value_name = "URL")] // not text: --help placeholder
    pub base_url: Option<String>,
    /// Folder of the job journal [default: the platform's data folder].
    // not text: placeholder, variable
    #[arg(long, value_name = "DIR", env = "R2V_STUDIO_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Folder for finished videos [default: ~/Videos/R2V Studio].
    #[arg(long, value_name = "DIR")] // not text: --help placeholder
    pub out: Option<PathBuf>,
    /// Assume generation takes this many seconds (for the simulator and tests).
    #[arg(long, value_name = "SECS", hide = true)] // not text: --help placeholder
    pub expect_secs: Option<f64>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    #[command(flatten)]
    pub engine: EngineArgs,
    /// Return once the task is created (or, while another R2V Studio runs the
    /// engine for the data folder, once it has journaled the job: it finishes it);
    /// `r2v-studio resume` finishes it later.
    #[arg(long)]
    pub no_wait: bool,
    /// Send it even if the same setup is under way or finished less than 30
    /// minutes ago (another take on purpose).
    #[arg(long)]
    pub again: bool,
    /// Send it even if it goes over a budget cap (`config set budget.daily …`).
    #[arg(long)]
    pub over_budget: bool,
}

impl GenerateArgs {
    /// A take of a video (`--from`) is asked for on purpose.
    fn allow(&self) -> Allow {
        Allow {
            over_budget: self.over_budget,
            again: self.again || self.spec.from.is_some(),
        }
    }
}

#[derive(Debug, Args)]
pub struct JobsArgs {
    /// Every job, not only unfinished and recent ones.
    #[arg(long)]
    pub all: bool,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Args)]
pub struct ResumeArgs {
    #[command(flatten)]
    pub engine: EngineArgs,
    /// If another R2V Studio is using the data folder, wait up to SECS for it to
    /// finish instead of stopping at once.
    #[arg(long, value_name = "SECS", default_value_t = 0)] // not text: --help placeholder
    pub wait: u64,
}

#[derive(Debug, Args)]
pub struct CancelArgs {
    /// A job id as `jobs` prints it (its last characters), the whole id, its first
    /// characters, or a task id; at least 6 characters.
    pub id: String,
    #[command(flatten)]
    pub engine: EngineArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A job id as `jobs` prints it (its last characters), the whole id, its first
    /// characters, or a task id; at least 6 characters.
    pub id: String,
    #[command(flatten)]
    pub engine: EngineArgs,
}

impl EngineArgs {
    /// The data folder, absolute: a relative `--data-dir` means the current folder's.
    pub fn data_dir(&self) -> PathBuf {
        super::absolute(
            self.data_dir
                .clone()
                .unwrap_or_else(EngineConfig::default_data_dir),
        )
    }

    /// The engine's configuration: these flags over the window's settings
    /// (`config`), over the defaults.
    fn config(&self, resume_on_start: bool) -> EngineConfig {
        let settings_dir = Settings::default_dir();
        let settings = Settings::load(&settings_dir).unwrap_or_else(|problem| {
            tracing::warn!("{}", problem.en);
            Settings::default()
        });
        let mut config = EngineConfig::new(
            resolve_base_url(self.base_url.as_deref(), Some(settings.service_url())),
            ApiKey::from_env(),
            self.data_dir(),
            // Journaled with each job: `resume` from another folder must write here.
            super::absolute(
                self.out
                    .clone()
                    .or(settings.output_dir)
                    .unwrap_or_else(EngineConfig::default_output_dir),
            ),
        );
        config.jobs_per_series = settings.jobs_per_series;
        config.queries_per_second = settings.queries_per_second;
        config.settings_dir = Some(settings_dir);
        config.resume_on_start = resume_on_start;
        config.expected_generation = self
            .expect_secs
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(Duration::from_secs_f64);
        config
    }
}

/// Says `text` (from the engine: a notice, a warning) on stderr in the user's language.
fn say(lang: Lang, text: &Localized) {
    eprintln!("{}", text.get(lang));
}

fn start_engine(config: EngineConfig, lang: Lang) -> Result<(Handle, Receiver<Event>), ExitCode> {
    start_engine_waiting(config, lang, Duration::ZERO, &AtomicBool::new(false))
}

/// How long a command waits for a running engine's socket to answer (it may
/// be starting, or handing over to another process).
const CONNECT_WAIT: Duration = Duration::from_secs(15);

/// Starts the engine, or becomes the client of the one another process runs for
/// the data folder. While neither works (an engine starting or stopping), tries
/// again for a while; past that, while another R2V Studio holds the data folder
/// without answering, tries for up to `wait` more (saying so once), unless
/// interrupted.
fn start_engine_waiting(
    config: EngineConfig,
    lang: Lang,
    wait: Duration,
    interrupted: &AtomicBool,
) -> Result<(Handle, Receiver<Event>), ExitCode> {
    let started = Instant::now();
    let deadline = started + wait.max(CONNECT_WAIT);
    let mut said = false;
    loop {
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = EventSink::new(tx, Arc::new(|| {}));
        match Handle::start(&config, &sink, false) {
            Ok(handle) => return Ok((handle, rx)),
            Err(EngineError::Locked(path)) if Instant::now() < deadline => {
                if interrupted.load(Ordering::SeqCst) {
                    return Err(ExitCode::from(EXIT_PENDING));
                }
                // Past the moment an engine takes to answer: say why we wait.
                if !said && started.elapsed() > Duration::from_secs(2) {
                    let text = tr!(
                        lang,
                        "cli-waiting-for-data-folder",
                        seconds = (deadline - started).as_secs(),
                        path = path.display().to_string(),
                    );
                    eprintln!("{text}");
                    said = true;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => {
                eprintln!("{}", tr!(lang, "cli-start-failed", error = e.describe()));
                return Err(ExitCode::from(EXIT_FAILED));
            }
        }
    }
}

/// Set by Ctrl-C or SIGTERM.
fn interrupt_flag() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let set = flag.clone();
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(super::wait_for_stop_signal());
        set.store(true, Ordering::SeqCst);
    });
    flag
}

fn no_key_help(lang: Lang) {
    eprintln!("{}", tr!(lang, "cli-no-key"));
}

pub fn generate(args: &GenerateArgs) -> ExitCode {
    let lang = env_lang();
    let spec = match super::spec_or_exit(&args.spec, lang, &args.engine.data_dir()) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    if ApiKey::from_env().is_none() {
        no_key_help(lang);
        return ExitCode::from(EXIT_INVALID);
    }
    let config = args.engine.config(false);
    let out = config.output_dir.clone();
    let data_dir = config.data_dir.clone();
    let (mut engine, mut events) = match start_engine(config.clone(), lang) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let interrupted = interrupt_flag();
    let ids = engine.generate_takes(
        spec.clone(),
        Some(out.clone()),
        usize::from(args.spec.takes),
        args.allow(),
    );
    let mut watch = Watch::new(lang, ids.iter().cloned().collect());
    // Through another process's engine, the job is in good hands once journaled.
    let client = engine.is_client();
    let early = |job: &Job| args.no_wait && (client || job.state.has_task());
    let followed = follow(
        &mut engine,
        &mut events,
        &mut watch,
        &interrupted,
        early,
        &config,
        |engine, watch| {
            let asked = Asked {
                ids: &ids,
                spec: &spec,
                out: &out,
                allow: args.allow(),
            };
            takeover(engine, watch, &asked)
        },
    );
    let result = match followed {
        Ok(result) => result,
        Err(code) => return code,
    };
    engine.shutdown();
    watch.finish();
    match result {
        Outcome::EngineGone => ExitCode::from(EXIT_PENDING),
        Outcome::Interrupted => {
            // Only the journal knows whether the jobs were written before the stop
            // (the takes of a set are written together: all or none).
            for id in &ids {
                let saved = journal(&args.engine, lang, |s| s.get(id)).map(|j| j.is_some());
                let text = match saved {
                    Ok(true) => tr!(lang, "cli-generate-interrupted", id = id.to_string()),
                    Ok(false) => tr!(
                        lang,
                        "cli-generate-interrupted-unsaved",
                        id = id.to_string()
                    ),
                    Err(code) => return code,
                };
                eprintln!("{text}");
            }
            ExitCode::from(EXIT_PENDING)
        }
        Outcome::NotJournaled(error) => {
            let text = tr!(
                lang,
                "cli-not-journaled",
                id = ids
                    .iter()
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                error = error,
                path = data_dir.display().to_string(),
            );
            eprintln!("{text}");
            ExitCode::from(EXIT_FAILED)
        }
        Outcome::Stopped => {
            // Each take's video path on stdout, in take order; the exit code is the
            // worst of them (a failed take makes it 1 even if others are done).
            let codes: Vec<ExitCode> = ids
                .iter()
                .map(|id| match watch.jobs.get(id) {
                    Some(job) if watch.stopped_on_trouble(job, early) => {
                        engine_trouble(lang, job);
                        ExitCode::from(EXIT_FAILED)
                    }
                    Some(job) => report(lang, job, args.no_wait),
                    None => ExitCode::from(EXIT_FAILED),
                })
                .collect();
            if ids.len() > 1 {
                let done = ids
                    .iter()
                    .filter(|id| {
                        watch
                            .jobs
                            .get(*id)
                            .is_some_and(|j| j.state == JobState::Done)
                    })
                    .count();
                eprintln!(
                    "{}",
                    tr!(lang, "cli-takes-summary", done = done, takes = ids.len())
                );
            }
            worst(&codes)
        }
        Outcome::Rejected => ExitCode::from(EXIT_INVALID),
    }
}

/// Follows the watched jobs to their end. When the engine's process goes away
/// (the window closed, the command that ran it finished or was killed), this
/// command runs the engine itself, or follows whichever command did, and
/// `again` asks it to continue the jobs.
fn follow(
    engine: &mut Handle,
    events: &mut Receiver<Event>,
    watch: &mut Watch,
    interrupted: &AtomicBool,
    early: impl Fn(&Job) -> bool + Copy,
    config: &EngineConfig,
    again: impl Fn(&Handle, &Watch),
) -> Result<Outcome, ExitCode> {
    loop {
        match watch.run(events, interrupted, early) {
            Outcome::EngineGone => {
                let (new_engine, new_events) = start_engine(config.clone(), watch.lang)?;
                std::mem::replace(engine, new_engine).shutdown();
                *events = new_events;
                // Listening again: what ended while nobody told this command
                // (another command's engine finished it in between) is in the
                // journal, and no event will say it again.
                watch.settle_from_journal(&config.data_dir, early);
                again(engine, watch);
            }
            other => return Ok(other),
        }
    }
}

/// After a hand-over (the watch has read the journal, see
/// [`Watch::settle_from_journal`]): continues this command's jobs that are
/// known and have not ended. `Resume` never sends a create again for a job
/// whose create may have been sent, and the engine runs each job once however
/// many ask. Jobs neither the journal nor any event knows were never
/// journaled, so nothing of them was sent: they are asked for again, with the
/// same ids (all the takes of a set are journaled together, so either all of
/// them are there or none).
fn takeover(engine: &Handle, watch: &Watch, asked: &Asked<'_>) {
    let mut missing = Vec::new();
    for id in asked.ids.iter().filter(|id| watch.waiting.contains(*id)) {
        if watch.jobs.contains_key(id) {
            engine.send(Command::Resume(id.clone()));
        } else {
            missing.push(id.clone());
        }
    }
    if !missing.is_empty() && missing.len() == asked.ids.len() {
        engine.send(Command::Generate {
            ids: missing,
            spec: asked.spec.clone(),
            output_dir: Some(asked.out.to_path_buf()),
            allow: asked.allow,
        });
    }
}

/// What a `generate` asked the engine for.
struct Asked<'a> {
    ids: &'a [JobId],
    spec: &'a GenerationSpec,
    out: &'a std::path::Path,
    allow: Allow,
}

/// Why nothing was sent, and the flag that sends it anyway.
fn print_refusal(refusal: &Refusal, lang: Lang) {
    eprintln!("{}", refusal.message().get(lang));
    let hint = match refusal {
        Refusal::Duplicate { earlier } => tr!(
            lang,
            "cli-refused-duplicate-hint",
            id = earlier.id.to_string()
        ),
        Refusal::OverBudget { .. } => tr!(lang, "cli-refused-budget-hint"),
    };
    eprintln!("{hint}");
}

/// Failed over pending over done.
fn worst(codes: &[ExitCode]) -> ExitCode {
    if codes.contains(&ExitCode::from(EXIT_FAILED)) {
        ExitCode::from(EXIT_FAILED)
    } else if codes.contains(&ExitCode::from(EXIT_PENDING)) {
        ExitCode::from(EXIT_PENDING)
    } else {
        ExitCode::SUCCESS
    }
}

/// The engine stopped `job` on trouble it reported above (the journal, the engine).
fn engine_trouble(lang: Lang, job: &Job) {
    eprintln!(
        "{}",
        tr!(lang, "cli-engine-trouble", id = job.id.to_string())
    );
}

pub fn resume(args: &ResumeArgs) -> ExitCode {
    let lang = env_lang();
    let engine_args = &args.engine;
    let open = match journal(engine_args, lang, Store::unfinished) {
        Ok(jobs) => jobs,
        Err(code) => return code,
    };
    if open.is_empty() {
        eprintln!("{}", tr!(lang, "cli-resume-nothing"));
        return ExitCode::SUCCESS;
    }
    if ApiKey::from_env().is_none() {
        no_key_help(lang);
        return ExitCode::from(EXIT_INVALID);
    }
    let interrupted = interrupt_flag();
    let wait = Duration::from_secs(args.wait);
    let (engine, events) =
        match start_engine_waiting(engine_args.config(false), lang, wait, &interrupted) {
            Ok(e) => e,
            Err(code) => return code,
        };
    // The engine now holds the data folder: read again what is unfinished, since
    // another R2V Studio may have finished some of these jobs in the meantime.
    let still_open = match journal(engine_args, lang, Store::unfinished) {
        Ok(jobs) => jobs,
        Err(code) => return code,
    };
    let ids: HashSet<JobId> = still_open.iter().map(|j| j.id.clone()).collect();
    let mut finished_meanwhile = Vec::new();
    for job in open.iter().filter(|j| !ids.contains(&j.id)) {
        match journal(engine_args, lang, |s| s.get(&job.id)) {
            Ok(Some(now)) => finished_meanwhile.push(now),
            Ok(None) => {}
            Err(code) => return code,
        }
    }
    let mut codes = Vec::new();
    for job in &finished_meanwhile {
        let text = tr!(
            lang,
            "cli-resume-finished-meanwhile",
            id = job.id.to_string()
        );
        eprintln!("{text}");
        codes.push(report(lang, job, false));
    }
    let mut watch = Watch::new(lang, ids.clone());
    let (mut engine, mut events) = (engine, events);
    let result = if ids.is_empty() {
        Outcome::Stopped
    } else {
        engine.send(Command::ResumeAll);
        let config = engine_args.config(false);
        match follow(
            &mut engine,
            &mut events,
            &mut watch,
            &interrupted,
            |_| false,
            &config,
            |engine, _| engine.send(Command::ResumeAll),
        ) {
            Ok(result) => result,
            Err(code) => return code,
        }
    };
    engine.shutdown();
    watch.finish();
    if matches!(result, Outcome::Interrupted) {
        eprintln!("{}", tr!(lang, "cli-resume-interrupted"));
        return ExitCode::from(EXIT_PENDING);
    }
    for id in &ids {
        if let Some(job) = watch.jobs.get(id) {
            if watch.stopped_on_trouble(job, |_| false) {
                engine_trouble(lang, job);
                codes.push(ExitCode::from(EXIT_FAILED));
            } else {
                codes.push(report(lang, job, false));
            }
        }
    }
    worst(&codes)
}

pub fn cancel(args: &CancelArgs) -> ExitCode {
    let lang = env_lang();
    let job = match find(&args.engine, &args.id, lang) {
        Ok(job) => job,
        Err(code) => return code,
    };
    if job.state.is_final() {
        let text = tr!(
            lang,
            "cli-cancel-already-final",
            id = job.id.to_string(),
            state = job.state.describe().get(lang).to_lowercase(),
        );
        eprintln!("{text}");
        return ExitCode::SUCCESS;
    }
    let (engine, events) = match start_engine(args.engine.config(false), lang) {
        Ok(e) => e,
        Err(code) => return code,
    };
    engine.send(Command::Cancel(job.id.clone()));
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut code = ExitCode::from(EXIT_FAILED);
    while Instant::now() < deadline {
        match events.recv_timeout(Duration::from_millis(200)) {
            Ok(Event::Job(j)) if j.id == job.id && j.state == JobState::Canceled => {
                eprintln!("{}", tr!(lang, "cli-cancel-done", id = j.id.to_string()));
                code = ExitCode::SUCCESS;
                break;
            }
            Ok(Event::Notice {
                job: Some(id),
                message,
            }) if id == job.id => {
                say(lang, &message);
                break;
            }
            Ok(_) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    engine.shutdown();
    code
}

pub fn show(args: &ShowArgs) -> ExitCode {
    let lang = env_lang();
    match find(&args.engine, &args.id, lang) {
        Ok(job) => {
            println!("{}", serde_json::to_string_pretty(&job).unwrap_or_default());
            ExitCode::SUCCESS
        }
        Err(code) => code,
    }
}

pub fn list(args: &JobsArgs) -> ExitCode {
    let lang = env_lang();
    let jobs = match journal(&args.engine, lang, Store::all) {
        Ok(jobs) => jobs,
        Err(code) => return code,
    };
    let mut finished_shown = 0;
    let shown: Vec<&Job> = jobs
        .iter()
        .filter(|j| {
            if args.all || !j.state.is_final() {
                return true;
            }
            finished_shown += 1;
            finished_shown <= 10
        })
        .collect();
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&shown).unwrap_or_default()
        );
        return ExitCode::SUCCESS;
    }
    if shown.is_empty() {
        eprintln!("{}", tr!(lang, "cli-jobs-none"));
        return ExitCode::SUCCESS;
    }
    for job in shown {
        let when = crate::engine::output::ms_to_rfc3339(job.created_ms);
        let size = job.spec.size().map(|s| s.to_string()).unwrap_or_default();
        let detail = match (&job.output_path, &job.error) {
            (_, Some(e)) if job.state == JobState::Failed => {
                format!("{}: {}", e.code, e.message.get(lang))
            }
            (Some(p), _) if job.state == JobState::Done => p.display().to_string(),
            _ => job.task_id.clone().unwrap_or_default(),
        };
        let duration = tr!(lang, "cli-jobs-duration", seconds = job.spec.duration);
        let star = if job.review.starred { "★ " } else { "" }; // not text: a symbol
        println!(
            "{}  {:<16} {:<5} {:<9} {:>3}  {}  {star}{}  {}",
            job.id.short(),
            job.state.describe().get(lang),
            job.spec.model.info().short_name,
            size,
            duration,
            &when[..when.len().min(19)],
            crate::core::refname::truncate(job.title(), 40),
            detail
        );
    }
    ExitCode::SUCCESS
}

/// The one job `text` names (see [`ShowArgs::id`]); says why when none or several.
fn find(args: &EngineArgs, text: &str, lang: Lang) -> Result<Job, ExitCode> {
    let text = text.trim();
    let query = format!("{text:?}");
    if text.chars().count() < MIN_ID_CHARS {
        let message = tr!(
            lang,
            "cli-find-too-short",
            query = query,
            min = MIN_ID_CHARS
        );
        eprintln!("{message}");
        return Err(ExitCode::from(EXIT_INVALID));
    }
    const SHOWN: usize = 10;
    let mut candidates = journal(args, lang, |s| s.find_all(text, SHOWN + 1))?;
    // A whole job id or a task id is exact, whatever else it is a part of.
    if let Some(exact) = candidates
        .iter()
        .position(|j| j.id.0.eq_ignore_ascii_case(text) || j.task_id.as_deref() == Some(text))
    {
        return Ok(candidates.swap_remove(exact));
    }
    match candidates.len() {
        0 => {
            eprintln!("{}", tr!(lang, "cli-find-no-match", query = query));
            Err(ExitCode::from(EXIT_INVALID))
        }
        1 => Ok(candidates.swap_remove(0)),
        count => {
            let more = count > SHOWN;
            let mut err = std::io::stderr().lock();
            let heading = tr!(lang, "cli-find-ambiguous", query = query);
            let _ = writeln!(err, "{heading}");
            for job in candidates.iter().take(SHOWN) {
                let when = crate::engine::output::ms_to_rfc3339(job.created_ms);
                let _ = writeln!(
                    err,
                    "  {}  {:<16} {}  {}",
                    job.id,
                    job.state.describe().get(lang),
                    &when[..when.len().min(19)],
                    crate::core::refname::truncate(job.title(), 40),
                );
            }
            if more {
                let _ = writeln!(err, "  {}", tr!(lang, "cli-find-more"));
            }
            Err(ExitCode::from(EXIT_INVALID))
        }
    }
}

/// Reads the journal (without starting the engine); says why when it cannot.
fn journal<T>(
    args: &EngineArgs,
    lang: Lang,
    read: impl FnOnce(&Store) -> Result<T, crate::engine::store::StoreError>,
) -> Result<T, ExitCode> {
    Store::open(&args.data_dir().join("jobs.sqlite")) // not text: a file name
        .and_then(|store| read(&store))
        .map_err(|e| {
            eprintln!(
                "{}",
                tr!(lang, "cli-journal-unreadable", error = e.to_string())
            );
            ExitCode::from(EXIT_FAILED)
        })
}

/// The final word on a job; its exit code.
fn report(lang: Lang, job: &Job, no_wait: bool) -> ExitCode {
    match job.state {
        JobState::Done => {
            let video = job
                .output_path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            let sidecar = job
                .sidecar_path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            println!("{video}");
            eprintln!("{}", tr!(lang, "cli-report-done", video = &video));
            eprintln!("{}", tr!(lang, "cli-report-details", sidecar = sidecar));
            let billed = tr!(
                lang,
                "cli-report-billed",
                seconds = fmt_secs(job.billed_seconds),
                task = job.task_id.as_deref().unwrap_or("?"),
            );
            eprintln!("{billed}");
            ExitCode::SUCCESS
        }
        JobState::Failed | JobState::Canceled | JobState::Expired => {
            let reason = match &job.error {
                Some(e) => {
                    let request_id = e
                        .request_id
                        .as_deref()
                        .map(|r| tr!(lang, "cli-report-request-id", request_id = r))
                        .unwrap_or_default();
                    let error = tr!(
                        lang,
                        "cli-report-error",
                        code = &e.code,
                        message = &e.message,
                        advice = &e.advice,
                    );
                    format!("{error}{request_id}")
                }
                None => job.state.describe().get(lang).to_string(),
            };
            let text = tr!(
                lang,
                "cli-report-ended",
                id = job.id.to_string(),
                state = job.state.describe().get(lang).to_lowercase(),
                reason = reason,
            );
            eprintln!("{text}");
            ExitCode::from(EXIT_FAILED)
        }
        JobState::SubmitUnknown => {
            if let Some(w) = &job.warning {
                say(lang, w);
            }
            eprintln!("{}", tr!(lang, "cli-report-waits", id = job.id.to_string()));
            ExitCode::from(EXIT_PENDING)
        }
        _ => {
            if no_wait && job.task_id.is_none() {
                eprintln!(
                    "{}",
                    tr!(lang, "cli-report-handed-over", id = job.id.to_string())
                );
            } else if no_wait {
                let text = tr!(
                    lang,
                    "cli-report-submitted",
                    id = job.id.to_string(),
                    task = job.task_id.as_deref().unwrap_or("?"),
                );
                eprintln!("{text}");
            } else if let Some(e) = &job.error {
                let text = tr!(
                    lang,
                    "cli-report-stopped",
                    id = job.id.to_string(),
                    message = &e.message,
                    advice = &e.advice,
                );
                eprintln!("{text}");
            }
            ExitCode::from(EXIT_PENDING)
        }
    }
}

fn fmt_secs(s: Option<f64>) -> String {
    s.map(|s| format!("{s}")).unwrap_or_else(|| "?".into())
}

enum Outcome {
    Stopped,
    /// The engine this command was a client of went away.
    EngineGone,
    Interrupted,
    Rejected,
    /// The new job could not be journaled (the engine's error).
    NotJournaled(Localized),
}

/// Follows jobs' events and shows progress until every one is idle.
struct Watch {
    lang: Lang,
    waiting: HashSet<JobId>,
    jobs: std::collections::HashMap<JobId, Job>,
    bar: ProgressBar,
    started: Instant,
    /// The engine reported trouble of its own (the journal failed, it could not
    /// start): a job it leaves unfinished stopped because of it.
    trouble: bool,
}

impl Watch {
    fn new(lang: Lang, ids: HashSet<JobId>) -> Watch {
        // Without a terminal (a script, `2>log`, cron) there is no bar, and every
        // line goes to stderr as it is.
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        } else {
            ProgressBar::hidden()
        };
        Watch {
            lang,
            waiting: ids,
            jobs: Default::default(),
            bar,
            started: Instant::now(),
            trouble: false,
        }
    }

    /// A line above the bar, or a plain line on stderr when there is no bar.
    fn line(&self, text: &str) {
        if self.bar.is_hidden() {
            eprintln!("{text}");
        } else {
            self.bar.println(text);
        }
    }

    /// Reads the waited-for jobs from the journal at `data_dir` (after a
    /// takeover, when events may have been missed): each one found is known as
    /// it is there, and those that ended (or are `done_early`) are waited for
    /// no more.
    fn settle_from_journal(
        &mut self,
        data_dir: &std::path::Path,
        done_early: impl Fn(&Job) -> bool,
    ) {
        let journal = data_dir.join("jobs.sqlite"); // not text: a file name
        // Unreadable: the engine reports its journal's trouble itself.
        let Ok(store) = Store::open(&journal) else {
            return;
        };
        let mut waiting: Vec<JobId> = self.waiting.iter().cloned().collect();
        waiting.sort();
        for id in waiting {
            let Ok(Some(job)) = store.get(&id) else {
                continue;
            };
            if job.state.is_final() || done_early(&job) {
                if self.jobs.get(&id).map(|j| j.state) != Some(job.state) {
                    self.line(&format!(
                        "{}  {}",
                        job.id.short(),
                        job.state.describe().get(self.lang)
                    ));
                }
                self.waiting.remove(&id);
            }
            self.jobs.insert(id, job);
        }
    }

    /// `job` went idle unfinished, not by choice, after the engine reported trouble.
    fn stopped_on_trouble(&self, job: &Job, done_early: impl Fn(&Job) -> bool) -> bool {
        self.trouble && !job.state.is_final() && !done_early(job) && job.error.is_none()
    }

    fn run(
        &mut self,
        events: &Receiver<Event>,
        interrupted: &AtomicBool,
        done_early: impl Fn(&Job) -> bool,
    ) -> Outcome {
        while !self.waiting.is_empty() {
            if interrupted.load(Ordering::SeqCst) {
                return Outcome::Interrupted;
            }
            let event = match events.recv_timeout(Duration::from_millis(200)) {
                Ok(e) => e,
                Err(RecvTimeoutError::Timeout) => {
                    self.tick();
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return Outcome::Stopped,
            };
            match event {
                Event::Job(job)
                    if self.waiting.contains(&job.id) || self.jobs.contains_key(&job.id) =>
                {
                    let changed = self.jobs.get(&job.id).map(|j| j.state) != Some(job.state);
                    if changed {
                        self.line(&format!(
                            "{}  {}",
                            job.id.short(),
                            job.state.describe().get(self.lang)
                        ));
                    }
                    if let Some(w) = &job.warning
                        && self.jobs.get(&job.id).and_then(|j| j.warning.as_ref()) != Some(w)
                    {
                        self.line(&format!("   {}", w.get(self.lang)));
                    }
                    // Trouble the engine keeps retrying (a full disk, an output folder
                    // that cannot be written): said at once, with what to do.
                    if !job.state.is_final()
                        && let Some(e) = &job.error
                        && self.jobs.get(&job.id).and_then(|j| j.error.as_ref()) != Some(e)
                    {
                        self.line(&format!(
                            "   {} {}",
                            e.message.get(self.lang),
                            e.advice.get(self.lang)
                        ));
                    }
                    let early = done_early(&job);
                    let finished = job.state.is_final();
                    let id = job.id.clone();
                    self.jobs.insert(id.clone(), *job);
                    if early || finished {
                        self.waiting.remove(&id);
                    }
                    self.tick();
                }
                Event::Idle(id) => {
                    self.waiting.remove(&id);
                }
                Event::EngineGone => return Outcome::EngineGone,
                Event::NotJournaled { id, error } if self.waiting.contains(&id) => {
                    self.bar.finish_and_clear();
                    return Outcome::NotJournaled(error);
                }
                Event::Rejected { id, problems } if self.waiting.contains(&id) => {
                    self.bar.finish_and_clear();
                    print_problems(&problems, self.lang);
                    return Outcome::Rejected;
                }
                Event::Refused { ids, refusal }
                    if ids.iter().any(|id| self.waiting.contains(id)) =>
                {
                    self.bar.finish_and_clear();
                    print_refusal(&refusal, self.lang);
                    return Outcome::Rejected;
                }
                Event::Upload {
                    job,
                    index,
                    sent,
                    total,
                } if self.waiting.contains(&job) => {
                    let pct = (sent * 100).checked_div(total).unwrap_or(100);
                    let text = tr!(
                        self.lang,
                        "cli-watch-uploading",
                        number = index + 1,
                        percent = pct,
                    );
                    self.bar.set_message(format!("{}  {text}", job.short()));
                }
                Event::Download {
                    job,
                    received,
                    total,
                    bytes_per_sec,
                } if self.waiting.contains(&job) => {
                    let progress = match total {
                        Some(t) if t > 0 => format!("{}%", received * 100 / t),
                        _ => tr!(
                            self.lang,
                            "cli-watch-kilobytes",
                            kilobytes = received / 1024
                        ),
                    };
                    let text = tr!(
                        self.lang,
                        "cli-watch-downloading",
                        progress = progress,
                        speed = format!("{:.1}", bytes_per_sec / 1e6),
                    );
                    self.bar.set_message(format!("{}  {text}", job.short()));
                }
                Event::Queue(queue) => {
                    for (i, id) in queue.iter().enumerate() {
                        if self.waiting.contains(id) {
                            let text = tr!(self.lang, "cli-watch-queued", position = i + 1);
                            self.bar.set_message(format!("{}  {text}", id.short()));
                        }
                    }
                }
                Event::Notice { job, message }
                    if job.as_ref().is_none_or(|j| self.waiting.contains(j)) =>
                {
                    self.trouble |= job.is_none();
                    self.line(message.get(self.lang));
                }
                _ => {}
            }
        }
        Outcome::Stopped
    }

    fn tick(&self) {
        let elapsed = self.started.elapsed().as_secs();
        let active: Vec<String> = self
            .waiting
            .iter()
            .filter_map(|id| self.jobs.get(id))
            .filter(|j| matches!(j.state, JobState::Pending | JobState::Running))
            .map(|j| format!("{} {}", j.id.short(), j.state.describe().get(self.lang)))
            .collect();
        if !active.is_empty() {
            self.bar.set_message(format!(
                "{}  {}:{:02}",
                active.join(", "),
                elapsed / 60,
                elapsed % 60
            ));
        }
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::GenerationSpec;

    /// A command that takes over after its engine's process died must not wait
    /// for an event about a job that another command's engine finished in
    /// between: the journal says so, and nothing else will.
    #[test]
    fn a_job_that_ended_while_the_command_had_no_engine_is_taken_from_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("jobs.sqlite")).unwrap();
        let mut ended = Job::new(GenerationSpec::default(), "/tmp".into(), 1);
        let mut running = Job::new(GenerationSpec::default(), "/tmp".into(), 1);
        ended.set_state(JobState::Done, 2);
        running.set_state(JobState::Running, 2);
        let unknown = JobId::new();
        store.save(&ended, 3).unwrap();
        store.save(&running, 3).unwrap();
        let ids = [ended.id.clone(), running.id.clone(), unknown.clone()];
        let mut watch = Watch::new(Lang::En, ids.iter().cloned().collect());

        watch.settle_from_journal(dir.path(), |_| false);
        let mut waiting: Vec<JobId> = watch.waiting.iter().cloned().collect();
        waiting.sort();
        let mut expected = vec![running.id.clone(), unknown.clone()];
        expected.sort();
        assert_eq!(waiting, expected);
        assert_eq!(watch.jobs[&ended.id].state, JobState::Done);
        // Known as the journal has it (a takeover resumes it), unlike one it
        // never had.
        assert_eq!(watch.jobs[&running.id].state, JobState::Running);
        assert!(!watch.jobs.contains_key(&unknown));

        // With --no-wait a job with a task is as good as ended.
        watch.settle_from_journal(dir.path(), |job| job.state.has_task());
        assert!(!watch.waiting.contains(&running.id));
    }
}
