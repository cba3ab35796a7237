//! The one place that says what a valid span and a valid label are.
//!
//! Three doors let spans and labels into a project: loading a project file
//! (`project_file`), applying an edit (`Project::apply`) and importing another format
//! (`formats::ProjectBuilder`). All three ask this module, so a file that loads can always be
//! edited and saved again, and an import never makes a project that would not load. The doors
//! add the place (file, label number, document, span id); the problems here say what is wrong.
//!
//! Nothing here knows about files or messages' prefixes, and nothing here changes a project.

use std::collections::HashSet;

use thiserror::Error;

use super::attribute::{AttributeDef, AttributeKind};
use super::label::Label;
use super::relation::{Relation, RelationType};
use super::span::Span;

/// The largest span id a project may hold: 2^53 - 1, the largest whole number every JSON reader
/// (JavaScript's included) reads exactly. Ids above it are refused on load, which also keeps
/// [`super::span::SpanId::NEW`] and the next id from ever overflowing.
pub const MAX_SPAN_ID: u64 = (1 << 53) - 1;

/// What is wrong with a span's range or id.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum SpanProblem {
    #[error("end {end} is before start {start}")]
    EndBeforeStart { start: usize, end: usize },
    #[error("the span is empty (start = end = {start})")]
    Empty { start: usize },
    #[error("end {end} is past the end of the text ({len} characters)")]
    PastEnd { end: usize, len: usize },
    #[error("span id {0} is too large (span ids go up to {MAX_SPAN_ID})")]
    IdTooLarge(u64),
}

/// What is wrong with a label, alone or among the others of its set.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum LabelProblem {
    #[error("a label name must not be empty")]
    EmptyName,
    #[error("label name \"{0}\" must not contain spaces")]
    NameWithSpace(String),
    #[error("there is already a label named {0}")]
    NameTaken(String),
    #[error("hotkey {0:?} must be a letter or a digit")]
    HotkeyNotLetterOrDigit(char),
    /// Hotkeys ignore case: the window cannot tell `a` from `A` without Shift, and Shift with a
    /// key is never a label hotkey.
    #[error("hotkey {key} is already taken by {by}{}", case_note(*key, *theirs))]
    HotkeyTaken { key: char, by: String, theirs: char },
}

/// Says why `A` clashes with `a`; nothing when the keys are written alike.
fn case_note(key: char, theirs: char) -> String {
    if key == theirs {
        String::new()
    } else {
        format!(" (as {theirs}: hotkeys ignore case)")
    }
}

/// Why `candidate` cannot join the relation types `others` (its name is empty, has a space or
/// is taken), or `None`.
pub fn relation_type_among<'a>(
    others: impl IntoIterator<Item = &'a RelationType>,
    candidate: &RelationType,
) -> Option<String> {
    if let Err(problem) = label_name(&candidate.name) {
        return Some(problem.to_string().replace("label", "relation type"));
    }
    if others.into_iter().any(|t| t.name == candidate.name) {
        return Some(format!(
            "there is already a relation type named {}",
            candidate.name
        ));
    }
    None
}

/// Why `candidate` cannot join the attribute definitions `others`, or `None`: a name as for
/// labels, unique; a choice needs values, and only a choice has them.
pub fn attribute_among<'a>(
    others: impl IntoIterator<Item = &'a AttributeDef>,
    candidate: &AttributeDef,
) -> Option<String> {
    if let Err(problem) = label_name(&candidate.name) {
        return Some(problem.to_string().replace("label", "attribute"));
    }
    if others.into_iter().any(|a| a.name == candidate.name) {
        return Some(format!(
            "there is already an attribute named {}",
            candidate.name
        ));
    }
    match candidate.kind {
        AttributeKind::Choice if candidate.values.is_empty() => Some(format!(
            "attribute {} is a choice but has no values to choose from",
            candidate.name
        )),
        AttributeKind::Flag | AttributeKind::Text if !candidate.values.is_empty() => Some(format!(
            "attribute {} has values, but only a choice has them",
            candidate.name
        )),
        _ => {
            let mut seen = HashSet::new();
            candidate
                .values
                .iter()
                .find(|v| v.is_empty() || !seen.insert(v.as_str()))
                .map(|v| {
                    format!(
                        "attribute {}: the value \"{v}\" is empty or listed twice",
                        candidate.name
                    )
                })
        }
    }
}

/// What a relation's ends and type are checked for. Errors make the relation meaningless (an
/// end that is not a span of its document, a type the project lacks); warnings are data another
/// tool made that the project's rules do not allow (a label not allowed at an end), kept and
/// reported.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Findings {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

/// Check `relation` against its document's spans (`span` looks one up by id) and the project's
/// relation types.
pub fn relation<'a>(
    relation: &Relation,
    span: impl Fn(super::span::SpanId) -> Option<&'a Span>,
    types: &[RelationType],
) -> Findings {
    let mut findings = Findings::default();
    let kind = types.iter().find(|t| t.name == relation.kind);
    if kind.is_none() {
        findings.errors.push(format!(
            "relation type \"{}\" is not one of the project's relation types",
            relation.kind
        ));
    }
    if relation.from == relation.to {
        findings.errors.push(format!(
            "the relation starts and ends at the same span {}",
            relation.from
        ));
    }
    for (is_from, id) in [(true, relation.from), (false, relation.to)] {
        let end = if is_from { "start" } else { "end" };
        match span(id) {
            None => findings.errors.push(format!(
                "span {id} (its {end}) is not a span of this document"
            )),
            Some(s) => {
                if let Some(kind) = kind
                    && !kind.allows(is_from, &s.label)
                {
                    let allowed = if is_from {
                        &kind.from_labels
                    } else {
                        &kind.to_labels
                    };
                    findings.warnings.push(format!(
                        "span {id} at its {end} is labelled {}, but {} allows only {} there",
                        s.label,
                        kind.name,
                        allowed.join(", ")
                    ));
                }
            }
        }
    }
    findings
}

/// The span's attribute values that the definitions do not allow (warnings: see
/// [`crate::core::attribute`]).
pub fn attribute_values(span: &Span, defs: &[AttributeDef]) -> Vec<String> {
    span.attributes
        .iter()
        .filter_map(
            |(name, value)| match defs.iter().find(|d| &d.name == name) {
                None => Some(format!("attribute {name} has no definition in the project")),
                Some(def) => def.problem(&span.label, value),
            },
        )
        .collect()
}

/// `[start, end)` must hold at least one code point of a text `len` code points long. Only the
/// first problem is returned, in the order: end before start, empty, past the end.
pub fn span_range(start: usize, end: usize, len: usize) -> Result<(), SpanProblem> {
    if end < start {
        Err(SpanProblem::EndBeforeStart { start, end })
    } else if end == start {
        Err(SpanProblem::Empty { start })
    } else if end > len {
        Err(SpanProblem::PastEnd { end, len })
    } else {
        Ok(())
    }
}

/// A span id must be at most [`MAX_SPAN_ID`].
pub fn span_id(id: u64) -> Result<(), SpanProblem> {
    if id > MAX_SPAN_ID {
        Err(SpanProblem::IdTooLarge(id))
    } else {
        Ok(())
    }
}

/// A label name is not empty and has no whitespace (spans and other formats name labels by it).
pub fn label_name(name: &str) -> Result<(), LabelProblem> {
    if name.is_empty() {
        Err(LabelProblem::EmptyName)
    } else if name.chars().any(char::is_whitespace) {
        Err(LabelProblem::NameWithSpace(name.to_owned()))
    } else {
        Ok(())
    }
}

/// True when two hotkeys are the same key: case is ignored.
pub fn same_hotkey(a: char, b: char) -> bool {
    a == b || a.to_lowercase().eq(b.to_lowercase())
}

/// Every problem of `label` standing among `others` (the rest of the set, without it).
pub fn label_among<'a>(
    others: impl IntoIterator<Item = &'a Label>,
    label: &Label,
) -> Vec<LabelProblem> {
    let mut problems = Vec::new();
    if let Err(problem) = label_name(&label.name) {
        problems.push(problem);
    }
    if let Some(key) = label.hotkey
        && !key.is_alphanumeric()
    {
        problems.push(LabelProblem::HotkeyNotLetterOrDigit(key));
    }
    let mut name_taken = false;
    let mut key_taken = false;
    for other in others {
        if !name_taken && other.name == label.name {
            name_taken = true;
            problems.push(LabelProblem::NameTaken(label.name.clone()));
        }
        if let (Some(key), Some(theirs)) = (label.hotkey, other.hotkey)
            && !key_taken
            && same_hotkey(key, theirs)
        {
            key_taken = true;
            problems.push(LabelProblem::HotkeyTaken {
                key,
                by: other.name.clone(),
                theirs,
            });
        }
    }
    problems
}

/// Every problem of a whole label set, with the index of the label it belongs to. Each label is
/// checked against the ones before it, so of two labels with one name the second is named.
pub fn label_set(labels: &[Label]) -> Vec<(usize, LabelProblem)> {
    labels
        .iter()
        .enumerate()
        .flat_map(|(i, label)| {
            label_among(&labels[..i], label)
                .into_iter()
                .map(move |p| (i, p))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::label::Rgb;

    fn label(name: &str, key: Option<char>) -> Label {
        Label::new(name, Rgb(0, 0, 0), key, "")
    }

    #[test]
    fn ranges_report_the_first_problem() {
        assert_eq!(
            span_range(3, 2, 9),
            Err(SpanProblem::EndBeforeStart { start: 3, end: 2 })
        );
        assert_eq!(span_range(2, 2, 9), Err(SpanProblem::Empty { start: 2 }));
        assert_eq!(
            span_range(2, 10, 9),
            Err(SpanProblem::PastEnd { end: 10, len: 9 })
        );
        assert_eq!(span_range(0, 9, 9), Ok(()));
    }

    #[test]
    fn hotkeys_ignore_case_and_must_be_letters_or_digits() {
        let set = [label("PER", Some('a')), label("ORG", Some('A'))];
        assert_eq!(
            label_set(&set),
            [(
                1,
                LabelProblem::HotkeyTaken {
                    key: 'A',
                    by: "PER".into(),
                    theirs: 'a',
                }
            )]
        );
        assert_eq!(
            label_among([], &label("X", Some('-'))),
            [LabelProblem::HotkeyNotLetterOrDigit('-')]
        );
        assert_eq!(
            label_set(&set)[0].1.to_string(),
            "hotkey A is already taken by PER (as a: hotkeys ignore case)"
        );
        assert!(same_hotkey('ä', 'Ä'));
        assert!(!same_hotkey('1', '2'));
    }

    #[test]
    fn names_are_non_empty_without_spaces_and_unique() {
        let set = [label("PER", None), label("PER", None), label("A B", None)];
        let problems: Vec<String> = label_set(&set)
            .into_iter()
            .map(|(i, p)| format!("{i}: {p}"))
            .collect();
        assert_eq!(
            problems,
            [
                "1: there is already a label named PER",
                "2: label name \"A B\" must not contain spaces"
            ]
        );
        assert_eq!(label_name(""), Err(LabelProblem::EmptyName));
        assert_eq!(
            span_id(MAX_SPAN_ID + 1),
            Err(SpanProblem::IdTooLarge(MAX_SPAN_ID + 1))
        );
    }
}
