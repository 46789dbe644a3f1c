//! Signed list images: any bytes are refused or opened, never a panic;
//! and any body, signed here so that it gets past the signature, is
//! decoded, built or refused by `load_full` and `apply_delta` as a unit
//! runs them, the lists in force untouched.
#![no_main]

use hitgate_core::confusion::ConfusionClasses;
use hitgate_core::distance::Tolerance;
use hitgate_core::list::{ListEntry, ListSpec, Priority};
use hitgate_core::plate::Plate;
use hitgate_core::policy::{MAX_RULES, Policy};
use hitgate_core::signed::{self, HEADER_LEN, Header, SIGNATURE_LEN, SigningKey};
use hitgate_core::watchlist::{Entry, WatchlistBuilder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = SigningKey::from_bytes(&[7; 32]);
    let vk = key.verifying_key();
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    // Raw bytes: the frame and signature checks.
    if mode & 3 == 0 {
        let _ = signed::peek(body);
        let _ = signed::open(body, &vk);
        return;
    }
    // The lists in force: version 5, two entries.
    let (mut e1, mut i1) = ([Entry::EMPTY; 4], [0u32; 4]);
    let mut b = WatchlistBuilder::new(&mut e1, &mut i1, ConfusionClasses::default());
    let Ok(list) = b.add_list(ListSpec {
        tolerance: Tolerance::DEFAULT,
        local: false,
        evidence: None,
    }) else {
        return;
    };
    for p in [&b"1ABC234"[..], b"2XYZ987"] {
        let Ok(plate) = Plate::normalize(p) else {
            return;
        };
        let _ = b.insert(ListEntry::new(plate, None, Priority::P1, list));
    }
    b.set_version(5);
    let Ok(active) = b.build() else { return };
    let before = active.len();
    // The body, signed: a full image or a delta, of a version the fuzzer
    // picks too.
    let version = u32::from(mode >> 2);
    let head = if mode & 3 == 1 {
        Header::full(version, 0, &vk)
    } else {
        Header::delta(5, version, 0, &vk)
    };
    let mut image = vec![0u8; HEADER_LEN + body.len() + SIGNATURE_LEN];
    let Ok(n) = signed::seal(&head, body, &key, &mut image) else {
        return;
    };
    let Ok(s) = signed::open(&image[..n], &vk) else {
        panic!("an image sealed here does not open");
    };
    let (mut e2, mut i2) = ([Entry::EMPTY; 8], [0u32; 8]);
    let _ = if mode & 3 == 1 {
        let b = WatchlistBuilder::new(&mut e2, &mut i2, ConfusionClasses::default());
        signed::load_full(
            &s,
            active.version(),
            b,
            &mut Policy::<MAX_RULES>::new(),
            &mut (),
        )
        .map(|(w, _)| w.len())
    } else {
        let Some(b) = WatchlistBuilder::from_watchlist(&active, &mut e2, &mut i2) else {
            return;
        };
        signed::apply_delta(&s, b).map(|(w, _)| w.len())
    };
    assert_eq!((active.len(), active.version()), (before, 5));
});
