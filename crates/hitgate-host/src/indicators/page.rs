//! `hitgate indicators --page FILE`: the zone's figures as a
//! self-contained page for a council report: a picture of the hits per
//! period by priority (and of the gate's dispatches and closes), and the
//! tables of `--json`. Every cell carries an `id` or a `data-` attribute,
//! so a test can check it against the JSON. No plate: the figures hold
//! none.

use std::fmt::Write as _;

use anyhow::{Result, anyhow};
use plotters::prelude::*;

use crate::chart::{DrawResult, PRIORITY_COLOURS, legend, swatch};
use crate::indicators::{DecisionCounts, HitCounts, HitFigures, Indicators, WEEKDAYS};
use crate::page::{esc, head};

/// The page.
pub fn render(x: &Indicators) -> Result<String> {
    let by = x.by.name();
    let mut h = head("hitgate indicators");
    let w = &mut h;
    let span = match (&x.from, &x.until) {
        (None, None) => "every period in the files".to_string(),
        (f, u) => format!(
            "from {} until {}",
            esc(f.as_deref().unwrap_or("the start")),
            esc(u.as_deref().unwrap_or("the end"))
        ),
    };
    let _ = write!(
        w,
        "<h1>hitgate indicators</h1><p>Per {by} (UTC), {span}: {} lines read, \
         <span id=\"bad-lines\">{}</span> not figures. No plate, position or time finer \
         than the {by} is shown.</p>",
        x.lines, x.bad_lines
    );
    if let Some(hits) = &x.hits {
        let _ = write!(w, "<h2>Hits the units forwarded</h2>");
        let _ = write!(w, "{}", hits_picture(hits, by)?);
        let _ = write!(
            w,
            "<table><tr><th>{by}</th><th>hits</th><th>dispatched</th><th>reviewed</th>\
             <th>P0</th><th>P1</th><th>P2</th><th>P3</th><th>P4</th><th>tolerant</th>\
             <th>late</th><th>units</th><th>cameras</th><th>purged</th>\
             <th>delay (median, s)</th></tr>"
        );
        for (period, p) in &hits.periods {
            hit_row(w, period, &p.counts, (p.units, p.cameras));
        }
        hit_row(
            w,
            "total",
            &hits.total,
            (hits.units.len(), hits.cameras.len()),
        );
        let _ = write!(w, "</table>");
        held(w, "hit", hits.oldest_held.as_deref());
        week(w, hits);
        for (what, rows) in [("unit", &hits.units), ("camera", &hits.cameras)] {
            let _ = write!(
                w,
                "<h2>Per {what}</h2><table><tr><th>{what}</th><th>hits</th><th>dispatched</th>\
                 <th>reviewed</th><th>P0</th><th>P1</th><th>P2</th><th>delay (median, s)</th></tr>"
            );
            for (k, c) in rows {
                let k = esc(k);
                let _ = write!(w, "<tr data-{what}=\"{k}\"><td>{k}</td>");
                for n in c.brief() {
                    let _ = write!(w, "<td>{n}</td>");
                }
                let _ = write!(
                    w,
                    "<td id=\"delay-{what}-{k}\">{}</td></tr>",
                    crate::indicators::seconds(c.delay_median_s)
                );
            }
            let _ = write!(w, "</table>");
        }
    }
    if let Some(d) = &x.decisions {
        let _ = write!(w, "<h2>The zone gate's decisions</h2>");
        let _ = write!(w, "{}", decisions_picture(d, by)?);
        let _ = write!(
            w,
            "<table><tr><th>{by}</th><th>recipient</th><th>dispatched</th><th>P0</th>\
             <th>P1</th><th>reviewed</th><th>updates</th><th>cases</th><th>closed</th>\
             <th>delay (median, s)</th><th>handling (median, s)</th>\
             <th>reviews by reason</th><th>outcomes</th></tr>"
        );
        for (period, m) in &d.periods {
            for (r, c) in m {
                decision_row(w, period, r, c);
            }
        }
        for (r, c) in &d.total {
            decision_row(w, "total", r, c);
        }
        let _ = write!(w, "</table>");
        held(w, "decision", d.oldest_held.as_deref());
        if d.undated > 0 {
            let _ = write!(
                w,
                "<p><span id=\"undated\">{}</span> purged decisions kept no day: in no period \
                 and no total.</p>",
                d.undated
            );
        }
    }
    let _ = writeln!(w, "</body></html>");
    Ok(h)
}

/// When the P0 and P1 cars pass: weekday by hour, the busier the
/// darker, then per camera by hour. Cells' ids: `week-<Mon>-<hour>`,
/// `hour-<camera>-<hour>`.
fn week(w: &mut String, hits: &HitFigures) {
    let clock = if hits.local_time {
        "local time, the policy's offsets"
    } else {
        "UTC"
    };
    let top = hits
        .week
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let shade = |n: u64| {
        // From white to the P1 colour's full strength.
        let a = n as f64 / top as f64;
        format!("background:rgba(230,120,20,{a:.2})")
    };
    let _ = write!(
        w,
        "<h2>When the P0 and P1 cars pass ({clock})</h2>\
         <table id=\"week\"><tr><th></th>"
    );
    for hour in 0..24 {
        let _ = write!(w, "<th>{hour}</th>");
    }
    let _ = write!(w, "</tr>");
    for (day, row) in WEEKDAYS.iter().zip(&hits.week) {
        let _ = write!(w, "<tr><td>{day}</td>");
        for (hour, &n) in row.iter().enumerate() {
            let _ = write!(
                w,
                "<td id=\"week-{day}-{hour}\" style=\"{}\">{n}</td>",
                shade(n)
            );
        }
        let _ = write!(w, "</tr>");
    }
    let _ = write!(w, "</table><table><tr><th>camera</th>");
    for hour in 0..24 {
        let _ = write!(w, "<th>{hour}</th>");
    }
    let _ = write!(w, "</tr>");
    for (camera, hours) in &hits.camera_hours {
        let c = esc(camera);
        let _ = write!(w, "<tr><td>{c}</td>");
        for (hour, &n) in hours.iter().enumerate() {
            let _ = write!(w, "<td id=\"hour-{c}-{hour}\">{n}</td>");
        }
        let _ = write!(w, "</tr>");
    }
    let _ = write!(w, "</table>");
}

/// What the files still hold whole, for the retention.
fn held(w: &mut String, what: &str, day: Option<&str>) {
    let _ = match day {
        Some(day) => write!(
            w,
            "<p>The oldest {what} held whole (not purged) is of \
             <span id=\"oldest-{what}\">{}</span>.</p>",
            esc(day)
        ),
        None => write!(w, "<p>No {what} is held whole: every one is purged.</p>"),
    };
}

/// A row of hit counts; its cells' ids are `<field>-<period>`.
fn hit_row(w: &mut String, period: &str, c: &HitCounts, (units, cameras): (usize, usize)) {
    let p = esc(period);
    let _ = write!(w, "<tr data-period=\"{p}\"><td>{p}</td>");
    let [p0, p1, p2, p3, p4] = c.by_priority;
    for (field, n) in [
        ("hits", c.hits),
        ("dispatched", c.dispatched),
        ("reviewed", c.reviewed),
        ("p0", p0),
        ("p1", p1),
        ("p2", p2),
        ("p3", p3),
        ("p4", p4),
        ("tolerant", c.tolerant),
        ("late", c.late),
        ("units", units as u64),
        ("cameras", cameras as u64),
        ("purged", c.purged),
    ] {
        let _ = write!(w, "<td id=\"{field}-{p}\">{n}</td>");
    }
    let _ = write!(
        w,
        "<td id=\"delay-{p}\">{}</td></tr>",
        crate::indicators::seconds(c.delay_median_s)
    );
}

/// A row of a recipient's decisions; its cells' ids are
/// `<field>-<period>-<recipient>`.
fn decision_row(w: &mut String, period: &str, recipient: &str, c: &DecisionCounts) {
    let (p, r) = (esc(period), esc(recipient));
    let _ = write!(w, "<tr data-recipient=\"{r}\"><td>{p}</td><td>{r}</td>");
    for (field, n) in [
        ("dispatched", c.dispatched),
        ("p0", c.dispatched_by_priority[0]),
        ("p1", c.dispatched_by_priority[1]),
        ("reviewed", c.reviewed),
        ("updates", c.updates),
        ("cases", c.cases),
        ("closed", c.closed),
    ] {
        let _ = write!(w, "<td id=\"{field}-{p}-{r}\">{n}</td>");
    }
    for (field, median) in [
        ("delay", c.delay_median_s),
        ("handling", c.handling_median_s),
    ] {
        let _ = write!(
            w,
            "<td id=\"{field}-{p}-{r}\">{}</td>",
            crate::indicators::seconds(median)
        );
    }
    let words = |m: &std::collections::BTreeMap<String, u64>| {
        m.iter()
            .map(|(k, n)| format!("{} {n}", esc(k)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = write!(
        w,
        "<td>{}</td><td id=\"outcomes-{p}-{r}\">{}</td></tr>",
        words(&c.reviews_by_reason),
        words(&c.outcomes)
    );
}

/// Hits per period, stacked by priority.
fn hits_picture(hits: &crate::indicators::HitFigures, by: &str) -> Result<String> {
    let bars: Vec<(&String, [u64; 5])> = hits
        .periods
        .iter()
        .map(|(k, p)| (k, p.counts.by_priority))
        .collect();
    if bars.is_empty() {
        return Ok(String::new());
    }
    let mut svg = String::new();
    let mut draw = || -> DrawResult {
        let root = SVGBackend::with_string(&mut svg, (1000, 360)).into_drawing_area();
        root.fill(&WHITE)?;
        let tallest = bars
            .iter()
            .map(|(_, b)| b.iter().sum::<u64>())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(format!("hits per {by} by priority"), ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(
                (0..bars.len()).into_segmented(),
                0..tallest + tallest / 8 + 1,
            )?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(bars.len().min(24))
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) => bars.get(*i).map_or(String::new(), |b| b.0.clone()),
                _ => String::new(),
            })
            .draw()?;
        for p in 0..5 {
            let colour = PRIORITY_COLOURS[p];
            chart
                .draw_series(bars.iter().enumerate().map(|(i, (_, row))| {
                    let below: u64 = row[..p].iter().sum();
                    Rectangle::new(
                        [
                            (SegmentValue::Exact(i), below),
                            (SegmentValue::Exact(i + 1), below + row[p]),
                        ],
                        colour.filled(),
                    )
                }))?
                .label(format!("P{p}"))
                .legend(swatch(colour));
        }
        legend(&mut chart)?;
        root.present()?;
        Ok(())
    };
    draw().map_err(|e| anyhow!("the picture of the hits: {e}"))?;
    Ok(svg)
}

/// The gate's dispatches and closes per period, every recipient together.
fn decisions_picture(d: &crate::indicators::DecisionFigures, by: &str) -> Result<String> {
    let bars: Vec<(&String, [u64; 3])> = d
        .periods
        .iter()
        .map(|(k, m)| {
            let sum = |f: fn(&DecisionCounts) -> u64| m.values().map(f).sum::<u64>();
            (
                k,
                [
                    sum(|c| c.dispatched),
                    sum(|c| c.reviewed),
                    sum(|c| c.closed),
                ],
            )
        })
        .collect();
    if bars.is_empty() {
        return Ok(String::new());
    }
    let mut svg = String::new();
    let mut draw = || -> DrawResult {
        let root = SVGBackend::with_string(&mut svg, (1000, 320)).into_drawing_area();
        root.fill(&WHITE)?;
        let tallest = bars
            .iter()
            .flat_map(|(_, b)| b.iter().copied())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("the gate's dispatches, reviews and closed cases per {by}"),
                ("sans-serif", 18),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(
                (0..bars.len() * 4).into_segmented(),
                0..tallest + tallest / 8 + 1,
            )?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels((bars.len() * 4).min(96))
            .x_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) if i % 4 == 1 => {
                    bars.get(i / 4).map_or(String::new(), |b| b.0.clone())
                }
                _ => String::new(),
            })
            .draw()?;
        let series = [
            ("dispatched", RGBColor(200, 30, 30)),
            ("reviewed", RGBColor(40, 110, 200)),
            ("closed", RGBColor(60, 150, 60)),
        ];
        for (k, (name, colour)) in series.into_iter().enumerate() {
            chart
                .draw_series(bars.iter().enumerate().map(|(i, (_, b))| {
                    let x = i * 4 + k;
                    Rectangle::new(
                        [
                            (SegmentValue::Exact(x), 0),
                            (SegmentValue::Exact(x + 1), b[k]),
                        ],
                        colour.filled(),
                    )
                }))?
                .label(name)
                .legend(swatch(colour));
        }
        legend(&mut chart)?;
        root.present()?;
        Ok(())
    };
    draw().map_err(|e| anyhow!("the picture of the decisions: {e}"))?;
    Ok(svg)
}
