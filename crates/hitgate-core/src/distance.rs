//! How far a read is from a listed plate, in OCR-equivalent substitutions and
//! other edits.
//!
//! The distance is a Levenshtein alignment in which a substitution between two
//! characters of the same [confusion class](crate::confusion::ConfusionClasses) may count
//! as *OCR-equivalent* instead of as an *edit*. Both counts are bounded by a
//! [`Tolerance`]; among the alignments within bounds, the best has the fewest
//! changes in total, then the fewest edits.
//!
//! The dynamic programme keeps, for every cell, the set of reachable
//! `(ocr, edits)` pairs with both at most 2 as a 9-bit mask, so it is exact,
//! branch-light and needs 121 `u16` of stack at most.

use crate::confusion::ConfusionClasses;
use crate::plate::MAX_PLATE_LEN;

/// The most OCR-equivalent substitutions or edits a list may allow.
pub const MAX_TOLERANCE: u8 = 2;

/// How much a read may differ from a listed plate and still match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct Tolerance {
    /// Look-alike substitutions allowed (0 to 2).
    pub ocr: u8,
    /// Other substitutions, insertions and deletions allowed (0 to 2).
    pub edits: u8,
    /// Below this length (of the read or of the listed plate) only an exact
    /// match counts: a short plate with one edit allowed matches far too much.
    /// A watchlist never applies tolerance below
    /// [`MIN_TOLERANT_LEN`](crate::watchlist::MIN_TOLERANT_LEN) (3)
    /// characters, whatever this says: 0, 1 and 2 act as 3.
    pub min_len: u8,
}

impl Tolerance {
    /// Exact matching only.
    pub const EXACT: Self = Self {
        ocr: 0,
        edits: 0,
        min_len: 0,
    };

    /// One OCR-equivalent substitution and no other edit, for plates of at
    /// least 5 characters: the usual setting of commercial matchers.
    pub const DEFAULT: Self = Self {
        ocr: 1,
        edits: 0,
        min_len: 5,
    };

    /// The tolerance that applies between plates of these lengths: exact when
    /// either is shorter than `min_len`.
    pub(crate) fn effective(self, len_a: usize, len_b: usize) -> Self {
        if len_a.min(len_b) < self.min_len as usize {
            Self::EXACT
        } else {
            self
        }
    }

    /// Is this tolerance within what the matcher supports?
    pub fn is_valid(&self) -> bool {
        self.ocr <= MAX_TOLERANCE && self.edits <= MAX_TOLERANCE
    }
}

impl Default for Tolerance {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The changes between a read and a listed plate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Distance {
    /// OCR-equivalent substitutions.
    pub ocr: u8,
    /// Other substitutions, insertions and deletions.
    pub edits: u8,
}

impl Distance {
    /// Total number of changes.
    pub fn total(&self) -> u8 {
        self.ocr.saturating_add(self.edits)
    }

    /// Ranking key: fewer changes first, then OCR-equivalent before edits.
    pub(crate) fn rank(&self) -> (u8, u8) {
        (self.total(), self.edits)
    }
}

/// Bit of the state `(ocr, edits)`.
const fn bit(ocr: u8, edits: u8) -> u16 {
    1 << (ocr * 3 + edits)
}

/// States whose edit count can still grow by one without leaving the mask.
const EDITS_BELOW_MAX: u16 = {
    let mut m = 0;
    let mut o = 0;
    while o < 3 {
        m |= bit(o, 0) | bit(o, 1);
        o += 1;
    }
    m
};

/// States allowed by a tolerance.
fn allowed(tol: Tolerance) -> u16 {
    let mut m = 0;
    for o in 0..=tol.ocr.min(MAX_TOLERANCE) {
        for e in 0..=tol.edits.min(MAX_TOLERANCE) {
            m |= bit(o, e);
        }
    }
    m
}

/// The best distance from `read` to `listed` within `tol`, or `None`.
///
/// Both are canonical plates (`A-Z0-9`). The minimum length of `tol` is
/// applied here.
///
/// ```
/// use hitgate_core::{distance::distance, confusion::ConfusionClasses, distance::Distance, distance::Tolerance};
/// let c = ConfusionClasses::default();
/// let tol = Tolerance { ocr: 1, edits: 1, min_len: 5 };
/// assert_eq!(distance(b"1ABC234", b"1ABC234", &c, tol), Some(Distance { ocr: 0, edits: 0 }));
/// assert_eq!(distance(b"1A8C234", b"1ABC234", &c, tol), Some(Distance { ocr: 1, edits: 0 }));
/// assert_eq!(distance(b"1A8C24", b"1ABC234", &c, tol), Some(Distance { ocr: 1, edits: 1 }));
/// assert_eq!(distance(b"1A8C2", b"1ABC234", &c, tol), None);
/// ```
pub fn distance(
    read: &[u8],
    listed: &[u8],
    classes: &ConfusionClasses,
    tol: Tolerance,
) -> Option<Distance> {
    let (n, m) = (read.len(), listed.len());
    if n == 0 || m == 0 || n > MAX_PLATE_LEN || m > MAX_PLATE_LEN {
        return None;
    }
    let tol = tol.effective(n, m);
    if n.abs_diff(m) > tol.edits as usize {
        return None;
    }
    // Equal plates too (no call to compare slices first).
    if let Some(decided) = few_changes(read, listed, classes, tol) {
        return decided;
    }
    // Most pairs the programme would see are two different plates (an
    // unmatched read against a passage's listed plate, as evidence): the
    // counts of their characters tell it for less.
    if edits_at_least(read, listed, classes) > usize::from(tol.edits) {
        return None;
    }
    let mask = allowed(tol);
    let band = tol.edits as usize;
    const W: usize = MAX_PLATE_LEN + 1;
    let mut prev = [0u16; W];
    let mut cur = [0u16; W];
    // Row 0: insertions only.
    prev[0] = bit(0, 0);
    for j in 1..=m {
        prev[j] = ((prev[j - 1] & EDITS_BELOW_MAX) << 1) & mask;
    }
    for i in 1..=n {
        let a = read[i - 1];
        let ra = classes.rep_of(a);
        cur.fill(0);
        cur[0] = ((prev[0] & EDITS_BELOW_MAX) << 1) & mask;
        let lo = i.saturating_sub(band).max(1);
        let hi = (i + band).min(m);
        for j in lo..=hi {
            let b = listed[j - 1];
            let diag = prev[j - 1];
            let mut s = ((prev[j] | cur[j - 1]) & EDITS_BELOW_MAX) << 1;
            if a == b {
                s |= diag;
            } else {
                s |= (diag & EDITS_BELOW_MAX) << 1;
                if ra == classes.rep_of(b) {
                    s |= diag << 3;
                }
            }
            cur[j] = s & mask;
        }
        core::mem::swap(&mut prev, &mut cur);
    }
    best(prev[m])
}

/// Whether `read` is within `tol` of `listed`, with at most `changes`
/// look-alikes and edits together: [`distance`], after a test that most
/// pairs of two different plates fail in a few instructions (the unit asks
/// it of every unmatched frame against the open passages of its camera). A
/// look-alike substitution keeps a character's class, so every class that
/// only one of the two plates has takes an edit of its own (a deletion, or
/// another substitution); more such classes on either side than
/// `tol.edits` (or `changes`) cannot fit.
pub(crate) fn within(
    read: &[u8],
    listed: &[u8],
    classes: &ConfusionClasses,
    tol: Tolerance,
    changes: u8,
) -> bool {
    let classes_of = |p: &[u8]| p.iter().fold(0u64, |m, &c| m | 1u64 << classes.rep_of(c));
    let (r, l) = (classes_of(read), classes_of(listed));
    let edits = tol.edits.min(changes);
    if more_than(r & !l, edits) || more_than(l & !r, edits) {
        return false;
    }
    distance(read, listed, classes, tol).is_some_and(|d| d.total() <= changes)
}

/// Has `bits` more than `n` bits set? (At most `n` + 1 steps.)
fn more_than(mut bits: u64, n: u8) -> bool {
    for _ in 0..=n {
        if bits == 0 {
            return false;
        }
        bits &= bits - 1;
    }
    true
}

/// The distance without the dynamic programme where the alignments that
/// can fit the tolerance are few enough to try them all: `Some(result)`
/// then, `None` when the programme must decide.
///
/// With at most two edits allowed, an alignment of plates of one length has
/// no indel or two (an insertion and a deletion), and one of plates one
/// character apart exactly one indel (three would be three edits):
///
/// * one length: the alignment in place changes `t` places. When `t <= 2`
///   it is best (an alignment with two indels has two changes or more and
///   two edits), and when the list allows fewer than two edits it is the
///   only one that can fit. Otherwise the programme decides.
/// * one apart: every position of the one indel is tried, each with the
///   other characters compared in place.
///
/// A look-alike pair may count as an edit instead (the programme allows the
/// same), when the list allows fewer look-alikes than there are.
fn few_changes(
    read: &[u8],
    listed: &[u8],
    classes: &ConfusionClasses,
    tol: Tolerance,
) -> Option<Option<Distance>> {
    // Differences of a pair of characters: (any, not look-alike).
    let differ = |a: u8, b: u8| -> (u8, u8) {
        if a == b {
            (0, 0)
        } else if classes.rep_of(a) == classes.rep_of(b) {
            (1, 0)
        } else {
            (1, 1)
        }
    };
    if read.len() == listed.len() {
        let (mut diff, mut other) = (0u8, 0u8);
        for (&a, &b) in read.iter().zip(listed) {
            let (d, o) = differ(a, b);
            diff += d;
            other += o;
        }
        return in_place(diff - other, other, tol);
    }
    let (long, short) = if read.len() > listed.len() {
        (read, listed)
    } else {
        (listed, read)
    };
    if long.len() != short.len() + 1 || long.len() > MAX_PLATE_LEN {
        return None;
    }
    // `long` without its character `i` against `short` in place: `head[i]`
    // counts the differences of the first `i` characters, `tail` those
    // after `i`.
    let mut head = [(0u8, 0u8); MAX_PLATE_LEN + 1];
    for (i, (&a, &b)) in short.iter().zip(long).enumerate() {
        let (d, o) = differ(a, b);
        let (hd, ho) = head[i];
        head[i + 1] = (hd + d, ho + o);
    }
    let mut best: Option<Distance> = None;
    let mut tail = (0u8, 0u8);
    for i in (0..=short.len()).rev() {
        if let (Some(&a), Some(&b)) = (short.get(i), long.get(i + 1)) {
            let (d, o) = differ(a, b);
            tail = (tail.0 + d, tail.1 + o);
        }
        let (hd, ho) = head[i];
        let (diff, other) = (hd + tail.0, ho + tail.1);
        if let Some(d) = fit(diff - other, 1 + other, tol)
            && best.is_none_or(|b| d.rank() < b.rank())
        {
            best = Some(d);
        }
    }
    Some(best)
}

/// A lower bound on the edits other than look-alike substitutions that
/// turn `read` into `listed`, from how many times each class
/// representative occurs in each: a look-alike substitution changes no
/// count, another substitution two counts by one, an insertion or a
/// deletion one count by one.
fn edits_at_least(read: &[u8], listed: &[u8], classes: &ConfusionClasses) -> usize {
    let mut count = [0i8; 64];
    let slot = |c: u8| usize::from(classes.rep_of(c) & 63);
    for &c in read {
        count[slot(c)] += 1;
    }
    for &c in listed {
        count[slot(c)] -= 1;
    }
    // The differences, each representative once (zeroed when counted).
    let mut apart = 0usize;
    for &c in read.iter().chain(listed) {
        let k = &mut count[slot(c)];
        apart += usize::from(k.unsigned_abs());
        *k = 0;
    }
    apart.div_ceil(2)
}

/// `ocr` look-alike pairs and `edits` other differences within the
/// tolerance, moving look-alikes to edits when the list allows fewer.
fn fit(ocr: u8, edits: u8, tol: Tolerance) -> Option<Distance> {
    let moved = ocr.saturating_sub(tol.ocr);
    (edits.saturating_add(moved) <= tol.edits).then_some(Distance {
        ocr: ocr - moved,
        edits: edits + moved,
    })
}

/// The distance of two plates of one length from the differences of their
/// characters compared in place, `ocr` look-alike pairs and `edits` other
/// pairs, under a tolerance already made [`effective`](Tolerance::effective):
/// `Some(result)` when that alignment decides (see [`few_changes`]), `None`
/// when the dynamic programme must. The watchlist counts the differences
/// from packed entries without rebuilding the listed plate.
pub(crate) fn in_place(ocr: u8, edits: u8, tol: Tolerance) -> Option<Option<Distance>> {
    let diff = ocr.saturating_add(edits);
    (diff <= 2 || tol.edits < 2).then(|| fit(ocr, edits, tol))
}

/// The best state of a mask.
fn best(states: u16) -> Option<Distance> {
    let mut best: Option<Distance> = None;
    for ocr in 0..=MAX_TOLERANCE {
        for edits in 0..=MAX_TOLERANCE {
            if states & bit(ocr, edits) != 0 {
                let d = Distance { ocr, edits };
                if best.is_none_or(|b| d.rank() < b.rank()) {
                    best = Some(d);
                }
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The classes' test never turns away a pair `distance` fits with
        /// at most `changes` in all.
        #[test]
        fn within_agrees_with_distance(
            read in "[0-9A-Z]{1,10}",
            listed in "[0-9A-Z]{1,10}",
            edit in proptest::option::of((0usize..10, "[0-9A-Z]")),
            ocr in 0u8..=2,
            edits in 0u8..=2,
            changes in 0u8..=5,
        ) {
            let c = ConfusionClasses::default();
            let tol = Tolerance { ocr, edits, min_len: 3 };
            // Near pairs too: the listed plate with one character changed.
            let near: std::string::String = match edit {
                Some((at, ch)) if at < listed.len() => {
                    let mut s = listed.clone();
                    s.replace_range(at..at + 1, &ch);
                    s
                }
                _ => read.clone(),
            };
            for r in [&read, &near] {
                let want = distance(r.as_bytes(), listed.as_bytes(), &c, tol)
                    .is_some_and(|d| d.ocr + d.edits <= changes);
                proptest::prop_assert_eq!(within(r.as_bytes(), listed.as_bytes(), &c, tol, changes), want);
            }
        }
    }

    #[test]
    fn within_turns_away_plates_of_other_classes() {
        let c = ConfusionClasses::default();
        let t = Tolerance {
            ocr: 2,
            edits: 2,
            min_len: 5,
        };
        // Three classes 1ABC234 has that 1XYZ234 lacks: three edits.
        assert!(!within(b"1XYZ234", b"1ABC234", &c, t, 4));
        // Look-alikes keep their classes: 1A8C2S4 is two look-alikes off.
        assert!(within(b"1A8C2S4", b"1ABC234", &c, t, 4));
        // Two classes apart each way and two edits: fits.
        assert!(within(b"1AXY234", b"1ABC234", &c, t, 4));
        // 1OOO832 is a look-alike and two edits from 1DKN832: three
        // changes, within 2 look-alikes and 2 edits, not within 2 in all.
        assert!(within(b"1OOO832", b"1DKN832", &c, t, 3));
        assert!(!within(b"1OOO832", b"1DKN832", &c, t, 2));
        // Two edits, or a look-alike and an edit, are two changes.
        assert!(within(b"1AXY234", b"1ABC234", &c, t, 2));
        assert!(within(b"1A8Y234", b"1ABC234", &c, t, 2));
        assert!(!within(b"1A8Y234", b"1ABC234", &c, t, 1));
        assert!(!more_than(0b1010, 2) && more_than(0b1011, 2) && !more_than(0, 0));
    }

    fn d(read: &str, listed: &str, ocr: u8, edits: u8) -> Option<(u8, u8)> {
        let tol = Tolerance {
            ocr,
            edits,
            min_len: 0,
        };
        distance(
            read.as_bytes(),
            listed.as_bytes(),
            &ConfusionClasses::default(),
            tol,
        )
        .map(|d| (d.ocr, d.edits))
    }

    #[test]
    fn character_counts_bound_the_edits_from_below() {
        let c = ConfusionClasses::default();
        // Worked out by hand: two neighbours swapped change no count; a
        // look-alike none (B and 8 share a class); a dropped character
        // one; seven characters of other classes fourteen, seven edits.
        assert_eq!(edits_at_least(b"1ABC234", b"1ABC243", &c), 0);
        assert_eq!(edits_at_least(b"1ABC234", b"1A8C234", &c), 0);
        assert_eq!(edits_at_least(b"1ABC234", b"1ABC24", &c), 1);
        assert_eq!(edits_at_least(b"1ABC234", b"9XYW765", &c), 7);
        // B stands for 8: 9XYW876 shares one.
        assert_eq!(edits_at_least(b"1ABC234", b"9XYW876", &c), 6);
        // And the unit's evidence case: another car at its camera.
        assert_eq!(
            distance(
                b"1XYW876",
                b"1ABC234",
                &c,
                Tolerance {
                    ocr: 2,
                    edits: 2,
                    min_len: 5
                }
            ),
            None
        );
    }

    #[test]
    fn tolerance_boundaries() {
        assert_eq!(d("1ABC234", "1ABC234", 0, 0), Some((0, 0)));
        // One look-alike: needs ocr >= 1, or counts as an edit.
        assert_eq!(d("1A8C234", "1ABC234", 0, 0), None);
        assert_eq!(d("1A8C234", "1ABC234", 1, 0), Some((1, 0)));
        assert_eq!(d("1A8C234", "1ABC234", 0, 1), Some((0, 1)));
        // Two look-alikes.
        assert_eq!(d("1A8C2E4", "1ABC2E4", 1, 0), Some((1, 0)));
        assert_eq!(d("IA8C234", "1ABC234", 1, 0), None);
        assert_eq!(d("IA8C234", "1ABC234", 2, 0), Some((2, 0)));
        assert_eq!(d("IA8C234", "1ABC234", 1, 1), Some((1, 1)));
        // Other substitution, deletion, insertion.
        assert_eq!(d("1AXC234", "1ABC234", 2, 0), None);
        assert_eq!(d("1AXC234", "1ABC234", 0, 1), Some((0, 1)));
        assert_eq!(d("1AC234", "1ABC234", 2, 1), Some((0, 1)));
        assert_eq!(d("1ABBC234", "1ABC234", 2, 1), Some((0, 1)));
        assert_eq!(d("1AC23", "1ABC234", 2, 1), None);
        assert_eq!(d("1AC23", "1ABC234", 0, 2), Some((0, 2)));
        // A look-alike and an edit.
        assert_eq!(d("1A8C24", "1ABC234", 1, 1), Some((1, 1)));
        assert_eq!(d("1A8C24", "1ABC234", 1, 0), None);
    }

    #[test]
    fn each_class_counts_as_ocr() {
        for class in crate::confusion::DEFAULT_CLASSES {
            for a in class.bytes() {
                for b in class.bytes().filter(|&b| b != a) {
                    let read = [b'X', a, b'Y', b'7', b'7'];
                    let listed = [b'X', b, b'Y', b'7', b'7'];
                    let c = ConfusionClasses::default();
                    let tol = Tolerance {
                        ocr: 1,
                        edits: 0,
                        min_len: 5,
                    };
                    assert_eq!(
                        distance(&read, &listed, &c, tol),
                        Some(Distance { ocr: 1, edits: 0 }),
                        "{} ~ {}",
                        a as char,
                        b as char
                    );
                }
            }
        }
    }

    #[test]
    fn min_len_means_exact() {
        let c = ConfusionClasses::default();
        let tol = Tolerance {
            ocr: 2,
            edits: 2,
            min_len: 5,
        };
        assert_eq!(distance(b"AB12", b"AB13", &c, tol), None);
        assert_eq!(
            distance(b"AB12", b"AB12", &c, tol),
            Some(Distance::default())
        );
        assert_eq!(
            distance(b"AB123", b"AB128", &c, tol),
            Some(Distance { ocr: 0, edits: 1 })
        );
        // The read is long enough but the listed plate is not.
        assert_eq!(distance(b"AB123", b"AB12", &c, tol), None);
    }

    #[test]
    fn bad_lengths_are_no_match() {
        let c = ConfusionClasses::default();
        let tol = Tolerance {
            ocr: 2,
            edits: 2,
            min_len: 0,
        };
        assert_eq!(distance(b"", b"A", &c, tol), None);
        assert_eq!(distance(b"AAAAAAAAAAA", b"AAAAAAAAAA", &c, tol), None);
    }
}
