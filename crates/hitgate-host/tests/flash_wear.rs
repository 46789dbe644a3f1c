//! Flash wear of the outbox: 10,000 hits stored and acknowledged through
//! the core's flash outbox on the host's NOR flash (4 KiB pages, sized by
//! `deliver::pages_for` as `replay --state` sizes it), with 32 waiting at
//! any time. The figures go to BENCHMARKS.md:
//! `cargo test -p hitgate-host --test flash_wear -- --nocapture`.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::VecDeque;

use hitgate_core::outbox::OutboxSlot;
use hitgate_core::store::{FlashOutbox, block_on};
use hitgate_host::deliver::pages_for;
use hitgate_host::flash_file::{FileFlash, PAGE};
use sequential_storage::cache::Cache;

const HITS: u64 = 10_000;

fn wear(slots: usize) -> (Vec<u32>, u64) {
    let pages = pages_for(slots);
    let mut table = vec![OutboxSlot::EMPTY; slots];
    let flash = FileFlash::in_memory(pages);
    let (mut o, _) = block_on(FlashOutbox::open(
        flash,
        0..(pages * PAGE) as u32,
        Cache::new_uncached(),
        &mut table,
        1,
    ))
    .unwrap();
    let mut waiting = VecDeque::new();
    for n in 0..HITS {
        waiting.push_back(block_on(o.push(&common::hit(n))).unwrap().0);
        if waiting.len() > 32 {
            let s = waiting.pop_front().unwrap();
            assert_eq!(block_on(o.ack(s, s)).unwrap(), 1);
        }
    }
    assert_eq!(o.outbox().len(), 32);
    let (flash, _) = o.into_parts();
    (flash.erases().to_vec(), flash.bytes_written())
}

#[test]
fn ten_thousand_hits_wear_every_page_alike() {
    for slots in [64, 1024] {
        let (erases, written) = wear(slots);
        let total: u32 = erases.iter().sum();
        let (lo, hi) = (*erases.iter().min().unwrap(), *erases.iter().max().unwrap());
        println!(
            "{slots} slots, {} pages: {written} bytes written ({} a hit), \
             {total} erases, {lo} to {hi} a page",
            erases.len(),
            written / HITS
        );
        // The map wrapped (the proof is about a full cycle, not a fill).
        assert!(lo >= 1, "a page was never erased: {erases:?}");
        // Pages are used in turn: none wears out ahead of the others.
        assert!(hi - lo <= 1, "uneven wear: {erases:?}");
        // Each erase makes room for about a page of new items; garbage
        // collection moves live ones, at most 32 hits and the state.
        let pages_filled = written / PAGE as u64;
        assert!(
            u64::from(total) <= pages_filled + 2,
            "{total} erases for {pages_filled} pages written"
        );
    }
}
