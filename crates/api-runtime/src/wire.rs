//! Numbers as the vendors' SDKs write them: a `type: number` value that is whole goes out
//! without a fraction (`limit=5`, `"since": 1540095775941`), as JavaScript and Python write it;
//! serde writes an `f64` as `5.0`, which a strict server may refuse and no SDK sends. Other
//! values are unchanged. The generated code uses these for every `f64` it sends: struct
//! fields (`serialize_with`) and query parameters ([`Number`]).

use serde::{Serialize, Serializer};

/// Whole values up to 2^53 are exact as integers; beyond, an `f64` is written as it is.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// `serialize_with` for an `f64` field.
pub fn number<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() < EXACT {
        // In range and whole, so the cast is exact.
        serializer.serialize_i64(*value as i64)
    } else {
        serializer.serialize_f64(*value)
    }
}

/// `serialize_with` for an `Option<f64>` field.
pub fn optional_number<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.serialize_some(&Number(value)),
        None => serializer.serialize_none(),
    }
}

/// An `f64` (or an optional one) to serialise as [`number`] does: a query parameter's value.
pub struct Number<'a, T>(pub &'a T);

impl Serialize for Number<'_, f64> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        number(self.0, serializer)
    }
}

impl Serialize for Number<'_, Option<f64>> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        optional_number(self.0, serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Body {
        #[serde(serialize_with = "number")]
        since: f64,
        #[serde(serialize_with = "optional_number", skip_serializing_if = "Option::is_none")]
        limit: Option<f64>,
        #[serde(serialize_with = "optional_number")]
        ratio: Option<f64>,
    }

    #[test]
    fn whole_numbers_go_out_without_a_fraction_and_others_as_they_are() {
        let body = Body { since: 1_540_095_775_941.0, limit: Some(5.0), ratio: Some(0.5) };
        assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"since":1540095775941,"limit":5,"ratio":0.5}"#);
        let body = Body { since: -2.0, limit: None, ratio: None };
        assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"since":-2,"ratio":null}"#);
        let huge = Body { since: 1e300, limit: None, ratio: Some(f64::MAX) };
        let text = serde_json::to_string(&huge).unwrap();
        assert_eq!(
            text,
            format!(
                r#"{{"since":{},"ratio":{}}}"#,
                serde_json::to_string(&1e300).unwrap(),
                serde_json::to_string(&f64::MAX).unwrap()
            )
        );
    }
}
