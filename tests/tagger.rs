//! The tagger that learns from accepted spans: training, held-out evaluation, model files,
//! suggestions, and `spantag suggest`, on small made-up data.

mod common;

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use common::{s, spantag, stderr, stdout};
use spantag::core::tagger::{self, Corpus, Model, TrainError, TrainOptions};
use spantag::core::{Document, LabelSet, Project, SpanStatus, markup, project_file};

const PEOPLE: [&str; 10] = [
    "刘备",
    "关羽",
    "张飞",
    "曹操",
    "孙权",
    "诸葛亮",
    "赵云",
    "吕布",
    "周瑜",
    "马超",
];
const PLACES: [&str; 8] = [
    "荆州", "许昌", "成都", "洛阳", "长安", "江东", "徐州", "益州",
];

/// Sentence `i` of a made-up corpus, in markup.
fn sentence(i: usize) -> String {
    let p = PEOPLE[i % PEOPLE.len()];
    let q = PEOPLE[(i * 7 + 3) % PEOPLE.len()];
    let l = PLACES[(i * 3 + 1) % PLACES.len()];
    match i % 5 {
        0 => format!("[{p}](PER)来到[{l}](LOC)。"),
        1 => format!("[{p}](PER)说[{l}](LOC)很远，不想去。"),
        2 => format!("在[{l}](LOC)，[{p}](PER)见到了[{q}](PER)。"),
        3 => format!("[{p}](PER)和[{q}](PER)一起离开了[{l}](LOC)！"),
        _ => format!("天下大乱，百姓苦不堪言，[{p}](PER)叹了口气。"),
    }
}

/// `docs` documents of `per_doc` sentences each, every span accepted.
fn project(docs: usize, per_doc: usize, first: usize) -> Project {
    let mut documents = Vec::new();
    let mut spans = Vec::new();
    for d in 0..docs {
        let markup: String = (0..per_doc)
            .map(|k| sentence(first + d * per_doc + k))
            .collect::<Vec<_>>()
            .join("\n");
        let (text, doc_spans) = markup::parse(&markup);
        documents.push(Document::new(format!("d{d}"), format!("d{d}.txt"), text));
        spans.push(doc_spans);
    }
    let mut project = Project::new(LabelSet::from_names(&["PER", "LOC"]), documents);
    for (d, doc_spans) in spans.into_iter().enumerate() {
        for (start, end, label) in doc_spans {
            let t = project.tag(d, start, end, &label);
            project.apply(&t).expect("valid span");
        }
    }
    project
}

fn quick() -> TrainOptions {
    TrainOptions {
        epochs: 5,
        ..TrainOptions::default()
    }
}

fn trained(project: &Project) -> Model {
    let corpus = Corpus::from_projects(&[project]);
    tagger::train(&corpus, &quick(), &AtomicBool::new(false), &|_| {}).expect("train")
}

/// (text, label) of the spans the model finds in `text`.
fn found(model: &Model, text: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    tagger::suggest::tag_text(model, text)
        .into_iter()
        .map(|(s, e, l)| {
            (
                chars[s..e].iter().collect(),
                model.labels()[usize::from(l)].clone(),
            )
        })
        .collect()
}

fn pair(text: &str, label: &str) -> (String, String) {
    (text.to_owned(), label.to_owned())
}

#[test]
fn a_model_learns_the_entities_and_finds_them_in_new_text_with_any_spacing() {
    let model = trained(&project(20, 10, 0));
    assert_eq!(model.labels(), ["PER", "LOC"]);
    // A sentence none of the training sentences has, then the same as a CoNLL import
    // rebuilds Latin tokens (spaces around them), split by a line break.
    assert_eq!(
        found(&model, "赵云来到成都。"),
        [pair("赵云", "PER"), pair("成都", "LOC")]
    );
    assert_eq!(
        found(&model, "在 2 洛阳，关羽见到了 曹操\n周瑜来到长安！"),
        [
            pair("洛阳", "LOC"),
            pair("关羽", "PER"),
            pair("曹操", "PER"),
            pair("周瑜", "PER"),
            pair("长安", "LOC"),
        ]
    );
}

#[test]
fn held_out_evaluation_scores_the_model_per_label_and_in_all() {
    let corpus = Corpus::from_projects(&[&project(20, 10, 0)]);
    let (model, evaluation) =
        tagger::train_and_evaluate(&corpus, &quick(), &AtomicBool::new(false), &|_| {})
            .expect("train");
    let evaluation = evaluation.expect("20 documents: 2 are held out");
    assert_eq!(evaluation.held_out, Some(tagger::HeldOut::Documents(2)));
    assert_eq!(evaluation.test_sentences, 20);
    assert_eq!(evaluation.train_sentences, 180);
    let labels: Vec<&str> = evaluation
        .per_label
        .iter()
        .map(|l| l.label.as_str())
        .collect();
    assert_eq!(labels, ["PER", "LOC"]);
    let micro = &evaluation.micro;
    // 20 held-out sentences: 4 of each of the 5 shapes, with 2, 2, 3, 3 and 1 entities.
    assert_eq!(micro.gold, 44);
    assert!(micro.f1() > 0.95, "{evaluation}");
    // The model for suggestions learnt from everything, the held-out documents included.
    assert_eq!(model.labels(), ["PER", "LOC"]);
    // A model that learnt nothing useful scores what it is: evaluate an untrained-like model on
    // another label set and nothing matches.
    let other = Corpus::from_projects(&[&markup::project("[刘备](ORG)来了。")]);
    let scored = tagger::evaluate(&model, &other);
    assert_eq!(scored.micro.correct, 0);
    assert_eq!(scored.micro.gold, 1);
    assert!(
        scored
            .per_label
            .iter()
            .any(|l| l.label == "ORG" && l.gold == 1)
    );
}

#[test]
fn few_documents_hold_out_sentences_instead() {
    let corpus = Corpus::from_projects(&[&project(2, 50, 0)]);
    let (_, _, held_out) = corpus.held_out_split().expect("100 sentences");
    assert_eq!(held_out, tagger::HeldOut::Sentences(10));
    let tiny = Corpus::from_projects(&[&project(1, 5, 0)]);
    assert!(tiny.held_out_split().is_none());
}

#[test]
fn training_reports_progress_and_stops_when_cancelled() {
    let corpus = Corpus::from_projects(&[&project(10, 10, 0)]);
    let seen = Mutex::new(Vec::new());
    tagger::train(&corpus, &quick(), &AtomicBool::new(false), &|p| {
        seen.lock().expect("lock").push(p)
    })
    .expect("train");
    let seen = seen.into_inner().expect("lock");
    let last = seen.last().expect("progress reported");
    assert_eq!((last.done, last.total), (500, 500));
    assert!(seen.windows(2).all(|w| w[0].done < w[1].done));
    let cancelled = tagger::train(&corpus, &quick(), &AtomicBool::new(true), &|_| {});
    assert_eq!(cancelled.err(), Some(TrainError::Cancelled));
    let nothing = Corpus::from_projects(&[&markup::project("没有标注。")]);
    let empty = tagger::train(&nothing, &quick(), &AtomicBool::new(false), &|_| {});
    assert_eq!(empty.err(), Some(TrainError::NoSpans));
}

#[test]
fn a_saved_model_tags_the_same_and_a_bad_file_is_a_clear_error() {
    let model = trained(&project(10, 10, 0));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("m.tagger");
    model.save(&path).expect("save");
    let loaded = Model::load(&path).expect("load");
    let text = "在许昌，孙权见到了吕布。马超和张飞一起离开了徐州！";
    assert_eq!(found(&loaded, text), found(&model, text));
    assert!(!found(&model, text).is_empty());

    let bytes = std::fs::read(&path).expect("read");
    let bad = |bytes: &[u8], expected: &str| {
        std::fs::write(&path, bytes).expect("write");
        let error = Model::load(&path).expect_err("a bad model file");
        let message = error.to_string();
        assert!(message.contains(expected), "{message}");
        assert!(message.ends_with(s(&path)), "{message}");
    };
    bad(b"{\"not\": \"a model\"}", "not a Spantag tagger model");
    bad(&bytes[..bytes.len() - 3], "truncated or damaged");
    let mut newer = bytes.clone();
    newer[16..20].copy_from_slice(&3u32.to_le_bytes());
    bad(&newer, "model file version 3");
    bad(&bytes[..40], "header");
}

#[test]
fn suggestions_skip_places_taken_by_the_same_label_or_decided_by_the_user() {
    let model = trained(&project(10, 10, 0));
    // 关羽 accepted as PER already; 成都 rejected as LOC by the user; 曹操 accepted as LOC
    // (the user decided what it is); 洛阳 and 刘备 are free.
    let mut target =
        markup::project("[关羽](PER)来到[成都](LOC)。[曹操](LOC)和刘备一起离开了洛阳！");
    let rejected = {
        let doc = &target.documents[0];
        let mut span = doc
            .spans
            .iter()
            .find(|s| s.label == "LOC")
            .expect("LOC")
            .clone();
        span.status = SpanStatus::Rejected;
        target.change_span("reject", 0, span)
    };
    target.apply(&rejected).expect("reject");
    let before = target.span_count();
    let suggestions = tagger::suggest(&model, &target);
    assert_eq!(suggestions.skipped, 3, "关羽, 成都 and 曹操 are taken");
    assert_eq!(suggestions.total(), 2);
    target.apply(&suggestions.transaction).expect("apply");
    let doc = &target.documents[0];
    let suggested: Vec<(String, String, Option<String>)> = doc
        .spans
        .iter()
        .filter(|s| s.status == SpanStatus::Suggested)
        .map(|s| {
            (
                doc.document.slice(s.start, s.end).to_owned(),
                s.label.to_string(),
                s.annotator.as_deref().map(str::to_owned),
            )
        })
        .collect();
    let model_name = Some("model".to_owned());
    assert_eq!(
        suggested,
        [
            ("刘备".to_owned(), "PER".to_owned(), model_name.clone()),
            ("洛阳".to_owned(), "LOC".to_owned(), model_name),
        ]
    );
    // One transaction: undoing it leaves the project as it was.
    let mut editor = spantag::core::Editor::new(markup::project("刘备来到洛阳。"));
    let suggestions = tagger::suggest(&model, &editor.project);
    editor.execute(suggestions.transaction).expect("execute");
    assert_eq!(editor.project.span_count(), 2);
    editor.undo().expect("undo");
    assert_eq!(editor.project.span_count(), 0);
    assert!(before < target.span_count());
}

#[test]
fn documents_marked_done_get_no_suggestions() {
    let model = trained(&project(10, 10, 0));
    let mut target = Project::new(
        LabelSet::from_names(&["PER", "LOC"]),
        vec![
            Document::new("a", "a.txt", "诸葛亮来到益州。"),
            Document::new("b", "b.txt", "诸葛亮来到益州。"),
        ],
    );
    let done = target.mark_done(&[0], true);
    target.apply(&done).expect("mark done");
    let suggestions = tagger::suggest(&model, &target);
    assert_eq!(suggestions.documents_done, 1);
    target.apply(&suggestions.transaction).expect("apply");
    assert_eq!(
        target.documents[0].spans.len(),
        0,
        "the done document is left alone"
    );
    assert_eq!(target.documents[1].spans.len(), 2);
}

#[test]
fn suggest_adds_the_labels_the_project_lacks() {
    let model = trained(&project(10, 10, 0));
    let mut target = Project::new(
        LabelSet::from_names(&["ORG"]),
        vec![Document::new("t", "t.txt", "诸葛亮来到益州。")],
    );
    let suggestions = tagger::suggest(&model, &target);
    target.apply(&suggestions.transaction).expect("apply");
    let names: Vec<&str> = target.labels.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["ORG", "PER", "LOC"]);
    assert_eq!(target.span_count(), 2);
}

// ---- spantag suggest -----------------------------------------------------------------------

fn write_project(project: &Project, path: &Path) {
    project_file::save(project, path).expect("save");
}

#[test]
fn suggest_trains_reports_saves_the_model_and_writes_suggestions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    write_project(&project(10, 10, 0), &a);
    write_project(&project(10, 10, 100), &b);
    let target = dir.path().join("p.json");
    write_project(
        &markup::project("赵云来到成都。关羽和孙权一起离开了江东！"),
        &target,
    );
    let out = dir.path().join("out.json");
    let model = dir.path().join("m.tagger");
    let o = spantag(&[
        "suggest",
        "--train",
        s(&a),
        s(&b),
        "--apply",
        s(&target),
        "-o",
        s(&out),
        "--save-model",
        s(&model),
        "--epochs",
        "4",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report = stdout(&o);
    assert!(
        report.contains("held out the last 2 documents (10%)"),
        "{report}"
    );
    assert!(report.contains("precision") && report.contains("PER") && report.contains("all"));
    assert!(
        report.contains("5 suggestions added (LOC 2, PER 3)"),
        "{report}"
    );
    let written = project_file::load(&out).expect("a valid project");
    assert!(
        written.documents[0]
            .spans
            .iter()
            .all(|s| s.status == SpanStatus::Suggested && s.annotator.as_deref() == Some("model"))
    );

    // Refuses to overwrite; --model uses the saved model without training.
    let o = spantag(&[
        "suggest",
        "--model",
        s(&model),
        "--apply",
        s(&target),
        "-o",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("already exists; pass --force"),
        "{}",
        stderr(&o)
    );
    let o = spantag(&[
        "suggest",
        "--model",
        s(&model),
        "--apply",
        s(&target),
        "-o",
        s(&out),
        "--force",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("5 suggestions added"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("precision"));

    // A bad model file names itself.
    std::fs::write(&model, "not a model").expect("write");
    let o = spantag(&[
        "suggest",
        "--model",
        s(&model),
        "--apply",
        s(&target),
        "-o",
        s(&out),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not a Spantag tagger model") && stderr(&o).contains(s(&model)),
        "{}",
        stderr(&o)
    );
}

#[test]
fn suggest_learns_only_from_accepted_spans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut only_suggested = project(2, 10, 0);
    for d in 0..only_suggested.documents.len() {
        for span in only_suggested.documents[d]
            .spans
            .iter()
            .cloned()
            .collect::<Vec<_>>()
        {
            let mut after = span;
            after.status = SpanStatus::Suggested;
            let t = only_suggested.change_span("suggest", d, after);
            only_suggested.apply(&t).expect("change");
        }
    }
    let a = dir.path().join("a.json");
    write_project(&only_suggested, &a);
    let out = dir.path().join("out.json");
    let o = spantag(&["suggest", "--train", s(&a), "--apply", s(&a), "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("no accepted spans to learn from"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

/// A project whose names can be told from other two-character words only by the context
/// `来到` or by the dictionary: after `也在`, names (from a fixed list, tagged) and other words
/// (untagged) stand alike.
fn names_known_by_context_or_dictionary() -> Project {
    let pool: Vec<char> = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉".chars().collect();
    let word =
        |k: usize| -> String { [pool[k % 20], pool[(k / 20 + 3 * k) % 20]].iter().collect() };
    let mut markup = Vec::new();
    for i in 0..400 {
        let named = word(i % 30);
        let other = word(100 + i % 30);
        let unique = word(200 + i);
        markup.push(match i % 3 {
            0 => format!("[{unique}](PER)来到荆州。"),
            1 => format!("[{named}](PER)也在。"),
            _ => format!("{other}也在。"),
        });
    }
    markup::project(&markup.join("\n"))
}

#[test]
fn a_name_found_in_one_sentence_is_found_in_the_others_of_the_text() {
    let model = trained(&names_known_by_context_or_dictionary());
    // 庞统 is in no training sentence: its context finds it in the first sentence only.
    assert_eq!(found(&model, "庞统来到荆州。"), [pair("庞统", "PER")]);
    assert_eq!(found(&model, "庞统也在。"), []);
    // Tagged together, the second pass knows it from the first.
    assert_eq!(
        found(&model, "庞统来到荆州。庞统也在。"),
        [pair("庞统", "PER"), pair("庞统", "PER")]
    );
    // So are the documents of a project: the name found in the first is found in the second.
    let found = tagger::suggest::tag_texts(&model, &["庞统来到荆州。", "庞统也在。"]);
    assert_eq!(found, [vec![(0, 2, 0)], vec![(0, 2, 0)]]);
}
