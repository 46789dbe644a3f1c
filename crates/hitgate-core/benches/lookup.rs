//! `lookup` throughput at 1,000 / 100,000 / 1,000,000 entries, exact and
//! tolerant (1 OCR-equivalent + 1 edit), without and with the membership
//! filter (a byte an entry) and the fences (half a byte an entry), on reads
//! of which about 1 % are listed; then the tolerant lookup under each
//! [`OneEdit`] strategy, the figures behind [`OneEdit::Auto`]'s choice; then
//! the floor: only reading back the entries each tolerant lookup returns
//! (what any index would have to do), and reading them back and checking
//! them with `distance`.
//! Run: `cargo bench -p hitgate-core --bench lookup`.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hitgate_core::{
    distance::{Tolerance, distance},
    list::EntryId,
    plate::Plate,
    watchlist::{Matches, OneEdit, Watchlist},
};

mod common;
use common::{READS, Setup, TOLERANT};

const SIZES: [usize; 3] = [1_000, 100_000, 1_000_000];

/// Looks every read up; the number of matches keeps the work observable.
fn run(wl: &Watchlist<'_>, reads: &[Plate]) -> usize {
    let mut hits = 0usize;
    for r in reads {
        let m: Matches<8> = wl.lookup(black_box(r), None, 0);
        hits += m.len();
    }
    hits
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("lookup");
    group.throughput(Throughput::Elements(READS as u64));
    group.sample_size(20);
    for n in SIZES {
        for (name, tol, filtered, fenced) in [
            ("exact", Tolerance::EXACT, false, false),
            ("exact+filter", Tolerance::EXACT, true, false),
            ("exact+filter+fences", Tolerance::EXACT, true, true),
            ("ocr1+edit1", TOLERANT, false, false),
            ("ocr1+edit1+filter", TOLERANT, true, false),
            ("ocr1+edit1+filter+fences", TOLERANT, true, true),
        ] {
            let mut setup = Setup::new(n, filtered, fenced);
            let (wl, reads) = setup.build(tol);
            group.bench_with_input(BenchmarkId::new(name, n), reads, |bch, reads| {
                bch.iter(|| run(&wl, reads))
            });
        }
    }
    group.finish();

    // Each one-edit strategy on the same watchlist, side by side.
    let mut group = c.benchmark_group("one_edit");
    group.throughput(Throughput::Elements(READS as u64));
    group.sample_size(10);
    for n in SIZES {
        for (filtered, fenced) in [(false, false), (true, false), (true, true)] {
            let mut setup = Setup::new(n, filtered, fenced);
            let (mut wl, reads) = setup.build(TOLERANT);
            for strategy in [OneEdit::Halves, OneEdit::Overlap] {
                wl.set_one_edit(strategy);
                let name = format!(
                    "{strategy:?}{}{}",
                    if filtered { "+filter" } else { "" },
                    if fenced { "+fences" } else { "" }
                );
                group.bench_with_input(BenchmarkId::new(name, n), reads, |bch, reads| {
                    bch.iter(|| run(&wl, reads))
                });
            }
        }
    }
    group.finish();

    // The floor: for each read, only the entries its tolerant lookup
    // returns, read back, and read back and checked with `distance`.
    let mut group = c.benchmark_group("floor");
    group.throughput(Throughput::Elements(READS as u64));
    group.sample_size(20);
    for n in SIZES {
        let mut setup = Setup::new(n, true, true);
        let (wl, reads) = setup.build(TOLERANT);
        let found: Vec<Vec<EntryId>> = reads
            .iter()
            .map(|r| {
                let m: Matches<64> = wl.lookup(r, None, 0);
                m.as_slice().iter().map(|m| m.entry).collect()
            })
            .collect();
        let classes = *wl.classes();
        group.bench_with_input(
            BenchmarkId::new("read back only", n),
            &found,
            |bch, found| {
                bch.iter(|| {
                    let mut chars = 0usize;
                    for &id in found.iter().flatten() {
                        chars += wl.entry(black_box(id)).map_or(0, |e| e.plate.len());
                    }
                    chars
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("verify only", n), reads, |bch, reads| {
            bch.iter(|| {
                let mut hits = 0usize;
                for (r, ids) in reads.iter().zip(&found) {
                    for &id in ids {
                        let e = wl.entry(black_box(id)).unwrap();
                        hits += usize::from(
                            distance(r.as_bytes(), e.plate.as_bytes(), &classes, TOLERANT)
                                .is_some(),
                        );
                    }
                }
                hits
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
