//! Dispatch capacity: a token bucket per priority.

/// A dispatch budget: at most `burst` dispatches at once, refilled at
/// `per_hour` dispatches an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Budget {
    /// Bucket size: dispatches allowed in a burst.
    pub burst: u16,
    /// Refill rate: dispatches an hour.
    pub per_hour: u16,
}

/// One token, in the bucket's units: a rate of `per_hour` tokens an hour
/// adds exactly `per_hour` units a millisecond, so nothing is lost to
/// rounding however often the bucket is read.
const TOKEN: u64 = 3_600_000;

/// The state of one bucket. Time is the unit's clock (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Bucket {
    /// Tokens, in units of 1/[`TOKEN`].
    units: u64,
    /// When the bucket was last refilled; `None` before first use (full).
    at: Option<u64>,
}

impl Bucket {
    /// Takes one token at `now`; false when the budget is spent.
    pub(crate) fn take(&mut self, budget: &Budget, now: u64) -> bool {
        let cap = u64::from(budget.burst) * TOKEN;
        let units = match self.at {
            None => cap,
            Some(at) => {
                // The clock never goes back here, but be safe if it does.
                let elapsed = now.saturating_sub(at);
                let refill = elapsed.saturating_mul(u64::from(budget.per_hour));
                self.units.saturating_add(refill).min(cap)
            }
        };
        self.at = Some(now.max(self.at.unwrap_or(0)));
        if units >= TOKEN {
            self.units = units - TOKEN;
            true
        } else {
            self.units = units;
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let b = Budget {
            burst: 2,
            per_hour: 60,
        }; // one a minute
        let mut s = Bucket::default();
        assert!(s.take(&b, 0));
        assert!(s.take(&b, 0));
        assert!(!s.take(&b, 0));
        assert!(!s.take(&b, 59_999));
        assert!(s.take(&b, 60_000));
        assert!(!s.take(&b, 60_000));
        // A long quiet spell refills to the burst, not beyond.
        assert!(s.take(&b, 36_000_000));
        assert!(s.take(&b, 36_000_000));
        assert!(!s.take(&b, 36_000_000));
    }

    #[test]
    fn zero_budget_never_dispatches() {
        let b = Budget {
            burst: 0,
            per_hour: 0,
        };
        let mut s = Bucket::default();
        assert!(!s.take(&b, 0));
        assert!(!s.take(&b, u64::MAX));
    }
}
