//! Word boundaries for moving the caret by word (`Ctrl+Left` / `Ctrl+Right`).
//!
//! Words are the UAX #29 word segments that hold a letter or a digit (so "can't", "3.14" and
//! "foo_bar" are one word each, punctuation and spaces are none). Chinese and Japanese have no
//! spaces between words and a run of Han or kana may come out of UAX #29 as one segment, so a
//! segment holding such characters is split into single characters: the caret steps by
//! character there. Only a window of the text around the caret is segmented, so a move costs
//! the same in a 600,000-character document as in a short one. Offsets are code points.

use unicode_segmentation::UnicodeSegmentation as _;

use super::Document;

/// Text segmented before the caret, to know whether it sits inside a word.
const BEHIND: usize = 64;
/// Text segmented at a time ahead of the caret (a window ends early at a line end).
const AHEAD: usize = 4096;

/// Where `Ctrl+Right` goes from `offset`: the end of the word the caret is in, or of the next
/// word; the end of the text when no word follows.
pub fn next_word_end(doc: &Document, offset: usize) -> usize {
    let len = doc.char_len();
    let offset = offset.min(len);
    let mut at = offset;
    while at < len {
        let line_end = line_end(doc, at);
        let start = line_start(doc, at).max(at.saturating_sub(BEHIND));
        let end = line_end.min(at + AHEAD);
        if let Some((_, word_end)) = words(doc, start, end).find(|&(_, e)| e > offset) {
            return word_end;
        }
        at = end;
    }
    len
}

/// Where `Ctrl+Left` goes from `offset`: the start of the word the caret is in, or of the
/// previous word; the start of the text when no word comes before.
pub fn previous_word_start(doc: &Document, offset: usize) -> usize {
    let offset = offset.min(doc.char_len());
    let mut at = offset;
    while at > 0 {
        let start = line_start(doc, at - 1).max(at.saturating_sub(AHEAD));
        let end = line_end(doc, at - 1).min(at + BEHIND);
        if let Some((word_start, _)) = words(doc, start, end).filter(|&(s, _)| s < offset).last() {
            return word_start;
        }
        at = start;
    }
    0
}

/// The words of `[start, end)`, in order, as `[start, end)` offsets in the document.
fn words(doc: &Document, start: usize, end: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = start;
    doc.slice(start, end)
        .split_word_bounds()
        .flat_map(move |segment| {
            let first = at;
            let n = segment.chars().count();
            at += n;
            let is_word = segment.chars().any(char::is_alphanumeric);
            let by_char = is_word && segment.chars().any(is_cjk);
            let words: Vec<(usize, usize)> = if by_char {
                segment
                    .chars()
                    .enumerate()
                    .filter(|(_, c)| c.is_alphanumeric())
                    .map(|(i, _)| (first + i, first + i + 1))
                    .collect()
            } else if is_word {
                vec![(first, first + n)]
            } else {
                Vec::new()
            };
            words
        })
}

/// Han ideographs and kana: scripts written without spaces between words.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x31F0..=0x31FF    // Katakana phonetic extensions
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0xFF66..=0xFF9F    // half-width Katakana
        | 0x20000..=0x3FFFF) // CJK Extensions B and later
}

fn line_start(doc: &Document, offset: usize) -> usize {
    doc.line_starts()[doc.line_of(offset)]
}

fn line_end(doc: &Document, offset: usize) -> usize {
    doc.line_starts()
        .get(doc.line_of(offset) + 1)
        .copied()
        .unwrap_or_else(|| doc.char_len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every stop of repeated moves from one end of `text` to the other.
    fn stops(text: &str, forward: bool) -> Vec<usize> {
        let doc = Document::new("d", "d", text);
        let mut at = if forward { 0 } else { doc.char_len() };
        let mut out = Vec::new();
        loop {
            let next = if forward {
                next_word_end(&doc, at)
            } else {
                previous_word_start(&doc, at)
            };
            if next == at {
                return out;
            }
            out.push(next);
            at = next;
        }
    }

    #[test]
    fn latin_words_skip_spaces_and_punctuation() {
        // "Hello, world's end." : words Hello [0,5) world's [7,14) end [15,18)
        assert_eq!(stops("Hello, world's end.", true), vec![5, 14, 18, 19]);
        assert_eq!(stops("Hello, world's end.", false), vec![15, 7, 0]);
    }

    #[test]
    fn numbers_and_underscores_stay_one_word() {
        assert_eq!(stops("pi 3.14 foo_bar", true), vec![2, 7, 15]);
    }

    #[test]
    fn han_and_kana_runs_step_by_character() {
        assert_eq!(stops("古巴共产党", true), vec![1, 2, 3, 4, 5]);
        assert_eq!(stops("古巴共产党", false), vec![4, 3, 2, 1, 0]);
        assert_eq!(stops("カタカナ", true), vec![1, 2, 3, 4]);
    }

    #[test]
    fn mixed_latin_and_han() {
        // Obama [0,5), 在 5, 北 6, 京 7, "，" no word, 2024 [9,13), 年 13
        let text = "Obama在北京，2024年";
        assert_eq!(stops(text, true), vec![5, 6, 7, 8, 13, 14]);
        assert_eq!(stops(text, false), vec![13, 9, 7, 6, 5, 0]);
    }

    #[test]
    fn moves_cross_lines_and_stop_inside_a_word_at_its_ends() {
        let doc = Document::new("d", "d", "one\n\n  two three");
        assert_eq!(
            next_word_end(&doc, 3),
            10,
            "over the blank line to the end of two"
        );
        assert_eq!(previous_word_start(&doc, 7), 0, "back over the blank line");
        assert_eq!(next_word_end(&doc, 12), 16, "from inside three to its end");
        assert_eq!(
            previous_word_start(&doc, 13),
            11,
            "from inside three to its start"
        );
        assert_eq!(next_word_end(&doc, 99), 16, "past the end is clamped");
    }

    #[test]
    fn a_long_line_is_searched_window_by_window() {
        let text = format!("{}word", " ".repeat(AHEAD * 3));
        let doc = Document::new("d", "d", text.as_str());
        assert_eq!(next_word_end(&doc, 0), AHEAD * 3 + 4);
        assert_eq!(previous_word_start(&doc, AHEAD * 3 + 4), AHEAD * 3);
        assert_eq!(previous_word_start(&doc, AHEAD * 3), 0);
    }
}
