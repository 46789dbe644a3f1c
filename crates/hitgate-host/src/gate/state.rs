//! What the gate saves before it publishes or acknowledges anything
//! (`docs/formats.md`, "The zone gate": saved state).

use std::collections::BTreeMap;

use hitgate_core::gate::{CaseSlot, GateState};
use serde::{Deserialize, Serialize};

use super::decision::Decision;

/// The format of the saved state.
pub(super) const STATE_FORMAT: u32 = 1;

/// What is saved.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Saved {
    pub(super) format: u32,
    /// Incremented at every save: the state topic's copy is confirmed by
    /// this number coming back.
    pub(super) number: u64,
    /// The client id that saved it.
    pub(super) gate: String,
    /// The process that saved it (client id, process id, start time): a
    /// gate that sees another one's state on its topic has been taken
    /// over and stops.
    #[serde(default)]
    pub(super) instance: String,
    pub(super) table_len: usize,
    /// The used slots of the case table, by index.
    pub(super) cases: Vec<(usize, CaseSlot)>,
    pub(super) core: GateState,
    /// Per unit, the sequence numbers decided, as inclusive ranges.
    pub(super) done: BTreeMap<String, Vec<(u64, u64)>>,
    /// Decisions not yet confirmed: handed back by the broker, or
    /// acknowledged by a recipient with `acks = true`.
    pub(super) pending: Vec<Decision>,
    /// Decisions handed back lately, with when (ms since the Unix epoch),
    /// oldest first: published once more after a restart, a take-over or
    /// a reconnection (`GateOptions::resend`).
    #[serde(default)]
    pub(super) recent: Vec<Recent>,
    pub(super) duplicates: u64,
    pub(super) bad_messages: u64,
    /// Hits whose rule this gate's policy numbers otherwise (routed by the
    /// rule's tag), and hits whose rule it does not have (sent nowhere).
    #[serde(default)]
    pub(super) rule_moved: u64,
    #[serde(default)]
    pub(super) rule_unknown: u64,
    /// Per recipient, the outcomes its closes stated, and how many.
    #[serde(default)]
    pub(super) outcomes: BTreeMap<String, BTreeMap<String, u64>>,
    /// Per recipient, by case, when the gate received the hit it first
    /// dispatched the case to it on (ms since the Unix epoch): a close
    /// states its handling time from it ([`Close::handled_ms`](super::Close::handled_ms)).
    /// Forgotten at the close, or once the case leaves the table.
    #[serde(default)]
    pub(super) dispatched: BTreeMap<String, BTreeMap<u32, u64>>,
}

/// A decision the broker handed back, and when.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Recent {
    /// When it was handed back, ms since the Unix epoch.
    pub(super) at: u64,
    pub(super) decision: Decision,
}

/// Inserts `seq` into inclusive ranges kept sorted and merged; false when
/// it was there.
pub(super) fn insert_range(ranges: &mut Vec<(u64, u64)>, seq: u64) -> bool {
    let i = ranges.partition_point(|&(_, to)| to < seq);
    if ranges.get(i).is_some_and(|&(from, _)| from <= seq) {
        return false;
    }
    let joins_left = i > 0 && ranges.get(i - 1).is_some_and(|&(_, to)| to + 1 == seq);
    let joins_right = ranges
        .get(i)
        .is_some_and(|&(from, _)| seq.checked_add(1) == Some(from));
    match (joins_left, joins_right) {
        (true, true) => {
            let right = ranges.remove(i);
            if let Some(l) = ranges.get_mut(i - 1) {
                l.1 = right.1;
            }
        }
        (true, false) => {
            if let Some(l) = ranges.get_mut(i - 1) {
                l.1 = seq;
            }
        }
        (false, true) => {
            if let Some(r) = ranges.get_mut(i) {
                r.0 = seq;
            }
        }
        (false, false) => ranges.insert(i, (seq, seq)),
    }
    true
}

/// Forgets the dispatch times of the cases no longer in the table: they
/// can no longer be closed.
pub(super) fn forget_gone(
    dispatched: &mut BTreeMap<String, BTreeMap<u32, u64>>,
    table: &[(usize, CaseSlot)],
) {
    let held: std::collections::BTreeSet<u32> =
        table.iter().filter_map(|(_, c)| c.case()).collect();
    for cases in dispatched.values_mut() {
        cases.retain(|case, _| held.contains(case));
    }
    dispatched.retain(|_, cases| !cases.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table of two slots and three cars within their window: the
    /// third case takes the slot of one before (forgotten for room), and
    /// that case's dispatch time goes with it.
    #[test]
    fn a_case_forgotten_for_room_takes_its_dispatch_time_along() {
        use hitgate_core::gate::{Gate, GateConfig, Sighting};
        use hitgate_core::list::{ListId, Priority};
        use hitgate_core::plate::Plate;
        use hitgate_core::policy::Action;
        let mut table = [CaseSlot::EMPTY; 2];
        let mut g = Gate::new(GateConfig::default(), &mut table);
        let mut dispatched: BTreeMap<String, BTreeMap<u32, u64>> = BTreeMap::new();
        for (i, plate) in ["1AAA001", "1AAA002", "1AAA003"].into_iter().enumerate() {
            let v = g.decide(&Sighting {
                list: ListId(0),
                listed: Plate::normalize(plate.as_bytes()).unwrap(),
                country: None,
                priority: Priority::P1,
                action: Action::Dispatch,
                time: 1_000 * i as u64,
                recipients: 0b1,
                position: None,
            });
            assert_eq!(v.dispatch, 1, "{plate}");
            dispatched
                .entry("wpr".into())
                .or_default()
                .insert(v.case, 5_000 + i as u64);
        }
        assert_eq!(g.state().evicted, 1);
        let used: Vec<(usize, CaseSlot)> = g
            .table()
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, c)| c.is_used())
            .collect();
        let mut held: Vec<u32> = used.iter().filter_map(|(_, c)| c.case()).collect();
        held.sort();
        assert_eq!(held.len(), 2);
        forget_gone(&mut dispatched, &used);
        assert_eq!(dispatched["wpr"].keys().copied().collect::<Vec<_>>(), held);
        // With no case left, the recipient goes too.
        forget_gone(&mut dispatched, &[]);
        assert!(dispatched.is_empty());
    }

    #[test]
    fn ranges_merge_and_refuse_repeats() {
        let mut r = Vec::new();
        for s in [5, 7, 6, 1, 2, 10, 9, 8, 3] {
            assert!(insert_range(&mut r, s), "{s}");
        }
        assert_eq!(r, vec![(1, 3), (5, 10)]);
        for s in [1, 3, 5, 10] {
            assert!(!insert_range(&mut r, s), "{s}");
        }
        assert!(insert_range(&mut r, 4));
        assert_eq!(r, vec![(1, 10)]);
        assert!(insert_range(&mut r, u64::MAX));
        assert_eq!(r, vec![(1, 10), (u64::MAX, u64::MAX)]);
    }
}
