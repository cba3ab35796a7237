//! Moving through a long text in the window, through egui_kittest: PageUp / PageDown, go to a
//! line or offset (Ctrl+G), word moves over mixed Latin and Chinese (Ctrl+Left / Ctrl+Right),
//! the span list following the selection and the overview strip beside the text.
#![cfg(feature = "gui")]

use eframe::egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use spantag::core::{Document, LabelSet, Project, SpanStatus, markup};
use spantag::ui::Command;
use spantag::ui::SpantagApp;

fn harness(project: Project) -> Harness<'static, SpantagApp> {
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        // Scrolling settles over a few frames (the span list animates its scroll).
        .with_max_steps(40)
        .build_eframe(move |cc| SpantagApp::new(&cc.egui_ctx, project, None));
    h.run();
    h
}

fn press(h: &mut Harness<'_, SpantagApp>, modifiers: Modifiers, key: Key) {
    h.key_press_modifiers(modifiers, key);
    h.run();
}

/// 300 short lines: "line 1 第1行", ...
fn long_text() -> Project {
    let text: String = (1..=300).map(|i| format!("line {i} 第{i}行\n")).collect();
    Project::new(
        LabelSet::news_default(),
        vec![Document::new("d", "long.txt", text)],
    )
}

fn caret(h: &Harness<'_, SpantagApp>) -> usize {
    h.state().selection.caret
}

fn line_of(h: &Harness<'_, SpantagApp>, offset: usize) -> usize {
    h.state().editor.project.documents[0]
        .document
        .line_col(offset)
        .0
}

/// Whether code point `offset` was painted inside the text's viewport in the last frame.
fn on_screen(h: &Harness<'_, SpantagApp>, offset: usize) -> bool {
    let view = &h.state().text_view;
    view.char_screen_rect(offset)
        .is_some_and(|r| view.viewport.contains_rect(r))
}

#[test]
fn page_down_scrolls_a_screen_and_takes_the_caret_along() {
    let mut h = harness(long_text());
    assert_eq!(caret(&h), 0);
    assert!(on_screen(&h, 0));

    press(&mut h, Modifiers::NONE, Key::PageDown);
    let first = caret(&h);
    let line = line_of(&h, first);
    assert!(line > 10, "a screen down is many lines down, not {line}");
    assert!(on_screen(&h, first), "the caret is in view");
    assert!(!on_screen(&h, 0), "the view scrolled: line 1 is gone");
    assert_eq!(h.state().selection.anchor, first, "no Shift: no selection");

    press(&mut h, Modifiers::SHIFT, Key::PageDown);
    let second = caret(&h);
    assert!(line_of(&h, second) > line + 10);
    assert_eq!(
        h.state().selection.anchor,
        first,
        "Shift extends the selection"
    );
    assert!(on_screen(&h, second));

    press(&mut h, Modifiers::NONE, Key::PageUp);
    assert_eq!(line_of(&h, caret(&h)), line, "PageUp comes back a screen");
    press(&mut h, Modifiers::NONE, Key::PageUp);
    assert_eq!(line_of(&h, caret(&h)), 1);
    assert!(on_screen(&h, 0));
}

#[test]
fn ctrl_g_goes_to_a_line_or_an_offset_and_says_why_not() {
    let mut h = harness(long_text());
    press(&mut h, Modifiers::COMMAND, Key::G);
    h.get_by_label("Go to line or offset").type_text("120");
    h.run();
    press(&mut h, Modifiers::NONE, Key::Enter);
    assert!(
        h.query_by_label("Go to line or offset").is_none(),
        "a good input closes the dialog"
    );
    let doc = &h.state().editor.project.documents[0].document;
    let line_120 = doc.line_starts()[119];
    assert_eq!(caret(&h), line_120);
    assert!(on_screen(&h, line_120), "line 120 is scrolled into view");

    press(&mut h, Modifiers::COMMAND, Key::G);
    h.get_by_label("Go to line or offset").type_text("#3000");
    h.run();
    press(&mut h, Modifiers::NONE, Key::Enter);
    assert_eq!(caret(&h), 3000);
    assert!(on_screen(&h, 3000));

    // A bad input keeps the dialog open with the reason, and the caret where it was.
    press(&mut h, Modifiers::COMMAND, Key::G);
    h.get_by_label("Go to line or offset").type_text("9999");
    h.run();
    press(&mut h, Modifiers::NONE, Key::Enter);
    h.get_by_label("Line 9999 is past the end: the document has 301 lines");
    assert_eq!(caret(&h), 3000);
    h.get_by_label("Go to line or offset").type_text("x");
    h.run();
    press(&mut h, Modifiers::NONE, Key::Enter);
    h.get_by_label("\"9999x\" is not a line number (120) or a character offset (#5000)");
    press(&mut h, Modifiers::NONE, Key::Escape);
    assert!(h.query_by_label("Go to line or offset").is_none());
    assert_eq!(caret(&h), 3000);
}

#[test]
fn ctrl_arrows_move_by_word_and_by_character_in_chinese() {
    let text = "Obama在北京，2024年 said";
    let mut h = harness(Project::new(
        LabelSet::news_default(),
        vec![Document::new("d", "d.txt", text)],
    ));
    let mut stops = Vec::new();
    for _ in 0..8 {
        press(&mut h, Modifiers::COMMAND, Key::ArrowRight);
        stops.push(caret(&h));
    }
    assert_eq!(stops, vec![5, 6, 7, 8, 13, 14, 19, 19]);
    assert_eq!(h.state().selection.anchor, 19);

    press(
        &mut h,
        Modifiers::COMMAND | Modifiers::SHIFT,
        Key::ArrowLeft,
    );
    press(
        &mut h,
        Modifiers::COMMAND | Modifiers::SHIFT,
        Key::ArrowLeft,
    );
    assert_eq!(
        h.state().selection.range(),
        (13, 19),
        "Shift extends by word"
    );
    let mut stops = Vec::new();
    for _ in 0..6 {
        press(&mut h, Modifiers::COMMAND, Key::ArrowLeft);
        stops.push(caret(&h));
    }
    assert_eq!(stops, vec![9, 7, 6, 5, 0, 0]);
    assert!(h.state().selection.is_empty());
}

#[test]
fn the_span_list_follows_the_selection_counts_its_filter_and_shows_statuses() {
    let markup: String = (0..100).map(|_| "[北京](GPE)和[上海](LOC)。\n").collect();
    let mut project = markup::project(&markup);
    let last = project.documents[0]
        .spans
        .by_position(199)
        .expect("200 spans")
        .clone();
    let mut suggested = last.clone();
    suggested.status = SpanStatus::Suggested;
    let t = project.change_span("suggest", 0, suggested);
    project.apply(&t).expect("a valid change");
    let mut h = harness(project);
    h.get_by_label("Spans (200)");
    let row = format!("上海  LOC  [{}, {})  suggested", last.start, last.end);
    assert!(
        h.query_by_label(&row).is_none(),
        "the last row is out of the list's view"
    );

    h.state_mut().queue(Command::SelectSpan(last.id));
    h.run();
    let node = h.get_by_label(&row);
    assert_eq!(
        node.accesskit_node().toggled(),
        Some(eframe::egui::accesskit::Toggled::True),
        "the row of the selected span is scrolled to and highlighted"
    );

    h.state_mut().panel.span_filter = "GPE".into();
    h.run();
    h.get_by_label("Spans (100 of 200)");
}

/// The label tags painted over the text: their text and where.
fn painted_tags(h: &Harness<'_, SpantagApp>, names: &[&str]) -> Vec<(String, eframe::egui::Rect)> {
    let mut tags = Vec::new();
    for clipped in &h.output().shapes {
        if let eframe::egui::Shape::Text(text) = &clipped.shape
            && names.contains(&text.galley.text())
            && clipped.clip_rect.width() > 600.0
        {
            tags.push((
                text.galley.text().to_owned(),
                text.galley.rect.translate(text.pos.to_vec2()),
            ));
        }
    }
    tags
}

#[test]
fn nested_spans_starting_at_one_place_each_show_their_label_tag() {
    let mut h = harness(markup::project(
        "会见[[[古巴](GPE)共产党](ORG)中央](FAC)领导人",
    ));
    let tags = painted_tags(&h, &["GPE", "ORG", "FAC"]);
    let names: Vec<&str> = tags.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["FAC", "ORG", "GPE"],
        "outermost first, every one tagged"
    );
    for pair in tags.windows(2) {
        assert!(
            !pair[0].1.intersects(pair[1].1),
            "{} and {} overlap: {:?} {:?}",
            pair[0].0,
            pair[1].0,
            pair[0].1,
            pair[1].1
        );
    }
    h.run();
}

#[test]
fn a_click_on_the_overview_strip_jumps_there_and_its_marks_are_kept_between_frames() {
    let mut h = harness(long_text());
    let strip = h.state().overview_strip().expect("drawn");
    assert!(strip.width() > 0.0 && strip.height() > 200.0, "{strip:?}");
    assert!(
        strip.left() >= h.state().text_view.viewport.right(),
        "beside the text, not over it"
    );
    let made = h.state().overview_rebuilt();
    let pos = eframe::egui::pos2(strip.center().x, strip.top() + strip.height() * 0.75);
    h.hover_at(pos);
    h.step();
    for pressed in [true, false] {
        h.event(eframe::egui::Event::PointerButton {
            pos,
            button: eframe::egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        h.step();
    }
    h.run();
    let len = h.state().editor.project.documents[0].document.char_len();
    let at = caret(&h);
    assert!(
        at.abs_diff(len * 3 / 4) < len / 50,
        "three quarters down the strip is three quarters into the text: {at} of {len}"
    );
    assert!(on_screen(&h, at), "and it is scrolled into view");
    assert_eq!(
        h.state().overview_rebuilt(),
        made,
        "frames without an edit reuse the marks"
    );
    h.state_mut().selection = spantag::ui::TextSelection {
        anchor: 0,
        caret: 4,
    };
    h.state_mut().queue(Command::ApplyLabel("PER".into()));
    h.run();
    assert_eq!(
        h.state().overview_rebuilt(),
        made,
        "an edit updates the marks it touches, it does not make them all again"
    );
    assert_eq!(
        h.state().editor.project.span_count(),
        1,
        "the edit was made"
    );
}
