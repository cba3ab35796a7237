//! The command palette (Ctrl+Shift+P): fuzzy search over the command table and the labels,
//! each with its keys. Enter runs the highlighted command, Esc closes.

use eframe::egui::{self, Key, Modifiers};

use crate::ui::command::{Command, CommandSender};
use crate::ui::command_table::{self, TABLE};
use crate::ui::shown::Shown;

#[derive(Default)]
pub struct Palette {
    pub query: String,
    /// The highlighted row among the matches.
    pub selected: usize,
}

/// One row the palette can run.
struct Item {
    text: String,
    keys: String,
    command: Command,
}

fn items(shown: &Shown<'_>) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    for entry in TABLE.iter() {
        if entry.command == Command::CommandPalette
            || items.iter().any(|i| i.command == entry.command)
        {
            continue;
        }
        items.push(Item {
            text: entry.text.to_owned(),
            keys: entry
                .keys
                .iter()
                .map(|(s, _)| command_table::key_text(s))
                .collect::<Vec<_>>()
                .join(" or "),
            command: entry.command.clone(),
        });
    }
    for label in shown.project.labels.iter() {
        items.push(Item {
            text: format!("Label: {}", label.name),
            keys: label
                .hotkey
                .map(|k| k.to_uppercase().to_string())
                .unwrap_or_default(),
            command: Command::ApplyLabel(label.name.clone()),
        });
    }
    for t in shown.project.relation_types() {
        items.push(Item {
            text: format!("Relation type: {}", t.name),
            keys: t
                .hotkey
                .map(|k| k.to_uppercase().to_string())
                .unwrap_or_default(),
            command: Command::UseRelationType(t.name.clone()),
        });
    }
    items
}

/// The items matching `query`, best first (all, in table order, for an empty query).
fn matching(items: Vec<Item>, query: &str) -> Vec<Item> {
    let mut scored: Vec<(i32, usize, Item)> = items
        .into_iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let score = command_table::fuzzy_score(query, &item.text)?;
            Some((score, i, item))
        })
        .collect();
    if !query.trim().is_empty() {
        scored.sort_by_key(|(score, i, _)| (std::cmp::Reverse(*score), *i));
    }
    scored.into_iter().map(|(_, _, item)| item).collect()
}

pub fn show(ctx: &egui::Context, shown: &Shown<'_>, palette: &mut Palette, tx: &CommandSender) {
    let found = matching(items(shown), &palette.query);
    let (up, down, enter) = ctx.input_mut(|i| {
        (
            i.consume_key(Modifiers::NONE, Key::ArrowUp),
            i.consume_key(Modifiers::NONE, Key::ArrowDown),
            i.key_pressed(Key::Enter),
        )
    });
    if down {
        palette.selected += 1;
    }
    if up {
        palette.selected = palette.selected.saturating_sub(1);
    }
    palette.selected = palette.selected.min(found.len().saturating_sub(1));
    let mut run = None;
    let response = egui::Modal::new(egui::Id::unique("spantag_palette")).show(ctx, |ui| {
        ui.set_width(520.0);
        let label = ui.label("Find a command");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut palette.query)
                    .hint_text("type part of its name; ↑ ↓ choose, Enter runs, Esc closes")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        field.request_focus();
        if field.changed() {
            palette.selected = 0;
        }
        egui::ScrollArea::vertical()
            .max_height(360.0)
            .show(ui, |ui| {
                for (i, item) in found.iter().enumerate() {
                    let row = ui.horizontal(|ui| {
                        let picked = ui.selectable_label(i == palette.selected, &item.text);
                        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                            ui.weak(&item.keys);
                        });
                        picked
                    });
                    if i == palette.selected && (up || down) {
                        row.inner.scroll_to_me(None);
                    }
                    if row.inner.clicked() {
                        run = Some(item.command.clone());
                    }
                }
                if found.is_empty() {
                    ui.weak("No command matches");
                }
            });
    });
    if enter && run.is_none() {
        run = found.get(palette.selected).map(|i| i.command.clone());
    }
    if let Some(command) = run {
        tx.send(Command::CloseModal);
        tx.send(command);
    } else if response.should_close() || ctx.input(|i| i.key_pressed(Key::Escape)) {
        tx.send(Command::CloseModal);
    }
}
