//! Lock files: one running Spantag per project file.
//!
//! Like LibreOffice's `.~lock.NAME#`, a small file next to the project says who has it open
//! (process id and start time, boot, host, user, since when). A lock whose process is gone
//! (same host, and no such process, a zombie, a process started at another time, or another
//! boot) is stale and may be taken over; a live one makes the GUI offer read-only and the CLI
//! refuse to write without `--force`.
//!
//! The lock is taken in one atomic step: the whole lock file is written under a temporary name
//! and hard-linked to the lock's name, which fails if a lock is already there. Of two Spantags
//! starting together exactly one gets it, and nobody ever reads a half-written lock. `link(2)`
//! is atomic on NFS too (the classic NFS-safe lock file), unlike `flock`, and the file carries
//! the holder's name for the "open elsewhere" message. A stale lock is moved aside before it is
//! replaced, and put back if what was moved turns out to be a fresh lock of another process.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::process::{self, ProcessMark};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    pub pid: u32,
    pub host: String,
    #[serde(default)]
    pub user: String,
    /// Seconds since the Unix epoch.
    #[serde(default)]
    pub since: u64,
    /// The holder's start time in clock ticks after boot (absent in older lock files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<u64>,
    /// The boot the holder ran in (absent in older lock files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_id: Option<String>,
}

impl LockInfo {
    /// The lock this process writes.
    pub fn this_process() -> Self {
        let me = process::this_process();
        Self {
            pid: me.pid,
            host: this_host(),
            user: this_user(),
            since: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            start_time: me.start_time,
            boot_id: process::boot_id().map(str::to_owned),
        }
    }
}

impl std::fmt::Display for LockInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.user.is_empty() {
            write!(f, "process {} on {}", self.pid, self.host)
        } else {
            write!(f, "{} (process {} on {})", self.user, self.pid, self.host)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockState {
    Free,
    /// Held by this process.
    Ours,
    /// Left by a process that is gone.
    Stale(LockInfo),
    /// Held by a live process (or one on another host, which cannot be checked).
    Held(LockInfo),
}

#[derive(Debug, Error)]
pub enum LockError {
    #[error("{} is open in another Spantag, by {holder}", project.display())]
    Held {
        project: PathBuf,
        holder: Box<LockInfo>,
    },
    #[error("cannot write the lock file {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// `dir/project.json` → `dir/.~lock.project.json#`, next to the real file when `project` is a
/// symbolic link: a project opened through a link and through its real path has one lock.
pub fn lock_path(project: &Path) -> PathBuf {
    let real = super::atomic_write::resolve_links(project).unwrap_or_else(|_| project.to_owned());
    let name = real.file_name().unwrap_or_default().to_string_lossy();
    real.with_file_name(format!(".~lock.{name}#"))
}

pub fn this_host() -> String {
    process::host().to_owned()
}

fn this_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default()
}

pub fn inspect(project: &Path) -> LockState {
    match std::fs::read(lock_path(project)) {
        Ok(bytes) => judge(&bytes),
        Err(_) => LockState::Free,
    }
}

/// What a lock file's contents say about who holds the project.
fn judge(bytes: &[u8]) -> LockState {
    let Ok(info) = serde_json::from_slice::<LockInfo>(bytes) else {
        // An unreadable lock file protects nothing.
        return LockState::Stale(LockInfo {
            pid: 0,
            host: "?".into(),
            user: String::new(),
            since: 0,
            start_time: None,
            boot_id: None,
        });
    };
    if info.host == this_host() {
        let me = process::this_process();
        let same_boot = match (&info.boot_id, process::boot_id()) {
            (Some(recorded), Some(now)) => recorded == now,
            _ => true,
        };
        if info.pid == me.pid
            && same_boot
            && (info.start_time.is_none() || info.start_time == me.start_time)
        {
            return LockState::Ours;
        }
        let holder = ProcessMark {
            pid: info.pid,
            start_time: info.start_time,
        };
        if !process::is_running(&holder, info.boot_id.as_deref()) {
            return LockState::Stale(info);
        }
    }
    LockState::Held(info)
}

/// A lock held by this process; the lock file is removed when it is dropped.
#[derive(Debug)]
pub struct ProjectLock {
    path: PathBuf,
}

impl ProjectLock {
    /// Take the lock for `project` unless a running Spantag holds it. A stale lock is taken
    /// over; of several processes trying at once, exactly one succeeds.
    pub fn acquire(project: &Path) -> Result<Self, LockError> {
        let path = lock_path(project);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let json = serde_json::to_string(&LockInfo::this_process()).unwrap_or_default();
        // Each round either takes the lock, meets a live holder, or clears away a stale lock
        // that another process then may take first; a few rounds settle any race.
        for _ in 0..16 {
            match super::atomic_write::write_new(&path, json.as_bytes()) {
                Ok(()) => return Ok(Self { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io(e)),
            }
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                // Released in the meantime: try again.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io(e)),
            };
            match judge(&bytes) {
                LockState::Ours => return Ok(Self { path }),
                LockState::Held(holder) => {
                    return Err(LockError::Held {
                        project: project.to_owned(),
                        holder: Box::new(holder),
                    });
                }
                LockState::Stale(_) | LockState::Free => {
                    remove_if_unchanged(&path, &bytes).map_err(io)?;
                }
            }
        }
        Err(io(std::io::Error::other(
            "it keeps changing; another program is racing for it",
        )))
    }

    /// Take the lock even though another Spantag holds it ("Open anyway").
    pub fn take_over(project: &Path) -> std::io::Result<Self> {
        let path = lock_path(project);
        let json = serde_json::to_string(&LockInfo::this_process()).unwrap_or_default();
        super::atomic_write::write_atomically(&path, json.as_bytes())?;
        Ok(Self { path })
    }
}

/// Remove the (stale) lock at `path` if it still holds `expected`. It is first moved aside,
/// which only one process can do; if what was moved is a new lock another process has just
/// taken, it is linked back (without replacing anything).
fn remove_if_unchanged(path: &Path, expected: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let aside = super::atomic_write::temp_path(dir, ".lock");
    match std::fs::rename(path, &aside) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    }
    if std::fs::read(&aside).is_ok_and(|moved| moved != expected) {
        let _ = std::fs::hard_link(&aside, path);
    }
    std::fs::remove_file(&aside)
}

impl Drop for ProjectLock {
    fn drop(&mut self) {
        // Only remove it if it is still ours (someone may have opened anyway and taken it).
        let ours = std::fs::read(&self.path).is_ok_and(|b| judge(&b) == LockState::Ours);
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_lock(project: &Path, info: &LockInfo) {
        std::fs::write(
            lock_path(project),
            serde_json::to_string(info).expect("json"),
        )
        .expect("write");
    }

    fn exited_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().expect("spawn");
        let pid = child.id();
        child.wait().expect("wait");
        pid
    }

    #[test]
    fn free_ours_stale_and_held() {
        let dir = tempfile::tempdir().expect("tempdir");
        let project = dir.path().join("p.json");
        assert_eq!(inspect(&project), LockState::Free);
        let lock = ProjectLock::acquire(&project).expect("lock");
        assert_eq!(inspect(&project), LockState::Ours);
        drop(lock);
        assert_eq!(inspect(&project), LockState::Free);

        // A process that has exited leaves a stale lock.
        let stale = LockInfo {
            pid: exited_pid(),
            user: "li".into(),
            ..LockInfo::this_process()
        };
        write_lock(&project, &stale);
        assert_eq!(inspect(&project), LockState::Stale(stale.clone()));

        // A live process (init) holds it; an old lock file without start time or boot id still
        // reads, judged by the process id alone.
        let old_format = format!(
            r#"{{"pid":1,"host":"{}","user":"","since":1}}"#,
            this_host()
        );
        std::fs::write(lock_path(&project), old_format).expect("write");
        assert!(matches!(
            inspect(&project),
            LockState::Held(LockInfo { pid: 1, .. })
        ));
        // Another host cannot be checked: held.
        write_lock(
            &project,
            &LockInfo {
                host: "elsewhere".into(),
                ..stale
            },
        );
        assert!(matches!(inspect(&project), LockState::Held(_)));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_reused_pid_another_boot_or_a_zombie_does_not_hold_the_lock() {
        let dir = tempfile::tempdir().expect("tempdir");
        let project = dir.path().join("p.json");
        let mut child = std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .expect("spawn");
        let live = LockInfo {
            pid: child.id(),
            start_time: process::start_time(child.id()),
            ..LockInfo::this_process()
        };
        write_lock(&project, &live);
        assert!(matches!(inspect(&project), LockState::Held(_)));
        // The same pid, started at another time: the pid was reused.
        let reused = LockInfo {
            start_time: live.start_time.map(|t| t + 1),
            ..live.clone()
        };
        write_lock(&project, &reused);
        assert!(matches!(inspect(&project), LockState::Stale(_)));
        // Written before a reboot.
        let rebooted = LockInfo {
            boot_id: Some("00000000-0000-0000-0000-000000000000".into()),
            ..live.clone()
        };
        write_lock(&project, &rebooted);
        assert!(matches!(inspect(&project), LockState::Stale(_)));
        // Killed but not yet reaped.
        write_lock(&project, &live);
        child.kill().expect("kill");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while inspect(&project) != LockState::Stale(live.clone()) {
            assert!(
                std::time::Instant::now() < deadline,
                "a zombie holds the lock"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(
            Path::new(&format!("/proc/{}", live.pid)).exists(),
            "not reaped yet"
        );
        // And so it can be taken.
        let lock = ProjectLock::acquire(&project).expect("take the stale lock");
        assert_eq!(inspect(&project), LockState::Ours);
        drop(lock);
        child.wait().expect("reap");
    }

    #[cfg(unix)]
    #[test]
    fn a_project_opened_through_a_link_has_the_real_files_lock() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("p.json");
        std::fs::write(&real, "{}").expect("w");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("p.json", &link).expect("symlink");
        assert_eq!(lock_path(&link), lock_path(&real));
        let _lock = ProjectLock::acquire(&real).expect("lock");
        assert_eq!(inspect(&link), LockState::Ours);
    }

    #[test]
    fn acquire_refuses_a_live_lock_and_take_over_takes_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let project = dir.path().join("p.json");
        let live = LockInfo {
            pid: 1,
            start_time: None,
            ..LockInfo::this_process()
        };
        write_lock(&project, &live);
        match ProjectLock::acquire(&project) {
            Err(LockError::Held { holder, .. }) => assert_eq!(*holder, live),
            other => panic!("expected Held, got {other:?}"),
        }
        assert_eq!(inspect(&project), LockState::Held(live));
        let lock = ProjectLock::take_over(&project).expect("take over");
        assert_eq!(inspect(&project), LockState::Ours);
        drop(lock);
        assert_eq!(inspect(&project), LockState::Free);
        // Nothing but the project's folder contents: no temporaries left.
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
    }
}
