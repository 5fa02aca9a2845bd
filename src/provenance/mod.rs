//! Provenance: the settings of a generation kept inside its MP4 ([`mp4`]), the
//! reference images every job used kept in the data folder (`archive`), and a
//! video's setup given back to the editor (`restore`).

mod error;
pub mod mp4;

pub use error::ProvenanceError;
pub use mp4::{Tags, read_tags, write_tags};
