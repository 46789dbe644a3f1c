//! Ground truth, labelled independently of the core: for each passage of a
//! listed vehicle or a decoy, what an ideal filter under the scenario's
//! policy would do. This is the oracle `hitgate eval` scores against, so
//! it restates the matrix (priorities 0 and 1 dispatched, 2 when also on a
//! local list, at a hotspot, on the Grand-Place in the morning rush, or at
//! the operation's camera in its window),
//! the lateness, the re-alert window and the zone gate's recipients in
//! its own few lines, from the
//! generator's knowledge of every vehicle and of where the cameras stood,
//! and uses nothing of hitgate-core's decisions.

use std::collections::{BTreeMap, BTreeSet};

use hitgate_core::unit::Config;

use super::lists::{Drawn, Listed};
use super::plates::Vehicle;
use super::traffic::{Framed, PassagePlan};
use crate::formats::TruthPassage;
use crate::time::format_ts;

/// Labels every passage of a listed vehicle or a decoy, in passage order.
pub(super) fn label(
    o: &super::GenOptions,
    cams: &super::traffic::Cameras,
    vehicles: &[Vehicle],
    drawn: &Drawn,
    decoys: &[usize],
    plans_p: &[PassagePlan],
    framed: &[Framed],
) -> Vec<TruthPassage> {
    let (plans, listed, vehicle_entries) = (&drawn.plans, &drawn.listed, &drawn.vehicle_entries);
    let decoy_set: BTreeSet<usize> = decoys.iter().copied().collect();
    let cameras = &cams.names;
    let window = super::traffic::mobile_window(o);
    let (op_start, op_end) = super::zone::operation(o);
    let cfg = Config::default();
    let mut last_dispatch: BTreeMap<usize, u64> = BTreeMap::new();
    let mut truth: Vec<TruthPassage> = Vec::new();
    for (pid, (pp, fr)) in plans_p.iter().zip(framed).enumerate() {
        let veh = &vehicles[pp.vehicle];
        let on_list: Vec<&Listed> = vehicle_entries
            .get(&pp.vehicle)
            .map(|es| {
                es.iter()
                    .map(|&e| &listed[e])
                    .filter(|e| {
                        e.from.is_none_or(|f| pp.time >= f) && e.until.is_none_or(|u| pp.time < u)
                    })
                    .collect()
            })
            .unwrap_or_default();
        let decoy = decoy_set.contains(&pp.vehicle);
        if on_list.is_empty() && !decoy {
            continue;
        }
        let priority = on_list.iter().map(|e| e.priority).min();
        let local = on_list.iter().any(|e| plans[e.list].spec.local);
        let late = fr.first_arrival.saturating_sub(pp.time) > u64::from(cfg.max_lateness_ms);
        // Where the passage was: the mobile unit's stop, or the camera's.
        let at = if Some(pp.camera) == cams.mobile {
            super::zone::mobile_stop(window, pp.time)
        } else {
            super::zone::camera(pp.camera)
        };
        let in_operation = cameras[pp.camera] == super::zone::OPERATION_CAMERA
            && (op_start..op_end).contains(&pp.time);
        let rush_place = super::zone::at_grand_place(at) && super::zone::in_rush(pp.time);
        let wants_dispatch = match priority {
            Some(0 | 1) => true,
            Some(2) => local || super::zone::at_hotspot(at) || in_operation || rush_place,
            _ => false,
        };
        // The recipients of the rule that dispatches it, in the rules'
        // order: the operation, the hotspots, then the local list.
        let recipients: &[&str] = match priority {
            _ if !wants_dispatch => &[],
            Some(2) if in_operation => &["zone-dispatch", "wpr"],
            Some(2) if super::zone::at_hotspot(at) || rush_place => &["zone-dispatch"],
            Some(2) => &["local-team"],
            _ => &["zone-dispatch", "wpr"],
        };
        let expect = if decoy {
            "none"
        } else if !wants_dispatch {
            "drop"
        } else if last_dispatch
            .get(&pp.vehicle)
            .is_some_and(|&t| pp.time.abs_diff(t) < u64::from(cfg.realert_window_ms[0]))
        {
            "repeat"
        } else if late {
            "review"
        } else {
            last_dispatch.insert(pp.vehicle, pp.time);
            "dispatch"
        };
        let mut lists: Vec<String> = on_list
            .iter()
            .map(|e| plans[e.list].name.to_string())
            .collect();
        lists.sort();
        lists.dedup();
        truth.push(TruthPassage {
            passage: pid as u64,
            camera: cameras[pp.camera].clone(),
            first: format_ts(pp.time),
            last: format_ts(fr.last),
            plate: veh.plate.clone(),
            vehicle: pp.vehicle as u64,
            decoy,
            priority,
            lists,
            local,
            late,
            frames: fr.frames,
            expect: expect.into(),
            recipients: recipients.iter().map(|r| r.to_string()).collect(),
        });
    }
    truth
}
