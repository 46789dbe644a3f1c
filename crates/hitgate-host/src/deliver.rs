//! The unit's side of the uplink for `hitgate replay`: forwarded hits go
//! into the core's flash outbox ([`hitgate_core::store`]) on a file
//! (`--state DIR`) or in memory, and from there over MQTT (`--mqtt`) to
//! the central side (`hitgate listen`).
//!
//! A hit leaves the outbox only on the central side's `ack`, not on the
//! broker's PUBACK: the broker's acknowledgement says the broker holds the
//! message, the central side's says the hit is written where dispatch
//! reads it, which is the question a zone asks ("did we lose any hit?").
//! A broker that loses its store, a subscriber that was never there, a
//! cluster node that dies with messages on it: the hit stays on the unit
//! and goes again, on the next connection, or when hits in flight have
//! had no acknowledgement for 5 s (a central side killed after the broker
//! handed them over; the link never dropped to say so).
//!
//! Topics: the unit publishes `hitgate/<unit>/hit` and
//! `hitgate/<unit>/status` and subscribes to `hitgate/<unit>/ack`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use hitgate_core::hit::Hit;
use hitgate_core::indicators::Indicators;
use hitgate_core::outbox::OutboxSlot;
use hitgate_core::store::{FlashOutbox, ITEM_MAX, Received, Restored, StoreError, block_on};
use hitgate_core::uplink::{MAX_MESSAGE, Message, encode_message};
use sequential_storage::cache::{Cache, Uncached};
use serde::Serialize;

use crate::flash_file::{FileFlash, FlashError, PAGE, WORD};
use crate::mqtt::{Broker, Link, LinkEvent};

/// How a replayed unit delivers.
#[derive(Debug, Clone)]
pub struct UplinkOptions {
    /// The unit's id (in every message and topic).
    pub unit: String,
    /// Brokers, tried in turn.
    pub brokers: Vec<Broker>,
    /// Directory of the unit's flash file; none: the outbox lives in
    /// memory and dies with the process.
    pub state: Option<PathBuf>,
    /// Outbox slots.
    pub slots: usize,
    /// The boot a blank outbox starts at; `None`: a random one below 2³¹
    /// (`FlashOutbox::open`).
    pub first_boot: Option<u32>,
    /// Retention of an undelivered hit.
    pub retention_ms: u64,
    /// How long to wait for the last acknowledgements after the input.
    pub drain: Duration,
    /// The unit's own key: its status messages are signed.
    pub key: Option<hitgate_core::signed::SigningKey>,
    /// Signed images refused before this run: counted on the unit's flash
    /// and in its status messages.
    pub refused_images: u32,
}

/// Hits sent and not yet acknowledged, at most: a 15-day backlog of
/// 7,500 hits drains in 3.8 s with 192, 10.6 s with 64 (the central side
/// acknowledges a batch at a time, after its fsync; `examples/backlog.sh`).
/// After a dropped connection at most this many go again as duplicates.
const WINDOW: usize = 192;
/// Hits in flight this long without an acknowledgement go again.
const RESEND_AFTER: Duration = Duration::from_secs(5);
/// A status message this often while connected.
const STATUS_EVERY: Duration = Duration::from_secs(2);

type Store<'s> = FlashOutbox<'s, FileFlash, Cache<Uncached, Uncached, Uncached, u16>>;

/// What an outbox error means to the user, and where: a flash file that
/// is not as the outbox left it (damaged, or written by something else)
/// is named, with what to do.
fn outbox_error(state: Option<&std::path::Path>, e: StoreError<FlashError>) -> anyhow::Error {
    let file = state.map_or("the outbox in memory".into(), |d| {
        d.join("outbox.flash").display().to_string()
    });
    let damaged = |what: String| {
        anyhow::anyhow!(
            "{file}: {what}: the flash is not as the outbox left it (damaged, or \
             written by something else); move it aside and start on a new --state \
             (a new outbox starts at a boot of its own, so nothing it numbers is \
             taken for an old hit)"
        )
    };
    match e {
        StoreError::Flash(sequential_storage::Error::Corrupted { .. }) => {
            damaged("its map is corrupted".into())
        }
        StoreError::Flash(sequential_storage::Error::Storage {
            value: FlashError::NotErased(at),
            ..
        }) => damaged(format!("byte {at} is written where the outbox had erased")),
        StoreError::Flash(sequential_storage::Error::Storage {
            value: FlashError::Io(kind),
            ..
        }) => anyhow::anyhow!("{file}: cannot write: {kind}"),
        e => anyhow::anyhow!("{file}: outbox: {e}"),
    }
}

/// A random boot from 1 to 2³¹ - 1 for a blank outbox: far from any other
/// outbox's count of this unit (see `hitgate_core::store`, "Sequence
/// numbers").
fn random_boot() -> Result<u32> {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).map_err(|e| {
        anyhow::anyhow!("no randomness for the outbox's first boot ({e}): give --first-boot")
    })?;
    Ok((u32::from_le_bytes(b) & 0x7FFF_FFFF).max(1))
}

/// Flash pages for `slots` outbox slots: twice the live data, plus the
/// map's spare page, so that garbage collection moves little.
pub fn pages_for(slots: usize) -> usize {
    let usable = PAGE - 2 * WORD;
    2 * ((slots + 1) * ITEM_MAX).div_ceil(usable) + 2
}

/// What the unit's uplink did, for `report.json`.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct UplinkReport {
    /// Unit id.
    pub unit: String,
    /// The state directory, if any.
    pub state: Option<String>,
    /// This run's boot count.
    pub boot: u32,
    /// Hits found in the outbox at the start.
    pub restored: usize,
    /// Hits put into the outbox by this run.
    pub pushed: u64,
    /// Hit messages published (resends included).
    pub published: u64,
    /// Hits acknowledged by the central side in this run.
    pub acked: u64,
    /// Hits that gave way in a full outbox, since the first boot.
    pub evicted: u64,
    /// Hits deleted undelivered by the retention, since the first boot.
    pub expired: u64,
    /// Hits still waiting at the end.
    pub waiting: usize,
    /// The next sequence number.
    pub next_seq: u64,
    /// Connections made.
    pub connections: u64,
    /// Connection failures.
    pub failures: u64,
    /// Messages from the broker that were not valid.
    pub bad_messages: u64,
    /// Flash bytes written in this run.
    pub flash_bytes_written: u64,
    /// Flash page erases in this run.
    pub flash_erases: u64,
    /// The version of the lists in force, as the unit keeps it.
    pub list_version: u32,
    /// Signed images refused since the unit first started.
    pub refused_images: u32,
    /// Times the hits in flight went again for want of an
    /// acknowledgement (the central side may have died with them).
    #[serde(default)]
    pub resent_unanswered: u64,
}

/// The unit's outbox and uplink (see the module docs).
pub struct Delivery<'s> {
    store: Store<'s>,
    link: Option<Link>,
    opts: UplinkOptions,
    list_version: u32,
    ack_topic: String,
    buf: [u8; MAX_MESSAGE],
    last_status: Option<Instant>,
    /// When an acknowledgement last came (or nothing was in flight).
    last_ack: Instant,
    report: UplinkReport,
}

impl<'s> Delivery<'s> {
    /// Opens the outbox (restoring it from `--state`) and starts the link.
    pub fn open(
        opts: &UplinkOptions,
        list_version: u32,
        slots: &'s mut Vec<OutboxSlot>,
    ) -> Result<Self> {
        slots.clear();
        slots.resize(opts.slots, OutboxSlot::EMPTY);
        let pages = pages_for(opts.slots);
        let flash = match &opts.state {
            Some(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("{}: cannot create", dir.display()))?;
                FileFlash::open(&dir.join("outbox.flash"), pages)?
            }
            None => FileFlash::in_memory(pages),
        };
        let range = 0..(pages * PAGE) as u32;
        let first_boot = match opts.first_boot {
            Some(b) => b,
            None => random_boot()?,
        };
        let (store, restored): (Store<'s>, Restored) = block_on(FlashOutbox::open(
            flash,
            range,
            Cache::new_uncached(),
            slots,
            first_boot,
        ))
        .map_err(|e| outbox_error(opts.state.as_deref(), e))?;
        // The version of the lists in force survives with the outbox: an
        // older one is not taken after a restart (no rollback).
        let mut store = store;
        if list_version < store.list_version() {
            anyhow::bail!(
                "lists version {list_version} is older than version {} in force on this unit ({}): refused, no rollback",
                store.list_version(),
                opts.state
                    .as_ref()
                    .map_or("memory".into(), |p| p.display().to_string())
            );
        }
        if list_version > store.list_version() {
            block_on(store.set_list_version(list_version))
                .map_err(|e| outbox_error(opts.state.as_deref(), e))?;
        }
        for _ in 0..opts.refused_images {
            block_on(store.count_refused()).map_err(|e| outbox_error(opts.state.as_deref(), e))?;
        }
        if restored.dropped > 0 {
            eprintln!(
                "outbox: {} stored hits could not be used and were dropped (counted as evicted)",
                restored.dropped
            );
        }
        let unit = opts.unit.clone();
        let link = match opts.brokers.is_empty() {
            true => None,
            false => Some(Link::start(
                &opts.brokers,
                &format!("hitgate-unit-{unit}"),
                vec![format!("hitgate/{unit}/ack")],
            )?),
        };
        let report = UplinkReport {
            unit: unit.clone(),
            state: opts.state.as_ref().map(|p| p.display().to_string()),
            boot: store.boot(),
            restored: restored.hits,
            ..UplinkReport::default()
        };
        Ok(Self {
            store,
            link,
            opts: opts.clone(),
            list_version,
            ack_topic: format!("hitgate/{unit}/ack"),
            buf: [0; MAX_MESSAGE],
            last_status: None,
            last_ack: Instant::now(),
            report,
        })
    }

    /// Puts a forwarded hit into the outbox (on flash when this returns).
    pub fn push(&mut self, hit: &Hit) -> Result<()> {
        block_on(self.store.push(hit)).map_err(|e| outbox_error(self.opts.state.as_deref(), e))?;
        self.report.pushed += 1;
        Ok(())
    }

    /// Hits waiting.
    pub fn waiting(&self) -> usize {
        self.store.outbox().len()
    }

    /// Handles what the link reports for up to `wait`, applies the
    /// retention at the unit's `clock`, and sends what the window allows.
    pub fn pump(&mut self, clock: u64, ind: &Indicators, wait: Duration) -> Result<()> {
        block_on(self.store.expire(clock, self.opts.retention_ms))
            .map_err(|e| outbox_error(self.opts.state.as_deref(), e))?;
        if self.link.is_none() {
            return Ok(());
        }
        let deadline = Instant::now() + wait;
        let mut first = true;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if !first && left.is_zero() {
                break;
            }
            first = false;
            let Some(event) = self.link.as_mut().and_then(|l| l.next(left)) else {
                break;
            };
            match event {
                LinkEvent::Up(b) => {
                    self.report.connections += 1;
                    eprintln!("uplink: connected to {b}");
                    self.store.resend();
                    self.last_status = None;
                }
                LinkEvent::Down(why) => {
                    self.report.failures += 1;
                    if self.report.failures <= 3 || self.report.failures.is_power_of_two() {
                        eprintln!(
                            "uplink: down ({why}); {} hits wait",
                            self.store.outbox().len()
                        );
                    }
                    self.store.resend();
                }
                LinkEvent::Message { topic, mut payload } => {
                    if topic != self.ack_topic {
                        continue;
                    }
                    match block_on(self.store.receive(&self.opts.unit, &mut payload))
                        .map_err(|e| outbox_error(self.opts.state.as_deref(), e))?
                    {
                        Received::Acked(n) => {
                            self.report.acked += n as u64;
                            self.last_ack = Instant::now();
                        }
                        Received::Ignored => {}
                        Received::Bad(_) => self.report.bad_messages += 1,
                    }
                }
            }
            // Keep the window full while events come in.
            self.send(clock, ind);
        }
        self.resend_if_unanswered();
        self.send(clock, ind);
        Ok(())
    }

    /// Hits in flight with no acknowledgement for [`RESEND_AFTER`] go
    /// again: the broker took them, but the central side that received
    /// them may have died before it wrote them (a killed `listen` or
    /// `gate`), and the link never dropped to say so. The central side
    /// drops the copies it already has, by sequence number.
    fn resend_if_unanswered(&mut self) {
        if self.store.outbox().in_flight() == 0 {
            self.last_ack = Instant::now();
        } else if self.last_ack.elapsed() >= RESEND_AFTER {
            self.report.resent_unanswered += 1;
            self.store.resend();
            self.last_ack = Instant::now();
        }
    }

    /// Publishes unsent hits in delivery order while the window allows,
    /// and the status when due.
    fn send(&mut self, clock: u64, ind: &Indicators) {
        let Some(link) = self.link.as_ref() else {
            return;
        };
        if !link.is_up() {
            return;
        }
        let unit = self.opts.unit.as_str();
        if self.last_status.is_none_or(|t| t.elapsed() >= STATUS_EVERY) {
            let mut status = self.store.status(unit, clock, self.list_version, ind);
            let signature = self
                .opts
                .key
                .as_ref()
                .and_then(|k| hitgate_core::signed::sign_status(&status, k));
            if let Some(sig) = &signature {
                status.signature = sig;
            }
            if let Ok(frame) = encode_message(&Message::Status(status), &mut self.buf)
                && link.publish(&format!("hitgate/{unit}/status"), frame)
            {
                self.last_status = Some(Instant::now());
            }
        }
        let topic = format!("hitgate/{unit}/hit");
        while self.store.outbox().in_flight() < WINDOW {
            let Ok(Some((seq, frame))) = self.store.outbox().next_message(unit, &mut self.buf)
            else {
                break;
            };
            if !link.publish(&topic, frame) {
                break;
            }
            self.store.mark_sent(seq);
            self.report.published += 1;
        }
    }

    /// After the input: waits up to the drain time for every hit to be
    /// acknowledged; true when the outbox is empty.
    pub fn drain(&mut self, clock: u64, ind: &Indicators) -> Result<bool> {
        if self.link.is_none() {
            return Ok(self.waiting() == 0);
        }
        let end = Instant::now() + self.opts.drain;
        while self.waiting() > 0 && Instant::now() < end {
            self.pump(clock, ind, Duration::from_millis(50))?;
        }
        // A last status, so the central side sees the final counters.
        self.last_status = None;
        self.send(clock, ind);
        self.pump(clock, ind, Duration::from_millis(200))?;
        Ok(self.waiting() == 0)
    }

    /// What happened, for the report; closes the link.
    pub fn finish(mut self) -> Result<UplinkReport> {
        let c = *self.store.outbox().counters();
        let mut r = std::mem::take(&mut self.report);
        r.evicted = c.evicted;
        r.expired = c.expired;
        r.waiting = self.store.outbox().len();
        r.next_seq = self.store.next_seq();
        r.list_version = self.store.list_version();
        r.refused_images = self.store.refused();
        drop(self.link.take());
        let (flash, _) = self.store.into_parts();
        r.flash_bytes_written = flash.bytes_written();
        r.flash_erases = flash.erases().iter().map(|&n| u64::from(n)).sum();
        Ok(r)
    }
}
