use super::*;
use crate::budget::Budget;

const MIN: u64 = 60_000;

fn car(plate: &str, priority: Priority, action: Action, time: u64, to: u8) -> Sighting {
    Sighting {
        list: ListId(0),
        listed: Plate::normalize(plate.as_bytes()).unwrap_or(Plate::ZERO),
        country: None,
        priority,
        action,
        time,
        recipients: to,
        position: None,
    }
}

#[test]
fn a_car_across_three_units_is_one_case_with_two_updates() {
    let mut t = [CaseSlot::EMPTY; 16];
    let mut g = Gate::new(GateConfig::default(), &mut t);
    let a = g.decide(&car("1ABC234", Priority::P1, Action::Dispatch, 0, 0b01));
    let b = g.decide(&car(
        "1ABC234",
        Priority::P1,
        Action::Dispatch,
        7 * MIN,
        0b01,
    ));
    let c = g.decide(&car(
        "1ABC234",
        Priority::P1,
        Action::Dispatch,
        20 * MIN,
        0b01,
    ));
    assert!(a.opened && !b.opened && !c.opened);
    assert_eq!((a.dispatch, b.dispatch, c.dispatch), (1, 0, 0));
    assert_eq!((b.update, c.update), (1, 1));
    assert_eq!(a.case, c.case);
    // Each update names the sighting before it.
    assert_eq!(
        (a.previous, b.previous, c.previous),
        (None, Some((0, None)), Some((7 * MIN, None)))
    );
    assert_eq!(g.state().counts[0].dispatched, 1);
    assert_eq!(g.state().counts[0].updates, 2);
    // Another plate is another case.
    let d = g.decide(&car(
        "1ABC235",
        Priority::P1,
        Action::Dispatch,
        21 * MIN,
        0b01,
    ));
    assert!(d.opened);
    assert_ne!(d.case, a.case);
}

#[test]
fn each_recipient_gets_only_what_its_rule_names_and_joins_late() {
    let mut t = [CaseSlot::EMPTY; 16];
    let mut g = Gate::new(GateConfig::default(), &mut t);
    let a = g.decide(&car("2XYZ999", Priority::P2, Action::Dispatch, 0, 0b100));
    assert_eq!((a.dispatch, a.update), (0b100, 0));
    // A later sighting decided by a rule naming recipients 0 and 2:
    // recipient 0 gets the case now, recipient 2 an update.
    let b = g.decide(&car("2XYZ999", Priority::P2, Action::Dispatch, MIN, 0b101));
    assert_eq!((b.case, b.dispatch, b.update), (a.case, 0b001, 0b100));
    // No recipient: counted, nothing sent.
    let c = g.decide(&car("2XYZ999", Priority::P2, Action::Dispatch, MIN, 0));
    assert_eq!(c.recipients(), 0);
    assert_eq!(g.state().unrouted, 1);
}

#[test]
fn a_recipients_budget_throttles_zone_wide_and_never_p0() {
    let mut config = GateConfig::default();
    let budget = Budget {
        burst: 2,
        per_hour: 0,
    };
    config.budgets[0].0 = [Some(budget); Priority::COUNT];
    let mut t = [CaseSlot::EMPTY; 64];
    let mut g = Gate::new(config, &mut t);
    let plates = ["1AAA001", "1AAA002", "1AAA003", "1AAA004"];
    let v: Vec<Verdict> = plates
        .iter()
        .map(|p| g.decide(&car(p, Priority::P1, Action::Dispatch, MIN, 0b11)))
        .collect();
    // Recipient 0: two dispatches, then reviews; recipient 1 has no
    // budget and gets every dispatch.
    let to0: Vec<_> = v
        .iter()
        .map(|v| (v.dispatch & 1, v.throttled & 1))
        .collect();
    assert_eq!(to0, [(1, 0), (1, 0), (0, 1), (0, 1)]);
    assert!(v.iter().all(|v| v.dispatch & 0b10 != 0));
    assert_eq!(
        v[2].sent_to(0),
        Some(Sent::Review {
            throttled: true,
            full: false,
            late: false
        })
    );
    assert_eq!(v[2].sent_to(1), Some(Sent::Dispatch));
    assert_eq!((v[2].sent_to(2), v[2].sent_to(99)), (None, None));
    // Priority 0 goes through a spent budget.
    let p0 = g.decide(&car("1BBB000", Priority::P0, Action::Dispatch, MIN, 0b01));
    assert_eq!((p0.dispatch, p0.throttled), (1, 0));
    let s = g.state();
    assert_eq!(
        (
            s.counts[0].dispatched,
            s.counts[0].throttled,
            s.counts[0].reviewed
        ),
        (3, 2, 2)
    );
    // A throttled case seen again while the budget is still spent is
    // an update, not a second review.
    let again = g.decide(&car(
        "1AAA004",
        Priority::P1,
        Action::Dispatch,
        2 * MIN,
        0b01,
    ));
    assert_eq!((again.update, again.review), (1, 0));
}

#[test]
fn a_review_does_not_hold_back_a_later_dispatch() {
    let mut t = [CaseSlot::EMPTY; 16];
    let mut g = Gate::new(GateConfig::default(), &mut t);
    let a = g.decide(&car("1ABC234", Priority::P2, Action::Review, 0, 1));
    assert_eq!(a.review, 1);
    let b = g.decide(&car("1ABC234", Priority::P2, Action::Review, MIN, 1));
    assert_eq!(b.update, 1);
    let c = g.decide(&car("1ABC234", Priority::P2, Action::Dispatch, 2 * MIN, 1));
    assert_eq!((c.case, c.dispatch), (a.case, 1));
    let d = g.decide(&car("1ABC234", Priority::P2, Action::Review, 3 * MIN, 1));
    assert_eq!(d.update, 1);
}

#[test]
fn a_late_sighting_before_a_newer_case_does_not_replace_it() {
    let mut t = [CaseSlot::EMPTY; 16];
    let mut g = Gate::new(GateConfig::default(), &mut t);
    let now = g.decide(&car(
        "1ABC234",
        Priority::P1,
        Action::Dispatch,
        100 * MIN,
        1,
    ));
    let old = g.decide(&car("1ABC234", Priority::P1, Action::Dispatch, 10 * MIN, 1));
    assert!(old.opened);
    assert_ne!(old.case, now.case);
    // The current case still holds its repeats back.
    let again = g.decide(&car(
        "1ABC234",
        Priority::P1,
        Action::Dispatch,
        101 * MIN,
        1,
    ));
    assert_eq!((again.case, again.update), (now.case, 1));
}

/// Recipient 0's budget, one dispatch every ten minutes and none saved
/// up; a time well after the epoch; five years.
fn one_every_ten_minutes() -> (GateConfig, u64, u64) {
    let mut config = GateConfig::default();
    config.budgets[0].0 = [Some(Budget {
        burst: 1,
        per_hour: 6,
    }); Priority::COUNT];
    (config, 1_000_000 * MIN, 5 * 365 * 24 * 60 * MIN)
}

#[test]
fn a_unit_years_ahead_neither_spends_the_budgets_nor_stops_their_refill() {
    let (config, now, years) = one_every_ten_minutes();
    // The zone's units, one dispatch every quarter of an hour (the
    // budget refills one every ten minutes), and one unit whose clock
    // says five years later, after the first.
    let run = |at_arrival: bool| {
        let mut t = [CaseSlot::EMPTY; 64];
        let mut g = Gate::new(config, &mut t);
        let mut decide = |s: &Sighting, arrived: u64| {
            if at_arrival {
                g.decide_at(s, arrived)
            } else {
                g.decide(s)
            }
        };
        let mut v = vec![decide(
            &car("1AAA000", Priority::P1, Action::Dispatch, now, 1),
            now,
        )];
        v.push(decide(
            &car("9ZZZ999", Priority::P1, Action::Dispatch, now + years, 1),
            now + MIN,
        ));
        // Seen again by the same unit: the same case, an update.
        v.push(decide(
            &car(
                "9ZZZ999",
                Priority::P1,
                Action::Dispatch,
                now + years + MIN,
                1,
            ),
            now + 2 * MIN,
        ));
        for i in 1..=4u64 {
            let t = now + i * 15 * MIN;
            let plate = ["1AAA001", "1AAA002", "1AAA003", "1AAA004"][(i - 1) as usize];
            v.push(decide(
                &car(plate, Priority::P1, Action::Dispatch, t, 1),
                t + MIN / 2,
            ));
        }
        let ahead = g.state().ahead;
        (v, ahead)
    };
    // Taken at its word, the sighting carries the clock five years on:
    // the budget never refills and every later dispatch is throttled.
    let (v, ahead) = run(false);
    let throttled = |v: &[Verdict]| v.iter().map(|v| v.throttled).collect::<Vec<_>>();
    assert_eq!(throttled(&v[3..]), [1, 1, 1, 1]);
    assert_eq!(ahead, 0);
    // Decided as it arrived: the others are dispatched, and its own
    // repeat is an update of its case.
    let (v, ahead) = run(true);
    assert_eq!(throttled(&v[3..]), [0, 0, 0, 0]);
    assert!(v[3..].iter().all(|v| v.dispatch == 1 && !v.ahead));
    assert!(v[1].ahead && v[2].ahead && !v[0].ahead);
    assert_eq!((v[2].case, v[2].update), (v[1].case, 1));
    assert_eq!(v[2].previous, Some((now + MIN, None)));
    assert_eq!(ahead, 2);
}

#[test]
fn a_state_saved_with_a_clock_ahead_is_brought_back_at_start() {
    let (config, now, years) = one_every_ten_minutes();
    let mut t = [CaseSlot::EMPTY; 64];
    let mut g = Gate::new(config, &mut t);
    // Decided at its word (as before `decide_at`): the state is years
    // ahead.
    g.decide(&car(
        "9ZZZ999",
        Priority::P1,
        Action::Dispatch,
        now + years,
        1,
    ));
    let (state, mut table) = (g.state().clone(), [CaseSlot::EMPTY; 64]);
    table.copy_from_slice(g.table());
    let resume = |table: &mut [CaseSlot; 64], bring: bool| {
        let mut g = Gate::resume(config, table, state.clone());
        let n = if bring { g.bring_back(now) } else { 0 };
        let later = now + 15 * MIN;
        let a = g.decide_at(
            &car("1AAA001", Priority::P1, Action::Dispatch, later, 1),
            later,
        );
        // The car of the case ahead, seen again: an update of its case.
        let b = g.decide_at(
            &car("9ZZZ999", Priority::P1, Action::Dispatch, later + MIN, 1),
            later + MIN,
        );
        (n, a.throttled, b.opened, g.state().clock)
    };
    // Resumed as saved: throttled, and the car's case is still ahead,
    // so its sighting opens a case of its own.
    let (n, throttled, opened, clock) = resume(&mut table.clone(), false);
    assert_eq!((n, throttled, opened, clock), (0, 1, true, now + years));
    // Brought back: the clock, the bucket, the case's two times.
    let (n, throttled, opened, clock) = resume(&mut table.clone(), true);
    assert_eq!((n, throttled, opened, clock), (4, 0, false, now + 16 * MIN));
    // A sound state is left alone.
    let mut t = [CaseSlot::EMPTY; 64];
    let mut g = Gate::new(config, &mut t);
    g.decide_at(&car("1AAA001", Priority::P1, Action::Dispatch, now, 1), now);
    let before = (g.state().clone(), g.table().to_vec());
    assert_eq!(g.bring_back(now), 0);
    assert_eq!((g.state().clone(), g.table().to_vec()), before);
}

#[test]
fn a_sighting_within_the_tolerance_ahead_is_taken_at_its_word() {
    let mut t = [CaseSlot::EMPTY; 16];
    let mut g = Gate::new(GateConfig::default(), &mut t);
    let now = 1_000 * MIN;
    let v = g.decide_at(
        &car("1ABC234", Priority::P1, Action::Dispatch, now + MIN, 1),
        now,
    );
    assert!(!v.ahead);
    assert_eq!(g.state().clock, now + MIN);
    let v = g.decide_at(
        &car("1ABC235", Priority::P1, Action::Dispatch, now + MIN + 1, 1),
        now,
    );
    assert!(v.ahead);
    assert_eq!((g.state().clock, g.state().ahead), (now + MIN, 1));
}

#[test]
fn a_restored_gate_decides_as_the_one_that_never_stopped() {
    let hits: Vec<Sighting> = (0..200u64)
        .map(|i| {
            let plate = ["1AAA001", "1AAA002", "1AAA003", "2BBB777"][(i % 4) as usize];
            let p = Priority::new((i % 3) as u8).unwrap_or(Priority::P1);
            car(plate, p, Action::Dispatch, i * 3 * MIN, 0b11)
        })
        .collect();
    let mut config = GateConfig::default();
    config.budgets[1].0[1] = Some(Budget {
        burst: 1,
        per_hour: 2,
    });
    let mut t1 = [CaseSlot::EMPTY; 8];
    let mut whole = Gate::new(config, &mut t1);
    let all: Vec<Verdict> = hits.iter().map(|h| whole.decide(h)).collect();
    let mut t2 = [CaseSlot::EMPTY; 8];
    let mut first = Gate::new(config, &mut t2);
    let mut got: Vec<Verdict> = hits[..77].iter().map(|h| first.decide(h)).collect();
    let (state, table) = (
        first.state().clone(),
        *first.table().first_chunk::<8>().unwrap(),
    );
    let mut t3 = table;
    let mut second = Gate::resume(config, &mut t3, state);
    got.extend(hits[77..].iter().map(|h| second.decide(h)));
    assert_eq!(got, all);
    assert_eq!(second.state(), whole.state());
}

#[test]
fn a_hit_under_a_rule_the_zone_no_longer_has_goes_to_the_recipients_of_unknown_rules() {
    // The unit runs the Brussels baseline; the zone's policy has put a
    // rule first and removed "p2-local".
    let old = Policy::brussels();
    let mut zone: Policy = Policy::new();
    for (name, to) in [("mobile", 0b001), ("p0-p1", 0b011), ("p3-p4", 0b010)] {
        let mut r = crate::policy::Rule::new(name, Action::Dispatch);
        r.recipients = to;
        zone.push(r).unwrap();
    }
    let under = |i: u8| Hit {
        seq: 3,
        time: 30 * MIN,
        camera: crate::read::CameraId::new("cam-1").unwrap(),
        read: Plate::normalize(b"1ABC234").unwrap(),
        reads: 2,
        listed: Plate::normalize(b"1ABC234").unwrap(),
        country: None,
        list: ListId(1),
        priority: Priority::P2,
        kind: crate::watchlist::MatchKind::Exact,
        distance: crate::distance::Distance::default(),
        action: Action::Review,
        rule: RuleId::Rule(i),
        rule_tag: old.tag(RuleId::Rule(i)),
        reason: crate::hit::Reason::Lookalike,
        late: false,
        version: 1,
        position: None,
    };
    let places = Places::none();
    // Moved: found by its name, routed by it, whatever `unknown` says.
    let (s, rule) = Sighting::routed(&under(0), &zone, &places, 0b100);
    assert_eq!((s.recipients, rule), (0b011, Some(RuleId::Rule(1))));
    // Removed: to the recipients of unknown rules, as the unit decided it.
    let (s, rule) = Sighting::routed(&under(1), &zone, &places, 0b100);
    assert_eq!(
        (s.recipients, rule, s.action),
        (0b100, None, Action::Review)
    );
    // Without any, to nobody; `of` is that.
    assert_eq!(
        Sighting::routed(&under(1), &zone, &places, 0).0.recipients,
        0
    );
    assert_eq!(Sighting::of(&under(1), &zone, &places).recipients, 0);
    assert_eq!(Sighting::of(&under(0), &zone, &places).recipients, 0b011);
}

/// What recipient 0 got, in short: `D` dispatch, `L` late review, `F`
/// review at its most open dispatches, `T` throttled review, `R` review,
/// `U` update, `-`.
fn got0(v: &Verdict) -> char {
    match v.sent_to(0) {
        Some(Sent::Dispatch) => 'D',
        Some(Sent::Review { late: true, .. }) => 'L',
        Some(Sent::Review { full: true, .. }) => 'F',
        Some(Sent::Review {
            throttled: true, ..
        }) => 'T',
        Some(Sent::Review { .. }) => 'R',
        Some(Sent::Update) => 'U',
        None => '-',
    }
}

#[test]
fn a_recipient_at_its_most_open_dispatches_gets_reviews_until_it_closes_one() {
    let mut config = GateConfig::default();
    config.max_open[0] = OpenCaps([Some(0), Some(1), Some(0), None, None]);
    // Three P1 dispatches in all, none refilled: a held one spends none.
    config.budgets[0].0[1] = Some(Budget {
        burst: 3,
        per_hour: 0,
    });
    let mut t = [CaseSlot::EMPTY; 64];
    let mut g = Gate::new(config, &mut t);
    let mut seen = String::new();
    let mut decide = |g: &mut Gate<'_>, plate: &str, p: Priority, minute: u64| {
        let v = g.decide(&car(plate, p, Action::Dispatch, minute * MIN, 0b11));
        // Recipient 1 has no limit: every new case a dispatch.
        assert!(v.dispatch & 0b10 != 0 || v.update & 0b10 != 0, "{v:?}");
        seen.push(got0(&v));
        v
    };
    let first = decide(&mut g, "1AAA001", Priority::P1, 0);
    decide(&mut g, "1AAA002", Priority::P1, 1);
    decide(&mut g, "1AAA003", Priority::P1, 2);
    // The open case seen again: an update, not a review.
    decide(&mut g, "1AAA001", Priority::P1, 3);
    assert_eq!(g.open(0, Priority::P1), 1);
    assert!(g.close(first.case, 0));
    // Closed twice, or by a recipient that does not have it as a dispatch
    // (recipient 2 never got it), or a case the gate does not know.
    assert!(!g.close(first.case, 0));
    assert!(!g.close(first.case, 2));
    assert!(!g.close(9_999, 0));
    assert!(!g.close(first.case, 8));
    assert_eq!(g.open(0, Priority::P1), 0);
    let fourth = decide(&mut g, "1AAA004", Priority::P1, 4);
    assert!(g.close(fourth.case, 0));
    decide(&mut g, "1AAA005", Priority::P1, 5);
    assert_eq!(g.open(0, Priority::P1), 1);
    // Room again once the room closes it, but the budget is spent:
    // throttled.
    let open_cases: Vec<u32> = g
        .table()
        .iter()
        .filter(|c| c.is_used() && c.dispatched & 1 != 0 && c.closed & 1 == 0)
        .map(|c| c.case)
        .collect();
    assert_eq!(open_cases.len(), 1);
    for c in open_cases {
        assert!(g.close(c, 0));
    }
    decide(&mut g, "1AAA006", Priority::P1, 6);
    // No P2 case may be open; P0 is never held back.
    decide(&mut g, "2BBB001", Priority::P2, 7);
    decide(&mut g, "2BBB002", Priority::P0, 8);
    assert_eq!(seen, "DFFUDDTFD");
    let c = g.state().counts[0];
    assert_eq!(
        (c.dispatched, c.full, c.throttled, c.closed, c.updates),
        (4, 3, 1, 3, 1)
    );
}

#[test]
fn an_open_dispatch_stops_counting_when_its_window_has_passed() {
    let mut config = GateConfig::default();
    config.max_open[0] = OpenCaps([None, Some(1), None, None, None]);
    let mut t = [CaseSlot::EMPTY; 64];
    let mut g = Gate::new(config, &mut t);
    let at = |g: &mut Gate<'_>, plate: &str, minute: u64, action: Action| {
        got0(&g.decide(&car(plate, Priority::P1, action, minute * MIN, 0b1)))
    };
    let got: String = [
        at(&mut g, "1AAA001", 0, Action::Dispatch),
        // A unit's review is no dispatch: neither held nor counted.
        at(&mut g, "1AAA002", 1, Action::Review),
        at(&mut g, "1AAA003", 39, Action::Dispatch),
        // 40 minutes after the first case opened, it no longer counts.
        at(&mut g, "1AAA004", 40, Action::Dispatch),
    ]
    .iter()
    .collect();
    assert_eq!(got, "DRFD");
    // The fourth alone is open.
    assert_eq!(g.open(0, Priority::P1), 1);
    assert_eq!(g.open_counts()[0], [0, 1, 0, 0, 0]);
    assert_eq!(g.open_counts()[1], [0; Priority::COUNT]);
}

#[test]
fn a_dispatch_that_arrives_later_than_a_recipients_most_delay_is_a_review_for_it() {
    let mut config = GateConfig::default();
    // Recipient 0 takes nothing older than ten minutes; recipient 1 any.
    config.max_delay_ms[0] = Some(10 * MIN as u32);
    config.max_open[0] = OpenCaps([None, Some(1), None, None, None]);
    config.budgets[0].0[1] = Some(Budget {
        burst: 1,
        per_hour: 0,
    });
    let mut t = [CaseSlot::EMPTY; 64];
    let mut g = Gate::new(config, &mut t);
    let now = 1_000 * MIN;
    let mut at = |plate: &str, p: Priority, action: Action, ago: u64| {
        let v = g.decide_at(&car(plate, p, action, now - ago * MIN, 0b11), now);
        assert!(v.dispatch & 0b10 != 0 || action == Action::Review, "{v:?}");
        got0(&v)
    };
    let got: String = [
        // An hour late, of any priority (P0 too): a review for recipient
        // 0, spending neither its budget nor its room.
        at("1AAA001", Priority::P1, Action::Dispatch, 60),
        at("1AAA000", Priority::P0, Action::Dispatch, 60),
        // Ten minutes is not more than ten minutes.
        at("1AAA002", Priority::P1, Action::Dispatch, 10),
        // The budget and the room are spent by that one, not the late one.
        at("1AAA003", Priority::P1, Action::Dispatch, 0),
        // A unit's review stays a review, whatever its delay.
        at("1AAA004", Priority::P1, Action::Review, 60),
    ]
    .iter()
    .collect();
    assert_eq!(got, "LLDFR");
    let c = g.state().counts[0];
    assert_eq!((c.late, c.dispatched, c.full), (2, 1, 1));
    // Decided on event time alone, nothing is late.
    let v = g.decide(&car("1AAA005", Priority::P0, Action::Dispatch, 0, 0b1));
    assert_eq!(got0(&v), 'D');
}
