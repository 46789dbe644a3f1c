#![doc = include_str!("../README.md")]
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod fmt;

pub mod arrival;
pub mod budget;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub mod bundle;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub mod chain;
pub mod confusion;
pub mod distance;
pub mod evidence;
pub mod gate;
pub mod hit;
pub mod indicators;
pub mod list;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub mod outbox;
pub mod passage;
pub mod place;
pub mod plate;
pub mod policy;
pub mod read;
pub mod recent;
#[cfg(feature = "trust")]
#[cfg_attr(docsrs, doc(cfg(feature = "trust")))]
pub mod signed;
#[cfg(feature = "flash")]
#[cfg_attr(docsrs, doc(cfg(feature = "flash")))]
pub mod store;
pub mod suppress;
pub mod syntax;
pub mod unit;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub mod uplink;
pub mod watchlist;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub mod wire;
