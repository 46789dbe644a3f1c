//! Bundles from a file, fed in chunks: decoded or refused, never a panic;
//! through the record reader, and through the loader a firmware runs.
#![no_main]

use hitgate_core::bundle::{self, MAX_RECORD, Reader, Record, slice_source};
use hitgate_core::confusion::ConfusionClasses;
use hitgate_core::policy::Policy;
use hitgate_core::watchlist::{Entry, WatchlistBuilder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, bytes)) = data.split_first() else {
        return;
    };
    let mut src = slice_source(bytes, usize::from(chunk & 0x7f));
    let mut reader = Reader::<MAX_RECORD>::new();
    if chunk & 0x80 != 0 {
        // The loader, into small storage: every failure is an error value.
        let (mut entries, mut index) = ([Entry::EMPTY; 8], [0u32; 8]);
        let mut b = WatchlistBuilder::new(&mut entries, &mut index, ConfusionClasses::default());
        let mut policy = Policy::<4>::new();
        if bundle::load(&mut reader, &mut src, &mut b, &mut policy).is_err() {
            return;
        }
        let _ = b.build();
    }
    for _ in 0..1_000 {
        match reader.next(&mut src) {
            Ok(Some(rec)) => {
                let _ = rec.as_read();
                let _ = rec.as_entry();
                if let Record::Rule(r) = rec {
                    let _ = r.to_rule();
                }
            }
            _ => break,
        }
    }
});
