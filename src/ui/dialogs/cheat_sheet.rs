//! The keyboard cheat sheet (F1): every key in use, generated from the command table and the
//! project's label hotkeys.

use eframe::egui::{self, Key};

use crate::ui::command::{Command, CommandSender};
use crate::ui::command_table;
use crate::ui::shown::Shown;

pub fn show(ctx: &egui::Context, shown: &Shown<'_>, tx: &CommandSender) {
    let uses = command_table::key_uses(&shown.project.labels, shown.project.relation_types());
    let response = egui::Modal::new(egui::Id::unique("spantag_cheat_sheet")).show(ctx, |ui| {
        ui.heading("Keys in use");
        egui::ScrollArea::vertical()
            .max_height(520.0)
            .show(ui, |ui| {
                egui::Grid::new("spantag_cheat_sheet_grid")
                    .num_columns(3)
                    .striped(true)
                    .show(ui, |ui| {
                        for u in &uses {
                            ui.monospace(&u.keys);
                            ui.label(&u.does);
                            ui.weak(u.when.describe());
                            ui.end_row();
                        }
                    });
            });
        ui.add_space(6.0);
        ui.label("Esc or F1 closes. Ctrl+Shift+P finds a command by name.");
        if ui.button("Close").clicked() {
            tx.send(Command::CloseModal);
        }
    });
    if response.should_close() || ctx.input(|i| i.key_pressed(Key::Escape)) {
        tx.send(Command::CloseModal);
    }
}
