//! Figures counted by hand.

use std::path::Path;

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
            // Closes, as the gate writes them: counted when closed. The
            // second states its handling time, as the gate now does (a
            // day less the 1.5 s from the car to the gate); the first,
            // as a gate wrote them before, does not.
            format!(
                r#"{{"id":"wpr/closed/1","recipient":"wpr","closed":1,"outcome":"intercepted","at":{}}}"#,
                JAN5 + 3_600_000
            ),
            format!(
                r#"{{"id":"wpr/closed/3","recipient":"wpr","closed":3,"outcome":null,"at":{},"handled_ms":86398500}}"#,
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
        // delays stay, as durations, and so does the handling time a
        // close states (case 3's; case 1's went with its dispatch).
        want.cases = 0;
        want.handling_median_s = (r == "wpr").then_some(86_398.5);
        want.purged = want.dispatched + want.reviewed + want.updates;
        assert_eq!(&d2.total[r], &want, "{r}");
    }
    assert_eq!(
        d2.periods.keys().collect::<Vec<_>>(),
        ["2026-01", "2026-02"]
    );
    assert_eq!(d2.periods["2026-01"]["wpr"].handling_median_s, None);
    assert_eq!(
        d2.periods["2026-02"]["wpr"].handling_median_s,
        Some(86_398.5)
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
