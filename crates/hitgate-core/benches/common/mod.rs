//! What the benchmarks share: a seeded generator and Belgian plates.

#![allow(dead_code, clippy::unwrap_used, missing_docs)] // each bench uses part of it

use hitgate_core::Plate;

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
