//! A NOR flash in RAM: what the unit's outbox is written to on the boards
//! QEMU emulates (not all of them model a flash controller the firmware
//! could program). It keeps NOR rules, so the core code runs as on a real
//! part: reads and writes in whole words, an erase sets a page to `0xFF`,
//! and a write only clears bits (setting one is an error: it needs an
//! erase). A real board swaps this for its flash driver's `NorFlash`.

use core::ops::Range;

use embedded_storage_async::nor_flash::{ErrorType, NorFlash, NorFlashErrorKind, ReadNorFlash};
use hitgate_core::store::ITEM_MAX;

/// Write unit: 4 bytes, as the nRF51 and most Cortex-M parts.
pub const WORD: usize = 4;

/// The flash over a static buffer; `PAGE` is the erase size.
pub struct RamFlash<const PAGE: usize> {
    data: &'static mut [u8],
    /// Pages erased.
    pub erases: u32,
    /// Bytes written.
    pub written: u32,
}

impl<const PAGE: usize> RamFlash<PAGE> {
    /// Over `data`, erased as from the factory (all `0xFF`).
    pub fn blank(data: &'static mut [u8]) -> Self {
        data.fill(0xFF);
        Self {
            data,
            erases: 0,
            written: 0,
        }
    }
}

impl<const PAGE: usize> RamFlash<PAGE> {
    /// `len` bytes from `offset`, both multiples of `align`, in bounds.
    fn range(
        &self,
        offset: u32,
        len: usize,
        align: usize,
    ) -> Result<Range<usize>, NorFlashErrorKind> {
        let start = offset as usize;
        if !start.is_multiple_of(align) || !len.is_multiple_of(align) {
            return Err(NorFlashErrorKind::NotAligned);
        }
        match start.checked_add(len) {
            Some(end) if end <= self.data.len() => Ok(start..end),
            _ => Err(NorFlashErrorKind::OutOfBounds),
        }
    }
}

impl<const PAGE: usize> ErrorType for RamFlash<PAGE> {
    type Error = NorFlashErrorKind;
}

impl<const PAGE: usize> ReadNorFlash for RamFlash<PAGE> {
    const READ_SIZE: usize = WORD;

    async fn read(&mut self, offset: u32, bytes: &mut [u8]) -> Result<(), Self::Error> {
        let r = self.range(offset, bytes.len(), WORD)?;
        bytes.copy_from_slice(&self.data[r]);
        Ok(())
    }

    fn capacity(&self) -> usize {
        self.data.len()
    }
}

impl<const PAGE: usize> NorFlash for RamFlash<PAGE> {
    const WRITE_SIZE: usize = WORD;
    const ERASE_SIZE: usize = PAGE;

    async fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        let len = to.checked_sub(from).ok_or(NorFlashErrorKind::OutOfBounds)?;
        let r = self.range(from, len as usize, PAGE)?;
        self.erases += (r.len() / PAGE) as u32;
        self.data[r].fill(0xFF);
        Ok(())
    }

    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        let r = self.range(offset, bytes.len(), WORD)?;
        let target = &mut self.data[r];
        // A write can only clear bits: setting one needs an erase.
        if target.iter().zip(bytes).any(|(old, new)| new & !old != 0) {
            return Err(NorFlashErrorKind::Other);
        }
        for (old, &new) in target.iter_mut().zip(bytes) {
            *old &= new;
        }
        self.written += bytes.len() as u32;
        Ok(())
    }
}

/// Erase pages of `page` bytes for an outbox of `slots`: room for twice
/// its items (each at most [`ITEM_MAX`], the state record one more), so
/// that garbage collection moves little, and the page sequential-storage
/// keeps free. At least the two pages its map needs.
pub const fn pages_for(slots: usize, page: usize) -> usize {
    // Each page spends two words on its own state.
    let usable = page - 2 * WORD;
    let pages = (2 * (slots + 1) * ITEM_MAX).div_ceil(usable) + 1;
    if pages < 2 { 2 } else { pages }
}
