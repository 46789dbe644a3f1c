extern crate std;
use std::vec::Vec;

use super::*;

pub(crate) fn hit() -> Hit {
    Hit {
        seq: 3,
        time: 1_767_225_600_250,
        camera: CameraId::new("cam-1").unwrap(),
        read: Plate::normalize(b"1A8C234").unwrap(),
        reads: 4,
        listed: Plate::normalize(b"1ABC234").unwrap(),
        country: Some(Country::BE),
        list: ListId(1),
        priority: Priority::P1,
        kind: MatchKind::Ocr,
        distance: Distance { ocr: 1, edits: 0 },
        action: Action::Review,
        rule: RuleId::Rule(0),
        rule_tag: None,
        reason: Reason::Lookalike,
        late: false,
        version: 7,
        position: Some(Position {
            lat_e7: 508_466_000,
            lon_e7: 43_528_000,
        }),
    }
}

/// LEB128, as postcard writes unsigned integers.
fn varint(payload: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        payload.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    payload.push(v as u8);
}

/// The frame of [`hit`], built field by field: version 1, or version 2
/// with `tag`.
fn by_hand(tag: Option<u32>) -> Vec<u8> {
    framed(payload_by_hand(if tag.is_some() { 2 } else { 1 }, tag))
}

/// The payload of [`hit`] under `version`, with `tag` at the end if given.
pub(crate) fn payload_by_hand(version: u8, tag: Option<u32>) -> Vec<u8> {
    // The payload, field by field (postcard: varints, length-prefixed str).
    let mut payload: Vec<u8> = Vec::new();
    payload.push(version);
    payload.push(3); // seq
    varint(&mut payload, 1_767_225_600_250); // time
    for s in ["cam-1", "1A8C234"] {
        payload.push(s.len() as u8);
        payload.extend_from_slice(s.as_bytes());
    }
    payload.push(4); // reads
    for s in ["1ABC234", "BE"] {
        payload.push(s.len() as u8);
        payload.extend_from_slice(s.as_bytes());
    }
    // list, priority, kind, ocr, edits, action, rule, reason, late, version
    payload.extend_from_slice(&[1, 1, 1, 1, 0, 1, 0, 3, 0, 7]);
    // Some((lat, lon)) as zigzag varints
    payload.push(1);
    for v in [508_466_000i32, 43_528_000] {
        let mut z = ((v << 1) ^ (v >> 31)) as u32;
        while z >= 0x80 {
            payload.push((z as u8 & 0x7f) | 0x80);
            z >>= 7;
        }
        payload.push(z as u8);
    }
    if let Some(tag) = tag {
        varint(&mut payload, u64::from(tag));
    }
    payload
}

/// `COBS(payload ++ CRC-32C) ++ 0`, by hand.
fn framed(mut payload: Vec<u8>) -> Vec<u8> {
    // CRC-32C of the payload; check value of the algorithm: "123456789" -> 0xE3069283.
    assert_eq!(CRC.checksum(b"123456789"), 0xE306_9283);
    let crc = CRC.checksum(&payload);
    payload.extend_from_slice(&crc.to_le_bytes());
    // COBS by hand: each zero becomes the distance to the next.
    let mut cobs: Vec<u8> = Vec::new();
    for chunk in payload.split(|&b| b == 0) {
        cobs.push(chunk.len() as u8 + 1);
        cobs.extend_from_slice(chunk);
    }
    cobs.push(0);
    cobs
}

#[test]
fn golden_bytes() {
    let mut buf = [0u8; MAX_FRAME];
    let frame = encode_hit(&hit(), &mut buf).unwrap().to_vec();
    assert_eq!(frame, by_hand(None));
    // docs/formats.md shows the same bytes.
    assert_eq!(frame, crate::bundle::tests::doc_hex("hit-frame"));
}

/// Version 2: the same hit decided by the rule `p0-p1`, whose tag is the
/// FNV-1a of its name (0x40312693, computed apart from the crate), one
/// varint more at the end.
#[test]
fn golden_bytes_with_a_rule_tag() {
    let tag = crate::policy::Policy::brussels().tag(RuleId::Rule(0));
    assert_eq!(tag, Some(0x4031_2693));
    let h = Hit {
        rule_tag: tag,
        ..hit()
    };
    let mut buf = [0u8; MAX_FRAME];
    let frame = encode_hit(&h, &mut buf).unwrap().to_vec();
    assert_eq!(frame, by_hand(tag));
    assert_eq!(frame, crate::bundle::tests::doc_hex("hit-frame-v2"));
    let mut copy = frame.clone();
    let rec = decode(&mut copy).unwrap();
    assert_eq!((rec.wire_version, rec.rule_tag), (2, tag));
    assert_eq!(rec.to_hit().unwrap(), h);
}

/// A record of version 1 (a hit stored before tags) reads back as such
/// and is written again byte for byte (its chain link depends on it); a
/// version this build does not know is refused.
#[test]
fn a_version_1_record_is_read_and_written_as_it_was() {
    let v1 = by_hand(None);
    let mut read = v1.clone();
    let rec = decode(&mut read).unwrap();
    assert_eq!((rec.wire_version, rec.rule_tag), (1, None));
    let mut buf = [0u8; MAX_FRAME];
    assert_eq!(encode(&rec, &mut buf).unwrap().to_vec(), by_hand(None));
    assert_eq!(rec.to_hit().unwrap(), hit());
    // Version 3: refused, never read as a record of another layout.
    let three = HitRecord {
        wire_version: 3,
        rule_tag: Some(7),
        ..rec
    };
    let mut f = encode(&three, &mut buf).unwrap().to_vec();
    assert_eq!(decode(&mut f), Err(WireError::Payload));
    // A version-2 payload that ends before its tag (its CRC right):
    // refused.
    let mut short = framed(payload_by_hand(2, None));
    assert_eq!(decode(&mut short), Err(WireError::Payload));
}

/// Each reason travels as its code of `docs/wire-format.md` and comes
/// back as itself; the next code is refused.
#[test]
fn every_reason_round_trips_as_its_documented_code() {
    let mut buf = [0u8; MAX_FRAME];
    for (reason, code) in [
        (Reason::Rule, 0u8),
        (Reason::Late, 1),
        (Reason::Capacity, 2),
        (Reason::Lookalike, 3),
        (Reason::Stronger, 4),
    ] {
        let h = Hit { reason, ..hit() };
        let mut frame = encode_hit(&h, &mut buf).unwrap().to_vec();
        let record = decode(&mut frame).unwrap();
        assert_eq!(record.reason, code, "{reason:?}");
        assert_eq!(record.to_hit().unwrap(), h);
        let next = HitRecord {
            reason: 5,
            ..record
        };
        assert!(next.to_hit().is_err());
    }
}

#[test]
fn round_trip_and_damage() {
    let mut buf = [0u8; MAX_FRAME];
    let h = hit();
    let mut frame = encode_hit(&h, &mut buf).unwrap().to_vec();
    assert_eq!(*frame.last().unwrap(), 0);
    assert!(!frame[..frame.len() - 1].contains(&0));
    let mut copy = frame.clone();
    assert_eq!(decode(&mut copy).unwrap().to_hit().unwrap(), h);
    // Flip a bit anywhere: the frame is refused, never mis-read.
    for i in 0..frame.len() - 1 {
        let mut bad = frame.clone();
        bad[i] ^= 0x10;
        if bad[i] == 0 {
            continue;
        }
        assert!(decode(&mut bad).is_err(), "byte {i}");
    }
    // A truncated frame.
    frame.truncate(10);
    assert!(decode(&mut frame).is_err());
}

#[test]
fn stream_resynchronises() {
    let mut buf = [0u8; MAX_FRAME];
    let mut stream: Vec<u8> = Vec::new();
    let mut h = hit();
    for seq in 0..3 {
        h.seq = seq;
        stream.extend_from_slice(encode_hit(&h, &mut buf).unwrap());
    }
    stream[5] ^= 0x40; // damage the first frame
    let mut got = Vec::new();
    for_each_frame(&mut stream, |r| got.push(r.map(|r| r.seq)));
    assert_eq!(got.len(), 3);
    assert!(got[0].is_err());
    assert_eq!(&got[1..], &[Ok(1), Ok(2)]);
}

#[test]
fn small_buffer_is_an_error() {
    let mut buf = [0u8; 8];
    assert_eq!(encode_hit(&hit(), &mut buf), Err(WireError::BufferFull));
}
