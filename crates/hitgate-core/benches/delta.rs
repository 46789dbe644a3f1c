//! What a signed delta of 100 changes costs against the full image of the
//! same version: verified, decoded and built into standby storage, as a
//! unit activates either (`cargo bench -p hitgate-core --features trust
//! --bench delta`).

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use ed25519_dalek::SigningKey;
use hitgate_core::bundle::{self, BundleError, Record};
use hitgate_core::confusion::ConfusionClasses;
use hitgate_core::distance::Tolerance;
use hitgate_core::list::{ListEntry, ListId, ListSpec, Priority};
use hitgate_core::policy::{MAX_RULES, Policy};
use hitgate_core::signed::{self, HEADER_LEN, Header, SIGNATURE_LEN};
use hitgate_core::unit::Config;
use hitgate_core::watchlist::{Entry, WatchlistBuilder, fence_words};

const SPEC: ListSpec = ListSpec {
    tolerance: Tolerance::DEFAULT,
    local: false,
    evidence: None,
};

fn seal(head: &Header, body: &[u8], key: &SigningKey) -> Vec<u8> {
    let mut out = vec![0u8; HEADER_LEN + body.len() + SIGNATURE_LEN];
    signed::seal(head, body, key, &mut out).unwrap();
    out
}

fn frames(write: impl FnOnce(&mut dyn FnMut(&[u8]) -> Result<(), BundleError>)) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut |f: &[u8]| {
        out.extend_from_slice(f);
        Ok(())
    });
    out
}

/// Caller storage for one watchlist, filter and fences as the host sizes
/// them.
struct Storage {
    entries: Vec<Entry>,
    index: Vec<u32>,
    filter: Vec<u64>,
    fences: Vec<u32>,
}

impl Storage {
    fn new(n: usize) -> Self {
        Self {
            entries: vec![Entry::EMPTY; n],
            index: vec![0; n],
            filter: vec![0; n / 8],
            fences: vec![0; fence_words(n, 16)],
        }
    }
}

fn bench(c: &mut Criterion) {
    let key = SigningKey::from_bytes(&[5; 32]);
    let vk = key.verifying_key();
    for n in [100_000usize, 1_000_000] {
        let (plates, _) = common::listed_and_reads(n + 50, 0);
        let entry = |p| ListEntry::new(p, None, Priority::P1, ListId(0));
        let v1: Vec<ListEntry> = plates[..n].iter().map(|&p| entry(p)).collect();
        let removed = &v1[..50];
        let added: Vec<ListEntry> = plates[n..].iter().map(|&p| entry(p)).collect();
        let v2: Vec<ListEntry> = v1[50..].iter().chain(&added).copied().collect();
        let full = |version: u32, entries: &[ListEntry]| {
            let body = frames(|put| {
                bundle::write_config(
                    version,
                    &Config::default(),
                    &hitgate_core::confusion::ConfusionClasses::default(),
                    &hitgate_core::place::Places::none(),
                    &Policy::brussels(),
                    &[("l", SPEC)],
                    entries,
                    &mut *put,
                )
                .unwrap();
                let mut buf = [0u8; 4];
                put(bundle::encode(&Record::End, &mut buf).unwrap()).unwrap();
            });
            seal(&Header::full(version, 0, &vk), &body, &key)
        };
        let (image1, image2) = (full(1, &v1), full(2, &v2));
        let delta = seal(
            &Header::delta(1, 2, 0, &vk),
            &frames(|put| bundle::write_delta(1, 2, removed, &added, put).unwrap()),
            &key,
        );
        let mut active = Storage::new(n + 50);
        let mut b = WatchlistBuilder::new(
            &mut active.entries,
            &mut active.index,
            ConfusionClasses::default(),
        );
        b.set_filter(&mut active.filter);
        b.set_fences(&mut active.fences);
        let s = signed::open(&image1, &vk).unwrap();
        let (wl, _) =
            signed::load_full(&s, 0, b, &mut Policy::<MAX_RULES>::new(), &mut ()).unwrap();
        let mut standby = Storage::new(n + 50);
        let mut g = c.benchmark_group(format!("activate/{n}"));
        g.sample_size(10);
        g.bench_function("full image of version 2", |bch| {
            bch.iter(|| {
                let s = signed::open(&image2, &vk).unwrap();
                let mut b = WatchlistBuilder::new(
                    &mut standby.entries,
                    &mut standby.index,
                    ConfusionClasses::default(),
                );
                b.set_filter(&mut standby.filter);
                b.set_fences(&mut standby.fences);
                signed::load_full(&s, 1, b, &mut Policy::<MAX_RULES>::new(), &mut ())
                    .unwrap()
                    .0
                    .len()
            })
        });
        g.bench_function("delta 1 to 2, 100 changes", |bch| {
            bch.iter(|| {
                let s = signed::open(&delta, &vk).unwrap();
                let mut b =
                    WatchlistBuilder::from_watchlist(&wl, &mut standby.entries, &mut standby.index)
                        .unwrap();
                b.set_filter(&mut standby.filter);
                b.set_fences(&mut standby.fences);
                signed::apply_delta(&s, b).unwrap().0.len()
            })
        });
        g.finish();
        println!(
            "activate/{n}: full image {} bytes, delta {} bytes",
            image2.len(),
            delta.len()
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
