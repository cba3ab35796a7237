//! The annotated text: spans painted over cached block layouts, mouse and keyboard selection.
//!
//! Only blocks in view are laid out and painted (see [`DocumentLayout`]). Each span gets a light
//! background in its label's colour and an underline in its own lane under the text, so nested
//! and overlapping spans stay visible; a click on text covered by several spans opens a chooser.

use std::sync::Arc;

use eframe::egui::{
    self, Align2, Color32, CornerRadius, FontId, Galley, Id, Key, Modifiers, Pos2, Rect, Sense,
    Stroke, StrokeKind, Vec2, vec2,
};

use super::text_layout::{self, Block, DocumentLayout};
use crate::core::{AnnotatedDocument, LabelSet, Rgb, Span, SpanId, SpanStatus};

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
    /// The find bar's hits in the shown document, `[start, end)` in code points, in order.
    pub find_hits: Vec<(usize, usize)>,
    /// The hit the find bar stepped to, drawn outlined.
    pub find_current: Option<(usize, usize)>,
}

/// What the compare view draws over the (gold) document.
#[derive(Clone, Debug, Default)]
pub struct CompareOverlay {
    /// Each annotator's spans, one underline lane each.
    pub lanes: Vec<Vec<Span>>,
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
            find_hits: Vec::new(),
            find_current: None,
        }
    }
}

/// A span's colour: its label's, grey when rejected.
fn span_color(labels: &LabelSet, span: &Span) -> Color32 {
    if span.status == SpanStatus::Rejected {
        Color32::GRAY
    } else {
        label_color(labels, &span.label)
    }
}

fn label_color(labels: &LabelSet, name: &str) -> Color32 {
    let Rgb(r, g, b) = labels.get(name).map_or(Rgb(128, 128, 128), |l| l.color);
    Color32::from_rgb(r, g, b)
}

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

    /// The find bar's hits in `drawn`, as a yellow background (the current one outlined): a
    /// separate overlay so span painting stays as it is.
    fn paint_find_hits(&self, painter: &egui::Painter, drawn: &DrawnBlock) {
        let Block { start, end } = drawn.block;
        let at = drawn.origin.to_vec2();
        let fill = Color32::from_rgba_unmultiplied(255, 210, 0, 90);
        let first = self.find_hits.partition_point(|&(_, e)| e <= start);
        let in_block = self.find_hits[first..]
            .iter()
            .take_while(|&&(s, _)| s < end.max(start + 1));
        for &(s, e) in in_block {
            let (a, b) = (s.clamp(start, end) - start, e.clamp(start, end) - start);
            for r in text_layout::range_rects(&drawn.galley, a, b) {
                painter.rect_filled(r.translate(at), 2.0, fill);
                if self.find_current == Some((s, e)) {
                    painter.rect_stroke(
                        r.translate(at),
                        CornerRadius::same(2),
                        Stroke::new(2.0, Color32::from_rgb(230, 150, 0)),
                        StrokeKind::Outside,
                    );
                }
            }
        }
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
        let painter = ui.painter_at(visible_rect);
        let (sel_start, sel_end) = selection.range();
        for drawn in &self.drawn {
            let Block { start, end } = drawn.block;
            let at = drawn.origin.to_vec2();
            if sel_start < sel_end {
                let a = sel_start.clamp(start, end) - start;
                let b = sel_end.clamp(start, end) - start;
                for r in text_layout::range_rects(&drawn.galley, a, b) {
                    painter.rect_filled(r.translate(at), 0.0, selection_color);
                }
            }
            // Lanes: a span's underline goes in the lowest lane not taken by a span it overlaps.
            let spans: Vec<_> = doc
                .spans
                .overlapping(start, end.max(start + 1))
                .filter(|s| self.shows(s))
                .collect();
            let mut lane_ends: Vec<usize> = Vec::new();
            let mut lanes = Vec::with_capacity(spans.len());
            for s in &spans {
                let lane = lane_ends
                    .iter()
                    .position(|&e| e <= s.start)
                    .unwrap_or_else(|| {
                        lane_ends.push(0);
                        lane_ends.len() - 1
                    });
                lane_ends[lane] = s.end;
                lanes.push(lane);
            }
            for s in &spans {
                let color = span_color(labels, s);
                let fill = if s.status == SpanStatus::Accepted {
                    0.28
                } else {
                    0.12
                };
                let a = s.start.clamp(start, end) - start;
                let b = s.end.clamp(start, end) - start;
                for r in text_layout::range_rects(&drawn.galley, a, b) {
                    let r = r.translate(at);
                    let text_box = Rect::from_min_max(
                        Pos2::new(r.left(), r.top() + 2.0),
                        Pos2::new(r.right(), r.top() + font_size * 1.3),
                    );
                    painter.rect_filled(text_box, 2.0, color.gamma_multiply(fill));
                }
            }
            if let Some(overlay) = &self.overlay {
                for (i, unit) in overlay.units.iter().enumerate() {
                    if unit.end <= start || unit.start >= end.max(start + 1) {
                        continue;
                    }
                    let disagreement = unit.kind != crate::core::compare::UnitKind::Agreement;
                    let a = unit.start.clamp(start, end) - start;
                    let b = unit.end.clamp(start, end) - start;
                    for r in text_layout::range_rects(&drawn.galley, a, b) {
                        let r = r.translate(at);
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
            self.paint_find_hits(&painter, drawn);
            painter.galley(drawn.origin, drawn.galley.clone(), text_color);
            if let Some(overlay) = &self.overlay {
                for (lane, spans) in overlay.lanes.iter().enumerate() {
                    for s in spans
                        .iter()
                        .filter(|s| s.overlaps(start, end.max(start + 1)))
                    {
                        let a = s.start.clamp(start, end) - start;
                        let b = s.end.clamp(start, end) - start;
                        for r in text_layout::range_rects(&drawn.galley, a, b) {
                            let r = r.translate(at);
                            let y = r.top() + font_size * 1.3 + UNDERLINE + lane as f32 * LANE_GAP;
                            let y = y.min(r.bottom() - 1.0);
                            painter.line_segment(
                                [Pos2::new(r.left() + 1.0, y), Pos2::new(r.right() - 1.0, y)],
                                Stroke::new(UNDERLINE, label_color(labels, &s.label)),
                            );
                        }
                    }
                }
            }
            for (s, lane) in spans.iter().zip(&lanes) {
                let color = span_color(labels, s);
                let a = s.start.clamp(start, end) - start;
                let b = s.end.clamp(start, end) - start;
                let rects = text_layout::range_rects(&drawn.galley, a, b);
                // While comparing, the lanes belong to the annotators; gold is the background.
                for r in rects.iter().filter(|_| self.overlay.is_none()) {
                    let r = r.translate(at);
                    let y = r.top() + font_size * 1.3 + UNDERLINE + *lane as f32 * LANE_GAP;
                    let y = y.min(r.bottom() - 1.0);
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
                if Some(s.id) == selected_span {
                    for r in &rects {
                        let r = r.translate(at);
                        let outline = Rect::from_min_max(
                            Pos2::new(r.left() - 1.0, r.top()),
                            Pos2::new(r.right() + 1.0, r.bottom() - 1.0),
                        );
                        painter.rect_stroke(
                            outline,
                            CornerRadius::same(3),
                            Stroke::new(2.0, text_color),
                            StrokeKind::Outside,
                        );
                    }
                }
                if let Some(label) = labels.get(&s.label)
                    && s.start >= start
                    && let Some(first) = rects.first()
                    && *lane == 0
                {
                    // A small tag with the label name over the span's first character.
                    let r = first.translate(at);
                    painter.text(
                        Pos2::new(r.left(), r.top() + 1.0),
                        Align2::LEFT_BOTTOM,
                        &label.name,
                        FontId::proportional((font_size * 0.45).max(8.0)),
                        color,
                    );
                }
            }
            if response.has_focus() && selection.caret >= start && selection.caret <= end {
                let c = text_layout::caret_rect(&drawn.galley, selection.caret - start);
                let c = c.translate(at);
                painter.line_segment(
                    [c.left_top(), Pos2::new(c.left(), c.top() + font_size * 1.3)],
                    Stroke::new(1.5, text_color),
                );
            }
        }

        // Hover: what is under the pointer.
        if let Some(pos) = response.hover_pos()
            && self.chooser.is_none()
            && let Some(c) = self.char_at(pos)
        {
            let under: Vec<_> = doc.spans.at(c).filter(|s| self.shows(s)).collect();
            if !under.is_empty() {
                response.clone().on_hover_ui_at_pointer(|ui| {
                    for s in under {
                        ui.label(format!(
                            "{} {} [{}, {})",
                            s.label,
                            doc.document.slice(s.start, s.end),
                            s.start,
                            s.end
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

    /// The popup that lists the spans under a click on overlapping spans.
    fn show_chooser(
        &mut self,
        ui: &mut egui::Ui,
        doc: &AnnotatedDocument,
        labels: &LabelSet,
    ) -> Option<SpanId> {
        let (pos, ids) = self.chooser.clone()?;
        let mut chosen = None;
        let mut close = ui.input(|i| i.key_pressed(Key::Escape));
        let area = egui::Area::new(self.id.with("chooser"))
            .order(egui::Order::Foreground)
            .fixed_pos(pos + Vec2::splat(4.0))
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.label("Several spans here. Select one:");
                    for id in &ids {
                        let Some(s) = doc.spans.get(*id) else {
                            continue;
                        };
                        let color = label_color(labels, &s.label);
                        let text = egui::RichText::new(format!(
                            "{}  {}",
                            s.label,
                            doc.document.slice(s.start, s.end)
                        ))
                        .color(color);
                        if ui.button(text).clicked() {
                            chosen = Some(*id);
                        }
                    }
                });
            });
        if chosen.is_some() || close {
            self.chooser = None;
        } else if ui.input(|i| i.pointer.any_pressed())
            && !area.response.contains_pointer()
            && !ui.input(|i| i.pointer.any_released())
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
