//! The whole pipeline per read (`Unit::receive`) next to the lookup alone,
//! on the same stream, in one run. Run: `cargo bench -p hitgate-core --bench pipeline`.

#![allow(clippy::unwrap_used)] // bench code

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hitgate_core::confusion::ConfusionClasses;
use hitgate_core::distance::Tolerance;
use hitgate_core::hit::Outcome;
use hitgate_core::indicators::CameraStats;
use hitgate_core::list::{ListEntry, ListSpec, Priority};
use hitgate_core::passage::Passage;
use hitgate_core::plate::Plate;
use hitgate_core::policy::Policy;
use hitgate_core::read::Read;
use hitgate_core::recent::{HeldFrame, RECENT_FRAMES};
use hitgate_core::suppress::SuppressSlot;
use hitgate_core::unit::{Config, Tables, Unit};
use hitgate_core::watchlist::{Entry, Matches, WatchlistBuilder};

mod common;
use common::{Rng, belgian_printed as belgian};

const ENTRIES: usize = 100_000;
const READS: usize = 20_000;

fn bench(c: &mut Criterion) {
    let mut rng = Rng(0x5EED);
    let mut entries = vec![Entry::EMPTY; ENTRIES].into_boxed_slice();
    let mut index = vec![0u32; ENTRIES].into_boxed_slice();
    let mut b = WatchlistBuilder::new(&mut entries, &mut index, ConfusionClasses::default());
    let tol = Tolerance {
        ocr: 1,
        edits: 1,
        min_len: 5,
    };
    let list = b
        .add_list(ListSpec {
            tolerance: tol,
            local: false,
            evidence: None,
        })
        .unwrap();
    let mut listed = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while listed.len() < ENTRIES {
        let p = belgian(&mut rng);
        let plate = Plate::normalize(p.as_bytes()).unwrap();
        if seen.insert(plate) {
            let prio = Priority::new(rng.below(5) as u8).unwrap();
            b.insert(ListEntry::new(plate, None, prio, list)).unwrap();
            listed.push(p);
        }
    }
    let wl = b.build().map_err(|(_, d)| d).unwrap();
    // A stream: one car every 1.8 s per camera over 4 cameras, 3 frames a
    // passage, about 1 % of cars listed.
    let mut stream: Vec<(u64, String, String)> = Vec::new();
    let mut t = 1_767_600_000_000u64;
    while stream.len() < READS {
        t += 450;
        let cam = format!("cam-{}", rng.below(4));
        let plate = if rng.below(100) == 0 {
            listed[rng.below(ENTRIES as u64) as usize].clone()
        } else {
            belgian(&mut rng)
        };
        for f in 0..3 {
            stream.push((t + f * 120, cam.clone(), plate.clone()));
        }
    }
    let reads: Vec<Read<'_>> = stream
        .iter()
        .map(|(time, cam, plate)| Read {
            time: *time,
            camera: cam,
            plate: plate.as_bytes(),
            country: None,
            confidence: Some(80),
            position: None,
        })
        .collect();
    let policy = Policy::brussels();

    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(reads.len() as u64));
    group.sample_size(20);
    group.bench_function("lookup only (normalise + lookup)", |bch| {
        bch.iter(|| {
            let mut n = 0usize;
            for r in &reads {
                if let Ok(p) = Plate::normalize(r.plate) {
                    let m: Matches<8> = wl.lookup(black_box(&p), None, r.time);
                    n += m.len();
                }
            }
            n
        })
    });
    group.bench_function("Unit::receive (whole pipeline)", |bch| {
        bch.iter(|| {
            let mut passages = [Passage::EMPTY; 32];
            let mut suppression = vec![SuppressSlot::EMPTY; 1024];
            let mut cameras = [CameraStats::EMPTY; 8];
            let mut held = [HeldFrame::EMPTY; RECENT_FRAMES];
            let tables = Tables {
                passages: &mut passages,
                suppression: &mut suppression,
                cameras: &mut cameras,
                held: &mut held,
            };
            let mut unit = Unit::new(&wl, &policy, Config::default(), tables);
            let mut hits = 0usize;
            for r in &reads {
                let _ = unit.receive(black_box(r), r.time, &mut |_, o| {
                    hits += usize::from(matches!(o, Outcome::Forward(_)))
                });
            }
            unit.flush(&mut |_, o| hits += usize::from(matches!(o, Outcome::Forward(_))));
            hits
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
