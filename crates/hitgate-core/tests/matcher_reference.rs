//! The watchlist index against a slow, obviously correct reference: a plain
//! dynamic programme over every entry of every list.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use std::collections::BTreeSet;

use hitgate_core::{
    confusion::ConfusionClasses,
    distance::{Tolerance, distance},
    list::{ListEntry, ListId, ListSpec, Priority},
    plate::{Country, Plate, PlateError},
    watchlist::{Entry, MIN_TOLERANT_LEN, Match, Matches, OneEdit, WatchlistBuilder, fence_words},
};
use proptest::prelude::*;

/// The default look-alike classes, written out again here.
const CLASSES: [&str; 6] = ["0ODQ", "1ILT", "8B", "5S", "2Z", "6G"];

fn same_class(a: u8, b: u8) -> bool {
    CLASSES
        .iter()
        .any(|c| c.as_bytes().contains(&a) && c.as_bytes().contains(&b))
}

/// For every exact OCR count `o`, the fewest other edits that turn `a` into
/// `b` using exactly `o` look-alike substitutions (`None` = impossible).
fn min_edits_by_ocr(a: &[u8], b: &[u8]) -> [Option<u32>; 3] {
    const INF: u32 = u32::MAX / 2;
    let (n, m) = (a.len(), b.len());
    // d[i][j][o]
    let mut d = vec![vec![[INF; 3]; m + 1]; n + 1];
    d[0][0][0] = 0;
    for i in 0..=n {
        for j in 0..=m {
            for o in 0..3 {
                let cur = d[i][j][o];
                if cur >= INF {
                    continue;
                }
                if i < n {
                    d[i + 1][j][o] = d[i + 1][j][o].min(cur + 1); // delete a[i]
                }
                if j < m {
                    d[i][j + 1][o] = d[i][j + 1][o].min(cur + 1); // insert b[j]
                }
                if i < n && j < m {
                    if a[i] == b[j] {
                        d[i + 1][j + 1][o] = d[i + 1][j + 1][o].min(cur);
                    } else {
                        d[i + 1][j + 1][o] = d[i + 1][j + 1][o].min(cur + 1);
                        if same_class(a[i], b[j]) && o < 2 {
                            d[i + 1][j + 1][o + 1] = d[i + 1][j + 1][o + 1].min(cur);
                        }
                    }
                }
            }
        }
    }
    d[n][m].map(|x| (x < INF).then_some(x))
}

/// The reference distance: `(ocr, edits)` within the tolerance, best by
/// (total, edits).
fn reference_distance(read: &str, listed: &str, tol: Tolerance) -> Option<(u8, u8)> {
    let min_len = tol.min_len.max(MIN_TOLERANT_LEN) as usize;
    if read.len().min(listed.len()) < min_len {
        return (read == listed).then_some((0, 0));
    }
    let by_ocr = min_edits_by_ocr(read.as_bytes(), listed.as_bytes());
    (0..=tol.ocr)
        .filter_map(|o| by_ocr[o as usize].map(|e| (o, e as u8)))
        .filter(|&(_, e)| e <= tol.edits)
        .min_by_key(|&(o, e)| (o + e, e))
}

#[derive(Debug, Clone)]
struct Listed {
    plate: String,
    country: Option<&'static str>,
    priority: u8,
    list: u8,
    from: Option<u64>,
    until: Option<u64>,
}

/// A match as the reference lookup gives it: listed plate, list,
/// country, priority, look-alikes, other edits.
type Row = (String, u8, Option<String>, u8, u8, u8);

/// A match of the index, as a [`Row`].
fn row(m: &Match) -> Row {
    (
        m.listed.as_str().to_string(),
        m.list.0,
        m.country.map(|c| c.as_str().to_string()),
        m.priority.get(),
        m.distance.ocr,
        m.distance.edits,
    )
}

/// The reference lookup: every entry, ranked, best `k`.
fn reference_lookup(
    lists: &[Tolerance],
    entries: &[Listed],
    read: &str,
    country: Option<&str>,
    now: u64,
) -> Vec<Row> {
    let mut out = vec![];
    for e in entries {
        if let (Some(a), Some(b)) = (country, e.country)
            && a != b
        {
            continue;
        }
        if e.from.is_some_and(|f| now < f) || e.until.is_some_and(|u| now >= u) {
            continue;
        }
        if let Some((o, ed)) = reference_distance(read, &e.plate, lists[e.list as usize]) {
            out.push((
                e.plate.clone(),
                e.list,
                e.country.map(String::from),
                e.priority,
                o,
                ed,
            ));
        }
    }
    // Rank: fewer changes, OCR before edits, priority, list, plate, country.
    out.sort_by(|a, b| {
        (a.4 + a.5, a.5, a.3, a.1, &a.0, &a.2).cmp(&(b.4 + b.5, b.5, b.3, b.1, &b.0, &b.2))
    });
    out
}

/// Characters chosen so that random plates collide and look alike often.
const ALPHABET: &[u8] = b"0ODQ1IL8B5SA2Z7";

fn plate_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 1..=9)
        .prop_map(|v| String::from_utf8(v).unwrap())
}

fn tolerance_strategy() -> impl Strategy<Value = Tolerance> {
    (0u8..=2, 0u8..=2, 0u8..=7).prop_map(|(ocr, edits, min_len)| Tolerance {
        ocr,
        edits,
        min_len,
    })
}

/// Noise: look-alike swaps, other substitutions, insertions, deletions.
fn noisy(plate: &str, ops: &[(u8, usize, u8)]) -> String {
    let mut v: Vec<u8> = plate.bytes().collect();
    for &(op, pos, c) in ops {
        let c = ALPHABET[c as usize % ALPHABET.len()];
        let pos = if v.is_empty() { 0 } else { pos % v.len() };
        match op % 4 {
            0 => {
                if let Some(x) = v.get_mut(pos)
                    && let Some(class) = CLASSES.iter().find(|k| k.as_bytes().contains(x))
                {
                    *x = class.as_bytes()[c as usize % class.len()];
                }
            }
            1 => {
                if let Some(x) = v.get_mut(pos) {
                    *x = c;
                }
            }
            2 if v.len() < 10 => v.insert(pos, c),
            _ => {
                if v.len() > 1 {
                    v.remove(pos);
                }
            }
        }
    }
    String::from_utf8(v).unwrap()
}

#[derive(Debug, Clone)]
struct Case {
    lists: Vec<Tolerance>,
    entries: Vec<Listed>,
    reads: Vec<(String, Option<&'static str>, u64)>,
}

fn case_strategy() -> impl Strategy<Value = Case> {
    let lists = prop::collection::vec(tolerance_strategy(), 1..=4);
    lists.prop_flat_map(|lists| {
        let nl = lists.len() as u8;
        let entry = (
            plate_strategy(),
            prop::sample::select(vec![None, Some("BE"), Some("NL")]),
            0u8..=4,
            0..nl,
            prop::option::of(0u64..3),
            prop::option::of(2u64..5),
        )
            .prop_map(|(plate, country, priority, list, from, until)| Listed {
                plate,
                country,
                priority,
                list,
                from: from.map(|s| s * 1000),
                until: until.map(|s| s * 1000),
            })
            .prop_filter("non-empty window", |e| match (e.from, e.until) {
                (Some(f), Some(u)) => f < u,
                _ => true,
            });
        let entries = prop::collection::vec(entry, 0..60);
        (Just(lists), entries).prop_flat_map(|(lists, entries)| {
            // Deduplicate (list, plate, country): the builder refuses duplicates.
            let mut seen = BTreeSet::new();
            let entries: Vec<Listed> = entries
                .into_iter()
                .filter(|e| seen.insert((e.list, e.plate.clone(), e.country)))
                .collect();
            let n = entries.len().max(1);
            let from_list = (
                0..n,
                prop::collection::vec((0u8..4, 0usize..10, 0u8..15), 0..4),
            );
            let read = prop_oneof![
                3 => from_list.prop_map({
                    let entries = entries.clone();
                    move |(i, ops)| entries.get(i).map_or("1ABC234".to_string(), |e| noisy(&e.plate, &ops))
                }),
                1 => plate_strategy(),
            ];
            let reads = prop::collection::vec(
                (read, prop::sample::select(vec![None, Some("BE"), Some("FR")]), 0u64..6000),
                1..8,
            );
            (Just(lists), Just(entries), reads)
                .prop_map(|(lists, entries, reads)| Case { lists, entries, reads })
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(512), ..ProptestConfig::default() })]

    #[test]
    fn index_matches_reference(case in case_strategy()) {
        let n = case.entries.len();
        // Filter words: none, one (says "maybe" to almost anything), a byte
        // an entry. Fence words: none, one block for all, blocks of 8, of 1.
        let one_block = fence_words(n, n.next_power_of_two());
        for (words, fence_words) in [(0, 0), (1, one_block), (n / 8 + 1, fence_words(n, 8)), (0, fence_words(n, 1))] {
        let mut storage = vec![Entry::EMPTY; n];
        let mut index = vec![0u32; n];
        let mut filter = vec![0u64; words];
        let mut fences = vec![0u32; fence_words];
        let mut b = WatchlistBuilder::new(&mut storage, &mut index, ConfusionClasses::default());
        b.set_filter(&mut filter);
        b.set_fences(&mut fences);
        for &t in &case.lists {
            b.add_list(ListSpec { tolerance: t, local: false, evidence: None }).unwrap();
        }
        for e in &case.entries {
            let mut le = ListEntry::new(
                Plate::normalize(e.plate.as_bytes()).unwrap(),
                e.country.map(|c| Country::parse(c.as_bytes()).unwrap()),
                Priority::new(e.priority).unwrap(),
                ListId(e.list),
            );
            le.valid_from = e.from;
            le.valid_until = e.until;
            b.insert(le).unwrap();
        }
        let mut wl = b.build().map_err(|(_, d)| d).unwrap();
        // Every one-edit strategy.
        for strategy in [OneEdit::Halves, OneEdit::Overlap, OneEdit::OverlapTwo] {
        wl.set_one_edit(strategy);
        for (read, country, now) in &case.reads {
            let plate = Plate::normalize(read.as_bytes()).unwrap();
            let c = country.map(|c| Country::parse(c.as_bytes()).unwrap());
            let got: Matches<64> = wl.lookup(&plate, c, *now);
            let got: Vec<_> = got.as_slice().iter().map(|m| {
                let e = wl.entry(m.entry).unwrap();
                prop_assert_eq!(e.plate, m.listed);
                prop_assert_eq!(e.list, m.list);
                prop_assert_eq!(e.country, m.country);
                Ok(row(m))
            }).collect::<Result<_, TestCaseError>>()?;
            let mut want = reference_lookup(&case.lists, &case.entries, read, *country, *now);
            want.truncate(64);
            prop_assert_eq!(got, want.clone(), "read {} country {:?} at {} ({:?}, filter {} words, fences {} words)", read, country, now, strategy, words, fence_words);
            // With no tolerance: the entries that are the read itself.
            let mut exact: Matches<64> = Matches::new();
            wl.lookup_exact_into(&plate, c, *now, &mut exact);
            let got: Vec<_> = exact.as_slice().iter().map(row).collect();
            want.retain(|w| w.0 == plate.as_str());
            prop_assert_eq!(got, want, "exact: read {} country {:?} at {} (filter {} words)", read, country, now, words);
        }
        }
        }
    }

    #[test]
    fn distance_matches_reference(a in plate_strategy(), b in plate_strategy(), t in tolerance_strategy()) {
        let got = distance(a.as_bytes(), b.as_bytes(), &ConfusionClasses::default(), Tolerance {
            min_len: t.min_len.max(MIN_TOLERANT_LEN), ..t
        }).map(|d| (d.ocr, d.edits));
        prop_assert_eq!(got, reference_distance(&a, &b, t));
    }

    /// Pairs a few changes apart, where the shortcuts of `distance` apply.
    #[test]
    fn distance_of_near_pairs_matches_reference(
        a in plate_strategy(),
        ops in prop::collection::vec((any::<u8>(), any::<usize>(), any::<u8>()), 0..=3),
        t in tolerance_strategy(),
    ) {
        let b = noisy(&a, &ops);
        let got = distance(a.as_bytes(), b.as_bytes(), &ConfusionClasses::default(), Tolerance {
            min_len: t.min_len.max(MIN_TOLERANT_LEN), ..t
        }).map(|d| (d.ocr, d.edits));
        prop_assert_eq!(got, reference_distance(&a, &b, t), "{} {}", a, b);
    }

    #[test]
    fn normalize_never_panics_and_is_idempotent(raw in prop::collection::vec(any::<u8>(), 0..24)) {
        if let Ok(p) = Plate::normalize(&raw) {
            prop_assert_eq!(Plate::normalize(p.as_bytes()), Ok(p));
            prop_assert!(p.as_bytes().iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
        }
    }

    #[test]
    fn plates_order_as_their_strings(a in "[A-Z0-9]{1,10}", b in "[A-Z0-9]{1,10}") {
        let (pa, pb) = (Plate::normalize(a.as_bytes()).unwrap(), Plate::normalize(b.as_bytes()).unwrap());
        prop_assert_eq!(pa.cmp(&pb), a.cmp(&b), "{} {}", a, b);
    }

    #[test]
    fn normalize_keeps_alnum_drops_separators(s in "[a-zA-Z0-9 .·-]{0,16}") {
        let kept: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
        match Plate::normalize(s.as_bytes()) {
            Ok(p) => prop_assert_eq!(p.as_str(), kept.as_str()),
            Err(PlateError::Empty) => prop_assert!(kept.is_empty()),
            Err(PlateError::TooLong { .. }) => prop_assert!(kept.len() > 10),
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }
}

/// Cases per property: `PROPTEST_CASES` when set (for long runs), else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    /// The ASCII fast path and the general path agree: a plate with a `·`
    /// separator added takes the general path and must come out the same.
    #[test]
    fn ascii_and_general_normalisation_agree(s in "[ -~]{0,14}") {
        let general = format!("{s}\u{b7}");
        let a = Plate::normalize(s.as_bytes());
        let b = Plate::normalize(general.as_bytes());
        match (a, b) {
            (Ok(x), Ok(y)) => prop_assert_eq!(x, y),
            (Err(PlateError::Empty), Err(PlateError::Empty)) => {}
            (Err(x), Err(y)) => prop_assert_eq!(x, y),
            (x, y) => prop_assert!(false, "{:?} vs {:?}", x, y),
        }
    }
}
