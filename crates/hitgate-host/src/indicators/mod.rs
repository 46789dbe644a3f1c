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

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Result, anyhow};
use hitgate_core::place::Offsets;
use serde::Serialize;

use crate::time::{format_ts, parse_ts};

mod count;
mod lines;
pub mod page;
mod text;

pub use text::render;

use lines::{ACTION_DISPATCH, ACTION_REVIEW, HitLine};

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
        out.hits = Some(count::hits(opts, &mut out)?);
    }
    if !opts.decisions.is_empty() {
        out.decisions = Some(count::decisions(opts, &mut out)?);
    }
    Ok(out)
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

#[cfg(test)]
mod tests;
