//! Reading the central side's files: each line a hit, a purged hit, a
//! decision, a purged decision or a close, each field checked against its
//! range, or a bad line that names the field (never its value).

use std::path::Path;

use anyhow::Result;
use serde_json::Value;

use super::{BadLine, Indicators, day_start};

pub(super) const ACTION_REVIEW: u8 = 1;
pub(super) const ACTION_DISPATCH: u8 = 2;
/// Bad lines said on standard error.
const BAD_SAID: u64 = 10;

/// What a line of a listener's archive says, for the figures.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct HitLine {
    pub(super) unit: String,
    pub(super) seq: u64,
    pub(super) link: String,
    /// Event time, or the arrival of a purged hit.
    pub(super) at: u64,
    pub(super) camera: Option<String>,
    pub(super) priority: Option<u8>,
    pub(super) action: Option<u8>,
    pub(super) tolerant: bool,
    pub(super) late: bool,
    pub(super) purged: bool,
    /// From the event to the arrival at the listener, ms (a whole hit).
    pub(super) delay_ms: Option<u64>,
}

/// A field of a line, read as a number at most `max`, as a string, or
/// as a boolean; the error names the field and what it should be (never
/// its value).
struct Fields<'v>(&'v Value);

impl Fields<'_> {
    fn num(&self, key: &str, max: u64) -> Result<u64, String> {
        self.0
            .get(key)
            .and_then(Value::as_u64)
            .filter(|&n| n <= max)
            .ok_or_else(|| match max {
                u64::MAX => format!("`{key}`: not a number"),
                _ => format!("`{key}`: not a number from 0 to {max}"),
            })
    }

    /// A number at most `max` when present (`None` when absent).
    fn num_opt(&self, key: &str, max: u64) -> Result<Option<u64>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.num(key, max).map(Some),
        }
    }

    fn text(&self, key: &str) -> Result<String, String> {
        self.0
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("`{key}`: not a string"))
    }

    fn text_opt(&self, key: &str) -> Result<Option<String>, String> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.text(key).map(Some),
        }
    }

    fn flag(&self, key: &str) -> Result<bool, String> {
        self.0
            .get(key)
            .and_then(Value::as_bool)
            .ok_or_else(|| format!("`{key}`: not true or false"))
    }
}

/// The highest priority and match kind (2 edit) of a hit record.
const MAX_PRIORITY: u64 = 4;
const MAX_KIND: u64 = 2;

/// A hit's action: 1 review or 2 dispatch (a unit forwards no other).
fn action(n: u64) -> Result<u8, String> {
    match n {
        1 => Ok(ACTION_REVIEW),
        2 => Ok(ACTION_DISPATCH),
        _ => Err("`action`: not 1 (review) or 2 (dispatch)".into()),
    }
}

/// Reads a line of a listener's archive: a hit, or a purged hit's line.
pub(super) fn hit_line(v: &Value) -> Result<HitLine, String> {
    let f = Fields(v);
    let unit = f.text("unit")?;
    let seq = f.num("seq", u64::MAX)?;
    let link = v
        .get("chain")
        .and_then(|c| c.get("link"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let small = |n: Option<u64>| n.and_then(|n| u8::try_from(n).ok());
    if v.get("purged").is_some() {
        return Ok(HitLine {
            unit,
            seq,
            link,
            at: f.num("received", u64::MAX)?,
            camera: None,
            priority: small(f.num_opt("priority", MAX_PRIORITY)?),
            action: f.num_opt("action", u64::MAX)?.map(action).transpose()?,
            tolerant: false,
            late: false,
            purged: true,
            delay_ms: None,
        });
    }
    let hit = Fields(v.get("hit").ok_or("no `hit` (nor `purged`)")?);
    let (time, received) = (hit.num("time", u64::MAX)?, f.num("received", u64::MAX)?);
    Ok(HitLine {
        unit,
        seq,
        link,
        // A hit dated after it arrived (its unit's clock ahead) counts at
        // its arrival, as the retention ages it.
        at: time.min(received),
        delay_ms: Some(received.saturating_sub(time)),
        camera: Some(hit.text("camera")?),
        priority: small(Some(hit.num("priority", MAX_PRIORITY)?)),
        action: Some(action(hit.num("action", u64::MAX)?)?),
        tolerant: hit.num("kind", MAX_KIND)? != 0,
        late: hit.flag("late")?,
        purged: false,
    })
}

/// What a line of decisions says, for the figures.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct DecisionLine {
    pub(super) id: String,
    pub(super) recipient: String,
    /// Event time; a purged decision's day at midnight, if kept.
    pub(super) at: Option<u64>,
    pub(super) kind: Option<String>,
    pub(super) reason: Option<String>,
    pub(super) priority: Option<u8>,
    pub(super) case: Option<u64>,
    /// When the gate received the hit (a decision).
    pub(super) received: Option<u64>,
    /// From the event to the decision, ms (a decision, or a purged one
    /// that kept it).
    pub(super) delay_ms: Option<u64>,
    /// The case a close closed.
    pub(super) closed: Option<u64>,
    /// A close's outcome.
    pub(super) outcome: Option<String>,
    /// A close's handling time, ms, when the gate stated it.
    pub(super) handled_ms: Option<u64>,
    pub(super) purged: bool,
}

/// Reads a decision, a purged decision's line, or a close.
pub(super) fn decision_line(v: &Value) -> Result<DecisionLine, String> {
    let f = Fields(v);
    let id = f.text("id")?;
    if v.get("closed").is_some() {
        return Ok(DecisionLine {
            recipient: f.text("recipient")?,
            id,
            at: Some(f.num("at", u64::MAX)?),
            kind: Some("closed".into()),
            reason: None,
            priority: None,
            case: None,
            received: None,
            delay_ms: None,
            closed: Some(f.num("closed", u64::MAX)?),
            outcome: f.text_opt("outcome")?,
            handled_ms: f.num_opt("handled_ms", u64::MAX)?,
            purged: false,
        });
    }
    let kind = |k: Option<String>| match k.as_deref() {
        None | Some("dispatch" | "review" | "update") => Ok(k),
        Some(_) => Err("`kind`: not dispatch, review or update".to_string()),
    };
    let priority = f
        .num_opt("priority", MAX_PRIORITY)?
        .and_then(|n| u8::try_from(n).ok());
    if v.get("purged").is_some() {
        // The recipient is the id's last part (`<unit>/<seq>/<recipient>`).
        let recipient = id.rsplit('/').next().unwrap_or_default().to_string();
        let at = match f.text_opt("day")? {
            Some(d) => Some(day_start(&d).map_err(|_| "`day`: not a day (YYYY-MM-DD)")?),
            None => None,
        };
        return Ok(DecisionLine {
            at,
            recipient,
            id,
            kind: kind(f.text_opt("kind")?)?,
            reason: f.text_opt("reason")?,
            priority,
            case: None,
            received: None,
            delay_ms: f.num_opt("delay_ms", u64::MAX)?,
            closed: None,
            outcome: None,
            handled_ms: None,
            purged: true,
        });
    }
    let (time, case) = (f.num("time", u64::MAX)?, f.num("case", u64::MAX)?);
    let received = f.num("received", u64::MAX)?;
    Ok(DecisionLine {
        recipient: f.text("recipient")?,
        id,
        // Dated after it arrived (its unit's clock ahead): at its arrival.
        at: Some(time.min(received)),
        kind: kind(Some(f.text("kind")?))?,
        reason: Some(f.text("reason")?),
        priority: Some(priority.ok_or("`priority`: not a number from 0 to 4")?),
        case: Some(case),
        received: Some(received),
        delay_ms: Some(received.saturating_sub(time)),
        closed: None,
        outcome: None,
        handled_ms: None,
        purged: false,
    })
}

/// Calls `f` with each non-blank line of `path` as JSON; a line that is
/// not JSON, or that `f` finds is not its kind (the error names the
/// field), is a bad line.
/// The file is read as recordings are ([`crate::input::Input`]): gzip or
/// not (a year of archives is kept compressed), `-` for standard input,
/// a line at a time of at most [`MAX_LINE`](crate::input::MAX_LINE)
/// bytes.
pub(super) fn for_each_line(
    path: &Path,
    out: &mut Indicators,
    mut f: impl FnMut(&mut Indicators, &Value) -> Result<(), String>,
) -> Result<()> {
    let mut input = crate::input::Input::open(path)?;
    let mut buf = Vec::new();
    let mut number = 0u64;
    loop {
        let (n, fitted) = input.next_line(&mut buf, number)?;
        if n == 0 {
            return Ok(());
        }
        number += 1;
        let line = crate::input::trim_line(&buf);
        if fitted && line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        out.lines += 1;
        let fault = match serde_json::from_slice::<Value>(line) {
            _ if !fitted => Some(format!("longer than {} bytes", crate::input::MAX_LINE)),
            Err(e) => Some(format!("not JSON (column {})", e.column())),
            Ok(v) => f(out, &v).err(),
        };
        if let Some(error) = fault {
            out.bad_lines += 1;
            if out.bad_lines <= BAD_SAID {
                eprintln!("indicators: {}:{number}: {error}", input.name);
                out.errors.push(BadLine {
                    file: input.name.clone(),
                    line: number,
                    error,
                });
            }
        }
    }
}
