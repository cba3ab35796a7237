//! The one door through which edits reach a project: apply, record for undo, track dirtiness.

use super::edit::Transaction;
use super::history::History;
use super::project::{EditError, Project};

#[derive(Clone, Debug, Default)]
pub struct Editor {
    pub project: Project,
    pub history: History,
}

impl Editor {
    pub fn new(project: Project) -> Self {
        let mut history = History::default();
        history.mark_saved();
        Self { project, history }
    }

    /// Apply and record `transaction`. Empty transactions change nothing and are not recorded.
    /// Returns the transaction as applied, new spans with their ids (see [`Project::apply`]);
    /// that is what the history keeps, so undo and redo bring back exactly those ids.
    pub fn execute(&mut self, transaction: Transaction) -> Result<Transaction, EditError> {
        if transaction.is_empty() {
            return Ok(transaction);
        }
        let applied = self.project.apply(&transaction)?;
        self.history.push(applied.clone());
        Ok(applied)
    }

    /// Undo the last transaction; returns what was undone.
    pub fn undo(&mut self) -> Result<Option<Transaction>, EditError> {
        let Some(inverse) = self.history.undo_transaction() else {
            return Ok(None);
        };
        self.project.restore(&inverse)?;
        self.history.undone();
        Ok(Some(inverse))
    }

    pub fn redo(&mut self) -> Result<Option<Transaction>, EditError> {
        let Some(transaction) = self.history.redo_transaction() else {
            return Ok(None);
        };
        self.project.restore(&transaction)?;
        self.history.redone();
        Ok(Some(transaction))
    }

    pub fn is_dirty(&self) -> bool {
        self.history.is_dirty()
    }
}
