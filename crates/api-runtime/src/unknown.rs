//! What an answer carries that the spec does not describe: a union alternative it does not
//! list. The generated unions keep it, as the official SDKs do, instead of failing the call.

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A value no alternative of a union matched, kept as received and written back unchanged.
///
/// `Debug` shows only its shape (keys and JSON types, `{"kind": string, "count": number}`),
/// never a value: an answer the spec does not describe may carry a secret under any name.
/// The value itself is [`UnknownValue::json`].
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnknownValue(Value);

impl UnknownValue {
    pub fn new(value: Value) -> Self {
        UnknownValue(value)
    }

    /// The value as the server sent it.
    pub fn json(&self) -> &Value {
        &self.0
    }

    pub fn into_json(self) -> Value {
        self.0
    }
}

impl fmt::Debug for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UnknownValue({})", crate::redact::value_shape(&self.0))
    }
}

/// A string as it came (a union of strings, such as a dialect, written back); any other value
/// as its shape, like `Debug`.
impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Value::String(text) => f.write_str(text),
            other => f.write_str(&crate::redact::value_shape(other)),
        }
    }
}

// JSON numbers are finite, so equality is an equivalence; the generated types that derive
// `Eq`, `Hash` or `Ord` keep them with an unknown alternative.
impl Eq for UnknownValue {}

impl Hash for UnknownValue {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.to_string().hash(state);
    }
}

impl PartialOrd for UnknownValue {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for UnknownValue {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.to_string().cmp(&other.0.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn it_round_trips_and_shows_only_its_shape() {
        let value: UnknownValue = serde_json::from_value(json!({"kind": "okta", "token": "tok-secret"})).unwrap();
        assert_eq!(serde_json::to_value(&value).unwrap(), json!({"kind": "okta", "token": "tok-secret"}));
        let shown = format!("{value:?}");
        assert_eq!(shown, r#"UnknownValue({"kind": string, "token": string})"#);
        assert_eq!(value.json()["kind"], "okta");
    }
}
