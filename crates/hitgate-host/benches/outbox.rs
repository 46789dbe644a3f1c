//! Outbox throughput: a hit pushed and the oldest acknowledged, in a
//! steady state of 32 waiting, on the RAM outbox and on the flash outbox
//! over sequential-storage's mock flash, the host's NOR flash in memory
//! and the same on a file (`--state`). One run, side by side:
//! `cargo bench -p hitgate-host --bench outbox`.

#![allow(clippy::unwrap_used)] // bench code

use std::collections::VecDeque;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use embedded_storage_async::nor_flash::NorFlash;
use hitgate_core::outbox::{Outbox, OutboxSlot};
use hitgate_core::store::{FlashOutbox, block_on};
use hitgate_host::deliver::pages_for;
use hitgate_host::flash_file::{FileFlash, PAGE};
use sequential_storage::cache::key_pointers::ArrayKeyPointers;
use sequential_storage::cache::page_pointers::ArrayPagePointers;
use sequential_storage::cache::page_states::ArrayPageStates;
use sequential_storage::cache::{Cache, CacheImpl};
use sequential_storage::mock_flash::{MockFlashBase, WriteCountCheck};

#[path = "../tests/common/mod.rs"]
mod common;
use common::hit;

const SLOTS: usize = 256;
const WAITING: usize = 32;

/// Push one, acknowledge the oldest, on a flash outbox over `flash`.
fn on_flash<S: NorFlash, C: CacheImpl<u16>>(
    c: &mut Criterion,
    name: &str,
    flash: S,
    bytes: u32,
    cache: C,
) {
    let mut slots = vec![OutboxSlot::EMPTY; SLOTS];
    let (mut o, _) = block_on(FlashOutbox::open(flash, 0..bytes, cache, &mut slots, 1)).unwrap();
    let mut waiting = VecDeque::new();
    let mut n = 0u64;
    for _ in 0..WAITING {
        waiting.push_back(block_on(o.push(&hit(n))).unwrap().0);
        n += 1;
    }
    let mut g = c.benchmark_group("outbox");
    g.throughput(Throughput::Elements(1));
    g.bench_function(name, |b| {
        b.iter(|| {
            waiting.push_back(block_on(o.push(black_box(&hit(n)))).unwrap().0);
            n += 1;
            let s = waiting.pop_front().unwrap();
            black_box(block_on(o.ack(s, s)).unwrap());
        })
    });
    g.finish();
}

fn bench(c: &mut Criterion) {
    // The RAM outbox: no flash, the reference.
    {
        let mut slots = vec![OutboxSlot::EMPTY; SLOTS];
        let mut o = Outbox::new(&mut slots);
        let mut waiting = VecDeque::new();
        let mut n = 0u64;
        for _ in 0..WAITING {
            o.push(&hit(n), n).unwrap();
            waiting.push_back(n);
            n += 1;
        }
        let mut g = c.benchmark_group("outbox");
        g.throughput(Throughput::Elements(1));
        g.bench_function("ram", |b| {
            b.iter(|| {
                o.push(black_box(&hit(n)), n).unwrap();
                waiting.push_back(n);
                n += 1;
                let s = waiting.pop_front().unwrap();
                black_box(o.ack(s, s));
            })
        });
        g.finish();
    }
    let pages = pages_for(SLOTS);
    let bytes = (pages * PAGE) as u32;
    // sequential-storage's mock: 4-byte words, 4 KiB pages, as the file.
    const MOCK_PAGES: usize = 24;
    assert!(MOCK_PAGES >= pages, "{pages} pages needed");
    let mock = || MockFlashBase::<MOCK_PAGES, 4, 1024>::new(WriteCountCheck::Twice, None, true);
    on_flash(c, "mock flash", mock(), bytes, Cache::new_uncached());
    // What sequential-storage's caches buy, for a firmware that can spare
    // the RAM: page states, page pointers and every key's address.
    let cached = Cache::new(
        ArrayPageStates::<MOCK_PAGES>::new(),
        ArrayPagePointers::<MOCK_PAGES>::new(),
        ArrayKeyPointers::<u16, { SLOTS + 1 }>::new(),
    );
    on_flash(c, "mock flash, cached", mock(), bytes, cached);
    on_flash(
        c,
        "flash in memory",
        FileFlash::in_memory(pages),
        bytes,
        Cache::new_uncached(),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = FileFlash::open(&dir.path().join("outbox.flash"), pages).unwrap();
    on_flash(c, "file flash", file, bytes, Cache::new_uncached());
}

criterion_group!(benches, bench);
criterion_main!(benches);
