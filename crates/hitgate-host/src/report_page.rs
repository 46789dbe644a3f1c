//! `report.html`: the replay's report as a self-contained page, the page a
//! zone's indicator report is drawn from: the indicators, the picture of
//! `report.svg` inline, and the figures per rule, per camera and per hour.
//! Every figure is that of `report.json`; each cell carries an `id` (or a
//! `data-` attribute) so that a test can check it. No plate: the report
//! holds none.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::formats::Report;
use crate::page::{esc, head};
use crate::time::format_ts;

/// The page, with `svg` (the text of `report.svg`) inline.
pub fn render(r: &Report, svg: &str) -> String {
    let mut h = head("hitgate replay");
    let w = &mut h;
    let i = &r.indicators;
    let _ = write!(
        w,
        "<h1>hitgate replay</h1><p>{} lines read, {} refused; {} reads a second. \
         No plate is shown.</p><h2>Indicators</h2><table>",
        r.input.lines,
        r.input.bad_lines,
        r.timing.reads_per_second.round()
    );
    for (id, what, n) in [
        ("reads", "reads", i.reads),
        ("matched", "reads that matched a list", i.matched),
        ("passages", "passages that matched", i.passages),
        ("dispatched", "dispatched", i.dispatched),
        ("reviewed", "sent to review", i.reviewed),
        ("dropped", "dropped by the matrix", i.dropped),
        (
            "suppressed-realert",
            "suppressed as repeats",
            i.suppressed_realert,
        ),
        (
            "suppressed-passage",
            "suppressed within a passage",
            i.suppressed_passage,
        ),
        (
            "capacity",
            "turned to review by a dispatch budget",
            i.capacity,
        ),
        ("late", "late (to review)", i.late),
        ("lookalike", "look-alikes (to review)", i.lookalike),
        (
            "stronger",
            "exact sightings after a tolerant dispatch (to review)",
            i.stronger,
        ),
        ("hits", "hits written", r.hits),
    ] {
        let _ = write!(w, "<tr><td>{what}</td><td id=\"{id}\">{n}</td></tr>");
    }
    let _ = write!(w, "</table>");
    let notes = crate::summary::notes(r);
    if !notes.is_empty() {
        // What the summary says under its figures, which the page would
        // otherwise leave out (none names a plate).
        let _ = write!(w, "<h2>Notes</h2><ul id=\"notes\">");
        for n in &notes {
            let _ = write!(w, "<li>{}</li>", esc(n));
        }
        let _ = write!(w, "</ul>");
    }
    let _ = write!(w, "<h2>Hits over time and per camera</h2>{svg}");
    let _ = write!(
        w,
        "<h2>By rule</h2><table><tr><th>rule</th><th>passages decided</th></tr>"
    );
    for (k, rule) in r.by_rule.iter().enumerate() {
        let _ = write!(
            w,
            "<tr><td>{}</td><td id=\"rule-{k}\">{}</td></tr>",
            esc(&rule.name),
            rule.decided
        );
    }
    let _ = write!(
        w,
        "</table><h2>By camera</h2><table><tr><th>camera</th><th>reads</th><th>matched</th>\
         <th>dispatched</th><th>reviewed</th></tr>"
    );
    for c in &r.cameras {
        let _ = write!(
            w,
            "<tr data-camera=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.camera),
            esc(&c.camera),
            c.reads,
            c.matched,
            c.dispatched,
            c.reviewed
        );
    }
    // Hits an hour (UTC, by event time), from the minute buckets.
    let mut hours: BTreeMap<u64, [u64; 2]> = BTreeMap::new();
    for (minute, rows) in &r.timeline {
        let h = hours.entry(minute / 60).or_default();
        h[0] += rows[0].iter().sum::<u64>();
        h[1] += rows[1].iter().sum::<u64>();
    }
    let _ = write!(
        w,
        "</table><h2>By hour (UTC)</h2><table><tr><th>hour</th><th>dispatched</th><th>reviewed</th></tr>"
    );
    for (hour, [d, v]) in &hours {
        let ts = format_ts(hour * 3_600_000);
        let _ = write!(
            w,
            "<tr data-hour><td>{}</td><td>{d}</td><td>{v}</td></tr>",
            esc(ts.get(..13).unwrap_or(&ts))
        );
    }
    let _ = write!(w, "</table>");
    if !r.rejected.is_empty() {
        let _ = write!(
            w,
            "<h2>Reads refused</h2><table><tr><th>reason</th><th>reads</th></tr>"
        );
        for (why, n) in &r.rejected {
            let _ = write!(w, "<tr><td>{}</td><td>{n}</td></tr>", esc(why));
        }
        let _ = write!(w, "</table>");
    }
    if let Some(u) = &r.uplink {
        let _ = write!(
            w,
            "<h2>Uplink</h2><table>\
             <tr><td>hits acknowledged by the central side</td><td id=\"uplink-acked\">{}</td></tr>\
             <tr><td>waiting in the outbox</td><td id=\"uplink-waiting\">{}</td></tr>\
             <tr><td>evicted (outbox full)</td><td>{}</td></tr>\
             <tr><td>deleted by retention</td><td>{}</td></tr></table>",
            u.acked, u.waiting, u.evicted, u.expired
        );
    }
    let _ = writeln!(w, "</body></html>");
    h
}
