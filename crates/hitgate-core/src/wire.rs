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
//! The first field is the record's version. Stability: fields are only
//! ever appended, and any change bumps the version. Version 2 appends the
//! deciding rule's tag ([`HitRecord::rule_tag`]); a record without one (a
//! hit stored by a unit before tags) is written and read as version 1,
//! byte for byte as before, so an outbox written by an earlier firmware
//! still delivers and its audit chain still joins.
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

/// Version of the frame format: the newest, written for a hit with a
/// rule tag; version 1 (no tag) is read and written too.
pub const WIRE_VERSION: u8 = 2;

/// The largest frame, delimiter included.
pub const MAX_FRAME: usize = 128;

const CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI);

/// One forwarded hit as it goes on the wire: its fields in this order,
/// `rule_tag` (a `u32`) only in version 2. Its serde form names the
/// fields (the central side's JSON files, `rule_tag` only when there is
/// one); frames and messages write the wire's ([`encode`], [`decode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HitRecord<'a> {
    /// 1, or 2 ([`WIRE_VERSION`]) with a rule tag.
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
    /// The deciding rule's tag (version 2;
    /// [`Rule::tag`](crate::policy::Rule::tag)): written when the version
    /// is 2 or more (0 when none is given), read as `Some` from version 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_tag: Option<u32>,
}

/// The fields of a version-1 record; version 2 has one more.
const V1_FIELDS: usize = 19;

/// A record as frames and messages carry it: its fields in order, the tag
/// only from version 2 (a version-1 record stops before it, and what
/// follows it in a message is read next). [`HitRecord`]'s own serde form,
/// for the central side's JSON files, names its fields.
pub(crate) mod binary {
    use super::{HitRecord, V1_FIELDS, WIRE_VERSION};
    use core::fmt;
    use serde::de::{Error, SeqAccess, Visitor};
    use serde::ser::SerializeTuple;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `r` (see the module docs).
    pub(crate) fn serialize<S: Serializer>(r: &HitRecord<'_>, s: S) -> Result<S::Ok, S::Error> {
        let tagged = r.wire_version >= 2;
        let mut t = s.serialize_tuple(V1_FIELDS + usize::from(tagged))?;
        t.serialize_element(&r.wire_version)?;
        t.serialize_element(&r.seq)?;
        t.serialize_element(&r.time)?;
        t.serialize_element(r.camera)?;
        t.serialize_element(r.read)?;
        t.serialize_element(&r.reads)?;
        t.serialize_element(r.listed)?;
        t.serialize_element(r.country)?;
        t.serialize_element(&r.list)?;
        t.serialize_element(&r.priority)?;
        t.serialize_element(&r.kind)?;
        t.serialize_element(&r.ocr)?;
        t.serialize_element(&r.edits)?;
        t.serialize_element(&r.action)?;
        t.serialize_element(&r.rule)?;
        t.serialize_element(&r.reason)?;
        t.serialize_element(&r.late)?;
        t.serialize_element(&r.list_version)?;
        t.serialize_element(&r.position)?;
        if tagged {
            t.serialize_element(&r.rule_tag.unwrap_or(0))?;
        }
        t.end()
    }

    /// Reads a record of version 1 or 2; refuses any other.
    pub(crate) fn deserialize<'de: 'a, 'a, D: Deserializer<'de>>(
        d: D,
    ) -> Result<HitRecord<'a>, D::Error> {
        // The longest version's fields: a version-1 record stops before
        // the last.
        d.deserialize_tuple(V1_FIELDS + 1, Fields(core::marker::PhantomData))
    }

    struct Fields<'a>(core::marker::PhantomData<&'a ()>);

    /// The next field, or an error naming how many came.
    fn next<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(
        a: &mut A,
        i: usize,
    ) -> Result<T, A::Error> {
        a.next_element()?
            .ok_or_else(|| A::Error::invalid_length(i, &"a hit record"))
    }

    impl<'de: 'a, 'a> Visitor<'de> for Fields<'a> {
        type Value = HitRecord<'a>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a hit record of version 1 or 2")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<HitRecord<'a>, A::Error> {
            let wire_version: u8 = next(&mut a, 0)?;
            if !(1..=WIRE_VERSION).contains(&wire_version) {
                return Err(A::Error::custom("a hit record of an unknown version"));
            }
            let mut r = HitRecord {
                wire_version,
                seq: next(&mut a, 1)?,
                time: next(&mut a, 2)?,
                camera: next(&mut a, 3)?,
                read: next(&mut a, 4)?,
                reads: next(&mut a, 5)?,
                listed: next(&mut a, 6)?,
                country: next(&mut a, 7)?,
                list: next(&mut a, 8)?,
                priority: next(&mut a, 9)?,
                kind: next(&mut a, 10)?,
                ocr: next(&mut a, 11)?,
                edits: next(&mut a, 12)?,
                action: next(&mut a, 13)?,
                rule: next(&mut a, 14)?,
                reason: next(&mut a, 15)?,
                late: next(&mut a, 16)?,
                list_version: next(&mut a, 17)?,
                position: next(&mut a, 18)?,
                rule_tag: None,
            };
            if wire_version >= 2 {
                r.rule_tag = Some(next(&mut a, V1_FIELDS)?);
            }
            Ok(r)
        }
    }

    /// A record to write in its binary form.
    pub(crate) struct Write<'r, 'a>(pub(crate) &'r HitRecord<'a>);

    impl serde::Serialize for Write<'_, '_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            serialize(self.0, s)
        }
    }

    /// A record read in its binary form.
    pub(crate) struct Read<'a>(pub(crate) HitRecord<'a>);

    impl<'de: 'a, 'a> Deserialize<'de> for Read<'a> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            deserialize(d).map(Read)
        }
    }
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
            Self::Payload => "payload is not a hit record of version 1 or 2",
            Self::Field => "hit record field out of range",
        })
    }
}

impl core::error::Error for WireError {}

impl<'a> HitRecord<'a> {
    /// The record of a hit.
    pub fn of(h: &'a Hit) -> Self {
        Self {
            wire_version: if h.rule_tag.is_some() {
                WIRE_VERSION
            } else {
                1
            },
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
            rule_tag: h.rule_tag,
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
            rule_tag: self.rule_tag,
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
    frame::<_, MAX_FRAME>(&binary::Write(rec), buf)
}

/// Decodes one frame (with or without its trailing zero) in place.
pub fn decode(frame: &mut [u8]) -> Result<HitRecord<'_>, WireError> {
    let binary::Read(rec) =
        postcard::from_bytes(unframe(frame)?).map_err(|_| WireError::Payload)?;
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
