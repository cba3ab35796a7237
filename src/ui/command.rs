//! Every user intent as one value, and the channel that carries it.
//!
//! Menus, shortcuts, the palette, buttons in panels and dialogs, and background jobs all send a
//! [`Command`] through a [`CommandSender`]; the app drains the channel once per frame and
//! [`crate::ui::SpantagApp::run_command`] applies each one. Nothing that draws takes `&mut` of
//! the app: that is what keeps the panels free of the app (and the imports free of cycles).

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

use eframe::egui;

use crate::core::assist::Plan;
use crate::core::formats::Format;
use crate::core::merge_conflicts::Resolution;
use crate::core::project_file::DocumentDrift;
use crate::core::{AttributeDef, Label, RelationId, RelationType, SpanId, SpanStatus};

use super::state::{BulkReview, BulkScope, ExportForm, OpenMode, ReviewFilter, Trained};

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    // ---- File ----
    NewFromText,
    Open,
    /// Open this project file (File › Open recent, a dropped file), asking about unsaved work.
    OpenPath(PathBuf),
    Save,
    SaveAs,
    CompareAnnotators,
    /// File › Export › `format`: the options form for token formats, else where to write.
    StartExport(Format),
    /// The export form's answer.
    Export(ExportForm),
    CloseExportForm,
    Import(Format),
    /// Make a project from these `.txt` files (dropped on the window), asking first.
    NewFromTextFiles(Vec<PathBuf>),
    /// The file dialog (native or in-window) answered.
    FilesChosen {
        purpose: FilePurpose,
        paths: Vec<PathBuf>,
    },
    Quit,

    // ---- Edit ----
    Undo,
    Redo,
    /// Tag the selected text, or relabel the selected span.
    ApplyLabel(String),
    /// Delete the selected span and its relations.
    DeleteSpan,
    /// Delete the selected relation, else the selected span (the `Delete` key).
    DeleteSelected,
    SelectSpan(SpanId),
    NextSpan,
    PreviousSpan,
    SelectDocument(usize),
    /// Open the next / previous document in project order.
    NextDocument,
    PreviousDocument,
    /// Mark the shown document done and open the next one not done (one undo step: the mark).
    MarkDoneAndNext,
    /// Mark the document at this index done (`true`) or not done.
    SetDone {
        doc: usize,
        done: bool,
    },
    Find,
    /// Select the next hit of the find bar, switching documents as needed.
    FindNext,
    FindPrevious,
    /// Tag every hit of the find bar with this label (those not already covered).
    TagAllFound(String),
    CloseFind,
    /// Tag the selected span's other occurrences in the project with its label.
    TagOtherOccurrences,
    /// The preference: "also tag" adds suggestions (`true`) or accepted spans.
    SetOccurrencesAsSuggestions(bool),
    ClearSelection,
    /// Move the caret (`extend`: keep the anchor, so the selection grows or shrinks).
    MoveCaret {
        motion: CaretMotion,
        extend: bool,
    },
    /// Edit › Go to line or offset…: open the small dialog.
    GoTo,
    /// The go-to dialog's input: a line ("120") or a character offset ("#5000").
    GoToInput(String),
    /// Scroll to code point `offset` of the shown document and put the caret there (a click
    /// on the overview strip).
    JumpTo(usize),
    /// Set the span's note (`None` removes it).
    SetNote {
        span: SpanId,
        note: Option<String>,
    },
    /// Set the relation's note (`None` removes it).
    SetRelationNote {
        id: RelationId,
        note: Option<String>,
    },
    /// Add (`index: None`) or change a label, from the label form.
    SaveLabel {
        index: Option<usize>,
        label: Label,
    },
    DeleteLabel(usize),
    /// Set (`Some`) or clear (`None`) attribute `name` of span `span` of the shown document.
    SetAttribute {
        span: SpanId,
        name: String,
        value: Option<String>,
    },
    /// Add (`index: None`) or change an attribute definition, from the attribute form.
    SaveAttribute {
        index: Option<usize>,
        attribute: AttributeDef,
    },
    /// Remove the attribute definition at this index and its values on every span.
    DeleteAttribute(usize),

    // ---- Relations ----
    /// Start drawing a relation from the selected span (`R`).
    StartRelation,
    /// While drawing: the relation ends at this span (a click on it).
    RelationEnd(SpanId),
    /// While drawing: pick the span `Tab` stepped to, or the first type offered (`Enter`).
    PickRelation,
    /// While drawing, make the relation with this type; with a relation selected, retype it.
    /// A name the project has no type for adds the type in the same undo step.
    UseRelationType(String),
    /// Retype relation `id` (the panel's type box).
    RetypeRelation {
        id: RelationId,
        kind: String,
    },
    SelectRelation(RelationId),
    /// Accept or reject relation `id` (the panel's buttons; in review mode the accept and
    /// reject keys do it for the selected relation).
    SetRelationStatus {
        id: RelationId,
        status: SpanStatus,
    },
    /// Delete relation `id`, or (`None`) the selected one.
    DeleteRelation(Option<RelationId>),
    /// Add a relation type from the panel's form.
    AddRelationType(RelationType),
    /// Delete the relation type at this index (refused while relations use it).
    DeleteRelationType(usize),
    /// Change the relation type of this name (name, colour, hotkey; a rename retypes its
    /// relations in the same undo step). By name, not index: the form may outlive an undo.
    EditRelationType(String, RelationType),

    // ---- Review ----
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
    /// Edit › Pre-annotate with gazetteer/rules…: pick the files.
    PreAnnotate,
    /// The pre-annotation job finished: the plan made from a snapshot, or why not.
    /// The plan, and the history state of the snapshot it was made on.
    PreAnnotated(Result<Plan, String>, u64),
    /// Edit › Train tagger and suggest: train on the accepted spans in a background job.
    TrainAndSuggest,
    /// The training job finished: its suggestions and held-out report, or why not.
    Trained(Result<Trained, String>),
    /// Cancel the running background job.
    CancelJob,
    /// Accept or reject many suggestions at once, after a confirm with the count.
    BulkReview(BulkReview),
    SetReviewFilter(ReviewFilter),
    SetShowRejected(bool),
    SetAnnotator(String),

    // ---- Compare ----
    /// Gold over unit `unit` of the shown document becomes the spans of `annotators`.
    Decide {
        unit: usize,
        annotators: Vec<usize>,
    },
    TakeAllAgreements,
    SelectUnit {
        unit: usize,
        start: usize,
    },
    SetShowAgreements(bool),
    CloseCompare,

    // ---- Merge conflicts (review mode) ----
    /// Resolve the merge conflict the selected span is a version of.
    ResolveConflict(Resolution),
    /// Select the next merge conflict, in any document.
    NextConflict,
    /// Show document `doc` and select the conflict version `span`.
    SelectConflict {
        doc: usize,
        span: SpanId,
    },

    // ---- View ----
    ZoomIn,
    ZoomOut,
    ToggleStatistics,
    /// Show or hide the document navigator (the left panel).
    ToggleNavigator,
    ToggleTheme,
    CommandPalette,
    CheatSheet,
    /// Close the palette, the cheat sheet or the in-window file dialog.
    CloseModal,

    // ---- Dialogs and the system ----
    /// The user answered the dialog that is showing.
    Answer(Answer),
    /// The autosave job wrote (or failed to write) the recovery file.
    AutosaveFinished(Result<PathBuf, String>),
}

/// A caret move that needs more than the arrow keys' one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaretMotion {
    /// To the start of the word before the caret (see [`crate::core::words`]).
    WordLeft,
    /// To the end of the word after the caret.
    WordRight,
    /// A screen up, the view scrolled with it.
    PageUp,
    /// A screen down, the view scrolled with it.
    PageDown,
}

/// What a file dialog was opened for.
#[derive(Clone, Debug, PartialEq)]
pub enum FilePurpose {
    Open,
    SaveAs,
    NewFromText,
    Compare,
    Import(Format),
    Export(ExportForm),
    /// Gazetteers (`.tsv`, `.txt` lists) and rules files (`.rules`) to pre-annotate with.
    PreAnnotate,
}

/// An answer to the dialog showing.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    Close,
    /// "Save", then do what waited for the answer.
    SaveThen,
    /// "Don't save": do what waited without saving.
    DontSave,
    SaveAs,
    Open(PathBuf, OpenMode),
    Restore(PathBuf),
    Discard(PathBuf),
    CompareRecovery,
    Reanchor(Vec<DocumentDrift>),
    StayReadOnly,
    /// Yes to the bulk review's count.
    ApplyBulk(BulkReview),
    /// Pre-annotate with these files; `label` is the label of the `.txt` lists' mentions.
    PreAnnotateWith {
        paths: Vec<PathBuf>,
        label: Option<String>,
    },
}

impl Command {
    /// A bulk review command.
    pub fn bulk(scope: BulkScope, accept: bool) -> Self {
        Self::BulkReview(BulkReview { scope, accept })
    }
}

/// A cloneable way to send commands into the frame, for panels, dialogs and job threads.
#[derive(Clone)]
pub struct CommandSender {
    sender: Sender<Command>,
    /// Wakes the window when a command comes from another thread.
    ctx: Option<egui::Context>,
}

impl CommandSender {
    pub fn send(&self, command: Command) {
        // The receiver lives as long as the app; a send after it is gone has nowhere to go.
        let _ = self.sender.send(command);
        if let Some(ctx) = &self.ctx {
            ctx.request_repaint();
        }
    }
}

/// The receiving end, drained once per frame by the app.
pub struct CommandReceiver(Receiver<Command>);

impl CommandReceiver {
    pub fn drain(&self) -> Vec<Command> {
        self.0.try_iter().collect()
    }
}

/// A new channel; `ctx` (if any) is repainted whenever a command is sent.
pub fn command_channel(ctx: Option<egui::Context>) -> (CommandSender, CommandReceiver) {
    let (sender, receiver) = channel();
    (CommandSender { sender, ctx }, CommandReceiver(receiver))
}
