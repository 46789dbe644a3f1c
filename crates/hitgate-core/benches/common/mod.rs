//! What the benchmarks share: a seeded generator and Belgian plates.

#![allow(dead_code, clippy::unwrap_used, missing_docs)] // each bench uses part of it

use hitgate_core::{
    confusion::ConfusionClasses, distance::Tolerance, list::ListEntry, list::ListSpec,
    list::Priority, plate::Plate, watchlist::Entry, watchlist::Watchlist,
    watchlist::WatchlistBuilder, watchlist::fence_words,
};

/// A small deterministic generator (xorshift64*), so the bench needs no
/// extra crate.
pub(crate) struct Rng(pub(crate) u64);
impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A Belgian current-format plate `1ABC234` / `2ABC234`.
pub(crate) fn belgian(rng: &mut Rng) -> Plate {
    let mut s = [0u8; 7];
    s[0] = b'1' + rng.below(2) as u8;
    for c in &mut s[1..4] {
        *c = b'A' + rng.below(26) as u8;
    }
    for c in &mut s[4..] {
        *c = b'0' + rng.below(10) as u8;
    }
    Plate::normalize(&s).unwrap()
}

/// `n` distinct Belgian plates to list and `reads` reads, about 1 % of them
/// listed, from a seed that depends on `n` only: what the lookup bench and
/// the `lookup_loop` example share.
pub(crate) fn listed_and_reads(n: usize, reads: usize) -> (Vec<Plate>, Vec<Plate>) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ n as u64);
    let mut listed = Vec::with_capacity(n);
    let mut seen = std::collections::HashSet::new();
    while listed.len() < n {
        let p = belgian(&mut rng);
        if seen.insert(p) {
            listed.push(p);
        }
    }
    let reads = (0..reads)
        .map(|_| {
            if rng.below(100) == 0 {
                listed[rng.below(n as u64) as usize]
            } else {
                belgian(&mut rng)
            }
        })
        .collect();
    (listed, reads)
}

/// The same plate as printed, with dashes: `1-ABC-234`.
pub(crate) fn belgian_printed(rng: &mut Rng) -> String {
    let p = belgian(rng);
    let s = p.as_str();
    format!("{}-{}-{}", &s[..1], &s[1..4], &s[4..])
}

/// Reads per round.
pub(crate) const READS: usize = 4096;
/// One look-alike and one other edit, from five characters.
pub(crate) const TOLERANT: Tolerance = Tolerance {
    ocr: 1,
    edits: 1,
    min_len: 5,
};

/// Caller storage for `n` entries (and a filter of a byte an entry when
/// `filtered`, fences every sixteenth entry when `fenced`), with `n` distinct
/// random Belgian plates to list and the reads, about 1 % of them listed.
pub(crate) struct Setup {
    entries: Box<[Entry]>,
    index: Box<[u32]>,
    filter: Box<[u64]>,
    fences: Box<[u32]>,
    listed: Vec<Plate>,
    reads: Vec<Plate>,
}

impl Setup {
    pub(crate) fn new(n: usize, filtered: bool, fenced: bool) -> Self {
        let (listed, reads) = listed_and_reads(n, READS);
        Self {
            entries: vec![Entry::EMPTY; n].into_boxed_slice(),
            index: vec![0u32; n].into_boxed_slice(),
            filter: vec![0u64; if filtered { n / 8 } else { 0 }].into_boxed_slice(),
            fences: vec![0u32; if fenced { fence_words(n, 16) } else { 0 }].into_boxed_slice(),
            listed,
            reads,
        }
    }

    /// The watchlist of one list with this tolerance.
    pub(crate) fn build(&mut self, tolerance: Tolerance) -> (Watchlist<'_>, &[Plate]) {
        let mut b = WatchlistBuilder::new(
            &mut self.entries,
            &mut self.index,
            ConfusionClasses::default(),
        );
        b.set_filter(&mut self.filter);
        b.set_fences(&mut self.fences);
        let list = b
            .add_list(ListSpec {
                tolerance,
                local: false,
            })
            .unwrap();
        for &p in &self.listed {
            b.insert(ListEntry::new(p, None, Priority::P1, list))
                .unwrap();
        }
        (b.build().map_err(|(_, d)| d).unwrap(), &self.reads)
    }
}
