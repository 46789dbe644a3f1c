//! Read streams: JSON Lines or CSV with the same column names, optionally
//! gzip-compressed, read one line at a time.
//!
//! Columns: `ts` (RFC 3339, an offset applied, or Unix seconds or ms), `camera`, `plate`, and optional `country`,
//! `confidence` (0–100, or -1 for unknown), `lat` and `lon` (together),
//! `arrival` (RFC 3339: when the unit received the read). Unknown columns
//! are ignored. Times lie in the years 2000 to 2099. Every line is at most
//! [`MAX_LINE`] bytes; a CSV record is one line. Columns also go by the
//! names in [`ALIASES`].
//!
//! Here: the stream, its lines as reads, the arrival clock and the times.
//! `csv` finds the columns of a header; `json` reads a line by its own
//! names or its others, with errors that never quote a value.

use std::borrow::Cow;
use std::path::Path;

use anyhow::{Result, bail};
use hitgate_core::place::Offsets;
use hitgate_core::read::{CameraId, MAX_CAMERA_LEN};
use serde::{Deserialize, Serialize};

use crate::input::{CsvSplitter, Input, MAX_LINE, trim_line};
use crate::time::parse_written;

mod csv;
mod json;
mod merge;

use csv::Columns;
use json::{JsonNames, field, json_error, parse_json};
pub use merge::{At, for_each_merged, open_all};

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
    /// The camera of reads that name none (a file exported per camera);
    /// `None`: a read must name its camera.
    pub camera: Option<String>,
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
            camera: None,
        })
    }

    /// Gives the reads that name no camera (no `camera` field, an empty
    /// one, a CSV without the column) this one.
    pub fn camera(mut self, camera: Option<String>) -> Self {
        self.camera = camera;
        self
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
    /// Camera id; `None` when the line names none.
    #[serde(default, borrow, deserialize_with = "field::opt_camera")]
    pub camera: Option<Cow<'a, str>>,
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

/// A parsed read line: times in ms.
#[derive(Debug)]
pub struct Line<'a> {
    /// The fields.
    pub raw: RawRead<'a>,
    /// The camera: the line's, or the stream's for a line that names none.
    pub camera: Cow<'a, str>,
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
            camera: &self.camera,
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
    at: At,
    time: u64,
    camera: String,
    plate: String,
    country: Option<String>,
    confidence: Option<u8>,
    position: Option<hitgate_core::read::Position>,
}

impl OwnedRead {
    fn of(at: At, l: &Line<'_>) -> Self {
        Self {
            at,
            time: l.time,
            camera: l.camera.to_string(),
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

/// Calls `f` with each read as the unit receives it: where its line
/// stands, the read and its arrival time (or the line's error), and the
/// bytes read so far. Several streams are merged into one
/// ([`for_each_merged`]). A line with an `arrival` time arrives then; a
/// line without one arrives at the time
/// [`ArrivalClock`](hitgate_core::arrival::ArrivalClock) derives from the
/// cameras' progress, with `tolerance` the unit's `max_future_ms`: a read
/// that jumps ahead may be held back until a later read settles it, so
/// reads may reach `f` a little out of line order, each with its own place.
pub fn for_each_arrival(
    streams: Vec<ReadStream>,
    tolerance: u32,
    mut f: impl FnMut(At, Result<(hitgate_core::read::Read<'_>, u64), String>, u64) -> Result<()>,
) -> Result<StreamStats> {
    let mut slots: Vec<Option<hitgate_core::arrival::Held<OwnedRead>>> =
        (0..HELD_READS).map(|_| None).collect();
    let mut clock = hitgate_core::arrival::ArrivalClock::new(tolerance, &mut slots);
    let mut released: Vec<(OwnedRead, u64)> = Vec::new();
    let mut last_bytes = 0;
    let stats = for_each_merged(streams, |line, parsed, bytes| {
        last_bytes = bytes;
        let l = match parsed {
            Ok(l) => l,
            Err(e) => return f(line, Err(e), bytes),
        };
        let mut out = |o: OwnedRead, t: u64| released.push((o, t));
        let at = match (l.arrival, CameraId::new(&l.camera)) {
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
            f(o.at, Ok((o.read(), t)), bytes)?;
        }
        match at {
            Some(t) => f(line, Ok((l.read(), t)), bytes),
            None => Ok(()),
        }
    })?;
    clock.finish(&mut |o, t| released.push((o, t)));
    for (o, t) in released.drain(..) {
        f(o.at, Ok((o.read(), t)), last_bytes)?;
    }
    Ok(stats)
}

/// How a read stream is read beyond what its lines say: the options
/// `replay`, `prepare` and `compare` share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// How a time without a UTC offset is read (`--naive-times`; `None`:
    /// as UTC, not stated).
    pub naive_times: Option<NaiveTimes>,
    /// The camera of reads that name none (`--camera`), one for each read
    /// file, in order; empty: none.
    pub cameras: Vec<String>,
}

/// What a pass over a read stream noticed beyond its lines' errors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Reads whose confidence lies strictly between 0 and 1 (`0.93`): the
    /// camera likely writes 0–1 where hitgate reads 0–100, so such a read
    /// weighs as 0 or 1 in a passage's vote.
    pub confidence_fractions: u64,
    /// Reads whose event time was written without a UTC offset, read as
    /// [`ReadStream::local`] says.
    pub times_without_offset: u64,
    /// The cameras whose ids the unit folds (longer than
    /// [`MAX_CAMERA_LEN`]), and what they fold to.
    pub folded: FoldedCameras,
}

/// Camera ids longer than [`MAX_CAMERA_LEN`] bytes, which the unit keeps
/// folded ([`CameraId`]): each folded id with the first id seen that folds
/// to it, the first [`MAX_FOLDED_REPORTED`] of them, and any second id
/// that folds to one of those (the unit takes both for one camera).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoldedCameras {
    /// Folded id → the id as the cameras write it.
    pub ids: std::collections::BTreeMap<String, String>,
    /// Reads whose long id is not among the first
    /// [`MAX_FOLDED_REPORTED`] (their ids are not kept, so not counted
    /// apart).
    pub more: u64,
    /// Long ids that fold to the id of another: `[folded, this one]`.
    pub clashes: Vec<[String; 2]>,
}

/// Folded camera ids a report maps back, at most.
pub const MAX_FOLDED_REPORTED: usize = 1_000;

impl FoldedCameras {
    /// Notes a read's camera id.
    pub fn note(&mut self, id: &str) {
        if id.len() <= MAX_CAMERA_LEN {
            return;
        }
        let Ok(folded) = CameraId::new(id) else {
            return;
        };
        match self.ids.get(folded.as_str()) {
            Some(first) if first == id => {}
            Some(_) => {
                let clash = [folded.as_str().to_owned(), id.to_owned()];
                if self.clashes.len() < MAX_FOLDED_REPORTED && !self.clashes.contains(&clash) {
                    self.clashes.push(clash);
                }
            }
            None if self.ids.len() < MAX_FOLDED_REPORTED => {
                self.ids.insert(folded.as_str().to_owned(), id.to_owned());
            }
            None => self.more += 1,
        }
    }

    /// Nothing was folded.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// A camera id as the unit keeps it: a long one folded ([`CameraId`]); one
/// the unit refuses stays as written.
pub fn unit_camera(id: &str) -> Cow<'_, str> {
    if id.len() <= MAX_CAMERA_LEN {
        return id.into();
    }
    match CameraId::new(id) {
        Ok(c) => c.as_str().to_owned().into(),
        Err(_) => id.into(),
    }
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

fn finish<'a>(
    mut raw: RawRead<'a>,
    local: Option<&Offsets>,
    camera: Option<&'a str>,
) -> Result<Line<'a>, String> {
    let camera = match raw.camera.take() {
        Some(c) if !c.is_empty() || camera.is_none() => c,
        _ => Cow::Borrowed(camera.ok_or("missing field `camera`")?),
    };
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
        camera,
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
        camera,
    } = stream;
    let local = local.as_ref();
    let camera = camera.as_deref();
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
            let cols = Columns::of(&split, camera.is_some())
                .map_err(|e| anyhow::anyhow!("{}:{line}: {e}", input.name))?;
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
                Ok(()) => cols.read(split).and_then(|r| finish(r, local, camera)),
                Err(e) => Err(e.to_string()),
            },
            None => parse_json(text, &mut json_names)
                .map_err(|e| json_error(&e))
                .and_then(|r| finish(r, local, camera)),
        };
        if let Ok(l) = &parsed {
            stats.confidence_fractions +=
                u64::from(l.raw.confidence.is_some_and(|c| c > 0.0 && c < 1.0));
            stats.times_without_offset += u64::from(l.naive);
            stats.folded.note(&l.camera);
        }
        f(line, parsed, bytes)?;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::InputStats;

    /// Two ids that fold to one: found by Python's FNV-1a 32 over random
    /// ids (both hash to `a491b2b6`).
    #[test]
    fn folded_cameras_name_their_ids_and_the_two_that_became_one() {
        let mut f = FoldedCameras::default();
        for id in [
            "cam-1",
            "bxl-ring-zqz4tosto3",
            "bxl-ring-zqz4tosto3",
            "bxl-ring-u1sbw9cpy2",
        ] {
            f.note(id);
        }
        assert_eq!(f.ids.len(), 1);
        assert_eq!(f.ids["bxl-rin~a491b2b6"], "bxl-ring-zqz4tosto3");
        assert_eq!(
            f.clashes,
            [[
                "bxl-rin~a491b2b6".to_string(),
                "bxl-ring-u1sbw9cpy2".to_string()
            ]]
        );
        assert_eq!(unit_camera("bxl-ring-u1sbw9cpy2"), "bxl-rin~a491b2b6");
        assert_eq!(unit_camera("cam-1"), "cam-1");
        assert_eq!(unit_camera("a camera"), "a camera", "refused, as written");
        let input = InputStats {
            folded_cameras: f.clone(),
            ..Default::default()
        };
        let notes = crate::summary::folded_cameras_notes(&input);
        assert!(notes[0].starts_with("1 camera id longer"), "{notes:?}");
        assert!(
            notes[1].contains("bxl-ring-zqz4tosto3 and bxl-ring-u1sbw9cpy2 fold to the same"),
            "{notes:?}"
        );

        // Beyond the first thousand, reads are counted, ids not kept.
        for n in 0..MAX_FOLDED_REPORTED + 5 {
            f.note(&format!("a-long-camera-number-{n:05}"));
        }
        assert_eq!(f.ids.len(), MAX_FOLDED_REPORTED);
        assert_eq!(f.more, 6);
        let input = InputStats {
            folded_cameras: f,
            ..Default::default()
        };
        let notes = crate::summary::folded_cameras_notes(&input);
        assert!(
            notes[0].starts_with("more than 1000 camera ids"),
            "{notes:?}"
        );
    }
}
