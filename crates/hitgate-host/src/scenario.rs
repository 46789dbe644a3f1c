//! The scenario generator: synthetic traffic a police zone would recognise.
//!
//! Fixed cameras (one per lane) and a mobile unit at a hotspot; traffic that
//! follows a daily profile (a few hundred vehicles an hour per lane at night,
//! up to about 1,800 at the morning peak); Belgian plates in current and
//! older formats, category plates, and Dutch, French, German and Luxembourg
//! plates; cars that pass several cameras and come back; several frames per
//! passage; an OCR error model (look-alike substitutions weighted by the
//! confusion classes, dropped and extra characters); a late batch after an
//! uplink gap of the mobile unit; watchlists of realistic sizes (small urgent
//! lists, large administrative ones, the zone's local list); and decoys:
//! unlisted cars one look-alike character away from a listed plate.
//!
//! Seeded and deterministic: the same options give the same bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use hitgate_core::confusion::DEFAULT_CLASSES;
use hitgate_core::{distance::Tolerance, list::ListSpec, unit::Config};
use serde::{Deserialize, Serialize};

use crate::policy_file::{ListDecl, brussels_toml};
use crate::rng::Rng;
use crate::time::{format_ts, parse_ts};

/// Generator settings.
#[derive(Debug, Clone)]
pub struct GenOptions {
    /// Seed.
    pub seed: u64,
    /// Start of the recording (ms since the epoch).
    pub start: u64,
    /// Length, hours.
    pub hours: f64,
    /// Fixed cameras (lanes).
    pub cameras: usize,
    /// Whether a mobile unit takes part.
    pub mobile: bool,
    /// Per-character OCR error rate.
    pub error_rate: f64,
    /// Traffic volume factor (1.0: the daily profile as is).
    pub volume: f64,
    /// List size factor for the large lists (1.0: tens of thousands).
    pub list_scale: f64,
    /// Decoy vehicles.
    pub decoys: usize,
    /// Share of lines written malformed (bad JSON, missing field, bad time).
    pub bad_lines: f64,
}

impl GenOptions {
    /// A named preset: `demo` (two morning hours), `day` (24 hours),
    /// `small` (20 minutes, for tests).
    pub fn preset(name: &str) -> Option<Self> {
        let base = Self {
            seed: 1,
            start: parse_ts("2026-01-05T07:00:00Z").ok()?,
            hours: 2.0,
            cameras: 4,
            mobile: true,
            error_rate: 0.02,
            volume: 1.0,
            list_scale: 1.0,
            decoys: 12,
            bad_lines: 0.0,
        };
        match name {
            "demo" => Some(base),
            "day" => Some(Self {
                start: parse_ts("2026-01-05T00:00:00Z").ok()?,
                hours: 24.0,
                ..base
            }),
            "small" => Some(Self {
                hours: 1.0 / 3.0,
                cameras: 2,
                volume: 0.3,
                list_scale: 0.05,
                decoys: 4,
                ..base
            }),
            _ => None,
        }
    }

    /// Checks the settings before anything is generated: each in its range,
    /// and a scenario this machine can hold (at most [`MAX_PASSAGES`]
    /// expected passages and [`MAX_ENTRIES`] list entries). The error names
    /// the option.
    pub fn check(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.error_rate) || !(0.0..=1.0).contains(&self.bad_lines) {
            bail!("--error-rate and --bad-lines must be between 0 and 1");
        }
        if !(self.hours > 0.0 && self.hours <= 24.0 * 31.0) {
            bail!("--hours must be in (0, 744]");
        }
        if self.cameras == 0 || self.cameras > MAX_CAMERAS {
            bail!("--cameras must be 1 to {MAX_CAMERAS}");
        }
        if !(self.volume > 0.0 && self.volume.is_finite()) {
            bail!("--volume must be a number above 0");
        }
        if !(self.list_scale >= 0.0 && self.list_scale.is_finite()) {
            bail!("--list-scale must be a number, 0 or more");
        }
        if self.decoys > MAX_DECOYS {
            bail!("--decoys {}: at most {MAX_DECOYS}", self.decoys);
        }
        let passages = self.expected_passages();
        if passages > MAX_PASSAGES as f64 {
            bail!(
                "--volume {} x --cameras {} x --hours {} expects {passages:.0} passages; at most {MAX_PASSAGES}",
                self.volume,
                self.cameras,
                self.hours
            );
        }
        let entries: usize = plans(self.list_scale)
            .iter()
            .flat_map(|p| p.parts.iter().map(|part| part.2))
            .sum();
        if entries > MAX_ENTRIES {
            bail!(
                "--list-scale {} makes {entries} list entries; at most {MAX_ENTRIES}",
                self.list_scale
            );
        }
        Ok(())
    }

    /// Passages of the background traffic the settings expect (summed
    /// camera by camera, as scenarios have always been sized).
    fn expected_passages(&self) -> f64 {
        (0..self.cameras)
            .map(|_| self.volume * 1_000.0 * self.hours)
            .sum()
    }
}

/// Most fixed cameras a scenario has.
pub const MAX_CAMERAS: usize = 1_000;
/// The most decoy cars a scenario asks for.
pub const MAX_DECOYS: usize = 10_000;
/// Most background passages a scenario is expected to have (about three
/// reads each, some 160 bytes a read).
pub const MAX_PASSAGES: u64 = 20_000_000;
/// Most list entries a scenario has: the distinct random plates it draws
/// stay a small share of all Belgian plates of the current format.
pub const MAX_ENTRIES: usize = 5_000_000;

/// Vehicles an hour per lane at each hour of the day (UTC+1 traffic shape).
const PROFILE: [f64; 24] = [
    150.0, 100.0, 80.0, 80.0, 120.0, 350.0, 900.0, 1_700.0, 1_800.0, 1_300.0, 1_000.0, 950.0,
    1_000.0, 1_000.0, 1_050.0, 1_250.0, 1_600.0, 1_750.0, 1_400.0, 900.0, 650.0, 450.0, 300.0,
    200.0,
];

const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// A vehicle: its plate as printed (with separators) and its country.
#[derive(Debug, Clone)]
struct Vehicle {
    printed: String,
    plate: String,
    country: &'static str,
}

fn pick_str(rng: &mut Rng, set: &[u8], n: usize) -> String {
    (0..n).map(|_| *rng.pick(set) as char).collect()
}

/// A plate in one of the formats on Brussels roads.
fn plate(rng: &mut Rng) -> (String, &'static str) {
    let r = rng.below(1000);
    let l = |rng: &mut Rng, n| pick_str(rng, LETTERS, n);
    let d = |rng: &mut Rng, n| pick_str(rng, DIGITS, n);
    match r {
        // Belgian current format: 1-ABC-234, 2-ABC-234 since 2021.
        0..=679 => {
            let first = if rng.chance(0.3) { '2' } else { '1' };
            (format!("{first}-{}-{}", l(rng, 3), d(rng, 3)), "BE")
        }
        // Older Belgian formats: ABC-123 (1973-2008), 123-ABC (2008-2010).
        680..=739 => (format!("{}-{}", l(rng, 3), d(rng, 3)), "BE"),
        740..=769 => (format!("{}-{}", d(rng, 3), l(rng, 3)), "BE"),
        // Category plates: motorcycles, oldtimers, taxis, dealers...
        770..=799 => {
            let c = *rng.pick(b"MWOTZQ") as char;
            (format!("{c}-{}-{}", l(rng, 3), d(rng, 3)), "BE")
        }
        // Netherlands.
        800..=869 => match rng.below(3) {
            0 => (format!("{}-{}-{}", l(rng, 2), d(rng, 3), l(rng, 1)), "NL"),
            1 => (format!("{}-{}-{}", d(rng, 2), l(rng, 3), d(rng, 1)), "NL"),
            _ => (format!("{}-{}-{}", l(rng, 2), d(rng, 2), l(rng, 2)), "NL"),
        },
        // France.
        870..=929 => (format!("{}-{}-{}", l(rng, 2), d(rng, 3), l(rng, 2)), "FR"),
        // Germany.
        930..=974 => {
            let (a, b) = (1 + rng.below(2) as usize, 3 + rng.below(2) as usize);
            (format!("{}-{} {}", l(rng, a), l(rng, 2), d(rng, b)), "DE")
        }
        // Luxembourg.
        _ => (format!("{} {}", l(rng, 2), d(rng, 4)), "LU"),
    }
}

fn canonical(printed: &str) -> String {
    printed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// A look-alike of `c` from its confusion class, if it has one.
fn look_alike(rng: &mut Rng, c: u8) -> Option<u8> {
    let class = DEFAULT_CLASSES.iter().find(|k| k.as_bytes().contains(&c))?;
    let others: Vec<u8> = class.bytes().filter(|&o| o != c).collect();
    Some(*rng.pick(&others))
}

/// What the camera emits for a printed plate: look-alike substitutions (most
/// errors), other substitutions, dropped and extra characters; separators as
/// printed or as spaces, sometimes lower case.
fn ocr(rng: &mut Rng, printed: &str, rate: f64) -> String {
    let mut out = String::new();
    for c in printed.bytes() {
        if !c.is_ascii_alphanumeric() {
            out.push(if rng.chance(0.3) { ' ' } else { c as char });
            continue;
        }
        if rng.chance(rate) {
            let r = rng.unit();
            if r < 0.7 {
                // A look-alike where the character has one, else any.
                let sub = look_alike(rng, c).unwrap_or_else(|| *rng.pick(ALNUM));
                out.push(sub as char);
            } else if r < 0.85 {
                out.push(*rng.pick(ALNUM) as char);
            } else if r < 0.95 {
                // dropped
            } else {
                out.push(c as char);
                out.push(*rng.pick(ALNUM) as char);
            }
        } else {
            out.push(c as char);
        }
    }
    if out.bytes().all(|b| !b.is_ascii_alphanumeric()) {
        return printed.to_string();
    }
    if rng.chance(0.05) {
        out.to_lowercase()
    } else {
        out
    }
}

/// One list of the scenario.
struct ListPlan {
    name: &'static str,
    spec: ListSpec,
    /// (priority, vehicles from traffic, entries never seen)
    parts: Vec<(u8, usize, usize)>,
}

fn plans(scale: f64) -> Vec<ListPlan> {
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
            },
            parts: vec![(0, 4, 16), (1, 8, 80)],
        },
        ListPlan {
            name: "stolen",
            spec: ListSpec {
                tolerance: tol(1, 0),
                local: false,
            },
            parts: vec![(1, 16, s(3_000.0))],
        },
        ListPlan {
            name: "insurance",
            spec: ListSpec {
                tolerance: tol(1, 0),
                local: false,
            },
            parts: vec![(2, 40, s(40_000.0))],
        },
        ListPlan {
            name: "inspection",
            spec: ListSpec {
                tolerance: Tolerance::EXACT,
                local: false,
            },
            parts: vec![(3, 30, s(30_000.0)), (4, 30, s(30_000.0))],
        },
        ListPlan {
            name: "local",
            spec: ListSpec {
                tolerance: tol(1, 0),
                local: true,
            },
            parts: vec![(2, 12, s(300.0))],
        },
    ]
}

/// A list entry of the scenario.
#[derive(Debug, Clone)]
struct Listed {
    plate: String,
    country: Option<&'static str>,
    priority: u8,
    list: usize,
    from: Option<u64>,
    until: Option<u64>,
}

/// One passage of a vehicle at a camera.
#[derive(Debug, Clone)]
struct PassagePlan {
    vehicle: usize,
    camera: usize,
    time: u64,
}

/// One line of `truth.jsonl`: a passage of a listed vehicle or a decoy.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TruthPassage {
    /// Passage id (as in the reads' `passage` column).
    pub passage: u64,
    /// Camera.
    pub camera: String,
    /// Event time of the first and last frame (RFC 3339).
    pub first: String,
    /// Last frame.
    pub last: String,
    /// The vehicle's real plate (canonical).
    pub plate: String,
    /// Vehicle id.
    pub vehicle: u64,
    /// A decoy: unlisted, one look-alike from a listed plate.
    pub decoy: bool,
    /// Best priority among the lists the vehicle is validly on.
    pub priority: Option<u8>,
    /// Those lists.
    pub lists: Vec<String>,
    /// Whether it is also on a local list.
    pub local: bool,
    /// Arrived more than the maximum lateness after the first frame.
    pub late: bool,
    /// What an ideal filter under the Brussels baseline does: `dispatch`,
    /// `review` (late), `repeat` (dispatched within the re-alert window
    /// before), `drop`, or `none` (a decoy).
    pub expect: String,
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

/// What `generate` wrote.
#[derive(Debug, Clone, Default)]
pub struct GenSummary {
    /// Read lines.
    pub reads: usize,
    /// Passages.
    pub passages: usize,
    /// List entries.
    pub entries: usize,
    /// Passages of listed vehicles.
    pub listed_passages: usize,
    /// Decoy passages.
    pub decoy_passages: usize,
}

/// Writes `reads.jsonl`, `lists.csv`, `policy.toml` and `truth.jsonl`.
pub fn generate(o: &GenOptions, out: &Path) -> Result<GenSummary> {
    o.check()?;
    std::fs::create_dir_all(out).with_context(|| format!("{}: cannot create", out.display()))?;
    let mut rng = Rng::new(o.seed);
    let span_ms = (o.hours * 3_600_000.0) as u64;
    let end = o.start + span_ms;
    let mut cameras: Vec<String> = (0..o.cameras)
        .map(|i| format!("cam-{:02}", i + 1))
        .collect();
    let mobile = if o.mobile {
        cameras.push("mobile-1".into());
        Some(cameras.len() - 1)
    } else {
        None
    };

    // Vehicles: background population first.
    let expected_passages = o.expected_passages();
    let population = ((expected_passages * 0.5) as usize).max(2_000);
    let mut vehicles: Vec<Vehicle> = Vec::with_capacity(population + 1_000);
    let mut plates_seen: BTreeSet<String> = BTreeSet::new();
    while vehicles.len() < population {
        let (printed, country) = plate(&mut rng);
        let canon = canonical(&printed);
        if plates_seen.insert(canon.clone()) {
            vehicles.push(Vehicle {
                printed,
                plate: canon,
                country,
            });
        }
    }

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
                    e.from = Some(o.start - rng.range(3_600_000, 30 * 86_400_000));
                    if k % 8 == 7 {
                        e.until = Some(o.start - rng.range(60_000, 86_400_000));
                    }
                }
                vehicle_entries.entry(v).or_default().push(listed.len());
                listed.push(e);
                traffic_listed.push(v);
            }
            for _ in 0..unseen {
                let (printed, country) = plate(&mut rng);
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

    // Decoys: unlisted cars one look-alike from a listed urgent plate.
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
        printed[at] = look_alike(&mut rng, printed[at]).unwrap_or(printed[at]);
        let printed = String::from_utf8(printed).unwrap_or_default();
        let canon = canonical(&printed);
        if listed_plates.contains(canon.as_str()) || plates_seen.contains(&canon) {
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
    let decoy_set: BTreeSet<usize> = decoys.iter().copied().collect();

    // Passages: background traffic per lane following the profile, and trips
    // of listed vehicles and decoys across cameras, some coming back.
    let mut plans_p: Vec<PassagePlan> = Vec::new();
    let mobile_on = (o.start + span_ms / 4, o.start + span_ms * 3 / 4);
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
    for &v in traffic_listed.iter().chain(decoys.iter()) {
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
    plans_p.sort_by_key(|p| (p.time, p.camera, p.vehicle));

    // Uplink gap of the mobile unit: what it saw in the gap arrives at its end.
    let gap = (o.start + span_ms * 2 / 5, o.start + span_ms * 11 / 20);
    let hotspot = (50.8467, 4.3525);

    // Frames.
    let mut lines: Vec<(u64, u64, usize, String)> = Vec::new(); // (arrival, ts, seq, json)
    let mut truth: Vec<TruthPassage> = Vec::new();
    let cfg = Config::default();
    let mut last_dispatch: BTreeMap<usize, u64> = BTreeMap::new();
    let mut seq = 0usize;
    for (pid, pp) in plans_p.iter().enumerate() {
        let veh = &vehicles[pp.vehicle];
        let frames = 2 + rng.below(4) as usize;
        let is_mobile = Some(pp.camera) == mobile;
        let in_gap = is_mobile && (gap.0..gap.1).contains(&pp.time);
        let mut t = pp.time;
        let mut first_arrival = None;
        let mut last = t;
        for _ in 0..frames {
            // Live reads arrive as they are made; the gap's in one batch.
            let arrival = if in_gap { gap.1 + rng.below(20_000) } else { t };
            first_arrival.get_or_insert(arrival);
            let read = ocr(&mut rng, &veh.printed, o.error_rate);
            let (lat, lon) = if is_mobile {
                (
                    Some(hotspot.0 + rng.unit() * 1e-4),
                    Some(hotspot.1 + rng.unit() * 1e-4),
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
                arrival: (arrival > t).then(|| format_ts(arrival)),
                truth: &veh.plate,
                vehicle: pp.vehicle as u64,
                passage: pid as u64,
            };
            let mut json = serde_json::to_string(&line)?;
            if o.bad_lines > 0.0 && rng.chance(o.bad_lines) {
                json = match rng.below(3) {
                    0 => json[..json.len() / 2].to_string(),
                    1 => json.replacen("\"camera\"", "\"kamera\"", 1),
                    _ => json.replacen("\"ts\":\"2", "\"ts\":\"x", 1),
                };
            }
            lines.push((arrival, t, seq, json));
            seq += 1;
            last = t;
            t += rng.range(60, 250);
        }
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
        let late = first_arrival.unwrap_or(pp.time).saturating_sub(pp.time)
            > u64::from(cfg.max_lateness_ms);
        let wants_dispatch = match priority {
            Some(0 | 1) => true,
            Some(2) => local,
            _ => false,
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
            last: format_ts(last),
            plate: veh.plate.clone(),
            vehicle: pp.vehicle as u64,
            decoy,
            priority,
            lists,
            local,
            late,
            expect: expect.into(),
        });
    }
    lines.sort_by_key(|l| (l.0, l.1, l.2));

    // Write.
    let mut reads = String::with_capacity(lines.len() * 160);
    for (_, _, _, json) in &lines {
        reads.push_str(json);
        reads.push('\n');
    }
    std::fs::write(out.join("reads.jsonl"), reads).context("cannot write reads.jsonl")?;
    let mut csv = String::from("plate,country,priority,list,valid_from,valid_until\n");
    for e in &listed {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{}",
            e.plate,
            e.country.unwrap_or(""),
            e.priority,
            plans[e.list].name,
            e.from.map(format_ts).unwrap_or_default(),
            e.until.map(format_ts).unwrap_or_default()
        );
    }
    std::fs::write(out.join("lists.csv"), csv).context("cannot write lists.csv")?;
    let decls: Vec<ListDecl> = plans
        .iter()
        .map(|p| ListDecl {
            name: p.name.into(),
            spec: p.spec,
        })
        .collect();
    std::fs::write(out.join("policy.toml"), brussels_toml(&decls, &cfg))
        .context("cannot write policy.toml")?;
    let mut t = String::new();
    for p in &truth {
        t.push_str(&serde_json::to_string(p)?);
        t.push('\n');
    }
    std::fs::write(out.join("truth.jsonl"), t).context("cannot write truth.jsonl")?;
    Ok(GenSummary {
        reads: lines.len(),
        passages: plans_p.len(),
        entries: listed.len(),
        listed_passages: truth.iter().filter(|p| !p.decoy).count(),
        decoy_passages: truth.iter().filter(|p| p.decoy).count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocr_noise_follows_the_rate() {
        let mut rng = Rng::new(3);
        let printed = "1-ABC-234";
        let read = |rng: &mut Rng, rate| canonical(&ocr(rng, printed, rate)).to_uppercase();
        assert!((0..2_000).all(|_| read(&mut rng, 0.0) == "1ABC234"));
        let same_class = |a: u8, b: u8| {
            DEFAULT_CLASSES
                .iter()
                .any(|k| k.as_bytes().contains(&a) && k.as_bytes().contains(&b))
        };
        let (mut changed, mut alike) = (0, 0);
        for _ in 0..2_000 {
            let r = read(&mut rng, 0.1);
            if r != "1ABC234" {
                changed += 1;
                let only_look_alikes = r.len() == 7
                    && r.bytes()
                        .zip(b"1ABC234".iter())
                        .all(|(a, &b)| a == b || same_class(a, b));
                alike += usize::from(only_look_alikes);
            }
        }
        // 7 characters at 10 %: 1 - 0.9^7 = 52 % of plates change (1,043 of
        // 2,000). Three of them (1, B, 2) have look-alikes, taken in 70 % of
        // their errors: only look-alike changes with probability
        // 0.97^3 * 0.9^4 - 0.9^7 = 12 % (241 of 2,000).
        assert!((950..1_150).contains(&changed), "{changed}");
        assert!((190..300).contains(&alike), "{alike}");
    }

    #[test]
    fn settings_out_of_range_are_refused_by_name_before_any_work() {
        let base = GenOptions::preset("small").unwrap();
        base.check().unwrap();
        let cases: [(&str, GenOptions); 8] = [
            (
                "--hours",
                GenOptions {
                    hours: 0.0,
                    ..base.clone()
                },
            ),
            (
                "--cameras",
                GenOptions {
                    cameras: 0,
                    ..base.clone()
                },
            ),
            (
                "--cameras",
                GenOptions {
                    cameras: MAX_CAMERAS + 1,
                    ..base.clone()
                },
            ),
            (
                "--volume",
                GenOptions {
                    volume: f64::NAN,
                    ..base.clone()
                },
            ),
            // 1,000 cameras x 30 x 1,000 an hour x 1 hour: 30 million passages.
            (
                "--volume",
                GenOptions {
                    cameras: 1_000,
                    volume: 30.0,
                    hours: 1.0,
                    ..base.clone()
                },
            ),
            (
                "--list-scale",
                GenOptions {
                    list_scale: f64::INFINITY,
                    ..base.clone()
                },
            ),
            // 103,300 entries at scale 1 (the lists' plans): 49 makes 5.06 million.
            (
                "--list-scale",
                GenOptions {
                    list_scale: 49.0,
                    ..base.clone()
                },
            ),
            (
                "--error-rate",
                GenOptions {
                    error_rate: 1.5,
                    ..base.clone()
                },
            ),
        ];
        for (option, o) in cases {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("scen");
            let e = format!("{:#}", generate(&o, &out).unwrap_err());
            assert!(e.contains(option), "{option}: {e}");
            assert!(!out.exists(), "{option}: work started");
        }
        // At the bounds, accepted.
        GenOptions {
            list_scale: 48.0,
            ..base.clone()
        }
        .check()
        .unwrap();
        GenOptions {
            cameras: 1_000,
            volume: 20.0,
            hours: 1.0,
            ..base
        }
        .check()
        .unwrap();
    }

    #[test]
    fn plates_normalise() {
        let mut rng = Rng::new(9);
        for _ in 0..5_000 {
            let (printed, _) = plate(&mut rng);
            assert!(
                hitgate_core::plate::Plate::normalize(printed.as_bytes()).is_ok(),
                "{printed}"
            );
        }
    }
}
