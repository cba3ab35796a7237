//! The options form shown before exporting to CoNLL or Hugging Face: the tagging scheme, the
//! tokens, and for CoNLL its column and document-separator variants.

use eframe::egui;

use crate::core::formats::{Format, Scheme};
use crate::ui::command::{Command, CommandSender};
use crate::ui::command_table::format_title;
use crate::ui::state::ExportForm;

pub fn show(ctx: &egui::Context, form: &mut ExportForm, tx: &CommandSender) {
    egui::Modal::new(egui::Id::unique("spantag_export_form")).show(ctx, |ui| {
        ui.heading(format!(
            "Export to {}",
            format_title(form.format).trim_end_matches('…')
        ));
        ui.horizontal(|ui| {
            let tags = ui.label("Tags:");
            egui::ComboBox::from_id_salt("spantag_export_scheme")
                .selected_text(scheme_title(form.scheme))
                .show_ui(ui, |ui| {
                    for scheme in Scheme::ALL {
                        ui.selectable_value(&mut form.scheme, scheme, scheme_title(scheme));
                    }
                })
                .response
                .labelled_by(tags.id);
        });
        ui.checkbox(
            &mut form.word_tokens,
            "Word tokens for Latin text (default: one token per character)",
        );
        if form.format == Format::Conll {
            ui.checkbox(
                &mut form.conll2003,
                "CoNLL-2003 columns (TOKEN -X- -X- TAG, -DOCSTART- before every document)",
            );
            ui.add_enabled(
                !form.conll2003,
                egui::Checkbox::new(
                    &mut form.no_docstart,
                    "No -DOCSTART- lines between documents",
                ),
            );
        }
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

/// A scheme as the form lists it: its name and what its tags are.
fn scheme_title(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::Bio => "BIO (IOB2): B- begins, I- inside",
        Scheme::Iob1 => "IOB1: I- inside, B- only between two entities of one type",
        Scheme::Bioes => "BIOES: B- I- E- end, S- single",
        Scheme::Bilou => "BILOU: B- I- L- last, U- unit",
        Scheme::Bmes => "BMES: B- M- E- end, S- single (Chinese NER)",
    }
}
