//! A NOR flash in a file, for `hitgate replay --state DIR`: the unit's
//! outbox ([`hitgate_core::store`]) survives a killed and restarted
//! process as it survives a power cut on a unit.
//!
//! It behaves as NOR flash does, so that the core meets here what it meets
//! on a board: [`PAGE`]-byte erase pages, [`WORD`]-byte writes aligned to
//! words, erase sets every byte to `0xFF`, a write can only clear bits
//! (writing a 1 over a 0 is refused, as the chip would silently not do
//! it). Every write and erase goes to the file before it returns (a
//! `pwrite`, so a killed process loses nothing it was told is written;
//! the kernel's cache carries it to the disk). Erases are counted per
//! page, for the wear figures.
//!
//! The file is locked (`flock`) while open: two processes never share one
//! state.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use embedded_storage_async::nor_flash::{
    ErrorType, NorFlash, NorFlashError, NorFlashErrorKind, ReadNorFlash,
};

/// Erase page size.
pub const PAGE: usize = 4096;
/// Write (and read) unit.
pub const WORD: usize = 4;

/// A file-backed NOR flash (see the module docs).
#[derive(Debug)]
pub struct FileFlash {
    file: Option<File>,
    path: PathBuf,
    data: Vec<u8>,
    erases: Vec<u32>,
    bytes_written: u64,
}

/// A refused flash operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlashError {
    /// Not aligned to words or pages.
    NotAligned,
    /// Outside the flash.
    OutOfBounds,
    /// A write that would set a cleared bit (no erase before it).
    NotErased(u32),
    /// The file could not be written.
    Io(std::io::ErrorKind),
}

impl NorFlashError for FlashError {
    fn kind(&self) -> NorFlashErrorKind {
        match self {
            Self::NotAligned => NorFlashErrorKind::NotAligned,
            Self::OutOfBounds => NorFlashErrorKind::OutOfBounds,
            Self::NotErased(_) | Self::Io(_) => NorFlashErrorKind::Other,
        }
    }
}

impl FileFlash {
    /// Opens (or creates, erased) the flash file `path` of `pages` pages,
    /// locked for this process.
    pub fn open(path: &Path, pages: usize) -> Result<Self> {
        let size = pages * PAGE;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            // Plates of undelivered hits: the owner's only.
            .mode(0o600)
            .open(path)
            .with_context(|| format!("{}: cannot open", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "{}: another hitgate process holds this state",
                path.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("{}: cannot lock", path.display()));
            }
        }
        let len = file
            .metadata()
            .with_context(|| format!("{}: cannot read", path.display()))?
            .len();
        let mut data = vec![0xFF; size];
        if len == 0 {
            file.write_all_at(&data, 0)
                .with_context(|| format!("{}: cannot write", path.display()))?;
        } else if len != size as u64 {
            bail!(
                "{}: a flash of {len} bytes, but this outbox needs {size}; \
                 use the same --outbox as the run that made it, or a new --state",
                path.display()
            );
        } else {
            file.read_exact_at(&mut data, 0)
                .with_context(|| format!("{}: cannot read", path.display()))?;
        }
        Ok(Self {
            file: Some(file),
            path: path.to_path_buf(),
            data,
            erases: vec![0; pages],
            bytes_written: 0,
        })
    }

    /// An erased flash in memory only (units without `--state`).
    pub fn in_memory(pages: usize) -> Self {
        Self {
            file: None,
            path: PathBuf::new(),
            data: vec![0xFF; pages * PAGE],
            erases: vec![0; pages],
            bytes_written: 0,
        }
    }

    /// Erases done, per page, since opened.
    pub fn erases(&self) -> &[u32] {
        &self.erases
    }

    /// Bytes written since opened.
    pub fn bytes_written(&self) -> u64 {
        self.bytes_written
    }

    /// The file, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn range(
        &self,
        offset: u32,
        len: usize,
        align: usize,
    ) -> Result<std::ops::Range<usize>, FlashError> {
        let start = offset as usize;
        if !start.is_multiple_of(align) || !len.is_multiple_of(align) {
            return Err(FlashError::NotAligned);
        }
        let end = start.checked_add(len).ok_or(FlashError::OutOfBounds)?;
        if end > self.data.len() {
            return Err(FlashError::OutOfBounds);
        }
        Ok(start..end)
    }

    fn persist(&self, range: std::ops::Range<usize>) -> Result<(), FlashError> {
        if let (Some(f), Some(bytes)) = (&self.file, self.data.get(range.clone())) {
            f.write_all_at(bytes, range.start as u64)
                .map_err(|e| FlashError::Io(e.kind()))?;
        }
        Ok(())
    }
}

impl ErrorType for FileFlash {
    type Error = FlashError;
}

impl ReadNorFlash for FileFlash {
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

impl NorFlash for FileFlash {
    const WRITE_SIZE: usize = WORD;
    const ERASE_SIZE: usize = PAGE;

    async fn erase(&mut self, from: u32, to: u32) -> Result<(), Self::Error> {
        let len = (to as usize)
            .checked_sub(from as usize)
            .ok_or(FlashError::OutOfBounds)?;
        let r = self.range(from, len, PAGE)?;
        self.data[r.clone()].fill(0xFF);
        for page in r.start / PAGE..r.end / PAGE {
            if let Some(n) = self.erases.get_mut(page) {
                *n += 1;
            }
        }
        self.persist(r)
    }

    async fn write(&mut self, offset: u32, bytes: &[u8]) -> Result<(), Self::Error> {
        let r = self.range(offset, bytes.len(), WORD)?;
        for (i, (old, new)) in self.data[r.clone()].iter().zip(bytes).enumerate() {
            if new & !old != 0 {
                return Err(FlashError::NotErased(offset + i as u32));
            }
        }
        for (old, new) in self.data[r.clone()].iter_mut().zip(bytes) {
            *old &= new;
        }
        self.bytes_written += bytes.len() as u64;
        self.persist(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hitgate_core::store::block_on;

    #[test]
    fn behaves_as_nor_flash() {
        let mut f = FileFlash::in_memory(2);
        let mut b = [0u8; 4];
        block_on(f.read(0, &mut b)).unwrap();
        assert_eq!(b, [0xFF; 4]);
        block_on(f.write(4, &[0x0F, 0xF0, 0x00, 0xFF])).unwrap();
        // Clearing more bits is fine; setting one back is refused.
        block_on(f.write(4, &[0x0E, 0xF0, 0x00, 0xFF])).unwrap();
        assert_eq!(
            block_on(f.write(4, &[0x1E, 0xF0, 0x00, 0xFF])),
            Err(FlashError::NotErased(4))
        );
        assert_eq!(block_on(f.write(5, &[0; 4])), Err(FlashError::NotAligned));
        assert_eq!(
            block_on(f.write(2 * PAGE as u32, &[0; 4])),
            Err(FlashError::OutOfBounds)
        );
        block_on(f.read(4, &mut b)).unwrap();
        assert_eq!(b, [0x0E, 0xF0, 0x00, 0xFF]);
        assert_eq!(
            block_on(f.erase(1, PAGE as u32)),
            Err(FlashError::NotAligned)
        );
        block_on(f.erase(0, PAGE as u32)).unwrap();
        block_on(f.read(4, &mut b)).unwrap();
        assert_eq!(b, [0xFF; 4]);
        assert_eq!(f.erases(), &[1, 0]);
    }

    #[test]
    fn a_reopened_file_holds_what_was_written_and_refuses_another_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("flash.bin");
        {
            let mut f = FileFlash::open(&path, 2).unwrap();
            // Plates of undelivered hits: readable by the owner only.
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            // A second process (here: a second open) is refused.
            assert!(FileFlash::open(&path, 2).is_err());
            block_on(f.write(PAGE as u32 + 8, &[1, 2, 3, 4])).unwrap();
        }
        let mut f = FileFlash::open(&path, 2).unwrap();
        let mut b = [0u8; 4];
        block_on(f.read(PAGE as u32 + 8, &mut b)).unwrap();
        assert_eq!(b, [1, 2, 3, 4]);
        drop(f);
        let e = FileFlash::open(&path, 3).unwrap_err().to_string();
        assert!(e.contains("needs 12288"), "{e}");
    }
}
