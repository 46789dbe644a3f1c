//! What the gate does with one unit's hit: routed by its rule in the
//! zone's policy, decided once by the core, and a decision made for each
//! recipient that gets it; a rule the policy numbers otherwise, or does
//! not have, counted and said.

use super::*;

/// How a decision names a rule the gate's policy does not have: by the
/// tag its unit sent (the gate knows no name for it), `unknown:` and 8
/// hex digits; a unit before tags by the rule's index, `unknown:#` and
/// the number.
fn unknown_rule(hit: &Hit) -> String {
    match (hit.rule_tag, hit.rule) {
        (Some(tag), _) => format!("unknown:{tag:08x}"),
        (None, RuleId::Rule(i)) => format!("unknown:#{i}"),
        (None, RuleId::Fallback) => "unknown:fallback".into(),
    }
}

impl Runner<'_> {
    /// Decides a unit's hit; false for one decided before.
    pub(super) fn decide(
        &mut self,
        core: &mut Gate<'_>,
        topic_unit: &str,
        payload: &mut [u8],
    ) -> Result<bool, String> {
        let message = decode_message(payload).map_err(|e| format!("undecodable message: {e}"))?;
        let Message::Hit { unit, seq, hit, .. } = message else {
            return Err("not a hit message".into());
        };
        if unit != topic_unit {
            return Err(format!("a hit of unit {unit:?} on another unit's topic"));
        }
        self.heard(unit);
        // Acknowledged whatever follows: a hit that cannot be decided now
        // never will be, and its unit must not send it for ever (it is
        // counted as a bad message and said on standard error).
        self.to_ack.entry(unit.to_string()).or_default().insert(seq);
        let hit = hit
            .to_hit()
            .map_err(|e| format!("a hit that is not one: {e}"))?;
        let pf = &self.opts.policy;
        let (s, resolved) =
            Sighting::routed(&hit, &pf.policy, &pf.places.view(), pf.unknown_rules_mask());
        let done = self.saved.done.entry(unit.to_string()).or_default();
        if !insert_range(done, seq) {
            self.saved.duplicates += 1;
            self.dirty = true;
            return Ok(false);
        }
        self.dirty = true;
        let received = now_ms();
        self.arrived.insert(format!("{unit}/{seq}"), Instant::now());
        self.rule_check(unit, seq, &hit, resolved);
        let v = core.decide_at(&s, received);
        if v.ahead && self.ahead.insert(unit.to_string()) {
            eprintln!(
                "gate: unit {unit}'s hit {seq} is dated {}, more than {} s after it arrived ({}): \
                 decided as seen on arrival, as are its unit's other hits dated ahead; check the unit's clock",
                format_ts(hit.time),
                self.opts.policy.config.max_future_ms / 1000,
                format_ts(received)
            );
        }
        let rule = match resolved {
            Some(r) => pf.policy.rule_name(r).to_string(),
            None => unknown_rule(&hit),
        };
        for (r, recipient) in pf.recipients.iter().enumerate() {
            if let Some(sent) = v.sent_to(r) {
                let d = Decision::new(
                    unit,
                    seq,
                    &recipient.name,
                    sent,
                    &v,
                    &hit,
                    &rule,
                    s.position,
                    received,
                );
                if d.kind == "dispatch" {
                    self.saved
                        .dispatched
                        .entry(recipient.name.clone())
                        .or_default()
                        .entry(d.case)
                        .or_insert(received);
                }
                self.saved.pending.push(d);
            }
        }
        Ok(true)
    }

    /// Counts a hit whose rule this gate's policy numbers otherwise, or
    /// does not have, and says the first of each unit and rule.
    fn rule_check(&mut self, unit: &str, seq: u64, hit: &Hit, resolved: Option<RuleId>) {
        if resolved == Some(hit.rule) {
            return;
        }
        let policy = &self.opts.policy.policy;
        let number = |r: RuleId| match r {
            RuleId::Rule(i) => i.to_string(),
            RuleId::Fallback => "fallback".into(),
        };
        let index = number(hit.rule);
        let first = self
            .rules_said
            .insert((unit.to_string(), hit.rule, hit.rule_tag));
        match resolved {
            Some(r) => {
                self.saved.rule_moved += 1;
                if first {
                    eprintln!(
                        "gate: unit {unit} decided hit {seq} under its rule {index}, which is rule {} {:?} in this policy \
                         (the unit runs a policy that numbers its rules otherwise): routed by the rule's name",
                        number(r),
                        policy.rule_name(r)
                    );
                }
            }
            None => {
                self.saved.rule_unknown += 1;
                if first {
                    let to: Vec<&str> = self
                        .opts
                        .policy
                        .recipients
                        .iter()
                        .filter(|r| r.unknown_rules)
                        .map(|r| r.name.as_str())
                        .collect();
                    let sent = match to.is_empty() {
                        true => {
                            "sent to nobody (no recipient has `unknown_rules = true`)".to_string()
                        }
                        false => format!(
                            "sent as its unit decided it to {}, as `{}`",
                            to.join(", "),
                            unknown_rule(hit)
                        ),
                    };
                    let tag = hit
                        .rule_tag
                        .map_or(String::new(), |t| format!(" (tag {t:08x})"));
                    eprintln!(
                        "gate: unit {unit} decided hit {seq} under its rule {index}, a rule this policy does not have\
                         {tag}: {sent}, counted as rule_unknown; give the gate a policy with that rule, \
                         or update the unit"
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hitgate_core::{
        distance::Distance, hit::Reason, list::ListId, list::Priority, plate::Plate,
        policy::Action, read::CameraId, watchlist::MatchKind,
    };

    #[test]
    fn a_rule_the_gate_does_not_have_is_named_by_its_tag_or_its_index() {
        let plate = Plate::normalize(b"1ABC234").unwrap();
        let hit = |rule, rule_tag| Hit {
            seq: 1,
            time: 0,
            camera: CameraId::new("cam-1").unwrap(),
            read: plate,
            reads: 1,
            listed: plate,
            country: None,
            list: ListId(0),
            priority: Priority::P1,
            kind: MatchKind::Exact,
            distance: Distance::default(),
            action: Action::Dispatch,
            rule,
            rule_tag,
            reason: Reason::Rule,
            late: false,
            version: 1,
            position: None,
        };
        assert_eq!(
            unknown_rule(&hit(RuleId::Rule(2), Some(0x018a_ebe5))),
            "unknown:018aebe5"
        );
        assert_eq!(unknown_rule(&hit(RuleId::Rule(7), None)), "unknown:#7");
        assert_eq!(
            unknown_rule(&hit(RuleId::Fallback, None)),
            "unknown:fallback"
        );
    }
}
