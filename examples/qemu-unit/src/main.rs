//! hitgate-core as the firmware of a roadside unit, on boards QEMU emulates.
//!
//! It takes its lists, matrix and settings from a signed image (`hitgate
//! bundle build`) in the host file `lists.hgsb`, verified with the public
//! key it was provisioned with (`trust.key`, 32 bytes) before anything in
//! it is used; on the MPS2 board, a signed delta in `delta.hgsb`, if there
//! is one, is applied next, in storage apart from the lists in force. It
//! builds the watchlist and the unit in static storage, replays the reads
//! of `reads.bin` (`hitgate prepare --reads-only`), and writes every
//! forwarded hit as a wire frame to `frames.bin`: the same bytes `hitgate
//! replay --frames` writes. A refused image stops it with the reason. The uplink is an `embedded-io`
//! writer and the alarm line an `embedded-hal` output pin, so a real board
//! only swaps those.
//!
//! Forwarded hits go through the core's flash outbox
//! ([`hitgate_core::store`]) on a NOR flash kept in RAM (`ram_flash`;
//! the micro:bit keeps a RAM outbox, see [`outbox`]). The first hits find the uplink down, and the power
//! fails after the read that forwarded them: the outbox is opened again
//! from the flash alone, must give back those hits and count a second
//! boot, and only then sends them; the firmware fails otherwise.
//!
//! Sizes per board (see `BENCHMARKS.md` for what they cost):
//!
//! | target | board | entries (+ filter) | signed image | rules | passages | suppression | held frames | outbox | outbox flash |
//! |---|---|---|---|---|---|---|---|---|---|
//! | thumbv6m-none-eabi | micro:bit (16 KiB RAM) | 64 | none: an unsigned bundle (see `lists`) | 8 | 8 | 32 | 16 | 2 | none (RAM outbox) |
//! | thumbv7m-none-eabi | LM3S6965 (64 KiB RAM) | 512 | 8 KiB | 16 | 16 | 96 | 16 | 16 | 7 × 1 KiB |
//! | thumbv7em-none-eabihf | MPS2-AN386 (4 MiB RAM) | 16,384, twice (a delta) | 512 KiB + 64 KiB | 32 | 32 | 1,024 | 16 | 256 | 21 × 4 KiB |

#![no_std]
#![no_main]
#![deny(unsafe_code)]

/// Logs a line: through defmt with the `defmt` feature, else as
/// semihosting text.
macro_rules! log {
    ($($t:tt)*) => {{
        #[cfg(feature = "defmt")]
        defmt::info!($($t)*);
        #[cfg(not(feature = "defmt"))]
        if let Ok(mut out) = cortex_m_semihosting::hio::hstdout() {
            let _ = core::fmt::Write::write_fmt(&mut out, format_args!("{}\n", format_args!($($t)*)));
        }
    }};
}

mod host_file;
mod lists;
mod outbox;
#[cfg(not(board_small))]
mod ram_flash;
mod stack;

use core::fmt::Write as _;

use cortex_m_rt::entry;
use cortex_m_semihosting::debug::{self, EXIT_FAILURE, EXIT_SUCCESS};
use cortex_m_semihosting::hio;
use embedded_hal::digital::OutputPin;
use hitgate_core::bundle::{ReadFailure, Reader, Record};
#[cfg(not(board_small))]
use hitgate_core::signed::TrustError;
use hitgate_core::{
    hit::Outcome, indicators::CameraStats, indicators::Indicators, list::Priority,
    passage::Passage, policy::Action, recent::HeldFrame, suppress::SuppressSlot, unit::Tables,
    unit::Unit,
};
use static_cell::ConstStaticCell;

#[cfg(feature = "defmt")]
use defmt_semihosting as _; // the global defmt logger
use host_file::{HostFile, LoggedPin};
use outbox::Uplink;

#[cfg(board_small)]
mod size {
    pub const ENTRIES: usize = 64;
    pub const PASSAGES: usize = 8;
    pub const SUPPRESSION: usize = 32;
    pub const CAMERAS: usize = 4;
    // Two slots: the uplink here takes each hit at once.
    pub const OUTBOX: usize = 2;
    // A read record is under 100 bytes and a rule's under 200; the
    // bundle's zones (up to 512 bytes) stay on the larger boards.
    pub const READ_BUF: usize = 256;
    // Frames before a passage's first match are evidence here too.
    pub const HELD: usize = hitgate_core::recent::RECENT_FRAMES;
    // Eight rules (the example zone's policy has seven, the generator's
    // eight): 1.2 KiB, where the default 32 take 4.8 and left the stack
    // no room for held frames.
    pub const RULES: usize = 8;
}
#[cfg(board_medium)]
mod size {
    // 512 entries: the signed image's buffer and the 11 KiB of stack its
    // verification takes must fit the 64 KiB beside them.
    pub const ENTRIES: usize = 512;
    pub const PASSAGES: usize = 16;
    // 96 re-alert slots: room for the stack of signature checks and of
    // loading zones (11.4 KiB deepest, of 17.2).
    pub const SUPPRESSION: usize = 96;
    pub const CAMERAS: usize = 16;
    pub const OUTBOX: usize = 16;
    pub const FLASH_PAGE: usize = 1_024;
    pub const IMAGE: usize = 8 * 1024;
    pub const READ_BUF: usize = hitgate_core::bundle::MAX_RECORD;
    pub const ZONES: usize = 4;
    pub const SCHEDULES: usize = 4;
    pub const OPERATIONS: usize = 2;
    pub const CAMERA_POSITIONS: usize = 16;
    pub const HELD: usize = hitgate_core::recent::RECENT_FRAMES;
    pub const RULES: usize = 16;
}
#[cfg(not(any(board_small, board_medium)))]
mod size {
    pub const ENTRIES: usize = 16_384;
    // Matched reads are about 1 % of traffic and a passage lives 2 s: 32
    // open passages is a busy multi-lane site.
    pub const PASSAGES: usize = 32;
    pub const SUPPRESSION: usize = 1_024;
    pub const CAMERAS: usize = 64;
    pub const OUTBOX: usize = 256;
    pub const FLASH_PAGE: usize = 4_096;
    pub const IMAGE: usize = 512 * 1024;
    pub const DELTA: usize = 64 * 1024;
    pub const READ_BUF: usize = hitgate_core::bundle::MAX_RECORD;
    pub const ZONES: usize = 64;
    pub const SCHEDULES: usize = 16;
    pub const OPERATIONS: usize = 16;
    pub const CAMERA_POSITIONS: usize = 64;
    pub const HELD: usize = hitgate_core::recent::RECENT_FRAMES;
    pub const RULES: usize = hitgate_core::policy::MAX_RULES;
}
use size::*;

static PASSAGE_STORE: ConstStaticCell<[Passage; PASSAGES]> =
    ConstStaticCell::new([Passage::EMPTY; PASSAGES]);
static SUPPRESS_STORE: ConstStaticCell<[SuppressSlot; SUPPRESSION]> =
    ConstStaticCell::new([SuppressSlot::EMPTY; SUPPRESSION]);
static CAMERA_STORE: ConstStaticCell<[CameraStats; CAMERAS]> =
    ConstStaticCell::new([CameraStats::EMPTY; CAMERAS]);
static HELD_STORE: ConstStaticCell<[HeldFrame; HELD]> =
    ConstStaticCell::new([HeldFrame::EMPTY; HELD]);
static READER: ConstStaticCell<Reader<READ_BUF>> = ConstStaticCell::new(Reader::new());

/// What can stop the firmware.
#[derive(Debug)]
enum Error {
    /// A host file could not be opened.
    File(&'static str),
    /// The bundle is damaged or out of order.
    Bundle(&'static str),
    /// The bundle does not fit this board's storage.
    Capacity(&'static str),
    /// A signed image was refused.
    #[cfg(not(board_small))]
    Refused(&'static str, TrustError),
    /// The outbox's flash failed, or gave back something else than was
    /// written.
    Outbox(&'static str),
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::File(name) => write!(f, "host file {}", name.trim_end_matches('\0')),
            Self::Bundle(what) => write!(f, "bad bundle: {what}"),
            Self::Capacity(what) => write!(f, "too large for this board: {what}"),
            #[cfg(not(board_small))]
            Self::Refused(file, e) => write!(f, "{} refused: {e}", file.trim_end_matches('\0')),
            Self::Outbox(what) => write!(f, "outbox: {what}"),
        }
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Error {
    fn format(&self, f: defmt::Formatter<'_>) {
        match self {
            Self::File(name) => defmt::write!(f, "host file {=str}", name),
            Self::Bundle(what) => defmt::write!(f, "bad bundle: {=str}", what),
            Self::Capacity(what) => defmt::write!(f, "too large for this board: {=str}", what),
            #[cfg(not(board_small))]
            Self::Refused(file, e) => defmt::write!(f, "{=str} refused: {}", file, e),
            Self::Outbox(what) => defmt::write!(f, "outbox: {=str}", what),
        }
    }
}

/// Called before every read, [`hitgate_read_done`] after it: the
/// instruction-counting QEMU plugin (`plugin/insncount.c`) records its
/// running count each time one of them runs.
#[allow(unsafe_code)] // an unmangled symbol, so the plugin can find it
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn hitgate_read_marker() {
    // Opaque to the optimiser (the call stays), and distinct from the other
    // marker (the linker does not fold the two into one address).
    core::hint::black_box(1u32);
}

/// See [`hitgate_read_marker`].
#[allow(unsafe_code)] // an unmangled symbol, so the plugin can find it
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn hitgate_read_done() {
    core::hint::black_box(2u32);
}

#[entry]
fn main() -> ! {
    stack::paint();
    let status = match run() {
        Ok(()) => EXIT_SUCCESS,
        Err(e) => {
            log!("hitgate-qemu-unit: {}", e);
            EXIT_FAILURE
        }
    };
    debug::exit(status);
    loop {
        cortex_m::asm::nop();
    }
}

fn next<'r, R: embedded_io::Read>(
    reader: &'r mut Reader<READ_BUF>,
    src: &mut R,
) -> Result<Option<Record<'r>>, Error> {
    reader.next(|buf| src.read(buf)).map_err(|e| match e {
        ReadFailure::Source(_) => Error::Bundle("read error"),
        ReadFailure::Bundle(_) => Error::Bundle("corrupt record"),
    })
}

fn run() -> Result<(), Error> {
    let mut uplink = HostFile::create("frames.bin\0").map_err(|_| Error::File("frames.bin"))?;
    let mut alarm = LoggedPin::default();
    let reader = READER.take();
    let mut outbox = Uplink::open()?;
    let (watchlist, policy, config, places, mut input) = lists::load(&mut outbox, reader)?;
    let tables = Tables {
        passages: PASSAGE_STORE.take(),
        suppression: SUPPRESS_STORE.take(),
        cameras: CAMERA_STORE.take(),
        held: HELD_STORE.take(),
    };
    let mut unit = Unit::new(&watchlist, policy, config, tables);
    unit.set_places(places);
    // The stack the loading took; then painted again for the reads'. A
    // stack that reached the statics may have overwritten them: the run
    // stops, whatever it would have printed.
    let (loading, room) = stack::used();
    if loading >= room {
        return Err(Error::Capacity(
            "the stack: loading the lists reached the statics",
        ));
    }
    stack::paint();
    let at_loop = stack::here();
    // Where the outbox is on flash, the uplink is down until the restart.
    let mut restarted = !outbox::ON_FLASH;
    let mut failed = None;
    loop {
        let rec = next(reader, &mut input)?;
        match rec {
            Some(Record::End) | None => break,
            Some(r) => {
                let Some((read, arrival)) = r.as_read() else {
                    return Err(Error::Bundle("expected a read"));
                };
                let mut sink = |_: u64, o: Outcome| {
                    let up = restarted.then_some(&mut uplink);
                    forward(o, &mut outbox, up, &mut alarm, &mut failed);
                };
                hitgate_read_marker();
                let _ = unit.receive(&read, arrival, &mut sink);
                hitgate_read_done();
                if !restarted && outbox.len() > 0 {
                    // The power fails with hits waiting.
                    outbox = outbox.restart()?;
                    restarted = true;
                    outbox.flush(&mut uplink)?;
                }
            }
        }
    }
    unit.flush(&mut |_: u64, o: Outcome| {
        forward(o, &mut outbox, Some(&mut uplink), &mut alarm, &mut failed);
    });
    let (reads, _) = stack::used();
    if reads >= room {
        return Err(Error::Capacity("the stack: the reads reached the statics"));
    }
    if let Some(e) = failed {
        return Err(e);
    }
    if outbox.len() > 0 {
        return Err(Error::File("uplink kept frames back"));
    }
    report(
        outbox,
        unit.indicators(),
        alarm.raised,
        Depths {
            loading,
            reads,
            at_loop,
            room,
        },
    );
    Ok(())
}

/// How deep the stack went loading the lists and for the reads, where the
/// loop's frame ends, and the room the board has.
struct Depths {
    loading: usize,
    reads: usize,
    at_loop: usize,
    room: usize,
}

/// The run's last lines (a function of its own, so that its formatting
/// takes no room in the frame the reads are received below).
#[inline(never)]
fn report(outbox: Uplink, i: &Indicators, alarms: u32, depths: Depths) {
    let sent = outbox.sent;
    if let Some(w) = outbox.wear() {
        log!(
            "hitgate-qemu-unit: outbox on flash, at boot {}: {} bytes written, {} pages erased",
            w.boot,
            w.written,
            w.erases
        );
    }
    log!(
        "hitgate-qemu-unit: stack {} bytes at most, of {}: loading {}, the reads {} ({} below the loop's frame)",
        depths.reads.max(depths.loading),
        depths.room,
        depths.loading,
        depths.reads,
        depths.reads.saturating_sub(depths.at_loop)
    );
    log!(
        "hitgate-qemu-unit: {} reads, {} matched, {} dispatched, {} reviewed, {} frames sent, {} alarms",
        i.reads,
        i.matched,
        i.dispatched,
        i.reviewed,
        sent,
        alarms
    );
}

/// A forwarded hit: raises the alarm for a priority-0 dispatch, goes into
/// the outbox, and what waits is sent when the uplink is up. The first
/// error is kept in `failed`.
fn forward<W: embedded_io::Write>(
    o: Outcome,
    outbox: &mut Uplink,
    uplink: Option<&mut W>,
    alarm: &mut LoggedPin,
    failed: &mut Option<Error>,
) {
    let Outcome::Forward(hit) = o else {
        return;
    };
    if hit.priority == Priority::P0 && hit.action == Action::Dispatch {
        let _ = alarm.set_high();
        let _ = alarm.set_low();
    }
    let done = outbox.push(&hit).and_then(|()| match uplink {
        Some(u) => outbox.flush(u),
        None => Ok(()),
    });
    if let Err(e) = done {
        failed.get_or_insert(e);
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    if let Ok(mut out) = hio::hstderr() {
        let _ = writeln!(out, "panic: {info}");
    }
    debug::exit(EXIT_FAILURE);
    loop {
        cortex_m::asm::nop();
    }
}
