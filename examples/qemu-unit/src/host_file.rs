//! Files on the host through Arm semihosting, behind the `embedded-io`
//! traits: a real board swaps this for its UART or flash driver.

use core::convert::Infallible;

use cortex_m_semihosting::nr;

/// A host file opened through semihosting.
pub struct HostFile {
    fd: usize,
}

/// A semihosting call failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostError;

impl embedded_io::Error for HostError {
    fn kind(&self) -> embedded_io::ErrorKind {
        embedded_io::ErrorKind::Other
    }
}

impl HostFile {
    /// Opens `name` (NUL-terminated) for reading.
    pub fn open_read(name: &str) -> Result<Self, HostError> {
        Self::open(name, nr::open::R_BINARY)
    }

    /// Creates or truncates `name` (NUL-terminated) for writing.
    pub fn create(name: &str) -> Result<Self, HostError> {
        Self::open(name, nr::open::W_TRUNC_BINARY)
    }

    #[allow(unsafe_code)]
    fn open(name: &str, mode: usize) -> Result<Self, HostError> {
        let bytes = name.as_bytes();
        if bytes.last() != Some(&0) {
            return Err(HostError);
        }
        // SAFETY: SYS_OPEN reads `len` bytes of the NUL-terminated name,
        // which lives for the whole call.
        let fd =
            unsafe { cortex_m_semihosting::syscall!(OPEN, bytes.as_ptr(), mode, bytes.len() - 1) };
        if fd as isize == -1 {
            Err(HostError)
        } else {
            Ok(Self { fd })
        }
    }
}

impl embedded_io::ErrorType for HostFile {
    type Error = HostError;
}

impl embedded_io::Read for HostFile {
    #[allow(unsafe_code)]
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, HostError> {
        if buf.is_empty() {
            return Ok(0);
        }
        // SAFETY: SYS_READ writes at most `buf.len()` bytes into `buf`, which
        // is borrowed mutably for the call; it returns the bytes NOT read.
        let left =
            unsafe { cortex_m_semihosting::syscall!(READ, self.fd, buf.as_mut_ptr(), buf.len()) };
        if left > buf.len() {
            Err(HostError)
        } else {
            Ok(buf.len() - left)
        }
    }
}

impl embedded_io::Write for HostFile {
    #[allow(unsafe_code)]
    fn write(&mut self, buf: &[u8]) -> Result<usize, HostError> {
        if buf.is_empty() {
            return Ok(0);
        }
        // SAFETY: SYS_WRITE reads `buf.len()` bytes of `buf`; it returns the
        // bytes NOT written.
        let left =
            unsafe { cortex_m_semihosting::syscall!(WRITE, self.fd, buf.as_ptr(), buf.len()) };
        if left > buf.len() {
            Err(HostError)
        } else {
            Ok(buf.len() - left)
        }
    }

    fn flush(&mut self) -> Result<(), HostError> {
        Ok(())
    }
}

impl Drop for HostFile {
    #[allow(unsafe_code)]
    fn drop(&mut self) {
        // SAFETY: closes the descriptor this value owns.
        let _ = unsafe { cortex_m_semihosting::syscall!(CLOSE, self.fd) };
    }
}

/// An alarm line (priority-0 hits) on a board without one: counts and logs.
/// A real board passes its GPIO pin, any `embedded_hal::digital::OutputPin`.
#[derive(Default)]
pub struct LoggedPin {
    /// Times the line was raised.
    pub raised: u32,
}

impl embedded_hal::digital::ErrorType for LoggedPin {
    type Error = Infallible;
}

impl embedded_hal::digital::OutputPin for LoggedPin {
    fn set_high(&mut self) -> Result<(), Infallible> {
        self.raised += 1;
        Ok(())
    }

    fn set_low(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}
