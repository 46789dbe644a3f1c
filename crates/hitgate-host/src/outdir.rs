//! An output directory that never holds a mix of two runs.
//!
//! - One run at a time: the directory is locked (`flock`) while a run writes
//!   to it; a second run into the same directory is refused, not
//!   interleaved. The lock goes with the process, so a killed run leaves
//!   none behind.
//! - Outputs are written to hidden temporary files beside their place
//!   (`.hitgate-NAME-XXXXXX.tmp`, created new, never through a link) and
//!   renamed into place only when the run has succeeded and every byte is
//!   flushed and synced. A rename replaces a planted symbolic link instead
//!   of writing through it.
//! - The report is removed first and renamed last: a `report.json` exists
//!   only beside the outputs of its own run. Outputs of an earlier run that
//!   this run does not write (say `hits.frames` without `--frames`) are
//!   removed, not left beside the new ones.
//! - A failed run leaves the earlier run's outputs as they were; its own
//!   temporary files are removed (by the next run, after a kill).
//! - An input that is one of the outputs is refused before anything is
//!   written.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

const TMP_PREFIX: &str = ".hitgate-";
const TMP_SUFFIX: &str = ".tmp";

/// A locked output directory and the outputs staged in it.
#[derive(Debug)]
pub struct OutDir {
    dir: PathBuf,
    /// Held open for the lock.
    _lock: File,
    /// Every output name a run of this kind may leave, report last.
    names: &'static [&'static str],
    staged: Vec<(&'static str, tempfile::NamedTempFile)>,
}

impl OutDir {
    /// Creates and locks `dir` for outputs called `names` (the report
    /// last), after checking that no `inputs` is one of them.
    pub fn open(dir: &Path, names: &'static [&'static str], inputs: &[&Path]) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
        for name in names {
            let out = dir.join(name);
            for input in inputs {
                if same_file(input, &out) {
                    bail!(
                        "{}: is also an output of this run ({}); choose another --out",
                        input.display(),
                        out.display()
                    );
                }
            }
        }
        let lock = File::open(dir).with_context(|| format!("{}: cannot open", dir.display()))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => bail!(
                "{}: another hitgate run is writing there; wait for it or choose another --out",
                dir.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("{}: cannot lock", dir.display()));
            }
        }
        // Temporary files of a run that was killed: nobody else writes here
        // while we hold the lock.
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let n = e.file_name();
                let n = n.to_string_lossy();
                if n.starts_with(TMP_PREFIX) && n.ends_with(TMP_SUFFIX) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            _lock: lock,
            names,
            staged: Vec::new(),
        })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// A new temporary file that becomes `name` at [`OutDir::commit`].
    pub fn create(&mut self, name: &'static str) -> Result<BufWriter<File>> {
        let tmp = tempfile::Builder::new()
            .prefix(&format!("{TMP_PREFIX}{name}-"))
            .suffix(TMP_SUFFIX)
            .tempfile_in(&self.dir)
            .with_context(|| format!("{}: cannot create", self.dir.join(name).display()))?;
        let f = tmp
            .reopen()
            .with_context(|| format!("{}: cannot create", self.dir.join(name).display()))?;
        self.staged.push((name, tmp));
        Ok(BufWriter::with_capacity(1 << 16, f))
    }

    /// Writes `bytes` as `name` (staged like [`OutDir::create`]).
    pub fn write(&mut self, name: &'static str, bytes: &[u8]) -> Result<()> {
        let mut w = self.create(name)?;
        w.write_all(bytes)
            .and_then(|()| w.flush())
            .with_context(|| format!("{}: cannot write", self.dir.join(name).display()))
    }

    /// Flushes `w` (from [`OutDir::create`] for `name`) and syncs it to
    /// disk: every write error surfaces here, naming the file.
    pub fn finish(&self, name: &str, w: BufWriter<File>) -> Result<()> {
        let at = || format!("{}: cannot write", self.dir.join(name).display());
        let f = w
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(at)?;
        f.sync_all().with_context(at)
    }

    /// Puts every staged file in place: the old report goes first, then
    /// earlier outputs this run did not write, then the new files, the
    /// report last (the order of `names`).
    pub fn commit(mut self) -> Result<()> {
        for tmp in &self.staged {
            tmp.1
                .as_file()
                .sync_all()
                .with_context(|| format!("{}: cannot write", self.dir.join(tmp.0).display()))?;
        }
        let report = self.names.last().copied();
        for name in report.into_iter().chain(
            self.names
                .iter()
                .copied()
                .filter(|n| !self.staged.iter().any(|s| s.0 == *n)),
        ) {
            let p = self.dir.join(name);
            match std::fs::remove_file(&p) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e).with_context(|| format!("{}: cannot remove", p.display())),
            }
        }
        for name in self.names {
            if let Some(i) = self.staged.iter().position(|s| s.0 == *name) {
                let (name, tmp) = self.staged.swap_remove(i);
                let p = self.dir.join(name);
                tmp.persist(&p)
                    .map_err(|e| e.error)
                    .with_context(|| format!("{}: cannot write", p.display()))?;
            }
        }
        // Make the renames durable.
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// Are `a` and `b` the same file (device and inode), both existing?
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is a failed test

    use super::*;

    const NAMES: &[&str] = &["a.txt", "b.txt", "report.json"];

    #[test]
    fn nothing_is_in_place_before_commit_and_the_old_run_stays_on_failure() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.txt"), "old a").unwrap();
        std::fs::write(d.path().join("report.json"), "old report").unwrap();
        {
            let mut o = OutDir::open(d.path(), NAMES, &[]).unwrap();
            o.write("a.txt", b"new a").unwrap();
            // Dropped without commit: a failed run.
        }
        assert_eq!(
            std::fs::read_to_string(d.path().join("a.txt")).unwrap(),
            "old a"
        );
        assert_eq!(
            std::fs::read_to_string(d.path().join("report.json")).unwrap(),
            "old report"
        );
        let left: Vec<_> = std::fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(left.len(), 2, "temporary files left: {left:?}");
    }

    #[test]
    fn commit_replaces_links_and_removes_outputs_of_earlier_runs() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim");
        std::fs::write(&victim, "keep me").unwrap();
        std::os::unix::fs::symlink(&victim, d.path().join("a.txt")).unwrap();
        std::fs::write(d.path().join("b.txt"), "stale").unwrap();
        let mut o = OutDir::open(d.path(), NAMES, &[]).unwrap();
        o.write("a.txt", b"new a").unwrap();
        o.write("report.json", b"{}").unwrap();
        o.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        assert!(!d.path().join("a.txt").is_symlink());
        assert_eq!(
            std::fs::read_to_string(d.path().join("a.txt")).unwrap(),
            "new a"
        );
        assert!(!d.path().join("b.txt").exists());
        assert_eq!(
            std::fs::read_to_string(d.path().join("report.json")).unwrap(),
            "{}"
        );
    }

    #[test]
    fn a_second_run_into_the_same_directory_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let first = OutDir::open(d.path(), NAMES, &[]).unwrap();
        let e = OutDir::open(d.path(), NAMES, &[]).unwrap_err().to_string();
        assert!(e.contains("another hitgate run"), "{e}");
        drop(first);
        OutDir::open(d.path(), NAMES, &[]).unwrap();
    }

    /// A full disk: the error surfaces at `finish` and names the file it
    /// was writing, not another one.
    #[test]
    fn a_failed_write_is_reported_with_its_file() {
        let d = tempfile::tempdir().unwrap();
        let o = OutDir::open(d.path(), NAMES, &[]).unwrap();
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let mut w = BufWriter::new(full);
        w.write_all(b"{\"hits\": 1}").unwrap();
        let e = format!("{:#}", o.finish("report.json", w).unwrap_err());
        assert!(e.contains("report.json: cannot write"), "{e}");
        assert!(!e.contains("report.svg"), "{e}");
    }

    #[test]
    fn an_input_that_is_an_output_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let input = d.path().join("a.txt");
        std::fs::write(&input, "reads").unwrap();
        let e = OutDir::open(d.path(), NAMES, &[&input])
            .unwrap_err()
            .to_string();
        assert!(e.contains("is also an output"), "{e}");
        assert_eq!(std::fs::read_to_string(&input).unwrap(), "reads");
    }
}
