#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod fmt;

pub mod confusion;
pub mod distance;
pub mod plate;
pub mod watchlist;

pub use confusion::{ClassError, ConfusionClasses};
pub use distance::{Distance, MAX_TOLERANCE, Tolerance, distance};
pub use plate::{Country, CountryError, MAX_PLATE_LEN, Plate, PlateError};
pub use watchlist::{
    BYTES_PER_ENTRY, Duplicate, Entry, EntryId, InsertError, ListEntry, ListError, ListId,
    ListSpec, MAX_LISTS, MIN_TOLERANT_LEN, Match, MatchKind, Matches, Priority, Watchlist,
    WatchlistBuilder,
};
