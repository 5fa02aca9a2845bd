//! Our two tags inside an MP4, written and read by hand on the file's boxes.
//!
//! The tags live in `moov/udta/meta`: with Apple's layout (handler `mdir`, items
//! named by four characters) a comment `©cmt` and a freeform item `----` (mean
//! [`FREEFORM_MEAN`], name [`FREEFORM_NAME`]) that holds the JSON; with FFmpeg's
//! `use_metadata_tags` layout (handler `mdta`, a `keys` list, items named by key
//! index) the keys `comment` and [`FREEFORM_NAME`] are set instead, so that both
//! layouts show the same two tags in ffprobe, exiftool and mediainfo.
//!
//! Only `moov` is rebuilt, and in it only the boxes on the way to the tags (and,
//! when the media data comes after `moov` and `moov` changes size, the chunk
//! offset tables `stco`/`co64`). Every other box is copied byte for byte, and the
//! media data is never touched, so no video or audio sample changes.
//!
//! Writing is atomic: the new file is written beside the old one, synced, read
//! back, and renamed over it. A failure at any point leaves the original as it
//! was and removes the new file.

use super::ProvenanceError;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The freeform item's `mean` (the namespace iTunes-style tools expect).
pub const FREEFORM_MEAN: &str = "com.apple.iTunes";
/// The freeform item's `name`, and the key name in the `mdta` layout: tools
/// show the JSON under this name.
pub const FREEFORM_NAME: &str = "r2v-studio";
/// The comment's key in the `mdta` layout (what FFmpeg writes for `comment`).
const MDTA_COMMENT_KEY: &str = "comment";
/// The comment's item type in the `mdir` layout: `©cmt`.
const COMMENT_ITEM: [u8; 4] = [0xA9, b'c', b'm', b't'];
/// The largest value of either tag (the JSON of one job is a few KB).
pub const MAX_TAG_BYTES: usize = 1 << 20;
/// The largest `moov` read into memory (a 15 s clip's is a few KB).
const MAX_MOOV_BYTES: u64 = 64 << 20;
/// The most top-level boxes looked at (a plain MP4 has four or five).
const MAX_TOP_LEVEL_BOXES: usize = 10_000;
/// The most children of one box looked at.
const MAX_CHILDREN: usize = 1 << 16;

/// What we keep in a video: a short comment for people and the settings as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tags {
    pub comment: String,
    pub json: String,
}

/// Box types that may start an MP4/QuickTime file.
const TOP_LEVEL: &[&[u8; 4]] = &[
    b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"pdin", b"styp", b"moof",
    b"meta", b"sidx", b"junk", b"pnot",
];

/// Where the index is in the file.
#[derive(Debug, Clone)]
struct Layout {
    file_len: u64,
    /// The whole `moov` box, header included.
    moov: Range<u64>,
    /// Length of the `moov` header (8, or 16 with a 64-bit size).
    moov_header: u64,
    /// The file holds movie fragments (`moof`): offsets live in them too.
    fragmented: bool,
}

/// Reads the tags; `None` when the video has no settings of ours.
pub fn read_tags(path: &Path) -> Result<Option<Tags>, ProvenanceError> {
    let mut file = File::open(path).map_err(ProvenanceError::read(path))?;
    let len = file.metadata().map_err(ProvenanceError::read(path))?.len();
    read_tags_from(&mut file, len, path)
}

/// Every text tag of the file's `moov/udta/meta` and `moov/meta` as (name, value):
/// four-character items by their type (`©too`), freeform ones as
/// `----:mean:name`, keyed ones by their key.
pub fn text_tags(path: &Path) -> Result<Vec<(String, String)>, ProvenanceError> {
    let mut file = File::open(path).map_err(ProvenanceError::read(path))?;
    let len = file.metadata().map_err(ProvenanceError::read(path))?.len();
    let layout = scan(&mut file, len, path)?;
    let moov = read_moov(&mut file, &layout, path)?;
    let (kids, _) = atoms(&moov)?;
    let mut out = Vec::new();
    for kid in &kids {
        let metas: Vec<Atom<'_>> = match &kid.kind {
            b"udta" => atoms(kid.body)?
                .0
                .into_iter()
                .filter(|a| &a.kind == b"meta")
                .collect(),
            b"meta" => vec![*kid],
            _ => continue,
        };
        for meta in metas {
            let Ok(meta) = Meta::parse(meta.body) else {
                continue;
            };
            out.extend(meta.text_items()?);
        }
    }
    Ok(out)
}

/// Every byte of an MP4 but its index (`moov`): what writing tags never
/// changes (a download can be checked against the served file with it).
pub fn outside_index(bytes: &[u8]) -> Result<Vec<u8>, ProvenanceError> {
    let layout = scan(
        &mut std::io::Cursor::new(bytes),
        bytes.len() as u64,
        Path::new("memory"),
    )?;
    let (start, end) = (layout.moov.start as usize, layout.moov.end as usize);
    Ok([&bytes[..start], &bytes[end..]].concat())
}

/// [`read_tags`] on any reader of `len` bytes; `path` only names it in errors.
pub(crate) fn read_tags_from<R: Read + Seek>(
    reader: &mut R,
    len: u64,
    path: &Path,
) -> Result<Option<Tags>, ProvenanceError> {
    let layout = scan(reader, len, path)?;
    let moov = read_moov(reader, &layout, path)?;
    tags_in_moov(&moov)
}

/// Writes the tags into the MP4 at `path` (replacing earlier ones of ours and
/// keeping every other tag), atomically.
pub fn write_tags(path: &Path, tags: &Tags) -> Result<(), ProvenanceError> {
    write_tags_failing_after(path, tags, None)
}

/// [`write_tags`], with the new file's writer failing after `fail_after` bytes
/// (for the tests of a failure in the middle).
pub(crate) fn write_tags_failing_after(
    path: &Path,
    tags: &Tags,
    fail_after: Option<u64>,
) -> Result<(), ProvenanceError> {
    for value in [&tags.comment, &tags.json] {
        if value.len() > MAX_TAG_BYTES {
            return Err(ProvenanceError::TagTooLarge(value.len()));
        }
    }
    let mut source = File::open(path).map_err(ProvenanceError::read(path))?;
    let meta = source.metadata().map_err(ProvenanceError::read(path))?;
    let len = meta.len();
    let layout = scan(&mut source, len, path)?;
    if layout.fragmented {
        return Err(ProvenanceError::Fragmented);
    }
    let moov = read_moov(&mut source, &layout, path)?;
    let new_moov = retag_moov(&moov, &layout, tags)?;
    let temp = temp_path(path);
    let result = write_and_replace(
        source,
        &layout,
        &new_moov,
        path,
        &temp,
        tags,
        fail_after,
        meta.permissions(),
    );
    if result.is_err()
        && let Err(e) = std::fs::remove_file(&temp)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!("could not remove {}: {e}", temp.display());
    }
    result
}

/// A name beside `path` that nobody else uses.
fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let unique = uuid::Uuid::new_v4().simple().to_string();
    path.with_file_name(format!(".{name}.{}.tagging", &unique[..12]))
}

#[allow(clippy::too_many_arguments)]
fn write_and_replace(
    mut source: File,
    layout: &Layout,
    new_moov: &[u8],
    path: &Path,
    temp: &Path,
    tags: &Tags,
    fail_after: Option<u64>,
    permissions: std::fs::Permissions,
) -> Result<(), ProvenanceError> {
    let write_err = ProvenanceError::write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp)
        .map_err(write_err(temp))?;
    {
        let mut out = std::io::BufWriter::with_capacity(
            1 << 20,
            FailAfter {
                inner: &mut file,
                left: fail_after,
            },
        );
        copy_range(&mut source, 0..layout.moov.start, &mut out, path, temp)?;
        out.write_all(new_moov).map_err(write_err(temp))?;
        copy_range(
            &mut source,
            layout.moov.end..layout.file_len,
            &mut out,
            path,
            temp,
        )?;
        out.flush().map_err(write_err(temp))?;
    }
    file.sync_all().map_err(write_err(temp))?;
    drop(file);
    // Windows renames over a file only when nothing of ours holds it open.
    drop(source);
    // Read back what was written before it replaces anything.
    let expected_len =
        layout.moov.start + new_moov.len() as u64 + (layout.file_len - layout.moov.end);
    let written_len = std::fs::metadata(temp)
        .map_err(ProvenanceError::read(temp))?
        .len();
    if written_len != expected_len {
        return Err(ProvenanceError::Corrupt(
            "the new file is not the expected length",
        ));
    }
    if read_tags(temp)?.as_ref() != Some(tags) {
        return Err(ProvenanceError::Corrupt("the new file does not read back"));
    }
    if let Err(e) = std::fs::set_permissions(temp, permissions) {
        tracing::warn!("could not keep the permissions of {}: {e}", path.display());
    }
    std::fs::rename(temp, path).map_err(write_err(path))?;
    sync_folder(path);
    Ok(())
}

/// Makes a rename durable (where the system allows opening a folder).
fn sync_folder(path: &Path) {
    if let Some(dir) = path.parent()
        && let Ok(d) = File::open(dir)
        && let Err(e) = d.sync_all()
    {
        tracing::debug!("sync of {}: {e}", dir.display());
    }
}

/// Copies `range` of `source` to `out`, exactly.
fn copy_range<W: Write>(
    source: &mut File,
    range: Range<u64>,
    out: &mut W,
    path: &Path,
    temp: &Path,
) -> Result<(), ProvenanceError> {
    let want = range.end.saturating_sub(range.start);
    if want == 0 {
        return Ok(());
    }
    source
        .seek(SeekFrom::Start(range.start))
        .map_err(ProvenanceError::read(path))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = want;
    while left > 0 {
        let n = (left.min(buf.len() as u64)) as usize;
        let got = source
            .read(&mut buf[..n])
            .map_err(ProvenanceError::read(path))?;
        if got == 0 {
            return Err(ProvenanceError::Corrupt(
                "the file became shorter while it was being tagged",
            ));
        }
        out.write_all(&buf[..got])
            .map_err(ProvenanceError::write(temp))?;
        left -= got as u64;
    }
    Ok(())
}

/// A writer that fails once it has taken `left` bytes (`None`: never).
struct FailAfter<W> {
    inner: W,
    left: Option<u64>,
}

impl<W: Write> Write for FailAfter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let Some(left) = self.left else {
            return self.inner.write(buf);
        };
        if left == 0 {
            return Err(std::io::Error::other("injected failure"));
        }
        let n = buf.len().min(left as usize);
        let written = self.inner.write(&buf[..n])?;
        self.left = Some(left - written as u64);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

// ---- Reading the file's top level ----

fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_be_bytes(b))
}

fn be64(bytes: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = bytes.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_be_bytes(b))
}

/// Walks the top-level boxes (headers only) and finds the one `moov`.
fn scan<R: Read + Seek>(
    reader: &mut R,
    file_len: u64,
    path: &Path,
) -> Result<Layout, ProvenanceError> {
    if file_len == 0 {
        return Err(ProvenanceError::Empty);
    }
    let mut at = 0u64;
    let mut moov: Option<(Range<u64>, u64)> = None;
    let mut fragmented = false;
    let mut count = 0usize;
    while file_len - at >= 8 {
        count += 1;
        if count > MAX_TOP_LEVEL_BOXES {
            return Err(ProvenanceError::Corrupt("too many boxes at the top level"));
        }
        reader
            .seek(SeekFrom::Start(at))
            .map_err(ProvenanceError::read(path))?;
        let mut head = [0u8; 16];
        let want = if file_len - at >= 16 { 16 } else { 8 };
        reader
            .read_exact(&mut head[..want])
            .map_err(ProvenanceError::read(path))?;
        let kind: [u8; 4] = [head[4], head[5], head[6], head[7]];
        if at == 0 && !TOP_LEVEL.contains(&&kind) {
            return Err(ProvenanceError::NotMp4);
        }
        let (header, size) = match be32(&head, 0).unwrap_or(0) {
            0 => (8, file_len - at),
            1 if want == 16 => (16, be64(&head, 8).unwrap_or(0)),
            1 => {
                return Err(ProvenanceError::Corrupt(
                    "the file ends inside a box header",
                ));
            }
            n => (8, u64::from(n)),
        };
        if size < header {
            if at == 0 {
                return Err(ProvenanceError::NotMp4);
            }
            return Err(ProvenanceError::Corrupt("a box is smaller than its header"));
        }
        if size > file_len - at {
            if at == 0 {
                return Err(ProvenanceError::NotMp4);
            }
            return Err(ProvenanceError::Corrupt(
                "the file ends inside a box (it may be incomplete)",
            ));
        }
        match &kind {
            b"moov" if moov.is_some() => {
                return Err(ProvenanceError::Corrupt(
                    "the file has two indexes (moov boxes)",
                ));
            }
            b"moov" => moov = Some((at..at + size, header)),
            b"moof" => fragmented = true,
            _ => {}
        }
        at += size;
    }
    let (moov, moov_header) = moov.ok_or(ProvenanceError::NoIndex)?;
    Ok(Layout {
        file_len,
        moov,
        moov_header,
        fragmented,
    })
}

/// The body of `moov`, read into memory (bounded).
fn read_moov<R: Read + Seek>(
    reader: &mut R,
    layout: &Layout,
    path: &Path,
) -> Result<Vec<u8>, ProvenanceError> {
    let body_len = layout.moov.end - layout.moov.start - layout.moov_header;
    if body_len > MAX_MOOV_BYTES {
        return Err(ProvenanceError::IndexTooLarge(body_len));
    }
    reader
        .seek(SeekFrom::Start(layout.moov.start + layout.moov_header))
        .map_err(ProvenanceError::read(path))?;
    let mut body = vec![0u8; body_len as usize];
    reader
        .read_exact(&mut body)
        .map_err(ProvenanceError::read(path))?;
    Ok(body)
}

// ---- Boxes in memory ----

/// One box inside a parent's body: its whole bytes and its body.
#[derive(Debug, Clone, Copy)]
struct Atom<'a> {
    kind: [u8; 4],
    raw: &'a [u8],
    body: &'a [u8],
}

/// The boxes of a body, and the bytes after the last one (fewer than 8: the
/// zero terminator QuickTime allows in `udta`, or nothing).
fn atoms(bytes: &[u8]) -> Result<(Vec<Atom<'_>>, &[u8]), ProvenanceError> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while bytes.len() - at >= 8 {
        if out.len() >= MAX_CHILDREN {
            return Err(ProvenanceError::Corrupt("a box holds too many boxes"));
        }
        let rest = (bytes.len() - at) as u64;
        let kind = [bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]];
        let (header, size) = match be32(bytes, at).unwrap_or(0) {
            // "To the end of the file" means nothing inside another box.
            0 => {
                return Err(ProvenanceError::Corrupt(
                    "a box inside the index has no size",
                ));
            }
            1 => (
                16,
                be64(bytes, at + 8).ok_or(ProvenanceError::Corrupt("a box header is cut short"))?,
            ),
            n => (8, u64::from(n)),
        };
        if size < header || size > rest {
            return Err(ProvenanceError::Corrupt(
                "a box inside the index does not fit in its parent",
            ));
        }
        let end = at + size as usize;
        out.push(Atom {
            kind,
            raw: &bytes[at..end],
            body: &bytes[at + header as usize..end],
        });
        at = end;
    }
    Ok((out, &bytes[at..]))
}

/// A box with `body`, with a 64-bit size when it needs one.
fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 16);
    match u32::try_from(body.len() + 8) {
        Ok(size) => out.extend_from_slice(&size.to_be_bytes()),
        Err(_) => {
            out.extend_from_slice(&1u32.to_be_bytes());
            out.extend_from_slice(kind);
            out.extend_from_slice(&(body.len() as u64 + 16).to_be_bytes());
            out.extend_from_slice(body);
            return out;
        }
    }
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

/// A full box's body: version and flags, then `body`.
fn full(body: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 4];
    out.extend_from_slice(body);
    out
}

/// A `data` box holding UTF-8 text (well-known type 1, no locale).
fn data_box(text: &str) -> Vec<u8> {
    let mut body = vec![0, 0, 0, 1, 0, 0, 0, 0];
    body.extend_from_slice(text.as_bytes());
    boxed(b"data", &body)
}

/// The first UTF-8 `data` value of an item (`None`: none, or not text).
fn data_text(item_body: &[u8]) -> Result<Option<String>, ProvenanceError> {
    let (kids, _) = atoms(item_body)?;
    for kid in kids {
        if &kid.kind == b"data" && kid.body.len() >= 8 && be32(kid.body, 0) == Some(1) {
            return Ok(String::from_utf8(kid.body[8..].to_vec()).ok());
        }
    }
    Ok(None)
}

/// `meta`: ISO's is a full box, QuickTime's is not; both are met in MP4s.
struct Meta<'a> {
    version: Option<&'a [u8]>,
    kids: Vec<Atom<'a>>,
    tail: &'a [u8],
}

/// The children a `meta` box may start with (to tell its two forms apart).
fn is_meta_child(kind: &[u8]) -> bool {
    matches!(
        kind,
        b"hdlr" | b"keys" | b"ilst" | b"free" | b"skip" | b"xml " | b"bxml" | b"iinf" | b"pitm"
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Handler {
    /// Apple's item list: items named by four characters.
    Mdir,
    /// QuickTime metadata (FFmpeg's `use_metadata_tags`): items named by key.
    Mdta,
}

impl<'a> Meta<'a> {
    fn parse(body: &'a [u8]) -> Result<Meta<'a>, ProvenanceError> {
        let plain = body.get(4..8).is_some_and(is_meta_child);
        let (version, rest) = if plain {
            (None, body)
        } else {
            let (v, rest) = body
                .split_at_checked(4)
                .ok_or(ProvenanceError::Corrupt("a metadata box is cut short"))?;
            (Some(v), rest)
        };
        let (kids, tail) = atoms(rest)?;
        Ok(Meta {
            version,
            kids,
            tail,
        })
    }

    fn handler(&self) -> Option<Handler> {
        let hdlr = self.kids.iter().find(|k| &k.kind == b"hdlr")?;
        match hdlr.body.get(8..12)? {
            b"mdir" => Some(Handler::Mdir),
            b"mdta" => Some(Handler::Mdta),
            _ => None,
        }
    }

    fn child(&self, kind: &[u8; 4]) -> Option<&Atom<'a>> {
        self.kids.iter().find(|k| &k.kind == kind)
    }

    /// The whole `meta` box with `kids` in place of the old children.
    fn rebuilt(&self, kids: &[u8]) -> Vec<u8> {
        let mut body = Vec::with_capacity(kids.len() + 8);
        if let Some(v) = self.version {
            body.extend_from_slice(v);
        }
        body.extend_from_slice(kids);
        body.extend_from_slice(self.tail);
        boxed(b"meta", &body)
    }

    /// Our comment and JSON, when this box holds them.
    fn ours(&self) -> Result<(Option<String>, Option<String>), ProvenanceError> {
        let Some(ilst) = self.child(b"ilst") else {
            return Ok((None, None));
        };
        let (items, _) = atoms(ilst.body)?;
        let (mut comment, mut json) = (None, None);
        match self.handler() {
            Some(Handler::Mdir) => {
                for item in &items {
                    if item.kind == COMMENT_ITEM && comment.is_none() {
                        comment = data_text(item.body)?;
                    } else if is_our_freeform(item) && json.is_none() {
                        json = data_text(item.body)?;
                    }
                }
            }
            Some(Handler::Mdta) => {
                let keys = match self.child(b"keys") {
                    Some(k) => Keys::parse(k.body)?,
                    None => return Ok((None, None)),
                };
                let comment_index = keys.index_of(MDTA_COMMENT_KEY);
                let json_index = keys.index_of(FREEFORM_NAME);
                for item in &items {
                    let index = u32::from_be_bytes(item.kind);
                    if Some(index) == comment_index && comment.is_none() {
                        comment = data_text(item.body)?;
                    } else if Some(index) == json_index && json.is_none() {
                        json = data_text(item.body)?;
                    }
                }
            }
            None => {}
        }
        Ok((comment, json))
    }

    fn text_items(&self) -> Result<Vec<(String, String)>, ProvenanceError> {
        let Some(ilst) = self.child(b"ilst") else {
            return Ok(Vec::new());
        };
        let (items, _) = atoms(ilst.body)?;
        let keys = match (self.handler(), self.child(b"keys")) {
            (Some(Handler::Mdta), Some(k)) => Some(Keys::parse(k.body)?),
            _ => None,
        };
        let mut out = Vec::new();
        for item in &items {
            let Some(value) = data_text(item.body)? else {
                continue;
            };
            let name = if let Some(keys) = &keys {
                let index = u32::from_be_bytes(item.kind) as usize;
                match index.checked_sub(1).and_then(|i| keys.entries.get(i)) {
                    Some(key) => String::from_utf8_lossy(key.name).into_owned(),
                    None => continue,
                }
            } else if &item.kind == b"----" {
                let (mean, name) = freeform_names(item).unwrap_or_default();
                format!("----:{mean}:{name}")
            } else {
                // Four characters, `©` being Latin-1.
                item.kind.iter().map(|&b| char::from(b)).collect()
            };
            out.push((name, value));
        }
        Ok(out)
    }
}

/// The `mean` and `name` of a freeform item.
fn freeform_names(item: &Atom<'_>) -> Option<(String, String)> {
    let (kids, _) = atoms(item.body).ok()?;
    let text = |kind: &[u8; 4]| {
        kids.iter()
            .find(|k| &k.kind == kind)
            .and_then(|k| k.body.get(4..))
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };
    Some((text(b"mean")?, text(b"name")?))
}

fn is_our_freeform(item: &Atom<'_>) -> bool {
    &item.kind == b"----"
        && freeform_names(item)
            .is_some_and(|(mean, name)| mean == FREEFORM_MEAN && name == FREEFORM_NAME)
}

fn comment_item(text: &str) -> Vec<u8> {
    boxed(&COMMENT_ITEM, &data_box(text))
}

fn freeform_item(json: &str) -> Vec<u8> {
    let mut body = boxed(b"mean", &full(FREEFORM_MEAN.as_bytes()));
    body.extend(boxed(b"name", &full(FREEFORM_NAME.as_bytes())));
    body.extend(data_box(json));
    boxed(b"----", &body)
}

/// A new `meta` with Apple's layout holding only our tags (what FFmpeg and
/// iTunes write: full box, `hdlr` of type `mdir` by `appl`).
fn new_meta(tags: &Tags) -> Vec<u8> {
    let mut hdlr = vec![0u8; 8];
    hdlr.extend_from_slice(b"mdirappl");
    hdlr.extend_from_slice(&[0u8; 9]);
    let mut body = vec![0u8; 4];
    body.extend(boxed(b"hdlr", &hdlr));
    let mut items = comment_item(&tags.comment);
    items.extend(freeform_item(&tags.json));
    body.extend(boxed(b"ilst", &items));
    boxed(b"meta", &body)
}

/// The `keys` box of the `mdta` layout.
struct Keys<'a> {
    version: &'a [u8],
    entries: Vec<Key<'a>>,
    tail: &'a [u8],
}

struct Key<'a> {
    raw: &'a [u8],
    namespace: &'a [u8],
    name: &'a [u8],
}

impl<'a> Keys<'a> {
    fn parse(body: &'a [u8]) -> Result<Keys<'a>, ProvenanceError> {
        let broken = || ProvenanceError::Corrupt("the metadata keys are damaged");
        let version = body.get(..4).ok_or_else(broken)?;
        let count = be32(body, 4).ok_or_else(broken)? as usize;
        if count > (body.len() - 8) / 8 {
            return Err(broken());
        }
        let mut entries = Vec::with_capacity(count);
        let mut at = 8usize;
        for _ in 0..count {
            let size = be32(body, at).ok_or_else(broken)? as usize;
            if size < 8 || size > body.len() - at {
                return Err(broken());
            }
            entries.push(Key {
                raw: &body[at..at + size],
                namespace: &body[at + 4..at + 8],
                name: &body[at + 8..at + size],
            });
            at += size;
        }
        Ok(Keys {
            version,
            entries,
            tail: &body[at..],
        })
    }

    /// The 1-based index items use for the key `name` (namespace `mdta`).
    fn index_of(&self, name: &str) -> Option<u32> {
        self.entries
            .iter()
            .position(|k| k.namespace == b"mdta" && k.name == name.as_bytes())
            .and_then(|i| u32::try_from(i + 1).ok())
    }
}

fn key_entry(name: &str) -> Vec<u8> {
    let mut out = ((name.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(b"mdta");
    out.extend_from_slice(name.as_bytes());
    out
}

// ---- Finding and reading our tags ----

/// The `meta` of `udta` that holds (or will hold) our tags: the first with
/// Apple's layout, else the first with the keyed layout and its `keys` (keyed
/// items without keys cannot be told apart: such a box is left alone).
fn target_meta<'a>(udta_kids: &[Atom<'a>]) -> Option<(usize, Meta<'a>)> {
    let metas: Vec<(usize, Meta<'a>)> = udta_kids
        .iter()
        .enumerate()
        .filter(|(_, k)| &k.kind == b"meta")
        .filter_map(|(i, k)| Meta::parse(k.body).ok().map(|m| (i, m)))
        .collect();
    let pick = |h: Handler| {
        metas.iter().position(|(_, m)| {
            m.handler() == Some(h) && (h == Handler::Mdir || m.child(b"keys").is_some())
        })
    };
    let index = pick(Handler::Mdir).or_else(|| pick(Handler::Mdta))?;
    metas.into_iter().nth(index)
}

fn tags_in_moov(moov: &[u8]) -> Result<Option<Tags>, ProvenanceError> {
    let (kids, _) = atoms(moov)?;
    let found = |meta: &Meta<'_>| -> Result<Option<Tags>, ProvenanceError> {
        let (comment, json) = meta.ours()?;
        Ok(json.map(|json| Tags {
            comment: comment.unwrap_or_default(),
            json,
        }))
    };
    if let Some(udta) = kids.iter().find(|k| &k.kind == b"udta") {
        let (udta_kids, _) = atoms(udta.body)?;
        if let Some((_, meta)) = target_meta(&udta_kids)
            && let Some(tags) = found(&meta)?
        {
            return Ok(Some(tags));
        }
    }
    // QuickTime's own place for keyed metadata, directly in `moov`.
    for kid in kids.iter().filter(|k| &k.kind == b"meta") {
        if let Ok(meta) = Meta::parse(kid.body)
            && let Some(tags) = found(&meta)?
        {
            return Ok(Some(tags));
        }
    }
    Ok(None)
}

// ---- Rebuilding moov ----

/// How chunk offsets move: those at or after the old end of `moov` by `by`.
#[derive(Debug, Clone, Copy)]
struct Shift {
    old_moov: (u64, u64),
    by: i64,
}

impl Shift {
    fn apply(&self, offset: u64) -> Result<u64, ProvenanceError> {
        let (start, end) = self.old_moov;
        if offset >= end {
            let moved = i128::from(offset) + i128::from(self.by);
            u64::try_from(moved)
                .map_err(|_| ProvenanceError::Corrupt("a chunk offset is out of range"))
        } else if offset >= start {
            Err(ProvenanceError::Corrupt(
                "a chunk offset points into the index",
            ))
        } else {
            Ok(offset)
        }
    }
}

/// The whole new `moov` box. Its size decides how far the media data after it
/// moves, which can grow the offset tables (a `stco` that no longer fits 32
/// bits becomes a `co64`): rebuilt until the size settles.
fn retag_moov(moov: &[u8], layout: &Layout, tags: &Tags) -> Result<Vec<u8>, ProvenanceError> {
    let old_len = layout.moov.end - layout.moov.start;
    let mut by = 0i64;
    for _ in 0..8 {
        let shift = Shift {
            old_moov: (layout.moov.start, layout.moov.end),
            by,
        };
        let whole = boxed(b"moov", &rebuild_moov(moov, tags, shift)?);
        let moved = whole.len() as i64 - old_len as i64;
        if moved == by {
            return Ok(whole);
        }
        by = moved;
    }
    Err(ProvenanceError::Corrupt(
        "the index's new size does not settle",
    ))
}

fn rebuild_moov(moov: &[u8], tags: &Tags, shift: Shift) -> Result<Vec<u8>, ProvenanceError> {
    let (kids, tail) = atoms(moov)?;
    let mut out = Vec::with_capacity(moov.len() + tags.json.len() + tags.comment.len() + 256);
    let mut tagged = false;
    for kid in &kids {
        match &kid.kind {
            b"mvex" => return Err(ProvenanceError::Fragmented),
            b"trak" if shift.by != 0 => {
                out.extend(boxed(b"trak", &shift_offsets(kid.body, shift, 0)?));
            }
            b"udta" if !tagged => {
                out.extend(retag_udta(kid.body, tags)?);
                tagged = true;
            }
            _ => out.extend_from_slice(kid.raw),
        }
    }
    if !tagged {
        out.extend(boxed(b"udta", &new_meta(tags)));
    }
    out.extend_from_slice(tail);
    Ok(out)
}

/// The path from a `trak` to its offset tables.
const TO_OFFSETS: [&[u8; 4]; 3] = [b"mdia", b"minf", b"stbl"];

/// A `trak` (or a box on the way down) with its chunk offsets moved.
fn shift_offsets(body: &[u8], shift: Shift, depth: usize) -> Result<Vec<u8>, ProvenanceError> {
    let (kids, tail) = atoms(body)?;
    let mut out = Vec::with_capacity(body.len() + 64);
    for kid in &kids {
        match TO_OFFSETS.get(depth) {
            Some(next) if &kid.kind == *next => {
                out.extend(boxed(
                    &kid.kind,
                    &shift_offsets(kid.body, shift, depth + 1)?,
                ));
            }
            None if &kid.kind == b"stco" => out.extend(shift_stco(kid.body, shift)?),
            None if &kid.kind == b"co64" => out.extend(shift_co64(kid.body, shift)?),
            _ => out.extend_from_slice(kid.raw),
        }
    }
    out.extend_from_slice(tail);
    Ok(out)
}

/// An offset table (`stco` or `co64`) read: version and flags, the offsets,
/// and whatever follows them.
struct OffsetTable<'a> {
    version: &'a [u8],
    offsets: Vec<u64>,
    tail: &'a [u8],
}

impl<'a> OffsetTable<'a> {
    /// `width`: 4 for `stco`, 8 for `co64`.
    fn parse(body: &'a [u8], width: usize) -> Result<OffsetTable<'a>, ProvenanceError> {
        let broken = || ProvenanceError::Corrupt("a chunk offset table is damaged");
        let version = body.get(..4).ok_or_else(broken)?;
        let count = be32(body, 4).ok_or_else(broken)? as usize;
        let end = count
            .checked_mul(width)
            .and_then(|n| n.checked_add(8))
            .filter(|&end| end <= body.len())
            .ok_or_else(broken)?;
        let offsets = body[8..end]
            .chunks_exact(width)
            .map(|c| match width {
                4 => be32(c, 0).map(u64::from).unwrap_or(0),
                _ => be64(c, 0).unwrap_or(0),
            })
            .collect();
        Ok(OffsetTable {
            version,
            offsets,
            tail: &body[end..],
        })
    }

    fn shifted(&self, shift: Shift) -> Result<Vec<u64>, ProvenanceError> {
        self.offsets.iter().map(|&o| shift.apply(o)).collect()
    }
}

fn shift_stco(body: &[u8], shift: Shift) -> Result<Vec<u8>, ProvenanceError> {
    let table = OffsetTable::parse(body, 4)?;
    let moved = table.shifted(shift)?;
    if moved.iter().any(|&o| o > u64::from(u32::MAX)) {
        return Ok(co64(table.version, &moved, table.tail));
    }
    let mut out = Vec::with_capacity(body.len());
    out.extend_from_slice(table.version);
    out.extend_from_slice(&(moved.len() as u32).to_be_bytes());
    for o in moved {
        out.extend_from_slice(&(o as u32).to_be_bytes());
    }
    out.extend_from_slice(table.tail);
    Ok(boxed(b"stco", &out))
}

fn shift_co64(body: &[u8], shift: Shift) -> Result<Vec<u8>, ProvenanceError> {
    let table = OffsetTable::parse(body, 8)?;
    Ok(co64(table.version, &table.shifted(shift)?, table.tail))
}

fn co64(version: &[u8], offsets: &[u64], tail: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(offsets.len() * 8 + 8 + tail.len());
    out.extend_from_slice(version);
    out.extend_from_slice(&(offsets.len() as u32).to_be_bytes());
    for o in offsets {
        out.extend_from_slice(&o.to_be_bytes());
    }
    out.extend_from_slice(tail);
    boxed(b"co64", &out)
}

/// `udta` with our tags in its metadata (added when it has none of a known
/// layout).
fn retag_udta(body: &[u8], tags: &Tags) -> Result<Vec<u8>, ProvenanceError> {
    let (kids, tail) = atoms(body)?;
    let target = target_meta(&kids);
    let mut out = Vec::with_capacity(body.len() + tags.json.len() + 256);
    for (i, kid) in kids.iter().enumerate() {
        match &target {
            Some((t, meta)) if *t == i => out.extend(match meta.handler() {
                Some(Handler::Mdta) => retag_mdta(meta, tags)?,
                _ => retag_mdir(meta, tags)?,
            }),
            _ => out.extend_from_slice(kid.raw),
        }
    }
    if target.is_none() {
        out.extend(new_meta(tags));
    }
    out.extend_from_slice(tail);
    Ok(boxed(b"udta", &out))
}

/// Apple's layout: every item kept but the comment and our freeform item,
/// which are written anew at the end of the list.
fn retag_mdir(meta: &Meta<'_>, tags: &Tags) -> Result<Vec<u8>, ProvenanceError> {
    let ours = |items: &mut Vec<u8>| {
        items.extend(comment_item(&tags.comment));
        items.extend(freeform_item(&tags.json));
    };
    let mut kids = Vec::new();
    let mut done = false;
    for kid in &meta.kids {
        if &kid.kind == b"ilst" && !done {
            let (items, tail) = atoms(kid.body)?;
            let mut body = Vec::with_capacity(kid.body.len() + tags.json.len() + 128);
            for item in items
                .iter()
                .filter(|i| i.kind != COMMENT_ITEM && !is_our_freeform(i))
            {
                body.extend_from_slice(item.raw);
            }
            ours(&mut body);
            body.extend_from_slice(tail);
            kids.extend(boxed(b"ilst", &body));
            done = true;
        } else {
            kids.extend_from_slice(kid.raw);
        }
    }
    if !done {
        let mut body = Vec::new();
        ours(&mut body);
        kids.extend(boxed(b"ilst", &body));
    }
    Ok(meta.rebuilt(&kids))
}

/// FFmpeg's keyed layout: the keys `comment` and [`FREEFORM_NAME`] are found
/// or added at the end of `keys` (so every other key keeps its index), and
/// their items are written anew at the end of the list.
fn retag_mdta(meta: &Meta<'_>, tags: &Tags) -> Result<Vec<u8>, ProvenanceError> {
    let keys = match meta.child(b"keys") {
        Some(k) => Keys::parse(k.body)?,
        // Not a target (see `target_meta`); refused rather than guessed at.
        None => return Err(ProvenanceError::Corrupt("keyed metadata without its keys")),
    };
    let mut added = Vec::new();
    let mut count = keys.entries.len();
    let mut index_for = |name: &str| -> Result<u32, ProvenanceError> {
        if let Some(i) = keys.index_of(name) {
            return Ok(i);
        }
        count += 1;
        added.extend(key_entry(name));
        u32::try_from(count).map_err(|_| ProvenanceError::Corrupt("too many metadata keys"))
    };
    let comment_index = index_for(MDTA_COMMENT_KEY)?;
    let json_index = index_for(FREEFORM_NAME)?;
    let mut keys_body = keys.version.to_vec();
    keys_body.extend_from_slice(&(count as u32).to_be_bytes());
    for key in &keys.entries {
        keys_body.extend_from_slice(key.raw);
    }
    keys_body.extend(added);
    keys_body.extend_from_slice(keys.tail);
    let ours = |items: &mut Vec<u8>| {
        items.extend(boxed(
            &comment_index.to_be_bytes(),
            &data_box(&tags.comment),
        ));
        items.extend(boxed(&json_index.to_be_bytes(), &data_box(&tags.json)));
    };
    let mut kids = Vec::new();
    let mut done = false;
    for kid in &meta.kids {
        match &kid.kind {
            b"keys" => kids.extend(boxed(b"keys", &keys_body)),
            b"ilst" if !done => {
                let (items, tail) = atoms(kid.body)?;
                let mut body = Vec::with_capacity(kid.body.len() + tags.json.len() + 128);
                for item in items.iter().filter(|i| {
                    let index = u32::from_be_bytes(i.kind);
                    index != comment_index && index != json_index
                }) {
                    body.extend_from_slice(item.raw);
                }
                ours(&mut body);
                body.extend_from_slice(tail);
                kids.extend(boxed(b"ilst", &body));
                done = true;
            }
            _ => kids.extend_from_slice(kid.raw),
        }
    }
    if !done {
        let mut body = Vec::new();
        ours(&mut body);
        kids.extend(boxed(b"ilst", &body));
    }
    Ok(meta.rebuilt(&kids))
}

/// The file `bytes` with our tags written, in memory (the tests' and fuzzers'
/// way to the same code as [`write_tags`]).
#[cfg(test)]
fn retagged(bytes: &[u8], tags: &Tags) -> Result<Vec<u8>, ProvenanceError> {
    let path = Path::new("memory");
    let mut reader = std::io::Cursor::new(bytes);
    let layout = scan(&mut reader, bytes.len() as u64, path)?;
    if layout.fragmented {
        return Err(ProvenanceError::Fragmented);
    }
    let moov = read_moov(&mut reader, &layout, path)?;
    let new_moov = retag_moov(&moov, &layout, tags)?;
    let mut out = bytes[..layout.moov.start as usize].to_vec();
    out.extend(new_moov);
    out.extend_from_slice(&bytes[layout.moov.end as usize..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn clip(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/test-clips")
            .join(format!("{name}.mp4"))
    }

    fn tags() -> Tags {
        Tags {
            comment: "a walk in the rain | seed 7".into(),
            json: r#"{"format":1}"#.into(),
        }
    }

    fn read_mem(bytes: &[u8]) -> Result<Option<Tags>, ProvenanceError> {
        read_tags_from(
            &mut std::io::Cursor::new(bytes),
            bytes.len() as u64,
            Path::new("memory"),
        )
    }

    /// ftyp, moov (mvhd, one track whose `stbl` holds `table`, then `extra`),
    /// then an mdat of 64 bytes, or the index last when `moov_last`.
    fn synthetic(table: Vec<u8>, extra: &[u8], moov_last: bool) -> Vec<u8> {
        let stbl = boxed(b"stbl", &table);
        let minf = boxed(b"minf", &stbl);
        let mdia = boxed(b"mdia", &minf);
        let trak = boxed(b"trak", &mdia);
        let mut moov_body = boxed(b"mvhd", &[0u8; 100]);
        moov_body.extend(trak);
        moov_body.extend_from_slice(extra);
        let moov = boxed(b"moov", &moov_body);
        let ftyp = boxed(b"ftyp", b"isom\0\0\0\0isom");
        let mdat = boxed(b"mdat", &[0xAB; 64]);
        let parts = if moov_last {
            [ftyp, mdat, moov]
        } else {
            [ftyp, moov, mdat]
        };
        parts.concat()
    }

    fn stco(offsets: &[u32]) -> Vec<u8> {
        let mut body = vec![0u8; 4];
        body.extend_from_slice(&(offsets.len() as u32).to_be_bytes());
        offsets
            .iter()
            .for_each(|o| body.extend_from_slice(&o.to_be_bytes()));
        boxed(b"stco", &body)
    }

    /// The chunk offsets of the (one) track, and whether they are 64-bit.
    fn offsets(file: &[u8]) -> (Vec<u64>, bool) {
        let (top, _) = atoms(file).unwrap();
        let moov = top.iter().find(|a| &a.kind == b"moov").unwrap();
        let mut body = moov.body;
        for kind in [b"trak", b"mdia", b"minf", b"stbl"] {
            body = atoms(body)
                .unwrap()
                .0
                .into_iter()
                .find(|a| &a.kind == kind)
                .unwrap()
                .body;
        }
        let (kids, _) = atoms(body).unwrap();
        let table = kids
            .iter()
            .find(|a| &a.kind == b"stco" || &a.kind == b"co64")
            .unwrap();
        let wide = &table.kind == b"co64";
        let width = if wide { 8 } else { 4 };
        (OffsetTable::parse(table.body, width).unwrap().offsets, wide)
    }

    fn moov_len(file: &[u8]) -> i64 {
        let (top, _) = atoms(file).unwrap();
        top.iter().find(|a| &a.kind == b"moov").unwrap().raw.len() as i64
    }

    #[test]
    fn offsets_after_a_growing_index_move_with_it_and_those_before_stay() {
        let file = synthetic(stco(&[10, 500, 4000]), &[], false);
        let out = retagged(&file, &tags()).unwrap();
        let by = moov_len(&out) - moov_len(&file);
        assert!(by > 0);
        let (moved, wide) = offsets(&out);
        assert!(!wide);
        // 10 is inside ftyp (before the index): it stays; the others follow.
        assert_eq!(moved, [10, 500 + by as u64, 4000 + by as u64]);
        assert_eq!(read_mem(&out).unwrap(), Some(tags()));
    }

    #[test]
    fn an_offset_pushed_past_32_bits_turns_the_table_into_co64() {
        let near = u32::MAX - 8;
        let file = synthetic(stco(&[1000, near]), &[], false);
        let out = retagged(&file, &tags()).unwrap();
        let by = moov_len(&out) - moov_len(&file);
        let (moved, wide) = offsets(&out);
        assert!(wide, "the table became co64");
        assert_eq!(moved, [1000 + by as u64, u64::from(near) + by as u64]);
        // The promotion made the index larger still, and that was counted.
        let plain = synthetic(stco(&[1000, 2000]), &[], false);
        let plain_by = moov_len(&retagged(&plain, &tags()).unwrap()) - moov_len(&plain);
        assert_eq!(by, plain_by + 8, "two 4-byte offsets became 8-byte ones");
    }

    #[test]
    fn co64_tables_move_too_and_an_index_at_the_end_moves_nothing() {
        let mut body = vec![0u8; 4];
        body.extend_from_slice(&1u32.to_be_bytes());
        body.extend_from_slice(&(5_000_000_000u64).to_be_bytes());
        let file = synthetic(boxed(b"co64", &body), &[], false);
        let out = retagged(&file, &tags()).unwrap();
        let by = moov_len(&out) - moov_len(&file);
        assert_eq!(offsets(&out), (vec![5_000_000_000 + by as u64], true));

        let last = synthetic(stco(&[40, 80]), &[], true);
        let out = retagged(&last, &tags()).unwrap();
        assert_eq!(offsets(&out), (vec![40, 80], false));
        assert_eq!(
            out[..last.len() - moov_len(&last) as usize],
            last[..last.len() - moov_len(&last) as usize]
        );
    }

    #[test]
    fn a_shorter_second_write_moves_the_offsets_back() {
        let file = synthetic(stco(&[5000]), &[], false);
        let long = Tags {
            comment: "x".repeat(3000),
            json: "y".repeat(3000),
        };
        let first = retagged(&file, &long).unwrap();
        let second = retagged(&first, &tags()).unwrap();
        assert_eq!(
            offsets(&second),
            offsets(&retagged(&file, &tags()).unwrap())
        );
        assert_eq!(
            second,
            retagged(&file, &tags()).unwrap(),
            "the same bytes as one write"
        );
    }

    #[test]
    fn quicktime_style_metadata_and_the_udta_terminator_are_kept() {
        // `meta` without version and flags, and udta ending in 4 zero bytes.
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(b"mdirappl");
        hdlr.extend_from_slice(&[0u8; 9]);
        let too = boxed(b"\xa9too", &data_box("QuickTime 7"));
        let mut meta = boxed(b"hdlr", &hdlr);
        meta.extend(boxed(b"ilst", &too));
        let mut udta = boxed(b"meta", &meta);
        udta.extend_from_slice(&[0, 0, 0, 0]);
        let file = synthetic(stco(&[]), &boxed(b"udta", &udta), true);
        let out = retagged(&file, &tags()).unwrap();
        assert_eq!(read_mem(&out).unwrap(), Some(tags()));
        let (top, _) = atoms(&out).unwrap();
        let moov = top.iter().find(|a| &a.kind == b"moov").unwrap();
        let (kids, _) = atoms(moov.body).unwrap();
        let udta = kids.iter().find(|a| &a.kind == b"udta").unwrap();
        let (metas, tail) = atoms(udta.body).unwrap();
        assert_eq!(tail, [0, 0, 0, 0], "the terminator stays last");
        assert_eq!(metas.len(), 1, "the existing box was used");
        assert_eq!(
            &metas[0].body[4..8],
            b"hdlr",
            "still without version and flags"
        );
        assert!(out.windows(11).any(|w| w == b"QuickTime 7"));
    }

    #[test]
    fn keyed_metadata_without_its_keys_is_left_alone_and_ours_goes_beside_it() {
        let mut hdlr = vec![0u8; 8];
        hdlr.extend_from_slice(b"mdta");
        hdlr.extend_from_slice(&[0u8; 13]);
        let item = boxed(&1u32.to_be_bytes(), &data_box("orphan"));
        let mut meta = vec![0u8; 4];
        meta.extend(boxed(b"hdlr", &hdlr));
        meta.extend(boxed(b"ilst", &item));
        let orphan = boxed(b"meta", &meta);
        let file = synthetic(stco(&[]), &boxed(b"udta", &orphan), true);
        let out = retagged(&file, &tags()).unwrap();
        assert_eq!(read_mem(&out).unwrap(), Some(tags()));
        assert!(
            out.windows(orphan.len()).any(|w| w == orphan),
            "kept byte for byte"
        );
    }

    #[test]
    fn fragmented_files_are_refused() {
        let mut file = synthetic(stco(&[]), &boxed(b"mvex", &[0u8; 8]), true);
        assert!(matches!(
            retagged(&file, &tags()),
            Err(ProvenanceError::Fragmented)
        ));
        file = synthetic(stco(&[]), &[], false);
        file.extend(boxed(b"moof", &[0u8; 8]));
        assert!(matches!(
            retagged(&file, &tags()),
            Err(ProvenanceError::Fragmented)
        ));
    }

    #[test]
    fn tags_too_large_are_refused_before_the_file_is_opened() {
        let huge = Tags {
            comment: String::new(),
            json: "x".repeat(MAX_TAG_BYTES + 1),
        };
        let error = write_tags(Path::new("/nonexistent.mp4"), &huge).unwrap_err();
        assert!(matches!(error, ProvenanceError::TagTooLarge(_)));
    }

    #[test]
    fn a_failure_in_the_middle_of_writing_leaves_the_original_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("video.mp4");
        std::fs::copy(clip("stereo-48k-aac"), &path).unwrap();
        let original = std::fs::read(&path).unwrap();
        let len = original.len() as u64;
        for fail_after in [0, 1, 40, 2000, len / 2, len - 1, len + 100] {
            let result = write_tags_failing_after(&path, &tags(), Some(fail_after));
            let error = result.unwrap_err();
            assert!(
                matches!(error, ProvenanceError::Write { .. }),
                "after {fail_after} bytes: {error:?}"
            );
            assert_eq!(
                std::fs::read(&path).unwrap(),
                original,
                "after {fail_after} bytes"
            );
            let names: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(names, ["video.mp4"], "after {fail_after} bytes");
        }
        write_tags_failing_after(&path, &tags(), None).unwrap();
        assert_eq!(read_tags(&path).unwrap(), Some(tags()));
    }

    /// Every box header inside the index, as the offset of its size field.
    fn headers_in_moov(file: &[u8]) -> Vec<usize> {
        fn walk(bytes: &[u8], base: usize, out: &mut Vec<usize>) {
            let Ok((kids, _)) = atoms(bytes) else { return };
            for kid in kids {
                let at = base + (kid.raw.as_ptr() as usize - bytes.as_ptr() as usize);
                out.push(at);
                let body_at = at + (kid.raw.len() - kid.body.len());
                match &kid.kind {
                    b"trak" | b"mdia" | b"minf" | b"stbl" | b"udta" | b"ilst" | b"----"
                    | b"\xa9too" => walk(kid.body, body_at, out),
                    b"meta" => walk(&kid.body[4..], body_at + 4, out),
                    _ => {}
                }
            }
        }
        let (top, _) = atoms(file).unwrap();
        let moov = top.iter().find(|a| &a.kind == b"moov").unwrap();
        let start = moov.body.as_ptr() as usize - file.as_ptr() as usize;
        let mut out = Vec::new();
        walk(moov.body, start, &mut out);
        out
    }

    /// Reading and writing a damaged file fails or works; it never panics, and
    /// what a write gives reads back with the media data untouched.
    fn survives(file: &[u8]) {
        let _ = read_mem(file);
        if let Ok(out) = retagged(file, &tags()) {
            assert_eq!(read_mem(&out).unwrap(), Some(tags()));
        }
    }

    #[test]
    fn every_box_size_in_the_index_set_to_an_absurd_value_is_survived() {
        for name in [
            "stereo-48k-aac",
            "keyed-metadata",
            "wide-16x9-aac-moov-last",
        ] {
            let file = std::fs::read(clip(name)).unwrap();
            let headers = headers_in_moov(&file);
            assert!(headers.len() > 30, "{name}: {}", headers.len());
            for at in headers {
                for size in [0u32, 1, 7, 8, 9, 0x7FFF_FFFF, u32::MAX] {
                    let mut bad = file.clone();
                    bad[at..at + 4].copy_from_slice(&size.to_be_bytes());
                    survives(&bad);
                }
                // A 64-bit size far beyond the file.
                let mut bad = file.clone();
                bad[at..at + 4].copy_from_slice(&1u32.to_be_bytes());
                survives(&bad);
            }
        }
    }

    #[test]
    fn every_cut_of_a_file_is_refused_or_read_without_panicking() {
        let file = std::fs::read(clip("keyed-metadata")).unwrap();
        for len in (0..file.len()).step_by(7) {
            survives(&file[..len]);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn random_damage_to_the_index_is_survived(
            damage in proptest::collection::vec((32usize..2900, any::<u8>()), 1..12)
        ) {
            static FILE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
            let file = FILE.get_or_init(|| std::fs::read(clip("keyed-metadata")).unwrap());
            let mut bad = file.clone();
            for (at, byte) in damage {
                if let Some(b) = bad.get_mut(at) {
                    *b = byte;
                }
            }
            survives(&bad);
        }
    }
}
