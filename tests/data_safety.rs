//! Never losing work: backups, autosave and recovery, locks, changed texts, old versions, and
//! the errors for files that cannot be written or read. GUI parts run through egui_kittest.
#![cfg(feature = "gui")]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use eframe::egui::{self, Key, Modifiers, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use spantag::core::lock::{self, LockInfo};
use spantag::core::markup::project;
use spantag::core::{Project, markup, project_file, recovery};
use spantag::ui::{Dialog, SpantagApp};

fn markup_of(p: &Project) -> String {
    markup::render_document(p, 0)
}

fn open(path: &Path) -> Harness<'static, SpantagApp> {
    let path = path.to_owned();
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(move |cc| SpantagApp::open_or_report(&cc.egui_ctx, &path));
    h.run();
    h
}

fn saved(markup_text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.json");
    project_file::save(&project(markup_text), &path).expect("save");
    (dir, path)
}

/// Tag characters `[start, end)` with `label` through the app, as a user would.
fn tag(h: &mut Harness<'_, SpantagApp>, start: usize, end: usize, key: Key) {
    h.state_mut().selection = spantag::ui::TextSelection {
        anchor: start,
        caret: end,
    };
    h.key_press(key);
    h.run();
}

fn wait_for(h: &mut Harness<'_, SpantagApp>, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
        h.step();
    }
}

#[test]
fn saving_keeps_the_previous_version_as_bak() {
    let (_dir, path) = saved("会见习近平");
    let mut h = open(&path);
    tag(&mut h, 2, 5, Key::Num1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run();
    let backup = spantag::core::atomic_write::backup_path(&path);
    assert_eq!(
        markup_of(&project_file::load(&backup).expect("bak")),
        "会见习近平"
    );
    assert_eq!(
        markup_of(&project_file::load(&path).expect("new")),
        "会见[习近平](PER)"
    );
}

#[test]
fn autosave_writes_a_recovery_file_soon_after_an_edit_and_save_removes_it() {
    let (_dir, path) = saved("会见习近平和古巴领导人");
    let mut h = open(&path);
    let recovery = recovery::recovery_path(&path);
    tag(&mut h, 2, 5, Key::Num1);
    let edited = Instant::now();
    wait_for(&mut h, "the recovery file", || recovery.exists());
    assert!(
        edited.elapsed() < Duration::from_secs(2),
        "within 2 seconds of the edit"
    );
    assert_eq!(
        markup_of(&project_file::load(&recovery).expect("recovery loads")),
        "会见[习近平](PER)和古巴领导人"
    );
    // The project file itself is untouched until the user saves.
    assert_eq!(
        markup_of(&project_file::load(&path).expect("loads")),
        "会见习近平和古巴领导人"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run();
    wait_for(&mut h, "the recovery file to go", || !recovery.exists());
}

#[test]
fn a_newer_recovery_file_is_offered_compared_and_restored() {
    let (_dir, path) = saved("会见[习近平](PER)和古巴领导人");
    // A crashed session left more work in the recovery file.
    let mut later = project_file::load(&path).expect("loads");
    let t = later.tag(0, 6, 8, "GPE");
    later.apply(&t).expect("tag");
    std::thread::sleep(Duration::from_millis(20));
    let recovery = recovery::recovery_path(&path);
    std::fs::write(
        &recovery,
        project_file::to_json(&later).expect("serialisable"),
    )
    .expect("write");

    let mut h = open(&path);
    assert!(matches!(h.state().dialog, Some(Dialog::Recovery { .. })));
    h.get_by_label("Unsaved work was found");
    h.get_by_label("Compare").click();
    h.run();
    h.get_by_label_contains("1 spans added, 0 removed, 0 changed");
    h.get_by_label("Restore").click();
    h.run();
    assert_eq!(h.state().dialog, None);
    assert_eq!(
        markup_of(&h.state().editor.project),
        "会见[习近平](PER)和[古巴](GPE)领导人"
    );
    assert!(
        h.state().editor.is_dirty(),
        "restored work still has to be saved"
    );
    assert!(recovery.exists(), "nothing deleted before it is saved");
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run();
    wait_for(&mut h, "the recovery file to go", || !recovery.exists());
    assert_eq!(
        markup_of(&project_file::load(&path).expect("loads")),
        "会见[习近平](PER)和[古巴](GPE)领导人"
    );
}

#[test]
fn discarding_a_recovery_file_deletes_it_only_then() {
    let (_dir, path) = saved("会见习近平");
    std::thread::sleep(Duration::from_millis(20));
    let recovery = recovery::recovery_path(&path);
    std::fs::write(
        &recovery,
        project_file::to_json(&project("会见[习近平](PER)")).expect("serialisable"),
    )
    .expect("write");
    let mut h = open(&path);
    assert!(recovery.exists());
    h.get_by_label("Discard").click();
    h.run();
    assert!(!recovery.exists());
    assert_eq!(markup_of(&h.state().editor.project), "会见习近平");
}

#[test]
fn a_recovery_file_is_offered_even_when_the_project_file_looks_newer() {
    let (_dir, path) = saved("会见习近平");
    let recovery = recovery::recovery_path(&path);
    std::fs::write(
        &recovery,
        project_file::to_json(&project("会见[习近平](PER)")).expect("serialisable"),
    )
    .expect("write");
    // A `touch`, a `git pull` or a sync client makes the project file newer than its autosave.
    std::fs::File::options()
        .write(true)
        .open(&path)
        .expect("open")
        .set_modified(std::time::SystemTime::now() + Duration::from_secs(60))
        .expect("touch");
    let mut h = open(&path);
    assert!(matches!(h.state().dialog, Some(Dialog::Recovery { .. })));
    h.get_by_label("Restore").click();
    h.run();
    assert_eq!(markup_of(&h.state().editor.project), "会见[习近平](PER)");
}

#[test]
fn a_recovery_file_the_same_as_the_project_is_not_offered() {
    let (_dir, path) = saved("会见习近平");
    std::fs::copy(&path, recovery::recovery_path(&path)).expect("copy");
    let h = open(&path);
    assert_eq!(h.state().dialog, None);
}

#[test]
fn open_anyway_still_offers_a_differing_autosave() {
    let (_dir, path) = saved("会见习近平");
    let recovery = recovery::recovery_path(&path);
    let unsaved = project_file::to_json(&project("会见[习近平](PER)")).expect("serialisable");
    std::fs::write(&recovery, &unsaved).expect("write");
    hold_lock(&path);
    let mut h = open(&path);
    h.get_by_label("Open anyway").click();
    h.run();
    assert!(matches!(h.state().dialog, Some(Dialog::Recovery { .. })));
    // Nothing overwrites it while the user decides.
    for _ in 0..30 {
        std::thread::sleep(Duration::from_millis(50));
        h.step();
    }
    assert_eq!(std::fs::read_to_string(&recovery).expect("kept"), unsaved);
}

#[cfg(target_os = "linux")]
#[test]
fn a_lock_left_by_a_killed_process_not_yet_reaped_does_not_block_the_project() {
    let (_dir, path) = saved("会见[习近平](PER)");
    let mut child = std::process::Command::new("sleep")
        .arg("60")
        .spawn()
        .expect("spawn");
    let holder = LockInfo {
        pid: child.id(),
        start_time: spantag::core::process::start_time(child.id()),
        ..LockInfo::this_process()
    };
    std::fs::write(
        lock::lock_path(&path),
        serde_json::to_string(&holder).expect("json"),
    )
    .expect("w");
    child.kill().expect("kill");
    // Wait until it is a zombie (it stays one: it is not reaped before the end).
    let stat = format!("/proc/{}/stat", holder.pid);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !std::fs::read_to_string(&stat).is_ok_and(|s| s.contains(") Z ")) {
        assert!(Instant::now() < deadline, "never became a zombie");
        std::thread::sleep(Duration::from_millis(5));
    }
    let h = open(&path);
    assert_eq!(h.state().dialog, None);
    assert!(!h.state().read_only);
    assert_eq!(lock::inspect(&path), lock::LockState::Ours);
    drop(h);
    child.wait().expect("reap");
}

#[test]
fn a_live_lock_offers_read_only_and_a_stale_one_is_taken_over() {
    let (_dir, path) = saved("会见[习近平](PER)");
    let live = hold_lock(&path);
    let mut h = open(&path);
    h.get_by_label("The project is open elsewhere");
    h.get_by_label_contains("wang (process 1 on");
    h.get_by_label("Open read-only").click();
    h.run();
    assert!(h.state().read_only);
    assert!(h.state().title().contains("[read-only]"));
    tag(&mut h, 0, 2, Key::Num3);
    assert_eq!(
        markup_of(&h.state().editor.project),
        "会见[习近平](PER)",
        "no edits"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run();
    assert_eq!(
        std::fs::read_to_string(lock::lock_path(&path)).expect("lock"),
        serde_json::to_string(&live).expect("json"),
        "the other lock is untouched"
    );

    // A lock left by a process that has exited is stale: taken over without asking.
    let mut child = std::process::Command::new("true").spawn().expect("spawn");
    let pid = child.id();
    child.wait().expect("wait");
    let stale = LockInfo { pid, ..live };
    std::fs::write(
        lock::lock_path(&path),
        serde_json::to_string(&stale).expect("json"),
    )
    .expect("w");
    let h = open(&path);
    assert_eq!(h.state().dialog, None);
    assert!(!h.state().read_only);
    assert!(
        h.state()
            .status
            .as_deref()
            .unwrap_or("")
            .contains("took over the lock")
    );
    assert_eq!(lock::inspect(&path), lock::LockState::Ours);
    drop(h);
}

#[test]
fn open_anyway_takes_the_lock() {
    let (_dir, path) = saved("会见[习近平](PER)");
    hold_lock(&path);
    let mut h = open(&path);
    h.get_by_label("Open anyway").click();
    h.run();
    assert!(!h.state().read_only);
    assert_eq!(lock::inspect(&path), lock::LockState::Ours);
}

#[test]
fn the_cli_refuses_to_write_a_locked_file_unless_forced() {
    let (_dir, path) = saved("会见习近平");
    hold_lock(&path);
    let text = path.with_file_name("t.txt");
    std::fs::write(&text, "古巴").expect("write");
    let run = |force: bool| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_spantag"));
        c.args(["new", "--text"]).arg(&text).arg("-o").arg(&path);
        if force {
            c.arg("--force");
        }
        c.output().expect("runs")
    };
    let o = run(false);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("is open in Spantag by wang (process 1 on"),
        "{err}"
    );
    assert_eq!(
        markup_of(&project_file::load(&path).expect("loads")),
        "会见习近平"
    );
    assert!(run(true).status.success());
}

#[test]
fn a_changed_text_is_reported_and_spans_are_reanchored_where_the_text_moved() {
    let (_dir, path) = saved("会见[习近平](PER)和[古巴](GPE)领导人，[古巴](GPE)共产党");
    // Someone edits the text by hand: two characters inserted at the front, 和 becomes 与.
    let json = std::fs::read_to_string(&path).expect("read");
    let edited = json.replacen(
        "\"text\": \"会见习近平和古巴领导人，古巴共产党\"",
        "\"text\": \"今天会见习近平与古巴领导人，古巴共产党\"",
        1,
    );
    assert_ne!(json, edited);
    std::fs::write(&path, &edited).expect("write");

    // Validation (and the CLI) refuse it, naming what changed.
    let error = project_file::load(&path).expect_err("drift");
    assert!(
        error
            .to_string()
            .contains("the text was changed after it was annotated")
    );

    let mut h = open(&path);
    let Some(Dialog::Drift { report }) = h.state().dialog.clone() else {
        panic!("expected the drift dialog, got {:?}", h.state().dialog);
    };
    assert_eq!(report.len(), 1);
    // 习近平 is found once, 2 further on; each 古巴 occurs twice nearby, and the one where
    // the text before it moved (by 2) is taken.
    assert!(
        h.state().read_only,
        "nothing can be saved before the user chooses"
    );
    h.get_by_label_contains("Re-anchor 3 spans").click();
    h.run();
    assert!(!h.state().read_only);
    assert_eq!(
        markup_of(&h.state().editor.project),
        "今天会见[习近平](PER)与[古巴](GPE)领导人，[古巴](GPE)共产党"
    );
    // One undo step puts them back out.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(h.state().editor.project.span_count(), 0);
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        edited,
        "file untouched"
    );
}

/// The attack of issue 9: 4 leading blank characters removed and one broken line joined in
/// the sample's text. All 16 spans come back, each on its own text.
#[test]
fn reanchoring_the_sample_after_blanks_and_a_line_break_are_removed_keeps_all_16_spans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sample.json");
    let sample = project_file::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/annotations/sample.json"
    )))
    .expect("sample");
    let old_text = sample.documents[0].document.text().to_owned();
    let surfaces: Vec<String> = sample.documents[0]
        .spans
        .iter()
        .map(|s| {
            sample.documents[0]
                .document
                .slice(s.start, s.end)
                .to_owned()
        })
        .collect();
    project_file::save(&sample, &path).expect("save");
    let mut chars: Vec<char> = old_text.chars().collect();
    assert_eq!(chars[127], '\n');
    chars.remove(127);
    let new_text: String = chars[4..].iter().collect();
    let json = std::fs::read_to_string(&path).expect("read");
    let encode = |t: &str| serde_json::to_string(t).expect("json");
    let edited = json.replacen(&encode(&old_text), &encode(&new_text), 1);
    assert_ne!(json, edited);
    std::fs::write(&path, &edited).expect("write");

    let mut h = open(&path);
    h.get_by_label_contains("Re-anchor 16 spans").click();
    h.run();
    let doc = &h.state().editor.project.documents[0];
    assert_eq!(doc.spans.len(), 16);
    let now: Vec<String> = doc
        .spans
        .iter()
        .map(|s| doc.document.slice(s.start, s.end).to_owned())
        .collect();
    assert_eq!(now, surfaces);
    assert!(
        doc.spans
            .iter()
            .all(|s| s.status == spantag::core::SpanStatus::Accepted)
    );
}

#[test]
fn a_changed_text_can_be_opened_read_only() {
    let (_dir, path) = saved("会见[习近平](PER)");
    let json = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        json.replacen("\"会见习近平\"", "\"我们会见习近平\"", 1),
    )
    .expect("write");
    let mut h = open(&path);
    h.get_by_label("Open read-only").click();
    h.run();
    assert!(h.state().read_only);
    assert_eq!(
        h.state().editor.project.span_count(),
        0,
        "drifted spans are not shown at the wrong place"
    );
}

#[test]
fn a_recovery_file_is_offered_after_the_changed_text_dialog_and_kept_until_chosen() {
    let (_dir, path) = saved("会见[习近平](PER)");
    let recovery = recovery::recovery_path(&path);
    let unsaved =
        project_file::to_json(&project("[会见](ORG)[习近平](PER)")).expect("serialisable");
    std::fs::write(&recovery, &unsaved).expect("write");
    let json = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        json.replacen("\"会见习近平\"", "\"我们会见习近平\"", 1),
    )
    .expect("write");
    let mut h = open(&path);
    assert!(matches!(h.state().dialog, Some(Dialog::Drift { .. })));
    h.get_by_label("Open read-only").click();
    h.run();
    assert!(matches!(h.state().dialog, Some(Dialog::Recovery { .. })));
    assert_eq!(std::fs::read_to_string(&recovery).expect("kept"), unsaved);
}

#[test]
fn an_offered_recovery_is_not_autosaved_over_while_the_user_decides() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.json");
    // A version 0 file: migrated on open, so the project is unsaved and would be autosaved.
    let fixture = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/version-0.json"
    ))
    .expect("fixture");
    std::fs::write(&path, &fixture).expect("write");
    let recovery = recovery::recovery_path(&path);
    let unsaved = project_file::to_json(&project("[会见](ORG)习近平")).expect("serialisable");
    std::fs::write(&recovery, &unsaved).expect("write");
    let mut h = open(&path);
    h.state_mut().autosave_delay = Duration::from_millis(10);
    assert!(h.state().editor.is_dirty());
    assert!(matches!(h.state().dialog, Some(Dialog::Recovery { .. })));
    for _ in 0..20 {
        std::thread::sleep(Duration::from_millis(50));
        h.step();
    }
    assert_eq!(std::fs::read_to_string(&recovery).expect("kept"), unsaved);
    // Once discarded, autosave works again.
    h.get_by_label("Discard").click();
    // Not `run`: the autosave and the theme may keep asking for frames; `wait_for` steps on.
    h.run_steps(4);
    wait_for(&mut h, "an autosave of the migrated project", || {
        std::fs::read_to_string(&recovery).is_ok_and(|t| t != unsaved)
    });
}

#[test]
fn version_0_files_are_migrated_and_saved_as_the_current_version_with_a_backup() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("old.json");
    let fixture = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/version-0.json"
    ))
    .expect("fixture");
    std::fs::write(&path, &fixture).expect("write");
    let loaded = project_file::load_with(&path, project_file::Drift::Refuse).expect("migrates");
    assert_eq!(loaded.migrated_from, Some(0));
    assert_eq!(
        markup_of(&loaded.project),
        "[习近平](PER)在[北京](GPE)会见[古巴](GPE)领导人。"
    );
    assert_eq!(
        loaded.project.labels.get("GPE").and_then(|l| l.hotkey),
        Some('2')
    );

    let mut h = open(&path);
    assert!(
        h.state().editor.is_dirty(),
        "migration is saved when the user saves"
    );
    assert!(
        h.state()
            .status
            .as_deref()
            .unwrap_or("")
            .contains("migrated from file format version 0")
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        fixture,
        "not rewritten on open"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run();
    let saved = std::fs::read_to_string(&path).expect("read");
    assert!(saved.contains(&format!(
        "\"version\": {}",
        spantag::core::project_file::FORMAT_VERSION
    )));
    assert_eq!(
        std::fs::read_to_string(spantag::core::atomic_write::backup_path(&path)).expect("bak"),
        fixture
    );
}

#[test]
fn saving_into_a_missing_folder_keeps_the_work_and_offers_save_as() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(|cc| SpantagApp::new(&cc.egui_ctx, project("会见[习近平](PER)"), None));
    h.run();
    let target = dir.path().join("gone/p.json");
    assert!(!h.state_mut().save_to(&target));
    h.run();
    h.get_by_label("Cannot save");
    h.get_by_label_contains("gone/p.json");
    h.get_by_label("Save as…");
    assert_eq!(markup_of(&h.state().editor.project), "会见[习近平](PER)");
    assert!(h.state().editor.is_dirty() || h.state().path.is_none());
}

#[test]
fn the_cli_names_the_path_it_cannot_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = dir.path().join("t.txt");
    std::fs::write(&text, "古巴").expect("write");
    let out = dir.path().join("no/such/dir/p.json");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_spantag"))
        .args(["new", "--text"])
        .arg(&text)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("cannot write {}", out.display())),
        "{err}"
    );
}

#[test]
fn a_huge_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("huge.json");
    let f = std::fs::File::create(&path).expect("create");
    f.set_len(1 << 30).expect("sparse 1 GiB");
    let error = project_file::load(&path).expect_err("refused");
    assert_eq!(
        error.to_string(),
        format!(
            "{}: the file is 1024.0 MiB; Spantag reads project files of up to 256 MiB",
            path.display()
        )
    );
    assert_eq!(
        std::fs::metadata(&path).expect("meta").len(),
        1 << 30,
        "untouched"
    );
}

#[test]
fn closing_without_saving_removes_the_recovery_file() {
    let (_dir, path) = saved("会见习近平");
    let mut h = open(&path);
    tag(&mut h, 2, 5, Key::Num1);
    let recovery = recovery::recovery_path(&path);
    wait_for(&mut h, "the recovery file", || recovery.exists());
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    h.run();
    h.get_by_label("Don't save").click();
    h.run();
    assert!(!recovery.exists());
    assert_eq!(
        markup_of(&project_file::load(&path).expect("loads")),
        "会见习近平"
    );
}

fn hold_lock(path: &Path) -> LockInfo {
    let live = LockInfo {
        pid: 1,
        host: lock::this_host(),
        user: "wang".into(),
        since: 0,
        start_time: None,
        boot_id: None,
    };
    std::fs::write(
        lock::lock_path(path),
        serde_json::to_string(&live).expect("json"),
    )
    .expect("w");
    live
}

#[test]
fn another_instances_autosave_is_neither_offered_nor_deleted_when_opening_read_only() {
    let (_dir, path) = saved("会见习近平");
    std::thread::sleep(Duration::from_millis(20));
    let recovery = recovery::recovery_path(&path);
    let theirs = project_file::to_json(&project("会见[习近平](PER)")).expect("serialisable");
    std::fs::write(&recovery, &theirs).expect("their live autosave");
    hold_lock(&path);
    let mut h = open(&path);
    h.get_by_label("Open read-only").click();
    h.run();
    assert_eq!(
        h.state().dialog,
        None,
        "no recovery offer for someone else's live work"
    );
    assert_eq!(std::fs::read_to_string(&recovery).expect("kept"), theirs);
}

#[test]
fn save_as_onto_the_file_opened_read_only_is_refused() {
    let (_dir, path) = saved("会见[习近平](PER)");
    hold_lock(&path);
    let before = std::fs::read(&path).expect("read");
    let mut h = open(&path);
    h.get_by_label("Open read-only").click();
    h.run();
    assert!(!h.state_mut().save_to(&path));
    h.run();
    h.get_by_label_contains("is open read-only here");
    assert_eq!(std::fs::read(&path).expect("read"), before);
}

#[test]
fn reanchoring_keeps_this_instances_lock() {
    let (_dir, path) = saved("会见[习近平](PER)");
    let json = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        json.replacen("\"会见习近平\"", "\"我们会见习近平\"", 1),
    )
    .expect("w");
    let mut h = open(&path);
    h.get_by_label_contains("Re-anchor 1 spans").click();
    h.run();
    assert_eq!(lock::inspect(&path), lock::LockState::Ours);
    assert_eq!(
        markup_of(&h.state().editor.project),
        "我们会见[习近平](PER)"
    );
}

#[test]
fn save_as_elsewhere_takes_the_old_files_recovery_copy_with_it() {
    let (dir, path) = saved("会见习近平");
    let mut h = open(&path);
    tag(&mut h, 2, 5, Key::Num1);
    let old_recovery = recovery::recovery_path(&path);
    wait_for(&mut h, "the recovery file", || old_recovery.exists());
    let other = dir.path().join("other.json");
    assert!(h.state_mut().save_to(&other));
    wait_for(&mut h, "the old recovery file to go", || {
        !old_recovery.exists()
    });
    assert_eq!(lock::inspect(&path), lock::LockState::Free);
    assert_eq!(lock::inspect(&other), lock::LockState::Ours);
}

#[test]
fn a_note_being_typed_is_kept_when_saving() {
    let (_dir, path) = saved("会见[习近平](PER)");
    let mut h = open(&path);
    let id = h.state().editor.project.documents[0]
        .spans
        .iter()
        .next()
        .map(|s| s.id)
        .expect("span");
    h.state_mut().select_span(id, false);
    h.run();
    h.get_by_label("Note").click();
    h.run();
    h.get_by_label("Note").type_text("主席");
    h.run();
    // Ctrl+S while the field still has focus.
    h.key_press_modifiers(Modifiers::COMMAND, Key::S);
    h.run();
    let saved = project_file::load(&path).expect("loads");
    assert_eq!(
        saved.documents[0]
            .spans
            .get(id)
            .and_then(|s| s.note.clone())
            .as_deref(),
        Some("主席")
    );
}

fn untitled_app(dir: &Path) -> Harness<'static, SpantagApp> {
    let own = recovery::untitled_path(dir);
    let mut h = Harness::builder()
        .with_size(vec2(1280.0, 800.0))
        .build_eframe(move |cc| {
            let mut app = SpantagApp::new(&cc.egui_ctx, project("会见习近平"), None);
            app.untitled_recovery = Some(own);
            app.offer_untitled_recoveries();
            app
        });
    h.run();
    h
}

#[test]
fn a_project_with_no_file_is_autosaved_too_and_saving_removes_that_copy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = untitled_app(dir.path());
    tag(&mut h, 2, 5, Key::Num1);
    let own = recovery::untitled_path(dir.path());
    wait_for(&mut h, "the untitled recovery file", || own.exists());
    assert_eq!(
        markup_of(&project_file::load(&own).expect("loads")),
        "会见[习近平](PER)"
    );
    assert!(h.state_mut().save_to(&dir.path().join("now-saved.json")));
    wait_for(&mut h, "the untitled recovery file to go", || !own.exists());
}

#[test]
fn unsaved_work_of_a_crashed_session_without_a_file_is_offered_at_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = std::process::Command::new("true").spawn().expect("spawn");
    let dead = child.id();
    child.wait().expect("wait");
    let orphan = dir.path().join(format!("untitled-{dead}.autosave.json"));
    std::fs::write(
        &orphan,
        project_file::to_json(&project("[古巴](GPE)共产党")).expect("serialisable"),
    )
    .expect("w");
    let mut h = untitled_app(dir.path());
    h.get_by_label("Unsaved work was found");
    h.get_by_label_contains("1 spans added");
    h.get_by_label("Restore").click();
    h.run();
    assert_eq!(markup_of(&h.state().editor.project), "[古巴](GPE)共产党");
    assert!(h.state().path.is_none());
    assert!(h.state().editor.is_dirty());
    assert!(!orphan.exists());
    assert!(
        recovery::untitled_path(dir.path()).exists(),
        "it goes on as this session's copy"
    );
}

#[test]
fn the_windows_folder_export_replaces_an_earlier_export_whole_and_refuses_other_folders() {
    use spantag::core::formats::{EXPORT_MARKER, ExportOptions, Format};
    let (dir, path) = saved("会见[习近平](PER)");
    let mut h = open(&path);
    let out = dir.path().join("brat");
    std::fs::create_dir(&out).expect("mkdir");
    std::fs::write(out.join(EXPORT_MARKER), "").expect("marker");
    std::fs::write(out.join("stale.ann"), "T1\tPER 0 2\t会见\n").expect("stale");
    h.state_mut()
        .export_to(Format::Brat, &ExportOptions::default(), &out);
    h.run();
    assert!(matches!(h.state().dialog, Some(Dialog::Info { .. })));
    assert!(
        !out.join("stale.ann").exists(),
        "replaced whole, not merged"
    );
    assert!(out.join("d1.ann").is_file() && out.join(EXPORT_MARKER).is_file());

    let theirs = dir.path().join("theirs");
    std::fs::create_dir(&theirs).expect("mkdir");
    std::fs::write(theirs.join("notes.txt"), "mine").expect("w");
    h.state_mut().dialog = None;
    h.state_mut()
        .export_to(Format::Brat, &ExportOptions::default(), &theirs);
    h.run();
    let Some(Dialog::Error { message, .. }) = h.state().dialog.clone() else {
        panic!("expected an error, got {:?}", h.state().dialog);
    };
    assert!(message.contains("did not export"), "{message}");
    let left: Vec<_> = std::fs::read_dir(&theirs)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(left, ["notes.txt"]);
}
