//! Re-alert suppression: the same hit must not reach dispatch again and again.
//!
//! The key is the list entry and the plate (list, listed plate, country),
//! never the camera: the same car at another camera ten minutes later is the
//! same hit, and a second wanted car at the same camera is not.
//!
//! The table is caller storage of any size; a key stands in its hash slot
//! or one of the next [`PROBE`] - 1, so every lookup and update touches at
//! most [`PROBE`] slots. When all of them are taken and none has expired,
//! the oldest of them is evicted, and the eviction is counted.
//!
//! Each slot remembers the latest event time at which the key was forwarded
//! as a dispatch and as a review. A dispatch is suppressed within the window
//! of an earlier dispatch; a review within the window of an earlier dispatch
//! or review. Times only move forward in a slot (`max`), so a late,
//! out-of-order hit cannot pull the state back; the window test is on the
//! absolute difference, so a late copy of a dispatched hit is suppressed too.
//!
//! A slot also remembers whether its latest review was a look-alike
//! verdict ([`Reason::Lookalike`](crate::hit::Reason::Lookalike)): a flag,
//! not the other car's plate. Within the window of that review, a passage
//! of the same entry that is one frame matched only with tolerance is the
//! look-alike car again, not the listed one: the
//! [`Unit`](crate::unit::Unit) reviews it.
//!
//! And whether its latest dispatch matched only with tolerance (a flag,
//! not the plate read). Within the window of that dispatch, a passage that
//! spells the listed plate exactly, and did not begin at the same moment
//! (within the passage window: the other lane's camera reading the same
//! car), is not held back as a repeat: the car
//! dispatched may have been another one (a look-alike, misread), so the
//! [`Unit`](crate::unit::Unit) forwards the exact sighting once, for
//! review ([`Reason::Stronger`](crate::hit::Reason::Stronger)).

use crate::list::ListId;
use crate::plate::{Country, Plate};
use crate::policy::Action;
use crate::read::{FNV_OFFSET, fnv1a};

/// One slot of the suppression table. Storage is handed in by the caller:
/// `[SuppressSlot::EMPTY; N]`. Size it as the hits forwarded in one re-alert
/// window, times two or more: a key's [`PROBE`] slots fill before the whole
/// table does, and an expired slot is reused before anything is evicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuppressSlot {
    /// Valid when `used` (not an `Option`: an unused slot is all zero
    /// bytes, so a `static` table costs no flash).
    key: Key,
    /// [`USED`], [`LOOKALIKE`], [`TOLERANT`].
    flags: u8,
    dispatch: Option<u64>,
    review: Option<u64>,
    /// The window of the key's priority, ms.
    window: u64,
}

/// What identifies a hit for suppression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Key {
    pub(crate) list: ListId,
    pub(crate) listed: Plate,
    pub(crate) country: Option<Country>,
}

impl Key {
    pub(crate) const ZERO: Self = Self {
        list: ListId(0),
        listed: Plate::ZERO,
        country: None,
    };
}

impl SuppressSlot {
    fn key(&self) -> Option<&Key> {
        (self.flags & USED != 0).then_some(&self.key)
    }

    /// An unused slot.
    pub const EMPTY: Self = Self {
        key: Key::ZERO,
        flags: 0,
        dispatch: None,
        review: None,
        window: 0,
    };

    fn latest(&self) -> u64 {
        self.dispatch.max(self.review).unwrap_or(0)
    }
}

/// A slot's flag: the slot holds a key.
const USED: u8 = 1;
/// A slot's flag: its latest review was a look-alike verdict.
const LOOKALIKE: u8 = 2;
/// A slot's flag: its latest dispatch matched only with tolerance.
const TOLERANT: u8 = 4;

pub(crate) fn within(a: u64, b: u64, window: u64) -> bool {
    a.abs_diff(b) < window
}

/// Slots a key may stand in: its hash slot and the next ones. A lookup
/// and an update touch at most this many slots, whatever the table size.
pub const PROBE: usize = 8;

impl Key {
    /// FNV-1a over list, plate and country.
    fn hash(&self) -> usize {
        let country = Country::pack(self.country).to_le_bytes();
        let list = [self.list.0];
        let bytes = list.iter().chain(self.listed.as_bytes());
        fnv1a(FNV_OFFSET, bytes.chain(country.iter())) as usize
    }
}

/// The slots a key may stand in.
fn window(len: usize, key: &Key) -> impl Iterator<Item = usize> {
    let start = if len == 0 { 0 } else { key.hash() % len };
    // `start + k` wraps at most once: a subtraction, where `% len` is a
    // library division on a Cortex-M0, for each of the slots.
    (0..PROBE.min(len)).map(move |k| {
        let i = start + k;
        if i >= len { i - len } else { i }
    })
}

/// A slot of a table keyed on the list entry and plate: the unit's
/// [`SuppressSlot`] and the zone gate's
/// [`CaseSlot`](crate::gate::CaseSlot) share the probing and the eviction.
pub(crate) trait Slot {
    /// The key, when the slot is used.
    fn key(&self) -> Option<&Key>;
    /// The latest event time it remembers.
    fn latest(&self) -> u64;
    /// How long it is remembered after that, ms.
    fn window(&self) -> u64;
}

impl Slot for SuppressSlot {
    fn key(&self) -> Option<&Key> {
        SuppressSlot::key(self)
    }
    fn latest(&self) -> u64 {
        SuppressSlot::latest(self)
    }
    fn window(&self) -> u64 {
        self.window
    }
}

/// The slot holding `key`.
pub(crate) fn find<S: Slot>(table: &[S], key: &Key) -> Option<usize> {
    window(table.len(), key).find(|&i| table.get(i).is_some_and(|s| s.key() == Some(key)))
}

/// The slot for `key` at `now`: its own, else a free one, else one whose
/// window has passed, else the oldest of the key's window (the `bool`:
/// a live slot is evicted). `None` only for an empty table.
pub(crate) fn claim<S: Slot>(table: &[S], key: &Key, now: u64) -> (Option<usize>, bool) {
    let len = table.len();
    let first = |f: &dyn Fn(&S) -> bool| window(len, key).find(|&i| table.get(i).is_some_and(f));
    if let Some(i) = first(&|s| s.key() == Some(key))
        .or_else(|| first(&|s| s.key().is_none()))
        .or_else(|| first(&|s| now.saturating_sub(s.latest()) >= s.window()))
    {
        return (Some(i), false);
    }
    let oldest = window(len, key).min_by_key(|&i| table.get(i).map_or(0, S::latest));
    (oldest, oldest.is_some())
}

/// What the table says of a hit with this key, action and event time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Repeat {
    /// Not a repeat: forwarded.
    New,
    /// A repeat: held back.
    Held,
    /// A dispatch held back by a dispatch that matched only with
    /// tolerance ([`Mark::Tolerant`]) and began more than `same_ms` apart:
    /// an exact sighting of it is reviewed rather than held.
    AfterTolerant,
}

/// Is a hit with this key, action and event time a repeat, and of what?
/// `same_ms`: how far apart two passages are one car read by both lanes.
pub(crate) fn repeat(
    table: &[SuppressSlot],
    key: &Key,
    action: Action,
    time: u64,
    window_ms: u64,
    same_ms: u64,
) -> Repeat {
    let Some(slot) = find(table, key).and_then(|i| table.get(i)) else {
        return Repeat::New;
    };
    let by_dispatch = slot.dispatch.filter(|&t| within(t, time, window_ms));
    let by_review = slot.review.is_some_and(|t| within(t, time, window_ms));
    match (action, by_dispatch) {
        (Action::Dispatch, Some(t)) if slot.flags & TOLERANT != 0 && !within(t, time, same_ms) => {
            Repeat::AfterTolerant
        }
        (Action::Dispatch | Action::Review, Some(_)) => Repeat::Held,
        (Action::Review, None) if by_review => Repeat::Held,
        _ => Repeat::New,
    }
}

/// Is a hit with this key, action and event time suppressed?
#[cfg(test)]
pub(crate) fn is_suppressed(
    table: &[SuppressSlot],
    key: &Key,
    action: Action,
    time: u64,
    window_ms: u64,
) -> bool {
    repeat(table, key, action, time, window_ms, 0) != Repeat::New
}

/// What a forwarded hit leaves in its slot besides its time, for
/// [`record_marked`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// A dispatch on an exact match, or a review that is no look-alike
    /// verdict.
    Plain,
    /// A dispatch on a match with tolerance only.
    Tolerant,
    /// A review that is a look-alike verdict.
    Lookalike,
    /// A review of an exact sighting after a tolerant dispatch: that
    /// dispatch's flag is cleared, so it is reviewed once.
    Stronger,
}

/// Records a forwarded hit, unmarked.
#[cfg(test)]
pub(crate) fn record(
    table: &mut [SuppressSlot],
    key: Key,
    action: Action,
    time: u64,
    window_ms: u64,
    now: u64,
) -> bool {
    record_marked(table, key, action, Mark::Plain, time, window_ms, now)
}

/// Records a forwarded hit and its [`Mark`]. Returns true when a live
/// slot had to be evicted (every slot of the key's window was taken and
/// none had expired).
pub(crate) fn record_marked(
    table: &mut [SuppressSlot],
    key: Key,
    action: Action,
    mark: Mark,
    time: u64,
    window_ms: u64,
    now: u64,
) -> bool {
    let (pos, evicted) = claim(table, &key, now);
    let Some(slot) = pos.and_then(|i| table.get_mut(i)) else {
        // A zero-sized table remembers nothing.
        return !table.is_empty();
    };
    if slot.key() != Some(&key) {
        *slot = SuppressSlot {
            key,
            flags: USED,
            ..SuppressSlot::EMPTY
        };
    }
    slot.window = window_ms;
    let field = match action {
        Action::Dispatch => {
            slot.flags &= !TOLERANT;
            if mark == Mark::Tolerant {
                slot.flags |= TOLERANT;
            }
            &mut slot.dispatch
        }
        Action::Review => {
            slot.flags &= !LOOKALIKE;
            match mark {
                Mark::Lookalike => slot.flags |= LOOKALIKE,
                Mark::Stronger => slot.flags &= !TOLERANT,
                Mark::Plain | Mark::Tolerant => {}
            }
            &mut slot.review
        }
        Action::Drop => return evicted,
    };
    *field = Some(field.map_or(time, |t| t.max(time)));
    evicted
}

/// Was `key`'s latest review a look-alike verdict, within `window_ms` of
/// event time `time`?
pub(crate) fn lookalike_within(
    table: &[SuppressSlot],
    key: &Key,
    time: u64,
    window_ms: u64,
) -> bool {
    find(table, key)
        .and_then(|i| table.get(i))
        .is_some_and(|s| {
            s.flags & LOOKALIKE != 0 && s.review.is_some_and(|t| within(t, time, window_ms))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key {
            list: ListId(0),
            listed: Plate::normalize(s.as_bytes()).unwrap_or(Plate::ZERO),
            country: None,
        }
    }

    const MIN: u64 = 60_000;

    #[test]
    fn full_window_evicts_the_oldest() {
        let mut t = [SuppressSlot::EMPTY; 3];
        let w = 40 * MIN;
        assert!(!record(
            &mut t,
            key("AAA111"),
            Action::Dispatch,
            10 * MIN,
            w,
            10 * MIN
        ));
        assert!(!record(
            &mut t,
            key("BBB222"),
            Action::Dispatch,
            11 * MIN,
            w,
            11 * MIN
        ));
        assert!(!record(
            &mut t,
            key("CCC333"),
            Action::Dispatch,
            12 * MIN,
            w,
            12 * MIN
        ));
        for k in ["AAA111", "BBB222", "CCC333"] {
            assert!(
                is_suppressed(&t, &key(k), Action::Dispatch, 13 * MIN, w),
                "{k}"
            );
        }
        // A fourth live key: the oldest (AAA111) goes, and that is counted.
        assert!(record(
            &mut t,
            key("DDD444"),
            Action::Dispatch,
            13 * MIN,
            w,
            13 * MIN
        ));
        assert!(!is_suppressed(
            &t,
            &key("AAA111"),
            Action::Dispatch,
            14 * MIN,
            w
        ));
        assert!(is_suppressed(
            &t,
            &key("BBB222"),
            Action::Dispatch,
            14 * MIN,
            w
        ));
        // An hour on, every window has passed: a new key reuses a slot
        // without an eviction.
        assert!(!record(
            &mut t,
            key("EEE555"),
            Action::Dispatch,
            80 * MIN,
            w,
            80 * MIN
        ));
    }

    #[test]
    fn review_does_not_suppress_dispatch_but_dispatch_suppresses_review() {
        let mut t = [SuppressSlot::EMPTY; 16];
        let w = 40 * MIN;
        record(&mut t, key("AAA111"), Action::Review, 10 * MIN, w, 10 * MIN);
        assert!(!is_suppressed(
            &t,
            &key("AAA111"),
            Action::Dispatch,
            11 * MIN,
            w
        ));
        assert!(is_suppressed(
            &t,
            &key("AAA111"),
            Action::Review,
            11 * MIN,
            w
        ));
        record(
            &mut t,
            key("AAA111"),
            Action::Dispatch,
            12 * MIN,
            w,
            12 * MIN,
        );
        assert!(is_suppressed(
            &t,
            &key("AAA111"),
            Action::Review,
            50 * MIN,
            w
        ));
        assert!(!is_suppressed(
            &t,
            &key("AAA111"),
            Action::Dispatch,
            52 * MIN,
            w
        ));
        // Other plates and lists are other keys.
        assert!(!is_suppressed(
            &t,
            &key("AAA112"),
            Action::Review,
            12 * MIN,
            w
        ));
        let mut other = key("AAA111");
        other.list = ListId(1);
        assert!(!is_suppressed(&t, &other, Action::Review, 12 * MIN, w));
    }

    #[test]
    fn many_keys_in_a_large_table_are_all_kept() {
        let mut t = [SuppressSlot::EMPTY; 256];
        let w = 40 * MIN;
        let mut evictions = 0;
        for i in 0..64u32 {
            let mut buf = [b'X'; 6];
            buf[2] = b'0' + (i / 10) as u8;
            buf[3] = b'0' + (i % 10) as u8;
            let k = Key {
                list: ListId(0),
                listed: Plate::normalize(&buf).unwrap_or(Plate::ZERO),
                country: None,
            };
            evictions += u32::from(record(&mut t, k, Action::Dispatch, MIN, w, MIN));
            assert!(is_suppressed(&t, &k, Action::Dispatch, 2 * MIN, w));
        }
        assert_eq!(evictions, 0);
    }

    #[test]
    fn a_look_alike_review_is_remembered_until_another_review_or_its_window() {
        let mut t = [SuppressSlot::EMPTY; 4];
        let (k, w) = (key("AAA111"), 40 * MIN);
        // Nothing recorded, or only a dispatch: no look-alike.
        assert!(!lookalike_within(&t, &k, MIN, w));
        record(&mut t, k, Action::Dispatch, MIN, w, MIN);
        // Another key's look-alike review is not this key's.
        let other = key("BBB222");
        record_marked(&mut t, other, Action::Review, Mark::Lookalike, MIN, w, MIN);
        assert!(!lookalike_within(&t, &k, MIN, w));
        assert!(lookalike_within(&t, &other, MIN, w));
        // A look-alike review at 10 minutes: within its window, before and
        // after, and not at the window's end.
        record_marked(
            &mut t,
            k,
            Action::Review,
            Mark::Lookalike,
            10 * MIN,
            w,
            10 * MIN,
        );
        assert!(lookalike_within(&t, &k, 10 * MIN, w));
        assert!(lookalike_within(&t, &k, 49 * MIN, w));
        assert!(!lookalike_within(&t, &k, 50 * MIN, w));
        // Another key's entry is not it.
        assert!(!lookalike_within(&t, &key("CCC333"), 10 * MIN, w));
        // A later review for another reason clears it.
        record(&mut t, k, Action::Review, 20 * MIN, w, 20 * MIN);
        assert!(!lookalike_within(&t, &k, 20 * MIN, w));
        // The slot still holds its key and its times.
        assert!(is_suppressed(&t, &k, Action::Review, 21 * MIN, w));
    }

    /// A dispatch on a tolerant match: a later dispatch of its key in its
    /// window is [`Repeat::AfterTolerant`] (more than `same` apart, either
    /// way), until a [`Mark::Stronger`] review clears it; a review is held
    /// as ever; an exact dispatch leaves no flag.
    #[test]
    fn a_tolerant_dispatch_is_remembered_until_its_exact_sighting() {
        let mut t = [SuppressSlot::EMPTY; 4];
        let (k, w, same) = (key("AAA111"), 40 * MIN, 2_000);
        let at = |t: &[SuppressSlot], action, time| repeat(t, &k, action, time, w, same);
        record_marked(
            &mut t,
            k,
            Action::Dispatch,
            Mark::Tolerant,
            10 * MIN,
            w,
            10 * MIN,
        );
        assert_eq!(at(&t, Action::Dispatch, 10 * MIN + 1_999), Repeat::Held);
        assert_eq!(at(&t, Action::Dispatch, 10 * MIN - 1_999), Repeat::Held);
        assert_eq!(
            at(&t, Action::Dispatch, 10 * MIN + 2_000),
            Repeat::AfterTolerant
        );
        assert_eq!(at(&t, Action::Dispatch, 9 * MIN), Repeat::AfterTolerant);
        assert_eq!(at(&t, Action::Dispatch, 50 * MIN), Repeat::New);
        assert_eq!(at(&t, Action::Review, 20 * MIN), Repeat::Held);
        record_marked(
            &mut t,
            k,
            Action::Review,
            Mark::Stronger,
            20 * MIN,
            w,
            20 * MIN,
        );
        assert_eq!(at(&t, Action::Dispatch, 25 * MIN), Repeat::Held);
        // After the window, an exact dispatch: its repeats are plain.
        record_marked(
            &mut t,
            k,
            Action::Dispatch,
            Mark::Plain,
            60 * MIN,
            w,
            60 * MIN,
        );
        assert_eq!(at(&t, Action::Dispatch, 70 * MIN), Repeat::Held);
        // A tolerant one again, and a look-alike review: the flag stays.
        record_marked(
            &mut t,
            k,
            Action::Dispatch,
            Mark::Tolerant,
            110 * MIN,
            w,
            110 * MIN,
        );
        record_marked(
            &mut t,
            k,
            Action::Review,
            Mark::Lookalike,
            111 * MIN,
            w,
            111 * MIN,
        );
        assert_eq!(at(&t, Action::Dispatch, 115 * MIN), Repeat::AfterTolerant);
    }
}
