//! Read streams: JSON Lines or CSV with the same column names, optionally
//! gzip-compressed, read one line at a time.
//!
//! Columns: `ts` (RFC 3339, UTC), `camera`, `plate`, and optional `country`,
//! `confidence` (0–100), `lat`, `lon`, `arrival` (RFC 3339: when the unit
//! received the read; defaults to `ts`). Unknown columns are ignored.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read as _};
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::time::parse_ts;

/// Does the file start with the gzip magic bytes?
pub fn is_gzip(path: &Path) -> bool {
    let mut magic = [0u8; 2];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| magic == [0x1f, 0x8b])
}

/// Opens a file, decompressing gzip (by the magic bytes).
pub fn open(path: &Path) -> Result<Box<dyn BufRead>> {
    let mut f = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let mut magic = [0u8; 2];
    let n = f
        .read(&mut magic)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let f = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    Ok(if n == 2 && magic == [0x1f, 0x8b] {
        Box::new(BufReader::with_capacity(
            1 << 16,
            flate2::read::MultiGzDecoder::new(f),
        ))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, f))
    })
}

/// One read line, borrowed from the input where possible.
#[derive(Debug, Deserialize)]
pub struct RawRead<'a> {
    /// Event time.
    #[serde(borrow)]
    pub ts: Cow<'a, str>,
    /// Camera id.
    #[serde(borrow)]
    pub camera: Cow<'a, str>,
    /// Plate as read.
    #[serde(borrow)]
    pub plate: Cow<'a, str>,
    /// Country code.
    #[serde(default, borrow)]
    pub country: Option<Cow<'a, str>>,
    /// Confidence 0–100.
    #[serde(default)]
    pub confidence: Option<f64>,
    /// Latitude.
    #[serde(default)]
    pub lat: Option<f64>,
    /// Longitude.
    #[serde(default)]
    pub lon: Option<f64>,
    /// When the unit received it.
    #[serde(default, borrow)]
    pub arrival: Option<Cow<'a, str>>,
}

/// A parsed read line: times in ms.
#[derive(Debug)]
pub struct Line<'a> {
    /// The fields.
    pub raw: RawRead<'a>,
    /// Event time, ms.
    pub time: u64,
    /// Arrival time, ms.
    pub arrival: Option<u64>,
    /// Confidence, if given and within 0–100 (else the core rejects it as
    /// 101).
    pub confidence: Option<u8>,
}

impl Line<'_> {
    /// The read as the core takes it.
    pub fn read(&self) -> hitgate_core::Read<'_> {
        let position = match (self.raw.lat, self.raw.lon) {
            (Some(lat), Some(lon)) => hitgate_core::Position::from_degrees(lat, lon),
            _ => None,
        };
        hitgate_core::Read {
            time: self.time,
            camera: &self.raw.camera,
            plate: self.raw.plate.as_bytes(),
            country: self.raw.country.as_deref().map(str::as_bytes),
            confidence: self.confidence,
            position,
        }
    }
}

fn finish(raw: RawRead<'_>) -> Result<Line<'_>, String> {
    let time = parse_ts(&raw.ts).map_err(|e| e.to_string())?;
    let arrival = match raw.arrival.as_deref() {
        None | Some("") => None,
        Some(a) => Some(parse_ts(a).map_err(|e| format!("arrival: {e}"))?),
    };
    let confidence = raw.confidence.map(|c| {
        if (0.0..=100.0).contains(&c) {
            c.round() as u8
        } else {
            101
        }
    });
    Ok(Line {
        raw,
        time,
        arrival,
        confidence,
    })
}

/// Calls `f` with each line's number (from 1) and its parse result, and the
/// bytes read so far. Stops early when `f` returns an error.
pub fn for_each(
    path: &Path,
    mut f: impl FnMut(u64, Result<Line<'_>, String>, u64) -> Result<()>,
) -> Result<()> {
    let name = path.to_string_lossy();
    let csv = name.ends_with(".csv") || name.ends_with(".csv.gz");
    let input = open(path)?;
    if csv {
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(input);
        let headers = rdr
            .headers()
            .with_context(|| format!("{}: cannot read header", path.display()))?
            .clone();
        let mut rec = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {
                    let line = rec.position().map_or(0, |p| p.line());
                    let bytes = rec.position().map_or(0, |p| p.byte());
                    let parsed = rec
                        .deserialize::<RawRead<'_>>(Some(&headers))
                        .map_err(|e| e.to_string())
                        .and_then(finish);
                    f(line, parsed, bytes)?;
                }
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    f(line, Err(e.to_string()), 0)?;
                    if !matches!(
                        e.kind(),
                        csv::ErrorKind::Utf8 { .. } | csv::ErrorKind::UnequalLengths { .. }
                    ) {
                        break;
                    }
                }
            }
        }
        return Ok(());
    }
    let mut input = input;
    let mut buf = Vec::with_capacity(512);
    let mut line = 0u64;
    let mut bytes = 0u64;
    loop {
        let (n, whole) = read_line(&mut input, &mut buf)
            .with_context(|| format!("{}: read error after line {line}", path.display()))?;
        if n == 0 {
            break;
        }
        line += 1;
        bytes += n;
        if !whole {
            f(
                line,
                Err(format!("line longer than {MAX_LINE} bytes ({n} bytes)")),
                bytes,
            )?;
            continue;
        }
        let text = trim_line(&buf);
        if text.is_empty() {
            continue;
        }
        let parsed = serde_json::from_slice::<RawRead<'_>>(text)
            .map_err(|e| e.to_string())
            .and_then(finish);
        f(line, parsed, bytes)?;
    }
    Ok(())
}

/// The longest line of a JSON Lines read stream: a read is a few hundred
/// bytes. A longer line (a file with no line breaks, a decompression bomb)
/// is a bad line, skipped without being held in memory.
pub const MAX_LINE: usize = 64 * 1024;

/// Reads one line into `buf` (cleared first). Returns the bytes the line
/// took in the file, newline included, and whether it fitted in
/// [`MAX_LINE`]; a longer line is read to its end and dropped.
fn read_line<R: BufRead + ?Sized>(
    input: &mut R,
    buf: &mut Vec<u8>,
) -> std::io::Result<(u64, bool)> {
    buf.clear();
    let mut n =
        std::io::Read::take(&mut *input, MAX_LINE as u64 + 1).read_until(b'\n', buf)? as u64;
    if buf.len() <= MAX_LINE || buf.last() == Some(&b'\n') {
        return Ok((n, true));
    }
    // Past the limit: skip to the end of the line a buffer at a time.
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        let (used, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        input.consume(used);
        n += used as u64;
        if done {
            break;
        }
    }
    buf.clear();
    Ok((n, false))
}

fn trim_line(b: &[u8]) -> &[u8] {
    let mut end = b.len();
    while end > 0 && matches!(b[end - 1], b'\n' | b'\r' | b' ' | b'\t') {
        end -= 1;
    }
    &b[..end]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is a failed test

    use super::*;

    /// Lines of these lengths (newline not counted), each ended by a
    /// newline but the last.
    fn lines(lens: &[usize]) -> Vec<u8> {
        let mut v = Vec::new();
        for (i, &n) in lens.iter().enumerate() {
            v.extend(std::iter::repeat_n(b'a' + i as u8, n));
            if i + 1 < lens.len() {
                v.push(b'\n');
            }
        }
        v
    }

    #[test]
    fn lines_past_the_limit_are_skipped_whole_and_the_next_one_is_read() {
        let lens = [3, MAX_LINE, MAX_LINE + 1, 5 * MAX_LINE + 7, 0, 4];
        let data = lines(&lens);
        let mut input = BufReader::with_capacity(1000, &data[..]);
        let mut buf = Vec::new();
        let mut total = 0;
        for (i, &len) in lens.iter().enumerate() {
            let last = i + 1 == lens.len();
            let (n, whole) = read_line(&mut input, &mut buf).unwrap();
            // Every byte of the line and its newline is consumed.
            assert_eq!(n, (len + usize::from(!last)) as u64, "line {i}");
            total += n;
            assert_eq!(whole, len <= MAX_LINE, "line {i}");
            if whole {
                assert_eq!(trim_line(&buf).len(), len, "line {i}");
                assert!(buf.iter().take(len).all(|&b| b == b'a' + i as u8));
            } else {
                assert!(buf.is_empty());
            }
        }
        assert_eq!(total, data.len() as u64);
        assert_eq!(read_line(&mut input, &mut buf).unwrap(), (0, true));
    }
}
