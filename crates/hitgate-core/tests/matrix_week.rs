//! The matrix check with the schedules' hours (`PolicyView::shadowed_with`,
//! `PolicyView::forwards_with`) against its definition, by brute force:
//! a hit at every hour of the local week, the schedules in force worked
//! out by `Schedule::contains`, put to the rules.
//!
//! The schedules start and end on even hours, so every stretch between
//! two starts or ends holds a whole hour: sampling the week hourly sees
//! each one.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use hitgate_core::list::{ListId, Priority};
use hitgate_core::place::Schedule;
use hitgate_core::policy::{Action, Facts, Policy, Rule, RuleId};
use hitgate_core::read::CameraId;
use hitgate_core::watchlist::MatchKind;
use proptest::prelude::*;

/// Every hit of the world: priorities 0 to 3 (3: one no rule names),
/// on a local list or not, at every hour of the week.
fn each_fact(schedules: &[Schedule], mut f: impl FnMut(&Facts<'_>)) {
    let camera = CameraId::new("cam-1").unwrap();
    for p in 0..4u8 {
        for also_local in [false, true] {
            for hour in 0..7 * 24u16 {
                let (day, minute) = ((hour / 24) as u8, hour % 24 * 60);
                let in_force = schedules.iter().enumerate();
                let mask = in_force
                    .filter(|(_, s)| s.contains(day, minute))
                    .fold(0u16, |m, (i, _)| m | 1 << i);
                f(&Facts {
                    priority: Priority::new(p).unwrap(),
                    list: ListId(0),
                    also_local,
                    kind: MatchKind::Exact,
                    camera: &camera,
                    zones: 0,
                    schedules: mask,
                    operations: 0,
                    reads: 1,
                    read_fits: true,
                });
            }
        }
    }
}

/// Schedules on even hours; now and then two that share their days and
/// take turns (a day and a night one), so that together they hold the
/// whole of those days.
fn schedules() -> impl Strategy<Value = Vec<Schedule>> {
    let one = (1..128u8, 0..12u16, 0..12u16, any::<bool>());
    prop::collection::vec(one, 1..4).prop_map(|drawn| {
        let mut v = Vec::new();
        // An even hour, as a start (0 to 22:00) and as an end (2:00 to 24:00).
        let start = |h: u16| h % 12 * 120;
        let end = |h: u16| (h + 11) % 12 * 120 + 120;
        for (days, from, to, paired) in drawn {
            let to = if to == from { (to + 1) % 12 } else { to };
            v.push(Schedule::new("s", days, start(from), end(to)).unwrap());
            if paired {
                v.push(Schedule::new("turn", days, start(to), end(from)).unwrap());
            }
        }
        v.truncate(4);
        v
    })
}

/// Rules on priorities, `also_local` and the schedules (`n` of them).
fn rules(n: usize) -> impl Strategy<Value = Vec<Rule>> {
    let one = (0..8u8, 0..3usize, any::<u8>(), 0..3usize);
    prop::collection::vec(one, 1..6).prop_map(move |drawn| {
        drawn
            .into_iter()
            .map(|(prios, local, mask, action)| {
                let action = [Action::Drop, Action::Review, Action::Dispatch][action];
                let mut r = Rule::new("r", action);
                for p in (0..3u8).filter(|p| prios & (1 << p) != 0) {
                    r.priorities.insert(Priority::new(p).unwrap());
                }
                r.also_local = [None, Some(false), Some(true)][local];
                // Half the rules for any time.
                if mask & 0x80 == 0 {
                    r.schedules = u16::from(mask) & ((1 << n) - 1);
                }
                r
            })
            .collect()
    })
}

fn world() -> impl Strategy<Value = (Vec<Schedule>, Policy)> {
    schedules().prop_flat_map(|s| {
        let n = s.len();
        (Just(s), rules(n)).prop_map(|(s, rs)| {
            let mut p: Policy = Policy::new();
            for r in rs {
                p.push(r).unwrap();
            }
            (s, p)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn with_the_hours_a_rule_is_said_never_to_apply_exactly_when_it_decides_no_hit(
        (schedules, policy) in world(),
    ) {
        let mut decides = vec![false; policy.rules.len()];
        each_fact(&schedules, |f| {
            if let RuleId::Rule(i) = policy.decide(f).1 {
                decides[usize::from(i)] = true;
            }
        });
        let shadowed: Vec<_> = policy.view().shadowed_with(&schedules).collect();
        for (i, d) in decides.iter().enumerate() {
            let named = shadowed.iter().find(|(n, _)| n.index() == i);
            prop_assert_eq!(named.is_some(), !d, "rule {} in {:?} with {:?}", i, policy, schedules);
            // The rules named keep every hit from it alone.
            if let Some((_, by)) = named {
                let mut alone: Policy = Policy::new();
                for b in by.iter() {
                    alone.push(policy.rules[b.index()].clone()).unwrap();
                }
                alone.push(policy.rules[i].clone()).unwrap();
                let last = RuleId::Rule(by.len() as u8);
                let mut reached = false;
                each_fact(&schedules, |f| reached |= alone.decide(f).1 == last);
                prop_assert!(!reached, "rule {} reached behind {:?} alone", i, by);
            }
        }
        for p in 0..4u8 {
            let mut forwarded = false;
            each_fact(&schedules, |f| {
                forwarded |= f.priority.get() == p && policy.decide(f).0 != Action::Drop
            });
            let said = policy.view().forwards_with(Priority::new(p).unwrap(), &schedules);
            prop_assert_eq!(said, forwarded, "P{} in {:?} with {:?}", p, policy, schedules);
        }
    }
}

#[test]
fn a_day_and_a_night_rule_take_a_rule_for_any_time_but_not_with_a_gap() {
    let every_day = 0x7F;
    let p2 = [Priority::new(2).unwrap()];
    let policy = |night_from: u16| {
        let schedules = vec![
            Schedule::new("day", every_day, 6 * 60, 22 * 60).unwrap(),
            Schedule::new("night", every_day, night_from, 6 * 60).unwrap(),
        ];
        let mut p: Policy = Policy::new();
        let mut day = Rule::new("p2-day", Action::Review).priorities(&p2);
        day.schedules = 0b01;
        let mut night = Rule::new("p2-night", Action::Dispatch).priorities(&p2);
        night.schedules = 0b10;
        p.push(day).unwrap();
        p.push(night).unwrap();
        p.push(Rule::new("p2-rest", Action::Drop).priorities(&p2))
            .unwrap();
        (schedules, p)
    };
    let (schedules, p) = policy(22 * 60);
    let shadowed: Vec<_> = p.view().shadowed_with(&schedules).collect();
    assert_eq!(shadowed.len(), 1);
    assert_eq!(shadowed[0].0, RuleId::Rule(2));
    assert_eq!(
        shadowed[0].1.iter().collect::<Vec<_>>(),
        [RuleId::Rule(0), RuleId::Rule(1)]
    );
    // The night starting a minute late leaves 22:00 to 22:01 to the rest.
    let (schedules, p) = policy(22 * 60 + 1);
    assert!(p.view().shadowed_with(&schedules).next().is_none());
    // Day only on weekdays: the weekend's days reach the rest.
    let (mut schedules, p) = policy(22 * 60);
    schedules[0] = Schedule::new("day", 0b1_1111, 6 * 60, 22 * 60).unwrap();
    assert!(p.view().shadowed_with(&schedules).next().is_none());
}
