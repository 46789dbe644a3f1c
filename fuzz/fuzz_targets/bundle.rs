//! Bundles from a file, fed in chunks: decoded or refused, never a panic.
#![no_main]

use hitgate_core::bundle::{MAX_RECORD, Reader, slice_source};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, bytes)) = data.split_first() else {
        return;
    };
    let mut src = slice_source(bytes, usize::from(chunk));
    let mut reader = Reader::<MAX_RECORD>::new();
    for _ in 0..1_000 {
        let r = reader.next(&mut src);
        match r {
            Ok(Some(rec)) => {
                let _ = rec.as_read();
            }
            _ => break,
        }
    }
});
