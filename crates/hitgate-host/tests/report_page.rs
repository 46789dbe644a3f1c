//! `report.html` beside `report.json`, and `hitgate indicators --page`
//! beside its `--json`: rendered in headless Chromium, their figures are
//! those of the JSON, and they hold no plate.

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

/// `hitgate indicators --page`: rendered in headless Chromium, every
/// period's figures are those of `--json` on the same files, and no plate
/// of the archive or the decisions is on it.
#[test]
fn the_indicators_page_shows_the_figures_of_the_json_and_no_plate() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // Forty hits over three months from three units, and the gate's
    // decisions and closes for twenty of them.
    let jan1 = 1_767_225_600_000u64;
    let day = 86_400_000u64;
    let plate = |i: u64| format!("1PG{:03}X", i);
    let mut archive = String::new();
    let mut decisions = String::new();
    for i in 0..40u64 {
        let t = jan1 + i * 2 * day + i * 3_600_000;
        archive += &format!(
            "{{\"unit\":\"u{}\",\"seq\":{i},\"boot\":0,\"n\":{i},\"received\":{t},\"hit\":{{\"wire_version\":2,\"seq\":{i},\"time\":{t},\"camera\":\"cam-{}\",\"read\":\"{}\",\"reads\":2,\"listed\":\"{}\",\"country\":\"BE\",\"list\":0,\"priority\":{},\"kind\":{},\"ocr\":0,\"edits\":0,\"action\":{},\"rule\":0,\"reason\":0,\"late\":{},\"list_version\":1,\"position\":null}},\"chain\":{{\"prev\":\"00\",\"link\":\"l{i}\"}}}}\n",
            i % 3,
            i % 4,
            plate(i),
            plate(i),
            i % 5,
            i % 2,
            1 + u64::from(i % 3 != 0),
            i % 7 == 0
        );
        if i % 2 == 0 {
            let recipient = ["zone-dispatch", "wpr"][(i / 2 % 2) as usize];
            let kind = ["dispatch", "review", "update"][(i % 3) as usize];
            decisions += &format!(
                "{{\"id\":\"u{}/{i}/{recipient}\",\"recipient\":\"{recipient}\",\"kind\":\"{kind}\",\"case\":{},\"reason\":\"{}\",\"unit\":\"u{}\",\"seq\":{i},\"camera\":\"cam-1\",\"time\":{t},\"read\":\"{}\",\"listed\":\"{}\",\"country\":\"BE\",\"list\":0,\"priority\":{},\"rule\":\"p0-p1\",\"position\":null,\"previous\":null,\"received\":{t}}}\n",
                i % 3,
                i / 4,
                ["rule", "capacity", "repeat"][(i % 3) as usize],
                i % 3,
                plate(i),
                plate(i),
                i % 2
            );
            if kind == "dispatch" {
                decisions += &format!(
                    "{{\"id\":\"{recipient}/closed/{}\",\"recipient\":\"{recipient}\",\"closed\":{},\"outcome\":\"intercepted\",\"at\":{}}}\n",
                    i / 4,
                    i / 4,
                    t + 600_000
                );
            }
        }
    }
    let (ap, dp) = (dir.join("delivered.jsonl"), dir.join("decisions.jsonl"));
    std::fs::write(&ap, &archive).unwrap();
    std::fs::write(&dp, &decisions).unwrap();
    let page = dir.join("indicators.html");
    let out = Command::new(env!("CARGO_BIN_EXE_hitgate"))
        .args(["indicators", "--json", "--hits"])
        .arg(&ap)
        .arg("--decisions")
        .arg(&dp)
        .arg("--page")
        .arg(&page)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let x: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(x["bad_lines"], 0, "{x}");
    let dom = headless_dom(&page);
    let periods = x["hits"]["periods"].as_object().unwrap();
    assert_eq!(periods.len(), 3, "{x}"); // January to March
    let mut rows: Vec<(String, Value)> = periods
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    rows.push(("total".into(), x["hits"]["total"].clone()));
    for (period, p) in &rows {
        for field in [
            "hits",
            "dispatched",
            "reviewed",
            "tolerant",
            "late",
            "purged",
        ] {
            let want = format!("id=\"{field}-{period}\">{}<", p[field]);
            assert!(dom.contains(&want), "{want} not on the page");
        }
        let delay = p["delay_median_s"].as_f64().unwrap();
        let want = format!("id=\"delay-{period}\">{delay:.1}<");
        assert!(dom.contains(&want), "{want} not on the page");
        for (k, n) in p["by_priority"].as_array().unwrap().iter().enumerate() {
            let want = format!("id=\"p{k}-{period}\">{n}<");
            assert!(dom.contains(&want), "{want} not on the page");
        }
    }
    let d = &x["decisions"];
    let mut cells = 0;
    for (period, m) in d["periods"].as_object().unwrap() {
        for (r, c) in m.as_object().unwrap() {
            for field in ["dispatched", "reviewed", "updates", "cases", "closed"] {
                let want = format!("id=\"{field}-{period}-{r}\">{}<", c[field]);
                assert!(dom.contains(&want), "{want} not on the page");
                cells += 1;
            }
            for field in ["delay", "handling"] {
                let median = c[format!("{field}_median_s")]
                    .as_f64()
                    .map_or("-".to_string(), |s| format!("{s:.1}"));
                let want = format!("id=\"{field}-{period}-{r}\">{median}<");
                assert!(dom.contains(&want), "{want} not on the page");
            }
            let outcomes = c["outcomes"].as_object().unwrap();
            if let Some(n) = outcomes.get("intercepted") {
                let want = format!("id=\"outcomes-{period}-{r}\">intercepted {n}<");
                assert!(dom.contains(&want), "{want} not on the page");
            }
        }
    }
    assert!(cells >= 5 * 4, "{d}");
    assert!(
        dom.contains("id=\"oldest-hit\">2026-01-01<"),
        "the first hit's day"
    );
    assert!(dom.contains("id=\"oldest-decision\">2026-01-01<"));
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let week = x["hits"]["week"].as_array().unwrap();
    let mut counted = 0;
    for (day, row) in days.iter().zip(week) {
        for (hour, n) in row.as_array().unwrap().iter().enumerate() {
            let want = format!("id=\"week-{day}-{hour}\"");
            let at = dom
                .find(&want)
                .unwrap_or_else(|| panic!("{want} not on the page"));
            let cell = &dom[at..];
            let text = &cell[cell.find('>').unwrap() + 1..cell.find('<').unwrap()];
            assert_eq!(text, n.to_string(), "{want}");
            counted += n.as_u64().unwrap();
        }
    }
    // Every P0 and P1 hit (i % 5 < 2: 16 of the 40) is in the week.
    assert_eq!(counted, 16);
    // Every close came ten minutes after its dispatch reached the gate.
    assert_eq!(d["total"]["wpr"]["handling_median_s"], 600.0, "{d}");
    assert_eq!(dom.matches("<svg").count(), 2, "two pictures");
    let text = std::fs::read_to_string(&page).unwrap();
    for i in 0..40 {
        assert!(!text.contains(&plate(i)), "{}", plate(i));
    }
}
