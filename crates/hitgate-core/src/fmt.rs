//! Logging macros: to `defmt` with the `defmt` feature, nowhere otherwise.
//! They never log a plate: only what happened, never to whom.
#![allow(unused_macros)]

macro_rules! debug {
    ($($arg:tt)*) => {{
        #[cfg(feature = "defmt")]
        ::defmt::debug!($($arg)*);
    }};
}

macro_rules! warning {
    ($($arg:tt)*) => {{
        #[cfg(feature = "defmt")]
        ::defmt::warn!($($arg)*);
    }};
}

/// `defmt::Format`, `serde::Serialize` and `serde::Deserialize` for a type
/// that is a checked string: shown and written as `as_str()`, read back
/// through a parse function that returns the type or an error.
macro_rules! via_str {
    ($ty:ty, $expecting:literal, $parse:expr) => {
        #[cfg(feature = "defmt")]
        impl defmt::Format for $ty {
            fn format(&self, f: defmt::Formatter<'_>) {
                defmt::write!(f, "{=str}", self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl serde::de::Visitor<'_> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<$ty, E> {
                        ($parse)(v).map_err(E::custom)
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

#[allow(unused_imports)]
pub(crate) use {debug, via_str, warning};
