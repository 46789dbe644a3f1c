//! Scores forwarded hits against the generator's ground truth.
//!
//! A hit is linked to the truth passage at its camera whose frames span its
//! time (the passage with the listed plate first, when two overlap). Per
//! priority:
//!
//! * **recall**: passages that should have been dispatched (`expect =
//!   dispatch`) and were (or the car was, from a passage at another
//!   camera that began within [`SAME_SIGHTING_MS`]: the other lane);
//! * **precision**: forwarded hits whose passage is a vehicle that really
//!   carries the listed plate; **dispatch precision** the same for
//!   dispatches alone;
//! * **dispatched decoys**: dispatches of a look-alike car;
//! * **duplicate dispatches**: a dispatch of a plate already dispatched
//!   within the re-alert window (40 minutes);
//! * **late dispatches**: dispatches of passages that arrived too late.
//!
//! And why: each passage that should have been dispatched and was not is
//! a miss **reviewed** (forwarded for review only: a look-alike verdict,
//! lateness, capacity), **repeat** (nothing forwarded, its listed plate
//! dispatched less than the re-alert window before for another car: a
//! look-alike, or no listed car at all), **one frame** (nothing forwarded, and the camera
//! read it once: no consensus can mend that frame), or **unmatched**
//! (nothing forwarded from several frames); each dispatch that is not real
//! is a **decoy** (a look-alike car; **one frame** when the camera read it
//! once, the case no method can decide), **unrelated** (no listed or decoy
//! car there), or a **split** passage (a second hit for a passage already
//! forwarded: its frames were decided in two parts).
//!
//! A passage the truth expects dispatched that the unit held as a repeat
//! of a real dispatch of the *same car* within the window is no miss: the
//! truth's clock started at an earlier passage the unit missed (counted
//! as that miss), and the unit's at a later one; dispatching it would be
//! a duplicate. Such passages are counted apart (`held_repeats`) and left
//! out of recall.
//!
//! And which: [`Evaluation::cases`] lists each miss and each dispatch
//! that was wrong, a duplicate or late, one by one, with the hit and the
//! passage behind it (`hitgate eval --cases`; with [`attach_reads`], the
//! passage's reads as the camera sent them), so that a working group
//! sees the plates behind the counts.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use serde::{Deserialize, Serialize};

use crate::formats::HitLine;
use crate::formats::TruthPassage;
use crate::time::parse_ts;

mod cases;
mod gate;

pub use self::cases::*;
pub use self::gate::*;

/// The re-alert window eval counts duplicates in.
pub const DUPLICATE_WINDOW_MS: u64 = 40 * 60_000;

/// Passages of one car this close (first frames) are one sighting: the
/// two lanes' cameras of one road reading it at once. A dispatch from
/// either is the dispatch the truth expects of the first.
pub const SAME_SIGHTING_MS: u64 = 5_000;

/// Scores of one priority.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Scores {
    /// Passages that should have been dispatched.
    pub should_dispatch: u64,
    /// Of those, dispatched.
    pub dispatched_right: u64,
    /// Recall (1 when nothing should have been).
    pub recall: f64,
    /// Forwarded hits.
    pub forwarded: u64,
    /// Of those, real.
    pub real: u64,
    /// Precision (1 when nothing was forwarded).
    pub precision: f64,
    /// Dispatched hits.
    pub dispatched: u64,
    /// Of those, real.
    pub dispatched_real: u64,
    /// Dispatch precision: the share of dispatches that are real (1 when
    /// nothing was dispatched).
    pub dispatch_precision: f64,
    /// Dispatches of decoys.
    pub dispatched_decoys: u64,
    /// Dispatches not linked to any listed or decoy passage (a fuzzy match on
    /// an unrelated car).
    pub dispatched_unrelated: u64,
    /// Dispatches repeating one within the window.
    pub duplicate_dispatches: u64,
    /// Dispatches of late passages.
    pub late_dispatches: u64,
    /// Misses forwarded for review only.
    pub missed_reviewed: u64,
    /// Misses with nothing forwarded, the listed plate dispatched within
    /// the re-alert window before for another car (a look-alike, or no
    /// listed car at all).
    pub missed_repeat: u64,
    /// Passages the truth expects dispatched that the unit held as a
    /// repeat of a real dispatch of the same car less than the re-alert
    /// window before (made for a passage the truth calls a repeat, after
    /// an earlier miss): not in `should_dispatch`, since dispatching them
    /// would be a duplicate dispatch; the earlier miss is counted.
    #[serde(default)]
    pub held_repeats: u64,
    /// Misses with nothing forwarded, read in one frame.
    pub missed_one_frame: u64,
    /// Misses with nothing forwarded, read in several frames.
    pub missed_unmatched: u64,
    /// Of the decoy dispatches, those of one-frame passages.
    pub dispatched_decoys_one_frame: u64,
    /// Of the unrelated dispatches, those of a car the camera sent in one
    /// frame: known only from the reads file (`hitgate eval --reads`,
    /// [`count_unrelated_one_frame`]), absent without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispatched_unrelated_one_frame: Option<u64>,
    /// Hits forwarded for a passage that already had one.
    pub split_hits: u64,
}

/// The hits one rule of the matrix forwarded (by the rule's name in the
/// hits), and how many were a vehicle that really carries the listed
/// plate: what each of the working group's rules sends where.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct RuleScores {
    /// Dispatches.
    pub dispatched: u64,
    /// Of those, real.
    pub dispatched_real: u64,
    /// Reviews (throttled, late and look-alike verdicts included).
    pub reviewed: u64,
    /// Of those, real.
    pub reviewed_real: u64,
}

/// Dispatch latency of one camera's hits.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Latency {
    /// Dispatches with a decision time.
    pub dispatches: u64,
    /// Median, ms.
    pub median_ms: u64,
    /// 99th percentile, ms.
    pub p99_ms: u64,
}

/// The median and the 99th percentile of sorted values: the value at
/// index `n × q / 100` (of an even count, the upper of the two middle
/// ones is the median); `None` when there are none.
fn median_p99(sorted: &[u64]) -> Option<(u64, u64)> {
    let at = |q: usize| sorted.get((sorted.len() * q / 100).min(sorted.len().saturating_sub(1)));
    Some((*at(50)?, *at(99)?))
}

/// The evaluation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Evaluation {
    /// Per priority, `P0`..`P4`.
    pub by_priority: BTreeMap<String, Scores>,
    /// Per rule that forwarded a hit, by name.
    #[serde(default)]
    pub by_rule: BTreeMap<String, RuleScores>,
    /// All priorities together.
    pub total: Scores,
    /// Dispatch latency (decision time minus first-read time), ms: median.
    pub latency_median_ms: Option<u64>,
    /// 99th percentile.
    pub latency_p99_ms: Option<u64>,
    /// The same per camera, by the hit's camera: a camera whose reads
    /// reach the unit late (a mobile unit's uplink gap) shows here, apart
    /// from the unit's own wait.
    #[serde(default)]
    pub latency_by_camera: BTreeMap<String, Latency>,
    /// Each miss and each dispatch that was wrong, a duplicate or late,
    /// in time order (not in the scores' JSON: `hitgate eval --cases`
    /// writes them, a line each).
    #[serde(skip)]
    pub cases: Vec<Case>,
}

/// The lines of a JSON Lines file, each with its line number.
pub(super) fn read_jsonl<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<(u64, T)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map(|v| (i as u64 + 1, v))
                .map_err(|e| anyhow!("{}:{}: {e}", path.display(), i + 1))
        })
        .collect()
}

/// Checks what scoring relies on, naming the file and line: every hit's
/// times parse and its `seq` is its own; every truth passage's times parse.
fn check_lines(
    hits_path: &Path,
    hits: &[(u64, HitLine)],
    truth_path: &Path,
    truth: &[(u64, TruthPassage)],
) -> Result<()> {
    let mut seen: BTreeMap<u32, u64> = BTreeMap::new();
    for (line, h) in hits {
        let at = || format!("{}:{line}", hits_path.display());
        parse_ts(&h.ts).with_context(|| format!("{}: ts", at()))?;
        if let Some(d) = h.decided.as_deref() {
            parse_ts(d).with_context(|| format!("{}: decided", at()))?;
        }
        if let Some(first) = seen.insert(h.seq, *line) {
            anyhow::bail!(
                "{}: seq {} already used at line {first}; a hits file has each seq once",
                at(),
                h.seq
            );
        }
    }
    for (line, p) in truth {
        let at = || format!("{}:{line}", truth_path.display());
        parse_ts(&p.first).with_context(|| format!("{}: first", at()))?;
        parse_ts(&p.last).with_context(|| format!("{}: last", at()))?;
    }
    Ok(())
}

fn finish(s: &mut Scores) {
    s.recall = if s.should_dispatch == 0 {
        1.0
    } else {
        s.dispatched_right as f64 / s.should_dispatch as f64
    };
    s.precision = if s.forwarded == 0 {
        1.0
    } else {
        s.real as f64 / s.forwarded as f64
    };
    s.dispatch_precision = if s.dispatched == 0 {
        1.0
    } else {
        s.dispatched_real as f64 / s.dispatched as f64
    };
}

fn add(t: &mut Scores, s: &Scores) {
    t.should_dispatch += s.should_dispatch;
    t.dispatched_right += s.dispatched_right;
    t.forwarded += s.forwarded;
    t.real += s.real;
    t.dispatched += s.dispatched;
    t.dispatched_real += s.dispatched_real;
    t.dispatched_decoys += s.dispatched_decoys;
    t.dispatched_unrelated += s.dispatched_unrelated;
    t.duplicate_dispatches += s.duplicate_dispatches;
    t.late_dispatches += s.late_dispatches;
    t.missed_reviewed += s.missed_reviewed;
    t.missed_repeat += s.missed_repeat;
    t.held_repeats += s.held_repeats;
    t.missed_one_frame += s.missed_one_frame;
    t.missed_unmatched += s.missed_unmatched;
    t.dispatched_decoys_one_frame += s.dispatched_decoys_one_frame;
    t.split_hits += s.split_hits;
}

/// With the cases' reads ([`attach_reads`]): counts, per priority and in
/// all, the unrelated dispatches whose car the camera sent in one frame.
/// Like a decoy read once, no method can tell such a frame from the listed
/// car misread: together they are the cases no method can decide.
pub fn count_unrelated_one_frame(e: &mut Evaluation) {
    let mut n = [0u64; 5];
    for c in e
        .cases
        .iter()
        .filter(|c| c.case == "dispatch" && c.why == "unrelated" && c.reads.len() == 1)
    {
        if let Some(k) = n.get_mut(usize::from(c.priority)) {
            *k += 1;
        }
    }
    for (i, k) in n.iter().enumerate() {
        if let Some(s) = e.by_priority.get_mut(&format!("P{i}")) {
            s.dispatched_unrelated_one_frame = Some(*k);
        }
    }
    e.total.dispatched_unrelated_one_frame = Some(n.iter().sum());
}

/// A dispatch, as the misses after it look it up.
struct Dispatched<'a> {
    at: u64,
    hit: &'a HitLine,
    /// The vehicle, when it really carries the listed plate.
    vehicle: Option<u64>,
}

/// Scores `hits` (hits.jsonl) against `truth` (truth.jsonl).
pub fn evaluate(hits: &Path, truth: &Path) -> Result<Evaluation> {
    let (hits_path, truth_path) = (hits, truth);
    let hits: Vec<(u64, HitLine)> = read_jsonl(hits_path)?;
    let truth: Vec<(u64, TruthPassage)> = read_jsonl(truth_path)?;
    check_lines(hits_path, &hits, truth_path, &truth)?;
    let hits: Vec<HitLine> = hits.into_iter().map(|h| h.1).collect();
    let truth: Vec<TruthPassage> = truth.into_iter().map(|t| t.1).collect();
    evaluate_lines(&hits, &truth)
}

/// Scores parsed lines. A duplicate `seq` or a time that does not parse is
/// an error.
pub fn evaluate_lines(hits: &[HitLine], truth: &[TruthPassage]) -> Result<Evaluation> {
    struct T<'a> {
        p: &'a TruthPassage,
        first: u64,
        last: u64,
    }
    // Keyed as the unit names the camera: a long id folded.
    let mut by_camera: BTreeMap<std::borrow::Cow<'_, str>, Vec<T<'_>>> = BTreeMap::new();
    for p in truth {
        let first = parse_ts(&p.first)?;
        let last = parse_ts(&p.last)?;
        by_camera
            .entry(crate::reads::unit_camera(&p.camera))
            .or_default()
            .push(T { p, first, last });
    }
    let mut scores: [Scores; 5] = Default::default();
    let mut dispatched_passages = std::collections::BTreeSet::new();
    // (vehicle, first frame) of each passage dispatched for real.
    let mut sightings: Vec<(u64, u64)> = Vec::new();
    let mut forwarded_for: BTreeMap<u64, u32> = BTreeMap::new();
    let mut first_hit: BTreeMap<u64, &HitLine> = BTreeMap::new();
    let mut cases: Vec<Case> = Vec::new();
    // Per listed plate, each dispatch.
    let mut dispatched_at: BTreeMap<&str, Vec<Dispatched<'_>>> = BTreeMap::new();
    let mut last_dispatch: BTreeMap<&str, u64> = BTreeMap::new();
    let mut latencies = Vec::new();
    let mut by_camera_latency: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut by_rule: BTreeMap<String, RuleScores> = BTreeMap::new();
    let mut sorted: Vec<&HitLine> = hits.iter().collect();
    let mut times: BTreeMap<u32, u64> = BTreeMap::new();
    for h in hits {
        let t = parse_ts(&h.ts).with_context(|| format!("hit seq {}: ts", h.seq))?;
        if times.insert(h.seq, t).is_some() {
            anyhow::bail!("hit seq {} appears twice", h.seq);
        }
    }
    sorted.sort_by_key(|h| (times.get(&h.seq).copied().unwrap_or(0), h.seq));
    for h in sorted {
        let ts = times.get(&h.seq).copied().unwrap_or(0);
        let s = &mut scores[usize::from(h.priority.min(4))];
        let linked = by_camera.get(h.camera.as_str()).and_then(|ps| {
            let mut c: Vec<&T<'_>> = ps
                .iter()
                .filter(|t| t.first <= ts && ts <= t.last)
                .collect();
            c.sort_by_key(|t| t.p.plate != h.listed);
            c.first().map(|t| t.p)
        });
        s.forwarded += 1;
        if let Some(p) = linked {
            let n = forwarded_for.entry(p.passage).or_insert(0u32);
            *n += 1;
            s.split_hits += u64::from(*n > 1);
            first_hit.entry(p.passage).or_insert(h);
        }
        let real = linked.is_some_and(|p| !p.decoy && p.plate == h.listed);
        s.real += u64::from(real);
        let r = by_rule.entry(h.rule.clone()).or_default();
        if h.action != "dispatch" {
            r.reviewed += 1;
            r.reviewed_real += u64::from(real);
            continue;
        }
        r.dispatched += 1;
        r.dispatched_real += u64::from(real);
        s.dispatched += 1;
        s.dispatched_real += u64::from(real);
        if let Some(d) = h.decided.as_deref() {
            let d = parse_ts(d).with_context(|| format!("hit seq {}: decided", h.seq))?;
            let latency = d.saturating_sub(ts);
            latencies.push(latency);
            by_camera_latency
                .entry(h.camera.as_str())
                .or_default()
                .push(latency);
        }
        let mut late = false;
        let why = match linked {
            Some(p) if p.decoy => {
                s.dispatched_decoys += 1;
                s.dispatched_decoys_one_frame += u64::from(p.frames == 1);
                if p.frames == 1 {
                    "decoy-one-frame"
                } else {
                    "decoy"
                }
            }
            Some(p) => {
                if p.late {
                    s.late_dispatches += 1;
                    late = true;
                }
                if real {
                    dispatched_passages.insert(p.passage);
                    if let Ok(first) = parse_ts(&p.first) {
                        sightings.push((p.vehicle, first));
                    }
                    "real"
                } else {
                    "other-plate"
                }
            }
            None => {
                s.dispatched_unrelated += 1;
                "unrelated"
            }
        };
        dispatched_at
            .entry(h.listed.as_str())
            .or_default()
            .push(Dispatched {
                at: ts,
                hit: h,
                vehicle: linked.filter(|_| real).map(|p| p.vehicle),
            });
        let duplicate = last_dispatch
            .get(h.listed.as_str())
            .is_some_and(|&t| ts.abs_diff(t) < DUPLICATE_WINDOW_MS);
        s.duplicate_dispatches += u64::from(duplicate);
        last_dispatch.insert(h.listed.as_str(), ts);
        if !real || duplicate || late {
            cases.push(Case {
                case: "dispatch",
                why,
                priority: h.priority.min(4),
                duplicate,
                late,
                hit: Some(CaseHit::of(h)),
                passage: linked.map(CasePassage::of),
                reads: Vec::new(),
                car: None,
                at: ts,
            });
        }
    }
    for p in truth.iter().filter(|p| p.expect == "dispatch") {
        let s = &mut scores[usize::from(p.priority.unwrap_or(4).min(4))];
        let same_sighting = || {
            parse_ts(&p.first).is_ok_and(|first| {
                sightings
                    .iter()
                    .any(|&(v, t)| v == p.vehicle && t.abs_diff(first) <= SAME_SIGHTING_MS)
            })
        };
        if dispatched_passages.contains(&p.passage) || same_sighting() {
            s.should_dispatch += 1;
            s.dispatched_right += 1;
            continue;
        }
        let first = parse_ts(&p.first).ok();
        // The latest dispatch of its plate within the re-alert window
        // before it: what held it as a repeat.
        let before = first.and_then(|first| {
            dispatched_at.get(p.plate.as_str()).and_then(|ds| {
                ds.iter()
                    .rev()
                    .find(|d| d.at < first && first - d.at < DUPLICATE_WINDOW_MS)
            })
        });
        let forwarded = first_hit.get(&p.passage);
        if forwarded.is_none() && before.is_some_and(|d| d.vehicle == Some(p.vehicle)) {
            // The car itself was dispatched within the window: holding
            // this passage was right, whatever the truth's own clock says.
            s.held_repeats += 1;
            continue;
        }
        s.should_dispatch += 1;
        let (why, hit) = if let Some(&h) = forwarded {
            s.missed_reviewed += 1;
            ("reviewed", Some(h))
        } else if let Some(d) = before {
            s.missed_repeat += 1;
            ("repeat", Some(d.hit))
        } else if p.frames == 1 {
            s.missed_one_frame += 1;
            ("one-frame", None)
        } else {
            s.missed_unmatched += 1;
            ("unmatched", None)
        };
        cases.push(Case {
            case: "missed",
            why,
            priority: p.priority.unwrap_or(4).min(4),
            hit: hit.map(CaseHit::of),
            passage: Some(CasePassage::of(p)),
            at: first.unwrap_or(0),
            ..Case::default()
        });
    }
    let mut eval = Evaluation::default();
    for (i, s) in scores.iter_mut().enumerate() {
        add(&mut eval.total, s);
        finish(s);
        eval.by_priority.insert(format!("P{i}"), s.clone());
    }
    finish(&mut eval.total);
    eval.by_rule = by_rule;
    cases.sort_by_key(|c| c.at);
    eval.cases = cases;
    latencies.sort_unstable();
    if let Some((m, p)) = median_p99(&latencies) {
        (eval.latency_median_ms, eval.latency_p99_ms) = (Some(m), Some(p));
    }
    for (camera, mut l) in by_camera_latency {
        l.sort_unstable();
        if let Some((median_ms, p99_ms)) = median_p99(&l) {
            let dispatches = l.len() as u64;
            eval.latency_by_camera.insert(
                camera.to_string(),
                Latency {
                    dispatches,
                    median_ms,
                    p99_ms,
                },
            );
        }
    }
    Ok(eval)
}

/// A table for people.
pub fn render(e: &Evaluation) -> String {
    let mut s = String::from(
        "priority  should  dispatched  recall  forwarded  real  precision  dispatches  real  precision  decoys  unrelated  duplicates  late\n",
    );
    let row = |name: &str, x: &Scores| {
        format!(
            "{name:<8}  {:>6}  {:>10}  {:>6.3}  {:>9}  {:>4}  {:>9.3}  {:>10}  {:>4}  {:>9.3}  {:>6}  {:>9}  {:>10}  {:>4}\n",
            x.should_dispatch,
            x.dispatched_right,
            x.recall,
            x.forwarded,
            x.real,
            x.precision,
            x.dispatched,
            x.dispatched_real,
            x.dispatch_precision,
            x.dispatched_decoys,
            x.dispatched_unrelated,
            x.duplicate_dispatches,
            x.late_dispatches
        )
    };
    s += &rows(e, row);
    s += &render_why(e);
    s += &render_rules(e);
    if e.total.held_repeats > 0 {
        s += &format!(
            "held as repeats of the car's own dispatch (not counted as expected): {}\n",
            e.total.held_repeats
        );
    }
    if let (Some(m), Some(p)) = (e.latency_median_ms, e.latency_p99_ms) {
        s += &format!("dispatch latency: median {m} ms, p99 {p} ms\n");
    }
    if e.latency_by_camera.len() > 1 {
        s += "camera            dispatches  latency-median-ms  latency-p99-ms\n";
        for (camera, l) in &e.latency_by_camera {
            s += &format!(
                "{camera:<16}  {:>10}  {:>17}  {:>14}\n",
                l.dispatches, l.median_ms, l.p99_ms
            );
        }
    }
    s
}

/// Why passages were missed and dispatches were wrong, per priority.
fn render_why(e: &Evaluation) -> String {
    let s = String::from(
        "why       missed  reviewed  repeat  one-frame  unmatched  wrong-dispatches  decoys  one-frame  unrelated  one-frame  split-hits\n",
    );
    let row = |name: &str, x: &Scores| {
        let unrelated_one = x
            .dispatched_unrelated_one_frame
            .map_or_else(|| "-".to_string(), |n| n.to_string());
        format!(
            "{name:<8}  {:>6}  {:>8}  {:>6}  {:>9}  {:>9}  {:>16}  {:>6}  {:>9}  {:>9}  {:>9}  {:>10}\n",
            x.should_dispatch.saturating_sub(x.dispatched_right),
            x.missed_reviewed,
            x.missed_repeat,
            x.missed_one_frame,
            x.missed_unmatched,
            x.dispatched.saturating_sub(x.dispatched_real),
            x.dispatched_decoys,
            x.dispatched_decoys_one_frame,
            x.dispatched_unrelated,
            unrelated_one,
            x.split_hits
        )
    };
    s + &rows(e, row)
}

/// What each rule forwarded, and how much of it was real.
fn render_rules(e: &Evaluation) -> String {
    let mut s = String::from("rule                            dispatches  real  reviews  real\n");
    for (name, r) in &e.by_rule {
        s += &format!(
            "{name:<30}  {:>10}  {:>4}  {:>7}  {:>4}\n",
            r.dispatched, r.dispatched_real, r.reviewed, r.reviewed_real
        );
    }
    s
}

/// A row per priority, then one for all together.
fn rows(e: &Evaluation, row: impl Fn(&str, &Scores) -> String) -> String {
    e.by_priority
        .iter()
        .map(|(k, v)| row(k, v))
        .chain([row("all", &e.total)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_have_as_many_columns_as_the_header() {
        let mut e = Evaluation::default();
        for p in 0..5 {
            e.by_priority.insert(format!("P{p}"), Scores::default());
        }
        e.by_rule.insert("a-rule".into(), RuleScores::default());
        let table = render(&e);
        let (main, rest) = table.split_at(table.find("why").unwrap());
        let (why, rules) = rest.split_at(rest.find("rule ").unwrap());
        for (part, columns) in [(main, 14), (why, 12), (rules, 5)] {
            let mut lines = part.lines();
            let header = lines.next().map_or(0, |h| h.split_whitespace().count());
            assert_eq!(header, columns);
            for line in lines {
                assert_eq!(line.split_whitespace().count(), header, "{line}");
            }
        }
    }
}
