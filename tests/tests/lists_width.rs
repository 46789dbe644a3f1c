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
