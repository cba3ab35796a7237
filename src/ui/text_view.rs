//! The annotated text: spans painted over cached block layouts, mouse and keyboard selection.
//!
//! Only blocks in view are laid out and painted (see [`DocumentLayout`]). Each span gets a light
//! background in its label's colour and an underline in its own lane under the text, so nested
//! and overlapping spans stay visible; a click on text covered by several spans opens a chooser.

use std::collections::HashMap;
use std::sync::Arc;

use eframe::egui::{
    self, Align2, Color32, CornerRadius, FontId, Galley, Id, Key, Modifiers, Pos2, Rect, Sense,
    Stroke, StrokeKind, Vec2, vec2,
};

use super::text_layout::{self, Block, DocumentLayout};
use crate::core::{AnnotatedDocument, LabelSet, Rgb, Span, SpanId, SpanIndex, SpanStatus};

const MARGIN: f32 = 16.0;
const LANE_GAP: f32 = 4.0;
const UNDERLINE: f32 = 2.5;

/// The text selection: `anchor` is where it started, `caret` where it ends (both boundaries
/// between code points). Empty when they are equal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TextSelection {
    pub anchor: usize,
    pub caret: usize,
}

impl TextSelection {
    pub fn caret(offset: usize) -> Self {
        Self {
            anchor: offset,
            caret: offset,
        }
    }

    pub fn range(&self) -> (usize, usize) {
        (self.anchor.min(self.caret), self.anchor.max(self.caret))
    }

    pub fn is_empty(&self) -> bool {
        self.anchor == self.caret
    }
}

/// A block painted in the last frame, in screen coordinates.
#[derive(Clone)]
pub struct DrawnBlock {
    pub block: Block,
    pub origin: Pos2,
    pub galley: Arc<Galley>,
}

/// What the user did in the text view this frame, for the app to act on.
#[derive(Debug, PartialEq, Eq)]
pub enum TextViewAction {
    /// A click on a span (or on several: the user chose one in the chooser).
    SelectSpan(SpanId),
    /// A click on untagged text, or Escape.
    Deselect,
}

pub struct TextView {
    pub id: Id,
    pub font_size: f32,
    /// Layout of the document shown, by its index in the project.
    layout: Option<(usize, DocumentLayout)>,
    /// Scroll so this code point is in view, over the next frames (estimates settle).
    scroll_to: Option<(usize, u8)>,
    /// Blocks painted in the last frame, for hit tests (and tests).
    pub drawn: Vec<DrawnBlock>,
    /// Open chooser: where, and the spans under the click (outermost first).
    chooser: Option<(Pos2, Vec<SpanId>)>,
    /// Remembered x position for Up/Down caret moves.
    preferred_x: Option<f32>,
    pub viewport: Rect,
    /// Draw rejected spans too (they are kept for the record, hidden by default).
    pub show_rejected: bool,
    /// While comparing annotators: their spans in lanes under the text, and the units.
    pub overlay: Option<CompareOverlay>,
    label_colors: LabelColors,
}

/// How the text is painted this frame.
struct Look {
    font_size: f32,
    row_height: f32,
    text_color: Color32,
    selection_color: Color32,
    /// Where to draw the caret (when the text has focus).
    caret: Option<usize>,
}

/// What the compare view draws over the (gold) document.
#[derive(Clone, Debug, Default)]
pub struct CompareOverlay {
    /// Each annotator's spans, one underline lane each (indexed: only spans in view are drawn).
    pub lanes: Vec<SpanIndex>,
    pub units: Vec<crate::core::compare::Unit>,
    pub selected_unit: Option<usize>,
}

impl Default for TextView {
    fn default() -> Self {
        Self {
            id: Id::unique("spantag_text_view"),
            font_size: 20.0,
            layout: None,
            scroll_to: None,
            drawn: Vec::new(),
            chooser: None,
            preferred_x: None,
            viewport: Rect::NOTHING,
            show_rejected: false,
            overlay: None,
            label_colors: LabelColors::default(),
        }
    }
}

/// The label colours by name. A label set may hold thousands of labels and is searched by name
/// in a list, so the view looks colours up here, rebuilt only when the label set changes.
#[derive(Default)]
struct LabelColors {
    labels: LabelSet,
    colors: HashMap<String, Color32>,
}

impl LabelColors {
    fn refresh(&mut self, labels: &LabelSet) {
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
    fn label(&self, name: &str) -> Color32 {
        self.colors.get(name).copied().unwrap_or(Color32::GRAY)
    }

    /// A span's colour: its label's, grey when rejected.
    fn span(&self, span: &Span) -> Color32 {
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

/// A span's text short enough for one line of a list: long texts keep their first and last
/// [`EXCERPT_END`] characters (nested spans often differ only at one end).
pub fn excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    let n = text.chars().count();
    if n <= 2 * EXCERPT_END + 1 {
        return text.into();
    }
    let head: String = text.chars().take(EXCERPT_END).collect();
    let tail: String = text.chars().skip(n - EXCERPT_END).collect();
    format!("{head}…{tail}").into()
}

const EXCERPT_END: usize = 16;

/// At most this many spans are listed in the tooltip over nested spans (the chooser lists all).
const TOOLTIP_SPANS: usize = 12;
/// The chooser scrolls beyond this height, laying out only the rows in view.
const CHOOSER_HEIGHT: f32 = 360.0;

impl TextView {
    /// Forget the layout (the document list changed).
    pub fn reset(&mut self) {
        self.layout = None;
        self.drawn.clear();
        self.chooser = None;
        self.scroll_to = None;
    }

    /// Whether a span is drawn (and can be clicked).
    pub fn shows(&self, span: &Span) -> bool {
        span.status != SpanStatus::Rejected || self.show_rejected
    }

    pub fn scroll_to(&mut self, offset: usize) {
        self.scroll_to = Some((offset, 3));
    }

    pub fn is_chooser_open(&self) -> bool {
        self.chooser.is_some()
    }

    fn layout_for(&mut self, doc_index: usize, doc: &AnnotatedDocument) -> &mut DocumentLayout {
        if self.layout.as_ref().map(|(i, _)| *i) != Some(doc_index) {
            self.layout = Some((
                doc_index,
                DocumentLayout::new(&doc.document, self.font_size),
            ));
            self.drawn.clear();
        }
        let Some((_, layout)) = self.layout.as_mut() else {
            unreachable!("layout was just set")
        };
        layout
    }

    /// Screen rectangle of code point `offset` if it was painted last frame.
    pub fn char_screen_rect(&self, offset: usize) -> Option<Rect> {
        let drawn = self
            .drawn
            .iter()
            .find(|d| d.block.start <= offset && offset < d.block.end)?;
        let local = offset - drawn.block.start;
        text_layout::range_rects(&drawn.galley, local, local + 1)
            .first()
            .map(|r| r.translate(drawn.origin.to_vec2()))
    }

    /// The boundary nearest to a screen position, using the blocks painted last frame.
    fn boundary_at(&self, pos: Pos2) -> Option<usize> {
        let drawn = self.drawn.iter().min_by_key(|d| {
            let r = d.galley.rect.translate(d.origin.to_vec2());
            let dy = if pos.y < r.top() {
                r.top() - pos.y
            } else if pos.y > r.bottom() {
                pos.y - r.bottom()
            } else {
                0.0
            };
            (dy * 16.0) as i64
        })?;
        let local = text_layout::boundary_at(&drawn.galley, pos - drawn.origin);
        Some(drawn.block.start + local.min(drawn.block.end - drawn.block.start))
    }

    /// The code point under a screen position, if it is on text.
    fn char_at(&self, pos: Pos2) -> Option<usize> {
        self.drawn.iter().find_map(|d| {
            text_layout::char_at(&d.galley, pos - d.origin).map(|c| d.block.start + c)
        })
    }

    #[expect(clippy::too_many_arguments)]
    pub fn show(
        &mut self,
        ui: &mut egui::Ui,
        doc_index: usize,
        doc: &AnnotatedDocument,
        labels: &LabelSet,
        selection: &mut TextSelection,
        selected_span: Option<SpanId>,
        keyboard: bool,
    ) -> Option<TextViewAction> {
        let mut action = None;
        let font_size = self.font_size;
        let text_color = ui.visuals().text_color();
        let selection_color = ui.visuals().selection.bg_fill.gamma_multiply(0.6);
        let view_id = self.id;

        let mut scroll_area = egui::ScrollArea::vertical()
            .id_salt("spantag_text_scroll")
            .auto_shrink(false);
        if let Some((target, passes)) = self.scroll_to {
            let viewport_height = self.viewport.height().max(200.0);
            let layout = self.layout_for(doc_index, doc);
            let block = layout.block_of_char(target);
            let (galley, _) = layout.galley(ui.ctx(), &doc.document, block);
            let start = layout.blocks()[block].start;
            let within = text_layout::caret_rect(&galley, target - start).top();
            let y = layout.top_of(block) + within + MARGIN;
            scroll_area = scroll_area.vertical_scroll_offset((y - viewport_height / 3.0).max(0.0));
            self.scroll_to = (passes > 1).then_some((target, passes - 1));
            ui.ctx().request_repaint();
        }

        let output = scroll_area.show_viewport(ui, |ui, viewport| {
            let width = ui.available_width();
            let layout = self.layout_for(doc_index, doc);
            layout.configure(width - 2.0 * MARGIN, font_size, text_color);
            let visible = layout.visible(
                ui.ctx(),
                &doc.document,
                (viewport.min.y - MARGIN).max(0.0),
                viewport.max.y - MARGIN,
            );
            let total = layout.total_height() + 2.0 * MARGIN;
            let origin = ui.max_rect().min + vec2(MARGIN, MARGIN);
            let content = Rect::from_min_size(ui.max_rect().min, vec2(width, total));
            ui.allocate_rect(content, Sense::hover());

            self.drawn = visible
                .into_iter()
                .map(|v| DrawnBlock {
                    block: v.block,
                    origin: origin + vec2(0.0, v.top),
                    galley: v.galley,
                })
                .collect();

            let visible_rect = viewport.translate(ui.max_rect().min.to_vec2());
            let response = ui.interact(visible_rect, view_id, Sense::click_and_drag());
            (response, visible_rect)
        });
        let (response, visible_rect) = output.inner;
        self.viewport = visible_rect;

        // Keep Tab and arrows for caret moves and span navigation while the text has focus.
        if response.has_focus() {
            ui.memory_mut(|m| {
                m.set_focus_lock_filter(
                    view_id,
                    egui::EventFilter {
                        tab: true,
                        horizontal_arrows: true,
                        vertical_arrows: true,
                        escape: false,
                    },
                );
            });
        }

        // ---- Mouse ----
        if response.drag_started()
            && let Some(pos) = ui.input(|i| i.pointer.press_origin())
            && let Some(b) = self.boundary_at(pos)
        {
            *selection = TextSelection::caret(b);
            self.chooser = None;
            response.request_focus();
        }
        if response.dragged()
            && let Some(pos) = response.interact_pointer_pos()
        {
            if let Some(b) = self.boundary_at(pos) {
                selection.caret = b;
            }
            // Scroll while dragging past the top or bottom edge.
            let edge = 24.0;
            if pos.y > visible_rect.bottom() - edge {
                ui.scroll_with_delta(vec2(0.0, -(pos.y - visible_rect.bottom() + edge) / 2.0));
            } else if pos.y < visible_rect.top() + edge {
                ui.scroll_with_delta(vec2(0.0, (visible_rect.top() + edge - pos.y) / 2.0));
            }
        }
        if response.clicked()
            && let Some(pos) = response.interact_pointer_pos()
        {
            response.request_focus();
            self.chooser = None;
            if let Some(b) = self.boundary_at(pos) {
                *selection = TextSelection::caret(b);
            }
            let under: Vec<SpanId> = self
                .char_at(pos)
                .map(|c| {
                    doc.spans
                        .at(c)
                        .filter(|s| self.shows(s))
                        .map(|s| s.id)
                        .collect()
                })
                .unwrap_or_default();
            match under.len() {
                0 => action = Some(TextViewAction::Deselect),
                1 => action = Some(TextViewAction::SelectSpan(under[0])),
                _ => self.chooser = Some((pos, under)),
            }
        }

        // ---- Keyboard ----
        if keyboard && response.has_focus() {
            self.handle_keys(ui, doc, selection);
        }

        // ---- Paint ----
        self.label_colors.refresh(labels);
        let painter = ui.painter_at(visible_rect);
        let look = Look {
            font_size,
            row_height: self
                .layout
                .as_ref()
                .map_or(font_size, |(_, l)| l.row_height()),
            text_color,
            selection_color,
            caret: response.has_focus().then_some(selection.caret),
        };
        for drawn in &self.drawn {
            self.paint_block(&painter, drawn, doc, *selection, selected_span, &look);
        }

        // Hover: what is under the pointer.
        if let Some(pos) = response.hover_pos()
            && self.chooser.is_none()
            && let Some(c) = self.char_at(pos)
        {
            let under: Vec<_> = doc.spans.at(c).filter(|s| self.shows(s)).collect();
            if !under.is_empty() {
                response.clone().on_hover_ui_at_pointer(|ui| {
                    for s in under.iter().take(TOOLTIP_SPANS) {
                        ui.label(format!(
                            "{} {} [{}, {})",
                            s.label,
                            excerpt(doc.document.slice(s.start, s.end)),
                            s.start,
                            s.end
                        ));
                    }
                    if under.len() > TOOLTIP_SPANS {
                        ui.weak(format!(
                            "and {} more (click to choose)",
                            under.len() - TOOLTIP_SPANS
                        ));
                    }
                });
            }
        }

        if let Some(chosen) = self.show_chooser(ui, doc, labels) {
            action = Some(TextViewAction::SelectSpan(chosen));
        }
        action
    }

    /// Paint one block: the selection, span backgrounds, the compare overlay, the text, the
    /// underlines in lanes, label tags and the caret. Only spans overlapping the block are
    /// visited, and only as many lanes as fit under a row are drawn.
    fn paint_block(
        &self,
        painter: &egui::Painter,
        drawn: &DrawnBlock,
        doc: &AnnotatedDocument,
        selection: TextSelection,
        selected_span: Option<SpanId>,
        look: &Look,
    ) {
        let font_size = look.font_size;
        let colors = &self.label_colors;
        let Block { start, end } = drawn.block;
        let at = drawn.origin.to_vec2();
        let rects_of = |from: usize, to: usize| {
            let a = from.clamp(start, end) - start;
            let b = to.clamp(start, end) - start;
            text_layout::range_rects(&drawn.galley, a, b)
                .into_iter()
                .map(move |r| r.translate(at))
        };
        let (sel_start, sel_end) = selection.range();
        if sel_start < sel_end {
            for r in rects_of(sel_start, sel_end) {
                painter.rect_filled(r, 0.0, look.selection_color);
            }
        }
        let spans: Vec<&Span> = doc
            .spans
            .overlapping(start, end.max(start + 1))
            .filter(|s| self.shows(s))
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
                painter.rect_filled(text_box, 2.0, color);
            }
        }
        let block_end = end.max(start + 1);
        if let Some(overlay) = &self.overlay {
            // Units are disjoint and in document order.
            let first = overlay.units.partition_point(|u| u.end <= start);
            for (i, unit) in overlay.units.iter().enumerate().skip(first) {
                if unit.start >= block_end {
                    break;
                }
                let disagreement = unit.kind != crate::core::compare::UnitKind::Agreement;
                for r in rects_of(unit.start, unit.end) {
                    if disagreement {
                        painter.rect_filled(
                            r,
                            0.0,
                            Color32::from_rgba_unmultiplied(255, 80, 60, 28),
                        );
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
        if let Some(overlay) = &self.overlay {
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
        // One galley per label tag and colour, not one text layout per span.
        let mut tags: HashMap<(&str, Color32), Arc<Galley>> = HashMap::new();
        for ((s, &lane), rects) in spans.iter().zip(&lanes).zip(&span_rects) {
            let selected = Some(s.id) == selected_span;
            if !in_lane(lane) && !selected {
                continue;
            }
            let color = colors.span(s);
            // While comparing, the lanes belong to the annotators; gold is the background.
            for r in rects
                .iter()
                .filter(|_| self.overlay.is_none() && in_lane(lane))
            {
                let y = underline_y(*r, lane);
                let ends = [Pos2::new(r.left() + 1.0, y), Pos2::new(r.right() - 1.0, y)];
                if s.status == SpanStatus::Accepted {
                    painter.line_segment(ends, Stroke::new(UNDERLINE, color));
                } else {
                    // Suggested (and shown rejected) spans: dashed, so they read as
                    // "not decided" at a glance.
                    painter.extend(egui::Shape::dashed_line(
                        &ends,
                        Stroke::new(UNDERLINE, color),
                        5.0,
                        3.0,
                    ));
                }
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
            if lane == 0
                && s.start >= start
                && let Some(first) = rects.first()
            {
                // A small tag with the label name over the span's first character.
                let tag = tags.entry((s.label.as_str(), color)).or_insert_with(|| {
                    painter.layout_no_wrap(s.label.clone(), tag_font.clone(), color)
                });
                let at = Pos2::new(first.left(), first.top() + 1.0 - tag.size().y);
                painter.galley(at, tag.clone(), color);
            }
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

    /// The popup that lists the spans under a click on overlapping spans.
    fn show_chooser(
        &mut self,
        ui: &mut egui::Ui,
        doc: &AnnotatedDocument,
        labels: &LabelSet,
    ) -> Option<SpanId> {
        let (pos, ids) = self.chooser.clone()?;
        self.label_colors.refresh(labels);
        let colors = &self.label_colors;
        let mut chosen = None;
        let mut close = ui.input(|i| i.key_pressed(Key::Escape));
        let area = egui::Area::new(self.id.with("chooser"))
            .order(egui::Order::Foreground)
            .fixed_pos(pos + Vec2::splat(4.0))
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.label(format!("Several spans here ({}). Select one:", ids.len()));
                    let row_height = ui.spacing().interact_size.y;
                    egui::ScrollArea::vertical()
                        .id_salt("spantag_chooser_rows")
                        .max_height(CHOOSER_HEIGHT)
                        .show_rows(ui, row_height, ids.len(), |ui, rows| {
                            for id in &ids[rows] {
                                let Some(s) = doc.spans.get(*id) else {
                                    continue;
                                };
                                let color = colors.label(&s.label);
                                let text = egui::RichText::new(format!(
                                    "{}  {}",
                                    s.label,
                                    excerpt(doc.document.slice(s.start, s.end))
                                ))
                                .color(color);
                                if ui.button(text).clicked() {
                                    chosen = Some(*id);
                                }
                            }
                        });
                });
            });
        if chosen.is_some() || close {
            self.chooser = None;
        } else if ui.input(|i| i.pointer.any_pressed() && !i.pointer.any_released())
            // The rectangle, not `contains_pointer`: the rows' scroll area is on top of it.
            && ui
                .input(|i| i.pointer.press_origin())
                .is_some_and(|p| !area.response.rect.contains(p))
        {
            close = true;
        }
        if close {
            self.chooser = None;
        }
        chosen
    }

    fn handle_keys(
        &mut self,
        ui: &mut egui::Ui,
        doc: &AnnotatedDocument,
        selection: &mut TextSelection,
    ) {
        let len = doc.document.char_len();
        let moves = [
            Key::ArrowLeft,
            Key::ArrowRight,
            Key::ArrowUp,
            Key::ArrowDown,
            Key::Home,
            Key::End,
        ];
        for key in moves {
            // Most modifiers first: egui matches a plain key press even when Shift is held.
            for (shift, ctrl) in [(true, true), (false, true), (true, false), (false, false)] {
                let mut mods = Modifiers::NONE;
                if shift {
                    mods |= Modifiers::SHIFT;
                }
                if ctrl {
                    mods |= Modifiers::COMMAND;
                }
                if !ui.input_mut(|i| i.consume_key(mods, key)) {
                    continue;
                }
                let caret = selection.caret.min(len);
                let new = self.move_caret(ui.ctx(), doc, caret, key, ctrl);
                if !matches!(key, Key::ArrowUp | Key::ArrowDown) {
                    self.preferred_x = None;
                }
                selection.caret = new;
                if !shift {
                    selection.anchor = new;
                }
                self.scroll_to = Some((new, 1));
                self.ensure_visible_only();
            }
        }
    }

    /// Only scroll for caret moves when the caret left the view.
    fn ensure_visible_only(&mut self) {
        if let Some((offset, _)) = self.scroll_to
            && let Some(r) = self.char_screen_rect(offset)
            && self.viewport.contains_rect(r)
        {
            self.scroll_to = None;
        }
    }

    fn move_caret(
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
    fn long_span_texts_are_shortened_in_the_middle() {
        assert_eq!(excerpt("古巴共产党"), "古巴共产党");
        let long = format!("{}{}", "a".repeat(20), "b".repeat(20));
        assert_eq!(
            excerpt(&long),
            format!("{}…{}", "a".repeat(16), "b".repeat(16))
        );
    }

    #[test]
    fn the_lanes_that_fit_under_a_row() {
        // The default 20 px text: rows of 37 px hold three underlines 4 px apart.
        assert_eq!(lane_capacity(20.0, 37.0), 3);
        // Never fewer than one lane.
        assert_eq!(lane_capacity(20.0, 10.0), 1);
    }
}
