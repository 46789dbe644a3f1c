//! What the frames of a passage say about the listed plate: the car on the
//! list, another car that looks like it, or the listed car misread.
//!
//! The whole model is [`judge`], one decision table:
//!
//! 1. Each frame is **aligned** to the listed plate: position by position
//!    when the lengths agree; with the one dropped or inserted character
//!    that leaves the fewest differences when they differ by one, of those
//!    the fewest the engine does not confuse (a look-alike is the likelier
//!    misread: `1OL549` against `1OIJ549` lost its J and reads L for I,
//!    rather than lost its I and reads L for J), then the earliest such
//!    place; a frame two or more characters off takes no part.
//! 2. At each position of the listed plate the frames **vote**, each with
//!    its confidence (a frame with none weighs
//!    [`DEFAULT_CONFIDENCE`](crate::passage::DEFAULT_CONFIDENCE), one with
//!    0 weighs 1).
//! 3. A position **dissents** when one character other than the listed
//!    one is read there by enough frames and outweighs the listed
//!    character: [`Support::lookalike`] frames for a character the engine
//!    confuses with the listed one (the look-alike classes), and
//!    [`Support::unrelated`] frames for any other character where no frame
//!    reads the listed one. The **alternative** is the listed plate with
//!    each dissenting position's character put in.
//!
//! | dissenting positions | the alternative fits a plate format ([`syntax`](crate::syntax)) | verdict |
//! |---|---|---|
//! | none | — | [`Verdict::Listed`]: the frames, together, spell the listed plate |
//! | some | yes | [`Verdict::LookAlike`]: frames agree on another plate a car can carry |
//! | some | no, but the listed plate with only some of them put in does | [`Verdict::LookAlike`], that plate (the most dissents that fit, the earliest on a tie): the others are misreads of a car that is not the listed one |
//! | some | no, nor with any part of them | [`Verdict::Misread`]: the engine misread the listed car the same way |
//!
//! However the agreement is spread (different frames wrong in different
//! places, a frame with a character dropped), a position only dissents
//! on the weight of frames that say the same thing there. One frame that
//! reads a look-alike never does (the unit's
//! [`lookalike_support`](crate::unit::Config::lookalike_support) is 2):
//! confusing look-alikes is what an ANPR engine does. One frame that reads
//! a character the engine does not confuse with the listed one, where no
//! frame reads the listed one, does by default (the unit's
//! [`unrelated_support`](crate::unit::Config::unrelated_support) is 1): a
//! listed car is seldom misread that way, while a list tolerating an edit
//! collects the other cars that differ from a listed plate in one
//! character, most of them read once (`BENCHMARKS.md`, "Hit quality"). A
//! dropped or inserted character is never a dissent (it leaves a gap).
//! The frames are the ones the unit kept for the passage: those that
//! matched, and those near the listed plate
//! ([`Config::evidence`](crate::unit::Config::evidence)).

use crate::confusion::ConfusionClasses;
use crate::passage::MAX_VOTES;
use crate::plate::{Country, MAX_PLATE_LEN, Plate};

/// What the frames say (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Verdict {
    /// The listed plate.
    Listed,
    /// Another plate, which fits a format: another car.
    LookAlike(Plate),
    /// Another plate, which fits no format: the listed car misread.
    Misread(Plate),
}

/// How many frames make a position dissent (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Support {
    /// Frames that read the same look-alike of the listed character.
    pub lookalike: u16,
    /// Frames that read the same character the engine does not confuse
    /// with the listed one, where no frame reads the listed one (0 counts
    /// as 1).
    pub unrelated: u16,
}

/// A frame's characters at the listed plate's positions (0: a gap).
type Aligned = [u8; MAX_PLATE_LEN];

// `judge` keeps the dissenting positions as bits of a `u16`.
const _: () = assert!(MAX_PLATE_LEN <= 16);

/// Differences between `frame` read at `listed`'s positions, skipping the
/// listed position `gap` or the frame's character `skip`.
fn aligned(frame: &[u8], listed_len: usize, gap: Option<usize>, skip: Option<usize>) -> Aligned {
    let mut out = [0u8; MAX_PLATE_LEN];
    let mut chars = frame
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != skip)
        .map(|(_, c)| *c);
    for (i, slot) in out.iter_mut().enumerate().take(listed_len) {
        if Some(i) != gap {
            *slot = chars.next().unwrap_or(0);
        }
    }
    out
}

/// Differences between an aligned frame and `listed`: all of them, and
/// those that are not look-alikes under `classes`.
fn differences(a: &Aligned, listed: &[u8], classes: &ConfusionClasses) -> (usize, usize) {
    listed
        .iter()
        .zip(a)
        .filter(|(l, c)| **c != 0 && *l != *c)
        .fold((0, 0), |(all, unrelated), (l, c)| {
            (all + 1, unrelated + usize::from(!classes.alike(*c, *l)))
        })
}

/// `frame` aligned to `listed` (see the module docs), or `None` when their
/// lengths differ by more than one. `classes`: the look-alikes that break
/// a tie between places of a dropped or inserted character.
pub fn align(
    frame: &[u8],
    listed: &[u8],
    classes: &ConfusionClasses,
) -> Option<[u8; MAX_PLATE_LEN]> {
    let (n, m) = (frame.len(), listed.len());
    if n == m {
        return Some(aligned(frame, m, None, None));
    }
    let candidates = |i: usize| {
        if n + 1 == m {
            aligned(frame, m, Some(i), None)
        } else {
            aligned(frame, m, None, Some(i))
        }
    };
    if n.abs_diff(m) != 1 {
        return None;
    }
    (0..n.max(m))
        .map(candidates)
        .min_by_key(|a| differences(a, listed, classes))
}

/// Judges `frames` (plate and confidence, as a passage keeps them) against
/// the `listed` plate: see the module docs. `classes`: the look-alikes the
/// lists are matched with; `country`: the passage's, or the listed
/// entry's, when known.
///
/// ```
/// use hitgate_core::confusion::ConfusionClasses;
/// use hitgate_core::evidence::{judge, Support, Verdict};
/// use hitgate_core::plate::Plate;
/// let p = |s: &[u8]| Plate::normalize(s).unwrap();
/// let (classes, support) = (ConfusionClasses::default(), Support { lookalike: 2, unrelated: 1 });
/// let listed = p(b"1OKA552");
/// // Three frames of a car that is not the listed one: all read D, not O,
/// // one with a second look-alike, one with a character dropped.
/// let frames = [(p(b"1DKA552"), 80), (p(b"1DKA5S2"), 70), (p(b"1DK552"), 60)];
/// assert_eq!(judge(&listed, &frames, support, &classes, None), Verdict::LookAlike(p(b"1DKA552")));
/// // A listed car whose every frame has one error of its own.
/// let frames = [(p(b"1QKA552"), 80), (p(b"1OKA5S2"), 70), (p(b"1OK4552"), 60)];
/// assert_eq!(judge(&listed, &frames, support, &classes, None), Verdict::Listed);
/// // One frame, one character off that the engine does not confuse (M for
/// // K): another car, which a list tolerating an edit also matches.
/// let frames = [(p(b"1OMA552"), 90)];
/// assert_eq!(judge(&listed, &frames, support, &classes, None), Verdict::LookAlike(p(b"1OMA552")));
/// ```
pub fn judge(
    listed: &Plate,
    frames: &[(Plate, u8)],
    support: Support,
    classes: &ConfusionClasses,
    country: Option<Country>,
) -> Verdict {
    let l = listed.as_bytes();
    let weight = |c: u8| u32::from(c.max(1));
    let mut rows: heapless::Vec<(Aligned, u32), MAX_VOTES> = heapless::Vec::new();
    for (f, c) in frames {
        if let Some(a) = align(f.as_bytes(), l, classes) {
            let _ = rows.push((a, weight(*c)));
        }
    }
    let mut alternative = [0u8; MAX_PLATE_LEN];
    // The dissenting positions, bit i for position i.
    let mut dissent: u16 = 0;
    for (i, (slot, &want)) in alternative.iter_mut().zip(l).enumerate() {
        *slot = want;
        let at = |c: u8| {
            rows.iter()
                .filter(|(a, _)| a.get(i) == Some(&c))
                .fold((0u16, 0u32), |(n, w), (_, x)| (n + 1, w + x))
        };
        let (_, listed_weight) = at(want);
        // The heaviest other character read here, first read first.
        let mut best: Option<(u8, u16, u32)> = None;
        for (a, _) in &rows {
            let c = a.get(i).copied().unwrap_or(0);
            if c == 0 || c == want {
                continue;
            }
            let (n, w) = at(c);
            if best.is_none_or(|(_, _, bw)| w > bw) {
                best = Some((c, n, w));
            }
        }
        let needed = |c: u8| {
            if listed_weight == 0 && !classes.alike(c, want) {
                support.unrelated
            } else {
                support.lookalike
            }
        };
        if let Some((c, n, w)) = best
            && n >= needed(c)
            && w > listed_weight
        {
            *slot = c;
            dissent |= 1 << i;
        }
    }
    if dissent == 0 {
        return Verdict::Listed;
    }
    // The listed plate with the dissents of `keep` put in.
    let with = |keep: u16| {
        let mut plate = [0u8; MAX_PLATE_LEN];
        for (i, (slot, (&want, &other))) in
            plate.iter_mut().zip(l.iter().zip(&alternative)).enumerate()
        {
            *slot = if keep & (1 << i) != 0 { other } else { want };
        }
        Plate::normalize(plate.get(..l.len()).unwrap_or(&[])).ok()
    };
    let Some(all) = with(dissent) else {
        return Verdict::Listed;
    };
    if crate::syntax::fits(&all, country) {
        return Verdict::LookAlike(all);
    }
    // Some dissents spell characters no plate has there (S where a digit
    // goes): those are misreads. The others may still spell another car:
    // the most of them that fit a format, the earliest positions first on
    // a tie (bit-reversed, an earlier position weighs more).
    let mut best: Option<(u32, u16, Plate)> = None;
    let mut keep = dissent;
    while keep != 0 {
        keep = (keep - 1) & dissent;
        if keep == 0 {
            break;
        }
        let rank = (keep.count_ones(), keep.reverse_bits());
        if best.is_some_and(|(n, r, _)| (n, r) >= rank) {
            continue;
        }
        if let Some(plate) = with(keep).filter(|p| crate::syntax::fits(p, country)) {
            best = Some((rank.0, rank.1, plate));
        }
    }
    match best {
        Some((_, _, plate)) => Verdict::LookAlike(plate),
        None => Verdict::Misread(all),
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    fn p(s: &str) -> Plate {
        Plate::normalize(s.as_bytes()).unwrap()
    }

    /// The unit's defaults: two frames for a look-alike, one for another
    /// character.
    const SUPPORT: Support = Support {
        lookalike: 2,
        unrelated: 1,
    };

    fn judge(
        listed: &Plate,
        frames: &[(Plate, u8)],
        support: Support,
        c: Option<Country>,
    ) -> Verdict {
        super::judge(listed, frames, support, &ConfusionClasses::default(), c)
    }

    #[test]
    fn alignment_by_hand() {
        let a = |f: &str, l: &str| {
            align(f.as_bytes(), l.as_bytes(), &ConfusionClasses::default()).map(|a| {
                a.iter()
                    .take(l.len())
                    .map(|&c| if c == 0 { '_' } else { c as char })
                    .collect::<std::string::String>()
            })
        };
        assert_eq!(a("1DKA552", "1OKA552").as_deref(), Some("1DKA552"));
        // A dropped A: the gap goes where it leaves one difference (D/O).
        assert_eq!(a("1DK552", "1OKA552").as_deref(), Some("1DK_552"));
        // An inserted X: skipped.
        assert_eq!(a("1OKXA552", "1OKA552").as_deref(), Some("1OKA552"));
        assert_eq!(a("1OK52", "1OKA552"), None);
        // Two places leave one difference each: a gap at the I leaves L
        // for J (not alike), a gap at the J leaves L for I (alike), the
        // likelier misread.
        assert_eq!(a("1OL549", "1OIJ549").as_deref(), Some("1OL_549"));
        // Two unrelated differences either way: the earliest place.
        assert_eq!(a("1OX549", "1OIJ549").as_deref(), Some("1O_X549"));
    }

    #[test]
    fn the_decision_table_by_hand() {
        let l = p("1ABC234");
        let f = |s: &str, c: u8| (p(s), c);
        // Frames that agree on the listed plate, one noisy.
        assert_eq!(
            judge(
                &l,
                &[f("1ABC234", 80), f("1A8C234", 90), f("1ABC234", 70)],
                SUPPORT,
                None
            ),
            Verdict::Listed
        );
        // Two frames say 8 where the listed plate has B, outweighing it:
        // 1A8C234 fits no Belgian format, so the listed car misread.
        assert_eq!(
            judge(
                &l,
                &[f("1A8C234", 80), f("1A8C234", 70), f("1ABC234", 90)],
                SUPPORT,
                None
            ),
            Verdict::Misread(p("1A8C234"))
        );
        // Each frame wrong in a place of its own: no position dissents.
        assert_eq!(
            judge(&l, &[f("1ABC2S4", 80), f("1A8C234", 70)], SUPPORT, None),
            Verdict::Listed
        );
        // A car 1ABC284 read twice (3 and 8 are not alike, but listed with
        // an edit of tolerance): a format-valid other car.
        let l2 = p("1ABC234");
        assert_eq!(
            judge(
                &l2,
                &[f("1ABC284", 80), f("1ABC284", 70)],
                SUPPORT,
                Some(Country::BE)
            ),
            Verdict::LookAlike(p("1ABC284"))
        );
        // One frame alone, 8 for 3 (not alike), no frame reading 3: another
        // car, unless unrelated characters too need two frames.
        assert_eq!(
            judge(&l2, &[f("1ABC284", 99)], SUPPORT, None),
            Verdict::LookAlike(p("1ABC284"))
        );
        let two = Support {
            lookalike: 2,
            unrelated: 2,
        };
        assert_eq!(judge(&l2, &[f("1ABC284", 99)], two, None), Verdict::Listed);
        // One frame alone never dissents with a look-alike (B for 8).
        assert_eq!(
            judge(&l2, &[f("1A8C234", 99)], SUPPORT, None),
            Verdict::Listed
        );
        // One frame reads 8 for 3, but another reads 3 there: the listed
        // character has weight, so one frame is not enough.
        assert_eq!(
            judge(&l2, &[f("1ABC284", 99), f("1ABC234", 10)], SUPPORT, None),
            Verdict::Listed
        );
        // A taxi TACK675 against a listed 1ACK675, read T for 1 in every
        // frame and S for 5 in the two heavier: the S fits no Belgian
        // format there (a misread), the T does (a category letter and
        // LLLDDD): another car.
        let taxi = [
            f("TACK67S", 77),
            f("TACK675", 69),
            f("TACK67S", 86),
            f("TACK675", 81),
        ];
        assert_eq!(
            judge(&p("1ACK675"), &taxi, SUPPORT, Some(Country::BE)),
            Verdict::LookAlike(p("TACK675"))
        );
        // The same frames with I for 1: no Belgian category is I, so
        // nothing of them fits: the listed car misread.
        let i_for_1 = taxi.map(|(x, c)| {
            let s = x.as_str().replacen('T', "I", 1);
            (p(&s), c)
        });
        assert_eq!(
            judge(&p("1ACK675"), &i_for_1, SUPPORT, Some(Country::BE)),
            Verdict::Misread(p("IACK67S"))
        );
        // Two misread positions and nothing else: no part of them fits.
        assert_eq!(
            judge(
                &l,
                &[f("1A8C2S4", 80), f("1A8C2S4", 70)],
                SUPPORT,
                Some(Country::BE)
            ),
            Verdict::Misread(p("1A8C2S4"))
        );
        // A car 1OLJ549 read whole once and once without its J, against
        // a listed 1OIJ549: both frames read L where the list has I.
        assert_eq!(
            judge(
                &p("1OIJ549"),
                &[f("1OLJ549", 76), f("1OL549", 83)],
                SUPPORT,
                None
            ),
            Verdict::LookAlike(p("1OLJ549"))
        );
        // A dropped character leaves a gap, never a dissent.
        assert_eq!(
            judge(&l2, &[f("1ABC24", 99)], SUPPORT, None),
            Verdict::Listed
        );
        // Two frames, but the listed character weighs more.
        assert_eq!(
            judge(
                &l2,
                &[f("1ABC284", 30), f("1ABC284", 30), f("1ABC234", 90)],
                SUPPORT,
                None
            ),
            Verdict::Listed
        );
    }
}
