//! Helpers for the end-to-end tests in `tests/`: fixture paths and running
//! the `hitgate` command line in-process.

#![allow(clippy::panic)] // test support: a panic is a failed test

use std::path::{Path, PathBuf};

/// A fixture file or folder under `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel)
}

/// Runs `hitgate ARGS...` in-process, exactly as the binary parses them.
pub fn hitgate(args: &[&str]) -> anyhow::Result<()> {
    let mut all = vec!["hitgate"];
    all.extend_from_slice(args);
    hitgate_host::cli::run(all)
}

/// Runs `hitgate replay --quiet` of `reads` against the fixture lists
/// (`basic/lists.csv`) into `out`, with `extra` arguments after.
pub fn replay_fixture_lists(reads: &Path, out: &Path, extra: &[&str]) -> anyhow::Result<()> {
    let (reads, out) = (reads.to_string_lossy(), out.to_string_lossy());
    let lists = fixture("basic/lists.csv");
    let lists = lists.to_string_lossy();
    let mut args = vec![
        "replay", "--reads", &reads, "--lists", &lists, "--out", &out, "--quiet",
    ];
    args.extend_from_slice(extra);
    hitgate(&args)
}

/// Reads a JSON Lines file into values.
pub fn jsonl(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", path.display())))
        .collect()
}
