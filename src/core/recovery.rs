//! Recovery files: unsaved work written next to the project while the user works, offered back
//! when the project is opened after a crash.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::project::Project;
use super::span::SpanId;

/// `dir/project.json` → `dir/.project.json.autosave`, next to the real file when `project` is a
/// symbolic link (so that opening it through the link or its real path finds the same one).
pub fn recovery_path(project: &Path) -> PathBuf {
    let real = super::atomic_write::resolve_links(project).unwrap_or_else(|_| project.to_owned());
    let name = real.file_name().unwrap_or_default().to_string_lossy();
    real.with_file_name(format!(".{name}.autosave"))
}

/// The recovery file of `project`, if there is one whose content differs from the project
/// file: unsaved work to offer. Modification times are not consulted: a `touch`, a `git pull`
/// or a sync client makes the project file look newer without holding that work.
pub fn pending_recovery(project: &Path) -> Option<PathBuf> {
    let recovery = recovery_path(project);
    let autosaved = std::fs::read(&recovery).ok()?;
    match std::fs::read(project) {
        Ok(saved) if saved == autosaved => None,
        _ => Some(recovery),
    }
}

pub fn remove_recovery(project: &Path) {
    let _ = std::fs::remove_file(recovery_path(project));
}

/// How a project differs from another version of itself, span by span (matched by id within
/// documents matched by id).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpanChanges {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub documents_added: usize,
    pub documents_removed: usize,
    /// Documents marked done, or no longer done.
    pub documents_marked: usize,
    pub labels_changed: bool,
}

impl SpanChanges {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl std::fmt::Display for SpanChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} spans added, {} removed, {} changed",
            self.added, self.removed, self.changed
        )?;
        if self.documents_added + self.documents_removed > 0 {
            write!(
                f,
                "; {} documents added, {} removed",
                self.documents_added, self.documents_removed
            )?;
        }
        if self.documents_marked > 0 {
            write!(
                f,
                "; {} documents marked done or not done",
                self.documents_marked
            )?;
        }
        if self.labels_changed {
            write!(f, "; the label set changed")?;
        }
        Ok(())
    }
}

/// What `newer` adds, removes and changes relative to `older`.
pub fn compare(older: &Project, newer: &Project) -> SpanChanges {
    let mut changes = SpanChanges {
        labels_changed: older.labels != newer.labels,
        ..Default::default()
    };
    let old_docs: HashMap<&str, _> = older
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (d.document.id.as_str(), (i, d)))
        .collect();
    for (new_index, new_doc) in newer.documents.iter().enumerate() {
        let Some(&(old_index, old_doc)) = old_docs.get(new_doc.document.id.as_str()) else {
            changes.documents_added += 1;
            changes.added += new_doc.spans.len();
            continue;
        };
        if older.is_done(old_index) != newer.is_done(new_index) {
            changes.documents_marked += 1;
        }
        let old_spans: HashMap<SpanId, _> = old_doc.spans.iter().map(|s| (s.id, s)).collect();
        for span in new_doc.spans.iter() {
            match old_spans.get(&span.id) {
                None => changes.added += 1,
                Some(old) if *old != span => changes.changed += 1,
                Some(_) => {}
            }
        }
        changes.removed += old_doc
            .spans
            .iter()
            .filter(|s| new_doc.spans.get(s.id).is_none())
            .count();
    }
    for old_doc in &older.documents {
        if !newer
            .documents
            .iter()
            .any(|d| d.document.id == old_doc.document.id)
        {
            changes.documents_removed += 1;
            changes.removed += old_doc.spans.len();
        }
    }
    changes
}

// ---- Projects not saved anywhere yet ------------------------------------------------------------

/// Where the window autosaves a project that has no file yet (new from text, an import, a gold
/// project): `$XDG_STATE_HOME/spantag`, else `~/.local/state/spantag`.
pub fn untitled_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("state"))
        })?;
    Some(base.join("spantag"))
}

/// The recovery file of this process's untitled project, in `dir`:
/// `untitled-PID-START.autosave.json`, START being the process start time, so that a later
/// process that happens to get the same pid does not make it look live.
pub fn untitled_path(dir: &Path) -> PathBuf {
    let me = super::process::this_process();
    dir.join(format!(
        "untitled-{}-{}.autosave.json",
        me.pid,
        me.start_time.unwrap_or(0)
    ))
}

/// The process an untitled recovery file's name records (`untitled-PID-START` or, written by
/// earlier versions, `untitled-PID`).
fn untitled_owner(path: &Path) -> Option<super::process::ProcessMark> {
    let middle = path
        .file_name()?
        .to_str()?
        .strip_prefix("untitled-")?
        .strip_suffix(".autosave.json")?;
    let (pid, start) = match middle.split_once('-') {
        Some((pid, start)) => (pid, Some(start.parse::<u64>().ok()?)),
        None => (middle, None),
    };
    Some(super::process::ProcessMark {
        pid: pid.parse().ok()?,
        start_time: start.filter(|&s| s != 0),
    })
}

/// True for the recovery file of an untitled project (see [`untitled_path`]).
pub fn is_untitled(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("untitled-") && n.ends_with(".autosave.json"))
}

/// Untitled recovery files in `dir` left by Spantags that are no longer running (or are
/// zombies).
pub fn orphaned_untitled(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_untitled(p))
        .filter(|p| {
            untitled_owner(p).is_some_and(|owner| {
                owner.pid != std::process::id() && !super::process::is_running(&owner, None)
            })
        })
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn an_untitled_recovery_of_a_reused_pid_is_orphaned() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut sleeper = std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .expect("spawn");
        let pid = sleeper.id();
        let start = super::super::process::start_time(pid).expect("start time");
        let live = dir
            .path()
            .join(format!("untitled-{pid}-{start}.autosave.json"));
        let reused = dir
            .path()
            .join(format!("untitled-{pid}-{}.autosave.json", start + 1));
        let old_style = dir.path().join(format!("untitled-{pid}.autosave.json"));
        let mine = untitled_path(dir.path());
        for path in [&live, &reused, &old_style, &mine] {
            std::fs::write(path, "{}").expect("w");
        }
        assert_eq!(orphaned_untitled(dir.path()), vec![reused.clone()]);
        sleeper.kill().expect("kill");
        sleeper.wait().expect("reap");
        let mut all = vec![live, old_style, reused];
        all.sort();
        assert_eq!(orphaned_untitled(dir.path()), all);
    }

    #[test]
    fn a_recovery_is_pending_whenever_its_content_differs_whatever_the_times() {
        let dir = tempfile::tempdir().expect("tempdir");
        let project = dir.path().join("p.json");
        std::fs::write(&project, "saved").expect("w");
        assert_eq!(pending_recovery(&project), None, "no recovery file");
        std::fs::write(recovery_path(&project), "unsaved work").expect("w");
        // The project file is made newer than its autosave, as `touch` or `git pull` do.
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&project)
            .expect("open")
            .set_modified(later)
            .expect("touch");
        assert_eq!(pending_recovery(&project), Some(recovery_path(&project)));
        std::fs::write(recovery_path(&project), "saved").expect("w");
        assert_eq!(pending_recovery(&project), None, "nothing unsaved in it");
    }

    /// An autosave that only marked a document done is offered as such, not as "no change".
    #[test]
    fn a_done_mark_counts_as_a_change() {
        let older = crate::core::markup::project("[习近平](PER)在北京");
        let mut newer = older.clone();
        let t = newer.mark_done(&[0], true);
        newer.apply(&t).expect("mark");
        let changes = compare(&older, &newer);
        assert!(!changes.is_empty());
        assert_eq!(
            changes.to_string(),
            "0 spans added, 0 removed, 0 changed; 1 documents marked done or not done"
        );
        assert!(compare(&newer, &newer).is_empty());
    }
}
