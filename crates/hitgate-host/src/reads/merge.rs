//! Several read streams as one: a camera system that exports a file per
//! camera gives the unit's traffic only when the files are read together,
//! in the order the unit would have received their reads.
//!
//! Each stream is read on its own thread ([`for_each`]), its lines handed
//! over through a bounded channel, and the heads merged by the time the
//! unit receives a read: its `arrival` where written, else its event time.
//! Each file must be in that order itself, as one recording is; a bad line
//! goes on at once, in its file's order. One stream is read as before, on
//! the caller's thread.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, sync_channel};

use anyhow::{Result, anyhow, bail};
use hitgate_core::place::Offsets;
use hitgate_core::read::CameraId;

use super::{Line, RawRead, ReadOptions, ReadStream, StreamStats, for_each};

/// Where a line stands: its file (from 0, in the order given) and its
/// number in it (from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct At {
    /// The file, from 0.
    pub file: usize,
    /// The line, from 1.
    pub line: u64,
}

/// Lines a stream's thread hands over at once: one exchange a batch, not
/// a line.
const BATCH: usize = 256;

/// Batches a stream's thread reads ahead of the merge, at most.
const AHEAD: usize = 4;

/// Opens the read files of one run, as `how` says: a camera for the reads
/// that name none is given for every file or for none (a single file may
/// take one).
pub fn open_all(
    paths: &[PathBuf],
    how: &ReadOptions,
    offsets: &Offsets,
) -> Result<Vec<ReadStream>> {
    if paths.is_empty() {
        bail!("no --reads given");
    }
    if !how.cameras.is_empty() && how.cameras.len() != paths.len() {
        bail!(
            "{} --camera for {} --reads: give one for each file, in the same order, or none",
            how.cameras.len(),
            paths.len()
        );
    }
    // A file twice would be every read twice; standard input twice, two
    // readers of one stream.
    for (i, p) in paths.iter().enumerate() {
        let before = paths.get(..i).unwrap_or(&[]);
        if before
            .iter()
            .any(|q| q == p || crate::outdir::same_file(q, p))
        {
            bail!("{}: given twice as --reads", p.display());
        }
    }
    for c in &how.cameras {
        CameraId::new(c).map_err(|e| anyhow!("--camera {c:?}: {e}"))?;
    }
    let open = |(i, p): (usize, &PathBuf)| -> Result<ReadStream> {
        Ok(ReadStream::open(p)?
            .naive_times(how.naive_times, offsets)?
            .camera(how.cameras.get(i).cloned()))
    };
    paths.iter().enumerate().map(open).collect()
}

impl Line<'_> {
    /// The line with every field its own, to leave its stream's buffer.
    fn into_owned(self) -> Line<'static> {
        fn own(c: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(c.into_owned())
        }
        let raw = self.raw;
        Line {
            raw: RawRead {
                ts: own(raw.ts),
                camera: raw.camera.map(own),
                plate: own(raw.plate),
                country: raw.country.map(own),
                confidence: raw.confidence,
                lat: raw.lat,
                lon: raw.lon,
                arrival: raw.arrival.map(own),
            },
            camera: own(self.camera),
            time: self.time,
            arrival: self.arrival,
            confidence: self.confidence,
            position: self.position,
            naive: self.naive,
        }
    }
}

impl StreamStats {
    /// Adds what another stream's pass noticed.
    fn merge(&mut self, other: StreamStats) {
        self.confidence_fractions += other.confidence_fractions;
        self.times_without_offset += other.times_without_offset;
        for id in other.folded.ids.values() {
            self.folded.note(id);
        }
        self.folded.more += other.folded.more;
        for clash in other.folded.clashes {
            if !self.folded.clashes.contains(&clash) {
                self.folded.clashes.push(clash);
            }
        }
    }
}

/// A line as a stream's thread hands it over: its number, the line or its
/// error, and the bytes of its stream read so far.
type Handed = (u64, Result<Line<'static>, String>, u64);

/// [`for_each`] over several streams merged into one ([`At`] says where
/// each line stands; the bytes are those of every stream together).
pub fn for_each_merged(
    streams: Vec<ReadStream>,
    mut f: impl FnMut(At, Result<Line<'_>, String>, u64) -> Result<()>,
) -> Result<StreamStats> {
    if streams.len() == 1 {
        let stream = streams
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("no stream"))?;
        return for_each(stream, |line, parsed, bytes| {
            f(At { file: 0, line }, parsed, bytes)
        });
    }
    std::thread::scope(|scope| {
        let mut threads = Vec::new();
        let mut from: Vec<Receiver<Vec<Handed>>> = Vec::new();
        for stream in streams {
            let (tx, rx) = sync_channel::<Vec<Handed>>(AHEAD);
            threads.push(Some(scope.spawn(move || {
                let mut batch = Vec::with_capacity(BATCH);
                // The merge stopped (an error of another stream, or of
                // what it feeds): nothing more to read.
                let stopped = |_| anyhow!("stopped");
                let stats = for_each(stream, |line, parsed, bytes| {
                    batch.push((line, parsed.map(Line::into_owned), bytes));
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        tx.send(full).map_err(stopped)?;
                    }
                    Ok(())
                })?;
                if !batch.is_empty() {
                    tx.send(batch).map_err(stopped)?;
                }
                Ok(stats)
            })));
            from.push(rx);
        }
        // Each stream's own, merged in the files' order at the end, so
        // that the same files give the same report whatever the threads'.
        let mut each: Vec<StreamStats> = vec![StreamStats::default(); from.len()];
        let mut bytes = vec![0u64; from.len()];
        // Each stream's lines received and not yet merged; empty once it
        // has ended.
        let mut queued: Vec<VecDeque<Handed>> = from
            .iter()
            .map(|rx| rx.recv().map(VecDeque::from).unwrap_or_default())
            .collect();
        let result = (|| -> Result<()> {
            loop {
                // A stream that ended: its thread's outcome now, so that a
                // stream that cannot be read stops the run at once.
                for (i, head) in queued.iter().enumerate() {
                    if head.is_empty()
                        && let Some(t) = threads.get_mut(i).and_then(Option::take)
                    {
                        let s = t
                            .join()
                            .map_err(|_| anyhow!("a read stream's thread panicked"))??;
                        if let Some(e) = each.get_mut(i) {
                            *e = s;
                        }
                    }
                }
                // A bad line first (it has no time), else the read the unit
                // receives first; the first file of equals.
                let key = |h: &Handed| match &h.1 {
                    Err(_) => 0,
                    Ok(l) => l.arrival.unwrap_or(l.time),
                };
                let next = queued
                    .iter()
                    .enumerate()
                    .filter_map(|(i, q)| q.front().map(|h| (key(h), i)))
                    .min();
                let Some((_, i)) = next else {
                    return Ok(());
                };
                let Some((line, parsed, b)) = queued.get_mut(i).and_then(VecDeque::pop_front)
                else {
                    return Ok(());
                };
                if let (Some(q), Some(rx)) = (queued.get_mut(i), from.get(i))
                    && q.is_empty()
                    && let Ok(more) = rx.recv()
                {
                    q.extend(more);
                }
                if let Some(n) = bytes.get_mut(i) {
                    *n = b;
                }
                f(At { file: i, line }, parsed, bytes.iter().sum())?;
            }
        })();
        // Stop the threads still reading, and take their outcome.
        drop(from);
        for (i, t) in threads.into_iter().enumerate() {
            let Some(t) = t else { continue };
            match t.join() {
                Ok(Ok(s)) => {
                    if let Some(e) = each.get_mut(i) {
                        *e = s;
                    }
                }
                // Stopped by the merge's own error, said below.
                Ok(Err(_)) if result.is_err() => {}
                Ok(Err(e)) => return Err(e),
                Err(_) => bail!("a read stream's thread panicked"),
            }
        }
        result?;
        let mut stats = StreamStats::default();
        for s in each {
            stats.merge(s);
        }
        Ok(stats)
    })
}
