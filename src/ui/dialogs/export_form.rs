//! The options form shown before exporting to CoNLL or Hugging Face.

use eframe::egui;

use crate::ui::command::{Command, CommandSender};
use crate::ui::command_table::format_title;
use crate::ui::state::ExportForm;

pub fn show(ctx: &egui::Context, form: &mut ExportForm, tx: &CommandSender) {
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
                tx.send(Command::Export(form.clone()));
            }
            if ui.button("Cancel").clicked() {
                tx.send(Command::CloseExportForm);
            }
        });
    });
}
