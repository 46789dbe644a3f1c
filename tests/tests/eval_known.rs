//! `eval` on hits and truth whose scores are known by construction.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use hitgate_e2e::hitgate;
use hitgate_host::eval::{attach_reads, evaluate};

const TRUTH: &str = r#"{"passage":1,"camera":"c1","first":"2026-01-05T08:00:00Z","last":"2026-01-05T08:00:00.400Z","plate":"1AAA111","vehicle":1,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":false,"expect":"dispatch"}
{"passage":2,"camera":"c1","first":"2026-01-05T08:05:00Z","last":"2026-01-05T08:05:00.400Z","plate":"1BBB222","vehicle":2,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":false,"frames":1,"expect":"dispatch"}
{"passage":3,"camera":"c2","first":"2026-01-05T08:10:00Z","last":"2026-01-05T08:10:00.400Z","plate":"1CCC333","vehicle":3,"decoy":false,"priority":0,"lists":["wanted"],"local":false,"late":false,"expect":"dispatch"}
{"passage":4,"camera":"c2","first":"2026-01-05T08:20:00Z","last":"2026-01-05T08:20:00.400Z","plate":"1DDD444","vehicle":4,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":false,"frames":3,"expect":"dispatch"}
{"passage":5,"camera":"c1","first":"2026-01-05T08:30:00Z","last":"2026-01-05T08:30:00.400Z","plate":"1EEE585","vehicle":5,"decoy":true,"priority":null,"lists":[],"local":false,"late":false,"frames":1,"expect":"none"}
{"passage":6,"camera":"c2","first":"2026-01-05T08:40:00Z","last":"2026-01-05T08:40:00.400Z","plate":"1AAA111","vehicle":1,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":true,"expect":"repeat"}
"#;

fn hit(seq: u32, ts: &str, camera: &str, listed: &str, priority: u8, action: &str) -> String {
    format!(
        r#"{{"seq":{seq},"ts":"{ts}","camera":"{camera}","read":"{listed}","reads":2,"listed":"{listed}","country":null,"list":"stolen","priority":{priority},"match":"exact","ocr":0,"edits":0,"action":"{action}","rule":"p0-p1","reason":"rule","late":false,"version":1,"decided":"{ts}"}}"#
    )
}

/// The hits of [`scores_known_by_construction`] (and of the cases
/// listed from them).
fn known_hits() -> [String; 7] {
    [
        hit(
            0,
            "2026-01-05T08:00:00.100Z",
            "c1",
            "1AAA111",
            1,
            "dispatch",
        ),
        hit(
            1,
            "2026-01-05T08:10:00.000Z",
            "c2",
            "1CCC333",
            0,
            "dispatch",
        ),
        hit(2, "2026-01-05T08:20:00.200Z", "c2", "1DDD444", 1, "review"),
        hit(
            3,
            "2026-01-05T08:30:00.000Z",
            "c1",
            "1EEE555",
            1,
            "dispatch",
        ),
        hit(
            4,
            "2026-01-05T08:39:59.000Z",
            "c1",
            "1AAA111",
            1,
            "dispatch",
        ),
        hit(
            5,
            "2026-01-05T08:40:00.100Z",
            "c2",
            "1AAA111",
            1,
            "dispatch",
        ),
        hit(6, "2026-01-05T08:00:00.300Z", "c1", "1AAA111", 1, "review"),
    ]
}

#[test]
fn scores_known_by_construction() {
    let d = tempfile::tempdir().unwrap();
    let truth = d.path().join("truth.jsonl");
    std::fs::write(&truth, TRUTH).unwrap();
    // Passages 1 and 3 dispatched; 2 missed (read in one frame); 4 only
    // reviewed; the decoy (passage 5, one frame) dispatched; passage 6
    // (same car as 1, 40 min later... but 40 min exactly is outside the
    // window) dispatched although late; one dispatch at a time and place
    // where no listed car passed; and a second hit, a review, for
    // passage 1 (its frames decided in two parts).
    let hits = known_hits();
    let hits_path = d.path().join("hits.jsonl");
    std::fs::write(&hits_path, hits.join("\n")).unwrap();
    let e = evaluate(&hits_path, &truth).unwrap();
    let p1 = &e.by_priority["P1"];
    // P1: three passages expected dispatched (1, 2, 4); only 1 was.
    assert_eq!((p1.should_dispatch, p1.dispatched_right), (3, 1));
    assert!((p1.recall - 1.0 / 3.0).abs() < 1e-9);
    // P1 forwarded 6; real: seq 0, 2 (review of 4), 5 (passage 6), 6
    // (review of 1) = 4.
    assert_eq!((p1.forwarded, p1.real), (6, 4));
    // P1 dispatched seq 0, 3, 4, 5 (seq 2 is a review); real: 0 and 5.
    assert_eq!((p1.dispatched, p1.dispatched_real), (4, 2));
    assert!((p1.dispatch_precision - 0.5).abs() < 1e-9);
    assert_eq!(p1.dispatched_decoys, 1);
    assert_eq!(p1.dispatched_unrelated, 1);
    // seq 4 (08:39:59) repeats seq 0's 1AAA111 within 40 min; seq 5
    // (08:40:00.1) repeats seq 4.
    assert_eq!(p1.duplicate_dispatches, 2);
    assert_eq!(p1.late_dispatches, 1);
    // Why: 2 missed in one frame, 4 reviewed; the decoy read once; seq 6
    // a second hit for passage 1.
    assert_eq!(
        (
            p1.missed_one_frame,
            p1.missed_reviewed,
            p1.missed_unmatched,
            p1.missed_repeat
        ),
        (1, 1, 0, 0)
    );
    assert_eq!(p1.dispatched_decoys_one_frame, 1);
    assert_eq!(p1.split_hits, 1);
    let p0 = &e.by_priority["P0"];
    assert_eq!(
        (
            p0.should_dispatch,
            p0.dispatched_right,
            p0.forwarded,
            p0.real
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(e.total.should_dispatch, 4);
    assert_eq!(e.total.dispatched_right, 2);
    // The command prints the same table.
    hitgate(&[
        "eval",
        "--hits",
        hits_path.to_str().unwrap(),
        "--truth",
        truth.to_str().unwrap(),
    ])
    .unwrap();
}

/// A car missed at 08:00 (one frame) and dispatched at 08:10, a passage
/// the truth calls a repeat: at 08:45 the truth expects a dispatch, which
/// the unit suppresses as a repeat of 08:10. Dispatching it would be a
/// duplicate (35 minutes after the car's own dispatch), so it is held, not
/// missed: one miss (08:00), one held repeat. Had the 08:10 dispatch been
/// a look-alike car's, 08:45 would be a miss behind it.
#[test]
fn a_repeat_held_behind_the_cars_own_dispatch_is_no_miss() {
    let d = tempfile::tempdir().unwrap();
    let passage = |n: u32, at: &str, frames: u32, expect: &str| {
        format!(
            r#"{{"passage":{n},"camera":"c1","first":"2026-01-05T{at}Z","last":"2026-01-05T{at}Z","plate":"1AAA111","vehicle":1,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":false,"frames":{frames},"expect":"{expect}"}}"#
        )
    };
    let truth = d.path().join("truth.jsonl");
    std::fs::write(
        &truth,
        [
            passage(1, "08:00:00", 1, "dispatch"),
            passage(2, "08:10:00", 3, "repeat"),
            passage(3, "08:45:00", 3, "dispatch"),
        ]
        .join("\n"),
    )
    .unwrap();
    let hits = d.path().join("hits.jsonl");
    std::fs::write(
        &hits,
        hit(0, "2026-01-05T08:10:00Z", "c1", "1AAA111", 1, "dispatch"),
    )
    .unwrap();
    let p1 = evaluate(&hits, &truth).unwrap().by_priority["P1"].clone();
    assert_eq!((p1.should_dispatch, p1.dispatched_right), (1, 0));
    assert_eq!(
        (p1.missed_one_frame, p1.missed_repeat, p1.held_repeats),
        (1, 0, 1)
    );
    // The same dispatch made for a look-alike car (vehicle 2, plate
    // 1AAA11I) at 08:10: 08:45 is a miss behind it.
    let decoy = r#"{"passage":4,"camera":"c1","first":"2026-01-05T08:10:00Z","last":"2026-01-05T08:10:00Z","plate":"1AAA11I","vehicle":2,"decoy":true,"priority":null,"lists":[],"local":false,"late":false,"frames":3,"expect":"none"}"#;
    std::fs::write(
        &truth,
        [
            passage(1, "08:00:00", 1, "dispatch"),
            decoy.to_string(),
            passage(3, "08:45:00", 3, "dispatch"),
        ]
        .join("\n"),
    )
    .unwrap();
    let p1 = evaluate(&hits, &truth).unwrap().by_priority["P1"].clone();
    assert_eq!((p1.should_dispatch, p1.dispatched_right), (2, 0));
    assert_eq!(
        (p1.missed_one_frame, p1.missed_repeat, p1.held_repeats),
        (1, 1, 0)
    );
}

/// A car read by both lanes' cameras at once is one sighting: a dispatch
/// from the second lane's passage is the dispatch the truth expects of the
/// first. Ten seconds apart they are two.
#[test]
fn two_lanes_reading_one_car_at_once_are_one_sighting() {
    let d = tempfile::tempdir().unwrap();
    let passage = |n: u32, camera: &str, at: &str, expect: &str| {
        format!(
            r#"{{"passage":{n},"camera":"{camera}","first":"2026-01-05T{at}Z","last":"2026-01-05T{at}Z","plate":"1AAA111","vehicle":1,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":false,"frames":3,"expect":"{expect}"}}"#
        )
    };
    let score = |second_at: &str| {
        let truth = d.path().join("truth.jsonl");
        std::fs::write(
            &truth,
            [
                passage(1, "c1", "08:00:00", "dispatch"),
                passage(2, "c2", second_at, "repeat"),
            ]
            .join("\n"),
        )
        .unwrap();
        let hits = d.path().join("hits.jsonl");
        let ts = format!("2026-01-05T{second_at}Z");
        std::fs::write(&hits, hit(0, &ts, "c2", "1AAA111", 1, "dispatch")).unwrap();
        let p1 = evaluate(&hits, &truth).unwrap().by_priority["P1"].clone();
        (p1.should_dispatch, p1.dispatched_right, p1.dispatched_real)
    };
    assert_eq!(score("08:00:00.300"), (1, 1, 1));
    assert_eq!(score("08:00:10"), (1, 0, 1));
}

#[test]
fn bad_eval_input_names_file_and_line() {
    let d = tempfile::tempdir().unwrap();
    let truth = d.path().join("truth.jsonl");
    std::fs::write(&truth, TRUTH).unwrap();
    let hits = d.path().join("hits.jsonl");
    std::fs::write(
        &hits,
        format!(
            "{}\nnot json\n",
            hit(0, "2026-01-05T08:00:00Z", "c1", "1AAA111", 1, "dispatch")
        ),
    )
    .unwrap();
    let e = format!("{:#}", evaluate(&hits, &truth).unwrap_err());
    assert!(e.contains("hits.jsonl:2:"), "{e}");
}

/// The zone gate's decisions per recipient, scored against a truth whose
/// car crosses three cameras: known by construction.
#[test]
fn gate_scores_per_recipient_known_by_construction() {
    let t = |ts: &str| hitgate_host::time::parse_ts(ts).unwrap();
    let truth = r#"{"passage":1,"camera":"c1","first":"2026-01-05T08:00:00Z","last":"2026-01-05T08:00:00.400Z","plate":"1AAA111","vehicle":1,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":false,"expect":"dispatch","recipients":["room","wpr"]}
{"passage":2,"camera":"c2","first":"2026-01-05T08:07:00Z","last":"2026-01-05T08:07:00.400Z","plate":"1AAA111","vehicle":1,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":false,"expect":"repeat","recipients":["room","wpr"]}
{"passage":3,"camera":"c3","first":"2026-01-05T08:19:00Z","last":"2026-01-05T08:19:00.400Z","plate":"1AAA111","vehicle":1,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":false,"expect":"repeat","recipients":["room","wpr"]}
{"passage":4,"camera":"c1","first":"2026-01-05T08:30:00Z","last":"2026-01-05T08:30:00.400Z","plate":"1BBB222","vehicle":2,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":false,"expect":"dispatch","recipients":["room","wpr"]}
{"passage":5,"camera":"c2","first":"2026-01-05T08:36:00Z","last":"2026-01-05T08:36:00.400Z","plate":"1BBB222","vehicle":2,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":false,"expect":"repeat","recipients":["room","wpr"]}
{"passage":6,"camera":"c3","first":"2026-01-05T08:40:00Z","last":"2026-01-05T08:40:00.400Z","plate":"1CCC338","vehicle":3,"decoy":true,"priority":null,"lists":[],"local":false,"late":false,"expect":"none"}
"#;
    let d = |id: &str, to: &str, kind: &str, reason: &str, camera: &str, ts: &str, listed: &str| {
        format!(
            r#"{{"id":"{id}","recipient":"{to}","kind":"{kind}","case":0,"reason":"{reason}","unit":"u","seq":0,"camera":"{camera}","time":{},"read":"{listed}","listed":"{listed}","country":"","list":0,"priority":1,"rule":"p0-p1","position":null,"received":0}}"#,
            t(ts)
        )
    };
    // wpr: car 1 dispatched at its first passage, updated twice; car 2
    // missed at its first passage and dispatched at its second, 6 minutes
    // on; the decoy dispatched. room: car 1 dispatched twice (a duplicate),
    // car 2 throttled to a review. A copy sent again (same id) counts once.
    let lines = [
        d(
            "u/1/wpr",
            "wpr",
            "dispatch",
            "rule",
            "c1",
            "2026-01-05T08:00:00.100Z",
            "1AAA111",
        ),
        d(
            "u/2/wpr",
            "wpr",
            "update",
            "repeat",
            "c2",
            "2026-01-05T08:07:00.100Z",
            "1AAA111",
        ),
        d(
            "u/3/wpr",
            "wpr",
            "update",
            "repeat",
            "c3",
            "2026-01-05T08:19:00.100Z",
            "1AAA111",
        ),
        d(
            "u/5/wpr",
            "wpr",
            "dispatch",
            "rule",
            "c2",
            "2026-01-05T08:36:00.100Z",
            "1BBB222",
        ),
        d(
            "u/6/wpr",
            "wpr",
            "dispatch",
            "rule",
            "c3",
            "2026-01-05T08:40:00.100Z",
            "1CCC333",
        ),
        d(
            "u/1/room",
            "room",
            "dispatch",
            "rule",
            "c1",
            "2026-01-05T08:00:00.100Z",
            "1AAA111",
        ),
        d(
            "u/1/room",
            "room",
            "dispatch",
            "rule",
            "c1",
            "2026-01-05T08:00:00.100Z",
            "1AAA111",
        ),
        d(
            "u/3/room",
            "room",
            "dispatch",
            "rule",
            "c3",
            "2026-01-05T08:19:00.100Z",
            "1AAA111",
        ),
        d(
            "u/4/room",
            "room",
            "review",
            "capacity",
            "c1",
            "2026-01-05T08:30:00.100Z",
            "1BBB222",
        ),
        // The road police's reviews: one past its most delay, one at its
        // most open cases.
        d(
            "u/50/wpr",
            "wpr",
            "review",
            "late",
            "c1",
            "2026-01-05T08:31:00.100Z",
            "1BBB222",
        ),
        d(
            "u/51/wpr",
            "wpr",
            "review",
            "open",
            "c2",
            "2026-01-05T08:32:00.100Z",
            "1CCC333",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let (tp, dp) = (
        dir.path().join("truth.jsonl"),
        dir.path().join("decisions.jsonl"),
    );
    std::fs::write(&tp, truth).unwrap();
    std::fs::write(&dp, lines.join("\n")).unwrap();
    let e = hitgate_host::eval::evaluate_gate(&dp, &tp).unwrap();
    let wpr = &e["wpr"];
    assert_eq!((wpr.should_dispatch, wpr.dispatched_right), (2, 2));
    assert_eq!(
        (wpr.dispatched, wpr.dispatched_real, wpr.dispatched_decoys),
        (3, 2, 1)
    );
    assert_eq!((wpr.duplicate_dispatches, wpr.updates), (0, 2));
    assert_eq!((wpr.reviews, wpr.throttled), (2, 0));
    let by_reason: Vec<(&str, u64)> = wpr
        .reviews_by_reason
        .iter()
        .map(|(r, n)| (r.as_str(), *n))
        .collect();
    assert_eq!(by_reason, [("late", 1), ("open", 1)]);
    // Latencies 100 ms and 6 min 0.1 s: the median of two is the upper.
    assert_eq!(wpr.latency_median_ms, Some(360_100));
    let room = &e["room"];
    assert_eq!((room.should_dispatch, room.dispatched_right), (2, 1));
    assert_eq!((room.dispatched, room.duplicate_dispatches), (2, 1));
    assert_eq!((room.reviews, room.throttled), (1, 1));
    assert_eq!(
        room.reviews_by_reason.iter().collect::<Vec<_>>(),
        [(&"capacity".to_string(), &1)]
    );
    assert!(
        hitgate_host::eval::render_gate(&e).contains("room: reviews by reason: capacity 1\n"),
        "{}",
        hitgate_host::eval::render_gate(&e)
    );
    assert!((room.recall - 0.5).abs() < 1e-9);
    // A truth that names the cameras by long ids, and decisions that name
    // them as a unit keeps them, folded (Python: the first 7 bytes, `~`,
    // FNV-1a 32 in hex): the same scores.
    let folded = [
        ("c1", "bxl-rin~ac0d0b61"),
        ("c2", "bxl-rin~a90d06a8"),
        ("c3", "bxl-rin~aa0d083b"),
    ];
    let (mut long_truth, mut long_lines) = (truth.to_string(), lines.join("\n"));
    for (short, fold) in folded {
        let camera = |id: &str| format!(r#""camera":"{id}""#);
        long_truth = long_truth.replace(
            &camera(short),
            &camera(&format!("bxl-ring-north-anpr-{short}")),
        );
        long_lines = long_lines.replace(&camera(short), &camera(fold));
    }
    let (ltp, ldp) = (
        dir.path().join("long-truth.jsonl"),
        dir.path().join("long.jsonl"),
    );
    std::fs::write(&ltp, long_truth).unwrap();
    std::fs::write(&ldp, long_lines).unwrap();
    let long = hitgate_host::eval::evaluate_gate(&ldp, &ltp).unwrap();
    assert_eq!(format!("{long:?}"), format!("{e:?}"));
    // A decision purged for its age (`--retention-days`), in either form,
    // and a case closed are no decisions: the same scores.
    let pp = dir.path().join("purged.jsonl");
    let mut with_purged = lines.to_vec();
    with_purged.insert(2, r#"{"id":"u/9/wpr","purged":1767600000000}"#.to_string());
    with_purged.insert(
        3,
        r#"{"id":"u/8/wpr","purged":1767600000000,"kind":"dispatch","reason":"rule","priority":1,"day":"2026-01-05"}"#
            .to_string(),
    );
    with_purged.insert(
        1,
        r#"{"id":"wpr/closed/1","recipient":"wpr","closed":1,"outcome":"intercepted","at":1767600000000}"#
            .to_string(),
    );
    std::fs::write(&pp, with_purged.join("\n")).unwrap();
    let purged = hitgate_host::eval::evaluate_gate(&pp, &tp).unwrap();
    assert_eq!(purged, e);
    // The command takes the same files; a decisions file that is not one
    // is refused with its line.
    let (dps, tps) = (dp.to_string_lossy(), tp.to_string_lossy());
    hitgate(&["eval", "--gate", &dps, "--truth", &tps]).unwrap();
    std::fs::write(&dp, "{\"id\": 1}\n").unwrap();
    let err = hitgate(&["eval", "--gate", &dps, "--truth", &tps]).unwrap_err();
    assert!(format!("{err:#}").contains("decisions.jsonl:1"), "{err:#}");
}

#[test]
fn each_rule_is_scored_by_what_it_forwarded() {
    let d = tempfile::tempdir().unwrap();
    let truth = d.path().join("truth.jsonl");
    std::fs::write(&truth, TRUTH).unwrap();
    let by = |line: String, rule: &str| {
        line.replace(r#""rule":"p0-p1""#, &format!(r#""rule":"{rule}""#))
    };
    // p0-p1 dispatches car 1 (real); one-fuzzy reviews car 4 (real) and
    // dispatches the decoy of passage 5 (not the listed car); p0-p1 also
    // dispatches where no listed car passed (c2 at 08:50).
    let hits = [
        by(
            hit(
                0,
                "2026-01-05T08:00:00.100Z",
                "c1",
                "1AAA111",
                1,
                "dispatch",
            ),
            "p0-p1",
        ),
        by(
            hit(1, "2026-01-05T08:20:00.200Z", "c2", "1DDD444", 1, "review"),
            "one-fuzzy",
        ),
        by(
            hit(
                2,
                "2026-01-05T08:30:00.000Z",
                "c1",
                "1EEE555",
                1,
                "dispatch",
            ),
            "one-fuzzy",
        ),
        by(
            hit(
                3,
                "2026-01-05T08:50:00.000Z",
                "c2",
                "1FFF666",
                1,
                "dispatch",
            ),
            "p0-p1",
        ),
    ];
    let hits_path = d.path().join("hits.jsonl");
    std::fs::write(&hits_path, hits.join("\n")).unwrap();
    let e = evaluate(&hits_path, &truth).unwrap();
    let got: Vec<(&str, [u64; 4])> = e
        .by_rule
        .iter()
        .map(|(k, r)| {
            (
                k.as_str(),
                [r.dispatched, r.dispatched_real, r.reviewed, r.reviewed_real],
            )
        })
        .collect();
    assert_eq!(got, [("one-fuzzy", [1, 0, 1, 1]), ("p0-p1", [2, 1, 0, 0])]);
    // And the table for people shows them.
    let table = hitgate_host::eval::render(&e);
    assert!(
        table.contains("rule                            dispatches  real  reviews  real"),
        "{table}"
    );
    let row: Vec<&str> = table
        .lines()
        .find(|l| l.starts_with("one-fuzzy"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(row, ["one-fuzzy", "1", "0", "1", "1"]);
}

/// Each miss and each dispatch that was wrong, a duplicate or late, one
/// by one, on the hits of [`scores_known_by_construction`]: worked out
/// from its comments, not from the code.
#[test]
fn each_miss_and_each_wrong_dispatch_is_listed() {
    let d = tempfile::tempdir().unwrap();
    let truth = d.path().join("truth.jsonl");
    std::fs::write(&truth, TRUTH).unwrap();
    let hits_path = d.path().join("hits.jsonl");
    std::fs::write(&hits_path, known_hits().join("\n")).unwrap();
    let mut e = evaluate(&hits_path, &truth).unwrap();
    let got: Vec<_> = e
        .cases
        .iter()
        .map(|c| {
            (
                c.case,
                c.why,
                c.priority,
                c.hit.as_ref().map(|h| h.seq),
                c.passage.as_ref().map(|p| p.id),
                c.duplicate,
                c.late,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            // 08:05: passage 2, read once, nothing forwarded.
            ("missed", "one-frame", 1, None, Some(2), false, false),
            // 08:20: passage 4, only reviewed (seq 2).
            ("missed", "reviewed", 1, Some(2), Some(4), false, false),
            // 08:30: the decoy of passage 5, read once.
            (
                "dispatch",
                "decoy-one-frame",
                1,
                Some(3),
                Some(5),
                false,
                false
            ),
            // 08:39:59 at c1: no car there; 1AAA111 dispatched at 08:00.
            ("dispatch", "unrelated", 1, Some(4), None, true, false),
            // 08:40:00.1: passage 6, the listed car, but late, and 1 s
            // after seq 4.
            ("dispatch", "real", 1, Some(5), Some(6), true, true),
        ]
    );
    // The listed plate, the car's own and the frames come along.
    let decoy = &e.cases[2];
    assert_eq!(decoy.hit.as_ref().unwrap().listed, "1EEE555");
    assert_eq!(decoy.passage.as_ref().unwrap().plate, "1EEE585");
    assert_eq!(decoy.passage.as_ref().unwrap().frames, 1);

    // With the reads: each case's passage's reads, in the file's order;
    // lines of other passages and lines without one are passed over.
    let reads = d.path().join("reads.jsonl");
    std::fs::write(
        &reads,
        [
            r#"{"ts":"2026-01-05T08:05:00Z","camera":"c1","plate":"1-BBB 22Z","passage":2}"#,
            r#"{"ts":"2026-01-05T08:06:00Z","camera":"c1","plate":"1-XYZ-999"}"#,
            r#"{"ts":"2026-01-05T08:20:00Z","camera":"c2","plate":"1-DDD-444","passage":4}"#,
            r#"{"ts":"2026-01-05T08:20:00.2Z","camera":"c2","plate":"1-D0D-444","passage":4}"#,
            r#"{"ts":"2026-01-05T08:22:00Z","camera":"c2","plate":"1-GGG-777","passage":9}"#,
            r#"{"ts":"2026-01-05T08:30:00Z","camera":"c1","plate":"1 EEE 585","passage":5}"#,
            // The car behind seq 4, on no list, read twice.
            r#"{"ts":"2026-01-05T08:39:59Z","camera":"c1","plate":"1 AAA 111","confidence":60,"passage":77,"truth":"1AAA171"}"#,
            r#"{"ts":"2026-01-05T08:39:59.2Z","camera":"c1","plate":"1-AAA-171","confidence":90,"passage":77,"truth":"1AAA171"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    attach_reads(&mut e.cases, &reads).unwrap();
    let frames: Vec<Vec<(&str, Option<u8>)>> = e
        .cases
        .iter()
        .map(|c| {
            c.reads
                .iter()
                .map(|r| (r.plate.as_str(), r.confidence))
                .collect()
        })
        .collect();
    assert_eq!(
        frames,
        [
            vec![("1-BBB 22Z", None)],
            vec![("1-DDD-444", None), ("1-D0D-444", None)],
            vec![("1 EEE 585", None)],
            // No truth passage: the passage of the hit's first read (same
            // camera, same time, written otherwise), and the car's plate.
            vec![("1 AAA 111", Some(60)), ("1-AAA-171", Some(90))],
            vec![],
        ]
    );
    let cars: Vec<Option<&str>> = e.cases.iter().map(|c| c.car.as_deref()).collect();
    assert_eq!(cars, [None, None, None, Some("1AAA171"), None]);
    // The unrelated car was read twice: not a one-frame case. Without the
    // reads the count is unknown.
    assert_eq!(e.by_priority["P1"].dispatched_unrelated_one_frame, None);
    hitgate_host::eval::count_unrelated_one_frame(&mut e);
    assert_eq!(e.by_priority["P1"].dispatched_unrelated_one_frame, Some(0));
    assert_eq!(e.by_priority["P0"].dispatched_unrelated_one_frame, Some(0));
    // Read once, it is one: under its priority and in all.
    let mut once = e.clone();
    once.cases[3].reads.truncate(1);
    hitgate_host::eval::count_unrelated_one_frame(&mut once);
    assert_eq!(
        once.by_priority["P1"].dispatched_unrelated_one_frame,
        Some(1)
    );
    assert_eq!(once.total.dispatched_unrelated_one_frame, Some(1));
    // A second hit of the same read (its passage decided in two parts)
    // gets the same.
    let mut twice = vec![e.cases[3].clone(), e.cases[3].clone()];
    for c in &mut twice {
        c.reads.clear();
        c.car = None;
    }
    attach_reads(&mut twice, &reads).unwrap();
    assert!(
        twice
            .iter()
            .all(|c| c.reads.len() == 2 && c.car.as_deref() == Some("1AAA171"))
    );

    // The command writes them a line each; a reads line that is not one
    // is refused with its line.
    let out = d.path().join("cases.jsonl");
    let (h, t, r, o) = (
        hits_path.to_str().unwrap(),
        truth.to_str().unwrap(),
        reads.to_str().unwrap(),
        out.to_str().unwrap(),
    );
    hitgate(&[
        "eval", "--hits", h, "--truth", t, "--cases", o, "--reads", r,
    ])
    .unwrap();
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[1]["why"], "reviewed");
    assert_eq!(lines[1]["hit"]["action"], "review");
    assert_eq!(lines[1]["reads"][1]["plate"], "1-D0D-444");
    assert_eq!(lines[3]["reads"][0]["confidence"], 60);
    assert_eq!(lines[3]["car"], "1AAA171");
    assert_eq!(lines[4]["late"], true);
    assert!(lines[0].get("late").is_none(), "{}", lines[0]);
    // The reads alone, without a cases file, are taken (for the count).
    std::fs::remove_file(&out).unwrap();
    hitgate(&["eval", "--hits", h, "--truth", t, "--reads", r]).unwrap();
    assert!(!out.exists());
    std::fs::write(&reads, "{\"plate\": 5}\n").unwrap();
    let err = hitgate(&[
        "eval", "--hits", h, "--truth", t, "--cases", o, "--reads", r,
    ])
    .unwrap_err();
    assert!(format!("{err:#}").contains("line 1"), "{err:#}");
}

/// A miss held behind an earlier dispatch of its plate names that
/// dispatch.
#[test]
fn a_repeat_names_the_dispatch_that_held_it() {
    let d = tempfile::tempdir().unwrap();
    let truth = d.path().join("truth.jsonl");
    // Two look-alike cars pass at 08:00 and 08:20, each dispatched as
    // 1AAA111; the listed car itself passes at 08:30.
    std::fs::write(
        &truth,
        [
            r#"{"passage":1,"camera":"c1","first":"2026-01-05T08:00:00Z","last":"2026-01-05T08:00:00.400Z","plate":"1AAA117","vehicle":2,"decoy":true,"priority":null,"lists":[],"local":false,"late":false,"frames":3,"expect":"none"}"#,
            r#"{"passage":2,"camera":"c1","first":"2026-01-05T08:20:00Z","last":"2026-01-05T08:20:00.400Z","plate":"1AAA171","vehicle":3,"decoy":true,"priority":null,"lists":[],"local":false,"late":false,"frames":3,"expect":"none"}"#,
            r#"{"passage":3,"camera":"c1","first":"2026-01-05T08:30:00Z","last":"2026-01-05T08:30:00.400Z","plate":"1AAA111","vehicle":1,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":false,"frames":3,"expect":"dispatch"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let hits = d.path().join("hits.jsonl");
    std::fs::write(
        &hits,
        [
            hit(
                0,
                "2026-01-05T08:00:00.100Z",
                "c1",
                "1AAA111",
                1,
                "dispatch",
            ),
            hit(
                1,
                "2026-01-05T08:20:00.100Z",
                "c1",
                "1AAA111",
                1,
                "dispatch",
            ),
        ]
        .join("\n"),
    )
    .unwrap();
    let e = evaluate(&hits, &truth).unwrap();
    let got: Vec<_> = e
        .cases
        .iter()
        .map(|c| (c.case, c.why, c.hit.as_ref().map(|h| h.seq)))
        .collect();
    // The two decoys' dispatches, then passage 3, held by both: the
    // case names the latest, seq 1.
    assert_eq!(
        got,
        [
            ("dispatch", "decoy", Some(0)),
            ("dispatch", "decoy", Some(1)),
            ("missed", "repeat", Some(1))
        ]
    );
}

/// Dispatch latency per camera, worked out by hand: `c1` decides its
/// three dispatches 1, 3 and 2 s after their first read (median 2 s,
/// 99th percentile the largest, 3 s), `c2` its one dispatch three
/// minutes after (a batch that arrived late); `c2`'s review, decided
/// ten minutes after, is no dispatch and counts nowhere. All four: median
/// the third of 1, 2, 3 and 180 s, p99 the largest.
#[test]
fn dispatch_latency_is_told_per_camera() {
    let d = tempfile::tempdir().unwrap();
    let truth = d.path().join("truth.jsonl");
    std::fs::write(&truth, TRUTH).unwrap();
    let at = |seq: u32, ts: &str, camera: &str, action: &str, decided: &str| {
        hit(seq, ts, camera, "1AAA111", 1, action).replace(
            &format!(r#""decided":"{ts}""#),
            &format!(r#""decided":"{decided}""#),
        )
    };
    let hits = [
        at(
            0,
            "2026-01-05T08:00:00.000Z",
            "c1",
            "dispatch",
            "2026-01-05T08:00:01.000Z",
        ),
        at(
            1,
            "2026-01-05T09:00:00.000Z",
            "c1",
            "dispatch",
            "2026-01-05T09:00:03.000Z",
        ),
        at(
            2,
            "2026-01-05T10:00:00.000Z",
            "c1",
            "dispatch",
            "2026-01-05T10:00:02.000Z",
        ),
        at(
            3,
            "2026-01-05T11:00:00.000Z",
            "c2",
            "dispatch",
            "2026-01-05T11:03:00.000Z",
        ),
        at(
            4,
            "2026-01-05T12:00:00.000Z",
            "c2",
            "review",
            "2026-01-05T12:10:00.000Z",
        ),
    ];
    let hits_path = d.path().join("hits.jsonl");
    std::fs::write(&hits_path, hits.join("\n")).unwrap();
    let e = evaluate(&hits_path, &truth).unwrap();
    assert_eq!(
        (e.latency_median_ms, e.latency_p99_ms),
        (Some(3_000), Some(180_000))
    );
    let by = |c: &str| {
        let l = &e.latency_by_camera[c];
        (l.dispatches, l.median_ms, l.p99_ms)
    };
    assert_eq!(by("c1"), (3, 2_000, 3_000));
    assert_eq!(by("c2"), (1, 180_000, 180_000));
    assert_eq!(e.latency_by_camera.len(), 2);
    let table = hitgate_host::eval::render(&e);
    assert!(
        table.contains("\nc2                         1             180000          180000\n"),
        "{table}"
    );
}
