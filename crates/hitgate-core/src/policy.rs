//! The decision matrix: an ordered list of rules, first match decides.
//!
//! A rule's conditions are all optional; an absent condition matches
//! anything. The built-in [`Policy::brussels`] is the baseline the Brussels
//! police zones decided on: priority 0 and 1 are dispatched, priority 2 only
//! when the plate also stands on a local list, priority 3 and 4 are dropped.
//!
//! A matrix can be checked against itself before it runs:
//! [`Policy::shadowed`] names each rule that never applies because a rule
//! before it, or several between them, take every hit it would
//! ([`Rule::covers`]; [`PolicyView::shadowed_in`] weighs the schedules'
//! hours and the zones' shapes too), and [`Policy::forwards`] says
//! whether any hit of a priority can be forwarded at all.

use core::fmt;

use crate::list::{ListId, Priority};
use crate::read::{CameraId, FOLD_KEEPS, MAX_CAMERA_LEN, ReadError};
use crate::watchlist::MatchKind;

mod check;
mod diff;
mod week;
pub use check::RuleSet;

/// The most rules a policy holds.
pub const MAX_RULES: usize = 32;
/// The longest rule name, in bytes.
pub const MAX_RULE_NAME: usize = 24;
/// The most camera patterns a rule names.
pub const MAX_RULE_CAMERAS: usize = 4;

/// What happens to a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Action {
    /// Not forwarded.
    Drop,
    /// Forwarded for analysts and investigators, not for live dispatch.
    Review,
    /// Forwarded as a live alert.
    Dispatch,
}

impl Action {
    /// Lower-case name: `drop`, `review`, `dispatch`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Drop => "drop",
            Self::Review => "review",
            Self::Dispatch => "dispatch",
        }
    }
}

/// Which rule decided: its index in the policy, or the fallback (no rule
/// matched: drop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum RuleId {
    /// The rule at this index.
    Rule(u8),
    /// No rule matched; the hit is dropped.
    Fallback,
}

impl RuleId {
    /// Index for per-rule counters: the rule index, or [`MAX_RULES`] for the
    /// fallback.
    pub fn index(self) -> usize {
        match self {
            Self::Rule(i) => usize::from(i).min(MAX_RULES),
            Self::Fallback => MAX_RULES,
        }
    }
}

/// A camera condition: an exact camera id, or a prefix ending in `*`
/// (`"mobile-*"` is every camera whose id starts with `mobile-`).
///
/// An exact id longer than [`MAX_CAMERA_LEN`] is folded as
/// [`CameraId::new`] folds the reads' ids, so a rule may name such a
/// camera. A prefix keeps at most [`MAX_CAMERA_LEN`] bytes before its `*`;
/// on cameras whose ids are folded it sees their first [`FOLD_KEEPS`]
/// bytes only, so a longer prefix never matches them (the host says so
/// when it folds a read's camera).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CameraPattern(pub heapless::String<{ MAX_CAMERA_LEN + 1 }>);

/// Why a camera pattern was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PatternError {
    /// An exact id that is no camera id.
    Camera(ReadError),
    /// The prefix before `*` is longer than [`MAX_CAMERA_LEN`] bytes.
    PrefixTooLong,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Camera(e) => e.fmt(f),
            Self::PrefixTooLong => write!(
                f,
                "a camera prefix is longer than {MAX_CAMERA_LEN} bytes before its `*`"
            ),
        }
    }
}

impl core::error::Error for PatternError {}

impl CameraPattern {
    /// A pattern from its text: a prefix ending in `*`, or one camera's id.
    pub fn new(pattern: &str) -> Result<Self, PatternError> {
        let mut s = heapless::String::new();
        if pattern.ends_with('*') {
            s.push_str(pattern)
                .map_err(|_| PatternError::PrefixTooLong)?;
        } else {
            let id = CameraId::new(pattern).map_err(PatternError::Camera)?;
            s.push_str(id.as_str())
                .map_err(|_| PatternError::Camera(ReadError::CameraTooLong))?;
        }
        Ok(Self(s))
    }

    /// The pattern as written (an exact id folded).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Does a prefix pattern reach past what a folded id keeps? Such a
    /// prefix never matches a camera whose id was folded.
    pub fn prefix_beyond_fold(&self) -> bool {
        self.0
            .strip_suffix('*')
            .is_some_and(|prefix| prefix.len() > FOLD_KEEPS)
    }
    /// Does the camera match?
    pub fn matches(&self, camera: &CameraId) -> bool {
        let p = self.0.as_str();
        match p.strip_suffix('*') {
            Some(prefix) => camera.as_str().starts_with(prefix),
            None => camera.as_str() == p,
        }
    }
}

crate::fmt::via_str!(
    CameraPattern,
    "a camera id, or a prefix ending in `*`",
    CameraPattern::new
);

/// Values a [`Set`] can hold: each has a bit number below 16.
pub trait Member: Copy {
    /// The bits of every value: what an empty set stands for in a rule
    /// (any value; see [`Set::covers`]).
    const ALL: u16 = u16::MAX;
    /// The bit of this value, or `None` when it has none.
    fn bit(self) -> Option<u32>;
    /// The value of a bit.
    fn from_bit(bit: u32) -> Option<Self>;
}

impl Member for Priority {
    const ALL: u16 = 0b1_1111;
    fn bit(self) -> Option<u32> {
        Some(u32::from(self.get()))
    }
    fn from_bit(bit: u32) -> Option<Self> {
        Priority::new(u8::try_from(bit).ok()?)
    }
}

impl Member for ListId {
    const ALL: u16 = ((1u32 << crate::list::MAX_LISTS) - 1) as u16;
    fn bit(self) -> Option<u32> {
        (self.index() < crate::list::MAX_LISTS).then_some(u32::from(self.0))
    }
    fn from_bit(bit: u32) -> Option<Self> {
        (bit < crate::list::MAX_LISTS as u32).then_some(ListId(bit as u8))
    }
}

impl Member for MatchKind {
    const ALL: u16 = 0b111;
    fn bit(self) -> Option<u32> {
        Some(match self {
            MatchKind::Exact => 0,
            MatchKind::Ocr => 1,
            MatchKind::Edit => 2,
        })
    }
    fn from_bit(bit: u32) -> Option<Self> {
        [MatchKind::Exact, MatchKind::Ocr, MatchKind::Edit]
            .get(bit as usize)
            .copied()
    }
}

/// A small set (priorities, lists, match kinds) as a bit mask: two bytes in
/// a rule, a list of values in serde formats.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Set<T> {
    bits: u16,
    _t: core::marker::PhantomData<T>,
}

impl<T: Member> Set<T> {
    /// The empty set (in a rule: any value).
    pub const EMPTY: Self = Self {
        bits: 0,
        _t: core::marker::PhantomData,
    };

    /// Adds a value (values without a bit are ignored).
    pub fn insert(&mut self, v: T) {
        if let Some(b) = v.bit() {
            self.bits |= 1 << b;
        }
    }

    /// Is the value in the set?
    pub fn contains(&self, v: T) -> bool {
        v.bit().is_some_and(|b| self.bits & (1 << b) != 0)
    }

    /// True when the set is empty.
    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    /// The bit mask: bit `b` set for the value whose bit is `b`.
    pub fn bits(&self) -> u16 {
        self.bits
    }

    /// The set of a bit mask, or `None` when a bit stands for no value.
    pub fn from_bits(bits: u16) -> Option<Self> {
        let s: Self = (0..16)
            .filter(|b| bits & (1 << b) != 0)
            .filter_map(T::from_bit)
            .collect();
        (s.bits == bits).then_some(s)
    }

    /// The values, in bit order.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        (0..16)
            .filter(|b| self.bits & (1 << b) != 0)
            .filter_map(T::from_bit)
    }
}

impl<T: Member> Default for Set<T> {
    fn default() -> Self {
        Self::EMPTY
    }
}

impl<T: Member> FromIterator<T> for Set<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut s = Self::EMPTY;
        for v in iter {
            s.insert(v);
        }
        s
    }
}

impl<T: Member + fmt::Debug> fmt::Debug for Set<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(feature = "defmt")]
impl<T: Member + defmt::Format> defmt::Format for Set<T> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=u16:#x}", self.bits)
    }
}

#[cfg(feature = "serde")]
impl<T: Member + serde::Serialize> serde::Serialize for Set<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        // postcard needs the length up front.
        let mut seq = s.serialize_seq(Some(self.bits.count_ones() as usize))?;
        for v in self.iter() {
            seq.serialize_element(&v)?;
        }
        seq.end()
    }
}

#[cfg(feature = "serde")]
impl<'de, T: Member + serde::Deserialize<'de>> serde::Deserialize<'de> for Set<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(core::marker::PhantomData<T>);
        impl<'de, T: Member + serde::Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
            type Value = Set<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Set<T>, A::Error> {
                let mut s = Set::EMPTY;
                while let Some(v) = a.next_element::<T>()? {
                    if v.bit().is_none() {
                        return Err(serde::de::Error::custom("value out of range"));
                    }
                    s.insert(v);
                }
                Ok(s)
            }
        }
        d.deserialize_seq(V(core::marker::PhantomData))
    }
}

/// One line of the decision matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Rule {
    /// Name, reported with every outcome this rule decides.
    pub name: heapless::String<MAX_RULE_NAME>,
    /// Priorities the rule applies to (empty: any).
    #[cfg_attr(feature = "serde", serde(default))]
    pub priorities: Set<Priority>,
    /// Lists the matched entry must stand on (empty: any).
    #[cfg_attr(feature = "serde", serde(default))]
    pub lists: Set<ListId>,
    /// Whether the plate must (`true`) or must not (`false`) also stand on a
    /// local list.
    #[cfg_attr(feature = "serde", serde(default))]
    pub also_local: Option<bool>,
    /// Match kinds (empty: any).
    #[cfg_attr(feature = "serde", serde(default))]
    pub kinds: Set<MatchKind>,
    /// Cameras (empty: any).
    #[cfg_attr(feature = "serde", serde(default))]
    pub cameras: heapless::Vec<CameraPattern, MAX_RULE_CAMERAS>,
    /// Zones the hit must be in, bit `i` for zone `i` of the unit's
    /// [`Places`](crate::place::Places) (0: anywhere, a hit without a
    /// position included).
    #[cfg_attr(feature = "serde", serde(default))]
    pub zones: u64,
    /// Schedules, one of which must be in force at the hit's time, bit `i`
    /// for schedule `i` (0: any time).
    #[cfg_attr(feature = "serde", serde(default))]
    pub schedules: u16,
    /// The operation the rule belongs to: outside its window the rule does
    /// not exist (`None`: always).
    #[cfg_attr(feature = "serde", serde(default))]
    pub operation: Option<u8>,
    /// The rule applies only to a passage of at most this many reads
    /// (`None`: any). `Some(1)` with the tolerant [`kinds`](Self::kinds)
    /// names the hit no method can settle: one frame that matched only
    /// with tolerance may be the listed car misread or a look-alike car
    /// (`BENCHMARKS.md`, "Hit quality"). In first-read mode every hit
    /// rests on one read.
    #[cfg_attr(feature = "serde", serde(default))]
    pub max_reads: Option<u8>,
    /// Whether the hit's plate, as read, must (`true`) or must not
    /// (`false`) spell a plate of its country's formats
    /// ([`syntax::fits`](crate::syntax::fits); `None`: either). With
    /// `max_reads = Some(1)` and the tolerant kinds, `Some(true)` leaves
    /// out of review the frame no car can carry: `1ZLLL85` for a listed
    /// `1ZLL785` is the listed car misread, not a look-alike car.
    #[cfg_attr(feature = "serde", serde(default))]
    pub read_fits: Option<bool>,
    /// The action.
    pub action: Action,
    /// Who receives what the rule forwards, bit `i` for recipient `i` of
    /// the zone gate ([`gate`](crate::gate)); a unit ignores it, and a
    /// bundle does not carry it.
    #[cfg_attr(feature = "serde", serde(default))]
    pub recipients: u8,
}

/// What a rule looks at.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// Priority of the matched entry.
    pub priority: Priority,
    /// Its list.
    pub list: ListId,
    /// Whether the plate also stands on a local list.
    pub also_local: bool,
    /// Exact, OCR-equivalent or edit.
    pub kind: MatchKind,
    /// The camera.
    pub camera: &'a CameraId,
    /// The zones the hit is in (bit `i` for zone `i`; see
    /// [`Places::zones_of`](crate::place::Places::zones_of)).
    pub zones: u64,
    /// The schedules in force at its time.
    pub schedules: u16,
    /// The operations under way at its time.
    pub operations: u16,
    /// The reads behind the hit (the passage's matched frames, as
    /// [`Hit::reads`](crate::hit::Hit::reads)).
    pub reads: u16,
    /// Whether the hit's plate, as read (or voted), spells a plate of the
    /// read's country's formats, of any known country's when the read
    /// names none (see [`syntax::fits`](crate::syntax::fits)). Not the
    /// listed entry's country: a foreign car may look like a listed
    /// Belgian plate.
    pub read_fits: bool,
}

impl Rule {
    /// A rule with no conditions.
    pub fn new(name: &str, action: Action) -> Self {
        let mut n = heapless::String::new();
        for c in name.chars() {
            if n.push(c).is_err() {
                break;
            }
        }
        Self {
            name: n,
            priorities: Set::EMPTY,
            lists: Set::EMPTY,
            also_local: None,
            kinds: Set::EMPTY,
            cameras: heapless::Vec::new(),
            zones: 0,
            schedules: 0,
            operation: None,
            max_reads: None,
            read_fits: None,
            action,
            recipients: 0,
        }
    }

    /// Sets the priorities (builder style; extra ones are ignored).
    pub fn priorities(mut self, ps: &[Priority]) -> Self {
        self.priorities = ps.iter().copied().collect();
        self
    }

    /// Sets the local-list condition.
    pub fn also_local(mut self, v: bool) -> Self {
        self.also_local = Some(v);
        self
    }

    /// The rule's tag on the wire: FNV-1a (32 bits) of its name. A hit
    /// carries its rule's index and tag, so that a zone gate running a
    /// policy whose rules are numbered otherwise still finds the rule
    /// ([`PolicyView::resolve`]).
    pub fn tag(&self) -> u32 {
        crate::read::fnv1a(crate::read::FNV_OFFSET, self.name.as_bytes())
    }

    /// Does the rule apply?
    #[inline]
    pub fn matches(&self, f: &Facts<'_>) -> bool {
        self.why_not(f).is_none()
    }

    /// The first of the rule's conditions the hit does not meet, in the
    /// order of [`Condition`]; `None`: the rule applies.
    ///
    /// ```
    /// use hitgate_core::list::{ListId, Priority};
    /// use hitgate_core::policy::{Action, Condition, Facts, Rule};
    /// use hitgate_core::read::CameraId;
    /// use hitgate_core::watchlist::MatchKind;
    ///
    /// let camera = CameraId::new("cam-01").unwrap();
    /// let hit = Facts {
    ///     priority: Priority::P2,
    ///     list: ListId(0),
    ///     also_local: false,
    ///     kind: MatchKind::Exact,
    ///     camera: &camera,
    ///     zones: 0,
    ///     schedules: 0,
    ///     operations: 0,
    ///     reads: 3,
    ///     read_fits: true,
    /// };
    /// let p2_local = Rule::new("p2-local", Action::Dispatch)
    ///     .priorities(&[Priority::P2])
    ///     .also_local(true);
    /// assert_eq!(p2_local.why_not(&hit), Some(Condition::AlsoLocal));
    /// let p0_p1 = Rule::new("p0-p1", Action::Dispatch).priorities(&[Priority::P0, Priority::P1]);
    /// assert_eq!(p0_p1.why_not(&hit), Some(Condition::Priorities));
    /// assert_eq!(Rule::new("all", Action::Drop).why_not(&hit), None);
    /// ```
    #[inline]
    pub fn why_not(&self, f: &Facts<'_>) -> Option<Condition> {
        use Condition as C;
        let under_way = |o: u8| o < 16 && f.operations & (1 << o) != 0;
        if !(self.priorities.is_empty() || self.priorities.contains(f.priority)) {
            Some(C::Priorities)
        } else if !(self.lists.is_empty() || self.lists.contains(f.list)) {
            Some(C::Lists)
        } else if self.also_local.is_some_and(|v| v != f.also_local) {
            Some(C::AlsoLocal)
        } else if !(self.kinds.is_empty() || self.kinds.contains(f.kind)) {
            Some(C::Kinds)
        } else if !(self.cameras.is_empty() || self.cameras.iter().any(|c| c.matches(f.camera))) {
            Some(C::Cameras)
        } else if !(self.zones == 0 || self.zones & f.zones != 0) {
            Some(C::Zones)
        } else if !(self.schedules == 0 || self.schedules & f.schedules != 0) {
            Some(C::Schedules)
        } else if self.operation.is_some_and(|o| !under_way(o)) {
            Some(C::Operation)
        } else if self.max_reads.is_some_and(|n| f.reads > u16::from(n)) {
            Some(C::MaxReads)
        } else if self.read_fits.is_some_and(|v| v != f.read_fits) {
            Some(C::ReadFits)
        } else {
            None
        }
    }

    /// True when the rule tests a zone, a schedule or an operation.
    pub fn uses_places(&self) -> bool {
        self.zones != 0 || self.schedules != 0 || self.operation.is_some()
    }
}

/// One of a rule's conditions ([`Rule::why_not`]), named as the policy
/// file names it ([`as_str`](Self::as_str)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Condition {
    /// [`Rule::priorities`].
    Priorities,
    /// [`Rule::lists`].
    Lists,
    /// [`Rule::also_local`].
    AlsoLocal,
    /// [`Rule::kinds`].
    Kinds,
    /// [`Rule::cameras`].
    Cameras,
    /// [`Rule::zones`].
    Zones,
    /// [`Rule::schedules`].
    Schedules,
    /// [`Rule::operation`].
    Operation,
    /// [`Rule::max_reads`].
    MaxReads,
    /// [`Rule::read_fits`].
    ReadFits,
}

impl Condition {
    /// Every condition, in the order [`Rule::why_not`] asks them.
    pub const ALL: [Condition; 10] = [
        Self::Priorities,
        Self::Lists,
        Self::AlsoLocal,
        Self::Kinds,
        Self::Cameras,
        Self::Zones,
        Self::Schedules,
        Self::Operation,
        Self::MaxReads,
        Self::ReadFits,
    ];

    /// The condition's key in a policy file's `[[rule]]`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Priorities => "priorities",
            Self::Lists => "lists",
            Self::AlsoLocal => "also_local",
            Self::Kinds => "kinds",
            Self::Cameras => "cameras",
            Self::Zones => "zones",
            Self::Schedules => "schedules",
            Self::Operation => "operation",
            Self::MaxReads => "max_reads",
            Self::ReadFits => "read_fits",
        }
    }
}

/// Why a policy was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PolicyError {
    /// More rules than the policy holds: its capacity `N` (by default
    /// [`MAX_RULES`]).
    TooManyRules(usize),
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyRules(n) => write!(f, "a policy holds at most {n} rules"),
        }
    }
}

impl core::error::Error for PolicyError {}

/// The decision matrix: at most `N` rules, in place. A [`Rule`] is about
/// 150 bytes, so the default, [`MAX_RULES`], takes 4.8 KiB; a small board
/// names a smaller `N`, as it would a `heapless::Vec`'s (a larger one does
/// not build: the counters by rule stop at [`MAX_RULES`]).
///
/// ```
/// use hitgate_core::policy::*;
/// use hitgate_core::{read::CameraId, list::ListId, watchlist::MatchKind, list::Priority};
/// let p = Policy::brussels();
/// let cam = CameraId::new("cam-1").unwrap();
/// let facts = |priority, also_local| Facts { priority, list: ListId(0), also_local, kind: MatchKind::Exact, camera: &cam, zones: 0, schedules: 0, operations: 0, reads: 2, read_fits: true };
/// assert_eq!(p.decide(&facts(Priority::P1, false)), (Action::Dispatch, RuleId::Rule(0)));
/// assert_eq!(p.decide(&facts(Priority::P2, true)), (Action::Dispatch, RuleId::Rule(1)));
/// assert_eq!(p.decide(&facts(Priority::P2, false)), (Action::Drop, RuleId::Rule(2)));
/// assert_eq!(p.decide(&facts(Priority::P4, true)), (Action::Drop, RuleId::Rule(3)));
/// // A board with room for two rules.
/// let mut small = Policy::<2>::new();
/// for r in &p.rules[..2] {
///     small.push(r.clone()).unwrap();
/// }
/// assert_eq!(small.push(p.rules[2].clone()), Err(PolicyError::TooManyRules(2)));
/// assert_eq!(small.decide(&facts(Priority::P2, true)), (Action::Dispatch, RuleId::Rule(1)));
/// assert_eq!(small.decide(&facts(Priority::P2, false)), (Action::Drop, RuleId::Fallback));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Policy<const N: usize = MAX_RULES> {
    /// The rules, in order.
    #[cfg_attr(feature = "serde", serde(default, rename = "rule"))]
    pub rules: heapless::Vec<Rule, N>,
}

impl<const N: usize> Policy<N> {
    /// `N` fits the counters by rule.
    const FITS: () = assert!(N <= MAX_RULES, "a policy holds at most MAX_RULES rules");

    /// No rules: everything falls back to drop.
    pub const fn new() -> Self {
        let () = Self::FITS;
        Self {
            rules: heapless::Vec::new(),
        }
    }

    /// Appends a rule.
    pub fn push(&mut self, rule: Rule) -> Result<(), PolicyError> {
        self.rules
            .push(rule)
            .map_err(|_| PolicyError::TooManyRules(N))
    }

    /// The rules, as a [`Unit`](crate::unit::Unit) holds them whatever the
    /// policy's capacity.
    pub fn view(&self) -> PolicyView<'_> {
        PolicyView { rules: &self.rules }
    }

    /// The first rule that applies, or the fallback (drop).
    pub fn decide(&self, facts: &Facts<'_>) -> (Action, RuleId) {
        self.view().decide(facts)
    }

    /// The recipients a rule names (none for the fallback or a rule this
    /// policy does not have).
    pub fn recipients(&self, id: RuleId) -> u8 {
        self.view().recipients(id)
    }

    /// A rule's name (`"fallback"` for the fallback).
    pub fn rule_name(&self, id: RuleId) -> &str {
        self.view().rule_name(id)
    }

    /// A rule's tag ([`Rule::tag`]; none for the fallback).
    pub fn tag(&self, id: RuleId) -> Option<u32> {
        self.view().tag(id)
    }

    /// The rule a unit's hit names, in this policy ([`PolicyView::resolve`]).
    pub fn resolve(&self, id: RuleId, tag: Option<u32>) -> Option<RuleId> {
        self.view().resolve(id, tag)
    }
}

impl Policy {
    /// The Brussels baseline (council answer of December 2025).
    pub fn brussels() -> Self {
        let mut p = Self::new();
        let rules = [
            Rule::new("p0-p1", Action::Dispatch).priorities(&[Priority::P0, Priority::P1]),
            Rule::new("p2-local", Action::Dispatch)
                .priorities(&[Priority::P2])
                .also_local(true),
            Rule::new("p2-not-local", Action::Drop).priorities(&[Priority::P2]),
            Rule::new("p3-p4", Action::Drop).priorities(&[Priority::P3, Priority::P4]),
        ];
        for r in rules {
            // Four rules always fit.
            let _ = p.push(r);
        }
        p
    }
}

/// A policy's rules, borrowed: what a [`Unit`](crate::unit::Unit) decides
/// with, whatever the capacity of the [`Policy`] it came from.
#[derive(Debug, Clone, Copy)]
pub struct PolicyView<'a> {
    rules: &'a [Rule],
}

impl<'a> PolicyView<'a> {
    /// The rules, in order.
    pub fn rules(&self) -> &'a [Rule] {
        self.rules
    }

    /// The first rule that applies, or the fallback (drop).
    pub fn decide(&self, facts: &Facts<'_>) -> (Action, RuleId) {
        for (i, r) in self.rules.iter().enumerate() {
            if r.matches(facts) {
                return (r.action, RuleId::Rule(i as u8));
            }
        }
        (Action::Drop, RuleId::Fallback)
    }

    /// [`decide`](Self::decide), rule by rule: `each` is called with every
    /// rule asked, in order, and the first of its conditions the hit does
    /// not meet ([`Rule::why_not`]; `None` for the rule that decides, the
    /// last one asked). What `hitgate explain` shows.
    ///
    /// ```
    /// use hitgate_core::list::{ListId, Priority};
    /// use hitgate_core::policy::{Action, Condition, Facts, Policy, RuleId};
    /// use hitgate_core::read::CameraId;
    /// use hitgate_core::watchlist::MatchKind;
    ///
    /// let camera = CameraId::new("cam-01").unwrap();
    /// let hit = Facts {
    ///     priority: Priority::P2,
    ///     list: ListId(0),
    ///     also_local: false,
    ///     kind: MatchKind::Exact,
    ///     camera: &camera,
    ///     zones: 0,
    ///     schedules: 0,
    ///     operations: 0,
    ///     reads: 3,
    ///     read_fits: true,
    /// };
    /// let baseline: Policy = Policy::brussels();
    /// let mut asked = Vec::new();
    /// let decided = baseline.view().explain(&hit, |i, _, why| asked.push((i, why)));
    /// assert_eq!(decided, (Action::Drop, RuleId::Rule(2)));
    /// assert_eq!(
    ///     asked,
    ///     [(0, Some(Condition::Priorities)), (1, Some(Condition::AlsoLocal)), (2, None)]
    /// );
    /// ```
    pub fn explain(
        &self,
        facts: &Facts<'_>,
        mut each: impl FnMut(usize, &Rule, Option<Condition>),
    ) -> (Action, RuleId) {
        for (i, r) in self.rules.iter().enumerate() {
            let why = r.why_not(facts);
            each(i, r, why);
            if why.is_none() {
                return (r.action, RuleId::Rule(i as u8));
            }
        }
        (Action::Drop, RuleId::Fallback)
    }

    /// The recipients a rule names (none for the fallback or a rule this
    /// policy does not have).
    pub fn recipients(&self, id: RuleId) -> u8 {
        match id {
            RuleId::Rule(i) => self.rules.get(usize::from(i)).map_or(0, |r| r.recipients),
            RuleId::Fallback => 0,
        }
    }

    /// A rule's name (`"fallback"` for the fallback).
    pub fn rule_name(&self, id: RuleId) -> &'a str {
        match id {
            RuleId::Rule(i) => self
                .rules
                .get(usize::from(i))
                .map_or("?", |r| r.name.as_str()),
            RuleId::Fallback => "fallback",
        }
    }

    /// A rule's tag ([`Rule::tag`]): none for the fallback or a rule this
    /// policy does not have.
    pub fn tag(&self, id: RuleId) -> Option<u32> {
        match id {
            RuleId::Rule(i) => self.rules.get(usize::from(i)).map(Rule::tag),
            RuleId::Fallback => None,
        }
    }

    /// The rule of this policy that a hit decided elsewhere names, by its
    /// index `id` and its [`tag`](Rule::tag): the rule at `id` when its
    /// tag is `tag`, else the rule whose tag it is (the units and this
    /// policy number their rules differently: a rule added, moved or
    /// removed since one of them was updated), else none (this policy has
    /// no rule of that name). A hit without a tag (a unit before tags) is
    /// taken at its index, none when this policy has no rule there.
    ///
    /// ```
    /// use hitgate_core::policy::{Action, Policy, Rule, RuleId};
    /// let old = Policy::brussels();
    /// // The zone puts a rule first; its units still run the old policy.
    /// let mut new: Policy = Policy::new();
    /// new.push(Rule::new("mobile-review", Action::Review)).unwrap();
    /// for r in &old.rules {
    ///     new.push(r.clone()).unwrap();
    /// }
    /// let p0_p1 = RuleId::Rule(0);
    /// assert_eq!(new.rule_name(p0_p1), "mobile-review");
    /// assert_eq!(new.resolve(p0_p1, old.tag(p0_p1)), Some(RuleId::Rule(1)));
    /// assert_eq!(new.rule_name(RuleId::Rule(1)), "p0-p1");
    /// // A rule the new policy no longer has is none of its rules.
    /// new.rules.retain(|r| r.name != "p2-local");
    /// assert_eq!(new.resolve(RuleId::Rule(1), old.tag(RuleId::Rule(1))), None);
    /// ```
    pub fn resolve(&self, id: RuleId, tag: Option<u32>) -> Option<RuleId> {
        let Some(tag) = tag else {
            // At its index, when this policy has one there.
            return match id {
                RuleId::Rule(i) if usize::from(i) >= self.rules.len() => None,
                _ => Some(id),
            };
        };
        if self.tag(id) == Some(tag) {
            return Some(id);
        }
        self.rules
            .iter()
            .position(|r| r.tag() == tag)
            .and_then(|i| u8::try_from(i).ok())
            .map(RuleId::Rule)
    }
}

#[cfg(test)]
mod tests;
