//! `string-constraints`: typify makes a string with a `pattern`, `minLength` or `maxLength` a
//! validated newtype (its own `FromStr`, `TryFrom`s, `Deref` and a checking `Deserialize`, about
//! fifty lines each). Reading, that check is a liability: an answer whose name the server now
//! allows to be longer, or whose ID has a new shape, fails to decode although nothing the
//! client relies on changed. Writing, the server checks what it is sent and says why in its
//! answer. The vendors' SDKs (Stainless, Speakeasy, async-stripe) read and write such fields as
//! plain strings, and so does the client. It is also a third of a large client: Stripe's
//! document has 3,600 such strings, which were 200,000 of its client's 590,000 lines.
//!
//! The constraints stay in the document (the surface, the drift report, the examples and the
//! conformance check see them) and are left out of progenitor's input only: the plan lists the
//! schemas, emission strips them. Secret strings are the `secret-string-constraints` rule's.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Places;
use crate::doc::extensions::SECRET;
use crate::doc::schemas::each_schema;
use crate::plan::Plan;

/// The string constraints progenitor's input leaves out.
pub const STRING_CONSTRAINTS: &[&str] = &["pattern", "minLength", "maxLength"];

pub(super) fn apply(doc: &mut Value, plan: &mut Plan, places: &mut Places) {
    let mut found: BTreeSet<(String, String)> = BTreeSet::new();
    each_schema(doc, &mut |schema, ptr| {
        if schema.get(SECRET).is_some() {
            return;
        }
        let constraints: Vec<String> =
            STRING_CONSTRAINTS.iter().filter(|k| schema.get(**k).is_some()).map(|k| format!("`{k}`")).collect();
        if !constraints.is_empty() {
            found.insert((ptr.to_string(), constraints.join(", ")));
        }
    });
    for (ptr, listed) in found {
        // The rules run twice on a repaired document: a place is reported once.
        if plan.unchecked_strings.insert(ptr.clone()) {
            places.record(&ptr, format!("{listed} left to the server: a plain string, read as sent"));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn constrained_strings_are_planned_and_reported_once() {
        let mut doc = json!({"components": {"schemas": {
            "Id": {"type": "string", "pattern": "^acct_", "maxLength": 64},
            "Plain": {"type": "string"},
            "Token": {"type": "string", "x-secret": true, "maxLength": 64},
            "Account": {"type": "object", "properties": {
                "name": {"type": "string", "minLength": 1},
                "pattern": {"type": "integer"}}}}}});
        let (mut places, mut plan) = (Places::default(), Plan::default());
        apply(&mut doc, &mut plan, &mut places);
        apply(&mut doc, &mut plan, &mut places);
        let planned: Vec<&str> = plan.unchecked_strings.iter().map(String::as_str).collect();
        assert_eq!(planned, ["/components/schemas/Account/properties/name", "/components/schemas/Id"]);
        let what: Vec<&str> = places.changes().iter().map(|c| c.what.as_str()).collect();
        assert_eq!(
            what,
            [
                "`minLength` left to the server: a plain string, read as sent",
                "`pattern`, `maxLength` left to the server: a plain string, read as sent"
            ]
        );
        assert_eq!(doc["components"]["schemas"]["Id"]["pattern"], "^acct_", "the document keeps them");
    }
}
