//! The directory of the lists that allow no edit: their entries sorted by
//! a hash of the skeleton, and the start of each bucket of hashes, so that
//! an exact or look-alike lookup reads one small run of entries (a cache
//! line or two) found in one step, instead of searching a sorted array.
//!
//! Those lists need no suffix index (a suffix index serves edits), so the
//! directory lives in their part of the `u32` slice: no memory beyond the
//! 24 bytes an entry.

use super::*;

/// Entries a bucket holds on average, from this number to twice it, in a
/// segment of `n` entries: the directory takes a word for every this many
/// entries, and a lookup scans a bucket. Two, fewer entries to compare,
/// where the entries answer from a cache or at once (a microcontroller's
/// memory); eight where a large list lies outside the caches, above
/// [`WIDE_BUCKETS_ABOVE`] entries on a 64-bit host: the neighbouring
/// entries of a bucket cost little more than its first, and the smaller
/// directory stays in cache (measured in `BENCHMARKS.md`, "On near-miss
/// traffic").
pub(super) const fn bucket_entries(n: usize) -> usize {
    if WIDE && n > WIDE_BUCKETS_ABOVE { 8 } else { 2 }
}

/// Entries (of the lists without edits) above which a 64-bit host makes
/// its buckets wide: about 2.5 MB of entries, more than a core's share of
/// the nearest large cache.
pub(super) const WIDE_BUCKETS_ABOVE: usize = 1 << 17;

/// The group of lists without edits, as its directory finds it: bucket
/// `b` holds the entries whose hash's top `bits` bits are `b`, from the
/// position in directory word `b` to the one in word `b + 1` (the
/// segment's end for the last bucket). Worked out from the segment's
/// length at each lookup rather than kept in the `Watchlist`: a field
/// there cost the Cortex-M4 24 instructions a read, lists without edits
/// or not (`examples/qemu-unit/measure.sh`).
#[derive(Clone, Copy)]
pub(super) struct Directory {
    /// Buckets: `1 << bits`.
    pub(super) bits: u32,
}

impl Directory {
    /// The directory of a segment of `n` entries: the largest power of two
    /// of buckets with at least [`bucket_entries`] entries a bucket (one
    /// bucket below that), so it fits in the segment's `n` words.
    pub(super) fn for_len(n: usize) -> Self {
        let buckets = (n / bucket_entries(n)).max(1);
        Self {
            bits: buckets.ilog2(),
        }
    }

    /// The bucket of a hash.
    #[inline]
    fn bucket(self, hash: u32) -> usize {
        match self.bits {
            0 => 0,
            b => (hash >> (32 - b)) as usize,
        }
    }

    /// Writes the directory into `words` (the segment's part of the `u32`
    /// slice, at least `1 << bits` words) for `entries`, the segment
    /// sorted by [`Entry::order`], which start at position `start`. Words
    /// past the directory hold the segment's end.
    // Out of line: inlined into a firmware's main (with the build), its
    // locals stayed on the stack under every read (248 bytes on the
    // micro:bit, `examples/qemu-unit/run-all.sh`).
    #[inline(never)]
    pub(super) fn fill(self, words: &mut [u32], entries: &[Entry], start: u32) {
        let end = start + entries.len() as u32;
        let buckets = 1usize << self.bits;
        let mut at = 0;
        for (b, w) in words.iter_mut().enumerate() {
            if b >= buckets {
                *w = end;
                continue;
            }
            while entries
                .get(at)
                .is_some_and(|e| self.bucket(key_hash(0, e.skel())) < b)
            {
                at += 1;
            }
            *w = start + at as u32;
        }
    }

    /// The positions of the bucket `skel` falls in, within `seg`: two
    /// neighbouring words of `words` (the segment's part of the `u32`
    /// slice).
    #[inline]
    pub(super) fn bucket_of(self, words: &[u32], seg: (usize, usize), skel: u64) -> (usize, usize) {
        let b = self.bucket(key_hash(0, skel));
        let start = words.get(b).map_or(seg.1, |&w| w as usize);
        let end = if b + 1 < 1 << self.bits {
            words.get(b + 1).map_or(seg.1, |&w| w as usize)
        } else {
            seg.1
        };
        (start, end.min(seg.1))
    }
}
