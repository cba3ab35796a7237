//! The annotated text: spans painted over cached block layouts, mouse and keyboard selection.
//!
//! Only blocks in view are laid out and painted (see [`DocumentLayout`]; the painting itself is in
//! `span_paint`). Each span gets a light background in its label's colour and an underline in its
//! own lane under the text, so nested and overlapping spans stay visible; a click on text covered
//! by several spans opens a chooser.

use eframe::egui::{
    self, Color32, CornerRadius, Id, Key, Modifiers, Pos2, Rect, Sense, Stroke, StrokeKind, Vec2,
    vec2,
};

use super::relation_paint::{RelationLayer, RelationLook};
use super::span_paint::{self, LabelColors, Look};
pub use super::span_paint::{CompareOverlay, DrawnBlock};
use super::text_layout::{self, Block, DocumentLayout};
use crate::core::{AnnotatedDocument, LabelSet, RelationId, Span, SpanId, SpanStatus};

mod moves;

const MARGIN: f32 = 16.0;

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

/// What the user did in the text view this frame, for the app to act on.
#[derive(Debug, PartialEq, Eq)]
pub enum TextViewAction {
    /// A click on a span (or on several: the user chose one in the chooser).
    SelectSpan(SpanId),
    /// A click on a relation's type name.
    SelectRelation(RelationId),
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
    /// Where `scroll_to` puts its target: this far below the view's top (PageUp / PageDown
    /// keep the caret's height on screen); `None`: a third down the view.
    scroll_at: Option<f32>,
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
    /// The find bar's hits in the shown document, `[start, end)` in code points, in order.
    pub find_hits: Vec<(usize, usize)>,
    /// The hit the find bar stepped to, drawn outlined.
    pub find_current: Option<(usize, usize)>,
    /// The relations between the spans in view (the app refreshes its index).
    pub relations: RelationLayer,
}

impl Default for TextView {
    fn default() -> Self {
        Self {
            id: Id::unique("spantag_text_view"),
            font_size: 20.0,
            layout: None,
            scroll_to: None,
            scroll_at: None,
            drawn: Vec::new(),
            chooser: None,
            preferred_x: None,
            viewport: Rect::NOTHING,
            show_rejected: false,
            overlay: None,
            label_colors: LabelColors::default(),
            find_hits: Vec::new(),
            find_current: None,
            relations: RelationLayer::default(),
        }
    }
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
        self.relations.reset();
    }

    /// Whether a span is drawn (and can be clicked).
    pub fn shows(&self, span: &Span) -> bool {
        span.status != SpanStatus::Rejected || self.show_rejected
    }

    pub fn scroll_to(&mut self, offset: usize) {
        self.scroll_to = Some((offset, 3));
        self.scroll_at = None;
    }

    /// Scroll so the row of code point `offset` is the first in view (0: the very top).
    pub fn scroll_to_top(&mut self, offset: usize) {
        self.scroll_to = Some((offset, 3));
        self.scroll_at = Some(MARGIN);
    }

    /// The first code point in view, from the blocks painted last frame (`None` before any):
    /// what [`Self::scroll_to_top`] takes to come back to the same place.
    pub fn top_offset(&self) -> Option<usize> {
        if self.drawn.is_empty() {
            return None;
        }
        self.boundary_at(self.viewport.left_top() + vec2(MARGIN, MARGIN + 1.0))
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
        if self.scroll_at == Some(MARGIN) && self.scroll_to.is_some_and(|(target, _)| target == 0) {
            // The very top needs no layout to settle: exact at once, no extra frames.
            self.scroll_to = None;
            scroll_area = scroll_area.vertical_scroll_offset(0.0);
        }
        if let Some((target, passes)) = self.scroll_to {
            let viewport_height = self.viewport.height().max(200.0);
            let layout = self.layout_for(doc_index, doc);
            let block = layout.block_of_char(target);
            let (galley, _) = layout.galley(ui.ctx(), &doc.document, block);
            let start = layout.blocks()[block].start;
            let within = text_layout::caret_rect(&galley, target - start).top();
            let y = layout.top_of(block) + within + MARGIN;
            let at = self.scroll_at.unwrap_or(viewport_height / 3.0);
            scroll_area = scroll_area.vertical_scroll_offset((y - at).max(0.0));
            self.scroll_to = (passes > 1).then_some((target, passes - 1));
            if self.scroll_to.is_none() {
                self.scroll_at = None;
            }
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
            let under: Vec<SpanId> = if let Some(id) = self.relations.hit(pos) {
                action = Some(TextViewAction::SelectRelation(id));
                Vec::new()
            } else {
                self.char_at(pos)
                    .map(|c| {
                        doc.spans
                            .at(c)
                            .filter(|s| self.shows(s))
                            .map(|s| s.id)
                            .collect()
                    })
                    .unwrap_or_default()
            };
            match under.len() {
                0 if action.is_some() => {}
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
            selection: selection.range(),
            selected_span,
            show_rejected: self.show_rejected,
        };
        for drawn in &self.drawn {
            // Under the spans and the text: the find bar's hits in this block.
            self.paint_find_hits(&painter, drawn);
            span_paint::paint_block(
                &painter,
                drawn,
                doc,
                self.overlay.as_ref(),
                &self.label_colors,
                &look,
            );
        }
        // Over every block's text and tags: arcs may cross rows.
        self.relations.paint(
            &painter,
            &self.drawn,
            doc,
            visible_rect,
            &RelationLook {
                font_size,
                row_height: look.row_height,
                text_color,
                background: ui.visuals().panel_fill,
                show_rejected: self.show_rejected,
            },
        );

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
                        // The attributes in full (the tag shows them short).
                        for (name, value) in &s.attributes {
                            ui.weak(format!("    {name} = {value}"));
                        }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_span_texts_are_shortened_in_the_middle() {
        assert_eq!(excerpt("古巴共产党"), "古巴共产党");
        let long = format!("{}{}", "a".repeat(20), "b".repeat(20));
        assert_eq!(
            excerpt(&long),
            format!("{}…{}", "a".repeat(16), "b".repeat(16))
        );
    }
}
