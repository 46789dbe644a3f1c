//! The scenario's lists: which vehicles of the traffic stand on which
//! list, the many entries never seen, and the decoys, unlisted cars one
//! look-alike from a listed urgent plate.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use hitgate_core::{distance::Tolerance, list::ListSpec};

use super::GenOptions;
use super::plates::{Vehicle, canonical, look_alike, plate};
use crate::rng::Rng;

/// One list of the scenario.
pub(super) struct ListPlan {
    pub(super) name: &'static str,
    pub(super) spec: ListSpec,
    /// (priority, vehicles from traffic, entries never seen)
    pub(super) parts: Vec<(u8, usize, usize)>,
}

pub(super) fn plans(scale: f64) -> Vec<ListPlan> {
    let s = |n: f64| (n * scale).round() as usize;
    let tol = |ocr, edits| Tolerance {
        ocr,
        edits,
        min_len: 5,
    };
    vec![
        ListPlan {
            name: "wanted",
            spec: ListSpec {
                tolerance: tol(1, 1),
                local: false,
                evidence: None,
            },
            parts: vec![(0, 4, 16), (1, 8, 80)],
        },
        ListPlan {
            name: "stolen",
            spec: ListSpec {
                tolerance: tol(1, 0),
                local: false,
                evidence: None,
            },
            parts: vec![(1, 16, s(3_000.0))],
        },
        ListPlan {
            name: "insurance",
            spec: ListSpec {
                tolerance: tol(1, 0),
                local: false,
                evidence: None,
            },
            parts: vec![(2, 40, s(40_000.0))],
        },
        ListPlan {
            name: "inspection",
            spec: ListSpec {
                tolerance: Tolerance::EXACT,
                local: false,
                evidence: None,
            },
            parts: vec![(3, 30, s(30_000.0)), (4, 30, s(30_000.0))],
        },
        ListPlan {
            name: "local",
            spec: ListSpec {
                tolerance: tol(1, 0),
                local: true,
                evidence: None,
            },
            parts: vec![(2, 12, s(300.0))],
        },
    ]
}

/// A list entry of the scenario.
#[derive(Debug, Clone)]
pub(super) struct Listed {
    pub(super) plate: String,
    pub(super) country: Option<&'static str>,
    pub(super) priority: u8,
    pub(super) list: usize,
    pub(super) from: Option<u64>,
    pub(super) until: Option<u64>,
}

/// The lists drawn: the entries, which entries each traffic vehicle has,
/// and the traffic vehicles that stand on a list (sorted, once each).
pub(super) struct Drawn {
    pub(super) plans: Vec<ListPlan>,
    pub(super) listed: Vec<Listed>,
    pub(super) vehicle_entries: BTreeMap<usize, Vec<usize>>,
    pub(super) traffic_listed: Vec<usize>,
}

/// Draws the lists: some entries are vehicles in traffic, most are never
/// seen.
pub(super) fn draw(
    o: &GenOptions,
    rng: &mut Rng,
    vehicles: &[Vehicle],
    plates_seen: &mut BTreeSet<String>,
) -> Drawn {
    // Lists: some entries are vehicles in traffic, most are never seen.
    let plans = plans(o.list_scale);
    let mut listed: Vec<Listed> = Vec::new();
    let mut vehicle_entries: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut traffic_listed: Vec<usize> = Vec::new();
    let mut next_vehicle = 0usize; // vehicles 0.. are handed out to lists in turn
    let mut insurance_in_traffic: Vec<usize> = Vec::new();
    for (li, plan) in plans.iter().enumerate() {
        for &(priority, seen, unseen) in &plan.parts {
            for k in 0..seen {
                // The local list shares half its traffic vehicles with insurance.
                let v = if plan.name == "local" && k % 2 == 0 && !insurance_in_traffic.is_empty() {
                    insurance_in_traffic[k / 2 % insurance_in_traffic.len()]
                } else {
                    next_vehicle += 1;
                    next_vehicle - 1
                };
                if plan.name == "insurance" {
                    insurance_in_traffic.push(v);
                }
                let veh = &vehicles[v];
                let mut e = Listed {
                    plate: veh.plate.clone(),
                    country: if rng.chance(0.8) {
                        Some(veh.country)
                    } else {
                        None
                    },
                    priority,
                    list: li,
                    from: None,
                    until: None,
                };
                // Stolen cars carry the time they were reported; a few
                // entries have expired already.
                if plan.name == "stolen" {
                    let from = o.start - rng.range(3_600_000, 30 * 86_400_000);
                    e.from = Some(from);
                    if k % 8 == 7 {
                        // Ended after it began, and before the scenario.
                        e.until = Some(from + rng.range(60_000, o.start - from - 60_000));
                    }
                }
                vehicle_entries.entry(v).or_default().push(listed.len());
                listed.push(e);
                traffic_listed.push(v);
            }
            for _ in 0..unseen {
                let (printed, country) = plate(rng);
                let canon = canonical(&printed);
                if plates_seen.insert(canon.clone()) {
                    listed.push(Listed {
                        plate: canon,
                        country: if rng.chance(0.8) { Some(country) } else { None },
                        priority,
                        list: li,
                        from: None,
                        until: None,
                    });
                }
            }
        }
    }
    traffic_listed.sort_unstable();
    traffic_listed.dedup();

    Drawn {
        plans,
        listed,
        vehicle_entries,
        traffic_listed,
    }
}

/// Adds `o.decoys` decoy vehicles to `vehicles` and gives their indices; an
/// error if the scenario's urgent listed cars cannot give that many.
pub(super) fn decoys(
    o: &GenOptions,
    rng: &mut Rng,
    vehicles: &mut Vec<Vehicle>,
    d: &Drawn,
    plates_seen: &mut BTreeSet<String>,
) -> Result<Vec<usize>> {
    let (listed, vehicle_entries, traffic_listed) =
        (&d.listed, &d.vehicle_entries, &d.traffic_listed);
    // Decoys: unlisted cars one look-alike from a listed urgent plate, with
    // a plate their country issues (a car cannot carry a spelling no
    // plate has: that is a misread, not a decoy).
    let listed_plates: BTreeSet<&str> = listed.iter().map(|e| e.plate.as_str()).collect();
    let urgent: Vec<usize> = traffic_listed
        .iter()
        .copied()
        .filter(|v| vehicle_entries[v].iter().any(|&e| listed[e].priority <= 1))
        .collect();
    let mut decoys: Vec<usize> = Vec::new();
    let mut tries = 0;
    let most_tries = 10_000 + 20 * o.decoys;
    while decoys.len() < o.decoys && !urgent.is_empty() && tries < most_tries {
        tries += 1;
        let src = vehicles[*rng.pick(&urgent)].clone();
        let positions: Vec<usize> = src
            .printed
            .bytes()
            .enumerate()
            .filter(|(_, c)| look_alike(&mut Rng::new(0), *c).is_some())
            .map(|(i, _)| i)
            .collect();
        if positions.is_empty() {
            continue;
        }
        let at = *rng.pick(&positions);
        let mut printed = src.printed.clone().into_bytes();
        printed[at] = look_alike(rng, printed[at]).unwrap_or(printed[at]);
        let printed = String::from_utf8(printed).unwrap_or_default();
        let canon = canonical(&printed);
        if listed_plates.contains(canon.as_str())
            || plates_seen.contains(&canon)
            || !issued(&canon, src.country)
        {
            continue;
        }
        plates_seen.insert(canon.clone());
        vehicles.push(Vehicle {
            printed,
            plate: canon,
            country: src.country,
        });
        decoys.push(vehicles.len() - 1);
    }
    if decoys.len() < o.decoys {
        bail!(
            "--decoys {}: only {} look-alike cars could be made from the scenario's {} urgent listed cars; ask for fewer",
            o.decoys,
            decoys.len(),
            urgent.len()
        );
    }
    Ok(decoys)
}

/// Could `country` issue `plate` (see `hitgate_core::syntax`)?
fn issued(plate: &str, country: &str) -> bool {
    let country = hitgate_core::plate::Country::parse(country.as_bytes()).ok();
    hitgate_core::plate::Plate::normalize(plate.as_bytes())
        .is_ok_and(|p| hitgate_core::syntax::fits(&p, country))
}
