//! `eval` on hits and truth whose scores are known by construction.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use hitgate_e2e::hitgate;
use hitgate_host::eval::evaluate;

const TRUTH: &str = r#"{"passage":1,"camera":"c1","first":"2026-01-05T08:00:00Z","last":"2026-01-05T08:00:00.400Z","plate":"1AAA111","vehicle":1,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":false,"expect":"dispatch"}
{"passage":2,"camera":"c1","first":"2026-01-05T08:05:00Z","last":"2026-01-05T08:05:00.400Z","plate":"1BBB222","vehicle":2,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":false,"expect":"dispatch"}
{"passage":3,"camera":"c2","first":"2026-01-05T08:10:00Z","last":"2026-01-05T08:10:00.400Z","plate":"1CCC333","vehicle":3,"decoy":false,"priority":0,"lists":["wanted"],"local":false,"late":false,"expect":"dispatch"}
{"passage":4,"camera":"c2","first":"2026-01-05T08:20:00Z","last":"2026-01-05T08:20:00.400Z","plate":"1DDD444","vehicle":4,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":false,"expect":"dispatch"}
{"passage":5,"camera":"c1","first":"2026-01-05T08:30:00Z","last":"2026-01-05T08:30:00.400Z","plate":"1EEE585","vehicle":5,"decoy":true,"priority":null,"lists":[],"local":false,"late":false,"expect":"none"}
{"passage":6,"camera":"c2","first":"2026-01-05T08:40:00Z","last":"2026-01-05T08:40:00.400Z","plate":"1AAA111","vehicle":1,"decoy":false,"priority":1,"lists":["stolen"],"local":false,"late":true,"expect":"repeat"}
"#;

fn hit(seq: u32, ts: &str, camera: &str, listed: &str, priority: u8, action: &str) -> String {
    format!(
        r#"{{"seq":{seq},"ts":"{ts}","camera":"{camera}","read":"{listed}","reads":2,"listed":"{listed}","country":null,"list":"stolen","priority":{priority},"match":"exact","ocr":0,"edits":0,"action":"{action}","rule":"p0-p1","reason":"rule","late":false,"version":1,"decided":"{ts}"}}"#
    )
}

#[test]
fn scores_known_by_construction() {
    let d = tempfile::tempdir().unwrap();
    let truth = d.path().join("truth.jsonl");
    std::fs::write(&truth, TRUTH).unwrap();
    // Passages 1 and 3 dispatched; 2 missed; 4 only reviewed; the decoy
    // (passage 5) dispatched; passage 6 (same car as 1, 40 min later... but
    // 40 min exactly is outside the window) dispatched although late; and one
    // dispatch at a time and place where no listed car passed.
    let hits = [
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
    ];
    let hits_path = d.path().join("hits.jsonl");
    std::fs::write(&hits_path, hits.join("\n")).unwrap();
    let e = evaluate(&hits_path, &truth).unwrap();
    let p1 = &e.by_priority["P1"];
    // P1: three passages expected dispatched (1, 2, 4); only 1 was.
    assert_eq!((p1.should_dispatch, p1.dispatched_right), (3, 1));
    assert!((p1.recall - 1.0 / 3.0).abs() < 1e-9);
    // P1 forwarded 5; real: seq 0, 2 (review of 4), 5 (passage 6) = 3.
    assert_eq!((p1.forwarded, p1.real), (5, 3));
    // P1 dispatched seq 0, 3, 4, 5 (seq 2 is a review); real: 0 and 5.
    assert_eq!((p1.dispatched, p1.dispatched_real), (4, 2));
    assert!((p1.dispatch_precision - 0.5).abs() < 1e-9);
    assert_eq!(p1.dispatched_decoys, 1);
    assert_eq!(p1.dispatched_unrelated, 1);
    // seq 4 (08:39:59) repeats seq 0's 1AAA111 within 40 min; seq 5
    // (08:40:00.1) repeats seq 4.
    assert_eq!(p1.duplicate_dispatches, 2);
    assert_eq!(p1.late_dispatches, 1);
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
