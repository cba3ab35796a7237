//! A span's note: an immutable string behind a thin pointer.
//!
//! Most spans have no note, so the field's size is what counts: an `Option<String>` was 24
//! bytes a span and an `Option<Box<str>>` 16; an `Option<SpanNote>` is 8 (a box of a boxed
//! `str`: two allocations for a span that has a note, none for the others). It reads like a
//! `&str`: `span.note.as_deref()` is an `Option<&str>`, and a note derefs to `str`, prints and
//! compares as its text and is written to files as a plain string.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SpanNote(Box<Box<str>>);

impl SpanNote {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for SpanNote {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SpanNote {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SpanNote {
    fn from(text: &str) -> Self {
        Self(Box::new(text.into()))
    }
}

impl From<String> for SpanNote {
    fn from(text: String) -> Self {
        Self(Box::new(text.into_boxed_str()))
    }
}

impl From<Box<str>> for SpanNote {
    fn from(text: Box<str>) -> Self {
        Self(Box::new(text))
    }
}

impl From<SpanNote> for String {
    fn from(note: SpanNote) -> Self {
        (*note.0).into()
    }
}

impl fmt::Display for SpanNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

/// As a `String` prints: quoted.
impl fmt::Debug for SpanNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<str> for SpanNote {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SpanNote {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for SpanNote {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SpanNote {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<str>::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_optional_note_is_one_pointer_wide() {
        assert_eq!(
            std::mem::size_of::<Option<SpanNote>>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn reads_and_compares_like_a_str() {
        let note = SpanNote::from("a note, with \"quotes\"");
        let field = Some(note.clone());
        assert_eq!(field.as_deref(), Some("a note, with \"quotes\""));
        assert_eq!(note, "a note, with \"quotes\"");
        assert_eq!(format!("{note}"), "a note, with \"quotes\"");
        assert_eq!(format!("{note:?}"), r#""a note, with \"quotes\"""#);
        let json = serde_json::to_string(&note).expect("json");
        assert_eq!(json, r#""a note, with \"quotes\"""#);
        assert_eq!(serde_json::from_str::<SpanNote>(&json).expect("back"), note);
        assert_eq!(String::from(note), "a note, with \"quotes\"");
    }
}
