//! Bad files fail before any work starts, with the file and line.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use hitgate_e2e::{fixture, hitgate, replay_fixture_lists};

fn replay_err(lists: &str, policy: Option<&str>) -> String {
    let d = tempfile::tempdir().unwrap();
    let l = d.path().join("lists.csv");
    std::fs::write(&l, lists).unwrap();
    let mut args = vec![
        "replay".to_string(),
        "--reads".into(),
        fixture("basic/reads.jsonl").to_str().unwrap().into(),
        "--lists".into(),
        l.to_str().unwrap().into(),
        "--out".into(),
        d.path().join("out").to_str().unwrap().into(),
        "--quiet".into(),
    ];
    if let Some(p) = policy {
        let pp = d.path().join("policy.toml");
        std::fs::write(&pp, p).unwrap();
        args.push("--policy".into());
        args.push(pp.to_str().unwrap().into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let e = format!("{:#}", hitgate(&args).unwrap_err());
    assert!(
        !d.path().join("out/hits.jsonl").exists(),
        "work started despite: {e}"
    );
    e
}

const HEADER: &str = "plate,country,priority,list,valid_from,valid_until\n";

/// A lists file (after the header) that is refused with `want` in the
/// error, before any work.
fn refused(rows: &str, want: &str) {
    let e = replay_err(&format!("{HEADER}{rows}"), None);
    assert!(e.contains(want), "{e}");
}

#[test]
fn duplicate_entry_names_both_lines() {
    let rows = "1ABC234,BE,1,stolen,,\n1XYZ999,,1,stolen,,\n1-abc-234,BE,2,stolen,,\n";
    refused(
        rows,
        "lists.csv:4: plate 1ABC234 stands twice on list \"stolen\" (first at ",
    );
    refused(rows, "lists.csv:2; 1 duplicate(s) in all)");
}

#[test]
fn bad_list_lines() {
    for (rows, want) in [
        (
            "1ABC234,BE,7,stolen,,\n",
            "lists.csv:2: priority must be 0 to 4 (or P0 to P4)",
        ),
        (
            "1ABC234,BE,P1,stolen,,\n1ABC235,BE,PP1,stolen,,\n",
            "lists.csv:3: priority must be 0 to 4",
        ),
        (
            "1ABC234,BE,1,stolen,,\n1A_C,BE,1,stolen,,\n",
            "lists.csv:3: plate has invalid character '_'",
        ),
        (
            "1ABC234,BELG,1,stolen,,\n",
            "lists.csv:2: country code has 4 bytes",
        ),
        (
            "1ABC234,BE,1,stolen,tomorrow,\n",
            "lists.csv:2: bad timestamp \"tomorrow\"",
        ),
        (
            "1ABC234,BE,1,stolen,2026-02-01T00:00:00Z,2026-01-01T00:00:00Z\n",
            "lists.csv:2: validity window is empty",
        ),
    ] {
        refused(rows, want);
    }
    let e = replay_err("plate,priority\n1ABC234,1\n", None);
    assert!(e.contains("lists.csv:1: missing column \"list\""), "{e}");
}

#[test]
fn undeclared_list_and_bad_policy() {
    let policy = "[[list]]\nname = \"wanted\"\n";
    let e = replay_err(&format!("{HEADER}1ABC234,BE,1,stolen,,\n"), Some(policy));
    assert!(
        e.contains("lists.csv:2: list \"stolen\" is not declared in the policy"),
        "{e}"
    );
    let e = replay_err(
        &format!("{HEADER}1ABC234,BE,1,stolen,,\n"),
        Some("[[rule]]\nname = \"x\"\naction = \"shout\"\n"),
    );
    assert!(e.contains("policy.toml: bad policy"), "{e}");
    assert!(e.contains("shout"), "{e}");
}

#[test]
fn missing_files() {
    let d = tempfile::tempdir().unwrap();
    let e = format!(
        "{:#}",
        hitgate(&[
            "replay",
            "--reads",
            "/no/such/reads.jsonl",
            "--lists",
            fixture("basic/lists.csv").to_str().unwrap(),
            "--out",
            d.path().to_str().unwrap(),
            "--quiet"
        ])
        .unwrap_err()
    );
    assert!(e.contains("/no/such/reads.jsonl: cannot open"), "{e}");
    let e = format!(
        "{:#}",
        hitgate(&[
            "gen",
            "--out",
            d.path().to_str().unwrap(),
            "--preset",
            "huge"
        ])
        .unwrap_err()
    );
    assert!(e.contains("unknown preset \"huge\""), "{e}");
}

#[test]
fn table_sizes_past_the_limit_are_refused_before_any_work() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    for (option, n) in [
        ("--passages", "1048577"),
        ("--suppression", "100000000000"),
        ("--cameras", "65537"),
        ("--held-frames", "4097"),
    ] {
        let e = format!(
            "{:#}",
            replay_fixture_lists(&fixture("basic/reads.jsonl"), &out, &[option, n]).unwrap_err()
        );
        assert!(e.contains(option) && e.contains(n), "{e}");
        assert!(!out.exists(), "{option}: work started");
    }
}

#[test]
fn indicators_without_files_or_with_a_bad_span_say_so() {
    let usage = format!("{:#}", hitgate(&["indicators"]).unwrap_err());
    assert!(
        usage.contains("<--hits <HITS>|--decisions <DECISIONS>>"),
        "{usage}"
    );
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("empty.jsonl");
    std::fs::write(&f, "").unwrap();
    let f = f.to_str().unwrap();
    for (args, want) in [
        (
            vec!["--hits", "/no/such/archive.jsonl"],
            "/no/such/archive.jsonl: cannot open",
        ),
        (
            vec!["--hits", f, "--from", "2026-02-01", "--to", "2026-01-31"],
            "--to is not after --from",
        ),
        (vec!["--decisions", f, "--from", "1 February"], "--from"),
    ] {
        let mut all = vec!["indicators"];
        all.extend(args);
        let e = format!("{:#}", hitgate(&all).unwrap_err());
        assert!(e.contains(want), "{all:?}: {e}");
    }
    // An empty file is no error: no figures.
    hitgate(&["indicators", "--hits", f]).unwrap();
}

/// The central side's clock tolerance, when it is not a span, is refused
/// by name before anything connects (the port is one no broker listens
/// on), by `listen` and by `gate`; so is the listener's silence.
#[test]
fn listen_and_gate_refuse_a_clock_tolerance_that_is_not_a_span() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("delivered.jsonl");
    let out = out.to_str().unwrap();
    let policy = d.path().join("policy.toml");
    std::fs::write(&policy, "[[recipient]]\nname = \"wpr\"\n").unwrap();
    let policy = policy.to_str().unwrap();
    for (value, want) in [
        ("0", "--clock-tolerance-s 0: seconds, more than 0"),
        ("-60", "--clock-tolerance-s -60: seconds, more than 0"),
        ("NaN", "--clock-tolerance-s NaN: seconds, more than 0"),
        ("inf", "--clock-tolerance-s inf: too long"),
    ] {
        let tolerance = format!("--clock-tolerance-s={value}");
        let url = "mqtt://127.0.0.1:9";
        for args in [
            vec!["listen", "--mqtt", url, "--out", out, &tolerance],
            vec![
                "gate", "--mqtt", url, "--policy", policy, "--state", out, &tolerance,
            ],
        ] {
            let e = format!("{:#}", hitgate(&args).unwrap_err());
            assert!(e.contains(want), "{args:?}: {e}");
        }
    }
    let url = "mqtt://127.0.0.1:9";
    for args in [
        vec!["listen", "--mqtt", url, "--out", out, "--silence-s=0"],
        vec![
            "gate",
            "--mqtt",
            url,
            "--policy",
            policy,
            "--state",
            out,
            "--silence-s=0",
        ],
    ] {
        let e = format!("{:#}", hitgate(&args).unwrap_err());
        assert!(
            e.contains("--silence-s 0: seconds, more than 0"),
            "{args:?}: {e}"
        );
    }
    assert!(!d.path().join("delivered.jsonl").exists());
}
