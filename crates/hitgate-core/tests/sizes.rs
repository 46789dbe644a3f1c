//! The sizes a firmware plans its RAM with. Bounds, not exact figures: the
//! figures are printed (`--nocapture`) and recorded in BENCHMARKS.md.

use core::mem::size_of;

use hitgate_core::hit::Hit;
use hitgate_core::indicators::{CameraStats, Indicators};
use hitgate_core::passage::Passage;
use hitgate_core::policy::{Policy, Rule};
use hitgate_core::suppress::SuppressSlot;
use hitgate_core::unit::Unit;
use hitgate_core::watchlist::{BYTES_PER_ENTRY, Entry, Matches, Watchlist};

#[test]
fn sizes_stay_within_their_budgets() {
    let sizes = [
        ("Entry", size_of::<Entry>(), 20),
        ("entry + index", BYTES_PER_ENTRY, 24),
        ("Passage", size_of::<Passage>(), 256),
        ("SuppressSlot", size_of::<SuppressSlot>(), 64),
        ("CameraStats", size_of::<CameraStats>(), 64),
        ("Rule", size_of::<Rule>(), 192),
        ("Policy", size_of::<Policy>(), 32 * 192 + 8),
        ("Indicators", size_of::<Indicators>(), 640),
        ("Matches<8>", size_of::<Matches<8>>(), 8 * 48 + 16),
        ("Hit", size_of::<Hit>(), 128),
        ("Unit", size_of::<Unit<'static, 'static>>(), 8 * 1024),
        ("Watchlist", size_of::<Watchlist<'static>>(), 512),
    ];
    for (name, size, budget) in sizes {
        println!("{name:>14}: {size:>5} bytes (budget {budget})");
        assert!(size <= budget, "{name} is {size} bytes, budget {budget}");
    }
}
