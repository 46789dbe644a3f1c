//! The list vocabulary: priorities, list ids and properties, entry ids and
//! the entries a caller gives a watchlist. Used by the watchlist, the
//! decision matrix, the budgets and the unit alike.

use core::fmt;

use crate::distance::Tolerance;
use crate::plate::{Country, Plate};

/// The most lists one watchlist holds.
pub const MAX_LISTS: usize = 16;

/// A hit priority: 0 (most urgent) to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Priority(pub(crate) u8);

impl Priority {
    /// Priority 0: most urgent, never throttled.
    pub const P0: Self = Self(0);
    /// Priority 1.
    pub const P1: Self = Self(1);
    /// Priority 2: handled only with extra filtering.
    pub const P2: Self = Self(2);
    /// Priority 3.
    pub const P3: Self = Self(3);
    /// Priority 4.
    pub const P4: Self = Self(4);
    /// Number of priorities.
    pub const COUNT: usize = 5;

    /// A priority from 0 to 4, or `None`.
    pub const fn new(p: u8) -> Option<Self> {
        if p < Self::COUNT as u8 {
            Some(Self(p))
        } else {
            None
        }
    }

    /// The number, 0 to 4.
    pub const fn get(self) -> u8 {
        self.0
    }

    /// The number as an index, 0 to 4.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P{}", self.0)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Priority {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let p = <u8 as serde::Deserialize>::deserialize(d)?;
        Self::new(p).ok_or_else(|| serde::de::Error::custom("priority must be 0 to 4"))
    }
}

/// Which list of a watchlist: 0 to [`MAX_LISTS`] - 1, in the order lists were
/// added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct ListId(pub u8);

impl ListId {
    /// The id as an index.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// Properties of one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ListSpec {
    /// How far a read may be from an entry of this list.
    pub tolerance: Tolerance,
    /// The zone's own list (used by the priority-2 rule of the decision matrix).
    pub local: bool,
    /// How far an unmatched frame may be from an entry of this list and
    /// still count as evidence about a passage of it (`None`: the unit's
    /// [`Config::evidence`](crate::unit::Config::evidence)). A list whose
    /// camera's engine makes more errors than its match tolerance allows
    /// can widen it; a list whose plates crowd together (a national list)
    /// can narrow it. Never narrower than the list's own tolerance, and
    /// bounded like it (2 look-alikes, 2 edits).
    pub evidence: Option<Tolerance>,
}

impl ListSpec {
    /// How far a frame may be from an entry of this list and count as
    /// evidence, given the unit's setting: the list's own evidence
    /// tolerance or else `unit`, widened to the list's match tolerance
    /// where that is wider; its `min_len` is the evidence's.
    ///
    /// ```
    /// # use hitgate_core::{distance::Tolerance, list::ListSpec};
    /// let t = |ocr, edits| Tolerance { ocr, edits, min_len: 5 };
    /// let spec = ListSpec { tolerance: t(1, 1), local: false, evidence: None };
    /// assert_eq!(spec.evidence_within(t(2, 0)), t(2, 1));
    /// let own = ListSpec { evidence: Some(t(0, 2)), ..spec };
    /// assert_eq!(own.evidence_within(t(2, 0)), t(1, 2));
    /// ```
    pub fn evidence_within(&self, unit: Tolerance) -> Tolerance {
        let e = self.evidence.unwrap_or(unit);
        Tolerance {
            ocr: self.tolerance.ocr.max(e.ocr),
            edits: self.tolerance.edits.max(e.edits),
            min_len: e.min_len,
        }
    }
}

/// Position of an entry in a built watchlist. Stable until the watchlist is
/// rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct EntryId(pub u32);

/// One watchlist entry as the caller gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ListEntry {
    /// The listed plate.
    pub plate: Plate,
    /// Its country, when the list says.
    pub country: Option<Country>,
    /// Hit priority.
    pub priority: Priority,
    /// The list it stands on.
    pub list: ListId,
    /// Valid from this time (ms since the Unix epoch, inclusive; rounded up to
    /// a whole second).
    pub valid_from: Option<u64>,
    /// Valid until this time (ms since the Unix epoch, exclusive; rounded down
    /// to a whole second).
    pub valid_until: Option<u64>,
}

impl ListEntry {
    /// An entry valid at all times.
    pub fn new(plate: Plate, country: Option<Country>, priority: Priority, list: ListId) -> Self {
        Self {
            plate,
            country,
            priority,
            list,
            valid_from: None,
            valid_until: None,
        }
    }
}
