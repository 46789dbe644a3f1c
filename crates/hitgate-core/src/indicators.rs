//! Indicators: the counters a zone reports to justify its cameras.
//!
//! Every read is counted exactly once in `reads`, and then in exactly one of
//! `rejected`, `unmatched` or `matched`. Every decided passage is counted
//! exactly once in `passages` and by the action it ended with (`dispatched`,
//! `reviewed`, `dropped`, `suppressed_realert`). Reads that joined an open
//! passage are `suppressed_passage`.

use crate::list::{MAX_LISTS, Priority};
use crate::policy::MAX_RULES;
use crate::read::{CameraId, ReadError};

/// The unit's counters. Cheap to copy, serde-serialisable, reset with
/// [`Indicators::default`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Indicators {
    /// Reads received.
    pub reads: u64,
    /// Rejected reads by reason (see [`ReadError::slot_name`]).
    pub rejected: [u64; ReadError::COUNT],
    /// Reads that matched no list: dropped at once, not kept.
    pub unmatched: u64,
    /// Reads that matched at least one list.
    pub matched: u64,
    /// Passages decided.
    pub passages: u64,
    /// Decided passages by priority of the deciding match.
    pub hits_by_priority: [u64; Priority::COUNT],
    /// Decided passages by list of the deciding match.
    pub hits_by_list: [u64; MAX_LISTS],
    /// Hits forwarded for dispatch.
    pub dispatched: u64,
    /// Hits forwarded for review.
    pub reviewed: u64,
    /// Hits the matrix dropped.
    pub dropped: u64,
    /// Decisions by rule index.
    pub by_rule: [u64; MAX_RULES],
    /// Decisions by the fallback (no rule applied: drop).
    pub by_fallback: u64,
    /// Reads folded into an open passage.
    pub suppressed_passage: u64,
    /// Hits suppressed as a repeat of an earlier one (the 40-minute window).
    pub suppressed_realert: u64,
    /// Dispatches turned into reviews for lack of capacity.
    pub capacity: u64,
    /// Hits older than the maximum lateness (never dispatched).
    pub late: u64,
    /// Dispatches turned into reviews because the frames show another car
    /// ([`evidence`](crate::evidence)).
    pub lookalike: u64,
    /// Dispatches whose frames agree on a spelling no plate of the country
    /// has: the listed car misread, dispatched.
    pub misread: u64,
    /// Repeats forwarded for review all the same: an exact sighting of an
    /// entry dispatched, within its window, on a match with tolerance
    /// ([`Reason::Stronger`](crate::hit::Reason::Stronger)).
    pub stronger: u64,
    /// Unmatched reads kept, until their passage was decided, as evidence
    /// about it, whether they came after its first match or before it
    /// ([`recent`](crate::recent)); counted in `unmatched` too.
    pub evidence_frames: u64,
    /// Passages closed early because the passage table was full.
    pub evicted_passages: u64,
    /// Live suppression slots overwritten because the table was full.
    pub evicted_suppression: u64,
    /// Held frames ([`recent`](crate::recent)) that gave way to newer ones
    /// before their hold ran out: the held-frames table is smaller than
    /// the unmatched reads of one hold (passage window and grace) at the
    /// unit's traffic, and a passage that opens on a later frame may miss
    /// them as evidence.
    pub evicted_held: u64,
    /// Reads at cameras that did not fit in the camera table.
    pub camera_overflow: u64,
    /// Passages opened by two unmatched frames of one camera that, read
    /// together, spell a listed plate ([`Unit::push`](crate::unit::Unit::push));
    /// both counted in `unmatched` too.
    pub paired: u64,
}

/// Per-camera counters. Storage is handed in by the caller:
/// `[CameraStats::EMPTY; N]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CameraStats {
    /// The camera (empty in an unused slot).
    pub camera: CameraId,
    /// Reads (including rejected reads that named this camera).
    pub reads: u64,
    /// Reads that matched a list.
    pub matched: u64,
    /// Hits forwarded for dispatch.
    pub dispatched: u64,
    /// Hits forwarded for review.
    pub reviewed: u64,
}

impl CameraStats {
    /// An unused slot.
    pub const EMPTY: Self = Self {
        camera: CameraId::EMPTY,
        reads: 0,
        matched: 0,
        dispatched: 0,
        reviewed: 0,
    };
}

/// The index of a camera's slot, taking a free one when it is new.
pub(crate) fn camera_slot(table: &mut [CameraStats], camera: &CameraId) -> Option<usize> {
    let i = table
        .iter()
        .position(|s| s.camera.same(camera))
        .or_else(|| table.iter().position(|s| s.camera.as_str().is_empty()))?;
    let slot = table.get_mut(i)?;
    if slot.camera.as_str().is_empty() {
        slot.camera = camera.clone();
    }
    Some(i)
}
