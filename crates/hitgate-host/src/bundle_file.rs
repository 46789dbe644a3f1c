//! `hitgate prepare`: lists, policy and reads as one bundle file for the
//! firmware (format: `hitgate_core::bundle`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use hitgate_core::bundle::{BUNDLE_VERSION, MAX_RECORD, Record, encode};

use crate::lists::ListsData;
use crate::policy_file::PolicyFile;
use crate::reads;
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
/// fails here as it would in a replay.
pub fn prepare(
    reads_path: &Path,
    lists: &ListsData,
    pf: &PolicyFile,
    version: u32,
    out: &Path,
) -> Result<BundleSummary> {
    lists.with_watchlist(version, |_| ())?;
    if pf.policy.rules.len() > usize::from(u8::MAX) {
        bail!("too many rules for a bundle");
    }
    let f = File::create(out).with_context(|| format!("{}: cannot create", out.display()))?;
    let mut w = BufWriter::new(f);
    let mut buf = [0u8; MAX_RECORD];
    let mut summary = BundleSummary::default();
    let mut put = |w: &mut BufWriter<File>, rec: &Record<'_>, bytes: &mut u64| -> Result<()> {
        let frame = encode(rec, &mut buf).map_err(|e| anyhow::anyhow!("{e}"))?;
        *bytes += frame.len() as u64;
        w.write_all(frame)
            .with_context(|| format!("{}: cannot write", out.display()))
    };
    let mut bytes = 0u64;
    put(
        &mut w,
        &Record::Header {
            bundle_version: BUNDLE_VERSION,
            list_version: version,
            config: pf.config,
            rules: pf.policy.rules.len() as u8,
            lists: lists.decls.len() as u8,
            entries: lists.entries.len() as u32,
        },
        &mut bytes,
    )?;
    for r in &pf.policy.rules {
        put(&mut w, &Record::Rule(r.clone()), &mut bytes)?;
        summary.rules += 1;
    }
    for d in &lists.decls {
        put(&mut w, &Record::list(&d.spec), &mut bytes)?;
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
        put(&mut w, &rec, &mut bytes)?;
        summary.entries += 1;
    }
    reads::for_each(reads_path, |line, parsed, _| {
        summary.input.lines += 1;
        match parsed {
            Ok(l) => {
                let arrival = l.arrival.unwrap_or(l.time);
                put(&mut w, &Record::read(&l.read(), arrival), &mut bytes)?;
                summary.reads += 1;
            }
            Err(error) => {
                summary.input.bad_lines += 1;
                if summary.input.errors.len() < crate::replay::MAX_REPORTED_ERRORS {
                    summary
                        .input
                        .errors
                        .push(crate::replay::LineError { line, error });
                }
            }
        }
        Ok(())
    })?;
    put(&mut w, &Record::End, &mut bytes)?;
    w.flush()
        .with_context(|| format!("{}: cannot write", out.display()))?;
    summary.bytes = bytes;
    Ok(summary)
}
