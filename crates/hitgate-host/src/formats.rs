//! The host's file formats (`docs/formats.md`) as types: a line of
//! `hits.jsonl`, `report.json` and its parts, and a line of `truth.jsonl`.
//! The commands that write and read them (`replay`, `chart`, `summary`,
//! `eval`, `gen`) all import them from here; and how a JSON Lines file
//! is opened to be appended to (`open_for_append`).

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::{Context, Result};

use hitgate_core::hit::Hit;
use hitgate_core::indicators::Indicators;
use hitgate_core::policy::Policy;
use serde::{Deserialize, Serialize};

use crate::time::format_ts;

/// Bad lines, the first few in full.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct InputStats {
    /// Lines read (blank lines excluded).
    pub lines: u64,
    /// Lines that could not be parsed or that the core rejected.
    pub bad_lines: u64,
    /// The first [`MAX_REPORTED_ERRORS`] of them, in line order.
    pub errors: Vec<LineError>,
    /// Reads whose confidence lies strictly between 0 and 1 (see
    /// [`crate::reads::StreamStats`]).
    #[serde(default)]
    pub confidence_fractions: u64,
    /// The last read received is older than the first by more than the
    /// policy's `max_lateness_ms`: a recording sorted newest first.
    #[serde(default)]
    pub runs_backwards: bool,
    /// Reads whose event time was written without a UTC offset
    /// (`2026-01-05 08:00:00`), read as `naive_times` says.
    #[serde(default)]
    pub times_without_offset: u64,
    /// List entries whose `valid_from` or `valid_until` was written
    /// without a UTC offset, read as `naive_times` says.
    #[serde(default)]
    pub list_times_without_offset: u64,
    /// How those were read, as stated (`--naive-times`); `None`: not
    /// stated, read as UTC.
    #[serde(default)]
    pub naive_times: Option<crate::reads::NaiveTimes>,
    /// Camera ids longer than the unit keeps, which it folds: hits and the
    /// report's cameras name them folded, this maps them back.
    #[serde(default)]
    pub folded_cameras: crate::reads::FoldedCameras,
    /// With cameras folded: the policy's camera prefixes (`"BXL-NORD-*"`)
    /// longer than a folded id keeps, which never match those cameras.
    #[serde(default)]
    pub prefixes_beyond_fold: Vec<String>,
}

/// Bad lines reported in full; the rest are counted.
pub const MAX_REPORTED_ERRORS: usize = 10;

/// One bad line.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LineError {
    /// The read file, when the run read several (`--reads` more than
    /// once); absent for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Line number, from 1.
    pub line: u64,
    /// What is wrong.
    pub error: String,
}

impl LineError {
    /// Puts `errors` of the read files `files` in the files' order, each
    /// file's by line: a read the arrival clock held comes out after
    /// later lines.
    pub fn sort(errors: &mut [LineError], files: &[std::path::PathBuf]) {
        let file = |e: &LineError| {
            e.file.as_ref().map_or(0, |f| {
                let named = files.iter().position(|p| p.display().to_string() == *f);
                named.unwrap_or(files.len())
            })
        };
        errors.sort_by_key(|e| (file(e), e.line));
    }

    /// The error of the line at `at` of the read files `files` (named
    /// only when there are several).
    pub fn at(at: crate::reads::At, files: &[std::path::PathBuf], error: String) -> Self {
        Self {
            file: (files.len() > 1)
                .then(|| files.get(at.file).map(|p| p.display().to_string()))
                .flatten(),
            line: at.line,
            error,
        }
    }
}

/// Replay timing.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct Timing {
    /// Wall-clock seconds to load and index the lists.
    pub index_seconds: f64,
    /// Wall-clock seconds of the replay itself (reading, deciding, writing).
    pub seconds: f64,
    /// Reads per second.
    pub reads_per_second: f64,
}

/// One camera's counters, named.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CameraReport {
    /// Camera id.
    pub camera: String,
    /// Reads.
    pub reads: u64,
    /// Matched reads.
    pub matched: u64,
    /// Dispatched hits.
    pub dispatched: u64,
    /// Reviewed hits.
    pub reviewed: u64,
}

/// Passages one rule of the matrix decided.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct RuleCount {
    /// The rule's index in the policy, from 0 (`None`: the fallback, no
    /// rule applied: drop).
    pub rule: Option<usize>,
    /// Its name (`fallback` for the fallback).
    pub name: String,
    /// Passages it decided.
    pub decided: u64,
}

/// `report.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The core's counters.
    pub indicators: Indicators,
    /// Passages each rule decided, in the policy's order, the fallback
    /// last: keyed by index, so two rules can never share a count.
    pub by_rule: Vec<RuleCount>,
    /// Rejected reads by reason.
    pub rejected: BTreeMap<String, u64>,
    /// Per camera.
    pub cameras: Vec<CameraReport>,
    /// Input line counts and errors.
    pub input: InputStats,
    /// Forwarded hits written.
    pub hits: u64,
    /// List names by id.
    pub lists: Vec<String>,
    /// Timing (varies between runs).
    pub timing: Timing,
    /// Hits by minute: `[minute since epoch, [dispatch P0..P4], [review P0..P4]]`.
    #[serde(skip)]
    pub timeline: BTreeMap<u64, [[u64; 5]; 2]>,
    /// The outbox and uplink (`--state`, `--mqtt`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uplink: Option<crate::deliver::UplinkReport>,
    /// Lists whose tolerance would raise more hits a day on cars that
    /// stand on no list than `--max-false-per-day`, at this recording's
    /// traffic.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wide_lists: Vec<WideList>,
    /// What the policy's rules say against themselves
    /// ([`PolicyFile::notes`](crate::policy_file::PolicyFile::notes)), as
    /// loading it said them on standard error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_notes: Vec<String>,
}

/// A list too wide for the traffic of a replay (see `hitgate lists`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WideList {
    /// The list.
    pub list: String,
    /// Its share of plates like its entries, on no list, that it matches.
    pub share: f64,
    /// The recording's traffic, as passages a day.
    pub passages_per_day: u64,
    /// `share * passages_per_day`.
    pub false_hits_per_day: f64,
    /// Their 95 % interval: what the draw of 10,000 plates cannot tell
    /// apart (see `hitgate lists`).
    #[serde(default)]
    pub false_hits_per_day_95: [f64; 2],
}

/// One line of `hits.jsonl`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HitLine {
    /// Sequence number.
    pub seq: u32,
    /// Event time of the passage's first read.
    pub ts: String,
    /// Camera.
    pub camera: String,
    /// Plate as read (consensus plate in consensus mode).
    pub read: String,
    /// Reads in the passage.
    pub reads: u16,
    /// Listed plate.
    pub listed: String,
    /// Listed country.
    pub country: Option<String>,
    /// List name.
    pub list: String,
    /// Priority.
    pub priority: u8,
    /// `exact`, `ocr` or `edit`.
    #[serde(rename = "match")]
    pub kind: String,
    /// OCR-equivalent substitutions.
    pub ocr: u8,
    /// Other edits.
    pub edits: u8,
    /// `dispatch` or `review`.
    pub action: String,
    /// Deciding rule.
    pub rule: String,
    /// `rule`, `late`, `capacity` or `lookalike`.
    pub reason: String,
    /// Older than the maximum lateness.
    pub late: bool,
    /// Watchlist version.
    pub version: u32,
    /// The unit's clock when the hit was decided.
    #[serde(default)]
    pub decided: Option<String>,
    /// Latitude of a mobile unit.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lat: Option<f64>,
    /// Longitude of a mobile unit.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub lon: Option<f64>,
    /// The operation whose rule decided the hit.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub operation: Option<String>,
}

impl HitLine {
    /// The line for a core hit.
    pub fn new(h: &Hit, lists: &[String], policy: &Policy, decided: u64) -> Self {
        Self {
            seq: h.seq,
            ts: format_ts(h.time),
            camera: h.camera.as_str().into(),
            read: h.read.as_str().into(),
            reads: h.reads,
            listed: h.listed.as_str().into(),
            country: h.country.map(|c| c.as_str().into()),
            list: lists
                .get(h.list.index())
                .cloned()
                .unwrap_or_else(|| h.list.0.to_string()),
            priority: h.priority.get(),
            kind: h.kind.as_str().into(),
            ocr: h.distance.ocr,
            edits: h.distance.edits,
            action: h.action.as_str().into(),
            rule: policy.rule_name(h.rule).into(),
            reason: h.reason.as_str().into(),
            late: h.late,
            version: h.version,
            decided: Some(format_ts(decided)),
            lat: h.position.map(|p| f64::from(p.lat_e7) / 1e7),
            lon: h.position.map(|p| f64::from(p.lon_e7) / 1e7),
            operation: None,
        }
    }
}

/// One line of `truth.jsonl`: a passage of a listed vehicle or a decoy.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TruthPassage {
    /// Passage id (as in the reads' `passage` column).
    pub passage: u64,
    /// Camera.
    pub camera: String,
    /// Event time of the first and last frame (RFC 3339).
    pub first: String,
    /// Last frame.
    pub last: String,
    /// The vehicle's real plate (canonical).
    pub plate: String,
    /// Vehicle id.
    pub vehicle: u64,
    /// A decoy: unlisted, one look-alike from a listed plate.
    pub decoy: bool,
    /// Best priority among the lists the vehicle is validly on.
    pub priority: Option<u8>,
    /// Those lists.
    pub lists: Vec<String>,
    /// Whether it is also on a local list.
    pub local: bool,
    /// Arrived more than the maximum lateness after the first frame.
    pub late: bool,
    /// Frames the camera sent of it (0: not recorded).
    #[serde(default)]
    pub frames: u32,
    /// What an ideal filter under the Brussels baseline does: `dispatch`,
    /// `review` (late), `repeat` (dispatched within the re-alert window
    /// before), `drop`, or `none` (a decoy).
    pub expect: String,
    /// Who the zone gate should send it to when the matrix dispatches it
    /// (`dispatch`, `repeat`, or `review` for lateness): the recipients of
    /// the rule that would decide it, restated; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipients: Vec<String>,
}

/// Opens a JSON Lines file (`listen`'s hits, the gate's decisions, a
/// recipient's capture) for appending, created if need be; a last line
/// cut short by a killed run is ended first, so the next line starts on
/// its own.
pub(crate) fn open_for_append(path: &Path) -> Result<File> {
    let mut f = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .with_context(|| format!("{}: cannot open", path.display()))?;
    let len = f.seek(SeekFrom::End(0))?;
    if len > 0 {
        let mut last = [0u8];
        f.seek(SeekFrom::Start(len - 1))?;
        f.read_exact(&mut last)?;
        if last[0] != b'\n' {
            f.write_all(b"\n")?;
        }
    }
    Ok(f)
}
