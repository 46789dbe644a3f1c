//! Bundles from a file, fed in chunks: decoded or refused, never a panic.
#![no_main]

use hitgate_core::bundle::{MAX_RECORD, Reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&chunk, mut src)) = data.split_first() else {
        return;
    };
    let chunk = usize::from(chunk).max(1);
    let mut reader = Reader::<MAX_RECORD>::new();
    for _ in 0..1_000 {
        let r = reader.next(|b| {
            let k = src.len().min(b.len()).min(chunk);
            b[..k].copy_from_slice(&src[..k]);
            src = &src[k..];
            Ok::<_, ()>(k)
        });
        match r {
            Ok(Some(rec)) => {
                let _ = rec.as_read();
            }
            _ => break,
        }
    }
});
