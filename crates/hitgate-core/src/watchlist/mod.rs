//! Watchlists in fixed memory, and OCR-tolerant lookup without a linear scan.
//!
//! # Storage
//!
//! The caller hands in two slices of the same length: `&mut [Entry]` (20
//! bytes an entry) and `&mut [u32]` (4 bytes an entry: the suffix index,
//! and the directory of the lists that allow no edit). A firmware passes
//! `static` arrays, a host boxed slices. Nothing else grows: per-list
//! metadata is a fixed array of [`MAX_LISTS`]. 24 bytes an entry, index
//! included (asserted in the tests).
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
//! * **exact and OCR-equivalent matches** have the read's skeleton: in the
//!   lists that allow edits, one binary search. The lists that allow none
//!   need no prefix or suffix order: their entries are sorted by a fixed
//!   hash of the skeleton instead, and their part of the `u32` slice holds
//!   a directory, the first position of each bucket of hashes (a word for
//!   every two entries, or every eight in a large list on a 64-bit host;
//!   `directory.rs`). A lookup reads two neighbouring words and one
//!   bucket, its entries side by side: one access to memory outside the
//!   caches where a search took several;
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
//! With fences, every search of the lists that allow edits first finds
//! its block (sixteen entries, say) by a binary search over the samples, a
//! small array that stays in cache, and then scans the block: in a list
//! of 1,000,000 entries that saves about ten cache misses a search. Above 16,384 samples an order (262,144
//! entries in blocks of sixteen) the samples outgrow the nearest cache, so
//! every sixteenth sample is kept again: the binary search runs over those
//! and ends in one cache line of samples.
//!
//! The membership filter holds each entry's group and skeleton, except for
//! lists that allow neither an edit nor a look-alike: their entries go in
//! keyed on the plate itself, so that a look-alike misread of a listed
//! plate (the same skeleton: the near misses a large list attracts all
//! day) is turned down by the filter instead of paying a search; four bits
//! in a whole word for them, three in half a word for skeletons (see
//! `filter.rs`).
//!
//! Candidates first pass a bit-level filter on the packed skeletons (within
//! their list's edits of the read), then the country, the validity window
//! and the distance within the list's tolerance: on 64-bit targets counted
//! on the packed forms when the lengths agree (the same count as
//! [`distance()`](crate::distance::distance()), see `packed_distance`), otherwise by
//! `distance()` on the rebuilt plate.
//!
//! The speed this gives, and where it falls short, is measured in
//! `BENCHMARKS.md`.

use core::cmp::Ordering;
use core::fmt;

use crate::confusion::ConfusionClasses;
use crate::distance::{Distance, MAX_TOLERANCE, Tolerance, distance, in_place};
use crate::list::*;
use crate::plate::{CODE_BITS, CODE_MASK, Country, MAX_PLATE_LEN, Plate, char_code};

mod build;
mod directory;
mod entry;
mod fences;
mod filter;
mod matches;
mod packed;
mod search;
mod suffix;

pub use self::build::*;
use self::directory::*;
pub use self::entry::*;
pub use self::fences::*;
use self::filter::*;
pub use self::matches::*;
use self::packed::*;
pub use self::search::*;
use self::suffix::*;

/// Tolerance never applies to plates shorter than this, whatever a list says:
/// below it the pigeonhole halves would be empty and a lookup would scan.
pub const MIN_TOLERANT_LEN: u8 = 3;

/// Bytes of caller storage per entry: one [`Entry`] and one `u32`.
pub const BYTES_PER_ENTRY: usize = core::mem::size_of::<Entry>() + core::mem::size_of::<u32>();

/// The edits a list allows and the length below which it allows none,
/// kept per list at build so a lookup need not derive them per read.
#[derive(Clone, Copy)]
struct Reach {
    edits: u8,
    /// At least [`MIN_TOLERANT_LEN`].
    min_len: u8,
}

impl Reach {
    /// The reach of an unused list slot.
    const NONE: Self = Self {
        edits: 0,
        min_len: u8::MAX,
    };

    fn of(spec: &ListSpec) -> Self {
        Self {
            edits: spec.tolerance.edits,
            min_len: spec.tolerance.min_len.max(MIN_TOLERANT_LEN),
        }
    }
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
    /// Membership filter over (group, skeleton), and over the plate itself
    /// for the entries of exact-only lists; empty: none.
    filter: &'a [u64],
    /// Lists without edits that allow no look-alike (filtered on the
    /// plate), and that allow one (filtered on the skeleton).
    exact_lists: bool,
    alike_lists: bool,
    /// Every list is exact-only and there is a filter: see `lookup_into`.
    exact_only_filtered: bool,
    fences: Fences<'a>,
    classes: ConfusionClasses,
    version: u32,
    one_edit: OneEdit,
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
    #[inline]
    pub fn lookup_into<const K: usize>(
        &self,
        read: &Plate,
        country: Option<Country>,
        now: u64,
        out: &mut Matches<K>,
    ) {
        self.filtered_search(read, country, now, false, out);
    }

    /// Clears `out`, then searches each group (for the read's skeleton
    /// alone when `exact`) unless the exact-only filter turns the read
    /// down.
    #[inline(always)]
    fn filtered_search<const K: usize>(
        &self,
        read: &Plate,
        country: Option<Country>,
        now: u64,
        exact: bool,
        out: &mut Matches<K>,
    ) {
        out.clear();
        // Only exact-only lists, and a filter keyed on the plate: most reads
        // stop at one probe, inline, before any call (the searches' frame
        // alone would cost a read more than the probe).
        if self.exact_only_filtered && !exact_may_contain(self.filter, exact_key(read)) {
            return;
        }
        self.search_groups(read, country, now, exact, out);
    }

    /// The entries that are `read` itself, whatever their list's tolerance:
    /// [`lookup_into`](Self::lookup_into) with no tolerance, at the cost
    /// of the filter's probes for most plates (one a search group). The
    /// unit asks it of the plates two unmatched frames spell together
    /// ([`Unit::push`](crate::unit::Unit::push)), where a tolerant match
    /// would stack a list's tolerance on the frames' errors.
    ///
    /// ```
    /// # use hitgate_core::confusion::ConfusionClasses;
    /// # use hitgate_core::distance::Tolerance;
    /// # use hitgate_core::list::{ListEntry, ListSpec, Priority};
    /// # use hitgate_core::plate::Plate;
    /// # use hitgate_core::watchlist::{Entry, MatchKind, Matches, WatchlistBuilder};
    /// let (mut entries, mut index) = ([Entry::EMPTY; 4], [0u32; 4]);
    /// let mut b = WatchlistBuilder::new(&mut entries, &mut index, ConfusionClasses::default());
    /// let tolerance = Tolerance { ocr: 1, edits: 0, min_len: 5 };
    /// let stolen = b.add_list(ListSpec { tolerance, local: false, evidence: None }).unwrap();
    /// let listed = Plate::normalize(b"1OKA552").unwrap();
    /// b.insert(ListEntry::new(listed, None, Priority::P1, stolen)).unwrap();
    /// let wl = b.build().map_err(|(_, dup)| dup).unwrap();
    /// let mut m: Matches<4> = Matches::new();
    /// // A look-alike matches with the list's tolerance, not exactly.
    /// let alike = Plate::normalize(b"1DKA552").unwrap();
    /// wl.lookup_into(&alike, None, 0, &mut m);
    /// assert_eq!(m.best().map(|m| m.kind), Some(MatchKind::Ocr));
    /// wl.lookup_exact_into(&alike, None, 0, &mut m);
    /// assert!(m.is_empty());
    /// wl.lookup_exact_into(&listed, None, 0, &mut m);
    /// assert_eq!(m.best().map(|m| m.kind), Some(MatchKind::Exact));
    /// ```
    #[inline(never)]
    pub fn lookup_exact_into<const K: usize>(
        &self,
        read: &Plate,
        country: Option<Country>,
        now: u64,
        out: &mut Matches<K>,
    ) {
        self.filtered_search(read, country, now, true, out);
        out.retain_exact();
    }

    /// [`lookup_into`](Self::lookup_into) past the exact-only filter: each
    /// search group in turn, for the read's skeleton alone when `exact`.
    #[inline(never)]
    fn search_groups<const K: usize>(
        &self,
        read: &Plate,
        country: Option<Country>,
        now: u64,
        exact: bool,
        out: &mut Matches<K>,
    ) {
        // The read's skeleton codes, and packed as in an entry (fixed
        // shifts while packing, one variable shift at the end, as
        // `prefix_range`), in one pass; the class members only where
        // candidates are counted from packed forms (see `Ctx::verify`).
        let mut codes = [0u8; MAX_PLATE_LEN];
        let mut qskel = 0u64;
        let mut qvar = 0u32;
        let bytes = read.as_bytes();
        for (i, (&c, q)) in bytes.iter().zip(codes.iter_mut()).enumerate() {
            let packed = self.classes.of_char(c);
            let rep = packed & CODE_MASK as u8;
            *q = rep;
            qskel = (qskel << CODE_BITS) | u64::from(rep);
            if WIDE {
                qvar |= u32::from(packed >> 6) << (2 * i);
            }
        }
        let n = bytes.len().min(MAX_PLATE_LEN);
        qskel <<= CODE_BITS * (MAX_PLATE_LEN - n) as u32;
        let q = codes.get(..n).unwrap_or(&[]);
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
                _ if exact => ctx.search_exact(q, out),
                0 => ctx.search_exact(q, out),
                1 => ctx.search_one_edit(q, out),
                _ => {
                    ctx.search_one_edit(q, out);
                    for_each_variant(&self.classes, q, |v| ctx.search_one_edit(v, out));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
