//! The matrix against itself: whether one rule takes every hit another
//! would ([`Rule::covers`]), the rules that never apply
//! ([`PolicyView::shadowed`]) and whether a priority can be forwarded at
//! all ([`PolicyView::forwards`]). Nothing here decides a hit.

use super::*;

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
    /// Judged condition by condition: a yes is always right, while a
    /// rule covered only by several rules together, or only because of
    /// where zones lie (one inside another) or when schedules fall, gets
    /// a no.
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
        fn either<T: PartialEq>(mine: Option<T>, theirs: Option<T>) -> bool {
            mine.is_none() || mine == theirs
        }
        // A mask of "one of these" (zones, schedules); 0: anything.
        fn one_of(mine: u64, theirs: u64) -> bool {
            mine == 0 || (theirs != 0 && theirs & !mine == 0)
        }
        let cameras = self.cameras.is_empty()
            || (!other.cameras.is_empty()
                && other
                    .cameras
                    .iter()
                    .all(|q| self.cameras.iter().any(|p| p.covers(q))));
        let reads = match (self.max_reads, other.max_reads) {
            (None, _) => true,
            (Some(mine), Some(theirs)) => theirs <= mine,
            (Some(_), None) => false,
        };
        self.priorities.covers(&other.priorities)
            && self.lists.covers(&other.lists)
            && either(self.also_local, other.also_local)
            && self.kinds.covers(&other.kinds)
            && cameras
            && one_of(self.zones, other.zones)
            && one_of(u64::from(self.schedules), u64::from(other.schedules))
            && either(self.operation, other.operation)
            && reads
            && either(self.read_fits, other.read_fits)
    }
}

impl<const N: usize> Policy<N> {
    /// The rules that never apply ([`PolicyView::shadowed`]).
    pub fn shadowed(&self) -> impl Iterator<Item = (RuleId, RuleId)> + '_ {
        self.view().shadowed()
    }

    /// Whether any hit of priority `p` can be forwarded
    /// ([`PolicyView::forwards`]).
    pub fn forwards(&self, p: Priority) -> bool {
        self.view().forwards(p)
    }
}

impl<'a> PolicyView<'a> {
    /// The rules that never apply, each with the first rule before it that
    /// takes every hit it would ([`Rule::covers`]), as `(never, by)`: a
    /// matrix's mistake, most often a general rule put before a narrower
    /// one (`p2-not-local` before a rule for priority 2 at the hotspots).
    ///
    /// ```
    /// use hitgate_core::list::Priority;
    /// use hitgate_core::policy::{Action, Policy, Rule, RuleId};
    ///
    /// let mut p: Policy = Policy::new();
    /// p.push(Rule::new("p2-not-local", Action::Drop).priorities(&[Priority::P2])).unwrap();
    /// p.push(Rule::new("p2-local", Action::Dispatch).priorities(&[Priority::P2]).also_local(true))
    ///     .unwrap();
    /// assert_eq!(p.shadowed().collect::<Vec<_>>(), [(RuleId::Rule(1), RuleId::Rule(0))]);
    /// let baseline: Policy = Policy::brussels();
    /// assert!(baseline.shadowed().next().is_none());
    /// ```
    pub fn shadowed(self) -> impl Iterator<Item = (RuleId, RuleId)> + 'a {
        let rules = self.rules;
        rules.iter().enumerate().filter_map(move |(i, r)| {
            let by = rules.get(..i)?.iter().position(|e| e.covers(r))?;
            Some((RuleId::Rule(i as u8), RuleId::Rule(by as u8)))
        })
    }

    /// Whether any hit of priority `p` can be forwarded: `false` when every
    /// rule that would dispatch or review one is, for that priority, behind
    /// a rule that drops it first ([`Rule::covers`]), or there is none (the
    /// fallback drops). A `true` promises nothing: the rule that forwards
    /// may ask for a camera or a zone no hit comes from.
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
        self.rules.iter().enumerate().any(|(i, r)| {
            if r.action == Action::Drop || !(r.priorities.is_empty() || r.priorities.contains(p)) {
                return false;
            }
            let mut for_p = r.clone();
            for_p.priorities = [p].into_iter().collect();
            let before = self.rules.get(..i).unwrap_or(&[]);
            !before.iter().any(|e| e.covers(&for_p))
        })
    }
}
