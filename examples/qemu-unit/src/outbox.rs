//! The outbox: encoded hit frames waiting for the uplink. A frame leaves
//! only once the uplink took all of it; when the uplink fails, frames wait
//! (up to `N`), and the oldest is counted and dropped when the box is full.

use embedded_io::Write;
use heapless::{Deque, Vec};
use hitgate_core::hit::Hit;
use hitgate_core::wire::{MAX_FRAME, encode_hit};

/// Frames waiting for the uplink.
pub struct Outbox<const N: usize> {
    frames: Deque<Vec<u8, MAX_FRAME>, N>,
    /// Frames dropped because the box was full.
    pub overflowed: u32,
    /// Frames sent.
    pub sent: u32,
}

impl<const N: usize> Outbox<N> {
    /// Empty.
    pub const fn new() -> Self {
        Self {
            frames: Deque::new(),
            overflowed: 0,
            sent: 0,
        }
    }

    /// Queues a hit's frame.
    pub fn push(&mut self, hit: &Hit) {
        let mut buf = [0u8; MAX_FRAME];
        let Ok(frame) = encode_hit(hit, &mut buf) else {
            return;
        };
        let Ok(frame) = Vec::from_slice(frame) else {
            return;
        };
        if self.frames.is_full() {
            self.frames.pop_front();
            self.overflowed += 1;
        }
        let _ = self.frames.push_back(frame);
    }

    /// Sends what the uplink takes; stops at the first failure.
    pub fn flush<W: Write>(&mut self, uplink: &mut W) {
        while let Some(frame) = self.frames.front() {
            if uplink.write_all(frame).is_err() {
                return;
            }
            self.frames.pop_front();
            self.sent += 1;
        }
    }

    /// Frames waiting.
    pub fn len(&self) -> usize {
        self.frames.len()
    }
}
