//! Viterbi decoding over BMES tags: the best tag sequence for a sentence given the score of
//! each tag at each character and the transition weights, among well-formed sequences only
//! (`M`/`E` of a label only after `B`/`M` of the same label, a sentence never ends inside an
//! entity), so every decoded sequence reads back as whole entities.

use super::model::{Position, label_of, position};

/// Whether tag `next` may follow tag `prev` (`None`: the start of the sentence).
pub fn allowed(prev: Option<usize>, next: usize) -> bool {
    let inside = prev.is_some_and(|p| matches!(position(p), Position::Begin | Position::Middle));
    match position(next) {
        Position::Middle | Position::End => {
            inside && prev.is_some_and(|p| label_of(p) == label_of(next))
        }
        Position::Outside | Position::Begin | Position::Single => !inside,
    }
}

fn may_end(tag: usize) -> bool {
    matches!(
        position(tag),
        Position::Outside | Position::End | Position::Single
    )
}

/// The best well-formed path. `emissions` is `n * tags` (row `i`: the score of each tag at
/// character `i`); `transitions` is `(tags + 1) * tags`, the last row for the start.
pub fn viterbi(emissions: &[f32], tags: usize, transitions: &[f32]) -> Vec<u16> {
    let n = emissions.len() / tags;
    if n == 0 {
        return Vec::new();
    }
    // The tags each tag may follow, computed once per call (a few hundred pairs at most).
    let before: Vec<Vec<usize>> = (0..tags)
        .map(|next| (0..tags).filter(|&p| allowed(Some(p), next)).collect())
        .collect();
    let mut score = vec![f32::NEG_INFINITY; tags];
    let start = &transitions[tags * tags..];
    for t in 0..tags {
        if allowed(None, t) {
            score[t] = start[t] + emissions[t];
        }
    }
    let mut back = vec![0u16; n * tags];
    let mut next_score = vec![f32::NEG_INFINITY; tags];
    for i in 1..n {
        let row = &emissions[i * tags..(i + 1) * tags];
        for t in 0..tags {
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0;
            for &p in &before[t] {
                let s = score[p] + transitions[p * tags + t];
                if s > best {
                    best = s;
                    arg = p;
                }
            }
            next_score[t] = best + row[t];
            back[i * tags + t] = arg as u16;
        }
        std::mem::swap(&mut score, &mut next_score);
    }
    let mut last = 0;
    let mut best = f32::NEG_INFINITY;
    for (t, &s) in score.iter().enumerate() {
        if may_end(t) && s > best {
            best = s;
            last = t;
        }
    }
    let mut path = vec![0u16; n];
    path[n - 1] = last as u16;
    for i in (1..n).rev() {
        path[i - 1] = back[i * tags + usize::from(path[i])];
    }
    path
}

#[cfg(test)]
mod tests {
    use super::super::model::{spans_of_tags, tag_count};
    use super::*;

    #[test]
    fn the_best_path_is_well_formed_even_when_one_tag_scores_best_alone() {
        // One label: O=0 B=1 M=2 E=3 S=4. Character 0 prefers B, character 1 prefers O: a B
        // followed by O is not allowed, so the decoder must choose between S,O and B,E.
        let tags = tag_count(1);
        let mut emissions = vec![0f32; 2 * tags];
        emissions[1] = 2.0; // B at 0
        emissions[4] = 1.5; // S at 0
        emissions[tags] = 1.0; // O at 1
        emissions[tags + 3] = 0.2; // E at 1
        let transitions = vec![0f32; (tags + 1) * tags];
        let path = viterbi(&emissions, tags, &transitions);
        assert_eq!(path, [4, 0]); // S O scores 2.5, B E 2.2
        assert_eq!(spans_of_tags(&path), [(0, 1, 0)]);
        // A sentence cannot end inside an entity.
        let path = viterbi(&emissions[..tags], tags, &transitions);
        assert_eq!(path, [4]);
    }

    #[test]
    fn middle_and_end_follow_only_their_own_label() {
        assert!(allowed(Some(1), 2));
        assert!(!allowed(Some(1), 6)); // B of label 0, then M of label 1
        assert!(!allowed(None, 3));
        assert!(allowed(Some(3), 5)); // E then B of another label
        assert!(!allowed(Some(2), 0)); // M then O
    }
}
