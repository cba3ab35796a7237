//! A span's free-form key/value attributes: a `BTreeMap<String, String>` that costs one pointer
//! when it is empty, as it is on almost every span.
//!
//! A `BTreeMap` is a 24-byte field even when empty; 100,000 spans without attributes held 2.4 MB
//! of them. [`SpanAttributes`] keeps the map behind an optional box (8 bytes) and reads exactly
//! like the map: it derefs to `BTreeMap<String, String>` (`get`, `contains_key`, `iter`, `len`,
//! `is_empty`, `keys`, ...), iterates as `&map`, and is written to files as the map. A mutable
//! use (`insert`, `entry`, ...) makes the box; `remove` never does.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};

/// What an empty [`SpanAttributes`] reads as.
static EMPTY: BTreeMap<String, String> = BTreeMap::new();

// The box is the point: `Option<Box<_>>` is one pointer, a `BTreeMap` three words.
#[allow(clippy::box_collection)]
#[derive(Clone, Default)]
pub struct SpanAttributes(Option<Box<BTreeMap<String, String>>>);

impl SpanAttributes {
    pub fn new() -> Self {
        Self(None)
    }

    /// Remove `name`, returning its value. Unlike a mutable deref, this never allocates: a rename
    /// of an attribute asks every span of the project, and most have none.
    pub fn remove<Q>(&mut self, name: &Q) -> Option<String>
    where
        String: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let map = self.0.as_mut()?;
        let value = map.remove(name);
        if map.is_empty() {
            self.0 = None;
        }
        value
    }

    /// The map, moved out.
    pub fn into_map(self) -> BTreeMap<String, String> {
        self.0.map(|map| *map).unwrap_or_default()
    }
}

impl Deref for SpanAttributes {
    type Target = BTreeMap<String, String>;

    fn deref(&self) -> &BTreeMap<String, String> {
        self.0.as_deref().unwrap_or(&EMPTY)
    }
}

impl DerefMut for SpanAttributes {
    fn deref_mut(&mut self) -> &mut BTreeMap<String, String> {
        self.0.get_or_insert_with(Box::default)
    }
}

impl From<BTreeMap<String, String>> for SpanAttributes {
    fn from(map: BTreeMap<String, String>) -> Self {
        Self((!map.is_empty()).then(|| Box::new(map)))
    }
}

impl FromIterator<(String, String)> for SpanAttributes {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(pairs: I) -> Self {
        BTreeMap::from_iter(pairs).into()
    }
}

impl<'a> IntoIterator for &'a SpanAttributes {
    type Item = (&'a String, &'a String);
    type IntoIter = std::collections::btree_map::Iter<'a, String, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.deref().iter()
    }
}

/// Equal when the maps are: an emptied map and one never filled are the same attributes.
impl PartialEq for SpanAttributes {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for SpanAttributes {}

impl PartialEq<BTreeMap<String, String>> for SpanAttributes {
    fn eq(&self, other: &BTreeMap<String, String>) -> bool {
        **self == *other
    }
}

/// As the map prints.
impl fmt::Debug for SpanAttributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl Serialize for SpanAttributes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SpanAttributes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_one_pointer_wide() {
        assert_eq!(
            std::mem::size_of::<SpanAttributes>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn reads_and_writes_like_the_map() {
        let mut attributes = SpanAttributes::new();
        assert!(attributes.is_empty());
        assert_eq!(attributes.get("Negated"), None);
        attributes.insert("Negated".into(), "true".into());
        attributes.insert("Category".into(), "Bird".into());
        assert_eq!(attributes.get("Negated").map(String::as_str), Some("true"));
        assert!(attributes.contains_key("Category"));
        let pairs: Vec<(&str, &str)> = (&attributes)
            .into_iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(pairs, [("Category", "Bird"), ("Negated", "true")]);
        assert_eq!(
            format!("{attributes:?}"),
            r#"{"Category": "Bird", "Negated": "true"}"#
        );
        let json = serde_json::to_string(&attributes).unwrap();
        assert_eq!(json, r#"{"Category":"Bird","Negated":"true"}"#);
        let back: SpanAttributes = serde_json::from_str(&json).unwrap();
        assert_eq!(back, attributes);
        assert_eq!(back.into_map(), *attributes);
    }

    #[test]
    fn emptied_equals_never_filled_and_remove_does_not_allocate() {
        let mut attributes = SpanAttributes::new();
        assert_eq!(attributes.remove("Negated"), None);
        assert!(attributes.0.is_none(), "a remove from nothing made a map");
        attributes.insert("Negated".into(), "true".into());
        assert_eq!(attributes.remove("Negated").as_deref(), Some("true"));
        assert!(attributes.0.is_none(), "an emptied map is dropped");
        attributes.insert("A".into(), "1".into());
        attributes.clear();
        assert_eq!(attributes, SpanAttributes::new());
        assert_eq!(SpanAttributes::from(BTreeMap::new()).0, None);
    }
}
