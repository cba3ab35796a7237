//! The window's layout comes back after a restart: the annotation panel's width, the
//! statistics window, the window's size (through the preferences file, as a restart reads it).
#![cfg(feature = "gui")]

use eframe::egui::{self, Modifiers, Pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use spantag::core::markup;
use spantag::ui::SpantagApp;
use spantag::ui::preferences::Preferences;

/// A window as a start-up makes it: the remembered preferences from `path`, written back there.
fn start(path: &std::path::Path) -> Harness<'static, SpantagApp> {
    let path = path.to_owned();
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .with_max_steps(12)
        .build_eframe(move |cc| {
            let mut app = SpantagApp::new(
                &cc.egui_ctx,
                markup::project("会见[习近平](PER)和[古巴](GPE)领导人"),
                None,
            );
            app.use_preferences(&cc.egui_ctx, Preferences::load(&path));
            app.preferences_path = Some(path);
            app
        });
    h.run_steps(4);
    h
}

/// Where the central area ends on the right (the text, then the overview strip beside it): the
/// annotation panel's left edge.
fn panel_edge(h: &Harness<'_, SpantagApp>) -> f32 {
    h.state()
        .overview_strip()
        .map_or(h.state().text_view.viewport.right(), |strip| strip.right())
}

fn drag(h: &mut Harness<'_, SpantagApp>, from: Pos2, to: Pos2) {
    h.hover_at(from);
    h.step();
    h.event(egui::Event::PointerButton {
        pos: from,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.step();
    for i in 1..=5 {
        h.hover_at(from + (to - from) * (i as f32 / 5.0));
        h.step();
    }
    h.event(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.run_steps(3);
}

#[test]
fn a_resized_panel_and_the_statistics_window_come_back_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("preferences.json");
    let mut h = start(&path);
    assert!(
        !path.exists(),
        "showing the window is not a change worth writing"
    );
    let edge = panel_edge(&h);
    // The panel's edge is a few points right of where the central area ends.
    let grab = Pos2::new(edge + 2.0, 400.0);
    drag(&mut h, grab, grab - vec2(120.0, 0.0));
    let moved = panel_edge(&h);
    assert!(
        (edge - moved - 120.0).abs() < 4.0,
        "the drag widened the panel by 120 points (edge {edge} -> {moved})"
    );
    let saved = Preferences::load(&path);
    let width = saved
        .layout
        .panel_width
        .expect("the new width is remembered");
    assert_eq!(Some(width), h.state().prefs.layout.panel_width);

    h.get_by_label("View").click();
    h.run_steps(3);
    h.get_by_label("Statistics").click();
    h.run_steps(3);
    assert!(h.state().show_statistics);
    assert!(Preferences::load(&path).layout.statistics);
    drop(h);

    // A restart: the same width, the statistics window open again.
    let h = start(&path);
    assert_eq!(panel_edge(&h), moved, "the panel comes back as wide");
    assert!(h.state().show_statistics);
}

#[test]
fn the_window_size_and_place_are_remembered_when_it_closes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("preferences.json");
    let mut h = start(&path);
    // What the window system reports after the user moved and resized the window, then closed it.
    let viewport = h
        .input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default();
    viewport.inner_rect = Some(egui::Rect::from_min_size(
        Pos2::new(104.0, 82.0),
        vec2(1000.0, 700.0),
    ));
    viewport.outer_rect = Some(egui::Rect::from_min_size(
        Pos2::new(100.0, 50.0),
        vec2(1008.0, 736.0),
    ));
    viewport.events.push(egui::ViewportEvent::Close);
    h.run_steps(2);
    let layout = Preferences::load(&path).layout;
    assert_eq!(layout.size, Some([1000.0, 700.0]));
    assert_eq!(layout.position, Some([100.0, 50.0]));
    assert!(!layout.maximized);
}

#[test]
fn a_resized_navigator_comes_back_after_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("preferences.json");
    let mut h = start(&path);
    // The navigator's right edge is a few points left of where the text begins.
    let text_left = |h: &Harness<'_, SpantagApp>| h.state().text_view.viewport.left();
    let before = text_left(&h);
    let grab = Pos2::new(before - 2.0, 400.0);
    drag(&mut h, grab, grab + vec2(80.0, 0.0));
    let after = text_left(&h);
    assert!(
        (after - before - 80.0).abs() < 4.0,
        "the drag widened the navigator by 80 points (text from {before} to {after})"
    );
    let width = Preferences::load(&path)
        .layout
        .navigator_width
        .expect("the new width is remembered");
    assert_eq!(Some(width), h.state().prefs.layout.navigator_width);
    drop(h);
    let h = start(&path);
    assert_eq!(text_left(&h), after, "the navigator comes back as wide");
}
