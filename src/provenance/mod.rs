//! Provenance: the settings of a generation kept inside its MP4 ([`mp4`], as a
//! [`Record`]), the reference images every job used kept in the data folder
//! ([`archive`]), and a video's setup given back to the editor or the command
//! line ([`restore()`]).

pub mod archive;
mod error;
pub mod mp4;
pub mod record;
mod restore;

pub use archive::Archive;
pub use error::ProvenanceError;
pub use mp4::{Tags, read_tags, write_tags};
pub use record::{FORMAT_VERSION, Record, ReferenceRecord};
pub use restore::{Found, Restored, RestoredReference, restore};

use crate::engine::Job;
use std::path::Path;

/// Writes the job's record into its finished video (atomically; the video is
/// left as it was on any failure).
pub fn tag_video(video: &Path, job: &Job) -> Result<(), ProvenanceError> {
    write_tags(video, &Record::from_job(job).to_tags())
}

/// Whether `video` holds the record of the job `job_id` (a video tagged
/// before the app stopped, whose length no longer matches the download's).
pub fn is_tagged_for(video: &Path, job_id: &str) -> bool {
    matches!(
        read_tags(video).map(|t| t.as_ref().map(Record::from_tags)),
        Ok(Some(Ok(record))) if record.job_id == job_id
    )
}
