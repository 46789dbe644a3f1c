//! The builder: entries in, a sorted and indexed watchlist out, with the
//! errors it can refuse them with.

use super::*;

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
    /// A tolerance, or an evidence tolerance, above [`MAX_TOLERANCE`].
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

/// Why [`WatchlistBuilder::remove`] refused an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RemoveError {
    /// The entry (plate, country, list) is not among the copied ones, or
    /// was removed already.
    NotListed,
    /// The entry names a list that was not added.
    UnknownList(ListId),
}

impl fmt::Display for RemoveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotListed => f.write_str("the entry to remove is not listed"),
            Self::UnknownList(l) => write!(f, "list {} was not added", l.0),
        }
    }
}

impl core::error::Error for RemoveError {}

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
/// use hitgate_core::confusion::ConfusionClasses;
/// use hitgate_core::distance::Tolerance;
/// use hitgate_core::list::{ListEntry, ListSpec, Priority};
/// use hitgate_core::plate::{Country, Plate};
/// use hitgate_core::watchlist::{Entry, MatchKind, Matches, WatchlistBuilder};
/// let mut entries = [Entry::EMPTY; 4];
/// let mut index = [0u32; 4];
/// let mut b = WatchlistBuilder::new(&mut entries, &mut index, ConfusionClasses::default());
/// let stolen = b.add_list(ListSpec { tolerance: Tolerance { ocr: 1, edits: 1, min_len: 5 }, local: false, evidence: None }).unwrap();
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
    pub(super) entries: &'a mut [Entry],
    pub(super) index: &'a mut [u32],
    pub(super) filter: &'a mut [u64],
    pub(super) fences: &'a mut [u32],
    pub(super) len: usize,
    pub(super) lists: heapless::Vec<ListSpec, MAX_LISTS>,
    pub(super) classes: ConfusionClasses,
    pub(super) version: u32,
    /// Entries copied by [`Self::from_watchlist`]: sorted, so that
    /// [`Self::remove`] finds one by binary search. Until the build, the
    /// index slice holds a bit per copied entry: removed.
    pub(super) copied: usize,
    /// Entries at the front already in sorted order (what
    /// [`Self::from_watchlist`] copied and [`Self::remove`] left): the
    /// build sorts the rest and merges them in.
    pub(super) sorted: usize,
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
            copied: 0,
            sorted: 0,
        }
    }

    /// Sets the look-alike classes entries are indexed by; `false`, and
    /// nothing changed, once an entry is in (it was indexed by the
    /// classes before).
    pub fn set_classes(&mut self, classes: ConfusionClasses) -> bool {
        if self.len > 0 {
            return false;
        }
        self.classes = classes;
        true
    }

    /// A builder that starts where a built watchlist stands: its lists,
    /// classes and version, and its entries copied into this storage, for
    /// a change of a few entries ([`remove`](Self::remove) and
    /// [`insert`](Self::insert)) without decoding and normalising every
    /// entry again. The watchlist in force stays untouched and usable.
    /// `None` when the storage cannot hold its entries.
    ///
    /// ```
    /// use hitgate_core::confusion::ConfusionClasses;
    /// use hitgate_core::distance::Tolerance;
    /// use hitgate_core::list::*;
    /// use hitgate_core::plate::{Country, Plate};
    /// use hitgate_core::watchlist::*;
    /// let entry = |p: &[u8]| ListEntry::new(Plate::normalize(p).unwrap(), Some(Country::BE), Priority::P1, ListId(0));
    /// let (mut e1, mut i1) = ([Entry::EMPTY; 4], [0u32; 4]);
    /// let mut b = WatchlistBuilder::new(&mut e1, &mut i1, ConfusionClasses::default());
    /// b.add_list(ListSpec { tolerance: Tolerance::EXACT, local: false, evidence: None }).unwrap();
    /// b.insert(entry(b"1ABC234")).unwrap();
    /// b.insert(entry(b"2XYZ987")).unwrap();
    /// let active = b.build().map_err(|(_, d)| d).unwrap();
    ///
    /// let (mut e2, mut i2) = ([Entry::EMPTY; 4], [0u32; 4]);
    /// let mut next = WatchlistBuilder::from_watchlist(&active, &mut e2, &mut i2).unwrap();
    /// next.remove(&entry(b"1ABC234")).unwrap();
    /// next.insert(entry(b"3DEF456")).unwrap();
    /// next.set_version(active.version() + 1);
    /// let next = next.build().map_err(|(_, d)| d).unwrap();
    /// assert_eq!((active.len(), next.len()), (2, 2));
    /// let read = Plate::normalize(b"1ABC234").unwrap();
    /// assert!(next.lookup::<4>(&read, None, 0).best().is_none());
    /// assert!(active.lookup::<4>(&read, None, 0).best().is_some());
    /// ```
    pub fn from_watchlist(
        active: &Watchlist<'_>,
        entries: &'a mut [Entry],
        index: &'a mut [u32],
    ) -> Option<Self> {
        let n = active.entries.len();
        let mut me = Self::new(entries, index, active.classes);
        if me.capacity() < n {
            return None;
        }
        me.entries[..n].copy_from_slice(active.entries);
        me.index[..n.div_ceil(32)].fill(0);
        me.lists = active.lists.clone();
        me.version = active.version;
        me.len = n;
        me.copied = n;
        Some(me)
    }

    /// Removes an entry copied by [`from_watchlist`](Self::from_watchlist),
    /// named by plate, country and list (priority and validity are not
    /// compared): a binary search, so a removal costs no more than a
    /// lookup. Entries inserted since cannot be removed.
    pub fn remove(&mut self, entry: &ListEntry) -> Result<(), RemoveError> {
        let spec = self
            .lists
            .get(entry.list.index())
            .ok_or(RemoveError::UnknownList(entry.list))?;
        let group = spec.tolerance.edits.min(MAX_TOLERANCE);
        // The entry as stored, but for priority and validity, which the
        // order does not compare.
        let (skel, variant) = skel_of(&self.classes, &entry.plate);
        let country = u32::from(Country::pack(entry.country));
        let want = Entry::pack(skel, entry.list, variant, country, (0, 0)).order(group);
        let lists = &self.lists;
        let group_of = |e: &Entry| {
            lists
                .get(e.list().index())
                .map_or(0, |l| l.tolerance.edits.min(MAX_TOLERANCE))
        };
        let at = self.entries[..self.copied]
            .binary_search_by_key(&want, |e| e.order(group_of(e)))
            .map_err(|_| RemoveError::NotListed)?;
        let (word, bit) = (at / 32, 1u32 << (at % 32));
        if self.index[word] & bit != 0 {
            return Err(RemoveError::NotListed);
        }
        self.index[word] |= bit;
        Ok(())
    }

    /// Drops the entries [`remove`](Self::remove) marked, keeping the order
    /// of the rest.
    fn compact(&mut self) {
        if self.copied == 0 {
            return;
        }
        let mut kept = 0;
        for i in 0..self.len {
            let removed = i < self.copied && self.index[i / 32] & (1 << (i % 32)) != 0;
            if !removed {
                self.entries[kept] = self.entries[i];
                kept += 1;
            }
        }
        // Inserted entries came after the copied ones: the kept copies are
        // still in order, at the front.
        self.sorted = kept - (self.len - self.copied);
        self.len = kept;
        self.copied = 0;
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
    /// doubles until the samples fit. Only the lists that allow edits use
    /// them: the others find their bucket through their directory.
    /// Optional: without it (the default, an empty slice) results are the
    /// same, only slower on large lists that allow edits; with it, fewer
    /// than [`FENCES_PAY_ABOVE`] entries on such lists are a little
    /// slower.
    pub fn set_fences(&mut self, words: &'a mut [u32]) {
        self.fences = words;
    }

    /// Sets the version the lists carry (hits report it).
    pub fn set_version(&mut self, version: u32) {
        self.version = version;
    }

    /// The version the lists will carry.
    pub fn version(&self) -> u32 {
        self.version
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
        if !spec.tolerance.is_valid() || spec.evidence.is_some_and(|e| !e.is_valid()) {
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
        let pc = u32::from(entry.priority.get()) * COUNTRY_CODES
            + u32::from(Country::pack(entry.country));
        self.entries[self.len] = Entry::pack(skel, entry.list, variant, pc, (from, until));
        self.len += 1;
        Ok(())
    }

    /// Sorts and indexes the entries. A plate that stands twice on one list
    /// is refused: the builder comes back unchanged with the first duplicate
    /// (in insertion order) and the count.
    #[allow(clippy::result_large_err)] // no alloc to box it; the caller gets its storage back
    pub fn build(mut self) -> Result<Watchlist<'a>, (Self, Duplicate)> {
        self.compact();
        // The search group of each list: how many edits it allows. Entries
        // are sorted by group first, so each group is one contiguous
        // segment searched its own way.
        let mut groups = [0u8; MAX_LISTS];
        for (g, spec) in groups.iter_mut().zip(self.lists.iter()) {
            *g = spec.tolerance.edits.min(MAX_TOLERANCE);
        }
        let group = move |e: &Entry| groups.get(e.list().index()).copied().unwrap_or(0);
        if let Err(d) = self.sort(group) {
            return Err((self, d));
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
            copied: _,
            sorted: _,
        } = self;
        // Exact-only lists are filtered on the plate itself, the others on
        // the skeleton their search probes.
        let mut exact_only = [false; MAX_LISTS];
        for (x, spec) in exact_only.iter_mut().zip(lists.iter()) {
            *x = spec.tolerance.ocr == 0 && spec.tolerance.edits == 0;
        }
        let filter_key = |e: &Entry| {
            if exact_only.get(e.list().index()).copied().unwrap_or(false) {
                (EXACT_KEYED, exact_key(&e.plate(&classes)))
            } else {
                (group(e), e.skel())
            }
        };
        fill_filter(filter, &entries[..len], filter_key);
        let no_edit = lists.iter().filter(|l| l.tolerance.edits == 0);
        let exact_lists = no_edit.clone().any(|l| l.tolerance.ocr == 0);
        let alike_lists = no_edit.clone().any(|l| l.tolerance.ocr > 0);
        let exact_only_filtered = !filter.is_empty()
            && lists
                .iter()
                .all(|l| l.tolerance.ocr == 0 && l.tolerance.edits == 0);
        apply_permutation(&mut entries[..len], &mut index[..len]);
        let entries = &entries[..len];
        let segments = segments(entries, group);
        let (half, top, shift) = fence_layout(len, fences.len());
        let slot = SuffixSlot::for_len(len, half > 0);
        fill_suffix_index(&mut index[..len], entries, &segments, slot);
        let (s0, e0) = (segments[0].0 as usize, segments[0].1 as usize);
        let directory = Directory::for_len(e0 - s0);
        directory.fill(&mut index[s0..e0], &entries[s0..e0], s0 as u32);
        let index = &index[..len];
        let fences = fill_fences(fences, entries, index, slot, (half, top, shift));
        let mut reach = [Reach::NONE; MAX_LISTS];
        for (r, spec) in reach.iter_mut().zip(lists.iter()) {
            *r = Reach::of(spec);
        }
        Ok(Watchlist {
            entries,
            index,
            slot,
            reach,
            lists,
            counts: count_lists(entries),
            segments,
            filter,
            exact_lists,
            alike_lists,
            exact_only_filtered,
            fences,
            classes,
            version,
            one_edit: OneEdit::Auto,
        })
    }

    /// Sorts the insertion order (in the index slice) by group, then by
    /// the entry key (skeleton and list), the exact plate and the country;
    /// equal (key, variant, country) is a duplicate, and the one inserted
    /// earliest is reported.
    fn sort(&mut self, group: impl Fn(&Entry) -> u8) -> Result<(), Duplicate> {
        let n = self.len;
        let key = |e: &Entry| e.order(group(e));
        let entries = &self.entries[..n];
        let perm = &mut self.index[..n];
        for (i, p) in perm.iter_mut().enumerate() {
            *p = i as u32;
        }
        // The front is in order already: sort the rest and merge, front
        // first on a tie (the smaller insertion index). The front's
        // indices are its positions, so the merge writes over them without
        // reading them back, and never over a rest not yet merged.
        let sorted = self.sorted.min(n);
        perm[sorted..].sort_unstable_by_key(|&i| (key(&entries[i as usize]), i));
        let (mut a, mut b, mut w) = (0, sorted, 0);
        while a < sorted && b < n {
            let t = perm[b];
            if key(&entries[t as usize]) < key(&entries[a]) {
                perm[w] = t;
                b += 1;
            } else {
                perm[w] = a as u32;
                a += 1;
            }
            w += 1;
        }
        while a < sorted {
            perm[w] = a as u32;
            a += 1;
            w += 1;
        }
        let mut dup: Option<Duplicate> = None;
        let mut count = 0u32;
        for w in perm.windows(2) {
            let (a, b) = (&entries[w[0] as usize], &entries[w[1] as usize]);
            if (a.key(), a.variant(), a.country_code()) != (b.key(), b.variant(), b.country_code())
            {
                continue;
            }
            count += 1;
            // Within a run the insertion indices ascend; report the
            // duplicate inserted earliest.
            if dup.is_none_or(|d| w[1] < d.second) {
                dup = Some(Duplicate {
                    list: a.list(),
                    plate: a.plate(&self.classes),
                    country: Country::unpack(a.country_code()),
                    first: w[0],
                    second: w[1],
                    count: 0,
                });
            }
        }
        match dup {
            Some(mut d) => {
                d.count = count;
                Err(d)
            }
            None => Ok(()),
        }
    }
}

/// Entries per list.
fn count_lists(entries: &[Entry]) -> [u32; MAX_LISTS] {
    let mut counts = [0u32; MAX_LISTS];
    for e in entries {
        if let Some(c) = counts.get_mut(e.list().index()) {
            *c += 1;
        }
    }
    counts
}

/// Each search group's segment of the sorted entries.
fn segments(entries: &[Entry], group: impl Fn(&Entry) -> u8) -> [(u32, u32); GROUPS] {
    let mut segments = [(0u32, 0u32); GROUPS];
    for (g, seg) in segments.iter_mut().enumerate() {
        let start = entries.partition_point(|e| usize::from(group(e)) < g);
        let end = entries.partition_point(|e| usize::from(group(e)) <= g);
        *seg = (start as u32, end as u32);
    }
    segments
}

/// Reorders `entries` so that `entries_new[k] = entries_old[perm[k]]`, in
/// place, using the top bit of `perm` as a visited mark.
pub(super) fn apply_permutation(entries: &mut [Entry], perm: &mut [u32]) {
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
