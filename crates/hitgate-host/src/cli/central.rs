//! The central side's commands: `listen` (every unit's hits), `gate` (one
//! decision per car for the zone) and `receive` (one recipient's
//! decisions), each over MQTT.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Result, anyhow};
use clap::Args;

use crate::policy_file::PolicyFile;

/// The brokers, as all three take them.
#[derive(Args)]
pub(super) struct Brokers {
    /// Broker mqtt://HOST:PORT, or mqtts://HOST:PORT for TLS (with
    /// --tls-ca); repeat (or separate with commas) for the nodes of a
    /// cluster.
    #[arg(long, value_name = "URL", value_delimiter = ',', required = true)]
    mqtt: Vec<crate::mqtt::Broker>,
    #[command(flatten)]
    tls: super::args::TlsArgs,
}

impl Brokers {
    /// The brokers, with their TLS.
    fn list(&self) -> Result<Vec<crate::mqtt::Broker>> {
        self.tls.brokers(&self.mqtt)
    }
}

/// How long a decisions file keeps a decision (`gate`, `receive`).
#[derive(Args)]
pub(super) struct DecisionsRetention {
    /// Purge each decision from --out this many days after its event
    /// time (at most 365), at start and every hour: its id stays,
    /// nothing of the car. Without it, decisions are kept.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=365))]
    retention_days: Option<u64>,
}

#[derive(Args)]
pub(super) struct ListenArgs {
    #[command(flatten)]
    brokers: Brokers,
    /// Delivered hits (JSON Lines), appended to.
    #[arg(long)]
    out: PathBuf,
    /// Report (JSON), rewritten every second and at the end.
    #[arg(long)]
    report: Option<PathBuf>,
    /// MQTT client id: the name of the persistent session.
    #[arg(long, default_value = "hitgate-listen")]
    client_id: String,
    /// Stop after this many seconds connected without a message.
    #[arg(long)]
    idle_exit: Option<f64>,
    /// The units' public keys (TOML: `[units]`, then `"unit-id" =
    /// "<hex>"`): status signatures are checked, unknown units reported.
    #[arg(long)]
    units: Option<PathBuf>,
    /// Keep each hit this many days from its event time (at most
    /// 365), then purge it from --out, at start and every hour: its
    /// plate, camera and times go, its numbers and chain links stay.
    /// Without it, hits are kept.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=365))]
    retention_days: Option<u64>,
    /// Say a unit whose clock is off from this machine's by more than
    /// this many seconds (from its status messages; once, and again when
    /// back). Without it, the offset is only in the report.
    #[arg(long, value_name = "SECONDS")]
    clock_tolerance_s: Option<f64>,
    /// Say a unit not heard (no hit, no status) for more than this many
    /// seconds: its uplink, power or unit down (once, and again when
    /// heard). The units of --units and of --out count from the start;
    /// nothing is said while the listener has no broker.
    #[arg(long, value_name = "SECONDS")]
    silence_s: Option<f64>,
}

#[derive(Args)]
pub(super) struct GateArgs {
    #[command(flatten)]
    brokers: Brokers,
    /// The zone's policy: the units' rules with their `recipients`,
    /// and `[[recipient]]` with each one's `budgets`, `max_open` (cases
    /// it has not closed on hitgate/dispatch/<name>/closed),
    /// `max_delay_s` (older dispatches go to it as reviews), `outcomes`
    /// (what its closes may say), `acks` and `unknown_rules`
    /// (docs/formats.md, "Recipients").
    #[arg(long)]
    policy: PathBuf,
    /// The saved state (JSON), written before anything is published
    /// or acknowledged.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Also keep the saved state as a retained message on the broker
    /// (on a NATS cluster: in JetStream), where a second instance
    /// finds it.
    #[arg(long)]
    state_topic: bool,
    /// Decisions confirmed (handed back by the broker, or acknowledged
    /// by a recipient with `acks = true`), JSON Lines, appended to.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Report (JSON), rewritten every second and at the end.
    #[arg(long)]
    report: Option<PathBuf>,
    /// MQTT client id: the persistent session's name.
    #[arg(long, default_value = "hitgate-gate")]
    client_id: String,
    /// Stop after this many seconds connected without a hit, once
    /// every decision is confirmed.
    #[arg(long)]
    idle_exit: Option<f64>,
    /// Wait as a standby; take over once the active gate's heartbeat
    /// has been silent this many seconds.
    #[arg(long)]
    standby: Option<f64>,
    /// Case table slots (for a new state): the cases opened in one
    /// re-alert window, times two or more.
    #[arg(long, default_value_t = 4096)]
    cases: usize,
    /// Publish the decisions the broker took in the last this many
    /// seconds once more after a restart, a take-over or a
    /// reconnection (recipients drop ids they have seen); 0: never.
    #[arg(long, default_value_t = 30.0)]
    resend_window: f64,
    #[command(flatten)]
    retention: DecisionsRetention,
    /// Say a unit whose clock is off from this machine's by more than
    /// this many seconds (from its status messages; once, and again when
    /// back), with what it does to each recipient's max_delay_s. Without
    /// it, the offsets are only in the report.
    #[arg(long, value_name = "SECONDS")]
    clock_tolerance_s: Option<f64>,
    /// Say a unit not heard (no hit, no status) for more than this many
    /// seconds: its uplink, power or unit down, its road unwatched (once,
    /// and again when heard). The units of the saved state and of
    /// --units count from the start; nothing is said while the gate has
    /// no broker.
    #[arg(long, value_name = "SECONDS")]
    silence_s: Option<f64>,
    /// The zone's units, as `listen --units` takes them (TOML: `[units]`,
    /// then `"unit-id" = "<hex key>"`): known before they speak, so that
    /// one that never does is said silent (--silence-s) and in the report.
    #[arg(long)]
    units: Option<PathBuf>,
}

#[derive(Args)]
pub(super) struct ReceiveArgs {
    #[command(flatten)]
    brokers: Brokers,
    /// The recipient: its topic is hitgate/dispatch/<name>.
    #[arg(long, value_name = "NAME")]
    recipient: String,
    /// Decisions received (JSON Lines, one per id), appended to; the
    /// ids already in it are not written again.
    #[arg(long)]
    out: PathBuf,
    /// MQTT client id: the persistent session's name (default
    /// recipient-<name>).
    #[arg(long)]
    client_id: Option<String>,
    /// Acknowledge each decision on hitgate/dispatch/<name>/ack once
    /// it is on disk (the recipient's `acks = true` in the gate's
    /// policy).
    #[arg(long)]
    ack: bool,
    /// Stop after this many seconds connected without a message (and
    /// once every case due to be closed is closed).
    #[arg(long)]
    idle_exit: Option<f64>,
    /// Close each case received as a dispatch this many seconds after
    /// it came, on hitgate/dispatch/<name>/closed: a dispatch room that
    /// handles a case in that time, for the gate's `max_open`.
    #[arg(long, value_name = "SECONDS")]
    close_after: Option<f64>,
    /// The outcome each close states (`{"case": N, "outcome": WORD}`),
    /// counted by the gate per recipient: a word of lower-case letters,
    /// digits, '-' or '_', such as intercepted or not-found.
    #[arg(long, value_name = "WORD", requires = "close_after")]
    outcome: Option<String>,
    #[command(flatten)]
    retention: DecisionsRetention,
}

pub(super) fn listen(a: ListenArgs) -> Result<()> {
    let keys = a
        .units
        .as_deref()
        .map(crate::audit::UnitKeys::load)
        .transpose()?;
    let r = crate::listen::listen(&crate::listen::ListenOptions {
        brokers: a.brokers.list()?,
        out: a.out,
        report: a.report,
        client_id: a.client_id,
        idle_exit: seconds("--idle-exit", a.idle_exit)?,
        keys,
        retention: a.retention_days.map(days),
        clock_tolerance: seconds("--clock-tolerance-s", a.clock_tolerance_s)?,
        silence: seconds("--silence-s", a.silence_s)?,
    })?;
    for (unit, u) in &r.units {
        let clock = u.clock_offset_ms.map_or(String::new(), |o| {
            format!(
                "; clock {}{}",
                crate::clock::describe(o),
                if u.clock_off { ", OFF" } else { "" }
            )
        }) + if u.silent { "; SILENT" } else { "" };
        say!(
            "{unit}: {} delivered ({} purged, {} renumbered), {} duplicates dropped, {} missing; chain: {} linked, {} findings, {} signed statuses verified{clock}",
            u.delivered,
            u.purged,
            u.renumbered,
            u.duplicates,
            u.missing_count,
            u.chain.linked,
            u.chain.findings.len(),
            u.chain.statuses_verified,
        );
    }
    Ok(())
}

pub(super) fn gate(a: GateArgs) -> Result<()> {
    let resend = Duration::try_from_secs_f64(a.resend_window)
        .map_err(|_| anyhow!("--resend-window {}: seconds, 0 or more", a.resend_window))?;
    let policy = PolicyFile::load(&a.policy)?;
    let unknown_to = match policy.unknown_rules_mask() {
        0 => "sent to nobody",
        _ => "sent to the recipients with unknown_rules = true",
    };
    let r = crate::gate::gate(&crate::gate::GateOptions {
        brokers: a.brokers.list()?,
        policy,
        client_id: a.client_id,
        state: a.state,
        state_topic: a.state_topic,
        out: a.out,
        report: a.report,
        idle_exit: seconds("--idle-exit", a.idle_exit)?,
        standby: seconds("--standby", a.standby)?,
        cases: a.cases,
        resend,
        retention: a.retention.retention_days.map(days),
        clock_tolerance: seconds("--clock-tolerance-s", a.clock_tolerance_s)?,
        silence: seconds("--silence-s", a.silence_s)?,
        units: match &a.units {
            Some(path) => crate::audit::UnitKeys::load(path)?
                .units()
                .map(str::to_string)
                .collect(),
            None => Vec::new(),
        },
    })?;
    for (name, c) in &r.recipients {
        let outcomes: Vec<String> = c.outcomes.iter().map(|(o, n)| format!("{o} {n}")).collect();
        say!(
            "{name}: {} dispatched, {} reviewed ({} throttled, {} held at max_open, {} late), {} updates, {} closed{}",
            c.dispatched,
            c.reviewed,
            c.throttled,
            c.held,
            c.late,
            c.updates,
            c.closed,
            match outcomes.is_empty() {
                true => String::new(),
                false => format!(" ({})", outcomes.join(", ")),
            }
        );
    }
    say!(
        "{} hits decided, {} duplicates, {} unrouted, {} unconfirmed, {} sent again",
        r.hits,
        r.duplicates,
        r.unrouted,
        r.unconfirmed,
        r.resent
    );
    if r.rule_moved + r.rule_unknown > 0 {
        say!(
            "{} hits under a rule this policy numbers otherwise (routed by its name), {} under a rule it does not have ({unknown_to})",
            r.rule_moved,
            r.rule_unknown
        );
    }
    if r.ahead > 0 {
        say!(
            "{} hits dated ahead of their arrival (a unit's clock): decided as seen on arrival",
            r.ahead
        );
    }
    for (unit, u) in &r.units {
        if let (true, Some(o)) = (u.clock_off, u.clock_offset_ms) {
            say!(
                "unit {unit}: clock {} this machine's, OFF",
                crate::clock::describe(o)
            );
        }
        if u.silent {
            say!("unit {unit}: SILENT");
        }
    }
    Ok(())
}

pub(super) fn receive(a: ReceiveArgs) -> Result<()> {
    let r = crate::receive::receive(&crate::receive::ReceiveOptions {
        brokers: a.brokers.list()?,
        client_id: a
            .client_id
            .unwrap_or_else(|| format!("recipient-{}", a.recipient)),
        recipient: a.recipient,
        out: a.out,
        ack: a.ack,
        idle_exit: seconds("--idle-exit", a.idle_exit)?,
        close_after: seconds("--close-after", a.close_after)?,
        outcome: match a.outcome {
            Some(o) if !crate::policy_file::outcome_word(&o) => {
                return Err(anyhow!(
                    "--outcome {o:?}: a word of 1 to 32 lower-case letters, digits, '-' or '_'"
                ));
            }
            o => o,
        },
        retention: a.retention.retention_days.map(days),
    })?;
    say!(
        "{} received, {} written, {} duplicates, {} not decisions for it, {} acknowledged, {} cases closed",
        r.received,
        r.written,
        r.duplicates,
        r.bad,
        r.acks,
        r.closed
    );
    Ok(())
}

/// A retention in days (at most 365, checked by the argument's parser).
fn days(d: u64) -> Duration {
    Duration::from_secs(d * 86_400)
}

/// A duration option in seconds, more than 0.
fn seconds(name: &str, s: Option<f64>) -> Result<Option<Duration>> {
    match s {
        Some(s) if s > 0.0 => Duration::try_from_secs_f64(s)
            .map(Some)
            .map_err(|_| anyhow!("{name} {s}: too long")),
        Some(s) => Err(anyhow!("{name} {s}: seconds, more than 0")),
        None => Ok(None),
    }
}
