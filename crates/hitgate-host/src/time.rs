//! RFC 3339 timestamps to and from ms since the Unix epoch.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Result, anyhow};

/// Parses an RFC 3339 UTC time (`2026-01-05T08:00:00Z`, fractions allowed).
pub fn parse_ts(s: &str) -> Result<u64> {
    let t = humantime::parse_rfc3339_weak(s).map_err(|e| anyhow!("bad timestamp {s:?}: {e}"))?;
    let d = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| anyhow!("bad timestamp {s:?}: before 1970"))?;
    u64::try_from(d.as_millis()).map_err(|_| anyhow!("bad timestamp {s:?}: out of range"))
}

/// Formats ms since the epoch as RFC 3339 with milliseconds.
pub fn format_ts(ms: u64) -> String {
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
    }
}
