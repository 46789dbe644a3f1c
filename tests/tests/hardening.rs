//! Faults found by trying the command as a careless or hostile user would.
//! Each test failed on the code before its fix.

#![allow(clippy::unwrap_used, clippy::panic)] // test code: a panic is a failed test

use std::io::Write as _;
use std::path::{Path, PathBuf};

use hitgate_e2e::{hitgate, jsonl};
use serde_json::Value;

const LISTS: &str = "plate,country,priority,list,valid_from,valid_until\n\
                     1WNT000,,0,wanted,,\n\
                     1ABC234,BE,1,stolen,,\n";

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lists.csv"), LISTS).unwrap();
        Self { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn gz(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(bytes).unwrap();
        let p = self.path(name);
        std::fs::write(&p, gz.finish().unwrap()).unwrap();
        p
    }

    fn replay(&self, reads: &Path, extra: &[&str]) -> anyhow::Result<()> {
        let (r, l, o) = (
            reads.to_str().unwrap().to_string(),
            self.path("lists.csv").to_str().unwrap().to_string(),
            self.path("out").to_str().unwrap().to_string(),
        );
        let mut args = vec![
            "replay", "--reads", &r, "--lists", &l, "--out", &o, "--quiet",
        ];
        args.extend_from_slice(extra);
        hitgate(&args)
    }

    /// A reads file of the two listed cars, ten minutes apart.
    fn two_hits(&self) -> PathBuf {
        self.write(
            "reads.jsonl",
            &(read("2026-01-05T08:00:00Z", "cam-1", "1WNT000")
                + &read("2026-01-05T08:10:00Z", "cam-1", "1ABC234")),
        )
    }

    fn report(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.path("out/report.json")).unwrap())
            .unwrap()
    }

    fn hits(&self) -> Vec<Value> {
        jsonl(&self.path("out/hits.jsonl"))
    }

    /// Two fields of every hit, as `A B` (empty when absent).
    fn hit_fields(&self, a: &str, b: &str) -> Vec<String> {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        self.hits()
            .iter()
            .map(|h| format!("{} {}", text(&h[a]), text(&h[b])))
            .collect()
    }

    /// The first bad line's message in the report.
    fn first_error(&self) -> String {
        let r = self.report();
        r["input"]["errors"][0]["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error in {r}"))
            .to_string()
    }

    /// The summary `replay` prints, from the report.
    fn summary(&self) -> String {
        let report: hitgate_host::formats::Report = serde_json::from_value(self.report()).unwrap();
        hitgate_host::summary::render(&report)
    }
}

/// A read of `cam-1` at `HH:MM:SS` on 2026-01-05, with its country.
fn read_from(ts: &str, plate: &str, country: &str) -> String {
    format!(
        "{{\"ts\":\"2026-01-05T{ts}Z\",\"camera\":\"cam-1\",\"plate\":\"{plate}\",\"country\":\"{country}\"}}\n"
    )
}

fn read(ts: &str, camera: &str, plate: &str) -> String {
    format!("{{\"ts\":\"{ts}\",\"camera\":\"{camera}\",\"plate\":\"{plate}\"}}\n")
}

/// JSON Lines of reads written `TIME CAMERA PLATE; ...`, the time a full
/// RFC 3339 one or `HH:MM:SS` on 2026-01-05.
fn reads(text: &str) -> String {
    text.split(';')
        .map(|r| {
            let f: Vec<&str> = r.split_whitespace().collect();
            let ts = match f[0].len() {
                8 => format!("2026-01-05T{}Z", f[0]),
                _ => f[0].to_string(),
            };
            read(&ts, f[1], f[2])
        })
        .collect()
}

/// `n` reads of unlisted plates, a second apart from 08:00:00.
fn unlisted(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| {
            (
                format!("2026-01-05T08:{:02}:{:02}Z", i / 60 % 60, i % 60),
                format!("1QQQ{:03}", i % 1000),
            )
        })
        .collect()
}

#[test]
fn a_stray_quote_in_a_csv_costs_one_line_not_the_rest_of_the_file() {
    let c = Case::new();
    // A blank line before the header is skipped, as in lists files.
    let mut text = String::from("\nts,camera,plate\n2026-01-05T07:59:00Z,cam-1,\"1ABC234\n");
    for (ts, plate) in unlisted(1000) {
        text += &format!("{ts},cam-1,{plate}\n");
    }
    text += "2026-01-05T08:20:00Z,cam-1,1WNT000\n";
    let reads = c.write("reads.csv", &text);
    c.replay(&reads, &[]).unwrap();
    let r = c.report();
    assert_eq!(r["input"]["lines"], 1002, "{r}");
    assert_eq!(r["input"]["bad_lines"], 1);
    assert_eq!(r["input"]["errors"][0]["line"], 3);
    assert!(
        r["input"]["errors"][0]["error"]
            .as_str()
            .unwrap()
            .contains("unbalanced quote")
    );
    assert_eq!(r["indicators"]["reads"], 1001);
    let hits = c.hits();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["listed"], "1WNT000");
    assert_eq!(hits[0]["action"], "dispatch");
}

#[test]
fn a_placeholder_date_is_a_bad_line_not_a_panic() {
    let c = Case::new();
    let text = reads(
        "9999-12-31T23:59:59Z cam-1 1WNT000; 1970-01-01T00:00:00Z cam-1 1WNT000; 08:00:00 cam-1 1ABC234",
    );
    let reads = c.write("reads.jsonl", &text);
    c.replay(&reads, &[]).unwrap();
    let r = c.report();
    assert_eq!(r["input"]["bad_lines"], 2, "{r}");
    for e in r["input"]["errors"].as_array().unwrap() {
        assert!(
            e["error"]
                .as_str()
                .unwrap()
                .contains("ts: outside the years 2000 to 2099"),
            "{e}"
        );
    }
    assert_eq!(c.hits().len(), 1);
    let svg = std::fs::read_to_string(c.path("out/report.svg")).unwrap();
    assert!(svg.trim_end().ends_with("</svg>"));
}

#[test]
fn a_csv_field_past_the_line_limit_is_one_bad_line_in_reads_and_an_error_in_lists() {
    let c = Case::new();
    let huge = "7".repeat(3 << 20);
    let text = format!(
        "ts,camera,plate\n2026-01-05T08:00:00Z,cam-1,{huge}\n2026-01-05T08:00:01Z,cam-1,1WNT000\n"
    );
    let reads = c.gz("reads.csv.gz", text.as_bytes());
    c.replay(&reads, &[]).unwrap();
    let r = c.report();
    assert_eq!(r["input"]["bad_lines"], 1, "{r}");
    assert!(
        r["input"]["errors"][0]["error"]
            .as_str()
            .unwrap()
            .starts_with("line longer than 65536 bytes")
    );
    assert_eq!(c.hits().len(), 1);
    // A list line past the limit stops the load with its file and line.
    let lists = format!("{LISTS}{huge},,1,stolen,,\n");
    c.gz("lists.csv", lists.as_bytes());
    let e = format!("{:#}", c.replay(&reads, &[]).unwrap_err());
    assert!(
        e.contains("lists.csv:4: line longer than 65536 bytes"),
        "{e}"
    );
}

/// Plates of reads that match nothing, placed where a careless recording
/// puts them: a number instead of a string, a CSV whose header names the
/// columns in another order, a plate in the time field.
#[test]
fn bad_line_messages_never_quote_a_plate() {
    let c = Case::new();
    let jsonl = "{\"ts\":\"2026-01-05T08:00:00Z\",\"camera\":\"cam-1\",\"plate\":7654321}\n\
                 {\"ts\":\"9QZX123\",\"camera\":\"cam-1\",\"plate\":\"1WNT000\"}\n\
                 8123456\n\
                 \"9PLT777\"\n\
                 {\"ts\":\"2026-01-05T08:00:00Z\",\"camera\":\"cam-1\",\"plate\":\"1AAA111\",\"confidence\":\"9KKK444\"}\n\
                 {\"ts\":\"2026-01-05T08:00:00Z\",\"camera\":[\"9LLL555\"],\"plate\":\"1AAA111\"}\n";
    let csv = "plate,camera,ts\n2026-01-05T08:00:00Z,cam-1,1XYZ987\n";
    let plates = [
        "7654321", "9QZX123", "8123456", "9PLT777", "9KKK444", "9LLL555", "1XYZ987",
    ];
    for (name, text) in [("reads.jsonl", jsonl), ("reads.csv", csv)] {
        let reads = c.write(name, text);
        c.replay(&reads, &[]).unwrap();
        let report = std::fs::read_to_string(c.path("out/report.json")).unwrap();
        let hits = std::fs::read_to_string(c.path("out/hits.jsonl")).unwrap();
        let bad = c.report()["input"]["bad_lines"].as_u64().unwrap();
        assert!(bad >= 1, "{report}");
        let strict = format!("{:#}", c.replay(&reads, &["--strict"]).unwrap_err());
        for p in plates {
            for (what, text) in [("report", &report), ("hits", &hits), ("--strict", &strict)] {
                assert!(!text.contains(p), "{name}: {what} quotes {p}: {text}");
            }
        }
        // And the message still says what is wrong, where.
        assert!(report.contains("\"line\": 2"), "{report}");
    }
    let e = c.first_error();
    assert!(e.starts_with("ts: not an RFC 3339 time"), "{e}");
}

#[test]
fn a_camera_on_local_time_is_put_on_utc_not_an_hour_off() {
    // Two cameras, one sending UTC, one Belgian winter time (+01:00), a
    // minute apart. 09:01:00.250+01:00 is 08:01:00.250Z (by hand: one
    // hour east of UTC). Before the fix the offset after a fraction was
    // dropped: the second car stood an hour ahead, and the unit's clock
    // with it, so the first camera's next car came an hour late.
    let c = Case::new();
    let reads = c.write(
        "reads.jsonl",
        &(read("2026-01-05T08:00:00Z", "cam-1", "1WNT000")
            + &read("2026-01-05T09:01:00.250+01:00", "cam-2", "1ABC234")
            + &read("2026-01-05T08:02:00Z", "cam-1", "1WNT001")
            + &read("2026-01-05T08:02:30Z", "cam-1", "1WNT000")),
    );
    std::fs::write(
        c.path("lists.csv"),
        format!("{LISTS}1WNT001,,0,wanted,2026-01-05T09:01:30+01:00,\n"),
    )
    .unwrap();
    c.replay(&reads, &[]).unwrap();
    let hits = c.hits();
    let seen: Vec<(&str, &str, &str)> = hits
        .iter()
        .map(|h| {
            (
                h["ts"].as_str().unwrap(),
                h["listed"].as_str().unwrap(),
                h["action"].as_str().unwrap(),
            )
        })
        .collect();
    // 1WNT001 is listed from 08:01:30Z, so its read at 08:02:00Z hits;
    // read as 09:01:30Z it would not have. 1WNT000's second passage is a
    // re-alert, held.
    assert_eq!(
        seen,
        [
            ("2026-01-05T08:00:00.000Z", "1WNT000", "dispatch"),
            ("2026-01-05T08:01:00.250Z", "1ABC234", "dispatch"),
            ("2026-01-05T08:02:00.000Z", "1WNT001", "dispatch"),
        ],
        "{hits:?}"
    );
    // An offset that is not `±HH:MM` is a bad line that says so.
    let reads = c.write(
        "bad.jsonl",
        &read("2026-01-05T09:01:00.250+1:00", "cam-2", "1ABC234"),
    );
    c.replay(&reads, &[]).unwrap();
    assert_eq!(c.report()["input"]["bad_lines"], 1);
    let e = c.first_error();
    assert!(e.contains("UTC offset"), "{e}");
}

#[test]
fn a_spreadsheets_semicolon_export_reads_as_its_comma_twin() {
    // A spreadsheet where the comma is the decimal mark (Belgium's)
    // exports `;` between fields and `50,8503` for a latitude. Before,
    // both files were refused: `missing column "plate"`.
    let c = Case::new();
    let comma = c.write(
        "reads.csv",
        "ts,camera,plate,confidence,lat,lon\n\
         2026-01-05T08:00:00Z,mobile-1,1WNT000,87.5,50.8503,4.3517\n\
         2026-01-05T08:01:00Z,mobile-1,1ABC234,,,\n",
    );
    c.replay(&comma, &[]).unwrap();
    let want = c.hits();
    assert_eq!(want.len(), 2, "{want:?}");
    std::fs::write(
        c.path("lists.csv"),
        "plate;country;priority;list;valid_from;valid_until\n\
         \"1WNT000\";;0;wanted;;\n\
         1ABC234;BE;1;\"stolen\";;\n",
    )
    .unwrap();
    let semi = c.write(
        "reads-semi.csv",
        "ts;camera;plate;confidence;lat;lon\n\
         2026-01-05T08:00:00Z;mobile-1;1WNT000;87,5;50,8503;4,3517\n\
         2026-01-05T08:01:00Z;mobile-1;1ABC234;;;\n",
    );
    c.replay(&semi, &[]).unwrap();
    assert_eq!(c.hits(), want);
    assert_eq!(c.report()["input"]["bad_lines"], 0);
    // A tab-separated export too (no decimal comma there).
    std::fs::write(c.path("lists.csv"), LISTS.replace(',', "\t")).unwrap();
    let tab = c.write(
        "reads.tsv.csv",
        "ts\tcamera\tplate\tconfidence\tlat\tlon\n\
         2026-01-05T08:00:00Z\tmobile-1\t1WNT000\t87.5\t50.8503\t4.3517\n\
         2026-01-05T08:01:00Z\tmobile-1\t1ABC234\t\t\t\n",
    );
    c.replay(&tab, &[]).unwrap();
    assert_eq!(c.hits(), want);
}

#[test]
fn a_recording_saved_by_a_windows_tool_reads_as_its_twin() {
    // Notepad and PowerShell save UTF-8 with a byte-order mark and CRLF
    // line breaks. Before, the mark stood in front of the first read, which
    // was a bad line (`expected value`): a tester's first hit lost.
    let c = Case::new();
    let plain = c.two_hits();
    c.replay(&plain, &[]).unwrap();
    let want = c.hits();
    assert_eq!(want.len(), 2, "{want:?}");
    let text = std::fs::read_to_string(&plain).unwrap();
    let windows = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    let saved = c.write("reads-windows.jsonl", &windows);
    let gz = c.gz("reads-windows.jsonl.gz", windows.as_bytes());
    for reads in [saved, gz] {
        c.replay(&reads, &[]).unwrap();
        assert_eq!(c.report()["input"]["bad_lines"], 0, "{}", reads.display());
        assert_eq!(c.hits(), want);
    }
    // The lists saved so too.
    std::fs::write(
        c.path("lists.csv"),
        format!("\u{feff}{}", LISTS.replace('\n', "\r\n")),
    )
    .unwrap();
    c.replay(&plain, &[]).unwrap();
    assert_eq!(c.hits(), want);
}

#[test]
fn a_list_entrys_local_validity_ends_on_the_policys_clock() {
    // Listed until 10:00 local time, written without an offset: read as
    // UTC, the car was still wanted two hours after its entry ended.
    let c = Case::new();
    c.write(
        "policy.toml",
        "[time]\noffsets = [\n\
           { from = \"2026-03-29T01:00:00Z\", utc_offset = \"+02:00\" },\n\
           { from = \"2026-10-25T01:00:00Z\", utc_offset = \"+01:00\" },\n]\n",
    );
    std::fs::write(
        c.path("lists.csv"),
        format!("{LISTS}1TMP999,BE,1,stolen,,2026-07-01 10:00:00\n"),
    )
    .unwrap();
    // 08:30 UTC is 10:30 in Brussels: half an hour after the entry ended.
    let reads = c.write(
        "reads.jsonl",
        &read("2026-07-01T08:30:00Z", "cam-1", "1TMP999"),
    );
    let policy = c.path("policy.toml");
    let policy = policy.to_str().unwrap();
    c.replay(&reads, &["--policy", policy]).unwrap();
    assert_eq!(c.hits().len(), 1);
    assert_eq!(c.report()["input"]["list_times_without_offset"], 1);
    let s = c.summary();
    assert!(s.contains("in 1 list entry, read as UTC"), "{s}");
    c.replay(&reads, &["--policy", policy, "--naive-times", "local"])
        .unwrap();
    assert_eq!(c.hits().len(), 0);
    // Out of its validity, the entry is not matched at all.
    assert_eq!(c.report()["indicators"]["unmatched"], 1);
    // A signed image built for the units reads the list so too.
    let key = c.path("zone.key");
    let key = key.to_str().unwrap();
    hitgate(&["keygen", "--out", key]).unwrap();
    let public = format!("{key}.pub");
    let lists = c.path("lists.csv");
    for (extra, hits) in [(&[][..], 1), (&["--naive-times", "local"][..], 0)] {
        let image = c.path("lists.hgsb");
        let image = image.to_str().unwrap();
        let mut args = vec!["bundle", "build", "--lists", lists.to_str().unwrap()];
        args.extend_from_slice(&["--policy", policy, "--list-version", "1", "--key", key]);
        args.extend_from_slice(&["--out", image]);
        args.extend_from_slice(extra);
        hitgate(&args).unwrap();
        let r = reads.to_str().unwrap();
        let out = c.path("out");
        let out = out.to_str().unwrap();
        let bundle = [
            "replay", "--reads", r, "--bundle", image, "--public", &public,
        ];
        hitgate(&[&bundle[..], &["--out", out, "--quiet"]].concat()).unwrap();
        assert_eq!(c.hits().len(), hits, "{extra:?}");
    }
}

#[test]
fn a_json_document_is_refused_by_name_not_read_as_bad_lines() {
    // An export as one JSON array, or objects spread over lines: before,
    // every line was a bad line (`expected value`, `EOF while parsing`).
    let c = Case::new();
    let one = read("2026-01-05T08:00:00Z", "cam-1", "1WNT000");
    let array = c.write("array.json", &format!("[\n  {}]\n", one.trim_end()));
    let e = format!("{:#}", c.replay(&array, &[]).unwrap_err());
    assert!(
        e.contains("array.json:1: a JSON array; hitgate reads JSON Lines"),
        "{e}"
    );
    let spread = c.write(
        "spread.json",
        "\n{\n  \"ts\": \"2026-01-05T08:00:00Z\",\n  \"camera\": \"cam-1\",\n  \"plate\": \"1WNT000\"\n}\n",
    );
    let e = format!("{:#}", c.replay(&spread, &[]).unwrap_err());
    assert!(
        e.contains("spread.json:2: JSON spread over several lines"),
        "{e}"
    );
    // The same read as JSON Lines is read.
    let lines = c.write("lines.json", &one);
    c.replay(&lines, &[]).unwrap();
    assert_eq!(c.hits().len(), 1);
}

#[test]
fn a_priority_written_as_the_platform_names_it_is_read() {
    // `P0`, `p1`: before, `priority must be 0 to 4`, and the list refused.
    let c = Case::new();
    let reads = c.two_hits();
    c.replay(&reads, &[]).unwrap();
    let want = c.hits();
    assert_eq!(want.len(), 2, "{want:?}");
    let named = LISTS
        .replace(",0,wanted", ",P0,wanted")
        .replace(",1,stolen", ",p1,stolen");
    assert_ne!(named, LISTS);
    std::fs::write(c.path("lists.csv"), named).unwrap();
    c.replay(&reads, &[]).unwrap();
    assert_eq!(c.hits(), want);
}

#[test]
fn column_names_match_whatever_their_case_and_the_names_exports_use() {
    // Spreadsheets title their columns (`Plate`, `TS`), exports name them
    // their own way (`Plate Number`, `cameraId`); before, every such file
    // was refused: `missing column "ts"`, `missing field `ts``.
    let c = Case::new();
    let lower = c.write(
        "reads.csv",
        "ts,camera,plate\n2026-01-05T08:00:00Z,cam-1,1WNT000\n2026-01-05T08:10:00Z,cam-1,1ABC234\n",
    );
    c.replay(&lower, &[]).unwrap();
    let want = c.hits();
    assert_eq!(want.len(), 2, "{want:?}");
    std::fs::write(
        c.path("lists.csv"),
        LISTS.replacen(
            "plate,country,priority,list",
            "Plate,COUNTRY,Priority,List",
            1,
        ),
    )
    .unwrap();
    let titled = c.write(
        "titled.csv",
        "TS,Camera,Plate\n2026-01-05T08:00:00Z,cam-1,1WNT000\n2026-01-05T08:10:00Z,cam-1,1ABC234\n",
    );
    c.replay(&titled, &[]).unwrap();
    assert_eq!(c.hits(), want);
    // The names exports give these columns, in CSV and JSON Lines.
    let export = c.write(
        "export.csv",
        "Timestamp,Camera ID,Plate Number\n2026-01-05T08:00:00Z,cam-1,1WNT000\n2026-01-05T08:10:00Z,cam-1,1ABC234\n",
    );
    c.replay(&export, &[]).unwrap();
    assert_eq!(c.hits(), want);
    let export = c.write(
        "export.jsonl",
        "{\"timestamp\":\"2026-01-05T08:00:00Z\",\"cameraId\":\"cam-1\",\"licensePlate\":\"1WNT000\"}\n\
         {\"eventTime\":\"2026-01-05T08:10:00Z\",\"camera_name\":\"cam-1\",\"vrm\":\"1ABC234\"}\n",
    );
    c.replay(&export, &[]).unwrap();
    assert_eq!(c.hits(), want);
    // Converted for hitgate with the original columns kept: the own names
    // are read, the others left alone, as before they had a meaning.
    let converted = c.write(
        "converted.jsonl",
        "{\"ts\":\"2026-01-05T08:00:00Z\",\"timestamp\":\"05/01/2026 09:00\",\"camera\":\"cam-1\",\"plate\":\"1WNT000\",\"plateNumber\":\"1-WNT-000\"}\n\
         {\"ts\":\"2026-01-05T08:10:00Z\",\"timestamp\":\"05/01/2026 09:10\",\"camera\":\"cam-1\",\"plate\":\"1ABC234\",\"plateNumber\":\"1-ABC-234\"}\n",
    );
    c.replay(&converted, &[]).unwrap();
    assert_eq!(c.hits(), want);
    // The same name twice, in two cases, leaves which one is meant open:
    // refused, in reads and lists alike.
    let twice = c.write("twice.csv", "ts,camera,plate,Plate\n");
    let e = format!("{:#}", c.replay(&twice, &[]).unwrap_err());
    assert!(e.contains("column \"plate\" appears twice"), "{e}");
    std::fs::write(
        c.path("lists.csv"),
        LISTS.replacen("list,", "list,LIST,", 1),
    )
    .unwrap();
    let e = format!("{:#}", c.replay(&lower, &[]).unwrap_err());
    assert!(e.contains("column \"list\" appears twice"), "{e}");
}

#[test]
fn a_camera_writing_confidence_from_0_to_1_is_pointed_out() {
    // hitgate reads 0–100; a camera that writes 0.93 has each frame
    // weigh as 1 in the vote. Three of the four reads below are such
    // (0 and 1 themselves, and 87 and -1, are not counted).
    let c = Case::new();
    let reads = c.write(
        "reads.jsonl",
        "{\"ts\":\"2026-01-05T08:00:00Z\",\"camera\":\"cam-1\",\"plate\":\"1WNT000\",\"confidence\":0.93}\n\
         {\"ts\":\"2026-01-05T08:00:00.2Z\",\"camera\":\"cam-1\",\"plate\":\"1WNT000\",\"confidence\":0.5}\n\
         {\"ts\":\"2026-01-05T08:00:00.4Z\",\"camera\":\"cam-1\",\"plate\":\"1WNT000\",\"confidence\":1}\n\
         {\"ts\":\"2026-01-05T08:00:00.6Z\",\"camera\":\"cam-1\",\"plate\":\"1WNT000\",\"confidence\":0}\n\
         {\"ts\":\"2026-01-05T08:00:00.8Z\",\"camera\":\"cam-1\",\"plate\":\"1WNT000\",\"confidence\":87}\n\
         {\"ts\":\"2026-01-05T08:00:01Z\",\"camera\":\"cam-1\",\"plate\":\"1WNT000\",\"confidence\":-1}\n\
         {\"ts\":\"2026-01-05T08:00:01.2Z\",\"camera\":\"cam-1\",\"plate\":\"1WNT000\",\"confidence\":0.02}\n",
    );
    c.replay(&reads, &[]).unwrap();
    assert_eq!(c.report()["input"]["confidence_fractions"], 3);
    let out = c.summary();
    assert!(
        out.contains("3 reads carry a confidence between 0 and 1"),
        "{out}"
    );
}

#[test]
fn a_recording_sorted_newest_first_is_pointed_out() {
    // Ten minutes of reads, oldest first and then newest first. Newest
    // first, the unit finds the later passages late (the baseline's 5
    // minutes) and says nothing else; the summary now says why.
    let c = Case::new();
    let times = ["08:00:00", "08:03:00", "08:06:00", "08:10:00"];
    let line = |t: &&str| read(&format!("2026-01-05T{t}Z"), "cam-1", "1ABC234");
    let oldest_first: String = times.iter().map(line).collect();
    let newest_first: String = times.iter().rev().map(line).collect();
    let reads = c.write("reads.jsonl", &oldest_first);
    c.replay(&reads, &[]).unwrap();
    assert_eq!(c.report()["input"]["runs_backwards"], false);
    let reads = c.write("reads.jsonl", &newest_first);
    c.replay(&reads, &[]).unwrap();
    let r = c.report();
    assert_eq!(r["input"]["runs_backwards"], true, "{r}");
    assert!(r["indicators"]["late"].as_u64().unwrap() > 0, "{r}");
    let out = c.summary();
    assert!(out.contains("the reads run backwards in time"), "{out}");
    // The page says it too.
    let page = std::fs::read_to_string(c.path("out/report.html")).unwrap();
    assert!(
        page.contains("<li>the reads run backwards in time"),
        "{page}"
    );
}

#[test]
fn a_country_written_as_the_sticker_or_three_letters_is_looked_up() {
    // Cameras write the oval sticker's code (F, B, D, IRL) or ISO's three
    // letters; before, each such read was a bad line and never looked up.
    let c = Case::new();
    std::fs::write(
        c.path("lists.csv"),
        format!("{LISTS}AB123CD,F,0,wanted,,\n"),
    )
    .unwrap();
    let reads = c.write(
        "reads.jsonl",
        &(read_from("08:00:00", "AB-123-CD", "F")
            + &read_from("08:10:00", "1-ABC-234", "BEL")
            + &read_from("08:20:00", "1-WNT-000", "XYZ")),
    );
    c.replay(&reads, &[]).unwrap();
    assert_eq!(
        c.hit_fields("listed", "country"),
        ["AB123CD FR", "1ABC234 BE"]
    );
    assert_eq!(c.report()["input"]["bad_lines"], 1);
    let e = c.first_error();
    assert!(e.contains("country") && !e.contains("XYZ"), "{e}");
}

#[test]
fn plates_in_other_alphabets_meet_their_latin_spelling() {
    // A German plate with an umlaut, a Bulgarian one listed in Cyrillic, a
    // Greek one listed in Latin: before, each such line was bad, and the
    // listed car was never looked up.
    let c = Case::new();
    std::fs::write(
        c.path("lists.csv"),
        format!(
            "{LISTS}TÜ-AB 123,DE,0,wanted,,\nСА 1234 ВХ,BG,1,stolen,,\nIKH1234,GR,1,stolen,,\n"
        ),
    )
    .unwrap();
    let reads = c.write(
        "reads.jsonl",
        &(read_from("08:00:00", "TU AB 123", "D")
            + &read_from("08:10:00", "CA-1234-BX", "BG")
            + &read_from("08:20:00", "ΙΚΗ-1234", "GR")
            + &read_from("08:30:00", "ТÜАВ123", "DE")
            + &read_from("08:40:00", "БГ1234", "BG")),
    );
    c.replay(&reads, &[]).unwrap();
    // The fourth read (a Cyrillic T, then Ü, A and B in Cyrillic) is the
    // first car again, within its re-alert window.
    assert_eq!(
        c.hit_fields("read", "listed"),
        ["TUAB123 TUAB123", "CA1234BX CA1234BX", "IKH1234 IKH1234"]
    );
    assert_eq!(c.report()["input"]["bad_lines"], 1);
    let e = c.first_error();
    assert!(
        e.contains("plate has invalid character 'Б' at byte 0"),
        "{e}"
    );
}

#[test]
fn local_times_without_an_offset_are_pointed_out_and_read_on_the_policys_clock() {
    // Cameras that write Brussels local time with no offset were read as
    // UTC without a word: two hours off in summer, a schedule's rules
    // firing at the wrong hours and a list entry's validity off.
    let c = Case::new();
    c.write(
        "policy.toml",
        "[time]\noffsets = [\n\
           { from = \"2025-10-26T01:00:00Z\", utc_offset = \"+01:00\" },\n\
           { from = \"2026-03-29T01:00:00Z\", utc_offset = \"+02:00\" },\n\
           { from = \"2026-10-25T01:00:00Z\", utc_offset = \"+01:00\" },\n]\n",
    );
    let reads = c.write(
        "reads.jsonl",
        &(read("2026-07-01 10:00:00", "cam-1", "1WNT000")
            + &read("2026-07-01T10:30:00+02:00", "cam-1", "1ABC234")
            + &read("2026-12-01T10:00:00", "cam-2", "1ABC234")),
    );
    let policy = c.path("policy.toml");
    let policy = policy.to_str().unwrap();
    let times = |c: &Case| -> Vec<(String, bool)> {
        c.hits()
            .iter()
            .map(|h| {
                let ts = h["ts"].as_str().unwrap().to_string();
                (ts, h["late"].as_bool().unwrap())
            })
            .collect()
    };
    let hit = |ts: &str, late: bool| (ts.to_string(), late);
    // Unstated: as UTC, and said; the second car, whose camera wrote its
    // offset, then seems to come an hour and a half after the first one
    // and is decided late.
    c.replay(&reads, &["--policy", policy]).unwrap();
    assert_eq!(
        times(&c),
        [
            hit("2026-07-01T10:00:00.000Z", false),
            hit("2026-07-01T08:30:00.000Z", true),
            hit("2026-12-01T10:00:00.000Z", false),
        ]
    );
    assert_eq!(c.report()["input"]["times_without_offset"], 2);
    assert_eq!(c.report()["input"]["naive_times"], Value::Null);
    let s = c.summary();
    assert!(
        s.contains(
            "note: times without a UTC offset (such as 2026-01-05 08:00:00) in 2 reads (of 3 lines), read as UTC"
        ),
        "{s}"
    );
    // Local: summer time is two hours ahead of UTC, winter time one.
    c.replay(&reads, &["--policy", policy, "--naive-times", "local"])
        .unwrap();
    assert_eq!(
        times(&c),
        [
            hit("2026-07-01T08:00:00.000Z", false),
            hit("2026-07-01T08:30:00.000Z", false),
            hit("2026-12-01T09:00:00.000Z", false),
        ]
    );
    assert_eq!(c.report()["input"]["naive_times"], "local");
    assert!(!c.summary().contains("UTC offset"));
    // Stated as UTC: read so, and nothing to say.
    c.replay(&reads, &["--policy", policy, "--naive-times", "utc"])
        .unwrap();
    assert_eq!(c.report()["input"]["naive_times"], "utc");
    assert!(!c.summary().contains("UTC offset"));
    // Local time without offsets to read it by is refused.
    let e = format!(
        "{:#}",
        c.replay(&reads, &["--naive-times", "local"]).unwrap_err()
    );
    assert!(e.contains("the policy has no [time] offsets"), "{e}");
    // The firmware's bundle of the local times is the bundle of the same
    // times written with their offsets.
    let offsets = c.write(
        "offsets.jsonl",
        &(read("2026-07-01T10:00:00+02:00", "cam-1", "1WNT000")
            + &read("2026-07-01T10:30:00+02:00", "cam-1", "1ABC234")
            + &read("2026-12-01T10:00:00+01:00", "cam-2", "1ABC234")),
    );
    let lists = c.path("lists.csv");
    let bundle = |reads: &Path, name: &str, extra: &[&str]| -> Vec<u8> {
        let (r, l, o) = (
            reads.to_str().unwrap(),
            lists.to_str().unwrap(),
            c.path(name),
        );
        let mut args = vec!["prepare", "--reads", r, "--lists", l, "--policy", policy];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", o.to_str().unwrap()]);
        hitgate(&args).unwrap();
        std::fs::read(o).unwrap()
    };
    let explicit = bundle(&offsets, "explicit.bin", &[]);
    assert_eq!(
        bundle(&reads, "local.bin", &["--naive-times", "local"]),
        explicit
    );
    assert_ne!(bundle(&reads, "utc.bin", &[]), explicit);
}

#[test]
fn numbers_written_as_strings_read_as_numbers() {
    // Some exports quote every JSON field; CSV always did. Before, each
    // such read was a bad line ("confidence: expected a number or null").
    let c = Case::new();
    let two = |conf: &str, lat: &str, lon: &str| {
        format!(
            "{{\"ts\":\"2026-01-05T08:00:00Z\",\"camera\":\"mobile-1\",\"plate\":\"1WNT000\",\"confidence\":{conf},\"lat\":{lat},\"lon\":{lon}}}\n\
             {{\"ts\":\"2026-01-05T08:10:00Z\",\"camera\":\"mobile-1\",\"plate\":\"1ABC234\",\"confidence\":{conf}}}\n"
        )
    };
    let reads = c.write("reads.jsonl", &two("87", "50.8503", "4.3517"));
    c.replay(&reads, &[]).unwrap();
    let want = c.hits();
    assert_eq!(want.len(), 2, "{want:?}");
    let reads = c.write("reads.jsonl", &two("\"87\"", "\" 50.8503\"", "\"4.3517\""));
    c.replay(&reads, &[]).unwrap();
    assert_eq!(c.hits(), want);
    assert_eq!(c.report()["input"]["bad_lines"], 0);
    // A string that is no number is still a bad line that quotes nothing.
    let reads = c.write("reads.jsonl", &two("\"9ABC999\"", "1", "2"));
    c.replay(&reads, &[]).unwrap();
    assert_eq!(c.report()["input"]["bad_lines"], 2);
    let e = c.first_error();
    assert!(
        e.starts_with("confidence: expected a number") && !e.contains("9ABC999"),
        "{e}"
    );
    // A camera numbered, not named, is its number's digits.
    let reads = c.write(
        "reads.jsonl",
        "{\"ts\":\"2026-01-05T08:00:00Z\",\"camera\":12,\"plate\":\"1WNT000\"}\n\
         {\"ts\":\"2026-01-05T08:00:01Z\",\"camera\":true,\"plate\":\"1ABC234\"}\n",
    );
    c.replay(&reads, &[]).unwrap();
    assert_eq!(c.hits()[0]["camera"], "12");
    let e = c.first_error();
    assert!(
        e.starts_with("camera: expected a string or a whole number"),
        "{e}"
    );
}

#[test]
fn times_in_unix_seconds_or_milliseconds_read_as_their_instant() {
    // Camera systems often send epoch numbers. 08:00:00Z on 2026-01-05 is
    // 1767600000 s (`date -u -d 2026-01-05T08:00:00Z +%s`); 08:10:00.5Z
    // is 600.5 s later.
    let c = Case::new();
    let reads = c.write(
        "reads.jsonl",
        &(read("2026-01-05T08:00:00Z", "cam-1", "1WNT000")
            + &read("2026-01-05T08:10:00.500Z", "cam-1", "1ABC234")),
    );
    c.replay(&reads, &[]).unwrap();
    let want = c.hits();
    assert_eq!(want.len(), 2, "{want:?}");
    let reads = c.write(
        "reads.jsonl",
        "{\"ts\":1767600000000,\"camera\":\"cam-1\",\"plate\":\"1WNT000\"}\n\
         {\"ts\":1767600600.5,\"camera\":\"cam-1\",\"plate\":\"1ABC234\"}\n",
    );
    c.replay(&reads, &[]).unwrap();
    assert_eq!(c.hits(), want);
    let reads = c.write(
        "reads.csv",
        "ts,camera,plate\n1767600000,cam-1,1WNT000\n1767600600500,cam-1,1ABC234\n",
    );
    c.replay(&reads, &[]).unwrap();
    assert_eq!(c.hits(), want);
    // A number of neither size is a bad line that says what a number is.
    let reads = c.write("reads.csv", "ts,camera,plate\n17676000,cam-1,1WNT000\n");
    c.replay(&reads, &[]).unwrap();
    let e = c.first_error();
    assert!(e.contains("Unix seconds or milliseconds"), "{e}");
}

#[test]
fn a_failed_rerun_leaves_the_earlier_results_whole() {
    let c = Case::new();
    let reads = c.two_hits();
    c.replay(&reads, &["--frames"]).unwrap();
    let outputs = [
        "hits.jsonl",
        "hits.frames",
        "report.json",
        "report.svg",
        "report.html",
    ];
    let before: Vec<Vec<u8>> = outputs
        .iter()
        .map(|f| std::fs::read(c.path("out").join(f)).unwrap())
        .collect();
    let same = || {
        for (f, b) in outputs.iter().zip(&before) {
            assert_eq!(&std::fs::read(c.path("out").join(f)).unwrap(), b, "{f}");
        }
        let names: Vec<String> = std::fs::read_dir(c.path("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), outputs.len(), "{names:?}");
    };
    // A typo in --reads.
    assert!(c.replay(&c.path("no-such.jsonl"), &["--frames"]).is_err());
    same();
    // A truncated gzip stream: an error (exit 1), as for JSON Lines.
    let mut big = String::new();
    for (ts, plate) in unlisted(3000) {
        big += &read(&ts, "cam-1", &plate);
    }
    for name in ["trunc.jsonl.gz", "trunc.csv.gz"] {
        let text = if name.contains("csv") {
            big.lines()
                .map(|l| {
                    let v: Value = serde_json::from_str(l).unwrap();
                    format!(
                        "{},{},{}\n",
                        v["ts"].as_str().unwrap(),
                        "cam-1",
                        v["plate"].as_str().unwrap()
                    )
                })
                .fold(String::from("ts,camera,plate\n"), |a, l| a + &l)
        } else {
            big.clone()
        };
        let p = c.gz(name, text.as_bytes());
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
        let e = format!("{:#}", c.replay(&p, &["--frames"]).unwrap_err());
        assert!(e.contains("read error after line"), "{name}: {e}");
        same();
    }
    // A planted link is replaced, not written through.
    let victim = c.write("victim", "keep");
    std::fs::remove_file(c.path("out/hits.jsonl")).unwrap();
    std::os::unix::fs::symlink(&victim, c.path("out/hits.jsonl")).unwrap();
    c.replay(&reads, &[]).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    assert_eq!(c.hits().len(), 2);
    // Without --frames, the earlier run's frames do not stay beside the
    // new report.
    assert!(!c.path("out/hits.frames").exists());
    // An input that is an output is refused, and left alone.
    let hits = std::fs::read(c.path("out/hits.jsonl")).unwrap();
    let e = format!(
        "{:#}",
        c.replay(&c.path("out/hits.jsonl"), &[]).unwrap_err()
    );
    assert!(e.contains("is also an output of this run"), "{e}");
    assert_eq!(std::fs::read(c.path("out/hits.jsonl")).unwrap(), hits);
    // A second run into a directory being written is refused.
    let lock = hitgate_host::outdir::OutDir::open(&c.path("out"), &["report.json"], &[]).unwrap();
    let e = format!("{:#}", c.replay(&reads, &[]).unwrap_err());
    assert!(e.contains("another hitgate run is writing there"), "{e}");
    drop(lock);
    c.replay(&reads, &[]).unwrap();
}

#[test]
fn prepare_counts_a_line_the_unit_would_reject_and_leaves_no_partial_bundle() {
    let c = Case::new();
    let long = "A".repeat(600);
    let reads = c.write(
        "reads.jsonl",
        &(read("2026-01-05T08:00:00Z", "cam-1", &long)
            + &read("2026-01-05T08:00:01Z", &"c".repeat(600), "1WNT000")
            + &read("2026-01-05T08:00:02Z", "cam-1", "1WNT000")),
    );
    let (r, l, b) = (
        reads.to_str().unwrap().to_string(),
        c.path("lists.csv").to_str().unwrap().to_string(),
        c.path("bundle.bin").to_str().unwrap().to_string(),
    );
    let s = hitgate_host::bundle_file::prepare(
        std::slice::from_ref(&reads),
        &hitgate_host::lists::ListsData::load(&[c.path("lists.csv")], &[]).unwrap(),
        &hitgate_host::policy_file::PolicyFile::baseline(),
        1,
        &c.path("bundle.bin"),
        false,
        &Default::default(),
    )
    .unwrap();
    assert_eq!((s.reads, s.input.bad_lines), (1, 2));
    assert_eq!(s.input.errors[0].line, 1);
    assert!(
        s.input.errors[0].error.contains("longer than"),
        "{:?}",
        s.input.errors
    );
    assert_eq!(s.input.errors[1].line, 2);
    // The same lines are the replay's bad lines.
    c.replay(&reads, &[]).unwrap();
    let rep = c.report();
    assert_eq!(rep["input"]["bad_lines"], 2);
    // A failing run keeps the earlier bundle whole and leaves nothing else.
    let before = std::fs::read(&b).unwrap();
    std::fs::write(c.path("lists.csv"), format!("{LISTS}1WNT000,,0,wanted,,\n")).unwrap();
    assert!(hitgate(&["prepare", "--reads", &r, "--lists", &l, "--out", &b]).is_err());
    assert_eq!(std::fs::read(&b).unwrap(), before);
    let left = std::fs::read_dir(c.dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .count();
    assert_eq!(left, 0);
}

#[test]
fn unknown_confidence_is_kept_and_a_position_out_of_range_is_a_bad_line() {
    let c = Case::new();
    let text = "{\"ts\":\"2026-01-05T08:00:00Z\",\"camera\":\"cam-1\",\"plate\":\"1WNT000\",\"confidence\":-1}\n\
                {\"ts\":\"2026-01-05T09:00:00Z\",\"camera\":\"cam-1\",\"plate\":\"1ABC234\",\"lat\":1000,\"lon\":4.3}\n\
                {\"ts\":\"2026-01-05T09:00:00Z\",\"camera\":\"cam-1\",\"plate\":\"1ABC234\",\"lat\":50.8}\n\
                {\"ts\":\"2026-01-05T09:10:00Z\",\"camera\":\"cam-1\",\"plate\":\"1ABC234\",\"confidence\":-5}\n";
    let reads = c.write("reads.jsonl", text);
    c.replay(&reads, &[]).unwrap();
    let r = c.report();
    let errors: Vec<&str> = r["input"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["error"].as_str().unwrap())
        .collect();
    assert_eq!(
        errors,
        [
            "lat: outside -90 to 90",
            "lat without lon",
            "confidence is outside 0 to 100 (-1: unknown)"
        ]
    );
    let hits = c.hits();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["listed"], "1WNT000");
}

#[test]
fn eval_refuses_a_repeated_seq_and_a_time_it_cannot_read() {
    let c = Case::new();
    let reads = c.two_hits();
    c.replay(&reads, &[]).unwrap();
    let hits = std::fs::read_to_string(c.path("out/hits.jsonl")).unwrap();
    let truth = c.write("truth.jsonl", "");
    let t = truth.to_str().unwrap();
    let first = hits.lines().next().unwrap();
    let dup = c.write("dup.jsonl", &format!("{hits}{first}\n"));
    let e = format!(
        "{:#}",
        hitgate(&["eval", "--hits", dup.to_str().unwrap(), "--truth", t]).unwrap_err()
    );
    assert!(
        e.contains("dup.jsonl:3: seq 0 already used at line 1"),
        "{e}"
    );
    let bad = c.write(
        "bad.jsonl",
        &hits.replacen("2026-01-05T08:00:00", "noon", 1),
    );
    let e = format!(
        "{:#}",
        hitgate(&["eval", "--hits", bad.to_str().unwrap(), "--truth", t]).unwrap_err()
    );
    assert!(e.contains("bad.jsonl:1: ts"), "{e}");
}

#[test]
fn settings_the_generator_cannot_honour_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().to_str().unwrap();
    let e = format!(
        "{:#}",
        hitgate(&["gen", "--out", out, "--decoys", "1000000000"]).unwrap_err()
    );
    assert!(e.contains("--decoys 1000000000: at most"), "{e}");
}

#[test]
fn a_list_row_without_a_list_name_is_refused() {
    let c = Case::new();
    c.write("lists.csv", &format!("{LISTS}1XYZ111,,1,,,\n"));
    let reads = c.write(
        "reads.jsonl",
        &read("2026-01-05T08:00:00Z", "cam-1", "1WNT000"),
    );
    let e = format!("{:#}", c.replay(&reads, &[]).unwrap_err());
    assert!(e.contains("lists.csv:4: the list name is empty"), "{e}");
}

#[test]
fn one_camera_clock_years_ahead_does_not_turn_dispatch_off() {
    let c = Case::new();
    // cam-3's clock is five years ahead.
    let text = reads(
        "08:00:00 cam-1 1QQQ001; 08:00:01 cam-2 1QQQ002; 2031-01-05T08:00:00Z cam-3 1ABC234; \
         08:00:05 cam-1 1QQQ003; 08:10:00 cam-2 1WNT000; 08:10:01 cam-1 1QQQ004",
    );
    let reads = c.write("reads.jsonl", &text);
    c.replay(&reads, &[]).unwrap();
    let r = c.report();
    assert_eq!(r["rejected"]["future"], 1, "{r}");
    assert_eq!(r["input"]["errors"][0]["line"], 3);
    let hits = c.hits();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["listed"], "1WNT000");
    assert_eq!(hits[0]["action"], "dispatch");
    assert_eq!(hits[0]["late"], false);
    // With arrival times, the unit's own clock decides as before: the read
    // arrived in 2026, so it is five years ahead of it and refused.
    let text = text.replace("\"}", "\",\"arrival\":\"2026-01-05T08:10:02Z\"}");
    let reads = c.write("stamped.jsonl", &text);
    c.replay(&reads, &[]).unwrap();
    assert_eq!(c.report()["rejected"]["future"], 1);
    assert_eq!(c.hits()[0]["action"], "dispatch");
}

/// The same with the camera an hour ahead as the recording's first read
/// (a unit starting on it): before, it set the unit's clock, every later
/// hit came late, and the dispatch went to review.
#[test]
fn a_first_read_an_hour_ahead_does_not_make_every_hit_late() {
    let c = Case::new();
    let text = reads(
        "09:00:00 cam-3 1ABC234; 08:00:00 cam-1 1QQQ001; 08:00:01 cam-2 1QQQ002; \
         08:00:05 cam-1 1QQQ003; 08:10:00 cam-2 1WNT000; 08:10:01 cam-1 1QQQ004",
    );
    let reads = c.write("reads.jsonl", &text);
    c.replay(&reads, &[]).unwrap();
    let r = c.report();
    assert_eq!(r["rejected"]["future"], 1, "{r}");
    assert_eq!(r["input"]["errors"][0]["line"], 1);
    let hits = c.hits();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["listed"], "1WNT000");
    assert_eq!(hits[0]["action"], "dispatch");
    assert_eq!(hits[0]["late"], false);
}

/// A recording whose cameras call themselves by long names (a register's
/// names, UUIDs): before, every read was a bad line ("camera id is longer
/// than 16 bytes") and nothing was decided.
#[test]
fn cameras_with_long_ids_decide_as_their_short_twins() {
    let d = tempfile::tempdir().unwrap();
    let p = |s: &str| d.path().join(s).to_str().unwrap().to_string();
    hitgate(&["gen", "--preset", "small", "--seed", "4", "--out", &p("s")]).unwrap();
    // The same scenario, every camera renamed in reads, truth and policy
    // (the operation's rule and the fixed cameras' positions name them).
    let long = |short: &str| match short.strip_prefix("cam-") {
        Some(n) => format!("bxl-ring-north-anpr-cam-{n}"),
        None => format!("{short}-van-brussels-capital"),
    };
    std::fs::create_dir(p("l")).unwrap();
    for f in ["reads.jsonl", "truth.jsonl", "policy.toml", "lists.csv"] {
        let text = std::fs::read_to_string(p(&format!("s/{f}"))).unwrap();
        let text = text
            .replace("\"cam-0", "\"bxl-ring-north-anpr-cam-0")
            .replace("\"mobile-1\"", "\"mobile-1-van-brussels-capital\"");
        std::fs::write(p(&format!("l/{f}")), text).unwrap();
    }
    let run = |dir: &str| {
        let (r, l, pol, o) = (
            p(&format!("{dir}/reads.jsonl")),
            p(&format!("{dir}/lists.csv")),
            p(&format!("{dir}/policy.toml")),
            p(&format!("{dir}/out")),
        );
        hitgate(&[
            "replay", "--reads", &r, "--lists", &l, "--policy", &pol, "--out", &o, "--quiet",
        ])
        .unwrap();
        let report: Value = serde_json::from_str(
            &std::fs::read_to_string(p(&format!("{dir}/out/report.json"))).unwrap(),
        )
        .unwrap();
        (
            jsonl(Path::new(&p(&format!("{dir}/out/hits.jsonl")))),
            report,
        )
    };
    let (short_hits, short_report) = run("s");
    let (long_hits, long_report) = run("l");
    assert_eq!(
        long_report["input"]["bad_lines"], 0,
        "{}",
        long_report["input"]
    );
    assert!(short_hits.len() > 10, "{}", short_hits.len());
    assert!(
        short_hits
            .iter()
            .any(|h| h["camera"] == "cam-01" && h["rule"] == "p2-local-rush"),
        "the rule that names a camera decides something"
    );
    // The report maps each folded id back; the hits name it folded.
    let folded = &long_report["input"]["folded_cameras"]["ids"];
    assert_eq!(folded.as_object().unwrap().len(), 3, "{folded}");
    assert_eq!(
        folded["bxl-rin~8de43220"], "bxl-ring-north-anpr-cam-01",
        "the fold worked out by hand (Python: FNV-1a 32 of the whole id)"
    );
    assert_eq!(short_hits.len(), long_hits.len());
    for (s, l) in short_hits.iter().zip(&long_hits) {
        let mut l = l.clone();
        let back = folded[l["camera"].as_str().unwrap()].as_str().unwrap();
        assert_eq!(back, long(s["camera"].as_str().unwrap()));
        l["camera"] = s["camera"].clone();
        assert_eq!(*s, l);
    }
    assert!(
        short_report["input"]["folded_cameras"]["ids"]
            .as_object()
            .unwrap()
            .is_empty()
    );
    // compare maps them back the same way.
    let (l, pol) = (p("l/lists.csv"), p("l/policy.toml"));
    hitgate(&[
        "compare",
        "--reads",
        &p("l/reads.jsonl"),
        "--lists",
        &l,
        "--policy",
        &pol,
        "--policy",
        &pol,
        "--out",
        &p("l/cmp"),
    ])
    .unwrap();
    let cmp: Value =
        serde_json::from_str(&std::fs::read_to_string(p("l/cmp/compare.json")).unwrap()).unwrap();
    assert_eq!(cmp["folded_cameras"]["ids"], *folded);
    assert_eq!(cmp["bad_lines"], 0);
    // Scored against a truth that names the cameras in full: the same.
    let score = |dir: &str| {
        let e = hitgate_host::eval::evaluate(
            Path::new(&p(&format!("{dir}/out/hits.jsonl"))),
            Path::new(&p(&format!("{dir}/truth.jsonl"))),
        )
        .unwrap();
        serde_json::to_value((&e.by_priority, &e.total)).unwrap()
    };
    assert_eq!(score("s"), score("l"));
}

#[test]
fn a_camera_prefix_longer_than_a_fold_keeps_is_pointed_out() {
    let c = Case::new();
    c.write(
        "policy.toml",
        "[[rule]]\nname = \"site\"\npriorities = [0, 1]\ncameras = [\"bxl-ring-*\"]\naction = \"dispatch\"\n",
    );
    let reads = c.write(
        "reads.jsonl",
        &read(
            "2026-01-05T08:00:00Z",
            "bxl-ring-north-anpr-cam-01",
            "1WNT000",
        ),
    );
    let policy = c.path("policy.toml");
    c.replay(&reads, &["--policy", policy.to_str().unwrap()])
        .unwrap();
    // The prefix is 9 bytes, the fold keeps 7: the read's camera, folded
    // to `bxl-rin~8de43220`, does not match, and the summary says so.
    assert_eq!(c.hits().len(), 0, "{:?}", c.hits());
    let s = c.summary();
    assert!(s.contains("site: bxl-ring-*"), "{s}");
    assert!(s.contains("1 camera id longer than 16 bytes"), "{s}");
}

#[test]
fn times_written_as_logs_and_databases_write_them_are_read_at_their_offset() {
    // Three ways of writing a time, 08:00:00Z, 08:20:00Z and 08:40:00Z
    // (by hand: CET is one hour east of UTC; the third comes 40 minutes
    // after the first, outside its re-alert window), then a date written
    // day first, which no one can read for sure.
    let c = Case::new();
    let reads = c.write(
        "reads.csv",
        "ts,camera,plate\n\
         2026-01-05 09:00:00 CET,cam-1,1WNT000\n\
         2026-01-05T09:20:00+0100,cam-1,1ABC234\n\
         2026-01-05 08:40:00 UTC,cam-2,1WNT000\n\
         05/01/2026 08:50:00,cam-2,1ABC234\n",
    );
    c.replay(&reads, &[]).unwrap();
    assert_eq!(
        c.hit_fields("ts", "listed"),
        [
            "2026-01-05T08:00:00.000Z 1WNT000",
            "2026-01-05T08:20:00.000Z 1ABC234",
            "2026-01-05T08:40:00.000Z 1WNT000",
        ]
    );
    assert_eq!(c.report()["input"]["bad_lines"], 1);
    let e = c.first_error();
    assert!(e.contains("the year last"), "{e}");
    assert_eq!(c.report()["input"]["times_without_offset"], 0);
}

#[test]
fn a_file_exported_per_camera_reads_with_the_camera_it_is_given() {
    // No camera column or field: before, the CSV was refused at its header
    // and every JSON line was a bad line, whatever the user knew.
    let c = Case::new();
    let csv = c.write(
        "reads.csv",
        "ts,plate\n2026-01-05T08:00:00Z,1WNT000\n2026-01-05T08:10:00Z,1ABC234\n",
    );
    let e = format!("{:#}", c.replay(&csv, &[]).unwrap_err());
    assert!(e.contains("camera"), "{e}");
    let e = format!(
        "{:#}",
        c.replay(&csv, &["--camera", "gare du midi"]).unwrap_err()
    );
    assert!(
        e.contains("--camera \"gare du midi\": camera id is empty or not printable"),
        "{e}"
    );
    c.replay(&csv, &["--camera", "gare-du-midi-2"]).unwrap();
    assert_eq!(
        c.hit_fields("camera", "listed"),
        ["gare-du-midi-2 1WNT000", "gare-du-midi-2 1ABC234"]
    );
    // `lists` takes its traffic from the same file the same way.
    let (l, r) = (c.path("lists.csv"), csv.to_str().unwrap().to_string());
    let lists = [
        "lists",
        "--lists",
        l.to_str().unwrap(),
        "--reads",
        &r,
        "--json",
    ];
    let e = format!("{:#}", hitgate(&lists).unwrap_err());
    assert!(e.contains("camera"), "{e}");
    hitgate(&[&lists[..], &["--camera", "gare-du-midi-2"]].concat()).unwrap();
    // JSON Lines: a line that names its camera keeps it; an empty one
    // takes the given one.
    let jsonl = c.write(
        "reads.jsonl",
        "{\"ts\":\"2026-01-05T08:00:00Z\",\"plate\":\"1WNT000\"}\n\
         {\"ts\":\"2026-01-05T08:10:00Z\",\"camera\":\"cam-7\",\"plate\":\"1ABC234\"}\n\
         {\"ts\":\"2026-01-05T09:00:00Z\",\"camera\":\"\",\"plate\":\"1ABC234\"}\n",
    );
    c.replay(&jsonl, &[]).unwrap();
    assert_eq!(c.report()["input"]["bad_lines"], 2);
    assert!(
        c.first_error().contains("missing field `camera`"),
        "{}",
        c.first_error()
    );
    c.replay(&jsonl, &["--camera", "gare-du-midi-2"]).unwrap();
    assert_eq!(c.report()["input"]["bad_lines"], 0);
    assert_eq!(
        c.hit_fields("camera", "listed"),
        [
            "gare-du-midi-2 1WNT000",
            "cam-7 1ABC234",
            "gare-du-midi-2 1ABC234"
        ]
    );
}
