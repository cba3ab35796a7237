//! brat standoff: `NAME.txt` (the exact text) beside `NAME.ann`, plus `annotation.conf`.
//!
//! Offsets are code points into the `.txt` (brat's server slices a Python 3 `str`). A
//! discontinuous mention is one `T` line with fragments `s e;s e` and its surface text joined
//! by one space; Spantag keeps each fragment as its own span, the fragments sharing a group id.
//!
//! Modelled: `T` (spans), `R` between two `T`s with the roles `Arg1` and `Arg2` (relations),
//! `A` on a `T` (attribute values: a binary one is a flag), `AnnotatorNotes` on a `T` or a
//! relation (notes). Every other line (`E`, `N`, `*`, `M`, other notes, `A`/`R`/`#` on things
//! that are not spans) is kept as read, naming its spans by id ([`StandoffLine`]), and written
//! back. Export numbers `T` lines by position, then `A` lines by span and attribute order, `R`
//! lines by relation id and notes in the order written, each kind skipping the ids the kept
//! lines hold: a corpus written that way (as brat's own tools do) comes back line for line.
//! `annotation.conf` is read and written by [`super::brat_conf`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::builder::{RelationDraft, SpanDraft, StandoffDraft};
use super::{
    ExportError, ExportReport, ImportError, Offsets, ProjectBuilder, Sink, accepted, brat_conf,
    check_alignment,
};
use crate::core::attribute::{AttributeDef, AttributeKind, FLAG_SET};
use crate::core::document::Document;
use crate::core::project::{AnnotatedDocument, Project};
use crate::core::span::{Span, SpanId, SpanStatus};

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

pub fn write(
    docs: &[&AnnotatedDocument],
    project: &Project,
    report: &mut ExportReport,
    sink: &mut dyn Sink,
) -> Result<(), ExportError> {
    let mut used = HashSet::new();
    let mut text_values: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for doc in docs {
        let base = file_name(&doc.document.id);
        let mut name = base.clone();
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        let document = Some(doc.document.id.clone());
        // The text straight from the document (no copy of it).
        sink.file(PathBuf::from(format!("{name}.txt")), document.clone())?
            .write_all(doc.document.text().as_bytes())
            .map_err(ExportError::Io)?;
        let ann = sink.file(PathBuf::from(format!("{name}.ann")), document)?;
        write_ann(doc, project, &mut text_values, report, ann)?;
    }
    let conf = brat_conf::write(
        &project.labels,
        project.relation_types(),
        project.attributes(),
        &text_values,
    );
    sink.file(PathBuf::from("annotation.conf"), None)?
        .write_all(conf.as_bytes())
        .map_err(ExportError::Io)
}

/// Hands out brat ids of one kind (`A`, `R`, `#`) in order, skipping those a kept line holds.
struct Numbers<'a> {
    prefix: char,
    next: usize,
    taken: &'a HashSet<&'a str>,
}

impl Numbers<'_> {
    fn next(&mut self) -> String {
        loop {
            let id = format!("{}{}", self.prefix, self.next);
            self.next += 1;
            if !self.taken.contains(id.as_str()) {
                return id;
            }
        }
    }
}

/// A note as one `.ann` field: line breaks and tabs become spaces, with a warning.
fn flat_note(note: &str, document: &str, on: &str, report: &mut ExportReport) -> String {
    let flat = note.replace(breaks_ann_line, " ");
    if flat != note {
        report.warnings.push(format!(
            "brat: document \"{document}\", {on}: the note's line breaks and tabs are written as spaces (a .ann line cannot hold them)"
        ));
    }
    flat
}

/// Whether a group's fragments fit one T line: brat needs one type per T line and fragments
/// that do not overlap (`fragments` are in document order).
fn one_t_line(fragments: &[&Span]) -> bool {
    fragments.iter().all(|s| s.label == fragments[0].label)
        && fragments.windows(2).all(|w| w[0].end <= w[1].start)
}

/// The `.ann` of one document, written line by line into `out`: T lines in document order,
/// each followed by its note and its attributes; then the relations, each followed by its
/// note; then the kept lines. Nothing is kept per span but the T ids of the spans a relation
/// or a kept line names.
fn write_ann(
    doc: &AnnotatedDocument,
    project: &Project,
    text_values: &mut BTreeMap<String, Vec<String>>,
    report: &mut ExportReport,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    let document = &doc.document;
    // The fragments of each group, in document order; a group's T line is written at its
    // first fragment.
    let mut groups: HashMap<u64, Vec<&Span>> = HashMap::new();
    for span in accepted(doc) {
        if let Some(g) = span.group {
            groups.entry(g).or_default().push(span);
        }
    }
    let fragments_from = |span: &Span| {
        span.group
            .and_then(|g| groups.get(&g))
            .filter(|fragments| fragments[0].id == span.id)
    };
    // A group one T line cannot hold is written as separate T lines; the warnings come first.
    for span in accepted(doc) {
        if let Some(fragments) = fragments_from(span)
            && !one_t_line(fragments)
        {
            report.warnings.push(format!(
                "brat: document \"{}\": group {} mixes labels or overlapping fragments, so its {} spans are written as separate T lines",
                document.id,
                fragments[0].group.unwrap_or_default(),
                fragments.len()
            ));
        }
    }
    let taken: HashSet<&str> = doc
        .standoff
        .iter()
        .map(|l| l.line.split('\t').next().unwrap_or_default())
        .collect();
    let mut ann = AnnWriter {
        document,
        defs: project.attributes(),
        named: doc
            .relations
            .iter()
            .flat_map(|r| [r.from, r.to])
            .chain(doc.standoff.iter().flat_map(|l| l.spans.values().copied()))
            .collect(),
        t_ids: HashMap::new(),
        notes: Numbers {
            prefix: '#',
            next: 1,
            taken: &taken,
        },
        attribute_ids: Numbers {
            prefix: 'A',
            next: 1,
            taken: &taken,
        },
        text_values,
        report,
        out,
    };
    let mut t = 0;
    for span in accepted(doc) {
        let fragments = match (span.group, fragments_from(span)) {
            (None, _) => std::slice::from_ref(&span),
            (Some(_), None) => continue, // not the group's first fragment
            (Some(_), Some(fragments)) => fragments.as_slice(),
        };
        if one_t_line(fragments) {
            t += 1;
            ann.t_line(t, fragments)?;
        } else {
            for fragment in fragments {
                t += 1;
                ann.t_line(t, std::slice::from_ref(fragment))?;
            }
        }
    }
    let AnnWriter {
        t_ids,
        mut notes,
        report,
        out,
        ..
    } = ann;
    let t_id = |id: &SpanId| t_ids.get(id).map(|t| format!("T{t}"));
    let mut relation_ids = Numbers {
        prefix: 'R',
        next: 1,
        taken: &taken,
    };
    let mut left_out = 0;
    for relation in doc.relations.iter() {
        let ends = (t_id(&relation.from), t_id(&relation.to));
        let (Some(from), Some(to)) = ends else {
            left_out += 1;
            continue;
        };
        if relation.status != SpanStatus::Accepted {
            left_out += 1;
            continue;
        }
        let r = relation_ids.next();
        writeln!(out, "{r}\t{} Arg1:{from} Arg2:{to}", relation.kind).map_err(ExportError::Io)?;
        if let Some(note) = &relation.note {
            let flat = flat_note(note, &document.id, &r, report);
            writeln!(out, "{}\tAnnotatorNotes {r}\t{flat}", notes.next())
                .map_err(ExportError::Io)?;
        }
    }
    if left_out > 0 {
        report.warnings.push(format!(
            "brat: document \"{}\": {left_out} relations are not exported (they are not accepted, or join a span that is not)",
            document.id
        ));
    }
    for line in &doc.standoff {
        match line.renamed(|id| t_id(&id)) {
            Ok(renamed) => writeln!(out, "{renamed}").map_err(ExportError::Io)?,
            Err(id) => report.warnings.push(format!(
                "brat: document \"{}\": the kept line \"{}\" names span {id}, which is not exported (gone, or not accepted); left out",
                document.id, line.line
            )),
        }
    }
    Ok(())
}

/// What writing a document's T lines needs as it goes.
struct AnnWriter<'a> {
    document: &'a Document,
    defs: &'a [AttributeDef],
    /// The spans a relation or a kept line names: their T numbers go into `t_ids`.
    named: HashSet<SpanId>,
    t_ids: HashMap<SpanId, usize>,
    notes: Numbers<'a>,
    attribute_ids: Numbers<'a>,
    text_values: &'a mut BTreeMap<String, Vec<String>>,
    report: &'a mut ExportReport,
    out: &'a mut dyn Write,
}

impl AnnWriter<'_> {
    /// T line `t` of `fragments` (one span, or a group's fragments in document order), its
    /// note and its attributes.
    fn t_line(&mut self, t: usize, fragments: &[&Span]) -> Result<(), ExportError> {
        let document = self.document;
        let report = &mut *self.report;
        let mut ranges = Vec::new();
        let mut surfaces = Vec::new();
        for span in fragments {
            if self.named.contains(&span.id) {
                self.t_ids.insert(span.id, t);
            }
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
        let t = format!("T{t}");
        let label = &fragments[0].label;
        let out = &mut *self.out;
        writeln!(
            out,
            "{t}\t{label} {}\t{}",
            ranges.join(";"),
            surfaces.join(" ")
        )
        .map_err(ExportError::Io)?;
        let mut texts: Vec<&str> = Vec::new();
        for span in fragments {
            if let Some(note) = span.note.as_deref()
                && !texts.contains(&note)
            {
                texts.push(note);
            }
        }
        if !texts.is_empty() {
            let flat = flat_note(&texts.join(" "), &document.id, &t, report);
            writeln!(out, "{}\tAnnotatorNotes {t}\t{flat}", self.notes.next())
                .map_err(ExportError::Io)?;
        }
        // The attributes of the mention (a group's are on its fragments, first wins), in the
        // order of the definitions, then the undefined ones by name.
        let defs = self.defs;
        let mut values: Vec<(&str, &str)> = Vec::new();
        for span in fragments {
            for (name, value) in &span.attributes {
                if !values.iter().any(|(n, _)| n == name) {
                    values.push((name, value));
                }
            }
        }
        values.sort_by_key(|(name, _)| {
            (
                defs.iter()
                    .position(|d| d.name == *name)
                    .unwrap_or(usize::MAX),
                *name,
            )
        });
        for (name, value) in values {
            if value.chars().any(|c| breaks_ann_line(c) || c == ' ') || value.is_empty() {
                report.warnings.push(format!(
                    "brat: document \"{}\", {t}: attribute {name}'s value \"{value}\" is empty or holds a space, tab or line break, which an A line cannot; left out",
                    document.id
                ));
                continue;
            }
            let def = defs.iter().find(|d| d.name == name);
            let id = self.attribute_ids.next();
            match def.map(|d| d.kind) {
                Some(AttributeKind::Flag) if value == FLAG_SET => {
                    writeln!(out, "{id}\t{name} {t}").map_err(ExportError::Io)?;
                }
                kind => {
                    if kind == Some(AttributeKind::Text) {
                        let list = self.text_values.entry(name.to_owned()).or_default();
                        if !list.iter().any(|v| v == value) {
                            list.push(value.to_owned());
                        }
                    }
                    writeln!(out, "{id}\t{name} {t} {value}").map_err(ExportError::Io)?;
                }
            }
        }
        Ok(())
    }
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

/// What the import learns about attributes over all files: the definitions (from
/// `annotation.conf`, else from the values seen), and the orders in which spans list them.
#[derive(Default)]
struct AttributeSchema {
    defs: Vec<AttributeDef>,
    /// Names read from an `annotation.conf` (their definitions are not widened by the data).
    configured: HashSet<String>,
    /// `a` was listed before `b` on some span.
    before: HashSet<(String, String)>,
}

impl AttributeSchema {
    /// Record an attribute read from an `A` line; returns a warning when the configuration
    /// does not allow the value (it is kept: see [`crate::core::attribute`]).
    fn saw(&mut self, name: &str, value: Option<&str>) -> Option<String> {
        let configured = self.configured.contains(name);
        match self.defs.iter_mut().find(|d| d.name == name) {
            Some(def) if configured => match (def.kind, value) {
                (AttributeKind::Flag, None) => None,
                (AttributeKind::Choice, Some(v)) if def.values.iter().any(|x| x == v) => None,
                (_, value) => Some(format!(
                    "attribute {name} {}: annotation.conf does not allow it; kept",
                    value.map_or("without a value".to_owned(), |v| format!("value \"{v}\""))
                )),
            },
            Some(def) => {
                if let Some(v) = value {
                    def.kind = AttributeKind::Choice;
                    if !def.values.iter().any(|x| x == v) {
                        def.values.push(v.to_owned());
                    }
                }
                None
            }
            None => {
                let def = match value {
                    None => AttributeDef::new(name, AttributeKind::Flag, &[]),
                    Some(v) => AttributeDef::new(name, AttributeKind::Choice, &[v]),
                };
                self.defs.push(def);
                None
            }
        }
    }

    /// The definitions in an order every span's listing agrees with, when there is one (so
    /// that export numbers `A` lines as the input did), else as near to it as can be: among
    /// the definitions free to come next, the earliest in configuration and first-seen order.
    fn ordered(self) -> Vec<AttributeDef> {
        let mut rest = self.defs;
        let mut out = Vec::with_capacity(rest.len());
        while !rest.is_empty() {
            let free = rest
                .iter()
                .position(|d| {
                    !rest
                        .iter()
                        .any(|o| self.before.contains(&(o.name.clone(), d.name.clone())))
                })
                .unwrap_or(0);
            out.push(rest.remove(free));
        }
        out
    }
}

pub fn read(inputs: &[PathBuf], builder: &mut ProjectBuilder) -> Result<(), ImportError> {
    let files = text_files(inputs, builder)?;
    // annotation.conf beside the files gives the label order, relation types and attributes.
    let mut order = Vec::new();
    let mut ordered = HashSet::new();
    let mut relation_types = Vec::new();
    let mut attributes = AttributeSchema::default();
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
            let conf = brat_conf::parse(&conf);
            for name in conf.entities {
                if ordered.insert(name.clone()) {
                    order.push(name);
                }
            }
            for t in conf.relation_types {
                if !relation_types
                    .iter()
                    .any(|r: &crate::core::RelationType| r.name == t.name)
                {
                    relation_types.push(t);
                }
            }
            for a in conf.attributes {
                if attributes.configured.insert(a.name.clone()) {
                    attributes.defs.push(a);
                }
            }
        }
    }
    builder.set_label_order(order);
    // Relation types first, so those the data adds come after the configured ones.
    builder.set_schema(relation_types, Vec::new());
    for file in &files {
        let ann = file.path.with_extension("ann");
        if file.in_folder && is_link(&ann) {
            builder.warn(format!(
                "{}: a symbolic link inside the folder; skipped with its .txt",
                ann.display()
            ));
            continue;
        }
        read_pair(&file.path, builder, &mut attributes)?;
    }
    let relation_types = builder.relation_types().to_vec();
    builder.set_schema(relation_types, attributes.ordered());
    Ok(())
}

/// A T line as read.
struct TextBound {
    id: String,
    label: String,
    fragments: Vec<(usize, usize)>,
    line: usize,
    note: Option<String>,
    attributes: BTreeMap<String, String>,
}

/// A line other than T, split into its id, its second field and its text.
struct OtherLine<'a> {
    n: usize,
    line: &'a str,
    id: &'a str,
    data: &'a str,
    tail: Option<&'a str>,
}

impl OtherLine<'_> {
    /// The line's arguments that name T lines (`T3`, `Arg1:T3`), all of them.
    fn t_refs(&self) -> Vec<&str> {
        // The first word is the type (`Equiv`, `AnnotatorNotes`), except in an event, whose
        // first word is `TYPE:TRIGGER`.
        self.data
            .split(' ')
            .enumerate()
            .filter_map(|(i, token)| match token.rsplit_once(':') {
                Some((_, t)) => Some(t),
                None => (i > 0).then_some(token),
            })
            .filter(|t| is_t_id(t))
            .collect()
    }
}

fn is_t_id(token: &str) -> bool {
    token
        .strip_prefix('T')
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

fn read_pair(
    txt: &Path,
    builder: &mut ProjectBuilder,
    attributes: &mut AttributeSchema,
) -> Result<(), ImportError> {
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
    let place = |n: usize| format!("{}:{n}", ann_path.display());
    let mut bounds = Vec::new();
    let mut others = Vec::new();
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
            'A' | 'M' | 'R' | 'E' | 'N' | '*' | '#' => others.push(OtherLine {
                n,
                line,
                id,
                data,
                tail,
            }),
            _ => builder.skip_or_fail(ImportError::new(
                &ann_path,
                Some(n),
                format!("unknown annotation line \"{line}\" (brat lines start with T, A, M, R, E, N, * or #)"),
            ))?,
        }
    }
    let t_at: HashMap<String, usize> = bounds
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.clone(), i))
        .collect();
    // Relations first (notes attach to them), then attributes and notes, then the rest kept.
    let mut relations: Vec<(String, RelationDraft)> = Vec::new();
    let mut kept: Vec<&OtherLine> = Vec::new();
    let mut order_on: HashMap<usize, Vec<String>> = HashMap::new();
    for other in &others {
        // Every T a line names must be a T line of this file that was read.
        if let Some(missing) = other.t_refs().into_iter().find(|t| !t_at.contains_key(*t)) {
            let reason = format!(
                "{} names {missing}, which is not a (valid) T line of this file",
                other.id
            );
            builder.skip_or_fail(ImportError::new(&ann_path, Some(other.n), reason))?;
            continue;
        }
        let mut words = other.data.split(' ');
        let head = words.next().unwrap_or_default();
        let args: Vec<&str> = words.collect();
        match other.id.chars().next() {
            Some('R') => {
                let arg = |role: &str| {
                    args.iter()
                        .find_map(|a| a.strip_prefix(role)?.strip_prefix(':'))
                        .filter(|t| t_at.contains_key(*t))
                };
                match (args.len(), arg("Arg1"), arg("Arg2")) {
                    (2, Some(from), Some(to)) if !head.is_empty() => relations.push((
                        other.id.to_owned(),
                        RelationDraft {
                            kind: head.to_owned(),
                            from: from.to_owned(),
                            to: to.to_owned(),
                            note: None,
                            place: place(other.n),
                        },
                    )),
                    _ => kept.push(other),
                }
            }
            Some('A') => match (args.first(), args.len()) {
                (Some(target), 1 | 2) if t_at.contains_key(*target) && !head.is_empty() => {
                    let value = args.get(1).copied();
                    if let Some(warning) = attributes.saw(head, value) {
                        builder.warn(format!("{}: {warning}", place(other.n)));
                    }
                    let i = t_at[*target];
                    bounds[i]
                        .attributes
                        .insert(head.to_owned(), value.unwrap_or(FLAG_SET).to_owned());
                    order_on.entry(i).or_default().push(head.to_owned());
                }
                _ => kept.push(other),
            },
            _ => kept.push(other),
        }
    }
    for names in order_on.values() {
        for (k, a) in names.iter().enumerate() {
            for b in &names[k + 1..] {
                attributes.before.insert((a.clone(), b.clone()));
            }
        }
    }
    // AnnotatorNotes on a T or a relation are their notes; every other line is kept as read.
    let mut standoff = Vec::new();
    for other in kept {
        let mut words = other.data.split(' ');
        let (note_type, target) = (words.next(), words.next());
        if other.id.starts_with('#')
            && note_type == Some("AnnotatorNotes")
            && words.next().is_none()
            && let Some(target) = target
        {
            let text = other.tail.unwrap_or_default().to_owned();
            let join = |note: &mut Option<String>| match note {
                Some(n) => {
                    n.push('\n');
                    n.push_str(&text);
                }
                None => *note = Some(text.clone()),
            };
            if let Some(&i) = t_at.get(target) {
                join(&mut bounds[i].note);
                continue;
            }
            if let Some((_, r)) = relations.iter_mut().find(|(id, _)| id == target) {
                join(&mut r.note);
                continue;
            }
        }
        standoff.push(StandoffDraft {
            line: other.line.to_owned(),
            keys: other.t_refs().into_iter().map(str::to_owned).collect(),
            place: place(other.n),
        });
    }
    for t in bounds {
        let mut note = t.note;
        let mut attributes = Some(t.attributes);
        let mut key = Some(t.id);
        let group = (t.fragments.len() > 1).then(|| builder.new_group());
        // A group's note, attributes and id are stored once, on its first fragment
        // (docs/FORMAT.md): a copy per fragment turned 20,000 fragments and a 100 KB note into
        // a 2 GB project.
        for (start, end) in &t.fragments {
            let mut draft = SpanDraft::new(*start, *end, t.label.clone());
            draft.note = note.take();
            draft.group = group;
            draft.key = key.take();
            draft.attributes = attributes.take().unwrap_or_default();
            if let Err(reason) = builder.add_span(doc, draft) {
                builder.skip_or_fail(ImportError::new(&ann_path, Some(t.line), reason))?;
            }
        }
    }
    for (_, relation) in relations {
        let line: usize = relation
            .place
            .rsplit(':')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        if let Err(reason) = builder.add_relation(doc, relation) {
            builder.skip_or_fail(ImportError::new(&ann_path, Some(line), reason))?;
        }
    }
    for line in standoff {
        builder.add_standoff(doc, line);
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
        note: None,
        attributes: BTreeMap::new(),
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
