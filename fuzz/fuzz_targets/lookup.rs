//! Differential: a watchlist with a membership filter and fences (blocks of
//! two entries) finds exactly what the same watchlist without them finds,
//! under every one-edit strategy, for arbitrary lists and reads; nothing
//! panics.
#![no_main]

use hitgate_core::*;
use libfuzzer_sys::fuzz_target;

/// The matches as comparable values.
fn found(wl: &Watchlist<'_>, read: &Plate) -> Vec<(Plate, u8, u8, u8)> {
    let m: Matches<64> = wl.lookup(read, None, 0);
    m.as_slice()
        .iter()
        .map(|m| (m.listed, m.list.0, m.distance.ocr, m.distance.edits))
        .collect()
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
    let mut fences = vec![0u32; n + 2];
    let mut plain = WatchlistBuilder::new(&mut e1, &mut i1, ConfusionClasses::default());
    let mut fenced = WatchlistBuilder::new(&mut e2, &mut i2, ConfusionClasses::default());
    fenced.set_filter(&mut filter);
    fenced.set_fences(&mut fences);
    for b in [&mut plain, &mut fenced] {
        for t in [tol(mode), tol(mode / 36 + 1)] {
            let _ = b.add_list(ListSpec {
                tolerance: t,
                local: false,
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
        for strategy in [OneEdit::Auto, OneEdit::Ranges, OneEdit::Deletions, OneEdit::Overlap] {
            fenced.set_one_edit(strategy);
            assert_eq!(found(&fenced, read), want, "{read} ({strategy:?})");
        }
    }
});
