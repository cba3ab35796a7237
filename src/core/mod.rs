//! The pure core of Spantag: documents, spans, labels, edits, history and files.
//!
//! Nothing here knows about egui or the terminal; the GUI (`crate::ui`) and the CLI
//! (`crate::cli`) are two shells over it.

pub mod agreement;
pub mod assist;
pub mod atomic_write;
pub mod attribute;
pub mod compare;
pub mod doc_status;
pub mod document;
pub mod edit;
pub mod editor;
pub mod formats;
pub mod goto;
pub mod history;
pub mod label;
pub mod lock;
pub mod markup;
pub mod merge;
pub mod merge_conflicts;
pub mod offsets;
pub mod process;
pub mod project;
pub mod project_file;
pub mod recovery;
pub mod relation;
pub mod retext;
pub mod shared_str;
pub mod span;
pub mod span_attributes;
pub mod span_index;
pub mod span_note;
pub mod standoff;
pub mod stats;
pub mod tagger;
pub mod text_file;
pub mod text_reference;
pub mod validate;
pub mod words;

pub use attribute::{AttributeDef, AttributeKind};
pub use doc_status::{DocStatus, Progress};
pub use document::{DocId, Document};
pub use edit::{Edit, Transaction};
pub use editor::Editor;
pub use label::{Label, LabelSet, Rgb};
pub use project::{AnnotatedDocument, EditError, Project};
pub use relation::{Relation, RelationId, RelationType, Relations};
pub use shared_str::SharedStr;
pub use span::{Span, SpanId, SpanStatus};
pub use span_index::SpanIndex;
pub use standoff::StandoffLine;
