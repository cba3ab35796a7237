//! Autosave as background jobs, so serialising and writing a large project never blocks a frame.
//!
//! Jobs run in order on one [`JobQueue`] (a removal after a save cannot be overtaken by an older
//! write), and a write still waiting when a newer one is queued is cancelled: only the newest is
//! written. Each write's outcome comes back as [`Command::AutosaveFinished`].

use std::path::PathBuf;

use super::command::{Command, CommandSender};
use super::jobs::{JobControl, JobQueue};
use crate::core::{Project, atomic_write, project_file};

pub struct Autosaver {
    queue: JobQueue,
    /// The last write queued, cancelled when a newer one supersedes it.
    pending_write: Option<JobControl>,
}

impl Autosaver {
    pub fn new(results: CommandSender) -> Self {
        Self {
            queue: JobQueue::new("spantag-autosave", results),
            pending_write: None,
        }
    }

    pub fn write(&mut self, path: PathBuf, project: Project) {
        if let Some(older) = self.pending_write.take() {
            older.cancel();
        }
        let control = self.queue.push(move |control| {
            let json = project_file::to_json(&project);
            if control.is_cancelled() {
                return None;
            }
            let result = json
                .map_err(|e| e.to_string())
                .and_then(|json| {
                    atomic_write::write_atomically(&path, json.as_bytes())
                        .map_err(|e| e.to_string())
                })
                .map(|()| path.clone())
                .map_err(|e| format!("cannot write {}: {e}", path.display()));
            control.set_progress(1.0);
            Some(Command::AutosaveFinished(result))
        });
        self.pending_write = Some(control);
    }

    /// A write is queued or running.
    pub fn writing(&self) -> bool {
        self.pending_write
            .as_ref()
            .is_some_and(|c| c.progress() < 1.0 && !c.is_cancelled())
    }

    pub fn remove(&mut self, path: PathBuf) {
        self.queue.push(move |_| {
            let _ = std::fs::remove_file(path);
            None
        });
    }
}
