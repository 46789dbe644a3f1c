//! The messages between a unit and the central side: `hit` and `status`
//! from the unit, `ack` back to it. `docs/wire-format.md` describes each
//! byte by byte.
//!
//! # Format, version 3
//!
//! A message is one frame, framed as the [`wire`](crate::wire) hit record
//! is: `COBS(postcard(version, Message) ++ crc32c_le) ++ 0x00`. The first
//! payload byte is [`UPLINK_VERSION`]; then the variant index of
//! [`Message`] and its fields in declaration order. A receiver decodes
//! frame by frame ([`decode_message`], [`for_each_message`]) and
//! resynchronises at the next zero after garbage: a damaged frame costs that
//! frame only, and never a panic.
//!
//! **Sequence numbers.** A unit numbers its `hit` messages with a `seq`
//! that never repeats and never goes back, across restarts; the central
//! side removes duplicates by unit and `seq` (delivery is at least once)
//! and acknowledges ranges of them. The [`HitRecord`] inside carries the
//! unit's own decision counter (`seq` there), which restarts with the
//! unit.
//!
//! Stability: variants and fields are only appended; anything else bumps
//! [`UPLINK_VERSION`]. Version 3 has the layout of version 2; its `hit`
//! may carry a hit record of version 2 (with the rule's tag), which a
//! receiver built for version 2 would misread, so such a receiver refuses
//! the message and the unit keeps the hit until the central side is
//! updated. A receiver reads both.

use serde::{Deserialize, Serialize};

use crate::wire::{HitRecord, WireError, each_frame, frame, unframe};

/// Version of the uplink messages, as written; version 2 is read too.
pub const UPLINK_VERSION: u8 = 3;

/// The largest message frame, delimiter included.
pub const MAX_MESSAGE: usize = 320;

/// One message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message<'a> {
    /// A forwarded hit, from the unit.
    Hit {
        /// The unit's id.
        unit: &'a str,
        /// Its delivery sequence number.
        seq: u64,
        /// The hit, in its wire form.
        #[serde(borrow, with = "crate::wire::binary")]
        hit: HitRecord<'a>,
        /// The audit chain's link before this hit (version 2; see
        /// [`chain`](crate::chain)).
        prev: [u8; 32],
    },
    /// The unit's state, from the unit.
    #[serde(borrow)]
    Status(StatusRecord<'a>),
    /// From the central side: the hits of `unit` numbered `from..=to` are
    /// stored; the unit may let them go.
    Ack {
        /// The unit's id.
        unit: &'a str,
        /// First sequence number acknowledged.
        from: u64,
        /// Last one.
        to: u64,
    },
}

/// A unit's state, for the central side and the zone's indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusRecord<'a> {
    /// The unit's id.
    pub unit: &'a str,
    /// The unit's clock, ms since the Unix epoch.
    pub clock: u64,
    /// Times the unit has started.
    pub boot: u32,
    /// Version of the lists in force.
    pub list_version: u32,
    /// Next delivery sequence number.
    pub next_seq: u64,
    /// Hits waiting in the outbox.
    pub outbox: u32,
    /// Event time of the oldest of them.
    pub oldest: Option<u64>,
    /// Hits that gave way in a full outbox, since the start.
    pub evicted: u64,
    /// Hits deleted undelivered by the retention, since the start.
    pub expired: u64,
    /// Reads received.
    pub reads: u64,
    /// Reads refused by the checks.
    pub rejected: u64,
    /// Reads that matched a list.
    pub matched: u64,
    /// Hits dispatched.
    pub dispatched: u64,
    /// Hits sent to review.
    pub reviewed: u64,
    /// Passages the matrix dropped.
    pub dropped: u64,
    /// Repeats suppressed within the re-alert window.
    pub suppressed: u64,
    /// The sequence number of the newest hit of the audit chain (version
    /// 2; `None` before the first).
    pub chain_seq: Option<u64>,
    /// Its link ([`chain`](crate::chain)).
    pub chain: [u8; 32],
    /// Signed list images refused since the first start.
    pub refused: u32,
    /// The unit's Ed25519 signature of this message with this field
    /// empty (`signed::sign_status`, feature `trust`); empty from a unit
    /// without a key.
    #[serde(borrow)]
    pub signature: &'a [u8],
}

#[derive(Serialize, Deserialize)]
struct Envelope<'a> {
    version: u8,
    #[serde(borrow)]
    message: Message<'a>,
}

/// Encodes a message as one frame into `buf`; returns the frame,
/// delimiter included.
pub fn encode_message<'b>(
    message: &Message<'_>,
    buf: &'b mut [u8],
) -> Result<&'b mut [u8], WireError> {
    frame::<_, MAX_MESSAGE>(
        &Envelope {
            version: UPLINK_VERSION,
            message: *message,
        },
        buf,
    )
}

/// Decodes one message frame (with or without its trailing zero) in
/// place.
pub fn decode_message(frame: &mut [u8]) -> Result<Message<'_>, WireError> {
    let env: Envelope<'_> =
        postcard::from_bytes(unframe(frame)?).map_err(|_| WireError::Payload)?;
    if !(2..=UPLINK_VERSION).contains(&env.version) {
        return Err(WireError::Payload);
    }
    Ok(env.message)
}

/// Splits a byte stream at zero delimiters and decodes each message; `f`
/// gets each result in order. Bytes after the last delimiter are left.
pub fn for_each_message(stream: &mut [u8], mut f: impl FnMut(Result<Message<'_>, WireError>)) {
    each_frame(stream, |frame| f(decode_message(frame)));
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;

    /// Appends `v` as a LEB128 varint, as postcard writes unsigned
    /// integers.
    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8 & 0x7f) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    fn string(out: &mut Vec<u8>, s: &str) {
        varint(out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }

    /// A frame by hand: the CRC-32C of the payload, then COBS (each zero
    /// becomes the distance to the next), then the delimiter.
    fn by_hand(mut payload: Vec<u8>) -> Vec<u8> {
        let crc = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI).checksum(&payload);
        payload.extend_from_slice(&crc.to_le_bytes());
        let mut out = Vec::new();
        for chunk in payload.split(|&b| b == 0) {
            out.push(chunk.len() as u8 + 1);
            out.extend_from_slice(chunk);
        }
        out.push(0);
        out
    }

    fn status() -> StatusRecord<'static> {
        StatusRecord {
            unit: "rsu-7",
            clock: 1_767_225_600_250,
            boot: 3,
            list_version: 7,
            next_seq: 300,
            outbox: 2,
            oldest: Some(1_767_225_000_000),
            evicted: 1,
            expired: 0,
            reads: 10_000,
            rejected: 12,
            matched: 40,
            dispatched: 5,
            reviewed: 3,
            dropped: 9,
            suppressed: 20,
            chain_seq: Some(299),
            chain: [0x11; 32],
            refused: 1,
            signature: &[],
        }
    }

    #[test]
    fn golden_bytes_of_each_message() {
        let mut buf = [0u8; MAX_MESSAGE];
        // ack: version 3, variant 2, "rsu-7", 100, 164.
        let ack = Message::Ack {
            unit: "rsu-7",
            from: 100,
            to: 164,
        };
        let mut p = std::vec![3, 2];
        string(&mut p, "rsu-7");
        varint(&mut p, 100);
        varint(&mut p, 164);
        let frame = encode_message(&ack, &mut buf).unwrap().to_vec();
        assert_eq!(frame, by_hand(p));
        assert_eq!(
            frame,
            crate::bundle::tests::doc_hex_in("wire-format.md", "ack")
        );

        // status: version 3, variant 1, the fields in order.
        let s = status();
        let mut p = std::vec![3, 1];
        string(&mut p, s.unit);
        for v in [
            s.clock,
            u64::from(s.boot),
            u64::from(s.list_version),
            s.next_seq,
            u64::from(s.outbox),
        ] {
            varint(&mut p, v);
        }
        p.push(1); // Some
        varint(&mut p, 1_767_225_000_000);
        for v in [1, 0, 10_000, 12, 40, 5, 3, 9, 20] {
            varint(&mut p, v);
        }
        p.push(1); // Some
        varint(&mut p, 299);
        p.extend_from_slice(&[0x11; 32]);
        varint(&mut p, 1);
        p.push(0); // no signature: an empty byte string
        let frame = encode_message(&Message::Status(s), &mut buf)
            .unwrap()
            .to_vec();
        assert_eq!(frame, by_hand(p));
        assert_eq!(
            frame,
            crate::bundle::tests::doc_hex_in("wire-format.md", "status")
        );

        // hit: version 3, variant 0, "rsu-7", seq 299, then the hit
        // record's own bytes as the wire module's golden test builds them
        // (version 2, the tag of `p0-p1`), then `prev`.
        let h = crate::hit::Hit {
            rule_tag: Some(0x4031_2693),
            ..crate::wire::tests::hit()
        };
        let rec = HitRecord::of(&h);
        let mut p = std::vec![3, 0];
        string(&mut p, "rsu-7");
        varint(&mut p, 299);
        p.extend_from_slice(&crate::wire::tests::payload_by_hand(2, h.rule_tag));
        p.extend_from_slice(&[0x22; 32]);
        let msg = Message::Hit {
            unit: "rsu-7",
            seq: 299,
            hit: rec,
            prev: [0x22; 32],
        };
        let frame = encode_message(&msg, &mut buf).unwrap().to_vec();
        assert_eq!(frame, by_hand(p));
        assert_eq!(
            frame,
            crate::bundle::tests::doc_hex_in("wire-format.md", "hit")
        );
    }

    #[test]
    fn messages_round_trip_and_a_stream_resynchronises_after_garbage() {
        let h = crate::wire::tests::hit();
        let msgs = [
            Message::Hit {
                unit: "rsu-7",
                seq: 1,
                hit: HitRecord::of(&h),
                prev: [0; 32],
            },
            Message::Status(status()),
            Message::Ack {
                unit: "rsu-7",
                from: 0,
                to: u64::MAX,
            },
        ];
        let mut stream = Vec::new();
        let mut buf = [0u8; MAX_MESSAGE];
        for (i, m) in msgs.iter().enumerate() {
            let f = encode_message(m, &mut buf).unwrap();
            assert_eq!(decode_message(&mut f.to_vec()), Ok(*m));
            stream.extend_from_slice(f);
            // Garbage between frames, with and without a zero.
            let garbage: [&[u8]; 3] = [&[7, 7, 0], &[9, 9, 9, 0], &[1, 2, 3, 4, 5, 6, 0]];
            stream.extend_from_slice(garbage[i]);
        }
        let mut got = Vec::new();
        for_each_message(&mut stream, |r| got.push(r.map(|m| std::format!("{m:?}"))));
        let good: Vec<_> = got
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .cloned()
            .collect();
        let want: Vec<_> = msgs.iter().map(|m| std::format!("{m:?}")).collect();
        assert_eq!(good, want);
        assert_eq!(got.len(), 6);
        // A hit frame is not a message, and a flipped byte is caught.
        let mut f = encode_message(&msgs[2], &mut buf).unwrap().to_vec();
        f[3] ^= 0x10;
        assert!(decode_message(&mut f).is_err());
        let mut hit_frame = crate::wire::encode_hit(&h, &mut [0u8; 128])
            .unwrap()
            .to_vec();
        assert_eq!(decode_message(&mut hit_frame), Err(WireError::Payload));
    }

    /// A hit of either record version inside a message: the record comes
    /// back with its version and tag, and `prev` after it intact, each
    /// re-encoded byte for byte. A message of version 2 (a unit before
    /// tags) is read; one of version 4 is refused.
    #[test]
    fn a_hit_of_either_version_keeps_what_follows_it() {
        let v1 = crate::wire::tests::hit();
        let v2 = crate::hit::Hit {
            rule_tag: Some(0x4031_2693),
            ..v1.clone()
        };
        let mut buf = [0u8; MAX_MESSAGE];
        for (h, version) in [(&v1, 1), (&v2, 2)] {
            let m = Message::Hit {
                unit: "rsu-7",
                seq: 5,
                hit: HitRecord::of(h),
                prev: core::array::from_fn(|i| i as u8 + 1),
            };
            let frame = encode_message(&m, &mut buf).unwrap().to_vec();
            let mut read = frame.clone();
            let got = decode_message(&mut read).unwrap();
            assert_eq!(got, m);
            let Message::Hit { hit, prev, .. } = got else {
                panic!("{got:?}");
            };
            assert_eq!((hit.wire_version, hit.rule_tag), (version, h.rule_tag));
            assert_eq!(prev[31], 32);
            assert_eq!(hit.to_hit().unwrap(), *h);
            assert_eq!(
                encode_message(&got, &mut [0u8; MAX_MESSAGE]).unwrap(),
                &frame[..]
            );
        }
        let ack = Message::Ack {
            unit: "rsu-7",
            from: 1,
            to: 2,
        };
        for (version, ok) in [(2u8, true), (3, true), (4, false), (1, false)] {
            let mut b = [0u8; MAX_MESSAGE];
            let env = Envelope {
                version,
                message: ack,
            };
            let mut f = frame::<_, MAX_MESSAGE>(&env, &mut b).unwrap().to_vec();
            assert_eq!(decode_message(&mut f).is_ok(), ok, "version {version}");
        }
    }
}
