//! Review mode and annotators, through egui_kittest.
#![cfg(feature = "gui")]

use eframe::egui::{Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use spantag::core::{Document, LabelSet, Project, SpanStatus, markup};
use spantag::ui::SpantagApp;

/// Markup spans become suggestions (as pre-annotation would make them).
fn suggested(markup_text: &str) -> Project {
    let mut p = markup::project(markup_text);
    let spans: Vec<_> = p.documents[0].spans.iter().cloned().collect();
    for mut span in spans {
        span.status = SpanStatus::Suggested;
        let t = p.change_span("suggest", 0, span);
        p.apply(&t).expect("valid");
    }
    p
}

fn harness(project: Project) -> Harness<'static, SpantagApp> {
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(move |cc| SpantagApp::new(&cc.egui_ctx, project, None));
    h.run();
    h
}

fn press(h: &mut Harness<'_, SpantagApp>, key: Key) {
    h.key_press(key);
    h.run();
}

fn statuses(h: &Harness<'_, SpantagApp>) -> Vec<(String, SpanStatus)> {
    let d = &h.state().editor.project.documents[0];
    d.spans
        .iter()
        .map(|s| (d.document.slice(s.start, s.end).to_owned(), s.status))
        .collect()
}

#[test]
fn review_keys_accept_reject_relabel_and_show_progress() {
    let mut h = harness(suggested("[习近平](PER)会见[古巴](GPE)和[越南](PER)领导人"));
    h.key_press_modifiers(Modifiers::COMMAND, Key::R);
    h.run();
    assert!(h.state().review.on);
    h.get_by_label("0 of 3 reviewed");
    press(&mut h, Key::N);
    press(&mut h, Key::Enter); // accept 习近平, move on to 古巴
    press(&mut h, Key::Backspace); // reject 古巴, move on to 越南
    press(&mut h, Key::Num3); // relabel 越南 as GPE: decided
    assert_eq!(
        statuses(&h),
        vec![
            ("习近平".to_owned(), SpanStatus::Accepted),
            ("古巴".to_owned(), SpanStatus::Rejected),
            ("越南".to_owned(), SpanStatus::Accepted),
        ]
    );
    let d = &h.state().editor.project.documents[0];
    assert_eq!(
        d.spans
            .iter()
            .find(|s| s.start == 8)
            .map(|s| s.label.as_str()),
        Some("GPE")
    );
    h.get_by_label("2 of 2 reviewed"); // the rejected span is hidden by default
    h.get_by_label("Show rejected").click();
    h.run();
    h.get_by_label("3 of 3 reviewed");
    // Every review step undoes.
    for _ in 0..3 {
        h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
        h.run();
    }
    assert!(
        statuses(&h)
            .iter()
            .all(|(_, s)| *s == SpanStatus::Suggested)
    );
}

#[test]
fn the_review_filter_limits_what_n_steps_through() {
    let mut h = harness(suggested("[习近平](PER)会见[古巴](GPE)和[越南](GPE)领导人"));
    h.key_press_modifiers(Modifiers::COMMAND, Key::R);
    h.run();
    h.state_mut().review.label = Some("GPE".into());
    h.run();
    press(&mut h, Key::N);
    press(&mut h, Key::Enter);
    press(&mut h, Key::Enter);
    let s = statuses(&h);
    assert_eq!(s[0].1, SpanStatus::Suggested, "PER is filtered out");
    assert_eq!(s[1].1, SpanStatus::Accepted);
    assert_eq!(s[2].1, SpanStatus::Accepted);
}

#[test]
fn boundaries_move_with_alt_arrows() {
    let mut h = harness(suggested("会见[习近平和](PER)古巴"));
    let id = h.state().editor.project.documents[0]
        .spans
        .iter()
        .next()
        .map(|s| s.id)
        .expect("span");
    h.state_mut().select_span(id, false);
    h.run();
    h.key_press_modifiers(Modifiers::ALT | Modifiers::SHIFT, Key::ArrowLeft);
    h.run();
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowLeft);
    h.run();
    h.key_press_modifiers(Modifiers::ALT, Key::ArrowRight);
    h.run();
    let s = h.state().editor.project.documents[0]
        .spans
        .get(id)
        .cloned()
        .expect("span");
    assert_eq!((s.start, s.end), (2, 5));
}

#[test]
fn spans_carry_the_annotators_name() {
    let mut h = harness(Project::new(
        LabelSet::news_default(),
        vec![Document::new("d1", "d1.txt", "会见习近平")],
    ));
    h.get_by_label("Your name").click();
    h.run();
    h.get_by_label("Your name").type_text("李华");
    h.run();
    // The name is taken when the field loses focus.
    h.key_press(Key::Escape);
    h.run();
    h.state_mut().selection = spantag::ui::TextSelection {
        anchor: 2,
        caret: 5,
    };
    h.queue_label("PER");
    let span = h.state().editor.project.documents[0]
        .spans
        .iter()
        .next()
        .cloned()
        .expect("span");
    assert_eq!(span.annotator.as_deref(), Some("李华"));
    assert_eq!(h.state().prefs.annotator.as_deref(), Some("李华"));
}

trait QueueLabel {
    fn queue_label(&mut self, label: &str);
}

impl QueueLabel for Harness<'_, SpantagApp> {
    fn queue_label(&mut self, label: &str) {
        self.state_mut()
            .queue(spantag::ui::Command::ApplyLabel(label.to_owned()));
        self.run();
    }
}

#[test]
fn preferences_remember_the_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("spantag/preferences.json");
    let prefs = spantag::ui::preferences::Preferences {
        annotator: Some("王芳".into()),
        ..Default::default()
    };
    prefs.save(&path).expect("save");
    assert_eq!(spantag::ui::preferences::Preferences::load(&path), prefs);
    assert_eq!(
        spantag::ui::preferences::Preferences::load(&dir.path().join("missing.json")),
        Default::default()
    );
}

#[test]
fn the_statistics_window_charts_the_counts() {
    let mut h = harness(suggested("[习近平](PER)会见[古巴](GPE)和[越南](GPE)领导人"));
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Statistics").click();
    h.run();
    assert!(h.state().show_statistics);
    h.get_by_label("1 documents, 13 characters, 3 spans; 0% reviewed");
    for heading in [
        "Spans per label",
        "Spans per annotator",
        "Spans per document",
        "Review",
    ] {
        h.get_by_label(heading);
    }
}

#[test]
fn renaming_a_label_keeps_who_made_its_spans_and_shift_digit_is_no_hotkey() {
    let mut p = spantag::core::markup::project("[习近平](PER)会见[古巴](GPE)");
    let spans: Vec<_> = p.documents[0].spans.iter().cloned().collect();
    for mut s in spans {
        s.annotator = Some("alice".into());
        let t = p.change_span("x", 0, s);
        p.apply(&t).expect("valid");
    }
    let mut h = harness(p);
    h.state_mut().prefs.annotator = Some("bob".into());
    let mut per = h
        .state()
        .editor
        .project
        .labels
        .get("PER")
        .cloned()
        .expect("PER");
    per.name = "PERSON".into();
    let t = h.state().editor.project.edit_label(0, per);
    assert!(h.state_mut().execute_as_is(t));
    let annotators: Vec<_> = h.state().editor.project.documents[0]
        .spans
        .iter()
        .map(|s| s.annotator.as_deref().map(str::to_owned))
        .collect();
    assert_eq!(annotators, vec![Some("alice".to_owned()); 2]);

    // Shift+1 is not the hotkey 1.
    h.state_mut().selection = spantag::ui::TextSelection {
        anchor: 3,
        caret: 5,
    };
    h.run();
    h.key_press_modifiers(Modifiers::SHIFT, Key::Num1);
    h.run();
    assert_eq!(h.state().editor.project.span_count(), 2);
}
