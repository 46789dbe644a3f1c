//! The bundle: lists, policy, settings and a read stream in one compact
//! binary file, for a unit that cannot parse CSV, TOML or JSON.
//!
//! # Format, version 1
//!
//! A sequence of frames `COBS(postcard(Record)) ++ 0x00`, in this order: one
//! [`Record::Header`], its rules, lists and entries, then reads, then
//! [`Record::End`]. A reader decodes one frame at a time in place (see
//! [`Reader`]), so its buffer needs only hold the longest record
//! ([`MAX_RECORD`]). Stability: as for the [`wire`](crate::wire) records,
//! variants and fields are only appended; anything else bumps
//! [`BUNDLE_VERSION`].

use serde::{Deserialize, Serialize};

use crate::distance::Tolerance;
use crate::list::ListSpec;
use crate::policy::Rule;
use crate::read::{Position, Read};
use crate::unit::Config;

/// Version of the bundle format.
pub const BUNDLE_VERSION: u8 = 1;

/// The longest encoded record, delimiter included.
pub const MAX_RECORD: usize = 512;

/// One record of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Record<'a> {
    /// First record.
    Header {
        /// [`BUNDLE_VERSION`].
        bundle_version: u8,
        /// Version of the lists.
        list_version: u32,
        /// The unit's settings.
        config: Config,
        /// Number of [`Record::Rule`] records that follow (0: an empty
        /// matrix, every hit dropped by the fallback).
        rules: u8,
        /// Number of [`Record::List`] records.
        lists: u8,
        /// Number of [`Record::Entry`] records.
        entries: u32,
    },
    /// A rule of the decision matrix, in order.
    Rule(Rule),
    /// A list, in id order.
    List {
        /// Its tolerance.
        tolerance: Tolerance,
        /// A local list.
        local: bool,
    },
    /// A list entry.
    Entry {
        /// Canonical plate.
        #[serde(borrow)]
        plate: &'a str,
        /// Country, or empty.
        country: &'a str,
        /// Priority 0–4.
        priority: u8,
        /// List id.
        list: u8,
        /// Valid from (ms), 0: no bound.
        valid_from: u64,
        /// Valid until (ms), 0: no bound.
        valid_until: u64,
    },
    /// A read as the camera reported it.
    Read {
        /// Event time (ms).
        time: u64,
        /// When the unit received it (ms).
        arrival: u64,
        /// Camera id.
        camera: &'a str,
        /// Raw plate bytes.
        plate: &'a [u8],
        /// Raw country bytes, or empty.
        country: &'a [u8],
        /// Confidence, 255 for none.
        confidence: u8,
        /// Position, degrees × 10⁷.
        position: Option<(i32, i32)>,
    },
    /// Last record.
    End,
}

impl<'a> Record<'a> {
    /// The list record of a spec.
    pub fn list(spec: &ListSpec) -> Self {
        Self::List {
            tolerance: spec.tolerance,
            local: spec.local,
        }
    }

    /// The read record of a read.
    pub fn read(r: &Read<'a>, arrival: u64) -> Self {
        Self::Read {
            time: r.time,
            arrival,
            camera: r.camera,
            plate: r.plate,
            country: r.country.unwrap_or(&[]),
            confidence: r.confidence.unwrap_or(255),
            position: r.position.map(|p| (p.lat_e7, p.lon_e7)),
        }
    }

    /// A [`Record::Read`] as a read and its arrival time.
    pub fn as_read(&self) -> Option<(Read<'a>, u64)> {
        match *self {
            Self::Read {
                time,
                arrival,
                camera,
                plate,
                country,
                confidence,
                position,
            } => Some((
                Read {
                    time,
                    camera,
                    plate,
                    country: (!country.is_empty()).then_some(country),
                    confidence: (confidence != 255).then_some(confidence),
                    position: position.map(|(lat_e7, lon_e7)| Position { lat_e7, lon_e7 }),
                },
                arrival,
            )),
            _ => None,
        }
    }
}

/// Why a bundle could not be written or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum BundleError {
    /// The record does not fit the buffer.
    TooLong,
    /// A frame is not valid COBS or not a record.
    Corrupt,
}

impl core::fmt::Display for BundleError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::TooLong => "bundle record too long",
            Self::Corrupt => "corrupt bundle record",
        })
    }
}

impl core::error::Error for BundleError {}

/// Encodes one record as a frame into `buf`.
pub fn encode<'b>(rec: &Record<'_>, buf: &'b mut [u8]) -> Result<&'b mut [u8], BundleError> {
    postcard::to_slice_cobs(rec, buf).map_err(|_| BundleError::TooLong)
}

/// Reads records out of a byte source chunk by chunk, into a fixed buffer.
///
/// ```
/// use hitgate_core::bundle::*;
/// let mut frames = [0u8; 64];
/// let n = encode(&Record::End, &mut frames).unwrap().len();
/// let mut src = &frames[..n];
/// let mut reader = Reader::<64>::new();
/// let rec = reader.next(|buf| { let k = src.len().min(buf.len()); buf[..k].copy_from_slice(&src[..k]); src = &src[k..]; Ok::<_, ()>(k) });
/// assert!(matches!(rec, Ok(Some(Record::End))));
/// ```
pub struct Reader<const N: usize> {
    buf: [u8; N],
    /// Bytes of `buf` holding data.
    filled: usize,
    /// Start of the next frame.
    start: usize,
}

impl<const N: usize> Default for Reader<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// A reader's failure: the source's error or a bad frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadFailure<E> {
    /// The byte source failed.
    Source(E),
    /// The bundle is damaged.
    Bundle(BundleError),
}

impl<const N: usize> Reader<N> {
    /// An empty reader.
    pub const fn new() -> Self {
        Self {
            buf: [0; N],
            filled: 0,
            start: 0,
        }
    }

    /// The next record, `None` at the end of the source. `fill` copies bytes
    /// into the slice it gets and returns how many (0 at the end).
    pub fn next<E>(
        &mut self,
        mut fill: impl FnMut(&mut [u8]) -> Result<usize, E>,
    ) -> Result<Option<Record<'_>>, ReadFailure<E>> {
        loop {
            if let Some(end) = self.buf[self.start..self.filled]
                .iter()
                .position(|&b| b == 0)
            {
                let (from, to) = (self.start, self.start + end + 1);
                self.start = to;
                let frame = &mut self.buf[from..to];
                return postcard::from_bytes_cobs(frame)
                    .map(Some)
                    .map_err(|_| ReadFailure::Bundle(BundleError::Corrupt));
            }
            // Move the partial frame to the front and read more.
            self.buf.copy_within(self.start..self.filled, 0);
            self.filled -= self.start;
            self.start = 0;
            if self.filled == N {
                return Err(ReadFailure::Bundle(BundleError::TooLong));
            }
            let n = fill(&mut self.buf[self.filled..]).map_err(ReadFailure::Source)?;
            if n == 0 {
                return if self.filled == 0 {
                    Ok(None)
                } else {
                    Err(ReadFailure::Bundle(BundleError::Corrupt))
                };
            }
            self.filled += n.min(N - self.filled);
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;
    use crate::policy::Policy;

    /// A byte source over `bytes`, at most `chunk` bytes a call.
    fn source(mut bytes: &[u8], chunk: usize) -> impl FnMut(&mut [u8]) -> Result<usize, ()> + '_ {
        move |b: &mut [u8]| {
            let k = bytes.len().min(b.len()).min(chunk);
            b[..k].copy_from_slice(&bytes[..k]);
            bytes = &bytes[k..];
            Ok(k)
        }
    }

    #[test]
    fn records_round_trip_through_small_chunks() {
        let mut bytes: Vec<u8> = Vec::new();
        let mut buf = [0u8; MAX_RECORD];
        let recs = [
            Record::Header {
                bundle_version: BUNDLE_VERSION,
                list_version: 3,
                config: Config::default(),
                rules: 4,
                lists: 1,
                entries: 1,
            },
            Record::Rule(Policy::brussels().rules[1].clone()),
            Record::List {
                tolerance: Tolerance::DEFAULT,
                local: true,
            },
            Record::Entry {
                plate: "1ABC234",
                country: "BE",
                priority: 1,
                list: 0,
                valid_from: 0,
                valid_until: 1_000,
            },
            Record::Read {
                time: 5,
                arrival: 6,
                camera: "cam-1",
                plate: b"1-ab\xffc",
                country: b"",
                confidence: 255,
                position: Some((1, -2)),
            },
            Record::End,
        ];
        for r in &recs {
            bytes.extend_from_slice(encode(r, &mut buf).unwrap());
        }
        // Feed 7 bytes at a time.
        let mut src = source(&bytes, 7);
        let mut reader = Reader::<MAX_RECORD>::new();
        let mut got = Vec::new();
        while let Some(rec) = reader.next(&mut src).unwrap() {
            got.push(format!("{rec:?}"));
        }
        let want: Vec<_> = recs.iter().map(|r| format!("{r:?}")).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn truncated_and_damaged_bundles_are_errors() {
        let mut buf = [0u8; MAX_RECORD];
        let frame = encode(&Record::End, &mut buf).unwrap().to_vec();
        // Truncated: no delimiter.
        let mut reader = Reader::<64>::new();
        let r = reader.next(source(&frame[..frame.len() - 1], 64));
        assert!(matches!(r, Err(ReadFailure::Bundle(BundleError::Corrupt))));
        // Garbage.
        let mut reader = Reader::<64>::new();
        assert!(reader.next(source(&[7u8, 200, 3, 0], 64)).is_err());
    }
}
