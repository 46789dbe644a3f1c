//! Plate syntax: the spellings a country's plates can have, as evidence.
//!
//! When the frames of a passage agree on a plate that differs from the
//! listed one, two things can be true: another car carries that plate, or
//! the engine misread the listed car the same way twice. A spelling no
//! plate of the country can have (a digit where its formats have a letter)
//! settles it: a misread. [`fits`] says whether a canonical plate fits one
//! of the formats below.
//!
//! **What is assumed**, per country (`L` a letter, `D` a digit, canonical
//! plates without separators):
//!
//! | country | formats |
//! |---|---|
//! | `BE` | `DLLLDDD` (1-ABC-234, since 2008), `LLLDDD` (1973–2008), `DDDLLL` (2008–2010), `CLLLDDD` (a category letter `C` and LLLDDD: `M`/`W` motorcycles, `S` mopeds, `Q` trailers, `O` oldtimers, `T` taxis, `G` tractors, `Z` dealers) |
//! | `NL` | the side codes 1 to 11 and 14: `LLDDDD`, `DDDDLL`, `DDLLDD`, `LLDDLL`, `LLLLDD`, `DDLLLL`, `DDLLLD`, `DLLLDD`, `LLDDDL`, `LDDDLL`, `LLLDDL`, `DLLDDD` |
//! | `FR` | `LLDDDLL` (SIV, since 2009); the older FNI plates are not known |
//! | `DE` | 2 to 5 letters (district and letters) then 1 to 4 digits, 8 characters at most |
//! | `LU` | `LLDDDD`, and 4 to 6 digits |
//!
//! Another country is not known: [`fits`] says yes (no evidence either
//! way). A passage whose country is not known is checked against all the
//! formats above. Not known either, so they do not fit: Belgian
//! personalised plates (free text), diplomats' `CD` plates and the
//! 5-character plates from before 1973, rare on the road; a frame of
//! one is taken for a misread of a listed plate, as any other frame
//! that fits no format.

use crate::plate::{Country, Plate};

/// The Belgian category letters (`C` in a pattern).
const CATEGORIES: &[u8] = b"MWSQOTGZ";

/// Formats as `L`/`D`/`C` patterns, per country.
const FORMATS: &[(&[u8; 2], &[&[u8]])] = &[
    (b"BE", &[b"DLLLDDD", b"LLLDDD", b"DDDLLL", b"CLLLDDD"]),
    (
        b"NL",
        &[
            b"LLDDDD", b"DDDDLL", b"DDLLDD", b"LLDDLL", b"LLLLDD", b"DDLLLL", b"DDLLLD", b"DLLLDD",
            b"LLDDDL", b"LDDDLL", b"LLLDDL", b"DLLDDD",
        ],
    ),
    (b"FR", &[b"LLDDDLL"]),
    (b"LU", &[b"LLDDDD", b"DDDD", b"DDDDD", b"DDDDDD"]),
];

/// Does `plate` follow `pattern` (`L` a letter, `D` a digit, `C` a
/// Belgian category letter)?
fn follows(plate: &[u8], pattern: &[u8]) -> bool {
    plate.len() == pattern.len()
        && plate.iter().zip(pattern).all(|(c, p)| match p {
            b'L' => c.is_ascii_uppercase(),
            b'C' => CATEGORIES.contains(c),
            _ => c.is_ascii_digit(),
        })
}

/// A German plate: 2 to 5 letters, then 1 to 4 digits, 8 at most.
fn german(plate: &[u8]) -> bool {
    let letters = plate.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let digits = plate.len() - letters;
    (2..=5).contains(&letters)
        && (1..=4).contains(&digits)
        && plate.len() <= 8
        && plate.iter().skip(letters).all(u8::is_ascii_digit)
}

/// The formats known for a country: `None` when it is not known.
fn formats_of(country: &Country) -> Option<(&'static [&'static [u8]], bool)> {
    let code = country.as_str().as_bytes();
    if code == b"DE" {
        return Some((&[], true));
    }
    FORMATS
        .iter()
        .find(|(c, _)| c.as_slice() == code)
        .map(|(_, f)| (*f, false))
}

/// Could a plate of `country` (any known country when `None`) be spelled
/// `plate`? `true` for a country whose formats are not known.
///
/// ```
/// use hitgate_core::plate::{Country, Plate};
/// use hitgate_core::syntax::fits;
/// let p = |s: &[u8]| Plate::normalize(s).unwrap();
/// assert!(fits(&p(b"1-ABC-234"), Some(Country::BE)));
/// // A digit where a Belgian plate has a letter: a misread.
/// assert!(!fits(&p(b"1-A8C-234"), Some(Country::BE)));
/// // Dutch side code 9 fits no Belgian format, but a Dutch one.
/// assert!(!fits(&p(b"AB-123-C"), Some(Country::BE)));
/// assert!(fits(&p(b"AB-123-C"), None));
/// ```
pub fn fits(plate: &Plate, country: Option<Country>) -> bool {
    let bytes = plate.as_bytes();
    match country {
        Some(c) => match formats_of(&c) {
            Some((formats, de)) => {
                (de && german(bytes)) || formats.iter().any(|f| follows(bytes, f))
            }
            None => true,
        },
        None => {
            german(bytes)
                || FORMATS
                    .iter()
                    .flat_map(|(_, f)| f.iter())
                    .any(|f| follows(bytes, f))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Plate {
        Plate::normalize(s.as_bytes()).unwrap()
    }

    fn c(s: &str) -> Option<Country> {
        Country::parse(s.as_bytes()).ok()
    }

    #[test]
    fn each_countrys_formats_by_hand() {
        for (plate, country, want) in [
            ("1ABC234", "BE", true),
            ("ABC123", "BE", true),
            ("123ABC", "BE", true),
            ("MABC123", "BE", true),
            ("TDKN832", "BE", true),  // a taxi
            ("IDKN832", "BE", false), // no category I: 1DKN832 misread
            ("LMTI552", "BE", false), // nor L
            ("1A8C234", "BE", false), // 8 where a letter goes
            ("1ABC2S4", "BE", false), // S where a digit goes
            ("1ABC23", "BE", false),  // too short for 1-ABC-234, wrong for ABC-123
            ("AB123C", "NL", true),
            ("12ABC3", "NL", true),
            ("1ABC23", "NL", true), // side code 8
            ("ABC123", "NL", false),
            ("AB123CD", "FR", true),
            ("AB12CD", "FR", false),
            ("BAB1234", "DE", true),
            ("MXY12", "DE", true),
            ("B1234", "DE", false), // one letter only
            ("BABXY12345", "DE", false),
            ("AB1234", "LU", true),
            ("12345", "LU", true),
            ("A1234", "LU", false),
            ("ANYTHING", "IT", true), // not known: no evidence
        ] {
            assert_eq!(fits(&p(plate), c(country)), want, "{plate} {country}");
        }
    }

    #[test]
    fn an_unknown_country_fits_when_any_known_format_does() {
        assert!(fits(&p("1ABC234"), None));
        assert!(fits(&p("AB123CD"), None));
        assert!(!fits(&p("1A8C234"), None));
        assert!(!fits(&p("12A4"), None));
    }
}
