//! RFC 3339 timestamps to and from ms since the Unix epoch.

use std::borrow::Cow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Result, anyhow};

/// Parses an RFC 3339 time (`2026-01-05T08:00:00Z`, fractions allowed; an
/// offset such as `+01:00` is applied, so `2026-01-05T09:00:00+01:00` is
/// the same instant). The error quotes the text (for lists and settings;
/// see [`parse_event_ts`] for reads).
pub fn parse_ts(s: &str) -> Result<u64> {
    parse_event_ts(s).map_err(|e| anyhow!("bad timestamp {s:?}: {e}"))
}

/// Parses an RFC 3339 time as [`parse_ts`] does, with an error that
/// does not repeat the text (a read's fields may hold a plate in the wrong
/// column).
///
/// The offset is `Z` (or `z`) or `±HH:MM`, the `T` may be `t` and the
/// fraction may follow a comma (ISO 8601's `08:00:00,250`); a time with none
/// (`2026-01-05 08:00:00`, a space for the `T` allowed too) is taken as
/// UTC, as it always was. The date and clock are humantime's; the offset
/// is read here, because humantime reads only UTC and, after a fraction,
/// passed over any other offset without applying it (a camera on Belgian
/// winter time would have been an hour off, and its hits late).
pub fn parse_event_ts(s: &str) -> Result<u64> {
    let (clock, offset_ms) = parse_written(s)?;
    let utc = clock
        .checked_sub(offset_ms.unwrap_or(0))
        .ok_or_else(|| anyhow!("out of range"))?;
    u64::try_from(utc).map_err(|_| anyhow!("before 1970"))
}

/// A time as it is written: its date and clock in ms since 1970-01-01
/// 00:00 on that clock, and its offset east of UTC in ms, `None` when it
/// has none (`2026-01-05 08:00:00`: UTC or local time, the text does not
/// say). A Unix number is UTC. The error does not repeat the text.
pub fn parse_written(s: &str) -> Result<(i64, Option<i64>)> {
    if let Some(ms) = unix_number(s)? {
        let ms = i64::try_from(ms).map_err(|_| anyhow!("out of range"))?;
        return Ok((ms, Some(0)));
    }
    let (clock, offset_ms) = split_offset(s)?;
    // RFC 3339 allows a lower-case `t`, ISO 8601 a decimal comma
    // (`08:00:00,250`, as European exports write it); humantime neither.
    let b = clock.as_bytes();
    let clock = if b.get(10) == Some(&b't') || b.get(19) == Some(&b',') {
        let mut fixed = b.to_vec();
        fixed[10] = fixed[10].to_ascii_uppercase();
        if let Some(c @ b',') = fixed.get_mut(19) {
            *c = b'.';
        }
        Cow::Owned(String::from_utf8(fixed).map_err(|_| anyhow!("not an RFC 3339 time"))?)
    } else {
        Cow::Borrowed(clock)
    };
    let t = humantime::parse_rfc3339_weak(&clock).map_err(|_| {
        // A date alone (`2026-12-31`) names a day, not an instant: at
        // midnight of which zone, and the start or the end of it?
        let date = clock.len() == 10
            && clock
                .bytes()
                .enumerate()
                .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
        if date {
            anyhow!("a date without a time of day; give the instant (2026-12-31T00:00:00Z, or with +01:00)")
        } else if year_last(&clock) {
            anyhow!(
                "a date with the year last (05/01/2026): day or month first, hitgate does not \
                 guess which; write it year first (2026-01-05T08:00:00Z, or with +01:00)"
            )
        } else if clock.get(..4).and_then(|y| y.parse::<u16>().ok()).is_some_and(|y| y < 1970) {
            // The parser takes the years from 1970 only.
            anyhow!("before 1970")
        } else {
            anyhow!("not an RFC 3339 time")
        }
    })?;
    let d = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| anyhow!("before 1970"))?;
    let clock = i64::try_from(d.as_millis()).map_err(|_| anyhow!("out of range"))?;
    Ok((clock, offset_ms))
}

/// The instant of a time as [`parse_written`] gives it: its clock less
/// its offset, or, written without one, its clock as UTC or, with
/// `local`, as local time on those offsets. `None` before 1970.
pub fn instant(
    clock: i64,
    offset: Option<i64>,
    local: Option<&hitgate_core::place::Offsets>,
) -> Option<u64> {
    match (offset, local) {
        (Some(o), _) => clock.checked_sub(o).and_then(|t| u64::try_from(t).ok()),
        (None, None) => u64::try_from(clock).ok(),
        (None, Some(local)) => u64::try_from(clock).ok().and_then(|c| local.utc(c)),
    }
}

/// Seconds and milliseconds since the Unix epoch tell themselves apart
/// in the years a time may carry (2000 to 2099, see `reads::check_ts`):
/// 946,684,800 to 4,102,444,800 seconds, a thousand times that in ms.
const SECONDS: std::ops::Range<f64> = 9.0e8..5.0e9;
const MILLISECONDS: std::ops::Range<f64> = 9.0e11..5.0e12;

/// A time written as a number, as camera systems often send it: Unix
/// seconds (a fraction allowed) or milliseconds, told apart by size;
/// `None` when `s` is not a number (then it is RFC 3339 or nothing).
fn unix_number(s: &str) -> Result<Option<u64>> {
    let t = s.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Ok(None);
    }
    let v: f64 = t.parse().map_err(|_| anyhow!("not a number"))?;
    if SECONDS.contains(&v) {
        Ok(Some((v * 1000.0).round() as u64))
    } else if MILLISECONDS.contains(&v) {
        Ok(Some(v.round() as u64))
    } else {
        Err(anyhow!(
            "a number is a time in Unix seconds or milliseconds, of the years 2000 to 2099"
        ))
    }
}

/// Does the text open with a date written year last (`05/01/2026`,
/// `5.1.2026`, `05-01-2026`)?
fn year_last(s: &str) -> bool {
    let mut parts = s.splitn(3, ['/', '.', '-']);
    let short = |p: Option<&str>| {
        p.is_some_and(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
    };
    short(parts.next())
        && short(parts.next())
        && parts
            .next()
            .is_some_and(|p| p.len() >= 4 && p.bytes().take(4).all(|b| b.is_ascii_digit()))
}

/// The date and clock of a time, and its offset east of UTC in ms: `Z`,
/// `z`, `±HH:MM`, `±HHMM` or `±HH` at the end, or the name of a zone whose
/// offset never varies, or none.
fn split_offset(s: &str) -> Result<(&str, Option<i64>)> {
    if let Some(clock) = s.strip_suffix(['Z', 'z']) {
        return Ok((clock, Some(0)));
    }
    // A zone's name after the clock (`2026-01-05 09:00:00 CET`), as
    // databases and log files write it: the four whose offset never
    // varies are read, any other is refused by name.
    let letters = s.bytes().rev().take_while(u8::is_ascii_alphabetic).count();
    if letters > 0 && s.len() - letters >= 19 && s.contains(':') {
        let (clock, name) = s.split_at(s.len() - letters);
        let hours = match name.to_ascii_uppercase().as_str() {
            "UTC" | "GMT" => 0,
            "CET" => 1,
            "CEST" => 2,
            "AM" | "PM" => return Err(anyhow!("a 12-hour clock (AM, PM); write it on 24 hours")),
            _ => {
                return Err(anyhow!(
                    "a time-zone name ({name}); write its UTC offset instead (+01:00), or Z"
                ));
            }
        };
        return Ok((clock.trim_end(), Some(hours * 3_600_000)));
    }
    // `2026-01-05T08:00:00` is 19 bytes; an offset can only follow it.
    let Some(sign) = s
        .as_bytes()
        .iter()
        .skip(19)
        .position(|c| matches!(c, b'+' | b'-'))
    else {
        return Ok((s, None));
    };
    let (clock, offset) = s.split_at(19 + sign);
    let o = offset.as_bytes();
    let digits = |i: usize| -> Result<i64> {
        match (o.get(i), o.get(i + 1)) {
            (Some(&h @ b'0'..=b'9'), Some(&l @ b'0'..=b'9')) => {
                Ok(i64::from((h - b'0') * 10 + (l - b'0')))
            }
            _ => Err(anyhow!("a UTC offset is ±HH:MM")),
        }
    };
    // ISO 8601 also writes `±HHMM` and `±HH` (strftime's `%z`, Java's `Z`).
    let (hours, minutes) = match (o.len(), o.get(3)) {
        (6, Some(b':')) => (digits(1)?, digits(4)?),
        (5, _) => (digits(1)?, digits(3)?),
        (3, _) => (digits(1)?, 0),
        _ => return Err(anyhow!("a UTC offset is ±HH:MM")),
    };
    if hours > 23 || minutes > 59 {
        return Err(anyhow!("a UTC offset is at most 23:59"));
    }
    let ms = (hours * 60 + minutes) * 60_000;
    Ok((clock, Some(if o[0] == b'-' { -ms } else { ms })))
}

/// The first ms that [`format_ts`] cannot write as RFC 3339: year 10000.
const YEAR_10000_MS: u64 = 253_402_300_800_000;

/// Formats ms since the epoch as RFC 3339 with milliseconds.
pub fn format_ts(ms: u64) -> String {
    if ms >= YEAR_10000_MS {
        // RFC 3339 has four-digit years; never panic on a far date.
        return format!("{ms} ms after 1970");
    }
    humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(ms)).to_string()
}

/// Now, for reports.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        // 2026-01-01T00:00:00Z, checked with `date -u -d @1767225600`.
        assert_eq!(parse_ts("2026-01-01T00:00:00Z").unwrap(), 1_767_225_600_000);
        assert_eq!(
            parse_ts("2026-01-01T00:00:00.250Z").unwrap(),
            1_767_225_600_250
        );
        assert_eq!(format_ts(1_767_225_600_250), "2026-01-01T00:00:00.250Z");
        assert!(parse_ts("yesterday").is_err());
        assert!(parse_ts("2026-13-01T00:00:00Z").is_err());
        let e = parse_event_ts("1ABC234").unwrap_err().to_string();
        assert!(!e.contains("1ABC234"), "{e}");
        // No offset is UTC; so is a space for the `T`.
        assert_eq!(parse_ts("2026-01-01 00:00:00").unwrap(), 1_767_225_600_000);
        // The last ms of year 9999 formats; the next does not panic.
        assert_eq!(format_ts(YEAR_10000_MS - 1), "9999-12-31T23:59:59.999Z");
        assert_eq!(format_ts(YEAR_10000_MS), "253402300800000 ms after 1970");
    }

    #[test]
    fn unix_seconds_and_milliseconds_tell_themselves_apart() {
        // `date -u -d @1767596401.155 +%FT%T.%3NZ` = 2026-01-05T07:00:01.155Z.
        let utc = parse_ts("2026-01-05T07:00:01.155Z").unwrap();
        assert_eq!(utc, 1_767_596_401_155);
        assert_eq!(parse_ts("1767596401155").unwrap(), utc);
        assert_eq!(parse_ts("1767596401.155").unwrap(), utc);
        assert_eq!(parse_ts(" 1767596401 ").unwrap(), utc - 155);
        // 2000-01-01 and the end of 2099 in both units fall in the ranges.
        assert_eq!(parse_ts("946684800").unwrap(), 946_684_800_000);
        assert_eq!(parse_ts("4102444799999").unwrap(), 4_102_444_799_999);
        // Neither seconds nor ms of those years, or not a number: refused.
        for bad in ["12", "31536000", "99999999999", "1767596401.1.5", "."] {
            assert!(parse_ts(bad).is_err(), "{bad}");
        }
        // A date is still a date, not a number.
        assert!(parse_ts("2026").is_err());
    }

    #[test]
    fn an_offset_is_applied_not_dropped() {
        // `date -u -d '2026-01-05T08:00:01.155+01:00' +%s%3N` = 1767596401155,
        // which is 07:00:01.155 UTC.
        let utc = 1_767_596_401_155;
        assert_eq!(parse_ts("2026-01-05T07:00:01.155Z").unwrap(), utc);
        assert_eq!(parse_ts("2026-01-05T08:00:01.155+01:00").unwrap(), utc);
        assert_eq!(parse_ts("2026-01-05t07:00:01.155z").unwrap(), utc);
        assert_eq!(parse_ts("2026-01-05T08:00:01,155+01:00").unwrap(), utc);
        assert_eq!(parse_ts("2026-01-05T07:00:01.155+00:00").unwrap(), utc);
        assert_eq!(parse_ts("2026-01-05T07:00:01.155-00:00").unwrap(), utc);
        // Without a fraction, and west of UTC: `date -u -d
        // '2026-01-05T01:30:00-05:30' +%s` = 1767596400, 07:00:00 UTC.
        assert_eq!(
            parse_ts("2026-01-05T08:00:00+01:00").unwrap(),
            1_767_596_400_000
        );
        assert_eq!(
            parse_ts("2026-01-05T01:30:00-05:30").unwrap(),
            1_767_596_400_000
        );
        // Across midnight and a summer offset: 2026-07-01T00:30:00+02:00
        // is 2026-06-30T22:30:00Z (`date -u -d ... +%s` = 1782858600).
        assert_eq!(
            parse_ts("2026-07-01T00:30:00+02:00").unwrap(),
            1_782_858_600_000
        );
        for bad in [
            "2026-01-05T08:00:00+1:00",
            "2026-01-05T08:00:00+01-00",
            "2026-01-05T08:00:00+24:00",
            "2026-01-05T08:00:00+01:60",
            "2026-01-05T08:00:00.5+0a:00",
            "2026-01-05T08:00:00.5+01:00:00",
            "2026-01-05T08:00:00.5+1",
            "2026-01-05T08:00:00+01000",
            "1970-01-01T00:30:00+01:00",
        ] {
            assert!(parse_ts(bad).is_err(), "{bad}");
        }
    }

    /// ISO 8601's other offsets and the zone names whose offset never
    /// varies, as logs and databases write them. `date -u -d
    /// '2026-01-05T09:00:00+01:00' +%s` = 1767600000; `date -u -d
    /// '2026-07-01T10:00:00+02:00' +%s` = 1782892800.
    #[test]
    fn other_offsets_and_fixed_zone_names_are_read() {
        let winter = 1_767_600_000_000;
        for s in [
            "2026-01-05T09:00:00+0100",
            "2026-01-05T09:00:00+01",
            "2026-01-05 09:00:00 CET",
            "2026-01-05 09:00:00.000 cet",
            "2026-01-05 08:00:00 UTC",
            "2026-01-05T08:00:00GMT",
        ] {
            assert_eq!(parse_ts(s).unwrap(), winter, "{s}");
        }
        assert_eq!(
            parse_ts("2026-07-01 10:00:00 CEST").unwrap(),
            1_782_892_800_000
        );
        let e = |s: &str| parse_ts(s).unwrap_err().to_string();
        assert!(e("2026-01-05 09:00:00 EST").contains("a time-zone name (EST)"));
        assert!(e("2026-01-05 09:00:00 PM").contains("12-hour clock"));
        for day_first in [
            "05/01/2026 08:00:00",
            "5.1.2026 08:00",
            "05-01-2026T08:00:00Z",
        ] {
            let m = e(day_first);
            assert!(m.contains("the year last"), "{day_first}: {m}");
        }
        assert!(e("tomorrow at eight").ends_with("not an RFC 3339 time"));
    }

    #[test]
    fn a_time_says_whether_it_was_written_with_an_offset() {
        // `date -u -d '2026-01-05T08:00:00Z' +%s` = 1767600000.
        let clock = 1_767_600_000_000;
        assert_eq!(parse_written("2026-01-05 08:00:00").unwrap(), (clock, None));
        assert_eq!(parse_written("2026-01-05T08:00:00").unwrap(), (clock, None));
        assert_eq!(
            parse_written("2026-01-05T08:00:00Z").unwrap(),
            (clock, Some(0))
        );
        assert_eq!(
            parse_written("2026-01-05T08:00:00-01:30").unwrap(),
            (clock, Some(-5_400_000))
        );
        // A Unix number is UTC by definition.
        assert_eq!(parse_written("1767600000").unwrap(), (clock, Some(0)));
        // A date alone is refused, with what to write instead.
        let e = parse_ts("2026-12-31").unwrap_err().to_string();
        assert!(e.contains("a date without a time of day"), "{e}");
        let e = parse_ts("2026-12-3x").unwrap_err().to_string();
        assert!(e.ends_with("not an RFC 3339 time"), "{e}");
        let e = parse_ts("1969-12-31T23:59:59Z").unwrap_err().to_string();
        assert!(e.ends_with("before 1970"), "{e}");
        let e = parse_ts("0001-01-01T00:00:00+01:00")
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("before 1970"), "{e}");
    }
}
