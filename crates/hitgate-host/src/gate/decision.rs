//! The decisions the gate publishes: one JSON object a recipient and
//! hit (`docs/formats.md`, "The zone gate"), and reading them back.

use std::path::Path;

use anyhow::{Context, Result, anyhow};
use hitgate_core::gate::{Sent, Verdict};
use hitgate_core::hit::Hit;
use hitgate_core::read::Position;
use serde::{Deserialize, Serialize};

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
    /// Why: `rule`, `capacity` (the recipient's budget is spent),
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
            Sent::Review { throttled: true } => ("review", "capacity"),
            Sent::Review { throttled: false } => ("review", hit.reason.as_str()),
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
        }
    }
}

/// Reads a decisions file or a recipient's capture, one copy per id.
pub fn read_decisions(path: &Path) -> Result<Vec<Decision>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
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
