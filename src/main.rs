//! `r2v-studio`: the window by default, the command line with a subcommand.

use clap::Parser;
use r2v_studio::cli::{self, Cli};
use r2v_studio::ui::{self, WindowOptions};
use std::process::ExitCode;

fn main() -> ExitCode {
    init_logging();
    let args = Cli::parse();
    match args.command {
        Some(command) => cli::run(command),
        None => {
            if let Err(code) = cli::check_window_files(&args.files) {
                return code;
            }
            let options = WindowOptions {
                demo: args.demo,
                base_url: args.window.base_url,
                data_dir: args.window.data_dir.map(cli::absolute),
                out: args.window.out.map(cli::absolute),
                lang: Some(cli::env_lang()),
                files: args.files,
            };
            match ui::run(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("r2v-studio: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Logs go to stderr, filtered by `R2V_LOG` (e.g. `R2V_LOG=debug`), warnings by default.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("R2V_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
