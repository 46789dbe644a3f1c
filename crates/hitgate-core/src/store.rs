//! The outbox on NOR flash: hits, delivery sequence and counters that
//! survive a restart and a power cut.
//!
//! [`FlashOutbox`] keeps the RAM [`Outbox`] as its index and mirrors
//! every change to a [`sequential_storage`] map on a flash range, through
//! the `embedded-storage-async` [`NorFlash`] trait. The map is power-fail
//! safe: a write cut short leaves the old value of its key, never a
//! damaged one. After a restart, [`FlashOutbox::open`] brings back exactly
//! the state of the last completed write.
//!
//! # Layout
//!
//! One map item per outbox slot, keyed by the slot's index (`u16`), and
//! one item for the unit's state under key [`STATE_KEY`]:
//!
//! | key | value |
//! |---|---|
//! | slot `i` | `0x02`, sequence number (`u64` LE), the audit chain's link before the hit (32 bytes, [`chain`](crate::chain)), the hit frame ([`wire`](crate::wire)) |
//! | slot `i` | `0x00`: the slot is free; when the hit that was there is the chain's newest, its sequence number and link follow |
//! | `0xFFFF` | `0x02`, boot count (`u32` LE), evicted (`u64` LE), expired (`u64` LE), lists version in force (`u32` LE), signed images refused (`u32` LE) |
//!
//! At [`open`](FlashOutbox::open) the chain's newest link is the link of
//! the highest sequence number among the slot items, held or free: the
//! newest hit is held, or its slot was freed with its number and link, and
//! only a later hit, itself then the newest, writes that slot again. Items of earlier builds (`0x01` and a frame, without a link;
//! `0x00` alone) read as linked to [`GENESIS`] and
//! as free.
//!
//! Integers are little-endian; the frame is as [`wire`](crate::wire)
//! writes it (its own CRC inside sequential-storage's item CRC).
//!
//! # Sequence numbers: boot count and per-boot counter
//!
//! A hit's delivery sequence number is `boot << 32 | n`: the boot count,
//! persisted once at [`open`](FlashOutbox::open) before any hit is
//! numbered, and a counter `n` that starts at 0 on every boot and lives in
//! RAM. It never repeats and never goes back across restarts and power
//! cuts, and it costs one flash write per boot instead of one per hit.
//! If a boot ever numbers 2³² hits, the boot count is advanced and
//! persisted again. A gap between boots is expected (the central side sees
//! the boot in the number); a gap inside one boot is a hit that was
//! evicted, expired or cut off by a power loss before its write completed.
//!
//! The central side knows a hit by its unit and sequence number, and drops
//! a number it has seen as a copy. A unit whose outbox starts again blank
//! (a replaced unit with the same id, a flash erased, a simulator without
//! its state) must therefore not count its boots from 1 again: its new
//! hits would carry the numbers of the old ones and be dropped as copies.
//! [`open`](FlashOutbox::open) starts a blank outbox at the boot its
//! caller gives: a random number below 2³¹ from the board's random
//! generator (two outboxes of one unit then share a boot with odds of
//! about one in a million for every thousand boots each has counted), or
//! a count of minutes from a clock known to be set; 1 only where the
//! central side forgets the unit with its outbox. Once a boot is on the
//! flash the choice is not made again; and a state record lost to damage
//! gives way to the numbers of the hits the flash still holds, so the
//! next boot exceeds them.
//!
//! # Order of writes
//!
//! Flash is written before RAM changes, so an error or a cut leaves RAM
//! and flash as they were. When a push displaces a hit or retention
//! deletes some, the counters are written *before* the slots: a cut in
//! between over-counts by that change (the hit is still there, and counted
//! as gone), and never loses a hit uncounted.
//!
//! # Sizing
//!
//! Each slot item takes at most [`ITEM_MAX`] bytes of flash. The map needs
//! room for every live item plus one spare erase page (its garbage
//! collection), so choose `pages ≥ slots × ITEM_MAX / page_bytes + 2`;
//! [`FlashOutbox::open`] refuses a range too small
//! ([`StoreError::TooSmall`]).

use core::future::Future;
use core::ops::Range;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use embedded_storage_async::nor_flash::NorFlash;
use sequential_storage::cache::CacheImpl;
use sequential_storage::map::{MapConfig, MapStorage};

use crate::chain::{GENESIS, Link};
use crate::hit::Hit;
use crate::indicators::Indicators;
use crate::outbox::{Outbox, OutboxCounters, OutboxSlot, Pushed, retention_limit};
use crate::uplink::{Message, StatusRecord, decode_message};
use crate::wire::{MAX_FRAME, WireError};

/// Map key of the unit's state record.
pub const STATE_KEY: u16 = u16::MAX;

/// The largest slot value: tag, sequence number, link, frame.
const VALUE_MAX: usize = 1 + 8 + 32 + MAX_FRAME;

/// Flash bytes one slot item takes at most: sequential-storage's item
/// header (8), the key (2) and the value, rounded up to 8-byte words.
pub const ITEM_MAX: usize = (8 + 2 + VALUE_MAX).div_ceil(8) * 8;

const TAG_FREE: u8 = 0;
/// A hit without its link (earlier builds).
const TAG_HIT: u8 = 1;
/// A hit and the link before it.
const TAG_CHAINED: u8 = 2;
const STATE_VERSION: u8 = 2;
const STATE_LEN: usize = 1 + 4 + 8 + 8 + 4 + 4;
/// Version 1 had no lists version and no refusal count.
const STATE_V1_LEN: usize = 1 + 4 + 8 + 8;

/// The scratch buffer sequential-storage works in: key and value, rounded
/// up to any word size up to 32 bytes, aligned for flash drivers that DMA.
#[repr(align(32))]
struct Buffer([u8; (2 + VALUE_MAX).div_ceil(32) * 32]);

/// Why the flash outbox could not do what was asked.
#[derive(Debug)]
#[non_exhaustive]
pub enum StoreError<E> {
    /// The flash or the map on it failed; RAM is unchanged.
    Flash(sequential_storage::Error<E>),
    /// The hit could not be encoded; nothing was written.
    Wire(WireError),
    /// The flash range cannot hold this many slots (see the module docs).
    TooSmall,
    /// More slots than keys (65,535).
    TooManySlots,
}

impl<E> From<sequential_storage::Error<E>> for StoreError<E> {
    fn from(e: sequential_storage::Error<E>) -> Self {
        Self::Flash(e)
    }
}

impl<E: core::fmt::Debug> core::fmt::Display for StoreError<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Flash(e) => write!(f, "flash: {e:?}"),
            Self::Wire(e) => write!(f, "hit: {e}"),
            Self::TooSmall => f.write_str("flash range too small for the outbox"),
            Self::TooManySlots => f.write_str("more than 65,535 outbox slots"),
        }
    }
}

/// What [`FlashOutbox::open`] found on the flash.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Restored {
    /// Hits brought back into the outbox.
    pub hits: usize,
    /// Slot records that could not be used (a frame that does not decode,
    /// or a slot beyond this outbox's capacity): freed on the flash and
    /// counted as evicted.
    pub dropped: usize,
    /// True when a state record was found (false on a blank flash).
    pub state: bool,
}

/// What became of a message from the central side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Received {
    /// An acknowledgement: this many hits left the outbox.
    Acked(usize),
    /// Valid, but not an acknowledgement for this unit.
    Ignored,
    /// Not a valid message.
    Bad(WireError),
}

/// The persisted state record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct State {
    boot: u32,
    evicted: u64,
    expired: u64,
    /// Version of the lists in force (0: none yet).
    list_version: u32,
    /// Signed images refused since the first start.
    refused: u32,
}

impl State {
    fn encode(&self) -> [u8; STATE_LEN] {
        let mut b = [0u8; STATE_LEN];
        b[0] = STATE_VERSION;
        b[1..5].copy_from_slice(&self.boot.to_le_bytes());
        b[5..13].copy_from_slice(&self.evicted.to_le_bytes());
        b[13..21].copy_from_slice(&self.expired.to_le_bytes());
        b[21..25].copy_from_slice(&self.list_version.to_le_bytes());
        b[25..29].copy_from_slice(&self.refused.to_le_bytes());
        b
    }

    fn decode(b: &[u8]) -> Option<Self> {
        let v2 = match (b.first(), b.len()) {
            (Some(&STATE_VERSION), STATE_LEN) => true,
            (Some(1), STATE_V1_LEN) => false,
            _ => return None,
        };
        let u32_at = |at: usize| Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?));
        Some(Self {
            boot: u32_at(1)?,
            evicted: u64::from_le_bytes(b.get(5..13)?.try_into().ok()?),
            expired: u64::from_le_bytes(b.get(13..21)?.try_into().ok()?),
            list_version: if v2 { u32_at(21)? } else { 0 },
            refused: if v2 { u32_at(25)? } else { 0 },
        })
    }
}

/// The outbox of a unit with flash (see the module docs).
pub struct FlashOutbox<'s, S: NorFlash, C: CacheImpl<u16>> {
    outbox: Outbox<'s>,
    map: MapStorage<u16, S, C>,
    buf: Buffer,
    boot: u32,
    next: u32,
    list_version: u32,
    refused: u32,
}

impl<'s, S: NorFlash, C: CacheImpl<u16>> FlashOutbox<'s, S, C> {
    /// Opens the outbox kept on `range` of `flash`: brings back its hits
    /// and counters, counts this boot and persists it before anything is
    /// numbered. A blank range is an empty outbox at boot `first_boot` (0
    /// counts as 1): a number no earlier outbox of this unit has used, so
    /// that the central side never takes a new hit for a copy of an old
    /// one (the module docs, "Sequence numbers"). A range that holds an
    /// outbox goes on from its own count, whatever `first_boot` says.
    ///
    /// ```
    /// use hitgate_core::outbox::OutboxSlot;
    /// use hitgate_core::store::{FlashOutbox, block_on};
    /// use sequential_storage::cache::Cache;
    /// use sequential_storage::mock_flash::{MockFlashBase, WriteCountCheck};
    ///
    /// // 8 pages of 1 KiB: a board's flash, blank.
    /// let mut flash = MockFlashBase::<8, 4, 256>::new(WriteCountCheck::Twice, None, true);
    /// let mut slots = [OutboxSlot::EMPTY; 4];
    /// // A random number from the board's generator, below 2^31.
    /// let first_boot = 1_234_567;
    /// let (outbox, _) = block_on(FlashOutbox::open(
    ///     &mut flash, 0..8192, Cache::new_uncached(), &mut slots, first_boot,
    /// ))
    /// .unwrap();
    /// assert_eq!(outbox.boot(), 1_234_567);
    /// assert_eq!(outbox.next_seq(), 1_234_567 << 32);
    /// drop(outbox);
    /// // Restarted: the next boot, the first boot given no longer counts.
    /// let (outbox, _) = block_on(FlashOutbox::open(
    ///     &mut flash, 0..8192, Cache::new_uncached(), &mut slots, 99,
    /// ))
    /// .unwrap();
    /// assert_eq!(outbox.boot(), 1_234_568);
    /// ```
    pub async fn open(
        flash: S,
        range: Range<u32>,
        cache: C,
        slots: &'s mut [OutboxSlot],
        first_boot: u32,
    ) -> Result<(Self, Restored), StoreError<S::Error>> {
        if slots.len() >= usize::from(STATE_KEY) {
            return Err(StoreError::TooManySlots);
        }
        let page = S::ERASE_SIZE as u64;
        let pages = u64::from(range.end.saturating_sub(range.start)) / page.max(1);
        let needed = (slots.len() as u64 + 1) * ITEM_MAX as u64;
        if pages < 2 || (pages - 1) * page.saturating_sub(2 * S::WRITE_SIZE as u64) < needed {
            return Err(StoreError::TooSmall);
        }
        let config = MapConfig::try_new(range).map_err(|_| StoreError::TooSmall)?;
        let mut me = Self {
            outbox: Outbox::new(slots),
            map: MapStorage::new(flash, config, cache),
            buf: Buffer([0; _]),
            boot: 0,
            next: 0,
            list_version: 0,
            refused: 0,
        };
        let mut restored = Restored::default();
        // The chain's newest link: the highest sequence number's.
        let mut newest: Option<(u64, Link)> = None;
        // The state first: `fetch_item` repairs what a cut left half done
        // (a half-erased page, an interrupted migration), which the item
        // iterator below does not (sequential-storage 8.0).
        let mut state = State::default();
        if let Some(bytes) = me
            .map
            .fetch_item::<&[u8]>(&mut me.buf.0, &STATE_KEY)
            .await?
            && let Some(s) = State::decode(bytes)
        {
            state = s;
            restored.state = true;
        }
        loop {
            // Slot records whose last value cannot be used here, freed on
            // the flash after the pass; more than fit take another pass.
            let mut stale: heapless::Vec<u16, 8> = heapless::Vec::new();
            let mut more = false;
            let mut value = [0u8; VALUE_MAX];
            let mut items = me.map.fetch_all_items(&mut me.buf.0).await?;
            // Older values of a key come first; the last one counts.
            while let Some((key, bytes)) = items.next::<&[u8]>(&mut me.buf.0).await? {
                if key == STATE_KEY {
                    continue;
                }
                let len = bytes.len().min(VALUE_MAX);
                value[..len].copy_from_slice(&bytes[..len]);
                let slot = usize::from(key);
                me.outbox.free(slot);
                stale.retain(|k| *k != key);
                let Some((&tag, rest)) = value[..len].split_first() else {
                    continue;
                };
                let seq_of = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or_default());
                let link_of = |b: &[u8]| -> Link { b.try_into().unwrap_or(GENESIS) };
                let held = match (tag, rest.len()) {
                    (TAG_FREE, 40) => {
                        let (seq, link) = rest.split_at(8);
                        newest = newest.max(Some((seq_of(seq), link_of(link))));
                        continue;
                    }
                    (TAG_FREE, _) => continue,
                    (TAG_HIT, 8..) => {
                        let (seq, frame) = rest.split_at(8);
                        OutboxSlot::from_frame(seq_of(seq), GENESIS, frame)
                    }
                    (TAG_CHAINED, 40..) => {
                        let (seq, rest) = rest.split_at(8);
                        let (prev, frame) = rest.split_at(32);
                        OutboxSlot::from_frame(seq_of(seq), link_of(prev), frame)
                    }
                    _ => Err(WireError::Framing),
                };
                let usable = match held {
                    Ok(s) => {
                        let candidate = Some((s.seq(), s.link()));
                        me.outbox.restore(slot, s) && {
                            newest = newest.max(candidate);
                            true
                        }
                    }
                    Err(_) => false,
                };
                if !usable && stale.push(key).is_err() {
                    more = true;
                }
            }
            for key in stale.iter() {
                me.map
                    .store_item(&mut me.buf.0, key, &&[TAG_FREE][..])
                    .await?;
                restored.dropped += 1;
            }
            if !more {
                break;
            }
        }
        restored.hits = me.outbox.len();
        if let Some((seq, link)) = newest {
            me.outbox.set_head(seq, link);
        }
        // The boot before this one: the state's, or none on a blank range;
        // never below the boot of a hit the flash holds (a state record
        // lost to damage).
        let held_boot = newest.map_or(0, |(seq, _)| (seq >> 32) as u32);
        let before = match restored.state {
            true => state.boot,
            false => first_boot.max(1) - 1,
        };
        state.boot = before.max(held_boot).saturating_add(1);
        state.evicted += restored.dropped as u64;
        me.boot = state.boot;
        me.list_version = state.list_version;
        me.refused = state.refused;
        me.outbox.set_counters(OutboxCounters {
            evicted: state.evicted,
            expired: state.expired,
            ..OutboxCounters::default()
        });
        me.write_state(state).await?;
        Ok((me, restored))
    }

    /// The boot count: the first boot given to [`open`](Self::open) on the
    /// first start, one more on each start after.
    pub fn boot(&self) -> u32 {
        self.boot
    }

    /// The version of the lists in force as last recorded with
    /// [`set_list_version`](Self::set_list_version) (0: none yet): across
    /// restarts, the version a signed image must exceed, so that an older
    /// image cannot be installed again (see [`signed`](crate::signed)).
    pub fn list_version(&self) -> u32 {
        self.list_version
    }

    /// Records the version of lists just activated, on flash before it
    /// returns.
    pub async fn set_list_version(&mut self, version: u32) -> Result<(), StoreError<S::Error>> {
        let mut state = self.state();
        state.list_version = version;
        self.write_state(state).await?;
        self.list_version = version;
        Ok(())
    }

    /// Signed images refused since the first start.
    pub fn refused(&self) -> u32 {
        self.refused
    }

    /// Counts a refused signed image, on flash before it returns.
    pub async fn count_refused(&mut self) -> Result<(), StoreError<S::Error>> {
        let mut state = self.state();
        state.refused = state.refused.saturating_add(1);
        self.write_state(state).await?;
        self.refused = state.refused;
        Ok(())
    }

    /// The sequence number the next hit gets.
    pub fn next_seq(&self) -> u64 {
        (u64::from(self.boot) << 32) | u64::from(self.next)
    }

    /// The RAM outbox: delivery order, depth, oldest hit, counters.
    pub fn outbox(&self) -> &Outbox<'s> {
        &self.outbox
    }

    /// Numbers a hit and stores it, giving way by the outbox's rule when
    /// full; returns its sequence number and what became of it. The hit
    /// is on flash when this returns `Ok`.
    pub async fn push(&mut self, hit: &Hit) -> Result<(u64, Pushed), StoreError<S::Error>> {
        if self.next == u32::MAX {
            let mut state = self.state();
            state.boot = state.boot.saturating_add(1);
            self.write_state(state).await?;
            self.boot = state.boot;
            self.next = 0;
        }
        let seq = self.next_seq();
        let mut new = OutboxSlot::of(hit, seq).map_err(StoreError::Wire)?;
        let (pushed, at) = self.outbox.plan(&new);
        self.outbox.chain(&mut new);
        if pushed != Pushed::Stored {
            let mut state = self.state();
            state.evicted += 1;
            self.write_state(state).await?;
        }
        if let Some(i) = at {
            self.write_slot(i, &new).await?;
        }
        self.next += 1;
        self.outbox.put(new, pushed, at);
        Ok((seq, pushed))
    }

    /// The first hit in delivery order not yet sent (see
    /// [`Outbox::next_unsent`]).
    pub fn next_unsent(&self) -> Option<(u64, &[u8])> {
        self.outbox.next_unsent()
    }

    /// Marks a hit as sent; it stays until acknowledged.
    pub fn mark_sent(&mut self, seq: u64) {
        self.outbox.mark_sent(seq);
    }

    /// Every waiting hit is to be sent again (after a reconnect).
    pub fn resend(&mut self) {
        self.outbox.resend();
    }

    /// Removes the hits numbered `from..=to`, acknowledged by the central
    /// side, from flash and RAM; returns how many.
    pub async fn ack(&mut self, from: u64, to: u64) -> Result<usize, StoreError<S::Error>> {
        let mut n = 0;
        loop {
            let Some(i) = self.outbox.slots_in(from, to).next() else {
                break;
            };
            self.write_free(i).await?;
            self.outbox.free(i);
            n += 1;
        }
        let mut c = *self.outbox.counters();
        c.acked += n as u64;
        self.outbox.set_counters(c);
        Ok(n)
    }

    /// Deletes the hits that outlived the retention (see
    /// [`Outbox::expire`]); returns how many.
    pub async fn expire(
        &mut self,
        now: u64,
        retention_ms: u64,
    ) -> Result<usize, StoreError<S::Error>> {
        let limit = retention_limit(now, retention_ms);
        let n = self.outbox.slots_before(limit).count();
        if n == 0 {
            return Ok(0);
        }
        let mut state = self.state();
        state.expired += n as u64;
        self.write_state(state).await?;
        loop {
            let Some(i) = self.outbox.slots_before(limit).next() else {
                break;
            };
            self.write_free(i).await?;
            self.outbox.free(i);
        }
        let mut c = *self.outbox.counters();
        c.expired = state.expired;
        self.outbox.set_counters(c);
        Ok(n)
    }

    /// Handles a message from the central side, framed (with or without
    /// its trailing zero): an `ack` for `unit` removes its hits.
    pub async fn receive(
        &mut self,
        unit: &str,
        frame: &mut [u8],
    ) -> Result<Received, StoreError<S::Error>> {
        let (from, to) = match decode_message(frame) {
            Ok(Message::Ack { unit: u, from, to }) if u == unit => (from, to),
            Ok(_) => return Ok(Received::Ignored),
            Err(e) => return Ok(Received::Bad(e)),
        };
        Ok(Received::Acked(self.ack(from, to).await?))
    }

    /// The unit's `status` message: its clock and lists version, this
    /// outbox with the audit chain's newest link, and the core's
    /// indicators; unsigned (a unit with a key signs it with
    /// `signed::sign_status`, feature `trust`).
    pub fn status<'u>(
        &self,
        unit: &'u str,
        clock: u64,
        list_version: u32,
        ind: &Indicators,
    ) -> StatusRecord<'u> {
        let c = self.outbox.counters();
        StatusRecord {
            unit,
            clock,
            boot: self.boot,
            list_version,
            next_seq: self.next_seq(),
            outbox: self.outbox.len() as u32,
            oldest: self.outbox.oldest(),
            evicted: c.evicted,
            expired: c.expired,
            reads: ind.reads,
            rejected: ind.rejected.iter().sum(),
            matched: ind.matched,
            dispatched: ind.dispatched,
            reviewed: ind.reviewed,
            dropped: ind.dropped,
            suppressed: ind.suppressed_realert,
            chain_seq: self.outbox.head().0,
            chain: self.outbox.head().1,
            refused: self.refused,
            signature: &[],
        }
    }

    /// Gives the flash and the slots back (to open again, as after a
    /// restart).
    pub fn into_parts(self) -> (S, &'s mut [OutboxSlot]) {
        (self.map.destroy().0, self.outbox.into_slots())
    }

    fn state(&self) -> State {
        let c = self.outbox.counters();
        State {
            boot: self.boot,
            evicted: c.evicted,
            expired: c.expired,
            list_version: self.list_version,
            refused: self.refused,
        }
    }

    async fn write_state(&mut self, state: State) -> Result<(), StoreError<S::Error>> {
        let bytes = state.encode();
        self.map
            .store_item(&mut self.buf.0, &STATE_KEY, &&bytes[..])
            .await?;
        Ok(())
    }

    async fn write_slot(&mut self, at: usize, s: &OutboxSlot) -> Result<(), StoreError<S::Error>> {
        let mut value = [0u8; VALUE_MAX];
        let frame = s.frame();
        value[0] = TAG_CHAINED;
        value[1..9].copy_from_slice(&s.seq().to_le_bytes());
        value[9..41].copy_from_slice(s.prev());
        value[41..41 + frame.len()].copy_from_slice(frame);
        self.write_value(at, &value[..41 + frame.len()]).await
    }

    /// Marks slot `at` free. When its hit is the chain's newest, the
    /// sequence number and link go with it, for the next start; otherwise
    /// a newer hit's record holds the newest link, and one byte will do.
    async fn write_free(&mut self, at: usize) -> Result<(), StoreError<S::Error>> {
        let mut value = [0u8; 41];
        let newest = self.outbox.head().0;
        let len = match self.outbox.slot(at) {
            Some(s) if Some(s.seq()) == newest => {
                value[1..9].copy_from_slice(&s.seq().to_le_bytes());
                value[9..41].copy_from_slice(&s.link());
                41
            }
            _ => 1,
        };
        self.write_value(at, &value[..len]).await
    }

    async fn write_value(&mut self, at: usize, value: &[u8]) -> Result<(), StoreError<S::Error>> {
        let key = at as u16;
        self.map.store_item(&mut self.buf.0, &key, &value).await?;
        Ok(())
    }
}

/// Runs a future to completion on the calling thread, polling it until it
/// is ready. For flash drivers that complete without waiting on an
/// interrupt (a blocking driver behind the async trait, the host's file
/// flash, RAM): with those every poll makes progress. A firmware with an
/// executor awaits the [`FlashOutbox`] methods instead.
pub fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
        core::hint::spin_loop();
    }
}
