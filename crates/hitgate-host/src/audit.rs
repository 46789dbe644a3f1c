//! The central side's check of each unit's audit chain
//! ([`hitgate_core::chain`]) and signed status messages, for `hitgate
//! listen`.
//!
//! Hits arrive in delivery order (dispatch first, then priority), not in
//! sequence order, so the chain is checked over what has arrived, in
//! sequence order, whenever the report is made: each hit's `prev` against
//! the link of the hit received before it. What it finds:
//!
//! - **break**: two consecutive sequence numbers of one boot whose links do
//!   not join: a hit altered, injected or swapped between unit and here;
//! - **gap**: sequence numbers missing and the chain not joining across
//!   them: hits the unit linked that never arrived (displaced or expired
//!   in the unit, counted in its status, or lost on the way);
//! - **unlinked**: sequence numbers missing and the chain joining across
//!   them: hits the unit refused when its outbox was full (counted as
//!   evicted), never part of the chain;
//! - **restart**: a hit linked to the chain's beginning that is not the
//!   first: the unit's outbox started blank (a unit replaced or erased
//!   under the same id, or run without its state), with boots of its own;
//! - **head**: the unit's signed status names a newest link that is not the
//!   one computed here for that sequence number: the hit was altered;
//! - **bad-signature**, **unknown-unit**: a status whose signature does not
//!   verify with the unit's key, or a unit the key file does not name.
//!
//! A hit altered or injected anywhere before the newest hit a signed
//! status covers is found; one after it, when the next status arrives.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, anyhow};
use hitgate_core::chain::{self, GENESIS, Link, link_of_message};
use hitgate_core::signed::{VerifyingKey, verify_status};
use hitgate_core::uplink::StatusRecord;
use hitgate_core::wire::HitRecord;
use serde::{Deserialize, Serialize};

/// The units' public keys, from a TOML file: `[units]` then `"id" =
/// "<64 hex digits>"` per unit.
#[derive(Debug, Clone, Default)]
pub struct UnitKeys(BTreeMap<String, VerifyingKey>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysFile {
    units: BTreeMap<String, String>,
}

impl UnitKeys {
    /// Reads a key file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let f: KeysFile = toml::from_str(&text)
            .with_context(|| format!("{}: not a unit key file", path.display()))?;
        let mut keys = BTreeMap::new();
        for (unit, hex) in f.units {
            let key = crate::signed_file::parse_public(&hex).ok_or_else(|| {
                anyhow!(
                    "{}: unit {unit:?}: not an Ed25519 public key in hex",
                    path.display()
                )
            })?;
            keys.insert(unit, key);
        }
        Ok(Self(keys))
    }

    /// The key of a unit.
    pub fn get(&self, unit: &str) -> Option<&VerifyingKey> {
        self.0.get(unit)
    }

    /// The units with a key.
    pub fn units(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

/// Something the check found.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Finding {
    /// `break`, `gap`, `unlinked`, `restart`, `head`, `bad-signature`,
    /// `unknown-unit`.
    pub kind: String,
    /// The last sequence number before it that is fine (if any).
    pub after: Option<u64>,
    /// The sequence number where it shows.
    pub at: u64,
    /// What it means.
    pub detail: String,
}

/// Per unit: what the check says.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ChainReport {
    /// Hits whose link was checked against the one before.
    pub linked: u64,
    /// The newest hit a verified status covers, and whether its link
    /// matches.
    pub head: Option<(u64, bool)>,
    /// Status messages whose signature verified.
    pub statuses_verified: u64,
    /// Findings, in sequence order.
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Default)]
struct UnitChain {
    /// Per sequence number: the link before (as sent) and the link
    /// computed here.
    hits: BTreeMap<u64, (Link, Link)>,
    /// The newest verified status's chain head.
    head: Option<(u64, Link)>,
    statuses_verified: u64,
    /// Status findings (signature, unknown unit).
    status_findings: Vec<Finding>,
}

/// The check over every unit.
#[derive(Debug, Default)]
pub struct Audit {
    keys: Option<UnitKeys>,
    units: BTreeMap<String, UnitChain>,
}

fn hex(l: &Link) -> String {
    l.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses a link as the archive writes it (64 hex digits).
pub fn parse_link(s: &str) -> Option<Link> {
    crate::signed_file::unhex32(s)
}

/// What the check says of one arriving message, for the line written to
/// the archive.
#[derive(Debug, Clone, Serialize)]
pub struct Mark {
    /// The link before, as sent (hex).
    pub prev: String,
    /// The link computed here (hex).
    pub link: String,
    /// `false` when keys are checked and the unit has none.
    pub known: bool,
}

impl Audit {
    /// A check; with `keys`, status signatures are verified and units
    /// without a key reported.
    pub fn new(keys: Option<UnitKeys>) -> Self {
        Self {
            keys,
            units: BTreeMap::new(),
        }
    }

    /// Records a hit message (the first of its sequence number only).
    pub fn hit(&mut self, unit: &str, seq: u64, prev: &Link, hit: &HitRecord<'_>) -> Mark {
        let link = link_of_message(prev, seq, hit).unwrap_or(GENESIS);
        self.record(unit, seq, *prev, link);
        let known = self.keys.as_ref().is_none_or(|k| k.get(unit).is_some());
        if !known {
            self.unknown(unit, seq);
        }
        Mark {
            prev: hex(prev),
            link: hex(&link),
            known,
        }
    }

    /// Reports a unit the key file does not name, once.
    fn unknown(&mut self, unit: &str, at: u64) {
        let u = self.units.entry(unit.to_string()).or_default();
        if u.status_findings.iter().all(|f| f.kind != "unknown-unit") {
            u.status_findings.push(Finding {
                kind: "unknown-unit".into(),
                after: None,
                at,
                detail: format!(
                    "unit {unit:?} is not in the key file: its messages are kept, marked"
                ),
            });
        }
    }

    /// The link computed for the first hit received under `seq`.
    pub fn link(&self, unit: &str, seq: u64) -> Option<Link> {
        self.units.get(unit)?.hits.get(&seq).map(|&(_, link)| link)
    }

    /// Records a hit read back from the archive.
    pub fn record(&mut self, unit: &str, seq: u64, prev: Link, link: Link) {
        self.units
            .entry(unit.to_string())
            .or_default()
            .hits
            .entry(seq)
            .or_insert((prev, link));
    }

    /// Records a status message; the verdict on its signature (`None`
    /// without keys).
    pub fn status(&mut self, s: &StatusRecord<'_>) -> Option<bool> {
        let keys = self.keys.as_ref()?;
        let Some(key) = keys.get(s.unit).copied() else {
            self.unknown(s.unit, s.chain_seq.unwrap_or(0));
            return Some(false);
        };
        let u = self.units.entry(s.unit.to_string()).or_default();
        let finding = |kind: &str, detail: String| Finding {
            kind: kind.into(),
            after: None,
            at: s.chain_seq.unwrap_or(0),
            detail,
        };
        if !verify_status(s, &key) {
            u.status_findings.push(finding(
                "bad-signature",
                format!(
                    "a status of boot {} at clock {} does not verify with the unit's key{}",
                    s.boot,
                    s.clock,
                    if s.signature.is_empty() {
                        " (unsigned)"
                    } else {
                        ""
                    }
                ),
            ));
            return Some(false);
        }
        u.statuses_verified += 1;
        if let Some(seq) = s.chain_seq
            && u.head.is_none_or(|(h, _)| seq >= h)
        {
            u.head = Some((seq, s.chain));
        }
        Some(true)
    }

    /// The check of every unit, over what has arrived.
    pub fn report(&self) -> BTreeMap<String, ChainReport> {
        self.units
            .iter()
            .map(|(unit, u)| (unit.clone(), check(u)))
            .collect()
    }
}

fn check(u: &UnitChain) -> ChainReport {
    let mut r = ChainReport {
        statuses_verified: u.statuses_verified,
        ..ChainReport::default()
    };
    let hits = u.hits.iter().map(|(&seq, &(prev, link))| (seq, prev, link));
    let mut findings = Vec::new();
    r.linked = chain::check(hits, |f| findings.push(f));
    r.findings = findings
        .into_iter()
        .map(|f| match f {
            chain::Finding::Break { after, at } => Finding {
                kind: "break".into(),
                after: Some(after),
                at,
                detail: "consecutive hits whose links do not join: one was altered, injected or swapped".into(),
            },
            chain::Finding::Gap { after: None, at } => Finding {
                kind: "gap".into(),
                after: None,
                at,
                detail: "the first hit received is not the unit's first: earlier linked hits never arrived".into(),
            },
            chain::Finding::Gap { after, at } => Finding {
                kind: "gap".into(),
                after,
                at,
                detail: "hits the unit linked never arrived (displaced or expired in the unit, or lost on the way)".into(),
            },
            chain::Finding::Unlinked { after, at } => Finding {
                kind: "unlinked".into(),
                after: Some(after),
                at,
                detail: format!(
                    "{} numbers missing and the chain joins: hits the unit refused when its outbox was full",
                    at - after - 1
                ),
            },
            chain::Finding::Restart { after, at } => Finding {
                kind: "restart".into(),
                after: Some(after),
                at,
                detail: "a second chain of the unit begins here: an outbox started blank under its id (a unit replaced or erased, or run without its state); what the one before it never sent is not known here".into(),
            },
            other => Finding {
                kind: "other".into(),
                after: None,
                at: 0,
                detail: format!("{other:?}"),
            },
        })
        .collect();
    if let Some((seq, want)) = u.head {
        match u.hits.get(&seq) {
            Some(&(_, got)) => {
                r.head = Some((seq, got == want));
                if got != want {
                    r.findings.push(Finding {
                        kind: "head".into(),
                        after: None,
                        at: seq,
                        detail: "the unit's signed newest link is not the link of the hit received: it was altered".into(),
                    });
                }
            }
            None => {
                r.head = Some((seq, false));
                r.findings.push(Finding {
                    kind: "gap".into(),
                    after: None,
                    at: seq,
                    detail: "the newest hit the unit's signed status names has not arrived".into(),
                });
            }
        }
    }
    r.findings.extend(u.status_findings.iter().cloned());
    r.findings.sort_by_key(|f| f.at);
    r
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is a failed test

    use hitgate_core::distance::Distance;
    use hitgate_core::hit::{Hit, Reason};
    use hitgate_core::list::{ListId, Priority};
    use hitgate_core::outbox::{Outbox, OutboxSlot};
    use hitgate_core::plate::Plate;
    use hitgate_core::policy::{Action, RuleId};
    use hitgate_core::read::CameraId;
    use hitgate_core::signed::{SigningKey, sign_status};
    use hitgate_core::uplink::{MAX_MESSAGE, Message, decode_message};
    use hitgate_core::watchlist::MatchKind;

    use super::*;

    const BOOT: u64 = 1 << 32;

    fn hit(n: u64) -> Hit {
        let plate = Plate::normalize(format!("1ABC{n:03}").as_bytes()).unwrap();
        Hit {
            seq: n as u32,
            time: 1_767_225_600_000 + n * 1000,
            camera: CameraId::new("cam-7").unwrap(),
            read: plate,
            reads: 3,
            listed: plate,
            country: None,
            list: ListId(1),
            priority: Priority::new((n % 3) as u8).unwrap(),
            kind: MatchKind::Exact,
            distance: Distance { ocr: 0, edits: 0 },
            action: Action::Dispatch,
            rule: RuleId::Rule(0),
            rule_tag: None,
            reason: Reason::Rule,
            late: false,
            version: 3,
            position: None,
        }
    }

    /// What a unit sends: `n` hit messages in delivery order (by
    /// priority, not sequence), and its status signed with `key`.
    fn unit_run(n: u64, key: &SigningKey) -> (Vec<Vec<u8>>, Vec<u8>) {
        let mut slots = vec![OutboxSlot::EMPTY; n as usize];
        let mut o = Outbox::new(&mut slots);
        for i in 0..n {
            o.push(&hit(i), BOOT | i).unwrap();
        }
        let mut buf = [0u8; MAX_MESSAGE];
        let mut msgs = Vec::new();
        while let Some((seq, m)) = o.next_message("rsu-7", &mut buf).unwrap() {
            msgs.push(m.to_vec());
            o.mark_sent(seq);
        }
        let (chain_seq, chain) = o.head();
        let mut status = StatusRecord {
            unit: "rsu-7",
            boot: 1,
            next_seq: BOOT | n,
            chain_seq,
            chain,
            ..StatusRecord::default()
        };
        let sig = sign_status(&status, key).unwrap();
        status.signature = &sig;
        let frame = hitgate_core::uplink::encode_message(&Message::Status(status), &mut buf)
            .unwrap()
            .to_vec();
        (msgs, frame)
    }

    fn keys(key: &SigningKey) -> UnitKeys {
        UnitKeys(
            [("rsu-7".to_string(), key.verifying_key())]
                .into_iter()
                .collect(),
        )
    }

    /// Feeds messages to a check; its findings as (kind, after, at).
    fn check_of(
        msgs: &[Vec<u8>],
        status: &[u8],
        keys: Option<UnitKeys>,
    ) -> (ChainReport, Vec<(String, Option<u64>, u64)>) {
        let mut a = Audit::new(keys);
        let mut seen = std::collections::BTreeSet::new();
        for m in msgs.iter().chain([&status.to_vec()]) {
            let mut m = m.clone();
            match decode_message(&mut m).unwrap() {
                Message::Hit {
                    unit,
                    seq,
                    hit,
                    prev,
                } => {
                    // The listener keeps the first message of a number.
                    if seen.insert(seq) {
                        a.hit(unit, seq, &prev, &hit);
                    }
                }
                Message::Status(s) => {
                    a.status(&s);
                }
                Message::Ack { .. } => {}
            }
        }
        let r = a.report().remove("rsu-7").unwrap();
        let f = r
            .findings
            .iter()
            .map(|f| (f.kind.clone(), f.after.map(|s| s - BOOT), f.at - BOOT))
            .collect();
        (r, f)
    }

    fn seq_of(m: &[u8]) -> u64 {
        let mut m = m.to_vec();
        match decode_message(&mut m).unwrap() {
            Message::Hit { seq, .. } => seq,
            _ => panic!("not a hit"),
        }
    }

    /// The message of hit `seq`, re-encoded after `change`.
    fn tampered(
        msgs: &[Vec<u8>],
        seq: u64,
        change: impl FnOnce(&mut u64, &mut hitgate_core::wire::HitRecord<'_>),
    ) -> Vec<u8> {
        let m = msgs.iter().find(|m| seq_of(m) == BOOT | seq).unwrap();
        let mut m = m.clone();
        let Message::Hit {
            unit,
            mut seq,
            mut hit,
            prev,
        } = decode_message(&mut m).unwrap()
        else {
            panic!("not a hit");
        };
        change(&mut seq, &mut hit);
        let mut buf = [0u8; MAX_MESSAGE];
        hitgate_core::uplink::encode_message(
            &Message::Hit {
                unit,
                seq,
                hit,
                prev,
            },
            &mut buf,
        )
        .unwrap()
        .to_vec()
    }

    #[test]
    fn an_untouched_stream_checks_out_in_any_arrival_order() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let (msgs, status) = unit_run(8, &key);
        // Delivery order is by priority: not the sequence order.
        let order: Vec<u64> = msgs.iter().map(|m| seq_of(m) - BOOT).collect();
        assert_ne!(order, (0..8).collect::<Vec<_>>());
        let (r, f) = check_of(&msgs, &status, Some(keys(&key)));
        assert_eq!(f, vec![]);
        assert_eq!(
            (r.linked, r.head, r.statuses_verified),
            (8, Some((BOOT | 7, true)), 1)
        );
        let mut reversed = msgs.clone();
        reversed.reverse();
        assert_eq!(check_of(&reversed, &status, Some(keys(&key))).1, vec![]);
    }

    #[test]
    fn a_dropped_message_is_a_gap() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let (mut msgs, status) = unit_run(8, &key);
        msgs.retain(|m| seq_of(m) != BOOT | 4);
        let (_, f) = check_of(&msgs, &status, Some(keys(&key)));
        assert_eq!(f, vec![("gap".into(), Some(3), 5)]);
        // The last one dropped: the signed status names it.
        let (mut msgs, status) = unit_run(8, &key);
        msgs.retain(|m| seq_of(m) != BOOT | 7);
        let (_, f) = check_of(&msgs, &status, Some(keys(&key)));
        assert_eq!(f, vec![("gap".into(), None, 7)]);
    }

    #[test]
    fn an_altered_message_breaks_the_chain() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let (mut msgs, status) = unit_run(8, &key);
        let changed = tampered(&msgs, 2, |_, h| h.listed = "1XYZ999");
        msgs.retain(|m| seq_of(m) != BOOT | 2);
        msgs.push(changed);
        let (_, f) = check_of(&msgs, &status, Some(keys(&key)));
        assert_eq!(f, vec![("break".into(), Some(2), 3)]);
        // The newest altered: only the signed status tells.
        let (mut msgs, status) = unit_run(8, &key);
        let changed = tampered(&msgs, 7, |_, h| h.priority = 0);
        msgs.retain(|m| seq_of(m) != BOOT | 7);
        msgs.push(changed);
        let (_, f) = check_of(&msgs, &status, Some(keys(&key)));
        assert_eq!(f, vec![("head".into(), None, 7)]);
    }

    #[test]
    fn reordered_numbers_and_an_injected_message_break_the_chain() {
        let key = SigningKey::from_bytes(&[3; 32]);
        // Hits 3 and 4 swap numbers.
        let (mut msgs, status) = unit_run(8, &key);
        let three = tampered(&msgs, 3, |s, _| *s = BOOT | 4);
        let four = tampered(&msgs, 4, |s, _| *s = BOOT | 3);
        msgs.retain(|m| ![BOOT | 3, BOOT | 4].contains(&seq_of(m)));
        msgs.extend([three, four]);
        let (_, f) = check_of(&msgs, &status, Some(keys(&key)));
        assert_eq!(
            f,
            vec![
                ("break".into(), Some(2), 3),
                ("break".into(), Some(3), 4),
                ("break".into(), Some(4), 5)
            ]
        );
        // A forged hit under number 5, arriving before the unit's own.
        let (mut msgs, status) = unit_run(8, &key);
        let forged = tampered(&msgs, 5, |_, h| h.read = "9FAKE99");
        msgs.insert(0, forged);
        let (_, f) = check_of(&msgs, &status, Some(keys(&key)));
        assert_eq!(f, vec![("break".into(), Some(5), 6)]);
    }

    #[test]
    fn a_status_signed_with_another_key_or_from_an_unknown_unit_is_flagged() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let other = SigningKey::from_bytes(&[4; 32]);
        let (msgs, status) = unit_run(4, &other);
        let (r, f) = check_of(&msgs, &status, Some(keys(&key)));
        assert_eq!(f, vec![("bad-signature".into(), None, 3)]);
        assert_eq!((r.statuses_verified, r.head), (0, None));
        let strangers = UnitKeys(
            [("rsu-8".to_string(), key.verifying_key())]
                .into_iter()
                .collect(),
        );
        let (_, f) = check_of(&msgs, &status, Some(strangers));
        assert_eq!(f, vec![("unknown-unit".into(), None, 0)]);
        // Without keys the chain is still checked, the status not.
        let (r, f) = check_of(&msgs, &status, None);
        assert_eq!((f, r.linked, r.head), (vec![], 4, None));
    }
}
