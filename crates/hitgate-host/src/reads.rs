//! Read streams: JSON Lines or CSV with the same column names, optionally
//! gzip-compressed, read one line at a time.
//!
//! Columns: `ts` (RFC 3339, an offset applied, or Unix seconds or ms), `camera`, `plate`, and optional `country`,
//! `confidence` (0–100, or -1 for unknown), `lat` and `lon` (together),
//! `arrival` (RFC 3339: when the unit received the read). Unknown columns
//! are ignored. Times lie in the years 2000 to 2099. Every line is at most
//! [`MAX_LINE`] bytes; a CSV record is one line.

use std::borrow::Cow;
use std::path::Path;

use anyhow::{Result, bail};
use hitgate_core::place::Offsets;
use serde::{Deserialize, Serialize};

use crate::input::{CsvSplitter, Header, Input, MAX_LINE, trim_line};
use crate::time::parse_written;

/// The two formats of a read stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object a line.
    JsonLines,
    /// A header line of column names, then one read a line.
    Csv,
}

impl Format {
    /// By the name: `.csv` (or `.csv.gz`) is CSV, `.jsonl`, `.json` or
    /// `.ndjson` (or with `.gz`) JSON Lines; anything else (`-`, a FIFO,
    /// `/dev/stdin`) by its first byte that is not white space: `{` is JSON
    /// Lines, anything else CSV.
    fn of(path: &Path, input: &mut Input) -> Result<Self> {
        let name = path.to_string_lossy();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        if name.ends_with(".csv") {
            return Ok(Self::Csv);
        }
        if [".jsonl", ".json", ".ndjson"]
            .iter()
            .any(|e| name.ends_with(e))
        {
            return Ok(Self::JsonLines);
        }
        Ok(match input.first_byte()? {
            Some(b'{') | None => Self::JsonLines,
            Some(_) => Self::Csv,
        })
    }
}

/// An opened read stream: `path` may be `-` for standard input.
pub struct ReadStream {
    /// The input.
    pub input: Input,
    /// Its format.
    pub format: Format,
    /// How a time written without a UTC offset is read: `None` as UTC,
    /// else as local time on these offsets (the policy's `[time]`).
    pub local: Option<Offsets>,
}

impl ReadStream {
    /// Opens the stream once, and decides its format. Times without an
    /// offset are read as UTC.
    pub fn open(path: &Path) -> Result<Self> {
        let mut input = Input::open(path)?;
        let format = Format::of(path, &mut input)?;
        Ok(Self {
            input,
            format,
            local: None,
        })
    }

    /// Reads the times written without an offset as `naive` says (`None`:
    /// UTC, unstated), local time on `offsets` (the policy's `[time]`).
    /// Local time with no offsets is refused: it would be UTC.
    pub fn naive_times(mut self, naive: Option<NaiveTimes>, offsets: &Offsets) -> Result<Self> {
        self.local = local_offsets(naive, offsets)?.cloned();
        Ok(self)
    }
}

/// The offsets a time written without one is read on, as `naive` says:
/// `None` for UTC (`naive` unset or `utc`); local time with no offsets is
/// refused, since it would be UTC.
pub fn local_offsets(naive: Option<NaiveTimes>, offsets: &Offsets) -> Result<Option<&Offsets>> {
    if naive != Some(NaiveTimes::Local) {
        return Ok(None);
    }
    if offsets.iter().next().is_none() {
        bail!(
            "--naive-times local: the policy has no [time] offsets, so its local time is UTC; \
             give them (docs/formats.md, \"Where and when\") or use --naive-times utc"
        );
    }
    Ok(Some(offsets))
}

/// How a time written without a UTC offset (`2026-01-05 08:00:00`) is
/// read: the text does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum NaiveTimes {
    /// As UTC.
    Utc,
    /// As local time, on the policy's `[time]` offsets (summer time
    /// included; the first of the two in the hour the clocks go back).
    Local,
}

/// The other names each column goes by in camera systems' exports. They
/// match, as the own names do, whatever their case and separators (`Plate
/// Number`, `plate_number`, `plateNumber`, `PLATE`), in CSV and JSON
/// Lines alike. A column's own name comes first: a file that has it reads
/// it, whatever other names it has too (a recording converted for hitgate
/// that kept its original columns). Two other names of one column,
/// without its own, are refused.
pub const ALIASES: [(&str, &[&str]); 8] = [
    ("ts", &["timestamp", "datetime", "event_time"]),
    ("camera", &["camera_id", "camera_name"]),
    (
        "plate",
        &["plate_number", "licence_plate", "license_plate", "vrm"],
    ),
    ("country", &["country_code", "nationality"]),
    ("confidence", &["plate_confidence"]),
    ("lat", &["latitude"]),
    ("lon", &["longitude", "lng"]),
    ("arrival", &["arrival_time"]),
];

/// The other names of column `name` ([`ALIASES`]).
pub fn aliases(name: &str) -> &'static [&'static str] {
    ALIASES
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(&[], |(_, a)| a)
}

/// One read line, borrowed from the input where possible. In JSON by the
/// fields' own names here; a file that uses their other names
/// ([`ALIASES`]) is read through a second form.
#[derive(Debug, Deserialize)]
pub struct RawRead<'a> {
    /// Event time.
    #[serde(borrow, deserialize_with = "field::ts")]
    pub ts: Cow<'a, str>,
    /// Camera id.
    #[serde(borrow, deserialize_with = "field::camera")]
    pub camera: Cow<'a, str>,
    /// Plate as read.
    #[serde(borrow, deserialize_with = "field::plate")]
    pub plate: Cow<'a, str>,
    /// Country code.
    #[serde(default, borrow, deserialize_with = "field::country")]
    pub country: Option<Cow<'a, str>>,
    /// Confidence 0–100, or -1 for unknown.
    #[serde(default, deserialize_with = "field::confidence")]
    pub confidence: Option<f64>,
    /// Latitude.
    #[serde(default, deserialize_with = "field::lat")]
    pub lat: Option<f64>,
    /// Longitude.
    #[serde(default, deserialize_with = "field::lon")]
    pub lon: Option<f64>,
    /// When the unit received it.
    #[serde(default, borrow, deserialize_with = "field::arrival")]
    pub arrival: Option<Cow<'a, str>>,
}

/// A JSON read line by every name of its fields, matched as CSV's are
/// (whatever their case and separators, [`ALIASES`] included), each
/// field's own name first; and whether a field was taken by a key other
/// than its own name as written.
struct Aliased<'a> {
    /// The read.
    read: RawRead<'a>,
    /// A field was taken by another key (its own name was not there).
    other_names: bool,
}

impl<'de: 'a, 'a> Deserialize<'de> for Aliased<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ReadVisitor(std::marker::PhantomData))
    }
}

/// Which names the fields of a JSON Lines file go by, as its first read
/// shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonNames {
    /// No read yet.
    Unknown,
    /// Their own names: read as before other names were known (and as
    /// fast); a line that lacks a required one is read by every name.
    Own,
    /// Other names too: every line is read by every name.
    Other,
}

/// One JSON read line, by the names `names` says the file uses (the
/// first read decides).
fn parse_json<'a>(text: &'a [u8], names: &mut JsonNames) -> Result<RawRead<'a>, serde_json::Error> {
    if *names != JsonNames::Other {
        let own = serde_json::from_slice::<RawRead<'_>>(text);
        match &own {
            Ok(_) if *names == JsonNames::Unknown => {
                *names = JsonNames::Own;
                if let Ok(a) = serde_json::from_slice::<Aliased<'_>>(text)
                    && a.other_names
                {
                    *names = JsonNames::Other;
                    return Ok(a.read);
                }
                return own;
            }
            Err(e) if e.to_string().starts_with("missing field `") => {}
            _ => return own,
        }
    }
    let a = serde_json::from_slice::<Aliased<'_>>(text)?;
    if a.other_names {
        *names = JsonNames::Other;
    }
    Ok(a.read)
}

/// The field a JSON key names, by [`ALIASES`]' order, and whether the key
/// is its own name as written.
fn field_of(key: &str) -> Option<(usize, bool)> {
    /// Every name of every field, folded, with the field's index.
    static FOLDED: std::sync::LazyLock<Vec<(usize, Vec<u8>)>> = std::sync::LazyLock::new(|| {
        ALIASES
            .iter()
            .enumerate()
            .flat_map(|(i, (own, others))| {
                std::iter::once(own)
                    .chain(others.iter())
                    .map(move |n| (i, crate::input::fold(n.as_bytes())))
            })
            .collect()
    });
    if let Some(i) = ALIASES.iter().position(|(own, _)| *own == key) {
        return Some((i, true));
    }
    FOLDED
        .iter()
        .find(|(_, name)| crate::input::folded(key.as_bytes()).eq(name.iter().copied()))
        .map(|&(i, _)| (i, false))
}

/// A field's value: text (`ts`, `camera`, `plate`, `country`, `arrival`)
/// or a number, each read as its own name reads it.
enum Value<'a> {
    Text(Option<Cow<'a, str>>),
    Number(Option<f64>),
}

/// Reads the value of field `i` (by [`ALIASES`]' order).
struct FieldSeed(usize);

impl<'de> serde::de::DeserializeSeed<'de> for FieldSeed {
    type Value = Value<'de>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Ok(match ALIASES.get(self.0).map(|(own, _)| *own) {
            Some("ts") => Value::Text(field::ts(d).map(Some)?),
            Some("camera") => Value::Text(field::camera(d).map(Some)?),
            Some("plate") => Value::Text(field::plate(d).map(Some)?),
            Some("country") => Value::Text(field::country(d)?),
            Some("arrival") => Value::Text(field::arrival(d)?),
            Some("confidence") => Value::Number(field::confidence(d)?),
            Some("lat") => Value::Number(field::lat(d)?),
            _ => Value::Number(field::lon(d)?),
        })
    }
}

/// A key, borrowed from the line unless it holds an escape.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Reads the object key by key into a slot a field and kind of name (its
/// own, another), then takes each field by its own name, else by another:
/// inside the map, so that an error still says where in the line it is.
struct ReadVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> serde::de::Visitor<'de> for ReadVisitor<'a> {
    type Value = Aliased<'a>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object of one read")
    }

    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        use serde::de::Error as _;
        // [field][0: its own name, 1: another]
        let mut slots: [[Option<Value<'a>>; 2]; ALIASES.len()] = Default::default();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let Some((i, own)) = field_of(&key) else {
                map.next_value::<serde::de::IgnoredAny>()?;
                continue;
            };
            let slot = &mut slots[i][usize::from(!own)];
            if slot.is_some() {
                return Err(M::Error::custom(format_args!(
                    "duplicate field `{}` (again as `{key}`)",
                    ALIASES[i].0
                )));
            }
            *slot = Some(map.next_value_seed(FieldSeed(i))?);
        }
        let mut other_names = false;
        let mut take = |i: usize| {
            let [own, other] = std::mem::take(&mut slots[i]);
            other_names |= own.is_none() && other.is_some();
            own.or(other)
        };
        let mut text = |i: usize| match take(i) {
            Some(Value::Text(t)) => t,
            _ => None,
        };
        let need = |v: Option<Cow<'a, str>>, i: usize| {
            v.ok_or_else(|| M::Error::custom(format_args!("missing field `{}`", ALIASES[i].0)))
        };
        let (ts, camera, plate) = (need(text(0), 0)?, need(text(1), 1)?, need(text(2), 2)?);
        let (country, arrival) = (text(3), text(7));
        let mut number = |i: usize| match take(i) {
            Some(Value::Number(n)) => n,
            _ => None,
        };
        Ok(Aliased {
            read: RawRead {
                ts,
                camera,
                plate,
                country,
                arrival,
                confidence: number(4),
                lat: number(5),
                lon: number(6),
            },
            other_names,
        })
    }
}

/// A parsed read line: times in ms.
#[derive(Debug)]
pub struct Line<'a> {
    /// The fields.
    pub raw: RawRead<'a>,
    /// Event time, ms.
    pub time: u64,
    /// Arrival time, ms.
    pub arrival: Option<u64>,
    /// Confidence, if given and within 0–100 (else the core rejects it as
    /// 101); -1 is unknown.
    pub confidence: Option<u8>,
    /// Position, when both `lat` and `lon` are given.
    pub position: Option<hitgate_core::read::Position>,
    /// The event time was written without a UTC offset.
    pub naive: bool,
}

impl Line<'_> {
    /// The read as the core takes it.
    pub fn read(&self) -> hitgate_core::read::Read<'_> {
        hitgate_core::read::Read {
            time: self.time,
            camera: &self.raw.camera,
            plate: self.raw.plate.as_bytes(),
            country: self.raw.country.as_deref().map(str::as_bytes),
            confidence: self.confidence,
            position: self.position,
        }
    }
}

/// A read held back by the arrival clock: an owned copy of its line.
#[derive(Debug, Clone)]
struct OwnedRead {
    line: u64,
    time: u64,
    camera: String,
    plate: String,
    country: Option<String>,
    confidence: Option<u8>,
    position: Option<hitgate_core::read::Position>,
}

impl OwnedRead {
    fn of(line: u64, l: &Line<'_>) -> Self {
        Self {
            line,
            time: l.time,
            camera: l.raw.camera.to_string(),
            plate: l.raw.plate.to_string(),
            country: l.raw.country.as_deref().map(str::to_string),
            confidence: l.confidence,
            position: l.position,
        }
    }

    fn read(&self) -> hitgate_core::read::Read<'_> {
        hitgate_core::read::Read {
            time: self.time,
            camera: &self.camera,
            plate: self.plate.as_bytes(),
            country: self.country.as_deref().map(str::as_bytes),
            confidence: self.confidence,
            position: self.position,
        }
    }
}

/// Reads a line without an arrival time may wait for (see
/// [`hitgate_core::arrival`]): a camera alone for this many reads in a row
/// after a jump is taken as the only one awake.
pub const HELD_READS: usize = 64;

/// Calls `f` with each read as the unit receives it: its line number, the
/// read and its arrival time (or the line's error), and the bytes read so
/// far. A line with an `arrival` time arrives then; a line without one
/// arrives at the time [`ArrivalClock`](hitgate_core::arrival::ArrivalClock) derives
/// from the cameras' progress, with `tolerance` the unit's `max_future_ms`:
/// a read that jumps ahead may be held back until a later read settles it,
/// so reads may reach `f` a little out of line order, each with its own
/// line number.
pub fn for_each_arrival(
    stream: ReadStream,
    tolerance: u32,
    mut f: impl FnMut(u64, Result<(hitgate_core::read::Read<'_>, u64), String>, u64) -> Result<()>,
) -> Result<StreamStats> {
    let mut slots: Vec<Option<hitgate_core::arrival::Held<OwnedRead>>> =
        (0..HELD_READS).map(|_| None).collect();
    let mut clock = hitgate_core::arrival::ArrivalClock::new(tolerance, &mut slots);
    let mut released: Vec<(OwnedRead, u64)> = Vec::new();
    let mut last_bytes = 0;
    let stats = for_each(stream, |line, parsed, bytes| {
        last_bytes = bytes;
        let l = match parsed {
            Ok(l) => l,
            Err(e) => return f(line, Err(e), bytes),
        };
        let mut out = |o: OwnedRead, t: u64| released.push((o, t));
        let at = match (l.arrival, hitgate_core::read::CameraId::new(&l.raw.camera)) {
            (Some(a), _) => Some(clock.stamped(a, &mut out)),
            // A bad camera id: the unit refuses the read whenever it comes.
            (None, Err(_)) => Some(clock.now().unwrap_or(l.time)),
            (None, Ok(cam)) => match clock.step(&cam, l.time, || OwnedRead::of(line, &l), &mut out)
            {
                hitgate_core::arrival::Arrival::At(t) => Some(t),
                hitgate_core::arrival::Arrival::Held => None,
            },
        };
        for (o, t) in released.drain(..) {
            f(o.line, Ok((o.read(), t)), bytes)?;
        }
        match at {
            Some(t) => f(line, Ok((l.read(), t)), bytes),
            None => Ok(()),
        }
    })?;
    clock.finish(&mut |o, t| released.push((o, t)));
    for (o, t) in released.drain(..) {
        f(o.line, Ok((o.read(), t)), last_bytes)?;
    }
    Ok(stats)
}

/// What a pass over a read stream noticed beyond its lines' errors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Reads whose confidence lies strictly between 0 and 1 (`0.93`): the
    /// camera likely writes 0–1 where hitgate reads 0–100, so such a read
    /// weighs as 0 or 1 in a passage's vote.
    pub confidence_fractions: u64,
    /// Reads whose event time was written without a UTC offset, read as
    /// [`ReadStream::local`] says.
    pub times_without_offset: u64,
}

/// The earliest event or arrival time a read may carry: 2000-01-01T00:00:00Z.
pub const EARLIEST_TS: u64 = 946_684_800_000;
/// The first time a read may no longer carry: 2100-01-01T00:00:00Z. A
/// camera never reports a time outside these bounds in service; a
/// placeholder such as `9999-12-31T23:59:59Z` is a bad line.
pub const END_TS: u64 = 4_102_444_800_000;

/// A time of a read, in ms since the epoch, and whether it was written
/// without an offset (then UTC, or local time on `local`).
fn check_ts(field: &str, s: &str, local: Option<&Offsets>) -> Result<(u64, bool), String> {
    let (clock, offset) = parse_written(s).map_err(|e| format!("{field}: {e}"))?;
    match crate::time::instant(clock, offset, local) {
        Some(t) if (EARLIEST_TS..END_TS).contains(&t) => Ok((t, offset.is_none())),
        _ => Err(format!("{field}: outside the years 2000 to 2099")),
    }
}

fn finish<'a>(raw: RawRead<'a>, local: Option<&Offsets>) -> Result<Line<'a>, String> {
    let (time, naive) = check_ts("ts", &raw.ts, local)?;
    let arrival = match raw.arrival.as_deref() {
        None | Some("") => None,
        Some(a) => Some(check_ts("arrival", a, local)?.0),
    };
    // -1 is how many engines say "unknown". Anything else outside 0–100
    // goes to the core as 101, which rejects and counts it.
    let confidence = match raw.confidence {
        None => None,
        Some(-1.0) => None,
        Some(c) if (0.0..=100.0).contains(&c) => Some(c.round() as u8),
        Some(_) => Some(101),
    };
    let position = match (raw.lat, raw.lon) {
        (None, None) => None,
        (Some(lat), Some(lon)) => {
            if !(-90.0..=90.0).contains(&lat) {
                return Err("lat: outside -90 to 90".into());
            }
            if !(-180.0..=180.0).contains(&lon) {
                return Err("lon: outside -180 to 180".into());
            }
            hitgate_core::read::Position::from_degrees(lat, lon)
        }
        (Some(_), None) => return Err("lat without lon".into()),
        (None, Some(_)) => return Err("lon without lat".into()),
    };
    Ok(Line {
        raw,
        time,
        arrival,
        confidence,
        position,
        naive,
    })
}

/// Calls `f` with each line's number (from 1), its parse result and the
/// bytes read so far (of the stream as read, decompressed). Stops early when
/// `f` returns an error. Every line but blank ones reaches `f`, as a read or
/// as an error: an error names the field and the fault, never a value, so
/// no plate of a read that matched nothing reaches a report through it. An
/// I/O error (a truncated gzip stream) is an error of the whole stream.
pub fn for_each(
    stream: ReadStream,
    mut f: impl FnMut(u64, Result<Line<'_>, String>, u64) -> Result<()>,
) -> Result<StreamStats> {
    let mut stats = StreamStats::default();
    let ReadStream {
        mut input,
        format,
        local,
    } = stream;
    let local = local.as_ref();
    let mut json_names = JsonNames::Unknown;
    let mut first_json = true;
    let mut buf = Vec::with_capacity(512);
    let mut line = 0u64;
    let mut bytes = 0u64;
    let mut csv: Option<(CsvSplitter, Columns)> = None;
    loop {
        let (n, whole) = input.next_line(&mut buf, line)?;
        if n == 0 {
            break;
        }
        line += 1;
        bytes += n;
        let text = trim_line(&buf);
        if format == Format::Csv && csv.is_none() && !(whole && text.is_empty()) {
            // The header: the first line that is not blank, as in lists.
            if !whole {
                bail!("{}:{line}: header longer than {MAX_LINE} bytes", input.name);
            }
            let mut split = CsvSplitter::for_header(text);
            split
                .split(text)
                .map_err(|e| anyhow::anyhow!("{}:{line}: header: {e}", input.name))?;
            let cols =
                Columns::of(&split).map_err(|e| anyhow::anyhow!("{}:{line}: {e}", input.name))?;
            csv = Some((split, cols));
            continue;
        }
        if !whole {
            f(
                line,
                Err(format!("line longer than {MAX_LINE} bytes ({n} bytes)")),
                bytes,
            )?;
            continue;
        }
        if text.is_empty() {
            continue;
        }
        if format == Format::JsonLines && std::mem::take(&mut first_json) {
            // A JSON document rather than JSON Lines, as its first line
            // shows: read line by line, every line would be a bad line
            // that says nothing of why.
            let text = text.trim_ascii_start();
            if text.starts_with(b"[") {
                bail!(
                    "{}:{line}: a JSON array; hitgate reads JSON Lines, one read an object a \
                     line: convert it, for example `jq -c '.[]'`",
                    input.name
                );
            }
            if text == b"{" {
                bail!(
                    "{}:{line}: JSON spread over several lines; hitgate reads JSON Lines, one \
                     read an object a line: convert it, for example `jq -c .`",
                    input.name
                );
            }
        }
        let parsed = match csv.as_mut() {
            Some((split, cols)) => match split.split(text) {
                Ok(()) => cols.read(split).and_then(|r| finish(r, local)),
                Err(e) => Err(e.to_string()),
            },
            None => parse_json(text, &mut json_names)
                .map_err(|e| json_error(&e))
                .and_then(|r| finish(r, local)),
        };
        if let Ok(l) = &parsed {
            stats.confidence_fractions +=
                u64::from(l.raw.confidence.is_some_and(|c| c > 0.0 && c < 1.0));
            stats.times_without_offset += u64::from(l.naive);
        }
        f(line, parsed, bytes)?;
    }
    Ok(stats)
}

/// A JSON error's text without any value from the line: syntax errors and
/// the field errors below name no value; serde's own type errors (a line
/// that is a bare number or string) do, and are replaced.
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let msg = text
        .strip_suffix(&format!(" at line {} column {}", e.line(), e.column()))
        .unwrap_or(&text);
    let msg = match e.classify() {
        serde_json::error::Category::Data
            if !(msg.starts_with("missing field `")
                || msg.starts_with("duplicate field `")
                || field::NAMES.iter().any(|n| {
                    msg.strip_prefix(n)
                        .is_some_and(|rest| rest.starts_with(": "))
                })) =>
        {
            "a line must be a JSON object of one read"
        }
        _ => msg,
    };
    format!("{msg} (column {})", e.column())
}

/// Column positions of a CSV read stream, from its header.
struct Columns {
    ts: usize,
    camera: usize,
    plate: usize,
    country: Option<usize>,
    confidence: Option<usize>,
    lat: Option<usize>,
    lon: Option<usize>,
    arrival: Option<usize>,
}

impl Columns {
    fn of(split: &CsvSplitter) -> Result<Self, String> {
        let h = Header::of(split)?;
        let need = |name: &str| h.need(name, aliases(name));
        let find = |name: &str| h.find(name, aliases(name));
        Ok(Self {
            ts: need("ts")?,
            camera: need("camera")?,
            plate: need("plate")?,
            country: find("country")?,
            confidence: find("confidence")?,
            lat: find("lat")?,
            lon: find("lon")?,
            arrival: find("arrival")?,
        })
    }

    fn read<'a>(&self, s: &'a CsvSplitter) -> Result<RawRead<'a>, String> {
        let text = |name: &str, i: usize| -> Result<Cow<'a, str>, String> {
            std::str::from_utf8(s.field(i))
                .map(Cow::Borrowed)
                .map_err(|_| format!("{name}: not UTF-8"))
        };
        let opt_text = |name: &str, i: Option<usize>| -> Result<Option<Cow<'a, str>>, String> {
            match i {
                Some(i) if !s.field(i).is_empty() => text(name, i).map(Some),
                _ => Ok(None),
            }
        };
        // Split at `;`, the comma is the decimal mark (`50,8503`).
        let decimal_comma = s.delimiter() == b';';
        let number = |name: &str, i: Option<usize>| -> Result<Option<f64>, String> {
            match i.map(|i| s.field(i)) {
                None | Some(b"") => Ok(None),
                Some(f) => std::str::from_utf8(f)
                    .ok()
                    .and_then(|t| match t.split_once(',') {
                        Some((whole, frac)) if decimal_comma => {
                            format!("{whole}.{frac}").parse::<f64>().ok()
                        }
                        _ => t.parse::<f64>().ok(),
                    })
                    .filter(|x| x.is_finite())
                    .map(Some)
                    .ok_or_else(|| format!("{name}: not a number")),
            }
        };
        Ok(RawRead {
            ts: text("ts", self.ts)?,
            camera: text("camera", self.camera)?,
            plate: text("plate", self.plate)?,
            country: opt_text("country", self.country)?,
            confidence: number("confidence", self.confidence)?,
            lat: number("lat", self.lat)?,
            lon: number("lon", self.lon)?,
            arrival: opt_text("arrival", self.arrival)?,
        })
    }
}

/// Deserializers for the fields of a JSON read whose errors name the field
/// and the fault, never the value (serde's own errors quote it).
mod field {
    use std::borrow::Cow;
    use std::fmt;

    use serde::Deserializer;
    use serde::de::{Error, Visitor};

    /// Every field name, as the errors start.
    pub(super) const NAMES: [&str; 8] = [
        "ts",
        "camera",
        "plate",
        "country",
        "confidence",
        "lat",
        "lon",
        "arrival",
    ];

    /// Accepts what `T` wants; any other JSON value is "{name}: expected
    /// {what}", without the value.
    struct Only<T> {
        name: &'static str,
        what: &'static str,
        _t: std::marker::PhantomData<T>,
    }

    impl<T> Only<T> {
        fn fail<E: Error, X>(&self) -> Result<X, E> {
            Err(E::custom(format_args!(
                "{}: expected {}",
                self.name, self.what
            )))
        }
    }

    macro_rules! refuse_others {
        ($($m:ident($t:ty)),*) => {$(
            fn $m<E: Error>(self, _: $t) -> Result<Self::Value, E> { self.fail() }
        )*};
    }

    impl<'de> Visitor<'de> for Only<f64> {
        type Value = Option<f64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.what)
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }
        fn visit_f64<E: Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        /// A number in a string (`"87"`), as some exports write every
        /// field and as CSV always does; `""` is none.
        fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.trim() {
                "" => Ok(None),
                t => match t.parse::<f64>() {
                    Ok(x) if x.is_finite() => Ok(Some(x)),
                    _ => self.fail(),
                },
            }
        }
        refuse_others!(visit_bool(bool), visit_bytes(&[u8]));
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            self.fail()
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            self.fail()
        }
    }

    fn only<T>(name: &'static str, what: &'static str) -> Only<T> {
        Only {
            name,
            what,
            _t: std::marker::PhantomData,
        }
    }

    fn text<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
    ) -> Result<Cow<'de, str>, D::Error> {
        digits(d, name, "a string", Numbers::Refused)?
            .ok_or_else(|| D::Error::custom(format_args!("{name}: expected a string")))
    }

    fn opt_text<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
    ) -> Result<Option<Cow<'de, str>>, D::Error> {
        digits(d, name, "a string or null", Numbers::Refused)
    }

    fn number<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
    ) -> Result<Option<f64>, D::Error> {
        d.deserialize_any(only::<f64>(name, "a number or null"))
    }

    // serde gives `deserialize_with` no field name: one function a field.
    /// Which numbers a text field takes, as the text of their digits.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Numbers {
        /// None: a plate, a country.
        Refused,
        /// Whole numbers: a camera numbered rather than named (`12`).
        Whole,
        /// Any: a time in Unix seconds or milliseconds (`1767600000.155`;
        /// [`crate::time::parse_event_ts`] reads it).
        Any,
    }

    /// A text field: a string, null (none), or the numbers `numbers`
    /// lets through as their digits; any other JSON value is "{name}:
    /// expected {what}", without the value.
    struct Digits {
        name: &'static str,
        what: &'static str,
        numbers: Numbers,
    }

    impl Digits {
        fn fail<E: Error, X>(&self) -> Result<X, E> {
            Err(E::custom(format_args!(
                "{}: expected {}",
                self.name, self.what
            )))
        }

        fn number<E: Error>(
            self,
            whole: bool,
            text: impl FnOnce() -> String,
        ) -> Result<Option<Cow<'static, str>>, E> {
            match self.numbers {
                Numbers::Any => Ok(Some(Cow::Owned(text()))),
                Numbers::Whole if whole => Ok(Some(Cow::Owned(text()))),
                _ => self.fail(),
            }
        }
    }

    impl<'de> Visitor<'de> for Digits {
        type Value = Option<Cow<'de, str>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.what)
        }
        fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }
        fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_owned())))
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
            self.number(true, || v.to_string())
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
            self.number(true, || v.to_string())
        }
        fn visit_f64<E: Error>(self, v: f64) -> Result<Self::Value, E> {
            self.number(false, || v.to_string())
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        refuse_others!(visit_bool(bool), visit_bytes(&[u8]));
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            self.fail()
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            self.fail()
        }
    }

    fn digits<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
        what: &'static str,
        numbers: Numbers,
    ) -> Result<Option<Cow<'de, str>>, D::Error> {
        d.deserialize_any(Digits {
            name,
            what,
            numbers,
        })
    }

    pub(super) fn ts<'de, D: Deserializer<'de>>(d: D) -> Result<Cow<'de, str>, D::Error> {
        const WHAT: &str = "a string or a number";
        digits(d, "ts", WHAT, Numbers::Any)?
            .ok_or_else(|| D::Error::custom(format_args!("ts: expected {WHAT}")))
    }
    /// A camera id, or a whole number for one (`12` is `"12"`): systems
    /// that number their cameras write them so.
    pub(super) fn camera<'de, D: Deserializer<'de>>(d: D) -> Result<Cow<'de, str>, D::Error> {
        const WHAT: &str = "a string or a whole number";
        digits(d, "camera", WHAT, Numbers::Whole)?
            .ok_or_else(|| D::Error::custom(format_args!("camera: expected {WHAT}")))
    }
    pub(super) fn plate<'de, D: Deserializer<'de>>(d: D) -> Result<Cow<'de, str>, D::Error> {
        text(d, "plate")
    }

    pub(super) fn country<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Cow<'de, str>>, D::Error> {
        opt_text(d, "country")
    }
    pub(super) fn arrival<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Cow<'de, str>>, D::Error> {
        digits(d, "arrival", "a string, a number or null", Numbers::Any)
    }
    pub(super) fn confidence<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        number(d, "confidence")
    }
    pub(super) fn lat<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        number(d, "lat")
    }
    pub(super) fn lon<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        number(d, "lon")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `snake_case` in camel case: `event_time` is `eventTime`.
    fn camel(name: &str) -> String {
        let mut out = String::new();
        let mut up = false;
        for c in name.chars() {
            match c {
                '_' => up = true,
                c if up => {
                    out.push(c.to_ascii_uppercase());
                    up = false;
                }
                c => out.push(c),
            }
        }
        out
    }

    /// Field `name` of a read, as text.
    fn value(r: &RawRead<'_>, name: &str) -> String {
        match name {
            "ts" => r.ts.to_string(),
            "camera" => r.camera.to_string(),
            "plate" => r.plate.to_string(),
            "country" => format!("{:?}", r.country),
            "confidence" => format!("{:?}", r.confidence),
            "lat" => format!("{:?}", r.lat),
            "lon" => format!("{:?}", r.lon),
            "arrival" => format!("{:?}", r.arrival),
            _ => unreachable!("{name}"),
        }
    }

    /// Every name of the table, as written, in camel case, in capitals and
    /// spaced, gives the field in JSON what its own name gives, and
    /// switches the file to reading every name.
    #[test]
    fn json_takes_every_other_name_a_column_goes_by() {
        let given = [
            ("ts", "\"2026-01-05T08:00:00Z\""),
            ("camera", "\"cam-1\""),
            ("plate", "\"1ABC234\""),
            ("country", "\"BE\""),
            ("confidence", "87"),
            ("lat", "50.85"),
            ("lon", "4.35"),
            ("arrival", "\"2026-01-05T08:00:01Z\""),
        ];
        let line = |renamed: (&str, &str)| {
            let fields: Vec<String> = given
                .iter()
                .map(|&(n, v)| {
                    let n = if n == renamed.0 { renamed.1 } else { n };
                    format!("\"{n}\":{v}")
                })
                .collect();
            format!("{{{}}}", fields.join(","))
        };
        let own = line(("", ""));
        let own: RawRead<'_> = serde_json::from_str(&own).unwrap();
        let mut checked = 0;
        for (name, aliases) in ALIASES {
            let names = std::iter::once(&name).chain(aliases.iter());
            for alias in names.flat_map(|a| {
                [camel(a), a.to_uppercase(), a.replace('_', " ")]
                    .into_iter()
                    .chain((a != &name).then(|| a.to_string()))
            }) {
                if alias == name {
                    continue;
                }
                let text = line((name, &alias));
                let mut names = JsonNames::Unknown;
                let r = parse_json(text.as_bytes(), &mut names)
                    .unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!(value(&r, name), value(&own, name), "{alias}");
                assert_eq!(
                    names,
                    JsonNames::Other,
                    "{alias}: the file goes by other names"
                );
                checked += 1;
            }
        }
        assert!(checked > 4 * ALIASES.len(), "{checked}");
        // Its own name first, wherever it stands, whether the file reads
        // other names or not; two other names of one field: refused, not
        // guessed.
        for (own, other) in [
            ("\"country\":\"FR\"", "\"countryCode\":\"NL\""),
            ("\"countryCode\":\"NL\"", "\"country\":\"FR\""),
        ] {
            let both = format!(
                "{{\"ts\":\"2026-01-05T08:00:00Z\",\"camera\":\"c\",\"plate\":\"P\",{own},{other}}}"
            );
            for mut names in [JsonNames::Unknown, JsonNames::Own, JsonNames::Other] {
                let r = parse_json(both.as_bytes(), &mut names).unwrap();
                assert_eq!(r.country.as_deref(), Some("FR"), "{both}");
            }
        }
        let two = line(("ts", "timestamp")).replace('}', ",\"datetime\":\"2026-01-05T09:00:00Z\"}");
        let e = parse_json(two.as_bytes(), &mut JsonNames::Unknown)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("duplicate field `ts` (again as `datetime`)"),
            "{e}"
        );
        // Missing under every name: said as before, and a file of own
        // names stays one.
        let mut names = JsonNames::Own;
        let e = parse_json(
            b"{\"ts\":\"2026-01-05T08:00:00Z\",\"camera\":\"c\"}",
            &mut names,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("missing field `plate`"), "{e}");
        assert_eq!(names, JsonNames::Own);
        // A file of own names reads a later line's other names only where
        // its own are missing: as before, an unknown key is left alone.
        let later = line(("country", "countryCode"));
        let r = parse_json(later.as_bytes(), &mut names).unwrap();
        assert_eq!((r.country, names), (None, JsonNames::Own));
    }

    /// In CSV, a name matches whatever its case and separators; two names
    /// of one column are refused with both named.
    #[test]
    fn csv_takes_other_names_whatever_their_case() {
        let columns = |header: &str| {
            let mut s = CsvSplitter::for_header(header.as_bytes());
            s.split(header.as_bytes()).unwrap();
            Columns::of(&s).map(|c| (c.ts, c.camera, c.plate, c.country, c.lon))
        };
        assert_eq!(
            columns("Timestamp,Camera ID,Plate Number,CountryCode,Lng"),
            Ok((0, 1, 2, Some(3), Some(4)))
        );
        assert_eq!(columns("ts;camera;VRM;lon"), Ok((0, 1, 2, None, Some(3))));
        // Its own name first; two other names of one column refused.
        assert_eq!(
            columns("Plate Number,ts,camera,plate"),
            Ok((1, 2, 3, None, None))
        );
        assert_eq!(
            columns("Timestamp,camera,plate,DateTime").err().unwrap(),
            "columns \"Timestamp\" and \"DateTime\" are both \"ts\"; keep one"
        );
        assert_eq!(
            columns("when,camera,plate").err().unwrap(),
            "missing column \"ts\" (or timestamp, datetime, event_time)"
        );
    }
}
