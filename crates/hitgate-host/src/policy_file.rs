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
use hitgate_core::list::Priority;
use hitgate_core::policy::{Action, Rule, RuleId};
use hitgate_core::{distance::Tolerance, list::ListSpec, policy::Policy, unit::Config};
use serde::Deserialize;

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

    /// What the matrix's own rules say against it, a line each: a rule
    /// that never applies because a rule before it takes every hit it
    /// would ([`Policy::shadowed`]); with recipients declared, a rule that
    /// forwards to none of them, a rule that drops but names some, and a
    /// recipient no forwarding rule names (one with `unknown_rules`
    /// excepted); and priority 0 or 1 (the zones
    /// handle both) that no rule can forward ([`Policy::forwards`]). The
    /// policy still runs as written: the first rule that applies decides.
    pub fn notes(&self) -> Vec<String> {
        let p = &self.policy;
        // Shadowed rules are rules, never the fallback.
        let rule = |id: RuleId| {
            let i = id.index();
            let action = p.rules.get(i).map_or("drop", |r| r.action.as_str());
            format!("rule {} ({:?}, {action})", i + 1, p.rule_name(id))
        };
        let mut notes: Vec<String> = p
            .shadowed()
            .map(|(never, by)| {
                format!(
                    "{} never applies: {} before it takes every hit it would; \
                     move it above, or narrow the earlier one",
                    rule(never),
                    rule(by)
                )
            })
            .collect();
        // With recipients declared, the gate sends a forwarded hit only to
        // those its rule names.
        if !self.recipients.is_empty() {
            let dead: Vec<RuleId> = p.shadowed().map(|(never, _)| never).collect();
            let forwarding = || {
                let live = p.rules.iter().enumerate();
                live.filter(|&(i, r)| {
                    r.action != Action::Drop && !dead.contains(&RuleId::Rule(i as u8))
                })
            };
            for (i, _) in forwarding().filter(|(_, r)| r.recipients == 0) {
                notes.push(format!(
                    "{} names no recipient: the zone gate sends its hits to nobody \
                     (counted as unrouted)",
                    rule(RuleId::Rule(i as u8))
                ));
            }
            for (i, r) in p.rules.iter().enumerate() {
                if r.action == Action::Drop && r.recipients != 0 {
                    notes.push(format!(
                        "{} names recipients, but it drops: they get nothing from it",
                        rule(RuleId::Rule(i as u8))
                    ));
                }
            }
            for (b, d) in self.recipients.iter().enumerate() {
                if !d.unknown_rules && !forwarding().any(|(_, r)| r.recipients & (1 << b) != 0) {
                    notes.push(format!(
                        "recipient {:?} is named by no rule that forwards: it gets nothing",
                        d.name
                    ));
                }
            }
        }
        for priority in [Priority::P0, Priority::P1] {
            if !p.forwards(priority) {
                notes.push(format!(
                    "no rule forwards a priority-{} hit: every one is dropped",
                    priority.get()
                ));
            }
        }
        notes
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
                    resolve_list_names(&mut r, &lists).with_context(|| which.clone())?;
                    places.resolve(&mut r).with_context(|| which.clone())?;
                    resolve_recipients(&mut r, &recipients).with_context(|| which.clone())?;
                    let rule: Rule = r.try_into().with_context(|| format!("rule {}", i + 1))?;
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
mod tests {
    use super::*;
    use hitgate_core::{list::Priority, policy::Action};

    #[test]
    fn baseline_file_parses_back_to_the_baseline() {
        let lists = vec![default_list("stolen"), default_list("local")];
        let text = brussels_toml(&lists, &Config::default());
        let p = PolicyFile::parse(&text).unwrap();
        assert_eq!(p.policy, Policy::brussels());
        assert_eq!(p.config, Config::default());
        assert_eq!(p.lists, lists);
        assert!(p.lists[1].spec.local);
    }

    #[test]
    fn a_list_may_set_its_own_evidence_tolerance() {
        let p = PolicyFile::parse(
            "[[list]]\nname = \"national\"\nevidence = { ocr = 1, edits = 0, min_len = 6 }\n\
             [[list]]\nname = \"wanted\"\n",
        )
        .unwrap();
        let own = Tolerance {
            ocr: 1,
            edits: 0,
            min_len: 6,
        };
        assert_eq!(p.lists[0].spec.evidence, Some(own));
        assert_eq!(p.lists[1].spec.evidence, None);
        // Written back as it was read.
        let again = PolicyFile::parse(&brussels_toml(&p.lists, &p.config)).unwrap();
        assert_eq!(again.lists, p.lists);
        let e = PolicyFile::parse("[[list]]\nname = \"x\"\nevidence = { ocr = 3 }\n").unwrap_err();
        assert!(
            format!("{e:#}").contains("list \"x\": evidence above 2"),
            "{e:#}"
        );
    }

    #[test]
    fn the_engines_look_alikes_are_the_policys_and_checked() {
        let p =
            PolicyFile::parse("[ocr]\nclasses = [\"0ODQ\", \"1ILT\", \"a4\", \"UV\"]\n").unwrap();
        assert!(p.classes.alike(b'A', b'4') && p.classes.alike(b'U', b'V'));
        assert!(p.classes.alike(b'O', b'0'));
        // Not named, so not alike: the zone replaced the default classes.
        assert!(!p.classes.alike(b'B', b'8'));
        assert_eq!(
            PolicyFile::parse("").unwrap().classes,
            ConfusionClasses::default()
        );
        for (bad, says) in [
            (
                "classes = [\"0O\", \"O8\"]",
                "class 1: 'O' already stands in an earlier class",
            ),
            ("classes = [\"0ODQC\"]", "class 0 has more than 4"),
            ("classes = [\"A\"]", "class 0 (\"A\"): a class names 2 to 4"),
            ("classes = [\"A-\"]", "class 0: byte 0x2d is not A-Z or 0-9"),
            ("classes = []\nrate = 1", "unknown field `rate`"),
        ] {
            let e = PolicyFile::parse(&format!("[ocr]\n{bad}\n")).unwrap_err();
            let e = format!("{e:#}");
            assert!(e.contains(says), "{bad}: {e}");
        }
    }

    #[test]
    fn rules_name_lists_and_cameras() {
        let p = PolicyFile::parse(
            r#"
            [[list]]
            name = "wanted"
            [[list]]
            name = "insurance"
            tolerance = { ocr = 0, edits = 0, min_len = 0 }
            [config]
            mode = "first-read"
            budgets = { p1 = { burst = 3, per_hour = 6 } }
            [[rule]]
            name = "mobile-insurance"
            lists = ["insurance"]
            cameras = ["mobile-*"]
            kinds = ["exact"]
            action = "review"
            "#,
        )
        .unwrap();
        assert_eq!(p.config.mode, hitgate_core::unit::Mode::FirstRead);
        assert_eq!(p.config.budgets.0[1].map(|b| b.burst), Some(3));
        assert_eq!(p.config.budgets.0[2], None);
        let r = &p.policy.rules[0];
        assert_eq!(
            r.lists.iter().collect::<Vec<_>>(),
            vec![hitgate_core::list::ListId(1)]
        );
        assert_eq!(r.action, Action::Review);
        assert!(r.priorities.is_empty());
        let _ = Priority::P0;
    }

    #[test]
    fn a_rule_names_how_many_reads_it_takes() {
        let p = PolicyFile::parse(
            "[[rule]]\nname = \"one-fuzzy\"\npriorities = [1]\nkinds = [\"ocr\", \"edit\"]\n\
             max_reads = 1\naction = \"review\"\n\
             [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n",
        )
        .unwrap();
        assert_eq!(p.policy.rules[0].max_reads, Some(1));
        assert_eq!(p.policy.rules[1].max_reads, None);
        let e = PolicyFile::parse("[[rule]]\nname = \"x\"\nmax_reads = 0\naction = \"drop\"\n")
            .unwrap_err();
        assert!(
            format!("{e:#}").contains("rule 1 (\"x\"): max_reads = 0 would never apply"),
            "{e:#}"
        );
        let e = PolicyFile::parse("[[rule]]\nname = \"x\"\nmax_reads = 256\naction = \"drop\"\n")
            .unwrap_err();
        assert!(format!("{e:#}").contains("rule 1"), "{e:#}");
    }

    #[test]
    fn a_rule_names_whether_the_plate_as_read_could_be_a_car() {
        let p = PolicyFile::parse(
            "[[rule]]\nname = \"one-fuzzy\"\nkinds = [\"ocr\"]\nmax_reads = 1\n\
             read_fits = true\naction = \"review\"\n\
             [[rule]]\nname = \"never\"\nread_fits = false\naction = \"drop\"\n\
             [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n",
        )
        .unwrap();
        let fits: Vec<Option<bool>> = p.policy.rules.iter().map(|r| r.read_fits).collect();
        assert_eq!(fits, [Some(true), Some(false), None]);
        let e = PolicyFile::parse("[[rule]]\nname = \"x\"\nread_fits = 1\naction = \"drop\"\n")
            .unwrap_err();
        assert!(format!("{e:#}").contains("rule 1"), "{e:#}");
    }

    #[test]
    fn a_rule_behind_one_that_takes_its_hits_is_noted_and_so_is_p0_dropped() {
        // A hotspot rule after `p2-not-local`, and a rule before
        // everything that drops priority 0.
        let p = PolicyFile::parse(
            "[[zone]]\nname = \"midi\"\ncircle = { centre = [50.8355, 4.336], radius_m = 200 }\n\
             [[rule]]\nname = \"no-p0\"\npriorities = [0]\naction = \"drop\"\n\
             [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n\
             [[rule]]\nname = \"p2-not-local\"\npriorities = [2]\naction = \"drop\"\n\
             [[rule]]\nname = \"p2-midi\"\npriorities = [2]\nzones = [\"midi\"]\n\
             action = \"dispatch\"\n",
        )
        .unwrap();
        assert_eq!(
            p.notes(),
            [
                "rule 4 (\"p2-midi\", dispatch) never applies: rule 3 (\"p2-not-local\", drop) \
                 before it takes every hit it would; move it above, or narrow the earlier one",
                "no rule forwards a priority-0 hit: every one is dropped",
            ]
        );
        // With recipients, a rule that forwards to none is said, and a
        // recipient that only a dead rule, or a dropping one, names (one
        // that takes unknown rules' hits may still get some).
        let p = PolicyFile::parse(
            "[[recipient]]\nname = \"room\"\n[[recipient]]\nname = \"wpr\"\n\
             [[recipient]]\nname = \"team\"\n[[recipient]]\nname = \"any\"\n\
             unknown_rules = true\n\
             [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n\
             recipients = [\"room\"]\n\
             [[rule]]\nname = \"p2-review\"\npriorities = [2]\naction = \"review\"\n\
             [[rule]]\nname = \"rest\"\naction = \"drop\"\nrecipients = [\"team\"]\n\
             [[rule]]\nname = \"p1-wpr\"\npriorities = [1]\naction = \"dispatch\"\n\
             recipients = [\"wpr\"]\n",
        )
        .unwrap();
        assert_eq!(
            p.notes(),
            [
                "rule 4 (\"p1-wpr\", dispatch) never applies: rule 1 (\"p0-p1\", dispatch) \
                 before it takes every hit it would; move it above, or narrow the earlier one",
                "rule 2 (\"p2-review\", review) names no recipient: the zone gate sends its \
                 hits to nobody (counted as unrouted)",
                "rule 3 (\"rest\", drop) names recipients, but it drops: they get nothing from it",
                "recipient \"wpr\" is named by no rule that forwards: it gets nothing",
                "recipient \"team\" is named by no rule that forwards: it gets nothing",
            ]
        );
        // The baseline's rules name no recipient.
        let p = PolicyFile::parse("[[recipient]]\nname = \"room\"\n").unwrap();
        assert_eq!(p.notes().len(), 3, "p0-p1, p2-local, room: {:?}", p.notes());
        // The rules the generator writes, and the baseline, say nothing.
        assert!(PolicyFile::parse("").unwrap().notes().is_empty());
        let generated = brussels_toml(&[], &Config::default());
        assert!(PolicyFile::parse(&generated).unwrap().notes().is_empty());
        let zone = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/policies/brussels-zone.toml"
        );
        let zone = PolicyFile::parse(&std::fs::read_to_string(zone).unwrap()).unwrap();
        assert!(zone.policy.rules.len() > 4 && zone.notes().is_empty());
    }

    #[test]
    fn a_budget_for_priority_0_is_refused_as_it_would_be_ignored() {
        for (text, says) in [
            (
                "[config.budgets.p0]\nburst = 5\nper_hour = 10\n",
                "[config] budgets names p0: priority 0 is never throttled (leave it out)",
            ),
            (
                "[[recipient]]\nname = \"room\"\nbudgets = { p0 = { burst = 1, per_hour = 2 } }\n",
                "recipient \"room\": budgets names p0: priority 0 is never throttled",
            ),
        ] {
            let e = format!("{:#}", PolicyFile::parse(text).unwrap_err());
            assert!(e.contains(says), "{e}");
        }
        // A --config file too.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[budgets.p0]\nburst = 5\nper_hour = 10\n").unwrap();
        let e = format!("{:#}", PolicyFile::load_config(&path).unwrap_err());
        assert!(e.contains("budgets names p0"), "{e}");
        // p1 stays allowed.
        std::fs::write(&path, "[budgets.p1]\nburst = 5\nper_hour = 10\n").unwrap();
        assert!(PolicyFile::load_config(&path).is_ok());
    }

    #[test]
    fn errors_name_the_problem() {
        let e =
            PolicyFile::parse("[[rule]]\nname = \"x\"\nlists = [\"nope\"]\naction = \"drop\"\n")
                .unwrap_err();
        assert!(
            format!("{e:#}").contains("rule 1 (\"x\"): unknown list \"nope\""),
            "{e:#}"
        );
        let e = PolicyFile::parse("[[rule]]\nname = \"x\"\npriorities = [7]\naction = \"drop\"\n")
            .unwrap_err();
        assert!(
            format!("{e:#}").contains("priority must be 0 to 4"),
            "{e:#}"
        );
        let e = PolicyFile::parse("[config]\nmode = \"fast\"\n").unwrap_err();
        assert!(format!("{e:#}").contains("[config]"), "{e:#}");
        let e = PolicyFile::parse("[[list]]\nname = \"a\"\n[[list]]\nname = \"a\"\n").unwrap_err();
        assert!(format!("{e:#}").contains("declared twice"), "{e:#}");
        let e = PolicyFile::parse("bogus = 1\n").unwrap_err();
        assert!(format!("{e:#}").contains("bogus"), "{e:#}");
    }

    #[test]
    fn a_recipient_acknowledges_only_when_it_says_so() {
        let pf = PolicyFile::parse(
            "[[recipient]]\nname = \"room\"\n[[recipient]]\nname = \"wpr\"\nacks = true\n",
        )
        .unwrap();
        let acks: Vec<(&str, bool)> = pf
            .recipients
            .iter()
            .map(|r| (r.name.as_str(), r.acks))
            .collect();
        assert_eq!(acks, [("room", false), ("wpr", true)]);
        let e = PolicyFile::parse("[[recipient]]\nname = \"wpr\"\nacks = \"yes\"\n").unwrap_err();
        assert!(format!("{e:#}").contains("acks"), "{e:#}");
    }

    #[test]
    fn a_recipients_most_open_dispatches_are_read_per_priority() {
        let pf = PolicyFile::parse(
            "[[recipient]]\nname = \"room\"\nmax_open = { p1 = 4, p2 = 0 }\n[[recipient]]\nname = \"wpr\"\n",
        )
        .unwrap();
        let caps: Vec<_> = pf.recipients.iter().map(|r| r.max_open.0).collect();
        assert_eq!(
            caps,
            [[None, Some(4), Some(0), None, None], [None; 5]],
            "{caps:?}"
        );
        assert_eq!(crate::gate::gate_config(&pf).max_open[0].0[1], Some(4));
        let pf = PolicyFile::parse(
            "[[recipient]]\nname = \"wpr\"\nmax_delay_s = 600\n[[recipient]]\nname = \"room\"\n",
        )
        .unwrap();
        assert_eq!(
            crate::gate::gate_config(&pf).max_delay_ms[..2],
            [Some(600_000), None]
        );
        for (text, want) in [
            ("max_delay_s = -5", "max_delay_s"),
            ("max_delay_s = 5000000", "at most 4294967 seconds"),
        ] {
            let e = PolicyFile::parse(&format!("[[recipient]]\nname = \"room\"\n{text}\n"))
                .unwrap_err();
            assert!(format!("{e:#}").contains(want), "{text}: {e:#}");
        }
        for (text, want) in [
            ("max_open = { p0 = 3 }", "priority 0 is never held back"),
            ("max_open = { p9 = 3 }", "p9"),
            ("max_open = { p1 = -1 }", "max_open"),
            ("max_open = { p1 = \"many\" }", "max_open"),
        ] {
            let e = PolicyFile::parse(&format!("[[recipient]]\nname = \"room\"\n{text}\n"))
                .unwrap_err();
            assert!(format!("{e:#}").contains(want), "{text}: {e:#}");
        }
    }

    #[test]
    fn a_recipients_outcomes_are_words_it_declares() {
        let pf = PolicyFile::parse(
            "[[recipient]]\nname = \"wpr\"\noutcomes = [\"intercepted\", \"not-found\"]\n\
             [[recipient]]\nname = \"room\"\n",
        )
        .unwrap();
        let (wpr, room) = (&pf.recipients[0], &pf.recipients[1]);
        assert!(wpr.takes_outcome("intercepted") && wpr.takes_outcome("not-found"));
        assert!(!wpr.takes_outcome("no-action"));
        // Without a list, any word; never a sentence.
        assert!(room.takes_outcome("no-action") && room.takes_outcome("x_1"));
        for bad in ["", "Intercepted", "seen by J. Doe", "a/b", &"x".repeat(33)] {
            assert!(!room.takes_outcome(bad), "{bad:?}");
        }
        assert!(room.takes_outcome(&"x".repeat(32)));
        for (text, want) in [
            ("outcomes = [\"two words\"]", "a word of 1 to 32"),
            ("outcomes = [\"a\", \"a\"]", "listed twice"),
            ("outcomes = \"a\"", "outcomes"),
        ] {
            let e = PolicyFile::parse(&format!("[[recipient]]\nname = \"room\"\n{text}\n"))
                .unwrap_err();
            assert!(format!("{e:#}").contains(want), "{text}: {e:#}");
        }
    }

    #[test]
    fn the_recipients_of_unknown_rules_are_those_that_say_so() {
        let three = |flags: [&str; 3]| {
            let mut t = String::new();
            for (name, flag) in ["room", "wpr", "desk"].iter().zip(flags) {
                t += &format!("[[recipient]]\nname = \"{name}\"\n{flag}");
            }
            PolicyFile::parse(&t).unwrap().unknown_rules_mask()
        };
        assert_eq!(three(["", "", ""]), 0);
        assert_eq!(three(["", "", "unknown_rules = true\n"]), 0b100);
        assert_eq!(
            three(["unknown_rules = true\n", "", "unknown_rules = true\n"]),
            0b101
        );
        assert_eq!(three(["unknown_rules = false\n", "", ""]), 0);
        let e =
            PolicyFile::parse("[[recipient]]\nname = \"desk\"\nunknown_rules = 1\n").unwrap_err();
        assert!(format!("{e:#}").contains("unknown_rules"), "{e:#}");
    }

    /// A `[[rule]]` table for one priority.
    fn rule_toml(name: &str, priority: u8, action: &str) -> String {
        format!("[[rule]]\nname = \"{name}\"\npriorities = [{priority}]\naction = \"{action}\"\n")
    }

    #[test]
    fn an_empty_rule_list_is_refused_not_a_drop_all() {
        let e = PolicyFile::parse("rule = []\n").unwrap_err();
        assert!(format!("{e:#}").contains("would drop every hit"), "{e:#}");
        // Leaving `rule` out is the baseline.
        assert_eq!(PolicyFile::parse("").unwrap().policy, Policy::brussels());
    }

    #[test]
    fn two_rules_with_one_name_are_refused_naming_both() {
        let rule = rule_toml("same", 0, "dispatch");
        let other = rule_toml("other", 1, "dispatch");
        let e = PolicyFile::parse(&format!("{rule}{other}{rule}")).unwrap_err();
        let e = format!("{e:#}");
        assert!(e.contains("rules 1 and 3 are both named \"same\""), "{e}");
        PolicyFile::parse(&format!("{rule}{other}")).unwrap();
    }

    #[test]
    fn a_rule_past_the_policys_capacity_is_refused_by_number() {
        let rules = |n: u8| {
            (0..n)
                .map(|i| rule_toml(&format!("r{i}"), 0, "drop"))
                .collect::<String>()
        };
        let e = format!("{:#}", PolicyFile::parse(&rules(33)).unwrap_err());
        assert!(
            e.contains("rule 33: a policy holds at most 32 rules"),
            "{e}"
        );
        assert_eq!(
            PolicyFile::parse(&rules(32)).unwrap().policy.rules.len(),
            32
        );
    }

    #[test]
    fn a_config_file_with_lists_or_rules_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c.toml");
        let whole = format!(
            "[config]\nmode = \"first-read\"\n{}",
            rule_toml("x", 0, "drop")
        );
        std::fs::write(&p, whole).unwrap();
        let e = format!("{:#}", PolicyFile::load_config(&p).unwrap_err());
        assert!(e.contains("has [[rule]]") && e.contains("--policy"), "{e}");
        std::fs::write(&p, "mode = \"first-read\"\n").unwrap();
        let mode = PolicyFile::load_config(&p).unwrap().mode;
        assert_eq!(mode, hitgate_core::unit::Mode::FirstRead);
    }
}
