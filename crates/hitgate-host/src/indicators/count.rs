//! Counting: each file's lines into the figures, per period, unit,
//! camera and recipient, and the medians once every file is read.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use hitgate_core::place::Offsets;

use super::lines::{HitLine, decision_line, for_each_line, hit_line};
use super::*;

/// The hits' figures ([`indicators`]).
pub(super) fn hits(opts: &IndicatorOptions, out: &mut Indicators) -> Result<HitFigures> {
    let mut f = HitFigures::default();
    let mut seen: BTreeSet<(String, u64, String)> = BTreeSet::new();
    let mut units: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    let mut oldest = u64::MAX;
    let mut delays: BTreeMap<Group, Vec<u64>> = BTreeMap::new();
    for path in &opts.hits {
        for_each_line(path, out, |out, v| {
            let h = hit_line(v)?;
            if !h.purged {
                oldest = oldest.min(h.at);
            }
            if !opts.within(h.at) {
                out.outside += 1;
                return Ok(());
            }
            if !seen.insert((h.unit.clone(), h.seq, h.link.clone())) {
                f.copies += 1;
                return Ok(());
            }
            if h.priority.is_some_and(|p| p <= 1) {
                count_week(&mut f, opts, &h);
            }
            let period = opts.by.label(h.at);
            if let Some(d) = h.delay_ms {
                let groups = [
                    Some(Group::Total),
                    Some(Group::Period(period.clone())),
                    Some(Group::Unit(h.unit.clone())),
                    h.camera.clone().map(Group::Camera),
                ];
                for g in groups.into_iter().flatten() {
                    delays.entry(g).or_default().push(d);
                }
            }
            let p = f.periods.entry(period.clone()).or_default();
            p.counts.add(&h);
            let (u, c) = units.entry(period).or_default();
            u.insert(h.unit.clone());
            f.total.add(&h);
            f.units.entry(h.unit.clone()).or_default().add(&h);
            if let Some(cam) = &h.camera {
                c.insert(cam.clone());
                f.cameras.entry(cam.clone()).or_default().add(&h);
            }
            Ok(())
        })?;
    }
    for (period, (u, c)) in units {
        if let Some(p) = f.periods.get_mut(&period) {
            p.units = u.len();
            p.cameras = c.len();
        }
    }
    for (g, mut v) in delays {
        let counts = match g {
            Group::Total => Some(&mut f.total),
            Group::Period(p) => f.periods.get_mut(&p).map(|p| &mut p.counts),
            Group::Unit(u) => f.units.get_mut(&u),
            Group::Camera(c) => f.cameras.get_mut(&c),
        };
        if let Some(c) = counts {
            c.delay_median_s = median_s(&mut v);
        }
    }
    f.oldest_held = (oldest != u64::MAX).then(|| Period::Day.label(oldest));
    f.local_time = opts.offsets.is_some();
    Ok(f)
}

/// What a hit's delay counts toward.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Total,
    Period(String),
    Unit(String),
    Camera(String),
}

/// A P0 or P1 hit in the week ([`HitFigures::week`]) and its camera's
/// hours.
fn count_week(f: &mut HitFigures, opts: &IndicatorOptions, h: &HitLine) {
    let (weekday, minute) = match &opts.offsets {
        Some(o) => o.local(h.at),
        None => Offsets::default().local(h.at),
    };
    let hour = usize::from(minute / 60);
    if let Some(n) = f
        .week
        .get_mut(usize::from(weekday))
        .and_then(|d| d.get_mut(hour))
    {
        *n += 1;
    }
    if let Some(cam) = &h.camera
        && let Some(n) = f.camera_hours.entry(cam.clone()).or_default().get_mut(hour)
    {
        *n += 1;
    }
}

/// A recipient's figures in a period, and over every period (`None`).
type PerRecipient<T> = BTreeMap<(Option<String>, String), T>;

/// The decisions' figures ([`indicators`]).
pub(super) fn decisions(opts: &IndicatorOptions, out: &mut Indicators) -> Result<DecisionFigures> {
    let mut f = DecisionFigures::default();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut cases: PerRecipient<BTreeSet<u64>> = BTreeMap::new();
    let mut delays: PerRecipient<Vec<u64>> = BTreeMap::new();
    // Each dispatch's arrival by recipient and case, and each close, for
    // the handling times once every file is read (a close may come first):
    // a close that states its handling time needs no dispatch (it may be
    // purged).
    let mut dispatched: BTreeMap<(String, u64), u64> = BTreeMap::new();
    let mut closes: Vec<(String, String, u64, u64, Option<u64>)> = Vec::new();
    let mut oldest = u64::MAX;
    for path in &opts.decisions {
        for_each_line(path, out, |out, v| {
            let d = decision_line(v)?;
            if let (false, Some("dispatch" | "review" | "update"), Some(at)) =
                (d.purged, d.kind.as_deref(), d.at)
            {
                oldest = oldest.min(at);
            }
            if let Some(at) = d.at
                && !opts.within(at)
            {
                out.outside += 1;
                return Ok(());
            }
            if !seen.insert(d.id.clone()) {
                return Ok(());
            }
            let Some(period) = d.at.map(|at| opts.by.label(at)) else {
                f.undated += 1;
                return Ok(());
            };
            let add = |c: &mut DecisionCounts| {
                match d.kind.as_deref() {
                    Some("dispatch") => {
                        c.dispatched += 1;
                        if let Some(n) = d
                            .priority
                            .and_then(|p| c.dispatched_by_priority.get_mut(usize::from(p)))
                        {
                            *n += 1;
                        }
                    }
                    Some("review") => {
                        c.reviewed += 1;
                        let reason = d.reason.clone().unwrap_or_else(|| "unknown".into());
                        *c.reviews_by_reason.entry(reason).or_default() += 1;
                    }
                    Some("update") => c.updates += 1,
                    Some("closed") => {
                        c.closed += 1;
                        if let Some(o) = &d.outcome {
                            *c.outcomes.entry(o.clone()).or_default() += 1;
                        }
                    }
                    _ => {}
                }
                c.purged += u64::from(d.purged);
            };
            add(f.total.entry(d.recipient.clone()).or_default());
            add(f
                .periods
                .entry(period.clone())
                .or_default()
                .entry(d.recipient.clone())
                .or_default());
            let keys = [
                (None, d.recipient.clone()),
                (Some(period.clone()), d.recipient.clone()),
            ];
            if let Some(case) = d.case {
                for k in keys.clone() {
                    cases.entry(k).or_default().insert(case);
                }
            }
            if let (Some("dispatch"), Some(case), Some(received)) =
                (d.kind.as_deref(), d.case, d.received)
            {
                dispatched.insert((d.recipient.clone(), case), received);
            }
            if let (Some("dispatch"), Some(delay)) = (d.kind.as_deref(), d.delay_ms) {
                for k in keys {
                    delays.entry(k).or_default().push(delay);
                }
            }
            if let (Some(case), Some(at)) = (d.closed, d.at) {
                closes.push((period, d.recipient.clone(), case, at, d.handled_ms));
            }
            Ok(())
        })?;
    }
    let mut handling: PerRecipient<Vec<u64>> = BTreeMap::new();
    for (period, recipient, case, at, handled) in closes {
        let took = handled.or_else(|| {
            dispatched
                .get(&(recipient.clone(), case))
                .map(|&sent| at.saturating_sub(sent))
        });
        if let Some(took) = took {
            for k in [
                (None, recipient.clone()),
                (Some(period.clone()), recipient.clone()),
            ] {
                handling.entry(k).or_default().push(took);
            }
        }
    }
    for (k, set) in cases {
        if let Some(c) = slot(&mut f, &k) {
            c.cases = set.len() as u64;
        }
    }
    for (k, mut v) in delays {
        if let Some(c) = slot(&mut f, &k) {
            c.delay_median_s = median_s(&mut v);
        }
    }
    for (k, mut v) in handling {
        if let Some(c) = slot(&mut f, &k) {
            c.handling_median_s = median_s(&mut v);
        }
    }
    f.oldest_held = (oldest != u64::MAX).then(|| Period::Day.label(oldest));
    Ok(f)
}

/// A recipient's counts in a period, or over every period.
fn slot<'f>(
    f: &'f mut DecisionFigures,
    (period, recipient): &(Option<String>, String),
) -> Option<&'f mut DecisionCounts> {
    match period {
        None => f.total.get_mut(recipient),
        Some(p) => f.periods.get_mut(p).and_then(|m| m.get_mut(recipient)),
    }
}

/// The median of durations in ms, in seconds (the mean of the middle two
/// of an even count); `None` for none.
fn median_s(v: &mut [u64]) -> Option<f64> {
    v.sort_unstable();
    let n = v.len();
    let mid = |i: usize| v.get(i).map(|&ms| ms as f64 / 1000.0);
    match n {
        0 => None,
        _ if n % 2 == 1 => mid(n / 2),
        _ => Some((mid(n / 2 - 1)? + mid(n / 2)?) / 2.0),
    }
}
