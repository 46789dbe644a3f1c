//! The places of a bundle ([`Record::Place`]): their records, and where a
//! loader keeps them.

use serde::{Deserialize, Serialize};

use crate::place::{MAX_VERTICES, Offsets, Operation, Places, Schedule, Zone};
use crate::read::{CameraId, Position};

/// A polygon's points in a bundle: a byte string of (latitude, longitude)
/// pairs × 10⁷, each `i32` little-endian, 8 bytes a point. Written from
/// positions, read back borrowed, so that a record stays small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Points<'a> {
    /// Positions to write.
    Positions(&'a [Position]),
    /// Bytes as read.
    Bytes(&'a [u8]),
}

impl Points<'_> {
    /// The points, in order.
    pub fn iter(&self) -> impl Iterator<Item = Position> + '_ {
        let (pos, bytes): (&[Position], &[u8]) = match self {
            Self::Positions(p) => (p, &[]),
            Self::Bytes(b) => (&[], b),
        };
        let word = |b: &[u8]| i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        pos.iter()
            .copied()
            .chain(bytes.chunks_exact(8).map(move |c| Position {
                lat_e7: word(&c[..4]),
                lon_e7: word(&c[4..]),
            }))
    }
}

impl Serialize for Points<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        // A sequence of bytes: what postcard writes for a byte string.
        let n = match self {
            Self::Positions(p) => p.len() * 8,
            Self::Bytes(b) => b.len(),
        };
        let mut seq = s.serialize_seq(Some(n))?;
        for p in self.iter() {
            for b in p.lat_e7.to_le_bytes().iter().chain(&p.lon_e7.to_le_bytes()) {
                seq.serialize_element(b)?;
            }
        }
        seq.end()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Points<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let b: &'a [u8] = Deserialize::deserialize(d)?;
        if !b.len().is_multiple_of(8) || b.len() > MAX_VERTICES * 8 {
            return Err(serde::de::Error::custom("polygon points"));
        }
        Ok(Self::Bytes(b))
    }
}

/// A place in a bundle (see [`place`](crate::place) for each field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlaceRecord<'a> {
    /// A UTC offset from `from` (ms), in minutes.
    Offset {
        /// Start, ms since the Unix epoch.
        from: u64,
        /// Minutes east of UTC.
        minutes: i16,
    },
    /// A circle: centre (degrees × 10⁷) and radius (m).
    Circle {
        /// Its name.
        name: &'a str,
        /// Centre latitude.
        lat: i32,
        /// Centre longitude.
        lon: i32,
        /// Radius, metres.
        radius_m: u32,
    },
    /// A polygon, its points in order.
    Polygon {
        /// Its name.
        name: &'a str,
        /// Its points.
        #[serde(borrow)]
        points: Points<'a>,
    },
    /// A schedule.
    Schedule {
        /// Its name.
        name: &'a str,
        /// Days, bit 0 Monday.
        days: u8,
        /// Start, minutes after local midnight.
        from: u16,
        /// End, exclusive.
        to: u16,
    },
    /// An operation.
    Operation {
        /// Its name.
        name: &'a str,
        /// Start, ms.
        start: u64,
        /// End, ms, exclusive.
        end: u64,
    },
    /// A fixed camera's position.
    Camera {
        /// Camera id.
        id: &'a str,
        /// Latitude × 10⁷.
        lat: i32,
        /// Longitude × 10⁷.
        lon: i32,
    },
}

/// Where a loader puts the places of a bundle: [`PlaceBuf`], or `()` for a
/// unit that keeps none (it refuses a bundle that has some).
pub trait PlaceStore {
    /// Keeps one place; the error names what is wrong or full.
    fn put(&mut self, place: &PlaceRecord<'_>) -> Result<(), &'static str>;
}

impl PlaceStore for () {
    fn put(&mut self, _: &PlaceRecord<'_>) -> Result<(), &'static str> {
        Err("places (this unit keeps none)")
    }
}

/// Fixed storage for the places of a bundle: `Z` zones, `S` schedules,
/// `O` operations, `C` camera positions, and up to
/// [`MAX_OFFSETS`](crate::place::MAX_OFFSETS) UTC offsets.
#[derive(Debug, Default)]
pub struct PlaceBuf<const Z: usize, const S: usize, const O: usize, const C: usize> {
    zones: heapless::Vec<Zone, Z>,
    schedules: heapless::Vec<Schedule, S>,
    operations: heapless::Vec<Operation, O>,
    cameras: heapless::Vec<(CameraId, Position), C>,
    offsets: heapless::Vec<(u64, i16), { crate::place::MAX_OFFSETS }>,
    clock: Offsets,
}

impl<const Z: usize, const S: usize, const O: usize, const C: usize> PlaceBuf<Z, S, O, C> {
    /// Empty storage.
    pub const fn new() -> Self {
        Self {
            zones: heapless::Vec::new(),
            schedules: heapless::Vec::new(),
            operations: heapless::Vec::new(),
            cameras: heapless::Vec::new(),
            offsets: heapless::Vec::new(),
            clock: Offsets::EMPTY,
        }
    }

    /// The places, as a unit takes them ([`Unit::set_places`](crate::unit::Unit::set_places)).
    pub fn places(&self) -> Places<'_> {
        Places {
            zones: &self.zones,
            schedules: &self.schedules,
            operations: &self.operations,
            cameras: &self.cameras,
            offsets: &self.clock,
        }
    }
}

impl<const Z: usize, const S: usize, const O: usize, const C: usize> PlaceStore
    for PlaceBuf<Z, S, O, C>
{
    fn put(&mut self, place: &PlaceRecord<'_>) -> Result<(), &'static str> {
        let pos = |lat, lon| Position {
            lat_e7: lat,
            lon_e7: lon,
        };
        match place {
            PlaceRecord::Offset { from, minutes } => {
                self.offsets
                    .push((*from, *minutes))
                    .map_err(|_| "offsets")?;
                self.clock = Offsets::new(&self.offsets).ok_or("offsets")?;
            }
            PlaceRecord::Circle {
                name,
                lat,
                lon,
                radius_m,
            } => {
                let z = Zone::circle(name, pos(*lat, *lon), *radius_m).map_err(|_| "zone")?;
                self.zones.push(z).map_err(|_| "zones")?;
            }
            PlaceRecord::Polygon { name, points } => {
                let mut pts: heapless::Vec<Position, MAX_VERTICES> = heapless::Vec::new();
                for p in points.iter() {
                    pts.push(p).map_err(|_| "zone")?;
                }
                let z = Zone::polygon(name, &pts).map_err(|_| "zone")?;
                self.zones.push(z).map_err(|_| "zones")?;
            }
            PlaceRecord::Schedule {
                name,
                days,
                from,
                to,
            } => {
                let s = Schedule::new(name, *days, *from, *to).map_err(|_| "schedule")?;
                self.schedules.push(s).map_err(|_| "schedules")?;
            }
            PlaceRecord::Operation { name, start, end } => {
                let o = Operation::new(name, *start, *end).ok_or("operation")?;
                self.operations.push(o).map_err(|_| "operations")?;
            }
            PlaceRecord::Camera { id, lat, lon } => {
                let c = CameraId::new(id).map_err(|_| "camera")?;
                self.cameras
                    .push((c, pos(*lat, *lon)))
                    .map_err(|_| "cameras")?;
            }
        }
        Ok(())
    }
}

impl<'a> PlaceRecord<'a> {
    /// Every place of `places` as records, offsets first, then zones,
    /// schedules, operations and cameras, each kind in id order.
    pub fn all(places: &'a Places<'a>) -> impl Iterator<Item = PlaceRecord<'a>> + 'a {
        let offsets = places
            .offsets
            .iter()
            .map(|&(from, minutes)| PlaceRecord::Offset { from, minutes });
        let zones = places.zones.iter().map(|z| match z.as_circle() {
            Some((c, radius_m)) => PlaceRecord::Circle {
                name: z.name.as_str(),
                lat: c.lat_e7,
                lon: c.lon_e7,
                radius_m,
            },
            None => PlaceRecord::Polygon {
                name: z.name.as_str(),
                points: Points::Positions(z.points()),
            },
        });
        let schedules = places.schedules.iter().map(|s| PlaceRecord::Schedule {
            name: s.name.as_str(),
            days: s.days,
            from: s.from,
            to: s.to,
        });
        let operations = places.operations.iter().map(|o| PlaceRecord::Operation {
            name: o.name.as_str(),
            start: o.start,
            end: o.end,
        });
        let cameras = places.cameras.iter().map(|(c, p)| PlaceRecord::Camera {
            id: c.as_str(),
            lat: p.lat_e7,
            lon: p.lon_e7,
        });
        offsets
            .chain(zones)
            .chain(schedules)
            .chain(operations)
            .chain(cameras)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;
    use crate::bundle::*;
    use crate::confusion::ConfusionClasses;
    use crate::list::ListSpec;
    use crate::policy::{Action, MAX_RULES, Rule};
    use crate::unit::Config;
    use crate::watchlist::Entry;

    /// Places written into a bundle come back from it as they were, and a
    /// unit that keeps none refuses the bundle.
    #[test]
    fn places_round_trip_through_a_bundle() {
        let pos = |lat, lon| Position::from_degrees(lat, lon).unwrap();
        let zones = [
            Zone::polygon(
                "midi",
                &[pos(50.834, 4.333), pos(50.838, 4.333), pos(50.838, 4.339)],
            )
            .unwrap(),
            Zone::circle("centre", pos(50.8467, 4.3525), 400).unwrap(),
        ];
        let schedules = [Schedule::new("night", 0x7F, 22 * 60, 6 * 60).unwrap()];
        let operations = [Operation::new("op", 1_000, 2_000).unwrap()];
        let cameras = [(CameraId::new("cam-1").unwrap(), pos(50.835, 4.336))];
        let offsets = Offsets::new(&[(0, 60), (5_000, 120)]).unwrap();
        let places = Places {
            zones: &zones,
            schedules: &schedules,
            operations: &operations,
            cameras: &cameras,
            offsets: &offsets,
        };
        let mut rule = Rule::new("z", Action::Dispatch);
        rule.zones = 0b11;
        rule.schedules = 1;
        rule.operation = Some(0);
        let mut policy = Policy::new();
        policy.push(rule.clone()).unwrap();
        let spec = ListSpec {
            tolerance: crate::distance::Tolerance::DEFAULT,
            local: false,
            evidence: None,
        };
        let mut bytes = Vec::new();
        write_config(
            1,
            &Config::DEFAULT,
            &ConfusionClasses::default(),
            &places,
            &policy,
            &[("l", spec)],
            &[],
            |f| {
                bytes.extend_from_slice(f);
                Ok::<_, BundleError>(())
            },
        )
        .unwrap();
        let (mut e, mut i) = ([Entry::EMPTY; 1], [0u32; 1]);
        let mut b = WatchlistBuilder::new(&mut e, &mut i, ConfusionClasses::default());
        let mut got_policy: Policy = Policy::new();
        let mut buf: PlaceBuf<4, 2, 2, 2> = PlaceBuf::new();
        let mut reader = Reader::<MAX_RECORD>::new();
        load_with_places(
            &mut reader,
            slice_source(&bytes, 7),
            &mut b,
            &mut got_policy,
            &mut buf,
        )
        .unwrap();
        let got = buf.places();
        assert_eq!(got.zones, &zones);
        assert_eq!(got.schedules, &schedules);
        assert_eq!(got.operations, &operations);
        assert_eq!(got.cameras, &cameras);
        assert_eq!(got.offsets, &offsets);
        assert_eq!(got_policy.rules[0], rule);
        // A unit without place storage refuses it.
        let (mut e, mut i) = ([Entry::EMPTY; 1], [0u32; 1]);
        let mut b = WatchlistBuilder::new(&mut e, &mut i, ConfusionClasses::default());
        let mut reader = Reader::<MAX_RECORD>::new();
        assert!(matches!(
            load(
                &mut reader,
                slice_source(&bytes, 64),
                &mut b,
                &mut Policy::<MAX_RULES>::new()
            ),
            Err(LoadError::Full(_))
        ));
        // A rule naming a zone the bundle does not hold is refused.
        rule.zones = 0b100;
        let mut p = Policy::new();
        p.push(rule).unwrap();
        let r = write_config(
            1,
            &Config::DEFAULT,
            &ConfusionClasses::default(),
            &places,
            &p,
            &[],
            &[],
            |_| Ok::<_, BundleError>(()),
        );
        assert_eq!(r, Err(BundleError::Places));
    }
}
