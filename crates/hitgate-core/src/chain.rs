//! The audit chain: every hit a unit stores for the uplink is linked to
//! the one it stored before, so that the central side can prove that no
//! hit was removed, altered, reordered or injected between the unit and
//! the archive.
//!
//! The link of hit `n` is `SHA-256(link(n - 1) ++ seq_le ++ frame)`: the
//! link before it ([`GENESIS`] for a unit's first hit), its delivery
//! sequence number as 8 little-endian bytes, and its hit frame
//! ([`wire::encode`](crate::wire::encode), delimiter included). Each `hit`
//! message carries the link before it (`prev`), so a receiver checks each
//! message against the one before it as soon as it has both, and computes
//! the link itself from what it received; each `status` message carries the
//! newest link and its sequence number, signed by the unit
//! (`signed::sign_status`, feature `trust`), so the receiver also knows
//! what it should have.
//!
//! Only stored hits are chained: a hit the outbox refused when full is
//! counted (`evicted`) and never linked, so a receiver sees its sequence
//! number missing and the chain joining across the gap, which a hit lost
//! on the way would not. The newest link survives a restart with the
//! outbox (`store`).
//!
//! ```
//! use hitgate_core::chain::{GENESIS, link};
//! let a = link(&GENESIS, 1, b"frame one");
//! let b = link(&a, 2, b"frame two");
//! assert_ne!(a, b);
//! assert_eq!(b, link(&link(&GENESIS, 1, b"frame one"), 2, b"frame two"));
//! ```

use sha2::{Digest, Sha256};

/// A link of the chain: a SHA-256 digest.
pub type Link = [u8; 32];

/// What a unit's first hit is linked to.
pub const GENESIS: Link = [0; 32];

/// The link of the hit numbered `seq` with this frame, after `prev`.
pub fn link(prev: &Link, seq: u64, frame: &[u8]) -> Link {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_le_bytes());
    h.update(frame);
    h.finalize().into()
}

/// The link of a hit as a receiver computes it from a `hit` message: the
/// record re-encoded as the unit's frame, after the message's `prev`.
pub fn link_of_message(
    prev: &Link,
    seq: u64,
    hit: &crate::wire::HitRecord<'_>,
) -> Result<Link, crate::wire::WireError> {
    let mut buf = [0u8; crate::wire::MAX_FRAME + 8];
    let frame = crate::wire::encode(hit, &mut buf)?;
    Ok(link(prev, seq, frame))
}

/// What [`check`] finds between two hits received, in sequence order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Finding {
    /// Consecutive numbers of one boot whose links do not join: a hit
    /// altered, injected or swapped on the way.
    Break {
        /// The hit before.
        after: u64,
        /// The hit whose `prev` does not match.
        at: u64,
    },
    /// Numbers missing and the chain not joining across them: hits the
    /// unit linked never arrived (displaced or expired in the unit, or
    /// lost). `after` is `None` when the first hit received is not the
    /// unit's first.
    Gap {
        /// The hit before, if any.
        after: Option<u64>,
        /// The hit after the gap.
        at: u64,
    },
    /// Numbers of one boot missing and the chain joining across them: hits
    /// the unit refused when its outbox was full, never linked.
    Unlinked {
        /// The hit before.
        after: u64,
        /// The hit after.
        at: u64,
    },
    /// A hit linked to [`GENESIS`] that is not the first received: a
    /// second chain of the unit, as an outbox that started blank under the
    /// same unit id begins one (a unit replaced or its flash erased, a
    /// simulator run without its state; `store` starts it at a boot of its
    /// own). Whatever the outbox before it never sent is not known here.
    Restart {
        /// The hit before, in sequence order (of the other chain).
        after: u64,
        /// The first hit of this chain.
        at: u64,
    },
}

/// Checks received hits, each as (sequence number, `prev` as sent, link
/// computed by the receiver), **in increasing sequence order**: each hit's
/// `prev` against the link of the hit before it. Every finding goes to
/// `report`; returns how many hits were linked to the one before (or to
/// [`GENESIS`] for a unit's first). A receiver runs it over what has
/// arrived whenever it reports, since hits arrive in delivery order, not
/// sequence order.
pub fn check(
    hits: impl IntoIterator<Item = (u64, Link, Link)>,
    mut report: impl FnMut(Finding),
) -> u64 {
    let mut linked = 0;
    let mut before: Option<(u64, Link)> = None;
    for (seq, prev, link) in hits {
        match before {
            None if prev == GENESIS => linked += 1,
            None => report(Finding::Gap {
                after: None,
                at: seq,
            }),
            Some((p, _)) if prev == GENESIS => {
                linked += 1;
                report(Finding::Restart { after: p, at: seq });
            }
            Some((p, plink)) => {
                let consecutive = p.checked_add(1) == Some(seq);
                let same_boot = p >> 32 == seq >> 32;
                match (plink == prev, consecutive) {
                    (true, true) => linked += 1,
                    (true, false) => {
                        linked += 1;
                        if same_boot {
                            report(Finding::Unlinked { after: p, at: seq });
                        }
                    }
                    (false, true) => report(Finding::Break { after: p, at: seq }),
                    (false, false) => report(Finding::Gap {
                        after: Some(p),
                        at: seq,
                    }),
                }
            }
        }
        before = Some((seq, link));
    }
    linked
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A known answer, from Python's hashlib:
    /// `sha256(bytes(32) + (1).to_bytes(8, 'little') + b'frame one')`.
    #[test]
    fn a_link_is_sha256_of_prev_seq_and_frame() {
        let want = "76f02e09963526729ea77cb51c03233a7e78fa99a6208bd1708213c1a2d5b2b4";
        let got = link(&GENESIS, 1, b"frame one");
        let hex: heapless::String<64> = got.iter().fold(heapless::String::new(), |mut s, b| {
            let _ = core::fmt::Write::write_fmt(&mut s, format_args!("{b:02x}"));
            s
        });
        assert_eq!(hex.as_str(), want);
    }

    /// Two outboxes of one unit, each a chain from GENESIS at a boot of
    /// its own: the second chain in sequence order is a restart, not hits
    /// lost; a hit of it whose `prev` is not GENESIS stays a gap.
    #[test]
    fn a_second_chain_from_genesis_is_a_restart_not_a_gap() {
        extern crate std;
        use std::vec::Vec;
        // (seq, prev, link) for `n` hits numbered from `first`.
        let chain = |first: u64, n: u64, start: Link| {
            let mut prev = start;
            (first..first + n)
                .map(|seq| {
                    let l = link(&prev, seq, &seq.to_le_bytes());
                    let hit = (seq, prev, l);
                    prev = l;
                    hit
                })
                .collect::<Vec<_>>()
        };
        let (a, b) = (9u64 << 32, 2u64 << 32);
        // Sorted by sequence: the outbox at boot 2 first, then boot 9's.
        let mut hits = chain(b, 3, GENESIS);
        hits.extend(chain(a, 2, GENESIS));
        let mut found = Vec::new();
        assert_eq!(check(hits.iter().copied(), |f| found.push(f)), 5);
        assert_eq!(
            found,
            [Finding::Restart {
                after: b + 2,
                at: a
            }]
        );
        // The same second chain, its first hit linked elsewhere: a gap.
        let mut hits = chain(b, 3, GENESIS);
        hits.extend(chain(a, 2, [7; 32]));
        let mut found = Vec::new();
        assert_eq!(check(hits.iter().copied(), |f| found.push(f)), 4);
        assert_eq!(
            found,
            [Finding::Gap {
                after: Some(b + 2),
                at: a
            }]
        );
    }

    /// The outbox links what it stores, the messages carry the links, a
    /// receiver recomputes them; a refused hit leaves the chain whole.
    #[test]
    fn the_outbox_chains_its_messages() {
        extern crate std;
        use crate::outbox::{Outbox, OutboxSlot, Pushed};
        use crate::uplink::{MAX_MESSAGE, Message, decode_message};
        let mut slots = [OutboxSlot::EMPTY, OutboxSlot::EMPTY];
        let mut o = Outbox::new(&mut slots);
        assert_eq!(o.head(), (None, GENESIS));
        let mut h = crate::wire::tests::hit();
        let mut links = std::vec::Vec::new();
        for seq in 1..=3u64 {
            h.priority = if seq == 3 {
                crate::list::Priority::P3
            } else {
                crate::list::Priority::P2
            };
            let pushed = o.push(&h, seq).unwrap();
            // The third, less important than both, gives way: not linked.
            assert_eq!(pushed == Pushed::Refused, seq == 3);
            links.push(o.head());
        }
        assert_eq!(links[2], links[1]);
        assert_eq!(links[1].0, Some(2));
        let mut buf = [0u8; MAX_MESSAGE];
        let mut prev = GENESIS;
        for seq in 1..=2u64 {
            let (s, frame) = o.next_message("rsu-7", &mut buf).unwrap().unwrap();
            assert_eq!(s, seq);
            let mut frame = frame.to_vec();
            let Ok(Message::Hit {
                seq, hit, prev: p, ..
            }) = decode_message(&mut frame)
            else {
                panic!("not a hit message");
            };
            assert_eq!(p, prev);
            prev = link_of_message(&p, seq, &hit).unwrap();
            o.mark_sent(seq);
        }
        assert_eq!(o.head(), (Some(2), prev));
    }
}
