//! Attribute definitions: what may be said about a span beyond its label (brat's
//! `[attributes]`). Values live in [`crate::core::Span::attributes`], by name.
//!
//! A value that its definition does not allow (or an attribute with no definition) is kept, not
//! dropped: files made by other tools carry them, and refusing the file would lose the rest of
//! the work. `validate` reports them; edits made in Spantag cannot make new ones.

use serde::{Deserialize, Serialize};

use super::span::Span;

/// The value a set flag has in [`crate::core::Span::attributes`] (brat's binary attribute).
pub const FLAG_SET: &str = "true";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttributeKind {
    /// Set or not (`Negated`); a set flag has the value [`FLAG_SET`].
    Flag,
    /// One of [`AttributeDef::values`] (brat's `Value:A|B|C`).
    Choice,
    /// Any text: a normalisation id, a canonical name.
    Text,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDef {
    /// Unique among the project's attribute definitions.
    pub name: String,
    pub kind: AttributeKind,
    /// The values of a [`AttributeKind::Choice`], in the order offered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// The labels whose spans may carry it; empty means every label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

impl AttributeDef {
    pub fn new(name: &str, kind: AttributeKind, values: &[&str]) -> Self {
        Self {
            name: name.to_owned(),
            kind,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
            labels: Vec::new(),
        }
    }

    pub fn applies_to(&self, label: &str) -> bool {
        self.labels.is_empty() || self.labels.iter().any(|l| l == label)
    }

    /// Why `value` is not a value of this attribute on a span labelled `label`, or `None`.
    pub fn problem(&self, label: &str, value: &str) -> Option<String> {
        if !self.applies_to(label) {
            return Some(format!(
                "attribute {} is not defined for label {label} (only for {})",
                self.name,
                self.labels.join(", ")
            ));
        }
        match self.kind {
            AttributeKind::Flag if value != FLAG_SET => Some(format!(
                "attribute {} is a flag: its value is \"{FLAG_SET}\", not \"{value}\"",
                self.name
            )),
            AttributeKind::Choice if !self.values.iter().any(|v| v == value) => Some(format!(
                "\"{value}\" is not one of the values of attribute {} ({})",
                self.name,
                self.values.join(", ")
            )),
            _ => None,
        }
    }
}

/// A condition on a span's attributes, for the span list and review: the span carries `name`
/// (with any value), or carries it with exactly `value`. Written `Negated` or `Category=Fish`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeFilter {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// The prefix of an attribute condition in the span list's filter: `attr:Negated`.
pub const QUERY_PREFIX: &str = "attr:";

impl AttributeFilter {
    pub fn any(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: None,
        }
    }

    pub fn exactly(name: &str, value: &str) -> Self {
        Self {
            name: name.to_owned(),
            value: Some(value.to_owned()),
        }
    }

    /// `Negated` or `Category=Fish`; `None` for an empty name.
    pub fn parse(text: &str) -> Option<Self> {
        let (name, value) = match text.split_once('=') {
            Some((name, value)) => (name, Some(value.to_owned())),
            None => (text, None),
        };
        (!name.is_empty()).then(|| Self {
            name: name.to_owned(),
            value,
        })
    }

    pub fn matches(&self, span: &Span) -> bool {
        match (span.attributes.get(&self.name), &self.value) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(have), Some(want)) => have == want,
        }
    }

    /// Split a span list query into its text part and its attribute conditions: the words
    /// `attr:NAME` or `attr:NAME=VALUE` are conditions (all must hold), the other words, joined
    /// by single spaces, are the text to look for in a span's text or label.
    pub fn split_query(query: &str) -> (String, Vec<Self>) {
        let mut text = Vec::new();
        let mut conditions = Vec::new();
        for word in query.split_whitespace() {
            match word.strip_prefix(QUERY_PREFIX).and_then(Self::parse) {
                Some(condition) => conditions.push(condition),
                None => text.push(word),
            }
        }
        (text.join(" "), conditions)
    }
}

impl std::fmt::Display for AttributeFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{}={value}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::span::SpanId;

    #[test]
    fn a_query_splits_into_text_and_attribute_conditions() {
        let (text, conditions) =
            AttributeFilter::split_query("  古巴 attr:Negated  领导 attr:Category=Fish");
        assert_eq!(text, "古巴 领导");
        assert_eq!(
            conditions,
            [
                AttributeFilter::any("Negated"),
                AttributeFilter::exactly("Category", "Fish")
            ]
        );
        // `attr:` alone names no attribute: it is text.
        assert_eq!(AttributeFilter::split_query("attr:").0, "attr:");
        let mut span = Span::new(SpanId(1), 0, 2, "PER");
        assert!(!conditions[0].matches(&span));
        span.attributes.insert("Negated".into(), FLAG_SET.into());
        span.attributes.insert("Category".into(), "Bird".into());
        assert!(conditions[0].matches(&span));
        assert!(!conditions[1].matches(&span));
        assert!(AttributeFilter::any("Category").matches(&span));
        assert_eq!(conditions[1].to_string(), "Category=Fish");
    }
}
