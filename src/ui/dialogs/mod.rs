//! Everything drawn over the window: the project dialogs, the export options, the command
//! palette, the keyboard cheat sheet, go to line or offset and the in-window file
//! dialog. Like the panels, they read
//! state and send commands; the only state they change is their own widgets'.

mod cheat_sheet;
mod export_form;
pub mod file_picker;
mod goto;
mod modal;
mod palette;

use std::path::Path;

use eframe::egui;

use super::command::CommandSender;
use super::shown::Shown;
use super::state::{Dialog, ExportForm};

pub use file_picker::FilePicker;
pub use goto::GoToForm;
pub use palette::Palette;

/// The dialogs that may be open, and their widgets' state.
pub struct Open<'a> {
    pub dialog: Option<&'a Dialog>,
    pub path: Option<&'a Path>,
    pub export_form: &'a mut Option<ExportForm>,
    pub palette: &'a mut Option<Palette>,
    pub cheat_sheet: bool,
    pub file_picker: &'a mut Option<FilePicker>,
    pub goto: &'a mut Option<GoToForm>,
}

pub fn show(ctx: &egui::Context, shown: &Shown<'_>, open: Open<'_>, tx: &CommandSender) {
    if let Some(dialog) = open.dialog {
        modal::show(ctx, dialog, open.path, shown.project, tx);
    }
    if let Some(form) = open.export_form {
        export_form::show(ctx, form, tx);
    }
    if let Some(picker) = open.file_picker {
        file_picker::show(ctx, picker, tx);
    }
    if let Some(palette) = open.palette {
        palette::show(ctx, shown, palette, tx);
    }
    if let Some(form) = open.goto {
        goto::show(ctx, form, tx);
    }
    if open.cheat_sheet {
        cheat_sheet::show(ctx, shown, tx);
    }
}
