//! A small markup for writing annotated text in tests and examples:
//! `"[[古巴](GPE)共产党](ORG)的[习近平](PER)"` is the text `古巴共产党的习近平` with three spans.
//! Brackets nest; offsets are code points. Literal `[`, `]` cannot be written.

use super::document::Document;
use super::label::LabelSet;
use super::project::Project;

/// Parse markup into the plain text and its spans `(start, end, label)` in order of their end.
pub fn parse(markup: &str) -> (String, Vec<(usize, usize, String)>) {
    let mut text = String::new();
    let mut spans = Vec::new();
    let mut open = Vec::new();
    let mut chars = 0;
    let mut rest = markup;
    while let Some(c) = rest.chars().next() {
        if c == '[' {
            open.push(chars);
            rest = &rest[1..];
        } else if c == ']' && rest[1..].starts_with('(') {
            let close = rest.find(')').expect("markup: ](LABEL needs a closing )");
            let label = &rest[2..close];
            let start = open.pop().expect("markup: ] without [");
            spans.push((start, chars, label.to_owned()));
            rest = &rest[close + 1..];
        } else {
            text.push(c);
            chars += 1;
            rest = &rest[c.len_utf8()..];
        }
    }
    assert!(open.is_empty(), "markup: [ without ](LABEL)");
    (text, spans)
}

/// A project with one document, "d1", and the default labels, tagged as the markup says.
pub fn project(markup: &str) -> Project {
    let (text, spans) = parse(markup);
    let mut project = Project::new(
        LabelSet::news_default(),
        vec![Document::new("d1", "d1.txt", text)],
    );
    for (start, end, label) in spans {
        let t = project.tag(0, start, end, &label);
        project.apply(&t).expect("markup spans are valid");
    }
    project
}

/// Document `doc` of `project` with its spans, as markup.
pub fn render_document(project: &Project, doc: usize) -> String {
    let d = &project.documents[doc];
    let spans: Vec<_> = d
        .spans
        .iter()
        .map(|s| (s.start, s.end, s.label.to_string()))
        .collect();
    render(d.document.text(), &spans)
}

/// Write spans back as markup (spans sorted by start, longest first). Inverse of [`parse`] for
/// properly nested spans.
pub fn render(text: &str, spans: &[(usize, usize, String)]) -> String {
    let mut sorted: Vec<_> = spans.to_vec();
    sorted.sort_by_key(|(s, e, _)| (*s, std::cmp::Reverse(*e)));
    let mut out = String::new();
    let mut closing: Vec<(usize, String)> = Vec::new();
    let mut next = 0;
    for (i, c) in text.chars().chain(std::iter::once('\0')).enumerate() {
        while let Some((end, _)) = closing.last() {
            if *end != i {
                break;
            }
            let (_, label) = closing.pop().unwrap_or_default();
            out.push_str(&format!("]({label})"));
        }
        while next < sorted.len() && sorted[next].0 == i {
            out.push('[');
            closing.push((sorted[next].1, sorted[next].2.clone()));
            closing.sort_by_key(|(e, _)| std::cmp::Reverse(*e));
            next += 1;
        }
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_spans_round_trip() {
        let markup = "[[古巴](GPE)共产党](ORG)的[习近平](PER)说𠮷";
        let (text, spans) = parse(markup);
        assert_eq!(text, "古巴共产党的习近平说𠮷");
        assert_eq!(
            spans,
            vec![
                (0, 2, "GPE".to_owned()),
                (0, 5, "ORG".to_owned()),
                (6, 9, "PER".to_owned())
            ]
        );
        assert_eq!(render(&text, &spans), markup);
    }
}
