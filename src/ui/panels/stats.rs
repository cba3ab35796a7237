//! The statistics window: spans per label, per annotator, per document, and review progress, as
//! bar charts. The figures are `spantag stats --json`'s, from the same core function, computed
//! once per edit (see `derived.rs`), not per frame.

use eframe::egui::{self, Color32};
use egui_plot::{Bar, BarChart, Plot};

use crate::core::Project;
use crate::core::stats::Stats;
use crate::core::tagger::Evaluation;
use crate::ui::command::{Command, CommandSender};

/// One horizontal bar chart of `(name, count, colour)`, the largest at the top.
fn bars(ui: &mut egui::Ui, id: &str, rows: &[(String, usize, Color32)]) {
    let n = rows.len();
    let chart_bars: Vec<Bar> = rows
        .iter()
        .enumerate()
        .map(|(i, (name, count, color))| {
            Bar::new((n - 1 - i) as f64, *count as f64)
                .name(format!("{name}: {count}"))
                .fill(*color)
                .width(0.7)
        })
        .collect();
    let names: Vec<String> = rows.iter().map(|(name, _, _)| name.clone()).collect();
    let height = (24.0 * n as f32).clamp(60.0, 320.0);
    Plot::new(id)
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show_grid([true, false])
        .include_x(0.0)
        .y_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() > 1e-6 || i < 0.0 || i as usize >= names.len() {
                return String::new();
            }
            names[names.len() - 1 - i as usize].clone()
        })
        .show(ui, |plot| {
            plot.bar_chart(BarChart::new(id, chart_bars).horizontal());
        });
}

pub fn window(
    ctx: &egui::Context,
    project: &Project,
    stats: &Stats,
    tagger: Option<&Evaluation>,
    tx: &CommandSender,
) {
    let label_color = |name: &str| {
        project.labels.get(name).map_or(Color32::GRAY, |l| {
            Color32::from_rgb(l.color.0, l.color.1, l.color.2)
        })
    };
    let per_label: Vec<_> = project
        .labels
        .iter()
        .map(|l| {
            let count = stats.per_label.get(&l.name).copied().unwrap_or(0);
            (l.name.clone(), count, label_color(&l.name))
        })
        .collect();
    let mut per_annotator: Vec<_> = stats
        .per_annotator
        .iter()
        .map(|(name, count)| (name.clone(), *count, Color32::from_rgb(90, 120, 200)))
        .collect();
    per_annotator.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut per_document: Vec<_> = stats
        .per_document
        .iter()
        .map(|d| (d.id.clone(), d.spans, Color32::from_rgb(120, 160, 120)))
        .collect();
    per_document.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    per_document.truncate(20);
    let review = [
        (
            "accepted".to_owned(),
            stats.review.accepted,
            Color32::from_rgb(60, 170, 90),
        ),
        (
            "suggested".to_owned(),
            stats.review.suggested,
            Color32::from_rgb(230, 170, 40),
        ),
        ("rejected".to_owned(), stats.review.rejected, Color32::GRAY),
    ];
    let mut open = true;
    egui::Window::new("Statistics")
        .open(&mut open)
        .default_width(460.0)
        .default_height(640.0)
        .vscroll(true)
        .show(ctx, |ui| {
            ui.label(format!(
                "{} documents, {} characters, {} spans; {:.0}% reviewed",
                stats.documents,
                stats.characters,
                stats.spans,
                stats.review.reviewed_share * 100.0
            ));
            ui.heading("Spans per label");
            bars(ui, "spantag_stats_labels", &per_label);
            ui.heading("Spans per annotator");
            bars(ui, "spantag_stats_annotators", &per_annotator);
            ui.heading(if stats.per_document.len() > 20 {
                "Spans per document (the 20 with most)"
            } else {
                "Spans per document"
            });
            bars(ui, "spantag_stats_documents", &per_document);
            ui.heading("Review");
            bars(ui, "spantag_stats_review", &review);
            if let Some(evaluation) = tagger {
                tagger_report(ui, evaluation);
            }
        });
    if !open {
        tx.send(Command::ToggleStatistics);
    }
}

/// The tagger's last held-out report: precision, recall and F1 per label.
fn tagger_report(ui: &mut egui::Ui, evaluation: &Evaluation) {
    ui.heading("Tagger (held-out spans)");
    let held_out = evaluation
        .held_out
        .map(|h| format!("held out: {h}; "))
        .unwrap_or_default();
    ui.label(format!(
        "{held_out}trained on {} sentences, tested on {}",
        evaluation.train_sentences, evaluation.test_sentences
    ));
    egui::Grid::new("spantag_stats_tagger")
        .num_columns(5)
        .striped(true)
        .show(ui, |ui| {
            for heading in ["label", "spans", "precision", "recall", "F1"] {
                ui.strong(heading);
            }
            ui.end_row();
            for score in evaluation.per_label.iter().chain([&evaluation.micro]) {
                let name = if std::ptr::eq(score, &evaluation.micro) {
                    "all"
                } else {
                    score.label.as_str()
                };
                ui.label(name);
                ui.label(score.gold.to_string());
                ui.label(format!("{:.3}", score.precision()));
                ui.label(format!("{:.3}", score.recall()));
                ui.label(format!("{:.3}", score.f1()));
                ui.end_row();
            }
        });
}
