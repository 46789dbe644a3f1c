//! A plate read as a camera reports it, and the checks it must pass.

use core::fmt;

use crate::plate::{Country, CountryError, Plate, PlateError};

/// The longest camera id, in bytes.
pub const MAX_CAMERA_LEN: usize = 16;

/// A camera id: 1 to [`MAX_CAMERA_LEN`] printable ASCII bytes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct CameraId(heapless::String<MAX_CAMERA_LEN>);

impl CameraId {
    /// The empty id of an unused table slot.
    pub(crate) const EMPTY: Self = Self(heapless::String::new());

    /// Checks and copies a camera id.
    pub fn new(id: &str) -> Result<Self, ReadError> {
        if id.is_empty() {
            return Err(ReadError::Camera);
        }
        if id.len() > MAX_CAMERA_LEN {
            return Err(ReadError::CameraTooLong);
        }
        if !id.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ReadError::Camera);
        }
        let mut s = heapless::String::new();
        s.push_str(id).map_err(|_| ReadError::CameraTooLong)?;
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
    /// The camera id is longer than [`MAX_CAMERA_LEN`].
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
            Self::CameraTooLong => write!(f, "camera id is longer than {MAX_CAMERA_LEN} bytes"),
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
}
