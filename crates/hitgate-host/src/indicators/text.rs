//! The figures as tables, for a terminal.

use std::collections::BTreeMap;

use super::*;

/// The figures as tables.
pub fn render(x: &Indicators) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let by = x.by.name();
    let span = match (&x.from, &x.until) {
        (None, None) => String::new(),
        (f, u) => format!(
            " from {} until {}",
            f.as_deref().unwrap_or("the start"),
            u.as_deref().unwrap_or("the end")
        ),
    };
    if let Some(h) = &x.hits {
        let _ = writeln!(
            s,
            "hits the units forwarded, per {by}{span} (no plate in these figures)"
        );
        let _ = writeln!(
            s,
            "{:<10} {:>7} {:>10} {:>8} {:>6} {:>6} {:>6} {:>6} {:>6} {:>8} {:>5} {:>5} {:>7} {:>6} {:>8}",
            by,
            "hits",
            "dispatched",
            "reviewed",
            "P0",
            "P1",
            "P2",
            "P3",
            "P4",
            "tolerant",
            "late",
            "units",
            "cameras",
            "purged",
            "delay s"
        );
        let row = |s: &mut String, name: &str, c: &HitCounts, units: String, cameras: String| {
            let [p0, p1, p2, p3, p4] = c.by_priority;
            let _ = writeln!(
                s,
                "{:<10} {:>7} {:>10} {:>8} {:>6} {:>6} {:>6} {:>6} {:>6} {:>8} {:>5} {:>5} {:>7} {:>6} {:>8}",
                name,
                c.hits,
                c.dispatched,
                c.reviewed,
                p0,
                p1,
                p2,
                p3,
                p4,
                c.tolerant,
                c.late,
                units,
                cameras,
                c.purged,
                seconds(c.delay_median_s)
            );
        };
        for (period, p) in &h.periods {
            row(
                &mut s,
                period,
                &p.counts,
                p.units.to_string(),
                p.cameras.to_string(),
            );
        }
        row(
            &mut s,
            "total",
            &h.total,
            h.units.len().to_string(),
            h.cameras.len().to_string(),
        );
        let table = |s: &mut String, what: &str, m: &BTreeMap<String, HitCounts>| {
            let _ = writeln!(
                s,
                "\n{what:<24} {:>7} {:>10} {:>8} {:>6} {:>6} {:>6} {:>8}",
                "hits", "dispatched", "reviewed", "P0", "P1", "P2", "delay s"
            );
            for (k, c) in m {
                let [hits, d, r, p0, p1, p2] = c.brief();
                let delay = seconds(c.delay_median_s);
                let _ = writeln!(
                    s,
                    "{k:<24} {hits:>7} {d:>10} {r:>8} {p0:>6} {p1:>6} {p2:>6} {delay:>8}"
                );
            }
        };
        table(&mut s, "unit", &h.units);
        table(&mut s, "camera", &h.cameras);
        if h.copies > 0 {
            let _ = writeln!(s, "{} copies of a hit counted once", h.copies);
        }
        if let Some(day) = &h.oldest_held {
            let _ = writeln!(s, "the oldest hit held whole (not purged) is of {day}");
        }
        let clock = if h.local_time { "local time" } else { "UTC" };
        let _ = writeln!(s, "\nP0 and P1 hits by weekday and hour ({clock})");
        let _ = write!(s, "{:<4}", "");
        for hour in 0..24 {
            let _ = write!(s, "{hour:>4}");
        }
        s.push('\n');
        for (day, row) in WEEKDAYS.iter().zip(&h.week) {
            let _ = write!(s, "{day:<4}");
            for n in row {
                let _ = write!(s, "{n:>4}");
            }
            s.push('\n');
        }
    }
    if let Some(d) = &x.decisions {
        if x.hits.is_some() {
            s.push('\n');
        }
        let _ = writeln!(s, "the zone gate's decisions, per {by} and recipient{span}");
        let _ = writeln!(
            s,
            "{:<10} {:<20} {:>10} {:>6} {:>6} {:>8} {:>7} {:>6} {:>6} {:>8} {:>10}  reviews by reason; closes by outcome",
            by,
            "recipient",
            "dispatched",
            "P0",
            "P1",
            "reviewed",
            "updates",
            "cases",
            "closed",
            "delay s",
            "handling s"
        );
        let row = |s: &mut String, period: &str, r: &str, c: &DecisionCounts| {
            let reasons: Vec<String> = c
                .reviews_by_reason
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            let outcomes: Vec<String> =
                c.outcomes.iter().map(|(k, n)| format!("{k} {n}")).collect();
            let tail = match outcomes.is_empty() {
                true => reasons.join(", "),
                false => format!("{}; {}", reasons.join(", "), outcomes.join(", ")),
            };
            let line = format!(
                "{:<10} {:<20} {:>10} {:>6} {:>6} {:>8} {:>7} {:>6} {:>6} {:>8} {:>10}  {}",
                period,
                r,
                c.dispatched,
                c.dispatched_by_priority[0],
                c.dispatched_by_priority[1],
                c.reviewed,
                c.updates,
                c.cases,
                c.closed,
                seconds(c.delay_median_s),
                seconds(c.handling_median_s),
                tail
            );
            let _ = writeln!(s, "{}", line.trim_end());
        };
        for (period, m) in &d.periods {
            for (r, c) in m {
                row(&mut s, period, r, c);
            }
        }
        for (r, c) in &d.total {
            row(&mut s, "total", r, c);
        }
        if let Some(day) = &d.oldest_held {
            let _ = writeln!(s, "the oldest decision held whole (not purged) is of {day}");
        }
        if d.undated > 0 {
            let _ = writeln!(
                s,
                "{} purged decisions without their day: in the totals only",
                d.undated
            );
        }
    }
    let _ = writeln!(
        s,
        "\n{} lines, {} outside the span, {} bad",
        x.lines, x.outside, x.bad_lines
    );
    s
}
