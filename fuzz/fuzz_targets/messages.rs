//! Uplink messages from a broker: decoded or refused, never a panic; a
//! decoded hit is checked all the way to a core hit.
#![no_main]

use hitgate_core::uplink::{Message, for_each_message};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut bytes = data.to_vec();
    for_each_message(&mut bytes, |r| {
        if let Ok(Message::Hit { hit, .. }) = r {
            let _ = hit.to_hit();
        }
    });
});
