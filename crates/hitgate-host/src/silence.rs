//! A unit gone silent: nothing heard from it (no hit, no status) for
//! longer than the listener or the gate allows (`--silence-s`). A unit sends its
//! status every few seconds whether or not it has hits, so silence means
//! its uplink, its power or the unit itself is down, and the road it
//! watches is not watched. Said once when it falls silent, once when it
//! is heard again.
//!
//! Any message that decodes on the unit's own topic counts as heard,
//! signed or not: whether the unit is who it says is the audit's question
//! ([`crate::audit`]), not this one's.

/// One unit's silence, on this machine's clock (ms since the Unix epoch).
#[derive(Debug, Default, Clone)]
pub struct Silence {
    /// When the unit was last heard.
    heard: Option<u64>,
    /// Since when it is silent, once said so.
    silent_since: Option<u64>,
    /// Times it fell silent, this run.
    count: u64,
}

impl Silence {
    /// Heard at `now`; if it had been said silent, for how long, ms.
    pub fn heard(&mut self, now: u64) -> Option<u64> {
        self.heard = Some(self.heard.map_or(now, |h| h.max(now)));
        self.silent_since.take().map(|s| now.saturating_sub(s))
    }

    /// At `now`, a unit not heard for more than `limit_ms` since it was
    /// last heard, or since `listening` (when the receiver's link last
    /// came up: it hears nothing without one), falls silent: since when,
    /// once.
    pub fn check(&mut self, now: u64, listening: u64, limit_ms: u64) -> Option<u64> {
        let last = self.heard.map_or(listening, |h| h.max(listening));
        if self.silent_since.is_some() || now.saturating_sub(last) <= limit_ms {
            return None;
        }
        self.silent_since = Some(last);
        self.count += 1;
        Some(last)
    }

    /// When last heard.
    pub fn last_heard(&self) -> Option<u64> {
        self.heard
    }

    /// Said silent and not heard since.
    pub fn is_silent(&self) -> bool {
        self.silent_since.is_some()
    }

    /// Times it fell silent.
    pub fn count(&self) -> u64 {
        self.count
    }
}

/// What `who` (`listen`, `gate`) says of `unit` fallen silent `since`
/// ([`Silence::check`]) with a limit of `limit_ms`.
pub fn silent_line(who: &str, unit: &str, s: &Silence, since: u64, limit_ms: u64) -> String {
    let ts = crate::time::format_ts(since);
    let since = match s.last_heard() {
        Some(h) if h >= since => format!("since {ts}"),
        _ => format!("since the {who} link came up ({ts})"),
    };
    format!(
        "{who}: SILENT unit {unit}: nothing heard {since}, more than {} s: \
         its uplink, its power or the unit is down, and its road unwatched",
        limit_ms as f64 / 1000.0
    )
}

/// What `who` says of `unit` heard again after `gap_ms` ([`Silence::heard`]).
pub fn heard_line(who: &str, unit: &str, gap_ms: u64) -> String {
    format!(
        "{who}: unit {unit} heard again, after {:.1} s silent",
        gap_ms as f64 / 1000.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_796_000_000_000;

    /// Heard every second for ten seconds, then nothing for a minute,
    /// then again: silent once, after more than 30 s (the limit), and
    /// heard again after the minute; a unit never heard falls silent 30 s
    /// after the start.
    #[test]
    fn a_unit_falls_silent_once_and_is_heard_again() {
        let mut s = Silence::default();
        let mut said = Vec::new();
        for t in (0..=100_000u64).step_by(500) {
            let now = T0 + t;
            let talks = t <= 10_000 || t >= 70_000;
            if talks
                && t % 1_000 == 0
                && let Some(gap) = s.heard(now)
            {
                said.push(("again", t, gap));
            }
            if let Some(since) = s.check(now, T0, 30_000) {
                said.push(("silent", t, since - T0));
            }
        }
        // Last heard at 10 s; silent once 30 s have passed (at 40.5 s, the
        // first check after); heard again at 70 s, 60 s after.
        assert_eq!(
            said,
            vec![("silent", 40_500, 10_000), ("again", 70_000, 60_000)]
        );
        assert_eq!((s.count(), s.is_silent()), (1, false));
        assert_eq!(s.last_heard(), Some(T0 + 100_000));

        // Nothing is heard while the listener has no link: silence counts
        // from its coming back.
        let mut back = Silence::default();
        back.heard(T0);
        assert_eq!(back.check(T0 + 60_000, T0 + 50_000, 30_000), None);
        assert_eq!(
            back.check(T0 + 80_001, T0 + 50_000, 30_000),
            Some(T0 + 50_000)
        );

        let mut never = Silence::default();
        assert_eq!(never.check(T0 + 30_000, T0, 30_000), None);
        assert_eq!(never.check(T0 + 30_001, T0, 30_000), Some(T0));
        assert_eq!(never.check(T0 + 90_000, T0, 30_000), None, "said once");
        assert!(never.is_silent());
        assert_eq!(never.last_heard(), None);
    }

    /// The lines said: since the unit was last heard, or, never heard
    /// since the link came up, since then.
    #[test]
    fn the_lines_say_since_when() {
        let mut s = Silence::default();
        let never = s.check(T0 + 3_000, T0, 2_000).unwrap();
        assert_eq!(
            silent_line("gate", "u-1", &s, never, 2_000),
            "gate: SILENT unit u-1: nothing heard since the gate link came up \
             (2026-11-30T00:53:20.000Z), more than 2 s: its uplink, its power or the \
             unit is down, and its road unwatched"
        );
        assert_eq!(
            heard_line("gate", "u-1", s.heard(T0 + 4_500).unwrap()),
            "gate: unit u-1 heard again, after 4.5 s silent"
        );
        let since = s.check(T0 + 7_001, T0, 2_500).unwrap();
        assert!(silent_line("listen", "u-1", &s, since, 2_500).starts_with(
            "listen: SILENT unit u-1: nothing heard since 2026-11-30T00:53:24.500Z, \
                 more than 2.5 s"
        ));
    }

    /// A message that arrives with an older time (a batch handled late)
    /// does not move the last time heard back.
    #[test]
    fn the_last_time_heard_never_goes_back() {
        let mut s = Silence::default();
        s.heard(T0 + 5_000);
        s.heard(T0 + 4_000);
        assert_eq!(s.last_heard(), Some(T0 + 5_000));
    }
}
