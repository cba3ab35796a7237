//! Which process wrote something, and whether that process is still running.
//!
//! A process id alone does not say that: after a reboot, or once the kernel has cycled through
//! the id space, the same number names another process, and a killed process that its parent
//! has not reaped yet (a zombie) still has its `/proc/PID`. So a writer is recorded as its pid
//! plus its start time (`/proc/PID/stat`, field 22, in clock ticks since boot) and the boot id
//! (`/proc/sys/kernel/random/boot_id`), and a recorded writer counts as running only when all
//! three still match and it is not a zombie. Lock files and temporary file names use this.

use std::sync::OnceLock;

/// What identifies a running process beyond its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessMark {
    pub pid: u32,
    /// Clock ticks after boot at which it started; `None` where `/proc` cannot say.
    pub start_time: Option<u64>,
}

/// This process.
pub fn this_process() -> &'static ProcessMark {
    static THIS: OnceLock<ProcessMark> = OnceLock::new();
    THIS.get_or_init(|| {
        let pid = std::process::id();
        ProcessMark {
            pid,
            start_time: start_time(pid),
        }
    })
}

/// This machine's name.
pub fn host() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| std::fs::read_to_string("/etc/hostname"))
            .map(|h| h.trim().to_owned())
            .ok()
            .filter(|h| !h.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "unknown-host".to_owned())
    })
}

/// A short tag of [`host`] for names: 8 hex digits of its SHA-256.
pub fn host_tag() -> &'static str {
    static TAG: OnceLock<String> = OnceLock::new();
    TAG.get_or_init(|| super::document::sha256_hex(host())[..8].to_owned())
}

/// The id of the running kernel's boot: it changes on every reboot.
pub fn boot_id() -> Option<&'static str> {
    static BOOT_ID: OnceLock<Option<String>> = OnceLock::new();
    BOOT_ID
        .get_or_init(|| {
            std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
                .ok()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        })
        .as_deref()
}

/// The parts of `/proc/PID/stat` that matter here.
struct Stat {
    /// R, S, D, T, Z (zombie), X (dead), ...
    state: char,
    start_time: u64,
}

/// When process `pid` started, in clock ticks after boot.
pub fn start_time(pid: u32) -> Option<u64> {
    stat(pid).map(|s| s.start_time)
}

fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text)
}

/// `PID (COMM) STATE PPID ... STARTTIME ...`: COMM may hold spaces and parentheses, so the
/// fields are counted from the last `)`.
fn parse_stat(text: &str) -> Option<Stat> {
    let after_comm = &text[text.rfind(')')? + 1..];
    let mut fields = after_comm.split_ascii_whitespace();
    let state = fields.next()?.chars().next()?;
    // Field 3 is the state; the start time is field 22, 19 further on.
    let start_time = fields.nth(18)?.parse().ok()?;
    Some(Stat { state, start_time })
}

/// Is the process `mark` describes still running on this machine (and in this boot, when
/// `boot` is known)? Zombies and reused pids count as gone. Without `/proc` there is no way to
/// tell, and a process is assumed to run: a lock is never broken on a guess.
pub fn is_running(mark: &ProcessMark, boot: Option<&str>) -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    if let (Some(recorded), Some(now)) = (boot, boot_id())
        && recorded != now
    {
        return false;
    }
    let Some(stat) = stat(mark.pid) else {
        return false;
    };
    if matches!(stat.state, 'Z' | 'X' | 'x') {
        return false;
    }
    match mark.start_time {
        Some(recorded) => recorded == stat.start_time,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stat_line_is_read_from_the_last_parenthesis() {
        let line = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 \
                    1000 10 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";
        let stat = parse_stat(line).expect("parses");
        assert_eq!(stat.state, 'S');
        assert_eq!(stat.start_time, 987654);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_runs_and_a_reused_pid_or_another_boot_does_not() {
        let me = this_process().clone();
        assert!(me.start_time.is_some());
        assert!(is_running(&me, boot_id()));
        let reused = ProcessMark {
            start_time: me.start_time.map(|t| t + 1),
            ..me.clone()
        };
        assert!(!is_running(&reused, boot_id()));
        assert!(!is_running(&me, Some("another-boot")));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_killed_process_not_yet_reaped_is_gone() {
        let mut child = std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .expect("spawn");
        let mark = ProcessMark {
            pid: child.id(),
            start_time: None,
        };
        assert!(is_running(&mark, None));
        child.kill().expect("kill");
        // Not reaped: /proc/PID stays until wait(); wait until the kernel marks it a zombie.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while stat(mark.pid).is_some_and(|s| s.state != 'Z') {
            assert!(
                std::time::Instant::now() < deadline,
                "never became a zombie"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(std::path::Path::new(&format!("/proc/{}", mark.pid)).exists());
        assert!(!is_running(&mark, None));
        child.wait().expect("reap");
    }
}
