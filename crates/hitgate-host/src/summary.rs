//! Human-readable summaries of a replay.

use crate::formats::{InputStats, Report};

/// A few lines for the terminal.
pub fn render(r: &Report) -> String {
    let i = &r.indicators;
    let mut s = String::new();
    s += &format!(
        "reads {:>9}   rejected {:>6}   unmatched {:>9}   matched {:>7}\n",
        i.reads,
        i.rejected.iter().sum::<u64>(),
        i.unmatched,
        i.matched
    );
    s += &format!(
        "passages {:>6}   dispatched {:>5}   reviewed {:>6}   dropped {:>6}\n",
        i.passages, i.dispatched, i.reviewed, i.dropped
    );
    s += &format!(
        "suppressed: passage repeats {}, re-alerts {}; capacity {}; late {}; look-alikes {}; misreads {}; \
         exact sightings after a tolerant dispatch {}\n",
        i.suppressed_passage,
        i.suppressed_realert,
        i.capacity,
        i.late,
        i.lookalike,
        i.misread,
        i.stronger
    );
    s += &format!("by priority (P0..P4): {:?}\n", i.hits_by_priority);
    let rules: Vec<String> = r
        .by_rule
        .iter()
        .filter(|r| r.decided > 0)
        .map(|r| format!("{} {}", r.name, r.decided))
        .collect();
    s += &format!("by rule: {}\n", rules.join(", "));
    if i.evicted_passages + i.evicted_suppression + i.evicted_held + i.camera_overflow > 0 {
        s += &format!(
            "evictions: passages {}, suppression {}, held frames {}; camera overflow {}\n",
            i.evicted_passages, i.evicted_suppression, i.evicted_held, i.camera_overflow
        );
    }
    if r.input.bad_lines > 0 {
        s += &format!("bad lines: {}", r.input.bad_lines);
        for e in &r.input.errors {
            match &e.file {
                Some(file) => s += &format!("\n  {file}:{}: {}", e.line, e.error),
                None => s += &format!("\n  line {}: {}", e.line, e.error),
            }
        }
        if r.input.bad_lines > r.input.errors.len() as u64 {
            s += &format!(
                "\n  ... and {} more",
                r.input.bad_lines - r.input.errors.len() as u64
            );
        }
        s += "\n";
    }
    for n in notes(r) {
        s += &format!("note: {n}\n");
    }
    s += &format!(
        "{:.0} reads/s ({:.2} s; lists indexed in {:.2} s)\n",
        r.timing.reads_per_second, r.timing.seconds, r.timing.index_seconds
    );
    s
}

/// Reads and list entries whose time had no UTC offset, read as UTC
/// without being told so: a camera or a list on local time would be an
/// hour or two off.
pub fn naive_times_note(input: &InputStats) -> Option<String> {
    if input.naive_times.is_some() {
        return None;
    }
    let n = |k: u64, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
    let reads = || {
        let r = input.times_without_offset;
        format!("{} (of {} lines)", n(r, "read", "reads"), input.lines)
    };
    let entries = || {
        let e = input.list_times_without_offset;
        n(e, "list entry", "list entries")
    };
    let what = match (input.times_without_offset, input.list_times_without_offset) {
        (0, 0) => return None,
        (_, 0) => reads(),
        (0, _) => entries(),
        (_, _) => format!("{} and {}", reads(), entries()),
    };
    Some(format!(
        "times without a UTC offset (such as 2026-01-05 08:00:00) in {what}, read as UTC; if \
         they are local time, say --naive-times local (the policy's [time] offsets), else \
         --naive-times utc"
    ))
}

/// Camera ids longer than a unit keeps, which it folds: what the outputs
/// call them, two that became one, and prefixes that no longer reach them.
pub fn folded_cameras_notes(input: &InputStats) -> Vec<String> {
    use hitgate_core::read::{FOLD_KEEPS, MAX_CAMERA_LEN};
    let f = &input.folded_cameras;
    let Some((short, long)) = f.ids.iter().next() else {
        return Vec::new();
    };
    let (n, ids) = match (f.more, f.ids.len()) {
        (0, 1) => ("1".to_string(), "id"),
        (0, k) => (k.to_string(), "ids"),
        (_, k) => (format!("more than {k}"), "ids"),
    };
    let mut notes = vec![format!(
        "{n} camera {ids} longer than {MAX_CAMERA_LEN} bytes, kept folded to {MAX_CAMERA_LEN} \
         (such as {long} as {short}): a unit names them so in its hits and figures; \
         report.json's input.folded_cameras (compare.json's folded_cameras) maps them back"
    )];
    if let Some([short, second]) = f.clashes.first() {
        let first = f.ids.get(short).map_or("?", String::as_str);
        notes.push(format!(
            "camera ids {first} and {second} fold to the same {short}, and the unit takes them \
             for one camera{}; rename one",
            match f.clashes.len() {
                1 => String::new(),
                k => format!(" ({k} such pairs, in report.json's input.folded_cameras)"),
            }
        ));
    }
    if !input.prefixes_beyond_fold.is_empty() {
        notes.push(format!(
            "camera prefixes longer than the {FOLD_KEEPS} bytes a folded id keeps match none of \
             the folded cameras: {}; name such a camera whole, or shorten the prefix",
            input.prefixes_beyond_fold.join(", ")
        ));
    }
    notes
}

/// What the replay's figures alone would not tell: a recording that runs
/// backwards, confidences on another scale, lists whose tolerance costs
/// more than the limit a day. The summary prints each after `note: `;
/// the page lists them.
pub fn notes(r: &Report) -> Vec<String> {
    let mut notes = Vec::new();
    if r.input.runs_backwards {
        notes.push(
            "the reads run backwards in time (the last received is older than the first by \
              more than max_lateness_ms): a recording sorted newest first? The unit decides in the \
              order it receives, so nearly every passage comes late; sort it oldest first"
                .to_string(),
        );
    }
    notes.extend(naive_times_note(&r.input));
    notes.extend(folded_cameras_notes(&r.input));
    if r.input.confidence_fractions > 0 {
        notes.push(format!(
            "{} reads carry a confidence between 0 and 1 (such as 0.93): hitgate reads 0 to 100, \
             so each weighs as 0 or 1 in its passage's vote; if the camera writes 0 to 1, multiply \
             by 100 (docs/formats.md, reads)",
            r.input.confidence_fractions
        ));
    }
    for w in &r.wide_lists {
        let [low, high] = w.false_hits_per_day_95;
        notes.push(format!(
            "list {:?}: its tolerance matches {:.3} % of plates like its entries that stand on no \
             list: about {:.0} hits a day on other cars ({low:.1} to {high:.0}, 95 %) at this recording's \
             {} passages a day (--max-false-per-day); `hitgate lists` shows why",
            w.list,
            100.0 * w.share,
            w.false_hits_per_day,
            w.passages_per_day
        ));
    }
    notes
}
