//! `report.html` beside `report.json`: rendered in headless Chromium, its
//! figures are those of the JSON, and it holds no plate.

#![allow(clippy::unwrap_used)]

use std::process::Command;

use serde_json::Value;

mod common;
use common::headless_dom;

#[test]
fn the_replay_page_shows_the_reports_figures_and_no_plate() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let hitgate = env!("CARGO_BIN_EXE_hitgate");
    let ok = |c: &mut Command| assert!(c.status().unwrap().success(), "{c:?}");
    ok(Command::new(hitgate)
        .args(["gen", "--seed", "4", "--preset", "small", "--out"])
        .arg(dir.join("scen")));
    ok(Command::new(hitgate)
        .args(["replay", "--quiet", "--reads"])
        .arg(dir.join("scen/reads.jsonl"))
        .arg("--lists")
        .arg(dir.join("scen/lists.csv"))
        .arg("--policy")
        .arg(dir.join("scen/policy.toml"))
        .arg("--out")
        .arg(dir.join("out")));
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/report.json")).unwrap()).unwrap();
    let dom = headless_dom(&dir.join("out/report.html"));
    let ind = &report["indicators"];
    for (id, value) in [
        ("reads", &ind["reads"]),
        ("matched", &ind["matched"]),
        ("dispatched", &ind["dispatched"]),
        ("reviewed", &ind["reviewed"]),
        ("dropped", &ind["dropped"]),
        ("suppressed-realert", &ind["suppressed_realert"]),
        ("lookalike", &ind["lookalike"]),
        ("stronger", &ind["stronger"]),
        ("hits", &report["hits"]),
    ] {
        assert!(
            dom.contains(&format!("id=\"{id}\">{value}<")),
            "{id} = {value} not in the rendered page"
        );
    }
    assert!(
        report["hits"].as_u64().unwrap() > 0,
        "the scenario forwards hits"
    );
    for (k, rule) in report["by_rule"].as_array().unwrap().iter().enumerate() {
        assert!(
            dom.contains(&format!("id=\"rule-{k}\">{}<", rule["decided"])),
            "{rule}"
        );
    }
    let cameras = report["cameras"].as_array().unwrap();
    assert_eq!(dom.matches("data-camera=").count(), cameras.len());
    assert!(dom.contains("<svg"), "no picture");
    // The summary's notes (lists too wide for the recording's traffic,
    // here) are on the page, one item each.
    let notes = report["wide_lists"].as_array().map_or(0, Vec::len);
    assert!(
        notes > 0,
        "the small scenario has a list too wide: {report}"
    );
    assert_eq!(dom.matches("<li>list ").count(), notes);
    // The hours' rows add up to the hits written.
    let hits = std::fs::read_to_string(dir.join("out/hits.jsonl")).unwrap();
    let hours: std::collections::BTreeSet<&str> = hits
        .lines()
        .map(|l| &l[l.find("\"ts\":\"").unwrap() + 6..][..13])
        .collect();
    assert_eq!(dom.matches("data-hour").count(), hours.len());
    // No plate of any hit.
    let page = std::fs::read_to_string(dir.join("out/report.html")).unwrap();
    for l in hits.lines() {
        let h: Value = serde_json::from_str(l).unwrap();
        for field in ["read", "listed"] {
            assert!(!page.contains(h[field].as_str().unwrap()), "{}", h[field]);
        }
    }
}
