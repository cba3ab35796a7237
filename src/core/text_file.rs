//! Plain text files as documents.

use std::path::Path;

use thiserror::Error;

use super::document::Document;

#[derive(Debug, Error)]
pub enum TextFileError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not UTF-8 text (invalid byte at offset {offset}); convert it to UTF-8 first", path.display())]
    NotUtf8 {
        path: std::path::PathBuf,
        offset: usize,
    },
}

/// Read a UTF-8 text file as a document, its text kept byte for byte. The id is the file stem,
/// made unique among `existing`; the name is the file name.
pub fn read_text_document(path: &Path, existing: &[Document]) -> Result<Document, TextFileError> {
    let bytes = std::fs::read(path).map_err(|source| TextFileError::Read {
        path: path.to_owned(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| TextFileError::NotUtf8 {
        path: path.to_owned(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document".to_owned());
    let mut id = stem.clone();
    let mut n = 2;
    while existing.iter().any(|d| d.id == id) {
        id = format!("{stem}-{n}");
        n += 1;
    }
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| id.clone());
    Ok(Document::new(id, name, text))
}
