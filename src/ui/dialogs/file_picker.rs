//! Choosing files: the system's dialog (XDG desktop portal or zenity, through `rfd`) and, when
//! there is none, an in-window one, so Open, Save as, New, Import and Export never do nothing.
//!
//! `rfd` answers "no file" both when the user cancels and when no dialog could be shown. A
//! dialog that a person cancels stays open for a while; one that could not be shown returns at
//! once. So: without zenity and without a session bus there is certainly no system dialog, and
//! an empty answer within [`NO_DIALOG`] is taken as "none could be shown".

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui::{self, Key};

use crate::core::formats::Format;
use crate::ui::command::{Command, CommandSender, FilePurpose};

/// An empty answer faster than this means no dialog was shown.
const NO_DIALOG: Duration = Duration::from_millis(300);

/// What a purpose asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pick {
    File,
    Files,
    Folder,
    Save,
}

fn pick(purpose: &FilePurpose) -> Pick {
    match purpose {
        FilePurpose::Open => Pick::File,
        FilePurpose::SaveAs => Pick::Save,
        FilePurpose::NewFromText | FilePurpose::Compare => Pick::Files,
        FilePurpose::Import(Format::Brat) => Pick::Folder,
        FilePurpose::Import(_) => Pick::Files,
        FilePurpose::Export(form) if form.format.exports_folder() => Pick::Folder,
        FilePurpose::Export(_) => Pick::Save,
        FilePurpose::PreAnnotate => Pick::Files,
    }
}

fn title(purpose: &FilePurpose) -> String {
    match purpose {
        FilePurpose::Open => "Open project".into(),
        FilePurpose::SaveAs => "Save project as".into(),
        FilePurpose::NewFromText => "New project from text files".into(),
        FilePurpose::Compare => "Compare annotators: choose two or more project files".into(),
        FilePurpose::Import(Format::Brat) => {
            "Import brat: choose the folder with .txt and .ann files".into()
        }
        FilePurpose::Import(format) => format!("Import from {format}"),
        FilePurpose::Export(form) if form.format.exports_folder() => {
            format!("Export to {}: choose a folder", form.format)
        }
        FilePurpose::Export(form) => format!("Export to {}", form.format),
        FilePurpose::PreAnnotate => {
            "Pre-annotate: gazetteers (.tsv, .txt lists) and rules (.rules)".into()
        }
    }
}

/// The file name extensions shown (none: all files).
fn extensions(purpose: &FilePurpose) -> Vec<&'static str> {
    match purpose {
        FilePurpose::Open | FilePurpose::SaveAs | FilePurpose::Compare => vec!["json"],
        FilePurpose::NewFromText | FilePurpose::Import(Format::Text) => vec!["txt"],
        FilePurpose::Import(Format::Conll) => vec!["conll", "txt", "tsv", "bio", "iob"],
        FilePurpose::Import(Format::Doccano) => vec!["jsonl", "json"],
        FilePurpose::Import(Format::LabelStudio) => vec!["json"],
        FilePurpose::Import(Format::Docbin) => vec!["spacy"],
        FilePurpose::Import(_) => vec![],
        FilePurpose::Export(form) => vec![form.format.extension()],
        FilePurpose::PreAnnotate => vec!["tsv", "txt", "rules"],
    }
}

pub enum NativeOutcome {
    Chosen(Vec<PathBuf>),
    Cancelled,
    /// No system dialog could be shown, and why.
    Unavailable(String),
}

fn zenity_on_path() -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join("zenity").is_file()))
}

/// Ask with the system's file dialog.
pub fn native(purpose: &FilePurpose, dir: &Path, name: &str) -> NativeOutcome {
    let zenity = zenity_on_path();
    if !zenity && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return NativeOutcome::Unavailable(
            "No system file dialog (no XDG desktop portal, no zenity)".into(),
        );
    }
    let mut dialog = rfd::FileDialog::new()
        .set_title(title(purpose))
        .set_directory(dir);
    let extensions = extensions(purpose);
    if !extensions.is_empty() {
        dialog = dialog.add_filter(extensions[0], &extensions);
    }
    let started = Instant::now();
    let chosen = match pick(purpose) {
        Pick::File => dialog.pick_file().map(|p| vec![p]),
        Pick::Files => dialog.pick_files(),
        Pick::Folder => dialog.pick_folder().map(|p| vec![p]),
        Pick::Save => dialog.set_file_name(name).save_file().map(|p| vec![p]),
    };
    match chosen {
        Some(paths) => NativeOutcome::Chosen(paths),
        None if started.elapsed() < NO_DIALOG => NativeOutcome::Unavailable(
            "The system file dialog did not open (no XDG desktop portal answered, no zenity)"
                .into(),
        ),
        None => NativeOutcome::Cancelled,
    }
}

/// One row of the in-window dialog.
struct Entry {
    name: String,
    path: PathBuf,
    is_dir: bool,
}

/// The in-window file dialog.
pub struct FilePicker {
    purpose: FilePurpose,
    dir: PathBuf,
    /// The folder field, as typed.
    dir_text: String,
    /// The file name field (Save).
    name: String,
    entries: Vec<Entry>,
    selected: Vec<PathBuf>,
    error: Option<String>,
}

impl FilePicker {
    pub fn new(purpose: FilePurpose, dir: PathBuf, name: String) -> Self {
        let mut picker = Self {
            purpose,
            dir: PathBuf::new(),
            dir_text: String::new(),
            name,
            entries: Vec::new(),
            selected: Vec::new(),
            error: None,
        };
        picker.enter(dir);
        picker
    }

    /// List `dir`; on failure stay where we are and say why.
    fn enter(&mut self, dir: PathBuf) {
        let listing = match std::fs::read_dir(&dir) {
            Ok(listing) => listing,
            Err(e) => {
                self.error = Some(format!("Cannot list {}: {e}", dir.display()));
                self.dir_text = self.dir.display().to_string();
                return;
            }
        };
        let extensions = extensions(&self.purpose);
        let folders_only = pick(&self.purpose) == Pick::Folder;
        let mut entries: Vec<Entry> = listing
            .filter_map(Result::ok)
            .filter_map(|e| {
                let path = e.path();
                let is_dir = path.is_dir();
                let name = e.file_name().to_string_lossy().into_owned();
                let shown = !name.starts_with('.')
                    && (is_dir
                        || (!folders_only
                            && (extensions.is_empty()
                                || path.extension().is_some_and(|x| {
                                    extensions.iter().any(|want| x.eq_ignore_ascii_case(want))
                                }))));
                shown.then_some(Entry { name, path, is_dir })
            })
            .collect();
        entries.sort_by(|a, b| b.is_dir.cmp(&a.is_dir).then(a.name.cmp(&b.name)));
        self.entries = entries;
        self.dir_text = dir.display().to_string();
        self.dir = dir;
        self.selected.clear();
        self.error = None;
    }

    /// What the main button sends, if the choice is complete.
    fn answer(&self) -> Option<Vec<PathBuf>> {
        match pick(&self.purpose) {
            Pick::Folder => Some(vec![self.dir.clone()]),
            Pick::Save => {
                let name = self.name.trim();
                (!name.is_empty()).then(|| vec![self.dir.join(name)])
            }
            Pick::File | Pick::Files => (!self.selected.is_empty()).then(|| self.selected.clone()),
        }
    }
}

pub fn show(ctx: &egui::Context, picker: &mut FilePicker, tx: &CommandSender) {
    let mode = pick(&picker.purpose);
    let mut go_to = None;
    let mut done = false;
    let response = egui::Modal::new(egui::Id::unique("spantag_file_picker")).show(ctx, |ui| {
        ui.set_width(560.0);
        ui.heading(title(&picker.purpose));
        ui.horizontal(|ui| {
            let label = ui.label("Folder");
            let field = ui
                .add(egui::TextEdit::singleline(&mut picker.dir_text).desired_width(400.0))
                .labelled_by(label.id);
            if field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)) {
                go_to = Some(PathBuf::from(picker.dir_text.trim()));
            }
            if ui.button("Up").clicked()
                && let Some(parent) = picker.dir.parent()
            {
                go_to = Some(parent.to_owned());
            }
        });
        egui::ScrollArea::vertical()
            // A steady height, so the dialog does not jump between folders.
            .max_height(260.0)
            .auto_shrink(false)
            .show(ui, |ui| {
                for entry in &picker.entries {
                    let text = if entry.is_dir {
                        format!("{}/", entry.name)
                    } else {
                        entry.name.clone()
                    };
                    let selected = picker.selected.contains(&entry.path);
                    let row = ui.selectable_label(selected, text);
                    if entry.is_dir && row.clicked() {
                        go_to = Some(entry.path.clone());
                    } else if row.clicked() {
                        if mode == Pick::Save {
                            picker.name = entry.name.clone();
                        } else if mode == Pick::Files && ui.input(|i| i.modifiers.command) {
                            if selected {
                                picker.selected.retain(|p| *p != entry.path);
                            } else {
                                picker.selected.push(entry.path.clone());
                            }
                        } else {
                            picker.selected = vec![entry.path.clone()];
                        }
                    }
                    if !entry.is_dir && row.double_clicked() && mode != Pick::Folder {
                        picker.selected = vec![entry.path.clone()];
                        done = true;
                    }
                }
                if picker.entries.is_empty() {
                    ui.weak("Nothing to choose here");
                }
            });
        if mode == Pick::Save {
            ui.horizontal(|ui| {
                let label = ui.label("File name");
                ui.add(egui::TextEdit::singleline(&mut picker.name).desired_width(300.0))
                    .labelled_by(label.id);
            });
        }
        if mode == Pick::Files {
            ui.weak("Ctrl+click chooses several files.");
        }
        if let Some(error) = &picker.error {
            ui.colored_label(ui.visuals().error_fg_color, error);
        }
        ui.horizontal(|ui| {
            let main = match mode {
                Pick::Folder => "Choose this folder",
                Pick::Save => "Save",
                Pick::File | Pick::Files => "Open",
            };
            if ui
                .add_enabled(picker.answer().is_some(), egui::Button::new(main))
                .clicked()
            {
                done = true;
            }
            if ui.button("Cancel").clicked() {
                tx.send(Command::CloseModal);
            }
        });
    });
    if let Some(dir) = go_to {
        picker.enter(dir);
    }
    if done && let Some(paths) = picker.answer() {
        tx.send(Command::FilesChosen {
            purpose: picker.purpose.clone(),
            paths,
        });
    } else if response.should_close() {
        tx.send(Command::CloseModal);
    }
}
