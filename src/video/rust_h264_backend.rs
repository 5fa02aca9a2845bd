//! [`Decoder`] on the pure-Rust `rust_h264` crate (feature `video-decoder`).
//!
//! Every parameter set is checked (size, bit depth, chroma) before the decoder
//! sees it, so that a hostile stream cannot make it allocate for a huge
//! picture. A panic inside the decoder is caught and becomes
//! [`VideoError::Corrupt`]; the decoder is not used again after one.

use super::MAX_SIDE;
use super::VideoError;
use super::decoder::{Decoder, Picture, StreamInfo};
use super::demux::AvcConfig;
use rust_h264::decoder::{ChromaFormat, Frame, OrderedDecoder};
use rust_h264::nal::{NalUnit, NalUnitType, parse_avcc, parse_sps_info};
use std::panic::{AssertUnwindSafe, catch_unwind};

pub struct RustH264 {
    inner: Option<OrderedDecoder<usize>>,
    length_size: usize,
    info: StreamInfo,
}

fn check_sps(nal: &NalUnit<'_>) -> Result<StreamInfo, VideoError> {
    let sps = parse_sps_info(nal).map_err(|e| VideoError::corrupt(format!("SPS: {e}")))?;
    if sps.coded_width == 0
        || sps.coded_height == 0
        || sps.coded_width > MAX_SIDE + 16
        || sps.coded_height > MAX_SIDE + 16
        || sps.width > MAX_SIDE
        || sps.height > MAX_SIDE
    {
        return Err(VideoError::BadDimensions {
            width: sps.coded_width,
            height: sps.coded_height,
        });
    }
    if sps.bit_depth_luma != 8 || sps.bit_depth_chroma != 8 {
        return Err(VideoError::UnsupportedStream {
            detail: format!("{}-bit samples", sps.bit_depth_luma),
        });
    }
    if sps.chroma_format != 1 && sps.chroma_format != 0 {
        return Err(VideoError::UnsupportedStream {
            detail: format!("chroma format {}", sps.chroma_format),
        });
    }
    if !sps.progressive {
        return Err(VideoError::UnsupportedStream {
            detail: "interlaced pictures".into(),
        });
    }
    Ok(StreamInfo {
        width: sps.width,
        height: sps.height,
        matrix: sps.matrix,
        full_range: sps.full_range,
    })
}

impl RustH264 {
    pub fn new(config: &AvcConfig) -> Result<Self, VideoError> {
        let mut framed = Vec::new();
        for nal in config.sps.iter().chain(config.pps.iter()) {
            let len = u32::try_from(nal.len())
                .map_err(|_| VideoError::corrupt("parameter set too large"))?;
            framed.extend_from_slice(&len.to_be_bytes());
            framed.extend_from_slice(nal);
        }
        let nals = parse_avcc(&framed, 4);
        let mut info = None;
        for nal in &nals {
            if nal.nal_unit_type == NalUnitType::Sps {
                let found = check_sps(nal)?;
                info.get_or_insert(found);
            }
        }
        let info = info.ok_or_else(|| VideoError::corrupt("no usable SPS"))?;
        let mut decoder = RustH264 {
            inner: Some(OrderedDecoder::new()),
            length_size: usize::from(config.length_size),
            info,
        };
        for nal in &nals {
            decoder.feed(nal, 0)?;
        }
        Ok(decoder)
    }

    fn feed(&mut self, nal: &NalUnit<'_>, tag: usize) -> Result<Vec<(Frame, usize)>, VideoError> {
        let Some(inner) = self.inner.as_mut() else {
            return Err(VideoError::corrupt("the decoder stopped after an error"));
        };
        match catch_unwind(AssertUnwindSafe(|| inner.decode_nal_with_meta(nal, tag))) {
            Ok(Ok(frames)) => Ok(frames),
            Ok(Err(rust_h264::error::DecodeError::Unsupported(what))) => {
                Err(VideoError::UnsupportedStream {
                    detail: what.to_string(),
                })
            }
            Ok(Err(e)) => Err(VideoError::corrupt(e.to_string())),
            Err(_) => {
                self.inner = None;
                Err(VideoError::corrupt("the decoder failed on this picture"))
            }
        }
    }
}

fn to_picture(frame: Frame, tag: usize) -> Option<Picture> {
    if frame.bit_depth != 8 || frame.chroma_format != ChromaFormat::Yuv420 {
        return None;
    }
    let (w, h) = (frame.width as usize, frame.height as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    if frame.y.len() < w * h || frame.u.len() < cw * ch || frame.v.len() < cw * ch {
        return None;
    }
    Some(Picture {
        width: frame.width,
        height: frame.height,
        y: frame.y,
        u: frame.u,
        v: frame.v,
        tag,
    })
}

impl Decoder for RustH264 {
    fn decode(&mut self, sample: &[u8], tag: usize) -> Result<Vec<Picture>, VideoError> {
        let nals = parse_avcc(sample, self.length_size);
        let mut out = Vec::new();
        let mut first_error = None;
        for nal in &nals {
            if nal.nal_unit_type == NalUnitType::Sps {
                // A parameter set inside the stream is checked like the avcC's.
                check_sps(nal)?;
            }
            match self.feed(nal, tag) {
                Ok(frames) => out.extend(frames),
                // Unsupported features and a dead decoder end the clip; a damaged
                // slice does not: the decoder goes on with the next one.
                Err(e @ VideoError::UnsupportedStream { .. }) => return Err(e),
                Err(e) if self.inner.is_none() => return Err(e),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        let pictures: Vec<Picture> = out
            .into_iter()
            .filter_map(|(frame, tag)| to_picture(frame, tag))
            .collect();
        match first_error {
            Some(e) if pictures.is_empty() => Err(e),
            _ => Ok(pictures),
        }
    }

    fn flush(&mut self) -> Vec<Picture> {
        let Some(inner) = self.inner.as_mut() else {
            return Vec::new();
        };
        match catch_unwind(AssertUnwindSafe(|| inner.flush_with_meta())) {
            Ok(frames) => frames
                .into_iter()
                .filter_map(|(frame, tag)| to_picture(frame, tag))
                .collect(),
            Err(_) => {
                self.inner = None;
                Vec::new()
            }
        }
    }

    fn info(&self) -> StreamInfo {
        self.info
    }
}
