//! Video: MP4 (H.264) clips decoded inside the app, for posters, the player and
//! the take sheet. UI-agnostic: frames come out as RGBA bytes.
//!
//! - [`Clip::open`] reads a clip's index and describes it ([`ClipInfo`]);
//!   [`Clip::frame_at`] gives a frame by index or time, scaled to a display size.
//!   Decoding is sequential and cheap in order; a seek restarts at the keyframe
//!   before the frame.
//! - [`poster`] gives a representative frame of a file.
//! - [`Playback`] decodes ahead on its own thread and can be told to seek.
//! - Every failure is a [`VideoError`] whose [`VideoError::describe`] says what
//!   happened and that the system player remains available.
//!
//! None of this may run on the UI thread: open, decode and poster all read the
//! file and decode. The H.264 decoder is behind the [`decoder::Decoder`] trait
//! and the `video-decoder` cargo feature (default); without it every clip
//! answers [`VideoError::NotBuiltIn`]. See docs/VIDEO.md.

mod clip;
pub mod convert;
pub mod decoder;
pub mod demux;
mod error;
mod playback;
#[cfg(feature = "video-decoder")]
mod rust_h264_backend;

pub use clip::{Clip, ClipInfo, Frame, FramePos, poster, poster_of};
pub use convert::{ColourSpace, Matrix, Pixels};
pub use error::VideoError;
pub use playback::{Playback, PlaybackEvent, Waker};

/// The largest picture side the app decodes (the service makes at most 1920).
/// Larger declared sizes are refused before anything is allocated.
pub const MAX_SIDE: u32 = 4096;
