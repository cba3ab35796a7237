//! Gazetteers: dictionaries of mentions, matched over characters (no tokenizer) with
//! leftmost-longest semantics across all entries.
//!
//! Two file kinds, told apart by the extension:
//! - `.tsv`: `mention<TAB>label` or `mention<TAB>normalised<TAB>label` per line. A first line
//!   whose last field is `label` or `type` is a header and is skipped. The normalised form is
//!   written on the span as its note; a mention listed with several normalised forms (and the
//!   same label) gets all of them, in file order, joined with ` | `.
//! - anything else (`.txt`): one mention per line, all with the label given when loading; a
//!   line with a tab is an error (the file is most likely a `.tsv` under another name).
//!
//! Fields are trimmed; blank lines are skipped. An empty mention, a missing label column, too
//! many columns or a label name that is not valid is an error naming the file and line.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};
use thiserror::Error;

use crate::core::document::Document;
use crate::core::validate;

use super::find::ForwardOffsets;
use super::{Place, numbered_lines};

/// Joins the normalised forms of one mention in a span's note.
pub const NOTE_SEPARATOR: &str = " | ";

#[derive(Debug, Error, PartialEq, Eq)]
pub enum GazetteerError {
    #[error("{0}: the mention is empty")]
    EmptyMention(Place),
    #[error(
        "{0}: the label column is missing (expected MENTION<TAB>LABEL or MENTION<TAB>NORMALISED<TAB>LABEL)"
    )]
    MissingLabel(Place),
    #[error(
        "{place}: {columns} columns (expected MENTION<TAB>LABEL or MENTION<TAB>NORMALISED<TAB>LABEL)"
    )]
    TooManyColumns { place: Place, columns: usize },
    #[error("{place}: {problem}")]
    BadLabel {
        place: Place,
        problem: validate::LabelProblem,
    },
    /// A list with columns is most likely a `.tsv` under another name: matching its lines
    /// whole would silently find nothing.
    #[error(
        "{0}: a tab in a one-mention-per-line gazetteer; name the file .tsv for MENTION<TAB>LABEL columns"
    )]
    TabInList(Place),
    #[error("{0}: a .txt gazetteer has no label column; give its label (--label)")]
    NoLabelGiven(String),
    #[error("cannot build the matcher: {0}")]
    Build(String),
}

/// What one mention is tagged as: a label, and the normalised forms listed for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sense {
    pub label: String,
    pub normalised: Vec<String>,
}

impl Sense {
    /// The note for a span of this sense: the normalised forms joined, or none.
    pub fn note(&self) -> Option<String> {
        (!self.normalised.is_empty()).then(|| self.normalised.join(NOTE_SEPARATOR))
    }
}

/// Entries of one or more gazetteer files, each mention once with all its senses.
#[derive(Clone, Debug, Default)]
pub struct Gazetteer {
    mentions: Vec<String>,
    /// `senses[i]` belongs to `mentions[i]`; one per label, in file order.
    senses: Vec<Vec<Sense>>,
    by_mention: HashMap<String, usize>,
}

impl Gazetteer {
    /// Add the entries of one file. `file` names it in errors; a `.txt` file's entries get
    /// `label`, which it must have.
    pub fn add_file(
        &mut self,
        file: &str,
        text: &str,
        label: Option<&str>,
    ) -> Result<(), GazetteerError> {
        if file.to_ascii_lowercase().ends_with(".tsv") {
            self.add_tsv(file, text)
        } else {
            let label = label.ok_or_else(|| GazetteerError::NoLabelGiven(file.to_owned()))?;
            self.add_list(file, text, label)
        }
    }

    fn add_list(&mut self, file: &str, text: &str, label: &str) -> Result<(), GazetteerError> {
        let place = |line| Place {
            file: file.to_owned(),
            line,
        };
        check_label(label, place(1))?;
        for (line, mention) in numbered_lines(text) {
            let mention = mention.trim();
            if mention.contains('\t') {
                return Err(GazetteerError::TabInList(place(line)));
            }
            if !mention.is_empty() {
                self.add(mention, label, None);
            }
        }
        Ok(())
    }

    fn add_tsv(&mut self, file: &str, text: &str) -> Result<(), GazetteerError> {
        for (line, content) in numbered_lines(text) {
            let place = Place {
                file: file.to_owned(),
                line,
            };
            if content.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = content.split('\t').map(str::trim).collect();
            let last = fields.last().copied().unwrap_or_default();
            if line == 1
                && (last.eq_ignore_ascii_case("label") || last.eq_ignore_ascii_case("type"))
            {
                continue;
            }
            let (mention, normalised, label) = match fields.as_slice() {
                [mention, label] => (*mention, None, *label),
                [mention, normalised, label] => (*mention, Some(*normalised), *label),
                [_] => return Err(GazetteerError::MissingLabel(place)),
                _ => {
                    return Err(GazetteerError::TooManyColumns {
                        place,
                        columns: fields.len(),
                    });
                }
            };
            if mention.is_empty() {
                return Err(GazetteerError::EmptyMention(place));
            }
            if label.is_empty() {
                return Err(GazetteerError::MissingLabel(place));
            }
            check_label(label, place)?;
            self.add(mention, label, normalised.filter(|n| !n.is_empty()));
        }
        Ok(())
    }

    /// Add one entry; a mention already present gains the label or the normalised form.
    pub fn add(&mut self, mention: &str, label: &str, normalised: Option<&str>) {
        let index = match self.by_mention.get(mention) {
            Some(&i) => i,
            None => {
                self.mentions.push(mention.to_owned());
                self.senses.push(Vec::new());
                self.by_mention
                    .insert(mention.to_owned(), self.mentions.len() - 1);
                self.mentions.len() - 1
            }
        };
        let senses = &mut self.senses[index];
        let sense = match senses.iter().position(|s| s.label == label) {
            Some(i) => &mut senses[i],
            None => {
                senses.push(Sense {
                    label: label.to_owned(),
                    normalised: Vec::new(),
                });
                let last = senses.len() - 1;
                &mut senses[last]
            }
        };
        if let Some(n) = normalised
            && !sense.normalised.iter().any(|have| have == n)
        {
            sense.normalised.push(n.to_owned());
        }
    }

    /// Number of distinct mentions.
    pub fn len(&self) -> usize {
        self.mentions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.mentions.is_empty()
    }

    /// The senses of `mention`, if it is an entry.
    pub fn senses(&self, mention: &str) -> Option<&[Sense]> {
        self.by_mention
            .get(mention)
            .map(|&i| self.senses[i].as_slice())
    }

    /// The matcher over every mention of at least `min_length` code points.
    pub fn matcher(&self, min_length: usize) -> Result<GazetteerMatcher<'_>, GazetteerError> {
        let kept: Vec<usize> = (0..self.mentions.len())
            .filter(|&i| self.mentions[i].chars().count() >= min_length)
            .collect();
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(kept.iter().map(|&i| &self.mentions[i]))
            .map_err(|e| GazetteerError::Build(e.to_string()))?;
        Ok(GazetteerMatcher {
            gazetteer: self,
            automaton,
            kept,
        })
    }
}

fn check_label(label: &str, place: Place) -> Result<(), GazetteerError> {
    validate::label_name(label).map_err(|problem| GazetteerError::BadLabel { place, problem })
}

/// A gazetteer compiled into one Aho-Corasick automaton.
pub struct GazetteerMatcher<'a> {
    gazetteer: &'a Gazetteer,
    automaton: AhoCorasick,
    /// Pattern id → mention index.
    kept: Vec<usize>,
}

impl GazetteerMatcher<'_> {
    /// Leftmost-longest, non-overlapping matches in `document`: at each place the longest entry
    /// wins (`刘备玄德` over `刘备`), and matching resumes after it. Each match is `[start, end)`
    /// in code points with the senses of its mention.
    pub fn matches<'d>(
        &'d self,
        document: &'d Document,
    ) -> impl Iterator<Item = (usize, usize, &'d [Sense])> + 'd {
        let mut offsets = ForwardOffsets::new(document);
        self.automaton.find_iter(document.text()).map(move |m| {
            let mention = self.kept[m.pattern().as_usize()];
            (
                offsets.char_at(m.start()),
                offsets.char_at(m.end()),
                self.gazetteer.senses[mention].as_slice(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(file: &str, text: &str, label: Option<&str>) -> Result<Gazetteer, GazetteerError> {
        let mut g = Gazetteer::default();
        g.add_file(file, text, label)?;
        Ok(g)
    }

    fn place(line: usize) -> Place {
        Place {
            file: "g.tsv".into(),
            line,
        }
    }

    #[test]
    fn tsv_with_header_normalised_forms_and_several_labels() {
        let g = load(
            "g.tsv",
            "mention\tentity\ttype\n刘备\t刘备\t人名\n玄德\t刘备\t人名\n\n子龙\t赵云\t人名\r\n子龙\t赵子龙\t人名\n荆州\t州名\n荆州\t荆州\t势力\n",
            None,
        )
        .expect("loads");
        assert_eq!(g.len(), 4);
        assert!(g.senses("mention").is_none());
        assert_eq!(
            g.senses("子龙").expect("entry")[0].note().as_deref(),
            Some("赵云 | 赵子龙")
        );
        let jingzhou = g.senses("荆州").expect("entry");
        assert_eq!(jingzhou.len(), 2);
        assert_eq!(jingzhou[0].note(), None);
        assert_eq!(jingzhou[1].label, "势力");
    }

    #[test]
    fn a_header_only_on_the_first_line() {
        let err = load("g.tsv", "刘备\t人名\nmention\tlabel x\n", None).expect_err("bad label");
        assert_eq!(
            err.to_string(),
            "g.tsv:2: label name \"label x\" must not contain spaces"
        );
        let g = load("g.tsv", "mention\tlabel\n刘备\t人名\n", None).expect("loads");
        assert_eq!(g.len(), 1);
    }

    #[test]
    fn bad_lines_name_file_and_line() {
        assert_eq!(
            load("g.tsv", "刘备\t人名\n\t人名\n", None).expect_err("empty"),
            GazetteerError::EmptyMention(place(2))
        );
        assert_eq!(
            load("g.tsv", "刘备\n", None).expect_err("no label"),
            GazetteerError::MissingLabel(place(1))
        );
        assert_eq!(
            load("g.tsv", "刘备\t刘备\t\n", None).expect_err("empty label"),
            GazetteerError::MissingLabel(place(1))
        );
        let four = load("g.tsv", "a\tb\tc\tPER\n", None).expect_err("4 columns");
        assert_eq!(
            four.to_string(),
            "g.tsv:1: 4 columns (expected MENTION<TAB>LABEL or MENTION<TAB>NORMALISED<TAB>LABEL)"
        );
        assert_eq!(
            load("names.txt", "刘备\n曹操\t人名\n", Some("PER")).expect_err("a tab"),
            GazetteerError::TabInList(Place {
                file: "names.txt".into(),
                line: 2
            })
        );
        assert_eq!(
            load("names.txt", "刘备\n", None).expect_err("no label"),
            GazetteerError::NoLabelGiven("names.txt".into())
        );
    }

    #[test]
    fn leftmost_longest_over_characters() {
        let g = load("names.txt", "刘备\n刘备玄德\n玄德\n👍🏽\n备玄\n", Some("PER")).expect("loads");
        let doc = Document::new("d", "d.txt", "𠮷刘备玄德与刘备👍🏽玄德");
        let matcher = g.matcher(1).expect("builds");
        let found: Vec<(usize, usize)> = matcher.matches(&doc).map(|(s, e, _)| (s, e)).collect();
        // 刘备玄德 wins over 刘备 and 备玄 at 1; 玄德 after 👍🏽 (two code points).
        assert_eq!(found, [(1, 5), (6, 8), (8, 10), (10, 12)]);
        let long_only = g.matcher(3).expect("builds");
        let found: Vec<(usize, usize)> = long_only.matches(&doc).map(|(s, e, _)| (s, e)).collect();
        assert_eq!(found, [(1, 5)]);
    }
}
