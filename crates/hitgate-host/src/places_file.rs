//! The places of a policy file (TOML): the zones, schedules and operations
//! a rule may name, the fixed cameras' positions and the UTC offsets, and
//! the same places as a bundle or a signed image carries them.
//!
//! ```toml
//! [time]
//! offsets = [{ from = "2026-03-29T01:00:00Z", utc_offset = "+02:00" }]
//!
//! [[zone]]                       # a polygon of [lat, lon], or a circle
//! name = "grand-place"
//! circle = { centre = [50.8467, 4.3525], radius_m = 400 }
//!
//! [[schedule]]
//! name = "rush"
//! days = ["mon", "tue", "wed", "thu", "fri"]
//! from = "07:00"
//! to = "09:30"
//!
//! [[operation]]
//! name = "joint-check"
//! start = "2026-01-05T06:00:00Z"
//! end = "2026-01-05T12:00:00Z"
//!
//! [[camera]]
//! id = "cam-01"
//! position = [50.85, 4.35]
//! ```
//!
//! `docs/formats.md` gives every field and what is refused.

use anyhow::{Context, Result, anyhow, bail};
use hitgate_core::place::{
    MAX_OFFSETS, MAX_OPERATIONS, MAX_PLACE_NAME, MAX_SCHEDULES, MAX_ZONES, Offsets, Operation,
    Places, Schedule, Zone,
};
use hitgate_core::policy::{Policy, RuleId};
use hitgate_core::read::{CameraId, Position};
use serde::Deserialize;

/// The places of a policy file, owned; [`PlacesData::view`] lends them to
/// a unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlacesData {
    /// Zones, by id.
    pub zones: Vec<Zone>,
    /// Schedules, by id.
    pub schedules: Vec<Schedule>,
    /// Operations, by id.
    pub operations: Vec<Operation>,
    /// Fixed cameras' positions.
    pub cameras: Vec<(CameraId, Position)>,
    /// UTC offsets with their start dates.
    pub offsets: Offsets,
}

/// Places read from a bundle or a signed image, kept on the host without
/// the fixed limits of a unit (beyond the core's own).
impl hitgate_core::bundle::PlaceStore for PlacesData {
    fn put(&mut self, place: &hitgate_core::bundle::PlaceRecord<'_>) -> Result<(), &'static str> {
        use hitgate_core::bundle::PlaceRecord as P;
        let pos = |lat, lon| Position {
            lat_e7: lat,
            lon_e7: lon,
        };
        match place {
            P::Offset { from, minutes } => {
                let mut all: Vec<(u64, i16)> = self.offsets.iter().copied().collect();
                all.push((*from, *minutes));
                self.offsets = Offsets::new(&all).ok_or("offsets")?;
            }
            P::Circle {
                name,
                lat,
                lon,
                radius_m,
            } => self
                .zones
                .push(Zone::circle(name, pos(*lat, *lon), *radius_m).map_err(|_| "zone")?),
            P::Polygon { name, points } => {
                let pts: Vec<Position> = points.iter().collect();
                self.zones
                    .push(Zone::polygon(name, &pts).map_err(|_| "zone")?);
            }
            P::Schedule {
                name,
                days,
                from,
                to,
            } => self
                .schedules
                .push(Schedule::new(name, *days, *from, *to).map_err(|_| "schedule")?),
            P::Operation { name, start, end } => self
                .operations
                .push(Operation::new(name, *start, *end).ok_or("operation")?),
            P::Camera { id, lat, lon } => self
                .cameras
                .push((CameraId::new(id).map_err(|_| "camera")?, pos(*lat, *lon))),
        }
        Ok(())
    }
}

impl PlacesData {
    /// The places as a unit takes them.
    pub fn view(&self) -> Places<'_> {
        Places {
            zones: &self.zones,
            schedules: &self.schedules,
            operations: &self.operations,
            cameras: &self.cameras,
            offsets: &self.offsets,
        }
    }

    /// The name of the operation a rule belongs to.
    pub fn operation_of(&self, policy: &Policy, rule: RuleId) -> Option<String> {
        let RuleId::Rule(i) = rule else { return None };
        let op = policy.rules.get(usize::from(i))?.operation?;
        self.operations
            .get(usize::from(op))
            .map(|o| o.name.as_str().to_string())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTime {
    offsets: Vec<RawOffset>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOffset {
    from: String,
    utc_offset: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawZone {
    name: String,
    #[serde(default)]
    polygon: Option<Vec<[f64; 2]>>,
    #[serde(default)]
    circle: Option<RawCircle>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCircle {
    centre: [f64; 2],
    radius_m: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSchedule {
    name: String,
    days: Vec<String>,
    from: String,
    to: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOperation {
    name: String,
    start: String,
    end: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCamera {
    id: String,
    position: [f64; 2],
}

fn position(what: &str, [lat, lon]: [f64; 2]) -> Result<Position> {
    Position::from_degrees(lat, lon)
        .ok_or_else(|| anyhow!("{what}: [{lat}, {lon}] is not a latitude and longitude in degrees"))
}

/// `HH:MM` as minutes after midnight (`24:00` is 1440).
fn minutes(what: &str, s: &str) -> Result<u16> {
    let bad = || anyhow!("{what}: {s:?} is not a time HH:MM");
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h > 24 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// `+HH:MM` or `-HH:MM` as minutes.
fn utc_offset(what: &str, s: &str) -> Result<i16> {
    let bad = || anyhow!("{what}: utc_offset {s:?} is not +HH:MM or -HH:MM");
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (1, &s[1..]),
        Some(b'-') => (-1, &s[1..]),
        _ => return Err(bad()),
    };
    let m = minutes(what, rest).map_err(|_| bad())?;
    Ok(sign * m as i16)
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

impl PlacesData {
    /// The places a policy file declares (its `[time]`, `[[zone]]`,
    /// `[[schedule]]`, `[[operation]]` and `[[camera]]`), checked.
    pub(crate) fn parse(
        time: Option<&RawTime>,
        zone: &[RawZone],
        schedule: &[RawSchedule],
        operation: &[RawOperation],
        camera: &[RawCamera],
    ) -> Result<Self> {
        let mut p = PlacesData::default();
        if let Some(t) = time {
            let mut offsets = Vec::new();
            for (i, o) in t.offsets.iter().enumerate() {
                let what = format!("[time] offset {}", i + 1);
                let from = crate::time::parse_ts(&o.from).with_context(|| what.clone())?;
                offsets.push((from, utc_offset(&what, &o.utc_offset)?));
            }
            p.offsets = Offsets::new(&offsets).ok_or_else(|| {
                anyhow!(
                    "[time] offsets: at most {MAX_OFFSETS}, their `from` dates increasing, each within ±18:00"
                )
            })?;
        }
        let unique = |kind: &str, names: Vec<&str>| -> Result<()> {
            for (i, n) in names.iter().enumerate() {
                if n.is_empty() || n.len() > MAX_PLACE_NAME {
                    bail!("{kind} {n:?}: a name of 1 to {MAX_PLACE_NAME} bytes");
                }
                if names[..i].contains(n) {
                    bail!("{kind} {n:?} is declared twice");
                }
            }
            Ok(())
        };
        unique("zone", zone.iter().map(|z| z.name.as_str()).collect())?;
        unique(
            "schedule",
            schedule.iter().map(|z| z.name.as_str()).collect(),
        )?;
        unique(
            "operation",
            operation.iter().map(|z| z.name.as_str()).collect(),
        )?;
        if zone.len() > MAX_ZONES {
            bail!("{} zones; at most {MAX_ZONES}", zone.len());
        }
        if schedule.len() > MAX_SCHEDULES {
            bail!("{} schedules; at most {MAX_SCHEDULES}", schedule.len());
        }
        if operation.len() > MAX_OPERATIONS {
            bail!("{} operations; at most {MAX_OPERATIONS}", operation.len());
        }
        for z in zone {
            let what = format!("zone {:?}", z.name);
            let zone = match (&z.polygon, &z.circle) {
                (Some(points), None) => {
                    let pts = points
                        .iter()
                        .map(|&pt| position(&what, pt))
                        .collect::<Result<Vec<_>>>()?;
                    Zone::polygon(&z.name, &pts)
                }
                (None, Some(c)) => Zone::circle(&z.name, position(&what, c.centre)?, c.radius_m),
                _ => bail!("{what}: give either `polygon` or `circle`"),
            };
            p.zones.push(zone.map_err(|e| anyhow!("{what}: {e}"))?);
        }
        for s in schedule {
            let what = format!("schedule {:?}", s.name);
            let mut days = 0u8;
            for d in &s.days {
                let i = DAYS
                    .iter()
                    .position(|x| x.eq_ignore_ascii_case(d))
                    .ok_or_else(|| anyhow!("{what}: day {d:?} is not one of {DAYS:?}"))?;
                days |= 1 << i;
            }
            let (from, to) = (minutes(&what, &s.from)?, minutes(&what, &s.to)?);
            p.schedules.push(
                Schedule::new(&s.name, days, from, if to == 0 { 1440 } else { to })
                    .map_err(|e| anyhow!("{what}: {e}"))?,
            );
        }
        for o in operation {
            let what = format!("operation {:?}", o.name);
            let start =
                crate::time::parse_ts(&o.start).with_context(|| format!("{what}: start"))?;
            let end = crate::time::parse_ts(&o.end).with_context(|| format!("{what}: end"))?;
            p.operations.push(
                Operation::new(&o.name, start, end)
                    .ok_or_else(|| anyhow!("{what}: ends at or before it starts"))?,
            );
        }
        for c in camera {
            let what = format!("camera {:?}", c.id);
            let id = CameraId::new(&c.id).map_err(|e| anyhow!("{what}: {e}"))?;
            if p.cameras.iter().any(|(o, _)| o.as_str() == id.as_str()) {
                bail!("{what} is declared twice");
            }
            p.cameras.push((id, position(&what, c.position)?));
        }
        Ok(p)
    }

    /// Replaces the names in a rule's `schedules` and `operation` by their
    /// mask and index, and takes its `zones` out, for their mask: the
    /// 64th zone's bit does not fit a TOML integer (a signed 64 bits).
    pub(crate) fn resolve(&self, rule: &mut toml::Value) -> Result<u64> {
        let Some(t) = rule.as_table_mut() else {
            return Ok(0);
        };
        let named = |key: &str, kind: &str, v: &toml::Value, names: &[&str]| {
            let mask = crate::policy_file::name_mask(key, kind, v, names)?;
            if mask == 0 {
                bail!("{key}: empty: leave it out for any {kind}");
            }
            Ok(mask)
        };
        let zones = match t.remove("zones") {
            Some(v) => {
                let names: Vec<&str> = self.zones.iter().map(|z| z.name.as_str()).collect();
                named("zones", "zone", &v, &names)?
            }
            None => 0,
        };
        if let Some(v) = t.get("schedules") {
            let names: Vec<&str> = self.schedules.iter().map(|s| s.name.as_str()).collect();
            let mask = named("schedules", "schedule", v, &names)?;
            t.insert("schedules".into(), toml::Value::Integer(mask as i64));
        }
        if let Some(v) = t.get("operation") {
            let n = v
                .as_str()
                .ok_or_else(|| anyhow!("operation: an operation's name"))?;
            let i = self
                .operations
                .iter()
                .position(|o| o.name.as_str() == n)
                .ok_or_else(|| {
                    anyhow!("operation: unknown operation {n:?} (declare it with [[operation]])")
                })?;
            t.insert("operation".into(), toml::Value::Integer(i as i64));
        }
        Ok(zones)
    }
}
