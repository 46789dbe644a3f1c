#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod fmt;

pub mod arrival;
pub mod budget;
#[cfg(feature = "serde")]
pub mod bundle;
pub mod confusion;
pub mod distance;
pub mod indicators;
pub mod passage;
pub mod plate;
pub mod policy;
pub mod read;
pub mod suppress;
pub mod unit;
pub mod watchlist;
#[cfg(feature = "serde")]
pub mod wire;

pub use arrival::{Arrival, ArrivalClock};
pub use budget::{Budget, Budgets};
pub use confusion::{ClassError, ConfusionClasses};
pub use distance::{Distance, MAX_TOLERANCE, Tolerance, distance};
pub use indicators::{CameraStats, Indicators};
pub use passage::Passage;
pub use plate::{Country, CountryError, MAX_PLATE_LEN, Plate, PlateError};
pub use policy::{Action, Policy, Rule, RuleId};
pub use read::{CameraId, Position, Read, ReadError};
pub use suppress::SuppressSlot;
pub use unit::{Config, Hit, Mode, Outcome, ReadStatus, Reason, Tables, Unit};
pub use watchlist::{
    BYTES_PER_ENTRY, Duplicate, Entry, EntryId, FENCES_PAY_ABOVE, InsertError, ListEntry,
    ListError, ListId, ListSpec, MAX_LISTS, MIN_TOLERANT_LEN, Match, MatchKind, Matches, OneEdit,
    Priority, Watchlist, WatchlistBuilder, fence_words,
};
