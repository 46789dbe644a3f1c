//! Watchlists in fixed memory, and OCR-tolerant lookup without a linear scan.
//!
//! # Storage
//!
//! The caller hands in two slices of the same length: `&mut [Entry]` (20
//! bytes an entry) and `&mut [u32]` (4 bytes an entry, the suffix index). A
//! firmware passes `static` arrays, a host boxed slices. Nothing else grows:
//! per-list metadata is a fixed array of [`MAX_LISTS`]. 24 bytes an entry,
//! index included (asserted in the tests).
//!
//! Two more slices are optional and trade memory for speed on large lists;
//! results are the same without them: a membership filter
//! ([`WatchlistBuilder::set_filter`], a byte an entry is a good size) and
//! fences ([`WatchlistBuilder::set_fences`], about half a byte an entry,
//! [`fence_words`]).
//!
//! An entry packs the plate's *skeleton*, every character replaced by the
//! representative of its look-alike class (`1ABC234`, `1A8C234` and
//! `IA8CZ34` share the skeleton `1A8C234`), ten 6-bit codes with the first
//! character highest, above the list id; which member of its class each
//! character is (2 bits each), so the exact plate comes back; priority and
//! country; the validity window in seconds.
//!
//! # Index
//!
//! [`WatchlistBuilder::build`] sorts the entries by search group (lists that
//! allow no edit, one, two), then by skeleton, so one integer comparison
//! orders two entries and entries sharing a skeleton prefix are contiguous;
//! the `u32` slice becomes, per group, the entries' positions sorted by
//! reversed skeleton, so entries sharing a skeleton suffix are contiguous
//! there. An OCR-equivalent substitution leaves the skeleton unchanged; every
//! other edit changes it by one edit. So:
//!
//! * **exact and OCR-equivalent matches** have the read's skeleton: one binary
//!   search;
//! * **one edit** (pigeonhole on halves): split the read's skeleton in two;
//!   an entry within one edit starts with the first half (a range of the
//!   sorted entries) when the edit lies in the second, and ends with the
//!   second half (a range of the suffix index) when it lies in the first,
//!   whether the entry is one character shorter than the read, as long or
//!   one longer. In a large list with a filter, above [`OVERLAP_ABOVE`]
//!   entries, the halves overlap by a character (narrower ranges) and exact
//!   probes find the edits at that character. Each word of the
//!   suffix index holds, above the entry's position, the leading bits of
//!   its reversed skeleton, so most steps of a suffix search read no entry;
//!   with fences, its second and third characters instead, so that most
//!   entries of a suffix range that cannot be one edit away are never read;
//! * **two edits**: every listed plate within two edits of the read is within
//!   one edit of some one-edit variant of the read, so the one-edit search
//!   runs for the read and each variant (about 200 for a 7-character plate).
//!   Exact and sub-linear but a hundred times dearer than one edit: meant for
//!   small lists, as vendors advise.
//!
//! With fences, every search first finds its block (sixteen entries, say)
//! by a binary search over the samples, a small array that stays in cache,
//! and then scans the block: in a list of 1,000,000 entries that saves
//! about ten cache misses a search. Above 16,384 samples an order (262,144
//! entries in blocks of sixteen) the samples outgrow the nearest cache, so
//! every sixteenth sample is kept again: the binary search runs over those
//! and ends in one cache line of samples.
//!
//! Candidates first pass a bit-level filter on the packed skeletons (within
//! their list's edits of the read), then the country, the validity window
//! and the distance within the list's tolerance: on 64-bit targets counted
//! on the packed forms when the lengths agree (the same count as
//! [`distance()`](crate::distance()), see `packed_distance`), otherwise by
//! `distance()` on the rebuilt plate.
//!
//! The speed this gives, and where it falls short, is measured in
//! `BENCHMARKS.md`.

use core::cmp::Ordering;
use core::fmt;

use crate::confusion::ConfusionClasses;
use crate::distance::{Distance, MAX_TOLERANCE, Tolerance, distance, in_place};
use crate::plate::{CODE_BITS, CODE_MASK, Country, MAX_PLATE_LEN, Plate, char_code};

/// The most lists one watchlist holds.
pub const MAX_LISTS: usize = 16;

/// Tolerance never applies to plates shorter than this, whatever a list says:
/// below it the pigeonhole halves would be empty and a lookup would scan.
pub const MIN_TOLERANT_LEN: u8 = 3;

/// With [`OneEdit::Auto`] and a filter, above this many entries (in a
/// search group) one-edit lookups overlap their halves (measured in
/// `BENCHMARKS.md`, with a filter: at 1,000 entries plain halves are 1.8
/// times as fast, at 100,000 both are even, at 1,000,000 the overlap is
/// 1.6 times as fast).
pub const OVERLAP_ABOVE: usize = 1 << 16;

/// Fences ([`WatchlistBuilder::set_fences`]) pay above about this many
/// entries; below, a binary search over the whole list stays in cache and is
/// faster (measured in `BENCHMARKS.md`: at 1,000 entries tolerant lookups
/// are a fifth slower with fences, at 64,000 a third faster).
pub const FENCES_PAY_ABOVE: usize = 1 << 15;

/// Words of fence storage ([`WatchlistBuilder::set_fences`]) for a sample
/// every `step` entries (a power of two; 16 is a good step) in a list of
/// `entries`: the samples of the two orders and, above 16,384 samples an
/// order, every sixteenth of them again.
///
/// ```
/// use hitgate_core::fence_words;
/// // 0.53 bytes an entry: 62,500 samples and 3,907 top samples an order.
/// assert_eq!(fence_words(1_000_000, 16), 132_814);
/// ```
pub const fn fence_words(entries: usize, step: usize) -> usize {
    let step = if step == 0 { 1 } else { step };
    let half = entries.div_ceil(step);
    half.saturating_add(top_len(half)).saturating_mul(2)
}

/// How a one-edit lookup finds its candidates. Every strategy finds the
/// same matches (the reference property test runs each); they differ in
/// speed, which depends on the list size, the filter and the processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OneEdit {
    /// [`Overlap`](Self::Overlap) above [`OVERLAP_ABOVE`] entries with a
    /// filter, [`Halves`](Self::Halves) otherwise.
    #[default]
    Auto,
    /// The read's halves: two range searches, wide ones in a large list.
    Halves,
    /// Halves that overlap by one character (narrower ranges), and exact
    /// probes for a substitution or a deletion at that character: best
    /// with a filter in front of the probes.
    Overlap,
}

/// Bytes of caller storage per entry: one [`Entry`] and one `u32`.
pub const BYTES_PER_ENTRY: usize = core::mem::size_of::<Entry>() + core::mem::size_of::<u32>();

/// A hit priority: 0 (most urgent) to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct Priority(u8);

impl Priority {
    /// Priority 0: most urgent, never throttled.
    pub const P0: Self = Self(0);
    /// Priority 1.
    pub const P1: Self = Self(1);
    /// Priority 2: handled only with extra filtering.
    pub const P2: Self = Self(2);
    /// Priority 3.
    pub const P3: Self = Self(3);
    /// Priority 4.
    pub const P4: Self = Self(4);
    /// Number of priorities.
    pub const COUNT: usize = 5;

    /// A priority from 0 to 4, or `None`.
    pub const fn new(p: u8) -> Option<Self> {
        if p < Self::COUNT as u8 {
            Some(Self(p))
        } else {
            None
        }
    }

    /// The number, 0 to 4.
    pub const fn get(self) -> u8 {
        self.0
    }

    /// The number as an index, 0 to 4.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "P{}", self.0)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Priority {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let p = <u8 as serde::Deserialize>::deserialize(d)?;
        Self::new(p).ok_or_else(|| serde::de::Error::custom("priority must be 0 to 4"))
    }
}

/// Which list of a watchlist: 0 to [`MAX_LISTS`] - 1, in the order lists were
/// added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct ListId(pub u8);

impl ListId {
    /// The id as an index.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// Properties of one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ListSpec {
    /// How far a read may be from an entry of this list.
    pub tolerance: Tolerance,
    /// The zone's own list (used by the priority-2 rule of the decision matrix).
    pub local: bool,
}

/// Position of an entry in a built watchlist. Stable until the watchlist is
/// rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct EntryId(pub u32);

/// One watchlist entry as the caller gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ListEntry {
    /// The listed plate.
    pub plate: Plate,
    /// Its country, when the list says.
    pub country: Option<Country>,
    /// Hit priority.
    pub priority: Priority,
    /// The list it stands on.
    pub list: ListId,
    /// Valid from this time (ms since the Unix epoch, inclusive; rounded up to
    /// a whole second).
    pub valid_from: Option<u64>,
    /// Valid until this time (ms since the Unix epoch, exclusive; rounded down
    /// to a whole second).
    pub valid_until: Option<u64>,
}

impl ListEntry {
    /// An entry valid at all times.
    pub fn new(plate: Plate, country: Option<Country>, priority: Priority, list: ListId) -> Self {
        Self {
            plate,
            country,
            priority,
            list,
            valid_from: None,
            valid_until: None,
        }
    }
}

/// Bits of the list id at the bottom of an entry key.
const LIST_BITS: u32 = 4;
/// Country codes: 0 (none) and 1..=676.
const COUNTRY_CODES: u32 = 677;

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
    key_lo: u32,
    key_hi: u32,
    /// variant (20 bits) << 12 | priority * 677 + country
    meta: u32,
    /// Seconds since the epoch; 0 = no lower bound.
    from: u32,
    /// Seconds since the epoch, exclusive; 0 = no upper bound (so that an
    /// unused slot is all zero bytes and static storage costs no flash).
    until: u32,
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

    #[inline]
    fn key(&self) -> u64 {
        (u64::from(self.key_hi) << 32) | u64::from(self.key_lo)
    }

    #[inline]
    fn skel(&self) -> u64 {
        self.key() >> LIST_BITS
    }

    #[inline]
    fn list(&self) -> ListId {
        ListId((self.key() & ((1 << LIST_BITS) - 1)) as u8)
    }

    fn variant(&self) -> u32 {
        self.meta >> 12
    }

    fn priority(&self) -> Priority {
        Priority((((self.meta & 0xFFF) / COUNTRY_CODES) as u8).min(4))
    }

    fn country_code(&self) -> u16 {
        ((self.meta & 0xFFF) % COUNTRY_CODES) as u16
    }

    fn is_valid_at(&self, now: u64) -> bool {
        now >= u64::from(self.from) * 1000
            && (self.until == 0 || now < u64::from(self.until) * 1000)
    }

    /// The exact plate, from the skeleton and the class members: one pass
    /// over the skeleton's characters, ending early at an unknown member
    /// (only in a corrupt entry).
    fn plate(&self, classes: &ConfusionClasses) -> Plate {
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
fn skel_len(skel: u64) -> usize {
    if skel == 0 {
        return 0;
    }
    MAX_PLATE_LEN - (skel.trailing_zeros() / CODE_BITS) as usize
}

/// Skeleton and variant of a plate.
fn skel_of(classes: &ConfusionClasses, plate: &Plate) -> (u64, u32) {
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

/// How a read matched an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum MatchKind {
    /// Character for character.
    Exact,
    /// Only look-alike substitutions.
    Ocr,
    /// At least one other substitution, insertion or deletion.
    Edit,
}

impl MatchKind {
    /// The kind of a distance.
    pub fn of(d: Distance) -> Self {
        match (d.ocr, d.edits) {
            (0, 0) => Self::Exact,
            (_, 0) => Self::Ocr,
            _ => Self::Edit,
        }
    }

    /// Lower-case name: `exact`, `ocr`, `edit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Ocr => "ocr",
            Self::Edit => "edit",
        }
    }
}

/// One entry a read matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Match {
    /// Which entry.
    pub entry: EntryId,
    /// Its list.
    pub list: ListId,
    /// Whether that list is a local list.
    pub local: bool,
    /// Its priority.
    pub priority: Priority,
    /// The listed plate.
    pub listed: Plate,
    /// The listed country.
    pub country: Option<Country>,
    /// Exact, OCR-equivalent or edit.
    pub kind: MatchKind,
    /// The changes from the read to the listed plate.
    pub distance: Distance,
}

impl Match {
    /// All zero bytes: the placeholder in an unused passage slot.
    pub(crate) const ZERO: Self = Self {
        entry: EntryId(0),
        list: ListId(0),
        local: false,
        priority: Priority::P0,
        listed: Plate::ZERO,
        country: None,
        kind: MatchKind::Exact,
        distance: Distance { ocr: 0, edits: 0 },
    };

    /// The ranking: fewer changes, OCR before edits, lower priority number,
    /// then list, listed plate and country so that the order is total.
    fn rank_cmp(&self, other: &Self) -> Ordering {
        // Lazily: the plates are compared only on a tie of the rest.
        self.distance
            .rank()
            .cmp(&other.distance.rank())
            .then(self.priority.cmp(&other.priority))
            .then(self.list.cmp(&other.list))
            .then_with(|| self.listed.cmp(&other.listed))
            .then_with(|| Country::pack(self.country).cmp(&Country::pack(other.country)))
    }
}

/// The matches of one lookup, best first, at most `K` of them.
///
/// When more than `K` entries match, the best `K` are kept and
/// [`Matches::overflow`] counts the rest.
#[derive(Debug, Clone, Default)]
pub struct Matches<const K: usize = 8> {
    items: heapless::Vec<Match, K>,
    overflow: u16,
}

impl<const K: usize> Matches<K> {
    /// No matches.
    pub const fn new() -> Self {
        Self {
            items: heapless::Vec::new(),
            overflow: 0,
        }
    }

    /// The matches, best first.
    pub fn as_slice(&self) -> &[Match] {
        &self.items
    }

    /// The best match.
    pub fn best(&self) -> Option<&Match> {
        self.items.first()
    }

    /// Number of matches kept.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when nothing matched.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.overflow == 0
    }

    /// Matches that did not fit in `K`.
    pub fn overflow(&self) -> u16 {
        self.overflow
    }

    /// Empties the result, keeping its storage.
    pub fn clear(&mut self) {
        self.items.clear();
        self.overflow = 0;
    }

    /// Inserts in rank order, keeping the best `K`; ignores an entry already
    /// present.
    fn insert(&mut self, m: Match) {
        if self.items.iter().any(|x| x.entry == m.entry) {
            return;
        }
        let pos = self
            .items
            .iter()
            .position(|x| m.rank_cmp(x) == Ordering::Less)
            .unwrap_or(self.items.len());
        if self.items.is_full() {
            self.overflow = self.overflow.saturating_add(1);
            if pos >= self.items.len() {
                return;
            }
            self.items.pop();
        }
        // Cannot fail: there is room now.
        let _ = self.items.insert(pos, m);
    }
}

impl<'a, const K: usize> IntoIterator for &'a Matches<K> {
    type Item = &'a Match;
    type IntoIter = core::slice::Iter<'a, Match>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// Why an entry was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum InsertError {
    /// The storage is full; the entry is handed back.
    Full(ListEntry),
    /// The entry names a list that was not added.
    UnknownList(ListId),
    /// The validity window is empty, or starts after the year 2106.
    InvalidWindow,
}

impl fmt::Display for InsertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(e) => write!(f, "watchlist storage is full (entry {})", e.plate),
            Self::UnknownList(l) => write!(f, "list {} was not added", l.0),
            Self::InvalidWindow => f.write_str("validity window is empty or out of range"),
        }
    }
}

impl core::error::Error for InsertError {}

/// Why a list was not added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ListError {
    /// [`MAX_LISTS`] lists already.
    TooManyLists,
    /// A tolerance above [`MAX_TOLERANCE`].
    InvalidTolerance,
}

impl fmt::Display for ListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooManyLists => write!(f, "a watchlist holds at most {MAX_LISTS} lists"),
            Self::InvalidTolerance => {
                write!(
                    f,
                    "list tolerance above {MAX_TOLERANCE} OCR substitutions or edits"
                )
            }
        }
    }
}

impl core::error::Error for ListError {}

/// The same plate (and country) stands twice on one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Duplicate {
    /// The list.
    pub list: ListId,
    /// The plate.
    pub plate: Plate,
    /// The country.
    pub country: Option<Country>,
    /// Insertion index (0-based, in the order of [`WatchlistBuilder::insert`])
    /// of the first of the two.
    pub first: u32,
    /// Insertion index of the second.
    pub second: u32,
    /// How many duplicate entries there are in all.
    pub count: u32,
}

impl fmt::Display for Duplicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "plate {} stands twice on list {} (entries {} and {}; {} duplicate(s) in all)",
            self.plate, self.list.0, self.first, self.second, self.count
        )
    }
}

impl core::error::Error for Duplicate {}

/// Collects lists and entries into caller storage; [`build`](Self::build)
/// sorts and indexes them.
///
/// ```
/// use hitgate_core::*;
/// let mut entries = [Entry::EMPTY; 4];
/// let mut index = [0u32; 4];
/// let mut b = WatchlistBuilder::new(&mut entries, &mut index, ConfusionClasses::default());
/// let stolen = b.add_list(ListSpec { tolerance: Tolerance { ocr: 1, edits: 1, min_len: 5 }, local: false }).unwrap();
/// let plate = Plate::normalize(b"1-ABC-234").unwrap();
/// b.insert(ListEntry::new(plate, Some(Country::BE), Priority::P1, stolen)).unwrap();
/// let wl = b.build().map_err(|(_, dup)| dup).unwrap();
///
/// let read = Plate::normalize(b"1A8C24").unwrap(); // one look-alike, one dropped character
/// let m: Matches = wl.lookup(&read, None, 0);
/// let best = m.best().unwrap();
/// assert_eq!((best.kind, best.distance.ocr, best.distance.edits), (MatchKind::Edit, 1, 1));
/// assert_eq!(best.listed.as_str(), "1ABC234");
/// ```
pub struct WatchlistBuilder<'a> {
    entries: &'a mut [Entry],
    index: &'a mut [u32],
    filter: &'a mut [u64],
    fences: &'a mut [u32],
    len: usize,
    lists: heapless::Vec<ListSpec, MAX_LISTS>,
    classes: ConfusionClasses,
    version: u32,
}

impl<'a> WatchlistBuilder<'a> {
    /// A builder over caller storage. Capacity is the shorter of the two
    /// slices (and at most `u32::MAX / 2` entries).
    pub fn new(entries: &'a mut [Entry], index: &'a mut [u32], classes: ConfusionClasses) -> Self {
        Self {
            entries,
            index,
            filter: &mut [],
            fences: &mut [],
            len: 0,
            lists: heapless::Vec::new(),
            classes,
            version: 0,
        }
    }

    /// Gives the watchlist a membership filter: `words` of caller storage
    /// (one word per eight entries, a byte an entry, is a good size). Before
    /// each exact-skeleton search the lookup asks the filter, which says "no"
    /// without touching the entries for most reads that are not listed.
    /// Optional: without it (the default, an empty slice) results are the
    /// same, only slower on large lists.
    pub fn set_filter(&mut self, words: &'a mut [u64]) {
        self.filter = words;
    }

    /// Gives the watchlist fence keys: `words` of caller storage
    /// ([`fence_words`]`(entries, 16)`, half a byte an entry or a little
    /// more, is a good size: a sample every sixteenth entry of each of the
    /// two orders). Build samples the sorted entries and the suffix index
    /// at even steps (in a large list, every sixteenth sample again), so a
    /// search first narrows to a block of a few entries by a binary search
    /// over the samples, a few kilobytes that stay in cache, instead of a
    /// binary search over the whole list; and each suffix-index word then
    /// carries two characters of its entry, so most suffix candidates are
    /// turned down without reading the entry. With fewer words the step
    /// doubles until the samples fit.
    /// Optional: without it (the default, an empty slice) results are the
    /// same, only slower on large lists; with it, a list of fewer than
    /// [`FENCES_PAY_ABOVE`] entries is a little slower.
    pub fn set_fences(&mut self, words: &'a mut [u32]) {
        self.fences = words;
    }

    /// Sets the version the lists carry (hits report it).
    pub fn set_version(&mut self, version: u32) {
        self.version = version;
    }

    /// Entries the storage can hold.
    pub fn capacity(&self) -> usize {
        self.entries
            .len()
            .min(self.index.len())
            .min(u32::MAX as usize / 2)
    }

    /// Entries added so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no entry was added.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds a list; its id is the next free number.
    pub fn add_list(&mut self, spec: ListSpec) -> Result<ListId, ListError> {
        if !spec.tolerance.is_valid() {
            return Err(ListError::InvalidTolerance);
        }
        let id = ListId(self.lists.len() as u8);
        self.lists.push(spec).map_err(|_| ListError::TooManyLists)?;
        Ok(id)
    }

    /// Adds an entry. Duplicates are found by [`build`](Self::build).
    pub fn insert(&mut self, entry: ListEntry) -> Result<(), InsertError> {
        if entry.list.index() >= self.lists.len() {
            return Err(InsertError::UnknownList(entry.list));
        }
        let from = match entry.valid_from {
            None => 0,
            Some(ms) => u32::try_from(ms.div_ceil(1000)).map_err(|_| InsertError::InvalidWindow)?,
        };
        let until = entry
            .valid_until
            .map(|ms| u32::try_from(ms / 1000).unwrap_or(u32::MAX));
        if until.is_some_and(|u| from >= u) {
            return Err(InsertError::InvalidWindow);
        }
        let until = until.unwrap_or(0);
        if self.len >= self.capacity() {
            return Err(InsertError::Full(entry));
        }
        let (skel, variant) = skel_of(&self.classes, &entry.plate);
        let key = (skel << LIST_BITS) | u64::from(entry.list.0);
        let pc = u32::from(entry.priority.get()) * COUNTRY_CODES
            + u32::from(Country::pack(entry.country));
        self.entries[self.len] = Entry {
            key_hi: (key >> 32) as u32,
            key_lo: key as u32,
            meta: (variant << 12) | pc,
            from,
            until,
        };
        self.len += 1;
        Ok(())
    }

    /// Sorts and indexes the entries. A plate that stands twice on one list
    /// is refused: the builder comes back unchanged with the first duplicate
    /// (in insertion order) and the count.
    #[allow(clippy::result_large_err)] // no alloc to box it; the caller gets its storage back
    pub fn build(self) -> Result<Watchlist<'a>, (Self, Duplicate)> {
        let n = self.len;
        let classes = self.classes;
        // Sort key: skeleton and list (the entry key), then the exact plate
        // and country; equal (key, variant, country) is a duplicate.
        // The search group of each list: how many edits it allows. Entries
        // are sorted by group first, so each group is one contiguous
        // segment searched its own way.
        let mut groups = [0u8; MAX_LISTS];
        for (g, spec) in groups.iter_mut().zip(self.lists.iter()) {
            *g = spec.tolerance.edits.min(MAX_TOLERANCE);
        }
        let group = move |e: &Entry| groups.get(e.list().index()).copied().unwrap_or(0);
        let key = |e: &Entry| (group(e), e.key(), e.variant(), e.country_code());
        {
            let entries = &self.entries[..n];
            let perm = &mut self.index[..n];
            for (i, p) in perm.iter_mut().enumerate() {
                *p = i as u32;
            }
            perm.sort_unstable_by_key(|&i| (key(&entries[i as usize]), i));
            let mut dup: Option<Duplicate> = None;
            let mut count = 0u32;
            for w in perm.windows(2) {
                let (a, b) = (&entries[w[0] as usize], &entries[w[1] as usize]);
                if (a.key(), a.variant(), a.country_code())
                    != (b.key(), b.variant(), b.country_code())
                {
                    continue;
                }
                count += 1;
                // Within a run the insertion indices ascend; report the
                // duplicate inserted earliest.
                if dup.is_none_or(|d| w[1] < d.second) {
                    dup = Some(Duplicate {
                        list: a.list(),
                        plate: a.plate(&classes),
                        country: Country::unpack(a.country_code()),
                        first: w[0],
                        second: w[1],
                        count: 0,
                    });
                }
            }
            if let Some(mut d) = dup {
                d.count = count;
                return Err((self, d));
            }
        }
        let WatchlistBuilder {
            entries,
            index,
            filter,
            fences,
            len,
            lists,
            classes,
            version,
        } = self;
        filter.fill(0);
        for e in entries[..len].iter() {
            filter_insert(filter, group(e), e.skel());
        }
        apply_permutation(&mut entries[..len], &mut index[..len]);
        let mut counts = [0u32; MAX_LISTS];
        for e in entries[..len].iter() {
            if let Some(c) = counts.get_mut(e.list().index()) {
                *c += 1;
            }
        }
        let mut segments = [(0u32, 0u32); GROUPS];
        for (g, seg) in segments.iter_mut().enumerate() {
            let start = entries[..len].partition_point(|e| usize::from(group(e)) < g);
            let end = entries[..len].partition_point(|e| usize::from(group(e)) <= g);
            *seg = (start as u32, end as u32);
        }
        // The suffix index: each segment's positions by reversed skeleton,
        // each word topped with its key (see `SuffixSlot`). Then the fences,
        // if any: every `1 << shift`-th key of both orders.
        let (half, top, shift) = fence_layout(len, fences.len());
        let slot = SuffixSlot::for_len(len, half > 0);
        for &(start, end) in &segments {
            let idx = &mut index[start as usize..end as usize];
            for (i, p) in idx.iter_mut().enumerate() {
                *p = start + i as u32;
            }
            idx.sort_unstable_by_key(|&i| (reversed(entries[i as usize].skel()), i));
            for w in idx.iter_mut() {
                *w = slot.word(entries[*w as usize].skel(), *w);
            }
        }
        let (entry_fences, suffix_fences) = fences.split_at_mut(half);
        for (k, f) in entry_fences.iter_mut().enumerate() {
            *f = entries
                .get(k << shift)
                .map_or(u32::MAX, |e| top32(e.skel()));
        }
        for (k, f) in suffix_fences.iter_mut().take(half).enumerate() {
            *f = index
                .get(k << shift)
                .and_then(|&w| entries.get(slot.pos(w)))
                .map_or(u32::MAX, |e| top32(reversed(e.skel())));
        }
        // Every TOP-th sample of each array, after both.
        let (samples, tops) = fences.split_at_mut(2 * half);
        for (k, f) in tops.iter_mut().take(2 * top).enumerate() {
            let (array, t) = (k / top.max(1), k % top.max(1));
            *f = samples
                .get(array * half + t * TOP)
                .copied()
                .unwrap_or(u32::MAX);
        }
        let fences: &'a [u32] = fences;
        let mut reach = [Reach {
            edits: 0,
            min_len: u8::MAX,
        }; MAX_LISTS];
        for (r, spec) in reach.iter_mut().zip(lists.iter()) {
            *r = Reach {
                edits: spec.tolerance.edits,
                min_len: spec.tolerance.min_len.max(MIN_TOLERANT_LEN),
            };
        }
        Ok(Watchlist {
            entries: &entries[..len],
            index: &index[..len],
            slot,
            reach,
            lists,
            counts,
            segments,
            filter,
            fences: Fences {
                keys: fences.get(..2 * (half + top)).unwrap_or(&[]),
                half,
                shift,
            },
            classes,
            version,
            one_edit: OneEdit::Auto,
        })
    }
}

/// Reorders `entries` so that `entries_new[k] = entries_old[perm[k]]`, in
/// place, using the top bit of `perm` as a visited mark.
fn apply_permutation(entries: &mut [Entry], perm: &mut [u32]) {
    const SEEN: u32 = 1 << 31;
    for start in 0..entries.len() {
        if perm[start] & SEEN != 0 {
            continue;
        }
        let first = entries[start];
        let mut k = start;
        loop {
            let src = (perm[k] & !SEEN) as usize;
            perm[k] |= SEEN;
            if src == start {
                entries[k] = first;
                break;
            }
            entries[k] = entries[src];
            k = src;
        }
    }
}

/// A skeleton with its characters in reverse order (padding stays at the
/// end): bit operations only.
#[inline]
fn reversed(skel: u64) -> u64 {
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
fn rev_tail(skel: u64, k: usize) -> u64 {
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
fn tail(skel: u64, k: usize) -> u64 {
    let k = k.clamp(1, MAX_PLATE_LEN) as u32;
    let x = skel >> (CODE_BITS * (MAX_PLATE_LEN - skel_len(skel)) as u32);
    x & ((1 << (CODE_BITS * k)) - 1)
}

/// A skeleton with its character `i` deleted (the rest moves up).
#[inline]
fn delete_field(key: u64, i: usize) -> u64 {
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

/// Packs skeleton codes as a prefix key: `(lo, hi)` of all keys that start
/// with `codes`.
fn prefix_range(codes: &[u8]) -> (u64, u64) {
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
struct SuffixSlot {
    pos_bits: u32,
    /// The key is the second and third characters.
    chars: bool,
}

/// Bits of the second and third characters of a skeleton.
const CHARS_BITS: u32 = 2 * CODE_BITS;

impl SuffixSlot {
    /// The split for `len` entries (at most `u32::MAX / 2`, so at least one
    /// bit is left for the key); the key holds characters when `fenced` and
    /// there is room for two.
    fn for_len(len: usize, fenced: bool) -> Self {
        let last = len.saturating_sub(1) as u32;
        let pos_bits = (u32::BITS - last.leading_zeros()).max(1);
        Self {
            pos_bits,
            chars: fenced && u32::BITS - pos_bits >= CHARS_BITS,
        }
    }

    /// Bits of key a word holds.
    #[inline]
    fn key_bits(self) -> u32 {
        u32::BITS - self.pos_bits
    }

    /// The word of the entry at `pos` whose skeleton is `skel`.
    fn word(self, skel: u64, pos: u32) -> u32 {
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
    fn key_of(self, rev: u64) -> u32 {
        (rev >> (SKEL_BITS - self.key_bits())) as u32
    }

    /// The key bits of a word.
    #[inline]
    fn key(self, word: u32) -> u32 {
        word >> self.pos_bits
    }

    /// The entry position of a word.
    #[inline]
    fn pos(self, word: u32) -> usize {
        (word & ((1 << self.pos_bits) - 1)) as usize
    }
}

/// The second and third characters of a skeleton, as `c1 << 6 | c2`.
#[inline]
fn second_third(skel: u64) -> u32 {
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
fn may_be_one_edit(key: u32, q: &[u8; 4]) -> bool {
    let (e1, e2) = ((key >> CODE_BITS) as u8, (key as u8) & CODE_MASK as u8);
    let [_, q1, q2, q3] = *q;
    (e1 == q1) | (e2 == q2) | (e2 == q1) | ((e1 == q2) & (e2 == q3))
}

/// Words of the suffix index whose entries [`Ctx::scan_suffix_blocks`]
/// reads in one batch.
const SCAN_BATCH: usize = 32;

/// Up to this many entries, the start of a range is found by a scan rather
/// than a binary search.
const SCAN_BLOCK: usize = 32;

/// Samples a top sample stands for: a binary search runs over the top
/// samples, a few kilobytes that stay in the nearest cache, and ends with
/// a scan of at most this many samples, one cache line of them.
const TOP: usize = 16;

/// Samples of one order above which they get top samples. Below, the
/// samples themselves stay in cache and a binary search over them is
/// cheaper (measured in `BENCHMARKS.md`: with top samples, at 6,250
/// samples an order (100,000 entries) lookups were 3 % slower, at 62,500
/// (1,000,000 entries) 10 % faster).
const TOP_ABOVE: usize = 1 << 14;

/// Top samples for `half` samples of one order.
const fn top_len(half: usize) -> usize {
    if half > TOP_ABOVE {
        half.div_ceil(TOP)
    } else {
        0
    }
}

/// Sampled keys: the top 32 bits of the skeleton of every
/// `1 << shift`-th entry, then of the reversed skeleton of every
/// `1 << shift`-th entry of the suffix index; then every [`TOP`]-th sample
/// of each (the top samples). Empty: none.
#[derive(Clone, Copy)]
struct Fences<'a> {
    keys: &'a [u32],
    /// Samples of each array (and [`top_len`] top samples).
    half: usize,
    shift: u32,
}

/// The sorted entries' samples ([`Fences::narrow`]).
const ENTRY_ORDER: usize = 0;
/// The suffix index's samples.
const SUFFIX_ORDER: usize = 1;

impl Fences<'_> {
    /// [`narrow()`] with the samples of one order: without fences, at the
    /// cost of one comparison, `seg` itself.
    #[inline]
    fn narrow(&self, order: usize, seg: (usize, usize), lo: u32, hi: u32) -> (usize, usize) {
        if self.half == 0 {
            return seg;
        }
        narrow(self.array(order), self.shift, seg, lo, hi)
    }

    fn array(&self, k: usize) -> Sampled<'_> {
        let (h, t) = (self.half, top_len(self.half));
        Sampled {
            samples: self.keys.get(k * h..(k + 1) * h).unwrap_or(&[]),
            top: match t {
                0 => &[],
                _ => self
                    .keys
                    .get(2 * h + k * t..2 * h + (k + 1) * t)
                    .unwrap_or(&[]),
            },
        }
    }
}

/// The samples of one sorted array and their top samples (none for a
/// small array).
#[derive(Clone, Copy)]
struct Sampled<'a> {
    samples: &'a [u32],
    top: &'a [u32],
}

impl Sampled<'_> {
    /// The first sample in `k0..k1` that is at least `lo` (`k1` if none):
    /// a binary search over the top samples inside `k0..k1`, then a scan
    /// of the samples below the first top sample that is at least `lo`.
    #[inline]
    fn first_at_least(&self, (k0, k1): (usize, usize), lo: u32) -> usize {
        if self.top.is_empty() {
            return k0
                + self
                    .samples
                    .get(k0..k1)
                    .map_or(0, |s| s.partition_point(|&x| x < lo));
        }
        let (t0, t1) = (k0.div_ceil(TOP), k1.div_ceil(TOP));
        let t = t0
            + self
                .top
                .get(t0..t1)
                .map_or(0, |top| top.partition_point(|&x| x < lo));
        // Samples before `start` are below `lo` (or outside), the one at
        // `end` (if inside) is not.
        let start = if t == t0 { k0 } else { (t - 1) * TOP };
        let end = (t * TOP).min(k1);
        start
            + self
                .samples
                .get(start..end)
                .map_or(0, |s| s.iter().take_while(|&&x| x < lo).count())
    }
}

/// Samples per array, top samples per array and the log2 of the step, for
/// `len` entries and `words` of fence storage: the smallest step whose
/// samples and top samples of both arrays fit. No fences (0, 0, 0) without
/// storage for two.
fn fence_layout(len: usize, words: usize) -> (usize, usize, u32) {
    if len == 0 || words < 2 {
        return (0, 0, 0);
    }
    let need = |half: usize| half.saturating_add(top_len(half)).saturating_mul(2);
    let mut shift = 0;
    while need(len.div_ceil(1 << shift)) > words {
        shift += 1;
    }
    let half = len.div_ceil(1 << shift);
    (half, top_len(half), shift)
}

/// The top 32 bits of a 60-bit skeleton (or reversed skeleton).
#[inline]
fn top32(skel: u64) -> u32 {
    (skel >> (SKEL_BITS - 32)) as u32
}

/// Narrows positions `a..b` of a sorted array whose every
/// `1 << shift`-th key has its top 32 bits in `samples` to those that can
/// hold a key whose top 32 bits lie in `lo..=hi`: from the last sample
/// below `lo` to the first above `hi`. Without samples, `a..b`.
fn narrow(
    sampled: Sampled<'_>,
    shift: u32,
    (a, b): (usize, usize),
    lo: u32,
    hi: u32,
) -> (usize, usize) {
    let samples = sampled.samples;
    if samples.is_empty() {
        return (a, b);
    }
    let k0 = a.div_ceil(1 << shift);
    let k1 = b.div_ceil(1 << shift).min(samples.len());
    let Some(s) = samples.get(k0..k1) else {
        return (a, b);
    };
    let i = if sampled.top.is_empty() {
        s.partition_point(|&x| x < lo)
    } else {
        sampled.first_at_least((k0, k1), lo).saturating_sub(k0)
    };
    let mut j = i;
    while s.get(j).is_some_and(|&x| x <= hi) {
        j += 1;
    }
    // Samples k0.. sit at a.. and below b, so a <= start < end <= b.
    let start = if i == 0 { a } else { (k0 + i - 1) << shift };
    let end = if j == s.len() { b } else { (k0 + j) << shift };
    (start, end)
}

/// Bits of a skeleton.
const SKEL_BITS: u32 = CODE_BITS * MAX_PLATE_LEN as u32;

/// The lowest bit of each field of a skeleton.
const FIELD_LOWS: u64 = {
    let mut m = 0;
    let mut i = 0;
    while i < MAX_PLATE_LEN {
        m |= 1 << (CODE_BITS * i as u32);
        i += 1;
    }
    m
};

/// The lowest bit of each 2-bit field of an entry's class members.
const MEMBER_LOWS: u32 = {
    let mut m = 0;
    let mut i = 0;
    while i < MAX_PLATE_LEN {
        m |= 1 << (2 * i);
        i += 1;
    }
    m
};

/// The edits a list allows and the length below which it allows none,
/// kept per list at build so a lookup need not derive them per read.
#[derive(Clone, Copy)]
struct Reach {
    edits: u8,
    /// At least [`MIN_TOLERANT_LEN`].
    min_len: u8,
}

/// A built watchlist: sorted, indexed, read-only.
pub struct Watchlist<'a> {
    entries: &'a [Entry],
    index: &'a [u32],
    slot: SuffixSlot,
    lists: heapless::Vec<ListSpec, MAX_LISTS>,
    /// Per list, what the lookup's bit filter needs of its tolerance.
    reach: [Reach; MAX_LISTS],
    counts: [u32; MAX_LISTS],
    /// Entries of the lists that allow 0, 1 and 2 edits.
    segments: [(u32, u32); GROUPS],
    /// Membership filter over (group, skeleton); empty: none.
    filter: &'a [u64],
    fences: Fences<'a>,
    classes: ConfusionClasses,
    version: u32,
    one_edit: OneEdit,
}

/// The filter block of a (group, skeleton) and its three bits: a Bloom
/// filter blocked to 32 bits (half a caller word), so a query costs one
/// memory access, and hashed in 32-bit arithmetic, so it is cheap on a
/// 32-bit core too.
#[inline]
fn filter_slot(words: usize, group: u8, skel: u64) -> (usize, bool, u32) {
    // Fold the 60 bits with an odd multiplier, then the murmur3 finaliser:
    // skeletons of short plates end in zero fields, so their low bits alone
    // say nothing.
    let mut h =
        (skel as u32) ^ ((skel >> 32) as u32 | u32::from(group) << 28).wrapping_mul(0x9E37_79B1);
    h = (h ^ (h >> 16)).wrapping_mul(0x85EB_CA6B);
    h = (h ^ (h >> 13)).wrapping_mul(0xC2B2_AE35);
    h ^= h >> 16;
    let block = ((u64::from(h) * (2 * words) as u64) >> 32) as usize;
    // Bit positions from a second product: independent of the block's bits.
    let g = h.wrapping_mul(0x2545_F491);
    let bits = (1u32 << (g >> 27)) | (1u32 << ((g >> 22) & 31)) | (1u32 << ((g >> 17) & 31));
    (block / 2, block % 2 == 1, bits)
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

fn filter_insert(filter: &mut [u64], group: u8, skel: u64) {
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
fn filter_may_contain(filter: &[u64], group: u8, skel: u64) -> bool {
    if filter.is_empty() {
        return true;
    }
    let (word, high, bits) = filter_slot(filter.len(), group, skel);
    filter
        .get(word)
        .is_none_or(|&w| filter_half(w, high) & bits == bits)
}

/// Search groups: lists allowing 0, 1 or 2 edits.
const GROUPS: usize = MAX_TOLERANCE as usize + 1;

/// Skeleton codes of a plate, at most [`MAX_PLATE_LEN`].
type Codes = heapless::Vec<u8, { MAX_PLATE_LEN + 1 }>;

impl<'a> Watchlist<'a> {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How one-edit lookups find candidates (default [`OneEdit::Auto`]).
    /// Results are the same either way; only the speed differs.
    pub fn set_one_edit(&mut self, strategy: OneEdit) {
        self.one_edit = strategy;
    }

    /// The version given to the builder.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The lists, by id.
    pub fn lists(&self) -> &[ListSpec] {
        &self.lists
    }

    /// The confusion classes the index was built with.
    pub fn classes(&self) -> &ConfusionClasses {
        &self.classes
    }

    /// An entry by id, as it was inserted (validity rounded to seconds).
    pub fn entry(&self, id: EntryId) -> Option<ListEntry> {
        let e = self.entries.get(id.0 as usize)?;
        Some(ListEntry {
            plate: e.plate(&self.classes),
            country: Country::unpack(e.country_code()),
            priority: e.priority(),
            list: e.list(),
            valid_from: (e.from != 0).then_some(u64::from(e.from) * 1000),
            valid_until: (e.until != 0).then_some(u64::from(e.until) * 1000),
        })
    }

    /// Number of entries on a list.
    pub fn list_len(&self, list: ListId) -> usize {
        self.counts.get(list.index()).map_or(0, |&c| c as usize)
    }

    /// Every entry the read matches within its list's tolerance, best first
    /// (see [`Matches`]). `now` is in ms since the Unix epoch; entries outside
    /// their validity window do not match. When both the read and an entry
    /// carry a country and they differ, that entry does not match.
    ///
    /// Lists are searched in three groups (no edit, one, two): one search
    /// serves every list of a group, and each candidate is held to its own
    /// list's tolerance. A large exact list is never scanned with the
    /// ranges a small tolerant list needs.
    pub fn lookup<const K: usize>(
        &self,
        read: &Plate,
        country: Option<Country>,
        now: u64,
    ) -> Matches<K> {
        let mut out = Matches::new();
        self.lookup_into(read, country, now, &mut out);
        out
    }

    /// [`lookup`](Self::lookup) into a caller's result, which is cleared
    /// first: no copy of the result on return, for small targets.
    pub fn lookup_into<const K: usize>(
        &self,
        read: &Plate,
        country: Option<Country>,
        now: u64,
        out: &mut Matches<K>,
    ) {
        out.clear();
        let mut q: Codes = Codes::new();
        // The class members only where candidates are counted from packed
        // forms (see `Ctx::verify`).
        let mut qvar = 0u32;
        for (i, &c) in read.as_bytes().iter().enumerate() {
            let code = char_code(c);
            let _ = q.push(self.classes.rep_code(code));
            if WIDE {
                qvar |= u32::from(self.classes.member_of(code) & 3) << (2 * i);
            }
        }
        let n = q.len();
        let (qskel, _) = prefix_range(&q);
        for (g, &(start, end)) in self.segments.iter().enumerate() {
            if start == end {
                continue;
            }
            let ctx = Ctx {
                wl: self,
                seg: (start as usize, end as usize),
                group: g as u8,
                read,
                country,
                now,
                qskel,
                qvar,
                n,
            };
            match g {
                0 => ctx.search_exact(&q, out),
                1 => ctx.search_one_edit(&q, out),
                _ => {
                    ctx.search_one_edit(&q, out);
                    for_each_variant(&self.classes, &q, |v| ctx.search_one_edit(v, out));
                }
            }
        }
    }
}

/// One lookup.
struct Ctx<'w, 'a> {
    wl: &'w Watchlist<'a>,
    /// The group's segment of the entries (and of the suffix index).
    seg: (usize, usize),
    /// The group.
    group: u8,
    read: &'w Plate,
    country: Option<Country>,
    now: u64,
    /// The read's skeleton, class members (as in an entry; on 64-bit
    /// targets only, 0 elsewhere) and length.
    qskel: u64,
    qvar: u32,
    n: usize,
}

impl Ctx<'_, '_> {
    /// Is an entry (its key) worth checking exactly: within its list's
    /// tolerance of the read's skeleton, by bit arithmetic?
    #[inline(always)]
    fn near(&self, key: u64) -> bool {
        let skel = key >> LIST_BITS;
        if skel == self.qskel {
            return true;
        }
        // On a 64-bit core the three-shift test is cheap: as every list of
        // group 1 allows one edit and most candidates fail it, it comes
        // first there. On a 32-bit core each of its 64-bit shifts is a
        // sequence; the bit-count test below, after the cheaper list
        // limits, costs less (measured on the Cortex-M3).
        if WIDE && self.group == 1 && !one_edit_apart(skel, self.qskel) {
            return false;
        }
        let list = (key & ((1 << LIST_BITS) - 1)) as usize;
        let Some(&Reach { edits, min_len }) = self.wl.reach.get(list) else {
            return false;
        };
        let len = skel_len(skel);
        // Below the list's minimum length (read or entry) only the same
        // skeleton counts.
        let min_len = usize::from(min_len);
        if edits == 0 || self.n < min_len || len < min_len {
            return false;
        }
        match self.n.abs_diff(len) {
            d if d > usize::from(edits) => false,
            _ if edits >= 2 => true,
            _ if WIDE => self.group == 1 || one_edit_apart(skel, self.qskel),
            d => within_one_edit(self.qskel, self.n, skel, len, d),
        }
    }

    /// Entries within one skeleton edit of `q`. `q` is the read, or one of
    /// its one-edit variants for two-edit lists.
    ///
    /// Pigeonhole on the read's halves: split the read after `h = n / 2`
    /// characters. An edit at `h` or later leaves the entry starting with
    /// `q[..h]`; an edit before `h` leaves it ending with `q[h..]`, whether
    /// it substitutes, inserts or deletes (the read's last `n - h`
    /// characters stay at the end). So the ranges of `q[..h]` and `q[h..]`
    /// hold every entry of length `n - 1` to `n + 1` within one edit. With
    /// cheap exact searches (a filter), the two halves can overlap by a
    /// character (narrower ranges) and the edits at that character be
    /// probed one by one. [`OneEdit`] chooses.
    fn search_one_edit<const K: usize>(&self, q: &[u8], out: &mut Matches<K>) {
        let n = q.len();
        if n < usize::from(MIN_TOLERANT_LEN) {
            // Too short for any tolerance: the same skeleton only.
            self.search_exact(q, out);
            return;
        }
        let near = |k: u64| self.near(k);
        let size = self.seg.1 - self.seg.0;
        let filtered = !self.wl.filter.is_empty();
        let strategy = match self.wl.one_edit {
            OneEdit::Auto if filtered && size > OVERLAP_ABOVE => OneEdit::Overlap,
            OneEdit::Auto => OneEdit::Halves,
            s => s,
        };
        // Halves: an entry of length n - 1, n or n + 1 within one edit
        // keeps q[..h] (an edit at h or later) or ends with q[h..] (an edit
        // before h, including a deletion: the read's last n - h characters
        // stay where they are at the end).
        let h = n / 2;
        if strategy == OneEdit::Halves {
            if let Some(prefix) = q.get(..h) {
                self.search_prefix(prefix, near, out);
            }
            self.search_suffix(q, h, near, out);
            return;
        }
        // With a filter, exact probes are cheap, so the halves can overlap
        // by one character and both ranges stay narrow: an entry starts
        // with q[..h + 1] or ends with q[h..], unless its one edit is at h
        // itself, a substitution (a probe per skeleton character) or a
        // deletion (one probe).
        if let Some(prefix) = q.get(..=h) {
            self.search_prefix(prefix, near, out);
        }
        self.search_suffix(q, h, near, out);
        let key = prefix_range(q).0;
        let shift = CODE_BITS * (MAX_PLATE_LEN - 1 - h) as u32;
        let hole = key & !(CODE_MASK << shift);
        for code in (1..=36u8).filter(|&c| self.wl.classes.rep_code(c) == c) {
            if q.get(h) != Some(&code) {
                self.search_skeleton(hole | (u64::from(code) << shift), out);
            }
        }
        if n > usize::from(MIN_TOLERANT_LEN) {
            self.search_skeleton(delete_field(key, h), out);
        }
    }

    /// Entries whose skeleton is exactly `q` (and that pass [`Self::near`]).
    fn search_exact<const K: usize>(&self, q: &[u8], out: &mut Matches<K>) {
        self.search_skeleton(prefix_range(q).0, out);
    }

    /// Entries whose skeleton is `skel` (and that pass [`Self::near`]): the
    /// filter first, then one binary search.
    #[inline(always)]
    fn search_skeleton<const K: usize>(&self, skel: u64, out: &mut Matches<K>) {
        // The filter turns most probes down: inline, without a call.
        if filter_may_contain(self.wl.filter, self.group, skel) {
            self.search_listed(skel, out);
        }
    }

    /// [`Self::search_skeleton`] past the filter.
    #[inline(never)]
    fn search_listed<const K: usize>(&self, skel: u64, out: &mut Matches<K>) {
        self.search_range(skel, skel, |k| k >> LIST_BITS == skel && self.near(k), out);
    }

    /// Entries whose skeleton starts with `prefix` and whose key passes
    /// `keep`.
    fn search_prefix<const K: usize>(
        &self,
        prefix: &[u8],
        keep: impl Fn(u64) -> bool,
        out: &mut Matches<K>,
    ) {
        let (lo, hi) = prefix_range(prefix);
        if WIDE && self.group == 1 {
            // Every entry of the range shares the prefix with the read, so
            // most differ first at the field after it: a cheaper one-edit
            // test first (see `SharedPrefix`).
            let shared = SharedPrefix::new(self.qskel, prefix.len());
            self.search_range(
                lo,
                hi,
                |k| shared.one_edit_apart(k >> LIST_BITS) && keep(k),
                out,
            );
            return;
        }
        self.search_range(lo, hi, keep, out);
    }

    /// Entries whose skeleton lies in `lo..=hi` and whose key passes `keep`.
    fn search_range<const K: usize>(
        &self,
        lo: u64,
        hi: u64,
        keep: impl Fn(u64) -> bool,
        out: &mut Matches<K>,
    ) {
        let fences = self.wl.fences;
        let entries = self.wl.entries.get(..self.seg.1).unwrap_or(&[]);
        // The start: within the fences' block, a scan (its loads do not wait
        // for each other); without fences, a binary search. The range is
        // scanned anyway, so it ends where the keys leave it.
        let (a, b) = fences.narrow(ENTRY_ORDER, self.seg, top32(lo), top32(lo));
        let block = entries.get(a..b).unwrap_or(&[]);
        let a = a + if block.len() <= SCAN_BLOCK {
            block.iter().take_while(|x| x.skel() < lo).count()
        } else {
            block.partition_point(|x| x.skel() < lo)
        };
        for (i, x) in entries.get(a..).unwrap_or(&[]).iter().enumerate() {
            if x.skel() > hi {
                break;
            }
            if keep(x.key()) {
                self.verify(a + i, x, out);
            }
        }
    }

    /// Entries whose skeleton ends with `q[from..]`, that may be within
    /// one edit of `q` and whose key passes `keep`: a contiguous run of the
    /// suffix index.
    fn search_suffix<const K: usize>(
        &self,
        q: &[u8],
        from: usize,
        keep: impl Fn(u64) -> bool,
        out: &mut Matches<K>,
    ) {
        let entries = self.wl.entries;
        let slot = self.wl.slot;
        let suffix = q.get(from..).unwrap_or(&[]);
        let k = suffix.len().min(MAX_PLATE_LEN);
        // The suffix reversed, as the first k fields of a reversed skeleton.
        let mut want = 0u64;
        for &c in suffix.iter().rev().take(k) {
            want = (want << CODE_BITS) | u64::from(c);
        }
        let free = CODE_BITS * (MAX_PLATE_LEN - k) as u32;
        let (lo, hi) = (want << free, (want << free) | ((1 << free) - 1));
        let fences = self.wl.fences;
        let (a, b) = fences.narrow(SUFFIX_ORDER, self.seg, top32(lo), top32(hi));
        if slot.chars {
            // The suffix as it stands: the last k fields of a skeleton.
            let tail = suffix
                .iter()
                .take(k)
                .fold(0u64, |t, &c| (t << CODE_BITS) | u64::from(c));
            self.scan_suffix_blocks(q, (a, b), (tail, k), &keep, out);
            return;
        }
        let idx = self.wl.index.get(a..self.seg.1).unwrap_or(&[]);
        let b = b - a;
        // Its key bits. When they hold all k characters, a word's key bits
        // alone say whether its entry ends with the suffix; otherwise only
        // a tie is read from the entry.
        let want_key = slot.key_of(lo);
        let unused = slot.key_bits().saturating_sub(CODE_BITS * k as u32);
        let covered = CODE_BITS * k as u32 <= slot.key_bits();
        let tail = |w: u32| {
            entries
                .get(slot.pos(w))
                .map_or(u64::MAX, |x| rev_tail(x.skel(), k))
        };
        let a = idx.get(..b).map_or(0, |s| {
            s.partition_point(|&w| match slot.key(w).cmp(&want_key) {
                Ordering::Less => true,
                Ordering::Greater => false,
                Ordering::Equal => !covered && tail(w) < want,
            })
        });
        for &w in &idx[a..] {
            let same = if covered {
                slot.key(w) >> unused == want_key >> unused
            } else {
                slot.key(w) == want_key && tail(w) == want
            };
            if !same {
                break;
            }
            let i = slot.pos(w);
            if let Some(x) = entries.get(i)
                && keep(x.key())
            {
                self.verify(i, x, out);
            }
        }
    }

    /// With fences: every word of the blocks `a..b` of the suffix index,
    /// its characters first (see [`may_be_one_edit`]), then its entry's
    /// last `k` characters, `want` (see [`tail`]). Not generic over `keep`:
    /// one copy of the code, which a firmware without fences never runs.
    #[inline(never)]
    fn scan_suffix_blocks<const K: usize>(
        &self,
        q: &[u8],
        (a, b): (usize, usize),
        (want, k): (u64, usize),
        keep: &dyn Fn(u64) -> bool,
        out: &mut Matches<K>,
    ) {
        let slot = self.wl.slot;
        let q4 = [0, 1, 2, 3].map(|i| q.get(i).copied().unwrap_or(0));
        let entries = self.wl.entries;
        // In batches: the positions whose characters pass (without a
        // branch), then their entries' keys, then the checks. The keys'
        // loads, scattered over the list and most of them cache misses, so
        // go out together instead of each behind the branches before it.
        let mut pos = [0u32; SCAN_BATCH];
        let mut keys = [0u64; SCAN_BATCH];
        let mut pass = [0u8; SCAN_BATCH];
        for words in self.wl.index.get(a..b).unwrap_or(&[]).chunks(SCAN_BATCH) {
            // The characters' test alone first, a loop without a store at
            // a moving place, which the compiler vectorises.
            for (p, &w) in pass.iter_mut().zip(words) {
                *p = u8::from(may_be_one_edit(slot.key(w), &q4));
            }
            // Then the positions of those that pass, gathered without a
            // branch (`len` is at most the word's place in the batch when
            // it is stored: the modulo only says so, for no bounds check).
            let mut len = 0;
            for (&w, &p) in words.iter().zip(&pass) {
                pos[len % SCAN_BATCH] = slot.pos(w) as u32;
                len += usize::from(p);
            }
            let pos = pos.get(..len).unwrap_or(&[]);
            for (key, &i) in keys.iter_mut().zip(pos) {
                *key = entries.get(i as usize).map_or(0, Entry::key);
            }
            for (&key, &i) in keys.iter().zip(pos) {
                if tail(key >> LIST_BITS, k) == want
                    && keep(key)
                    && let Some(x) = entries.get(i as usize)
                {
                    self.verify(i as usize, x, out);
                }
            }
        }
    }

    /// Checks a candidate against its list's tolerance and records it when
    /// it matches.
    fn verify<const K: usize>(&self, id: usize, x: &Entry, out: &mut Matches<K>) {
        let listed_country = Country::unpack(x.country_code());
        if let (Some(a), Some(b)) = (self.country, listed_country)
            && a != b
        {
            return;
        }
        if !x.is_valid_at(self.now) {
            return;
        }
        let list = x.list();
        let Some(spec) = self.wl.lists.get(list.index()) else {
            return;
        };
        let mut tol = spec.tolerance;
        tol.min_len = tol.min_len.max(MIN_TOLERANT_LEN);
        // On a 64-bit core plates of one length are compared from the
        // packed forms, and the listed plate is rebuilt only for a match.
        // A 32-bit core is left to `distance`: its 64-bit arithmetic made
        // the Cortex-M0 code 600 bytes larger, for a firmware's lists,
        // where candidates are rare, no gain.
        let decided = if WIDE {
            packed_distance(
                (self.qskel, self.qvar, self.n),
                (x.skel(), x.variant()),
                tol,
            )
        } else {
            None
        };
        if decided == Some(None) {
            return;
        }
        let listed = x.plate(&self.wl.classes);
        let Some(d) = decided.unwrap_or_else(|| {
            distance(
                self.read.as_bytes(),
                listed.as_bytes(),
                &self.wl.classes,
                tol,
            )
        }) else {
            return;
        };
        out.insert(Match {
            entry: EntryId(id as u32),
            list,
            local: spec.local,
            priority: x.priority(),
            listed,
            country: listed_country,
            kind: MatchKind::of(d),
            distance: d,
        });
    }
}

/// The distance of a read and a listed plate of its length, counted on
/// their packed forms (skeleton and class members, as in an [`Entry`]):
/// skeleton fields that differ are edits, equal fields whose class members
/// differ look-alike pairs, which is what [`distance()`](crate::distance())
/// counts in place (see [`in_place`]). `None` for another length, or when
/// the in-place alignment does not decide; `Some(None)`: no match.
#[inline]
fn packed_distance(
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
fn within_one_edit(a: u64, la: usize, b: u64, lb: usize, diff: usize) -> bool {
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
const WIDE: bool = cfg!(target_pointer_width = "64");

/// Are two packed skeletons (60 bits, first character highest, unused
/// fields zero) within one substitution, insertion or deletion? Past their
/// first differing field, the rest must agree as it stands (a
/// substitution) or with one side moved up a field (an insertion or a
/// deletion): three comparisons of shifted words. A quick filter before
/// the exact check.
#[inline]
fn one_edit_apart(a: u64, b: u64) -> bool {
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
struct SharedPrefix {
    /// The fixed skeleton top-aligned, and shifted by `f` and by `g`.
    q: u64,
    qf: u64,
    qg: u64,
    /// Field `p` of a top-aligned skeleton.
    field: u64,
    f: u32,
    g: u32,
    skel: u64,
}

impl SharedPrefix {
    fn new(skel: u64, p: usize) -> Self {
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
    fn one_edit_apart(&self, skel: u64) -> bool {
        let a = skel << (u64::BITS - SKEL_BITS);
        if (a ^ self.q) & self.field == 0 {
            return one_edit_apart(skel, self.skel);
        }
        let rest = a << self.g;
        rest == self.qg || rest == self.qf || a << self.f == self.qg
    }
}

/// Calls `f` with every skeleton string one edit away from `q` (substitution,
/// insertion, deletion over the class representatives), lengths 1 to [`MAX_PLATE_LEN`].
/// Duplicates are possible; the caller's result set ignores them.
fn for_each_variant(classes: &ConfusionClasses, q: &[u8], mut f: impl FnMut(&[u8])) {
    let n = q.len();
    let mut v: Codes = Codes::new();
    // Deletions.
    for i in 0..n {
        v.clear();
        let _ = v.extend_from_slice(&q[..i]);
        let _ = v.extend_from_slice(&q[i + 1..]);
        if !v.is_empty() {
            f(&v);
        }
    }
    // Only class representatives occur in skeletons.
    for code in (1..=36u8).filter(|&c| classes.rep_code(c) == c) {
        // Substitutions.
        for i in 0..n {
            if q[i] == code {
                continue;
            }
            v.clear();
            let _ = v.extend_from_slice(q);
            v[i] = code;
            f(&v);
        }
        // Insertions.
        if n < MAX_PLATE_LEN {
            for i in 0..=n {
                v.clear();
                let _ = v.extend_from_slice(&q[..i]);
                let _ = v.push(code);
                let _ = v.extend_from_slice(&q[i..]);
                f(&v);
            }
        }
    }
}

#[cfg(test)]
mod tests;
