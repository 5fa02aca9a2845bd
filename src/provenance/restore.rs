//! A video's setup given back: the record in its tags, with each reference
//! found again: the original file if it still holds the same content, else
//! the archived copy, else (for a link) the link itself.
//!
//! Reads files and hashes them: never on the UI thread.

use super::ProvenanceError;
use super::archive::{Archive, file_sha256, is_hash};
use super::mp4::read_tags;
use super::record::{Record, ReferenceRecord};
use crate::core::{GenerationSpec, RefSource, Reference};
use crate::engine::MAX_REFERENCE_BYTES;
use std::path::{Path, PathBuf};

/// What a video's settings restore to.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    /// Every parameter, and the references as found (a missing one has an
    /// empty path: the editor asks for a file).
    pub spec: GenerationSpec,
    /// How each reference was found, in the spec's order.
    pub references: Vec<RestoredReference>,
    /// The record as the video holds it.
    pub record: Record,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestoredReference {
    pub name: String,
    /// The name of the file (or of the link's last part) the job used.
    pub file_name: String,
    pub found: Found,
}

/// Where a reference's picture was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The original file, with the same content as when the job used it.
    Original(PathBuf),
    /// The archived copy (the original moved, changed, or is a link).
    Archived(PathBuf),
    /// The link itself, without its query (no archived copy: the link may no
    /// longer give the same picture).
    Link(String),
    /// Nowhere on this computer: the video was made elsewhere, or the archive
    /// was cleaned up.
    Missing,
}

impl Restored {
    /// Whether any reference could not be found.
    pub fn has_missing(&self) -> bool {
        self.references.iter().any(|r| r.found == Found::Missing)
    }
}

/// The setup of `video` with its references found in `archive` (and in the
/// places the archive remembers they came from).
///
/// A video without our settings is [`ProvenanceError::NoSettings`].
pub fn restore(video: &Path, archive: &Archive) -> Result<Restored, ProvenanceError> {
    let tags = read_tags(video)?.ok_or(ProvenanceError::NoSettings)?;
    let record = Record::from_tags(&tags)?;
    let references: Vec<RestoredReference> = record
        .references
        .iter()
        .map(|r| RestoredReference {
            name: r.name.clone(),
            file_name: r.file_name.clone(),
            found: find(r, archive),
        })
        .collect();
    let mut spec = record.parameters();
    spec.references = references
        .iter()
        .map(|r| Reference {
            name: r.name.clone(),
            source: match &r.found {
                Found::Original(path) | Found::Archived(path) => RefSource::Local(path.clone()),
                Found::Link(url) => RefSource::Url(url.clone()),
                Found::Missing => RefSource::Local(PathBuf::new()),
            },
        })
        .collect();
    Ok(Restored {
        spec,
        references,
        record,
    })
}

fn find(reference: &ReferenceRecord, archive: &Archive) -> Found {
    let link = || match &reference.url {
        Some(url) => Found::Link(url.clone()),
        None => Found::Missing,
    };
    let Some(hash) = reference.sha256.as_deref().filter(|h| is_hash(h)) else {
        return link();
    };
    if reference.url.is_none() {
        let original = archive
            .origins(hash)
            .into_iter()
            .find(|path| file_sha256(path, MAX_REFERENCE_BYTES).as_deref() == Some(hash));
        if let Some(path) = original {
            return Found::Original(path);
        }
    }
    match archive.get(hash) {
        Some(path) => Found::Archived(path),
        None => link(),
    }
}
