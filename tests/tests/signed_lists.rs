//! Signed list images through the command line: `keygen`, `bundle
//! build|delta|verify|inspect` and `replay --bundle --delta`, on the
//! hand-checked fixture.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use std::path::{Path, PathBuf};

use hitgate_e2e::{fixture, hitgate, jsonl};

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// A key pair and the fixture lists as version 7, and as version 8 with
/// 1ABC234 gone, 1DEC888 raised to priority 0 and 1NEW999 added.
struct Setup {
    dir: tempfile::TempDir,
    key: PathBuf,
    public: PathBuf,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("zone.key");
        hitgate(&["keygen", "--out", &s(&key)]).unwrap();
        let public = dir.path().join("zone.key.pub");
        let lists = std::fs::read_to_string(fixture("basic/lists.csv")).unwrap();
        let v8: String = lists
            .lines()
            .filter(|l| !l.starts_with("1ABC234"))
            .map(|l| {
                if l.starts_with("1DEC888") {
                    "1DEC888,,0,stolen,,".to_string()
                } else {
                    l.to_string()
                }
            })
            .chain(["1NEW999,BE,1,stolen,,".to_string()])
            .map(|l| l + "\n")
            .collect();
        std::fs::write(dir.path().join("lists-8.csv"), v8).unwrap();
        // Lists declared in the policy keep their ids from one version to
        // the next; lists declared by the files alone are numbered as they
        // first appear, which a removal can change.
        let policy = ["stolen", "wanted", "insurance", "local", "inspection"]
            .iter()
            .map(|n| {
                let local = if *n == "local" { "local = true\n" } else { "" };
                format!("[[list]]\nname = \"{n}\"\n{local}")
            })
            .collect::<String>();
        std::fs::write(dir.path().join("policy.toml"), policy).unwrap();
        let me = Self { dir, key, public };
        me.build(&fixture("basic/lists.csv"), 7, "v7.hgsb");
        me.build(&me.path("lists-8.csv"), 8, "v8.hgsb");
        hitgate(&[
            "bundle",
            "delta",
            "--from",
            &me.p("v7.hgsb"),
            "--to",
            &me.p("v8.hgsb"),
            "--key",
            &s(&me.key),
            "--out",
            &me.p("d78.hgsb"),
        ])
        .unwrap();
        me
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn p(&self, name: &str) -> String {
        s(&self.path(name))
    }

    fn build(&self, lists: &Path, version: u32, out: &str) {
        hitgate(&[
            "bundle",
            "build",
            "--lists",
            &s(lists),
            "--policy",
            &self.p("policy.toml"),
            "--list-version",
            &version.to_string(),
            "--key",
            &s(&self.key),
            "--out",
            &self.p(out),
        ])
        .unwrap();
    }

    /// Replays the fixture reads with `inputs`; the hits.
    fn replay(&self, name: &str, inputs: &[&str]) -> anyhow::Result<Vec<serde_json::Value>> {
        let out = self.path(name);
        let (out_s, reads) = (s(&out), s(&fixture("basic/reads.jsonl")));
        let mut args = vec!["replay", "--quiet", "--out", &out_s, "--reads", &reads];
        args.extend_from_slice(inputs);
        hitgate(&args)?;
        Ok(jsonl(&out.join("hits.jsonl")))
    }
}

fn listed(hits: &[serde_json::Value]) -> Vec<(String, u64, u64)> {
    hits.iter()
        .map(|h| {
            (
                h["listed"].as_str().unwrap().to_string(),
                h["priority"].as_u64().unwrap(),
                h["version"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_secret_key_file_is_private_and_never_overwritten() {
    let t = Setup::new();
    let text = std::fs::read_to_string(&t.key).unwrap();
    assert!(text.starts_with("hitgate-ed25519-secret "), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&t.key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let public = std::fs::read_to_string(&t.public).unwrap();
    let secret_hex = text.split_whitespace().nth(1).unwrap();
    assert!(!public.contains(secret_hex));
    let e = hitgate(&["keygen", "--out", &s(&t.key)]).unwrap_err();
    assert!(e.to_string().contains("never overwritten"), "{e}");
    assert_eq!(std::fs::read_to_string(&t.key).unwrap(), text);
}

#[test]
fn a_delta_replays_as_the_full_image_and_the_lists_of_its_version() {
    let t = Setup::new();
    let pubkey = s(&t.public);
    let v7 = t
        .replay("v7", &["--bundle", &t.p("v7.hgsb"), "--public", &pubkey])
        .unwrap();
    // The full image of version 7 is the fixture: its hand-checked hits.
    let want: Vec<_> = listed(&jsonl(&fixture("basic/expected-hits.jsonl")))
        .into_iter()
        .map(|(p, pr, _)| (p, pr, 7))
        .collect();
    assert_eq!(listed(&v7), want);

    let delta = t
        .replay(
            "delta",
            &[
                "--bundle",
                &t.p("v7.hgsb"),
                "--delta",
                &t.p("d78.hgsb"),
                "--public",
                &pubkey,
            ],
        )
        .unwrap();
    let full = t
        .replay("v8", &["--bundle", &t.p("v8.hgsb"), "--public", &pubkey])
        .unwrap();
    let loose = t
        .replay(
            "loose",
            &[
                "--lists",
                &t.p("lists-8.csv"),
                "--policy",
                &t.p("policy.toml"),
                "--list-version",
                "8",
            ],
        )
        .unwrap();
    assert_eq!(delta, full);
    assert_eq!(delta, loose);
    let got = listed(&delta);
    assert!(got.iter().all(|h| h.2 == 8), "{got:?}");
    assert!(!got.iter().any(|h| h.0 == "1ABC234"), "{got:?}");
    assert!(got.contains(&("1DEC888".into(), 0, 8)), "{got:?}");
    assert_eq!(got.len(), want.len() - 1);
}

#[test]
fn refused_images_say_why_and_leave_the_lists_in_force() {
    let t = Setup::new();
    let pubkey = s(&t.public);
    // One bit of the delta's body.
    let mut bytes = std::fs::read(t.path("d78.hgsb")).unwrap();
    bytes[70] ^= 1;
    std::fs::write(t.path("bad.hgsb"), &bytes).unwrap();
    let e = hitgate(&["bundle", "verify", &t.p("bad.hgsb"), "--public", &pubkey]).unwrap_err();
    assert!(e.to_string().contains("altered"), "{e}");
    // A unit refuses the delta and goes on with the lists in force:
    // version 7's hits, and the refusal counted on its flash, across runs.
    let state = t.p("state");
    let with = |name: &str, delta: &str| {
        t.replay(
            name,
            &[
                "--bundle",
                &t.p("v7.hgsb"),
                "--delta",
                &t.p(delta),
                "--public",
                &pubkey,
                "--state",
                &state,
            ],
        )
        .unwrap()
    };
    let bad = with("bad", "bad.hgsb");
    assert!(listed(&bad).iter().all(|h| h.2 == 7), "{:?}", listed(&bad));
    let v7 = t
        .replay("v7", &["--bundle", &t.p("v7.hgsb"), "--public", &pubkey])
        .unwrap();
    assert_eq!(bad, v7);
    let uplink = |name: &str| {
        let r: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(t.path(name).join("report.json")).unwrap(),
        )
        .unwrap();
        (
            r["uplink"]["list_version"].as_u64(),
            r["uplink"]["refused_images"].as_u64(),
        )
    };
    assert_eq!(uplink("bad"), (Some(7), Some(1)));
    with("bad-again", "bad.hgsb");
    assert_eq!(uplink("bad-again"), (Some(7), Some(2)));
    // The good delta then takes the unit to version 8; version 7 alone is
    // refused on that unit from then on (no rollback across runs).
    with("good", "d78.hgsb");
    assert_eq!(uplink("good"), (Some(8), Some(2)));
    let e = t
        .replay(
            "rollback",
            &[
                "--bundle",
                &t.p("v7.hgsb"),
                "--public",
                &pubkey,
                "--state",
                &state,
            ],
        )
        .unwrap_err();
    assert!(e.to_string().contains("no rollback"), "{e}");
    // A foreign key.
    let other = t.path("other.key");
    hitgate(&["keygen", "--out", &s(&other)]).unwrap();
    let e = t
        .replay(
            "foreign",
            &[
                "--bundle",
                &t.p("v7.hgsb"),
                "--public",
                &t.p("other.key.pub"),
            ],
        )
        .unwrap_err();
    assert!(e.to_string().contains("does not trust"), "{e}");
    // The delta twice: the second is refused (it applies to version 7,
    // 8 is in force); version 8 stays.
    let twice = t
        .replay(
            "twice",
            &[
                "--bundle",
                &t.p("v7.hgsb"),
                "--delta",
                &t.p("d78.hgsb"),
                "--delta",
                &t.p("d78.hgsb"),
                "--public",
                &pubkey,
            ],
        )
        .unwrap();
    assert!(listed(&twice).iter().all(|h| h.2 == 8));
    let p = hitgate_host::signed_file::provision(
        &t.path("v7.hgsb"),
        &[t.path("d78.hgsb"), t.path("d78.hgsb")],
        &hitgate_host::signed_file::load_public(&t.public).unwrap(),
    )
    .unwrap();
    assert_eq!(p.version, 8);
    assert_eq!(p.refused.len(), 1);
    assert!(
        p.refused[0].contains("applies to version 7, version 8 is in force"),
        "{:?}",
        p.refused
    );
    // The succession, as a unit with version 8 in force sees it.
    let e = hitgate(&[
        "bundle",
        "verify",
        &t.p("v7.hgsb"),
        "--public",
        &pubkey,
        "--active",
        "8",
    ])
    .unwrap_err();
    assert!(e.to_string().contains("not newer"), "{e}");
    hitgate(&[
        "bundle",
        "verify",
        &t.p("d78.hgsb"),
        "--public",
        &pubkey,
        "--active",
        "7",
    ])
    .unwrap();
}

#[test]
fn inspect_shows_plates_only_when_asked() {
    let t = Setup::new();
    let i = hitgate_host::signed_file::inspect(&t.path("v8.hgsb"), None, false).unwrap();
    assert_eq!((i.kind, i.version, i.rules), ("full", 8, Some(4)));
    assert!(i.signature.starts_with("not checked"));
    let text = hitgate_host::signed_file::render(&i);
    assert!(text.contains("list stolen: 4 entries"), "{text}");
    assert!(!text.contains("1NEW999"), "{text}");
    let key = hitgate_host::signed_file::load_public(&t.public).unwrap();
    let i = hitgate_host::signed_file::inspect(&t.path("d78.hgsb"), Some(&key), true).unwrap();
    assert_eq!(i.signature, "verified");
    assert_eq!((i.removed, i.added), (Some(2), Some(2)));
    let plates = i.plates.unwrap();
    for p in ["-1ABC234", "-1DEC888", "+1DEC888", "+1NEW999"] {
        assert!(plates.contains(&p.to_string()), "{plates:?}");
    }
}
