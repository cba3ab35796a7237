//! Writing files and folders so that a crash at any instant leaves either the old or the new
//! version whole, and two writers never both believe they created the same new file.
//!
//! Everything is first written to a temporary name in the target's folder, flushed to disk, and
//! then renamed (or linked, or exchanged) into place in one step. Temporary names say who wrote
//! them (`.spantag-HOST-PID-START-N.tmp`, see [`crate::core::process`]) so that the ones left
//! by a killed writer are recognised and removed the next time the same folder is written, and
//! those of a writer on another machine sharing the folder are not.
//!
//! A symbolic link is followed: the real file is replaced next to itself and the link stays. A
//! replaced file keeps its owner and permissions.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::process::{self, ProcessMark};

/// Every temporary name starts with this and ends with [`TEMP_SUFFIX`].
pub const TEMP_PREFIX: &str = ".spantag-";
pub const TEMP_SUFFIX: &str = ".tmp";
/// Temporary files whose writer cannot be checked (from before names carried it:
/// `.spantag-XXXXXX.tmp`, or from another machine) are removed once they are this old: no
/// write takes that long.
const UNCHECKABLE_TEMP_AGE: Duration = Duration::from_secs(3600);

/// Writes a file's content into the (buffered) temporary file.
pub type Fill<'a> = dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()> + 'a;

/// Write `bytes` to `path`, replacing what is there.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomically_with(path, &mut |out| out.write_all(bytes))
}

/// [`write_atomically`] with the content written by `fill` straight into the temporary file's
/// buffer (a large export is never held whole in memory to be written).
pub fn write_atomically_with(path: &Path, fill: &mut Fill<'_>) -> std::io::Result<()> {
    let real = resolve_links(path)?;
    let tmp = TempFile::write(folder_of(&real), fill, Some(&real))?;
    std::fs::rename(&tmp.path, &real)?;
    tmp.placed();
    sync_folder(folder_of(&real));
    Ok(())
}

/// Write `bytes` to `path` only if nothing is there: of two writers racing for the same new
/// name exactly one succeeds, the other gets [`std::io::ErrorKind::AlreadyExists`]. The file
/// appears whole (it is linked into place, not written there).
pub fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_new_with(path, &mut |out| out.write_all(bytes))
}

/// [`write_new`] with the content written by `fill` (straight into the temporary file's
/// buffer: a large content is never held whole in memory). `fill` may be called twice, on a
/// file system without hard links.
pub fn write_new_with(path: &Path, fill: &mut Fill<'_>) -> std::io::Result<()> {
    let dir = folder_of(path);
    let tmp = TempFile::write(dir, fill, None)?;
    match std::fs::hard_link(&tmp.path, path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(e),
        Err(_) => {
            // A file system without hard links: create the name exclusively and fill it. Still
            // only one writer wins; a crash can leave it partly written.
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)?;
            let mut out = std::io::BufWriter::new(file);
            fill(&mut out)?;
            out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        }
    }
    drop(tmp);
    sync_folder(dir);
    Ok(())
}

/// Like [`write_atomically`], and keep the version being replaced as `PATH.bak`.
///
/// The older backup is replaced only once the new version is completely written and flushed:
/// a failed write (a full disk, a size limit) leaves the file and its backup as they were. The
/// backup moves just before the new file is renamed into place, so at no instant does any
/// version live only under a temporary name.
pub fn write_keeping_backup(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_keeping_backup_with(path, &mut |out| out.write_all(bytes))
}

/// [`write_keeping_backup`] with the content written by `fill` straight into the temporary
/// file's buffer (a large project is never held whole in memory to be saved).
pub fn write_keeping_backup_with(path: &Path, fill: &mut Fill<'_>) -> std::io::Result<()> {
    let real = resolve_links(path)?;
    let dir = folder_of(&real);
    let tmp = TempFile::write(dir, fill, Some(&real))?;
    if real.is_file() {
        // A hard link costs nothing and is the old file exactly; copy where links fail.
        let old = TempFile::reserve(dir, ".bak");
        std::fs::hard_link(&real, &old.path)
            .or_else(|_| std::fs::copy(&real, &old.path).map(|_| ()))?;
        std::fs::rename(&old.path, backup_path(&real))?;
        // rename(2) does nothing when both names already link one file (a crash between the
        // two renames leaves `.bak` and the file as one): the temporary name then stays, and
        // dropping it here removes it.
        drop(old);
    }
    std::fs::rename(&tmp.path, &real)?;
    tmp.placed();
    sync_folder(dir);
    Ok(())
}

/// `project.json` → `project.json.bak`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
}

/// The file a chain of symbolic links ends at (the path itself when it is no link), so that it
/// is replaced where it really lives and the links keep pointing at it.
pub fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_owned();
    // The kernel's own limit (ELOOP).
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                current = if target.is_absolute() {
                    target
                } else {
                    folder_of(&current).join(target)
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other(format!(
        "too many levels of symbolic links at {}",
        path.display()
    )))
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn sync_folder(dir: &Path) {
    #[cfg(unix)]
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

// ---- Temporary names ------------------------------------------------------------------------

/// A new temporary name in `dir`: `.spantag-HOST-PID-START-N{kind}.tmp`.
pub(crate) fn temp_path(dir: &Path, kind: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let me = process::this_process();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    dir.join(format!(
        "{TEMP_PREFIX}{}-{}-{}-{n}x{nanos:08x}{kind}{TEMP_SUFFIX}",
        process::host_tag(),
        me.pid,
        me.start_time.unwrap_or(0)
    ))
}

/// The writer a temporary name records, if it is a process on this machine; `None` for names
/// that carry no writer (written by earlier versions) or another machine's.
fn temp_owner(name: &str) -> Option<ProcessMark> {
    let rest = name.strip_prefix(TEMP_PREFIX)?.strip_suffix(TEMP_SUFFIX)?;
    let mut parts = rest.splitn(4, '-');
    if parts.next()? != process::host_tag() {
        return None;
    }
    let pid = parts.next()?.parse().ok()?;
    let start: u64 = parts.next()?.parse().ok()?;
    parts.next()?;
    Some(ProcessMark {
        pid,
        start_time: (start != 0).then_some(start),
    })
}

/// Remove the temporary files and folders in `dir` whose writers are no longer running (killed
/// in the middle of a write). Those of running writers, this one included, are left alone.
/// Returns how many were removed.
pub fn remove_stale_temporaries(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !name.starts_with(TEMP_PREFIX) || !name.ends_with(TEMP_SUFFIX) {
            continue;
        }
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        let stale = match temp_owner(name) {
            Some(owner) => !process::is_running(&owner, None),
            None => meta
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age > UNCHECKABLE_TEMP_AGE),
        };
        if !stale {
            continue;
        }
        let gone = if meta.is_dir() {
            std::fs::remove_dir_all(entry.path())
        } else {
            std::fs::remove_file(entry.path())
        };
        if gone.is_ok() {
            removed += 1;
        }
    }
    removed
}

/// A temporary file or folder that is removed when dropped, unless it was put in place.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl TempFile {
    /// A name for a temporary in `dir`; nothing is created yet.
    fn reserve(dir: &Path, kind: &str) -> Self {
        Self {
            path: temp_path(dir, kind),
            keep: false,
        }
    }

    /// Write what `fill` writes to a new temporary file in `dir` and flush it to disk. When `like` exists,
    /// the temporary gets its owner and permissions before anything is written into it, so
    /// that the content of a private file is never readable by others, not even for a moment.
    fn write(dir: &Path, fill: &mut Fill<'_>, like: Option<&Path>) -> std::io::Result<Self> {
        remove_stale_temporaries(dir);
        let original = like.and_then(|p| std::fs::metadata(p).ok());
        let tmp = Self::reserve(dir, "");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            // A new file gets the usual permissions (open(2) applies the umask); a replacement
            // starts private and is given the original's permissions below.
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(if original.is_some() { 0o600 } else { 0o666 });
        }
        let file = options.open(&tmp.path)?;
        if let Some(meta) = &original {
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt as _;
                // Only root may give a file away; anyone else writes files they own anyway.
                let _ = std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()));
            }
            // After the chown, which clears set-id bits. A file system without Unix
            // permissions (FAT) may refuse; the file is then as private as it can be.
            let _ = file.set_permissions(meta.permissions());
        }
        let mut out = std::io::BufWriter::new(file);
        fill(&mut out)?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        Ok(tmp)
    }

    /// It is in place under its final name: nothing to clean up.
    fn placed(mut self) {
        self.keep = true;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            if self.path.is_dir() {
                let _ = std::fs::remove_dir_all(&self.path);
            } else {
                let _ = std::fs::remove_file(&self.path);
            }
        }
    }
}

// ---- Folders --------------------------------------------------------------------------------

/// A folder written under a temporary name next to where it goes, then swapped into place in
/// one step, so that at every instant the target holds the whole old folder or the whole new
/// one. Dropped before [`TempFolder::put_in_place`], it is removed.
pub struct TempFolder {
    tmp: TempFile,
}

impl TempFolder {
    /// An empty temporary folder next to `out`.
    pub fn new_for(out: &Path) -> std::io::Result<Self> {
        let dir = folder_of(out);
        remove_stale_temporaries(dir);
        let tmp = TempFile::reserve(dir, ".folder");
        std::fs::create_dir(&tmp.path)?;
        Ok(Self { tmp })
    }

    pub fn path(&self) -> &Path {
        &self.tmp.path
    }

    /// Write one file at `relative` inside the folder, creating subfolders as needed. It is
    /// flushed to disk with the rest in [`TempFolder::put_in_place`].
    pub fn write(&self, relative: &Path, bytes: &[u8]) -> std::io::Result<()> {
        self.create(relative)?.write_all(bytes)
    }

    /// Create the file at `relative` inside the folder (and its subfolders) to be written
    /// piece by piece; flushed to disk with the rest in [`TempFolder::put_in_place`].
    pub fn create(&self, relative: &Path) -> std::io::Result<std::fs::File> {
        let path = self.tmp.path.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
    }

    /// Flush the folder to disk and move it to `out`.
    ///
    /// When `out` does not exist it is created exclusively (of two racing writers one gets
    /// [`std::io::ErrorKind::AlreadyExists`]). When it exists and `replace` is set, the two
    /// folders are exchanged atomically and the old one is removed, but only if
    /// `may_replace(old folder)` agrees; otherwise the exchange is undone and the new folder
    /// removed ([`PlaceError::Refused`]). Asking after the exchange leaves no moment in which
    /// another program could put something there that is then deleted unasked.
    pub fn put_in_place(
        self,
        out: &Path,
        replace: bool,
        may_replace: impl Fn(&Path) -> bool,
    ) -> Result<(), PlaceError> {
        let out = resolve_links(out)?;
        sync_tree(&self.tmp.path);
        let exists = std::fs::symlink_metadata(&out).is_ok();
        if !exists || !replace {
            rename_no_replace(&self.tmp.path, &out)?;
            self.tmp.placed();
            sync_folder(folder_of(&out));
            return Ok(());
        }
        exchange(&self.tmp.path, &out)?;
        // `self.tmp` now names the old folder: dropping it removes it, unless it must go back.
        if !may_replace(&self.tmp.path) {
            exchange(&self.tmp.path, &out)?;
            return Err(PlaceError::Refused);
        }
        sync_folder(folder_of(&out));
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PlaceError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("the folder there may not be replaced")]
    Refused,
}

/// Flush every file under `dir` to disk (on Linux with one `syncfs`).
fn sync_tree(dir: &Path) {
    #[cfg(target_os = "linux")]
    if let Ok(folder) = std::fs::File::open(dir) {
        use std::os::fd::AsRawFd as _;
        // SAFETY: syncfs only reads the descriptor, which `folder` keeps open for the call.
        unsafe {
            libc::syncfs(folder.as_raw_fd());
        }
        return;
    }
    fn each(dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                each(&path);
            } else if let Ok(file) = std::fs::File::open(&path) {
                let _ = file.sync_all();
            }
        }
        sync_folder(dir);
    }
    each(dir);
}

#[cfg(target_os = "linux")]
fn renameat2(from: &Path, to: &Path, flags: libc::c_uint) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt as _;
    let from = std::ffi::CString::new(from.as_os_str().as_bytes())?;
    let to = std::ffi::CString::new(to.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths that live across the call.
    let result = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            flags,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Is this the answer of a kernel or file system without `renameat2` flags?
#[cfg(target_os = "linux")]
fn unsupported(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS))
}

/// Rename `from` to `to`, failing with `AlreadyExists` if `to` exists.
fn rename_no_replace(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    match renameat2(from, to, libc::RENAME_NOREPLACE) {
        Err(e) if unsupported(&e) => {}
        other => return other,
    }
    // Elsewhere: check, then rename (rename(2) of a folder fails over a non-empty folder).
    if std::fs::symlink_metadata(to).is_ok() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!("{} already exists", to.display()),
        ));
    }
    std::fs::rename(from, to)
}

/// Swap the folders at `a` and `b`.
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    match renameat2(a, b, libc::RENAME_EXCHANGE) {
        Err(e) if unsupported(&e) => {}
        other => return other,
    }
    // Elsewhere: through a third name, with a moment in which `b` is missing.
    let aside = temp_path(folder_of(b), ".aside");
    std::fs::rename(b, &aside)?;
    if let Err(e) = std::fs::rename(a, b) {
        let _ = std::fs::rename(&aside, b);
        return Err(e);
    }
    std::fs::rename(&aside, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn backup_keeps_the_previous_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.json");
        write_keeping_backup(&path, b"one").expect("write");
        assert!(
            !backup_path(&path).exists(),
            "nothing to back up the first time"
        );
        write_keeping_backup(&path, b"two").expect("write");
        write_keeping_backup(&path, b"three").expect("write");
        assert_eq!(std::fs::read(&path).expect("read"), b"three");
        assert_eq!(std::fs::read(backup_path(&path)).expect("read"), b"two");
        // Only the file and its backup are left: no temporary files.
        assert_eq!(names(dir.path()), ["p.json", "p.json.bak"]);
    }

    #[cfg(unix)]
    #[test]
    fn new_files_get_ordinary_permissions_and_existing_ones_keep_theirs() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.json");
        write_atomically(&path, b"one").expect("write");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode & 0o600, 0o600);
        assert_ne!(
            mode, 0o600,
            "not tempfile's private mode (umask permitting)"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write_keeping_backup(&path, b"two").expect("write");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn missing_folder_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("no/such/folder/p.json");
        assert!(write_keeping_backup(&path, b"x").is_err());
        assert!(!path.exists());
    }

    #[test]
    fn a_backup_that_is_already_the_file_leaves_no_temporary_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("p.json");
        std::fs::write(&path, b"one").expect("write");
        // As a crash between moving the backup and renaming the new file leaves them.
        std::fs::hard_link(&path, backup_path(&path)).expect("link");
        write_keeping_backup(&path, b"two").expect("write");
        assert_eq!(std::fs::read(backup_path(&path)).expect("read"), b"one");
        assert_eq!(names(dir.path()), ["p.json", "p.json.bak"]);
    }

    #[test]
    fn write_new_refuses_an_existing_file_and_leaves_it_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.jsonl");
        write_new(&path, b"first").expect("new");
        let e = write_new(&path, b"second").expect_err("exists");
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&path).expect("read"), b"first");
        assert_eq!(names(dir.path()), ["out.jsonl"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_followed_and_stays_a_link() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("real")).expect("mkdir");
        let real = dir.path().join("real/p.json");
        std::fs::write(&real, b"one").expect("write");
        let link = dir.path().join("p.json");
        std::os::unix::fs::symlink("real/p.json", &link).expect("symlink");
        write_keeping_backup(&link, b"two").expect("write");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("meta")
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).expect("read"), b"two");
        let bak = backup_path(&real);
        assert!(std::fs::symlink_metadata(&bak).expect("bak").is_file());
        assert_eq!(std::fs::read(&bak).expect("read"), b"one");
        assert!(!backup_path(&link).exists(), "no .bak next to the link");
    }

    #[test]
    fn temporary_names_carry_their_writer() {
        let path = temp_path(Path::new("/x"), ".bak");
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert_eq!(temp_owner(&name).as_ref(), Some(process::this_process()));
        assert_eq!(temp_owner(".spantag-a1B2c3.tmp"), None);
        assert_eq!(temp_owner("notes.tmp"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn stale_temporaries_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut child = std::process::Command::new("true").spawn().expect("spawn");
        let dead = child.id();
        child.wait().expect("wait");
        let mine = temp_path(dir.path(), "");
        std::fs::write(&mine, b"being written").expect("w");
        let host = process::host_tag();
        std::fs::write(
            dir.path().join(format!(".spantag-{host}-{dead}-5-0x1.tmp")),
            b"x",
        )
        .expect("w");
        std::fs::create_dir(
            dir.path()
                .join(format!(".spantag-{host}-{dead}-5-1x1.folder.tmp")),
        )
        .expect("mkdir");
        // Another machine's (a shared folder): its writer cannot be checked from here.
        std::fs::write(
            dir.path()
                .join(format!(".spantag-00000000-{dead}-5-0x1.tmp")),
            b"x",
        )
        .expect("w");
        std::fs::write(dir.path().join(".spantag-abcdef.tmp"), b"recent legacy").expect("w");
        std::fs::write(dir.path().join("keep.tmp"), b"not ours").expect("w");
        assert_eq!(remove_stale_temporaries(dir.path()), 2);
        let mut expected = vec![
            ".spantag-abcdef.tmp".to_owned(),
            format!(".spantag-00000000-{dead}-5-0x1.tmp"),
            "keep.tmp".to_owned(),
            mine.file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned(),
        ];
        expected.sort();
        assert_eq!(names(dir.path()), expected);
    }

    #[test]
    fn a_folder_appears_whole_and_replaces_only_what_may_be_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        let first = TempFolder::new_for(&out).expect("tmp");
        first.write(Path::new("a/x.txt"), b"one").expect("w");
        first.put_in_place(&out, false, |_| true).expect("place");
        assert_eq!(std::fs::read(out.join("a/x.txt")).expect("r"), b"one");

        let second = TempFolder::new_for(&out).expect("tmp");
        second.write(Path::new("y.txt"), b"two").expect("w");
        let e = second
            .put_in_place(&out, false, |_| true)
            .expect_err("exists");
        assert!(matches!(e, PlaceError::Io(e) if e.kind() == std::io::ErrorKind::AlreadyExists));

        let refused = TempFolder::new_for(&out).expect("tmp");
        refused.write(Path::new("y.txt"), b"two").expect("w");
        let e = refused
            .put_in_place(&out, true, |_| false)
            .expect_err("refused");
        assert!(matches!(e, PlaceError::Refused));
        assert_eq!(std::fs::read(out.join("a/x.txt")).expect("r"), b"one");

        let third = TempFolder::new_for(&out).expect("tmp");
        third.write(Path::new("y.txt"), b"two").expect("w");
        third.put_in_place(&out, true, |_| true).expect("replace");
        assert!(!out.join("a").exists(), "replaced, not merged");
        assert_eq!(std::fs::read(out.join("y.txt")).expect("r"), b"two");
        assert_eq!(names(dir.path()), ["out"], "no temporary folders left");
    }
}
