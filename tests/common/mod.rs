//! Helpers for the tests: running the real `spantag` binary, and building small projects.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

#[cfg(feature = "gui")]
pub mod ui;

use spantag::core::project::AnnotatedDocument;
use spantag::core::{Document, Label, LabelSet, Project, Span, SpanId, SpanIndex};

pub const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/annotations/sample.json");

/// Run `spantag` with `args` and wait for it.
pub fn spantag(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spantag"))
        .args(args)
        .output()
        .expect("spantag runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A document's id (also its name), its text, and its spans as `(start, end, label)` in code
/// points.
pub type DocSpec<'a> = (&'a str, &'a str, &'a [(usize, usize, &'a str)]);

/// A project with `labels` (palette colours, no hotkeys) and `docs`; span ids count from 1 in
/// each document.
pub fn project_from(labels: &[&str], docs: &[DocSpec<'_>]) -> Project {
    let labels = LabelSet::new(
        labels
            .iter()
            .enumerate()
            .map(|(i, n)| Label::new(n, spantag::core::label::PALETTE[i], None, ""))
            .collect(),
    );
    let doc = |&(id, text, spans): &DocSpec<'_>| {
        AnnotatedDocument::new(
            Document::new(id, id, text),
            SpanIndex::new(
                spans
                    .iter()
                    .enumerate()
                    .map(|(i, &(s, e, l))| Span::new(SpanId(i as u64 + 1), s, e, l))
                    .collect(),
            ),
        )
    };
    Project::from_parts(labels, docs.iter().map(doc).collect())
}
