//! Rules files: `LABEL<TAB>REGEX` per line; `#` comments and blank lines are allowed.
//!
//! Each rule gives the leftmost-first, non-overlapping matches of its regex (`regex` crate
//! syntax, matched over characters); rules do not compete with each other (two rules of one
//! label cannot both add overlapping spans, see [`super::plan`]). Empty matches are left out.
//! The label is trimmed; the regex is taken as written after the first tab (only the line end
//! is removed), since spaces can be part of a pattern.

use regex::Regex;
use thiserror::Error;

use crate::core::document::Document;
use crate::core::validate;

use super::find::matches_in;
use super::{Place, numbered_lines};

#[derive(Debug, Error)]
pub enum RulesError {
    #[error("{0}: the label column is missing (expected LABEL<TAB>REGEX)")]
    MissingLabel(Place),
    #[error("{0}: the regex is empty (expected LABEL<TAB>REGEX)")]
    EmptyRegex(Place),
    #[error("{place}: {problem}")]
    BadLabel {
        place: Place,
        problem: validate::LabelProblem,
    },
    #[error("{place}: the regex does not compile: {message}")]
    BadRegex { place: Place, message: String },
}

/// One rule: matches of `regex` are tagged `label`.
#[derive(Clone, Debug)]
pub struct Rule {
    pub label: String,
    pub regex: Regex,
    /// Where it was written, for summaries.
    pub place: Place,
}

/// The rules of one or more files, in file order.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    pub rules: Vec<Rule>,
}

impl Rules {
    /// Add the rules of one file; `file` names it in errors.
    pub fn add_file(&mut self, file: &str, text: &str) -> Result<(), RulesError> {
        for (line, content) in numbered_lines(text) {
            let place = Place {
                file: file.to_owned(),
                line,
            };
            let trimmed = content.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let Some((label, pattern)) = content.split_once('\t') else {
                return Err(RulesError::MissingLabel(place));
            };
            let label = label.trim();
            if label.is_empty() {
                return Err(RulesError::MissingLabel(place));
            }
            if pattern.is_empty() {
                return Err(RulesError::EmptyRegex(place));
            }
            if let Err(problem) = validate::label_name(label) {
                return Err(RulesError::BadLabel { place, problem });
            }
            let regex = Regex::new(pattern).map_err(|e| RulesError::BadRegex {
                place: place.clone(),
                message: e.to_string(),
            })?;
            self.rules.push(Rule {
                label: label.to_owned(),
                regex,
                place,
            });
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

impl Rule {
    /// The rule's matches in `document`, `[start, end)` in code points, in document order.
    pub fn matches<'a>(
        &'a self,
        document: &'a Document,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        matches_in(document, &self.regex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Rules, RulesError> {
        let mut rules = Rules::default();
        rules.add_file("r.tsv", text)?;
        Ok(rules)
    }

    #[test]
    fn comments_blank_lines_and_spaces_in_patterns() {
        let rules = load("# years\n\nDATE\t[0-9]{4}年\n  # indented comment\nORG\t[^ ]+ Party\r\n")
            .expect("loads");
        assert_eq!(rules.len(), 2);
        assert_eq!(rules.rules[1].place.line, 5);
        let doc = Document::new("d", "d.txt", "👍1949年, 2022年 the Communist Party");
        let years: Vec<_> = rules.rules[0].matches(&doc).collect();
        assert_eq!(years, [(1, 6), (8, 13)]);
        let party: Vec<_> = rules.rules[1].matches(&doc).collect();
        assert_eq!(party, [(18, 33)]);
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        let message = |text: &str| load(text).expect_err("bad").to_string();
        assert_eq!(
            message("DATE\t[0-9]+\nPER\n"),
            "r.tsv:2: the label column is missing (expected LABEL<TAB>REGEX)"
        );
        assert_eq!(
            message("\t[0-9]+\n"),
            "r.tsv:1: the label column is missing (expected LABEL<TAB>REGEX)"
        );
        assert_eq!(
            message("DATE\t\n"),
            "r.tsv:1: the regex is empty (expected LABEL<TAB>REGEX)"
        );
        assert!(
            message("# ok\nDATE\t([0-9]+\n").starts_with("r.tsv:2: the regex does not compile: ")
        );
        assert_eq!(
            message("MY DATE\t[0-9]+\n"),
            "r.tsv:1: label name \"MY DATE\" must not contain spaces"
        );
    }
}
