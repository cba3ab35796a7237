//! Attribute definitions: what may be said about a span beyond its label (brat's
//! `[attributes]`). Values live in [`crate::core::Span::attributes`], by name.
//!
//! A value that its definition does not allow (or an attribute with no definition) is kept, not
//! dropped: files made by other tools carry them, and refusing the file would lose the rest of
//! the work. `validate` reports them; edits made in Spantag cannot make new ones.

use serde::{Deserialize, Serialize};

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
