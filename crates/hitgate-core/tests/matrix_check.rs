//! The matrix check (`Rule::covers`, `PolicyView::shadowed`,
//! `PolicyView::forwards`) against its definition, by brute force: every
//! hit of a small world of facts is put to the rules.
//!
//! The world holds a witness for every way one rule can reach past
//! another (a camera `cx` for `c*` past `cam-*`, a list no rule names, a
//! hit of more reads than any `max_reads`, one in two zones), so on it
//! "rule B applies to no hit rule A does not" is exactly `A.covers(B)`.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use hitgate_core::distance::Tolerance;
use hitgate_core::list::{ListId, ListSpec, Priority};
use hitgate_core::place::Places;
use hitgate_core::policy::{
    Action, CameraPattern, Condition, Facts, Policy, Rule, RuleId, RuleSet, Set,
};
use hitgate_core::read::CameraId;
use hitgate_core::watchlist::MatchKind;
use proptest::prelude::*;

#[path = "common/matrix.rs"]
mod common;
use common::reached_behind;

const PATTERNS: [&str; 6] = ["cam-1", "cam-2", "cam-*", "mobile-*", "mobile-1", "c*"];
const CAMERAS: [&str; 7] = [
    "cam-1", "cam-2", "cam-3", "mobile-1", "mobile-2", "cx", "other",
];
const KINDS: [MatchKind; 3] = [MatchKind::Exact, MatchKind::Ocr, MatchKind::Edit];

fn priority(p: u8) -> Priority {
    Priority::new(p).unwrap()
}

/// Every hit of the world with priority `only` (every priority: `None`),
/// put to `f`.
fn each_fact(only: Option<u8>, mut f: impl FnMut(&Facts<'_>)) {
    let cameras: Vec<CameraId> = CAMERAS.iter().map(|c| CameraId::new(c).unwrap()).collect();
    for p in (0..5u8).filter(|p| only.is_none_or(|o| o == *p)) {
        for list in 0..4u8 {
            for also_local in [false, true] {
                for kind in KINDS {
                    for camera in &cameras {
                        for zones in 0..4u64 {
                            for schedules in 0..4u16 {
                                for operations in 0..4u16 {
                                    for reads in 1..=3u16 {
                                        for read_fits in [false, true] {
                                            f(&Facts {
                                                priority: priority(p),
                                                list: ListId(list),
                                                also_local,
                                                kind,
                                                camera,
                                                zones,
                                                schedules,
                                                operations,
                                                reads,
                                                read_fits,
                                            });
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A set of the values whose bits are in `mask` (bit `i`: `all[i]`).
fn set_of<T: hitgate_core::policy::Member>(mask: u8, all: &[T]) -> Set<T> {
    all.iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, &v)| v)
        .collect()
}

/// One rule of the small world, from numbers a strategy draws.
#[allow(clippy::type_complexity)]
fn rule(
    (name, prios, lists, local, kinds, cams): (u8, u8, u8, u8, u8, u8),
    (zones, schedules, operation, max_reads, fits, action): (u8, u8, u8, u8, u8, u8),
) -> Rule {
    let action = [Action::Drop, Action::Review, Action::Dispatch][usize::from(action % 3)];
    let mut r = Rule::new(&format!("r{name}"), action);
    r.priorities = set_of(prios, &[0, 1, 2, 3, 4].map(priority));
    r.lists = set_of(lists, &[ListId(0), ListId(1), ListId(2)]);
    r.also_local = [None, Some(false), Some(true)][usize::from(local % 3)];
    r.kinds = set_of(kinds, &KINDS);
    for (i, p) in PATTERNS.iter().enumerate() {
        if cams & (1 << i) != 0 && r.cameras.len() < 2 {
            r.cameras.push(CameraPattern::new(p).unwrap()).unwrap();
        }
    }
    r.zones = u64::from(zones % 4);
    r.schedules = u16::from(schedules % 4);
    r.operation = [None, Some(0), Some(1)][usize::from(operation % 3)];
    r.max_reads = [None, Some(1), Some(2)][usize::from(max_reads % 3)];
    r.read_fits = [None, Some(false), Some(true)][usize::from(fits % 3)];
    r
}

/// Rules of the small world: most conditions left out, as a matrix's
/// rules leave most out, so that one rule often covers another.
fn rules() -> impl Strategy<Value = Rule> {
    // Each condition absent half the time (0), else drawn.
    let sparse = |bits: u8| prop_oneof![Just(0u8), 0..bits];
    (
        (
            any::<u8>(),
            sparse(32),
            sparse(8),
            sparse(3),
            sparse(8),
            sparse(64),
        ),
        (
            sparse(4),
            sparse(4),
            sparse(3),
            sparse(3),
            sparse(3),
            any::<u8>(),
        ),
    )
        .prop_map(|(a, b)| rule(a, b))
}

/// A rule and a narrowing of it (each condition kept, or drawn anew), so
/// that covering pairs are common.
fn pairs() -> impl Strategy<Value = (Rule, Rule)> {
    (rules(), rules(), any::<u16>()).prop_map(|(a, b, keep)| {
        let mut c = b.clone();
        for (i, &cond) in CONDITIONS.iter().enumerate() {
            if keep & (1 << i) != 0 {
                take(&mut c, cond, &a);
            }
        }
        (a, c)
    })
}

/// `r` cut along `c` into parts that together admit what it admits, the
/// values spread over the parts by `seed`. A condition `r` leaves out
/// is cut over every value (lists 3 to 15 kept together, as the world's
/// list 3 stands for them all); one without values to spread gives `r`
/// alone.
fn cut(r: &Rule, c: Condition, seed: u32) -> Vec<Rule> {
    // The values in `tie` go together, to the part of the lowest.
    fn spread<T: hitgate_core::policy::Member>(s: Set<T>, seed: u32, tie: u16) -> Vec<Set<T>> {
        let bits = if s.is_empty() { T::ALL } else { s.bits() };
        let mut parts: Vec<u16> = vec![0; 3];
        let lowest = tie.trailing_zeros();
        for b in (0..16).filter(|b| bits & (1 << b) != 0) {
            let by = if tie & (1 << b) != 0 { lowest } else { b };
            parts[(seed >> (2 * by)) as usize % 3] |= 1 << b;
        }
        let sets = parts.into_iter().filter(|&p| p != 0);
        sets.map(|p| Set::from_bits(p).unwrap()).collect()
    }
    let masks = |m: u64| -> Vec<u64> { (0..4).map(|b| 1u64 << b).filter(|b| m & b != 0).collect() };
    let mut parts = Vec::new();
    let mut part = |f: &dyn Fn(&mut Rule)| {
        let mut p = r.clone();
        f(&mut p);
        parts.push(p);
    };
    match c {
        Condition::Priorities => spread(r.priorities, seed, 0)
            .into_iter()
            .for_each(|v| part(&|p| p.priorities = v)),
        // The world's list 3 stands for every list no rule of it names.
        Condition::Lists => spread(r.lists, seed, 0xfff8)
            .into_iter()
            .for_each(|v| part(&|p| p.lists = v)),
        Condition::Kinds => spread(r.kinds, seed, 0)
            .into_iter()
            .for_each(|v| part(&|p| p.kinds = v)),
        Condition::AlsoLocal if r.also_local.is_none() => [false, true]
            .into_iter()
            .for_each(|v| part(&|p| p.also_local = Some(v))),
        Condition::ReadFits if r.read_fits.is_none() => [false, true]
            .into_iter()
            .for_each(|v| part(&|p| p.read_fits = Some(v))),
        Condition::Cameras if r.cameras.len() > 1 => r.cameras.iter().for_each(|c| {
            part(&|p| {
                p.cameras.clear();
                p.cameras.push(c.clone()).unwrap();
            })
        }),
        Condition::Zones => masks(r.zones)
            .into_iter()
            .for_each(|z| part(&|p| p.zones = z)),
        Condition::Schedules => masks(r.schedules.into())
            .into_iter()
            .for_each(|z| part(&|p| p.schedules = z as u16)),
        _ => part(&|_| {}),
    }
    if parts.is_empty() {
        parts.push(r.clone());
    }
    parts
}

/// Policies whose last rule lies, part by part, within the rules before
/// it as often as not: it is cut along one condition, one part cut again
/// along another, each part widened on a few conditions (it still holds
/// its share) or, one time in three, one part left out (then a hit may
/// reach the rule).
fn hidden_behind_several() -> impl Strategy<Value = Vec<Rule>> {
    // Every condition but the operation and `max_reads`, which are not
    // cut into parts.
    let cuts: Vec<Condition> = CONDITIONS
        .into_iter()
        .filter(|c| !matches!(c, Condition::Operation | Condition::MaxReads))
        .collect();
    (
        rules(),
        (0..8usize, 0..8usize),
        any::<(u32, u32, u32, u8)>(),
    )
        .prop_map(move |(mut r, (c1, c2), (s1, s2, widen, drop))| {
            // Cameras, zones and schedules to cut, when cut along.
            for c in [cuts[c1], cuts[c2]] {
                match c {
                    Condition::Zones => r.zones = 0b11,
                    Condition::Schedules => r.schedules = 0b11,
                    Condition::Cameras if r.cameras.len() < 2 => {
                        r.cameras.clear();
                        for p in ["cam-*", "mobile-1"] {
                            r.cameras.push(CameraPattern::new(p).unwrap()).unwrap();
                        }
                    }
                    _ => {}
                }
            }
            let mut parts = cut(&r, cuts[c1], s1);
            let again = cut(&parts[0], cuts[c2], s2);
            parts.splice(0..1, again);
            let mut rs: Vec<Rule> = Vec::new();
            let n = parts.len();
            for (k, p) in parts.into_iter().enumerate() {
                if drop % 3 == 0 && usize::from(drop / 3) % n == k {
                    continue;
                }
                // Each condition with a chance of one in four.
                let k = k as u32;
                let mask = widen.rotate_left(7 * k) & widen.rotate_left(7 * k + 13);
                let wide = CONDITIONS
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .fold(p, |p, (_, &c)| without(&p, c));
                rs.push(wide);
            }
            rs.truncate(8);
            rs.push(r);
            rs
        })
}

/// Does `b` apply to no hit of the world that `a` does not?
fn reference_covers(a: &Rule, b: &Rule) -> bool {
    let mut covered = true;
    each_fact(None, |f| covered &= !b.matches(f) || a.matches(f));
    covered
}

/// The conditions, in the order `Rule::why_not` asks them.
const CONDITIONS: [Condition; 10] = [
    Condition::Priorities,
    Condition::Lists,
    Condition::AlsoLocal,
    Condition::Kinds,
    Condition::Cameras,
    Condition::Zones,
    Condition::Schedules,
    Condition::Operation,
    Condition::MaxReads,
    Condition::ReadFits,
];

/// Sets `into`'s condition `c` to `from`'s.
fn take(into: &mut Rule, c: Condition, from: &Rule) {
    match c {
        Condition::Priorities => into.priorities = from.priorities,
        Condition::Lists => into.lists = from.lists,
        Condition::AlsoLocal => into.also_local = from.also_local,
        Condition::Kinds => into.kinds = from.kinds,
        Condition::Cameras => into.cameras = from.cameras.clone(),
        Condition::Zones => into.zones = from.zones,
        Condition::Schedules => into.schedules = from.schedules,
        Condition::Operation => into.operation = from.operation,
        Condition::MaxReads => into.max_reads = from.max_reads,
        Condition::ReadFits => into.read_fits = from.read_fits,
        _ => unreachable!("a condition this test does not know"),
    }
}

/// `r` with condition `c` left out (any value).
fn without(r: &Rule, c: Condition) -> Rule {
    let mut r = r.clone();
    take(&mut r, c, &Rule::new("any", Action::Drop));
    r
}

/// `r` with every condition but `c` left out.
fn only(r: &Rule, c: Condition) -> Rule {
    CONDITIONS
        .iter()
        .filter(|&&d| d != c)
        .fold(r.clone(), |r, &d| without(&r, d))
}

/// One hit of the world, from numbers a strategy draws.
fn fact_in(
    cameras: &[CameraId],
    (p, list, local, kind, camera): (u8, u8, bool, usize, usize),
    (zones, schedules, operations, reads, read_fits): (u64, u16, u16, u16, bool),
) -> Facts<'_> {
    Facts {
        priority: priority(p),
        list: ListId(list),
        also_local: local,
        kind: KINDS[kind],
        camera: &cameras[camera],
        zones,
        schedules,
        operations,
        reads,
        read_fits,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn explain_asks_the_rules_in_order_and_names_a_condition_the_hit_fails(
        rs in prop::collection::vec(rules(), 1..6),
        a in (0..5u8, 0..4u8, any::<bool>(), 0..3usize, 0..CAMERAS.len()),
        b in (0..4u64, 0..4u16, 0..4u16, 1..=3u16, any::<bool>()),
    ) {
        let cameras: Vec<CameraId> = CAMERAS.iter().map(|c| CameraId::new(c).unwrap()).collect();
        let f = fact_in(&cameras, a, b);
        let mut policy: Policy = Policy::new();
        for r in rs {
            policy.push(r).unwrap();
        }
        let mut asked = Vec::new();
        let decided = policy.view().explain(&f, |i, r, why| asked.push((i, r.clone(), why)));
        prop_assert_eq!(decided, policy.decide(&f));
        let last = match decided.1 {
            RuleId::Rule(i) => usize::from(i),
            RuleId::Fallback => policy.rules.len() - 1,
        };
        prop_assert_eq!(asked.len(), last + 1);
        for (k, (i, r, why)) in asked.iter().enumerate() {
            prop_assert_eq!(*i, k);
            prop_assert_eq!(r, &policy.rules[k]);
            match why {
                None => prop_assert!(r.matches(&f) && decided.1 == RuleId::Rule(k as u8)),
                Some(c) => {
                    // The condition alone turns the hit down, and without
                    // it the rule applies or fails on a later one.
                    prop_assert!(!only(r, *c).matches(&f), "{:?} alone holds", c);
                    let rank = |c: Condition| CONDITIONS.iter().position(|&d| d == c);
                    match without(r, *c).why_not(&f) {
                        None => {}
                        Some(d) => prop_assert!(rank(d) > rank(*c), "{:?} before {:?}", d, c),
                    }
                }
            }
        }
    }

    #[test]
    fn a_rule_covers_another_exactly_when_it_takes_every_hit_the_other_would((a, b) in pairs()) {
        prop_assert_eq!(a.covers(&b), reference_covers(&a, &b), "{:?} over {:?}", a, b);
    }
}

proptest! {
    // Each case puts a world of 322,560 hits to a policy; the cuts that
    // matter (a part left out, zones cut) come one case in a few dozen.
    #![proptest_config(ProptestConfig::with_cases(160))]

    #[test]
    fn a_priority_is_said_never_forwarded_exactly_when_none_is(
        rs in prop::collection::vec(rules(), 1..5),
        p in 0..5u8,
    ) {
        let policy = policy_of(rs);
        let mut forwarded = false;
        each_fact(Some(p), |f| forwarded |= policy.decide(f).0 != Action::Drop);
        prop_assert_eq!(policy.forwards(priority(p)), forwarded, "P{} by {:?}", p, policy);
    }

    #[test]
    fn a_rule_is_said_never_to_apply_exactly_when_it_decides_no_hit(
        rs in prop_oneof![prop::collection::vec(rules(), 1..6), hidden_behind_several()],
    ) {
        let policy = policy_of(rs);
        let mut decides = vec![false; policy.rules.len()];
        each_fact(None, |f| {
            if let RuleId::Rule(i) = policy.decide(f).1 {
                decides[usize::from(i)] = true;
            }
        });
        let shadowed: Vec<(RuleId, RuleSet)> = policy.shadowed().collect();
        for (never, by) in &shadowed {
            let i = never.index();
            prop_assert!(!decides[i], "{:?} (behind {:?}) decided a hit", never, by);
            // Those named come before it, and they alone keep every hit
            // from it.
            prop_assert!(!by.is_empty() && by.iter().all(|b| b.index() < i));
            let reached = reached_behind(&policy, by, i, |f| each_fact(None, f));
            prop_assert!(!reached, "{:?} reached behind {:?} alone", never, by);
        }
        // And every rule that decides no hit of the world is named: the
        // world holds a witness past each condition, as above, so a rule
        // reached by none lies within the rules before it part by part.
        for (i, d) in decides.iter().enumerate() {
            let named = shadowed.iter().any(|(n, _)| n.index() == i);
            prop_assert_eq!(named, !d, "rule {} in {:?}", i, policy);
        }
    }
}

proptest! {
    // As above, on a world whose four lists give only the kinds of match
    // their tolerance allows (an exact list no ocr or edit hit).
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn with_the_lists_a_rule_is_said_never_to_apply_exactly_when_it_decides_no_hit(
        rs in prop_oneof![prop::collection::vec(rules(), 1..6), hidden_behind_several()],
        tolerances in prop::collection::vec((0..2u8, 0..2u8), 4),
        p in 0..5u8,
    ) {
        let policy = policy_of(rs);
        let specs: Vec<ListSpec> = tolerances
            .iter()
            .map(|&(ocr, edits)| ListSpec {
                tolerance: Tolerance { ocr, edits, min_len: 3 },
                local: false,
                evidence: None,
            })
            .collect();
        let gives = |f: &Facts<'_>| {
            let t = specs[usize::from(f.list.0)].tolerance;
            match f.kind {
                MatchKind::Exact => true,
                MatchKind::Ocr => t.ocr > 0,
                MatchKind::Edit => t.edits > 0,
            }
        };
        let world = |only: Option<u8>, g: &mut dyn FnMut(&Facts<'_>)| {
            each_fact(only, |f| if gives(f) { g(f) })
        };
        let mut decides = vec![false; policy.rules.len()];
        world(None, &mut |f| {
            if let RuleId::Rule(i) = policy.decide(f).1 {
                decides[usize::from(i)] = true;
            }
        });
        let places = Places::default();
        let shadowed: Vec<(RuleId, RuleSet)> = policy.view().shadowed_in(&places, &specs).collect();
        for (i, d) in decides.iter().enumerate() {
            let named = shadowed.iter().find(|(n, _)| n.index() == i);
            prop_assert_eq!(named.is_some(), !d, "rule {} in {:?} on {:?}", i, policy, tolerances);
            if let Some((_, by)) = named {
                let reached = reached_behind(&policy, by, i, |g| world(None, g));
                prop_assert!(!reached, "rule {} reached behind {:?} alone", i, by);
            }
        }
        let mut forwarded = false;
        world(Some(p), &mut |f| forwarded |= policy.decide(f).0 != Action::Drop);
        let said = policy.view().forwards_in(priority(p), &places, &specs);
        prop_assert_eq!(said, forwarded, "P{} by {:?} on {:?}", p, policy, tolerances);
    }
}

/// Two matrices, the second most often the first edited as a working
/// group edits one: a rule's action changed, two rules swapped, a rule
/// put in or taken out; now and then another matrix altogether. With
/// `plain`, no rule names a zone, schedule or operation.
fn edited_pairs() -> impl Strategy<Value = (Vec<Rule>, Vec<Rule>, bool)> {
    (
        prop::collection::vec(rules(), 1..5),
        rules(),
        (0..5u8, any::<usize>(), any::<usize>()),
        prop::collection::vec(rules(), 1..5),
        any::<bool>(),
    )
        .prop_map(|(a, new, (edit, i, j), other, plain)| {
            let mut b = a.clone();
            let (i, j) = (i % b.len(), j % b.len());
            match edit {
                0 if j % 2 == 0 => b[i].recipients = (b[i].recipients + 1) % 4,
                0 => {
                    b[i].action = match b[i].action {
                        Action::Drop => Action::Dispatch,
                        Action::Dispatch => Action::Review,
                        Action::Review => Action::Drop,
                    }
                }
                1 => b.swap(i, j),
                2 => b.insert(i, new),
                3 if b.len() > 1 => {
                    b.remove(i);
                }
                _ => b = other,
            }
            let strip = |rs: &mut Vec<Rule>| {
                for r in rs.iter_mut().filter(|_| plain) {
                    (r.zones, r.schedules, r.operation) = (0, 0, None);
                }
            };
            let (mut a, mut b) = (a, b);
            strip(&mut a);
            strip(&mut b);
            (a, b, plain)
        })
}

proptest! {
    // Each case puts the world to both matrices twice.
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `Rule::and` applies to every hit both rules apply to, to none when
    /// it says none can meet both, and, without zones, schedules or
    /// operations on both sides, to those alone.
    #[test]
    fn a_rule_for_the_hits_of_both_takes_them_all((a, b) in pairs(), c in rules()) {
        for (x, y) in [(&a, &b), (&a, &c)] {
            let both = x.and(y);
            let placed = |r: &Rule| r.zones != 0 || r.schedules != 0 || r.operation.is_some();
            let exact = !(placed(x) && placed(y));
            each_fact(None, |f| {
                let want = x.matches(f) && y.matches(f);
                match &both {
                    None => assert!(!want, "{x:?} and {y:?} meet at {f:?}"),
                    Some(r) if want => assert!(r.matches(f), "{r:?} misses {f:?}"),
                    Some(r) => assert!(!exact || !r.matches(f), "{r:?} takes {f:?}"),
                }
            });
        }
    }

    /// Every pair of rules that decides a hit of the world with other
    /// actions under the two matrices is said, with parts that hold each
    /// such hit; and with no zone, schedule or operation (which
    /// `Rule::and` cannot always put together), only those pairs are.
    #[test]
    fn the_changes_between_two_matrices_are_those_of_every_hit((a, b, plain) in edited_pairs()) {
        let (a, b) = (policy_of(a), policy_of(b));
        let mut occur = std::collections::BTreeSet::new();
        each_fact(None, |f| {
            let (x, y) = (a.decide(f), b.decide(f));
            if otherwise(&a, x, &b, y) {
                occur.insert((x.1, y.1));
            }
        });
        let mut said = std::collections::BTreeMap::new();
        a.view().changes(b.view(), &Places::default(), &[], |x, y, parts| {
            said.insert((x, y), parts.to_vec());
        });
        // Each hit decided otherwise lies in a part given for its rules.
        each_fact(None, |f| {
            let (x, y) = (a.decide(f), b.decide(f));
            if otherwise(&a, x, &b, y) {
                let parts = said.get(&(x.1, y.1));
                assert!(
                    parts.is_some_and(|p| p.iter().any(|r| r.matches(f))),
                    "{f:?} by {x:?} and {y:?} in none of {parts:?}"
                );
            }
        });
        let said: std::collections::BTreeSet<_> = said.into_keys().collect();
        prop_assert!(occur.is_subset(&said), "{:?} not all in {:?}", occur, said);
        if plain {
            prop_assert_eq!(&occur, &said, "{:?} and {:?}", a, b);
        }
    }
}

/// Do the two decisions differ: another action, or other recipients of
/// a forwarded hit?
fn otherwise(a: &Policy, (x, i): (Action, RuleId), b: &Policy, (y, j): (Action, RuleId)) -> bool {
    let to = |p: &Policy, id: RuleId| p.rules.get(id.index()).map_or(0, |r| r.recipients);
    x != y || (x != Action::Drop && to(a, i) != to(b, j))
}

fn policy_of(rs: Vec<Rule>) -> Policy {
    let mut policy: Policy = Policy::new();
    for r in rs {
        policy.push(r).unwrap();
    }
    policy
}

#[test]
fn the_world_is_wide_enough_to_tell_each_condition_apart() {
    // One condition at a time, the narrower rule is covered and the wider
    // one not: a `covers` that ignored any condition fails here.
    let mut cases: Vec<(&str, Rule, Rule)> = Vec::new();
    let base = || Rule::new("r", Action::Drop);
    let mut wide = base();
    wide.priorities = set_of(0b11, &[0, 1].map(priority));
    let mut narrow = base();
    narrow.priorities = set_of(0b1, &[0].map(priority));
    cases.push(("priorities", wide, narrow));
    let (mut wide, mut narrow) = (base(), base());
    wide.lists = set_of(0b11, &[ListId(0), ListId(1)]);
    narrow.lists = set_of(0b1, &[ListId(0)]);
    cases.push(("lists", wide, narrow));
    cases.push(("also_local", base(), base().also_local(true)));
    let (mut wide, mut narrow) = (base(), base());
    wide.kinds = set_of(0b110, &KINDS);
    narrow.kinds = set_of(0b010, &KINDS);
    cases.push(("kinds", wide, narrow));
    let (mut wide, mut narrow) = (base(), base());
    wide.cameras
        .push(CameraPattern::new("c*").unwrap())
        .unwrap();
    narrow
        .cameras
        .push(CameraPattern::new("cam-*").unwrap())
        .unwrap();
    cases.push(("cameras", wide, narrow));
    let (mut wide, mut narrow) = (base(), base());
    (wide.zones, narrow.zones) = (0b11, 0b01);
    cases.push(("zones", wide, narrow));
    let (mut wide, mut narrow) = (base(), base());
    (wide.schedules, narrow.schedules) = (0b11, 0b10);
    cases.push(("schedules", wide, narrow));
    let mut narrow = base();
    narrow.operation = Some(1);
    cases.push(("operation", base(), narrow));
    let (mut wide, mut narrow) = (base(), base());
    (wide.max_reads, narrow.max_reads) = (Some(2), Some(1));
    cases.push(("max_reads", wide, narrow));
    let mut narrow = base();
    narrow.read_fits = Some(false);
    cases.push(("read_fits", base(), narrow));
    for (what, wide, narrow) in &cases {
        assert!(wide.covers(narrow), "{what}: the wider rule covers");
        assert!(reference_covers(wide, narrow), "{what}: by brute force too");
        assert!(!narrow.covers(wide), "{what}: the narrower one does not");
        assert!(
            !reference_covers(narrow, wide),
            "{what}: by brute force neither"
        );
    }
}

#[test]
fn the_hotspot_rule_behind_p2_not_local_is_found_and_p0_dropped_first_is_said() {
    let p2 = [priority(2)];
    let mut policy: Policy = Policy::brussels();
    // Appended after `p2-not-local` (drop every priority 2): never applies.
    let mut hotspots = Rule::new("p2-hotspots", Action::Dispatch).priorities(&p2);
    hotspots.zones = 0b1;
    policy.push(hotspots).unwrap();
    let shadowed: Vec<(RuleId, Vec<RuleId>)> = policy
        .shadowed()
        .map(|(never, by)| (never, by.iter().collect()))
        .collect();
    assert_eq!(shadowed, [(RuleId::Rule(4), vec![RuleId::Rule(2)])]);
    assert_eq!(policy.rule_name(RuleId::Rule(2)), "p2-not-local");
    assert!(policy.forwards(priority(0)) && policy.forwards(priority(2)));
    assert!(!policy.forwards(priority(3)) && !policy.forwards(priority(4)));

    // A test camera's rule, put first, that drops everything from `test-*`,
    // leaves P0 forwarded elsewhere; one that drops every P0 does not.
    let baseline: Policy = Policy::brussels();
    let mut quiet: Policy = Policy::new();
    let mut test = Rule::new("test-cameras", Action::Drop);
    test.cameras
        .push(CameraPattern::new("test-*").unwrap())
        .unwrap();
    quiet.push(test).unwrap();
    for r in baseline.rules.iter().cloned() {
        quiet.push(r).unwrap();
    }
    assert!(quiet.forwards(priority(0)));
    assert!(quiet.shadowed().next().is_none());
    let mut silenced: Policy = Policy::new();
    silenced
        .push(Rule::new("no-p0", Action::Drop).priorities(&[priority(0)]))
        .unwrap();
    for r in baseline.rules.iter().cloned() {
        silenced.push(r).unwrap();
    }
    assert!(!silenced.forwards(priority(0)));
    assert!(silenced.forwards(priority(1)), "p0-p1 still forwards P1");
    assert!(
        silenced.shadowed().next().is_none(),
        "p0-p1 is only partly behind"
    );
}
