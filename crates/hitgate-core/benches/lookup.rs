//! `lookup` throughput at 1,000 / 100,000 / 1,000,000 entries, exact and
//! tolerant (1 OCR-equivalent + 1 edit), without and with the membership
//! filter (a byte an entry), on reads of which about 1 % are listed. Run: `cargo bench -p hitgate-core --bench lookup`.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hitgate_core::*;

mod common;
use common::{Rng, belgian};

const READS: usize = 4096;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("lookup");
    group.throughput(Throughput::Elements(READS as u64));
    group.sample_size(20);
    for &n in &[1_000usize, 100_000, 1_000_000] {
        let tolerant = Tolerance {
            ocr: 1,
            edits: 1,
            min_len: 5,
        };
        for (name, tol, filtered) in [
            ("exact", Tolerance::EXACT, false),
            ("exact+filter", Tolerance::EXACT, true),
            ("ocr1+edit1", tolerant, false),
            ("ocr1+edit1+filter", tolerant, true),
        ] {
            let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ n as u64);
            let mut entries = vec![Entry::EMPTY; n].into_boxed_slice();
            let mut index = vec![0u32; n].into_boxed_slice();
            // The filter, when on: a byte an entry.
            let mut filter = vec![0u64; if filtered { n / 8 } else { 0 }].into_boxed_slice();
            let mut b =
                WatchlistBuilder::new(&mut entries, &mut index, ConfusionClasses::default());
            b.set_filter(&mut filter);
            let list = b
                .add_list(ListSpec {
                    tolerance: tol,
                    local: false,
                })
                .unwrap();
            let mut listed = Vec::with_capacity(n);
            let mut seen = std::collections::HashSet::new();
            while listed.len() < n {
                let p = belgian(&mut rng);
                if seen.insert(p) {
                    b.insert(ListEntry::new(p, None, Priority::P1, list))
                        .unwrap();
                    listed.push(p);
                }
            }
            let wl = b.build().map_err(|(_, d)| d).unwrap();
            let reads: Vec<Plate> = (0..READS)
                .map(|_| {
                    if rng.below(100) == 0 {
                        listed[rng.below(n as u64) as usize]
                    } else {
                        belgian(&mut rng)
                    }
                })
                .collect();
            group.bench_with_input(BenchmarkId::new(name, n), &reads, |bch, reads| {
                bch.iter(|| {
                    let mut hits = 0usize;
                    for r in reads {
                        let m: Matches<8> = wl.lookup(black_box(r), None, 0);
                        hits += m.len();
                    }
                    hits
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
