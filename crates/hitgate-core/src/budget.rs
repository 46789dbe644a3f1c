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

/// A budget for each priority (`None`: unlimited). In serde formats it is a
/// map from `p0`..`p4` to a [`Budget`], absent priorities unlimited:
/// `{ p1 = { burst = 20, per_hour = 60 } }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Budgets(pub [Option<Budget>; crate::list::Priority::COUNT]);

#[cfg(feature = "serde")]
const NAMES: [&str; crate::list::Priority::COUNT] = ["p0", "p1", "p2", "p3", "p4"];

#[cfg(feature = "serde")]
impl serde::Serialize for Budgets {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_by_priority(&self.0, s)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Budgets {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_by_priority(d, "budgets").map(Budgets)
    }
}

/// A setting per priority as a serde map from `p0`..`p4`, absent
/// priorities `None`: how [`Budgets`] and the gate's
/// [`OpenCaps`](crate::gate::OpenCaps) are written.
#[cfg(feature = "serde")]
pub(crate) fn serialize_by_priority<T: serde::Serialize, S: serde::Serializer>(
    v: &[Option<T>; crate::list::Priority::COUNT],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let n = v.iter().filter(|b| b.is_some()).count();
    let mut m = s.serialize_map(Some(n))?;
    for (name, b) in NAMES.iter().zip(v.iter()) {
        if let Some(b) = b {
            m.serialize_entry(name, b)?;
        }
    }
    m.end()
}

/// See [`serialize_by_priority`]; `what` names the values in an error.
#[cfg(feature = "serde")]
pub(crate) fn deserialize_by_priority<'de, T, D>(
    d: D,
    what: &'static str,
) -> Result<[Option<T>; crate::list::Priority::COUNT], D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    struct V<T>(&'static str, core::marker::PhantomData<T>);
    impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for V<T> {
        type Value = [Option<T>; crate::list::Priority::COUNT];
        fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            write!(f, "a map from p0..p4 to {}", self.0)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out: Self::Value = Default::default();
            while let Some(k) = a.next_key::<heapless::String<8>>()? {
                let i = NAMES
                    .iter()
                    .position(|n| *n == k.as_str())
                    .ok_or_else(|| serde::de::Error::unknown_field(&k, &NAMES))?;
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(a.next_value()?);
                }
            }
            Ok(out)
        }
    }
    d.deserialize_map(V(what, core::marker::PhantomData))
}

/// One token, in the bucket's units: a rate of `per_hour` tokens an hour
/// adds exactly `per_hour` units a millisecond, so nothing is lost to
/// rounding however often the bucket is read.
const TOKEN: u64 = 3_600_000;

/// The state of one bucket. Time is the unit's clock (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Bucket {
    /// Tokens, in units of 1/[`TOKEN`].
    units: u64,
    /// When the bucket was last refilled; `None` before first use (full).
    at: Option<u64>,
}

impl Bucket {
    /// Brings a last refill later than `limit` back to `to` (a clock that
    /// was ahead); true when it was.
    pub(crate) fn bring_back(&mut self, limit: u64, to: u64) -> bool {
        match self.at {
            Some(at) if at > limit => {
                self.at = Some(to);
                true
            }
            _ => false,
        }
    }

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
