//! Passages: the frames of one car at one camera, collapsed into one.
//!
//! A car is read in several frames within a second or two. Matched reads at
//! the same camera, within the passage window of the passage's first read,
//! that share a matched list entry with it, are one passage. A passage
//! opens only on a matched read: a plate that hits nothing opens none.
//!
//! In consensus mode the passage is held until its camera's reads move
//! past its window, or the unit's clock passes the window and the grace
//! ([`Unit::push`](crate::unit::Unit::push)), and its plate is a
//! per-position vote over its reads, weighted by confidence. Frames of its
//! camera that matched nothing but lie near its listed plate join the vote
//! as evidence only (what they say: [`crate::evidence`]); they are not
//! counted as its reads, and they are zeroed with the passage's slot when
//! the slot is freed (the README's Privacy section).

use crate::list::EntryId;
use crate::plate::{Country, MAX_PLATE_LEN, Plate};
use crate::read::{CameraId, Position};
use crate::watchlist::Match;

/// Reads of a passage that take part in the vote; later ones are counted
/// only.
pub const MAX_VOTES: usize = 8;
/// Entries of the first read that identify a passage.
pub const MAX_PASSAGE_ENTRIES: usize = 4;
/// Weight of a read that carries no confidence.
pub const DEFAULT_CONFIDENCE: u8 = 50;

/// One slot of the passage table. Storage is handed in by the caller:
/// `[Passage::EMPTY; N]`. Size it as (matched reads a second) × (passage
/// window in seconds) × a margin; a full table closes its oldest passage
/// early and counts the eviction.
#[derive(Debug, Clone)]
pub struct Passage {
    pub(crate) open: bool,
    pub(crate) decided: bool,
    pub(crate) camera: CameraId,
    /// The camera's counter slot + 1 (0: none), found when the passage
    /// opened.
    pub(crate) camera_slot: u32,
    /// Event time of the first read.
    pub(crate) first_time: u64,
    /// Unit clock when the first read arrived.
    pub(crate) opened_at: u64,
    pub(crate) entries: heapless::Vec<EntryId, MAX_PASSAGE_ENTRIES>,
    /// Best match of the first read (valid when `has_first`; not an
    /// `Option`, so that an unused slot is all zero bytes and a `static`
    /// table costs no flash).
    pub(crate) first: Match,
    pub(crate) has_first: bool,
    pub(crate) reads: u16,
    pub(crate) votes: heapless::Vec<(Plate, u8), MAX_VOTES>,
    pub(crate) country: Option<Country>,
    pub(crate) position: Option<Position>,
}

impl Passage {
    /// An unused slot.
    pub const EMPTY: Self = Self {
        open: false,
        decided: false,
        camera: CameraId::EMPTY,
        camera_slot: 0,
        first_time: 0,
        opened_at: 0,
        entries: heapless::Vec::new(),
        first: Match::ZERO,
        has_first: false,
        reads: 0,
        votes: heapless::Vec::new(),
        country: None,
        position: None,
    };

    /// Adds a read's plate to the vote.
    pub(crate) fn vote(&mut self, plate: Plate, confidence: Option<u8>) {
        self.reads = self.reads.saturating_add(1);
        self.evidence(plate, confidence);
    }

    /// Adds a frame that did not match to the vote, as evidence only: it
    /// is not one of the passage's reads.
    pub(crate) fn evidence(&mut self, plate: Plate, confidence: Option<u8>) {
        let _ = self
            .votes
            .push((plate, confidence.unwrap_or(DEFAULT_CONFIDENCE)));
    }
}

/// The open passages in the caller's slots, kept as a ring in the order they
/// opened.
///
/// Passages open in clock order and all last the same window, so the one
/// that opened first is always the first due: closing takes from the head,
/// opening adds at the tail, a full table evicts the head. Every operation
/// costs the same at any table size, except the join search, which looks at
/// the open passages only (a window's worth of traffic), never at the free
/// slots.
pub(crate) struct PassageTable<'s> {
    slots: &'s mut [Passage],
    /// Slot of the oldest open passage.
    head: usize,
    /// Open passages.
    len: usize,
}

impl<'s> PassageTable<'s> {
    /// A table over the caller's slots, all taken as free.
    pub(crate) fn new(slots: &'s mut [Passage]) -> Self {
        for p in slots.iter_mut().filter(|p| p.open) {
            *p = Passage::EMPTY;
        }
        Self {
            slots,
            head: 0,
            len: 0,
        }
    }

    /// Open passages.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Slots in all.
    pub(crate) fn capacity(&self) -> usize {
        self.slots.len()
    }

    fn slot(&self, i: usize) -> usize {
        // `head < capacity` and `i < len <= capacity`: no overflow.
        (self.head + i) % self.slots.len()
    }

    /// The oldest open passage.
    pub(crate) fn oldest(&self) -> Option<&Passage> {
        match self.len {
            0 => None,
            _ => self.slots.get(self.head),
        }
    }

    /// The `i`th open passage, oldest first.
    pub(crate) fn get(&self, i: usize) -> Option<&Passage> {
        if i >= self.len {
            return None;
        }
        self.slots.get(self.slot(i))
    }

    /// The `i`th open passage, oldest first, to change in place.
    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut Passage> {
        if i >= self.len {
            return None;
        }
        let i = self.slot(i);
        self.slots.get_mut(i)
    }

    /// The first open passage, oldest first, that `joins` accepts.
    pub(crate) fn find_mut(
        &mut self,
        mut joins: impl FnMut(&Passage) -> bool,
    ) -> Option<&mut Passage> {
        let i = (0..self.len)
            .map(|i| self.slot(i))
            .find(|&i| self.slots.get(i).is_some_and(&mut joins))?;
        self.slots.get_mut(i)
    }

    /// Adds a passage as the newest; a full table hands it back (as
    /// heapless' `push` does: the value is moved in, never lost).
    #[allow(clippy::result_large_err)]
    pub(crate) fn push(&mut self, p: Passage) -> Result<(), Passage> {
        if self.len == self.slots.len() {
            return Err(p);
        }
        let i = self.slot(self.len);
        match self.slots.get_mut(i) {
            Some(slot) => {
                *slot = p;
                self.len += 1;
                Ok(())
            }
            None => Err(p),
        }
    }

    /// Takes the oldest open passage out, leaving its slot free (all zero).
    pub(crate) fn pop_oldest(&mut self) -> Option<Passage> {
        if self.len == 0 {
            return None;
        }
        let p = core::mem::replace(self.slots.get_mut(self.head)?, Passage::EMPTY);
        self.head = (self.head + 1) % self.slots.len();
        self.len -= 1;
        Some(p)
    }
}

/// The passage's plate by a per-position vote weighted by confidence (a read
/// with confidence 0 still weighs 1), and the number of reads that read
/// exactly that plate.
///
/// The length is voted first; then each position among the reads of that
/// length. Ties go to the earlier read.
pub fn consensus(votes: &[(Plate, u8)]) -> Option<(Plate, u16)> {
    let w = |c: u8| u32::from(c.max(1));
    // Length vote.
    let mut by_len = [0u32; MAX_PLATE_LEN + 1];
    for (p, c) in votes {
        if let Some(slot) = by_len.get_mut(p.len()) {
            *slot += w(*c);
        }
    }
    let mut len = 0;
    for (p, _) in votes {
        // First read wins ties: scan reads in order and keep strictly better.
        if by_len[p.len()] > by_len[len] {
            len = p.len();
        }
    }
    if len == 0 {
        return None;
    }
    let mut out = [0u8; MAX_PLATE_LEN];
    for (i, slot) in out.iter_mut().enumerate().take(len) {
        let mut best: Option<(u8, u32)> = None;
        for (p, _) in votes.iter().filter(|(p, _)| p.len() == len) {
            let Some(&ch) = p.as_bytes().get(i) else {
                continue;
            };
            let weight: u32 = votes
                .iter()
                .filter(|(q, _)| q.len() == len && q.as_bytes().get(i) == Some(&ch))
                .map(|(_, c)| w(*c))
                .sum();
            if best.is_none_or(|(_, bw)| weight > bw) {
                best = Some((ch, weight));
            }
        }
        *slot = best.map_or(b'0', |(c, _)| c);
    }
    let plate = Plate::normalize(out.get(..len)?).ok()?;
    let support = votes.iter().filter(|(p, _)| *p == plate).count() as u16;
    Some((plate, support))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An open passage, told apart by its first read's time.
    fn opened(serial: u64) -> Passage {
        Passage {
            open: true,
            first_time: serial,
            ..Passage::EMPTY
        }
    }

    /// Against a `VecDeque` of serials, the table's obvious model: any
    /// sequence of opens and closes keeps the same passages in the same
    /// order, and a full table hands the new one back.
    #[test]
    fn the_table_is_a_queue_in_opening_order() {
        for cap in 0..5 {
            let mut slots = [
                Passage::EMPTY,
                Passage::EMPTY,
                Passage::EMPTY,
                Passage::EMPTY,
            ];
            let mut t = PassageTable::new(&mut slots[..cap]);
            let mut model = std::collections::VecDeque::new();
            let mut serial = 0;
            // A fixed pseudo-random pattern of pushes (1) and pops (0).
            for step in 0..200u64 {
                if (step * 7 + step / 3) % 5 < 3 {
                    serial += 1;
                    match t.push(opened(serial)) {
                        Ok(()) => model.push_back(serial),
                        Err(p) => {
                            assert_eq!(model.len(), cap);
                            assert_eq!(p.first_time, serial);
                        }
                    }
                } else {
                    assert_eq!(t.pop_oldest().map(|p| p.first_time), model.pop_front());
                }
                assert_eq!(t.len(), model.len());
                assert_eq!(t.oldest().map(|p| p.first_time), model.front().copied());
                let mut seen = std::vec::Vec::new();
                t.find_mut(|p| {
                    seen.push(p.first_time);
                    false
                });
                assert_eq!(seen, model.iter().copied().collect::<std::vec::Vec<_>>());
            }
            assert_eq!(t.capacity(), cap);
        }
    }

    fn p(s: &str) -> Plate {
        Plate::normalize(s.as_bytes()).unwrap()
    }

    #[test]
    fn vote_per_position_weighted() {
        let votes = [
            (p("1ABC234"), 90),
            (p("1A8C234"), 40),
            (p("1ABC284"), 40),
            (p("1ABC24"), 99),
        ];
        // Length 7 outweighs the one length-6 read; B and 3 win their positions.
        assert_eq!(consensus(&votes), Some((p("1ABC234"), 1)));
        // Two weak reads outvote one strong one.
        let votes = [(p("1ABC234"), 60), (p("1A8C234"), 40), (p("1A8C234"), 40)];
        assert_eq!(consensus(&votes), Some((p("1A8C234"), 2)));
        // A tie goes to the earlier read.
        let votes = [(p("1A8C234"), 50), (p("1ABC234"), 50)];
        assert_eq!(consensus(&votes), Some((p("1A8C234"), 1)));
        assert_eq!(consensus(&[]), None);
        // Zero confidence still counts.
        assert_eq!(consensus(&[(p("XY123"), 0)]), Some((p("XY123"), 1)));
    }
}
