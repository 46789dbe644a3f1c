//! Fences: sampled keys of both orders, so a search finds its block of a
//! large list in a small array that stays in cache.

use super::*;

/// Fences ([`WatchlistBuilder::set_fences`]) pay above about this many
/// entries on lists that allow an edit (only their searches use fences);
/// below, a binary search over those entries stays in cache and is faster
/// (the crossover is measured in `BENCHMARKS.md`, "Watchlist lookup").
pub const FENCES_PAY_ABOVE: usize = 1 << 15;

/// Words of fence storage ([`WatchlistBuilder::set_fences`]) for a sample
/// every `step` entries (a power of two; 16 is a good step) in a list of
/// `entries`: the samples of the two orders and, above 16,384 samples an
/// order, every sixteenth of them again.
///
/// ```
/// use hitgate_core::watchlist::fence_words;
/// // 0.53 bytes an entry: 62,500 samples and 3,907 top samples an order.
/// assert_eq!(fence_words(1_000_000, 16), 132_814);
/// ```
pub const fn fence_words(entries: usize, step: usize) -> usize {
    let step = if step == 0 { 1 } else { step };
    let half = entries.div_ceil(step);
    half.saturating_add(top_len(half)).saturating_mul(2)
}

/// Words of the suffix index whose entries [`Ctx::scan_suffix_blocks`]
/// reads in one batch.
pub(super) const SCAN_BATCH: usize = 32;

/// Up to this many entries, the start of a range is found by a scan rather
/// than a binary search.
pub(super) const SCAN_BLOCK: usize = 32;

/// Samples a top sample stands for: a binary search runs over the top
/// samples, a few kilobytes that stay in the nearest cache, and ends with
/// a scan of at most this many samples, one cache line of them.
pub(super) const TOP: usize = 16;

/// Samples of one order above which they get top samples. Below, the
/// samples themselves stay in cache and a binary search over them is
/// cheaper (measured in `docs/perf-history.md`, the fences' top samples).
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
pub(super) struct Fences<'a> {
    pub(super) keys: &'a [u32],
    /// Samples of each array (and [`top_len`] top samples).
    pub(super) half: usize,
    pub(super) shift: u32,
}

/// The sorted entries' samples ([`Fences::narrow`]).
pub(super) const ENTRY_ORDER: usize = 0;
/// The suffix index's samples.
pub(super) const SUFFIX_ORDER: usize = 1;

impl Fences<'_> {
    /// [`narrow()`] with the samples of one order: without fences, at the
    /// cost of one comparison, `seg` itself.
    #[inline]
    pub(super) fn narrow(
        &self,
        order: usize,
        seg: (usize, usize),
        lo: u32,
        hi: u32,
    ) -> (usize, usize) {
        if self.half == 0 {
            return seg;
        }
        narrow(self.array(order), self.shift, seg, lo, hi)
    }

    pub(super) fn array(&self, k: usize) -> Sampled<'_> {
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
pub(super) struct Sampled<'a> {
    pub(super) samples: &'a [u32],
    pub(super) top: &'a [u32],
}

impl Sampled<'_> {
    /// The first sample in `k0..k1` that is at least `lo` (`k1` if none):
    /// a binary search over the top samples inside `k0..k1`, then a scan
    /// of the samples below the first top sample that is at least `lo`.
    #[inline]
    pub(super) fn first_at_least(&self, (k0, k1): (usize, usize), lo: u32) -> usize {
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
pub(super) fn fence_layout(len: usize, words: usize) -> (usize, usize, u32) {
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
pub(super) fn top32(skel: u64) -> u32 {
    (skel >> (SKEL_BITS - 32)) as u32
}

/// Narrows positions `a..b` of a sorted array whose every
/// `1 << shift`-th key has its top 32 bits in `samples` to those that can
/// hold a key whose top 32 bits lie in `lo..=hi`: from the last sample
/// below `lo` to the first above `hi`. Without samples, `a..b`.
pub(super) fn narrow(
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

/// Fills the fences, if any: every `1 << shift`-th key of both orders
/// (entries and suffix index), then every [`TOP`]-th of those samples.
pub(super) fn fill_fences<'a>(
    fences: &'a mut [u32],
    entries: &[Entry],
    index: &[u32],
    slot: SuffixSlot,
    (half, top, shift): (usize, usize, u32),
) -> Fences<'a> {
    let (entry_fences, suffix_fences) = fences.split_at_mut(half.min(fences.len()));
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
    let (samples, tops) = fences.split_at_mut((2 * half).min(fences.len()));
    for (k, f) in tops.iter_mut().take(2 * top).enumerate() {
        let (array, t) = (k / top.max(1), k % top.max(1));
        *f = samples
            .get(array * half + t * TOP)
            .copied()
            .unwrap_or(u32::MAX);
    }
    let fences: &'a [u32] = fences;
    Fences {
        keys: fences.get(..2 * (half + top)).unwrap_or(&[]),
        half,
        shift,
    }
}
