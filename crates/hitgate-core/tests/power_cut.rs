//! The flash outbox under power cuts: sequential-storage's mock flash
//! cuts the power after N bytes written or erased, for every N across a
//! scenario's writes. After the restart no hit whose write completed is
//! lost, nothing is corrupted, the counters are within the cut operation's
//! bounds and the sequence never goes back.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeMap;

use hitgate_core::chain;
use hitgate_core::distance::Distance;
use hitgate_core::hit::{Hit, Reason};
use hitgate_core::list::{ListId, Priority};
use hitgate_core::outbox::{OutboxCounters, OutboxSlot, Pushed};
use hitgate_core::plate::Plate;
use hitgate_core::policy::{Action, RuleId};
use hitgate_core::read::CameraId;
use hitgate_core::store::{FlashOutbox, StoreError, block_on};
use hitgate_core::watchlist::MatchKind;
use sequential_storage::cache::Cache;
use sequential_storage::mock_flash::{MockFlashBase, WriteCountCheck};

/// 4 pages of 1 KiB, 4-byte words: small, so that the scenario wraps it.
type Flash = MockFlashBase<4, 4, 256>;
const SLOTS: usize = 8;
const RANGE: core::ops::Range<u32> = 0..4 * 1024;
const DAY: u64 = 86_400_000;

fn hit(n: u64, priority: u8, dispatch: bool, time: u64) -> Hit {
    let plate = format!("1ABC{n:03}");
    Hit {
        seq: n as u32,
        time,
        camera: CameraId::new("cam-7").unwrap(),
        read: Plate::normalize(plate.as_bytes()).unwrap(),
        reads: 1,
        listed: Plate::normalize(plate.as_bytes()).unwrap(),
        country: None,
        list: ListId(1),
        priority: Priority::new(priority).unwrap(),
        kind: MatchKind::Exact,
        distance: Distance { ocr: 0, edits: 0 },
        action: if dispatch {
            Action::Dispatch
        } else {
            Action::Review
        },
        rule: RuleId::Rule(0),
        rule_tag: None,
        reason: Reason::Rule,
        late: false,
        version: 3,
        position: None,
    }
}

#[derive(Clone)]
enum Op {
    Push(Hit),
    /// Acknowledge the hits pushed as the `a`-th to the `b`-th of the run.
    Ack(usize, usize),
    Expire(u64),
    Restart,
}

/// Pushes past the outbox's size (evictions, refusals), acknowledgements
/// in and out of order, retention purges and restarts, four rounds: enough
/// to wrap the flash and make the map collect its garbage.
fn scenario() -> Vec<Op> {
    let mut ops = Vec::new();
    let mut n = 0;
    let mut push = |ops: &mut Vec<Op>, p: u8, d: bool, t: u64| {
        n += 1;
        ops.push(Op::Push(hit(n, p, d, t)));
    };
    for round in 0..4u64 {
        let base = round as usize * 20;
        let t0 = round * 60 * DAY;
        for i in 0..6 {
            push(&mut ops, (i % 3) as u8, i % 2 == 0, t0 + DAY + i * 1000);
        }
        ops.push(Op::Ack(base + 1, base + 2));
        ops.push(Op::Restart);
        for i in 0..8 {
            push(
                &mut ops,
                [2, 1, 0, 2][i % 4],
                i % 3 != 0,
                t0 + 2 * DAY + i as u64 * 1000,
            );
        }
        ops.push(Op::Ack(base, base));
        ops.push(Op::Ack(base + 5, base + 9));
        ops.push(Op::Expire(t0 + 33 * DAY));
        for i in 0..6 {
            push(&mut ops, 0, true, t0 + 40 * DAY + i * 1000);
        }
        if round % 2 == 1 {
            ops.push(Op::Restart);
        }
        ops.push(Op::Ack(base + 10, base + 30));
    }
    ops
}

/// What the outbox holds after an operation.
#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    hits: BTreeMap<u64, Vec<u8>>,
    counters: OutboxCounters,
    next_seq: u64,
}

fn snapshot(o: &Outbox<'_>) -> Snapshot {
    Snapshot {
        hits: o.outbox().waiting().map(|(s, f)| (s, f.to_vec())).collect(),
        counters: *o.outbox().counters(),
        next_seq: o.next_seq(),
    }
}

type Outbox<'a> = FlashOutbox<
    'a,
    &'a mut Flash,
    Cache<
        sequential_storage::cache::Uncached,
        sequential_storage::cache::Uncached,
        sequential_storage::cache::Uncached,
        u16,
    >,
>;

fn open<'a>(flash: &'a mut Flash, slots: &'a mut [OutboxSlot]) -> Result<Outbox<'a>, String> {
    block_on(FlashOutbox::open(
        flash,
        RANGE,
        Cache::new_uncached(),
        slots,
        1,
    ))
    .map(|(o, _)| o)
    .map_err(|e: StoreError<_>| e.to_string())
}

/// Runs the scenario with the power cut after `cut` bytes (or never):
/// the snapshot after each completed operation (the opening first), and
/// the index of the operation the cut stopped, if any.
fn run(flash: &mut Flash, cut: Option<u32>) -> (Vec<Snapshot>, Option<usize>) {
    flash.bytes_until_shutoff = cut;
    let mut slots = [const { OutboxSlot::EMPTY }; SLOTS];
    let mut snaps = Vec::new();
    let mut pushed: Vec<u64> = Vec::new();
    let ops = scenario();
    // Index 0 is the opening; operation i is step i + 1.
    let mut o = match open(flash, &mut slots) {
        Ok(o) => o,
        Err(_) => return (snaps, Some(0)),
    };
    snaps.push(snapshot(&o));
    for (i, op) in ops.iter().enumerate() {
        let step = i + 1;
        let ok = match op {
            Op::Push(h) => block_on(o.push(h)).map(|(seq, _)| pushed.push(seq)).is_ok(),
            Op::Ack(a, b) => {
                let from = pushed.get(*a).copied().unwrap_or(u64::MAX);
                let to = pushed.get(*b).or(pushed.last()).copied().unwrap_or(0);
                block_on(o.ack(from, to)).is_ok()
            }
            Op::Expire(now) => block_on(o.expire(*now, 30 * DAY)).is_ok(),
            Op::Restart => {
                let (f, slots) = o.into_parts();
                match open(f, slots) {
                    Ok(again) => {
                        o = again;
                        true
                    }
                    Err(_) => return (snaps, Some(step)),
                }
            }
        };
        if !ok {
            return (snaps, Some(step));
        }
        snaps.push(snapshot(&o));
    }
    (snaps, None)
}

#[test]
fn the_scenario_itself_evicts_acks_expires_and_restarts() {
    let mut flash = Flash::new(WriteCountCheck::OnceOnly, None, true);
    let (snaps, cut) = run(&mut flash, None);
    assert_eq!(cut, None);
    let last = snaps.last().unwrap();
    // Counted by hand from `scenario`: 20 hits into 8 slots.
    assert!(last.counters.evicted >= 1, "{last:?}");
    assert!(last.counters.expired >= 1, "{last:?}");
    // Boot 7 after six restarts; the first boot numbers from 1 << 32.
    assert_eq!(last.next_seq >> 32, 7);
    assert_eq!(snaps[1].hits.keys().next(), Some(&(1u64 << 32)));
    // The restart changes nothing but the boot.
    let restarts: Vec<usize> = scenario()
        .iter()
        .enumerate()
        .filter(|(_, op)| matches!(op, Op::Restart))
        .map(|(i, _)| i + 1)
        .collect();
    for r in restarts {
        assert_eq!(snaps[r].hits, snaps[r - 1].hits);
        assert_eq!(snaps[r].counters.evicted, snaps[r - 1].counters.evicted);
        assert_eq!(snaps[r].counters.expired, snaps[r - 1].counters.expired);
        assert_eq!(snaps[r].next_seq >> 32, (snaps[r - 1].next_seq >> 32) + 1);
    }
}

#[test]
fn a_priority_zero_hit_survives_a_full_outbox_of_lower_ones() {
    let mut flash = Flash::new(WriteCountCheck::OnceOnly, None, true);
    let mut slots = [const { OutboxSlot::EMPTY }; SLOTS];
    let mut o = open(&mut flash, &mut slots).unwrap();
    let (p0, _) = block_on(o.push(&hit(0, 0, false, DAY))).unwrap();
    for n in 1..40 {
        let (_, pushed) = block_on(o.push(&hit(n, 1 + (n % 2) as u8, true, DAY + n))).unwrap();
        assert!(
            !matches!(pushed, Pushed::Displaced(s) if s == p0),
            "{pushed:?}"
        );
        assert_eq!(
            pushed == Pushed::Stored,
            n < SLOTS as u64,
            "{n}: {pushed:?}"
        );
    }
    assert!(o.outbox().waiting().any(|(s, _)| s == p0));
    assert_eq!(o.outbox().counters().evicted, 40 - SLOTS as u64);
    // And it is still there after a restart, with the count.
    let (f, slots) = o.into_parts();
    let o = open(f, slots).unwrap();
    assert!(o.outbox().waiting().any(|(s, _)| s == p0));
    assert_eq!(o.outbox().counters().evicted, 40 - SLOTS as u64);
}

#[test]
fn a_cut_after_any_byte_loses_no_completed_write() {
    let mut reference = Flash::new(WriteCountCheck::OnceOnly, None, true);
    let blank = reference.stats_snapshot();
    let (snaps, _) = run(&mut reference, None);
    let stats = blank.compare_to(reference.stats_snapshot());
    // Every byte written or erased is one step of the countdown.
    let total = stats.bytes_written + stats.erases * 1024;
    assert!(total > 10_000, "{stats:?}");
    let step = std::env::var("POWER_CUT_STEP")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let ops = scenario();
    let mut cuts = 0;
    for n in (0..total as u32).step_by(step) {
        let mut flash = Flash::new(WriteCountCheck::OnceOnly, None, true);
        let (got, stopped) = run(&mut flash, Some(n));
        let Some(k) = stopped else { continue };
        cuts += 1;
        // Up to the cut, the run is the reference run.
        assert_eq!(got[..], snaps[..k], "cut at {n}");
        let before = k.checked_sub(1).map(|i| &snaps[i]);
        let after = &snaps[k];
        flash.bytes_until_shutoff = None;
        let mut slots = [const { OutboxSlot::EMPTY }; SLOTS];
        let o = open(&mut flash, &mut slots).unwrap_or_else(|e| panic!("cut at {n}: {e}"));
        let now = snapshot(&o);
        for (seq, frame) in &now.hits {
            // Nothing that was not written: each hit is one of those
            // before or after the cut operation, byte for byte.
            let known = before.and_then(|b| b.hits.get(seq)).or(after.hits.get(seq));
            assert_eq!(Some(frame), known, "cut at {n} in step {k}: hit {seq:#x}");
        }
        if let Some(b) = before {
            // Nothing lost that the cut operation would have kept.
            for seq in b.hits.keys().filter(|s| after.hits.contains_key(s)) {
                assert!(
                    now.hits.contains_key(seq),
                    "cut at {n} in step {k}: lost {seq:#x}"
                );
            }
            // Every hit gone is acknowledged or counted: outside an
            // acknowledgement, the counters grew by at least as many.
            let gone = b.hits.keys().filter(|s| !now.hits.contains_key(s)).count() as u64;
            let counted = (now.counters.evicted - b.counters.evicted)
                + (now.counters.expired - b.counters.expired);
            if !matches!(ops[k - 1], Op::Ack(..)) {
                assert!(
                    gone <= counted,
                    "cut at {n} in step {k}: {gone} gone, {counted} counted"
                );
            }
            // The sequence goes on past anything the cut step numbered.
            assert!(now.next_seq > b.next_seq, "cut at {n}");
            for (c, lo, hi) in [
                (
                    now.counters.evicted,
                    b.counters.evicted,
                    after.counters.evicted,
                ),
                (
                    now.counters.expired,
                    b.counters.expired,
                    after.counters.expired,
                ),
            ] {
                assert!(
                    (lo..=hi).contains(&c),
                    "cut at {n} in step {k}: {c} not in {lo}..={hi}"
                );
            }
        }
        // And the flash takes more.
        let mut o = o;
        block_on(o.push(&hit(999, 0, true, 50 * DAY))).unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(cuts > 1000, "only {cuts} cuts");
    eprintln!("{cuts} power cuts over {total} bytes written or erased");
}

/// The bytes `docs/wire-format.md` ("The outbox on flash") gives for each
/// map item, read back with sequential-storage's own map API: the state
/// record, a slot holding a hit, a freed slot.
#[test]
fn the_flash_items_hold_the_documented_bytes() {
    use hitgate_core::wire::{MAX_FRAME, encode_hit};
    use sequential_storage::map::{MapConfig, MapStorage};

    let mut flash = Flash::new(WriteCountCheck::Twice, None, true);
    let mut slots = vec![OutboxSlot::EMPTY; SLOTS];
    let (first, second) = (hit(1, 0, true, 1_000), hit(2, 1, true, 2_000));
    {
        let (mut o, _) = block_on(FlashOutbox::open(
            &mut flash,
            RANGE,
            Cache::new_uncached(),
            &mut slots,
            1,
        ))
        .unwrap();
        let (s1, _) = block_on(o.push(&first)).unwrap();
        let (s2, _) = block_on(o.push(&second)).unwrap();
        block_on(o.set_list_version(9)).unwrap();
        // Boot 1, numbers 0 and 1 of this boot.
        assert_eq!((s1, s2), (1 << 32, (1 << 32) + 1));
        assert_eq!(block_on(o.ack(s1, s1)).unwrap(), 1);
    }
    let mut map: MapStorage<u16, _, _> = MapStorage::new(
        &mut flash,
        MapConfig::try_new(RANGE).unwrap(),
        Cache::new_uncached(),
    );
    let mut buf = [0u8; 256];
    let mut fetch = |key: u16| -> Vec<u8> {
        block_on(map.fetch_item::<&[u8]>(&mut buf, &key))
            .unwrap()
            .unwrap()
            .to_vec()
    };
    // State: version 2, boot 1, nothing evicted, nothing expired, lists
    // version 9, no image refused.
    let mut state = vec![0x02, 1, 0, 0, 0];
    state.extend([0; 16]);
    state.extend([9, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(fetch(0xFFFF), state);
    // The first hit went into slot 0 and was acknowledged: free (one byte:
    // it was not the chain's newest, the second is).
    let mut f1 = [0u8; MAX_FRAME];
    let f1 = encode_hit(&first, &mut f1).unwrap();
    let l1 = chain::link(&chain::GENESIS, 1 << 32, f1);
    assert_eq!(fetch(0), [0x00]);
    // The second is in slot 1: tag, its sequence number, the link before
    // it (the first's), its frame.
    let mut frame = [0u8; MAX_FRAME];
    let frame = encode_hit(&second, &mut frame).unwrap();
    let mut slot = vec![0x02, 1, 0, 0, 0, 1, 0, 0, 0];
    slot.extend_from_slice(&l1);
    slot.extend_from_slice(frame);
    assert_eq!(fetch(1), slot);
}

/// The version of the lists in force and the refusal count come back
/// after a restart, so an image older than the one in force is refused
/// after a power cut too; a state of version 1 reads as no lists yet.
#[test]
fn the_lists_version_and_refusals_survive_a_restart() {
    use sequential_storage::map::{MapConfig, MapStorage};
    let mut flash = Flash::new(WriteCountCheck::Twice, None, true);
    let mut slots = vec![OutboxSlot::EMPTY; SLOTS];
    {
        let mut o = open(&mut flash, &mut slots).unwrap();
        assert_eq!((o.list_version(), o.refused()), (0, 0));
        block_on(o.set_list_version(41)).unwrap();
        block_on(o.count_refused()).unwrap();
        block_on(o.count_refused()).unwrap();
    }
    {
        let o = open(&mut flash, &mut slots).unwrap();
        assert_eq!((o.boot(), o.list_version(), o.refused()), (2, 41, 2));
    }
    // The chain's newest link comes back too, whether its hit is still
    // held or was acknowledged, and the next hit links to it.
    let head = {
        let mut o = open(&mut flash, &mut slots).unwrap();
        let (s1, _) = block_on(o.push(&hit(1, 1, true, 1_000))).unwrap();
        let (s2, _) = block_on(o.push(&hit(2, 1, true, 2_000))).unwrap();
        block_on(o.ack(s2, s2)).unwrap();
        assert_eq!(o.outbox().head().0, Some(s2));
        assert_ne!(s1, s2);
        o.outbox().head()
    };
    // The newest freed: its slot keeps its number and link.
    {
        let mut map: MapStorage<u16, _, _> = MapStorage::new(
            &mut flash,
            MapConfig::try_new(RANGE).unwrap(),
            Cache::new_uncached(),
        );
        let mut buf = [0u8; 256];
        let mut found = false;
        for key in 0..SLOTS as u16 {
            if let Some(v) = block_on(map.fetch_item::<&[u8]>(&mut buf, &key)).unwrap()
                && v.len() == 41
            {
                assert_eq!((v[0], &v[9..]), (0x00, &head.1[..]));
                found = true;
            }
        }
        assert!(found, "no freed slot holds the newest link");
    }
    {
        let mut o = open(&mut flash, &mut slots).unwrap();
        assert_eq!(o.outbox().head(), head);
        let (s3, _) = block_on(o.push(&hit(3, 1, true, 3_000))).unwrap();
        let mut f3 = [0u8; hitgate_core::wire::MAX_FRAME];
        let f3 = hitgate_core::wire::encode_hit(&hit(3, 1, true, 3_000), &mut f3).unwrap();
        assert_eq!(o.outbox().head(), (Some(s3), chain::link(&head.1, s3, f3)));
    }
    // A version 1 state record (boot 7, 3 evicted, 4 expired), as an
    // earlier build wrote it.
    let mut old = Flash::new(WriteCountCheck::Twice, None, true);
    {
        let mut map: MapStorage<u16, _, _> = MapStorage::new(
            &mut old,
            MapConfig::try_new(RANGE).unwrap(),
            Cache::new_uncached(),
        );
        let mut v1 = vec![0x01, 7, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4];
        v1.extend([0; 7]);
        let mut buf = [0u8; 256];
        block_on(map.store_item(&mut buf, &0xFFFFu16, &v1.as_slice())).unwrap();
    }
    let o = open(&mut old, &mut slots).unwrap();
    assert_eq!((o.boot(), o.list_version(), o.refused()), (8, 0, 0));
    let c = o.outbox().counters();
    assert_eq!((c.evicted, c.expired), (3, 4));
}

/// A unit that was off for longer than the retention deletes, at its first
/// expiry after the restart, what aged out meanwhile, and the deletion is
/// on flash: after another restart those hits are gone and counted.
#[test]
fn retention_holds_across_a_restart() {
    let mut flash = Flash::new(WriteCountCheck::Twice, None, true);
    let mut slots = vec![OutboxSlot::EMPTY; SLOTS];
    let t = 10 * DAY;
    {
        let mut o = open(&mut flash, &mut slots).unwrap();
        block_on(o.push(&hit(1, 1, true, t))).unwrap();
        block_on(o.push(&hit(2, 1, true, t + 20 * DAY))).unwrap();
    }
    {
        // Back 31 days after the first hit: it aged out while off.
        let mut o = open(&mut flash, &mut slots).unwrap();
        assert_eq!(o.outbox().len(), 2);
        let gone = block_on(o.expire(t + 31 * DAY, 30 * DAY)).unwrap();
        assert_eq!(gone, 1);
    }
    let o = open(&mut flash, &mut slots).unwrap();
    assert_eq!(o.outbox().len(), 1);
    assert_eq!(o.outbox().counters().expired, 1);
    assert_eq!(o.outbox().oldest(), Some(t + 20 * DAY));
}

/// A blank outbox counts its boots from the first boot given, so that a
/// unit that starts again blank under the same id never numbers a hit as
/// an earlier outbox of it did (the central side would drop it as a
/// copy); a restart goes on from the flash's own count; and an outbox
/// whose state record is gone numbers above every hit it still holds.
#[test]
fn boots_count_from_the_first_boot_given_and_never_below_a_held_hit() {
    use sequential_storage::map::{MapConfig, MapStorage};
    let mut slots = vec![OutboxSlot::EMPTY; SLOTS];
    let open_at = |flash: &mut Flash, slots: &mut [OutboxSlot], first: u32| {
        let (o, _) = block_on(FlashOutbox::open(
            flash,
            RANGE,
            Cache::new_uncached(),
            slots,
            first,
        ))
        .unwrap();
        (o.boot(), o.next_seq())
    };
    // Blank, at 700: boot 700, numbers from 700 << 32. Started again: 701,
    // whatever first boot is given then.
    let mut flash = Flash::new(WriteCountCheck::Twice, None, true);
    assert_eq!(open_at(&mut flash, &mut slots, 700), (700, 700 << 32));
    assert_eq!(open_at(&mut flash, &mut slots, 5).0, 701);
    // 0 is taken as 1, as `open` does.
    let mut blank = Flash::new(WriteCountCheck::Twice, None, true);
    assert_eq!(open_at(&mut blank, &mut slots, 0).0, 1);

    // Two hits numbered in boot 3; then the state record is removed, as
    // damage would: the next boot is 4, not the first boot given (2).
    let mut flash = Flash::new(WriteCountCheck::Twice, None, true);
    {
        let (mut o, _) = block_on(FlashOutbox::open(
            &mut flash,
            RANGE,
            Cache::new_uncached(),
            &mut slots,
            3,
        ))
        .unwrap();
        let (s1, _) = block_on(o.push(&hit(1, 1, true, 1_000))).unwrap();
        let (s2, _) = block_on(o.push(&hit(2, 1, true, 2_000))).unwrap();
        assert_eq!((s1, s2), (3 << 32, (3 << 32) + 1));
        // The newest acknowledged: only its freed slot keeps its number.
        block_on(o.ack(s2, s2)).unwrap();
    }
    {
        let mut map: MapStorage<u16, _, _> = MapStorage::new(
            &mut flash,
            MapConfig::try_new(RANGE).unwrap(),
            Cache::new_uncached(),
        );
        let mut buf = [0u8; 256];
        block_on(map.remove_item(&mut buf, &0xFFFF)).unwrap();
        assert!(
            block_on(map.fetch_item::<&[u8]>(&mut buf, &0xFFFF))
                .unwrap()
                .is_none()
        );
    }
    assert_eq!(open_at(&mut flash, &mut slots, 2), (4, 4 << 32));
}
