//! The unit's settings: when a passage is decided, how long re-alerts and
//! budgets hold, how near a frame must be to count as evidence, and how
//! long a quiet camera's passage waits.

use crate::budget::{Budget, Budgets};
use crate::distance::Tolerance;
use crate::list::Priority;

/// When a passage is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Mode {
    /// At the first matching read: lowest latency.
    FirstRead,
    /// When the passage window closes, on all its reads together.
    #[default]
    Consensus,
}

/// The unit's settings. All times in ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
pub struct Config {
    /// First-read or consensus.
    pub mode: Mode,
    /// Reads of one car at one camera within this span of the first read
    /// are one passage.
    pub passage_window_ms: u32,
    /// Re-alert suppression window, per priority.
    pub realert_window_ms: [u32; Priority::COUNT],
    /// A hit whose event time is older than this (on the unit's clock) is
    /// never dispatched: it goes to review, marked late.
    pub max_lateness_ms: u32,
    /// A read whose event time is further ahead of the unit's clock than
    /// this is rejected.
    pub max_future_ms: u32,
    /// Dispatch budget per priority (`None`: unlimited). Priority 0 is never
    /// throttled, whatever its entry says.
    pub budgets: Budgets,
    /// Frames that must read the same other character at a position of
    /// the listed plate (or, where none reads the listed character, any
    /// other; or drop or insert the same character) before a consensus
    /// passage is judged another car
    /// (review, as a look-alike) or the listed car misread; see
    /// [`evidence`](crate::evidence). 2 by default; 1 lets one frame
    /// dissent when it outweighs those that read the listed plate: on the
    /// generated days of `BENCHMARKS.md` a quarter of the wrong dispatches,
    /// and some listed cars (two frames, the misread one the surer) sent
    /// to review instead. For a look-alike of the listed character the
    /// unit takes 1 while the entry's latest verdict in its re-alert
    /// window found a look-alike car, in a passage of several frames
    /// ([`Support::alike`](crate::evidence::Support::alike)).
    pub lookalike_support: u16,
    /// Frames that must read the same character, one the engine does not
    /// confuse with the listed one, at a position of the listed plate that
    /// no frame reads as listed, before a consensus passage is judged
    /// another car or the listed car misread (0 counts as 1); see
    /// [`evidence`](crate::evidence). Setting it to `lookalike_support`
    /// treats every character alike.
    pub unrelated_support: u16,
    /// How far from a passage's listed plate an unmatched read of its
    /// camera, within its window, may be and still count as evidence (a
    /// frame of the same car with one error too many), for a list that
    /// sets no [`ListSpec::evidence`](crate::list::ListSpec::evidence) of
    /// its own. Applied with the list's own tolerance where that is wider
    /// ([`ListSpec::evidence_within`](crate::list::ListSpec::evidence_within)).
    /// A frame this near (not widened) to the passage's first matched
    /// frame counts too: the same car, read further off the list (a car
    /// 2TUS634 read once as 2TCS34, which matches a listed 2ICS324, and
    /// four times as itself). Such frames are held in
    /// the passage's slot until the slot is freed (at most
    /// `passage_window_ms + camera_grace_ms` after the passage opened, on
    /// the unit's clock), never forwarded, never counted by plate.
    pub evidence: Tolerance,
    /// How many changes in all (look-alikes and edits together) a frame
    /// may be from the listed plate, or from the passage's first matched
    /// frame, and still count as evidence, besides [`Config::evidence`]'s
    /// bound on each kind: 2 by default, a frame of a look-alike car with
    /// one error of its own, or of the listed car with two. A frame
    /// further off is more likely a third car's: `1OOO832`, read five
    /// times just before a listed `1DKN832` was read once, is a look-alike
    /// and two edits from it, and made the listed car a look-alike of
    /// itself (`BENCHMARKS.md`, "Hit quality"). 4 bounds nothing the
    /// widest evidence tolerance allows.
    pub evidence_changes: u8,
    /// How long past its window a passage waits, on the unit's clock, for
    /// its camera to move on. A passage closes as soon as a read of its own
    /// camera lies past the window (event time), so a camera whose uplink
    /// lags keeps its passages whole; a camera that went quiet has its
    /// passage closed `passage_window_ms + camera_grace_ms` after the
    /// passage opened on the unit's clock. See [`Unit::push`](super::Unit::push).
    pub camera_grace_ms: u32,
}

impl Config {
    /// The defaults: consensus over 2 s passages, 40-minute re-alert
    /// window, 5 minutes maximum lateness, 60 s of clock skew, budgets of
    /// 20 a burst and 60 an hour for P1 and 10 and 20 for P2; two frames
    /// make a look-alike dissent and one frame another character's, frames
    /// within 2 look-alikes and 2 edits, 2 changes in all, are evidence, a
    /// quiet camera's passage waits 3 s past its window. The last five
    /// were measured on generated days against their neighbours
    /// (`BENCHMARKS.md`, "Hit quality": 3 s is where the grace stops
    /// buying precision; three frames, or narrower evidence, let more
    /// look-alike cars through; two frames for another character let most
    /// cars read once within an edit of a listed plate through; frames
    /// three changes off hold up a listed car and catch no look-alike).
    pub const DEFAULT: Self = Self {
        mode: Mode::Consensus,
        passage_window_ms: 2_000,
        realert_window_ms: [40 * 60_000; Priority::COUNT],
        max_lateness_ms: 5 * 60_000,
        max_future_ms: 60_000,
        budgets: Budgets([
            None,
            Some(Budget {
                burst: 20,
                per_hour: 60,
            }),
            Some(Budget {
                burst: 10,
                per_hour: 20,
            }),
            None,
            None,
        ]),
        lookalike_support: 2,
        unrelated_support: 1,
        evidence: Tolerance {
            ocr: 2,
            edits: 2,
            min_len: 5,
        },
        evidence_changes: 2,
        camera_grace_ms: 3_000,
    };
}

impl Default for Config {
    fn default() -> Self {
        Self::DEFAULT
    }
}
