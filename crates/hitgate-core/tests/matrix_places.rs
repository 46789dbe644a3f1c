//! The matrix check with the places the rules name
//! (`PolicyView::shadowed_in`, `PolicyView::forwards_in`) against its
//! definition, by brute force.
//!
//! Schedules: a hit at every hour of the local week, the schedules in
//! force worked out by `Schedule::contains`, put to the rules. The
//! schedules start and end on even hours, so every stretch between two
//! starts or ends holds a whole hour: sampling the week hourly sees each
//! one, and the check must name exactly the rules no hit reaches.
//!
//! Zones: hits at positions across the zones (a grid, every zone's
//! points, and none), the zones they are in worked out by
//! `Zone::contains`. A rule named must be reached by none of them.
//!
//! Operations: a hit at every hour of four weeks, the first free of
//! operations, the schedules in force and the operations under way
//! worked out by `Places::schedules_at` and `Places::operations_at`, in
//! UTC or on offsets of whole hours that change once. Operations start
//! and end on even hours too, so every piece of time the check tells
//! apart holds a whole hour, and it must again name exactly the rules no
//! hit reaches.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use hitgate_core::list::{ListId, Priority};
use hitgate_core::place::{Offsets, Operation, Places, Schedule, Zone};
use hitgate_core::policy::{Action, Facts, Policy, Rule, RuleId};
use hitgate_core::read::CameraId;
use hitgate_core::read::Position;
use hitgate_core::watchlist::MatchKind;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

#[path = "common/matrix.rs"]
mod common;
use common::reached_behind;

/// An exact hit on list 0 of one read, with these facts.
fn hit(p: u8, also_local: bool, camera: &CameraId, zones: u64, schedules: u16) -> Facts<'_> {
    Facts {
        priority: Priority::new(p).unwrap(),
        list: ListId(0),
        also_local,
        kind: MatchKind::Exact,
        camera,
        zones,
        schedules,
        operations: 0,
        reads: 1,
        read_fits: true,
    }
}

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
                f(&hit(p, also_local, &camera, 0, mask));
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

fn places(schedules: &[Schedule]) -> Places<'_> {
    Places {
        schedules,
        ..Places::default()
    }
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
        exact_on(&policy, &places(&schedules), |f| each_fact(&schedules, f))?;
    }
}

/// The check against brute force on every hit of `world`: a rule is named
/// exactly when it decides none of them, and the rules named with it keep
/// every one from it alone; `forwards_in(p)` is false exactly when no
/// hit of priority `p` is forwarded.
fn exact_on(
    policy: &Policy,
    places: &Places<'_>,
    world: impl Fn(&mut dyn FnMut(&Facts<'_>)),
) -> Result<(), TestCaseError> {
    let mut decides = vec![false; policy.rules.len()];
    world(&mut |f| {
        if let RuleId::Rule(i) = policy.decide(f).1 {
            decides[usize::from(i)] = true;
        }
    });
    let shadowed: Vec<_> = policy.view().shadowed_in(places, &[]).collect();
    for (i, d) in decides.iter().enumerate() {
        let named = shadowed.iter().find(|(n, _)| n.index() == i);
        prop_assert_eq!(named.is_some(), !d, "rule {} in {:?}", i, policy);
        if let Some((_, by)) = named {
            let reached = reached_behind(policy, by, i, &world);
            prop_assert!(!reached, "rule {} reached behind {:?} alone", i, by);
        }
    }
    for p in 0..4u8 {
        let mut forwarded = false;
        world(&mut |f| forwarded |= f.priority.get() == p && policy.decide(f).0 != Action::Drop);
        let said = policy
            .view()
            .forwards_in(Priority::new(p).unwrap(), places, &[]);
        prop_assert_eq!(said, forwarded, "P{} in {:?}", p, policy);
    }
    Ok(())
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
    let shadowed: Vec<_> = p.view().shadowed_in(&places(&schedules), &[]).collect();
    assert_eq!(shadowed.len(), 1);
    assert_eq!(shadowed[0].0, RuleId::Rule(2));
    assert_eq!(
        shadowed[0].1.iter().collect::<Vec<_>>(),
        [RuleId::Rule(0), RuleId::Rule(1)]
    );
    // The night starting a minute late leaves 22:00 to 22:01 to the rest.
    let (schedules, p) = policy(22 * 60 + 1);
    assert!(
        p.view()
            .shadowed_in(&places(&schedules), &[])
            .next()
            .is_none()
    );
    // Day only on weekdays: the weekend's days reach the rest.
    let (mut schedules, p) = policy(22 * 60);
    schedules[0] = Schedule::new("day", 0b1_1111, 6 * 60, 22 * 60).unwrap();
    assert!(
        p.view()
            .shadowed_in(&places(&schedules), &[])
            .next()
            .is_none()
    );
}

fn at(lat: f64, lon: f64) -> Position {
    Position::from_degrees(lat, lon).unwrap()
}

/// A star-shaped polygon: a point a radius at each of `radii.len()`
/// angles around `centre`.
fn star(centre: (f64, f64), radii: &[f64]) -> Vec<Position> {
    let n = radii.len() as f64;
    let points = radii.iter().enumerate().map(|(i, r)| {
        let a = i as f64 / n * std::f64::consts::TAU;
        at(centre.0 + r * a.sin(), centre.1 + r * a.cos())
    });
    points.collect()
}

/// A district, the district shrunk (within it), a circle somewhere
/// about (often within), and a star elsewhere that may overlap it.
fn zones() -> impl Strategy<Value = Vec<Zone>> {
    (
        prop::collection::vec(0.01f64..0.04, 3..=9),
        0.1f64..0.9,
        ((-0.03f64..0.03, -0.03f64..0.03), 50u32..3_000),
        (
            (-0.05f64..0.05, -0.05f64..0.05),
            prop::collection::vec(0.005f64..0.03, 3..=6),
        ),
    )
        .prop_map(|(radii, shrink, (dc, radius), (ds, other))| {
            let c = (50.85, 4.35);
            let shrunk: Vec<f64> = radii.iter().map(|r| r * shrink).collect();
            vec![
                Zone::polygon("district", &star(c, &radii)).unwrap(),
                Zone::polygon("shrunk", &star(c, &shrunk)).unwrap(),
                Zone::circle("hotspot", at(c.0 + dc.0, c.1 + dc.1), radius).unwrap(),
                Zone::polygon("elsewhere", &star((c.0 + ds.0, c.1 + ds.1), &other)).unwrap(),
            ]
        })
}

/// Every hit of the zones' world: priorities 0 to 3, on a local list or
/// not, at each position (and at none).
fn each_placed_fact(places: &Places<'_>, mut f: impl FnMut(&Facts<'_>)) {
    let camera = CameraId::new("mobile-1").unwrap();
    let mut positions: Vec<Option<Position>> = vec![None];
    for i in 0..=60 {
        for j in 0..=60 {
            let (lat, lon) = (
                50.77 + f64::from(i) * 0.16 / 60.0,
                4.27 + f64::from(j) * 0.16 / 60.0,
            );
            positions.push(Some(at(lat, lon)));
        }
    }
    positions.extend(
        places
            .zones
            .iter()
            .flat_map(|z| z.points().iter().map(|&q| Some(q))),
    );
    positions.extend(
        places
            .zones
            .iter()
            .filter_map(|z| z.as_circle())
            .map(|(c, _)| Some(c)),
    );
    for q in positions {
        let zones = places.zones_of(q);
        for p in 0..4u8 {
            for also_local in [false, true] {
                f(&hit(p, also_local, &camera, zones, 0));
            }
        }
    }
}

/// Rules on priorities, `also_local` and the four zones.
fn zone_rules() -> impl Strategy<Value = Vec<Rule>> {
    let one = (0..8u8, 0..3usize, 0..16u64, 0..3usize);
    prop::collection::vec(one, 1..6).prop_map(|drawn| {
        let rules = drawn.into_iter().map(|(prios, local, zones, action)| {
            let action = [Action::Drop, Action::Review, Action::Dispatch][action];
            let mut r = Rule::new("r", action);
            for p in (0..3u8).filter(|p| prios & (1 << p) != 0) {
                r.priorities.insert(Priority::new(p).unwrap());
            }
            r.also_local = [None, Some(false), Some(true)][local];
            r.zones = zones;
            r
        });
        rules.collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn with_the_zones_a_rule_said_never_to_apply_is_reached_by_no_hit(
        zones in zones(),
        rs in zone_rules(),
    ) {
        let places = Places { zones: &zones, ..Places::default() };
        let mut policy: Policy = Policy::new();
        for r in rs {
            policy.push(r).unwrap();
        }
        for (never, by) in policy.view().shadowed_in(&places, &[]) {
            let mut reached = false;
            each_placed_fact(&places, |f| reached |= policy.decide(f).1 == never);
            prop_assert!(!reached, "{:?} behind {:?} in {:?}", never, by, policy);
        }
        for p in 0..4u8 {
            if !policy.view().forwards_in(Priority::new(p).unwrap(), &places, &[]) {
                let mut forwarded = false;
                each_placed_fact(&places, |f| {
                    forwarded |= f.priority.get() == p && policy.decide(f).0 != Action::Drop
                });
                prop_assert!(!forwarded, "P{} forwarded by {:?}", p, policy);
            }
        }
    }
}

#[test]
fn a_rule_for_a_hotspot_inside_a_district_is_taken_by_the_district_rule() {
    let district = Zone::polygon(
        "centre",
        &[
            at(50.83, 4.33),
            at(50.83, 4.37),
            at(50.86, 4.37),
            at(50.86, 4.33),
        ],
    )
    .unwrap();
    let midi = Zone::circle("midi", at(50.8355, 4.336), 200).unwrap();
    let nord = Zone::circle("nord", at(50.8605, 4.3615), 200).unwrap();
    let zones = [district, midi.clone(), nord];
    let places = Places {
        zones: &zones,
        ..Places::default()
    };
    let p2 = [Priority::new(2).unwrap()];
    let policy = |first: u64, second: u64| {
        let mut p: Policy = Policy::new();
        let mut a = Rule::new("first", Action::Review).priorities(&p2);
        a.zones = first;
        let mut b = Rule::new("second", Action::Dispatch).priorities(&p2);
        b.zones = second;
        p.push(a).unwrap();
        p.push(b).unwrap();
        p
    };
    let named = |p: &Policy| {
        p.view()
            .shadowed_in(&places, &[])
            .map(|(n, _)| n)
            .collect::<Vec<_>>()
    };
    // Midi after the district: never applies; the district after Midi does.
    assert_eq!(named(&policy(0b001, 0b010)), [RuleId::Rule(1)]);
    assert!(named(&policy(0b010, 0b001)).is_empty());
    // Nord reaches north of the district.
    assert!(named(&policy(0b001, 0b100)).is_empty());
    // Midi and the district together, after the district.
    assert_eq!(named(&policy(0b001, 0b011)), [RuleId::Rule(1)]);
    // Judged by the masks alone, none is named.
    assert!(policy(0b001, 0b010).shadowed().next().is_none());
    // A circle of 3 km about the centre holds Midi's circle; not 1 km.
    for (radius, held) in [(3_000, true), (1_000, false)] {
        let ring = Zone::circle("ring", at(50.845, 4.35), radius).unwrap();
        let zones = [ring, midi.clone()];
        let places = Places {
            zones: &zones,
            ..Places::default()
        };
        let p = policy(0b01, 0b10);
        let named: Vec<_> = p.view().shadowed_in(&places, &[]).map(|(n, _)| n).collect();
        assert_eq!(named.is_empty(), !held, "{radius} m");
    }
}

/// 2026-01-05T00:00:00Z, a Monday.
const MONDAY: u64 = 1_767_571_200_000;
const HOUR: u64 = 3_600_000;

/// Every hit of the operations' world: priorities 0 to 3, on a local
/// list or not, at every hour of four weeks from [`MONDAY`].
fn each_timed_fact(places: &Places<'_>, mut f: impl FnMut(&Facts<'_>)) {
    let camera = CameraId::new("cam-1").unwrap();
    for hour in 0..4 * 168 {
        let ms = MONDAY + hour * HOUR;
        let schedules = places.schedules_at(ms);
        let operations = places.operations_at(ms);
        for p in 0..4u8 {
            for also_local in [false, true] {
                let mut h = hit(p, also_local, &camera, 0, schedules);
                h.operations = operations;
                f(&h);
            }
        }
    }
}

/// Operations on even hours within the second and third weeks, most
/// within a day, some longer than a week; now and then one inside the
/// one before.
fn operations() -> impl Strategy<Value = Vec<Operation>> {
    let hours = prop_oneof![3 => 1..12u64, 1 => 1..120u64];
    let one = (0..84u64, hours, any::<bool>(), 0..8u64, 0..8u64);
    prop::collection::vec(one, 1..4).prop_map(|drawn| {
        let mut v = Vec::new();
        for (start, hours, nested, trim_start, trim_end) in drawn {
            let start = MONDAY + (168 + 2 * start) * HOUR;
            let end = start + 2 * hours * HOUR;
            v.push(Operation::new("o", start, end).unwrap());
            let (a, b) = (start + 2 * trim_start * HOUR, end - 2 * trim_end * HOUR);
            if nested && a < b {
                v.push(Operation::new("inner", a, b).unwrap());
            }
        }
        v.truncate(4);
        v
    })
}

/// Rules on priorities, `also_local`, the schedules (`n` of them) and the
/// operations (`m`).
fn timed_rules(n: usize, m: usize) -> impl Strategy<Value = Vec<Rule>> {
    (rules(n), prop::collection::vec(0..2 * m, 6)).prop_map(move |(mut rs, ops)| {
        for (r, o) in rs.iter_mut().zip(ops) {
            // Half the rules for any operation.
            r.operation = (o < m).then_some(o as u8);
        }
        rs
    })
}

fn timed_world() -> impl Strategy<Value = (Vec<Schedule>, Vec<Operation>, Policy)> {
    (schedules(), operations()).prop_flat_map(|(s, o)| {
        let (n, m) = (s.len(), o.len());
        (Just(s), Just(o), timed_rules(n, m)).prop_map(|(s, o, rs)| {
            let mut p: Policy = Policy::new();
            for r in rs {
                p.push(r).unwrap();
            }
            (s, o, p)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn with_the_operations_a_rule_is_said_never_to_apply_exactly_when_it_decides_no_hit(
        (schedules, operations, policy) in timed_world(),
        change in prop::option::of((any::<bool>(), 0..4 * 168u64)),
    ) {
        // UTC, or UTC+1 turning UTC+2 at a whole hour: often inside the
        // first operation's window, else anywhere in the four weeks.
        let offsets = match change {
            None => Offsets::EMPTY,
            Some((inside, h)) => {
                let o = &operations[0];
                let at = if inside {
                    o.start + (h * HOUR) % (o.end - o.start)
                } else {
                    MONDAY + h * HOUR
                };
                Offsets::new(&[(0, 60), (at, 120)]).unwrap()
            }
        };
        let places = Places {
            schedules: &schedules,
            operations: &operations,
            offsets: &offsets,
            ..Places::default()
        };
        exact_on(&policy, &places, |f| each_timed_fact(&places, f))?;
    }
}

/// A rule for priority 2 during `inner`, after one for priority 2 during
/// `outer` (or, with `schedule`, for priority 2 in that schedule): the
/// rules the check names.
fn behind_operation(
    outer: Option<(u64, u64)>,
    schedule: Option<Schedule>,
    inner: (u64, u64),
    offsets: &Offsets,
) -> Vec<(RuleId, Vec<RuleId>)> {
    let p2 = [Priority::new(2).unwrap()];
    let mut operations = vec![Operation::new("inner", inner.0, inner.1).unwrap()];
    let mut first = Rule::new("first", Action::Review).priorities(&p2);
    if let Some((a, b)) = outer {
        operations.push(Operation::new("outer", a, b).unwrap());
        first.operation = Some(1);
    }
    let schedules: Vec<Schedule> = schedule.into_iter().collect();
    if !schedules.is_empty() {
        first.schedules = 1;
    }
    let mut second = Rule::new("second", Action::Dispatch).priorities(&p2);
    second.operation = Some(0);
    let mut p: Policy = Policy::new();
    p.push(first).unwrap();
    p.push(second).unwrap();
    let places = Places {
        schedules: &schedules,
        operations: &operations,
        offsets,
        ..Places::default()
    };
    let named = p.view().shadowed_in(&places, &[]);
    named.map(|(n, by)| (n, by.iter().collect())).collect()
}

#[test]
fn a_rule_for_an_operation_is_taken_by_one_for_a_wider_operation_or_its_hours() {
    let utc = Offsets::EMPTY;
    let day = |h: u64| MONDAY + h * HOUR;
    let taken = vec![(RuleId::Rule(1), vec![RuleId::Rule(0)])];
    // Eurostar checks from 07:00 to 09:00 within the day's operation.
    let inner = (day(7), day(9));
    assert_eq!(
        behind_operation(Some((day(6), day(12))), None, inner, &utc),
        taken
    );
    // The day's operation starting at 08:00 leaves 07:00 to 08:00.
    assert!(behind_operation(Some((day(8), day(12))), None, inner, &utc).is_empty());
    // Within a schedule of weekday mornings, 06:00 to 10:00.
    let mornings = |from: u16, to: u16| Schedule::new("mornings", 0b1_1111, from, to).unwrap();
    assert_eq!(
        behind_operation(None, Some(mornings(360, 600)), inner, &utc),
        taken
    );
    // Mornings from 07:30 leave half an hour; on Saturday (day 5), none.
    assert!(behind_operation(None, Some(mornings(450, 600)), inner, &utc).is_empty());
    let saturday = (day(5 * 24 + 7), day(5 * 24 + 9));
    assert!(behind_operation(None, Some(mornings(360, 600)), saturday, &utc).is_empty());
    // An operation a week long is not within weekday mornings.
    assert!(behind_operation(None, Some(mornings(360, 600)), (day(0), day(168)), &utc).is_empty());
    // Local time: on UTC+1, 07:00 to 09:00 UTC is 08:00 to 10:00 local,
    // within mornings to 10:00 but not to 09:30.
    let cet = Offsets::new(&[(0, 60)]).unwrap();
    assert_eq!(
        behind_operation(None, Some(mornings(360, 600)), inner, &cet),
        taken
    );
    assert!(behind_operation(None, Some(mornings(360, 570)), inner, &cet).is_empty());
    // Across a change of offset (to UTC+2 at 08:00 UTC), 07:00 to 09:00
    // UTC is 08:00 to 09:00 and 10:00 to 11:00 local: partly outside
    // mornings to 10:00, within mornings to 12:00.
    let change = Offsets::new(&[(0, 60), (day(8), 120)]).unwrap();
    assert!(behind_operation(None, Some(mornings(360, 600)), inner, &change).is_empty());
    assert_eq!(
        behind_operation(None, Some(mornings(360, 720)), inner, &change),
        taken
    );
}

#[test]
fn a_rule_whose_schedule_is_never_in_force_during_its_operation_never_applies() {
    let p2 = [Priority::new(2).unwrap()];
    let night = [Schedule::new("night", 0x7F, 22 * 60, 6 * 60).unwrap()];
    let day = |h: u64| MONDAY + h * HOUR;
    let check = |op: (u64, u64)| {
        let operations = [Operation::new("op", op.0, op.1).unwrap()];
        let mut r = Rule::new("night-op", Action::Dispatch).priorities(&p2);
        r.operation = Some(0);
        r.schedules = 1;
        let mut p: Policy = Policy::new();
        p.push(r).unwrap();
        let places = Places {
            schedules: &night,
            operations: &operations,
            ..Places::default()
        };
        let named: Vec<_> = p.view().shadowed_in(&places, &[]).collect();
        let never: Vec<_> = p.view().never_in_force(&places).collect();
        assert_eq!(never, named.iter().map(|(n, _)| *n).collect::<Vec<_>>());
        named
            .iter()
            .map(|(n, by)| (*n, by.len()))
            .collect::<Vec<_>>()
    };
    // 07:00 to 09:00: no night in it.
    assert_eq!(check((day(7), day(9))), [(RuleId::Rule(0), 0)]);
    // 20:00 to 23:00: the night's first hour.
    assert!(check((day(20), day(23))).is_empty());
    // A rule behind another that takes its hits is in force all the same.
    let mut p: Policy = Policy::new();
    p.push(Rule::new("p2", Action::Review).priorities(&p2))
        .unwrap();
    p.push(Rule::new("p2-again", Action::Dispatch).priorities(&p2))
        .unwrap();
    let places = Places {
        schedules: &night,
        ..Places::default()
    };
    assert_eq!(p.view().shadowed_in(&places, &[]).count(), 1);
    assert_eq!(p.view().never_in_force(&places).count(), 0);
}

#[test]
fn rules_for_operations_apart_swapped_change_no_hit() {
    // Priority 2 dispatched during the morning's operation and reviewed
    // during the evening's; the two rules swapped decide every hit alike.
    let day = |h: u64| MONDAY + h * HOUR;
    let operations = [
        Operation::new("morning", day(7), day(9)).unwrap(),
        Operation::new("evening", day(17), day(19)).unwrap(),
        Operation::new("day", day(6), day(20)).unwrap(),
    ];
    let places = Places {
        operations: &operations,
        ..Places::default()
    };
    let p2 = [Priority::new(2).unwrap()];
    let rule = |name: &str, action: Action, operation: u8| {
        let mut r = Rule::new(name, action).priorities(&p2);
        r.operation = Some(operation);
        r
    };
    let policy = |rules: &[Rule]| {
        let mut p: Policy = Policy::new();
        for r in rules {
            p.push(r.clone()).unwrap();
        }
        p
    };
    let morning = rule("morning", Action::Dispatch, 0);
    let evening = rule("evening", Action::Review, 1);
    let before = policy(&[morning.clone(), evening.clone()]);
    let changes = |after: &Policy, places: &Places<'_>| {
        let mut pairs = Vec::new();
        before
            .view()
            .changes(after.view(), places, &[], |a, b, _| pairs.push((a, b)));
        pairs
    };
    let swapped = policy(&[evening.clone(), morning.clone()]);
    assert_eq!(changes(&swapped, &places), []);
    // Without the operations' windows, the two first rules may meet.
    assert_eq!(
        changes(&swapped, &Places::default()),
        [(RuleId::Rule(0), RuleId::Rule(0))]
    );
    // Reviewed all day first: the morning's hits change, and those of the
    // day outside both operations, dropped before; the evening's do not.
    let all_day = policy(&[rule("day", Action::Review, 2), morning, evening]);
    assert_eq!(
        changes(&all_day, &places),
        [
            (RuleId::Rule(0), RuleId::Rule(0)),
            (RuleId::Fallback, RuleId::Rule(0))
        ]
    );
}

#[test]
fn a_rule_for_an_operation_not_declared_takes_no_hit_from_a_later_one() {
    // A unit never finds an operation the places do not hold under way:
    // the rule before takes nothing, and the one after is not named.
    let day = |h: u64| MONDAY + h * HOUR;
    let operations: Vec<Operation> = (0..6)
        .map(|i| Operation::new("op", day(6 + 24 * i), day(20 + 24 * i)).unwrap())
        .collect();
    let places = Places {
        operations: &operations,
        ..Places::default()
    };
    let p2 = [Priority::new(2).unwrap()];
    // 69: beyond the six, and beyond the bits of a mask too.
    let mut first = Rule::new("unknown", Action::Drop).priorities(&p2);
    first.operation = Some(69);
    let mut second = Rule::new("day", Action::Dispatch).priorities(&p2);
    second.operation = Some(0);
    let mut p: Policy = Policy::new();
    p.push(first).unwrap();
    p.push(second.clone()).unwrap();
    assert!(p.view().shadowed_in(&places, &[]).next().is_none());
    // The same rule for operation 69 again after it: named by the masks.
    let mut again = second;
    again.operation = Some(69);
    p.push(again).unwrap();
    let named: Vec<_> = p.view().shadowed_in(&places, &[]).map(|(n, _)| n).collect();
    assert_eq!(named, [RuleId::Rule(2)]);
}
