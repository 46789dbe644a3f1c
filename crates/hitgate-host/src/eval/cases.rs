//! Each miss and each dispatch that was wrong, a duplicate or late, one
//! by one ([`Evaluation::cases`](super::Evaluation::cases)), with the
//! reads behind them (`hitgate eval --cases`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::formats::{HitLine, TruthPassage};
use crate::time::parse_ts;

/// One miss, or one dispatch that was wrong, a duplicate or late: what
/// [`Evaluation::cases`](super::Evaluation::cases) lists (a line of
/// `hitgate eval --cases`).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Case {
    /// `missed` (a passage that should have been dispatched and was
    /// not) or `dispatch`.
    pub case: &'static str,
    /// For a miss: `reviewed`, `repeat`, `one-frame` or `unmatched`; for a
    /// dispatch: `decoy`, `decoy-one-frame`, `unrelated` (no listed or
    /// decoy car there), `other-plate` (a car there that does not carry
    /// the listed plate) or `real` (listed for being a duplicate or
    /// late).
    pub why: &'static str,
    /// The priority it is counted under.
    pub priority: u8,
    /// A dispatch that repeats one of the same plate within the re-alert
    /// window.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub duplicate: bool,
    /// A dispatch of a passage that arrived too late.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
    /// The hit: the dispatch itself, the first hit forwarded for a
    /// reviewed miss, the dispatch that held a repeat.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hit: Option<CaseHit>,
    /// The passage (none for a dispatch where no listed or decoy car
    /// passed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passage: Option<CasePassage>,
    /// With [`attach_reads`]: the passage's reads as the camera sent
    /// them, in the file's order. For a dispatch with no truth passage,
    /// those of the passage whose read it was.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<CaseRead>,
    /// With [`attach_reads`], for a dispatch with no truth passage: the
    /// plate the car really carries, as the reads file says (`truth`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub car: Option<String>,
    /// Milliseconds since the epoch: the hit's time for a dispatch, the
    /// passage's first frame for a miss (the order of the list).
    #[serde(skip)]
    pub(super) at: u64,
}

/// A read of a [`Case`]'s passage.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CaseRead {
    /// As the camera sent it.
    pub plate: String,
    /// The engine's confidence, if it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<u8>,
}

/// The hit of a [`Case`], as `hits.jsonl` gives it.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CaseHit {
    /// Its `seq`.
    pub seq: u32,
    /// First read.
    pub ts: String,
    /// Camera.
    pub camera: String,
    /// The plate read.
    pub read: String,
    /// The listed plate it matched.
    pub listed: String,
    /// Its list.
    pub list: String,
    /// `exact`, `ocr` or `edit`.
    pub kind: String,
    /// Reads it rests on.
    pub reads: u16,
    /// `dispatch` or `review`.
    pub action: String,
    /// The rule that decided it.
    pub rule: String,
    /// Why it was decided so.
    pub reason: String,
}

impl CaseHit {
    pub(super) fn of(h: &HitLine) -> Self {
        Self {
            seq: h.seq,
            ts: h.ts.clone(),
            camera: h.camera.clone(),
            read: h.read.clone(),
            listed: h.listed.clone(),
            list: h.list.clone(),
            kind: h.kind.clone(),
            reads: h.reads,
            action: h.action.clone(),
            rule: h.rule.clone(),
            reason: h.reason.clone(),
        }
    }
}

/// The truth passage of a [`Case`].
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CasePassage {
    /// Its id (the reads' `passage`).
    pub id: u64,
    /// Camera.
    pub camera: String,
    /// First frame.
    pub first: String,
    /// The plate the car really carries.
    pub plate: String,
    /// A look-alike car on no list.
    pub decoy: bool,
    /// The lists the car is on.
    pub lists: Vec<String>,
    /// Frames the camera sent (0: not recorded).
    pub frames: u32,
}

impl CasePassage {
    pub(super) fn of(p: &TruthPassage) -> Self {
        Self {
            id: p.passage,
            camera: p.camera.clone(),
            first: p.first.clone(),
            plate: p.plate.clone(),
            decoy: p.decoy,
            lists: p.lists.clone(),
            frames: p.frames,
        }
    }
}

/// Adds to each case the reads of its passage, from a reads file that
/// names them (`passage`, as `hitgate gen` writes it; lines without one
/// are passed over): JSON Lines, optionally gzip. A dispatch with no
/// truth passage (`unrelated`) gets the reads of the passage its hit's
/// first read belongs to (same camera and time), and the plate that car
/// really carries (the read's `truth`).
pub fn attach_reads(cases: &mut [Case], reads: &Path) -> Result<()> {
    #[derive(Deserialize)]
    struct Line {
        ts: String,
        camera: String,
        #[serde(flatten)]
        read: CaseRead,
        passage: Option<u64>,
        truth: Option<String>,
    }
    // The hits of dispatches with no truth passage, by (camera, time).
    // (Two hits of one read, a passage decided in two parts, share a key.)
    let mut unlinked: BTreeMap<(&str, u64), Vec<usize>> = BTreeMap::new();
    for (i, c) in cases
        .iter()
        .enumerate()
        .filter(|(_, c)| c.passage.is_none())
    {
        if let Some(h) = &c.hit
            && let Ok(at) = parse_ts(&h.ts)
        {
            unlinked.entry((h.camera.as_str(), at)).or_default().push(i);
        }
    }
    let mut found: BTreeMap<usize, (Option<u64>, Option<String>)> = BTreeMap::new();
    let mut by_passage: BTreeMap<u64, Vec<CaseRead>> = BTreeMap::new();
    let input = crate::input::Input::open(reads)?;
    for (i, line) in std::io::BufRead::lines(input.reader).enumerate() {
        let line = line.with_context(|| format!("{}: read error after line {i}", input.name))?;
        if line.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(&line)
            .with_context(|| format!("{} line {}: not a read", input.name, i + 1))?;
        if !unlinked.is_empty() {
            let at =
                parse_ts(&l.ts).with_context(|| format!("{} line {}: ts", input.name, i + 1))?;
            let camera = crate::reads::unit_camera(&l.camera);
            for &c in unlinked.get(&(&*camera, at)).into_iter().flatten() {
                found
                    .entry(c)
                    .or_insert_with(|| (l.passage, l.truth.clone()));
            }
        }
        if let Some(p) = l.passage {
            by_passage.entry(p).or_default().push(l.read);
        }
    }
    for (i, c) in cases.iter_mut().enumerate() {
        let (id, car) = match (&c.passage, found.remove(&i)) {
            (Some(p), _) => (Some(p.id), None),
            (None, Some((id, car))) => (id, car),
            (None, None) => (None, None),
        };
        if let Some(r) = id.and_then(|id| by_passage.get(&id)) {
            c.reads.clone_from(r);
        }
        c.car = car;
    }
    Ok(())
}

/// Writes cases as JSON Lines, a case a line (`docs/formats.md`, "Eval
/// cases").
pub fn write_cases(cases: &[Case], path: &Path) -> Result<()> {
    let mut text = String::new();
    for c in cases {
        text += &serde_json::to_string(c)?;
        text.push('\n');
    }
    std::fs::write(path, text).with_context(|| format!("{}: cannot write", path.display()))
}
