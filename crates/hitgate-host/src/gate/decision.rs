//! The decisions the gate publishes: one JSON object a recipient and
//! hit (`docs/formats.md`, "The zone gate"), and reading them back.

use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use hitgate_core::gate::{Sent, Verdict};
use hitgate_core::hit::Hit;
use hitgate_core::read::Position;
use serde::{Deserialize, Serialize};

use crate::time::format_ts;

/// One decision, as a recipient receives it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Decision {
    /// `<unit>/<seq>/<recipient>`: the same for every copy of it.
    pub id: String,
    /// The recipient.
    pub recipient: String,
    /// `dispatch`, `review` or `update` (a sighting of a case the
    /// recipient has).
    pub kind: String,
    /// The case: every hit on the same car within its window.
    pub case: u32,
    /// Why: `rule`, `capacity` (the recipient's budget is spent), `open`
    /// (the recipient has its most open dispatches of the priority),
    /// `late` (it reached the gate later than the recipient's most delay),
    /// `repeat` (an update), or the unit's reason for a review (`late`,
    /// `lookalike`, `capacity`).
    pub reason: String,
    /// The unit and its sequence number for the hit.
    pub unit: String,
    /// See `unit`.
    pub seq: u64,
    /// The camera.
    pub camera: String,
    /// Event time of the hit, ms since the Unix epoch.
    pub time: u64,
    /// Plate as read.
    pub read: String,
    /// The listed plate.
    pub listed: String,
    /// Its country, or empty.
    pub country: String,
    /// List id.
    pub list: u8,
    /// Priority 0–4.
    pub priority: u8,
    /// The rule that decided at the unit.
    pub rule: String,
    /// Where: a mobile unit's position, or a fixed camera's from the
    /// policy (`[[camera]]`); degrees × 10⁷.
    pub position: Option<(i32, i32)>,
    /// The case's latest sighting known before this one (none when this
    /// one opened the case): with each update the recipient sees the
    /// car's path.
    pub previous: Option<Previous>,
    /// When the gate received the hit, ms since the Unix epoch.
    pub received: u64,
    /// The hit is dated more than the policy's `max_future_ms` after
    /// `received` (its unit's clock is ahead): the gate decided it as seen
    /// on arrival, and `time` is what the unit said. Absent when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ahead: bool,
}

/// A case its recipient closed, as the decisions file records it (a line
/// among the decisions, told apart by `closed`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Close {
    /// `<recipient>/closed/<case>`: never a decision's id, whose middle
    /// part is a number.
    pub id: String,
    /// The recipient that closed it.
    pub recipient: String,
    /// The case.
    pub closed: u32,
    /// The outcome it stated, if any (a word: `intercepted`).
    pub outcome: Option<String>,
    /// When the gate took the close, ms since the Unix epoch.
    pub at: u64,
    /// The handling time, ms: from the gate's receipt of the hit it
    /// dispatched the case to the recipient on (that decision's
    /// `received`) to the close. A duration, never a time: it stays when
    /// the decision is purged. Absent when the gate no longer knew the
    /// dispatch (a state saved before it kept them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_ms: Option<u64>,
}

/// Is this line of a decisions file a [`Close`]?
fn is_close(line: &str) -> bool {
    serde_json::from_str::<Close>(line).is_ok()
}

/// The sighting of a case before an update.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Previous {
    /// Its event time, ms since the Unix epoch.
    pub time: u64,
    /// Where, degrees × 10⁷, when known.
    pub position: Option<(i32, i32)>,
}

/// Where, as the decisions carry it: degrees × 10⁷.
fn e7(p: Position) -> (i32, i32) {
    (p.lat_e7, p.lon_e7)
}

impl Decision {
    /// What `recipient` is sent for a unit's hit, under `verdict`.
    #[allow(clippy::too_many_arguments)] // the message's parts, each named
    pub(super) fn new(
        unit: &str,
        seq: u64,
        recipient: &str,
        sent: Sent,
        verdict: &Verdict,
        hit: &Hit,
        rule: &str,
        position: Option<Position>,
        received: u64,
    ) -> Self {
        let (kind, reason) = match sent {
            Sent::Dispatch => ("dispatch", "rule"),
            Sent::Review { late: true, .. } => ("review", "late"),
            Sent::Review { full: true, .. } => ("review", "open"),
            Sent::Review {
                throttled: true, ..
            } => ("review", "capacity"),
            Sent::Review { .. } => ("review", hit.reason.as_str()),
            Sent::Update => ("update", "repeat"),
        };
        Self {
            id: format!("{unit}/{seq}/{recipient}"),
            recipient: recipient.into(),
            kind: kind.into(),
            case: verdict.case,
            reason: reason.into(),
            unit: unit.into(),
            seq,
            camera: hit.camera.as_str().into(),
            time: hit.time,
            read: hit.read.as_str().into(),
            listed: hit.listed.as_str().into(),
            country: hit.country.map_or(String::new(), |c| c.as_str().into()),
            list: hit.list.0,
            priority: hit.priority.get(),
            rule: rule.into(),
            position: position.map(e7),
            previous: verdict.previous.map(|(time, p)| Previous {
                time,
                position: p.map(e7),
            }),
            received,
            ahead: verdict.ahead,
        }
    }
}

/// Reads a decisions file or a recipient's capture, one copy per id;
/// purged lines ([`purge_decisions`]) are left out.
pub fn read_decisions(path: &Path) -> Result<Vec<Decision>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || purged_id(line).is_some() || is_close(line) {
            continue;
        }
        let d: Decision = serde_json::from_str(line)
            .map_err(|e| anyhow!("{}:{}: not a decision: {e}", path.display(), i + 1))?;
        if seen.insert(d.id.clone()) {
            out.push(d);
        }
    }
    Ok(out)
}

/// A purged decision: its id, when it was purged, and what the zone's
/// figures count (`hitgate indicators`), nothing of the car.
#[derive(Debug, Serialize, Deserialize)]
struct Purged {
    id: String,
    /// When, ms since the Unix epoch.
    purged: u64,
    /// `dispatch`, `review` or `update` (absent in a line purged before
    /// it was kept, as the four below).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kind: Option<String>,
    /// Why (`rule`, `capacity`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// The listed plate's priority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    priority: Option<u8>,
    /// The event's day, UTC (`2026-01-05`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    day: Option<String>,
    /// From the event to the gate's decision, ms: a duration, not a time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delay_ms: Option<u64>,
}

/// The id of a purged line, `None` for any other.
fn purged_id(line: &str) -> Option<String> {
    serde_json::from_str::<Purged>(line).ok().map(|p| p.id)
}

/// Every id of a decisions file or a recipient's capture, purged ones
/// included (none when there is no file), and how many lines are no
/// decision (a line cut short by a killed run): a writer going on with
/// the file skips those, as `listen` does.
pub fn decision_ids(path: &Path) -> Result<(BTreeSet<String>, usize)> {
    if !path.exists() {
        return Ok((BTreeSet::new(), 0));
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let mut ids = BTreeSet::new();
    let mut unreadable = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let id = purged_id(line)
            .or_else(|| serde_json::from_str::<Decision>(line).ok().map(|d| d.id))
            .or_else(|| serde_json::from_str::<Close>(line).ok().map(|c| c.id));
        match id {
            Some(id) => {
                ids.insert(id);
            }
            None => unreadable += 1,
        }
    }
    Ok((ids, unreadable))
}

/// Purges the decisions of a decisions file or a recipient's capture
/// whose event time (or arrival, `received`, when that is earlier: a unit
/// whose clock is ahead) is older than `retention` at `now` (ms since the
/// Unix epoch): each line becomes `{"id": ..., "purged": now, "kind",
/// "reason", "priority", "day", "delay_ms"}`, so the file still says
/// which decisions were made, a late copy is not written again and the
/// zone's figures still count it, and it holds nothing of the car. The
/// file is replaced whole (written aside, synced, renamed); a file open
/// for appending must be opened again. Returns how many were purged (0:
/// the file untouched).
pub fn purge_decisions(path: &Path, retention: std::time::Duration, now: u64) -> Result<usize> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0), // nothing written yet
        // Unreadable is not "nothing to purge": the retention would
        // silently not hold.
        Err(e) => {
            return Err(e).with_context(|| format!("{}: cannot read to purge", path.display()));
        }
    };
    let cutoff = now.saturating_sub(u64::try_from(retention.as_millis()).unwrap_or(u64::MAX));
    let mut kept = String::with_capacity(text.len());
    let mut n = 0;
    for line in text.lines() {
        match serde_json::from_str::<Decision>(line) {
            // A purged line is no decision (its fields are missing).
            // Aged from its arrival when dated after it (a unit's clock
            // ahead): a wrong clock must not keep a car for years.
            Ok(d) if d.time.min(d.received) < cutoff => {
                let day = format_ts(d.time.min(d.received));
                let p = Purged {
                    id: d.id,
                    purged: now,
                    kind: Some(d.kind),
                    reason: Some(d.reason),
                    priority: Some(d.priority),
                    day: day.get(..10).map(str::to_string),
                    delay_ms: Some(d.received.saturating_sub(d.time)),
                };
                kept.push_str(&serde_json::to_string(&p)?);
                n += 1;
            }
            _ => kept.push_str(line),
        }
        kept.push('\n');
    }
    if n > 0 {
        crate::signed_file::write_atomically(path, kept.as_bytes())?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::open_for_append;
    use std::io::Write;

    fn line(id: &str, time: u64) -> String {
        format!(
            r#"{{"id":"{id}","recipient":"wpr","kind":"dispatch","case":1,"reason":"rule","unit":"u","seq":1,"camera":"c","time":{time},"read":"1ABC234","listed":"1ABC234","country":"BE","list":0,"priority":1,"rule":"p0-p1","position":null,"previous":null,"received":{time}}}"#
        )
    }

    #[test]
    fn purging_keeps_the_ids_and_nothing_of_the_car() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.jsonl");
        let day = 86_400_000u64;
        let now = 400 * day;
        let text = [
            line("u/1/wpr", now - 31 * day),
            line("u/2/wpr", now - 29 * day),
        ]
        .join("\n");
        std::fs::write(&path, text + "\n").unwrap();
        let month = std::time::Duration::from_secs(30 * 86_400);
        assert_eq!(purge_decisions(&path, month, now).unwrap(), 1);
        let after = std::fs::read_to_string(&path).unwrap();
        assert!(!after.contains("u/1/wpr\",\"recipient"), "{after}");
        assert_eq!(after.matches("1ABC234").count(), 2, "{after}"); // read, listed: the newer one
        assert!(
            after.starts_with(&format!(
                r#"{{"id":"u/1/wpr","purged":{now},"kind":"dispatch","reason":"rule","priority":1,"day":"1971-01-05","delay_ms":0}}"#
            )),
            "{after}"
        );
        // The purged line is no decision to read, but its id is known.
        let read: Vec<String> = read_decisions(&path)
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(read, ["u/2/wpr"]);
        let (ids, unreadable) = decision_ids(&path).unwrap();
        assert_eq!(ids.into_iter().collect::<Vec<_>>(), ["u/1/wpr", "u/2/wpr"]);
        assert_eq!(unreadable, 0);
        // Again, later: the second goes, the first stays as it was.
        assert_eq!(purge_decisions(&path, month, now + 2 * day).unwrap(), 1);
        let again = std::fs::read_to_string(&path).unwrap();
        assert!(!again.contains("1ABC234"), "{again}");
        assert!(
            again.starts_with(&format!(
                r#"{{"id":"u/1/wpr","purged":{now},"kind":"dispatch","reason":"rule","priority":1,"day":"1971-01-05","delay_ms":0}}"#
            )),
            "{again}"
        );
        assert_eq!(purge_decisions(&path, month, now + 3 * day).unwrap(), 0);
        // No file: nothing to do. A file that cannot be read: an error
        // that names it, not silence.
        assert_eq!(
            purge_decisions(&dir.path().join("none"), month, now).unwrap(),
            0
        );
        let bad = dir.path().join("bad.jsonl");
        std::fs::write(&bad, b"\xff\xfe not text\n").unwrap();
        let e = purge_decisions(&bad, month, now).unwrap_err();
        assert!(format!("{e:#}").contains("bad.jsonl"), "{e:#}");
    }

    /// A decision of a unit whose clock was five years ahead, received 31
    /// days ago, is purged with a 30-day retention: it is as old as its
    /// arrival. One received a day ago stays.
    #[test]
    fn a_decision_dated_ahead_is_as_old_as_its_arrival() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.jsonl");
        let day = 86_400_000u64;
        let now = 4_000 * day;
        let ahead = |id: &str, received: u64| {
            line(id, now + 5 * 365 * day).replace(
                &format!(r#""received":{}"#, now + 5 * 365 * day),
                &format!(r#""received":{received}"#),
            )
        };
        let text = [
            ahead("u/1/wpr", now - 31 * day),
            ahead("u/2/wpr", now - day),
        ]
        .join("\n");
        assert_eq!(text.matches("\"received\":").count(), 2);
        std::fs::write(&path, text + "\n").unwrap();
        let month = std::time::Duration::from_secs(30 * 86_400);
        assert_eq!(purge_decisions(&path, month, now).unwrap(), 1);
        let ids: Vec<String> = read_decisions(&path)
            .unwrap()
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(ids, ["u/2/wpr"]);
    }

    #[test]
    fn a_line_cut_short_is_ended_and_skipped_by_the_next_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.jsonl");
        let whole = line("u/1/wpr", 5);
        let cut = line("u/2/wpr", 6)[..40].to_string();
        std::fs::write(&path, format!("{whole}\n{cut}")).unwrap();
        let (ids, unreadable) = decision_ids(&path).unwrap();
        assert_eq!((ids.len(), unreadable), (1, 1));
        let mut f = open_for_append(&path).unwrap();
        writeln!(f, "{}", line("u/3/wpr", 7)).unwrap();
        drop(f);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{whole}\n{cut}\n{}\n", line("u/3/wpr", 7)));
        let (ids, unreadable) = decision_ids(&path).unwrap();
        assert_eq!(ids.into_iter().collect::<Vec<_>>(), ["u/1/wpr", "u/3/wpr"]);
        assert_eq!(unreadable, 1);
        // A whole file is left as it is.
        let before = std::fs::read_to_string(&path).unwrap();
        drop(open_for_append(&path).unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
    }
}
