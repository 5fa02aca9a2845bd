//! The command line: the same engine and library as the window.

mod config;
mod jobs;

pub use jobs::EngineArgs;

use crate::api::{self, CreateTaskRequest, export};
use crate::core::capabilities::{self as caps, Size};
use crate::core::refname;
use crate::core::{
    AspectRatio, Field, GenerationSpec, Lang, Localized, Model, Problem, RefSource, Reference,
    Seed, Tier,
};
use crate::engine::EngineConfig;
use crate::sim::{SimConfig, Simulator};
use crate::{loc, tr};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Exit code for invalid input.
pub const EXIT_INVALID: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "r2v-studio", // not text: the program's name
    version,
    // not text: the --help text stays English, like the doc comments
    about = "Reference images and a prompt in, a PixVerse video out (Alibaba Cloud Model Studio).",
    long_about = None,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Open the window against the built-in simulator, with sample references.
    #[arg(long)]
    pub demo: bool,
    /// Where the window's engine works.
    #[command(flatten)]
    pub window: EngineArgs,
    /// Pictures to open the window with, as references (up to seven), or a project (*.r2v.json).
    #[arg(value_name = "IMAGE")] // not text: clap's placeholder
    pub files: Vec<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a video: validate, journal, upload, submit, wait, download.
    Generate(jobs::GenerateArgs),
    /// Validate a generation and print the exact request body and a curl command.
    DryRun(DryRunArgs),
    /// List jobs from the journal (unfinished and recent; --all for every one).
    Jobs(jobs::JobsArgs),
    /// Run every unfinished job to its end.
    Resume(jobs::ResumeArgs),
    /// Cancel a queued job or a task still waiting on the service.
    Cancel(jobs::CancelArgs),
    /// Show everything the journal knows about one job.
    Show(jobs::ShowArgs),
    /// Read or change the settings the window uses (budgets, prices, folders).
    Config(config::ConfigArgs),
    /// Run the built-in Model Studio simulator on 127.0.0.1.
    Sim(SimArgs),
}

/// What to generate: the same flags for `dry-run` and (later) `generate`.
#[derive(Debug, Args, Clone)]
pub struct SpecArgs {
    /// Start from the settings inside a video R2V Studio made (its references
    /// from the archive if the originals moved); other flags override them, and
    /// --ref replaces all the references.
    #[arg(long, value_name = "VIDEO")] // not text: --help placeholder
    pub from: Option<PathBuf>,
    /// Model: c1, v5.6, v6, or its full name (pixverse/pixverse-c1-r2v) [default: c1].
    #[arg(long)]
    pub model: Option<String>,
    /// A reference image, `[NAME=]PATH_OR_URL`; repeat for up to 7. Without NAME one
    /// is proposed from the file name.
    // not text: flag and --help placeholder
    #[arg(long = "ref", value_name = "[NAME=]PATH_OR_URL")]
    pub refs: Vec<String>,
    /// The prompt; mention references as @NAME.
    #[arg(long, conflicts_with = "prompt_file")] // not text: a field name
    pub prompt: Option<String>,
    /// Read the prompt from a UTF-8 file.
    #[arg(long, value_name = "FILE")] // not text: --help placeholder
    pub prompt_file: Option<PathBuf>,
    /// Output size as W*H (e.g. 1280*720); or use --tier and --ratio.
    #[arg(long, conflicts_with_all = ["tier", "ratio"])] // not text: field names
    pub size: Option<String>,
    /// Resolution tier: 360p, 540p, 720p or 1080p.
    #[arg(long)]
    pub tier: Option<String>,
    /// Aspect ratio: 16:9, 4:3, 1:1, 3:4, 9:16, 3:2, 2:3, 21:9 (the last three: c1 only).
    #[arg(long)]
    pub ratio: Option<String>,
    /// Length in seconds (c1: 1–15; v5.6: 5, 8, 10; 5 or 8 at 1080p).
    #[arg(long)]
    pub duration: Option<u32>,
    /// Let the model add matching sound.
    #[arg(long)]
    pub audio: bool,
    /// Add the "AI生成" watermark.
    #[arg(long)]
    pub watermark: bool,
    /// A fixed seed (0–2147483647); random when left out.
    #[arg(long)]
    pub seed: Option<u32>,
    /// Send the same setup N times (1–4), each take a billed task of its own with its
    /// own random seed unless --seed is given (a shared seed does not make them
    /// identical on this service).
    // not text: --help placeholder
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub takes: u8,
}

#[derive(Debug, Args)]
pub struct DryRunArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Service base URL [default: $DASHSCOPE_HTTP_BASE_URL, else Beijing].
    #[arg(long, value_name = "URL")] // not text: --help placeholder
    pub base_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The only API key the simulator accepts.
    #[arg(long, default_value = crate::sim::DEFAULT_SIM_KEY)]
    pub api_key: String,
    /// Seconds from create to SUCCEEDED (the first fifth PENDING).
    #[arg(long, default_value_t = 20.0)]
    pub task_seconds: f64,
    /// Share of tasks that fail (0–1).
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Share of task queries answered 500/503 (0–1).
    #[arg(long, default_value_t = 0.0)]
    pub query_error_rate: f64,
    /// Share of API calls whose connection drops before the answer (0–1).
    #[arg(long, default_value_t = 0.0)]
    pub drop_rate: f64,
    /// Share of downloads cut halfway (0–1).
    #[arg(long, default_value_t = 0.0)]
    pub cut_rate: f64,
    /// Pace downloads at this many bytes per second.
    #[arg(long, value_name = "BYTES")] // not text: --help placeholder
    pub download_rate: Option<u64>,
    /// Seconds a video link stays valid.
    #[arg(long, default_value_t = caps::VIDEO_URL_LIFETIME_SECS)]
    pub link_ttl: u64,
    /// Seconds a task id stays valid.
    #[arg(long, default_value_t = caps::TASK_LIFETIME_SECS)]
    pub task_ttl: u64,
    /// Prompts containing this word fail moderation (repeatable; default 违禁, forbidden).
    // not text: flag and --help placeholder
    #[arg(long = "moderation-word", value_name = "WORD")]
    pub moderation_words: Vec<String>,
    /// Seed for the simulator's random choices.
    #[arg(long, default_value_t = 0x5eed)]
    pub seed: u64,
}

/// Runs a parsed command line; `None` means "open the window" (not handled here).
pub fn run(command: Command) -> ExitCode {
    match command {
        Command::Generate(args) => jobs::generate(&args),
        Command::DryRun(args) => dry_run(&args),
        Command::Jobs(args) => jobs::list(&args),
        Command::Resume(args) => jobs::resume(&args),
        Command::Cancel(args) => jobs::cancel(&args),
        Command::Show(args) => jobs::show(&args),
        Command::Config(args) => config::run(&args),
        Command::Sim(args) => run_sim(&args),
    }
}

/// The interface language from the environment (`LC_ALL`, `LC_MESSAGES`, `LANG`).
pub fn env_lang() -> Lang {
    ["LC_ALL", "LC_MESSAGES", "LANG"] // not text: environment variables
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.is_empty())
        .map_or(Lang::En, |v| Lang::from_locale(&v))
}

/// Builds the spec from flags. Problems that flags alone reveal (an unknown model,
/// an unreadable prompt file, a missing image) come back with the spec's own.
pub fn build_spec(args: &SpecArgs) -> Result<GenerationSpec, Vec<Problem>> {
    build_spec_over(args, GenerationSpec::default())
}

/// The flags in `args` over `base` (the defaults, or a video's settings).
pub fn build_spec_over(
    args: &SpecArgs,
    base: GenerationSpec,
) -> Result<GenerationSpec, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut spec = base;
    if let Some(name) = args.model.as_deref() {
        match Model::from_name(name) {
            Some(model) => spec.model = model,
            None => problems.push(problem(
                "model.unknown", // not text: a problem code
                Field::Model,
                loc!("cli-problem-model-unknown", model = format!("{name:?}")),
            )),
        }
    }
    if let Some(text) = &args.size {
        match Size::parse(text).and_then(|s| spec.model.find_size(s)) {
            Some((tier, ratio)) => {
                spec.tier = tier;
                spec.ratio = ratio;
            }
            None => {
                let offered: Vec<String> = spec.model.all_sizes().map(|s| s.to_string()).collect();
                let offered = Localized::list(offered);
                problems.push(problem(
                    "size.unavailable", // not text: a problem code
                    Field::Ratio,
                    loc!(
                        "cli-problem-size-unavailable",
                        model = spec.model.info().display_name,
                        size = text,
                        offered = offered,
                    ),
                ));
            }
        }
    }
    if let Some(text) = &args.tier {
        match Tier::parse(text) {
            Some(tier) => spec.tier = tier,
            None => problems.push(problem(
                "tier.unknown", // not text: a problem code
                Field::Tier,
                loc!("cli-problem-tier-unknown", tier = format!("{text:?}")),
            )),
        }
    }
    if let Some(text) = &args.ratio {
        match AspectRatio::parse(text) {
            Some(ratio) => spec.ratio = ratio,
            None => problems.push(problem(
                "ratio.unknown", // not text: a problem code
                Field::Ratio,
                loc!("cli-problem-ratio-unknown", ratio = format!("{text:?}")),
            )),
        }
    }
    spec.duration = args.duration.unwrap_or(spec.duration);
    spec.audio |= args.audio;
    spec.watermark |= args.watermark;
    spec.seed = args.seed.map_or(spec.seed, Seed::Fixed);
    spec.prompt = match (&args.prompt, &args.prompt_file) {
        (Some(p), _) => p.clone(),
        (None, Some(path)) => match std::fs::read_to_string(path) {
            Ok(text) => text.trim_end_matches(['\n', '\r']).to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                problems.push(problem(
                    "prompt.file_not_utf8", // not text: a problem code
                    Field::Prompt(None),
                    loc!(
                        "cli-problem-prompt-file-not-utf8",
                        path = path.display().to_string()
                    ),
                ));
                String::new()
            }
            Err(e) => {
                problems.push(problem(
                    "prompt.file_unreadable", // not text: a problem code
                    Field::Prompt(None),
                    loc!(
                        "cli-problem-prompt-file-unreadable",
                        error = e.to_string(),
                        path = path.display().to_string(),
                    ),
                ));
                String::new()
            }
        },
        (None, None) => spec.prompt.clone(),
    };
    if !args.refs.is_empty() {
        spec.references.clear();
    }
    let explicit: Vec<Option<(String, String)>> = args.refs.iter().map(|r| split_ref(r)).collect();
    let mut taken: Vec<String> = explicit.iter().flatten().map(|(n, _)| n.clone()).collect();
    for (i, (text, named)) in args.refs.iter().zip(&explicit).enumerate() {
        let (name, source_text) = match named {
            Some((name, source)) => (name.clone(), source.clone()),
            None => {
                let name = refname::propose(text, &taken);
                taken.push(name.clone());
                (name, text.clone())
            }
        };
        let source = match RefSource::from_text(&source_text) {
            // Journaled jobs resume from any folder: keep absolute paths.
            RefSource::Local(path) => RefSource::Local(std::path::absolute(&path).unwrap_or(path)),
            url => url,
        };
        if let RefSource::Local(path) = &source
            && !path.as_os_str().is_empty()
            && let Some(p) = local_file_problem(i, path)
        {
            problems.push(p);
        }
        spec.references.push(Reference { name, source });
    }
    problems.extend(spec.validate());
    if problems.is_empty() {
        Ok(spec)
    } else {
        Err(problems)
    }
}

/// Largest local reference accepted, in bytes (decided from the file's size alone,
/// before anything reads it): the engine's own limit, checked up front.
pub const MAX_REFERENCE_FILE_BYTES: u64 = crate::engine::MAX_REFERENCE_BYTES;

/// What is wrong with local reference `index` at `path`, from its metadata only.
fn local_file_problem(index: usize, path: &std::path::Path) -> Option<Problem> {
    let number = index + 1;
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).ok();
    if meta.as_ref().is_some_and(|m| m.is_dir()) {
        return Some(problem(
            "ref.file.folder", // not text: a problem code
            Field::RefSource(index),
            loc!("cli-problem-ref-is-folder", number = number, path = shown),
        ));
    }
    let Some(meta) = meta.filter(|m| m.is_file()) else {
        return Some(problem(
            "ref.file.missing", // not text: a problem code
            Field::RefSource(index),
            loc!(
                "cli-problem-ref-file-missing",
                number = number,
                path = shown
            ),
        ));
    };
    (meta.len() > MAX_REFERENCE_FILE_BYTES).then(|| {
        problem(
            "ref.file.too_large", // not text: a problem code
            Field::RefSource(index),
            loc!(
                "cli-problem-ref-too-large",
                number = number,
                size = megabytes(meta.len()),
                limit = megabytes(MAX_REFERENCE_FILE_BYTES),
                path = shown,
            ),
        )
    })
}

/// Bytes as decimal megabytes with one decimal (`201.0`).
fn megabytes(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

/// `path` made absolute against the current folder (journaled paths must not depend
/// on where a later command runs); as given when that is impossible.
pub fn absolute(path: PathBuf) -> PathBuf {
    std::path::absolute(&path).unwrap_or(path)
}

/// The window opens with the pictures given on the command line only when each is an
/// existing file or an image URL; anything else is a mistyped command or a missing
/// file, said as such (exit code 2) instead of opening the window.
pub fn check_window_files(files: &[PathBuf]) -> Result<(), ExitCode> {
    let lang = env_lang();
    for (i, file) in files.iter().enumerate() {
        let text = file.to_string_lossy();
        if file.is_file() || matches!(RefSource::from_text(&text), RefSource::Url(_)) {
            continue;
        }
        let shown = file.display().to_string();
        let message = if file.is_dir() {
            tr!(lang, "cli-window-folder", path = shown)
        } else if i == 0 && !text.contains(['/', '\\', '.']) {
            unknown_command(lang, &text)
        } else {
            tr!(lang, "cli-window-no-such-picture", path = shown)
        };
        eprintln!("{message}");
        return Err(ExitCode::from(EXIT_INVALID));
    }
    Ok(())
}

/// "Unknown command", with the closest command when one is close, else the list.
fn unknown_command(lang: Lang, word: &str) -> String {
    use clap::CommandFactory;
    let command = Cli::command();
    let names: Vec<String> = command
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    let quoted = format!("{word:?}");
    let closest = names
        .iter()
        .map(|name| (edit_distance(&word.to_lowercase(), name), name))
        .min_by_key(|(d, _)| *d)
        .filter(|(d, name)| *d <= 2 || d * 3 <= name.chars().count());
    match closest {
        Some((_, name)) => tr!(
            lang,
            "cli-unknown-command-suggest",
            command = quoted,
            suggestion = name.as_str()
        ),
        None => {
            let separator = tr!(lang, "list-separator");
            tr!(
                lang,
                "cli-unknown-command",
                command = quoted,
                commands = names.join(&separator)
            )
        }
    }
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// `NAME=SOURCE` when the part before `=` looks like a name rather than a path or URL.
fn split_ref(text: &str) -> Option<(String, String)> {
    let (name, source) = text.split_once('=')?;
    let looks_like_name = !name.is_empty() && !name.contains(['/', '\\', ':', '.', '?', '&']);
    (looks_like_name && !source.is_empty()).then(|| (name.to_string(), source.to_string()))
}

fn problem(code: &'static str, field: Field, message: Localized) -> Problem {
    Problem {
        code,
        field,
        message,
    }
}

pub(crate) fn print_problems(problems: &[Problem], lang: Lang) {
    let mut err = std::io::stderr().lock();
    let heading = tr!(lang, "cli-problems-heading", count = problems.len());
    let _ = writeln!(err, "{heading}");
    for p in problems {
        let _ = writeln!(err, "  ✗ {} [{}]", p.message.get(lang), p.code);
    }
}

/// The spec from flags, or every problem printed and exit code 2.
/// The spec the flags describe, over a video's settings with `--from`
/// (its references looked for in `data_dir`'s archive). A take of a video
/// whose seed the app drew gets a new random seed unless `--seed` is given.
pub(crate) fn spec_or_exit(
    args: &SpecArgs,
    lang: Lang,
    data_dir: &std::path::Path,
) -> Result<GenerationSpec, ExitCode> {
    let base = match &args.from {
        None => GenerationSpec::default(),
        Some(video) => {
            let archive = crate::provenance::Archive::in_data_dir(data_dir);
            match crate::provenance::restore(video, &archive) {
                Ok(restored) => {
                    let mut spec = restored.spec;
                    if restored.record.take.is_some_and(|t| t.drawn_seed) {
                        spec.seed = Seed::Random;
                    }
                    spec
                }
                Err(e) => {
                    eprintln!("{}", e.describe().get(lang));
                    return Err(ExitCode::from(EXIT_INVALID));
                }
            }
        }
    };
    build_spec_over(args, base).map_err(|problems| {
        print_problems(&problems, lang);
        ExitCode::from(EXIT_INVALID)
    })
}

fn dry_run(args: &DryRunArgs) -> ExitCode {
    let lang = env_lang();
    let data_dir = std::env::var_os("R2V_STUDIO_DATA_DIR") // not text: a variable's name
        .filter(|d| !d.is_empty())
        .map_or_else(EngineConfig::default_data_dir, PathBuf::from);
    let spec = match spec_or_exit(&args.spec, lang, &data_dir) {
        Ok(spec) => spec,
        Err(code) => return code,
    };
    let urls = export::placeholder_urls(&spec);
    let Some(body) = CreateTaskRequest::from_spec(&spec, &urls) else {
        eprintln!("{}", tr!(lang, "cli-dry-run-internal-error"));
        return ExitCode::FAILURE;
    };
    let base_url = api::resolve_base_url(args.base_url.as_deref(), None);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", export::request_json(&body));
    let _ = writeln!(out);
    let _ = writeln!(out, "{}", export::curl_command(&base_url, &body));
    if spec
        .references
        .iter()
        .any(|r| matches!(r.source, RefSource::Local(_)))
    {
        eprintln!("{}", tr!(lang, "cli-dry-run-upload-note"));
    }
    let takes = args.spec.takes;
    if let Some(price) = spec.estimated_price(&caps::default_prices()) {
        let note = match takes {
            1 => tr!(
                lang,
                "cli-dry-run-price",
                price = format!("{price:.2}"),
                currency = caps::PRICE_CURRENCY,
            ),
            _ => tr!(
                lang,
                "cli-dry-run-price-takes",
                total = format!("{:.2}", price * f64::from(takes)),
                takes = takes,
                price = format!("{price:.2}"),
                currency = caps::PRICE_CURRENCY,
            ),
        };
        eprintln!("{note}");
    }
    if takes > 1 {
        let note = match spec.seed {
            crate::core::Seed::Random => tr!(lang, "cli-dry-run-takes-random", takes = takes),
            crate::core::Seed::Fixed(seed) => {
                tr!(lang, "cli-dry-run-takes-fixed", takes = takes, seed = seed)
            }
        };
        eprintln!("{note}");
    }
    ExitCode::SUCCESS
}

fn run_sim(args: &SimArgs) -> ExitCode {
    let lang = env_lang();
    let rates = [
        ("--fail-rate", args.fail_rate),               // not text: a flag
        ("--query-error-rate", args.query_error_rate), // not text: a flag
        ("--drop-rate", args.drop_rate),               // not text: a flag
        ("--cut-rate", args.cut_rate),                 // not text: a flag
    ];
    if let Some((flag, _)) = rates.iter().find(|(_, r)| !(0.0..=1.0).contains(r)) {
        eprintln!("{}", tr!(lang, "cli-sim-rate-out-of-range", flag = *flag));
        return ExitCode::from(EXIT_INVALID);
    }
    if !(args.task_seconds.is_finite() && args.task_seconds >= 0.0) {
        eprintln!("{}", tr!(lang, "cli-sim-task-seconds-invalid"));
        return ExitCode::from(EXIT_INVALID);
    }
    let mut config =
        SimConfig::default().with_task_duration(Duration::from_secs_f64(args.task_seconds));
    config.api_key = args.api_key.clone();
    config.fail_rate = args.fail_rate;
    config.query_error_rate = args.query_error_rate;
    config.drop_rate = args.drop_rate;
    config.cut_download_rate = args.cut_rate;
    config.download_bytes_per_sec = args.download_rate;
    config.link_ttl = Duration::from_secs(args.link_ttl);
    config.task_ttl = Duration::from_secs(args.task_ttl);
    config.seed = args.seed;
    if !args.moderation_words.is_empty() {
        config.moderation_words = args.moderation_words.clone();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!(
                "{}",
                tr!(lang, "cli-sim-runtime-failed", error = e.to_string())
            );
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let sim = match Simulator::start(config, args.port).await {
            Ok(sim) => sim,
            Err(e) => {
                let error = e.to_string();
                let text = tr!(
                    lang,
                    "cli-sim-listen-failed",
                    port = args.port,
                    error = error
                );
                eprintln!("{text}");
                return ExitCode::FAILURE;
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "{}",
            tr!(lang, "cli-sim-listening", url = sim.base_url())
        );
        let _ = out.flush();
        drop(out);
        wait_for_stop_signal().await;
        sim.stop().await;
        eprintln!("{}", tr!(lang, "cli-sim-stopped"));
        ExitCode::SUCCESS
    })
}

/// Ctrl-C, or SIGTERM on Unix.
async fn wait_for_stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> SpecArgs {
        let mut argv = vec!["r2v-studio", "dry-run"];
        argv.extend_from_slice(extra);
        match Cli::parse_from(argv).command {
            Some(Command::DryRun(a)) => a.spec,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refs_take_an_optional_name() {
        assert_eq!(
            split_ref("hero=/tmp/a.png"),
            Some(("hero".into(), "/tmp/a.png".into()))
        );
        assert_eq!(
            split_ref("男人=https://e.com/a.png"),
            Some(("男人".into(), "https://e.com/a.png".into()))
        );
        assert_eq!(split_ref("https://e.com/a.png?x=1"), None);
        assert_eq!(split_ref("/tmp/a=b.png"), None);
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("genrate", "generate"), 1);
        assert_eq!(edit_distance("jbos", "jobs"), 2);
        assert_eq!(edit_distance("", "sim"), 3);
        assert_eq!(edit_distance("取消", "取"), 1);
        assert_eq!(edit_distance("show", "show"), 0);
    }

    #[test]
    fn builds_a_spec_from_flags() {
        let spec = build_spec(&args(&[
            "--model",
            "v5.6",
            "--ref",
            "cafe=https://e.com/c.jpg",
            "--ref",
            "https://e.com/Hero%20Shot.png",
            "--prompt",
            "@hero_shot 在@cafe 里",
            "--size",
            "1108*830",
            "--duration",
            "8",
            "--seed",
            "7",
        ]))
        .unwrap();
        assert_eq!(spec.model, Model::V56);
        assert_eq!(spec.ref_names(), vec!["cafe", "hero_shot"]);
        assert_eq!((spec.tier, spec.ratio), (Tier::P720, AspectRatio::R4x3));
        assert_eq!(spec.seed, Seed::Fixed(7));
    }

    #[test]
    fn collects_flag_problems_with_spec_problems() {
        let problems = build_spec(&args(&[
            "--model",
            "v5.6",
            "--ref",
            "/definitely/not/here.png",
            "--size",
            "1108*832",
            "--duration",
            "15",
        ]))
        .unwrap_err();
        let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            vec![
                "size.unavailable",
                "ref.file.missing",
                "prompt.empty",
                "duration.invalid"
            ]
        );
        let problems = build_spec(&args(&[
            "--model", "sora", "--tier", "480p", "--ratio", "5:4",
        ]))
        .unwrap_err();
        let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
        assert_eq!(
            &codes[..3],
            &["model.unknown", "tier.unknown", "ratio.unknown"]
        );
    }

    #[test]
    fn local_files_get_placeholder_urls() {
        let mut spec = GenerationSpec::default();
        spec.add_reference(RefSource::Local("/tmp/咖啡厅.png".into()));
        spec.add_reference(RefSource::Url("https://e.com/x.png".into()));
        assert_eq!(
            export::placeholder_urls(&spec),
            vec![
                "oss://dashscope-instant/<upload of 咖啡厅.png>".to_string(),
                "https://e.com/x.png".to_string()
            ]
        );
    }
}
