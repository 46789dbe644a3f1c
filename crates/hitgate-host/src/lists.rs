//! Watchlist files (CSV): `plate,country,priority,list,valid_from,valid_until`.
//!
//! `country`, `valid_from` and `valid_until` may be empty; times are RFC 3339
//! (UTC). `list` names a list declared in the policy file; without a policy
//! file every list name found is declared with default properties.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use hitgate_core::{
    ConfusionClasses, Country, Entry, FENCES_PAY_ABOVE, ListEntry, ListId, Plate, Priority,
    Watchlist, WatchlistBuilder, fence_words,
};
use serde::Deserialize;

use crate::policy_file::{ListDecl, default_list};
use crate::time::parse_ts;

/// Entries read from one or more list files, not yet indexed.
#[derive(Debug, Clone, Default)]
pub struct ListsData {
    /// Lists by id.
    pub decls: Vec<ListDecl>,
    /// Entries in file order.
    pub entries: Vec<ListEntry>,
    /// (file index, line number) of each entry.
    pub origins: Vec<(usize, u64)>,
    /// The files.
    pub files: Vec<PathBuf>,
}

#[derive(Deserialize)]
struct Row {
    plate: String,
    #[serde(default)]
    country: Option<String>,
    priority: u8,
    list: String,
    #[serde(default)]
    valid_from: Option<String>,
    #[serde(default)]
    valid_until: Option<String>,
}

impl ListsData {
    /// Reads list files. With `declared` lists, an unknown list name is an
    /// error; without, names are declared as they come.
    pub fn load(files: &[PathBuf], declared: &[ListDecl]) -> Result<Self> {
        let mut this = Self {
            decls: declared.to_vec(),
            ..Self::default()
        };
        let fixed = !declared.is_empty();
        for (fi, path) in files.iter().enumerate() {
            this.files.push(path.clone());
            let file = crate::reads::open(path)?;
            let mut rdr = csv::ReaderBuilder::new()
                .trim(csv::Trim::All)
                .from_reader(file);
            let headers = rdr
                .headers()
                .with_context(|| format!("{}: cannot read header", path.display()))?
                .clone();
            for need in ["plate", "priority", "list"] {
                if !headers.iter().any(|h| h == need) {
                    bail!("{}:1: missing column {need:?}", path.display());
                }
            }
            let mut record = csv::StringRecord::new();
            loop {
                let more = rdr
                    .read_record(&mut record)
                    .map_err(|e| anyhow!("{}: {e}", path.display()))?;
                if !more {
                    break;
                }
                let line = record.position().map_or(0, |p| p.line());
                let at = || format!("{}:{line}", path.display());
                let row: Row = record
                    .deserialize(Some(&headers))
                    .map_err(|e| anyhow!("{}: {e}", at()))?;
                let id = match this.decls.iter().position(|d| d.name == row.list) {
                    Some(i) => i,
                    None if fixed => bail!(
                        "{}: list {:?} is not declared in the policy",
                        at(),
                        row.list
                    ),
                    None => {
                        if this.decls.len() >= hitgate_core::MAX_LISTS {
                            bail!("{}: more than {} lists", at(), hitgate_core::MAX_LISTS);
                        }
                        this.decls.push(default_list(&row.list));
                        this.decls.len() - 1
                    }
                };
                let plate =
                    Plate::normalize(row.plate.as_bytes()).map_err(|e| anyhow!("{}: {e}", at()))?;
                let country = match row.country.as_deref() {
                    None | Some("") => None,
                    Some(c) => {
                        Some(Country::parse(c.as_bytes()).map_err(|e| anyhow!("{}: {e}", at()))?)
                    }
                };
                let priority = Priority::new(row.priority)
                    .ok_or_else(|| anyhow!("{}: priority must be 0 to 4", at()))?;
                let when = |s: &Option<String>| -> Result<Option<u64>> {
                    match s.as_deref() {
                        None | Some("") => Ok(None),
                        Some(t) => parse_ts(t).map(Some).map_err(|e| anyhow!("{}: {e}", at())),
                    }
                };
                let mut entry = ListEntry::new(plate, country, priority, ListId(id as u8));
                entry.valid_from = when(&row.valid_from)?;
                entry.valid_until = when(&row.valid_until)?;
                this.entries.push(entry);
                this.origins.push((fi, line));
            }
        }
        Ok(this)
    }

    fn origin(&self, i: u32) -> String {
        match self.origins.get(i as usize) {
            Some(&(f, line)) => format!(
                "{}:{line}",
                self.files.get(f).map_or(Path::new("?"), |p| p).display()
            ),
            None => "?".into(),
        }
    }

    /// Builds the indexed watchlist and runs `f` with it. Storage is boxed
    /// slices sized to the entries: 24 bytes an entry, a byte an entry of
    /// membership filter and, above [`FENCES_PAY_ABOVE`] entries, about half
    /// a byte an entry of fences ([`fence_words`]).
    pub fn with_watchlist<R>(
        &self,
        version: u32,
        f: impl FnOnce(&Watchlist<'_>) -> R,
    ) -> Result<R> {
        let n = self.entries.len();
        let mut storage = vec![Entry::EMPTY; n].into_boxed_slice();
        let mut index = vec![0u32; n].into_boxed_slice();
        // A membership filter of a byte an entry, in front of the exact
        // searches.
        let mut filter = vec![0u64; n / 8 + 1].into_boxed_slice();
        // Fences every sixteenth entry in a large list, so searches skip
        // most of a binary search.
        let fence_words = if n > FENCES_PAY_ABOVE {
            fence_words(n, 16)
        } else {
            0
        };
        let mut fences = vec![0u32; fence_words].into_boxed_slice();
        let mut b = WatchlistBuilder::new(&mut storage, &mut index, ConfusionClasses::default());
        b.set_filter(&mut filter);
        b.set_fences(&mut fences);
        b.set_version(version);
        for d in &self.decls {
            b.add_list(d.spec)
                .map_err(|e| anyhow!("list {:?}: {e}", d.name))?;
        }
        for (i, e) in self.entries.iter().enumerate() {
            b.insert(*e)
                .map_err(|err| anyhow!("{}: {err}", self.origin(i as u32)))?;
        }
        let wl = match b.build() {
            Ok(wl) => wl,
            Err((_, dup)) => {
                let list = self
                    .decls
                    .get(dup.list.index())
                    .map_or("?", |d| d.name.as_str());
                bail!(
                    "{}: plate {} stands twice on list {list:?} (first at {}; {} duplicate(s) in all)",
                    self.origin(dup.second),
                    dup.plate,
                    self.origin(dup.first),
                    dup.count
                );
            }
        };
        Ok(f(&wl))
    }

    /// List names by id.
    pub fn names(&self) -> Vec<String> {
        self.decls.iter().map(|d| d.name.clone()).collect()
    }
}
