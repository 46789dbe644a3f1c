//! Watchlist files (CSV): `plate,country,priority,list,valid_from,valid_until`.
//!
//! `country`, `valid_from` and `valid_until` may be empty; times are RFC 3339
//! (UTC). `list` names a list declared in the policy file; without a policy
//! file every list name found is declared with default properties.

use std::path::{Path, PathBuf};

use crate::input::{CsvSplitter, Header, Input, trim_line};
use crate::policy_file::{ListDecl, default_list};
use crate::time::{instant, parse_written};
use anyhow::{Result, anyhow, bail};
use hitgate_core::{
    confusion::ConfusionClasses, list::ListEntry, list::ListId, list::Priority, plate::Country,
    plate::Plate, watchlist::Entry, watchlist::FENCES_PAY_ABOVE, watchlist::Watchlist,
    watchlist::WatchlistBuilder, watchlist::fence_words,
};

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
    /// The engine's look-alike classes the index is built with (the
    /// policy's `[ocr] classes`).
    pub classes: ConfusionClasses,
    /// Entries whose `valid_from` or `valid_until` was written without a
    /// UTC offset.
    pub times_without_offset: u64,
}

/// Column positions of a lists file, from its header.
struct Columns {
    plate: usize,
    country: Option<usize>,
    priority: usize,
    list: usize,
    valid_from: Option<usize>,
    valid_until: Option<usize>,
}

impl Columns {
    fn of(split: &CsvSplitter) -> Result<Self, String> {
        // A plate and its country go by the names they have in reads.
        let h = Header::of(split)?;
        Ok(Self {
            plate: h.need("plate", crate::reads::aliases("plate"))?,
            country: h.find("country", crate::reads::aliases("country"))?,
            priority: h.need("priority", &[])?,
            list: h.need("list", &[])?,
            valid_from: h.find("valid_from", &[])?,
            valid_until: h.find("valid_until", &[])?,
        })
    }
}

impl ListsData {
    /// Writes the bundle records of these lists under `pf`'s settings,
    /// classes, places and rules ([`hitgate_core::bundle::write_config`]),
    /// each record to `put`: what a bundle and a signed image both begin
    /// with.
    pub fn write_config<E: From<hitgate_core::bundle::BundleError>>(
        &self,
        version: u32,
        pf: &crate::policy_file::PolicyFile,
        put: impl FnMut(&[u8]) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let specs: Vec<_> = self
            .decls
            .iter()
            .map(|d| (d.name.as_str(), d.spec))
            .collect();
        hitgate_core::bundle::write_config(
            version,
            &pf.config,
            &pf.classes,
            &pf.places.view(),
            &pf.policy,
            &specs,
            &self.entries,
            put,
        )
    }

    /// The same lists with the policy's look-alike classes.
    pub fn with_classes(mut self, classes: ConfusionClasses) -> Self {
        self.classes = classes;
        self
    }

    /// Reads list files. With `declared` lists, an unknown list name is an
    /// error; without, names are declared as they come. A file is CSV with
    /// a header, plain or gzip, one entry a line of at most
    /// [`MAX_LINE`](crate::input::MAX_LINE) bytes; the first bad line stops
    /// the load with its file and line.
    pub fn load(files: &[PathBuf], declared: &[ListDecl]) -> Result<Self> {
        Self::load_with(files, declared, None)
    }

    /// As [`ListsData::load`], a validity time written without a UTC
    /// offset read as local time on `local` (as UTC without), and counted
    /// ([`ListsData::times_without_offset`]).
    pub fn load_with(
        files: &[PathBuf],
        declared: &[ListDecl],
        local: Option<&hitgate_core::place::Offsets>,
    ) -> Result<Self> {
        let mut this = Self {
            decls: declared.to_vec(),
            ..Self::default()
        };
        let fixed = !declared.is_empty();
        for (fi, path) in files.iter().enumerate() {
            this.files.push(path.clone());
            let mut input = Input::open(path)?;
            let mut split = CsvSplitter::default();
            let mut buf = Vec::new();
            let mut line = 0u64;
            let mut cols: Option<Columns> = None;
            loop {
                let (n, whole) = input.next_line(&mut buf, line)?;
                if n == 0 {
                    break;
                }
                line += 1;
                let at = || format!("{}:{line}", path.display());
                if !whole {
                    bail!(
                        "{}: line longer than {} bytes",
                        at(),
                        crate::input::MAX_LINE
                    );
                }
                let text = trim_line(&buf);
                if text.is_empty() {
                    continue;
                }
                if cols.is_none() {
                    split = CsvSplitter::for_header(text);
                }
                split.split(text).map_err(|e| anyhow!("{}: {e}", at()))?;
                let Some(c) = cols.as_ref() else {
                    cols = Some(Columns::of(&split).map_err(|e| anyhow!("{}: {e}", at()))?);
                    continue;
                };
                let field = |i: usize| -> Result<&str> {
                    std::str::from_utf8(split.field(i)).map_err(|_| anyhow!("{}: not UTF-8", at()))
                };
                let opt = |i: Option<usize>| -> Result<Option<&str>> {
                    match i {
                        Some(i) if !split.field(i).is_empty() => field(i).map(Some),
                        _ => Ok(None),
                    }
                };
                let list = field(c.list)?;
                if list.is_empty() {
                    bail!("{}: the list name is empty", at());
                }
                let id = match this.decls.iter().position(|d| d.name == list) {
                    Some(i) => i,
                    None if fixed => {
                        bail!("{}: list {list:?} is not declared in the policy", at())
                    }
                    None => {
                        if this.decls.len() >= hitgate_core::list::MAX_LISTS {
                            bail!(
                                "{}: more than {} lists",
                                at(),
                                hitgate_core::list::MAX_LISTS
                            );
                        }
                        this.decls.push(default_list(list));
                        this.decls.len() - 1
                    }
                };
                let plate =
                    Plate::normalize(split.field(c.plate)).map_err(|e| anyhow!("{}: {e}", at()))?;
                let country = match opt(c.country)? {
                    None => None,
                    Some(c) => Some(
                        Country::recognise(c.as_bytes()).map_err(|e| anyhow!("{}: {e}", at()))?,
                    ),
                };
                // `1` or, as the platform's screens and reports name it, `P1`.
                let priority = field(c.priority)?;
                let priority = priority
                    .strip_prefix(['P', 'p'])
                    .unwrap_or(priority)
                    .parse::<u8>()
                    .ok()
                    .and_then(Priority::new)
                    .ok_or_else(|| anyhow!("{}: priority must be 0 to 4 (or P0 to P4)", at()))?;
                // A time and whether it was written without an offset.
                let when = |i: Option<usize>| -> Result<(Option<u64>, bool)> {
                    let Some(t) = opt(i)? else {
                        return Ok((None, false));
                    };
                    let bad =
                        |e: &dyn std::fmt::Display| anyhow!("{}: bad timestamp {t:?}: {e}", at());
                    let (clock, offset) = parse_written(t).map_err(|e| bad(&e))?;
                    let ms = instant(clock, offset, local).ok_or_else(|| bad(&"before 1970"))?;
                    Ok((Some(ms), offset.is_none()))
                };
                let mut entry = ListEntry::new(plate, country, priority, ListId(id as u8));
                let (from, naive_from) = when(c.valid_from)?;
                let (until, naive_until) = when(c.valid_until)?;
                entry.valid_from = from;
                entry.valid_until = until;
                this.times_without_offset += u64::from(naive_from || naive_until);
                this.entries.push(entry);
                this.origins.push((fi, line));
            }
            if cols.is_none() {
                bail!("{}: no header line", path.display());
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

    /// Words of fences the index is built with: about half a byte an
    /// entry ([`fence_words`]) when more than [`FENCES_PAY_ABOVE`] entries
    /// stand on lists that allow an edit, none otherwise. Only their
    /// searches use fences; the lists without edits are found through
    /// their directory.
    pub fn fence_words(&self) -> usize {
        let tolerant = self
            .entries
            .iter()
            .filter(|e| {
                self.decls
                    .get(e.list.index())
                    .is_some_and(|d| d.spec.tolerance.edits > 0)
            })
            .count();
        if tolerant > FENCES_PAY_ABOVE {
            fence_words(self.entries.len(), 16)
        } else {
            0
        }
    }

    /// Builds the indexed watchlist and runs `f` with it. Storage is boxed
    /// slices sized to the entries: 24 bytes an entry, a byte an entry of
    /// membership filter and the fences of [`ListsData::fence_words`].
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
        // Fences every sixteenth entry when the lists that allow an edit
        // are large, so their searches skip most of a binary search.
        let mut fences = vec![0u32; self.fence_words()].into_boxed_slice();
        let mut b = WatchlistBuilder::new(&mut storage, &mut index, self.classes);
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
