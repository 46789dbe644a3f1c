//! RFC 3339 timestamps to and from ms since the Unix epoch.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Result, anyhow};

/// Parses an RFC 3339 UTC time (`2026-01-05T08:00:00Z`, fractions allowed).
/// The error quotes the text (for lists and settings; see
/// [`parse_event_ts`] for reads).
pub fn parse_ts(s: &str) -> Result<u64> {
    parse_event_ts(s).map_err(|e| anyhow!("bad timestamp {s:?}: {e}"))
}

/// Parses an RFC 3339 UTC time as [`parse_ts`] does, with an error that
/// does not repeat the text (a read's fields may hold a plate in the wrong
/// column).
pub fn parse_event_ts(s: &str) -> Result<u64> {
    let t = humantime::parse_rfc3339_weak(s).map_err(|_| anyhow!("not an RFC 3339 UTC time"))?;
    let d = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| anyhow!("before 1970"))?;
    u64::try_from(d.as_millis()).map_err(|_| anyhow!("out of range"))
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
        // The last ms of year 9999 formats; the next does not panic.
        assert_eq!(format_ts(YEAR_10000_MS - 1), "9999-12-31T23:59:59.999Z");
        assert_eq!(format_ts(YEAR_10000_MS), "253402300800000 ms after 1970");
    }
}
