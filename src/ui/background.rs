//! Work that must not run on the UI thread (file dialogs, the keychain, files,
//! the network, stopping and starting the engine), done on one worker thread,
//! one task at a time in the order asked (a settings save and the engine
//! restart that follows it never overtake each other). Each task has a name for
//! the log and answers with a command; the shell takes the answers in `logic`,
//! which a repaint request wakes even while the window is hidden.

use super::command::AppCommand;
use std::sync::mpsc::{Receiver, Sender};

type Work = Box<dyn FnOnce() -> Option<AppCommand> + Send>;

struct Task {
    name: &'static str,
    work: Work,
}

pub struct Background {
    tasks: Sender<Task>,
    answers: Receiver<AppCommand>,
}

impl Background {
    /// Starts the worker; `wake` is called after each answer (a repaint request).
    pub fn start(wake: impl Fn() + Send + 'static) -> Background {
        let (tasks, queue) = std::sync::mpsc::channel::<Task>();
        let (answer, answers) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("r2v-chores".into()) // not text: a thread name
            .spawn(move || {
                for task in queue {
                    tracing::debug!("background task: {}", task.name);
                    if let Some(command) = (task.work)() {
                        if answer.send(command).is_err() {
                            break;
                        }
                        wake();
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!("could not start the worker thread: {e}");
        }
        Background { tasks, answers }
    }

    /// Queues `work`; its answer (if any) comes back through [`Self::answers`].
    pub fn run(
        &self,
        name: &'static str,
        work: impl FnOnce() -> Option<AppCommand> + Send + 'static,
    ) {
        let task = Task {
            name,
            work: Box::new(work),
        };
        if self.tasks.send(task).is_err() {
            tracing::error!("the worker thread is gone: {name} was not done");
        }
    }

    /// The answers that have arrived, oldest first.
    pub fn answers(&self) -> Vec<AppCommand> {
        self.answers.try_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};

    #[test]
    fn tasks_run_in_the_order_asked_and_each_answer_wakes_the_window() {
        let wakes = Arc::new(AtomicUsize::new(0));
        let counter = wakes.clone();
        let background = Background::start(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let done = Arc::new(Barrier::new(2));
        for i in 0..3 {
            background.run("numbered", move || {
                Some(AppCommand::CopyText(i.to_string()))
            });
        }
        background.run("silent", || None);
        let last = done.clone();
        background.run("last", move || {
            last.wait();
            None
        });
        done.wait();
        let answers: Vec<String> = background
            .answers()
            .into_iter()
            .map(|c| match c {
                AppCommand::CopyText(t) => t,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(answers, ["0", "1", "2"]);
        assert_eq!(
            wakes.load(Ordering::SeqCst),
            3,
            "a task without an answer wakes nobody"
        );
    }
}
