//! A shared, immutable string for the names that many spans repeat: their label and annotator.
//!
//! A project of 100,000 spans has a handful of labels; as a `String` each span held its own heap
//! copy of its label (a 32-byte allocation for `PER`, plus a 24-byte field). A [`SharedStr`] is a
//! reference-counted string behind a thin pointer (an 8-byte field, and `Option<SharedStr>` is 8
//! bytes too; an `Arc<str>` was 16), and every one made from the same text on one thread shares
//! one allocation through a small interning cache, so loading or importing 100,000 spans makes a
//! few allocations for their labels, not 100,000. The thin pointer costs a second allocation per
//! distinct name and one more indirection per read: a handful of allocations, and reads that
//! stay in the cache (every span of a label points at the same one).
//!
//! It reads like a `&str`: it derefs to `str`, compares with `&str`, `str` and `String`, hashes
//! and orders as its text, borrows as `str` in maps, and is written to files as a plain string.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// An immutable string shared by every span that carries it. Cheap to clone (a count).
/// `Arc<Box<str>>`, not `Arc<str>`: a thin pointer (see the module's doc).
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedStr(Arc<Box<str>>);

/// How many distinct strings the interning cache keeps: far more than the labels and annotators
/// of any project; past it the cache starts over (strings made then are still correct, only not
/// shared with those made before).
const INTERNED_MAX: usize = 1024;

thread_local! {
    /// The strings made on this thread, so that the same text gets the same allocation.
    static INTERNED: RefCell<HashSet<SharedStr>> = RefCell::new(HashSet::new());
}

impl SharedStr {
    /// The shared string for `text`: the one made before for the same text on this thread, if
    /// any, else a new one.
    pub fn new(text: &str) -> Self {
        let make = || Arc::new(Box::<str>::from(text));
        INTERNED.with(|cell| {
            let Ok(mut interned) = cell.try_borrow_mut() else {
                // Only reachable through a re-entrant use while the cache is borrowed, which
                // nothing does; a fresh allocation is still a correct string.
                return Self(make());
            };
            if let Some(found) = interned.get(text) {
                return found.clone();
            }
            if interned.len() >= INTERNED_MAX {
                interned.clear();
            }
            let made = Self(make());
            interned.insert(made.clone());
            made
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for SharedStr {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Lets a set or map of shared strings be asked about a `&str`.
impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedStr {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<&String> for SharedStr {
    fn from(text: &String) -> Self {
        Self::new(text)
    }
}

impl From<String> for SharedStr {
    fn from(text: String) -> Self {
        // Interned: a text seen before is not allocated again.
        Self::new(&text)
    }
}

impl From<&SharedStr> for SharedStr {
    fn from(text: &SharedStr) -> Self {
        text.clone()
    }
}

impl From<SharedStr> for String {
    fn from(text: SharedStr) -> Self {
        text.as_str().to_owned()
    }
}

impl From<&SharedStr> for String {
    fn from(text: &SharedStr) -> Self {
        text.as_str().to_owned()
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

/// As a `String` prints: quoted.
impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Serialize for SharedStr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = SharedStr;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            // Interned straight from the parser's buffer: no `String` per span is made.
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<SharedStr, E> {
                Ok(SharedStr::new(text))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_shares_one_allocation() {
        let a = SharedStr::from("PER");
        let b = SharedStr::from(String::from("PER"));
        let c: SharedStr = serde_json::from_str("\"PER\"").unwrap();
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert!(Arc::ptr_eq(&a.0, &c.0));
        assert!(!Arc::ptr_eq(&a.0, &SharedStr::from("ORG").0));
    }

    #[test]
    fn reads_and_compares_like_a_str() {
        let label = SharedStr::from("GPE");
        assert_eq!(label, "GPE");
        assert_eq!(label, *"GPE");
        assert_eq!(label, String::from("GPE"));
        assert_eq!("GPE", label);
        assert_eq!(label.as_str(), "GPE");
        assert_eq!(&*label, "GPE");
        assert_eq!(label.len(), 3);
        assert_eq!(format!("{label} {label:?}"), "GPE \"GPE\"");
        assert_eq!(serde_json::to_string(&label).unwrap(), "\"GPE\"");
        let set: HashSet<SharedStr> = [label.clone()].into();
        assert!(set.contains("GPE"));
        assert!(SharedStr::new("A") < SharedStr::new("B"));
    }

    #[test]
    fn is_one_pointer_wide_and_so_is_its_option() {
        assert_eq!(
            std::mem::size_of::<SharedStr>(),
            std::mem::size_of::<usize>()
        );
        assert_eq!(
            std::mem::size_of::<Option<SharedStr>>(),
            std::mem::size_of::<usize>()
        );
    }
}
