//! What the unit forwards: a [`Hit`] for dispatch or review and why, and the
//! [`Outcome`] of every decided passage. Kept apart from the unit so that
//! the wire format depends on the output alone.

use crate::distance::Distance;
use crate::list::{ListId, Priority};
use crate::plate::{Country, Plate};
use crate::policy::{Action, RuleId};
use crate::read::{CameraId, Position};
use crate::watchlist::MatchKind;

/// Why a forwarded hit is a review rather than a dispatch (or `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Reason {
    /// The matrix decided so.
    Rule,
    /// Older than the maximum lateness.
    Late,
    /// The dispatch budget of its priority is spent.
    Capacity,
    /// The reads agree on an unlisted plate that only looks like a listed one.
    Lookalike,
    /// A repeat within the re-alert window, forwarded all the same: the
    /// entry's dispatch in the window matched only with tolerance, and this
    /// passage (its plate, or one of its frames) spells the listed plate
    /// exactly and began more than a
    /// passage window before or after it (not the other lane reading the
    /// same car), so the car dispatched may have been another (a
    /// look-alike, misread). Once per such dispatch.
    Stronger,
}

impl Reason {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rule => "rule",
            Self::Late => "late",
            Self::Capacity => "capacity",
            Self::Lookalike => "lookalike",
            Self::Stronger => "stronger",
        }
    }
}

/// A forwarded hit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Hit {
    /// Sequence number of forwarded hits, from 0.
    pub seq: u32,
    /// Event time of the passage's first read (ms since the Unix epoch).
    pub time: u64,
    /// The camera.
    pub camera: CameraId,
    /// The plate as read (the passage's consensus plate in consensus mode).
    pub read: Plate,
    /// Reads behind the hit.
    pub reads: u16,
    /// The listed plate.
    pub listed: Plate,
    /// The listed country.
    pub country: Option<Country>,
    /// The list.
    pub list: ListId,
    /// The entry's priority.
    pub priority: Priority,
    /// How the read matched.
    pub kind: MatchKind,
    /// The changes from read to listed plate.
    pub distance: Distance,
    /// Dispatch or review.
    pub action: Action,
    /// The rule that decided.
    pub rule: RuleId,
    /// Its [`tag`](crate::policy::Rule::tag): what names the rule to a
    /// zone gate whose policy numbers its rules otherwise. None from a
    /// unit before tags (a version-1 record).
    #[cfg_attr(feature = "serde", serde(default))]
    pub rule_tag: Option<u32>,
    /// Why a review (`Rule` when the matrix said review, or for a dispatch).
    pub reason: Reason,
    /// Older than the maximum lateness.
    pub late: bool,
    /// Watchlist version matched against.
    pub version: u32,
    /// Position of a mobile unit.
    pub position: Option<Position>,
}

/// The outcome of a decided passage.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Outcome {
    /// Forwarded for dispatch or review.
    Forward(Hit),
    /// The matrix dropped it.
    Dropped {
        /// The deciding rule.
        rule: RuleId,
        /// The priority of the match.
        priority: Priority,
        /// The passage: its camera and the event time of its first read,
        /// as a hit would carry them (what names a passage when two
        /// matrices are compared on one stream).
        camera: CameraId,
        /// See `camera`.
        time: u64,
        /// A mobile unit's position, as a hit would carry it.
        position: Option<Position>,
    },
    /// A repeat of a hit forwarded within the re-alert window.
    Suppressed {
        /// The rule that would have forwarded it.
        rule: RuleId,
        /// The action it would have had.
        action: Action,
        /// The passage, as in [`Outcome::Dropped`].
        camera: CameraId,
        /// See `camera`.
        time: u64,
        /// As in [`Outcome::Dropped`].
        position: Option<Position>,
    },
}
