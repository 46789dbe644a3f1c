//! `hitgate lists`: the command line around the tolerance-width
//! measurement (whose counts `hitgate_host::width`'s own tests check by
//! hand).

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use hitgate_e2e::{fixture, hitgate};
use hitgate_host::lists::ListsData;
use hitgate_host::policy_file::PolicyFile;
use hitgate_host::width::{WidthOptions, measure_lists, render};

#[test]
fn runs_on_the_fixture_lists_as_a_table_and_as_json() {
    let lists = fixture("basic/lists.csv");
    let l = lists.to_str().unwrap();
    hitgate(&["lists", "--lists", l, "--plates", "200"]).unwrap();
    hitgate(&["lists", "--lists", l, "--plates", "200", "--json"]).unwrap();
    hitgate(&["lists", "--lists", l, "--at", "2026-01-05T08:00:00Z"]).unwrap();
    hitgate(&[
        "lists", "--lists", l, "--ocr", "2", "--edits", "2", "--plates", "100",
    ])
    .unwrap();
}

#[test]
fn every_list_of_the_file_is_measured_with_its_entries() {
    let lists = fixture("basic/lists.csv");
    // The entries a list has, counted from the file itself.
    let text = std::fs::read_to_string(&lists).unwrap();
    let mut by_list = std::collections::BTreeMap::<String, u64>::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        *by_list
            .entry(line.split(',').nth(3).unwrap().to_string())
            .or_default() += 1;
    }
    let pf = PolicyFile::baseline();
    let data = ListsData::load(&[lists], &pf.lists).unwrap();
    let o = WidthOptions {
        plates: 500,
        seed: 9,
        at: 1_767_600_000_000,
        instead: None,
        passages_per_day: None,
        max_false_per_day: 5.0,
    };
    let w = measure_lists(&data, &o).unwrap();
    let got: std::collections::BTreeMap<String, u64> = w
        .lists
        .iter()
        .map(|l| (l.list.clone(), l.entries))
        .collect();
    assert_eq!(got, by_list);
    for l in &w.lists {
        assert!(l.plates <= 500 && l.matched <= l.plates, "{l:?}");
        assert!(l.by_ocr + l.by_edit >= l.matched, "{l:?}");
    }
    // Same seed, same draw.
    let again = measure_lists(&data, &o).unwrap();
    assert_eq!(render(&w), render(&again));
}

#[test]
fn a_bad_time_or_file_is_an_error_that_names_it() {
    let lists = fixture("basic/lists.csv");
    let l = lists.to_str().unwrap();
    let e = format!(
        "{:#}",
        hitgate(&["lists", "--lists", l, "--at", "soon"]).unwrap_err()
    );
    assert!(e.contains("soon"), "{e}");
    let e = format!(
        "{:#}",
        hitgate(&["lists", "--lists", "/nonexistent/lists.csv"]).unwrap_err()
    );
    assert!(e.contains("/nonexistent/lists.csv"), "{e}");
    // A what-if needs both counts, each 0 to 2.
    assert!(hitgate(&["lists", "--lists", l, "--ocr", "1"]).is_err());
    let e = format!(
        "{:#}",
        hitgate(&["lists", "--lists", l, "--ocr", "3", "--edits", "0"]).unwrap_err()
    );
    assert!(e.contains("tolerance"), "{e}");
}

/// `report.json` of a replay of the scenario generated into `dir/s`, with
/// `--max-false-per-day max`, written into `dir/out`.
fn replay_report(dir: &std::path::Path, max: &str, out: &str) -> serde_json::Value {
    let p = |n: &str| dir.join(n).to_string_lossy().into_owned();
    hitgate(&[
        "replay",
        "--quiet",
        "--reads",
        &p("s/reads.jsonl"),
        "--lists",
        &p("s/lists.csv"),
        "--policy",
        &p("s/policy.toml"),
        "--max-false-per-day",
        max,
        "--out",
        &p(out),
    ])
    .unwrap();
    serde_json::from_str(&std::fs::read_to_string(dir.join(out).join("report.json")).unwrap())
        .unwrap()
}

/// A generated recording's own traffic, from the generator's passage ids
/// and the span of the reads' times: its reads, that span (ms), and its
/// passages scaled to a day.
fn generated_traffic(reads_path: &std::path::Path) -> (u64, u64, f64) {
    let reads = hitgate_e2e::jsonl(reads_path);
    let ids: std::collections::BTreeSet<u64> = reads
        .iter()
        .map(|r| r["passage"].as_u64().unwrap())
        .collect();
    let times: Vec<u64> = reads
        .iter()
        .map(|r| hitgate_host::time::parse_ts(r["ts"].as_str().unwrap()).unwrap())
        .collect();
    let span = times.iter().max().unwrap() - times.iter().min().unwrap();
    let per_day = ids.len() as f64 * 86_400_000.0 / span as f64;
    (reads.len() as u64, span, per_day)
}

/// `replay` calls out a list whose tolerance costs more hits a day on
/// other cars than `--max-false-per-day`, at the recording's own traffic:
/// the figure is the list's share (as `hitgate lists` measures it) times
/// the passages a day the recording shows.
#[test]
fn replay_calls_out_a_list_too_wide_for_its_traffic() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_string_lossy().into_owned();
    hitgate(&["gen", "--preset", "small", "--seed", "4", "--out", &p("s")]).unwrap();
    let replay = |max: &str, out: &str| replay_report(d.path(), max, out);
    let strict = replay("0.001", "a");
    let wide = strict["wide_lists"].as_array().unwrap();
    assert!(!wide.is_empty(), "{strict}");
    for w in wide {
        let (share, per_day, f) = (
            w["share"].as_f64().unwrap(),
            w["passages_per_day"].as_u64().unwrap(),
            w["false_hits_per_day"].as_f64().unwrap(),
        );
        assert!((f - share * per_day as f64).abs() < 1e-6, "{w}");
        assert!(f > 0.001);
        // How sure: the interval holds the figure and is the share's
        // interval at the same traffic.
        let range = w["false_hits_per_day_95"].as_array().unwrap();
        let (low, high) = (range[0].as_f64().unwrap(), range[1].as_f64().unwrap());
        assert!(low <= f && f <= high && low < high, "{w}");
    }
    // The recording's own traffic, counted from the generator's passage
    // ids and the span of the reads' times, scaled to a day: the replay
    // estimates it from the reads and the matched passages' frames.
    let (_, _, truth) = generated_traffic(&d.path().join("s/reads.jsonl"));
    let per_day = wide[0]["passages_per_day"].as_u64().unwrap() as f64;
    assert!(
        (per_day / truth - 1.0).abs() < 0.15,
        "{per_day} against {truth}"
    );
    // A generous limit: nothing to say.
    assert!(replay("1000000", "b").get("wide_lists").is_none());
}

/// `hitgate lists --reads`: the traffic a recording shows, counted as
/// `replay` counts it (the same passages a day as its call-outs), and
/// near the recording's own traffic counted from the generator's passage
/// ids; a recording too short to scale to a day is refused by name.
#[test]
fn lists_takes_the_traffic_from_a_recording() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_string_lossy().into_owned();
    hitgate(&["gen", "--preset", "small", "--seed", "6", "--out", &p("s")]).unwrap();
    let pf = PolicyFile::load(std::path::Path::new(&p("s/policy.toml"))).unwrap();
    let data = ListsData::load(&[p("s/lists.csv").into()], &pf.lists).unwrap();
    let reads_path = d.path().join("s/reads.jsonl");
    let (t, bad) = hitgate_host::replay::traffic(
        std::slice::from_ref(&reads_path),
        &data,
        &pf,
        hitgate_host::replay::TableSizes::default(),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(bad, 0);
    let per_day = t.passages_per_day.unwrap();

    // The generator's own count: passage ids over the span of the times.
    let (reads, span, truth) = generated_traffic(&reads_path);
    assert_eq!(t.reads, reads);
    assert!((t.hours - span as f64 / 3_600_000.0).abs() < 1e-9, "{t:?}");
    assert!(
        (per_day as f64 / truth - 1.0).abs() < 0.15,
        "{per_day} against {truth}"
    );

    // The same figure `replay` calls out a list at.
    let report = replay_report(d.path(), "0.001", "o");
    let wide = report["wide_lists"].as_array().unwrap();
    assert!(!wide.is_empty(), "{report}");
    for w in wide {
        assert_eq!(w["passages_per_day"].as_u64(), Some(per_day), "{w}");
    }
    hitgate(&[
        "lists",
        "--lists",
        &p("s/lists.csv"),
        "--policy",
        &p("s/policy.toml"),
        "--reads",
        &p("s/reads.jsonl"),
        "--plates",
        "200",
    ])
    .unwrap();

    // Three reads, seconds apart: no day can be scaled from them.
    let short: String = std::fs::read_to_string(&reads_path)
        .unwrap()
        .lines()
        .take(3)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(p("short.jsonl"), short).unwrap();
    let e = format!(
        "{:#}",
        hitgate(&[
            "lists",
            "--lists",
            &p("s/lists.csv"),
            "--reads",
            &p("short.jsonl"),
        ])
        .unwrap_err()
    );
    assert!(
        e.contains("short.jsonl") && e.contains("too short") && e.contains("3 reads"),
        "{e}"
    );
}

/// Fences serve the searches of lists that allow an edit: the host builds
/// them only when such lists hold more than `FENCES_PAY_ABOVE` entries,
/// however many entries the lists without edits hold; and a listed plate,
/// and a one-edit neighbour of a tolerant entry, are found either way.
#[test]
fn fences_only_for_large_lists_that_allow_an_edit() {
    use hitgate_core::watchlist::{FENCES_PAY_ABOVE, MatchKind, Matches, fence_words};
    let d = tempfile::tempdir().unwrap();
    let n = FENCES_PAY_ABOVE + 1;
    // Distinct current-format plates: `1`, three letters, three digits.
    let plate = |i: usize| {
        let l = |k: usize| (b'A' + (k % 26) as u8) as char;
        format!(
            "1{}{}{}{:03}",
            l(i / 26_000),
            l(i / 1_000),
            l(i / 10_000 + 3),
            i % 1_000
        )
    };
    let mut csv = String::from("plate,country,priority,list,valid_from,valid_until\n");
    for i in 0..n {
        csv += &format!("{},,2,big,,\n", plate(i));
    }
    csv += "1ZZZ999,,0,small,,\n";
    let lists = d.path().join("lists.csv");
    std::fs::write(&lists, csv).unwrap();
    for (edits_big, fenced) in [(0, false), (1, true)] {
        let policy = d.path().join("policy.toml");
        std::fs::write(
            &policy,
            format!(
                "[[list]]\nname = \"big\"\nlocal = false\n\
                 tolerance = {{ ocr = 1, edits = {edits_big}, min_len = 5 }}\n\n\
                 [[list]]\nname = \"small\"\nlocal = false\n\
                 tolerance = {{ ocr = 1, edits = 1, min_len = 5 }}\n"
            ),
        )
        .unwrap();
        let pf = PolicyFile::load(&policy).unwrap();
        let data = ListsData::load(std::slice::from_ref(&lists), &pf.lists).unwrap();
        assert_eq!(data.entries.len(), n + 1);
        let want = if fenced { fence_words(n + 1, 16) } else { 0 };
        assert_eq!(data.fence_words(), want, "edits {edits_big}");
        let found = data
            .with_watchlist(1, |wl| {
                // The entries a read matches, as (listed plate, kind).
                let m = |s: &str| -> Vec<(String, MatchKind)> {
                    let p = hitgate_core::plate::Plate::normalize(s.as_bytes()).unwrap();
                    let m: Matches<16> = wl.lookup(&p, None, 0);
                    m.as_slice()
                        .iter()
                        .map(|x| (x.listed.as_str().to_string(), x.kind))
                        .collect()
                };
                // Listed; the small list's plate with a character dropped
                // (an edit); a listed plate read with I for its 1 (a
                // look-alike).
                (
                    m(&plate(12_345)),
                    m("1ZZ999"),
                    m(&plate(777).replacen('1', "I", 1)),
                )
            })
            .unwrap();
        let has = |got: &[(String, MatchKind)], listed: &str, kind: MatchKind| {
            got.iter().any(|(l, k)| l == listed && *k == kind)
        };
        assert!(has(&found.0, &plate(12_345), MatchKind::Exact), "{found:?}");
        assert!(has(&found.1, "1ZZZ999", MatchKind::Edit), "{found:?}");
        assert!(has(&found.2, &plate(777), MatchKind::Ocr), "{found:?}");
    }
}
