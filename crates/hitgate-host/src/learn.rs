//! `hitgate learn`: which characters a zone's cameras confuse, estimated
//! from a recording alone (no ground truth).
//!
//! A camera reads a car several times as it passes; the frames of one
//! passage should spell one plate, so where they disagree, the engine
//! misread one of them. The reads are grouped into passages per camera
//! (frames within the passage window whose plates, of one length, differ
//! in at most two positions from the passage's first frame); at each
//! position of a passage, the frames that differ from the majority
//! character are a substitution between that character and theirs (two
//! frames that disagree count once for the pair, with no majority).
//! Insertions and drops change the length and are left out.
//!
//! **The model.** If the engine's substitutions were random, a character
//! misread `n` times would turn into each of the 35 others `n / 35` times,
//! so a pair `{a, b}` would be seen `λ = (subs(a) + subs(b)) / 35` times
//! (subs(c): the substitutions from `c`), a Poisson count. A pair is a
//! *look-alike* when it is seen at least `min_count` times, at least
//! `min_ratio` times λ, and so often that random substitutions would give
//! as many with a probability under `alpha / 630` (the 630 pairs of
//! `A-Z0-9` are all tested: at most `alpha` of a recording's proposals
//! are chance, Bonferroni). Look-alike pairs, the most seen first, are joined into
//! classes of at most four characters (a pair that would make a larger
//! class is reported, not joined): what `[ocr] classes` takes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use hitgate_core::confusion::MAX_CLASS_SIZE;
use hitgate_core::plate::Plate;
use serde::Serialize;

use hitgate_core::place::Offsets;

use crate::reads::{ReadOptions, for_each_merged, open_all};

/// Settings.
#[derive(Debug, Clone, Copy)]
pub struct LearnOptions {
    /// Frames of one camera within this of a passage's first frame belong
    /// to it, ms.
    pub window_ms: u64,
    /// Fewest sightings of a pair to propose it.
    pub min_count: u64,
    /// How many times the random rate a pair must be seen.
    pub min_ratio: f64,
    /// The chance, over all pairs, that random substitutions alone
    /// propose one.
    pub alpha: f64,
}

impl Default for LearnOptions {
    fn default() -> Self {
        Self {
            window_ms: 2_000,
            min_count: 5,
            min_ratio: 4.0,
            alpha: 0.01,
        }
    }
}

/// One pair of characters seen for each other.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PairStat {
    /// The two characters, in order.
    pub pair: String,
    /// Times seen.
    pub count: u64,
    /// `count` over what random substitutions would give.
    pub ratio: f64,
    /// The probability that random substitutions give `count` or more.
    pub p_random: f64,
    /// Proposed as look-alikes.
    pub look_alike: bool,
    /// Look-alikes, but left out of the classes (a class would exceed
    /// four characters).
    pub left_out: bool,
}

/// What `learn` found.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Learned {
    /// Reads used (those that normalise to a plate).
    pub reads: u64,
    /// Lines that are not a read.
    pub bad_lines: u64,
    /// Passages of two frames or more.
    pub passages: u64,
    /// Character positions compared.
    pub positions: u64,
    /// Substitutions seen.
    pub substitutions: f64,
    /// Every pair seen, the most seen first.
    pub pairs: Vec<PairStat>,
    /// The proposed classes.
    pub classes: Vec<String>,
}

struct Passage {
    first: u64,
    frames: Vec<Vec<u8>>,
}

/// Reads `reads` (a file per camera merged, as `replay` reads them; the
/// camera of reads that name none from `how`) and proposes look-alike
/// classes.
pub fn learn(reads: &[PathBuf], how: &ReadOptions, o: &LearnOptions) -> Result<Learned> {
    let streams = open_all(reads, how, &Offsets::EMPTY)?;
    let mut out = Learned::default();
    let mut open: BTreeMap<String, Vec<Passage>> = BTreeMap::new();
    let mut tally = Tally::default();
    for_each_merged(streams, |_, line, _| {
        let Ok(line) = line else {
            out.bad_lines += 1;
            return Ok(());
        };
        let Ok(plate) = Plate::normalize(line.raw.plate.as_bytes()) else {
            out.bad_lines += 1;
            return Ok(());
        };
        out.reads += 1;
        let frame = plate.as_bytes().to_vec();
        let passages = open.entry(line.camera.to_string()).or_default();
        // Passages of this camera that can take no more frames go first.
        let t = line.time;
        passages.retain(|p| {
            let done = t.saturating_sub(p.first) > 2 * o.window_ms;
            if done {
                tally.passage(p, &mut out);
            }
            !done
        });
        match passages.iter_mut().find(|p| {
            t.abs_diff(p.first) <= o.window_ms
                && p.frames
                    .first()
                    .is_some_and(|f| f.len() == frame.len() && differ(f, &frame) <= 2)
        }) {
            Some(p) => p.frames.push(frame),
            None => passages.push(Passage {
                first: t,
                frames: vec![frame],
            }),
        }
        Ok(())
    })?;
    for p in open.values().flatten() {
        tally.passage(p, &mut out);
    }
    tally.finish(o, &mut out);
    Ok(out)
}

/// Pairs of `A-Z0-9` characters.
const PAIRS: f64 = (36 * 35 / 2) as f64;

/// P(X >= k) for X Poisson with mean `lambda`.
fn poisson_at_least(k: u64, lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    // 1 - P(X < k), the terms summed in order.
    let mut term = (-lambda).exp();
    let mut below = 0.0;
    for i in 0..k {
        below += term;
        term *= lambda / (i + 1) as f64;
    }
    (1.0 - below).max(0.0)
}

fn differ(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x != y).count()
}

#[derive(Default)]
struct Tally {
    /// Unordered pair to times seen.
    pairs: BTreeMap<(u8, u8), u64>,
    /// Substitutions from each character (halves for two frames that
    /// disagree with no majority).
    from: BTreeMap<u8, f64>,
}

impl Tally {
    fn see(&mut self, a: u8, b: u8, from_a: f64) {
        let key = (a.min(b), a.max(b));
        *self.pairs.entry(key).or_default() += 1;
        *self.from.entry(a).or_default() += from_a;
        *self.from.entry(b).or_default() += 1.0 - from_a;
    }

    fn passage(&mut self, p: &Passage, out: &mut Learned) {
        if p.frames.len() < 2 {
            return;
        }
        out.passages += 1;
        let len = p.frames.first().map_or(0, Vec::len);
        for i in 0..len {
            let column: Vec<u8> = p.frames.iter().filter_map(|f| f.get(i).copied()).collect();
            out.positions += column.len() as u64;
            let mut counts: BTreeMap<u8, usize> = BTreeMap::new();
            for &c in &column {
                *counts.entry(c).or_default() += 1;
            }
            if counts.len() < 2 {
                continue;
            }
            let best = counts.values().copied().max().unwrap_or(0);
            let majority: Vec<u8> = counts
                .iter()
                .filter(|(_, n)| **n == best)
                .map(|(c, _)| *c)
                .collect();
            match majority.as_slice() {
                [m] => {
                    for &c in column.iter().filter(|&&c| c != *m) {
                        self.see(*m, c, 1.0);
                        out.substitutions += 1.0;
                    }
                }
                // Two frames, two characters: a pair, no direction.
                [a, b] if column.len() == 2 => {
                    self.see(*a, *b, 0.5);
                    out.substitutions += 1.0;
                }
                _ => {}
            }
        }
    }

    fn finish(&self, o: &LearnOptions, out: &mut Learned) {
        let mut pairs: Vec<PairStat> = self
            .pairs
            .iter()
            .map(|(&(a, b), &count)| {
                let from = |c| self.from.get(&c).copied().unwrap_or(0.0);
                let expected = (from(a) + from(b)) / 35.0;
                let ratio = if expected > 0.0 {
                    count as f64 / expected
                } else {
                    0.0
                };
                let p_random = poisson_at_least(count, expected);
                PairStat {
                    pair: format!("{}{}", a as char, b as char),
                    count,
                    ratio,
                    p_random,
                    look_alike: count >= o.min_count
                        && ratio >= o.min_ratio
                        && p_random < o.alpha / PAIRS,
                    left_out: false,
                }
            })
            .collect();
        pairs.sort_by(|x, y| y.count.cmp(&x.count).then(x.pair.cmp(&y.pair)));
        // Join the look-alike pairs, the most seen first.
        let mut classes: Vec<Vec<u8>> = Vec::new();
        for p in pairs.iter_mut().filter(|p| p.look_alike) {
            let (a, b) = (p.pair.as_bytes()[0], p.pair.as_bytes()[1]);
            let ia = classes.iter().position(|c| c.contains(&a));
            let ib = classes.iter().position(|c| c.contains(&b));
            match (ia, ib) {
                (Some(i), Some(j)) if i == j => {}
                (Some(i), Some(j)) => {
                    if classes[i].len() + classes[j].len() > MAX_CLASS_SIZE {
                        p.left_out = true;
                    } else {
                        let moved = classes.remove(i.max(j));
                        classes[i.min(j)].extend(moved);
                    }
                }
                (Some(i), None) | (None, Some(i)) => {
                    let new = if ia.is_some() { b } else { a };
                    if classes[i].len() >= MAX_CLASS_SIZE {
                        p.left_out = true;
                    } else {
                        classes[i].push(new);
                    }
                }
                (None, None) => classes.push(vec![a, b]),
            }
        }
        out.classes = classes
            .into_iter()
            .map(|mut c| {
                c.sort_unstable();
                String::from_utf8_lossy(&c).into_owned()
            })
            .collect();
        out.classes.sort();
        out.pairs = pairs;
    }
}

/// The report for people, ending in the `[ocr]` table to paste into a
/// policy.
pub fn render(l: &Learned) -> String {
    let mut s = format!(
        "# hitgate learn: {} reads ({} lines left out), {} passages of two frames or more,\n\
         # {} positions compared, {:.0} substitutions.\n\
         # pair  seen  x random  p(random)  proposed\n",
        l.reads, l.bad_lines, l.passages, l.positions, l.substitutions
    );
    for p in l.pairs.iter().take(40) {
        let what = match (p.look_alike, p.left_out) {
            (true, false) => "yes",
            (true, true) => "left out (class of 4)",
            _ => "",
        };
        // 1 − P(below) carries about 16 digits: smaller is "<1e-15".
        let p_random = if p.p_random < 1e-15 {
            "<1e-15".to_string()
        } else {
            format!("{:.1e}", p.p_random)
        };
        s += &format!(
            "# {:<4}  {:>5}  {:>8.1}  {p_random:>9}  {what}\n",
            p.pair, p.count, p.ratio
        );
    }
    let classes: Vec<String> = l.classes.iter().map(|c| format!("{c:?}")).collect();
    s += &format!("[ocr]\nclasses = [{}]\n", classes.join(", "));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(passages: &[&[&str]]) -> Learned {
        let mut t = Tally::default();
        let mut out = Learned::default();
        for frames in passages {
            let p = Passage {
                first: 0,
                frames: frames.iter().map(|f| f.as_bytes().to_vec()).collect(),
            };
            t.passage(&p, &mut out);
        }
        t.finish(
            &LearnOptions {
                min_count: 2,
                // The mechanics, not the significance: see below.
                alpha: PAIRS,
                ..LearnOptions::default()
            },
            &mut out,
        );
        out
    }

    #[test]
    fn disagreeing_frames_make_pairs_and_pairs_make_classes() {
        // By hand: O/0 three times (one with no majority), 8/B twice, one
        // K/X once; the passage of one frame says nothing.
        let l = tally(&[
            &["1ABO123", "1AB0123", "1AB0123"],
            &["XY0123", "XYO123"],
            &["PB8123", "P88123", "P88123"],
            &["PB8123", "P88123", "PB8123"],
            &["1OK999", "10K999", "10K999", "10X999"],
            &["ALONE1"],
        ]);
        assert_eq!(l.passages, 5);
        let seen: Vec<(&str, u64)> = l.pairs.iter().map(|p| (p.pair.as_str(), p.count)).collect();
        assert_eq!(seen, [("0O", 3), ("8B", 2), ("KX", 1)]);
        // subs: 0 -> O once, O -> 0 once, a half each for the tie: 3 from
        // {0, O}; expected 3 / 35 a pair, seen 3: 35 times the random rate.
        assert!((l.pairs[0].ratio - 35.0).abs() < 1e-9, "{:?}", l.pairs[0]);
        // Seen once: below min_count 2.
        assert!(!l.pairs[2].look_alike);
        assert_eq!(l.classes, ["0O", "8B"]);
    }

    #[test]
    fn the_poisson_tail_by_hand() {
        // P(X >= 0) = 1; P(X >= 1; 2) = 1 - e^-2; P(X >= 2; 1) = 1 - 2/e.
        assert_eq!(poisson_at_least(0, 3.0), 1.0);
        assert!((poisson_at_least(1, 2.0) - (1.0 - (-2.0f64).exp())).abs() < 1e-12);
        assert!((poisson_at_least(2, 1.0) - (1.0 - 2.0 / std::f64::consts::E)).abs() < 1e-12);
        // Five where one is expected: 0.0037, not rare enough among 630
        // pairs at alpha 0.01 (1.6e-5); nine is (1.0e-6).
        let cut = 0.01 / PAIRS;
        assert!(poisson_at_least(5, 1.0) > cut);
        assert!(poisson_at_least(9, 1.0) < cut);
    }

    #[test]
    fn a_class_never_grows_past_four() {
        let l = tally(&[
            &["A", "B", "B"],
            &["A", "B", "B"],
            &["A", "C", "C"],
            &["A", "C", "C"],
            &["A", "D", "D"],
            &["A", "D", "D"],
            &["A", "E", "E"],
            &["A", "E", "E"],
        ]);
        assert_eq!(l.classes, ["ABCD"]);
        assert!(l.pairs.iter().any(|p| p.pair == "AE" && p.left_out));
    }

    #[test]
    fn every_column_the_table_names_is_printed() {
        let pair = |pair: &str, p_random, look_alike| PairStat {
            pair: pair.into(),
            count: 12,
            ratio: 3.5,
            p_random,
            look_alike,
            left_out: false,
        };
        let l = Learned {
            pairs: vec![
                pair("0O", 2.5e-7, true),
                pair("37", 0.25, false),
                pair("8B", 0.0, true),
            ],
            ..Learned::default()
        };
        let text = render(&l);
        let rows: Vec<Vec<&str>> = text
            .lines()
            .skip(2)
            .take_while(|r| r.starts_with("# "))
            .map(|r| r.split_whitespace().collect())
            .collect();
        // The header, then pair, seen, ratio, p(random) and "yes" if proposed.
        assert_eq!(
            rows[0],
            ["#", "pair", "seen", "x", "random", "p(random)", "proposed"]
        );
        assert_eq!(rows[1], ["#", "0O", "12", "3.5", "2.5e-7", "yes"]);
        assert_eq!(rows[2], ["#", "37", "12", "3.5", "2.5e-1"]);
        assert_eq!(rows[3], ["#", "8B", "12", "3.5", "<1e-15", "yes"]);
    }
}
