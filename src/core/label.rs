//! Labels (entity types) and the label set of a project.

use serde::{Deserialize, Serialize};

use super::validate;

/// An sRGB colour, written as `#rrggbb` in files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub fn to_hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    pub fn from_hex(s: &str) -> Option<Self> {
        let hex = s.strip_prefix('#')?;
        if hex.len() != 6 || !hex.is_ascii() {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Self(byte(0)?, byte(2)?, byte(4)?))
    }
}

impl Serialize for Rgb {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Rgb {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::from_hex(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("colour \"{s}\" is not of the form #rrggbb"))
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub name: String,
    pub color: Rgb,
    /// A single key that applies this label (`1`..`9`, a letter, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hotkey: Option<char>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl Label {
    pub fn new(name: &str, color: Rgb, hotkey: Option<char>, description: &str) -> Self {
        Self {
            name: name.to_owned(),
            color,
            hotkey,
            description: description.to_owned(),
        }
    }
}

/// Colours for new labels, chosen to stay distinct as light backgrounds behind black text.
pub const PALETTE: [Rgb; 12] = [
    Rgb(0xe6, 0x19, 0x4b),
    Rgb(0x43, 0x63, 0xd8),
    Rgb(0x3c, 0xb4, 0x4b),
    Rgb(0xf5, 0x82, 0x31),
    Rgb(0x91, 0x1e, 0xb4),
    Rgb(0x42, 0xd4, 0xf4),
    Rgb(0xf0, 0x32, 0xe6),
    Rgb(0xbf, 0xef, 0x45),
    Rgb(0x80, 0x80, 0x00),
    Rgb(0x00, 0x80, 0x80),
    Rgb(0xaa, 0x6e, 0x28),
    Rgb(0x00, 0x00, 0x75),
];

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSet {
    labels: Vec<Label>,
}

impl LabelSet {
    pub fn new(labels: Vec<Label>) -> Self {
        Self { labels }
    }

    /// The default set for news named-entity recognition (OntoNotes-style types).
    pub fn news_default() -> Self {
        let l = |i: usize, name: &str, description: &str| {
            let hotkey = char::from_digit(i as u32 + 1, 10);
            Label::new(name, PALETTE[i], hotkey, description)
        };
        Self::new(vec![
            l(0, "PER", "Person"),
            l(1, "ORG", "Organisation"),
            l(2, "GPE", "Geo-political entity: country, city, state"),
            l(
                3,
                "LOC",
                "Location that is not a GPE: mountain, river, region",
            ),
            l(4, "FAC", "Facility: building, airport, road"),
            l(5, "DATE", "Date or period"),
            l(6, "EVENT", "Named event"),
            l(7, "WORK", "Work of art, law, document title"),
        ])
    }

    /// Labels with these names, in order, with palette colours and hotkeys `1`–`9` (imports,
    /// migrated files).
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Self {
        let labels = names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let hotkey = (i < 9)
                    .then(|| char::from_digit(i as u32 + 1, 10))
                    .flatten();
                Label::new(name.as_ref(), PALETTE[i % PALETTE.len()], hotkey, "")
            })
            .collect();
        Self::new(labels)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Label> {
        self.labels.iter()
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&Label> {
        self.labels.iter().find(|l| l.name == name)
    }

    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.labels.iter().position(|l| l.name == name)
    }

    pub fn at(&self, index: usize) -> Option<&Label> {
        self.labels.get(index)
    }

    /// The label whose hotkey is `key`, ignoring case as [`validate::same_hotkey`] does.
    pub fn by_hotkey(&self, key: char) -> Option<&Label> {
        self.labels
            .iter()
            .find(|l| l.hotkey.is_some_and(|k| validate::same_hotkey(k, key)))
    }

    /// A colour from the palette not yet used, for a new label.
    pub fn next_color(&self) -> Rgb {
        PALETTE
            .iter()
            .copied()
            .find(|c| self.labels.iter().all(|l| l.color != *c))
            .unwrap_or(PALETTE[self.labels.len() % PALETTE.len()])
    }

    /// A hotkey `1`..`9` not yet used, for a new label.
    pub fn next_hotkey(&self) -> Option<char> {
        ('1'..='9').find(|k| self.by_hotkey(*k).is_none())
    }

    /// Why `label` cannot stand at `index` (pass `None` for a new label), or `None` if it can.
    /// The rules are [`validate::label_among`]'s, the same as loading a file checks.
    pub fn conflict(&self, index: Option<usize>, label: &Label) -> Option<String> {
        let others = self
            .labels
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != index)
            .map(|(_, l)| l);
        validate::label_among(others, label)
            .first()
            .map(ToString::to_string)
    }

    pub(crate) fn insert(&mut self, index: usize, label: Label) {
        self.labels.insert(index.min(self.labels.len()), label);
    }

    pub(crate) fn remove(&mut self, index: usize) -> Label {
        self.labels.remove(index)
    }

    pub(crate) fn replace(&mut self, index: usize, label: Label) {
        self.labels[index] = label;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let c = Rgb(0xe6, 0x19, 0x4b);
        assert_eq!(c.to_hex(), "#e6194b");
        assert_eq!(Rgb::from_hex("#e6194b"), Some(c));
        assert_eq!(Rgb::from_hex("e6194b"), None);
        assert_eq!(Rgb::from_hex("#e6194"), None);
        assert_eq!(Rgb::from_hex("#ééé"), None);
    }

    #[test]
    fn hotkey_taken_is_refused() {
        let set = LabelSet::news_default();
        let mut new = Label::new("MISC", Rgb(0, 0, 0), Some('1'), "");
        assert_eq!(
            set.conflict(None, &new).as_deref(),
            Some("hotkey 1 is already taken by PER")
        );
        new.hotkey = Some('m');
        assert_eq!(set.conflict(None, &new), None);
        // Keys are case-insensitive.
        let mut with_m = set.clone();
        with_m.insert(8, new.clone());
        let upper = Label::new("OTHER", Rgb(0, 0, 0), Some('M'), "");
        assert_eq!(
            with_m.conflict(None, &upper).as_deref(),
            Some("hotkey M is already taken by MISC (as m: hotkeys ignore case)")
        );
        // Relabelling PER in place with its own hotkey is fine.
        let per = set.get("PER").cloned().unwrap();
        assert_eq!(set.conflict(Some(0), &per), None);
        assert!(
            set.conflict(None, &Label::new("PER", Rgb(0, 0, 0), None, ""))
                .is_some()
        );
        assert!(
            set.conflict(None, &Label::new("A B", Rgb(0, 0, 0), None, ""))
                .is_some()
        );
    }
}
