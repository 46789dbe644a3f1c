//! Replay: a recorded read stream through the core, as one roadside unit.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use hitgate_core::{
    hit::Outcome, indicators::CameraStats, indicators::Indicators, passage::Passage,
    policy::Action, policy::Policy, recent::HeldFrame, suppress::SuppressSlot, unit::Tables,
    unit::Unit,
};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::deliver::{Delivery, UplinkOptions, UplinkReport};
use crate::formats::{
    CameraReport, HitLine, InputStats, LineError, MAX_REPORTED_ERRORS, Report, RuleCount, Timing,
    WideList,
};
use crate::lists::ListsData;
use crate::outdir::OutDir;
use crate::policy_file::PolicyFile;
use crate::reads;
use crate::width;

/// Table sizes of the simulated unit.
#[derive(Debug, Clone, Copy)]
pub struct TableSizes {
    /// Passage slots.
    pub passages: usize,
    /// Suppression slots.
    pub suppression: usize,
    /// Camera slots.
    pub cameras: usize,
    /// Places for unmatched frames held for a passage that opens on a
    /// later frame (`hitgate_core::recent`).
    pub held: usize,
}

impl TableSizes {
    /// Most slots of each table: far past what a unit sizes (hundreds of
    /// passages, thousands of suppression keys), and under a gigabyte
    /// together.
    pub const MAX: Self = Self {
        passages: 1 << 20,
        suppression: 1 << 22,
        cameras: 1 << 16,
        held: 1 << 12,
    };

    /// Checks each size against [`TableSizes::MAX`]; the error names the
    /// option. Zero is allowed: a unit without that table (every passage
    /// decided at its first read, no re-alert suppression, no per-camera
    /// counts), which the indicators show.
    pub fn check(&self) -> Result<()> {
        let max = Self::MAX;
        for (name, n, most) in [
            ("--passages", self.passages, max.passages),
            ("--suppression", self.suppression, max.suppression),
            ("--cameras", self.cameras, max.cameras),
            ("--held-frames", self.held, max.held),
        ] {
            if n > most {
                bail!("{name} {n}: at most {most} slots");
            }
        }
        Ok(())
    }
}

/// Places for held frames the simulated unit gets unless told otherwise:
/// a whole hold (passage window and grace, 5 s by default) of a busy
/// site's unmatched reads. The generator's day brings at most 93 reads in
/// any 5 s at its four cameras and a mobile one; with the firmware's 16
/// (`hitgate_core::recent::RECENT_FRAMES`) frames gave way before their
/// hold ran out (`evicted_held`), and a look-alike car whose frames came
/// in far apart reached dispatch (`docs/perf-history.md`, "Held
/// frames").
pub const HELD_FRAMES: usize = 128;

impl Default for TableSizes {
    fn default() -> Self {
        Self {
            passages: 256,
            suppression: 4096,
            cameras: 256,
            held: HELD_FRAMES,
        }
    }
}

/// The simulated unit's tables, as a firmware gives them: storage of
/// [`TableSizes`].
pub(crate) struct TableStorage {
    passages: Vec<Passage>,
    suppression: Vec<SuppressSlot>,
    cameras: Vec<CameraStats>,
    held: Vec<HeldFrame>,
}

impl TableStorage {
    pub(crate) fn new(sizes: TableSizes) -> Self {
        Self {
            passages: vec![Passage::EMPTY; sizes.passages],
            suppression: vec![SuppressSlot::EMPTY; sizes.suppression],
            cameras: vec![CameraStats::EMPTY; sizes.cameras],
            held: vec![HeldFrame::EMPTY; sizes.held],
        }
    }

    pub(crate) fn tables(&mut self) -> Tables<'_> {
        Tables {
            passages: &mut self.passages,
            suppression: &mut self.suppression,
            cameras: &mut self.cameras,
            held: &mut self.held,
        }
    }
}

/// The policy's camera prefixes that reach past what a folded camera id
/// keeps, each as `rule: pattern`.
fn prefixes_beyond_fold(policy: &hitgate_core::policy::Policy) -> Vec<String> {
    let rules = policy.view().rules();
    let each = rules
        .iter()
        .flat_map(|r| r.cameras.iter().map(move |c| (r, c)));
    each.filter(|(_, c)| c.prefix_beyond_fold())
        .map(|(r, c)| format!("{}: {}", r.name, c.as_str()))
        .collect()
}

/// Widens `span` (first, last) to hold `time`.
fn widen(span: &mut Option<(u64, u64)>, time: u64) {
    let (a, b) = span.get_or_insert((time, time));
    (*a, *b) = ((*a).min(time), (*b).max(time));
}

/// How to replay.
#[derive(Debug, Clone)]
pub struct ReplayOptions {
    /// Stop at the first bad line.
    pub strict: bool,
    /// No progress bar.
    pub quiet: bool,
    /// Also write `hits.frames`: the core's postcard + COBS hit records.
    pub frames: bool,
    /// Table sizes.
    pub tables: TableSizes,
    /// Watchlist version reported with every hit.
    pub version: u32,
    /// Deliver the forwarded hits through an outbox and MQTT.
    pub uplink: Option<UplinkOptions>,
    /// Pace the reads at this many times their recorded speed.
    pub speed: Option<f64>,
    /// Call out a list whose tolerance would raise more hits a day than
    /// this on cars that stand on no list, at the recording's traffic.
    pub max_false_per_day: Option<f64>,
    /// How the reads are read: times without a UTC offset (`None`: as
    /// UTC, not stated, and the summary says how many there were), and
    /// the camera of reads that name none.
    pub reading: reads::ReadOptions,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        Self {
            strict: false,
            quiet: false,
            frames: false,
            tables: TableSizes::default(),
            version: 1,
            uplink: None,
            speed: None,
            max_false_per_day: None,
            reading: reads::ReadOptions::default(),
        }
    }
}

/// What one replay run produced.
struct Run {
    indicators: Indicators,
    cameras: Vec<CameraStats>,
    input: InputStats,
    hits: HitsWritten,
    uplink: Option<UplinkReport>,
    wide_lists: Vec<WideList>,
}

/// The outputs a replay may leave in its directory, the report last.
const OUTPUTS: &[&str] = &[
    "hits.jsonl",
    "hits.frames",
    "report.svg",
    "report.html",
    "report.json",
];

/// The sink of forwarded hits: `hits.jsonl`, `hits.frames` with
/// `--frames`, and the per-minute timeline of the picture. The first write
/// error is kept and reported at the end, naming the file.
struct HitWriter {
    jsonl: BufWriter<File>,
    frames: Option<BufWriter<File>>,
    frame_buf: [u8; hitgate_core::wire::MAX_FRAME],
    names: Vec<String>,
    places: crate::places_file::PlacesData,
    written: u64,
    timeline: BTreeMap<u64, [[u64; 5]; 2]>,
    error: Option<(&'static str, std::io::Error)>,
}

impl HitWriter {
    fn new(
        dir: &mut OutDir,
        frames: bool,
        names: Vec<String>,
        places: &crate::places_file::PlacesData,
    ) -> Result<Self> {
        Ok(Self {
            jsonl: dir.create("hits.jsonl")?,
            frames: match frames {
                true => Some(dir.create("hits.frames")?),
                false => None,
            },
            frame_buf: [0; hitgate_core::wire::MAX_FRAME],
            names,
            places: places.clone(),
            written: 0,
            timeline: BTreeMap::new(),
            error: None,
        })
    }

    /// One outcome, decided at the unit's clock `at`.
    fn outcome(&mut self, policy: &Policy, at: u64, o: Outcome) {
        let Outcome::Forward(h) = o else {
            return;
        };
        self.written += 1;
        let row = usize::from(h.action != Action::Dispatch);
        self.timeline.entry(h.time / 60_000).or_default()[row][h.priority.index()] += 1;
        let mut line = HitLine::new(&h, &self.names, policy, at);
        line.operation = self.places.operation_of(policy, h.rule);
        let r = serde_json::to_writer(&mut self.jsonl, &line)
            .map_err(std::io::Error::other)
            .and_then(|_| self.jsonl.write_all(b"\n"));
        if let Err(e) = r {
            self.error.get_or_insert(("hits.jsonl", e));
        }
        if let Some(f) = self.frames.as_mut() {
            let r = match hitgate_core::wire::encode_hit(&h, &mut self.frame_buf) {
                Ok(frame) => f.write_all(frame),
                Err(e) => Err(std::io::Error::other(e.to_string())),
            };
            if let Err(e) = r {
                self.error.get_or_insert(("hits.frames", e));
            }
        }
    }

    /// Flushes both files (the first error names its file) and gives back
    /// what the report needs.
    fn finish(self, dir: &OutDir) -> Result<HitsWritten> {
        if let Some((name, e)) = self.error {
            return Err(e)
                .with_context(|| format!("{}: cannot write", dir.path().join(name).display()));
        }
        dir.finish("hits.jsonl", self.jsonl)?;
        if let Some(f) = self.frames {
            dir.finish("hits.frames", f)?;
        }
        Ok(HitsWritten {
            written: self.written,
            timeline: self.timeline,
        })
    }
}

/// What [`HitWriter`] wrote.
struct HitsWritten {
    written: u64,
    timeline: BTreeMap<u64, [[u64; 5]; 2]>,
}

/// Replays `reads` against the lists and policy, writing `hits.jsonl`,
/// `report.json`, `report.svg` and `report.html` (and `hits.frames`) into
/// `out`, all in
/// place only once the whole run has succeeded (see [`OutDir`]).
pub fn replay(
    reads_paths: &[PathBuf],
    lists: &ListsData,
    pf: &PolicyFile,
    out: &Path,
    opts: &ReplayOptions,
) -> Result<Report> {
    opts.tables.check()?;
    // Inputs first: nothing is touched if the reads cannot be opened.
    let streams = reads::open_all(reads_paths, &opts.reading, &pf.places.offsets)?;
    let inputs: Vec<&Path> = reads_paths
        .iter()
        .chain(&lists.files)
        .map(PathBuf::as_path)
        .collect();
    let mut dir = OutDir::open(out, OUTPUTS, &inputs)?;
    let size = streams.iter().map(|s| s.input.size).sum::<Option<u64>>();
    let bar = progress(opts.quiet, size);
    let t_index = Instant::now();
    let t0 = std::cell::Cell::new(None::<Instant>);
    let t_end = std::cell::Cell::new(None::<Instant>);
    let run = lists.with_watchlist(opts.version, |wl| -> Result<Run> {
        t0.set(Some(Instant::now()));
        let mut hits = HitWriter::new(&mut dir, opts.frames, lists.names(), &pf.places)?;
        let mut storage = TableStorage::new(opts.tables);
        let mut unit = Unit::new(wl, &pf.policy, pf.config, storage.tables());
        unit.set_places(pf.places.view());
        let mut input = InputStats::default();
        let mut slots = Vec::new();
        let delivery = match &opts.uplink {
            Some(u) => Some(Delivery::open(u, opts.version, &mut slots)?),
            None => None,
        };
        let delivery = RefCell::new(delivery);
        let push_error = RefCell::new(None::<anyhow::Error>);
        let mut sink = |at: u64, o: Outcome| {
            if let (Outcome::Forward(h), Some(d)) = (&o, delivery.borrow_mut().as_mut())
                && let Err(e) = d.push(h)
            {
                push_error.borrow_mut().get_or_insert(e);
            }
            hits.outcome(&pf.policy, at, o);
        };
        let bad = |input: &mut InputStats, at: reads::At, error: String| -> Result<()> {
            input.bad_lines += 1;
            if opts.strict {
                let path = reads_paths.get(at.file).map(|p| p.display());
                bail!(
                    "{}:{}: {error}",
                    path.map(|p| p.to_string()).unwrap_or_default(),
                    at.line
                );
            }
            if input.errors.len() < MAX_REPORTED_ERRORS {
                input.errors.push(LineError::at(at, reads_paths, error));
            }
            Ok(())
        };
        let mut count = 0u64;
        let mut span: Option<(u64, u64)> = None;
        // The first and the latest read received, in the order received.
        let mut ends: Option<(u64, u64)> = None;
        let mut pace = Pace::new(opts.speed);
        let stats =
            reads::for_each_arrival(streams, pf.config.max_future_ms, |line, parsed, bytes| {
                input.lines += 1;
                count += 1;
                if count.is_multiple_of(65_536) {
                    bar.set_position(bytes);
                }
                let r = match parsed {
                    Ok((read, arrival)) => match unit.receive(&read, arrival, &mut sink) {
                        Ok(_) => {
                            widen(&mut span, read.time);
                            ends.get_or_insert((read.time, read.time)).1 = read.time;
                            Ok(())
                        }
                        Err(e) => bad(&mut input, line, e.to_string()),
                    },
                    Err(e) => bad(&mut input, line, e),
                };
                if let Some(e) = push_error.borrow_mut().take() {
                    return Err(e);
                }
                if let Some(d) = delivery.borrow_mut().as_mut() {
                    let (clock, ind) = (unit.clock(), unit.indicators());
                    match pace.wait(clock) {
                        Some(mut left) => loop {
                            let step = left.min(Duration::from_millis(20));
                            d.pump(clock, ind, step)?;
                            left = left.saturating_sub(step);
                            if left.is_zero() {
                                break;
                            }
                        },
                        None if count.is_multiple_of(64) => d.pump(clock, ind, Duration::ZERO)?,
                        None => {}
                    }
                }
                r
            })?;
        LineError::sort(&mut input.errors, reads_paths);
        input.confidence_fractions = stats.confidence_fractions;
        input.times_without_offset = stats.times_without_offset;
        input.list_times_without_offset = lists.times_without_offset;
        input.naive_times = opts.reading.naive_times;
        if !stats.folded.is_empty() {
            input.prefixes_beyond_fold = prefixes_beyond_fold(&pf.policy);
        }
        input.folded_cameras = stats.folded;
        // A recording sorted newest first: the unit, deciding in the order
        // it receives, finds nearly every passage late.
        input.runs_backwards = ends.is_some_and(|(first, last)| {
            last.saturating_add(u64::from(pf.config.max_lateness_ms)) < first
        });
        unit.flush(&mut sink);
        if let Some(e) = push_error.borrow_mut().take() {
            return Err(e);
        }
        let indicators = *unit.indicators();
        let cameras = unit.cameras().cloned().collect();
        // The reads are done: what follows is not a read's cost.
        t_end.set(Some(Instant::now()));
        let wide_lists = match (opts.max_false_per_day, span) {
            (Some(max), Some(span)) => wide_lists(lists, wl, &indicators, span, max),
            _ => Vec::new(),
        };
        let uplink = match delivery.into_inner() {
            Some(mut d) => {
                eprintln!("input done: {} hits wait in the outbox", d.waiting());
                if !d.drain(unit.clock(), &indicators)? {
                    eprintln!(
                        "uplink: {} hits still wait after the drain time{}",
                        d.waiting(),
                        match &opts.uplink.as_ref().and_then(|u| u.state.as_ref()) {
                            Some(p) => format!("; kept in {}", p.display()),
                            None => String::new(),
                        }
                    );
                }
                Some(d.finish()?)
            }
            None => None,
        };
        Ok(Run {
            indicators,
            cameras,
            input,
            hits: hits.finish(&dir)?,
            uplink,
            wide_lists,
        })
    })??;
    bar.finish_and_clear();
    let start = t0.get().unwrap_or(t_index);
    let end = t_end.get().unwrap_or_else(Instant::now);
    let timing = Timing::since(start, end, t_index, run.indicators.reads);
    let report = Report::build(run, lists, pf, timing);
    let svg = crate::chart::render(&report)?;
    dir.write("report.svg", svg.as_bytes())?;
    dir.write(
        "report.html",
        crate::report_page::render(&report, &svg).as_bytes(),
    )?;
    let json = serde_json::to_vec_pretty(&report).context("report.json")?;
    dir.write("report.json", &json)?;
    dir.commit()?;
    if let Some(u) = &report.uplink
        && u.waiting > 0
        && u.state.is_none()
    {
        bail!(
            "{} hits were not delivered and are lost with this process (no --state); \
             see the broker and `hitgate listen`",
            u.waiting
        );
    }
    Ok(report)
}

/// The traffic a unit's indicators show over event times `span`
/// ([`width::Traffic`]).
fn traffic_of(ind: &Indicators, span: Option<(u64, u64)>) -> width::Traffic {
    let checked = ind.reads.saturating_sub(ind.rejected.iter().sum::<u64>());
    width::Traffic::of(
        checked,
        span,
        ind.passages,
        ind.matched + ind.evidence_frames,
    )
}

/// A recording's traffic as a unit with the lists and policy counts it
/// ([`width::Traffic`]): the reads through the unit as [`replay`] sends
/// them, nothing written. Bad lines are skipped and counted (the second
/// value), as `replay` skips them.
pub fn traffic(
    reads_paths: &[PathBuf],
    lists: &ListsData,
    pf: &PolicyFile,
    tables: TableSizes,
    how: &reads::ReadOptions,
) -> Result<(width::Traffic, u64)> {
    tables.check()?;
    let streams = reads::open_all(reads_paths, how, &pf.places.offsets)?;
    lists.with_watchlist(1, |wl| -> Result<_> {
        let mut storage = TableStorage::new(tables);
        let mut unit = Unit::new(wl, &pf.policy, pf.config, storage.tables());
        unit.set_places(pf.places.view());
        let mut sink = |_: u64, _: Outcome| {};
        let (mut span, mut bad) = (None::<(u64, u64)>, 0u64);
        reads::for_each_arrival(streams, pf.config.max_future_ms, |_, parsed, _| {
            match parsed {
                Ok((read, arrival)) => {
                    if unit.receive(&read, arrival, &mut sink).is_ok() {
                        widen(&mut span, read.time);
                    }
                }
                Err(_) => bad += 1,
            }
            Ok(())
        })?;
        unit.flush(&mut sink);
        Ok((traffic_of(unit.indicators(), span), bad))
    })?
}

/// The lists whose tolerance would raise more than `max` hits a day on
/// cars that stand on no list ([`width::measure`]), at the recording's
/// traffic ([`traffic_of`]). A recording of less than a minute says
/// nothing about a day.
fn wide_lists(
    lists: &ListsData,
    wl: &hitgate_core::watchlist::Watchlist<'_>,
    ind: &Indicators,
    (first, last): (u64, u64),
    max: f64,
) -> Vec<WideList> {
    let Some(per_day) = traffic_of(ind, Some((first, last))).passages_per_day else {
        return Vec::new();
    };
    let o = width::WidthOptions {
        plates: 10_000,
        seed: 1,
        at: first,
        instead: None,
        passages_per_day: Some(per_day),
        max_false_per_day: max,
    };
    width::measure(lists, wl, &o)
        .lists
        .into_iter()
        .filter_map(|l| {
            let f = l.false_hits_over(max)?;
            Some(WideList {
                false_hits_per_day_95: l.false_hits_per_day_95.unwrap_or([f, f]),
                list: l.list,
                share: l.share,
                passages_per_day: per_day,
                false_hits_per_day: f,
            })
        })
        .collect()
}

/// Paces a replay at `speed` times the recorded time: how long to wait
/// before the unit's clock reaches `clock`.
struct Pace {
    speed: Option<f64>,
    start: Option<(Instant, u64)>,
}

impl Pace {
    fn new(speed: Option<f64>) -> Self {
        Self { speed, start: None }
    }

    fn wait(&mut self, clock: u64) -> Option<Duration> {
        let speed = self.speed?;
        let (t0, c0) = *self.start.get_or_insert((Instant::now(), clock));
        // A tiny --speed makes the wait longer than a Duration holds: wait
        // as long as one can.
        let due = Duration::try_from_secs_f64(clock.saturating_sub(c0) as f64 / 1000.0 / speed)
            .unwrap_or(Duration::MAX);
        Some(due.saturating_sub(t0.elapsed()))
    }
}

/// A progress bar in bytes of the stream as read: a bar when the size is
/// known (a plain file), a spinner otherwise (gzip, a pipe).
fn progress(quiet: bool, size: Option<u64>) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::with_draw_target(size, ProgressDrawTarget::stderr_with_hz(4));
    let template = if size.is_some() {
        "{spinner} replay [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes}"
    } else {
        "{spinner} replay [{elapsed_precise}] {bytes} read"
    };
    b.set_style(
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    b
}

impl Timing {
    /// The figures of a run that started at `start` and read its last read
    /// at `end`, its index built from `t_index`, over `reads` reads.
    fn since(start: Instant, end: Instant, t_index: Instant, reads: u64) -> Self {
        let seconds = end.duration_since(start).as_secs_f64();
        Self {
            index_seconds: start.duration_since(t_index).as_secs_f64(),
            seconds,
            reads_per_second: if seconds > 0.0 {
                reads as f64 / seconds
            } else {
                0.0
            },
        }
    }
}

impl Report {
    /// The report of a run.
    fn build(run: Run, lists: &ListsData, pf: &PolicyFile, timing: Timing) -> Self {
        let Run {
            indicators,
            cameras,
            input,
            hits,
            uplink,
            wide_lists,
        } = run;
        let mut by_rule: Vec<RuleCount> = pf
            .policy
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| RuleCount {
                rule: Some(i),
                name: r.name.as_str().to_string(),
                decided: indicators.by_rule.get(i).copied().unwrap_or(0),
            })
            .collect();
        by_rule.push(RuleCount {
            rule: None,
            name: "fallback".into(),
            decided: indicators.by_fallback,
        });
        let rejected = (0..hitgate_core::read::ReadError::COUNT)
            .map(|i| {
                (
                    hitgate_core::read::ReadError::slot_name(i).to_string(),
                    indicators.rejected[i],
                )
            })
            .collect();
        Self {
            indicators,
            by_rule,
            rejected,
            cameras: cameras
                .iter()
                .map(|c| CameraReport {
                    camera: c.camera.as_str().into(),
                    reads: c.reads,
                    matched: c.matched,
                    dispatched: c.dispatched,
                    reviewed: c.reviewed,
                })
                .collect(),
            input,
            hits: hits.written,
            lists: lists.names(),
            timing,
            timeline: hits.timeline,
            uplink,
            wide_lists,
            policy_notes: pf.notes(),
        }
    }
}
