//! The gate's side of its recipients: decisions published on their
//! topics and sent again until confirmed, the confirmations (the broker
//! handing a decision back, or a recipient's own acknowledgement), and
//! the cases a recipient closes.

use super::*;
use decision::Close;

/// Publishes a decision on its recipient's topic; false when the link
/// took nothing (it is down).
fn send(link: &Link, d: &Decision) -> bool {
    serde_json::to_vec(d).map_or(true, |json| {
        link.publish(&format!("hitgate/dispatch/{}", d.recipient), &json)
    })
}

/// Does this recipient acknowledge decisions itself (`acks = true`)?
pub(super) fn acks(policy: &PolicyFile, recipient: &str) -> bool {
    policy
        .recipients
        .iter()
        .any(|r| r.acks && r.name == recipient)
}

impl Runner<'_> {
    /// A decision confirmed: handed back by the broker, or acknowledged
    /// by its recipient (`by`, its own decisions only).
    pub(super) fn confirmed(&mut self, payload: &[u8], by: Option<&str>) {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        let Ok(Id { id }) = serde_json::from_slice::<Id>(payload) else {
            return;
        };
        let Some(i) = self
            .saved
            .pending
            .iter()
            .position(|d| d.id == id && by.is_none_or(|r| d.recipient == r))
        else {
            return;
        };
        let d = self.saved.pending.remove(i);
        self.dirty = true;
        self.sent.remove(&id);
        let key = format!("{}/{}", d.unit, d.seq);
        if let Some(t) = self.arrived.get(&key) {
            if self.latencies.len() >= LATENCY_SAMPLES {
                // The latest samples only: a gate runs for months.
                self.latencies.drain(..LATENCY_SAMPLES / 2);
            }
            self.latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        if let Some(f) = &mut self.out {
            let mut line = serde_json::to_vec(&d).unwrap_or_default();
            line.push(b'\n');
            if let Err(e) = f.write_all(&line) {
                eprintln!("gate: cannot write the decisions file: {e}");
            }
        }
        // A recipient's acknowledgement says it has the decision: nothing
        // to send again.
        if by.is_none() && !self.opts.resend.is_zero() {
            let recent = &mut self.saved.recent;
            recent.push(Recent {
                at: now_ms(),
                decision: d,
            });
            if recent.len() > RECENT_MAX {
                recent.drain(..recent.len() - RECENT_MAX);
            }
        }
    }

    /// The recent decisions handed back within the resend window, once
    /// more, after a restart, a take-over or a reconnection; older ones
    /// are forgotten.
    pub(super) fn resend(&mut self) {
        if !self.resend_due || !self.link.is_up() {
            return;
        }
        let window = u64::try_from(self.opts.resend.as_millis()).unwrap_or(u64::MAX);
        let now = now_ms();
        let before = self.saved.recent.len();
        self.saved
            .recent
            .retain(|r| now.saturating_sub(r.at) <= window);
        self.dirty |= self.saved.recent.len() != before;
        for r in &self.saved.recent {
            if !send(&self.link, &r.decision) {
                // The link went: it goes again on the next connection.
                return;
            }
            self.resent += 1;
        }
        self.resend_due = false;
    }

    /// A recipient closed a case (`{"case": N}`; the decision itself will
    /// do), perhaps with its outcome (`{"case": N, "outcome":
    /// "intercepted"}`): it no longer counts among its open dispatches,
    /// the outcome is counted, and the close is written to the decisions
    /// file ([`Close`]). A close of a case closed before is a copy:
    /// nothing more. Anything else is counted as a bad message and said; an
    /// outcome the recipient may not state (see
    /// [`RecipientDecl::takes_outcome`](crate::policy_file::RecipientDecl::takes_outcome))
    /// too, the case closed all the same.
    pub(super) fn closed(&mut self, core: &mut Gate<'_>, payload: &[u8], recipient: &str) {
        #[derive(Deserialize)]
        struct Closed {
            case: u32,
            #[serde(default)]
            outcome: Option<String>,
        }
        let Some(r) = self
            .opts
            .policy
            .recipients
            .iter()
            .position(|d| d.name == recipient)
        else {
            return;
        };
        let Closed { case, outcome } = match serde_json::from_slice::<Closed>(payload) {
            Ok(c) => c,
            Err(e) => {
                self.bad(format_args!(
                    "hitgate/dispatch/{recipient}/closed: not a case closed ({e}): \
                     publish {{\"case\": N}} or the decision itself"
                ));
                return;
            }
        };
        if !core.close(case, r) {
            return;
        }
        self.dirty = true;
        let at = now_ms();
        let sent = self
            .saved
            .dispatched
            .get_mut(recipient)
            .and_then(|cases| cases.remove(&case));
        let decl = &self.opts.policy.recipients[r];
        let outcome = match outcome {
            Some(o) if !decl.takes_outcome(&o) => {
                let words = match decl.outcomes.is_empty() {
                    true => "a word of 1 to 32 lower-case letters, digits, '-' or '_'".to_string(),
                    false => format!("one of {}", decl.outcomes.join(", ")),
                };
                self.bad(format_args!(
                    "hitgate/dispatch/{recipient}/closed: case {case} closed, its outcome not kept: \
                     {words}"
                ));
                None
            }
            o => o,
        };
        if let Some(o) = &outcome {
            *self
                .saved
                .outcomes
                .entry(recipient.to_string())
                .or_default()
                .entry(o.clone())
                .or_default() += 1;
        }
        if let Some(f) = &mut self.out {
            let close = Close {
                id: format!("{recipient}/closed/{case}"),
                recipient: recipient.to_string(),
                closed: case,
                outcome,
                at,
                handled_ms: sent.map(|t| at.saturating_sub(t)),
            };
            let mut line = serde_json::to_vec(&close).unwrap_or_default();
            line.push(b'\n');
            if let Err(e) = f.write_all(&line) {
                eprintln!("gate: cannot write the decisions file: {e}");
            }
        }
    }

    /// Publishes the decisions not yet confirmed nor recently sent.
    pub(super) fn publish(&mut self) {
        if !self.link.is_up() {
            return;
        }
        for d in &self.saved.pending {
            let last = self.sent.get(&d.id).copied();
            if last.is_some_and(|(t, wait)| t.elapsed() < wait) {
                continue;
            }
            if !send(&self.link, d) {
                break;
            }
            // A recipient that acknowledges may be away: each copy waits
            // twice as long as the one before.
            let wait = match last {
                Some((_, w)) if acks(&self.opts.policy, &d.recipient) => (w * 2).min(ACK_WAIT_MAX),
                _ => REPUBLISH,
            };
            self.sent.insert(d.id.clone(), (Instant::now(), wait));
        }
    }
}
