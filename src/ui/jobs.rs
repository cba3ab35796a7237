//! Background jobs: work that must not block a frame (autosave now; gazetteer matching, model
//! training and big imports or exports later) runs on a thread with a progress value and a
//! cancel flag, and delivers its result as a [`Command`] (which wakes the window).
//!
//! A job never touches the app's state: it gets what it needs moved in (a snapshot) and sends a
//! command back. Jobs of one [`JobQueue`] run in the order they were queued, so a later job
//! (removing a file) is never overtaken by an earlier one (writing it).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{Sender, channel};

use super::command::{Command, CommandSender};

/// What a running job sees: where to report progress, whether it was cancelled.
#[derive(Clone, Default)]
pub struct JobControl {
    progress: Arc<AtomicU32>,
    cancelled: Arc<AtomicBool>,
}

impl JobControl {
    /// Progress from 0.0 to 1.0.
    pub fn set_progress(&self, fraction: f32) {
        self.progress
            .store(fraction.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
    }

    pub fn progress(&self) -> f32 {
        f32::from_bits(self.progress.load(Ordering::Relaxed))
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// The cancel flag itself, for core work that polls an `AtomicBool` (tagger training).
    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancelled
    }
}

type Work = Box<dyn FnOnce(&JobControl) -> Option<Command> + Send>;

/// A worker thread running jobs one after the other.
pub struct JobQueue {
    jobs: Sender<(JobControl, Work)>,
}

impl JobQueue {
    /// A queue whose results go to `results`; `name` names its thread.
    pub fn new(name: &str, results: CommandSender) -> Self {
        let (jobs, queued) = channel::<(JobControl, Work)>();
        let spawned = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                while let Ok((control, work)) = queued.recv() {
                    // A job cancelled while it waited does not start.
                    if control.is_cancelled() {
                        continue;
                    }
                    if let Some(command) = work(&control) {
                        results.send(command);
                    }
                }
            });
        if let Err(error) = spawned {
            eprintln!("spantag: cannot start the {name} thread: {error}");
        }
        Self { jobs }
    }

    /// Queue `work`; it gets the returned control's progress and cancel flag, and the command
    /// it returns (if any) is sent to the app.
    pub fn push(
        &self,
        work: impl FnOnce(&JobControl) -> Option<Command> + Send + 'static,
    ) -> JobControl {
        let control = JobControl::default();
        let _ = self.jobs.send((control.clone(), Box::new(work)));
        control
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::command::command_channel;
    use std::path::PathBuf;
    use std::time::Duration;

    #[test]
    fn results_arrive_as_commands_in_order() {
        let (sender, receiver) = command_channel(None);
        let queue = JobQueue::new("test-jobs", sender);
        for i in 0..3 {
            queue.push(move |control| {
                control.set_progress(1.0);
                Some(Command::AutosaveFinished(Ok(PathBuf::from(format!("{i}")))))
            });
        }
        let mut got = Vec::new();
        for _ in 0..200 {
            got.extend(receiver.drain());
            if got.len() == 3 {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let expected: Vec<Command> = (0..3)
            .map(|i| Command::AutosaveFinished(Ok(PathBuf::from(format!("{i}")))))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn a_cancelled_job_does_not_run_and_a_running_one_sees_the_flag() {
        let (sender, receiver) = command_channel(None);
        let queue = JobQueue::new("test-jobs", sender);
        let (started_tx, started_rx) = channel();
        let (go_tx, go_rx) = channel::<()>();
        // The first job holds the worker until told to go on, then reports what it saw.
        let running = queue.push(move |control| {
            control.set_progress(0.5);
            let _ = started_tx.send(());
            let _ = go_rx.recv();
            let seen = if control.is_cancelled() {
                "cancelled"
            } else {
                "ran"
            };
            Some(Command::AutosaveFinished(Err(seen.into())))
        });
        let waiting = queue.push(|_| Some(Command::AutosaveFinished(Err("waiting ran".into()))));
        started_rx.recv().expect("the first job started");
        assert_eq!(running.progress(), 0.5);
        waiting.cancel();
        running.cancel();
        go_tx.send(()).expect("the job waits");
        // A job queued after both shows the queue went on.
        queue.push(|_| Some(Command::AutosaveFinished(Ok(PathBuf::from("last")))));
        let mut got = Vec::new();
        for _ in 0..200 {
            got.extend(receiver.drain());
            if got.len() >= 2 {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(
            got,
            vec![
                Command::AutosaveFinished(Err("cancelled".into())),
                Command::AutosaveFinished(Ok(PathBuf::from("last"))),
            ]
        );
    }
}
