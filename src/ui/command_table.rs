//! The one table of commands: their names, their keys, the menu they sit in and when their keys
//! work. Menus, shortcut handling, the command palette and the keyboard cheat sheet are all
//! generated from it, and it is the one place that knows every key in use, label hotkeys
//! included, so a label hotkey can be refused when it would shadow a command's key.

use std::sync::LazyLock;

use eframe::egui::{Key, KeyboardShortcut, ModifierNames, Modifiers};

use super::command::{CaretMotion, Command};
use super::state::BulkScope;
use crate::core::formats::Format;
use crate::core::merge_conflicts::Resolution;
use crate::core::{Label, LabelSet, RelationType};

/// When a key of the table is live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum When {
    /// Anywhere, also while typing in a text field.
    Always,
    /// While the text has the keyboard (not while typing in a field).
    Text,
    /// In review mode, while the text has the keyboard.
    Reviewing,
    /// While drawing a relation (after `R`), while the text has the keyboard.
    Relating,
}

impl When {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Always => "anywhere",
            Self::Text => "in the text",
            Self::Reviewing => "in review mode",
            Self::Relating => "while drawing a relation",
        }
    }
}

/// The menu a command is listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Menu {
    File,
    Edit,
    View,
    Go,
    Help,
}

impl Menu {
    pub const ALL: [Self; 5] = [Self::File, Self::Edit, Self::View, Self::Go, Self::Help];

    pub fn title(self) -> &'static str {
        match self {
            Self::File => "File",
            Self::Edit => "Edit",
            Self::View => "View",
            Self::Go => "Go",
            Self::Help => "Help",
        }
    }
}

pub struct Entry {
    pub command: Command,
    pub text: &'static str,
    pub menu: Menu,
    pub keys: Vec<(KeyboardShortcut, When)>,
}

impl Entry {
    pub fn shortcut(&self) -> Option<KeyboardShortcut> {
        self.keys.first().map(|(s, _)| *s)
    }
}

fn entry(
    command: Command,
    text: &'static str,
    menu: Menu,
    keys: &[(Modifiers, Key, When)],
) -> Entry {
    Entry {
        command,
        text,
        menu,
        keys: keys
            .iter()
            .map(|&(m, k, w)| (KeyboardShortcut::new(m, k), w))
            .collect(),
    }
}

/// Every command a user can name, in menu order.
pub static TABLE: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    use Command as C;
    use Menu::*;
    use When::*;
    let cmd = Modifiers::COMMAND;
    let cmd_shift = Modifiers::COMMAND | Modifiers::SHIFT;
    let none = Modifiers::NONE;
    let alt = Modifiers::ALT;
    let alt_shift = Modifiers::ALT | Modifiers::SHIFT;
    let nudge = |start, delta| C::Nudge { start, delta };
    let shift = Modifiers::SHIFT;
    let caret = |motion, extend| C::MoveCaret { motion, extend };
    vec![
        entry(
            C::NewFromText,
            "New from text…",
            File,
            &[(cmd, Key::N, Always)],
        ),
        entry(C::Open, "Open…", File, &[(cmd, Key::O, Always)]),
        entry(C::Save, "Save", File, &[(cmd, Key::S, Always)]),
        entry(C::SaveAs, "Save as…", File, &[(cmd_shift, Key::S, Always)]),
        entry(C::CompareAnnotators, "Compare annotators…", File, &[]),
        entry(C::Quit, "Quit", File, &[(cmd, Key::Q, Always)]),
        entry(C::Undo, "Undo", Edit, &[(cmd, Key::Z, Text)]),
        entry(
            C::Redo,
            "Redo",
            Edit,
            &[(cmd_shift, Key::Z, Text), (cmd, Key::Y, Text)],
        ),
        entry(
            C::DeleteSelected,
            "Delete the selected relation, else the selected span",
            Edit,
            &[(none, Key::Delete, Text)],
        ),
        entry(C::DeleteSpan, "Delete span", Edit, &[]),
        entry(
            C::StartRelation,
            "Draw a relation from the selected span",
            Edit,
            &[(none, Key::R, Text)],
        ),
        entry(
            C::PickRelation,
            "Pick the span Tab stepped to, or the first type offered",
            Edit,
            &[(none, Key::Enter, Relating)],
        ),
        entry(
            C::DeleteRelation(None),
            "Delete the selected relation",
            Edit,
            &[],
        ),
        entry(C::NextSpan, "Next span", Edit, &[(none, Key::Tab, Text)]),
        entry(
            C::PreviousSpan,
            "Previous span",
            Edit,
            &[(Modifiers::SHIFT, Key::Tab, Text)],
        ),
        entry(
            C::ClearSelection,
            "Clear selection",
            Edit,
            &[(none, Key::Escape, Text)],
        ),
        entry(C::Find, "Find…", Edit, &[(cmd, Key::F, Always)]),
        entry(C::FindNext, "Find next", Edit, &[(none, Key::F3, Always)]),
        entry(
            C::FindPrevious,
            "Find previous",
            Edit,
            &[(Modifiers::SHIFT, Key::F3, Always)],
        ),
        entry(
            C::TagOtherOccurrences,
            "Also tag the other occurrences of the span",
            Edit,
            &[(none, Key::A, Text)],
        ),
        entry(
            C::PreAnnotate,
            "Pre-annotate with gazetteer/rules…",
            Edit,
            &[],
        ),
        entry(C::TrainAndSuggest, "Train tagger and suggest", Edit, &[]),
        entry(
            C::MarkDoneAndNext,
            "Mark document done, open the next not done in the navigator's list",
            Edit,
            &[(cmd, Key::Enter, Text)],
        ),
        entry(C::ToggleReview, "Review mode", View, &[(cmd, Key::R, Text)]),
        entry(
            C::NextSpan,
            "Next span in review mode",
            Edit,
            &[(none, Key::N, Reviewing)],
        ),
        entry(
            C::PreviousSpan,
            "Previous span in review mode",
            Edit,
            &[(none, Key::P, Reviewing)],
        ),
        entry(
            C::Accept,
            "Accept span",
            Edit,
            &[(none, Key::Enter, Reviewing)],
        ),
        entry(
            C::Reject,
            "Reject span",
            Edit,
            &[(none, Key::Backspace, Reviewing)],
        ),
        entry(
            C::bulk(BulkScope::SameTextAndLabel, true),
            "Accept all suggestions with this text and label",
            Edit,
            &[(Modifiers::SHIFT, Key::Enter, Reviewing)],
        ),
        entry(
            C::bulk(BulkScope::SameTextAndLabel, false),
            "Reject all suggestions with this text and label",
            Edit,
            &[(Modifiers::SHIFT, Key::Backspace, Reviewing)],
        ),
        entry(
            C::bulk(BulkScope::SameLabel, true),
            "Accept all suggestions of this label in the document",
            Edit,
            &[(alt, Key::Enter, Reviewing)],
        ),
        entry(
            C::bulk(BulkScope::SameLabel, false),
            "Reject all suggestions of this label in the document",
            Edit,
            &[(alt, Key::Backspace, Reviewing)],
        ),
        entry(
            C::bulk(BulkScope::Document, true),
            "Accept all suggestions in the document",
            Edit,
            &[(cmd_shift, Key::Enter, Reviewing)],
        ),
        entry(
            C::bulk(BulkScope::Document, false),
            "Reject all suggestions in the document",
            Edit,
            &[(cmd_shift, Key::Backspace, Reviewing)],
        ),
        entry(
            C::NextConflict,
            "Next merge conflict",
            Edit,
            &[(alt, Key::N, Reviewing)],
        ),
        entry(
            C::ResolveConflict(Resolution::Ours),
            "Merge conflict: take ours",
            Edit,
            &[(alt, Key::Num1, Reviewing)],
        ),
        entry(
            C::ResolveConflict(Resolution::Theirs),
            "Merge conflict: take theirs",
            Edit,
            &[(alt, Key::Num2, Reviewing)],
        ),
        entry(
            C::ResolveConflict(Resolution::Both),
            "Merge conflict: keep both",
            Edit,
            &[(alt, Key::B, Reviewing)],
        ),
        entry(
            C::ResolveConflict(Resolution::Neither),
            "Merge conflict: take neither",
            Edit,
            &[(alt, Key::D, Reviewing)],
        ),
        entry(
            nudge(true, -1),
            "Move span start left",
            Edit,
            &[(alt, Key::ArrowLeft, Text)],
        ),
        entry(
            nudge(true, 1),
            "Move span start right",
            Edit,
            &[(alt, Key::ArrowRight, Text)],
        ),
        entry(
            nudge(false, -1),
            "Move span end left",
            Edit,
            &[(alt_shift, Key::ArrowLeft, Text)],
        ),
        entry(
            nudge(false, 1),
            "Move span end right",
            Edit,
            &[(alt_shift, Key::ArrowRight, Text)],
        ),
        entry(
            C::ZoomIn,
            "Larger text",
            View,
            &[(cmd, Key::Plus, Text), (cmd, Key::Equals, Text)],
        ),
        entry(C::ZoomOut, "Smaller text", View, &[(cmd, Key::Minus, Text)]),
        entry(C::ToggleTheme, "Dark / light theme", View, &[]),
        entry(C::ToggleStatistics, "Statistics", View, &[]),
        entry(C::GoTo, "Go to line or offset…", Go, &[(cmd, Key::G, Text)]),
        entry(
            caret(CaretMotion::PageDown, false),
            "Page down",
            Go,
            &[(none, Key::PageDown, Text)],
        ),
        entry(
            caret(CaretMotion::PageUp, false),
            "Page up",
            Go,
            &[(none, Key::PageUp, Text)],
        ),
        entry(
            caret(CaretMotion::WordRight, false),
            "Next word",
            Go,
            &[(cmd, Key::ArrowRight, Text)],
        ),
        entry(
            caret(CaretMotion::WordLeft, false),
            "Previous word",
            Go,
            &[(cmd, Key::ArrowLeft, Text)],
        ),
        entry(
            caret(CaretMotion::PageDown, true),
            "Select a page down",
            Go,
            &[(shift, Key::PageDown, Text)],
        ),
        entry(
            caret(CaretMotion::PageUp, true),
            "Select a page up",
            Go,
            &[(shift, Key::PageUp, Text)],
        ),
        entry(
            caret(CaretMotion::WordRight, true),
            "Select to the next word end",
            Go,
            &[(cmd_shift, Key::ArrowRight, Text)],
        ),
        entry(
            caret(CaretMotion::WordLeft, true),
            "Select to the previous word start",
            Go,
            &[(cmd_shift, Key::ArrowLeft, Text)],
        ),
        entry(
            C::ToggleNavigator,
            "Document navigator",
            View,
            &[(cmd, Key::B, Text)],
        ),
        entry(
            C::NextDocument,
            "Next document in the navigator's list",
            View,
            &[(cmd, Key::PageDown, Text)],
        ),
        entry(
            C::PreviousDocument,
            "Previous document in the navigator's list",
            View,
            &[(cmd, Key::PageUp, Text)],
        ),
        entry(
            C::CommandPalette,
            "Command palette…",
            Help,
            &[(cmd_shift, Key::P, Always)],
        ),
        entry(
            C::CheatSheet,
            "Keyboard shortcuts",
            Help,
            &[(none, Key::F1, Always)],
        ),
    ]
});

/// The table's entry for `command`, if it has one.
pub fn lookup(command: &Command) -> Option<&'static Entry> {
    TABLE.iter().find(|e| e.command == *command)
}

/// The commands whose keys are pressed this frame and live now, consuming those keys. Keys with
/// more modifiers are tried first (egui matches Ctrl+Z when Ctrl+Shift+Z is pressed).
pub fn pressed(
    input: &mut eframe::egui::InputState,
    typing: bool,
    review: bool,
    relating: bool,
) -> Vec<Command> {
    let mut bindings: Vec<(&KeyboardShortcut, When, &Command)> = TABLE
        .iter()
        .flat_map(|e| e.keys.iter().map(move |(s, w)| (s, *w, &e.command)))
        .filter(|(_, when, _)| match when {
            When::Always => true,
            When::Text => !typing,
            // While drawing a relation, Enter picks: it does not also accept a span.
            When::Reviewing => !typing && review && !relating,
            When::Relating => !typing && relating,
        })
        .collect();
    bindings.sort_by_key(|(s, _, _)| std::cmp::Reverse(modifier_count(s.modifiers)));
    let mut commands = Vec::new();
    for (shortcut, _, command) in bindings {
        let hit = if shortcut.modifiers.is_none() {
            // A bare key must be bare: Shift+Tab is not Tab, Shift+N is no review key.
            input.modifiers.is_none() && input.consume_key(Modifiers::NONE, shortcut.logical_key)
        } else if matches!(shortcut.logical_key, Key::Enter | Key::Backspace) {
            // Each modifier on Enter and Backspace is another decision (Ctrl+Shift+Enter
            // accepts every suggestion in review mode): Ctrl+Enter must not mark a document
            // done when Shift is held too.
            input.modifiers.matches_exact(shortcut.modifiers) && input.consume_shortcut(shortcut)
        } else {
            input.consume_shortcut(shortcut)
        };
        if hit {
            commands.push(command.clone());
        }
    }
    commands
}

fn modifier_count(m: Modifiers) -> u8 {
    u8::from(m.alt) + u8::from(m.shift) + u8::from(m.command || m.ctrl || m.mac_cmd)
}

/// A key as the cheat sheet and the palette write it ("Ctrl+Shift+P").
pub fn key_text(shortcut: &KeyboardShortcut) -> String {
    shortcut.format(&ModifierNames::NAMES, cfg!(target_os = "macos"))
}

/// One line of the cheat sheet: keys, what they do, when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyUse {
    pub keys: String,
    pub does: String,
    pub when: When,
}

/// Every key in use, commands, label hotkeys and relation type hotkeys, in table order.
pub fn key_uses(labels: &LabelSet, relation_types: &[RelationType]) -> Vec<KeyUse> {
    let mut uses: Vec<KeyUse> = TABLE
        .iter()
        .filter(|e| !e.keys.is_empty())
        .map(|e| KeyUse {
            keys: e
                .keys
                .iter()
                .map(|(s, _)| key_text(s))
                .collect::<Vec<_>>()
                .join(" or "),
            does: e.text.to_owned(),
            when: e.keys[0].1,
        })
        .collect();
    uses.extend(labels.iter().filter_map(|l| {
        Some(KeyUse {
            keys: l.hotkey?.to_uppercase().to_string(),
            does: format!("Tag or relabel as {}", l.name),
            when: When::Text,
        })
    }));
    uses.extend(relation_types.iter().filter_map(|t| {
        Some(KeyUse {
            keys: t.hotkey?.to_uppercase().to_string(),
            does: format!(
                "Give the relation being drawn (or the selected one) type {}",
                t.name
            ),
            when: When::Relating,
        })
    }));
    uses
}

/// Why `relation_type`'s hotkey cannot be used: a bare key a command already has (a type's
/// hotkey works while a relation is drawn or selected, where the commands' keys work too).
pub fn shadowed_by_relation_type(relation_type: &RelationType) -> Option<String> {
    let as_label = Label::new(
        &relation_type.name,
        crate::core::Rgb(0, 0, 0),
        relation_type.hotkey,
        "",
    );
    shadowed_command(&as_label)
}

/// Why `label`'s hotkey cannot be used, when it is a bare key a command already has, e.g.
/// "N is Next span in review mode".
pub fn shadowed_command(label: &Label) -> Option<String> {
    let key = hotkey_key(label.hotkey?)?;
    TABLE.iter().find_map(|e| {
        e.keys
            .iter()
            .find(|(s, _)| s.modifiers.is_none() && s.logical_key == key)
            .map(|(s, _)| {
                format!(
                    "{} is {}: the hotkey of {} would shadow it",
                    key_text(s),
                    e.text,
                    if label.name.is_empty() {
                        "this label"
                    } else {
                        &label.name
                    }
                )
            })
    })
}

/// The menu text of a format (File › Export ▸, File › Import ▸).
pub fn format_title(format: Format) -> &'static str {
    match format {
        Format::Text => "Text files (.txt)…",
        Format::Doccano => "doccano JSONL…",
        Format::Conll => "CoNLL (IOB / BIOES / BMES tags)…",
        Format::Hf => "Hugging Face token classification…",
        Format::Spacy => "spaCy JSONL…",
        Format::Brat => "brat standoff…",
        Format::LabelStudio => "Label Studio JSON…",
        Format::Docbin => "spaCy DocBin (.spacy)…",
    }
}

/// The egui key for a label hotkey character (`1`, `a`, ...), if there is one.
pub fn hotkey_key(c: char) -> Option<Key> {
    Key::from_name(&c.to_ascii_uppercase().to_string())
}

/// How well `query` matches `text` as a subsequence (case-insensitive), higher is better;
/// `None` when it does not. Consecutive letters and word starts score more.
pub fn fuzzy_score(query: &str, text: &str) -> Option<i32> {
    let query: Vec<char> = query
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let mut score = 0;
    let mut at = 0;
    let mut previous: Option<usize> = None;
    for q in query {
        let found = (at..text.len()).find(|&i| text[i] == q)?;
        score += 1;
        if previous.is_some_and(|p| p + 1 == found) {
            score += 5;
        }
        if found == 0 || !text[found - 1].is_alphanumeric() {
            score += 3;
        }
        previous = Some(found);
        at = found + 1;
    }
    Some(score * 100 - text.len() as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Rgb;

    #[test]
    fn every_command_key_is_used_once() {
        let mut seen = std::collections::HashSet::new();
        for e in TABLE.iter() {
            for (s, when) in &e.keys {
                assert!(seen.insert((*s, *when)), "{} is bound twice", key_text(s));
            }
        }
    }

    #[test]
    fn a_hotkey_on_a_command_key_is_refused_naming_both() {
        let n = Label::new("NORP", Rgb(1, 2, 3), Some('n'), "");
        assert_eq!(
            shadowed_command(&n).as_deref(),
            Some("N is Next span in review mode: the hotkey of NORP would shadow it")
        );
        let q = Label::new("QTY", Rgb(1, 2, 3), Some('q'), "");
        assert_eq!(shadowed_command(&q), None, "Ctrl+Q is not the bare Q");
        let digit = Label::new("PER", Rgb(1, 2, 3), Some('1'), "");
        assert_eq!(shadowed_command(&digit), None);
    }

    #[test]
    fn fuzzy_search_prefers_word_starts_and_runs() {
        assert!(fuzzy_score("sva", "Save as…").is_some());
        assert!(fuzzy_score("xyz", "Save as…").is_none());
        let save = fuzzy_score("save", "Save").expect("match");
        let scattered = fuzzy_score("save", "Select all values everywhere").expect("match");
        assert!(save > scattered);
    }

    #[test]
    fn the_cheat_sheet_lists_label_hotkeys_with_the_commands() {
        let mut leads = RelationType::new("leads", Rgb(1, 2, 3));
        leads.hotkey = Some('l');
        let uses = key_uses(&LabelSet::news_default(), &[leads]);
        assert!(
            uses.iter()
                .any(|u| u.keys == "L" && u.does.ends_with("type leads"))
        );
        assert!(
            uses.iter()
                .any(|u| u.keys == "1" && u.does == "Tag or relabel as PER")
        );
        assert!(
            uses.iter()
                .any(|u| u.keys == "N" && u.when == When::Reviewing)
        );
        assert!(uses.iter().any(|u| u.does == "Command palette…"));
    }
}
