//! The example zone policy (`examples/policies/brussels-zone.toml`) on the
//! hand-checked fixture, with a mobile unit's reads added: each hit's rule
//! worked out by hand from the zones, the night schedule and the operation
//! window; and policies that are refused, each error naming what is wrong.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use std::path::{Path, PathBuf};

use hitgate_e2e::{fixture, hitgate, jsonl};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/policies/brussels-zone.toml")
}

/// (listed, camera, rule, action, operation) of each hit of a replay.
fn replay(
    reads: &Path,
    policy: &Path,
    out: &Path,
) -> Vec<(String, String, String, String, Option<String>)> {
    let s = |p: &Path| p.to_string_lossy().into_owned();
    hitgate(&[
        "replay",
        "--quiet",
        "--reads",
        &s(reads),
        "--lists",
        &s(&fixture("basic/lists.csv")),
        "--policy",
        &s(policy),
        "--out",
        &s(out),
    ])
    .unwrap();
    jsonl(&out.join("hits.jsonl"))
        .iter()
        .map(|h| {
            let f = |k: &str| h[k].as_str().unwrap().to_string();
            (
                f("listed"),
                f("camera"),
                f("rule"),
                f("action"),
                h["operation"].as_str().map(String::from),
            )
        })
        .collect()
}

fn hit(
    listed: &str,
    camera: &str,
    rule: &str,
    action: &str,
    op: Option<&str>,
) -> (String, String, String, String, Option<String>) {
    (
        listed.into(),
        camera.into(),
        rule.into(),
        action.into(),
        op.map(String::from),
    )
}

#[test]
fn during_the_operation_its_rule_dispatches_priority_two() {
    let d = tempfile::tempdir().unwrap();
    let got = replay(&fixture("basic/reads.jsonl"), &example(), d.path());
    // The fixture's reads are on Monday 2026-01-05 around 08:00 UTC, inside
    // the operation's window: both priority-2 hits go to dispatch under it;
    // the rest is the fixture's hand-checked outcome.
    assert_eq!(
        got,
        vec![
            hit("1ABC234", "cam-1", "p0-p1", "dispatch", None),
            hit("1WNT000", "cam-2", "p0-p1", "dispatch", None),
            hit(
                "1INS222",
                "cam-2",
                "p2-eurostar",
                "dispatch",
                Some("eurostar-checks")
            ),
            hit(
                "1LOC333",
                "cam-1",
                "p2-eurostar",
                "dispatch",
                Some("eurostar-checks")
            ),
            hit("1DEC888", "cam-1", "p0-p1", "dispatch", None),
            hit("1LAT777", "cam-4", "p0-p1", "review", None),
        ]
    );
}

#[test]
fn outside_it_zones_and_the_night_decide_and_a_mobile_unit_brings_its_position() {
    let d = tempfile::tempdir().unwrap();
    // The same policy with the operation on another day.
    let policy = std::fs::read_to_string(example())
        .unwrap()
        .replace("2026-01-05T07:00:00Z", "2026-02-01T07:00:00Z")
        .replace("2026-01-05T09:00:00Z", "2026-02-01T09:00:00Z");
    let pf = d.path().join("policy.toml");
    std::fs::write(&pf, policy).unwrap();
    // A mobile unit's reads after the fixture's.
    let mut reads = std::fs::read_to_string(fixture("basic/reads.jsonl")).unwrap();
    for (ts, plate, lat, lon) in [
        // 23:30 local (CET), outside every zone: the local list at night.
        ("2026-01-05T22:30:00Z", "1LOC333", 50.8200, 4.3000),
        // 11:00 local, inside the Gare du Nord polygon: a hotspot.
        ("2026-01-06T10:00:00Z", "1INS222", 50.8600, 4.3600),
        // 13:00 local, on the Grand-Place (a zone, but no hotspot), by day:
        // the local list goes to review.
        ("2026-01-06T12:00:00Z", "1LOC333", 50.8467, 4.3525),
    ] {
        reads += &format!(
            "{{\"ts\":\"{ts}\",\"camera\":\"mobile-1\",\"plate\":\"{plate}\",\"confidence\":90,\"lat\":{lat},\"lon\":{lon}}}\n"
        );
    }
    let r = d.path().join("reads.jsonl");
    std::fs::write(&r, reads).unwrap();
    let got = replay(&r, &pf, &d.path().join("out"));
    assert_eq!(
        got,
        vec![
            hit("1ABC234", "cam-1", "p0-p1", "dispatch", None),
            hit("1WNT000", "cam-2", "p0-p1", "dispatch", None),
            // 1INS222 at cam-2 (Schaerbeek, no zone), 09:00 local: dropped.
            // 1LOC333 at cam-1, which stands in the Gare du Midi zone.
            hit("1LOC333", "cam-1", "p2-hotspots", "dispatch", None),
            hit("1DEC888", "cam-1", "p0-p1", "dispatch", None),
            hit("1LAT777", "cam-4", "p0-p1", "review", None),
            hit("1LOC333", "mobile-1", "p2-local-night", "dispatch", None),
            hit("1INS222", "mobile-1", "p2-hotspots", "dispatch", None),
            hit("1LOC333", "mobile-1", "p2-local", "review", None),
        ]
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("out/report.json")).unwrap())
            .unwrap();
    let p2 = report["by_rule"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "p2")
        .unwrap();
    assert_eq!(p2["decided"], 1, "{}", report["by_rule"]);
}

#[test]
fn a_bad_policy_is_refused_naming_the_rule_or_place_and_the_fault() {
    let base = std::fs::read_to_string(example()).unwrap();
    let cases = [
        (
            base.replace(
                "[[50.8325, 4.3320], [50.8375, 4.3320], [50.8375, 4.3395], [50.8325, 4.3395]]",
                "[[50.8325, 4.3320], [50.8375, 4.3395], [50.8375, 4.3320], [50.8325, 4.3395]]",
            ),
            "zone \"gare-du-midi\": the polygon crosses itself: its edges 1 and 3 meet \
             (edge N runs from point N to the next)",
        ),
        (
            base.replace(
                "[[50.8325, 4.3320], [50.8375, 4.3320], [50.8375, 4.3395], [50.8325, 4.3395]]",
                "[[50.8325, 4.3320], [50.8375, 4.3320]]",
            ),
            "zone \"gare-du-midi\": a polygon needs at least 3 points",
        ),
        (
            base.replace(
                "[[50.8325, 4.3320], [50.8375, 4.3320], [50.8375, 4.3395], [50.8325, 4.3395]]",
                "[[-17.0, 179.5], [-17.0, -179.5], [-16.0, -179.5]]",
            ),
            "zone \"gare-du-midi\": the zone crosses the 180° meridian",
        ),
        (
            base.replace(
                "end = \"2026-01-05T09:00:00Z\"",
                "end = \"2026-01-05T06:00:00Z\"",
            ),
            "operation \"eurostar-checks\": ends at or before it starts",
        ),
        (
            base.replace(
                "from = \"22:00\"\nto = \"06:00\"",
                "from = \"22:00\"\nto = \"22:00\"",
            ),
            "schedule \"night\": an empty schedule",
        ),
        (
            base.replace(
                "zones = [\"gare-du-midi\", \"gare-du-nord\"]",
                "zones = [\"gare-du-sud\"]",
            ),
            "rule 3 (\"p2-hotspots\"): zones: unknown zone \"gare-du-sud\"",
        ),
        (
            base.replace(
                "operation = \"eurostar-checks\"",
                "operation = \"euro-2000\"",
            ),
            "rule 2 (\"p2-eurostar\"): operation: unknown operation \"euro-2000\"",
        ),
        (
            base.replace("schedules = [\"night\"]", "schedules = [\"nights\"]"),
            "rule 4 (\"p2-local-night\"): schedules: unknown schedule \"nights\"",
        ),
        (
            base.replace("radius_m = 350", "radius_m = 0"),
            "zone \"grand-place\": a circle's radius is 1 to 100000 m",
        ),
        (
            base.replace("position = [50.8700, 4.3700]", "position = [95.0, 4.3700]"),
            "camera \"cam-2\": [95, 4.37] is not a latitude and longitude",
        ),
    ];
    for (text, want) in cases {
        let e = hitgate_host::policy_file::PolicyFile::parse(&text).unwrap_err();
        let got = format!("{e:#}");
        assert!(got.contains(want), "want {want:?}, got {got:?}");
    }
    // And the example itself is fine.
    hitgate_host::policy_file::PolicyFile::parse(&base).unwrap();
}

#[test]
fn compare_counts_by_zone_what_a_hotspot_rule_moves() {
    let d = tempfile::tempdir().unwrap();
    let s = |p: &Path| p.to_string_lossy().into_owned();
    // A: the example with its operation on another day. B: the same
    // without the hotspot rule. By construction the only passage that moves
    // is 1LOC333 at cam-1 (Gare du Midi): dispatched under A by the hotspot
    // rule, reviewed under B by the local-list rule (09:00 local, not night).
    let a = std::fs::read_to_string(example())
        .unwrap()
        .replace("2026-01-05T07:00:00Z", "2026-02-01T07:00:00Z")
        .replace("2026-01-05T09:00:00Z", "2026-02-01T09:00:00Z");
    let b = a.replace(
        "[[rule]]\nname = \"p2-hotspots\"\npriorities = [2]\nzones = [\"gare-du-midi\", \"gare-du-nord\"]\naction = \"dispatch\"\n",
        "",
    );
    assert_ne!(a, b);
    let (pa, pb) = (d.path().join("a.toml"), d.path().join("b.toml"));
    std::fs::write(&pa, a).unwrap();
    std::fs::write(&pb, b).unwrap();
    let out = d.path().join("cmp");
    let compare = |b: &Path, out: &Path, extra: &[&str]| {
        let (reads, lists) = (fixture("basic/reads.jsonl"), fixture("basic/lists.csv"));
        let (reads, lists, a, b, out) = (s(&reads), s(&lists), s(&pa), s(b), s(out));
        let mut args = vec![
            "compare", "--reads", &reads, "--lists", &lists, "--policy", &a, "--policy", &b,
            "--out", &out,
        ];
        args.extend_from_slice(extra);
        hitgate(&args)
    };
    compare(&pb, &out, &[]).unwrap();
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("compare.json")).unwrap()).unwrap();
    assert_eq!(r["changed_total"], 1, "{r}");
    let row = |key: &str| {
        r["zones"]
            .as_array()
            .unwrap()
            .iter()
            .find(|z| z["key"] == key)
            .cloned()
            .unwrap_or_else(|| panic!("no zone row {key}: {}", r["zones"]))
    };
    let midi = row("gare-du-midi");
    assert_eq!(
        (midi["dispatched"].clone(), midi["reviewed"].clone()),
        (serde_json::json!([3, 2]), serde_json::json!([0, 1]))
    );
    // cam-1's other hits are in the zone too, the same under both:
    // 1ABC234 and 1DEC888 (a misread: its frames agree on a spelling no
    // plate has) dispatched, so the zone's counts are A 3 dispatched 0
    // reviewed, B 2 and 1.
    let none = row("(no zone)");
    assert_eq!(none["dispatched"][0], none["dispatched"][1]);
    let changed = &r["changed"][0];
    assert_eq!(changed["camera"], "cam-1");
    assert_eq!(changed["a"]["zones"], serde_json::json!(["gare-du-midi"]));
    let html = std::fs::read_to_string(out.join("compare.html")).unwrap();
    assert!(
        html.contains(
            "<tr data-zone=\"gare-du-midi\"><td>gare-du-midi</td><td>3</td><td>2</td><td>0</td><td>1</td></tr>"
        ),
        "{html}"
    );
    // The fixture's times all carry their offset.
    assert_eq!(r["times_without_offset"], 0);
    // Local time needs one clock: policies whose offsets differ are
    // refused before anything is written.
    let pc = d.path().join("c.toml");
    let c = std::fs::read_to_string(&pa)
        .unwrap()
        .replace("+02:00", "+03:00");
    std::fs::write(&pc, c).unwrap();
    let e = compare(&pc, &d.path().join("cmp2"), &["--naive-times", "local"]).unwrap_err();
    assert!(format!("{e:#}").contains("offsets differ"), "{e:#}");
    assert!(!d.path().join("cmp2").exists());
}

/// The places travel in a signed image: a replay of the image gives the
/// hits of the replay of the policy file, operation names included.
#[test]
fn a_signed_image_carries_the_places() {
    let d = tempfile::tempdir().unwrap();
    let s = |p: &Path| p.to_string_lossy().into_owned();
    let key = d.path().join("k");
    hitgate(&["keygen", "--out", &s(&key)]).unwrap();
    let image = d.path().join("zone.hgsb");
    hitgate(&[
        "bundle",
        "build",
        "--lists",
        &s(&fixture("basic/lists.csv")),
        "--policy",
        &s(&example()),
        "--list-version",
        "1",
        "--key",
        &s(&key),
        "--out",
        &s(&image),
    ])
    .unwrap();
    let loose = replay(
        &fixture("basic/reads.jsonl"),
        &example(),
        &d.path().join("loose"),
    );
    let out = d.path().join("signed");
    hitgate(&[
        "replay",
        "--quiet",
        "--reads",
        &s(&fixture("basic/reads.jsonl")),
        "--bundle",
        &s(&image),
        "--public",
        &s(&d.path().join("k.pub")),
        "--out",
        &s(&out),
    ])
    .unwrap();
    let signed: Vec<_> = jsonl(&out.join("hits.jsonl"))
        .iter()
        .map(|h| {
            let f = |k: &str| h[k].as_str().unwrap().to_string();
            (
                f("listed"),
                f("camera"),
                f("rule"),
                f("action"),
                h["operation"].as_str().map(String::from),
            )
        })
        .collect();
    assert_eq!(signed, loose);
    assert!(
        signed
            .iter()
            .any(|h| h.4.as_deref() == Some("eurostar-checks"))
    );
}
