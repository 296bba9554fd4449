//! `union-variant-names`: typify names the alternatives of an untagged `oneOf`/`anyOf` after
//! what names them (a `$ref`, a `title`, a plain type) only when every alternative has a name
//! of its own; otherwise all of them become `Variant0`, `Variant1`, … and the types beneath
//! them `…Variant0Sudo`. Each inline alternative without a title gets one from what the
//! document says of it, after the union's own name: the value of a constant property
//! (`type: {enum: [team]}` → `…Team`), the properties only it requires (`…Username`), its
//! type (`…String`, `…DriveList`). typify takes the words all alternatives begin with off the
//! variant names (`Team(AuthTokenScopeTeam)`). `Variant<n>` stays only where nothing tells
//! two alternatives apart. Tagged unions and options are left as they are: their variants are
//! named by the tag already.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToPascalCase;
use serde_json::Value;

use super::Places;
use crate::doc::Spec;
use crate::error::join;
use crate::names::places::{self as typify, MAX_TYPE_NAME, Place, Taken, Union};
use crate::names::{self as naming};

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    let mut done: BTreeSet<String> = BTreeSet::new();
    loop {
        let inline = typify::inline_names(doc);
        let pending = numbered_unions(doc, &inline, &done);
        if pending.is_empty() {
            return;
        }
        let mut taken = Taken::new(doc, &inline);
        let mut titles = Vec::new();
        for (members_ptr, segments) in pending {
            done.insert(members_ptr.clone());
            let Some(Value::Array(members)) = doc.pointer(&members_ptr) else { continue };
            titles.extend(name_members(doc, members, &members_ptr, &segments, &mut taken));
        }
        for (ptr, title, why) in titles {
            if let Some(Value::Object(member)) = doc.pointer_mut(&ptr) {
                member.insert("title".into(), Value::String(title.clone()));
                places.record(join(&ptr, "title"), format!("named `{title}` {why}"));
            }
        }
    }
}

/// The `oneOf`/`anyOf` arrays whose alternatives typify would number and that have an inline
/// alternative without a title, outermost first (one inside another waits for the next pass,
/// when the outer one's alternatives have their names), with the union's name segments.
fn numbered_unions(doc: &Value, inline: &[Place], done: &BTreeSet<String>) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for place in inline {
        let Some(schema) = doc.pointer(&place.ptr) else { continue };
        for combinator in ["oneOf", "anyOf"] {
            let Some(members) = schema.get(combinator).and_then(Value::as_array) else { continue };
            let members_ptr = join(&place.ptr, combinator);
            if done.contains(&members_ptr)
                || merged(schema)
                || typify::union(members) != Union::Numbered
                || !members.iter().any(untitled)
            {
                continue;
            }
            if out.iter().any(|(outer, _)| members_ptr.starts_with(&format!("{outer}/"))) {
                continue;
            }
            out.push((members_ptr, place.segments.clone()));
        }
    }
    out
}

/// The segments naming the place at `ptr` as they will be once this rule has named the
/// alternatives above it: each `Variant<n>` of a union it names becomes the word it gives (for
/// the rules before it, which name places before it runs).
pub(super) fn named_segments(doc: &Value, ptr: &str, segments: &[String]) -> Vec<String> {
    let tokens: Vec<&str> = ptr.split('/').collect();
    let mut words: Vec<(String, Option<String>)> = Vec::new();
    for (k, token) in tokens.iter().enumerate() {
        let Some(Ok(i)) = tokens.get(k + 1).map(|t| t.parse::<usize>()) else { continue };
        if !matches!(*token, "oneOf" | "anyOf") {
            continue;
        }
        let Some(Value::Array(members)) = doc.pointer(&tokens[..=k].join("/")) else { continue };
        if typify::union(members) != Union::Numbered {
            continue;
        }
        let parent = doc.pointer(&tokens[..k].join("/"));
        let word = match parent {
            Some(parent) if !merged(parent) => member_words(doc, members).swap_remove(i).map(|(word, _)| word),
            _ => None,
        };
        words.push((format!("Variant{i}"), word));
    }
    let mut out: Vec<String> = segments.to_vec();
    let mut pending = words.into_iter().rev().peekable();
    for segment in out.iter_mut().rev() {
        let Some((variant, word)) = pending.peek() else { break };
        if segment == variant {
            if let Some(word) = word {
                *segment = word.clone();
            }
            pending.next();
        }
    }
    out
}

/// A union beside constraints of its own (properties, items, a format, another combinator,
/// …; a `type` alone is ignored): typify merges those into each alternative, and a merged
/// schema keeps no title, so one would name nothing. A string's `pattern` and length bounds
/// are not among them: progenitor's input leaves them out (`string-constraints`).
fn merged(schema: &Value) -> bool {
    const OWN: [&str; 20] = [
        "properties",
        "required",
        "additionalProperties",
        "minProperties",
        "maxProperties",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "enum",
        "format",
        "allOf",
        "not",
        "oneOf",
        "anyOf",
    ];
    OWN.iter().filter(|k| schema.get(**k).is_some()).count() > 1
}

/// An inline alternative typify would name only by its position.
fn untitled(member: &Value) -> bool {
    member.is_object() && member.get("$ref").is_none() && member.get("title").is_none()
}

/// Titles for the untitled inline alternatives of one union: (pointer, title, why).
fn name_members(
    doc: &Value,
    members: &[Value],
    members_ptr: &str,
    segments: &[String],
    taken: &mut Taken,
) -> Vec<(String, String, String)> {
    let mut words = member_words(doc, members);
    // typify takes the words every name begins with off; a name that is only those words
    // would leave a variant without a name (and typify would number them all again).
    for _ in 0..members.len() {
        let names: Vec<Option<String>> = members
            .iter()
            .zip(&words)
            .map(|(member, word)| match word {
                Some((word, _)) if untitled(member) => Some(typify::joined(&with(segments, word))),
                _ => typify::member_name(member),
            })
            .collect();
        let Some(names) = names.into_iter().collect::<Option<Vec<String>>>() else { break };
        let Some(empty) = stripped_empty(&names) else { break };
        words[empty] = Some((format!("Variant{empty}"), "(nothing tells it from the others)".into()));
    }
    // A word from a property may be the name of that property's own type (the union beside
    // the object holding it): then every such word of the union says `With`.
    let from_property = |word: &Option<(String, String)>| word.as_ref().is_some_and(|(_, why)| why.contains("propert"));
    let clash = members.iter().zip(&words).any(|(member, word)| {
        untitled(member)
            && from_property(word)
            && word.as_ref().is_some_and(|(w, _)| !taken.free(&typify::joined(&with(segments, w)), members_ptr))
    });
    if clash {
        for word in words.iter_mut().filter(|w| from_property(w)).flatten() {
            word.0 = format!("With{}", word.0);
        }
    }
    // Nothing names any alternative: titles would only trade typify's numbers for others.
    let untitled_words = members.iter().zip(&words).filter(|(member, _)| untitled(member));
    if untitled_words.clone().all(|(_, word)| word.as_ref().is_none_or(|(w, _)| numbered(w))) {
        return Vec::new();
    }
    // Every title begins with the union's name (shortened alike for all when it is long), so
    // typify takes it off every variant; a word too long for the rest is cut after a word.
    let words: Vec<(String, String)> = words
        .into_iter()
        .enumerate()
        .map(|(i, word)| word.unwrap_or_else(|| (format!("Variant{i}"), "(nothing tells it from the others)".into())))
        .collect();
    let longest = words.iter().map(|(w, _)| w.chars().count()).max().unwrap_or_default();
    let full = typify::joined(segments);
    let prefix = if full.chars().count() + longest.min(24) > MAX_TYPE_NAME {
        typify::shortened(segments, MAX_TYPE_NAME - longest.min(24), &|_| true)
    } else {
        full
    };
    let room = MAX_TYPE_NAME.saturating_sub(prefix.chars().count());
    let mut out = Vec::new();
    for (i, (member, (word, why))) in members.iter().zip(words).enumerate() {
        if !untitled(member) {
            continue;
        }
        let mut kept = String::new();
        for part in typify::words(&word) {
            if !kept.is_empty() && kept.chars().count() + part.chars().count() > room {
                break;
            }
            kept.push_str(&part);
        }
        let title = typify::shortened(&[prefix.clone(), kept], usize::MAX, &|name| taken.free(name, members_ptr));
        taken.take(&title);
        out.push((join(members_ptr, &i.to_string()), title, why));
    }
    out
}

fn with(segments: &[String], word: &str) -> Vec<String> {
    let mut all = segments.to_vec();
    all.push(word.to_string());
    all
}

/// The index of a name that typify's prefix stripping would leave empty, if any.
fn stripped_empty(names: &[String]) -> Option<usize> {
    let words: Vec<Vec<String>> = names.iter().map(|n| typify::words(n)).collect();
    let first = words.first()?;
    let common = words
        .iter()
        .skip(1)
        .fold(first.len(), |len, w| w.iter().zip(first).take(len).take_while(|(a, b)| a == b).count());
    words.iter().position(|w| w.len() == common)
}

/// A word for each alternative (and why), from what tells it from the others; `None` where
/// nothing does or two would get the same.
fn member_words(doc: &Value, members: &[Value]) -> Vec<Option<(String, String)>> {
    let spec = Spec::new(doc);
    let mut words: Vec<Option<(String, String)>> = vec![None; members.len()];

    // 1. A constant property: the one most alternatives hold a different constant in.
    let constants: Vec<BTreeMap<String, String>> = members
        .iter()
        .map(|member| {
            let properties = member.get("properties").and_then(Value::as_object);
            properties
                .into_iter()
                .flatten()
                .filter_map(|(name, schema)| {
                    typify::constant(spec.resolved(schema)).map(|value| (name.clone(), value.to_string()))
                })
                .collect()
        })
        .collect();
    let names: BTreeSet<&String> = constants.iter().flat_map(BTreeMap::keys).collect();
    // The property with the most different values (then the one most hold, then by name).
    let tag = names.into_iter().max_by_key(|tag| {
        let values: BTreeSet<&String> = constants.iter().filter_map(|c| c.get(*tag)).collect();
        let held = constants.iter().filter(|c| c.contains_key(*tag)).count();
        (values.len(), held, std::cmp::Reverse((*tag).clone()))
    });
    let all: Vec<&Value> = members.iter().collect();
    let shapes = shape_words(&all);
    for (i, member) in members.iter().enumerate() {
        let value = tag.and_then(|tag| constants[i].get(tag).map(|v| (tag, v)));
        words[i] = match value {
            Some((tag, value)) if !word_of(value).is_empty() => {
                // A value several alternatives hold: the shape tells those apart.
                let alike: Vec<usize> = (0..members.len()).filter(|j| constants[*j].get(tag) == Some(value)).collect();
                let why = format!("after its `{tag}` `{value}`");
                if alike.len() == 1 {
                    Some((word_of(value), why))
                } else {
                    let group: Vec<&Value> = alike.iter().map(|j| &members[*j]).collect();
                    let at = alike.iter().position(|j| *j == i).unwrap_or_default();
                    shape_words(&group).swap_remove(at).map(|(word, shape)| {
                        (format!("{}{word}", word_of(value)), format!("{why} and {}", &shape[6..]))
                    })
                }
            }
            _ => shapes[i].clone().or_else(|| type_word(member).map(|w| (w, "after its type".into()))),
        };
    }

    // Two alternatives the same word tells nothing apart.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for word in words.iter().flatten() {
        *seen.entry(naming::type_name(&word.0)).or_default() += 1;
    }
    for word in &mut words {
        if word.as_ref().is_some_and(|w| seen[&naming::type_name(&w.0)] > 1) {
            *word = None;
        }
    }
    words
}

/// For each alternative that is an object, a word from the properties only it requires (or
/// only it has, or all it requires); for the others, from its type.
fn shape_words(members: &[&Value]) -> Vec<Option<(String, String)>> {
    let required: Vec<Option<Vec<String>>> = members.iter().map(|m| required_of(m)).collect();
    let common: BTreeSet<&String> = required
        .iter()
        .flatten()
        .map(|r| r.iter().collect::<BTreeSet<_>>())
        .reduce(|a, b| a.intersection(&b).copied().collect())
        .unwrap_or_default();
    let properties: Vec<Vec<String>> = members
        .iter()
        .map(|m| {
            m.get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default()
        })
        .collect();
    let mut words = Vec::new();
    for (i, member) in members.iter().enumerate() {
        let Some(required) = &required[i] else {
            words.push(type_word(member).map(|w| (w, "after its type".into())));
            continue;
        };
        let own: Vec<&String> = required.iter().filter(|p| !common.contains(p)).collect();
        let only: Vec<&String> = properties[i]
            .iter()
            .filter(|p| properties.iter().enumerate().all(|(j, other)| j == i || !other.contains(p)))
            .collect();
        words.push(if !own.is_empty() {
            Some((properties_word(&own), "after the properties only it requires".into()))
        } else if !only.is_empty() {
            Some((properties_word(&only), "after the properties only it has".into()))
        } else if !required.is_empty() {
            Some((properties_word(&required.iter().collect::<Vec<_>>()), "after the properties it requires".into()))
        } else if properties[i].is_empty() {
            Some(("Object".into(), "after its type".into()))
        } else {
            None
        });
    }
    words
}

/// The required properties of an object alternative (`None` for one that is not an object).
fn required_of(member: &Value) -> Option<Vec<String>> {
    let map = member.as_object()?;
    let object = map.get("type").and_then(Value::as_str) == Some("object")
        || (!map.contains_key("type") && (map.contains_key("properties") || map.contains_key("required")));
    object.then(|| {
        map.get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect()
    })
}

/// One or two property names as a word (`OrgAndRepo`).
fn properties_word(names: &[&String]) -> String {
    names.iter().take(2).map(|n| word_of(n)).collect::<Vec<_>>().join("And")
}

/// A word for a non-object alternative: its single value, its format or type, a list of its
/// items' name.
fn type_word(member: &Value) -> Option<String> {
    let map = member.as_object()?;
    match map.get("enum").and_then(Value::as_array).map(Vec::as_slice) {
        Some([Value::String(value)]) => return Some(word_of(value)),
        Some([_, _, ..]) => return Some("Enum".into()),
        _ => {}
    }
    match map.get("type").and_then(Value::as_str)? {
        "array" => {
            let items = map.get("items");
            let item = items.and_then(typify::member_name).unwrap_or_default();
            Some(format!("{item}List"))
        }
        ty => Some(word_of(map.get("format").and_then(Value::as_str).unwrap_or(ty))),
    }
}

/// `Variant<n>`: the word of an alternative nothing names.
fn numbered(word: &str) -> bool {
    word.strip_prefix("Variant").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn word_of(text: &str) -> String {
    text.replace(|c: char| !c.is_alphanumeric(), " ").to_pascal_case()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn run(schema: Value) -> (Value, Places) {
        let mut doc = json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": {
            "Thing": schema, "Team": {"type": "string"}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        (doc["components"]["schemas"]["Thing"].clone(), places)
    }

    fn titles(schema: &Value, combinator: &str) -> Vec<Option<String>> {
        schema[combinator]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.get("title").and_then(Value::as_str).map(String::from))
            .collect()
    }

    #[test]
    fn alternatives_are_named_after_a_constant_the_properties_they_require_or_their_type() {
        let (schema, places) = run(json!({"oneOf": [
            {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["user"]}, "sudo": {"type": "object", "properties": {"a": {"type": "string"}}}}},
            // Not a tag typify sees: the property is not required.
            {"type": "object", "properties": {"kind": {"type": "string", "enum": ["team"]}, "id": {"type": "string"}}},
            {"type": "object", "required": ["username"], "properties": {"username": {"type": "string"}}},
            {"type": "string", "nullable": true},
            {"type": "array", "items": {"$ref": "#/components/schemas/Team"}}
        ]}));
        assert_eq!(
            titles(&schema, "oneOf"),
            ["ThingUser", "ThingTeam", "ThingUsername", "ThingString", "ThingTeamList"].map(|t| Some(t.to_string()))
        );
        assert_eq!(
            typify::union(schema["oneOf"].as_array().unwrap()),
            Union::Named(["User", "Team", "Username", "String", "TeamList"].map(String::from).to_vec())
        );
        assert_eq!(places.changes().len(), 5);
        assert_eq!(places.changes()[0].pointer, "/components/schemas/Thing/oneOf/0/title");
        assert_eq!(places.changes()[0].what, "named `ThingUser` after its `kind` `user`");
    }

    #[test]
    fn alternatives_holding_one_value_are_told_apart_by_their_properties() {
        let source = |kind: &str, required: &[&str]| {
            let mut properties = serde_json::Map::new();
            properties.insert("type".into(), json!({"type": "string", "enum": [kind]}));
            for p in required {
                properties.insert((*p).into(), json!({"type": "string"}));
            }
            let mut all = vec!["type"];
            all.extend(required);
            json!({"type": "object", "required": all, "properties": properties})
        };
        let (schema, _) = run(json!({"anyOf": [
            source("github", &["repoId"]),
            source("github", &["org", "repo"]),
            source("gitlab", &["projectId"])]}));
        assert_eq!(
            titles(&schema, "anyOf"),
            ["ThingGithubRepoId", "ThingGithubOrgAndRepo", "ThingGitlab"].map(|t| Some(t.to_string()))
        );
    }

    #[test]
    fn places_beneath_a_numbered_union_are_named_as_they_will_be() {
        let doc = json!({"components": {"schemas": {"Thing": {"oneOf": [
            {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}, "owner": {"type": "object", "properties": {"id": {"type": "string"}}}}},
            {"type": "object", "required": ["b"], "properties": {"b": {"type": "string"}, "owner": {"type": "object", "properties": {"id": {"type": "string"}}}}}]}}}});
        let ptr = "/components/schemas/Thing/oneOf/1/properties/owner";
        let place = typify::inline_names(&doc).into_iter().find(|p| p.ptr == ptr).unwrap();
        assert_eq!(place.name, "ThingVariant1Owner");
        assert_eq!(typify::joined(&named_segments(&doc, ptr, &place.segments)), "ThingBOwner");
    }

    #[test]
    fn a_long_union_gives_every_alternative_one_shortened_prefix() {
        let alternative = |p: &str| json!({"type": "object", "required": [p], "properties": {p: {"type": "string"}, "n": {"type": "string"}}});
        let mut doc = json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": {
            "AVeryLongComponentNameForEvents": {"type": "object", "properties": {"payloadOfTheEventWithManyWords": {"oneOf": [
                alternative("projectName"), alternative("somethingRatherLongerThanTheOthersAreHere")]}}}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        let union = &doc["components"]["schemas"]["AVeryLongComponentNameForEvents"]["properties"]["payloadOfTheEventWithManyWords"];
        let titles = titles(union, "oneOf").into_iter().flatten().collect::<Vec<_>>();
        assert!(titles.iter().all(|t| t.len() <= MAX_TYPE_NAME), "{titles:?}");
        let Union::Named(names) = typify::union(union["oneOf"].as_array().unwrap()) else { panic!("{titles:?}") };
        assert_eq!(names[0], "ProjectName");
        assert!(names[1].starts_with("SomethingRather"), "{names:?}");
    }

    #[test]
    fn a_union_nothing_names_is_left_to_typify_and_an_enum_is_named_so() {
        let nothing = json!({"anyOf": [{"type": "string", "pattern": "^a"}, {"type": "string", "pattern": "^b"}]});
        let (after, places) = run(nothing.clone());
        assert_eq!(after, nothing);
        assert!(places.changes().is_empty());
        let (after, _) = run(json!({"anyOf": [{"type": "string"}, {"type": "string", "enum": ["auto", "1024x1024"]}]}));
        assert_eq!(titles(&after, "anyOf"), [Some("ThingString".into()), Some("ThingEnum".into())]);
    }

    #[test]
    fn tagged_named_and_optional_unions_are_left_alone() {
        let tagged = json!({"oneOf": [
            {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["a"]}, "x": {"type": "string"}}},
            {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["b"]}}}]});
        let named = json!({"anyOf": [{"type": "string"}, {"type": "object", "properties": {"x": {"type": "string"}}}]});
        let optional =
            json!({"oneOf": [{"type": "object", "properties": {"x": {"type": "string"}}}, {"type": "null"}]});
        for schema in [tagged, named, optional] {
            let (after, places) = run(schema.clone());
            assert_eq!(after, schema);
            assert!(places.changes().is_empty());
        }
    }

    #[test]
    fn nothing_to_tell_apart_keeps_the_position_and_nested_unions_follow_their_parent() {
        let (schema, _) = run(json!({"anyOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}},
            {"type": "object", "properties": {"a": {"type": "string"}, "inner": {"oneOf": [
                {"type": "object", "required": ["p"], "properties": {"p": {"type": "string"}, "n": {"type": "string"}}},
                {"type": "object", "required": ["q"], "properties": {"q": {"type": "string"}, "n": {"type": "string"}}}]}}},
            {"type": "object", "properties": {"a": {"type": "integer"}}}
        ]}));
        assert_eq!(
            titles(&schema, "anyOf"),
            [Some("ThingVariant0".into()), Some("ThingInner".into()), Some("ThingVariant2".into())]
        );
        assert_eq!(
            titles(&schema["anyOf"][1]["properties"]["inner"], "oneOf"),
            [Some("ThingInnerInnerP".into()), Some("ThingInnerInnerQ".into())]
        );
    }

    #[test]
    fn a_name_another_type_has_is_not_taken_and_the_rule_is_idempotent() {
        let mut doc = json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": {
            "Thing": {"oneOf": [{"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}, "n": {"type": "string"}}},
                                {"type": "object", "required": ["b"], "properties": {"b": {"type": "string"}, "n": {"type": "string"}}},
                                {"type": "string", "nullable": true}]},
            "ThingA": {"type": "object", "properties": {"x": {"type": "string"}}},
            "ThingString": {"type": "object", "properties": {"x": {"type": "string"}}}}}});
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        assert_eq!(
            titles(&doc["components"]["schemas"]["Thing"], "oneOf"),
            [Some("ThingWithA".into()), Some("ThingWithB".into()), Some("ThingString2".into())]
        );
        let again = doc.clone();
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        assert!(places.changes().is_empty());
        assert_eq!(doc, again);
    }
}
