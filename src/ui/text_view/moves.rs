//! Moving through the text: the caret by key, a page at a time, and keeping it in view.

use eframe::egui::{self, Key, vec2};

use super::TextView;
use crate::core::AnnotatedDocument;
use crate::ui::text_layout;

impl TextView {
    /// The code points of the blocks painted last frame (roughly what is on screen).
    pub fn in_view(&self) -> Option<(usize, usize)> {
        Some((
            self.drawn.first()?.block.start,
            self.drawn.last()?.block.end,
        ))
    }

    /// Scroll to `offset` only if it is not in view (after a caret move).
    pub fn keep_in_view(&mut self, offset: usize) {
        self.scroll_to = Some((offset, 1));
        self.ensure_visible_only();
    }

    /// PageUp / PageDown from `caret`: the caret goes a screen (less a row, to keep some
    /// context) further and the view scrolls with it, so the caret keeps its height on screen;
    /// returns the caret's new place. A caret out of view is brought into view.
    pub fn page(
        &mut self,
        ctx: &egui::Context,
        doc_index: usize,
        doc: &AnnotatedDocument,
        caret: usize,
        down: bool,
    ) -> usize {
        if !self.viewport.is_positive() {
            return caret;
        }
        let view = self.viewport;
        let height_on_screen = self
            .char_screen_rect(caret.saturating_sub(usize::from(caret == doc.document.char_len())))
            .filter(|r| view.contains_rect(*r))
            .map(|r| r.top() - view.top());
        let viewport_height = self.viewport.height();
        let preferred_x = self.preferred_x;
        let layout = self.layout_for(doc_index, doc);
        let row = layout.row_height();
        let page = (viewport_height - row).max(row);
        let here = layout.block_of_char(caret);
        let (galley, _) = layout.galley(ctx, &doc.document, here);
        let rect = text_layout::caret_rect(&galley, caret - layout.blocks()[here].start);
        let x = preferred_x.unwrap_or(rect.center().x);
        let y = layout.top_of(here) + rect.center().y + if down { page } else { -page };
        let new = if y < 0.0 {
            0
        } else if y >= layout.total_height() {
            doc.document.char_len()
        } else {
            let there = layout.block_at_y(y);
            let (galley, _) = layout.galley(ctx, &doc.document, there);
            let local = text_layout::boundary_at(&galley, vec2(x, y - layout.top_of(there)));
            layout.blocks()[there].start + local
        };
        self.preferred_x = Some(x);
        self.scroll_to(new);
        // The view moves with the caret: the caret stays at its height on screen.
        self.scroll_at = height_on_screen.map(|h| h.clamp(0.0, viewport_height - 2.0 * row));
        new
    }

    /// Only scroll for caret moves when the caret left the view.
    pub(super) fn ensure_visible_only(&mut self) {
        if let Some((offset, _)) = self.scroll_to
            && let Some(r) = self.char_screen_rect(offset)
            && self.viewport.contains_rect(r)
        {
            self.scroll_to = None;
        }
    }

    pub(super) fn move_caret(
        &mut self,
        ctx: &egui::Context,
        doc: &AnnotatedDocument,
        caret: usize,
        key: Key,
        ctrl: bool,
    ) -> usize {
        let len = doc.document.char_len();
        let font_size = self.font_size;
        let Some((_, layout)) = self.layout.as_mut() else {
            return caret;
        };
        let bi = layout.block_of_char(caret);
        let block = layout.blocks()[bi];
        let n_blocks = layout.blocks().len();
        match key {
            Key::Home if ctrl => 0,
            Key::End if ctrl => len,
            Key::Home => block.start,
            Key::End => block.end,
            Key::ArrowLeft if caret > block.start => caret - 1,
            Key::ArrowLeft if bi > 0 => layout.blocks()[bi - 1].end,
            Key::ArrowRight if caret < block.end => caret + 1,
            Key::ArrowRight if bi + 1 < n_blocks => layout.blocks()[bi + 1].start,
            Key::ArrowUp | Key::ArrowDown => {
                let (galley, _) = layout.galley(ctx, &doc.document, bi);
                let here = text_layout::caret_rect(&galley, caret - block.start);
                let x = *self.preferred_x.get_or_insert(here.center().x);
                let row = layout.row_height();
                let target_y = if key == Key::ArrowUp {
                    here.top() - row / 2.0
                } else {
                    here.top() + row * 1.5
                };
                if target_y >= 0.0 && target_y < galley.rect.height() {
                    return block.start + text_layout::boundary_at(&galley, vec2(x, target_y));
                }
                let next = if key == Key::ArrowUp {
                    bi.checked_sub(1)
                } else {
                    (bi + 1 < n_blocks).then_some(bi + 1)
                };
                let Some(next) = next else {
                    return caret;
                };
                let (g, _) = layout.galley(ctx, &doc.document, next);
                let y = if key == Key::ArrowUp {
                    g.rect.height() - font_size
                } else {
                    font_size / 2.0
                };
                layout.blocks()[next].start + text_layout::boundary_at(&g, vec2(x, y))
            }
            _ => caret,
        }
    }
}
