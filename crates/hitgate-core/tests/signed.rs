//! Signed list images: every refusal the trust model names leaves the lists
//! in force active and matching as before, and a delta makes the same lists
//! as the full image of its version.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use ed25519_dalek::SigningKey;
use hitgate_core::bundle::{self, BundleError, Record, encode};
use hitgate_core::confusion::ConfusionClasses;
use hitgate_core::distance::Tolerance;
use hitgate_core::list::{EntryId, ListEntry, ListId, ListSpec, Priority};
use hitgate_core::plate::{Country, Plate};
use hitgate_core::policy::{MAX_RULES, Policy};
use hitgate_core::signed::{self, HEADER_LEN, Header, SIGNATURE_LEN, Signed, TrustError};
use hitgate_core::unit::Config;
use hitgate_core::watchlist::{Entry, Matches, Watchlist, WatchlistBuilder};
use proptest::prelude::*;

const SPECS: [(&str, ListSpec); 2] = [
    (
        "stolen",
        ListSpec {
            tolerance: Tolerance {
                ocr: 1,
                edits: 1,
                min_len: 5,
            },
            local: false,
            evidence: None,
        },
    ),
    (
        "local",
        ListSpec {
            tolerance: Tolerance::EXACT,
            local: true,
            evidence: None,
        },
    ),
];

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn entry(plate: &str, list: u8) -> ListEntry {
    ListEntry::new(
        Plate::normalize(plate.as_bytes()).unwrap(),
        Some(Country::BE),
        Priority::P1,
        ListId(list),
    )
}

fn frames(write: impl FnOnce(&mut dyn FnMut(&[u8]) -> Result<(), BundleError>)) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut |f: &[u8]| {
        out.extend_from_slice(f);
        Ok(())
    });
    out
}

fn full_body(version: u32, entries: &[ListEntry]) -> Vec<u8> {
    let mut body = frames(|put| {
        bundle::write_config(
            version,
            &Config::default(),
            &hitgate_core::confusion::ConfusionClasses::default(),
            &hitgate_core::place::Places::none(),
            &Policy::brussels(),
            &SPECS,
            entries,
            put,
        )
        .unwrap()
    });
    let mut buf = [0u8; 8];
    body.extend_from_slice(encode(&Record::End, &mut buf).unwrap());
    body
}

fn delta_body(base: u32, version: u32, removes: &[ListEntry], adds: &[ListEntry]) -> Vec<u8> {
    frames(|put| bundle::write_delta(base, version, removes, adds, put).unwrap())
}

fn seal(head: &Header, body: &[u8], key: &SigningKey) -> Vec<u8> {
    let mut out = vec![0u8; HEADER_LEN + body.len() + SIGNATURE_LEN];
    let n = signed::seal(head, body, key, &mut out).unwrap();
    assert_eq!(n, out.len());
    out
}

fn full_image(version: u32, entries: &[ListEntry], key: &SigningKey) -> Vec<u8> {
    let head = Header::full(version, 1_700_000_000_000, &key.verifying_key());
    seal(&head, &full_body(version, entries), key)
}

fn delta_image(
    base: u32,
    version: u32,
    removes: &[ListEntry],
    adds: &[ListEntry],
    key: &SigningKey,
) -> Vec<u8> {
    let head = Header::delta(base, version, 1_700_000_000_000, &key.verifying_key());
    seal(&head, &delta_body(base, version, removes, adds), key)
}

/// Caller storage for one watchlist.
struct Storage {
    entries: Vec<Entry>,
    index: Vec<u32>,
}

impl Storage {
    fn new(n: usize) -> Self {
        Self {
            entries: vec![Entry::EMPTY; n],
            index: vec![0; n],
        }
    }

    fn builder(&mut self) -> WatchlistBuilder<'_> {
        WatchlistBuilder::new(
            &mut self.entries,
            &mut self.index,
            ConfusionClasses::default(),
        )
    }
}

/// The best match's plate, list and priority, per probe.
type Answers = Vec<Option<(String, u8, u8)>>;

/// What a watchlist says of each probe.
fn answers(wl: &Watchlist<'_>, probes: &[&str]) -> Answers {
    probes
        .iter()
        .map(|p| {
            let m: Matches<8> = wl.lookup(&Plate::normalize(p.as_bytes()).unwrap(), None, 0);
            m.best()
                .map(|b| (b.listed.as_str().to_string(), b.list.0, b.priority.get()))
        })
        .collect()
}

/// Every entry of a watchlist, sorted.
fn contents(wl: &Watchlist<'_>) -> Vec<String> {
    let mut v: Vec<String> = (0..wl.len() as u32)
        .map(|i| format!("{:?}", wl.entry(EntryId(i)).unwrap()))
        .collect();
    v.sort();
    v
}

const PROBES: [&str; 6] = [
    "1ABC234", "1A8C234", "2XYZ987", "LOCAL1", "9NEW999", "7ZZZ777",
];

fn base_entries() -> Vec<ListEntry> {
    vec![entry("1ABC234", 0), entry("2XYZ987", 0), entry("LOCAL1", 1)]
}

/// The lists in force at version 5, and their answers to the probes.
fn active<'s>(store: &'s mut Storage, key: &SigningKey) -> (Watchlist<'s>, Answers) {
    let image = full_image(5, &base_entries(), key);
    let s = signed::open(&image, &key.verifying_key()).unwrap();
    let mut policy = Policy::new();
    let (wl, config) = signed::load_full(&s, 0, store.builder(), &mut policy, &mut ()).unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(policy, Policy::brussels());
    assert_eq!(wl.version(), 5);
    let a = answers(&wl, &PROBES);
    assert_eq!(a[0], Some(("1ABC234".into(), 0, 1)));
    assert_eq!(
        a[1],
        Some(("1ABC234".into(), 0, 1)),
        "one look-alike on the tolerant list"
    );
    assert_eq!(a[3], Some(("LOCAL1".into(), 1, 1)));
    assert_eq!(a[4], None);
    (wl, a)
}

/// Tries an image on the lists in force (full or delta, as its header
/// says) in standby storage; the error, if any.
fn try_image(image: &[u8], key: &SigningKey, active: &Watchlist<'_>) -> Result<u32, TrustError> {
    let s: Signed<'_> = signed::open(image, &key.verifying_key())?;
    let mut standby = Storage::new(16);
    match s.header.kind {
        signed::Kind::Full => {
            let mut policy: Policy = Policy::new();
            let (wl, _) = signed::load_full(
                &s,
                active.version(),
                standby.builder(),
                &mut policy,
                &mut (),
            )?;
            Ok(wl.version())
        }
        _ => {
            let b =
                WatchlistBuilder::from_watchlist(active, &mut standby.entries, &mut standby.index)
                    .unwrap();
            Ok(signed::apply_delta(&s, b)?.0.version())
        }
    }
}

#[test]
fn every_refusal_leaves_the_lists_in_force_matching_as_before() {
    let k = key(1);
    let mut store = Storage::new(16);
    let (wl, before) = active(&mut store, &k);
    let good = full_image(6, &[entry("9NEW999", 0)], &k);
    let entry_at = {
        // The first byte of the entry record's plate in the body.
        let body = &good[HEADER_LEN..good.len() - SIGNATURE_LEN];
        HEADER_LEN + body.windows(7).position(|w| w == b"9NEW999").unwrap()
    };
    let flip = |at: usize| {
        let mut b = good.clone();
        b[at] ^= 0x01;
        b
    };
    let cases: Vec<(&str, Vec<u8>, TrustError)> = vec![
        (
            "signature byte",
            flip(good.len() - 1),
            TrustError::BadSignature,
        ),
        ("version in the header", flip(8), TrustError::BadSignature),
        ("created in the header", flip(20), TrustError::BadSignature),
        ("magic", flip(0), TrustError::NotSigned),
        ("format version", flip(4), TrustError::Format(0)),
        ("kind", flip(5), TrustError::BadSignature),
        ("reserved", flip(6), TrustError::Header),
        ("signer", flip(30), TrustError::ForeignKey),
        (
            "an entry's plate",
            flip(entry_at + 2),
            TrustError::BadSignature,
        ),
        (
            "truncated",
            good[..good.len() - 10].to_vec(),
            TrustError::Length {
                expected: good.len() as u64,
                got: good.len() as u64 - 10,
            },
        ),
        (
            "padded",
            [good.as_slice(), &[0]].concat(),
            TrustError::Length {
                expected: good.len() as u64,
                got: good.len() as u64 + 1,
            },
        ),
        (
            "header only",
            good[..HEADER_LEN - 1].to_vec(),
            TrustError::Length {
                expected: (HEADER_LEN + SIGNATURE_LEN) as u64,
                got: HEADER_LEN as u64 - 1,
            },
        ),
        (
            "an older version",
            full_image(4, &[entry("9NEW999", 0)], &k),
            TrustError::NotNewer {
                active: 5,
                offered: 4,
            },
        ),
        (
            "the version in force again",
            full_image(5, &[entry("9NEW999", 0)], &k),
            TrustError::NotNewer {
                active: 5,
                offered: 5,
            },
        ),
        (
            "another key",
            full_image(6, &[entry("9NEW999", 0)], &key(2)),
            TrustError::ForeignKey,
        ),
        (
            "another key under ours",
            {
                let mut b = full_image(6, &[entry("9NEW999", 0)], &key(2));
                b[24..56].copy_from_slice(&k.verifying_key().to_bytes());
                b
            },
            TrustError::BadSignature,
        ),
        (
            "a delta for another base",
            delta_image(4, 6, &[], &[entry("9NEW999", 0)], &k),
            TrustError::WrongBase { active: 5, base: 4 },
        ),
        (
            "a delta that goes back",
            delta_image(5, 5, &[], &[entry("9NEW999", 0)], &k),
            TrustError::NotNewer {
                active: 5,
                offered: 5,
            },
        ),
        (
            "a delta removing what is not listed",
            delta_image(5, 6, &[entry("7ZZZ777", 0)], &[], &k),
            TrustError::Body("a removed entry is not listed"),
        ),
        (
            "a delta adding what is listed",
            delta_image(5, 6, &[], &[entry("2XYZ987", 0)], &k),
            TrustError::Body("an added plate is listed already"),
        ),
    ];
    // The good image is taken, so each refusal is the change's doing.
    assert_eq!(try_image(&good, &k, &wl), Ok(6));
    for (what, image, want) in cases {
        let got = try_image(&image, &k, &wl);
        assert_eq!(got, Err(want), "{what}");
        assert_eq!(wl.version(), 5, "{what}");
        assert_eq!(
            answers(&wl, &PROBES),
            before,
            "{what}: the lists in force changed"
        );
    }
}

#[test]
fn a_delta_makes_the_lists_of_the_full_image_of_its_version() {
    let k = key(1);
    let mut store = Storage::new(16);
    let (wl, _) = active(&mut store, &k);
    let removes = [entry("2XYZ987", 0)];
    let adds = [entry("9NEW999", 0), entry("LOCAL2", 1)];
    let image = delta_image(5, 6, &removes, &adds, &k);
    let s = signed::open(&image, &k.verifying_key()).unwrap();
    let mut standby = Storage::new(16);
    let b =
        WatchlistBuilder::from_watchlist(&wl, &mut standby.entries, &mut standby.index).unwrap();
    let (next, applied) = signed::apply_delta(&s, b).unwrap();
    assert_eq!((applied.removed, applied.added), (1, 2));
    assert_eq!(next.version(), 6);

    let mut want = base_entries();
    want.retain(|e| e.plate.as_str() != "2XYZ987");
    want.extend(adds);
    let full = full_image(6, &want, &k);
    let s = signed::open(&full, &k.verifying_key()).unwrap();
    let mut other = Storage::new(16);
    let (from_full, _) = signed::load_full(
        &s,
        5,
        other.builder(),
        &mut Policy::<MAX_RULES>::new(),
        &mut (),
    )
    .unwrap();
    assert_eq!(contents(&next), contents(&from_full));
    let probes = [PROBES.as_slice(), &["LOCAL2", "2XYZ98"]].concat();
    assert_eq!(answers(&next, &probes), answers(&from_full, &probes));
    assert_eq!(answers(&next, &["2XYZ987"]), vec![None]);
    // A second delta on top of the first.
    let image = delta_image(6, 7, &[entry("LOCAL1", 1)], &[], &k);
    let s = signed::open(&image, &k.verifying_key()).unwrap();
    let mut third = Storage::new(16);
    let b = WatchlistBuilder::from_watchlist(&next, &mut third.entries, &mut third.index).unwrap();
    let (v7, _) = signed::apply_delta(&s, b).unwrap();
    assert_eq!((v7.version(), v7.len()), (7, 3));
    assert_eq!(answers(&v7, &["LOCAL1"]), vec![None]);
}

#[test]
fn a_delta_that_does_not_fit_the_standby_storage_is_refused() {
    let k = key(1);
    let mut store = Storage::new(16);
    let (wl, before) = active(&mut store, &k);
    let image = delta_image(5, 6, &[], &[entry("9NEW999", 0), entry("8NEW888", 0)], &k);
    let s = signed::open(&image, &k.verifying_key()).unwrap();
    let mut small = Storage::new(4);
    let b = WatchlistBuilder::from_watchlist(&wl, &mut small.entries, &mut small.index).unwrap();
    assert_eq!(
        signed::apply_delta(&s, b)
            .map(|(wl, _)| wl.len())
            .unwrap_err(),
        TrustError::Full("entries")
    );
    assert_eq!(answers(&wl, &PROBES), before);
}

fn plate_strategy() -> impl Strategy<Value = String> {
    // A small alphabet with look-alikes, so that entries share skeletons.
    "[1-3][ABO08]{2}[1-3]{2}"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Any base set, any removals of its entries, any additions: the delta
    /// gives the entries and the answers of the full build of the result.
    #[test]
    fn deltas_agree_with_full_builds(
        base in prop::collection::btree_set((plate_strategy(), 0u8..2), 0..40),
        remove_mask in prop::collection::vec(any::<bool>(), 40),
        extra in prop::collection::btree_set((plate_strategy(), 0u8..2), 0..20),
        probes in prop::collection::vec(plate_strategy(), 20),
    ) {
        let k = key(3);
        let base: Vec<ListEntry> = base.iter().map(|(p, l)| entry(p, *l)).collect();
        let removes: Vec<ListEntry> = base
            .iter()
            .zip(&remove_mask)
            .filter(|(_, r)| **r)
            .map(|(e, _)| *e)
            .collect();
        let adds: Vec<ListEntry> = extra
            .iter()
            .map(|(p, l)| entry(p, *l))
            .filter(|e| !base.contains(e))
            .collect();
        let mut s1 = Storage::new(64);
        let img = full_image(1, &base, &k);
        let s = signed::open(&img, &k.verifying_key()).unwrap();
        let (wl, _) = signed::load_full(&s, 0, s1.builder(), &mut Policy::<MAX_RULES>::new(), &mut ()).unwrap();

        let img = delta_image(1, 2, &removes, &adds, &k);
        let s = signed::open(&img, &k.verifying_key()).unwrap();
        let mut s2 = Storage::new(64);
        let b = WatchlistBuilder::from_watchlist(&wl, &mut s2.entries, &mut s2.index).unwrap();
        let (next, _) = signed::apply_delta(&s, b).unwrap();

        let mut want: Vec<ListEntry> = base.iter().filter(|e| !removes.contains(e)).copied().collect();
        want.extend(&adds);
        let img = full_image(2, &want, &k);
        let s = signed::open(&img, &k.verifying_key()).unwrap();
        let mut s3 = Storage::new(64);
        let (full, _) = signed::load_full(&s, 1, s3.builder(), &mut Policy::<MAX_RULES>::new(), &mut ()).unwrap();
        prop_assert_eq!(contents(&next), contents(&full));
        let probes: Vec<&str> = probes.iter().map(String::as_str).collect();
        prop_assert_eq!(answers(&next, &probes), answers(&full, &probes));
    }
}
