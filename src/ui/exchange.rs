//! File › Export and File › Import: the formats of `crate::core::formats` behind native
//! dialogs. The CLI does the same through `spantag export` / `spantag import`.

use std::path::{Path, PathBuf};

use eframe::egui;

use super::app::{AfterConfirm, Dialog, SpantagApp};
use crate::core::formats::{self, ExportOptions, Format, ImportOptions, Scheme, Tokens};

/// The options form shown before exporting to a token format.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportForm {
    pub format: Format,
    pub bioes: bool,
    pub word_tokens: bool,
    pub strict: bool,
}

pub fn menu(app: &mut SpantagApp, ui: &mut egui::Ui) {
    ui.menu_button("Export", |ui| {
        for format in Format::ALL.into_iter().filter(|f| f.can_export()) {
            if ui.button(format_title(format)).clicked() {
                if matches!(format, Format::Conll | Format::Hf) {
                    app.export_form = Some(ExportForm {
                        format,
                        bioes: false,
                        word_tokens: false,
                        strict: false,
                    });
                } else {
                    app.pick_export_target(format, ExportOptions::default());
                }
            }
        }
    });
    ui.menu_button("Import", |ui| {
        for format in Format::ALL.into_iter().filter(|f| f.can_import()) {
            if ui.button(format_title(format)).clicked() {
                app.confirm_then_import(format);
            }
        }
    });
}

pub fn format_title(format: Format) -> &'static str {
    match format {
        Format::Text => "Text files (.txt)…",
        Format::Doccano => "doccano JSONL…",
        Format::Conll => "CoNLL (BIO / BIOES)…",
        Format::Hf => "Hugging Face token classification…",
        Format::Spacy => "spaCy JSONL…",
        Format::Brat => "brat standoff…",
        Format::LabelStudio => "Label Studio JSON…",
        Format::Docbin => "spaCy DocBin (.spacy)…",
    }
}

/// The options form for CoNLL and Hugging Face exports.
pub fn export_form(app: &mut SpantagApp, ctx: &egui::Context) {
    let Some(mut form) = app.export_form.take() else {
        return;
    };
    let mut keep = true;
    let mut go = false;
    egui::Modal::new(egui::Id::unique("spantag_export_form")).show(ctx, |ui| {
        ui.heading(format!(
            "Export to {}",
            format_title(form.format).trim_end_matches('…')
        ));
        ui.checkbox(&mut form.bioes, "BIOES tags (default: BIO, i.e. IOB2)");
        ui.checkbox(
            &mut form.word_tokens,
            "Word tokens for Latin text (default: one token per character)",
        );
        ui.checkbox(
            &mut form.strict,
            "Fail on spans the tags cannot express (default: leave them out and list them)",
        );
        ui.horizontal(|ui| {
            if ui.button("Export…").clicked() {
                go = true;
            }
            if ui.button("Cancel").clicked() {
                keep = false;
            }
        });
    });
    if go {
        let options = ExportOptions {
            scheme: if form.bioes {
                Scheme::Bioes
            } else {
                Scheme::Bio
            },
            tokens: if form.word_tokens {
                Tokens::Word
            } else {
                Tokens::Char
            },
            strict: form.strict,
            ..Default::default()
        };
        app.pick_export_target(form.format, options);
    } else if keep {
        app.export_form = Some(form);
    }
}

impl SpantagApp {
    fn project_stem(&self) -> String {
        self.path
            .as_ref()
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "project".to_owned())
    }

    /// Ask where to write, then export. Folder formats go into a new folder inside the one
    /// chosen, so no file already there is overwritten.
    fn pick_export_target(&mut self, format: Format, options: ExportOptions) {
        let stem = self.project_stem();
        let target = if format.exports_folder() {
            rfd::FileDialog::new()
                .set_title(format!("Export to {format}: choose a folder"))
                .pick_folder()
                .map(|dir| fresh_path(&dir.join(format!("{stem}-{format}"))))
        } else {
            rfd::FileDialog::new()
                .set_title(format!("Export to {format}"))
                .add_filter(format.name(), &[format.extension()])
                .set_file_name(format!("{stem}-{format}.{}", format.extension()))
                .save_file()
        };
        if let Some(target) = target {
            self.export_to(format, &options, &target);
        }
    }

    /// Export the project to `target` and say how it went.
    pub fn export_to(&mut self, format: Format, options: &ExportOptions, target: &Path) {
        let is_project = self
            .path
            .as_deref()
            .is_some_and(|p| super::app::same_file(p, target));
        let refusal = if is_project {
            Some(format!(
                "{} is this project's own file; export to another file.",
                target.display()
            ))
        } else {
            self.refuse_to_write(target)
        };
        if let Some(why) = refusal {
            self.show_dialog(Dialog::Error {
                title: format!("Cannot export to {format}"),
                message: why,
            });
            return;
        }
        let report = match formats::export(&self.editor.project, format, options) {
            Ok(report) => report,
            Err(error) => {
                self.show_dialog(Dialog::Error {
                    title: format!("Cannot export to {format}"),
                    message: error.to_string(),
                });
                return;
            }
        };
        if let Err(error) = formats::write_output(target, &report.files) {
            self.show_dialog(Dialog::Error {
                title: format!("Cannot export to {format}"),
                message: format!("cannot write {}: {error}", target.display()),
            });
            return;
        }
        let mut message = format!(
            "{} documents, {} spans written to {}.",
            report.documents,
            report.spans,
            target.display()
        );
        if !report.dropped.is_empty() {
            message.push_str(&format!(
                "\n\n{} spans could not be expressed in {format} and were left out:",
                report.dropped.len()
            ));
            for dropped in report.dropped.iter().take(20) {
                message.push_str(&format!("\n• {dropped}"));
            }
            if report.dropped.len() > 20 {
                message.push_str(&format!("\n… and {} more", report.dropped.len() - 20));
            }
        }
        for warning in &report.warnings {
            message.push_str(&format!("\n\nNote: {warning}"));
        }
        self.status = Some(format!("Exported to {}", target.display()));
        self.show_dialog(Dialog::Info {
            title: format!("Exported to {format}"),
            message,
        });
    }

    fn confirm_then_import(&mut self, format: Format) {
        if self.editor.is_dirty() {
            self.show_dialog(Dialog::UnsavedChanges(AfterConfirm::Import(format)));
        } else {
            self.pick_import_sources(format);
        }
    }

    pub(super) fn pick_import_sources(&mut self, format: Format) {
        let dialog = rfd::FileDialog::new().set_title(format!("Import from {format}"));
        let sources = match format {
            Format::Brat => dialog
                .set_title("Import brat: choose the folder with .txt and .ann files")
                .pick_folder()
                .map(|d| vec![d]),
            Format::Text => dialog.add_filter("Text", &["txt"]).pick_files(),
            Format::Conll => dialog
                .add_filter("CoNLL", &["conll", "txt", "tsv", "bio", "iob"])
                .pick_files(),
            Format::Doccano => dialog.add_filter("JSONL", &["jsonl", "json"]).pick_files(),
            Format::LabelStudio => dialog.add_filter("JSON", &["json"]).pick_files(),
            Format::Docbin => dialog.add_filter("spaCy DocBin", &["spacy"]).pick_files(),
            Format::Hf | Format::Spacy => None,
        };
        if let Some(sources) = sources {
            self.import_from(format, &sources);
        }
    }

    /// Make a new, unsaved project from `sources`; on failure the current project stays.
    pub fn import_from(&mut self, format: Format, sources: &[PathBuf]) {
        let options = ImportOptions {
            annotator: self.annotator.clone(),
            ..Default::default()
        };
        match formats::import(format, sources, &options) {
            Ok(report) => {
                let spans = report.project.span_count();
                let documents = report.project.documents.len();
                self.replace_project(report.project, None);
                self.editor.history.mark_unsaved();
                self.status = Some(format!(
                    "Imported {documents} documents and {spans} spans from {format}: save with \
                     Ctrl+S"
                ));
                let mut notes = Vec::new();
                for (kind, count) in &report.left_out {
                    notes.push(format!(
                        "{count} {kind} annotations left out (not modelled yet)"
                    ));
                }
                notes.extend(report.warnings.iter().cloned());
                if !notes.is_empty() {
                    self.show_dialog(Dialog::Info {
                        title: format!("Imported from {format}"),
                        message: format!(
                            "{documents} documents, {spans} spans.\n\n{}",
                            notes.join("\n")
                        ),
                    });
                }
            }
            Err(error) => self.show_dialog(Dialog::Error {
                title: format!("Cannot import from {format}"),
                message: error.to_string(),
            }),
        }
    }
}

/// `path`, or `path-2`, `path-3`, … when it exists.
fn fresh_path(path: &Path) -> PathBuf {
    let mut candidate = path.to_owned();
    let mut n = 2;
    while candidate.exists() {
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(format!("-{n}"));
        candidate = path.with_file_name(name);
        n += 1;
    }
    candidate
}
