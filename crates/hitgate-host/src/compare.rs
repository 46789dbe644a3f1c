//! `hitgate compare`: one read stream decided under two policies side by
//! side, and what changes between them, for a working group that must
//! choose (and defend) its decision matrix.
//!
//! Both units receive each read as it is read (one pass over the file),
//! each with its own lists, settings and tables. A passage is named by its
//! camera and the event time of its first read (what a hit carries); with
//! the same passage settings both policies see the same passages, and each
//! passage's decision (dispatch, review, drop, suppressed as a repeat) and
//! deciding rule are set side by side. With other passage settings a
//! passage may have no counterpart: it shows as `none` on that side.
//!
//! Outputs: `compare.json` and `compare.html`, a self-contained page (no
//! script, no network: tables and an inline SVG picture). Neither holds a
//! plate: a passage is named by camera and time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use hitgate_core::hit::Outcome;
use hitgate_core::policy::{Action, Policy, RuleId};
use hitgate_core::unit::Unit;
use hitgate_core::watchlist::Watchlist;
use serde::Serialize;

use crate::lists::ListsData;
use crate::outdir::OutDir;
use crate::policy_file::PolicyFile;
use crate::reads::ReadStream;
use crate::replay::{TableSizes, TableStorage};
use crate::time::format_ts;

mod page;

const OUTPUTS: &[&str] = &["compare.json", "compare.html"];
/// Changed passages listed one by one, at most (all are counted).
const MAX_LISTED: usize = 1000;
const HOUR_MS: u64 = 3_600_000;

/// One side of the comparison: a policy and the lists it declares.
pub struct Side<'a> {
    /// How the report names it (the policy file's path).
    pub name: String,
    /// The policy, settings included.
    pub policy: &'a PolicyFile,
    /// The lists, with this policy's list properties.
    pub lists: &'a ListsData,
}

/// What became of a passage under one policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Forwarded for dispatch.
    Dispatch,
    /// Forwarded for review.
    Review,
    /// Dropped by the matrix.
    Drop,
    /// A repeat within the re-alert window.
    Suppressed,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Dispatch => "dispatch",
            Self::Review => "review",
            Self::Drop => "drop",
            Self::Suppressed => "suppressed",
        }
    }
}

/// A passage's decision under one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// What became of it.
    pub kind: Kind,
    /// The deciding rule, by name.
    pub rule: String,
    /// Priority of the match (a suppressed repeat's outcome carries none).
    pub priority: Option<u8>,
    /// Why a forwarded hit went where it went (`rule`, `late`, `capacity`,
    /// `lookalike`); absent for a drop or a repeat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The zones of this side's policy the passage is in (by its
    /// position: a mobile read's, or its camera's).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<String>,
}

/// Counts under one policy.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    /// Dispatched, by priority 0 to 4.
    pub dispatched: [u64; 5],
    /// Reviewed, by priority.
    pub reviewed: [u64; 5],
    /// Dropped by the matrix.
    pub dropped: u64,
    /// Suppressed as repeats.
    pub suppressed: u64,
    /// The hour (UTC, by event time) with the most dispatches, and how many.
    pub peak_hour: Option<(String, u64)>,
    /// Hours with more dispatches than `--capacity`.
    pub hours_over_capacity: u64,
}

/// Passages that went from one decision to another, by decision and rule.
#[derive(Debug, Clone, Serialize)]
pub struct Flow {
    /// Under the first policy: `kind:rule`, or `none`.
    pub from: String,
    /// Under the second.
    pub to: String,
    /// How many passages.
    pub passages: u64,
}

/// One changed passage.
#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    /// Camera.
    pub camera: String,
    /// Event time of its first read.
    pub ts: String,
    /// Under each policy (`null`: no such passage).
    pub a: Option<Decision>,
    /// See `a`.
    pub b: Option<Decision>,
}

/// Forwarded hits an hour, or a camera's, under each policy.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Row {
    /// The hour (`2026-01-05T08`) or the camera.
    pub key: String,
    /// Dispatched under each policy.
    pub dispatched: [u64; 2],
    /// Reviewed under each policy.
    pub reviewed: [u64; 2],
}

/// `compare.json`.
#[derive(Debug, Clone, Serialize)]
pub struct CompareReport {
    /// The two policies, as given.
    pub policies: [String; 2],
    /// Lines read.
    pub lines: u64,
    /// Lines refused (bad syntax, a camera id the unit refuses).
    pub bad_lines: u64,
    /// Reads whose time was written without a UTC offset (see
    /// `report.json`'s `input.times_without_offset`).
    pub times_without_offset: u64,
    /// Camera ids longer than a unit keeps, folded (see `report.json`'s
    /// `input.folded_cameras`): `changed` names them folded.
    #[serde(default)]
    pub folded_cameras: crate::reads::FoldedCameras,
    /// What each policy's rules say against themselves
    /// ([`PolicyFile::notes`](crate::policy_file::PolicyFile::notes)): a
    /// rule that never applies explains a change that does not happen.
    pub notes: [Vec<String>; 2],
    /// What the rules alone say B decides otherwise than A, before any
    /// traffic ([`rule_changes`](crate::explain::rule_changes), as
    /// `hitgate matrix --against` says it); `null` when the two declare
    /// other lists or places, which the rules alone cannot weigh.
    pub rule_changes: Option<Vec<crate::explain::RuleChange>>,
    /// Dispatches an hour the room can take, if given.
    pub capacity: Option<u64>,
    /// Counts under each policy.
    pub totals: [Totals; 2],
    /// Passages decided differently, by where they went.
    pub flows: Vec<Flow>,
    /// Passages decided differently, in all.
    pub changed_total: u64,
    /// Passages forwarded (dispatch or review) under the second policy
    /// and not under the first, and the other way round.
    pub added: u64,
    /// See `added`.
    pub removed: u64,
    /// Forwarded hits by hour.
    pub hours: Vec<Row>,
    /// Forwarded hits by camera.
    pub cameras: Vec<Row>,
    /// Forwarded hits by zone (the zones either policy declares; a passage
    /// in no zone counts under `(no zone)`), when either declares any.
    pub zones: Vec<Row>,
    /// Passages each rule decided under each policy (a repeat it decided
    /// and the re-alert window then held included, as `report.json`'s
    /// `by_rule` counts them): A's rules in order, then those
    /// only B has, the fallback last; `null` on the side whose policy has
    /// no such rule. A rule at 0 on its side decided nothing on this
    /// traffic (see `notes` for one that never can).
    pub rules: Vec<RuleRow>,
    /// The first 1,000 changed passages, in time order.
    pub changed: Vec<Changed>,
}

/// One rule's passages under each policy.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RuleRow {
    /// The rule's name (`fallback`: no rule applied).
    pub rule: String,
    /// Passages it decided under A and under B.
    pub decided: [Option<u64>; 2],
}

/// A passage: camera, event time of its first read, and which of the
/// passages with that camera and time it is (a multi-lane camera can open
/// two in one millisecond; each side meets them in the same order).
type PassageKey = (String, u64, u32);

/// Decisions of one run, by passage.
type Decided = BTreeMap<PassageKey, Decision>;

/// Records a decision under the first free key of its passage.
fn insert(d: &mut Decided, (camera, time): (String, u64), v: Decision) {
    let mut n = 0;
    while d.contains_key(&(camera.clone(), time, n)) {
        n += 1;
    }
    d.insert((camera, time, n), v);
}

fn decision(pf: &PolicyFile, o: &Outcome) -> ((String, u64), Decision) {
    let (camera, time, kind, rule, priority, position) = match o {
        Outcome::Forward(h) => {
            let kind = if h.action == Action::Dispatch {
                Kind::Dispatch
            } else {
                Kind::Review
            };
            (
                &h.camera,
                h.time,
                kind,
                h.rule,
                Some(h.priority),
                h.position,
            )
        }
        Outcome::Dropped {
            rule,
            priority,
            camera,
            time,
            position,
        } => (camera, *time, Kind::Drop, *rule, Some(*priority), *position),
        Outcome::Suppressed {
            rule,
            camera,
            time,
            position,
            ..
        } => (camera, *time, Kind::Suppressed, *rule, None, *position),
    };
    let reason = match o {
        Outcome::Forward(h) => Some(h.reason.as_str().to_string()),
        _ => None,
    };
    let places = pf.places.view();
    let mask = places.zones_of(places.position(camera, position));
    let zones = pf
        .places
        .zones
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, z)| z.name.as_str().to_string())
        .collect();
    (
        (camera.as_str().to_string(), time),
        Decision {
            kind,
            rule: pf.policy.rule_name(rule).to_string(),
            priority: priority.map(|p| p.index() as u8),
            reason,
            zones,
        },
    )
}

/// Decides `reads` under both policies and writes `compare.json` and
/// `compare.html` into `out` (in place only once both are complete).
pub fn compare(
    reads: &[PathBuf],
    sides: [&Side<'_>; 2],
    out: &Path,
    tables: &TableSizes,
    version: u32,
    capacity: Option<u64>,
    how: &crate::reads::ReadOptions,
) -> Result<CompareReport> {
    tables.check()?;
    let offsets = &sides[0].policy.places.offsets;
    if how.naive_times == Some(crate::reads::NaiveTimes::Local)
        && *offsets != sides[1].policy.places.offsets
    {
        bail!("--naive-times local: the two policies' [time] offsets differ; give both the same");
    }
    let streams = crate::reads::open_all(reads, how, offsets)?;
    let inputs: Vec<&Path> = reads
        .iter()
        .chain(sides.iter().flat_map(|s| s.lists.files.iter()))
        .map(PathBuf::as_path)
        .collect();
    let mut dir = OutDir::open(out, OUTPUTS, &inputs)?;
    let [a, b] = sides;
    let (decided, lines, bad, stats) = a.lists.with_watchlist(version, |wa| {
        b.lists
            .with_watchlist(version, |wb| run(streams, [a, b], [wa, wb], tables))
    })???;
    let with_zones = !(a.policy.places.zones.is_empty() && b.policy.places.zones.is_empty());
    let mut report = build(
        [a.name.clone(), b.name.clone()],
        &decided,
        lines,
        bad,
        capacity,
        with_zones,
    );
    report.notes = [a.policy.notes(), b.policy.notes()];
    report.rule_changes = crate::explain::rule_changes(a.policy, &a.name, b.policy).ok();
    report.rules = by_rule(&decided, [&a.policy.policy, &b.policy.policy]);
    report.times_without_offset = stats.times_without_offset;
    report.folded_cameras = stats.folded;
    let json = serde_json::to_vec_pretty(&report).context("compare.json")?;
    dir.write("compare.html", page::html(&report)?.as_bytes())?;
    dir.write("compare.json", &json)?;
    dir.commit()?;
    Ok(report)
}

/// Both units over one pass of the stream.
fn run(
    streams: Vec<ReadStream>,
    [a, b]: [&Side<'_>; 2],
    [wa, wb]: [&Watchlist<'_>; 2],
    sizes: &TableSizes,
) -> Result<([Decided; 2], u64, u64, crate::reads::StreamStats)> {
    let mut storage = [TableStorage::new(*sizes), TableStorage::new(*sizes)];
    let mut units = Vec::with_capacity(2);
    for ((side, wl), st) in [(a, wa), (b, wb)].into_iter().zip(storage.iter_mut()) {
        let mut unit = Unit::new(wl, &side.policy.policy, side.policy.config, st.tables());
        unit.set_places(side.policy.places.view());
        units.push(unit);
    }
    let mut decided = [Decided::new(), Decided::new()];
    let policies = [a.policy, b.policy];
    let (mut lines, mut bad) = (0u64, 0u64);
    let stats =
        crate::reads::for_each_arrival(streams, a.policy.config.max_future_ms, |_, parsed, _| {
            lines += 1;
            let Ok((read, arrival)) = parsed else {
                bad += 1;
                return Ok(());
            };
            let mut refused = false;
            for (i, unit) in units.iter_mut().enumerate() {
                let (d, policy) = (&mut decided[i], policies[i]);
                let r = unit.receive(&read, arrival, &mut |_, o: Outcome| {
                    let (k, v) = decision(policy, &o);
                    insert(d, k, v);
                });
                refused |= r.is_err();
            }
            bad += u64::from(refused);
            Ok(())
        })?;
    for (i, unit) in units.iter_mut().enumerate() {
        let (d, policy) = (&mut decided[i], policies[i]);
        unit.flush(&mut |_, o: Outcome| {
            let (k, v) = decision(policy, &o);
            insert(d, k, v);
        });
    }
    Ok((decided, lines, bad, stats))
}

/// A changed passage's decision on the page: `kind:rule`, and the reason
/// when it is not the rule's own.
fn cell(d: Option<&Decision>) -> String {
    match d.and_then(|d| d.reason.as_deref()).filter(|r| *r != "rule") {
        Some(r) => format!("{} ({r})", label(d)),
        None => label(d),
    }
}

fn label(d: Option<&Decision>) -> String {
    d.map_or("none".into(), |d| format!("{}:{}", d.kind.as_str(), d.rule))
}

fn forwarded(d: Option<&Decision>) -> bool {
    d.is_some_and(|d| matches!(d.kind, Kind::Dispatch | Kind::Review))
}

/// The row of the passages in no zone.
const NO_ZONE: &str = "(no zone)";

fn build(
    policies: [String; 2],
    decided: &[Decided; 2],
    lines: u64,
    bad_lines: u64,
    capacity: Option<u64>,
    with_zones: bool,
) -> CompareReport {
    let mut totals = [Totals::default(), Totals::default()];
    let mut hours: BTreeMap<u64, Row> = BTreeMap::new();
    let mut cameras: BTreeMap<String, Row> = BTreeMap::new();
    let mut zones: BTreeMap<String, Row> = BTreeMap::new();
    for (side, d) in decided.iter().enumerate() {
        let t = &mut totals[side];
        for ((camera, time, _), dec) in d {
            let p = usize::from(dec.priority.unwrap_or(4)).min(4);
            let (row, count) = match dec.kind {
                Kind::Dispatch => (0, &mut t.dispatched[p]),
                Kind::Review => (1, &mut t.reviewed[p]),
                Kind::Drop => {
                    t.dropped += 1;
                    continue;
                }
                Kind::Suppressed => {
                    t.suppressed += 1;
                    continue;
                }
            };
            *count += 1;
            let count_in = |r: &mut Row| {
                if row == 0 {
                    r.dispatched[side] += 1;
                } else {
                    r.reviewed[side] += 1;
                }
            };
            count_in(hours.entry(time / HOUR_MS).or_default());
            count_in(cameras.entry(camera.clone()).or_default());
            if with_zones {
                if dec.zones.is_empty() {
                    count_in(zones.entry(NO_ZONE.into()).or_default());
                }
                for z in &dec.zones {
                    count_in(zones.entry(z.clone()).or_default());
                }
            }
        }
    }
    for (side, t) in totals.iter_mut().enumerate() {
        t.peak_hour = hours
            .iter()
            .max_by_key(|(h, r)| (r.dispatched[side], std::cmp::Reverse(**h)))
            .filter(|(_, r)| r.dispatched[side] > 0)
            .map(|(h, r)| (hour_label(*h), r.dispatched[side]));
        t.hours_over_capacity = capacity.map_or(0, |c| {
            hours.values().filter(|r| r.dispatched[side] > c).count() as u64
        });
    }
    // Every passage either side decided, in time order.
    let mut keys: Vec<&PassageKey> = decided[0].keys().chain(decided[1].keys()).collect();
    keys.sort_by(|x, y| (x.1, &x.0, x.2).cmp(&(y.1, &y.0, y.2)));
    keys.dedup();
    let mut flows: BTreeMap<(String, String), u64> = BTreeMap::new();
    let (mut changed, mut changed_total, mut added, mut removed) = (Vec::new(), 0, 0, 0);
    for k in keys {
        let (a, b) = (decided[0].get(k), decided[1].get(k));
        if a.map(|d| (d.kind, &d.rule)) == b.map(|d| (d.kind, &d.rule)) {
            continue;
        }
        changed_total += 1;
        *flows.entry((label(a), label(b))).or_default() += 1;
        added += u64::from(!forwarded(a) && forwarded(b));
        removed += u64::from(forwarded(a) && !forwarded(b));
        if changed.len() < MAX_LISTED {
            changed.push(Changed {
                camera: k.0.clone(),
                ts: format_ts(k.1),
                a: a.cloned(),
                b: b.cloned(),
            });
        }
    }
    let mut flows: Vec<Flow> = flows
        .into_iter()
        .map(|((from, to), passages)| Flow { from, to, passages })
        .collect();
    flows.sort_by_key(|f| std::cmp::Reverse(f.passages));
    CompareReport {
        policies,
        lines,
        bad_lines,
        times_without_offset: 0,
        folded_cameras: Default::default(),
        notes: Default::default(),
        rule_changes: None,
        capacity,
        totals,
        flows,
        changed_total,
        added,
        removed,
        hours: hours
            .into_iter()
            .map(|(h, r)| Row {
                key: hour_label(h),
                ..r
            })
            .collect(),
        cameras: cameras
            .into_iter()
            .map(|(c, r)| Row { key: c, ..r })
            .collect(),
        zones: zones
            .into_iter()
            .map(|(z, r)| Row { key: z, ..r })
            .collect(),
        rules: Vec::new(),
        changed,
    }
}

/// [`CompareReport::rules`].
fn by_rule(decided: &[Decided; 2], policies: [&Policy; 2]) -> Vec<RuleRow> {
    let names =
        |p: &Policy| -> Vec<String> { p.rules.iter().map(|r| r.name.to_string()).collect() };
    let fallback = policies[0].rule_name(RuleId::Fallback).to_string();
    let [a, b] = policies.map(names);
    let mut rules: Vec<String> = a.clone();
    rules.extend(b.iter().filter(|n| !a.contains(n)).cloned());
    rules.push(fallback.clone());
    rules
        .into_iter()
        .map(|rule| {
            let on = |side: usize, names: &[String]| {
                (rule == fallback || names.contains(&rule))
                    .then(|| decided[side].values().filter(|d| d.rule == rule).count() as u64)
            };
            let decided = [on(0, &a), on(1, &b)];
            RuleRow { rule, decided }
        })
        .collect()
}

fn hour_label(hour: u64) -> String {
    let ts = format_ts(hour * HOUR_MS);
    ts.get(..13).unwrap_or(&ts).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(kind: Kind, rule: &str) -> Decision {
        Decision {
            kind,
            rule: rule.into(),
            priority: Some(2),
            reason: None,
            zones: Vec::new(),
        }
    }

    #[test]
    fn two_passages_of_one_camera_and_millisecond_stay_apart() {
        let key = || ("cam-1".to_string(), 1_000);
        let (mut a, mut b) = (Decided::new(), Decided::new());
        insert(&mut a, key(), dec(Kind::Drop, "p2-not-local"));
        insert(&mut a, key(), dec(Kind::Drop, "p2-not-local"));
        insert(&mut b, key(), dec(Kind::Drop, "p2-not-local"));
        insert(&mut b, key(), dec(Kind::Review, "p2-cam"));
        assert_eq!((a.len(), b.len()), (2, 2));
        let r = build(["A".into(), "B".into()], &[a, b], 2, 0, None, false);
        assert_eq!(r.changed_total, 1);
        assert_eq!((r.added, r.removed), (1, 0));
        assert_eq!(r.flows.len(), 1);
        assert_eq!(
            (r.flows[0].from.as_str(), r.flows[0].to.as_str()),
            ("drop:p2-not-local", "review:p2-cam")
        );
        assert_eq!((r.totals[0].dropped, r.totals[1].dropped), (2, 1));
        assert_eq!(r.totals[1].reviewed, [0, 0, 1, 0, 0]);
        // The review counts in its hour and at its camera.
        assert_eq!(r.hours.len(), 1);
        assert_eq!(r.cameras[0].reviewed, [0, 1]);
    }
}
