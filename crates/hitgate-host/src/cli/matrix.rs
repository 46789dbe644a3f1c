//! `hitgate matrix` and `hitgate explain`: the decision matrix in words,
//! and what it does with one hit.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use clap::Args;

use super::show;
use crate::policy_file::PolicyFile;

/// `hitgate explain --help`'s example and notes.
pub(super) const EXPLAIN_HELP: &str = "Example:\n  hitgate explain --policy policy.toml --priority 2 --list insurance --camera mobile-1 \\\n      \
        --at 2026-01-05T07:30:00Z --position 50.8467,4.3525\n\n\
        The zones, schedules and operations come from the policy, as a unit works them out: a\n\
        fixed camera's position from its [[camera]], a mobile read's from --position, local time\n\
        from [time]. What comes after the matrix (a late hit, a budget, a look-alike, a repeat)\n\
        depends on the traffic: `hitgate compare` replays a recording under two policies.";

/// `hitgate matrix`.
#[derive(Args)]
pub(super) struct MatrixArgs {
    /// Policy (TOML); without it, the Brussels baseline.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Fail (exit status 1) when the matrix says anything against
    /// itself: for the checks of a zone's repository of policies.
    #[arg(long)]
    check: bool,
    /// An earlier policy (TOML) with the same lists and places: say which
    /// hits this one decides otherwise, from the rules alone.
    #[arg(long, value_name = "FILE")]
    against: Option<PathBuf>,
}

/// `hitgate explain`.
#[derive(Args)]
pub(super) struct ExplainArgs {
    /// Policy (TOML); without it, the Brussels baseline.
    #[arg(long)]
    policy: Option<PathBuf>,
    /// The hit's priority, 0 to 4.
    #[arg(long)]
    priority: u8,
    /// The list it stands on, as the policy declares it (without: a list no rule names).
    #[arg(long)]
    list: Option<String>,
    /// The plate also stands on a local list.
    #[arg(long)]
    local: bool,
    /// How it matched.
    #[arg(long, value_enum, default_value = "exact")]
    kind: Kind,
    /// The camera.
    #[arg(long)]
    camera: String,
    /// When its passage's first read was taken (RFC 3339).
    #[arg(long)]
    at: String,
    /// A mobile read's position, LAT,LON in degrees (a fixed camera's is in the policy).
    #[arg(long, value_name = "LAT,LON")]
    position: Option<String>,
    /// Reads the hit rests on (1 or more).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    reads: u16,
    /// Whether the plate as read spells a plate of its country's formats.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, conflicts_with = "plate")]
    read_fits: bool,
    /// The plate as read: whether it spells a plate of its country's
    /// formats is then worked out as a unit works it out.
    #[arg(long)]
    plate: Option<String>,
    /// With --plate: its country, two letters (without: any known
    /// country's formats).
    #[arg(long, requires = "plate")]
    country: Option<String>,
    /// Seconds after the car passed that the hit reaches the zone gate: a
    /// recipient's max_delay_s turns a dispatch into a late review for it.
    #[arg(long, default_value_t = 0.0)]
    delay_s: f64,
    /// JSON instead of lines.
    #[arg(long)]
    json: bool,
}

/// The matrix in words, its notes included (so they are not said twice,
/// on standard error too).
pub(super) fn matrix(a: MatrixArgs) -> Result<()> {
    let pf = match &a.policy {
        Some(p) => PolicyFile::read(p)?,
        None => PolicyFile::baseline(),
    };
    // The earlier file first: a refusal comes before any output.
    let against = match &a.against {
        Some(path) => {
            let earlier = PolicyFile::read(path)?;
            let name = path.display().to_string();
            Some(crate::explain::against(&earlier, &name, &pf)?)
        }
        None => None,
    };
    put!("{}", crate::explain::matrix(&pf));
    if let Some(against) = against {
        put!("{against}");
    }
    match pf.notes().len() {
        n if a.check && n > 0 => Err(anyhow!(
            "--check: the matrix says {n} thing(s) against itself (the notes above)"
        )),
        _ => Ok(()),
    }
}

/// One hit put to the matrix.
pub(super) fn explain(a: ExplainArgs) -> Result<()> {
    if !(a.delay_s.is_finite() && a.delay_s >= 0.0) {
        return Err(anyhow!("--delay-s {}: seconds, 0 or more", a.delay_s));
    }
    let pf = PolicyFile::load_or_baseline(a.policy.as_deref())?;
    let hit = crate::explain::Hit {
        priority: a.priority,
        list: a.list,
        local: a.local,
        kind: a.kind.into(),
        camera: a.camera,
        at: a.at,
        position: a.position,
        reads: a.reads,
        read_fits: a.read_fits,
        plate: a.plate.map(|p| (p, a.country)),
        delay_ms: (a.delay_s * 1000.0) as u64,
    };
    show(
        a.json,
        &crate::explain::explain(&pf, &hit)?,
        crate::explain::text,
    )
}

/// How a hit matched (`hitgate explain --kind`).
#[derive(Clone, Copy, clap::ValueEnum)]
enum Kind {
    /// The plate as listed.
    Exact,
    /// With look-alike characters.
    Ocr,
    /// With other edits.
    Edit,
}

impl From<Kind> for hitgate_core::watchlist::MatchKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Exact => Self::Exact,
            Kind::Ocr => Self::Ocr,
            Kind::Edit => Self::Edit,
        }
    }
}
