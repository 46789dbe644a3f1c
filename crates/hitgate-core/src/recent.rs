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
//! **Frames read together.** A listed car whose every frame has one error
//! more than its list tolerates opens no passage, although its frames,
//! together, spell the listed plate (`MB752BV` and `HB752PV` for a listed
//! `HB752BV`). So an unmatched frame is read together with the frames in
//! the two newest places of the held-frames table ([`PAIR_FRAMES`]) that
//! are of its camera and within its window, the newer first: the plates
//! that take each differing character from one of the two
//! (`spelled_together`) are looked up exactly (never with a list's
//! tolerance, which would stack on the frames' own errors), and one that
//! is listed opens its passage with the two frames as its first reads,
//! judged then as any other (the matrix, [`evidence`](crate::evidence),
//! the re-alert window). A word-wise test sets most pairs aside before a
//! character is compared. On the generated days of `BENCHMARKS.md` ("Hit
//! quality") this finds 2 of the 19 P0/P1 cars consensus missed in twelve
//! days, and 2 of 16 P2, for one wrong P2 dispatch more (`1WGV223` read
//! right and once `1WGK22Y`, which spell a listed `1WGK223`), at about 100
//! instructions a read on the Cortex-M4 for the first place and 74 for the
//! second (`docs/perf-history.md`).
//!
//! **What is held, and for how long.** The plate, the confidence, the
//! camera's slot and two times, in the unit's own memory, never stored,
//! forwarded or counted by plate. A frame is zeroed when a passage takes
//! it (as evidence, or as the other frame of a pair), when the unit's clock passes its arrival plus the passage window and
//! grace (5 s by default), when newer frames need its place, and on
//! [`Unit::flush`](crate::unit::Unit::flush), whichever comes first. A
//! passage takes only frames of its camera within its window, so a frame
//! its camera's reads have moved past is never taken; it waits for the
//! clock (dropping it earlier cost every read a walk of the ring: 400
//! instructions a read on the Cortex-M4).

use core::fmt;

use crate::plate::{MAX_PLATE_LEN, Plate};

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

/// The newest places of the held-frames table an unmatched frame looks in
/// for a frame of its camera to read together with (see the module docs):
/// the two frames held just before it (a frame of the other lane's camera
/// often comes between). Each place costs every unmatched read a look,
/// and a frame of its camera a word-wise comparison: about 100
/// instructions a read on the Cortex-M4 for the first place, 74 for the
/// second; a third and a fourth found one P2 car more and no P0/P1 car,
/// for some 90 instructions more (`docs/perf-history.md`).
pub const PAIR_FRAMES: usize = 2;

/// The places where two plates' words differ, one bit each: bit `t` for
/// character `t` (bits 0 to 9). In 32-bit halves, with no bit count: a
/// Cortex-M has no instruction for one, nor a Cortex-M0 for a 64-bit
/// product.
#[inline]
fn differing(a: (u64, u16), b: (u64, u16)) -> u64 {
    const LOW: u32 = 0x7f7f_7f7f;
    // The bytes of `x` that are not zero, as bits 0 to 3: the top bit of
    // each such byte, moved to the byte's index by one multiplication
    // (byte `i`'s bit lands at 21 + `i`, no two products meet).
    let nonzero = |x: u32| {
        let top = ((x & LOW).wrapping_add(LOW) | x) & !LOW;
        u64::from(((top >> 7).wrapping_mul(0x0020_4081) >> 21) & 0xf)
    };
    let low = a.0 ^ b.0;
    nonzero(low as u32) | nonzero((low >> 32) as u32) << 4 | nonzero(u32::from(a.1 ^ b.1)) << 8
}

/// At most one bit of `m` is set.
#[inline]
fn at_most_one(m: u64) -> bool {
    m & m.wrapping_sub(1) == 0
}

/// Can two frames spell anything together (`spelled_together`)? A
/// word-wise test that sets most pairs aside before a character is looked
/// at: frames of one length must differ in two places; frames one
/// character apart in length must have at most one place where the
/// shorter reads neither the longer's character there nor the one after.
#[inline]
fn may_spell(a: &Plate, b: &Plate) -> bool {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let m = differing(long.words(), short.words());
            m != 0 && !at_most_one(m) && at_most_one(m & m.wrapping_sub(1))
        }
        1 => {
            let ((l0, l1), s) = (long.words(), short.words());
            // The longer one character on: its character t + 1 at t.
            let next = ((l0 >> 8) | (u64::from(l1) << 56), l1 >> 8);
            at_most_one(differing((l0, l1), s) & differing(next, s))
        }
        _ => false,
    }
}

/// Calls `f` with each plate two frames of one car spell together, each
/// wrong in a place the other reads right, until `f` accepts one; that
/// one. Frames of one length that differ in exactly two places spell the
/// two plates that take one of those places from each (`MB752BV` and
/// `HB752PV`: `HB752BV`, `MB752PV`). Frames one character apart in length
/// spell, for each character of the longer whose removal leaves a plate
/// one place off the shorter, that plate and the longer with the shorter's
/// character in that place (`I6X203` and `IVX203F`: `IVX203`, `I6X203F`).
/// A frame that is the other with one character dropped spells nothing:
/// the frames agree on every character they both read.
#[inline]
pub(crate) fn spelled_together<T>(
    a: &Plate,
    b: &Plate,
    f: impl FnMut(&Plate) -> Option<T>,
) -> Option<T> {
    if !may_spell(a, b) {
        return None;
    }
    spell(a, b, f)
}

/// [`spelled_together`] past [`may_spell`]: seldom, so out of the line
/// of every read.
#[inline(never)]
fn spell<T>(a: &Plate, b: &Plate, mut f: impl FnMut(&Plate) -> Option<T>) -> Option<T> {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() == y.len() {
        let mut diff = [0usize; 2];
        let mut n = 0;
        for (i, (p, q)) in x.iter().zip(y).enumerate() {
            if p != q {
                if let Some(d) = diff.get_mut(n) {
                    *d = i;
                }
                n += 1;
                if n > 2 {
                    return None;
                }
            }
        }
        if n != 2 {
            return None;
        }
        for i in diff {
            let mut chars = [0u8; MAX_PLATE_LEN];
            for (o, c) in chars.iter_mut().zip(x) {
                *o = *c;
            }
            if let (Some(o), Some(&q)) = (chars.get_mut(i), y.get(i)) {
                *o = q;
            }
            if let Some(v) = f(&Plate::from_canonical(chars, x.len())) {
                return Some(v);
            }
        }
        return None;
    }
    let (long, short) = if x.len() > y.len() { (x, y) } else { (y, x) };
    let n = short.len();
    if long.len() != n + 1 {
        return None;
    }
    // `long` without its character `k` against `short`: `before[k]`
    // differences in front of `k`, `after[k]` from `k` on, so every `k` in
    // one pass each way, with no plate built.
    let mut before = [0u8; MAX_PLATE_LEN + 1];
    let mut after = [0u8; MAX_PLATE_LEN + 1];
    for t in 0..n {
        let d = u8::from(long.get(t) != short.get(t));
        let prev = before.get(t).copied().unwrap_or(0);
        if let Some(b) = before.get_mut(t + 1) {
            *b = prev.saturating_add(d);
        }
    }
    for t in (0..n).rev() {
        let d = u8::from(long.get(t + 1) != short.get(t));
        let next = after.get(t + 1).copied().unwrap_or(0);
        if let Some(a) = after.get_mut(t) {
            *a = next.saturating_add(d);
        }
    }
    let off = |k: usize| {
        before.get(k).copied().unwrap_or(u8::MAX) as usize
            + after.get(k).copied().unwrap_or(u8::MAX) as usize
    };
    // A dropped character alone spells nothing (see above).
    if (0..=n).any(|k| off(k) == 0) {
        return None;
    }
    for k in 0..=n {
        // A run of one character leaves the same plate whichever goes.
        if off(k) != 1 || (k > 0 && long.get(k) == long.get(k - 1)) {
            continue;
        }
        let mut chars = [0u8; MAX_PLATE_LEN];
        let rest = long
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .map(|(_, c)| *c);
        for (o, c) in chars.iter_mut().zip(rest) {
            *o = c;
        }
        // The one place it differs, in `short`'s places.
        let Some(i) = (0..n).find(|&t| chars.get(t) != short.get(t)) else {
            continue;
        };
        if let Some(v) = f(&Plate::from_canonical(chars, n)) {
            return Some(v);
        }
        let mut chars = [0u8; MAX_PLATE_LEN];
        for (o, c) in chars.iter_mut().zip(long) {
            *o = *c;
        }
        let at = if i < k { i } else { i + 1 };
        if let (Some(o), Some(&q)) = (chars.get_mut(at), short.get(i)) {
            *o = q;
        }
        if let Some(v) = f(&Plate::from_canonical(chars, long.len())) {
            return Some(v);
        }
    }
    None
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

    /// Hands `spells` the held frames of `camera` within `window` of event
    /// time `time` among the `places` newest places, newest first, until
    /// it returns a value: then that frame is freed and handed back (event
    /// time, plate, confidence) with the value.
    pub(crate) fn pair<T>(
        &mut self,
        camera: usize,
        time: u64,
        window: u64,
        places: usize,
        mut spells: impl FnMut(&Plate) -> Option<T>,
    ) -> Option<(u64, Plate, Option<u8>, T)> {
        let slot = place_of(camera);
        let n = self.frames.len();
        let mut k = self.next;
        for _ in 0..n.min(places) {
            k = if k == 0 { n - 1 } else { k - 1 };
            let Some(f) = self.frames.get_mut(k) else {
                break;
            };
            if f.camera != slot || f.time.abs_diff(time) > window {
                continue;
            }
            if let Some(v) = spells(&f.plate) {
                let frame = core::mem::replace(f, HeldFrame::EMPTY);
                return Some((frame.time, frame.plate, frame.confidence, v));
            }
        }
        None
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

    /// Every plate `spelled_together` offers for two frames, in order.
    fn spelled(a: &str, b: &str) -> Vec<std::string::String> {
        let mut out = Vec::new();
        let none: Option<()> = spelled_together(&p(a), &p(b), |c| {
            out.push(c.as_str().into());
            None
        });
        assert!(none.is_none());
        out
    }

    #[test]
    fn frames_of_one_length_two_places_apart_spell_the_two_mixes() {
        // Checked by hand: each mix takes one differing place from each.
        assert_eq!(spelled("MB752BV", "HB752PV"), ["HB752BV", "MB752PV"]);
        assert_eq!(spelled("HB752PV", "MB752BV"), ["MB752PV", "HB752BV"]);
        // One place apart: the mixes are the frames themselves.
        assert!(spelled("1ABC123", "1ABC128").is_empty());
        assert_eq!(spelled("1ABC123", "1XYC123"), ["1XBC123", "1AYC123"]);
        // Three places apart, or the same: nothing.
        assert!(spelled("1ABC123", "1XYZ123").is_empty());
        assert!(spelled("1ABC123", "1ABC123").is_empty());
    }

    #[test]
    fn frames_a_character_apart_in_length_spell_with_and_without_it() {
        // `IVX203F` without its F is one place off `I6X203`.
        assert_eq!(spelled("I6X203", "IVX203F"), ["IVX203", "I6X203F"]);
        assert_eq!(spelled("IVX203F", "I6X203"), ["IVX203", "I6X203F"]);
        // A dropped character alone spells nothing (`1KSD537` and
        // `1KD537` would spell `1KDD537`).
        assert!(spelled("1KSD537", "1KD537").is_empty());
        // A run: `1AAB12` and `1AB13` (an A dropped, 2 read 3), spelled
        // once, not once for each A.
        assert_eq!(spelled("1AAB12", "1AB13"), ["1AB12", "1AAB13"]);
        // Two characters apart in length: nothing.
        assert!(spelled("1ABC123", "1AB12").is_empty());
    }

    #[test]
    fn the_first_plate_accepted_is_handed_back() {
        let got = spelled_together(&p("MB752BV"), &p("HB752PV"), |c| {
            (c.as_str() == "MB752PV").then_some(7)
        });
        assert_eq!(got, Some(7));
    }

    #[test]
    fn a_pair_takes_the_newest_frames_of_the_camera_in_the_window_and_frees_its_own() {
        let mut store = [HeldFrame::EMPTY; RECENT_FRAMES];
        let mut r = Recent::new(&mut store);
        r.hold(0, 1_000, 1, HOLD, p("AA111"), None);
        r.hold(0, 1_100, 2, HOLD, p("BB222"), Some(70));
        r.hold(1, 1_200, 3, HOLD, p("CC333"), None);
        r.hold(0, 9_000, 4, HOLD, p("DD444"), None);
        r.hold(0, 1_300, 5, HOLD, p("EE555"), None);
        // Newest first, camera 0 only, within 2 s of 1,500, among the
        // four newest places.
        let mut seen = Vec::new();
        let none: Option<(u64, Plate, Option<u8>, ())> = r.pair(0, 1_500, 2_000, 4, |f| {
            seen.push(std::string::String::from(f.as_str()));
            None
        });
        assert!(none.is_none());
        assert_eq!(seen, ["EE555", "BB222"]);
        seen.clear();
        let none: Option<(u64, Plate, Option<u8>, ())> = r.pair(0, 1_500, 2_000, 3, |f| {
            seen.push(std::string::String::from(f.as_str()));
            None
        });
        assert!(none.is_none());
        assert_eq!(seen, ["EE555"]);
        assert_eq!(r.held(), 5);
        let got = r.pair(0, 1_500, 2_000, 4, |f| {
            (f.as_str() == "BB222").then_some('x')
        });
        assert_eq!(got, Some((1_100, p("BB222"), Some(70), 'x')));
        assert_eq!(r.held(), 4);
        assert_eq!(taken(&mut r, 0, 1_500, 2_000), [p("AA111"), p("EE555")]);
    }

    #[test]
    fn the_word_test_sets_aside_only_pairs_that_spell_nothing() {
        // Plates near one another (a few characters, every length 4 to 9),
        // so that many pairs spell something and many do not.
        let alphabet = b"1AB8";
        let mut plates = Vec::new();
        for len in 4..=9usize {
            for seed in 0..60u32 {
                let mut x = seed.wrapping_mul(2_654_435_761) ^ len as u32;
                let chars: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 17;
                        x ^= x << 5;
                        alphabet[(x % 4) as usize]
                    })
                    .collect();
                plates.push(Plate::normalize(&chars).unwrap());
            }
        }
        let (mut spelling, mut set_aside) = (0, 0);
        for a in &plates {
            for b in &plates {
                let any = spell(a, b, |_| Some(())).is_some();
                if any {
                    spelling += 1;
                    assert!(may_spell(a, b), "{} {}", a.as_str(), b.as_str());
                } else if !may_spell(a, b) {
                    set_aside += 1;
                }
            }
        }
        // Both kinds occur, and the test sets most of the others aside.
        assert!(spelling > 1_000, "{spelling}");
        assert!(set_aside > 100_000, "{set_aside}");
    }

    #[test]
    fn differing_marks_each_place_the_characters_differ() {
        let plates = [
            "1ABC234",
            "1ABC235",
            "XABC234",
            "1ABC23",
            "ABCDEFGHIJ",
            "ABCDEFGHIK",
            "A",
        ];
        for a in plates {
            for b in plates {
                let (pa, pb) = (p(a), p(b));
                let want = (0..MAX_PLATE_LEN)
                    .filter(|&t| a.as_bytes().get(t) != b.as_bytes().get(t))
                    .fold(0u64, |m, t| m | 1 << t);
                assert_eq!(differing(pa.words(), pb.words()), want, "{a} {b}");
            }
        }
    }
}
