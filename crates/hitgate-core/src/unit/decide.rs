//! The decision stage of [`Unit`]: a passage through the matrix,
//! look-alike and lateness, re-alert suppression and the dispatch budget,
//! to one outcome (the lower half of the module diagram in `unit.rs`).

use super::*;
use crate::evidence::{Support, Verdict, judge};
use crate::hit::{Hit, Reason};
use crate::policy::{Action, Facts, RuleId};
use crate::suppress::{Key, Mark, Repeat, lookalike_within, record_marked, repeat};

impl Unit<'_, '_> {
    /// Decides a passage, in the stages of the module diagram: the matrix
    /// chooses, then look-alike and lateness, re-alert suppression and the
    /// dispatch budget may turn it down, and the hit is forwarded. A repeat
    /// that spells the listed plate exactly, of an entry dispatched in its
    /// window (not at the same moment) on a match with tolerance, is
    /// forwarded once for review ([`Reason::Stronger`]) rather than held
    /// back.
    /// `first_read`: the first read's matches, when it alone decides.
    pub(super) fn decide(
        &mut self,
        p: &mut Passage,
        first_read: Option<&Matches<MAX_MATCHES>>,
        sink: &mut impl FnMut(u64, Outcome),
    ) {
        p.decided = true;
        if !p.has_first {
            return;
        }
        let Some(c) = self.choose(p, first_read) else {
            return;
        };
        self.count_decision(&c);
        if c.action == Action::Drop {
            self.indicators.dropped += 1;
            sink(
                self.clock,
                Outcome::Dropped {
                    rule: c.rule,
                    priority: c.m.priority,
                    camera: p.camera.clone(),
                    time: p.first_time,
                    position: p.position,
                },
            );
            return;
        }
        let key = Key {
            list: c.m.list,
            listed: c.m.listed,
            country: c.m.country,
        };
        let window = u64::from(self.config.realert_window_ms[c.m.priority.index()]);
        let mut c = self.lookalike_or_late(p, c, &key, window);
        let same_ms = u64::from(self.config.passage_window_ms);
        match repeat(
            self.suppression,
            &key,
            c.action,
            p.first_time,
            window,
            same_ms,
        ) {
            Repeat::New => {}
            Repeat::AfterTolerant if spells_listed(p, &c) => {
                // The entry was dispatched on a match with tolerance; this
                // passage, or one of its frames, spells the listed plate.
                // The car sent for may have been another: a person hears
                // of this one.
                c.action = Action::Review;
                c.reason = Reason::Stronger;
                self.indicators.stronger += 1;
            }
            Repeat::Held | Repeat::AfterTolerant => {
                self.suppressed(p, &c, sink);
                return;
            }
        }
        let c = self.throttle(c);
        let mark = match (c.action, c.reason) {
            (Action::Dispatch, _) if c.m.kind != MatchKind::Exact => Mark::Tolerant,
            (Action::Dispatch, _) => Mark::Plain,
            (_, Reason::Stronger) => Mark::Stronger,
            (_, Reason::Lookalike) => Mark::Lookalike,
            _ => Mark::Plain,
        };
        if record_marked(
            self.suppression,
            key,
            c.action,
            mark,
            p.first_time,
            window,
            self.clock,
        ) {
            self.indicators.evicted_suppression += 1;
            crate::fmt::warning!("suppression window full: the oldest entry is forgotten");
        }
        self.emit(p, c, sink);
    }

    /// A hit held back as a repeat: counted, and told to the sink.
    fn suppressed(&mut self, p: &Passage, c: &Choice, sink: &mut impl FnMut(u64, Outcome)) {
        self.indicators.suppressed_realert += 1;
        sink(
            self.clock,
            Outcome::Suppressed {
                rule: c.rule,
                action: c.action,
                camera: p.camera.clone(),
                time: p.first_time,
                position: p.position,
            },
        );
    }

    /// The passage's plate and matches, and the match with the strongest
    /// action under the matrix (ties by rank).
    fn choose(&mut self, p: &Passage, first_read: Option<&Matches<MAX_MATCHES>>) -> Option<Choice> {
        let first = p.first;
        let (mut plate, mut matches) = match first_read {
            Some(m) => (first_plate(p, &first), m.clone()),
            None => {
                // In consensus mode the vote is the point: the passage's
                // plate may differ from every single read, so it is looked
                // up again.
                let plate = match self.config.mode {
                    Mode::Consensus => consensus(&p.votes).map_or(first_plate(p, &first), |c| c.0),
                    Mode::FirstRead => first_plate(p, &first),
                };
                let mut m: Matches<MAX_MATCHES> = Matches::new();
                self.watchlist
                    .lookup_into(&plate, p.country, p.first_time, &mut m);
                (plate, m)
            }
        };
        // The vote drifted off every list (frames kept as evidence can
        // outweigh the one that matched): fall back on the first read,
        // with all its matches, so that its local list's counts too.
        if matches.is_empty() {
            let first_read = first_plate(p, &first);
            if first_read != plate {
                self.watchlist
                    .lookup_into(&first_read, p.country, p.first_time, &mut matches);
            }
            plate = first_read;
        }
        let candidates: &[Match] = if matches.as_slice().is_empty() {
            core::slice::from_ref(&first)
        } else {
            matches.as_slice()
        };
        let mut chosen: Option<Choice> = None;
        // Where and when: the passage's position (a mobile unit's read, or
        // its camera's) and the time of its first read.
        let places = &self.places;
        let position = places.position(&p.camera, p.position);
        let zones = self.zones.zones_of(places, position);
        let schedules = places.schedules_at(p.first_time);
        let operations = places.operations_at(p.first_time);
        // Could a car carry the plate as read? On the read's country's
        // formats, every known country's when it has none.
        let read_fits = crate::syntax::fits(&plate, p.country);
        for m in candidates {
            let also_local = candidates.iter().any(|o| o.local && o.listed == m.listed);
            let facts = Facts {
                priority: m.priority,
                list: m.list,
                also_local,
                kind: m.kind,
                camera: &p.camera,
                zones,
                schedules,
                operations,
                reads: p.reads,
                read_fits,
            };
            let (action, rule) = self.policy.decide(&facts);
            if chosen.as_ref().is_none_or(|c| action > c.action) {
                chosen = Some(Choice {
                    m: *m,
                    action,
                    rule,
                    plate,
                    reason: Reason::Rule,
                    late: false,
                });
            }
        }
        chosen
    }

    /// Counts a decided passage by priority, list and rule.
    fn count_decision(&mut self, c: &Choice) {
        let ind = &mut self.indicators;
        ind.passages += 1;
        ind.hits_by_priority[c.m.priority.index()] += 1;
        if let Some(n) = ind.hits_by_list.get_mut(c.m.list.index()) {
            *n += 1;
        }
        match c.rule {
            RuleId::Rule(i) => {
                if let Some(n) = ind.by_rule.get_mut(usize::from(i)) {
                    *n += 1;
                }
            }
            RuleId::Fallback => ind.by_fallback += 1,
        }
    }

    /// A consensus passage bound for dispatch, or for review by the
    /// matrix, whose frames show another car
    /// ([`evidence::judge`](crate::evidence::judge)), or that is one frame
    /// matched only with tolerance while the entry's latest review, within
    /// its re-alert window, found a look-alike car
    /// ([`suppress`](crate::suppress)), goes to review as a look-alike; a
    /// hit older than the maximum lateness goes to review as late. While
    /// that look-alike verdict stands, a passage of several frames shows
    /// the look-alike car again on one frame whose look-alike of a listed
    /// character outweighs the frames that read the listed one
    /// ([`Support::alike`] 1).
    /// `key` and `window`: the entry's in the re-alert table.
    fn lookalike_or_late(&mut self, p: &Passage, mut c: Choice, key: &Key, window: u64) -> Choice {
        // A review the matrix chose is judged too: a look-alike found
        // there says so, and is remembered for the entry's next passages.
        if (c.action == Action::Dispatch || c.action == Action::Review)
            && self.config.mode == Mode::Consensus
        {
            let one = p.votes.len() == 1;
            let seen = lookalike_within(self.suppression, key, p.first_time, window);
            // The read's country, not the entry's: a car that looks like a
            // listed Belgian plate may be a Dutch one.
            let country = p.country;
            match judge(
                &c.m.listed,
                &p.votes,
                Support {
                    lookalike: self.config.lookalike_support,
                    unrelated: self.config.unrelated_support,
                    alike: if seen && !one {
                        1
                    } else {
                        self.config.lookalike_support
                    },
                },
                self.watchlist.classes(),
                country,
            ) {
                Verdict::LookAlike(_) => {
                    c.action = Action::Review;
                    c.reason = Reason::Lookalike;
                    self.indicators.lookalike += 1;
                }
                Verdict::Misread(_) => self.indicators.misread += 1,
                Verdict::Listed => {
                    if one && c.m.kind != MatchKind::Exact && seen {
                        // One frame cannot tell the look-alike car from
                        // the listed one misread; the entry's last
                        // verdict, from more frames, can.
                        c.action = Action::Review;
                        c.reason = Reason::Lookalike;
                        self.indicators.lookalike += 1;
                    }
                }
            }
        }
        c.late = self.clock.saturating_sub(p.first_time) > u64::from(self.config.max_lateness_ms);
        if c.late {
            self.indicators.late += 1;
            if c.action == Action::Dispatch {
                c.action = Action::Review;
                c.reason = Reason::Late;
            }
        }
        c
    }

    /// A dispatch over its priority's budget goes to review; priority 0 is
    /// never throttled.
    fn throttle(&mut self, mut c: Choice) -> Choice {
        if c.action == Action::Dispatch
            && c.m.priority != Priority::P0
            && let Some(budget) = self.config.budgets.0[c.m.priority.index()]
            && !self.buckets[c.m.priority.index()].take(&budget, self.clock)
        {
            c.action = Action::Review;
            c.reason = Reason::Capacity;
            self.indicators.capacity += 1;
        }
        c
    }

    /// Forwards the hit.
    fn emit(&mut self, p: &Passage, c: Choice, sink: &mut impl FnMut(u64, Outcome)) {
        match c.action {
            Action::Dispatch => self.indicators.dispatched += 1,
            _ => self.indicators.reviewed += 1,
        }
        let hit = Hit {
            seq: self.seq,
            time: p.first_time,
            camera: p.camera.clone(),
            read: c.plate,
            reads: p.reads,
            listed: c.m.listed,
            country: c.m.country,
            list: c.m.list,
            priority: c.m.priority,
            kind: c.m.kind,
            distance: c.m.distance,
            action: c.action,
            rule: c.rule,
            rule_tag: self.policy.tag(c.rule),
            reason: c.reason,
            late: c.late,
            version: self.watchlist.version(),
            position: p.position,
        };
        self.seq = self.seq.wrapping_add(1);
        let slot = p.camera_slot.checked_sub(1).map(|i| i as usize);
        self.count_camera(slot, |s| match c.action {
            Action::Dispatch => s.dispatched += 1,
            _ => s.reviewed += 1,
        });
        sink(self.clock, Outcome::Forward(hit));
    }
}

/// The matrix's choice for a passage, and what the later stages make of it.
pub(super) struct Choice {
    m: Match,
    action: Action,
    rule: RuleId,
    /// The passage's plate.
    plate: Plate,
    reason: Reason,
    late: bool,
}

/// Does the passage spell the chosen entry's listed plate exactly: its
/// plate, or one of its frames kept as votes (three frames `KPL541`,
/// `1KPL541`, `LKPL541` vote `LKPL541`, a look-alike of the listed
/// `1KPL541`, which the second frame reads as it is listed)?
fn spells_listed(p: &Passage, c: &Choice) -> bool {
    c.m.kind == MatchKind::Exact || p.votes.iter().any(|(v, _)| *v == c.m.listed)
}
