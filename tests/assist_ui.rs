//! Assisted annotation in the window through egui_kittest: the find bar (plain text and regex,
//! this document or all, stepping across documents, highlighted hits) and "tag all".
#![cfg(feature = "gui")]

mod common;

use common::ui::click_at;

use eframe::egui::{self, Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use spantag::core::{Document, LabelSet, Project, SpanStatus, markup};
use spantag::ui::SpantagApp;

fn harness(project: Project) -> Harness<'static, SpantagApp> {
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .with_max_steps(12)
        .build_eframe(move |cc| SpantagApp::new(&cc.egui_ctx, project, None));
    h.run();
    h
}

fn two_documents() -> Project {
    Project::new(
        LabelSet::news_default(),
        vec![
            Document::new("a", "a.txt", "古巴领导人会见古巴代表团。"),
            Document::new("b", "b.txt", "他访问了古巴。"),
        ],
    )
}

fn press(h: &mut Harness<'_, SpantagApp>, key: Key) {
    h.key_press(key);
    h.run();
}

fn press_mod(h: &mut Harness<'_, SpantagApp>, modifiers: Modifiers, key: Key) {
    h.key_press_modifiers(modifiers, key);
    h.run();
}

/// Ctrl+F, then type `text` into the bar's field (which has the keyboard).
fn find(h: &mut Harness<'_, SpantagApp>, text: &str) {
    press_mod(h, Modifiers::COMMAND, Key::F);
    h.event(egui::Event::Text(text.into()));
    h.run();
}

fn selection(h: &Harness<'_, SpantagApp>) -> (usize, usize, usize) {
    let app = h.state();
    let (start, end) = app.selection.range();
    (app.doc, start, end)
}

#[test]
fn find_bar_counts_highlights_and_steps_across_documents() {
    let mut h = harness(two_documents());
    find(&mut h, "古巴");
    h.get_by_label("2 found");
    assert_eq!(h.state().text_view.find_hits, [(0, 2), (7, 9)]);
    h.get_by_label("All documents").click();
    h.run();
    h.get_by_label("3 found");
    // Ctrl+F gives the field the keyboard again (the checkbox had it).
    press_mod(&mut h, Modifiers::COMMAND, Key::F);
    // Enter in the field steps (and keeps the field), wrapping and switching documents.
    press(&mut h, Key::Enter);
    assert_eq!(selection(&h), (0, 0, 2));
    h.get_by_label("1 of 3");
    press(&mut h, Key::Enter);
    assert_eq!(selection(&h), (0, 7, 9));
    press(&mut h, Key::Enter);
    assert_eq!(selection(&h), (1, 4, 6), "the third hit is in document b");
    h.get_by_label("3 of 3");
    assert_eq!(h.state().text_view.find_hits, [(4, 6)]);
    assert_eq!(h.state().text_view.find_current, Some((4, 6)));
    press(&mut h, Key::Enter);
    assert_eq!(selection(&h), (0, 0, 2), "wraps to the first");
    press_mod(&mut h, Modifiers::SHIFT, Key::Enter);
    assert_eq!(selection(&h), (1, 4, 6), "Shift+Enter steps back");
    // Escape closes the bar and its highlights.
    press(&mut h, Key::Escape);
    assert!(!h.state().find.open);
    assert!(h.state().text_view.find_hits.is_empty());
}

#[test]
fn case_option_and_regex_and_a_bad_regex_shows_its_error() {
    let mut h = harness(markup::project("Cuba and cuba, Cuban"));
    find(&mut h, "cuba");
    h.get_by_label("3 found");
    h.get_by_label("Match case").click();
    h.run();
    h.get_by_label("1 found");
    h.get_by_label("Match case").click();
    h.run();
    h.get_by_label("3 found");
    h.get_by_label("Regex").click();
    h.run();
    h.get_by_label("3 found");
    // Now make the regex bad: an open group.
    press_mod(&mut h, Modifiers::COMMAND, Key::F);
    h.event(egui::Event::Text("(".into()));
    h.run();
    h.get_by_label_contains("the regex does not compile");
    press(&mut h, Key::Enter);
    assert_eq!(h.state().find.current, None, "nothing to step to");
    assert!(h.state().text_view.find_hits.is_empty());
}

#[test]
fn tag_all_button_and_label_key_tag_every_uncovered_hit_in_one_undo_step() {
    let mut h = harness(markup::project(
        "[古巴](GPE)领导人会见古巴代表团,古巴人很高兴",
    ));
    find(&mut h, "古巴");
    h.get_by_label("3 found");
    h.get_by_label("Tag all 3").click();
    h.run();
    // The label "Tag all" offers first is the project's first (PER): none of the three is PER.
    let spans = |h: &Harness<'_, SpantagApp>, label: &str| {
        h.state().editor.project.documents[0]
            .spans
            .iter()
            .filter(|s| s.label == label && s.status == SpanStatus::Accepted)
            .count()
    };
    assert_eq!(spans(&h, "PER"), 3);
    let status = h.state().status.clone().unwrap_or_default();
    assert!(status.starts_with("Tagged 3 as PER, skipped 0"), "{status}");
    // Give the text the keyboard (the button had it), then undo.
    let pos = h
        .state()
        .text_view
        .char_screen_rect(15)
        .expect("shown")
        .center();
    click_at(&mut h, pos);
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(spans(&h, "PER"), 0, "one undo step takes all three back");
    // With the bar open and hits shown, the label key 3 (GPE) tags all: the first is GPE already.
    press(&mut h, Key::Num3);
    assert_eq!(spans(&h, "GPE"), 3);
    let status = h.state().status.clone().unwrap_or_default();
    assert!(status.starts_with("Tagged 2 as GPE, skipped 1"), "{status}");
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(spans(&h, "GPE"), 1, "one undo step");
}

#[test]
fn also_tag_the_other_occurrences_with_a_key_as_accepted_or_as_suggestions() {
    let mut h = harness(markup::project(
        "[古巴](GPE)领导人会见古巴代表团,古巴人很高兴",
    ));
    let id = h.state().editor.project.documents[0]
        .spans
        .iter()
        .next()
        .expect("one span")
        .id;
    h.state_mut().select_span(id, false);
    h.run();
    h.get_by_label("Also tag the 2 other occurrences of 古巴 as GPE (A)");
    let gpe = |h: &Harness<'_, SpantagApp>, status: SpanStatus| {
        h.state().editor.project.documents[0]
            .spans
            .iter()
            .filter(|s| s.label == "GPE" && s.status == status)
            .count()
    };
    press(&mut h, Key::A);
    assert_eq!(gpe(&h, SpanStatus::Accepted), 3);
    assert!(
        h.query_by_label_contains("Also tag the").is_none(),
        "nothing left to offer"
    );
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(gpe(&h, SpanStatus::Accepted), 1, "one undo step");
    // The preference: as suggestions to review, remembered.
    h.state_mut().select_span(id, false);
    h.run();
    h.get_by_label("as suggestions to review").click();
    h.run();
    assert!(h.state().prefs.occurrences_as_suggestions);
    h.get_by_label_contains("Also tag the 2 other").click();
    h.run();
    assert_eq!(gpe(&h, SpanStatus::Accepted), 1);
    assert_eq!(gpe(&h, SpanStatus::Suggested), 2);
}

/// A document whose spans are all suggestions: 古巴 GPE ×3 (one in document b), 习近平 PER.
fn suggestions() -> Project {
    let mut p = Project::new(
        LabelSet::news_default(),
        vec![
            Document::new("a", "a.txt", "古巴领导人习近平会见古巴代表团"),
            Document::new("b", "b.txt", "他访问了古巴"),
        ],
    );
    for (doc, start, end, label) in [
        (0, 0, 2, "GPE"),
        (0, 5, 8, "PER"),
        (0, 10, 12, "GPE"),
        (1, 4, 6, "GPE"),
    ] {
        let mut t = p.tag(doc, start, end, label);
        for edit in &mut t.edits {
            if let spantag::core::Edit::AddSpan { span, .. } = edit {
                span.status = SpanStatus::Suggested;
            }
        }
        p.apply(&t).expect("applies");
    }
    p
}

fn count(h: &Harness<'_, SpantagApp>, status: SpanStatus) -> usize {
    let p = &h.state().editor.project;
    p.documents
        .iter()
        .flat_map(|d| d.spans.iter())
        .filter(|s| s.status == status)
        .count()
}

#[test]
fn bulk_review_keys_count_first_then_decide_in_one_undo_step() {
    let mut h = harness(suggestions());
    press_mod(&mut h, Modifiers::COMMAND, Key::R);
    assert!(h.state().review.on);
    press(&mut h, Key::N);
    assert!(
        h.state().selected_span.is_some(),
        "N selects the first 古巴"
    );
    // Shift+Enter: every 古巴 GPE suggestion, in both documents; the count comes first.
    press_mod(&mut h, Modifiers::SHIFT, Key::Enter);
    h.get_by_label("Accept 3 suggestions?");
    assert_eq!(count(&h, SpanStatus::Accepted), 0, "nothing before the yes");
    press(&mut h, Key::Enter);
    assert_eq!(count(&h, SpanStatus::Accepted), 3);
    assert_eq!(count(&h, SpanStatus::Suggested), 1);
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(count(&h, SpanStatus::Suggested), 4, "one undo step");
    // Alt+Backspace: the GPE suggestions of this document; Esc says no.
    h.state_mut().show_document(0);
    let first = h.state().editor.project.documents[0]
        .spans
        .iter()
        .next()
        .expect("span")
        .id;
    h.state_mut().select_span(first, false);
    h.run();
    press_mod(&mut h, Modifiers::ALT, Key::Backspace);
    h.get_by_label("Reject 2 suggestions?");
    press(&mut h, Key::Escape);
    assert_eq!(count(&h, SpanStatus::Rejected), 0);
    press_mod(&mut h, Modifiers::ALT, Key::Backspace);
    h.get_by_label("Reject 2").click();
    h.run();
    assert_eq!(count(&h, SpanStatus::Rejected), 2);
    // Ctrl+Shift+Enter: everything still suggested in this document (习近平).
    press_mod(&mut h, Modifiers::COMMAND | Modifiers::SHIFT, Key::Enter);
    h.get_by_label("Accept 1 suggestions?");
    press(&mut h, Key::Enter);
    assert_eq!(count(&h, SpanStatus::Accepted), 1);
    assert_eq!(count(&h, SpanStatus::Suggested), 1, "document b's is left");
}

/// Run frames until the background job's result has arrived (or fail after 10 s).
fn wait_for_status(h: &mut Harness<'_, SpantagApp>, start: &str) {
    for _ in 0..1000 {
        h.run();
        if h.state()
            .status
            .as_deref()
            .is_some_and(|s| s.starts_with(start))
        {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("no \"{start}\" status: {:?}", h.state().status);
}

#[test]
fn pre_annotate_asks_the_label_of_a_list_runs_in_a_job_and_summarises_per_label() {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = dir.path().join("countries.txt");
    std::fs::write(&list, "古巴\n中国\n").expect("write");
    let rules = dir.path().join("dates.rules");
    std::fs::write(&rules, "DATE\t[0-9]+日\n").expect("write");
    let mut h = harness(markup::project("[古巴](GPE)领导人25日访问中国,中国和古巴"));
    h.state_mut().queue(spantag::ui::Command::FilesChosen {
        purpose: spantag::ui::FilePurpose::PreAnnotate,
        paths: vec![list, rules],
    });
    h.run();
    h.get_by_label("Label of the mentions");
    h.get_by_label("as GPE").click();
    wait_for_status(&mut h, "Pre-annotated");
    h.get_by_label("Pre-annotation");
    h.get_by_label_contains("GPE: 3 added, 1 covered");
    h.get_by_label_contains("DATE: 1 added");
    let suggested = |h: &Harness<'_, SpantagApp>| {
        h.state().editor.project.documents[0]
            .spans
            .iter()
            .filter(|s| s.status == SpanStatus::Suggested)
            .count()
    };
    assert_eq!(suggested(&h), 4);
    h.get_by_label("OK").click();
    h.run();
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(suggested(&h), 0, "one undo step");
}

/// A span made while the pre-annotation runs: the suggestion at the same place is dropped, as
/// the tagger's are.
#[test]
fn pre_annotations_overlapping_spans_made_while_it_ran_are_dropped() {
    let dir = tempfile::tempdir().expect("temp dir");
    let gazetteer = dir.path().join("countries.tsv");
    std::fs::write(&gazetteer, "古巴\tGPE\n").expect("write");
    let mut h = harness(markup::project("古巴领导人访问[中国](GPE)"));
    h.state_mut().selection = spantag::ui::TextSelection {
        anchor: 0,
        caret: 2,
    };
    // Both run in one frame, the pre-annotation on the snapshot taken before the tag.
    h.state_mut().queue(spantag::ui::Command::FilesChosen {
        purpose: spantag::ui::FilePurpose::PreAnnotate,
        paths: vec![gazetteer],
    });
    h.state_mut()
        .queue(spantag::ui::Command::ApplyLabel("GPE".into()));
    wait_for_status(&mut h, "Pre-annotated");
    let status = h.state().status.clone().unwrap_or_default();
    assert!(
        status.contains("0 suggestions added, 1 dropped"),
        "{status}"
    );
    let at_start: Vec<_> = h.state().editor.project.documents[0]
        .spans
        .iter()
        .filter(|s| s.start == 0)
        .map(|s| s.status)
        .collect();
    assert_eq!(at_start, [SpanStatus::Accepted], "only the user's span");
}

#[test]
fn a_bad_rules_file_is_an_error_naming_file_and_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("bad.rules");
    std::fs::write(&rules, "DATE\t[0-9]+日\nORG\t(unclosed\n").expect("write");
    let mut h = harness(markup::project("古巴领导人25日访问中国"));
    h.state_mut().queue(spantag::ui::Command::FilesChosen {
        purpose: spantag::ui::FilePurpose::PreAnnotate,
        paths: vec![rules],
    });
    for _ in 0..1000 {
        h.run();
        if h.state().dialog.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    h.get_by_label("Cannot pre-annotate");
    h.get_by_label_contains("bad.rules:2");
    assert_eq!(h.state().editor.project.span_count(), 0);
}

/// Twenty sentences with accepted GPE and PER spans, and a document without spans.
fn to_learn_from() -> Project {
    let sentence = "古巴领导人卡斯特罗会见中国代表团。";
    let n = sentence.chars().count();
    let mut p = Project::new(
        LabelSet::news_default(),
        vec![
            Document::new("a", "a.txt", sentence.repeat(20)),
            Document::new(
                "new",
                "new.txt",
                "中国领导人会见古巴代表团。卡斯特罗访问中国。",
            ),
        ],
    );
    for i in 0..20 {
        for (start, end, label) in [(0, 2, "GPE"), (5, 9, "PER"), (11, 13, "GPE")] {
            let t = p.tag(0, i * n + start, i * n + end, label);
            p.apply(&t).expect("applies");
        }
    }
    p
}

#[test]
fn train_and_suggest_runs_in_a_job_with_progress_and_applies_one_undo_step() {
    let mut h = harness(to_learn_from());
    h.state_mut().queue(spantag::ui::Command::TrainAndSuggest);
    h.run();
    assert!(h.state().assist_job.is_some(), "a job runs");
    wait_for_status(&mut h, "The tagger");
    let status = h.state().status.clone().unwrap_or_default();
    assert!(status.starts_with("The tagger suggested"), "{status}");
    let suggested: Vec<_> = h.state().editor.project.documents[1]
        .spans
        .iter()
        .filter(|s| s.status == SpanStatus::Suggested)
        .map(|s| {
            (
                s.label.to_string(),
                s.annotator.as_deref().map(str::to_owned),
            )
        })
        .collect();
    assert!(!suggested.is_empty(), "{status}");
    assert!(
        suggested.iter().all(|(_, a)| a.as_deref() == Some("model")),
        "{suggested:?}"
    );
    assert!(h.state().tagger_report.is_some(), "the held-out report");
    press_mod(&mut h, Modifiers::COMMAND, Key::Z);
    assert_eq!(
        h.state().editor.project.documents[1].spans.len(),
        0,
        "one undo step"
    );
}

#[test]
fn a_cancelled_training_changes_nothing() {
    let mut h = harness(to_learn_from());
    h.state_mut().queue(spantag::ui::Command::TrainAndSuggest);
    h.state_mut().queue(spantag::ui::Command::CancelJob);
    h.run();
    assert!(h.state().assist_job.is_none());
    assert_eq!(h.state().status.as_deref(), Some("Cancelled"));
    std::thread::sleep(std::time::Duration::from_millis(300));
    h.run();
    assert_eq!(h.state().editor.project.documents[1].spans.len(), 0);
}

/// A span made while the tagger trains: its suggestion at the same place is dropped, not added
/// on top of it.
#[test]
fn suggestions_overlapping_spans_made_while_training_are_dropped() {
    let mut h = harness(to_learn_from());
    h.state_mut().show_document(1);
    h.state_mut().selection = spantag::ui::TextSelection {
        anchor: 0,
        caret: 2,
    };
    // Both run in one frame, the training on the snapshot taken before the tag.
    h.state_mut().queue(spantag::ui::Command::TrainAndSuggest);
    h.state_mut()
        .queue(spantag::ui::Command::ApplyLabel("GPE".into()));
    wait_for_status(&mut h, "The tagger");
    let status = h.state().status.clone().unwrap_or_default();
    assert!(status.contains("1 dropped"), "{status}");
    let at_start: Vec<_> = h.state().editor.project.documents[1]
        .spans
        .iter()
        .filter(|s| s.start == 0 && s.label == "GPE")
        .map(|s| s.status)
        .collect();
    assert_eq!(at_start, [SpanStatus::Accepted], "only the user's span");
}

#[test]
fn the_also_tag_count_of_a_common_text_is_spread_over_frames_and_exact() {
    // 401 places of 古巴: more than one frame's share of hits, so the offer comes a few frames
    // after the selection, with the exact count, and the frames in between stay short.
    let text = format!("[古巴](GPE)，{}", "古巴，".repeat(400));
    let mut h = harness(markup::project(&text));
    let id = h.state().editor.project.documents[0]
        .spans
        .iter()
        .next()
        .expect("a span")
        .id;
    h.state_mut().selected_span = Some(id);
    h.step();
    assert!(
        h.state().other_occurrences.is_none(),
        "counted in one frame"
    );
    assert!(h.state().occurrence_count.is_some(), "no count under way");
    h.run();
    let other = h.state().other_occurrences.clone().expect("counted");
    assert_eq!((other.span, other.count), (id, 400));
    assert!(h.state().occurrence_count.is_none());
}
