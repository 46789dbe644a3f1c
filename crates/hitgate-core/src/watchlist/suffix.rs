//! The suffix index: one `u32` an entry, the entries sorted by reversed
//! skeleton, each word carrying a key above the entry's position.

use super::*;

/// How a suffix-index word splits: the low `pos_bits` hold an entry's
/// position, the bits above its *key*. Without fences the key is the
/// leading bits of the entry's reversed skeleton (its last characters, last
/// first): a binary search over the suffix index compares those bits first
/// and reads the entry only when they tie (with 10,000 entries they hold
/// three characters, with 1,000,000 two). With fences, which narrow a
/// suffix search to a few blocks, the key is the entry's second and third
/// characters instead: enough to turn down most entries of a block
/// that cannot be within one edit of the read, without reading them.
#[derive(Clone, Copy)]
pub(super) struct SuffixSlot {
    pub(super) pos_bits: u32,
    /// The key is the second and third characters.
    pub(super) chars: bool,
}

/// Bits of the second and third characters of a skeleton.
const CHARS_BITS: u32 = 2 * CODE_BITS;

impl SuffixSlot {
    /// The split for `len` entries (at most `u32::MAX / 2`, so at least one
    /// bit is left for the key); the key holds characters when `fenced` and
    /// there is room for two.
    pub(super) fn for_len(len: usize, fenced: bool) -> Self {
        let last = len.saturating_sub(1) as u32;
        let pos_bits = (u32::BITS - last.leading_zeros()).max(1);
        Self {
            pos_bits,
            chars: fenced && u32::BITS - pos_bits >= CHARS_BITS,
        }
    }

    /// Bits of key a word holds.
    #[inline]
    pub(super) fn key_bits(self) -> u32 {
        u32::BITS - self.pos_bits
    }

    /// The word of the entry at `pos` whose skeleton is `skel`.
    pub(super) fn word(self, skel: u64, pos: u32) -> u32 {
        let key = if self.chars {
            second_third(skel)
        } else {
            self.key_of(reversed(skel))
        };
        (key << self.pos_bits) | pos
    }

    /// The leading [`key_bits`](Self::key_bits) of a 60-bit reversed
    /// skeleton (or of a left-aligned reversed suffix).
    #[inline]
    pub(super) fn key_of(self, rev: u64) -> u32 {
        (rev >> (SKEL_BITS - self.key_bits())) as u32
    }

    /// The key bits of a word.
    #[inline]
    pub(super) fn key(self, word: u32) -> u32 {
        word >> self.pos_bits
    }

    /// The entry position of a word.
    #[inline]
    pub(super) fn pos(self, word: u32) -> usize {
        (word & ((1 << self.pos_bits) - 1)) as usize
    }
}

/// The second and third characters of a skeleton, as `c1 << 6 | c2`.
#[inline]
pub(super) fn second_third(skel: u64) -> u32 {
    ((skel >> (SKEL_BITS - 3 * CODE_BITS)) as u32) & ((1 << CHARS_BITS) - 1)
}

/// Can an entry whose second and third characters are `key` (see
/// [`second_third`]) be within one edit of `q`? One edit anywhere leaves
/// one of these equalities (missing characters are code 0 on both sides):
/// a substitution at 0, an edit from 2 on, an insertion at 2 or a deletion
/// at 2 keep `e[1] = q[1]`; a substitution at 1 keeps `e[2] = q[2]`; an
/// insertion at 0 or 1 gives `e[2] = q[1]`; a deletion at 0 or 1 gives
/// `e[1..3] = q[2..4]`.
#[inline]
pub(super) fn may_be_one_edit(key: u32, q: &[u8; 4]) -> bool {
    let (e1, e2) = ((key >> CODE_BITS) as u8, (key as u8) & CODE_MASK as u8);
    let [_, q1, q2, q3] = *q;
    (e1 == q1) | (e2 == q2) | (e2 == q1) | ((e1 == q2) & (e2 == q3))
}

/// The suffix index: each segment's positions sorted by reversed skeleton,
/// each word topped with its key (see [`SuffixSlot`]).
pub(super) fn fill_suffix_index(
    index: &mut [u32],
    entries: &[Entry],
    segments: &[(u32, u32); GROUPS],
    slot: SuffixSlot,
) {
    // The lists without edits need none: their part holds the directory.
    for &(start, end) in segments.iter().skip(1) {
        let Some(idx) = index.get_mut(start as usize..end as usize) else {
            continue;
        };
        for (i, p) in idx.iter_mut().enumerate() {
            *p = start + i as u32;
        }
        idx.sort_unstable_by_key(|&i| (reversed(entries[i as usize].skel()), i));
        for w in idx.iter_mut() {
            *w = slot.word(entries[*w as usize].skel(), *w);
        }
    }
}
