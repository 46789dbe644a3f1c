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

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use hitgate_core::list::{ListId, Priority};
use hitgate_core::place::{Places, Schedule, Zone};
use hitgate_core::policy::{Action, Facts, Policy, Rule, RuleId};
use hitgate_core::read::CameraId;
use hitgate_core::read::Position;
use hitgate_core::watchlist::MatchKind;
use proptest::prelude::*;

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
        let mut decides = vec![false; policy.rules.len()];
        each_fact(&schedules, |f| {
            if let RuleId::Rule(i) = policy.decide(f).1 {
                decides[usize::from(i)] = true;
            }
        });
        let shadowed: Vec<_> = policy.view().shadowed_in(&places(&schedules), &[]).collect();
        for (i, d) in decides.iter().enumerate() {
            let named = shadowed.iter().find(|(n, _)| n.index() == i);
            prop_assert_eq!(named.is_some(), !d, "rule {} in {:?} with {:?}", i, policy, schedules);
            // The rules named keep every hit from it alone.
            if let Some((_, by)) = named {
                let reached = reached_behind(&policy, by, i, |f| each_fact(&schedules, f));
                prop_assert!(!reached, "rule {} reached behind {:?} alone", i, by);
            }
        }
        for p in 0..4u8 {
            let mut forwarded = false;
            each_fact(&schedules, |f| {
                forwarded |= f.priority.get() == p && policy.decide(f).0 != Action::Drop
            });
            let said = policy.view().forwards_in(Priority::new(p).unwrap(), &places(&schedules), &[]);
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
    let zones = [district, midi, nord];
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
}
