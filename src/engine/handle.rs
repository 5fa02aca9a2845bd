//! The engine a window or a command works with: its own, or (while another
//! R2V Studio runs the engine for the same data folder) that one, as its client.
//! Windows and commands use it alike; see `hub.rs` and `remote.rs`.

use super::{Allow, Command, Engine, EngineConfig, EngineError, EventSink, GenerationSpec, JobId};
use std::path::PathBuf;

pub enum Handle {
    /// This process runs the engine for its data folder.
    Own(Engine),
    /// Another process does: jobs go there. A window also has a helper engine
    /// for its own chores (thumbnails, posters, pasted pictures), which holds no
    /// lock and runs no job.
    Client {
        remote: super::remote::Remote,
        helper: Option<Engine>,
    },
}

impl Handle {
    /// The engine for the data folder: this process's own, or the running one
    /// as its client (with a helper for a window's chores when `with_helper`).
    /// `EngineError::Locked` while the folder is held and nobody answers (an
    /// engine starting or handing over). Not for the UI thread.
    pub fn start(
        config: &EngineConfig,
        sink: &EventSink,
        with_helper: bool,
    ) -> Result<Handle, EngineError> {
        match Engine::start(config.clone(), sink.clone()) {
            Ok(engine) => Ok(Handle::Own(engine)),
            Err(EngineError::Locked(path)) => {
                let remote = super::remote::Remote::connect(&path, sink.clone())
                    .map_err(|_| EngineError::Locked(path.clone()))?;
                let helper = if with_helper {
                    Some(Engine::start_helper(config.clone(), sink.clone())?)
                } else {
                    None
                };
                Ok(Handle::Client { remote, helper })
            }
            Err(e) => Err(e),
        }
    }

    /// Whether another process runs the engine (this one is its client).
    pub fn is_client(&self) -> bool {
        !matches!(self, Handle::Own(_))
    }

    /// Job commands go to the engine; a window's chores to its helper.
    pub fn send(&self, command: Command) {
        match self {
            Handle::Own(engine) => engine.send(command),
            Handle::Client { remote, helper } => match (command, helper) {
                (
                    command @ (Command::LoadImage { .. }
                    | Command::LoadPoster { .. }
                    | Command::StoreImage { .. }
                    | Command::MeasureArchive
                    | Command::PruneArchive),
                    Some(helper),
                ) => helper.send(command),
                (command, _) => {
                    remote.send(command);
                }
            },
        }
    }

    /// As [`Engine::generate_takes`], through whichever engine runs.
    pub fn generate_takes(
        &self,
        spec: GenerationSpec,
        output_dir: Option<PathBuf>,
        takes: usize,
        allow: Allow,
    ) -> Vec<JobId> {
        let (ids, command) = Command::generate_takes(spec, output_dir, takes, allow);
        self.send(command);
        ids
    }

    /// Stops the own engine (its jobs stop at safe points; clients take over);
    /// a client leaves the other process's engine running its jobs.
    pub fn shutdown(self) {
        match self {
            Handle::Own(engine) => engine.shutdown(),
            Handle::Client { remote, helper } => {
                drop(remote);
                if let Some(helper) = helper {
                    helper.shutdown();
                }
            }
        }
    }
}
