//! File › Export and File › Import: the formats of `crate::core::formats`, the same code as
//! `spantag export` / `spantag import`. Part of the dispatcher; the menus and the options form
//! are drawn in `panels/menu.rs` and `dialogs/export_form.rs`.

use std::path::{Path, PathBuf};

use super::app::SpantagApp;
use super::command::FilePurpose;
use super::state::{Dialog, ExportForm};
use crate::core::formats::{self, ExportOptions, Format, ImportOptions, Tokens};

impl SpantagApp {
    pub(super) fn project_stem(&self) -> String {
        self.path
            .as_ref()
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "project".to_owned())
    }

    /// File › Export › `format`: token formats ask for their options first.
    pub(super) fn start_export(&mut self, format: Format) {
        if matches!(format, Format::Conll | Format::Hf) {
            self.export_form = Some(ExportForm::new(format));
        } else {
            self.pick_file(FilePurpose::Export(ExportForm::new(format)));
        }
    }

    /// The target was chosen: folder formats go into a new folder inside the one chosen, so no
    /// file already there is overwritten.
    pub fn export_chosen(&mut self, form: &ExportForm, chosen: &Path) {
        let format = form.format;
        let target = if format.exports_folder() {
            fresh_path(&chosen.join(format!("{}-{format}", self.project_stem())))
        } else {
            chosen.to_owned()
        };
        let options = if matches!(format, Format::Conll | Format::Hf) {
            ExportOptions {
                scheme: form.scheme,
                tokens: if form.word_tokens {
                    Tokens::Word
                } else {
                    Tokens::Char
                },
                strict: form.strict,
                conll2003: format == Format::Conll && form.conll2003,
                no_docstart: format == Format::Conll && form.no_docstart && !form.conll2003,
                ..Default::default()
            }
        } else {
            ExportOptions::default()
        };
        self.export_to(format, &options, &target);
    }

    /// Export the project to `target` and say how it went.
    pub fn export_to(&mut self, format: Format, options: &ExportOptions, target: &Path) {
        let is_project = self
            .path
            .as_deref()
            .is_some_and(|p| super::files::same_file(p, target));
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
        // The file dialog asked before replacing the target; the labelling config beside it
        // is replaced only then too. The export streams into the target's temporary file (the
        // same core function as `spantag export`), never held whole in memory.
        let target_existed = target.exists();
        let report = match formats::export_to(
            &self.editor.project,
            format,
            options,
            target,
            formats::Overwrite::Replace,
        ) {
            Ok(report) => report,
            Err(formats::ExportToError::Export(error)) => {
                self.show_dialog(Dialog::Error {
                    title: format!("Cannot export to {format}"),
                    message: error.to_string(),
                });
                return;
            }
            Err(formats::ExportToError::Write(error)) => {
                self.show_dialog(Dialog::Error {
                    title: format!("Cannot export to {format}"),
                    message: format!("cannot write {}: {error}", target.display()),
                });
                return;
            }
        };
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
        if format == Format::LabelStudio {
            match formats::label_studio::write_config_beside(
                target,
                &self.editor.project,
                target_existed,
            ) {
                Ok(config) => message.push_str(&format!(
                    "\n\nThe labelling config for Label Studio (Settings › Labeling Interface) \
                     is in {}.",
                    config.display()
                )),
                Err((config, e)) => message.push_str(&format!(
                    "\n\nThe labelling config was not written to {}: {e}.",
                    config.display()
                )),
            }
        }
        self.status = Some(format!("Exported to {}", target.display()));
        self.show_dialog(Dialog::Info {
            title: format!("Exported to {format}"),
            message,
        });
    }

    /// Make a new, unsaved project from `sources`; on failure the current project stays.
    pub fn import_from(&mut self, format: Format, sources: &[PathBuf]) {
        let options = ImportOptions {
            annotator: self.prefs.annotator.clone(),
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
