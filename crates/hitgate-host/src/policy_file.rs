//! The policy file (TOML): list properties, the unit's settings and the
//! decision matrix.
//!
//! ```toml
//! [[list]]                      # ids are given in this order
//! name = "stolen"
//! local = false
//! tolerance = { ocr = 1, edits = 0, min_len = 5 }
//! evidence = { ocr = 2, edits = 1, min_len = 5 }  # optional; else [config] evidence
//!
//! [config]                      # hitgate_core::unit::Config; every field optional
//! mode = "consensus"            # or "first-read"
//! passage_window_ms = 2000
//! budgets = { p1 = { burst = 20, per_hour = 60 } }
//!
//! [[rule]]                      # hitgate_core::policy::Rule, lists by name
//! name = "p0-p1"
//! priorities = [0, 1]
//! action = "dispatch"
//! ```
//!
//! A file without `[[rule]]` uses the Brussels baseline.
//! The places a rule may name (zones, schedules, operations) and the
//! cameras' positions are read by [`places_file`](crate::places_file).

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use hitgate_core::confusion::ConfusionClasses;
use hitgate_core::policy::{MAX_RULE_CAMERAS, Rule};
use hitgate_core::{distance::Tolerance, list::ListSpec, policy::Policy, unit::Config};
use serde::Deserialize;

mod notes;

use crate::places_file::{PlacesData, RawCamera, RawOperation, RawSchedule, RawTime, RawZone};

/// Refuses a budget for priority 0, which neither a unit nor the gate
/// ever throttles: written, it would be ignored.
fn no_p0_budget(budgets: &hitgate_core::budget::Budgets, what: &str) -> Result<()> {
    if budgets.0[0].is_some() {
        bail!("{what} names p0: priority 0 is never throttled (leave it out)");
    }
    Ok(())
}

/// One declared list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListDecl {
    /// Name, as the lists CSV and the rules use it.
    pub name: String,
    /// Its properties.
    pub spec: ListSpec,
}

/// Everything a policy file says.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// Declared lists, in id order (empty: lists are declared by the lists
    /// files themselves, with default properties).
    pub lists: Vec<ListDecl>,
    /// The unit's settings.
    pub config: Config,
    /// The decision matrix.
    pub policy: Policy,
    /// Zones, schedules, operations, camera positions and UTC offsets the
    /// rules refer to.
    pub places: PlacesData,
    /// The zone gate's recipients, by id (`[[recipient]]`; rules name
    /// them in `recipients`).
    pub recipients: Vec<RecipientDecl>,
    /// The ANPR engine's look-alike characters (`[ocr] classes`; the
    /// default classes when absent).
    pub classes: ConfusionClasses,
}

/// One recipient of the zone gate: a dispatch room, the road police, a
/// local team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientDecl {
    /// Its name: the last part of its topic `hitgate/dispatch/<name>`.
    pub name: String,
    /// Its own budgets per priority, zone-wide (priority 0 is never
    /// throttled).
    pub budgets: hitgate_core::budget::Budgets,
    /// It acknowledges each decision on `hitgate/dispatch/<name>/ack`:
    /// the gate holds a decision until then, not until the broker hands
    /// it back.
    pub acks: bool,
    /// Its most open dispatches per priority (`max_open`): cases sent to
    /// it as dispatches that it has not closed on
    /// `hitgate/dispatch/<name>/closed`, within their window. A dispatch
    /// beyond goes to it as a review.
    pub max_open: hitgate_core::gate::OpenCaps,
    /// It gets the hits decided under a rule this policy does not have
    /// (`unknown_rules = true`): a unit on a policy before a rule was
    /// renamed or removed. Without such a recipient they go to nobody.
    pub unknown_rules: bool,
    /// Its most delay, seconds, from a hit's event time to its arrival at
    /// the gate for a dispatch (`max_delay_s`): a dispatch that arrives
    /// later (its unit's uplink was down) goes to it as a review, `late`.
    pub max_delay_s: Option<u32>,
    /// The outcomes its closes may state (`outcomes`); empty: any
    /// [`outcome_word`].
    pub outcomes: Vec<String>,
}

impl RecipientDecl {
    /// May a close of this recipient state `outcome`?
    pub fn takes_outcome(&self, outcome: &str) -> bool {
        outcome_word(outcome)
            && (self.outcomes.is_empty() || self.outcomes.iter().any(|o| o == outcome))
    }
}

/// An outcome is a word, not a sentence: 1 to 32 lower-case letters,
/// digits, `-` or `_` (`intercepted`, `not-found`). No free text, where a
/// name could slip in, reaches the gate's files.
pub fn outcome_word(s: &str) -> bool {
    (1..=32).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    list: Vec<RawList>,
    #[serde(default)]
    config: Option<toml::Value>,
    #[serde(default)]
    rule: Option<Vec<toml::Value>>,
    #[serde(default)]
    time: Option<RawTime>,
    #[serde(default)]
    zone: Vec<RawZone>,
    #[serde(default)]
    schedule: Vec<RawSchedule>,
    #[serde(default)]
    operation: Vec<RawOperation>,
    #[serde(default)]
    camera: Vec<RawCamera>,
    #[serde(default)]
    recipient: Vec<RawRecipient>,
    #[serde(default)]
    ocr: Option<RawOcr>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOcr {
    classes: Vec<String>,
}

/// `[ocr] classes`: strings of look-alike characters, each character in
/// one class at most, 2 to 4 a class.
fn classes(raw: &Option<RawOcr>) -> Result<ConfusionClasses> {
    let Some(o) = raw else {
        return Ok(ConfusionClasses::default());
    };
    let upper: Vec<String> = o.classes.iter().map(|c| c.to_ascii_uppercase()).collect();
    for (i, c) in upper.iter().enumerate() {
        if c.len() < 2 {
            bail!("[ocr] classes: class {i} ({c:?}): a class names 2 to 4 look-alike characters");
        }
    }
    let refs: Vec<&str> = upper.iter().map(String::as_str).collect();
    ConfusionClasses::new(&refs).map_err(|e| anyhow!("[ocr] classes: {e}"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecipient {
    name: String,
    #[serde(default)]
    budgets: hitgate_core::budget::Budgets,
    #[serde(default)]
    acks: bool,
    #[serde(default)]
    unknown_rules: bool,
    #[serde(default)]
    max_open: hitgate_core::gate::OpenCaps,
    #[serde(default)]
    max_delay_s: Option<u32>,
    #[serde(default)]
    outcomes: Vec<String>,
}

/// `[[recipient]]`s: names usable in a topic, unique, at most
/// [`MAX_RECIPIENTS`](hitgate_core::gate::MAX_RECIPIENTS).
fn recipients(raw: &[RawRecipient]) -> Result<Vec<RecipientDecl>> {
    use hitgate_core::gate::MAX_RECIPIENTS;
    if raw.len() > MAX_RECIPIENTS {
        bail!("{} recipients; at most {MAX_RECIPIENTS}", raw.len());
    }
    let mut out: Vec<RecipientDecl> = Vec::new();
    for r in raw {
        let ok = !r.name.is_empty()
            && r.name.len() <= 32
            && r.name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            bail!(
                "recipient {:?}: a name of 1 to 32 letters, digits, '-' or '_' (it ends a topic)",
                r.name
            );
        }
        if out.iter().any(|o| o.name == r.name) {
            bail!("recipient {:?} is declared twice", r.name);
        }
        if r.max_delay_s.is_some_and(|s| s > u32::MAX / 1000) {
            bail!(
                "recipient {:?}: max_delay_s {}: at most {} seconds",
                r.name,
                r.max_delay_s.unwrap_or(0),
                u32::MAX / 1000
            );
        }
        no_p0_budget(&r.budgets, &format!("recipient {:?}: budgets", r.name))?;
        if r.max_open.0[0].is_some() {
            bail!(
                "recipient {:?}: max_open names p0: priority 0 is never held back (leave it out)",
                r.name
            );
        }
        for (i, o) in r.outcomes.iter().enumerate() {
            if !outcome_word(o) {
                bail!(
                    "recipient {:?}: outcome {o:?}: a word of 1 to 32 lower-case letters, digits, '-' or '_'",
                    r.name
                );
            }
            if r.outcomes[..i].contains(o) {
                bail!("recipient {:?}: outcome {o:?} is listed twice", r.name);
            }
        }
        out.push(RecipientDecl {
            outcomes: r.outcomes.clone(),
            name: r.name.clone(),
            budgets: r.budgets,
            acks: r.acks,
            unknown_rules: r.unknown_rules,
            max_open: r.max_open,
            max_delay_s: r.max_delay_s,
        });
    }
    Ok(out)
}

/// Replaces the recipient names in a rule's `recipients` by their mask.
fn resolve_recipients(rule: &mut toml::Value, known: &[RecipientDecl]) -> Result<()> {
    let Some(t) = rule.as_table_mut() else {
        return Ok(());
    };
    let Some(v) = t.get("recipients") else {
        return Ok(());
    };
    let names: Vec<&str> = known.iter().map(|r| r.name.as_str()).collect();
    let mask = name_mask("recipients", "recipient", v, &names)?;
    t.insert("recipients".into(), toml::Value::Integer(mask as i64));
    Ok(())
}

/// A rule's array of names (`key`, of `[[kind]]`s declared as `names`) as
/// the mask of their positions.
pub(crate) fn name_mask(key: &str, kind: &str, v: &toml::Value, names: &[&str]) -> Result<u64> {
    let not_names = || anyhow!("{key}: an array of {kind} names");
    let mut mask = 0u64;
    for n in v.as_array().ok_or_else(not_names)? {
        let n = n.as_str().ok_or_else(not_names)?;
        let i = names
            .iter()
            .position(|x| *x == n)
            .ok_or_else(|| anyhow!("{key}: unknown {kind} {n:?} (declare it with [[{kind}]])"))?;
        mask |= 1 << i;
    }
    Ok(mask)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawList {
    name: String,
    #[serde(default)]
    local: bool,
    #[serde(default)]
    tolerance: Option<Tolerance>,
    #[serde(default)]
    evidence: Option<Tolerance>,
}

/// The properties of a list nobody declared: default tolerance, local when
/// it is called `local`.
pub fn default_list(name: &str) -> ListDecl {
    ListDecl {
        name: name.to_string(),
        spec: ListSpec {
            tolerance: Tolerance::DEFAULT,
            local: name.eq_ignore_ascii_case("local"),
            evidence: None,
        },
    }
}

impl PolicyFile {
    /// The Brussels baseline with default settings and undeclared lists.
    pub fn baseline() -> Self {
        Self {
            lists: Vec::new(),
            config: Config::default(),
            policy: Policy::brussels(),
            places: PlacesData::default(),
            recipients: Vec::new(),
            classes: ConfusionClasses::default(),
        }
    }

    /// The recipients (a mask, bit `i` for recipient `i`) of a hit decided
    /// under a rule this policy does not have: those declared with
    /// `unknown_rules = true`.
    pub fn unknown_rules_mask(&self) -> u8 {
        self.recipients
            .iter()
            .enumerate()
            .filter(|(_, r)| r.unknown_rules)
            .fold(0, |m, (i, _)| m | 1 << i)
    }

    /// Reads a policy file, and says its [`notes`](Self::notes) on
    /// standard error.
    pub fn load(path: &Path) -> Result<Self> {
        let pf = Self::read(path)?;
        for note in pf.notes() {
            eprintln!("note: {}: {note}", path.display());
        }
        Ok(pf)
    }

    /// Reads a policy file, saying nothing of its notes.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        Self::parse(&text).with_context(|| format!("{}: bad policy", path.display()))
    }

    /// [`load`](Self::load) the file given, or the Brussels
    /// [`baseline`](Self::baseline) without one.
    pub fn load_or_baseline(path: Option<&Path>) -> Result<Self> {
        match path {
            Some(p) => Self::load(p),
            None => Ok(Self::baseline()),
        }
    }

    /// Parses policy TOML.
    pub fn parse(text: &str) -> Result<Self> {
        let raw: Raw = toml::from_str(text)?;
        let places = PlacesData::parse(
            raw.time.as_ref(),
            &raw.zone,
            &raw.schedule,
            &raw.operation,
            &raw.camera,
        )?;
        let recipients = recipients(&raw.recipient)?;
        let classes = classes(&raw.ocr)?;
        let mut lists = Vec::new();
        for l in raw.list {
            if lists.iter().any(|d: &ListDecl| d.name == l.name) {
                bail!("list {:?} is declared twice", l.name);
            }
            let spec = ListSpec {
                tolerance: l.tolerance.unwrap_or_default(),
                local: l.local,
                evidence: l.evidence,
            };
            if !spec.tolerance.is_valid() {
                bail!(
                    "list {:?}: tolerance above 2 OCR substitutions or edits",
                    l.name
                );
            }
            if spec.evidence.is_some_and(|e| !e.is_valid()) {
                bail!(
                    "list {:?}: evidence above 2 OCR substitutions or edits",
                    l.name
                );
            }
            lists.push(ListDecl { name: l.name, spec });
        }
        if lists.len() > hitgate_core::list::MAX_LISTS {
            bail!(
                "{} lists declared; at most {}",
                lists.len(),
                hitgate_core::list::MAX_LISTS
            );
        }
        let config = match raw.config {
            Some(v) => v.try_into::<Config>().context("[config]")?,
            None => Config::default(),
        };
        no_p0_budget(&config.budgets, "[config] budgets")?;
        let policy = match raw.rule {
            None => Policy::brussels(),
            Some(rules) if rules.is_empty() => bail!(
                "`rule = []` would drop every hit, priority 0 included; \
                 leave `rule` out for the Brussels baseline, or write the rules"
            ),
            Some(rules) => {
                let mut policy = Policy::new();
                for (i, mut r) in rules.into_iter().enumerate() {
                    let which = match r.get("name").and_then(|n| n.as_str()) {
                        Some(n) => format!("rule {} ({n:?})", i + 1),
                        None => format!("rule {}", i + 1),
                    };
                    rule_shape(&r).with_context(|| which.clone())?;
                    resolve_list_names(&mut r, &lists).with_context(|| which.clone())?;
                    let zones = places.resolve(&mut r).with_context(|| which.clone())?;
                    resolve_recipients(&mut r, &recipients).with_context(|| which.clone())?;
                    let mut rule: Rule = r.try_into().with_context(|| format!("rule {}", i + 1))?;
                    rule.zones = zones;
                    if rule.max_reads == Some(0) {
                        bail!(
                            "{which}: max_reads = 0 would never apply: a hit rests on one read at least"
                        );
                    }
                    if let Some(j) = policy
                        .rules
                        .iter()
                        .position(|o| o.name.as_str() == rule.name.as_str())
                    {
                        bail!(
                            "rules {} and {} are both named {:?}; each rule needs its own name (the report counts by name)",
                            j + 1,
                            i + 1,
                            rule.name.as_str()
                        );
                    }
                    policy
                        .push(rule)
                        .map_err(|e| anyhow!("rule {}: {e}", i + 1))?;
                }
                policy
            }
        };
        Ok(Self {
            lists,
            config,
            policy,
            places,
            recipients,
            classes,
        })
    }

    /// A config file (`--config`): the `[config]` table alone, or its fields
    /// at the top level.
    pub fn load_config(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let v: toml::Table =
            toml::from_str(&text).with_context(|| format!("{}: bad config", path.display()))?;
        for key in ["list", "rule"] {
            if v.contains_key(key) {
                bail!(
                    "{}: has [[{key}]]: a --config file holds settings only ([config]); \
                     give a whole policy with --policy",
                    path.display()
                );
            }
        }
        let v = match v.get("config") {
            Some(c) => c.clone(),
            None => toml::Value::Table(v),
        };
        let config: Config = v
            .try_into()
            .with_context(|| format!("{}: bad config", path.display()))?;
        no_p0_budget(&config.budgets, "budgets")
            .with_context(|| format!("{}: bad config", path.display()))?;
        Ok(config)
    }

    /// The id of a list by name.
    pub fn list_id(&self, name: &str) -> Option<usize> {
        self.lists.iter().position(|l| l.name == name)
    }
}

/// Replaces list names in a rule's `lists` by their ids.
/// What serde would take but a zone would not mean: an empty name, and
/// an empty set of priorities, lists, match kinds or cameras (to the core
/// "any", which a rule says by leaving the key out, as for its zones);
/// and more cameras than a rule holds, said plainly.
fn rule_shape(rule: &toml::Value) -> Result<()> {
    if rule.get("name").and_then(|n| n.as_str()) == Some("") {
        bail!("name: empty: a rule needs a name (the report counts by it)");
    }
    for (key, what) in [
        ("priorities", "priority"),
        ("lists", "list"),
        ("kinds", "match kind"),
        ("cameras", "camera"),
    ] {
        let n = rule.get(key).and_then(|v| v.as_array()).map(Vec::len);
        if n == Some(0) {
            bail!("{key}: empty: leave it out for any {what}");
        }
    }
    let cameras = rule
        .get("cameras")
        .and_then(|v| v.as_array())
        .map_or(0, Vec::len);
    if cameras > MAX_RULE_CAMERAS {
        bail!(
            "cameras: {cameras} patterns; a rule holds at most {MAX_RULE_CAMERAS} \
             (a prefix ending in `*` names a group)"
        );
    }
    Ok(())
}

fn resolve_list_names(rule: &mut toml::Value, lists: &[ListDecl]) -> Result<()> {
    let Some(names) = rule.get_mut("lists") else {
        return Ok(());
    };
    let Some(arr) = names.as_array_mut() else {
        bail!("lists must be an array of list names");
    };
    for v in arr.iter_mut() {
        let name = v
            .as_str()
            .ok_or_else(|| anyhow!("lists must be an array of list names"))?;
        let id = lists
            .iter()
            .position(|l| l.name == name)
            .ok_or_else(|| anyhow!("unknown list {name:?} (declare it with [[list]])"))?;
        *v = toml::Value::Integer(id as i64);
    }
    Ok(())
}

/// The baseline policy as a file, for `gen` and the docs.
pub fn brussels_toml(lists: &[ListDecl], config: &Config) -> String {
    let mut s = String::from(
        "# hitgate policy: list properties, unit settings and the decision matrix.\n\
         # Rules are tried in order; the first that applies decides.\n\n",
    );
    for l in lists {
        let t = l.spec.tolerance;
        s += &format!(
            "[[list]]\nname = {:?}\nlocal = {}\ntolerance = {{ ocr = {}, edits = {}, min_len = {} }}\n",
            l.name, l.spec.local, t.ocr, t.edits, t.min_len
        );
        if let Some(e) = l.spec.evidence {
            s += &format!(
                "evidence = {{ ocr = {}, edits = {}, min_len = {} }}\n",
                e.ocr, e.edits, e.min_len
            );
        }
        s += "\n";
    }
    let mut wrapper = toml::Table::new();
    if let Ok(v) = toml::Value::try_from(config) {
        wrapper.insert("config".into(), v);
    }
    s += &toml::to_string(&wrapper).unwrap_or_default();
    s += "\n# The Brussels baseline (council answer, December 2025).\n";
    s += "[[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n\n";
    s += "[[rule]]\nname = \"p2-local\"\npriorities = [2]\nalso_local = true\naction = \"dispatch\"\n\n";
    s += "[[rule]]\nname = \"p2-not-local\"\npriorities = [2]\naction = \"drop\"\n\n";
    s += "[[rule]]\nname = \"p3-p4\"\npriorities = [3, 4]\naction = \"drop\"\n";
    s
}

#[cfg(test)]
mod tests;
