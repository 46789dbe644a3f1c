//! Signed list bundles and deltas: what configures a unit, verified before
//! it is used.
//!
//! Whoever can change the lists or the matrix of a unit can have any car
//! stopped, or hide one. So a unit takes its lists only from a **signed
//! image**: a fixed header, a body of [`bundle`] records,
//! and an Ed25519 signature over both, made with a key the unit does not
//! hold and checked with the public key it was provisioned with.
//!
//! - A **full** image carries the lists, the decision matrix and the
//!   unit's settings: the records `Header`, `Config`, the rules, the
//!   lists, the entries and `End` of a bundle, and no reads.
//! - A **delta** names the version it applies to and carries the entries it
//!   removes and adds: `Delta`, the `Remove` records, the added `Entry`
//!   records, `End`. It is applied to the lists in force
//!   ([`WatchlistBuilder::from_watchlist`]) without the whole list again.
//!
//! # Format, version 1
//!
//! All integers little-endian.
//!
//! | offset | bytes | field |
//! |---:|---:|---|
//! | 0 | 4 | magic `HGSB` |
//! | 4 | 1 | format version, [`SIGNED_FORMAT`] |
//! | 5 | 1 | kind: 0 full, 1 delta |
//! | 6 | 2 | reserved, 0 |
//! | 8 | 4 | version of the lists this image makes |
//! | 12 | 4 | delta: the version it applies to; full: 0 |
//! | 16 | 8 | created, ms since the Unix epoch |
//! | 24 | 32 | the signer's Ed25519 public key |
//! | 56 | 4 | body length `n` |
//! | 60 | `n` | body: bundle records |
//! | 60 + `n` | 64 | Ed25519 signature of bytes `0..60 + n` |
//!
//! `docs/formats.md` shows an image byte by byte.
//!
//! # Verification and activation
//!
//! [`open`] checks the frame and the signature (strict Ed25519: no
//! malleable signatures, no weak keys) before a byte of the body is
//! parsed; [`load_full`] and [`apply_delta`] then check the succession (no
//! version at or below the one in force, no delta for another base) and
//! build the new lists **in storage apart from the active one**. Any
//! failure leaves the lists in force untouched: the caller swaps to the new
//! watchlist only on `Ok`. Every refusal is a [`TrustError`] naming what
//! was wrong.
//!
//! ```
//! use ed25519_dalek::SigningKey;
//! use hitgate_core::signed::*;
//! let key = SigningKey::from_bytes(&[7; 32]);
//! let body = [0u8; 3];
//! let head = Header::full(2, 1_700_000_000_000, &key.verifying_key());
//! let mut image = [0u8; HEADER_LEN + 3 + SIGNATURE_LEN];
//! let n = seal(&head, &body, &key, &mut image).unwrap();
//! assert_eq!(open(&image[..n], &key.verifying_key()).unwrap().body, &body);
//! image[HEADER_LEN] ^= 1; // one bit of the body
//! assert_eq!(open(&image[..n], &key.verifying_key()).unwrap_err(), TrustError::BadSignature);
//! ```

use ed25519_dalek::{Signature, Signer};
/// The key types of the signatures, re-exported so that a firmware needs
/// no dependency of its own to hold its provisioned key.
pub use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::bundle::{self, LoadError, MAX_RECORD, PlaceStore, Reader, Record};
use crate::policy::Policy;
use crate::unit::Config;
use crate::uplink::{MAX_MESSAGE, StatusRecord};
use crate::watchlist::{InsertError, RemoveError, Watchlist, WatchlistBuilder};

/// What a status signature covers first: the message kind, so that a
/// signature over anything else never passes for one.
pub const STATUS_CONTEXT: [u8; 4] = *b"HGST";

/// The bytes a status signature covers: [`STATUS_CONTEXT`], then the
/// record as postcard writes it with an empty `signature`.
fn status_bytes<'b>(status: &StatusRecord<'_>, buf: &'b mut [u8; MAX_MESSAGE]) -> Option<&'b [u8]> {
    buf[..4].copy_from_slice(&STATUS_CONTEXT);
    let unsigned = StatusRecord {
        signature: &[],
        ..*status
    };
    let n = postcard::to_slice(&unsigned, &mut buf[4..]).ok()?.len();
    Some(&buf[..4 + n])
}

/// The unit's signature of a status message (its `signature` field is
/// not covered): `None` only if the record does not fit a message.
///
/// ```
/// use hitgate_core::signed::{SigningKey, sign_status, verify_status};
/// use hitgate_core::uplink::StatusRecord;
/// let key = SigningKey::from_bytes(&[9; 32]);
/// let mut s = StatusRecord { unit: "rsu-7", next_seq: 12, ..Default::default() };
/// let sig = sign_status(&s, &key).unwrap();
/// s.signature = &sig;
/// assert!(verify_status(&s, &key.verifying_key()));
/// s.next_seq = 11;
/// assert!(!verify_status(&s, &key.verifying_key()));
/// ```
pub fn sign_status(status: &StatusRecord<'_>, key: &SigningKey) -> Option<[u8; SIGNATURE_LEN]> {
    let mut buf = [0u8; MAX_MESSAGE];
    Some(key.sign(status_bytes(status, &mut buf)?).to_bytes())
}

/// True when the status message carries a valid signature by `key`.
pub fn verify_status(status: &StatusRecord<'_>, key: &VerifyingKey) -> bool {
    let Ok(sig) = <[u8; SIGNATURE_LEN]>::try_from(status.signature) else {
        return false;
    };
    let mut buf = [0u8; MAX_MESSAGE];
    status_bytes(status, &mut buf)
        .is_some_and(|m| key.verify_strict(m, &Signature::from_bytes(&sig)).is_ok())
}

/// The image's magic bytes.
pub const MAGIC: [u8; 4] = *b"HGSB";
/// Version of the image format.
pub const SIGNED_FORMAT: u8 = 1;
/// Bytes before the body.
pub const HEADER_LEN: usize = 60;
/// Bytes of the signature after the body.
pub const SIGNATURE_LEN: usize = 64;

/// What an image carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Kind {
    /// Lists, matrix and settings.
    Full,
    /// Entries removed from and added to one version.
    Delta,
}

/// An image's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Full or delta.
    pub kind: Kind,
    /// Version of the lists the image makes.
    pub version: u32,
    /// Delta: the version it applies to. Full: 0.
    pub base: u32,
    /// When it was made, ms since the Unix epoch.
    pub created: u64,
    /// The signer's public key.
    pub signer: [u8; 32],
}

impl Header {
    /// The header of a full image.
    pub fn full(version: u32, created: u64, signer: &VerifyingKey) -> Self {
        Self {
            kind: Kind::Full,
            version,
            base: 0,
            created,
            signer: signer.to_bytes(),
        }
    }

    /// The header of a delta from `base` to `version`.
    pub fn delta(base: u32, version: u32, created: u64, signer: &VerifyingKey) -> Self {
        Self {
            kind: Kind::Delta,
            version,
            base,
            created,
            signer: signer.to_bytes(),
        }
    }

    fn encode(&self, body_len: u32) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..4].copy_from_slice(&MAGIC);
        b[4] = SIGNED_FORMAT;
        b[5] = match self.kind {
            Kind::Full => 0,
            Kind::Delta => 1,
        };
        b[8..12].copy_from_slice(&self.version.to_le_bytes());
        b[12..16].copy_from_slice(&self.base.to_le_bytes());
        b[16..24].copy_from_slice(&self.created.to_le_bytes());
        b[24..56].copy_from_slice(&self.signer);
        b[56..60].copy_from_slice(&body_len.to_le_bytes());
        b
    }
}

/// Why an image was refused. The lists in force stay in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum TrustError {
    /// Not a signed image (another magic).
    NotSigned,
    /// An image format this build does not read (the version it names).
    Format(u8),
    /// An unknown kind byte, or reserved bytes not zero.
    Header,
    /// Shorter or longer than its header says: `expected` bytes, `got`.
    Length {
        /// Bytes the header announces, signature included.
        expected: u64,
        /// Bytes there are.
        got: u64,
    },
    /// Signed with another key than the one the unit was provisioned with.
    ForeignKey,
    /// The signature does not verify: the image was altered.
    BadSignature,
    /// The version is not newer than the one in force (no rollback).
    NotNewer {
        /// Version in force.
        active: u32,
        /// Version offered.
        offered: u32,
    },
    /// A delta for another version than the one in force.
    WrongBase {
        /// Version in force.
        active: u32,
        /// Version the delta applies to.
        base: u32,
    },
    /// A full image where a delta was due, or the other way round.
    Kind,
    /// The signed body is not what its header says (the reason): only a
    /// signer's bug makes one.
    Body(&'static str),
    /// The storage cannot hold the new lists (which).
    Full(&'static str),
    /// The out buffer of [`seal`] is too small, or the body too long.
    TooLong,
}

impl core::fmt::Display for TrustError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::NotSigned => f.write_str("not a signed list image (no HGSB magic)"),
            Self::Format(v) => write!(
                f,
                "signed image format {v}; this build reads format {SIGNED_FORMAT}"
            ),
            Self::Header => f.write_str("signed image header: unknown kind or reserved bytes set"),
            Self::Length { expected, got } => write!(
                f,
                "signed image is {got} bytes, its header announces {expected}: truncated or padded"
            ),
            Self::ForeignKey => f.write_str("signed with a key this unit does not trust"),
            Self::BadSignature => f.write_str("signature does not verify: the image was altered"),
            Self::NotNewer { active, offered } => write!(
                f,
                "version {offered} is not newer than version {active} in force (no rollback)"
            ),
            Self::WrongBase { active, base } => write!(
                f,
                "delta applies to version {base}, version {active} is in force"
            ),
            Self::Kind => f.write_str("a full image where a delta was due, or the reverse"),
            Self::Body(why) => write!(f, "signed body: {why}"),
            Self::Full(what) => write!(f, "more {what} than the storage holds"),
            Self::TooLong => f.write_str("signed image does not fit"),
        }
    }
}

impl core::error::Error for TrustError {}

impl TrustError {
    /// A short stable name, for counters and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Self::NotSigned => "not-signed",
            Self::Format(_) => "format",
            Self::Header => "header",
            Self::Length { .. } => "length",
            Self::ForeignKey => "foreign-key",
            Self::BadSignature => "bad-signature",
            Self::NotNewer { .. } => "not-newer",
            Self::WrongBase { .. } => "wrong-base",
            Self::Kind => "kind",
            Self::Body(_) => "body",
            Self::Full(_) => "full",
            Self::TooLong => "too-long",
        }
    }
}

/// A verified image: its header and body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signed<'a> {
    /// The header.
    pub header: Header,
    /// The bundle records.
    pub body: &'a [u8],
}

/// Writes the image of `body` under `header`, signed with `key`, into
/// `out`; returns its length. The header's signer is set to `key`'s.
pub fn seal(
    header: &Header,
    body: &[u8],
    key: &SigningKey,
    out: &mut [u8],
) -> Result<usize, TrustError> {
    let body_len = u32::try_from(body.len()).map_err(|_| TrustError::TooLong)?;
    let n = HEADER_LEN + body.len();
    if out.len() < n + SIGNATURE_LEN {
        return Err(TrustError::TooLong);
    }
    let mut header = *header;
    header.signer = key.verifying_key().to_bytes();
    out[..HEADER_LEN].copy_from_slice(&header.encode(body_len));
    out[HEADER_LEN..n].copy_from_slice(body);
    let sig = key.sign(&out[..n]);
    out[n..n + SIGNATURE_LEN].copy_from_slice(&sig.to_bytes());
    Ok(n + SIGNATURE_LEN)
}

/// Reads an image's header without checking the signature: for a tool
/// that shows what a file is. Never use what it returns to configure a
/// unit; [`open`] is for that.
pub fn peek(bytes: &[u8]) -> Result<Signed<'_>, TrustError> {
    let head = bytes.get(..HEADER_LEN).ok_or(TrustError::Length {
        expected: (HEADER_LEN + SIGNATURE_LEN) as u64,
        got: bytes.len() as u64,
    })?;
    if head[0..4] != MAGIC {
        return Err(TrustError::NotSigned);
    }
    if head[4] != SIGNED_FORMAT {
        return Err(TrustError::Format(head[4]));
    }
    let kind = match head[5] {
        0 => Kind::Full,
        1 => Kind::Delta,
        _ => return Err(TrustError::Header),
    };
    if head[6..8] != [0, 0] {
        return Err(TrustError::Header);
    }
    let u32_at =
        |at: usize| u32::from_le_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    let mut created = [0u8; 8];
    created.copy_from_slice(&head[16..24]);
    let mut signer = [0u8; 32];
    signer.copy_from_slice(&head[24..56]);
    let body_len = u32_at(56) as usize;
    let expected = (HEADER_LEN + SIGNATURE_LEN) as u64 + body_len as u64;
    if bytes.len() as u64 != expected {
        return Err(TrustError::Length {
            expected,
            got: bytes.len() as u64,
        });
    }
    Ok(Signed {
        header: Header {
            kind,
            version: u32_at(8),
            base: u32_at(12),
            created: u64::from_le_bytes(created),
            signer,
        },
        body: &bytes[HEADER_LEN..HEADER_LEN + body_len],
    })
}

/// Checks an image's frame, signer and signature with the unit's key
/// before anything in it is used.
pub fn open<'a>(bytes: &'a [u8], key: &VerifyingKey) -> Result<Signed<'a>, TrustError> {
    let signed = peek(bytes)?;
    if signed.header.signer != key.to_bytes() {
        return Err(TrustError::ForeignKey);
    }
    let n = HEADER_LEN + signed.body.len();
    let mut sig = [0u8; SIGNATURE_LEN];
    sig.copy_from_slice(&bytes[n..]);
    key.verify_strict(&bytes[..n], &Signature::from_bytes(&sig))
        .map_err(|_| TrustError::BadSignature)?;
    Ok(signed)
}

/// Checks that an image may follow the version in force, `active` (0:
/// none): a full image must be newer; a delta must apply to `active` and
/// make a newer one.
pub fn check_succession(header: &Header, active: u32) -> Result<(), TrustError> {
    if header.kind == Kind::Delta && header.base != active {
        return Err(TrustError::WrongBase {
            active,
            base: header.base,
        });
    }
    if header.version <= active {
        return Err(TrustError::NotNewer {
            active,
            offered: header.version,
        });
    }
    Ok(())
}

fn body_error(e: LoadError<core::convert::Infallible>) -> TrustError {
    match e {
        LoadError::Full(what) => TrustError::Full(what),
        LoadError::Version(_) => TrustError::Body("bundle format version"),
        LoadError::Expected(what) => TrustError::Body(what),
        LoadError::Entry(field) => TrustError::Body(field),
        LoadError::Classes(_) => TrustError::Body("look-alike classes"),
        _ => TrustError::Body("a damaged record"),
    }
}

/// Builds the lists, the matrix, the settings and the places of a verified
/// full image into `lists` (fresh storage, not the active one), `policy`
/// (replaced) and `places` (fresh storage; `&mut ()` for a unit that keeps
/// none, which refuses an image that has some), if its version is newer
/// than `active` (0: none in force). On `Err` nothing the unit uses has
/// changed.
///
/// The new matrix is built beside the one in force, so this takes a
/// [`Policy`] of stack while it runs; it is never inlined, so that the
/// caller's frame, which lives on, does not keep that room.
#[inline(never)]
pub fn load_full<'b, const R: usize>(
    signed: &Signed<'_>,
    active: u32,
    mut lists: WatchlistBuilder<'b>,
    policy: &mut Policy<R>,
    places: &mut dyn PlaceStore,
) -> Result<(Watchlist<'b>, Config), TrustError> {
    let h = &signed.header;
    if h.kind != Kind::Full {
        return Err(TrustError::Kind);
    }
    check_succession(h, active)?;
    let mut reader = Reader::<MAX_RECORD>::new();
    let mut src = bundle::slice_source(signed.body, MAX_RECORD);
    let mut matrix = Policy::<R>::new();
    let loaded = bundle::load_with_places(&mut reader, &mut src, &mut lists, &mut matrix, places)
        .map_err(body_error)?;
    if loaded.list_version != h.version {
        return Err(TrustError::Body(
            "the bundle header's version is not the image's",
        ));
    }
    end(&mut reader, &mut src)?;
    let wl = lists
        .build()
        .map_err(|_| TrustError::Body("a plate stands twice on a list"))?;
    *policy = matrix;
    Ok((wl, loaded.config))
}

/// The body's `End` record, and nothing after it.
fn end(
    reader: &mut Reader<MAX_RECORD>,
    src: &mut impl FnMut(&mut [u8]) -> Result<usize, core::convert::Infallible>,
) -> Result<(), TrustError> {
    match reader.next(&mut *src) {
        Ok(Some(Record::End)) => {}
        _ => return Err(TrustError::Body("expected the end")),
    }
    match reader.next(&mut *src) {
        Ok(None) => Ok(()),
        _ => Err(TrustError::Body("records after the end")),
    }
}

/// What a delta changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    /// Entries removed.
    pub removed: u32,
    /// Entries added.
    pub added: u32,
}

/// Applies a verified delta to `lists`, a builder started from the lists
/// in force with [`WatchlistBuilder::from_watchlist`] in storage apart from
/// theirs, and builds the new version. On `Err` the lists in force are
/// untouched.
pub fn apply_delta<'b>(
    signed: &Signed<'_>,
    mut lists: WatchlistBuilder<'b>,
) -> Result<(Watchlist<'b>, Applied), TrustError> {
    let h = &signed.header;
    if h.kind != Kind::Delta {
        return Err(TrustError::Kind);
    }
    check_succession(h, lists.version())?;
    let mut reader = Reader::<MAX_RECORD>::new();
    let mut src = bundle::slice_source(signed.body, MAX_RECORD);
    let (removes, adds) = match reader.next(&mut src) {
        Ok(Some(Record::Delta {
            base,
            version,
            removes,
            adds,
        })) if base == h.base && version == h.version => (removes, adds),
        _ => return Err(TrustError::Body("expected the delta record of this image")),
    };
    for _ in 0..removes {
        let entry = match reader.next(&mut src) {
            Ok(Some(rec)) => rec.as_removal(),
            _ => None,
        };
        let entry = entry
            .ok_or(TrustError::Body("expected a removal"))?
            .map_err(TrustError::Body)?;
        lists.remove(&entry).map_err(|e| match e {
            RemoveError::NotListed => TrustError::Body("a removed entry is not listed"),
            _ => TrustError::Body("a removed entry names an unknown list"),
        })?;
    }
    for _ in 0..adds {
        let entry = match reader.next(&mut src) {
            Ok(Some(rec)) => rec.as_entry(),
            _ => None,
        };
        let entry = entry
            .ok_or(TrustError::Body("expected an entry"))?
            .map_err(TrustError::Body)?;
        lists.insert(entry).map_err(|e| match e {
            InsertError::Full(_) => TrustError::Full("entries"),
            InsertError::UnknownList(_) => TrustError::Body("an entry names an unknown list"),
            _ => TrustError::Body("an entry's validity window"),
        })?;
    }
    end(&mut reader, &mut src)?;
    lists.set_version(h.version);
    let wl = lists
        .build()
        .map_err(|_| TrustError::Body("an added plate is listed already"))?;
    Ok((
        wl,
        Applied {
            removed: removes,
            added: adds,
        },
    ))
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec::Vec;

    use super::*;
    use crate::bundle::tests::doc_hex;
    use crate::confusion::ConfusionClasses;
    use crate::list::{ListEntry, ListId, Priority};
    use crate::plate::{Country, Plate};
    use crate::watchlist::Entry;

    /// docs/formats.md's image: the header and signature there (the
    /// signature also made by Python's `cryptography`), around the bundle
    /// there.
    #[test]
    fn an_image_is_these_bytes_and_opens() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let body = doc_hex("bundle");
        let head = Header::full(7, 1_767_225_600_000, &key.verifying_key());
        let mut out = [0u8; 320];
        let n = seal(&head, &body, &key, &mut out).unwrap();
        let want: Vec<u8> = [
            doc_hex("signed-header"),
            body.clone(),
            doc_hex("signed-signature"),
        ]
        .concat();
        assert_eq!(n, 266);
        assert_eq!(&out[..n], want.as_slice());
        let s = open(&want, &key.verifying_key()).unwrap();
        assert_eq!((s.header, s.body), (head, body.as_slice()));
        let (mut entries, mut index) = ([Entry::EMPTY; 2], [0u32; 2]);
        let b = WatchlistBuilder::new(&mut entries, &mut index, ConfusionClasses::default());
        let mut policy: Policy = Policy::new();
        let (wl, _) = load_full(&s, 6, b, &mut policy, &mut ()).unwrap();
        assert_eq!((wl.version(), wl.len(), policy.rules.len()), (7, 1, 1));
    }

    /// docs/formats.md's delta body, worked out by hand there.
    #[test]
    fn a_delta_body_is_these_bytes() {
        let gone = ListEntry::new(
            Plate::normalize(b"1ABC234").unwrap(),
            Some(Country::BE),
            Priority::P1,
            ListId(0),
        );
        let mut body = Vec::new();
        bundle::write_delta(7, 8, &[gone], &[], |f: &[u8]| {
            body.extend_from_slice(f);
            Ok::<_, bundle::BundleError>(())
        })
        .unwrap();
        assert_eq!(body, doc_hex("delta-body"));
    }
}
