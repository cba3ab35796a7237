//! Lock files: one running Spantag per project file.
//!
//! Like LibreOffice's `.~lock.NAME#`, a small file next to the project says who has it open
//! (process id, host, user, since when). A lock whose process is gone (same host, no such
//! process) is stale and may be taken over; a live one makes the GUI offer read-only and the CLI
//! refuse to write without `--force`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    pub pid: u32,
    pub host: String,
    #[serde(default)]
    pub user: String,
    /// Seconds since the Unix epoch.
    #[serde(default)]
    pub since: u64,
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

/// `dir/project.json` → `dir/.~lock.project.json#`.
pub fn lock_path(project: &Path) -> PathBuf {
    let name = project.file_name().unwrap_or_default().to_string_lossy();
    project.with_file_name(format!(".~lock.{name}#"))
}

pub fn this_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "unknown-host".to_owned())
}

fn this_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_default()
}

pub fn process_alive(pid: u32) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid.to_string()).exists()
    } else {
        // No portable way to ask without extra dependencies: assume it is alive.
        true
    }
}

pub fn inspect(project: &Path) -> LockState {
    let Ok(text) = std::fs::read_to_string(lock_path(project)) else {
        return LockState::Free;
    };
    let Ok(info) = serde_json::from_str::<LockInfo>(&text) else {
        // An unreadable lock file protects nothing.
        return LockState::Stale(LockInfo {
            pid: 0,
            host: "?".into(),
            user: String::new(),
            since: 0,
        });
    };
    if info.host == this_host() {
        if info.pid == std::process::id() {
            return LockState::Ours;
        }
        if !process_alive(info.pid) {
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
    /// Write the lock file for `project` (replacing a stale or overridden one).
    pub fn acquire(project: &Path) -> std::io::Result<Self> {
        let info = LockInfo {
            pid: std::process::id(),
            host: this_host(),
            user: this_user(),
            since: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
        };
        let path = lock_path(project);
        let json = serde_json::to_string(&info).unwrap_or_default();
        super::atomic_write::write_atomically(&path, json.as_bytes())?;
        Ok(Self { path })
    }
}

impl Drop for ProjectLock {
    fn drop(&mut self) {
        // Only remove it if it is still ours (someone may have opened anyway and taken it).
        let ours = std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|t| serde_json::from_str::<LockInfo>(&t).ok())
            .is_some_and(|i| i.pid == std::process::id() && i.host == this_host());
        if ours {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut child = std::process::Command::new("true").spawn().expect("spawn");
        let pid = child.id();
        child.wait().expect("wait");
        let stale = LockInfo {
            pid,
            host: this_host(),
            user: "li".into(),
            since: 1,
        };
        std::fs::write(
            lock_path(&project),
            serde_json::to_string(&stale).expect("json"),
        )
        .expect("write");
        assert_eq!(inspect(&project), LockState::Stale(stale));

        // A live process (this test's parent shell or init) holds it.
        let live = LockInfo {
            pid: 1,
            host: this_host(),
            user: String::new(),
            since: 1,
        };
        std::fs::write(
            lock_path(&project),
            serde_json::to_string(&live).expect("json"),
        )
        .expect("write");
        assert_eq!(inspect(&project), LockState::Held(live));
        // Another host cannot be checked: held.
        let remote = LockInfo {
            pid,
            host: "elsewhere".into(),
            user: String::new(),
            since: 1,
        };
        std::fs::write(
            lock_path(&project),
            serde_json::to_string(&remote).expect("json"),
        )
        .expect("write");
        assert!(matches!(inspect(&project), LockState::Held(_)));
    }
}
