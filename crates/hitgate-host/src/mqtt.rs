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
//!
//! A broker given as `mqtts://HOST:PORT` is reached over TLS (rustls):
//! its certificate is checked against the CA of `--tls-ca`, and its name
//! or address against the certificate's; with `--tls-cert` and
//! `--tls-key` the link shows a certificate of its own, for a broker
//! that asks for one. The zone's network carries plates and the brokers'
//! passwords: TLS keeps both from anyone on the path.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rumqttc::{
    Client, ConnectionError, Event, MqttOptions, Packet, QoS, TlsConfiguration, Transport,
};

/// A broker address: `mqtt://HOST:PORT` (or `HOST:PORT`), or
/// `mqtts://HOST:PORT` for TLS, with a user name and password for a
/// broker that checks them. Its `Debug` and `Display` never show the
/// password.
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
    /// `mqtts://`: over TLS.
    pub secure: bool,
    /// What TLS trusts and shows ([`Broker::with_tls`]); a secure broker
    /// without it is refused by [`Link::start`].
    pub tls: Option<Arc<Tls>>,
}

/// What a TLS link trusts and shows: rustls's client configuration, made
/// once at start from the PEM files, so that a wrong file is an error
/// naming it before any connection is tried, not a link that fails to
/// connect for ever. Its `Debug` never shows the private key.
#[derive(Clone)]
pub struct Tls {
    config: Arc<rustls::ClientConfig>,
    roots: usize,
    client_certificate: bool,
}

/// The same loaded files: one `Tls` and its clones.
impl PartialEq for Tls {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.config, &other.config)
    }
}

impl Eq for Tls {}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("roots", &self.roots)
            .field("client_certificate", &self.client_certificate)
            .finish()
    }
}

impl Tls {
    /// Reads the CA file and, when both are given, the link's own
    /// certificate (chain) and private key. An error names the file that
    /// is missing, holds no PEM certificate or key, holds one that does
    /// not parse, or a key that is not the certificate's.
    pub fn load(
        ca: &std::path::Path,
        client: Option<(&std::path::Path, &std::path::Path)>,
    ) -> Result<Self> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let read = |path: &std::path::Path| {
            std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))
        };
        let certificates = |path: &std::path::Path| -> Result<Vec<CertificateDer<'static>>> {
            let certs = CertificateDer::pem_slice_iter(&read(path)?)
                .collect::<Result<Vec<_>, _>>()
                .with_context(|| format!("{}: not PEM", path.display()))?;
            if certs.is_empty() {
                bail!("{}: no PEM certificate in it", path.display());
            }
            Ok(certs)
        };
        let mut roots = rustls::RootCertStore::empty();
        for cert in certificates(ca)? {
            roots
                .add(cert)
                .with_context(|| format!("{}: a certificate that does not parse", ca.display()))?;
        }
        let count = roots.len();
        let builder = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .context("TLS: no protocol version")?
            .with_root_certificates(roots);
        let config = match client {
            None => builder.with_no_client_auth(),
            Some((cert, key)) => {
                let chain = certificates(cert)?;
                let key_der = PrivateKeyDer::from_pem_slice(&read(key)?).map_err(|e| match e {
                    rustls::pki_types::pem::Error::NoItemsFound => {
                        anyhow::anyhow!("{}: no PEM key in it", key.display())
                    }
                    e => anyhow::anyhow!("{}: not PEM ({e})", key.display()),
                })?;
                builder
                    .with_client_auth_cert(chain, key_der)
                    .with_context(|| {
                        format!(
                            "{} and {}: not a certificate and its key",
                            cert.display(),
                            key.display()
                        )
                    })?
            }
        };
        Ok(Self {
            config: Arc::new(config),
            roots: count,
            client_certificate: client.is_some(),
        })
    }
}

/// rustls's cryptography: *ring*, chosen here rather than left to the
/// process default, which rustls cannot choose (and then stops every link
/// at its first connection) once any dependency enables a second
/// provider. rustls marks it deprecated for want of post-quantum key
/// exchange; its alternative, aws-lc-rs, is a C library built with
/// CMake at every clean build, a cost the firmware teams' and testers'
/// machines would pay for a link inside the zone's network.
#[allow(deprecated)]
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl Broker {
    /// `brokers`, each with `tls`. An error when `tls` is given and a
    /// broker is `mqtt://` (a plain link its user believes secure), or a
    /// broker is `mqtts://` and no `tls` is given.
    pub fn with_tls(brokers: Vec<Broker>, tls: Option<Tls>) -> Result<Vec<Broker>> {
        let secure = brokers.iter().filter(|b| b.secure).count();
        match tls {
            None => {
                if let Some(b) = brokers.iter().find(|b| b.secure) {
                    bail!(
                        "{b}: TLS needs --tls-ca FILE (the CA that signed the broker's certificate)"
                    );
                }
                Ok(brokers)
            }
            Some(tls) => {
                if secure < brokers.len() {
                    let plain = brokers.iter().find(|b| !b.secure).map(ToString::to_string);
                    bail!(
                        "{}: --tls-ca is for TLS, and this broker is not mqtts://",
                        plain.unwrap_or_default()
                    );
                }
                let tls = Arc::new(tls);
                Ok(brokers
                    .into_iter()
                    .map(|b| Broker {
                        tls: Some(tls.clone()),
                        ..b
                    })
                    .collect())
            }
        }
    }
}

impl std::str::FromStr for Broker {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Self> {
        let (secure, rest) = match s.strip_prefix("mqtts://") {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix("mqtt://").unwrap_or(s)),
        };
        let scheme = if secure { "mqtts" } else { "mqtt" };
        let rest = rest.trim_end_matches('/');
        let (credentials, rest) = match rest.rsplit_once('@') {
            Some((user, rest)) => {
                let (user, password) = match user.split_once(':') {
                    Some((u, p)) => (u.to_string(), p.to_string()),
                    None => (
                        user.to_string(),
                        std::env::var("HITGATE_MQTT_PASSWORD").map_err(|_| {
                            anyhow::anyhow!(
                                "{scheme}://{user}@...: no password in the address and none in HITGATE_MQTT_PASSWORD"
                            )
                        })?,
                    ),
                };
                if user.is_empty() {
                    bail!("{scheme}://...@{rest}: an empty user name");
                }
                (Some((user, password)), rest)
            }
            None => (None, rest),
        };
        let Some((host, port)) = rest.rsplit_once(':') else {
            bail!("{s}: expected mqtt://HOST:PORT or mqtts://HOST:PORT");
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
            secure,
            tls: None,
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
        let scheme = if self.secure { "mqtts" } else { "mqtt" };
        match &self.credentials {
            Some((user, _)) => write!(f, "{scheme}://{user}@{}:{}", self.host, self.port),
            None => write!(f, "{scheme}://{}:{}", self.host, self.port),
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
        if let Some(b) = brokers.iter().find(|b| b.secure && b.tls.is_none()) {
            bail!("{b}: TLS needs a CA (--tls-ca FILE)");
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
        if let Some(tls) = broker.tls.as_deref().filter(|_| broker.secure) {
            options.set_transport(Transport::tls_with_config(TlsConfiguration::Rustls(
                tls.config.clone(),
            )));
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
            "mqtts://host",
        ] {
            assert!(bad.parse::<Broker>().is_err(), "{bad}");
        }
        let b: Broker = "mqtts://unit-1:secret@broker.zone:8883".parse().unwrap();
        assert!(b.secure && b.tls.is_none());
        assert_eq!((b.host.as_str(), b.port), ("broker.zone", 8883));
        assert_eq!(b.to_string(), "mqtts://unit-1@broker.zone:8883");
        assert!(!"mqtt://h:1".parse::<Broker>().unwrap().secure);
    }

    #[test]
    fn tls_goes_to_secure_brokers_only_and_a_secure_one_needs_it() {
        let b = |s: &str| s.parse::<Broker>().unwrap();
        let tls = Tls {
            config: Arc::new(
                rustls::ClientConfig::builder_with_provider(provider())
                    .with_safe_default_protocol_versions()
                    .unwrap()
                    .with_root_certificates(rustls::RootCertStore::empty())
                    .with_no_client_auth(),
            ),
            roots: 0,
            client_certificate: false,
        };
        // A secure broker without a CA, and a CA for a plain broker, are
        // refused with the broker named.
        let e = Broker::with_tls(vec![b("mqtts://a:1")], None).unwrap_err();
        assert!(
            e.to_string().contains("mqtts://a:1") && e.to_string().contains("--tls-ca"),
            "{e}"
        );
        let e = Broker::with_tls(vec![b("mqtts://a:1"), b("mqtt://b:2")], Some(tls.clone()))
            .unwrap_err();
        assert!(e.to_string().starts_with("mqtt://b:2"), "{e}");
        let Err(e) = Link::start(&[b("mqtts://a:1")], "x", vec![]) else {
            panic!("a secure broker without TLS started");
        };
        assert!(e.to_string().contains("--tls-ca"), "{e}");
        // Every node of a secure cluster gets it; plain ones stay plain.
        let nodes =
            Broker::with_tls(vec![b("mqtts://a:1"), b("mqtts://b:2")], Some(tls.clone())).unwrap();
        assert!(nodes.iter().all(|n| n.tls.as_deref() == Some(&tls)));
        let plain = Broker::with_tls(vec![b("mqtt://a:1")], None).unwrap();
        assert!(plain[0].tls.is_none() && !plain[0].secure);
    }

    #[test]
    fn tls_files_say_which_is_missing_or_holds_no_pem() {
        // Certificates and keys that parse: `tests/uplink.rs`, made by
        // openssl; here the files that are wrong before any parsing.
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        let junk = dir.path().join("junk.pem");
        std::fs::write(
            &ca,
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        std::fs::write(&junk, "not a certificate").unwrap();
        let e = format!("{:#}", Tls::load(&ca, None).unwrap_err());
        assert!(e.contains("ca.pem") && e.contains("does not parse"), "{e}");
        let e = Tls::load(&junk, None).unwrap_err().to_string();
        assert!(
            e.contains("junk.pem") && e.contains("no PEM certificate"),
            "{e}"
        );
        let e = Tls::load(&dir.path().join("absent.pem"), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("absent.pem") && e.contains("cannot read"), "{e}");
        std::fs::write(&junk, "-----BEGIN CERTIFICATE-----\nMIIB\n").unwrap();
        let e = Tls::load(&junk, None).unwrap_err().to_string();
        assert!(e.contains("junk.pem") && e.contains("not PEM"), "{e}");
    }
}
