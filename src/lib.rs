//! Spantag: annotate text spans with entity labels, review them, export training data.
//!
//! - [`core`]: documents, spans, labels, edits, history and files; no UI.
//! - [`ui`]: the eframe/egui annotator window, a thin layer over the core.
//! - [`cli`]: the headless command line, another thin layer.

pub mod cli;
pub mod core;
#[cfg(feature = "gui")]
pub mod ui;
