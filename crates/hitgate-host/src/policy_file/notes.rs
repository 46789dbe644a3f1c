//! What a policy's rules say against themselves, as every command that
//! loads it says it ([`PolicyFile::notes`]).

use hitgate_core::list::{ListSpec, Priority};
use hitgate_core::policy::{Action, RuleId};

use super::PolicyFile;
#[cfg(doc)]
use hitgate_core::policy::PolicyView;

impl PolicyFile {
    /// What the matrix's own rules say against it, a line each: a rule
    /// that never applies because a rule before it, or several between
    /// them, take every hit it would, the schedules' hours, the
    /// operations' windows and the zones' shapes weighed
    /// ([`PolicyView::shadowed_in`]), or because no hit can meet it (its
    /// schedules never in force during its operation, or its lists giving
    /// no match of the kinds it asks for); with recipients declared, a rule
    /// that forwards to none of them, a rule that drops but names some,
    /// and a recipient no forwarding rule names (one with `unknown_rules`
    /// excepted); and priority 0 or 1 (the zones handle both) that no
    /// rule can forward ([`PolicyView::forwards_in`]). The policy still
    /// runs as written: the first rule that applies decides.
    pub fn notes(&self) -> Vec<String> {
        let p = &self.policy;
        // Shadowed rules are rules, never the fallback.
        let rule = |id: RuleId| {
            let i = id.index();
            let action = p.rules.get(i).map_or("drop", |r| r.action.as_str());
            format!("rule {} ({:?}, {action})", i + 1, p.rule_name(id))
        };
        let places = self.places.view();
        let lists: Vec<ListSpec> = self.lists.iter().map(|l| l.spec).collect();
        let shadowed = || p.view().shadowed_in(&places, &lists);
        // A rule no hit can meet, whatever the rules before it: by its
        // schedules and operation alone, or else by its lists' tolerances
        // (not by the two together: when it is in force at some time, its
        // lists give it no hit at any).
        let by_time: Vec<RuleId> = p.view().never_in_force(&places).collect();
        let mut notes: Vec<String> = shadowed()
            .map(|(never, by)| {
                let names: Vec<String> = by.iter().map(rule).collect();
                if names.is_empty() && by_time.contains(&never) {
                    format!(
                        "{} never applies: none of its schedules is ever in force during \
                         its operation",
                        rule(never)
                    )
                } else if names.is_empty() {
                    format!(
                        "{} never applies: none of the lists it takes gives the kinds of \
                         match it asks for (a list with ocr = 0 gives no ocr hit, one with \
                         edits = 0 no edit hit)",
                        rule(never)
                    )
                } else if let [one] = names.as_slice() {
                    format!(
                        "{} never applies: {one} before it takes every hit it would; \
                         move it above, or narrow the earlier one",
                        rule(never)
                    )
                } else {
                    format!(
                        "{} never applies: {} before it take every hit it would \
                         between them; move it above them, or narrow the earlier ones",
                        rule(never),
                        names.join(", ")
                    )
                }
            })
            .collect();
        // With recipients declared, the gate sends a forwarded hit only to
        // those its rule names.
        if !self.recipients.is_empty() {
            let dead: Vec<RuleId> = shadowed().map(|(never, _)| never).collect();
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
            if !p.view().forwards_in(priority, &places, &lists) {
                notes.push(format!(
                    "no rule forwards a priority-{} hit: every one is dropped",
                    priority.get()
                ));
            }
        }
        notes
    }
}
