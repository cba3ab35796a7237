//! The merge conflicts `spantag merge` left in a project, and the edits that resolve them.
//!
//! A conflicting span is kept in the file as its versions, each with status `suggested` and
//! the attribute [`CONFLICT_ATTRIBUTE`], whose value says which side the version is from, where
//! the other version is (or that the other side deleted it) and the status the version had
//! before the merge made it a suggestion: `ours (theirs: span 17; was accepted)`,
//! `theirs (ours deleted it; was rejected)`. [`conflicts`] reads those marks back into units,
//! the pair (or the lone version) of one span; [`MergeConflict::resolve`] makes the one
//! transaction (one undo step, through `Project::apply` like every edit) that keeps ours,
//! theirs, both or neither, with the marks removed from what is kept. Relations are not
//! marked by the merge (a relation has no attributes), so units are of spans only.
//!
//! Pure: no files, no egui.

use super::edit::{Edit, Transaction};
use super::merge::CONFLICT_ATTRIBUTE;
use super::project::Project;
use super::relation::Relation;
use super::span::{Span, SpanId, SpanStatus};

/// Which side of a merge a version of a span is from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Ours,
    Theirs,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ours => "ours",
            Self::Theirs => "theirs",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Ours => Self::Theirs,
            Self::Theirs => Self::Ours,
        }
    }
}

/// What a marker says besides the side: where the other version is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Other {
    /// The other side's version is the span with this id.
    Span(SpanId),
    /// The other side deleted the span (`why` adds a reason, e.g. "a relation names it").
    Deleted { why: Option<String> },
}

/// A parsed [`CONFLICT_ATTRIBUTE`] value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    pub side: Side,
    pub other: Other,
    /// The version's status before the merge made it a suggestion; `None` in files written
    /// before the merge recorded it.
    pub was: Option<SpanStatus>,
}

impl Marker {
    /// The attribute value, as `spantag merge` writes it.
    pub fn value(&self) -> String {
        let side = self.side.as_str();
        let other = self.side.other().as_str();
        let mut parts = vec![match &self.other {
            Other::Span(id) => format!("{other}: span {id}"),
            Other::Deleted { why: None } => format!("{other} deleted it"),
            Other::Deleted { why: Some(why) } => format!("{other} deleted it; {why}"),
        }];
        if let Some(was) = self.was {
            parts.push(format!("was {}", was.as_str()));
        }
        format!("{side} ({})", parts.join("; "))
    }

    /// Read a marker value back; `None` when it is not one `spantag merge` writes.
    pub fn parse(value: &str) -> Option<Self> {
        let (side, rest) = value.split_once(" (")?;
        let side = match side.trim() {
            "ours" => Side::Ours,
            "theirs" => Side::Theirs,
            _ => return None,
        };
        let inner = rest.strip_suffix(')')?;
        let mut parts: Vec<&str> = inner.split("; ").collect();
        let was = match parts.last().and_then(|p| p.strip_prefix("was ")) {
            Some(status) => {
                let status = match status {
                    "accepted" => SpanStatus::Accepted,
                    "suggested" => SpanStatus::Suggested,
                    "rejected" => SpanStatus::Rejected,
                    _ => return None,
                };
                parts.pop();
                Some(status)
            }
            None => None,
        };
        let first = parts.first()?;
        let other_side = side.other().as_str();
        let other = if let Some(id) = first
            .strip_prefix(other_side)
            .and_then(|r| r.strip_prefix(": span "))
        {
            Other::Span(SpanId(id.parse().ok()?))
        } else if first
            .strip_prefix(other_side)
            .is_some_and(|r| r == " deleted it")
        {
            let why = parts[1..].join("; ");
            Other::Deleted {
                why: (!why.is_empty()).then_some(why),
            }
        } else {
            return None;
        };
        Some(Self { side, other, was })
    }
}

/// One version of a conflicting span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// The span as it is in the project (marked, status `suggested`).
    pub span: Span,
    pub marker: Marker,
}

impl Version {
    /// The span as it was on its side: the mark removed and the status it had (accepted when
    /// the file does not say: a person has now decided for it).
    pub fn unmarked(&self) -> Span {
        let mut span = self.span.clone();
        span.attributes.remove(CONFLICT_ATTRIBUTE);
        span.status = self.marker.was.unwrap_or(SpanStatus::Accepted);
        span
    }
}

/// How to resolve a conflict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resolution {
    /// Keep our version only.
    Ours,
    /// Keep their version only.
    Theirs,
    /// Keep every version there is, unmarked.
    Both,
    /// Keep no version.
    Neither,
}

impl Resolution {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Ours => "take ours",
            Self::Theirs => "take theirs",
            Self::Both => "keep both",
            Self::Neither => "take neither",
        }
    }
}

/// What differs between the two versions of a conflict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Difference {
    Bounds,
    Label,
    Status,
    Note,
    Annotator,
    Attributes,
    Group,
    /// Only one version is left: the other side deleted the span.
    Deleted(Side),
}

impl Difference {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Bounds => "bounds",
            Self::Label => "label",
            Self::Status => "status",
            Self::Note => "note",
            Self::Annotator => "annotator",
            Self::Attributes => "attributes",
            Self::Group => "fragment group",
            Self::Deleted(Side::Ours) => "deleted by ours",
            Self::Deleted(Side::Theirs) => "deleted by theirs",
        }
    }
}

/// One conflicting span: its versions, at most one per side, at least one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeConflict {
    /// The index of its document in the project.
    pub doc: usize,
    pub ours: Option<Version>,
    pub theirs: Option<Version>,
}

impl MergeConflict {
    pub fn version(&self, side: Side) -> Option<&Version> {
        match side {
            Side::Ours => self.ours.as_ref(),
            Side::Theirs => self.theirs.as_ref(),
        }
    }

    fn versions(&self) -> impl Iterator<Item = &Version> {
        self.ours.iter().chain(self.theirs.iter())
    }

    /// The span that names the conflict: ours' version if there is one (its id is the span's
    /// id before the merge), else theirs'.
    pub fn first(&self) -> &Span {
        &self
            .versions()
            .next()
            .expect("a conflict has at least one version")
            .span
    }

    /// Whether `id` is one of its versions.
    pub fn holds(&self, id: SpanId) -> bool {
        self.versions().any(|v| v.span.id == id)
    }

    /// Where it starts: the earliest start of its versions.
    pub fn start(&self) -> usize {
        self.versions().map(|v| v.span.start).min().unwrap_or(0)
    }

    /// What differs between the versions (their marks and merge-made statuses aside).
    pub fn differences(&self) -> Vec<Difference> {
        let (Some(o), Some(t)) = (&self.ours, &self.theirs) else {
            let kept = if self.ours.is_some() {
                Side::Ours
            } else {
                Side::Theirs
            };
            return vec![Difference::Deleted(kept.other())];
        };
        let (a, b) = (o.unmarked(), t.unmarked());
        let mut out = Vec::new();
        if (a.start, a.end) != (b.start, b.end) {
            out.push(Difference::Bounds);
        }
        if a.label != b.label {
            out.push(Difference::Label);
        }
        if a.status != b.status {
            out.push(Difference::Status);
        }
        if a.note != b.note {
            out.push(Difference::Note);
        }
        if a.annotator != b.annotator {
            out.push(Difference::Annotator);
        }
        if a.attributes != b.attributes {
            out.push(Difference::Attributes);
        }
        if a.group != b.group {
            out.push(Difference::Group);
        }
        out
    }

    /// The one transaction that resolves the conflict as `resolution` says. What is kept loses
    /// its mark and gets back the status it had; a kept version takes the id of the conflict's
    /// first span (ours' id, the one relations name), and relations at a dropped version move
    /// to the kept one. Dropping every version drops their relations too.
    pub fn resolve(&self, project: &Project, resolution: Resolution) -> Transaction {
        let description = resolution.describe();
        let Some(doc) = project.documents.get(self.doc) else {
            return Transaction::new(description, Vec::new());
        };
        let doc_id = doc.document.doc_id();
        let keep: Vec<&Version> = match resolution {
            Resolution::Ours => self.ours.iter().collect(),
            Resolution::Theirs => self.theirs.iter().collect(),
            Resolution::Both => self.versions().collect(),
            Resolution::Neither => Vec::new(),
        };
        let first = self.first();
        // The spans to remove, and each kept span's (before, after).
        let (removed, changed): (Vec<&Span>, Vec<(&Span, Span)>) = match keep.as_slice() {
            [kept] if kept.span.id != first.id => {
                // Theirs kept in place of ours: it takes ours' id, the one relations name,
                // and its own span goes.
                let mut after = kept.unmarked();
                after.id = first.id;
                (vec![&kept.span], vec![(first, after)])
            }
            _ => (
                self.versions()
                    .filter(|v| !keep.iter().any(|k| k.span.id == v.span.id))
                    .map(|v| &v.span)
                    .collect(),
                keep.iter().map(|k| (&k.span, k.unmarked())).collect(),
            ),
        };
        let target = match changed.as_slice() {
            [(_, after)] => Some(after.id),
            _ => None,
        };
        let dropped: Vec<SpanId> = removed.iter().map(|s| s.id).collect();
        let mut edits = Vec::new();
        let mut links: Vec<(String, SpanId, SpanId)> = doc
            .relations
            .iter()
            .filter(|r| !dropped.iter().any(|id| r.touches(*id)))
            .map(|r| (r.kind.clone(), r.from, r.to))
            .collect();
        for relation in doc
            .relations
            .iter()
            .filter(|r| dropped.iter().any(|id| r.touches(*id)))
        {
            match target.map(|to| moved_relation(relation, &dropped, to)) {
                Some(after)
                    if after.from != after.to
                        && !links.contains(&(after.kind.clone(), after.from, after.to)) =>
                {
                    links.push((after.kind.clone(), after.from, after.to));
                    edits.push(Edit::ChangeRelation {
                        doc: doc_id.clone(),
                        before: relation.clone(),
                        after,
                    });
                }
                _ => edits.push(Edit::RemoveRelation {
                    doc: doc_id.clone(),
                    relation: relation.clone(),
                }),
            }
        }
        // Removals before the changes, so a kept version never stands beside its twin.
        edits.extend(removed.iter().map(|s| Edit::RemoveSpan {
            doc: doc_id.clone(),
            span: (*s).clone(),
        }));
        edits.extend(changed.into_iter().map(|(before, after)| Edit::ChangeSpan {
            doc: doc_id.clone(),
            before: before.clone(),
            after,
        }));
        Transaction::new(description, edits)
    }
}

/// `relation` with its ends at any of `dropped` moved to `to`.
fn moved_relation(relation: &Relation, dropped: &[SpanId], to: SpanId) -> Relation {
    let mut after = relation.clone();
    if dropped.contains(&after.from) {
        after.from = to;
    }
    if dropped.contains(&after.to) {
        after.to = to;
    }
    after
}

/// Every merge conflict in `project`, in document order, then by position. A project without
/// the [`CONFLICT_ATTRIBUTE`] definition (the merge adds it when it marks a span) has none, and
/// is not searched. A marked span whose partner is gone (deleted by hand) is a conflict of one.
pub fn conflicts(project: &Project) -> Vec<MergeConflict> {
    if project.attribute(CONFLICT_ATTRIBUTE).is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (doc, d) in project.documents.iter().enumerate() {
        let marked: Vec<Version> = d
            .spans
            .iter()
            .filter_map(|s| {
                let value = s.attributes.get(CONFLICT_ATTRIBUTE)?;
                // A value the merge did not write is still a conflict to look at: taken as
                // ours, the other version unknown.
                let marker = Marker::parse(value).unwrap_or(Marker {
                    side: Side::Ours,
                    other: Other::Deleted { why: None },
                    was: None,
                });
                Some(Version {
                    span: s.clone(),
                    marker,
                })
            })
            .collect();
        let mut paired: std::collections::HashSet<SpanId> = std::collections::HashSet::new();
        for version in &marked {
            if paired.contains(&version.span.id) {
                continue;
            }
            let partner = match version.marker.other {
                Other::Span(id) => marked.iter().find(|v| {
                    v.span.id == id
                        && v.marker.side != version.marker.side
                        && !paired.contains(&v.span.id)
                }),
                Other::Deleted { .. } => None,
            };
            paired.insert(version.span.id);
            let mut conflict = MergeConflict {
                doc,
                ours: None,
                theirs: None,
            };
            for v in std::iter::once(version).chain(partner) {
                paired.insert(v.span.id);
                match v.marker.side {
                    Side::Ours => conflict.ours = Some(v.clone()),
                    Side::Theirs => conflict.theirs = Some(v.clone()),
                }
            }
            out.push(conflict);
        }
    }
    out.sort_by_key(|c| (c.doc, c.start(), c.first().id));
    out
}

/// How many merge conflicts `project` holds.
pub fn count(project: &Project) -> usize {
    conflicts(project).len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Editor;
    use crate::core::document::Document;
    use crate::core::label::{LabelSet, Rgb};
    use crate::core::merge::merge;
    use crate::core::project::AnnotatedDocument;
    use crate::core::relation::{RelationId, RelationType, Relations};
    use crate::core::span_index::SpanIndex;

    const TEXT: &str = "Liu Bei met Guan Yu and Zhang Fei in Zhuo.";

    fn span(id: u64, start: usize, end: usize, label: &str) -> Span {
        Span::new(SpanId(id), start, end, label)
    }

    fn project(spans: Vec<Span>, relations: Vec<Relation>) -> Project {
        let mut doc =
            AnnotatedDocument::new(Document::new("d1", "d1", TEXT), SpanIndex::new(spans));
        doc.relations = Relations::new(relations);
        let mut p = Project::from_parts(LabelSet::from_names(&["PER", "LOC", "ORG"]), vec![doc])
            .with_schema(vec![RelationType::new("sworn", Rgb(1, 2, 3))], Vec::new());
        p.raise_next_span_id(4);
        p
    }

    /// Span 1 relabelled ORG by ours and LOC by theirs (a relation from span 2 names it);
    /// span 3 rejected by ours and deleted by theirs.
    fn merged() -> Project {
        let sworn = vec![Relation::new(RelationId(1), "sworn", SpanId(2), SpanId(1))];
        let base = project(
            vec![
                span(1, 0, 7, "PER"),
                span(2, 12, 19, "PER"),
                span(3, 24, 33, "PER"),
            ],
            sworn.clone(),
        );
        let mut rejected = span(3, 24, 33, "PER");
        rejected.status = SpanStatus::Rejected;
        let ours = project(
            vec![span(1, 0, 7, "ORG"), span(2, 12, 19, "PER"), rejected],
            sworn.clone(),
        );
        let theirs = project(vec![span(1, 0, 7, "LOC"), span(2, 12, 19, "PER")], sworn);
        let report = merge(&base, &ours, &theirs);
        assert_eq!(report.conflicts.len(), 2, "{:?}", report.conflicts);
        report.project
    }

    fn labels(p: &Project) -> Vec<(u64, String, SpanStatus, bool)> {
        p.documents[0]
            .spans
            .iter()
            .map(|s| {
                (
                    s.id.0,
                    s.label.to_string(),
                    s.status,
                    s.attributes.contains_key(CONFLICT_ATTRIBUTE),
                )
            })
            .collect()
    }

    #[test]
    fn markers_round_trip_and_old_values_still_parse() {
        for marker in [
            Marker {
                side: Side::Ours,
                other: Other::Span(SpanId(17)),
                was: Some(SpanStatus::Accepted),
            },
            Marker {
                side: Side::Theirs,
                other: Other::Deleted {
                    why: Some("a relation names it".into()),
                },
                was: Some(SpanStatus::Rejected),
            },
        ] {
            assert_eq!(Marker::parse(&marker.value()), Some(marker));
        }
        assert_eq!(
            Marker::parse("theirs (ours: span 1)"),
            Some(Marker {
                side: Side::Theirs,
                other: Other::Span(SpanId(1)),
                was: None
            })
        );
        assert_eq!(Marker::parse("somebody's"), None);
    }

    #[test]
    fn conflicts_are_listed_as_units_with_their_differences() {
        let p = merged();
        let units = conflicts(&p);
        assert_eq!(units.len(), 2);
        let pair = &units[0];
        assert_eq!(pair.ours.as_ref().unwrap().span.label, "ORG");
        assert_eq!(pair.theirs.as_ref().unwrap().span.label, "LOC");
        assert_eq!(pair.differences(), vec![Difference::Label]);
        let lone = &units[1];
        assert_eq!(lone.ours.as_ref().unwrap().span.id, SpanId(3));
        assert!(lone.theirs.is_none());
        assert_eq!(lone.differences(), vec![Difference::Deleted(Side::Theirs)]);
        assert_eq!(count(&p), 2);
        assert_eq!(count(&project(vec![span(1, 0, 7, "PER")], Vec::new())), 0);
    }

    /// Resolve the first conflict of the merged project, check, undo, and check it is back.
    fn resolved(resolution: Resolution) -> Project {
        let mut editor = Editor::new(merged());
        let before = editor.project.clone();
        let unit = conflicts(&editor.project)[0].clone();
        let t = unit.resolve(&editor.project, resolution);
        editor.execute(t).expect("the resolution applies");
        let after = editor.project.clone();
        assert_eq!(count(&after), 1, "one undo step resolves one conflict");
        editor.undo().unwrap();
        assert_eq!(labels(&editor.project), labels(&before));
        assert_eq!(count(&editor.project), 2, "undo brings the conflict back");
        after
    }

    #[test]
    fn taking_ours_keeps_our_version_unmarked_with_its_status_and_relation() {
        let p = resolved(Resolution::Ours);
        let kept = p.documents[0].spans.get(SpanId(1)).unwrap();
        assert_eq!(kept.label, "ORG");
        assert_eq!(kept.status, SpanStatus::Accepted);
        assert!(!kept.attributes.contains_key(CONFLICT_ATTRIBUTE));
        assert_eq!(p.documents[0].spans.len(), 3, "theirs' version is gone");
        let r = p.documents[0].relations.get(RelationId(1)).unwrap();
        assert_eq!((r.from, r.to), (SpanId(2), SpanId(1)));
    }

    #[test]
    fn taking_theirs_puts_their_version_under_the_id_relations_name() {
        let p = resolved(Resolution::Theirs);
        let kept = p.documents[0].spans.get(SpanId(1)).unwrap();
        assert_eq!(kept.label, "LOC");
        assert!(!kept.attributes.contains_key(CONFLICT_ATTRIBUTE));
        assert_eq!(p.documents[0].spans.len(), 3);
        let r = p.documents[0].relations.get(RelationId(1)).unwrap();
        assert_eq!(r.to, SpanId(1), "the relation stays on the kept span");
    }

    #[test]
    fn keeping_both_unmarks_both() {
        let p = resolved(Resolution::Both);
        let l: Vec<(String, bool)> = p.documents[0]
            .spans
            .iter()
            .filter(|s| s.start == 0)
            .map(|s| {
                (
                    s.label.to_string(),
                    s.attributes.contains_key(CONFLICT_ATTRIBUTE),
                )
            })
            .collect();
        assert_eq!(l, [("ORG".into(), false), ("LOC".into(), false)]);
    }

    #[test]
    fn taking_neither_drops_both_and_their_relations() {
        let p = resolved(Resolution::Neither);
        assert!(p.documents[0].spans.iter().all(|s| s.start != 0));
        assert_eq!(p.documents[0].relations.len(), 0);
    }

    #[test]
    fn a_lone_version_keeps_the_status_it_had_or_goes_with_the_deletion() {
        let mut editor = Editor::new(merged());
        let lone = conflicts(&editor.project)[1].clone();
        let t = lone.resolve(&editor.project, Resolution::Ours);
        editor.execute(t).unwrap();
        let kept = editor.project.documents[0].spans.get(SpanId(3)).unwrap();
        assert_eq!(
            kept.status,
            SpanStatus::Rejected,
            "ours had rejected it; the merge's suggestion is undone"
        );
        editor.undo().unwrap();
        let t = lone.resolve(&editor.project, Resolution::Theirs);
        editor.execute(t).unwrap();
        assert!(
            editor.project.documents[0].spans.get(SpanId(3)).is_none(),
            "theirs deleted it"
        );
    }
}
