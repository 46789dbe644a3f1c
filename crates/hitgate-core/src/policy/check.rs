//! The matrix against itself: whether one rule takes every hit another
//! would ([`Rule::covers`]), the rules that never apply, behind one rule
//! or several ([`PolicyView::shadowed`]; [`PolicyView::shadowed_in`]
//! with the schedules' hours and the zones' shapes), and whether a
//! priority can be forwarded at all ([`PolicyView::forwards`]). Nothing
//! here decides a hit.

use super::week::{Stretches, Timeline, Week};
use super::*;
use crate::list::{ListSpec, MAX_LISTS};
use crate::place::{MAX_ZONES, Places, Zone};

impl CameraPattern {
    /// Does this pattern match every camera `other` matches?
    pub fn covers(&self, other: &Self) -> bool {
        match (self.0.strip_suffix('*'), other.0.strip_suffix('*')) {
            (Some(prefix), Some(theirs)) => theirs.starts_with(prefix),
            (Some(prefix), None) => other.0.starts_with(prefix),
            (None, None) => self.0 == other.0,
            (None, Some(_)) => false,
        }
    }
}

impl<T: Member> Set<T> {
    /// As a rule's condition (empty: any value), does this set admit every
    /// value `other` admits?
    ///
    /// ```
    /// use hitgate_core::list::Priority;
    /// use hitgate_core::policy::Set;
    ///
    /// let p01: Set<Priority> = [Priority::P0, Priority::P1].into_iter().collect();
    /// let p0: Set<Priority> = [Priority::P0].into_iter().collect();
    /// assert!(p01.covers(&p0));
    /// assert!(!p0.covers(&p01));
    /// assert!(Set::EMPTY.covers(&p01), "empty: any priority");
    /// assert!(!p01.covers(&Set::EMPTY));
    /// ```
    pub fn covers(&self, other: &Self) -> bool {
        let theirs = if other.bits == 0 { T::ALL } else { other.bits };
        self.bits == 0 || theirs & !self.bits == 0
    }
}

impl Rule {
    /// Does this rule apply to every hit `other` applies to? Then `other`,
    /// placed after it, never decides anything ([`PolicyView::shadowed`]).
    ///
    /// Judged condition by condition ([`covers_on`](Self::covers_on)), on
    /// the masks of zones and schedules: a yes is always right, while a
    /// rule covered only because of where zones lie (one inside another)
    /// or when schedules fall gets a no
    /// ([`PolicyView::shadowed_in`] weighs those).
    ///
    /// ```
    /// use hitgate_core::list::Priority;
    /// use hitgate_core::policy::{Action, Rule};
    ///
    /// let p2 = Rule::new("p2-not-local", Action::Drop).priorities(&[Priority::P2]);
    /// let p2_local = Rule::new("p2-local", Action::Dispatch)
    ///     .priorities(&[Priority::P2])
    ///     .also_local(true);
    /// assert!(p2.covers(&p2_local), "p2-local never applies after p2-not-local");
    /// assert!(!p2_local.covers(&p2));
    /// ```
    pub fn covers(&self, other: &Rule) -> bool {
        Condition::ALL.iter().all(|&c| self.covers_on(other, c))
    }

    /// Does this rule's condition `c` admit every hit `other`'s admits?
    pub fn covers_on(&self, other: &Rule, c: Condition) -> bool {
        fn either<T: PartialEq>(mine: Option<T>, theirs: Option<T>) -> bool {
            mine.is_none() || mine == theirs
        }
        // A mask of "one of these" (zones, schedules); 0: anything.
        fn one_of(mine: u64, theirs: u64) -> bool {
            mine == 0 || (theirs != 0 && theirs & !mine == 0)
        }
        match c {
            Condition::Priorities => self.priorities.covers(&other.priorities),
            Condition::Lists => self.lists.covers(&other.lists),
            Condition::AlsoLocal => either(self.also_local, other.also_local),
            Condition::Kinds => self.kinds.covers(&other.kinds),
            Condition::Cameras => {
                self.cameras.is_empty()
                    || (!other.cameras.is_empty()
                        && other
                            .cameras
                            .iter()
                            .all(|q| self.cameras.iter().any(|p| p.covers(q))))
            }
            Condition::Zones => one_of(self.zones, other.zones),
            Condition::Schedules => one_of(u64::from(self.schedules), u64::from(other.schedules)),
            Condition::Operation => either(self.operation, other.operation),
            Condition::MaxReads => match (self.max_reads, other.max_reads) {
                (None, _) => true,
                (Some(mine), Some(theirs)) => theirs <= mine,
                (Some(_), None) => false,
            },
            Condition::ReadFits => either(self.read_fits, other.read_fits),
        }
    }

    /// Could some hit meet both rules, judged on the conditions that
    /// exclude one another (a "no" is always right)?
    fn meets(&self, other: &Rule) -> bool {
        fn sets<T: Member>(a: Set<T>, b: Set<T>) -> bool {
            a.is_empty() || b.is_empty() || a.bits() & b.bits() != 0
        }
        fn same<T: PartialEq>(a: Option<T>, b: Option<T>) -> bool {
            a.is_none() || b.is_none() || a == b
        }
        let cameras = self.cameras.is_empty()
            || other.cameras.is_empty()
            || self
                .cameras
                .iter()
                .any(|p| other.cameras.iter().any(|q| p.covers(q) || q.covers(p)));
        sets(self.priorities, other.priorities)
            && sets(self.lists, other.lists)
            && same(self.also_local, other.also_local)
            && sets(self.kinds, other.kinds)
            && cameras
            && same(self.read_fits, other.read_fits)
    }
}

/// Rules of a policy by index: those that together take every hit of a
/// rule behind them ([`PolicyView::shadowed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RuleSet([u64; 4]);

impl RuleSet {
    /// Adds the rule at index `i`.
    pub fn insert(&mut self, i: u8) {
        self.0[usize::from(i / 64) % 4] |= 1 << (i % 64);
    }

    /// Is the rule in the set? (Never the fallback.)
    pub fn contains(&self, id: RuleId) -> bool {
        match id {
            RuleId::Rule(i) => self.0[usize::from(i / 64) % 4] & (1 << (i % 64)) != 0,
            RuleId::Fallback => false,
        }
    }

    /// How many rules.
    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// True when the set holds no rule.
    pub fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }

    /// The rules, in policy order.
    pub fn iter(&self) -> impl Iterator<Item = RuleId> + '_ {
        (0..=u8::MAX)
            .map(RuleId::Rule)
            .filter(|&id| self.contains(id))
    }
}

/// The most parts the search for the rules behind one rule looks at
/// before it gives up (and calls the rule live): far more than a matrix
/// of [`MAX_RULES`] needs, few enough to stay quick on a small board.
const PARTS_BUDGET: u32 = 4096;

/// The conditions a rule is cut along, each into parts that together
/// admit the hits it admits: one priority, list or kind each (an empty
/// set: every value), `also_local` and `read_fits` true and false, one
/// camera pattern, one zone, one piece of the operations' timeline or one
/// schedule (or stretch of the week) each.
const CUTS: [Condition; 9] = [
    Condition::Priorities,
    Condition::Lists,
    Condition::Kinds,
    Condition::AlsoLocal,
    Condition::ReadFits,
    Condition::Cameras,
    Condition::Zones,
    Condition::Operation,
    Condition::Schedules,
];

/// One value each of a set's (an empty set: of every value).
fn singles<T: Member>(s: Set<T>) -> impl Iterator<Item = Set<T>> {
    let all = if s.is_empty() { T::ALL } else { s.bits() };
    (0..16)
        .filter(move |b| all & (1 << b) != 0)
        .filter_map(T::from_bit)
        .map(|v| [v].into_iter().collect())
}

/// What the search knows of the places and lists the rules name: the
/// schedules' week, the operations' timeline, for each zone the zones
/// that hold it (itself included), and for each list the match kinds its
/// tolerance gives.
pub(super) struct Known {
    week: Option<Week>,
    timeline: Option<Timeline>,
    outer: Option<[u64; MAX_ZONES]>,
    kinds: Option<[u16; MAX_LISTS]>,
}

impl Known {
    /// Nothing: schedules, operations and zones judged by their masks.
    pub(super) const NOTHING: Self = Self {
        week: None,
        timeline: None,
        outer: None,
        kinds: None,
    };

    /// What `places` and `lists` tell of `rules`; what a rule names
    /// beyond the places (a schedule or zone they do not hold) is judged
    /// by its mask. With `lists` given, hits come from those lists alone.
    pub(super) fn of(rules: [&[Rule]; 2], places: &Places<'_>, lists: &[ListSpec]) -> Self {
        let named = |m: u64, n: usize| m & !(u64::MAX.checked_shl(n as u32).unwrap_or(0)) == m;
        let rules = || rules.into_iter().flatten();
        let schedules = rules().fold(0, |m, r| m | u64::from(r.schedules));
        let zones = rules().fold(0, |m, r| m | r.zones);
        let operations_named = rules().all(|r| {
            r.operation
                .is_none_or(|o| usize::from(o) < places.operations.len())
        });
        let timeline = (!places.operations.is_empty() && operations_named)
            .then(|| Timeline::new(places.operations, places.offsets))
            .flatten();
        let week = (!places.schedules.is_empty() && named(schedules, places.schedules.len()))
            .then(|| Week::new(places.schedules, timeline.as_ref()))
            .flatten();
        let outer = (!places.zones.is_empty() && named(zones, places.zones.len().min(MAX_ZONES)))
            .then(|| nesting(places.zones));
        let kinds = (!lists.is_empty()).then(|| {
            let mut kinds = [0; MAX_LISTS];
            for (k, l) in kinds.iter_mut().zip(lists) {
                let of = |on: bool, kind: MatchKind| match kind.bit() {
                    Some(b) if on => 1 << b,
                    _ => 0,
                };
                *k = of(true, MatchKind::Exact)
                    | of(l.tolerance.ocr > 0, MatchKind::Ocr)
                    | of(l.tolerance.edits > 0, MatchKind::Edit);
            }
            kinds
        });
        Self {
            week,
            timeline,
            outer,
            kinds,
        }
    }
}

/// For each zone, the mask of the zones that hold it ([`Zone::within`]).
fn nesting(zones: &[Zone]) -> [u64; MAX_ZONES] {
    let mut outer = [0; MAX_ZONES];
    let zones = zones.get(..zones.len().min(MAX_ZONES)).unwrap_or(&[]);
    for (mask, inner) in outer.iter_mut().zip(zones) {
        for (j, z) in zones.iter().enumerate() {
            if inner.within(z) {
                *mask |= 1 << j;
            }
        }
    }
    outer
}

/// A part of a rule as the search sees it: the rule; with the
/// operations' timeline known, the pieces of it the part holds (its
/// operation then says nothing more); and with the schedules' week known,
/// the stretches of it (its schedules then say nothing more), those of
/// its pieces.
#[derive(Clone)]
pub(super) struct Part {
    pub(super) rule: Rule,
    pub(super) pieces: u64,
    pub(super) when: Stretches,
}

/// The search for rules, among `before` and `also`, that together take
/// every hit a rule would: the rule is cut into parts until each part
/// lies wholly within one earlier rule, or a part no earlier rule takes
/// is found.
pub(super) struct Behind<'r> {
    before: &'r [Rule],
    also: &'r [Rule],
    week: Option<&'r Week>,
    timeline: Option<&'r Timeline>,
    outer: Option<&'r [u64; MAX_ZONES]>,
    kinds: Option<&'r [u16; MAX_LISTS]>,
    by: RuleSet,
    left: u32,
    /// With [`Behind::collecting`]: the parts no earlier rule takes, and
    /// whether there were more than it holds (or the search ran out).
    misses: Option<(heapless::Vec<Rule, MAX_MISSES>, bool)>,
}

/// The most parts no earlier rule takes that a collecting search keeps.
pub(super) const MAX_MISSES: usize = 8;

impl<'r> Behind<'r> {
    /// A search among `before` and `also`, with what `known` tells.
    pub(super) fn new(before: &'r [Rule], also: &'r [Rule], known: &'r Known) -> Self {
        Self {
            // A set names rules by a u8.
            before: before
                .get(..before.len().min(usize::from(u8::MAX) + 1))
                .unwrap_or(&[]),
            also,
            week: known.week.as_ref(),
            timeline: known.timeline.as_ref(),
            outer: known.outer.as_ref(),
            kinds: known.kinds.as_ref(),
            by: RuleSet::default(),
            left: PARTS_BUDGET,
            misses: None,
        }
    }

    /// A search that goes on past a part no earlier rule takes, and keeps
    /// those parts ([`Behind::misses`]).
    pub(super) fn collecting(mut self) -> Self {
        self.misses = Some((heapless::Vec::new(), false));
        self
    }

    /// The parts no earlier rule takes, and whether there were more.
    pub(super) fn misses(&self) -> Option<&(heapless::Vec<Rule, MAX_MISSES>, bool)> {
        self.misses.as_ref()
    }

    /// `r` is not taken: kept when collecting.
    fn miss(&mut self, r: &Part, whole: bool) -> bool {
        if let Some((kept, more)) = &mut self.misses
            && (whole || kept.push(r.rule.clone()).is_err())
        {
            *more = true;
        }
        false
    }

    /// The rule as a part: with the timeline known, the pieces it holds;
    /// with the week known, the stretches.
    pub(super) fn part(&self, r: &Rule) -> Part {
        self.part_of_both(r.clone(), r, r)
    }

    /// `both` as a part, a rule that applies where both `r` and `s` do
    /// ([`Rule::and`]): the pieces and stretches both hold.
    pub(super) fn part_of_both(&self, both: Rule, r: &Rule, s: &Rule) -> Part {
        let pieces = self
            .timeline
            .map_or(0, |t| t.of(r.operation) & t.of(s.operation));
        let when = match (self.week, self.timeline) {
            (Some(w), t) => {
                let mut when = w.of(r.schedules).and(&w.of(s.schedules));
                if let Some(t) = t {
                    when = when.and(&w.of_pieces(t, pieces));
                }
                when
            }
            (None, _) => Stretches::default(),
        };
        Part {
            rule: both,
            pieces,
            when,
        }
    }

    fn earlier(&self) -> impl Iterator<Item = &'r Rule> + 'r {
        self.before.iter().chain(self.also)
    }

    /// Does `e`'s condition `c` admit every hit `r`'s does?
    fn covers_on(&self, e: &Rule, r: &Part, c: Condition) -> bool {
        if let (Condition::Operation, Some(t)) = (c, self.timeline) {
            return r.pieces & !t.of(e.operation) == 0;
        }
        match (c, self.week, self.outer) {
            (Condition::Schedules, Some(week), _) => week.of(e.schedules).holds(&r.when),
            // Each zone of the part's within one of `e`'s.
            (Condition::Zones, _, Some(outer)) => {
                let mine = r.rule.zones;
                e.zones == 0
                    || (mine != 0
                        && (0..MAX_ZONES)
                            .filter(|z| mine & (1 << z) != 0)
                            .all(|z| outer[z] & e.zones != 0))
            }
            _ => e.covers_on(&r.rule, c),
        }
    }

    fn covers(&self, e: &Rule, r: &Part) -> bool {
        Condition::ALL.iter().all(|&c| self.covers_on(e, r, c))
    }

    /// Could some hit meet both (a "no" is always right)?
    fn meets(&self, e: &Rule, r: &Part) -> bool {
        e.meets(&r.rule)
            && self.week.is_none_or(|w| w.of(e.schedules).meets(&r.when))
            && self
                .timeline
                .is_none_or(|t| t.of(e.operation) & r.pieces != 0)
    }

    /// Into how many parts `r` is cut along `c`.
    fn parts(&self, r: &Part, c: Condition) -> u32 {
        let count = |s: u16, all: u16| if s == 0 { all } else { s }.count_ones();
        let rule = &r.rule;
        match c {
            Condition::Priorities => count(rule.priorities.bits(), Priority::ALL),
            Condition::Lists => count(rule.lists.bits(), ListId::ALL),
            Condition::Kinds => count(rule.kinds.bits(), MatchKind::ALL),
            Condition::AlsoLocal => 2 - u32::from(rule.also_local.is_some()),
            Condition::ReadFits => 2 - u32::from(rule.read_fits.is_some()),
            Condition::Cameras => rule.cameras.len() as u32,
            Condition::Zones => rule.zones.count_ones(),
            Condition::Schedules if self.week.is_some() => r.when.len(),
            Condition::Schedules => rule.schedules.count_ones(),
            Condition::Operation if self.timeline.is_some() => r.pieces.count_ones(),
            _ => 1,
        }
    }

    /// Can no hit meet `r`: with the week known, is it in force at no
    /// time (its schedules never during its operation); with the lists
    /// known, does none of the lists it takes give a kind of match it asks
    /// for? Where only some give none, the cuts that the earlier rules
    /// call for (along lists or kinds, where they are narrower) come to
    /// those parts.
    fn empty(&self, r: &Part) -> bool {
        if self.never(r) {
            return true;
        }
        let Some(kinds) = self.kinds else {
            return false;
        };
        let all = |bits: u16, all: u16| if bits == 0 { all } else { bits };
        let lists = all(r.rule.lists.bits(), ListId::ALL);
        let asked = all(r.rule.kinds.bits(), MatchKind::ALL);
        (0..MAX_LISTS).all(|l| lists & (1 << l) == 0 || kinds[l] & asked == 0)
    }

    /// Is `r` in force at no time: with the timeline known, in no piece
    /// of it (two rules' operations apart); with the week known, in no
    /// stretch (its schedules never during its operation, or two rules'
    /// schedules apart)?
    pub(super) fn never(&self, r: &Part) -> bool {
        (self.timeline.is_some() && r.pieces == 0) || (self.week.is_some() && r.when.is_empty())
    }

    /// Is every hit of `r` taken by an earlier rule (or none can come)?
    pub(super) fn taken(&mut self, r: &Part) -> bool {
        if self.left == 0 {
            return self.miss(r, true);
        }
        self.left -= 1;
        if self.empty(r) {
            return true;
        }
        if let Some(i) = self.earlier().position(|e| self.covers(e, r)) {
            if let Ok(i) = u8::try_from(i) {
                self.by.insert(i);
            }
            return true;
        }
        // Cut along a condition on which some earlier rule that may take
        // part of `r` is narrower; when there is none, no cut helps.
        let narrower = |c| {
            self.parts(r, c) > 1
                && self
                    .earlier()
                    .any(|e| self.meets(e, r) && !self.covers_on(e, r, c))
        };
        match CUTS.iter().copied().find(|&c| narrower(c)) {
            Some(c) => self.all_parts(r, c),
            None => self.miss(r, false),
        }
    }

    /// Is each part of `r` cut along `c` taken?
    fn all_parts(&mut self, r: &Part, c: Condition) -> bool {
        let (week, timeline) = (self.week, self.timeline);
        let mut part = r.clone();
        // A collecting search goes on past a part not taken.
        let mut each = |set: &mut dyn FnMut(&mut Part)| {
            set(&mut part);
            self.taken(&part) || self.misses.is_some()
        };
        let bits = |mask: u64| {
            (0..64)
                .filter(move |b| mask & (1 << b) != 0)
                .map(|b| 1 << b)
        };
        match c {
            Condition::Priorities => {
                singles(r.rule.priorities).all(|s| each(&mut |p| p.rule.priorities = s))
            }
            Condition::Lists => singles(r.rule.lists).all(|s| each(&mut |p| p.rule.lists = s)),
            Condition::Kinds => singles(r.rule.kinds).all(|s| each(&mut |p| p.rule.kinds = s)),
            Condition::AlsoLocal => [false, true]
                .into_iter()
                .all(|v| each(&mut |p| p.rule.also_local = Some(v))),
            Condition::ReadFits => [false, true]
                .into_iter()
                .all(|v| each(&mut |p| p.rule.read_fits = Some(v))),
            Condition::Cameras => r.rule.cameras.iter().all(|one| {
                each(&mut |p| {
                    p.rule.cameras.clear();
                    // Room for one: the part had as many as `r`.
                    let _ = p.rule.cameras.push(one.clone());
                })
            }),
            Condition::Zones => bits(r.rule.zones).all(|z| each(&mut |p| p.rule.zones = z)),
            Condition::Schedules if week.is_some() => {
                r.when.singles().all(|w| each(&mut |p| p.when = w))
            }
            Condition::Operation => match (timeline, week) {
                (Some(t), week) => bits(r.pieces).all(|piece| {
                    let when = week.map_or(r.when, |w| r.when.and(&w.of_pieces(t, piece)));
                    each(&mut |p| {
                        p.pieces = piece;
                        p.when = when;
                    })
                }),
                (None, _) => false,
            },
            Condition::Schedules => bits(u64::from(r.rule.schedules))
                .all(|m| each(&mut |p| p.rule.schedules = m as u16)),
            _ => false,
        }
    }
}

/// The rules among `before` that together take every hit `r` would, or
/// `None` when a hit may reach `r` (or the search ran out of parts).
fn behind(before: &[Rule], r: &Rule, known: &Known) -> Option<RuleSet> {
    let mut search = Behind::new(before, &[], known);
    let part = search.part(r);
    search.taken(&part).then_some(search.by)
}

impl<const N: usize> Policy<N> {
    /// The rules that never apply ([`PolicyView::shadowed`]).
    pub fn shadowed(&self) -> impl Iterator<Item = (RuleId, RuleSet)> + '_ {
        self.view().shadowed()
    }

    /// Whether any hit of priority `p` can be forwarded
    /// ([`PolicyView::forwards`]).
    pub fn forwards(&self, p: Priority) -> bool {
        self.view().forwards(p)
    }
}

impl<'a> PolicyView<'a> {
    /// The rules that never apply, each with the rules before it that
    /// between them take every hit it would, as `(never, by)`: a matrix's
    /// mistake, most often a general rule put before a narrower one
    /// (`p2-not-local` before a rule for priority 2 at the hotspots), or
    /// a rule for P0 and P1 after a rule for each.
    ///
    /// `by` is one rule when one suffices ([`Rule::covers`]), the first
    /// such. Otherwise the rule is cut into parts (one priority, list,
    /// match kind, camera pattern, zone, schedule or piece of the
    /// operations' windows each, `also_local` and `read_fits` either way)
    /// until each part lies within one earlier rule. A rule is named only
    /// when that is certain: one taken only by prefixes that together
    /// make a wider one is not; nor one taken only because of when
    /// schedules fall or operations are under way, where zones lie or
    /// what kinds of match the lists give, unless the places and lists
    /// are given ([`shadowed_in`](Self::shadowed_in)).
    ///
    /// ```
    /// use hitgate_core::list::Priority;
    /// use hitgate_core::policy::{Action, Policy, Rule, RuleId};
    ///
    /// let mut p: Policy = Policy::new();
    /// p.push(Rule::new("p2-not-local", Action::Drop).priorities(&[Priority::P2])).unwrap();
    /// p.push(Rule::new("p2-local", Action::Dispatch).priorities(&[Priority::P2]).also_local(true))
    ///     .unwrap();
    /// let (never, by) = p.shadowed().next().unwrap();
    /// assert_eq!(never, RuleId::Rule(1));
    /// assert_eq!(by.iter().collect::<Vec<_>>(), [RuleId::Rule(0)]);
    ///
    /// // Two rules between them.
    /// let mut p: Policy = Policy::new();
    /// p.push(Rule::new("p0", Action::Dispatch).priorities(&[Priority::P0])).unwrap();
    /// p.push(Rule::new("p1", Action::Dispatch).priorities(&[Priority::P1])).unwrap();
    /// p.push(Rule::new("p0-p1-review", Action::Review).priorities(&[Priority::P0, Priority::P1]))
    ///     .unwrap();
    /// let (never, by) = p.shadowed().next().unwrap();
    /// assert_eq!(never, RuleId::Rule(2));
    /// assert_eq!(by.iter().collect::<Vec<_>>(), [RuleId::Rule(0), RuleId::Rule(1)]);
    ///
    /// let baseline: Policy = Policy::brussels();
    /// assert!(baseline.shadowed().next().is_none());
    /// ```
    pub fn shadowed(self) -> impl Iterator<Item = (RuleId, RuleSet)> + 'a {
        self.shadowed_by(Known::NOTHING)
    }

    /// [`shadowed`](Self::shadowed), with the schedules and zones the
    /// rules name (bit `i` of a rule's mask: the `i`-th of `places`), and
    /// the unit's lists (by [`ListId`]; empty: not known).
    ///
    /// Rules for schedules that between them are in force all week (a
    /// day and a night one) then take a rule for any time: the week is
    /// cut at every minute a schedule starts or ends, as the schedules'
    /// days and local hours say. A rule for an operation is taken by a
    /// rule for an operation whose window holds its own, or for
    /// schedules in force throughout its window: the operations' windows
    /// are cut at every start and end and where the UTC offset changes
    /// within one, and each piece is weighed at the local hours it passes
    /// through (a piece a week long or longer, at every hour).
    /// A rule whose schedules are never in force during its operation
    /// never applies (`by` is then empty). A rule for a zone that lies within
    /// another ([`Zone::within`]: a hotspot's circle inside a district's
    /// polygon) is taken by a rule for the other. And with the lists
    /// given, hits come from them alone, each with the kinds of match its
    /// tolerance gives (`exact` always, `ocr` with look-alikes allowed,
    /// `edit` with edits): a rule for tolerant hits of exact lists never
    /// applies, even with no rule before it (`by` is then empty).
    ///
    /// ```
    /// use hitgate_core::list::Priority;
    /// use hitgate_core::place::{Places, Schedule};
    /// use hitgate_core::policy::{Action, Policy, Rule, RuleId};
    ///
    /// let every_day = 0x7F;
    /// let schedules = [
    ///     Schedule::new("day", every_day, 6 * 60, 22 * 60).unwrap(),
    ///     Schedule::new("night", every_day, 22 * 60, 6 * 60).unwrap(),
    /// ];
    /// let p2 = [Priority::P2];
    /// let mut p: Policy = Policy::new();
    /// let mut day = Rule::new("p2-day", Action::Review).priorities(&p2);
    /// day.schedules = 0b01;
    /// let mut night = Rule::new("p2-night", Action::Dispatch).priorities(&p2);
    /// night.schedules = 0b10;
    /// p.push(day).unwrap();
    /// p.push(night).unwrap();
    /// p.push(Rule::new("p2-local", Action::Dispatch).priorities(&p2).also_local(true)).unwrap();
    /// let places = Places {
    ///     schedules: &schedules,
    ///     ..Places::default()
    /// };
    /// let (never, by) = p.view().shadowed_in(&places, &[]).next().unwrap();
    /// assert_eq!(never, RuleId::Rule(2));
    /// assert_eq!(by.len(), 2);
    /// // Without the schedules' hours, that is not known.
    /// assert!(p.shadowed().next().is_none());
    /// ```
    pub fn shadowed_in(
        self,
        places: &Places<'_>,
        lists: &[ListSpec],
    ) -> impl Iterator<Item = (RuleId, RuleSet)> + 'a {
        self.shadowed_by(Known::of([self.rules, &[]], places, lists))
    }

    /// The rules in force at no time, whatever comes before them: their
    /// schedules never in force during their operation, with the
    /// schedules and operations of `places` weighed as
    /// [`shadowed_in`](Self::shadowed_in) weighs them. Each is among the
    /// rules `shadowed_in` names, with no rule before it.
    pub fn never_in_force(self, places: &Places<'_>) -> impl Iterator<Item = RuleId> + 'a {
        let shadowed = self.shadowed_in(places, &[]);
        shadowed
            .filter(|(_, by)| by.is_empty())
            .map(|(never, _)| never)
    }

    fn shadowed_by(self, known: Known) -> impl Iterator<Item = (RuleId, RuleSet)> + 'a {
        let rules = self.rules;
        rules.iter().enumerate().filter_map(move |(i, r)| {
            let by = behind(rules.get(..i)?, r, &known)?;
            Some((RuleId::Rule(u8::try_from(i).ok()?), by))
        })
    }

    /// Whether any hit of priority `p` can be forwarded: `false` when every
    /// rule that would dispatch or review one is, for that priority, behind
    /// rules that take its hits first (as [`shadowed`](Self::shadowed)
    /// judges it), or there is none (the fallback drops). A `true`
    /// promises nothing: the rule that forwards may ask for a camera or a
    /// zone no hit comes from.
    ///
    /// ```
    /// use hitgate_core::list::Priority;
    /// use hitgate_core::policy::{Action, Policy, Rule};
    ///
    /// let baseline: Policy = Policy::brussels();
    /// assert!(baseline.forwards(Priority::P0));
    /// assert!(!baseline.forwards(Priority::P3));
    ///
    /// let mut p: Policy = Policy::new();
    /// p.push(Rule::new("quiet-p0", Action::Drop).priorities(&[Priority::P0])).unwrap();
    /// p.push(Rule::new("all", Action::Dispatch)).unwrap();
    /// assert!(!p.forwards(Priority::P0));
    /// assert!(p.forwards(Priority::P1));
    /// ```
    pub fn forwards(&self, p: Priority) -> bool {
        self.forwards_by(p, &Known::NOTHING)
    }

    /// [`forwards`](Self::forwards), with the schedules and zones the rules
    /// name, as [`shadowed_in`](Self::shadowed_in) takes them.
    pub fn forwards_in(&self, p: Priority, places: &Places<'_>, lists: &[ListSpec]) -> bool {
        self.forwards_by(p, &Known::of([self.rules, &[]], places, lists))
    }

    fn forwards_by(&self, p: Priority, known: &Known) -> bool {
        self.rules.iter().enumerate().any(|(i, r)| {
            if r.action == Action::Drop || !(r.priorities.is_empty() || r.priorities.contains(p)) {
                return false;
            }
            let mut for_p = r.clone();
            for_p.priorities = [p].into_iter().collect();
            behind(self.rules.get(..i).unwrap_or(&[]), &for_p, known).is_none()
        })
    }
}
