//! The hit record on the wire: postcard, a CRC-32, COBS framing.
//!
//! # Format, version 1
//!
//! A frame is `COBS(postcard(HitRecord) ++ crc32c_le) ++ 0x00`:
//!
//! * the payload is the [postcard](https://docs.rs/postcard) encoding of
//!   [`HitRecord`], fields in declaration order (varint integers,
//!   length-prefixed strings, `Option` as a 0/1 tag);
//! * the CRC is CRC-32C (Castagnoli, `crc::CRC_32_ISCSI`) of the payload,
//!   4 bytes little-endian;
//! * COBS removes every zero byte, and one zero byte ends the frame, so a
//!   receiver resynchronises at the next zero after any corruption.
//!
//! The first field is [`WIRE_VERSION`]. Stability: fields are only ever
//! appended, and any change to an existing field bumps the version.
//!
//! Golden bytes in the tests pin the format.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::distance::Distance;
use crate::hit::{Hit, Reason};
use crate::list::{ListId, Priority};
use crate::plate::{Country, Plate};
use crate::policy::{Action, RuleId};
use crate::read::{CameraId, Position};
use crate::watchlist::MatchKind;

/// Version of the frame format.
pub const WIRE_VERSION: u8 = 1;

/// The largest frame, delimiter included.
pub const MAX_FRAME: usize = 128;

const CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI);

/// One forwarded hit as it goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HitRecord<'a> {
    /// [`WIRE_VERSION`].
    pub wire_version: u8,
    /// Sequence number.
    pub seq: u32,
    /// Event time, ms since the Unix epoch.
    pub time: u64,
    /// Camera id.
    pub camera: &'a str,
    /// Plate as read (consensus plate).
    pub read: &'a str,
    /// Reads behind the hit.
    pub reads: u16,
    /// Listed plate.
    pub listed: &'a str,
    /// Listed country, or empty.
    pub country: &'a str,
    /// List id.
    pub list: u8,
    /// Priority 0–4.
    pub priority: u8,
    /// 0 exact, 1 OCR-equivalent, 2 edit.
    pub kind: u8,
    /// OCR-equivalent substitutions.
    pub ocr: u8,
    /// Other edits.
    pub edits: u8,
    /// 1 review, 2 dispatch.
    pub action: u8,
    /// Deciding rule index, 255 for the fallback.
    pub rule: u8,
    /// 0 rule, 1 late, 2 capacity, 3 look-alike.
    pub reason: u8,
    /// Older than the maximum lateness.
    pub late: bool,
    /// Watchlist version.
    pub list_version: u32,
    /// Position of a mobile unit, degrees × 10⁷.
    pub position: Option<(i32, i32)>,
}

/// Why a frame could not be made or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum WireError {
    /// The buffer is too small.
    BufferFull,
    /// Not valid COBS, or no payload.
    Framing,
    /// The CRC does not match.
    Crc,
    /// The payload is not a record of this version.
    Payload,
    /// A field is out of range.
    Field,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BufferFull => "frame buffer too small",
            Self::Framing => "bad COBS framing",
            Self::Crc => "CRC mismatch",
            Self::Payload => "payload is not a version-1 hit record",
            Self::Field => "hit record field out of range",
        })
    }
}

impl core::error::Error for WireError {}

impl<'a> HitRecord<'a> {
    /// The record of a hit.
    pub fn of(h: &'a Hit) -> Self {
        Self {
            wire_version: WIRE_VERSION,
            seq: h.seq,
            time: h.time,
            camera: h.camera.as_str(),
            read: h.read.as_str(),
            reads: h.reads,
            listed: h.listed.as_str(),
            country: h.country.as_ref().map_or("", Country::as_str),
            list: h.list.0,
            priority: h.priority.get(),
            kind: match h.kind {
                MatchKind::Exact => 0,
                MatchKind::Ocr => 1,
                MatchKind::Edit => 2,
            },
            ocr: h.distance.ocr,
            edits: h.distance.edits,
            action: match h.action {
                Action::Drop => 0,
                Action::Review => 1,
                Action::Dispatch => 2,
            },
            rule: match h.rule {
                RuleId::Rule(i) => i,
                RuleId::Fallback => 255,
            },
            reason: match h.reason {
                Reason::Rule => 0,
                Reason::Late => 1,
                Reason::Capacity => 2,
                Reason::Lookalike => 3,
                Reason::Stronger => 4,
            },
            late: h.late,
            list_version: h.version,
            position: h.position.map(|p| (p.lat_e7, p.lon_e7)),
        }
    }

    /// Back to a hit.
    pub fn to_hit(&self) -> Result<Hit, WireError> {
        let plate = |s: &str| Plate::normalize(s.as_bytes()).map_err(|_| WireError::Field);
        Ok(Hit {
            seq: self.seq,
            time: self.time,
            camera: CameraId::new(self.camera).map_err(|_| WireError::Field)?,
            read: plate(self.read)?,
            reads: self.reads,
            listed: plate(self.listed)?,
            country: match self.country {
                "" => None,
                c => Some(Country::parse(c.as_bytes()).map_err(|_| WireError::Field)?),
            },
            list: ListId(self.list),
            priority: Priority::new(self.priority).ok_or(WireError::Field)?,
            kind: match self.kind {
                0 => MatchKind::Exact,
                1 => MatchKind::Ocr,
                2 => MatchKind::Edit,
                _ => return Err(WireError::Field),
            },
            distance: Distance {
                ocr: self.ocr,
                edits: self.edits,
            },
            action: match self.action {
                1 => Action::Review,
                2 => Action::Dispatch,
                _ => return Err(WireError::Field),
            },
            rule: match self.rule {
                255 => RuleId::Fallback,
                i => RuleId::Rule(i),
            },
            reason: match self.reason {
                0 => Reason::Rule,
                1 => Reason::Late,
                2 => Reason::Capacity,
                3 => Reason::Lookalike,
                4 => Reason::Stronger,
                _ => return Err(WireError::Field),
            },
            late: self.late,
            version: self.list_version,
            position: self
                .position
                .map(|(lat_e7, lon_e7)| Position { lat_e7, lon_e7 }),
        })
    }
}

/// Encodes a hit as one frame into `buf`; returns the frame, delimiter
/// included.
pub fn encode_hit<'b>(hit: &Hit, buf: &'b mut [u8]) -> Result<&'b mut [u8], WireError> {
    encode(&HitRecord::of(hit), buf)
}

/// Encodes a record as one frame into `buf`.
pub fn encode<'b>(rec: &HitRecord<'_>, buf: &'b mut [u8]) -> Result<&'b mut [u8], WireError> {
    frame::<_, MAX_FRAME>(rec, buf)
}

/// Decodes one frame (with or without its trailing zero) in place.
pub fn decode(frame: &mut [u8]) -> Result<HitRecord<'_>, WireError> {
    let rec: HitRecord<'_> =
        postcard::from_bytes(unframe(frame)?).map_err(|_| WireError::Payload)?;
    if rec.wire_version != WIRE_VERSION {
        return Err(WireError::Payload);
    }
    Ok(rec)
}

/// `COBS(postcard(value) ++ crc32c_le) ++ 0x00` into `buf`, with a payload
/// of at most `N` bytes.
pub(crate) fn frame<'b, T: Serialize, const N: usize>(
    value: &T,
    buf: &'b mut [u8],
) -> Result<&'b mut [u8], WireError> {
    let mut payload = [0u8; N];
    let used = postcard::to_slice(value, &mut payload)
        .map_err(|_| WireError::BufferFull)?
        .len();
    let crc = CRC.checksum(&payload[..used]).to_le_bytes();
    let end = used + 4;
    payload
        .get_mut(used..end)
        .ok_or(WireError::BufferFull)?
        .copy_from_slice(&crc);
    cobs_encode(&payload[..end], buf)
}

/// The payload of one frame (with or without its trailing zero), decoded
/// in place and its CRC checked.
pub(crate) fn unframe(frame: &mut [u8]) -> Result<&[u8], WireError> {
    let frame = match frame.split_last() {
        Some((0, _)) => {
            let n = frame.len() - 1;
            &mut frame[..n]
        }
        _ => frame,
    };
    let n = cobs_decode_in_place(frame)?;
    if n < 5 {
        return Err(WireError::Framing);
    }
    let (payload, crc) = frame[..n].split_at(n - 4);
    let want = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
    if CRC.checksum(payload) != want {
        return Err(WireError::Crc);
    }
    Ok(payload)
}

/// COBS-encodes `data` into `out` and appends the zero delimiter.
fn cobs_encode<'b>(data: &[u8], out: &'b mut [u8]) -> Result<&'b mut [u8], WireError> {
    let n = cobs::try_encode(data, out).map_err(|_| WireError::BufferFull)?;
    *out.get_mut(n).ok_or(WireError::BufferFull)? = 0;
    Ok(&mut out[..=n])
}

/// COBS-decodes in place; returns the decoded length.
fn cobs_decode_in_place(buf: &mut [u8]) -> Result<usize, WireError> {
    if buf.contains(&0) {
        return Err(WireError::Framing);
    }
    cobs::decode_in_place(buf).map_err(|_| WireError::Framing)
}

/// Splits a byte stream at zero delimiters and decodes each frame;
/// `f` gets each result in order. Bytes after the last delimiter are left.
pub fn for_each_frame(stream: &mut [u8], mut f: impl FnMut(Result<HitRecord<'_>, WireError>)) {
    each_frame(stream, |frame| f(decode(frame)));
}

/// Calls `f` with every non-empty frame of `stream`, delimiter included;
/// bytes after the last delimiter are left.
pub(crate) fn each_frame(stream: &mut [u8], mut f: impl FnMut(&mut [u8])) {
    let mut rest = stream;
    while let Some(end) = rest.iter().position(|&b| b == 0) {
        let (frame, tail) = rest.split_at_mut(end + 1);
        if frame.len() > 1 {
            f(frame);
        }
        rest = tail;
    }
}

#[cfg(test)]
pub(crate) mod tests;
