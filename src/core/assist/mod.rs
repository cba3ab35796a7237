//! Assisted annotation: find every occurrence of a text or pattern, match dictionaries
//! (gazetteers) and rules over the documents, and turn what was found into one transaction.
//!
//! Everything here only reads a project: the result is a [`Transaction`](super::Transaction) to
//! apply through the one door (`Editor::execute` / `Project::apply`), so "tag all" and
//! "annotate with a gazetteer" are each one undo step. Nothing here knows about egui or files on
//! disk except the parsers of gazetteer and rules files, which read text they are given.
//!
//! - [`find`]: every occurrence of plain text or a regex, in one document or the whole project.
//! - [`plan`]: candidates → one transaction, skipping places already covered or rejected.
//! - [`gazetteer`]: `.txt` / `.tsv` dictionaries, matched leftmost-longest with Aho-Corasick.
//! - [`rules`]: `LABEL<TAB>REGEX` files.
//! - [`annotate`]: a whole pre-annotation run (gazetteers and rules over a project).

pub mod annotate;
pub mod find;
pub mod gazetteer;
pub mod plan;
pub mod rules;

pub use annotate::{Annotation, Sources, annotate};
pub use find::{FindError, Hit, Query, Scope, find};
pub use gazetteer::{Gazetteer, GazetteerError};
pub use plan::{
    Candidate, LabelCounts, OccurrenceCount, Plan, TagOptions, count_other_occurrences, plan,
    tag_hits, tag_other_occurrences,
};
pub use rules::{Rules, RulesError};

/// Where a problem in a gazetteer or rules file is: the file as the user named it, and the
/// 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub line: usize,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// The lines of a file's text with their 1-based numbers, without line ends (`\n` or `\r\n`),
/// and without a byte order mark at the start.
fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines().enumerate().map(|(i, line)| (i + 1, line))
}
