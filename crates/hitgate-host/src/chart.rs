//! `report.svg`: hits over time by priority and outcome, and per camera.

use std::path::Path;

use anyhow::{Result, anyhow};
use plotters::prelude::*;

use crate::formats::{CameraReport, Report};
use crate::time::format_ts;

/// The colour of each priority, P0 to P4, in every picture.
pub(crate) const PRIORITY_COLOURS: [RGBColor; 5] = [
    RGBColor(200, 30, 30),
    RGBColor(230, 120, 20),
    RGBColor(40, 110, 200),
    RGBColor(120, 120, 120),
    RGBColor(170, 170, 170),
];

/// Draws the picture: the SVG text.
pub fn render(report: &Report) -> Result<String> {
    let mut svg = String::new();
    draw(report, &mut svg)?;
    Ok(svg)
}

fn draw(report: &Report, svg: &mut String) -> Result<()> {
    let path = Path::new("report.svg");
    let root = SVGBackend::with_string(svg, (1100, 800)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
    let (top, bottom) = root.split_vertically(460);
    let ind = &report.indicators;
    let title = format!(
        "hitgate replay: {} reads, {} matched, {} dispatched, {} reviewed, {} suppressed",
        ind.reads,
        ind.matched,
        ind.dispatched,
        ind.reviewed,
        ind.suppressed_realert + ind.suppressed_passage
    );
    timeline(&top, report, &title).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    cameras(&bottom, report).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    root.present()
        .map_err(|e| anyhow!("{}: {e}", path.display()))?;
    Ok(())
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;
/// A bar series: name, colour, value of a camera.
type Series = (&'static str, RGBColor, fn(&CameraReport) -> u64);
pub(crate) type DrawResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// Hits per time bucket: dispatches stacked by priority above the axis,
/// reviews below it.
fn timeline(area: &Area<'_>, report: &Report, title: &str) -> DrawResult {
    let (Some((&first, _)), Some((&last, _))) = (
        report.timeline.first_key_value(),
        report.timeline.last_key_value(),
    ) else {
        area.titled(title, ("sans-serif", 20))?.draw(&Text::new(
            "no hits forwarded",
            (400, 150),
            ("sans-serif", 18),
        ))?;
        return Ok(());
    };
    // Buckets of a whole number of minutes, about 60 of them.
    let span = last - first + 1;
    let step = span.div_ceil(60).max(1);
    let n = span.div_ceil(step) as usize;
    let mut dispatch = vec![[0u64; 5]; n];
    let mut review = vec![[0u64; 5]; n];
    for (&minute, rows) in &report.timeline {
        let b = ((minute - first) / step) as usize;
        for p in 0..5 {
            dispatch[b][p] += rows[0][p];
            review[b][p] += rows[1][p];
        }
    }
    // The tallest stack of a set of bars (at least 1, for the axis).
    let tallest = |bars: &[[u64; 5]]| {
        bars.iter()
            .map(|r| r.iter().sum::<u64>())
            .max()
            .unwrap_or(0)
            .max(1)
    };
    let (max_d, max_r) = (tallest(&dispatch), tallest(&review));
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0..n, -(max_r as i64)..(max_d as i64))?;
    let label_first = first;
    chart
        .configure_mesh()
        .x_desc(format!("time ({} min buckets, UTC)", step))
        .y_desc("dispatch (up) / review (down)")
        .x_labels(8)
        .x_label_formatter(&|b| {
            let t = format_ts((label_first + *b as u64 * step) * 60_000);
            t.get(5..16).unwrap_or(&t).replace('T', " ")
        })
        .y_label_formatter(&|v| v.abs().to_string())
        .draw()?;
    for p in 0..5 {
        let colour = PRIORITY_COLOURS[p];
        chart
            .draw_series(dispatch.iter().enumerate().map(|(b, row)| {
                let below: u64 = row[..p].iter().sum();
                Rectangle::new(
                    [(b, below as i64), (b + 1, (below + row[p]) as i64)],
                    colour.filled(),
                )
            }))?
            .label(format!("P{p}"))
            .legend(swatch(colour));
        chart.draw_series(review.iter().enumerate().map(|(b, row)| {
            let below: u64 = row[..p].iter().sum();
            Rectangle::new(
                [(b, -(below as i64)), (b + 1, -((below + row[p]) as i64))],
                colour.mix(0.45).filled(),
            )
        }))?;
    }
    legend(&mut chart)
}

/// Per camera: dispatched and reviewed hits; reads and matched reads in
/// the labels.
fn cameras(area: &Area<'_>, report: &Report) -> DrawResult {
    let mut cams: Vec<&CameraReport> = report.cameras.iter().collect();
    cams.sort_by(|a, b| a.camera.cmp(&b.camera));
    if cams.is_empty() {
        return Ok(());
    }
    let max = cams
        .iter()
        .map(|c| c.dispatched.max(c.reviewed))
        .max()
        .unwrap_or(0)
        .max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(
            "per camera: dispatched and reviewed hits (reads / matched reads below)",
            ("sans-serif", 16),
        )
        .margin(12)
        .x_label_area_size(60)
        .y_label_area_size(60)
        .build_cartesian_2d((0..cams.len() * 3).into_segmented(), 0..max + max / 5 + 1)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(cams.len() * 3)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) if i % 3 == 1 => cams.get(i / 3).map_or(String::new(), |c| {
                format!("{} ({} / {})", c.camera, c.reads, c.matched)
            }),
            _ => String::new(),
        })
        .draw()?;
    let series: [Series; 2] = [
        ("dispatched", RGBColor(200, 30, 30), |c| c.dispatched),
        ("reviewed", RGBColor(40, 110, 200), |c| c.reviewed),
    ];
    for (k, (name, colour, value)) in series.into_iter().enumerate() {
        chart
            .draw_series(cams.iter().enumerate().map(|(i, c)| {
                let x = i * 3 + k;
                Rectangle::new(
                    [
                        (SegmentValue::Exact(x), 0),
                        (SegmentValue::Exact(x + 1), value(c)),
                    ],
                    colour.filled(),
                )
            }))?
            .label(name)
            .legend(swatch(colour));
    }
    legend(&mut chart)
}

/// A series' mark in the legend: a square of its colour.
pub(crate) fn swatch(colour: RGBColor) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled())
}

/// The legend of a chart's series, in its upper right corner.
pub(crate) fn legend<'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, SVGBackend<'a>, CT>,
) -> DrawResult {
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()?;
    Ok(())
}
