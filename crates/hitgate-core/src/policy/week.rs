//! Time for the matrix check. The local week cut where the schedules
//! start and end: which stretches of the week each schedule holds, so
//! that rules for schedules that between them hold every hour are seen to
//! take a rule for any time. And the operations' windows cut where each
//! starts and ends ([`Timeline`]), each piece with the stretches of the
//! week it passes through, so that a rule for an operation is seen to be
//! taken by a rule for a wider one, or for the hours the operation falls
//! in.

use crate::place::{MAX_OFFSETS, MAX_OPERATIONS, MAX_SCHEDULES, Offsets, Operation, Schedule};

/// Minutes in a week.
const WEEK: u32 = 7 * 1440;

/// The most stretches: a start and an end a day a schedule, a start and
/// an end of each piece of the operations' windows ([`MAX_PIECES`]), and
/// the week's start.
const MAX_STRETCHES: usize = 2 * 7 * MAX_SCHEDULES + 2 * MAX_PIECES + 1;

/// Words of a [`Stretches`].
const WORDS: usize = MAX_STRETCHES.div_ceil(64);

/// Stretches of the week, bit `k` for the `k`-th.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Stretches([u64; WORDS]);

impl Stretches {
    fn with(k: usize) -> Self {
        let mut s = Self::default();
        s.0[(k / 64) % WORDS] |= 1 << (k % 64);
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
        self.0 == [0; WORDS]
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
        (0..WORDS * 64)
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
    /// The minute of the week each stretch starts at, in order.
    starts: heapless::Vec<u16, MAX_STRETCHES>,
}

impl Week {
    /// The week of these schedules (bit `i` of a rule's mask: the `i`-th),
    /// cut also where each of the timeline's pieces starts and ends;
    /// `None` for more than [`MAX_SCHEDULES`].
    pub(super) fn new(schedules: &[Schedule], timeline: Option<&Timeline>) -> Option<Self> {
        if schedules.len() > MAX_SCHEDULES {
            return None;
        }
        let mut starts = heapless::Vec::<u16, MAX_STRETCHES>::new();
        starts.push(0).ok()?;
        let mut cut = |at: u32| {
            let at = (at % WEEK) as u16;
            if starts.contains(&at) {
                Some(())
            } else {
                starts.push(at).ok()
            }
        };
        for s in schedules {
            for day in (0..7u16).filter(|d| s.days & (1 << d) != 0) {
                let end = if s.from < s.to { s.to } else { s.to + 1440 };
                cut(u32::from(day * 1440 + s.from))?;
                cut(u32::from(day * 1440 + end))?;
            }
        }
        for &(from, to) in timeline.iter().flat_map(|t| t.spans()) {
            cut(u32::from(from))?;
            cut(u32::from(to))?;
        }
        starts.sort_unstable();
        let mut week = Self {
            of: [Stretches::default(); MAX_SCHEDULES],
            all: Stretches::default(),
            starts: heapless::Vec::new(),
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
        week.starts = starts;
        Some(week)
    }

    /// The stretches from minute `from` of the week to `to` (exclusive;
    /// round the week's end when `to` is not after `from`), both among
    /// the week's cuts.
    fn between(&self, from: u16, to: u16) -> Stretches {
        let inside = |at: u16| {
            if from < to {
                (from..to).contains(&at)
            } else {
                at >= from || at < to
            }
        };
        let each = self.starts.iter().enumerate();
        each.filter(|&(_, &at)| inside(at))
            .fold(Stretches::default(), |u, (k, _)| {
                u.union(Stretches::with(k))
            })
    }

    /// The stretches the pieces of the timeline pass through: all of
    /// them for the time outside every operation, and for a piece a week
    /// long or longer.
    pub(super) fn of_pieces(&self, timeline: &Timeline, pieces: u64) -> Stretches {
        let mut u = Stretches::default();
        for p in (0..64).filter(|p| pieces & (1 << p) != 0) {
            let span = timeline.spans.get(p).copied().flatten();
            u = u.union(span.map_or(self.all, |(from, to)| self.between(from, to)));
        }
        u
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

/// The most pieces of the operations' windows: between two of their
/// starts, ends and the changes of offset within them each (the time
/// outside every operation is one more, [`OUTSIDE`]).
pub(super) const MAX_PIECES: usize = 2 * MAX_OPERATIONS + MAX_OFFSETS - 1;

/// The piece of the timeline outside every operation: the week over,
/// every week.
pub(super) const OUTSIDE: u32 = 63;

/// The operations' windows cut at every start and end, and where the UTC
/// offset changes within one, into pieces, bit `p` of a mask for the
/// `p`-th ([`OUTSIDE`] for the time outside them all): within a piece,
/// each operation is under way throughout or not at all, and local time
/// runs on one offset, so a rule for an operation is a mask of pieces,
/// one rule's operation lies within another's when its pieces do, and
/// each piece shorter than a week passes through one span of the local
/// week.
#[derive(Debug, Clone)]
pub(super) struct Timeline {
    /// The pieces each operation holds.
    of: [u64; MAX_OPERATIONS],
    /// Every piece, [`OUTSIDE`] included.
    all: u64,
    /// For each piece, the minutes of the local week it starts and ends
    /// at, when it is shorter than a week; `None` otherwise (or for a
    /// piece outside every operation).
    spans: [Option<(u16, u16)>; MAX_PIECES],
}

impl Timeline {
    /// The timeline of these operations, with local time on `offsets`;
    /// `None` for more than [`MAX_OPERATIONS`].
    pub(super) fn new(operations: &[Operation], offsets: &Offsets) -> Option<Self> {
        if operations.len() > MAX_OPERATIONS {
            return None;
        }
        let mut cuts = heapless::Vec::<u64, { MAX_PIECES + 1 }>::new();
        let changes = offsets.iter().map(|&(at, _)| at);
        let within = |at: u64| operations.iter().any(|o| o.start < at && at < o.end);
        for at in operations
            .iter()
            .flat_map(|o| [o.start, o.end])
            .chain(changes.filter(|&at| within(at)))
        {
            if !cuts.contains(&at) {
                cuts.push(at).ok()?;
            }
        }
        cuts.sort_unstable();
        let mut t = Self {
            of: [0; MAX_OPERATIONS],
            all: 1 << OUTSIDE,
            spans: [None; MAX_PIECES],
        };
        for (p, w) in cuts.windows(2).enumerate() {
            let (start, end) = (w[0], w[1]);
            let mut inside = false;
            for (of, o) in t.of.iter_mut().zip(operations) {
                if o.start <= start && end <= o.end {
                    *of |= 1 << p;
                    inside = true;
                }
            }
            if inside {
                t.all |= 1 << p;
                if let Some(span) = t.spans.get_mut(p) {
                    *span = local_span(offsets, start, end);
                }
            }
        }
        Some(t)
    }

    /// The pieces a rule for this operation applies in (`None`: any time;
    /// an operation not among them: none, as a unit finds it never under
    /// way).
    pub(super) fn of(&self, operation: Option<u8>) -> u64 {
        operation.map_or(self.all, |o| {
            self.of.get(usize::from(o)).copied().unwrap_or(0)
        })
    }

    /// The local spans of the pieces known.
    fn spans(&self) -> impl Iterator<Item = &(u16, u16)> {
        self.spans.iter().flatten()
    }
}

/// The minutes of the local week from `start` (ms, rounded down to its
/// minute) to `end` (exclusive, rounded up), when shorter than a week and
/// on one offset throughout (the timeline cuts its pieces so).
fn local_span(offsets: &Offsets, start: u64, end: u64) -> Option<(u16, u16)> {
    const MINUTE: u64 = 60_000;
    let first = start / MINUTE;
    let last = end.div_ceil(MINUTE);
    let changes = offsets.iter().any(|&(at, _)| start < at && at < end);
    if changes || last - first >= u64::from(WEEK) {
        return None;
    }
    let minute_of_week = |ms: u64| {
        let (day, minute) = offsets.local(ms);
        u32::from(day) * 1440 + u32::from(minute)
    };
    let from = minute_of_week(start);
    // The minutes after `from`, rounded up.
    let to = (from + (last - first) as u32) % WEEK;
    let from = from as u16;
    (from != to as u16).then_some((from, to as u16))
}
