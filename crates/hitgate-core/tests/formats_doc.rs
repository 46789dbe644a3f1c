//! The bytes `docs/formats.md` shows are the bytes the encoders write: a
//! hit frame and a whole bundle, checked so the spec cannot drift.

#![cfg(feature = "serde")]
#![allow(clippy::unwrap_used, clippy::panic)] // test code: a panic is a failed test

use hitgate_core::bundle::{self, ConfigRecord, MAX_RECORD, Record, RuleRecord};
use hitgate_core::distance::{Distance, Tolerance};
use hitgate_core::hit::{Hit, Reason};
use hitgate_core::list::{ListId, Priority};
use hitgate_core::plate::{Country, Plate};
use hitgate_core::policy::{Action, Policy, RuleId};
use hitgate_core::read::{CameraId, Position};
use hitgate_core::unit::Config;
use hitgate_core::watchlist::MatchKind;
use hitgate_core::wire;

/// The bytes of the fenced block whose info string is `hex NAME`.
fn doc_hex(name: &str) -> Vec<u8> {
    let doc = include_str!("../../../docs/formats.md");
    let start = doc
        .find(&format!("```hex {name}\n"))
        .unwrap_or_else(|| panic!("no hex {name} block"));
    let body = &doc[start..].split("```").nth(1).unwrap()[format!("hex {name}\n").len()..];
    body.split_whitespace()
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect()
}

#[test]
fn the_documented_hit_frame_is_the_encoder_s() {
    let hit = Hit {
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
        reason: Reason::Lookalike,
        late: false,
        version: 7,
        position: Some(Position {
            lat_e7: 508_466_000,
            lon_e7: 43_528_000,
        }),
    };
    let mut buf = [0u8; wire::MAX_FRAME];
    assert_eq!(
        wire::encode_hit(&hit, &mut buf).unwrap(),
        &doc_hex("hit-frame")[..]
    );
}

#[test]
fn the_documented_bundle_is_the_encoder_s() {
    let policy = Policy::brussels();
    let recs = [
        Record::Header {
            bundle_version: bundle::BUNDLE_VERSION,
            list_version: 7,
            rules: 1,
            lists: 1,
            entries: 1,
        },
        Record::Config(ConfigRecord::from(&Config::DEFAULT)),
        Record::Rule(RuleRecord::of(&policy.rules[0])),
        Record::List {
            tolerance: Tolerance {
                ocr: 1,
                edits: 0,
                min_len: 5,
            },
            local: false,
        },
        Record::Entry {
            plate: "1ABC234",
            country: "BE",
            priority: 1,
            list: 0,
            valid_from: 0,
            valid_until: 0,
        },
        Record::End,
    ];
    let mut buf = [0u8; MAX_RECORD];
    let mut bytes = Vec::new();
    for r in &recs {
        bytes.extend_from_slice(bundle::encode(r, &mut buf).unwrap());
    }
    assert_eq!(bytes, doc_hex("bundle"));
}
