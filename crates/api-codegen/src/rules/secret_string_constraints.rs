//! `secret-string-constraints`: typify converts only a plain string marked `x-secret` into the
//! runtime's `SecretString`; one that also carries a `pattern`, length bounds or a `format`
//! would become a validated newtype whose `Debug` prints the value. The constraints stay in the
//! document (the surface, the drift report and the synthesised examples see them) and are left
//! out of progenitor's input only: the plan lists the schemas, emission strips them, and the
//! server still checks the value.

use serde_json::Value;

use super::Places;
use crate::doc::extensions::SECRET;
use crate::doc::schemas::each_schema;
use crate::plan::Plan;

/// The string constraints progenitor's input leaves out of a secret string.
pub const SECRET_CONSTRAINTS: &[&str] = &["pattern", "minLength", "maxLength", "format"];

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    let mut found: Vec<(String, String)> = Vec::new();
    each_schema(doc, &mut |schema, ptr| {
        let constraints: Vec<String> =
            SECRET_CONSTRAINTS.iter().filter(|k| schema.get(**k).is_some()).map(|k| format!("`{k}`")).collect();
        if schema.get(SECRET).is_some() && !constraints.is_empty() {
            found.push((ptr.to_string(), constraints.join(", ")));
        }
    });
    found.sort();
    for (ptr, listed) in found {
        places
            .record(&ptr, format!("secret string: {listed} left out of the generated type (the value stays redacted)"));
        plan.unconstrained_secrets.push(ptr);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn constrained_secrets_are_planned_and_reported() {
        let mut doc = json!({"components": {"schemas": {
            "Token": {"type": "string", "x-secret": true, "pattern": "^v_", "maxLength": 64},
            "Plain": {"type": "string", "x-secret": true},
            "Other": {"type": "string", "pattern": "^x"}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        assert_eq!(plan.unconstrained_secrets, ["/components/schemas/Token"]);
        let what: Vec<&str> = places.changes().iter().map(|c| c.what.as_str()).collect();
        assert_eq!(
            what,
            ["secret string: `pattern`, `maxLength` left out of the generated type (the value stays redacted)"]
        );
        assert_eq!(doc["components"]["schemas"]["Token"]["pattern"], "^v_", "the document keeps them");
    }
}
