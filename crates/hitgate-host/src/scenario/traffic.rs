//! Traffic: passages of vehicles at cameras (background traffic following
//! the day's profile, trips of listed cars and decoys across cameras, a
//! mobile unit at its hotspot, a share read by the other lane's camera
//! too) and the frames each passage makes, as the cameras send them.

use anyhow::Result;
use serde::Serialize;

use super::GenOptions;
use super::plates::{Vehicle, ocr};
use crate::rng::Rng;
use crate::time::format_ts;

/// Vehicles an hour per lane at each hour of the day (UTC+1 traffic shape).
const PROFILE: [f64; 24] = [
    150.0, 100.0, 80.0, 80.0, 120.0, 350.0, 900.0, 1_700.0, 1_800.0, 1_300.0, 1_000.0, 950.0,
    1_000.0, 1_000.0, 1_050.0, 1_250.0, 1_600.0, 1_750.0, 1_400.0, 900.0, 650.0, 450.0, 300.0,
    200.0,
];

/// One passage of a vehicle at a camera.
#[derive(Debug, Clone)]
pub(super) struct PassagePlan {
    pub(super) vehicle: usize,
    pub(super) camera: usize,
    pub(super) time: u64,
}

/// One read line as written (ground truth in extra columns).
#[derive(Serialize)]
struct ReadLine<'a> {
    ts: String,
    camera: &'a str,
    plate: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<&'a str>,
    confidence: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    lat: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lon: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    arrival: Option<String>,
    truth: &'a str,
    vehicle: u64,
    passage: u64,
}

/// The cameras of a scenario: `cam-01`.. and the mobile unit last.
pub(super) struct Cameras {
    pub(super) names: Vec<String>,
    pub(super) mobile: Option<usize>,
}

impl Cameras {
    pub(super) fn of(o: &GenOptions) -> Self {
        let mut names: Vec<String> = (0..o.cameras)
            .map(|i| format!("cam-{:02}", i + 1))
            .collect();
        let mobile = if o.mobile {
            names.push("mobile-1".into());
            Some(names.len() - 1)
        } else {
            None
        };
        Self { names, mobile }
    }
}

/// When the mobile unit is out: the middle half of the recording.
pub(super) fn mobile_window(o: &GenOptions) -> (u64, u64) {
    let span_ms = o.span_ms();
    (o.start + span_ms / 4, o.start + span_ms * 3 / 4)
}

/// The passages, in time order: background traffic per lane following the
/// profile (of the first `population` vehicles), and trips of `travellers`
/// (listed vehicles and decoys) across cameras, some coming back.
pub(super) fn passages(
    o: &GenOptions,
    rng: &mut Rng,
    cams: &Cameras,
    population: usize,
    travellers: &[usize],
) -> Vec<PassagePlan> {
    let span_ms = o.span_ms();
    let end = o.start + span_ms;
    let (cameras, mobile) = (&cams.names, cams.mobile);
    let mut plans_p: Vec<PassagePlan> = Vec::new();
    let mobile_on = mobile_window(o);
    for cam in 0..cameras.len() {
        let is_mobile = Some(cam) == mobile;
        let mut t = o.start as f64;
        loop {
            let hour = ((t as u64 / 3_600_000 + 1) % 24) as usize;
            let rate = PROFILE[hour] * o.volume * if is_mobile { 0.4 } else { 1.0 };
            t += rng.exp(3_600_000.0 / rate.max(1.0));
            let tt = t as u64;
            if tt >= end {
                break;
            }
            if is_mobile && !(mobile_on.0..mobile_on.1).contains(&tt) {
                continue;
            }
            let v = rng.below(population as u64) as usize;
            plans_p.push(PassagePlan {
                vehicle: v,
                camera: cam,
                time: tt,
            });
        }
    }
    let fixed = o.cameras.max(1);
    for &v in travellers {
        let trips = 1 + rng.below(2);
        let mut t = o.start + rng.below(span_ms.max(1));
        for _ in 0..trips {
            let mut cam = rng.below(fixed as u64) as usize;
            for _ in 0..1 + rng.below(3) {
                if t >= end {
                    break;
                }
                plans_p.push(PassagePlan {
                    vehicle: v,
                    camera: cam.min(cameras.len() - 1),
                    time: t,
                });
                cam = (cam + 1) % fixed;
                t += rng.range(90_000, 420_000);
            }
            t += rng.range(10 * 60_000, 70 * 60_000);
        }
        // Some pass the mobile unit while it stands at its hotspot.
        if let Some(m) = mobile
            && rng.chance(0.3)
        {
            let tm = rng.range(mobile_on.0, mobile_on.1.saturating_sub(1).max(mobile_on.0));
            plans_p.push(PassagePlan {
                vehicle: v,
                camera: m,
                time: tm,
            });
        }
    }
    // Cameras in pairs (cam-01 and cam-02, cam-03 and cam-04, ...) watch
    // two lanes of one road: a car changing lanes, or wide in its lane, is
    // read by both.
    let mut twice: Vec<PassagePlan> = Vec::new();
    for p in plans_p.iter().filter(|p| Some(p.camera) != mobile) {
        let other = p.camera ^ 1;
        if other < fixed && rng.chance(ADJACENT_LANE) {
            twice.push(PassagePlan {
                vehicle: p.vehicle,
                camera: other,
                time: p.time + rng.range(50, 400),
            });
        }
    }
    plans_p.extend(twice);
    plans_p.sort_by_key(|p| (p.time, p.camera, p.vehicle));

    plans_p
}

/// The share of passages at a fixed camera that the camera of the other
/// lane reads too.
const ADJACENT_LANE: f64 = 0.05;

/// What the frames of one passage were: when the first arrived at the
/// unit, and the event time of the last.
pub(super) struct Framed {
    pub(super) first_arrival: u64,
    pub(super) last: u64,
    pub(super) frames: u32,
}

/// A fixed camera's uplink delay, ms: fixed per camera in this range (the
/// spread of ordinary roadside links)...
const DELAY_MS: (u64, u64) = (200, 3_300);
/// ...plus up to this much jitter a read...
const JITTER_MS: u64 = 600;
/// ...and, for this share of reads, a stall of the link of up to
/// `STALL_MS` that holds back the reads behind it too: a connection keeps
/// one camera's reads in order.
const STALL: (f64, u64) = (0.03, 3_000);

/// One frame before it is written.
struct Frame<'a> {
    camera: usize,
    time: u64,
    arrival: u64,
    passage: usize,
    line: ReadLine<'a>,
}

/// The frames of every passage as JSON lines, in arrival order, and what
/// each passage's frames were. Each camera's reads reach the unit after
/// its own delay plus jitter, in the order it made them; the mobile
/// unit's reads made in its uplink gap arrive in one batch at the gap's
/// end. The `arrival` field is written only when asked for.
pub(super) fn frames(
    o: &GenOptions,
    rng: &mut Rng,
    cams: &Cameras,
    vehicles: &[Vehicle],
    plans_p: &[PassagePlan],
) -> Result<(Vec<String>, Vec<Framed>)> {
    let span_ms = o.span_ms();
    let (cameras, mobile) = (&cams.names, cams.mobile);
    // Uplink gap of the mobile unit: what it saw in the gap arrives at its end.
    let gap = (o.start + span_ms * 2 / 5, o.start + span_ms * 11 / 20);
    let window = mobile_window(o);
    let delays: Vec<u64> = cameras
        .iter()
        .map(|_| rng.range(DELAY_MS.0, DELAY_MS.1))
        .collect();

    let mut out: Vec<Frame<'_>> = Vec::new();
    for (pid, pp) in plans_p.iter().enumerate() {
        let veh = &vehicles[pp.vehicle];
        let frames = if rng.chance(o.single_frame) {
            1
        } else {
            2 + rng.below(4) as usize
        };
        let is_mobile = Some(pp.camera) == mobile;
        let in_gap = is_mobile && (gap.0..gap.1).contains(&pp.time);
        let mut t = pp.time;
        for _ in 0..frames {
            let arrival = if in_gap {
                gap.1 + rng.below(20_000)
            } else {
                let stall = if rng.chance(STALL.0) {
                    rng.below(STALL.1 + 1)
                } else {
                    0
                };
                t + delays[pp.camera] + rng.below(JITTER_MS + 1) + stall
            };
            let read = ocr(rng, &veh.printed, o.error_rate);
            let (lat, lon) = if is_mobile {
                // Where the unit stood when the passage began.
                let stop = super::zone::mobile_stop(window, pp.time);
                (
                    Some(stop.0 + rng.unit() * 1e-4),
                    Some(stop.1 + rng.unit() * 1e-4),
                )
            } else {
                (None, None)
            };
            let line = ReadLine {
                ts: format_ts(t),
                camera: &cameras[pp.camera],
                plate: read,
                country: if rng.chance(0.7) {
                    Some(veh.country)
                } else {
                    None
                },
                confidence: rng.range(55, 99) as u8,
                lat: lat.map(|x| (x * 1e6).round() / 1e6),
                lon: lon.map(|x| (x * 1e6).round() / 1e6),
                arrival: None,
                truth: &veh.plate,
                vehicle: pp.vehicle as u64,
                passage: pid as u64,
            };
            out.push(Frame {
                camera: pp.camera,
                time: t,
                arrival,
                passage: pid,
                line,
            });
            t += rng.range(60, 250);
        }
    }
    in_camera_order(&mut out);

    let mut framed: Vec<Framed> = plans_p
        .iter()
        .map(|pp| Framed {
            first_arrival: u64::MAX,
            last: pp.time,
            frames: 0,
        })
        .collect();
    for f in &out {
        let p = &mut framed[f.passage];
        p.first_arrival = p.first_arrival.min(f.arrival);
        p.last = p.last.max(f.time);
        p.frames += 1;
    }
    out.sort_by_key(|f| (f.arrival, f.time));
    let mut lines = Vec::with_capacity(out.len());
    for mut f in out {
        if o.arrival_field {
            f.line.arrival = Some(format_ts(f.arrival));
        }
        let mut json = serde_json::to_string(&f.line)?;
        if o.bad_lines > 0.0 && rng.chance(o.bad_lines) {
            json = match rng.below(3) {
                0 => json[..json.len() / 2].to_string(),
                1 => json.replacen("\"camera\"", "\"kamera\"", 1),
                _ => json.replacen("\"ts\":\"2", "\"ts\":\"x", 1),
            };
        }
        lines.push(json);
    }
    Ok((lines, framed))
}

/// A camera's reads arrive in the order it made them: each arrives no
/// earlier than the one made before it at the same camera.
fn in_camera_order(frames: &mut [Frame<'_>]) {
    let mut order: Vec<usize> = (0..frames.len()).collect();
    order.sort_by_key(|&i| (frames[i].camera, frames[i].time, i));
    let mut before: Option<(usize, u64)> = None;
    for i in order {
        let f = &mut frames[i];
        if let Some((camera, arrival)) = before
            && camera == f.camera
        {
            f.arrival = f.arrival.max(arrival);
        }
        before = Some((f.camera, f.arrival));
    }
}
