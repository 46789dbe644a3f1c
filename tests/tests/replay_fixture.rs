//! Replays the hand-checked fixture (see `fixtures/basic/README.md`) and
//! compares hits and counters with the expected files.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use std::io::Write;

use hitgate_e2e::{fixture, hitgate, jsonl, replay_fixture_lists};
use serde_json::Value;

fn replay(reads: &std::path::Path, out: &std::path::Path) {
    replay_fixture_lists(reads, out, &["--frames"]).unwrap();
}

fn report(out: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

/// Replays a fixture's reads, checks its hits against the expected ones,
/// and gives the report.
fn replay_expecting_the_fixture_hits(reads: &str, dir: &std::path::Path) -> Value {
    replay(&fixture(reads), dir);
    assert_eq!(
        jsonl(&dir.join("hits.jsonl")),
        jsonl(&fixture("basic/expected-hits.jsonl"))
    );
    report(dir)
}

#[test]
fn jsonl_fixture_gives_the_expected_hits_and_counters() {
    let dir = tempfile::tempdir().unwrap();
    let got = replay_expecting_the_fixture_hits("basic/reads.jsonl", dir.path());
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("basic/expected-counters.json")).unwrap(),
    )
    .unwrap();
    for key in ["indicators", "by_rule", "cameras", "input", "hits"] {
        assert_eq!(got[key], want[key], "report.{key}");
    }
    assert!(got["timing"]["reads_per_second"].as_f64().unwrap() > 0.0);
    let svg = std::fs::read_to_string(dir.path().join("report.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("cam-1"));
}

#[test]
fn frames_decode_to_the_same_hits() {
    let dir = tempfile::tempdir().unwrap();
    replay(&fixture("basic/reads.jsonl"), dir.path());
    let mut bytes = std::fs::read(dir.path().join("hits.frames")).unwrap();
    let mut seqs = Vec::new();
    let want = jsonl(&fixture("basic/expected-hits.jsonl"));
    hitgate_core::wire::for_each_frame(&mut bytes, |r| {
        let r = r.unwrap();
        let w = &want[seqs.len()];
        assert_eq!(r.listed, w["listed"].as_str().unwrap());
        assert_eq!(u64::from(r.priority), w["priority"].as_u64().unwrap());
        assert_eq!(r.late, w["late"].as_bool().unwrap());
        seqs.push(r.seq);
    });
    assert_eq!(seqs, vec![0, 1, 2, 3, 4]);
}

#[test]
fn gzip_input_gives_the_same_hits() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("reads.jsonl.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&std::fs::read(fixture("basic/reads.jsonl")).unwrap())
        .unwrap();
    enc.finish().unwrap();
    let out = dir.path().join("out");
    replay(&gz, &out);
    assert_eq!(
        jsonl(&out.join("hits.jsonl")),
        jsonl(&fixture("basic/expected-hits.jsonl"))
    );
}

#[test]
fn csv_input_gives_the_same_hits() {
    let dir = tempfile::tempdir().unwrap();
    // In CSV the header is line 1, and the line without a plate has an
    // empty one, which the core rejects.
    let r = replay_expecting_the_fixture_hits("basic/reads.csv", dir.path());
    assert_eq!(r["input"]["bad_lines"], 2);
    assert_eq!(r["input"]["errors"][0]["line"], 11);
    assert_eq!(
        r["input"]["errors"][0]["error"],
        "bad plate: plate is empty"
    );
    assert_eq!(r["input"]["errors"][1]["line"], 12);
    assert_eq!(r["indicators"]["reads"], 17);
    assert_eq!(r["indicators"]["rejected"][0], 2);
}

#[test]
fn strict_stops_at_the_first_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    let e = hitgate(&[
        "replay",
        "--reads",
        fixture("basic/reads.jsonl").to_str().unwrap(),
        "--lists",
        fixture("basic/lists.csv").to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
        "--quiet",
        "--strict",
    ])
    .unwrap_err();
    let msg = format!("{e:#}");
    assert!(
        msg.contains("reads.jsonl:10: missing field `plate`"),
        "{msg}"
    );
}

#[test]
fn a_policy_changes_the_decisions() {
    // The same stream under a matrix that reviews everything from cam-2 and
    // dispatches P2 wherever it stands.
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        r#"
[[list]]
name = "stolen"
[[list]]
name = "wanted"
[[list]]
name = "insurance"
[[list]]
name = "local"
local = true
[[list]]
name = "inspection"

[[rule]]
name = "cam-2-review"
cameras = ["cam-2"]
action = "review"

[[rule]]
name = "urgent"
priorities = [0, 1, 2]
action = "dispatch"
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    replay_fixture_lists(
        &fixture("basic/reads.jsonl"),
        &out,
        &["--policy", policy.to_str().unwrap()],
    )
    .unwrap();
    let hits = jsonl(&out.join("hits.jsonl"));
    let summary: Vec<(String, String, String)> = hits
        .iter()
        .map(|h| {
            (
                h["listed"].as_str().unwrap().to_string(),
                h["action"].as_str().unwrap().to_string(),
                h["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        summary,
        vec![
            s("1ABC234", "dispatch", "urgent"),
            s("1WNT000", "review", "cam-2-review"),
            s("1INS222", "review", "cam-2-review"),
            s("1LOC333", "dispatch", "urgent"),
            s("1DEC888", "dispatch", "urgent"),
            s("1LAT777", "review", "urgent"),
        ]
    );
    // 1OLD444 (P3) falls through every rule: dropped by the fallback.
    let r = report(&out);
    let rules = r["by_rule"].as_array().unwrap();
    let fallback = rules.last().unwrap();
    assert_eq!(
        (&fallback["name"], &fallback["rule"]),
        (&Value::from("fallback"), &Value::Null)
    );
    assert_eq!(fallback["decided"], 1);
    // Keyed by index in the policy's order, with the names shown.
    let names: Vec<&str> = rules.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["cam-2-review", "urgent", "fallback"]);
    assert_eq!(rules[1]["rule"], 1);
}

#[test]
fn a_rule_that_never_applies_is_named_in_the_report() {
    // `cam-2-p1` comes after `urgent`, which takes every priority-1 hit
    // from any camera first.
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(
        &policy,
        "[[rule]]\nname = \"urgent\"\npriorities = [0, 1, 2]\naction = \"dispatch\"\n\n\
         [[rule]]\nname = \"cam-2-p1\"\npriorities = [1]\ncameras = [\"cam-2\"]\naction = \"review\"\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let policy = policy.to_str().unwrap();
    replay_fixture_lists(&fixture("basic/reads.jsonl"), &out, &["--policy", policy]).unwrap();
    let r = report(&out);
    assert_eq!(
        r["policy_notes"],
        serde_json::json!([
            "rule 2 (\"cam-2-p1\", review) never applies: rule 1 (\"urgent\", dispatch) before \
             it takes every hit it would; move it above, or narrow the earlier one"
        ])
    );
    // And it decided nothing, though the fixture has a P1 hit from cam-2
    // (1WNT000, which the test above sends to review from cam-2).
    assert_eq!(r["by_rule"][1]["name"], "cam-2-p1");
    assert_eq!(r["by_rule"][1]["decided"], 0);
    assert!(
        jsonl(&out.join("hits.jsonl"))
            .iter()
            .any(|h| h["listed"] == "1WNT000" && h["rule"] == "urgent")
    );

    // The baseline says nothing, and the report has no such key.
    let base = dir.path().join("base");
    replay_fixture_lists(&fixture("basic/reads.jsonl"), &base, &[]).unwrap();
    assert!(report(&base).get("policy_notes").is_none());
}
