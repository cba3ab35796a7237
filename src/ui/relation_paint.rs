//! Painting relations over the text view: an arc from one span to the other in the type's
//! colour, an arrow at the span it ends at, and the type's name on the arc; the relation being
//! drawn (after `R`) as a dashed line to the span `Tab` stepped to. Never handles input beyond
//! telling which painted type name is under a point.
//!
//! A frame paints only the relations of the spans in view: the relations of each span are
//! indexed once per project change, so the cost of a frame follows what is on screen, not the
//! number of relations in the document. A relation whose other end is out of view is drawn to
//! the edge of the view, towards where that end is.

use std::collections::HashMap;

use eframe::egui::{
    self, Color32, CornerRadius, FontId, Pos2, Rect, Shape, Stroke, StrokeKind, Vec2,
    epaint::CubicBezierShape, vec2,
};

use super::span_paint::DrawnBlock;
use super::text_layout;
use crate::core::{AnnotatedDocument, Project, RelationId, Rgb, Span, SpanId, SpanStatus};

/// What a relation looked like on screen in the last frame: its two ends (a point on the
/// view's edge for an end out of view) and the box of its type's name (nothing when it was
/// drawn faint, without its name).
#[derive(Clone, Debug, PartialEq)]
pub struct PaintedRelation {
    pub id: RelationId,
    pub from: Pos2,
    pub to: Pos2,
    /// Whether each end's span is in view (else its end is on the view's edge).
    pub from_shown: bool,
    pub to_shown: bool,
    /// The type's name, where it is written: a click there selects the relation.
    pub name_rect: Rect,
}

/// Which project state the index was built for: (project generation, history state, shown
/// document).
pub type IndexKey = (u64, u64, usize);

/// The relations layer of the text view: the per-span index, what to highlight, and what was
/// painted last frame.
#[derive(Default)]
pub struct RelationLayer {
    key: Option<IndexKey>,
    /// The relations starting or ending at each span of the shown document.
    by_span: HashMap<SpanId, Vec<RelationId>>,
    /// The relation types' colours by name.
    colors: HashMap<String, Color32>,
    /// The selected relation, drawn thicker with its name filled.
    pub selected: Option<RelationId>,
    /// The selected span: while there is one (or a selected relation), the other relations
    /// are drawn faint and without their names, so a dense document (a dependency treebank
    /// has a relation on every word) shows the ones in question.
    pub focus: Option<SpanId>,
    /// The relation being drawn: its first span and the span it would end at.
    pub draft: Option<(SpanId, Option<SpanId>)>,
    /// The relations painted in the last frame, in the order painted.
    pub painted: Vec<PaintedRelation>,
}

impl RelationLayer {
    /// Rebuild the index when the project, its state or the shown document changed.
    pub fn refresh(&mut self, project: &Project, doc: usize, key: IndexKey) {
        if self.key == Some(key) {
            return;
        }
        self.key = Some(key);
        self.by_span.clear();
        if let Some(d) = project.documents.get(doc) {
            for r in d.relations.iter() {
                self.by_span.entry(r.from).or_default().push(r.id);
                if r.to != r.from {
                    self.by_span.entry(r.to).or_default().push(r.id);
                }
            }
        }
        self.colors = project
            .relation_types()
            .iter()
            .map(|t| (t.name.clone(), color(t.color)))
            .collect();
    }

    /// Forget the index (another project or document is shown).
    pub fn reset(&mut self) {
        self.key = None;
        self.painted.clear();
    }

    /// The relation whose type name was painted at `pos` in the last frame.
    pub fn hit(&self, pos: Pos2) -> Option<RelationId> {
        self.painted
            .iter()
            .rev()
            .find(|p| p.name_rect.expand(2.0).contains(pos))
            .map(|p| p.id)
    }

    /// Paint the relations of the spans in `drawn` (and the one being drawn) over the text.
    pub fn paint(
        &mut self,
        painter: &egui::Painter,
        drawn: &[DrawnBlock],
        doc: &AnnotatedDocument,
        view: Rect,
        look: &RelationLook,
    ) {
        self.painted.clear();
        let (Some(first), Some(last)) = (drawn.first(), drawn.last()) else {
            return;
        };
        let shown = (first.block.start, last.block.end.max(last.block.start + 1));
        let ends = Ends { drawn, shown, view };
        let mut ids: Vec<RelationId> = drawn
            .iter()
            .flat_map(|d| {
                doc.spans
                    .overlapping(d.block.start, d.block.end.max(d.block.start + 1))
            })
            .filter_map(|s| self.by_span.get(&s.id))
            .flatten()
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let font = FontId::proportional((look.font_size * 0.45).max(8.0));
        let lift = look.row_height * 0.7;
        for id in ids {
            let Some(relation) = doc.relations.get(id) else {
                continue;
            };
            let (Some(from), Some(to)) = (doc.spans.get(relation.from), doc.spans.get(relation.to))
            else {
                continue;
            };
            if !look.shows(from) || !look.shows(to) {
                continue;
            }
            let (Some((a, a_shown)), Some((b, b_shown))) = (ends.of(from, to), ends.of(to, from))
            else {
                continue;
            };
            let color = if relation.status == SpanStatus::Rejected {
                Color32::GRAY
            } else {
                self.colors
                    .get(&relation.kind)
                    .copied()
                    .unwrap_or(Color32::GRAY)
            };
            let selected = self.selected == Some(id);
            let faint = (self.focus.is_some() || self.selected.is_some())
                && !selected
                && !self.focus.is_some_and(|f| relation.touches(f));
            let color = if faint {
                color.gamma_multiply(0.25)
            } else {
                color
            };
            let width = if selected { 3.0 } else { 1.5 };
            let points = arc(a, b, lift);
            painter.add(CubicBezierShape::from_points_stroke(
                points,
                false,
                Color32::TRANSPARENT,
                Stroke::new(width, color),
            ));
            if b_shown {
                arrow_head(painter, points[2], points[3], color, selected);
            }
            let name_rect = if faint {
                Rect::NOTHING
            } else {
                name_tag(
                    painter,
                    &relation.kind,
                    midpoint(points),
                    &font,
                    color,
                    selected,
                    look.background,
                )
            };
            self.painted.push(PaintedRelation {
                id,
                from: a,
                to: b,
                from_shown: a_shown,
                to_shown: b_shown,
                name_rect,
            });
        }
        self.paint_draft(painter, doc, &ends, look, lift);
    }

    /// The relation being drawn: a dashed arc from its first span to the candidate, which is
    /// outlined.
    fn paint_draft(
        &self,
        painter: &egui::Painter,
        doc: &AnnotatedDocument,
        ends: &Ends<'_>,
        look: &RelationLook,
        lift: f32,
    ) {
        let Some((from, Some(to))) = self.draft else {
            return;
        };
        let (Some(from), Some(to)) = (doc.spans.get(from), doc.spans.get(to)) else {
            return;
        };
        let (Some((a, _)), Some((b, b_shown))) = (ends.of(from, to), ends.of(to, from)) else {
            return;
        };
        let stroke = Stroke::new(2.0, look.text_color);
        let points = arc(a, b, lift);
        let steps = 24;
        let path: Vec<Pos2> = (0..=steps)
            .map(|i| bezier(points, i as f32 / steps as f32))
            .collect();
        painter.extend(Shape::dashed_line(&path, stroke, 6.0, 4.0));
        if b_shown {
            arrow_head(painter, points[2], points[3], look.text_color, true);
            for r in ends.rects(to) {
                painter.rect_stroke(
                    r.expand(2.0),
                    CornerRadius::same(3),
                    Stroke::new(2.0, look.text_color),
                    StrokeKind::Outside,
                );
            }
        }
    }
}

/// How the relations are painted this frame.
pub struct RelationLook {
    pub font_size: f32,
    pub row_height: f32,
    pub text_color: Color32,
    /// Behind the type names, so they stay readable over the text.
    pub background: Color32,
    pub show_rejected: bool,
}

impl RelationLook {
    fn shows(&self, span: &Span) -> bool {
        span.status != SpanStatus::Rejected || self.show_rejected
    }
}

/// Where spans are on screen, from the blocks painted this frame.
struct Ends<'a> {
    drawn: &'a [DrawnBlock],
    /// The code points in view, `[start, end)`.
    shown: (usize, usize),
    view: Rect,
}

impl Ends<'_> {
    /// The rectangles of `span`'s text in its first row on screen.
    fn rects(&self, span: &Span) -> Vec<Rect> {
        let Some(d) = self.drawn.iter().find(|d| {
            d.block.start <= span.start && span.start < d.block.end.max(d.block.start + 1)
        }) else {
            return Vec::new();
        };
        let a = span.start - d.block.start;
        let b = span.end.min(d.block.end).max(span.start + 1) - d.block.start;
        text_layout::range_rects(&d.galley, a, b)
            .into_iter()
            .take(1)
            .map(|r| r.translate(d.origin.to_vec2()))
            .collect()
    }

    /// Where a relation meets `span` (the middle of the top of its first row), and whether
    /// that is on screen; for a span out of view, the point on the view's edge towards it,
    /// under (or over) `other`.
    fn of(&self, span: &Span, other: &Span) -> Option<(Pos2, bool)> {
        if let Some(r) = self.rects(span).first() {
            return Some((Pos2::new(r.center().x, r.top() + 2.0), true));
        }
        let beside = self.rects(other).first()?.center().x;
        let x = beside
            + if span.start < other.start {
                -24.0
            } else {
                24.0
            };
        let y = if span.start < self.shown.0 {
            self.view.top()
        } else {
            self.view.bottom()
        };
        Some((Pos2::new(x, y), false))
    }
}

fn color(Rgb(r, g, b): Rgb) -> Color32 {
    Color32::from_rgb(r, g, b)
}

/// The control points of the arc from `a` to `b`: over the higher end by `lift` (more for ends
/// far apart on one row, so arcs over one another stay apart), so the arc passes over the text,
/// its middle (where the type's name goes) above the higher row, and comes down onto the target.
fn arc(a: Pos2, b: Pos2, lift: f32) -> [Pos2; 4] {
    let same_row = (a.y - b.y).abs() < 1.0;
    let h = if same_row {
        (lift * 0.6 + (a.x - b.x).abs() * 0.08).min(lift * 1.6)
    } else {
        lift
    };
    let top = a.y.min(b.y) - h;
    [a, Pos2::new(a.x, top), Pos2::new(b.x, top), b]
}

fn bezier([p0, p1, p2, p3]: [Pos2; 4], t: f32) -> Pos2 {
    let u = 1.0 - t;
    let v = p0.to_vec2() * (u * u * u)
        + p1.to_vec2() * (3.0 * u * u * t)
        + p2.to_vec2() * (3.0 * u * t * t)
        + p3.to_vec2() * (t * t * t);
    v.to_pos2()
}

fn midpoint(points: [Pos2; 4]) -> Pos2 {
    bezier(points, 0.5)
}

/// A filled arrow head at `tip`, pointing from `from`.
fn arrow_head(painter: &egui::Painter, from: Pos2, tip: Pos2, color: Color32, large: bool) {
    let dir = (tip - from).normalized();
    let dir = if dir.is_finite() { dir } else { Vec2::DOWN };
    let size = if large { 9.0 } else { 7.0 };
    let back = tip - dir * size;
    let side = dir.rot90() * (size * 0.5);
    painter.add(Shape::convex_polygon(
        vec![tip, back + side, back - side],
        color,
        Stroke::NONE,
    ));
}

/// The type's name on the arc, on a background so it reads over the text; filled in the
/// type's colour when the relation is selected. Returns where it is.
fn name_tag(
    painter: &egui::Painter,
    name: &str,
    at: Pos2,
    font: &FontId,
    color: Color32,
    selected: bool,
    background: Color32,
) -> Rect {
    let text_color = if selected { background } else { color };
    let galley = painter.layout_no_wrap(name.to_owned(), font.clone(), text_color);
    let rect = Rect::from_center_size(at, galley.size() + vec2(6.0, 2.0));
    let fill = if selected { color } else { background };
    painter.rect(
        rect,
        CornerRadius::same(3),
        fill,
        Stroke::new(1.0, color),
        StrokeKind::Inside,
    );
    painter.galley(rect.min + vec2(3.0, 1.0), galley, text_color);
    rect
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arc_on_one_row_rises_with_the_distance_and_ends_on_its_points() {
        let near = arc(Pos2::new(0.0, 100.0), Pos2::new(40.0, 100.0), 20.0);
        let far = arc(Pos2::new(0.0, 100.0), Pos2::new(400.0, 100.0), 20.0);
        assert!(far[1].y < near[1].y, "a longer arc rises higher");
        assert_eq!(bezier(far, 0.0), Pos2::new(0.0, 100.0));
        assert_eq!(bezier(far, 1.0), Pos2::new(400.0, 100.0));
        // Over the text: the middle of the arc is above both ends.
        assert!(midpoint(near).y < 100.0);
    }

    #[test]
    fn an_arc_across_rows_has_its_middle_above_the_higher_end() {
        let down = arc(Pos2::new(100.0, 100.0), Pos2::new(40.0, 137.0), 26.0);
        let up = arc(Pos2::new(40.0, 137.0), Pos2::new(100.0, 100.0), 26.0);
        // Clear of the higher row's text and tags: at least half the lift above it.
        let clear = 100.0 - 26.0 / 2.0;
        assert!(midpoint(down).y < clear && midpoint(up).y < clear);
        assert_eq!(bezier(down, 1.0), Pos2::new(40.0, 137.0));
    }
}
