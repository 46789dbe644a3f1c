//! Generated scenarios replayed end to end, their hits checked against
//! conditions worked out by hand from `docs/formats.md` ("Scenario").
//!
//! The mobile unit: out for the middle half of the 20-minute recording
//! (07:05:00 to 07:15:00 UTC), the first third at the Grand-Place (a
//! circle, no hotspot), the second at the Gare du Midi, the last at the
//! Gare du Nord (both hotspots); the recording is a Monday morning, 08:00
//! local, inside the morning rush. No OCR errors and no decoys, so every
//! passage of a listed car is read as it is: the hits must be exactly the
//! truth's. And a generated day: the night schedule across midnight.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use hitgate_e2e::{hitgate, jsonl};
use hitgate_host::time::parse_ts;

const GRAND_PLACE: (f64, f64) = (50.8467, 4.3525);
const MIDI: (f64, f64) = (50.8355, 4.3360);
const NORD: (f64, f64) = (50.8605, 4.3610);

/// Where the mobile unit stands at `ts`, by hand: three stops of 200 s.
fn stop(ts: &str) -> (&'static str, (f64, f64)) {
    let t = parse_ts(ts).unwrap();
    let out = parse_ts("2026-01-05T07:05:00Z").unwrap();
    match (t - out) / 200_000 {
        0 => ("grand-place", GRAND_PLACE),
        1 => ("gare-du-midi", MIDI),
        _ => ("gare-du-nord", NORD),
    }
}

/// `hitgate gen GEN_ARGS --out DIR/scen`, then a replay of it into
/// `DIR/out`; the two directories.
fn generate_and_replay(dir: &Path, gen_args: &[&str]) -> (PathBuf, PathBuf) {
    let (scen, out) = (dir.join("scen"), dir.join("out"));
    let s = |p: &Path| p.to_string_lossy().into_owned();
    let mut args = vec!["gen"];
    args.extend_from_slice(gen_args);
    let scen_s = s(&scen);
    args.extend_from_slice(&["--out", &scen_s]);
    hitgate(&args).unwrap();
    hitgate(&[
        "replay",
        "--quiet",
        "--reads",
        &s(&scen.join("reads.jsonl")),
        "--lists",
        &s(&scen.join("lists.csv")),
        "--policy",
        &s(&scen.join("policy.toml")),
        "--out",
        &s(&out),
    ])
    .unwrap();
    (scen, out)
}

#[test]
fn the_mobile_units_hits_follow_its_route_and_the_rules_of_each_stop() {
    let d = tempfile::tempdir().unwrap();
    let (scen, out) = generate_and_replay(
        d.path(),
        &[
            "--preset",
            "small",
            "--seed",
            "5",
            "--error-rate",
            "0",
            "--decoys",
            "0",
        ],
    );
    let hits: Vec<_> = jsonl(&out.join("hits.jsonl"))
        .into_iter()
        .filter(|h| h["camera"] == "mobile-1")
        .collect();
    let mut at_stop: BTreeMap<&str, usize> = BTreeMap::new();
    for h in &hits {
        let ts = h["ts"].as_str().unwrap();
        let (name, (lat, lon)) = stop(ts);
        *at_stop.entry(name).or_default() += 1;
        // The read carries the stop's position (within 0.0005°, about
        // 50 m: the unit's fix wanders a little).
        let (hl, ho) = (h["lat"].as_f64().unwrap(), h["lon"].as_f64().unwrap());
        assert!(
            (hl - lat).abs() < 5e-4 && (ho - lon).abs() < 5e-4,
            "{ts}: at ({hl}, {ho}), not at {name}"
        );
        // The rule, by hand.
        let listed = h["listed"].as_str().unwrap();
        let want = match (h["priority"].as_u64().unwrap(), name) {
            (0 | 1, _) => "p0-p1",
            (2, "gare-du-midi" | "gare-du-nord") => "p2-hotspots",
            // The Grand-Place (a circle) in the morning rush.
            (2, _) => "p2-grand-place-rush",
            (p, _) => panic!("{ts}: {listed} (P{p}) at {name} should have been dropped"),
        };
        assert_eq!(h["rule"], want, "{ts}: {listed} at {name}");
    }
    // Every stop saw hits (the route is exercised), and the hits are the
    // truth's: each passage to dispatch dispatched, each late one
    // reviewed, nothing else.
    assert_eq!(at_stop.len(), 3, "{at_stop:?}");
    let truth: Vec<_> = jsonl(&scen.join("truth.jsonl"))
        .into_iter()
        .filter(|p| p["camera"] == "mobile-1")
        .collect();
    // A hit belongs to the truth passage of its plate whose frames span
    // its first read.
    let passage_of = |plate: &str, ts: &str| {
        let t = parse_ts(ts).unwrap();
        truth
            .iter()
            .find(|p| {
                p["plate"] == plate
                    && parse_ts(p["first"].as_str().unwrap()).unwrap() <= t
                    && t <= parse_ts(p["last"].as_str().unwrap()).unwrap()
            })
            .map(|p| p["passage"].as_u64().unwrap())
    };
    for (action, expect) in [("dispatch", "dispatch"), ("review", "review")] {
        let got: BTreeSet<_> = hits
            .iter()
            .filter(|h| h["action"] == action)
            .map(|h| passage_of(h["listed"].as_str().unwrap(), h["ts"].as_str().unwrap()))
            .collect();
        let want: BTreeSet<_> = truth
            .iter()
            .filter(|p| p["expect"] == expect)
            .map(|p| Some(p["passage"].as_u64().unwrap()))
            .collect();
        assert_eq!(got, want, "{action}");
    }
    for rule in ["p2-hotspots", "p2-grand-place-rush"] {
        assert!(
            hits.iter().any(|h| h["rule"] == rule),
            "no hit under {rule}"
        );
    }
}

/// A generated day: the night schedule (22:00 to 06:00 Brussels time,
/// across midnight) decides the local list's hits at night, and only
/// then; by hand, in January that is 21:00 to 05:00 UTC.
#[test]
fn a_generated_day_dispatches_the_local_list_at_night_under_the_night_rule() {
    let d = tempfile::tempdir().unwrap();
    let (_, out) = generate_and_replay(d.path(), &["--preset", "day"]);
    let hits = jsonl(&out.join("hits.jsonl"));
    let hour =
        |h: &serde_json::Value| -> u32 { h["ts"].as_str().unwrap()[11..13].parse().unwrap() };
    let night: Vec<_> = hits
        .iter()
        .filter(|h| h["rule"] == "p2-local-night")
        .collect();
    assert!(!night.is_empty(), "no hit under the night rule");
    for h in &night {
        assert!(hour(h) >= 21 || hour(h) < 5, "{h}");
    }
    // By day the local list goes by the rush rule or the baseline's.
    assert!(
        hits.iter()
            .filter(|h| h["rule"] == "p2-local" || h["rule"] == "p2-local-rush")
            .all(|h| (5..21).contains(&hour(h)))
    );
}
