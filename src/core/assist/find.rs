//! Find: every occurrence of plain text or a regex, as code point ranges per document.

use regex::{Regex, RegexBuilder};
use thiserror::Error;

use crate::core::document::{DocId, Document};
use crate::core::project::Project;

/// What to look for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub pattern: String,
    /// `pattern` is a regex (`regex` crate syntax), not plain text.
    pub regex: bool,
    /// Upper and lower case must match as written (Unicode simple case folding otherwise).
    pub case_sensitive: bool,
}

impl Query {
    /// Plain text, case as written: what "also tag the other occurrences of this span" looks for.
    pub fn text(pattern: impl Into<String>) -> Self {
        Self {
            pattern: pattern.into(),
            regex: false,
            case_sensitive: true,
        }
    }

    pub fn regex(pattern: impl Into<String>) -> Self {
        Self {
            pattern: pattern.into(),
            regex: true,
            case_sensitive: true,
        }
    }

    /// The query compiled once, to run over many documents.
    pub fn compile(&self) -> Result<Regex, FindError> {
        if self.pattern.is_empty() {
            return Err(FindError::Empty);
        }
        let source = if self.regex {
            self.pattern.clone()
        } else {
            regex::escape(&self.pattern)
        };
        RegexBuilder::new(&source)
            .case_insensitive(!self.case_sensitive)
            .build()
            .map_err(|e| FindError::BadRegex(e.to_string()))
    }
}

/// Where to look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    Project,
    Document(DocId),
}

/// One occurrence: `[start, end)` in code points of document `doc`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hit {
    pub doc: DocId,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum FindError {
    #[error("nothing to find: the search text is empty")]
    Empty,
    #[error("the regex does not compile: {0}")]
    BadRegex(String),
    #[error("there is no document \"{0}\" in the project")]
    NoDocument(DocId),
}

/// Every non-overlapping occurrence of `query` in `scope`, in document order, leftmost first
/// (the `regex` crate's leftmost-first semantics; for plain text that is simply each occurrence
/// after the end of the one before). Matches of no characters (a regex like `a*` matches the
/// empty string everywhere) are left out: a span cannot be empty.
pub fn find(project: &Project, query: &Query, scope: &Scope) -> Result<Vec<Hit>, FindError> {
    if query.pattern.is_empty() {
        return Err(FindError::Empty);
    }
    let documents: Vec<&Document> = match scope {
        Scope::Project => project.documents.iter().map(|d| &d.document).collect(),
        Scope::Document(id) => {
            let index = project
                .doc_index(id)
                .ok_or_else(|| FindError::NoDocument(id.clone()))?;
            vec![&project.documents[index].document]
        }
    };
    // A plain, case-sensitive text is searched with memchr's `memmem` (what the regex crate
    // uses for a literal too) without compiling a regex: the panel counts a new span's other
    // occurrences in the frame after every edit.
    let matcher = if !query.regex && query.case_sensitive {
        Matcher::Literal(Box::new(memchr::memmem::Finder::new(
            query.pattern.as_bytes(),
        )))
    } else {
        Matcher::Regex(query.compile()?)
    };
    let mut hits = Vec::new();
    for document in documents {
        let doc = document.doc_id();
        let hit = |(start, end)| Hit {
            doc: doc.clone(),
            start,
            end,
        };
        match &matcher {
            Matcher::Literal(finder) => hits.extend(literal_matches_in(document, finder).map(hit)),
            Matcher::Regex(regex) => hits.extend(matches_in(document, regex).map(hit)),
        }
    }
    Ok(hits)
}

/// How [`find`] searches: a plain text as bytes, anything else as a regex.
enum Matcher<'a> {
    Literal(Box<memchr::memmem::Finder<'a>>),
    Regex(Regex),
}

/// The non-overlapping occurrences of `finder`'s needle in `document`, leftmost first, as
/// (start, end) in code points: what [`matches_in`] gives for the escaped literal.
fn literal_matches_in<'a>(
    document: &'a Document,
    finder: &'a memchr::memmem::Finder<'a>,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let mut offsets = ForwardOffsets::new(document);
    let len = finder.needle().len();
    finder
        .find_iter(document.text().as_bytes())
        .map(move |at| (offsets.char_at(at), offsets.char_at(at + len)))
}

/// The non-empty matches of `regex` in `document`, as code point ranges.
pub(crate) fn matches_in<'a>(
    document: &'a Document,
    regex: &'a Regex,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let mut offsets = ForwardOffsets::new(document);
    regex
        .find_iter(document.text())
        .filter(|m| !m.is_empty())
        .map(move |m| (offsets.char_at(m.start()), offsets.char_at(m.end())))
}

/// Converts the byte offsets of matches, which come in ascending order, to code points. A short
/// step forward counts the characters stepped over (a dictionary's matches are dense: tens of
/// thousands in the novel); a long step, or one backwards, asks the document's char index (a
/// lookup and a scan of at most 64 characters). Either way nothing is scanned from the start.
pub(crate) struct ForwardOffsets<'a> {
    document: &'a Document,
    byte: usize,
    char: usize,
}

/// Steps longer than this many bytes go through the char index instead of being counted.
const COUNT_AT_MOST: usize = 256;

impl<'a> ForwardOffsets<'a> {
    pub(crate) fn new(document: &'a Document) -> Self {
        Self {
            document,
            byte: 0,
            char: 0,
        }
    }

    /// The code point offset of `byte`, which must be on a character boundary.
    pub(crate) fn char_at(&mut self, byte: usize) -> usize {
        let text = self.document.text();
        self.char = match text.get(self.byte..byte) {
            Some(step) if step.len() <= COUNT_AT_MOST => self.char + step.chars().count(),
            _ => self.document.byte_to_char(byte),
        };
        self.byte = byte;
        self.char
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::label::LabelSet;

    #[test]
    fn plain_text_finds_what_the_escaped_regex_finds() {
        let p = Project::new(
            LabelSet::news_default(),
            vec![
                Document::new("a", "a.txt", "aaaa 刘备刘备刘 𠮷𠮷𠮷 a.b a+b 👍🏽👍🏽 \r\n"),
                Document::new("b", "b.txt", ""),
            ],
        );
        for pattern in [
            "aa",
            "刘备刘",
            "𠮷𠮷",
            "a.b",
            "a+b",
            "👍🏽",
            "\r\n",
            " ",
            "不在",
        ] {
            let plain = find(&p, &Query::text(pattern), &Scope::Project).expect("find");
            let escaped =
                find(&p, &Query::regex(regex::escape(pattern)), &Scope::Project).expect("find");
            assert_eq!(plain, escaped, "{pattern}");
        }
        let aa = find(&p, &Query::text("aa"), &Scope::Project).expect("find");
        assert_eq!(aa.len(), 2, "non-overlapping, leftmost first");
    }

    fn two_docs() -> Project {
        Project::new(
            LabelSet::news_default(),
            vec![
                Document::new("a", "a.txt", "刘备玄德👍🏽与刘备同行, Cuba and cuba"),
                Document::new("b", "b.txt", "𠮷刘备"),
            ],
        )
    }

    fn ranges(hits: &[Hit]) -> Vec<(&str, usize, usize)> {
        hits.iter()
            .map(|h| (h.doc.as_str(), h.start, h.end))
            .collect()
    }

    #[test]
    fn plain_text_in_the_project_counts_code_points() {
        let p = two_docs();
        let hits = find(&p, &Query::text("刘备"), &Scope::Project).expect("finds");
        // 👍🏽 is two code points; 𠮷 is one code point of four bytes.
        assert_eq!(ranges(&hits), [("a", 0, 2), ("a", 7, 9), ("b", 1, 3)]);
        let only_b = find(&p, &Query::text("刘备"), &Scope::Document(DocId::new("b")));
        assert_eq!(ranges(&only_b.expect("finds")), [("b", 1, 3)]);
    }

    #[test]
    fn case_option_and_regex() {
        let p = two_docs();
        let exact = find(&p, &Query::text("Cuba"), &Scope::Project).expect("finds");
        assert_eq!(ranges(&exact), [("a", 13, 17)]);
        let mut any_case = Query::text("cuba");
        any_case.case_sensitive = false;
        let both = find(&p, &any_case, &Scope::Project).expect("finds");
        assert_eq!(ranges(&both), [("a", 13, 17), ("a", 22, 26)]);
        let regex = find(&p, &Query::regex("刘备(玄德)?"), &Scope::Project).expect("finds");
        assert_eq!(ranges(&regex), [("a", 0, 4), ("a", 7, 9), ("b", 1, 3)]);
        // Plain text is not a regex: "." is a full stop.
        assert!(
            find(&p, &Query::text("."), &Scope::Project)
                .expect("finds")
                .is_empty()
        );
    }

    #[test]
    fn forward_offsets_agree_with_the_char_index_for_short_long_and_backward_steps() {
        let text = "𠮷a👍🏽é\n".repeat(300);
        let doc = Document::new("d", "d.txt", text.as_str());
        let boundaries: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        let mut offsets = ForwardOffsets::new(&doc);
        // Every boundary in order (short steps), then long jumps forward and back.
        let order = (0..boundaries.len()).chain([1400, 3, 1499, 700, 0]);
        for c in order {
            assert_eq!(offsets.char_at(boundaries[c]), c, "char {c}");
        }
        assert_eq!(offsets.char_at(text.len()), boundaries.len());
    }

    #[test]
    fn empty_matches_are_left_out_and_bad_input_is_named() {
        let p = two_docs();
        let hits = find(&p, &Query::regex("x*"), &Scope::Project).expect("finds");
        assert!(hits.is_empty());
        assert_eq!(
            find(&p, &Query::text(""), &Scope::Project),
            Err(FindError::Empty)
        );
        let bad = find(&p, &Query::regex("(刘"), &Scope::Project).expect_err("bad regex");
        assert!(
            bad.to_string().starts_with("the regex does not compile"),
            "{bad}"
        );
        let none = find(&p, &Query::text("a"), &Scope::Document(DocId::new("zz")));
        assert_eq!(none, Err(FindError::NoDocument(DocId::new("zz"))));
    }
}
