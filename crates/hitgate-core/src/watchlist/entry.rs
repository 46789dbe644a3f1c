//! The packed entry (20 bytes) and the bit operations on skeletons:
//! ten 6-bit class codes, first character highest.

use super::*;

/// Bits of the list id at the bottom of an entry key.
pub(super) const LIST_BITS: u32 = 4;
/// Country codes: 0 (none) and 1..=676.
pub(super) const COUNTRY_CODES: u32 = 677;

/// A stored entry: 20 bytes, opaque. Read entries back with
/// [`Watchlist::entry`].
///
/// Layout: a 64-bit key, the plate's *skeleton* (ten 6-bit
/// class-representative codes, first character highest) above the list id
/// (4 bits), so that the sort order is one integer comparison; 20 bits that say which member of
/// its look-alike class each character is (the exact plate is the skeleton
/// plus these); priority and country in 12 bits; the validity window in two
/// `u32` seconds.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    // Low half first: on a little-endian core the two halves are one
    // 64-bit load.
    pub(super) key_lo: u32,
    pub(super) key_hi: u32,
    /// variant (20 bits) << 12 | priority * 677 + country
    pub(super) meta: u32,
    /// Seconds since the epoch; 0 = no lower bound.
    pub(super) from: u32,
    /// Seconds since the epoch, exclusive; 0 = no upper bound (so that an
    /// unused slot is all zero bytes and static storage costs no flash).
    pub(super) until: u32,
}

impl Entry {
    /// An unused slot, for initialising static storage.
    pub const EMPTY: Self = Self {
        key_lo: 0,
        key_hi: 0,
        meta: 0,
        from: 0,
        until: 0,
    };

    /// The entry of a skeleton and its class members (`variant`) on
    /// `list`, with priority and country packed as `priority * 677 +
    /// country` (`pc`), and the validity window in seconds.
    pub(super) fn pack(skel: u64, list: ListId, variant: u32, pc: u32, window: (u32, u32)) -> Self {
        let key = (skel << LIST_BITS) | u64::from(list.0);
        Self {
            key_hi: (key >> 32) as u32,
            key_lo: key as u32,
            meta: (variant << 12) | pc,
            from: window.0,
            until: window.1,
        }
    }

    #[inline]
    pub(super) fn key(&self) -> u64 {
        (u64::from(self.key_hi) << 32) | u64::from(self.key_lo)
    }

    #[inline]
    pub(super) fn skel(&self) -> u64 {
        self.key() >> LIST_BITS
    }

    #[inline]
    pub(super) fn list(&self) -> ListId {
        ListId((self.key() & ((1 << LIST_BITS) - 1)) as u8)
    }

    /// Where the entry stands in the sorted entries: by search group,
    /// then, in the group of lists without edits, by the skeleton's hash
    /// (`key_hash`, see [`Directory`]), then by key (skeleton and list),
    /// exact plate and country. Equal orders are duplicates.
    #[inline]
    pub(super) fn order(&self, group: u8) -> (u8, u32, u64, u32, u16) {
        let hash = if group == 0 {
            key_hash(0, self.skel())
        } else {
            0
        };
        (group, hash, self.key(), self.variant(), self.country_code())
    }

    pub(super) fn variant(&self) -> u32 {
        self.meta >> 12
    }

    pub(super) fn priority(&self) -> Priority {
        Priority((((self.meta & 0xFFF) / COUNTRY_CODES) as u8).min(4))
    }

    pub(super) fn country_code(&self) -> u16 {
        ((self.meta & 0xFFF) % COUNTRY_CODES) as u16
    }

    pub(super) fn is_valid_at(&self, now: u64) -> bool {
        now >= u64::from(self.from) * 1000
            && (self.until == 0 || now < u64::from(self.until) * 1000)
    }

    /// The exact plate, from the skeleton and the class members: one pass
    /// over the skeleton's characters, ending early at an unknown member
    /// (only in a corrupt entry).
    pub(super) fn plate(&self, classes: &ConfusionClasses) -> Plate {
        let skel = self.skel();
        let len = skel_len(skel);
        let mut skel = skel << (u64::BITS - SKEL_BITS);
        let mut variant = self.variant();
        let mut chars = [0u8; MAX_PLATE_LEN];
        let mut kept = 0;
        for slot in chars.iter_mut().take(len) {
            let rep = (skel >> (u64::BITS - CODE_BITS)) as u8;
            let c = classes.member_char(rep, (variant & 3) as u8);
            if c == 0 {
                break;
            }
            *slot = c;
            kept += 1;
            skel <<= CODE_BITS;
            variant >>= 2;
        }
        Plate::from_canonical(chars, kept)
    }
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("key", &format_args!("{:#018x}", self.key()))
            .field("meta", &format_args!("{:#010x}", self.meta))
            .field("from", &self.from)
            .field("until", &self.until)
            .finish()
    }
}

/// Number of characters of a skeleton.
#[inline]
pub(super) fn skel_len(skel: u64) -> usize {
    if skel == 0 {
        return 0;
    }
    MAX_PLATE_LEN - (skel.trailing_zeros() / CODE_BITS) as usize
}

/// Skeleton and variant of a plate.
pub(super) fn skel_of(classes: &ConfusionClasses, plate: &Plate) -> (u64, u32) {
    let mut skel = 0u64;
    let mut variant = 0u32;
    for (i, &c) in plate.as_bytes().iter().enumerate().take(MAX_PLATE_LEN) {
        let code = char_code(c);
        let shift = CODE_BITS * (MAX_PLATE_LEN - 1 - i) as u32;
        skel |= u64::from(classes.rep_code(code)) << shift;
        variant |= u32::from(classes.member_of(code) & 3) << (2 * i);
    }
    (skel, variant)
}

/// A skeleton with its characters in reverse order (padding stays at the
/// end): bit operations only.
#[inline]
pub(super) fn reversed(skel: u64) -> u64 {
    let len = skel_len(skel);
    let mut out = 0u64;
    let mut x = skel >> (CODE_BITS * (MAX_PLATE_LEN - len) as u32);
    // x holds the characters in its low bits, last character lowest.
    for _ in 0..len {
        out = (out << CODE_BITS) | (x & CODE_MASK);
        x >>= CODE_BITS;
    }
    out << (CODE_BITS * (MAX_PLATE_LEN - len) as u32)
}

/// The first `k` characters of the reversed skeleton (its last `k`
/// characters, last first), as a `k`-field number: the order of the suffix
/// index restricted to `k` characters.
#[inline]
pub(super) fn rev_tail(skel: u64, k: usize) -> u64 {
    let len = skel_len(skel);
    let x = skel >> (CODE_BITS * (MAX_PLATE_LEN - len) as u32);
    if k <= 5 {
        // Five fields fit 30 bits: reverse them in 32-bit arithmetic.
        let mut x = x as u32;
        let mut out = 0u32;
        for _ in 0..k {
            out = (out << CODE_BITS) | (x & CODE_MASK as u32);
            x >>= CODE_BITS;
        }
        return u64::from(out);
    }
    let mut x = x;
    let mut out = 0u64;
    for _ in 0..k {
        out = (out << CODE_BITS) | (x & CODE_MASK);
        x >>= CODE_BITS;
    }
    out
}

/// The last `k` characters of a skeleton (1 to 10), as a `k`-field number.
/// A shorter skeleton gives zero fields in front, which no character
/// matches.
#[inline]
pub(super) fn tail(skel: u64, k: usize) -> u64 {
    let k = k.clamp(1, MAX_PLATE_LEN) as u32;
    let x = skel >> (CODE_BITS * (MAX_PLATE_LEN - skel_len(skel)) as u32);
    x & ((1 << (CODE_BITS * k)) - 1)
}

/// A skeleton with its character `i` deleted (the rest moves up).
#[inline]
pub(super) fn delete_field(key: u64, i: usize) -> u64 {
    let above = CODE_BITS * (MAX_PLATE_LEN - i.min(MAX_PLATE_LEN)) as u32;
    let below = above.saturating_sub(CODE_BITS);
    let high = if above >= 64 {
        0
    } else {
        (key >> above) << above
    };
    let low = key & ((1u64 << below) - 1);
    high | (low << CODE_BITS)
}

/// `key` (a skeleton of fewer than [`MAX_PLATE_LEN`] characters) with
/// `code` inserted before its character `i`.
pub(super) fn insert_field(key: u64, i: usize, code: u8) -> u64 {
    let above = CODE_BITS * (MAX_PLATE_LEN - i.min(MAX_PLATE_LEN)) as u32;
    let high = if above >= 64 {
        0
    } else {
        (key >> above) << above
    };
    let rest = key & ((1u64 << above) - 1);
    let at = u64::from(code) & CODE_MASK;
    high | (at << above.saturating_sub(CODE_BITS)) | (rest >> CODE_BITS)
}

/// Packs skeleton codes as a prefix key: `(lo, hi)` of all keys that start
/// with `codes`.
pub(super) fn prefix_range(codes: &[u8]) -> (u64, u64) {
    // Fixed shifts while packing, one variable shift at the end: cheap on a
    // 32-bit core, where every 64-bit shift by a variable is a sequence.
    let codes = codes.get(..MAX_PLATE_LEN).unwrap_or(codes);
    let mut key = 0u64;
    for &c in codes {
        key = (key << CODE_BITS) | u64::from(c & CODE_MASK as u8);
    }
    let free = CODE_BITS * (MAX_PLATE_LEN - codes.len()) as u32;
    let lo = key << free;
    (lo, lo | ((1u64 << free) - 1))
}

/// Bits of a skeleton.
pub(super) const SKEL_BITS: u32 = CODE_BITS * MAX_PLATE_LEN as u32;

/// The lowest bit of each field of a skeleton.
pub(super) const FIELD_LOWS: u64 = {
    let mut m = 0;
    let mut i = 0;
    while i < MAX_PLATE_LEN {
        m |= 1 << (CODE_BITS * i as u32);
        i += 1;
    }
    m
};

/// The lowest bit of each 2-bit field of an entry's class members.
pub(super) const MEMBER_LOWS: u32 = {
    let mut m = 0;
    let mut i = 0;
    while i < MAX_PLATE_LEN {
        m |= 1 << (2 * i);
        i += 1;
    }
    m
};
