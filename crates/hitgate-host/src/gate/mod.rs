//! `hitgate gate`: the zone gate on the central side.
//!
//! Subscribes to every unit's hits (`hitgate/+/hit`), decides each once
//! with [`hitgate_core::gate`] (cases across units, recipients by rule,
//! budgets per recipient), and publishes what each recipient gets to
//! `hitgate/dispatch/<recipient>` as one JSON object per message
//! (`docs/formats.md`, "Gate decisions"). Reads every unit's status too
//! (`hitgate/+/status`) for its clock: a unit whose clock lags makes its
//! hits look late, and a unit that sends nothing at all is silent
//! (`GateUnit`, [`crate::clock`], [`crate::silence`]).
//!
//! ## What is guaranteed
//!
//! **Each hit is decided exactly once; each decision reaches its
//! recipient at least once, under an id that never changes** (`<unit>/<seq>/
//! <recipient>`), so a recipient that drops ids it has seen gets every
//! decision exactly once. In order, for each batch of hits:
//!
//! 1. the hits are decided in memory (a hit already decided, by its unit
//!    and sequence number, is only acknowledged again);
//! 2. the gate's whole state (the core's state and open cases, the hits
//!    decided, the decisions not yet confirmed) is saved: to a file
//!    (`--state FILE`, written aside, synced, renamed), and/or as a
//!    retained message on `hitgate/gate/<client-id>/state` (`--state-topic`;
//!    on a NATS cluster retained messages live in JetStream, replicated
//!    across its nodes), confirmed when the broker hands it back;
//! 3. only then are the decisions published and the units' hits
//!    acknowledged (a unit lets a hit go on the acknowledgement).
//!
//! A decision stays in the saved state until the broker hands it back on
//! the recipient's topic (the gate subscribes to them too); until then it
//! is published again after a reconnection or five seconds. A recipient
//! declared with `acks = true` confirms each decision itself, by
//! publishing its id (`{"id": ...}`, the decision itself will do) on
//! `hitgate/dispatch/<name>/ack`: its decisions stay until then, and go
//! again after a reconnection or a wait that doubles from five seconds
//! to [`ACK_WAIT_MAX`], so that a recipient away for long finds a few
//! copies queued in its session, not thousands. Only such a recipient is
//! sure of every decision whatever its broker loses. Killed at any
//! point, a gate restarted on the same state (or a second instance that
//! takes over the same session from the state topic) finds the hits it
//! had decided, never decides them again, and publishes what was not
//! confirmed: no double dispatch (a case is opened once), nothing lost
//! (a hit not in the saved state was not acknowledged, and its unit sends
//! it again).
//!
//! For a recipient that does not acknowledge, "reaches its recipient"
//! rests on the broker keeping a QoS 1 message it took for the
//! recipient's persistent session. Debian's NATS server
//! (2.9.10) lost one such decision around the take-over in 1 of 14 runs
//! of the take-over test (a run beside two busy loops): the gate saw it
//! stored, the recipient, connected throughout, never received it. So
//! the gate does not take the broker's word alone where brokers stumble:
//! the decisions handed back in the last `--resend-window` seconds (30
//! by default, the latest [`RECENT_MAX`] at most) are kept in the saved
//! state and published once more after a restart, a take-over or a
//! reconnection, under their ids (counted as `resent`). A recipient that
//! must not miss one acknowledges (above), or compares the ids it got
//! with the gate's decisions file (`--out`).
//!
//! `--standby SECONDS` starts a second instance that waits: it watches the
//! active gate's heartbeat (`hitgate/gate/<client-id>/alive`, every
//! second) and takes over the session and the saved state once the
//! heartbeat has been silent that long. Two instances must not be active
//! together: the broker gives the session to the last one to connect.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use hitgate_core::budget::Budgets;
use hitgate_core::gate::{CaseSlot, Gate, GateConfig, MAX_RECIPIENTS, OpenCaps, Sighting};
use hitgate_core::hit::Hit;
use hitgate_core::policy::RuleId;
use hitgate_core::uplink::{MAX_MESSAGE, Message, decode_message, encode_message};
use serde::Deserialize;

use crate::mqtt::{Broker, Link, LinkEvent};
use crate::policy_file::PolicyFile;
use crate::time::{format_ts, now_ms};

mod decision;
mod hits;
mod recipients;
mod report;
mod state;
mod units;

pub use decision::{Close, Decision, Previous, decision_ids, purge_decisions, read_decisions};
use recipients::acks;
pub use report::{GateReport, Latency, RecipientReport};
use state::{Recent, STATE_FORMAT, Saved, insert_range};
pub use units::GateUnit;

/// How to run the gate.
#[derive(Debug, Clone)]
pub struct GateOptions {
    /// Brokers, tried in turn.
    pub brokers: Vec<Broker>,
    /// The zone's policy: its rules (the units' own) name the recipients;
    /// `[[recipient]]` declares them with their budgets; the re-alert
    /// windows of `[config]` are the length of a case.
    pub policy: PolicyFile,
    /// MQTT client id: the persistent session's name, and the gate's in
    /// its topics.
    pub client_id: String,
    /// The saved state, as a file.
    pub state: Option<PathBuf>,
    /// The saved state, as a retained message.
    pub state_topic: bool,
    /// Decisions confirmed by the broker, appended (JSON Lines).
    pub out: Option<PathBuf>,
    /// The report, rewritten every second and at the end.
    pub report: Option<PathBuf>,
    /// Stop after this long connected without a hit.
    pub idle_exit: Option<Duration>,
    /// Wait as a standby until the active gate is silent this long.
    pub standby: Option<Duration>,
    /// Case table slots (a new state only).
    pub cases: usize,
    /// Decisions handed back by the broker within this long before a
    /// restart, a take-over or a reconnection are published once more
    /// then (the latest [`RECENT_MAX`] at most); zero: never.
    pub resend: Duration,
    /// Purge each decision from `out` this long after its event time, at
    /// start and every hour ([`purge_decisions`]); `None`: keep them.
    pub retention: Option<Duration>,
    /// How far a unit's clock may be from this machine's before it is
    /// said ([`crate::clock`], from the units' status messages); `None`:
    /// the offsets are reported, never said.
    pub clock_tolerance: Option<Duration>,
    /// How long a unit may go unheard (no hit, no status) before it is
    /// said silent ([`crate::silence`]); `None`: never said.
    pub silence: Option<Duration>,
    /// The zone's units, known before they speak (as are the units of the
    /// saved state).
    pub units: Vec<String>,
}

/// Most decisions kept for [`GateOptions::resend`]: the saved state
/// carries them at every save.
pub const RECENT_MAX: usize = 128;

/// Decisions not handed back by the broker within this go again.
const REPUBLISH: Duration = Duration::from_secs(5);
/// The longest wait before a decision a recipient has not acknowledged
/// goes again (the wait doubles from 5 s).
pub const ACK_WAIT_MAX: Duration = Duration::from_secs(300);
/// How often the retention is applied while running.
const PURGE_EVERY: Duration = Duration::from_secs(3600);
/// Latency samples kept (the latest).
const LATENCY_SAMPLES: usize = 100_000;
/// Most hits decided between two saves.
const BATCH: usize = 512;
/// Longest a batch gathers hits.
const BATCH_TIME: Duration = Duration::from_millis(20);
/// How long a saved state on the state topic may take to come back.
const CONFIRM: Duration = Duration::from_secs(5);

fn state_topic(id: &str) -> String {
    format!("hitgate/gate/{id}/state")
}

fn alive_topic(id: &str) -> String {
    format!("hitgate/gate/{id}/alive")
}

/// The core's settings from a policy.
pub fn gate_config(pf: &PolicyFile) -> GateConfig {
    let mut budgets = [Budgets::default(); MAX_RECIPIENTS];
    let mut max_open = [OpenCaps::default(); MAX_RECIPIENTS];
    let mut max_delay_ms = [None; MAX_RECIPIENTS];
    for (i, r) in pf.recipients.iter().enumerate().take(MAX_RECIPIENTS) {
        budgets[i] = r.budgets;
        max_open[i] = r.max_open;
        // Refused above u32::MAX / 1000 when the policy is read.
        max_delay_ms[i] = r.max_delay_s.map(|s| s.saturating_mul(1000));
    }
    GateConfig {
        window_ms: pf.config.realert_window_ms,
        budgets,
        max_future_ms: pf.config.max_future_ms,
        max_open,
        max_delay_ms,
    }
}

struct Runner<'o> {
    opts: &'o GateOptions,
    link: Link,
    saved: Saved,
    /// Events taken while waiting for a confirmation, handled next.
    backlog: VecDeque<LinkEvent>,
    /// Decided since the last save.
    dirty: bool,
    /// Per unit, hits to acknowledge once the state holding them is saved.
    to_ack: BTreeMap<String, BTreeSet<u64>>,
    /// When each pending decision was last published, and how long it
    /// waits then before it goes again.
    sent: BTreeMap<String, (Instant, Duration)>,
    /// When each hit of this run arrived, for the latency.
    arrived: BTreeMap<String, Instant>,
    latencies: Vec<f64>,
    out: Option<File>,
    buf: [u8; MAX_MESSAGE],
    /// This process (see [`Saved::instance`]).
    instance: String,
    /// Another process's state seen on the topic.
    taken_over: Option<String>,
    /// The instance and number of the state this gate went on from.
    loaded: (String, u64),
    last_alive: Option<Instant>,
    /// The recent decisions are due to go again (at start, and after a
    /// reconnection).
    resend_due: bool,
    /// Recent decisions published again, this run.
    resent: u64,
    /// Units whose clock was found ahead, said once each this run.
    ahead: BTreeSet<String>,
    /// Units and rules (index, tag) found moved or unknown, said once
    /// each this run.
    rules_said: BTreeSet<(String, RuleId, Option<u32>)>,
    /// Per unit, its clock from its statuses and when it was heard.
    units: BTreeMap<String, units::UnitWatch>,
    /// When the link last came up (ms since the Unix epoch): silence
    /// counts from then at the earliest.
    listening: u64,
}

/// Runs the gate until idle (or forever); returns the report.
pub fn gate(opts: &GateOptions) -> Result<GateReport> {
    if opts.state.is_none() && !opts.state_topic {
        bail!(
            "give --state FILE, --state-topic or both: a gate without a saved state would dispatch again after a restart"
        );
    }
    if opts.policy.recipients.is_empty() {
        bail!("the policy declares no [[recipient]]: the gate would send nothing");
    }
    if let Some(wait) = opts.standby {
        stand_by(opts, wait)?;
    }
    let topics = vec![
        "hitgate/+/hit".to_string(),
        "hitgate/+/status".to_string(),
        "hitgate/dispatch/+".to_string(),
        "hitgate/dispatch/+/ack".to_string(),
        "hitgate/dispatch/+/closed".to_string(),
        state_topic(&opts.client_id),
    ];
    let link = Link::start(&opts.brokers, &opts.client_id, topics)?;
    purge_out(opts)?;
    let out = open_out(opts)?;
    let mut r = Runner {
        opts,
        link,
        saved: Saved::default(),
        backlog: VecDeque::new(),
        dirty: false,
        to_ack: BTreeMap::new(),
        sent: BTreeMap::new(),
        arrived: BTreeMap::new(),
        latencies: Vec::new(),
        out,
        buf: [0; MAX_MESSAGE],
        instance: format!("{}/{}/{}", opts.client_id, std::process::id(), now_ms()),
        last_alive: None,
        taken_over: None,
        loaded: (String::new(), 0),
        resend_due: true,
        resent: 0,
        ahead: BTreeSet::new(),
        rules_said: BTreeSet::new(),
        units: BTreeMap::new(),
        listening: now_ms(),
    };
    r.saved = r.load()?;
    r.loaded = (r.saved.instance.clone(), r.saved.number);
    // The zone's units, and those that decided hits before, are known
    // before they speak: one never heard this run falls silent too.
    for unit in opts.units.iter().chain(r.saved.done.keys()) {
        r.units.entry(unit.clone()).or_default();
    }
    let mut table = vec![CaseSlot::EMPTY; r.saved.table_len];
    for (i, c) in &r.saved.cases {
        if let Some(slot) = table.get_mut(*i) {
            *slot = *c;
        }
    }
    let mut core = Gate::resume(gate_config(&opts.policy), &mut table, r.saved.core.clone());
    let ahead = r.saved.core.clock;
    let brought = core.bring_back(now_ms());
    if brought > 0 {
        eprintln!(
            "gate: the saved state's clock is at {}, ahead of this machine's ({}): \
             {brought} times brought back to now, so that budgets refill and cases close",
            format_ts(ahead),
            format_ts(now_ms())
        );
        r.dirty = true;
    }
    eprintln!(
        "gate: {} open cases, {} decisions to confirm, {} units known",
        r.saved.cases.len(),
        r.saved.pending.len(),
        r.saved.done.len()
    );
    r.run(&mut core)?;
    Ok(r.report(&core))
}

/// The decisions file, opened for appending (none without `--out`).
fn open_out(opts: &GateOptions) -> Result<Option<File>> {
    let Some(p) = &opts.out else {
        return Ok(None);
    };
    crate::formats::open_for_append(p).map(Some)
}

/// Applies the retention to the decisions file, if both are given.
fn purge_out(opts: &GateOptions) -> Result<()> {
    if let (Some(p), Some(r)) = (&opts.out, opts.retention) {
        let n = purge_decisions(p, r, now_ms())?;
        if n > 0 {
            eprintln!(
                "gate: {n} decisions purged from the decisions file (older than the retention)"
            );
        }
    }
    Ok(())
}

/// Waits while the active gate's heartbeat is heard.
fn stand_by(opts: &GateOptions, silent: Duration) -> Result<()> {
    let id = format!("{}-standby", opts.client_id);
    let mut link = Link::start(&opts.brokers, &id, vec![alive_topic(&opts.client_id)])?;
    let mut last = Instant::now();
    eprintln!("gate: standby, taking over after {silent:?} without a heartbeat");
    loop {
        if let Some(LinkEvent::Message { .. }) = link.next(Duration::from_millis(100)) {
            last = Instant::now();
        }
        if !link.is_up() {
            // Silence while this side has no broker says nothing.
            if let Some(t) = Instant::now().checked_sub(silent.min(Duration::from_millis(100))) {
                last = last.max(t);
            }
        }
        if last.elapsed() >= silent {
            eprintln!("gate: the active gate is silent; taking over");
            return Ok(());
        }
    }
}

impl Runner<'_> {
    /// The saved state: the file's, or the state topic's, whichever is
    /// newer; a new one when neither exists.
    fn load(&mut self) -> Result<Saved> {
        let mut best: Option<Saved> = None;
        if let Some(p) = &self.opts.state
            && p.exists()
        {
            let text = std::fs::read(p).with_context(|| format!("{}: cannot read", p.display()))?;
            let s: Saved = serde_json::from_slice(&text)
                .with_context(|| format!("{}: not a gate state", p.display()))?;
            best = Some(s);
        }
        if self.opts.state_topic {
            // A retained state comes right after the subscription; none
            // within the time means there is none.
            let topic = state_topic(&self.opts.client_id);
            let mut subscribed: Option<Instant> = None;
            loop {
                if subscribed.is_some_and(|t| t.elapsed() >= CONFIRM) {
                    break;
                }
                self.beat();
                match self.link.next(Duration::from_millis(100)) {
                    Some(LinkEvent::Up(b)) => {
                        eprintln!("gate: connected to {b}");
                        subscribed.get_or_insert_with(Instant::now);
                    }
                    Some(LinkEvent::Message { topic: t, payload }) if t == topic => {
                        let s: Saved = serde_json::from_slice(&payload)
                            .context("the state topic holds no gate state")?;
                        if best.as_ref().is_none_or(|b| b.number < s.number) {
                            best = Some(s);
                        }
                        break;
                    }
                    Some(e) => self.backlog.push_back(e),
                    None => {}
                }
            }
        }
        let s = best.unwrap_or_else(|| Saved {
            format: STATE_FORMAT,
            gate: self.opts.client_id.clone(),
            table_len: self.opts.cases.max(1),
            ..Saved::default()
        });
        if s.format != STATE_FORMAT {
            bail!(
                "gate state format {} (this gate reads {STATE_FORMAT})",
                s.format
            );
        }
        Ok(s)
    }

    fn run(&mut self, core: &mut Gate<'_>) -> Result<()> {
        let mut last_hit = Instant::now();
        let mut last_report = Instant::now();
        let mut last_prune = Instant::now();
        let mut last_purge = Instant::now();
        loop {
            // A batch: what is there once the first event has come, up to
            // BATCH hits or BATCH_TIME, whichever is first: one save for
            // many hits under load, no wait for more when it is quiet.
            let mut wait = Duration::from_millis(200);
            let mut hits = 0usize;
            let mut started: Option<Instant> = None;
            while let Some(event) = self.backlog.pop_front().or_else(|| self.link.next(wait)) {
                let t = *started.get_or_insert_with(Instant::now);
                wait = BATCH_TIME
                    .saturating_sub(t.elapsed())
                    .min(Duration::from_millis(1));
                match event {
                    LinkEvent::Up(b) => {
                        eprintln!("gate: connected to {b}");
                        self.listening = now_ms();
                        last_hit = Instant::now();
                        // Whatever was in flight goes again, and what
                        // the broker took lately once more.
                        self.sent.clear();
                        self.resend_due = true;
                    }
                    LinkEvent::Down(why) => eprintln!("gate: down ({why})"),
                    LinkEvent::Message { topic, mut payload } => {
                        if self.take(core, &topic, &mut payload) {
                            hits += 1;
                        }
                    }
                }
                if hits >= BATCH || started.is_some_and(|t| t.elapsed() >= BATCH_TIME) {
                    break;
                }
            }
            if hits > 0 {
                last_hit = Instant::now();
            }
            if self.dirty && self.save(core)? {
                self.dirty = false;
            }
            if !self.dirty {
                self.resend();
                self.publish();
                self.acknowledge();
            }
            self.beat();
            self.check_units();
            // Arrival times are for the latency of decisions this run
            // publishes; one that waits a minute is not measured.
            if last_prune.elapsed() >= Duration::from_secs(1) {
                self.arrived
                    .retain(|_, t| t.elapsed() < Duration::from_secs(60));
                last_prune = Instant::now();
            }
            if self.opts.retention.is_some() && last_purge.elapsed() >= PURGE_EVERY {
                // The file is replaced whole: opened again after.
                self.out = None;
                purge_out(self.opts)?;
                self.out = open_out(self.opts)?;
                last_purge = Instant::now();
            }
            if let Some(other) = &self.taken_over {
                bail!(
                    "another gate ({other}) saved its state on this gate's topic: it has taken over; stopping"
                );
            }
            if !self.link.is_up() {
                last_hit = Instant::now();
            }
            let idle = self.opts.idle_exit.is_some_and(|d| {
                last_hit.elapsed() >= d && self.saved.pending.is_empty() && !self.dirty
            });
            if let Some(path) = &self.opts.report
                && (idle || last_report.elapsed() >= Duration::from_secs(1))
            {
                crate::signed_file::write_atomically(
                    path,
                    &serde_json::to_vec_pretty(&self.report(core))?,
                )?;
                last_report = Instant::now();
            }
            if idle {
                return Ok(());
            }
        }
    }

    /// Handles one message; true for a hit decided now.
    fn take(&mut self, core: &mut Gate<'_>, topic: &str, payload: &mut [u8]) -> bool {
        let parts: Vec<&str> = topic.split('/').collect();
        match parts.as_slice() {
            // A decision handed back confirms it, unless its recipient
            // acknowledges decisions itself.
            ["hitgate", "dispatch", r] => {
                if !acks(&self.opts.policy, r) {
                    self.confirmed(payload, None);
                }
                false
            }
            ["hitgate", "dispatch", r, "ack"] => {
                if acks(&self.opts.policy, r) {
                    self.confirmed(payload, Some(r));
                }
                false
            }
            ["hitgate", "dispatch", r, "closed"] => {
                self.closed(core, payload, r);
                false
            }
            ["hitgate", "gate", _, "state"] => {
                self.watch_state(payload);
                false
            }
            ["hitgate", "gate", ..] => false,
            ["hitgate", unit, "status"] => {
                self.status(unit, payload);
                false
            }
            ["hitgate", unit, "hit"] => match self.decide(core, unit, payload) {
                Ok(new) => new,
                Err(why) => {
                    self.bad(format_args!("{topic}: {why}"));
                    false
                }
            },
            _ => false,
        }
    }

    /// A bad message: counted, and the first ten said.
    fn bad(&mut self, what: std::fmt::Arguments<'_>) {
        self.saved.bad_messages += 1;
        self.dirty = true;
        if self.saved.bad_messages <= 10 {
            eprintln!("gate: {what}");
        }
    }

    /// The heartbeat a standby watches, once a second.
    fn beat(&mut self) {
        if self.link.is_up()
            && self
                .last_alive
                .is_none_or(|t| t.elapsed() >= Duration::from_secs(1))
        {
            self.link
                .publish(&alive_topic(&self.opts.client_id), self.instance.as_bytes());
            self.last_alive = Some(Instant::now());
        }
    }

    /// A state on the topic saved by another process: taken over.
    fn watch_state(&mut self, payload: &[u8]) {
        #[derive(Deserialize)]
        struct Instance {
            #[serde(default)]
            instance: String,
            number: u64,
        }
        // Older copies (the one this gate went on from included) may come
        // late through the session; a newer one is another gate's work.
        if let Ok(i) = serde_json::from_slice::<Instance>(payload)
            && !i.instance.is_empty()
            && i.instance != self.instance
            && i.number >= self.saved.number
            && (i.instance.as_str(), i.number) != (self.loaded.0.as_str(), self.loaded.1)
        {
            self.taken_over = Some(i.instance);
        }
    }

    /// Saves the state; true once it is durable.
    fn save(&mut self, core: &Gate<'_>) -> Result<bool> {
        self.saved.number += 1;
        self.saved.gate = self.opts.client_id.clone();
        self.saved.instance = self.instance.clone();
        self.saved.core = core.state().clone();
        self.saved.table_len = core.table().len();
        self.saved.cases = core
            .table()
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_used())
            .map(|(i, c)| (i, *c))
            .collect();
        state::forget_gone(&mut self.saved.dispatched, &self.saved.cases);
        let bytes = serde_json::to_vec(&self.saved)?;
        if let Some(p) = &self.opts.state {
            crate::signed_file::write_atomically(p, &bytes)?;
        }
        if !self.opts.state_topic {
            return Ok(true);
        }
        let topic = state_topic(&self.opts.client_id);
        if bytes.len() > crate::mqtt::MAX_PACKET - 1024 {
            bail!(
                "the gate's state is {} bytes, more than a message takes: fewer --cases",
                bytes.len()
            );
        }
        if !self.link.publish_retained(&topic, &bytes) {
            return Ok(false);
        }
        // Confirmed when the broker hands this number back.
        let want = self.saved.number;
        let end = Instant::now() + CONFIRM;
        while Instant::now() < end {
            self.beat();
            match self.link.next(Duration::from_millis(50)) {
                Some(LinkEvent::Message { topic: t, payload }) if t == topic => {
                    #[derive(Deserialize)]
                    struct Number {
                        number: u64,
                        #[serde(default)]
                        instance: String,
                    }
                    match serde_json::from_slice::<Number>(&payload) {
                        Ok(n) if n.instance == self.instance && n.number >= want => {
                            return Ok(true);
                        }
                        _ => self.watch_state(&payload),
                    }
                    if self.taken_over.is_some() {
                        return Ok(false);
                    }
                }
                Some(e @ LinkEvent::Down(_)) => {
                    self.backlog.push_back(e);
                    return Ok(false);
                }
                Some(e) => self.backlog.push_back(e),
                None => {}
            }
        }
        Ok(false)
    }

    /// Acknowledges the hits of the saved state to their units.
    fn acknowledge(&mut self) {
        if !self.link.is_up() {
            return;
        }
        for (unit, mut seqs) in std::mem::take(&mut self.to_ack) {
            for (from, to) in crate::listen::ranges(&seqs) {
                let m = Message::Ack {
                    unit: &unit,
                    from,
                    to,
                };
                // Refused by a full queue: tried again next time. Lost with
                // the link: the unit sends the hits again and they are
                // acknowledged as duplicates then.
                let refused = encode_message(&m, &mut self.buf)
                    .is_ok_and(|frame| !self.link.publish(&format!("hitgate/{unit}/ack"), frame));
                if !refused {
                    for s in from..=to {
                        seqs.remove(&s);
                    }
                }
            }
            if !seqs.is_empty() {
                self.to_ack.insert(unit, seqs);
            }
        }
    }
}
