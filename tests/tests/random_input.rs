//! Random and damaged reads files, as a property: whatever the bytes, the
//! replay ends (success or a one-line error, never a panic), every line is
//! accounted for, and no plate of a read that matched nothing appears in
//! any output, error messages included.

#![allow(clippy::unwrap_used, clippy::panic)] // test code: a panic is a failed test

use std::io::Write as _;

use proptest::prelude::*;

const LISTS: &str = "plate,country,priority,list,valid_from,valid_until\n\
                     1WNT000,,0,wanted,,\n\
                     1ABC234,BE,1,stolen,,\n";

/// An unlisted plate: `9ZZ` and four digits, three edits from every entry.
fn unlisted(n: u16) -> String {
    format!("9ZZ{:04}", n % 10_000)
}

#[derive(Debug, Clone)]
enum Piece {
    /// A good read of an unlisted plate (by number), or of a listed one.
    Read {
        plate: Option<u16>,
        listed: bool,
        second: u8,
    },
    /// A good read, then damaged: bytes replaced, inserted or cut.
    Damaged {
        plate: u16,
        second: u8,
        edits: Vec<(u8, u8, u8)>,
    },
    /// An unlisted plate where a careless recording puts it: in another
    /// field, as a number, as the whole line.
    Misplaced { plate: u16, how: u8 },
    /// Random bytes.
    Noise(Vec<u8>),
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        4 => (any::<u16>(), any::<bool>(), any::<u8>()).prop_map(|(p, l, s)| Piece::Read {
            plate: (!l).then_some(p),
            listed: l,
            second: s
        }),
        4 => (any::<u16>(), any::<u8>(), prop::collection::vec(any::<(u8, u8, u8)>(), 1..4))
            .prop_map(|(plate, second, edits)| Piece::Damaged { plate, second, edits }),
        2 => (any::<u16>(), any::<u8>()).prop_map(|(plate, how)| Piece::Misplaced { plate, how }),
        1 => prop::collection::vec(any::<u8>(), 0..80).prop_map(Piece::Noise),
    ]
}

fn line(csv: bool, plate: &str, second: u8) -> String {
    let ts = format!("2026-01-05T08:{:02}:{:02}Z", second / 60, second % 60);
    if csv {
        format!("{ts},cam-{},{plate}\n", second % 3)
    } else {
        format!(
            "{{\"ts\":\"{ts}\",\"camera\":\"cam-{}\",\"plate\":\"{plate}\"}}\n",
            second % 3
        )
    }
}

/// The file's bytes, and the unlisted plates in it.
fn render(csv: bool, pieces: &[Piece]) -> (Vec<u8>, Vec<String>) {
    let mut out = Vec::new();
    let mut plates = Vec::new();
    if csv {
        out.extend_from_slice(b"ts,camera,plate\n");
    }
    for p in pieces {
        match p {
            Piece::Read {
                plate,
                listed,
                second,
            } => {
                let pl = match (plate, listed) {
                    (Some(n), _) => {
                        plates.push(unlisted(*n));
                        unlisted(*n)
                    }
                    (None, _) => "1WNT000".to_string(),
                };
                out.extend_from_slice(line(csv, &pl, *second).as_bytes());
            }
            Piece::Damaged {
                plate,
                second,
                edits,
            } => {
                let pl = unlisted(*plate);
                plates.push(pl.clone());
                let mut l = line(csv, &pl, *second).into_bytes();
                l.pop();
                for &(kind, at, byte) in edits {
                    if l.is_empty() {
                        break;
                    }
                    let at = usize::from(at) % l.len();
                    let byte = if byte == b'\n' { b'"' } else { byte };
                    match kind % 4 {
                        0 => l[at] = byte,
                        1 => l.insert(at, byte),
                        2 => l.truncate(at),
                        _ => l.insert(at, b'"'),
                    }
                }
                out.extend_from_slice(&l);
                out.push(b'\n');
            }
            Piece::Misplaced { plate, how } => {
                let pl = unlisted(*plate);
                let digits = format!("8{:06}", plate);
                let ts = "2026-01-05T08:00:00Z";
                let l = match (csv, how % 6) {
                    (true, 0) => format!("{pl},cam-1,{ts}"),
                    (true, 1) => format!("{ts},cam-1,{pl}{pl},{pl}"),
                    (true, _) => format!("\"{pl},cam-1,{ts}"),
                    (false, 0) => {
                        format!("{{\"ts\":\"{pl}\",\"camera\":\"cam-1\",\"plate\":\"{pl}\"}}")
                    }
                    (false, 1) => {
                        format!("{{\"ts\":\"{ts}\",\"camera\":\"cam-1\",\"plate\":{digits}}}")
                    }
                    (false, 2) => format!("\"{pl}\""),
                    (false, 3) => digits.clone(),
                    (false, 4) => format!(
                        "{{\"ts\":\"{ts}\",\"camera\":\"c\",\"plate\":\"{pl}\",\"confidence\":\"{pl}\"}}"
                    ),
                    (false, _) => {
                        format!("{{\"ts\":\"{ts}\",\"camera\":[\"{pl}\"],\"plate\":\"{pl}\"}}")
                    }
                };
                plates.push(pl);
                plates.push(digits);
                out.extend_from_slice(l.as_bytes());
                out.push(b'\n');
            }
            Piece::Noise(bytes) => {
                out.extend(bytes.iter().map(|&b| if b == b'\n' { b' ' } else { b }));
                out.push(b'\n');
            }
        }
    }
    (out, plates)
}

/// The first line that is not blank opens a JSON array (`[`) or an
/// object spread over lines (`{` alone): `replay` refuses the file.
fn json_document(bytes: &[u8], csv: bool) -> bool {
    let first = bytes
        .split(|&b| b == b'\n')
        .map(<[u8]>::trim_ascii)
        .find(|l| !l.is_empty());
    !csv && first.is_some_and(|l| l.starts_with(b"[") || l == b"{")
}

fn non_blank_lines(bytes: &[u8], csv: bool) -> u64 {
    let n = bytes
        .split(|&b| b == b'\n')
        .filter(|l| l.iter().any(|b| !matches!(b, b' ' | b'\t' | b'\r')))
        .count() as u64;
    n - u64::from(csv)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_reads_file_is_accounted_for_and_keeps_unmatched_plates_private(
        pieces in prop::collection::vec(piece(), 1..40),
        csv in any::<bool>(),
        gz in any::<bool>(),
        strict in any::<bool>(),
    ) {
        let d = tempfile::tempdir().unwrap();
        let (bytes, plates) = render(csv, &pieces);
        let name = format!("reads.{}{}", if csv { "csv" } else { "jsonl" }, if gz { ".gz" } else { "" });
        let path = d.path().join(&name);
        if gz {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(&bytes).unwrap();
            std::fs::write(&path, e.finish().unwrap()).unwrap();
        } else {
            std::fs::write(&path, &bytes).unwrap();
        }
        std::fs::write(d.path().join("lists.csv"), LISTS).unwrap();
        let out = d.path().join("out");
        let mut args = vec![
            "replay", "--quiet", "--frames",
            "--reads", path.to_str().unwrap(),
            "--lists", d.path().join("lists.csv").to_str().unwrap().to_owned().leak(),
            "--out", out.to_str().unwrap(),
        ];
        if strict {
            args.push("--strict");
        }
        let result = hitgate_e2e::hitgate(&args);
        let mut texts = Vec::new();
        match result {
            Ok(()) => {
                let report: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(out.join("report.json")).unwrap(),
                ).unwrap();
                let input = &report["input"];
                let ind = &report["indicators"];
                let rejected: u64 = ind["rejected"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).sum();
                // Every line is a read that reached the unit or a bad line
                // (the unit's rejections are both).
                prop_assert_eq!(input["lines"].as_u64().unwrap(), non_blank_lines(&bytes, csv));
                prop_assert_eq!(
                    input["lines"].as_u64().unwrap(),
                    ind["reads"].as_u64().unwrap() + input["bad_lines"].as_u64().unwrap() - rejected
                );
                for f in ["report.json", "hits.jsonl", "report.svg"] {
                    texts.push(std::fs::read_to_string(out.join(f)).unwrap());
                }
                texts.push(String::from_utf8_lossy(&std::fs::read(out.join("hits.frames")).unwrap()).into_owned());
            }
            Err(e) => {
                // Only --strict stops on a bad line, and says which; or
                // a first line that shows a JSON document, not JSON Lines.
                prop_assert!(strict || json_document(&bytes, csv), "{e:#}");
                let e = format!("{e:#}");
                prop_assert!(e.contains(&name), "{e}");
                prop_assert!(!out.join("report.json").exists());
                texts.push(e);
            }
        }
        for p in &plates {
            for t in &texts {
                prop_assert!(!t.contains(p.as_str()), "{p} in {t}");
            }
        }
    }
}
