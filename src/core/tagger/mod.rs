//! A character-level sequence tagger that learns from the accepted spans of a project and
//! proposes `suggested` spans: no tokenizer, so it works on Chinese as on spaced text.
//!
//! - [`features`]: sentences, hashed character n-gram and dictionary features;
//! - [`corpus`]: the training sentences taken from projects;
//! - [`train`]: a structured averaged perceptron, with a cancel flag and progress;
//! - [`decode`]: constrained Viterbi over BMES tags;
//! - [`model`]: the trained model and its file;
//! - [`evaluate`]: held-out precision, recall and F1;
//! - [`suggest`]: the transaction that adds the suggestions.
//!
//! Pure core: no UI, no terminal; training is a plain function a background job can run.

pub mod corpus;
pub mod decode;
pub mod evaluate;
pub mod features;
pub mod model;
pub mod suggest;
pub mod train;

pub use corpus::{Corpus, HeldOut, TrainingSentence};
pub use evaluate::{Evaluation, LabelScore, evaluate, train_and_evaluate};
pub use model::{Model, ModelFileError};
pub use suggest::{Suggestions, suggest};
pub use train::{Progress, TrainError, TrainOptions, train};
