//! The frames a camera read just before a listed car's first match: held a
//! few seconds, so a passage that opens on a later frame still sees them as
//! evidence.
//!
//! A car is read in several frames, and the frame that matches the list is
//! not always the first. A look-alike car read `1DKA552`, `1DKA552`, then
//! once misread `1OKA552` (listed) opens its passage on the third frame;
//! without the first two, the passage is one matching frame and is
//! dispatched. So the unit keeps the last unmatched frames, as many as the
//! caller's table ([`Tables::held`](crate::unit::Tables::held)) has places
//! (a hold's worth of the unit's unmatched reads; [`RECENT_FRAMES`] on a
//! small board), in consensus mode only, with
//! their camera's slot and event time, and a
//! passage that opens takes those of its camera within its window that lie
//! near its listed plate, or near the frame that opened it, as evidence,
//! exactly as it takes the unmatched
//! frames that come after it.
//!
//! **What is held, and for how long.** The plate, the confidence, the
//! camera's slot and two times, in the unit's own memory, never stored,
//! forwarded or counted by plate. A frame is zeroed when a passage takes
//! it, when the unit's clock passes its arrival plus the passage window and
//! grace (5 s by default), when newer frames need its place, and on
//! [`Unit::flush`](crate::unit::Unit::flush), whichever comes first. A
//! passage takes only frames of its camera within its window, so a frame
//! its camera's reads have moved past is never taken; it waits for the
//! clock (dropping it earlier cost every read a walk of the ring: 400
//! instructions a read on the Cortex-M4).

use core::fmt;

use crate::plate::Plate;

/// Places the example firmware gives the held-frames table
/// ([`Tables::held`]) on every board, the 16 KiB micro:bit included: two
/// seconds of four cameras at two reads a second (640 bytes). A unit with
/// room gives a whole hold's worth: the unmatched reads of the passage
/// window and grace (5 s by default) at its busiest, 128 on the host's
/// `replay`. With fewer, the oldest frames give way before their hold ran
/// out, counted in
/// [`Indicators::evicted_held`](crate::indicators::Indicators::evicted_held),
/// and a passage whose frames came in far apart misses them as evidence.
///
/// [`Tables::held`]: crate::unit::Tables::held
pub const RECENT_FRAMES: usize = 16;

/// One place of the held-frames table. Storage is handed in by the caller
/// ([`Tables::held`](crate::unit::Tables::held)):
/// `[HeldFrame::EMPTY; N]`; its contents are never shown, not even by
/// `Debug`.
#[derive(Clone, Copy)]
pub struct HeldFrame {
    /// The camera's counter slot + 1 (0: a free place).
    camera: u32,
    /// Event time.
    time: u64,
    /// The unit's clock when it arrived.
    held_at: u64,
    plate: Plate,
    confidence: Option<u8>,
}

impl HeldFrame {
    /// A free place.
    pub const EMPTY: Self = Self {
        camera: 0,
        time: 0,
        held_at: 0,
        plate: Plate::ZERO,
        confidence: None,
    };
}

impl fmt::Debug for HeldFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeldFrame")
            .field("held", &(self.camera != 0))
            .finish_non_exhaustive()
    }
}

/// How a frame names the camera in counter slot `camera`: the slot + 1
/// (0 is a free place), the last value for a slot past it.
fn place_of(camera: usize) -> u32 {
    u32::try_from(camera).map_or(u32::MAX, |c| c.saturating_add(1))
}

/// The ring of held frames, over the caller's table.
pub(crate) struct Recent<'s> {
    frames: &'s mut [HeldFrame],
    /// The place the next frame takes (the oldest, when all are held).
    next: usize,
    /// No held frame arrived before this (`u64::MAX`: none held). Freeing
    /// a frame leaves it as it is, so it may lie before the oldest: the
    /// expiry walk then sets it right.
    oldest: u64,
}

impl<'s> Recent<'s> {
    /// A ring over `frames`, every place freed (none: nothing is held).
    pub(crate) fn new(frames: &'s mut [HeldFrame]) -> Self {
        frames.fill(HeldFrame::EMPTY);
        Self {
            frames,
            next: 0,
            oldest: u64::MAX,
        }
    }

    /// The place after `k`, round the ring.
    fn after(&self, k: usize) -> usize {
        if k + 1 >= self.frames.len() { 0 } else { k + 1 }
    }

    /// Holds an unmatched frame of the camera in counter slot `camera`, read
    /// at event time `time`, arrived at the unit's clock `now`; `true` when
    /// the place it takes held a frame read and arrived less than `hold`
    /// before `now`, which gives way before its time: the table is too
    /// small for the unit's traffic. (Frames of an uplink's backlog, read
    /// long before they arrive, do not count: a passage of theirs opens
    /// within the backlog, next to them.)
    pub(crate) fn hold(
        &mut self,
        camera: usize,
        time: u64,
        now: u64,
        hold: u64,
        plate: Plate,
        confidence: Option<u8>,
    ) -> bool {
        let mut early = false;
        if let Some(f) = self.frames.get_mut(self.next) {
            early = f.camera != 0 && now < f.held_at.min(f.time).saturating_add(hold);
            *f = HeldFrame {
                camera: place_of(camera),
                time,
                held_at: now,
                plate,
                confidence,
            };
            self.next = self.after(self.next);
            self.oldest = self.oldest.min(now);
        }
        early
    }

    /// Frees the frames that arrived `hold` or more before the unit's
    /// clock `now`. On most calls no frame is that old, which
    /// [`Recent::oldest`] tells without a look at the table; otherwise,
    /// frames being held in the order they arrived, the walk starts at the
    /// oldest and stops at the first one still in time.
    pub(crate) fn expire(&mut self, now: u64, hold: u64) {
        if now < self.oldest.saturating_add(hold) {
            return;
        }
        let mut k = self.next;
        for _ in 0..self.frames.len() {
            let Some(f) = self.frames.get_mut(k) else {
                break;
            };
            if f.camera != 0 {
                if now < f.held_at.saturating_add(hold) {
                    self.oldest = f.held_at;
                    return;
                }
                *f = HeldFrame::EMPTY;
            }
            k = self.after(k);
        }
        self.oldest = u64::MAX;
    }

    /// Hands `take` each held frame of `camera` within `window` of event
    /// time `time`, oldest first; a frame `take` keeps (returns `true` for)
    /// is freed.
    pub(crate) fn take_near(
        &mut self,
        camera: usize,
        time: u64,
        window: u64,
        mut take: impl FnMut(&Plate, Option<u8>) -> bool,
    ) -> u64 {
        let slot = place_of(camera);
        let mut taken = 0;
        let mut k = self.next;
        for _ in 0..self.frames.len() {
            if let Some(f) = self.frames.get_mut(k)
                && f.camera == slot
                && f.time.abs_diff(time) <= window
                && take(&f.plate, f.confidence)
            {
                *f = HeldFrame::EMPTY;
                taken += 1;
            }
            k = self.after(k);
        }
        taken
    }

    /// Frees every frame.
    pub(crate) fn clear(&mut self) {
        self.frames.fill(HeldFrame::EMPTY);
        self.next = 0;
        self.oldest = u64::MAX;
    }

    /// Frames held.
    pub(crate) fn held(&self) -> usize {
        self.frames.iter().filter(|f| f.camera != 0).count()
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;

    /// The hold of the tests that do not look at it: 5 s.
    const HOLD: u64 = 5_000;

    fn p(s: &str) -> Plate {
        Plate::normalize(s.as_bytes()).unwrap_or(Plate::ZERO)
    }

    fn taken(r: &mut Recent<'_>, camera: usize, time: u64, window: u64) -> Vec<Plate> {
        let mut got = Vec::new();
        r.take_near(camera, time, window, |plate, _| {
            got.push(*plate);
            true
        });
        got
    }

    /// Takes every frame of camera 0, whatever its time: their
    /// confidences, oldest first.
    fn all_confidences(r: &mut Recent<'_>) -> Vec<u8> {
        let mut kept = Vec::new();
        r.take_near(0, 0, u64::MAX, |_, c| {
            kept.push(c.unwrap_or(0));
            true
        });
        kept
    }

    #[test]
    fn a_passage_takes_its_cameras_frames_in_its_window_oldest_first() {
        let mut store = [HeldFrame::EMPTY; RECENT_FRAMES];
        let mut r = Recent::new(&mut store);
        r.hold(0, 1_000, 5, HOLD, p("1DKA552"), Some(80));
        r.hold(1, 1_100, 6, HOLD, p("2XYZ999"), None);
        r.hold(0, 1_500, 7, HOLD, p("1DKA5S2"), None);
        r.hold(0, 9_000, 8, HOLD, p("1ABC123"), None);
        assert_eq!(r.held(), 4);
        // Camera 0's passage at 2,000 with a 2 s window: the first and
        // third frames, not camera 1's, not the one 7 s later.
        assert_eq!(taken(&mut r, 0, 2_000, 2_000), [p("1DKA552"), p("1DKA5S2")]);
        assert_eq!(r.held(), 2);
        // Taken frames are gone.
        assert_eq!(taken(&mut r, 0, 2_000, 2_000), []);
    }

    #[test]
    fn a_frame_not_taken_stays_held() {
        let mut store = [HeldFrame::EMPTY; RECENT_FRAMES];
        let mut r = Recent::new(&mut store);
        r.hold(2, 100, 0, HOLD, p("AB123"), None);
        assert_eq!(r.take_near(2, 100, 10, |_, _| false), 0);
        assert_eq!(r.held(), 1);
    }

    #[test]
    fn frames_are_freed_when_the_clock_passes_their_arrival_plus_the_hold() {
        let mut store = [HeldFrame::EMPTY; RECENT_FRAMES];
        let mut r = Recent::new(&mut store);
        r.hold(0, 1_000, 50, HOLD, p("AB123"), None);
        r.hold(1, 1_000, 60, HOLD, p("CD456"), None);
        r.hold(1, 1_200, 60, HOLD, p("EF789"), None);
        // Held 5 s from arrival: the first freed at 5,050, the others at
        // 5,060.
        r.expire(5_049, 5_000);
        assert_eq!(r.held(), 3);
        r.expire(5_050, 5_000);
        assert_eq!(r.held(), 2);
        r.expire(5_059, 5_000);
        assert_eq!(r.held(), 2);
        r.expire(5_060, 5_000);
        assert_eq!(r.held(), 0);
    }

    #[test]
    fn a_taken_frame_leaves_a_gap_the_clock_walks_past() {
        let mut store = [HeldFrame::EMPTY; RECENT_FRAMES];
        let mut r = Recent::new(&mut store);
        r.hold(0, 100, 10, HOLD, p("AB123"), None);
        r.hold(1, 100, 20, HOLD, p("CD456"), None);
        r.hold(0, 100, 30, HOLD, p("EF789"), None);
        // Camera 1's frame taken: the oldest and the newest stay.
        assert_eq!(taken(&mut r, 1, 100, 10), [p("CD456")]);
        r.expire(40, 15);
        assert_eq!(r.held(), 1);
        r.expire(45, 15);
        assert_eq!(r.held(), 0);
    }

    #[test]
    fn the_oldest_frame_gives_way_and_clear_frees_all() {
        let mut store = [HeldFrame::EMPTY; RECENT_FRAMES];
        let mut r = Recent::new(&mut store);
        // The first RECENT_FRAMES take free places; each of the next three
        // pushes out a frame still in its hold.
        let early: Vec<bool> = (0..RECENT_FRAMES as u64 + 3)
            .map(|i| r.hold(0, i, i, HOLD, p("AB123"), Some(i as u8)))
            .collect();
        assert_eq!(early.iter().filter(|e| **e).count(), 3);
        assert!(early[RECENT_FRAMES..].iter().all(|e| *e));
        assert_eq!(r.held(), RECENT_FRAMES);
        let kept = all_confidences(&mut r);
        // The three oldest were overwritten; the rest come oldest first.
        assert_eq!(kept, (3..RECENT_FRAMES as u8 + 3).collect::<Vec<_>>());
        r.hold(0, 1, 1, HOLD, p("AB123"), None);
        r.clear();
        assert_eq!(r.held(), 0);
    }

    #[test]
    fn a_table_of_any_size_wraps_and_one_of_none_holds_nothing() {
        let mut three = [HeldFrame::EMPTY; 3];
        let mut r = Recent::new(&mut three);
        for i in 0..5u64 {
            r.hold(0, i, i, HOLD, p("AB123"), Some(i as u8));
        }
        assert_eq!(r.held(), 3);
        let kept = all_confidences(&mut r);
        assert_eq!(kept, [2, 3, 4]);
        // A frame past its hold that the clock has not yet freed gives
        // way in time: the place held a frame arrived at 10, held 5.
        r.hold(0, 10, 10, 5, p("AB123"), None);
        r.hold(0, 11, 11, 5, p("AB123"), None);
        r.hold(0, 12, 12, 5, p("AB123"), None);
        assert!(!r.hold(0, 15, 15, 5, p("AB123"), None));
        assert!(r.hold(0, 14, 14, 5, p("AB123"), None));
        // Nor does a frame of an uplink's backlog, read at 1 and arrived
        // at 14, when it gives way three frames later (the three before
        // push out frames read and arrived at 12, 15 and 14).
        assert!(r.hold(0, 1, 14, 5, p("AB123"), None));
        assert!(r.hold(0, 15, 15, 5, p("AB123"), None));
        assert!(r.hold(0, 15, 15, 5, p("AB123"), None));
        assert!(!r.hold(0, 15, 15, 5, p("AB123"), None));
        let mut none: [HeldFrame; 0] = [];
        let mut r = Recent::new(&mut none);
        r.hold(0, 1, 1, HOLD, p("AB123"), None);
        r.expire(10, 1);
        assert_eq!(r.held(), 0);
        assert_eq!(taken(&mut r, 0, 1, 10), []);
    }
}
