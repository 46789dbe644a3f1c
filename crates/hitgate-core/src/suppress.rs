//! Re-alert suppression: the same hit must not reach dispatch again and again.
//!
//! The key is the list entry and the plate (list, listed plate, country),
//! never the camera: the same car at another camera ten minutes later is the
//! same hit, and a second wanted car at the same camera is not.
//!
//! Each slot remembers the latest event time at which the key was forwarded
//! as a dispatch and as a review. A dispatch is suppressed within the window
//! of an earlier dispatch; a review within the window of an earlier dispatch
//! or review. Times only move forward in a slot (`max`), so a late,
//! out-of-order hit cannot pull the state back; the window test is on the
//! absolute difference, so a late copy of a dispatched hit is suppressed too.

use crate::plate::{Country, Plate};
use crate::policy::Action;
use crate::watchlist::ListId;

/// One slot of the suppression table. Storage is handed in by the caller:
/// `[SuppressSlot::EMPTY; N]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuppressSlot {
    key: Option<Key>,
    dispatch: Option<u64>,
    review: Option<u64>,
    /// The window of the key's priority, ms.
    window: u64,
}

/// What identifies a hit for suppression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) list: ListId,
    pub(crate) listed: Plate,
    pub(crate) country: Option<Country>,
}

impl SuppressSlot {
    /// An unused slot.
    pub const EMPTY: Self = Self {
        key: None,
        dispatch: None,
        review: None,
        window: 0,
    };

    fn latest(&self) -> u64 {
        self.dispatch.max(self.review).unwrap_or(0)
    }
}

fn within(a: u64, b: u64, window: u64) -> bool {
    a.abs_diff(b) < window
}

/// Is a hit with this key, action and event time suppressed?
pub(crate) fn is_suppressed(
    table: &[SuppressSlot],
    key: &Key,
    action: Action,
    time: u64,
    window: u64,
) -> bool {
    let Some(slot) = table.iter().find(|s| s.key.as_ref() == Some(key)) else {
        return false;
    };
    let by_dispatch = slot.dispatch.is_some_and(|t| within(t, time, window));
    let by_review = slot.review.is_some_and(|t| within(t, time, window));
    match action {
        Action::Dispatch => by_dispatch,
        Action::Review => by_dispatch || by_review,
        Action::Drop => false,
    }
}

/// Records a forwarded hit. Returns true when a live slot had to be evicted
/// (the table was full and no slot had expired).
pub(crate) fn record(
    table: &mut [SuppressSlot],
    key: Key,
    action: Action,
    time: u64,
    window: u64,
    now: u64,
) -> bool {
    let mut evicted = false;
    let pos = match table.iter().position(|s| s.key == Some(key)) {
        Some(i) => Some(i),
        None => {
            // A free slot, else one whose window has passed, else the oldest.
            let free = table.iter().position(|s| s.key.is_none());
            let expired = || {
                table
                    .iter()
                    .position(|s| now.saturating_sub(s.latest()) >= s.window)
            };
            let oldest = || {
                evicted = true;
                table
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, s)| s.latest())
                    .map(|(i, _)| i)
            };
            free.or_else(expired).or_else(oldest)
        }
    };
    let Some(slot) = pos.and_then(|i| table.get_mut(i)) else {
        // A zero-sized table remembers nothing.
        return !table.is_empty();
    };
    if slot.key != Some(key) {
        *slot = SuppressSlot {
            key: Some(key),
            ..SuppressSlot::EMPTY
        };
    }
    slot.window = window;
    let field = match action {
        Action::Dispatch => &mut slot.dispatch,
        Action::Review => &mut slot.review,
        Action::Drop => return evicted,
    };
    *field = Some(field.map_or(time, |t| t.max(time)));
    evicted
}
