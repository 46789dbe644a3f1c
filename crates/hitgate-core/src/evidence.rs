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
//!    character: [`Support::alike`] frames for a character the engine
//!    confuses with the listed one (the look-alike classes),
//!    [`Support::unrelated`] frames for any other character where no frame
//!    reads the listed one, [`Support::lookalike`] where some frame does.
//!    Where no frame reads the listed character,
//!    [`Support::lookalike`] frames that read others dissent together,
//!    whatever each reads (a listed car misread twice at one place is as
//!    unlikely as twice the same way). The character put in is the
//!    heaviest of those, one of the listed character's kind (letter or
//!    digit) before any other: `23EE028` and `2HEE028` against a listed
//!    `2CEE028` say `H`, since no Belgian plate has a digit there.
//! 4. A **dropped or inserted character** dissents the same way: when
//!    [`Support::lookalike`] frames leave the same gap, or read the same
//!    extra character at the same place, and outweigh the frames of the
//!    listed length (`1EFU575` four times and `1EF575` once against a
//!    listed `LEF575`: a longer plate, not the listed one).
//!
//! The **alternative** is the listed plate with each dissenting
//! position's character, and the dissenting gap or extra character, put
//! in.
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
//! on the weight of frames that say the same thing there, or that all
//! say it is not the listed character. One frame that
//! reads a look-alike does not (the unit's
//! [`lookalike_support`](crate::unit::Config::lookalike_support) is 2):
//! confusing look-alikes is what an ANPR engine does; except, in a
//! passage of several frames, while the entry's latest verdict in its
//! re-alert window found a look-alike car, which the unit then takes to
//! be around ([`Support::alike`] 1). One frame that reads
//! a character the engine does not confuse with the listed one, where no
//! frame reads the listed one, does by default (the unit's
//! [`unrelated_support`](crate::unit::Config::unrelated_support) is 1): a
//! listed car is seldom misread that way, while a list tolerating an edit
//! collects the other cars that differ from a listed plate in one
//! character, most of them read once (`BENCHMARKS.md`, "Hit quality"). One
//! frame that drops or inserts a character leaves a gap, not a dissent:
//! engines drop characters.
//! The frames are the ones the unit kept for the passage: those that
//! matched, and those near the listed plate
//! ([`Config::evidence`](crate::unit::Config::evidence), at most
//! [`Config::evidence_changes`](crate::unit::Config::evidence_changes)
//! changes in all: a frame further off is more likely a third car's).

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
    /// Frames that read the same character other than the listed one
    /// where frames read the listed one too; or, where no frame reads the
    /// listed character, frames that read any other; or frames that drop,
    /// or insert, the same character.
    pub lookalike: u16,
    /// Frames that read the same character the engine does not confuse
    /// with the listed one, where no frame reads the listed one (0 counts
    /// as 1).
    pub unrelated: u16,
    /// Frames that read the same look-alike of the listed character (0
    /// counts as 1). The unit gives `lookalike`, or 1 while the entry's
    /// latest verdict in its re-alert window found a look-alike car: the
    /// car it saw, seen again.
    pub alike: u16,
}

/// A frame's characters at the listed plate's positions (0: a gap).
type Aligned = [u8; MAX_PLATE_LEN];

// `judge` keeps the dissenting positions as bits of a `u16`, and a
// dropped or inserted character as one more.
const _: () = assert!(MAX_PLATE_LEN < 16);
/// The dissent bit of a dropped or inserted character.
const LENGTH: u16 = 1 << MAX_PLATE_LEN;

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
    align_shape(frame, listed, classes).map(|(a, _)| a)
}

/// How a frame's length differs from the listed plate's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// The same length.
    Same,
    /// The listed character at this position is missing.
    Gap(usize),
    /// This character is read before the listed position (the plate's
    /// length: after the last).
    Extra(usize, u8),
}

/// [`align`], and where the frame drops or inserts a character.
fn align_shape(
    frame: &[u8],
    listed: &[u8],
    classes: &ConfusionClasses,
) -> Option<(Aligned, Shape)> {
    let (n, m) = (frame.len(), listed.len());
    if n == m {
        return Some((aligned(frame, m, None, None), Shape::Same));
    }
    if n.abs_diff(m) != 1 {
        return None;
    }
    (0..n.max(m))
        .map(|i| {
            if n + 1 == m {
                (aligned(frame, m, Some(i), None), Shape::Gap(i))
            } else {
                let c = frame.get(i).copied().unwrap_or(0);
                (aligned(frame, m, None, Some(i)), Shape::Extra(i, c))
            }
        })
        .min_by_key(|(a, _)| differences(a, listed, classes))
}

/// Judges `frames` (plate and confidence, as a passage keeps them) against
/// the `listed` plate: see the module docs. `classes`: the look-alikes the
/// lists are matched with; `country`: the passage's as read, `None` for
/// every known country's formats (the unit does not take the listed
/// entry's: the car in front of the camera may be a foreign one that looks
/// like a listed plate).
///
/// ```
/// use hitgate_core::confusion::ConfusionClasses;
/// use hitgate_core::evidence::{judge, Support, Verdict};
/// use hitgate_core::plate::Plate;
/// let p = |s: &[u8]| Plate::normalize(s).unwrap();
/// let (classes, support) = (ConfusionClasses::default(), Support { lookalike: 2, unrelated: 1, alike: 2 });
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
    let mut shapes: heapless::Vec<(Shape, u32), MAX_VOTES> = heapless::Vec::new();
    for (f, c) in frames {
        if let Some((a, shape)) = align_shape(f.as_bytes(), l, classes) {
            let _ = rows.push((a, weight(*c)));
            let _ = shapes.push((shape, weight(*c)));
        }
    }
    // A dropped or inserted character dissents when enough frames agree
    // on it (the same gap, or the same character at the same place) and
    // they outweigh the frames of the listed length.
    let shape_weight = |s: Shape| {
        shapes
            .iter()
            .filter(|(x, _)| *x == s)
            .fold((0u16, 0u32), |(n, w), (_, x)| (n + 1, w + x))
    };
    let (_, same_weight) = shape_weight(Shape::Same);
    let mut length: Option<(Shape, u32)> = None;
    for (s, _) in &shapes {
        let (n, w) = shape_weight(*s);
        if *s != Shape::Same
            && n >= support.lookalike
            && w > same_weight
            && length.is_none_or(|(_, bw)| w > bw)
        {
            length = Some((*s, w));
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
        let other = |a: &Aligned| a.get(i).is_some_and(|&c| c != 0 && c != want);
        // Where no frame reads the listed character, frames that read
        // others dissent together, whatever each reads.
        let disagree = listed_weight == 0
            && rows.iter().filter(|(a, _)| other(a)).count() >= usize::from(support.lookalike);
        let qualifies = |c: u8, n: u16, w: u32| {
            let needed = if classes.alike(c, want) {
                support.alike
            } else if listed_weight == 0 {
                support.unrelated
            } else {
                support.lookalike
            };
            w > listed_weight && (disagree || n >= needed)
        };
        // The heaviest qualifying character, first read first, of the
        // listed character's kind (letter or digit) before any other: a
        // digit where the plate has a letter is a misread.
        let mut best: Option<(bool, u32, u8)> = None;
        for (a, _) in rows.iter().filter(|(a, _)| other(a)) {
            let c = a.get(i).copied().unwrap_or(0);
            let (n, w) = at(c);
            let rank = (c.is_ascii_digit() == want.is_ascii_digit(), w);
            if qualifies(c, n, w) && best.is_none_or(|(k, bw, _)| rank > (k, bw)) {
                best = Some((rank.0, rank.1, c));
            }
        }
        if let Some((_, _, c)) = best {
            *slot = c;
            dissent |= 1 << i;
        }
    }
    if length.is_some() {
        dissent |= LENGTH;
    }
    if dissent == 0 {
        return Verdict::Listed;
    }
    // The listed plate with the dissents of `keep` put in.
    let with = |keep: u16| {
        let mut plate = [0u8; MAX_PLATE_LEN + 1];
        let mut n = 0;
        let mut put = |c: u8| {
            if let Some(slot) = plate.get_mut(n) {
                *slot = c;
                n += 1;
            }
        };
        let shape = length.filter(|_| keep & LENGTH != 0).map(|(s, _)| s);
        for (i, (&want, &other)) in l.iter().zip(&alternative).enumerate() {
            if let Some(Shape::Extra(at, c)) = shape
                && at == i
            {
                put(c);
            }
            if shape != Some(Shape::Gap(i)) {
                put(if keep & (1 << i) != 0 { other } else { want });
            }
        }
        if let Some(Shape::Extra(at, c)) = shape
            && at == l.len()
        {
            put(c);
        }
        Plate::normalize(plate.get(..n).unwrap_or(&[])).ok()
    };
    // (An extra character on a plate of the longest length is left out;
    // frames are no longer than that, so it does not happen.)
    let rest = dissent & !LENGTH;
    let Some(all) = with(dissent).or_else(|| if rest != 0 { with(rest) } else { None }) else {
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
        alike: 2,
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
            alike: 2,
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
        // One frame that drops a character: a gap, not a dissent.
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

    /// Frames that disagree with the listed character among themselves,
    /// the kind of character a position takes, and dropped or inserted
    /// characters that frames agree on (cases of generated days where the
    /// unit dispatched another car).
    #[test]
    fn disagreement_kind_and_length_by_hand() {
        let f = |s: &str, c: u8| (p(s), c);
        let be = Some(Country::BE);
        // A car 2LGN504 read T and L where the list has I: two frames, two
        // look-alikes, none reads I. Each alone would not dissent.
        let l = p("2IGN504");
        assert_eq!(
            judge(&l, &[f("2TGN504", 79), f("2LGN504", 56)], SUPPORT, be),
            Verdict::LookAlike(p("2TGN504"))
        );
        // A third frame reading I: the listed character has weight, and
        // neither T nor L has two frames.
        assert_eq!(
            judge(
                &l,
                &[f("2TGN504", 79), f("2LGN504", 56), f("2IGN504", 40)],
                SUPPORT,
                be
            ),
            Verdict::Listed
        );
        // With one frame a look-alike needs, one frame reading another
        // character where none reads the listed one is enough.
        let one = Support {
            lookalike: 1,
            unrelated: 1,
            alike: 1,
        };
        assert_eq!(
            judge(&l, &[f("2TGN504", 79)], one, be),
            Verdict::LookAlike(p("2TGN504"))
        );
        // `alike` alone: one frame reading a look-alike (O for D) and
        // outweighing the frame that reads the listed character dissents;
        // one reading another character (M) there still needs
        // `lookalike` frames.
        let known = Support {
            alike: 1,
            ..SUPPORT
        };
        let listed = p("1DOT555");
        let frames = [f("1OOT555", 99), f("1DOT555", 60)];
        assert_eq!(judge(&listed, &frames, SUPPORT, be), Verdict::Listed);
        assert_eq!(
            judge(&listed, &frames, known, be),
            Verdict::LookAlike(p("1OOT555"))
        );
        let lighter = [f("1OOT555", 60), f("1DOT555", 99)];
        assert_eq!(judge(&listed, &lighter, known, be), Verdict::Listed);
        let unrelated = [f("1MOT555", 99), f("1DOT555", 60)];
        assert_eq!(judge(&listed, &unrelated, known, be), Verdict::Listed);
        // A car 2HEE028 against a listed 2CEE028: the heavier frame reads
        // 3, which no Belgian plate has there; the lighter reads H, a
        // letter, as the listed plate has: another car, not a misread.
        assert_eq!(
            judge(
                &p("2CEE028"),
                &[f("23EE028", 80), f("2HEE028", 55)],
                SUPPORT,
                be
            ),
            Verdict::LookAlike(p("2HEE028"))
        );
        // Only a digit read there: the listed car misread.
        assert_eq!(
            judge(&p("2CEE028"), &[f("23EE028", 80)], SUPPORT, be),
            Verdict::Misread(p("23EE028"))
        );
        // A car 1EFU575 against a listed LEF575: four frames read the U
        // the list lacks (and 1 for L), one drops it.
        let frames = [
            f("1EFU575", 71),
            f("1EFU575", 82),
            f("1EFU575", 77),
            f("1EF575", 81),
            f("1EFU575", 78),
        ];
        assert_eq!(
            judge(&p("LEF575"), &frames, SUPPORT, be),
            Verdict::LookAlike(p("1EFU575"))
        );
        // A car FGI210 against a listed OGIK210: every frame lacks the K.
        let frames = [f("FGI210", 74), f("9GI210", 72), f("FGI210", 95)];
        assert_eq!(
            judge(&p("OGIK210"), &frames, SUPPORT, be),
            Verdict::LookAlike(p("FGI210"))
        );
        // The listed car, two frames each dropping a character of its
        // own: no gap has two frames.
        assert_eq!(
            judge(
                &p("1ABC234"),
                &[f("1BC234", 80), f("1ABC34", 70)],
                SUPPORT,
                be
            ),
            Verdict::Listed
        );
        // Two frames drop the same character but a whole frame outweighs
        // them.
        assert_eq!(
            judge(
                &p("OGIK210"),
                &[f("OGI210", 40), f("OGI210", 40), f("OGIK210", 90)],
                SUPPORT,
                be
            ),
            Verdict::Listed
        );
        // Two frames agree on a dropped character and nothing else: the
        // shorter plate fits no Belgian format, a misread.
        assert_eq!(
            judge(
                &p("1ABC234"),
                &[f("1ABC34", 80), f("1ABC34", 70)],
                SUPPORT,
                be
            ),
            Verdict::Misread(p("1ABC34"))
        );
    }
}
