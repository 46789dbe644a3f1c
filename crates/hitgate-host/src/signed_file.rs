//! Signed list images on the host: `hitgate keygen`, `hitgate bundle
//! build|delta|verify|inspect`, and `replay --bundle`. The format and the
//! checks are the core's ([`hitgate_core::signed`]); a unit and this
//! command accept and refuse the same images.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use ed25519_dalek::{SigningKey, VerifyingKey};
use hitgate_core::bundle::{self, BundleError, MAX_RECORD, Reader, Record};
use hitgate_core::confusion::ConfusionClasses;
use hitgate_core::list::{EntryId, ListEntry, ListSpec};
use hitgate_core::policy::Policy;
use hitgate_core::signed::{self, HEADER_LEN, Header, Kind, SIGNATURE_LEN, Signed};
use hitgate_core::unit::Config;
use hitgate_core::watchlist::{Entry, Watchlist, WatchlistBuilder};
use serde::Serialize;

use crate::lists::ListsData;
use crate::places_file::PlacesData;
use crate::policy_file::{ListDecl, PolicyFile};

const SECRET_TAG: &str = "hitgate-ed25519-secret";
const PUBLIC_TAG: &str = "hitgate-ed25519-public";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 64 hex digits as 32 bytes.
pub fn unhex32(s: &str) -> Option<[u8; 32]> {
    let s = s.as_bytes();
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(s.chunks(2)) {
        *o = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

/// A key file's one line: its tag and 32 bytes in hex.
fn read_key_file(path: &Path, tag: &str) -> Result<[u8; 32]> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the key", path.display()))?;
    let mut words = text.split_whitespace();
    match (words.next(), words.next().and_then(unhex32), words.next()) {
        (Some(t), Some(k), None) if t == tag => Ok(k),
        _ => bail!(
            "{}: not a key file of the kind `{tag} <64 hex digits>`",
            path.display()
        ),
    }
}

/// The signing key in a file `hitgate keygen` wrote.
pub fn load_secret(path: &Path) -> Result<SigningKey> {
    Ok(SigningKey::from_bytes(&read_key_file(path, SECRET_TAG)?))
}

/// A public key: a `.pub` file `hitgate keygen` wrote.
pub fn load_public(path: &Path) -> Result<VerifyingKey> {
    let bytes = read_key_file(path, PUBLIC_TAG)?;
    VerifyingKey::from_bytes(&bytes)
        .map_err(|_| anyhow!("{}: not a valid Ed25519 public key", path.display()))
}

/// The public key of a secret key file, in hex (for a unit key file).
pub fn public_hex(key: &SigningKey) -> String {
    hex(&key.verifying_key().to_bytes())
}

/// A public key in hex, as a key file and a unit key file hold it.
pub fn parse_public(hex: &str) -> Option<VerifyingKey> {
    VerifyingKey::from_bytes(&unhex32(hex.trim())?).ok()
}

/// A short name of a public key: the first 8 bytes, in hex.
pub fn fingerprint(key: &[u8; 32]) -> String {
    hex(&key[..8])
}

/// Makes a key pair: the secret key in `out` (created with mode 0600,
/// never overwritten, never printed) and the public key in `out.pub`.
/// Returns the public key file's path and the key's fingerprint.
pub fn keygen(out: &Path) -> Result<(std::path::PathBuf, String)> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow!("no randomness for a key: {e}"))?;
    let key = SigningKey::from_bytes(&seed);
    seed.fill(0);
    let public = key.verifying_key().to_bytes();
    let pub_path = {
        let mut p = out.as_os_str().to_owned();
        p.push(".pub");
        std::path::PathBuf::from(p)
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(out).with_context(|| {
        format!(
            "{}: cannot create (an existing key is never overwritten)",
            out.display()
        )
    })?;
    let mut line = format!("{SECRET_TAG} {}\n", hex(key.as_bytes()));
    let written = f.write_all(line.as_bytes()).and_then(|()| f.sync_all());
    // SAFETY of the secret: the string is overwritten before it is freed.
    line.clear();
    line.extend(std::iter::repeat_n('0', 64));
    written.with_context(|| format!("{}: cannot write", out.display()))?;
    std::fs::write(&pub_path, format!("{PUBLIC_TAG} {}\n", hex(&public)))
        .with_context(|| format!("{}: cannot write", pub_path.display()))?;
    Ok((pub_path, fingerprint(&public)))
}

/// The frames of `write`, in one buffer.
fn frames(
    write: impl FnOnce(&mut dyn FnMut(&[u8]) -> Result<(), BundleError>) -> Result<(), BundleError>,
) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    write(&mut |f: &[u8]| {
        out.extend_from_slice(f);
        Ok(())
    })
    .map_err(|e| anyhow!("{e}"))?;
    Ok(out)
}

/// The full image of `lists` and `pf` at `version`, signed with `key`.
pub fn build_image(
    lists: &ListsData,
    pf: &PolicyFile,
    version: u32,
    created: u64,
    key: &SigningKey,
) -> Result<Vec<u8>> {
    if version == 0 {
        bail!("--list-version 0: versions start at 1 (0 means none in force)");
    }
    lists.with_watchlist(version, |_| ())?;
    let body = frames(|put| {
        lists.write_config(version, pf, &mut *put)?;
        let mut buf = [0u8; 4];
        put(bundle::encode(&Record::End, &mut buf)?)
    })?;
    let head = Header::full(version, created, &key.verifying_key());
    seal(&head, &body, key)
}

fn seal(head: &Header, body: &[u8], key: &SigningKey) -> Result<Vec<u8>> {
    let mut out = vec![0u8; HEADER_LEN + body.len() + SIGNATURE_LEN];
    let n = signed::seal(head, body, key, &mut out).map_err(|e| anyhow!("{e}"))?;
    out.truncate(n);
    Ok(out)
}

/// What a full image holds, decoded on the host.
#[derive(Debug, Clone)]
pub struct Contents {
    /// The lists' version.
    pub version: u32,
    /// The unit's settings.
    pub config: Config,
    /// The decision matrix.
    pub policy: Policy,
    /// The lists, by id.
    pub lists: Vec<ListDecl>,
    /// The entries, in image order.
    pub entries: Vec<ListEntry>,
    /// The zones, schedules, operations, camera positions and offsets.
    pub places: PlacesData,
    /// The look-alike classes the lists match with.
    pub classes: ConfusionClasses,
}

fn body_reader(
    body: &[u8],
) -> (
    Reader<MAX_RECORD>,
    impl FnMut(&mut [u8]) -> Result<usize, std::convert::Infallible> + '_,
) {
    (Reader::new(), bundle::slice_source(body, MAX_RECORD))
}

/// Decodes a full image's body (after [`signed::open`] or
/// [`signed::peek`]).
pub fn decode_full(s: &Signed<'_>) -> Result<Contents> {
    if s.header.kind != Kind::Full {
        bail!("a delta, not a full image");
    }
    let (mut reader, mut src) = body_reader(s.body);
    let mut c = Contents {
        version: s.header.version,
        config: Config::default(),
        policy: Policy::new(),
        lists: Vec::new(),
        entries: Vec::new(),
        places: PlacesData::default(),
        classes: ConfusionClasses::default(),
    };
    while let Some(rec) = reader.next(&mut src).map_err(|e| anyhow!("{e}"))? {
        match rec {
            Record::Header { list_version, .. } if list_version != s.header.version => {
                bail!("the body's version {list_version} is not the header's")
            }
            Record::Header { .. } => {}
            Record::Config(r) => c.config = Config::from(&r),
            Record::Classes(spelled) => {
                c.classes = ConfusionClasses::parse(spelled)
                    .map_err(|e| anyhow!("the look-alike classes: {e}"))?;
            }
            Record::Rule(r) => {
                let rule = r
                    .to_rule()
                    .ok_or_else(|| anyhow!("a rule's field is out of range"))?;
                c.policy.push(rule).map_err(|e| anyhow!("{e}"))?;
            }
            Record::List {
                tolerance,
                local,
                name,
                evidence,
            } => c.lists.push(ListDecl {
                name: name.to_string(),
                spec: ListSpec {
                    tolerance,
                    local,
                    evidence,
                },
            }),
            Record::Entry { .. } => {
                let e = rec.as_entry().unwrap_or(Err("entry"));
                c.entries
                    .push(e.map_err(|f| anyhow!("an entry's {f} is out of range"))?);
            }
            Record::Place(p) => {
                use hitgate_core::bundle::PlaceStore as _;
                c.places
                    .put(&p)
                    .map_err(|what| anyhow!("a place that does not fit: {what}"))?;
            }
            Record::End => break,
            _ => bail!("a record a full image does not hold"),
        }
    }
    Ok(c)
}

/// What a delta holds, decoded on the host.
#[derive(Debug, Clone, Default)]
pub struct DeltaContents {
    /// Entries removed.
    pub removes: Vec<ListEntry>,
    /// Entries added.
    pub adds: Vec<ListEntry>,
}

/// Decodes a delta's body.
pub fn decode_delta(s: &Signed<'_>) -> Result<DeltaContents> {
    if s.header.kind != Kind::Delta {
        bail!("a full image, not a delta");
    }
    let (mut reader, mut src) = body_reader(s.body);
    let mut d = DeltaContents::default();
    while let Some(rec) = reader.next(&mut src).map_err(|e| anyhow!("{e}"))? {
        let (to, e) = match rec {
            Record::Delta { .. } => continue,
            Record::Remove { .. } => (&mut d.removes, rec.as_removal()),
            Record::Entry { .. } => (&mut d.adds, rec.as_entry()),
            Record::End => break,
            _ => bail!("a record a delta does not hold"),
        };
        let e = e.unwrap_or(Err("record"));
        to.push(e.map_err(|f| anyhow!("an entry's {f} is out of range"))?);
    }
    Ok(d)
}

/// Reads an image file and checks it with `key` (nothing of it is used
/// before).
pub fn read_verified(path: &Path, key: &VerifyingKey) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    signed::open(&bytes, key).map_err(|e| anyhow!("{}: refused: {e}", path.display()))?;
    Ok(bytes)
}

/// Checks an image file as a unit would before using it: frame, signer,
/// signature, and, given the version in force, the succession. A full
/// image is also decoded and its lists built, as a unit builds them.
pub fn verify(path: &Path, key: &VerifyingKey, active: Option<u32>) -> Result<String> {
    let bytes = read_verified(path, key)?;
    let s = signed::open(&bytes, key).map_err(|e| anyhow!("{e}"))?;
    let h = s.header;
    if let Some(active) = active {
        signed::check_succession(&h, active)
            .map_err(|e| anyhow!("{}: refused: {e}", path.display()))?;
    }
    match h.kind {
        Kind::Full => {
            let c = decode_full(&s)?;
            let mut store = Storage::new(c.entries.len());
            let b = WatchlistBuilder::new(
                &mut store.entries,
                &mut store.index,
                ConfusionClasses::default(),
            );
            let mut policy: Policy = Policy::new();
            let (wl, _) = signed::load_full(&s, 0, b, &mut policy, &mut PlacesData::default())
                .map_err(|e| anyhow!("{}: refused: {e}", path.display()))?;
            Ok(format!(
                "verified: full image, version {}, {} entries on {} lists, signed by {}",
                h.version,
                wl.len(),
                c.lists.len(),
                fingerprint(&h.signer)
            ))
        }
        Kind::Delta => {
            let d = decode_delta(&s)?;
            Ok(format!(
                "verified: delta from version {} to {}, {} removed, {} added, signed by {}",
                h.base,
                h.version,
                d.removes.len(),
                d.adds.len(),
                fingerprint(&h.signer)
            ))
        }
    }
}

/// The key of an entry for a delta: what names it on its list.
fn identity(e: &ListEntry) -> (u8, String, Option<String>) {
    (
        e.list.0,
        e.plate.as_str().to_string(),
        e.country.map(|c| c.as_str().to_string()),
    )
}

/// Everything of an entry: a delta replaces an entry whose priority or
/// validity changed.
fn whole(e: &ListEntry) -> (u8, String, Option<String>, u8, Option<u64>, Option<u64>) {
    let (list, plate, country) = identity(e);
    (
        list,
        plate,
        country,
        e.priority.get(),
        e.valid_from,
        e.valid_until,
    )
}

/// What `bundle delta` made.
#[derive(Debug, Clone, Serialize)]
pub struct DeltaSummary {
    /// Version the delta applies to.
    pub base: u32,
    /// Version it makes.
    pub version: u32,
    /// Entries removed (a changed priority or validity is a removal and an
    /// addition).
    pub removed: usize,
    /// Entries added.
    pub added: usize,
    /// Bytes of the delta.
    pub bytes: usize,
    /// Bytes of the full image of the new version.
    pub full_bytes: usize,
}

/// The delta from the full image `from` to the full image `to` (both
/// signed by `key`), signed by `key`. The settings, the matrix and the list
/// declarations must be the same in both: a delta carries entries only.
pub fn make_delta(from: &[u8], to: &[u8], key: &SigningKey) -> Result<(Vec<u8>, DeltaSummary)> {
    let vk = key.verifying_key();
    let a = signed::open(from, &vk).map_err(|e| anyhow!("--from: refused: {e}"))?;
    let b = signed::open(to, &vk).map_err(|e| anyhow!("--to: refused: {e}"))?;
    let (ca, cb) = (decode_full(&a)?, decode_full(&b)?);
    if cb.version <= ca.version {
        bail!(
            "--to is version {}, not newer than --from's {}",
            cb.version,
            ca.version
        );
    }
    if ca.lists != cb.lists {
        bail!(
            "the lists differ ({:?} against {:?}): a delta carries entries only; send the full image, \
             and declare the lists in the policy so that their ids stay put",
            ca.lists.iter().map(|d| &d.name).collect::<Vec<_>>(),
            cb.lists.iter().map(|d| &d.name).collect::<Vec<_>>()
        );
    }
    if ca.config != cb.config
        || ca.policy != cb.policy
        || ca.places != cb.places
        || ca.classes != cb.classes
    {
        bail!(
            "the settings, the matrix, the places or the look-alike classes differ: a delta carries \
             entries only; send the full image"
        );
    }
    let old: BTreeSet<_> = ca.entries.iter().map(whole).collect();
    let new: BTreeSet<_> = cb.entries.iter().map(whole).collect();
    let removes: Vec<ListEntry> = ca
        .entries
        .iter()
        .filter(|e| !new.contains(&whole(e)))
        .copied()
        .collect();
    let adds: Vec<ListEntry> = cb
        .entries
        .iter()
        .filter(|e| !old.contains(&whole(e)))
        .copied()
        .collect();
    // A removal names (list, plate, country): one identity may be removed
    // once and added once.
    let ids: BTreeSet<_> = removes.iter().map(identity).collect();
    if ids.len() != removes.len() {
        bail!("--from lists an entry twice");
    }
    let body = frames(|put| bundle::write_delta(ca.version, cb.version, &removes, &adds, put))?;
    let head = Header::delta(ca.version, cb.version, b.header.created, &vk);
    let image = seal(&head, &body, key)?;
    let summary = DeltaSummary {
        base: ca.version,
        version: cb.version,
        removed: removes.len(),
        added: adds.len(),
        bytes: image.len(),
        full_bytes: to.len(),
    };
    Ok((image, summary))
}

/// Writes `bytes` to `out` whole or not at all (a temporary file beside
/// it, synced, renamed into place, the directory synced).
pub fn write_atomically(out: &Path, bytes: &[u8]) -> Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(parent)
        .with_context(|| format!("{}: cannot create", out.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("{}: cannot write", out.display()))?;
    tmp.persist(out)
        .map_err(|e| e.error)
        .with_context(|| format!("{}: cannot write", out.display()))?;
    // The rename itself survives a power cut once the directory is synced.
    if let Ok(dir) = std::fs::File::open(parent) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Caller storage for one watchlist.
struct Storage {
    entries: Vec<Entry>,
    index: Vec<u32>,
}

impl Storage {
    fn new(n: usize) -> Self {
        Self {
            entries: vec![Entry::EMPTY; n],
            index: vec![0; n],
        }
    }
}

/// What a unit provisioned with a full image and deltas has in force.
#[derive(Debug)]
pub struct Provisioned {
    /// The policy file the image carries.
    pub pf: PolicyFile,
    /// The lists in force.
    pub data: ListsData,
    /// Their version.
    pub version: u32,
    /// The deltas refused, each with its reason.
    pub refused: Vec<String>,
}

/// The lists a unit provisioned with `key` ends up with after the full
/// image `bundle` and the `deltas` in order, each verified and applied by
/// the core as a unit does it: the policy file and the lists, ready for a
/// replay. A refused full image is an error (there are no lists to run
/// on); a refused delta is skipped, with its reason, and the lists in
/// force stay, as on a unit.
pub fn provision(
    bundle: &Path,
    deltas: &[std::path::PathBuf],
    key: &VerifyingKey,
) -> Result<Provisioned> {
    let bytes = read_verified(bundle, key)?;
    let s = signed::open(&bytes, key).map_err(|e| anyhow!("{e}"))?;
    let contents = decode_full(&s)?;
    let images: Vec<Vec<u8>> = deltas
        .iter()
        .map(|d| std::fs::read(d).with_context(|| format!("{}: cannot read", d.display())))
        .collect::<Result<_>>()?;
    let grows: usize = images
        .iter()
        .filter_map(|b| signed::peek(b).ok())
        .map(|s| s.body.len() / 10)
        .sum();
    let cap = contents.entries.len() + grows + 1;
    let mut store = Storage::new(cap);
    let mut policy = Policy::new();
    let builder = WatchlistBuilder::new(
        &mut store.entries,
        &mut store.index,
        ConfusionClasses::default(),
    );
    let mut places = PlacesData::default();
    let (wl, config) = signed::load_full(&s, 0, builder, &mut policy, &mut places)
        .map_err(|e| anyhow!("{}: refused: {e}", bundle.display()))?;
    let mut entries = entries_of(&wl);
    let mut version = wl.version();
    drop(wl);
    let mut refused = Vec::new();
    for (path, image) in deltas.iter().zip(&images) {
        let s = match signed::open(image, key) {
            Ok(s) => s,
            Err(e) => {
                refused.push(format!("{}: refused: {e}", path.display()));
                continue;
            }
        };
        let mut active = Storage::new(cap);
        let mut b = WatchlistBuilder::new(&mut active.entries, &mut active.index, contents.classes);
        for d in &contents.lists {
            b.add_list(d.spec).map_err(|e| anyhow!("{e}"))?;
        }
        for e in &entries {
            b.insert(*e).map_err(|e| anyhow!("{e}"))?;
        }
        b.set_version(version);
        let wl = b.build().map_err(|(_, d)| anyhow!("{d}"))?;
        let mut standby = Storage::new(cap);
        let b = WatchlistBuilder::from_watchlist(&wl, &mut standby.entries, &mut standby.index)
            .ok_or_else(|| anyhow!("lists too large"))?;
        match signed::apply_delta(&s, b) {
            Ok((next, _)) => {
                entries = entries_of(&next);
                version = next.version();
            }
            Err(e) => refused.push(format!("{}: refused: {e}", path.display())),
        }
    }
    let pf = PolicyFile {
        lists: contents.lists.clone(),
        config,
        policy,
        places,
        // The gate's business, not a unit's: an image does not carry them.
        recipients: Vec::new(),
        classes: contents.classes,
    };
    let data = ListsData {
        decls: contents.lists,
        origins: vec![(0, 0); entries.len()],
        entries,
        files: vec![bundle.to_path_buf()],
        classes: contents.classes,
        // An image holds instants: its times were read when it was built.
        times_without_offset: 0,
    };
    Ok(Provisioned {
        pf,
        data,
        version,
        refused,
    })
}

fn entries_of(wl: &Watchlist<'_>) -> Vec<ListEntry> {
    (0..wl.len() as u32)
        .filter_map(|i| wl.entry(EntryId(i)))
        .collect()
}

/// What `bundle inspect` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// `full` or `delta`.
    pub kind: &'static str,
    /// Version of the lists the image makes.
    pub version: u32,
    /// A delta's base version.
    pub base: Option<u32>,
    /// When it was signed (RFC 3339).
    pub created: String,
    /// The signer's fingerprint.
    pub signer: String,
    /// `verified`, `refused: <reason>`, or `not checked` (no public key).
    pub signature: String,
    /// Bytes of the image.
    pub bytes: usize,
    /// Full image: rules of the matrix.
    pub rules: Option<usize>,
    /// Full image: per list, name and entries.
    pub lists: Vec<(String, usize)>,
    /// Delta: entries removed.
    pub removed: Option<usize>,
    /// Delta: entries added.
    pub added: Option<usize>,
    /// With `--plates` only: the plates, `-` before a removed one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plates: Option<Vec<String>>,
}

/// Shows what an image holds: counts, versions and lists; its plates only
/// when `plates` is set.
pub fn inspect(path: &Path, key: Option<&VerifyingKey>, plates: bool) -> Result<Inspection> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let s = signed::peek(&bytes).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let signature = match key.map(|k| signed::open(&bytes, k)) {
        None => "not checked (give --public)".to_string(),
        Some(Ok(_)) => "verified".to_string(),
        Some(Err(e)) => format!("refused: {e}"),
    };
    let h = s.header;
    let mut out = Inspection {
        kind: match h.kind {
            Kind::Full => "full",
            Kind::Delta => "delta",
        },
        version: h.version,
        base: (h.kind == Kind::Delta).then_some(h.base),
        created: crate::time::format_ts(h.created),
        signer: fingerprint(&h.signer),
        signature,
        bytes: bytes.len(),
        rules: None,
        lists: Vec::new(),
        removed: None,
        added: None,
        plates: None,
    };
    let show = |e: &ListEntry, sign: &str| format!("{sign}{}", e.plate.as_str());
    match h.kind {
        Kind::Full => {
            let c = decode_full(&s)?;
            out.rules = Some(c.policy.rules.len());
            out.lists = c
                .lists
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    let n = c.entries.iter().filter(|e| e.list.index() == i).count();
                    (d.name.clone(), n)
                })
                .collect();
            if plates {
                out.plates = Some(c.entries.iter().map(|e| show(e, "")).collect());
            }
        }
        Kind::Delta => {
            let d = decode_delta(&s)?;
            out.removed = Some(d.removes.len());
            out.added = Some(d.adds.len());
            if plates {
                let mut v: Vec<String> = d.removes.iter().map(|e| show(e, "-")).collect();
                v.extend(d.adds.iter().map(|e| show(e, "+")));
                out.plates = Some(v);
            }
        }
    }
    Ok(out)
}

/// The inspection as text.
pub fn render(i: &Inspection) -> String {
    let mut s = format!(
        "{} image, version {}{}\nsigned {} by {}: {}\n{} bytes\n",
        i.kind,
        i.version,
        i.base
            .map(|b| format!(" (applies to version {b})"))
            .unwrap_or_default(),
        i.created,
        i.signer,
        i.signature,
        i.bytes
    );
    if let Some(r) = i.rules {
        s += &format!("{r} rules\n");
    }
    for (name, n) in &i.lists {
        s += &format!("list {name}: {n} entries\n");
    }
    if let (Some(r), Some(a)) = (i.removed, i.added) {
        s += &format!("{r} entries removed, {a} added\n");
    }
    if let Some(p) = &i.plates {
        for p in p {
            s += p;
            s.push('\n');
        }
    }
    s
}
