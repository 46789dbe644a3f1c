//! OCR confusion classes: characters an ANPR engine mistakes for each other.
//!
//! Classes partition `A-Z0-9`: every character belongs to at most one class.
//! Replacing each character by its class representative gives a plate's
//! *skeleton*; two plates that differ only by look-alike substitutions have
//! the same skeleton. The watchlist index is built on skeletons, which is why
//! classes must be disjoint (a character in two classes would make "looks
//! alike" non-transitive, and the index could miss a match).

use core::fmt;

use crate::plate::{char_code, code_char};

/// Number of packed character codes (0 = none, 1..=36 = `0-9A-Z`).
const CODES: usize = 37;

/// ASCII bytes from `0` to `Z`, the span [`ConfusionClasses::of_char`]
/// looks up.
const CHAR_SPAN: usize = (b'Z' - b'0') as usize + 1;

/// The default classes, from public ANPR sources (see `DOMAIN.md`):
/// `O/0/D/Q`, `I/1/L/T`, `B/8`, `S/5`, `Z/2`, `G/6`.
pub const DEFAULT_CLASSES: [&str; 6] = ["0ODQ", "1ILT", "8B", "5S", "2Z", "6G"];

/// Why a set of classes was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ClassError {
    /// A byte that is not `A-Z0-9` (upper case).
    InvalidChar {
        /// Index of the class.
        class: usize,
        /// The byte.
        byte: u8,
    },
    /// A character already stands in an earlier class.
    Overlap {
        /// Index of the class.
        class: usize,
        /// The character.
        byte: u8,
    },
    /// A class of more than [`MAX_CLASS_SIZE`] characters.
    TooLarge {
        /// Index of the class.
        class: usize,
    },
}

/// The most characters a class may hold: the watchlist stores which member
/// of its class each character is in two bits.
pub const MAX_CLASS_SIZE: usize = 4;

/// The longest [`ConfusionClasses::spelled`]: 36 characters and the spaces
/// between classes.
pub const SPELLED_LEN: usize = 72;

impl fmt::Display for ClassError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::InvalidChar { class, byte } => write!(
                f,
                "confusion class {class}: byte 0x{byte:02x} is not A-Z or 0-9"
            ),
            Self::Overlap { class, byte } => write!(
                f,
                "confusion class {class}: {:?} already stands in an earlier class",
                byte as char
            ),
            Self::TooLarge { class } => write!(
                f,
                "confusion class {class} has more than {MAX_CLASS_SIZE} characters"
            ),
        }
    }
}

impl core::error::Error for ClassError {}

/// A partition of `A-Z0-9` into look-alike classes.
///
/// ```
/// use hitgate_core::confusion::ConfusionClasses;
/// let c = ConfusionClasses::default();
/// assert!(c.alike(b'O', b'0') && c.alike(b'Q', b'D'));
/// assert!(!c.alike(b'O', b'8'));
/// let custom = ConfusionClasses::new(&["0O", "UV"]).unwrap();
/// assert!(custom.alike(b'U', b'V') && !custom.alike(b'D', b'0'));
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ConfusionClasses {
    /// Packed code to the packed code of its class representative.
    rep: [u8; CODES],
    /// Packed code to its index within its class (0 for the representative).
    member: [u8; CODES],
    /// Representative code to the ASCII characters of its class, by index
    /// (0: no such member).
    members: [[u8; MAX_CLASS_SIZE]; CODES],
    /// An ASCII byte less `b'0'` to its representative's packed code, and
    /// its index within its class in the top two bits (0: not a plate
    /// character): one table read a character of a read, in place of
    /// [`char_code`], [`Self::rep_code`] and [`Self::member_of`].
    of_char: [u8; CHAR_SPAN],
}

impl ConfusionClasses {
    /// No classes: every character stands alone.
    pub const NONE: Self = {
        let mut rep = [0u8; CODES];
        let mut members = [[0u8; MAX_CLASS_SIZE]; CODES];
        let mut of_char = [0u8; CHAR_SPAN];
        let mut i = 0;
        while i < CODES {
            rep[i] = i as u8;
            members[i][0] = match code_char(i as u8) {
                Some(c) => {
                    of_char[(c - b'0') as usize] = i as u8;
                    c
                }
                None => 0,
            };
            i += 1;
        }
        Self {
            rep,
            member: [0; CODES],
            members,
            of_char,
        }
    };

    /// Builds classes from strings of look-alike characters. The first
    /// character of each string is its representative.
    pub fn new(classes: &[&str]) -> Result<Self, ClassError> {
        let mut this = Self::NONE;
        let mut seen = [false; CODES];
        for (class, s) in classes.iter().enumerate() {
            let bytes = s.as_bytes();
            let Some(&first) = bytes.first() else {
                continue;
            };
            if bytes.len() > MAX_CLASS_SIZE {
                return Err(ClassError::TooLarge { class });
            }
            for (index, &byte) in bytes.iter().enumerate() {
                let code = char_code(byte) as usize;
                if code == 0 {
                    return Err(ClassError::InvalidChar { class, byte });
                }
                if seen[code] {
                    return Err(ClassError::Overlap { class, byte });
                }
                seen[code] = true;
                let rep = char_code(first);
                this.rep[code] = rep;
                this.member[code] = index as u8;
                if let Some(slot) = this.of_char.get_mut(usize::from(byte - b'0')) {
                    *slot = rep | (index as u8) << 6;
                }
                if let Some(slot) = this
                    .members
                    .get_mut(rep as usize)
                    .and_then(|m| m.get_mut(index))
                {
                    *slot = byte;
                }
            }
        }
        Ok(this)
    }

    /// A plate character's representative code (low six bits) and index
    /// within its class (top two bits); 0 for a byte that is no plate
    /// character.
    #[inline(always)]
    pub(crate) fn of_char(&self, c: u8) -> u8 {
        let i = usize::from(c.wrapping_sub(b'0'));
        self.of_char.get(i).copied().unwrap_or(0)
    }

    /// A plate character's representative code (0 for a byte that is no
    /// plate character): `rep_code(char_code(c))` in one table read.
    #[inline(always)]
    pub(crate) fn rep_of(&self, c: u8) -> u8 {
        self.of_char(c) & 0x3F
    }

    /// Representative of a packed code.
    #[inline]
    pub(crate) fn rep_code(&self, code: u8) -> u8 {
        self.rep.get(code as usize).copied().unwrap_or(0)
    }

    /// Index of a packed code within its class (0 to 3).
    #[inline]
    pub(crate) fn member_of(&self, code: u8) -> u8 {
        self.member.get(code as usize).copied().unwrap_or(0)
    }

    /// Member `index` of the class of representative code `rep`, as an
    /// ASCII character; 0 when there is none. Stored as characters, not
    /// codes: rebuilding a listed plate is a table read a character.
    #[inline]
    pub(crate) fn member_char(&self, rep: u8, index: u8) -> u8 {
        self.members
            .get(rep as usize)
            .and_then(|m| m.get(index as usize))
            .copied()
            .unwrap_or(0)
    }

    /// The classes of more than one character, spelled as [`new`](Self::new)
    /// takes them, separated by spaces (`"0ODQ 1ILT 8B 5S 2Z 6G"` for the
    /// defaults): how a bundle carries them.
    ///
    /// ```
    /// use hitgate_core::confusion::ConfusionClasses;
    /// let c = ConfusionClasses::new(&["4A", "UV"]).unwrap();
    /// assert_eq!(c.spelled().as_str(), "4A UV");
    /// assert_eq!(ConfusionClasses::parse(c.spelled().as_str()), Ok(c));
    /// ```
    pub fn spelled(&self) -> heapless::String<SPELLED_LEN> {
        let mut out = heapless::String::new();
        for rep in 1..CODES as u8 {
            // A class is spelled once, at its representative, if it has
            // another member.
            if self.rep_code(rep) != rep || self.member_char(rep, 1) == 0 {
                continue;
            }
            if !out.is_empty() {
                let _ = out.push(' ');
            }
            for i in 0..MAX_CLASS_SIZE as u8 {
                match self.member_char(rep, i) {
                    0 => break,
                    // 36 characters and 35 spaces at most: always fits.
                    c => {
                        let _ = out.push(char::from(c));
                    }
                }
            }
        }
        out
    }

    /// Classes spelled as [`spelled`](Self::spelled) writes them.
    pub fn parse(spelled: &str) -> Result<Self, ClassError> {
        let mut classes: heapless::Vec<&str, CODES> = heapless::Vec::new();
        for (class, s) in spelled.split(' ').filter(|s| !s.is_empty()).enumerate() {
            // More non-empty classes than characters: one repeats.
            let byte = s.bytes().next().unwrap_or(b' ');
            classes
                .push(s)
                .map_err(|_| ClassError::Overlap { class, byte })?;
        }
        Self::new(&classes)
    }

    /// Do two ASCII characters stand in the same class (or are equal)?
    pub fn alike(&self, a: u8, b: u8) -> bool {
        let (ca, cb) = (char_code(a), char_code(b));
        ca != 0 && cb != 0 && self.rep_code(ca) == self.rep_code(cb)
    }

    /// Representative of an ASCII character (itself when it stands alone).
    pub fn representative(&self, c: u8) -> u8 {
        code_char(self.rep_code(char_code(c))).unwrap_or(c)
    }
}

impl Default for ConfusionClasses {
    fn default() -> Self {
        match Self::new(&DEFAULT_CLASSES) {
            Ok(c) => c,
            // The defaults are disjoint (tested); fall back rather than panic.
            Err(_) => Self::NONE,
        }
    }
}

impl fmt::Debug for ConfusionClasses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for code in 1..CODES as u8 {
            if self.rep_code(code) != code {
                continue;
            }
            let mut class = heapless::String::<CODES>::new();
            for other in 1..CODES as u8 {
                if self.rep_code(other) == code {
                    let _ = class.push(code_char(other).unwrap_or(b'?') as char);
                }
            }
            if class.len() > 1 {
                list.entry(&class.as_str());
            }
        }
        list.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_reads_its_class_in_one_table() {
        let custom = ConfusionClasses::new(&["0ODQ", "A4", "VU", "8B"]).unwrap();
        for c in [ConfusionClasses::default(), custom, ConfusionClasses::NONE] {
            for byte in 0..=255u8 {
                let code = char_code(byte);
                let (rep, member) = (c.rep_code(code), c.member_of(code));
                assert_eq!(c.of_char(byte), rep | member << 6, "{byte:#04x} in {c:?}");
                assert_eq!(c.rep_of(byte), rep);
            }
        }
        // By hand: U stands second in its class, whose representative is V.
        let custom = ConfusionClasses::new(&["VU"]).unwrap();
        assert_eq!(custom.of_char(b'U'), char_code(b'V') | 1 << 6);
        assert_eq!(custom.of_char(b'-'), 0);
    }

    #[test]
    fn each_default_class() {
        let c = ConfusionClasses::default();
        for class in DEFAULT_CLASSES {
            for a in class.bytes() {
                for b in class.bytes() {
                    assert!(c.alike(a, b), "{} {}", a as char, b as char);
                }
                assert_eq!(c.representative(a), class.as_bytes()[0]);
            }
        }
        // Across classes, and characters that stand alone.
        assert!(!c.alike(b'0', b'1'));
        assert!(!c.alike(b'B', b'S'));
        assert!(!c.alike(b'A', b'4'));
        assert!(c.alike(b'A', b'A'));
        assert_eq!(c.representative(b'A'), b'A');
    }

    #[test]
    fn overlapping_or_bad_classes_are_refused() {
        assert_eq!(
            ConfusionClasses::new(&["0O", "OQ"]),
            Err(ClassError::Overlap {
                class: 1,
                byte: b'O'
            })
        );
        assert_eq!(
            ConfusionClasses::new(&["0o"]),
            Err(ClassError::InvalidChar {
                class: 0,
                byte: b'o'
            })
        );
    }
}
