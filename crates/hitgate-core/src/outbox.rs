//! The outbox: forwarded hits waiting for the uplink, in caller storage.
//!
//! A hit leaves the outbox only when the central side acknowledges its
//! sequence number ([`Outbox::ack`]): delivery is at least once, and the
//! receiver removes duplicates by unit and sequence. Until then it may be
//! sent again ([`Outbox::resend`], after a reconnect).
//!
//! **Delivery order** ([`Outbox::next_unsent`]): dispatch before review,
//! then the lower priority number, then the oldest event time, then the
//! lower sequence number.
//!
//! **When the outbox is full**, what gives way, in this order:
//!
//! 1. any hit of priority 1 to 4 before a hit of priority 0: a priority-0
//!    hit is only ever displaced by another priority-0 hit;
//! 2. then a review before a dispatch;
//! 3. then the higher priority number;
//! 4. then the oldest event time (and the lower sequence number).
//!
//! A new hit that would itself be the first to give way is refused
//! instead. Every hit displaced or refused is counted
//! ([`OutboxCounters::evicted`]), for the next status message.
//!
//! **Retention** ([`Outbox::expire`]): a hit whose event time is older
//! than the retention on the unit's clock is deleted, delivered or not, and
//! counted ([`OutboxCounters::expired`]). The Belgian rules cap it at 12
//! months; [`DEFAULT_RETENTION_MS`] is 30 days.
//!
//! **Memory**: the caller's slots (`[OutboxSlot::EMPTY; N]`, all zero
//! bytes, so a `static` table costs no flash), each holding one encoded
//! hit frame ([`wire`](crate::wire)) and what the rules above need. An
//! outbox holds hundreds of hits, not millions: every operation looks at
//! each slot once.
//!
//! This is the RAM outbox, for units without flash and as the index a
//! flash-backed one keeps; persistence, unit identity and the uplink
//! protocol build on it.

use crate::chain::{self, GENESIS, Link};
use crate::hit::Hit;
use crate::list::Priority;
use crate::policy::Action;
use crate::uplink::{Message, encode_message};
use crate::wire::{MAX_FRAME, WireError, decode, encode_hit};

/// Retention of an undelivered hit by default: 30 days.
pub const DEFAULT_RETENTION_MS: u64 = 30 * 86_400_000;
/// The longest retention the law allows: 365 days.
pub const MAX_RETENTION_MS: u64 = 365 * 86_400_000;

/// The event times before which a hit has outlived `retention_ms` (at
/// most [`MAX_RETENTION_MS`]) at `now`.
pub(crate) fn retention_limit(now: u64, retention_ms: u64) -> u64 {
    now.saturating_sub(retention_ms.min(MAX_RETENTION_MS))
}

/// One slot of the outbox.
#[derive(Debug, Clone)]
pub struct OutboxSlot {
    used: bool,
    sent: bool,
    seq: u64,
    /// Event time of the hit.
    time: u64,
    dispatch: bool,
    priority: u8,
    len: u8,
    frame: [u8; MAX_FRAME],
    /// The audit chain's link before this hit ([`chain`]).
    prev: Link,
}

impl OutboxSlot {
    /// A free slot.
    pub const EMPTY: Self = Self {
        used: false,
        sent: false,
        seq: 0,
        time: 0,
        dispatch: false,
        priority: 0,
        len: 0,
        frame: [0; MAX_FRAME],
        prev: GENESIS,
    };

    /// Delivery order: smaller goes first.
    fn send_key(&self) -> (bool, u8, u64, u64) {
        (!self.dispatch, self.priority, self.time, self.seq)
    }

    /// The slot of a hit numbered `seq`, its frame encoded.
    pub(crate) fn of(hit: &Hit, seq: u64) -> Result<Self, WireError> {
        let mut new = Self {
            used: true,
            sent: false,
            seq,
            time: hit.time,
            dispatch: hit.action == Action::Dispatch,
            priority: hit.priority.get().min(Priority::COUNT as u8 - 1),
            len: 0,
            frame: [0; MAX_FRAME],
            prev: GENESIS,
        };
        new.len = encode_hit(hit, &mut new.frame)?.len() as u8;
        Ok(new)
    }

    /// The slot of a stored frame, linked after `prev`, checked by
    /// decoding it.
    #[cfg(feature = "flash")] // used by the flash outbox only
    pub(crate) fn from_frame(seq: u64, prev: Link, frame: &[u8]) -> Result<Self, WireError> {
        let mut new = Self::EMPTY;
        new.prev = prev;
        let dst = new
            .frame
            .get_mut(..frame.len())
            .ok_or(WireError::BufferFull)?;
        dst.copy_from_slice(frame);
        let mut scratch = new.frame;
        let rec = decode(
            scratch
                .get_mut(..frame.len())
                .ok_or(WireError::BufferFull)?,
        )?;
        new.used = true;
        new.seq = seq;
        new.time = rec.time;
        new.dispatch = rec.action == 2;
        new.priority = rec.priority.min(Priority::COUNT as u8 - 1);
        new.len = frame.len() as u8;
        Ok(new)
    }

    /// Sequence number.
    #[cfg(feature = "flash")] // used by the flash outbox only
    pub(crate) fn seq(&self) -> u64 {
        self.seq
    }

    /// The chain's link before this hit.
    #[cfg(feature = "flash")] // used by the flash outbox only
    pub(crate) fn prev(&self) -> &Link {
        &self.prev
    }

    /// This hit's link of the chain.
    pub(crate) fn link(&self) -> Link {
        chain::link(&self.prev, self.seq, self.frame())
    }

    /// The encoded frame.
    pub(crate) fn frame(&self) -> &[u8] {
        self.frame.get(..usize::from(self.len)).unwrap_or(&[])
    }

    /// Eviction order: larger gives way first.
    fn evict_key(&self) -> (bool, bool, u8, core::cmp::Reverse<(u64, u64)>) {
        (
            self.priority != 0,
            !self.dispatch,
            self.priority,
            core::cmp::Reverse((self.time, self.seq)),
        )
    }
}

/// What the outbox has counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OutboxCounters {
    /// Hits stored.
    pub stored: u64,
    /// Hits acknowledged, and so removed.
    pub acked: u64,
    /// Hits displaced by a more important one, or refused, when full.
    pub evicted: u64,
    /// Hits deleted by the retention, undelivered.
    pub expired: u64,
}

/// What became of a pushed hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Pushed {
    /// Stored in a free slot.
    Stored,
    /// Stored in place of the hit with this sequence number, which gave
    /// way.
    Displaced(u64),
    /// Not stored: it was the first to give way.
    Refused,
}

/// Forwarded hits waiting for the uplink (see the module docs).
#[derive(Debug)]
pub struct Outbox<'s> {
    slots: &'s mut [OutboxSlot],
    counters: OutboxCounters,
    /// The newest link of the audit chain and the hit it belongs to.
    head: (Option<u64>, Link),
}

impl<'s> Outbox<'s> {
    /// An empty outbox over the caller's slots.
    pub fn new(slots: &'s mut [OutboxSlot]) -> Self {
        for s in slots.iter_mut() {
            s.used = false;
        }
        Self {
            slots,
            counters: OutboxCounters::default(),
            head: (None, GENESIS),
        }
    }

    /// Stores a hit under sequence number `seq`, giving way by the rule
    /// when full. An error only if the hit cannot be encoded (nothing is
    /// stored or displaced then).
    pub fn push(&mut self, hit: &Hit, seq: u64) -> Result<Pushed, WireError> {
        let mut new = OutboxSlot::of(hit, seq)?;
        let (pushed, at) = self.plan(&new);
        self.chain(&mut new);
        self.put(new, pushed, at);
        Ok(pushed)
    }

    /// Where a new hit would go: what becomes of it, and the slot it takes.
    pub(crate) fn plan(&self, new: &OutboxSlot) -> (Pushed, Option<usize>) {
        if let Some(free) = self.slots.iter().position(|s| !s.used) {
            return (Pushed::Stored, Some(free));
        }
        let victim = self
            .slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.used)
            .max_by_key(|(_, s)| s.evict_key());
        match victim {
            Some((i, v)) if new.evict_key() < v.evict_key() => (Pushed::Displaced(v.seq), Some(i)),
            _ => (Pushed::Refused, None),
        }
    }

    /// Links a new hit after the newest one of the chain (before it is
    /// written anywhere).
    pub(crate) fn chain(&self, new: &mut OutboxSlot) {
        new.prev = self.head.1;
    }

    /// Carries out a [`plan`](Self::plan); a stored hit, linked by
    /// [`chain`](Self::chain), becomes the chain's newest.
    pub(crate) fn put(&mut self, new: OutboxSlot, pushed: Pushed, at: Option<usize>) {
        if pushed != Pushed::Stored {
            self.counters.evicted += 1;
        }
        if let Some(slot) = at.and_then(|i| self.slots.get_mut(i)) {
            self.head = (Some(new.seq), new.link());
            *slot = new;
            self.counters.stored += 1;
        }
    }

    /// The audit chain's newest link, and the sequence number of its hit
    /// (`None` before the first hit): what a status message reports.
    pub fn head(&self) -> (Option<u64>, Link) {
        self.head
    }

    /// The chain's newest link as kept elsewhere (on flash) takes over.
    #[cfg(feature = "flash")] // used by the flash outbox only
    pub(crate) fn set_head(&mut self, seq: u64, link: Link) {
        self.head = (Some(seq), link);
    }

    /// Puts a hit kept elsewhere (on flash) back into slot `at`.
    #[cfg(feature = "flash")] // used by the flash outbox only
    pub(crate) fn restore(&mut self, at: usize, slot: OutboxSlot) -> bool {
        match self.slots.get_mut(at) {
            Some(s) => {
                *s = slot;
                true
            }
            None => false,
        }
    }

    /// The slots holding hits numbered `from..=to`, by index.
    #[cfg(feature = "flash")] // used by the flash outbox only
    pub(crate) fn slots_in(&self, from: u64, to: u64) -> impl Iterator<Item = usize> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.used && (from..=to).contains(&s.seq))
            .map(|(i, _)| i)
    }

    /// The slots holding hits older than the retention allows, by index.
    #[cfg(feature = "flash")] // used by the flash outbox only
    pub(crate) fn slots_before(&self, limit: u64) -> impl Iterator<Item = usize> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.used && s.time < limit)
            .map(|(i, _)| i)
    }

    /// Slot `at`, if it holds a hit.
    #[cfg(feature = "flash")] // used by the flash outbox only
    pub(crate) fn slot(&self, at: usize) -> Option<&OutboxSlot> {
        self.slots.get(at).filter(|s| s.used)
    }

    /// Frees slot `at`.
    #[cfg(feature = "flash")] // used by the flash outbox only
    pub(crate) fn free(&mut self, at: usize) {
        if let Some(s) = self.slots.get_mut(at) {
            s.used = false;
        }
    }

    /// Counters kept elsewhere (on flash) take over.
    #[cfg(feature = "flash")] // used by the flash outbox only
    pub(crate) fn set_counters(&mut self, counters: OutboxCounters) {
        self.counters = counters;
    }

    /// Gives the slots back.
    pub fn into_slots(self) -> &'s mut [OutboxSlot] {
        self.slots
    }

    /// The slot count.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// The first hit in delivery order not sent since it was stored or
    /// since [`Outbox::resend`]: its sequence number and frame.
    pub fn next_unsent(&self) -> Option<(u64, &[u8])> {
        self.slots
            .iter()
            .filter(|s| s.used && !s.sent)
            .min_by_key(|s| s.send_key())
            .map(|s| (s.seq, s.frame()))
    }

    /// The first unsent hit in delivery order as an uplink `hit` message
    /// of `unit`, encoded into `buf`: its sequence number and frame.
    pub fn next_message<'b>(
        &self,
        unit: &str,
        buf: &'b mut [u8],
    ) -> Result<Option<(u64, &'b [u8])>, WireError> {
        let Some(slot) = self
            .slots
            .iter()
            .filter(|s| s.used && !s.sent)
            .min_by_key(|s| s.send_key())
        else {
            return Ok(None);
        };
        let (seq, frame) = (slot.seq, slot.frame());
        let mut copy = [0u8; MAX_FRAME];
        let copy = copy.get_mut(..frame.len()).ok_or(WireError::BufferFull)?;
        copy.copy_from_slice(frame);
        let hit = decode(copy)?;
        let prev = slot.prev;
        let out = encode_message(
            &Message::Hit {
                unit,
                seq,
                hit,
                prev,
            },
            buf,
        )?;
        Ok(Some((seq, out)))
    }

    /// Hits sent and not yet acknowledged.
    pub fn in_flight(&self) -> usize {
        self.slots.iter().filter(|s| s.used && s.sent).count()
    }

    /// Marks a hit as sent (it stays until acknowledged).
    pub fn mark_sent(&mut self, seq: u64) {
        for s in self.slots.iter_mut().filter(|s| s.used && s.seq == seq) {
            s.sent = true;
        }
    }

    /// Every stored hit is to be sent again (after a reconnect).
    pub fn resend(&mut self) {
        for s in self.slots.iter_mut() {
            s.sent = false;
        }
    }

    /// Removes the hits with sequence numbers `from..=to`, acknowledged by
    /// the central side; returns how many.
    pub fn ack(&mut self, from: u64, to: u64) -> usize {
        let mut n = 0;
        for s in self
            .slots
            .iter_mut()
            .filter(|s| s.used && (from..=to).contains(&s.seq))
        {
            s.used = false;
            n += 1;
        }
        self.counters.acked += n as u64;
        n
    }

    /// Deletes the hits whose event time is more than `retention_ms`
    /// (at most [`MAX_RETENTION_MS`]) before `now`; returns how many.
    pub fn expire(&mut self, now: u64, retention_ms: u64) -> usize {
        let limit = retention_limit(now, retention_ms);
        let mut n = 0;
        for s in self.slots.iter_mut().filter(|s| s.used && s.time < limit) {
            s.used = false;
            n += 1;
        }
        self.counters.expired += n as u64;
        n
    }

    /// Every hit waiting, in slot order: sequence number and frame.
    pub fn waiting(&self) -> impl Iterator<Item = (u64, &[u8])> + '_ {
        self.slots
            .iter()
            .filter(|s| s.used)
            .map(|s| (s.seq, s.frame()))
    }

    /// Hits waiting.
    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.used).count()
    }

    /// True when no hit waits.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Event time of the oldest hit waiting (for the status message).
    pub fn oldest(&self) -> Option<u64> {
        self.slots.iter().filter(|s| s.used).map(|s| s.time).min()
    }

    /// The counters.
    pub fn counters(&self) -> &OutboxCounters {
        &self.counters
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;
    use crate::distance::Distance;
    use crate::hit::Reason;
    use crate::list::ListId;
    use crate::plate::Plate;
    use crate::policy::RuleId;
    use crate::read::CameraId;
    use crate::watchlist::MatchKind;

    fn hit(priority: u8, dispatch: bool, time: u64) -> Hit {
        Hit {
            seq: 0,
            time,
            camera: CameraId::new("cam-1").unwrap(),
            read: Plate::normalize(b"1ABC234").unwrap(),
            reads: 1,
            listed: Plate::normalize(b"1ABC234").unwrap(),
            country: None,
            list: ListId(0),
            priority: Priority::new(priority).unwrap(),
            kind: MatchKind::Exact,
            distance: Distance { ocr: 0, edits: 0 },
            action: if dispatch {
                Action::Dispatch
            } else {
                Action::Review
            },
            rule: RuleId::Rule(0),
            rule_tag: None,
            reason: Reason::Rule,
            late: false,
            version: 1,
            position: None,
        }
    }

    #[test]
    fn delivery_goes_dispatch_first_then_priority_then_oldest() {
        let mut slots = [OutboxSlot::EMPTY; 4];
        let mut o = Outbox::new(&mut slots);
        o.push(&hit(2, true, 50), 1).unwrap();
        o.push(&hit(0, false, 10), 2).unwrap();
        o.push(&hit(1, true, 40), 3).unwrap();
        o.push(&hit(1, true, 30), 4).unwrap();
        let mut order = Vec::new();
        while let Some((seq, frame)) = o.next_unsent() {
            let mut f = frame.to_vec();
            assert_eq!(
                crate::wire::decode(&mut f).unwrap().time,
                [0, 50, 10, 40, 30][seq as usize]
            );
            order.push(seq);
            o.mark_sent(seq);
        }
        // Dispatches P1 (oldest first), P2, then the P0 review.
        assert_eq!(order, [4, 3, 1, 2]);
        assert_eq!(o.len(), 4);
        o.resend();
        assert_eq!(o.next_unsent().map(|n| n.0), Some(4));
        assert_eq!(o.ack(1, 3), 3);
        assert_eq!(o.len(), 1);
        assert_eq!(o.counters().acked, 3);
    }

    /// An uplink that fails now and then: every hit arrives, each at
    /// least once, and only acknowledged hits leave.
    #[test]
    fn a_failing_uplink_loses_nothing() {
        let mut slots = [OutboxSlot::EMPTY; 4];
        let mut o = Outbox::new(&mut slots);
        let mut delivered = Vec::new();
        let mut attempt = 0u32;
        for seq in 0..12u64 {
            o.push(&hit((seq % 3) as u8, seq % 2 == 0, seq * 10), seq)
                .unwrap();
            // Drain what the uplink takes; every third attempt fails and the
            // connection is lost (what was sent and not acknowledged goes
            // again).
            while let Some((s, _)) = o.next_unsent() {
                attempt += 1;
                if attempt.is_multiple_of(3) {
                    o.resend();
                    break;
                }
                o.mark_sent(s);
                delivered.push(s);
                o.ack(s, s);
            }
        }
        while let Some((s, _)) = o.next_unsent() {
            delivered.push(s);
            o.ack(s, s);
        }
        delivered.sort_unstable();
        assert_eq!(delivered, (0..12).collect::<Vec<_>>());
        assert!(o.is_empty());
        assert_eq!(o.counters().evicted, 0);
    }

    #[test]
    fn a_priority_0_hit_is_never_displaced_by_a_lower_one() {
        let mut slots = [OutboxSlot::EMPTY; 2];
        let mut o = Outbox::new(&mut slots);
        o.push(&hit(0, false, 10), 1).unwrap();
        o.push(&hit(0, true, 20), 2).unwrap();
        // A P1 dispatch gives way to both P0 hits, even the review.
        assert_eq!(o.push(&hit(1, true, 30), 3), Ok(Pushed::Refused));
        // A P0 dispatch displaces the P0 review.
        assert_eq!(o.push(&hit(0, true, 40), 4), Ok(Pushed::Displaced(1)));
        assert_eq!(o.counters().evicted, 2);
        assert_eq!(o.oldest(), Some(20));
    }

    #[test]
    fn retention_deletes_what_aged_out_and_counts_it() {
        let day = 86_400_000;
        let mut slots = [OutboxSlot::EMPTY; 3];
        let mut o = Outbox::new(&mut slots);
        o.push(&hit(1, true, 0), 1).unwrap();
        o.push(&hit(1, true, 10 * day), 2).unwrap();
        assert_eq!(o.expire(31 * day, DEFAULT_RETENTION_MS), 1);
        assert_eq!(o.expire(31 * day, DEFAULT_RETENTION_MS), 0);
        // A retention past the legal cap is capped.
        assert_eq!(o.expire(400 * day, u64::MAX), 1);
        assert!(o.is_empty());
        assert_eq!(o.counters().expired, 2);
    }

    /// The rules restated naively over a list: what stays after any
    /// sequence of pushes, acks and expiries, and the delivery order.
    #[derive(Default)]
    struct Model {
        items: Vec<(u64, u8, bool, u64)>, // seq, priority, dispatch, time
        evicted: u64,
    }

    impl Model {
        fn push(&mut self, cap: usize, item: (u64, u8, bool, u64)) {
            if self.items.len() < cap {
                self.items.push(item);
                return;
            }
            self.evicted += 1;
            // Which one gives way, of the stored ones and the new one.
            let rank = |&(seq, p, d, t): &(u64, u8, bool, u64)| {
                // Larger gives way first: non-P0, review, priority, oldest.
                (p != 0, !d, p, u64::MAX - t, u64::MAX - seq)
            };
            let mut all = self.items.clone();
            all.push(item);
            let worst = all.iter().max_by_key(|i| rank(i)).copied();
            if let Some(w) = worst {
                all.retain(|i| *i != w);
            }
            self.items = all;
        }

        fn order(&self) -> Vec<u64> {
            let mut v = self.items.clone();
            v.sort_by_key(|&(seq, p, d, t)| (!d, p, t, seq));
            v.iter().map(|i| i.0).collect()
        }
    }

    proptest::proptest! {
        #[test]
        fn the_outbox_keeps_what_the_rules_say(
            ops in proptest::collection::vec((0u8..10, 0u8..5, proptest::bool::ANY, 0u64..1_000), 0..60),
            cap in 1usize..6,
        ) {
            let mut slots = [OutboxSlot::EMPTY; 5];
            let mut o = Outbox::new(&mut slots[..cap]);
            let mut m = Model::default();
            for (seq, &(op, p, d, t)) in ops.iter().enumerate() {
                let seq = seq as u64;
                match op {
                    0 => {
                        // Acknowledge a range.
                        let (a, b) = (t % 60, t % 60 + u64::from(p));
                        o.ack(a, b);
                        m.items.retain(|i| !(a..=b).contains(&i.0));
                    }
                    1 => {
                        o.expire(t + 500, 400);
                        m.items.retain(|i| i.3 >= (t + 500).saturating_sub(400));
                    }
                    _ => {
                        o.push(&hit(p, d, t), seq).unwrap();
                        m.push(cap, (seq, p, d, t));
                    }
                }
                let mut got = Vec::new();
                o.resend();
                while let Some((s, _)) = o.next_unsent() {
                    got.push(s);
                    o.mark_sent(s);
                }
                proptest::prop_assert_eq!(got, m.order());
                proptest::prop_assert_eq!(o.counters().evicted, m.evicted);
            }
        }
    }
}
