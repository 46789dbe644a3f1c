//! Normalisation never panics and is idempotent; lookups of whatever it
//! accepts never panic; a country code, as cameras write it, is read
//! without a panic into one that `Country::parse` takes back.
#![no_main]

use hitgate_core::{
    confusion::ConfusionClasses,
    distance::Tolerance,
    list::{ListEntry, ListSpec, Priority},
    plate::{Country, Plate},
    watchlist::{Entry, MatchKind, Matches, WatchlistBuilder},
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Country::recognise(data) {
        assert_eq!(Country::parse(c.as_str().as_bytes()), Ok(c));
    }
    if let Ok(p) = Plate::normalize(data) {
        assert_eq!(Plate::normalize(p.as_bytes()), Ok(p));
        let mut entries = [Entry::EMPTY; 4];
        let mut index = [0u32; 4];
        let mut b = WatchlistBuilder::new(&mut entries, &mut index, ConfusionClasses::default());
        let tol = Tolerance {
            ocr: 2,
            edits: 2,
            min_len: 0,
        };
        let Ok(list) = b.add_list(ListSpec {
            tolerance: tol,
            local: false,
            evidence: None,
        }) else {
            return;
        };
        let _ = b.insert(ListEntry::new(p, None, Priority::P1, list));
        if let Ok(wl) = b.build() {
            let m: Matches<4> = wl.lookup(&p, None, 0);
            assert_eq!(m.best().map(|m| m.kind), Some(MatchKind::Exact));
        }
    }
});
