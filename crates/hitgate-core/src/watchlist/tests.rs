extern crate std;
use std::vec;
use std::vec::Vec;

use super::*;

fn p(s: &str) -> Plate {
    Plate::normalize(s.as_bytes()).unwrap()
}

fn spec(ocr: u8, edits: u8, min_len: u8, local: bool) -> ListSpec {
    ListSpec {
        tolerance: Tolerance {
            ocr,
            edits,
            min_len,
        },
        local,
        evidence: None,
    }
}

/// Builds a watchlist over leaked storage (tests only).
fn build(lists: &[ListSpec], entries: &[ListEntry]) -> Watchlist<'static> {
    build_fenced(lists, entries, 0)
}

/// [`build`] with `fences` words of fence storage.
fn build_fenced(lists: &[ListSpec], entries: &[ListEntry], fences: usize) -> Watchlist<'static> {
    let n = entries.len();
    let e = vec![Entry::EMPTY; n].leak();
    let i = vec![0u32; n].leak();
    let mut b = WatchlistBuilder::new(e, i, ConfusionClasses::default());
    b.set_fences(vec![0u32; fences].leak());
    for s in lists {
        b.add_list(*s).unwrap();
    }
    for x in entries {
        b.insert(*x).unwrap();
    }
    b.build().map_err(|(_, d)| d).unwrap()
}

fn entry(plate: &str, prio: u8, list: u8) -> ListEntry {
    ListEntry::new(p(plate), None, Priority::new(prio).unwrap(), ListId(list))
}

fn found(wl: &Watchlist<'_>, read: &str) -> Vec<(std::string::String, u8, MatchKind, u8, u8)> {
    let m: Matches<16> = wl.lookup(&p(read), None, 0);
    m.as_slice()
        .iter()
        .map(|m| {
            (
                std::string::String::from(m.listed.as_str()),
                m.list.0,
                m.kind,
                m.distance.ocr,
                m.distance.edits,
            )
        })
        .collect()
}

#[test]
fn bytes_per_entry_index_included() {
    assert_eq!(core::mem::size_of::<Entry>(), 20);
    assert_eq!(BYTES_PER_ENTRY, 24);
}

#[test]
fn exact_ocr_and_edit_ranked() {
    let wl = build(
        &[spec(1, 1, 5, false)],
        &[
            entry("1ABC234", 1, 0),
            entry("1A8C234", 2, 0),
            entry("1ABC235", 0, 0),
        ],
    );
    // Exact first, then the look-alike, then the edit despite its priority 0.
    assert_eq!(
        found(&wl, "1ABC234"),
        vec![
            ("1ABC234".into(), 0, MatchKind::Exact, 0, 0),
            ("1A8C234".into(), 0, MatchKind::Ocr, 1, 0),
            ("1ABC235".into(), 0, MatchKind::Edit, 0, 1),
        ]
    );
    // Nothing near.
    assert!(found(&wl, "9XYZ876").is_empty());
}

#[test]
fn priority_breaks_ties_then_list() {
    let wl = build(
        &[spec(1, 0, 5, false), spec(1, 0, 5, true)],
        &[
            entry("1ABC234", 3, 0),
            entry("1ABC234", 1, 1),
            entry("1A8C234", 1, 0),
        ],
    );
    let got = found(&wl, "1ABC234");
    assert_eq!(got[0], ("1ABC234".into(), 1, MatchKind::Exact, 0, 0));
    assert_eq!(got[1], ("1ABC234".into(), 0, MatchKind::Exact, 0, 0));
    assert_eq!(got[2], ("1A8C234".into(), 0, MatchKind::Ocr, 1, 0));
}

#[test]
fn per_list_tolerance() {
    let wl = build(
        &[
            spec(0, 0, 0, false),
            spec(2, 0, 5, false),
            spec(0, 2, 5, false),
        ],
        &[
            entry("1ABC234", 1, 0),
            entry("1ABC234", 1, 1),
            entry("1ABC234", 1, 2),
        ],
    );
    // Two look-alikes: list 1 (ocr 2) matches; list 2 counts them as 2 edits.
    let got = found(&wl, "IA8C234");
    assert_eq!(
        got,
        vec![
            ("1ABC234".into(), 1, MatchKind::Ocr, 2, 0),
            ("1ABC234".into(), 2, MatchKind::Edit, 0, 2),
        ]
    );
    // Two deletions: only list 2.
    assert_eq!(
        found(&wl, "1AC24"),
        vec![("1ABC234".into(), 2, MatchKind::Edit, 0, 2)]
    );
    // Insertion plus substitution.
    assert_eq!(
        found(&wl, "1ABXC2X4"),
        vec![("1ABC234".into(), 2, MatchKind::Edit, 0, 2)]
    );
}

#[test]
fn no_tolerance_below_min_len() {
    let wl = build(
        &[spec(1, 1, 6, false)],
        &[entry("AB12", 1, 0), entry("AB1234", 1, 0)],
    );
    assert!(found(&wl, "AB13").is_empty());
    assert_eq!(found(&wl, "AB12").len(), 1);
    assert_eq!(
        found(&wl, "AB1235"),
        vec![("AB1234".into(), 0, MatchKind::Edit, 0, 1)]
    );
    // The read is one short of the minimum: exact only.
    assert!(found(&wl, "AB123").is_empty());
}

#[test]
fn validity_window() {
    let mut e = entry("1ABC234", 1, 0);
    e.valid_from = Some(10_000);
    e.valid_until = Some(20_000);
    let wl = build(&[spec(1, 0, 5, false)], &[e]);
    let at = |t| wl.lookup::<4>(&p("1ABC234"), None, t).len();
    assert_eq!(at(9_999), 0);
    assert_eq!(at(10_000), 1);
    assert_eq!(at(19_999), 1);
    assert_eq!(at(20_000), 0);
    // Sub-second bounds round inwards.
    let mut e = entry("1ABC234", 1, 0);
    e.valid_from = Some(10_001);
    let wl = build(&[spec(1, 0, 5, false)], &[e]);
    assert_eq!(wl.lookup::<4>(&p("1ABC234"), None, 10_500).len(), 0);
    assert_eq!(wl.lookup::<4>(&p("1ABC234"), None, 11_000).len(), 1);
}

#[test]
fn invalid_windows_are_refused() {
    let mut st = [Entry::EMPTY; 2];
    let mut ix = [0; 2];
    let mut b = WatchlistBuilder::new(&mut st, &mut ix, ConfusionClasses::default());
    b.add_list(spec(0, 0, 0, false)).unwrap();
    let mut e = entry("1ABC234", 1, 0);
    e.valid_from = Some(5_000);
    e.valid_until = Some(5_000);
    assert_eq!(b.insert(e), Err(InsertError::InvalidWindow));
    e.valid_from = Some(u64::MAX);
    e.valid_until = None;
    assert_eq!(b.insert(e), Err(InsertError::InvalidWindow));
    assert_eq!(
        b.insert(entry("1ABC234", 1, 3)),
        Err(InsertError::UnknownList(ListId(3)))
    );
}

#[test]
fn country_mismatch() {
    let mut be = entry("AB123CD", 1, 0);
    be.country = Some(Country::BE);
    let mut fr = entry("AB123CD", 2, 0);
    fr.country = Country::parse(b"FR").ok();
    let wl = build(&[spec(1, 0, 5, false)], &[be, fr]);
    let look = |c: Option<&str>| -> Vec<u8> {
        let c = c.map(|c| Country::parse(c.as_bytes()).unwrap());
        wl.lookup::<4>(&p("AB123CD"), c, 0)
            .as_slice()
            .iter()
            .map(|m| m.priority.get())
            .collect()
    };
    assert_eq!(look(Some("BE")), vec![1]);
    assert_eq!(look(Some("FR")), vec![2]);
    assert_eq!(look(Some("NL")), Vec::<u8>::new());
    assert_eq!(look(None), vec![1, 2]);
}

#[test]
fn duplicates_are_reported_with_insertion_indices() {
    let mut st = [Entry::EMPTY; 8];
    let mut ix = [0; 8];
    let mut b = WatchlistBuilder::new(&mut st, &mut ix, ConfusionClasses::default());
    b.add_list(spec(0, 0, 0, false)).unwrap();
    b.add_list(spec(0, 0, 0, false)).unwrap();
    for (plate, list) in [
        ("AAA111", 0),
        ("BBB222", 0),
        ("AAA111", 1),
        ("BBB222", 0),
        ("AAA111", 0),
    ] {
        b.insert(entry(plate, 1, list)).unwrap();
    }
    let (b, dup) = b.build().err().unwrap();
    assert_eq!(
        (
            dup.plate.as_str(),
            dup.list,
            dup.first,
            dup.second,
            dup.count
        ),
        ("BBB222", ListId(0), 1, 3, 2)
    );
    // Nothing was lost: the builder still holds all five.
    assert_eq!(b.len(), 5);
    // The same plate with another country is another vehicle.
    let mut st = [Entry::EMPTY; 2];
    let mut ix = [0; 2];
    let mut b = WatchlistBuilder::new(&mut st, &mut ix, ConfusionClasses::default());
    b.add_list(spec(0, 0, 0, false)).unwrap();
    let mut a = entry("AAA111", 1, 0);
    b.insert(a).unwrap();
    a.country = Some(Country::BE);
    b.insert(a).unwrap();
    assert!(b.build().is_ok());
}

#[test]
fn full_storage_hands_the_entry_back() {
    let mut st = [Entry::EMPTY; 1];
    let mut ix = [0; 1];
    let mut b = WatchlistBuilder::new(&mut st, &mut ix, ConfusionClasses::default());
    b.add_list(spec(0, 0, 0, false)).unwrap();
    b.insert(entry("AAA111", 1, 0)).unwrap();
    let e = entry("BBB222", 1, 0);
    assert_eq!(b.insert(e), Err(InsertError::Full(e)));
    for _ in 1..MAX_LISTS {
        b.add_list(spec(0, 0, 0, false)).unwrap();
    }
    assert_eq!(
        b.add_list(spec(0, 0, 0, false)),
        Err(ListError::TooManyLists)
    );
    assert_eq!(
        b.add_list(spec(3, 0, 0, false)),
        Err(ListError::InvalidTolerance)
    );
}

#[test]
fn overflow_keeps_the_best() {
    let wl = build(
        &[spec(2, 0, 5, false)],
        &[
            entry("1ABC234", 4, 0),
            entry("1A8C234", 1, 0),
            entry("IA8C234", 0, 0),
        ],
    );
    let m: Matches<2> = wl.lookup(&p("1ABC234"), None, 0);
    assert_eq!(m.len(), 2);
    assert_eq!(m.overflow(), 1);
    assert_eq!(m.as_slice()[0].listed.as_str(), "1ABC234");
    assert_eq!(m.as_slice()[1].listed.as_str(), "1A8C234");
}

#[test]
fn empty_watchlist_and_empty_lists() {
    let wl = build(&[spec(2, 2, 3, false), spec(0, 0, 0, false)], &[]);
    assert!(wl.lookup::<4>(&p("1ABC234"), None, 0).is_empty());
    assert_eq!(wl.list_len(ListId(0)), 0);
    assert_eq!(wl.list_len(ListId(9)), 0);
}

#[test]
fn permutation_applies_in_place() {
    let mut e: Vec<Entry> = (0..6)
        .map(|i| {
            let mut x = Entry::EMPTY;
            x.from = i;
            x
        })
        .collect();
    let mut perm = vec![3u32, 0, 5, 1, 2, 4];
    let want: Vec<u32> = perm.clone();
    apply_permutation(&mut e, &mut perm);
    assert_eq!(e.iter().map(|x| x.from).collect::<Vec<_>>(), want);
}

#[test]
fn keys_sort_like_strings() {
    let c = ConfusionClasses::default();
    let skel = |s: &str| skel_of(&c, &p(s)).0;
    // Representatives are the first of each class: 1ILT -> 1, 8B -> 8, 2Z -> 2.
    assert_eq!(skel("1ABC234"), p("1A8C234").pack());
    assert_eq!(skel("IA8CZ34"), p("1A8C234").pack());
    assert_eq!(reversed(p("ABC").pack()), p("CBA").pack());
    assert_eq!(reversed(p("ABCDEFGHJK").pack()), p("KJHGFEDCBA").pack());
    assert_eq!(skel_len(p("ABC").pack()), 3);
    assert_eq!(skel_len(p("AAAAAAAAA1").pack()), 10);
    let (lo, hi) = prefix_range(&[char_code(b'1'), char_code(b'A')]);
    assert!(lo <= p("1A").pack() && p("1AZZZZZZZZ").pack() <= hi);
    assert!(p("1B").pack() > hi && p("1").pack() < lo);
}

#[test]
fn exact_plate_comes_back_from_skeleton_and_variant() {
    let c = ConfusionClasses::default();
    for s in ["1ABC234", "OQD0", "ILT1ILT1", "Z2S5G6B8", "ABCDEFGHJK", "X"] {
        let (skel, variant) = skel_of(&c, &p(s));
        let key = skel << LIST_BITS;
        let e = Entry {
            key_hi: (key >> 32) as u32,
            key_lo: key as u32,
            meta: variant << 12,
            ..Entry::EMPTY
        };
        assert_eq!(e.plate(&c), p(s));
    }
}

#[test]
fn one_edit_filter() {
    let sk = |s: &str| p(s).pack();
    // Both tests: the shifts (64-bit cores) and the bit counts (32-bit).
    let near = |a: &str, b: &str| {
        let (x, y) = (sk(a), sk(b));
        let counts = within_one_edit(x, a.len(), y, b.len(), a.len().abs_diff(b.len()));
        assert_eq!(one_edit_apart(x, y), counts, "{a} {b}");
        counts
    };
    assert!(near("ABC123", "ABC123"));
    assert!(near("ABC123", "ABX123"));
    assert!(!near("ABC123", "XBC12Y"));
    assert!(near("ABC123", "ABC12"));
    assert!(near("ABC123", "BC123"));
    assert!(near("ABC123", "ABXC123"));
    assert!(near("ABC123", "ABC1234"));
    assert!(!near("ABC123", "ABXC12"));
    assert!(!near("ABC123", "AC12"));
    assert!(!near("ABC123", "XABC1234"));
    assert!(near("1234567890", "1234567899"));
    assert!(near("1234567890", "123456789"));
    assert!(near("A", "B"));
    // Every pair of strings up to 4 characters over 3 letters, against
    // Levenshtein distance by the textbook programme.
    let mut all: Vec<std::string::String> = vec![std::string::String::new()];
    for len in 1..=4 {
        let prev: Vec<_> = all.iter().filter(|s| s.len() == len - 1).cloned().collect();
        for s in prev {
            for c in ['A', 'B', 'C'] {
                all.push(std::format!("{s}{c}"));
            }
        }
    }
    all.retain(|s| !s.is_empty());
    let lev = |a: &[u8], b: &[u8]| {
        let mut row: Vec<usize> = (0..=b.len()).collect();
        for (i, &x) in a.iter().enumerate() {
            let mut next = vec![i + 1];
            for (j, &y) in b.iter().enumerate() {
                next.push(
                    (row[j] + usize::from(x != y))
                        .min(row[j + 1] + 1)
                        .min(next[j] + 1),
                );
            }
            row = next;
        }
        row[b.len()]
    };
    for a in &all {
        for b in &all {
            assert_eq!(near(a, b), lev(a.as_bytes(), b.as_bytes()) <= 1, "{a} {b}");
        }
    }
}

#[test]
fn filter_says_no_to_most_absent_skeletons() {
    let mut filter = vec![0u64; 125]; // a byte an entry for 1,000
    for i in 0..1_000u64 {
        filter_insert(&mut filter, 0, i * 7_919);
    }
    for i in 0..1_000u64 {
        assert!(filter_may_contain(&filter, 0, i * 7_919));
    }
    let false_yes = (0..10_000u64)
        .map(|i| 50_000_000 + i * 104_729)
        .filter(|&s| filter_may_contain(&filter, 0, s))
        .count();
    // Three bits in one 32-bit block, 8 bits an entry: a few percent.
    assert!(false_yes < 1_000, "{false_yes} of 10,000");
    // Another group is another key.
    let other = (0..1_000u64)
        .filter(|&i| filter_may_contain(&filter, 1, i * 7_919))
        .count();
    assert!(other < 200, "{other}");
    // No filter: always maybe.
    assert!(filter_may_contain(&[], 0, 42));
    // Skeletons of 7-character plates end in three zero fields: the filter
    // must not lean on low bits.
    let c = ConfusionClasses::default();
    let skel = |i: u64| skel_of(&c, &p(&std::format!("1A{:05}", i))).0;
    let mut filter = vec![0u64; 125];
    for i in 0..1_000 {
        filter_insert(&mut filter, 0, skel(i));
    }
    let false_yes = (1_000..11_000)
        .filter(|&i| filter_may_contain(&filter, 0, skel(i)))
        .count();
    assert!(false_yes < 1_000, "{false_yes} of 10,000");
}

#[test]
fn the_exact_filter_turns_down_near_plates_at_four_bits_a_word() {
    // A byte an entry for 10,000 plates `1A00000`..., then 100,000 plates
    // that differ from them in one character or are not far.
    let key = |i: u64| exact_key(&p(&std::format!("1A{:05}", i)));
    let mut filter = vec![0u64; 1_250];
    for i in 0..10_000 {
        filter_insert(&mut filter, EXACT_KEYED, key(i * 7));
    }
    for i in 0..10_000 {
        assert!(exact_may_contain(&filter, key(i * 7)));
    }
    let false_yes = (0..70_000u64)
        .filter(|i| i % 7 != 0)
        .filter(|&i| exact_may_contain(&filter, key(i)))
        .count();
    // Four bits in a 64-bit word, 8 bits an entry: 3.3 % in theory (a
    // Poisson load of eight keys a word); three bits in half a word would
    // let 4.3 % through.
    assert!(false_yes < 60_000 * 37 / 1000, "{false_yes} of 60,000");
    assert!(false_yes > 60_000 * 29 / 1000, "{false_yes} of 60,000");
    assert!(exact_may_contain(&[], key(3)));
}

#[test]
fn a_wide_suffix_moves_the_split_left_and_finds_the_same() {
    // 2,600 plates `ABC123`... ending in `123` and 2,600 `1ABC` + three
    // digits: the read `XYZ123` split in half leaves the suffix `123`,
    // whose range holds 2,600 entries; one character to the left, `Z123`
    // holds a hundred.
    let letters = |i: u32| {
        let l = |k: u32| char::from(b'A' + (i / k % 26) as u8);
        std::format!("{}{}{}", l(676), l(26), l(1))
    };
    let mut plates = Vec::new();
    for i in 0..2_600u32 {
        plates.push(std::format!("{}123", letters(i)));
        plates.push(std::format!("1{}{:03}", letters(i * 7), i % 1_000));
    }
    let entries: Vec<ListEntry> = plates.iter().map(|s| entry(s, 1, 0)).collect();
    let lists = [spec(0, 1, 0, false)];
    let n = entries.len();
    let mut wl = build_fenced(&lists, &entries, fence_words(n, 16));
    // The split itself, for the read `DEA123` (on the list) in both
    // strategies: one to the left of the middle.
    assert_eq!(split_of(&wl, "DEA123", 1).0, 2);
    assert_eq!(split_of(&wl, "DEA123", 0).0, 2);
    // A read of a narrow suffix keeps the middle.
    assert_eq!(split_of(&wl, "1AHC012", 1).0, 3);
    // Every one-edit read of some entries finds what a scan finds.
    finds_what_a_scan_finds(&mut wl, &plates, &lists, plates.iter().step_by(97));
}

/// Every one-edit read (a substitution, a deletion, an insertion at each
/// place) of each plate of `of` finds, in each strategy, what a scan of
/// `plates` with `distance` finds.
fn finds_what_a_scan_finds<'p>(
    wl: &mut Watchlist<'_>,
    plates: &[std::string::String],
    lists: &[ListSpec],
    of: impl Iterator<Item = &'p std::string::String> + Clone,
) {
    let classes = ConfusionClasses::default();
    for strategy in [OneEdit::Halves, OneEdit::Overlap, OneEdit::OverlapTwo] {
        wl.set_one_edit(strategy);
        for listed in of.clone() {
            let mut reads = Vec::new();
            for i in 0..listed.len() {
                let mut sub = listed.clone().into_bytes();
                sub[i] = if sub[i].is_ascii_digit() { b'7' } else { b'Q' };
                reads.push(sub.clone());
                let mut del = listed.clone().into_bytes();
                del.remove(i);
                reads.push(del);
                let mut ins = listed.clone().into_bytes();
                ins.insert(i, b'1');
                reads.push(ins);
            }
            for r in reads {
                let read = Plate::normalize(&r).unwrap();
                let mut got: Vec<_> = found(wl, read.as_str()).into_iter().map(|f| f.0).collect();
                let mut want: Vec<_> = plates
                    .iter()
                    .filter(|l| {
                        distance(read.as_bytes(), l.as_bytes(), &classes, lists[0].tolerance)
                            .is_some()
                    })
                    .cloned()
                    .collect();
                got.sort();
                want.sort();
                want.truncate(16);
                assert_eq!(got.len().min(16), want.len(), "{read} ({strategy:?})");
                if want.len() < 16 {
                    assert_eq!(got, want, "{read} ({strategy:?})");
                }
            }
        }
    }
}

/// Where a one-edit search of `read` splits it in `wl`'s group 1, its
/// halves overlapping by `o`: the split and the overlap.
fn split_of(wl: &Watchlist<'_>, read: &str, o: usize) -> (usize, usize) {
    let read = p(read);
    let q: Vec<u8> = read
        .as_bytes()
        .iter()
        .map(|&c| wl.classes.rep_code(char_code(c)))
        .collect();
    let (start, end) = wl.segments[1];
    let ctx = Ctx {
        wl,
        seg: (start as usize, end as usize),
        group: 1,
        read: &read,
        country: None,
        now: 0,
        qskel: prefix_range(&q).0,
        qvar: 0,
        n: q.len(),
    };
    let (h, o, _) = ctx.split(&q, o);
    (h, o)
}

#[test]
fn wide_halves_either_side_overlap_by_two() {
    // A thousand plates `AAA` + three digits and a thousand three letters
    // + `111`: the read `AAA111` has a wide prefix range at the middle's
    // left (`AAA`) and a wide suffix range at the middle (`111`); the
    // halves `AAA1` and `A111`, overlapping by two characters, hold a
    // hundred and about forty.
    let letters = |i: u32| {
        let l = |k: u32| char::from(b'B' + (i / k % 24) as u8);
        std::format!("{}{}{}", l(576), l(24), l(1))
    };
    let mut plates = Vec::new();
    for i in 0..1_000u32 {
        plates.push(std::format!("AAA{i:03}"));
        plates.push(std::format!("{}111", letters(i * 13)));
    }
    plates.sort();
    plates.dedup();
    let entries: Vec<ListEntry> = plates.iter().map(|s| entry(s, 1, 0)).collect();
    let lists = [spec(0, 1, 0, false)];
    let n = entries.len();
    let mut wl = build_fenced(&lists, &entries, fence_words(n, 16));
    assert_eq!(split_of(&wl, "AAA111", 1), (2, 2));
    // Halves without overlap keep theirs.
    assert_eq!(split_of(&wl, "AAA111", 0).1, 0);
    finds_what_a_scan_finds(&mut wl, &plates, &lists, plates.iter().step_by(37));
}

#[test]
fn a_short_read_between_wide_halves_probes_every_edit() {
    // Six hundred plates starting with `AB` and six hundred ending with
    // `B1`, and a few short ones: the read `AB1` split anywhere has a
    // range of hundreds; its 128 probes (every substitution, deletion and
    // insertion) cost less.
    let letters = |i: u32| {
        let l = |k: u32| char::from(b'C' + (i / k % 24) as u8);
        std::format!("{}{}{}{}", l(13_824), l(576), l(24), l(1))
    };
    let short = ["AB1", "AB2", "AC1", "ZB1", "AB1Z", "QAB1", "AB11", "A8I"];
    let mut plates: Vec<std::string::String> = short.iter().map(|s| s.to_string()).collect();
    for i in 0..600u32 {
        plates.push(std::format!("AB{}", letters(i * 31)));
        plates.push(std::format!("{}B1", letters(i * 37 + 5)));
    }
    plates.sort();
    plates.dedup();
    let entries: Vec<ListEntry> = plates.iter().map(|s| entry(s, 1, 0)).collect();
    // From three characters, as the watchlist never goes below.
    let lists = [spec(1, 1, 3, false)];
    let n = entries.len();
    let mut wl = build_fenced(&lists, &entries, fence_words(n, 16));
    assert_eq!(split_of(&wl, "AB1", 1), (0, 3));
    finds_what_a_scan_finds(
        &mut wl,
        &plates,
        &lists,
        plates.iter().filter(|p| p.len() <= 4),
    );
}

#[test]
fn inserting_a_field_into_a_packed_skeleton() {
    for (s, i, c, want) in [
        ("1ABC234", 0, "9", "91ABC234"),
        ("1ABC234", 4, "X", "1ABCX234"),
        ("1ABC234", 7, "5", "1ABC2345"),
        ("ABCDEFGHJ", 9, "K", "ABCDEFGHJK"),
        ("ABCDEFGHJ", 1, "K", "AKBCDEFGHJ"),
    ] {
        let code = char_code(c.as_bytes()[0]);
        assert_eq!(
            insert_field(p(s).pack(), i, code),
            p(want).pack(),
            "{s} with {c} at {i}"
        );
    }
}

#[test]
fn deleting_a_field_of_a_packed_skeleton() {
    for (s, i, want) in [
        ("1ABC234", 0, "ABC234"),
        ("1ABC234", 3, "1AB234"),
        ("1ABC234", 6, "1ABC23"),
        ("ABCDEFGHJK", 9, "ABCDEFGHJ"),
        ("ABCDEFGHJK", 0, "BCDEFGHJK"),
    ] {
        assert_eq!(
            delete_field(p(s).pack(), i),
            p(want).pack(),
            "{s} without {i}"
        );
    }
}

#[test]
fn suffix_slot_splits_position_and_key() {
    assert_eq!(SuffixSlot::for_len(0, false).pos_bits, 1);
    assert_eq!(SuffixSlot::for_len(1, false).pos_bits, 1);
    assert_eq!(SuffixSlot::for_len(10_000, false).pos_bits, 14);
    assert_eq!(SuffixSlot::for_len(16_384, false).pos_bits, 14);
    assert_eq!(SuffixSlot::for_len(16_385, false).pos_bits, 15);
    let big = SuffixSlot::for_len(u32::MAX as usize / 2, true);
    assert_eq!((big.pos_bits, big.key_bits(), big.chars), (31, 1, false));
    let skel = p("1ABC234").pack();
    let rev = reversed(skel);
    for slot in [SuffixSlot::for_len(10_000, false), big] {
        let w = slot.word(skel, 9_999);
        assert_eq!(slot.pos(w), 9_999);
        assert_eq!(u64::from(slot.key(w)), rev >> (SKEL_BITS - slot.key_bits()));
    }
    // With fences, two characters of key while they fit: up to 2^20
    // entries.
    assert!(SuffixSlot::for_len(1 << 20, true).chars);
    assert!(!SuffixSlot::for_len((1 << 20) + 1, true).chars);
    let slot = SuffixSlot::for_len(1_000_000, true);
    let w = slot.word(skel, 999_999);
    assert_eq!(slot.pos(w), 999_999);
    let (a, b) = (char_code(b'A'), char_code(b'B'));
    assert_eq!(slot.key(w), u32::from(a) << CODE_BITS | u32::from(b));
}

/// The two-character test before a suffix candidate is read: every
/// string one edit from the read passes; most others do not.
#[test]
fn second_and_third_characters_pass_one_edit() {
    let classes = ConfusionClasses::default();
    let codes =
        |s: &str| -> Vec<u8> { s.bytes().map(|c| classes.rep_code(char_code(c))).collect() };
    const CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for read in ["1ABC234", "XY12", "ABC", "AAAAAA"] {
        let q = codes(read);
        let q4 = [0, 1, 2, 3].map(|i| q.get(i).copied().unwrap_or(0));
        let key = |s: &str| second_third(skel_of(&classes, &p(s)).0);
        let (mut passed, mut all) = (0, 0);
        for i in 0..=read.len() {
            for &c in CHARS {
                let c = c as char;
                let (head, tail) = read.split_at(i);
                let mut variants = vec![std::format!("{head}{c}{tail}")];
                if let Some(rest) = tail.get(1..) {
                    variants.push(std::format!("{head}{c}{rest}"));
                    if i > 0 || !rest.is_empty() {
                        variants.push(std::format!("{head}{rest}"));
                    }
                }
                for v in variants {
                    assert!(may_be_one_edit(key(&v), &q4), "{v} from {read}");
                }
            }
        }
        // Strings two substitutions away, at 1 and 2: mostly turned down.
        for &a in CHARS {
            for &b in CHARS {
                let mut v = read.as_bytes().to_vec();
                v[1] = a;
                v[2] = b;
                all += 1;
                passed += usize::from(may_be_one_edit(key(core::str::from_utf8(&v).unwrap()), &q4));
            }
        }
        assert!(passed * 4 < all, "{read}: {passed} of {all} passed");
    }
}

/// A list large enough that suffix-index words keep only two characters
/// of key (or, with fences, blocks of eight entries and words that carry
/// characters): every lookup finds what a scan of all entries finds.
#[test]
fn large_list_matches_a_full_scan() {
    const N: usize = 200_000;
    let lists = [spec(1, 1, 5, false), spec(0, 0, 1, true)];
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    const CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut seen = std::collections::HashSet::new();
    let mut entries = Vec::new();
    while entries.len() < N {
        let r = next();
        let len = 4 + (r % 7) as usize;
        let s: std::string::String = (0..len)
            .map(|i| CHARS[((r >> (8 + 5 * i)) % 12) as usize * 3 % 36] as char)
            .collect();
        let list = (r >> 62) as u8 & 1;
        if seen.insert((s.clone(), list)) {
            entries.push(entry(&s, (r >> 60) as u8 % 5, list));
        }
    }
    for fences in [0, fence_words(N, 8)] {
        let wl = build_fenced(&lists, &entries, fences);
        assert!(wl.slot.key_bits() < 3 * CODE_BITS);
        assert_eq!(wl.slot.chars, fences > 0);
        assert_eq!(wl.fences.shift, if fences > 0 { 3 } else { 0 });
        for (n, e) in entries.iter().step_by(3_001).enumerate() {
            // The listed plate with one character changed, dropped or added.
            let mut read: Vec<u8> = e.plate.as_bytes().to_vec();
            let i = n % read.len();
            match n % 3 {
                0 => read[i] = CHARS[(i * 7 + n) % 36],
                1 if read.len() > 4 => {
                    read.remove(i);
                }
                _ if read.len() < MAX_PLATE_LEN => read.insert(i, CHARS[n % 36]),
                _ => {}
            }
            let read = Plate::normalize(&read).unwrap();
            let got: Matches<256> = wl.lookup(&read, None, 0);
            assert_eq!(got.overflow(), 0);
            let mut got: Vec<_> = got.as_slice().iter().map(|m| (m.listed, m.list)).collect();
            let mut want: Vec<_> = entries
                .iter()
                .filter(|x| {
                    let mut tol = lists[x.list.index()].tolerance;
                    tol.min_len = tol.min_len.max(MIN_TOLERANT_LEN);
                    distance(read.as_bytes(), x.plate.as_bytes(), wl.classes(), tol).is_some()
                })
                .map(|x| (x.plate, x.list))
                .collect();
            got.sort_by_key(|(p, l)| (p.pack(), l.0));
            want.sort_by_key(|(p, l)| (p.pack(), l.0));
            assert_eq!(got, want, "read {read}, {fences} fence words");
        }
    }
}

#[test]
fn fences_take_the_smallest_step_that_fits() {
    // (samples, top samples, step) of each order: two words a sample and,
    // above 16,384 samples an order, two a top sample (one every sixteenth
    // sample, rounded up).
    assert_eq!(fence_layout(0, 100), (0, 0, 0));
    assert_eq!(fence_layout(10, 1), (0, 0, 0));
    assert_eq!(fence_layout(10, 20), (10, 0, 0));
    assert_eq!(fence_layout(10, 19), (5, 0, 1));
    assert_eq!(fence_layout(3, 2), (1, 0, 2));
    assert_eq!(fence_layout(16_384, 32_768), (16_384, 0, 0));
    assert_eq!(fence_layout(16_385, 34_820), (16_385, 1_025, 0));
    assert_eq!(fence_layout(16_385, 34_819), (8_193, 0, 1));
    assert_eq!(fence_layout(1_000_000, 265_626), (125_000, 7_813, 3));
    assert_eq!(fence_layout(1_000_000, 265_625), (62_500, 3_907, 4));
    // No overflow however large the list.
    assert_eq!(fence_words(usize::MAX, 1), usize::MAX);
    assert_eq!(fence_words(5, 0), fence_words(5, 1));
    // What `fence_words` asks for gives the step it was asked for.
    for n in [1, 2, 15, 16, 17, 1_000, 65_537, 1_000_000] {
        for step in [1, 2, 8, 16, 64] {
            let (_, _, shift) = fence_layout(n, fence_words(n, step));
            assert!(
                1 << shift <= step,
                "{n} entries, step {step}: {}",
                1 << shift
            );
        }
    }
}

/// The top samples' search finds what a binary search over all samples
/// finds, for every range of samples and every key.
#[test]
fn top_samples_find_the_first_sample_at_least_a_key() {
    // Runs of equal samples, longer and shorter than a top sample's reach.
    let samples: Vec<u32> = (0..100u32).map(|i| i / 3 + i / 40 * 5).collect();
    let top: Vec<u32> = samples.iter().step_by(TOP).copied().collect();
    // With top samples and without (what a small array has).
    for top in [&top[..], &[]] {
        let sampled = Sampled {
            samples: &samples,
            top,
        };
        for k0 in 0..samples.len() {
            for k1 in k0..=samples.len() {
                for lo in 0..50 {
                    let want = k0 + samples[k0..k1].partition_point(|&x| x < lo);
                    assert_eq!(
                        sampled.first_at_least((k0, k1), lo),
                        want,
                        "{k0}..{k1} {lo}"
                    );
                }
            }
        }
    }
}

#[test]
fn narrowing_keeps_every_key_in_range() {
    // Keys 0, 0, 1, 1, ..., sampled every fourth position.
    let keys: Vec<u32> = (0..64).map(|i| i / 2).collect();
    let samples: Vec<u32> = keys.iter().step_by(4).copied().collect();
    let top: Vec<u32> = samples.iter().step_by(TOP).copied().collect();
    let sampled = Sampled {
        samples: &samples,
        top: &top,
    };
    for (a, b) in [(0, 64), (5, 40), (17, 18), (3, 3)] {
        for lo in 0..34 {
            for hi in lo..34 {
                let (s, e) = narrow(sampled, 2, (a, b), lo, hi);
                assert!(a <= s && s <= e && e <= b, "{a}..{b}: {s}..{e}");
                for (p, &k) in keys.iter().enumerate().take(b).skip(a) {
                    if (lo..=hi).contains(&k) {
                        assert!((s..e).contains(&p), "key {k} at {p} outside {s}..{e}");
                    }
                }
                // Narrow: at most a block on either side of the keys.
                let inside = keys[a..b].iter().filter(|k| (lo..=hi).contains(*k)).count();
                if inside > 0 {
                    assert!(e - s <= inside + 8, "{lo}..={hi} in {a}..{b}: {s}..{e}");
                }
            }
        }
    }
    let none = Sampled {
        samples: &[],
        top: &[],
    };
    assert_eq!(narrow(none, 3, (5, 9), 0, 7), (5, 9));
}

/// Every pair of plates of one length that differ in one or two places,
/// each place any pair of characters (so every bit of a field is
/// exercised), under every tolerance: the packed count decides as
/// `distance` does whenever it decides.
#[test]
fn packed_distance_agrees_with_distance() {
    let classes = ConfusionClasses::default();
    let alphabet: Vec<u8> = (b'0'..=b'9').chain(b'A'..=b'Z').collect();
    let base = *b"1ABC234";
    let mut decided = 0usize;
    let mut check = |read: &[u8], listed: &[u8]| {
        let (r, l) = (
            Plate::normalize(read).unwrap(),
            Plate::normalize(listed).unwrap(),
        );
        let (qskel, qvar) = skel_of(&classes, &r);
        let (skel, var) = skel_of(&classes, &l);
        for ocr in 0..=MAX_TOLERANCE {
            for edits in 0..=MAX_TOLERANCE {
                for min_len in [0, 5, 8] {
                    let tol = Tolerance {
                        ocr,
                        edits,
                        min_len,
                    };
                    let want = distance(read, listed, &classes, tol);
                    if let Some(got) = packed_distance((qskel, qvar, r.len()), (skel, var), tol) {
                        decided += 1;
                        assert_eq!(got, want, "{r} {l} {tol:?}");
                    }
                }
            }
        }
    };
    // One place: every pair of characters at every position.
    for i in 0..base.len() {
        for &a in &alphabet {
            for &b in &alphabet {
                let (mut read, mut listed) = (base, base);
                read[i] = a;
                listed[i] = b;
                check(&read, &listed);
            }
        }
    }
    // Two places: look-alike pairs and others (some of them of different
    // members of their classes: D is the third of its class, X the first),
    // at every pair of positions.
    let pairs = [
        (b'0', b'O'),
        (b'8', b'B'),
        (b'1', b'I'),
        (b'X', b'Y'),
        (b'W', b'0'),
        (b'D', b'X'),
        (b'O', b'8'),
    ];
    for i in 0..base.len() {
        for j in i + 1..base.len() {
            for &(a, b) in &pairs {
                for &(c, d) in &pairs {
                    let (mut read, mut listed) = (base, base);
                    (read[i], listed[i]) = (a, b);
                    (read[j], listed[j]) = (c, d);
                    check(&read, &listed);
                    check(&listed, &read);
                }
            }
        }
    }
    // Three places, and other lengths: left to the programme or turned
    // down, never decided wrongly.
    check(b"0B1C234", b"OBIC234");
    check(b"XYZC234", b"ABCC234");
    check(b"1ABC234", b"1ABC2345");
    assert!(decided > 100_000, "{decided}");
}

/// Plates of seven characters from a fixed pseudo-random sequence.
fn pseudo_plates(n: usize, mut seed: u64) -> Vec<std::string::String> {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    (0..n)
        .map(|_| {
            (0..7)
                .map(|_| ALPHABET[next() % ALPHABET.len()] as char)
                .collect()
        })
        .collect()
}

/// The lists without edits are stored in hash order behind a directory
/// of buckets: with thousands of entries (a hundred buckets and more), every
/// bucket holds exactly the entries whose hash falls in it, and lookups
/// (listed plates, look-alike misreads, random plates) find what a scan
/// of every entry with `distance` finds, before and after removals.
#[test]
fn directory_finds_what_a_scan_finds() {
    let lists = [
        spec(0, 0, 0, false),
        spec(1, 0, 0, false),
        spec(1, 1, 0, false),
    ];
    let plates = pseudo_plates(2_400, 7);
    let listed: Vec<ListEntry> = plates
        .iter()
        .enumerate()
        .map(|(i, s)| entry(s, 1, [0, 1, 1, 2][i % 4]))
        .collect();
    let wl = build(&lists, &listed);
    let seg = (wl.segments[0].0 as usize, wl.segments[0].1 as usize);
    assert_eq!(seg.1 - seg.0, 1_800);
    let dir = Directory::for_len(seg.1 - seg.0);
    assert!(dir.bits >= 7, "{} bits", dir.bits);
    let words = &wl.index[seg.0..seg.1];
    for (i, e) in wl.entries[seg.0..seg.1].iter().enumerate() {
        let (a, b) = dir.bucket_of(words, seg, e.skel());
        assert!(
            (a..b).contains(&(seg.0 + i)),
            "entry {i} outside its bucket {a}..{b}"
        );
    }
    // Reads: every listed plate, each with one character swapped for a
    // look-alike where it has one, and random plates.
    let mut reads: Vec<std::string::String> = plates[..800].to_vec();
    for s in &plates[..800] {
        let swapped: std::string::String = s
            .chars()
            .map(|c| match c {
                '0' => 'O',
                'O' => 'D',
                '8' => 'B',
                '1' => 'I',
                '5' => 'S',
                c => c,
            })
            .collect();
        reads.push(swapped);
    }
    reads.extend(pseudo_plates(400, 99));
    let check = |wl: &Watchlist<'_>, kept: &[ListEntry]| {
        for r in &reads {
            let mut want: Vec<(std::string::String, u8)> = kept
                .iter()
                .filter(|e| {
                    let tol = lists[e.list.index()].tolerance;
                    distance(r.as_bytes(), e.plate.as_bytes(), wl.classes(), tol).is_some()
                })
                .map(|e| (std::string::String::from(e.plate.as_str()), e.list.0))
                .collect();
            let mut got: Vec<(std::string::String, u8)> =
                found(wl, r).into_iter().map(|(s, l, ..)| (s, l)).collect();
            want.sort();
            got.sort();
            assert_eq!(got, want, "read {r}");
        }
    };
    check(&wl, &listed);
    // Removing every fifth entry of the lists without edits finds each by
    // a binary search in the same order.
    let e = vec![Entry::EMPTY; listed.len()].leak();
    let i = vec![0u32; listed.len()].leak();
    let mut b = WatchlistBuilder::from_watchlist(&wl, e, i).unwrap();
    let mut kept = Vec::new();
    for (k, x) in listed.iter().enumerate() {
        if x.list.0 < 2 && k % 5 == 0 {
            b.remove(x).unwrap();
        } else {
            kept.push(*x);
        }
    }
    let smaller = b.build().map_err(|(_, d)| d).unwrap();
    assert_eq!(smaller.len(), kept.len());
    check(&smaller, &kept);
}

/// Above [`WIDE_BUCKETS_ABOVE`] entries a 64-bit host makes its buckets
/// wide: every entry still stands in its bucket, and every listed plate
/// and its look-alike misread are found.
#[test]
fn wide_buckets_hold_their_entries() {
    let n = WIDE_BUCKETS_ABOVE + 4_000;
    let lists = [spec(1, 0, 0, false)];
    let plates = pseudo_plates(n, 11);
    let mut listed: Vec<ListEntry> = plates.iter().map(|s| entry(s, 1, 0)).collect();
    // Pseudo-random plates may repeat (or share a skeleton): keep one.
    listed.sort_by_key(|e| skel_of(&ConfusionClasses::default(), &e.plate).0);
    listed.dedup_by_key(|e| skel_of(&ConfusionClasses::default(), &e.plate).0);
    let wl = build(&lists, &listed);
    let seg = (0, wl.len());
    let dir = Directory::for_len(wl.len());
    assert_eq!(bucket_entries(wl.len()), if WIDE { 8 } else { 2 });
    let words = &wl.index[..wl.len()];
    for (i, e) in wl.entries.iter().enumerate() {
        let (a, b) = dir.bucket_of(words, seg, e.skel());
        assert!((a..b).contains(&i), "entry {i} outside its bucket {a}..{b}");
    }
    for e in listed.iter().step_by(7) {
        let s = e.plate.as_str();
        assert!(found(&wl, s).iter().any(|m| m.0 == s), "{s} not found");
        // One look-alike, as the list allows.
        let misread = s.replacen('8', "B", 1);
        assert!(
            found(&wl, &misread).iter().any(|m| m.0 == s),
            "{misread} not found"
        );
    }
}
