//! `hitgate receive`: one recipient of the zone gate, as a dispatch
//! room's software would be one, for a zone to start from and for tests.
//!
//! It keeps a persistent session on `hitgate/dispatch/<name>`, takes each
//! message that is a decision for it, writes one copy per `id` to a file
//! (JSON Lines, as received: `hitgate eval --gate` reads it), and with
//! `ack` acknowledges each decision on `hitgate/dispatch/<name>/ack` once
//! the file holding it is on disk, a copy seen before included (its
//! first acknowledgement may have been lost). The gate then holds every
//! decision of a recipient declared with `acks = true` until this
//! acknowledgement comes (`docs/formats.md`, "The zone gate"). Started
//! again on the same file, it goes on: the ids in the file are not
//! written twice. With a retention, each decision is purged from the
//! file that long after its event time, its id kept. With `close_after`,
//! it closes each case it got as a dispatch that long after it came (on
//! `hitgate/dispatch/<name>/closed`), as a room that handles a case in
//! that time would: what the gate's `max_open` counts.

use std::collections::{BTreeSet, VecDeque};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::formats::open_for_append;
use crate::gate::{Decision, decision_ids, purge_decisions};
use crate::mqtt::{Broker, Link, LinkEvent};
use crate::time::now_ms;

/// How often the retention is applied while running.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

/// How to receive.
#[derive(Debug, Clone)]
pub struct ReceiveOptions {
    /// Brokers, tried in turn.
    pub brokers: Vec<Broker>,
    /// The recipient's name: its topic `hitgate/dispatch/<name>`.
    pub recipient: String,
    /// Decisions received (JSON Lines), appended to.
    pub out: PathBuf,
    /// MQTT client id: the persistent session's name.
    pub client_id: String,
    /// Acknowledge each decision once it is on disk.
    pub ack: bool,
    /// Stop after this long connected without a message (and once every
    /// case due to be closed is closed).
    pub idle_exit: Option<Duration>,
    /// Close each case received as a dispatch this long after it came.
    pub close_after: Option<Duration>,
    /// The outcome each close states, if any.
    pub outcome: Option<String>,
    /// Purge each decision this long after its event time, at start and
    /// every hour ([`purge_decisions`]); `None`: keep them.
    pub retention: Option<Duration>,
}

/// What a run received.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ReceiveReport {
    /// Messages on the topic.
    pub received: u64,
    /// Decisions written (ids not seen before).
    pub written: u64,
    /// Copies of decisions seen before (in this run or in the file).
    pub duplicates: u64,
    /// Messages that are no decision for this recipient, said on
    /// standard error (the first ten).
    pub bad: u64,
    /// Acknowledgements published.
    pub acks: u64,
    /// Cases closed (`close_after`).
    pub closed: u64,
}

/// Receives until idle (or forever).
pub fn receive(opts: &ReceiveOptions) -> Result<ReceiveReport> {
    let name = &opts.recipient;
    if name.is_empty() || name.contains(['/', '+', '#']) {
        bail!("recipient {name:?}: a name that can end a topic");
    }
    let purge = || -> Result<()> {
        if let Some(r) = opts.retention {
            let n = purge_decisions(&opts.out, r, now_ms())?;
            if n > 0 {
                eprintln!("receive: {n} decisions purged (older than the retention)");
            }
        }
        Ok(())
    };
    let open = || -> Result<BufWriter<File>> { Ok(BufWriter::new(open_for_append(&opts.out)?)) };
    purge()?;
    // Purged ones included: a late copy is not written again.
    let (mut seen, unreadable) = decision_ids(&opts.out)?;
    if unreadable > 0 {
        eprintln!(
            "{}: {unreadable} unreadable lines skipped (a run killed mid-write?)",
            opts.out.display()
        );
    }
    let mut out = open()?;
    let mut last_purge = Instant::now();
    let topic = format!("hitgate/dispatch/{name}");
    let ack_topic = format!("{topic}/ack");
    let closed_topic = format!("{topic}/closed");
    // Cases received as dispatches, and when each is to be closed.
    let mut to_close: VecDeque<(Instant, u32)> = VecDeque::new();
    let mut link = Link::start(&opts.brokers, &opts.client_id, vec![topic])?;
    let mut r = ReceiveReport::default();
    let mut last_message = Instant::now();
    // On disk, not yet acknowledged: a session's queued messages come
    // before the link says it is up, and a full queue refuses one.
    let mut unacked: Vec<String> = Vec::new();
    loop {
        // A batch: what arrives without a pause of 20 ms, written and
        // synced once, then acknowledged.
        let mut to_ack: Vec<String> = Vec::new();
        let mut wait = Duration::from_millis(200);
        while let Some(event) = link.next(wait) {
            wait = Duration::from_millis(20);
            match event {
                LinkEvent::Up(b) => {
                    eprintln!("receive: connected to {b}");
                    last_message = Instant::now();
                }
                LinkEvent::Down(why) => eprintln!("receive: down ({why})"),
                LinkEvent::Message { payload, .. } => {
                    last_message = Instant::now();
                    r.received += 1;
                    match parse(&payload, name, &seen) {
                        Ok((d, Some(line))) => {
                            out.write_all(line.as_bytes())
                                .with_context(|| format!("{}: cannot write", opts.out.display()))?;
                            seen.insert(d.id.clone());
                            r.written += 1;
                            if let (Some(after), "dispatch") = (opts.close_after, d.kind.as_str()) {
                                to_close.push_back((Instant::now() + after, d.case));
                            }
                            to_ack.push(d.id);
                        }
                        Ok((d, None)) => {
                            r.duplicates += 1;
                            to_ack.push(d.id);
                        }
                        Err(why) => {
                            r.bad += 1;
                            if r.bad <= 10 {
                                eprintln!("receive: {why}");
                            }
                        }
                    }
                }
            }
            if to_ack.len() >= 256 {
                break;
            }
        }
        if !to_ack.is_empty() {
            // On disk before the gate lets go of any of them.
            out.flush().context("receive: cannot write")?;
            out.get_ref()
                .sync_data()
                .with_context(|| format!("{}: cannot sync", opts.out.display()))?;
            if opts.ack {
                unacked.extend(to_ack);
            }
        }
        // Refused ones wait for the next round (lost with the link after
        // the broker took them: the gate sends the decision again).
        let mut refused = Vec::new();
        for id in unacked.drain(..) {
            let ack = serde_json::json!({ "id": id }).to_string();
            if link.publish(&ack_topic, ack.as_bytes()) {
                r.acks += 1;
            } else {
                refused.push(id);
            }
        }
        unacked = refused;
        // The cases due, in the order they came; one the link refuses
        // waits for the next round.
        while let Some(&(due, case)) = to_close.front() {
            if due > Instant::now() {
                break;
            }
            let closed = match &opts.outcome {
                Some(o) => serde_json::json!({ "case": case, "outcome": o }),
                None => serde_json::json!({ "case": case }),
            }
            .to_string();
            if !link.publish(&closed_topic, closed.as_bytes()) {
                break;
            }
            to_close.pop_front();
            r.closed += 1;
        }
        if opts.retention.is_some() && last_purge.elapsed() >= PURGE_EVERY {
            // The file is replaced whole: written out first, opened again
            // after.
            out.flush().context("receive: cannot write")?;
            purge()?;
            out = open()?;
            last_purge = Instant::now();
        }
        if !link.is_up() {
            // Time without a broker is not idle time.
            last_message = Instant::now();
        }
        if unacked.is_empty()
            && to_close.is_empty()
            && opts.idle_exit.is_some_and(|d| last_message.elapsed() >= d)
        {
            return Ok(r);
        }
    }
}

/// One message: a decision for `name`, and the line to write (as
/// received, fields this build does not know kept; made one line if it
/// spans several) when its id was not seen.
fn parse(
    payload: &[u8],
    name: &str,
    seen: &BTreeSet<String>,
) -> Result<(Decision, Option<String>), String> {
    let value: serde_json::Value =
        serde_json::from_slice(payload).map_err(|e| format!("a message that is not JSON: {e}"))?;
    let d: Decision = serde_json::from_value(value.clone())
        .map_err(|e| format!("a message that is not a decision: {e}"))?;
    if d.recipient != name {
        return Err(format!("a decision for {:?} (id {})", d.recipient, d.id));
    }
    if seen.contains(&d.id) {
        return Ok((d, None));
    }
    // The bytes as received (they are JSON, so UTF-8), unless they span
    // lines.
    let mut line = match std::str::from_utf8(payload) {
        Ok(text) if !text.contains(['\n', '\r']) => text.to_string(),
        _ => value.to_string(),
    };
    line.push('\n');
    Ok((d, Some(line)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A decision as the gate publishes one (`docs/formats.md`).
    const WPR: &str = r#"{"id":"u-a/7/wpr","recipient":"wpr","kind":"dispatch","case":3,"reason":"rule","unit":"u-a","seq":7,"camera":"cam-a","time":1767600000000,"read":"1ABC234","listed":"1ABC234","country":"BE","list":0,"priority":1,"rule":"p0-p1","position":[508400000,43500000],"previous":null,"received":1767600000400}"#;

    #[test]
    fn a_decision_is_written_once_and_anything_else_is_named() {
        let mut seen = BTreeSet::new();
        let (d, line) = parse(WPR.as_bytes(), "wpr", &seen).unwrap();
        assert_eq!(
            (d.id.as_str(), d.kind.as_str(), d.case),
            ("u-a/7/wpr", "dispatch", 3)
        );
        // As received, one line.
        assert_eq!(line.as_deref(), Some(format!("{WPR}\n").as_str()));
        seen.insert(d.id);
        assert_eq!(parse(WPR.as_bytes(), "wpr", &seen).unwrap().1, None);
        // A field this build does not know is kept.
        let newer = WPR.replace("}", r#","lane":2}"#);
        let (_, line) = parse(newer.as_bytes(), "wpr", &BTreeSet::new()).unwrap();
        assert!(line.unwrap().contains(r#""lane":2"#));
        // Another recipient's decision, a message that is no decision, one
        // that is no JSON: each said, none written.
        let e = parse(WPR.as_bytes(), "room", &BTreeSet::new()).unwrap_err();
        assert!(e.contains("a decision for \"wpr\""), "{e}");
        let e = parse(br#"{"id":"x"}"#, "wpr", &BTreeSet::new()).unwrap_err();
        assert!(e.contains("not a decision"), "{e}");
        // Received over several lines: written on one.
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(WPR).unwrap())
                .unwrap();
        let (_, line) = parse(pretty.as_bytes(), "wpr", &BTreeSet::new()).unwrap();
        let line = line.unwrap();
        assert_eq!(line.matches('\n').count(), 1);
        assert_eq!(
            serde_json::from_str::<Decision>(&line).unwrap(),
            serde_json::from_str::<Decision>(WPR).unwrap()
        );
        let e = parse(b"\xff", "wpr", &BTreeSet::new()).unwrap_err();
        assert!(e.contains("not JSON"), "{e}");
    }
}
