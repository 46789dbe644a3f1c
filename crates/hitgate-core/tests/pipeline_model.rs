//! The pipeline against a simple reference model written with std
//! collections: same outcome sequence, same counters, for random streams
//! with repeats, out-of-order and late reads, several cameras and lists.
//!
//! The model reuses the core's `Watchlist::lookup` as its matcher (the
//! matcher has its own reference test); passages, the vote, the Brussels
//! matrix (with or without a rule on the reads a hit rests on first),
//! lateness, suppression and budgets are written again here.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use std::collections::{HashMap, VecDeque};

use hitgate_core::{
    budget::{Budget, Budgets},
    confusion::ConfusionClasses,
    distance::{Tolerance, distance},
    hit::{Outcome, Reason},
    indicators::{CameraStats, Indicators},
    list::{EntryId, ListEntry, ListId, ListSpec, Priority},
    passage::Passage,
    plate::Plate,
    policy::{Action, Policy, RuleId},
    read::Read,
    recent::{HeldFrame, PAIR_FRAMES, RECENT_FRAMES},
    suppress::SuppressSlot,
    syntax,
    unit::{Config, Mode, ReadStatus, Tables, Unit},
    watchlist::{Entry, Match, MatchKind, Matches, Watchlist, WatchlistBuilder},
};
use proptest::prelude::*;

const LISTED: [(&str, u8, u8); 9] = [
    // plate, priority, list (0 national, 1 local, 2 urgent)
    ("1ABC234", 1, 0),
    ("1ABD234", 2, 0),
    ("1ABD234", 2, 1),
    ("2XYZ555", 0, 2),
    ("2XYZ556", 3, 0),
    ("1QQQ100", 2, 0),
    ("1MMM777", 4, 0),
    ("AB123CD", 1, 0),
    ("1LLL888", 2, 1),
];

/// Plates the stream is made of: listed ones, look-alikes, edits, unlisted,
/// and frames too far to match but near a listed plate (evidence).
const READS: [&str; 27] = [
    "1ABC234", "1A8C234", "1ABC23", "1ABD234", "1A8D234", "2XYZ555", "2XYZ556", "2XY2555",
    "1QQQ100", "1MMM777", "AB123CD", "A8123CD", "9NOP000", "1LLL888", "1A8C2S4", "1ABC284",
    "A8I23C0", "1ABC2B4", "1A8CZ3A", "ZXY25S5", "2XYZSS", "1ABCE234", "2XYZ5556",
    // Frames of the local list's exact 1LLL888 that spell it only
    // together: two places apart, and a character apart in length.
    "1LXL888", "1LLX888", "1LLLB88", "1LL888",
];

fn p(s: &str) -> Plate {
    Plate::normalize(s.as_bytes()).unwrap()
}

fn watchlist() -> Watchlist<'static> {
    let n = LISTED.len();
    let mut b = WatchlistBuilder::new(
        vec![Entry::EMPTY; n].leak(),
        vec![0u32; n].leak(),
        ConfusionClasses::default(),
    );
    let ocr = Tolerance {
        ocr: 1,
        edits: 1,
        min_len: 5,
    };
    b.add_list(ListSpec {
        tolerance: ocr,
        local: false,
        evidence: None,
    })
    .unwrap();
    b.add_list(ListSpec {
        tolerance: Tolerance::EXACT,
        local: true,
        evidence: None,
    })
    .unwrap();
    // The urgent list keeps evidence to its own tolerance, narrower than
    // the unit's.
    b.add_list(ListSpec {
        tolerance: ocr,
        local: false,
        evidence: Some(ocr),
    })
    .unwrap();
    for (plate, prio, list) in LISTED {
        b.insert(ListEntry::new(
            p(plate),
            None,
            Priority::new(prio).unwrap(),
            ListId(list),
        ))
        .unwrap();
    }
    b.build().map_err(|(_, d)| d).unwrap()
}

#[derive(Debug, Clone)]
struct R {
    time: u64,
    now: u64,
    camera: &'static str,
    plate: &'static str,
    confidence: Option<u8>,
}

/// What the test compares: the outcome without sequence numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Out {
    Forward {
        time: u64,
        camera: String,
        read: String,
        reads: u16,
        listed: String,
        action: Action,
        reason: Reason,
        late: bool,
        rule: RuleId,
    },
    Dropped(RuleId),
    Suppressed(RuleId),
}

fn out_of(o: &Outcome) -> Out {
    match o {
        Outcome::Forward(h) => Out::Forward {
            time: h.time,
            camera: h.camera.as_str().into(),
            read: h.read.as_str().into(),
            reads: h.reads,
            listed: h.listed.as_str().into(),
            action: h.action,
            reason: h.reason,
            late: h.late,
            rule: h.rule,
        },
        Outcome::Dropped { rule, .. } => Out::Dropped(*rule),
        Outcome::Suppressed { rule, .. } => Out::Suppressed(*rule),
    }
}

// ---------------------------------------------------------------- the model

struct MPassage {
    serial: u64,
    camera: &'static str,
    first_time: u64,
    opened_at: u64,
    entries: Vec<EntryId>,
    first: Match,
    reads: u16,
    votes: Vec<(String, u8)>,
    decided: bool,
}

#[derive(Default)]
struct Model {
    /// The matrix has the one-read rule first ([`matrix`]).
    one_fuzzy: bool,
    clock: u64,
    serial: u64,
    open: Vec<MPassage>,
    /// (list, listed) -> (last dispatch, last review), whether that
    /// review was a look-alike verdict, whether that dispatch matched
    /// with tolerance only
    suppress: HashMap<(u8, String), Remembered>,
    /// Budget units per priority (1 token = 3_600_000 units) and last time.
    buckets: HashMap<usize, (u128, u64)>,
    out: Vec<Out>,
    c: Indicators,
    /// The last `held_places` unmatched frames held for a passage opening
    /// later (consensus), oldest first, `None` once freed.
    held: VecDeque<Option<Held>>,
    /// The places of the unit's held-frames table.
    held_places: usize,
}

/// What the re-alert table remembers of an entry: its last dispatch, its
/// last review, whether that review was a look-alike verdict, whether that
/// dispatch matched with tolerance only (and no exact sighting of it has
/// been forwarded since).
type Remembered = (Option<u64>, Option<u64>, bool, bool);

/// A held frame: camera, event time, arrival on the unit's clock, plate,
/// confidence.
type Held = (&'static str, u64, u64, String, u8);

/// A frame near a passage's first match: within the list's evidence
/// tolerance, widened to the list's own, of the listed plate; or within
/// the evidence tolerance alone of the frame that matched first
/// (`first_read`); either way at most `evidence_changes` changes off.
fn near(wl: &Watchlist<'_>, cfg: &Config, plate: &str, first: &Match, first_read: &str) -> bool {
    let spec = wl.lists()[first.list.index()];
    let (list, own) = (spec.tolerance, spec.evidence.unwrap_or(cfg.evidence));
    let tol = Tolerance {
        ocr: list.ocr.max(own.ocr),
        edits: list.edits.max(own.edits),
        min_len: own.min_len,
    };
    let within = |other: &str, tol| {
        distance(plate.as_bytes(), other.as_bytes(), wl.classes(), tol)
            .is_some_and(|d| d.ocr + d.edits <= cfg.evidence_changes)
    };
    within(first.listed.as_str(), tol) || within(first_read, own)
}

/// The plates two frames spell together, in the order the unit tries
/// them, written out plainly: of one length and two places apart, the
/// first frame with the second's character at each of those places; one
/// character apart in length, for each character of the longer (the
/// first of a run), the longer without it where that leaves one place off
/// the shorter, then the longer with the shorter's character there;
/// nothing when the shorter is the longer with one character dropped.
fn spelled(a: &str, b: &str) -> Vec<String> {
    let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut out = Vec::new();
    if x.len() == y.len() {
        let diff: Vec<usize> = (0..x.len()).filter(|&i| x[i] != y[i]).collect();
        if diff.len() == 2 {
            for &i in &diff {
                let mut c = x.clone();
                c[i] = y[i];
                out.push(c.into_iter().collect());
            }
        }
        return out;
    }
    let (long, short) = if x.len() > y.len() { (x, y) } else { (y, x) };
    if long.len() != short.len() + 1 {
        return out;
    }
    let without = |k: usize| -> Vec<char> {
        let mut c = long.clone();
        c.remove(k);
        c
    };
    if (0..long.len()).any(|k| without(k) == short) {
        return out;
    }
    for k in 0..long.len() {
        if k > 0 && long[k] == long[k - 1] {
            continue;
        }
        let w = without(k);
        let diff: Vec<usize> = (0..short.len()).filter(|&i| w[i] != short[i]).collect();
        if let [i] = diff[..] {
            out.push(w.iter().collect());
            let mut c = long.clone();
            c[if i < k { i } else { i + 1 }] = short[i];
            out.push(c.into_iter().collect());
        }
    }
    out
}

/// The matrix: with `one_fuzzy`, first a rule sending P0/P1 hits of one
/// read matched only with tolerance to review, then the Brussels baseline.
fn matrix(
    one_fuzzy: bool,
    priority: u8,
    also_local: bool,
    kind: MatchKind,
    reads: u16,
) -> (Action, RuleId) {
    if !one_fuzzy {
        return brussels(priority, also_local);
    }
    if priority <= 1 && kind != MatchKind::Exact && reads <= 1 {
        return (Action::Review, RuleId::Rule(0));
    }
    match brussels(priority, also_local) {
        (a, RuleId::Rule(i)) => (a, RuleId::Rule(i + 1)),
        other => other,
    }
}

/// The policy [`matrix`] writes out.
fn policy(one_fuzzy: bool) -> Policy {
    use hitgate_core::policy::{Rule, Set};
    if !one_fuzzy {
        return Policy::brussels();
    }
    let mut p = Policy::new();
    let mut r = Rule::new("one-fuzzy", Action::Review).priorities(&[Priority::P0, Priority::P1]);
    r.kinds = [MatchKind::Ocr, MatchKind::Edit]
        .into_iter()
        .collect::<Set<_>>();
    r.max_reads = Some(1);
    p.push(r).unwrap();
    for r in Policy::brussels().rules {
        p.push(r).unwrap();
    }
    p
}

/// The Brussels baseline, written out.
fn brussels(priority: u8, also_local: bool) -> (Action, RuleId) {
    match priority {
        0 | 1 => (Action::Dispatch, RuleId::Rule(0)),
        2 if also_local => (Action::Dispatch, RuleId::Rule(1)),
        2 => (Action::Drop, RuleId::Rule(2)),
        _ => (Action::Drop, RuleId::Rule(3)),
    }
}

/// The frames' other plates, if they show one: every plate the listed
/// one becomes with some of the dissenting positions put in (the whole
/// first), where each frame is laid on the
/// listed plate's positions (a frame one character short: the gap where
/// it leaves the fewest differences, then the fewest that are not
/// look-alikes, earliest first; one too long: the character whose removal
/// does), and each position where one other
/// character has more weight than the listed one and enough frames
/// replaced by it: `alike` frames where the character is a look-alike of
/// the listed one, `unrelated` where it is not and no frame reads the
/// listed one, `support` frames otherwise;
/// or, where no frame reads the listed one, any character read there
/// when `support` frames read others. Of those characters, a letter for
/// a letter and a digit for a digit before the rest, then the heaviest.
/// A gap, or an extra character at one place, that `support` frames share
/// and that outweighs the frames of the listed length is one dissent
/// more.
fn other_plate(
    listed: &str,
    votes: &[(String, u8)],
    support: u16,
    unrelated: u16,
    alike_support: u16,
) -> Option<Vec<String>> {
    // The default look-alike classes, spelled out here.
    let alike = |a: char, b: char| {
        a == b
            || ["0ODQ", "1ILT", "8B", "5S", "2Z", "6G"]
                .iter()
                .any(|k| k.contains(a) && k.contains(b))
    };
    let l: Vec<char> = listed.chars().collect();
    let diff = |a: &[Option<char>]| {
        (0..l.len())
            .filter(|&i| a[i].is_some_and(|c| c != l[i]))
            .count()
    };
    let not_alike = |a: &[Option<char>]| {
        (0..l.len())
            .filter(|&i| a[i].is_some_and(|c| !alike(c, l[i])))
            .count()
    };
    // How a frame's length differs: `None` the listed length, else the
    // listed position of the gap or of the extra character, and that
    // character.
    type Shape = Option<(usize, Option<char>)>;
    let mut laid: Vec<(Vec<Option<char>>, u32, Shape)> = Vec::new();
    for (s, c) in votes {
        let f: Vec<char> = s.chars().collect();
        let options: Vec<(Vec<Option<char>>, Shape)> = if f.len() == l.len() {
            vec![(f.iter().map(|&c| Some(c)).collect(), None)]
        } else if f.len() + 1 == l.len() {
            (0..l.len())
                .map(|gap| {
                    let mut v: Vec<Option<char>> = f.iter().map(|&c| Some(c)).collect();
                    v.insert(gap, None);
                    (v, Some((gap, None)))
                })
                .collect()
        } else if f.len() == l.len() + 1 {
            (0..f.len())
                .map(|skip| {
                    let mut g = f.clone();
                    let extra = g.remove(skip);
                    (g.into_iter().map(Some).collect(), Some((skip, Some(extra))))
                })
                .collect()
        } else {
            continue;
        };
        let key = |a: &[Option<char>]| (diff(a), not_alike(a));
        let best = options.iter().map(|o| key(&o.0)).min().unwrap();
        let (pick, shape) = options.into_iter().find(|o| key(&o.0) == best).unwrap();
        laid.push((pick, u32::from((*c).max(1)), shape));
    }
    let mut dissents: Vec<(usize, char)> = Vec::new();
    for i in 0..l.len() {
        let mut tally: Vec<(char, u16, u32)> = Vec::new(); // first-seen order
        for (a, w, _) in &laid {
            if let Some(c) = a[i] {
                match tally.iter_mut().find(|t| t.0 == c) {
                    Some(t) => {
                        t.1 += 1;
                        t.2 += w;
                    }
                    None => tally.push((c, 1, *w)),
                }
            }
        }
        let listed_weight = tally.iter().find(|t| t.0 == l[i]).map_or(0, |t| t.2);
        let others: u16 = tally.iter().filter(|t| t.0 != l[i]).map(|t| t.1).sum();
        let needed = |c: char| {
            if alike(c, l[i]) {
                alike_support.max(1)
            } else if listed_weight == 0 {
                unrelated.max(1)
            } else {
                support
            }
        };
        let together = listed_weight == 0 && others >= support;
        let mut best: Option<(char, u16, u32)> = None;
        let kind = |c: char| c.is_ascii_digit() == l[i].is_ascii_digit();
        for t in tally.iter().filter(|t| t.0 != l[i]) {
            if !(t.2 > listed_weight && (together || t.1 >= needed(t.0))) {
                continue;
            }
            if best.is_none_or(|b| (kind(t.0), t.2) > (kind(b.0), b.2)) {
                best = Some(*t);
            }
        }
        if let Some((c, _, _)) = best {
            dissents.push((i, c));
        }
    }
    // The gap or extra character that frames share, first seen first.
    let mut shapes: Vec<((usize, Option<char>), u16, u32)> = Vec::new();
    let mut same = 0u32;
    for (_, w, shape) in &laid {
        match shape {
            None => same += w,
            Some(s) => match shapes.iter_mut().find(|t| t.0 == *s) {
                Some(t) => {
                    t.1 += 1;
                    t.2 += w;
                }
                None => shapes.push((*s, 1, *w)),
            },
        }
    }
    let mut length: Option<((usize, Option<char>), u32)> = None;
    for (s, n, w) in &shapes {
        if *n >= support && *w > same && length.is_none_or(|b| *w > b.1) {
            length = Some((*s, *w));
        }
    }
    // Every way to put in some of the dissents (the largest first).
    let n = dissents.len() + usize::from(length.is_some());
    let mut others: Vec<String> = (1..1u32 << n)
        .rev()
        .filter_map(|keep| {
            let mut other: Vec<Option<char>> = l.iter().map(|&c| Some(c)).collect();
            for (k, (i, c)) in dissents.iter().enumerate() {
                if keep & (1 << k) != 0 {
                    other[*i] = Some(*c);
                }
            }
            if let Some(((at, extra), _)) = length
                && keep & (1 << dissents.len()) != 0
            {
                match extra {
                    None => other[at] = None,
                    Some(c) => other.insert(at, Some(c)),
                }
            }
            let other: String = other.into_iter().flatten().collect();
            // Ten characters at most: a plate.
            (other.len() <= 10).then_some(other)
        })
        .collect();
    others.dedup();
    (n > 0).then_some(others)
}

/// Per-position vote weighted by confidence (at least 1), length first,
/// ties to the earlier read.
fn vote(votes: &[(String, u8)]) -> (String, u16) {
    let w = |c: u8| c.max(1) as u32;
    let mut by_len: HashMap<usize, u32> = HashMap::new();
    for (s, c) in votes {
        *by_len.entry(s.len()).or_default() += w(*c);
    }
    let mut len = votes[0].0.len();
    for (s, _) in votes {
        if by_len[&s.len()] > by_len[&len] {
            len = s.len();
        }
    }
    let same: Vec<&(String, u8)> = votes.iter().filter(|(s, _)| s.len() == len).collect();
    let mut plate = String::new();
    for i in 0..len {
        let mut best: Option<(char, u32)> = None;
        for (s, _) in &same {
            let ch = s.as_bytes()[i] as char;
            let weight: u32 = same
                .iter()
                .filter(|(t, _)| t.as_bytes()[i] as char == ch)
                .map(|(_, c)| w(*c))
                .sum();
            if best.is_none_or(|(_, bw)| weight > bw) {
                best = Some((ch, weight));
            }
        }
        plate.push(best.unwrap().0);
    }
    let support = votes.iter().filter(|(s, _)| *s == plate).count() as u16;
    (plate, support)
}

impl Model {
    fn push(&mut self, wl: &Watchlist<'_>, cfg: &Config, r: &R) {
        self.clock = self.clock.max(r.now);
        self.c.reads += 1;
        let Ok(plate) = Plate::normalize(r.plate.as_bytes()) else {
            self.c.rejected[0] += 1;
            return;
        };
        if r.time > self.clock + u64::from(cfg.max_future_ms) {
            self.c.rejected[5] += 1;
            return;
        }
        // The camera has moved past its passages' windows: decided now,
        // oldest first, still holding their slots.
        let window = u64::from(cfg.passage_window_ms);
        self.open.sort_by_key(|q| q.serial);
        let mut open = std::mem::take(&mut self.open);
        for q in open.iter_mut() {
            if !q.decided && q.camera == r.camera && r.time > q.first_time + window {
                self.decide(wl, cfg, q);
            }
        }
        self.open = open;
        let m: Matches<8> = wl.lookup(&plate, None, r.time);
        if m.is_empty() {
            self.c.unmatched += 1;
            // Evidence: the oldest open passage of the camera, in its
            // window, whose listed plate the read is near.
            if cfg.mode == Mode::Consensus {
                if let Some(q) = self
                    .open
                    .iter_mut()
                    .filter(|q| {
                        !q.decided
                            && q.camera == r.camera
                            && r.time.abs_diff(q.first_time) <= window
                            && near(wl, cfg, plate.as_str(), &q.first, &q.votes[0].0)
                    })
                    .min_by_key(|q| q.serial)
                {
                    if q.votes.len() < 8 {
                        q.votes
                            .push((plate.as_str().into(), r.confidence.unwrap_or(50)));
                    }
                    self.c.evidence_frames += 1;
                } else if self.paired(wl, cfg, r, &plate) {
                    return;
                } else if self.held_places > 0 {
                    self.held.push_back(Some((
                        r.camera,
                        r.time,
                        self.clock,
                        plate.as_str().into(),
                        r.confidence.unwrap_or(50),
                    )));
                    if self.held.len() > self.held_places {
                        // A frame read and arrived within its hold gives
                        // way early.
                        let open_for =
                            u64::from(cfg.passage_window_ms) + u64::from(cfg.camera_grace_ms);
                        if let Some(Some(f)) = self.held.pop_front()
                            && self.clock < f.1.min(f.2) + open_for
                        {
                            self.c.evicted_held += 1;
                        }
                    }
                }
            }
            return;
        }
        self.c.matched += 1;
        let joined = self
            .open
            .iter_mut()
            .filter(|q| {
                q.camera == r.camera
                    && r.time.abs_diff(q.first_time) <= window
                    && m.as_slice().iter().any(|x| q.entries.contains(&x.entry))
            })
            .min_by_key(|q| q.serial);
        if let Some(q) = joined {
            q.reads += 1;
            if q.votes.len() < 8 {
                q.votes
                    .push((plate.as_str().into(), r.confidence.unwrap_or(50)));
            }
            self.c.suppressed_passage += 1;
            return;
        }
        self.serial += 1;
        let q = MPassage {
            serial: self.serial,
            camera: r.camera,
            first_time: r.time,
            opened_at: self.clock,
            entries: m.as_slice().iter().take(4).map(|x| x.entry).collect(),
            first: *m.best().unwrap(),
            reads: 1,
            votes: vec![(plate.as_str().into(), r.confidence.unwrap_or(50))],
            decided: false,
        };
        self.open(wl, cfg, r, q);
    }

    /// An unmatched read and a held frame of its camera in its window
    /// among the `PAIR_FRAMES` newest places (newest first) that spell a listed plate
    /// exactly ([`spelled`]): the passage they open, the held frame freed.
    fn paired(&mut self, wl: &Watchlist<'_>, cfg: &Config, r: &R, plate: &Plate) -> bool {
        let window = u64::from(cfg.passage_window_ms);
        let mut found = None;
        let newest: Vec<usize> = (0..self.held.len())
            .rev()
            .take(PAIR_FRAMES)
            .filter(|&i| {
                self.held[i]
                    .as_ref()
                    .is_some_and(|f| f.0 == r.camera && f.1.abs_diff(r.time) <= window)
            })
            .collect();
        'frames: for i in newest {
            let f = self.held[i].clone().unwrap();
            for c in spelled(&f.3, plate.as_str()) {
                let m: Matches<8> = wl.lookup(&p(&c), None, r.time);
                let exact: Vec<Match> = m
                    .as_slice()
                    .iter()
                    .filter(|x| x.kind == MatchKind::Exact)
                    .copied()
                    .collect();
                if !exact.is_empty() {
                    self.held[i] = None;
                    found = Some((f, exact));
                    break 'frames;
                }
            }
        }
        let Some((f, exact)) = found else {
            return false;
        };
        self.c.paired += 1;
        let read = (plate.as_str().to_string(), r.confidence.unwrap_or(50));
        let held = (f.3.clone(), f.4);
        let votes = if f.1 <= r.time {
            vec![held, read]
        } else {
            vec![read, held]
        };
        let mut first = exact[0];
        let wide = Tolerance {
            ocr: 10,
            edits: 10,
            min_len: 0,
        };
        let d = distance(
            votes[0].0.as_bytes(),
            first.listed.as_bytes(),
            wl.classes(),
            wide,
        )
        .unwrap();
        first.distance = d;
        first.kind = MatchKind::of(d);
        self.serial += 1;
        let q = MPassage {
            serial: self.serial,
            camera: r.camera,
            first_time: f.1.min(r.time),
            opened_at: self.clock,
            entries: exact.iter().take(4).map(|x| x.entry).collect(),
            first,
            reads: 2,
            votes,
            decided: false,
        };
        self.open(wl, cfg, r, q);
        true
    }

    /// A new passage: the camera's held frames near it join it as
    /// evidence (consensus), or it is decided at once (first read).
    fn open(&mut self, wl: &Watchlist<'_>, cfg: &Config, r: &R, mut q: MPassage) {
        let window = u64::from(cfg.passage_window_ms);
        if cfg.mode == Mode::Consensus {
            // The camera's held frames in the window, near the listed
            // plate, oldest first, join the vote as evidence.
            for h in self.held.iter_mut() {
                let Some(f) = h else { continue };
                if f.0 == r.camera
                    && f.1.abs_diff(r.time) <= window
                    && near(wl, cfg, &f.3, &q.first, &q.votes[0].0)
                {
                    if q.votes.len() < 8 {
                        q.votes.push((f.3.clone(), f.4));
                    }
                    self.c.evidence_frames += 1;
                    *h = None;
                }
            }
        }
        if cfg.mode == Mode::FirstRead {
            self.decide(wl, cfg, &mut q);
        }
        self.open.push(q);
    }

    fn poll(&mut self, wl: &Watchlist<'_>, cfg: &Config, now: u64, all: bool) {
        self.clock = self.clock.max(now);
        self.open.sort_by_key(|q| q.serial);
        let open_for = u64::from(cfg.passage_window_ms) + u64::from(cfg.camera_grace_ms);
        for h in self.held.iter_mut() {
            if all || h.as_ref().is_some_and(|f| self.clock >= f.2 + open_for) {
                *h = None;
            }
        }
        let (due, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.open)
            .into_iter()
            .partition(|q| all || self.clock >= q.opened_at + open_for);
        self.open = keep;
        for mut q in due {
            if !q.decided {
                self.decide(wl, cfg, &mut q);
            }
        }
    }

    fn decide(&mut self, wl: &Watchlist<'_>, cfg: &Config, q: &mut MPassage) {
        q.decided = true;
        let consensus = cfg.mode == Mode::Consensus;
        let mut plate = if consensus {
            vote(&q.votes).0
        } else {
            q.votes[0].0.clone()
        };
        let mut m: Vec<Match> = wl
            .lookup::<8>(&p(&plate), None, q.first_time)
            .as_slice()
            .to_vec();
        if m.is_empty() {
            // Back to the first read, all its matches.
            plate = q.votes[0].0.clone();
            m = wl
                .lookup::<8>(&p(&plate), None, q.first_time)
                .as_slice()
                .to_vec();
            if m.is_empty() {
                m = vec![q.first];
            }
        }
        let mut chosen: Option<(Match, Action, RuleId)> = None;
        for x in &m {
            let also_local = m.iter().any(|o| o.local && o.listed == x.listed);
            let (a, rule) = matrix(
                self.one_fuzzy,
                x.priority.get(),
                also_local,
                x.kind,
                q.reads,
            );
            if chosen.is_none_or(|(_, ca, _)| a > ca) {
                chosen = Some((*x, a, rule));
            }
        }
        let (x, mut action, rule) = chosen.unwrap();
        self.c.passages += 1;
        self.c.hits_by_priority[x.priority.index()] += 1;
        self.c.hits_by_list[x.list.index()] += 1;
        if let RuleId::Rule(i) = rule {
            self.c.by_rule[i as usize] += 1;
        }
        if action == Action::Drop {
            self.c.dropped += 1;
            self.out.push(Out::Dropped(rule));
            return;
        }
        let mut reason = Reason::Rule;
        // The frames are judged for a dispatch, and for a review the
        // matrix chose: a look-alike found there is remembered too.
        if (action == Action::Dispatch || action == Action::Review) && consensus {
            // The entry's last review (in its window) found a look-alike
            // car.
            let window = u64::from(cfg.realert_window_ms[x.priority.index()]);
            let key = (x.list.0, x.listed.as_str().to_string());
            let seen = self
                .suppress
                .get(&key)
                .is_some_and(|&(_, rv, lookalike, _)| {
                    lookalike && rv.is_some_and(|t| t.abs_diff(q.first_time) < window)
                });
            // Then, of several frames, one that reads a look-alike of a
            // listed character, outweighing those that read it, is that
            // car again.
            let alike_support = if seen && q.votes.len() > 1 {
                1
            } else {
                cfg.lookalike_support
            };
            match other_plate(
                x.listed.as_str(),
                &q.votes,
                cfg.lookalike_support,
                cfg.unrelated_support,
                alike_support,
            ) {
                Some(others) if others.iter().any(|o| syntax::fits(&p(o), None)) => {
                    action = Action::Review;
                    reason = Reason::Lookalike;
                    self.c.lookalike += 1;
                }
                Some(_) => self.c.misread += 1,
                None => {
                    // One frame, matched with tolerance, of such an entry.
                    if q.votes.len() == 1 && x.kind != MatchKind::Exact && seen {
                        action = Action::Review;
                        reason = Reason::Lookalike;
                        self.c.lookalike += 1;
                    }
                }
            }
        }
        let late = self.clock.saturating_sub(q.first_time) > u64::from(cfg.max_lateness_ms);
        if late {
            self.c.late += 1;
            if action == Action::Dispatch {
                action = Action::Review;
                reason = Reason::Late;
            }
        }
        let window = u64::from(cfg.realert_window_ms[x.priority.index()]);
        let key = (x.list.0, x.listed.as_str().to_string());
        let (d, rv, _, tolerant) = self
            .suppress
            .get(&key)
            .copied()
            .unwrap_or((None, None, false, false));
        let near = |t: Option<u64>| t.is_some_and(|t| t.abs_diff(q.first_time) < window);
        let suppressed = match action {
            Action::Dispatch => near(d),
            _ => near(d) || near(rv),
        };
        if suppressed {
            let apart =
                d.is_some_and(|t| t.abs_diff(q.first_time) >= u64::from(cfg.passage_window_ms));
            // The passage's plate, or one of its frames, reads the entry
            // as listed.
            let exact =
                x.kind == MatchKind::Exact || q.votes.iter().any(|(v, _)| *v == x.listed.as_str());
            if action == Action::Dispatch && exact && tolerant && apart {
                // An exact sighting after a dispatch on a tolerant match:
                // reviewed, once.
                action = Action::Review;
                reason = Reason::Stronger;
                self.c.stronger += 1;
            } else {
                self.c.suppressed_realert += 1;
                self.out.push(Out::Suppressed(rule));
                return;
            }
        }
        if action == Action::Dispatch
            && x.priority.get() != 0
            && let Some(b) = cfg.budgets.0[x.priority.index()]
        {
            let cap = u128::from(b.burst) * 3_600_000;
            let (units, at) = self
                .buckets
                .get(&x.priority.index())
                .copied()
                .unwrap_or((cap, self.clock));
            let units = (units
                + u128::from(self.clock.saturating_sub(at)) * u128::from(b.per_hour))
            .min(cap);
            let at = self.clock.max(at);
            if units >= 3_600_000 {
                self.buckets
                    .insert(x.priority.index(), (units - 3_600_000, at));
            } else {
                self.buckets.insert(x.priority.index(), (units, at));
                action = Action::Review;
                reason = Reason::Capacity;
                self.c.capacity += 1;
            }
        }
        let e = self.suppress.entry(key).or_default();
        let slot = if action == Action::Dispatch {
            e.3 = x.kind != MatchKind::Exact;
            &mut e.0
        } else {
            e.2 = reason == Reason::Lookalike;
            if reason == Reason::Stronger {
                e.3 = false;
            }
            &mut e.1
        };
        *slot = Some(slot.map_or(q.first_time, |t| t.max(q.first_time)));
        if action == Action::Dispatch {
            self.c.dispatched += 1;
        } else {
            self.c.reviewed += 1;
        }
        self.out.push(Out::Forward {
            time: q.first_time,
            camera: q.camera.into(),
            read: plate,
            reads: q.reads,
            listed: x.listed.as_str().into(),
            action,
            reason,
            late,
            rule,
        });
    }
}

/// The unit's tables, owned by the test so that they can be looked at
/// once the unit is done with them.
#[derive(Debug)]
struct Storage {
    passages: Vec<Passage>,
    suppression: Vec<SuppressSlot>,
    cameras: Vec<CameraStats>,
    held: Vec<HeldFrame>,
}

impl Storage {
    fn new(slots: usize, cameras: usize, held: usize) -> Self {
        Self {
            passages: vec![Passage::EMPTY; slots],
            suppression: vec![SuppressSlot::EMPTY; slots],
            cameras: vec![CameraStats::EMPTY; cameras],
            held: vec![HeldFrame::EMPTY; held],
        }
    }

    fn tables(&mut self) -> Tables<'_> {
        Tables {
            passages: &mut self.passages,
            suppression: &mut self.suppression,
            cameras: &mut self.cameras,
            held: &mut self.held,
        }
    }
}

// ---------------------------------------------------------------- strategies

fn config_strategy() -> impl Strategy<Value = Config> {
    (
        any::<bool>(),
        prop::sample::select(vec![500u32, 2_000, 5_000]),
        prop::sample::select(vec![0u32, 60_000, 2_400_000]),
        prop::sample::select(vec![60_000u32, 300_000]),
        prop::option::of((0u16..3, 0u16..120)),
        1u16..=3,
        prop::sample::select(vec![0u32, 1_000, 3_000]),
        0u16..=2,
        1u8..=4,
    )
        .prop_map(
            |(first, window, realert, late, budget, support, grace, unrelated, changes)| Config {
                mode: if first {
                    Mode::FirstRead
                } else {
                    Mode::Consensus
                },
                passage_window_ms: window,
                realert_window_ms: [realert; 5],
                max_lateness_ms: late,
                max_future_ms: 60_000,
                budgets: Budgets([budget.map(|(burst, per_hour)| Budget { burst, per_hour }); 5]),
                lookalike_support: support,
                camera_grace_ms: grace,
                unrelated_support: unrelated,
                evidence_changes: changes,
                ..Config::DEFAULT
            },
        )
}

fn stream_strategy() -> impl Strategy<Value = Vec<R>> {
    stream_of(READS.to_vec())
}

/// Streams of these plates only.
fn stream_of(plates: Vec<&'static str>) -> impl Strategy<Value = Vec<R>> {
    let step = (
        prop_oneof![0u64..300, 0u64..4_000], // time step: frames, cars
        prop::sample::select(vec![0u64, 0, 0, 0, 400_000, 3_000_000]), // arrival delay
        prop::sample::select(vec![0u64, 0, 0, 0, 0, 90_000]), // out-of-order offset
        prop::sample::select(vec!["cam-a", "cam-b", "mobile-1"]),
        prop::sample::select(plates),
        prop::option::of(0u8..=100),
        0u8..20,
    );
    prop::collection::vec(step, 1..80).prop_map(|steps| {
        let mut t = 1_767_225_600_000u64;
        let mut now = t;
        steps
            .into_iter()
            .map(|(dt, delay, back, camera, plate, confidence, bad)| {
                t += dt;
                let time = t - back;
                now = now.max(time + delay);
                let plate = if bad == 0 { "1?X" } else { plate };
                R {
                    time,
                    now,
                    camera,
                    plate,
                    confidence,
                }
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(400), ..ProptestConfig::default() })]

    #[test]
    fn pipeline_matches_model(
        cfg in config_strategy(),
        stream in stream_strategy(),
        held in 0usize..=RECENT_FRAMES,
        one_fuzzy in any::<bool>(),
    ) {
        same_as_model(cfg, &stream, held, one_fuzzy)?;
    }

    /// The same on one listed plate and its misreads: the entry's
    /// dispatches, repeats, look-alike verdicts and stronger sightings
    /// follow each other, which the wide stream seldom brings about.
    #[test]
    fn pipeline_matches_model_on_one_entry(
        cfg in config_strategy(),
        stream in stream_of(vec!["1ABC234", "1A8C234", "1A8C2S4", "1ABC23", "1ABC2B4"]),
        held in 0usize..=RECENT_FRAMES,
        one_fuzzy in any::<bool>(),
    ) {
        same_as_model(cfg, &stream, held, one_fuzzy)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(400), ..ProptestConfig::default() })]

    /// The same on frames of the local list's `1LLL888` that spell it
    /// only together, and the plate itself: pairs of frames, held frames
    /// giving way, and passages opened by two frames follow each other.
    #[test]
    fn pipeline_matches_model_on_frames_read_together(
        cfg in config_strategy(),
        stream in stream_of(vec!["1LXL888", "1LLX888", "1LLLB88", "1LL888", "1LLL888", "1LXL88"]),
        held in 0usize..=RECENT_FRAMES,
        one_fuzzy in any::<bool>(),
    ) {
        same_as_model(cfg, &stream, held, one_fuzzy)?;
    }
}

/// Runs `stream` through a unit and the model; the same outcomes and
/// counters.
fn same_as_model(
    cfg: Config,
    stream: &[R],
    held: usize,
    one_fuzzy: bool,
) -> Result<(), TestCaseError> {
    {
        let wl = watchlist();
        let policy = policy(one_fuzzy);
        let mut storage = Storage::new(256, 8, held);
        let tables = storage.tables();
        let mut unit = Unit::new(&wl, &policy, cfg, tables);
        let mut model = Model {
            held_places: held,
            one_fuzzy,
            ..Model::default()
        };
        let mut got = vec![];
        for r in stream {
            let read = Read {
                time: r.time,
                camera: r.camera,
                plate: r.plate.as_bytes(),
                country: None,
                confidence: r.confidence,
                position: None,
            };
            let _ = unit.push(&read, r.now, &mut |_, o| got.push(out_of(&o)));
            unit.poll(r.now, &mut |_, o| got.push(out_of(&o)));
            model.push(&wl, &cfg, r);
            model.poll(&wl, &cfg, r.now, false);
        }
        unit.flush(&mut |_, o| got.push(out_of(&o)));
        model.poll(&wl, &cfg, 0, true);
        prop_assert_eq!(&got, &model.out);
        prop_assert_eq!(unit.indicators(), &model.c);
        // Forwarded hits are numbered without gaps.
        prop_assert_eq!(
            unit.indicators().dispatched + unit.indicators().reviewed,
            got.iter()
                .filter(|o| matches!(o, Out::Forward { .. }))
                .count() as u64
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(400), ..ProptestConfig::default() })]

    /// Data minimisation: a plate that matched nothing is in no table of
    /// the unit once its passages are decided and freed (a frame near a
    /// listed plate is held as evidence until then), unless the same plate
    /// was also read and matched.
    #[test]
    fn unmatched_plates_are_not_kept(cfg in config_strategy(), stream in stream_strategy()) {
        let wl = watchlist();
        let policy = Policy::brussels();
        let mut storage = Storage::new(256, 8, RECENT_FRAMES);
        let tables = storage.tables();
        let mut unit = Unit::new(&wl, &policy, cfg, tables);
        let (mut unmatched, mut matched) = (vec![], vec![]);
        for r in &stream {
            let read = Read { time: r.time, camera: r.camera, plate: r.plate.as_bytes(), country: None, confidence: r.confidence, position: None };
            match unit.push(&read, r.now, &mut |_, _| {}) {
                Ok(ReadStatus::Unmatched) => unmatched.push(r.plate),
                Ok(_) => matched.push(r.plate),
                Err(_) => {}
            }
            unit.poll(r.now, &mut |_, _| {});
        }
        // Unmatched frames held for a passage that might open later are
        // gone once the unit's clock passes their arrival by the window
        // and grace.
        let last = stream.iter().map(|r| r.now).max().unwrap_or(0);
        let hold = u64::from(cfg.passage_window_ms) + u64::from(cfg.camera_grace_ms);
        unit.poll(last + hold - 1, &mut |_, _| {});
        let before = unit.held_frames();
        unit.poll(last + hold, &mut |_, _| {});
        prop_assert_eq!(unit.held_frames(), 0, "{} held before", before);
        // Frames kept as evidence live as long as their passage: none
        // once every passage is decided and freed.
        unit.flush(&mut |_, _| {});
        // The unit's borrow of the tables ends with its last use above.
        let kept = format!("{storage:?}");
        let words: Vec<&str> = kept.split(|c: char| !c.is_ascii_alphanumeric()).collect();
        for plate in unmatched.iter().filter(|p| !matched.contains(p)) {
            prop_assert!(!words.contains(plate), "{} kept", plate);
        }
    }

    #[test]
    fn nothing_panics_on_arbitrary_reads(
        reads in prop::collection::vec((any::<u64>(), any::<u64>(), "[ -~]{0,20}", prop::collection::vec(any::<u8>(), 0..14), prop::option::of(prop::collection::vec(any::<u8>(), 0..3)), any::<Option<u8>>()), 0..60),
        tiny in any::<bool>(),
    ) {
        let wl = watchlist();
        let policy = Policy::brussels();
        let n = if tiny { 1 } else { 8 };
        let mut storage = Storage::new(n, n, n);
        let tables = storage.tables();
        let mut unit = Unit::new(&wl, &policy, Config::default(), tables);
        let mut forwarded = 0u64;
        for (time, now, camera, plate, country, confidence) in &reads {
            let read = Read { time: *time, camera, plate, country: country.as_deref(), confidence: *confidence, position: None };
            let _ = unit.push(&read, *now, &mut |_, o| forwarded += u64::from(matches!(o, Outcome::Forward(_))));
            unit.poll(*now, &mut |_, o| forwarded += u64::from(matches!(o, Outcome::Forward(_))));
        }
        unit.flush(&mut |_, o| forwarded += u64::from(matches!(o, Outcome::Forward(_))));
        let c = unit.indicators();
        prop_assert_eq!(c.reads, reads.len() as u64);
        prop_assert_eq!(c.reads, c.rejected.iter().sum::<u64>() + c.unmatched + c.matched);
        prop_assert_eq!(c.matched, c.passages + c.suppressed_passage);
        prop_assert_eq!(c.passages, c.dispatched + c.reviewed + c.dropped + c.suppressed_realert);
        prop_assert_eq!(forwarded, c.dispatched + c.reviewed);
    }
}

#[test]
fn zero_sized_tables_still_decide() {
    let wl = watchlist();
    let policy = Policy::brussels();
    let tables = Tables {
        passages: &mut [],
        suppression: &mut [],
        cameras: &mut [],
        held: &mut [],
    };
    let mut unit = Unit::new(&wl, &policy, Config::default(), tables);
    let mut out = vec![];
    let read = Read {
        time: 1_000,
        camera: "c",
        plate: b"1ABC234",
        country: None,
        confidence: None,
        position: None,
    };
    unit.push(&read, 1_000, &mut |_, o| out.push(o)).unwrap();
    unit.push(&read, 1_000, &mut |_, o| out.push(o)).unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(unit.indicators().evicted_passages, 2);
    assert_eq!(unit.indicators().camera_overflow, 2);
}

/// Cases per property: `PROPTEST_CASES` when set (for long runs), else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
