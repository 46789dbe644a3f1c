//! The units as the gate sees them: their clocks, from their status
//! messages ([`crate::clock`]), and whether they are heard
//! ([`crate::silence`]). A unit whose clock lags sends hits that look
//! late (to a recipient with `max_delay_s`, its dispatches go as
//! reviews), one whose clock runs ahead hits dated after they arrive; a
//! silent unit sends nothing, and the road it watches is not watched.

use serde::Serialize;

use super::*;
use crate::clock::{ClockWatch, Said, describe};
use crate::silence::{Silence, heard_line, silent_line};

/// A unit, in the report (the names as in `listen`'s).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct GateUnit {
    /// This machine's clock minus the unit's, ms ([`crate::clock`]):
    /// positive, the unit's clock is behind; `None` before a status.
    pub clock_offset_ms: Option<i64>,
    /// With `--clock-tolerance-s`: off by more (said on standard error).
    pub clock_off: bool,
    /// When it was last heard (a hit or a status), ms since the Unix
    /// epoch; `None`: not this run.
    pub last_heard: Option<u64>,
    /// With `--silence-s`: nothing heard from it for longer, now.
    pub silent: bool,
    /// With `--silence-s`: times it fell silent, this run.
    pub silences: u64,
}

/// What the gate keeps of a unit this run.
#[derive(Debug, Default)]
pub(super) struct UnitWatch {
    clock: ClockWatch,
    silence: Silence,
}

impl Runner<'_> {
    /// A unit heard now (a hit or a status); said when it had been said
    /// silent.
    pub(super) fn heard(&mut self, unit: &str) {
        let w = self.units.entry(unit.to_string()).or_default();
        if let Some(gap) = w.silence.heard(now_ms()) {
            eprintln!("{}", heard_line("gate", unit, gap));
        }
    }

    /// A unit's status: its clock noted; anything else on its status
    /// topic is a bad message.
    pub(super) fn status(&mut self, topic_unit: &str, payload: &mut [u8]) {
        let received = now_ms();
        match decode_message(payload) {
            Ok(Message::Status(s)) if s.unit == topic_unit => {
                self.heard(topic_unit);
                if let Some(w) = self.units.get_mut(topic_unit) {
                    w.clock.observe(received, s.clock);
                }
            }
            Ok(_) => self.bad(format_args!(
                "hitgate/{topic_unit}/status: not a status of unit {topic_unit}"
            )),
            Err(e) => self.bad(format_args!(
                "hitgate/{topic_unit}/status: undecodable message: {e}"
            )),
        }
    }

    /// Says each unit whose clock went off or came back (with a
    /// tolerance), and each that fell silent (with a limit, while the
    /// link is up: without it nothing is heard).
    pub(super) fn check_units(&mut self) {
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        let (tolerance, limit) = (self.opts.clock_tolerance.map(ms), self.opts.silence.map(ms));
        let up = self.link.is_up();
        for (unit, w) in &mut self.units {
            if let Some(limit) = limit.filter(|_| up)
                && let Some(since) = w.silence.check(now_ms(), self.listening, limit)
            {
                eprintln!("{}", silent_line("gate", unit, &w.silence, since, limit));
            }
            let Some(tolerance) = tolerance else {
                continue;
            };
            match w.clock.check(tolerance) {
                Some(Said::Off(o)) => eprintln!(
                    "gate: CLOCK unit {unit}: {} this machine's (its latest statuses); {}; set its clock",
                    describe(o),
                    consequence(&self.opts.policy, o)
                ),
                Some(Said::Back(o)) => eprintln!(
                    "gate: clock of unit {unit} back within the tolerance: {}",
                    describe(o)
                ),
                None => {}
            }
        }
    }

    /// The units, for the report.
    pub(super) fn units(&self) -> BTreeMap<String, GateUnit> {
        self.units
            .iter()
            .map(|(u, w)| {
                (
                    u.clone(),
                    GateUnit {
                        clock_offset_ms: w.clock.offset_ms(),
                        clock_off: w.clock.is_off(),
                        last_heard: w.silence.last_heard(),
                        silent: w.silence.is_silent(),
                        silences: w.silence.count(),
                    },
                )
            })
            .collect()
    }
}

/// What a unit's clock `offset_ms` off (positive: behind) does to its
/// hits under `policy`, as the core decides them.
pub(super) fn consequence(policy: &PolicyFile, offset_ms: i64) -> String {
    let config = gate_config(policy);
    if offset_ms < 0 {
        return match config.too_far_ahead(offset_ms.unsigned_abs()) {
            true => format!(
                "its hits are dated more than max_future_ms ({} ms) after they arrive: \
                 decided as seen on arrival",
                policy.config.max_future_ms
            ),
            false => "its hits are dated after they arrive, within max_future_ms".into(),
        };
    }
    let late_for = config.late_after(offset_ms.unsigned_abs());
    let late: Vec<String> = policy
        .recipients
        .iter()
        .enumerate()
        .take(MAX_RECIPIENTS)
        .filter(|&(i, _)| late_for & (1 << i) != 0)
        .map(|(_, r)| format!("{} (max_delay_s {})", r.name, r.max_delay_s.unwrap_or(0)))
        .collect();
    match late.is_empty() {
        true => "its hits look that much older than they are".into(),
        false => format!(
            "its hits look that much older than they are: its dispatches reach {} as late reviews",
            late.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The consequence named per recipient: a unit 10 minutes behind is
    /// late for a recipient of 300 s, not for one of 900 s nor one
    /// without `max_delay_s`; a unit ahead by more than `max_future_ms`
    /// has its hits taken as seen on arrival.
    #[test]
    fn a_clock_off_is_said_with_what_it_does_to_each_recipient() {
        let pf = PolicyFile::parse(
            "[config]\nmax_future_ms = 120000\n\
             [[recipient]]\nname = \"wpr\"\nmax_delay_s = 300\n\
             [[recipient]]\nname = \"room\"\nmax_delay_s = 900\n\
             [[recipient]]\nname = \"analysts\"\n",
        )
        .unwrap();
        assert_eq!(
            consequence(&pf, 600_000),
            "its hits look that much older than they are: \
             its dispatches reach wpr (max_delay_s 300) as late reviews"
        );
        assert_eq!(
            consequence(&pf, 1_000_000),
            "its hits look that much older than they are: its dispatches reach \
             wpr (max_delay_s 300), room (max_delay_s 900) as late reviews"
        );
        assert_eq!(
            consequence(&pf, 300_000),
            "its hits look that much older than they are"
        );
        assert!(consequence(&pf, -130_000).contains("decided as seen on arrival"));
        assert!(consequence(&pf, -110_000).contains("within max_future_ms"));
    }
}
