//! The one place that converts offsets between code points, bytes and UTF-16 code units.
//!
//! Spans count Unicode code points; Rust strings and egui's layout sections count bytes;
//! JavaScript tools (doccano's web annotator) count UTF-16 code units. Each conversion goes
//! through an index built once per text, so converting every span of a document is linear:
//! never a scan from the start of the text per span.
//!
//! - [`CharIndex`] keeps the byte offset of every `STRIDE`-th code point: a conversion is one
//!   table lookup plus a scan of fewer than `STRIDE` characters.
//! - [`Utf16Index`] keeps the code point offsets of the characters outside the Basic
//!   Multilingual Plane (two UTF-16 units each): a conversion is one binary search.

const STRIDE: usize = 64;

#[derive(Clone, Debug, Default)]
pub struct CharIndex {
    /// `checkpoints[k]` is the byte offset of code point `k * STRIDE`.
    checkpoints: Vec<usize>,
    char_len: usize,
    byte_len: usize,
    /// Pure ASCII text needs no table: char offset == byte offset.
    ascii: bool,
}

impl CharIndex {
    pub fn new(text: &str) -> Self {
        if text.is_ascii() {
            return Self {
                checkpoints: Vec::new(),
                char_len: text.len(),
                byte_len: text.len(),
                ascii: true,
            };
        }
        let mut checkpoints = Vec::with_capacity(text.len() / STRIDE + 1);
        let mut char_len = 0;
        for (i, (byte, _)) in text.char_indices().enumerate() {
            if i % STRIDE == 0 {
                checkpoints.push(byte);
            }
            char_len = i + 1;
        }
        Self {
            checkpoints,
            char_len,
            byte_len: text.len(),
            ascii: false,
        }
    }

    /// Number of code points in the text.
    pub fn char_len(&self) -> usize {
        self.char_len
    }

    /// Byte offset of code point `char_offset`; `char_len()` maps to the text's byte length.
    /// Offsets past the end are clamped to the end.
    pub fn char_to_byte(&self, text: &str, char_offset: usize) -> usize {
        if self.ascii {
            return char_offset.min(self.byte_len);
        }
        if char_offset >= self.char_len {
            return self.byte_len;
        }
        let block = char_offset / STRIDE;
        let start = self.checkpoints[block];
        let skip = char_offset - block * STRIDE;
        match text[start..].char_indices().nth(skip) {
            Some((b, _)) => start + b,
            None => self.byte_len,
        }
    }

    /// Code point offset of the character that starts at or contains `byte_offset`.
    pub fn byte_to_char(&self, text: &str, byte_offset: usize) -> usize {
        if self.ascii {
            return byte_offset.min(self.char_len);
        }
        if byte_offset >= self.byte_len {
            return self.char_len;
        }
        // Last checkpoint at or before byte_offset.
        let block = self.checkpoints.partition_point(|&b| b <= byte_offset) - 1;
        let start = self.checkpoints[block];
        let mut chars = block * STRIDE;
        for (b, _) in text[start..].char_indices() {
            if start + b >= byte_offset {
                if start + b > byte_offset {
                    // byte_offset fell inside a multi-byte character: it belongs to the previous one.
                    chars -= 1;
                }
                return chars;
            }
            chars += 1;
        }
        self.char_len
    }

    /// Byte range of the code point range `[start, end)`.
    pub fn byte_range(&self, text: &str, start: usize, end: usize) -> std::ops::Range<usize> {
        self.char_to_byte(text, start)..self.char_to_byte(text, end)
    }
}

/// Code point ↔ UTF-16 code unit conversion for one text.
#[derive(Clone, Debug, Default)]
pub struct Utf16Index {
    /// Code point offsets of the characters that take two UTF-16 units (a surrogate pair),
    /// ascending. Empty for most texts, where both units agree.
    astral: Vec<usize>,
    char_len: usize,
}

/// A UTF-16 offset that names no code point boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Utf16Error {
    /// The offset falls between the two halves of the character at this code point offset.
    InsidePair { char_offset: usize },
    /// The offset is past the end; the text has `len` UTF-16 units.
    PastEnd { len: usize },
}

impl Utf16Index {
    pub fn new(text: &str) -> Self {
        let mut astral = Vec::new();
        let mut char_len = 0;
        for (i, c) in text.chars().enumerate() {
            if c.len_utf16() == 2 {
                astral.push(i);
            }
            char_len = i + 1;
        }
        Self { astral, char_len }
    }

    /// Length of the text in UTF-16 code units.
    pub fn utf16_len(&self) -> usize {
        self.char_len + self.astral.len()
    }

    /// UTF-16 offset of code point `char_offset` (clamped to the end).
    pub fn to_utf16(&self, char_offset: usize) -> usize {
        let cp = char_offset.min(self.char_len);
        cp + self.astral.partition_point(|&a| a < cp)
    }

    /// Code point offset of UTF-16 offset `unit`.
    pub fn from_utf16(&self, unit: usize) -> Result<usize, Utf16Error> {
        if unit > self.utf16_len() {
            return Err(Utf16Error::PastEnd {
                len: self.utf16_len(),
            });
        }
        // The k-th astral character starts at UTF-16 offset astral[k] + k and takes two units;
        // count those that end at or before `unit`.
        // `astral[k] + k` grows with k, so a binary search finds the count.
        let (mut before, mut past) = (0, self.astral.len());
        while before < past {
            let k = before + (past - before) / 2;
            if self.astral[k] + k + 2 <= unit {
                before = k + 1;
            } else {
                past = k;
            }
        }
        if let Some(&a) = self.astral.get(before)
            && a + before + 1 == unit
        {
            return Err(Utf16Error::InsidePair { char_offset: a });
        }
        Ok(unit - before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_all(text: &str) {
        let index = CharIndex::new(text);
        let offsets: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
        assert_eq!(index.char_len(), offsets.len());
        for (c, &b) in offsets.iter().enumerate() {
            assert_eq!(index.char_to_byte(text, c), b, "char {c}");
            assert_eq!(index.byte_to_char(text, b), c, "byte {b}");
        }
        assert_eq!(index.char_to_byte(text, offsets.len()), text.len());
        assert_eq!(index.byte_to_char(text, text.len()), offsets.len());
    }

    #[test]
    fn ascii_cjk_astral_and_emoji() {
        check_all("");
        check_all("plain ascii text");
        check_all("习近平在北京会见古巴领导人");
        check_all("𠮷野家 and 👍🏽 and é\r\n");
        let long: String = "古巴𠮷a👍\n".repeat(500);
        check_all(&long);
    }

    #[test]
    fn byte_inside_a_character_maps_to_that_character() {
        let text = "a习b";
        let index = CharIndex::new(text);
        assert_eq!(index.byte_to_char(text, 2), 1);
        assert_eq!(index.byte_to_char(text, 3), 1);
        assert_eq!(index.byte_to_char(text, 4), 2);
    }

    #[test]
    fn past_the_end_is_clamped() {
        let text = "习近平";
        let index = CharIndex::new(text);
        assert_eq!(index.char_to_byte(text, 99), text.len());
        assert_eq!(index.byte_to_char(text, 99), 3);
    }

    /// Every code point boundary converts both ways, and every unit inside a pair is refused.
    fn check_utf16(text: &str) {
        let index = Utf16Index::new(text);
        let mut unit = 0;
        for (cp, c) in text.chars().enumerate() {
            assert_eq!(index.to_utf16(cp), unit, "cp {cp}");
            assert_eq!(index.from_utf16(unit), Ok(cp), "unit {unit}");
            if c.len_utf16() == 2 {
                assert_eq!(
                    index.from_utf16(unit + 1),
                    Err(Utf16Error::InsidePair { char_offset: cp })
                );
            }
            unit += c.len_utf16();
        }
        let len = text.chars().count();
        assert_eq!(index.utf16_len(), unit);
        assert_eq!(index.to_utf16(len), unit);
        assert_eq!(index.from_utf16(unit), Ok(len));
        assert_eq!(
            index.from_utf16(unit + 1),
            Err(Utf16Error::PastEnd { len: unit })
        );
    }

    #[test]
    fn utf16_both_ways_around_surrogate_pairs() {
        check_utf16("");
        check_utf16("plain ascii");
        check_utf16("习近平在北京");
        check_utf16("𠮷野家 Tokyo");
        check_utf16("𠮷𠮷👍🏽a𠮷\n");
        check_utf16(&"古巴𠮷a👍\n".repeat(300));
        // doccano's documented example: Tokyo is [5, 10) in UTF-16, [4, 9) in code points.
        let index = Utf16Index::new("𠮷野家 Tokyo");
        assert_eq!((index.from_utf16(5), index.from_utf16(10)), (Ok(4), Ok(9)));
    }
}
