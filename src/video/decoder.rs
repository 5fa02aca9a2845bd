//! The H.264 decoder behind a small trait, so that it can be replaced.
//!
//! The one in use is the pure-Rust `rust_h264` (feature `video-decoder`, on by
//! default; docs/VIDEO.md says how it was chosen). Without the feature,
//! [`new_decoder`] answers [`VideoError::NotBuiltIn`].

use super::VideoError;
use super::demux::AvcConfig;

/// A decoded picture: 8-bit 4:2:0 planes, tightly packed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub y: Vec<u8>,
    pub u: Vec<u8>,
    pub v: Vec<u8>,
    /// The tag given with the sample that started this picture.
    pub tag: usize,
}

impl Picture {
    pub fn chroma_width(&self) -> u32 {
        self.width.div_ceil(2)
    }
    pub fn chroma_height(&self) -> u32 {
        self.height.div_ceil(2)
    }
}

/// What the sequence parameter set says, read before any picture is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamInfo {
    pub width: u32,
    pub height: u32,
    /// H.264 `matrix_coefficients` (1 = BT.709, 5/6 = BT.601, 2 = unspecified).
    pub matrix: u8,
    pub full_range: bool,
}

/// An H.264 decoder fed one MP4 sample (one access unit, length-prefixed NAL
/// units) at a time, giving pictures back in presentation order.
pub trait Decoder: Send {
    /// Decodes one sample; returns the pictures that became ready, in
    /// presentation order, each with the tag of the sample that carried it.
    fn decode(&mut self, sample: &[u8], tag: usize) -> Result<Vec<Picture>, VideoError>;
    /// The pictures still held for reordering, at the end of the stream.
    fn flush(&mut self) -> Vec<Picture>;
    /// The stream's own description, from its parameter sets.
    fn info(&self) -> StreamInfo;
}

/// A decoder for a stream with this configuration, with its parameter sets
/// loaded. Refuses streams whose parameter sets declare an unreasonable size.
pub fn new_decoder(config: &AvcConfig) -> Result<Box<dyn Decoder>, VideoError> {
    #[cfg(feature = "video-decoder")]
    {
        Ok(Box::new(super::rust_h264_backend::RustH264::new(config)?))
    }
    #[cfg(not(feature = "video-decoder"))]
    {
        let _ = config;
        Err(VideoError::NotBuiltIn)
    }
}

/// Whether this build has an H.264 decoder (the `video-decoder` feature).
pub const fn built_in() -> bool {
    cfg!(feature = "video-decoder")
}
