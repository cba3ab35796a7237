//! Referenced texts: a document whose text the project file does not hold but names, as a
//! `.txt` file relative to the project file's folder, with the text's SHA-256 (for corpora too
//! large to inline). Loading reads the file; saving writes the reference again, never the text.
//!
//! Paths are relative and `/`-separated in the file, so a project and its texts move together
//! and open on every system. They may go up with `..` (a corpus folder beside a folder of
//! projects is the usual layout); absolute paths are refused, so that a project file from
//! elsewhere cannot pull an arbitrary file of this machine into a document. Nothing here
//! follows links to compute paths: the paths are lexical, as the user wrote them.

use std::path::{Component, Path, PathBuf};

/// Where a document's text lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextReference {
    /// The folder `path` is relative to: the project file's folder when it was read or made,
    /// absolute.
    pub folder: PathBuf,
    /// Relative to `folder`, `/`-separated, as written in the project file.
    pub path: String,
}

impl TextReference {
    /// The reference to `file` from a project file in `folder` (both made absolute against the
    /// working directory). `None` when there is no relative path between them (another drive)
    /// or the path is not UTF-8.
    pub fn to_file(folder: &Path, file: &Path) -> Option<Self> {
        let folder = lexical_absolute(folder)?;
        let file = lexical_absolute(file)?;
        let path = relative_path(&folder, &file)?;
        Some(Self { folder, path })
    }

    /// The file, as a path this process can open.
    pub fn file(&self) -> PathBuf {
        self.folder.join(&self.path)
    }

    /// The path to write in a project file in `folder`: the same file seen from there.
    pub fn path_from(&self, folder: &Path) -> String {
        match lexical_absolute(folder) {
            Some(folder) if folder == self.folder => self.path.clone(),
            Some(folder) => lexical_absolute(&self.file())
                .and_then(|file| relative_path(&folder, &file))
                .unwrap_or_else(|| self.path.clone()),
            None => self.path.clone(),
        }
    }
}

/// Why a path written in a project file cannot be a reference, if it cannot.
pub fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the text file's path is empty".to_owned());
    }
    let as_path = Path::new(path);
    let drive = path.as_bytes().get(1) == Some(&b':');
    if as_path.has_root() || as_path.is_absolute() || path.contains('\\') || drive {
        return Err(format!(
            "the text file's path \"{path}\" is not relative: a referenced text is named \
             relative to the project file's folder, with / between folders (.. may go up)"
        ));
    }
    Ok(())
}

/// Read the referenced text of `path` (written in a project file in `folder`): the file's
/// exact UTF-8 text, or why it cannot be read.
pub fn read(folder: &Path, path: &str) -> Result<(TextReference, String), String> {
    check_path(path)?;
    let reference = TextReference {
        folder: lexical_absolute(folder).unwrap_or_else(|| folder.to_owned()),
        path: path.to_owned(),
    };
    let file = reference.file();
    let bytes = std::fs::read(&file).map_err(|e| {
        format!(
            "cannot read its text file \"{path}\" ({}): {e}",
            file.display()
        )
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "its text file \"{path}\" ({}) is not UTF-8 text (invalid byte at offset {})",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok((reference, text))
}

/// `path` made absolute against the working directory, with `.` and `..` folded away.
fn lexical_absolute(path: &Path) -> Option<PathBuf> {
    let absolute = if path.as_os_str().is_empty() {
        std::env::current_dir().ok()?
    } else {
        std::path::absolute(path).ok()?
    };
    let mut folded = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                folded.pop();
            }
            other => folded.push(other),
        }
    }
    Some(folded)
}

/// The `/`-separated path from folder `from` to `to` (both absolute and folded).
fn relative_path(from: &Path, to: &Path) -> Option<String> {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    if from.first() != to.first() {
        return None;
    }
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    for component in &to[common..] {
        parts.push(component.as_os_str().to_str()?);
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_project_folder_and_follow_it() {
        let r = TextReference::to_file(Path::new("/c/projects"), Path::new("/c/corpus/ch1.txt"))
            .expect("a relative path");
        assert_eq!(r.path, "../corpus/ch1.txt");
        assert_eq!(r.file(), Path::new("/c/projects/../corpus/ch1.txt"));
        assert_eq!(r.path_from(Path::new("/c/projects")), "../corpus/ch1.txt");
        assert_eq!(r.path_from(Path::new("/c/corpus")), "ch1.txt");
        assert_eq!(r.path_from(Path::new("/c/a/b")), "../../corpus/ch1.txt");
    }

    #[test]
    fn absolute_and_backslashed_paths_are_refused() {
        for bad in ["/etc/passwd", "", "C:\\texts\\a.txt", "a\\b.txt"] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        for good in ["a.txt", "texts/a.txt", "../corpus/a.txt"] {
            assert!(check_path(good).is_ok(), "{good}");
        }
    }
}
