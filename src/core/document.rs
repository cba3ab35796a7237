//! A document: its exact text, never altered, and the indexes over it.

use std::sync::Arc;

use sha2::{Digest as _, Sha256};

use super::offsets::{CharIndex, Utf16Index};
use super::text_reference::TextReference;

/// How an edit names its document: the document's `id`, which is unique in a project, stored in
/// the project file and never changed. Unlike a position in the project's list, it cannot come to
/// mean another document, so an edit built earlier (a background job, a merge) either lands in
/// the document it was built for or fails. Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocId(Arc<str>);

impl DocId {
    pub fn new(id: &str) -> Self {
        Self(Arc::from(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Lets a set of ids be asked about a `&str` without building an id.
impl std::borrow::Borrow<str> for DocId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for DocId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Debug)]
pub struct Document {
    /// Unique within a project; used to match documents across files and formats.
    pub id: String,
    /// Where the text came from, for display (usually the original file name).
    pub name: String,
    text: String,
    sha256: String,
    index: CharIndex,
    /// Code point offset where each line starts (after each `\n`); the first is 0.
    line_starts: Vec<usize>,
    /// Built on first use: only UTF-16 imports and exports need it.
    utf16: std::sync::OnceLock<Utf16Index>,
    /// The file the text is kept in, when the project references it instead of holding it.
    reference: Option<TextReference>,
}

impl Document {
    pub fn new(id: impl Into<String>, name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let index = CharIndex::new(&text);
        let mut line_starts = vec![0];
        let mut chars = 0;
        for c in text.chars() {
            chars += 1;
            if c == '\n' {
                line_starts.push(chars);
            }
        }
        Self {
            id: id.into(),
            name: name.into(),
            sha256: sha256_hex(&text),
            text,
            index,
            line_starts,
            utf16: std::sync::OnceLock::new(),
            reference: None,
        }
    }

    /// The same document, its text kept in the file of `reference` (or inline with `None`).
    pub fn with_reference(mut self, reference: Option<TextReference>) -> Self {
        self.reference = reference;
        self
    }

    /// Where the text is kept when the project references it instead of holding it.
    pub fn reference(&self) -> Option<&TextReference> {
        self.reference.as_ref()
    }

    /// The id edits use to name this document.
    pub fn doc_id(&self) -> DocId {
        DocId::new(&self.id)
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Lowercase hex SHA-256 of the UTF-8 text.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Length in Unicode code points.
    pub fn char_len(&self) -> usize {
        self.index.char_len()
    }

    pub fn char_to_byte(&self, char_offset: usize) -> usize {
        self.index.char_to_byte(&self.text, char_offset)
    }

    pub fn byte_to_char(&self, byte_offset: usize) -> usize {
        self.index.byte_to_char(&self.text, byte_offset)
    }

    /// Code point ↔ UTF-16 conversion for this text (built once, on first use).
    pub fn utf16(&self) -> &Utf16Index {
        self.utf16.get_or_init(|| Utf16Index::new(&self.text))
    }

    /// The text of the code point range `[start, end)`, clamped to the text.
    pub fn slice(&self, start: usize, end: usize) -> &str {
        let range = self.index.byte_range(&self.text, start, end.max(start));
        &self.text[range]
    }

    /// Code point offsets of line starts; a line includes its trailing `\n`.
    pub fn line_starts(&self) -> &[usize] {
        &self.line_starts
    }

    /// The line containing code point `offset` (0-based).
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// 1-based line and column (in code points) of `offset`, as editors show them.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_of(offset);
        (line + 1, offset - self.line_starts[line] + 1)
    }
}

pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        use std::fmt::Write as _;
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_by_code_points() {
        let doc = Document::new("d", "d.txt", "𠮷野家在北京👍🏽。");
        assert_eq!(doc.char_len(), 9);
        assert_eq!(doc.slice(0, 1), "𠮷");
        assert_eq!(doc.slice(4, 6), "北京");
        assert_eq!(doc.slice(6, 8), "👍🏽");
        assert_eq!(doc.slice(8, 100), "。");
    }

    #[test]
    fn text_is_kept_exactly() {
        let text = "\n\n 前导空行\r\n尾随空格  \n";
        let doc = Document::new("d", "d.txt", text);
        assert_eq!(doc.text(), text);
        assert_eq!(doc.line_starts(), &[0, 1, 2, 9, 16]);
        assert_eq!(doc.line_col(10), (4, 2));
    }

    #[test]
    fn sha256_of_known_text() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
