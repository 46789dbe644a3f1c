//! Where the lists come from. On the Cortex-M3 and M4 boards, a signed
//! image (`lists.hgsb`) verified with the provisioned key (`trust.key`)
//! before a byte of it is used, then on the MPS2 board a signed delta
//! (`delta.hgsb`) if there is one; the reads follow in `reads.bin`.
//!
//! The micro:bit takes an unsigned bundle (`bundle.bin`, lists then reads,
//! streamed): loading a signed image takes 11.5 to 14.8 KiB of stack on
//! the Cortex-M3 and M4, most of it Ed25519 verification (the reads take
//! 8.6 to 9.2 KiB), and the image a buffer of its own; its 16 KiB of RAM leave
//! 7.8 KiB for the stack. A unit that small needs a larger RAM to check
//! what it is told.

#[cfg(not(board_small))]
use hitgate_core::bundle::PlaceBuf;
use hitgate_core::bundle::Reader;
use hitgate_core::confusion::ConfusionClasses;
use hitgate_core::place::Places;
use hitgate_core::policy::Policy;
use hitgate_core::unit::Config;
use hitgate_core::watchlist::{Entry, Watchlist, WatchlistBuilder};
use static_cell::ConstStaticCell;

use crate::Error;
use crate::host_file::HostFile;
use crate::outbox::Uplink;
use crate::size::*;

static ENTRY_STORE: ConstStaticCell<[Entry; ENTRIES]> =
    ConstStaticCell::new([Entry::EMPTY; ENTRIES]);
static INDEX_STORE: ConstStaticCell<[u32; ENTRIES]> = ConstStaticCell::new([0; ENTRIES]);
/// The membership filter: a byte an entry.
static FILTER_STORE: ConstStaticCell<[u64; ENTRIES / 8]> = ConstStaticCell::new([0; ENTRIES / 8]);
/// The matrix, with room for the board's rules.
static POLICY: ConstStaticCell<Policy<RULES>> = ConstStaticCell::new(Policy::new());

/// The lists in force, the matrix, the settings, and the stream the reads
/// come from (read with `reader`).
pub type Loaded = (
    Watchlist<'static>,
    &'static Policy<RULES>,
    Config,
    Places<'static>,
    HostFile,
);

fn builder() -> WatchlistBuilder<'static> {
    let mut builder = WatchlistBuilder::new(
        ENTRY_STORE.take(),
        INDEX_STORE.take(),
        ConfusionClasses::default(),
    );
    builder.set_filter(FILTER_STORE.take());
    builder
}

#[cfg(board_small)]
pub fn load(outbox: &mut Uplink, reader: &mut Reader<READ_BUF>) -> Result<Loaded, Error> {
    use hitgate_core::bundle::{self, LoadError, ReadFailure};
    let mut input = HostFile::open_read("bundle.bin\0").map_err(|_| Error::File("bundle.bin"))?;
    let policy = POLICY.take();
    let mut builder = builder();
    // The core's loader: header, settings, rules, lists and entries.
    let loaded = bundle::load(
        reader,
        |buf| embedded_io::Read::read(&mut input, buf),
        &mut builder,
        policy,
    )
    .map_err(|e| match e {
        LoadError::Full(what) => Error::Capacity(what),
        LoadError::Read(ReadFailure::Source(_)) => Error::Bundle("read error"),
        LoadError::Version(_) => Error::Bundle("another bundle version"),
        _ => Error::Bundle("damaged or out of order"),
    })?;
    let watchlist = builder
        .build()
        .map_err(|_| Error::Bundle("duplicate entry"))?;
    outbox.set_list_version(watchlist.version())?;
    log!(
        "hitgate-qemu-unit: lists version {} from an unsigned bundle, {} entries",
        watchlist.version(),
        watchlist.len()
    );
    Ok((watchlist, policy, loaded.config, Places::none(), input))
}

#[cfg(not(board_small))]
mod signed_lists {
    use super::*;
    use hitgate_core::signed::TrustError;

    /// The signed image, where a unit keeps it in flash (here read from the
    /// host at boot).
    static IMAGE_STORE: ConstStaticCell<[u8; IMAGE]> = ConstStaticCell::new([0; IMAGE]);
    /// The zones, schedules, operations and camera positions of the image.
    type Places = PlaceBuf<ZONES, SCHEDULES, OPERATIONS, CAMERA_POSITIONS>;
    static PLACE_STORE: ConstStaticCell<Places> = ConstStaticCell::new(PlaceBuf::new());
    /// A delta and the storage apart from the lists in force that it is
    /// applied in.
    #[cfg(not(any(board_small, board_medium)))]
    mod standby {
        use super::*;
        pub static DELTA_STORE: ConstStaticCell<[u8; DELTA]> = ConstStaticCell::new([0; DELTA]);
        pub static ENTRY_STORE: ConstStaticCell<[Entry; ENTRIES]> =
            ConstStaticCell::new([Entry::EMPTY; ENTRIES]);
        pub static INDEX_STORE: ConstStaticCell<[u32; ENTRIES]> =
            ConstStaticCell::new([0; ENTRIES]);
        pub static FILTER_STORE: ConstStaticCell<[u64; ENTRIES / 8]> =
            ConstStaticCell::new([0; ENTRIES / 8]);
    }

    /// Reads a whole host file into `buf`; the bytes read.
    fn read_file<'b>(name: &'static str, buf: &'b mut [u8]) -> Result<&'b [u8], Error> {
        let mut f = HostFile::open_read(name).map_err(|_| Error::File(name))?;
        let mut n = 0;
        loop {
            let Some(rest) = buf.get_mut(n..).filter(|r| !r.is_empty()) else {
                return Err(Error::Capacity(name));
            };
            match embedded_io::Read::read(&mut f, rest) {
                Ok(0) => return Ok(&buf[..n]),
                Ok(k) => n += k,
                Err(_) => return Err(Error::File(name)),
            }
        }
    }

    /// Runs `f` between a pair of the instruction-counting marks.
    fn measured<T>(f: impl FnOnce() -> T) -> T {
        crate::hitgate_read_marker();
        let r = f();
        crate::hitgate_read_done();
        r
    }

    fn refused(file: &'static str) -> impl Fn(TrustError) -> Error {
        move |e| match e {
            TrustError::Full(what) => Error::Capacity(what),
            e => Error::Refused(file, e),
        }
    }

    pub fn load(outbox: &mut Uplink, _reader: &mut Reader<READ_BUF>) -> Result<Loaded, Error> {
        use hitgate_core::signed::{self, VerifyingKey};
        let input = HostFile::open_read("reads.bin\0").map_err(|_| Error::File("reads.bin"))?;

        // The key the unit was provisioned with.
        let mut raw = [0u8; 33];
        let key = read_file("trust.key\0", &mut raw)?;
        let key = <[u8; 32]>::try_from(key)
            .ok()
            .and_then(|k| VerifyingKey::from_bytes(&k).ok())
            .ok_or(Error::File("trust.key: not a 32-byte Ed25519 public key"))?;
        // The signed image: checked before a byte of it is used. The version
        // in force (kept with the outbox) may come back at boot, not an
        // older one.
        let image = read_file("lists.hgsb\0", IMAGE_STORE.take())?;
        // Each step between a pair of marks, for the instruction counts
        // (measure.sh): the verification, the build, a delta.
        // A refused image is counted on flash before the unit stops: it
        // has no lists to run on.
        let opened = match measured(|| signed::open(image, &key)) {
            Ok(o) => o,
            Err(e) => {
                outbox.count_refused()?;
                return Err(refused("lists.hgsb")(e));
            }
        };
        let policy = POLICY.take();
        let places = PLACE_STORE.take();
        let builder = builder();
        // The image in force itself comes back at boot; an older one does not.
        let in_force = outbox.list_version();
        let loaded = measured(|| {
            signed::load_full(&opened, in_force.saturating_sub(1), builder, policy, places)
        });
        let (watchlist, config) = match loaded {
            Ok(l) => l,
            Err(e) => {
                outbox.count_refused()?;
                return Err(refused("lists.hgsb")(e));
            }
        };
        outbox.set_list_version(watchlist.version())?;
        #[cfg(not(any(board_small, board_medium)))]
        let watchlist = {
            let delta = standby::DELTA_STORE.take();
            match read_file("delta.hgsb\0", delta) {
                Err(Error::File(_)) => watchlist,
                Err(e) => return Err(e),
                Ok(bytes) => {
                    let (entries, index) =
                        (standby::ENTRY_STORE.take(), standby::INDEX_STORE.take());
                    let filter = standby::FILTER_STORE.take();
                    let applied = measured(|| {
                        let opened = signed::open(bytes, &key)?;
                        let mut next = WatchlistBuilder::from_watchlist(&watchlist, entries, index)
                            .ok_or(TrustError::Full("entries"))?;
                        next.set_filter(filter);
                        signed::apply_delta(&opened, next)
                    });
                    match applied {
                        Ok((next, applied)) => {
                            outbox.set_list_version(next.version())?;
                            log!(
                                "hitgate-qemu-unit: delta to version {}: {} removed, {} added",
                                next.version(),
                                applied.removed,
                                applied.added
                            );
                            next
                        }
                        // Refused: counted, and the lists in force stay.
                        Err(e) => {
                            outbox.count_refused()?;
                            log!(
                                "hitgate-qemu-unit: delta.hgsb refused: {}; version {} stays in force",
                                e,
                                watchlist.version()
                            );
                            watchlist
                        }
                    }
                }
            }
        };
        log!(
            "hitgate-qemu-unit: lists version {} verified, {} entries",
            watchlist.version(),
            watchlist.len()
        );
        Ok((watchlist, policy, config, places.places(), input))
    }
}
#[cfg(not(board_small))]
pub use signed_lists::load;
