//! The policy file (TOML): list properties, the unit's settings and the
//! decision matrix.
//!
//! ```toml
//! [[list]]                      # ids are given in this order
//! name = "stolen"
//! local = false
//! tolerance = { ocr = 1, edits = 0, min_len = 5 }
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

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use hitgate_core::policy::Rule;
use hitgate_core::{distance::Tolerance, list::ListSpec, policy::Policy, unit::Config};
use serde::Deserialize;

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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawList {
    name: String,
    #[serde(default)]
    local: bool,
    #[serde(default)]
    tolerance: Option<Tolerance>,
}

/// The properties of a list nobody declared: default tolerance, local when
/// it is called `local`.
pub fn default_list(name: &str) -> ListDecl {
    ListDecl {
        name: name.to_string(),
        spec: ListSpec {
            tolerance: Tolerance::DEFAULT,
            local: name.eq_ignore_ascii_case("local"),
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
        }
    }

    /// Reads a policy file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        Self::parse(&text).with_context(|| format!("{}: bad policy", path.display()))
    }

    /// Parses policy TOML.
    pub fn parse(text: &str) -> Result<Self> {
        let raw: Raw = toml::from_str(text)?;
        let mut lists = Vec::new();
        for l in raw.list {
            if lists.iter().any(|d: &ListDecl| d.name == l.name) {
                bail!("list {:?} is declared twice", l.name);
            }
            let spec = ListSpec {
                tolerance: l.tolerance.unwrap_or_default(),
                local: l.local,
            };
            if !spec.tolerance.is_valid() {
                bail!(
                    "list {:?}: tolerance above 2 OCR substitutions or edits",
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
        let policy = match raw.rule {
            None => Policy::brussels(),
            Some(rules) if rules.is_empty() => bail!(
                "`rule = []` would drop every hit, priority 0 included; \
                 leave `rule` out for the Brussels baseline, or write the rules"
            ),
            Some(rules) => {
                let mut policy = Policy::new();
                for (i, mut r) in rules.into_iter().enumerate() {
                    resolve_list_names(&mut r, &lists)
                        .with_context(|| format!("rule {}", i + 1))?;
                    let rule: Rule = r.try_into().with_context(|| format!("rule {}", i + 1))?;
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
        v.try_into()
            .with_context(|| format!("{}: bad config", path.display()))
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
            "[[list]]\nname = {:?}\nlocal = {}\ntolerance = {{ ocr = {}, edits = {}, min_len = {} }}\n\n",
            l.name, l.spec.local, t.ocr, t.edits, t.min_len
        );
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
    fn errors_name_the_problem() {
        let e =
            PolicyFile::parse("[[rule]]\nname = \"x\"\nlists = [\"nope\"]\naction = \"drop\"\n")
                .unwrap_err();
        assert!(
            format!("{e:#}").contains("rule 1: unknown list \"nope\""),
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
