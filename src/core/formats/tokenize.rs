//! Tokens and sentences for the token-tag formats (CoNLL, Hugging Face).
//!
//! Both exporters must cut a text the same way, so it happens once, here. Offsets are code
//! points, like span offsets, so a span aligns with tokens when both its ends are token ends.

use unicode_segmentation::UnicodeSegmentation as _;

/// How a text is cut into tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tokens {
    /// One token per non-whitespace code point, Latin letters included (spaCy's Chinese `char`
    /// segmenter does the same). Every span aligns.
    #[default]
    Char,
    /// Unicode word boundaries (UAX #29) for alphabetic text, one token per CJK character.
    Word,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// Code point offsets `[start, end)`.
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
}

/// Cut `text` into tokens. Whitespace is never a token.
pub fn tokenize(text: &str, mode: Tokens) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut cp = 0;
    match mode {
        Tokens::Char => {
            for (byte, c) in text.char_indices() {
                if !c.is_whitespace() {
                    let end = byte + c.len_utf8();
                    tokens.push(Token {
                        start: cp,
                        end: cp + 1,
                        text: &text[byte..end],
                    });
                }
                cp += 1;
            }
        }
        Tokens::Word => {
            for (byte, word) in text.split_word_bound_indices() {
                let len = word.chars().count();
                if word.chars().all(char::is_whitespace) {
                    cp += len;
                    continue;
                }
                if word.chars().any(is_cjk) {
                    // Chinese and Japanese have no spaces between words; without a dictionary
                    // the honest unit is the character.
                    for (i, c) in word.char_indices() {
                        let from = byte + i;
                        if !c.is_whitespace() {
                            tokens.push(Token {
                                start: cp,
                                end: cp + 1,
                                text: &text[from..from + c.len_utf8()],
                            });
                        }
                        cp += 1;
                    }
                } else {
                    tokens.push(Token {
                        start: cp,
                        end: cp + len,
                        text: word,
                    });
                    cp += len;
                }
            }
        }
    }
    tokens
}

/// CJK ideographs, kana, Hangul and CJK/fullwidth punctuation: scripts written without spaces.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FDF      // radicals
        | 0x3000..=0x303F    // CJK symbols and punctuation
        | 0x3040..=0x30FF    // hiragana, katakana
        | 0x3100..=0x312F    // bopomofo
        | 0x3190..=0x31FF
        | 0x3400..=0x4DBF    // extension A
        | 0x4E00..=0x9FFF    // unified ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0xFE30..=0xFE4F    // compatibility forms
        | 0xFF00..=0xFFEF    // fullwidth forms
        | 0x20000..=0x3FFFF  // extensions B.. (𠮷 is U+20BB7)
    )
}

/// Characters that end a sentence.
fn ends_sentence(token: &str) -> bool {
    token
        .chars()
        .last()
        .is_some_and(|c| matches!(c, '。' | '！' | '？' | '!' | '?'))
}

/// Closing quotes and brackets that belong to the sentence they close: `。”` ends after `”`.
fn closes(token: &str) -> bool {
    token
        .chars()
        .all(|c| matches!(c, '”' | '’' | '」' | '』' | '）' | ')' | '"' | '\''))
}

/// Group `tokens` (of `text`) into sentences: after 。！？!? (and the closing quotes that follow)
/// and at every line break, but never inside one of `spans` (code point ranges), so that an
/// entity is never cut in two. Returns index ranges into `tokens`.
pub fn sentences(
    text: &str,
    tokens: &[Token<'_>],
    spans: &[(usize, usize)],
) -> Vec<std::ops::Range<usize>> {
    let newline_at: Vec<usize> = text
        .chars()
        .enumerate()
        .filter(|(_, c)| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}'))
        .map(|(i, _)| i)
        .collect();
    // Sorted by start, with the running maximum of ends: a point is inside a span when some
    // span starting before it ends after it (a binary search, not a scan per token).
    let mut sorted = spans.to_vec();
    sorted.sort_unstable();
    let max_end: Vec<usize> = sorted
        .iter()
        .scan(0, |m, &(_, e)| {
            *m = (*m).max(e);
            Some(*m)
        })
        .collect();
    let inside_span = |at: usize| {
        let i = sorted.partition_point(|&(s, _)| s < at);
        i > 0 && max_end[i - 1] > at
    };
    let mut out = Vec::new();
    let mut begin = 0;
    for i in 0..tokens.len() {
        let Some(next) = tokens.get(i + 1) else {
            break;
        };
        let here = &tokens[i];
        let after_terminator = ends_sentence(here.text) && !closes(next.text)
            || closes(here.text)
                && i > 0
                && ends_sentence(tokens[i - 1].text)
                && !closes(next.text);
        let first_newline = newline_at.partition_point(|&n| n < here.end);
        let line_break = newline_at
            .get(first_newline)
            .is_some_and(|&n| n < next.start);
        let boundary = here.end;
        if (after_terminator || line_break) && !inside_span(boundary) && !inside_span(next.start) {
            out.push(begin..i + 1);
            begin = i + 1;
        }
    }
    if begin < tokens.len() {
        out.push(begin..tokens.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(tokens: &[Token<'_>]) -> Vec<String> {
        tokens.iter().map(|t| t.text.to_owned()).collect()
    }

    #[test]
    fn char_tokens_skip_whitespace_and_count_code_points() {
        let tokens = tokenize("𠮷a b\r\n👍🏽", Tokens::Char);
        assert_eq!(texts(&tokens), ["𠮷", "a", "b", "👍", "🏽"]);
        assert_eq!((tokens[2].start, tokens[2].end), (3, 4));
        assert_eq!((tokens[3].start, tokens[3].end), (6, 7));
    }

    #[test]
    fn word_tokens_split_latin_on_word_boundaries_and_cjk_per_character() {
        let tokens = tokenize("Xi met Díaz-Canel在北京, 2022.", Tokens::Word);
        assert_eq!(
            texts(&tokens),
            [
                "Xi", "met", "Díaz", "-", "Canel", "在", "北", "京", ",", "2022", "."
            ]
        );
        let diaz = &tokens[2];
        assert_eq!((diaz.start, diaz.end), (7, 11));
    }

    #[test]
    fn sentences_end_after_terminators_and_line_breaks_but_not_inside_spans() {
        let text = "他说：“好。”我们走！\n第二行?No";
        let tokens = tokenize(text, Tokens::Char);
        let cut = |spans: &[(usize, usize)]| -> Vec<String> {
            sentences(text, &tokens, spans)
                .into_iter()
                .map(|r| tokens[r].iter().map(|t| t.text).collect())
                .collect()
        };
        assert_eq!(cut(&[]), ["他说：“好。”", "我们走！", "第二行?", "No"]);
        // A span across the 。 keeps the sentence whole.
        assert_eq!(cut(&[(5, 8)]), ["他说：“好。”我们走！", "第二行?", "No"]);
    }
}
