//! Layout of a document for the text view: only what is on screen, cached per block.
//!
//! egui re-lays out text every frame unless the caller keeps the galley, and lays out a paragraph
//! as one piece. A 600k-character novel cannot be laid out per frame, so the document is cut into
//! blocks (a line, or a piece of an overlong line cut after a sentence end), and only blocks in
//! view are laid out; their galleys are kept until the wrap width or font size changes. Blocks
//! not yet laid out have an estimated height, corrected when they are first seen.
//!
//! Span colours are painted over the galleys, not baked into them, so tagging never invalidates
//! a layout.

use std::sync::Arc;

use eframe::egui::{self, Color32, FontId, Galley, Pos2, Rect, text::LayoutJob};
use eframe::epaint::text::{CharIndex, TextFormat, TextWrapping};

use crate::core::Document;

/// Lines longer than this many code points are cut into several blocks.
pub const MAX_BLOCK_CHARS: usize = 2000;
/// Row height as a multiple of the font size: room under the text for stacked span underlines.
pub const LINE_SPACING: f32 = 1.85;

/// A piece of the document laid out as one galley: `[start, end)` in code points, without the
/// line ending.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    pub start: usize,
    pub end: usize,
}

/// Cut a document into blocks: one per line, overlong lines cut after a sentence end (or hard at
/// [`MAX_BLOCK_CHARS`] when there is none).
pub fn split_blocks(doc: &Document, max_chars: usize) -> Vec<Block> {
    let text = doc.text();
    let mut blocks = Vec::with_capacity(doc.line_starts().len());
    let mut char_pos = 0;
    for line in text.split_inclusive('\n') {
        let line_chars = line.chars().count();
        let content = line.strip_suffix('\n').unwrap_or(line);
        let content = content.strip_suffix('\r').unwrap_or(content);
        let content_chars = if content.len() == line.len() {
            line_chars
        } else {
            content.chars().count()
        };
        let mut start = char_pos;
        let end = char_pos + content_chars;
        if content_chars > max_chars {
            let mut last_sentence_end = None;
            for (i, c) in content.chars().enumerate() {
                let at = char_pos + i + 1;
                if matches!(c, '。' | '！' | '？' | '.' | '!' | '?' | '；' | ';') {
                    last_sentence_end = Some(at);
                }
                if at - start >= max_chars && at < end {
                    let cut = last_sentence_end.filter(|&s| s > start).unwrap_or(at);
                    blocks.push(Block { start, end: cut });
                    start = cut;
                    last_sentence_end = None;
                }
            }
        }
        blocks.push(Block { start, end });
        char_pos += line_chars;
    }
    if text.is_empty() || text.ends_with('\n') {
        // The empty last line after a final newline is a place the caret can go.
        blocks.push(Block {
            start: char_pos,
            end: char_pos,
        });
    }
    blocks
}

/// What the view shows for a block: the text with control characters (other than tab) replaced
/// one-for-one by a visible dot, so glyph index == code point index.
fn display_text(doc: &Document, block: Block) -> String {
    doc.slice(block.start, block.end)
        .chars()
        .map(|c| if c.is_control() && c != '\t' { '·' } else { c })
        .collect()
}

/// A laid-out block in view, positioned in content coordinates (y from the top of the document).
pub struct VisibleBlock {
    pub index: usize,
    pub block: Block,
    pub top: f32,
    pub galley: Arc<Galley>,
}

pub struct DocumentLayout {
    blocks: Vec<Block>,
    galleys: Vec<Option<Arc<Galley>>>,
    heights: Vec<f32>,
    /// `tops[i]` is the y of block `i`; `tops[n]` the total height. Rebuilt when heights change.
    tops: Vec<f32>,
    tops_stale: bool,
    wrap_width: f32,
    font_size: f32,
    text_color: Color32,
}

impl DocumentLayout {
    pub fn new(doc: &Document, font_size: f32) -> Self {
        let blocks = split_blocks(doc, MAX_BLOCK_CHARS);
        let n = blocks.len();
        let mut layout = Self {
            blocks,
            galleys: vec![None; n],
            heights: vec![0.0; n],
            tops: Vec::new(),
            tops_stale: true,
            wrap_width: 600.0,
            font_size,
            text_color: Color32::BLACK,
        };
        layout.estimate_heights();
        layout
    }

    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    pub fn font_size(&self) -> f32 {
        self.font_size
    }

    pub fn row_height(&self) -> f32 {
        (self.font_size * LINE_SPACING).round()
    }

    /// Set the wrap width, font size and text colour; any change drops the cached galleys.
    pub fn configure(&mut self, wrap_width: f32, font_size: f32, text_color: Color32) {
        let wrap_width = wrap_width.max(50.0).round();
        if wrap_width != self.wrap_width
            || font_size != self.font_size
            || text_color != self.text_color
        {
            self.wrap_width = wrap_width;
            self.font_size = font_size;
            self.text_color = text_color;
            self.galleys.iter_mut().for_each(|g| *g = None);
            self.estimate_heights();
        }
    }

    fn estimate_heights(&mut self) {
        // CJK characters are about one em wide; Latin text is narrower, so this overestimates.
        let per_row = (self.wrap_width / self.font_size).max(1.0);
        let row = self.row_height();
        for (h, b) in self.heights.iter_mut().zip(&self.blocks) {
            let rows = ((b.end - b.start) as f32 / per_row).ceil().max(1.0);
            *h = rows * row;
        }
        self.tops_stale = true;
    }

    fn refresh_tops(&mut self) {
        if !self.tops_stale {
            return;
        }
        self.tops.clear();
        self.tops.reserve(self.heights.len() + 1);
        let mut y = 0.0;
        self.tops.push(0.0);
        for h in &self.heights {
            y += h;
            self.tops.push(y);
        }
        self.tops_stale = false;
    }

    pub fn total_height(&mut self) -> f32 {
        self.refresh_tops();
        self.tops.last().copied().unwrap_or(0.0)
    }

    pub fn top_of(&mut self, block: usize) -> f32 {
        self.refresh_tops();
        self.tops[block.min(self.blocks.len())]
    }

    /// The block at content height `y` (clamped to the document).
    pub fn block_at_y(&mut self, y: f32) -> usize {
        self.refresh_tops();
        let i = self.tops.partition_point(|&t| t <= y);
        i.saturating_sub(1).min(self.blocks.len().saturating_sub(1))
    }

    /// The block containing code point `offset` (a line end belongs to its line).
    pub fn block_of_char(&self, offset: usize) -> usize {
        let i = self.blocks.partition_point(|b| b.start <= offset);
        i.saturating_sub(1)
    }

    /// The galley of block `i`, laid out now if it is not cached. Returns the change in the
    /// block's height (non-zero when an estimate was corrected).
    pub fn galley(&mut self, ctx: &egui::Context, doc: &Document, i: usize) -> (Arc<Galley>, f32) {
        if let Some(g) = &self.galleys[i] {
            return (g.clone(), 0.0);
        }
        let block = self.blocks[i];
        let mut format = TextFormat::simple(FontId::proportional(self.font_size), self.text_color);
        format.line_height = Some(self.row_height());
        let mut job = LayoutJob::single_section(display_text(doc, block), format);
        job.wrap = TextWrapping::wrap_at_width(self.wrap_width);
        job.break_on_newline = true;
        let galley = ctx.fonts_mut(|f| f.layout_job(job));
        let height = galley.rect.height().max(self.row_height());
        let delta = height - self.heights[i];
        if delta != 0.0 {
            self.heights[i] = height;
            self.tops_stale = true;
        }
        self.galleys[i] = Some(galley.clone());
        (galley, delta)
    }

    /// Lay out the blocks that intersect content heights `[y0, y1)`. Also returns how much the
    /// blocks above `y0` grew or shrank while being laid out (to keep the view steady).
    pub fn visible(
        &mut self,
        ctx: &egui::Context,
        doc: &Document,
        y0: f32,
        y1: f32,
    ) -> Vec<VisibleBlock> {
        let mut out = Vec::new();
        let mut i = self.block_at_y(y0);
        while i < self.blocks.len() {
            let (galley, _) = self.galley(ctx, doc, i);
            let top = self.top_of(i);
            if top >= y1 && !out.is_empty() {
                break;
            }
            out.push(VisibleBlock {
                index: i,
                block: self.blocks[i],
                top,
                galley,
            });
            i += 1;
        }
        out
    }
}

/// Rectangles (relative to the galley) covering code points `[from, to)` of a block's galley,
/// one per row touched.
pub fn range_rects(galley: &Galley, from: usize, to: usize) -> Vec<Rect> {
    let mut rects = Vec::new();
    let mut row_start = 0;
    for row in &galley.rows {
        let n = row.char_count_excluding_newline().0;
        let row_end = row_start + n;
        let a = from.max(row_start);
        let b = to.min(row_end);
        if a < b {
            let x0 = row.pos.x + row.x_offset(CharIndex(a - row_start));
            let x1 = row.pos.x + row.x_offset(CharIndex(b - row_start));
            let r = row.rect();
            rects.push(Rect::from_min_max(
                Pos2::new(x0, r.min.y),
                Pos2::new(x1, r.max.y),
            ));
        }
        row_start += row.char_count_including_newline().0;
        if row_start >= to {
            break;
        }
    }
    rects
}

/// The code point of the galley under `pos` (relative to the galley), if `pos` is on a glyph.
pub fn char_at(galley: &Galley, pos: egui::Vec2) -> Option<usize> {
    let mut row_start = 0;
    for row in &galley.rows {
        let r = row.rect();
        if pos.y >= r.min.y && pos.y < r.max.y {
            for (i, glyph) in row.glyphs.iter().enumerate() {
                let x0 = row.pos.x + glyph.pos.x;
                if pos.x >= x0 && pos.x < x0 + glyph.advance_width {
                    return Some(row_start + i);
                }
            }
            return None;
        }
        row_start += row.char_count_including_newline().0;
    }
    None
}

/// The caret position (a boundary between code points) nearest to `pos` in the galley.
pub fn boundary_at(galley: &Galley, pos: egui::Vec2) -> usize {
    galley.cursor_from_pos(pos).index.0
}

/// The rectangle of the caret before code point `offset` of the galley.
pub fn caret_rect(galley: &Galley, offset: usize) -> Rect {
    galley.pos_from_cursor(eframe::epaint::text::cursor::CCursor::new(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(text: &str, max: usize) -> Vec<(usize, usize)> {
        let doc = Document::new("d", "d", text);
        split_blocks(&doc, max)
            .into_iter()
            .map(|b| (b.start, b.end))
            .collect()
    }

    #[test]
    fn one_block_per_line_without_line_endings() {
        assert_eq!(
            blocks("ab\r\ncd\n\nef", 100),
            vec![(0, 2), (4, 6), (7, 7), (8, 10)]
        );
        assert_eq!(blocks("ab\n", 100), vec![(0, 2), (3, 3)]);
        assert_eq!(blocks("", 100), vec![(0, 0)]);
    }

    #[test]
    fn long_lines_are_cut_after_sentence_ends() {
        assert_eq!(
            blocks("一二三。四五六。七八", 5),
            vec![(0, 4), (4, 8), (8, 10)]
        );
        // No sentence end: a hard cut.
        assert_eq!(blocks("一二三四五六七", 3), vec![(0, 3), (3, 6), (6, 7)]);
    }

    #[test]
    fn control_characters_are_shown_one_for_one() {
        let doc = Document::new("d", "d", "a\u{1}b\tc");
        let shown = display_text(&doc, Block { start: 0, end: 5 });
        assert_eq!(shown.chars().count(), 5);
        assert_eq!(shown, "a·b\tc");
    }
}
