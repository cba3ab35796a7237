//! Saving survives being killed at any instant: a real process saves two versions of a project
//! over one file in a loop and is killed with SIGKILL at random moments; the file must always
//! load as one whole version.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use spantag::core::{Document, LabelSet, Project, markup, project_file};

fn project(markup_text: &str, copies: usize) -> Project {
    let (text, spans) = markup::parse(markup_text);
    let text = text.repeat(copies);
    let n = spans.len();
    let len = text.chars().count() / copies;
    let mut p = Project::new(
        LabelSet::news_default(),
        vec![Document::new("d", "d.txt", text)],
    );
    for c in 0..copies {
        for (s, e, l) in &spans[..n] {
            let t = p.tag(0, s + c * len, e + c * len, l);
            p.apply(&t).expect("valid");
        }
    }
    p
}

/// A tiny xorshift generator: reproducible kill times without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn sigkill_at_random_moments_never_leaves_a_broken_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Big enough that a write takes a while, so kills land in the middle of writes.
    let a = project("[习近平](PER)在[北京](GPE)会见[古巴](GPE)领导人。", 150);
    let b = project("[古巴共产党](ORG)和[中国](GPE)。𠮷👍🏽\r\n", 250);
    let (a_path, b_path) = (dir.path().join("a.json"), dir.path().join("b.json"));
    project_file::save(&a, &a_path).expect("save a");
    project_file::save(&b, &b_path).expect("save b");
    let (a_json, b_json) = (
        project_file::to_json(&a).expect("serialisable"),
        project_file::to_json(&b).expect("serialisable"),
    );
    let target = dir.path().join("target.json");
    project_file::save(&a, &target).expect("initial");

    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut saw = [0usize; 2];
    for round in 0..200 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_spantag"))
            .args(["__save-loop"])
            .arg(&target)
            .arg(&a_path)
            .arg(&b_path)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("round {round}: cannot start spantag: {e}"));
        let mut ready = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout).read_line(&mut ready).expect("read");
        if ready.trim() != "saving" {
            let mut err = String::new();
            let _ =
                std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut err);
            panic!("round {round}: the save loop did not start: {err}");
        }
        std::thread::sleep(Duration::from_micros(rng.next() % 30_000));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");

        let bytes = std::fs::read(&target).expect("the file is always there");
        let text = String::from_utf8(bytes).expect("utf-8");
        if text == a_json {
            saw[0] += 1;
        } else if text == b_json {
            saw[1] += 1;
        } else {
            panic!(
                "round {round}: the file is neither whole version ({} bytes)",
                text.len()
            );
        }
        project_file::load(&target).expect("loads");
        // The backup, when there is one, is a whole version too.
        let backup = spantag::core::atomic_write::backup_path(&target);
        if let Ok(bak) = std::fs::read_to_string(&backup) {
            assert!(
                bak == a_json || bak == b_json,
                "round {round}: broken backup"
            );
        }
    }
    // The kills did land at different moments: both versions were seen.
    assert!(saw[0] > 0 && saw[1] > 0, "{saw:?}");
}
