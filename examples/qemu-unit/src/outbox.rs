//! The uplink side of the unit: the core's outbox (delivery order, what
//! gives way when full, sequence numbers, acknowledgement) over an
//! `embedded-io` uplink. A frame the uplink took whole counts as
//! acknowledged here, since this uplink is a file; a unit on a network
//! keeps it until the central side acknowledges it.
//!
//! On the Cortex-M3 and M4 boards the outbox is the core's
//! [`FlashOutbox`](hitgate_core::store::FlashOutbox) on a NOR flash kept
//! in RAM ([`RamFlash`](crate::ram_flash::RamFlash)): it survives a
//! restart. The micro:bit keeps the RAM-only
//! [`Outbox`](hitgate_core::outbox::Outbox): the firmware's deepest stack
//! there is 6.2 KiB with the RAM outbox (measured with
//! [`stack`](crate::stack), `run-all.sh` prints it), the flash outbox's
//! calls take 1.9 KiB more (on the M3), and the micro:bit's 16 KiB of RAM
//! leave 8.3 KiB for the stack, beside which an emulated flash would
//! need RAM of its own.

use embedded_io::Write;
use hitgate_core::hit::Hit;
use hitgate_core::outbox::OutboxSlot;
use static_cell::ConstStaticCell;

use crate::Error;
use crate::size::OUTBOX;

static OUTBOX_STORE: ConstStaticCell<[OutboxSlot; OUTBOX]> =
    ConstStaticCell::new([OutboxSlot::EMPTY; OUTBOX]);

/// True when the outbox survives a restart on this board.
pub const ON_FLASH: bool = cfg!(not(board_small));

/// What the outbox did, for the last log lines.
pub struct Wear {
    /// Boot count kept on flash.
    pub boot: u32,
    /// Flash bytes written since power-on.
    pub written: u32,
    /// Flash pages erased since power-on.
    pub erases: u32,
}

#[cfg(not(board_small))]
mod imp {
    use super::*;
    use embedded_storage_async::nor_flash::ReadNorFlash;
    use hitgate_core::store::{FlashOutbox, block_on};
    use sequential_storage::cache::{Cache, Uncached};

    use crate::ram_flash::{RamFlash, pages_for};
    use crate::size::FLASH_PAGE;

    /// Erase pages for the outbox's map (see [`pages_for`]).
    const FLASH_PAGES: usize = pages_for(OUTBOX, FLASH_PAGE);
    /// The outbox's flash (zeroed RAM, erased at start-up: an image
    /// of `0xFF` would cost as much flash).
    static FLASH_STORE: ConstStaticCell<[u8; FLASH_PAGE * FLASH_PAGES]> =
        ConstStaticCell::new([0; FLASH_PAGE * FLASH_PAGES]);

    type Flash = RamFlash<FLASH_PAGE>;
    type Store = FlashOutbox<'static, Flash, Cache<Uncached, Uncached, Uncached, u16>>;

    /// The outbox and what it sent.
    pub struct Uplink {
        store: Store,
        /// Frames the uplink took.
        pub sent: u32,
    }

    impl Uplink {
        /// Opens the outbox on the board's blank flash: empty, boot 1.
        pub fn open() -> Result<Self, Error> {
            let flash = RamFlash::blank(FLASH_STORE.take());
            let (me, restored) = Self::reopen(flash, OUTBOX_STORE.take())?;
            if restored != 0 || me.store.boot() != 1 {
                return Err(Error::Outbox("blank flash not empty"));
            }
            Ok(me)
        }

        fn reopen(flash: Flash, slots: &'static mut [OutboxSlot]) -> Result<(Self, usize), Error> {
            let end = ReadNorFlash::capacity(&flash) as u32;
            // Boot 1 on blank flash: QEMU's boards give no random number,
            // and this run checks its frames against the host's, and its
            // boots (1, then 2). A board in the field gives a number from
            // its random generator, so that a unit erased or replaced
            // under the same id does not number a hit as before
            // (`hitgate_core::store`, "Sequence numbers").
            let (store, restored) = block_on(FlashOutbox::open(
                flash,
                0..end,
                Cache::new_uncached(),
                slots,
                1,
            ))
            .map_err(|_| Error::Outbox("cannot open"))?;
            Ok((Self { store, sent: 0 }, restored.hits))
        }

        /// Queues a hit (one that gives way, or is displaced, is counted
        /// by the outbox).
        pub fn push(&mut self, hit: &Hit) -> Result<(), Error> {
            block_on(self.store.push(hit))
                .map(|_| ())
                .map_err(|_| Error::Outbox("cannot write a hit"))
        }

        /// Sends in delivery order what the uplink takes, each
        /// acknowledged on flash once taken; stops at the first failure,
        /// and what was not taken is sent again next time.
        pub fn flush<W: Write>(&mut self, uplink: &mut W) -> Result<(), Error> {
            while let Some((seq, frame)) = self.store.next_unsent() {
                if uplink.write_all(frame).is_err() {
                    self.store.resend();
                    return Ok(());
                }
                self.store.mark_sent(seq);
                block_on(self.store.ack(seq, seq))
                    .map_err(|_| Error::Outbox("cannot acknowledge"))?;
                self.sent += 1;
            }
            Ok(())
        }

        /// A power cycle: RAM is forgotten, and the outbox opened again
        /// from the flash alone must hold what waited, at the next boot.
        pub fn restart(self) -> Result<Self, Error> {
            let (sent, waiting, boot) = (self.sent, self.len(), self.store.boot());
            let lists = self.store.list_version();
            let (flash, slots) = self.store.into_parts();
            slots.fill(OutboxSlot::EMPTY);
            let (mut me, restored) = Self::reopen(flash, slots)?;
            if restored != waiting
                || me.len() != waiting
                || me.store.boot() != boot + 1
                || me.store.list_version() != lists
            {
                return Err(Error::Outbox("not as it was before the restart"));
            }
            me.sent = sent;
            Ok(me)
        }

        /// Frames waiting.
        pub fn len(&self) -> usize {
            self.store.outbox().len()
        }

        /// The version of the lists in force, kept on flash (0: none).
        pub fn list_version(&self) -> u32 {
            self.store.list_version()
        }

        /// Counts a refused signed image, on flash.
        pub fn count_refused(&mut self) -> Result<(), Error> {
            block_on(self.store.count_refused())
                .map_err(|_| Error::Outbox("cannot count a refused image"))
        }

        /// Records the version of the lists just activated, on flash.
        pub fn set_list_version(&mut self, version: u32) -> Result<(), Error> {
            block_on(self.store.set_list_version(version))
                .map_err(|_| Error::Outbox("cannot write the lists version"))
        }

        /// Boot count and flash wear.
        pub fn wear(self) -> Option<Wear> {
            let boot = self.store.boot();
            let (flash, _) = self.store.into_parts();
            Some(Wear {
                boot,
                written: flash.written,
                erases: flash.erases,
            })
        }
    }
}

#[cfg(board_small)]
mod imp {
    use super::*;
    use hitgate_core::outbox::Outbox;

    /// The outbox, its next sequence number and what it sent.
    pub struct Uplink {
        outbox: Outbox<'static>,
        next_seq: u64,
        /// Frames the uplink took.
        pub sent: u32,
    }

    impl Uplink {
        /// An empty outbox in RAM.
        pub fn open() -> Result<Self, Error> {
            Ok(Self {
                outbox: Outbox::new(OUTBOX_STORE.take()),
                next_seq: 0,
                sent: 0,
            })
        }

        /// Queues a hit (a hit that cannot be encoded, or gives way, is
        /// counted by the outbox).
        pub fn push(&mut self, hit: &Hit) -> Result<(), Error> {
            if self.outbox.push(hit, self.next_seq).is_ok() {
                self.next_seq += 1;
            }
            Ok(())
        }

        /// Sends in delivery order what the uplink takes; stops at the
        /// first failure, and what was not taken is sent again next time.
        pub fn flush<W: Write>(&mut self, uplink: &mut W) -> Result<(), Error> {
            while let Some((seq, frame)) = self.outbox.next_unsent() {
                if uplink.write_all(frame).is_err() {
                    self.outbox.resend();
                    return Ok(());
                }
                self.outbox.ack(seq, seq);
                self.sent += 1;
            }
            Ok(())
        }

        /// A RAM outbox does not survive a power cycle.
        pub fn restart(self) -> Result<Self, Error> {
            Err(Error::Outbox("kept in RAM: nothing survives a restart"))
        }

        /// Frames waiting.
        pub fn len(&self) -> usize {
            self.outbox.len()
        }

        /// The version of the lists just activated: a RAM outbox has no
        /// flash to keep it on (the micro:bit takes an unsigned bundle,
        /// see `lists`).
        pub fn set_list_version(&mut self, _version: u32) -> Result<(), Error> {
            Ok(())
        }

        /// No flash, no wear.
        pub fn wear(self) -> Option<Wear> {
            None
        }
    }
}

pub use imp::Uplink;
