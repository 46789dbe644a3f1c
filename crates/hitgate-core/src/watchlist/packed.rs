//! Distances counted on packed skeletons, without rebuilding plates
//! (64-bit targets).

use super::*;

/// The distance of a read and a listed plate of its length, counted on
/// their packed forms (skeleton and class members, as in an [`Entry`]):
/// skeleton fields that differ are edits, equal fields whose class members
/// differ look-alike pairs, which is what [`distance()`](crate::distance::distance())
/// counts in place (see [`in_place`]). `None` for another length, or when
/// the in-place alignment does not decide; `Some(None)`: no match.
#[inline]
pub(super) fn packed_distance(
    (qskel, qvar, n): (u64, u32, usize),
    (skel, var): (u64, u32),
    tol: Tolerance,
) -> Option<Option<Distance>> {
    if skel_len(skel) != n || n > MAX_PLATE_LEN {
        return None;
    }
    let tol = tol.effective(n, n);
    let fields = skel ^ qskel;
    // The top bit of each field that differs: adding all ones below the
    // top carries into it from any lower bit set.
    let below = FIELD_LOWS * ((1 << (CODE_BITS - 1)) - 1);
    let differ = (((fields & below) + below) | fields) & !below;
    let edits = differ.count_ones() as u8;
    if edits > 2 {
        // No tolerance allows it, whatever the look-alikes add.
        return in_place(0, edits, tol);
    }
    // A bit at the bottom of each 2-bit member field that differs, but for
    // the (at most two) places whose classes differ: the first and the last
    // differing field.
    let members = var ^ qvar;
    let mut alike = (members | members >> 1) & MEMBER_LOWS;
    if fields != 0 {
        let first = (fields << (u64::BITS - SKEL_BITS)).leading_zeros() / CODE_BITS;
        let last = MAX_PLATE_LEN as u32 - 1 - fields.trailing_zeros() / CODE_BITS;
        alike &= !(1 << (2 * first)) & !(1 << (2 * last));
    }
    in_place(alike.count_ones() as u8, edits, tol)
}

/// Are two skeletons within one substitution, insertion or deletion? Bit
/// operations on the packed forms: a quick filter before the exact check.
#[inline]
pub(super) fn within_one_edit(a: u64, la: usize, b: u64, lb: usize, diff: usize) -> bool {
    match diff {
        0 => {
            // At most one 6-bit field differs: the highest and the lowest
            // differing bit lie in the same field (two bit counts and two
            // divisions by a constant: cheap on a 32-bit core too).
            let x = a ^ b;
            x == 0 || (63 - x.leading_zeros()) / CODE_BITS == x.trailing_zeros() / CODE_BITS
        }
        1 => {
            // The longer one is the shorter one with one character inserted:
            // common prefix plus common suffix cover the shorter one. The
            // suffix is compared with both aligned at their last character.
            let (long, ll, short, ls) = if la > lb {
                (a, la, b, lb)
            } else {
                (b, lb, a, la)
            };
            let lcp = common_fields(long ^ short).min(ls);
            let tail = (long >> (CODE_BITS * (MAX_PLATE_LEN - ll) as u32))
                ^ (short >> (CODE_BITS * (MAX_PLATE_LEN - ls) as u32));
            let lcs = if tail == 0 {
                ls
            } else {
                ((tail.trailing_zeros() / CODE_BITS) as usize).min(ls)
            };
            lcp + lcs >= ls
        }
        _ => false,
    }
}

/// Leading equal 6-bit fields of two skeletons, given their XOR.
#[inline]
fn common_fields(x: u64) -> usize {
    // Skeletons live in the low 60 bits.
    let lz = (x << 4).leading_zeros().min(60);
    (lz / CODE_BITS) as usize
}

/// 64-bit registers: [`one_edit_apart`] is the cheaper test.
pub(super) const WIDE: bool = cfg!(target_pointer_width = "64");

/// Are two packed skeletons (60 bits, first character highest, unused
/// fields zero) within one substitution, insertion or deletion? Past their
/// first differing field, the rest must agree as it stands (a
/// substitution) or with one side moved up a field (an insertion or a
/// deletion): three comparisons of shifted words. A quick filter before
/// the exact check.
#[inline]
pub(super) fn one_edit_apart(a: u64, b: u64) -> bool {
    // Top-aligned, so that a shift drops the fields above.
    let (a, b) = (a << (u64::BITS - SKEL_BITS), b << (u64::BITS - SKEL_BITS));
    let x = a ^ b;
    if x == 0 {
        return true;
    }
    // The first differing field starts at bit `f` from the top (at most
    // 54), the rest at `g` (at most 60).
    let f = x.leading_zeros() / CODE_BITS * CODE_BITS;
    let g = f + CODE_BITS;
    let rest = a << g;
    rest == b << g || rest == b << f || a << f == b << g
}

/// [`one_edit_apart`] against a fixed skeleton for skeletons that share
/// its first `p` fields (the entries of a prefix range): when field `p`
/// differs, it is the first differing field, and the three comparisons
/// need no search for it and shift by fixed amounts, the fixed skeleton's
/// side shifted once.
pub(super) struct SharedPrefix {
    /// The fixed skeleton top-aligned, and shifted by `f` and by `g`.
    pub(super) q: u64,
    qf: u64,
    qg: u64,
    /// Field `p` of a top-aligned skeleton.
    pub(super) field: u64,
    pub(super) f: u32,
    pub(super) g: u32,
    pub(super) skel: u64,
}

impl SharedPrefix {
    pub(super) fn new(skel: u64, p: usize) -> Self {
        let p = p.min(MAX_PLATE_LEN - 1) as u32;
        let (f, g) = (CODE_BITS * p, CODE_BITS * (p + 1));
        let q = skel << (u64::BITS - SKEL_BITS);
        Self {
            q,
            qf: q << f,
            qg: q << g,
            field: (CODE_MASK << (u64::BITS - CODE_BITS)) >> f,
            f,
            g,
            skel,
        }
    }

    /// [`one_edit_apart`]`(skel, self.skel)`, for a `skel` that shares the
    /// first `p` fields.
    #[inline(always)]
    pub(super) fn one_edit_apart(&self, skel: u64) -> bool {
        let a = skel << (u64::BITS - SKEL_BITS);
        if (a ^ self.q) & self.field == 0 {
            return one_edit_apart(skel, self.skel);
        }
        let rest = a << self.g;
        rest == self.qg || rest == self.qf || a << self.f == self.qg
    }
}
