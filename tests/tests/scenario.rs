//! The generator: deterministic, realistic enough to score, and its bad
//! lines are reported by line number while every good line is processed.

#![allow(clippy::unwrap_used, clippy::panic)] // test code: a panic is a failed test

use hitgate_e2e::{fixture, hitgate, jsonl, replay_fixture_lists};
use serde_json::Value;

fn generate(dir: &std::path::Path, seed: &str, extra: &[&str]) {
    let mut args = vec![
        "gen",
        "--out",
        dir.to_str().unwrap(),
        "--seed",
        seed,
        "--preset",
        "small",
    ];
    args.extend_from_slice(extra);
    hitgate(&args).unwrap();
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let d = tempfile::tempdir().unwrap();
    let (a, b, c) = (d.path().join("a"), d.path().join("b"), d.path().join("c"));
    generate(&a, "7", &[]);
    generate(&b, "7", &[]);
    generate(&c, "8", &[]);
    for f in ["reads.jsonl", "lists.csv", "policy.toml", "truth.jsonl"] {
        let (x, y, z) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            std::fs::read(c.join(f)).unwrap(),
        );
        assert!(!x.is_empty(), "{f} is empty");
        assert_eq!(x, y, "{f} differs between two runs with one seed");
        if f != "policy.toml" {
            assert_ne!(x, z, "{f} is the same for two seeds");
        }
    }
}

#[test]
fn scenario_has_what_a_zone_would_recognise() {
    let d = tempfile::tempdir().unwrap();
    let (plain, timed) = (d.path().join("plain"), d.path().join("timed"));
    generate(&plain, "3", &[]);
    generate(&timed, "3", &["--arrival"]);
    let reads = jsonl(&timed.join("reads.jsonl"));
    let cameras: std::collections::BTreeSet<&str> = reads
        .iter()
        .map(|r| r["camera"].as_str().unwrap())
        .collect();
    assert!(
        cameras.contains("mobile-1") && cameras.len() >= 3,
        "{cameras:?}"
    );
    // One to five frames a passage, a share of them read once.
    let mut frames: std::collections::BTreeMap<u64, usize> = Default::default();
    for r in &reads {
        *frames.entry(r["passage"].as_u64().unwrap()).or_default() += 1;
    }
    assert!(frames.values().all(|&n| (1..=5).contains(&n)));
    let once = frames.values().filter(|&&n| n == 1).count();
    assert!(
        once * 20 > frames.len() && once * 6 < frames.len(),
        "{once} one-frame passages of {}",
        frames.len()
    );
    let noisy = reads
        .iter()
        .filter(|r| {
            let p: String = r["plate"]
                .as_str()
                .unwrap()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect();
            p.to_uppercase() != r["truth"].as_str().unwrap()
        })
        .count();
    assert!(
        noisy > 0 && noisy * 4 < reads.len(),
        "{noisy} of {}",
        reads.len()
    );
    assert!(
        reads
            .iter()
            .any(|r| r["country"] == "NL" || r["country"] == "FR" || r["country"] == "DE")
    );
    // Uplinks: every read arrives after it was made, in arrival order;
    // each camera's reads in the order it made them; the mobile unit's
    // late batch more than 5 minutes behind.
    let t = |r: &Value, k: &str| hitgate_host::time::parse_ts(r[k].as_str().unwrap()).unwrap();
    assert!(reads.iter().all(|r| t(r, "arrival") > t(r, "ts")));
    assert!(
        reads
            .windows(2)
            .all(|w| t(&w[0], "arrival") <= t(&w[1], "arrival"))
    );
    for camera in &cameras {
        let mine: Vec<u64> = reads
            .iter()
            .filter(|r| r["camera"] == *camera)
            .map(|r| t(r, "ts"))
            .collect();
        assert!(
            mine.windows(2).all(|w| w[0] <= w[1]),
            "{camera} out of order"
        );
    }
    assert!(reads.iter().any(|r| t(r, "arrival") - t(r, "ts") > 60_000));
    // The same cameras' lags differ: reads of several cameras are not in
    // event-time order.
    assert!(reads.windows(2).any(|w| t(&w[0], "ts") > t(&w[1], "ts")));
    // The two lanes of one road: some cars are read by cam-01 and cam-02
    // within a second.
    let mut first: std::collections::BTreeMap<u64, (u64, String, u64)> = Default::default();
    for r in &reads {
        first.entry(r["passage"].as_u64().unwrap()).or_insert((
            r["vehicle"].as_u64().unwrap(),
            r["camera"].as_str().unwrap().to_string(),
            t(r, "ts"),
        ));
    }
    let seen: Vec<&(u64, String, u64)> = first.values().collect();
    assert!(
        seen.iter().any(|a| a.1 == "cam-01"
            && seen
                .iter()
                .any(|b| b.1 == "cam-02" && b.0 == a.0 && a.2.abs_diff(b.2) < 1_000)),
        "no car read by both lanes"
    );
    // By default the same lines, without the arrival time.
    let plain_reads = jsonl(&plain.join("reads.jsonl"));
    assert_eq!(plain_reads.len(), reads.len());
    for (a, b) in plain_reads.iter().zip(&reads) {
        let mut b = b.clone();
        b.as_object_mut().unwrap().remove("arrival");
        assert_eq!(a, &b);
    }
    let truth = jsonl(&timed.join("truth.jsonl"));
    assert!(truth.iter().any(|t| t["decoy"] == true));
    assert!(truth.iter().any(|t| t["expect"] == "dispatch"));
    // The truth says how many frames each passage had.
    for p in &truth {
        assert_eq!(
            p["frames"].as_u64().unwrap() as usize,
            frames[&p["passage"].as_u64().unwrap()]
        );
    }
}

#[test]
fn bad_lines_are_reported_by_number_and_good_lines_still_processed() {
    let d = tempfile::tempdir().unwrap();
    generate(d.path(), "5", &["--bad-lines", "0.02"]);
    // Classify every line independently of the host: a good line is JSON
    // with ts, camera and plate, and a ts that starts with a year.
    let text = std::fs::read_to_string(d.path().join("reads.jsonl")).unwrap();
    let mut bad = vec![];
    let mut good = 0u64;
    for (i, line) in text.lines().enumerate() {
        let ok = serde_json::from_str::<Value>(line).ok().is_some_and(|v| {
            v.get("camera").is_some()
                && v.get("plate").is_some()
                && v["ts"].as_str().is_some_and(|t| t.starts_with("20"))
        });
        if ok {
            good += 1;
        } else {
            bad.push(i as u64 + 1);
        }
    }
    assert!(bad.len() > 10, "the scenario should have bad lines");
    let out = d.path().join("out");
    hitgate(&[
        "replay",
        "--reads",
        d.path().join("reads.jsonl").to_str().unwrap(),
        "--lists",
        d.path().join("lists.csv").to_str().unwrap(),
        "--policy",
        d.path().join("policy.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ])
    .unwrap();
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(r["input"]["bad_lines"], bad.len() as u64);
    let reported: Vec<u64> = r["input"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(reported, bad[..10].to_vec());
    // Every good line reached the core.
    assert_eq!(r["indicators"]["reads"], good);
    assert_eq!(r["input"]["lines"], good + bad.len() as u64);
}

#[test]
fn an_overlong_line_is_one_bad_line_and_the_rest_is_read_as_without_it() {
    // The fixture's reads, with a line of 300,000 bytes after the second.
    let reads = std::fs::read_to_string(fixture("basic/reads.jsonl")).unwrap();
    let mut lines: Vec<String> = reads.lines().map(String::from).collect();
    let giant = format!(
        "{{\"ts\":\"2026-01-05T08:00:00.200Z\",\"camera\":\"{}\",\"plate\":\"1ABC234\"}}",
        "c".repeat(300_000)
    );
    lines.insert(2, giant);
    let d = tempfile::tempdir().unwrap();
    let with = d.path().join("with.jsonl");
    std::fs::write(&with, lines.join("\n") + "\n").unwrap();
    let run = |reads: &std::path::Path, out: &str| -> Value {
        let out = d.path().join(out);
        replay_fixture_lists(reads, &out, &[]).unwrap();
        let hits = std::fs::read_to_string(out.join("hits.jsonl")).unwrap();
        let r: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap())
                .unwrap();
        serde_json::json!({ "report": r, "hits": hits })
    };
    let a = run(&with, "a");
    let b = run(&fixture("basic/reads.jsonl"), "b");
    // One bad line more than the fixture's own two.
    let bad = |r: &Value| r["report"]["input"]["bad_lines"].as_u64().unwrap();
    assert_eq!(bad(&a), bad(&b) + 1);
    let e = &a["report"]["input"]["errors"][0];
    assert_eq!(e["line"], 3);
    assert!(
        e["error"]
            .as_str()
            .unwrap()
            .starts_with("line longer than 65536 bytes"),
        "{e}"
    );
    assert_eq!(a["report"]["indicators"], b["report"]["indicators"]);
    assert_eq!(a["hits"], b["hits"]);
}

#[test]
fn every_seed_makes_lists_that_load() {
    // Seed 9 once wrote an expired stolen car whose validity ended before
    // it began, and replay refused the whole file.
    let d = tempfile::tempdir().unwrap();
    for seed in 0..24 {
        let dir = d.path().join(seed.to_string());
        generate(&dir, &seed.to_string(), &[]);
        let lists = std::fs::read_to_string(dir.join("lists.csv")).unwrap();
        for line in lists.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            if !f[4].is_empty() && !f[5].is_empty() {
                assert!(f[4] < f[5], "seed {seed}: {line}");
            }
        }
        let (reads, out) = (dir.join("reads.jsonl"), dir.join("out"));
        hitgate(&[
            "replay",
            "--quiet",
            "--reads",
            reads.to_str().unwrap(),
            "--lists",
            dir.join("lists.csv").to_str().unwrap(),
            "--policy",
            dir.join("policy.toml").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
}
