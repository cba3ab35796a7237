//! Code point ↔ byte offset conversion for one text.
//!
//! Spans count Unicode code points; Rust strings and egui's layout sections count bytes. The index
//! keeps the byte offset of every `STRIDE`-th code point, so a conversion is one table lookup plus a
//! scan of fewer than `STRIDE` characters, never a scan from the start of the text.

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
}
