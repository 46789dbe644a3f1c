//! Plates as they are printed on the road (the formats of Brussels
//! traffic) and as a camera reads them (OCR noise).

use hitgate_core::confusion::DEFAULT_CLASSES;

use crate::rng::Rng;

pub(super) const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
pub(super) const DIGITS: &[u8] = b"0123456789";
pub(super) const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// A vehicle: its plate as printed (with separators) and its country.
#[derive(Debug, Clone)]
pub(super) struct Vehicle {
    pub(super) printed: String,
    pub(super) plate: String,
    pub(super) country: &'static str,
}

pub(super) fn pick_str(rng: &mut Rng, set: &[u8], n: usize) -> String {
    (0..n).map(|_| *rng.pick(set) as char).collect()
}

/// A plate in one of the formats on Brussels roads.
pub(super) fn plate(rng: &mut Rng) -> (String, &'static str) {
    let r = rng.below(1000);
    let l = |rng: &mut Rng, n| pick_str(rng, LETTERS, n);
    let d = |rng: &mut Rng, n| pick_str(rng, DIGITS, n);
    match r {
        // Belgian current format: 1-ABC-234, 2-ABC-234 since 2021.
        0..=679 => {
            let first = if rng.chance(0.3) { '2' } else { '1' };
            (format!("{first}-{}-{}", l(rng, 3), d(rng, 3)), "BE")
        }
        // Older Belgian formats: ABC-123 (1973-2008), 123-ABC (2008-2010).
        680..=739 => (format!("{}-{}", l(rng, 3), d(rng, 3)), "BE"),
        740..=769 => (format!("{}-{}", d(rng, 3), l(rng, 3)), "BE"),
        // Category plates: motorcycles, oldtimers, taxis, dealers...
        770..=799 => {
            let c = *rng.pick(b"MWOTZQ") as char;
            (format!("{c}-{}-{}", l(rng, 3), d(rng, 3)), "BE")
        }
        // Netherlands.
        800..=869 => match rng.below(3) {
            0 => (format!("{}-{}-{}", l(rng, 2), d(rng, 3), l(rng, 1)), "NL"),
            1 => (format!("{}-{}-{}", d(rng, 2), l(rng, 3), d(rng, 1)), "NL"),
            _ => (format!("{}-{}-{}", l(rng, 2), d(rng, 2), l(rng, 2)), "NL"),
        },
        // France.
        870..=929 => (format!("{}-{}-{}", l(rng, 2), d(rng, 3), l(rng, 2)), "FR"),
        // Germany.
        930..=974 => {
            let (a, b) = (1 + rng.below(2) as usize, 3 + rng.below(2) as usize);
            (format!("{}-{} {}", l(rng, a), l(rng, 2), d(rng, b)), "DE")
        }
        // Luxembourg.
        _ => (format!("{} {}", l(rng, 2), d(rng, 4)), "LU"),
    }
}

pub(super) fn canonical(printed: &str) -> String {
    printed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

/// A look-alike of `c` from its confusion class, if it has one.
pub(super) fn look_alike(rng: &mut Rng, c: u8) -> Option<u8> {
    let class = DEFAULT_CLASSES.iter().find(|k| k.as_bytes().contains(&c))?;
    let others: Vec<u8> = class.bytes().filter(|&o| o != c).collect();
    Some(*rng.pick(&others))
}

/// What the camera emits for a printed plate: look-alike substitutions (most
/// errors), other substitutions, dropped and extra characters; separators as
/// printed or as spaces, sometimes lower case.
pub(super) fn ocr(rng: &mut Rng, printed: &str, rate: f64) -> String {
    let mut out = String::new();
    for c in printed.bytes() {
        if !c.is_ascii_alphanumeric() {
            out.push(if rng.chance(0.3) { ' ' } else { c as char });
            continue;
        }
        if rng.chance(rate) {
            let r = rng.unit();
            if r < 0.7 {
                // A look-alike where the character has one, else any.
                let sub = look_alike(rng, c).unwrap_or_else(|| *rng.pick(ALNUM));
                out.push(sub as char);
            } else if r < 0.85 {
                out.push(*rng.pick(ALNUM) as char);
            } else if r < 0.95 {
                // dropped
            } else {
                out.push(c as char);
                out.push(*rng.pick(ALNUM) as char);
            }
        } else {
            out.push(c as char);
        }
    }
    if out.bytes().all(|b| !b.is_ascii_alphanumeric()) {
        return printed.to_string();
    }
    if rng.chance(0.05) {
        out.to_lowercase()
    } else {
        out
    }
}

/// The background population: `n` vehicles with distinct plates, their
/// plates recorded in `seen`.
pub(super) fn population(
    rng: &mut Rng,
    n: usize,
    seen: &mut std::collections::BTreeSet<String>,
) -> Vec<Vehicle> {
    let mut vehicles: Vec<Vehicle> = Vec::with_capacity(n + 1_000);
    while vehicles.len() < n {
        let (printed, country) = plate(rng);
        let canon = canonical(&printed);
        if seen.insert(canon.clone()) {
            vehicles.push(Vehicle {
                printed,
                plate: canon,
                country,
            });
        }
    }
    vehicles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ocr_noise_follows_the_rate() {
        let mut rng = Rng::new(3);
        let printed = "1-ABC-234";
        let read = |rng: &mut Rng, rate| canonical(&ocr(rng, printed, rate)).to_uppercase();
        assert!((0..2_000).all(|_| read(&mut rng, 0.0) == "1ABC234"));
        let same_class = |a: u8, b: u8| {
            DEFAULT_CLASSES
                .iter()
                .any(|k| k.as_bytes().contains(&a) && k.as_bytes().contains(&b))
        };
        let (mut changed, mut alike) = (0, 0);
        for _ in 0..2_000 {
            let r = read(&mut rng, 0.1);
            if r != "1ABC234" {
                changed += 1;
                let only_look_alikes = r.len() == 7
                    && r.bytes()
                        .zip(b"1ABC234".iter())
                        .all(|(a, &b)| a == b || same_class(a, b));
                alike += usize::from(only_look_alikes);
            }
        }
        // 7 characters at 10 %: 1 - 0.9^7 = 52 % of plates change (1,043 of
        // 2,000). Three of them (1, B, 2) have look-alikes, taken in 70 % of
        // their errors: only look-alike changes with probability
        // 0.97^3 * 0.9^4 - 0.9^7 = 12 % (241 of 2,000).
        assert!((950..1_150).contains(&changed), "{changed}");
        assert!((190..300).contains(&alike), "{alike}");
    }

    #[test]
    fn plates_normalise() {
        let mut rng = Rng::new(9);
        for _ in 0..5_000 {
            let (printed, _) = plate(&mut rng);
            assert!(
                hitgate_core::plate::Plate::normalize(printed.as_bytes()).is_ok(),
                "{printed}"
            );
        }
    }
}
