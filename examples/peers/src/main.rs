//! hitgate's watchlist side by side with the matchers a user would
//! otherwise take, on the lookup bench's near-miss profile: a
//! `rustc_hash::FxHashSet` (exact, and probing every one-look-alike variant
//! of a read) and SymSpell (`symspell`, every listed plate within one edit,
//! `Verbosity::All`). Each contender is built as its users build it and
//! queried directly; every read is normalised inside the timed loop.
//!
//! Rounds alternate between the contenders and the figure is each one's
//! median round; memory is what each structure holds once built, and the
//! most it held while being built (a counting allocator; hitgate's is the
//! caller's slices, and its build allocates nothing else). Before timing,
//! the contenders' answers are compared read by read: reads with a match
//! by hitgate and by the peer must be the same reads, or the program
//! fails (`ci.sh` runs it small, as a test).
//!
//! ```sh
//! cargo run --release -- 1000000 5    # entries, seconds per contender
//! ```

#![allow(clippy::unwrap_used)] // a measuring program: a panic is a bad argument

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use hitgate_core::confusion::ConfusionClasses;
use hitgate_core::distance::{Tolerance, distance};
use hitgate_core::plate::Plate;
use hitgate_core::watchlist::{Matches, Watchlist};
use rustc_hash::FxHashSet;
use symspell::{AsciiStringStrategy, SymSpell, SymSpellBuilder, Verbosity};

#[path = "../../../crates/hitgate-core/benches/common/mod.rs"]
mod common;
use common::{Setup, lookalike_probe};

/// Counts the bytes allocated and not yet freed.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The most `LIVE` has been since [`measure`] last started.
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// Bytes a structure holds once built, and the most it held while being
/// built (a hash table holds its old and new buckets while it grows).
#[derive(Clone, Copy)]
struct Bytes {
    live: usize,
    peak: usize,
}

/// Builds something and counts what it allocated.
fn measure<T>(build: impl FnOnce() -> T) -> (T, Bytes) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let built = build();
    let bytes = Bytes {
        live: LIVE.load(Ordering::Relaxed) - before,
        peak: PEAK.load(Ordering::Relaxed) - before,
    };
    (built, bytes)
}

// SAFETY: every call is passed on to the system allocator unchanged; only
// a counter is kept beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: the caller's layout, as `GlobalAlloc::alloc` requires.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: a block this allocator returned, with its layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Reads of the near-miss profile: more than the caches hold.
const READS: usize = 1 << 18;

const EXACT: Tolerance = Tolerance::EXACT;
/// One look-alike, no other edit. At every length a plate of the profile
/// has (3 and up: a list's tolerance never applies below three
/// characters), as the peers match.
const LOOKALIKE: Tolerance = Tolerance {
    ocr: 1,
    edits: 0,
    min_len: 0,
};
/// One edit of any kind, look-alike or not, at every length.
const ONE_EDIT: Tolerance = Tolerance {
    ocr: 0,
    edits: 1,
    min_len: 0,
};

/// A round over the reads: which of them matched.
type Round<'a> = Box<dyn Fn(&[Plate]) -> Vec<bool> + 'a>;

/// One contender: a name, the bytes its structures took and its round.
struct Contender<'a> {
    name: &'static str,
    bytes: Bytes,
    round: Round<'a>,
}

/// hitgate as the unit queries it: into one result, reused.
fn hitgate_round(wl: &Watchlist<'_>, reads: &[Plate]) -> Vec<bool> {
    let mut m: Matches<8> = Matches::new();
    let mut out = Vec::with_capacity(reads.len());
    for r in reads {
        let p = Plate::normalize(black_box(r.as_bytes())).unwrap();
        wl.lookup_into(&p, None, 0, &mut m);
        out.push(!m.is_empty());
    }
    out
}

/// Times the contenders in alternating rounds for about `seconds` each:
/// the median round of each, in lookups a second.
fn race(reads: &[Plate], contenders: &[Contender<'_>], seconds: f64) -> Vec<f64> {
    let mut rounds = vec![Vec::new(); contenders.len()];
    let mut spent = vec![0.0f64; contenders.len()];
    while spent.iter().any(|&s| s < seconds) || rounds[0].len() < 3 {
        for (i, c) in contenders.iter().enumerate() {
            let t = Instant::now();
            black_box((c.round)(reads));
            let dt = t.elapsed().as_secs_f64();
            spent[i] += dt;
            rounds[i].push(dt);
        }
    }
    rounds
        .iter_mut()
        .map(|r| {
            r.sort_by(f64::total_cmp);
            reads.len() as f64 / r[r.len() / 2]
        })
        .collect()
}

/// The contenders agree on which reads match, or the program stops.
fn agree(reads: &[Plate], a: &Contender<'_>, b: &Contender<'_>) {
    agree_on(
        reads,
        (a.name, &(a.round)(reads)),
        (b.name, &(b.round)(reads)),
    );
}

/// [`agree`] on answers given: (name, which reads matched) twice.
fn agree_on(reads: &[Plate], (a, x): (&str, &[bool]), (b, y): (&str, &[bool])) {
    let differ: Vec<_> = reads
        .iter()
        .zip(x.iter().zip(y))
        .filter(|(_, (p, q))| p != q)
        .take(5)
        .map(|(r, (p, q))| format!("{r}: {a} {p}, {b} {q}"))
        .collect();
    assert!(differ.is_empty(), "disagree: {differ:?}");
    let matched = x.iter().filter(|&&m| m).count();
    println!(
        "  {a} and {b} agree on every read: {matched} of {} match",
        reads.len()
    );
}

/// Builds hitgate with a tolerance: its slices' bytes (the builder
/// allocates nothing else; sorting is in place).
fn hitgate<'a>(setup: &'a mut Setup, tolerance: Tolerance) -> (Watchlist<'a>, Bytes) {
    let live = setup.bytes();
    let (wl, _) = setup.build(tolerance);
    (wl, Bytes { live, peak: live })
}

fn print(n: usize, contenders: &[Contender<'_>], speeds: &[f64]) {
    for (c, s) in contenders.iter().zip(speeds) {
        println!(
            "  {:<34} {:>10.0} lookups/s  {:>6.1} bytes an entry ({:.1} while built)",
            c.name,
            s,
            c.bytes.live as f64 / n as f64,
            c.bytes.peak as f64 / n as f64,
        );
    }
}

fn main() {
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let n = args.first().map_or(1_000_000, |&x| x as usize).max(100);
    let seconds = args.get(1).copied().unwrap_or(5.0);
    let reads_n = if n < 100_000 { 1 << 14 } else { READS };
    println!("{n} entries, {reads_n} near-miss reads, about {seconds} s a contender");

    // Exact, and one look-alike: lists without edits, which the host
    // builds without fences (their searches go through the directory).
    let mut exact_setup = Setup::near_miss(n, reads_n, true, false);
    let mut alike_setup = Setup::near_miss(n, reads_n, true, false);
    let (listed, reads) = {
        let (l, r) = exact_setup.plates();
        (l.to_vec(), r.to_vec())
    };
    let mut wide_setup = Setup::near_miss(n, reads_n, true, false).filter_bytes(2);
    let (exact, exact_bytes) = hitgate(&mut exact_setup, EXACT);
    let (wide, wide_bytes) = hitgate(&mut wide_setup, EXACT);
    let (alike, alike_bytes) = hitgate(&mut alike_setup, LOOKALIKE);
    let (set, set_bytes) = measure(|| listed.iter().copied().collect::<FxHashSet<Plate>>());
    let classes = ConfusionClasses::default();
    let contenders = [
        Contender {
            name: "hitgate exact",
            bytes: exact_bytes,
            round: Box::new(|r| hitgate_round(&exact, r)),
        },
        Contender {
            name: "hitgate exact, filter 2 B",
            bytes: wide_bytes,
            round: Box::new(|r| hitgate_round(&wide, r)),
        },
        Contender {
            name: "FxHashSet exact",
            bytes: set_bytes,
            round: Box::new(|r| {
                r.iter()
                    .map(|p| set.contains(&Plate::normalize(black_box(p.as_bytes())).unwrap()))
                    .collect()
            }),
        },
        Contender {
            name: "hitgate 1 look-alike",
            bytes: alike_bytes,
            round: Box::new(|r| hitgate_round(&alike, r)),
        },
        Contender {
            name: "FxHashSet, look-alike variants",
            bytes: set_bytes,
            round: Box::new(|r| {
                r.iter()
                    .map(|p| {
                        let p = Plate::normalize(black_box(p.as_bytes())).unwrap();
                        lookalike_probe(&set, &classes, &p)
                    })
                    .collect()
            }),
        },
    ];
    agree(&reads, &contenders[0], &contenders[2]);
    agree(&reads, &contenders[1], &contenders[2]);
    agree(&reads, &contenders[3], &contenders[4]);
    let speeds = race(&reads, &contenders, seconds);
    print(n, &contenders, &speeds);
    drop(contenders);
    drop(set);
    let classes = ConfusionClasses::default();
    drop(exact_setup);
    drop(wide_setup);
    drop(alike_setup);

    // One edit.
    let mut edit_setup = Setup::near_miss(n, reads_n, true, true);
    let (edit, edit_bytes) = hitgate(&mut edit_setup, ONE_EDIT);
    let (spell, spell_bytes) = measure(|| {
        let mut spell: SymSpell<AsciiStringStrategy> = SymSpellBuilder::default()
            .max_dictionary_edit_distance(1)
            .build()
            .unwrap();
        for p in &listed {
            spell.load_dictionary_line(&format!("{p} 1"), 0, 1, " ");
        }
        spell
    });
    let contenders = [
        Contender {
            name: "hitgate 1 edit",
            bytes: edit_bytes,
            round: Box::new(|r| hitgate_round(&edit, r)),
        },
        Contender {
            name: "SymSpell 1 edit (all)",
            bytes: spell_bytes,
            round: Box::new(|r| {
                r.iter()
                    .map(|p| {
                        let p = Plate::normalize(black_box(p.as_bytes())).unwrap();
                        !spell.lookup(p.as_str(), Verbosity::All, 1).is_empty()
                    })
                    .collect()
            }),
        },
    ];
    // SymSpell's distance counts two neighbours swapped as one edit, where
    // hitgate (and the lists it serves) counts two: its answers, checked
    // by hitgate's distance, must be hitgate's.
    let spell_checked = reads
        .iter()
        .map(|p| {
            spell
                .lookup(p.as_str(), Verbosity::All, 1)
                .iter()
                .any(|s| distance(p.as_bytes(), s.term.as_bytes(), &classes, ONE_EDIT).is_some())
        })
        .collect::<Vec<_>>();
    agree_on(
        &reads,
        (contenders[0].name, &(contenders[0].round)(&reads)),
        ("SymSpell, swaps counted as two edits", &spell_checked),
    );
    let speeds = race(&reads, &contenders, seconds);
    print(n, &contenders, &speeds);
}
