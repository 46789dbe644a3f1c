//! The roadside unit: every read through check, match, passage, decision
//! matrix, lateness, re-alert suppression and dispatch capacity, to one
//! outcome.
//!
//! ```text
//!  read ──check──> rejected (counted)
//!         │
//!       lookup ──> unmatched (counted, not kept)
//!         │
//!      passage ──> repeat (folded into an open passage)
//!         │  window closes (consensus) or first read (first-read mode)
//!       matrix ──> dropped (rule)
//!         │
//!   look-alike / late ──> review
//!         │
//!   re-alert window ──> suppressed
//!         │
//!   dispatch budget ──> review (capacity)
//!         │
//!     forward(hit)
//! ```
//!
//! Time is an input: every call takes `now`, the unit's clock in ms since the
//! Unix epoch. Decisions follow the event time of the read; lateness and
//! budgets follow the unit's clock.

use core::fmt;

use crate::budget::{Bucket, Budget, Budgets};
use crate::hit::{Hit, Outcome, Reason};
use crate::indicators::{CameraStats, Indicators, camera_slot};
use crate::list::Priority;
use crate::passage::{MAX_PASSAGE_ENTRIES, Passage, PassageTable, consensus};
use crate::plate::Plate;
use crate::policy::{Action, Facts, Policy, RuleId};
use crate::read::{CameraId, Read, ReadError};
use crate::suppress::{Key, SuppressSlot, is_suppressed, record};
use crate::watchlist::{Match, MatchKind, Matches, Watchlist};

/// Matches considered per read.
pub const MAX_MATCHES: usize = 8;

/// When a passage is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Mode {
    /// At the first matching read: lowest latency.
    FirstRead,
    /// When the passage window closes, on all its reads together.
    #[default]
    Consensus,
}

/// The unit's settings. All times in ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct Config {
    /// First-read or consensus.
    pub mode: Mode,
    /// Reads of one car at one camera within this span of the first read
    /// are one passage.
    pub passage_window_ms: u32,
    /// Re-alert suppression window, per priority.
    pub realert_window_ms: [u32; Priority::COUNT],
    /// A hit whose event time is older than this (on the unit's clock) is
    /// never dispatched: it goes to review, marked late.
    pub max_lateness_ms: u32,
    /// A read whose event time is further ahead of the unit's clock than
    /// this is rejected.
    pub max_future_ms: u32,
    /// Dispatch budget per priority (`None`: unlimited). Priority 0 is never
    /// throttled, whatever its entry says.
    pub budgets: Budgets,
    /// Reads that must agree exactly on an unlisted look-alike plate before
    /// a consensus passage goes to review instead of dispatch.
    pub lookalike_support: u16,
}

impl Config {
    /// The defaults: consensus over 2 s passages, 40-minute re-alert
    /// window, 5 minutes maximum lateness, 60 s of clock skew, budgets of
    /// 20 a burst and 60 an hour for P1 and 10 and 20 for P2.
    pub const DEFAULT: Self = Self {
        mode: Mode::Consensus,
        passage_window_ms: 2_000,
        realert_window_ms: [40 * 60_000; Priority::COUNT],
        max_lateness_ms: 5 * 60_000,
        max_future_ms: 60_000,
        budgets: Budgets([
            None,
            Some(Budget {
                burst: 20,
                per_hour: 60,
            }),
            Some(Budget {
                burst: 10,
                per_hour: 20,
            }),
            None,
            None,
        ]),
        lookalike_support: 2,
    };
}

impl Default for Config {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What became of a read when it was pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReadStatus {
    /// Matched nothing: dropped and forgotten.
    Unmatched,
    /// Opened a passage.
    Opened,
    /// Folded into an open passage.
    Repeat,
}

/// Caller storage for the unit's tables.
pub struct Tables<'s> {
    /// Open passages.
    pub passages: &'s mut [Passage],
    /// Re-alert suppression slots.
    pub suppression: &'s mut [SuppressSlot],
    /// Per-camera counters.
    pub cameras: &'s mut [CameraStats],
}

/// The whole pipeline of one roadside unit.
pub struct Unit<'w, 's> {
    watchlist: &'w Watchlist<'w>,
    policy: &'w Policy,
    config: Config,
    passages: PassageTable<'s>,
    suppression: &'s mut [SuppressSlot],
    cameras: &'s mut [CameraStats],
    buckets: [Bucket; Priority::COUNT],
    indicators: Indicators,
    clock: u64,
    seq: u32,
    serial: u64,
}

impl fmt::Debug for Unit<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unit")
            .field("config", &self.config)
            .field("indicators", &self.indicators)
            .finish_non_exhaustive()
    }
}

impl<'w, 's> Unit<'w, 's> {
    /// A unit over a built watchlist, a policy, settings and caller tables.
    pub fn new(
        watchlist: &'w Watchlist<'w>,
        policy: &'w Policy,
        config: Config,
        tables: Tables<'s>,
    ) -> Self {
        Self {
            watchlist,
            policy,
            config,
            passages: PassageTable::new(tables.passages),
            suppression: tables.suppression,
            cameras: tables.cameras,
            buckets: [Bucket::default(); Priority::COUNT],
            indicators: Indicators::default(),
            clock: 0,
            seq: 0,
            serial: 0,
        }
    }

    /// The counters so far.
    pub fn indicators(&self) -> &Indicators {
        &self.indicators
    }

    /// Per-camera counters (used slots only).
    pub fn cameras(&self) -> impl Iterator<Item = &CameraStats> {
        self.cameras
            .iter()
            .filter(|c| !c.camera.as_str().is_empty())
    }

    /// Resets every counter, per camera too. Decisions are not affected.
    pub fn reset_indicators(&mut self) {
        self.indicators = Indicators::default();
        for c in self.cameras.iter_mut() {
            *c = CameraStats::EMPTY;
        }
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        self.policy
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Replaces the watchlist (a new list version). Open passages keep the
    /// matches they were opened with.
    pub fn set_watchlist(&mut self, watchlist: &'w Watchlist<'w>) {
        self.watchlist = watchlist;
    }

    /// Open passages.
    pub fn open_passages(&self) -> usize {
        self.passages.len()
    }

    /// Pushes one read at the unit's clock `now`. Decisions that become due
    /// (first-read mode, or a passage evicted from a full table) go to `sink`.
    pub fn push(
        &mut self,
        read: &Read<'_>,
        now: u64,
        sink: &mut impl FnMut(Outcome),
    ) -> Result<ReadStatus, ReadError> {
        self.clock = self.clock.max(now);
        self.indicators.reads += 1;
        let read = match read.check(self.clock, u64::from(self.config.max_future_ms)) {
            Ok(r) => r,
            Err(e) => {
                self.indicators.rejected[e.index()] += 1;
                // A rejected read still counts for its camera, when the id
                // itself is good.
                if let Ok(c) = CameraId::new(read.camera) {
                    self.count_camera_read(&c);
                }
                return Err(e);
            }
        };
        self.count_camera_read(&read.camera);
        let mut matches: Matches<MAX_MATCHES> = Matches::new();
        self.watchlist
            .lookup_into(&read.plate, read.country, read.time, &mut matches);
        if matches.is_empty() {
            self.indicators.unmatched += 1;
            return Ok(ReadStatus::Unmatched);
        }
        self.indicators.matched += 1;
        self.count_camera(&read.camera, |s| s.matched += 1);

        // Join an open passage?
        let window = u64::from(self.config.passage_window_ms);
        let joined = self.passages.find_mut(|p| {
            p.camera.same(&read.camera)
                && read.time.abs_diff(p.first_time) <= window
                && matches
                    .as_slice()
                    .iter()
                    .any(|m| p.entries.contains(&m.entry))
        });
        if let Some(p) = joined {
            p.vote(read.plate, read.confidence);
            self.indicators.suppressed_passage += 1;
            return Ok(ReadStatus::Repeat);
        }

        // Open one, closing the oldest early when the table is full.
        if self.passages.len() == self.passages.capacity() {
            self.indicators.evicted_passages += 1;
            crate::fmt::warning!("passage table full: the oldest passage is decided early");
            if let Some(mut oldest) = self.passages.pop_oldest() {
                self.close(&mut oldest, sink);
            }
        }
        let mut p = Passage::EMPTY;
        self.fill(&mut p, &read, &matches);
        if self.config.mode == Mode::FirstRead {
            self.decide(&mut p, sink);
        }
        // No passage table at all: the read was decided alone.
        if let Err(mut p) = self.passages.push(p) {
            self.close(&mut p, sink);
        }
        Ok(ReadStatus::Opened)
    }

    /// Closes every passage whose window has passed on the unit's clock and
    /// sends the decisions to `sink`. Call it regularly (at least once per
    /// passage window) so a quiet camera never holds a hit back.
    pub fn poll(&mut self, now: u64, sink: &mut impl FnMut(Outcome)) {
        self.clock = self.clock.max(now);
        let window = u64::from(self.config.passage_window_ms);
        // Oldest first, so outcomes come out in the order passages opened;
        // the common case, most reads, looks at the head only.
        while self
            .passages
            .oldest()
            .is_some_and(|p| self.clock >= p.opened_at.saturating_add(window))
        {
            if let Some(mut p) = self.passages.pop_oldest() {
                self.close(&mut p, sink);
            }
        }
    }

    /// A read arrives at the unit's clock `arrival`: passages due before
    /// then are closed at their due time (as the unit's timer would), then
    /// the read is pushed and the unit polled. This is the loop a firmware
    /// and the simulator both run, so they decide identically.
    pub fn receive(
        &mut self,
        read: &Read<'_>,
        arrival: u64,
        sink: &mut impl FnMut(u64, Outcome),
    ) -> Result<ReadStatus, ReadError> {
        let arrival = arrival.max(self.clock);
        let mut last_due = None;
        while let Some(due) = self
            .next_due()
            .filter(|&d| d <= arrival && Some(d) != last_due)
        {
            last_due = Some(due);
            let at = due.max(self.clock);
            self.poll(due, &mut |o| sink(at, o));
        }
        let r = self.push(read, arrival, &mut |o| sink(arrival, o));
        self.poll(arrival, &mut |o| sink(arrival, o));
        r
    }

    /// When the next open passage is due to close (unit clock), if any: a
    /// firmware sets its timer to it, a replay polls at it so a passage is
    /// decided when its window ends rather than when the next read comes.
    pub fn next_due(&self) -> Option<u64> {
        self.passages.oldest().map(|p| {
            p.opened_at
                .saturating_add(u64::from(self.config.passage_window_ms))
        })
    }

    /// Closes every open passage now (end of a stream, shutdown).
    pub fn flush(&mut self, sink: &mut impl FnMut(Outcome)) {
        while let Some(mut p) = self.passages.pop_oldest() {
            self.close(&mut p, sink);
        }
    }

    fn fill(
        &mut self,
        p: &mut Passage,
        read: &crate::read::CheckedRead,
        matches: &Matches<MAX_MATCHES>,
    ) {
        self.serial += 1;
        p.serial = self.serial;
        p.open = true;
        p.decided = false;
        p.camera = read.camera.clone();
        p.first_time = read.time;
        p.opened_at = self.clock;
        p.entries = matches
            .as_slice()
            .iter()
            .take(MAX_PASSAGE_ENTRIES)
            .map(|m| m.entry)
            .collect();
        p.has_first = matches.best().is_some();
        p.first = matches.best().copied().unwrap_or(Match::ZERO);
        p.reads = 0;
        p.votes.clear();
        p.country = read.country;
        p.position = read.position;
        p.vote(read.plate, read.confidence);
    }

    fn close(&mut self, p: &mut Passage, sink: &mut impl FnMut(Outcome)) {
        if !p.decided {
            self.decide(p, sink);
        }
        p.open = false;
    }

    /// Decides a passage: the matrix, look-alike, lateness, suppression and
    /// capacity, in that order.
    fn decide(&mut self, p: &mut Passage, sink: &mut impl FnMut(Outcome)) {
        p.decided = true;
        if !p.has_first {
            return;
        }
        let first = p.first;
        let consensus_mode = self.config.mode == Mode::Consensus;
        // The passage's plate and matches.
        let (plate, support) = if consensus_mode {
            consensus(&p.votes).unwrap_or((first_plate(p, &first), 1))
        } else {
            (first_plate(p, &first), 1)
        };
        let mut matches: Matches<MAX_MATCHES> = Matches::new();
        self.watchlist
            .lookup_into(&plate, p.country, p.first_time, &mut matches);
        let (plate, support) = if matches.is_empty() {
            // The vote drifted off every list: fall back on the first read.
            matches = Matches::new();
            (first_plate(p, &first), 0)
        } else {
            (plate, support)
        };
        // Choose the match with the strongest action; ties by rank.
        let candidates: &[Match] = if matches.as_slice().is_empty() {
            core::slice::from_ref(&first)
        } else {
            matches.as_slice()
        };
        let mut chosen: Option<(Match, Action, RuleId)> = None;
        for m in candidates {
            let also_local = candidates.iter().any(|o| o.local && o.listed == m.listed);
            let facts = Facts {
                priority: m.priority,
                list: m.list,
                also_local,
                kind: m.kind,
                camera: &p.camera,
            };
            let (action, rule) = self.policy.decide(&facts);
            if chosen.as_ref().is_none_or(|(_, a, _)| action > *a) {
                chosen = Some((*m, action, rule));
            }
        }
        let Some((m, mut action, rule)) = chosen else {
            return;
        };
        let ind = &mut self.indicators;
        ind.passages += 1;
        ind.hits_by_priority[m.priority.index()] += 1;
        if let Some(c) = ind.hits_by_list.get_mut(m.list.index()) {
            *c += 1;
        }
        match rule {
            RuleId::Rule(i) => {
                if let Some(c) = ind.by_rule.get_mut(usize::from(i)) {
                    *c += 1;
                }
            }
            RuleId::Fallback => ind.by_fallback += 1,
        }
        if action == Action::Drop {
            ind.dropped += 1;
            sink(Outcome::Dropped {
                rule,
                priority: m.priority,
            });
            return;
        }
        let mut reason = Reason::Rule;
        if action == Action::Dispatch
            && consensus_mode
            && m.kind != MatchKind::Exact
            && support >= self.config.lookalike_support
        {
            action = Action::Review;
            reason = Reason::Lookalike;
            ind.lookalike += 1;
        }
        let late = self.clock.saturating_sub(p.first_time) > u64::from(self.config.max_lateness_ms);
        if late {
            ind.late += 1;
            if action == Action::Dispatch {
                action = Action::Review;
                reason = Reason::Late;
            }
        }
        let key = Key {
            list: m.list,
            listed: m.listed,
            country: m.country,
        };
        let window = u64::from(self.config.realert_window_ms[m.priority.index()]);
        if is_suppressed(self.suppression, &key, action, p.first_time, window) {
            ind.suppressed_realert += 1;
            sink(Outcome::Suppressed { rule, action });
            return;
        }
        if action == Action::Dispatch
            && m.priority != Priority::P0
            && let Some(budget) = self.config.budgets.0[m.priority.index()]
            && !self.buckets[m.priority.index()].take(&budget, self.clock)
        {
            action = Action::Review;
            reason = Reason::Capacity;
            ind.capacity += 1;
        }
        if record(
            self.suppression,
            key,
            action,
            p.first_time,
            window,
            self.clock,
        ) {
            ind.evicted_suppression += 1;
            crate::fmt::warning!("suppression window full: the oldest entry is forgotten");
        }
        match action {
            Action::Dispatch => ind.dispatched += 1,
            _ => ind.reviewed += 1,
        }
        let hit = Hit {
            seq: self.seq,
            time: p.first_time,
            camera: p.camera.clone(),
            read: plate,
            reads: p.reads,
            listed: m.listed,
            country: m.country,
            list: m.list,
            priority: m.priority,
            kind: m.kind,
            distance: m.distance,
            action,
            rule,
            reason,
            late,
            version: self.watchlist.version(),
            position: p.position,
        };
        self.seq = self.seq.wrapping_add(1);
        let camera = p.camera.clone();
        self.count_camera(&camera, |s| match action {
            Action::Dispatch => s.dispatched += 1,
            _ => s.reviewed += 1,
        });
        sink(Outcome::Forward(hit));
    }

    fn count_camera_read(&mut self, camera: &CameraId) {
        match camera_slot(self.cameras, camera) {
            Some(s) => s.reads += 1,
            None => self.indicators.camera_overflow += 1,
        }
    }

    /// Counts on a camera's slot; cameras without one were counted as
    /// overflow when their read came in.
    fn count_camera(&mut self, camera: &CameraId, f: impl FnOnce(&mut CameraStats)) {
        if let Some(s) = camera_slot(self.cameras, camera) {
            f(s);
        }
    }
}

/// The first read's plate of a passage (the listed plate if, against the
/// table's invariant, it holds no read).
fn first_plate(p: &Passage, first: &Match) -> Plate {
    p.votes.first().map_or(first.listed, |(pl, _)| *pl)
}

#[cfg(test)]
mod tests;
