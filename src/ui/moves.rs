//! Moving through a long text: by word, by screen, to a line or offset, to a place picked on the
//! overview strip. The word boundaries and what a go-to input means are in the core
//! ([`crate::core::words`], [`crate::core::goto`]); what needs the layout (a screen) is asked
//! of the text view.

use eframe::egui;

use super::app::SpantagApp;
use super::command::CaretMotion;
use super::dialogs::GoToForm;
use super::text_view::TextSelection;
use crate::core::{goto, words};

impl SpantagApp {
    /// Move the caret by `motion`; `extend` keeps the anchor (Shift held).
    pub(super) fn move_caret(&mut self, ctx: &egui::Context, motion: CaretMotion, extend: bool) {
        let doc_index = self.doc;
        let Some(doc) = self.editor.project.documents.get(doc_index) else {
            return;
        };
        let caret = self.selection.caret.min(doc.document.char_len());
        let new = match motion {
            CaretMotion::WordLeft => words::previous_word_start(&doc.document, caret),
            CaretMotion::WordRight => words::next_word_end(&doc.document, caret),
            CaretMotion::PageUp | CaretMotion::PageDown => {
                let down = motion == CaretMotion::PageDown;
                self.text_view.page(ctx, doc_index, doc, caret, down)
            }
        };
        self.selection.caret = new;
        if !extend {
            self.selection.anchor = new;
        }
        if matches!(motion, CaretMotion::WordLeft | CaretMotion::WordRight) {
            self.text_view.keep_in_view(new);
        }
    }

    pub(super) fn open_goto(&mut self) {
        if self.current_doc().is_none() {
            self.status = Some("No document to go to a line in".into());
            return;
        }
        self.modals.goto = Some(GoToForm::default());
    }

    /// The go-to dialog's answer: go there and close, or keep the dialog open with the reason.
    pub(super) fn go_to(&mut self, input: &str) {
        let Some(doc) = self.current_doc() else {
            return;
        };
        match goto::resolve(input, &doc.document) {
            Ok(offset) => {
                let (line, column) = doc.document.line_col(offset);
                self.modals.goto = None;
                self.jump_to(offset);
                self.status = Some(format!("Line {line}, column {column} (offset {offset})"));
                self.focus_text = true;
            }
            Err(why) => {
                if let Some(form) = &mut self.modals.goto {
                    form.error = Some(why);
                }
            }
        }
    }

    /// Put the caret at `offset` and scroll it into view.
    pub(super) fn jump_to(&mut self, offset: usize) {
        let Some(doc) = self.current_doc() else {
            return;
        };
        let offset = offset.min(doc.document.char_len());
        self.selection = TextSelection::caret(offset);
        self.text_view.scroll_to(offset);
    }
}

impl SpantagApp {
    /// Where the overview strip was drawn in the last frame.
    pub fn overview_strip(&self) -> Option<egui::Rect> {
        self.derived.overview.rect
    }

    /// How often the overview strip's marks were made: once per edit, not per frame.
    pub fn overview_rebuilt(&self) -> u64 {
        self.derived.overview.rebuilt
    }
}
