//! The bundle's tests: golden bytes against `docs/formats.md`, round
//! trips, and damaged frames.

extern crate std;
use std::vec::Vec;

/// The bytes of the fenced block of `docs/formats.md` whose info
/// string is `hex NAME`, so the spec's bytes are checked against the
/// encoders and cannot drift.
pub(crate) fn doc_hex(name: &str) -> Vec<u8> {
    doc_hex_in("formats.md", name)
}

/// The same, in another file of `docs/`.
pub(crate) fn doc_hex_in(file: &str, name: &str) -> Vec<u8> {
    let doc = match file {
        "formats.md" => include_str!("../../../../docs/formats.md"),
        _ => include_str!("../../../../docs/wire-format.md"),
    };
    let tag = std::format!("```hex {name}\n");
    let start = doc.find(&tag).map_or(doc.len(), |i| i + tag.len());
    let end = doc[start..].find("```").map_or(start, |i| start + i);
    doc[start..end]
        .split_whitespace()
        .map(|h| u8::from_str_radix(h, 16).unwrap_or(0xEE))
        .collect()
}

use super::*;
use crate::policy::{MAX_RULES, Policy};

use super::slice_source as source;

#[test]
fn records_round_trip_through_small_chunks() {
    let brussels = Policy::brussels();
    let mut bytes: Vec<u8> = Vec::new();
    let mut buf = [0u8; MAX_RECORD];
    let recs = [
        Record::Header {
            bundle_version: BUNDLE_VERSION,
            list_version: 3,
            rules: 4,
            lists: 1,
            entries: 1,
            places: 0,
        },
        Record::Config(ConfigRecord::from(&Config::default())),
        Record::Rule(RuleRecord::of(&brussels.rules[1])),
        Record::List {
            tolerance: Tolerance::DEFAULT,
            local: true,
            name: "local",
            evidence: None,
        },
        Record::Entry {
            plate: "1ABC234",
            country: "BE",
            priority: 1,
            list: 0,
            valid_from: 0,
            valid_until: 1_000,
        },
        Record::Read {
            time: 5,
            arrival: 6,
            camera: "cam-1",
            plate: b"1-ab\xffc",
            country: b"",
            confidence: 255,
            position: Some((1, -2)),
        },
        Record::End,
    ];
    for r in &recs {
        bytes.extend_from_slice(encode(r, &mut buf).unwrap());
    }
    // Feed 7 bytes at a time.
    let mut src = source(&bytes, 7);
    let mut reader = Reader::<MAX_RECORD>::new();
    let mut got = Vec::new();
    while let Some(rec) = reader.next(&mut src).unwrap() {
        got.push(format!("{rec:?}"));
    }
    let want: Vec<_> = recs.iter().map(|r| format!("{r:?}")).collect();
    assert_eq!(got, want);
}

/// A whole bundle (no reads), byte for byte. Each frame was worked out
/// by hand from the postcard rules (variant index and integers as
/// varints, strings and sequences length-first, fixed arrays and
/// tuples without a length, `Option` as 0 or 1 then the value) and
/// COBS (a code byte per run: its length + 1, a zero ending it); the
/// same bytes are in docs/formats.md.
const GOLDEN: [&[u8]; 7] = [
    // Header { version 10, lists version 7, 1 rule, 1 list, 1 entry, no
    // place }: 00 0A 07 01 01 01 00.
    &[0x01, 0x06, 0x0A, 0x07, 0x01, 0x01, 0x01, 0x01, 0x00],
    // Config (variant 6), the defaults: consensus 01, 2,000 ms D0 0F,
    // five times 2,400,000 ms 80 BE 92 01, 300,000 E0 A7 12, 60,000
    // E0 D4 03, budgets None, (20, 60), (10, 20), None, None, support 2,
    // grace 3,000 ms B8 17, evidence 2 look-alikes, 2 edits, from 5
    // characters 02 02 05, unrelated support 1 (version 7), 2 changes in
    // all for evidence (version 10): the last run, after the second None,
    // is 8 bytes (code 09).
    &[
        0x1F, 0x06, 0x01, 0xD0, 0x0F, 0x80, 0xBE, 0x92, 0x01, 0x80, 0xBE, 0x92, 0x01, 0x80, 0xBE,
        0x92, 0x01, 0x80, 0xBE, 0x92, 0x01, 0x80, 0xBE, 0x92, 0x01, 0xE0, 0xA7, 0x12, 0xE0, 0xD4,
        0x03, 0x07, 0x01, 0x14, 0x3C, 0x01, 0x0A, 0x14, 0x01, 0x09, 0x02, 0xB8, 0x17, 0x02, 0x02,
        0x05, 0x01, 0x02, 0x00,
    ],
    // Classes (10), the defaults by representative's code (0-9 then
    // A-Z): 21 bytes "0ODQ 1ILT 2Z 5S 6G 8B".
    &[
        0x18, 0x0A, 0x15, b'0', b'O', b'D', b'Q', b' ', b'1', b'I', b'L', b'T', b' ', b'2', b'Z',
        b' ', b'5', b'S', b' ', b'6', b'G', b' ', b'8', b'B', 0x00,
    ],
    // Rule (1) "p0-p1": priorities 0b11, no lists, also_local None, no
    // kinds, no cameras, dispatch (2), no zone, no schedule, no
    // operation, no max_reads (version 8), no read_fits (version 9)
    // (00 00 00 00 00): after the 02, five empty runs and the last.
    &[
        0x09, 0x01, 0x05, b'p', b'0', b'-', b'p', b'1', 0x03, 0x01, 0x01, 0x01, 0x02, 0x02, 0x01,
        0x01, 0x01, 0x01, 0x01, 0x00,
    ],
    // List (2): 1 look-alike, no edit, from 5 characters; not local;
    // named "stolen"; evidence Some(2 look-alikes, 1 edit, from 5):
    // 02 01 00 05 00 06 73 74 6F 6C 65 6E 01 02 01 05. The last run,
    // from the name's length to the end, is 11 bytes: code 0C.
    &[
        0x03, 0x02, 0x01, 0x02, 0x05, 0x0C, 0x06, b's', b't', b'o', b'l', b'e', b'n', 0x01, 0x02,
        0x01, 0x05, 0x00,
    ],
    // Entry (3): 1ABC234, BE, priority 1, list 0, no validity bounds.
    &[
        0x0E, 0x03, 0x07, b'1', b'A', b'B', b'C', b'2', b'3', b'4', 0x02, b'B', b'E', 0x01, 0x01,
        0x01, 0x01, 0x00,
    ],
    // End (5).
    &[0x02, 0x05, 0x00],
];

/// The golden bundle's records, the rule left as `End` (it borrows).
fn golden_records() -> [Record<'static>; 7] {
    [
        Record::Header {
            bundle_version: 10,
            list_version: 7,
            rules: 1,
            lists: 1,
            entries: 1,
            places: 0,
        },
        Record::Config(ConfigRecord::from(&Config::DEFAULT)),
        Record::Classes("0ODQ 1ILT 2Z 5S 6G 8B"),
        Record::End,
        Record::List {
            tolerance: Tolerance {
                ocr: 1,
                edits: 0,
                min_len: 5,
            },
            local: false,
            name: "stolen",
            evidence: Some(Tolerance {
                ocr: 2,
                edits: 1,
                min_len: 5,
            }),
        },
        entry("1ABC234", "BE", 1),
        Record::End,
    ]
}

/// A builder over the caller's storage, default look-alike classes.
fn builder<'a>(
    entries: &'a mut [crate::watchlist::Entry],
    index: &'a mut [u32],
) -> WatchlistBuilder<'a> {
    WatchlistBuilder::new(
        entries,
        index,
        crate::confusion::ConfusionClasses::default(),
    )
}

/// An entry record on list 0 without validity bounds.
fn entry(plate: &'static str, country: &'static str, priority: u8) -> Record<'static> {
    Record::Entry {
        plate,
        country,
        priority,
        list: 0,
        valid_from: 0,
        valid_until: 0,
    }
}

#[test]
fn a_bundle_is_these_bytes_and_loads_back() {
    let brussels = Policy::brussels();
    let mut recs = golden_records();
    recs[3] = Record::Rule(RuleRecord::of(&brussels.rules[0]));
    let mut buf = [0u8; MAX_RECORD];
    let mut bytes = Vec::new();
    for (rec, want) in recs.iter().zip(GOLDEN) {
        let got = encode(rec, &mut buf).unwrap();
        assert_eq!(got, want, "{rec:?}");
        bytes.extend_from_slice(got);
    }
    // docs/formats.md shows the same bytes.
    assert_eq!(bytes, doc_hex("bundle"));
    // And the loader reads them back into a builder and a policy.
    let (mut entries, mut index) = ([crate::watchlist::Entry::EMPTY; 2], [0u32; 2]);
    let mut b = builder(&mut entries, &mut index);
    let mut policy: Policy = Policy::new();
    let mut reader = Reader::<MAX_RECORD>::new();
    let mut src = source(&bytes, 5);
    let loaded = load(&mut reader, &mut src, &mut b, &mut policy).unwrap();
    assert_eq!(loaded.config, Config::DEFAULT);
    assert_eq!((loaded.list_version, loaded.entries), (7, 1));
    assert_eq!(policy.rules.as_slice(), &brussels.rules[..1]);
    let wl = b.build().map_err(|(_, d)| d).unwrap();
    assert_eq!(wl.version(), 7);
    let evidence = wl.lists().first().and_then(|l| l.evidence);
    assert_eq!(
        evidence.map(|e| (e.ocr, e.edits, e.min_len)),
        Some((2, 1, 5))
    );
    let read = Plate::normalize(b"1A8C234").unwrap();
    let m: crate::watchlist::Matches = wl.lookup(&read, None, 0);
    assert_eq!(m.best().map(|m| m.listed.as_str()), Some("1ABC234"));
    assert!(matches!(reader.next(&mut src), Ok(Some(Record::End))));
    assert!(matches!(reader.next(&mut src), Ok(None)));
}

/// A read's bytes do not outlive the next call: the buffer holds no
/// plate of a record already returned.
#[test]
fn the_reader_zeroes_what_it_returned() {
    let mut bytes = Vec::new();
    let mut buf = [0u8; MAX_RECORD];
    for plate in ["1AAA111", "2BBB222", "3CCC333"] {
        let r = Read {
            time: 1,
            camera: "cam-1",
            plate: plate.as_bytes(),
            country: None,
            confidence: None,
            position: None,
        };
        bytes.extend_from_slice(encode(&Record::read(&r, 1), &mut buf).unwrap());
    }
    bytes.extend_from_slice(encode(&Record::End, &mut buf).unwrap());
    for chunk in [7, 64, 4096] {
        let mut reader = Reader::<128>::new();
        let mut src = source(&bytes, chunk);
        let mut seen = Vec::new();
        loop {
            let plate = match reader.next(&mut src).unwrap() {
                None => break,
                Some(rec) => rec.as_read().map(|(read, _)| read.plate.to_vec()),
            };
            seen.extend(plate);
            let held = reader.buf;
            // Every plate returned before this record is gone.
            for old in seen.iter().rev().skip(1) {
                assert!(
                    !held.windows(old.len()).any(|w| w == old.as_slice()),
                    "chunk {chunk}: {:?} still in the buffer",
                    core::str::from_utf8(old)
                );
            }
        }
        assert_eq!(seen.len(), 3);
        assert!(reader.buf.iter().all(|&b| b == 0), "chunk {chunk}");
    }
}

#[test]
fn every_rule_and_config_survives_its_record() {
    for r in Policy::brussels().rules.iter() {
        assert_eq!(RuleRecord::of(r).to_rule().as_ref(), Some(r));
    }
    let mut r = Rule::new("cams", Action::Review);
    r.cameras
        .push(CameraPattern("mobile-*".try_into().unwrap()))
        .unwrap();
    r.kinds.insert(crate::watchlist::MatchKind::Edit);
    r.lists.insert(ListId(15));
    r.also_local = Some(false);
    assert_eq!(RuleRecord::of(&r).to_rule().as_ref(), Some(&r));
    let mut c = Config::DEFAULT;
    c.mode = Mode::FirstRead;
    c.budgets.0[0] = Some(Budget {
        burst: 1,
        per_hour: 2,
    });
    assert_eq!(Config::from(&ConfigRecord::from(&c)), c);
    // Out of range: an unknown action; a priority bit past 4.
    let brussels = Policy::brussels();
    let good = RuleRecord::of(&brussels.rules[0]);
    let bad = RuleRecord {
        action: 3,
        ..good.clone()
    };
    assert_eq!(bad.to_rule(), None);
    let bad = RuleRecord {
        priorities: 1 << 5,
        ..good
    };
    assert_eq!(bad.to_rule(), None);
}

#[test]
fn the_loader_names_what_is_wrong() {
    let frames = |recs: &[Record<'_>]| {
        let mut buf = [0u8; MAX_RECORD];
        let mut v = Vec::new();
        for r in recs {
            v.extend_from_slice(encode(r, &mut buf).unwrap());
        }
        v
    };
    let header = |v: u8, entries: u32| Record::Header {
        bundle_version: v,
        list_version: 1,
        rules: 0,
        lists: 1,
        entries,
        places: 0,
    };
    let config = Record::Config(ConfigRecord::from(&Config::DEFAULT));
    let classes = Record::Classes("0O UV");
    let spec = ListSpec {
        tolerance: Tolerance::DEFAULT,
        local: false,
        evidence: None,
    };
    let list = Record::list(&spec, "l");
    let entry = |plate: &'static str, priority: u8| entry(plate, "", priority);
    let run = |bytes: &[u8]| {
        let (mut entries, mut index) = ([crate::watchlist::Entry::EMPTY; 1], [0u32; 1]);
        let mut b = builder(&mut entries, &mut index);
        let mut reader = Reader::<MAX_RECORD>::new();
        load(
            &mut reader,
            source(bytes, 64),
            &mut b,
            &mut Policy::<MAX_RULES>::new(),
        )
        .map(|l| l.entries)
    };
    assert_eq!(run(&frames(&[header(1, 0)])), Err(LoadError::Version(1)));
    // Version 5's list records end before the evidence tolerance.
    assert_eq!(run(&frames(&[header(5, 0)])), Err(LoadError::Version(5)));
    let wide = ListSpec {
        evidence: Some(Tolerance {
            ocr: 3,
            edits: 0,
            min_len: 5,
        }),
        ..spec
    };
    assert_eq!(
        run(&frames(&[
            header(BUNDLE_VERSION, 0),
            config.clone(),
            classes.clone(),
            Record::list(&wide, "l"),
        ])),
        Err(LoadError::Expected("a tolerance of at most 2"))
    );
    assert_eq!(
        run(&frames(&[Record::End])),
        Err(LoadError::Expected("the header"))
    );
    assert_eq!(
        run(&frames(&[header(BUNDLE_VERSION, 0), list.clone()])),
        Err(LoadError::Expected("the settings"))
    );
    assert_eq!(
        run(&frames(&[
            header(BUNDLE_VERSION, 0),
            config.clone(),
            list.clone()
        ])),
        Err(LoadError::Expected("the look-alike classes"))
    );
    assert_eq!(
        run(&frames(&[
            header(BUNDLE_VERSION, 0),
            config.clone(),
            Record::Classes("0O O8")
        ])),
        Err(LoadError::Classes(ClassError::Overlap {
            class: 1,
            byte: b'O'
        }))
    );
    // A whole bundle up to its list, then these entries.
    let with_entries = |es: &[Record<'static>]| {
        let mut recs = vec![
            header(BUNDLE_VERSION, es.len() as u32),
            config.clone(),
            classes.clone(),
            list.clone(),
        ];
        recs.extend_from_slice(es);
        frames(&recs)
    };
    assert_eq!(
        run(&with_entries(&[entry("1ABC234", 9)])),
        Err(LoadError::Entry("priority"))
    );
    assert_eq!(
        run(&with_entries(&[entry("1ABC234", 1), entry("2ABC234", 1)])),
        Err(LoadError::Full("entries"))
    );
    assert_eq!(run(&with_entries(&[entry("1ABC234", 1)])), Ok(1));
    // Truncated in the middle of the entries.
    let whole = with_entries(&[entry("1ABC234", 1)]);
    assert!(matches!(
        run(&whole[..whole.len() - 3]),
        Err(LoadError::Read(ReadFailure::Bundle(BundleError::Corrupt)))
    ));
}

#[test]
fn truncated_and_damaged_bundles_are_errors() {
    let mut buf = [0u8; MAX_RECORD];
    let frame = encode(&Record::End, &mut buf).unwrap().to_vec();
    // Truncated: no delimiter.
    let mut reader = Reader::<64>::new();
    let r = reader.next(source(&frame[..frame.len() - 1], 64));
    assert!(matches!(r, Err(ReadFailure::Bundle(BundleError::Corrupt))));
    // Garbage.
    let mut reader = Reader::<64>::new();
    assert!(reader.next(source(&[7u8, 200, 3, 0], 64)).is_err());
}

/// The classes a bundle names are the ones its lists match with.
#[test]
fn a_bundle_carries_its_look_alike_classes() {
    let classes = crate::confusion::ConfusionClasses::new(&["4A", "UV"]).unwrap();
    let spec = ListSpec {
        tolerance: Tolerance {
            ocr: 1,
            edits: 0,
            min_len: 5,
        },
        local: false,
        evidence: None,
    };
    let e = crate::list::ListEntry::new(
        Plate::normalize(b"1ABC234").unwrap(),
        None,
        crate::list::Priority::P1,
        crate::list::ListId(0),
    );
    let mut bytes = Vec::new();
    write_config(
        1,
        &Config::DEFAULT,
        &classes,
        &crate::place::Places::none(),
        &Policy::brussels(),
        &[("l", spec)],
        &[e],
        |f| {
            bytes.extend_from_slice(f);
            Ok::<_, BundleError>(())
        },
    )
    .unwrap();
    let (mut entries, mut index) = ([crate::watchlist::Entry::EMPTY; 1], [0u32; 1]);
    let mut b = builder(&mut entries, &mut index);
    let mut reader = Reader::<MAX_RECORD>::new();
    load(
        &mut reader,
        source(&bytes, 9),
        &mut b,
        &mut Policy::<MAX_RULES>::new(),
    )
    .unwrap();
    let wl = b.build().map_err(|(_, d)| d).unwrap();
    let hit = |read: &[u8]| {
        wl.lookup::<4>(&Plate::normalize(read).unwrap(), None, 0)
            .best()
            .is_some()
    };
    // A/4 alike now; B/8 not any more.
    assert!(hit(b"14BC234"));
    assert!(!hit(b"1A8C234"));
}

/// A unit's policy holds the rules its board has room for: a bundle with
/// more is refused by name, one that fits loads the same rules as into the
/// default capacity.
#[test]
fn a_policy_of_a_smaller_capacity_takes_what_fits_and_refuses_more() {
    let brussels = Policy::brussels();
    let mut bytes = Vec::new();
    write_config(
        1,
        &Config::DEFAULT,
        &crate::confusion::ConfusionClasses::default(),
        &crate::place::Places::none(),
        &brussels,
        &[],
        &[],
        |f| {
            bytes.extend_from_slice(f);
            Ok::<_, BundleError>(())
        },
    )
    .unwrap();
    fn into<const R: usize>(
        bytes: &[u8],
        policy: &mut Policy<R>,
    ) -> Result<u32, LoadError<core::convert::Infallible>> {
        let (mut entries, mut index) = ([crate::watchlist::Entry::EMPTY; 1], [0u32; 1]);
        let mut b = builder(&mut entries, &mut index);
        let mut reader = Reader::<MAX_RECORD>::new();
        load(&mut reader, source(bytes, 9), &mut b, policy).map(|l| l.list_version)
    }
    assert_eq!(
        into(&bytes, &mut Policy::<3>::new()),
        Err(LoadError::Full("rules"))
    );
    let mut four = Policy::<4>::new();
    assert_eq!(into(&bytes, &mut four), Ok(1));
    assert_eq!(four.rules.as_slice(), brussels.rules.as_slice());
    assert_eq!(four.view().rules(), brussels.view().rules());
}
