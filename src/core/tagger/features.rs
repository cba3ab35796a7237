//! What the tagger sees at each character: hashed character n-grams in a window of ±2, the
//! character types around it, the tag the project's dictionary of accepted mentions gives
//! the character (from the longest mention matching there), the position profiles of the
//! characters around it (where in accepted mentions of which label each stands most often),
//! and the affixes of accepted mentions that end or begin at it (音乐厅 ends ORG mentions).
//!
//! Text is cut into sentences here too, so training and tagging see the same units whatever the
//! spacing of the text (an imported CoNLL file rebuilt with `\n` between sentences, or typed
//! text with `。` and line breaks).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use crate::core::formats::tokenize::is_cjk;

/// The feature templates per character; [`features`] pushes exactly this many per position.
pub const TEMPLATES: usize = 21;

/// Entities the dictionary matches are at most this long (in characters).
pub const MAX_MENTION: usize = 24;

/// Cut `text` into sentences: after `。！？!?` and at line breaks (the break itself belongs to
/// no sentence). Code point ranges; blank ones are left out.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut blank = true;
    for (i, c) in text.chars().enumerate() {
        if c == '\n' || c == '\r' {
            if !blank {
                out.push(start..i);
            }
            start = i + 1;
            blank = true;
            continue;
        }
        blank &= c.is_whitespace();
        if matches!(c, '。' | '！' | '？' | '!' | '?') {
            if !blank {
                out.push(start..i + 1);
            }
            start = i + 1;
            blank = true;
        }
    }
    let end = text.chars().count();
    if !blank && start < end {
        out.push(start..end);
    }
    out
}

/// The coarse class of a character: the features that let the tagger generalise to characters
/// it never saw (a digit, a Latin letter).
fn char_type(c: char) -> u64 {
    if c.is_whitespace() {
        1
    } else if c.is_numeric() {
        2
    } else if is_cjk(c) && c.is_alphabetic() {
        3
    } else if c.is_alphabetic() {
        4
    } else if c == BOUNDARY_BEFORE || c == BOUNDARY_AFTER {
        5
    } else {
        6 // punctuation and symbols, CJK ones included
    }
}

/// What stands before the first and after the last character of a sentence.
const BOUNDARY_BEFORE: char = '\u{2}';
const BOUNDARY_AFTER: char = '\u{3}';

// ---- Hashing ------------------------------------------------------------------------------------

const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline]
fn step(h: u64, x: u64) -> u64 {
    (h ^ x).wrapping_mul(MULTIPLIER).rotate_left(29)
}

/// splitmix64's finaliser: every input bit reaches every output bit, so the top bits make a
/// good bucket.
#[inline]
fn finish(mut h: u64) -> u64 {
    h ^= h >> 30;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}

/// The key of a mention in the dictionary: the same for the same characters, in any document.
pub fn mention_key(chars: &[char]) -> u64 {
    finish(chars.iter().fold(0, |h, &c| step(h, c as u64)))
}

/// Keys that are already hashes need no second hashing.
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = step(self.0, b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

// ---- Dictionary ---------------------------------------------------------------------------------

/// The project's own mentions: each accepted span's text with how often it was tagged with each
/// label. A character's dictionary tag comes from the longest mention matching over it.
#[derive(Clone, Debug, Default)]
pub struct Dictionary {
    /// mention key → (the mention, count per label).
    mentions: KeyMap<(String, Vec<u32>)>,
    /// Keys in the order first seen, so that a saved model is the same for the same input.
    order: Vec<u64>,
    /// Keys of every prefix of every mention: matching stops where no mention goes on.
    prefixes: KeyMap<()>,
    /// Character key → how often it stands at each (label, position) of a mention, counted
    /// over mentions: `4 * label + position` (0 begin, 1 middle, 2 end, 3 single). What lets
    /// the tagger generalise to unseen names: a character that begins many PER mentions
    /// (a surname) or ends many LOC mentions (省, 市) says so whatever the name.
    positions: KeyMap<Vec<u32>>,
    /// Affix key ([`affix_key`]) → how many mentions of each label longer than the affix
    /// begin (prefix) or end (suffix) with it: the heads of compounds (博物馆, 音乐厅, 委员会
    /// end many ORG mentions), which carry over to names never seen whole.
    affixes: KeyMap<Vec<u32>>,
    labels: usize,
}

impl Dictionary {
    pub fn new(labels: usize) -> Self {
        Self {
            labels,
            ..Self::default()
        }
    }

    pub fn add(&mut self, mention: &[char], label: u16, count: u32) {
        if mention.is_empty() || mention.len() > MAX_MENTION || usize::from(label) >= self.labels {
            return;
        }
        let key = mention_key(mention);
        let labels = self.labels;
        let entry = self.mentions.entry(key).or_insert_with(|| {
            self.order.push(key);
            (mention.iter().collect(), vec![0; labels])
        });
        entry.1[usize::from(label)] += count;
        for (i, &c) in mention.iter().enumerate() {
            let slots = self
                .positions
                .entry(char_key(c))
                .or_insert_with(|| vec![0; 4 * labels]);
            slots[4 * usize::from(label) + mention_position(i, mention.len())] += count;
        }
        let mut h = 0;
        for &c in mention {
            h = step(h, c as u64);
            self.prefixes.insert(finish(h), ());
        }
        for k in AFFIX_LENGTHS.filter(|&k| k < mention.len()) {
            for (side, affix) in [
                (Affix::Prefix, &mention[..k]),
                (Affix::Suffix, &mention[mention.len() - k..]),
            ] {
                self.affixes
                    .entry(affix_key(side, affix))
                    .or_insert_with(|| vec![0; labels])[usize::from(label)] += count;
            }
        }
    }

    /// Each character's affix codes (suffix, prefix): 0 for none, else a code for the longest
    /// known suffix of a mention that ends at the character (prefix: begins at it), its most
    /// frequent label and how often (on a log scale, as the profiles). `own` are the
    /// sentence's own mentions, left out of the counts as in [`Dictionary::profiles`].
    pub fn affixes(&self, chars: &[char], own: &[(usize, usize, u16)]) -> Vec<(u32, u32)> {
        let n = chars.len();
        let code = |side: Affix, start: usize, end: usize| -> u32 {
            let Some(counts) = self.affixes.get(&affix_key(side, &chars[start..end])) else {
                return 0;
            };
            let k = end - start;
            let mut counts = std::borrow::Cow::Borrowed(counts);
            for &(s, e, l) in own {
                let at = match side {
                    Affix::Prefix => s == start,
                    Affix::Suffix => e == end,
                };
                if at && e - s > k {
                    let c = &mut counts.to_mut()[usize::from(l)];
                    *c = c.saturating_sub(1);
                }
            }
            let (label, &count) = counts
                .iter()
                .enumerate()
                .max_by_key(|(l, c)| (**c, std::cmp::Reverse(*l)))
                .expect("a model has labels");
            if count == 0 {
                return 0;
            }
            1 + ((label as u32 * 8 + k as u32) << 2) + log_level(count)
        };
        (0..n)
            .map(|i| {
                let suffix = AFFIX_LENGTHS
                    .rev()
                    .filter(|&k| k <= i + 1)
                    .map(|k| code(Affix::Suffix, i + 1 - k, i + 1))
                    .find(|&c| c != 0)
                    .unwrap_or(0);
                let prefix = AFFIX_LENGTHS
                    .rev()
                    .filter(|&k| i + k <= n)
                    .map(|k| code(Affix::Prefix, i, i + k))
                    .find(|&c| c != 0)
                    .unwrap_or(0);
                (suffix, prefix)
            })
            .collect()
    }

    /// Every (mention, label, count) with a count, in the order first seen, for saving.
    pub fn entries(&self) -> Vec<(&str, u16, u32)> {
        self.order
            .iter()
            .filter_map(|key| self.mentions.get(key))
            .flat_map(|(mention, counts)| {
                counts
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(move |(l, n)| (mention.as_str(), l as u16, *n))
            })
            .collect()
    }

    /// Each character's position profile: 0 for a character in no mention, else a code for
    /// the (label, position) it holds most often and how often (0 begin, 1 middle, 2 end, 3
    /// single; the count on a log scale). `own` are the sentence's own mentions (span in
    /// `chars`, label), left out of the counts as in [`Dictionary::tags`].
    pub fn profiles(&self, chars: &[char], own: &[(usize, usize, u16)]) -> Vec<u32> {
        chars
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let Some(slots) = self.positions.get(&char_key(c)) else {
                    return 0;
                };
                let mut counts = std::borrow::Cow::Borrowed(slots);
                for &(s, e, l) in own {
                    if (s..e).contains(&i) {
                        let slot = 4 * usize::from(l) + mention_position(i - s, e - s);
                        let counts = counts.to_mut();
                        counts[slot] = counts[slot].saturating_sub(1);
                    }
                }
                let (slot, &n) = counts
                    .iter()
                    .enumerate()
                    .max_by_key(|(k, n)| (**n, std::cmp::Reverse(*k)))
                    .expect("a label has four slots");
                if n == 0 {
                    return 0;
                }
                1 + 4 * slot as u32 + log_level(n)
            })
            .collect()
    }

    /// How many different mentions.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The dictionary tag of each character of `chars`: 0 for none, else `1 + 4 * label +
    /// position` (0 begin, 1 middle, 2 end, 3 single). Matches are leftmost-longest. `own` are
    /// the sentence's own mentions (key, label), not counted: a sentence must not find itself in
    /// the dictionary (the second tagging pass adds the first pass's mentions to it).
    pub fn tags(&self, chars: &[char], own: &[(u64, u16)]) -> Vec<u8> {
        let mut tags = vec![0u8; chars.len()];
        if self.mentions.is_empty() {
            return tags;
        }
        let mut i = 0;
        while i < chars.len() {
            let mut best: Option<(usize, usize)> = None; // (length, label)
            let mut h = 0u64;
            for len in 1..=MAX_MENTION.min(chars.len() - i) {
                h = step(h, chars[i + len - 1] as u64);
                let key = finish(h);
                if !self.prefixes.contains_key(&key) {
                    break;
                }
                let Some((_, counts)) = self.mentions.get(&key) else {
                    continue;
                };
                let label = (0..self.labels)
                    .map(|l| {
                        let mine = own
                            .iter()
                            .filter(|(k, ol)| *k == key && usize::from(*ol) == l)
                            .count() as u32;
                        (counts[l].saturating_sub(mine), l)
                    })
                    .max();
                if let Some((count, l)) = label
                    && count > 0
                {
                    best = Some((len, l));
                }
            }
            match best {
                Some((len, label)) => {
                    let base = 1 + 4 * label as u8;
                    if len == 1 {
                        tags[i] = base + 3;
                    } else {
                        tags[i] = base;
                        for t in &mut tags[i + 1..i + len - 1] {
                            *t = base + 1;
                        }
                        tags[i + len - 1] = base + 2;
                    }
                    i += len;
                }
                None => i += 1,
            }
        }
        tags
    }
}

/// A count on a log scale: 1, 2–4, 5–19, 20 and more.
fn log_level(n: u32) -> u32 {
    match n {
        0 | 1 => 0,
        2..=4 => 1,
        5..=19 => 2,
        _ => 3,
    }
}

/// The lengths of the mention prefixes and suffixes the dictionary counts.
const AFFIX_LENGTHS: std::ops::RangeInclusive<usize> = 2..=4;

#[derive(Clone, Copy)]
enum Affix {
    Prefix,
    Suffix,
}

fn affix_key(side: Affix, affix: &[char]) -> u64 {
    let seed = match side {
        Affix::Prefix => 0xAF1,
        Affix::Suffix => 0xAF2,
    };
    finish(affix.iter().fold(seed, |h, &c| step(h, c as u64)))
}

fn char_key(c: char) -> u64 {
    finish(step(0xC4A2, c as u64))
}

/// 0 begin, 1 middle, 2 end, 3 single: where character `i` of a mention of `len` stands.
fn mention_position(i: usize, len: usize) -> usize {
    if len == 1 {
        3
    } else if i == 0 {
        0
    } else if i + 1 == len {
        2
    } else {
        1
    }
}

// ---- Features -----------------------------------------------------------------------------------

/// Push the [`TEMPLATES`] feature buckets (in `0..1 << bits`) of every character of `chars`,
/// given its dictionary tags, position profiles ([`Dictionary::profiles`]) and affix codes
/// ([`Dictionary::affixes`]).
pub fn features(
    chars: &[char],
    dict: &[u8],
    profiles: &[u32],
    affixes: &[(u32, u32)],
    bits: u32,
    out: &mut Vec<u32>,
) {
    let n = chars.len();
    let c = |i: isize| -> u64 {
        if i < 0 {
            BOUNDARY_BEFORE as u64
        } else if i as usize >= n {
            BOUNDARY_AFTER as u64
        } else {
            chars[i as usize] as u64
        }
    };
    let d = |i: isize| -> u64 {
        if i < 0 || i as usize >= n {
            0xFF
        } else {
            u64::from(dict[i as usize])
        }
    };
    let p = |i: isize| -> u64 {
        if i < 0 || i as usize >= n {
            0xFFFF
        } else {
            u64::from(profiles[i as usize])
        }
    };
    let shift = 64 - bits;
    let bucket = |h: u64| (finish(h) >> shift) as u32;
    for i in 0..n as isize {
        let t = |k: isize| char_type(char::from_u32(c(i + k) as u32).unwrap_or(BOUNDARY_AFTER));
        let template = |id: u64| step(0x5EED, id);
        out.push(bucket(template(0)));
        for (id, k) in [(1, -2), (2, -1), (3, 0), (4, 1), (5, 2)] {
            out.push(bucket(step(template(id), c(i + k))));
        }
        for (id, k) in [(6, -2), (7, -1), (8, 0), (9, 1)] {
            out.push(bucket(step(step(template(id), c(i + k)), c(i + k + 1))));
        }
        out.push(bucket(step(
            template(10),
            t(-1) | (t(0) << 8) | (t(1) << 16),
        )));
        out.push(bucket(step(step(template(11), c(i - 1)), c(i + 1))));
        out.push(bucket(step(template(12), d(i))));
        out.push(bucket(step(
            template(13),
            d(i - 1) | (d(i) << 8) | (d(i + 1) << 16),
        )));
        out.push(bucket(step(step(template(14), d(i)), c(i))));
        for (id, k) in [(15, -1), (16, 0), (17, 1)] {
            out.push(bucket(step(template(id), p(i + k))));
        }
        out.push(bucket(step(
            template(18),
            p(i - 1) | (p(i) << 16) | (p(i + 1) << 32),
        )));
        let (suffix, prefix) = affixes[i as usize];
        out.push(bucket(step(template(19), u64::from(suffix))));
        out.push(bucket(step(template(20), u64::from(prefix))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn sentences_end_at_full_stops_and_line_breaks() {
        let text = "刘备到了。他说：好！\n\n  \nAnd then? yes";
        let cut: Vec<String> = sentences(text)
            .into_iter()
            .map(|r| text.chars().skip(r.start).take(r.len()).collect())
            .collect();
        assert_eq!(cut, ["刘备到了。", "他说：好！", "And then?", " yes"]);
    }

    #[test]
    fn the_dictionary_tags_the_longest_mention_and_leaves_a_sentence_out_of_its_own_count() {
        let mut dict = Dictionary::new(2);
        dict.add(&chars("中国"), 0, 1);
        dict.add(&chars("中国队"), 1, 1);
        dict.add(&chars("京"), 0, 2);
        // 中国队 (label 1) wins over 中国: B M E of label 1 are 5, 6, 7; 京 alone is S of label 0.
        assert_eq!(dict.tags(&chars("看中国队在京"), &[]), [0, 5, 6, 7, 0, 4]);
        // Without its own mention 中国队, the sentence sees only 中国 (label 0: B=1, E=3).
        let own = [(mention_key(&chars("中国队")), 1)];
        assert_eq!(dict.tags(&chars("看中国队"), &own), [0, 1, 3, 0]);
        assert_eq!(dict.len(), 3);
        dict.add(&chars("京"), 0, 1);
        assert_eq!(dict.entries()[2], ("京", 0, 3));
    }

    #[test]
    fn a_character_profile_is_its_most_frequent_mention_position_without_the_sentence_itself() {
        let mut dict = Dictionary::new(2);
        for name in ["张飞", "张辽", "张郃"] {
            dict.add(&chars(name), 0, 1);
        }
        dict.add(&chars("张家口"), 1, 1);
        dict.add(&chars("飞"), 1, 1);
        // 张 begins three label-0 mentions (slot 0, level 1 for 2..=4); 飞 is once the end of a
        // label-0 mention and once a single label-1 one (slot 2 wins the tie over slot 7).
        let profiles = dict.profiles(&chars("张飞的"), &[]);
        assert_eq!(profiles, [1 + 1, 1 + 4 * 2, 0]);
        // Leaving the sentence's own 张飞 out: 张 has two label-0 begins (still level 1), 飞 is
        // only the single label-1 mention (slot 7, level 0 for a count of 1).
        let profiles = dict.profiles(&chars("张飞的"), &[(0, 2, 0)]);
        assert_eq!(profiles, [1 + 1, 1 + 4 * 7, 0]);
    }

    #[test]
    fn affixes_are_the_longest_known_mention_suffix_ending_and_prefix_beginning_at_a_character() {
        let mut dict = Dictionary::new(2);
        dict.add(&chars("北京音乐厅"), 1, 1);
        dict.add(&chars("金帆音乐厅"), 1, 1);
        dict.add(&chars("北京"), 0, 3);
        // 音乐厅 ends two label-1 mentions (length 3, level 1); 北京 begins one label-1 mention
        // (a mention only counts for affixes shorter than itself: 北京 alone does not).
        let suffix = |label: u32, k: u32, level: u32| 1 + ((label * 8 + k) << 2) + level;
        let codes = dict.affixes(&chars("北京新音乐厅"), &[]);
        assert_eq!(codes[5], (suffix(1, 3, 1), 0));
        assert_eq!(codes[0], (0, suffix(1, 2, 0)));
        assert_eq!(
            codes[1].0, 0,
            "京 ends no known suffix: 北京 is no longer mention's end"
        );
        // The sentence's own 金帆音乐厅 is left out of the count: once, level 0.
        let own = dict.affixes(&chars("金帆音乐厅"), &[(0, 5, 1)]);
        assert_eq!(own[4].0, suffix(1, 3, 0));
    }

    #[test]
    fn every_character_gets_every_template_in_range() {
        let text = chars("刘备 Liu 1");
        let mut out = Vec::new();
        features(
            &text,
            &vec![0; text.len()],
            &vec![0; text.len()],
            &vec![(0, 0); text.len()],
            12,
            &mut out,
        );
        assert_eq!(out.len(), text.len() * TEMPLATES);
        assert!(out.iter().all(|&b| b < 1 << 12));
        // The same character in the same context gets the same features.
        let mut again = Vec::new();
        features(
            &text,
            &vec![0; text.len()],
            &vec![0; text.len()],
            &vec![(0, 0); text.len()],
            12,
            &mut again,
        );
        assert_eq!(out, again);
    }
}
