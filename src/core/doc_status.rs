//! Where a document stands in the work: not started, in progress or done.
//!
//! Only "done" is the user's word. It is stored in the project file (a document's `"done":
//! true`) and changed only by [`Edit::SetDone`] through [`Project::apply`], so undo, redo, the
//! dirty flag and autosave see it like any edit. "In progress" is derived, never stored: a
//! document not done that holds at least one reviewed span (accepted or rejected; a span made by
//! hand is accepted). Suggestions alone (pre-annotation) leave a document not started, and
//! opening a document changes nothing: looking at a text must not make the project dirty, and
//! paging through 120 chapters must not mark them all as started.

use serde::Serialize;

use super::edit::{Edit, Transaction};
use super::project::Project;
use super::span::SpanStatus;
use super::span_index::SpanIndex;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocStatus {
    NotStarted,
    InProgress,
    Done,
}

impl DocStatus {
    pub const ALL: [Self; 3] = [Self::NotStarted, Self::InProgress, Self::Done];

    /// As people read it, and as `spantag status` prints it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not started",
            Self::InProgress => "in progress",
            Self::Done => "done",
        }
    }

    /// The status of a document marked `done` (or not) holding `spans`. Stops at the first
    /// reviewed span, so a document worked on costs little; one of suggestions only is read
    /// through (callers cache the answer per history state).
    pub fn of(done: bool, spans: &SpanIndex) -> Self {
        if done {
            Self::Done
        } else if spans.iter().any(|s| s.status != SpanStatus::Suggested) {
            Self::InProgress
        } else {
            Self::NotStarted
        }
    }
}

impl std::fmt::Display for DocStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How many documents of a project stand where: "34 of 120 done".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub done: usize,
    pub in_progress: usize,
    pub not_started: usize,
}

impl Progress {
    pub fn count(&mut self, status: DocStatus) {
        match status {
            DocStatus::NotStarted => self.not_started += 1,
            DocStatus::InProgress => self.in_progress += 1,
            DocStatus::Done => self.done += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.done + self.in_progress + self.not_started
    }

    /// Done as a share of all documents (0 with none).
    pub fn fraction(&self) -> f32 {
        if self.total() == 0 {
            0.0
        } else {
            self.done as f32 / self.total() as f32
        }
    }
}

impl std::fmt::Display for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} of {} done", self.done, self.total())
    }
}

impl Project {
    /// The status of the document at `index`.
    pub fn doc_status(&self, index: usize) -> Option<DocStatus> {
        let d = self.documents.get(index)?;
        Some(DocStatus::of(self.is_done(index), &d.spans))
    }

    /// The statuses of every document, counted.
    pub fn progress(&self) -> Progress {
        let mut progress = Progress::default();
        for index in 0..self.documents.len() {
            if let Some(status) = self.doc_status(index) {
                progress.count(status);
            }
        }
        progress
    }

    /// Mark the documents at `indices` done (or not done): one edit per document whose mark
    /// changes, one undo step. Indices the project does not have are left out.
    pub fn mark_done(&self, indices: &[usize], done: bool) -> Transaction {
        let edits: Vec<Edit> = indices
            .iter()
            .filter(|&&i| i < self.documents.len() && self.is_done(i) != done)
            .filter_map(|&i| self.doc_id(i))
            .map(|doc| Edit::SetDone { doc, done })
            .collect();
        let what = match edits.as_slice() {
            [Edit::SetDone { doc, .. }] => self.doc_index(doc).map_or_else(
                || doc.to_string(),
                |i| self.documents[i].document.name.clone(),
            ),
            _ => format!("{} documents", edits.len()),
        };
        let description = if done {
            format!("mark {what} done")
        } else {
            format!("mark {what} not done")
        };
        Transaction::new(description, edits)
    }

    /// The first document after `index` (going round) that is not done, if any is.
    pub fn next_not_done(&self, index: usize) -> Option<usize> {
        let n = self.documents.len();
        (1..=n).map(|k| (index + k) % n).find(|&i| !self.is_done(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Document, Editor, LabelSet};

    fn three() -> Editor {
        let mut project = Project::new(
            LabelSet::news_default(),
            vec![
                Document::new("c1", "第一回.txt", "宴桃园豪杰三结义"),
                Document::new("c2", "第二回.txt", "张翼德怒鞭督邮"),
                Document::new("c3", "第三回.txt", "议温明董卓叱丁原"),
            ],
        );
        // c2 has a suggestion only, c3 a span made by hand.
        let mut suggest = project.tag(1, 0, 3, "PER");
        for edit in &mut suggest.edits {
            if let Edit::AddSpan { span, .. } = edit {
                span.status = SpanStatus::Suggested;
            }
        }
        project.apply(&suggest).expect("suggest");
        let t = project.tag(2, 3, 5, "PER");
        project.apply(&t).expect("tag");
        Editor::new(project)
    }

    #[test]
    fn in_progress_means_a_reviewed_span_and_suggestions_alone_do_not_count() {
        let editor = three();
        let p = &editor.project;
        assert_eq!(p.doc_status(0), Some(DocStatus::NotStarted));
        assert_eq!(p.doc_status(1), Some(DocStatus::NotStarted));
        assert_eq!(p.doc_status(2), Some(DocStatus::InProgress));
        assert_eq!(p.doc_status(3), None);
        assert_eq!(p.progress().to_string(), "0 of 3 done");
    }

    #[test]
    fn marking_done_is_an_edit_that_undoes_and_redoes() {
        let mut editor = three();
        let t = editor.project.mark_done(&[2], true);
        assert_eq!(t.description, "mark 第三回.txt done");
        editor.execute(t).expect("mark");
        assert!(editor.is_dirty());
        assert_eq!(editor.project.doc_status(2), Some(DocStatus::Done));
        assert_eq!(
            editor.project.progress(),
            Progress {
                done: 1,
                in_progress: 0,
                not_started: 2
            }
        );
        editor.undo().expect("undo").expect("a step");
        assert_eq!(editor.project.doc_status(2), Some(DocStatus::InProgress));
        assert!(!editor.is_dirty());
        editor.redo().expect("redo").expect("a step");
        assert_eq!(editor.project.doc_status(2), Some(DocStatus::Done));
        // Marking what is already so changes nothing; a stale edit is refused whole.
        assert!(editor.project.mark_done(&[2], true).is_empty());
        let stale = Transaction::new(
            "mark",
            vec![
                Edit::SetDone {
                    doc: editor.project.doc_id(0).expect("c1"),
                    done: true,
                },
                Edit::SetDone {
                    doc: editor.project.doc_id(2).expect("c3"),
                    done: true,
                },
            ],
        );
        let error = editor.execute(stale).expect_err("c3 is done already");
        assert_eq!(error.to_string(), "document \"c3\" is already done");
        assert_eq!(editor.project.doc_status(0), Some(DocStatus::NotStarted));
    }

    #[test]
    fn the_next_not_done_document_goes_round_and_skips_done_ones() {
        let mut editor = three();
        let t = editor.project.mark_done(&[1, 2], true);
        assert_eq!(t.description, "mark 2 documents done");
        editor.execute(t).expect("mark");
        assert_eq!(editor.project.next_not_done(0), Some(0));
        assert_eq!(editor.project.next_not_done(1), Some(0));
        let t = editor.project.mark_done(&[0], true);
        editor.execute(t).expect("mark");
        assert_eq!(editor.project.next_not_done(0), None);
        assert_eq!(Project::default().next_not_done(0), None);
    }
}
