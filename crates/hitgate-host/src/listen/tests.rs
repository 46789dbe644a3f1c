use super::*;

#[test]
fn consecutive_sequence_numbers_make_one_range() {
    let s: BTreeSet<u64> = [1, 2, 3, 7, 9, 10, u64::MAX].into_iter().collect();
    assert_eq!(
        ranges(&s),
        vec![(1, 3), (7, 7), (9, 10), (u64::MAX, u64::MAX)]
    );
}

#[test]
fn missing_numbers_are_found_per_boot() {
    let mut u = UnitState::new();
    for seq in [(1u64 << 32) | 1, (1 << 32) | 2, (1 << 32) | 5, (2 << 32)] {
        u.insert(seq);
    }
    assert_eq!(
        u.missing(),
        vec![
            Missing {
                boot: 1,
                from: 0,
                to: 0
            },
            Missing {
                boot: 1,
                from: 3,
                to: 4
            },
        ]
    );
}

/// Four hits of one boot, chained as a unit chains them, with event
/// times 40, 31, 29 and 1 days back (the second sent late), an
/// unreadable line, and a 30-day retention: the first two are purged,
/// the rest stay byte for byte, and read back the archive counts all
/// four, none missing, the chain whole.
#[test]
fn a_purge_keeps_the_chain_and_the_numbers_of_what_it_forgets() {
    use hitgate_core::chain::{GENESIS, link};
    let hex = |l: &[u8; 32]| l.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let day = 86_400_000;
    let now = now_ms();
    let mut prev = GENESIS;
    let mut lines = Vec::new();
    for (n, days) in [40u64, 31, 29, 1].into_iter().enumerate() {
        let seq = (1u64 << 32) | n as u64;
        let next = link(&prev, seq, format!("frame {n}").as_bytes());
        lines.push(format!(
            r#"{{"unit":"u1","seq":{seq},"boot":1,"n":{n},"received":{now},"hit":{{"time":{},"listed":"1ABC12{n}"}},"chain":{{"prev":"{}","link":"{}","known":true}}}}"#,
            now - days * day,
            hex(&prev),
            hex(&next)
        ));
        prev = next;
    }
    lines.insert(2, "{\"cut short".to_string());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("delivered.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();

    let mut units = BTreeMap::new();
    purge_file(&path, Duration::from_secs(30 * 86_400), &mut units).unwrap();
    assert_eq!(units["u1"].report.purged, 2);
    let text = std::fs::read_to_string(&path).unwrap();
    let after: Vec<&str> = text.lines().collect();
    assert_eq!(after.len(), 5);
    assert_eq!(
        after[2..],
        lines[2..].iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    for (i, l) in after[..2].iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(v.get("hit").is_none() && !l.contains("1ABC12"), "{l}");
        let old: serde_json::Value = serde_json::from_str(&lines[i]).unwrap();
        assert_eq!(v["chain"], old["chain"]);
        assert_eq!(v["seq"], old["seq"]);
    }
    // Again: nothing more to purge, the file as it was.
    purge_file(
        &path,
        Duration::from_secs(30 * 86_400),
        &mut BTreeMap::new(),
    )
    .unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);

    let mut units = BTreeMap::new();
    let mut audit = Audit::new(None);
    drop(open_out(&path, &mut units, &mut audit).unwrap());
    let r = report(&units, &audit, 0, 0);
    let u = &r.units["u1"];
    assert_eq!((u.delivered, u.purged, u.missing_count), (4, 2, 0));
    // Each joins the one before it, the first the genesis link.
    assert_eq!(u.chain.linked, 4, "{:?}", u.chain);
    assert!(u.chain.findings.is_empty(), "{:?}", u.chain.findings);
}

/// A hit of a unit whose clock was five years ahead, received 31 days
/// ago, is purged with a 30-day retention (it is as old as its
/// arrival); one received a day ago stays.
#[test]
fn a_hit_dated_ahead_is_as_old_as_its_arrival() {
    let day = 86_400_000;
    let now = now_ms();
    let line = |n: u64, received: u64| {
        format!(
            r#"{{"unit":"u1","seq":{},"boot":1,"n":{n},"received":{received},"hit":{{"time":{},"listed":"1ABC12{n}"}}}}"#,
            (1u64 << 32) | n,
            now + 5 * 365 * day
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("delivered.jsonl");
    std::fs::write(
        &path,
        [line(0, now - 31 * day), line(1, now - day)].join("\n") + "\n",
    )
    .unwrap();
    let mut units = BTreeMap::new();
    purge_file(&path, Duration::from_secs(30 * 86_400), &mut units).unwrap();
    assert_eq!(units["u1"].report.purged, 1);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains("1ABC120") && text.contains("1ABC121"),
        "{text}"
    );
}

/// A hit line as the listener writes it, `days` back, without a chain
/// when `chain` is false (an archive from before the audit chain).
fn hit_line(n: u64, days: u64, chain: bool) -> String {
    let now = now_ms();
    let seq = (1u64 << 32) | n;
    let chain = if chain {
        format!(
            r#","chain":{{"prev":"{}","link":"{}","known":true}}"#,
            "0".repeat(64),
            "1".repeat(64)
        )
    } else {
        String::new()
    };
    format!(
        r#"{{"unit":"u1","seq":{seq},"boot":1,"n":{n},"received":{now},"hit":{{"time":{},"listed":"1ABC12{n}"}}{chain}}}"#,
        now - days * 86_400_000
    )
}

/// The hourly purge of a running listener: a hit taken but still in
/// the write buffer when the purge starts is written before the purge
/// reads the file, and one taken after it lands in the new file, not
/// the replaced one. A 40-day-old hit without a chain is purged too.
#[test]
fn the_hourly_purge_loses_no_hit_taken_before_or_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("delivered.jsonl");
    std::fs::write(
        &path,
        format!("{}\n{}\n", hit_line(0, 40, false), hit_line(1, 2, true)),
    )
    .unwrap();
    let mut units = BTreeMap::new();
    let mut audit = Audit::new(None);
    let mut out = open_out(&path, &mut units, &mut audit).unwrap();
    // Taken before the purge (31 days back: purged), and one left in
    // the buffer (a day back: kept).
    writeln!(out, "{}", hit_line(2, 31, true)).unwrap();
    writeln!(out, "{}", hit_line(3, 1, true)).unwrap();
    purge_running(
        &mut out,
        &path,
        Duration::from_secs(30 * 86_400),
        &mut units,
    )
    .unwrap();
    writeln!(out, "{}", hit_line(4, 0, true)).unwrap();
    out.flush().unwrap();
    drop(out);

    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let n: Vec<u64> = lines.iter().map(|l| l["n"].as_u64().unwrap()).collect();
    assert_eq!(n, [0, 1, 2, 3, 4], "{text}");
    let purged: Vec<bool> = lines.iter().map(|l| l.get("hit").is_none()).collect();
    assert_eq!(purged, [true, false, true, false, false], "{text}");
    assert!(lines[0]["chain"].is_null() && lines[0]["purged"].is_u64());
    assert!(!text.contains("1ABC120") && !text.contains("1ABC122"));
    // Counted as the running listener's report counts them.
    assert_eq!(units["u1"].report.purged, 2);
}

/// An archive read back: one number written with two links (a unit
/// started blank again at boot 1), and the first of them again. Two
/// hits delivered, one renumbered; a hit with either link is a copy,
/// with a third link a hit to keep.
#[test]
fn a_number_written_with_two_links_reads_back_as_two_hits() {
    use hitgate_core::chain::{GENESIS, link};
    let hex = |l: &[u8; 32]| l.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let seq = 1u64 << 32;
    let (a, b, c) = (
        link(&GENESIS, seq, b"one"),
        link(&GENESIS, seq, b"two"),
        link(&GENESIS, seq, b"three"),
    );
    let line = |l: &[u8; 32], listed: &str| {
        format!(
            r#"{{"unit":"u1","seq":{seq},"boot":1,"n":0,"received":1,"hit":{{"time":1,"listed":"{listed}"}},"chain":{{"prev":"{}","link":"{}","known":true}}}}"#,
            hex(&GENESIS),
            hex(l)
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("delivered.jsonl");
    let text = [
        line(&a, "1ABC123"),
        line(&b, "2XYZ987"),
        line(&a, "1ABC123"),
    ]
    .join("\n");
    std::fs::write(&path, text + "\n").unwrap();
    let mut units = BTreeMap::new();
    let mut audit = Audit::new(None);
    drop(open_out(&path, &mut units, &mut audit).unwrap());
    let u = &units["u1"];
    assert_eq!((u.report.delivered, u.report.renumbered), (2, 1));
    let first = audit.link("u1", seq);
    assert_eq!(first, Some(a));
    assert!(u.written(seq, Some(a), first));
    assert!(u.written(seq, Some(b), first));
    assert!(!u.written(seq, Some(c), first));
    // An unknown number is not written, whatever its link.
    assert!(!u.written(seq + 1, Some(a), audit.link("u1", seq + 1)));
}

/// Statuses taken as the listener takes them from the broker: a unit's
/// signed status made with its clock 15 minutes behind gives the report's
/// offset; a status that does not verify (unsigned, its clock right) says
/// nothing of the clock when the units' keys are given, and counts when
/// they are not.
#[test]
fn a_units_status_gives_its_clock_offset_and_one_that_does_not_verify_does_not() {
    use ed25519_dalek::SigningKey;
    let key = SigningKey::from_bytes(&[7; 32]);
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("units.toml");
    let public: String = key
        .verifying_key()
        .to_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(&keys, format!("[units]\n\"rsu-7\" = \"{public}\"\n")).unwrap();
    let status = |clock: u64, signed: bool| {
        let mut s = StatusRecord {
            unit: "rsu-7",
            clock,
            boot: 1,
            ..StatusRecord::default()
        };
        let sig = hitgate_core::signed::sign_status(&s, &key).unwrap();
        if signed {
            s.signature = &sig;
        }
        let mut buf = [0u8; MAX_MESSAGE];
        encode_message(&Message::Status(s), &mut buf)
            .unwrap()
            .to_vec()
    };
    let offsets = |audit: &mut Audit| {
        let mut units = BTreeMap::new();
        let mut out = std::io::BufWriter::new(File::create(dir.path().join("out.jsonl")).unwrap());
        let before = now_ms();
        let topic = "hitgate/rsu-7/status";
        take(
            topic,
            &mut status(before - 900_000, true),
            &mut units,
            audit,
            &mut out,
        )
        .unwrap();
        take(
            topic,
            &mut status(now_ms(), false),
            &mut units,
            audit,
            &mut out,
        )
        .unwrap();
        let spent = now_ms() - before;
        let r = report(&units, audit, 0, 0);
        (r.units["rsu-7"].clock_offset_ms.unwrap(), spent)
    };
    let (keyed, spent) = offsets(&mut Audit::new(Some(UnitKeys::load(&keys).unwrap())));
    assert!(
        (900_000..=900_000 + spent as i64).contains(&keyed),
        "{keyed} ms, {spent} ms spent"
    );
    let (open, spent) = offsets(&mut Audit::new(None));
    assert!(
        (0..=spent as i64).contains(&open),
        "{open} ms, {spent} ms spent"
    );
}
