//! What the three sides of the sound share: the decode thread writes samples
//! into a bounded ring, the device's callback ([`Feed`]) takes them out, and
//! the player ([`super::Sound`]) steers both. Only atomics: the callback never
//! locks, waits or allocates.
//!
//! Restarts (a seek, a step, a loop) are generations: the player asks for
//! generation `g` from a frame; the decode thread, once it has moved there,
//! says where in the ring generation `g` begins; the callback drops whatever
//! comes before that (and plays silence while the decode thread has not got
//! there yet). The callback reports, per generation, how many frames it has
//! handed to the device and when, so that the player knows where the sound is.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A single-producer single-consumer ring of samples. Slots are atomics (so no
/// `unsafe`); `write` and `read` count samples from the start and only grow.
#[derive(Debug)]
pub(crate) struct Ring {
    slots: Box<[AtomicU32]>,
    write: AtomicUsize,
    read: AtomicUsize,
}

impl Ring {
    pub(crate) fn new(capacity: usize) -> Ring {
        Ring {
            slots: (0..capacity.max(1)).map(|_| AtomicU32::new(0)).collect(),
            write: AtomicUsize::new(0),
            read: AtomicUsize::new(0),
        }
    }

    fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Producer: appends as many of `samples` as fit; returns how many.
    pub(crate) fn push(&self, samples: &[f32]) -> usize {
        let write = self.write.load(Ordering::Relaxed);
        let read = self.read.load(Ordering::Acquire);
        let free = self.capacity() - write.wrapping_sub(read);
        let n = free.min(samples.len());
        for (i, &sample) in samples[..n].iter().enumerate() {
            let slot = write.wrapping_add(i) % self.capacity();
            self.slots[slot].store(sample.to_bits(), Ordering::Relaxed);
        }
        self.write.store(write.wrapping_add(n), Ordering::Release);
        n
    }

    /// Producer: the write count (where the next sample goes).
    pub(crate) fn written(&self) -> usize {
        self.write.load(Ordering::Relaxed)
    }

    /// Consumer: samples waiting from `read` on.
    fn available(&self) -> (usize, usize) {
        let read = self.read.load(Ordering::Relaxed);
        let write = self.write.load(Ordering::Acquire);
        (read, write.wrapping_sub(read))
    }

    /// Consumer: takes `out.len()` samples (the caller checked they are there).
    fn take(&self, read: usize, out: &mut [f32]) {
        for (i, sample) in out.iter_mut().enumerate() {
            let slot = read.wrapping_add(i) % self.capacity();
            *sample = f32::from_bits(self.slots[slot].load(Ordering::Relaxed));
        }
        self.read
            .store(read.wrapping_add(out.len()), Ordering::Release);
    }

    /// Consumer: drops everything before the write count `to` (nothing if
    /// it was read already).
    fn skip_to(&self, to: usize) {
        let (read, available) = self.available();
        if to.wrapping_sub(read) <= available {
            self.read.store(to, Ordering::Release);
        }
    }
}

/// Where the callback is, published under a sequence lock (odd while it
/// writes), so that the player reads a consistent set.
#[derive(Debug, Default)]
struct Report {
    seq: AtomicU64,
    generation: AtomicU64,
    /// Frames handed to the device in this generation before the last callback.
    before: AtomicU64,
    /// Frames handed in the last callback.
    last: AtomicU64,
    /// When the last callback ran, in nanoseconds from [`Link::epoch`].
    at: AtomicU64,
}

/// A consistent copy of the [`Report`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Played {
    pub generation: u64,
    pub before: u64,
    pub last: u64,
    pub at: Instant,
}

/// Everything the player, the decode thread and the callback share.
#[derive(Debug)]
pub(crate) struct Link {
    pub ring: Ring,
    /// The player: the generation it wants heard.
    pub wanted: AtomicU64,
    /// The decode thread: the generation it is producing, and the write count
    /// where that generation's samples begin (set before `producing`).
    pub producing: AtomicU64,
    pub produced_from: AtomicUsize,
    pub playing: AtomicBool,
    /// Gain as `f32` bits (volume, 0 when muted).
    pub gain: AtomicU32,
    /// The device's latency (from handing a sample over to hearing it), ns.
    pub latency_ns: AtomicU64,
    report: Report,
    epoch: Instant,
    /// The device's channels.
    pub channels: usize,
}

impl Link {
    pub(crate) fn new(capacity_samples: usize, channels: usize) -> Link {
        Link {
            ring: Ring::new(capacity_samples),
            wanted: AtomicU64::new(0),
            producing: AtomicU64::new(0),
            produced_from: AtomicUsize::new(0),
            playing: AtomicBool::new(false),
            gain: AtomicU32::new(1.0f32.to_bits()),
            latency_ns: AtomicU64::new(0),
            report: Report::default(),
            epoch: Instant::now(),
            channels: channels.max(1),
        }
    }

    fn nanos(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.epoch).as_nanos()).unwrap_or(u64::MAX)
    }

    /// The callback's last report (None while it is being written twice in a
    /// row, which does not happen in practice).
    pub(crate) fn played(&self) -> Option<Played> {
        for _ in 0..4 {
            let seq = self.report.seq.load(Ordering::Acquire);
            if seq % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let played = Played {
                generation: self.report.generation.load(Ordering::Acquire),
                before: self.report.before.load(Ordering::Acquire),
                last: self.report.last.load(Ordering::Acquire),
                at: self.epoch + Duration::from_nanos(self.report.at.load(Ordering::Acquire)),
            };
            if self.report.seq.load(Ordering::Acquire) == seq {
                return Some(played);
            }
        }
        None
    }

    fn publish(&self, generation: u64, before: u64, last: u64, at: Instant) {
        let seq = self.report.seq.load(Ordering::Relaxed);
        self.report
            .seq
            .store(seq.wrapping_add(1), Ordering::Release);
        self.report.generation.store(generation, Ordering::Release);
        self.report.before.store(before, Ordering::Release);
        self.report.last.store(last, Ordering::Release);
        self.report.at.store(self.nanos(at), Ordering::Release);
        self.report
            .seq
            .store(seq.wrapping_add(2), Ordering::Release);
    }

    pub(crate) fn latency(&self) -> Duration {
        Duration::from_nanos(self.latency_ns.load(Ordering::Relaxed))
    }
}

/// The device's side: a device (or a test) calls [`Feed::fill`] from its own
/// thread whenever it wants samples. Never blocks or allocates.
#[derive(Debug)]
pub struct Feed {
    link: std::sync::Arc<Link>,
    generation: u64,
    /// Frames handed over in this generation.
    frames: u64,
    /// The gain used at the end of the last fill (ramps to the new one).
    gain: f32,
}

impl Feed {
    pub(crate) fn new(link: std::sync::Arc<Link>) -> Feed {
        let gain = f32::from_bits(link.gain.load(Ordering::Relaxed));
        Feed {
            link,
            generation: u64::MAX,
            frames: 0,
            gain,
        }
    }

    /// The device's channels (interleaved in `fill`).
    pub fn channels(&self) -> usize {
        self.link.channels
    }

    /// Tells how long the device takes from `fill` to the speaker.
    pub fn set_latency(&self, latency: Duration) {
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.link.latency_ns.store(nanos, Ordering::Relaxed);
    }

    /// Fills `out` (interleaved, [`Feed::channels`] a frame) with the next
    /// samples, or silence when paused, between generations or out of
    /// samples. `now` is when the device asked (its clock for the player).
    pub fn fill(&mut self, out: &mut [f32], now: Instant) {
        let link = &*self.link;
        let channels = link.channels;
        let wanted = link.wanted.load(Ordering::Acquire);
        let producing = link.producing.load(Ordering::Acquire);
        if producing != wanted {
            // The decode thread has not reached the new place yet: what is in
            // the ring is from before it (dropped once it has).
            out.fill(0.0);
            return;
        }
        if self.generation != producing {
            link.ring
                .skip_to(link.produced_from.load(Ordering::Acquire));
            self.generation = producing;
            self.frames = 0;
        }
        if !link.playing.load(Ordering::Acquire) {
            out.fill(0.0);
            link.publish(self.generation, self.frames, 0, now);
            return;
        }
        let (read, available) = link.ring.available();
        // Samples written after a newer generation began are not ours: the
        // decode thread announces a generation before writing it, so seeing
        // its samples means seeing the announcement.
        if link.producing.load(Ordering::Acquire) != self.generation {
            out.fill(0.0);
            return;
        }
        let frames = (available / channels).min(out.len() / channels);
        let (head, tail) = out.split_at_mut(frames * channels);
        link.ring.take(read, head);
        tail.fill(0.0);
        // Volume changes ramp over one fill (no click).
        let gain = f32::from_bits(link.gain.load(Ordering::Relaxed));
        if gain == self.gain {
            if gain != 1.0 {
                head.iter_mut().for_each(|s| *s *= gain);
            }
        } else {
            let step = (gain - self.gain) / frames.max(1) as f32;
            for (i, frame) in head.chunks_mut(channels).enumerate() {
                let g = self.gain + step * (i + 1) as f32;
                frame.iter_mut().for_each(|s| *s *= g);
            }
            self.gain = gain;
        }
        let before = self.frames;
        self.frames += frames as u64;
        link.publish(self.generation, before, frames as u64, now);
    }

    /// Whether the decode thread has reached the place last asked for (for
    /// tests that wait for it).
    pub fn caught_up(&self) -> bool {
        let link = &*self.link;
        link.producing.load(Ordering::Acquire) == link.wanted.load(Ordering::Acquire)
    }

    /// Frames of the wanted generation ready in the ring (for tests that
    /// wait for the decode thread).
    pub fn ready_frames(&self) -> usize {
        let link = &*self.link;
        if link.producing.load(Ordering::Acquire) != link.wanted.load(Ordering::Acquire) {
            return 0;
        }
        let from = link.produced_from.load(Ordering::Acquire);
        let written = link.ring.write.load(Ordering::Acquire);
        let read = link.ring.read.load(Ordering::Acquire);
        // From the later of the generation's start and what was already read.
        let start = if from.wrapping_sub(read) <= written.wrapping_sub(read) {
            from
        } else {
            read
        };
        written.wrapping_sub(start) / link.channels
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn the_ring_gives_back_what_went_in_and_refuses_more_than_fits() {
        let ring = Ring::new(8);
        assert_eq!(ring.push(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), 6);
        assert_eq!(ring.push(&[7.0, 8.0, 9.0]), 2);
        let (read, available) = ring.available();
        assert_eq!(available, 8);
        let mut out = [0.0; 5];
        ring.take(read, &mut out);
        assert_eq!(out, [1.0, 2.0, 3.0, 4.0, 5.0]);
        // Wraps around.
        assert_eq!(ring.push(&[9.0, 10.0, 11.0]), 3);
        let (read, available) = ring.available();
        let mut out = vec![0.0; available];
        ring.take(read, &mut out);
        assert_eq!(out, [6.0, 7.0, 8.0, 9.0, 10.0, 11.0]);
    }

    #[test]
    fn the_feed_plays_silence_until_the_wanted_generation_is_produced() {
        let link = Arc::new(Link::new(64, 1));
        let mut feed = Feed::new(Arc::clone(&link));
        link.playing.store(true, Ordering::Release);
        link.ring.push(&[0.5; 10]); // generation 0
        link.wanted.store(1, Ordering::Release);
        let mut out = [9.0; 4];
        feed.fill(&mut out, Instant::now());
        assert_eq!(out, [0.0; 4], "stale samples must not be heard");
        // The decode thread reaches generation 1.
        link.produced_from
            .store(link.ring.written(), Ordering::Release);
        link.producing.store(1, Ordering::Release);
        link.ring.push(&[0.25; 3]);
        assert_eq!(feed.ready_frames(), 3);
        let mut out = [9.0; 4];
        feed.fill(&mut out, Instant::now());
        assert_eq!(out, [0.25, 0.25, 0.25, 0.0]);
        let played = link.played().unwrap();
        assert_eq!((played.generation, played.before, played.last), (1, 0, 3));
    }
}
