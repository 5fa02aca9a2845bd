//! Faults the simulator can inject, and how often each one struck.
//!
//! Two kinds:
//! - scripted faults, queued with [`super::Simulator::inject`]`(route, fault)`:
//!   each one strikes the next request on its route, once, in order;
//! - standing faults, set in [`super::SimConfig`]: the random rates,
//!   `clock_offset`, `foreign_tasks` and `echo_key_in_401`.
//!
//! Every fault counts the times it actually changed an answer (not the times it
//! was queued): read them with [`super::Simulator::fault_hits`]`(FaultKind::X)`,
//! and check that nothing queued was left unused with
//! [`super::Simulator::pending_faults`].

use std::sync::atomic::{AtomicU64, Ordering};

/// The endpoints a scripted fault can target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    Create,
    Query,
    Cancel,
    List,
    Policy,
    Upload,
    Download,
}

/// A fault to inject into the next request on a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and error body at once, doing nothing (empty
    /// code: no body at all, but still the service's `X-Request-ID` header).
    Status {
        status: u16,
        code: String,
        message: String,
    },
    /// Do the work, then drop the connection before the answer's body.
    Drop,
    /// Do the work, then answer only after [`super::SimConfig::hang`].
    Hang,
    /// Do the work, then answer with JSON cut in the middle.
    Truncate,
    /// Downloads: send half the bytes, then drop the connection.
    Cut,
    /// Answer at once, doing nothing, with a proxy's HTML error page and this
    /// status (e.g. 502).
    Html(u16),
    /// Do the work, then answer with the right fields holding the wrong types.
    WrongTypes,
    /// Answer 200 with a JSON-looking body of this many bytes.
    Huge(usize),
    /// Queries: a finished task whose `video_url` is this (e.g. not http).
    VideoUrl(String),
    /// Downloads: redirect to the same address, for ever.
    RedirectLoop,
    /// Do the work (create: the task exists and is listed), then answer with
    /// this status and an empty body and no request id, as a gateway does when
    /// the service behind it is slow to answer (e.g. 504).
    GatewayEmpty(u16),
    /// Do the work (create: the task exists and is listed), then answer with a
    /// gateway's HTML error page and this status (e.g. 502).
    GatewayHtml(u16),
    /// Create: make the task, then answer 200 with this `task_id` in place of
    /// the real one (e.g. `../../x y`).
    TaskId(String),
    /// Answer at once, doing nothing, 401 `InvalidApiKey` with a message that
    /// echoes the key from the `Authorization` header.
    EchoKey,
    /// Downloads: answer 206 from the offset asked, without `Content-Range`.
    NoContentRange,
    /// Downloads: answer 206 with a `Content-Range` and body that start at this
    /// offset, whatever was asked (with or without a `Range` header).
    RangeStartsAt(u64),
    /// Downloads: answer 200 `text/html` with a web page instead of the video.
    HtmlInsteadOfVideo,
    /// Downloads: announce this `Content-Length` (e.g. 50 GiB), send the video's
    /// first bytes, then drop the connection.
    AbsurdLength(u64),
}

impl Fault {
    pub fn status(status: u16, code: &str) -> Fault {
        Fault::Status {
            status,
            code: code.to_string(),
            message: format!("simulated {code}"),
        }
    }

    /// The kind this fault's hits are counted under.
    pub fn kind(&self) -> FaultKind {
        match self {
            Fault::Status { .. } => FaultKind::Status,
            Fault::Drop => FaultKind::Drop,
            Fault::Hang => FaultKind::Hang,
            Fault::Truncate => FaultKind::Truncate,
            Fault::Cut => FaultKind::Cut,
            Fault::Html(_) => FaultKind::Html,
            Fault::WrongTypes => FaultKind::WrongTypes,
            Fault::Huge(_) => FaultKind::Huge,
            Fault::VideoUrl(_) => FaultKind::VideoUrl,
            Fault::RedirectLoop => FaultKind::RedirectLoop,
            Fault::GatewayEmpty(_) => FaultKind::GatewayEmpty,
            Fault::GatewayHtml(_) => FaultKind::GatewayHtml,
            Fault::TaskId(_) => FaultKind::TaskId,
            Fault::EchoKey => FaultKind::EchoKey,
            Fault::NoContentRange => FaultKind::NoContentRange,
            Fault::RangeStartsAt(_) => FaultKind::RangeStartsAt,
            Fault::HtmlInsteadOfVideo => FaultKind::HtmlInsteadOfVideo,
            Fault::AbsurdLength(_) => FaultKind::AbsurdLength,
        }
    }
}

/// What [`super::Simulator::fault_hits`] counts: one kind per [`Fault`] variant
/// (scripted or drawn from the random rates), plus the standing faults of
/// [`super::SimConfig`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultKind {
    Status,
    Drop,
    Hang,
    Truncate,
    Cut,
    Html,
    WrongTypes,
    Huge,
    VideoUrl,
    RedirectLoop,
    GatewayEmpty,
    GatewayHtml,
    TaskId,
    EchoKey,
    NoContentRange,
    RangeStartsAt,
    HtmlInsteadOfVideo,
    AbsurdLength,
    /// Answers whose `Date` header (and service times) carried a non-zero
    /// [`super::SimConfig::clock_offset`].
    ClockOffset,
    /// Tasks of "someone else" placed by [`super::SimConfig::foreign_tasks`].
    ForeignTask,
    /// 401 answers that echoed the key because of
    /// [`super::SimConfig::echo_key_in_401`] (a scripted [`Fault::EchoKey`]
    /// counts as `EchoKey` only).
    KeyInMessage,
}

impl FaultKind {
    pub const ALL: [FaultKind; 21] = [
        FaultKind::Status,
        FaultKind::Drop,
        FaultKind::Hang,
        FaultKind::Truncate,
        FaultKind::Cut,
        FaultKind::Html,
        FaultKind::WrongTypes,
        FaultKind::Huge,
        FaultKind::VideoUrl,
        FaultKind::RedirectLoop,
        FaultKind::GatewayEmpty,
        FaultKind::GatewayHtml,
        FaultKind::TaskId,
        FaultKind::EchoKey,
        FaultKind::NoContentRange,
        FaultKind::RangeStartsAt,
        FaultKind::HtmlInsteadOfVideo,
        FaultKind::AbsurdLength,
        FaultKind::ClockOffset,
        FaultKind::ForeignTask,
        FaultKind::KeyInMessage,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// Another same-model task on the account, created by someone else (another
/// program, a colleague) next to the job's own task: placed by
/// [`super::SimConfig::foreign_tasks`], one beside each create that makes a
/// task, in order, until the list is used up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignTask {
    /// Its prompt (must differ from the job's to be told apart).
    pub prompt: String,
    /// Its size, `W*H` (any text; not checked).
    pub size: String,
    /// Its duration in seconds.
    pub duration: u32,
    /// Its creation time relative to the job's own task (negative: before
    /// it). Both lie in the same list window when small.
    pub offset: time::Duration,
}

impl Default for ForeignTask {
    fn default() -> Self {
        ForeignTask {
            prompt: "someone else's video of a red kite over the sea".into(),
            size: "960*960".into(),
            duration: 8,
            offset: time::Duration::milliseconds(1500),
        }
    }
}

/// One counter per [`FaultKind`].
#[derive(Debug, Default)]
pub(super) struct FaultHits([AtomicU64; FaultKind::ALL.len()]);

impl FaultHits {
    pub(super) fn hit(&self, kind: FaultKind) {
        self.0[kind.index()].fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn get(&self, kind: FaultKind) -> u64 {
        self.0[kind.index()].load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_counter() {
        let hits = FaultHits::default();
        for (i, kind) in FaultKind::ALL.into_iter().enumerate() {
            assert_eq!(kind.index(), i);
            hits.hit(kind);
        }
        assert!(FaultKind::ALL.into_iter().all(|k| hits.get(k) == 1));
    }
}
