extern crate std;
use std::boxed::Box;
use std::vec;
use std::vec::Vec;

use super::*;
use crate::budget::{Budget, Budgets};
use crate::confusion::ConfusionClasses;
use crate::distance::Tolerance;
use crate::hit::{Hit, Reason};
use crate::list::{ListEntry, ListSpec};
use crate::plate::Country;
use crate::policy::{Action, RuleId};
use crate::recent::RECENT_FRAMES;
use crate::watchlist::{Entry, MatchKind, WatchlistBuilder};

const MIN: u64 = 60_000;
const T0: u64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn p(s: &str) -> Plate {
    Plate::normalize(s.as_bytes()).unwrap()
}

/// Lists: 0 national (P0..P4 entries, 1 OCR), 1 local (the zone's list).
fn watchlist() -> Watchlist<'static> {
    watchlist_with(None)
}

/// The same, the national list's own evidence tolerance `evidence`.
fn watchlist_with(evidence: Option<Tolerance>) -> Watchlist<'static> {
    let e = vec![Entry::EMPTY; 16].leak();
    let i = vec![0u32; 16].leak();
    let mut b = WatchlistBuilder::new(e, i, ConfusionClasses::default());
    let tol = Tolerance {
        ocr: 1,
        edits: 0,
        min_len: 5,
    };
    let national = b
        .add_list(ListSpec {
            tolerance: tol,
            local: false,
            evidence,
        })
        .unwrap();
    let local = b
        .add_list(ListSpec {
            tolerance: Tolerance::EXACT,
            local: true,
            evidence: None,
        })
        .unwrap();
    for (plate, prio, list) in [
        ("1AAA000", 0, national),
        ("1AAA111", 1, national),
        ("1AAA222", 2, national),
        ("1AAA333", 3, national),
        ("1AAA444", 4, national),
        ("1BBB111", 1, national),
        ("1ABC234", 1, national),
        ("1LOC222", 2, national),
        ("1LOC222", 2, local),
        ("1DOT555", 1, national),
    ] {
        b.insert(ListEntry::new(
            p(plate),
            None,
            Priority::new(prio).unwrap(),
            list,
        ))
        .unwrap();
    }
    b.set_version(7);
    b.build().map_err(|(_, d)| d).unwrap()
}

struct Rig {
    unit: Unit<'static, 'static>,
    out: Vec<Outcome>,
}

fn rig(config: Config, passages: usize, suppression: usize) -> Rig {
    rig_on(watchlist(), config, passages, suppression)
}

fn rig_on(wl: Watchlist<'static>, config: Config, passages: usize, suppression: usize) -> Rig {
    let wl: &'static Watchlist<'static> = Box::leak(Box::new(wl));
    let tables = Tables {
        passages: vec![Passage::EMPTY; passages].leak(),
        suppression: vec![SuppressSlot::EMPTY; suppression].leak(),
        cameras: vec![CameraStats::EMPTY; 4].leak(),
        held: vec![HeldFrame::EMPTY; RECENT_FRAMES].leak(),
    };
    Rig {
        unit: Unit::new(wl, Box::leak(Box::new(Policy::brussels())), config, tables),
        out: Vec::new(),
    }
}

fn first_read() -> Config {
    Config {
        mode: Mode::FirstRead,
        ..Config::DEFAULT
    }
}

impl Rig {
    /// Pushes a read seen at `time`, arriving at `now`, then polls.
    fn read_at(
        &mut self,
        time: u64,
        now: u64,
        camera: &str,
        plate: &str,
    ) -> Result<ReadStatus, ReadError> {
        self.read_weighed(time, now, camera, plate, 80)
    }

    /// [`Rig::read_at`] with the read's confidence.
    fn read_weighed(
        &mut self,
        time: u64,
        now: u64,
        camera: &str,
        plate: &str,
        confidence: u8,
    ) -> Result<ReadStatus, ReadError> {
        let read = Read {
            time,
            camera,
            plate: plate.as_bytes(),
            country: None,
            confidence: Some(confidence),
            position: None,
        };
        let out = &mut self.out;
        let r = self.unit.push(&read, now, &mut |_, o| out.push(o));
        self.unit.poll(now, &mut |_, o| out.push(o));
        r
    }

    fn read(&mut self, time: u64, camera: &str, plate: &str) -> Result<ReadStatus, ReadError> {
        self.read_at(time, time, camera, plate)
    }

    fn flush(&mut self) {
        let out = &mut self.out;
        self.unit.flush(&mut |_, o| out.push(o));
    }

    fn hits(&self) -> Vec<&Hit> {
        self.out
            .iter()
            .filter_map(|o| match o {
                Outcome::Forward(h) => Some(h),
                _ => None,
            })
            .collect()
    }
}

#[test]
fn brussels_baseline_line_by_line() {
    let mut r = rig(first_read(), 8, 8);
    for (i, plate) in [
        "1AAA000", "1AAA111", "1AAA222", "1AAA333", "1AAA444", "1LOC222",
    ]
    .iter()
    .enumerate()
    {
        r.read(T0 + i as u64 * MIN, "cam-1", plate).unwrap();
    }
    let want = [
        Outcome::Forward(Hit { ..hit_of(&r, 0) }),
        Outcome::Forward(Hit { ..hit_of(&r, 1) }),
        Outcome::Dropped {
            rule: RuleId::Rule(2),
            priority: Priority::P2,
            camera: CameraId::new("cam-1").unwrap(),
            time: T0 + 2 * MIN,
            position: None,
        },
        Outcome::Dropped {
            rule: RuleId::Rule(3),
            priority: Priority::P3,
            camera: CameraId::new("cam-1").unwrap(),
            time: T0 + 3 * MIN,
            position: None,
        },
        Outcome::Dropped {
            rule: RuleId::Rule(3),
            priority: Priority::P4,
            camera: CameraId::new("cam-1").unwrap(),
            time: T0 + 4 * MIN,
            position: None,
        },
        Outcome::Forward(Hit { ..hit_of(&r, 2) }),
    ];
    assert_eq!(r.out, want);
    let hits = r.hits();
    assert_eq!(
        hits.iter()
            .map(|h| (h.listed.as_str(), h.priority, h.action, h.rule))
            .collect::<Vec<_>>(),
        vec![
            ("1AAA000", Priority::P0, Action::Dispatch, RuleId::Rule(0)),
            ("1AAA111", Priority::P1, Action::Dispatch, RuleId::Rule(0)),
            // P2 on the national list, also on the local list: dispatched by rule 1.
            ("1LOC222", Priority::P2, Action::Dispatch, RuleId::Rule(1)),
        ]
    );
    assert!(
        hits.iter()
            .all(|h| h.version == 7 && !h.late && h.reason == Reason::Rule)
    );
    assert_eq!(
        hits.iter().map(|h| h.seq).collect::<Vec<_>>(),
        vec![0, 1, 2]
    );
    let ind = r.unit.indicators();
    assert_eq!(
        (
            ind.reads,
            ind.matched,
            ind.passages,
            ind.dispatched,
            ind.dropped
        ),
        (6, 6, 6, 3, 3)
    );
    assert_eq!(ind.hits_by_priority, [1, 1, 2, 1, 1]);
    assert_eq!(&ind.by_rule[..4], &[2, 1, 1, 2]);
}

fn hit_of(r: &Rig, n: usize) -> Hit {
    r.hits()[n].clone()
}

#[test]
fn second_wanted_car_at_the_same_camera_goes_through() {
    let mut r = rig(Config::DEFAULT, 8, 8);
    r.read(T0, "cam-1", "1AAA111").unwrap();
    r.read(T0 + 300, "cam-1", "1BBB111").unwrap();
    r.read(T0 + 600, "cam-1", "1AAA111").unwrap();
    r.flush();
    let hits = r.hits();
    assert_eq!(
        hits.iter()
            .map(|h| (h.listed.as_str(), h.action, h.reads))
            .collect::<Vec<_>>(),
        vec![
            ("1AAA111", Action::Dispatch, 2),
            ("1BBB111", Action::Dispatch, 1)
        ]
    );
    assert_eq!(r.unit.indicators().suppressed_passage, 1);
}

#[test]
fn same_car_is_not_dispatched_twice_within_the_window() {
    let mut r = rig(first_read(), 8, 8);
    r.read(T0, "cam-1", "1AAA111").unwrap();
    // Another camera ten minutes later: the same hit.
    r.read(T0 + 10 * MIN, "cam-2", "1AAA111").unwrap();
    // 39 minutes after the dispatch: still suppressed.
    r.read(T0 + 39 * MIN, "cam-3", "1AAA111").unwrap();
    // 41 minutes after it: a new alert.
    r.read(T0 + 41 * MIN, "cam-1", "1AAA111").unwrap();
    assert_eq!(
        r.out
            .iter()
            .map(|o| matches!(o, Outcome::Forward(_)))
            .collect::<Vec<_>>(),
        vec![true, false, false, true]
    );
    assert_eq!(r.unit.indicators().suppressed_realert, 2);
}

/// An entry dispatched on a look-alike match (`1A8C234` for the listed
/// `1ABC234`): a later sighting in the window that spells the listed plate
/// may be the listed car where the dispatch was another, so it is reviewed
/// (`stronger`), once; a tolerant repeat is held back as before. After the
/// window the exact sighting is dispatched, and an exact dispatch makes
/// every repeat in its window a plain repeat again.
#[test]
fn an_exact_sighting_after_a_tolerant_dispatch_is_reviewed_once() {
    let mut r = rig(first_read(), 8, 8);
    r.read(T0, "cam-1", "1A8C234").unwrap(); // dispatched, by OCR
    r.read(T0 + 5 * MIN, "cam-2", "1A8C234").unwrap(); // a repeat
    r.read(T0 + 10 * MIN, "cam-3", "1ABC234").unwrap(); // reviewed
    r.read(T0 + 15 * MIN, "cam-1", "1ABC234").unwrap(); // a repeat now
    r.read(T0 + 41 * MIN, "cam-2", "1ABC234").unwrap(); // dispatched
    r.read(T0 + 50 * MIN, "cam-3", "1A8C234").unwrap(); // a repeat
    r.read(T0 + 55 * MIN, "cam-1", "1ABC234").unwrap(); // a repeat
    let got: Vec<_> = r
        .out
        .iter()
        .map(|o| match o {
            Outcome::Forward(h) => (h.action.as_str(), h.reason.as_str(), h.kind),
            Outcome::Suppressed { .. } => ("suppressed", "", MatchKind::Exact),
            Outcome::Dropped { .. } => ("dropped", "", MatchKind::Exact),
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("dispatch", "rule", MatchKind::Ocr),
            ("suppressed", "", MatchKind::Exact),
            ("review", "stronger", MatchKind::Exact),
            ("suppressed", "", MatchKind::Exact),
            ("dispatch", "rule", MatchKind::Exact),
            ("suppressed", "", MatchKind::Exact),
            ("suppressed", "", MatchKind::Exact),
        ]
    );
    let ind = r.unit.indicators();
    assert_eq!(
        (
            ind.stronger,
            ind.suppressed_realert,
            ind.reviewed,
            ind.dispatched
        ),
        (1, 4, 1, 2)
    );
}

/// The same in consensus mode, where the passage's vote may read the
/// look-alike although one of its frames reads the entry as listed:
/// `1A8C234` (confidence 90) outweighs `1ABC234` (60), a look-alike of
/// the listed `1ABC234` by one frame (not enough to call it a look-alike
/// car). The frame that spells the listed plate is the stronger sighting:
/// reviewed, once; the same two frames again are held.
#[test]
fn a_frame_that_spells_the_listed_plate_after_a_tolerant_dispatch_is_reviewed() {
    let mut r = rig(Config::DEFAULT, 8, 8);
    // Each passage closes on the unit's clock, a minute on.
    let poll = |r: &mut Rig, now: u64| {
        let out = &mut r.out;
        r.unit.poll(now, &mut |_, o| out.push(o));
    };
    r.read_weighed(T0, T0, "cam-1", "1A8C234", 80).unwrap(); // dispatched, by OCR
    poll(&mut r, T0 + MIN);
    for start in [T0 + 10 * MIN, T0 + 20 * MIN] {
        r.read_weighed(start, start, "cam-3", "1A8C234", 90)
            .unwrap();
        r.read_weighed(start + 100, start + 100, "cam-3", "1ABC234", 60)
            .unwrap();
        poll(&mut r, start + MIN);
    }
    let got: Vec<_> = r
        .out
        .iter()
        .map(|o| match o {
            Outcome::Forward(h) => (
                h.action.as_str(),
                h.reason.as_str(),
                h.read.as_str().to_owned(),
            ),
            Outcome::Suppressed { .. } => ("suppressed", "", String::new()),
            Outcome::Dropped { .. } => ("dropped", "", String::new()),
        })
        .collect();
    assert_eq!(
        got,
        [
            ("dispatch", "rule", "1A8C234".to_owned()),
            ("review", "stronger", "1A8C234".to_owned()),
            ("suppressed", "", String::new()),
        ]
    );
    assert_eq!(r.unit.indicators().stronger, 1);
}

/// The other lane's camera reading the same car at the same moment (its
/// passage begins within the passage window of the dispatched one) tells
/// nothing new: held back as a repeat; ten minutes on, reviewed.
#[test]
fn an_exact_read_by_the_other_lane_at_once_is_a_plain_repeat() {
    let mut r = rig(first_read(), 8, 8);
    r.read(T0, "cam-1", "1A8C234").unwrap(); // dispatched, by OCR
    r.read(T0 + 500, "cam-2", "1ABC234").unwrap(); // the other lane
    r.read(T0 + 10 * MIN, "cam-3", "1ABC234").unwrap();
    let got: Vec<_> = r
        .out
        .iter()
        .map(|o| match o {
            Outcome::Forward(h) => h.reason.as_str(),
            _ => "held",
        })
        .collect();
    assert_eq!(got, ["rule", "held", "stronger"]);
}

#[test]
fn late_hit_goes_to_review_marked_late() {
    let mut r = rig(first_read(), 8, 8);
    // Seen six minutes before it arrived (uplink gap).
    r.read_at(T0, T0 + 6 * MIN, "cam-1", "1AAA111").unwrap();
    let h = hit_of(&r, 0);
    assert_eq!(
        (h.action, h.reason, h.late),
        (Action::Review, Reason::Late, true)
    );
    // Four minutes late is still live.
    r.read_at(T0 + 60 * MIN, T0 + 64 * MIN, "cam-1", "1AAA000")
        .unwrap();
    let h = hit_of(&r, 1);
    assert_eq!((h.action, h.late), (Action::Dispatch, false));
    assert_eq!(r.unit.indicators().late, 1);
}

#[test]
fn out_of_order_reads_do_not_corrupt_suppression() {
    let mut r = rig(first_read(), 8, 8);
    r.read(T0 + 100 * MIN, "cam-1", "1AAA111").unwrap(); // dispatched
    // A late copy from 50 minutes earlier: outside the window, reviewed as late.
    r.read_at(T0 + 50 * MIN, T0 + 100 * MIN, "cam-2", "1AAA111")
        .unwrap();
    // Five minutes after the dispatch: still suppressed (the late read did
    // not pull the window back).
    r.read(T0 + 105 * MIN, "cam-3", "1AAA111").unwrap();
    let kinds: Vec<_> = r
        .out
        .iter()
        .map(|o| match o {
            Outcome::Forward(h) => (h.action.as_str(), h.late),
            Outcome::Suppressed { .. } => ("suppressed", false),
            Outcome::Dropped { .. } => ("dropped", false),
        })
        .collect();
    assert_eq!(
        kinds,
        vec![("dispatch", false), ("review", true), ("suppressed", false)]
    );
}

#[test]
fn p0_is_never_throttled() {
    let mut config = first_read();
    config.budgets = Budgets(
        [Some(Budget {
            burst: 0,
            per_hour: 0,
        }); 5],
    );
    config.realert_window_ms = [0; 5];
    let mut r = rig(config, 8, 8);
    for i in 0..5 {
        r.read(T0 + i * 10_000, "cam-1", "1AAA000").unwrap();
        r.read(T0 + i * 10_000 + 5_000, "cam-1", "1AAA111").unwrap();
    }
    let hits = r.hits();
    assert_eq!(hits.len(), 10);
    for h in hits {
        match h.priority {
            Priority::P0 => assert_eq!(h.action, Action::Dispatch),
            _ => assert_eq!((h.action, h.reason), (Action::Review, Reason::Capacity)),
        }
    }
    assert_eq!(r.unit.indicators().capacity, 5);
}

#[test]
fn budget_refills() {
    let mut config = first_read();
    config.budgets.0[1] = Some(Budget {
        burst: 1,
        per_hour: 60,
    });
    let mut r = rig(config, 8, 8);
    r.read(T0, "cam-1", "1AAA111").unwrap();
    r.read(T0 + 1_000, "cam-1", "1BBB111").unwrap();
    r.read(T0 + 2 * MIN, "cam-1", "1ABC234").unwrap();
    let actions: Vec<_> = r.hits().iter().map(|h| h.action).collect();
    assert_eq!(
        actions,
        vec![Action::Dispatch, Action::Review, Action::Dispatch]
    );
}

#[test]
fn full_passage_table_evicts_the_oldest_and_counts_it() {
    let mut r = rig(Config::DEFAULT, 1, 8);
    r.read(T0, "cam-1", "1AAA111").unwrap();
    r.read(T0 + 100, "cam-2", "1BBB111").unwrap();
    // The first passage was closed early to make room; nothing was lost.
    assert_eq!(r.hits().len(), 1);
    assert_eq!(r.unit.indicators().evicted_passages, 1);
    r.flush();
    assert_eq!(
        r.hits()
            .iter()
            .map(|h| h.listed.as_str())
            .collect::<Vec<_>>(),
        vec!["1AAA111", "1BBB111"]
    );
}

#[test]
fn full_suppression_table_evicts_and_counts() {
    let mut r = rig(first_read(), 8, 1);
    r.read(T0, "cam-1", "1AAA111").unwrap();
    r.read(T0 + MIN, "cam-1", "1BBB111").unwrap();
    // 1AAA111's slot was taken by 1BBB111, so it alerts again.
    r.read(T0 + 2 * MIN, "cam-1", "1AAA111").unwrap();
    assert_eq!(r.hits().len(), 3);
    assert_eq!(r.unit.indicators().evicted_suppression, 2);
}

#[test]
fn consensus_sends_an_agreed_look_alike_to_review() {
    let mut r = rig(Config::DEFAULT, 8, 8);
    // Three frames agree on 1OOT555: one look-alike away from listed
    // 1DOT555, and a Belgian plate a car can carry.
    for i in 0..3 {
        r.read(T0 + i * 100, "cam-1", "1OOT555").unwrap();
    }
    // A real 1ABC234 with one noisy frame, an hour later elsewhere.
    for (i, plate) in ["1ABC234", "1A8C234", "1ABC234"].iter().enumerate() {
        r.read(T0 + 60 * MIN + i as u64 * 100, "cam-2", plate)
            .unwrap();
    }
    r.flush();
    // A real 1ABC234 that the engine reads 1A8C234 twice out of three:
    // no Belgian plate has a digit there, so the listed car misread.
    for (i, plate) in ["1A8C234", "1ABC234", "1A8C234"].iter().enumerate() {
        r.read(T0 + 120 * MIN + i as u64 * 100, "cam-3", plate)
            .unwrap();
    }
    r.flush();
    let hits = r.hits();
    assert_eq!(
        hits.iter()
            .map(|h| (h.read.as_str(), h.reads, h.kind, h.action, h.reason))
            .collect::<Vec<_>>(),
        vec![
            (
                "1OOT555",
                3,
                MatchKind::Ocr,
                Action::Review,
                Reason::Lookalike
            ),
            (
                "1ABC234",
                3,
                MatchKind::Exact,
                Action::Dispatch,
                Reason::Rule
            ),
            ("1A8C234", 3, MatchKind::Ocr, Action::Dispatch, Reason::Rule),
        ]
    );
    assert_eq!(r.unit.indicators().lookalike, 1);
    assert_eq!(r.unit.indicators().misread, 1);
}

#[test]
fn frames_too_far_to_match_are_evidence_about_the_passage() {
    // A car 1OOT555 near listed 1DOT555 (one look-alike): one frame
    // matches; the others have a second error or a dropped character and
    // match nothing, but all say O where the listed plate has D.
    let mut r = rig(Config::DEFAULT, 8, 8);
    r.read(T0, "cam-1", "1OOT555").unwrap();
    assert_eq!(
        r.read(T0 + 100, "cam-1", "1OOT5S5"),
        Ok(ReadStatus::Unmatched)
    );
    assert_eq!(
        r.read(T0 + 200, "cam-1", "1OT555"),
        Ok(ReadStatus::Unmatched)
    );
    // Another camera's frame is no evidence about this passage.
    r.read(T0 + 250, "cam-2", "1OOT5S5").unwrap();
    r.flush();
    let hits = r.hits();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        (hits[0].action, hits[0].reason),
        (Action::Review, Reason::Lookalike)
    );
    // The hit counts the read that matched; the others were evidence.
    assert_eq!(hits[0].reads, 1);
    let ind = r.unit.indicators();
    assert_eq!((ind.evidence_frames, ind.unmatched), (2, 3));
    // Without the evidence the one frame that matched is dispatched.
    let mut r = rig(
        Config {
            evidence: Tolerance::EXACT,
            ..Config::DEFAULT
        },
        8,
        8,
    );
    for (t, plate) in [(0, "1OOT555"), (100, "1OOT5S5"), (200, "1OT555")] {
        r.read(T0 + t, "cam-1", plate).unwrap();
    }
    r.flush();
    assert_eq!(r.hits()[0].action, Action::Dispatch);
}

#[test]
fn frames_before_the_first_match_are_evidence_too() {
    // The car of the test above, whose matching frame comes last: the two
    // frames before it are held, then taken by its passage.
    let mut r = rig(Config::DEFAULT, 8, 8);
    // Out of the passage's window (2 s): a frame of 2.1 s after its first
    // match, arrived before it.
    r.read(T0 + 2_100, "cam-1", "1OOT5S5").unwrap();
    // Another camera's frame.
    r.read(T0 - 150, "cam-2", "1OOT5S5").unwrap();
    for (t, plate) in [(-200, "1OOT5S5"), (-100, "1OT555")] {
        assert_eq!(
            r.read(T0.wrapping_add_signed(t), "cam-1", plate),
            Ok(ReadStatus::Unmatched)
        );
    }
    assert_eq!(r.unit.held_frames(), 4);
    assert_eq!(r.read(T0, "cam-1", "1OOT555"), Ok(ReadStatus::Opened));
    // Taken: the two of cam-1 in the window; cam-2's and the late one
    // stay held until their time is up.
    assert_eq!(r.unit.held_frames(), 2);
    assert_eq!(r.unit.indicators().evidence_frames, 2);
    r.flush();
    assert_eq!(r.unit.held_frames(), 0);
    let hits = r.hits();
    assert_eq!(hits.len(), 1);
    assert_eq!(
        (hits[0].action, hits[0].reason, hits[0].reads),
        (Action::Review, Reason::Lookalike, 1)
    );
    // First-read mode holds nothing: the first match decides alone.
    let mut r = rig(
        Config {
            mode: Mode::FirstRead,
            ..Config::DEFAULT
        },
        8,
        8,
    );
    r.read(T0 - 100, "cam-1", "1OT555").unwrap();
    assert_eq!(r.unit.held_frames(), 0);
}

#[test]
fn held_frames_go_when_the_clock_passes_their_arrival_plus_window_and_grace() {
    let window = Config::DEFAULT.passage_window_ms as u64;
    let hold = window + Config::DEFAULT.camera_grace_ms as u64;
    let mut r = rig(Config::DEFAULT, 8, 8);
    r.read(T0, "cam-1", "9ZZZ999").unwrap();
    r.read(T0, "cam-2", "9ZZZ998").unwrap();
    r.read(T0 + window, "cam-1", "9ZZZ997").unwrap();
    // cam-1 past its first frame's window: that frame can no longer be
    // taken, and waits for the clock like the others.
    r.read(T0 + window + 1, "cam-1", "9ZZZ996").unwrap();
    assert_eq!(r.unit.held_frames(), 4);
    // The unit's clock (reads arrived at their own time here): the two
    // held since T0 go at T0 + window + grace, the others after theirs.
    r.unit.poll(T0 + hold - 1, &mut |_, _| {});
    assert_eq!(r.unit.held_frames(), 4);
    r.unit.poll(T0 + hold, &mut |_, _| {});
    assert_eq!(r.unit.held_frames(), 2);
    r.unit.poll(T0 + window + hold, &mut |_, _| {});
    assert_eq!(r.unit.held_frames(), 1);
    r.unit.poll(T0 + window + 1 + hold, &mut |_, _| {});
    assert_eq!(r.unit.held_frames(), 0);
}

#[test]
fn a_list_sets_its_own_evidence_tolerance() {
    // The frames of the test above, whose evidence lies a look-alike and
    // an edit (1OOT5S5) or an edit (1OT555) past 1OOT555's match.
    let frames = [(0, "1OOT555"), (100, "1OOT5S5"), (200, "1OT555")];
    let decide = |list: Option<Tolerance>, unit: Tolerance| {
        let config = Config {
            evidence: unit,
            ..Config::DEFAULT
        };
        let mut r = rig_on(watchlist_with(list), config, 8, 8);
        for (t, plate) in frames {
            r.read(T0 + t, "cam-1", plate).unwrap();
        }
        r.flush();
        let ind = r.unit.indicators();
        (r.hits()[0].action, ind.evidence_frames)
    };
    let t = |ocr, edits| Tolerance {
        ocr,
        edits,
        min_len: 5,
    };
    // The list's own tolerance stands for the unit's, either way.
    assert_eq!(decide(Some(t(2, 2)), Tolerance::EXACT), (Action::Review, 2));
    assert_eq!(
        decide(Some(Tolerance::EXACT), t(2, 2)),
        (Action::Dispatch, 0)
    );
    // Two look-alikes take the second error (1OOT5S5), not the dropped
    // character (1OT555); the two frames that say O still make a dissent.
    assert_eq!(decide(Some(t(2, 0)), t(2, 2)), (Action::Review, 1));
    // None: the unit's.
    assert_eq!(decide(None, t(2, 2)), (Action::Review, 2));
}

#[test]
fn first_read_mode_decides_at_once() {
    let mut r = rig(first_read(), 8, 8);
    r.read(T0, "cam-1", "1A8C234").unwrap();
    assert_eq!(r.hits().len(), 1);
    assert_eq!(r.hits()[0].action, Action::Dispatch);
    assert_eq!(r.read(T0 + 100, "cam-1", "1A8C234"), Ok(ReadStatus::Repeat));
    assert_eq!(r.hits().len(), 1);
}

#[test]
fn consensus_holds_until_the_window_closes() {
    let mut r = rig(Config::DEFAULT, 8, 8);
    assert_eq!(r.unit.next_due(), None);
    assert_eq!(r.read(T0, "cam-1", "1AAA111"), Ok(ReadStatus::Opened));
    // Its camera says nothing more: the window and the grace, 2 + 3 s.
    assert_eq!(r.unit.next_due(), Some(T0 + 5_000));
    r.unit.poll(T0 + 4_999, &mut |_, _| panic!("decided early"));
    let out = &mut r.out;
    r.unit.poll(T0 + 5_000, &mut |_, o| out.push(o));
    assert_eq!(r.hits().len(), 1);
    assert_eq!(r.unit.open_passages(), 0);
    assert_eq!(r.unit.next_due(), None);
}

#[test]
fn a_camera_that_moves_on_closes_its_passage_and_only_its_own() {
    let mut r = rig(Config::DEFAULT, 8, 8);
    r.read(T0, "cam-1", "1AAA111").unwrap();
    r.read(T0, "cam-2", "1BBB111").unwrap();
    // cam-2 reads another car 2.001 s later: its passage is decided, in
    // event time, cam-1's is not.
    r.read(T0 + 2_001, "cam-2", "9XYZ999").unwrap();
    assert_eq!(r.hits().len(), 1);
    assert_eq!(r.hits()[0].camera.as_str(), "cam-2");
    // A frame of cam-2's car that comes after its passage was decided is
    // folded into it, not a second hit.
    assert_eq!(
        r.read(T0 + 1_500, "cam-2", "1BBB111"),
        Ok(ReadStatus::Repeat)
    );
    // cam-1 is quiet: decided when window and grace have passed.
    let out = &mut r.out;
    r.unit.poll(T0 + 5_000, &mut |_, o| out.push(o));
    assert_eq!(r.hits().len(), 2);
    assert_eq!(r.unit.indicators().dispatched, 2);
}

#[test]
fn a_lagging_camera_keeps_its_passage_whole() {
    // cam-slow's uplink delays its frames by 0.5 s, then 3 s (in order, as
    // a connection does); cam-fast's unlisted reads set the unit's clock.
    // The car is a look-alike of listed 1DOT555, read three times: the
    // consensus must see all three frames and send it to review, not
    // dispatch the first frame alone.
    let mut r = rig(Config::DEFAULT, 8, 8);
    for (event, arrival) in [(0, 500), (700, 3_700), (1_400, 4_400)] {
        r.read(T0 + arrival, "cam-fast", "7QQQ777").unwrap();
        r.read_at(T0 + event, T0 + arrival, "cam-slow", "1OOT555")
            .unwrap();
    }
    r.unit.poll(T0 + 500 + 5_000, &mut |_, _| {});
    assert_eq!(r.unit.indicators().suppressed_passage, 2, "one passage");
    assert_eq!(r.unit.indicators().dispatched, 0);
    assert_eq!(r.unit.indicators().reviewed, 1);
    assert_eq!(r.unit.indicators().lookalike, 1);
}

#[test]
fn rejected_and_unmatched_reads_are_counted_and_not_kept() {
    let mut r = rig(Config::DEFAULT, 8, 8);
    assert!(matches!(
        r.read(T0, "cam-1", "1-A_B"),
        Err(ReadError::Plate(_))
    ));
    assert_eq!(
        r.read(T0, &"a-camera-id-too-long".repeat(4), "1AAA111"),
        Err(ReadError::CameraTooLong)
    );
    assert_eq!(
        r.read_at(T0 + 2 * MIN, T0, "cam-1", "1AAA111"),
        Err(ReadError::Future)
    );
    assert_eq!(r.read(T0, "cam-1", "9ZZZ999"), Ok(ReadStatus::Unmatched));
    let ind = *r.unit.indicators();
    assert_eq!(ind.reads, 4);
    assert_eq!(ind.rejected, [1, 0, 0, 1, 0, 1]);
    assert_eq!(ind.unmatched, 1);
    assert_eq!(r.unit.open_passages(), 0);
    assert!(r.out.is_empty());
    let cams = |r: &Rig| -> Vec<(String, u64)> {
        r.unit
            .cameras()
            .map(|c| (c.camera.as_str().into(), c.reads))
            .collect()
    };
    // Only the read that passed made cam-1 a camera of the report; the two
    // rejected before it were not counted for a camera nobody had seen.
    assert_eq!(cams(&r), vec![("cam-1".into(), 1)]);
    // Once known, its rejected reads count; a rejected read never makes a
    // new camera (its camera field may hold anything, a plate too).
    assert!(r.read(T0, "cam-1", "").is_err());
    assert!(r.read(T0, "9QQQ123", "").is_err());
    assert_eq!(cams(&r), vec![("cam-1".into(), 2)]);
    r.unit.reset_indicators();
    assert_eq!(*r.unit.indicators(), Indicators::default());
}

/// Zones, schedules and operations decide priority-2 hits: inside the
/// Midi zone (a fixed camera's position, or a mobile read's own), at night,
/// or during an operation; elsewhere and otherwise the baseline drops them.
#[test]
fn zones_schedules_and_operations_decide() {
    use crate::place::{Offsets, Operation, Places, Schedule, Zone};
    use crate::policy::Rule;
    use crate::read::Position;
    let pos = |lat, lon| Position::from_degrees(lat, lon).unwrap();
    let zones: &'static [Zone] = vec![
        Zone::polygon(
            "midi",
            &[
                pos(50.834, 4.333),
                pos(50.838, 4.333),
                pos(50.838, 4.339),
                pos(50.834, 4.339),
            ],
        )
        .unwrap(),
    ]
    .leak();
    let schedules: &'static [Schedule] =
        vec![Schedule::new("night", 0x7F, 22 * 60, 6 * 60).unwrap()].leak();
    let operations: &'static [Operation] =
        vec![Operation::new("final", T0 + 600 * MIN, T0 + 720 * MIN).unwrap()].leak();
    let cameras: &'static [(CameraId, Position)] = vec![
        (CameraId::new("cam-midi").unwrap(), pos(50.836, 4.336)),
        (CameraId::new("cam-north").unwrap(), pos(50.870, 4.360)),
    ]
    .leak();
    let offsets: &'static Offsets = Box::leak(Box::new(Offsets::new(&[(0, 60)]).unwrap()));
    let mut policy: Policy = Policy::new();
    let mut in_zone = Rule::new("p2-midi", Action::Dispatch).priorities(&[Priority::P2]);
    in_zone.zones = 1;
    let mut at_night = Rule::new("p2-night", Action::Review).priorities(&[Priority::P2]);
    at_night.schedules = 1;
    let mut during = Rule::new("p2-final", Action::Dispatch).priorities(&[Priority::P2]);
    during.operation = Some(0);
    for r in [in_zone, at_night, during] {
        policy.push(r).unwrap();
    }
    for r in Policy::brussels().rules {
        policy.push(r).unwrap();
    }
    let wl: &'static Watchlist<'static> = Box::leak(Box::new(watchlist()));
    let tables = Tables {
        passages: vec![Passage::EMPTY; 8].leak(),
        suppression: vec![SuppressSlot::EMPTY; 8].leak(),
        cameras: vec![CameraStats::EMPTY; 8].leak(),
        held: vec![HeldFrame::EMPTY; RECENT_FRAMES].leak(),
    };
    // No re-alert window: every case is decided on its own.
    let config = Config {
        realert_window_ms: [0; Priority::COUNT],
        ..first_read()
    };
    let mut unit = Unit::new(wl, Box::leak(Box::new(policy)), config, tables);
    unit.set_places(Places {
        zones,
        schedules,
        operations,
        cameras,
        offsets,
    });
    // (minutes after 2026-01-01T00:00Z, camera, the mobile read's position)
    // and the rule that must decide. Local time is UTC + 1 h.
    let cases: [(u64, &str, Option<Position>, &str); 7] = [
        (600, "cam-midi", None, "p2-midi"),       // 11:00 local, in Midi
        (601, "cam-north", None, "p2-final"),     // during the operation
        (780, "cam-north", None, "p2-not-local"), // 14:00 local, nothing applies
        (1380, "cam-north", None, "p2-night"),    // 00:00 local
        (1500, "cam-north", None, "p2-night"),    // 02:00 local
        (1800, "mobile-1", Some(pos(50.835, 4.334)), "p2-midi"), // 07:00, a mobile read in Midi
        (1801, "mobile-1", None, "p2-not-local"), // no position: in no zone
    ];
    let mut out = Vec::new();
    for (minute, camera, position, _) in cases {
        let read = Read {
            time: T0 + minute * MIN,
            camera,
            plate: b"1AAA222",
            country: None,
            confidence: Some(80),
            position,
        };
        unit.push(&read, read.time, &mut |_, o| out.push(o))
            .unwrap();
        unit.flush(&mut |_, o| out.push(o));
    }
    let decided: Vec<&str> = out
        .iter()
        .filter_map(|o| match o {
            Outcome::Forward(h) => Some(unit.policy().rule_name(h.rule)),
            Outcome::Dropped { rule, .. } => Some(unit.policy().rule_name(*rule)),
            _ => None,
        })
        .collect();
    let want: Vec<&str> = cases.iter().map(|c| c.3).collect();
    assert_eq!(decided, want);
    // The zone moves away from cam-midi: what the unit remembered of that
    // camera's zones goes with the old places.
    let moved: &'static [Zone] = vec![
        Zone::polygon(
            "midi",
            &[
                pos(50.934, 4.333),
                pos(50.938, 4.333),
                pos(50.938, 4.339),
                pos(50.934, 4.339),
            ],
        )
        .unwrap(),
    ]
    .leak();
    let mut decided = Vec::new();
    for (places, minute) in [(zones, 790), (moved, 800)] {
        unit.set_places(Places {
            zones: places,
            schedules,
            operations,
            cameras,
            offsets,
        });
        let read = Read {
            time: T0 + minute * MIN,
            camera: "cam-midi",
            plate: b"1AAA222",
            country: None,
            confidence: Some(80),
            position: None,
        };
        let mut out = Vec::new();
        unit.push(&read, read.time, &mut |_, o| out.push(o))
            .unwrap();
        unit.flush(&mut |_, o| out.push(o));
        decided.extend(out.iter().filter_map(|o| match o {
            Outcome::Forward(h) => Some(unit.policy().rule_name(h.rule)),
            Outcome::Dropped { rule, .. } => Some(unit.policy().rule_name(*rule)),
            _ => None,
        }));
    }
    assert_eq!(decided, ["p2-midi", "p2-not-local"]);
}

#[test]
fn one_frame_of_an_entry_just_found_to_be_a_look_alike_is_the_look_alike_again() {
    let window = Config::DEFAULT.realert_window_ms[1] as u64;
    // A car 1OOT555 read twice against the listed 1DOT555 (P1): reviewed
    // as a look-alike.
    let look_alike = |r: &mut Rig| {
        r.read(T0, "cam-1", "1OOT555").unwrap();
        r.read(T0 + 100, "cam-1", "1OOT555").unwrap();
    };
    let mut r = rig(Config::DEFAULT, 8, 8);
    look_alike(&mut r);
    // Ten minutes later, read once at another camera: the same spelling,
    // one frame, which alone could be the listed car misread.
    r.read(T0 + 600_000, "cam-2", "1OOT555").unwrap();
    // Then the listed car itself, read exactly once.
    r.read(T0 + 720_000, "cam-3", "1DOT555").unwrap();
    assert_eq!(forwarded(&mut r), [REVIEWED, DISPATCHED]);
    // The one frame was judged the look-alike again, and as a repeat of
    // that review it was not forwarded.
    assert_eq!(r.unit.indicators().lookalike, 2);
    assert_eq!(r.unit.indicators().suppressed_realert, 1);

    // Past the entry's re-alert window, one frame is dispatched again.
    let mut r = rig(Config::DEFAULT, 8, 8);
    look_alike(&mut r);
    r.read(T0 + window + 1_000, "cam-2", "1OOT555").unwrap();
    assert_eq!(forwarded(&mut r), [REVIEWED, DISPATCHED]);
}

#[test]
fn one_heavier_frame_of_an_entry_just_found_to_be_a_look_alike_is_the_look_alike_again() {
    // A car 1OOT555 read twice against the listed 1DOT555 (P1): reviewed
    // as a look-alike.
    let look_alike = |r: &mut Rig| {
        r.read(T0, "cam-1", "1OOT555").unwrap();
        r.read(T0 + 100, "cam-1", "1OOT555").unwrap();
    };
    // Ten minutes later two frames at another camera: the look-alike's
    // spelling at 99, the listed one at 60.
    let again = |r: &mut Rig, second: &str| {
        let t = T0 + 600_000;
        r.read_weighed(t, t, "cam-2", "1OOT555", 99).unwrap();
        r.read_weighed(t + 100, t + 100, "cam-2", second, 60)
            .unwrap();
        r.flush();
    };
    // With the verdict standing, the heavier frame is the look-alike car
    // again: reviewed, and as a repeat of that review not forwarded.
    let mut r = rig(Config::DEFAULT, 8, 8);
    look_alike(&mut r);
    again(&mut r, "1DOT555");
    assert_eq!(forwarded(&mut r), [REVIEWED]);
    assert_eq!(r.unit.indicators().lookalike, 2);
    assert_eq!(r.unit.indicators().suppressed_realert, 1);

    // Without it, one frame of a look-alike is a misread: dispatched.
    let mut r = rig(Config::DEFAULT, 8, 8);
    again(&mut r, "1DOT555");
    assert_eq!(forwarded(&mut r), [DISPATCHED]);
    assert_eq!(r.unit.indicators().lookalike, 0);

    // The verdict lowers the support for look-alikes only: a heavier
    // frame that drops a character (1DOT55) is still a gap, not another
    // car; the listed frame decides.
    let mut r = rig(Config::DEFAULT, 8, 8);
    look_alike(&mut r);
    let t = T0 + 600_000;
    r.read_weighed(t, t, "cam-2", "1DOT55", 99).unwrap();
    r.read_weighed(t + 100, t + 100, "cam-2", "1DOT555", 60)
        .unwrap();
    r.flush();
    assert_eq!(forwarded(&mut r), [REVIEWED, DISPATCHED]);
    assert_eq!(r.unit.indicators().lookalike, 1);
}

/// A rig (consensus) whose policy sends a P1 hit of one frame that matched
/// only with tolerance to review (`max_reads = 1`), and, with
/// `read_fits`, only when the frame does (or does not) spell a plate of
/// the known formats; everything else as in Brussels.
fn one_fuzzy_frame_rig(read_fits: Option<bool>) -> Rig {
    use crate::policy::{Rule, Set};
    let mut policy: Policy = Policy::new();
    let mut one_fuzzy = Rule::new("p1-one-fuzzy-frame", Action::Review).priorities(&[Priority::P1]);
    one_fuzzy.kinds = [MatchKind::Ocr, MatchKind::Edit]
        .into_iter()
        .collect::<Set<_>>();
    one_fuzzy.max_reads = Some(1);
    one_fuzzy.read_fits = read_fits;
    policy.push(one_fuzzy).unwrap();
    for r in Policy::brussels().rules {
        policy.push(r).unwrap();
    }
    let policy: &'static Policy = Box::leak(Box::new(policy));
    let mut r = rig(first_read(), 8, 8);
    let tables = Tables {
        passages: vec![Passage::EMPTY; 8].leak(),
        suppression: vec![SuppressSlot::EMPTY; 8].leak(),
        cameras: vec![CameraStats::EMPTY; 4].leak(),
        held: vec![HeldFrame::EMPTY; RECENT_FRAMES].leak(),
    };
    r.unit = Unit::new(
        Box::leak(Box::new(watchlist())),
        policy,
        Config::DEFAULT,
        tables,
    );
    r
}

/// Flushes the rig and gives each forwarded hit's entry, reads, action
/// and rule.
fn decided(r: &mut Rig) -> Vec<(String, u16, Action, String)> {
    r.flush();
    r.hits()
        .iter()
        .map(|h| {
            (
                h.listed.as_str().to_string(),
                h.reads,
                h.action,
                r.unit.policy().rule_name(h.rule).to_string(),
            )
        })
        .collect()
}

fn owned(want: &[(&str, u16, Action, &str)]) -> Vec<(String, u16, Action, String)> {
    want.iter()
        .map(|&(l, n, a, rule)| (l.to_string(), n, a, rule.to_string()))
        .collect()
}

#[test]
fn a_rule_may_name_how_many_reads_a_hit_rests_on() {
    let mut r = one_fuzzy_frame_rig(None);
    // 1BBB111 (P1) read once as 1B8B111 (B for 8, a look-alike): reviewed
    // by the new rule.
    r.read(T0, "cam-1", "1B8B111").unwrap();
    // 1AAA111 (P1) read once as listed: dispatched (exact).
    r.read(T0 + MIN, "cam-2", "1AAA111").unwrap();
    // 1ABC234 (P1) read twice, both as 1A8C234: two reads, dispatched.
    r.read(T0 + 2 * MIN, "cam-3", "1A8C234").unwrap();
    r.read(T0 + 2 * MIN + 100, "cam-3", "1A8C234").unwrap();
    assert_eq!(
        decided(&mut r),
        owned(&[
            ("1BBB111", 1, Action::Review, "p1-one-fuzzy-frame"),
            ("1AAA111", 1, Action::Dispatch, "p0-p1"),
            ("1ABC234", 2, Action::Dispatch, "p0-p1"),
        ])
    );
}

#[test]
fn a_review_the_matrix_chose_is_judged_and_its_look_alike_remembered() {
    let mut r = one_fuzzy_frame_rig(None);
    // A car 1OOT555 against the listed 1DOT555: one frame matches (the
    // rule's one-frame review), the other (1OOT5S5, two look-alikes off)
    // is evidence; both read O.
    r.read(T0, "cam-1", "1OOT555").unwrap();
    r.read(T0 + 100, "cam-1", "1OOT5S5").unwrap();
    // Ten minutes later two frames, the look-alike's spelling the heavier:
    // the car seen again, held as a repeat of that review.
    let t = T0 + 600_000;
    r.read_weighed(t, t, "cam-2", "1OOT555", 99).unwrap();
    r.read_weighed(t + 100, t + 100, "cam-2", "1DOT555", 60)
        .unwrap();
    assert_eq!(
        decided(&mut r),
        owned(&[("1DOT555", 1, Action::Review, "p1-one-fuzzy-frame")])
    );
    assert_eq!(r.hits()[0].reason, Reason::Lookalike);
    assert_eq!(r.unit.indicators().lookalike, 2);
    assert_eq!(r.unit.indicators().suppressed_realert, 1);
}

#[test]
fn a_rule_may_name_whether_a_car_could_carry_the_plate_as_read() {
    // One frame each, matched with one look-alike, in first-read mode.
    let reads = |r: &mut Rig| {
        // 1BBB111 read as 1B8B111: a digit where every known format has a
        // letter. No car carries that plate: the listed car misread.
        r.read(T0, "cam-1", "1B8B111").unwrap();
        // 1DOT555 read as 1OOT555: a Belgian plate as valid as the listed
        // one. Possibly another car.
        r.read(T0 + MIN, "cam-2", "1OOT555").unwrap();
    };
    let (fuzzy, baseline) = ("p1-one-fuzzy-frame", "p0-p1");
    // `read_fits = true`: the misread to dispatch, the possible other car
    // to review; `false` the other way round, to show the fact is not
    // constant.
    for (fits, misread, other) in [
        (true, (Action::Dispatch, baseline), (Action::Review, fuzzy)),
        (false, (Action::Review, fuzzy), (Action::Dispatch, baseline)),
    ] {
        let mut r = one_fuzzy_frame_rig(Some(fits));
        reads(&mut r);
        let want = [
            ("1BBB111", 1, misread.0, misread.1),
            ("1DOT555", 1, other.0, other.1),
        ];
        assert_eq!(decided(&mut r), owned(&want), "read_fits = {fits}");
    }
    // Without the condition both are reviewed.
    let mut r = one_fuzzy_frame_rig(None);
    reads(&mut r);
    let actions: Vec<Action> = decided(&mut r).into_iter().map(|d| d.2).collect();
    assert_eq!(actions, [Action::Review, Action::Review]);
}

const REVIEWED: (Action, Reason) = (Action::Review, Reason::Lookalike);
const DISPATCHED: (Action, Reason) = (Action::Dispatch, Reason::Rule);

/// Flushes the rig and gives what each forwarded hit was.
fn forwarded(r: &mut Rig) -> Vec<(Action, Reason)> {
    r.flush();
    r.hits().iter().map(|h| (h.action, h.reason)).collect()
}

/// A watchlist of one P1 entry, `plate` of `country`, on a list of
/// `tolerance`.
fn one_entry(plate: &str, country: Option<Country>, tolerance: Tolerance) -> Watchlist<'static> {
    let e = vec![Entry::EMPTY; 4].leak();
    let i = vec![0u32; 4].leak();
    let mut b = WatchlistBuilder::new(e, i, ConfusionClasses::default());
    let list = b
        .add_list(ListSpec {
            tolerance,
            local: false,
            evidence: None,
        })
        .unwrap();
    b.insert(ListEntry::new(
        p(plate),
        country,
        Priority::new(1).unwrap(),
        list,
    ))
    .unwrap();
    b.build().map_err(|(_, d)| d).unwrap()
}

#[test]
fn frames_of_a_foreign_car_are_judged_on_the_read_country_not_the_entry_country() {
    // A Belgian entry 125ABC (DDDLLL, 2008-2010) and a Dutch car 12SABC
    // (side code 6, DDLLLL), one look-alike (S for 5) away; the reads
    // name no country.
    let be = Some(Country::BE);
    let one_ocr = Tolerance {
        ocr: 1,
        edits: 0,
        min_len: 5,
    };
    let mut r = rig_on(one_entry("125ABC", be, one_ocr), Config::DEFAULT, 8, 8);
    for k in 0..3 {
        r.read(T0 + k * 100, "cam-1", "12SABC").unwrap();
    }
    r.flush();
    // Three frames agree on a plate a Dutch car carries: another car,
    // although no Belgian plate is spelled so.
    assert_eq!(forwarded(&mut r), [REVIEWED]);
    assert_eq!(r.unit.indicators().lookalike, 1);
    assert!(!crate::syntax::fits(&p("12SABC"), be));
}

#[test]
fn frames_near_the_first_matched_frame_are_evidence_too() {
    // A list tolerating a look-alike and an edit holds 2ICS324. A car
    // 2TUS634 is read five times; once as 2TCS34, which matches (T for I,
    // the 2 dropped). Its other frames are too far from the listed plate to
    // be evidence (a look-alike and three edits) but two edits from the
    // frame that matched.
    let tolerance = Tolerance {
        ocr: 1,
        edits: 1,
        min_len: 5,
    };
    let rig = || rig_on(one_entry("2ICS324", None, tolerance), Config::DEFAULT, 8, 8);
    let mut r = rig();
    // Two frames before the match (held), two after (joined).
    for (k, plate) in ["2TUS634", "2TUS634", "2TCS34", "2TUS634", "2TUS634"]
        .iter()
        .enumerate()
    {
        r.read(T0 + k as u64 * 150, "cam-1", plate).unwrap();
    }
    r.flush();
    assert_eq!(forwarded(&mut r), [REVIEWED]);
    assert_eq!(r.unit.indicators().evidence_frames, 4);
    // The frame that matched alone: the listed car, misread.
    let mut r = rig();
    r.read(T0, "cam-1", "2TCS34").unwrap();
    r.flush();
    assert_eq!(forwarded(&mut r), [DISPATCHED]);
}

#[test]
fn frames_three_changes_off_are_another_cars_not_evidence() {
    // A stolen 1DKN832 (a look-alike tolerated) is read once, exactly,
    // right after another car, 1OOO832, is read five times at the same
    // camera: a look-alike (O for D) and two edits (O for K, O for N) from
    // the listed plate, within the evidence's 2 look-alikes and 2 edits
    // but three changes in all. With at most 2 in all (the default) those
    // frames are not the listed car's, and it is dispatched; with 4, as
    // before the bound, they outvote it and it goes to review as a
    // look-alike of itself. Frames of the other car after the match too.
    let stolen = Tolerance {
        ocr: 1,
        edits: 0,
        min_len: 5,
    };
    for (changes, want, evidence) in [(2, DISPATCHED, 0), (3, REVIEWED, 5), (4, REVIEWED, 5)] {
        for after in [false, true] {
            let config = Config {
                evidence_changes: changes,
                ..Config::DEFAULT
            };
            let mut r = rig_on(one_entry("1DKN832", None, stolen), config, 8, 8);
            let other = |k: u64| {
                if after {
                    T0 + 50 + k * 150
                } else {
                    T0 - 800 + k * 150
                }
            };
            if after {
                r.read(T0, "cam-1", "1DKN832").unwrap();
            }
            for k in 0..5 {
                assert_eq!(
                    r.read(other(k), "cam-1", "1OOO832"),
                    Ok(ReadStatus::Unmatched)
                );
            }
            if !after {
                assert_eq!(r.read(T0, "cam-1", "1DKN832"), Ok(ReadStatus::Opened));
            }
            r.flush();
            assert_eq!(
                forwarded(&mut r),
                [want],
                "{changes} changes, after {after}"
            );
            assert_eq!(r.unit.indicators().evidence_frames, evidence);
        }
    }
    // Two changes off still count: 1OKO832 (a look-alike and an edit),
    // twice beside the match, is another car.
    let mut r = rig_on(one_entry("1DKN832", None, stolen), Config::DEFAULT, 8, 8);
    for (k, plate) in ["1DKN832", "1OKO832", "1OKO832"].iter().enumerate() {
        r.read(T0 + k as u64 * 150, "cam-1", plate).unwrap();
    }
    r.flush();
    assert_eq!(forwarded(&mut r), [REVIEWED]);
    assert_eq!(r.unit.indicators().evidence_frames, 2);
}

#[test]
fn a_vote_that_drifts_off_the_lists_keeps_every_match_of_the_first_read() {
    // 1LOC222 is on the national list (P2) and on the zone's own. The
    // first frame reads it; two more, kept as evidence, read a 0 for the
    // C, so the vote spells 1LO0222, on no list. Back on the first read,
    // the local list's match still counts: a P2 hit on the zone's list is
    // dispatched (the 0 fits no Belgian plate: a misread).
    let mut r = rig(Config::DEFAULT, 8, 8);
    for (k, plate) in ["1LOC222", "1LO0222", "1LO0222"].iter().enumerate() {
        r.read(T0 + k as u64 * 100, "cam-1", plate).unwrap();
    }
    r.flush();
    assert_eq!(forwarded(&mut r), [DISPATCHED]);
    let ind = r.unit.indicators();
    assert_eq!((ind.misread, ind.evidence_frames, ind.dropped), (1, 2, 0));
}

#[test]
fn two_unmatched_frames_that_spell_a_listed_plate_together_open_its_passage() {
    // Listed 1ABC234 (national: one look-alike, no edit). The car is read
    // twice, each frame with an error the list does not tolerate (B read
    // X, 3 read W: no look-alikes), each right where the other is wrong.
    let mut r = rig(Config::DEFAULT, 8, 8);
    assert_eq!(r.read(T0, "cam-1", "1AXC234"), Ok(ReadStatus::Unmatched));
    assert_eq!(r.unit.held_frames(), 1);
    assert_eq!(r.read(T0 + 100, "cam-1", "1ABC2W4"), Ok(ReadStatus::Opened));
    // The held frame is the passage's now.
    assert_eq!(r.unit.held_frames(), 0);
    r.flush();
    let hits = r.hits();
    assert_eq!(hits.len(), 1);
    let h = hits[0];
    assert_eq!(h.listed.as_str(), "1ABC234");
    assert_eq!((h.action, h.reason), (Action::Dispatch, Reason::Rule));
    // Both frames are the passage's reads, the first read first; the
    // match is the first frame's distance to the listed plate: an edit.
    assert_eq!(h.reads, 2);
    assert_eq!(h.time, T0);
    assert_eq!(h.kind, MatchKind::Edit);
    let ind = r.unit.indicators();
    assert_eq!((ind.paired, ind.unmatched, ind.matched), (1, 2, 0));
}

#[test]
fn frames_spell_together_only_at_one_camera_in_the_window_and_not_by_a_dropped_character() {
    let spelled = |reads: &[(u64, &str, &str)]| {
        let mut r = rig(Config::DEFAULT, 8, 8);
        for (t, camera, plate) in reads {
            r.read(T0 + t, camera, plate).unwrap();
        }
        r.flush();
        (r.unit.indicators().paired, r.hits().len())
    };
    // The pair above, as a check of the cases below.
    assert_eq!(
        spelled(&[(0, "cam-1", "1AXC234"), (100, "cam-1", "1ABC2W4")]),
        (1, 1)
    );
    // Read at two cameras: two cars.
    assert_eq!(
        spelled(&[(0, "cam-1", "1AXC234"), (100, "cam-2", "1ABC2W4")]),
        (0, 0)
    );
    // 2.1 s apart: past the passage window.
    assert_eq!(
        spelled(&[(0, "cam-1", "1AXC234"), (2_100, "cam-1", "1ABC2W4")]),
        (0, 0)
    );
    // Another camera's frame held in between: the two newest held
    // frames are read with a new one (`PAIR_FRAMES`), so the pair is
    // found past one such frame, not past two.
    assert_eq!(
        spelled(&[
            (0, "cam-1", "1AXC234"),
            (50, "cam-2", "9ZZZ999"),
            (100, "cam-1", "1ABC2W4")
        ]),
        (1, 1)
    );
    assert_eq!(
        spelled(&[
            (0, "cam-1", "1AXC234"),
            (40, "cam-2", "9ZZZ999"),
            (60, "cam-3", "9ZZZ998"),
            (100, "cam-1", "1ABC2W4")
        ]),
        (0, 0)
    );
    // A character dropped and a 3 read W spell it too.
    assert_eq!(
        spelled(&[(0, "cam-1", "1ABC23"), (100, "cam-1", "1ABC2W4")]),
        (1, 1)
    );
    // A frame that is the other with one character dropped agrees with
    // it everywhere: 1AC234 and 1AXC234 spell nothing (not 1ABC234).
    assert_eq!(
        spelled(&[(0, "cam-1", "1AXC234"), (100, "cam-1", "1AC234")]),
        (0, 0)
    );
}
