//! The scenario generator: synthetic traffic a police zone would recognise.
//!
//! Fixed cameras (one per lane) and a mobile unit moving between three
//! hotspots, in a zone with a night schedule and a joint operation
//! (`zone`); traffic that
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

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use hitgate_core::unit::Config;

use crate::policy_file::ListDecl;
use crate::rng::Rng;
use crate::time::{format_ts, parse_ts};

mod lists;
mod plates;
mod traffic;
mod truth;
mod zone;

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
    /// Share of passages read in one frame only (a car too fast, a plate
    /// hidden most of the time).
    pub single_frame: f64,
    /// Write each read's arrival time at the unit (`arrival`); without it a
    /// recording has only the cameras' event times, in arrival order.
    pub arrival_field: bool,
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
            single_frame: 0.1,
            arrival_field: false,
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
        if ![self.error_rate, self.bad_lines, self.single_frame]
            .iter()
            .all(|x| (0.0..=1.0).contains(x))
        {
            bail!("--error-rate, --bad-lines and --single-frame must be between 0 and 1");
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
        let entries: usize = lists::plans(self.list_scale)
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
    /// The scenario's length, ms.
    fn span_ms(&self) -> u64 {
        (self.hours * 3_600_000.0) as u64
    }

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
    let cams = traffic::Cameras::of(o);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let population = ((o.expected_passages() * 0.5) as usize).max(2_000);
    let mut vehicles = plates::population(&mut rng, population, &mut seen);
    let drawn = lists::draw(o, &mut rng, &vehicles, &mut seen);
    let decoys = lists::decoys(o, &mut rng, &mut vehicles, &drawn, &mut seen)?;
    let travellers: Vec<usize> = drawn
        .traffic_listed
        .iter()
        .chain(decoys.iter())
        .copied()
        .collect();
    let plans_p = traffic::passages(o, &mut rng, &cams, population, &travellers);
    let (lines, framed) = traffic::frames(o, &mut rng, &cams, &vehicles, &plans_p)?;
    let truth = truth::label(o, &cams, &vehicles, &drawn, &decoys, &plans_p, &framed);
    let (plans, listed) = (&drawn.plans, &drawn.listed);
    // Priority 2 goes to dispatch at the hotspots and in the operation
    // too: its budget is raised to match (the ground truth models none).
    let mut cfg = Config::default();
    cfg.budgets.0[2] = Some(hitgate_core::budget::Budget {
        burst: 30,
        per_hour: 60,
    });

    // Write.
    let mut reads = String::with_capacity(lines.len() * 160);
    for json in &lines {
        reads.push_str(json);
        reads.push('\n');
    }
    std::fs::write(out.join("reads.jsonl"), reads).context("cannot write reads.jsonl")?;
    let mut csv = String::from("plate,country,priority,list,valid_from,valid_until\n");
    for e in listed {
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
    std::fs::write(
        out.join("policy.toml"),
        zone::policy_toml(o, &cams.names, &decls, &cfg),
    )
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

/// Splits `reads.jsonl` of a scenario into one file per camera,
/// `units/<camera>.jsonl`: each camera a roadside unit of the zone (the
/// mobile unit one more), for several `hitgate replay --mqtt` units behind
/// one `hitgate gate`. Returns each unit's name and read count; a line
/// without a camera (a malformed one) goes to no unit and is counted
/// under the name `""`.
pub fn split_units(out: &Path) -> Result<Vec<(String, usize)>> {
    let reads = out.join("reads.jsonl");
    let text = std::fs::read_to_string(&reads)
        .with_context(|| format!("{}: cannot read", reads.display()))?;
    let mut by_unit: std::collections::BTreeMap<String, String> = Default::default();
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for line in text.lines() {
        let camera = serde_json::from_str::<serde_json::Value>(line)
            .ok()
            .and_then(|v| v.get("camera").and_then(|c| c.as_str()).map(str::to_string))
            .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        let unit = camera.unwrap_or_default();
        *counts.entry(unit.clone()).or_default() += 1;
        if !unit.is_empty() {
            let f = by_unit.entry(unit).or_default();
            f.push_str(line);
            f.push('\n');
        }
    }
    let dir = out.join("units");
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    for (unit, lines) in &by_unit {
        let p = dir.join(format!("{unit}.jsonl"));
        std::fs::write(&p, lines).with_context(|| format!("{}: cannot write", p.display()))?;
    }
    Ok(counts.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
