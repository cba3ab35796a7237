//! Every action of the window as one enum: menus, shortcuts and buttons all produce a
//! [`Command`], which the app runs once at the end of the frame.

use eframe::egui::{Key, KeyboardShortcut, Modifiers};

use crate::core::SpanId;

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    NewFromText,
    Open,
    Save,
    SaveAs,
    Quit,
    Undo,
    Redo,
    /// Tag the selected text, or relabel the selected span.
    ApplyLabel(String),
    DeleteSpan,
    SelectSpan(SpanId),
    NextSpan,
    PreviousSpan,
    SelectDocument(usize),
    Find,
    ClearSelection,
    ZoomIn,
    ZoomOut,
    ToggleReview,
    /// Mark the selected span accepted (review), then go to the next.
    Accept,
    /// Mark the selected span rejected (review), then go to the next.
    Reject,
    /// Move the selected span's start (`start: true`) or end by `delta` characters.
    Nudge {
        start: bool,
        delta: i8,
    },
}

impl Command {
    /// The commands with a fixed shortcut, in the order shortcuts are checked (more modifiers
    /// first, so Ctrl+Shift+Z is not taken for Ctrl+Z).
    pub const WITH_SHORTCUTS: [Self; 16] = [
        Self::Nudge {
            start: false,
            delta: -1,
        },
        Self::Nudge {
            start: false,
            delta: 1,
        },
        Self::Nudge {
            start: true,
            delta: -1,
        },
        Self::Nudge {
            start: true,
            delta: 1,
        },
        Self::ToggleReview,
        Self::SaveAs,
        Self::Redo,
        Self::NewFromText,
        Self::Open,
        Self::Save,
        Self::Quit,
        Self::Undo,
        Self::Find,
        Self::ZoomIn,
        Self::ZoomOut,
        Self::DeleteSpan,
    ];

    pub fn text(&self) -> &'static str {
        match self {
            Self::NewFromText => "New from text…",
            Self::Open => "Open…",
            Self::Save => "Save",
            Self::SaveAs => "Save as…",
            Self::Quit => "Quit",
            Self::Undo => "Undo",
            Self::Redo => "Redo",
            Self::ApplyLabel(_) => "Apply label",
            Self::DeleteSpan => "Delete span",
            Self::SelectSpan(_) => "Select span",
            Self::NextSpan => "Next span",
            Self::PreviousSpan => "Previous span",
            Self::SelectDocument(_) => "Select document",
            Self::Find => "Find…",
            Self::ClearSelection => "Clear selection",
            Self::ZoomIn => "Larger text",
            Self::ZoomOut => "Smaller text",
            Self::ToggleReview => "Review mode",
            Self::Accept => "Accept span",
            Self::Reject => "Reject span",
            Self::Nudge {
                start: true,
                delta: -1,
            } => "Move span start left",
            Self::Nudge { start: true, .. } => "Move span start right",
            Self::Nudge { delta: -1, .. } => "Move span end left",
            Self::Nudge { .. } => "Move span end right",
        }
    }

    pub fn shortcut(&self) -> Option<KeyboardShortcut> {
        let cmd = Modifiers::COMMAND;
        let cmd_shift = Modifiers::COMMAND | Modifiers::SHIFT;
        let (modifiers, key) = match self {
            Self::NewFromText => (cmd, Key::N),
            Self::Open => (cmd, Key::O),
            Self::Save => (cmd, Key::S),
            Self::SaveAs => (cmd_shift, Key::S),
            Self::Quit => (cmd, Key::Q),
            Self::Undo => (cmd, Key::Z),
            Self::Redo => (cmd_shift, Key::Z),
            Self::DeleteSpan => (Modifiers::NONE, Key::Delete),
            Self::NextSpan => (Modifiers::NONE, Key::Tab),
            Self::PreviousSpan => (Modifiers::SHIFT, Key::Tab),
            Self::Find => (cmd, Key::F),
            Self::ClearSelection => (Modifiers::NONE, Key::Escape),
            Self::ZoomIn => (cmd, Key::Plus),
            Self::ZoomOut => (cmd, Key::Minus),
            Self::ToggleReview => (cmd, Key::R),
            Self::Accept => (Modifiers::NONE, Key::Enter),
            Self::Reject => (Modifiers::NONE, Key::Backspace),
            Self::Nudge { start, delta } => (
                if *start {
                    Modifiers::ALT
                } else {
                    Modifiers::ALT | Modifiers::SHIFT
                },
                if *delta < 0 {
                    Key::ArrowLeft
                } else {
                    Key::ArrowRight
                },
            ),
            Self::ApplyLabel(_) | Self::SelectSpan(_) | Self::SelectDocument(_) => return None,
        };
        Some(KeyboardShortcut::new(modifiers, key))
    }

    /// Shortcuts that also work while a text field has focus (the others would steal its keys).
    pub fn works_in_text_fields(&self) -> bool {
        matches!(
            self,
            Self::NewFromText | Self::Open | Self::Save | Self::SaveAs | Self::Quit | Self::Find
        )
    }

    /// Extra shortcuts beyond [`Self::shortcut`]: Ctrl+Y is redo too.
    pub fn alternative_shortcut(&self) -> Option<KeyboardShortcut> {
        match self {
            Self::Redo => Some(KeyboardShortcut::new(Modifiers::COMMAND, Key::Y)),
            Self::ZoomIn => Some(KeyboardShortcut::new(Modifiers::COMMAND, Key::Equals)),
            _ => None,
        }
    }
}

/// The egui key for a label hotkey character (`1`, `a`, ...), if there is one.
pub fn hotkey_key(c: char) -> Option<Key> {
    Key::from_name(&c.to_ascii_uppercase().to_string())
}
