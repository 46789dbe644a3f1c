//! The unit's clock when reads carry no arrival time.
//!
//! A unit stamps each read with its own clock when it arrives, and
//! [`Unit::receive`](crate::unit::Unit::receive) takes that time. A recording
//! often has no arrival column; then only the cameras' event times are
//! left, and one camera whose clock is wrong (five years ahead, or a single
//! bad frame) must not move the unit's clock: everything after it would be
//! "late", and dispatch would stop. [`ArrivalClock`] derives the arrival
//! times from the cameras' own progress instead.
//!
//! **The rule.** The clock follows the event times of the reads. A read
//! more than `tolerance` (the unit's `max_future_ms`) ahead of the clock is
//! a *jump*, and is held back, not used, until a later read tells what it
//! was:
//!
//! | next read | the held jump is |
//! |---|---|
//! | within the tolerance of the clock (time has not moved on) | rejected: given to the unit at the clock, which refuses it as `future` and counts it |
//! | a jump too, from another camera (or from the same one, on a unit that has seen one camera only) | released, if the new read has reached its time (within the tolerance); rejected if it lies further ahead still |
//! | a jump from the same camera, on a unit with several | held too; when the held slots are full, all are released (a camera alone for a long run: the others are quiet, not behind) |
//! | none: the end of the stream ([`ArrivalClock::finish`]) | released: nothing contradicted it |
//!
//! **The start.** Before any clock, the first read is no better than any
//! other: a unit that starts (or a recording that begins) on a read of a
//! camera an hour ahead would take every later read for late, and dispatch
//! nothing for that hour. So reads are held until one of another camera
//! lies within the tolerance of a held one: the two agree, the clock starts
//! at the earlier of them, and held reads further ahead are rejected (those
//! behind it are given out at the clock, where the unit judges their
//! lateness). When the slots fill first (one camera alone, or cameras that
//! all disagree), the clock starts at the first read, as it would without
//! the wait.
//!
//! So one camera ahead of all the others is rejected and counted, a single
//! bad frame is rejected when the next read comes, and a quiet spell (a
//! night) costs nothing: the first read after it waits for the next one.
//! Held reads keep their order; with no held slots, every read is used as
//! it comes (the clock simply follows the reads).
//!
//! Memory: the caller's slots, one held read each (`[None; N]`).

use crate::read::CameraId;

/// A read held back, with its camera and event time.
#[derive(Debug, Clone)]
pub struct Held<T> {
    camera: CameraId,
    time: u64,
    item: T,
}

/// What [`ArrivalClock`] makes of a read, before it is stored.
enum Decided {
    At(u64),
    Hold,
}

/// What became of a read given to [`ArrivalClock::step`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Arrival {
    /// Use it now, as arrived at this time.
    At(u64),
    /// Held back: it comes out of a later call.
    Held,
}

/// Derives arrival times from event times (see the module docs).
#[derive(Debug)]
pub struct ArrivalClock<'s, T> {
    held: &'s mut [Option<Held<T>>],
    len: usize,
    clock: Option<u64>,
    tolerance: u64,
    /// The only camera seen so far, until a second one shows.
    only: Option<CameraId>,
    several: bool,
    rejected: u64,
}

impl<'s, T> ArrivalClock<'s, T> {
    /// A clock with `tolerance` ms of allowed lead (the unit's
    /// `max_future_ms`) and the caller's slots for held reads.
    pub fn new(tolerance: u32, held: &'s mut [Option<Held<T>>]) -> Self {
        for h in held.iter_mut() {
            *h = None;
        }
        Self {
            held,
            len: 0,
            clock: None,
            tolerance: u64::from(tolerance),
            only: None,
            several: false,
            rejected: 0,
        }
    }

    /// The clock: the latest arrival time given out.
    pub fn now(&self) -> Option<u64> {
        self.clock
    }

    /// Jumps rejected so far.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Reads held back now.
    pub fn held(&self) -> usize {
        self.len
    }

    /// A read of `camera` at event time `time`. Held reads that this read
    /// settles go to `out` first, in their order, each with the arrival
    /// time to use (a rejected one gets the clock, at which the unit
    /// refuses it as too far ahead). Then: [`Arrival::At`] to use this read
    /// now, or [`Arrival::Held`] after `hold` made the copy that is kept.
    pub fn step(
        &mut self,
        camera: &CameraId,
        time: u64,
        hold: impl FnOnce() -> T,
        out: &mut impl FnMut(T, u64),
    ) -> Arrival {
        self.see(camera);
        let decided = match self.clock {
            Some(clock) => self.decide(clock, camera, time, out),
            None => match self.start(camera, time, out) {
                Some(d) => d,
                None => {
                    self.replay_from_first(out);
                    match self.clock {
                        Some(clock) => self.decide(clock, camera, time, out),
                        None => Decided::At(self.advance(time)),
                    }
                }
            },
        };
        match decided {
            Decided::At(t) => Arrival::At(t),
            Decided::Hold => {
                self.keep(camera, time, hold());
                Arrival::Held
            }
        }
    }

    /// What becomes of a read once the clock runs: held reads it settles
    /// go to `out`.
    fn decide(
        &mut self,
        clock: u64,
        camera: &CameraId,
        time: u64,
        out: &mut impl FnMut(T, u64),
    ) -> Decided {
        if time <= clock.saturating_add(self.tolerance) {
            // Time has not moved on: whatever jumped is ahead of it.
            self.settle(None, out);
            return Decided::At(self.advance(time));
        }
        let confirms = match self.first_held_camera() {
            None => false,
            Some(c) => !c.same(camera) || !self.several,
        };
        if confirms {
            self.settle(Some(time.saturating_add(self.tolerance)), out);
            return Decided::At(self.advance(time));
        }
        if self.len == self.held.len() {
            // Full (or no slots at all): a camera alone for a long run.
            self.settle(Some(u64::MAX), out);
            return Decided::At(self.advance(time));
        }
        Decided::Hold
    }

    /// Before the clock runs: a read of another camera within the
    /// tolerance of a held one agrees with it, and the clock starts at the
    /// earlier of the two (held reads further ahead are rejected); else the
    /// read is held. With the slots full (or none) and no two cameras
    /// agreeing, `None`: the clock starts at the first read
    /// ([`Self::replay_from_first`]), as it would without the wait.
    fn start(
        &mut self,
        camera: &CameraId,
        time: u64,
        out: &mut impl FnMut(T, u64),
    ) -> Option<Decided> {
        let agreed = self
            .held
            .iter()
            .take(self.len)
            .flatten()
            .filter(|h| !h.camera.same(camera) && h.time.abs_diff(time) <= self.tolerance)
            .map(|h| h.time.min(time))
            .min();
        if let Some(t) = agreed {
            self.clock = Some(t);
            self.settle(Some(t.saturating_add(self.tolerance)), out);
            return Some(Decided::At(self.advance(time)));
        }
        (self.len < self.held.len()).then_some(Decided::Hold)
    }

    /// The held reads of a start on which no two cameras agreed (one
    /// camera alone, or cameras that disagree), in their order, through
    /// the rule with the clock set by the first of them.
    fn replay_from_first(&mut self, out: &mut impl FnMut(T, u64)) {
        let n = core::mem::take(&mut self.len);
        for i in 0..n {
            let Some(Held { camera, time, item }) = self.held.get_mut(i).and_then(Option::take)
            else {
                continue;
            };
            // Kept again only at a slot before `i`, already emptied.
            let clock = *self.clock.get_or_insert(time);
            match self.decide(clock, &camera, time, out) {
                Decided::At(t) => out(item, t),
                Decided::Hold => self.keep(&camera, time, item),
            }
        }
    }

    fn keep(&mut self, camera: &CameraId, time: u64, item: T) {
        if let Some(slot) = self.held.get_mut(self.len) {
            *slot = Some(Held {
                camera: camera.clone(),
                time,
                item,
            });
            self.len += 1;
        }
    }

    /// A read that came with its own arrival time: the clock moves to it,
    /// and held reads that it has reached are released, the others
    /// rejected.
    pub fn stamped(&mut self, arrival: u64, out: &mut impl FnMut(T, u64)) -> u64 {
        if self.clock.is_none() {
            self.clock = Some(arrival);
        }
        self.settle(Some(arrival.saturating_add(self.tolerance)), out);
        self.advance(arrival)
    }

    /// The end of the stream: held reads are released in order.
    pub fn finish(&mut self, out: &mut impl FnMut(T, u64)) {
        self.settle(Some(u64::MAX), out);
    }

    fn see(&mut self, camera: &CameraId) {
        match &self.only {
            None => self.only = Some(camera.clone()),
            Some(c) if !c.same(camera) => self.several = true,
            Some(_) => {}
        }
    }

    fn first_held_camera(&self) -> Option<&CameraId> {
        match self.held.first() {
            Some(Some(h)) if self.len > 0 => Some(&h.camera),
            _ => None,
        }
    }

    fn advance(&mut self, time: u64) -> u64 {
        let t = self.clock.map_or(time, |c| c.max(time));
        self.clock = Some(t);
        t
    }

    /// Empties the held slots in order: a read at or before `reached` is
    /// released at its own time (the clock moving with it); the others,
    /// and all of them when `reached` is `None`, are given out at the
    /// clock, where the unit refuses those still too far ahead of it.
    fn settle(&mut self, reached: Option<u64>, out: &mut impl FnMut(T, u64)) {
        let n = core::mem::take(&mut self.len);
        for slot in self.held.iter_mut().take(n) {
            let Some(h) = slot.take() else { continue };
            match reached {
                Some(r) if h.time <= r => {
                    let t = self.clock.map_or(h.time, |c| c.max(h.time));
                    self.clock = Some(t);
                    out(h.item, t);
                }
                _ => {
                    // Given out at the clock: the unit refuses it when it
                    // is still more than the tolerance ahead of it, and
                    // only then is it counted here as rejected.
                    let clock = self.clock.unwrap_or(0);
                    if h.time > clock.saturating_add(self.tolerance) {
                        self.rejected += 1;
                    }
                    out(h.item, clock);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    const TOL: u32 = 60_000;
    const H: u64 = 3_600_000;

    fn cam(s: &str) -> CameraId {
        CameraId::new(s).unwrap()
    }

    /// Runs `(camera, time)` reads through a clock with `slots` held
    /// slots, then finishes; gives each read's index with the arrival it
    /// was used at, in the order they came out.
    fn run(slots: usize, reads: &[(&str, u64)]) -> Vec<(usize, u64)> {
        let mut held = [None, None, None, None];
        let mut c = ArrivalClock::new(TOL, &mut held[..slots]);
        let mut used = Vec::new();
        for (i, &(camera, time)) in reads.iter().enumerate() {
            let mut out = |j: usize, t: u64| used.push((j, t));
            if let Arrival::At(t) = c.step(&cam(camera), time, || i, &mut out) {
                used.push((i, t));
            }
        }
        c.finish(&mut |j, t| used.push((j, t)));
        used
    }

    /// Was read `i` rejected: given out at a time more than the tolerance
    /// before its own?
    fn rejected(used: &[(usize, u64)], reads: &[(&str, u64)]) -> Vec<usize> {
        used.iter()
            .filter(|&&(i, t)| reads[i].1 > t + u64::from(TOL))
            .map(|&(i, _)| i)
            .collect()
    }

    const T0: u64 = 1_767_600_000_000;

    #[test]
    fn one_read_years_ahead_is_rejected_and_does_not_move_the_clock() {
        let far = T0 + 5 * 365 * 24 * H;
        let reads = [("a", T0), ("b", T0 + 1_000), ("a", far), ("b", T0 + 2_000)];
        let used = run(4, &reads);
        assert_eq!(rejected(&used, &reads), [2]);
        // Every other read is used at its own time.
        for (i, t) in used.iter().filter(|u| u.0 != 2) {
            assert_eq!(*t, reads[*i].1);
        }
    }

    /// The first reads come from a camera an hour ahead: they wait, two
    /// other cameras agree on the time, and they are rejected; every other
    /// read is used at its own time. Without the wait the clock started an
    /// hour ahead and every other read came late.
    #[test]
    fn a_first_read_an_hour_ahead_does_not_set_the_clock() {
        let reads = [
            ("x", T0 + H),
            ("x", T0 + H + 500),
            ("a", T0),
            ("b", T0 + 1_000),
            ("a", T0 + 2_000),
            ("x", T0 + H + 3_000),
            ("b", T0 + 4_000),
        ];
        let used = run(4, &reads);
        assert_eq!(rejected(&used, &reads), [0, 1, 5]);
        for (i, t) in used.iter().filter(|u| reads[u.0].0 != "x") {
            assert_eq!(*t, reads[*i].1, "read {i}");
        }
        let order: Vec<usize> = used.iter().map(|u| u.0).collect();
        assert_eq!(order, [0, 1, 2, 3, 4, 5, 6]);
    }

    /// A first read two hours behind the others: given out at the clock
    /// the others agree on (the unit judges it late), nothing rejected.
    #[test]
    fn a_first_read_behind_the_others_is_given_out_at_their_clock() {
        let reads = [
            ("b", T0),
            ("p", T0 - 2 * H),
            ("c", T0 + 1_000),
            ("b", T0 + 2_000),
        ];
        let used = run(4, &reads);
        assert!(rejected(&used, &reads).is_empty(), "{used:?}");
        assert_eq!(used, [(0, T0), (1, T0), (2, T0 + 1_000), (3, T0 + 2_000)]);
    }

    /// Two cameras an hour apart and nothing to tell which is right: when
    /// the slots fill, the first read sets the clock, as without the wait.
    #[test]
    fn cameras_that_never_agree_leave_the_clock_to_the_first_read() {
        let reads = [
            ("a", T0),
            ("x", T0 + H),
            ("a", T0 + 1_000),
            ("x", T0 + H + 1_000),
            ("a", T0 + 2_000),
            ("x", T0 + H + 2_000),
            ("a", T0 + 3_000),
        ];
        let used = run(4, &reads);
        assert_eq!(rejected(&used, &reads), [1, 3, 5]);
        let order: Vec<usize> = used.iter().map(|u| u.0).collect();
        assert_eq!(order, [0, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn a_camera_whose_clock_runs_ahead_is_rejected_read_after_read() {
        let ahead = 2 * H;
        let mut reads = Vec::new();
        for k in 0..20u64 {
            reads.push(("good", T0 + k * 10_000));
            reads.push(("bad", T0 + ahead + k * 10_000));
        }
        // The next read settles the last one (at the very end of a stream
        // a held read is released: nothing contradicts it).
        reads.push(("good", T0 + 200_000));
        let used = run(4, &reads);
        let r = rejected(&used, &reads);
        assert_eq!(r.len(), 20, "{r:?}");
        assert!(r.iter().all(|&i| reads[i].0 == "bad"));
    }

    #[test]
    fn a_quiet_night_loses_nothing() {
        // Two cameras, then a night; at dawn camera a reads twice alone,
        // then b.
        let (dawn, s) = (T0 + 8 * H, 1_000);
        let reads = [
            ("a", T0),
            ("b", T0 + 5 * s),
            ("a", dawn),
            ("a", dawn + 30 * s),
        ];
        let reads = [&reads[..], &[("b", dawn + 200 * s), ("a", dawn + 300 * s)]].concat();
        let used = run(4, &reads);
        assert!(rejected(&used, &reads).is_empty(), "{used:?}");
        let order: Vec<usize> = used.iter().map(|u| u.0).collect();
        assert_eq!(order, [0, 1, 2, 3, 4, 5]);
        // The held reads came out at their own times.
        assert_eq!(used[2], (2, dawn));
        assert_eq!(used[3], (3, dawn + 30 * s));
    }

    #[test]
    fn a_one_camera_unit_follows_its_camera_across_gaps_and_drops_a_glitch() {
        let reads = [
            ("a", T0),
            ("a", T0 + H),
            ("a", T0 + H + 500),
            ("a", T0 + 400 * H),
            ("a", T0 + 2 * H),
            ("a", T0 + 3 * H),
        ];
        let used = run(4, &reads);
        assert_eq!(rejected(&used, &reads), [3]);
        assert_eq!(used.len(), reads.len());
    }

    #[test]
    fn full_slots_release_a_long_run_of_one_camera() {
        // Cameras a and b; then a reads alone, every two minutes.
        let mut reads = vec![("a", T0), ("b", T0 + 1_000)];
        for k in 1..=6u64 {
            reads.push(("a", T0 + k * 120_000));
        }
        let used = run(2, &reads);
        assert!(rejected(&used, &reads).is_empty(), "{used:?}");
        let order: Vec<usize> = used.iter().map(|u| u.0).collect();
        assert_eq!(order, (0..reads.len()).collect::<Vec<_>>());
    }

    #[test]
    fn without_slots_the_clock_follows_every_read() {
        let reads = [
            ("a", T0),
            ("b", T0 + 1_000),
            ("a", T0 + 100 * H),
            ("b", T0 + 2_000),
        ];
        let used = run(0, &reads);
        assert!(rejected(&used, &reads).is_empty());
        assert_eq!(used[3], (3, T0 + 100 * H));
    }

    #[test]
    fn a_stamped_read_settles_what_is_held() {
        let mut held = [None, None];
        let mut c = ArrivalClock::new(TOL, &mut held);
        let mut used = Vec::new();
        let mut out = |j: u32, t: u64| used.push((j, t));
        // The first read waits for another camera's to agree with it.
        assert_eq!(c.step(&cam("a"), T0, || 0, &mut out), Arrival::Held);
        assert_eq!(
            c.step(&cam("b"), T0 + 1_000, || 1, &mut out),
            Arrival::At(T0 + 1_000)
        );
        assert_eq!(c.step(&cam("a"), T0 + H, || 2, &mut out), Arrival::Held);
        assert_eq!(c.step(&cam("a"), T0 + 9 * H, || 3, &mut out), Arrival::Held);
        assert_eq!(c.held(), 2);
        // The unit's own clock says an hour has passed: read 2 is released,
        // read 3 (nine hours ahead) rejected.
        assert_eq!(c.stamped(T0 + H + 10, &mut out), T0 + H + 10);
        assert_eq!(used, [(0, T0), (2, T0 + H), (3, T0 + H)]);
        assert_eq!(c.rejected(), 1);
        assert_eq!(c.now(), Some(T0 + H + 10));
    }

    proptest::proptest! {
        /// Whatever the cameras' times: every read comes out exactly once;
        /// arrivals never go back; the reads counted as rejected are those
        /// the unit will refuse; reads that keep within the tolerance are
        /// never held.
        #[test]
        fn every_read_comes_out_once_in_clock_order(
            steps in proptest::collection::vec((0u8..4, -90_000i64..90_000, proptest::bool::weighted(0.05)), 0..80),
            slots in 0usize..4,
        ) {
            let mut held = [None, None, None, None];
            let mut c = ArrivalClock::new(TOL, &mut held[..slots]);
            let mut t = T0 as i64;
            let mut reads = Vec::new();
            let mut used = Vec::new();
            let mut in_step = true;
            for &(which, dt, jump) in &steps {
                // Mostly small steps either way; now and then years ahead.
                t += dt;
                let time = if jump { (t as u64) + 400 * H } else { t as u64 };
                let i = reads.len();
                reads.push(time);
                let name = ["a", "b", "c", "d"][usize::from(which)];
                in_step &= !jump && dt.unsigned_abs() <= u64::from(TOL) / 2;
                if let Arrival::At(a) = c.step(&cam(name), time, || i, &mut |j, a| used.push((j, a))) {
                    used.push((i, a));
                }
            }
            c.finish(&mut |j, a| used.push((j, a)));
            let mut seen: Vec<usize> = used.iter().map(|u| u.0).collect();
            seen.sort_unstable();
            proptest::prop_assert_eq!(seen, (0..reads.len()).collect::<Vec<_>>());
            for w in used.windows(2) {
                proptest::prop_assert!(w[0].1 <= w[1].1, "{used:?}");
            }
            // What the clock counts as rejected is exactly what the unit
            // refuses: a read given out more than the tolerance before its
            // own time.
            let refused = used.iter().filter(|&&(i, a)| a + u64::from(TOL) < reads[i]).count();
            proptest::prop_assert_eq!(c.rejected(), refused as u64);
            if in_step {
                proptest::prop_assert_eq!(c.rejected(), 0);
                let order: Vec<usize> = used.iter().map(|u| u.0).collect();
                proptest::prop_assert_eq!(order, (0..reads.len()).collect::<Vec<_>>());
            }
        }
    }
}
