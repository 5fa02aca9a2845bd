//! The pure domain: no I/O, no async, no drawing.

pub mod capabilities;
pub mod mentions;
pub mod redact;
pub mod refname;
pub mod spec;
pub mod spend;
pub mod text;

pub use capabilities::{AspectRatio, Model, Region, Size, Tier};
pub use spec::{Field, GenerationSpec, Problem, RefSource, Reference, Seed};
pub use text::{Lang, Localized};
