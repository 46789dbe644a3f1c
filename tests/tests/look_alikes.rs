//! A zone's own look-alike classes (`[ocr] classes` in the policy): an
//! engine that reads `A` as `4` misses a listed car under the default
//! classes and catches it once the zone names the pair; a unit's signed
//! image carries the pair, so a unit matches as the replay does.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use hitgate_e2e::{hitgate, jsonl};

const LISTS: &str = "plate,country,priority,list,valid_from,valid_until\n1ABC234,BE,1,stolen,,\n";
const READS: &str = "ts,camera,plate,confidence,arrival
2026-01-05T08:00:00.000Z,cam-1,1-4BC-234,90,
2026-01-05T08:00:00.200Z,cam-1,1-4BC-234,85,
";
const POLICY: &str =
    "[[list]]\nname = \"stolen\"\ntolerance = { ocr = 1, edits = 0, min_len = 5 }\n";

#[test]
fn a_zone_that_names_its_engines_look_alikes_catches_the_misread_car() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_string_lossy().into_owned();
    std::fs::write(p("lists.csv"), LISTS).unwrap();
    std::fs::write(p("reads.csv"), READS).unwrap();
    std::fs::write(p("default.toml"), POLICY).unwrap();
    std::fs::write(
        p("zone.toml"),
        format!(
            "{POLICY}\n[ocr]\nclasses = [\"0ODQ\", \"1ILT\", \"8B\", \"5S\", \"2Z\", \"6G\", \"A4\"]\n"
        ),
    )
    .unwrap();
    let replay_with = |out: &str, inputs: &[&str]| {
        let (reads, out_p) = (p("reads.csv"), p(out));
        let mut args = vec!["replay", "--quiet", "--reads", &reads, "--out", &out_p];
        args.extend_from_slice(inputs);
        hitgate(&args).unwrap();
        jsonl(&d.path().join(out).join("hits.jsonl"))
    };
    let replay = |policy: &str, out: &str| {
        replay_with(out, &["--lists", &p("lists.csv"), "--policy", &p(policy)])
    };
    // One look-alike allowed, but A and 4 are not alike by default, and
    // no other edit is allowed: missed.
    assert!(replay("default.toml", "a").is_empty());
    let hits = replay("zone.toml", "b");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["listed"], "1ABC234");
    assert_eq!(hits[0]["read"], "14BC234");
    assert_eq!(
        (hits[0]["match"].as_str(), hits[0]["ocr"].as_u64()),
        (Some("ocr"), Some(1))
    );
    // The zone's signed image carries its classes: a unit loading it
    // catches the car too, and one built without them does not.
    hitgate(&["keygen", "--out", &p("zone.key")]).unwrap();
    for policy in ["zone", "default"] {
        hitgate(&[
            "bundle",
            "build",
            "--lists",
            &p("lists.csv"),
            "--policy",
            &p(&format!("{policy}.toml")),
            "--list-version",
            "1",
            "--key",
            &p("zone.key"),
            "--out",
            &p(&format!("{policy}.hgsb")),
        ])
        .unwrap();
    }
    let public = p("zone.key.pub");
    let from_image =
        |image: &str, out: &str| replay_with(out, &["--bundle", &p(image), "--public", &public]);
    let unit = from_image("zone.hgsb", "c");
    assert_eq!(unit.len(), 1, "{unit:?}");
    assert_eq!(
        (&unit[0]["listed"], &unit[0]["read"]),
        (&hits[0]["listed"], &hits[0]["read"])
    );
    assert!(from_image("default.hgsb", "d").is_empty());
}

/// `hitgate learn` on a generated recording, with no ground truth, finds
/// the classes the generator's OCR model confuses (its look-alike
/// substitutions follow the default classes; a sixth of its errors are
/// random characters): the proposal, pasted into a policy, is the default
/// partition, pair for pair.
#[test]
fn learn_finds_the_look_alikes_of_a_recording_without_ground_truth() {
    use hitgate_core::confusion::ConfusionClasses;
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n).to_string_lossy().into_owned();
    hitgate(&[
        "gen",
        "--preset",
        "small",
        "--seed",
        "2",
        "--error-rate",
        "0.08",
        "--out",
        &p("scen"),
    ])
    .unwrap();
    hitgate(&[
        "learn",
        "--reads",
        &p("scen/reads.jsonl"),
        "--out",
        &p("ocr.toml"),
        "--json",
    ])
    .unwrap();
    let proposal = std::fs::read_to_string(p("ocr.toml")).unwrap();
    let pf = hitgate_host::policy_file::PolicyFile::parse(&proposal).unwrap();
    let (got, want) = (pf.classes, ConfusionClasses::default());
    let chars = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for &a in chars {
        for &b in chars {
            assert_eq!(
                got.alike(a, b),
                want.alike(a, b),
                "{}/{}: {proposal}",
                a as char,
                b as char
            );
        }
    }
}
