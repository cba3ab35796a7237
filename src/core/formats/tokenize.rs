//! Tokens and sentences for the token-tag formats (CoNLL, Hugging Face).
//!
//! Both exporters must cut a text the same way, so it happens once, here. Offsets are code
//! points, like span offsets, so a span aligns with tokens when both its ends are token ends.
//!
//! Tokens and sentences are made one at a time ([`TokenIter`], [`SentenceTokens`]): an export
//! of a long text must not hold a token per character of it (560,000 `Token`s of 32 bytes for
//! the novel). Both iterators are `Clone`, so that a writer can go over a sentence twice.

use unicode_segmentation::{UWordBoundIndices, UnicodeSegmentation as _};

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
    tokens(text, mode).collect()
}

/// The tokens of `text`, one at a time, in order ([`tokenize`] without the `Vec`).
pub fn tokens(text: &str, mode: Tokens) -> TokenIter<'_> {
    TokenIter {
        text,
        mode,
        byte: 0,
        cp: 0,
        words: text.split_word_bound_indices(),
        cjk_end: 0,
    }
}

/// The iterator of [`tokens`].
#[derive(Clone)]
pub struct TokenIter<'a> {
    text: &'a str,
    mode: Tokens,
    /// Where the text not yet read starts: a byte offset and its code point offset.
    byte: usize,
    cp: usize,
    /// The words not yet read (word tokens only).
    words: UWordBoundIndices<'a>,
    /// The byte end of the CJK word being read character by character (word tokens only;
    /// `byte` is at or past it when there is none).
    cjk_end: usize,
}

impl<'a> TokenIter<'a> {
    /// The next token and the byte offset where it starts.
    fn next_located(&mut self) -> Option<(Token<'a>, usize)> {
        loop {
            if self.mode == Tokens::Char || self.byte < self.cjk_end {
                // One token per code point (a CJK word is read this way too: without a
                // dictionary the honest unit of Chinese and Japanese is the character).
                let end = if self.mode == Tokens::Char {
                    self.text.len()
                } else {
                    self.cjk_end
                };
                let c = self.text[self.byte..end].chars().next()?;
                let from = self.byte;
                let cp = self.cp;
                self.byte += c.len_utf8();
                self.cp += 1;
                if c.is_whitespace() {
                    continue;
                }
                let token = Token {
                    start: cp,
                    end: cp + 1,
                    text: &self.text[from..self.byte],
                };
                return Some((token, from));
            }
            let (byte, word) = self.words.next()?;
            if word.chars().all(char::is_whitespace) {
                self.byte = byte + word.len();
                self.cp += word.chars().count();
                continue;
            }
            if word.chars().any(is_cjk) {
                self.byte = byte;
                self.cjk_end = byte + word.len();
                continue;
            }
            let len = word.chars().count();
            let token = Token {
                start: self.cp,
                end: self.cp + len,
                text: word,
            };
            self.byte = byte + word.len();
            self.cp += len;
            return Some((token, byte));
        }
    }
}

impl<'a> Iterator for TokenIter<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        self.next_located().map(|(token, _)| token)
    }
}

impl<'a> TokenIter<'a> {
    /// The same tokens, each with the byte offset where it starts (the DocBin export cuts the
    /// whitespace between tokens by bytes).
    pub(crate) fn located(self) -> Located<'a> {
        Located(self)
    }
}

/// The iterator of [`TokenIter::located`]: (token, its byte offset).
#[derive(Clone)]
pub(crate) struct Located<'a>(TokenIter<'a>);

impl<'a> Iterator for Located<'a> {
    type Item = (Token<'a>, usize);

    fn next(&mut self) -> Option<(Token<'a>, usize)> {
        self.0.next_located()
    }
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
pub(crate) fn ends_sentence(token: &str) -> bool {
    token
        .chars()
        .last()
        .is_some_and(|c| matches!(c, '。' | '！' | '？' | '!' | '?'))
}

/// Closing quotes and brackets that belong to the sentence they close: `。”` ends after `”`.
pub(crate) fn closes(token: &str) -> bool {
    token
        .chars()
        .all(|c| matches!(c, '”' | '’' | '」' | '』' | '）' | ')' | '"' | '\''))
}

/// Line breaks: a token after one begins a new sentence.
fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}')
}

/// The tokens of `text` with where its sentences end: after 。！？!? (and the closing quotes
/// that follow) and at every line break, but never inside one of `spans` (code point ranges
/// sorted by start), so that an entity is never cut in two.
pub fn sentence_tokens<'a, S>(text: &'a str, mode: Tokens, spans: S) -> SentenceTokens<'a, S>
where
    S: Iterator<Item = (usize, usize)>,
{
    let mut tokens = tokens(text, mode);
    SentenceTokens {
        text,
        next: tokens.next_located(),
        tokens,
        previous: None,
        spans: spans.peekable(),
        max_end: 0,
    }
}

/// The iterator of [`sentence_tokens`]: each token, and whether its sentence ends with it.
#[derive(Clone)]
pub struct SentenceTokens<'a, S: Iterator<Item = (usize, usize)>> {
    text: &'a str,
    tokens: TokenIter<'a>,
    /// The token after the one last returned, and the byte offset where it starts.
    next: Option<(Token<'a>, usize)>,
    /// The text of the token last returned: `。”` ends after the `”`.
    previous: Option<&'a str>,
    /// The spans that start after the last point asked about, and the largest end of those
    /// that start before it: the points asked about only grow, so one pass over the spans
    /// answers every question.
    spans: std::iter::Peekable<S>,
    max_end: usize,
}

impl<'a, S: Iterator<Item = (usize, usize)>> SentenceTokens<'a, S> {
    /// The token the next call returns.
    pub fn peek(&self) -> Option<&Token<'a>> {
        self.next.as_ref().map(|(token, _)| token)
    }

    /// Whether code point `at` is inside a span (some span starts before it and ends after
    /// it). `at` must not be smaller than at the call before.
    fn inside_span(&mut self, at: usize) -> bool {
        while let Some(&(start, end)) = self.spans.peek()
            && start < at
        {
            self.max_end = self.max_end.max(end);
            self.spans.next();
        }
        self.max_end > at
    }
}

impl<'a, S: Iterator<Item = (usize, usize)>> Iterator for SentenceTokens<'a, S> {
    /// A token, and `true` when it is the last of its sentence.
    type Item = (Token<'a>, bool);

    fn next(&mut self) -> Option<(Token<'a>, bool)> {
        let (here, here_byte) = self.next.take()?;
        self.next = self.tokens.next_located();
        let previous = self.previous.replace(here.text);
        let Some((next, next_byte)) = &self.next else {
            return Some((here, true));
        };
        let after_terminator = ends_sentence(here.text) && !closes(next.text)
            || closes(here.text) && previous.is_some_and(ends_sentence) && !closes(next.text);
        let gap = &self.text[here_byte + here.text.len()..*next_byte];
        let line_break = gap.chars().any(is_line_break);
        let next_start = next.start;
        let ends = (after_terminator || line_break)
            && !self.inside_span(here.end)
            && !self.inside_span(next_start);
        Some((here, ends))
    }
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
        // A CJK word with a space inside (after a combining mark) is read per character,
        // the space skipped and counted.
        let tokens = tokenize("北\u{3000}\u{301}京 ok", Tokens::Word);
        let at: Vec<(usize, usize)> = tokens.iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(texts(&tokens), ["北", "\u{301}", "京", "ok"]);
        assert_eq!(at, [(0, 1), (2, 3), (3, 4), (5, 7)]);
    }

    #[test]
    fn sentences_end_after_terminators_and_line_breaks_but_not_inside_spans() {
        let text = "他说：“好。”我们走！\n第二行?No";
        let cut = |spans: &[(usize, usize)]| -> Vec<String> {
            let mut out = vec![String::new()];
            for (token, ends) in sentence_tokens(text, Tokens::Char, spans.iter().copied()) {
                out.last_mut().expect("a sentence").push_str(token.text);
                if ends {
                    out.push(String::new());
                }
            }
            out.pop();
            out
        };
        assert_eq!(cut(&[]), ["他说：“好。”", "我们走！", "第二行?", "No"]);
        // A span across the 。 keeps the sentence whole.
        assert_eq!(cut(&[(5, 8)]), ["他说：“好。”我们走！", "第二行?", "No"]);
        // A span that ends before a later one starts but reaches past it still counts
        // (spans sorted by start, not disjoint): [0, 12) covers the line break.
        assert_eq!(
            cut(&[(0, 12), (1, 2)]),
            ["他说：“好。”我们走！第二行?", "No"]
        );
        assert_eq!(
            cut(&[(1, 2), (2, 12)]),
            ["他说：“好。”我们走！第二行?", "No"]
        );
    }
}
