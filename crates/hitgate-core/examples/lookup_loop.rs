//! Tolerant lookups in a loop, for side-by-side timing and instruction
//! counts (the figures in `BENCHMARKS.md` that criterion does not give).
//!
//! The lookup bench's set-up: `ENTRIES` random current-format Belgian plates
//! on one list at 1 OCR + 1 edit, a membership filter of a byte an entry,
//! fences of half a byte unless `--no-fences`, and 4,096 reads of which
//! about 1 % are listed. Prints the median over rounds of all 4,096 reads.
//!
//! ```sh
//! cargo run --release -p hitgate-core --example lookup_loop -- 1000000 2
//! valgrind --tool=callgrind --toggle-collect='*search_one_edit*' \
//!     target/release/examples/lookup_loop 1000000 0
//! ```
//!
//! Arguments: entries (default 1,000,000), seconds (default 2; 0 for one
//! round), `--no-fences`, `--near-miss` (the bench's near-miss profile,
//! 4,096 reads), `--exact` (the list exact-only), `--lookalike` (one
//! look-alike) or `--one-edit` (one edit of any kind), these two from
//! three characters, as `examples/peers` compares them; `--by-length`
//! (the time a read of each length takes); `--length N` (only the reads
//! of N characters); with `--near-miss`, `--reads N` (reads a round,
//! default 4,096: few enough that the entries they reach stay in cache;
//! `examples/peers` takes 262,144); `--normalize` (each read normalised
//! from its text inside the loop, as `examples/peers` does).
//!
//! ```sh
//! valgrind --tool=callgrind --toggle-collect='*round*' \
//!     target/release/examples/lookup_loop 100000 0 --near-miss --exact
//! ```

#![allow(clippy::unwrap_used)] // an example: a panic is a bad argument

use std::time::Instant;

use hitgate_core::plate::Plate;
use hitgate_core::watchlist::{Matches, Watchlist};

#[path = "../benches/common/mod.rs"]
mod common;
use common::{READS, Setup, TOLERANT};
use hitgate_core::distance::Tolerance;

/// One round over the reads: the matches found. Not inlined, so that
/// callgrind can count it alone (`--toggle-collect='*round*'`).
#[inline(never)]
fn round(wl: &Watchlist<'_>, reads: &[Plate], normalize: bool) -> usize {
    let mut matches = 0;
    // As the unit queries: into one result, reused.
    let mut m: Matches<8> = Matches::new();
    for r in reads {
        if normalize {
            // As `examples/peers` queries: from the read's text.
            let p = Plate::normalize(std::hint::black_box(r.as_bytes())).unwrap();
            wl.lookup_into(&p, None, 0, &mut m);
        } else {
            wl.lookup_into(std::hint::black_box(r), None, 0, &mut m);
        }
        matches += m.len();
    }
    matches
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let fenced = !args.iter().any(|a| a == "--no-fences");
    // The first two numbers not after `--length` or `--reads`.
    let mut numbers = args
        .iter()
        .enumerate()
        .filter(|&(i, _)| i == 0 || !matches!(args[i - 1].as_str(), "--length" | "--reads"))
        .filter_map(|(_, a)| a.parse::<f64>().ok());
    let n = numbers.next().map_or(1_000_000, |x| x as usize).max(1);
    let seconds = numbers.next().unwrap_or(2.0);

    let flag = |f: &str| args.iter().any(|a| a == f);
    // The number after an option.
    let value = |f: &str| -> Option<usize> {
        let i = args.iter().position(|a| a == f)?;
        args.get(i + 1)?.parse().ok()
    };
    let normalize = flag("--normalize");
    // The lookup bench's watchlist, plates and reads.
    let mut setup = match flag("--near-miss") {
        true => Setup::near_miss(n, value("--reads").unwrap_or(READS), true, fenced),
        false => Setup::new(n, true, fenced),
    };
    let tolerance = if flag("--exact") {
        Tolerance::EXACT
    } else if flag("--lookalike") {
        Tolerance {
            ocr: 1,
            edits: 0,
            min_len: 0,
        }
    } else if flag("--one-edit") {
        Tolerance {
            ocr: 0,
            edits: 1,
            min_len: 0,
        }
    } else {
        TOLERANT
    };
    let (wl, reads) = setup.build(tolerance);
    // `--length N`: only the reads of N characters.
    let only = value("--length");
    let kept: Vec<Plate>;
    let reads = match only {
        Some(len) => {
            kept = reads.iter().filter(|r| r.len() == len).copied().collect();
            &kept[..]
        }
        None => reads,
    };

    if flag("--by-length") {
        // The reads of each length alone, median of 9 rounds each.
        for len in 1..=10 {
            let some: Vec<Plate> = reads.iter().filter(|r| r.len() == len).copied().collect();
            if some.is_empty() {
                continue;
            }
            let mut rounds: Vec<f64> = (0..9)
                .map(|_| {
                    let t = Instant::now();
                    round(&wl, &some, normalize);
                    t.elapsed().as_secs_f64()
                })
                .collect();
            rounds.sort_by(f64::total_cmp);
            let each = rounds[4] / some.len() as f64 * 1e9;
            println!(
                "  {len} characters: {} reads, {each:.0} ns each",
                some.len()
            );
        }
        return;
    }

    let start = Instant::now();
    let mut rounds = Vec::new();
    let mut matches = 0usize;
    loop {
        let t = Instant::now();
        matches += round(&wl, reads, normalize);
        rounds.push(t.elapsed().as_secs_f64());
        if start.elapsed().as_secs_f64() >= seconds {
            break;
        }
    }
    rounds.sort_by(f64::total_cmp);
    let median = rounds[rounds.len() / 2];
    println!(
        "{n} entries, {}: {:.0} lookups/s ({:.0} ns each), {:.2} matches a read",
        if fenced { "filter + fences" } else { "filter" },
        reads.len() as f64 / median,
        median / reads.len() as f64 * 1e9,
        matches as f64 / (rounds.len() * reads.len()) as f64,
    );
}
