//! Lookup results: how a read matched an entry, and the ranked set of
//! matches of one lookup.

use super::*;

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
    pub(super) overflow: u16,
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

    /// Keeps the exact matches only. They rank before every other, so
    /// the ones dropped are the worst kept and none overflowed past an
    /// exact one unless every place holds one.
    pub(super) fn retain_exact(&mut self) {
        let before = self.items.len();
        self.items.retain(|m| m.kind == MatchKind::Exact);
        if self.items.len() < before {
            self.overflow = 0;
        }
    }

    /// Inserts in rank order, keeping the best `K`; ignores an entry already
    /// present.
    pub(super) fn insert(&mut self, m: Match) {
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
