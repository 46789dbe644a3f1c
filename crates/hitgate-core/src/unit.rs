//! The roadside unit: every read through check, match, passage, decision
//! matrix, lateness, re-alert suppression and dispatch capacity, to one
//! outcome.
//!
//! ```text
//!  read ──check──> rejected (counted)
//!         │
//!       lookup ──> unmatched (counted; kept only as evidence of an open
//!         │         passage of its camera, near its listed plate, or held
//!         │         a few seconds for one that opens on a later frame;
//!         │         with one of the newest held frames of its camera,
//!         │         spelling a listed plate exactly, it opens that
//!         │         plate's passage)
//!      passage ──> repeat (folded into an open passage)
//!         │  its camera moves past its window, or window + grace pass
//!         │  (consensus); first read (first-read mode)
//!       matrix ──> dropped (rule)
//!         │
//!   look-alike (evidence) / late ──> review
//!         │
//!   re-alert window ──> suppressed; review (stronger) when it (or a
//!         │              frame) spells the listed plate and the entry's
//!         │              dispatch was tolerant
//!   dispatch budget ──> review (capacity)
//!         │
//!     forward(hit)
//! ```
//!
//! Time is an input: every call takes `now`, the unit's clock in ms since the
//! Unix epoch. Decisions follow the event time of the read; lateness and
//! budgets follow the unit's clock.

use core::fmt;

use crate::budget::Bucket;
use crate::distance::{MAX_TOLERANCE, Tolerance};
use crate::hit::Outcome;
use crate::indicators::{CameraStats, Indicators, camera_slot};
use crate::list::Priority;
use crate::passage::{MAX_PASSAGE_ENTRIES, Passage, PassageTable, consensus};
use crate::place::{Places, ZoneMemo};
use crate::plate::Plate;
use crate::policy::{Policy, PolicyView};
use crate::read::{CameraId, Read, ReadError};
use crate::recent::{HeldFrame, PAIR_FRAMES, Recent, spelled_together};
use crate::suppress::SuppressSlot;
use crate::watchlist::{Match, MatchKind, Matches, Watchlist};

/// Matches considered per read.
pub const MAX_MATCHES: usize = 8;

mod config;
mod decide;
pub use config::{Config, Mode};

/// What became of a read when it was pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ReadStatus {
    /// Matched nothing: counted, never stored (in consensus mode held a
    /// few seconds at most, as evidence: [`crate::recent`]).
    Unmatched,
    /// Opened a passage: matched, or matched nothing alone but spelled a
    /// listed plate with one of the newest held frames of its camera
    /// ([`PAIR_FRAMES`]; counted in
    /// [`Indicators::unmatched`] and [`Indicators::paired`]; see
    /// [`crate::recent`]).
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
    /// Unmatched frames held a few seconds for a passage that opens on a
    /// later frame of the same car (consensus mode; [`crate::recent`]): as
    /// many places as unmatched reads arrive in one hold (passage window
    /// and grace) at the unit's busiest; fewer on a small board
    /// ([`RECENT_FRAMES`](crate::recent::RECENT_FRAMES); the oldest gives
    /// way sooner, counted in `evicted_held`), none to hold nothing.
    pub held: &'s mut [HeldFrame],
}

/// The whole pipeline of one roadside unit.
pub struct Unit<'w, 's> {
    watchlist: &'w Watchlist<'w>,
    policy: PolicyView<'w>,
    places: Places<'w>,
    /// The zones of the positions last decided at.
    zones: ZoneMemo,
    config: Config,
    passages: PassageTable<'s>,
    suppression: &'s mut [SuppressSlot],
    cameras: &'s mut [CameraStats],
    buckets: [Bucket; Priority::COUNT],
    indicators: Indicators,
    /// Unmatched frames held for a passage that may open on a later frame.
    recent: Recent<'s>,
    clock: u64,
    seq: u32,
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
    pub fn new<const R: usize>(
        watchlist: &'w Watchlist<'w>,
        policy: &'w Policy<R>,
        config: Config,
        tables: Tables<'s>,
    ) -> Self {
        Self {
            watchlist,
            policy: policy.view(),
            places: Places::none(),
            zones: ZoneMemo::EMPTY,
            config,
            passages: PassageTable::new(tables.passages),
            suppression: tables.suppression,
            cameras: tables.cameras,
            buckets: [Bucket::default(); Priority::COUNT],
            indicators: Indicators::default(),
            recent: Recent::new(tables.held),
            clock: 0,
            seq: 0,
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
        // Held frames name cameras by their slot, which a new camera may
        // now take.
        self.recent.clear();
        for c in self.cameras.iter_mut() {
            *c = CameraStats::EMPTY;
        }
    }

    /// The policy's rules.
    pub fn policy(&self) -> PolicyView<'w> {
        self.policy
    }

    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The zones, schedules, operations, camera positions and UTC offsets
    /// the policy's rules refer to (none by default: rules with such
    /// conditions never apply).
    pub fn set_places(&mut self, places: Places<'w>) {
        self.places = places;
        self.zones.clear();
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

    /// Unmatched frames held now in case a passage of their camera opens on
    /// a later frame (consensus mode; see [`crate::recent`] for what is
    /// held and for how long). None after [`Unit::flush`].
    pub fn held_frames(&self) -> usize {
        self.recent.held()
    }

    /// Pushes one read at the unit's clock `now`. Decisions that become due
    /// (first-read mode, a passage evicted from a full table, or the
    /// passages this read's camera has moved past) go to `sink` with the
    /// unit's clock at the decision.
    ///
    /// **Each camera's own progress closes its passages.** A read checked
    /// in (matched or not) closes every open passage of its camera whose
    /// window it lies past in event time: that camera has moved on, so no
    /// frame of the passage is still on its way (a camera's uplink keeps
    /// its order). Other cameras' reads, and the unit's clock, close a
    /// passage only `passage_window_ms + camera_grace_ms` after it opened
    /// on the unit's clock ([`Unit::poll`]): a camera whose uplink lags
    /// behind the others does not see its passages split.
    ///
    /// A frame that arrives after its passage was decided is folded into
    /// it and counted as a repeat while the passage keeps its slot (until
    /// the unit's clock closes it); later still it opens a new passage,
    /// which the re-alert window then suppresses.
    pub fn push(
        &mut self,
        read: &Read<'_>,
        now: u64,
        sink: &mut impl FnMut(u64, Outcome),
    ) -> Result<ReadStatus, ReadError> {
        self.clock = self.clock.max(now);
        self.indicators.reads += 1;
        let read = match read.check(self.clock, u64::from(self.config.max_future_ms)) {
            Ok(r) => r,
            Err(e) => {
                self.indicators.rejected[e.index()] += 1;
                // A rejected read still counts for its camera when that
                // camera is known from a read it passed: a damaged line
                // can put anything in the camera field, a plate too, and
                // that must not become a camera of the report.
                if let Ok(c) = CameraId::new(read.camera)
                    && let Some(s) = self.cameras.iter_mut().find(|s| s.camera.same(&c))
                {
                    s.reads += 1;
                }
                return Err(e);
            }
        };
        // The camera's slot, found once for the read and, through its
        // passage, for the hit.
        let slot = self.camera_slot(&read.camera);
        self.camera_moved_on(&read.camera, read.time, sink);
        let window = u64::from(self.config.passage_window_ms);
        let mut matches: Matches<MAX_MATCHES> = Matches::new();
        self.watchlist
            .lookup_into(&read.plate, read.country, read.time, &mut matches);
        if matches.is_empty() {
            self.indicators.unmatched += 1;
            if self.config.mode == Mode::Consensus {
                if self.near_frame(&read) {
                    self.indicators.evidence_frames += 1;
                } else if let Some(s) = slot {
                    if self.paired(s, &read, sink) {
                        return Ok(ReadStatus::Opened);
                    }
                    // Perhaps a frame of a car whose passage opens on a
                    // later frame.
                    let hold = self.open_for();
                    if self
                        .recent
                        .hold(s, read.time, self.clock, hold, read.plate, read.confidence)
                    {
                        self.indicators.evicted_held += 1;
                    }
                }
            }
            return Ok(ReadStatus::Unmatched);
        }
        self.indicators.matched += 1;
        self.count_camera(slot, |s| s.matched += 1);

        // Join an open passage?
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

        let mut p = Passage::EMPTY;
        self.fill(&mut p, &read, &matches, slot);
        self.open(p, &read, slot, Some(&matches), sink);
        Ok(ReadStatus::Opened)
    }

    /// An unmatched read of the camera in counter slot `s`, read together
    /// with the held frames of its camera, within the passage window, in
    /// the [`PAIR_FRAMES`] newest places of the table: when the two spell
    /// a listed plate exactly ([`spelled_together`](crate::recent)), each
    /// wrong where the other reads right, they open its passage as its
    /// first two frames, the held one freed from the table. The passage's
    /// match is the
    /// listed entry, of the kind the older frame's distance to it is (a
    /// match with tolerance); the matrix, the evidence and the re-alert
    /// window then judge it as any other. Whether a passage opened.
    #[inline(never)]
    fn paired(
        &mut self,
        s: usize,
        read: &crate::read::CheckedRead,
        sink: &mut impl FnMut(u64, Outcome),
    ) -> bool {
        let window = u64::from(self.config.passage_window_ms);
        let watchlist = self.watchlist;
        let mut matches: Matches<MAX_MATCHES> = Matches::new();
        let Some(held) = self.recent.pair(s, read.time, window, PAIR_FRAMES, |held| {
            spelled_together(held, &read.plate, |plate| {
                watchlist.lookup_exact_into(plate, read.country, read.time, &mut matches);
                (!matches.is_empty()).then_some(())
            })
        }) else {
            return false;
        };
        self.open_paired(s, read, held, &matches, sink);
        true
    }

    /// The passage of [`Unit::paired`]: `held`, the held frame (event
    /// time, plate, confidence), and `read` as its first two frames, the
    /// listed entries `matches`.
    #[inline(never)]
    fn open_paired(
        &mut self,
        s: usize,
        read: &crate::read::CheckedRead,
        (time, plate, confidence, ()): (u64, Plate, Option<u8>, ()),
        matches: &Matches<MAX_MATCHES>,
        sink: &mut impl FnMut(u64, Outcome),
    ) {
        self.indicators.paired += 1;
        let mut p = Passage::EMPTY;
        self.fill(&mut p, read, matches, Some(s));
        // The frames in the order they were read: the older one first.
        p.votes.clear();
        p.reads = 0;
        let (older, newer) = if time <= read.time {
            ((plate, confidence), (read.plate, read.confidence))
        } else {
            ((read.plate, read.confidence), (plate, confidence))
        };
        p.vote(older.0, older.1);
        p.vote(newer.0, newer.1);
        p.first_time = time.min(read.time);
        // Neither frame spells the listed plate: the match is one with
        // tolerance, as far from it as the first frame (one change at
        // most, by the way the two spell it).
        let wide = Tolerance {
            ocr: MAX_TOLERANCE,
            edits: MAX_TOLERANCE,
            min_len: 0,
        };
        if let Some(d) = crate::distance::distance(
            older.0.as_bytes(),
            p.first.listed.as_bytes(),
            self.watchlist.classes(),
            wide,
        ) {
            p.first.distance = d;
            p.first.kind = MatchKind::of(d);
        }
        self.open(p, read, Some(s), None, sink);
    }

    /// Opens passage `p`, filled from `read`, closing the oldest early
    /// when the table is full; its camera's held frames near it join it
    /// as evidence (consensus), or its first read's `matches` decide it
    /// (first-read mode).
    fn open(
        &mut self,
        mut p: Passage,
        read: &crate::read::CheckedRead,
        slot: Option<usize>,
        matches: Option<&Matches<MAX_MATCHES>>,
        sink: &mut impl FnMut(u64, Outcome),
    ) {
        if self.passages.len() == self.passages.capacity() {
            self.indicators.evicted_passages += 1;
            crate::fmt::warning!("passage table full: the oldest passage is decided early");
            if let Some(mut oldest) = self.passages.pop_oldest() {
                self.close(&mut oldest, sink);
            }
        }
        let window = u64::from(self.config.passage_window_ms);
        if let Some(s) = slot
            && self.config.mode == Mode::Consensus
            && p.has_first
        {
            // The camera's frames held from before this one, near the
            // listed plate or near the passage's first frame, are the
            // passage's evidence too.
            let tolerances = (self.watchlist, self.config.evidence);
            let tol = evidence_within(tolerances, &p.first);
            let own = evidence_own(tolerances, &p.first);
            let (listed, classes) = (p.first.listed, self.watchlist.classes());
            let first = first_plate(&p, &p.first);
            let changes = self.config.evidence_changes;
            let taken = self.recent.take_near(s, read.time, window, |plate, conf| {
                let within = |other: &Plate, tol| {
                    crate::distance::within(
                        plate.as_bytes(),
                        other.as_bytes(),
                        classes,
                        tol,
                        changes,
                    )
                };
                let near = within(&listed, tol) || (first != listed && within(&first, own));
                if near {
                    p.evidence(*plate, conf);
                }
                near
            });
            self.indicators.evidence_frames += taken;
        }
        if self.config.mode == Mode::FirstRead {
            // The first read decides: its matches are the passage's.
            self.decide(&mut p, matches, sink);
        }
        // No passage table at all: the read was decided alone.
        if let Err(mut p) = self.passages.push(p) {
            self.close(&mut p, sink);
        }
    }

    /// Closes every passage whose window and grace have passed on the
    /// unit's clock and sends the decisions to `sink`. Call it regularly
    /// (at least once per passage window) so a quiet camera never holds a
    /// hit back longer than the grace.
    pub fn poll(&mut self, now: u64, sink: &mut impl FnMut(u64, Outcome)) {
        self.clock = self.clock.max(now);
        let open_for = self.open_for();
        self.recent.expire(self.clock, open_for);
        // Oldest first, so the passages their camera did not decide come
        // out in the order they opened; the common case, most reads, looks
        // at the head only.
        while self
            .passages
            .oldest()
            .is_some_and(|p| self.clock >= p.opened_at.saturating_add(open_for))
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
            self.poll(due, sink);
        }
        let r = self.push(read, arrival, sink);
        self.poll(arrival, sink);
        r
    }

    /// The unit's clock: the latest time it was given.
    pub fn clock(&self) -> u64 {
        self.clock
    }

    /// When the next open passage is due to close (unit clock), if any: a
    /// firmware sets its timer to it, a replay polls at it so a passage is
    /// decided when its window ends rather than when the next read comes.
    pub fn next_due(&self) -> Option<u64> {
        let open_for = self.open_for();
        self.passages
            .oldest()
            .map(|p| p.opened_at.saturating_add(open_for))
    }

    /// Adds an unmatched read to the vote of the oldest open passage of its
    /// camera, within its window, whose listed plate or first matched frame
    /// it is near (see [`Config::evidence`]); whether one took it.
    fn near_frame(&mut self, read: &crate::read::CheckedRead) -> bool {
        let window = u64::from(self.config.passage_window_ms);
        let classes = self.watchlist.classes();
        let tolerances = (self.watchlist, self.config.evidence);
        let changes = self.config.evidence_changes;
        // Near the listed plate, or near the passage's first matched frame
        // (the same car read further off the list).
        let near = |p: &Passage| {
            let within = |other: &Plate, tol| {
                crate::distance::within(
                    read.plate.as_bytes(),
                    other.as_bytes(),
                    classes,
                    tol,
                    changes,
                )
            };
            // (A first frame that spells the listed plate adds nothing.)
            within(&p.first.listed, evidence_within(tolerances, &p.first))
                || p.votes.first().is_some_and(|(first, _)| {
                    *first != p.first.listed && within(first, evidence_own(tolerances, &p.first))
                })
        };
        match self.passages.find_mut(|p| {
            !p.decided
                && p.has_first
                && p.camera.same(&read.camera)
                && read.time.abs_diff(p.first_time) <= window
                && near(p)
        }) {
            Some(p) => {
                p.evidence(read.plate, read.confidence);
                true
            }
            None => false,
        }
    }

    /// How long a passage keeps its slot on the unit's clock.
    fn open_for(&self) -> u64 {
        u64::from(self.config.passage_window_ms) + u64::from(self.config.camera_grace_ms)
    }

    /// Decides, in place, the open passages of `camera` whose window a read
    /// at `time` lies past (see [`Unit::push`]).
    fn camera_moved_on(
        &mut self,
        camera: &CameraId,
        time: u64,
        sink: &mut impl FnMut(u64, Outcome),
    ) {
        let window = u64::from(self.config.passage_window_ms);
        for i in 0..self.passages.len() {
            let Some(mut p) = self
                .passages
                .get(i)
                .filter(|p| {
                    !p.decided
                        && time > p.first_time.saturating_add(window)
                        && p.camera.same(camera)
                })
                .cloned()
            else {
                continue;
            };
            self.decide(&mut p, None, sink);
            if let Some(slot) = self.passages.get_mut(i) {
                *slot = p;
            }
        }
    }

    /// Closes every open passage now (end of a stream, shutdown), at the
    /// unit's clock.
    pub fn flush(&mut self, sink: &mut impl FnMut(u64, Outcome)) {
        while let Some(mut p) = self.passages.pop_oldest() {
            self.close(&mut p, sink);
        }
        self.recent.clear();
    }

    fn fill(
        &mut self,
        p: &mut Passage,
        read: &crate::read::CheckedRead,
        matches: &Matches<MAX_MATCHES>,
        camera_slot: Option<usize>,
    ) {
        p.open = true;
        p.decided = false;
        p.camera = read.camera.clone();
        p.camera_slot = camera_slot.map_or(0, |i| i as u32 + 1);
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

    fn close(&mut self, p: &mut Passage, sink: &mut impl FnMut(u64, Outcome)) {
        if !p.decided {
            self.decide(p, None, sink);
        }
        p.open = false;
    }

    /// The slot of a camera (taking a free one for a new camera) with its
    /// read counted; `None` when the table is full, counted as overflow.
    fn camera_slot(&mut self, camera: &CameraId) -> Option<usize> {
        match camera_slot(self.cameras, camera) {
            Some(i) => {
                if let Some(s) = self.cameras.get_mut(i) {
                    s.reads += 1;
                }
                Some(i)
            }
            None => {
                self.indicators.camera_overflow += 1;
                None
            }
        }
    }

    /// Counts on a camera's slot; cameras without one were counted as
    /// overflow when their read came in.
    fn count_camera(&mut self, slot: Option<usize>, f: impl FnOnce(&mut CameraStats)) {
        if let Some(s) = slot.and_then(|i| self.cameras.get_mut(i)) {
            f(s);
        }
    }
}

/// The first read's plate of a passage (the listed plate if, against the
/// table's invariant, it holds no read).
fn first_plate(p: &Passage, first: &Match) -> Plate {
    p.votes.first().map_or(first.listed, |(pl, _)| *pl)
}

/// The evidence tolerance of a match's list: the settings' `evidence`,
/// widened to the list's own tolerance where that is wider.
fn evidence_within((watchlist, evidence): (&Watchlist<'_>, Tolerance), first: &Match) -> Tolerance {
    watchlist
        .lists()
        .get(first.list.index())
        .map_or(evidence, |l| l.evidence_within(evidence))
}

/// The evidence tolerance of a match's list, not widened: the list's own
/// `evidence`, else the settings'. How near a frame must be to the
/// passage's first matched frame to be evidence (with
/// [`Tolerance::EXACT`], a frame that would match anyway).
fn evidence_own((watchlist, evidence): (&Watchlist<'_>, Tolerance), first: &Match) -> Tolerance {
    watchlist
        .lists()
        .get(first.list.index())
        .and_then(|l| l.evidence)
        .unwrap_or(evidence)
}

#[cfg(test)]
mod tests;
