//! What the matrix-check tests share.

use hitgate_core::policy::{Facts, Policy, RuleId, RuleSet};

/// Is rule `i` of `policy` reached by some hit of `world` with only the
/// rules `by` before it? (`world` puts each of its hits to the closure.)
pub(crate) fn reached_behind(
    policy: &Policy,
    by: &RuleSet,
    i: usize,
    world: impl FnOnce(&mut dyn FnMut(&Facts<'_>)),
) -> bool {
    let mut alone: Policy = Policy::new();
    for b in by.iter() {
        alone.push(policy.rules[b.index()].clone()).unwrap();
    }
    alone.push(policy.rules[i].clone()).unwrap();
    let last = RuleId::Rule(by.len() as u8);
    let mut reached = false;
    world(&mut |f| reached |= alone.decide(f).1 == last);
    reached
}
