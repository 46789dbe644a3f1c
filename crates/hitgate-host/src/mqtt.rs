//! One MQTT connection that keeps itself up: QoS 1, a persistent session,
//! reconnects with back-off, and fails over between brokers (the nodes of
//! a cluster). Used by the unit (`replay --mqtt`), the central side
//! (`listen`) and the zone gate (`gate`).
//!
//! A thread drives [`rumqttc`]'s connection and hands what happens to the
//! caller as [`LinkEvent`]s; the caller publishes without ever blocking
//! ([`Link::publish`] says when the request queue is full, and nothing is
//! sent while the link is down). After each failure the thread waits
//! 100 ms, doubling up to 5 s, and moves to the next broker of the list
//! after two failures in a row on one.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Result, bail};
use rumqttc::{Client, ConnectionError, Event, MqttOptions, Packet, QoS};

/// A broker address: `mqtt://HOST:PORT` (or `HOST:PORT`), with a user
/// name and password for a broker that checks them. Its `Debug` and
/// `Display` never show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Broker {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// User name and password (`mqtt://USER:PASSWORD@HOST:PORT`, or
    /// `mqtt://USER@HOST:PORT` with the password in the environment
    /// variable `HITGATE_MQTT_PASSWORD`, out of the process list).
    pub credentials: Option<(String, String)>,
}

impl std::str::FromStr for Broker {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        let rest = s.strip_prefix("mqtt://").unwrap_or(s);
        let rest = rest.trim_end_matches('/');
        let (credentials, rest) = match rest.rsplit_once('@') {
            Some((user, rest)) => {
                let (user, password) = match user.split_once(':') {
                    Some((u, p)) => (u.to_string(), p.to_string()),
                    None => (
                        user.to_string(),
                        std::env::var("HITGATE_MQTT_PASSWORD").map_err(|_| {
                            anyhow::anyhow!(
                                "mqtt://{user}@...: no password in the address and none in HITGATE_MQTT_PASSWORD"
                            )
                        })?,
                    ),
                };
                if user.is_empty() {
                    bail!("mqtt://...@{rest}: an empty user name");
                }
                (Some((user, password)), rest)
            }
            None => (None, rest),
        };
        let Some((host, port)) = rest.rsplit_once(':') else {
            bail!("{s}: expected mqtt://HOST:PORT");
        };
        let port = port
            .parse()
            .map_err(|_| anyhow::anyhow!("{s}: port {port:?} is not a number"))?;
        if host.is_empty() {
            bail!("{s}: no host");
        }
        Ok(Self {
            host: host.to_string(),
            port,
            credentials,
        })
    }
}

impl std::fmt::Debug for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Broker({self})")
    }
}

impl std::fmt::Display for Broker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        match &self.credentials {
            Some((user, _)) => write!(f, "mqtt://{user}@{}:{}", self.host, self.port),
            None => write!(f, "mqtt://{}:{}", self.host, self.port),
        }
    }
}

/// What the link reports.
#[derive(Debug)]
pub enum LinkEvent {
    /// Connected (again) to this broker, and every subscription renewed:
    /// the broker has acknowledged each (SUBACK), so what is published
    /// from now on reaches this link.
    Up(Broker),
    /// The connection failed or dropped.
    Down(String),
    /// A message arrived.
    Message {
        /// Its topic.
        topic: String,
        /// Its payload.
        payload: Vec<u8>,
    },
}

/// The connection (see the module docs).
pub struct Link {
    client: Arc<Mutex<Option<Client>>>,
    events: Receiver<LinkEvent>,
    stop: Arc<AtomicBool>,
    up: bool,
    thread: Option<JoinHandle<()>>,
}

const QUEUE: usize = 256;
/// The largest packet sent or taken: a gate's saved state with a few
/// thousand open cases (NATS's default limit is 1 MiB).
pub const MAX_PACKET: usize = 1 << 20;
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

impl Link {
    /// Starts connecting to the first of `brokers` as `client_id`, with a
    /// persistent session, subscribing to `topics` (QoS 1) on every
    /// connection.
    pub fn start(brokers: &[Broker], client_id: &str, topics: Vec<String>) -> Result<Self> {
        if brokers.is_empty() {
            bail!("no broker given");
        }
        let client = Arc::new(Mutex::new(None));
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, events) = mpsc::channel();
        let thread = {
            let (client, stop, brokers, id) = (
                client.clone(),
                stop.clone(),
                brokers.to_vec(),
                client_id.to_string(),
            );
            std::thread::Builder::new()
                .name("mqtt".into())
                .spawn(move || drive(&brokers, &id, &topics, &client, &stop, &tx))?
        };
        Ok(Self {
            client,
            events,
            stop,
            up: false,
            thread: Some(thread),
        })
    }

    /// True while connected.
    pub fn is_up(&self) -> bool {
        self.up
    }

    /// The next event, waiting at most `wait`.
    pub fn next(&mut self, wait: Duration) -> Option<LinkEvent> {
        let e = match self.events.recv_timeout(wait) {
            Ok(e) => e,
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
        };
        match &e {
            LinkEvent::Up(_) => self.up = true,
            LinkEvent::Down(_) => self.up = false,
            LinkEvent::Message { .. } => {}
        }
        Some(e)
    }

    /// Queues a QoS 1 publication; false (nothing queued) when the link is
    /// down or its queue is full.
    pub fn publish(&self, topic: &str, payload: &[u8]) -> bool {
        self.send(topic, payload, false)
    }

    /// As [`Link::publish`], retained: the broker keeps the last one on
    /// the topic for every later subscriber (on a NATS cluster, in
    /// JetStream).
    pub fn publish_retained(&self, topic: &str, payload: &[u8]) -> bool {
        self.send(topic, payload, true)
    }

    fn send(&self, topic: &str, payload: &[u8], retain: bool) -> bool {
        if !self.up {
            return false;
        }
        let Ok(guard) = self.client.lock() else {
            return false;
        };
        match guard.as_ref() {
            Some(c) => c
                .try_publish(topic, QoS::AtLeastOnce, retain, payload.to_vec())
                .is_ok(),
            None => false,
        }
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Ok(guard) = self.client.lock()
            && let Some(c) = guard.as_ref()
        {
            let _ = c.try_disconnect();
        }
        // Not joined: a connection attempt may take seconds to give up;
        // the thread ends on its own at the next event.
        drop(self.thread.take());
    }
}

/// The connection thread: connect, pass events on, back off, fail over.
fn drive(
    brokers: &[Broker],
    id: &str,
    topics: &[String],
    shared: &Mutex<Option<Client>>,
    stop: &AtomicBool,
    tx: &Sender<LinkEvent>,
) {
    let mut backoff = FIRST_BACKOFF;
    let mut failures = 0u32;
    for broker in brokers.iter().cycle() {
        let mut options = MqttOptions::new(id, broker.host.clone(), broker.port);
        options
            .set_clean_session(false)
            .set_keep_alive(Duration::from_secs(5))
            // The zone gate's saved state travels as one message.
            .set_max_packet_size(MAX_PACKET, MAX_PACKET);
        if let Some((user, password)) = &broker.credentials {
            options.set_credentials(user.clone(), password.clone());
        }
        let (client, mut connection) = Client::new(options, QUEUE);
        if let Ok(mut g) = shared.lock() {
            *g = Some(client.clone());
        }
        // Subscriptions sent and not yet acknowledged: the link is up once
        // the broker has taken them all, not at its CONNACK, or a message
        // published in between would pass this link by.
        let mut pending = 0usize;
        loop {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            // Blocking: a timeout here would cancel a connection in
            // progress (a cluster node creating its streams takes
            // seconds), and the broker would see two sessions.
            match connection.recv() {
                Err(rumqttc::RecvError) => return,
                Ok(Ok(Event::Incoming(Packet::ConnAck(_)))) => {
                    backoff = FIRST_BACKOFF;
                    failures = 0;
                    pending = topics
                        .iter()
                        .filter(|t| client.try_subscribe(*t, QoS::AtLeastOnce).is_ok())
                        .count();
                    if pending == 0 && tx.send(LinkEvent::Up(broker.clone())).is_err() {
                        return;
                    }
                }
                Ok(Ok(Event::Incoming(Packet::SubAck(_)))) if pending > 0 => {
                    pending -= 1;
                    if pending == 0 && tx.send(LinkEvent::Up(broker.clone())).is_err() {
                        return;
                    }
                }
                Ok(Ok(Event::Incoming(Packet::Publish(p)))) => {
                    let e = LinkEvent::Message {
                        topic: p.topic.clone(),
                        payload: p.payload.to_vec(),
                    };
                    if tx.send(e).is_err() {
                        return;
                    }
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    if stop.load(Ordering::SeqCst) || matches!(e, ConnectionError::RequestsDone) {
                        return;
                    }
                    if tx.send(LinkEvent::Down(format!("{broker}: {e}"))).is_err() {
                        return;
                    }
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    failures += 1;
                    if failures >= 2 && brokers.len() > 1 {
                        failures = 0;
                        break;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_addresses_parse_or_say_what_is_wrong() {
        let b: Broker = "mqtt://127.0.0.1:1883".parse().unwrap();
        assert_eq!((b.host.as_str(), b.port), ("127.0.0.1", 1883));
        assert_eq!(b.to_string(), "mqtt://127.0.0.1:1883");
        let b: Broker = "localhost:9".parse().unwrap();
        assert_eq!(b.port, 9);
        for bad in [
            "mqtt://host",
            "mqtt://:1883",
            "mqtt://h:port",
            "mqtt://h:70000",
        ] {
            assert!(bad.parse::<Broker>().is_err(), "{bad}");
        }
    }
}
