//! `hitgate listen`: the central side of the uplink.
//!
//! Subscribes to every unit's `hit` and `status` topics with a persistent
//! session, decodes each message ([`hitgate_core::uplink`]), removes
//! duplicates by (unit, sequence number), appends each new hit to a JSON
//! Lines file, and only once the file is flushed to disk sends the unit
//! its `ack` (by sequence ranges), so that a hit leaves the unit only when
//! it is written here. Duplicates are acknowledged again (the first ack
//! may have been lost). An acknowledgement the link refuses is sent in a
//! later round: a persistent session's waiting hits arrive before the
//! link reports up, and `--idle-exit` waits until every hit written is
//! acknowledged.
//!
//! Restarting on the same `--out` file goes on where it stopped: the
//! (unit, sequence) pairs already in it are read back first.
//!
//! A copy is the same hit under the same number: its link (the audit
//! chain's, computed here from what arrived) is the one written. A hit
//! that comes under a number already written with another link is not a
//! copy: a unit whose outbox started blank again at a boot it had counted
//! before (a firmware that opens a blank outbox at boot 1), or a message
//! no unit sent. It is written, marked `"renumbered": true`, counted and
//! said loudly, never dropped; a copy of it is a copy.
//!
//! The report (`--report`, and on standard output at the end) gives per
//! unit: hits delivered, duplicates dropped, the sequence numbers missing
//! in each boot (loudly, on standard error, with the unit's own count of
//! evicted and expired hits beside them), the last status, and the check
//! of the unit's audit chain and signed status messages ([`crate::audit`],
//! with `--units` for the public keys): breaks, gaps, bad signatures and
//! unknown units, loudly too. Every hit is written as it arrived, with the
//! link it came with and the link computed here, so the archive itself can
//! be checked again.
//!
//! **Retention** (`--retention-days`, as a unit's): at start and every
//! hour, each hit whose event time lies further back than the retention on
//! this machine's clock is replaced in the file, atomically, by a line that
//! keeps only its unit, numbers, arrival and chain links (`"purged"`:
//! when), and for the zone's figures the listed plate's priority and
//! whether the unit dispatched it or sent it for review. Plate,
//! camera, lists and times go; the chain still joins across it, and its
//! number still counts as received, so a purge is neither a gap nor a
//! missing hit. The law caps retention at 12 months: at most 365 days.
//!
//! **Clocks**: each unit's status carries its clock; the report gives
//! how far it is from this machine's ([`crate::clock`]), and with
//! `--clock-tolerance-s` a unit whose clock is off by more is said, once,
//! and again when it is back.
//!
//! **Silence**: with `--silence-s`, a unit not heard (no hit, no status)
//! for longer is said silent ([`crate::silence`]), once, and again when heard;
//! the units of `--units` and of the archive count from the start, so one
//! that never speaks is said too.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use hitgate_core::uplink::{MAX_MESSAGE, Message, StatusRecord, decode_message, encode_message};
use hitgate_core::wire::HitRecord;
use serde::{Deserialize, Serialize};

use crate::audit::{Audit, ChainReport, Mark, UnitKeys};
use crate::mqtt::{Broker, Link, LinkEvent};
use hitgate_core::chain::{Link as ChainLink, link_of_message};

/// How to listen.
#[derive(Debug, Clone)]
pub struct ListenOptions {
    /// Brokers, tried in turn.
    pub brokers: Vec<Broker>,
    /// The JSON Lines file of delivered hits (appended to).
    pub out: PathBuf,
    /// Where the report goes, rewritten as it changes.
    pub report: Option<PathBuf>,
    /// MQTT client id: the persistent session's name.
    pub client_id: String,
    /// Stop after this long connected without a message.
    pub idle_exit: Option<Duration>,
    /// The units' public keys: status signatures are checked, and units
    /// without a key reported.
    pub keys: Option<UnitKeys>,
    /// How long a hit is kept, from its event time; `None`: for ever.
    pub retention: Option<Duration>,
    /// How far a unit's clock may be from this machine's before it is
    /// said; `None`: the offset is reported, never said.
    pub clock_tolerance: Option<Duration>,
    /// How long a unit may go unheard (no hit, no status) before it is
    /// said silent; `None`: never said.
    pub silence: Option<Duration>,
}

/// How often a running listener purges.
const PURGE_EVERY: Duration = Duration::from_secs(3_600);

/// One line of the delivered-hits file.
#[derive(Debug, Serialize)]
struct DeliveredLine<'a> {
    unit: &'a str,
    seq: u64,
    boot: u32,
    n: u32,
    /// When it arrived here, ms since the Unix epoch.
    received: u64,
    hit: HitRecord<'a>,
    /// The audit chain: the link it came with, the link computed here,
    /// and whether its unit has a key.
    chain: Mark,
    /// Another hit was written under this number before.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    renumbered: bool,
}

/// What is read back from an earlier file.
#[derive(Debug, Deserialize)]
struct SeenLine {
    unit: String,
    seq: u64,
    #[serde(default)]
    chain: Option<SeenChain>,
    /// When the hit was purged (a line of its chain alone).
    #[serde(default)]
    purged: Option<u64>,
}

/// What a purged hit leaves: its numbers and its chain links.
#[derive(Debug, Serialize)]
struct PurgedLine {
    unit: String,
    seq: u64,
    boot: u32,
    n: u32,
    received: u64,
    /// When it was purged, ms since the Unix epoch.
    purged: u64,
    chain: serde_json::Value,
    /// The listed plate's priority and what the unit did with the hit
    /// (1 review, 2 dispatch), for the zone's figures (`hitgate
    /// indicators`): nothing of the car.
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct SeenChain {
    prev: String,
    link: String,
}

/// A span of missing sequence numbers in one boot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Missing {
    /// Boot.
    pub boot: u32,
    /// First missing per-boot number.
    pub from: u32,
    /// Last missing one.
    pub to: u32,
}

/// Per unit.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct UnitReport {
    /// New hits written (this run and earlier runs on the same file).
    pub delivered: u64,
    /// Messages dropped as duplicates.
    pub duplicates: u64,
    /// Of the delivered, hits that came under a number another hit of the
    /// unit was written under (a unit started blank again at a boot it had
    /// counted before): kept, marked `renumbered`.
    #[serde(default)]
    pub renumbered: u64,
    /// Of the delivered, those whose retention ran out: the file keeps
    /// their numbers and chain links only.
    #[serde(default)]
    pub purged: u64,
    /// Sequence numbers missing below the highest received, per boot.
    pub missing: Vec<Missing>,
    /// How many that is.
    pub missing_count: u64,
    /// The last status message, as sent, with `"verified"`: whether its
    /// signature verified (absent without `--units`).
    pub last_status: Option<serde_json::Value>,
    /// This listener's clock minus the unit's, ms, from its latest
    /// statuses ([`crate::clock`]): positive, the unit's clock is behind. With
    /// `--units`, from verified statuses only.
    #[serde(default)]
    pub clock_offset_ms: Option<i64>,
    /// With a clock tolerance: the unit's clock is off by more (said on
    /// standard error).
    #[serde(default)]
    pub clock_off: bool,
    /// When the unit was last heard (a hit or a status), ms since the
    /// Unix epoch; `None`: not this run.
    #[serde(default)]
    pub last_heard: Option<u64>,
    /// With `--silence-s`: nothing heard from it for longer, now.
    #[serde(default)]
    pub silent: bool,
    /// With `--silence-s`: times it fell silent, this run.
    #[serde(default)]
    pub silences: u64,
    /// The audit chain's check.
    pub chain: ChainReport,
}

/// The listener's report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ListenReport {
    /// By unit id.
    pub units: BTreeMap<String, UnitReport>,
    /// Messages that did not decode, or whose unit differs from the topic.
    pub bad_messages: u64,
    /// Acknowledgement messages sent.
    pub acks_sent: u64,
}

struct UnitState {
    report: UnitReport,
    /// Per boot, the per-boot numbers received.
    seen: BTreeMap<u32, BTreeSet<u32>>,
    /// The links of the hits written under a number another hit had
    /// (the first one's link is the audit's).
    renumbered: BTreeMap<u64, Vec<ChainLink>>,
    /// Received and on disk, not yet acknowledged: since the last
    /// round, or refused by the link then.
    to_ack: BTreeSet<u64>,
    /// Its clock against this machine's.
    clock: crate::clock::ClockWatch,
    /// When it was last heard.
    silence: crate::silence::Silence,
}

impl UnitState {
    fn new() -> Self {
        Self {
            report: UnitReport::default(),
            seen: BTreeMap::new(),
            renumbered: BTreeMap::new(),
            to_ack: BTreeSet::new(),
            clock: crate::clock::ClockWatch::default(),
            silence: crate::silence::Silence::default(),
        }
    }

    fn has(&self, seq: u64) -> bool {
        let (boot, n) = split(seq);
        self.seen.get(&boot).is_some_and(|s| s.contains(&n))
    }

    fn insert(&mut self, seq: u64) {
        let (boot, n) = split(seq);
        self.seen.entry(boot).or_default().insert(n);
    }

    /// Whether a hit of `seq` with `link` is one written before: `first`
    /// is the link of the first hit written under `seq`. A hit whose link
    /// is unknown (an archive line without one) is taken as written.
    fn written(&self, seq: u64, link: Option<ChainLink>, first: Option<ChainLink>) -> bool {
        match (link, first) {
            (Some(l), Some(f)) if l != f => {
                self.renumbered.get(&seq).is_some_and(|v| v.contains(&l))
            }
            _ => self.has(seq),
        }
    }

    /// Keeps a hit of a number written before under another link.
    fn renumber(&mut self, seq: u64, link: ChainLink) {
        self.renumbered.entry(seq).or_default().push(link);
        self.report.renumbered += 1;
    }

    fn missing(&self) -> Vec<Missing> {
        let mut out = Vec::new();
        for (&boot, got) in &self.seen {
            let mut expect = 0u32;
            for &n in got {
                if n > expect {
                    out.push(Missing {
                        boot,
                        from: expect,
                        to: n - 1,
                    });
                }
                expect = n.saturating_add(1);
            }
        }
        out
    }
}

/// Boot count and per-boot number of a sequence number.
fn split(seq: u64) -> (u32, u32) {
    ((seq >> 32) as u32, seq as u32)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Runs the listener until idle (or forever); returns the report.
pub fn listen(opts: &ListenOptions) -> Result<ListenReport> {
    let mut units: BTreeMap<String, UnitState> = BTreeMap::new();
    let mut audit = Audit::new(opts.keys.clone());
    if let Some(r) = opts.retention {
        purge_file(&opts.out, r, &mut BTreeMap::new())?;
    }
    let mut out = open_out(&opts.out, &mut units, &mut audit)?;
    // The units the zone has (its keys) and the units of the archive are
    // known before they speak: one never heard falls silent too.
    for unit in opts.keys.iter().flat_map(|k| k.units()) {
        units.entry(unit.to_string()).or_insert_with(UnitState::new);
    }
    // When the link last came up: without one nothing is heard, and no
    // unit is silent for it.
    let mut listening = now_ms();
    let mut last_purge = Instant::now();
    let mut link = Link::start(
        &opts.brokers,
        &opts.client_id,
        vec!["hitgate/+/hit".into(), "hitgate/+/status".into()],
    )?;
    let mut bad = 0u64;
    let mut acks_sent = 0u64;
    let mut last_message = Instant::now();
    let mut last_report = Instant::now();
    let mut buf = [0u8; MAX_MESSAGE];
    loop {
        // A batch: everything that arrives without a pause of 20 ms (at
        // most 256 messages).
        let mut wait = Duration::from_millis(200);
        let mut got = 0usize;
        while let Some(event) = link.next(wait) {
            wait = Duration::from_millis(20);
            match event {
                LinkEvent::Up(b) => {
                    eprintln!("listen: connected to {b}");
                    listening = now_ms();
                    // Idle time counts from the subscription.
                    last_message = Instant::now();
                }
                LinkEvent::Down(why) => eprintln!("listen: down ({why})"),
                LinkEvent::Message { topic, mut payload } => {
                    got += 1;
                    if let Err(why) = take(&topic, &mut payload, &mut units, &mut audit, &mut out) {
                        bad += 1;
                        if bad <= 10 {
                            eprintln!("listen: {topic}: {why}");
                        }
                    }
                }
            }
            if got >= 256 {
                break;
            }
        }
        if got > 0 && units.values().any(|u| !u.to_ack.is_empty()) {
            // Written and on disk before any unit lets go of a hit.
            out.flush().context("listen: cannot write")?;
            out.get_ref()
                .sync_data()
                .with_context(|| format!("{}: cannot sync", opts.out.display()))?;
        }
        for (unit, st) in units.iter_mut() {
            for (from, to) in ranges(&st.to_ack) {
                let m = Message::Ack {
                    unit: unit.as_str(),
                    from,
                    to,
                };
                if let Ok(frame) = encode_message(&m, &mut buf)
                    && link.publish(&format!("hitgate/{unit}/ack"), frame)
                {
                    acks_sent += 1;
                    for s in from..=to {
                        st.to_ack.remove(&s);
                    }
                }
            }
            // What the link refused (down, or its queue full) waits for
            // the next round: a session's queued hits arrive before the
            // link reports up. Lost with the link after the broker took
            // them, the unit sends them again after its wait.
            if let Some(tolerance) = opts.clock_tolerance {
                say_clock(unit, st.clock.check(ms(tolerance)));
            }
            if let Some(limit) = opts.silence
                && link.is_up()
                && let Some(since) = st.silence.check(now_ms(), listening, ms(limit))
            {
                eprintln!(
                    "{}",
                    crate::silence::silent_line("listen", unit, &st.silence, since, ms(limit))
                );
            }
        }
        if got > 0 {
            last_message = Instant::now();
        }
        if !link.is_up() {
            // Time without a broker is not idle time.
            last_message = Instant::now();
        }
        let idle = opts.idle_exit.is_some_and(|d| last_message.elapsed() >= d)
            && units.values().all(|u| u.to_ack.is_empty());
        if let Some(path) = &opts.report
            && (idle || last_report.elapsed() >= Duration::from_secs(1))
        {
            write_report(path, &report(&units, &audit, bad, acks_sent))?;
            last_report = Instant::now();
        }
        if idle {
            break;
        }
        if let Some(r) = opts.retention
            && last_purge.elapsed() >= PURGE_EVERY
        {
            purge_running(&mut out, &opts.out, r, &mut units)?;
            last_purge = Instant::now();
        }
    }
    out.flush().context("listen: cannot write")?;
    let r = report(&units, &audit, bad, acks_sent);
    for (unit, u) in &r.units {
        for f in &u.chain.findings {
            let after = f
                .after
                .map(|a| format!("after seq {a}, "))
                .unwrap_or_default();
            eprintln!(
                "listen: CHAIN {} unit {unit}: {after}at seq {}: {}",
                f.kind.to_uppercase(),
                f.at,
                f.detail
            );
        }
        for m in &u.missing {
            eprintln!(
                "listen: GAP unit {unit} boot {}: {}..={} missing ({} hits); \
                 the unit counts {} evicted, {} expired",
                m.boot,
                m.from,
                m.to,
                u64::from(m.to - m.from) + 1,
                status_field(u, "evicted"),
                status_field(u, "expired"),
            );
        }
        if let (true, Some(o)) = (u.clock_off, u.clock_offset_ms) {
            eprintln!("listen: CLOCK unit {unit}: {}", crate::clock::describe(o));
        }
    }
    Ok(r)
}

/// A unit heard now; said when it had been said silent.
fn heard(unit: &str, st: &mut UnitState) {
    if let Some(gap) = st.silence.heard(now_ms()) {
        eprintln!("{}", crate::silence::heard_line("listen", unit, gap));
    }
}

/// Says a unit's clock off, or back within the tolerance.
fn say_clock(unit: &str, said: Option<crate::clock::Said>) {
    match said {
        Some(crate::clock::Said::Off(o)) => eprintln!(
            "listen: CLOCK unit {unit}: {} this machine's (its latest statuses): its hits' times, \
             and the lateness it and the gate judge by them, are off by as much; set its clock",
            crate::clock::describe(o)
        ),
        Some(crate::clock::Said::Back(o)) => eprintln!(
            "listen: clock of unit {unit} back within the tolerance: {}",
            crate::clock::describe(o)
        ),
        None => {}
    }
}

/// A duration in whole ms, as a `u64`.
fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn status_field(u: &UnitReport, name: &str) -> String {
    u.last_status
        .as_ref()
        .and_then(|s| s.get(name))
        .map_or("?".into(), |v| v.to_string())
}

/// Handles one message: a new hit is written, a duplicate counted, both
/// queued for acknowledgement; a status is kept.
fn take(
    topic: &str,
    payload: &mut [u8],
    units: &mut BTreeMap<String, UnitState>,
    audit: &mut Audit,
    out: &mut std::io::BufWriter<File>,
) -> Result<(), String> {
    let mut parts = topic.split('/');
    let (Some("hitgate"), Some(topic_unit), Some(kind), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a hitgate topic".into());
    };
    let message = decode_message(payload).map_err(|e| format!("undecodable message: {e}"))?;
    match (kind, message) {
        (
            "hit",
            Message::Hit {
                unit,
                seq,
                hit,
                prev,
            },
        ) if unit == topic_unit => {
            let st = units.entry(unit.to_string()).or_insert_with(UnitState::new);
            heard(unit, st);
            st.to_ack.insert(seq);
            let link = link_of_message(&prev, seq, &hit).ok();
            if st.written(seq, link, audit.link(unit, seq)) {
                st.report.duplicates += 1;
                return Ok(());
            }
            let renumbered = st.has(seq);
            let (boot, n) = split(seq);
            if let (true, Some(link)) = (renumbered, link) {
                st.renumber(seq, link);
                if st.report.renumbered <= 3 {
                    eprintln!(
                        "listen: RENUMBERED unit {unit} boot {boot} n {n}: another hit than the one \
                         written under this number; kept, marked `renumbered` (a unit started \
                         blank again at a boot it had counted, or a message no unit sent)"
                    );
                }
            }
            let chain = audit.hit(unit, seq, &prev, &hit);
            let line = DeliveredLine {
                unit,
                seq,
                boot,
                n,
                received: now_ms(),
                hit,
                chain,
                renumbered,
            };
            serde_json::to_writer(&mut *out, &line)
                .map_err(|e| e.to_string())
                .and_then(|_| out.write_all(b"\n").map_err(|e| e.to_string()))
                .map_err(|e| format!("cannot write: {e}"))?;
            st.insert(seq);
            st.report.delivered += 1;
            Ok(())
        }
        ("status", Message::Status(s)) if s.unit == topic_unit => {
            let st = units
                .entry(s.unit.to_string())
                .or_insert_with(UnitState::new);
            heard(s.unit, st);
            let mut json = status_json(&s);
            let verified = audit.status(&s);
            // A status that does not verify says nothing of the unit's
            // clock.
            if verified != Some(false) {
                st.clock.observe(now_ms(), s.clock);
            }
            if let Some(ok) = verified {
                if !ok {
                    eprintln!(
                        "listen: STATUS of unit {} (boot {}) does not verify, or the unit has no key",
                        s.unit, s.boot
                    );
                }
                if let Some(o) = json.as_object_mut() {
                    o.insert("verified".into(), ok.into());
                }
            }
            st.report.last_status = Some(json);
            Ok(())
        }
        _ => Err(format!("not a {kind} message of unit {topic_unit}")),
    }
}

fn status_json(s: &StatusRecord<'_>) -> serde_json::Value {
    serde_json::to_value(s).unwrap_or(serde_json::Value::Null)
}

/// Sequence numbers as inclusive ranges of consecutive ones.
pub(crate) fn ranges(seqs: &BTreeSet<u64>) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    for &s in seqs {
        match out.last_mut() {
            Some((_, to)) if to.checked_add(1) == Some(s) => *to = s,
            _ => out.push((s, s)),
        }
    }
    out
}

/// Opens `--out` for appending, reading back what an earlier run wrote.
fn open_out(
    path: &Path,
    units: &mut BTreeMap<String, UnitState>,
    audit: &mut Audit,
) -> Result<std::io::BufWriter<File>> {
    // A line cut short by a killed run is ended first, so the next one
    // starts on its own line.
    let f = crate::formats::open_for_append(path)?;
    let mut skipped = 0u64;
    let text = File::open(path).with_context(|| format!("{}: cannot read", path.display()))?;
    for line in BufReader::new(text).lines() {
        let line = line.with_context(|| format!("{}: cannot read", path.display()))?;
        match serde_json::from_str::<SeenLine>(&line) {
            Ok(l) => {
                let purged = l.purged.is_some();
                let links = l.chain.as_ref().and_then(|c| {
                    Some((
                        crate::audit::parse_link(&c.prev)?,
                        crate::audit::parse_link(&c.link)?,
                    ))
                });
                let first = audit.link(&l.unit, l.seq);
                if let Some((prev, link)) = links {
                    audit.record(&l.unit, l.seq, prev, link);
                }
                let st = units.entry(l.unit).or_insert_with(UnitState::new);
                let link = links.map(|(_, link)| link);
                if !st.written(l.seq, link, first) {
                    if let (true, Some(link)) = (st.has(l.seq), link) {
                        st.renumber(l.seq, link);
                    }
                    st.insert(l.seq);
                    st.report.delivered += 1;
                    st.report.purged += u64::from(purged);
                }
            }
            Err(_) => skipped += 1,
        }
    }
    if skipped > 0 {
        eprintln!(
            "{}: {skipped} unreadable lines skipped (a run killed mid-write?)",
            path.display()
        );
    }
    Ok(std::io::BufWriter::new(f))
}

/// Opens the file for appending, as it is.
fn append_to(path: &Path) -> Result<std::io::BufWriter<File>> {
    let f = OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("{}: cannot open", path.display()))?;
    Ok(std::io::BufWriter::new(f))
}

/// The hourly purge of a running listener: what `out` holds is written
/// first, so that no hit already taken is lost; then the file is purged
/// and renamed into place, and `out` reopened on the new file (the old
/// handle would write to the file the rename replaced).
fn purge_running(
    out: &mut std::io::BufWriter<File>,
    path: &Path,
    retention: Duration,
    units: &mut BTreeMap<String, UnitState>,
) -> Result<()> {
    out.flush().context("listen: cannot write")?;
    purge_file(path, retention, units)?;
    *out = append_to(path)?;
    Ok(())
}

/// Replaces each hit whose event time (or arrival, when that is earlier)
/// lies more than `retention` before now by its [`PurgedLine`], writing the file anew and renaming it into
/// place, so that a cut at any moment leaves the old file or the new one.
/// Other lines stay as they are. Counts the purged per unit in `units`.
fn purge_file(
    path: &Path,
    retention: Duration,
    units: &mut BTreeMap<String, UnitState>,
) -> Result<()> {
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()), // nothing written yet
        Err(e) => {
            return Err(e).with_context(|| format!("{}: cannot read to purge", path.display()));
        }
    };
    let now = now_ms();
    let cutoff = now.saturating_sub(u64::try_from(retention.as_millis()).unwrap_or(u64::MAX));
    let tmp = path.with_extension("purging");
    let mut w = std::io::BufWriter::new(
        File::create(&tmp).with_context(|| format!("{}: cannot write", tmp.display()))?,
    );
    let mut purged: BTreeMap<String, u64> = BTreeMap::new();
    for line in BufReader::new(f).lines() {
        let line = line.with_context(|| format!("{}: cannot read", path.display()))?;
        match expired(&line, cutoff, now) {
            Some(p) => {
                serde_json::to_writer(&mut w, &p)?;
                *purged.entry(p.unit).or_default() += 1;
            }
            None => w.write_all(line.as_bytes())?,
        }
        w.write_all(b"\n")?;
    }
    if purged.is_empty() {
        drop(w);
        std::fs::remove_file(&tmp).ok();
        return Ok(());
    }
    let f = w.into_inner().map_err(|e| e.into_error())?;
    f.sync_all()
        .with_context(|| format!("{}: cannot sync", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot replace", path.display()))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir).and_then(|d| d.sync_all()).ok();
    }
    for (unit, n) in &purged {
        units
            .entry(unit.clone())
            .or_insert_with(UnitState::new)
            .report
            .purged += n;
        eprintln!("listen: {n} hits of unit {unit} purged (older than the retention)");
    }
    Ok(())
}

/// The purged form of a hit line whose event time is before `cutoff`;
/// `None` for any other line (a newer hit, one purged already, one that
/// does not parse). A hit line without `chain` (written before the audit
/// chain) is purged too.
fn expired(line: &str, cutoff: u64, now: u64) -> Option<PurgedLine> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    // A hit dated after it arrived (its unit's clock ahead) is as old as
    // its arrival: a wrong clock must not keep a car for years.
    let received = v.get("received")?.as_u64()?;
    let time = v.get("hit")?.get("time")?.as_u64()?.min(received);
    if time >= cutoff || v.get("purged").is_some() {
        return None;
    }
    let seq = v.get("seq")?.as_u64()?;
    let (boot, n) = split(seq);
    Some(PurgedLine {
        unit: v.get("unit")?.as_str()?.to_string(),
        seq,
        boot,
        n,
        received,
        purged: now,
        // An archive kept from before the audit chain has none: its hits
        // are purged all the same, with `chain: null`.
        chain: v.get("chain").cloned().unwrap_or_default(),
        priority: v.get("hit")?.get("priority").and_then(|p| p.as_u64()),
        action: v.get("hit")?.get("action").and_then(|a| a.as_u64()),
    })
}

fn report(
    units: &BTreeMap<String, UnitState>,
    audit: &Audit,
    bad: u64,
    acks_sent: u64,
) -> ListenReport {
    let mut chains = audit.report();
    ListenReport {
        units: units
            .iter()
            .map(|(k, st)| {
                let missing = st.missing();
                let mut r = st.report.clone();
                r.chain = chains.remove(k).unwrap_or_default();
                r.missing_count = missing.iter().map(|m| u64::from(m.to - m.from) + 1).sum();
                r.missing = missing;
                r.clock_offset_ms = st.clock.offset_ms();
                r.clock_off = st.clock.is_off();
                r.last_heard = st.silence.last_heard();
                r.silent = st.silence.is_silent();
                r.silences = st.silence.count();
                (k.clone(), r)
            })
            .collect(),
        bad_messages: bad,
        acks_sent,
    }
}

fn write_report(path: &Path, r: &ListenReport) -> Result<()> {
    let tmp = path.with_extension("json.tmp");
    let json = serde_json::to_vec_pretty(r)?;
    std::fs::write(&tmp, json).with_context(|| format!("{}: cannot write", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests;
