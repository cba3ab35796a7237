//! The navigator's figures: per document its spans, reviewed spans and status, and the
//! project's progress, moved by each step's own spans instead of counted again.

use crate::core::{
    AnnotatedDocument, DocStatus, Edit, Editor, Progress, Project, Span, SpanStatus,
};

/// One document's figures in the navigator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DocRow {
    pub spans: usize,
    /// Spans no longer suggested (accepted or rejected).
    pub reviewed: usize,
    pub status: DocStatus,
}

impl DocRow {
    fn of(project: &Project, index: usize, doc: &AnnotatedDocument) -> Self {
        let reviewed = doc
            .spans
            .iter()
            .filter(|s| s.status != SpanStatus::Suggested)
            .count();
        Self {
            spans: doc.spans.len(),
            reviewed,
            status: Self::status(project, index, reviewed),
        }
    }

    /// `DocStatus::of`, from the count already made.
    fn status(project: &Project, index: usize, reviewed: usize) -> DocStatus {
        if project.is_done(index) {
            DocStatus::Done
        } else if reviewed > 0 {
            DocStatus::InProgress
        } else {
            DocStatus::NotStarted
        }
    }

    /// Move the counts by one applied edit of this document (its status is set after).
    fn count(&mut self, edit: &Edit) {
        let reviewed = |s: &Span| usize::from(s.status != SpanStatus::Suggested);
        match edit {
            Edit::AddSpan { span, .. } => {
                self.spans += 1;
                self.reviewed += reviewed(span);
            }
            Edit::RemoveSpan { span, .. } => {
                self.spans = self.spans.saturating_sub(1);
                self.reviewed = self.reviewed.saturating_sub(reviewed(span));
            }
            Edit::ChangeSpan { before, after, .. } => {
                self.reviewed = (self.reviewed + reviewed(after)).saturating_sub(reviewed(before));
            }
            _ => {}
        }
    }
}

/// The navigator's figures: a row per document and the project's progress, computed when the
/// project changes (after one step only the documents it touched are counted again), and the
/// rows its filter lets through, computed when the filter or the figures change. A frame only
/// reads them, however many documents and spans there are.
#[derive(Default)]
pub struct DocFigures {
    /// (generation, history state) the rows were computed at.
    key: Option<(u64, u64)>,
    pub rows: Vec<DocRow>,
    pub progress: Progress,
    /// What `shown` was filtered for: the rows' key, the name filter and the status.
    filter_key: Option<((u64, u64), String, Option<DocStatus>)>,
    /// The documents the filter lets through, in project order.
    pub shown: Vec<usize>,
    /// How often the rows were counted (tests check it is not every frame).
    pub recomputed: u64,
}

impl DocFigures {
    pub fn refresh(
        &mut self,
        editor: &Editor,
        generation: u64,
        name_filter: &str,
        status: Option<DocStatus>,
    ) {
        let project = &editor.project;
        let key = (generation, editor.history.state());
        if self.key != Some(key) {
            self.recomputed += 1;
            let step = self
                .key
                .filter(|old| old.0 == generation && self.rows.len() == project.documents.len())
                .and_then(|old| editor.history.step_from(old.1));
            match step {
                Some(step) => {
                    // The step's own spans move the counts: an edit among 100,000 spans of one
                    // document must not count them all again.
                    let mut touched = Vec::new();
                    let mut hint = 0;
                    for edit in &step.edits {
                        let Some(doc) = edit.doc() else { continue };
                        let at_hint = project
                            .documents
                            .get(hint)
                            .is_some_and(|d| d.document.id == doc.as_str());
                        if !at_hint {
                            let Some(i) = project.doc_index(doc) else {
                                continue;
                            };
                            hint = i;
                        }
                        self.rows[hint].count(edit);
                        touched.push(hint);
                    }
                    touched.sort_unstable();
                    touched.dedup();
                    for i in touched {
                        self.rows[i].status = DocRow::status(project, i, self.rows[i].reviewed);
                    }
                }
                None => {
                    self.rows = (project.documents.iter().enumerate())
                        .map(|(i, d)| DocRow::of(project, i, d))
                        .collect();
                }
            }
            self.progress = Progress::default();
            for row in &self.rows {
                self.progress.count(row.status);
            }
            self.key = Some(key);
        }
        let filter_key = (key, name_filter.trim().to_lowercase(), status);
        if self.filter_key.as_ref() != Some(&filter_key) {
            let filter = filter_key.1.as_str();
            let rows = &self.rows;
            self.shown = (0..rows.len())
                .filter(|&i| status.is_none_or(|s| rows[i].status == s))
                .filter(|&i| {
                    filter.is_empty()
                        || (project.documents[i].document.name.to_lowercase()).contains(filter)
                })
                .collect();
            self.filter_key = Some(filter_key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The navigator's rows: counted again only when the project changes, by the touched
    /// documents after one step, and always the same as a count from scratch.
    #[test]
    fn document_figures_follow_edits_undo_and_marks_without_a_recount_per_frame() {
        let mut editor = Editor::new(crate::core::Project::new(
            crate::core::LabelSet::news_default(),
            vec![
                crate::core::Document::new("d1", "d1.txt", "习近平在北京"),
                crate::core::Document::new("d2", "d2.txt", "古巴领导人"),
            ],
        ));
        let mut figures = DocFigures::default();
        let check = |figures: &mut DocFigures, editor: &Editor, expected: &str| {
            let before = figures.recomputed;
            figures.refresh(editor, 0, "", None);
            figures.refresh(editor, 0, "", None);
            assert!(figures.recomputed <= before + 1, "once per change");
            let mut fresh = DocFigures::default();
            fresh.refresh(editor, 0, "", None);
            assert_eq!(figures.rows, fresh.rows);
            assert_eq!(figures.progress, fresh.progress);
            assert_eq!(figures.progress.to_string(), expected);
        };
        check(&mut figures, &editor, "0 of 2 done");
        let t = editor.project.tag(1, 0, 2, "GPE");
        editor.execute(t).expect("tag");
        check(&mut figures, &editor, "0 of 2 done");
        assert_eq!(figures.rows[1].status, DocStatus::InProgress);
        let t = editor.project.mark_done(&[1], true);
        editor.execute(t).expect("mark");
        check(&mut figures, &editor, "1 of 2 done");
        figures.refresh(&editor, 0, "D2", Some(DocStatus::Done));
        assert_eq!(figures.shown, vec![1]);
        figures.refresh(&editor, 0, "", Some(DocStatus::NotStarted));
        assert_eq!(figures.shown, vec![0]);
        editor.undo().expect("undo");
        check(&mut figures, &editor, "0 of 2 done");
        editor.undo().expect("undo");
        check(&mut figures, &editor, "0 of 2 done");
        assert_eq!(figures.rows[1].status, DocStatus::NotStarted);

        // A suggestion counts as a span, not as reviewed, until it is accepted; then deleted.
        let mut t = editor.project.tag(0, 0, 3, "PER");
        if let Edit::AddSpan { span, .. } = &mut t.edits[0] {
            span.status = SpanStatus::Suggested;
        }
        editor.execute(t).expect("suggest");
        check(&mut figures, &editor, "0 of 2 done");
        assert_eq!((figures.rows[0].spans, figures.rows[0].reviewed), (1, 0));
        let mut span = editor.project.documents[0]
            .spans
            .iter()
            .next()
            .expect("span")
            .clone();
        span.status = SpanStatus::Accepted;
        let t = editor.project.change_span("accept", 0, span.clone());
        editor.execute(t).expect("accept");
        check(&mut figures, &editor, "0 of 2 done");
        assert_eq!(figures.rows[0].status, DocStatus::InProgress);
        let t = editor.project.remove_spans(0, &[span.id]);
        editor.execute(t).expect("remove");
        check(&mut figures, &editor, "0 of 2 done");
        assert_eq!((figures.rows[0].spans, figures.rows[0].reviewed), (0, 0));
        editor.undo().expect("undo");
        check(&mut figures, &editor, "0 of 2 done");
        assert_eq!((figures.rows[0].spans, figures.rows[0].reviewed), (1, 1));
    }
}
