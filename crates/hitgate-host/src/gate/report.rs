//! What a gate reports (`--report`, rewritten every second and at the
//! end; `docs/formats.md`, "The zone gate").

use std::collections::BTreeMap;

use hitgate_core::gate::Gate;
use serde::{Deserialize, Serialize};

use super::Runner;

/// Per recipient, in the report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RecipientReport {
    /// Cases sent as dispatches.
    pub dispatched: u32,
    /// Cases sent as reviews, throttled and held ones included.
    pub reviewed: u32,
    /// Dispatches turned into reviews by the recipient's budget.
    pub throttled: u32,
    /// Dispatches turned into reviews because the recipient had its most
    /// open dispatches of the priority (`max_open`).
    #[serde(default)]
    pub held: u32,
    /// Dispatches it closed (`hitgate/dispatch/<name>/closed`).
    #[serde(default)]
    pub closed: u32,
    /// Of those, the outcomes its closes stated, and how many (every run
    /// on the same state).
    #[serde(default)]
    pub outcomes: BTreeMap<String, u64>,
    /// Dispatches turned into reviews because the hit reached the gate
    /// later than its `max_delay_s` after the car passed.
    #[serde(default)]
    pub late: u32,
    /// Its dispatches open now, per priority (P0..P4): sent, not closed,
    /// within their window.
    #[serde(default)]
    pub open: [u32; hitgate_core::list::Priority::COUNT],
    /// Repeats of a case it has (any unit), sent as sighting updates
    /// instead of new hits.
    pub updates: u32,
}

/// The gate's report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct GateReport {
    /// By recipient name.
    pub recipients: BTreeMap<String, RecipientReport>,
    /// Hits decided.
    pub hits: u64,
    /// Hits received again (already decided), acknowledged again.
    pub duplicates: u64,
    /// Hits whose rule names no recipient (or a rule the gate's policy
    /// does not have): decided, sent nowhere.
    pub unrouted: u64,
    /// Open cases forgotten for room.
    pub evicted: u64,
    /// Hits dated more than the policy's `max_future_ms` after they
    /// arrived (a unit's clock ahead): decided as seen on arrival, so that
    /// they neither spend tomorrow's budgets nor stop their refill.
    #[serde(default)]
    pub ahead: u64,
    /// Hits decided under a rule this gate's policy numbers otherwise
    /// (the unit runs a policy before or after it): routed by the rule's
    /// tag, its name.
    #[serde(default)]
    pub rule_moved: u64,
    /// Hits decided under a rule this gate's policy does not have: sent
    /// to the recipients with `unknown_rules = true`, or to nobody when
    /// there are none (counted in `unrouted` then).
    #[serde(default)]
    pub rule_unknown: u64,
    /// Messages that did not decode.
    pub bad_messages: u64,
    /// Decisions published and not yet confirmed (handed back by the
    /// broker, or acknowledged by a recipient with `acks = true`).
    pub unconfirmed: usize,
    /// Decisions published once more, already handed back, after a
    /// restart, a take-over or a reconnection ([`GateOptions::resend`](super::GateOptions::resend)):
    /// this run.
    #[serde(default)]
    pub resent: u64,
    /// Per unit known (it spoke this run, or decided hits before): its
    /// clock against this machine's, from its status messages, and when
    /// it was last heard.
    #[serde(default)]
    pub units: BTreeMap<String, super::GateUnit>,
    /// From a hit's arrival to its decision's confirmation (this run,
    /// the latest 50,000 to 100,000 decisions; a decision confirmed more
    /// than a minute after its hit is not measured), ms.
    pub latency_ms: Latency,
}

/// Latency figures.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Latency {
    /// Decisions measured.
    pub n: usize,
    /// Median.
    pub median: f64,
    /// 99th percentile.
    pub p99: f64,
}

impl Runner<'_> {
    /// The report of this run, on the core's state.
    pub(super) fn report(&self, core: &Gate<'_>) -> GateReport {
        let st = core.state();
        let mut lat = self.latencies.clone();
        lat.sort_by(f64::total_cmp);
        let pick = |q: f64| {
            lat.get(((lat.len() as f64 - 1.0) * q).round() as usize)
                .copied()
                .unwrap_or(0.0)
        };
        let open = core.open_counts();
        GateReport {
            recipients: self
                .opts
                .policy
                .recipients
                .iter()
                .zip(st.counts.iter())
                .enumerate()
                .map(|(i, (r, c))| {
                    (
                        r.name.clone(),
                        RecipientReport {
                            dispatched: c.dispatched,
                            reviewed: c.reviewed,
                            throttled: c.throttled,
                            held: c.full,
                            closed: c.closed,
                            outcomes: self
                                .saved
                                .outcomes
                                .get(&r.name)
                                .cloned()
                                .unwrap_or_default(),
                            late: c.late,
                            open: open.get(i).copied().unwrap_or_default(),
                            updates: c.updates,
                        },
                    )
                })
                .collect(),
            hits: st.sightings,
            duplicates: self.saved.duplicates,
            unrouted: st.unrouted,
            evicted: st.evicted,
            ahead: st.ahead,
            rule_moved: self.saved.rule_moved,
            rule_unknown: self.saved.rule_unknown,
            bad_messages: self.saved.bad_messages,
            unconfirmed: self.saved.pending.len(),
            resent: self.resent,
            units: self.units(),
            latency_ms: Latency {
                n: lat.len(),
                median: pick(0.5),
                p99: pick(0.99),
            },
        }
    }
}
