//! `unique-enum-variant-names`: string enum values that differ on the wire but become one
//! Rust variant name (`domain.created` and `domain-created` are both `DomainCreated`; typify
//! then retries with punctuation spelled `X` in every variant, and panics if they still
//! collide, as these do) get names of their own, spelling out the punctuation that tells them
//! apart (`DomainDotCreated`, `DomainDashCreated`); the other values keep typify's names. The names go into `x-enum-varnames`
//! (the extension other generators read for the same purpose, so a spec or overlay may also
//! set them); generation gives typify those names and restores the exact wire values in the
//! generated code (`rewrite_wire_values`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::Places;
use crate::doc::extensions::ENUM_VARNAMES as VARNAMES;
use crate::doc::schemas;
use crate::error::join;
use crate::names as naming;

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    let _ = schemas::visit_all(doc, |schema, ptr| {
        if schema.contains_key(VARNAMES) {
            return Ok::<(), ()>(());
        }
        let Some(Value::Array(values)) = schema.get("enum") else { return Ok(()) };
        // Strings, and `null` (typify makes the enum optional instead of giving it a variant).
        let Some(values) = values.iter().map(as_member).collect::<Option<Vec<Option<&str>>>>() else { return Ok(()) };
        let strings: Vec<&str> = values.iter().flatten().copied().collect();
        // typify's second try (every `_` and punctuation spelled `X` in every variant:
        // `DomainXcreated`) would compile, but reads worse than spelled-out punctuation.
        if first_choices_are_unique(&strings) {
            return Ok(());
        }
        let names = unique_names(&values);
        let enum_ptr = join(ptr, "enum");
        for (index, (value, name)) in values.iter().zip(&names).enumerate() {
            let Some(value) = value else { continue };
            let first_choice = naming::variant_name(value);
            if *name != first_choice {
                let twins: Vec<String> = strings
                    .iter()
                    .filter(|other| *other != value && naming::variant_name(other) == first_choice)
                    .map(|other| format!("`{other}`"))
                    .collect();
                places.record(
                    join(&enum_ptr, &index.to_string()),
                    format!(
                        "variant `{name}` for `{value}` (typify names it `{first_choice}`, like {})",
                        twins.join(", ")
                    ),
                );
            }
        }
        schema.insert(VARNAMES.into(), Value::Array(names.into_iter().map(Value::String).collect()));
        Ok(())
    });
}

fn as_member(value: &Value) -> Option<Option<&str>> {
    match value {
        Value::String(s) => Some(Some(s)),
        Value::Null => Some(None),
        _ => None,
    }
}

/// Whether typify's first choice (case conversion) names every value apart.
fn first_choices_are_unique(values: &[&str]) -> bool {
    values.iter().map(|v| naming::variant_name(v)).collect::<BTreeSet<_>>().len() == values.len()
}

/// typify's own name where it is unique; the punctuation spelled out where values collide;
/// a number appended where even that collides (values differing only in case).
fn unique_names(values: &[Option<&str>]) -> Vec<String> {
    let mut first_choices: BTreeMap<String, usize> = BTreeMap::new();
    for value in values.iter().flatten() {
        *first_choices.entry(naming::variant_name(value)).or_default() += 1;
    }
    let wanted: Vec<String> = values
        .iter()
        .map(|value| match value {
            None => "Null".to_string(),
            Some(v) if first_choices[&naming::variant_name(v)] == 1 => naming::variant_name(v),
            Some(v) => spelled(v),
        })
        .collect();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    wanted
        .into_iter()
        .map(|name| {
            let mut candidate = name.clone();
            let mut n = 2;
            while !taken.insert(candidate.clone()) {
                // Through typify's sanitising, so the name is the variant's exactly.
                candidate = naming::variant_name(&format!("{name}{n}"));
                n += 1;
            }
            candidate
        })
        .collect()
}

/// `domain.created` → `DomainDotCreated`: every character that is not a letter or digit
/// becomes a word.
fn spelled(value: &str) -> String {
    let mut words = String::new();
    for c in value.chars() {
        if c.is_alphanumeric() {
            words.push(c);
        } else {
            words.push('-');
            words.push_str(&char_word(c));
            words.push('-');
        }
    }
    naming::variant_name(&words)
}

fn char_word(c: char) -> String {
    let word = match c {
        '.' => "Dot",
        '-' => "Dash",
        '_' => "Underscore",
        '/' => "Slash",
        '\\' => "Backslash",
        ':' => "Colon",
        ';' => "Semicolon",
        ',' => "Comma",
        ' ' => "Space",
        '+' => "Plus",
        '*' => "Star",
        '@' => "At",
        '#' => "Hash",
        '$' => "Dollar",
        '%' => "Percent",
        '&' => "And",
        '=' => "Equals",
        '!' => "Bang",
        '?' => "Question",
        '~' => "Tilde",
        '|' => "Pipe",
        '<' => "Lt",
        '>' => "Gt",
        '(' | ')' | '[' | ']' | '{' | '}' => "Paren",
        '\'' => "Quote",
        '"' => "DoubleQuote",
        _ => return format!("U{:04X}", c as u32),
    };
    word.to_string()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(doc: &mut Value) -> Vec<String> {
        let mut places = Places::default();
        apply(doc, &mut places);
        places.changes().iter().map(|c| format!("{}: {}", c.pointer, c.what)).collect()
    }

    #[test]
    fn colliding_values_get_spelled_names_and_the_rest_keep_typifys() {
        let mut doc = json!({"components": {"schemas": {"Event": {"type": "string", "enum":
            ["domain.created", "domain-created", "project.removed", "project-removed", "deployment"]}}}});
        let changes = run(&mut doc);
        assert_eq!(
            doc.pointer("/components/schemas/Event/x-enum-varnames"),
            Some(&json!([
                "DomainDotCreated",
                "DomainDashCreated",
                "ProjectDotRemoved",
                "ProjectDashRemoved",
                "Deployment"
            ]))
        );
        // The wire values are untouched.
        assert_eq!(doc.pointer("/components/schemas/Event/enum/0"), Some(&json!("domain.created")));
        assert_eq!(changes.len(), 4, "{changes:#?}");
        assert_eq!(
            changes[1],
            "/components/schemas/Event/enum/1: variant `DomainDashCreated` for `domain-created` (typify names it `DomainCreated`, like `domain.created`)"
        );
    }

    #[test]
    fn case_only_differences_are_numbered_and_null_is_kept_in_line() {
        let mut doc = json!({"paths": {"/a": {"get": {"parameters": [{"name": "k", "in": "query",
            "schema": {"type": "string", "nullable": true, "enum": ["self", "Self", null]}}]}}}});
        let changes = run(&mut doc);
        assert_eq!(
            doc.pointer("/paths/~1a/get/parameters/0/schema/x-enum-varnames"),
            Some(&json!(["Self_", "Self2", "Null"]))
        );
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert!(changes[0].starts_with("/paths/~1a/get/parameters/0/schema/enum/1: variant `Self2`"), "{changes:#?}");
    }

    #[test]
    fn enums_typify_can_name_and_given_names_are_left_alone() {
        let mut doc = json!({"components": {"schemas": {
            "Distinct": {"type": "string", "enum": ["a-b", "c_d"]},
            "Given": {"type": "string", "enum": ["a.b", "a-b"], "x-enum-varnames": ["Ab1", "Ab2"]},
            "Numbers": {"type": "integer", "enum": [1, 2]}}}});
        let before = doc.clone();
        assert_eq!(run(&mut doc), Vec::<String>::new());
        assert_eq!(doc, before);
    }

    #[test]
    fn typifys_second_try_is_not_relied_on() {
        // typify would name these `AXb`, `AB` and `CXd` (every variant spelled anew).
        let mut doc = json!({"components": {"schemas": {"Second": {"type": "string", "enum": ["a-b", "aB", "c_d"]}}}});
        assert_eq!(run(&mut doc).len(), 1, "only `a-b` gets another name than typify's first choice");
        assert_eq!(doc.pointer("/components/schemas/Second/x-enum-varnames"), Some(&json!(["ADashB", "AB", "CD"])));
    }
}
