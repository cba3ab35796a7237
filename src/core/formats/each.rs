//! A JSON array written from an iterator as it is serialised, so that an exporter streams a
//! document's spans into its file without a list of records per document.

use serde::{Serialize, Serializer};

/// The items of the iterator `make` returns, serialised as a sequence: the same bytes as a
/// `Vec` of them, with nothing kept. `make` is called once per serialisation.
pub(crate) struct Each<F>(pub F);

impl<F, I> Serialize for Each<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((self.0)())
    }
}
