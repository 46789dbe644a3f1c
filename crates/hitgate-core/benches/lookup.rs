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
    confusion::ConfusionClasses,
    distance::{Tolerance, distance},
    list::EntryId,
    plate::Plate,
    watchlist::{Matches, OneEdit, Watchlist},
};
use rustc_hash::FxHashSet;

mod common;
use common::{READS, Setup, TOLERANT, lookalike_probe};

const SIZES: [usize; 3] = [1_000, 100_000, 1_000_000];
/// Reads of the near-miss profile: more than the caches hold.
const NEAR_READS: usize = 1 << 18;
/// One look-alike, no other edit: what a large list should use.
const LOOKALIKE: Tolerance = Tolerance {
    ocr: 1,
    edits: 0,
    min_len: 5,
};
/// One edit of any kind.
const ONE_EDIT: Tolerance = Tolerance {
    ocr: 0,
    edits: 1,
    min_len: 5,
};

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

    // The near-miss profile: what a unit near a national-size list reads
    // all day (see `common::near_miss_listed_and_reads`), hitgate as the
    // host builds it beside a hash set of the same plates. More reads than
    // fit in cache, each normalised inside the loop, for every contender.
    let mut group = c.benchmark_group("near_miss");
    group.throughput(Throughput::Elements(NEAR_READS as u64));
    group.sample_size(10);
    for n in [100_000, 1_000_000] {
        for (name, tol) in [
            ("exact", Tolerance::EXACT),
            ("lookalike", LOOKALIKE),
            ("edit1", ONE_EDIT),
        ] {
            let mut setup = Setup::near_miss(n, NEAR_READS, true, true);
            let (wl, reads) = setup.build(tol);
            // As the unit queries: into one result, reused.
            let mut m: Matches<8> = Matches::new();
            group.bench_with_input(BenchmarkId::new(name, n), reads, |bch, reads| {
                bch.iter(|| {
                    let mut hits = 0usize;
                    for r in reads {
                        let p = Plate::normalize(black_box(r.as_bytes())).unwrap();
                        wl.lookup_into(&p, None, 0, &mut m);
                        hits += m.len();
                    }
                    hits
                })
            });
        }
        let setup = Setup::near_miss(n, NEAR_READS, false, false);
        let (listed, reads) = setup.plates();
        let set: FxHashSet<Plate> = listed.iter().copied().collect();
        let classes = ConfusionClasses::default();
        // Each contender called directly, as hitgate is (no `dyn`).
        let normalized = |r: &[u8]| Plate::normalize(black_box(r)).unwrap();
        group.bench_with_input(
            BenchmarkId::new("FxHashSet exact", n),
            reads,
            |bch, reads| {
                bch.iter(|| {
                    reads
                        .iter()
                        .filter(|r| set.contains(&normalized(r.as_bytes())))
                        .count()
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("FxHashSet lookalike variants", n),
            reads,
            |bch, reads| {
                bch.iter(|| {
                    reads
                        .iter()
                        .filter(|r| lookalike_probe(&set, &classes, &normalized(r.as_bytes())))
                        .count()
                })
            },
        );
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
