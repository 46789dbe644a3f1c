//! Random and damaged central files through `hitgate indicators`, as a
//! property: whatever the bytes, it ends without a panic, every line of
//! an archive is a hit counted, a copy or a bad line, and no plate of
//! the files reaches an error message.

#![allow(clippy::unwrap_used, clippy::panic)] // test code: a panic is a failed test

use hitgate_host::indicators::{IndicatorOptions, Period, indicators};
use proptest::prelude::*;

/// 2026-01-05T00:00:00Z.
const JAN5: u64 = 1_767_571_200_000;

/// The plate of hit `n`: never a field name or a number.
fn plate(n: u16) -> String {
    format!("9PQ{:04}", n % 10_000)
}

/// A listener's archive line; its priority, action and kind may be out
/// of range (a bad line then).
fn hit(n: u16, unit: u8, (priority, action, kind): (u8, u8, u8)) -> String {
    let t = JAN5 + u64::from(n) * 60_000;
    format!(
        r#"{{"unit":"u{unit}","seq":{n},"boot":0,"n":{n},"received":{t},"hit":{{"wire_version":2,"seq":{n},"time":{t},"camera":"cam-{}","read":"{p}","reads":2,"listed":"{p}","country":"BE","list":0,"priority":{priority},"kind":{kind},"ocr":0,"edits":0,"action":{action},"rule":0,"reason":0,"late":false,"list_version":1,"position":null}},"chain":{{"prev":"00","link":"l{n}"}}}}"#,
        unit % 3,
        p = plate(n)
    )
}

#[derive(Debug, Clone)]
enum Piece {
    Hit {
        n: u16,
        unit: u8,
        fields: (u8, u8, u8),
    },
    Damaged {
        n: u16,
        edits: Vec<(u16, u8)>,
    },
    Noise(Vec<u8>),
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        6 => (any::<u16>(), any::<u8>(), (0u8..6, 0u8..4, 0u8..4))
            .prop_map(|(n, unit, fields)| Piece::Hit { n, unit, fields }),
        3 => (any::<u16>(), prop::collection::vec(any::<(u16, u8)>(), 1..4))
            .prop_map(|(n, edits)| Piece::Damaged { n, edits }),
        1 => prop::collection::vec(any::<u8>(), 0..80).prop_map(Piece::Noise),
    ]
}

/// The file's bytes and the plates in it.
fn render(pieces: &[Piece]) -> (Vec<u8>, Vec<String>) {
    let mut bytes = Vec::new();
    let mut plates = Vec::new();
    for p in pieces {
        match p {
            Piece::Hit { n, unit, fields } => {
                bytes.extend(hit(*n, *unit, *fields).into_bytes());
                plates.push(plate(*n));
            }
            Piece::Damaged { n, edits } => {
                let mut line = hit(*n, 0, (1, 2, 0)).into_bytes();
                for &(at, b) in edits {
                    let i = usize::from(at) % line.len();
                    // A line break would make two lines of one piece.
                    line[i] = if b == b'\n' { b'x' } else { b };
                }
                bytes.extend(line);
                plates.push(plate(*n));
            }
            Piece::Noise(b) => bytes.extend(b.iter().map(|&c| if c == b'\n' { b' ' } else { c })),
        }
        bytes.push(b'\n');
    }
    (bytes, plates)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_archive_is_accounted_for_and_names_no_plate(
        pieces in prop::collection::vec(piece(), 0..60),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (bytes, plates) = render(&pieces);
        let path = dir.path().join("archive.jsonl");
        std::fs::write(&path, &bytes).unwrap();
        // The same bytes as decisions: none of them is one.
        let x = match indicators(&IndicatorOptions {
            hits: vec![path.clone()],
            decisions: vec![path],
            by: Period::Day,
            from: None,
            until: None,
            offsets: None,
        }) {
            Ok(x) => x,
            // Noise that starts like gzip or another compression: an
            // error that names the file, not a panic.
            Err(e) => {
                let e = format!("{e:#}");
                prop_assert!(e.contains("archive.jsonl"), "{}", e);
                for p in &plates {
                    prop_assert!(!e.contains(p.as_str()), "{} in {}", p, e);
                }
                return Ok(());
            }
        };
        let lines = bytes
            .split(|&b| b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .count() as u64;
        prop_assert_eq!(x.lines, 2 * lines);
        let h = x.hits.as_ref().unwrap();
        let d = x.decisions.as_ref().unwrap();
        prop_assert!(d.total.is_empty() && d.periods.is_empty());
        // Each archive line: a hit counted, a copy, or a bad line; each
        // line read as a decision: a bad line.
        prop_assert_eq!(h.total.hits + h.copies + x.bad_lines, 2 * lines);
        let by_priority: u64 = h.total.by_priority.iter().sum();
        prop_assert_eq!(by_priority, h.total.hits);
        prop_assert_eq!(h.total.dispatched + h.total.reviewed, h.total.hits);
        prop_assert!(x.errors.len() <= 10);
        for e in &x.errors {
            for p in &plates {
                prop_assert!(!e.error.contains(p.as_str()), "{} in {:?}", p, e);
            }
        }
    }
}
