//! `hitgate bundle`: signed list images, built, compared, checked and
//! shown.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;

use super::show;
use crate::lists::ListsData;
use crate::policy_file::PolicyFile;

#[derive(Subcommand)]
pub(super) enum BundleCommand {
    /// Sign the lists, the matrix and the settings as one full image.
    #[command(
        after_help = "Example:\n  hitgate bundle build --lists lists.csv --policy policy.toml --list-version 7 \\\n    --key zone-lists.key --out lists-7.hgsb"
    )]
    Build {
        /// Watchlists (CSV); repeat for several files.
        #[arg(long = "lists", required = true)]
        lists: Vec<PathBuf>,
        /// Policy (TOML). Without it, the Brussels baseline.
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Version of the lists: higher than any a unit has taken.
        #[arg(long)]
        list_version: u32,
        /// The secret key (`hitgate keygen`).
        #[arg(long)]
        key: PathBuf,
        /// The image to write.
        #[arg(long)]
        out: PathBuf,
        /// How to read a list's validity time written without a UTC
        /// offset: as UTC, or as local time on the policy's [time]
        /// offsets. Unset: as UTC, and it says how many entries had one.
        #[arg(long, value_enum)]
        naive_times: Option<crate::reads::NaiveTimes>,
    },
    /// Sign the entries that changed between two full images as a delta.
    #[command(
        after_help = "Example:\n  hitgate bundle delta --from lists-7.hgsb --to lists-8.hgsb --key zone-lists.key --out delta-7-8.hgsb"
    )]
    Delta {
        /// The full image in force on the units.
        #[arg(long)]
        from: PathBuf,
        /// The full image of the new version.
        #[arg(long)]
        to: PathBuf,
        /// The secret key both were signed with.
        #[arg(long)]
        key: PathBuf,
        /// The delta to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check an image as a unit would; exit status 1 when refused.
    #[command(
        after_help = "Example:\n  hitgate bundle verify lists-8.hgsb --public zone-lists.key.pub --active 7"
    )]
    Verify {
        /// The image.
        image: PathBuf,
        /// The public key units are provisioned with.
        #[arg(long)]
        public: PathBuf,
        /// The version in force on the unit: a full image must be newer, a
        /// delta must apply to it.
        #[arg(long)]
        active: Option<u32>,
    },
    /// Show what an image holds: versions, signer, lists and counts.
    #[command(
        after_help = "Example:\n  hitgate bundle inspect lists-8.hgsb --public zone-lists.key.pub\n\n\
        Plates are shown only with --plates."
    )]
    Inspect {
        /// The image.
        image: PathBuf,
        /// Check the signature with this public key.
        #[arg(long)]
        public: Option<PathBuf>,
        /// Also list the plates (a delta's: - removed, + added).
        #[arg(long)]
        plates: bool,
        /// JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn bundle_command(cmd: BundleCommand) -> Result<()> {
    use crate::signed_file as sf;
    match cmd {
        BundleCommand::Build {
            lists,
            policy,
            list_version,
            key,
            out,
            naive_times,
        } => {
            let key = sf::load_secret(&key)?;
            let pf = PolicyFile::load_or_baseline(policy.as_deref())?;
            let local = crate::reads::local_offsets(naive_times, &pf.places.offsets)?;
            let data = ListsData::load_with(&lists, &pf.lists, local)?;
            let input = crate::formats::InputStats {
                list_times_without_offset: data.times_without_offset,
                naive_times,
                ..Default::default()
            };
            if let Some(n) = crate::summary::naive_times_note(&input) {
                say!("note: {n}");
            }
            let image = sf::build_image(&data, &pf, list_version, crate::time::now_ms(), &key)?;
            sf::write_atomically(&out, &image)?;
            say!(
                "wrote {}: version {list_version}, {} entries, {} rules, {} bytes, signed by {}",
                out.display(),
                data.entries.len(),
                pf.policy.rules.len(),
                image.len(),
                sf::fingerprint(&key.verifying_key().to_bytes())
            );
            Ok(())
        }
        BundleCommand::Delta { from, to, key, out } => {
            let key = sf::load_secret(&key)?;
            let read = |p: &PathBuf| {
                std::fs::read(p).with_context(|| format!("{}: cannot read", p.display()))
            };
            let (image, s) = sf::make_delta(&read(&from)?, &read(&to)?, &key)?;
            sf::write_atomically(&out, &image)?;
            say!(
                "wrote {}: version {} to {}, {} removed, {} added, {} bytes (the full image: {})",
                out.display(),
                s.base,
                s.version,
                s.removed,
                s.added,
                s.bytes,
                s.full_bytes
            );
            Ok(())
        }
        BundleCommand::Verify {
            image,
            public,
            active,
        } => {
            let key = sf::load_public(&public)?;
            let v = sf::verify(&image, &key, active)?;
            say!("{}: {v}", image.display());
            Ok(())
        }
        BundleCommand::Inspect {
            image,
            public,
            plates,
            json,
        } => {
            let key = public.as_deref().map(sf::load_public).transpose()?;
            let i = sf::inspect(&image, key.as_ref(), plates)?;
            show(json, &i, sf::render)
        }
    }
}
