//! Painting annotations over one laid-out block of the text view: the selection, span fills,
//! the compare overlay, underlines in lanes, label tags, the "+N" marker for nesting deeper than
//! the lanes, the caret. Only spans overlapping the block are visited. Never handles input.
//!
//! A densely tagged screen holds a few hundred spans: their fills are one mesh per block, and
//! their underlines another (plain rectangles, dashes for suggestions), not a rounded rectangle
//! and a stroked line per span and row for egui to tessellate every frame.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use eframe::egui::{
    self, Align2, Color32, CornerRadius, FontId, Galley, Mesh, Pos2, Rect, Shape, Stroke,
    StrokeKind,
};

use super::text_layout::{self, Block};
use crate::core::attribute::FLAG_SET;
use crate::core::{AnnotatedDocument, LabelSet, Rgb, Span, SpanId, SpanIndex, SpanStatus};

/// A block painted in the last frame, in screen coordinates.
#[derive(Clone)]
pub struct DrawnBlock {
    pub block: Block,
    pub origin: Pos2,
    pub galley: Arc<Galley>,
}

/// What the compare view draws over the (gold) document.
#[derive(Clone, Debug, Default)]
pub struct CompareOverlay {
    /// Each annotator's spans, one underline lane each (indexed: only spans in view are drawn).
    pub lanes: Vec<SpanIndex>,
    pub units: Vec<crate::core::compare::Unit>,
    pub selected_unit: Option<usize>,
}

const LANE_GAP: f32 = 4.0;
const UNDERLINE: f32 = 2.5;
/// A suggestion's dashed underline: dash and gap lengths.
const DASH: f32 = 5.0;
const DASH_GAP: f32 = 3.0;

/// The most characters a tag shows after the label; the whole is in the hover text.
const TAG_ATTRIBUTE_CHARS: usize = 16;

/// A span's tag: its label, then its attributes short: the set flags by name, then the other
/// attributes by value, each in name order (`PER·Negated·Fish`; the hover text says `Category = Fish`),
/// cut with `…` past [`TAG_ATTRIBUTE_CHARS`]: tags sit over the text, and a long one covers its
/// neighbours'. A span without attributes (most) costs no allocation.
pub(super) fn tag_text(span: &Span) -> Cow<'_, str> {
    if span.attributes.is_empty() {
        return Cow::Borrowed(&span.label);
    }
    // Flags first: a name is short, and what a cut tag loses is then a value.
    let mut tail = String::new();
    let flags = span.attributes.iter().filter(|(_, v)| *v == FLAG_SET);
    let values = span.attributes.iter().filter(|(_, v)| *v != FLAG_SET);
    for (name, value) in flags.chain(values) {
        tail.push('·');
        tail.push_str(if value == FLAG_SET { name } else { value });
    }
    let mut text = span.label.to_string();
    if tail.chars().count() > TAG_ATTRIBUTE_CHARS {
        text.extend(tail.chars().take(TAG_ATTRIBUTE_CHARS - 1));
        text.push('…');
    } else {
        text.push_str(&tail);
    }
    Cow::Owned(text)
}

/// An underline from `x0` to `x1` centred on `y`, solid or dashed, added to `mesh`.
fn add_underline(mesh: &mut Mesh, x0: f32, x1: f32, y: f32, color: Color32, dashed: bool) {
    let half = UNDERLINE / 2.0;
    let piece = |a: f32, b: f32| Rect::from_min_max(Pos2::new(a, y - half), Pos2::new(b, y + half));
    if !dashed {
        mesh.add_colored_rect(piece(x0, x1), color);
        return;
    }
    let mut x = x0;
    while x < x1 {
        mesh.add_colored_rect(piece(x, (x + DASH).min(x1)), color);
        x += DASH + DASH_GAP;
    }
}
/// Space between the label tags of nested spans that start at the same place.
const TAG_GAP: f32 = 3.0;

/// How the text is painted this frame.
pub(super) struct Look {
    pub font_size: f32,
    pub row_height: f32,
    pub text_color: Color32,
    pub selection_color: Color32,
    /// Where to draw the caret (when the text has focus).
    pub caret: Option<usize>,
    /// The selected text, `[start, end)`.
    pub selection: (usize, usize),
    pub selected_span: Option<SpanId>,
    /// Draw rejected spans too.
    pub show_rejected: bool,
}

/// The label colours by name. A label set may hold thousands of labels and is searched by name
/// in a list, so the view looks colours up here, rebuilt only when the label set changes.
#[derive(Default)]
pub(super) struct LabelColors {
    labels: LabelSet,
    colors: HashMap<String, Color32>,
}

impl LabelColors {
    pub(super) fn refresh(&mut self, labels: &LabelSet) {
        if self.labels == *labels {
            return;
        }
        self.labels = labels.clone();
        self.colors = labels
            .iter()
            .map(|l| {
                let Rgb(r, g, b) = l.color;
                (l.name.clone(), Color32::from_rgb(r, g, b))
            })
            .collect();
    }

    /// A label's colour; grey for a name not in the set.
    pub(super) fn label(&self, name: &str) -> Color32 {
        self.colors.get(name).copied().unwrap_or(Color32::GRAY)
    }

    /// A span's colour: its label's, grey when rejected.
    pub(super) fn span(&self, span: &Span) -> Color32 {
        if span.status == SpanStatus::Rejected {
            Color32::GRAY
        } else {
            self.label(&span.label)
        }
    }
}

/// How many underline lanes fit under a row of text: spans nested deeper are counted in a
/// "+N" marker instead (hundreds of nested spans cannot be told apart 4 pixels apart anyway).
fn lane_capacity(font_size: f32, row_height: f32) -> usize {
    let room = row_height - 1.0 - (font_size * 1.3 + UNDERLINE);
    ((room / LANE_GAP + 0.5).floor().max(0.0) as usize) + 1
}

/// The lane of each span (sorted by start, longest first): the lowest lane not taken by an
/// earlier span it overlaps.
fn assign_lanes(spans: &[&Span]) -> Vec<usize> {
    let mut lane_ends: Vec<usize> = Vec::new();
    spans
        .iter()
        .map(|s| {
            let lane = lane_ends
                .iter()
                .position(|&e| e <= s.start)
                .unwrap_or_else(|| {
                    lane_ends.push(0);
                    lane_ends.len() - 1
                });
            lane_ends[lane] = s.end;
            lane
        })
        .collect()
}

/// Groups of overlapping spans that got no lane of their own: where each group starts, and how
/// many spans it holds.
fn hidden_groups(spans: &[&Span], lanes: &[usize], capacity: usize) -> Vec<(usize, usize)> {
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut group_end = 0;
    for (s, _) in spans.iter().zip(lanes).filter(|(_, l)| **l >= capacity) {
        match groups.last_mut() {
            Some((_, count)) if s.start < group_end => *count += 1,
            _ => groups.push((s.start, 1)),
        }
        group_end = group_end.max(s.end);
    }
    groups
}

/// Paint one block: the selection, span backgrounds, the compare overlay, the text, the
/// underlines in lanes, label tags and the caret. Only spans overlapping the block are
/// visited, and only as many lanes as fit under a row are drawn.
pub(super) fn paint_block(
    painter: &egui::Painter,
    drawn: &DrawnBlock,
    doc: &AnnotatedDocument,
    overlay: Option<&CompareOverlay>,
    colors: &LabelColors,
    look: &Look,
) {
    let font_size = look.font_size;
    let selected_span = look.selected_span;
    let Block { start, end } = drawn.block;
    let at = drawn.origin.to_vec2();
    let rects_of = |from: usize, to: usize| {
        let a = from.clamp(start, end) - start;
        let b = to.clamp(start, end) - start;
        text_layout::range_rects(&drawn.galley, a, b)
            .into_iter()
            .map(move |r| r.translate(at))
    };
    let (sel_start, sel_end) = look.selection;
    if sel_start < sel_end {
        for r in rects_of(sel_start, sel_end) {
            painter.rect_filled(r, 0.0, look.selection_color);
        }
    }
    let spans: Vec<&Span> = doc
        .spans
        .overlapping(start, end.max(start + 1))
        .filter(|s| s.status != SpanStatus::Rejected || look.show_rejected)
        .collect();
    let lanes = assign_lanes(&spans);
    let capacity = lane_capacity(font_size, look.row_height);
    let in_lane = |lane: usize| lane < capacity;
    // Each drawn span's rectangles, found once: a screen of a densely tagged text holds
    // hundreds of spans.
    let span_rects: Vec<Vec<Rect>> = spans
        .iter()
        .zip(&lanes)
        .map(|(s, &lane)| {
            if in_lane(lane) || Some(s.id) == selected_span {
                rects_of(s.start, s.end).collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    let mut fills = Mesh::default();
    for ((s, _), rects) in spans
        .iter()
        .zip(&lanes)
        .zip(&span_rects)
        .filter(|((_, l), _)| in_lane(**l))
    {
        let fill = if s.status == SpanStatus::Accepted {
            0.28
        } else {
            0.12
        };
        let color = colors.span(s).gamma_multiply(fill);
        for r in rects {
            let text_box = Rect::from_min_max(
                Pos2::new(r.left(), r.top() + 2.0),
                Pos2::new(r.right(), r.top() + font_size * 1.3),
            );
            fills.add_colored_rect(text_box, color);
        }
    }
    if !fills.is_empty() {
        painter.add(Shape::mesh(fills));
    }
    let block_end = end.max(start + 1);
    if let Some(overlay) = overlay {
        // Units are disjoint and in document order.
        let first = overlay.units.partition_point(|u| u.end <= start);
        for (i, unit) in overlay.units.iter().enumerate().skip(first) {
            if unit.start >= block_end {
                break;
            }
            let disagreement = unit.kind != crate::core::compare::UnitKind::Agreement;
            for r in rects_of(unit.start, unit.end) {
                if disagreement {
                    painter.rect_filled(r, 0.0, Color32::from_rgba_unmultiplied(255, 80, 60, 28));
                }
                if overlay.selected_unit == Some(i) {
                    painter.rect_stroke(
                        r,
                        CornerRadius::same(2),
                        Stroke::new(2.0, Color32::from_rgb(220, 60, 40)),
                        StrokeKind::Outside,
                    );
                }
            }
        }
    }
    painter.galley(drawn.origin, drawn.galley.clone(), look.text_color);
    let underline_y = |r: Rect, lane: usize| {
        let y = r.top() + font_size * 1.3 + UNDERLINE + lane as f32 * LANE_GAP;
        y.min(r.bottom() - 1.0)
    };
    if let Some(overlay) = overlay {
        for (lane, spans) in overlay.lanes.iter().enumerate() {
            for s in spans.overlapping(start, block_end) {
                for r in rects_of(s.start, s.end) {
                    let y = underline_y(r, lane);
                    painter.line_segment(
                        [Pos2::new(r.left() + 1.0, y), Pos2::new(r.right() - 1.0, y)],
                        Stroke::new(UNDERLINE, colors.label(&s.label)),
                    );
                }
            }
        }
    }
    let tag_font = FontId::proportional((font_size * 0.45).max(8.0));
    // One galley per tag text and colour, not one text layout per span.
    let mut tags: HashMap<(Cow<'_, str>, Color32), Arc<Galley>> = HashMap::new();
    let mut underlines = Mesh::default();
    // Where the last tag painted ends, and the start of its span.
    let mut tag_end: Option<(usize, f32)> = None;
    for ((s, &lane), rects) in spans.iter().zip(&lanes).zip(&span_rects) {
        let selected = Some(s.id) == selected_span;
        if !in_lane(lane) && !selected {
            continue;
        }
        let color = colors.span(s);
        // While comparing, the lanes belong to the annotators; gold is the background.
        for r in rects.iter().filter(|_| overlay.is_none() && in_lane(lane)) {
            // Suggested (and shown rejected) spans: dashed, so they read as "not decided" at a
            // glance.
            let dashed = s.status != SpanStatus::Accepted;
            let y = underline_y(*r, lane);
            add_underline(
                &mut underlines,
                r.left() + 1.0,
                r.right() - 1.0,
                y,
                color,
                dashed,
            );
        }
        if selected {
            for r in rects {
                let outline = Rect::from_min_max(
                    Pos2::new(r.left() - 1.0, r.top()),
                    Pos2::new(r.right() + 1.0, r.bottom() - 1.0),
                );
                painter.rect_stroke(
                    outline,
                    CornerRadius::same(3),
                    Stroke::new(2.0, look.text_color),
                    StrokeKind::Outside,
                );
            }
        }
        if in_lane(lane)
            && s.start >= start
            && let Some(first) = rects.first()
        {
            // A small tag with the label name (and attributes) over the span's first
            // character; nested spans starting there too put theirs after it, outermost first.
            let tag = tags
                .entry((tag_text(s), color))
                .or_insert_with_key(|(text, _)| {
                    painter.layout_no_wrap(text.to_string(), tag_font.clone(), color)
                });
            let x = match tag_end {
                Some((at, x)) if at == s.start => x,
                _ => first.left(),
            };
            painter.galley(
                Pos2::new(x, first.top() + 1.0 - tag.size().y),
                tag.clone(),
                color,
            );
            tag_end = Some((s.start, x + tag.size().x + TAG_GAP));
        }
    }
    if !underlines.is_empty() {
        painter.add(Shape::mesh(underlines));
    }
    // Spans nested too deep for a lane: "+N" over where each group of them starts, to the
    // left of any label tag there. A click there opens the chooser, which lists them all.
    for (group_start, count) in hidden_groups(&spans, &lanes, capacity) {
        if let Some(first) = rects_of(group_start, group_start + 1).next() {
            painter.text(
                Pos2::new(first.left() - 1.0, first.top() + 1.0),
                Align2::RIGHT_BOTTOM,
                format!("+{count}"),
                tag_font.clone(),
                look.text_color,
            );
        }
    }
    if let Some(caret) = look.caret
        && caret >= start
        && caret <= end
    {
        let c = text_layout::caret_rect(&drawn.galley, caret - start).translate(at);
        painter.line_segment(
            [c.left_top(), Pos2::new(c.left(), c.top() + font_size * 1.3)],
            Stroke::new(1.5, look.text_color),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(bounds: &[(usize, usize)]) -> Vec<Span> {
        let mut spans: Vec<Span> = bounds
            .iter()
            .enumerate()
            .map(|(i, &(a, b))| Span::new(SpanId(i as u64 + 1), a, b, "PER"))
            .collect();
        spans.sort_by_key(Span::sort_key);
        spans
    }

    #[test]
    fn nested_spans_get_a_lane_each_and_disjoint_ones_share() {
        let spans = spans(&[(0, 10), (1, 9), (2, 8), (12, 14), (13, 15)]);
        let refs: Vec<&Span> = spans.iter().collect();
        assert_eq!(assign_lanes(&refs), vec![0, 1, 2, 0, 1]);
    }

    #[test]
    fn spans_deeper_than_the_lanes_that_fit_are_counted_per_group() {
        // Two places with 5 and 4 nested spans, and 3 lanes: 2 + 1 hidden.
        let spans = spans(&[
            (0, 10),
            (1, 9),
            (2, 8),
            (3, 7),
            (4, 6),
            (20, 30),
            (21, 29),
            (22, 28),
            (23, 27),
        ]);
        let refs: Vec<&Span> = spans.iter().collect();
        let lanes = assign_lanes(&refs);
        assert_eq!(hidden_groups(&refs, &lanes, 3), vec![(3, 2), (23, 1)]);
        assert_eq!(hidden_groups(&refs, &lanes, 5), vec![]);
    }

    #[test]
    fn the_lanes_that_fit_under_a_row() {
        // The default 20 px text: rows of 37 px hold three underlines 4 px apart.
        assert_eq!(lane_capacity(20.0, 37.0), 3);
        // Never fewer than one lane.
        assert_eq!(lane_capacity(20.0, 10.0), 1);
    }
    #[test]
    fn a_tag_shows_the_span_attributes_short() {
        let mut span = Span::new(SpanId(1), 0, 2, "PER");
        assert!(matches!(tag_text(&span), Cow::Borrowed("PER")));
        span.attributes.insert("Negated".into(), FLAG_SET.into());
        span.attributes.insert("Category".into(), "Fish".into());
        assert_eq!(tag_text(&span), "PER·Negated·Fish");
        span.attributes
            .insert("QID".into(), "Q1234567890123456789".into());
        assert_eq!(tag_text(&span), "PER·Negated·Fish·Q…");
    }

    #[test]
    fn a_block_paints_its_fills_and_underlines_as_two_meshes_whatever_the_span_count() {
        use crate::core::Document;
        // 20 places, each a 2-character span with a 1-character one nested in it (a lane
        // below), one in three suggested (dashed): 40 spans, 20 label tags.
        let text = "甲乙丙".repeat(20);
        let mut spans = Vec::new();
        for i in 0..20 {
            let mut outer = Span::new(SpanId(2 * i + 1), 3 * i as usize, 3 * i as usize + 2, "PER");
            if i % 3 == 0 {
                outer.status = SpanStatus::Suggested;
            }
            spans.push(outer);
            let at = 3 * i as usize;
            spans.push(Span::new(SpanId(2 * i + 2), at, at + 1, "GPE"));
        }
        let doc = AnnotatedDocument::new(Document::new("d", "d", &text), SpanIndex::new(spans));
        let mut colors = LabelColors::default();
        colors.refresh(&LabelSet::news_default());
        let look = Look {
            font_size: 20.0,
            row_height: 37.0,
            text_color: Color32::BLACK,
            selection_color: Color32::LIGHT_BLUE,
            caret: None,
            selection: (0, 0),
            selected_span: None,
            show_rejected: false,
        };
        let ctx = egui::Context::default();
        let mut output = ctx.run_ui(egui::RawInput::default(), |ui| {
            let galley = ui.painter().layout_no_wrap(
                text.clone(),
                FontId::proportional(20.0),
                Color32::BLACK,
            );
            let drawn = DrawnBlock {
                block: text_layout::Block {
                    start: 0,
                    end: text.chars().count(),
                },
                origin: Pos2::new(10.0, 10.0),
                galley,
            };
            let painter = ui.painter().clone();
            paint_block(&painter, &drawn, &doc, None, &colors, &look);
        });
        // The font atlas's first upload: no GPU here to take it.
        output.textures_delta.clear();
        // The text, the fills, the underlines, and a tag over each span: each nested span
        // starts where its outer one does, and every span starting at one place gets its tag.
        assert_eq!(output.shapes.len(), 3 + 40);
        let meshes = output
            .shapes
            .iter()
            .filter(|c| matches!(c.shape, Shape::Mesh(_)))
            .count();
        assert_eq!(meshes, 2);
    }
}
