//! Writing a file so that a crash at any instant leaves either the old or the new file whole.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Write `bytes` to a temporary file in the target's folder, flush it to disk, rename it over
/// `path`, then flush the folder so the rename itself survives a power loss.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = folder_of(path);
    let mut builder = tempfile::Builder::new();
    builder.prefix(".spantag-").suffix(".tmp");
    #[cfg(unix)]
    {
        // A new file gets the usual permissions (open(2) applies the umask), not tempfile's 0600.
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        // Keep the permissions the user gave the file.
        let _ = tmp.as_file().set_permissions(meta.permissions());
    }
    tmp.persist(path).map_err(|e| e.error)?;
    sync_folder(dir);
    Ok(())
}

/// Like [`write_atomically`], and first keep the file being replaced as `PATH.bak` (itself
/// replaced atomically, so a crash never leaves a half-written backup either).
pub fn write_keeping_backup(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if path.is_file() {
        let backup = backup_path(path);
        let dir = folder_of(path);
        let tmp = tempfile::Builder::new()
            .prefix(".spantag-")
            .suffix(".bak.tmp")
            .make_in(dir, |p| {
                // A hard link costs nothing and is the old file exactly; copy where links fail.
                std::fs::hard_link(path, p).or_else(|_| std::fs::copy(path, p).map(|_| ()))
            })?;
        tmp.persist(&backup).map_err(|e| e.error)?;
    }
    write_atomically(path, bytes)
}

/// `project.json` → `project.json.bak`.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 2);
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
        write_atomically(&path, b"two").expect("write");
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
}
