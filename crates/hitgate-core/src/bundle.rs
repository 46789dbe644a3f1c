//! The bundle: lists, policy, settings and a read stream in one compact
//! binary file, for a unit that cannot parse CSV, TOML or JSON.
//!
//! # Format, version 10
//!
//! A sequence of frames `COBS(postcard(Record)) ++ 0x00`, in this order: one
//! [`Record::Header`], one [`Record::Config`], one [`Record::Classes`], the
//! header's count of [`Record::Place`], [`Record::Rule`], [`Record::List`]
//! and [`Record::Entry`], then reads,
//! then [`Record::End`]. A reader decodes one frame at a time in place (see
//! [`Reader`]), so its buffer needs only hold the longest record
//! ([`MAX_RECORD`]); [`load`] reads the lists and the matrix into a
//! [`WatchlistBuilder`] and a [`Policy`], the same code on a host and a
//! firmware. `docs/formats.md` shows a bundle byte by byte.
//!
//! The settings and the rules travel as records of their own
//! ([`ConfigRecord`], [`RuleRecord`]), as a hit does ([`HitRecord`](crate::wire::HitRecord)):
//! fixed fields in a fixed order, so that [`Config`] and [`Rule`] can grow
//! for the host without moving a byte of the bundle. Stability: as for the
//! [`wire`](crate::wire) records, variants and fields are only appended;
//! anything else bumps [`BUNDLE_VERSION`]. Version 1 carried `Config` and
//! `Rule` in their serde form, the settings inside the header; version 2
//! had no list names; version 3 no places; version 4 no look-alike classes
//! and no [`Config::camera_grace_ms`]; version 5 no [`ListSpec::evidence`];
//! version 6 no [`Config::unrelated_support`]; version 7 no
//! [`Rule::max_reads`]; version 8 no [`Rule::read_fits`]; version 9 no
//! [`Config::evidence_changes`] (a unit built for version 10 refuses them
//! all, naming the version).

use serde::{Deserialize, Serialize};

use crate::budget::{Budget, Budgets};
use crate::confusion::{ClassError, ConfusionClasses};
use crate::distance::Tolerance;
use crate::list::{ListEntry, ListId, ListSpec, Priority};
use crate::place::Places;
use crate::plate::{Country, Plate};
use crate::policy::{Action, CameraPattern, Policy, Rule, Set};
use crate::read::{Position, Read};
use crate::unit::{Config, Mode};
use crate::watchlist::{InsertError, ListError, WatchlistBuilder};

mod places;
pub use places::*;

/// Version of the bundle format.
pub const BUNDLE_VERSION: u8 = 10;

/// The longest encoded record, delimiter included.
pub const MAX_RECORD: usize = 512;

/// One record of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Record<'a> {
    /// First record.
    Header {
        /// [`BUNDLE_VERSION`].
        bundle_version: u8,
        /// Version of the lists.
        list_version: u32,
        /// Number of [`Record::Rule`] records that follow (0: an empty
        /// matrix, every hit dropped by the fallback).
        rules: u8,
        /// Number of [`Record::List`] records.
        lists: u8,
        /// Number of [`Record::Entry`] records.
        entries: u32,
        /// Number of [`Record::Place`] records, right after the settings
        /// (version 4).
        places: u16,
    },
    /// A rule of the decision matrix, in order.
    #[serde(borrow)]
    Rule(RuleRecord<'a>),
    /// A list, in id order.
    List {
        /// Its tolerance.
        tolerance: Tolerance,
        /// A local list.
        local: bool,
        /// Its name, as the lists files and the rules of a policy file
        /// call it (version 3).
        name: &'a str,
        /// Its own evidence tolerance, [`ListSpec::evidence`] (version 6).
        evidence: Option<Tolerance>,
    },
    /// A list entry.
    Entry {
        /// Canonical plate.
        #[serde(borrow)]
        plate: &'a str,
        /// Country, or empty.
        country: &'a str,
        /// Priority 0–4.
        priority: u8,
        /// List id.
        list: u8,
        /// Valid from (ms), 0: no bound.
        valid_from: u64,
        /// Valid until (ms), 0: no bound.
        valid_until: u64,
    },
    /// A read as the camera reported it.
    Read {
        /// Event time (ms).
        time: u64,
        /// When the unit received it (ms).
        arrival: u64,
        /// Camera id.
        camera: &'a str,
        /// Raw plate bytes.
        plate: &'a [u8],
        /// Raw country bytes, or empty.
        country: &'a [u8],
        /// Confidence, 255 for none.
        confidence: u8,
        /// Position, degrees × 10⁷.
        position: Option<(i32, i32)>,
    },
    /// Last record.
    End,
    /// The unit's settings, right after the header.
    Config(ConfigRecord),
    /// First record of a delta ([`signed`](crate::signed)): the version
    /// it applies to, the one it makes, and the counts of the
    /// [`Record::Remove`] and [`Record::Entry`] records that follow, in
    /// that order.
    Delta {
        /// Version the delta applies to.
        base: u32,
        /// Version it makes.
        version: u32,
        /// Number of [`Record::Remove`] records.
        removes: u32,
        /// Number of added [`Record::Entry`] records.
        adds: u32,
    },
    /// An entry a delta removes, named by plate, country and list.
    Remove {
        /// Canonical plate.
        plate: &'a str,
        /// Country, or empty.
        country: &'a str,
        /// List id.
        list: u8,
    },
    /// A zone, schedule, operation, camera position or UTC offset the
    /// rules refer to ([`place`](crate::place)), in id order per kind.
    #[serde(borrow)]
    Place(PlaceRecord<'a>),
    /// The look-alike classes the lists are matched with, right after the
    /// settings (version 5), as [`ConfusionClasses::spelled`] writes them.
    Classes(&'a str),
}

/// The unit's settings in a bundle (see [`Config`] for each field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigRecord {
    /// Consensus (`true`) or first-read mode.
    pub consensus: bool,
    /// [`Config::passage_window_ms`].
    pub passage_window_ms: u32,
    /// [`Config::realert_window_ms`], P0 to P4.
    pub realert_window_ms: [u32; Priority::COUNT],
    /// [`Config::max_lateness_ms`].
    pub max_lateness_ms: u32,
    /// [`Config::max_future_ms`].
    pub max_future_ms: u32,
    /// [`Config::budgets`], P0 to P4: `(burst, per_hour)`.
    pub budgets: [Option<(u16, u16)>; Priority::COUNT],
    /// [`Config::lookalike_support`].
    pub lookalike_support: u16,
    /// [`Config::camera_grace_ms`] (version 5).
    pub camera_grace_ms: u32,
    /// [`Config::evidence`] (version 5).
    pub evidence: Tolerance,
    /// [`Config::unrelated_support`] (version 7).
    pub unrelated_support: u16,
    /// [`Config::evidence_changes`] (version 10).
    pub evidence_changes: u8,
}

impl From<&Config> for ConfigRecord {
    fn from(c: &Config) -> Self {
        Self {
            consensus: c.mode == Mode::Consensus,
            passage_window_ms: c.passage_window_ms,
            realert_window_ms: c.realert_window_ms,
            max_lateness_ms: c.max_lateness_ms,
            max_future_ms: c.max_future_ms,
            budgets: c.budgets.0.map(|b| b.map(|b| (b.burst, b.per_hour))),
            lookalike_support: c.lookalike_support,
            camera_grace_ms: c.camera_grace_ms,
            evidence: c.evidence,
            unrelated_support: c.unrelated_support,
            evidence_changes: c.evidence_changes,
        }
    }
}

impl From<&ConfigRecord> for Config {
    fn from(r: &ConfigRecord) -> Self {
        Self {
            mode: if r.consensus {
                Mode::Consensus
            } else {
                Mode::FirstRead
            },
            passage_window_ms: r.passage_window_ms,
            realert_window_ms: r.realert_window_ms,
            max_lateness_ms: r.max_lateness_ms,
            max_future_ms: r.max_future_ms,
            budgets: Budgets(
                r.budgets
                    .map(|b| b.map(|(burst, per_hour)| Budget { burst, per_hour })),
            ),
            lookalike_support: r.lookalike_support,
            camera_grace_ms: r.camera_grace_ms,
            evidence: r.evidence,
            unrelated_support: r.unrelated_support,
            evidence_changes: r.evidence_changes,
        }
    }
}

/// A rule of the decision matrix in a bundle (see [`Rule`] for each
/// field); the sets as bit masks ([`Set::bits`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRecord<'a> {
    /// The rule's name.
    pub name: &'a str,
    /// Priorities, bit `p` for priority `p`.
    pub priorities: u16,
    /// Lists, bit `i` for list `i`.
    pub lists: u16,
    /// [`Rule::also_local`].
    pub also_local: Option<bool>,
    /// Match kinds: bit 0 exact, 1 OCR-equivalent, 2 edit.
    pub kinds: u16,
    /// Camera patterns.
    #[serde(borrow)]
    pub cameras: heapless::Vec<&'a str, 4>,
    /// 0 drop, 1 review, 2 dispatch.
    pub action: u8,
    /// [`Rule::zones`] (version 4).
    pub zones: u64,
    /// [`Rule::schedules`].
    pub schedules: u16,
    /// [`Rule::operation`].
    pub operation: Option<u8>,
    /// [`Rule::max_reads`] (version 8).
    pub max_reads: Option<u8>,
    /// [`Rule::read_fits`] (version 9).
    pub read_fits: Option<bool>,
}

impl<'a> RuleRecord<'a> {
    /// The record of a rule.
    pub fn of(r: &'a Rule) -> Self {
        Self {
            name: r.name.as_str(),
            priorities: r.priorities.bits(),
            lists: r.lists.bits(),
            also_local: r.also_local,
            kinds: r.kinds.bits(),
            cameras: r.cameras.iter().map(|c| c.0.as_str()).collect(),
            action: match r.action {
                Action::Drop => 0,
                Action::Review => 1,
                Action::Dispatch => 2,
            },
            zones: r.zones,
            schedules: r.schedules,
            operation: r.operation,
            max_reads: r.max_reads,
            read_fits: r.read_fits,
        }
    }

    /// The rule, or `None` when a field is out of range.
    pub fn to_rule(&self) -> Option<Rule> {
        let action = match self.action {
            0 => Action::Drop,
            1 => Action::Review,
            2 => Action::Dispatch,
            _ => return None,
        };
        let mut rule = Rule::new("", action);
        rule.name.push_str(self.name).ok()?;
        rule.priorities = Set::from_bits(self.priorities)?;
        rule.lists = Set::from_bits(self.lists)?;
        rule.also_local = self.also_local;
        rule.kinds = Set::from_bits(self.kinds)?;
        rule.zones = self.zones;
        rule.schedules = self.schedules;
        rule.operation = self.operation;
        rule.max_reads = self.max_reads;
        rule.read_fits = self.read_fits;
        for c in &self.cameras {
            let mut p = heapless::String::new();
            p.push_str(c).ok()?;
            rule.cameras.push(CameraPattern(p)).ok()?;
        }
        Some(rule)
    }
}

impl<'a> Record<'a> {
    /// The entry record of a list entry.
    pub fn entry(e: &'a ListEntry) -> Self {
        Self::Entry {
            plate: e.plate.as_str(),
            country: e.country.as_ref().map_or("", |c| c.as_str()),
            priority: e.priority.get(),
            list: e.list.0,
            valid_from: e.valid_from.unwrap_or(0),
            valid_until: e.valid_until.unwrap_or(0),
        }
    }

    /// A [`Record::Entry`] as a list entry: `None` for another record,
    /// `Some(Err(field))` naming the field that is out of range.
    pub fn as_entry(&self) -> Option<Result<ListEntry, &'static str>> {
        let Self::Entry {
            plate,
            country,
            priority,
            list,
            valid_from,
            valid_until,
        } = *self
        else {
            return None;
        };
        Some((|| {
            let plate = Plate::normalize(plate.as_bytes()).map_err(|_| "plate")?;
            let country = match country {
                "" => None,
                c => Some(Country::parse(c.as_bytes()).map_err(|_| "country")?),
            };
            let priority = Priority::new(priority).ok_or("priority")?;
            let mut e = ListEntry::new(plate, country, priority, ListId(list));
            e.valid_from = (valid_from != 0).then_some(valid_from);
            e.valid_until = (valid_until != 0).then_some(valid_until);
            Ok(e)
        })())
    }

    /// The removal record of an entry.
    pub fn removal(e: &'a ListEntry) -> Self {
        Self::Remove {
            plate: e.plate.as_str(),
            country: e.country.as_ref().map_or("", |c| c.as_str()),
            list: e.list.0,
        }
    }

    /// A [`Record::Remove`] as the entry it names (priority 0, no
    /// validity window): `None` for another record, `Some(Err(field))`
    /// naming the field that is out of range.
    pub fn as_removal(&self) -> Option<Result<ListEntry, &'static str>> {
        let Self::Remove {
            plate,
            country,
            list,
        } = *self
        else {
            return None;
        };
        let entry = Self::Entry {
            plate,
            country,
            priority: 0,
            list,
            valid_from: 0,
            valid_until: 0,
        };
        entry.as_entry()
    }

    /// The list record of a spec and its name.
    pub fn list(spec: &ListSpec, name: &'a str) -> Self {
        Self::List {
            tolerance: spec.tolerance,
            local: spec.local,
            name,
            evidence: spec.evidence,
        }
    }

    /// The read record of a read.
    pub fn read(r: &Read<'a>, arrival: u64) -> Self {
        Self::Read {
            time: r.time,
            arrival,
            camera: r.camera,
            plate: r.plate,
            country: r.country.unwrap_or(&[]),
            confidence: r.confidence.unwrap_or(255),
            position: r.position.map(|p| (p.lat_e7, p.lon_e7)),
        }
    }

    /// A [`Record::Read`] as a read and its arrival time.
    pub fn as_read(&self) -> Option<(Read<'a>, u64)> {
        match *self {
            Self::Read {
                time,
                arrival,
                camera,
                plate,
                country,
                confidence,
                position,
            } => Some((
                Read {
                    time,
                    camera,
                    plate,
                    country: (!country.is_empty()).then_some(country),
                    confidence: (confidence != 255).then_some(confidence),
                    position: position.map(|(lat_e7, lon_e7)| Position { lat_e7, lon_e7 }),
                },
                arrival,
            )),
            _ => None,
        }
    }
}

/// Why a bundle could not be written or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum BundleError {
    /// The record does not fit the buffer.
    TooLong,
    /// A frame is not valid COBS or not a record.
    Corrupt,
    /// A rule names a zone, schedule or operation the bundle does not
    /// hold.
    Places,
}

impl core::fmt::Display for BundleError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::TooLong => "bundle record too long",
            Self::Corrupt => "corrupt bundle record",
            Self::Places => "a rule names a zone, schedule or operation the bundle does not hold",
        })
    }
}

impl core::error::Error for BundleError {}

/// Encodes one record as a frame into `buf`.
pub fn encode<'b>(rec: &Record<'_>, buf: &'b mut [u8]) -> Result<&'b mut [u8], BundleError> {
    postcard::to_slice_cobs(rec, buf).map_err(|_| BundleError::TooLong)
}

/// Writes the records that configure a unit: the header, the settings,
/// the look-alike classes the lists are matched with, the places, the
/// rules, the lists and the entries, each frame handed to `put`. A
/// bundle with reads follows them with its reads and [`Record::End`]; the
/// body of a signed image ([`signed`](crate::signed)) with
/// [`Record::End`] alone.
#[allow(clippy::too_many_arguments)] // one per part of a bundle, in its order
pub fn write_config<E: From<BundleError>>(
    list_version: u32,
    config: &Config,
    classes: &ConfusionClasses,
    places: &Places<'_>,
    policy: &Policy,
    lists: &[(&str, ListSpec)],
    entries: &[ListEntry],
    mut put: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), E> {
    let mut buf = [0u8; MAX_RECORD];
    // A rule naming a place the bundle does not hold would never apply.
    let (z, s, o) = (
        places.zones.len(),
        places.schedules.len(),
        places.operations.len(),
    );
    let beyond = |r: &Rule| {
        (z < 64 && r.zones >> z != 0)
            || (s < 16 && r.schedules >> s != 0)
            || r.operation.is_some_and(|i| usize::from(i) >= o)
    };
    if policy.rules.iter().any(beyond) {
        return Err(BundleError::Places.into());
    }
    let count = PlaceRecord::all(places).count();
    let mut put = |rec: &Record<'_>| -> Result<(), E> { put(encode(rec, &mut buf)?) };
    put(&Record::Header {
        bundle_version: BUNDLE_VERSION,
        list_version,
        rules: u8::try_from(policy.rules.len()).map_err(|_| BundleError::TooLong)?,
        lists: u8::try_from(lists.len()).map_err(|_| BundleError::TooLong)?,
        entries: u32::try_from(entries.len()).map_err(|_| BundleError::TooLong)?,
        places: u16::try_from(count).map_err(|_| BundleError::TooLong)?,
    })?;
    put(&Record::Config(ConfigRecord::from(config)))?;
    put(&Record::Classes(classes.spelled().as_str()))?;
    for p in PlaceRecord::all(places) {
        put(&Record::Place(p))?;
    }
    for r in &policy.rules {
        put(&Record::Rule(RuleRecord::of(r)))?;
    }
    for (name, spec) in lists {
        put(&Record::list(spec, name))?;
    }
    for e in entries {
        put(&Record::entry(e))?;
    }
    Ok(())
}

/// Writes the body of a delta from `base` to `version`: the delta record,
/// the removals, the added entries and the end, each frame handed to `put`.
pub fn write_delta<E: From<BundleError>>(
    base: u32,
    version: u32,
    removes: &[ListEntry],
    adds: &[ListEntry],
    mut put: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), E> {
    let mut buf = [0u8; MAX_RECORD];
    let mut put = |rec: &Record<'_>| -> Result<(), E> { put(encode(rec, &mut buf)?) };
    put(&Record::Delta {
        base,
        version,
        removes: u32::try_from(removes.len()).map_err(|_| BundleError::TooLong)?,
        adds: u32::try_from(adds.len()).map_err(|_| BundleError::TooLong)?,
    })?;
    for e in removes {
        put(&Record::removal(e))?;
    }
    for e in adds {
        put(&Record::entry(e))?;
    }
    put(&Record::End)
}

/// A byte source for [`Reader::next`] and [`load`] over bytes in memory,
/// at most `chunk` bytes a call (at least one): a bundle in flash or in a
/// host's buffer.
pub fn slice_source(
    mut bytes: &[u8],
    chunk: usize,
) -> impl FnMut(&mut [u8]) -> Result<usize, core::convert::Infallible> + '_ {
    let chunk = chunk.max(1);
    move |buf: &mut [u8]| {
        let k = bytes.len().min(buf.len()).min(chunk);
        let (now, rest) = bytes.split_at(k);
        if let Some(dst) = buf.get_mut(..k) {
            dst.copy_from_slice(now);
        }
        bytes = rest;
        Ok(k)
    }
}

/// Reads records out of a byte source chunk by chunk, into a fixed buffer.
///
/// ```
/// use hitgate_core::bundle::*;
/// let mut frames = [0u8; 64];
/// let n = encode(&Record::End, &mut frames).unwrap().len();
/// let mut src = &frames[..n];
/// let mut reader = Reader::<64>::new();
/// let rec = reader.next(|buf| { let k = src.len().min(buf.len()); buf[..k].copy_from_slice(&src[..k]); src = &src[k..]; Ok::<_, ()>(k) });
/// assert!(matches!(rec, Ok(Some(Record::End))));
/// ```
pub struct Reader<const N: usize> {
    buf: [u8; N],
    /// Bytes of `buf` holding data.
    filled: usize,
    /// Start of the next frame.
    start: usize,
}

impl<const N: usize> Default for Reader<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// A reader's failure: the source's error or a bad frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadFailure<E> {
    /// The byte source failed.
    Source(E),
    /// The bundle is damaged.
    Bundle(BundleError),
}

impl<E: core::fmt::Display> core::fmt::Display for ReadFailure<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Source(e) => write!(f, "cannot read the bundle: {e}"),
            Self::Bundle(e) => write!(f, "{e}"),
        }
    }
}

impl<E: core::fmt::Debug + core::fmt::Display> core::error::Error for ReadFailure<E> {}

/// Why [`load`] stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadError<E> {
    /// The source failed or a frame is damaged.
    Read(ReadFailure<E>),
    /// The header names another format version (the one it names).
    Version(u8),
    /// Another record, or the end, where this one was due.
    Expected(&'static str),
    /// An entry's field is out of range (the field).
    Entry(&'static str),
    /// A rule's field is out of range.
    Rule,
    /// More rules, lists or entries than the storage holds (which).
    Full(&'static str),
    /// The look-alike classes are not a partition of `A-Z0-9`.
    Classes(ClassError),
}

impl<E: core::fmt::Display> core::fmt::Display for LoadError<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Read(e) => write!(f, "{e}"),
            Self::Version(v) => write!(
                f,
                "bundle format version {v}; this build reads version {BUNDLE_VERSION}"
            ),
            Self::Expected(what) => write!(f, "bundle: expected {what}"),
            Self::Entry(field) => write!(f, "bundle: an entry's {field} is out of range"),
            Self::Rule => f.write_str("bundle: a rule's field is out of range"),
            Self::Full(what) => write!(f, "bundle: more {what} than the storage holds"),
            Self::Classes(e) => write!(f, "bundle: {e}"),
        }
    }
}

impl<E: core::fmt::Debug + core::fmt::Display> core::error::Error for LoadError<E> {}

impl<E> From<ReadFailure<E>> for LoadError<E> {
    fn from(e: ReadFailure<E>) -> Self {
        Self::Read(e)
    }
}

/// What [`load`] read besides the lists and the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    /// Version of the lists (give it to [`WatchlistBuilder::set_version`]
    /// if the watchlist should report it; `load` does).
    pub list_version: u32,
    /// The unit's settings.
    pub config: Config,
    /// Entries inserted.
    pub entries: u32,
}

/// Reads a bundle's header, settings, rules, lists and entries: rules are
/// pushed onto `policy` (more than its capacity: `LoadError::Full("rules")`),
/// lists and entries go into `lists` (its version set), ready for
/// [`WatchlistBuilder::build`]. The reads that follow, and
/// the end record, are the caller's to read with the same `reader`.
pub fn load<const N: usize, const R: usize, E>(
    reader: &mut Reader<N>,
    fill: impl FnMut(&mut [u8]) -> Result<usize, E>,
    lists: &mut WatchlistBuilder<'_>,
    policy: &mut Policy<R>,
) -> Result<Loaded, LoadError<E>> {
    load_with_places(reader, fill, lists, policy, &mut ())
}

/// [`load`], keeping the bundle's places in `places` (a [`PlaceBuf`]).
pub fn load_with_places<const N: usize, const R: usize, E>(
    reader: &mut Reader<N>,
    mut fill: impl FnMut(&mut [u8]) -> Result<usize, E>,
    lists: &mut WatchlistBuilder<'_>,
    policy: &mut Policy<R>,
    places: &mut dyn PlaceStore,
) -> Result<Loaded, LoadError<E>> {
    let (list_version, rules, list_count, entries, place_count) = match reader.next(&mut fill)? {
        Some(Record::Header {
            bundle_version: BUNDLE_VERSION,
            list_version,
            rules,
            lists,
            entries,
            places,
        }) => (list_version, rules, lists, entries, places),
        Some(Record::Header { bundle_version, .. }) => {
            return Err(LoadError::Version(bundle_version));
        }
        _ => return Err(LoadError::Expected("the header")),
    };
    let config = match reader.next(&mut fill)? {
        Some(Record::Config(c)) => Config::from(&c),
        _ => return Err(LoadError::Expected("the settings")),
    };
    match reader.next(&mut fill)? {
        Some(Record::Classes(spelled)) => {
            let classes = ConfusionClasses::parse(spelled).map_err(LoadError::Classes)?;
            if !lists.set_classes(classes) {
                return Err(LoadError::Full("entries before the classes"));
            }
        }
        _ => return Err(LoadError::Expected("the look-alike classes")),
    }
    for _ in 0..place_count {
        match reader.next(&mut fill)? {
            Some(Record::Place(p)) => places.put(&p).map_err(LoadError::Full)?,
            _ => return Err(LoadError::Expected("a place")),
        }
    }
    for _ in 0..rules {
        match reader.next(&mut fill)? {
            Some(Record::Rule(r)) => {
                let rule = r.to_rule().ok_or(LoadError::Rule)?;
                policy.push(rule).map_err(|_| LoadError::Full("rules"))?;
            }
            _ => return Err(LoadError::Expected("a rule")),
        }
    }
    for _ in 0..list_count {
        match reader.next(&mut fill)? {
            Some(Record::List {
                tolerance,
                local,
                evidence,
                ..
            }) => {
                lists
                    .add_list(ListSpec {
                        tolerance,
                        local,
                        evidence,
                    })
                    .map_err(|e| match e {
                        ListError::TooManyLists => LoadError::Full("lists"),
                        _ => LoadError::Expected("a tolerance of at most 2"),
                    })?;
            }
            _ => return Err(LoadError::Expected("a list")),
        }
    }
    for _ in 0..entries {
        let rec = reader.next(&mut fill)?;
        let entry = match rec.as_ref().and_then(Record::as_entry) {
            Some(e) => e.map_err(LoadError::Entry)?,
            None => return Err(LoadError::Expected("an entry")),
        };
        lists.insert(entry).map_err(|e| match e {
            InsertError::Full(_) => LoadError::Full("entries"),
            InsertError::UnknownList(_) => LoadError::Entry("list"),
            _ => LoadError::Entry("validity window"),
        })?;
    }
    lists.set_version(list_version);
    Ok(Loaded {
        list_version,
        config,
        entries,
    })
}

impl<const N: usize> Reader<N> {
    /// An empty reader.
    pub const fn new() -> Self {
        Self {
            buf: [0; N],
            filled: 0,
            start: 0,
        }
    }

    /// The next record, `None` at the end of the source. `fill` copies bytes
    /// into the slice it gets and returns how many (0 at the end).
    pub fn next<E>(
        &mut self,
        mut fill: impl FnMut(&mut [u8]) -> Result<usize, E>,
    ) -> Result<Option<Record<'_>>, ReadFailure<E>> {
        // The frames returned before (a read's plate among them) are
        // zeroed now that their borrow has ended: a read that hit nothing
        // leaves no copy in this buffer after the call that examined it.
        self.buf[..self.start].fill(0);
        loop {
            if let Some(end) = self.buf[self.start..self.filled]
                .iter()
                .position(|&b| b == 0)
            {
                let (from, to) = (self.start, self.start + end + 1);
                self.start = to;
                let frame = &mut self.buf[from..to];
                return postcard::from_bytes_cobs(frame)
                    .map(Some)
                    .map_err(|_| ReadFailure::Bundle(BundleError::Corrupt));
            }
            // Move the partial frame to the front, zero where it was, and
            // read more.
            self.buf.copy_within(self.start..self.filled, 0);
            let moved = self.filled - self.start;
            self.buf[moved..self.filled].fill(0);
            self.filled = moved;
            self.start = 0;
            if self.filled == N {
                return Err(ReadFailure::Bundle(BundleError::TooLong));
            }
            let n = fill(&mut self.buf[self.filled..]).map_err(ReadFailure::Source)?;
            if n == 0 {
                return if self.filled == 0 {
                    Ok(None)
                } else {
                    Err(ReadFailure::Bundle(BundleError::Corrupt))
                };
            }
            self.filled += n.min(N - self.filled);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
