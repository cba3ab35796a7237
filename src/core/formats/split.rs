//! Train/dev/test splits by document, the same on every machine for the same seed.
//!
//! The shuffle uses SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
//! generators", OOPSLA 2014; the constants are those of `java.util.SplittableRandom`), a
//! ten-line generator with no platform-dependent parts. A dependency on `rand` would tie the
//! split to that crate's version: its algorithms are allowed to change between releases.

use std::fmt;
use std::str::FromStr;

use crate::core::project::AnnotatedDocument;

/// Proportions of train, dev and test, e.g. `80/10/10`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SplitRatio {
    pub train: u32,
    pub dev: u32,
    pub test: u32,
}

impl FromStr for SplitRatio {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').collect();
        let bad = || format!("expected TRAIN/DEV/TEST such as 80/10/10, found \"{s}\"");
        let [train, dev, test] = parts.as_slice() else {
            return Err(bad());
        };
        let n = |p: &str| p.trim().parse::<u32>().map_err(|_| bad());
        let ratio = Self {
            train: n(train)?,
            dev: n(dev)?,
            test: n(test)?,
        };
        if ratio.total() == 0 {
            return Err(format!("the split {s} has no documents in any part"));
        }
        Ok(ratio)
    }
}

impl fmt::Display for SplitRatio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.train, self.dev, self.test)
    }
}

impl SplitRatio {
    fn total(&self) -> u64 {
        u64::from(self.train) + u64::from(self.dev) + u64::from(self.test)
    }

    /// How many of `n` documents go to train, dev and test: train and dev get their share
    /// rounded to nearest, test the rest, so the counts always add up to `n`.
    pub fn counts(&self, n: usize) -> (usize, usize, usize) {
        let total = self.total();
        let share = |part: u32| ((n as u64 * u64::from(part) * 2 + total) / (total * 2)) as usize;
        let train = share(self.train).min(n);
        let dev = share(self.dev).min(n - train);
        let test = n - train - dev;
        // Rounding must not leave test with documents it was given no share of.
        if self.test == 0 && test > 0 {
            return (train + test, dev, 0);
        }
        (train, dev, test)
    }
}

/// SplitMix64: each call advances the state by a fixed odd constant and mixes it.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound > 0`). The modulo bias is below 2^-40 for any realistic
    /// number of documents, and exactness across machines matters more here than uniformity.
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }
}

/// The document indices `0..n` in Fisher–Yates order for `seed`.
pub fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut rng = SplitMix64::new(seed);
    for i in (1..n).rev() {
        let j = rng.below(i + 1);
        order.swap(i, j);
    }
    order
}

/// The parts `train`, `dev`, `test` with their documents. Documents keep project order within
/// a part, so a part diffs well when the project grows.
pub fn split_documents<'a>(
    documents: &'a [AnnotatedDocument],
    ratio: &SplitRatio,
    seed: u64,
) -> Vec<(&'static str, Vec<&'a AnnotatedDocument>)> {
    let order = shuffled(documents.len(), seed);
    let (train, dev, _) = ratio.counts(documents.len());
    let mut parts: [Vec<usize>; 3] = [
        order[..train].to_vec(),
        order[train..train + dev].to_vec(),
        order[train + dev..].to_vec(),
    ];
    for part in &mut parts {
        part.sort_unstable();
    }
    ["train", "dev", "test"]
        .into_iter()
        .zip(parts)
        .map(|(name, indices)| (name, indices.iter().map(|&i| &documents[i]).collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // The first outputs for seed 1234567 of the reference C implementation
        // (prng.di.unimi.it/splitmix64.c).
        let mut rng = SplitMix64::new(1234567);
        assert_eq!(rng.next_u64(), 6457827717110365317);
        assert_eq!(rng.next_u64(), 3203168211198807973);
        assert_eq!(rng.next_u64(), 9817491932198370423);
    }

    #[test]
    fn same_seed_same_order_and_counts_add_up() {
        assert_eq!(shuffled(10, 42), shuffled(10, 42));
        assert_ne!(shuffled(10, 42), shuffled(10, 43));
        let ratio: SplitRatio = "80/10/10".parse().unwrap();
        assert_eq!(ratio.counts(10), (8, 1, 1));
        assert_eq!(ratio.counts(1), (1, 0, 0));
        assert_eq!(ratio.counts(3), (2, 0, 1));
        assert!("80/20".parse::<SplitRatio>().is_err());
        assert!("0/0/0".parse::<SplitRatio>().is_err());
    }
}
