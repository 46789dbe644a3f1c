//! CSV reads: the columns of a header, and a line split into a read.

use std::borrow::Cow;

use crate::input::{CsvSplitter, Header};

use super::{RawRead, aliases};

/// Column positions of a CSV read stream, from its header.
pub(super) struct Columns {
    ts: usize,
    camera: Option<usize>,
    plate: usize,
    country: Option<usize>,
    confidence: Option<usize>,
    lat: Option<usize>,
    lon: Option<usize>,
    arrival: Option<usize>,
}

impl Columns {
    /// The columns of a header; the camera's may be missing when the
    /// stream gives `default_camera`.
    pub(super) fn of(split: &CsvSplitter, default_camera: bool) -> Result<Self, String> {
        let h = Header::of(split)?;
        let need = |name: &str| h.need(name, aliases(name));
        let find = |name: &str| h.find(name, aliases(name));
        Ok(Self {
            ts: need("ts")?,
            camera: if default_camera {
                find("camera")?
            } else {
                Some(need("camera")?)
            },
            plate: need("plate")?,
            country: find("country")?,
            confidence: find("confidence")?,
            lat: find("lat")?,
            lon: find("lon")?,
            arrival: find("arrival")?,
        })
    }

    pub(super) fn read<'a>(&self, s: &'a CsvSplitter) -> Result<RawRead<'a>, String> {
        let text = |name: &str, i: usize| -> Result<Cow<'a, str>, String> {
            std::str::from_utf8(s.field(i))
                .map(Cow::Borrowed)
                .map_err(|_| format!("{name}: not UTF-8"))
        };
        let opt_text = |name: &str, i: Option<usize>| -> Result<Option<Cow<'a, str>>, String> {
            match i {
                Some(i) if !s.field(i).is_empty() => text(name, i).map(Some),
                _ => Ok(None),
            }
        };
        // Split at `;`, the comma is the decimal mark (`50,8503`).
        let decimal_comma = s.delimiter() == b';';
        let number = |name: &str, i: Option<usize>| -> Result<Option<f64>, String> {
            match i.map(|i| s.field(i)) {
                None | Some(b"") => Ok(None),
                Some(f) => std::str::from_utf8(f)
                    .ok()
                    .and_then(|t| match t.split_once(',') {
                        Some((whole, frac)) if decimal_comma => {
                            format!("{whole}.{frac}").parse::<f64>().ok()
                        }
                        _ => t.parse::<f64>().ok(),
                    })
                    .filter(|x| x.is_finite())
                    .map(Some)
                    .ok_or_else(|| format!("{name}: not a number")),
            }
        };
        Ok(RawRead {
            ts: text("ts", self.ts)?,
            camera: match self.camera {
                Some(i) => Some(text("camera", i)?),
                None => None,
            },
            plate: text("plate", self.plate)?,
            country: opt_text("country", self.country)?,
            confidence: number("confidence", self.confidence)?,
            lat: number("lat", self.lat)?,
            lon: number("lon", self.lon)?,
            arrival: opt_text("arrival", self.arrival)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// In CSV, a name matches whatever its case and separators; two names
    /// of one column are refused with both named.
    #[test]
    fn csv_takes_other_names_whatever_their_case() {
        let columns = |header: &str| {
            let mut s = CsvSplitter::for_header(header.as_bytes());
            s.split(header.as_bytes()).unwrap();
            Columns::of(&s, false).map(|c| (c.ts, c.camera, c.plate, c.country, c.lon))
        };
        assert_eq!(
            columns("Timestamp,Camera ID,Plate Number,CountryCode,Lng"),
            Ok((0, Some(1), 2, Some(3), Some(4)))
        );
        assert_eq!(
            columns("ts;camera;VRM;lon"),
            Ok((0, Some(1), 2, None, Some(3)))
        );
        // Its own name first; two other names of one column refused.
        assert_eq!(
            columns("Plate Number,ts,camera,plate"),
            Ok((1, Some(2), 3, None, None))
        );
        assert_eq!(
            columns("Timestamp,camera,plate,DateTime").err().unwrap(),
            "columns \"Timestamp\" and \"DateTime\" are both \"ts\"; keep one"
        );
        assert_eq!(
            columns("when,camera,plate").err().unwrap(),
            "missing column \"ts\" (or timestamp, datetime, event_time)"
        );
    }
}
