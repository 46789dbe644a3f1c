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
        // A small board's policy costs its rules, not the default's 32.
        ("Policy<8>", size_of::<Policy<8>>(), 8 * 192 + 8),
        ("Indicators", size_of::<Indicators>(), 640),
        ("Matches<8>", size_of::<Matches<8>>(), 8 * 48 + 16),
        ("Hit", size_of::<Hit>(), 128),
        ("Unit", size_of::<Unit<'static, 'static>>(), 8 * 1024),
        // 16 list specs of 8 bytes (tolerance, local, own evidence).
        ("Watchlist", size_of::<Watchlist<'static>>(), 640),
    ];
    for (name, size, budget) in sizes {
        println!("{name:>14}: {size:>5} bytes (budget {budget})");
        assert!(size <= budget, "{name} is {size} bytes, budget {budget}");
    }
}

/// What the flash outbox asks of a firmware's stack: each call is a
/// future that `block_on` (or an executor) keeps while it runs. The flash
/// is borrowed, as a driver would be, so that its own size does not count.
#[cfg(feature = "flash")]
#[test]
fn flash_outbox_calls_stay_within_their_stack_budgets() {
    use core::mem::size_of_val;
    use hitgate_core::outbox::OutboxSlot;
    use hitgate_core::store::{FlashOutbox, block_on};
    use sequential_storage::cache::Cache;
    use sequential_storage::mock_flash::{MockFlashBase, WriteCountCheck};

    let mut flash = MockFlashBase::<4, 4, 1024>::new(WriteCountCheck::Twice, None, true);
    let mut slots = [const { OutboxSlot::EMPTY }; 4];
    let open = FlashOutbox::open(&mut flash, 0..16384, Cache::new_uncached(), &mut slots, 1);
    let open_size = size_of_val(&open);
    let (mut o, _) = block_on(open).unwrap();
    let outbox_size = size_of_val(&o);
    let ack_size = size_of_val(&o.ack(0, 0));
    let expire_size = size_of_val(&o.expire(0, 0));
    let sizes = [
        ("FlashOutbox", outbox_size, 512),
        ("open future", open_size, 2048),
        ("ack future", ack_size, 1536),
        ("expire future", expire_size, 1536),
    ];
    for (name, size, budget) in sizes {
        println!("{name:>14}: {size:>5} bytes (budget {budget})");
        assert!(size <= budget, "{name} is {size} bytes, budget {budget}");
    }
}
