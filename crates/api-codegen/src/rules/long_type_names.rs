//! `long-type-names`: typify names an inline schema after every step leading to it (the
//! operation, `Body` or `Response`, each property, `Item`, `Value`), so deep schemas of long
//! operations get names past a hundred characters
//! (`PostV1InstallationsIntegrationConfigurationIdResourcesResourceIdExperimentationItemsBodyItemsItemDescription`).
//! A schema whose name would pass [`MAX_TYPE_NAME`] characters gets a title keeping the first
//! words and as many of the last steps as fit (`PostV1InstallationsItemsBodyItemsItemDescription`),
//! unique among the document's type names; what is beneath it is named after that title.
//! Components keep their keys, and the alternatives of a union the names of their variants
//! (their union is shortened instead).

use std::collections::BTreeMap;

use serde_json::Value;

use super::Places;
use crate::error::join;
use crate::names::places::{self as typify, MAX_TYPE_NAME, Place, Taken};

pub(super) fn apply(doc: &mut Value, places: &mut Places) {
    // Each pass titles the outermost schemas still too long, and every title is shorter than
    // the name it replaces: the passes end.
    loop {
        let inline = typify::inline_names(doc);
        let pending = too_long(&inline);
        if pending.is_empty() {
            return;
        }
        let mut taken = Taken::new(doc, &inline);
        let mut titles = Vec::new();
        for (place, max, why) in pending {
            let title = typify::shortened(&place.segments, max, &|name| taken.free(name, &place.ptr));
            if title.chars().count() >= place.name.chars().count() {
                continue;
            }
            taken.take(&title);
            titles.push((place.ptr.clone(), place.name.clone(), title, why));
        }
        if titles.is_empty() {
            return;
        }
        for (ptr, long, title, why) in titles {
            if let Some(Value::Object(schema)) = doc.pointer_mut(&ptr) {
                schema.insert("title".into(), Value::String(title.clone()));
                places.record(join(&ptr, "title"), format!("named `{title}` instead of `{long}` {why}"));
            }
        }
    }
}

/// The outermost schemas to title, each with the length its name must fit in and why: one
/// whose name is too long, or, where a title would not name it (a union's alternative, a
/// nullable union, a map), the nearest schema above it that a title names, shortened so the
/// name beneath fits.
fn too_long(inline: &[Place]) -> Vec<(&Place, usize, String)> {
    let by_ptr: BTreeMap<&str, &Place> = inline.iter().map(|p| (p.ptr.as_str(), p)).collect();
    let mut out: Vec<(&Place, usize, String)> = Vec::new();
    for place in inline.iter().filter(|p| p.named) {
        let length = place.name.chars().count();
        if length <= MAX_TYPE_NAME {
            continue;
        }
        let (target, max, why) = if titleable(place) {
            (place, MAX_TYPE_NAME, format!("({length} characters)"))
        } else {
            // Only a schema whose name it begins with (no title between them) names it.
            let above = ancestors(&place.ptr)
                .filter_map(|ptr| by_ptr.get(ptr).copied())
                .take_while(|a| place.segments.starts_with(&a.segments))
                .find(|a| a.named && titleable(a));
            let Some(above) = above else { continue };
            let max = MAX_TYPE_NAME.saturating_sub(length - above.name.chars().count().min(length));
            if max < 32 {
                continue;
            }
            (above, max, format!("(`{}` beneath it would have {length} characters)", place.name))
        };
        if out.iter().any(|(outer, _, _)| target.ptr.starts_with(&format!("{}/", outer.ptr))) {
            continue;
        }
        match out.iter_mut().find(|(p, _, _)| p.ptr == target.ptr) {
            Some(entry) if entry.1 > max => *entry = (target, max, why),
            Some(_) => {}
            None => out.push((target, max, why)),
        }
    }
    out
}

/// Whether a title would name the schema at `place`.
fn titleable(place: &Place) -> bool {
    place.titles && !alternative(&place.ptr)
}

/// The pointers above `ptr`, nearest first.
fn ancestors(ptr: &str) -> impl Iterator<Item = &str> {
    ptr.match_indices('/').rev().filter(|(at, _)| *at > 0).map(|(at, _)| &ptr[..at])
}

/// A member of `allOf` (merged into its parent, titles and all), `oneOf` or `anyOf`.
fn alternative(ptr: &str) -> bool {
    let mut tokens = ptr.rsplit('/');
    let index = tokens.next().is_some_and(|t| t.parse::<usize>().is_ok());
    index && tokens.next().is_some_and(|t| matches!(t, "allOf" | "oneOf" | "anyOf"))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn long_names_keep_their_first_words_and_last_steps_and_stay_unique() {
        let description = json!({"type": "string", "enum": ["a", "b"]});
        let item = json!({"type": "object", "properties": {"description": description, "origin": {"type": "string", "enum": ["x"]}}});
        let mut doc = json!({"openapi": "3.0.3", "paths": {
            "/v1/installations/{integrationConfigurationId}/resources/{resourceId}/experimentation/items": {"post": {
                "operationId": "postV1InstallationsIntegrationConfigurationIdResourcesResourceIdExperimentationItems",
                "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                    "items": {"type": "array", "items": item}}}}}}}}},
            "components": {"schemas": {"Short": {"type": "object", "properties": {"a": {"type": "string", "enum": ["x"]}}}}}});
        let before = doc.clone();
        let mut places = Places::default();
        apply(&mut doc, &mut places);
        let body = "/paths/~1v1~1installations~1{integrationConfigurationId}~1resources~1{resourceId}~1experimentation~1items/post/requestBody/content/application~1json/schema";
        let title = |ptr: &str| doc.pointer(&format!("{body}{ptr}/title")).and_then(Value::as_str).map(String::from);
        assert_eq!(title("").as_deref(), Some("PostV1InstallationsResourcesResourceIdExperimentationItemsBody"));
        assert_eq!(
            title("/properties/items/items").as_deref(),
            Some("PostV1InstallationsResourceIdExperimentationItemsBodyItemsItem")
        );
        // Beneath a title, names follow it, shortened again where they pass the limit.
        assert_eq!(
            title("/properties/items/items/properties/description").as_deref(),
            Some("PostV1InstallationsExperimentationItemsBodyItemsItemDescription")
        );
        let names = typify::inline_names(&doc);
        assert!(names.iter().filter(|p| p.named).all(|p| p.name.len() <= MAX_TYPE_NAME), "{names:#?}");
        let changes: Vec<String> = places.changes().iter().map(|c| c.what.clone()).collect();
        assert_eq!(changes.len(), 4, "{changes:#?}");
        assert!(changes[0].ends_with("PostV1InstallationsIntegrationConfigurationIdResourcesResourceIdExperimentationItemsBody` (88 characters)"), "{changes:#?}");
        assert_eq!(doc["components"], before["components"]);

        let mut again = doc.clone();
        let mut places = Places::default();
        apply(&mut again, &mut places);
        assert!(places.changes().is_empty());
    }

    #[test]
    fn a_shortened_name_another_type_has_gets_a_number() {
        let segments: Vec<String> =
            ["SomeVeryLongOperationNameThatGoesOnAndOn", "Body", "alpha", "beta", "gamma", "delta"]
                .map(String::from)
                .to_vec();
        let first = typify::shortened(&segments, 40, &|_| true);
        assert_eq!(first, "SomeVeryLongBodyAlphaBetaGammaDelta");
        let second = typify::shortened(&segments, 40, &|name| name != first);
        assert_eq!(second, "SomeVeryLongBodyAlphaBetaGammaDelta2");
        assert_eq!(typify::shortened(&segments[..2], 64, &|_| true), "SomeVeryLongOperationNameThatGoesOnAndOnBody");
    }
}
