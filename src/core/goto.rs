//! What "go to" (`Ctrl+G`) understands: a line number ("120", counted from 1, as the status
//! bar shows lines) or a character offset ("#5000": code points from 0, as span offsets are).
//! Parsing and checking against a document are here; the dialog only shows the answer.

use super::Document;

/// Where to go, as typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoTo {
    /// A line, from 1.
    Line(usize),
    /// A code point offset, from 0.
    Offset(usize),
}

/// How to write a target, for the dialog's hint and its errors.
pub const FORMS: &str = "a line number (120) or a character offset (#5000)";

impl GoTo {
    /// Read what the user typed.
    pub fn parse(input: &str) -> Result<Self, String> {
        let input = input.trim();
        if input.is_empty() {
            return Err(format!("Type {FORMS}"));
        }
        let (number, offset) = match input.strip_prefix('#') {
            Some(rest) => (rest.trim(), true),
            None => (input, false),
        };
        let value: usize = number
            .replace([',', '_'], "")
            .parse()
            .map_err(|_| format!("\"{input}\" is not {FORMS}"))?;
        Ok(if offset {
            Self::Offset(value)
        } else {
            Self::Line(value)
        })
    }

    /// The code point offset this target is in `doc`: a line's first character.
    pub fn offset_in(self, doc: &Document) -> Result<usize, String> {
        match self {
            Self::Line(0) => Err("There is no line 0: lines count from 1".into()),
            Self::Line(line) => {
                let lines = doc.line_starts().len();
                doc.line_starts().get(line - 1).copied().ok_or_else(|| {
                    format!("Line {line} is past the end: the document has {lines} lines")
                })
            }
            Self::Offset(offset) => {
                let len = doc.char_len();
                if offset <= len {
                    Ok(offset)
                } else {
                    Err(format!(
                        "Offset {offset} is past the end: the document has {len} characters \
                         (offsets 0 to {len})"
                    ))
                }
            }
        }
    }
}

/// The offset `input` names in `doc`, or why it names none.
pub fn resolve(input: &str, doc: &Document) -> Result<usize, String> {
    GoTo::parse(input)?.offset_in(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one_and_offsets_from_zero() {
        let doc = Document::new("d", "d", "第一行\n第二行\nthird");
        assert_eq!(resolve("1", &doc), Ok(0));
        assert_eq!(resolve(" 2 ", &doc), Ok(4));
        assert_eq!(resolve("3", &doc), Ok(8));
        assert_eq!(resolve("#5", &doc), Ok(5));
        assert_eq!(resolve("# 13", &doc), Ok(13), "the end itself is a place");
        assert_eq!(
            resolve("#1,000", &Document::new("d", "d", "x".repeat(2000))),
            Ok(1000)
        );
    }

    #[test]
    fn a_bad_input_says_why() {
        let doc = Document::new("d", "d", "a\nb");
        assert_eq!(
            resolve("", &doc),
            Err("Type a line number (120) or a character offset (#5000)".into())
        );
        assert_eq!(
            resolve("abc", &doc),
            Err("\"abc\" is not a line number (120) or a character offset (#5000)".into())
        );
        assert_eq!(
            resolve("0", &doc),
            Err("There is no line 0: lines count from 1".into())
        );
        assert_eq!(
            resolve("3", &doc),
            Err("Line 3 is past the end: the document has 2 lines".into())
        );
        assert_eq!(
            resolve("#4", &doc),
            Err("Offset 4 is past the end: the document has 3 characters (offsets 0 to 3)".into())
        );
        assert!(resolve("-1", &doc).is_err());
    }
}
