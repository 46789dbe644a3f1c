//! `hitgate matrix` and `hitgate explain`: the decision matrix in words
//! ([`matrix`]), and ([`explain`]) what it does with one hit a working
//! group describes (its priority, list, camera, time, position), rule by
//! rule, with the first condition each rule asks that the hit does not
//! meet ([`PolicyView::explain`](hitgate_core::policy::PolicyView::explain)).
//!
//! The zones, schedules and operations are worked out by the core from
//! the policy's own places, as a unit works them out, so the answer is the
//! matrix's for that hit. What comes after the matrix (a late hit, a
//! budget, a look-alike, a repeat within the re-alert window) is not asked:
//! it depends on the traffic, which `hitgate compare` replays.

use std::fmt::Write as _;

use anyhow::{Result, anyhow, bail};
use hitgate_core::list::{ListId, Priority};
use hitgate_core::place::Name;
use hitgate_core::plate::{Country, Plate};
use hitgate_core::policy::{Action, Condition, Facts, Rule, RuleId};
use hitgate_core::read::{CameraId, Position};
use hitgate_core::watchlist::MatchKind;
use serde::Serialize;

use crate::policy_file::PolicyFile;
use crate::time::{format_ts, parse_ts};

/// The hit, as the command line gives it.
#[derive(Debug, Clone)]
pub struct Hit {
    /// Its priority, 0 to 4.
    pub priority: u8,
    /// The list it stands on, by name (`None`: a list the policy does not
    /// declare, which no rule names).
    pub list: Option<String>,
    /// The plate also stands on a local list.
    pub local: bool,
    /// How it matched.
    pub kind: MatchKind,
    /// The camera.
    pub camera: String,
    /// When its passage's first read was taken (RFC 3339).
    pub at: String,
    /// A mobile read's position, `LAT,LON` in degrees (a fixed camera's
    /// comes from the policy).
    pub position: Option<String>,
    /// Reads the hit rests on.
    pub reads: u16,
    /// Whether the plate as read spells a plate of its country's formats.
    pub read_fits: bool,
    /// The plate as read, and its country (two letters): when given,
    /// `read_fits` is worked out from them as a unit works it out.
    pub plate: Option<(String, Option<String>)>,
    /// How long after the car passed the hit reaches the zone gate, ms.
    pub delay_ms: u64,
}

/// `hitgate explain --json`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Explained {
    /// The hit's time, UTC.
    pub at: String,
    /// Its local weekday and time (`mon 08:30`), by the policy's `[time]`.
    pub local: String,
    /// Its position (the read's, or its camera's in the policy), if any.
    pub position: Option<[f64; 2]>,
    /// Whether the plate as read spells a plate of its country's formats
    /// (as given, or worked out from `--plate`).
    pub read_fits: bool,
    /// The zones it is in.
    pub zones: Vec<String>,
    /// The schedules in force.
    pub schedules: Vec<String>,
    /// The operations under way.
    pub operations: Vec<String>,
    /// Each rule asked, in order, until one applies.
    pub rules: Vec<Asked>,
    /// The matrix's answer: `dispatch`, `review` or `drop`.
    pub action: &'static str,
    /// The rule that decided (`null`: none applied; the fallback drops).
    pub rule: Option<String>,
    /// Who gets it from the zone gate (the deciding rule's recipients).
    pub recipients: Vec<String>,
    /// Of those, for a dispatch, the ones that get it as a late review:
    /// it reaches the gate after their `max_delay_s`.
    pub late_for: Vec<String>,
}

/// One rule asked.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Asked {
    /// Its number, from 1, as the policy file lists it.
    pub number: usize,
    /// Its name.
    pub name: String,
    /// Its action.
    pub action: &'static str,
    /// The first of its conditions the hit does not meet (`null`: it
    /// applies), as the policy file names it.
    pub fails: Option<&'static str>,
    /// Why, in words.
    pub because: Option<String>,
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Puts `hit` to the policy's matrix.
pub fn explain(pf: &PolicyFile, hit: &Hit) -> Result<Explained> {
    let priority = Priority::new(hit.priority)
        .ok_or_else(|| anyhow!("--priority {}: 0 to 4", hit.priority))?;
    let list = list_id(pf, hit.list.as_deref())?;
    let camera =
        CameraId::new(&hit.camera).map_err(|e| anyhow!("--camera {:?}: {e}", hit.camera))?;
    let at = parse_ts(&hit.at).map_err(|e| anyhow!("--at: {e}"))?;
    let read_position = match &hit.position {
        None => None,
        Some(text) => Some(position(text)?),
    };
    let read_fits = read_fits(hit)?;
    let places = pf.places.view();
    let position = places.position(&camera, read_position);
    let facts = Facts {
        priority,
        list,
        also_local: hit.local,
        kind: hit.kind,
        camera: &camera,
        zones: places.zones_of(position),
        schedules: places.schedules_at(at),
        operations: places.operations_at(at),
        reads: hit.reads,
        read_fits,
    };
    let zones = named(facts.zones, pf.places.zones.iter().map(|z| &z.name));
    let schedules = named(
        u64::from(facts.schedules),
        pf.places.schedules.iter().map(|s| &s.name),
    );
    let operations = named(
        u64::from(facts.operations),
        pf.places.operations.iter().map(|o| &o.name),
    );
    let (day, minute) = pf.places.offsets.local(at);
    let local = format!(
        "{} {:02}:{:02}",
        DAYS.get(usize::from(day)).unwrap_or(&"?"),
        minute / 60,
        minute % 60
    );
    let mut rules = Vec::new();
    let (action, decided) = pf.policy.view().explain(&facts, |i, rule, fails| {
        rules.push(Asked {
            number: i + 1,
            name: rule.name.to_string(),
            action: rule.action.as_str(),
            fails: fails.map(Condition::as_str),
            because: fails.map(|c| because(pf, rule, c, (&facts, &local))),
        });
    });
    let (rule, to) = match decided {
        RuleId::Rule(_) => (
            Some(pf.policy.rule_name(decided).to_string()),
            pf.policy.recipients(decided),
        ),
        RuleId::Fallback => (None, 0),
    };
    let late = match action {
        Action::Dispatch => to & crate::gate::gate_config(pf).late_after(hit.delay_ms),
        _ => 0,
    };
    Ok(Explained {
        at: format_ts(at),
        local,
        position: position.map(|p| [degrees(p.lat_e7), degrees(p.lon_e7)]),
        read_fits,
        zones,
        schedules,
        operations,
        rules,
        action: action.as_str(),
        rule,
        recipients: recipient_names(pf, to),
        late_for: recipient_names(pf, late),
    })
}

/// `hitgate matrix`: the policy's rules in words, one a line, in the
/// order they are asked, then the fallback and the notes
/// ([`PolicyFile::notes`]): the matrix as a working group's minutes or a
/// notice to the public would state it, made from the file a unit runs.
pub fn matrix(pf: &PolicyFile) -> String {
    let mut s = String::new();
    for (i, r) in pf.policy.rules.iter().enumerate() {
        let to = recipient_names(pf, r.recipients);
        let _ = write!(
            s,
            "{}. {}: {} -> {}",
            i + 1,
            r.name,
            conditions(pf, r),
            r.action.as_str()
        );
        if r.action != Action::Drop && !to.is_empty() {
            let _ = write!(s, ", to {}", to.join(", "));
        }
        s.push('\n');
    }
    s.push_str("otherwise: drop\n");
    for n in pf.notes() {
        let _ = writeln!(s, "note: {n}");
    }
    s
}

/// One pair of rules, one of each of two policies, that may decide a
/// hit otherwise ([`rule_changes`]).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RuleChange {
    /// What the earlier policy does with those hits, and by which rule
    /// (`drop by rule 3 "p2-not-local"`, `drop by no rule`).
    pub before: String,
    /// What the later one does.
    pub after: String,
    /// Those hits in words, as the check cut them; of these, the hits no
    /// rule before either takes.
    pub hits: Vec<String>,
}

/// What `b` decides otherwise than `a` (named `a_name` in errors), from
/// the rules alone
/// ([`PolicyView::changes`](hitgate_core::policy::PolicyView::changes)):
/// each pair of rules, one of each, that may decide one hit otherwise
/// (another action, or other recipients, by name), with those hits in
/// words. The two files must declare the same lists, places and local
/// time: what they do to a read before the matrix is not the matrix's to
/// say.
pub fn rule_changes(a: &PolicyFile, a_name: &str, b: &PolicyFile) -> Result<Vec<RuleChange>> {
    if a.lists != b.lists {
        bail!(
            "{a_name} declares other lists, or other tolerances: they change which reads \
             are hits before the matrix; replay a recording under both with `hitgate compare`"
        );
    }
    if a.places != b.places {
        bail!(
            "{a_name} declares other zones, schedules, operations, cameras or local time: \
             rules name them by their place in the file; replay a recording under both with \
             `hitgate compare`"
        );
    }
    let lists: Vec<_> = b.lists.iter().map(|l| l.spec).collect();
    // The recipients by name, numbered alike on both sides: the earlier
    // file's, then those only this one declares.
    let mut names: Vec<&str> = a.recipients.iter().map(|r| r.name.as_str()).collect();
    for r in &b.recipients {
        if !names.contains(&r.name.as_str()) {
            names.push(&r.name);
        }
    }
    if names.len() > 8 {
        bail!(
            "the two files declare {} recipients between them; a rule names at most 8",
            names.len()
        );
    }
    let renumbered = |pf: &PolicyFile| {
        let mut p = pf.policy.clone();
        for r in p.rules.iter_mut() {
            let named = pf
                .recipients
                .iter()
                .enumerate()
                .filter(|(i, _)| r.recipients & (1 << i) != 0);
            r.recipients = named
                .filter_map(|(_, d)| names.iter().position(|n| *n == d.name))
                .fold(0, |m, at| m | (1 << at));
        }
        p
    };
    let (pa, pb) = (renumbered(a), renumbered(b));
    let side = |p: &hitgate_core::policy::Policy, id: RuleId| {
        let r = p.rules.get(id.index());
        let action = r.map_or(Action::Drop, |r| r.action);
        let mut s = action.as_str().to_string();
        let to: Vec<&str> = names
            .iter()
            .enumerate()
            .filter(|(i, _)| r.is_some_and(|r| r.recipients & (1 << i) != 0))
            .map(|(_, n)| *n)
            .collect();
        if action != Action::Drop && !to.is_empty() {
            let _ = write!(s, " to {}", to.join(", "));
        }
        match id {
            RuleId::Fallback => s + " by no rule",
            RuleId::Rule(i) => format!("{s} by rule {} {:?}", i + 1, p.rule_name(id)),
        }
    };
    let places = b.places.view();
    let mut changes = Vec::new();
    pa.view()
        .changes(pb.view(), &places, &lists, |x, y, parts| {
            let mut hits: Vec<String> = Vec::new();
            for part in parts {
                let text = conditions(b, part);
                if !hits.contains(&text) {
                    hits.push(text);
                }
            }
            changes.push(RuleChange {
                before: side(&pa, x),
                after: side(&pb, y),
                hits,
            });
        });
    Ok(changes)
}

/// [`rule_changes`] in words, for `hitgate matrix --against`.
pub fn against(a: &PolicyFile, a_name: &str, b: &PolicyFile) -> Result<String> {
    let changes = rule_changes(a, a_name, b)?;
    let mut s = format!("against {a_name}: ");
    s.push_str(if changes.is_empty() {
        "no hit is decided otherwise\n"
    } else {
        "hits decided otherwise, where no rule before of either takes them first\n"
    });
    for c in &changes {
        let _ = writeln!(s, "  {} in {a_name}, {} here:", c.before, c.after);
        for h in &c.hits {
            let _ = writeln!(s, "    {h}");
        }
    }
    Ok(s)
}

/// A rule's conditions in words (`any hit` for none).
fn conditions(pf: &PolicyFile, r: &Rule) -> String {
    let or = |v: Vec<String>| v.join(" or ");
    let mut parts: Vec<String> = Vec::new();
    if !r.priorities.is_empty() {
        let ps: Vec<String> = r.priorities.iter().map(|p| p.get().to_string()).collect();
        parts.push(format!("priority {}", or(ps)));
    }
    if !r.lists.is_empty() {
        let ls = r
            .lists
            .iter()
            .map(|l| list_name(pf, l).to_string())
            .collect();
        parts.push(format!("on {}", or(ls)));
    }
    match r.also_local {
        Some(true) => parts.push("also on a local list".into()),
        Some(false) => parts.push("not also on a local list".into()),
        None => {}
    }
    if !r.kinds.is_empty() {
        let ks = r.kinds.iter().map(|k| k.as_str().to_string()).collect();
        parts.push(format!("matched {}", or(ks)));
    }
    if !r.cameras.is_empty() {
        let cs = r.cameras.iter().map(|c| c.as_str().to_string()).collect();
        parts.push(format!("from {}", or(cs)));
    }
    if r.zones != 0 {
        let zs = named(r.zones, pf.places.zones.iter().map(|z| &z.name));
        parts.push(format!("in {}", or(zs)));
    }
    if r.schedules != 0 {
        let ss: Vec<String> = pf
            .places
            .schedules
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 16 && r.schedules & (1 << i) != 0)
            .map(|(_, s)| {
                let days: Vec<&str> = DAYS
                    .iter()
                    .enumerate()
                    .filter(|(d, _)| s.days & (1 << d) != 0)
                    .map(|(_, d)| *d)
                    .collect();
                let days = match days.len() {
                    7 => "every day".to_string(),
                    _ => days.join(" "),
                };
                format!(
                    "{} ({days} {:02}:{:02}-{:02}:{:02} local)",
                    s.name,
                    s.from / 60,
                    s.from % 60,
                    s.to / 60,
                    s.to % 60
                )
            })
            .collect();
        parts.push(format!("during {}", or(ss)));
    }
    if let Some(o) = r.operation {
        let op = pf.places.operations.get(usize::from(o));
        parts.push(match op {
            Some(op) => format!(
                "in the operation {} ({} to {})",
                op.name,
                format_ts(op.start),
                format_ts(op.end)
            ),
            None => "in an operation the policy does not declare".into(),
        });
    }
    if let Some(n) = r.max_reads {
        parts.push(format!("on at most {n} read(s)"));
    }
    match r.read_fits {
        Some(true) => parts.push("read as a plate a car could carry".into()),
        Some(false) => parts.push("read as a plate no car could carry".into()),
        None => {}
    }
    if parts.is_empty() {
        "any hit".into()
    } else {
        parts.join(", ")
    }
}

/// The list `--list` names (a list no rule names without one).
fn list_id(pf: &PolicyFile, name: Option<&str>) -> Result<ListId> {
    let Some(name) = name else {
        return Ok(ListId(pf.lists.len() as u8));
    };
    match pf.lists.iter().position(|l| l.name == name) {
        Some(i) => Ok(ListId(i as u8)),
        None => {
            let declared: Vec<&str> = pf.lists.iter().map(|l| l.name.as_str()).collect();
            bail!(
                "--list {name:?}: the policy declares no such list (it declares: {}); \
                 leave --list out for a list no rule names",
                if declared.is_empty() {
                    "none".to_string()
                } else {
                    declared.join(", ")
                }
            )
        }
    }
}

/// Whether the plate as read spells a plate of its country's formats: as
/// given, or judged from `--plate` and `--country` as a unit judges it.
fn read_fits(hit: &Hit) -> Result<bool> {
    let Some((plate, country)) = &hit.plate else {
        return Ok(hit.read_fits);
    };
    let read = Plate::normalize(plate.as_bytes()).map_err(|e| anyhow!("--plate {plate:?}: {e}"))?;
    let country = match country {
        None => None,
        Some(c) => Some(Country::parse(c.as_bytes()).map_err(|e| anyhow!("--country {c:?}: {e}"))?),
    };
    Ok(hitgate_core::syntax::fits(&read, country))
}

/// The report as text: the hit, then a line per rule asked.
pub fn text(e: &Explained) -> String {
    let mut s = String::new();
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(
        s,
        "at {} ({} local), {}; zones: {}; schedules in force: {}; operations under way: {}",
        e.at,
        e.local,
        match e.position {
            Some([lat, lon]) => format!("at {lat:.5},{lon:.5}"),
            None => "no position".to_string(),
        },
        list(&e.zones),
        list(&e.schedules),
        list(&e.operations),
    );
    for r in &e.rules {
        match &r.because {
            Some(why) => {
                let _ = writeln!(
                    s,
                    "rule {} {:?} ({}): no, {why}",
                    r.number, r.name, r.action
                );
            }
            None => {
                let _ = writeln!(s, "rule {} {:?} ({}): applies", r.number, r.name, r.action);
            }
        }
    }
    match &e.rule {
        Some(name) => {
            let _ = write!(s, "the matrix: {} by {name:?}", e.action);
            if !e.recipients.is_empty() {
                let _ = write!(s, ", to {}", e.recipients.join(", "));
            }
            if !e.late_for.is_empty() {
                let _ = write!(
                    s,
                    "; at the zone gate, a late review for {} (it arrives after their max_delay_s)",
                    e.late_for.join(", ")
                );
            }
            s.push('\n');
        }
        None => s.push_str("the matrix: no rule applies, so the fallback drops it\n"),
    }
    match e.action {
        "dispatch" => s.push_str(
            "after the matrix, a unit may still send it to review (late, over its budget, a \
             look-alike) or hold it as a repeat within the re-alert window\n",
        ),
        "review" => s.push_str(
            "after the matrix, a unit may still hold it as a repeat within the re-alert window\n",
        ),
        _ => {}
    }
    s
}

/// Why `rule` turns the hit down on condition `c`, in words.
fn because(pf: &PolicyFile, rule: &Rule, c: Condition, (f, local): (&Facts<'_>, &str)) -> String {
    let join = |v: Vec<String>| v.join(", ");
    let masked = |mask: u64, all: &mut dyn Iterator<Item = &Name>| join(named(mask, all));
    match c {
        Condition::Priorities => format!(
            "it takes priority {}; the hit is priority {}",
            join(
                rule.priorities
                    .iter()
                    .map(|p| p.get().to_string())
                    .collect()
            ),
            f.priority.get()
        ),
        Condition::Lists => format!(
            "it takes the lists {}; the hit is on {}",
            join(
                rule.lists
                    .iter()
                    .map(|l| list_name(pf, l).to_string())
                    .collect()
            ),
            list_name(pf, f.list)
        ),
        Condition::AlsoLocal if rule.also_local == Some(true) => {
            "it takes a plate also on a local list; this one is not".to_string()
        }
        Condition::AlsoLocal => {
            "it takes a plate not also on a local list; this one is".to_string()
        }
        Condition::Kinds => format!(
            "it takes {} matches; the hit is {}",
            join(rule.kinds.iter().map(|k| k.as_str().to_string()).collect()),
            f.kind.as_str()
        ),
        Condition::Cameras => format!(
            "it takes the cameras {}; the hit is from {}",
            join(
                rule.cameras
                    .iter()
                    .map(|c| c.as_str().to_string())
                    .collect()
            ),
            f.camera.as_str()
        ),
        Condition::Zones if f.zones == 0 && pf.places.view().zones.is_empty() => {
            "it takes a zone; the policy declares none".to_string()
        }
        Condition::Zones => format!(
            "it takes a hit in {}; the hit is in none of them",
            masked(rule.zones, &mut pf.places.zones.iter().map(|z| &z.name))
        ),
        Condition::Schedules => format!(
            "it takes the schedules {}; none is in force at {local} local",
            masked(
                u64::from(rule.schedules),
                &mut pf.places.schedules.iter().map(|s| &s.name)
            )
        ),
        Condition::Operation => format!(
            "it exists only during the operation {}, not under way then",
            rule.operation
                .and_then(|o| pf.places.operations.get(usize::from(o)))
                .map_or("?", |o| o.name.as_str())
        ),
        Condition::MaxReads => format!(
            "it takes a hit on at most {} read(s); this one rests on {}",
            rule.max_reads.unwrap_or(0),
            f.reads
        ),
        Condition::ReadFits if rule.read_fits == Some(true) => {
            "it takes a plate as read that a car could carry; this one could not".to_string()
        }
        Condition::ReadFits => {
            "it takes a plate as read that no car could carry; this one could".to_string()
        }
        _ => format!("its condition {}", c.as_str()),
    }
}

/// The names of the places whose bits are set in `mask`.
fn named<'n>(mask: u64, all: impl Iterator<Item = &'n Name>) -> Vec<String> {
    all.enumerate()
        .filter(|(i, _)| *i < 64 && mask & (1 << i) != 0)
        .map(|(_, n)| n.as_str().to_string())
        .collect()
}

fn list_name(pf: &PolicyFile, l: ListId) -> &str {
    pf.lists
        .get(l.index())
        .map_or("a list the policy does not declare", |d| d.name.as_str())
}

fn recipient_names(pf: &PolicyFile, mask: u8) -> Vec<String> {
    pf.recipients
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < 8 && mask & (1 << i) != 0)
        .map(|(_, r)| r.name.clone())
        .collect()
}

fn degrees(e7: i32) -> f64 {
    f64::from(e7) / 1e7
}

/// `LAT,LON` in degrees.
fn position(text: &str) -> Result<Position> {
    let bad = || anyhow!("--position {text:?}: LAT,LON in degrees (50.8467,4.3525)");
    let (lat, lon) = text.split_once(',').ok_or_else(bad)?;
    let lat: f64 = lat.trim().parse().map_err(|_| bad())?;
    let lon: f64 = lon.trim().parse().map_err(|_| bad())?;
    Position::from_degrees(lat, lon).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(priority: u8) -> Hit {
        Hit {
            priority,
            list: None,
            local: false,
            kind: MatchKind::Exact,
            camera: "cam-1".into(),
            at: "2026-01-05T08:00:00Z".into(),
            position: None,
            reads: 2,
            read_fits: true,
            plate: None,
            delay_ms: 0,
        }
    }

    #[test]
    fn the_baseline_drops_a_priority_2_hit_not_on_a_local_list_and_says_why_the_others_pass() {
        let pf = PolicyFile::baseline();
        let e = explain(&pf, &hit(2)).unwrap();
        assert_eq!(e.action, "drop");
        assert_eq!(e.rule.as_deref(), Some("p2-not-local"));
        let fails: Vec<Option<&str>> = e.rules.iter().map(|r| r.fails).collect();
        assert_eq!(fails, [Some("priorities"), Some("also_local"), None]);
        assert_eq!(
            e.rules[0].because.as_deref(),
            Some("it takes priority 0, 1; the hit is priority 2")
        );
        // 2026-01-05 was a Monday; without [time], local time is UTC.
        assert_eq!(e.local, "mon 08:00");
        let local = explain(
            &pf,
            &Hit {
                local: true,
                ..hit(2)
            },
        )
        .unwrap();
        assert_eq!(
            (local.action, local.rule.as_deref()),
            ("dispatch", Some("p2-local"))
        );
    }

    #[test]
    fn a_dispatch_that_reaches_the_gate_late_is_a_review_for_a_recipient_that_wants_it_fresh() {
        let pf = PolicyFile::parse(
            "[[recipient]]\nname = \"room\"\n[[recipient]]\nname = \"wpr\"\nmax_delay_s = 300\n\
             [[rule]]\nname = \"p1\"\npriorities = [1]\naction = \"dispatch\"\n\
             recipients = [\"room\", \"wpr\"]\n\
             [[rule]]\nname = \"p2\"\npriorities = [2]\naction = \"review\"\n\
             recipients = [\"wpr\"]\n",
        )
        .unwrap();
        let at = |priority, delay_s: u64| {
            let e = explain(
                &pf,
                &Hit {
                    delay_ms: delay_s * 1000,
                    ..hit(priority)
                },
            )
            .unwrap();
            (e.recipients, e.late_for)
        };
        let both = vec!["room".to_string(), "wpr".to_string()];
        // 300 s is still in time; 301 s is late for wpr alone.
        assert_eq!(at(1, 300), (both.clone(), vec![]));
        assert_eq!(at(1, 301), (both, vec!["wpr".to_string()]));
        // A review is a review, however late.
        assert_eq!(at(2, 3600), (vec!["wpr".to_string()], vec![]));
        let e = explain(
            &pf,
            &Hit {
                delay_ms: 600_000,
                ..hit(1)
            },
        )
        .unwrap();
        assert!(
            text(&e).contains(
                "the matrix: dispatch by \"p1\", to room, wpr; at the zone gate, a late review \
                 for wpr (it arrives after their max_delay_s)\n"
            ),
            "{}",
            text(&e)
        );
    }

    #[test]
    fn a_plate_as_read_says_whether_a_car_could_carry_it() {
        // The rule that sends one-frame tolerant hits on plates a car
        // could carry to review, before the baseline's dispatch.
        let pf = PolicyFile::parse(
            "[[rule]]\nname = \"one-fuzzy\"\npriorities = [1]\nkinds = [\"ocr\", \"edit\"]\n\
             max_reads = 1\nread_fits = true\naction = \"review\"\n\
             [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n",
        )
        .unwrap();
        let read = |plate: &str, country: Option<&str>| {
            let e = explain(
                &pf,
                &Hit {
                    kind: MatchKind::Ocr,
                    reads: 1,
                    plate: Some((plate.into(), country.map(Into::into))),
                    ..hit(1)
                },
            )
            .unwrap();
            (e.read_fits, e.action)
        };
        // `1ZLL785` is a current Belgian plate; `1ZLLL85` has a letter
        // where every Belgian format has a digit: the listed car misread.
        assert_eq!(read("1-ZLL-785", Some("BE")), (true, "review"));
        assert_eq!(read("1ZLLL85", Some("be")), (false, "dispatch"));
        let e = explain(
            &pf,
            &Hit {
                plate: Some(("1ZLL785".into(), Some("Belgium".into()))),
                ..hit(1)
            },
        )
        .unwrap_err();
        assert!(format!("{e:#}").contains("--country \"Belgium\""), "{e:#}");
    }

    #[test]
    fn bad_values_are_named() {
        let pf = PolicyFile::baseline();
        for (h, says) in [
            (hit(5), "--priority 5"),
            (
                Hit {
                    list: Some("stolen".into()),
                    ..hit(0)
                },
                "declares no such list (it declares: none)",
            ),
            (
                Hit {
                    at: "yesterday".into(),
                    ..hit(0)
                },
                "--at",
            ),
            (
                Hit {
                    position: Some("50.8".into()),
                    ..hit(0)
                },
                "--position \"50.8\"",
            ),
            (
                Hit {
                    position: Some("91,4".into()),
                    ..hit(0)
                },
                "LAT,LON",
            ),
            (
                Hit {
                    camera: "a camera".into(),
                    ..hit(0)
                },
                "--camera",
            ),
        ] {
            let e = format!("{:#}", explain(&pf, &h).unwrap_err());
            assert!(e.contains(says), "{e}");
        }
    }
}
