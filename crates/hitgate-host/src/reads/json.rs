//! JSON Lines reads: a line by its fields' own names (the derived
//! [`RawRead`] deserializer), or by every name they go by ([`ALIASES`],
//! matched as CSV's header names are), and field errors that never quote
//! a value.

use std::borrow::Cow;

use serde::Deserialize;

use super::{ALIASES, RawRead};

/// A JSON read line by every name of its fields, matched as CSV's are
/// (whatever their case and separators, [`ALIASES`] included), each
/// field's own name first; and whether a field was taken by a key other
/// than its own name as written.
struct Aliased<'a> {
    /// The read.
    read: RawRead<'a>,
    /// A field was taken by another key (its own name was not there).
    other_names: bool,
}

impl<'de: 'a, 'a> Deserialize<'de> for Aliased<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(ReadVisitor(std::marker::PhantomData))
    }
}

/// Which names the fields of a JSON Lines file go by, as its first read
/// shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum JsonNames {
    /// No read yet.
    Unknown,
    /// Their own names: read as before other names were known (and as
    /// fast); a line that lacks a required one is read by every name.
    Own,
    /// Other names too: every line is read by every name.
    Other,
}

/// One JSON read line, by the names `names` says the file uses (the
/// first read decides).
pub(super) fn parse_json<'a>(
    text: &'a [u8],
    names: &mut JsonNames,
) -> Result<RawRead<'a>, serde_json::Error> {
    if *names != JsonNames::Other {
        let own = serde_json::from_slice::<RawRead<'_>>(text);
        match &own {
            Ok(_) if *names == JsonNames::Unknown => {
                *names = JsonNames::Own;
                if let Ok(a) = serde_json::from_slice::<Aliased<'_>>(text)
                    && a.other_names
                {
                    *names = JsonNames::Other;
                    return Ok(a.read);
                }
                return own;
            }
            Err(e) if e.to_string().starts_with("missing field `") => {}
            _ => return own,
        }
    }
    let a = serde_json::from_slice::<Aliased<'_>>(text)?;
    if a.other_names {
        *names = JsonNames::Other;
    }
    Ok(a.read)
}

/// The field a JSON key names, by [`ALIASES`]' order, and whether the key
/// is its own name as written.
fn field_of(key: &str) -> Option<(usize, bool)> {
    /// Every name of every field, folded, with the field's index.
    static FOLDED: std::sync::LazyLock<Vec<(usize, Vec<u8>)>> = std::sync::LazyLock::new(|| {
        ALIASES
            .iter()
            .enumerate()
            .flat_map(|(i, (own, others))| {
                std::iter::once(own)
                    .chain(others.iter())
                    .map(move |n| (i, crate::input::fold(n.as_bytes())))
            })
            .collect()
    });
    if let Some(i) = ALIASES.iter().position(|(own, _)| *own == key) {
        return Some((i, true));
    }
    FOLDED
        .iter()
        .find(|(_, name)| crate::input::folded(key.as_bytes()).eq(name.iter().copied()))
        .map(|&(i, _)| (i, false))
}

/// A field's value: text (`ts`, `camera`, `plate`, `country`, `arrival`)
/// or a number, each read as its own name reads it.
enum Value<'a> {
    Text(Option<Cow<'a, str>>),
    Number(Option<f64>),
}

/// Reads the value of field `i` (by [`ALIASES`]' order).
struct FieldSeed(usize);

impl<'de> serde::de::DeserializeSeed<'de> for FieldSeed {
    type Value = Value<'de>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        Ok(match ALIASES.get(self.0).map(|(own, _)| *own) {
            Some("ts") => Value::Text(field::ts(d).map(Some)?),
            Some("camera") => Value::Text(field::camera(d).map(Some)?),
            Some("plate") => Value::Text(field::plate(d).map(Some)?),
            Some("country") => Value::Text(field::country(d)?),
            Some("arrival") => Value::Text(field::arrival(d)?),
            Some("confidence") => Value::Number(field::confidence(d)?),
            Some("lat") => Value::Number(field::lat(d)?),
            _ => Value::Number(field::lon(d)?),
        })
    }
}

/// A key, borrowed from the line unless it holds an escape.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Reads the object key by key into a slot a field and kind of name (its
/// own, another), then takes each field by its own name, else by another:
/// inside the map, so that an error still says where in the line it is.
struct ReadVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> serde::de::Visitor<'de> for ReadVisitor<'a> {
    type Value = Aliased<'a>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object of one read")
    }

    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        use serde::de::Error as _;
        // [field][0: its own name, 1: another]
        let mut slots: [[Option<Value<'a>>; 2]; ALIASES.len()] = Default::default();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let Some((i, own)) = field_of(&key) else {
                map.next_value::<serde::de::IgnoredAny>()?;
                continue;
            };
            let slot = &mut slots[i][usize::from(!own)];
            if slot.is_some() {
                return Err(M::Error::custom(format_args!(
                    "duplicate field `{}` (again as `{key}`)",
                    ALIASES[i].0
                )));
            }
            *slot = Some(map.next_value_seed(FieldSeed(i))?);
        }
        let mut other_names = false;
        let mut take = |i: usize| {
            let [own, other] = std::mem::take(&mut slots[i]);
            other_names |= own.is_none() && other.is_some();
            own.or(other)
        };
        let mut text = |i: usize| match take(i) {
            Some(Value::Text(t)) => t,
            _ => None,
        };
        let need = |v: Option<Cow<'a, str>>, i: usize| {
            v.ok_or_else(|| M::Error::custom(format_args!("missing field `{}`", ALIASES[i].0)))
        };
        // A missing camera may be the stream's (`ReadStream::camera`).
        let (ts, camera, plate) = (need(text(0), 0)?, text(1), need(text(2), 2)?);
        let (country, arrival) = (text(3), text(7));
        let mut number = |i: usize| match take(i) {
            Some(Value::Number(n)) => n,
            _ => None,
        };
        Ok(Aliased {
            read: RawRead {
                ts,
                camera,
                plate,
                country,
                arrival,
                confidence: number(4),
                lat: number(5),
                lon: number(6),
            },
            other_names,
        })
    }
}

/// A JSON error's text without any value from the line: syntax errors and
/// the field errors below name no value; serde's own type errors (a line
/// that is a bare number or string) do, and are replaced.
pub(super) fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let msg = text
        .strip_suffix(&format!(" at line {} column {}", e.line(), e.column()))
        .unwrap_or(&text);
    let msg = match e.classify() {
        serde_json::error::Category::Data
            if !(msg.starts_with("missing field `")
                || msg.starts_with("duplicate field `")
                || field::NAMES.iter().any(|n| {
                    msg.strip_prefix(n)
                        .is_some_and(|rest| rest.starts_with(": "))
                })) =>
        {
            "a line must be a JSON object of one read"
        }
        _ => msg,
    };
    format!("{msg} (column {})", e.column())
}

/// Deserializers for the fields of a JSON read whose errors name the field
/// and the fault, never the value (serde's own errors quote it).
pub(super) mod field {
    use std::borrow::Cow;
    use std::fmt;

    use serde::Deserializer;
    use serde::de::{Error, Visitor};

    /// Every field name, as the errors start.
    pub(super) const NAMES: [&str; 8] = [
        "ts",
        "camera",
        "plate",
        "country",
        "confidence",
        "lat",
        "lon",
        "arrival",
    ];

    /// Accepts what `T` wants; any other JSON value is "{name}: expected
    /// {what}", without the value.
    struct Only<T> {
        name: &'static str,
        what: &'static str,
        _t: std::marker::PhantomData<T>,
    }

    impl<T> Only<T> {
        fn fail<E: Error, X>(&self) -> Result<X, E> {
            Err(E::custom(format_args!(
                "{}: expected {}",
                self.name, self.what
            )))
        }
    }

    macro_rules! refuse_others {
        ($($m:ident($t:ty)),*) => {$(
            fn $m<E: Error>(self, _: $t) -> Result<Self::Value, E> { self.fail() }
        )*};
    }

    impl<'de> Visitor<'de> for Only<f64> {
        type Value = Option<f64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.what)
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v as f64))
        }
        fn visit_f64<E: Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        /// A number in a string (`"87"`), as some exports write every
        /// field and as CSV always does; `""` is none.
        fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.trim() {
                "" => Ok(None),
                t => match t.parse::<f64>() {
                    Ok(x) if x.is_finite() => Ok(Some(x)),
                    _ => self.fail(),
                },
            }
        }
        refuse_others!(visit_bool(bool), visit_bytes(&[u8]));
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            self.fail()
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            self.fail()
        }
    }

    fn only<T>(name: &'static str, what: &'static str) -> Only<T> {
        Only {
            name,
            what,
            _t: std::marker::PhantomData,
        }
    }

    fn text<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
    ) -> Result<Cow<'de, str>, D::Error> {
        digits(d, name, "a string", Numbers::Refused)?
            .ok_or_else(|| D::Error::custom(format_args!("{name}: expected a string")))
    }

    fn opt_text<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
    ) -> Result<Option<Cow<'de, str>>, D::Error> {
        digits(d, name, "a string or null", Numbers::Refused)
    }

    fn number<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
    ) -> Result<Option<f64>, D::Error> {
        d.deserialize_any(only::<f64>(name, "a number or null"))
    }

    // serde gives `deserialize_with` no field name: one function a field.
    /// Which numbers a text field takes, as the text of their digits.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Numbers {
        /// None: a plate, a country.
        Refused,
        /// Whole numbers: a camera numbered rather than named (`12`).
        Whole,
        /// Any: a time in Unix seconds or milliseconds (`1767600000.155`;
        /// [`crate::time::parse_event_ts`] reads it).
        Any,
    }

    /// A text field: a string, null (none), or the numbers `numbers`
    /// lets through as their digits; any other JSON value is "{name}:
    /// expected {what}", without the value.
    struct Digits {
        name: &'static str,
        what: &'static str,
        numbers: Numbers,
    }

    impl Digits {
        fn fail<E: Error, X>(&self) -> Result<X, E> {
            Err(E::custom(format_args!(
                "{}: expected {}",
                self.name, self.what
            )))
        }

        fn number<E: Error>(
            self,
            whole: bool,
            text: impl FnOnce() -> String,
        ) -> Result<Option<Cow<'static, str>>, E> {
            match self.numbers {
                Numbers::Any => Ok(Some(Cow::Owned(text()))),
                Numbers::Whole if whole => Ok(Some(Cow::Owned(text()))),
                _ => self.fail(),
            }
        }
    }

    impl<'de> Visitor<'de> for Digits {
        type Value = Option<Cow<'de, str>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.what)
        }
        fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Borrowed(v)))
        }
        fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(Cow::Owned(v.to_owned())))
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<Self::Value, E> {
            self.number(true, || v.to_string())
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<Self::Value, E> {
            self.number(true, || v.to_string())
        }
        fn visit_f64<E: Error>(self, v: f64) -> Result<Self::Value, E> {
            self.number(false, || v.to_string())
        }
        fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        refuse_others!(visit_bool(bool), visit_bytes(&[u8]));
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            self.fail()
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            self.fail()
        }
    }

    fn digits<'de, D: Deserializer<'de>>(
        d: D,
        name: &'static str,
        what: &'static str,
        numbers: Numbers,
    ) -> Result<Option<Cow<'de, str>>, D::Error> {
        d.deserialize_any(Digits {
            name,
            what,
            numbers,
        })
    }

    pub(in crate::reads) fn ts<'de, D: Deserializer<'de>>(d: D) -> Result<Cow<'de, str>, D::Error> {
        const WHAT: &str = "a string or a number";
        digits(d, "ts", WHAT, Numbers::Any)?
            .ok_or_else(|| D::Error::custom(format_args!("ts: expected {WHAT}")))
    }
    /// A camera id, or a whole number for one (`12` is `"12"`): systems
    /// that number their cameras write them so.
    pub(in crate::reads) fn camera<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Cow<'de, str>, D::Error> {
        const WHAT: &str = "a string or a whole number";
        digits(d, "camera", WHAT, Numbers::Whole)?
            .ok_or_else(|| D::Error::custom(format_args!("camera: expected {WHAT}")))
    }
    pub(in crate::reads) fn opt_camera<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Cow<'de, str>>, D::Error> {
        camera(d).map(Some)
    }
    pub(in crate::reads) fn plate<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Cow<'de, str>, D::Error> {
        text(d, "plate")
    }

    pub(in crate::reads) fn country<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Cow<'de, str>>, D::Error> {
        opt_text(d, "country")
    }
    pub(in crate::reads) fn arrival<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Cow<'de, str>>, D::Error> {
        digits(d, "arrival", "a string, a number or null", Numbers::Any)
    }
    pub(in crate::reads) fn confidence<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<f64>, D::Error> {
        number(d, "confidence")
    }
    pub(in crate::reads) fn lat<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        number(d, "lat")
    }
    pub(in crate::reads) fn lon<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        number(d, "lon")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `snake_case` in camel case: `event_time` is `eventTime`.
    fn camel(name: &str) -> String {
        let mut out = String::new();
        let mut up = false;
        for c in name.chars() {
            match c {
                '_' => up = true,
                c if up => {
                    out.push(c.to_ascii_uppercase());
                    up = false;
                }
                c => out.push(c),
            }
        }
        out
    }

    /// Field `name` of a read, as text.
    fn value(r: &RawRead<'_>, name: &str) -> String {
        match name {
            "ts" => r.ts.to_string(),
            "camera" => r.camera.as_deref().unwrap_or_default().to_string(),
            "plate" => r.plate.to_string(),
            "country" => format!("{:?}", r.country),
            "confidence" => format!("{:?}", r.confidence),
            "lat" => format!("{:?}", r.lat),
            "lon" => format!("{:?}", r.lon),
            "arrival" => format!("{:?}", r.arrival),
            _ => unreachable!("{name}"),
        }
    }

    /// Every name of the table, as written, in camel case, in capitals and
    /// spaced, gives the field in JSON what its own name gives, and
    /// switches the file to reading every name.
    #[test]
    fn json_takes_every_other_name_a_column_goes_by() {
        let given = [
            ("ts", "\"2026-01-05T08:00:00Z\""),
            ("camera", "\"cam-1\""),
            ("plate", "\"1ABC234\""),
            ("country", "\"BE\""),
            ("confidence", "87"),
            ("lat", "50.85"),
            ("lon", "4.35"),
            ("arrival", "\"2026-01-05T08:00:01Z\""),
        ];
        let line = |renamed: (&str, &str)| {
            let fields: Vec<String> = given
                .iter()
                .map(|&(n, v)| {
                    let n = if n == renamed.0 { renamed.1 } else { n };
                    format!("\"{n}\":{v}")
                })
                .collect();
            format!("{{{}}}", fields.join(","))
        };
        let own = line(("", ""));
        let own: RawRead<'_> = serde_json::from_str(&own).unwrap();
        let mut checked = 0;
        for (name, aliases) in ALIASES {
            let names = std::iter::once(&name).chain(aliases.iter());
            for alias in names.flat_map(|a| {
                [camel(a), a.to_uppercase(), a.replace('_', " ")]
                    .into_iter()
                    .chain((a != &name).then(|| a.to_string()))
            }) {
                if alias == name {
                    continue;
                }
                let text = line((name, &alias));
                let mut names = JsonNames::Unknown;
                let r = parse_json(text.as_bytes(), &mut names)
                    .unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!(value(&r, name), value(&own, name), "{alias}");
                assert_eq!(
                    names,
                    JsonNames::Other,
                    "{alias}: the file goes by other names"
                );
                checked += 1;
            }
        }
        assert!(checked > 4 * ALIASES.len(), "{checked}");
        // Its own name first, wherever it stands, whether the file reads
        // other names or not; two other names of one field: refused, not
        // guessed.
        for (own, other) in [
            ("\"country\":\"FR\"", "\"countryCode\":\"NL\""),
            ("\"countryCode\":\"NL\"", "\"country\":\"FR\""),
        ] {
            let both = format!(
                "{{\"ts\":\"2026-01-05T08:00:00Z\",\"camera\":\"c\",\"plate\":\"P\",{own},{other}}}"
            );
            for mut names in [JsonNames::Unknown, JsonNames::Own, JsonNames::Other] {
                let r = parse_json(both.as_bytes(), &mut names).unwrap();
                assert_eq!(r.country.as_deref(), Some("FR"), "{both}");
            }
        }
        let two = line(("ts", "timestamp")).replace('}', ",\"datetime\":\"2026-01-05T09:00:00Z\"}");
        let e = parse_json(two.as_bytes(), &mut JsonNames::Unknown)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("duplicate field `ts` (again as `datetime`)"),
            "{e}"
        );
        // Missing under every name: said as before, and a file of own
        // names stays one.
        let mut names = JsonNames::Own;
        let e = parse_json(
            b"{\"ts\":\"2026-01-05T08:00:00Z\",\"camera\":\"c\"}",
            &mut names,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("missing field `plate`"), "{e}");
        assert_eq!(names, JsonNames::Own);
        // A file of own names reads a later line's other names only where
        // its own are missing: as before, an unknown key is left alone.
        let later = line(("country", "countryCode"));
        let r = parse_json(later.as_bytes(), &mut names).unwrap();
        assert_eq!((r.country, names), (None, JsonNames::Own));
    }
}
