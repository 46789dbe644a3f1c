//! A unit's clock against this machine's, from the unit's status
//! messages (`hitgate listen` and `hitgate gate`).
//!
//! A status carries the unit's clock as the unit made it; the receiver
//! notes its own clock when the status arrives. Their difference is the
//! time in transit less the unit's error (how far ahead its clock is).
//! The transit only adds, so the least difference of the latest
//! [`WINDOW`] statuses is the best estimate of the error (negated): it
//! holds as long as one status of the window came through without delay.
//!
//! A unit decides lateness, suppression and retention on that clock, and
//! its hits carry its event times; a clock that lags makes live hits late
//! at the gate (`max_delay_s`), and wrong times are wrong evidence. With a
//! tolerance, a clock found off is said once, and said again when it is
//! back within.
//!
//! A broker that kept a session's messages while the receiver was away
//! delivers old statuses at once: each looks like a unit far behind. So a
//! clock is said to be off only when a status that arrived [`SETTLE_MS`]
//! after the estimate went beyond the tolerance still leaves it beyond.

use std::collections::VecDeque;

/// Statuses the estimate is taken over (half a minute of a host unit's,
/// which sends one every two seconds).
pub const WINDOW: usize = 16;

/// How long after the estimate went beyond the tolerance a status must
/// still find it beyond before the clock is said to be off, ms.
pub const SETTLE_MS: u64 = 30_000;

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Said {
    /// Beyond the tolerance: the offset, ms (positive: the unit's clock
    /// is behind).
    Off(i64),
    /// Back within it.
    Back(i64),
}

/// One unit's statuses, as far as its clock goes.
#[derive(Debug, Default)]
pub struct ClockWatch {
    /// This machine's clock minus the unit's, of the latest statuses,
    /// newest last, ms.
    recent: VecDeque<i64>,
    /// When (this machine's clock) the latest status arrived.
    last: u64,
    /// Since when the estimate has been beyond the tolerance.
    beyond_since: Option<u64>,
    /// The clock was said to be off, and not back since.
    off: bool,
}

impl ClockWatch {
    /// A status made at the unit's `clock`, received at `received` (both
    /// ms since the Unix epoch).
    pub fn observe(&mut self, received: u64, clock: u64) {
        let diff = i128::from(received) - i128::from(clock);
        let diff = i64::try_from(diff).unwrap_or(if diff < 0 { i64::MIN } else { i64::MAX });
        if self.recent.len() == WINDOW {
            self.recent.pop_front();
        }
        self.recent.push_back(diff);
        self.last = self.last.max(received);
    }

    /// This machine's clock minus the unit's, ms: positive, the unit's
    /// clock is behind. `None` before the first status.
    pub fn offset_ms(&self) -> Option<i64> {
        self.recent.iter().copied().min()
    }

    /// Whether the clock was said to be off and is not back.
    pub fn is_off(&self) -> bool {
        self.off
    }

    /// With `tolerance_ms`: what changed since the last check, said once
    /// an excursion.
    pub fn check(&mut self, tolerance_ms: u64) -> Option<Said> {
        let offset = self.offset_ms()?;
        if offset.unsigned_abs() <= tolerance_ms {
            self.beyond_since = None;
            return std::mem::take(&mut self.off).then_some(Said::Back(offset));
        }
        let since = *self.beyond_since.get_or_insert(self.last);
        if self.off || self.last.saturating_sub(since) < SETTLE_MS {
            return None;
        }
        self.off = true;
        Some(Said::Off(offset))
    }
}

/// An offset as a person reads it: `"902.5 s behind"`, `"3.0 s ahead"`.
pub fn describe(offset_ms: i64) -> String {
    let s = offset_ms.unsigned_abs() as f64 / 1000.0;
    let way = if offset_ms < 0 { "ahead" } else { "behind" };
    if s >= 7_200.0 {
        format!("{:.1} h {way}", s / 3_600.0)
    } else {
        format!("{s:.1} s {way}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_796_000_000_000;

    /// A unit 15 minutes behind, its statuses 40 to 400 ms in transit:
    /// the estimate is 900,000 + 40 ms, the least of the window.
    #[test]
    fn the_estimate_is_the_least_difference_of_the_window() {
        let mut w = ClockWatch::default();
        assert_eq!(w.offset_ms(), None);
        for (i, transit) in [400u64, 120, 40, 310, 95].into_iter().enumerate() {
            let sent = T0 + i as u64 * 2_000;
            w.observe(sent + transit, sent - 900_000);
        }
        assert_eq!(w.offset_ms(), Some(900_040));
        // A unit ahead: negative.
        let mut a = ClockWatch::default();
        a.observe(T0 + 50, T0 + 3_000);
        assert_eq!(a.offset_ms(), Some(-2_950));
    }

    /// The window forgets: a clock set right is seen once its wrong
    /// statuses are more than a window back.
    #[test]
    fn a_clock_set_right_is_seen_after_a_window() {
        let mut w = ClockWatch::default();
        for i in 0..WINDOW as u64 {
            w.observe(T0 + i * 2_000, T0 + i * 2_000 + 60_000);
        }
        assert_eq!(w.offset_ms(), Some(-60_000));
        for i in 0..WINDOW as u64 - 1 {
            w.observe(T0 + 100_000 + i * 2_000, T0 + 100_000 + i * 2_000);
        }
        assert_eq!(
            w.offset_ms(),
            Some(-60_000),
            "one wrong status still in the window"
        );
        w.observe(T0 + 200_000, T0 + 200_000);
        assert_eq!(w.offset_ms(), Some(0));
    }

    /// Off once, after a status [`SETTLE_MS`] later still finds it off;
    /// then back once.
    #[test]
    fn a_clock_off_is_said_once_after_it_settles_and_once_back() {
        let tol = 60_000;
        let mut w = ClockWatch::default();
        let mut said = Vec::new();
        let mut at = T0;
        // Behind by 15 minutes for a minute and a half, a status every two
        // seconds, checked after each.
        for _ in 0..45 {
            w.observe(at + 30, at - 900_000);
            said.extend(w.check(tol).map(|s| (at - T0, s)));
            at += 2_000;
        }
        // Within the tolerance (59 s) for a window and more.
        for _ in 0..20 {
            w.observe(at + 30, at - 59_000);
            said.extend(w.check(tol).map(|s| (at - T0, s)));
            at += 2_000;
        }
        assert_eq!(
            said,
            vec![
                (SETTLE_MS, Said::Off(900_030)),
                // The first status at 59 s behind is the least
                // difference at once: a clock that lags less is seen
                // without waiting (one ahead by less only after a
                // window, as above).
                (90_000, Said::Back(59_030)),
            ]
        );
        assert!(!w.is_off());
    }

    /// A broker's kept statuses, hours old, delivered at once after the
    /// listener was away, then the unit's live ones: nothing said.
    #[test]
    fn kept_statuses_delivered_at_once_are_not_a_clock_off() {
        let mut w = ClockWatch::default();
        let back = 3 * 3_600_000;
        for i in 0..200u64 {
            // Made over the last three hours, received within 200 ms.
            w.observe(T0 + i, T0 - back + i * 54_000);
            assert_eq!(w.check(60_000), None);
        }
        for i in 0..30u64 {
            let at = T0 + 1_000 + i * 2_000;
            w.observe(at + 25, at);
            assert_eq!(w.check(60_000), None, "status {i}");
        }
        assert_eq!(w.offset_ms(), Some(25));
    }

    #[test]
    fn offsets_read_as_a_person_says_them() {
        assert_eq!(describe(902_500), "902.5 s behind");
        assert_eq!(describe(-3_000), "3.0 s ahead");
        assert_eq!(describe(0), "0.0 s behind");
        assert_eq!(describe(30 * 86_400_000), "720.0 h behind");
    }
}
