//! Collects documents and spans read from another format into a new, valid project.
//!
//! Every reader goes through here so that the checks (a span inside its text, not empty, a
//! usable label name: the rules of `core::validate`, the same as loading and editing) and the
//! `--lenient` policy are the same for all formats.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use super::{ImportError, ImportOptions, ImportReport};
use crate::core::attribute::AttributeDef;
use crate::core::document::Document;
use crate::core::label::{LabelSet, PALETTE};
use crate::core::project::{AnnotatedDocument, Project};
use crate::core::relation::{Relation, RelationId, RelationType, Relations};
use crate::core::span::{Span, SpanId, SpanStatus};
use crate::core::span_index::SpanIndex;
use crate::core::standoff::StandoffLine;
use crate::core::text_file::read_text_document;
use crate::core::validate;

/// A span as read, before it gets its project-wide id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanDraft {
    pub start: usize,
    pub end: usize,
    pub label: String,
    pub note: Option<String>,
    pub group: Option<u64>,
    pub status: SpanStatus,
    /// What the input calls the span (brat's `T3`), unique in its document, for relations and
    /// kept lines to name it. Only one fragment of a group carries it.
    pub key: Option<String>,
    pub attributes: BTreeMap<String, String>,
}

/// A relation as read: its ends named by the spans' keys ([`SpanDraft::key`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelationDraft {
    pub kind: String,
    pub from: String,
    pub to: String,
    pub note: Option<String>,
    /// Where it was read, for the warning if an end is missing.
    pub place: String,
}

/// A line kept as read ([`StandoffLine`]), the spans it names by key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandoffDraft {
    pub line: String,
    pub keys: Vec<String>,
    pub place: String,
}

/// What a document collects besides its spans.
#[derive(Default)]
struct Links {
    relations: Vec<RelationDraft>,
    standoff: Vec<StandoffDraft>,
}

impl SpanDraft {
    pub fn new(start: usize, end: usize, label: impl Into<String>) -> Self {
        Self {
            start,
            end,
            label: label.into(),
            note: None,
            group: None,
            status: SpanStatus::Accepted,
            key: None,
            attributes: BTreeMap::new(),
        }
    }
}

pub struct ProjectBuilder {
    annotator: Option<String>,
    lenient: bool,
    documents: Vec<(Document, Vec<SpanDraft>)>,
    /// Document ids so far, and for each id asked for, the next suffix to try: making 4,000
    /// copies of one id unique stays linear.
    document_ids: HashSet<String>,
    next_suffix: HashMap<String, usize>,
    /// Label names in order of first appearance, and the same as a set.
    labels: Vec<String>,
    label_names: HashSet<String>,
    /// What the project will store beyond the input (see [`StorageBudget`]).
    budget: StorageBudget,
    /// An order given by the input (brat's annotation.conf), applied in `finish`.
    label_order: Vec<String>,
    next_group: u64,
    skipped: Vec<ImportError>,
    warnings: Vec<String>,
    notes: Vec<String>,
    left_out: BTreeMap<String, usize>,
    pub(crate) options: ImportOptions,
    /// Relations and kept lines, per document (same index as `documents`).
    links: Vec<Links>,
    relation_types: Vec<RelationType>,
    attributes: Vec<AttributeDef>,
}

impl ProjectBuilder {
    pub fn new(options: &ImportOptions) -> Self {
        Self {
            annotator: options.annotator.clone(),
            lenient: options.lenient,
            documents: Vec::new(),
            document_ids: HashSet::new(),
            next_suffix: HashMap::new(),
            labels: Vec::new(),
            label_names: HashSet::new(),
            budget: StorageBudget::default(),
            label_order: Vec::new(),
            next_group: 1,
            skipped: Vec::new(),
            warnings: Vec::new(),
            notes: Vec::new(),
            left_out: BTreeMap::new(),
            options: options.clone(),
            links: Vec::new(),
            relation_types: Vec::new(),
            attributes: Vec::new(),
        }
    }

    /// Add a document; its id is `id`, made unique among the documents so far. Returns its index.
    pub fn add_document(&mut self, id: &str, name: &str, text: String) -> usize {
        let base = if id.trim().is_empty() { "document" } else { id };
        let mut unique = base.to_owned();
        if self.document_ids.contains(&unique) {
            let n = self.next_suffix.entry(base.to_owned()).or_insert(2);
            loop {
                unique = format!("{base}-{n}");
                *n += 1;
                if !self.document_ids.contains(&unique) {
                    break;
                }
            }
        }
        self.document_ids.insert(unique.clone());
        self.documents
            .push((Document::new(unique, name, text), Vec::new()));
        self.links.push(Links::default());
        self.documents.len() - 1
    }

    pub fn add_text_file(&mut self, path: &Path) -> Result<usize, ImportError> {
        let existing: Vec<Document> = Vec::new();
        let doc = read_text_document(path, &existing)
            .map_err(|e| ImportError::new(path, None, strip_path(&e.to_string(), path)))?;
        let (id, name) = (doc.id.clone(), doc.name.clone());
        self.count_input(doc.text().len());
        Ok(self.add_document(&id, &name, doc.text().to_owned()))
    }

    pub fn text(&self, doc: usize) -> &str {
        self.documents
            .get(doc)
            .map(|(d, _)| d.text())
            .unwrap_or_default()
    }

    pub fn document(&self, doc: usize) -> Option<&Document> {
        self.documents.get(doc).map(|(d, _)| d)
    }

    /// Check a span against its document and add it, or say why it cannot be added.
    pub fn add_span(&mut self, doc: usize, span: SpanDraft) -> Result<(), String> {
        let Some((document, spans)) = self.documents.get_mut(doc) else {
            return Err(format!("there is no document number {doc}"));
        };
        // The same rules, and messages, as loading a project file and applying an edit.
        validate::span_range(span.start, span.end, document.char_len())
            .map_err(|problem| format!("span [{}, {}): {problem}", span.start, span.end))?;
        validate::label_name(&span.label)
            .map_err(|problem| format!("label \"{}\" cannot be used: {problem}", span.label))?;
        let stored = document.char_to_byte(span.end) - document.char_to_byte(span.start)
            + span.note.as_ref().map_or(0, String::len);
        self.budget.spend(stored)?;
        if self.label_names.insert(span.label.clone()) {
            self.labels.push(span.label.clone());
        }
        spans.push(span);
        Ok(())
    }

    /// A fresh group id for the fragments of one discontinuous mention.
    pub fn new_group(&mut self) -> u64 {
        let g = self.next_group;
        self.next_group += 1;
        g
    }

    /// With `--lenient`, count the problem and go on; else fail the import with it.
    pub fn skip_or_fail(&mut self, error: ImportError) -> Result<(), ImportError> {
        if self.lenient {
            self.skipped.push(error);
            Ok(())
        } else {
            Err(error)
        }
    }

    /// Tell the user what the import decided for them (the tag scheme it detected, ...).
    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    pub fn warn(&mut self, warning: impl Into<String>) {
        self.warnings.push(warning.into());
    }

    /// Count an annotation of a kind Spantag does not model.
    pub fn leave_out(&mut self, kind: impl Into<String>) {
        *self.left_out.entry(kind.into()).or_default() += 1;
    }

    /// Count input read besides document texts (annotation files), which the storage budget
    /// grows with.
    pub fn count_input(&mut self, bytes: usize) {
        self.budget.input_bytes += bytes;
    }

    /// Read an annotation file as UTF-8, counting it as input.
    pub fn read_input(&mut self, path: &Path) -> Result<String, ImportError> {
        let content = super::read_utf8(path)?;
        self.count_input(content.len());
        Ok(content)
    }

    pub fn set_label_order(&mut self, order: Vec<String>) {
        self.label_order = order;
    }

    /// The project's relation types and attribute definitions (checked by the caller against
    /// `validate`'s rules; the project file loader checks them again).
    pub fn set_schema(&mut self, relation_types: Vec<RelationType>, attributes: Vec<AttributeDef>) {
        self.relation_types = relation_types;
        self.attributes = attributes;
    }

    /// The relation types so far: those set, then those the relations added.
    pub fn relation_types(&self) -> &[RelationType] {
        &self.relation_types
    }

    /// A relation between two spans of document `doc`, named by their keys. Its type is added
    /// to the relation types if the schema lacks it; a type name a project cannot hold is
    /// refused, as a label name is.
    pub fn add_relation(&mut self, doc: usize, relation: RelationDraft) -> Result<(), String> {
        validate::label_name(&relation.kind).map_err(|problem| {
            format!(
                "relation type \"{}\" cannot be used: {}",
                relation.kind,
                problem.to_string().replace("label", "relation type")
            )
        })?;
        if !self.relation_types.iter().any(|t| t.name == relation.kind) {
            let color = PALETTE[self.relation_types.len() % PALETTE.len()];
            self.relation_types
                .push(RelationType::new(&relation.kind, color));
        }
        if let Some(links) = self.links.get_mut(doc) {
            links.relations.push(relation);
        }
        Ok(())
    }

    /// A line of document `doc` kept as read, naming spans by key.
    pub fn add_standoff(&mut self, doc: usize, line: StandoffDraft) {
        if let Some(links) = self.links.get_mut(doc) {
            links.standoff.push(line);
        }
    }

    pub fn finish(self) -> ImportReport {
        // Labels named by the input's own order come first, in that order; the rest follow in
        // order of first appearance.
        let mut named = HashSet::new();
        let mut names: Vec<&String> = self
            .label_order
            .iter()
            .filter(|n| self.label_names.contains(*n) && named.insert(*n))
            .collect();
        for name in &self.labels {
            if named.insert(name) {
                names.push(name);
            }
        }
        let labels = LabelSet::from_names(&names);
        let mut next_id = 1;
        let mut next_relation = 1;
        let status = |d: SpanStatus| {
            if self.options.as_suggestions {
                SpanStatus::Suggested
            } else {
                d
            }
        };
        let mut warnings = self.warnings;
        let mut documents = Vec::with_capacity(self.documents.len());
        for ((document, mut drafts), links) in self.documents.into_iter().zip(self.links) {
            drafts.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
            let mut keys: HashMap<String, SpanId> = HashMap::new();
            let spans = drafts
                .into_iter()
                .map(|d| {
                    let mut span = Span::new(SpanId(next_id), d.start, d.end, d.label);
                    next_id += 1;
                    span.note = d.note.map(Into::into);
                    span.group = d.group;
                    span.status = status(d.status);
                    span.annotator = self.annotator.as_deref().map(Into::into);
                    span.attributes = d.attributes.into();
                    if let Some(key) = d.key {
                        keys.insert(key, span.id);
                    }
                    span
                })
                .collect();
            let mut relations = Vec::with_capacity(links.relations.len());
            for r in links.relations {
                match (keys.get(&r.from), keys.get(&r.to)) {
                    (Some(&from), Some(&to)) if from == to => warnings.push(format!(
                        "{}: the relation starts and ends at the same span; left out",
                        r.place
                    )),
                    (Some(&from), Some(&to)) => {
                        let mut relation =
                            Relation::new(RelationId(next_relation), r.kind, from, to);
                        next_relation += 1;
                        relation.note = r.note;
                        relation.status = status(SpanStatus::Accepted);
                        relation.annotator = self.annotator.clone();
                        relations.push(relation);
                    }
                    _ => warnings.push(format!(
                        "{}: the relation names a span that was not imported; left out",
                        r.place
                    )),
                }
            }
            let mut standoff = Vec::with_capacity(links.standoff.len());
            for line in links.standoff {
                let named: Option<BTreeMap<String, SpanId>> = line
                    .keys
                    .iter()
                    .map(|k| keys.get(k).map(|id| (k.clone(), *id)))
                    .collect();
                match named {
                    Some(spans) => standoff.push(StandoffLine {
                        line: line.line,
                        spans,
                    }),
                    None => warnings.push(format!(
                        "{}: the line names a span that was not imported; left out",
                        line.place
                    )),
                }
            }
            let mut annotated = AnnotatedDocument::new(document, SpanIndex::new(spans));
            annotated.relations = Relations::new(relations);
            annotated.standoff = standoff;
            documents.push(annotated);
        }
        ImportReport {
            project: Project::from_parts(labels, documents)
                .with_schema(self.relation_types, self.attributes),
            skipped: self.skipped,
            warnings,
            notes: self.notes,
            left_out: self.left_out,
        }
    }
}

/// A project file stores each span's text and note in full, so a few bytes of input can ask
/// for far more: 20,000 brat fragments `0 50000` name the same 50,000 characters 20,000 times.
/// What the spans store is limited to a multiple of the input (plus a constant for small
/// inputs), so that an import's memory and its project file stay proportional to its input
/// (and under the loader's size limit) instead of taking the machine down.
#[derive(Debug, Default)]
struct StorageBudget {
    input_bytes: usize,
    stored_bytes: usize,
}

impl StorageBudget {
    /// Span texts and notes may take this many times the input...
    const PER_INPUT_BYTE: usize = 4;
    /// ...plus this much.
    const FREE_BYTES: usize = 16 << 20;

    fn limit(&self) -> usize {
        self.input_bytes
            .saturating_mul(Self::PER_INPUT_BYTE)
            .saturating_add(Self::FREE_BYTES)
    }

    fn spend(&mut self, bytes: usize) -> Result<(), String> {
        let total = self.stored_bytes.saturating_add(bytes);
        if total > self.limit() {
            return Err(format!(
                "the spans so far would store {} MiB of span texts and notes for {} KiB of input                  (at most {} times the input plus {} MiB): the input repeats the same text over                  and over, and is refused",
                total >> 20,
                self.input_bytes >> 10,
                Self::PER_INPUT_BYTE,
                Self::FREE_BYTES >> 20
            ));
        }
        self.stored_bytes = total;
        Ok(())
    }
}

/// Messages from lower layers start with the path; ours add it again in front.
fn strip_path(message: &str, path: &Path) -> String {
    let prefix = format!("{}: ", path.display());
    message.strip_prefix(&prefix).unwrap_or(message).to_owned()
}
