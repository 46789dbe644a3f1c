//! Where and when a rule applies: zones, schedules and operations.
//!
//! - A **zone** is a named geofence: a circle (centre, radius in metres) or
//!   a polygon (WGS84, at most [`MAX_VERTICES`] points). A hit is in a zone
//!   when its position is: a mobile unit's read carries one, a fixed
//!   camera gets its own from [`Places::cameras`]; a hit without a
//!   position is in no zone. A point on an edge or a vertex is inside.
//! - A **schedule** is days of the week and a span of local time, which may
//!   cross midnight (`22:00`–`06:00`): the span belongs to the day it
//!   starts on, so Friday 22:00–06:00 includes Saturday 03:00. Local time
//!   is the event time plus the UTC offset in force then: the core keeps no
//!   time-zone database, so the policy states the offsets with the dates
//!   they start ([`Offsets`]), the summer-time changes among them.
//! - An **operation** is a named window (start inclusive, end exclusive):
//!   the rules that name it exist inside it only.
//!
//! Everything lives in caller storage ([`Places`] borrows slices), so a
//! unit that uses none of it pays nothing, and the limits are the
//! constants below.
//!
//! # Geometry
//!
//! Positions are degrees × 10⁷ ([`Position`]). A polygon is tested by
//! ray casting in those units after a bounding-box check, in 64-bit
//! integers: exact for the points given, with edges straight in latitude
//! and longitude (at a city's scale the difference from great-circle edges
//! is centimetres). A circle's distance is the local flat approximation
//! (one degree of latitude 111,195 m, of longitude that times the cosine of
//! the latitude halfway between the centre and the point), within 0.1 %
//! of the great-circle distance up to its largest radius,
//! [`MAX_RADIUS_M`], and 80° of latitude. Refused when a zone is built
//! ([`ZoneError`]): fewer than 3 or more than [`MAX_VERTICES`] points, a
//! polygon that crosses itself, one across the 180° meridian (longitudes
//! spanning more than 180°), a zone wider than [`MAX_EXTENT_DEG`], a
//! circle beyond 80° of latitude (the flat approximation fails near the
//! poles) or of radius 0 or above [`MAX_RADIUS_M`], and a coordinate out
//! of range.
//!
//! ```
//! use hitgate_core::place::*;
//! use hitgate_core::read::Position;
//! let p = |lat, lon| Position::from_degrees(lat, lon).unwrap();
//! // Brussels-Midi station, roughly.
//! let midi = Zone::polygon("midi", &[p(50.8340, 4.3330), p(50.8380, 4.3330), p(50.8380, 4.3390), p(50.8340, 4.3390)]).unwrap();
//! assert!(midi.contains(p(50.8360, 4.3360)));
//! assert!(!midi.contains(p(50.8500, 4.3500)));
//! let centre = Zone::circle("centre", p(50.8467, 4.3525), 1_000).unwrap();
//! assert!(centre.contains(p(50.8500, 4.3525)));   // 367 m north
//! assert!(!centre.contains(p(50.8600, 4.3525)));  // 1.48 km north
//! ```

use crate::read::{CameraId, Position};

/// Points of a polygon, at most.
pub const MAX_VERTICES: usize = 32;
/// Bytes of a zone's, schedule's or operation's name, at most.
pub const MAX_PLACE_NAME: usize = 24;
/// Zones a rule can name (a 64-bit mask).
pub const MAX_ZONES: usize = 64;
/// Schedules a rule can name (a 16-bit mask).
pub const MAX_SCHEDULES: usize = 16;
/// Operations.
pub const MAX_OPERATIONS: usize = 16;
/// Dated UTC offsets of a policy.
pub const MAX_OFFSETS: usize = 16;
/// The widest zone, in degrees of latitude or longitude.
pub const MAX_EXTENT_DEG: i32 = 10;
/// The largest circle's radius, metres.
pub const MAX_RADIUS_M: u32 = 100_000;

const E7: i64 = 10_000_000;
const MAX_EXTENT_E7: i64 = MAX_EXTENT_DEG as i64 * E7;
/// Circles are refused beyond this latitude.
const MAX_CIRCLE_LAT_E7: i64 = 80 * E7;
/// 10⁻⁷ degrees in a radian.
const E7_PER_RAD: i64 = 572_957_795;
/// Metres in one degree of latitude (mean Earth radius 6,371,009 m).
const M_PER_DEG: i64 = 111_195;

/// A name.
pub type Name = heapless::String<MAX_PLACE_NAME>;

fn name(s: &str) -> Name {
    let mut n = Name::new();
    for c in s.chars() {
        if n.push(c).is_err() {
            break;
        }
    }
    n
}

/// Why a zone was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ZoneError {
    /// A polygon of fewer than 3 points.
    TooFewPoints,
    /// More than [`MAX_VERTICES`] points.
    TooManyPoints,
    /// Two edges cross (their indices, from 0: edge `i` joins point `i` and
    /// the next).
    CrossesItself(u8, u8),
    /// A point is the one before it again (its index, from 0): an edge of
    /// no length. A ring that ends on its first point is taken without
    /// the repeat ([`Zone::polygon`]).
    RepeatedPoint(u8),
    /// Longitudes spanning more than 180°: across the 180° meridian.
    Antimeridian,
    /// Wider than [`MAX_EXTENT_DEG`].
    TooLarge,
    /// A circle beyond 80° of latitude.
    Polar,
    /// A circle of radius 0 or above [`MAX_RADIUS_M`].
    Radius,
    /// A latitude beyond ±90° or a longitude beyond ±180°.
    OutOfRange,
}

impl core::fmt::Display for ZoneError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::TooFewPoints => f.write_str("a polygon needs at least 3 points"),
            Self::TooManyPoints => write!(f, "a polygon has at most {MAX_VERTICES} points"),
            Self::CrossesItself(a, b) => write!(
                f,
                "the polygon crosses itself: its edges {} and {} meet (edge N runs from \
                 point N to the next)",
                u16::from(*a) + 1,
                u16::from(*b) + 1
            ),
            // Point 0 repeats the last: the ring closed twice over.
            Self::RepeatedPoint(0) => f.write_str("the last point is point 1 again, twice"),
            Self::RepeatedPoint(i) => write!(
                f,
                "point {} is point {} again",
                u16::from(*i) + 1,
                u16::from(*i)
            ),
            Self::Antimeridian => f.write_str("the zone crosses the 180° meridian"),
            Self::TooLarge => write!(f, "the zone is wider than {MAX_EXTENT_DEG}°"),
            Self::Polar => f.write_str("a circle beyond 80° of latitude"),
            Self::Radius => write!(f, "a circle's radius is 1 to {MAX_RADIUS_M} m"),
            Self::OutOfRange => f.write_str("a latitude beyond ±90° or a longitude beyond ±180°"),
        }
    }
}

impl core::error::Error for ZoneError {}

// Fixed memory: a zone is as large as a polygon, whatever its shape.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Shape {
    Circle {
        centre: Position,
        radius_m: u32,
        /// Radius in units of 10⁻⁷ degree of latitude, squared.
        r2: i64,
        /// cos(latitude) × 2¹⁶.
        cos_q16: i64,
        /// sin(latitude) × 2¹⁶.
        sin_q16: i64,
    },
    Polygon(heapless::Vec<Position, MAX_VERTICES>),
}

/// A named geofence (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Zone {
    /// Its name, as rules and reports use it.
    pub name: Name,
    shape: Shape,
    /// min lat, min lon, max lat, max lon (10⁻⁷ degrees).
    bbox: [i32; 4],
}

fn in_range(p: Position) -> bool {
    (-900_000_000..=900_000_000).contains(&p.lat_e7)
        && (-1_800_000_000..=1_800_000_000).contains(&p.lon_e7)
}

/// cos(x) for |x| ≤ π/2, by its Taylor series to x¹² (error below
/// 10⁻⁸ there).
fn cos(x: f64) -> f64 {
    let x2 = x * x;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..=6 {
        let k = f64::from(k);
        term *= -x2 / ((2.0 * k - 1.0) * (2.0 * k));
        sum += term;
    }
    sum
}

/// Sign of the cross product (b - a) × (c - a): the turn a → b → c.
fn orient(a: Position, b: Position, c: Position) -> i64 {
    let (ax, ay) = (i64::from(a.lon_e7), i64::from(a.lat_e7));
    let cross = (i64::from(b.lon_e7) - ax) * (i64::from(c.lat_e7) - ay)
        - (i64::from(b.lat_e7) - ay) * (i64::from(c.lon_e7) - ax);
    cross.signum()
}

/// `p` on the segment a–b (within its box and collinear: the box first,
/// four comparisons that turn most points down before the products).
fn on_segment(a: Position, b: Position, p: Position) -> bool {
    p.lat_e7 >= a.lat_e7.min(b.lat_e7)
        && p.lat_e7 <= a.lat_e7.max(b.lat_e7)
        && p.lon_e7 >= a.lon_e7.min(b.lon_e7)
        && p.lon_e7 <= a.lon_e7.max(b.lon_e7)
        && orient(a, b, p) == 0
}

/// Segments a–b and c–d share a point.
fn segments_meet(a: Position, b: Position, c: Position, d: Position) -> bool {
    let (o1, o2, o3, o4) = (
        orient(a, b, c),
        orient(a, b, d),
        orient(c, d, a),
        orient(c, d, b),
    );
    (o1 != o2 && o3 != o4)
        || on_segment(a, b, c)
        || on_segment(a, b, d)
        || on_segment(c, d, a)
        || on_segment(c, d, b)
}

impl Zone {
    /// A circle of `radius_m` metres around `centre`.
    pub fn circle(zone: &str, centre: Position, radius_m: u32) -> Result<Self, ZoneError> {
        if !in_range(centre) {
            return Err(ZoneError::OutOfRange);
        }
        if i64::from(centre.lat_e7).abs() > MAX_CIRCLE_LAT_E7 {
            return Err(ZoneError::Polar);
        }
        if radius_m == 0 || radius_m > MAX_RADIUS_M {
            return Err(ZoneError::Radius);
        }
        let r = i64::from(radius_m) * E7 / M_PER_DEG;
        let lat_rad = f64::from(centre.lat_e7) / 1e7 * core::f64::consts::PI / 180.0;
        let cos_q16 = ((cos(lat_rad) * 65_536.0) as i64).max(1);
        let sin_abs = cos(core::f64::consts::FRAC_PI_2 - lat_rad.abs());
        let sin_q16 = (sin_abs * 65_536.0) as i64 * i64::from(centre.lat_e7.signum());
        // The box reaches as far east and west as the circle does on its
        // side nearer the pole, where a degree of longitude is shortest.
        let r_rad = r as f64 / 1e7 * core::f64::consts::PI / 180.0;
        let c_edge = ((cos(lat_rad.abs() + r_rad) * 65_536.0) as i64).max(1);
        let dlon = (r * 65_536 / c_edge).min(MAX_EXTENT_E7);
        let bbox = [
            (i64::from(centre.lat_e7) - r) as i32,
            (i64::from(centre.lon_e7) - dlon).max(-1_800_000_000) as i32,
            (i64::from(centre.lat_e7) + r) as i32,
            (i64::from(centre.lon_e7) + dlon).min(1_800_000_000) as i32,
        ];
        if i64::from(centre.lon_e7) - dlon < -1_800_000_000
            || i64::from(centre.lon_e7) + dlon > 1_800_000_000
        {
            return Err(ZoneError::Antimeridian);
        }
        Ok(Self {
            name: name(zone),
            shape: Shape::Circle {
                centre,
                radius_m,
                r2: r * r,
                cos_q16,
                sin_q16,
            },
            bbox,
        })
    }

    /// A polygon through `points`, in order (closed from the last back to
    /// the first). A ring written closed, its first point repeated at the
    /// end as GeoJSON and WKT write it, is the same polygon: the repeat is
    /// left out (and does not count towards [`MAX_VERTICES`]).
    ///
    /// ```
    /// use hitgate_core::place::{Zone, ZoneError};
    /// use hitgate_core::read::Position;
    ///
    /// let p = |lat, lon| Position::from_degrees(lat, lon).unwrap();
    /// let open = [p(50.83, 4.33), p(50.84, 4.33), p(50.84, 4.34), p(50.83, 4.34)];
    /// let closed = [open[0], open[1], open[2], open[3], open[0]];
    /// assert_eq!(Zone::polygon("a", &closed).unwrap(), Zone::polygon("a", &open).unwrap());
    /// let repeated = [open[0], open[1], open[1], open[2]];
    /// assert_eq!(Zone::polygon("b", &repeated).unwrap_err(), ZoneError::RepeatedPoint(2));
    /// ```
    pub fn polygon(zone: &str, points: &[Position]) -> Result<Self, ZoneError> {
        let points = match points {
            [first, .., last] if first == last => points.get(..points.len() - 1).unwrap_or(points),
            _ => points,
        };
        if points.len() < 3 {
            return Err(ZoneError::TooFewPoints);
        }
        let mut pts: heapless::Vec<Position, MAX_VERTICES> = heapless::Vec::new();
        for &p in points {
            if !in_range(p) {
                return Err(ZoneError::OutOfRange);
            }
            pts.push(p).map_err(|_| ZoneError::TooManyPoints)?;
        }
        let mut bbox = [i32::MAX, i32::MAX, i32::MIN, i32::MIN];
        for p in &pts {
            bbox[0] = bbox[0].min(p.lat_e7);
            bbox[1] = bbox[1].min(p.lon_e7);
            bbox[2] = bbox[2].max(p.lat_e7);
            bbox[3] = bbox[3].max(p.lon_e7);
        }
        let (h, w) = (
            i64::from(bbox[2]) - i64::from(bbox[0]),
            i64::from(bbox[3]) - i64::from(bbox[1]),
        );
        if w > 180 * E7 {
            return Err(ZoneError::Antimeridian);
        }
        if h > MAX_EXTENT_E7 || w > MAX_EXTENT_E7 {
            return Err(ZoneError::TooLarge);
        }
        let n = pts.len();
        let edge = |i: usize| (pts[i], pts[(i + 1) % n]);
        // Edges of no length first: the crossing tests below take every
        // edge to have two ends.
        if let Some(i) = (0..n).find(|&i| edge(i).0 == edge(i).1) {
            return Err(ZoneError::RepeatedPoint(((i + 1) % n) as u8));
        }
        for i in 0..n {
            let (a, b) = edge(i);
            for j in i + 1..n {
                // Neighbouring edges share their common point only.
                let next = j == i + 1 || (i == 0 && j == n - 1);
                let (c, d) = edge(j);
                let meet = if next {
                    // Folded back onto each other: collinear and overlapping.
                    let shared = if j == i + 1 { b } else { a };
                    let (other_i, other_j) = if j == i + 1 { (a, d) } else { (b, c) };
                    orient(other_i, shared, other_j) == 0
                        && (on_segment(a, b, if j == i + 1 { d } else { c })
                            || on_segment(c, d, if j == i + 1 { a } else { b }))
                } else {
                    segments_meet(a, b, c, d)
                };
                if meet {
                    return Err(ZoneError::CrossesItself(i as u8, j as u8));
                }
            }
        }
        Ok(Self {
            name: name(zone),
            shape: Shape::Polygon(pts),
            bbox,
        })
    }

    /// A circle's centre and radius (m); `None` for a polygon.
    pub fn as_circle(&self) -> Option<(Position, u32)> {
        match &self.shape {
            Shape::Circle {
                centre, radius_m, ..
            } => Some((*centre, *radius_m)),
            Shape::Polygon(_) => None,
        }
    }

    /// A polygon's points (empty for a circle).
    pub fn points(&self) -> &[Position] {
        match &self.shape {
            Shape::Polygon(p) => p,
            Shape::Circle { .. } => &[],
        }
    }

    /// Does every position `self` contains lie in `outer` too? A yes is
    /// always right; a no may not be. In an `outer` polygon: a polygon
    /// whose edges meet none of `outer`'s and whose first point is inside,
    /// or a circle whose box is such a polygon. In an `outer` circle: a
    /// polygon (a circle: its box) whose corners lie inside with a margin
    /// that covers how [`contains`](Self::contains) rounds, and so every
    /// position between them.
    ///
    /// ```
    /// use hitgate_core::place::Zone;
    /// use hitgate_core::read::Position;
    ///
    /// let p = |lat: f64, lon: f64| Position::from_degrees(lat, lon).unwrap();
    /// let district = Zone::polygon("centre", &[p(50.83, 4.33), p(50.83, 4.37), p(50.86, 4.37), p(50.86, 4.33)])
    ///     .unwrap();
    /// let midi = Zone::circle("midi", p(50.8355, 4.336), 200).unwrap();
    /// assert!(midi.within(&district));
    /// let far = Zone::circle("nord", p(50.8605, 4.3615), 200).unwrap();
    /// assert!(!far.within(&district), "it reaches north of 50.86");
    /// // A station's square in the middle of a 350 m circle, and one at
    /// // its edge.
    /// let grand_place = Zone::circle("grand-place", p(50.8467, 4.3525), 350).unwrap();
    /// let square = |lat: f64, lon: f64, d: f64| {
    ///     Zone::polygon("s", &[p(lat, lon), p(lat + d, lon), p(lat + d, lon + d), p(lat, lon + d)]).unwrap()
    /// };
    /// assert!(square(50.8465, 4.3523, 0.0005).within(&grand_place));
    /// assert!(!square(50.8495, 4.3523, 0.0005).within(&grand_place), "about 310 to 370 m north");
    /// ```
    pub fn within(&self, outer: &Zone) -> bool {
        if self.shape == outer.shape {
            return true;
        }
        let [min_lat, min_lon, max_lat, max_lon] = self.bbox;
        let corner = |lat_e7, lon_e7| Position { lat_e7, lon_e7 };
        let boxed = [
            corner(min_lat, min_lon),
            corner(min_lat, max_lon),
            corner(max_lat, max_lon),
            corner(max_lat, min_lon),
        ];
        // A circle's positions all lie in its box (`contains` asks the box
        // first).
        let mine: &[Position] = match &self.shape {
            Shape::Polygon(pts) => pts,
            Shape::Circle { .. } => &boxed,
        };
        let ring = match &outer.shape {
            Shape::Polygon(ring) => ring,
            Shape::Circle {
                centre,
                r2,
                cos_q16,
                sin_q16,
                ..
            } => {
                // `contains` asks the box, then dlat² + dlon² ≤ r², dlon
                // the longitude's difference × cos_mid (a value between
                // its ends, as dlat runs over ±r) >> 16, off by under 1.
                // So |dlon| ≤ |Δlon| × c / 2¹⁶ + 2 with c the largest
                // cos_mid: dlat² + that² is convex, and what holds at the
                // corners holds between them.
                let r = r2.isqrt();
                let c = i128::from(*cos_q16)
                    + i128::from(sin_q16.abs()) * i128::from(r) / (2 * i128::from(E7_PER_RAD))
                    + 1;
                let inside = |p: &Position| {
                    let x = i128::from(p.lat_e7) - i128::from(centre.lat_e7);
                    let y = (i128::from(p.lon_e7) - i128::from(centre.lon_e7)).abs();
                    let q = 1i128 << 16;
                    let b = y * c + 2 * q;
                    x * x * q * q + b * b <= i128::from(*r2) * q * q
                };
                return mine.iter().all(|p| outer.in_box(*p) && inside(p));
            }
        };
        fn edges(pts: &[Position]) -> impl Iterator<Item = (Position, Position)> + '_ {
            pts.iter().copied().zip(pts.iter().copied().cycle().skip(1))
        }
        // Edges that never meet: the inner ring lies wholly inside the
        // outer or wholly outside it, and its first point says which.
        let apart = edges(mine).all(|(a, b)| edges(ring).all(|(c, d)| !segments_meet(a, b, c, d)));
        apart && mine.first().is_some_and(|&p| outer.contains(p))
    }

    /// Is `p` in the zone's box ([`contains`](Self::contains) asks it
    /// first)?
    #[inline]
    fn in_box(&self, p: Position) -> bool {
        let [min_lat, min_lon, max_lat, max_lon] = self.bbox;
        !(p.lat_e7 < min_lat || p.lat_e7 > max_lat || p.lon_e7 < min_lon || p.lon_e7 > max_lon)
    }

    /// True when `p` is inside (or on the edge).
    pub fn contains(&self, p: Position) -> bool {
        if !self.in_box(p) {
            return false;
        }
        match &self.shape {
            Shape::Circle {
                centre,
                r2,
                cos_q16,
                sin_q16,
                ..
            } => {
                let dlat = i64::from(p.lat_e7) - i64::from(centre.lat_e7);
                // A degree of longitude at the latitude halfway to the
                // point: cos(φ + δ/2) ≈ cos φ − sin φ · δ/2 (δ in radians,
                // 10⁻⁷ degree × π / 180).
                let cos_mid = cos_q16 - sin_q16 * dlat / (2 * E7_PER_RAD);
                let dlon = ((i64::from(p.lon_e7) - i64::from(centre.lon_e7)) * cos_mid) >> 16;
                dlat * dlat + dlon * dlon <= *r2
            }
            Shape::Polygon(pts) => {
                let (px, py) = (i64::from(p.lon_e7), i64::from(p.lat_e7));
                let mut inside = false;
                // Each edge from the point before: the last closes the ring.
                let Some(&last) = pts.last() else {
                    return false;
                };
                let mut prev = last;
                for &b in pts {
                    let a = prev;
                    prev = b;
                    if on_segment(a, b, p) {
                        return true;
                    }
                    let (ax, ay, bx, by) = (
                        i64::from(a.lon_e7),
                        i64::from(a.lat_e7),
                        i64::from(b.lon_e7),
                        i64::from(b.lat_e7),
                    );
                    if (ay > py) != (by > py) {
                        // The edge's longitude at the point's latitude is east
                        // of the point: (px - ax)(by - ay) < (py - ay)(bx - ax),
                        // the inequality flipped when by < ay.
                        let lhs = (px - ax) * (by - ay);
                        let rhs = (py - ay) * (bx - ax);
                        if (by > ay && lhs < rhs) || (by < ay && lhs > rhs) {
                            inside = !inside;
                        }
                    }
                }
                inside
            }
        }
    }
}

/// Days of the week, bit 0 Monday to bit 6 Sunday.
pub type Days = u8;

/// When a schedule applies (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Schedule {
    /// Its name.
    pub name: Name,
    /// Days it starts on.
    pub days: Days,
    /// Start, minutes after local midnight (0–1439).
    pub from: u16,
    /// End, exclusive (1–1440); at or before `from`: the next day.
    pub to: u16,
}

/// Why a schedule was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ScheduleError {
    /// No day, or a span of no time (`from == to`).
    Empty,
    /// A minute beyond the day.
    OutOfRange,
}

impl core::fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Empty => "an empty schedule (no day, or from = to)",
            Self::OutOfRange => "a time of day beyond 24:00",
        })
    }
}

impl core::error::Error for ScheduleError {}

impl Schedule {
    /// A schedule on `days` from `from` to `to` (minutes after midnight).
    pub fn new(schedule: &str, days: Days, from: u16, to: u16) -> Result<Self, ScheduleError> {
        if from >= 1440 || to == 0 || to > 1440 {
            return Err(ScheduleError::OutOfRange);
        }
        if days & 0x7F == 0 || from == to {
            return Err(ScheduleError::Empty);
        }
        Ok(Self {
            name: name(schedule),
            days: days & 0x7F,
            from,
            to,
        })
    }

    /// True at local weekday `day` (0 Monday) and minute `minute`.
    pub fn contains(&self, day: u8, minute: u16) -> bool {
        let on = |d: u8| self.days & (1 << (d % 7)) != 0;
        if self.from < self.to {
            on(day) && minute >= self.from && minute < self.to
        } else {
            (on(day) && minute >= self.from) || (on(day + 6) && minute < self.to)
        }
    }
}

/// UTC offsets with the dates they start: local time = UTC + the offset
/// in force (the latest whose start is at or before the instant; before
/// the first, the first).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Offsets(heapless::Vec<(u64, i16), MAX_OFFSETS>);

impl Offsets {
    /// No offsets: UTC.
    pub const EMPTY: Self = Self(heapless::Vec::new());

    /// The offsets and the dates they start, in order.
    pub fn iter(&self) -> impl Iterator<Item = &(u64, i16)> {
        self.0.iter()
    }

    /// From `(start ms, offset in minutes)` pairs; `None` when there are
    /// more than [`MAX_OFFSETS`], when the starts do not increase, or an
    /// offset is beyond ±18 hours.
    pub fn new(offsets: &[(u64, i16)]) -> Option<Self> {
        let mut v = heapless::Vec::new();
        let mut last = None;
        for &(at, off) in offsets {
            if last.is_some_and(|l| at <= l) || off.unsigned_abs() > 18 * 60 {
                return None;
            }
            last = Some(at);
            v.push((at, off)).ok()?;
        }
        Some(Self(v))
    }

    /// The offset in force at `ms`, in minutes east of UTC.
    fn minutes_at(&self, ms: u64) -> i64 {
        self.0
            .iter()
            .rev()
            .find(|(at, _)| *at <= ms)
            .or(self.0.first())
            .map_or(0, |&(_, o)| i64::from(o))
    }

    /// The local weekday (0 Monday) and minute of the day at `ms`.
    pub fn local(&self, ms: u64) -> (u8, u16) {
        let off = self.minutes_at(ms);
        let local_min = (ms / 60_000) as i64 + off;
        let day = local_min.div_euclid(1440);
        // 1970-01-01 was a Thursday (3, counting from Monday).
        (
            ((day + 3).rem_euclid(7)) as u8,
            local_min.rem_euclid(1440) as u16,
        )
    }

    /// The instant (ms since the Unix epoch) at which local time reads
    /// `local` (ms since 1970-01-01 00:00 on the local clock): what a
    /// camera that writes local time without an offset meant. The inverse
    /// of [`Offsets::local`]. A local time that comes twice, in the hour
    /// the clocks go back, is the first; one that never comes, in the hour
    /// they go forward, is read with the offset before the change (as a
    /// camera whose clock was not yet put forward wrote it). `None` before
    /// the epoch.
    ///
    /// ```
    /// use hitgate_core::place::Offsets;
    /// const H: u64 = 3_600_000;
    /// let change = 1_774_746_000_000; // 2026-03-29T01:00:00Z
    /// let cet_cest = Offsets::new(&[(0, 60), (change, 120)]).unwrap();
    /// // 00:30 local, still winter time, is 23:30 UTC the day before.
    /// assert_eq!(cet_cest.utc(change - H / 2), Some(change - H - H / 2));
    /// // 03:30 local, summer time, is 01:30 UTC.
    /// assert_eq!(cet_cest.utc(change + 2 * H + H / 2), Some(change + H / 2));
    /// ```
    pub fn utc(&self, local: u64) -> Option<u64> {
        let local = i128::from(local);
        let at = |off: i16| local - i128::from(off) * 60_000;
        for w in self.0.windows(2) {
            let [(_, before), (change, after)] = [w[0], w[1]];
            let change = i128::from(change);
            // Before the change on the old offset, or in the hour the
            // change skips (not yet on the new one either).
            if at(before) < change || at(after) < change {
                return u64::try_from(at(before)).ok();
            }
        }
        let off = self.0.last().map_or(0, |&(_, o)| o);
        u64::try_from(at(off)).ok()
    }
}

/// A named window in which the rules that name it exist.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Operation {
    /// Its name, reported with each hit its rules decide.
    pub name: Name,
    /// Start, ms since the Unix epoch.
    pub start: u64,
    /// End, exclusive.
    pub end: u64,
}

impl Operation {
    /// An operation, `None` when it ends at or before it starts.
    pub fn new(operation: &str, start: u64, end: u64) -> Option<Self> {
        (end > start).then(|| Self {
            name: name(operation),
            start,
            end,
        })
    }

    /// True at `ms`.
    pub fn contains(&self, ms: u64) -> bool {
        (self.start..self.end).contains(&ms)
    }
}

/// Positions a [`ZoneMemo`] remembers.
pub const ZONE_MEMO: usize = 4;

/// The zone masks of the last [`ZONE_MEMO`] positions asked about, so that
/// the zones are walked once a position rather than once a hit: a fixed
/// camera's position never changes, and a parked mobile unit's seldom
/// does (with 50 polygons of 32 points, the walk is some 1,600
/// instructions on a Cortex-M4, the memo's look-up a few dozen). The
/// oldest answer gives way to a new position; [`ZoneMemo::clear`] when
/// the zones change.
#[derive(Debug, Clone, Copy, Default)]
pub struct ZoneMemo {
    /// (position, mask), the newest at `next - 1` (modulo).
    known: [Option<(Position, u64)>; ZONE_MEMO],
    next: usize,
}

impl ZoneMemo {
    /// Remembers nothing.
    pub const EMPTY: Self = Self {
        known: [None; ZONE_MEMO],
        next: 0,
    };

    /// Forgets every answer (the zones changed).
    pub fn clear(&mut self) {
        *self = Self::EMPTY;
    }

    /// [`Places::zones_of`], remembered.
    pub fn zones_of(&mut self, places: &Places<'_>, p: Option<Position>) -> u64 {
        let Some(at) = p else { return 0 };
        if places.zones.is_empty() {
            return 0;
        }
        if let Some((_, mask)) = self.known.iter().flatten().find(|(q, _)| *q == at) {
            return *mask;
        }
        let mask = places.zones_of(p);
        if let Some(slot) = self.known.get_mut(self.next) {
            *slot = Some((at, mask));
        }
        self.next = (self.next + 1) % ZONE_MEMO;
        mask
    }
}

/// The zones, schedules, operations, fixed cameras' positions and UTC
/// offsets a policy's rules refer to, in caller storage.
#[derive(Debug, Clone, Copy)]
pub struct Places<'a> {
    /// Zones, by id (a rule's zone mask bit).
    pub zones: &'a [Zone],
    /// Schedules, by id.
    pub schedules: &'a [Schedule],
    /// Operations, by id.
    pub operations: &'a [Operation],
    /// Fixed cameras' positions.
    pub cameras: &'a [(CameraId, Position)],
    /// UTC offsets for the schedules.
    pub offsets: &'a Offsets,
}

/// No offsets: local time is UTC.
pub static NO_OFFSETS: Offsets = Offsets::EMPTY;

impl Default for Places<'_> {
    fn default() -> Self {
        Places::none()
    }
}

impl<'a> Places<'a> {
    /// No places at all: rules with zone, schedule or operation
    /// conditions never apply.
    pub const fn none() -> Places<'static> {
        Places {
            zones: &[],
            schedules: &[],
            operations: &[],
            cameras: &[],
            offsets: &NO_OFFSETS,
        }
    }

    /// The position of a hit: the read's own, else its camera's.
    pub fn position(&self, camera: &CameraId, read: Option<Position>) -> Option<Position> {
        if read.is_some() || self.cameras.is_empty() {
            return read;
        }
        read.or_else(|| {
            self.cameras
                .iter()
                .find(|(c, _)| c.same(camera))
                .map(|(_, p)| *p)
        })
    }

    /// The mask of the zones `p` is in (every zone walked; a unit keeps
    /// the answers for its last few positions in a [`ZoneMemo`]).
    pub fn zones_of(&self, p: Option<Position>) -> u64 {
        let Some(p) = p else { return 0 };
        if self.zones.is_empty() {
            return 0;
        }
        let mut m = 0;
        for (i, z) in self.zones.iter().enumerate().take(MAX_ZONES) {
            if z.contains(p) {
                m |= 1 << i;
            }
        }
        m
    }

    /// The mask of the operations under way at `ms`.
    pub fn operations_at(&self, ms: u64) -> u16 {
        let mut m = 0;
        for (i, o) in self.operations.iter().enumerate().take(MAX_OPERATIONS) {
            if o.contains(ms) {
                m |= 1 << i;
            }
        }
        m
    }

    /// The mask of the schedules in force at `ms`.
    pub fn schedules_at(&self, ms: u64) -> u16 {
        if self.schedules.is_empty() {
            return 0;
        }
        let (day, minute) = self.offsets.local(ms);
        let mut m = 0;
        for (i, s) in self.schedules.iter().enumerate().take(MAX_SCHEDULES) {
            if s.contains(day, minute) {
                m |= 1 << i;
            }
        }
        m
    }
}
