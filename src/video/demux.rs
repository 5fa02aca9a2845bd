//! MP4 demux: finds the index (`moov`, at either end of the file), reads it with
//! `mp4-atom`, and turns the video track's sample tables into a list of samples
//! (where each compressed picture is, when it is shown, whether it is a keyframe).
//! The sound track (AAC), when there is one, gets the same treatment
//! ([`AudioTrack`]) for `crate::audio`; a broken sound track never stops the
//! picture.
//!
//! Everything the file declares is checked before it is used: sizes against the
//! file's length, counts against caps, picture sizes against [`MAX_SIDE`].

use super::{MAX_SIDE, VideoError};
use mp4_atom::{Codec, Decode, Moov, StszSamples};
use std::io::{Read, Seek, SeekFrom};

/// The largest `moov` read into memory (a 15 s clip's is a few KB).
const MAX_MOOV_BYTES: u64 = 64 << 20;
/// The most samples a video track may have (over two hours at 24 fps).
pub const MAX_SAMPLES: usize = 200_000;

/// One compressed picture of the video track, in decode order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub offset: u64,
    pub size: u32,
    /// Decode time, in the track's timescale.
    pub dts: i64,
    /// Presentation time, in the track's timescale, before the shift that makes
    /// the first shown picture start at zero.
    pub cts: i64,
    pub keyframe: bool,
}

/// The H.264 decoder configuration from the `avcC` box.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AvcConfig {
    /// Bytes in each NAL unit's length prefix (1, 2 or 4).
    pub length_size: u8,
    pub profile: u8,
    pub sps: Vec<Vec<u8>>,
    pub pps: Vec<Vec<u8>>,
}

/// The colour description of an `colr` (nclx/nclc) box, when there is one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerColour {
    pub matrix: u16,
    pub full_range: bool,
}

/// What the demuxer found in a file.
#[derive(Debug, Clone)]
pub struct Demuxed {
    pub width: u32,
    pub height: u32,
    pub timescale: u32,
    pub avc: AvcConfig,
    pub colour: Option<ContainerColour>,
    /// Decode order.
    pub samples: Vec<Sample>,
    /// `display[i]` is the decode index of the i-th picture shown.
    pub display: Vec<usize>,
    /// Presentation time of each shown picture from the first, in timescale units.
    pub pts: Vec<i64>,
    /// From the first picture's start to the last one's end, in timescale units.
    pub duration: i64,
    pub has_audio: bool,
    /// The sound's codec ("AAC" or a four-character code), when there is sound.
    pub audio_codec: Option<String>,
    /// The first sound track's samples, or why it cannot be played (`None`: no
    /// sound track). Kept apart so that the picture plays either way.
    pub audio: Option<Result<AudioTrack, VideoError>>,
}

/// The sound track (AAC in an `mp4a` sample entry) as stored: its access units
/// and where presentation starts and ends in them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioTrack {
    /// Ticks per second of the track's clock (`mdhd`); the AAC clips set it to
    /// the sample rate.
    pub timescale: u32,
    /// Sample rate and channels as the sample entry declares them (the
    /// AudioSpecificConfig in `config` is the decoder's truth).
    pub sample_rate: u32,
    pub channels: u16,
    /// The AudioSpecificConfig (the `esds` decoder-specific info).
    pub config: Vec<u8>,
    /// Access units in decode order (`keyframe` is always true, `cts == dts`).
    pub samples: Vec<Sample>,
    /// Edit list: the media time shown first (the encoder delay, 1024 ticks for
    /// FFmpeg's AAC), in track ticks.
    pub start: u64,
    /// Edit list: silence before the sound starts (a leading empty edit), in
    /// track ticks.
    pub delay: u64,
    /// Edit list: how long the sound plays from `start`, in track ticks; `None`
    /// without an edit list (to the end of the last access unit).
    pub length: Option<u64>,
}

/// Box types that may start an MP4/QuickTime file.
const TOP_LEVEL: &[&[u8; 4]] = &[
    b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"uuid", b"pdin", b"styp", b"moof",
    b"meta", b"sidx", b"junk", b"pnot",
];

struct BoxHeader {
    kind: [u8; 4],
    /// Offset of the box's body.
    body: u64,
    /// Length of the body; `None` for a box that runs to the end of the file.
    body_len: u64,
}

fn read_header<R: Read + Seek>(
    reader: &mut R,
    at: u64,
    file_len: u64,
) -> Result<Option<BoxHeader>, VideoError> {
    if file_len.saturating_sub(at) < 8 {
        return Ok(None);
    }
    reader
        .seek(SeekFrom::Start(at))
        .map_err(|e| VideoError::io(&e))?;
    let mut head = [0u8; 8];
    reader
        .read_exact(&mut head)
        .map_err(|e| VideoError::io(&e))?;
    let size32 = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    let kind = [head[4], head[5], head[6], head[7]];
    let (header_len, size) = match size32 {
        0 => (8, file_len - at),
        1 => {
            let mut large = [0u8; 8];
            reader
                .read_exact(&mut large)
                .map_err(|e| VideoError::io(&e))?;
            (16, u64::from_be_bytes(large))
        }
        n => (8, u64::from(n)),
    };
    if size < header_len {
        return Err(VideoError::corrupt("a box is smaller than its header"));
    }
    Ok(Some(BoxHeader {
        kind,
        body: at + header_len,
        body_len: size - header_len,
    }))
}

/// Reads the file's structure and the video track's sample tables.
pub fn demux<R: Read + Seek>(reader: &mut R, file_len: u64) -> Result<Demuxed, VideoError> {
    if file_len == 0 {
        return Err(VideoError::Empty);
    }
    let mut at = 0u64;
    let mut first = true;
    let mut moov: Option<(u64, u64)> = None;
    while let Some(header) = read_header(reader, at, file_len).map_err(|e| {
        // A first "box" that makes no sense means this is not an MP4 at all.
        if first { VideoError::NotMp4 } else { e }
    })? {
        if first && !TOP_LEVEL.contains(&&header.kind) {
            return Err(VideoError::NotMp4);
        }
        first = false;
        let end = header.body.saturating_add(header.body_len);
        if &header.kind == b"moov" {
            if end > file_len {
                return Err(VideoError::Truncated);
            }
            moov = Some((header.body, header.body_len));
            break;
        }
        if end >= file_len {
            break;
        }
        at = end;
    }
    if first {
        // Fewer than 8 bytes.
        return Err(VideoError::NotMp4);
    }
    let Some((moov_at, moov_len)) = moov else {
        // An MP4 whose index never arrived: a download cut short.
        return Err(VideoError::Truncated);
    };
    if moov_len > MAX_MOOV_BYTES {
        return Err(VideoError::corrupt("the index (moov) is too large"));
    }
    let mut bytes = Vec::new();
    // Header again, so that mp4-atom sees a whole `moov` box.
    let header_len: u64 = 8;
    let whole = moov_len + header_len;
    let size32 = u32::try_from(whole).map_err(|_| VideoError::corrupt("moov size"))?;
    bytes.extend_from_slice(&size32.to_be_bytes());
    bytes.extend_from_slice(b"moov");
    reader
        .seek(SeekFrom::Start(moov_at))
        .map_err(|e| VideoError::io(&e))?;
    reader
        .take(moov_len)
        .read_to_end(&mut bytes)
        .map_err(|e| VideoError::io(&e))?;
    if bytes.len() as u64 != whole {
        return Err(VideoError::Truncated);
    }
    refuse_implausible_tables(&bytes)?;
    let moov = Moov::decode(&mut bytes.as_slice())
        .map_err(|e| VideoError::corrupt(format!("index (moov): {e}")))?;
    from_moov(&moov, file_len)
}

/// Refuses a sample-group table (`sgpd`) that claims more entries than it has
/// bytes: mp4-atom would loop over the count and allocate for each (found by
/// fuzzing: a 45-byte file asked for gigabytes).
fn refuse_implausible_tables(moov: &[u8]) -> Result<(), VideoError> {
    let u32_at = |at: usize| -> Option<u32> {
        let b = moov.get(at..at.checked_add(4)?)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let mut from = 4;
    while let Some(found) = moov
        .get(from..)
        .and_then(|rest| rest.windows(4).position(|w| w == b"sgpd"))
    {
        let kind_at = from + found;
        from = kind_at + 4;
        let box_at = kind_at - 4;
        let available = moov.len() - box_at;
        let declared = u32_at(box_at).unwrap_or(0) as usize;
        // 0: the box runs to the end of its container.
        let size = if declared == 0 { available } else { declared };
        if size > available {
            continue;
        }
        let version = moov.get(kind_at + 4).copied().unwrap_or(0);
        let count_at = kind_at
            + 4
            + 4
            + 4
            + if version >= 1 { 4 } else { 0 }
            + if version >= 2 { 4 } else { 0 };
        if let Some(count) = u32_at(count_at)
            && count as usize > size
        {
            return Err(VideoError::corrupt(
                "a sample-group table claims more entries than it holds",
            ));
        }
    }
    Ok(())
}

fn codec_name(codec: &Codec) -> String {
    match codec {
        Codec::Avc1(_) | Codec::Avc3(_) => "H.264".into(),
        Codec::Hev1(_) | Codec::Hvc1(_) => "HEVC (H.265)".into(),
        Codec::Av01(_) => "AV1".into(),
        Codec::Vp08(_) => "VP8".into(),
        Codec::Vp09(_) => "VP9".into(),
        Codec::Jpeg(_) => "Motion JPEG".into(),
        Codec::Mp4a(_) => "AAC".into(),
        Codec::Opus(_) => "Opus".into(),
        Codec::Mp3(_) => "MP3".into(),
        Codec::Unknown(kind, _) => kind.to_string().trim().to_string(),
        other => format!("{other:?}")
            .chars()
            .take_while(|c| *c != '(')
            .collect(),
    }
}

fn check_side(width: u32, height: u32) -> Result<(), VideoError> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(VideoError::BadDimensions { width, height });
    }
    Ok(())
}

/// The MPEG-4 object types that mean "MPEG-4 Audio" (AAC and relatives) or
/// "MPEG-2 AAC" in an `esds` (ISO/IEC 14496-1 table 5).
const MPEG4_AUDIO: u8 = 0x40;
const MPEG2_AAC: [u8; 3] = [0x66, 0x67, 0x68];

/// The sound track's access units and edit list. Every failure here is the
/// sound's own: the caller keeps it beside the picture.
fn audio_track(
    trak: &mp4_atom::Trak,
    movie_timescale: u32,
    file_len: u64,
) -> Result<AudioTrack, VideoError> {
    let stbl = &trak.mdia.minf.stbl;
    let mp4a = match stbl.stsd.codecs.first() {
        Some(Codec::Mp4a(mp4a)) => mp4a,
        Some(other) => {
            return Err(VideoError::UnsupportedAudio {
                codec: codec_name(other),
            });
        }
        None => return Err(VideoError::corrupt("the sound track has no sample entry")),
    };
    let dec_config = &mp4a.esds.es_desc.dec_config;
    let object_type = dec_config.object_type_indication;
    if object_type != MPEG4_AUDIO && !MPEG2_AAC.contains(&object_type) {
        // 0x69 / 0x6B are MP3 in an `mp4a` entry.
        let codec = match object_type {
            0x69 | 0x6B => "MP3".to_string(),
            other => format!("mp4a/0x{other:02X}"),
        };
        return Err(VideoError::UnsupportedAudio { codec });
    }
    let config = dec_config
        .dec_specific
        .as_ref()
        .map(|d| d.raw.clone())
        .unwrap_or_default();
    if config.len() < 2 {
        return Err(VideoError::corrupt(
            "the sound track has no AudioSpecificConfig",
        ));
    }
    let timescale = trak.mdia.mdhd.timescale;
    if timescale == 0 {
        return Err(VideoError::corrupt("the sound track's timescale is zero"));
    }
    let samples = sample_table(stbl, file_len)?;
    if samples.is_empty() {
        return Err(VideoError::corrupt("the sound track is empty"));
    }
    // The edit list: leading empty edits delay the sound, the first real edit
    // says where in the media it starts and how long it plays. Later edits
    // (never written by encoders for a plain clip) are not followed.
    let (mut start, mut delay, mut length) = (0u64, 0u64, None);
    let to_track = |movie_ticks: u64| -> u64 {
        if movie_timescale == 0 {
            return 0;
        }
        let ticks = u128::from(movie_ticks) * u128::from(timescale) / u128::from(movie_timescale);
        u64::try_from(ticks).unwrap_or(u64::MAX)
    };
    if let Some(elst) = trak.edts.as_ref().and_then(|e| e.elst.as_ref()) {
        for entry in &elst.entries {
            match entry.media_time {
                None => delay = delay.saturating_add(to_track(entry.segment_duration)),
                Some(media_time) => {
                    start = media_time;
                    if entry.segment_duration > 0 {
                        length = Some(to_track(entry.segment_duration));
                    }
                    break;
                }
            }
        }
    }
    Ok(AudioTrack {
        timescale,
        sample_rate: u32::from(mp4a.audio.sample_rate.integer()),
        channels: mp4a.audio.channel_count,
        config,
        samples,
        start,
        delay,
        length,
    })
}

fn from_moov(moov: &Moov, file_len: u64) -> Result<Demuxed, VideoError> {
    let mut audio_codec = None;
    let mut audio = None;
    for trak in &moov.trak {
        if trak.mdia.hdlr.handler == mp4_atom::FourCC::new(b"soun") && audio_codec.is_none() {
            audio_codec = Some(
                trak.mdia
                    .minf
                    .stbl
                    .stsd
                    .codecs
                    .first()
                    .map_or_else(|| "?".to_string(), codec_name),
            );
            audio = Some(audio_track(trak, moov.mvhd.timescale, file_len));
        }
    }
    let video = moov
        .trak
        .iter()
        .find(|t| t.mdia.hdlr.handler == mp4_atom::FourCC::new(b"vide"))
        .ok_or(VideoError::NoVideo)?;
    let stbl = &video.mdia.minf.stbl;
    let codec = stbl.stsd.codecs.first().ok_or(VideoError::NoVideo)?;
    let (visual, avcc, colr) = match codec {
        Codec::Avc1(avc) => (&avc.visual, &avc.avcc, &avc.colr),
        Codec::Avc3(avc) => (&avc.visual, &avc.avcc, &avc.colr),
        other => {
            return Err(VideoError::UnsupportedCodec {
                codec: codec_name(other),
            });
        }
    };
    // The sizes the file declares, both of them, before anything is allocated.
    check_side(u32::from(visual.width), u32::from(visual.height))?;
    let (tw, th) = (
        u32::from(video.tkhd.width.integer()),
        u32::from(video.tkhd.height.integer()),
    );
    if tw > MAX_SIDE || th > MAX_SIDE {
        return Err(VideoError::BadDimensions {
            width: tw,
            height: th,
        });
    }
    if !matches!(avcc.length_size, 1 | 2 | 4) {
        return Err(VideoError::corrupt("NAL length size"));
    }
    if avcc.sequence_parameter_sets.is_empty() || avcc.picture_parameter_sets.is_empty() {
        return Err(VideoError::corrupt("no parameter sets in avcC"));
    }
    let colour = match colr {
        Some(mp4_atom::Colr::Nclx {
            matrix_coefficients,
            full_range_flag,
            ..
        }) => Some(ContainerColour {
            matrix: *matrix_coefficients,
            full_range: *full_range_flag,
        }),
        Some(mp4_atom::Colr::Nclc {
            matrix_coefficients,
            ..
        }) => Some(ContainerColour {
            matrix: *matrix_coefficients,
            full_range: false,
        }),
        _ => None,
    };
    let timescale = video.mdia.mdhd.timescale;
    if timescale == 0 {
        return Err(VideoError::corrupt("timescale is zero"));
    }

    let samples = sample_table(stbl, file_len)?;
    if samples.is_empty() {
        return Err(VideoError::corrupt("the video track has no pictures"));
    }
    let mut display: Vec<usize> = (0..samples.len()).collect();
    display.sort_by_key(|&i| (samples[i].cts, i));
    let first_cts = samples[display[0]].cts;
    let pts: Vec<i64> = display
        .iter()
        .map(|&i| samples[i].cts.saturating_sub(first_cts))
        .collect();
    // The last picture lasts as long as the one before it (or one tick).
    let last = pts.last().copied().unwrap_or(0);
    let frame_len = if pts.len() >= 2 {
        (last - pts[pts.len() - 2]).max(1)
    } else {
        i64::from(timescale / 24).max(1)
    };
    Ok(Demuxed {
        width: u32::from(visual.width),
        height: u32::from(visual.height),
        timescale,
        avc: AvcConfig {
            length_size: avcc.length_size,
            profile: avcc.avc_profile_indication,
            sps: avcc.sequence_parameter_sets.clone(),
            pps: avcc.picture_parameter_sets.clone(),
        },
        colour,
        samples,
        display,
        pts,
        duration: last.saturating_add(frame_len),
        has_audio: audio_codec.is_some(),
        audio_codec,
        audio,
    })
}

/// The sample tables (stsz, stsc, stco/co64, stts, ctts, stss) as one list.
fn sample_table(stbl: &mp4_atom::Stbl, file_len: u64) -> Result<Vec<Sample>, VideoError> {
    let count = match &stbl.stsz.samples {
        StszSamples::Identical { count, .. } => *count as usize,
        StszSamples::Different { sizes } => sizes.len(),
    };
    if count > MAX_SAMPLES {
        return Err(VideoError::corrupt(format!(
            "{count} pictures declared (at most {MAX_SAMPLES})"
        )));
    }
    let size_of = |i: usize| -> u32 {
        match &stbl.stsz.samples {
            StszSamples::Identical { size, .. } => *size,
            StszSamples::Different { sizes } => sizes.get(i).copied().unwrap_or(0),
        }
    };
    let chunk_offsets: Vec<u64> = match (&stbl.stco, &stbl.co64) {
        (Some(stco), _) => stco.entries.iter().map(|&o| u64::from(o)).collect(),
        (None, Some(co64)) => co64.entries.clone(),
        (None, None) => return Err(VideoError::corrupt("no chunk offsets")),
    };

    // Where each sample is: walk the chunks as stsc describes them.
    let mut samples = Vec::with_capacity(count);
    let stsc = &stbl.stsc.entries;
    'chunks: for (e, entry) in stsc.iter().enumerate() {
        let first_chunk = entry.first_chunk as usize;
        let next_first = stsc
            .get(e + 1)
            .map_or(chunk_offsets.len() + 1, |n| n.first_chunk as usize);
        if first_chunk == 0 || next_first < first_chunk {
            return Err(VideoError::corrupt("sample-to-chunk table"));
        }
        for chunk in first_chunk..next_first {
            let Some(&chunk_offset) = chunk_offsets.get(chunk - 1) else {
                break 'chunks;
            };
            let mut offset = chunk_offset;
            for _ in 0..entry.samples_per_chunk {
                if samples.len() == count {
                    break 'chunks;
                }
                let size = size_of(samples.len());
                let end = offset.saturating_add(u64::from(size));
                if end > file_len {
                    return Err(VideoError::Truncated);
                }
                samples.push(Sample {
                    offset,
                    size,
                    dts: 0,
                    cts: 0,
                    keyframe: stbl.stss.is_none(),
                });
                offset = end;
            }
        }
    }
    if samples.len() != count {
        return Err(VideoError::corrupt(
            "the sample tables do not account for every picture",
        ));
    }

    // Decode times.
    let mut dts: i64 = 0;
    let mut i = 0usize;
    for entry in &stbl.stts.entries {
        for _ in 0..entry.sample_count {
            let Some(sample) = samples.get_mut(i) else {
                break;
            };
            sample.dts = dts;
            sample.cts = dts;
            dts = dts.saturating_add(i64::from(entry.sample_delta));
            i += 1;
        }
    }
    if i < samples.len() {
        return Err(VideoError::corrupt("time-to-sample table too short"));
    }
    // Composition offsets (B-frames).
    if let Some(ctts) = &stbl.ctts {
        let mut i = 0usize;
        for entry in &ctts.entries {
            for _ in 0..entry.sample_count {
                let Some(sample) = samples.get_mut(i) else {
                    break;
                };
                sample.cts = sample.dts.saturating_add(entry.sample_offset);
                i += 1;
            }
        }
    }
    // Keyframes.
    if let Some(stss) = &stbl.stss {
        for &n in &stss.entries {
            if let Some(sample) = (n as usize).checked_sub(1).and_then(|i| samples.get_mut(i)) {
                sample.keyframe = true;
            }
        }
    }
    if let Some(first) = samples.first_mut() {
        // Decoding always starts somewhere: treat the first picture as a keyframe.
        first.keyframe = true;
    }
    Ok(samples)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn demux_bytes(bytes: &[u8]) -> Result<Demuxed, VideoError> {
        demux(&mut Cursor::new(bytes), bytes.len() as u64)
    }

    #[test]
    fn an_empty_file_is_empty() {
        assert_eq!(demux_bytes(&[]).err(), Some(VideoError::Empty));
    }

    #[test]
    fn text_is_not_an_mp4() {
        assert_eq!(
            demux_bytes(b"hello, this is not a video at all").err(),
            Some(VideoError::NotMp4)
        );
        assert_eq!(demux_bytes(b"abc").err(), Some(VideoError::NotMp4));
    }

    #[test]
    fn a_file_type_box_without_an_index_is_truncated() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&16u32.to_be_bytes());
        bytes.extend_from_slice(b"ftypisom\0\0\0\0");
        bytes.extend_from_slice(&1000u32.to_be_bytes());
        bytes.extend_from_slice(b"mdat");
        bytes.extend_from_slice(&[0; 100]);
        assert_eq!(demux_bytes(&bytes).err(), Some(VideoError::Truncated));
    }

    #[test]
    fn a_box_smaller_than_its_header_is_refused() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&16u32.to_be_bytes());
        bytes.extend_from_slice(b"ftypisom\0\0\0\0");
        bytes.extend_from_slice(&4u32.to_be_bytes());
        bytes.extend_from_slice(b"moov");
        assert!(matches!(
            demux_bytes(&bytes),
            Err(VideoError::Corrupt { .. })
        ));
    }
}
