//! The membership filter: a blocked Bloom filter in front of the exact
//! searches.

use super::Entry;

/// A (group, 60-bit key) hashed to 32 bits, in 32-bit arithmetic so it is
/// cheap on a 32-bit core too: the filter's blocks and bits, and the
/// order and buckets of the lists without edits (`directory.rs`, group 0),
/// so it must be the same on every target and in every build.
#[inline]
pub(super) fn key_hash(group: u8, key: u64) -> u32 {
    // Fold the 60 bits with an odd multiplier, then the murmur3 finaliser:
    // skeletons of short plates end in zero fields, so their low bits alone
    // say nothing.
    let mut h =
        (key as u32) ^ ((key >> 32) as u32 | u32::from(group) << 28).wrapping_mul(0x9E37_79B1);
    h = (h ^ (h >> 16)).wrapping_mul(0x85EB_CA6B);
    h = (h ^ (h >> 13)).wrapping_mul(0xC2B2_AE35);
    h ^ (h >> 16)
}

/// The filter block of a (group, skeleton) and its three bits: a Bloom
/// filter blocked to 32 bits (half a caller word), so a query costs one
/// memory access.
#[inline]
fn filter_slot(words: usize, group: u8, skel: u64) -> (usize, bool, u32) {
    let h = key_hash(group, skel);
    let block = ((u64::from(h) * (2 * words) as u64) >> 32) as usize;
    // Bit positions from a second product: independent of the block's bits.
    let g = h.wrapping_mul(0x2545_F491);
    let bits = (1u32 << (g >> 27)) | (1u32 << ((g >> 22) & 31)) | (1u32 << ((g >> 17) & 31));
    (block / 2, block % 2 == 1, bits)
}

/// The word and four bits of a plate's [`exact_key`]: blocked to a whole
/// 64-bit word, with a bit more. At a byte an entry, 3.3 % of absent keys
/// pass in theory instead of 4.3 % (three bits in half a word; 3.4 and
/// 3.8 % of the lookup bench's near-miss reads): a read the filter
/// lets through pays a search, and exact-only lists see mostly reads that
/// are not on them. Skeleton probes keep half words: a tolerant lookup
/// probes many, and on a 32-bit core each is cheaper so.
#[inline]
fn exact_slot(words: usize, key: u64) -> (usize, u64) {
    let h = key_hash(EXACT_KEYED, key);
    let word = ((u64::from(h) * words as u64) >> 32) as usize;
    let g = h.wrapping_mul(0x2545_F491);
    let bit = |shift: u32| 1u64 << ((g >> shift) & 63);
    (word, bit(26) | bit(20) | bit(14) | bit(8))
}

/// The half of a filter word a block is.
#[inline]
fn filter_half(word: u64, high: bool) -> u32 {
    if high {
        (word >> 32) as u32
    } else {
        word as u32
    }
}

/// The filter's pseudo-group of the entries of exact-only lists, keyed on
/// the plate itself ([`exact_key`]): groups 0 to 2 are keyed on skeletons.
pub(super) const EXACT_KEYED: u8 = 3;

/// The filter key of a plate itself: its bytes, two loads, mixed by one
/// multiplication into 60 bits (the filter hashes those). A look-alike
/// misread of a listed plate has the listed skeleton, so only this key
/// turns it down before a search; it costs a read a handful of
/// operations, no per-character work.
#[inline]
pub(super) fn exact_key(plate: &crate::plate::Plate) -> u64 {
    let (low, high) = plate.words();
    (low ^ u64::from(high).rotate_right(16)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 4
}

/// Fills the filter with every entry's (group, key) as `key` gives it; an
/// empty filter stays empty (no filter).
pub(super) fn fill_filter(
    filter: &mut [u64],
    entries: &[Entry],
    key: impl Fn(&Entry) -> (u8, u64),
) {
    filter.fill(0);
    for e in entries {
        let (group, k) = key(e);
        filter_insert(filter, group, k);
    }
}

/// Sets a (group, key)'s bits: an [`exact_key`] when `group` is
/// [`EXACT_KEYED`], a skeleton otherwise.
pub(super) fn filter_insert(filter: &mut [u64], group: u8, skel: u64) {
    if group == EXACT_KEYED {
        let (word, mask) = exact_slot(filter.len(), skel);
        if let Some(w) = filter.get_mut(word) {
            *w |= mask;
        }
        return;
    }
    let (word, high, bits) = filter_slot(filter.len(), group, skel);
    if let Some(w) = filter.get_mut(word) {
        *w |= if high {
            u64::from(bits) << 32
        } else {
            u64::from(bits)
        };
    }
}

/// May an entry of this group have this skeleton? Always yes without a
/// filter.
#[inline]
pub(super) fn filter_may_contain(filter: &[u64], group: u8, skel: u64) -> bool {
    if filter.is_empty() {
        return true;
    }
    let (word, high, bits) = filter_slot(filter.len(), group, skel);
    filter
        .get(word)
        .is_none_or(|&w| filter_half(w, high) & bits == bits)
}

/// May an entry of an exact-only list be this plate ([`exact_key`])? Always
/// yes without a filter.
#[inline]
pub(super) fn exact_may_contain(filter: &[u64], key: u64) -> bool {
    if filter.is_empty() {
        return true;
    }
    let (word, mask) = exact_slot(filter.len(), key);
    filter.get(word).is_none_or(|&w| w & mask == mask)
}
