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

/// `n` distinct plates from `generate`.
fn distinct(n: usize, rng: &mut Rng, generate: fn(&mut Rng) -> Plate) -> Vec<Plate> {
    let mut listed = Vec::with_capacity(n);
    let mut seen = std::collections::HashSet::new();
    while listed.len() < n {
        let p = generate(rng);
        if seen.insert(p) {
            listed.push(p);
        }
    }
    listed
}

/// `n` distinct Belgian plates to list and `reads` reads, about 1 % of them
/// listed, from a seed that depends on `n` only: what the lookup bench and
/// the `lookup_loop` example share.
pub(crate) fn listed_and_reads(n: usize, reads: usize) -> (Vec<Plate>, Vec<Plate>) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ n as u64);
    let listed = distinct(n, &mut rng, belgian);
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

/// `k` characters from `set`.
fn chars(rng: &mut Rng, set: &[u8], k: usize, out: &mut Vec<u8>) {
    for _ in 0..k {
        out.push(set[rng.below(set.len() as u64) as usize]);
    }
}

const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";

/// A plate drawn like the traffic of a Belgian border zone, lengths 5 to
/// 8: Belgian current `1ABC234` (40 %) and old `ABC123` (10 %), Dutch
/// sidecode `12ABC3` / `AB123C` (20 %), French `AB123CD` (15 %), German
/// `B AB 1234` normalised to 5 to 8 characters (15 %).
pub(crate) fn mixed(rng: &mut Rng) -> Plate {
    /// Runs of characters: from this set, this many.
    type Format = &'static [(&'static [u8], usize)];
    // (cumulative share in %, the format)
    const FORMATS: [(u64, Format); 5] = [
        (40, &[(b"12", 1), (LETTERS, 3), (DIGITS, 3)]),
        (50, &[(LETTERS, 3), (DIGITS, 3)]),
        (60, &[(DIGITS, 2), (LETTERS, 3), (DIGITS, 1)]),
        (70, &[(LETTERS, 2), (DIGITS, 3), (LETTERS, 1)]),
        (85, &[(LETTERS, 2), (DIGITS, 3), (LETTERS, 2)]),
    ];
    let mut s = Vec::with_capacity(8);
    let pick = rng.below(100);
    if let Some((_, runs)) = FORMATS.iter().find(|(upto, _)| pick < *upto) {
        for &(set, k) in *runs {
            chars(rng, set, k, &mut s);
        }
    } else {
        // German: a city of 1 to 3 letters, 1 or 2 letters, digits.
        let city = 1 + rng.below(3) as usize;
        chars(rng, LETTERS, city, &mut s);
        let letters = 1 + rng.below(2) as usize;
        chars(rng, LETTERS, letters, &mut s);
        let digits = (1 + rng.below(4) as usize).min(8 - s.len());
        chars(rng, DIGITS, digits, &mut s);
    }
    Plate::normalize(&s).unwrap()
}

/// A misread of `p` that only swaps one character for a look-alike of it
/// (`O` for `0`, `8` for `B`...), or `p` itself when it has none.
pub(crate) fn lookalike(rng: &mut Rng, p: &Plate) -> Plate {
    let classes = ConfusionClasses::default();
    let mut s = p.as_bytes().to_vec();
    let start = rng.below(s.len() as u64) as usize;
    for k in 0..s.len() {
        let i = (start + k) % s.len();
        let twins: Vec<u8> = LETTERS
            .iter()
            .chain(DIGITS)
            .copied()
            .filter(|&c| c != s[i] && classes.alike(c, s[i]))
            .collect();
        if !twins.is_empty() {
            s[i] = twins[rng.below(twins.len() as u64) as usize];
            break;
        }
    }
    Plate::normalize(&s).unwrap_or(*p)
}

/// A plate one unrelated edit from `p`: a substitution, an insertion or a
/// deletion (lengths kept within 2 to 10).
pub(crate) fn neighbour(rng: &mut Rng, p: &Plate) -> Plate {
    let mut s = p.as_bytes().to_vec();
    let any = |rng: &mut Rng| {
        let all = [LETTERS, DIGITS].concat();
        all[rng.below(all.len() as u64) as usize]
    };
    let i = rng.below(s.len() as u64) as usize;
    match rng.below(3) {
        0 if s.len() > 5 => {
            s.remove(i);
        }
        1 if s.len() < 8 => s.insert(i, any(rng)),
        _ => s[i] = any(rng),
    }
    Plate::normalize(&s).unwrap_or(*p)
}

/// Shares of the near-miss profile's reads, in thousandths: listed,
/// look-alike misreads of listed plates, one-edit neighbours of listed
/// plates; the rest are random plates.
pub(crate) const NEAR_MISS_SHARES: (u64, u64, u64) = (5, 250, 300);

/// `n` distinct plates of the border-zone mix ([`mixed`]) and `reads`
/// reads: 0.5 % listed, 25 % look-alike misreads of listed plates, 30 %
/// one-edit neighbours of listed ones, 44.5 % random; a seed that depends
/// on `n` only.
pub(crate) fn near_miss_listed_and_reads(n: usize, reads: usize) -> (Vec<Plate>, Vec<Plate>) {
    let mut rng = Rng(0x51ED_2701_A3C4_F00D ^ n as u64);
    let listed = distinct(n, &mut rng, mixed);
    let (exact, alike, near) = NEAR_MISS_SHARES;
    let reads = (0..reads)
        .map(|_| {
            let pick = listed[rng.below(n as u64) as usize];
            match rng.below(1000) {
                r if r < exact => pick,
                r if r < exact + alike => lookalike(&mut rng, &pick),
                r if r < exact + alike + near => neighbour(&mut rng, &pick),
                _ => mixed(&mut rng),
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
        Self::with(listed_and_reads(n, READS), filtered, fenced)
    }

    /// On the near-miss profile ([`near_miss_listed_and_reads`]).
    pub(crate) fn near_miss(n: usize, reads: usize, filtered: bool, fenced: bool) -> Self {
        Self::with(near_miss_listed_and_reads(n, reads), filtered, fenced)
    }

    /// With a filter of `bytes` an entry instead of one.
    pub(crate) fn filter_bytes(mut self, bytes: usize) -> Self {
        self.filter = vec![0u64; self.entries.len() * bytes / 8].into_boxed_slice();
        self
    }

    fn with((listed, reads): (Vec<Plate>, Vec<Plate>), filtered: bool, fenced: bool) -> Self {
        let n = listed.len();
        Self {
            entries: vec![Entry::EMPTY; n].into_boxed_slice(),
            index: vec![0u32; n].into_boxed_slice(),
            filter: vec![0u64; if filtered { n / 8 } else { 0 }].into_boxed_slice(),
            fences: vec![0u32; if fenced { fence_words(n, 16) } else { 0 }].into_boxed_slice(),
            listed,
            reads,
        }
    }

    /// The listed plates and the reads.
    pub(crate) fn plates(&self) -> (&[Plate], &[Plate]) {
        (&self.listed, &self.reads)
    }

    /// Bytes of the caller's slices: entries, suffix index, filter, fences.
    pub(crate) fn bytes(&self) -> usize {
        size_of_val(&*self.entries)
            + size_of_val(&*self.index)
            + size_of_val(&*self.filter)
            + size_of_val(&*self.fences)
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
                evidence: None,
            })
            .unwrap();
        for &p in &self.listed {
            b.insert(ListEntry::new(p, None, Priority::P1, list))
                .unwrap();
        }
        (b.build().map_err(|(_, d)| d).unwrap(), &self.reads)
    }
}

/// The read or any plate one look-alike away from it in the set: every
/// variant probed, as a hash set must.
pub(crate) fn lookalike_probe(
    set: &rustc_hash::FxHashSet<Plate>,
    classes: &ConfusionClasses,
    read: &Plate,
) -> bool {
    if set.contains(read) {
        return true;
    }
    let mut s = [0u8; 10];
    let b = read.as_bytes();
    s[..b.len()].copy_from_slice(b);
    for i in 0..b.len() {
        for &c in b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" {
            if c != b[i] && classes.alike(c, b[i]) {
                s[i] = c;
                if Plate::normalize(&s[..b.len()]).is_ok_and(|p| set.contains(&p)) {
                    return true;
                }
            }
        }
        s[i] = b[i];
    }
    false
}
