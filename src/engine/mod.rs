//! The job engine: turns a validated spec into an MP4 on disk without ever losing
//! or double-paying a generation. Runs on its own tokio runtime thread.

pub mod images;
pub mod job;
pub mod schedule;
pub mod store;
