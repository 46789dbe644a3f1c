//! Two matrices side by side: which hits one decides otherwise than the
//! other ([`PolicyView::changes`]), worked out from the rules alone, for
//! a working group to see what an edit does before any traffic is
//! replayed under it.

use super::check::{Behind, Known};
use super::*;
use crate::list::ListSpec;
use crate::place::Places;

impl Rule {
    /// A rule that applies to every hit both this rule and `other` apply
    /// to, named as this one; `None` when no hit can meet both.
    ///
    /// Exact on priorities, lists, match kinds, `also_local`, cameras,
    /// `max_reads` and `read_fits`. Where one condition cannot say both
    /// (two rules' zones, schedules or operations, or more camera
    /// patterns than a rule holds), it keeps this rule's, and so applies
    /// to more hits than both rules do.
    ///
    /// ```
    /// use hitgate_core::list::Priority;
    /// use hitgate_core::policy::{Action, Rule};
    ///
    /// let p12 = Rule::new("p1-p2", Action::Dispatch).priorities(&[Priority::P1, Priority::P2]);
    /// let p23 = Rule::new("p2-p3", Action::Drop).priorities(&[Priority::P2, Priority::P3]);
    /// let both = p12.and(&p23).unwrap();
    /// assert_eq!(both.priorities.iter().collect::<Vec<_>>(), [Priority::P2]);
    /// let p0 = Rule::new("p0", Action::Drop).priorities(&[Priority::P0]);
    /// assert!(p12.and(&p0).is_none());
    /// ```
    pub fn and(&self, other: &Rule) -> Option<Rule> {
        fn set<T: Member>(a: Set<T>, b: Set<T>) -> Option<Set<T>> {
            match (a.is_empty(), b.is_empty()) {
                (true, _) => Some(b),
                (_, true) => Some(a),
                _ => Set::from_bits(a.bits() & b.bits()).filter(|s| !s.is_empty()),
            }
        }
        fn same<T: PartialEq + Copy>(a: Option<T>, b: Option<T>) -> Option<Option<T>> {
            match (a, b) {
                (Some(x), Some(y)) if x != y => None,
                _ => Some(a.or(b)),
            }
        }
        // A mask of "one of these": the other's when this rule has none.
        fn mask<T: PartialEq + Default + Copy>(a: T, b: T) -> T {
            if a == T::default() { b } else { a }
        }
        let mut r = self.clone();
        r.priorities = set(self.priorities, other.priorities)?;
        r.lists = set(self.lists, other.lists)?;
        r.also_local = same(self.also_local, other.also_local)?;
        r.kinds = set(self.kinds, other.kinds)?;
        r.read_fits = same(self.read_fits, other.read_fits)?;
        r.max_reads = match (self.max_reads, other.max_reads) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        r.zones = mask(self.zones, other.zones);
        r.schedules = mask(self.schedules, other.schedules);
        r.operation = self.operation.or(other.operation);
        r.cameras = match (self.cameras.is_empty(), other.cameras.is_empty()) {
            (true, _) => other.cameras.clone(),
            (_, true) => self.cameras.clone(),
            _ => {
                // Each pair's common cameras: the narrower pattern, where
                // one holds the other (two prefixes, or a prefix and an
                // id, share cameras only so).
                let mut common = heapless::Vec::<CameraPattern, MAX_RULE_CAMERAS>::new();
                let pairs = self
                    .cameras
                    .iter()
                    .flat_map(|p| other.cameras.iter().map(move |q| (p, q)));
                let mut wide = false;
                for (p, q) in pairs {
                    let narrower = if p.covers(q) {
                        q
                    } else if q.covers(p) {
                        p
                    } else {
                        continue;
                    };
                    if !common.contains(narrower) && common.push(narrower.clone()).is_err() {
                        wide = true;
                    }
                }
                if common.is_empty() {
                    return None;
                }
                if wide { self.cameras.clone() } else { common }
            }
        };
        Some(r)
    }
}

impl<'a> PolicyView<'a> {
    /// Each pair of rules, this matrix's `a` and `b`'s `b`
    /// ([`RuleId::Fallback`] for either's fallback), that may decide one
    /// hit otherwise (another action, or forwarded to other recipients,
    /// by bit as both matrices number them), put to `each` with those
    /// hits: the parts of the hits both take ([`Rule::and`]) that no rule
    /// before either takes, as the search cut them (one zone, one
    /// priority...), or, when there are more than eight such parts, the
    /// hits both take, of which the changed ones are those no rule before
    /// either takes. A part's schedules are its rules' even where the
    /// search cut the week finer. The places and lists are those of
    /// [`shadowed_in`](Self::shadowed_in), shared by both matrices (the
    /// same lists, zones, schedules and operations, by index).
    ///
    /// A pair not given decides no hit otherwise: that is certain. A pair
    /// given may decide none, where only the geometry of zones or
    /// prefixes that together make a wider one keep its hits away, or
    /// where [`Rule::and`] keeps one rule's condition for both (its
    /// schedules and operation are weighed as both rules', with the
    /// places given).
    ///
    /// ```
    /// use hitgate_core::list::Priority;
    /// use hitgate_core::place::Places;
    /// use hitgate_core::policy::{Action, Policy, Rule, RuleId};
    ///
    /// let before: Policy = Policy::brussels();
    /// let mut after: Policy = Policy::new();
    /// // Priority 2 on a local list, reviewed instead of dispatched.
    /// for r in before.rules.iter() {
    ///     let mut r = r.clone();
    ///     if r.name == "p2-local" {
    ///         r.action = Action::Review;
    ///     }
    ///     after.push(r).unwrap();
    /// }
    /// let mut changed = Vec::new();
    /// before.view().changes(after.view(), &Places::default(), &[], |a, b, _| changed.push((a, b)));
    /// assert_eq!(changed, [(RuleId::Rule(1), RuleId::Rule(1))]);
    /// ```
    pub fn changes(
        self,
        b: PolicyView<'_>,
        places: &Places<'_>,
        lists: &[ListSpec],
        mut each: impl FnMut(RuleId, RuleId, &[Rule]),
    ) {
        let known = Known::of([self.rules, b.rules], places, lists);
        // Each matrix with its fallback, a rule for any hit, last.
        let fallback = Rule::new("otherwise", Action::Drop);
        let (ra, rb) = (self.rules, b.rules);
        for i in 0..=ra.len() {
            let (r, id_a) = match ra.get(i) {
                Some(r) => (r, u8::try_from(i).map_or(RuleId::Fallback, RuleId::Rule)),
                None => (&fallback, RuleId::Fallback),
            };
            for j in 0..=rb.len() {
                let (s, id_b) = match rb.get(j) {
                    Some(s) => (s, u8::try_from(j).map_or(RuleId::Fallback, RuleId::Rule)),
                    None => (&fallback, RuleId::Fallback),
                };
                if r.action == s.action
                    && (r.action == Action::Drop || r.recipients == s.recipients)
                {
                    continue;
                }
                let Some(both) = r.and(s) else { continue };
                let mut search =
                    Behind::new(ra.get(..i).unwrap_or(ra), rb.get(..j).unwrap_or(rb), &known)
                        .collecting();
                let part = search.part_of_both(both.clone(), r, s);
                if search.never(&part) {
                    continue;
                }
                let taken = search.taken(&part);
                match search.misses() {
                    Some((missed, false)) if taken && missed.is_empty() => {}
                    // Not too many parts: those.
                    Some((missed, false)) => each(id_a, id_b, missed),
                    _ => each(id_a, id_b, core::slice::from_ref(&both)),
                }
            }
        }
    }
}
