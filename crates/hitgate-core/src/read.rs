//! A plate read as a camera reports it, and the checks it must pass.

use core::fmt;

use crate::plate::{Country, CountryError, Plate, PlateError};

/// The longest camera id a unit keeps, in bytes. Longer ids, up to
/// [`MAX_CAMERA_ID`], are folded to this length (see [`CameraId`]).
pub const MAX_CAMERA_LEN: usize = 16;

/// The longest camera id a read may carry, in bytes: a UUID (36) and the
/// longer names of a national register fit.
pub const MAX_CAMERA_ID: usize = 64;

/// How many bytes of its beginning a folded camera id keeps.
pub const FOLD_KEEPS: usize = 7;

/// A camera id: 1 to [`MAX_CAMERA_LEN`] printable ASCII bytes.
///
/// An id longer than that (up to [`MAX_CAMERA_ID`]) is **folded**: its
/// first [`FOLD_KEEPS`] bytes, `~`, and the 32-bit FNV-1a hash of the
/// whole id in 8 lower-case hex digits. Every table of the unit then keeps
/// 16 bytes a camera whatever the cameras call themselves, reads, places
/// and rules that name one camera fold it the same way, and a folded id
/// folds to itself, so it survives the wire and a second replay. Two ids
/// that share their first 7 bytes fold apart unless their hashes collide
/// (one chance in 2³² a pair); the host reports what it folded.
///
/// ```
/// use hitgate_core::read::CameraId;
///
/// let uuid = CameraId::new("3f2504e0-4f89-11d3-9a0c-0305e72c3301")?;
/// assert_eq!(uuid.as_str(), "3f2504e~5be1f9f5");
/// assert_eq!(CameraId::new(uuid.as_str())?, uuid);
/// assert_eq!(CameraId::new("cam-01")?.as_str(), "cam-01");
/// # Ok::<(), hitgate_core::read::ReadError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct CameraId(heapless::String<MAX_CAMERA_LEN>);

impl CameraId {
    /// The empty id of an unused table slot.
    pub(crate) const EMPTY: Self = Self(heapless::String::new());

    /// Checks and copies a camera id, folding one longer than
    /// [`MAX_CAMERA_LEN`].
    #[inline]
    pub fn new(id: &str) -> Result<Self, ReadError> {
        if id.is_empty() {
            return Err(ReadError::Camera);
        }
        if id.len() > MAX_CAMERA_LEN {
            return Self::fold(id);
        }
        if !id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ReadError::Camera);
        }
        let mut s = heapless::String::new();
        s.push_str(id).map_err(|_| ReadError::CameraTooLong)?;
        Ok(Self(s))
    }

    /// An id longer than [`MAX_CAMERA_LEN`], folded. Out of line: a
    /// unit's own cameras mostly have short ids, and every read checks
    /// its camera (the firmware's instructions a read do not move).
    #[cold]
    #[inline(never)]
    fn fold(id: &str) -> Result<Self, ReadError> {
        if !id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ReadError::Camera);
        }
        if id.len() > MAX_CAMERA_ID {
            return Err(ReadError::CameraTooLong);
        }
        let mut s = heapless::String::new();
        // All ASCII, so every byte index is a char boundary.
        let keep = id.get(..FOLD_KEEPS).ok_or(ReadError::Camera)?;
        let hash = fnv1a(FNV_OFFSET, id.as_bytes());
        s.push_str(keep).map_err(|_| ReadError::CameraTooLong)?;
        s.push('~').map_err(|_| ReadError::CameraTooLong)?;
        for shift in (0..8).rev() {
            let digit = (hash >> (shift * 4)) & 0xf;
            let c = char::from_digit(digit, 16).unwrap_or('0');
            s.push(c).map_err(|_| ReadError::CameraTooLong)?;
        }
        Ok(Self(s))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `==`, compared from the last byte: ids of one site share their
    /// beginning (`cam-01`, `cam-02`), so a table search that compares
    /// many ids stops at the first byte for most of them.
    #[inline]
    pub(crate) fn same(&self, other: &Self) -> bool {
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        a.len() == b.len() && a.iter().rev().zip(b.iter().rev()).all(|(x, y)| x == y)
    }
}

/// The FNV-1a offset basis (32 bits).
pub(crate) const FNV_OFFSET: u32 = 0x811c_9dc5;

/// FNV-1a (32 bits) over `bytes`, continuing from `h` ([`FNV_OFFSET`] to
/// start): a hash any system can reproduce in a few lines.
pub(crate) fn fnv1a<'a>(mut h: u32, bytes: impl IntoIterator<Item = &'a u8>) -> u32 {
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

impl fmt::Debug for CameraId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CameraId({:?})", self.as_str())
    }
}

impl fmt::Display for CameraId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::fmt::via_str!(CameraId, "a camera id", CameraId::new);

/// Where a mobile unit stood: degrees × 10⁷ (WGS 84).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Position {
    /// Latitude × 10⁷.
    pub lat_e7: i32,
    /// Longitude × 10⁷.
    pub lon_e7: i32,
}

impl Position {
    /// A position from degrees, or `None` when out of range.
    pub fn from_degrees(lat: f64, lon: f64) -> Option<Self> {
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return None;
        }
        Some(Self {
            lat_e7: (lat * 1e7) as i32,
            lon_e7: (lon * 1e7) as i32,
        })
    }
}

/// One plate read, as the camera reports it (raw, unchecked).
#[derive(Debug, Clone, Copy)]
pub struct Read<'a> {
    /// When the camera saw the plate (ms since the Unix epoch).
    pub time: u64,
    /// The camera id.
    pub camera: &'a str,
    /// The plate as the ANPR engine emitted it.
    pub plate: &'a [u8],
    /// Country code, when the engine gives one: ISO 3166's two or three
    /// letters, or the vehicle registration sticker's
    /// ([`Country::recognise`]).
    pub country: Option<&'a [u8]>,
    /// Engine confidence, 0 to 100.
    pub confidence: Option<u8>,
    /// Position of a mobile unit.
    pub position: Option<Position>,
}

/// Why a read was rejected. Each reason has its own counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ReadError {
    /// The plate is not a plate.
    Plate(PlateError),
    /// The country is not a code [`Country::recognise`] knows.
    Country(CountryError),
    /// The camera id is empty or not printable ASCII.
    Camera,
    /// The camera id is longer than [`MAX_CAMERA_ID`].
    CameraTooLong,
    /// The confidence is outside 0 to 100.
    Confidence,
    /// The event time lies further in the future than the unit's clock
    /// allows.
    Future,
}

impl ReadError {
    /// Number of counter slots, one per reason.
    pub const COUNT: usize = 6;

    /// Counter slot of this reason.
    pub fn index(&self) -> usize {
        match self {
            Self::Plate(_) => 0,
            Self::Country(_) => 1,
            Self::Camera => 2,
            Self::CameraTooLong => 3,
            Self::Confidence => 4,
            Self::Future => 5,
        }
    }

    /// Short name of a reason slot, for reports.
    pub fn slot_name(index: usize) -> &'static str {
        [
            "plate",
            "country",
            "camera",
            "camera_too_long",
            "confidence",
            "future",
        ]
        .get(index)
        .copied()
        .unwrap_or("?")
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Plate(e) => write!(f, "bad plate: {e}"),
            Self::Country(e) => write!(f, "bad country: {e}"),
            Self::Camera => f.write_str("camera id is empty or not printable ASCII"),
            Self::CameraTooLong => write!(f, "camera id is longer than {MAX_CAMERA_ID} bytes"),
            Self::Confidence => f.write_str("confidence is outside 0 to 100 (-1: unknown)"),
            Self::Future => f.write_str("event time is too far in the future"),
        }
    }
}

impl core::error::Error for ReadError {}

/// A read that passed the checks.
#[derive(Debug, Clone)]
pub struct CheckedRead {
    /// Event time (ms since the Unix epoch).
    pub time: u64,
    /// The camera.
    pub camera: CameraId,
    /// The canonical plate.
    pub plate: Plate,
    /// The country, if given.
    pub country: Option<Country>,
    /// Confidence, 0 to 100, if given.
    pub confidence: Option<u8>,
    /// Position, if given.
    pub position: Option<Position>,
}

impl Read<'_> {
    /// Checks the read against the unit's clock `now`: event times more than
    /// `max_future` ms ahead are refused.
    pub fn check(&self, now: u64, max_future: u64) -> Result<CheckedRead, ReadError> {
        let plate = Plate::normalize(self.plate).map_err(ReadError::Plate)?;
        let camera = CameraId::new(self.camera)?;
        let country = match self.country {
            None | Some(b"") => None,
            Some(c) => Some(Country::recognise(c).map_err(ReadError::Country)?),
        };
        if self.confidence.is_some_and(|c| c > 100) {
            return Err(ReadError::Confidence);
        }
        if self.time > now.saturating_add(max_future) {
            return Err(ReadError::Future);
        }
        Ok(CheckedRead {
            time: self.time,
            camera,
            plate,
            country,
            confidence: self.confidence,
            position: self.position,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_is_equality() {
        let ids = ["cam-01", "cam-02", "cam-1", "dam-01", "cam-01x", "x"];
        for a in ids {
            for b in ids {
                let (x, y) = (CameraId::new(a).unwrap(), CameraId::new(b).unwrap());
                assert_eq!(x.same(&y), a == b, "{a} {b}");
            }
        }
        assert!(!CameraId::EMPTY.same(&CameraId::new("a").unwrap()));
        assert!(CameraId::EMPTY.same(&CameraId::EMPTY));
    }

    /// The folded ids were worked out apart from this code, by Python:
    /// `id[:7] + "~" + format(fnv1a_32(id.encode()), "08x")`.
    #[test]
    fn long_ids_fold_to_their_beginning_and_a_hash() {
        let cases = [
            ("BXL-NORD-E40-KM12-L1", "BXL-NOR~9faccf8b"),
            ("BXL-NORD-E40-KM12-L2", "BXL-NOR~a0acd11e"),
            ("cam-0123456789abc", "cam-012~9a030988"),
            (&"x".repeat(64), "xxxxxxx~d19b1ac5"),
        ];
        for (id, folded) in cases {
            let c = CameraId::new(id).unwrap();
            assert_eq!(c.as_str(), folded, "{id}");
            assert_eq!(CameraId::new(folded).unwrap(), c, "folds to itself");
        }
        let short = CameraId::new("cam-0123456789ab").unwrap();
        assert_eq!(short.as_str(), "cam-0123456789ab", "16 bytes stay");
        assert_eq!(
            CameraId::new(&"x".repeat(65)),
            Err(ReadError::CameraTooLong)
        );
        assert_eq!(
            CameraId::new("a long id with spaces in it"),
            Err(ReadError::Camera)
        );
        assert_eq!(CameraId::new(""), Err(ReadError::Camera));
    }

    #[test]
    fn fnv1a_continues_where_it_stopped() {
        // The FNV-1a 32 test vectors: "" and "a".
        assert_eq!(fnv1a(FNV_OFFSET, b""), 0x811c_9dc5);
        assert_eq!(fnv1a(FNV_OFFSET, b"a"), 0xe40c_292c);
        assert_eq!(
            fnv1a(fnv1a(FNV_OFFSET, b"ab"), b"c"),
            fnv1a(FNV_OFFSET, b"abc")
        );
    }
}
