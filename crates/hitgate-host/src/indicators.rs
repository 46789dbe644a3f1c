//! `hitgate indicators`: the zone's figures per day, month or year, from
//! what the central side keeps: the listeners' archives of forwarded hits
//! (`listen --out`) and the zone gate's decisions (`gate --out`, or a
//! recipient's capture).
//!
//! A zone reports its cameras' added value to its council with such
//! figures. They hold no plate, no position and no time finer than the
//! period, so they may be kept after the hits themselves are purged. A
//! hit purged by the retention still counts: its line keeps its unit,
//! arrival, priority and what the unit did with it (`docs/formats.md`),
//! and counts in the period of its arrival; a purged decision keeps its
//! kind, reason, priority, event day and delay (a duration, not a time).
//!
//! Each file is read as recordings are: gzip or not, `-` for standard
//! input, a line at a time. Every line is a figure or a bad line: a line
//! that is neither a hit, a purged hit, a decision nor a close is
//! counted, and the first ten are said on standard error with their file
//! and line number (never their content).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};
use serde::Serialize;
use serde_json::Value;

use hitgate_core::place::Offsets;

use crate::time::{format_ts, parse_ts};

/// How long a period is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// A UTC day: `2026-01-05`.
    Day,
    /// A UTC month: `2026-01`.
    Month,
    /// A UTC year: `2026`.
    Year,
}

impl Period {
    /// Its name: `day`, `month` or `year`.
    pub fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Month => "month",
            Period::Year => "year",
        }
    }

    /// The period holding `ms` (since the Unix epoch), as its label.
    pub fn label(self, ms: u64) -> String {
        let ts = format_ts(ms);
        let len = match self {
            Period::Day => 10,
            Period::Month => 7,
            Period::Year => 4,
        };
        ts.get(..len).unwrap_or(&ts).to_string()
    }
}

/// What to count.
#[derive(Debug, Clone)]
pub struct IndicatorOptions {
    /// Listeners' archives.
    pub hits: Vec<PathBuf>,
    /// Gate decisions files (or recipients' captures).
    pub decisions: Vec<PathBuf>,
    /// The period.
    pub by: Period,
    /// Only what happened at or after this (ms since the Unix epoch).
    pub from: Option<u64>,
    /// Only what happened before this.
    pub until: Option<u64>,
    /// The zone's UTC offsets (a policy's `[time]`), for the local
    /// weekday and hour of [`HitFigures::week`]; none: UTC.
    pub offsets: Option<Offsets>,
}

impl IndicatorOptions {
    /// Is `at` within `from`..`until`?
    fn within(&self, at: u64) -> bool {
        self.from.is_none_or(|f| at >= f) && self.until.is_none_or(|u| at < u)
    }
}

/// Figures of forwarded hits.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct HitCounts {
    /// Hits forwarded by the units.
    pub hits: u64,
    /// Of those, per priority, P0 to P4 (a hit purged before its
    /// priority was kept counts in `hits` only).
    pub by_priority: [u64; 5],
    /// Sent as dispatches by the units.
    pub dispatched: u64,
    /// Sent for review.
    pub reviewed: u64,
    /// Matched with tolerance (a look-alike or an edit), not exactly.
    pub tolerant: u64,
    /// Found late by the unit (older than its lateness limit when
    /// decided).
    pub late: u64,
    /// Of the hits, those purged by the retention: counted, their detail
    /// (camera, match) gone.
    pub purged: u64,
    /// The median, over the hits held whole, of the time from the car's
    /// passage to the hit's arrival at the listener, seconds: the
    /// passage's frames, the unit's decision and the uplink together. A
    /// unit or camera far above the others has an uplink that lags, or
    /// a clock that is behind. `None` without one.
    pub delay_median_s: Option<f64>,
}

impl HitCounts {
    /// The columns of the per-unit and per-camera tables: hits,
    /// dispatched, reviewed, P0, P1, P2.
    pub fn brief(&self) -> [u64; 6] {
        let [p0, p1, p2, ..] = self.by_priority;
        [self.hits, self.dispatched, self.reviewed, p0, p1, p2]
    }

    fn add(&mut self, h: &HitLine) {
        self.hits += 1;
        if let Some(p) = h.priority
            && let Some(n) = self.by_priority.get_mut(usize::from(p))
        {
            *n += 1;
        }
        match h.action {
            Some(ACTION_DISPATCH) => self.dispatched += 1,
            Some(ACTION_REVIEW) => self.reviewed += 1,
            _ => {}
        }
        self.tolerant += u64::from(h.tolerant);
        self.late += u64::from(h.late);
        self.purged += u64::from(h.purged);
    }
}

/// A period's figures of forwarded hits.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct HitPeriod {
    /// The counts.
    #[serde(flatten)]
    pub counts: HitCounts,
    /// Units that forwarded a hit.
    pub units: usize,
    /// Cameras that saw one (purged hits name none).
    pub cameras: usize,
}

/// Figures of forwarded hits, from the listeners' archives.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct HitFigures {
    /// Per period, oldest first.
    pub periods: BTreeMap<String, HitPeriod>,
    /// Every period together.
    pub total: HitCounts,
    /// Per unit.
    pub units: BTreeMap<String, HitCounts>,
    /// Per camera.
    pub cameras: BTreeMap<String, HitCounts>,
    /// The same hit (unit, number and audit link) in a second file, or
    /// twice in one: counted once.
    pub copies: u64,
    /// The UTC day of the oldest hit the files still hold whole (not
    /// purged), whatever the span: what a data-protection officer checks
    /// against the retention.
    pub oldest_held: Option<String>,
    /// When the cars that matter pass: P0 and P1 hits per weekday
    /// (Monday first) and hour of the day, local time with the zone's
    /// offsets (UTC without), every period together; a purged hit at its
    /// arrival. For a plan of where and when mobile cameras go.
    pub week: [[u64; 24]; 7],
    /// The same per camera, per hour of the day (purged hits name no
    /// camera).
    pub camera_hours: BTreeMap<String, [u64; 24]>,
    /// The hours are local time (`--policy` gave the offsets), not UTC.
    pub local_time: bool,
}

/// One recipient's decisions.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct DecisionCounts {
    /// Dispatches.
    pub dispatched: u64,
    /// Of those, per priority, P0 to P4.
    pub dispatched_by_priority: [u64; 5],
    /// Reviews.
    pub reviewed: u64,
    /// Each review's reason and how many (`capacity`, `open`, `late`,
    /// `lookalike`, ...).
    pub reviews_by_reason: BTreeMap<String, u64>,
    /// Sighting updates of a case it had.
    pub updates: u64,
    /// Distinct cases it got (a purged decision counts in its kind only).
    pub cases: u64,
    /// Dispatched cases it closed (in the period it closed them).
    pub closed: u64,
    /// Of those, the outcomes its closes stated, and how many.
    pub outcomes: BTreeMap<String, u64>,
    /// The median, over its dispatches, of the time from the car's
    /// passage (the event time) to the gate's decision (its `received`),
    /// seconds: how fresh a dispatch is. `None` without one.
    pub delay_median_s: Option<f64>,
    /// The median, over its closes, of the time from the dispatch to the
    /// close (the dispatch in the files read, not purged), seconds: how
    /// long the recipient takes to handle a case. `None` without one.
    pub handling_median_s: Option<f64>,
    /// Of the decisions, those purged by the retention.
    pub purged: u64,
}

/// Figures of the zone gate's decisions.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct DecisionFigures {
    /// Per period, then per recipient.
    pub periods: BTreeMap<String, BTreeMap<String, DecisionCounts>>,
    /// Per recipient, every period together.
    pub total: BTreeMap<String, DecisionCounts>,
    /// Purged decisions whose line keeps no event day (purged by a gate
    /// before it kept one): counted here only, in no period nor total.
    pub undated: u64,
    /// The UTC day of the oldest decision the files still hold whole
    /// (not purged), whatever the span.
    pub oldest_held: Option<String>,
}

/// The figures.
#[derive(Debug, Clone, Serialize)]
pub struct Indicators {
    /// The period.
    pub by: Period,
    /// The first instant counted, if bounded (RFC 3339).
    pub from: Option<String>,
    /// The first instant not counted, if bounded.
    pub until: Option<String>,
    /// From the archives (`--hits`).
    pub hits: Option<HitFigures>,
    /// From the decisions (`--decisions`).
    pub decisions: Option<DecisionFigures>,
    /// Lines read, every file together.
    pub lines: u64,
    /// Lines outside `from`..`until`, not counted.
    pub outside: u64,
    /// Lines that are neither a hit nor a decision (the first ten are said
    /// on standard error).
    pub bad_lines: u64,
    /// The first ten bad lines: where, and what is wrong (never the
    /// line's content).
    pub errors: Vec<BadLine>,
}

/// A bad line: its file, its number (from 1) and its fault.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BadLine {
    /// The file, as given.
    pub file: String,
    /// The line number.
    pub line: u64,
    /// What is wrong: the field and what it should be.
    pub error: String,
}

const ACTION_REVIEW: u8 = 1;
const ACTION_DISPATCH: u8 = 2;
/// Bad lines said on standard error.
const BAD_SAID: u64 = 10;

/// What a line of a listener's archive says, for the figures.
#[derive(Debug, Clone, PartialEq)]
struct HitLine {
    unit: String,
    seq: u64,
    link: String,
    /// Event time, or the arrival of a purged hit.
    at: u64,
    camera: Option<String>,
    priority: Option<u8>,
    action: Option<u8>,
    tolerant: bool,
    late: bool,
    purged: bool,
    /// From the event to the arrival at the listener, ms (a whole hit).
    delay_ms: Option<u64>,
}

/// A field of a line, read as a number at most `max`, as a string, or
/// as a boolean; the error names the field and what it should be (never
/// its value).
struct Fields<'v>(&'v Value);

impl Fields<'_> {
    fn num(&self, key: &str, max: u64) -> Result<u64, String> {
        self.0
            .get(key)
            .and_then(Value::as_u64)
            .filter(|&n| n <= max)
            .ok_or_else(|| match max {
                u64::MAX => format!("`{key}`: not a number"),
                _ => format!("`{key}`: not a number from 0 to {max}"),
            })
    }

    /// A number at most `max` when present (`None` when absent).
    fn num_opt(&self, key: &str, max: u64) -> Result<Option<u64>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.num(key, max).map(Some),
        }
    }

    fn text(&self, key: &str) -> Result<String, String> {
        self.0
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("`{key}`: not a string"))
    }

    fn text_opt(&self, key: &str) -> Result<Option<String>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.text(key).map(Some),
        }
    }

    fn flag(&self, key: &str) -> Result<bool, String> {
        self.0
            .get(key)
            .and_then(Value::as_bool)
            .ok_or_else(|| format!("`{key}`: not true or false"))
    }
}

/// The highest priority and match kind (2 edit) of a hit record.
const MAX_PRIORITY: u64 = 4;
const MAX_KIND: u64 = 2;

/// A hit's action: 1 review or 2 dispatch (a unit forwards no other).
fn action(n: u64) -> Result<u8, String> {
    match n {
        1 => Ok(ACTION_REVIEW),
        2 => Ok(ACTION_DISPATCH),
        _ => Err("`action`: not 1 (review) or 2 (dispatch)".into()),
    }
}

/// Reads a line of a listener's archive: a hit, or a purged hit's line.
fn hit_line(v: &Value) -> Result<HitLine, String> {
    let f = Fields(v);
    let unit = f.text("unit")?;
    let seq = f.num("seq", u64::MAX)?;
    let link = v
        .get("chain")
        .and_then(|c| c.get("link"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let small = |n: Option<u64>| n.and_then(|n| u8::try_from(n).ok());
    if v.get("purged").is_some() {
        return Ok(HitLine {
            unit,
            seq,
            link,
            at: f.num("received", u64::MAX)?,
            camera: None,
            priority: small(f.num_opt("priority", MAX_PRIORITY)?),
            action: f.num_opt("action", u64::MAX)?.map(action).transpose()?,
            tolerant: false,
            late: false,
            purged: true,
            delay_ms: None,
        });
    }
    let hit = Fields(v.get("hit").ok_or("no `hit` (nor `purged`)")?);
    let (time, received) = (hit.num("time", u64::MAX)?, f.num("received", u64::MAX)?);
    Ok(HitLine {
        unit,
        seq,
        link,
        // A hit dated after it arrived (its unit's clock ahead) counts at
        // its arrival, as the retention ages it.
        at: time.min(received),
        delay_ms: Some(received.saturating_sub(time)),
        camera: Some(hit.text("camera")?),
        priority: small(Some(hit.num("priority", MAX_PRIORITY)?)),
        action: Some(action(hit.num("action", u64::MAX)?)?),
        tolerant: hit.num("kind", MAX_KIND)? != 0,
        late: hit.flag("late")?,
        purged: false,
    })
}

/// What a line of decisions says, for the figures.
#[derive(Debug, Clone, PartialEq)]
struct DecisionLine {
    id: String,
    recipient: String,
    /// Event time; a purged decision's day at midnight, if kept.
    at: Option<u64>,
    kind: Option<String>,
    reason: Option<String>,
    priority: Option<u8>,
    case: Option<u64>,
    /// When the gate received the hit (a decision).
    received: Option<u64>,
    /// From the event to the decision, ms (a decision, or a purged one
    /// that kept it).
    delay_ms: Option<u64>,
    /// The case a close closed.
    closed: Option<u64>,
    /// A close's outcome.
    outcome: Option<String>,
    purged: bool,
}

/// Reads a decision, a purged decision's line, or a close.
fn decision_line(v: &Value) -> Result<DecisionLine, String> {
    let f = Fields(v);
    let id = f.text("id")?;
    if v.get("closed").is_some() {
        return Ok(DecisionLine {
            recipient: f.text("recipient")?,
            id,
            at: Some(f.num("at", u64::MAX)?),
            kind: Some("closed".into()),
            reason: None,
            priority: None,
            case: None,
            received: None,
            delay_ms: None,
            closed: Some(f.num("closed", u64::MAX)?),
            outcome: f.text_opt("outcome")?,
            purged: false,
        });
    }
    let kind = |k: Option<String>| match k.as_deref() {
        None | Some("dispatch" | "review" | "update") => Ok(k),
        Some(_) => Err("`kind`: not dispatch, review or update".to_string()),
    };
    let priority = f
        .num_opt("priority", MAX_PRIORITY)?
        .and_then(|n| u8::try_from(n).ok());
    if v.get("purged").is_some() {
        // The recipient is the id's last part (`<unit>/<seq>/<recipient>`).
        let recipient = id.rsplit('/').next().unwrap_or_default().to_string();
        let at = match f.text_opt("day")? {
            Some(d) => Some(day_start(&d).map_err(|_| "`day`: not a day (YYYY-MM-DD)")?),
            None => None,
        };
        return Ok(DecisionLine {
            at,
            recipient,
            id,
            kind: kind(f.text_opt("kind")?)?,
            reason: f.text_opt("reason")?,
            priority,
            case: None,
            received: None,
            delay_ms: f.num_opt("delay_ms", u64::MAX)?,
            closed: None,
            outcome: None,
            purged: true,
        });
    }
    let (time, case) = (f.num("time", u64::MAX)?, f.num("case", u64::MAX)?);
    let received = f.num("received", u64::MAX)?;
    Ok(DecisionLine {
        recipient: f.text("recipient")?,
        id,
        // Dated after it arrived (its unit's clock ahead): at its arrival.
        at: Some(time.min(received)),
        kind: kind(Some(f.text("kind")?))?,
        reason: Some(f.text("reason")?),
        priority: Some(priority.ok_or("`priority`: not a number from 0 to 4")?),
        case: Some(case),
        received: Some(received),
        delay_ms: Some(received.saturating_sub(time)),
        closed: None,
        outcome: None,
        purged: false,
    })
}

/// Counts the figures of the files.
pub fn indicators(opts: &IndicatorOptions) -> Result<Indicators> {
    if opts.hits.is_empty() && opts.decisions.is_empty() {
        return Err(anyhow!("give --hits FILE, --decisions FILE or both"));
    }
    let mut out = Indicators {
        by: opts.by,
        from: opts.from.map(format_ts),
        until: opts.until.map(format_ts),
        hits: None,
        decisions: None,
        lines: 0,
        outside: 0,
        bad_lines: 0,
        errors: Vec::new(),
    };
    if !opts.hits.is_empty() {
        out.hits = Some(count_hits(opts, &mut out)?);
    }
    if !opts.decisions.is_empty() {
        out.decisions = Some(count_decisions(opts, &mut out)?);
    }
    Ok(out)
}

/// The hits' figures ([`indicators`]).
fn count_hits(opts: &IndicatorOptions, out: &mut Indicators) -> Result<HitFigures> {
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
                let mut groups = vec![Group::Total, Group::Period(period.clone())];
                groups.push(Group::Unit(h.unit.clone()));
                groups.extend(h.camera.clone().map(Group::Camera));
                for g in groups {
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
fn count_decisions(opts: &IndicatorOptions, out: &mut Indicators) -> Result<DecisionFigures> {
    let mut f = DecisionFigures::default();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut cases: PerRecipient<BTreeSet<u64>> = BTreeMap::new();
    let mut delays: PerRecipient<Vec<u64>> = BTreeMap::new();
    // Each dispatch's arrival by recipient and case, and each close, for
    // the handling times once every file is read (a close may come first).
    let mut dispatched: BTreeMap<(String, u64), u64> = BTreeMap::new();
    let mut closes: Vec<(String, String, u64, u64)> = Vec::new();
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
                closes.push((period, d.recipient.clone(), case, at));
            }
            Ok(())
        })?;
    }
    let mut handling: PerRecipient<Vec<u64>> = BTreeMap::new();
    for (period, recipient, case, at) in closes {
        if let Some(&sent) = dispatched.get(&(recipient.clone(), case)) {
            for k in [
                (None, recipient.clone()),
                (Some(period.clone()), recipient.clone()),
            ] {
                handling.entry(k).or_default().push(at.saturating_sub(sent));
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

/// Calls `f` with each non-blank line of `path` as JSON; a line that is
/// not JSON, or that `f` finds is not its kind (the error names the
/// field), is a bad line.
/// The file is read as recordings are ([`crate::input::Input`]): gzip or
/// not (a year of archives is kept compressed), `-` for standard input,
/// a line at a time of at most [`MAX_LINE`](crate::input::MAX_LINE)
/// bytes.
fn for_each_line(
    path: &Path,
    out: &mut Indicators,
    mut f: impl FnMut(&mut Indicators, &Value) -> Result<(), String>,
) -> Result<()> {
    let mut input = crate::input::Input::open(path)?;
    let mut buf = Vec::new();
    let mut number = 0u64;
    loop {
        let (n, fitted) = input.next_line(&mut buf, number)?;
        if n == 0 {
            return Ok(());
        }
        number += 1;
        let line = crate::input::trim_line(&buf);
        if fitted && line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        out.lines += 1;
        let fault = match serde_json::from_slice::<Value>(line) {
            _ if !fitted => Some(format!("longer than {} bytes", crate::input::MAX_LINE)),
            Err(e) => Some(format!("not JSON ({})", e.classify_name())),
            Ok(v) => f(out, &v).err(),
        };
        if let Some(error) = fault {
            out.bad_lines += 1;
            if out.bad_lines <= BAD_SAID {
                eprintln!("indicators: {}:{number}: {error}", input.name);
                out.errors.push(BadLine {
                    file: input.name.clone(),
                    line: number,
                    error,
                });
            }
        }
    }
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "unreadable",
            serde_json::error::Category::Syntax => "bad syntax",
            serde_json::error::Category::Data => "bad data",
            serde_json::error::Category::Eof => "cut short",
        }
    }
}

/// Midnight UTC of a day written `YYYY-MM-DD`, ms since the Unix epoch.
pub fn day_start(day: &str) -> Result<u64> {
    if day.len() != 10 {
        return Err(anyhow!("{day:?}: not a day (YYYY-MM-DD)"));
    }
    parse_ts(&format!("{day}T00:00:00Z")).map_err(|_| anyhow!("{day:?}: not a day (YYYY-MM-DD)"))
}

/// A bound of `--from` or `--to`: a day (`--to` takes the whole day) or
/// an RFC 3339 time.
pub fn bound(text: &str, end_of_day: bool) -> Result<u64> {
    if text.len() == 10 {
        let start = day_start(text)?;
        return Ok(if end_of_day {
            start + 86_400_000
        } else {
            start
        });
    }
    parse_ts(text)
}

/// The weekdays, Monday first, as [`HitFigures::week`] counts them.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A median in seconds for a table: one decimal, `-` for none.
pub fn seconds(s: Option<f64>) -> String {
    s.map_or_else(|| "-".to_string(), |s| format!("{s:.1}"))
}

/// The figures as tables.
pub fn render(x: &Indicators) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let by = x.by.name();
    let span = match (&x.from, &x.until) {
        (None, None) => String::new(),
        (f, u) => format!(
            " from {} until {}",
            f.as_deref().unwrap_or("the start"),
            u.as_deref().unwrap_or("the end")
        ),
    };
    if let Some(h) = &x.hits {
        let _ = writeln!(
            s,
            "hits the units forwarded, per {by}{span} (no plate in these figures)"
        );
        let _ = writeln!(
            s,
            "{:<10} {:>7} {:>10} {:>8} {:>6} {:>6} {:>6} {:>6} {:>6} {:>8} {:>5} {:>5} {:>7} {:>6} {:>8}",
            by,
            "hits",
            "dispatched",
            "reviewed",
            "P0",
            "P1",
            "P2",
            "P3",
            "P4",
            "tolerant",
            "late",
            "units",
            "cameras",
            "purged",
            "delay s"
        );
        let row = |s: &mut String, name: &str, c: &HitCounts, units: String, cameras: String| {
            let [p0, p1, p2, p3, p4] = c.by_priority;
            let _ = writeln!(
                s,
                "{:<10} {:>7} {:>10} {:>8} {:>6} {:>6} {:>6} {:>6} {:>6} {:>8} {:>5} {:>5} {:>7} {:>6} {:>8}",
                name,
                c.hits,
                c.dispatched,
                c.reviewed,
                p0,
                p1,
                p2,
                p3,
                p4,
                c.tolerant,
                c.late,
                units,
                cameras,
                c.purged,
                seconds(c.delay_median_s)
            );
        };
        for (period, p) in &h.periods {
            row(
                &mut s,
                period,
                &p.counts,
                p.units.to_string(),
                p.cameras.to_string(),
            );
        }
        row(
            &mut s,
            "total",
            &h.total,
            h.units.len().to_string(),
            h.cameras.len().to_string(),
        );
        let table = |s: &mut String, what: &str, m: &BTreeMap<String, HitCounts>| {
            let _ = writeln!(
                s,
                "\n{what:<24} {:>7} {:>10} {:>8} {:>6} {:>6} {:>6} {:>8}",
                "hits", "dispatched", "reviewed", "P0", "P1", "P2", "delay s"
            );
            for (k, c) in m {
                let [hits, d, r, p0, p1, p2] = c.brief();
                let delay = seconds(c.delay_median_s);
                let _ = writeln!(
                    s,
                    "{k:<24} {hits:>7} {d:>10} {r:>8} {p0:>6} {p1:>6} {p2:>6} {delay:>8}"
                );
            }
        };
        table(&mut s, "unit", &h.units);
        table(&mut s, "camera", &h.cameras);
        if h.copies > 0 {
            let _ = writeln!(s, "{} copies of a hit counted once", h.copies);
        }
        if let Some(day) = &h.oldest_held {
            let _ = writeln!(s, "the oldest hit held whole (not purged) is of {day}");
        }
        let clock = if h.local_time { "local time" } else { "UTC" };
        let _ = writeln!(s, "\nP0 and P1 hits by weekday and hour ({clock})");
        let _ = write!(s, "{:<4}", "");
        for hour in 0..24 {
            let _ = write!(s, "{hour:>4}");
        }
        s.push('\n');
        for (day, row) in WEEKDAYS.iter().zip(&h.week) {
            let _ = write!(s, "{day:<4}");
            for n in row {
                let _ = write!(s, "{n:>4}");
            }
            s.push('\n');
        }
    }
    if let Some(d) = &x.decisions {
        if x.hits.is_some() {
            s.push('\n');
        }
        let _ = writeln!(s, "the zone gate's decisions, per {by} and recipient{span}");
        let _ = writeln!(
            s,
            "{:<10} {:<20} {:>10} {:>6} {:>6} {:>8} {:>7} {:>6} {:>6} {:>8} {:>10}  reviews by reason; closes by outcome",
            by,
            "recipient",
            "dispatched",
            "P0",
            "P1",
            "reviewed",
            "updates",
            "cases",
            "closed",
            "delay s",
            "handling s"
        );
        let row = |s: &mut String, period: &str, r: &str, c: &DecisionCounts| {
            let reasons: Vec<String> = c
                .reviews_by_reason
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            let outcomes: Vec<String> =
                c.outcomes.iter().map(|(k, n)| format!("{k} {n}")).collect();
            let tail = match outcomes.is_empty() {
                true => reasons.join(", "),
                false => format!("{}; {}", reasons.join(", "), outcomes.join(", ")),
            };
            let line = format!(
                "{:<10} {:<20} {:>10} {:>6} {:>6} {:>8} {:>7} {:>6} {:>6} {:>8} {:>10}  {}",
                period,
                r,
                c.dispatched,
                c.dispatched_by_priority[0],
                c.dispatched_by_priority[1],
                c.reviewed,
                c.updates,
                c.cases,
                c.closed,
                seconds(c.delay_median_s),
                seconds(c.handling_median_s),
                tail
            );
            let _ = writeln!(s, "{}", line.trim_end());
        };
        for (period, m) in &d.periods {
            for (r, c) in m {
                row(&mut s, period, r, c);
            }
        }
        for (r, c) in &d.total {
            row(&mut s, "total", r, c);
        }
        if let Some(day) = &d.oldest_held {
            let _ = writeln!(s, "the oldest decision held whole (not purged) is of {day}");
        }
        if d.undated > 0 {
            let _ = writeln!(
                s,
                "{} purged decisions without their day: in the totals only",
                d.undated
            );
        }
    }
    let _ = writeln!(
        s,
        "\n{} lines, {} outside the span, {} bad",
        x.lines, x.outside, x.bad_lines
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: u64 = 86_400_000;
    /// 2026-01-05T00:00:00Z.
    const JAN5: u64 = 1_767_571_200_000;

    /// A listener's archive line: the hit `(unit, seq, link)`, its time
    /// and camera, and `(priority, action, kind, late)`.
    fn hit(
        (unit, seq, link): (&str, u64, &str),
        time: u64,
        camera: &str,
        (p, action, kind, late): (u8, u8, u8, bool),
    ) -> String {
        format!(
            r#"{{"unit":"{unit}","seq":{seq},"boot":0,"n":{seq},"received":{time},"hit":{{"wire_version":2,"seq":{seq},"time":{time},"camera":"{camera}","read":"1ABC234","reads":2,"listed":"1ABC234","country":"BE","list":0,"priority":{p},"kind":{kind},"ocr":0,"edits":0,"action":{action},"rule":0,"reason":0,"late":{late},"list_version":1,"position":null}},"chain":{{"prev":"00","link":"{link}","known":true}}}}"#
        )
    }

    fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, lines.join("\n") + "\n").unwrap();
        p
    }

    fn options(hits: Vec<PathBuf>, decisions: Vec<PathBuf>, by: Period) -> IndicatorOptions {
        IndicatorOptions {
            hits,
            decisions,
            by,
            from: None,
            until: None,
            offsets: None,
        }
    }

    #[test]
    fn an_archive_is_counted_per_period_as_counted_by_hand() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(
            dir.path(),
            "a.jsonl",
            &[
                hit(("u1", 1, "aa"), JAN5 + 1_000, "cam-1", (1, 2, 0, false)),
                hit(("u1", 2, "bb"), JAN5 + 2_000, "cam-2", (2, 1, 1, false)),
                // The same hit again (a second copy): once.
                hit(("u1", 2, "bb"), JAN5 + 2_000, "cam-2", (2, 1, 1, false)),
                // Under a number another hit had (renumbered): a hit.
                hit(("u1", 2, "cc"), JAN5 + 3_000, "cam-2", (0, 2, 2, true)),
                "not json".into(),
                r#"{"unit":"u1"}"#.into(),
            ],
        );
        let b = write(
            dir.path(),
            "b.jsonl",
            &[
                hit(("u2", 7, "dd"), JAN5 + 27 * DAY, "cam-9", (1, 2, 0, false)),
                // Purged, with what the figures need; counted at arrival.
                format!(
                    r#"{{"unit":"u2","seq":8,"boot":0,"n":8,"received":{},"purged":1,"chain":{{"prev":"0","link":"ee"}},"priority":0,"action":2}}"#,
                    JAN5 + 28 * DAY
                ),
                // Purged before they were kept: a hit, no more.
                format!(
                    r#"{{"unit":"u2","seq":9,"boot":0,"n":9,"received":{},"purged":1,"chain":null}}"#,
                    JAN5 + 28 * DAY
                ),
            ],
        );
        let x = indicators(&options(vec![a.clone(), b.clone()], vec![], Period::Month)).unwrap();
        assert_eq!((x.lines, x.bad_lines, x.outside), (9, 2, 0));
        // Compressed (a year of archives is kept so), the same figures;
        // a line past the longest is a bad line, not held.
        let gz = dir.path().join("b.jsonl.gz");
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut e, &std::fs::read(&b).unwrap()).unwrap();
        std::fs::write(&gz, e.finish().unwrap()).unwrap();
        let long = write(
            dir.path(),
            "long.jsonl",
            &["x".repeat(crate::input::MAX_LINE + 10)],
        );
        let y = indicators(&options(vec![a.clone(), gz, long], vec![], Period::Month)).unwrap();
        assert_eq!(y.hits, x.hits);
        assert_eq!((y.lines, y.bad_lines), (10, 3));
        let h = x.hits.as_ref().unwrap();
        assert_eq!(h.copies, 1);
        let jan = &h.periods["2026-01"];
        assert_eq!(
            jan.counts,
            HitCounts {
                hits: 3,
                by_priority: [1, 1, 1, 0, 0],
                dispatched: 2,
                reviewed: 1,
                tolerant: 2,
                late: 1,
                purged: 0,
                delay_median_s: Some(0.0),
            }
        );
        assert_eq!((jan.units, jan.cameras), (1, 2));
        let feb = &h.periods["2026-02"];
        assert_eq!(
            feb.counts,
            HitCounts {
                hits: 3,
                by_priority: [1, 1, 0, 0, 0],
                dispatched: 2,
                reviewed: 0,
                tolerant: 0,
                late: 0,
                purged: 2,
                // The one hit held whole; purged hits keep no delay.
                delay_median_s: Some(0.0),
            }
        );
        assert_eq!((feb.units, feb.cameras), (1, 1));
        assert_eq!(h.total.hits, 6);
        assert_eq!(h.total.by_priority, [2, 2, 1, 0, 0]);
        assert_eq!(h.units["u1"].hits, 3);
        assert_eq!(h.units["u2"].hits, 3);
        assert_eq!(h.cameras["cam-2"].hits, 2);
        assert_eq!(h.cameras.len(), 3);
        assert_eq!(h.oldest_held.as_deref(), Some("2026-01-05"));
        // P0 and P1 by weekday and hour: 2026-01-05 and 2026-02-02 are
        // Mondays, 2026-02-01 a Sunday, all at midnight UTC; the P2 hit
        // and the purged hit of no priority are not counted.
        let mut week = [[0u64; 24]; 7];
        week[0][0] = 3;
        week[6][0] = 1;
        assert_eq!(h.week, week);
        assert_eq!(
            h.camera_hours
                .iter()
                .map(|(c, hours)| (c.as_str(), hours[0], hours.iter().sum::<u64>()))
                .collect::<Vec<_>>(),
            [("cam-1", 1, 1), ("cam-2", 1, 1), ("cam-9", 1, 1)]
        );
        assert!(!h.local_time);
        // On Brussels winter time, an hour later.
        let mut o = options(vec![a.clone(), b.clone()], vec![], Period::Month);
        o.offsets = Offsets::new(&[(0, 60)]);
        let local = indicators(&o).unwrap().hits.unwrap();
        assert_eq!(
            (local.week[0][1], local.week[6][1], local.week[0][0]),
            (3, 1, 0)
        );
        assert!(local.local_time);

        // By day, and bounded: 2026-01-05 to 2026-02-01 whole.
        let mut o = options(
            vec![dir.path().join("a.jsonl"), dir.path().join("b.jsonl")],
            vec![],
            Period::Day,
        );
        o.from = Some(bound("2026-01-05", false).unwrap());
        o.until = Some(bound("2026-02-01", true).unwrap());
        let x = indicators(&o).unwrap();
        let h = x.hits.unwrap();
        assert_eq!(
            h.periods.keys().collect::<Vec<_>>(),
            ["2026-01-05", "2026-02-01"]
        );
        assert_eq!(h.total.hits, 4);
        assert_eq!(x.outside, 2);
        // Whatever the span: what the files hold.
        assert_eq!(h.oldest_held.as_deref(), Some("2026-01-05"));
    }

    fn decision(id: &str, kind: &str, reason: &str, case: u32, p: u8, time: u64) -> String {
        let (unit_seq, recipient) = id.rsplit_once('/').unwrap();
        let (unit, seq) = unit_seq.split_once('/').unwrap();
        format!(
            r#"{{"id":"{id}","recipient":"{recipient}","kind":"{kind}","case":{case},"reason":"{reason}","unit":"{unit}","seq":{seq},"camera":"c","time":{time},"read":"1ABC234","listed":"1ABC234","country":"BE","list":0,"priority":{p},"rule":"p0-p1","position":null,"previous":null,"received":{}}}"#,
            time + 1_500
        )
    }

    #[test]
    fn decisions_count_the_same_before_and_after_their_purge() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "d.jsonl",
            &[
                decision("u/1/wpr", "dispatch", "rule", 1, 1, JAN5),
                decision("u/1/wpr", "dispatch", "rule", 1, 1, JAN5), // a copy
                decision("v/4/wpr", "update", "repeat", 1, 1, JAN5 + 60_000),
                decision("u/2/wpr", "review", "capacity", 2, 1, JAN5 + 120_000),
                decision("u/3/wpr", "dispatch", "rule", 3, 0, JAN5 + 40 * DAY),
                decision("u/2/team", "review", "lookalike", 2, 2, JAN5 + 120_000),
                // Closes, as the gate writes them: counted when closed.
                format!(
                    r#"{{"id":"wpr/closed/1","recipient":"wpr","closed":1,"outcome":"intercepted","at":{}}}"#,
                    JAN5 + 3_600_000
                ),
                format!(
                    r#"{{"id":"wpr/closed/3","recipient":"wpr","closed":3,"outcome":null,"at":{}}}"#,
                    JAN5 + 41 * DAY
                ),
            ],
        );
        let count = |by| indicators(&options(vec![], vec![path.clone()], by)).unwrap();
        let before = count(Period::Month);
        let d = before.decisions.as_ref().unwrap();
        let wpr = DecisionCounts {
            dispatched: 2,
            dispatched_by_priority: [1, 1, 0, 0, 0],
            reviewed: 1,
            reviews_by_reason: [("capacity".to_string(), 1)].into(),
            updates: 1,
            cases: 3,
            closed: 2,
            outcomes: [("intercepted".to_string(), 1)].into(),
            // Every hit reached the gate 1.5 s after the car passed.
            delay_median_s: Some(1.5),
            // Case 1 closed an hour after the car (3,598.5 s after its
            // dispatch), case 3 a day after (86,398.5 s): their mean.
            handling_median_s: Some(44_998.5),
            purged: 0,
        };
        assert_eq!(d.total["wpr"], wpr);
        assert_eq!(d.periods["2026-01"]["wpr"].outcomes["intercepted"], 1);
        assert_eq!(d.periods["2026-02"]["wpr"].closed, 1);
        assert_eq!(d.periods["2026-01"]["wpr"].handling_median_s, Some(3_598.5));
        assert_eq!(
            d.periods["2026-02"]["wpr"].handling_median_s,
            Some(86_398.5)
        );
        assert_eq!(d.total["team"].delay_median_s, None); // reviews only
        assert_eq!(d.periods["2026-01"]["wpr"].cases, 2);
        assert_eq!(
            d.periods["2026-02"]["wpr"].dispatched_by_priority,
            [1, 0, 0, 0, 0]
        );
        assert_eq!(d.total["team"].reviews_by_reason["lookalike"], 1);
        assert_eq!(before.bad_lines, 0);

        // Purged: the same figures but the cases (the number goes with the car).
        let now = JAN5 + 400 * DAY;
        let purged =
            crate::gate::purge_decisions(&path, std::time::Duration::from_secs(30 * 86_400), now)
                .unwrap();
        assert_eq!(purged, 6); // the copy too; a close holds nothing of the car
        let after = count(Period::Month);
        let d2 = after.decisions.as_ref().unwrap();
        for (r, c) in &d.total {
            let mut want = c.clone();
            // The case numbers and arrival times go with the car; the
            // delays stay, as durations.
            want.cases = 0;
            want.handling_median_s = None;
            want.purged = want.dispatched + want.reviewed + want.updates;
            assert_eq!(&d2.total[r], &want, "{r}");
        }
        assert_eq!(
            d2.periods.keys().collect::<Vec<_>>(),
            ["2026-01", "2026-02"]
        );
        assert_eq!(d2.undated, 0);
        assert_eq!(d.oldest_held.as_deref(), Some("2026-01-05"));
        assert_eq!(d2.oldest_held, None); // every decision purged
        assert_eq!(after.bad_lines, 0);
    }

    #[test]
    fn a_bad_line_is_counted_and_named_by_its_field_never_its_content() {
        let dir = tempfile::tempdir().unwrap();
        let hits = write(
            dir.path(),
            "h.jsonl",
            &[
                hit(("u1", 1, "aa"), JAN5, "cam-1", (9, 2, 0, false)),
                hit(("u1", 2, "bb"), JAN5, "cam-1", (1, 3, 0, false)),
                hit(("u1", 3, "cc"), JAN5, "cam-1", (1, 2, 0, false)),
                r#"{"unit":"u1","seq":4,"purged":1}"#.into(),
                r#"{"unit":"u1","seq":5,"hit":{"time":"1ABC234"}}"#.into(),
            ],
        );
        let decisions = write(
            dir.path(),
            "d.jsonl",
            &[
                decision("u/1/wpr", "maybe", "rule", 1, 1, JAN5),
                decision("u/2/wpr", "dispatch", "rule", 1, 7, JAN5),
                r#"{"id":"u/3/wpr","purged":1,"day":"5 January"}"#.into(),
                r#"{"id":"wpr/closed/1","recipient":"wpr","closed":1,"outcome":3,"at":1}"#.into(),
            ],
        );
        let x = indicators(&options(vec![hits], vec![decisions], Period::Month)).unwrap();
        let said: Vec<(u64, &str)> = x
            .errors
            .iter()
            .map(|e| (e.line, e.error.as_str()))
            .collect();
        assert_eq!(
            said,
            [
                (1, "`priority`: not a number from 0 to 4"),
                (2, "`action`: not 1 (review) or 2 (dispatch)"),
                (4, "`received`: not a number"),
                (5, "`time`: not a number"),
                (1, "`kind`: not dispatch, review or update"),
                (2, "`priority`: not a number from 0 to 4"),
                (3, "`day`: not a day (YYYY-MM-DD)"),
                (4, "`outcome`: not a string"),
            ]
        );
        assert_eq!((x.lines, x.bad_lines), (9, 8));
        assert_eq!(x.hits.unwrap().total.hits, 1);
        assert!(x.errors.iter().all(|e| !e.error.contains("1ABC234")));
    }

    #[test]
    fn a_unit_whose_hits_arrive_late_shows_in_its_median_delay() {
        let dir = tempfile::tempdir().unwrap();
        // u1 delivers 2, 4 and 6 s after the car; u2, whose clock is 15
        // minutes behind, seems to take 900 s.
        let arriving = |unit: &str, seq: u64, camera: &str, delay: u64| {
            hit((unit, seq, "x"), JAN5, camera, (1, 2, 0, false)).replacen(
                &format!("\"received\":{JAN5}"),
                &format!("\"received\":{}", JAN5 + delay),
                1,
            )
        };
        let p = write(
            dir.path(),
            "h.jsonl",
            &[
                arriving("u1", 1, "cam-1", 2_000),
                arriving("u1", 2, "cam-1", 4_000),
                arriving("u1", 3, "cam-2", 6_000),
                arriving("u2", 1, "cam-9", 900_000),
            ],
        );
        let h = indicators(&options(vec![p], vec![], Period::Month))
            .unwrap()
            .hits
            .unwrap();
        let median = |c: &HitCounts| c.delay_median_s;
        assert_eq!(median(&h.units["u1"]), Some(4.0));
        assert_eq!(median(&h.units["u2"]), Some(900.0));
        assert_eq!(median(&h.cameras["cam-1"]), Some(3.0));
        assert_eq!(median(&h.total), Some(5.0)); // 4 and 6 s, the middle two
        assert_eq!(median(&h.periods["2026-01"].counts), Some(5.0));
    }

    #[test]
    fn a_hit_or_decision_dated_after_its_arrival_counts_at_its_arrival() {
        let dir = tempfile::tempdir().unwrap();
        // A unit whose clock is 200 years ahead; a gate that took it so.
        let ahead = 7_258_118_400_000u64; // 2200-01-01
        let h = hit(("u1", 1, "aa"), JAN5, "cam-1", (1, 2, 0, false)).replacen(
            &format!("\"time\":{JAN5}"),
            &format!("\"time\":{ahead}"),
            1,
        );
        let d = decision("u1/1/wpr", "dispatch", "rule", 1, 1, ahead).replacen(
            &format!("\"received\":{}", ahead + 1_500),
            &format!("\"received\":{JAN5}"),
            1,
        );
        let (hp, dp) = (
            write(dir.path(), "h.jsonl", &[h]),
            write(dir.path(), "d.jsonl", &[d]),
        );
        let x = indicators(&options(vec![hp], vec![dp], Period::Year)).unwrap();
        let years = |m: Vec<&String>| m.into_iter().cloned().collect::<Vec<_>>();
        assert_eq!(years(x.hits.unwrap().periods.keys().collect()), ["2026"]);
        assert_eq!(
            years(x.decisions.unwrap().periods.keys().collect()),
            ["2026"]
        );
    }

    #[test]
    fn a_day_bound_is_a_day_and_a_bad_one_is_named() {
        assert_eq!(bound("2026-01-05", false).unwrap(), JAN5);
        assert_eq!(bound("2026-01-05", true).unwrap(), JAN5 + DAY);
        assert_eq!(bound("2026-01-05T01:00:00+01:00", true).unwrap(), JAN5);
        let e = bound("2026-13-05", false).unwrap_err().to_string();
        assert!(e.contains("2026-13-05") && e.contains("YYYY-MM-DD"), "{e}");
        assert_eq!(Period::Year.label(JAN5), "2026");
        assert_eq!(Period::Day.label(JAN5 - 1), "2026-01-04");
    }
}
