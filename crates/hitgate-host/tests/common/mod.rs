//! Shared by the outbox bench and the tests.

#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

pub(crate) mod brokers;

use std::path::Path;
use std::process::Command;

use hitgate_core::distance::Distance;
use hitgate_core::hit::{Hit, Reason};
use hitgate_core::list::{ListId, Priority};
use hitgate_core::plate::Plate;
use hitgate_core::policy::{Action, RuleId};
use hitgate_core::read::CameraId;
use hitgate_core::watchlist::MatchKind;

/// The `n`-th of a stream of hits: one a second, priorities 0 to 2, one
/// in four for review.
pub(crate) fn hit(n: u64) -> Hit {
    let plate = format!("1ABC{:03}", n % 1000);
    let plate = Plate::normalize(plate.as_bytes()).unwrap();
    Hit {
        seq: n as u32,
        time: 1_767_225_600_000 + n * 1000,
        camera: CameraId::new("cam-7").unwrap(),
        read: plate,
        reads: 3,
        listed: plate,
        country: None,
        list: ListId(1),
        priority: Priority::new((n % 3) as u8).unwrap(),
        kind: MatchKind::Exact,
        distance: Distance { ocr: 0, edits: 0 },
        action: if n.is_multiple_of(4) {
            Action::Review
        } else {
            Action::Dispatch
        },
        rule: RuleId::Rule(0),
        rule_tag: None,
        reason: Reason::Rule,
        late: false,
        version: 3,
        position: None,
    }
}

/// The DOM Chromium renders from `page`, headless and offline; fails on
/// a console error.
pub(crate) fn headless_dom(page: &Path) -> String {
    let found = Command::new("sh")
        .args(["-c", "command -v chromium"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "chromium is not installed (Debian package chromium; ./ci.sh installs it)"
    );
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium: {err}");
    for line in err.lines().filter(|l| l.contains("CONSOLE")) {
        assert!(!line.contains("rror"), "the page logged an error: {line}");
    }
    String::from_utf8(out.stdout).unwrap()
}
