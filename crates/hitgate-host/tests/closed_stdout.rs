//! A reader that stops early (`hitgate lists | head`) closes standard
//! output under the command: it must leave quietly, not panic.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use std::process::{Command, Stdio};

#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let lists = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/basic/lists.csv"
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_hitgate"))
        .args(["lists", "--lists", lists, "--plates", "20000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the reading end before the command has anything to write.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(stderr.is_empty(), "{stderr}");
}
