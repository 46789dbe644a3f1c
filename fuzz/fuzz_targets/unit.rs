//! Arbitrary read streams through a small unit: never a panic, and the
//! counters always add up.
#![no_main]

use hitgate_core::confusion::ConfusionClasses;
use hitgate_core::distance::Tolerance;
use hitgate_core::hit::Outcome;
use hitgate_core::indicators::CameraStats;
use hitgate_core::list::{ListEntry, ListSpec, Priority};
use hitgate_core::passage::Passage;
use hitgate_core::plate::Plate;
use hitgate_core::policy::Policy;
use hitgate_core::read::Read;
use hitgate_core::recent::HeldFrame;
use hitgate_core::suppress::SuppressSlot;
use hitgate_core::unit::{Config, Tables, Unit};
use hitgate_core::watchlist::{Entry, WatchlistBuilder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut entries = [Entry::EMPTY; 8];
    let mut index = [0u32; 8];
    let mut b = WatchlistBuilder::new(&mut entries, &mut index, ConfusionClasses::default());
    let tol = Tolerance {
        ocr: 1,
        edits: 1,
        min_len: 3,
    };
    let Ok(list) = b.add_list(ListSpec {
        tolerance: tol,
        local: false,
        evidence: None,
    }) else {
        return;
    };
    for (plate, prio) in [
        ("1ABC234", Priority::P0),
        ("ABC123", Priority::P1),
        ("1LOC222", Priority::P2),
    ] {
        if let Ok(p) = Plate::normalize(plate.as_bytes()) {
            let _ = b.insert(ListEntry::new(p, None, prio, list));
        }
    }
    let Ok(wl) = b.build() else { return };
    let policy = Policy::brussels();
    let mut passages = [Passage::EMPTY; 2];
    let mut suppression = [SuppressSlot::EMPTY; 2];
    let mut cameras = [CameraStats::EMPTY; 2];
    let mut held = [HeldFrame::EMPTY; 2];
    let tables = Tables {
        passages: &mut passages,
        suppression: &mut suppression,
        cameras: &mut cameras,
        held: &mut held,
    };
    let mut unit = Unit::new(&wl, &policy, Config::default(), tables);
    let mut forwarded = 0u64;
    // Each read: 8 bytes of time, 2 of arrival offset, 1 camera, 1 plate length, the plate.
    let mut rest = data;
    while rest.len() >= 12 {
        let time = u64::from_le_bytes(rest[..8].try_into().unwrap_or([0; 8]));
        let offset = u64::from(u16::from_le_bytes([rest[8], rest[9]]));
        // Two long ids that the unit folds, sharing what a fold keeps.
        let camera = [
            "c1",
            "c2",
            "c3",
            "",
            "bxl-ring-north-anpr-cam-01",
            "bxl-ring-north-anpr-cam-02",
        ][usize::from(rest[10] % 6)];
        let len = usize::from(rest[11] % 12).min(rest.len() - 12);
        let plate = &rest[12..12 + len];
        rest = &rest[12 + len..];
        let read = Read {
            time,
            camera,
            plate,
            country: None,
            confidence: Some(rest.len() as u8),
            position: None,
        };
        let _ = unit.receive(&read, time.saturating_add(offset), &mut |_, o| {
            forwarded += u64::from(matches!(o, Outcome::Forward(_)))
        });
    }
    unit.flush(&mut |_, o| forwarded += u64::from(matches!(o, Outcome::Forward(_))));
    let c = unit.indicators();
    assert_eq!(
        c.reads,
        c.rejected.iter().sum::<u64>() + c.unmatched + c.matched
    );
    assert_eq!(
        c.passages,
        c.dispatched + c.reviewed + c.dropped + c.suppressed_realert
    );
    assert_eq!(forwarded, c.dispatched + c.reviewed);
});
