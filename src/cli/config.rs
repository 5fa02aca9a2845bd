//! `r2v-studio config`: the window's settings from a terminal. The same
//! `settings.json` the window reads and writes (in `R2V_STUDIO_CONFIG_DIR` when
//! set); the engine reads the budget caps and prices again for every new job,
//! so a change counts at once, also for a window that is open.

use super::{EXIT_INVALID, env_lang};
use crate::core::Lang;
use crate::settings::Settings;
use crate::tr;
use clap::{Args, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: ConfigAction,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Every setting and its value.
    List,
    /// One setting's value.
    Get {
        /// For example budget.daily (see `config list`).
        key: String,
    },
    /// Change a setting: `config set budget.daily 20`; `off` removes a cap.
    Set {
        /// For example budget.daily (see `config list`).
        key: String,
        value: String,
    },
}

pub fn run(args: &ConfigArgs) -> ExitCode {
    let lang = env_lang();
    let dir = Settings::default_dir();
    let loaded = Settings::load(&dir);
    match &args.action {
        ConfigAction::List => {
            let settings = or_defaults(loaded, lang);
            let keys = Settings::keys();
            let width = keys.iter().map(String::len).max().unwrap_or(0);
            for key in keys {
                let value = settings.get(&key).unwrap_or_default();
                println!("{key:width$} = {value}");
            }
            ExitCode::SUCCESS
        }
        ConfigAction::Get { key } => {
            let settings = or_defaults(loaded, lang);
            match settings.get(key) {
                Some(value) => {
                    println!("{value}");
                    ExitCode::SUCCESS
                }
                None => unknown_key(key, lang),
            }
        }
        ConfigAction::Set { key, value } => {
            // A damaged file is not overwritten with defaults behind the user's back.
            let mut settings = match loaded {
                Ok(settings) => settings,
                Err(problem) => {
                    eprintln!("{}", problem.get(lang));
                    eprintln!("{}", tr!(lang, "cli-config-not-saved"));
                    return ExitCode::from(super::jobs::EXIT_FAILED);
                }
            };
            if let Err(problem) = settings.set(key, value) {
                eprintln!("{}", problem.get(lang));
                return ExitCode::from(EXIT_INVALID);
            }
            if let Err(problem) = settings.save(&dir) {
                eprintln!("{}", problem.get(lang));
                return ExitCode::from(super::jobs::EXIT_FAILED);
            }
            println!("{key} = {}", settings.get(key).unwrap_or_default());
            ExitCode::SUCCESS
        }
    }
}

fn or_defaults(loaded: Result<Settings, crate::core::Localized>, lang: Lang) -> Settings {
    loaded.unwrap_or_else(|problem| {
        eprintln!("{}", problem.get(lang));
        Settings::default()
    })
}

fn unknown_key(key: &str, lang: Lang) -> ExitCode {
    eprintln!("{}", tr!(lang, "cli-settings-key-unknown", key = key));
    ExitCode::from(EXIT_INVALID)
}
