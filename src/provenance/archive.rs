//! The reference archive: every reference image a job used, kept in the data
//! folder by content (`references/<first 2 hex>/<sha256>.<ext>`), stored once
//! however many jobs use it, so that a video's setup can be restored after the
//! original files have moved or gone.
//!
//! Beside each picture, `<sha256>.origins` lists where on this computer the
//! content was taken from (newest first): a restore offers the original file
//! when it still holds the same content. These paths stay here; they never go
//! into a video.
//!
//! Every write is atomic (a temporary file, synced, renamed), and writers and
//! the clean-up take the archive's lock file, so that a clean-up in one
//! process never removes a picture another process is adding.

use super::ProvenanceError;
use sha2::Digest;
use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The archive's folder inside the data folder.
pub const FOLDER: &str = "references";
const LOCK_FILE: &str = ".lock";
const ORIGINS_EXT: &str = "origins";
/// The most origins remembered for one picture.
const MAX_ORIGINS: usize = 16;
/// The largest origins list read (a few paths).
const MAX_ORIGINS_BYTES: u64 = 64 * 1024;

/// How much the archive holds (or how much a clean-up removed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    /// Pictures.
    pub files: u64,
    /// Bytes on disk, the origins lists included.
    pub bytes: u64,
}

/// The archive's size for the settings window; after a clean-up, with what
/// it removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub usage: Usage,
    pub removed: Option<Usage>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archive {
    root: PathBuf,
}

/// Whether `text` is a hex SHA-256 as the archive names files (64 lowercase
/// hex digits): anything else (from a video someone else made) is never used
/// as a path.
pub fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The hex SHA-256 of a file's content, reading at most `max_bytes`
/// (`None`: unreadable, or larger).
pub fn file_sha256(path: &Path, max_bytes: u64) -> Option<String> {
    let file = File::open(path).ok()?;
    if file.metadata().ok()?.len() > max_bytes {
        return None;
    }
    let mut hasher = sha2::Sha256::new();
    let mut reader = file.take(max_bytes);
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(_) => return None,
        }
    }
    Some(
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// The archive's own lock, held while it is written to.
struct Locked(File);

impl Drop for Locked {
    fn drop(&mut self) {
        if let Err(e) = self.0.unlock() {
            tracing::debug!("archive unlock: {e}");
        }
    }
}

impl Archive {
    /// The archive of a data folder.
    pub fn in_data_dir(data_dir: &Path) -> Archive {
        Archive {
            root: data_dir.join(FOLDER),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn lock(&self) -> Result<Locked, ProvenanceError> {
        std::fs::create_dir_all(&self.root).map_err(ProvenanceError::write(&self.root))?;
        let path = self.root.join(LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(ProvenanceError::write(&path))?;
        file.lock().map_err(ProvenanceError::write(&path))?;
        Ok(Locked(file))
    }

    fn folder_of(&self, hash: &str) -> PathBuf {
        self.root.join(&hash[..2])
    }

    /// Keeps `bytes` (once: content already there is not written again) and
    /// remembers `origin` as a place it came from. Returns the content's hash.
    pub fn put(&self, bytes: &[u8], origin: Option<&Path>) -> Result<String, ProvenanceError> {
        let hash = sha256_hex(bytes);
        let _lock = self.lock()?;
        if self.find(&hash).is_none() {
            let extension = image::guess_format(bytes)
                .ok()
                .and_then(|f| f.extensions_str().first().copied())
                .unwrap_or("bin");
            let folder = self.folder_of(&hash);
            let path = folder.join(format!("{hash}.{extension}"));
            write_atomically(&folder, &path, bytes)?;
        }
        if let Some(origin) = origin {
            self.remember_origin(&hash, origin)?;
        }
        Ok(hash)
    }

    /// The archived copy of the content `sha256`, if the archive has it.
    pub fn get(&self, sha256: &str) -> Option<PathBuf> {
        if !is_hash(sha256) {
            return None;
        }
        self.find(sha256)
    }

    fn find(&self, hash: &str) -> Option<PathBuf> {
        let entries = std::fs::read_dir(self.folder_of(hash)).ok()?;
        entries
            .flatten()
            .map(|e| e.path())
            .find(|p| picture_hash(p).as_deref() == Some(hash) && p.is_file())
    }

    /// Where the content `sha256` was taken from, newest first.
    pub fn origins(&self, sha256: &str) -> Vec<PathBuf> {
        if !is_hash(sha256) {
            return Vec::new();
        }
        self.read_origins(&self.origins_path(sha256))
    }

    fn origins_path(&self, hash: &str) -> PathBuf {
        self.folder_of(hash).join(format!("{hash}.{ORIGINS_EXT}"))
    }

    fn read_origins(&self, path: &Path) -> Vec<PathBuf> {
        let Ok(file) = File::open(path) else {
            return Vec::new();
        };
        let mut text = String::new();
        if file
            .take(MAX_ORIGINS_BYTES)
            .read_to_string(&mut text)
            .is_err()
        {
            return Vec::new();
        }
        serde_json::from_str::<Vec<PathBuf>>(&text).unwrap_or_default()
    }

    fn remember_origin(&self, hash: &str, origin: &Path) -> Result<(), ProvenanceError> {
        let path = self.origins_path(hash);
        let mut origins = self.read_origins(&path);
        if origins.first().is_some_and(|o| o == origin) {
            return Ok(());
        }
        origins.retain(|o| o != origin);
        origins.insert(0, origin.to_path_buf());
        origins.truncate(MAX_ORIGINS);
        let text = serde_json::to_vec(&origins).unwrap_or_default();
        write_atomically(&self.folder_of(hash), &path, &text)
    }

    /// How many pictures the archive holds and the bytes it takes.
    pub fn usage(&self) -> Result<Usage, ProvenanceError> {
        let mut usage = Usage::default();
        for (path, len) in self.files()? {
            usage.bytes += len;
            if picture_hash(&path).is_some() {
                usage.files += 1;
            }
        }
        Ok(usage)
    }

    /// Every file of the archive (its lock aside) with its length.
    fn files(&self) -> Result<Vec<(PathBuf, u64)>, ProvenanceError> {
        let mut out = Vec::new();
        let top = match std::fs::read_dir(&self.root) {
            Ok(top) => top,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => {
                return Err(ProvenanceError::Read {
                    path: self.root.clone(),
                    source: e,
                });
            }
        };
        for folder in top.flatten() {
            if !folder.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let entries =
                std::fs::read_dir(folder.path()).map_err(ProvenanceError::read(folder.path()))?;
            for entry in entries.flatten() {
                if let Ok(meta) = entry.metadata()
                    && meta.is_file()
                {
                    out.push((entry.path(), meta.len()));
                }
            }
        }
        Ok(out)
    }

    /// Starts a clean-up: the archive is locked (nothing is added) until it
    /// ends, so that what is in use can be read meanwhile and stay true.
    pub fn clean_up(&self) -> Result<CleanUp<'_>, ProvenanceError> {
        Ok(CleanUp {
            archive: self,
            _lock: self.lock()?,
        })
    }
}

/// A clean-up under way (see [`Archive::clean_up`]).
pub struct CleanUp<'a> {
    archive: &'a Archive,
    _lock: Locked,
}

impl CleanUp<'_> {
    /// Removes every picture whose hash is not in `in_use` (with its origins),
    /// and what an interrupted write left behind. Returns what was removed.
    pub fn remove_unused(self, in_use: &HashSet<String>) -> Result<Usage, ProvenanceError> {
        let archive = self.archive;
        let mut removed = Usage::default();
        for (path, len) in archive.files()? {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (picture, owner) = match picture_hash(&path) {
                Some(hash) => (true, Some(hash)),
                None => (false, origins_hash(&name)),
            };
            // A temporary file (no write is under way: the lock is held), or
            // the picture or origins of content no job uses.
            let unused = owner.is_none_or(|hash| !in_use.contains(&hash));
            if !unused {
                continue;
            }
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    removed.bytes += len;
                    removed.files += u64::from(picture);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(ProvenanceError::Write { path, source: e }),
            }
        }
        // Folders left empty (failing to remove one that is not empty is fine).
        if let Ok(top) = std::fs::read_dir(&archive.root) {
            for folder in top.flatten() {
                if folder.file_type().is_ok_and(|t| t.is_dir()) {
                    std::fs::remove_dir(folder.path()).ok();
                }
            }
        }
        Ok(removed)
    }
}

/// The hash of an archived picture's file name (`<hash>.<ext>`, not origins).
fn picture_hash(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let (hash, ext) = name.split_once('.')?;
    (is_hash(hash) && ext != ORIGINS_EXT && !ext.contains('.')).then(|| hash.to_string())
}

/// The hash of an origins list's file name.
fn origins_hash(name: &str) -> Option<String> {
    let hash = name.strip_suffix(&format!(".{ORIGINS_EXT}"))?;
    is_hash(hash).then(|| hash.to_string())
}

/// Writes `bytes` to `path` through a synced temporary file in `folder`.
fn write_atomically(folder: &Path, path: &Path, bytes: &[u8]) -> Result<(), ProvenanceError> {
    std::fs::create_dir_all(folder).map_err(ProvenanceError::write(folder))?;
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let temp = folder.join(format!(".{}.part", &unique[..12]));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, path)?;
        if let Ok(dir) = File::open(folder) {
            dir.sync_all().ok(); // not possible everywhere; the rename stands
        }
        Ok(())
    })();
    result.map_err(|source: std::io::Error| {
        std::fs::remove_file(&temp).ok(); // may not exist; the write's error is the one told
        ProvenanceError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(shade: u8) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(8, 8, image::Rgb([shade, 0, 0]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn content_is_stored_once_by_its_hash_with_the_extension_of_its_format() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::in_data_dir(dir.path());
        let bytes = png(1);
        let first = archive.put(&bytes, Some(Path::new("/a/hero.png"))).unwrap();
        let second = archive.put(&bytes, Some(Path::new("/b/copy.png"))).unwrap();
        assert_eq!(first, second);
        assert_eq!(first, sha256_hex(&bytes));
        let stored = archive.get(&first).unwrap();
        assert_eq!(
            stored,
            dir.path()
                .join("references")
                .join(&first[..2])
                .join(format!("{first}.png"))
        );
        assert_eq!(std::fs::read(&stored).unwrap(), bytes);
        assert_eq!(archive.usage().unwrap().files, 1, "stored once");
        assert_eq!(
            archive.origins(&first),
            [PathBuf::from("/b/copy.png"), PathBuf::from("/a/hero.png")],
            "newest first"
        );
        let other = archive.put(b"not a picture", None).unwrap();
        assert!(
            archive
                .get(&other)
                .unwrap()
                .to_string_lossy()
                .ends_with(".bin")
        );
        assert_eq!(archive.usage().unwrap().files, 2);
    }

    #[test]
    fn only_real_hashes_are_looked_up() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::in_data_dir(dir.path());
        std::fs::create_dir_all(dir.path().join("references/..")).unwrap();
        for bad in [
            "../../etc/passwd",
            "",
            "AB",
            &"g".repeat(64),
            &"A".repeat(64),
        ] {
            assert_eq!(archive.get(bad), None, "{bad}");
            assert!(archive.origins(bad).is_empty());
        }
    }

    #[test]
    fn a_clean_up_removes_what_no_job_uses_and_leftovers_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::in_data_dir(dir.path());
        let kept = archive.put(&png(1), Some(Path::new("/a.png"))).unwrap();
        let unused = archive.put(&png(2), Some(Path::new("/b.png"))).unwrap();
        let leftover = archive.root().join(&kept[..2]).join(".0123456789ab.part");
        std::fs::write(&leftover, b"half").unwrap();
        let before = archive.usage().unwrap();
        assert_eq!(before.files, 2);
        let removed = archive
            .clean_up()
            .unwrap()
            .remove_unused(&HashSet::from([kept.clone()]))
            .unwrap();
        assert_eq!(removed.files, 1);
        assert!(
            removed.bytes > png(2).len() as u64,
            "the picture, its origins and the leftover"
        );
        assert_eq!(
            archive.usage().unwrap(),
            Usage {
                files: 1,
                bytes: before.bytes - removed.bytes
            }
        );
        assert!(archive.get(&kept).is_some());
        assert!(archive.get(&unused).is_none());
        assert!(archive.origins(&unused).is_empty());
        assert!(!leftover.exists());
        assert_eq!(archive.origins(&kept), [PathBuf::from("/a.png")]);
    }

    #[test]
    fn an_empty_or_missing_archive_measures_zero() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::in_data_dir(&dir.path().join("nowhere"));
        assert_eq!(archive.usage().unwrap(), Usage::default());
        assert_eq!(
            archive
                .clean_up()
                .unwrap()
                .remove_unused(&HashSet::new())
                .unwrap(),
            Usage::default()
        );
    }

    #[test]
    fn file_hashes_match_content_hashes_and_respect_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.png");
        std::fs::write(&path, png(3)).unwrap();
        assert_eq!(file_sha256(&path, 1 << 20), Some(sha256_hex(&png(3))));
        assert_eq!(file_sha256(&path, 10), None);
        assert_eq!(file_sha256(&dir.path().join("missing"), 1 << 20), None);
    }
}
