//! Helpers for the tests that run the real `spantag` binary.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/annotations/sample.json");

/// Run `spantag` with `args` and wait for it.
pub fn spantag(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spantag"))
        .args(args)
        .output()
        .expect("spantag runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}
