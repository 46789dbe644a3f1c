//! `hitgate demo`: the main job on a fresh clone. A morning of generated
//! traffic, replayed as one roadside unit under the Brussels baseline,
//! scored against its ground truth, with every file it wrote listed.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::lists::ListsData;
use crate::policy_file::PolicyFile;
use crate::replay::{ReplayOptions, replay};
use crate::scenario::{GenOptions, generate};
use crate::{eval, summary, width};

/// Generates the demo scenario, replays it as one roadside unit, scores
/// it and shows how wide each list's tolerance is.
pub fn run(out: PathBuf, seed: u64, quiet: bool) -> Result<()> {
    let scen = out.join("scenario");
    let res = out.join("replay");
    let mut o = GenOptions::preset("demo").context("demo preset")?;
    o.seed = seed;
    let s = generate(&o, &scen)?;
    say!(
        "scenario: {} reads from {} cameras over {} hours, {} list entries, {} decoy passages",
        s.reads,
        o.cameras + usize::from(o.mobile),
        o.hours,
        s.entries,
        s.decoy_passages
    );
    let pf = PolicyFile::load(&scen.join("policy.toml"))?;
    let data = ListsData::load(&[scen.join("lists.csv")], &pf.lists)?;
    let opts = ReplayOptions {
        quiet,
        frames: true,
        ..ReplayOptions::default()
    };
    let report = replay(&[scen.join("reads.jsonl")], &data, &pf, &res, &opts)?;
    say!("\n== replay (Brussels baseline, consensus mode)");
    put!("{}", summary::render(&report));
    let e = eval::evaluate(&res.join("hits.jsonl"), &scen.join("truth.jsonl"))?;
    say!("\n== evaluation against ground truth");
    put!("{}", eval::render(&e));
    let wo = width::WidthOptions {
        plates: 10_000,
        seed,
        at: o.start,
        instead: None,
        // The scenario's own traffic, as a day.
        passages_per_day: Some((s.passages as f64 * 24.0 / o.hours).round() as u64),
        max_false_per_day: 5.0,
    };
    say!("\n== how wide each list's tolerance is (hitgate lists)");
    put!("{}", width::render(&width::measure_lists(&data, &wo)?));
    say!("\nfiles:");
    say!(
        "  scenario  {}/{{reads.jsonl,lists.csv,policy.toml,truth.jsonl}}",
        scen.display()
    );
    say!("  hits      {}", res.join("hits.jsonl").display());
    say!("  frames    {}", res.join("hits.frames").display());
    say!("  report    {}", res.join("report.json").display());
    say!("  picture   {}", res.join("report.svg").display());
    say!("  page      {}", res.join("report.html").display());
    Ok(())
}
