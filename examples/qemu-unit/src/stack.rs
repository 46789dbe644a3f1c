//! The stack's high-water mark, for sizing a board's RAM: [`paint`] fills
//! the free stack with a pattern, and [`used`] finds how deep the stack
//! went since by the first byte that lost it. Painted again at a frame,
//! the mark less [`here`] is how deep the calls below that frame went.

#![allow(unsafe_code)] // raw access to the RAM between the statics and the stack

const PATTERN: u32 = 0xA5A5_A5A5;
/// Left alone below the live stack when painting.
const MARGIN: usize = 256;

unsafe extern "C" {
    /// End of the statics: the lowest address the stack may reach.
    static _stack_end: u32;
    /// Top of the stack.
    static _stack_start: u32;
}

fn bounds() -> (usize, usize) {
    // Only the symbols' addresses are taken, never their values.
    (
        core::ptr::addr_of!(_stack_end) as usize,
        core::ptr::addr_of!(_stack_start) as usize,
    )
}

/// Paints the stack below the current frame.
#[inline(never)]
pub fn paint() {
    let (low, _) = bounds();
    let sp = cortex_m::register::msp::read() as usize;
    let mut at = low;
    while at + 4 <= sp.saturating_sub(MARGIN) {
        // SAFETY: word-aligned RAM between the statics and the live stack,
        // which nothing else uses.
        unsafe { core::ptr::write_volatile(at as *mut u32, PATTERN) };
        at += 4;
    }
}

/// Bytes of stack in use where it is called (down to the caller's frame).
#[inline(always)]
pub fn here() -> usize {
    let (_, high) = bounds();
    high - cortex_m::register::msp::read() as usize
}

/// Bytes of stack used at most since [`paint`], and the bytes the board
/// has for it.
pub fn used() -> (usize, usize) {
    let (low, high) = bounds();
    let mut at = low;
    // SAFETY: reads of word-aligned RAM below the live stack.
    while at < high && unsafe { core::ptr::read_volatile(at as *const u32) } == PATTERN {
        at += 4;
    }
    (high - at, high - low)
}
