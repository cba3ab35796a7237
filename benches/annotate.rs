//! Assisted annotation on the whole novel: pre-annotating `sanguo-full.txt` (600k characters)
//! with every entry of `sanguo-entities.tsv`, and "tag all" of one name. Run with
//! `cargo bench --bench annotate` (add `--no-default-features` to skip building the window);
//! figures in the README.
//!
//! The machine this runs on is often shared with compilers, so besides the usual wall-clock
//! times, `annotate_novel_cpu` measures the same work in CPU time of the benchmark's thread
//! (Linux `/proc/thread-self/schedstat`; skipped elsewhere): time spent waiting for a core
//! does not count there.
//!
//! The files are read from `../shared/corpus/` (or `$SPANTAG_NOVEL` and `$SPANTAG_GAZETTEER`);
//! when either is missing the benchmarks are skipped with a message.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use spantag::core::assist::{self, Gazetteer, Query, Scope, Sources, TagOptions};
use spantag::core::{Document, LabelSet, Project};

fn corpus_file(variable: &str, default: &str) -> PathBuf {
    std::env::var_os(variable).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(default),
        PathBuf::from,
    )
}

/// The novel's text and the gazetteer's, or why they cannot be read.
fn corpus() -> Result<(String, String), String> {
    let novel = corpus_file("SPANTAG_NOVEL", "../shared/corpus/sanguo-full.txt");
    let gazetteer = corpus_file(
        "SPANTAG_GAZETTEER",
        "../shared/corpus/gazetteers/sanguo-entities.tsv",
    );
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    Ok((read(&novel)?, read(&gazetteer)?))
}

fn novel_project(text: &str) -> Project {
    Project::new(
        LabelSet::news_default(),
        vec![Document::new("sanguo", "sanguo-full.txt", text)],
    )
}

fn annotate(c: &mut Criterion) {
    let (novel, entities) = match corpus() {
        Ok(files) => files,
        Err(why) => {
            eprintln!(
                "skipping the annotate benchmarks: {why} (set SPANTAG_NOVEL / SPANTAG_GAZETTEER)"
            );
            return;
        }
    };
    let load = |text: &str| {
        let mut gazetteer = Gazetteer::default();
        gazetteer
            .add_file("sanguo-entities.tsv", text, None)
            .expect("the gazetteer loads");
        gazetteer
    };
    let sources = Sources {
        gazetteer: load(&entities),
        ..Sources::default()
    };
    let project = novel_project(&novel);
    let twice = novel_project(&novel.repeat(2));

    let mut group = c.benchmark_group("annotate_novel");
    group.sample_size(20);
    group.bench_function("read_gazetteer_tsv", |b| {
        b.iter(|| load(black_box(&entities)))
    });
    // Build the automaton, match, and build the transaction: what happens before apply.
    group.bench_function("gazetteer_plan", |b| {
        b.iter(|| assist::annotate(black_box(&project), &sources).expect("annotates"))
    });
    group.bench_function("gazetteer_plan_novel_twice", |b| {
        b.iter(|| assist::annotate(black_box(&twice), &sources).expect("annotates"))
    });
    let plan = assist::annotate(&project, &sources).expect("annotates");
    eprintln!(
        "annotate_novel: {} suggestions in {} characters",
        plan.added(),
        project.documents[0].document.char_len()
    );
    group.bench_function("apply_suggestions", |b| {
        b.iter_batched(
            || project.clone(),
            |mut p| {
                p.apply(black_box(&plan.transaction)).expect("applies");
                p
            },
            BatchSize::LargeInput,
        )
    });
    // "Tag all" of the most frequent name: find it everywhere, plan one transaction.
    group.bench_function("find_and_tag_all_xuande", |b| {
        b.iter(|| {
            let hits =
                assist::find(&project, &Query::text("玄德"), &Scope::Project).expect("finds");
            assist::tag_hits(&project, &hits, "PER", &TagOptions::default())
        })
    });
    group.finish();

    if thread_cpu_ns().is_none() {
        eprintln!("skipping annotate_novel_cpu: no /proc/thread-self/schedstat");
        return;
    }
    let mut cpu = c.benchmark_group("annotate_novel_cpu");
    cpu.sample_size(20);
    for (name, project) in [
        ("gazetteer_plan", &project),
        ("gazetteer_plan_novel_twice", &twice),
    ] {
        cpu.bench_function(name, |b| {
            b.iter_custom(|iters| {
                cpu_time(|| {
                    for _ in 0..iters {
                        black_box(
                            assist::annotate(black_box(project), &sources).expect("annotates"),
                        );
                    }
                })
            })
        });
    }
    cpu.finish();
}

/// Nanoseconds the current thread has spent running on a CPU.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// The CPU time of the current thread that `work` takes.
fn cpu_time(work: impl FnOnce()) -> Duration {
    let before = thread_cpu_ns().unwrap_or(0);
    work();
    let after = thread_cpu_ns().unwrap_or(0);
    Duration::from_nanos(after.saturating_sub(before))
}

criterion_group!(benches, annotate);
criterion_main!(benches);
