//! The byte decoders never panic, whatever arrives: hit frames and uplink
//! messages from a broker, bundles from a file.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use hitgate_core::bundle::{MAX_RECORD, Reader, Record, encode, slice_source};
use hitgate_core::uplink::{self, MAX_MESSAGE, Message};
use hitgate_core::wire;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn messages_never_panic_and_damage_costs_only_its_frame(
        mut noise in prop::collection::vec(any::<u8>(), 0..300),
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 0..4),
    ) {
        uplink::for_each_message(&mut noise, |r| {
            if let Ok(Message::Hit { hit, .. }) = r {
                let _ = hit.to_hit();
            }
        });
        // Three valid acks; random bytes flipped in the middle one only.
        let mut stream = Vec::new();
        let mut buf = [0u8; MAX_MESSAGE];
        let mut bounds = Vec::new();
        for i in 0..3u64 {
            let f = uplink::encode_message(&Message::Ack { unit: "u", from: i, to: i }, &mut buf).unwrap();
            bounds.push(stream.len()..stream.len() + f.len());
            stream.extend_from_slice(f);
        }
        let middle = bounds[1].clone();
        for (at, x) in flips {
            let i = middle.start + at % (middle.len() - 1);
            stream[i] ^= x;
        }
        let mut acks = Vec::new();
        uplink::for_each_message(&mut stream, |r| {
            if let Ok(Message::Ack { from, .. }) = r {
                acks.push(from);
            }
        });
        // The first and last always survive; the middle only if unharmed
        // (or harmed into a valid frame of its own, which the CRC makes
        // all but impossible).
        prop_assert_eq!(acks.first(), Some(&0));
        prop_assert_eq!(acks.last(), Some(&2));
    }

    #[test]
    fn frames_never_panic(mut bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        // Random bytes almost never carry a valid CRC; when they do, turning
        // the record into a hit must still be checked, not assumed.
        wire::for_each_frame(&mut bytes, |r| {
            if let Ok(rec) = r {
                let _ = rec.to_hit();
            }
        });
        let _ = wire::decode(&mut bytes.clone());
    }

    #[test]
    fn bundles_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), chunk in 1usize..64) {
        let mut src = slice_source(&bytes, chunk);
        let mut reader = Reader::<MAX_RECORD>::new();
        for _ in 0..100 {
            let r = reader.next(&mut src);
            match r {
                Ok(Some(rec)) => {
                    let _ = rec.as_read();
                }
                Ok(None) | Err(_) => break,
            }
        }
    }

    #[test]
    fn damaged_bundles_are_refused_or_decoded_never_panic(flip in 0usize..200, bit in 0u8..8) {
        let mut buf = [0u8; MAX_RECORD];
        let mut bytes = Vec::new();
        for rec in [
            Record::Entry { plate: "1ABC234", country: "BE", priority: 1, list: 0, valid_from: 0, valid_until: 0 },
            Record::Read { time: 1, arrival: 2, camera: "cam-1", plate: b"1-ABC-234", country: b"", confidence: 80, position: None },
            Record::End,
        ] {
            bytes.extend_from_slice(encode(&rec, &mut buf).unwrap());
        }
        let i = flip % bytes.len();
        bytes[i] ^= 1 << bit;
        let mut src = &bytes[..];
        let mut reader = Reader::<MAX_RECORD>::new();
        for _ in 0..10 {
            let r = reader.next(|b| {
                let k = src.len().min(b.len());
                b[..k].copy_from_slice(&src[..k]);
                src = &src[k..];
                Ok::<_, ()>(k)
            });
            if !matches!(r, Ok(Some(_))) {
                break;
            }
        }
    }
}
