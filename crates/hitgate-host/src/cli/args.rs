//! The argument groups several commands share: what `replay` and
//! `prepare` read, the unit's table sizes, the uplink.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use clap::Args;

use crate::lists::ListsData;
use crate::policy_file::PolicyFile;

/// What `replay` and `prepare` read.
#[derive(Args)]
pub(super) struct Inputs {
    /// Reads: .jsonl or .csv, optionally .gz; - for standard input.
    /// Repeat for files that make one unit's stream (a camera system that
    /// exports a file per camera): merged by the time the unit receives
    /// each read (its arrival where written, else its event time), each
    /// file in that order itself.
    #[arg(long, required = true)]
    pub(super) reads: Vec<PathBuf>,
    /// Watchlists (CSV); repeat for several files.
    #[arg(long = "lists", required_unless_present = "bundle")]
    lists: Vec<PathBuf>,
    /// Policy (TOML): lists, settings, decision matrix. Without it, the
    /// Brussels baseline.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Settings (TOML) that override the policy's [config].
    #[arg(long)]
    config: Option<PathBuf>,
    /// Watchlist version reported with every hit.
    #[arg(long, default_value_t = 1)]
    list_version: u32,
    /// Instead of --lists and --policy: a signed list image (`hitgate
    /// bundle build`), verified with --public as a unit verifies it.
    #[arg(long, conflicts_with_all = ["lists", "policy", "config", "list_version"], requires = "public")]
    bundle: Option<PathBuf>,
    /// A signed delta applied after --bundle; repeat, in order.
    #[arg(long, requires = "bundle")]
    delta: Vec<PathBuf>,
    /// The public key (`hitgate keygen`'s .pub file) images must be signed with.
    #[arg(long)]
    public: Option<PathBuf>,
    /// How to read a time written without a UTC offset (`2026-01-05
    /// 08:00:00`), in reads and list validity: as UTC, or as local time on
    /// the policy's [time] offsets, summer time included. Unset: as UTC,
    /// and the summary says how many reads and entries had one.
    #[arg(long, value_enum)]
    pub(super) naive_times: Option<crate::reads::NaiveTimes>,
    /// The camera of reads that name none: a file exported per camera,
    /// without a camera column or field (a read that names one keeps it).
    /// With several --reads, one for each, in the same order.
    #[arg(long, value_name = "ID")]
    pub(super) camera: Vec<String>,
}

impl Inputs {
    /// How the reads are read.
    pub(super) fn reading(&self) -> crate::reads::ReadOptions {
        crate::reads::ReadOptions {
            naive_times: self.naive_times,
            cameras: self.camera.clone(),
        }
    }

    /// The policy (with `--config` applied), the lists, checked, and their
    /// version; with `--bundle`, also the deltas refused, each said loudly
    /// on standard error.
    pub(super) fn load(&self) -> Result<(PolicyFile, ListsData, u32, u32)> {
        if let (Some(bundle), Some(public)) = (&self.bundle, &self.public) {
            let key = crate::signed_file::load_public(public)?;
            let p = crate::signed_file::provision(bundle, &self.delta, &key)?;
            for r in &p.refused {
                eprintln!("hitgate: {r}; version {} stays in force", p.version);
            }
            return Ok((p.pf, p.data, p.version, p.refused.len() as u32));
        }
        let mut pf = PolicyFile::load_or_baseline(self.policy.as_deref())?;
        if let Some(c) = &self.config {
            pf.config = PolicyFile::load_config(c)?;
        }
        let local = crate::reads::local_offsets(self.naive_times, &pf.places.offsets)?;
        let data = ListsData::load_with(&self.lists, &pf.lists, local)?.with_classes(pf.classes);
        Ok((pf, data, self.list_version, 0))
    }
}

/// The simulated unit's table sizes.
#[derive(Args)]
pub(super) struct TableArgs {
    /// Passage slots of the simulated unit (as a firmware sizes them).
    #[arg(long, default_value_t = 256)]
    passages: usize,
    /// Re-alert suppression slots of the simulated unit.
    #[arg(long, default_value_t = 4096)]
    suppression: usize,
    /// Per-camera counter slots of the simulated unit.
    #[arg(long, default_value_t = 256)]
    cameras: usize,
    /// Places for unmatched frames the simulated unit holds a few seconds,
    /// for a passage that opens on a later frame of the same car: a hold's
    /// worth of a busy site's reads (the example firmware gives 16; fewer
    /// than a hold's reads and the oldest give way early, counted as
    /// `evicted_held`).
    #[arg(long, default_value_t = crate::replay::HELD_FRAMES)]
    held_frames: usize,
}

impl TableArgs {
    pub(super) fn sizes(&self) -> crate::replay::TableSizes {
        crate::replay::TableSizes {
            passages: self.passages,
            suppression: self.suppression,
            cameras: self.cameras,
            held: self.held_frames,
        }
    }
}

/// TLS for `mqtts://` brokers (the unit's, `listen`'s, `gate`'s and
/// `receive`'s).
#[derive(Args)]
pub(super) struct TlsArgs {
    /// For mqtts:// brokers: the certificate(s) of the CA that signs the
    /// broker's certificate (PEM).
    #[arg(long, value_name = "FILE")]
    tls_ca: Option<PathBuf>,
    /// This side's certificate (PEM), for a broker that asks for one;
    /// with --tls-key.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

impl TlsArgs {
    /// `brokers` with their TLS ([`crate::mqtt::Broker::with_tls`]).
    pub(super) fn brokers(
        &self,
        brokers: &[crate::mqtt::Broker],
    ) -> Result<Vec<crate::mqtt::Broker>> {
        let tls = match &self.tls_ca {
            Some(ca) => Some(crate::mqtt::Tls::load(
                ca,
                self.tls_cert.as_deref().zip(self.tls_key.as_deref()),
            )?),
            None if self.tls_cert.is_some() => {
                return Err(anyhow!("--tls-cert: TLS needs --tls-ca too"));
            }
            None => None,
        };
        crate::mqtt::Broker::with_tls(brokers.to_vec(), tls)
    }
}

/// How `replay` delivers its hits, as a unit does.
#[derive(Args)]
pub(super) struct UplinkArgs {
    /// Keep the unit's outbox (hits, sequence, counters) on a flash file in
    /// DIR: a killed and restarted run loses nothing it had stored.
    #[arg(long, value_name = "DIR")]
    state: Option<PathBuf>,
    /// Deliver the hits over MQTT (QoS 1) to mqtt://HOST:PORT, or
    /// mqtts://HOST:PORT for TLS (with --tls-ca); repeat (or separate
    /// with commas) for the nodes of a cluster, tried in turn.
    #[arg(long, value_name = "URL", value_delimiter = ',')]
    mqtt: Vec<crate::mqtt::Broker>,
    #[command(flatten)]
    tls: TlsArgs,
    /// The unit's id, in every message and topic.
    #[arg(long, default_value = "unit-1")]
    unit: String,
    /// The unit's own secret key (`hitgate keygen`): its status messages
    /// are signed with it, for `hitgate listen --units`.
    #[arg(long, value_name = "FILE")]
    unit_key: Option<PathBuf>,
    /// Outbox slots (hits waiting for the uplink).
    #[arg(long, default_value_t = 1024)]
    outbox: usize,
    /// The boot a new outbox starts at (1 to 2147483647): default a
    /// random one, so that a unit started blank again (a new --state, or
    /// none) never numbers its hits as an earlier run did, which the
    /// central side would drop as copies. A --state that holds an outbox
    /// goes on from its own count.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=0x7FFF_FFFF))]
    first_boot: Option<u32>,
    /// Days an undelivered hit is kept (at most 365).
    #[arg(long, default_value_t = 30)]
    retention_days: u64,
    /// Seconds to wait after the input for the last acknowledgements.
    #[arg(long, default_value_t = 60.0)]
    drain: f64,
    /// Replay at this many times the recorded speed (default: as fast as
    /// it goes).
    #[arg(long)]
    pub(super) speed: Option<f64>,
}

impl UplinkArgs {
    pub(super) fn options(&self) -> Result<Option<crate::deliver::UplinkOptions>> {
        if self.retention_days == 0 || self.retention_days > 365 {
            return Err(anyhow!(
                "--retention-days {}: between 1 and 365 (the legal maximum)",
                self.retention_days
            ));
        }
        if self.outbox == 0 || self.outbox > 65_000 {
            return Err(anyhow!(
                "--outbox {}: between 1 and 65000 slots",
                self.outbox
            ));
        }
        if !self.drain.is_finite() || self.drain < 0.0 {
            return Err(anyhow!("--drain {}: seconds, 0 or more", self.drain));
        }
        if self.state.is_none() && self.mqtt.is_empty() {
            return Ok(None);
        }
        if self.unit.is_empty() || self.unit.contains(['/', '+', '#']) || self.unit.len() > 32 {
            return Err(anyhow!(
                "--unit {:?}: 1 to 32 characters, none of / + #",
                self.unit
            ));
        }
        let key = self
            .unit_key
            .as_deref()
            .map(crate::signed_file::load_secret)
            .transpose()?;
        Ok(Some(crate::deliver::UplinkOptions {
            key,
            refused_images: 0,
            unit: self.unit.clone(),
            brokers: self.tls.brokers(&self.mqtt)?,
            state: self.state.clone(),
            slots: self.outbox,
            first_boot: self.first_boot,
            retention_ms: self.retention_days * 86_400_000,
            drain: std::time::Duration::try_from_secs_f64(self.drain)
                .map_err(|_| anyhow!("--drain {}: too long", self.drain))?,
        }))
    }
}
