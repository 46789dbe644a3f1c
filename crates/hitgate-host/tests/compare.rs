//! `hitgate compare` where the difference is known by construction: B is
//! A with one rule added before `p2-not-local` that sends priority-2
//! passages of one camera to review. Every changed passage must be such a
//! passage going from A's drop to B's new rule; the totals on each side
//! must equal what `hitgate replay` forwards under each policy on its own;
//! the page must show the figures of the JSON; neither holds a plate.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod common;
use common::headless_dom;

fn hitgate() -> Command {
    Command::new(env!("CARGO_BIN_EXE_hitgate"))
}

fn ok(c: &mut Command) {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `hitgate COMMAND` on the scenario's reads and lists.
fn on_scenario(dir: &Path, command: &str) -> Command {
    let mut c = hitgate();
    c.args([command, "--reads"])
        .arg(dir.join("scen/reads.jsonl"))
        .arg("--lists")
        .arg(dir.join("scen/lists.csv"));
    c
}

fn replay_hits(dir: &Path, policy: &Path, out: &str) -> Vec<Value> {
    ok(on_scenario(dir, "replay")
        .arg("--policy")
        .arg(policy)
        .args(["--quiet", "--out"])
        .arg(dir.join(out)));
    std::fs::read_to_string(dir.join(out).join("hits.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn compare(dir: &Path, a: &Path, b: &Path, out: &str) -> Value {
    ok(on_scenario(dir, "compare")
        .arg("--policy")
        .arg(a)
        .arg("--policy")
        .arg(b)
        .args(["--capacity", "30", "--out"])
        .arg(dir.join(out)));
    serde_json::from_slice(&std::fs::read(dir.join(out).join("compare.json")).unwrap()).unwrap()
}

/// Forwarded hits by action and priority, as `[dispatched, reviewed]`.
fn counts(hits: &[Value]) -> [[u64; 5]; 2] {
    let mut c = [[0; 5]; 2];
    for h in hits {
        let row = usize::from(h["action"] != "dispatch");
        c[row][h["priority"].as_u64().unwrap() as usize] += 1;
    }
    c
}

fn totals(side: &Value) -> [[u64; 5]; 2] {
    let v = |k: &str| -> [u64; 5] { serde_json::from_value(side[k].clone()).unwrap() };
    [v("dispatched"), v("reviewed")]
}

#[test]
fn one_added_rule_moves_exactly_its_passages() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    ok(hitgate()
        .args(["gen", "--seed", "3", "--preset", "demo", "--out"])
        .arg(dir.join("scen")));
    // A: the scenario's policy with the baseline's rules only (its zone
    // rules would make B's new reviews suppress later hotspot hits of the
    // same cars, a second-order change this test does not want).
    let generated = std::fs::read_to_string(dir.join("scen/policy.toml")).unwrap();
    let (from, to) = (
        generated.find("# The zone's own rules").unwrap(),
        generated.find("\n# The Brussels baseline").unwrap(),
    );
    let text = format!("{}{}", &generated[..from], &generated[to..]);
    let a = dir.join("a.toml");
    std::fs::write(&a, &text).unwrap();
    let at = text.find("[[rule]]\nname = \"p2-not-local\"").unwrap();
    let b = dir.join("b.toml");
    std::fs::write(
        &b,
        format!(
            "{}[[rule]]\nname = \"p2-cam-02\"\npriorities = [2]\ncameras = [\"cam-02\"]\n\
             action = \"review\"\n\n{}",
            &text[..at],
            &text[at..]
        ),
    )
    .unwrap();

    let (hits_a, hits_b) = (replay_hits(dir, &a, "ra"), replay_hits(dir, &b, "rb"));
    let r = compare(dir, &a, &b, "cmp");

    // Each side as replay decides it alone.
    assert_eq!(totals(&r["totals"][0]), counts(&hits_a));
    assert_eq!(totals(&r["totals"][1]), counts(&hits_b));

    // Every change is the new rule's: from A's drop, at cam-02.
    let new: Vec<&Value> = hits_b.iter().filter(|h| h["rule"] == "p2-cam-02").collect();
    assert!(new.len() >= 5, "the scenario should exercise the rule");
    for h in &new {
        assert_eq!(
            (h["camera"].as_str(), h["priority"].as_u64()),
            (Some("cam-02"), Some(2))
        );
    }
    let flows = r["flows"].as_array().unwrap();
    for f in flows {
        assert_eq!(f["from"], "drop:p2-not-local", "{f}");
        assert!(
            ["review:p2-cam-02", "suppressed:p2-cam-02"].contains(&f["to"].as_str().unwrap()),
            "{f}"
        );
    }
    let to_review: u64 = flows
        .iter()
        .filter(|f| f["to"] == "review:p2-cam-02")
        .map(|f| f["passages"].as_u64().unwrap())
        .sum();
    assert_eq!(to_review, new.len() as u64);
    assert_eq!(r["added"].as_u64(), Some(new.len() as u64));
    assert_eq!(r["removed"].as_u64(), Some(0));
    // The listed changes are those passages (and the suppressed repeats),
    // none of them forwarded under A.
    let forwarded_a: BTreeSet<(String, String)> = hits_a
        .iter()
        .map(|h| (h["camera"].to_string(), h["ts"].to_string()))
        .collect();
    let changed = r["changed"].as_array().unwrap();
    assert_eq!(changed.len() as u64, r["changed_total"].as_u64().unwrap());
    for c in changed {
        assert_eq!(c["camera"], "cam-02");
        assert!(!forwarded_a.contains(&(c["camera"].to_string(), c["ts"].to_string())));
    }
    for h in &new {
        assert!(
            changed
                .iter()
                .any(|c| c["ts"] == h["ts"] && c["b"]["kind"] == "review"),
            "{h}"
        );
    }

    // By rule: the new rule decided every changed passage under B (its
    // reviews and the repeats then held) and does not exist under A;
    // p2-not-local lost as many; each side's column is what replay's
    // report counts by rule on its own.
    let rules = r["rules"].as_array().unwrap();
    let row = |name: &str| {
        let row = rules.iter().find(|x| x["rule"] == name).unwrap();
        (row["decided"][0].as_u64(), row["decided"][1].as_u64())
    };
    let changed_total = r["changed_total"].as_u64().unwrap();
    assert_eq!(row("p2-cam-02"), (None, Some(changed_total)));
    let (was, now) = row("p2-not-local");
    assert_eq!(was.unwrap() - now.unwrap(), changed_total);
    for (side, out) in [(0, "ra"), (1, "rb")] {
        let report: Value =
            serde_json::from_slice(&std::fs::read(dir.join(out).join("report.json")).unwrap())
                .unwrap();
        for counted in report["by_rule"].as_array().unwrap() {
            let name = counted["name"].as_str().unwrap();
            let ours = rules.iter().find(|x| x["rule"] == name).unwrap();
            assert_eq!(
                ours["decided"][side], counted["decided"],
                "{name} under {out}"
            );
        }
    }
    assert_eq!(rules.last().unwrap()["rule"], "fallback");

    // The page shows the JSON's figures.
    let page = std::fs::read_to_string(dir.join("cmp/compare.html")).unwrap();
    for (id, value) in [
        (
            "a-dispatched",
            totals(&r["totals"][0])[0].iter().sum::<u64>(),
        ),
        ("b-reviewed", totals(&r["totals"][1])[1].iter().sum::<u64>()),
        ("b-dropped", r["totals"][1]["dropped"].as_u64().unwrap()),
        ("changed-total", r["changed_total"].as_u64().unwrap()),
        ("added", r["added"].as_u64().unwrap()),
    ] {
        assert!(
            page.contains(&format!("id=\"{id}\">{value}<")),
            "{id} = {value} not on the page"
        );
    }
    assert!(page.contains("<svg"), "no picture");
    // No plate, in either output.
    let json = std::fs::read_to_string(dir.join("cmp/compare.json")).unwrap();
    for h in hits_a.iter().chain(&hits_b) {
        for field in ["read", "listed"] {
            let plate = h[field].as_str().unwrap();
            assert!(!page.contains(plate) && !json.contains(plate), "{plate}");
        }
    }

    // In a real browser: the page loads without an error, and the DOM
    // it renders holds the JSON's figures.
    let dom = headless_dom(&dir.join("cmp/compare.html"));
    for (id, value) in [
        (
            "a-dispatched",
            totals(&r["totals"][0])[0].iter().sum::<u64>(),
        ),
        ("b-reviewed-p2", totals(&r["totals"][1])[1][2]),
        ("changed-total", r["changed_total"].as_u64().unwrap()),
    ] {
        assert!(
            dom.contains(&format!("id=\"{id}\">{value}<")),
            "{id} = {value} not in the rendered page"
        );
    }
    assert_eq!(
        dom.matches("data-flow").count(),
        flows.len(),
        "flow rows in the rendered page"
    );
    // The generated zone's places are in both policies: a row per zone
    // (and one for passages in none), each with the JSON's figures.
    let zones = r["zones"].as_array().unwrap();
    assert!(
        zones
            .iter()
            .any(|z| z["key"].as_str().is_some_and(|k| k.starts_with("gare-du-"))),
        "{zones:?}"
    );
    for z in zones {
        let n = |k: &str, i: usize| z[k][i].as_u64().unwrap();
        let row = format!(
            "data-zone=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            z["key"].as_str().unwrap(),
            z["key"].as_str().unwrap(),
            n("dispatched", 0),
            n("dispatched", 1),
            n("reviewed", 0),
            n("reviewed", 1)
        );
        assert!(dom.contains(&row), "{row} not in the rendered page");
    }
    // Each side of a changed passage that was forwarded says why.
    for c in changed {
        if c["b"]["kind"] == "review" {
            assert!(c["b"]["reason"].is_string(), "{c}");
        }
    }

    // The rules alone say so before any traffic: P2 from cam-02, not
    // also on a local list (`p2-local` comes first in both), goes from
    // A's `p2-not-local` to B's new rule. And every flow of the
    // recording decided by the matrix on both sides is such a pair.
    assert_eq!(
        r["rule_changes"],
        serde_json::json!([{
            "before": "drop by rule 3 \"p2-not-local\"",
            "after": "review by rule 3 \"p2-cam-02\"",
            "hits": ["priority 2, not also on a local list, from cam-02"],
        }])
    );
    let said: Vec<(String, String)> = r["rule_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let name = |s: &Value| s.as_str().unwrap().rsplit('"').nth(1).unwrap().to_string();
            (name(&c["before"]), name(&c["after"]))
        })
        .collect();
    let decided = |s: &str| {
        s.split_once(':')
            .filter(|(kind, _)| ["drop", "review", "dispatch"].contains(kind))
            .map(|(_, rule)| rule.to_string())
    };
    for f in flows {
        if let (Some(x), Some(y)) = (
            decided(f["from"].as_str().unwrap()),
            decided(f["to"].as_str().unwrap()),
        ) {
            assert!(said.contains(&(x, y)), "{f} not said by the rules");
        }
    }
    let page = std::fs::read_to_string(dir.join("cmp/compare.html")).unwrap();
    assert!(
        page.contains("<ul id=\"rule-changes\"><li>"),
        "no rule changes on the page"
    );

    // A against itself: nothing changes.
    let same = compare(dir, &a, &a, "same");
    assert_eq!(same["changed_total"], 0);
    assert_eq!(same["flows"].as_array().unwrap().len(), 0);
    assert_eq!(same["rule_changes"], serde_json::json!([]));

    // The same rule put last, after `p2-not-local`, which drops every
    // priority-2 hit first: it moves nothing, and loading the policy says
    // so, by rule, for that file alone (rules 1 to 4 are the baseline's).
    let c = dir.join("c.toml");
    std::fs::write(
        &c,
        format!(
            "{text}\n[[rule]]\nname = \"p2-cam-02\"\npriorities = [2]\ncameras = [\"cam-02\"]\n\
             action = \"review\"\n"
        ),
    )
    .unwrap();
    let out = on_scenario(dir, "compare")
        .arg("--policy")
        .arg(&a)
        .arg("--policy")
        .arg(&c)
        .arg("--out")
        .arg(dir.join("late"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let notes: Vec<&str> = err.lines().filter(|l| l.contains(".toml: ")).collect();
    assert_eq!(
        notes,
        [format!(
            "note: {}: rule 5 (\"p2-cam-02\", review) never applies: rule 3 \
             (\"p2-not-local\", drop) before it takes every hit it would; move it \
             above, or narrow the earlier one",
            c.display()
        )]
    );
    let late: Value =
        serde_json::from_slice(&std::fs::read(dir.join("late/compare.json")).unwrap()).unwrap();
    assert_eq!(
        late["changed_total"], 0,
        "the rule after p2-not-local moved a passage"
    );
    assert_eq!(
        late["rule_changes"],
        serde_json::json!([]),
        "the rules alone say so too"
    );
    // compare.json and the page say it too, for B alone.
    let note = notes[0].split_once(".toml: ").unwrap().1;
    assert_eq!(late["notes"], serde_json::json!([[], [note]]));
    let page = std::fs::read_to_string(dir.join("late/compare.html")).unwrap();
    assert!(!page.contains("id=\"notes-a\""), "A has no note");
    let at = page.find("<ul id=\"notes-b\"><li>").unwrap();
    assert!(
        page[at..].contains(&note.replace('"', "&quot;")),
        "the note not on the page"
    );
    // And the dead rule decided nothing, on the page too.
    let dead = late["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == "p2-cam-02")
        .unwrap();
    assert_eq!(dead["decided"], serde_json::json!([null, 0]));
    assert!(
        page.contains("<tr data-rule=\"p2-cam-02\"><td>p2-cam-02</td><td>—</td><td>0</td></tr>")
    );
}

#[test]
fn compare_wants_two_policies() {
    let out = hitgate()
        .args([
            "compare", "--reads", "r.jsonl", "--lists", "l.csv", "--policy", "a.toml", "--out", "o",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("give two"), "{err}");
}
