//! `compare.html`: the page drawn from `compare.json`'s figures.

use std::fmt::Write as _;

use anyhow::{Result, anyhow};
use plotters::prelude::*;

use super::*;
use crate::page::{esc, head};

/// `compare.html`: the figures of `compare.json` as tables, and the
/// dispatches an hour under both policies as an inline SVG picture. Each
/// figure cell carries an `id` (or a `data-` attribute) so that a test can
/// check it against the JSON.
pub(super) fn html(r: &CompareReport) -> Result<String> {
    let [a, b] = &r.policies;
    let mut h = String::new();
    let w = &mut h;
    w.push_str(&head("hitgate compare"));
    let _ = write!(
        w,
        "<h1>What changes from <span class=\"a\">A</span> to <span class=\"b\">B</span></h1>\
         <p><span class=\"a\">A</span>: <code>{}</code><br><span class=\"b\">B</span>: <code>{}</code><br>\
         {} lines read, {} refused. No plate is shown: a passage is named by its camera and the time of its first read.</p>",
        esc(a),
        esc(b),
        r.lines,
        r.bad_lines
    );
    for (side, notes) in ["a", "b"].iter().zip(&r.notes) {
        if notes.is_empty() {
            continue;
        }
        let _ = write!(
            w,
            "<p><span class=\"{side}\">{}</span>'s rules against themselves:</p><ul id=\"notes-{side}\">",
            side.to_uppercase()
        );
        for n in notes {
            let _ = write!(w, "<li>{}</li>", esc(n));
        }
        w.push_str("</ul>");
    }
    match &r.rule_changes {
        Some(changes) if changes.is_empty() => w.push_str(
            "<p id=\"rule-changes\">The rules alone say no hit is decided otherwise.</p>",
        ),
        Some(changes) => {
            w.push_str(
                "<p>The rules alone say these hits are decided otherwise (those no rule \
                 before either takes first), whatever the traffic:</p><ul id=\"rule-changes\">",
            );
            for c in changes {
                let _ = write!(
                    w,
                    "<li><span class=\"a\">A</span>: {}; <span class=\"b\">B</span>: {}: {}</li>",
                    esc(&c.before),
                    esc(&c.after),
                    esc(&c.hits.join("; "))
                );
            }
            w.push_str("</ul>");
        }
        None => {}
    }
    let _ = write!(
        w,
        "<h2>Forwarded, by priority</h2><table><tr><th></th><th>P0</th><th>P1</th><th>P2</th><th>P3</th><th>P4</th><th>all</th></tr>"
    );
    for (side, name) in [(0, "A"), (1, "B")] {
        let t = &r.totals[side];
        for (what, counts) in [("dispatched", &t.dispatched), ("reviewed", &t.reviewed)] {
            let _ = write!(w, "<tr><td>{name} {what}</td>");
            for (p, n) in counts.iter().enumerate() {
                let _ = write!(w, "<td id=\"{}-{what}-p{p}\">{n}</td>", name.to_lowercase());
            }
            let _ = write!(
                w,
                "<td id=\"{}-{what}\">{}</td></tr>",
                name.to_lowercase(),
                counts.iter().sum::<u64>()
            );
        }
    }
    let _ = write!(w, "</table><table><tr><th></th><th>A</th><th>B</th></tr>");
    let row = |w: &mut String, what: &str, id: &str, x: String, y: String| {
        let _ = write!(
            w,
            "<tr><td>{what}</td><td id=\"a-{id}\">{x}</td><td id=\"b-{id}\">{y}</td></tr>"
        );
    };
    let [ta, tb] = &r.totals;
    row(
        w,
        "dropped by the matrix",
        "dropped",
        ta.dropped.to_string(),
        tb.dropped.to_string(),
    );
    row(
        w,
        "suppressed as repeats",
        "suppressed",
        ta.suppressed.to_string(),
        tb.suppressed.to_string(),
    );
    let peak = |t: &Totals| {
        t.peak_hour
            .as_ref()
            .map_or("none".into(), |(h, n)| format!("{n} ({h}h UTC)"))
    };
    row(w, "most dispatches in an hour", "peak", peak(ta), peak(tb));
    if let Some(c) = r.capacity {
        row(
            w,
            &format!("hours over the capacity of {c} dispatches"),
            "over-capacity",
            ta.hours_over_capacity.to_string(),
            tb.hours_over_capacity.to_string(),
        );
    }
    let _ = write!(
        w,
        "</table><h2>Dispatches an hour</h2>{}",
        hours_svg(r).map_err(|e| anyhow!("compare.html: {e}"))?
    );
    let _ = write!(
        w,
        "<h2>Passages decided differently: <span id=\"changed-total\">{}</span></h2>\
         <p><span id=\"added\">{}</span> forwarded under B and not under A, \
         <span id=\"removed\">{}</span> the other way round.</p>\
         <table><tr><th>under A (decision:rule)</th><th>under B</th><th>passages</th></tr>",
        r.changed_total, r.added, r.removed
    );
    for f in &r.flows {
        let _ = write!(
            w,
            "<tr data-flow><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&f.from),
            esc(&f.to),
            f.passages
        );
    }
    let flows: Vec<(String, Vec<u64>)> = r
        .flows
        .iter()
        .map(|f| (format!("{} → {}", f.from, f.to), vec![f.passages]))
        .collect();
    let _ = write!(w, "</table>{}", bars_svg(&flows, &[("passages", GREY)])?);
    let _ = write!(
        w,
        "<h2>By rule</h2><p>Passages each rule decided (a repeat the re-alert window then held \
         included); — where the policy has no such rule.</p>\
         <table><tr><th>rule</th><th>A</th><th>B</th></tr>"
    );
    for r in &r.rules {
        let n = |v: Option<u64>| v.map_or("—".to_string(), |n| n.to_string());
        let _ = write!(
            w,
            "<tr data-rule=\"{}\"><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.rule),
            esc(&r.rule),
            n(r.decided[0]),
            n(r.decided[1])
        );
    }
    let _ = write!(w, "</table><h2>By camera</h2>");
    ab_table(w, "camera", &r.cameras)?;
    if !r.zones.is_empty() {
        let _ = write!(
            w,
            "</table><h2>By zone</h2><p>By the passage's position: a mobile read's own, or its camera's. \
             A passage in two zones counts in both.</p>"
        );
        ab_table(w, "zone", &r.zones)?;
    }
    let _ = write!(
        w,
        "</table><h2>The changed passages</h2><p>The first {} in time order (all are in <code>compare.json</code>).</p>\
         <table><tr><th>time (UTC)</th><th>camera</th><th>under A</th><th>under B</th></tr>",
        r.changed.len()
    );
    for c in &r.changed {
        let _ = write!(
            w,
            "<tr data-changed><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.ts),
            esc(&c.camera),
            esc(&cell(c.a.as_ref())),
            esc(&cell(c.b.as_ref()))
        );
    }
    let _ = writeln!(w, "</table></body></html>");
    Ok(h)
}

const BLUE_A: RGBColor = RGBColor(31, 95, 180);
const RED_B: RGBColor = RGBColor(192, 57, 43);
const GREY: RGBColor = RGBColor(110, 110, 110);

/// The chart of `rows` (cameras or zones) and their table, left open for
/// the caller to close; each row carries `data-<what>` for the tests.
fn ab_table(w: &mut String, what: &str, rows: &[Row]) -> Result<()> {
    let _ = write!(
        w,
        "{}<table><tr><th>{what}</th><th>A dispatched</th><th>B dispatched</th>\
         <th>A reviewed</th><th>B reviewed</th></tr>",
        ab_svg(rows)?
    );
    for c in rows {
        let _ = write!(
            w,
            "<tr data-{what}=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.key),
            esc(&c.key),
            c.dispatched[0],
            c.dispatched[1],
            c.reviewed[0],
            c.reviewed[1]
        );
    }
    Ok(())
}

/// Dispatches under A and B per row (camera or zone), as SVG text.
fn ab_svg(rows: &[Row]) -> Result<String> {
    let rows: Vec<(String, Vec<u64>)> = rows
        .iter()
        .map(|r| (r.key.clone(), r.dispatched.to_vec()))
        .collect();
    bars_svg(&rows, &[("A dispatched", BLUE_A), ("B dispatched", RED_B)])
}

/// Horizontal bars, a group per row and a bar per series, as SVG text
/// (nothing for no rows).
fn bars_svg(rows: &[(String, Vec<u64>)], series: &[(&str, RGBColor)]) -> Result<String> {
    if rows.is_empty() {
        return Ok(String::new());
    }
    draw_bars(rows, series).map_err(|e| anyhow!("compare.html: {e}"))
}

fn draw_bars(
    rows: &[(String, Vec<u64>)],
    series: &[(&str, RGBColor)],
) -> std::result::Result<String, Box<dyn std::error::Error>> {
    // Row i takes the band [i * group, i * group + k), the first row on
    // top; its label stands at the band's middle.
    let k = series.len().max(1);
    let group = k + 1;
    let n = rows.len();
    let band = |i: usize| (n - 1 - i) * group;
    let height = 70 + (n * k * 16 + n * 8) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1000, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let top = rows
            .iter()
            .flat_map(|r| r.1.iter().copied())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(330)
            .build_cartesian_2d(0..top + top / 10 + 1, 0..n * group)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n * group + 1)
            .y_label_formatter(&|y| {
                (0..n)
                    .find(|&i| band(i) + k / 2 == *y)
                    .and_then(|i| rows.get(i))
                    .map_or(String::new(), |r| r.0.clone())
            })
            .x_desc("passages")
            .draw()?;
        for (s, &(name, colour)) in series.iter().enumerate() {
            chart
                .draw_series(rows.iter().enumerate().map(|(i, (_, v))| {
                    let y = band(i) + k - 1 - s;
                    let x = v.get(s).copied().unwrap_or(0);
                    Rectangle::new([(0, y), (x, y + 1)], colour.filled())
                }))?
                .label(name)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 15, y + 5)], colour.filled())
                });
        }
        if k > 1 {
            chart
                .configure_series_labels()
                .border_style(BLACK)
                .background_style(WHITE.mix(0.8))
                .draw()?;
        }
        root.present()?;
    }
    Ok(svg)
}

/// Dispatches an hour under A and B, as SVG text.
fn hours_svg(r: &CompareReport) -> std::result::Result<String, Box<dyn std::error::Error>> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1000, 320)).into_drawing_area();
        root.fill(&WHITE)?;
        // The hours as points 0 to `last`.
        let last = r.hours.len().saturating_sub(1).max(1);
        let top = r
            .hours
            .iter()
            .flat_map(|h| h.dispatched)
            .chain(r.capacity)
            .max()
            .unwrap_or(0)
            .max(1);
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0..last, 0..top + 1)?;
        chart
            .configure_mesh()
            .x_labels(12)
            .x_label_formatter(&|i| {
                r.hours.get(*i).map_or(String::new(), |h| {
                    h.key.get(5..).unwrap_or("").replace('T', " ")
                })
            })
            .y_desc("dispatches")
            .draw()?;
        for (side, colour, name) in [(0, BLUE_A, "A"), (1, RED_B, "B")] {
            chart
                .draw_series(LineSeries::new(
                    r.hours
                        .iter()
                        .enumerate()
                        .map(|(i, h)| (i, h.dispatched[side])),
                    colour.stroke_width(2),
                ))?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour));
        }
        if let Some(c) = r.capacity {
            chart
                .draw_series(LineSeries::new(
                    [(0, c), (last, c)],
                    BLACK.mix(0.5).stroke_width(1),
                ))?
                .label("capacity")
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK));
        }
        chart
            .configure_series_labels()
            .border_style(BLACK)
            .background_style(WHITE.mix(0.8))
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}
