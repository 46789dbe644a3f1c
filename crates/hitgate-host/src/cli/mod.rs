//! The command line: argument parsing and the commands. The argument
//! groups several commands share are in `args`, `hitgate bundle` in
//! `bundle`.

use std::ffi::OsString;
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};
use clap::{Parser, Subcommand};

mod args;
mod bundle;
mod central;
mod matrix;

use crate::lists::ListsData;
use crate::policy_file::PolicyFile;

use crate::replay::{ReplayOptions, replay};
use crate::scenario::{GenOptions, generate};
use crate::{eval, summary, width};
use args::{Inputs, TableArgs, UplinkArgs};
use bundle::{BundleCommand, bundle_command};

#[derive(Parser)]
#[command(name = "hitgate", version, about = "Edge filter for ANPR hits: replay, generate, evaluate", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a default scenario, replay it as one roadside unit, score it.
    #[command(after_help = "Example:\n  hitgate demo\n  hitgate demo --out /tmp/demo --seed 7")]
    Demo {
        /// Where the scenario and the results go.
        #[arg(long, default_value = "out/demo")]
        out: PathBuf,
        /// Scenario seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Run a recorded read stream through the core.
    #[command(
        after_help = "Example:\n  hitgate replay --reads reads.jsonl --lists lists.csv --policy policy.toml --out out/\n\n\
        Writes OUT/hits.jsonl, OUT/report.json, OUT/report.svg and OUT/report.html (and OUT/hits.frames with --frames).\n\
        Without --policy the Brussels baseline applies."
    )]
    Replay {
        #[command(flatten)]
        inputs: Inputs,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Stop at the first bad line.
        #[arg(long)]
        strict: bool,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Also write hits.frames (postcard + CRC + COBS records, as the firmware sends them).
        #[arg(long)]
        frames: bool,
        /// Call out a list whose tolerance would raise more hits a day than
        /// this on cars that stand on no list, at the recording's traffic
        /// (as `hitgate lists --passages-per-day` does).
        #[arg(long, default_value_t = 5.0)]
        max_false_per_day: f64,
        #[command(flatten)]
        tables: TableArgs,
        #[command(flatten)]
        uplink: UplinkArgs,
    },
    /// Decide one read stream under two policies and show what changes.
    #[command(after_help = "Example:
  hitgate compare --reads reads.jsonl --lists lists.csv \\\n    --policy now.toml --policy proposal.toml --out cmp/ --capacity 20\n\n\
        Writes OUT/compare.json and OUT/compare.html (self-contained; no plate in either).")]
    Compare {
        /// Reads: .jsonl or .csv, optionally .gz; - for standard input.
        /// Repeat for files that make one stream (one a camera): merged
        /// by time, as `replay` merges them.
        #[arg(long, required = true)]
        reads: Vec<PathBuf>,
        /// Watchlists (CSV); repeat for several files.
        #[arg(long = "lists", required = true)]
        lists: Vec<PathBuf>,
        /// The two policies (TOML), A then B.
        #[arg(long = "policy", num_args = 1, required = true)]
        policies: Vec<PathBuf>,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Dispatches an hour the dispatch room can take: the hours above it
        /// are counted, and drawn.
        #[arg(long)]
        capacity: Option<u64>,
        /// Watchlist version.
        #[arg(long, default_value_t = 1)]
        list_version: u32,
        #[command(flatten)]
        tables: TableArgs,
        /// How to read a time written without a UTC offset, in reads and
        /// list validity: as UTC, or as local time on the policies' [time]
        /// offsets (both the same). Unset: as UTC, and it says how many
        /// reads and entries had one.
        #[arg(long, value_enum)]
        naive_times: Option<crate::reads::NaiveTimes>,
        /// The camera of reads that name none (a file exported per
        /// camera; a read that names one keeps it). With several --reads,
        /// one for each, in the same order.
        #[arg(long, value_name = "ID")]
        camera: Vec<String>,
    },
    /// The decision matrix in words: each rule's conditions, action and recipients, in the order they are asked, and what the matrix says against itself.
    #[command(
        after_help = "Example:\n  hitgate matrix --policy examples/policies/brussels-zone.toml\n  \
                      hitgate matrix --policy policy.toml --check    # exit status 1 on a note\n  \
                      hitgate matrix --policy new.toml --against policy.toml    # what the edit changes"
    )]
    Matrix(matrix::MatrixArgs),
    /// What the decision matrix does with one hit: each rule asked, in order, and the first of its conditions the hit does not meet.
    #[command(after_help = matrix::EXPLAIN_HELP)]
    Explain(matrix::ExplainArgs),
    /// The central side: receive every unit's hits over MQTT, remove
    /// duplicates, write them, acknowledge them, report gaps.
    #[command(
        after_help = "Example:\n  hitgate listen --mqtt mqtt://127.0.0.1:1883 --out delivered.jsonl --report listen.json"
    )]
    Listen(central::ListenArgs),
    /// The zone gate: every unit's hits over MQTT, one decision per car
    /// across units, published to each recipient's topic.
    #[command(
        after_help = "Example:\n  hitgate gate --mqtt mqtt://127.0.0.1:1883 --policy zone.toml --state gate.json --report gate-report.json"
    )]
    Gate(central::GateArgs),
    /// A recipient of the zone gate, as a dispatch room's software would
    /// be one: its decisions over MQTT, one copy per id, written, and
    /// acknowledged with --ack once on disk.
    #[command(
        after_help = "Example:\n  hitgate receive --mqtt mqtt://127.0.0.1:1883 --recipient wpr --out wpr.jsonl --ack"
    )]
    Receive(central::ReceiveArgs),
    /// Which characters the cameras confuse, from a recording alone: the
    /// `[ocr] classes` it would propose, with how often each pair is seen.
    #[command(
        after_help = "Example:\n  hitgate learn --reads reads.jsonl --out ocr.toml\n\n\
        Frames of one passage that disagree are the engine's misreads: each pair of characters seen\n\
        for each other is counted, and proposed when it is seen at least --min-count times,\n\
        --min-ratio times as often as random substitutions would give, and more often than chance\n\
        explains (--alpha over all pairs)."
    )]
    Learn {
        /// Reads: .jsonl or .csv, optionally .gz; - for standard input.
        /// Repeat for a file per camera, as `replay --reads`.
        #[arg(long, required = true)]
        reads: Vec<PathBuf>,
        /// The camera of reads that name none, one for each --reads, as
        /// `replay --camera`.
        #[arg(long, value_name = "ID")]
        camera: Vec<String>,
        /// Frames of one camera within this many ms of a passage's first
        /// frame belong to it.
        #[arg(long, default_value_t = 2_000)]
        window_ms: u64,
        /// Fewest sightings of a pair to propose it.
        #[arg(long, default_value_t = 5)]
        min_count: u64,
        /// How many times the random rate a pair must be seen.
        #[arg(long, default_value_t = 4.0)]
        min_ratio: f64,
        /// The chance, over all 630 pairs, that random substitutions
        /// alone get one proposed.
        #[arg(long, default_value_t = 0.01)]
        alpha: f64,
        /// Also write the proposal (the report as comments, then the
        /// `[ocr]` table) to this file.
        #[arg(long)]
        out: Option<PathBuf>,
        /// JSON instead of the report.
        #[arg(long)]
        json: bool,
    },
    /// Write a synthetic scenario: reads.jsonl, lists.csv, policy.toml, truth.jsonl.
    #[command(
        after_help = "Example:\n  hitgate gen --out scen --seed 42 --preset day --error-rate 0.05"
    )]
    Gen {
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Seed.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// demo (2 morning hours), day (24 hours) or small (20 minutes).
        #[arg(long, default_value = "demo")]
        preset: String,
        /// Length in hours.
        #[arg(long)]
        hours: Option<f64>,
        /// Fixed cameras.
        #[arg(long)]
        cameras: Option<usize>,
        /// Per-character OCR error rate.
        #[arg(long)]
        error_rate: Option<f64>,
        /// Traffic volume factor.
        #[arg(long)]
        volume: Option<f64>,
        /// Size factor of the large lists.
        #[arg(long)]
        list_scale: Option<f64>,
        /// Decoy vehicles.
        #[arg(long)]
        decoys: Option<usize>,
        /// Share of malformed lines.
        #[arg(long)]
        bad_lines: Option<f64>,
        /// Share of passages read in one frame only.
        #[arg(long)]
        single_frame: Option<f64>,
        /// Write each read's arrival time at the unit (without it, the
        /// reads are in arrival order and carry event times only).
        #[arg(long)]
        arrival: bool,
        /// No mobile unit.
        #[arg(long)]
        no_mobile: bool,
        /// Also split the reads by camera into units/<camera>.jsonl: a
        /// zone of roadside units for `hitgate gate`.
        #[arg(long)]
        units: bool,
    },
    /// Write lists, policy and reads as one binary bundle for the firmware.
    #[command(
        after_help = "Example:\n  hitgate prepare --reads reads.jsonl --lists lists.csv --out bundle.bin\n\n\
        The firmware in examples/qemu-unit replays a bundle and writes the same hit frames as\n\
        `hitgate replay --frames`."
    )]
    Prepare {
        #[command(flatten)]
        inputs: Inputs,
        /// The bundle file to write.
        #[arg(long)]
        out: PathBuf,
        /// Write the reads alone (a reads stream), for a unit that takes its
        /// lists from a signed image.
        #[arg(long)]
        reads_only: bool,
    },
    /// Make an Ed25519 key pair for signing list images.
    #[command(after_help = "Example:\n  hitgate keygen --out zone-lists.key\n\n\
        Writes OUT (the secret key, mode 0600, never overwritten) and OUT.pub (the public key a\n\
        unit is provisioned with). The secret key is never printed.")]
    Keygen {
        /// The secret key file to create.
        #[arg(long)]
        out: PathBuf,
    },
    /// Signed list images: build, delta, verify, inspect.
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Per list: entries, tolerance, and how many unlisted plates the tolerance catches.
    #[command(
        after_help = "Example:\n  hitgate lists --lists lists.csv --policy policy.toml\n  \
        hitgate lists --lists lists.csv --policy policy.toml --ocr 1 --edits 0\n\n\
        For each list, draws plates like its entries (its lengths, each character from the same\n\
        position of a random listed plate of that length) that stand on no list, looks them up as a unit\n\
        would, and counts those that match the list: the share of passing cars that its\n\
        tolerance alone would make hits. A note marks lists where that share is 1 % or more."
    )]
    Lists {
        /// Watchlists (CSV); repeat for several files.
        #[arg(long = "lists", required = true)]
        lists: Vec<PathBuf>,
        /// Policy (TOML) that declares the lists and their tolerances. Without it, the
        /// Brussels baseline's defaults.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Unlisted plates to look up, per list.
        #[arg(long, default_value_t = 10_000)]
        plates: usize,
        /// Seed of the draw.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Time of the lookups (RFC 3339): entries not valid then do not match. Default: now.
        #[arg(long)]
        at: Option<String>,
        /// What if every list allowed this many look-alikes (0 to 2)? Needs --edits.
        #[arg(long, requires = "edits")]
        ocr: Option<u8>,
        /// What if every list allowed this many other edits (0 to 2)? Needs --ocr.
        #[arg(long, requires = "ocr")]
        edits: Option<u8>,
        /// The unit's traffic: each list's share becomes the hits a day it
        /// would raise on cars that stand on no list.
        #[arg(long)]
        passages_per_day: Option<u64>,
        /// Instead of --passages-per-day: a recording of the unit's reads
        /// (JSON Lines or CSV), sent through a unit with these lists and
        /// policy as `replay` sends it, whose passages a day stand for the
        /// traffic (at least a minute of event time).
        /// Repeat for a file per camera, as `replay --reads`.
        #[arg(long, conflicts_with = "passages_per_day")]
        reads: Vec<PathBuf>,
        /// With --reads: the camera of reads that name none, as `replay
        /// --camera` (one for each file).
        #[arg(long, value_name = "ID", requires = "reads")]
        camera: Vec<String>,
        /// With --reads: times without a UTC offset, as `replay
        /// --naive-times`.
        #[arg(long, value_enum, requires = "reads")]
        naive_times: Option<crate::reads::NaiveTimes>,
        /// With --passages-per-day or --reads: call out a list above this
        /// many such hits a day.
        #[arg(long, default_value_t = 5.0)]
        max_false_per_day: f64,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Score forwarded hits against ground truth.
    #[command(
        after_help = "Example:\n  hitgate eval --hits out/hits.jsonl --truth scen/truth.jsonl"
    )]
    Eval {
        /// hits.jsonl from replay.
        #[arg(long, required_unless_present = "gate", conflicts_with = "gate")]
        hits: Option<PathBuf>,
        /// Instead of --hits: the zone gate's decisions (`hitgate gate
        /// --out`), scored per recipient.
        #[arg(long)]
        gate: Option<PathBuf>,
        /// truth.jsonl from gen.
        #[arg(long)]
        truth: PathBuf,
        /// JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Also write each miss and each wrong, duplicate or late
        /// dispatch, with its hit and passage, to this file (JSON Lines).
        #[arg(long, conflicts_with = "gate")]
        cases: Option<PathBuf>,
        /// The reads file gen wrote: counts the unrelated dispatches of
        /// cars read in one frame (`dispatched_unrelated_one_frame`), and
        /// with --cases adds each case's reads as the camera sent them.
        #[arg(long, conflicts_with = "gate")]
        reads: Option<PathBuf>,
    },
    /// The zone's figures per day, month or year, from the central side's
    /// files: hits the units forwarded (listen's archives) and the zone
    /// gate's decisions. No plate in them.
    #[command(
        after_help = "Example:\n  hitgate indicators --hits delivered.jsonl --decisions decisions.jsonl --by month --from 2026-01-01 --to 2026-12-31\n\n\
        Hits count in the period of their event time; a hit purged by the retention in that of its\n\
        arrival, with its priority and what its unit did with it; a purged decision in its event's day.",
        group = clap::ArgGroup::new("files").required(true).multiple(true)
    )]
    Indicators {
        /// A listener's archive (`listen --out`); repeat for several.
        #[arg(long = "hits", group = "files")]
        hits: Vec<PathBuf>,
        /// The zone gate's decisions (`gate --out`) or a recipient's
        /// capture (`receive --out`); repeat for several.
        #[arg(long = "decisions", group = "files")]
        decisions: Vec<PathBuf>,
        /// The period.
        #[arg(long, value_enum, default_value = "month")]
        by: crate::indicators::Period,
        /// The first day counted (YYYY-MM-DD, UTC) or instant (RFC 3339).
        #[arg(long)]
        from: Option<String>,
        /// The last day counted, whole (YYYY-MM-DD, UTC), or the first
        /// instant not counted (RFC 3339).
        #[arg(long)]
        to: Option<String>,
        /// Also write the figures as a self-contained page (HTML, with
        /// pictures) to this file.
        #[arg(long, value_name = "FILE")]
        page: Option<PathBuf>,
        /// The zone's policy: its `[time]` offsets give the local weekday
        /// and hour of the P0 and P1 hits' week (UTC without).
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// JSON instead of the tables.
        #[arg(long)]
        json: bool,
    },
}

/// Parses `args` (program name first) and runs the command. Usage errors,
/// `--help` and `--version` come back as a [`clap::Error`] inside the error.
pub fn run<I, T>(args: I) -> Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = Cli::try_parse_from(args)?;
    dispatch(cli)
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Demo { out, seed, quiet } => crate::demo::run(out, seed, quiet),
        Command::Replay {
            inputs,
            out,
            strict,
            quiet,
            frames,
            max_false_per_day,
            tables,
            uplink,
        } => {
            if let Some(speed) = uplink.speed
                && !(speed.is_finite() && speed > 0.0)
            {
                return Err(anyhow!("--speed {speed}: a positive factor"));
            }
            let (pf, data, version, refused) = inputs.load()?;
            let speed = uplink.speed;
            let mut uplink = uplink.options()?;
            if let Some(u) = uplink.as_mut() {
                u.refused_images = refused;
            }
            let opts = ReplayOptions {
                strict,
                quiet,
                frames,
                version,
                tables: tables.sizes(),
                uplink,
                speed,
                max_false_per_day: Some(max_false_per_day),
                reading: inputs.reading(),
            };
            let report = replay(&inputs.reads, &data, &pf, &out, &opts)?;
            put!("{}", summary::render(&report));
            say!("wrote {}", out.display());
            Ok(())
        }
        Command::Compare {
            reads,
            lists,
            policies,
            out,
            capacity,
            list_version,
            tables,
            naive_times,
            camera,
        } => {
            let [pa, pb] = policies.as_slice() else {
                return Err(anyhow!(
                    "--policy: give two (A, then B), not {}",
                    policies.len()
                ));
            };
            let load = |p: &PathBuf| -> Result<(PolicyFile, ListsData)> {
                let pf = PolicyFile::load(p)?;
                let local = crate::reads::local_offsets(naive_times, &pf.places.offsets)?;
                let data = ListsData::load_with(&lists, &pf.lists, local)?.with_classes(pf.classes);
                Ok((pf, data))
            };
            let ((fa, la), (fb, lb)) = (load(pa)?, load(pb)?);
            let side = |name: &PathBuf, policy, lists| crate::compare::Side {
                name: name.display().to_string(),
                policy,
                lists,
            };
            let (a, b) = (side(pa, &fa, &la), side(pb, &fb, &lb));
            let r = crate::compare::compare(
                &reads,
                [&a, &b],
                &out,
                &tables.sizes(),
                list_version,
                capacity,
                &crate::reads::ReadOptions {
                    naive_times,
                    cameras: camera,
                },
            )?;
            let [ta, tb] = &r.totals;
            say!(
                "A dispatches {}, B {}; {} passages decided differently ({} forwarded only under B, {} only under A)",
                ta.dispatched.iter().sum::<u64>(),
                tb.dispatched.iter().sum::<u64>(),
                r.changed_total,
                r.added,
                r.removed
            );
            let input = crate::formats::InputStats {
                lines: r.lines,
                times_without_offset: r.times_without_offset,
                list_times_without_offset: la.times_without_offset,
                naive_times,
                folded_cameras: r.folded_cameras.clone(),
                ..Default::default()
            };
            for n in summary::naive_times_note(&input)
                .into_iter()
                .chain(summary::folded_cameras_notes(&input))
            {
                say!("note: {n}");
            }
            say!("wrote {}", out.display());
            Ok(())
        }
        Command::Listen(a) => central::listen(a),
        Command::Gate(a) => central::gate(a),
        Command::Receive(a) => central::receive(a),
        Command::Learn {
            reads,
            camera,
            window_ms,
            min_count,
            min_ratio,
            alpha,
            out,
            json,
        } => {
            if !(min_ratio.is_finite() && min_ratio > 0.0) {
                return Err(anyhow!("--min-ratio {min_ratio}: a number above 0"));
            }
            if !(alpha > 0.0 && alpha <= 1.0) {
                return Err(anyhow!("--alpha {alpha}: a probability above 0"));
            }
            let how = crate::reads::ReadOptions {
                naive_times: None,
                cameras: camera,
            };
            let l = crate::learn::learn(
                &reads,
                &how,
                &crate::learn::LearnOptions {
                    window_ms,
                    min_count,
                    min_ratio,
                    alpha,
                },
            )?;
            if let Some(path) = &out {
                std::fs::write(path, crate::learn::render(&l))
                    .with_context(|| format!("{}: cannot write", path.display()))?;
            }
            show(json, &l, crate::learn::render)
        }
        Command::Gen {
            out,
            seed,
            preset,
            hours,
            cameras,
            error_rate,
            volume,
            list_scale,
            decoys,
            bad_lines,
            single_frame,
            arrival,
            no_mobile,
            units,
        } => {
            let mut o = GenOptions::preset(&preset)
                .ok_or_else(|| anyhow!("unknown preset {preset:?} (demo, day, small)"))?;
            o.seed = seed;
            o.hours = hours.unwrap_or(o.hours);
            o.cameras = cameras.unwrap_or(o.cameras);
            o.error_rate = error_rate.unwrap_or(o.error_rate);
            o.volume = volume.unwrap_or(o.volume);
            o.list_scale = list_scale.unwrap_or(o.list_scale);
            o.decoys = decoys.unwrap_or(o.decoys);
            o.bad_lines = bad_lines.unwrap_or(o.bad_lines);
            o.single_frame = single_frame.unwrap_or(o.single_frame);
            o.arrival_field = arrival;
            o.mobile &= !no_mobile;
            let s = generate(&o, &out)?;
            say!(
                "wrote {}: {} reads in {} passages ({} of listed vehicles, {} of decoys), {} list entries",
                out.display(),
                s.reads,
                s.passages,
                s.listed_passages,
                s.decoy_passages,
                s.entries
            );
            if units {
                for (unit, n) in crate::scenario::split_units(&out)? {
                    match unit.as_str() {
                        "" => say!("  {n} lines without a camera are in no unit"),
                        u => say!("  unit {u}: {n} reads in units/{u}.jsonl"),
                    }
                }
            }
            Ok(())
        }
        Command::Prepare {
            inputs,
            out,
            reads_only,
        } => {
            let (pf, data, version, _) = inputs.load()?;
            let s = crate::bundle_file::prepare(
                &inputs.reads,
                &data,
                &pf,
                version,
                &out,
                reads_only,
                &inputs.reading(),
            )?;
            say!(
                "wrote {}: {} bytes, {} rules, {} entries, {} reads ({} bad lines left out)",
                out.display(),
                s.bytes,
                s.rules,
                s.entries,
                s.reads,
                s.input.bad_lines
            );
            for n in summary::naive_times_note(&s.input)
                .into_iter()
                .chain(summary::folded_cameras_notes(&s.input))
            {
                say!("note: {n}");
            }
            Ok(())
        }
        Command::Matrix(a) => matrix::matrix(a),
        Command::Explain(a) => matrix::explain(a),
        Command::Keygen { out } => {
            let (public, fp) = crate::signed_file::keygen(&out)?;
            say!(
                "wrote {} (secret, mode 0600) and {} (public); key {fp}",
                out.display(),
                public.display()
            );
            Ok(())
        }
        Command::Bundle(cmd) => bundle_command(cmd),
        Command::Lists {
            lists,
            policy,
            plates,
            seed,
            at,
            ocr,
            edits,
            passages_per_day,
            reads,
            camera,
            naive_times,
            max_false_per_day,
            json,
        } => {
            let pf = PolicyFile::load_or_baseline(policy.as_deref())?;
            let data = ListsData::load(&lists, &pf.lists)?;
            let traffic = match reads.first() {
                Some(first) => {
                    let (t, bad) = crate::replay::traffic(
                        &reads,
                        &data,
                        &pf,
                        crate::replay::TableSizes::default(),
                        &crate::reads::ReadOptions {
                            naive_times,
                            cameras: camera,
                        },
                    )?;
                    // The recording by its first file, and how many more.
                    let named = match reads.len() {
                        1 => first.display().to_string(),
                        n => format!("{} and {} more", first.display(), n - 1),
                    };
                    if bad > 0 {
                        eprintln!(
                            "{named}: {bad} bad line{} skipped",
                            if bad == 1 { "" } else { "s" }
                        );
                    }
                    if t.passages_per_day.is_none() {
                        return Err(anyhow!(
                            "{named}: {} reads over {:.0} s of event time: too short to say what a day holds \
                             (at least a minute); give --passages-per-day",
                            t.reads,
                            t.hours * 3600.0
                        ));
                    }
                    Some(t)
                }
                None => None,
            };
            let passages_per_day = traffic.map_or(passages_per_day, |t| t.passages_per_day);
            let at = match at {
                Some(t) => crate::time::parse_ts(&t)?,
                None => crate::time::now_ms(),
            };
            let o = width::WidthOptions {
                plates,
                seed,
                at,
                instead: ocr.zip(edits),
                passages_per_day,
                max_false_per_day,
            };
            let mut w = width::measure_lists(&data, &o)?;
            w.traffic = traffic;
            show(json, &w, width::render)
        }
        Command::Eval {
            hits,
            gate,
            truth,
            json,
            cases,
            reads,
        } => match (hits, gate) {
            (_, Some(gate)) => {
                let e = eval::evaluate_gate(&gate, &truth)?;
                show(json, &e, eval::render_gate)
            }
            (Some(hits), None) => {
                let mut e = eval::evaluate(&hits, &truth)?;
                if let Some(reads) = reads {
                    eval::attach_reads(&mut e.cases, &reads)?;
                    eval::count_unrelated_one_frame(&mut e);
                }
                if let Some(path) = cases {
                    eval::write_cases(&e.cases, &path)?;
                    eprintln!(
                        "eval: {} cases written to {}",
                        e.cases.len(),
                        path.display()
                    );
                }
                show(json, &e, eval::render)
            }
            (None, None) => Err(anyhow!("give --hits or --gate")),
        },
        Command::Indicators {
            hits,
            decisions,
            by,
            from,
            to,
            page,
            policy,
            json,
        } => {
            let from = from
                .map(|f| crate::indicators::bound(&f, false).context("--from"))
                .transpose()?;
            let until = to
                .map(|t| crate::indicators::bound(&t, true).context("--to"))
                .transpose()?;
            if let (Some(f), Some(u)) = (from, until)
                && u <= f
            {
                return Err(anyhow!("--to is not after --from: nothing to count"));
            }
            let x = crate::indicators::indicators(&crate::indicators::IndicatorOptions {
                hits,
                decisions,
                by,
                from,
                until,
                offsets: policy
                    .map(|p| PolicyFile::load(&p).map(|pf| pf.places.offsets))
                    .transpose()?,
            })?;
            if let Some(path) = &page {
                crate::signed_file::write_atomically(
                    path,
                    crate::indicators::page::render(&x)?.as_bytes(),
                )?;
            }
            show(json, &x, crate::indicators::render)
        }
    }
}

/// Prints `value` as JSON, or as the table `render` makes of it.
pub(super) fn show<T: serde::Serialize>(
    json: bool,
    value: &T,
    render: fn(&T) -> String,
) -> Result<()> {
    if json {
        say!("{}", serde_json::to_string_pretty(value)?);
    } else {
        put!("{}", render(value));
    }
    Ok(())
}
