//! The zone gate's decisions scored per recipient ([`evaluate_gate`]).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use serde::{Deserialize, Serialize};

use super::{DUPLICATE_WINDOW_MS, read_jsonl};
use crate::formats::TruthPassage;
use crate::time::parse_ts;

/// The zone gate's output scored per recipient ([`evaluate_gate`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RecipientScores {
    /// Cars to dispatch to this recipient: truth passages `dispatch`
    /// naming it (the first of each car's window).
    pub should_dispatch: u64,
    /// Of those, dispatched: the recipient got a dispatch of the same
    /// vehicle within the window from that passage.
    pub dispatched_right: u64,
    /// Recall (1 when nothing should have been).
    pub recall: f64,
    /// Dispatches received.
    pub dispatched: u64,
    /// Of those, of a vehicle that really carries the listed plate.
    pub dispatched_real: u64,
    /// Dispatch precision (1 when nothing was dispatched).
    pub dispatch_precision: f64,
    /// Dispatches of decoys.
    pub dispatched_decoys: u64,
    /// Dispatches repeating one of the same plate within the window: the
    /// gate is there to make this 0.
    pub duplicate_dispatches: u64,
    /// Reviews received (throttled ones included).
    pub reviews: u64,
    /// Reviews for the recipient's budget.
    pub throttled: u64,
    /// Reviews by their `reason` (`capacity`, `open`, `late`,
    /// `lookalike`...): why the recipient got a review and not a dispatch.
    #[serde(default)]
    pub reviews_by_reason: BTreeMap<String, u64>,
    /// Sighting updates received.
    pub updates: u64,
    /// From the first read of the car's window to the read of the hit
    /// that was dispatched (event time, ms): 0 when the first passage was
    /// dispatched, more when the units missed it. Median.
    pub latency_median_ms: Option<u64>,
    /// 99th percentile.
    pub latency_p99_ms: Option<u64>,
}

/// Per recipient, by name.
pub type GateEvaluation = BTreeMap<String, RecipientScores>;

/// A gate decision as eval reads it.
#[derive(Debug, Deserialize)]
struct DecisionLine {
    id: String,
    recipient: String,
    kind: String,
    reason: String,
    camera: String,
    time: u64,
    listed: String,
}

/// Scores the zone gate's decisions (`hitgate gate --out`, or what the
/// recipients captured; one copy per `id`) against `truth` per recipient:
/// one dispatch per car per window, recall, precision, and how far along
/// its path a car was dispatched. A decision is linked to the truth
/// passage at its camera whose frames span its time, as hits are.
pub fn evaluate_gate(decisions: &Path, truth: &Path) -> Result<GateEvaluation> {
    // Lines purged for their age (`--retention-days`: an id and when) and
    // the cases the recipients closed (`closed`) are no decisions.
    let mut lines: Vec<(u64, DecisionLine)> = Vec::new();
    for (line, v) in read_jsonl::<serde_json::Value>(decisions)? {
        if v.get("purged").is_some() || v.get("closed").is_some() {
            continue;
        }
        let d = serde_json::from_value(v)
            .map_err(|e| anyhow!("{}:{line}: {e}", decisions.display()))?;
        lines.push((line, d));
    }
    let truth_lines: Vec<(u64, TruthPassage)> = read_jsonl(truth)?;
    let mut parsed = Vec::new();
    for (line, p) in &truth_lines {
        let at = || format!("{}:{line}", truth.display());
        let first = parse_ts(&p.first).with_context(|| format!("{}: first", at()))?;
        let last = parse_ts(&p.last).with_context(|| format!("{}: last", at()))?;
        // The decision names the camera as the unit keeps it.
        let camera = crate::reads::unit_camera(&p.camera);
        parsed.push((p, camera, first, last));
    }
    let link = |camera: &str, t: u64, listed: &str| {
        let mut c: Vec<_> = parsed
            .iter()
            .filter(|(_, c, first, last)| c == camera && *first <= t && t <= *last)
            .collect();
        c.sort_by_key(|(p, ..)| p.plate != listed);
        c.first().map(|(p, ..)| *p)
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut by_recipient: BTreeMap<String, Vec<DecisionLine>> = BTreeMap::new();
    for (_, d) in lines {
        if seen.insert(d.id.clone()) {
            by_recipient.entry(d.recipient.clone()).or_default().push(d);
        }
    }
    for p in truth_lines.iter().flat_map(|(_, p)| &p.recipients) {
        by_recipient.entry(p.clone()).or_default();
    }
    let mut out = GateEvaluation::new();
    for (name, mut ds) in by_recipient {
        ds.sort_by_key(|d| d.time);
        let mut s = RecipientScores::default();
        // Dispatch times by vehicle, for recall; by plate, for duplicates.
        let mut dispatched_vehicle: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
        let mut last_dispatch: BTreeMap<&str, u64> = BTreeMap::new();
        for d in &ds {
            match d.kind.as_str() {
                "dispatch" => {}
                "review" => {
                    s.reviews += 1;
                    s.throttled += u64::from(d.reason == "capacity");
                    *s.reviews_by_reason.entry(d.reason.clone()).or_default() += 1;
                    continue;
                }
                _ => {
                    s.updates += 1;
                    continue;
                }
            }
            s.dispatched += 1;
            let p = link(&d.camera, d.time, &d.listed);
            let real = p.is_some_and(|p| !p.decoy && p.plate == d.listed);
            s.dispatched_real += u64::from(real);
            s.dispatched_decoys += u64::from(p.is_some_and(|p| p.decoy));
            if let Some(p) = p.filter(|_| real) {
                dispatched_vehicle
                    .entry(p.vehicle)
                    .or_default()
                    .push(d.time);
            }
            if last_dispatch
                .get(d.listed.as_str())
                .is_some_and(|&t| d.time.abs_diff(t) < DUPLICATE_WINDOW_MS)
            {
                s.duplicate_dispatches += 1;
            }
            last_dispatch.insert(&d.listed, d.time);
        }
        let mut latencies = Vec::new();
        for (p, _, first, _) in &parsed {
            if p.expect != "dispatch" || !p.recipients.contains(&name) {
                continue;
            }
            s.should_dispatch += 1;
            let hit = dispatched_vehicle.get(&p.vehicle).and_then(|ts| {
                ts.iter()
                    .find(|&&t| t + 60_000 >= *first && t < first + DUPLICATE_WINDOW_MS)
            });
            if let Some(&t) = hit {
                s.dispatched_right += 1;
                latencies.push(t.saturating_sub(*first));
            }
        }
        s.recall = ratio(s.dispatched_right, s.should_dispatch);
        s.dispatch_precision = ratio(s.dispatched_real, s.dispatched);
        latencies.sort_unstable();
        if let Some((m, p)) = super::median_p99(&latencies) {
            (s.latency_median_ms, s.latency_p99_ms) = (Some(m), Some(p));
        }
        out.insert(name, s);
    }
    Ok(out)
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// The gate's scores as a table for people.
pub fn render_gate(e: &GateEvaluation) -> String {
    let mut s = String::from(
        "recipient      should  dispatched  recall  dispatches  real  precision  decoys  duplicates  reviews  throttled  updates  latency-median-s\n",
    );
    for (name, x) in e {
        s += &format!(
            "{name:<13}  {:>6}  {:>10}  {:>6.3}  {:>10}  {:>4}  {:>9.3}  {:>6}  {:>10}  {:>7}  {:>9}  {:>7}  {:>16}\n",
            x.should_dispatch,
            x.dispatched_right,
            x.recall,
            x.dispatched,
            x.dispatched_real,
            x.dispatch_precision,
            x.dispatched_decoys,
            x.duplicate_dispatches,
            x.reviews,
            x.throttled,
            x.updates,
            x.latency_median_ms
                .map_or("-".into(), |m| format!("{:.1}", m as f64 / 1000.0)),
        );
    }
    // Why each recipient's reviews were reviews.
    for (name, x) in e.iter().filter(|(_, x)| x.reviews > 0) {
        let why: Vec<String> = x
            .reviews_by_reason
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect();
        s += &format!("{name}: reviews by reason: {}\n", why.join(", "));
    }
    s
}
