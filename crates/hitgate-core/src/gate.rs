//! The zone gate: one decision per car across all of a zone's units.
//!
//! A unit suppresses its own repeats and keeps its own budget; a zone has
//! dozens of units and a handful of dispatch rooms. The gate sits behind
//! them (on the central side, fed with the units' hits) and decides again,
//! zone-wide, with the same machinery as a unit:
//!
//! - **Cases.** The first hit on a list entry and plate (the unit's
//!   suppression key: list, listed plate, country) opens a *case*, numbered
//!   by the gate. Every later hit on the same key within the re-alert
//!   window of its priority, from whichever unit, is a *sighting update* of
//!   that case (the car's new place and time), not a new dispatch. The
//!   window runs from the case's first hit, so a car seen all day is
//!   dispatched again once a window has passed. The table is caller
//!   storage of any size, probed and evicted like the unit's
//!   ([`suppress`](crate::suppress)): [`PROBE`](crate::suppress::PROBE)
//!   slots a key, the oldest of them forgotten (and counted) when all are
//!   live.
//! - **Recipients.** A rule of the matrix names its recipients
//!   ([`Rule::recipients`](crate::policy::Rule::recipients), bit `i` for
//!   recipient `i`, at most [`MAX_RECIPIENTS`]): the zone's dispatch room,
//!   the federal road police, a local team. Each recipient gets a case
//!   once: a recipient that already has it gets updates; one that joins
//!   later (a sighting decided by a rule naming more recipients) gets the
//!   case then. A review does not hold back a dispatch, as in a unit: a
//!   recipient that has a case as a review gets it as a dispatch when a
//!   later sighting is a dispatch.
//! - **Capacity per recipient.** Each recipient has its own budget per
//!   priority ([`Budgets`]), zone-wide: a dispatch over budget goes to the
//!   same recipient as a review (`throttled`). Priority 0 is never
//!   throttled, whatever the budget says.
//! - **Open dispatches per recipient.** A budget is a rate; a dispatch
//!   room's load is the cases it has not closed yet. A recipient may be
//!   given at most so many *open* dispatches per priority
//!   ([`GateConfig::max_open`]): cases sent to it as dispatches that it has
//!   not closed ([`Gate::close`]) and whose window has not passed. A
//!   dispatch beyond that goes to it as a review (`full`), and spends no
//!   budget. Priority 0 is never held back.
//! - **Late arrivals per recipient.** A unit whose uplink was down sends
//!   its hits when it is back, hours after the car passed; the unit
//!   decided them as live. A recipient may be given a most delay
//!   ([`GateConfig::max_delay_ms`]): a dispatch of a sighting that reached
//!   the gate ([`Gate::decide_at`]) more than that after its event time
//!   goes to it as a review (`late`), as a unit treats a late read, of any
//!   priority: a car that passed long ago cannot be intercepted.
//!
//! Time is an input: the gate's clock is the latest event time it has
//! seen, so the same hits in the same order give the same decisions,
//! which is what lets a restarted gate rebuild or resume its state (the
//! state is [`GateState`] plus the used [`CaseSlot`]s, both plain data).
//!
//! **A unit whose clock is ahead.** One sighting dated years ahead (a
//! unit whose clock was never set, or set wrong) would carry the clock
//! with it: no budget would refill until that date, so every later
//! dispatch of the recipients it reaches would be throttled to a review.
//! A live gate therefore decides with [`Gate::decide_at`], giving the time
//! the sighting arrived: a sighting more than
//! [`GateConfig::max_future_ms`] ahead of it is decided as seen then,
//! flagged ([`Verdict::ahead`]) and counted ([`GateState::ahead`]).
//!
//! ```
//! use hitgate_core::gate::{CaseSlot, Gate, GateConfig, Sighting};
//! use hitgate_core::{list::{ListId, Priority}, plate::Plate, policy::Action};
//!
//! let mut table = [CaseSlot::EMPTY; 64];
//! let mut gate = Gate::new(GateConfig::default(), &mut table);
//! let car = |time| Sighting {
//!     list: ListId(0),
//!     listed: Plate::normalize(b"1ABC234").unwrap(),
//!     country: None,
//!     priority: Priority::P1,
//!     action: Action::Dispatch,
//!     time,
//!     recipients: 0b11, // the zone's dispatch room and the road police
//!     position: None,
//! };
//! // Three units see the car within twenty minutes: one dispatch to each
//! // recipient, then updates.
//! let first = gate.decide(&car(0));
//! assert_eq!((first.dispatch, first.update), (0b11, 0));
//! for minutes in [8, 19] {
//!     let v = gate.decide(&car(minutes * 60_000));
//!     assert_eq!((v.case, v.dispatch, v.update), (first.case, 0, 0b11));
//! }
//! // After the 40-minute window, a new case.
//! let later = gate.decide(&car(45 * 60_000));
//! assert_eq!((later.case, later.dispatch), (first.case + 1, 0b11));
//! ```

use crate::budget::{Bucket, Budgets};
use crate::hit::Hit;
use crate::list::{ListId, Priority};
use crate::place::Places;
use crate::plate::{Country, Plate};
use crate::policy::{Action, Policy, RuleId};
use crate::read::Position;
use crate::suppress::{Key, Slot, claim, find, within};

/// The most recipients a gate routes to (a rule's recipients are a `u8`
/// mask).
pub const MAX_RECIPIENTS: usize = 8;

/// One slot of the gate's case table: `[CaseSlot::EMPTY; N]`. Size it as
/// the cases opened in one re-alert window, times two or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CaseSlot {
    key: Key,
    used: bool,
    /// The case number.
    case: u32,
    /// Event time of the hit that opened it.
    first: u64,
    /// Latest event time of a sighting.
    last: u64,
    /// Where that sighting was, when known.
    last_position: Option<Position>,
    /// The window of the key's priority, ms.
    window: u64,
    /// Recipients that have the case as a dispatch.
    dispatched: u8,
    /// Recipients that have it as a review.
    reviewed: u8,
    /// The priority of the hit that opened it.
    #[cfg_attr(feature = "serde", serde(default))]
    priority: u8,
    /// Recipients that closed it ([`Gate::close`]).
    #[cfg_attr(feature = "serde", serde(default))]
    closed: u8,
}

impl CaseSlot {
    /// An unused slot.
    pub const EMPTY: Self = Self {
        key: Key::ZERO,
        used: false,
        case: 0,
        first: 0,
        last: 0,
        last_position: None,
        window: 0,
        dispatched: 0,
        reviewed: 0,
        priority: 0,
        closed: 0,
    };

    /// True when the slot holds a case.
    pub fn is_used(&self) -> bool {
        self.used
    }

    /// The number of the case the slot holds.
    pub fn case(&self) -> Option<u32> {
        self.used.then_some(self.case)
    }
}

impl Slot for CaseSlot {
    fn key(&self) -> Option<&Key> {
        self.used.then_some(&self.key)
    }
    fn latest(&self) -> u64 {
        self.last
    }
    fn window(&self) -> u64 {
        // A case is open for its window from its first hit; it may be
        // reused once the window has passed its latest sighting too.
        self.window
    }
}

/// The gate's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateConfig {
    /// Re-alert window per priority, ms: a case's length.
    pub window_ms: [u32; Priority::COUNT],
    /// Each recipient's budgets (recipient `i` at index `i`).
    pub budgets: [Budgets; MAX_RECIPIENTS],
    /// How far a sighting's event time may lie ahead of the time it
    /// arrived ([`Gate::decide_at`]), ms: the clocks of the units and of
    /// the gate, and their skew. A unit's own tolerance for its cameras
    /// (`max_future_ms` of its config) is the natural value.
    pub max_future_ms: u32,
    /// Each recipient's most open dispatches per priority (recipient `i`
    /// at index `i`; see the module docs).
    pub max_open: [OpenCaps; MAX_RECIPIENTS],
    /// Each recipient's most delay, ms, from a sighting's event time to
    /// its arrival at the gate for a dispatch (`None`: any; see the
    /// module docs).
    pub max_delay_ms: [Option<u32>; MAX_RECIPIENTS],
}

/// The most dispatches of each priority a recipient may have open
/// (`None`: no limit; priority 0 is never held back, whatever it says).
/// In serde formats a map from `p0`..`p4`, as [`Budgets`]:
/// `{ p1 = 5, p2 = 2 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct OpenCaps(pub [Option<u16>; Priority::COUNT]);

#[cfg(feature = "serde")]
impl serde::Serialize for OpenCaps {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::budget::serialize_by_priority(&self.0, s)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for OpenCaps {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::budget::deserialize_by_priority(d, "numbers of dispatches").map(OpenCaps)
    }
}

impl GateConfig {
    /// The recipients (bit `i`: recipient `i`) for which a dispatch that
    /// reached the gate `delay_ms` after its event time is late
    /// ([`max_delay_ms`](Self::max_delay_ms)).
    pub fn late_after(&self, delay_ms: u64) -> u8 {
        let mut late = 0;
        for (r, max) in self.max_delay_ms.iter().enumerate() {
            if max.is_some_and(|m| delay_ms > u64::from(m)) {
                late |= 1 << r;
            }
        }
        late & mask()
    }

    /// Whether a sighting dated `ahead_ms` after it arrived is decided as
    /// seen on arrival ([`max_future_ms`](Self::max_future_ms)).
    pub fn too_far_ahead(&self, ahead_ms: u64) -> bool {
        ahead_ms > u64::from(self.max_future_ms)
    }
}

impl Default for GateConfig {
    /// 40-minute windows (the repeat the seed describes), no budgets, a
    /// minute's tolerance ahead (as a unit's).
    fn default() -> Self {
        Self {
            window_ms: [40 * 60_000; Priority::COUNT],
            budgets: [Budgets::default(); MAX_RECIPIENTS],
            max_future_ms: 60_000,
            max_open: [OpenCaps::default(); MAX_RECIPIENTS],
            max_delay_ms: [None; MAX_RECIPIENTS],
        }
    }
}

/// A unit's hit as the gate sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sighting {
    /// The list of the matched entry.
    pub list: ListId,
    /// The listed plate.
    pub listed: Plate,
    /// The listed country.
    pub country: Option<Country>,
    /// The entry's priority.
    pub priority: Priority,
    /// The unit's action (a dropped hit never leaves a unit; a `Drop`
    /// here is ignored).
    pub action: Action,
    /// Event time, ms since the Unix epoch.
    pub time: u64,
    /// The recipients its rule names (bit `i`: recipient `i`).
    pub recipients: u8,
    /// Where it was (a mobile unit's position, or a fixed camera's from
    /// the policy), when known.
    pub position: Option<Position>,
}

impl Sighting {
    /// A unit's hit as the gate sees it: routed to the recipients of the
    /// rule that decided it under `policy` (the zone's; found by its tag
    /// when the unit numbers its rules otherwise, see
    /// [`PolicyView::resolve`](crate::policy::PolicyView::resolve); no
    /// recipient when `policy` has no such rule), placed where the read
    /// says or, for a fixed camera, where `places` puts it.
    pub fn of(hit: &Hit, policy: &Policy, places: &Places<'_>) -> Self {
        Self::routed(hit, policy, places, 0).0
    }

    /// As [`of`](Self::of), and a hit decided under a rule `policy` does
    /// not have (renamed or removed since its unit's policy) goes to the
    /// recipients of `unknown` (bit `i`: recipient `i`), as its unit
    /// decided it. Also the rule, as `policy` numbers it (none for such a
    /// hit).
    pub fn routed(
        hit: &Hit,
        policy: &Policy,
        places: &Places<'_>,
        unknown: u8,
    ) -> (Self, Option<RuleId>) {
        let rule = policy.resolve(hit.rule, hit.rule_tag);
        let s = Self {
            list: hit.list,
            listed: hit.listed,
            country: hit.country,
            priority: hit.priority,
            action: hit.action,
            time: hit.time,
            recipients: rule.map_or(unknown, |r| policy.recipients(r)),
            position: places.position(&hit.camera, hit.position),
        };
        (s, rule)
    }
}

/// What one recipient gets for a sighting ([`Verdict::sent_to`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// The case, for dispatch.
    Dispatch,
    /// The case, for review: `throttled` when a dispatch went over the
    /// recipient's budget, `full` when the recipient had its most open
    /// dispatches of the priority ([`GateConfig::max_open`]).
    Review {
        /// Over budget.
        throttled: bool,
        /// At its most open dispatches.
        full: bool,
        /// Arrived later than its most delay allows.
        late: bool,
    },
    /// A sighting update of a case it has.
    Update,
}

/// What the gate decided for one sighting: a mask of recipients each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Verdict {
    /// The case the sighting belongs to.
    pub case: u32,
    /// True when it opened the case.
    pub opened: bool,
    /// Recipients that get it as a dispatch now.
    pub dispatch: u8,
    /// Recipients that get it as a review now (the unit said review, or
    /// the recipient's budget is spent).
    pub review: u8,
    /// Of `review`, those throttled: a dispatch over the recipient's
    /// budget.
    pub throttled: u8,
    /// Of `review`, those with their most open dispatches of the priority
    /// ([`GateConfig::max_open`]).
    #[cfg_attr(feature = "serde", serde(default))]
    pub full: u8,
    /// Of `review`, those for which the sighting arrived later than their
    /// most delay ([`GateConfig::max_delay_ms`]).
    #[cfg_attr(feature = "serde", serde(default))]
    pub late: u8,
    /// Recipients that get a sighting update of a case they have.
    pub update: u8,
    /// A live case had to be forgotten to make room (counted).
    pub evicted: bool,
    /// The case's latest sighting before this one (its event time and
    /// place), for an update that shows the car's path: `None` when the
    /// sighting opened the case.
    pub previous: Option<(u64, Option<Position>)>,
    /// The sighting was dated too far ahead of its arrival and was
    /// decided as seen then ([`Gate::decide_at`]).
    #[cfg_attr(feature = "serde", serde(default))]
    pub ahead: bool,
}

impl Verdict {
    /// What recipient `r` gets, if anything.
    pub fn sent_to(&self, r: usize) -> Option<Sent> {
        let bit = 1u8.checked_shl(u32::try_from(r).ok()?)?;
        if self.dispatch & bit != 0 {
            Some(Sent::Dispatch)
        } else if self.review & bit != 0 {
            Some(Sent::Review {
                throttled: self.throttled & bit != 0,
                full: self.full & bit != 0,
                late: self.late & bit != 0,
            })
        } else if self.update & bit != 0 {
            Some(Sent::Update)
        } else {
            None
        }
    }

    /// Recipients that get anything.
    pub fn recipients(&self) -> u8 {
        self.dispatch | self.review | self.update
    }
}

/// Per recipient: what it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RecipientCounts {
    /// Cases sent as dispatches.
    pub dispatched: u32,
    /// Cases sent as reviews (throttled ones included).
    pub reviewed: u32,
    /// Dispatches turned into reviews by the recipient's budget.
    pub throttled: u32,
    /// Dispatches turned into reviews by the recipient's most open
    /// dispatches ([`GateConfig::max_open`]).
    #[cfg_attr(feature = "serde", serde(default))]
    pub full: u32,
    /// Dispatches the recipient closed ([`Gate::close`]).
    #[cfg_attr(feature = "serde", serde(default))]
    pub closed: u32,
    /// Dispatches turned into reviews because the sighting arrived later
    /// than the recipient's most delay.
    #[cfg_attr(feature = "serde", serde(default))]
    pub late: u32,
    /// Sighting updates sent: repeats of a case it has, from any unit,
    /// suppressed as new hits.
    pub updates: u32,
}

/// The gate's state besides its case table: plain data, saved and
/// restored whole.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GateState {
    /// The latest event time seen.
    pub clock: u64,
    /// The next case number.
    pub next_case: u32,
    /// Sightings decided.
    pub sightings: u64,
    /// Sightings whose rule names no recipient.
    pub unrouted: u64,
    /// Live cases forgotten for room.
    pub evicted: u64,
    /// Sightings dated too far ahead of their arrival, decided as seen
    /// then ([`Gate::decide_at`]).
    #[cfg_attr(feature = "serde", serde(default))]
    pub ahead: u64,
    /// Per recipient.
    pub counts: [RecipientCounts; MAX_RECIPIENTS],
    buckets: [[Bucket; Priority::COUNT]; MAX_RECIPIENTS],
}

/// The gate (see the module docs).
#[derive(Debug)]
pub struct Gate<'s> {
    config: GateConfig,
    table: &'s mut [CaseSlot],
    state: GateState,
}

impl<'s> Gate<'s> {
    /// A gate with an empty state on `table` (cleared).
    pub fn new(config: GateConfig, table: &'s mut [CaseSlot]) -> Self {
        table.fill(CaseSlot::EMPTY);
        Self::resume(config, table, GateState::default())
    }

    /// A gate that goes on from a saved state: `table` as saved (see
    /// [`Gate::table`]) and `state` as [`Gate::state`] gave it.
    pub fn resume(config: GateConfig, table: &'s mut [CaseSlot], state: GateState) -> Self {
        Self {
            config,
            table,
            state,
        }
    }

    /// The state besides the table.
    pub fn state(&self) -> &GateState {
        &self.state
    }

    /// The case table.
    pub fn table(&self) -> &[CaseSlot] {
        self.table
    }

    /// The settings.
    pub fn config(&self) -> &GateConfig {
        &self.config
    }

    /// Decides one sighting that arrived at `now` (ms since the Unix
    /// epoch, the gate's own clock): as [`Gate::decide`], except that a
    /// sighting dated more than [`GateConfig::max_future_ms`] after `now`
    /// is decided as seen at `now` (its case's window and the budgets run
    /// from then; the clock moves no further), and flagged and counted.
    ///
    /// ```
    /// use hitgate_core::budget::{Budget, Budgets};
    /// use hitgate_core::gate::{CaseSlot, Gate, GateConfig, Sighting};
    /// use hitgate_core::{list::{ListId, Priority}, plate::Plate, policy::Action};
    ///
    /// let mut config = GateConfig::default();
    /// // One dispatch a minute, none saved up.
    /// config.budgets[0] = Budgets([Some(Budget { burst: 1, per_hour: 60 }); Priority::COUNT]);
    /// let mut table = [CaseSlot::EMPTY; 64];
    /// let mut gate = Gate::new(config, &mut table);
    /// let car = |plate: &[u8], time| Sighting {
    ///     list: ListId(0),
    ///     listed: Plate::normalize(plate).unwrap(),
    ///     country: None,
    ///     priority: Priority::P1,
    ///     action: Action::Dispatch,
    ///     time,
    ///     recipients: 0b1,
    ///     position: None,
    /// };
    /// let now = 1_780_000_000_000; // 2026
    /// // A unit whose clock says 2031.
    /// let v = gate.decide_at(&car(b"1AAA001", now + 5 * 365 * 86_400_000), now);
    /// assert!(v.ahead && v.dispatch == 1);
    /// // The zone's other units go on being dispatched a minute apart.
    /// for minute in 1..=3 {
    ///     let t = now + minute * 60_000;
    ///     let plate = [b'1', b'B', b'B', b'B', b'0', b'0', b'0' + minute as u8];
    ///     let v = gate.decide_at(&car(&plate, t), t);
    ///     assert_eq!((v.ahead, v.dispatch, v.throttled), (false, 1, 0));
    /// }
    /// assert_eq!(gate.state().ahead, 1);
    /// ```
    pub fn decide_at(&mut self, s: &Sighting, now: u64) -> Verdict {
        if !self.config.too_far_ahead(s.time.saturating_sub(now)) {
            return self.decide_delayed(s, now.saturating_sub(s.time));
        }
        self.state.ahead += 1;
        let mut v = self.decide(&Sighting { time: now, ..*s });
        v.ahead = true;
        v
    }

    /// Brings back to `now` (the gate's own clock, at start) every time
    /// of the state more than [`GateConfig::max_future_ms`] after it: the
    /// clock, the budgets' last refills, the cases' first and latest
    /// sightings. A state saved while a unit's clock (or the gate's own)
    /// was ahead would otherwise keep the budgets from refilling, and
    /// hold each of those cases' keys as late, until that date. Returns
    /// how many times it brought back (0: the state was sound).
    pub fn bring_back(&mut self, now: u64) -> usize {
        let limit = now.saturating_add(u64::from(self.config.max_future_ms));
        let mut n = 0;
        let mut back = |t: &mut u64| {
            if *t > limit {
                *t = now;
                n += 1;
            }
        };
        back(&mut self.state.clock);
        for c in self.table.iter_mut().filter(|c| c.used) {
            back(&mut c.first);
            back(&mut c.last);
        }
        for b in self.state.buckets.iter_mut().flatten() {
            n += usize::from(b.bring_back(limit, now));
        }
        n
    }

    /// Decides one sighting at its own event time, whatever it says (for
    /// a live gate see [`Gate::decide_at`]).
    pub fn decide(&mut self, s: &Sighting) -> Verdict {
        self.decide_delayed(s, 0)
    }

    /// [`Gate::decide`] of a sighting that arrived `delay` ms after its
    /// event time.
    fn decide_delayed(&mut self, s: &Sighting, delay: u64) -> Verdict {
        self.state.clock = self.state.clock.max(s.time);
        let full = self.full(s);
        let late = self.late(s, delay);
        let st = &mut self.state;
        st.sightings += 1;
        if s.action == Action::Drop {
            return Verdict::default();
        }
        let to = s.recipients & mask();
        if to == 0 {
            st.unrouted += 1;
            return Verdict::default();
        }
        let key = Key {
            list: s.list,
            listed: s.listed,
            country: s.country,
        };
        let window = u64::from(
            self.config
                .window_ms
                .get(s.priority.index())
                .copied()
                .unwrap_or(0),
        );
        let mut v = Verdict::default();
        let open = find(self.table, &key)
            .filter(|&i| {
                self.table
                    .get(i)
                    .is_some_and(|c| within(c.first, s.time, c.window))
            })
            .and_then(|i| self.table.get_mut(i));
        let slot = match open {
            Some(c) => c,
            None => {
                v.opened = true;
                let (pos, evicted) = claim(self.table, &key, st.clock);
                let fresh = CaseSlot {
                    key,
                    used: true,
                    case: st.next_case,
                    first: s.time,
                    last: s.time,
                    last_position: s.position,
                    window,
                    dispatched: 0,
                    reviewed: 0,
                    priority: s.priority.get(),
                    closed: 0,
                };
                st.next_case = st.next_case.wrapping_add(1);
                match pos.and_then(|i| self.table.get_mut(i)) {
                    // A case of this key that is newer than this late
                    // sighting keeps its slot; the sighting is decided as
                    // a case of its own and not remembered.
                    Some(c) if c.used && c.key == key && c.first > s.time => {
                        let mut scratch = fresh;
                        return finish(st, &self.config, s, &mut scratch, (to, full, late), v);
                    }
                    Some(c) => {
                        if evicted {
                            st.evicted += 1;
                            v.evicted = true;
                        }
                        *c = fresh;
                        c
                    }
                    None => {
                        let mut scratch = fresh;
                        return finish(st, &self.config, s, &mut scratch, (to, full, late), v);
                    }
                }
            }
        };
        finish(st, &self.config, s, slot, (to, full, late), v)
    }

    /// Recipient `r` has closed case `case` (its dispatch room handled
    /// it): the case no longer counts among its open dispatches
    /// ([`GateConfig::max_open`]). False when the recipient had no open
    /// dispatch of that case (closed before, sent to it as a review, or
    /// forgotten for room): nothing changes then.
    ///
    /// ```
    /// use hitgate_core::gate::{CaseSlot, Gate, GateConfig, OpenCaps, Sent, Sighting};
    /// use hitgate_core::{list::{ListId, Priority}, plate::Plate, policy::Action};
    ///
    /// let mut config = GateConfig::default();
    /// // The dispatch room takes one P1 case at a time.
    /// config.max_open[0] = OpenCaps([None, Some(1), None, None, None]);
    /// let mut table = [CaseSlot::EMPTY; 64];
    /// let mut gate = Gate::new(config, &mut table);
    /// let car = |plate: &[u8], minute: u64| Sighting {
    ///     list: ListId(0),
    ///     listed: Plate::normalize(plate).unwrap(),
    ///     country: None,
    ///     priority: Priority::P1,
    ///     action: Action::Dispatch,
    ///     time: minute * 60_000,
    ///     recipients: 0b1,
    ///     position: None,
    /// };
    /// let first = gate.decide(&car(b"1AAA001", 0));
    /// assert_eq!(first.sent_to(0), Some(Sent::Dispatch));
    /// // A second car while the first is open: for review.
    /// let second = gate.decide(&car(b"1BBB002", 2));
    /// assert_eq!(second.sent_to(0), Some(Sent::Review { throttled: false, full: true, late: false }));
    /// // The room closes the first case; the next car is dispatched.
    /// assert!(gate.close(first.case, 0));
    /// assert!(!gate.close(first.case, 0));
    /// let third = gate.decide(&car(b"1CCC003", 3));
    /// assert_eq!(third.sent_to(0), Some(Sent::Dispatch));
    /// ```
    pub fn close(&mut self, case: u32, r: usize) -> bool {
        let Some(bit) = u32::try_from(r)
            .ok()
            .and_then(|r| 1u8.checked_shl(r))
            .filter(|b| b & mask() != 0)
        else {
            return false;
        };
        let Some(c) = self.table.iter_mut().find(|c| c.used && c.case == case) else {
            return false;
        };
        if c.dispatched & bit == 0 || c.closed & bit != 0 {
            return false;
        }
        c.closed |= bit;
        if let Some(counts) = self.state.counts.get_mut(r) {
            counts.closed += 1;
        }
        true
    }

    /// The dispatches of `priority` open at recipient `r`: cases sent to
    /// it as dispatches that it has not closed, within their window on
    /// the gate's clock. A case forgotten for room no longer counts.
    pub fn open(&self, r: usize, priority: Priority) -> usize {
        self.open_counts()
            .get(r)
            .and_then(|row| row.get(priority.index()))
            .map_or(0, |&n| n as usize)
    }

    /// [`Gate::open`] of every recipient (index `i`: recipient `i`) and
    /// priority, in one walk of the table.
    pub fn open_counts(&self) -> [[u32; Priority::COUNT]; MAX_RECIPIENTS] {
        let clock = self.state.clock;
        let mut out = [[0u32; Priority::COUNT]; MAX_RECIPIENTS];
        for c in self
            .table
            .iter()
            .filter(|c| c.used && within(c.first, clock, c.window))
        {
            for (r, row) in out.iter_mut().enumerate() {
                let bit = 1u8 << r;
                if c.dispatched & bit != 0
                    && c.closed & bit == 0
                    && let Some(n) = row.get_mut(usize::from(c.priority))
                {
                    *n += 1;
                }
            }
        }
        out
    }

    /// Recipients for which a dispatch that arrived `delay` ms after its
    /// event time is late.
    fn late(&self, s: &Sighting, delay: u64) -> u8 {
        if s.action != Action::Dispatch {
            return 0;
        }
        self.config.late_after(delay) & s.recipients
    }

    /// Of the sighting's recipients, those that have their most open
    /// dispatches of its priority: a dispatch only, never priority 0, and
    /// the table is walked (once) only when one of them has a limit.
    fn full(&self, s: &Sighting) -> u8 {
        let p = s.priority.index();
        let to = s.recipients & mask();
        let limited = |r: usize| -> Option<u16> {
            let caps = self.config.max_open.get(r)?;
            caps.0
                .get(p)
                .copied()
                .flatten()
                .filter(|_| to & (1 << r) != 0)
        };
        if s.action != Action::Dispatch
            || s.priority == Priority::P0
            || !(0..MAX_RECIPIENTS).any(|r| limited(r).is_some())
        {
            return 0;
        }
        let open = self.open_counts();
        let mut full = 0;
        for (r, row) in open.iter().enumerate() {
            if let (Some(max), Some(&n)) = (limited(r), row.get(p))
                && n >= u32::from(max)
            {
                full |= 1 << r;
            }
        }
        full
    }
}

/// Recipients that exist.
const fn mask() -> u8 {
    u8::MAX >> (8 - MAX_RECIPIENTS)
}

/// Sends the case to each of `to`: an update to those that have it, the
/// case itself (through their budgets) to the others.
fn finish(
    st: &mut GateState,
    config: &GateConfig,
    s: &Sighting,
    case: &mut CaseSlot,
    (to, full, late): (u8, u8, u8),
    mut v: Verdict,
) -> Verdict {
    v.case = case.case;
    if !v.opened {
        v.previous = Some((case.last, case.last_position));
    }
    if s.time >= case.last {
        case.last = s.time;
        case.last_position = s.position;
    }
    for r in 0..MAX_RECIPIENTS {
        let bit = 1u8 << r;
        if to & bit == 0 {
            continue;
        }
        let (Some(counts), Some(buckets), Some(budgets)) = (
            st.counts.get_mut(r),
            st.buckets.get_mut(r),
            config.budgets.get(r),
        ) else {
            continue;
        };
        let has =
            case.dispatched & bit != 0 || (case.reviewed & bit != 0 && s.action == Action::Review);
        if has {
            v.update |= bit;
            counts.updates += 1;
            continue;
        }
        // Too late to intercept, or at its most open dispatches: a
        // review, and no budget spent.
        let stale = late & bit != 0;
        let held = !stale && full & bit != 0;
        let spent = !held
            && !stale
            && s.action == Action::Dispatch
            && s.priority != Priority::P0
            && budgets
                .0
                .get(s.priority.index())
                .copied()
                .flatten()
                .is_some_and(|b| {
                    buckets
                        .get_mut(s.priority.index())
                        .is_none_or(|bucket| !bucket.take(&b, st.clock))
                });
        if s.action == Action::Dispatch && !spent && !held && !stale {
            v.dispatch |= bit;
            case.dispatched |= bit;
            counts.dispatched += 1;
        } else if case.reviewed & bit != 0 {
            // Throttled again, and already under review: an update.
            v.update |= bit;
            counts.updates += 1;
        } else {
            v.review |= bit;
            case.reviewed |= bit;
            counts.reviewed += 1;
            if spent {
                v.throttled |= bit;
                counts.throttled += 1;
            }
            if held {
                v.full |= bit;
                counts.full += 1;
            }
            if stale {
                v.late |= bit;
                counts.late += 1;
            }
        }
    }
    v
}

#[cfg(test)]
mod tests;
