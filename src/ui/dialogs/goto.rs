//! Go to a line or a character offset (`Ctrl+G`): one field, its error under it. What the input
//! means is decided in the core ([`crate::core::goto`]); the answer comes back through
//! [`Command::GoToInput`], and a bad input stays in the field with the reason.

use eframe::egui::{self, Key};

use crate::core::goto::FORMS;
use crate::ui::command::{Command, CommandSender};

/// The dialog's state while it is open.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoToForm {
    pub input: String,
    /// Why the last input named no place.
    pub error: Option<String>,
}

pub fn show(ctx: &egui::Context, form: &mut GoToForm, tx: &CommandSender) {
    let mut go = false;
    let response = egui::Modal::new(egui::Id::unique("spantag_goto")).show(ctx, |ui| {
        ui.set_width(360.0);
        let label = ui.label("Go to line or offset");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut form.input)
                    .hint_text("120, or #5000 for a character offset")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        field.request_focus();
        if field.changed() {
            form.error = None;
        }
        go = ui.input(|i| i.key_pressed(Key::Enter));
        match &form.error {
            Some(error) => {
                ui.colored_label(ui.visuals().error_fg_color, error);
            }
            None => {
                ui.weak(format!("Type {FORMS}."));
            }
        }
        ui.horizontal(|ui| {
            go |= ui.button("Go").clicked();
            if ui.button("Cancel").clicked() {
                tx.send(Command::CloseModal);
            }
        });
    });
    if go {
        tx.send(Command::GoToInput(form.input.clone()));
    } else if response.should_close() || ctx.input(|i| i.key_pressed(Key::Escape)) {
        tx.send(Command::CloseModal);
    }
}
