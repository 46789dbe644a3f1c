//! One lookup: exact, one-edit and two-edit searches over the sorted
//! entries and the suffix index, and the check of each candidate.

use super::*;

/// With [`OneEdit::Auto`] and a filter, above this many entries (in a
/// search group) one-edit lookups overlap their halves: below, plain
/// halves are faster, above, the overlap (the crossover is measured in
/// `BENCHMARKS.md`, "Watchlist lookup").
pub const OVERLAP_ABOVE: usize = 1 << 16;

/// Entries (as the fences bound them) above which the suffix range of a
/// one-edit search is worth comparing with the split one character to the
/// left (see `Ctx::split`).
const WIDE_SUFFIX: usize = 256;

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
    /// with a filter in front of the probes. On a 64-bit target with
    /// fences, where the fences say these ranges are wide, the halves
    /// overlap by two characters instead, as [`OverlapTwo`](Self::OverlapTwo).
    Overlap,
    /// Halves that overlap by two characters (narrower again), and exact
    /// probes for the edits within those two: a substitution or a deletion
    /// of either, an insertion between them (about three times the probes
    /// of [`Overlap`](Self::Overlap)). On a 32-bit target, as
    /// [`Overlap`](Self::Overlap).
    OverlapTwo,
}

/// Exact probes (skeletons of one representative's change) that cost
/// about as much as a candidate of a range: the exchange rate by which
/// [`Ctx::split`] weighs probes against ranges.
const PROBE_ENTRIES: usize = 4;

/// The probes of halves that overlap by `o` characters: a substitution
/// and a deletion at each, an insertion between each two.
const fn probes(o: usize) -> usize {
    if o == 0 { 0 } else { 26 * o + 25 * (o - 1) }
}

/// One lookup.
pub(super) struct Ctx<'w, 'a> {
    pub(super) wl: &'w Watchlist<'a>,
    /// The group's segment of the entries (and of the suffix index).
    pub(super) seg: (usize, usize),
    /// The group.
    pub(super) group: u8,
    pub(super) read: &'w Plate,
    pub(super) country: Option<Country>,
    pub(super) now: u64,
    /// The read's skeleton, class members (as in an entry; on 64-bit
    /// targets and for the exact-keyed filter only, 0 elsewhere) and
    /// length.
    pub(super) qskel: u64,
    pub(super) qvar: u32,
    pub(super) n: usize,
}

impl Ctx<'_, '_> {
    /// Is an entry (its key) worth checking exactly: within its list's
    /// tolerance of the read's skeleton, by bit arithmetic?
    #[inline(always)]
    pub(super) fn near(&self, key: u64) -> bool {
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
    pub(super) fn search_one_edit<const K: usize>(&self, q: &[u8], out: &mut Matches<K>) {
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
        // stay where they are at the end). Any h from 1 to n - 1 holds;
        // `split` picks one.
        let (h, o, suffix) = match strategy {
            OneEdit::Halves => self.split(q, 0),
            OneEdit::OverlapTwo if WIDE => (n / 2, 2, None),
            _ => self.split(q, 1),
        };
        // A 32-bit core never overlaps by more than one character: its
        // lists are small, and the code would cost it flash.
        if WIDE && o >= 2 {
            self.search_overlapping(q, (h, o, suffix), out);
            return;
        }
        if strategy == OneEdit::Halves {
            if let Some(prefix) = q.get(..h) {
                self.search_prefix(prefix, near, out);
            }
            match suffix {
                Some(span) => self.search_suffix_spanned(q, (h, span), near, out),
                None => self.search_suffix(q, h, near, out),
            }
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
        match suffix {
            Some(span) => self.search_suffix_spanned(q, (h, span), near, out),
            None => self.search_suffix(q, h, near, out),
        }
        let key = prefix_range(q).0;
        let shift = CODE_BITS * (MAX_PLATE_LEN - 1 - h) as u32;
        let hole = key & !(CODE_MASK << shift);
        // The read's character at h (codes start at 1).
        let at_h = q.get(h).copied().unwrap_or(0);
        for code in (1..=36u8).filter(|&c| self.wl.classes.rep_code(c) == c) {
            if code != at_h {
                self.search_skeleton(hole | (u64::from(code) << shift), out);
            }
        }
        if n > usize::from(MIN_TOLERANT_LEN) {
            self.search_skeleton(delete_field(key, h), out);
        }
    }

    /// [`Self::search_one_edit`] with halves that overlap by `o` characters
    /// (two or more, up to the whole read from `h = 0`): an entry starts
    /// with `q[..h + o]` or ends with `q[h..]` (an insertion at `h`
    /// included), unless its one edit is a substitution or a deletion of a
    /// character of `q[h..h + o]`, or an insertion between two of them
    /// (probes). Out of line: the common case keeps its code.
    #[inline(never)]
    fn search_overlapping<const K: usize>(
        &self,
        q: &[u8],
        (h, o, suffix): (usize, usize, Option<Spanned>),
        out: &mut Matches<K>,
    ) {
        let near = |k: u64| self.near(k);
        let n = q.len();
        let end = (h + o).min(n);
        if let Some(prefix) = q.get(..end) {
            self.search_prefix(prefix, near, out);
        }
        match suffix {
            Some(span) => self.search_suffix_spanned(q, (h, span), near, out),
            None => self.search_suffix(q, h, near, out),
        }
        let key = prefix_range(q).0;
        // Each probed character, its field cleared, and its shift: worked
        // out once, not once a representative.
        let mut holes = [(0u8, 0u64, 0u32); MAX_PLATE_LEN];
        for ((slot, &at), i) in holes.iter_mut().zip(q.get(h..end).unwrap_or(&[])).zip(h..) {
            let shift = CODE_BITS * (MAX_PLATE_LEN - 1 - i) as u32;
            *slot = (at, key & !(CODE_MASK << shift), shift);
        }
        let holes = holes.get(..end - h).unwrap_or(&[]);
        for code in (1..=36u8).filter(|&c| self.wl.classes.rep_code(c) == c) {
            for &(at, hole, shift) in holes {
                if at != code {
                    self.search_skeleton(hole | (u64::from(code) << shift), out);
                }
            }
            if n < MAX_PLATE_LEN {
                for i in h + 1..end {
                    self.search_skeleton(insert_field(key, i, code), out);
                }
            }
        }
        if n > usize::from(MIN_TOLERANT_LEN) {
            for i in h..end {
                self.search_skeleton(delete_field(key, i), out);
            }
        }
    }

    /// Where a one-edit search splits the read `q` (at least 3 characters)
    /// whose halves overlap by `o` characters (0 or 1): `n / 2`, or, on a
    /// 64-bit target, where the fences say the suffix range at `n / 2` is
    /// wide (more than [`WIDE_SUFFIX`] entries), whichever of `n / 2` and
    /// one character to its left spans fewer entries, its prefix range
    /// (`q[..h + o]`) and suffix range (`q[h..]`) together, and, for
    /// overlapping halves, with an overlap of two characters too, and for a
    /// read of three or four characters with every edit probed (`h = 0`,
    /// the overlap the whole read), their further probes weighed at
    /// [`PROBE_ENTRIES`] entries each. Plates of
    /// one format share their last digits: in a million entries of a
    /// border zone's mix, about 500 end in `123`, so the read `ABC123` is
    /// better split as `AB` and `C123` (overlapping: `ABC` and `C123`)
    /// than as `ABC` and `123` (`ABC1` and `123`). Only wide suffixes pay
    /// for the comparison. Returns the split, the overlap and, on a 64-bit
    /// target with fences, the suffix and the positions of the suffix
    /// index that can hold it, where the suffix search then starts.
    #[inline(always)]
    pub(super) fn split(&self, q: &[u8], o: usize) -> (usize, usize, Option<Spanned>) {
        let h = q.len() / 2;
        // A 32-bit core keeps the middle: its lists are small and without
        // fences, and the comparison's code would cost it flash.
        if !WIDE || self.wl.fences.half == 0 {
            return (h, o, None);
        }
        let at_half = self.suffix_span(q, h);
        if at_half.1.1 - at_half.1.0 <= WIDE_SUFFIX {
            return (h, o, Some(at_half));
        }
        self.split_wide(q, o, (h, at_half))
    }

    /// [`Self::split`] past a wide suffix at `n / 2`: out of line, so the
    /// common case pays nothing for it.
    #[cold]
    #[inline(never)]
    fn split_wide(
        &self,
        q: &[u8],
        o: usize,
        (h, at_half): (usize, Spanned),
    ) -> (usize, usize, Option<Spanned>) {
        let prefix_width = |h: usize, o: usize| {
            let (lo, hi) = prefix_range(q.get(..h + o).unwrap_or(q));
            let (a, b) = self
                .wl
                .fences
                .narrow(ENTRY_ORDER, self.seg, top32(lo), top32(hi));
            b - a
        };
        let left = self.suffix_span(q, h - 1);
        let width = |(_, (a, b)): Spanned| b - a;
        let cost = |h: usize, o: usize, suffix: Spanned| {
            prefix_width(h, o) + width(suffix) + PROBE_ENTRIES * probes(o)
        };
        let mut best = (cost(h, o, at_half), (h, o, Some(at_half)));
        let mut consider = |h: usize, o: usize, suffix: Spanned| {
            let c = cost(h, o, suffix);
            if c < best.0 {
                best = (c, (h, o, Some(suffix)));
            }
        };
        // Never a prefix of fewer than two characters: its range is most
        // of the list (and the fences take long to say how much).
        if h - 1 + o >= 2 {
            consider(h - 1, o, left);
        }
        if o == 1 {
            consider(h, 2, at_half);
            if h >= 2 {
                consider(h - 1, 2, left);
            }
            // Every edit probed: short reads, whose halves are one or
            // two characters.
            let n = q.len();
            if n <= 4 {
                consider(0, n, if h == 1 { left } else { self.suffix_span(q, 0) });
            }
        }
        best.1
    }

    /// The suffix `q[from..]` ([`suffix_range`]) and the positions of the
    /// suffix index that can hold the entries ending with it, narrowed by
    /// the fences if any.
    #[inline(always)]
    fn suffix_span(&self, q: &[u8], from: usize) -> Spanned {
        let range = suffix_range(q.get(from..).unwrap_or(&[]));
        let (_, _, (lo, hi)) = range;
        let span = self
            .wl
            .fences
            .narrow(SUFFIX_ORDER, self.seg, top32(lo), top32(hi));
        (range, span)
    }

    /// Entries whose skeleton is exactly `q` (and that pass [`Self::near`]).
    pub(super) fn search_exact<const K: usize>(&self, q: &[u8], out: &mut Matches<K>) {
        if self.group != 0 {
            self.search_skeleton(prefix_range(q).0, out);
            return;
        }
        // The read itself: its skeleton is known.
        let skel = self.qskel;
        if self.wl.filter.is_empty() {
            self.search_bucket(skel, out);
            return;
        }
        // Lists without edits: those that allow a look-alike may hold the
        // read's skeleton, exact-only ones the read itself (see
        // `exact_key`); the search runs when either may.
        let wl = self.wl;
        if (wl.alike_lists && filter_may_contain(wl.filter, 0, skel))
            || (wl.exact_lists
                && (wl.exact_only_filtered || exact_may_contain(wl.filter, exact_key(self.read))))
        {
            self.search_bucket(skel, out);
        }
    }

    /// Entries of the lists without edits whose skeleton is `skel` (and
    /// that pass [`Self::near`]): one bucket of their directory, in hash
    /// order.
    #[inline(never)]
    fn search_bucket<const K: usize>(&self, skel: u64, out: &mut Matches<K>) {
        let words = self.wl.index.get(self.seg.0..self.seg.1).unwrap_or(&[]);
        let (a, b) = Directory::for_len(self.seg.1 - self.seg.0).bucket_of(words, self.seg, skel);
        let bucket = self.wl.entries.get(a..b).unwrap_or(&[]);
        for (i, x) in bucket.iter().enumerate() {
            if x.skel() == skel && self.near(x.key()) {
                self.verify(a + i, x, out);
            }
        }
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
        self.search_suffix_in(q, (from, None), keep, out);
    }

    /// [`Self::search_suffix`] where [`Self::split`] has narrowed the span
    /// already (64-bit targets with fences).
    #[inline(never)]
    fn search_suffix_spanned<const K: usize>(
        &self,
        q: &[u8],
        (from, spanned): (usize, Spanned),
        keep: impl Fn(u64) -> bool,
        out: &mut Matches<K>,
    ) {
        self.search_suffix_in(q, (from, Some(spanned)), keep, out);
    }

    /// [`Self::search_suffix`] with the suffix and its span as
    /// [`Self::suffix_span`] gives them, or worked out here.
    #[inline(always)]
    fn search_suffix_in<const K: usize>(
        &self,
        q: &[u8],
        (from, spanned): (usize, Option<Spanned>),
        keep: impl Fn(u64) -> bool,
        out: &mut Matches<K>,
    ) {
        let entries = self.wl.entries;
        let slot = self.wl.slot;
        let suffix = q.get(from..).unwrap_or(&[]);
        let ((want, k, (lo, _)), (a, b)) = match spanned {
            Some(spanned) => spanned,
            None => self.suffix_span(q, from),
        };
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
    pub(super) fn scan_suffix_blocks<const K: usize>(
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
    pub(super) fn verify<const K: usize>(&self, id: usize, x: &Entry, out: &mut Matches<K>) {
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

/// Calls `f` with every skeleton string one edit away from `q` (substitution,
/// insertion, deletion over the class representatives), lengths 1 to [`MAX_PLATE_LEN`].
/// Duplicates are possible; the caller's result set ignores them.
pub(super) fn for_each_variant(classes: &ConfusionClasses, q: &[u8], mut f: impl FnMut(&[u8])) {
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

/// A suffix of a read as the suffix index orders it ([`suffix_range`]).
type SuffixRange = (u64, usize, (u64, u64));

/// A suffix and the positions of the suffix index that can hold it
/// (`Ctx::suffix_span`).
type Spanned = (SuffixRange, (usize, usize));

/// A suffix of a read as the suffix index orders it: reversed, as the
/// first `k` fields of a reversed skeleton (`want`), `k`, and the range of
/// reversed skeletons that start with it.
fn suffix_range(suffix: &[u8]) -> SuffixRange {
    let k = suffix.len().min(MAX_PLATE_LEN);
    let mut want = 0u64;
    for &c in suffix.iter().rev().take(k) {
        want = (want << CODE_BITS) | u64::from(c);
    }
    let free = CODE_BITS * (MAX_PLATE_LEN - k) as u32;
    (want, k, (want << free, (want << free) | ((1 << free) - 1)))
}
