//! Answers as a server that moved on sends them: a valid example ([`crate::examples`]) with
//! what the vendor may add without a new document, so a test can check that a client reads
//! it as the vendors' own SDKs do.
//!
//! [`Drift::Values`] puts a value the spec does not list in every enum an answer may widen,
//! and a field it does not list in every object; unions keep the alternative the value is of.
//! [`Drift::Variants`] does the same and answers every union with an alternative the spec does
//! not list (a kind its tag does not list, or a shape no alternative takes).
//!
//! What a server cannot widen without breaking every reader stays as listed, mirroring the
//! generator's `open_enums` rewrite: an enum of one value (a constant, such as a tag), and an
//! enum an untagged union tells its alternatives apart by (an alternative that is an enum, or
//! a property of an alternative or of the object an alternative names).

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use api_codegen::doc::Spec;

use crate::conformance;

/// The property every drifted object gains.
pub const ADDED_FIELD: &str = "driftAddedField";
/// The value every widened string enum takes.
pub const UNLISTED_VALUE: &str = "drift-unlisted-value";
/// The kind a tagged union's unlisted alternative names.
pub const UNLISTED_KIND: &str = "drift-unlisted-kind";

/// How far an answer drifts (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drift {
    Values,
    Variants,
}

/// A document's enums that stay closed, by address in the document.
pub struct Drifter<'d> {
    doc: &'d Value,
    closed: BTreeSet<*const Value>,
}

impl<'d> Drifter<'d> {
    pub fn new(doc: &'d Value) -> Self {
        let mut drifter = Drifter { doc, closed: BTreeSet::new() };
        let mut seen = BTreeSet::new();
        for path in doc.get("paths").and_then(Value::as_object).into_iter().flatten().map(|(_, item)| item) {
            for operation in path.as_object().into_iter().flatten().map(|(_, op)| op) {
                if let Some(responses) = operation.get("responses") {
                    drifter.find_closed(responses, &mut seen, 0);
                }
            }
        }
        drifter
    }

    /// `value`, valid for `schema`, as a drifted server sends it.
    pub fn drift(&self, schema: &Value, value: &Value, drift: Drift) -> Value {
        self.walk(schema, value, drift, 0)
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        Spec::new(self.doc).resolved(schema)
    }

    fn walk(&self, schema: &Value, value: &Value, drift: Drift, depth: usize) -> Value {
        let schema = self.resolve(schema);
        if depth > 32 || value.is_null() {
            return value.clone();
        }
        // `allOf` of one part (a description beside a `$ref`) is that part.
        if let Some([only]) = schema.get("allOf").and_then(Value::as_array).map(Vec::as_slice)
            && schema.get("properties").is_none()
        {
            return self.walk(only, value, drift, depth + 1);
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return self.widened(schema, values, value);
        }
        if let Some(alternatives) = self.alternatives(schema) {
            return self.union(schema, &alternatives, value, drift, depth);
        }
        match value {
            Value::Array(items) => {
                let item_schema = schema.get("items").unwrap_or(&Value::Null);
                Value::Array(items.iter().map(|item| self.walk(item_schema, item, drift, depth + 1)).collect())
            }
            Value::Object(object) => self.object(schema, object, drift, depth),
            other => other.clone(),
        }
    }

    /// An enum's value widened to one the spec does not list, where the generator opens it.
    fn widened(&self, schema: &Value, values: &[Value], value: &Value) -> Value {
        let listed: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
        if listed.len() < 2 || self.closed.contains(&std::ptr::from_ref(schema)) {
            return value.clone();
        }
        if listed.iter().all(|v| v.is_string()) && value.is_string() {
            return json!(UNLISTED_VALUE);
        }
        if listed.iter().all(|v| v.is_i64() || v.is_u64()) && value.is_number() {
            let highest = listed.iter().filter_map(|v| v.as_i64()).max().unwrap_or(0);
            return json!(highest.saturating_add(1000));
        }
        if listed.iter().all(|v| v.is_number()) && value.is_number() {
            let highest = listed.iter().filter_map(|v| v.as_f64()).fold(0.0, f64::max);
            return json!(highest.floor() + 1000.0);
        }
        value.clone()
    }

    /// The non-null alternatives of a `oneOf`/`anyOf` of two or more (one alternative beside
    /// `null` is only a nullable value, no union).
    fn alternatives<'a>(&'a self, schema: &'a Value) -> Option<Vec<&'a Value>> {
        let all = schema.get("oneOf").or_else(|| schema.get("anyOf"))?.as_array()?;
        let alternatives: Vec<&Value> = all.iter().filter(|alt| !is_null_schema(self.resolve(alt))).collect();
        (alternatives.len() >= 2).then_some(alternatives)
    }

    fn union(&self, schema: &Value, alternatives: &[&Value], value: &Value, drift: Drift, depth: usize) -> Value {
        if drift == Drift::Variants
            && let Some(unlisted) = self.unlisted_alternative(schema, alternatives)
        {
            return unlisted;
        }
        match alternatives.iter().find(|alt| conformance::conforms(self.doc, alt, value)) {
            Some(alt) => self.walk(alt, value, drift, depth + 1),
            None => value.clone(),
        }
    }

    /// A value of none of the alternatives: a kind the tag does not list, for a union every
    /// alternative of which is an object tagged by the same property; else a shape none takes.
    fn unlisted_alternative(&self, schema: &Value, alternatives: &[&Value]) -> Option<Value> {
        if let Some(tag) = self.tag(alternatives) {
            return Some(json!({tag: UNLISTED_KIND, ADDED_FIELD: {"added": true}}));
        }
        let candidates = [
            json!({"driftUnlistedAlternative": {"added": true}}),
            json!("drift-unlisted-alternative"),
            json!(7.25),
            json!([{"driftUnlistedAlternative": true}]),
        ];
        candidates.into_iter().find(|candidate| {
            !conformance::conforms(self.doc, schema, candidate)
                && alternatives.iter().all(|alt| !conformance::conforms(self.doc, alt, candidate))
        })
    }

    /// The property every alternative has with one value of its own, a different one each
    /// (how typify tells a tagged enum).
    fn tag(&self, alternatives: &[&Value]) -> Option<String> {
        let constant = |alt: &Value, name: &str| -> Option<Value> {
            let mut found = Vec::new();
            self.properties(self.resolve(alt), &mut found, 0);
            let (_, schema) = found.into_iter().find(|(n, _)| *n == name)?;
            let schema = self.resolve(schema);
            match schema.get("enum").and_then(Value::as_array) {
                Some(values) if values.len() == 1 => Some(values[0].clone()),
                _ => schema.get("const").cloned(),
            }
        };
        let mut first = Vec::new();
        self.properties(self.resolve(alternatives.first()?), &mut first, 0);
        first.iter().map(|(name, _)| name.to_string()).find(|name| {
            let values: Vec<Option<Value>> = alternatives.iter().map(|alt| constant(alt, name)).collect();
            values.iter().all(Option::is_some) && values.iter().enumerate().all(|(i, v)| !values[..i].contains(v))
        })
    }

    fn object(&self, schema: &Value, object: &Map<String, Value>, drift: Drift, depth: usize) -> Value {
        let mut properties = Vec::new();
        self.properties(schema, &mut properties, 0);
        let additional = schema.get("additionalProperties").filter(|a| a.as_object().is_some_and(|o| !o.is_empty()));
        let mut out = Map::new();
        for (name, item) in object {
            let property = properties.iter().find(|(n, _)| n == name).map(|(_, s)| *s).or(additional);
            let drifted = property.map_or_else(|| item.clone(), |s| self.walk(s, item, drift, depth + 1));
            out.insert(name.clone(), drifted);
        }
        // A map of typed values (or one beside listed properties) takes no other kind of value.
        let typed_map = additional.is_some() || schema.get("patternProperties").is_some();
        if !typed_map && !out.contains_key(ADDED_FIELD) {
            out.insert(ADDED_FIELD.into(), json!({"added": [1, "two"]}));
        }
        Value::Object(out)
    }

    /// The properties of an object schema and of its `allOf` parts (by reference: an enum's
    /// address tells whether it is closed).
    fn properties<'a>(&'a self, schema: &'a Value, out: &mut Vec<(&'a str, &'a Value)>, depth: usize) {
        if depth > 16 {
            return;
        }
        for (name, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            if !out.iter().any(|(n, _)| n == name) {
                out.push((name.as_str(), property));
            }
        }
        for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            self.properties(self.resolve(part), out, depth + 1);
        }
    }

    /// Every enum an untagged union of an answer tells its alternatives apart by: from `node`,
    /// through every `$ref` (once each).
    fn find_closed(&mut self, node: &'d Value, seen: &mut BTreeSet<*const Value>, depth: usize) {
        if depth > 256 || !seen.insert(std::ptr::from_ref(node)) {
            return;
        }
        match node {
            Value::Object(map) => {
                let spec = Spec::new(self.doc);
                if map.contains_key("$ref")
                    && let Ok(target) = spec.resolve(node)
                {
                    self.find_closed(target, seen, depth + 1);
                }
                for key in ["oneOf", "anyOf"] {
                    let Some(all) = map.get(key).and_then(Value::as_array) else { continue };
                    let alternatives: Vec<&'d Value> =
                        all.iter().filter(|a| !is_null_schema(spec.resolved(a))).collect();
                    if alternatives.len() < 2 || self.typify_tagged(&alternatives) {
                        continue;
                    }
                    for alternative in alternatives.into_iter().map(|a| spec.resolved(a)) {
                        self.close(alternative);
                        let mut properties = Vec::new();
                        self.close_properties(alternative, &mut properties, 0);
                    }
                }
                map.values().for_each(|child| self.find_closed(child, seen, depth + 1));
            }
            Value::Array(items) => items.iter().for_each(|child| self.find_closed(child, seen, depth + 1)),
            _ => {}
        }
    }

    /// Whether typify writes a tagged enum for these alternatives: each an inline object (a
    /// `$ref` becomes a newtype alternative of an untagged enum), tagged by one property.
    fn typify_tagged(&self, alternatives: &[&Value]) -> bool {
        let required = |alt: &Value, tag: &str| {
            alt.get("required").and_then(Value::as_array).is_some_and(|r| r.iter().any(|n| n == tag))
        };
        alternatives.iter().all(|alt| alt.get("$ref").is_none())
            && self.tag(alternatives).is_some_and(|tag| alternatives.iter().all(|alt| required(alt, &tag)))
    }

    /// The enum `schema` is (through `$ref` and a nullable wrapper), closed.
    fn close(&mut self, schema: &'d Value) {
        let spec = Spec::new(self.doc);
        let schema = spec.resolved(schema);
        if schema.get("enum").is_some() {
            self.closed.insert(std::ptr::from_ref(schema));
        }
        for key in ["oneOf", "anyOf"] {
            let Some(all) = schema.get(key).and_then(Value::as_array) else { continue };
            let non_null: Vec<&'d Value> =
                all.iter().map(|a| spec.resolved(a)).filter(|a| !is_null_schema(a)).collect();
            if let [only] = non_null.as_slice()
                && only.get("enum").is_some()
            {
                self.closed.insert(std::ptr::from_ref(*only));
            }
        }
    }

    /// The enums among an alternative's properties (its `allOf` parts' too), closed.
    fn close_properties(&mut self, schema: &'d Value, seen: &mut Vec<*const Value>, depth: usize) {
        let spec = Spec::new(self.doc);
        if depth > 16 || seen.contains(&std::ptr::from_ref(schema)) {
            return;
        }
        seen.push(std::ptr::from_ref(schema));
        for property in schema.get("properties").and_then(Value::as_object).into_iter().flatten().map(|(_, p)| p) {
            self.close(property);
        }
        for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            self.close_properties(spec.resolved(part), seen, depth + 1);
        }
    }
}

/// `{type: null}`, `{enum: [null]}` or `{nullable: true}` alone.
fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
        || schema.get("enum").and_then(Value::as_array).is_some_and(|v| v.iter().all(Value::is_null) && !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Enums stay closed only by what an answer carries: `Answer` is one.
    fn doc() -> Value {
        json!({"paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Answer"}}}}}}}},
            "components": {"schemas": {
            "Status": {"type": "string", "enum": ["ready", "error"]},
            "Code": {"type": "integer", "enum": [301, 302]},
            "Kind": {"type": "string", "enum": ["a", "b"]},
            // Inline alternatives tagged by `type`: typify's tagged enum, which keeps nothing closed.
            "Event": {"oneOf": [
                {"type": "object", "required": ["type"], "properties": {
                    "type": {"type": "string", "enum": ["chunk"]}, "data": {"type": "string"}}},
                {"type": "object", "required": ["type"], "properties": {
                    "type": {"type": "string", "enum": ["done"]}, "status": {"$ref": "#/components/schemas/Status"}}}]},
            "Either": {"oneOf": [
                {"type": "object", "required": ["kind"], "properties": {"kind": {"$ref": "#/components/schemas/Kind"}}},
                {"type": "string"}]},
            "Answer": {"type": "object", "properties": {
                "status": {"$ref": "#/components/schemas/Status"},
                "code": {"$ref": "#/components/schemas/Code"},
                "constant": {"type": "string", "enum": ["only"]},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "events": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}},
                "either": {"$ref": "#/components/schemas/Either"},
                "kind": {"allOf": [{"$ref": "#/components/schemas/Kind"}]}}}}}})
    }

    #[test]
    fn values_widen_every_open_enum_and_object() {
        let doc = doc();
        let value = json!({"status": "ready", "code": 301, "constant": "only", "labels": {"a": "b"},
            "events": [{"type": "done", "status": "error"}], "either": {"kind": "a"}});
        let drifted = Drifter::new(&doc).drift(&json!({"$ref": "#/components/schemas/Answer"}), &value, Drift::Values);
        assert_eq!(
            drifted,
            json!({"status": UNLISTED_VALUE, "code": 1302, "constant": "only", "labels": {"a": "b"},
                "events": [{"type": "done", "status": UNLISTED_VALUE, ADDED_FIELD: {"added": [1, "two"]}}],
                // `Kind` tells `Either`'s alternatives apart: closed.
                "either": {"kind": "a", ADDED_FIELD: {"added": [1, "two"]}},
                ADDED_FIELD: {"added": [1, "two"]}})
        );
    }

    #[test]
    fn variants_answer_every_union_with_an_unlisted_alternative() {
        let doc = doc();
        let value = json!({"events": [{"type": "chunk", "data": "x"}], "either": "text"});
        let drifted =
            Drifter::new(&doc).drift(&json!({"$ref": "#/components/schemas/Answer"}), &value, Drift::Variants);
        assert_eq!(drifted["events"], json!([{"type": UNLISTED_KIND, ADDED_FIELD: {"added": true}}]));
        assert_eq!(drifted["either"], json!({"driftUnlistedAlternative": {"added": true}}), "no `kind`, no string");
        let either = json!({"$ref": "#/components/schemas/Either"});
        assert!(!conformance::conforms(&doc, &either, &drifted["either"]));
    }
}
