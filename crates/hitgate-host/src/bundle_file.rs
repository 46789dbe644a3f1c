//! `hitgate prepare`: lists, policy and reads as one bundle file for the
//! firmware (format: `hitgate_core::bundle`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use hitgate_core::bundle::{BUNDLE_VERSION, MAX_RECORD, Record, encode};

use crate::lists::ListsData;
use crate::policy_file::PolicyFile;
use crate::reads::{self, ReadStream};
use crate::replay::InputStats;

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
pub fn prepare(
    reads_path: &Path,
    lists: &ListsData,
    pf: &PolicyFile,
    version: u32,
    out: &Path,
) -> Result<BundleSummary> {
    let stream = ReadStream::open(reads_path)?;
    lists.with_watchlist(version, |_| ())?;
    if pf.policy.rules.len() > usize::from(u8::MAX) {
        bail!("too many rules for a bundle");
    }
    for input in std::iter::once(reads_path).chain(lists.files.iter().map(|p| p.as_path())) {
        if same_file(input, out) {
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
    let mut w = RecordWriter {
        w,
        buf: [0; MAX_RECORD],
        bytes: 0,
        out,
    };
    let mut summary = BundleSummary::default();
    w.put(&Record::Header {
        bundle_version: BUNDLE_VERSION,
        list_version: version,
        config: pf.config,
        rules: pf.policy.rules.len() as u8,
        lists: lists.decls.len() as u8,
        entries: lists.entries.len() as u32,
    })?;
    for r in &pf.policy.rules {
        w.put(&Record::Rule(r.clone()))?;
        summary.rules += 1;
    }
    for d in &lists.decls {
        w.put(&Record::list(&d.spec))?;
    }
    for e in &lists.entries {
        let rec = Record::Entry {
            plate: e.plate.as_str(),
            country: e.country.as_ref().map_or("", |c| c.as_str()),
            priority: e.priority.get(),
            list: e.list.0,
            valid_from: e.valid_from.unwrap_or(0),
            valid_until: e.valid_until.unwrap_or(0),
        };
        w.put(&rec)?;
        summary.entries += 1;
    }
    let mut bad = |line: u64, error: String| {
        summary.input.bad_lines += 1;
        if summary.input.errors.len() < crate::replay::MAX_REPORTED_ERRORS {
            summary
                .input
                .errors
                .push(crate::replay::LineError { line, error });
        }
    };
    let mut reads = 0u64;
    let mut lines = 0u64;
    reads::for_each_arrival(stream, pf.config.max_future_ms, |line, parsed, _| {
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
    summary.reads = reads;
    summary.input.lines = lines;
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
    buf: [u8; MAX_RECORD],
    bytes: u64,
    out: &'a Path,
}

impl RecordWriter<'_> {
    /// Writes a record; `Ok(false)` if it does not fit in [`MAX_RECORD`]
    /// bytes (nothing written then).
    fn try_put(&mut self, rec: &Record<'_>) -> Result<bool> {
        let Ok(frame) = encode(rec, &mut self.buf) else {
            return Ok(false);
        };
        self.bytes += frame.len() as u64;
        self.w
            .write_all(frame)
            .with_context(|| format!("{}: cannot write", self.out.display()))?;
        Ok(true)
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

/// Are `a` and `b` the same existing file?
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}
