//! brat standoff: `NAME.txt` (the exact text) beside `NAME.ann`, plus `annotation.conf`.
//!
//! Offsets are code points into the `.txt` (brat's server slices a Python 3 `str`). A
//! discontinuous mention is one `T` line with fragments `s e;s e` and its surface text joined
//! by one space; Spantag keeps each fragment as its own span, the fragments sharing a group id.
//! `A`, `M`, `R`, `E`, `N`, `*` lines and notes other than `AnnotatorNotes` are not modelled:
//! import counts them by kind and leaves them out.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::builder::SpanDraft;
use super::{
    ExportError, ExportReport, ImportError, Offsets, OutputFile, ProjectBuilder, accepted,
    check_alignment,
};
use crate::core::document::Document;
use crate::core::label::LabelSet;
use crate::core::project::AnnotatedDocument;
use crate::core::span::Span;

/// File names are cut to this many bytes (before `-N` and the extension), so that a long id
/// (86 Chinese characters are 258 bytes) stays under the usual 255-byte limit.
const MAX_NAME_BYTES: usize = 200;

/// A document id made into a file name: path separators, characters Windows refuses and
/// control characters become `_`, and a leading dot (a hidden file) is replaced. A name over
/// [`MAX_NAME_BYTES`] is shortened and ends in a hash of the whole id, so that long ids that
/// share a beginning still get different names.
pub fn file_name(id: &str) -> String {
    let mut name: String = id
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    if name.starts_with('.') {
        name.replace_range(0..1, "_");
    }
    if name.trim().is_empty() {
        name = "document".to_owned();
    }
    if name.len() > MAX_NAME_BYTES {
        let hash = crate::core::document::sha256_hex(id);
        let mut cut = MAX_NAME_BYTES - 17;
        while !name.is_char_boundary(cut) {
            cut -= 1;
        }
        name = format!("{}-{}", &name[..cut], &hash[..16]);
    }
    name
}

/// `annotation.conf` with the labels as entity types and the other sections empty (brat warns
/// about a missing section).
pub fn annotation_conf(labels: &LabelSet) -> String {
    let mut conf = String::from("[entities]\n");
    for label in labels.iter() {
        conf.push_str(&label.name);
        conf.push('\n');
    }
    conf.push_str("\n[relations]\n\n[events]\n\n[attributes]\n");
    conf
}

pub fn write(
    docs: &[&AnnotatedDocument],
    labels: &LabelSet,
    report: &mut ExportReport,
) -> Result<Vec<OutputFile>, ExportError> {
    let mut files = Vec::new();
    let mut used = HashSet::new();
    for doc in docs {
        let base = file_name(&doc.document.id);
        let mut name = base.clone();
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        let ann = write_ann(doc, report)?;
        let document = Some(doc.document.id.clone());
        files.push(OutputFile {
            document: document.clone(),
            path: PathBuf::from(format!("{name}.txt")),
            bytes: doc.document.text().as_bytes().to_vec(),
        });
        files.push(OutputFile {
            document,
            path: PathBuf::from(format!("{name}.ann")),
            bytes: ann.into_bytes(),
        });
    }
    files.push(OutputFile {
        document: None,
        path: PathBuf::from("annotation.conf"),
        bytes: annotation_conf(labels).into_bytes(),
    });
    Ok(files)
}

/// The `.ann` of one document: T lines in document order, each followed by its note.
fn write_ann(doc: &AnnotatedDocument, report: &mut ExportReport) -> Result<String, ExportError> {
    let document = &doc.document;
    // One entry per T line: a lone span, or the fragments of a group.
    let mut mentions: Vec<Vec<&Span>> = Vec::new();
    let mut group_at: HashMap<u64, usize> = HashMap::new();
    for span in accepted(doc) {
        match span.group {
            Some(g) => match group_at.get(&g) {
                Some(&i) => mentions[i].push(span),
                None => {
                    group_at.insert(g, mentions.len());
                    mentions.push(vec![span]);
                }
            },
            None => mentions.push(vec![span]),
        }
    }
    // brat needs one type per T line and fragments that do not overlap; a group that breaks
    // either is written as separate T lines, with a warning.
    let mut lines: Vec<Vec<&Span>> = Vec::new();
    for mut fragments in mentions {
        fragments.sort_by_key(|s| s.sort_key());
        let same_label = fragments.iter().all(|s| s.label == fragments[0].label);
        let disjoint = fragments.windows(2).all(|w| w[0].end <= w[1].start);
        if same_label && disjoint {
            lines.push(fragments);
        } else {
            report.warnings.push(format!(
                "brat: document \"{}\": group {} mixes labels or overlapping fragments, so its {} spans are written as separate T lines",
                document.id,
                fragments[0].group.unwrap_or_default(),
                fragments.len()
            ));
            lines.extend(fragments.into_iter().map(|s| vec![s]));
        }
    }
    let mut ann = String::new();
    let mut note_number = 0;
    for (t, fragments) in lines.iter().enumerate() {
        let t = t + 1;
        let mut ranges = Vec::new();
        let mut surfaces = Vec::new();
        for span in fragments {
            let (start, end, surface) = check_alignment(document, span, Offsets::Codepoint)?;
            if !surface.contains(breaks_ann_line) {
                ranges.push(format!("{start} {end}"));
                surfaces.push(surface);
                continue;
            }
            // A .ann line cannot hold a line break or tab: like brat itself, write a span that
            // crosses one as fragments around it (one discontinuous T line).
            report.warnings.push(format!(
                "brat: document \"{}\", span {} [{start}, {end}) crosses a line break or tab (as Python counts line breaks), so it is written as a discontinuous span around it (as brat does); it imports back as a group of fragments",
                document.id, span.id
            ));
            let mut run: Option<usize> = None;
            for (i, c) in surface.chars().chain(std::iter::once('\n')).enumerate() {
                let breaks = breaks_ann_line(c);
                match (run, breaks) {
                    (None, false) => run = Some(i),
                    (Some(from), true) => {
                        ranges.push(format!("{} {}", start + from, start + i));
                        surfaces.push(surface.chars().skip(from).take(i - from).collect());
                        run = None;
                    }
                    _ => {}
                }
            }
        }
        let label = &fragments[0].label;
        ann.push_str(&format!(
            "T{t}\t{label} {}\t{}\n",
            ranges.join(";"),
            surfaces.join(" ")
        ));
        let mut notes: Vec<&str> = Vec::new();
        for span in fragments {
            if let Some(note) = span.note.as_deref()
                && !notes.contains(&note)
            {
                notes.push(note);
            }
        }
        if !notes.is_empty() {
            note_number += 1;
            let note = notes.join(" ");
            let flat = note.replace(breaks_ann_line, " ");
            if flat != note {
                report.warnings.push(format!(
                    "brat: document \"{}\", T{t}: the note's line breaks and tabs are written as spaces (a .ann line cannot hold them)",
                    document.id
                ));
            }
            ann.push_str(&format!("#{note_number}\tAnnotatorNotes T{t}\t{flat}\n"));
        }
    }
    Ok(ann)
}

/// Whether `c` cannot stand inside a `.ann` line: a tab (the field separator) or a character
/// Python's `str.splitlines` breaks lines at, as brat reads `.ann` files with it (`\n`, `\r`,
/// vertical tab, form feed, the file/group/record separators, NEL, U+2028 and U+2029).
pub fn breaks_ann_line(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n'
            | '\r'
            | '\x0b'
            | '\x0c'
            | '\x1c'
            | '\x1d'
            | '\x1e'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

// ---- Import -------------------------------------------------------------------------------------

/// A `.txt` file to read, and whether it was found in a folder (rather than named).
struct TextFile {
    path: PathBuf,
    in_folder: bool,
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// The `.txt` files to read: each input file (a `.ann` stands for its `.txt`), or every `.txt`
/// in an input folder, sorted by name. A file named on the command line may be a symbolic
/// link; links found inside a folder are skipped and reported, since a folder of annotations
/// has no business pointing elsewhere (a `readme.txt` linking to a system file would become a
/// document).
fn text_files(
    inputs: &[PathBuf],
    builder: &mut ProjectBuilder,
) -> Result<Vec<TextFile>, ImportError> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let entries = std::fs::read_dir(input)
                .map_err(|e| ImportError::new(input, None, format!("cannot read folder: {e}")))?;
            let mut found = Vec::new();
            for entry in entries.filter_map(Result::ok) {
                let path = entry.path();
                if path.extension().is_none_or(|x| x != "txt") {
                    continue;
                }
                // The entry's own type: a link is not followed.
                match entry.file_type() {
                    Ok(t) if t.is_symlink() => builder.warn(format!(
                        "{}: a symbolic link inside the folder; skipped (name the file itself to import what it points to)",
                        path.display()
                    )),
                    Ok(t) if t.is_file() => found.push(path),
                    _ => {}
                }
            }
            found.sort();
            if found.is_empty() {
                return Err(ImportError::new(
                    input,
                    None,
                    "no .txt files in this folder",
                ));
            }
            files.extend(found.into_iter().map(|path| TextFile {
                path,
                in_folder: true,
            }));
        } else if input.extension().is_some_and(|x| x == "ann") {
            files.push(TextFile {
                path: input.with_extension("txt"),
                in_folder: false,
            });
        } else {
            files.push(TextFile {
                path: input.clone(),
                in_folder: false,
            });
        }
    }
    Ok(files)
}

/// Entity types of an `annotation.conf`, in order (`!Abstract` types and comments skipped).
fn conf_entities(conf: &str) -> Vec<String> {
    let mut section = "";
    let mut names = Vec::new();
    let mut seen = HashSet::new();
    for line in conf.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            section = trimmed;
            continue;
        }
        if (section == "[entities]" || section == "[spans]") && !trimmed.starts_with('!') {
            let name = trimmed.split_whitespace().next().unwrap_or_default();
            if !name.is_empty() && seen.insert(name) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

pub fn read(inputs: &[PathBuf], builder: &mut ProjectBuilder) -> Result<(), ImportError> {
    let files = text_files(inputs, builder)?;
    // annotation.conf beside the files gives the label order.
    let mut order = Vec::new();
    let mut ordered = HashSet::new();
    let mut seen_dirs = HashSet::new();
    for file in &files {
        let dir = file.path.parent().unwrap_or(Path::new(".")).to_owned();
        if !seen_dirs.insert(dir.clone()) {
            continue;
        }
        let conf_path = dir.join("annotation.conf");
        if file.in_folder && is_link(&conf_path) {
            builder.warn(format!(
                "{}: a symbolic link inside the folder; not read",
                conf_path.display()
            ));
            continue;
        }
        if let Ok(conf) = std::fs::read_to_string(&conf_path) {
            builder.count_input(conf.len());
            for name in conf_entities(&conf) {
                if ordered.insert(name.clone()) {
                    order.push(name);
                }
            }
        }
    }
    builder.set_label_order(order);
    for file in &files {
        let ann = file.path.with_extension("ann");
        if file.in_folder && is_link(&ann) {
            builder.warn(format!(
                "{}: a symbolic link inside the folder; skipped with its .txt",
                ann.display()
            ));
            continue;
        }
        read_pair(&file.path, builder)?;
    }
    Ok(())
}

/// A T line as read.
struct TextBound {
    id: String,
    label: String,
    fragments: Vec<(usize, usize)>,
    line: usize,
}

fn read_pair(txt: &Path, builder: &mut ProjectBuilder) -> Result<(), ImportError> {
    let doc = builder.add_text_file(txt)?;
    let ann_path = txt.with_extension("ann");
    if !ann_path.exists() {
        builder.warn(format!(
            "{}: no .ann beside it; imported without spans",
            txt.display()
        ));
        return Ok(());
    }
    let ann = builder.read_input(&ann_path)?;
    let mut bounds = Vec::new();
    let mut notes: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
    for (i, line) in ann.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.splitn(3, '\t');
        let id = fields.next().unwrap_or_default();
        let data = fields.next().unwrap_or_default();
        let tail = fields.next();
        let kind = id.chars().next().unwrap_or(' ');
        match kind {
            'T' => match parse_text_bound(id, data, n) {
                Ok(t) => {
                    let surface = match builder.document(doc) {
                        Some(document) => check_surface(document, &t, tail),
                        None => Ok(()),
                    };
                    match surface {
                        Ok(()) => bounds.push(t),
                        Err(reason) => {
                            builder.skip_or_fail(ImportError::new(&ann_path, Some(n), reason))?
                        }
                    };
                }
                Err(reason) => builder.skip_or_fail(ImportError::new(&ann_path, Some(n), reason))?,
            },
            '#' => {
                let mut parts = data.split_whitespace();
                let note_type = parts.next().unwrap_or_default();
                let target = parts.next().unwrap_or_default();
                if note_type == "AnnotatorNotes" {
                    notes
                        .entry(target.to_owned())
                        .or_default()
                        .push((tail.unwrap_or_default().to_owned(), n));
                } else {
                    builder.leave_out(format!("# {note_type} (note)"));
                }
            }
            'A' => builder.leave_out("A (attribute)"),
            'M' => builder.leave_out("M (modification)"),
            'R' => builder.leave_out("R (relation)"),
            'E' => builder.leave_out("E (event)"),
            'N' => builder.leave_out("N (normalization)"),
            '*' => builder.leave_out("* (equivalence)"),
            _ => builder.skip_or_fail(ImportError::new(
                &ann_path,
                Some(n),
                format!("unknown annotation line \"{line}\" (brat lines start with T, A, M, R, E, N, * or #)"),
            ))?,
        }
    }
    let known: HashSet<&str> = bounds.iter().map(|t| t.id.as_str()).collect();
    for (target, list) in &notes {
        if !known.contains(target.as_str()) {
            for (_, n) in list {
                let reason = if target.starts_with('T') {
                    format!("the note is on {target}, which is not a (valid) T line of this file")
                } else {
                    format!("the note is on {target}; only notes on T lines are imported")
                };
                builder.skip_or_fail(ImportError::new(&ann_path, Some(*n), reason))?;
            }
        }
    }
    for t in bounds {
        let mut note = notes.get(&t.id).map(|list| {
            list.iter()
                .map(|(note, _)| note.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        });
        let group = (t.fragments.len() > 1).then(|| builder.new_group());
        // A group's note is stored once, on its first fragment (docs/FORMAT.md): a copy per
        // fragment turned 20,000 fragments and a 100 KB note into a 2 GB project.
        for (start, end) in &t.fragments {
            let mut draft = SpanDraft::new(*start, *end, t.label.clone());
            draft.note = note.take();
            draft.group = group;
            if let Err(reason) = builder.add_span(doc, draft) {
                builder.skip_or_fail(ImportError::new(&ann_path, Some(t.line), reason))?;
            }
        }
    }
    Ok(())
}

/// `TYPE START END[;START END...]`.
fn parse_text_bound(id: &str, data: &str, line: usize) -> Result<TextBound, String> {
    let bad = || format!("{id}: expected \"TYPE START END[;START END]\", found \"{data}\"");
    let (label, ranges) = data.split_once(' ').ok_or_else(bad)?;
    let mut fragments = Vec::new();
    for range in ranges.split(';') {
        let mut numbers = range.split_whitespace();
        let (Some(s), Some(e), None) = (numbers.next(), numbers.next(), numbers.next()) else {
            return Err(bad());
        };
        let s: usize = s.parse().map_err(|_| bad())?;
        let e: usize = e.parse().map_err(|_| bad())?;
        fragments.push((s, e));
    }
    Ok(TextBound {
        id: id.to_owned(),
        label: label.to_owned(),
        fragments,
        line,
    })
}

/// The T line's text must be the text at its offsets (fragments joined by one space). An
/// offset past the end is left for the span check, which says so. Compared fragment by
/// fragment against the recorded text, so the cost is that of the line, whatever the
/// fragments cover.
fn check_surface(document: &Document, t: &TextBound, tail: Option<&str>) -> Result<(), String> {
    // brat fills an empty text in from the document.
    let Some(recorded) = tail.filter(|t| !t.is_empty()) else {
        return Ok(());
    };
    let len = document.char_len();
    if t.fragments.iter().any(|&(s, e)| e > len || s > e) {
        return Ok(());
    }
    let mut rest = Some(recorded);
    for (i, &(s, e)) in t.fragments.iter().enumerate() {
        let separated = if i == 0 {
            rest
        } else {
            rest.and_then(|r| r.strip_prefix(' '))
        };
        rest = separated.and_then(|r| r.strip_prefix(document.slice(s, e)));
    }
    if rest == Some("") {
        return Ok(());
    }
    // What the .txt has there, cut short when the fragments cover far more than the line says.
    let mut actual = String::new();
    for (i, &(s, e)) in t.fragments.iter().enumerate() {
        if i > 0 {
            actual.push(' ');
        }
        actual.push_str(document.slice(s, e));
        if actual.len() > recorded.len() + 200 {
            actual.push('…');
            break;
        }
    }
    let spans: Vec<String> = t
        .fragments
        .iter()
        .take(20)
        .map(|(s, e)| format!("[{s}, {e})"))
        .collect();
    let more = if t.fragments.len() > 20 { ";…" } else { "" };
    Err(format!(
        "{} records the text \"{recorded}\" at {}{more}, but the .txt has \"{actual}\" there",
        t.id,
        spans.join(";")
    ))
}
