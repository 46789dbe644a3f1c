//! Real brokers on loopback ports for the tests: Mosquitto, and a
//! three-node NATS cluster with JetStream and its MQTT listener; the
//! child processes and their standard error.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// One test at a time: they time outages against each other's brokers
/// otherwise, on a two-core machine.
pub(crate) static SERIAL: Mutex<()> = Mutex::new(());

pub(crate) fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn need(program: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "{program} is not installed: ./ci.sh installs it (Debian package)"
    );
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `N` distinct free ports: each is held until all are taken, so no two
/// are the same (ports taken one after another can be).
pub(crate) fn free_ports<const N: usize>() -> [u16; N] {
    let held: Vec<TcpListener> = (0..N)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    core::array::from_fn(|i| held[i].local_addr().unwrap().port())
}

pub(crate) fn wait_port(port: u16, within: Duration) {
    assert!(port_up(port, within), "nothing listens on {port}");
}

/// Does something listen on `port` within `within`?
fn port_up(port: u16, within: Duration) -> bool {
    let end = Instant::now() + within;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() >= end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A child process killed when dropped.
pub(crate) struct Proc(pub(crate) Child);

impl Proc {
    pub(crate) fn spawn(c: &mut Command) -> Self {
        Self(c.spawn().unwrap())
    }

    /// SIGTERM, and wait.
    pub(crate) fn stop(mut self) {
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }

    /// SIGKILL, and wait.
    pub(crate) fn kill(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    pub(crate) fn wait_ok(mut self, what: &str) {
        let status = self.0.wait().unwrap();
        assert!(status.success(), "{what}: {status}");
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Mosquitto on a loopback port, persistent (sessions and queued
/// messages survive its restart, as a zone would run it).
pub(crate) struct Mosquitto {
    pub(crate) port: u16,
    conf: PathBuf,
}

impl Mosquitto {
    pub(crate) fn new(dir: &Path) -> Self {
        Self::configured(dir, "mosquitto", "allow_anonymous true\n")
    }

    /// A broker in `dir/NAME` with `access` (its authentication and
    /// access control lines).
    pub(crate) fn configured(dir: &Path, name: &str, access: &str) -> Self {
        need("mosquitto");
        let port = free_port();
        let data = dir.join(name);
        std::fs::create_dir_all(&data).unwrap();
        let conf = dir.join(format!("{name}.conf"));
        std::fs::write(
            &conf,
            format!(
                "listener {port} 127.0.0.1\n{access}persistence true\n\
                 persistence_location {}/\nautosave_interval 1\nmax_queued_messages 100000\n",
                data.display()
            ),
        )
        .unwrap();
        Self { port, conf }
    }

    /// A broker that knows `users` (name, password) and lets each unit
    /// publish only under its own topics and read only its own acks; the
    /// user `listener` reads every unit's hits and status and writes acks.
    pub(crate) fn with_acl(dir: &Path, users: &[(&str, &str)]) -> Self {
        need("mosquitto_passwd");
        let passwd = dir.join("passwd");
        for (i, (user, password)) in users.iter().enumerate() {
            let mut c = Command::new("mosquitto_passwd");
            c.arg("-b");
            if i == 0 {
                c.arg("-c");
            }
            let ok = c.arg(&passwd).args([user, password]).status().unwrap();
            assert!(ok.success(), "mosquitto_passwd");
        }
        let acl = write_acl(dir);
        Self::configured(
            dir,
            "mosquitto-acl",
            &format!(
                "allow_anonymous false\npassword_file {}\nacl_file {}\n",
                passwd.display(),
                acl.display()
            ),
        )
    }

    /// The address with a user's name and password.
    pub(crate) fn url_as(&self, user: &str, password: &str) -> String {
        format!("mqtt://{user}:{password}@127.0.0.1:{}", self.port)
    }

    /// A broker that speaks TLS only, with the server certificate of
    /// `pki`, asks every client for a certificate its CA signed, and
    /// takes the certificate's name as the client's user name for the
    /// ACL of [`Mosquitto::with_acl`] (no passwords). Started as root,
    /// Mosquitto reads its key after it has become the `mosquitto` user,
    /// who cannot enter the test's private directory: `user root` keeps
    /// it root (an unprivileged run ignores it).
    pub(crate) fn with_tls(dir: &Path, pki: &Pki) -> Self {
        let acl = write_acl(dir);
        Self::configured(
            dir,
            "mosquitto-tls",
            &format!(
                "user root\nallow_anonymous false\ncafile {}\ncertfile {}\nkeyfile {}\n\
                 require_certificate true\nuse_identity_as_username true\nacl_file {}\n",
                pki.ca.display(),
                pki.server.0.display(),
                pki.server.1.display(),
                acl.display()
            ),
        )
    }

    pub(crate) fn start(&self) -> Proc {
        let p = Proc::spawn(
            Command::new("mosquitto")
                .arg("-c")
                .arg(&self.conf)
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        wait_port(self.port, Duration::from_secs(10));
        p
    }

    pub(crate) fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.port)
    }
}

/// Three NATS servers in one cluster, JetStream and MQTT on each. A QoS 1
/// message whose client's connection broke before it acknowledged it goes
/// again after the MQTT `ack_wait`: 5 s here rather than NATS's 30, so a
/// recipient that lost its connection while the gate changed hands has
/// everything well within the tests' wait.
pub(crate) struct Nats {
    pub(crate) mqtt: [u16; 3],
    confs: Vec<PathBuf>,
}

impl Nats {
    pub(crate) fn new(dir: &Path) -> Self {
        need("nats-server");
        let [c0, c1, c2, r0, r1, r2, m0, m1, m2] = free_ports::<9>();
        let (client, cluster, mqtt) = ([c0, c1, c2], [r0, r1, r2], [m0, m1, m2]);
        let routes: Vec<String> = cluster
            .iter()
            .map(|p| format!("nats://127.0.0.1:{p}"))
            .collect();
        let confs = (0..3)
            .map(|i| {
                let store = dir.join(format!("n{i}"));
                std::fs::create_dir_all(&store).unwrap();
                let conf = dir.join(format!("n{i}.conf"));
                std::fs::write(
                    &conf,
                    format!(
                        "server_name: n{i}\nlisten: 127.0.0.1:{}\n\
                         jetstream {{ store_dir: \"{}\" }}\n\
                         cluster {{ name: hitgate, listen: 127.0.0.1:{}, routes: [{}] }}\n\
                         mqtt {{ listen: 127.0.0.1:{}, ack_wait: \"5s\" }}\n",
                        client[i],
                        store.display(),
                        cluster[i],
                        routes.join(", "),
                        mqtt[i]
                    ),
                )
                .unwrap();
                conf
            })
            .collect();
        Self { mqtt, confs }
    }

    pub(crate) fn start(&self, i: usize) -> Proc {
        // Its log beside its configuration, appended over restarts, and
        // shown when it does not come up.
        let log_path = self.confs[i].with_extension("log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap();
        let p = Proc::spawn(
            Command::new("nats-server")
                .arg("-c")
                .arg(&self.confs[i])
                .stdout(Stdio::null())
                .stderr(log),
        );
        // A node alone waits for its peers before it answers MQTT; on a
        // loaded machine that took more than 20 s once.
        if !port_up(self.mqtt[i], Duration::from_secs(60)) {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(20).collect();
            panic!(
                "NATS node {i} does not listen on MQTT port {} after 60 s; its log ends:\n{}",
                self.mqtt[i],
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        p
    }

    pub(crate) fn url(&self, i: usize) -> String {
        format!("mqtt://127.0.0.1:{}", self.mqtt[i])
    }
}

pub(crate) fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

pub(crate) fn json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Spawns with standard error read line by line: each line is passed on
/// and echoed with the seconds since the start (shown if the test fails).
pub(crate) fn spawn_watching(c: &mut Command) -> (Proc, mpsc::Receiver<String>) {
    let mut child = c.stderr(Stdio::piped()).spawn().unwrap();
    let err = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            // Shown when the test fails.
            eprintln!("[{:6.1} s] {line}", start.elapsed().as_secs_f64());
            let _ = tx.send(line);
        }
    });
    (Proc(child), rx)
}

pub(crate) fn wait_line(rx: &mpsc::Receiver<String>, needle: &str, within: Duration) {
    let end = Instant::now() + within;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) if l.contains(needle) => return,
            Ok(_) => {}
            Err(_) => panic!("no line with {needle:?} within {within:?}"),
        }
    }
}

/// The ACL of the brokers that know who each client is: the user
/// `listener` reads every unit's hits and status and writes acks; any
/// other user, a unit, publishes only under its own topics and reads
/// only its own acks.
fn write_acl(dir: &Path) -> PathBuf {
    let acl = dir.join("acl");
    std::fs::write(
        &acl,
        "user listener\ntopic read hitgate/+/hit\ntopic read hitgate/+/status\n\
         topic write hitgate/+/ack\n\n\
         pattern write hitgate/%u/hit\npattern write hitgate/%u/status\npattern read hitgate/%u/ack\n",
    )
    .unwrap();
    acl
}

/// `hitgate gate` on `url` with `policy`, its state, report
/// (`gate.json`) and decisions (`decisions.jsonl`) in `dir`, stopping
/// after `idle` seconds without a message.
pub(crate) fn gate_command(url: &str, policy: &Path, dir: &Path, idle: u32) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hitgate"));
    c.args(["gate", "--mqtt", url, "--policy"])
        .arg(policy)
        .arg("--state")
        .arg(dir.join("gate-state.json"))
        .arg("--report")
        .arg(dir.join("gate.json"))
        .arg("--out")
        .arg(dir.join("decisions.jsonl"))
        .args(["--idle-exit", &idle.to_string()])
        .stdout(Stdio::null());
    c
}

/// Certificates made with `openssl` for one test: a CA, the broker's
/// certificate for 127.0.0.1, a unit's (named `u-tls`) and the
/// listener's (`listener`), signed by the CA, and a second CA that
/// signed none. Each pair is (certificate, key).
pub(crate) struct Pki {
    pub(crate) ca: PathBuf,
    pub(crate) server: (PathBuf, PathBuf),
    pub(crate) client: (PathBuf, PathBuf),
    pub(crate) listener: (PathBuf, PathBuf),
    pub(crate) other_ca: PathBuf,
}

impl Pki {
    pub(crate) fn new(dir: &Path) -> Self {
        need("openssl");
        let dir = dir.join("pki");
        std::fs::create_dir_all(&dir).unwrap();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(&dir)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let p256 = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        for ca in ["ca", "other-ca"] {
            let (pem, key, subj) = (
                format!("{ca}.pem"),
                format!("{ca}.key"),
                format!("/CN=hitgate test {ca}"),
            );
            let mut a = vec![
                "req", "-x509", "-days", "2", "-subj", &subj, "-keyout", &key, "-out", &pem,
            ];
            a.extend(p256);
            openssl(&a);
        }
        // Version 3 certificates, the only ones rustls takes: each with
        // an extension.
        for (name, subj, ext) in [
            ("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1"),
            ("client", "/CN=u-tls", "extendedKeyUsage=clientAuth"),
            ("listener", "/CN=listener", "extendedKeyUsage=clientAuth"),
        ] {
            let (csr, key, pem) = (
                format!("{name}.csr"),
                format!("{name}.key"),
                format!("{name}.pem"),
            );
            let mut a = vec![
                "req", "-subj", subj, "-addext", ext, "-keyout", &key, "-out", &csr,
            ];
            a.extend(p256);
            openssl(&a);
            openssl(&[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-copy_extensions",
                "copy",
                "-out",
                &pem,
            ]);
        }
        let at = |f: &str| dir.join(f);
        Self {
            ca: at("ca.pem"),
            server: (at("server.pem"), at("server.key")),
            client: (at("client.pem"), at("client.key")),
            listener: (at("listener.pem"), at("listener.key")),
            other_ca: at("other-ca.pem"),
        }
    }
}

/// A TCP relay on a loopback port to `port` that keeps every byte it
/// passes, both ways: what anyone on the path between a unit and its
/// broker would see.
pub(crate) struct Tap {
    pub(crate) port: u16,
    seen: std::sync::Arc<Mutex<Vec<u8>>>,
}

impl Tap {
    pub(crate) fn new(port: u16) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
        let tap = Self {
            port: listener.local_addr().unwrap().port(),
            seen: seen.clone(),
        };
        // Ends with the test process.
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(broker) = TcpStream::connect(("127.0.0.1", port)) else {
                    continue;
                };
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), broker.try_clone().unwrap()),
                    (broker, client),
                ] {
                    let seen = seen.clone();
                    std::thread::spawn(move || {
                        use std::io::{Read, Write};
                        let mut buf = [0u8; 4096];
                        while let Ok(n) = from.read(&mut buf) {
                            if n == 0 || to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                            seen.lock().unwrap().extend_from_slice(&buf[..n]);
                        }
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
            }
        });
        tap
    }

    /// Every byte passed so far, both ways, in arrival order.
    pub(crate) fn seen(&self) -> Vec<u8> {
        self.seen.lock().unwrap().clone()
    }
}
