//! Zones, schedules and operations against independent references: a
//! floating-point ray cast and the haversine distance for the geometry,
//! hand-worked local times for the schedules.

#![allow(clippy::unwrap_used)] // test code: a panic is a failed test

use hitgate_core::place::*;
use hitgate_core::read::Position;
use proptest::prelude::*;

fn p(lat: f64, lon: f64) -> Position {
    Position {
        lat_e7: (lat * 1e7).round() as i32,
        lon_e7: (lon * 1e7).round() as i32,
    }
}

fn e7(p: Position) -> (f64, f64) {
    (f64::from(p.lat_e7), f64::from(p.lon_e7))
}

/// Ray casting in floating point, the textbook way.
fn reference_inside(poly: &[Position], q: Position) -> bool {
    let (qy, qx) = e7(q);
    let mut inside = false;
    for i in 0..poly.len() {
        let (ay, ax) = e7(poly[i]);
        let (by, bx) = e7(poly[(i + 1) % poly.len()]);
        if (ay > qy) != (by > qy) && qx < ax + (qy - ay) * (bx - ax) / (by - ay) {
            inside = !inside;
        }
    }
    inside
}

/// Distance from `q` to the segment a–b, in 10⁻⁷ degrees (flat).
fn to_segment(a: Position, b: Position, q: Position) -> f64 {
    let ((ay, ax), (by, bx), (qy, qx)) = (e7(a), e7(b), e7(q));
    let (dx, dy) = (bx - ax, by - ay);
    let t = (((qx - ax) * dx + (qy - ay) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    ((qx - ax - t * dx).powi(2) + (qy - ay - t * dy).powi(2)).sqrt()
}

/// Great-circle distance in metres.
fn haversine(a: Position, b: Position) -> f64 {
    let r = 6_371_008.8;
    let (la, lo) = (
        f64::from(a.lat_e7).to_radians() / 1e7,
        f64::from(a.lon_e7).to_radians() / 1e7,
    );
    let (lb, lob) = (
        f64::from(b.lat_e7).to_radians() / 1e7,
        f64::from(b.lon_e7).to_radians() / 1e7,
    );
    let h =
        ((lb - la) / 2.0).sin().powi(2) + la.cos() * lb.cos() * ((lob - lo) / 2.0).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

#[test]
fn points_on_edges_and_vertices_are_inside() {
    let sq = [p(50.0, 4.0), p(50.0, 4.1), p(50.1, 4.1), p(50.1, 4.0)];
    let z = Zone::polygon("sq", &sq).unwrap();
    for v in sq {
        assert!(z.contains(v), "vertex {v:?}");
    }
    assert!(z.contains(p(50.0, 4.05)), "bottom edge");
    assert!(z.contains(p(50.05, 4.1)), "right edge");
    assert!(z.contains(p(50.1, 4.05)), "top edge");
    assert!(z.contains(p(50.05, 4.0)), "left edge");
    assert!(z.contains(p(50.05, 4.05)));
    assert!(!z.contains(p(49.9999999, 4.05)));
    assert!(!z.contains(p(50.05, 4.1000001)));
}

#[test]
fn a_concave_polygon_leaves_its_notch_out() {
    // A U: the notch between its arms is outside.
    let u = [
        p(50.0, 4.0),
        p(50.0, 4.3),
        p(50.3, 4.3),
        p(50.3, 4.2),
        p(50.1, 4.2),
        p(50.1, 4.1),
        p(50.3, 4.1),
        p(50.3, 4.0),
    ];
    let z = Zone::polygon("u", &u).unwrap();
    assert!(z.contains(p(50.05, 4.15)), "the base");
    assert!(z.contains(p(50.2, 4.05)), "left arm");
    assert!(z.contains(p(50.2, 4.25)), "right arm");
    assert!(!z.contains(p(50.2, 4.15)), "the notch");
    assert!(z.contains(p(50.1, 4.15)), "the notch's floor is an edge");
    // A ray along the notch's floor passes two vertices at the same
    // latitude: counted once each way.
    assert!(!z.contains(p(50.1, 3.9)));
    assert!(z.contains(p(50.1, 4.05)));
}

#[test]
fn bad_zones_are_refused_with_the_reason() {
    let bowtie = [p(50.0, 4.0), p(50.1, 4.1), p(50.1, 4.0), p(50.0, 4.1)];
    assert_eq!(
        Zone::polygon("b", &bowtie).unwrap_err(),
        ZoneError::CrossesItself(0, 2)
    );
    assert_eq!(
        Zone::polygon("t", &[p(50.0, 4.0), p(50.1, 4.1)]).unwrap_err(),
        ZoneError::TooFewPoints
    );
    let many: Vec<Position> = (0..33)
        .map(|i| {
            let a = f64::from(i) / 33.0 * std::f64::consts::TAU;
            p(50.0 + 0.01 * a.sin(), 4.0 + 0.01 * a.cos())
        })
        .collect();
    assert_eq!(
        Zone::polygon("m", &many).unwrap_err(),
        ZoneError::TooManyPoints
    );
    assert!(Zone::polygon("m", &many[..32]).is_ok());
    // 32 points written as a closed ring, the first again at the end.
    let mut ring = many[..32].to_vec();
    ring.push(ring[0]);
    assert_eq!(
        Zone::polygon("m", &ring).unwrap(),
        Zone::polygon("m", &many[..32]).unwrap()
    );
    // A closed ring of two points is two points.
    assert_eq!(
        Zone::polygon("t", &[p(50.0, 4.0), p(50.1, 4.1), p(50.0, 4.0)]).unwrap_err(),
        ZoneError::TooFewPoints
    );
    // A point twice in a row: the second named, from 0.
    let twice = [p(50.0, 4.0), p(50.0, 4.1), p(50.0, 4.1), p(50.1, 4.1)];
    assert_eq!(
        Zone::polygon("r", &twice).unwrap_err(),
        ZoneError::RepeatedPoint(2)
    );
    assert_eq!(
        ZoneError::RepeatedPoint(2).to_string(),
        "point 3 is point 2 again"
    );
    // A ring closed twice over: the first repeat left out, the second
    // named.
    let mut twice_closed = many[..5].to_vec();
    twice_closed.extend([many[0], many[0]]);
    let e = Zone::polygon("c", &twice_closed).unwrap_err();
    assert_eq!(e, ZoneError::RepeatedPoint(0));
    assert_eq!(e.to_string(), "the last point is point 1 again, twice");
    // A point again further on is a crossing.
    let again = [
        p(50.0, 4.0),
        p(50.0, 4.1),
        p(50.1, 4.1),
        p(50.0, 4.1),
        p(50.1, 4.0),
    ];
    assert!(matches!(
        Zone::polygon("a", &again),
        Err(ZoneError::CrossesItself(..))
    ));
    // Across the 180° meridian, as a Pacific island group would be drawn.
    let pacific = [
        p(-17.0, 179.5),
        p(-17.0, -179.5),
        p(-16.0, -179.5),
        p(-16.0, 179.5),
    ];
    assert_eq!(
        Zone::polygon("fiji", &pacific).unwrap_err(),
        ZoneError::Antimeridian
    );
    let wide = [p(50.0, 0.0), p(50.0, 11.0), p(51.0, 11.0)];
    assert_eq!(Zone::polygon("w", &wide).unwrap_err(), ZoneError::TooLarge);
    // A spike folded back onto its own edge.
    let folded = [p(50.0, 4.0), p(50.0, 4.2), p(50.0, 4.1), p(50.1, 4.1)];
    assert!(matches!(
        Zone::polygon("f", &folded),
        Err(ZoneError::CrossesItself(..))
    ));
    assert_eq!(
        Zone::circle("n", p(85.0, 10.0), 1_000).unwrap_err(),
        ZoneError::Polar
    );
    assert_eq!(
        Zone::circle("s", p(-80.5, 10.0), 1_000).unwrap_err(),
        ZoneError::Polar
    );
    assert_eq!(
        Zone::circle("r", p(50.0, 4.0), 0).unwrap_err(),
        ZoneError::Radius
    );
    assert_eq!(
        Zone::circle("r", p(50.0, 4.0), 100_001).unwrap_err(),
        ZoneError::Radius
    );
    assert_eq!(
        Zone::circle("dateline", p(0.0, 179.99), 5_000).unwrap_err(),
        ZoneError::Antimeridian
    );
    assert_eq!(
        Zone::circle(
            "x",
            Position {
                lat_e7: 910_000_000,
                lon_e7: 0
            },
            10
        )
        .unwrap_err(),
        ZoneError::OutOfRange
    );
}

/// A star-shaped polygon (simple by construction): `n` points at
/// increasing angles around `centre`, each at its own radius.
fn star(centre: (f64, f64), radii: &[f64]) -> Vec<Position> {
    let n = radii.len() as f64;
    radii
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let a = i as f64 / n * std::f64::consts::TAU;
            p(centre.0 + r * a.sin(), centre.1 + r * a.cos())
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// Inside or out as the floating-point ray cast says, for points not
    /// within a hair of an edge (where the two may round differently).
    #[test]
    fn polygons_agree_with_a_floating_point_ray_cast(
        lat in -60.0f64..60.0,
        lon in -170.0f64..170.0,
        radii in prop::collection::vec(0.001f64..0.05, 3..=32),
        probes in prop::collection::vec((-0.06f64..0.06, -0.06f64..0.06), 50),
    ) {
        let poly = star((lat, lon), &radii);
        let z = Zone::polygon("z", &poly).unwrap();
        for (dy, dx) in probes {
            let q = p(lat + dy, lon + dx);
            let near = (0..poly.len()).any(|i| to_segment(poly[i], poly[(i + 1) % poly.len()], q) < 2.0);
            if !near {
                prop_assert_eq!(z.contains(q), reference_inside(&poly, q), "{:?} {:?}", q, poly);
            }
        }
    }

    /// A circle holds what lies closer than its radius on the sphere, up to
    /// 0.1 % of the radius, up to 80° of latitude.
    #[test]
    fn circles_agree_with_the_haversine_distance(
        lat in -79.9f64..79.9,
        lon in -170.0f64..170.0,
        radius in 10u32..100_000,
        bearing in 0.0f64..std::f64::consts::TAU,
        share in 0.0f64..2.0,
    ) {
        let centre = p(lat, lon);
        let z = Zone::circle("c", centre, radius).unwrap();
        // A point `share` radii away along `bearing`, on the flat map.
        let d_deg = f64::from(radius) * share / 111_195.0;
        let q = p(
            lat + d_deg * bearing.cos(),
            lon + d_deg * bearing.sin() / lat.to_radians().cos(),
        );
        let d = haversine(centre, q);
        let r = f64::from(radius);
        if (d - r).abs() > 0.001 * r + 0.05 {
            prop_assert_eq!(z.contains(q), d < r, "d {} r {}", d, r);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// A memo of the last positions' zones answers as the floating-point
    /// ray cast does, over more positions than it holds (so answers give
    /// way and are worked out again) and after it is cleared.
    #[test]
    fn remembered_zones_are_the_zones(
        shapes in prop::collection::vec(
            ((-0.02f64..0.02, -0.02f64..0.02), prop::collection::vec(0.002f64..0.03, 3..=12)),
            1..=6,
        ),
        // On a grid of 0.005°, so that positions share a latitude or a
        // longitude (a memo keyed on half the position would show).
        pool in prop::collection::vec((-8i32..=8, -8i32..=8), ZONE_MEMO + 3),
        asks in prop::collection::vec(0usize..ZONE_MEMO + 3, 60),
        clear_at in 0usize..60,
    ) {
        let (lat, lon) = (50.85, 4.35);
        let polys: Vec<Vec<Position>> = shapes
            .iter()
            .map(|((dy, dx), radii)| star((lat + dy, lon + dx), radii))
            .collect();
        let zones: Vec<Zone> = polys.iter().map(|q| Zone::polygon("z", q).unwrap()).collect();
        let places = Places { zones: &zones, ..Places::none() };
        let pool: Vec<Position> = pool
            .iter()
            .map(|&(dy, dx)| p(lat + 0.005 * f64::from(dy), lon + 0.005 * f64::from(dx)))
            .collect();
        let mut memo = ZoneMemo::EMPTY;
        for (n, &i) in asks.iter().enumerate() {
            if n == clear_at {
                memo.clear();
            }
            let q = pool[i];
            let got = memo.zones_of(&places, Some(q));
            for (bit, poly) in polys.iter().enumerate() {
                let near = (0..poly.len()).any(|k| to_segment(poly[k], poly[(k + 1) % poly.len()], q) < 2.0);
                if !near {
                    prop_assert_eq!(got >> bit & 1 == 1, reference_inside(poly, q), "zone {} at {:?}", bit, q);
                }
            }
        }
        prop_assert_eq!(memo.zones_of(&places, None), 0);
    }
}

/// The point the flat approximation with the centre's cosine put inside:
/// 53,590 m from the centre of a 53,323 m circle at 74.5° south, 0.5 %
/// out (the cosine halfway to the point brings it back within 0.1 %).
#[test]
fn a_large_circle_far_south_keeps_out_what_lies_beyond_its_radius() {
    let (lat, radius, bearing, share) = (
        -74.50340262451476f64,
        53_323u32,
        0.815920329622339f64,
        0.9995473959763211f64,
    );
    let centre = p(lat, 0.0);
    let z = Zone::circle("c", centre, radius).unwrap();
    let d_deg = f64::from(radius) * share / 111_195.0;
    let q = p(
        lat + d_deg * bearing.cos(),
        d_deg * bearing.sin() / lat.to_radians().cos(),
    );
    let d = haversine(centre, q);
    assert!(d > f64::from(radius) * 1.004, "{d}");
    assert!(!z.contains(q));
    // And the points just inside and outside of each bearing, at 0.1 %.
    for i in 0..64 {
        let b = f64::from(i) / 64.0 * std::f64::consts::TAU;
        for (share, inside) in [(0.998, true), (1.002, false)] {
            // On the sphere: the destination `share` radii away.
            let q = destination(centre, b, f64::from(radius) * share);
            assert_eq!(z.contains(q), inside, "bearing {b}, {share} radii");
        }
    }
}

/// The point `dist` metres from `from` along `bearing` on the sphere of
/// `haversine`.
fn destination(from: Position, bearing: f64, dist: f64) -> Position {
    let r = 6_371_008.8;
    let (lat1, lon1) = (
        (f64::from(from.lat_e7) / 1e7).to_radians(),
        (f64::from(from.lon_e7) / 1e7).to_radians(),
    );
    let a = dist / r;
    let lat2 = (lat1.sin() * a.cos() + lat1.cos() * a.sin() * bearing.cos()).asin();
    let lon2 =
        lon1 + (bearing.sin() * a.sin() * lat1.cos()).atan2(a.cos() - lat1.sin() * lat2.sin());
    p(lat2.to_degrees(), lon2.to_degrees())
}

const MINUTE: u64 = 60_000;
const HOUR: u64 = 60 * MINUTE;
/// 2026-03-28T00:00:00Z, a Saturday.
const SAT_28_MARCH_2026: u64 = 1_774_656_000_000;

fn brussels_2026() -> Offsets {
    // CET until the last Sunday of March 01:00 UTC, CEST until the last
    // Sunday of October 01:00 UTC, CET after.
    Offsets::new(&[
        (0, 60),
        (SAT_28_MARCH_2026 + 25 * HOUR, 120),
        (1_792_890_000_000, 60),
    ])
    .unwrap()
}

#[test]
fn local_time_follows_the_dated_offsets() {
    let o = brussels_2026();
    // Saturday 2026-03-28 23:30 UTC is Sunday 00:30 CET.
    assert_eq!(
        o.local(SAT_28_MARCH_2026 + 23 * HOUR + 30 * MINUTE),
        (6, 30)
    );
    // Sunday 00:59 UTC: 01:59 CET; 01:00 UTC: 03:00 CEST (02:xx never is).
    assert_eq!(
        o.local(SAT_28_MARCH_2026 + 24 * HOUR + 59 * MINUTE),
        (6, 119)
    );
    assert_eq!(o.local(SAT_28_MARCH_2026 + 25 * HOUR), (6, 180));
    // 2026-10-25 00:59 UTC is 02:59 CEST, 01:00 UTC is 02:00 CET again.
    assert_eq!(o.local(1_792_890_000_000 - MINUTE), (6, 179));
    assert_eq!(o.local(1_792_890_000_000), (6, 120));
    // 1970-01-01 was a Thursday.
    assert_eq!(Offsets::default().local(0), (3, 0));
    assert!(
        Offsets::new(&[(5, 60), (5, 120)]).is_none(),
        "starts must increase"
    );
    assert!(Offsets::new(&[(0, 19 * 60)]).is_none(), "beyond 18 hours");
}

/// Local times written without an offset, as Brussels cameras write
/// them, against Python's `zoneinfo` (`Europe/Brussels`, `fold=0`: the
/// first of two, and a time the change skips on the offset before it):
/// (local time, its ms read as if UTC, the instant).
const BRUSSELS_LOCAL: [(&str, u64, u64); 8] = [
    ("2026-01-05T08:00:00", 1767600000000, 1767596400000),
    ("2026-03-29T01:59:59", 1774749599000, 1774745999000),
    ("2026-03-29T02:30:00", 1774751400000, 1774747800000),
    ("2026-03-29T03:00:00", 1774753200000, 1774746000000),
    ("2026-07-01T12:00:00", 1782907200000, 1782900000000),
    ("2026-10-25T01:59:00", 1792893540000, 1792886340000),
    ("2026-10-25T02:30:00", 1792895400000, 1792888200000),
    ("2026-10-25T03:00:00", 1792897200000, 1792893600000),
];

#[test]
fn a_local_time_is_put_back_on_utc_as_zoneinfo_puts_it() {
    let o = brussels_2026();
    for (text, local, instant) in BRUSSELS_LOCAL {
        assert_eq!(o.utc(local), Some(instant), "{text}");
    }
    // No offsets: local time is UTC. Before the epoch: none.
    assert_eq!(Offsets::default().utc(1767600000000), Some(1767600000000));
    assert_eq!(Offsets::new(&[(0, 60)]).unwrap().utc(30 * MINUTE), None);
}

proptest! {
    /// Every instant of 2026 (to the minute) shown on the local clock
    /// comes back, but in the hour the clocks go back, which comes back
    /// as its first occurrence, an hour earlier.
    #[test]
    fn local_time_and_back_is_the_same_instant(minute in 0u64..366 * 24 * 60) {
        let spring = SAT_28_MARCH_2026 + 25 * HOUR;
        let autumn = 1_792_890_000_000;
        let u = 1_767_225_600_000 + minute * MINUTE; // from 2026-01-01T00:00Z
        let off = if u < spring || u >= autumn { HOUR } else { 2 * HOUR };
        let back = brussels_2026().utc(u + off).unwrap();
        if (autumn..autumn + HOUR).contains(&u) {
            prop_assert_eq!(back, u - HOUR);
        } else {
            prop_assert_eq!(back, u);
        }
    }
}

#[test]
fn a_night_schedule_crosses_midnight_and_the_summer_time_change() {
    let o = brussels_2026();
    // Friday and Saturday nights, 22:00 to 06:00 local.
    let night = Schedule::new("weekend-nights", (1 << 4) | (1 << 5), 22 * 60, 6 * 60).unwrap();
    let at = |ms: u64| {
        let (d, m) = o.local(ms);
        night.contains(d, m)
    };
    let fri = SAT_28_MARCH_2026 - 24 * HOUR; // Friday 00:00 UTC
    assert!(!at(fri + 20 * HOUR + 59 * MINUTE), "Fri 21:59 CET");
    assert!(at(fri + 21 * HOUR), "Fri 22:00 CET");
    assert!(at(fri + 26 * HOUR), "Sat 03:00 CET, Friday's night");
    assert!(!at(fri + 29 * HOUR), "Sat 06:00 CET");
    // Saturday's night runs into the change: 06:00 CEST is 04:00 UTC.
    assert!(
        at(SAT_28_MARCH_2026 + 27 * HOUR + 59 * MINUTE),
        "Sun 05:59 CEST"
    );
    assert!(!at(SAT_28_MARCH_2026 + 28 * HOUR), "Sun 06:00 CEST");
    // Sunday night is not in it; Thursday's early hours are not Friday's.
    assert!(!at(SAT_28_MARCH_2026 + 46 * HOUR), "Sun 22:00");
    assert!(!at(fri + 2 * HOUR), "Fri 03:00 CET (Thursday's night)");
    assert_eq!(
        Schedule::new("e", 0, 60, 120).unwrap_err(),
        ScheduleError::Empty
    );
    assert_eq!(
        Schedule::new("e", 1, 60, 60).unwrap_err(),
        ScheduleError::Empty
    );
    assert_eq!(
        Schedule::new("e", 1, 1440, 60).unwrap_err(),
        ScheduleError::OutOfRange
    );
    // Weekdays 07:00 to 09:00.
    let rush = Schedule::new("rush", 0b1_1111, 7 * 60, 9 * 60).unwrap();
    assert!(rush.contains(0, 7 * 60) && rush.contains(4, 8 * 60 + 59));
    assert!(!rush.contains(5, 8 * 60) && !rush.contains(0, 9 * 60));
}

#[test]
fn an_operation_is_its_window() {
    let op = Operation::new("final", 1_000, 2_000).unwrap();
    assert!(!op.contains(999) && op.contains(1_000) && op.contains(1_999) && !op.contains(2_000));
    assert!(Operation::new("backwards", 2_000, 1_000).is_none());
    assert!(Operation::new("empty", 1_000, 1_000).is_none());
}

#[test]
fn a_zone_within_another_is_said_only_when_it_lies_inside() {
    let square = |lat: f64, lon: f64, side: f64| {
        Zone::polygon(
            "sq",
            &[
                p(lat, lon),
                p(lat, lon + side),
                p(lat + side, lon + side),
                p(lat + side, lon),
            ],
        )
        .unwrap()
    };
    let outer = square(50.80, 4.30, 0.10);
    assert!(square(50.82, 4.32, 0.05).within(&outer));
    assert!(outer.within(&outer), "a zone lies within itself");
    assert!(!outer.within(&square(50.82, 4.32, 0.05)));
    // Poking out by 10⁻⁷ degree.
    assert!(!square(50.82, 4.32, 0.08 + 1e-7).within(&outer));
    // Apart.
    assert!(!square(51.0, 4.32, 0.01).within(&outer));
    // A U: its two arms are inside, the notch between them is not.
    let u = Zone::polygon(
        "u",
        &[
            p(50.80, 4.30),
            p(50.80, 4.40),
            p(50.90, 4.40),
            p(50.90, 4.37),
            p(50.83, 4.37),
            p(50.83, 4.33),
            p(50.90, 4.33),
            p(50.90, 4.30),
        ],
    )
    .unwrap();
    assert!(square(50.85, 4.31, 0.01).within(&u), "in the left arm");
    let across = Zone::polygon(
        "across",
        &[
            p(50.85, 4.31),
            p(50.85, 4.39),
            p(50.86, 4.39),
            p(50.86, 4.31),
        ],
    )
    .unwrap();
    assert!(
        across.contains(p(50.85, 4.31)) && u.contains(p(50.85, 4.31)),
        "its corners lie in the arms"
    );
    assert!(!across.within(&u), "it crosses the notch");
    // Circles: inside a polygon by their box; a circle holds only itself.
    let midi = Zone::circle("midi", p(50.8355, 4.336), 200).unwrap();
    assert!(midi.within(&outer));
    assert!(
        !Zone::circle("edge", p(50.801, 4.35), 200)
            .unwrap()
            .within(&outer)
    );
    assert!(midi.within(&midi.clone()));
    // In a circle: by their corners (a circle's: its box's).
    let wide = Zone::circle("wide", p(50.8355, 4.336), 5_000).unwrap();
    assert!(midi.within(&wide));
    assert!(square(50.835, 4.335, 0.001).within(&wide));
    assert!(!wide.within(&midi));
    // 5 km is 0.045° of latitude: a square reaching 0.05° north pokes out.
    assert!(!square(50.8355, 4.336, 0.05).within(&wide));
    assert!(
        !Zone::circle("off", p(50.8755, 4.336), 1_000)
            .unwrap()
            .within(&wide)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Whatever a zone said to lie within another contains, the other
    /// contains too; and a star shrunk about its centre lies within it.
    #[test]
    fn a_zone_said_within_another_holds_no_position_the_other_does_not(
        radii in prop::collection::vec(0.005f64..0.05, 3..=12),
        shrink in 0.05f64..0.95,
        inner in prop::collection::vec(0.001f64..0.03, 3..=8),
        offset in (-0.03f64..0.03, -0.03f64..0.03),
        circle in (10u32..4_000, any::<bool>()),
        probes in prop::collection::vec((0.0f64..1.0, 0.0f64..1.0), 300),
    ) {
        let centre = (50.85, 4.35);
        let outer = Zone::polygon("outer", &star(centre, &radii)).unwrap();
        let shrunk: Vec<f64> = radii.iter().map(|r| r * shrink).collect();
        let small = Zone::polygon("shrunk", &star(centre, &shrunk)).unwrap();
        prop_assert!(small.within(&outer));
        let elsewhere = (centre.0 + offset.0, centre.1 + offset.1);
        let zone = if circle.1 {
            Zone::circle("c", p(elsewhere.0, elsewhere.1), circle.0).unwrap()
        } else {
            Zone::polygon("p", &star(elsewhere, &inner)).unwrap()
        };
        if zone.within(&outer) {
            // Positions across the zone's box: those it contains.
            let (lat0, lon0, span) = (elsewhere.0 - 0.05, elsewhere.1 - 0.05, 0.1);
            for (a, b) in &probes {
                let q = p(lat0 + a * span, lon0 + b * span);
                prop_assert!(!zone.contains(q) || outer.contains(q), "{:?}", q);
            }
            for &q in zone.points() {
                prop_assert!(outer.contains(q));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// In an outer circle: whatever a zone said to lie within it contains,
    /// the circle contains, probed hardest where rounding bites (the
    /// zone's corners, along its edges, and across its box); and a square
    /// of half the radius about the centre is always within.
    #[test]
    fn a_zone_said_within_a_circle_holds_no_position_the_circle_does_not(
        lat in 35.0f64..75.0,
        radius in 1u32..50_000,
        radii in prop::collection::vec(0.2f64..1.3, 3..=10),
        shift in (-0.5f64..0.5, -0.5f64..0.5),
        circle in (0.05f64..1.2, any::<bool>()),
        probes in prop::collection::vec((0.0f64..1.0, 0.0f64..1.0), 200),
    ) {
        let centre = (lat, 4.35);
        let outer = Zone::circle("outer", p(centre.0, centre.1), radius).unwrap();
        // The circle's radius in degrees of latitude, and of longitude there.
        let r_lat = f64::from(radius) / 111_320.0;
        let r_lon = r_lat / lat.to_radians().cos();
        let half = Zone::polygon("half", &[
            p(lat - r_lat / 2.0, 4.35 - r_lon / 2.0),
            p(lat + r_lat / 2.0, 4.35 - r_lon / 2.0),
            p(lat + r_lat / 2.0, 4.35 + r_lon / 2.0),
            p(lat - r_lat / 2.0, 4.35 + r_lon / 2.0),
        ]);
        if radius >= 20 {
            prop_assert!(half.unwrap().within(&outer));
        }
        let at = (lat + shift.0 * r_lat, 4.35 + shift.1 * r_lon);
        let zone = if circle.1 {
            let r = ((f64::from(radius) * circle.0) as u32).max(1);
            Zone::circle("c", p(at.0, at.1), r).unwrap()
        } else {
            // A star about `at`, its points at these fractions of the radius.
            let n = radii.len() as f64;
            let pts: Vec<Position> = radii.iter().enumerate().map(|(i, f)| {
                let a = i as f64 / n * std::f64::consts::TAU;
                p(at.0 + f * r_lat * a.sin(), at.1 + f * r_lon * a.cos())
            }).collect();
            match Zone::polygon("p", &pts) {
                Ok(z) => z,
                Err(_) => return Ok(()),
            }
        };
        if zone.within(&outer) {
            let mut qs: Vec<Position> = zone.points().to_vec();
            let pts = zone.points();
            for (i, &a) in pts.iter().enumerate() {
                let b = pts[(i + 1) % pts.len()];
                for k in 1..50 {
                    let t = f64::from(k) / 50.0;
                    let lat = f64::from(a.lat_e7) + t * f64::from(b.lat_e7 - a.lat_e7);
                    let lon = f64::from(a.lon_e7) + t * f64::from(b.lon_e7 - a.lon_e7);
                    for (dl, dn) in [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)] {
                        qs.push(Position { lat_e7: lat as i32 + dl, lon_e7: lon as i32 + dn });
                    }
                }
            }
            let (lat0, lon0) = (at.0 - 1.3 * r_lat, at.1 - 1.3 * r_lon);
            for (a, b) in &probes {
                qs.push(p(lat0 + a * 2.6 * r_lat, lon0 + b * 2.6 * r_lon));
            }
            for q in qs {
                prop_assert!(!zone.contains(q) || outer.contains(q), "{:?}", q);
            }
        }
    }
}
