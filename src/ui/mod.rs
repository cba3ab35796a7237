//! The annotator window.

use std::path::PathBuf;

pub fn run(_project: Option<PathBuf>) -> anyhow::Result<()> {
    anyhow::bail!("not yet")
}
