//! Load for `hitgate gate`, for BENCHMARKS.md (`examples/gate-bench.sh`
//! runs it; not a test: the figures are measurements).
//!
//! ```text
//! gate_load PORT UNITS HITS PLATES RATE
//! ```
//!
//! Plays `UNITS` units on a broker at `127.0.0.1:PORT`: `HITS` hits in
//! all, round robin over the units, on `PLATES` listed plates (so most
//! hits after the first `PLATES` are repeats across units), published at
//! `RATE` hits a second (0: as fast as the client goes). A recipient
//! `room` subscribes to `hitgate/dispatch/room`. Prints one JSON line:
//! decisions received, decisions a second (from the first publication to
//! the last decision), and the latency from a hit's publication to its
//! decision's arrival (median, p99, ms).

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hitgate_core::policy::{Action, Rule};
use hitgate_core::uplink::{MAX_MESSAGE, Message, encode_message};
use hitgate_core::wire::{HitRecord, WIRE_VERSION};
use rumqttc::{Client, Event, MqttOptions, Packet, QoS};

fn arg(args: &[String], i: usize) -> u64 {
    args.get(i).and_then(|a| a.parse().ok()).unwrap_or_else(|| {
        eprintln!("usage: gate_load PORT UNITS HITS PLATES RATE");
        std::process::exit(2)
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (port, units, hits, plates, rate) = (
        arg(&args, 1) as u16,
        arg(&args, 2),
        arg(&args, 3),
        arg(&args, 4),
        arg(&args, 5),
    );
    // The recipient.
    let (tx, rx) = mpsc::channel::<(String, Instant)>();
    let (ready_tx, ready) = mpsc::channel();
    {
        let mut o = MqttOptions::new("bench-room", "127.0.0.1", port);
        o.set_clean_session(true)
            .set_max_packet_size(1 << 16, 1 << 16);
        let (client, mut conn) = Client::new(o, 1024);
        std::thread::spawn(move || {
            for e in conn.iter() {
                match e {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        let _ = client.try_subscribe("hitgate/dispatch/room", QoS::AtLeastOnce);
                    }
                    Ok(Event::Incoming(Packet::SubAck(_))) => {
                        let _ = ready_tx.send(());
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        #[derive(serde::Deserialize)]
                        struct D {
                            unit: String,
                            seq: u64,
                        }
                        if let Ok(d) = serde_json::from_slice::<D>(&p.payload) {
                            let _ = tx.send((format!("{}/{}", d.unit, d.seq), Instant::now()));
                        }
                    }
                    Ok(_) => {}
                    Err(_) => std::thread::sleep(Duration::from_millis(100)),
                }
            }
        });
    }
    if ready.recv_timeout(Duration::from_secs(10)).is_err() {
        eprintln!("gate_load: no broker on {port}");
        std::process::exit(1);
    }
    // The units: one connection publishes for all of them (the gate sees
    // topics and unit ids, not connections).
    let mut o = MqttOptions::new("bench-units", "127.0.0.1", port);
    o.set_clean_session(true).set_inflight(200);
    let (client, mut conn) = Client::new(o, 4096);
    std::thread::spawn(move || for _ in conn.iter() {});
    let mut sent: BTreeMap<String, Instant> = BTreeMap::new();
    let mut buf = [0u8; MAX_MESSAGE];
    let start = Instant::now();
    let t0 = 1_767_600_000_000u64;
    for n in 0..hits {
        if rate > 0 {
            let due = start + Duration::from_secs_f64(n as f64 / rate as f64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        let unit = format!("u-{:02}", n % units);
        let plate = format!("1BEN{:03}", n % plates);
        let listed = format!("{}{}", &plate[..4], &plate[4..]);
        let seq = (1u64 << 32) | (n / units);
        let hit = HitRecord {
            wire_version: WIRE_VERSION,
            seq: (n / units) as u32,
            // One hit every 100 ms of event time: 20,000 hits span 33
            // minutes, inside one re-alert window.
            time: t0 + n * 100,
            camera: &unit,
            read: &plate,
            reads: 2,
            listed: &listed,
            country: "BE",
            list: 0,
            priority: 1,
            kind: 0,
            ocr: 0,
            edits: 0,
            action: 2,
            rule: 0,
            reason: 0,
            late: false,
            list_version: 1,
            position: None,
            // The bench's one rule.
            rule_tag: Some(Rule::new("all", Action::Dispatch).tag()),
        };
        let m = Message::Hit {
            unit: &unit,
            seq,
            hit,
            prev: [0; 32],
        };
        let Ok(frame) = encode_message(&m, &mut buf) else {
            continue;
        };
        let topic = format!("hitgate/{unit}/hit");
        sent.insert(format!("{unit}/{seq}"), Instant::now());
        if client
            .publish(topic, QoS::AtLeastOnce, false, frame.to_vec())
            .is_err()
        {
            eprintln!("gate_load: the client's queue is gone");
            std::process::exit(1);
        }
    }
    let mut lat = Vec::new();
    let mut last = start;
    while lat.len() < hits as usize {
        let Ok((key, at)) = rx.recv_timeout(Duration::from_secs(20)) else {
            break;
        };
        if let Some(t) = sent.get(&key) {
            lat.push(at.duration_since(*t).as_secs_f64() * 1000.0);
            last = last.max(at);
        }
    }
    lat.sort_by(f64::total_cmp);
    let q = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    let secs = last.duration_since(start).as_secs_f64();
    println!(
        "{{\"hits\":{hits},\"units\":{units},\"plates\":{plates},\"rate\":{rate},\"decisions\":{},\"per_second\":{:.0},\"latency_median_ms\":{:.2},\"latency_p99_ms\":{:.2}}}",
        lat.len(),
        lat.len() as f64 / secs,
        q(0.5),
        q(0.99)
    );
}
