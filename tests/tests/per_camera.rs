//! A recording exported as a file per camera, replayed as the one unit
//! that received it: `replay --reads` once for each file, merged by time.
//!
//! The reference is the same recording as one file, sorted by event time
//! (camera by camera at equal times, in the order the files are given),
//! replayed through the one-file path: the unit must decide alike, hit
//! for hit, and count alike.

#![allow(clippy::unwrap_used, clippy::panic)] // test code: a panic is a failed test

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hitgate_e2e::{hitgate, jsonl};
use hitgate_host::lists::ListsData;
use hitgate_host::policy_file::PolicyFile;
use hitgate_host::reads::ReadOptions;
use hitgate_host::replay::{TableSizes, traffic};
use serde_json::Value;

/// A small generated scenario in a new folder: the folder, the
/// scenario's, and its reads sorted ([`sorted_reads`]).
fn scenario(seed: &str) -> (tempfile::TempDir, PathBuf, Vec<Value>) {
    let d = tempfile::tempdir().unwrap();
    let scen = d.path().join("s");
    let scen_s = scen.to_string_lossy().into_owned();
    hitgate(&["gen", "--preset", "small", "--seed", seed, "--out", &scen_s]).unwrap();
    let reads = sorted_reads(&scen);
    (d, scen, reads)
}

/// The generated recording's reads sorted by event time, then by camera.
fn sorted_reads(scen: &Path) -> Vec<Value> {
    let mut reads = jsonl(&scen.join("reads.jsonl"));
    let ts = |v: &Value| v["ts"].as_str().unwrap().to_string();
    let camera = |v: &Value| v["camera"].as_str().unwrap().to_string();
    reads.sort_by_key(|v| (ts(v), camera(v)));
    reads
}

fn write_jsonl(path: &Path, lines: &[Value]) {
    let text: String = lines.iter().map(|v| format!("{v}\n")).collect();
    std::fs::write(path, text).unwrap();
}

/// Replays `reads` (each a file, with its `--camera` when `cameras`
/// gives them) into `out` under the scenario's lists and policy, with
/// `extra` arguments.
fn replay_with(
    scen: &Path,
    reads: &[String],
    cameras: &[String],
    out: &Path,
    extra: &[&str],
) -> anyhow::Result<()> {
    let s = |n: &str| scen.join(n).to_string_lossy().into_owned();
    let (lists, policy, out) = (s("lists.csv"), s("policy.toml"), out.to_string_lossy());
    let mut args = vec![
        "replay", "--lists", &lists, "--policy", &policy, "--out", &out, "--quiet",
    ];
    args.extend_from_slice(extra);
    for r in reads {
        args.extend(["--reads", r.as_str()]);
    }
    for c in cameras {
        args.extend(["--camera", c.as_str()]);
    }
    hitgate(&args)
}

fn replay(scen: &Path, reads: &[String], cameras: &[String], out: &Path) -> anyhow::Result<()> {
    replay_with(scen, reads, cameras, out, &[])
}

/// Replays `files` against the fixture lists (no policy) into `out`: its
/// report.
fn replay_fixture_lists(files: &[String], out: &Path) -> Value {
    let out_s = out.to_string_lossy().into_owned();
    let lists = hitgate_e2e::fixture("basic/lists.csv");
    let lists = lists.to_string_lossy().into_owned();
    let mut args = vec!["replay", "--lists", &lists, "--out", &out_s, "--quiet"];
    for f in files {
        args.extend(["--reads", f.as_str()]);
    }
    hitgate(&args).unwrap();
    serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap()
}

/// What a run decided and counted: its hits, and its report's indicators.
fn outcome(out: &Path) -> (Vec<Value>, Value) {
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    (jsonl(&out.join("hits.jsonl")), report["indicators"].clone())
}

#[test]
fn a_file_per_camera_decides_as_the_one_recording_sorted_by_time() {
    let (d, scen, reads) = scenario("11");
    let mut by_camera: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for r in &reads {
        let cam = r["camera"].as_str().unwrap().to_string();
        by_camera.entry(cam).or_default().push(r.clone());
    }
    assert!(by_camera.len() >= 3, "cameras: {:?}", by_camera.keys());

    let one = d.path().join("one.jsonl");
    write_jsonl(&one, &reads);
    replay(
        &scen,
        &[one.to_string_lossy().into_owned()],
        &[],
        &d.path().join("one"),
    )
    .unwrap();
    let (hits, indicators) = outcome(&d.path().join("one"));
    assert!(hits.len() > 10, "{} hits", hits.len());

    // Files that name their camera.
    let mut named = Vec::new();
    for (cam, lines) in &by_camera {
        let p = d.path().join(format!("named-{cam}.jsonl"));
        write_jsonl(&p, lines);
        named.push(p.to_string_lossy().into_owned());
    }
    replay(&scen, &named, &[], &d.path().join("named")).unwrap();
    assert_eq!(
        outcome(&d.path().join("named")),
        (hits.clone(), indicators.clone())
    );

    // Files without the camera field, each given its `--camera`; one of
    // them CSV and gzip-compressed, as another export writes it.
    let mut bare = Vec::new();
    let cameras: Vec<String> = by_camera.keys().cloned().collect();
    for (i, (cam, lines)) in by_camera.iter().enumerate() {
        let lines: Vec<Value> = lines
            .iter()
            .map(|v| {
                let mut v = v.clone();
                v.as_object_mut().unwrap().remove("camera");
                v
            })
            .collect();
        let p = if i == 0 {
            let p = d.path().join(format!("bare-{cam}.csv.gz"));
            let mut csv = String::from("ts,plate,country,confidence,lat,lon\n");
            for v in &lines {
                let field = |k: &str| match &v[k] {
                    Value::Null => String::new(),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                csv += &format!(
                    "{},{},{},{},{},{}\n",
                    field("ts"),
                    field("plate"),
                    field("country"),
                    field("confidence"),
                    field("lat"),
                    field("lon")
                );
            }
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            std::io::Write::write_all(&mut gz, csv.as_bytes()).unwrap();
            std::fs::write(&p, gz.finish().unwrap()).unwrap();
            p
        } else {
            let p = d.path().join(format!("bare-{cam}.jsonl"));
            write_jsonl(&p, &lines);
            p
        };
        bare.push(p.to_string_lossy().into_owned());
    }
    replay(&scen, &bare, &cameras, &d.path().join("bare")).unwrap();
    assert_eq!(outcome(&d.path().join("bare")), (hits, indicators));

    // `learn` counts the same misreads in them.
    let learned = |files: &[String], cameras: &[String], name: &str| {
        let out = d.path().join(name).to_string_lossy().into_owned();
        let mut args = vec![
            "learn",
            "--out",
            &out,
            "--min-count",
            "1",
            "--min-ratio",
            "0.1",
        ];
        for f in files {
            args.extend(["--reads", f.as_str()]);
        }
        for c in cameras {
            args.extend(["--camera", c.as_str()]);
        }
        hitgate(&args).unwrap();
        std::fs::read_to_string(&out).unwrap()
    };
    let whole = learned(&[one.to_string_lossy().into_owned()], &[], "one.toml");
    assert!(
        whole.contains(" substitutions") && !whole.contains(" 0 substitutions"),
        "{whole}"
    );
    assert_eq!(learned(&bare, &cameras, "bare.toml"), whole);

    // `lists --reads` takes the same traffic from them.
    let pf = PolicyFile::load(&scen.join("policy.toml")).unwrap();
    let data = ListsData::load(&[scen.join("lists.csv")], &pf.lists).unwrap();
    let traffic_of = |files: &[String], cameras: &[String]| {
        let files: Vec<PathBuf> = files.iter().map(PathBuf::from).collect();
        let how = ReadOptions {
            naive_times: None,
            cameras: cameras.to_vec(),
        };
        let (t, bad) = traffic(&files, &data, &pf, TableSizes::default(), &how).unwrap();
        assert_eq!(bad, 0);
        (t.reads, t.passages_per_day.unwrap())
    };
    let day = traffic_of(&[one.to_string_lossy().into_owned()], &[]);
    assert_eq!(day.0, reads.len() as u64);
    assert_eq!(traffic_of(&bare, &cameras), day);

    // A camera for some files only, or for one of several, is refused
    // before anything is written.
    let e = replay(&scen, &bare, &cameras[..1], &d.path().join("x")).unwrap_err();
    let said = format!(
        "1 --camera for {} --reads: give one for each file",
        bare.len()
    );
    assert!(e.to_string().contains(&said), "{e}");
    assert!(!d.path().join("x").join("hits.jsonl").exists());
    // So is a file given twice, under another name too.
    let again = d
        .path()
        .join("s/../one.jsonl")
        .to_string_lossy()
        .into_owned();
    let twice = [one.to_string_lossy().into_owned(), again];
    let e = replay(&scen, &twice, &[], &d.path().join("y")).unwrap_err();
    assert!(
        e.to_string().ends_with("one.jsonl: given twice as --reads"),
        "{e}"
    );
}

#[test]
fn a_bad_line_is_named_by_its_file_and_line() {
    let (d, scen, reads) = scenario("12");
    let (a, b) = (d.path().join("a.jsonl"), d.path().join("b.jsonl"));
    let half = reads.len() / 2;
    write_jsonl(&a, &reads[..half]);
    let mut second = serde_json::to_string(&reads[half]).unwrap() + "\n";
    second += "{\"ts\": \"not a time\", \"camera\": \"cam-01\", \"plate\": \"1ABC123\"}\n";
    for v in &reads[half + 1..] {
        second += &format!("{v}\n");
    }
    std::fs::write(&b, second).unwrap();
    let files = [a, b].map(|p| p.to_string_lossy().into_owned());
    replay(&scen, &files, &[], &d.path().join("out")).unwrap();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("out/report.json")).unwrap())
            .unwrap();
    let errors = report["input"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["file"], Value::String(files[1].clone()));
    assert_eq!(errors[0]["line"], 2);
    assert_eq!(report["input"]["bad_lines"], 1);
    // Every other line is a read: none lost at the seam.
    assert_eq!(
        report["indicators"]["reads"].as_u64().unwrap(),
        reads.len() as u64
    );

    // With --strict, the file and line stop the run.
    let e = replay_with(&scen, &files, &[], &d.path().join("strict"), &["--strict"]).unwrap_err();
    assert!(
        e.to_string().starts_with(&format!("{}:2: ts:", files[1])),
        "{e}"
    );
}

#[test]
fn what_each_file_shows_is_summed_over_the_files() {
    // Each file: a camera whose id the unit folds, and a confidence
    // written 0 to 1.
    let d = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, cam) in ["bxl-ring-north-anpr-cam-01", "bxl-ring-south-anpr-cam-02"]
        .iter()
        .enumerate()
    {
        let p = d.path().join(format!("{i}.jsonl"));
        let line = format!(
            "{{\"ts\": \"2026-01-05T08:00:0{i}Z\", \"camera\": \"{cam}\", \"plate\": \"1ABC12{i}\", \
             \"confidence\": 0.9}}\n"
        );
        std::fs::write(&p, line).unwrap();
        files.push(p.to_string_lossy().into_owned());
    }
    let report = replay_fixture_lists(&files, &d.path().join("out"));
    let input = &report["input"];
    assert_eq!(input["confidence_fractions"], 2, "{input}");
    let folded = input["folded_cameras"]["ids"].as_object().unwrap();
    let mut ids: Vec<&str> = folded.values().map(|v| v.as_str().unwrap()).collect();
    ids.sort_unstable();
    assert_eq!(
        ids,
        ["bxl-ring-north-anpr-cam-01", "bxl-ring-south-anpr-cam-02"]
    );
    assert_eq!(report["indicators"]["reads"], 2);
}

#[test]
fn bad_lines_are_reported_in_the_order_the_files_were_given() {
    let d = tempfile::tempdir().unwrap();
    let good = |s: u32| {
        format!(
            "{{\"ts\": \"2026-01-05T08:00:{s:02}Z\", \"camera\": \"cam-1\", \"plate\": \"1ABC123\"}}\n"
        )
    };
    let bad = "{\"ts\": \"never\", \"camera\": \"cam-1\", \"plate\": \"1ABC123\"}\n";
    let (z, a) = (d.path().join("z.jsonl"), d.path().join("a.jsonl"));
    std::fs::write(&z, good(1) + bad + &good(3)).unwrap();
    std::fs::write(&a, bad.to_string() + &good(2)).unwrap();
    let files = [z, a].map(|p| p.to_string_lossy().into_owned());
    let report = replay_fixture_lists(&files, &d.path().join("out"));
    let errors: Vec<(String, u64)> = report["input"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(errors, [(files[0].clone(), 2), (files[1].clone(), 1)]);
}
