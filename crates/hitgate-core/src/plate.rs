//! Plates and country codes: normalisation from raw ANPR bytes, and the
//! compact packed form the watchlist stores.
//!
//! A [`Plate`] is the canonical form of a number plate: 1 to [`MAX_PLATE_LEN`]
//! characters of `A-Z0-9`. [`Plate::normalize`] turns what an ANPR engine
//! emits (`"1-abc-234"`, `"1 ABC 234"`, `"1·ABC·234"`) into that form, or says
//! exactly what is wrong and where.
//!
//! Plates of other countries come as their cameras and registers write
//! them. A letter with a diacritic reads as its letter (`TÜ` of Tübingen as
//! `TU`, `ČA` of Čačak as `CA`), and a Cyrillic or Greek letter that has a
//! Latin twin as that twin (Bulgarian `СА 1234 ВХ` as `CA1234BX`): these
//! plates are made of such letters so that they read the same in either
//! alphabet, and the list and the read then meet in one spelling however
//! each was written. Letters without one reading (`ß`, `Æ`, `Б`) are
//! refused.

use core::fmt;

/// The longest canonical plate, in characters.
pub const MAX_PLATE_LEN: usize = 10;

/// Bits per character in the packed form.
pub(crate) const CODE_BITS: u32 = 6;
/// Mask of one packed character.
pub(crate) const CODE_MASK: u64 = (1 << CODE_BITS) - 1;

/// Why raw bytes are not a plate. Offsets are byte offsets into the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PlateError {
    /// Nothing but separators (or nothing at all).
    Empty,
    /// More than [`MAX_PLATE_LEN`] characters after normalisation; `at` is the
    /// byte offset of the first character that does not fit.
    TooLong {
        /// Byte offset of the first character past the limit.
        at: usize,
    },
    /// A character that is neither a letter or digit normalisation reads
    /// (see [`Plate::normalize`]) nor a separator.
    InvalidChar {
        /// Byte offset of the character.
        at: usize,
        /// The character.
        ch: char,
    },
    /// The bytes are not UTF-8; `at` is the offset of the first bad byte.
    InvalidUtf8 {
        /// Byte offset of the first byte that is not valid UTF-8.
        at: usize,
    },
}

impl fmt::Display for PlateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("plate is empty"),
            Self::TooLong { at } => write!(
                f,
                "plate is longer than {MAX_PLATE_LEN} characters (from byte {at})"
            ),
            Self::InvalidChar { at, ch } => {
                write!(f, "plate has invalid character {ch:?} at byte {at}")
            }
            Self::InvalidUtf8 { at } => write!(f, "plate is not UTF-8 (byte {at})"),
        }
    }
}

impl core::error::Error for PlateError {}

/// A canonical number plate: 1 to [`MAX_PLATE_LEN`] characters of `A-Z0-9`.
///
/// ```
/// use hitgate_core::plate::Plate;
/// let p = Plate::normalize(b"1-abc-234").unwrap();
/// assert_eq!(p.as_str(), "1ABC234");
/// assert_eq!(Plate::normalize("1\u{b7}ABC\u{b7}234".as_bytes()), Ok(p));
/// ```
///
/// 12 bytes, four-byte aligned, the characters first: the comparisons
/// that read a plate as words (equality, the pairing of frames, the
/// filter's keys) load words, also on a Cortex-M0, which has no unaligned
/// loads and would otherwise gather them a byte at a time.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(C, align(4))]
pub struct Plate {
    chars: [u8; MAX_PLATE_LEN],
    len: u8,
}

/// Is `c` a separator that normalisation drops?
const fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '\u{b7}')
}

/// The base letter of each character from U+00C0 to U+017F (Latin-1's
/// letters and Latin Extended-A), `.` where there is none: a letter whose
/// Unicode name is "LATIN CAPITAL (or SMALL) LETTER X WITH ..." reads as
/// `X` (`Ü` and `ü` as `U`, `Č` as `C`, `Đ` as `D`, `Ø` as `O`). `Æ`, `ß`,
/// `Œ`, `×` and the like have no single base letter and are refused.
const LATIN_BASE: &[u8; 192] = b"AAAAAA.CEEEEIIII.NOOOOO.OUUUUY..\
AAAAAA.CEEEEIIII.NOOOOO.OUUUUY.Y\
AAAAAACCCCCCCCDDDDEEEEEEEEEEGGGG\
GGGGHHHHIIIIIIIII...JJKK.LLLLLLL\
LLLNNNNNN...OOOOOO..RRRRRRSSSSSS\
SSTTTTTTUUUUUUUUUUUUWWYYYZZZZZZ.";

/// The capital Cyrillic and Greek letters that have a Latin twin, and the
/// twin: the letters Bulgarian, Russian, Ukrainian and Greek plates are
/// made of, chosen so that a plate reads the same in either alphabet
/// (`В` is `B`, `Н` is `H`, `Р` is `P`, `У` is `Y`, `Χ` is `X`). Any other
/// Cyrillic or Greek letter (`Б`, `Д`, `Λ`) is refused: it has no plate
/// reading.
const TWINS: [(u16, u8); 27] = [
    (0x0391, b'A'), // Α
    (0x0392, b'B'), // Β
    (0x0395, b'E'), // Ε
    (0x0396, b'Z'), // Ζ
    (0x0397, b'H'), // Η
    (0x0399, b'I'), // Ι
    (0x039a, b'K'), // Κ
    (0x039c, b'M'), // Μ
    (0x039d, b'N'), // Ν
    (0x039f, b'O'), // Ο
    (0x03a1, b'P'), // Ρ
    (0x03a4, b'T'), // Τ
    (0x03a5, b'Y'), // Υ
    (0x03a7, b'X'), // Χ
    (0x0406, b'I'), // І (Ukrainian)
    (0x0410, b'A'), // А
    (0x0412, b'B'), // В
    (0x0415, b'E'), // Е
    (0x041a, b'K'), // К
    (0x041c, b'M'), // М
    (0x041d, b'H'), // Н
    (0x041e, b'O'), // О
    (0x0420, b'P'), // Р
    (0x0421, b'C'), // С
    (0x0422, b'T'), // Т
    (0x0423, b'Y'), // У
    (0x0425, b'X'), // Х
];

/// What a plate character other than a separator becomes: `A-Z0-9` for
/// an ASCII letter or digit (upper case), a letter with a diacritic or a
/// Cyrillic or Greek twin of a Latin letter as that letter (lower case
/// too), `None` for anything else.
fn plate_char(ch: char) -> Option<u8> {
    if ch.is_ascii_alphanumeric() {
        return Some(ch.to_ascii_uppercase() as u8);
    }
    let code = u32::from(ch);
    if let Some(&base) = LATIN_BASE.get((code as usize).wrapping_sub(0xc0)) {
        return (base != b'.').then_some(base);
    }
    // Lower case to capital: Greek and Russian letters lie 0x20 above
    // their capitals, the Ukrainian `і` 0x50.
    let capital = match code {
        0x03b1..=0x03c9 | 0x0430..=0x044f => code - 0x20,
        0x0456 => 0x0406,
        _ => code,
    };
    TWINS
        .iter()
        .find(|&&(twin, _)| u32::from(twin) == capital)
        .map(|&(_, latin)| latin)
}

/// What normalisation makes of an ASCII byte: its upper-case form for a
/// letter or digit, [`SEPARATOR`] for a separator, 0 for anything else
/// (every byte above 127 too: `·` and other text take the general path).
const ASCII_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else if is_separator(c as char) {
            SEPARATOR
        } else {
            0
        };
        b += 1;
    }
    t
};

/// [`ASCII_CLASS`] of a separator.
const SEPARATOR: u8 = 1;

/// Inputs up to this many bytes may take [`normalize_short`].
const SHORT: usize = 16;

/// A read of at most [`SHORT`] ASCII bytes that normalises to a plate,
/// in one pass without a branch a byte: every byte's class is written at
/// the plate's end, which moves on only for a character (a separator
/// writes a 0 there, which the next character overwrites or which stays
/// as the zero padding a plate needs). `None` for anything else, errors
/// included: [`Plate::normalize`] then takes the general path.
#[inline]
fn normalize_short(raw: &[u8]) -> Option<Plate> {
    if raw.len() > SHORT {
        return None;
    }
    let mut buf = [0u8; SHORT];
    let mut len = 0usize;
    let mut bad = false;
    for &b in raw {
        let c = ASCII_CLASS[usize::from(b)];
        bad |= c == 0;
        let sep = c == SEPARATOR;
        // At most SHORT bytes, so `len` reaches SHORT only on the last
        // one, and a plate that long is refused below.
        buf[len % SHORT] = if sep { 0 } else { c };
        len += usize::from(!sep);
    }
    if bad || len == 0 || len > MAX_PLATE_LEN {
        return None;
    }
    let mut chars = [0u8; MAX_PLATE_LEN];
    chars.copy_from_slice(&buf[..MAX_PLATE_LEN]);
    Some(Plate {
        len: len as u8,
        chars,
    })
}

impl Plate {
    /// All zero bytes: the placeholder in an unused table slot (never
    /// handed out as a plate).
    pub(crate) const ZERO: Self = Self {
        len: 0,
        chars: [0; MAX_PLATE_LEN],
    };

    /// Normalises raw bytes from an ANPR engine: separators (space, `-`,
    /// `.`, `·`) are removed and lower case is folded to upper case. A
    /// Latin letter with a diacritic (U+00C0 to U+017F) becomes its base
    /// letter, and a Cyrillic or Greek letter with a Latin twin becomes
    /// that twin (the module docs say why):
    ///
    /// ```
    /// use hitgate_core::plate::{Plate, PlateError};
    /// assert_eq!(Plate::normalize("TÜ-AB 123".as_bytes()).unwrap().as_str(), "TUAB123");
    /// assert_eq!(Plate::normalize("СА 1234 ВХ".as_bytes()).unwrap().as_str(), "CA1234BX");
    /// assert_eq!(
    ///     Plate::normalize("Б 123".as_bytes()),
    ///     Err(PlateError::InvalidChar { at: 0, ch: 'Б' })
    /// );
    /// ```
    ///
    /// Plain ASCII, what nearly every camera sends, takes a fast path; the
    /// other alphabets cost a search of a 27-entry table a character.
    pub fn normalize(raw: &[u8]) -> Result<Self, PlateError> {
        // Almost every read is short plain ASCII that normalises: one pass
        // without a branch a byte (see `normalize_short`). Anything else,
        // every error included, takes the character-by-character path,
        // which says what is wrong and where.
        if let Some(p) = normalize_short(raw) {
            return Ok(p);
        }
        // Plain ASCII: its bytes are its characters, so it skips UTF-8
        // decoding (about 300 instructions a read on a Cortex-M3). Both
        // paths share the same character rules.
        if raw.is_ascii() {
            return Self::from_chars(raw.iter().enumerate().map(|(at, &b)| (at, char::from(b))));
        }
        let text = core::str::from_utf8(raw).map_err(|e| PlateError::InvalidUtf8 {
            at: e.valid_up_to(),
        })?;
        Self::from_chars(text.char_indices())
    }

    /// The plate of characters with their byte offsets.
    fn from_chars(chars_at: impl Iterator<Item = (usize, char)>) -> Result<Self, PlateError> {
        let mut chars = [0u8; MAX_PLATE_LEN];
        let mut len = 0usize;
        for (at, ch) in chars_at {
            if is_separator(ch) {
                continue;
            }
            let Some(c) = plate_char(ch) else {
                return Err(PlateError::InvalidChar { at, ch });
            };
            let Some(slot) = chars.get_mut(len) else {
                return Err(PlateError::TooLong { at });
            };
            *slot = c;
            len += 1;
        }
        if len == 0 {
            return Err(PlateError::Empty);
        }
        Ok(Self {
            len: len as u8,
            chars,
        })
    }

    /// The plate as a string slice (`A-Z0-9` only).
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored, so this cannot fail; an empty string is
        // the documented fallback rather than a panic.
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// The plate as ASCII bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.chars.get(..self.len as usize).unwrap_or(&[])
    }

    /// The characters as two little-endian words, unused places zero (as
    /// they always are: equality relies on it too): a plate in two loads.
    #[inline]
    pub(crate) fn words(&self) -> (u64, u16) {
        let [a, b, c, d, e, f, g, h, i, j] = self.chars;
        (
            u64::from_le_bytes([a, b, c, d, e, f, g, h]),
            u16::from_le_bytes([i, j]),
        )
    }

    /// Number of characters (1 to [`MAX_PLATE_LEN`]).
    #[allow(clippy::len_without_is_empty)] // a plate is never empty
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// The packed form (tests only; the watchlist packs skeletons): six bits a character, first character in the top
    /// bits, unused positions zero. Numeric order is string order.
    #[cfg(test)]
    pub(crate) fn pack(&self) -> u64 {
        let mut key = 0u64;
        for i in 0..MAX_PLATE_LEN {
            let code = match self.chars[i] {
                0 => 0,
                c => char_code(c),
            };
            key = (key << CODE_BITS) | u64::from(code);
        }
        key
    }

    /// A plate from characters already canonical (`0-9A-Z`, from
    /// [`code_char`]): the first `len` of `chars`, the rest zero.
    pub(crate) fn from_canonical(chars: [u8; MAX_PLATE_LEN], len: usize) -> Self {
        Self {
            len: len.min(MAX_PLATE_LEN) as u8,
            chars,
        }
    }

    /// Inverse of [`Plate::pack`] (tests only). Unknown codes end the plate
    /// early, so any `u64` gives some plate.
    #[cfg(test)]
    pub(crate) fn unpack(key: u64) -> Self {
        let mut chars = [0u8; MAX_PLATE_LEN];
        let mut len = 0;
        for (i, slot) in chars.iter_mut().enumerate() {
            let shift = CODE_BITS * (MAX_PLATE_LEN - 1 - i) as u32;
            let code = ((key >> shift) & CODE_MASK) as u8;
            match code_char(code) {
                Some(c) => {
                    *slot = c;
                    len = i + 1;
                }
                None => break,
            }
        }
        Self {
            len: len as u8,
            chars,
        }
    }
}

/// Packed code of an ASCII `0-9A-Z` character: `0-9` are 1..=10, `A-Z` are
/// 11..=36; 0 is "no character".
pub(crate) const fn char_code(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0' + 1,
        b'A'..=b'Z' => c - b'A' + 11,
        _ => 0,
    }
}

/// Inverse of [`char_code`].
pub(crate) const fn code_char(code: u8) -> Option<u8> {
    match code {
        1..=10 => Some(b'0' + code - 1),
        11..=36 => Some(b'A' + code - 11),
        _ => None,
    }
}

/// Number of characters in a packed plate.
#[cfg(test)]
pub(crate) fn packed_len(key: u64) -> usize {
    // Trailing zero codes are padding.
    let mut len = MAX_PLATE_LEN;
    while len > 0 {
        let shift = CODE_BITS * (MAX_PLATE_LEN - len) as u32;
        if (key >> shift) & CODE_MASK != 0 {
            break;
        }
        len -= 1;
    }
    len
}

impl fmt::Debug for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Plate({:?})", self.as_str())
    }
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialOrd for Plate {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Plate {
    /// String order. Unused positions are zero and every character is
    /// above zero, so the whole arrays compare as the strings do: as two
    /// big-endian integers, without a loop (ranking compares plates on
    /// every tie).
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.order_key().cmp(&other.order_key())
    }
}

impl Plate {
    /// The characters as big-endian integers (see [`Ord`]).
    #[inline]
    fn order_key(&self) -> (u64, u16) {
        let [a, b, c, d, e, f, g, h, i, j] = self.chars;
        (
            u64::from_be_bytes([a, b, c, d, e, f, g, h]),
            u16::from_be_bytes([i, j]),
        )
    }
}

crate::fmt::via_str!(Plate, "a number plate", |v: &str| Plate::normalize(
    v.as_bytes()
));

/// Why bytes are not a country code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CountryError {
    /// Not exactly two bytes ([`Country::recognise`]: not one to three).
    BadLength {
        /// The length that was given.
        len: usize,
    },
    /// A byte that is not an ASCII letter.
    InvalidChar {
        /// Offset of the byte.
        at: usize,
    },
    /// One or three letters that name no country [`Country::recognise`]
    /// knows.
    Unknown,
}

impl fmt::Display for CountryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadLength { len } => {
                write!(
                    f,
                    "country code has {len} bytes: give the two letters of ISO 3166"
                )
            }
            Self::InvalidChar { at } => {
                write!(f, "country code has a non-letter at byte {at}")
            }
            Self::Unknown => f.write_str(
                "country code of one or three letters that names no known country: \
                 give the two letters of ISO 3166",
            ),
        }
    }
}

impl core::error::Error for CountryError {}

/// A two-letter country code (`BE`, `NL`, `FR`, `DE`, `LU`, ...), upper case.
///
/// ```
/// use hitgate_core::plate::Country;
/// assert_eq!(Country::parse(b"be").unwrap().as_str(), "BE");
/// assert!(Country::parse(b"B1").is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 2]);

impl Country {
    /// Belgium.
    pub const BE: Self = Self(*b"BE");

    /// Parses two ASCII letters, folding case.
    pub fn parse(raw: &[u8]) -> Result<Self, CountryError> {
        let [a, b] = raw else {
            return Err(CountryError::BadLength { len: raw.len() });
        };
        for (at, c) in [*a, *b].iter().enumerate() {
            if !c.is_ascii_alphabetic() {
                return Err(CountryError::InvalidChar { at });
            }
        }
        Ok(Self([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
    }

    /// Parses a country as cameras and lists write it: any two letters as
    /// [`Country::parse`] takes them, or, for the countries of Europe and
    /// its neighbours, the three letters of ISO 3166 alpha-3 (`BEL`) or
    /// the international vehicle registration code, the oval sticker's
    /// one to three letters (`B`, `F`, `D`, `NL`, `IRL`, `SLO`), folding
    /// case. The two-letter codes are ISO's but one: `FL`, the sticker of
    /// Liechtenstein, is `LI`.
    ///
    /// ```
    /// use hitgate_core::plate::Country;
    /// let fr = Country::parse(b"FR").unwrap();
    /// assert_eq!(Country::recognise(b"F"), Ok(fr));
    /// assert_eq!(Country::recognise(b"fra"), Ok(fr));
    /// assert_eq!(Country::recognise(b"SLO").unwrap().as_str(), "SI");
    /// assert!(Country::recognise(b"XYZ").is_err());
    /// ```
    pub fn recognise(raw: &[u8]) -> Result<Self, CountryError> {
        match raw {
            // The common case, as cheap as `parse`: a read's cost on the
            // firmware is counted in instructions.
            [a, b] if !(a.eq_ignore_ascii_case(&b'F') && b.eq_ignore_ascii_case(&b'L')) => {
                Self::parse(raw)
            }
            _ => Self::recognise_other(raw),
        }
    }

    /// [`Country::recognise`] for a code that is not two letters of ISO.
    #[cold]
    #[inline(never)]
    fn recognise_other(raw: &[u8]) -> Result<Self, CountryError> {
        if let Some(at) = raw.iter().position(|c| !c.is_ascii_alphabetic()) {
            return Err(CountryError::InvalidChar { at });
        }
        let mut key = [b' '; 3];
        match raw.len() {
            1..=3 => key[..raw.len()].copy_from_slice(raw),
            len => return Err(CountryError::BadLength { len }),
        }
        key.make_ascii_uppercase();
        COUNTRY_CODES
            .chunks_exact(5)
            .find(|r| r[..3] == key)
            .map(|r| Self([r[3], r[4]]))
            .ok_or(CountryError::Unknown)
    }

    /// The code as a string slice.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("")
    }

    /// Compact form: 1..=676, 0 meaning "no country".
    pub(crate) fn pack(country: Option<Self>) -> u16 {
        match country {
            None => 0,
            Some(Self([a, b])) => u16::from(a - b'A') * 26 + u16::from(b - b'A') + 1,
        }
    }

    /// Inverse of [`Country::pack`].
    pub(crate) fn unpack(code: u16) -> Option<Self> {
        if code == 0 || code > 676 {
            return None;
        }
        let c = code - 1;
        Some(Self([b'A' + (c / 26) as u8, b'A' + (c % 26) as u8]))
    }
}

/// [`Country::recognise`]'s codes other than ISO's two letters, five bytes
/// a record: the code padded with spaces to three, then ISO's two.
/// Vehicle registration codes from the 1968 Vienna Convention's list as
/// the countries now use them; alpha-3 from ISO 3166-1 (Kosovo's `XKX`
/// and `RKS` by use, as its `XK`).
const COUNTRY_CODES: &[u8] = b"\
    A  ATAUTATB  BEBELBED  DEDEUDEE  ESESPESF  FRFRAFRH  HUHUNHUI  ITITAIT\
    L  LULUXLUM  MTMLTMTN  NONORNOP  PTPRTPTS  SESWESEV  VAVATVA\
    NLDNLGBRGBIRLIEFINFIESTEESLOSISVNSIRUSRUSRBRSMNEMEBIHBANMKMKMKDMK\
    RSMSMSMRSMANDADGBZGIGIBGIGBJJEJEYJEGBGGGGGYGGGBMIMIMNIMRKSXKXKXXK\
    CHECHPOLPLCZECZSVKSKROUROBGRBGGRCGRHRVHRDNKDKLVALVLTULTCYPCYISLIS\
    FL LILIELIMCOMCALBALUKRUAMDAMDBLRBYTURTRMARMATUNTNDZADZ";

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({})", self.as_str())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

crate::fmt::via_str!(Country, "a two-letter country code", |v: &str| {
    Country::parse(v.as_bytes())
});

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Result<Plate, PlateError> {
        Plate::normalize(s.as_bytes())
    }

    #[test]
    fn belgian_and_neighbouring_formats() {
        // Current Belgian format, and the separators engines emit.
        for raw in [
            "1-ABC-234",
            "1 abc 234",
            "1.ABC.234",
            "1\u{b7}ABC\u{b7}234",
            "1abc234",
        ] {
            assert_eq!(n(raw).unwrap().as_str(), "1ABC234", "{raw}");
        }
        // Letter-first category plates, older formats, foreign plates.
        let cases = [
            ("M-ABC-12", "MABC12"),
            ("O-ABC-123", "OABC123"),
            ("CD-123-A", "CD123A"),
            ("ABC-123", "ABC123"),
            ("123-ABC", "123ABC"),
            ("AB-123", "AB123"),
            ("GB-123-X", "GB123X"),
            ("AB-12-CD", "AB12CD"),
            ("B-AB 1234", "BAB1234"),
            ("AB 123 CD", "AB123CD"),
            ("LU 12345", "LU12345"),
        ];
        for (raw, want) in cases {
            assert_eq!(n(raw).unwrap().as_str(), want, "{raw}");
        }
    }

    /// Plates as cameras and registers abroad write them, each worked
    /// out by hand from the letters on the plate.
    #[test]
    fn other_alphabets_read_as_their_latin_letters() {
        let cases = [
            // German district codes with an umlaut, lower case too.
            ("TÜ-AB 123", "TUAB123"),
            ("LÖ X 99", "LOX99"),
            ("mü·a 1", "MUA1"),
            // Serbian and Croatian city codes.
            ("ČA 123-AB", "CA123AB"),
            ("ŠA 001-ŽĐ", "SA001ZD"),
            // Bulgarian and Russian (Cyrillic), upper and lower case.
            ("СА 1234 ВХ", "CA1234BX"),
            ("са 1234 вх", "CA1234BX"),
            ("А123ВС 77", "A123BC77"),
            ("У777УУ", "Y777YY"),
            ("Е001КМ", "E001KM"),
            ("Н-О-Р-Т", "HOPT"),
            // Ukrainian, with its dotted I.
            ("АА 1234 ІВ", "AA1234IB"),
            ("аа1234ів", "AA1234IB"),
            // Greek, upper and lower case.
            ("ΙΚΗ-1234", "IKH1234"),
            ("ικη-1234", "IKH1234"),
            ("ΥΖΧ 987", "YZX987"),
            ("ΑΒΕΜΝΟΡΤ", "ABEMNOPT"),
            // Other Latin letters with diacritics.
            ("ÅÉÑØ", "AENO"),
            ("ŁőŘŸŀ", "LORYL"),
            // Cyrillic and Latin mixed, as an engine trained on both writes.
            ("CА1234BХ", "CA1234BX"),
        ];
        for (raw, want) in cases {
            let got = n(raw);
            assert_eq!(got.as_ref().map(Plate::as_str), Ok(want), "{raw}");
        }
        // Letters of these blocks without a single base letter or twin.
        for ch in [
            'ß', 'Æ', 'Œ', 'Ŋ', 'ŉ', 'ſ', 'ı', 'Þ', 'Б', 'Ж', 'Я', 'ё', 'Λ', 'Ω', 'δ',
        ] {
            let mut buf = [0u8; 4];
            let raw = ch.encode_utf8(&mut buf);
            assert_eq!(n(raw), Err(PlateError::InvalidChar { at: 0, ch }), "{ch}");
        }
        // Whatever a character becomes is a plate character.
        for code in 0..0x500u32 {
            if let Some(c) = char::from_u32(code).and_then(plate_char) {
                assert!(c.is_ascii_uppercase() || c.is_ascii_digit(), "U+{code:04X}");
            }
        }
    }

    #[test]
    fn errors_say_what_and_where() {
        assert_eq!(n(""), Err(PlateError::Empty));
        assert_eq!(n(" - . "), Err(PlateError::Empty));
        assert_eq!(
            n("1-ABC_234"),
            Err(PlateError::InvalidChar { at: 5, ch: '_' })
        );
        assert_eq!(n("1ßBC"), Err(PlateError::InvalidChar { at: 1, ch: 'ß' }));
        assert_eq!(n("1ÄBÆ"), Err(PlateError::InvalidChar { at: 4, ch: 'Æ' }));
        assert_eq!(n("AB×12"), Err(PlateError::InvalidChar { at: 2, ch: '×' }));
        // Cyrillic letters without a Latin twin, and a final sigma.
        assert_eq!(n("СБ123"), Err(PlateError::InvalidChar { at: 2, ch: 'Б' }));
        assert_eq!(n("Д"), Err(PlateError::InvalidChar { at: 0, ch: 'Д' }));
        assert_eq!(n("12ς"), Err(PlateError::InvalidChar { at: 2, ch: 'ς' }));
        assert_eq!(n("ÜÜÜÜÜ-123456"), Err(PlateError::TooLong { at: 16 }));
        assert_eq!(n("ABCDE-123456"), Err(PlateError::TooLong { at: 11 }));
        assert_eq!(n("ABCDE-12345").unwrap().len(), 10);
        assert_eq!(
            Plate::normalize(b"AB\xff12"),
            Err(PlateError::InvalidUtf8 { at: 2 })
        );
        extern crate std;
        use std::string::ToString;
        assert_eq!(
            PlateError::InvalidChar { at: 5, ch: '_' }.to_string(),
            "plate has invalid character '_' at byte 5"
        );
    }

    /// The one-pass path gives what the character-by-character path
    /// gives, on every string of up to five bytes over letters, digits,
    /// each separator, a byte normalisation refuses and a byte above 127,
    /// and on long runs around the limits; where it declines, the general
    /// path decides (errors included).
    #[test]
    fn the_short_path_agrees_with_the_general_one() {
        let general =
            |raw: &[u8]| Plate::from_chars(raw.iter().enumerate().map(|(at, &b)| (at, b as char)));
        let check = |raw: &[u8]| match normalize_short(raw) {
            Some(p) => assert_eq!(Ok(p), general(raw), "{raw:?}"),
            None => assert!(
                raw.len() > SHORT || general(raw).is_err() || !raw.is_ascii(),
                "{raw:?} declined"
            ),
        };
        let alphabet = b"aZ09 -._\0\xc2";
        let mut raw = [0u8; 5];
        for len in 0..=raw.len() {
            let mut k = 0usize;
            while k < alphabet.len().pow(len as u32) {
                let mut x = k;
                for b in raw.iter_mut().take(len) {
                    *b = alphabet[x % alphabet.len()];
                    x /= alphabet.len();
                }
                check(&raw[..len]);
                k += 1;
            }
        }
        for len in 8..=18 {
            check(&b"1ABC2345678901234567"[..len]);
            check(&b"-1-A-B-C-2-3-4-5-6-"[..len]);
            check(&b"          1ABC234  "[..len]);
        }
        assert_eq!(normalize_short(b"1-abc-234"), Some(n("1ABC234").unwrap()));
    }

    #[test]
    fn pack_round_trip_and_order() {
        let a = n("1ABC234").unwrap();
        let b = n("1ABC2345").unwrap();
        let c = n("1ABD").unwrap();
        for p in [a, b, c, n("Z").unwrap(), n("ZZZZZZZZZZ").unwrap()] {
            assert_eq!(Plate::unpack(p.pack()), p);
            assert_eq!(packed_len(p.pack()), p.len());
        }
        // Packed order is string order, with a prefix before its extensions.
        assert!(a.pack() < b.pack() && b.pack() < c.pack());
        assert!(a < b && b < c);
        assert!(n("ZZZZZZZZZZ").unwrap().pack() < 1 << 60);
    }

    #[test]
    fn countries() {
        for code in ["BE", "NL", "FR", "DE", "LU", "AA", "ZZ"] {
            let c = Country::parse(code.as_bytes()).unwrap();
            assert_eq!(Country::unpack(Country::pack(Some(c))), Some(c));
        }
        assert_eq!(Country::pack(None), 0);
        assert_eq!(Country::unpack(0), None);
        assert_eq!(Country::unpack(677), None);
        assert_eq!(
            Country::parse(b"B"),
            Err(CountryError::BadLength { len: 1 })
        );
        assert_eq!(
            Country::parse(b"B-"),
            Err(CountryError::InvalidChar { at: 1 })
        );
    }

    #[test]
    fn countries_as_cameras_write_them() {
        let r = |code: &str| Country::recognise(code.as_bytes()).map(|c| c.as_str().to_owned());
        // Stickers, alpha-3 and alpha-2 of the same country, any case;
        // each pair below checked against ISO 3166-1 and the Vienna
        // Convention's list by hand.
        for (codes, iso) in [
            (&["B", "BEL", "BE", "be", "bel"][..], "BE"),
            (&["F", "FRA", "FR"], "FR"),
            (&["D", "DEU", "DE"], "DE"),
            (&["L", "LUX", "LU"], "LU"),
            (&["NL", "NLD"], "NL"),
            (&["GB", "GBR"], "GB"),
            (&["IRL"], "IE"),
            (&["SLO", "SVN", "SI"], "SI"),
            (&["FL", "fl", "LIE", "LI"], "LI"),
            (&["E", "ESP"], "ES"),
            (&["CH", "CHE"], "CH"),
            (&["RKS", "XKX"], "XK"),
            (&["GBZ", "GIB"], "GI"),
        ] {
            for code in codes {
                assert_eq!(r(code).as_deref(), Ok(iso), "{code}");
            }
        }
        // Any two letters stay ISO's; other lengths and unknown codes are
        // refused, naming what is wrong.
        assert_eq!(r("ZZ").as_deref(), Ok("ZZ"));
        assert_eq!(r("X"), Err(CountryError::Unknown));
        assert_eq!(r("XYZ"), Err(CountryError::Unknown));
        assert_eq!(r("A  "), Err(CountryError::InvalidChar { at: 1 }));
        assert_eq!(r(""), Err(CountryError::BadLength { len: 0 }));
        assert_eq!(r("BELG"), Err(CountryError::BadLength { len: 4 }));
        assert_eq!(r("B1"), Err(CountryError::InvalidChar { at: 1 }));
        // Every record is a code of one to three letters padded with
        // spaces, then two letters, and no code appears twice.
        let records: Vec<&[u8]> = COUNTRY_CODES.chunks(5).collect();
        assert!(records.iter().all(|r| r.len() == 5));
        for (i, rec) in records.iter().enumerate() {
            let code = rec[..3].trim_ascii_end();
            assert!(
                !code.is_empty() && code.iter().all(u8::is_ascii_uppercase),
                "{rec:?}"
            );
            assert!(rec[3..].iter().all(u8::is_ascii_uppercase), "{rec:?}");
            assert!(!records[..i].iter().any(|o| o[..3] == rec[..3]), "{rec:?}");
        }
    }
}

#[cfg(all(test, feature = "serde"))]
mod serde_tests {
    use super::*;

    #[test]
    fn plates_and_countries_go_through_serde_as_checked_strings() {
        let mut buf = [0u8; 32];
        let p = Plate::normalize(b"1-abc-234").unwrap();
        let bytes = postcard::to_slice(&p, &mut buf).unwrap();
        assert_eq!(&bytes[..], b"\x071ABC234");
        assert_eq!(postcard::from_bytes::<Plate>(bytes).unwrap(), p);
        // A string that is not a plate is an error, not a plate.
        assert!(postcard::from_bytes::<Plate>(b"\x051_ABC").is_err());
        assert_eq!(
            postcard::from_bytes::<Country>(b"\x02be").unwrap(),
            Country::BE
        );
        assert!(postcard::from_bytes::<Country>(b"\x03BEL").is_err());
        assert!(postcard::from_bytes::<crate::read::CameraId>(b"\x00").is_err());
    }
}
