//! Undo/redo over [`Transaction`]s, and the "unsaved changes" flag that falls out of it.

use super::edit::Transaction;

/// One applied transaction and the states it moved between.
#[derive(Clone, Debug)]
struct Step {
    transaction: Transaction,
    state_before: u64,
    state_after: u64,
}

/// Unlimited linear history. Each project state reached gets a fresh number, so "is this the state
/// that was saved?" is one comparison, and undoing back to the saved state clears the dirty flag.
#[derive(Clone, Debug, Default)]
pub struct History {
    undo: Vec<Step>,
    redo: Vec<Step>,
    current: u64,
    saved: u64,
    next_state: u64,
}

impl History {
    /// Record a transaction that has just been applied, as `Project::apply` returned it (new
    /// spans with their real ids, so undo and redo replay exactly those ids). Clears the redo
    /// stack.
    pub fn push(&mut self, transaction: Transaction) {
        self.next_state += 1;
        let step = Step {
            transaction,
            state_before: self.current,
            state_after: self.next_state,
        };
        self.current = step.state_after;
        self.undo.push(step);
        self.redo.clear();
    }

    /// The inverse of the last transaction, to apply; call [`Self::undone`] once it is applied.
    pub fn undo_transaction(&self) -> Option<Transaction> {
        self.undo.last().map(|s| s.transaction.invert())
    }

    pub fn undone(&mut self) {
        if let Some(step) = self.undo.pop() {
            self.current = step.state_before;
            self.redo.push(step);
        }
    }

    /// The last undone transaction, to apply again; call [`Self::redone`] once it is applied.
    pub fn redo_transaction(&self) -> Option<Transaction> {
        self.redo.last().map(|s| s.transaction.clone())
    }

    pub fn redone(&mut self) {
        if let Some(step) = self.redo.pop() {
            self.current = step.state_after;
            self.undo.push(step);
        }
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn undo_description(&self) -> Option<&str> {
        self.undo.last().map(|s| s.transaction.description.as_str())
    }

    pub fn redo_description(&self) -> Option<&str> {
        self.redo.last().map(|s| s.transaction.description.as_str())
    }

    /// Mark the current state as the one on disk.
    pub fn mark_saved(&mut self) {
        self.saved = self.current;
    }

    /// Forget that any state is on disk (e.g. after the saved file was lost).
    pub fn mark_unsaved(&mut self) {
        self.saved = u64::MAX;
    }

    pub fn is_dirty(&self) -> bool {
        self.current != self.saved
    }

    /// True when `state` is the current state or one undo can go back to: something decided at
    /// `state` still holds (after undoing past it, it does not).
    pub fn reaches(&self, state: u64) -> bool {
        self.current == state
            || self
                .undo
                .iter()
                .any(|s| s.state_before == state || s.state_after == state)
    }

    /// The edits that lead from state `from` to the current state, when that is one step (the
    /// last edit, undo or redo): lets a cache of derived figures update instead of recomputing.
    pub fn step_from(&self, from: u64) -> Option<Transaction> {
        if let Some(step) = self.undo.last()
            && step.state_before == from
            && step.state_after == self.current
        {
            return Some(step.transaction.clone());
        }
        if let Some(step) = self.redo.last()
            && step.state_after == from
            && step.state_before == self.current
        {
            return Some(step.transaction.invert());
        }
        None
    }

    /// Number that changes whenever the project state changes (for caches and autosave).
    pub fn state(&self) -> u64 {
        self.current
    }
}
