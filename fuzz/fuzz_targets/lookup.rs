//! Differential: a watchlist with a membership filter and fences (blocks of
//! two entries) finds exactly what the same watchlist without them finds,
//! under every one-edit strategy, for arbitrary lists and reads, and that is
//! what checking every entry with `distance` finds; nothing panics.
#![no_main]

use hitgate_core::{
    confusion::ConfusionClasses,
    distance::{Tolerance, distance},
    list::{EntryId, ListEntry, ListId, ListSpec, Priority},
    plate::Plate,
    watchlist::{
        Entry, MIN_TOLERANT_LEN, Matches, OneEdit, Watchlist, WatchlistBuilder, fence_words,
    },
};
use libfuzzer_sys::fuzz_target;

/// The matches as comparable values.
fn found(wl: &Watchlist<'_>, read: &Plate) -> Vec<(Plate, u8, u8, u8)> {
    let m: Matches<64> = wl.lookup(read, None, 0);
    m.as_slice()
        .iter()
        .map(|m| (m.listed, m.list.0, m.distance.ocr, m.distance.edits))
        .collect()
}

/// The same by brute force: every entry checked with `distance` under its
/// list's tolerance (never below `MIN_TOLERANT_LEN`), in a fixed order.
fn scanned(wl: &Watchlist<'_>, read: &Plate) -> Vec<(Plate, u8, u8, u8)> {
    let mut all: Vec<_> = (0..wl.len())
        .filter_map(|i| {
            let e = wl.entry(EntryId(i as u32))?;
            let mut tol = wl.lists().get(e.list.index())?.tolerance;
            tol.min_len = tol.min_len.max(MIN_TOLERANT_LEN);
            let d = distance(read.as_bytes(), e.plate.as_bytes(), wl.classes(), tol)?;
            Some((e.plate, e.list.0, d.ocr, d.edits))
        })
        .collect();
    all.sort();
    all
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    // Two lists whose tolerances the first byte picks; then plates
    // separated by `;`, the first half listed (alternately on each list),
    // the rest read.
    let tol = |bits: u8| Tolerance {
        ocr: bits % 3,
        edits: (bits / 3) % 3,
        min_len: 3 + (bits / 9) % 4,
    };
    let plates: Vec<Plate> = rest
        .split(|&b| b == b';')
        .filter_map(|s| Plate::normalize(s).ok())
        .take(64)
        .collect();
    let (listed, reads) = plates.split_at(plates.len() / 2);
    let n = listed.len();
    let mut e1 = vec![Entry::EMPTY; n];
    let mut i1 = vec![0u32; n];
    let mut e2 = vec![Entry::EMPTY; n];
    let mut i2 = vec![0u32; n];
    let mut filter = vec![0u64; n / 8 + 1];
    let mut fences = vec![0u32; fence_words(n, 2)];
    let mut plain = WatchlistBuilder::new(&mut e1, &mut i1, ConfusionClasses::default());
    let mut fenced = WatchlistBuilder::new(&mut e2, &mut i2, ConfusionClasses::default());
    fenced.set_filter(&mut filter);
    fenced.set_fences(&mut fences);
    for b in [&mut plain, &mut fenced] {
        for t in [tol(mode), tol(mode / 36 + 1)] {
            let _ = b.add_list(ListSpec {
                tolerance: t,
                local: false,
                evidence: None,
            });
        }
        for (k, &p) in listed.iter().enumerate() {
            let _ = b.insert(ListEntry::new(p, None, Priority::P1, ListId((k % 2) as u8)));
        }
    }
    let (Ok(plain), Ok(mut fenced)) = (plain.build(), fenced.build()) else {
        return;
    };
    for read in reads.iter().chain(listed) {
        let want = found(&plain, read);
        let mut sorted = want.clone();
        sorted.sort();
        assert_eq!(sorted, scanned(&plain, read), "{read} (full scan)");
        for strategy in [
            OneEdit::Auto,
            OneEdit::Halves,
            OneEdit::Overlap,
            OneEdit::OverlapTwo,
        ] {
            fenced.set_one_edit(strategy);
            assert_eq!(found(&fenced, read), want, "{read} ({strategy:?})");
        }
    }
});
