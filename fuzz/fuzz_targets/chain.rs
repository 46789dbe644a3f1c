//! The listener's chain check: hit messages in any order, with any `prev`,
//! any numbers and any bytes, decoded and checked as `hitgate listen` does
//! (`chain::link_of_message`, then `chain::check` in sequence order):
//! never a panic, and an untouched run of linked hits has no finding.
#![no_main]

use std::collections::BTreeMap;

use hitgate_core::chain::{self, GENESIS, Link};
use hitgate_core::uplink::{Message, for_each_message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut stream = data.to_vec();
    let mut hits: BTreeMap<u64, (Link, Link)> = BTreeMap::new();
    for_each_message(&mut stream, |m| {
        if let Ok(Message::Hit { seq, hit, prev, .. }) = m
            && let Ok(link) = chain::link_of_message(&prev, seq, &hit)
        {
            hits.entry(seq).or_insert((prev, link));
        }
    });
    let mut findings = 0u64;
    let linked = chain::check(hits.iter().map(|(&s, &(p, l))| (s, p, l)), |_| {
        findings += 1
    });
    // Every hit is linked to the one before, or found at fault.
    assert!(linked <= hits.len() as u64 && linked + findings >= hits.len() as u64);
    // Relinked from the start, the same hits make one clean chain.
    let mut prev = GENESIS;
    let clean: Vec<(u64, Link, Link)> = (0u64..)
        .zip(hits.values())
        .map(|(i, &(_, l))| {
            let link = chain::link(&prev, i, &l);
            let out = (i, prev, link);
            prev = link;
            out
        })
        .collect();
    let mut bad = 0;
    let n = chain::check(clean.iter().copied(), |_| bad += 1);
    assert_eq!((n, bad), (clean.len() as u64, 0));
});
