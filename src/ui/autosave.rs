//! Autosave on a worker thread, so serialising and writing a large project never blocks a frame.
//!
//! Jobs are handled in order (a removal after a save cannot be overtaken by an older write), and
//! when several writes queue up only the newest is written.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::core::{Project, atomic_write, project_file};

enum Job {
    Write {
        path: PathBuf,
        project: Box<Project>,
    },
    Remove {
        path: PathBuf,
    },
}

pub struct Autosaver {
    jobs: Sender<Job>,
    results: Receiver<Result<PathBuf, String>>,
}

impl Default for Autosaver {
    fn default() -> Self {
        let (jobs, job_rx) = channel::<Job>();
        let (result_tx, results) = channel();
        std::thread::Builder::new()
            .name("spantag-autosave".into())
            .spawn(move || {
                while let Ok(mut job) = job_rx.recv() {
                    // Skip writes that a newer job already supersedes.
                    while let Ok(next) = job_rx.try_recv() {
                        if let Job::Write { .. } = job {
                            job = next;
                        } else {
                            run(job, &result_tx);
                            job = next;
                        }
                    }
                    run(job, &result_tx);
                }
            })
            .ok();
        Self { jobs, results }
    }
}

fn run(job: Job, results: &Sender<Result<PathBuf, String>>) {
    match job {
        Job::Write { path, project } => {
            let result = project_file::to_json(&project)
                .map_err(|e| e.to_string())
                .and_then(|json| {
                    atomic_write::write_atomically(&path, json.as_bytes())
                        .map_err(|e| e.to_string())
                })
                .map(|()| path.clone())
                .map_err(|e| format!("cannot write {}: {e}", path.display()));
            let _ = results.send(result);
        }
        Job::Remove { path } => {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Autosaver {
    pub fn write(&self, path: PathBuf, project: Project) {
        let _ = self.jobs.send(Job::Write {
            path,
            project: Box::new(project),
        });
    }

    pub fn remove(&self, path: PathBuf) {
        let _ = self.jobs.send(Job::Remove { path });
    }

    /// Results of finished writes, oldest first.
    pub fn finished(&self) -> Vec<Result<PathBuf, String>> {
        self.results.try_iter().collect()
    }
}
