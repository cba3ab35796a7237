//! Relations: a typed, directed link from one span to another in the same document, and the
//! project's relation types (brat's `[relations]`).
//!
//! A relation names its spans by id, never by position, so it follows them through edits; a
//! span cannot be removed while a relation still names it (see `Project::apply`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::label::Rgb;
use super::span::{SpanId, SpanStatus};

/// Unique within a project, stable across edits and saves, never given to a second relation
/// (the project keeps `next_relation_id`, as it does for spans).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RelationId(pub u64);

impl RelationId {
    /// The id of a relation that an edit adds but that has no id yet: `Project::apply` gives it
    /// a fresh one, as [`SpanId::NEW`] does for spans.
    pub const NEW: RelationId = RelationId(u64::MAX);
}

impl std::fmt::Display for RelationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    pub id: RelationId,
    /// The name of one of the project's [`RelationType`]s.
    #[serde(rename = "type")]
    pub kind: String,
    pub from: SpanId,
    pub to: SpanId,
    /// Review state, as for spans.
    #[serde(default, skip_serializing_if = "is_accepted")]
    pub status: SpanStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn is_accepted(status: &SpanStatus) -> bool {
    *status == SpanStatus::Accepted
}

impl Relation {
    pub fn new(id: RelationId, kind: impl Into<String>, from: SpanId, to: SpanId) -> Self {
        Self {
            id,
            kind: kind.into(),
            from,
            to,
            status: SpanStatus::Accepted,
            annotator: None,
            note: None,
        }
    }

    /// True when the relation starts or ends at span `id`.
    pub fn touches(&self, id: SpanId) -> bool {
        self.from == id || self.to == id
    }
}

/// A kind of relation the project offers, with the labels allowed at each end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationType {
    pub name: String,
    pub color: Rgb,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotkey: Option<char>,
    /// Labels allowed on the span the relation starts at; empty allows every label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub from_labels: Vec<String>,
    /// Labels allowed on the span the relation ends at; empty allows every label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to_labels: Vec<String>,
}

impl RelationType {
    pub fn new(name: &str, color: Rgb) -> Self {
        Self {
            name: name.to_owned(),
            color,
            hotkey: None,
            from_labels: Vec::new(),
            to_labels: Vec::new(),
        }
    }

    /// Whether a span labelled `label` may stand at the start (`from`) or the end of a
    /// relation of this type.
    pub fn allows(&self, from: bool, label: &str) -> bool {
        let allowed = if from {
            &self.from_labels
        } else {
            &self.to_labels
        };
        allowed.is_empty() || allowed.iter().any(|l| l == label)
    }
}

/// The relations of one document, by id (so they are written in a stable order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Relations {
    by_id: BTreeMap<RelationId, Relation>,
}

impl Relations {
    pub fn new(relations: Vec<Relation>) -> Self {
        Self {
            by_id: relations.into_iter().map(|r| (r.id, r)).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// In id order.
    pub fn iter(&self) -> impl Iterator<Item = &Relation> {
        self.by_id.values()
    }

    pub fn get(&self, id: RelationId) -> Option<&Relation> {
        self.by_id.get(&id)
    }

    /// The relations that start or end at span `id`, in id order.
    pub fn touching(&self, id: SpanId) -> impl Iterator<Item = &Relation> {
        self.by_id.values().filter(move |r| r.touches(id))
    }

    /// True when the set holds exactly `relation` (same id, same fields).
    pub fn holds(&self, relation: &Relation) -> bool {
        self.by_id.get(&relation.id) == Some(relation)
    }

    pub(crate) fn insert(&mut self, relation: Relation) {
        self.by_id.insert(relation.id, relation);
    }

    pub(crate) fn remove(&mut self, id: RelationId) -> Option<Relation> {
        self.by_id.remove(&id)
    }

    /// Give every relation of type `from` the type `to`.
    pub(crate) fn retype(&mut self, from: &str, to: &str) {
        for relation in self.by_id.values_mut().filter(|r| r.kind == from) {
            to.clone_into(&mut relation.kind);
        }
    }
}
