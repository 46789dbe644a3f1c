//! Hit frames from an uplink: decoded or refused, never a panic.
#![no_main]

use hitgate_core::wire;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.to_vec();
    wire::for_each_frame(&mut bytes, |r| {
        if let Ok(rec) = r {
            let _ = rec.to_hit();
        }
    });
});
