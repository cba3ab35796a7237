//! The overview strip beside the text's scroll bar: where the spans of each label (a column of
//! its colour each) and the find bar's hits (yellow, across) are in the whole document, and
//! which part is on screen. A click or a drag on it jumps there.
//!
//! The strip maps code point offsets, not layout heights, to its height (heights of text not
//! yet laid out are estimates, offsets are exact). Its marks are kept in [`BUCKETS`] buckets of
//! the text, each a bit set of the labels found there (and a count per label, so that an edit,
//! undo or redo updates the buckets its spans touch instead of making them all again); a
//! frame only ORs the buckets of each pixel row, so a frame costs the same with 100,000 spans
//! as with 10, and so does the frame after an edit.

use std::collections::HashMap;

use eframe::egui::{self, Color32, Mesh, Rect, Sense, pos2, vec2};

use super::command::{Command, CommandSender};
use super::state::FindKey;
use crate::core::history::History;
use crate::core::{AnnotatedDocument, Edit, LabelSet, Rgb, Span, SpanStatus};

/// The strip's width, in points.
pub const WIDTH: f32 = 16.0;
/// How finely the text is divided: more buckets than a strip has pixel rows.
pub const BUCKETS: usize = 2048;
/// Labels past the 63rd share the last bit, drawn grey.
const OTHER_LABELS: usize = 63;

/// What the marks were made from.
#[derive(Clone, Debug, PartialEq, Eq)]
struct MarksKey {
    generation: u64,
    state: u64,
    doc: usize,
    show_rejected: bool,
}

/// The marks of the shown document, cached.
#[derive(Default)]
pub struct Overview {
    key: Option<MarksKey>,
    /// The document's length in code points.
    len: usize,
    /// Per bucket, the labels (bit = label index) with a span there.
    labels: Vec<u64>,
    /// Per bucket and bit, how many spans are there: an edit updates the bit sets from these.
    counts: Vec<[u32; 64]>,
    /// The bit of each label name.
    bit_of: HashMap<String, usize>,
    /// The colour of each bit.
    colors: Vec<Color32>,
    /// Rejected spans are marked (they are shown).
    show_rejected: bool,
    /// The search, document and whether the find bar was open, for the hits.
    hits_key: Option<(Option<FindKey>, usize, bool)>,
    /// Per bucket, whether a find hit is there.
    hits: Vec<bool>,
    /// How often the label marks were made (tests check: not every frame).
    pub rebuilt: u64,
    /// Where the strip was drawn last (for tests); `None` before the first frame.
    pub rect: Option<Rect>,
}

/// The text's rectangle and the strip's, side by side in `rect`.
pub fn split(rect: Rect) -> (Rect, Rect) {
    let x = rect.right() - WIDTH;
    (
        Rect::from_min_max(rect.min, pos2(x, rect.bottom())),
        Rect::from_min_max(pos2(x, rect.top()), rect.max),
    )
}

/// The bucket of code point `offset` in a text of `len` (at least one bucket a code point).
fn bucket(offset: usize, len: usize) -> usize {
    let buckets = BUCKETS.min(len.max(1));
    (offset.min(len.saturating_sub(1)) as u128 * buckets as u128 / len.max(1) as u128) as usize
}

impl Overview {
    /// Bring the label marks up to date if the document or its spans changed: by the spans of
    /// the last step when that is all that changed (an edit, undo or redo of spans), else all.
    pub fn refresh(
        &mut self,
        generation: u64,
        history: &History,
        doc_index: usize,
        doc: Option<&AnnotatedDocument>,
        labels: &LabelSet,
        show_rejected: bool,
    ) {
        let key = MarksKey {
            generation,
            state: history.state(),
            doc: doc_index,
            show_rejected,
        };
        let Some(old) = self.key.replace(key.clone()) else {
            self.rebuild(doc, labels, show_rejected);
            return;
        };
        if old == key {
            return;
        }
        let same_view = MarksKey {
            state: key.state,
            ..old.clone()
        } == key;
        let step = history.step_from(old.state).filter(|t| {
            t.edits.iter().all(|e| {
                matches!(
                    e,
                    Edit::AddSpan { .. } | Edit::RemoveSpan { .. } | Edit::ChangeSpan { .. }
                )
            })
        });
        let (Some(step), Some(doc), true) = (step, doc, same_view) else {
            self.rebuild(doc, labels, show_rejected);
            return;
        };
        let shown = doc.document.doc_id();
        for edit in &step.edits {
            match edit {
                Edit::AddSpan { doc, span } if *doc == shown => self.count(span, true),
                Edit::RemoveSpan { doc, span } if *doc == shown => self.count(span, false),
                Edit::ChangeSpan { doc, before, after } if *doc == shown => {
                    self.count(before, false);
                    self.count(after, true);
                }
                _ => {}
            }
        }
    }

    /// Make every mark again from the document's spans.
    fn rebuild(&mut self, doc: Option<&AnnotatedDocument>, labels: &LabelSet, show_rejected: bool) {
        self.rebuilt += 1;
        let len = doc.map_or(0, |d| d.document.char_len());
        if len != self.len {
            self.hits_key = None;
        }
        self.len = len;
        self.show_rejected = show_rejected;
        let buckets = BUCKETS.min(len.max(1));
        self.labels.clear();
        self.labels.resize(buckets, 0);
        self.counts.clear();
        self.counts.resize(buckets, [0; 64]);
        self.bit_of = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.name.clone(), i.min(OTHER_LABELS)))
            .collect();
        self.colors = labels
            .iter()
            .take(OTHER_LABELS)
            .map(|l| {
                let Rgb(r, g, b) = l.color;
                Color32::from_rgb(r, g, b)
            })
            .collect();
        self.colors.resize(OTHER_LABELS + 1, Color32::GRAY);
        for s in doc.iter().flat_map(|d| d.spans.iter()) {
            self.count(s, true);
        }
    }

    /// Count `span` in (`added`) or out of the buckets it covers.
    fn count(&mut self, span: &Span, added: bool) {
        if span.status == SpanStatus::Rejected && !self.show_rejected {
            return;
        }
        let bit = self
            .bit_of
            .get(span.label.as_str())
            .copied()
            .unwrap_or(OTHER_LABELS);
        let len = self.len;
        let last = bucket(span.end.saturating_sub(1).max(span.start), len);
        for b in bucket(span.start, len)..=last.min(self.counts.len().saturating_sub(1)) {
            let n = &mut self.counts[b][bit];
            *n = if added { *n + 1 } else { n.saturating_sub(1) };
            if *n == 0 {
                self.labels[b] &= !(1 << bit);
            } else {
                self.labels[b] |= 1 << bit;
            }
        }
    }

    /// Mark the find bar's hits in the shown document, when the search or the document changed.
    pub fn refresh_hits(
        &mut self,
        search: &Option<FindKey>,
        doc: usize,
        open: bool,
        hits: &[(usize, usize)],
    ) {
        if self
            .hits_key
            .as_ref()
            .is_some_and(|(s, d, o)| s == search && *d == doc && *o == open)
        {
            return;
        }
        self.hits_key = Some((search.clone(), doc, open));
        let len = self.len;
        self.hits.clear();
        self.hits.resize(BUCKETS.min(len.max(1)), false);
        for &(start, end) in hits {
            let last = bucket(end.saturating_sub(1).max(start), len);
            for b in &mut self.hits[bucket(start, len)..=last] {
                *b = true;
            }
        }
    }

    /// The labels (as bits) and whether a hit is in the part of the text pixel row `row` of
    /// `rows` stands for.
    fn row(&self, row: usize, rows: usize) -> (u64, bool) {
        let n = self.labels.len();
        let from = row * n / rows;
        let to = ((row + 1) * n / rows).max(from + 1).min(n);
        let labels = self.labels[from.min(n)..to].iter().fold(0, |a, b| a | b);
        let hit = self.hits.get(from..to).is_some_and(|h| h.contains(&true));
        (labels, hit)
    }

    /// The code point at height fraction `f` (0 top, 1 bottom) of the strip.
    pub fn offset_at(&self, f: f32) -> usize {
        ((f.clamp(0.0, 1.0) as f64 * self.len as f64) as usize).min(self.len)
    }

    /// Draw the strip in `rect`; `in_view` is the code point range on screen. A click or a drag
    /// sends [`Command::JumpTo`].
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        rect: Rect,
        in_view: Option<(usize, usize)>,
        tx: &CommandSender,
    ) {
        let response = ui.interact(
            rect,
            egui::Id::unique("spantag_overview"),
            Sense::click_and_drag(),
        );
        if (response.clicked() || response.dragged())
            && let Some(pos) = response.interact_pointer_pos()
        {
            let f = (pos.y - rect.top()) / rect.height().max(1.0);
            tx.send(Command::JumpTo(self.offset_at(f)));
        }
        response
            .on_hover_text("Where the spans (by label) and the find hits are; click to go there");
        self.rect = Some(rect);
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 0.0, ui.visuals().extreme_bg_color);
        if self.len == 0 || self.labels.is_empty() {
            return;
        }
        let rows = rect.height().max(1.0) as usize;
        let marks: Vec<(u64, bool)> = (0..rows).map(|r| self.row(r, rows)).collect();
        let used = marks.iter().fold(0u64, |a, (b, _)| a | b);
        let columns = used.count_ones().max(1) as f32;
        let inner = rect.shrink2(vec2(2.0, 0.0));
        let column_width = inner.width() / columns;
        let mut mesh = Mesh::default();
        // One rectangle per run of rows with the label, per label column.
        for (column, bit) in (0..64).filter(|b| used & (1 << b) != 0).enumerate() {
            let x = inner.left() + column as f32 * column_width;
            let color = self.colors.get(bit).copied().unwrap_or(Color32::GRAY);
            let mut run: Option<usize> = None;
            // A last row off the strip closes the last run.
            let rows_and_end = marks.iter().map(|(labels, _)| Some(*labels)).chain([None]);
            for (r, labels) in rows_and_end.enumerate() {
                let on = labels.is_some_and(|l| l & (1 << bit) != 0);
                match (on, run) {
                    (true, None) => run = Some(r),
                    (false, Some(from)) => {
                        mesh.add_colored_rect(
                            Rect::from_min_max(
                                pos2(x, rect.top() + from as f32),
                                pos2(x + column_width, rect.top() + r as f32),
                            ),
                            color,
                        );
                        run = None;
                    }
                    _ => {}
                }
            }
        }
        let hit_color = Color32::from_rgb(255, 190, 0);
        for (r, _) in marks.iter().enumerate().filter(|(_, (_, hit))| *hit) {
            let y = rect.top() + r as f32;
            mesh.add_colored_rect(
                Rect::from_min_max(pos2(rect.left(), y - 1.0), pos2(rect.right(), y + 1.0)),
                hit_color,
            );
        }
        painter.add(mesh);
        if let Some((from, to)) = in_view {
            // At least a few points high: a screen of a novel is a pixel of the strip.
            let y = |offset: usize| rect.top() + rect.height() * offset as f32 / self.len as f32;
            let (top, bottom) = (y(from), y(to).max(y(from) + 4.0));
            let view = Rect::from_min_max(pos2(rect.left(), top), pos2(rect.right(), bottom));
            let color = ui.visuals().text_color();
            painter.rect_filled(view, 0.0, color.gamma_multiply(0.25));
            painter.rect_stroke(
                view,
                0.0,
                egui::Stroke::new(1.0, color),
                egui::StrokeKind::Inside,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::markup;

    fn marks(markup_text: &str) -> (Overview, LabelSet) {
        let project = markup::project(markup_text);
        let mut overview = Overview::default();
        overview.refresh(
            0,
            &History::default(),
            0,
            project.documents.first(),
            &project.labels,
            false,
        );
        (overview, project.labels.clone())
    }

    #[test]
    fn each_bucket_knows_the_labels_of_its_spans() {
        // A short text: one bucket a code point.
        let (o, labels) = marks("[习近平](PER)在[北京](GPE)");
        let per = 1 << labels.index_of("PER").expect("PER");
        let gpe = 1 << labels.index_of("GPE").expect("GPE");
        assert_eq!(o.labels, vec![per, per, per, 0, gpe, gpe]);
        assert_eq!(o.row(0, 2), (per, false), "the top half holds PER only");
        assert_eq!(o.row(1, 2), (gpe, false));
        assert_eq!(o.offset_at(0.5), 3);
        assert_eq!(o.offset_at(2.0), 6);
    }

    #[test]
    fn a_long_text_is_bucketed_and_hits_are_marked() {
        let text = format!("[甲](PER){}[乙](ORG)", "x".repeat(100_000));
        let (mut o, labels) = marks(&text);
        assert_eq!(o.labels.len(), BUCKETS);
        let per = 1 << labels.index_of("PER").expect("PER");
        let org = 1 << labels.index_of("ORG").expect("ORG");
        assert_eq!(o.labels[0], per);
        assert_eq!(o.labels[BUCKETS - 1], org);
        assert_eq!(
            o.labels[1..BUCKETS - 1].iter().filter(|&&b| b != 0).count(),
            0
        );
        o.refresh_hits(&None, 0, true, &[(40_000, 40_003)]);
        let rows = 100;
        let hit_rows: Vec<usize> = (0..rows).filter(|&r| o.row(r, rows).1).collect();
        assert_eq!(hit_rows, vec![40]);
    }

    #[test]
    fn an_edit_updates_the_marks_it_touches_and_undo_takes_them_back() {
        let mut editor = crate::core::Editor::new(markup::project("[习近平](PER)在北京"));
        let labels = editor.project.labels.clone();
        let per = 1 << labels.index_of("PER").expect("PER");
        let gpe = 1 << labels.index_of("GPE").expect("GPE");
        let mut o = Overview::default();
        let refresh = |o: &mut Overview, editor: &crate::core::Editor| {
            let doc = editor.project.documents.first();
            o.refresh(0, &editor.history, 0, doc, &editor.project.labels, false);
        };
        for _ in 0..3 {
            refresh(&mut o, &editor);
        }
        assert_eq!(o.rebuilt, 1, "frames without an edit reuse the marks");

        let t = editor.project.tag(0, 4, 6, "GPE");
        editor.execute(t).expect("tagged");
        refresh(&mut o, &editor);
        assert_eq!(o.labels, vec![per, per, per, 0, gpe, gpe]);
        let t = editor.project.tag(0, 1, 2, "PER");
        editor.execute(t).expect("tagged");
        refresh(&mut o, &editor);
        editor.undo().expect("undone");
        refresh(&mut o, &editor);
        assert_eq!(
            o.labels,
            vec![per, per, per, 0, gpe, gpe],
            "PER stays where the other PER span still is"
        );
        editor.undo().expect("undone");
        refresh(&mut o, &editor);
        assert_eq!(o.labels, vec![per, per, per, 0, 0, 0]);
        assert_eq!(o.rebuilt, 1, "each step was applied, nothing made again");
    }
}
