//! `hitgate prepare`: lists, policy and reads as one bundle file for the
//! firmware (format: `hitgate_core::bundle`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use hitgate_core::bundle::{MAX_RECORD, Record, encode};

use crate::formats::{InputStats, LineError, MAX_REPORTED_ERRORS};
use crate::lists::ListsData;
use crate::policy_file::PolicyFile;
use crate::reads;

/// What went into a bundle.
#[derive(Debug, Clone, Default)]
pub struct BundleSummary {
    /// Rules written.
    pub rules: usize,
    /// Entries written.
    pub entries: usize,
    /// Reads written (every line that parsed; the unit checks the rest).
    pub reads: u64,
    /// Lines that did not parse, left out.
    pub input: InputStats,
    /// Bytes written.
    pub bytes: u64,
}

/// Writes the bundle. The lists are indexed first, so a duplicate entry
/// fails here as it would in a replay. A read line that a replay would
/// count as bad (it does not parse, or the unit rejects its plate, camera,
/// country or confidence) is counted and left out, with its line number, as
/// the replay reports it. The bundle is written to a temporary file beside
/// `out` and renamed into place only when complete: a failed run leaves no
/// partial bundle and keeps an earlier one.
///
/// With `reads_only`, the file is a **reads stream**: the read records and
/// the end record alone, for a unit whose lists come in a signed image
/// (`hitgate bundle build`).
pub fn prepare(
    reads_paths: &[std::path::PathBuf],
    lists: &ListsData,
    pf: &PolicyFile,
    version: u32,
    out: &Path,
    reads_only: bool,
    how: &reads::ReadOptions,
) -> Result<BundleSummary> {
    let streams = reads::open_all(reads_paths, how, &pf.places.offsets)?;
    lists.with_watchlist(version, |_| ())?;
    if pf.policy.rules.len() > usize::from(u8::MAX) {
        bail!("too many rules for a bundle");
    }
    for input in reads_paths.iter().chain(&lists.files) {
        if crate::outdir::same_file(input, out) {
            bail!(
                "{}: is also the bundle to write; choose another --out",
                input.display()
            );
        }
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".hitgate-{name}-"))
        .suffix(".tmp")
        .tempfile_in(parent)
        .with_context(|| format!("{}: cannot create", out.display()))?;
    let w = BufWriter::new(
        tmp.reopen()
            .with_context(|| format!("{}: cannot create", out.display()))?,
    );
    let mut w = RecordWriter { w, bytes: 0, out };
    let mut summary = BundleSummary {
        rules: pf.policy.rules.len(),
        entries: lists.entries.len(),
        ..BundleSummary::default()
    };
    if reads_only {
        summary.rules = 0;
        summary.entries = 0;
    } else {
        lists.write_config(version, pf, |frame| w.write(frame))?;
    }
    let mut bad = |at: reads::At, error: String| {
        summary.input.bad_lines += 1;
        if summary.input.errors.len() < MAX_REPORTED_ERRORS {
            summary
                .input
                .errors
                .push(LineError::at(at, reads_paths, error));
        }
    };
    let mut reads = 0u64;
    let mut lines = 0u64;
    let stats = reads::for_each_arrival(streams, pf.config.max_future_ms, |line, parsed, _| {
        lines += 1;
        match parsed {
            Ok((read, arrival)) => {
                if w.try_put(&Record::read(&read, arrival))? {
                    reads += 1;
                } else {
                    // Too long for a record: its plate or camera is too
                    // long, and the unit refuses it with the reason the
                    // replay reports. A read that fits goes in as it is,
                    // and the unit counts its faults as the replay does.
                    let why = read.check(u64::MAX, 0).err().map_or_else(
                        || "read does not fit a bundle record".to_string(),
                        |e| e.to_string(),
                    );
                    bad(line, why);
                }
            }
            Err(error) => bad(line, error),
        }
        Ok(())
    })?;
    LineError::sort(&mut summary.input.errors, reads_paths);
    summary.reads = reads;
    summary.input.lines = lines;
    summary.input.times_without_offset = stats.times_without_offset;
    summary.input.folded_cameras = stats.folded;
    summary.input.list_times_without_offset = lists.times_without_offset;
    summary.input.naive_times = how.naive_times;
    w.put(&Record::End)?;
    let bytes = w.bytes;
    let f =
        w.w.into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("{}: cannot write", out.display()))?;
    f.sync_all()
        .with_context(|| format!("{}: cannot write", out.display()))?;
    tmp.persist(out)
        .map_err(|e| e.error)
        .with_context(|| format!("{}: cannot write", out.display()))?;
    summary.bytes = bytes;
    Ok(summary)
}

/// Encodes records into the bundle file, counting bytes.
struct RecordWriter<'a> {
    w: BufWriter<File>,
    bytes: u64,
    out: &'a Path,
}

impl RecordWriter<'_> {
    /// Writes a record; `Ok(false)` if it does not fit in [`MAX_RECORD`]
    /// bytes (nothing written then).
    fn try_put(&mut self, rec: &Record<'_>) -> Result<bool> {
        let mut buf = [0u8; MAX_RECORD];
        let Ok(frame) = encode(rec, &mut buf) else {
            return Ok(false);
        };
        self.write(frame)?;
        Ok(true)
    }

    /// Writes an encoded frame.
    fn write(&mut self, frame: &[u8]) -> Result<()> {
        self.bytes += frame.len() as u64;
        self.w
            .write_all(frame)
            .with_context(|| format!("{}: cannot write", self.out.display()))
    }

    /// Writes a record that must fit.
    fn put(&mut self, rec: &Record<'_>) -> Result<()> {
        if !self.try_put(rec)? {
            bail!(
                "{}: a record does not fit in {MAX_RECORD} bytes",
                self.out.display()
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is a failed test

    use std::path::PathBuf;

    use hitgate_core::bundle::{self, MAX_RECORD, Reader, Record};
    use hitgate_core::confusion::ConfusionClasses;
    use hitgate_core::policy::Policy;
    use hitgate_core::watchlist::{Entry, WatchlistBuilder};

    use super::*;

    fn fixture(rel: &str) -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/basic"
        ))
        .join(rel)
    }

    /// What `prepare` writes, the core's loader reads back: the same
    /// settings, rules, lists and entries, then the reads.
    #[test]
    fn a_prepared_bundle_loads_back_through_the_core() {
        let d = tempfile::tempdir().unwrap();
        let text = "[[list]]\nname = \"stolen\"\ntolerance = { ocr = 1, edits = 1, min_len = 5 }\n\
                    [[list]]\nname = \"wanted\"\n[[list]]\nname = \"insurance\"\n[[list]]\nname = \"inspection\"\n[[list]]\nname = \"local\"\nlocal = true\n\
                    [config]\nmode = \"first-read\"\nmax_future_ms = 1234\n\
                    budgets = { p2 = { burst = 3, per_hour = 9 } }\n\
                    [[rule]]\nname = \"mobile\"\ncameras = [\"mobile-*\"]\nkinds = [\"edit\"]\naction = \"review\"\n\
                    [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\nlists = [\"wanted\"]\naction = \"dispatch\"\n";
        let pf = PolicyFile::parse(text).unwrap();
        let lists = ListsData::load(&[fixture("lists.csv")], &pf.lists).unwrap();
        let out = d.path().join("b.bin");
        let s = prepare(
            &[fixture("reads.jsonl")],
            &lists,
            &pf,
            9,
            &out,
            false,
            &Default::default(),
        )
        .unwrap();
        let bytes = std::fs::read(&out).unwrap();
        let mut fill = bundle::slice_source(&bytes, 4096);
        let n = lists.entries.len();
        let (mut entries, mut index) = (vec![Entry::EMPTY; n], vec![0u32; n]);
        let mut b = WatchlistBuilder::new(&mut entries, &mut index, ConfusionClasses::default());
        let mut policy = Policy::new();
        let mut reader = Reader::<MAX_RECORD>::new();
        let loaded = bundle::load(&mut reader, &mut fill, &mut b, &mut policy).unwrap();
        assert_eq!(loaded.config, pf.config);
        assert_eq!(loaded.list_version, 9);
        assert_eq!(loaded.entries as usize, n);
        assert_eq!(policy, pf.policy);
        assert_eq!(b.len(), n);
        let wl = b.build().map_err(|(_, d)| d).unwrap();
        for (i, e) in lists.entries.iter().enumerate() {
            let m: hitgate_core::watchlist::Matches<16> =
                wl.lookup(&e.plate, e.country, e.valid_from.unwrap_or(0));
            assert!(
                m.as_slice()
                    .iter()
                    .any(|m| m.listed == e.plate && m.list == e.list && m.priority == e.priority),
                "entry {i}: {e:?}"
            );
        }
        let mut reads = 0;
        while let Some(rec) = reader.next(&mut fill).unwrap() {
            match rec {
                Record::Read { .. } => reads += 1,
                Record::End => break,
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(reads, s.reads);
    }
}
