//! The uplink side of the unit: the core's [`Outbox`] (delivery order,
//! what gives way when full, acknowledgement) over an `embedded-io` uplink.
//! A frame the uplink took whole counts as acknowledged here, since this
//! uplink is a file; a unit on a network keeps it until the central side
//! acknowledges it.

use embedded_io::Write;
use hitgate_core::hit::Hit;
use hitgate_core::outbox::{Outbox, OutboxSlot};

/// The outbox, its next sequence number and what it sent.
pub struct Uplink<'s> {
    outbox: Outbox<'s>,
    next_seq: u64,
    /// Frames the uplink took.
    pub sent: u32,
}

impl<'s> Uplink<'s> {
    /// Over the board's outbox slots.
    pub fn new(slots: &'s mut [OutboxSlot]) -> Self {
        Self {
            outbox: Outbox::new(slots),
            next_seq: 0,
            sent: 0,
        }
    }

    /// Queues a hit (a hit that cannot be encoded, or gives way, is counted
    /// by the outbox).
    pub fn push(&mut self, hit: &Hit) {
        if self.outbox.push(hit, self.next_seq).is_ok() {
            self.next_seq += 1;
        }
    }

    /// Sends in delivery order what the uplink takes; stops at the first
    /// failure, and what was not taken is sent again next time.
    pub fn flush<W: Write>(&mut self, uplink: &mut W) {
        while let Some((seq, frame)) = self.outbox.next_unsent() {
            if uplink.write_all(frame).is_err() {
                self.outbox.resend();
                return;
            }
            self.outbox.ack(seq, seq);
            self.sent += 1;
        }
    }

    /// Frames waiting.
    pub fn len(&self) -> usize {
        self.outbox.len()
    }
}
