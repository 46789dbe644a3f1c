//! The zone gate against a reference written apart from it: a map of open
//! cases and a token count per recipient and priority, with no table
//! limits (the gate's table is sized so that nothing is evicted), and the
//! open dispatches counted from the map at each sighting.
#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use std::collections::HashMap;

use hitgate_core::budget::Budget;
use hitgate_core::gate::{CaseSlot, Gate, GateConfig, MAX_RECIPIENTS, OpenCaps, Sighting, Verdict};
use hitgate_core::list::{ListId, Priority};
use hitgate_core::plate::Plate;
use hitgate_core::policy::Action;
use proptest::prelude::*;

const MIN: u64 = 60_000;

#[derive(Default)]
struct Case {
    number: u32,
    priority: u8,
    first: u64,
    last: u64,
    dispatched: u8,
    reviewed: u8,
    closed: u8,
}

/// Tokens as fractions: `burst` whole tokens, `per_hour` an hour.
struct Tokens {
    have: f64,
    at: Option<u64>,
}

struct Reference {
    window: u64,
    budget: Budget,
    cases: HashMap<(u8, String), Case>,
    tokens: HashMap<(usize, u8), Tokens>,
    clock: u64,
    /// Most open dispatches of recipients 0 and 1, for P1 and P2.
    max_open: [Option<u16>; 2],
    /// Most delay of recipients 0 and 1, minutes.
    max_delay: [Option<u64>; 2],
    next_case: u32,
}

impl Reference {
    /// Recipient `r`'s open dispatches of priority `p`.
    fn open(&self, r: usize, p: u8) -> usize {
        let bit = 1u8 << r;
        self.cases
            .values()
            .filter(|c| {
                c.priority == p
                    && c.dispatched & bit != 0
                    && c.closed & bit == 0
                    && c.first.abs_diff(self.clock) < self.window
            })
            .count()
    }

    fn close(&mut self, number: u32, r: usize) -> bool {
        let bit = 1u8 << r;
        match self.cases.values_mut().find(|c| c.number == number) {
            Some(c) if c.dispatched & bit != 0 && c.closed & bit == 0 => {
                c.closed |= bit;
                true
            }
            _ => false,
        }
    }

    fn take(&mut self, r: usize, p: u8) -> bool {
        let b = self.budget;
        let t = self.tokens.entry((r, p)).or_insert(Tokens {
            have: f64::from(b.burst),
            at: None,
        });
        if let Some(at) = t.at {
            let hours = (self.clock - at) as f64 / 3_600_000.0;
            t.have = (t.have + hours * f64::from(b.per_hour)).min(f64::from(b.burst));
        }
        t.at = Some(self.clock);
        // A tolerance for the float sum: the gate counts in exact units.
        if t.have >= 1.0 - 1e-9 {
            t.have -= 1.0;
            true
        } else {
            false
        }
    }

    #[allow(clippy::too_many_arguments)] // a sighting's parts, each named
    fn decide(
        &mut self,
        list: u8,
        plate: &str,
        p: u8,
        action: Action,
        time: u64,
        to: u8,
        delay: u64,
    ) -> Verdict {
        self.clock = self.clock.max(time);
        let mut v = Verdict::default();
        if to == 0 || action == Action::Drop {
            return v;
        }
        let mut full = 0u8;
        let mut stale = 0u8;
        for r in 0..2 {
            if self.max_delay[r].is_some_and(|m| delay > m * MIN)
                && action == Action::Dispatch
                && to & (1 << r) != 0
            {
                stale |= 1 << r;
            }
            if let Some(max) = self.max_open[r]
                && action == Action::Dispatch
                && (p == 1 || p == 2)
                && to & (1 << r) != 0
                && self.open(r, p) >= usize::from(max)
            {
                full |= 1 << r;
            }
        }
        let key = (list, plate.to_string());
        let open = self
            .cases
            .get(&key)
            .is_some_and(|c| c.first.abs_diff(time) < self.window);
        let late = self.cases.get(&key).is_some_and(|c| c.first > time) && !open;
        let mut scratch = Case {
            first: time,
            ..Case::default()
        };
        if !open {
            v.opened = true;
            let number = self.next_case;
            self.next_case += 1;
            if !late {
                self.cases.insert(
                    key.clone(),
                    Case {
                        number,
                        priority: p,
                        first: time,
                        last: time,
                        ..Case::default()
                    },
                );
            }
        } else if let Some(c) = self.cases.get_mut(&key) {
            v.previous = Some((c.last, None));
            c.last = c.last.max(time);
        }
        for r in 0..MAX_RECIPIENTS {
            let bit = 1u8 << r;
            if to & bit == 0 {
                continue;
            }
            let c = if late { &scratch } else { &self.cases[&key] };
            if c.dispatched & bit != 0 || (c.reviewed & bit != 0 && action == Action::Review) {
                v.update |= bit;
                continue;
            }
            let too_late = stale & bit != 0;
            let held = !too_late && full & bit != 0;
            let spent = !held
                && !too_late
                && action == Action::Dispatch
                && p != 0
                && r == 0
                && !self.take(r, p);
            let c = if late {
                &mut scratch
            } else {
                self.cases.get_mut(&key).unwrap()
            };
            if action == Action::Dispatch && !spent && !held && !too_late {
                v.dispatch |= bit;
                c.dispatched |= bit;
            } else if c.reviewed & bit != 0 {
                v.update |= bit;
            } else {
                v.review |= bit;
                c.reviewed |= bit;
                if spent {
                    v.throttled |= bit;
                }
                if held {
                    v.full |= bit;
                }
                if too_late {
                    v.late |= bit;
                }
            }
        }
        v
    }
}

/// list, plate index, priority, dispatch?, minutes forward, recipients,
/// minutes from the event to its arrival.
type Hit = (u8, u8, u8, bool, u64, u8, u64);

/// A sighting, or a recipient closing a case (`Err((case, recipient))`).
fn step() -> impl Strategy<Value = Result<Hit, (u32, usize)>> {
    prop_oneof![
        6 => sighting().prop_map(Ok),
        1 => (0u32..40, 0usize..3).prop_map(Err),
    ]
}

fn sighting() -> impl Strategy<Value = Hit> {
    // list, plate index, priority, dispatch?, minutes forward (mostly
    // forward, sometimes far back), recipients
    (
        0u8..2,
        0u8..6,
        0u8..3,
        prop::bool::weighted(0.8),
        prop_oneof![8 => 0u64..15, 1 => 0u64..200],
        0u8..8,
        prop_oneof![4 => Just(0u64), 1 => 0u64..40],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Same verdicts as the reference, closes included; every recipient
    /// gets each case at most once as a dispatch; priority 0 is never
    /// throttled nor held back.
    #[test]
    fn the_gate_agrees_with_the_reference(
        steps in prop::collection::vec(step(), 1..120),
        burst in 0u16..4,
        per_hour in 0u16..30,
        max_open in [prop::option::of(0u16..4), prop::option::of(0u16..4)],
        max_delay in [prop::option::of(0u64..30), prop::option::of(0u64..30)],
    ) {
        let budget = Budget { burst, per_hour };
        let mut config = GateConfig {
            window_ms: [(40 * MIN) as u32; Priority::COUNT],
            ..GateConfig::default()
        };
        config.budgets[0].0 = [Some(budget); Priority::COUNT];
        for (caps, max) in config.max_open.iter_mut().zip(max_open) {
            // P0's limit is set too: it must do nothing.
            *caps = OpenCaps([max, max, max, None, None]);
        }
        for (d, max) in config.max_delay_ms.iter_mut().zip(max_delay) {
            *d = max.map(|m| (m * MIN) as u32);
        }
        let mut table = [CaseSlot::EMPTY; 512];
        let mut gate = Gate::new(config, &mut table);
        let mut reference = Reference {
            window: 40 * MIN,
            budget,
            cases: HashMap::new(),
            tokens: HashMap::new(),
            clock: 0,
            max_open,
            max_delay,
            next_case: 0,
        };
        let plates = ["1AAA001", "1AAA002", "2BBB123", "XY12345", "1ABC999", "DE4567"];
        let mut time = 1_000 * MIN;
        let mut dispatched: HashMap<(u32, u8), u32> = HashMap::new();
        for step in steps {
            let (list, plate, p, dispatch, step, to, delay) = match step {
                Ok(hit) => hit,
                Err((case, r)) => {
                    prop_assert_eq!(gate.close(case, r), reference.close(case, r), "close {} {}", case, r);
                    continue;
                }
            };
            // A step of 15 minutes or more goes back in time: a late hit.
            time = if step < 15 { time + step * MIN } else { time.saturating_sub((step - 14) * MIN) };
            let action = if dispatch { Action::Dispatch } else { Action::Review };
            let plate_s = plates[usize::from(plate)];
            let s = Sighting {
                list: ListId(list),
                listed: Plate::normalize(plate_s.as_bytes()).unwrap(),
                country: None,
                priority: Priority::new(p).unwrap(),
                action,
                time,
                recipients: to,
                position: None,
            };
            let got = gate.decide_at(&s, time + delay * MIN);
            let want = reference.decide(list, plate_s, p, action, time, to, delay * MIN);
            prop_assert_eq!(
                (got.opened, got.dispatch, got.review, got.throttled, got.full, got.late, got.update, got.previous),
                (want.opened, want.dispatch, want.review, want.throttled, want.full, want.late, want.update, want.previous),
                "{:?}", s
            );
            prop_assert!(!got.evicted);
            if p == 0 {
                prop_assert_eq!((got.throttled, got.full), (0, 0));
            }
            for r in 0..2 {
                for q in 0..Priority::COUNT as u8 {
                    let n = gate.open(r, Priority::new(q).unwrap());
                    prop_assert_eq!(n, reference.open(r, q), "open {} P{}", r, q);
                }
            }
            for r in 0..8 {
                if got.dispatch & (1 << r) != 0 {
                    *dispatched.entry((got.case, r)).or_default() += 1;
                }
            }
        }
        prop_assert!(dispatched.values().all(|&n| n == 1));
    }
}
