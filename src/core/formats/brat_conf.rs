//! brat's `annotation.conf`: the entity types, relation types and attributes of a corpus.
//!
//! Read: `[entities]` (or `[spans]`) names the labels; `[relations]` lines
//! `NAME Arg1:TYPE|TYPE, Arg2:TYPE` give relation types and the labels allowed at each end
//! (`<ENTITY>` or `<ANY>`: any label); `[attributes]` lines `NAME Arg:TYPE[, Value:A|B]` give
//! flags (no `Value`) and choices. `!Abstract` types, `<MACRO>` lines and comments are skipped.
//! Written: the same sections from the project.

use std::collections::{BTreeMap, HashSet};

use crate::core::attribute::{AttributeDef, AttributeKind};
use crate::core::label::{LabelSet, PALETTE};
use crate::core::relation::RelationType;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct BratConf {
    pub entities: Vec<String>,
    pub relation_types: Vec<RelationType>,
    pub attributes: Vec<AttributeDef>,
}

/// `TYPE|TYPE` as labels; empty when any entity may stand there.
fn arg_labels(types: &str) -> Vec<String> {
    let types: Vec<&str> = types.split('|').map(str::trim).collect();
    if types.iter().any(|t| matches!(*t, "<ENTITY>" | "<ANY>")) {
        return Vec::new();
    }
    types
        .into_iter()
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `KEY:VALUE, KEY:VALUE` → pairs, in order.
fn arguments(rest: &str) -> Vec<(&str, &str)> {
    rest.split(',')
        .filter_map(|part| part.trim().split_once(':'))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

fn merge(into: &mut Vec<String>, more: Vec<String>) {
    // An empty list allows every label: merged with anything it still does.
    if into.is_empty() || more.is_empty() {
        into.clear();
        return;
    }
    for label in more {
        if !into.contains(&label) {
            into.push(label);
        }
    }
}

pub fn parse(conf: &str) -> BratConf {
    let mut out = BratConf::default();
    let mut section = "";
    let mut seen = HashSet::new();
    for line in conf.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if trimmed.starts_with('[') && trimmed.ends_with(']') {
            section = trimmed;
            continue;
        }
        // A `<MACRO>=...` definition or a `!Abstract` type is no type of its own.
        if trimmed.starts_with('<') || trimmed.starts_with('!') {
            continue;
        }
        let (name, rest) = match trimmed.split_once(char::is_whitespace) {
            Some((name, rest)) => (name, rest.trim()),
            None => (trimmed, ""),
        };
        match section {
            "[entities]" | "[spans]" if seen.insert(name.to_owned()) => {
                out.entities.push(name.to_owned());
            }
            "[relations]" => {
                let args = arguments(rest);
                let ends = |role: &str| {
                    args.iter()
                        .find(|(k, _)| *k == role)
                        .map_or_else(Vec::new, |(_, v)| arg_labels(v))
                };
                let (from, to) = (ends("Arg1"), ends("Arg2"));
                match out.relation_types.iter_mut().find(|t| t.name == name) {
                    Some(t) => {
                        merge(&mut t.from_labels, from);
                        merge(&mut t.to_labels, to);
                    }
                    None => {
                        let color = PALETTE[out.relation_types.len() % PALETTE.len()];
                        let mut t = RelationType::new(name, color);
                        t.from_labels = from;
                        t.to_labels = to;
                        out.relation_types.push(t);
                    }
                }
            }
            "[attributes]" => {
                if out.attributes.iter().any(|a| a.name == name) {
                    continue;
                }
                let args = arguments(rest);
                let labels = args
                    .iter()
                    .find(|(k, _)| *k == "Arg")
                    .map_or_else(Vec::new, |(_, v)| arg_labels(v));
                let mut values: Vec<&str> = args
                    .iter()
                    .find(|(k, _)| *k == "Value")
                    .map(|(_, v)| v.split('|').filter(|v| !v.is_empty()).collect())
                    .unwrap_or_default();
                let mut seen_value = HashSet::new();
                values.retain(|v| seen_value.insert(*v));
                let kind = if values.is_empty() {
                    AttributeKind::Flag
                } else {
                    AttributeKind::Choice
                };
                let mut def = AttributeDef::new(name, kind, &values);
                def.labels = labels;
                out.attributes.push(def);
            }
            _ => {}
        }
    }
    out
}

fn arg(labels: &[String]) -> String {
    if labels.is_empty() {
        "<ENTITY>".to_owned()
    } else {
        labels.join("|")
    }
}

/// `annotation.conf` for a project: its labels as entity types, its relation types and its
/// attributes. A free-text attribute has no place in brat's configuration: it is written as a
/// choice among the values `text_values` gives it (those the export writes), so brat accepts
/// them; imported back it is a choice.
pub fn write(
    labels: &LabelSet,
    relation_types: &[RelationType],
    attributes: &[AttributeDef],
    text_values: &BTreeMap<String, Vec<String>>,
) -> String {
    let mut conf = String::from("[entities]\n");
    for label in labels.iter() {
        conf.push_str(&label.name);
        conf.push('\n');
    }
    conf.push_str("\n[relations]\n");
    for t in relation_types {
        conf.push_str(&format!(
            "{} Arg1:{}, Arg2:{}\n",
            t.name,
            arg(&t.from_labels),
            arg(&t.to_labels)
        ));
    }
    conf.push_str("\n[events]\n\n[attributes]\n");
    for a in attributes {
        let values: Vec<&str> = match a.kind {
            AttributeKind::Flag => Vec::new(),
            AttributeKind::Choice => a.values.iter().map(String::as_str).collect(),
            AttributeKind::Text => text_values
                .get(&a.name)
                .map(|v| v.iter().map(String::as_str).collect())
                .unwrap_or_default(),
        };
        if a.kind != AttributeKind::Flag && values.is_empty() {
            // A text attribute no span uses: nothing brat could check.
            continue;
        }
        conf.push_str(&format!("{} Arg:{}", a.name, arg(&a.labels)));
        if !values.is_empty() {
            conf.push_str(&format!(", Value:{}", values.join("|")));
        }
        conf.push('\n');
    }
    conf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_relations_and_attributes_and_writes_them_back() {
        let conf = "[entities]\nPerson\nOrganization\n!Abstract\n\n[relations]\n\
            <OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n\
            Employ Arg1:Person, Arg2:Organization\nEmploy Arg1:Person, Arg2:Person\n\
            Equiv Arg1:<ENTITY>, Arg2:<ENTITY>, <REL-TYPE>:symmetric-transitive\n\n\
            [events]\n# none\n\n[attributes]\nNegated Arg:<ENTITY>\n\
            Category Arg:Person|Organization, Value:A|B\n";
        let read = parse(conf);
        assert_eq!(read.entities, ["Person", "Organization"]);
        let employ = &read.relation_types[0];
        assert_eq!(employ.name, "Employ");
        assert_eq!(employ.from_labels, ["Person"]);
        assert_eq!(employ.to_labels, ["Organization", "Person"]);
        assert!(read.relation_types[1].from_labels.is_empty());
        assert_eq!(read.attributes[0].kind, AttributeKind::Flag);
        assert_eq!(read.attributes[1].kind, AttributeKind::Choice);
        assert_eq!(read.attributes[1].values, ["A", "B"]);
        assert_eq!(read.attributes[1].labels, ["Person", "Organization"]);
        let labels = LabelSet::from_names(&read.entities);
        let written = write(
            &labels,
            &read.relation_types,
            &read.attributes,
            &BTreeMap::new(),
        );
        assert_eq!(
            written,
            "[entities]\nPerson\nOrganization\n\n[relations]\n\
             Employ Arg1:Person, Arg2:Organization|Person\nEquiv Arg1:<ENTITY>, Arg2:<ENTITY>\n\n\
             [events]\n\n[attributes]\nNegated Arg:<ENTITY>\n\
             Category Arg:Person|Organization, Value:A|B\n"
        );
        assert_eq!(parse(&written), read);
    }
}
