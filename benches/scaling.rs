//! How the core's operations grow with the number of spans: the novel with 25,000, 50,000 and
//! 100,000 spans (and one whole-document span), each operation at each size. Every doubling of
//! the spans should cost at most 2.3 times the time; after the runs the medians and their
//! doubling ratios are printed as a table.
//!
//! `nice -n 19 cargo bench --no-default-features --bench scaling -- --warm-up-time 1
//! --measurement-time 3`. The novel is read from `$SPANTAG_NOVEL`, else
//! `../shared/corpus/sanguo-full.txt`, else its 120 chapters in `../shared/corpus/sanguo/`
//! joined (the corpus may also be at `../../shared/corpus`, beside a folder of worktrees);
//! without any of them the bench says so and measures nothing.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{BenchmarkId, Criterion};
use spantag::core::span::longest_first;
use spantag::core::{
    AnnotatedDocument, Document, Editor, LabelSet, Project, Span, SpanId, SpanIndex, project_file,
};

const SIZES: [usize; 3] = [25_000, 50_000, 100_000];
const LABELS: [&str; 4] = ["PER", "ORG", "GPE", "LOC"];
/// The growth the issue allows per doubling of the spans.
const MAX_RATIO: f64 = 2.3;

/// The shared corpus: beside the repository (`../shared/corpus`), or beside the folder of
/// worktrees it is checked out in (`../../shared/corpus`).
fn corpus() -> PathBuf {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared/corpus", "../../shared/corpus"]
        .iter()
        .map(|relative| repository.join(relative))
        .find(|dir| dir.join("sanguo").is_dir() || dir.join("sanguo-full.txt").is_file())
        .unwrap_or_else(|| repository.join("../shared/corpus"))
}

/// The novel, or `None` (with the reason) when it is not on this machine.
fn novel() -> Result<String, String> {
    let full = std::env::var_os("SPANTAG_NOVEL")
        .map_or_else(|| corpus().join("sanguo-full.txt"), PathBuf::from);
    if let Ok(text) = std::fs::read_to_string(&full) {
        return Ok(text);
    }
    let chapters = corpus().join("sanguo");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&chapters)
        .map_err(|e| {
            format!(
                "no novel at {} nor chapters at {}: {e}",
                full.display(),
                chapters.display()
            )
        })?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    let mut text = String::new();
    for path in &paths {
        text.push_str(
            &std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
        );
    }
    if text.is_empty() {
        return Err(format!("no chapters in {}", chapters.display()));
    }
    Ok(text)
}

/// The novel as one document with `n` spans spread through it: lengths 2 to 8 (so neighbours
/// overlap), four labels in turn, and one span over the whole text.
fn novel_project(text: &str, n: usize) -> Project {
    let document = Document::new("sanguo", "sanguo.txt", text);
    let len = document.char_len();
    let step = len / n;
    let mut spans: Vec<Span> = (0..n - 1)
        .map(|i| {
            let start = i * step;
            let end = (start + 2 + i % 7).min(len);
            Span::new(SpanId(i as u64 + 1), start, end, LABELS[i % LABELS.len()])
        })
        .collect();
    spans.push(Span::new(SpanId(n as u64), 0, len, "LOC"));
    Project::from_parts(
        LabelSet::news_default(),
        vec![AnnotatedDocument::new(document, SpanIndex::new(spans))],
    )
}

fn scaling(c: &mut Criterion, text: &str) {
    let projects: Vec<(usize, Project)> =
        SIZES.iter().map(|&n| (n, novel_project(text, n))).collect();

    let mut group = c.benchmark_group("longest_first");
    for (n, project) in &projects {
        let refs: Vec<&Span> = project.documents[0].spans.iter().collect();
        group.bench_with_input(BenchmarkId::from_parameter(n), &refs, |b, refs| {
            b.iter(|| longest_first(black_box(refs)).kept.len())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("rename_label_and_undo");
    for (n, project) in &projects {
        let mut editor = Editor::new(project.clone());
        let mut renamed = editor.project.labels.at(0).cloned().expect("PER");
        renamed.name = "PERSON".into();
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                let t = editor.project.edit_label(0, renamed.clone());
                editor.execute(t).expect("rename");
                editor.undo().expect("undo")
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("delete_every_tenth_span_and_undo");
    for (n, project) in &projects {
        let mut editor = Editor::new(project.clone());
        let ids: Vec<SpanId> = editor.project.documents[0]
            .spans
            .iter()
            .step_by(10)
            .map(|s| s.id)
            .collect();
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                let t = editor.project.remove_spans(0, &ids);
                editor.execute(t).expect("delete");
                editor.undo().expect("undo")
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("tag_and_undo");
    for (n, project) in &projects {
        let mut editor = Editor::new(project.clone());
        let middle = editor.project.documents[0].document.char_len() / 2;
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                // No span is one character long: the tag is always new.
                let t = editor.project.tag(0, middle, middle + 1, "ORG");
                editor.execute(t).expect("tag");
                editor.undo().expect("undo")
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("visible_range_query");
    for (n, project) in &projects {
        let spans = &project.documents[0].spans;
        let middle = project.documents[0].document.char_len() / 2;
        // About one screen of the novel.
        let (from, to) = (middle, middle + 2_000);
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| spans.overlapping(black_box(from), black_box(to)).count())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("to_json");
    group.sample_size(10);
    for (n, project) in &projects {
        group.bench_with_input(BenchmarkId::from_parameter(n), project, |b, project| {
            b.iter(|| project_file::to_json(project).expect("serialisable").len())
        });
    }
    group.finish();

    let mut group = c.benchmark_group("save");
    group.sample_size(10);
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (n, project) in &projects {
        let path = dir.path().join(format!("{n}.json"));
        group.bench_with_input(BenchmarkId::from_parameter(n), project, |b, project| {
            b.iter(|| project_file::save(project, &path).expect("saved"))
        });
    }
    group.finish();
}

/// Criterion's median for one benchmark, in nanoseconds, from the estimates it just wrote.
fn median_ns(group: &str, n: usize) -> Option<f64> {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    let path = target
        .join("criterion")
        .join(group)
        .join(n.to_string())
        .join("new/estimates.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn show(ns: f64) -> String {
    match ns {
        ns if ns >= 1e9 => format!("{:.2} s", ns / 1e9),
        ns if ns >= 1e6 => format!("{:.2} ms", ns / 1e6),
        ns if ns >= 1e3 => format!("{:.1} µs", ns / 1e3),
        ns => format!("{ns:.0} ns"),
    }
}

/// The medians per size and the ratio of each doubling, flagged when above [`MAX_RATIO`].
fn print_ratios() {
    let groups = [
        "longest_first",
        "rename_label_and_undo",
        "delete_every_tenth_span_and_undo",
        "tag_and_undo",
        "visible_range_query",
        "to_json",
        "save",
    ];
    println!("\n| operation | 25k | 50k | 100k | 50k/25k | 100k/50k |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for group in groups {
        let medians: Vec<Option<f64>> = SIZES.iter().map(|&n| median_ns(group, n)).collect();
        let Some(all) = medians.iter().copied().collect::<Option<Vec<f64>>>() else {
            continue;
        };
        let ratio = |a: f64, b: f64| {
            let r = b / a;
            let flag = if r > MAX_RATIO { " (over 2.3)" } else { "" };
            format!("{r:.2}x{flag}")
        };
        println!(
            "| {group} | {} | {} | {} | {} | {} |",
            show(all[0]),
            show(all[1]),
            show(all[2]),
            ratio(all[0], all[1]),
            ratio(all[1], all[2])
        );
    }
}

fn main() {
    let text = match novel() {
        Ok(text) => text,
        Err(why) => {
            eprintln!("scaling bench skipped: {why} (set SPANTAG_NOVEL to the novel's path)");
            return;
        }
    };
    let mut c = Criterion::default().configure_from_args();
    scaling(&mut c, &text);
    c.final_summary();
    print_ratios();
}
