//! brat lines Spantag keeps without modelling them: events (`E`), normalisations (`N`),
//! equivalences (`*`), modifications (`M`), notes other than `AnnotatorNotes`, and attributes,
//! relations and notes on things that are not spans. Nothing edits them yet; they are kept so
//! that a brat corpus goes through Spantag unchanged.
//!
//! A line is stored as read, with the brat ids of the `T` lines it names mapped to span ids, so
//! an export can name the same spans however it numbers its `T` lines.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::span::SpanId;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandoffLine {
    /// The whole line, as read (without its line break).
    pub line: String,
    /// The `T` ids the line names (in its second field), each with the span it was read as.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub spans: BTreeMap<String, SpanId>,
}

impl StandoffLine {
    /// The line with every `T` id it names replaced through `t_id` (span → `T` id in the
    /// export), or the first span that the export lacks.
    pub fn renamed(&self, t_id: impl Fn(SpanId) -> Option<String>) -> Result<String, SpanId> {
        let mut fields = self.line.splitn(3, '\t');
        let id = fields.next().unwrap_or_default();
        let Some(data) = fields.next() else {
            return Ok(self.line.clone());
        };
        let tail = fields.next();
        let mut out = String::with_capacity(self.line.len());
        out.push_str(id);
        out.push('\t');
        // Tokens are separated by spaces; an argument is `ROLE:ID`.
        for (i, token) in data.split(' ').enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let (role, target) = match token.rsplit_once(':') {
                Some((role, target)) => (Some(role), target),
                None => (None, token),
            };
            let renamed = match self.spans.get(target) {
                Some(span) => Some(t_id(*span).ok_or(*span)?),
                None => None,
            };
            if let Some(role) = role {
                out.push_str(role);
                out.push(':');
            }
            out.push_str(renamed.as_deref().unwrap_or(target));
        }
        if let Some(tail) = tail {
            out.push('\t');
            out.push_str(tail);
        }
        Ok(out)
    }

    /// The brat kind of the line: its first character (`E`, `N`, `*`, ...).
    pub fn kind(&self) -> char {
        self.line.chars().next().unwrap_or(' ')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_ids_are_renamed_in_the_arguments_only() {
        let line = StandoffLine {
            line: "E1\tAttack:T3 Target:T5 Place:E2\tT3 stays in the text".into(),
            spans: [("T3".into(), SpanId(30)), ("T5".into(), SpanId(50))].into(),
        };
        let renamed = line.renamed(|s| Some(format!("T{}", s.0 / 10)));
        assert_eq!(
            renamed.as_deref(),
            Ok("E1\tAttack:T3 Target:T5 Place:E2\tT3 stays in the text")
        );
        let shifted = line.renamed(|s| Some(format!("T{}", s.0)));
        assert_eq!(
            shifted.as_deref(),
            Ok("E1\tAttack:T30 Target:T50 Place:E2\tT3 stays in the text")
        );
        assert_eq!(
            line.renamed(|s| (s.0 == 30).then(|| "T1".into())),
            Err(SpanId(50))
        );
        let equiv = StandoffLine {
            line: "*\tEquiv T1 T2".into(),
            spans: [("T1".into(), SpanId(7)), ("T2".into(), SpanId(8))].into(),
        };
        assert_eq!(
            equiv.renamed(|s| Some(format!("T{}", s.0))).as_deref(),
            Ok("*\tEquiv T7 T8")
        );
    }
}
