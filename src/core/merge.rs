//! A three-way merge of project files at the level of documents, labels, relation types,
//! attribute definitions, spans and relations: what `spantag merge` (a git merge driver) does.
//!
//! Spans and relations are matched by their stable ids, documents by id, labels, relation
//! types and attribute definitions by name. A change made on one side only is taken; the same
//! thing changed differently on both sides is a conflict that is kept in the project (both
//! versions, status `suggested`, marked with the [`CONFLICT_ATTRIBUTE`] attribute) and listed
//! in the [`MergeReport`], never a corrupt file.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::attribute::{AttributeDef, AttributeKind};
use super::document::Document;
use super::label::{Label, LabelSet};
use super::merge_conflicts::{Marker, Other, Side};
use super::project::{AnnotatedDocument, Project};
use super::relation::{Relation, RelationId, Relations};
use super::retext;
use super::span::{Span, SpanId, SpanStatus};
use super::span_index::SpanIndex;
use super::validate::{self, LabelProblem};

/// The attribute that marks each version of a span both sides changed differently (or one
/// side changed and the other deleted). Its value says which side the version is from and
/// where the other version is, and the status it had: `ours (theirs: span 17; was accepted)`,
/// `theirs (ours deleted it; was rejected)` (see [`super::merge_conflicts`], which reads them).
pub const CONFLICT_ATTRIBUTE: &str = "merge-conflict";

#[derive(Debug)]
pub struct MergeReport {
    pub project: Project,
    pub conflicts: Vec<Conflict>,
}

/// One thing both sides changed differently, as kept in the merged project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The document it is in; `None` for labels, relation types and attribute definitions.
    pub document: Option<String>,
    /// The spans that hold the versions (ours first).
    pub spans: Vec<SpanId>,
    pub relations: Vec<RelationId>,
    /// What differs, for a person.
    pub what: String,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(doc) = &self.document {
            write!(f, "document {doc}: ")?;
        }
        f.write_str(&self.what)
    }
}

/// What a three-way comparison of one item decides.
enum Pick<'a, T> {
    Take(Option<&'a T>),
    Conflict(Option<&'a T>, Option<&'a T>),
}

fn three_way<'a, T: PartialEq>(
    base: Option<&'a T>,
    ours: Option<&'a T>,
    theirs: Option<&'a T>,
) -> Pick<'a, T> {
    if ours == theirs || theirs == base {
        Pick::Take(ours)
    } else if ours == base {
        Pick::Take(theirs)
    } else {
        Pick::Conflict(ours, theirs)
    }
}

/// Merge `ours` and `theirs`, both made from `base`.
pub fn merge(base: &Project, ours: &Project, theirs: &Project) -> MergeReport {
    let mut merger = Merger {
        next_span: [base, ours, theirs]
            .iter()
            .map(|p| p.next_span_id())
            .max()
            .unwrap_or(1),
        next_relation: [base, ours, theirs]
            .iter()
            .map(|p| p.next_relation_id())
            .max()
            .unwrap_or(1),
        conflicts: Vec::new(),
    };
    let documents = merger.documents(base, ours, theirs);
    let mut labels = merger.named(
        base.labels.iter().cloned().collect(),
        ours.labels.iter().cloned().collect(),
        theirs.labels.iter().cloned().collect(),
        "label",
        |l| &l.name,
        Some(merge_label),
    );
    let mut relation_types = merger.named(
        base.relation_types().to_vec(),
        ours.relation_types().to_vec(),
        theirs.relation_types().to_vec(),
        "relation type",
        |t| &t.name,
        None,
    );
    let mut attributes = merger.named(
        base.attributes().to_vec(),
        ours.attributes().to_vec(),
        theirs.attributes().to_vec(),
        "attribute",
        |a| &a.name,
        None,
    );
    // A label (or type) one side removed while the other still uses it stays.
    for doc in &documents {
        for span in doc.spans.iter() {
            if !labels.iter().any(|l| l.name == span.label)
                && let Some(label) = [ours, theirs, base]
                    .iter()
                    .find_map(|p| p.labels.get(&span.label))
            {
                labels.push(label.clone());
            }
        }
        for relation in doc.relations.iter() {
            if !relation_types.iter().any(|t| t.name == relation.kind)
                && let Some(kind) = [ours, theirs, base]
                    .iter()
                    .find_map(|p| p.relation_type(&relation.kind))
            {
                relation_types.push(kind.clone());
            }
        }
    }
    merger.separate_hotkeys(&mut labels);
    let marked = documents
        .iter()
        .flat_map(|d| d.spans.iter())
        .any(|s| s.attributes.contains_key(CONFLICT_ATTRIBUTE));
    if marked && !attributes.iter().any(|a| a.name == CONFLICT_ATTRIBUTE) {
        attributes.push(AttributeDef::new(
            CONFLICT_ATTRIBUTE,
            AttributeKind::Text,
            &[],
        ));
    }
    let mut project = Project::from_parts(LabelSet::new(labels), documents)
        .with_schema(relation_types, attributes);
    project.raise_next_span_id(merger.next_span);
    project.raise_next_relation_id(merger.next_relation);
    MergeReport {
        project,
        conflicts: merger.conflicts,
    }
}

struct Merger {
    next_span: u64,
    next_relation: u64,
    conflicts: Vec<Conflict>,
}

/// A span or relation kept from one side, before the ids of the other side's additions are
/// settled.
type Kept<T> = Vec<T>;

impl Merger {
    fn fresh_span(&mut self) -> SpanId {
        self.next_span += 1;
        SpanId(self.next_span - 1)
    }

    fn fresh_relation(&mut self) -> RelationId {
        self.next_relation += 1;
        RelationId(self.next_relation - 1)
    }

    /// Labels, relation types or attribute definitions, matched by name: ours' order, then
    /// theirs' additions. One changed on both sides is merged by `fields` when given (field by
    /// field: a conflict only for a field both changed, ours' value kept), else kept as ours';
    /// either way the conflict is listed with both values, so a person can put theirs back.
    fn named<T: PartialEq + Clone>(
        &mut self,
        base: Vec<T>,
        ours: Vec<T>,
        theirs: Vec<T>,
        what: &str,
        name: fn(&T) -> &String,
        fields: Option<FieldMerge<T>>,
    ) -> Vec<T> {
        let by_name = |items: &[T]| -> HashMap<String, usize> {
            items
                .iter()
                .enumerate()
                .map(|(i, t)| (name(t).clone(), i))
                .collect()
        };
        let (b, o, t) = (by_name(&base), by_name(&ours), by_name(&theirs));
        let mut names: Vec<&String> = ours.iter().map(name).collect();
        names.extend(theirs.iter().map(name).filter(|n| !o.contains_key(*n)));
        let mut out = Vec::new();
        for n in names {
            let get =
                |map: &HashMap<String, usize>, items: &[T]| map.get(n).map(|&i| items[i].clone());
            let (bv, ov, tv) = (get(&b, &base), get(&o, &ours), get(&t, &theirs));
            match three_way(bv.as_ref(), ov.as_ref(), tv.as_ref()) {
                Pick::Take(v) => out.extend(v.cloned()),
                Pick::Conflict(Some(o), Some(t))
                    if let (Some(b), Some(fields)) = (bv.as_ref(), fields) =>
                {
                    let (merged, clashes) = fields(b, o, t);
                    out.push(merged);
                    if !clashes.is_empty() {
                        self.conflicts.push(Conflict {
                            document: None,
                            spans: Vec::new(),
                            relations: Vec::new(),
                            what: format!(
                                "{what} {n} changed differently on both sides: {}; kept ours' (its other changes are merged); if theirs' is right, change it in the Labels panel",
                                clashes.join(", ")
                            ),
                        });
                    }
                }
                Pick::Conflict(ov, tv) => {
                    out.extend(ov.or(tv).cloned());
                    self.conflicts.push(Conflict {
                        document: None,
                        spans: Vec::new(),
                        relations: Vec::new(),
                        what: format!(
                            "{what} {n} changed differently on both sides (or changed on one and removed on the other): kept {}",
                            if ov.is_some() { "ours" } else { "theirs" }
                        ),
                    });
                }
            }
        }
        out
    }

    /// Two labels with one hotkey (each side gave it to another label) would not load: the
    /// later label keeps no hotkey, and the clash is listed naming both labels.
    fn separate_hotkeys(&mut self, labels: &mut [Label]) {
        for (i, problem) in validate::label_set(labels) {
            if let LabelProblem::HotkeyTaken { key, by, .. } = problem {
                let name = labels[i].name.clone();
                labels[i].hotkey = None;
                self.conflicts.push(Conflict {
                    document: None,
                    spans: Vec::new(),
                    relations: Vec::new(),
                    what: format!(
                        "labels {by} and {name} both have the hotkey {key} (one side gave it to each): {name} kept without a hotkey; give it another one in the Labels panel"
                    ),
                });
            }
        }
    }

    fn documents(
        &mut self,
        base: &Project,
        ours: &Project,
        theirs: &Project,
    ) -> Vec<AnnotatedDocument> {
        fn find<'p>(p: &'p Project, id: &str) -> Option<&'p AnnotatedDocument> {
            p.documents.iter().find(|d| d.document.id == id)
        }
        let mut ids: Vec<&str> = ours
            .documents
            .iter()
            .map(|d| d.document.id.as_str())
            .collect();
        ids.extend(
            theirs
                .documents
                .iter()
                .map(|d| d.document.id.as_str())
                .filter(|id| find(ours, id).is_none()),
        );
        // Pass 1: what is decided without theirs' additions; pass 2 settles their ids against
        // every id pass 1 kept, in every document.
        let mut plans = Vec::new();
        for id in ids {
            let (b, o, t) = (find(base, id), find(ours, id), find(theirs, id));
            let plan = self.plan_document(id, b, o, t);
            if plan.document.is_some() {
                plans.push(plan);
            }
        }
        let mut used_spans: HashSet<SpanId> = plans
            .iter()
            .flat_map(|p| p.spans.iter().map(|s| s.id))
            .collect();
        let mut used_relations: HashSet<RelationId> = plans
            .iter()
            .flat_map(|p| p.relations.iter().map(|r| r.id))
            .collect();
        plans
            .into_iter()
            .map(|plan| self.finish_document(plan, &mut used_spans, &mut used_relations))
            .collect()
    }

    fn plan_document(
        &mut self,
        id: &str,
        base: Option<&AnnotatedDocument>,
        ours: Option<&AnnotatedDocument>,
        theirs: Option<&AnnotatedDocument>,
    ) -> Plan {
        let same = |a: &AnnotatedDocument, b: &AnnotatedDocument| {
            a.document.text() == b.document.text()
                && a.spans.len() == b.spans.len()
                && a.spans.iter().eq(b.spans.iter())
                && a.relations == b.relations
                && a.standoff == b.standoff
        };
        let whole = |d: &AnnotatedDocument| Plan {
            document: Some(d.clone()),
            spans: d.spans.iter().cloned().collect(),
            relations: d.relations.iter().cloned().collect(),
            ..Plan::default()
        };
        // Theirs' spans and relations go through pass 2, which settles their ids.
        let theirs_whole = |d: &AnnotatedDocument| Plan {
            document: Some(d.clone()),
            theirs_spans: d.spans.iter().cloned().collect(),
            theirs_relations: d.relations.iter().cloned().collect(),
            ..Plan::default()
        };
        let (o, t) = match (ours, theirs) {
            (None, None) => return Plan::default(),
            (Some(o), Some(t)) => (o, t),
            (Some(one), None) | (None, Some(one)) => {
                let side = if ours.is_some() { "ours" } else { "theirs" };
                let other = if ours.is_some() { "theirs" } else { "ours" };
                let Some(b) = base else {
                    // Added on one side only.
                    return Plan {
                        ..if ours.is_some() {
                            whole(one)
                        } else {
                            theirs_whole(one)
                        }
                    };
                };
                if same(b, one) {
                    return Plan::default();
                }
                self.conflicts.push(Conflict {
                    document: Some(id.to_owned()),
                    spans: Vec::new(),
                    relations: Vec::new(),
                    what: format!("{other} deleted the document, {side} changed it: kept {side}'s"),
                });
                return whole(one);
            }
        };
        // Held here, so that the re-anchored documents outlive the references below.
        let reanchored: (
            Option<AnnotatedDocument>,
            AnnotatedDocument,
            AnnotatedDocument,
        );
        let (base, o, t) = if o.document.text() != t.document.text() {
            let changed = |d: &AnnotatedDocument| base.is_none_or(|b| !same(b, d));
            let base_text = |d: &AnnotatedDocument| {
                base.is_some_and(|b| b.document.text() == d.document.text())
            };
            if base_text(o) && !changed(o) {
                return theirs_whole(t);
            }
            if base_text(t) && !changed(t) {
                return whole(o);
            }
            // One side changed the text, the other the spans (or both the text): the spans of
            // the base and of the side with the old text are re-anchored onto the new text
            // (as `spantag retext` does), then merged span by span as usual.
            let theirs_text = base_text(o);
            let (onto, moved) = if theirs_text {
                (&t.document, "ours")
            } else {
                (&o.document, "theirs")
            };
            if !theirs_text && !base_text(t) {
                self.conflicts.push(Conflict {
                    document: Some(id.to_owned()),
                    spans: Vec::new(),
                    relations: Vec::new(),
                    what: "the text differs between ours and theirs (both changed it): kept ours' text; theirs' spans were re-anchored onto it (those a change touches are suggested, with the attribute retext)".to_owned(),
                });
            }
            let mut lost = Vec::new();
            let b2 = base.map(|b| reanchor(b, onto, &mut Vec::new()));
            let (o2, t2) = if theirs_text {
                (reanchor(o, onto, &mut lost), t.clone())
            } else {
                (o.clone(), reanchor(t, onto, &mut lost))
            };
            for span in lost {
                self.conflicts.push(Conflict {
                    document: Some(id.to_owned()),
                    spans: Vec::new(),
                    relations: Vec::new(),
                    what: format!(
                        "span {} of {moved} ({} [{}, {})) has no place in the other side's new text: left out",
                        span.id, span.label, span.start, span.end
                    ),
                });
            }
            reanchored = (b2, o2, t2);
            (reanchored.0.as_ref(), &reanchored.1, &reanchored.2)
        } else {
            (base, o, t)
        };
        let empty = AnnotatedDocument::new(o.document.clone(), SpanIndex::default());
        let b = base.unwrap_or(&empty);
        let mut plan = Plan {
            document: Some(AnnotatedDocument {
                standoff: if o.standoff != b.standoff {
                    o.standoff.clone()
                } else {
                    t.standoff.clone()
                },
                ..AnnotatedDocument::new(o.document.clone(), SpanIndex::default())
            }),
            ..Plan::default()
        };
        let span_ids: BTreeSet<SpanId> =
            b.spans.iter().chain(o.spans.iter()).map(|s| s.id).collect();
        for sid in span_ids {
            let (bs, os, ts) = (b.spans.get(sid), o.spans.get(sid), t.spans.get(sid));
            if bs.is_none() {
                // Ours' addition; theirs' addition under the same id, if different, is
                // renumbered in pass 2.
                plan.spans.extend(os.cloned());
                if let (Some(os), Some(ts)) = (os, ts)
                    && os != ts
                {
                    plan.theirs_spans.push(ts.clone());
                }
                continue;
            }
            match three_way(bs, os, ts) {
                Pick::Take(s) => plan.spans.extend(s.cloned()),
                Pick::Conflict(os, ts) => self.span_conflict(id, &mut plan, os, ts),
            }
        }
        plan.theirs_spans.extend(
            t.spans
                .iter()
                .filter(|s| b.spans.get(s.id).is_none() && o.spans.get(s.id).is_none())
                .cloned(),
        );
        let relation_ids: BTreeSet<RelationId> = b
            .relations
            .iter()
            .chain(o.relations.iter())
            .map(|r| r.id)
            .collect();
        for rid in relation_ids {
            let (br, or, tr) = (
                b.relations.get(rid),
                o.relations.get(rid),
                t.relations.get(rid),
            );
            if br.is_none() {
                plan.relations.extend(or.cloned());
                if let (Some(or), Some(tr)) = (or, tr)
                    && or != tr
                {
                    plan.theirs_relations.push(tr.clone());
                }
                continue;
            }
            match three_way(br, or, tr) {
                Pick::Take(r) => plan.relations.extend(r.cloned()),
                Pick::Conflict(or, tr) => {
                    let mut ids = Vec::new();
                    for r in [or, tr].into_iter().flatten() {
                        let mut r = r.clone();
                        r.status = SpanStatus::Suggested;
                        if plan.relations.iter().any(|k| k.id == r.id) {
                            r.id = self.fresh_relation();
                        }
                        ids.push(r.id);
                        plan.relations.push(r);
                    }
                    self.conflicts.push(Conflict {
                        document: Some(id.to_owned()),
                        spans: Vec::new(),
                        relations: ids.clone(),
                        what: format!(
                            "relation {rid} {}: kept as relation(s) {} (suggested)",
                            match (or, tr) {
                                (Some(_), Some(_)) => "changed differently on both sides",
                                (Some(_), None) => "changed by ours, deleted by theirs",
                                _ => "deleted by ours, changed by theirs",
                            },
                            ids.iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(" and ")
                        ),
                    });
                }
            }
        }
        plan.theirs_relations.extend(
            t.relations
                .iter()
                .filter(|r| b.relations.get(r.id).is_none() && o.relations.get(r.id).is_none())
                .cloned(),
        );
        plan.ours_spans = o.spans.iter().cloned().collect();
        plan.other_spans = t.spans.iter().cloned().collect();
        plan
    }

    fn span_conflict(&mut self, doc: &str, plan: &mut Plan, os: Option<&Span>, ts: Option<&Span>) {
        let marked = |s: &Span, side: Side, other: Other| {
            let mut s = s.clone();
            mark(&mut s, side, other);
            s
        };
        let (spans, what) = match (os, ts) {
            (Some(o), Some(t)) => {
                let copy = self.fresh_span();
                let mut theirs = marked(t, Side::Theirs, Other::Span(o.id));
                theirs.id = copy;
                let what = format!(
                    "span {} changed differently on both sides ({}): ours kept as span {}, theirs as span {copy}",
                    o.id,
                    differences(o, t),
                    o.id
                );
                (vec![marked(o, Side::Ours, Other::Span(copy)), theirs], what)
            }
            (Some(o), None) => (
                vec![marked(o, Side::Ours, Other::Deleted { why: None })],
                format!(
                    "span {} changed by ours, deleted by theirs: kept ours' version",
                    o.id
                ),
            ),
            (None, Some(t)) => (
                vec![marked(t, Side::Theirs, Other::Deleted { why: None })],
                format!(
                    "span {} deleted by ours, changed by theirs: kept theirs' version",
                    t.id
                ),
            ),
            (None, None) => return,
        };
        self.conflicts.push(Conflict {
            document: Some(doc.to_owned()),
            spans: spans.iter().map(|s| s.id).collect(),
            relations: Vec::new(),
            what,
        });
        plan.spans.extend(spans);
    }

    fn finish_document(
        &mut self,
        mut plan: Plan,
        used_spans: &mut HashSet<SpanId>,
        used_relations: &mut HashSet<RelationId>,
    ) -> AnnotatedDocument {
        let mut document = plan
            .document
            .take()
            .expect("plan_document leaves out the documents that are not merged");
        let doc_id = document.document.id.clone();
        // Theirs' additions: an identical addition (same offsets and label) is kept once; an
        // id ours already uses is renumbered, and relations follow.
        let mut renamed: HashMap<SpanId, SpanId> = HashMap::new();
        // By position and label: a bulk addition (a gazetteer run on both sides) stays linear.
        let mut kept_at: HashMap<(usize, usize, String), SpanId> = plan
            .spans
            .iter()
            .map(|s| ((s.start, s.end, s.label.to_string()), s.id))
            .collect();
        for mut span in std::mem::take(&mut plan.theirs_spans) {
            let at = (span.start, span.end, span.label.to_string());
            if let Some(&same) = kept_at.get(&at) {
                renamed.insert(span.id, same);
                // Added at the same place with the same label, but with another status, note
                // or attributes: both versions are kept, marked, as for a span both changed.
                if let Some(kept) = plan.spans.iter_mut().find(|s| s.id == same)
                    && (Span {
                        id: span.id,
                        ..kept.clone()
                    }) != span
                {
                    let copy = self.fresh_span();
                    self.conflicts.push(Conflict {
                        document: Some(doc_id.clone()),
                        spans: vec![same, copy],
                        relations: Vec::new(),
                        what: format!(
                            "span {same} added on both sides with differences ({}): ours kept as span {same}, theirs as span {copy}",
                            differences(kept, &span)
                        ),
                    });
                    mark(kept, Side::Ours, Other::Span(copy));
                    span.id = copy;
                    mark(&mut span, Side::Theirs, Other::Span(same));
                    used_spans.insert(copy);
                    plan.spans.push(span);
                }
                continue;
            }
            if used_spans.contains(&span.id) {
                let fresh = self.fresh_span();
                renamed.insert(span.id, fresh);
                span.id = fresh;
            }
            used_spans.insert(span.id);
            kept_at.insert(at, span.id);
            plan.spans.push(span);
        }
        let mut kept_links: HashSet<(String, SpanId, SpanId)> = plan
            .relations
            .iter()
            .map(|r| (r.kind.clone(), r.from, r.to))
            .collect();
        for mut relation in std::mem::take(&mut plan.theirs_relations) {
            relation.from = *renamed.get(&relation.from).unwrap_or(&relation.from);
            relation.to = *renamed.get(&relation.to).unwrap_or(&relation.to);
            if !kept_links.insert((relation.kind.clone(), relation.from, relation.to)) {
                continue;
            }
            if used_relations.contains(&relation.id) {
                relation.id = self.fresh_relation();
            }
            used_relations.insert(relation.id);
            plan.relations.push(relation);
        }
        // A relation one side kept (or added) at a span the other side deleted brings the span
        // back, marked.
        let mut present: HashSet<SpanId> = plan.spans.iter().map(|s| s.id).collect();
        let ends: Vec<SpanId> = plan.relations.iter().flat_map(|r| [r.from, r.to]).collect();
        for end in ends {
            if present.contains(&end) {
                continue;
            }
            let (found, side) = match plan.ours_spans.iter().find(|s| s.id == end) {
                Some(s) => (Some(s), Side::Ours),
                None => (plan.other_spans.iter().find(|s| s.id == end), Side::Theirs),
            };
            if let Some(span) = found {
                let mut span = span.clone();
                mark(
                    &mut span,
                    side,
                    Other::Deleted {
                        why: Some("a relation names it".to_owned()),
                    },
                );
                self.conflicts.push(Conflict {
                    document: Some(doc_id.clone()),
                    spans: vec![span.id],
                    relations: Vec::new(),
                    what: format!("span {end} was deleted on one side, but a relation on the other names it: kept it"),
                });
                present.insert(span.id);
                plan.spans.push(span);
            }
        }
        let dropped: Vec<&Relation> = plan
            .relations
            .iter()
            .filter(|r| !present.contains(&r.from) || !present.contains(&r.to))
            .collect();
        for r in dropped {
            self.conflicts.push(Conflict {
                document: Some(doc_id.clone()),
                spans: Vec::new(),
                relations: vec![r.id],
                what: format!("relation {} names a span neither side has: left out", r.id),
            });
        }
        plan.relations
            .retain(|r| present.contains(&r.from) && present.contains(&r.to));
        document.spans = SpanIndex::new(plan.spans);
        document.relations = Relations::new(plan.relations);
        document
    }
}

/// `d` on the text of `onto`: its spans mapped through a character diff of the two texts
/// ([`retext::retext`]); a span the new text cannot hold goes to `lost`.
fn reanchor(d: &AnnotatedDocument, onto: &Document, lost: &mut Vec<Span>) -> AnnotatedDocument {
    let spans: Vec<Span> = d.spans.iter().cloned().collect();
    let mut kept = Vec::with_capacity(spans.len());
    for mapped in retext::retext(&d.document, onto, &spans) {
        match mapped.new {
            Some(span) => kept.push(span),
            None => lost.push(mapped.old),
        }
    }
    AnnotatedDocument {
        document: onto.clone(),
        spans: SpanIndex::new(kept),
        relations: d.relations.clone(),
        standoff: d.standoff.clone(),
    }
}

/// A three-way merge of one item's fields: the merged item and what both sides changed
/// differently ("colour #ff0000 (ours) vs #00ff00 (theirs)").
type FieldMerge<T> = fn(&T, &T, &T) -> (T, Vec<String>);

/// A label changed on both sides, field by field: a field one side changed is taken; one both
/// changed differently keeps ours' value and is listed.
fn merge_label(base: &Label, ours: &Label, theirs: &Label) -> (Label, Vec<String>) {
    fn field<V: PartialEq + Clone>(
        b: &V,
        o: &V,
        t: &V,
        what: &str,
        show: impl Fn(&V) -> String,
        clashes: &mut Vec<String>,
    ) -> V {
        match three_way(Some(b), Some(o), Some(t)) {
            Pick::Take(v) => v.unwrap_or(o).clone(),
            Pick::Conflict(..) => {
                clashes.push(format!("{what} {} (ours) vs {} (theirs)", show(o), show(t)));
                o.clone()
            }
        }
    }
    let mut clashes = Vec::new();
    let key = |k: &Option<char>| k.map_or("none".to_owned(), |c| c.to_string());
    let merged = Label {
        name: ours.name.clone(),
        color: field(
            &base.color,
            &ours.color,
            &theirs.color,
            "colour",
            |c| c.to_hex(),
            &mut clashes,
        ),
        hotkey: field(
            &base.hotkey,
            &ours.hotkey,
            &theirs.hotkey,
            "hotkey",
            key,
            &mut clashes,
        ),
        description: field(
            &base.description,
            &ours.description,
            &theirs.description,
            "description",
            |d| format!("{d:?}"),
            &mut clashes,
        ),
    };
    (merged, clashes)
}

/// One document's merge in progress.
#[derive(Default)]
struct Plan {
    /// `None`: the document is not in the merge.
    document: Option<AnnotatedDocument>,
    spans: Kept<Span>,
    relations: Kept<Relation>,
    /// Theirs' additions, whose ids pass 2 settles.
    theirs_spans: Vec<Span>,
    theirs_relations: Vec<Relation>,
    /// Each side's spans, to bring back one a relation still names.
    ours_spans: Vec<Span>,
    other_spans: Vec<Span>,
}

/// Mark one version of a conflicting span for review: status `suggested`, and the marker
/// that says its side, where the other version is and the status it had.
fn mark(span: &mut Span, side: Side, other: Other) {
    let marker = Marker {
        side,
        other,
        was: Some(span.status),
    };
    span.status = SpanStatus::Suggested;
    span.attributes
        .insert(CONFLICT_ATTRIBUTE.to_owned(), marker.value());
}

/// What differs between two versions of a span, for the conflict list.
fn differences(a: &Span, b: &Span) -> String {
    let mut out = Vec::new();
    if (a.start, a.end) != (b.start, b.end) {
        out.push(format!(
            "[{}, {}) vs [{}, {})",
            a.start, a.end, b.start, b.end
        ));
    }
    if a.label != b.label {
        out.push(format!("label {} vs {}", a.label, b.label));
    }
    if a.status != b.status {
        out.push(format!(
            "status {} vs {}",
            a.status.as_str(),
            b.status.as_str()
        ));
    }
    if a.note != b.note {
        out.push("note".to_owned());
    }
    if a.annotator != b.annotator {
        out.push("annotator".to_owned());
    }
    if a.attributes != b.attributes {
        out.push("attributes".to_owned());
    }
    if a.group != b.group {
        out.push("group".to_owned());
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::document::Document;
    use crate::core::label::Rgb;
    use crate::core::project_file;
    use crate::core::relation::RelationType;

    const TEXT: &str = "Liu Bei met Guan Yu and Zhang Fei in Zhuo.";

    fn span(id: u64, start: usize, end: usize, label: &str) -> Span {
        Span::new(SpanId(id), start, end, label)
    }

    fn project(spans: Vec<Span>, relations: Vec<Relation>) -> Project {
        let mut doc =
            AnnotatedDocument::new(Document::new("d1", "d1", TEXT), SpanIndex::new(spans));
        doc.relations = Relations::new(relations);
        Project::from_parts(LabelSet::from_names(&["PER", "LOC", "ORG"]), vec![doc])
            .with_schema(vec![RelationType::new("sworn", Rgb(1, 2, 3))], Vec::new())
    }

    fn base() -> Project {
        project(
            vec![
                span(1, 0, 7, "PER"),
                span(2, 12, 19, "PER"),
                span(3, 24, 33, "PER"),
            ],
            Vec::new(),
        )
    }

    fn spans(p: &Project) -> Vec<(u64, usize, usize, String)> {
        p.documents[0]
            .spans
            .iter()
            .map(|s| (s.id.0, s.start, s.end, s.label.to_string()))
            .collect()
    }

    /// The merged project saves and loads back as it is.
    fn loads(p: &Project) {
        let json = project_file::to_json(p).unwrap();
        let back =
            project_file::parse(json.as_bytes(), std::path::Path::new("merged.json")).unwrap();
        assert_eq!(project_file::to_json(&back).unwrap(), json);
    }

    #[test]
    fn edits_to_different_spans_never_conflict() {
        let ours = project(
            vec![
                span(1, 0, 7, "ORG"),
                span(2, 12, 19, "PER"),
                span(3, 24, 33, "PER"),
            ],
            Vec::new(),
        );
        let theirs = project(
            vec![span(1, 0, 7, "PER"), span(2, 12, 19, "PER")],
            Vec::new(),
        );
        let report = merge(&base(), &ours, &theirs);
        assert!(report.conflicts.is_empty(), "{:?}", report.conflicts);
        assert_eq!(
            spans(&report.project),
            vec![(1, 0, 7, "ORG".into()), (2, 12, 19, "PER".into())]
        );
        loads(&report.project);
    }

    #[test]
    fn additions_under_the_same_id_are_both_kept_and_relations_follow_the_renumbered_one() {
        let b = base();
        let mut ours = project(
            vec![
                span(1, 0, 7, "PER"),
                span(2, 12, 19, "PER"),
                span(3, 24, 33, "PER"),
                span(4, 37, 41, "LOC"),
            ],
            Vec::new(),
        );
        ours.raise_next_span_id(5);
        let mut theirs = project(
            vec![
                span(1, 0, 7, "PER"),
                span(2, 12, 19, "PER"),
                span(3, 24, 33, "PER"),
                span(4, 4, 7, "LOC"),
            ],
            vec![Relation::new(RelationId(1), "sworn", SpanId(1), SpanId(4))],
        );
        theirs.raise_next_span_id(9);
        let report = merge(&b, &ours, &theirs);
        assert!(report.conflicts.is_empty(), "{:?}", report.conflicts);
        let p = &report.project;
        assert_eq!(p.documents[0].spans.get(SpanId(4)).unwrap().start, 37);
        let (_, moved) = p.documents[0]
            .spans
            .iter()
            .find(|s| s.start == 4)
            .map(|s| (0, s.clone()))
            .unwrap();
        assert_eq!(
            moved.id,
            SpanId(9),
            "renumbered above every input's next id"
        );
        let relation = p.documents[0].relations.get(RelationId(1)).unwrap();
        assert_eq!((relation.from, relation.to), (SpanId(1), SpanId(9)));
        assert_eq!(p.next_span_id(), 10);
        loads(p);
    }

    #[test]
    fn identical_additions_are_kept_once() {
        let ours = project(
            vec![
                span(1, 0, 7, "PER"),
                span(2, 12, 19, "PER"),
                span(3, 24, 33, "PER"),
                span(4, 37, 41, "LOC"),
            ],
            Vec::new(),
        );
        let theirs = project(
            vec![
                span(1, 0, 7, "PER"),
                span(2, 12, 19, "PER"),
                span(3, 24, 33, "PER"),
                span(5, 37, 41, "LOC"),
            ],
            vec![Relation::new(RelationId(1), "sworn", SpanId(1), SpanId(5))],
        );
        let report = merge(&base(), &ours, &theirs);
        assert!(report.conflicts.is_empty());
        let p = &report.project;
        assert_eq!(p.documents[0].spans.len(), 4);
        let relation = p.documents[0].relations.get(RelationId(1)).unwrap();
        assert_eq!(relation.to, SpanId(4), "the relation follows the span kept");
    }

    #[test]
    fn the_same_addition_with_another_status_is_a_conflict() {
        let mut added = span(4, 37, 41, "LOC");
        let ours = project(
            vec![
                span(1, 0, 7, "PER"),
                span(2, 12, 19, "PER"),
                span(3, 24, 33, "PER"),
                added.clone(),
            ],
            Vec::new(),
        );
        added.status = SpanStatus::Rejected;
        let theirs = project(
            vec![
                span(1, 0, 7, "PER"),
                span(2, 12, 19, "PER"),
                span(3, 24, 33, "PER"),
                added,
            ],
            Vec::new(),
        );
        let report = merge(&base(), &ours, &theirs);
        assert_eq!(report.conflicts.len(), 1, "{:?}", report.conflicts);
        assert!(
            report.conflicts[0]
                .what
                .contains("status accepted vs rejected")
        );
        let p = &report.project;
        assert_eq!(p.documents[0].spans.len(), 5);
        assert_eq!(
            p.documents[0].spans.get(SpanId(4)).unwrap().attributes[CONFLICT_ATTRIBUTE],
            "ours (theirs: span 5; was accepted)"
        );
        loads(p);
    }

    #[test]
    fn a_span_changed_differently_on_both_sides_is_kept_twice_and_marked() {
        let ours = project(
            vec![
                span(1, 0, 7, "ORG"),
                span(2, 12, 19, "PER"),
                span(3, 24, 33, "PER"),
            ],
            Vec::new(),
        );
        let theirs = project(
            vec![
                span(1, 0, 7, "LOC"),
                span(2, 12, 19, "PER"),
                span(3, 24, 33, "PER"),
            ],
            Vec::new(),
        );
        let report = merge(&base(), &ours, &theirs);
        assert_eq!(report.conflicts.len(), 1);
        let conflict = &report.conflicts[0];
        assert_eq!(conflict.document.as_deref(), Some("d1"));
        assert_eq!(conflict.spans, vec![SpanId(1), SpanId(4)]);
        assert!(
            conflict.what.contains("label ORG vs LOC"),
            "{}",
            conflict.what
        );
        let p = &report.project;
        let ours_version = p.documents[0].spans.get(SpanId(1)).unwrap();
        let theirs_version = p.documents[0].spans.get(SpanId(4)).unwrap();
        assert_eq!(
            (ours_version.label.as_str(), theirs_version.label.as_str()),
            ("ORG", "LOC")
        );
        assert_eq!(ours_version.status, SpanStatus::Suggested);
        assert_eq!(theirs_version.status, SpanStatus::Suggested);
        assert_eq!(
            ours_version.attributes[CONFLICT_ATTRIBUTE],
            "ours (theirs: span 4; was accepted)"
        );
        assert_eq!(
            theirs_version.attributes[CONFLICT_ATTRIBUTE],
            "theirs (ours: span 1; was accepted)"
        );
        assert!(
            p.attribute(CONFLICT_ATTRIBUTE).is_some(),
            "defined, so it loads without warnings"
        );
        loads(p);
    }

    #[test]
    fn a_span_changed_on_one_side_and_deleted_on_the_other_is_kept_marked() {
        let ours = project(
            vec![
                span(1, 0, 7, "PER"),
                span(2, 12, 19, "PER"),
                span(3, 24, 33, "PER"),
            ],
            Vec::new(),
        );
        let theirs = project(
            vec![
                span(1, 0, 7, "PER"),
                span(2, 12, 19, "PER"),
                span(3, 24, 33, "ORG"),
            ],
            Vec::new(),
        );
        let ours = project(
            ours.documents[0]
                .spans
                .iter()
                .filter(|s| s.id != SpanId(3))
                .cloned()
                .collect(),
            Vec::new(),
        );
        let report = merge(&base(), &ours, &theirs);
        assert_eq!(report.conflicts.len(), 1);
        let kept = report.project.documents[0].spans.get(SpanId(3)).unwrap();
        assert_eq!(kept.label, "ORG");
        assert_eq!(
            kept.attributes[CONFLICT_ATTRIBUTE],
            "theirs (ours deleted it; was accepted)"
        );
    }

    #[test]
    fn a_relation_at_a_span_the_other_side_deleted_brings_it_back() {
        let ours = project(
            vec![span(1, 0, 7, "PER"), span(2, 12, 19, "PER")],
            Vec::new(),
        );
        let theirs = project(
            vec![
                span(1, 0, 7, "PER"),
                span(2, 12, 19, "PER"),
                span(3, 24, 33, "PER"),
            ],
            vec![Relation::new(RelationId(1), "sworn", SpanId(1), SpanId(3))],
        );
        let report = merge(&base(), &ours, &theirs);
        assert_eq!(report.conflicts.len(), 1, "{:?}", report.conflicts);
        let p = &report.project;
        assert!(p.documents[0].spans.get(SpanId(3)).is_some());
        assert_eq!(p.documents[0].relations.len(), 1);
        loads(p);
    }

    #[test]
    fn a_relation_retyped_on_one_side_is_retyped() {
        let with = |kind: &str| {
            project(
                base().documents[0].spans.iter().cloned().collect(),
                vec![Relation::new(RelationId(1), kind, SpanId(1), SpanId(2))],
            )
        };
        let mut theirs = with("ally");
        theirs = Project::from_parts(theirs.labels.clone(), theirs.documents.clone()).with_schema(
            vec![
                RelationType::new("sworn", Rgb(1, 2, 3)),
                RelationType::new("ally", Rgb(3, 2, 1)),
            ],
            Vec::new(),
        );
        let report = merge(&with("sworn"), &with("sworn"), &theirs);
        assert!(report.conflicts.is_empty(), "{:?}", report.conflicts);
        let p = &report.project;
        assert_eq!(
            p.documents[0].relations.get(RelationId(1)).unwrap().kind,
            "ally"
        );
        assert!(
            p.relation_type("ally").is_some(),
            "relation types merged by name"
        );
        loads(p);
    }

    #[test]
    fn labels_are_merged_by_name() {
        let mut ours = base();
        ours.labels = LabelSet::from_names(&["PER", "LOC", "ORG", "TITLE"]);
        let mut theirs = base();
        theirs.labels = LabelSet::from_names(&["PER", "LOC", "ORG", "WEAPON"]);
        let report = merge(&base(), &ours, &theirs);
        let names: Vec<&str> = report
            .project
            .labels
            .iter()
            .map(|l| l.name.as_str())
            .collect();
        assert_eq!(names, ["PER", "LOC", "ORG", "TITLE", "WEAPON"]);
    }

    #[test]
    fn a_text_changed_differently_on_both_sides_is_a_conflict_keeping_ours() {
        let with_text = |text: &str| {
            let doc = AnnotatedDocument::new(
                Document::new("d1", "d1", text),
                SpanIndex::new(vec![span(1, 0, 3, "PER")]),
            );
            Project::from_parts(LabelSet::from_names(&["PER"]), vec![doc])
        };
        let report = merge(
            &with_text("Liu Bei"),
            &with_text("Liu Bei!"),
            &with_text("Liu Bei?"),
        );
        assert_eq!(report.conflicts.len(), 1);
        assert!(report.conflicts[0].what.contains("text differs"));
        assert_eq!(report.project.documents[0].document.text(), "Liu Bei!");
        loads(&report.project);
        // Changed on one side only: taken.
        let report = merge(
            &with_text("Liu Bei"),
            &with_text("Liu Bei"),
            &with_text("Liu Bei?"),
        );
        assert!(report.conflicts.is_empty());
        assert_eq!(report.project.documents[0].document.text(), "Liu Bei?");
    }

    #[test]
    fn a_label_changed_on_both_sides_is_merged_field_by_field() {
        let with = |labels: Vec<Label>| {
            let mut p = base();
            p.labels = LabelSet::new(labels);
            p
        };
        let per = |color: Rgb, hotkey: Option<char>, description: &str| {
            vec![
                Label::new("PER", color, hotkey, description),
                Label::new("LOC", Rgb(0, 0, 0), None, ""),
                Label::new("ORG", Rgb(0, 0, 0), None, ""),
            ]
        };
        let b = with(per(Rgb(1, 1, 1), None, ""));
        // Ours recolours PER, theirs gives it a hotkey: both taken, no conflict.
        let report = merge(
            &b,
            &with(per(Rgb(9, 9, 9), None, "")),
            &with(per(Rgb(1, 1, 1), Some('p'), "")),
        );
        assert!(report.conflicts.is_empty(), "{:?}", report.conflicts);
        let label = report.project.labels.get("PER").unwrap();
        assert_eq!((label.color, label.hotkey), (Rgb(9, 9, 9), Some('p')));
        // Both recolour it: ours kept, listed with both colours, the description still merged.
        let report = merge(
            &b,
            &with(per(Rgb(9, 9, 9), None, "")),
            &with(per(Rgb(5, 5, 5), None, "a person")),
        );
        assert_eq!(report.conflicts.len(), 1, "{:?}", report.conflicts);
        let what = &report.conflicts[0].what;
        assert!(
            what.contains("label PER") && what.contains("#090909 (ours) vs #050505 (theirs)"),
            "{what}"
        );
        let label = report.project.labels.get("PER").unwrap();
        assert_eq!(
            (label.color, label.description.as_str()),
            (Rgb(9, 9, 9), "a person")
        );
    }

    #[test]
    fn one_hotkey_given_to_two_labels_keeps_both_labels_and_names_them() {
        let mut ours = base();
        ours.labels = LabelSet::new(vec![
            Label::new("PER", Rgb(0, 0, 0), None, ""),
            Label::new("TITLE", Rgb(0, 0, 0), Some('t'), ""),
        ]);
        let mut theirs = base();
        theirs.labels = LabelSet::new(vec![
            Label::new("PER", Rgb(0, 0, 0), None, ""),
            Label::new("WEAPON", Rgb(0, 0, 0), Some('T'), ""),
        ]);
        let report = merge(&base(), &ours, &theirs);
        assert_eq!(report.conflicts.len(), 1, "{:?}", report.conflicts);
        let what = &report.conflicts[0].what;
        assert!(
            what.contains("TITLE") && what.contains("WEAPON") && what.contains("hotkey"),
            "{what}"
        );
        let p = &report.project;
        assert_eq!(p.labels.get("TITLE").unwrap().hotkey, Some('t'));
        assert_eq!(p.labels.get("WEAPON").unwrap().hotkey, None);
        loads(p);
    }

    fn on_text(text: &str, spans: Vec<Span>) -> Project {
        let doc = AnnotatedDocument::new(Document::new("d1", "d1", text), SpanIndex::new(spans));
        Project::from_parts(LabelSet::from_names(&["PER", "LOC", "ORG"]), vec![doc])
    }

    #[test]
    fn spans_changed_on_one_side_follow_a_text_changed_on_the_other() {
        let b = on_text(
            "Liu Bei met Guan Yu.",
            vec![span(1, 0, 7, "PER"), span(2, 12, 19, "PER")],
        );
        // Ours fixed the text (the spans moved with it), theirs relabelled and added spans.
        let ours = on_text(
            "Then Liu Bei met Guan Yu.",
            vec![span(1, 5, 12, "PER"), span(2, 17, 24, "PER")],
        );
        let theirs = on_text(
            "Liu Bei met Guan Yu.",
            vec![
                span(1, 0, 7, "ORG"),
                span(2, 12, 19, "PER"),
                span(3, 4, 7, "LOC"),
            ],
        );
        let report = merge(&b, &ours, &theirs);
        assert!(report.conflicts.is_empty(), "{:?}", report.conflicts);
        let p = &report.project;
        assert_eq!(p.documents[0].document.text(), "Then Liu Bei met Guan Yu.");
        assert_eq!(
            spans(p),
            vec![
                (1, 5, 12, "ORG".into()),
                (3, 9, 12, "LOC".into()),
                (2, 17, 24, "PER".into())
            ]
        );
        loads(p);
        // The other way round: theirs changed the text, ours the spans.
        let report = merge(&b, &theirs, &ours);
        assert!(report.conflicts.is_empty(), "{:?}", report.conflicts);
        assert_eq!(
            report.project.documents[0].document.text(),
            "Then Liu Bei met Guan Yu."
        );
        assert_eq!(spans(&report.project).len(), 3);
    }

    #[test]
    fn a_text_changed_on_both_sides_keeps_ours_and_reanchors_theirs_spans() {
        let b = on_text("Liu Bei met Guan Yu.", vec![span(1, 0, 7, "PER")]);
        let ours = on_text("Liu Bei met Guan Yu!", vec![span(1, 0, 7, "PER")]);
        let theirs = on_text(
            "Liu Bei met Guan Yu?",
            vec![span(1, 0, 7, "PER"), span(2, 12, 19, "PER")],
        );
        let report = merge(&b, &ours, &theirs);
        assert_eq!(report.conflicts.len(), 1, "{:?}", report.conflicts);
        assert!(report.conflicts[0].what.contains("re-anchored"));
        assert_eq!(
            spans(&report.project),
            vec![(1, 0, 7, "PER".into()), (2, 12, 19, "PER".into())],
            "theirs' new span is not lost"
        );
    }

    #[test]
    fn documents_added_and_deleted_on_one_side() {
        let b = base();
        let mut ours = base();
        ours.documents.push(AnnotatedDocument::new(
            Document::new("d2", "d2", "Cao Cao"),
            SpanIndex::new(vec![span(4, 0, 7, "PER")]),
        ));
        let theirs = Project::from_parts(b.labels.clone(), Vec::new());
        let report = merge(&b, &ours, &theirs);
        let ids: Vec<&str> = report
            .project
            .documents
            .iter()
            .map(|d| d.document.id.as_str())
            .collect();
        assert_eq!(
            ids,
            ["d2"],
            "d1 untouched by ours and deleted by theirs is deleted"
        );
        assert!(report.conflicts.is_empty());
    }
}
