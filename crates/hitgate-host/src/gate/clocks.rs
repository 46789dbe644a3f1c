//! The units' clocks as the gate sees them, from their status messages
//! ([`crate::clock`]): a unit whose clock lags sends hits that look late
//! (to a recipient with `max_delay_s`, its dispatches go as reviews), one
//! whose clock runs ahead sends hits dated after they arrive.

use serde::Serialize;

use super::*;
use crate::clock::{Said, describe};

/// A unit's clock, in the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct UnitClock {
    /// This machine's clock minus the unit's, ms ([`crate::clock`]):
    /// positive, the unit's clock is behind.
    pub offset_ms: i64,
    /// With `--clock-tolerance-s`: off by more (said on standard error).
    pub off: bool,
}

impl Runner<'_> {
    /// A unit's status: its clock noted; anything else on its status
    /// topic is a bad message.
    pub(super) fn status(&mut self, topic_unit: &str, payload: &mut [u8]) {
        let received = now_ms();
        match decode_message(payload) {
            Ok(Message::Status(s)) if s.unit == topic_unit => self
                .clocks
                .entry(topic_unit.to_string())
                .or_default()
                .observe(received, s.clock),
            Ok(_) => self.bad(format_args!(
                "hitgate/{topic_unit}/status: not a status of unit {topic_unit}"
            )),
            Err(e) => self.bad(format_args!(
                "hitgate/{topic_unit}/status: undecodable message: {e}"
            )),
        }
    }

    /// With a tolerance, says each unit whose clock went off, or came back.
    pub(super) fn check_clocks(&mut self) {
        let Some(tolerance) = self.opts.clock_tolerance else {
            return;
        };
        let tolerance = u64::try_from(tolerance.as_millis()).unwrap_or(u64::MAX);
        for (unit, w) in &mut self.clocks {
            match w.check(tolerance) {
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

    /// The units' clocks, for the report.
    pub(super) fn clocks(&self) -> BTreeMap<String, UnitClock> {
        self.clocks
            .iter()
            .filter_map(|(u, w)| {
                let offset_ms = w.offset_ms()?;
                Some((
                    u.clone(),
                    UnitClock {
                        offset_ms,
                        off: w.is_off(),
                    },
                ))
            })
            .collect()
    }
}

/// What a unit's clock `offset_ms` off (positive: behind) does to its
/// hits under `policy`.
pub(super) fn consequence(policy: &PolicyFile, offset_ms: i64) -> String {
    if offset_ms < 0 {
        let ahead = offset_ms.unsigned_abs();
        return match ahead > u64::from(policy.config.max_future_ms) {
            true => format!(
                "its hits are dated more than max_future_ms ({} ms) after they arrive: \
                 decided as seen on arrival",
                policy.config.max_future_ms
            ),
            false => "its hits are dated after they arrive, within max_future_ms".into(),
        };
    }
    let behind = offset_ms.unsigned_abs();
    let late: Vec<String> = policy
        .recipients
        .iter()
        .filter_map(|r| {
            let s = r.max_delay_s?;
            (u64::from(s) * 1000 < behind).then(|| format!("{} (max_delay_s {s})", r.name))
        })
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
