//! Tag schemes: how an entity over a run of tokens is written as one tag per token, and read
//! back. Shared by the CoNLL reader and writer and the Hugging Face writer.
//!
//! Each scheme follows its own definition, not a loose reading of it:
//! - `bio` (IOB2): `B-X` begins every entity, `I-X` continues it.
//! - `iob1` (CoNLL-2003's original English files): `I-X` begins an entity unless the token
//!   before is inside an entity of type X, which it then continues; `B-X` only begins an
//!   entity right after another entity of type X (it splits two adjacent entities of one type).
//! - `bioes`: `B-X` begin, `I-X` inside, `E-X` end, `S-X` a one-token entity.
//! - `bilou` (what `spacy convert` reads): `B-` begin, `I-` inside, `L-` last, `U-` unit.
//! - `bmes` (MSRA, Resume, Weibo, YEDDA): `B-` begin, `M-` middle, `E-` end, `S-` single.
//!
//! `O` is outside every entity in all of them. Entities never cross a sentence.

use std::fmt;

/// A tag scheme (see the module documentation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// IOB2: every entity starts with `B-`, the rest of its tokens are `I-`.
    #[default]
    Bio,
    /// IOB1: `I-` everywhere; `B-` only where an entity follows one of the same type.
    Iob1,
    /// `B-` begin, `I-` inside, `E-` end, `S-` a one-token entity.
    Bioes,
    /// `B-` begin, `I-` inside, `L-` last, `U-` a one-token entity.
    Bilou,
    /// `B-` begin, `M-` middle, `E-` end, `S-` a one-token entity.
    Bmes,
}

/// One token's tag: `O`, or a prefix and a label written `B-PER`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tag<'a> {
    /// `O` outside every entity.
    pub prefix: char,
    /// Empty outside every entity.
    pub label: &'a str,
}

impl Tag<'_> {
    pub const OUTSIDE: Tag<'static> = Tag {
        prefix: 'O',
        label: "",
    };
}

impl fmt::Display for Tag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.label.is_empty() {
            write!(f, "{}", self.prefix)
        } else {
            write!(f, "{}-{}", self.prefix, self.label)
        }
    }
}

/// What a tag's prefix means in a scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Begin,
    Inside,
    End,
    Single,
}

impl Scheme {
    /// In the order auto-detection prefers them when several read a file the same way.
    pub const ALL: [Scheme; 5] = [
        Scheme::Bio,
        Scheme::Iob1,
        Scheme::Bioes,
        Scheme::Bmes,
        Scheme::Bilou,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scheme::Bio => "bio",
            Scheme::Iob1 => "iob1",
            Scheme::Bioes => "bioes",
            Scheme::Bilou => "bilou",
            Scheme::Bmes => "bmes",
        }
    }

    pub fn from_name(name: &str) -> Option<Scheme> {
        Scheme::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The prefixes the scheme writes, in the order of `hf`'s tag names.
    pub fn prefixes(self) -> &'static [&'static str] {
        match self {
            Scheme::Bio | Scheme::Iob1 => &["B", "I"],
            Scheme::Bioes => &["B", "I", "E", "S"],
            Scheme::Bilou => &["B", "I", "L", "U"],
            Scheme::Bmes => &["B", "M", "E", "S"],
        }
    }

    fn role(self, prefix: &str) -> Option<Role> {
        let [begin, inside, end, single] = match self {
            Scheme::Bio | Scheme::Iob1 => ["B", "I", "", ""],
            Scheme::Bioes => ["B", "I", "E", "S"],
            Scheme::Bilou => ["B", "I", "L", "U"],
            Scheme::Bmes => ["B", "M", "E", "S"],
        };
        match prefix {
            "" => None,
            p if p == begin => Some(Role::Begin),
            p if p == inside => Some(Role::Inside),
            p if p == end => Some(Role::End),
            p if p == single => Some(Role::Single),
            _ => None,
        }
    }

    /// Whether an entity must be closed by its own tag (`E-`, `L-`), or ends wherever the next
    /// tag does not continue it.
    fn ends_marked(self) -> bool {
        !matches!(self, Scheme::Bio | Scheme::Iob1)
    }

    /// The tags of `len` tokens holding `entities`: token ranges `[start, end)`, sorted,
    /// disjoint, non-empty and within `len`.
    pub fn encode(self, len: usize, entities: &[(usize, usize, &str)]) -> Vec<String> {
        let mut encoder = Encoder::new(self);
        let mut entities = entities.iter().peekable();
        (0..len)
            .map(|i| {
                while entities.next_if(|&&(_, end, _)| end <= i).is_some() {}
                let place = entities
                    .peek()
                    .filter(|&&&(start, _, _)| start <= i)
                    .map(|&&(start, end, label)| (label, i == start, i + 1 == end));
                encoder.tag(place).to_string()
            })
            .collect()
    }

    /// Read one sentence's tags. Entities with broken tags are left out of `entities`, and
    /// each break is a [`Problem`] (an entity is reported once, however many tags it has).
    pub fn decode<'a>(self, tags: &[&'a str]) -> Decoded<'a> {
        let mut decoded = Decoded::default();
        let mut open: Option<Open<'a>> = None;
        let ends_marked = self.ends_marked();
        // Close the open entity before token `at`; an entity of a scheme that marks ends may
        // only be closed by its end tag.
        let close = |open: &mut Option<Open<'a>>, at: usize, decoded: &mut Decoded<'a>| {
            let Some(entity) = open.take() else { return };
            if entity.broken {
                return;
            }
            if ends_marked {
                let end_tag = match self {
                    Scheme::Bilou => "L",
                    _ => "E",
                };
                decoded.problems.push(Problem {
                    token: entity.start,
                    message: format!(
                        "{} begins an entity that never ends: in {} an entity of more than one token ends with {end_tag}-{}, and none follows",
                        entity.tag,
                        self.name(),
                        entity.label
                    ),
                });
            } else {
                decoded.entities.push(Entity {
                    start: entity.start,
                    end: at,
                    label: entity.label,
                });
            }
        };
        for (i, &tag) in tags.iter().enumerate() {
            let Some((prefix, label)) = split_tag(tag) else {
                close(&mut open, i, &mut decoded);
                if tag != "O" {
                    decoded.problems.push(Problem {
                        token: i,
                        message: format!(
                            "unknown tag \"{tag}\" (expected O, or a prefix and a label such as B-PER)"
                        ),
                    });
                }
                continue;
            };
            let Some(role) = self.role(prefix) else {
                close(&mut open, i, &mut decoded);
                decoded.problems.push(Problem {
                    token: i,
                    message: format!(
                        "{tag} is not a tag of {}, whose prefixes are {}",
                        self.name(),
                        self.prefixes().join("-, ") + "-"
                    ),
                });
                // Whatever tags follow for this entity belong to the break just reported.
                open = Some(Open::broken(i, tag, label));
                continue;
            };
            let continues = open.as_ref().is_some_and(|e| e.label == label);
            match role {
                Role::Begin if self == Scheme::Iob1 && !continues => {
                    close(&mut open, i, &mut decoded);
                    decoded.problems.push(Problem {
                        token: i,
                        message: format!(
                            "{tag} follows {}: in iob1 a B- tag only splits two adjacent entities of one type (an entity begins with I-{label})",
                            describe(tags, i)
                        ),
                    });
                    open = Some(Open::broken(i, tag, label));
                }
                Role::Begin => {
                    close(&mut open, i, &mut decoded);
                    open = Some(Open::new(i, tag, label));
                }
                Role::Single => {
                    close(&mut open, i, &mut decoded);
                    decoded.entities.push(Entity {
                        start: i,
                        end: i + 1,
                        label,
                    });
                }
                Role::Inside | Role::End if continues => {
                    if role == Role::End {
                        let entity = open.take().expect("continues an open entity");
                        if !entity.broken {
                            decoded.entities.push(Entity {
                                start: entity.start,
                                end: i + 1,
                                label,
                            });
                        }
                    }
                }
                Role::Inside if self == Scheme::Iob1 => {
                    close(&mut open, i, &mut decoded);
                    open = Some(Open::new(i, tag, label));
                }
                Role::Inside | Role::End => {
                    close(&mut open, i, &mut decoded);
                    let begin = self.prefixes()[0];
                    let inside = self.prefixes()[1];
                    decoded.problems.push(Problem {
                        token: i,
                        message: format!(
                            "{tag} does not continue an entity: in {} {prefix}-{label} must follow {begin}-{label} or {inside}-{label}, and here it follows {}",
                            self.name(),
                            describe(tags, i)
                        ),
                    });
                    if role == Role::Inside {
                        open = Some(Open::broken(i, tag, label));
                    }
                }
            }
        }
        close(&mut open, tags.len(), &mut decoded);
        decoded.entities.sort_by_key(|e| e.start);
        decoded.problems.sort_by_key(|p| p.token);
        decoded
    }
}

/// Writes the tags of a text's tokens one at a time, in order: an export tags every character
/// of a long text, and a tag per character held for the whole text (a `String` each, cloned
/// once more per sentence) took 105 MB for the novel's 1.8 MB.
#[derive(Clone, Debug)]
pub struct Encoder<'a> {
    scheme: Scheme,
    /// The label of the entity that ended on the token before, if one did (iob1's `B-`).
    ended: Option<&'a str>,
}

impl<'a> Encoder<'a> {
    pub fn new(scheme: Scheme) -> Self {
        Self {
            scheme,
            ended: None,
        }
    }

    /// The next token's tag: `None` outside every entity, else the label of its entity and
    /// whether the token is the entity's first and its last.
    pub fn tag(&mut self, place: Option<(&'a str, bool, bool)>) -> Tag<'a> {
        let Some((label, first, last)) = place else {
            self.ended = None;
            return Tag::OUTSIDE;
        };
        let [begin, inside, end, single] = match self.scheme {
            Scheme::Bio => ['B', 'I', 'I', 'B'],
            Scheme::Iob1 => {
                // `B-` only where an entity of the same type ends right before.
                let first = if self.ended == Some(label) { 'B' } else { 'I' };
                [first, 'I', 'I', first]
            }
            Scheme::Bioes => ['B', 'I', 'E', 'S'],
            Scheme::Bilou => ['B', 'I', 'L', 'U'],
            Scheme::Bmes => ['B', 'M', 'E', 'S'],
        };
        let prefix = match (first, last) {
            (true, true) => single,
            (true, false) => begin,
            (false, true) => end,
            (false, false) => inside,
        };
        self.ended = last.then_some(label);
        Tag { prefix, label }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `P-LABEL` as (`P`, `LABEL`): a prefix of one ASCII letter and a non-empty label; `None` for
/// `O` and anything else.
fn split_tag(tag: &str) -> Option<(&str, &str)> {
    let (prefix, label) = tag.split_once('-')?;
    (prefix.len() == 1 && prefix.bytes().all(|b| b.is_ascii_alphabetic()) && !label.is_empty())
        .then_some((prefix, label))
}

/// What token `i`'s tag follows, for messages.
fn describe(tags: &[&str], i: usize) -> String {
    match i.checked_sub(1).map(|j| tags[j]) {
        None => "the start of the sentence".to_owned(),
        Some(previous) => previous.to_owned(),
    }
}

/// An entity being read.
struct Open<'a> {
    start: usize,
    tag: &'a str,
    label: &'a str,
    /// Its tags broke (already reported): it is left out when it ends.
    broken: bool,
}

impl<'a> Open<'a> {
    fn new(start: usize, tag: &'a str, label: &'a str) -> Self {
        Self {
            start,
            tag,
            label,
            broken: false,
        }
    }

    fn broken(start: usize, tag: &'a str, label: &'a str) -> Self {
        Self {
            broken: true,
            ..Self::new(start, tag, label)
        }
    }
}

/// An entity read from tags: tokens `[start, end)` of the sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity<'a> {
    pub start: usize,
    pub end: usize,
    pub label: &'a str,
}

/// A tag that breaks the scheme: the token (index in the sentence) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub token: usize,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Decoded<'a> {
    pub entities: Vec<Entity<'a>>,
    pub problems: Vec<Problem>,
}

/// The first tag that breaks a scheme: sentence and token index, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    pub scheme: Scheme,
    pub sentence: usize,
    pub token: usize,
    pub message: String,
}

/// The scheme auto-detection chose, and why (for the import's message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detected {
    pub scheme: Scheme,
    pub reason: String,
}

/// Choose the scheme of a file's sentences (tags per sentence).
///
/// The candidates are the schemes whose prefixes cover every prefix in the file (`M-` means
/// bmes, `L-`/`U-` bilou, `E-`/`S-` with `I-` bioes; only `B-`/`I-`: bio or iob1). The first
/// candidate (in [`Scheme::ALL`] order) that reads every sentence without a break is chosen:
/// an `I-X` that opens an entity breaks bio and fits iob1. When none reads the file cleanly,
/// `Err` holds the first break of each candidate (all five schemes when no scheme has the
/// file's prefixes); an import then fails naming them, or with `--lenient` reads the file with
/// the candidate that breaks least.
pub fn detect(sentences: &[Vec<&str>]) -> Result<Detected, Vec<Break>> {
    let mut seen: Vec<&str> = Vec::new();
    for &tag in sentences.iter().flatten() {
        if let Some((prefix, _)) = split_tag(tag)
            && !seen.contains(&prefix)
        {
            seen.push(prefix);
        }
    }
    let fitting_prefixes: Vec<Scheme> = Scheme::ALL
        .into_iter()
        .filter(|s| seen.iter().all(|p| s.prefixes().contains(p)))
        .collect();
    let candidates = if fitting_prefixes.is_empty() {
        Scheme::ALL.to_vec()
    } else {
        fitting_prefixes
    };
    let mut breaks = Vec::new();
    for scheme in candidates {
        match first_break(scheme, sentences) {
            None => {
                return Ok(Detected {
                    scheme,
                    reason: reason(scheme, &seen, sentences),
                });
            }
            Some(b) => breaks.push(b),
        }
    }
    Err(breaks)
}

/// The first tag of `sentences` that `scheme` cannot read.
pub fn first_break(scheme: Scheme, sentences: &[Vec<&str>]) -> Option<Break> {
    sentences.iter().enumerate().find_map(|(s, tags)| {
        scheme
            .decode(tags)
            .problems
            .into_iter()
            .next()
            .map(|p| Break {
                scheme,
                sentence: s,
                token: p.token,
                message: p.message,
            })
    })
}

/// How many breaks `scheme` finds in `sentences` (to pick the best reading with `--lenient`).
pub fn count_breaks(scheme: Scheme, sentences: &[Vec<&str>]) -> usize {
    sentences
        .iter()
        .map(|tags| scheme.decode(tags).problems.len())
        .sum()
}

fn reason(scheme: Scheme, seen: &[&str], sentences: &[Vec<&str>]) -> String {
    let has = |p: &str| seen.contains(&p);
    match scheme {
        _ if seen.is_empty() => "no entity tags, only O".to_owned(),
        Scheme::Bio => "every entity begins with B-".to_owned(),
        Scheme::Iob1 => {
            let opening = sentences.iter().find_map(|tags| {
                tags.iter().enumerate().find_map(|(i, tag)| {
                    let (prefix, label) = split_tag(tag)?;
                    let continues = i > 0
                        && split_tag(tags[i - 1]).is_some_and(|(_, previous)| previous == label);
                    (prefix == "I" && !continues)
                        .then(|| format!("{tag} after {}", describe(tags, i)))
                })
            });
            format!(
                "an I- tag opens an entity ({})",
                opening.unwrap_or_else(|| "B- only between entities of one type".to_owned())
            )
        }
        Scheme::Bioes if has("I") => "E-/S- tags with I- for the inside".to_owned(),
        Scheme::Bioes => {
            "E-/S- tags and no entity longer than two tokens (bmes reads it the same)".to_owned()
        }
        Scheme::Bmes => "M- tags for the middle of an entity".to_owned(),
        Scheme::Bilou => "L-/U- tags".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(s: &str) -> Vec<&str> {
        s.split_whitespace().collect()
    }

    fn spans<'a>(decoded: &Decoded<'a>) -> Vec<(usize, usize, &'a str)> {
        decoded
            .entities
            .iter()
            .map(|e| (e.start, e.end, e.label))
            .collect()
    }

    /// The same four entities (PER, PER adjacent; a one-token LOC; a three-token ORG) in
    /// every scheme, by its definition.
    const ENTITIES: [(usize, usize, &str); 4] =
        [(0, 2, "PER"), (2, 3, "PER"), (4, 5, "LOC"), (6, 9, "ORG")];
    const WRITTEN: [(Scheme, &str); 5] = [
        (
            Scheme::Bio,
            "B-PER I-PER B-PER O B-LOC O B-ORG I-ORG I-ORG O",
        ),
        (
            Scheme::Iob1,
            "I-PER I-PER B-PER O I-LOC O I-ORG I-ORG I-ORG O",
        ),
        (
            Scheme::Bioes,
            "B-PER E-PER S-PER O S-LOC O B-ORG I-ORG E-ORG O",
        ),
        (
            Scheme::Bilou,
            "B-PER L-PER U-PER O U-LOC O B-ORG I-ORG L-ORG O",
        ),
        (
            Scheme::Bmes,
            "B-PER E-PER S-PER O S-LOC O B-ORG M-ORG E-ORG O",
        ),
    ];

    #[test]
    fn every_scheme_writes_and_reads_entities_by_its_definition() {
        for (scheme, written) in WRITTEN {
            assert_eq!(scheme.encode(10, &ENTITIES).join(" "), written, "{scheme}");
            let decoded = scheme.decode(&tags(written));
            assert_eq!(decoded.problems, [], "{scheme}");
            assert_eq!(spans(&decoded), ENTITIES, "{scheme}");
            let detected = detect(&[tags(written)]).expect("fits");
            assert_eq!(detected.scheme, scheme, "{scheme}: {}", detected.reason);
        }
    }

    #[test]
    fn iob1_i_continues_only_the_same_type_and_b_only_splits() {
        // I-LOC after I-PER begins a new entity; I-PER after O begins one.
        let decoded = Scheme::Iob1.decode(&tags("I-PER I-LOC I-LOC O I-PER"));
        assert_eq!(decoded.problems, []);
        assert_eq!(
            spans(&decoded),
            [(0, 1, "PER"), (1, 3, "LOC"), (4, 5, "PER")]
        );
        // B-LOC after O is not IOB1.
        let decoded = Scheme::Iob1.decode(&tags("O B-LOC I-LOC"));
        assert_eq!(decoded.problems.len(), 1);
        assert_eq!(decoded.problems[0].token, 1);
        assert!(decoded.problems[0].message.contains("only splits"));
        // IOB1 writes I-LOC, B-LOC for two adjacent LOCs, and I-PER, I-LOC for different types.
        assert_eq!(
            Scheme::Iob1
                .encode(
                    4,
                    &[(0, 1, "LOC"), (1, 2, "LOC"), (2, 3, "PER"), (3, 4, "LOC")]
                )
                .join(" "),
            "I-LOC B-LOC I-PER I-LOC"
        );
    }

    #[test]
    fn detection_follows_the_prefixes_and_where_i_opens() {
        let detected = |s: &str| detect(&[tags(s)]).map(|d| d.scheme);
        assert_eq!(detected("O I-PER I-PER O"), Ok(Scheme::Iob1));
        assert_eq!(detected("B-PER I-PER O"), Ok(Scheme::Bio));
        assert_eq!(detected("B-PER M-PER E-PER"), Ok(Scheme::Bmes));
        assert_eq!(detected("B-PER I-PER E-PER"), Ok(Scheme::Bioes));
        assert_eq!(detected("S-PER O B-LOC E-LOC"), Ok(Scheme::Bioes));
        assert_eq!(detected("U-PER B-LOC L-LOC"), Ok(Scheme::Bilou));
        assert_eq!(detected("O O"), Ok(Scheme::Bio));
    }

    #[test]
    fn a_file_no_scheme_reads_names_the_first_break_of_each_candidate() {
        // I-PER opens (breaks bio), then B-LOC after O (breaks iob1).
        let sentences = [tags("I-PER O"), tags("O B-LOC I-LOC")];
        let breaks = detect(&sentences).expect_err("fits neither bio nor iob1");
        let at: Vec<(Scheme, usize, usize)> = breaks
            .iter()
            .map(|b| (b.scheme, b.sentence, b.token))
            .collect();
        // bioes and bilou have B- and I- too; they break where bio does (no E-/L- closes).
        assert_eq!(
            at,
            [
                (Scheme::Bio, 0, 0),
                (Scheme::Iob1, 1, 1),
                (Scheme::Bioes, 0, 0),
                (Scheme::Bilou, 0, 0)
            ]
        );
        // M- and L- together fit no scheme's prefixes: every scheme is named.
        let breaks = detect(&[tags("B-X M-X L-X")]).expect_err("no scheme");
        assert_eq!(breaks.len(), 5);
    }

    #[test]
    fn ends_marked_schemes_need_their_end_tag() {
        let decoded = Scheme::Bioes.decode(&tags("B-PER I-PER O S-LOC"));
        assert_eq!(spans(&decoded), [(3, 4, "LOC")]);
        assert_eq!(decoded.problems.len(), 1);
        assert_eq!(decoded.problems[0].token, 0);
        assert!(decoded.problems[0].message.contains("never ends"));
        let decoded = Scheme::Bmes.decode(&tags("M-PER E-PER B-LOC E-LOC"));
        assert_eq!(spans(&decoded), [(2, 4, "LOC")]);
        assert_eq!(decoded.problems.len(), 1, "{:?}", decoded.problems);
        assert!(
            decoded.problems[0]
                .message
                .contains("M-PER does not continue")
        );
    }
}
