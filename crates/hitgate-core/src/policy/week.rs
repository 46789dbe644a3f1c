//! The local week cut where the schedules start and end, for the matrix
//! check: which stretches of the week each schedule holds, so that rules
//! for schedules that between them hold every hour are seen to take a
//! rule for any time.

use crate::place::{MAX_SCHEDULES, Schedule};

/// Minutes in a week.
const WEEK: u32 = 7 * 1440;

/// The most stretches: a start and an end a day a schedule, and the
/// week's start.
const MAX_STRETCHES: usize = 2 * 7 * MAX_SCHEDULES + 1;

/// Stretches of the week, bit `k` for the `k`-th.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Stretches([u64; 4]);

impl Stretches {
    fn with(k: usize) -> Self {
        let mut s = Self::default();
        s.0[(k / 64) % 4] |= 1 << (k % 64);
        s
    }

    fn union(self, other: Self) -> Self {
        let mut u = self;
        for (a, b) in u.0.iter_mut().zip(other.0) {
            *a |= b;
        }
        u
    }

    /// Does `self` hold every stretch `other` holds?
    pub(super) fn holds(&self, other: &Self) -> bool {
        self.0.iter().zip(other.0).all(|(a, b)| b & !a == 0)
    }

    /// The stretches both hold.
    pub(super) fn and(&self, other: &Self) -> Self {
        let mut both = *self;
        for (a, b) in both.0.iter_mut().zip(other.0) {
            *a &= b;
        }
        both
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }

    /// Do the two share a stretch?
    pub(super) fn meets(&self, other: &Self) -> bool {
        self.0.iter().zip(other.0).any(|(a, b)| a & b != 0)
    }

    pub(super) fn len(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    /// Each stretch alone.
    pub(super) fn singles(self) -> impl Iterator<Item = Self> {
        (0..256)
            .filter(move |&k| self.holds(&Self::with(k)))
            .map(Self::with)
    }
}

/// The local week cut at every minute a schedule starts or ends: within
/// a stretch, each schedule is in force throughout or not at all.
#[derive(Debug, Clone)]
pub(super) struct Week {
    /// The stretches each schedule holds.
    of: [Stretches; MAX_SCHEDULES],
    /// Every stretch.
    all: Stretches,
}

impl Week {
    /// The week of these schedules (bit `i` of a rule's mask: the `i`-th);
    /// `None` for more than [`MAX_SCHEDULES`].
    pub(super) fn new(schedules: &[Schedule]) -> Option<Self> {
        if schedules.len() > MAX_SCHEDULES {
            return None;
        }
        let mut starts = heapless::Vec::<u16, MAX_STRETCHES>::new();
        starts.push(0).ok()?;
        for s in schedules {
            for day in (0..7u16).filter(|d| s.days & (1 << d) != 0) {
                let end = if s.from < s.to { s.to } else { s.to + 1440 };
                for at in [day * 1440 + s.from, day * 1440 + end] {
                    let at = (u32::from(at) % WEEK) as u16;
                    if !starts.contains(&at) {
                        starts.push(at).ok()?;
                    }
                }
            }
        }
        starts.sort_unstable();
        let mut week = Self {
            of: [Stretches::default(); MAX_SCHEDULES],
            all: Stretches::default(),
        };
        for (k, &at) in starts.iter().enumerate() {
            let k = Stretches::with(k);
            week.all = week.all.union(k);
            let (day, minute) = ((at / 1440) as u8, at % 1440);
            for (of, s) in week.of.iter_mut().zip(schedules) {
                if s.contains(day, minute) {
                    *of = of.union(k);
                }
            }
        }
        Some(week)
    }

    /// When a rule with this schedule mask applies (0: any time).
    pub(super) fn of(&self, mask: u16) -> Stretches {
        if mask == 0 {
            return self.all;
        }
        let named = self.of.iter().enumerate();
        named
            .filter(|(i, _)| mask & (1 << i) != 0)
            .fold(Stretches::default(), |u, (_, s)| u.union(*s))
    }
}
