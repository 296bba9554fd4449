//! The drift mechanism itself: known changes to a temporary copy of a spec are each reported
//! by the surface comparison, with the expected severity, and each is one line of the
//! surface snapshot's diff. The real snapshot files are never touched.
#![allow(clippy::unwrap_used)]

use api_codegen::SpecDir;
use api_codegen::load::yaml;
use api_codegen::plan::Plan;
use serde_json::{Value, json};
use spec_tools::drift::{Kind, Level, compare};
use spec_tools::surface::{surface, surface_of};
use workspace_tests::spec_dir;

/// Loads `specs/vercel` from a temporary copy whose spec went through `edit` first.
fn vercel_with(edit: impl FnOnce(&mut Value)) -> api_codegen::Prepared {
    let real = SpecDir::new(spec_dir("vercel"));
    let mut doc = yaml::read(&real.spec).unwrap();
    edit(&mut doc);
    let dir = tempfile::tempdir().unwrap();
    let copy = SpecDir::new(dir.path());
    std::fs::write(&copy.spec, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    std::fs::copy(&real.overlay, &copy.overlay).unwrap();
    api_codegen::load(&copy).unwrap()
}

fn snapshot_files() -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn known_changes_are_each_reported() {
    let snapshots_before = snapshot_files();
    let origin = "/components/schemas/AuthToken/properties/origin";
    let before = vercel_with(|doc| {
        doc.pointer_mut(origin).unwrap()["enum"] = json!(["github", "email"]);
    });
    let after = vercel_with(|doc| {
        doc.pointer_mut(origin).unwrap()["enum"] = json!(["github", "saml"]);
        let body =
            doc.pointer_mut("/paths/~1v3~1user~1tokens/post/requestBody/content/application~1json/schema").unwrap();
        body["properties"]["description"] = json!({"type": "string"});
        body["required"].as_array_mut().unwrap().push(json!("description"));
        doc["paths"].as_object_mut().unwrap().shift_remove("/v3/user/tokens/{tokenId}");
    });

    let changes = compare(&surface(&before), &surface(&after));
    let find = |kind: Kind, location: &str| {
        changes
            .iter()
            .find(|c| c.kind == kind && c.location == location)
            .unwrap_or_else(|| panic!("no {kind:?} at `{location}` in {changes:#?}"))
    };
    let added = find(Kind::PropertyAdded, "createAuthToken request body: description");
    assert_eq!(added.level, Level::Breaking, "a new required request property breaks callers");
    let removed = find(Kind::OperationRemoved, "operation deleteAuthToken");
    assert_eq!(removed.level, Level::Breaking);
    // AuthToken is only received: a new enum value decodes as `Unknown`, which code matching
    // on the enum sees.
    assert_eq!(find(Kind::EnumValueAdded, "schema AuthToken: origin").level, Level::PotentiallyBreaking);
    assert_eq!(find(Kind::EnumValueRemoved, "schema AuthToken: origin").level, Level::NonBreaking);
    assert_eq!(changes.len(), 4, "only the changes made: {changes:#?}");

    // Each change is one obvious line in the snapshot diff.
    let yaml = |p: &api_codegen::Prepared| serde_json::to_value(surface(p)).unwrap();
    let (old, new) = (yaml(&before), yaml(&after));
    assert_eq!(
        new["operations"]["createAuthToken"]["request_body"]["schema"]["description"],
        json!("string, required")
    );
    assert!(old["operations"]["deleteAuthToken"].is_object() && new["operations"]["deleteAuthToken"].is_null());
    assert_eq!(new["schemas"]["AuthToken"]["origin"], json!("string enum [github, saml]"));

    assert_eq!(snapshot_files(), snapshots_before, "the real snapshots must not be touched");
}

#[test]
fn an_unchanged_spec_reports_nothing() {
    let a = vercel_with(|_| {});
    let b = vercel_with(|_| {});
    assert_eq!(compare(&surface(&a), &surface(&b)), vec![]);
}

#[test]
fn request_and_response_changes_are_judged_by_direction() {
    let before = vercel_with(|_| {});
    let after = vercel_with(|doc| {
        let token = doc.pointer_mut("/components/schemas/AuthToken").unwrap();
        token["required"] = json!(["activeAt", "createdAt", "id", "type"]); // `name` optional now
        token["properties"]["createdAt"] = json!({"type": "string"});
        let body =
            doc.pointer_mut("/paths/~1v3~1user~1tokens/post/requestBody/content/application~1json/schema").unwrap();
        body["required"] = json!([]); // `name` optional in the request: fine
        doc.pointer_mut("/paths/~1v5~1user~1tokens/get/responses").unwrap()["201"] = json!({"description": "new"});
    });
    let changes = compare(&surface(&before), &surface(&after));
    let level = |location: &str, kind: Kind| {
        changes
            .iter()
            .find(|c| c.location == location && c.kind == kind)
            .map(|c| c.level)
            .unwrap_or_else(|| panic!("{location} {kind:?}: {changes:#?}"))
    };
    assert_eq!(level("schema AuthToken: name", Kind::PropertyRequirednessChanged), Level::Breaking);
    assert_eq!(level("schema AuthToken: createdAt", Kind::PropertyRetyped), Level::Breaking);
    assert_eq!(level("createAuthToken request body: name", Kind::PropertyRequirednessChanged), Level::NonBreaking);
    assert_eq!(level("listAuthTokens response 201", Kind::ResponseStatusAdded), Level::PotentiallyBreaking);
}

/// A small normalised document: one tagged operation `op` (`POST /items`) taking and
/// returning `Item`, and `edit` applied on top.
fn crafted(edit: impl FnOnce(&mut Value)) -> Value {
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1.0"},
        "servers": [{"url": "https://api.example.com"}],
        "components": {
            "securitySchemes": {"ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
            "schemas": {
                "Item": {"type": "object", "properties": {
                    "count": {"type": "integer"},
                    "name": {"type": "string"},
                    "token": {"type": "string"},
                    "tokenId": {"type": "string"},
                    "mode": {"type": "string", "default": "fast"},
                }},
                "Out": {"type": "object", "required": ["label"], "properties": {
                    "label": {"type": "string", "maxLength": 10},
                    "size": {"type": "integer", "maximum": 100},
                }},
            },
        },
        "paths": {"/items": {"post": {
            "operationId": "op",
            "tags": ["items"],
            "security": [{"ApiKeyAuth": []}],
            "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}}},
            "responses": {
                "200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Out"}}}},
                "404": {"description": "", "content": {"application/json": {"schema": {"type": "object"}}}},
            },
        }}},
    });
    edit(&mut doc);
    doc
}

/// The changes from the crafted document to its edited version.
fn changes_after(edit: impl FnOnce(&mut Value)) -> Vec<spec_tools::drift::Change> {
    compare(&surface_of(&crafted(|_| {}), &Plan::default()), &surface_of(&crafted(edit), &Plan::default()))
}

/// The one change at `location` of `kind`.
fn one(changes: &[spec_tools::drift::Change], kind: Kind, location: &str) -> spec_tools::drift::Change {
    let found: Vec<_> = changes.iter().filter(|c| c.kind == kind && c.location == location).collect();
    assert_eq!(found.len(), 1, "one {kind:?} at `{location}` in {changes:#?}");
    found[0].clone()
}

#[test]
fn request_constraints_are_reported_with_what_the_server_now_rejects() {
    let item = "/components/schemas/Item/properties";
    let changes = changes_after(|doc| {
        let props = doc.pointer_mut(item).unwrap();
        props["count"]["maximum"] = json!(100);
        props["name"]["maxLength"] = json!(64);
        props["name"]["pattern"] = json!("^[a-z]+$");
        doc.pointer_mut("/paths/~1items/post/parameters/0/schema").unwrap()["minimum"] = json!(1);
    });
    let max = one(&changes, Kind::ConstraintChanged, "schema Item: count");
    assert_eq!(max.level, Level::PotentiallyBreaking, "oasdiff: request-property-max-set is a warning");
    assert_eq!(max.detail, "`maximum` set to 100: the server now rejects larger values in requests");
    assert_eq!(max.tags, ["items"]);
    let name: Vec<_> = changes.iter().filter(|c| c.location == "schema Item: name").collect();
    assert_eq!(name.len(), 2, "{changes:#?}");
    assert!(name.iter().any(|c| c.detail.contains("`maxLength` set to 64") && c.detail.contains("longer strings")));
    assert!(name.iter().any(|c| c.detail.contains("`pattern` set to") && c.detail.contains("do not match")));
    let param = one(&changes, Kind::ConstraintChanged, "op parameter query limit");
    assert!(param.detail.contains("`minimum` set to 1: the server now rejects smaller values"), "{param:?}");

    // Tightening an existing bound is an error; relaxing one a warning only for responses.
    let before = crafted(|doc| doc.pointer_mut(item).unwrap()["count"]["maximum"] = json!(200));
    let after = crafted(|doc| doc.pointer_mut(item).unwrap()["count"]["maximum"] = json!(100));
    let decreased = compare(&surface_of(&before, &Plan::default()), &surface_of(&after, &Plan::default()));
    assert_eq!(one(&decreased, Kind::ConstraintChanged, "schema Item: count").level, Level::Breaking);
    let increased = compare(&surface_of(&after, &Plan::default()), &surface_of(&before, &Plan::default()));
    assert_eq!(one(&increased, Kind::ConstraintChanged, "schema Item: count").level, Level::NonBreaking);
}

#[test]
fn response_constraints_relaxed_may_break_the_generated_types() {
    let changes = changes_after(|doc| {
        let props = doc.pointer_mut("/components/schemas/Out/properties").unwrap();
        props["label"]["maxLength"] = json!(20);
        props["size"]["maximum"] = json!(1000);
        props["size"]["multipleOf"] = json!(5);
    });
    let label = one(&changes, Kind::ConstraintChanged, "schema Out: label");
    assert_eq!(label.level, Level::Breaking, "typify validates lengths while deserialising");
    assert!(label.detail.contains("values the generated type rejects"), "{label:?}");
    let size: Vec<_> = changes.iter().filter(|c| c.location == "schema Out: size").collect();
    assert!(size.iter().any(|c| c.level == Level::PotentiallyBreaking && c.detail.contains("outside the old bound")));
    assert!(size.iter().any(|c| c.level == Level::NonBreaking && c.detail.contains("`multipleOf` set to 5")));
}

#[test]
fn defaults_access_and_formats_are_reported() {
    let changes = changes_after(|doc| {
        let props = doc.pointer_mut("/components/schemas/Item/properties").unwrap();
        props["mode"]["default"] = json!("safe");
        props["name"]["readOnly"] = json!(true);
        props["count"]["format"] = json!("int64");
        doc.pointer_mut("/components/schemas/Out/properties/label").unwrap()["writeOnly"] = json!(true);
        doc.pointer_mut("/components/schemas/Out/properties/size").unwrap()["minItems"] = json!(1);
    });
    let default = one(&changes, Kind::DefaultChanged, "schema Item: mode");
    assert_eq!(default.level, Level::PotentiallyBreaking);
    assert!(default.detail.starts_with("`default` changed from \"fast\" to \"safe\": a request that omits it"));
    let read_only = one(&changes, Kind::AccessChanged, "schema Item: name");
    assert_eq!(
        (read_only.level, read_only.detail.as_str()),
        (Level::PotentiallyBreaking, "became read-only: the server ignores it in requests")
    );
    let write_only = one(&changes, Kind::AccessChanged, "schema Out: label");
    assert_eq!(write_only.level, Level::Breaking, "a required response field that stops coming back");
    assert_eq!(
        one(&changes, Kind::PropertyRetyped, "schema Item: count").detail,
        "type changed from integer to integer(int64)"
    );
    assert_eq!(one(&changes, Kind::ConstraintChanged, "schema Out: size").level, Level::NonBreaking);
}

#[test]
fn an_auth_scheme_that_changes_kind_says_what_goes_on_the_wire() {
    let changes = changes_after(|doc| {
        doc["components"]["securitySchemes"] = json!({"BearerAuth": {"type": "http", "scheme": "bearer"}});
        doc.pointer_mut("/paths/~1items/post").unwrap()["security"] = json!([{"BearerAuth": []}]);
    });
    let op = one(&changes, Kind::SecurityChanged, "operation op");
    assert_eq!(op.level, Level::Breaking);
    assert_eq!(
        op.detail,
        "authentication changed: the client now sends `Authorization: Bearer <key>` instead of the key in header `X-API-Key`"
    );
    assert_eq!(one(&changes, Kind::SecurityChanged, "security scheme ApiKeyAuth").level, Level::NonBreaking);
    assert_eq!(one(&changes, Kind::SecurityChanged, "security scheme BearerAuth").level, Level::NonBreaking);

    // A rename that sends the same is not breaking.
    let renamed = changes_after(|doc| {
        let schemes = doc["components"]["securitySchemes"].as_object_mut().unwrap();
        let scheme = schemes.shift_remove("ApiKeyAuth").unwrap();
        schemes.insert("Key".into(), scheme);
        doc.pointer_mut("/paths/~1items/post").unwrap()["security"] = json!([{"Key": []}]);
    });
    let op = one(&renamed, Kind::SecurityChanged, "operation op");
    assert_eq!(op.level, Level::NonBreaking);
    assert!(op.detail.contains("the client sends the same: the key in header `X-API-Key`"), "{op:?}");

    // Same name, another kind.
    let rekinded = changes_after(|doc| {
        doc["components"]["securitySchemes"]["ApiKeyAuth"] =
            json!({"type": "apiKey", "in": "header", "name": "Authorization"});
    });
    let scheme = one(&rekinded, Kind::SecurityChanged, "security scheme ApiKeyAuth");
    assert_eq!(scheme.level, Level::Breaking);
    assert!(
        scheme.detail.ends_with(
            "the client now sends the key in header `Authorization` instead of the key in header `X-API-Key`"
        )
    );
}

#[test]
fn a_changed_default_server_is_breaking_and_versions_are_informational() {
    let changes = changes_after(|doc| {
        doc["servers"] = json!([{"url": "https://api.example.net"}, {"url": "https://eu.example.com"}]);
        doc["info"]["version"] = json!("2.0");
    });
    let servers: Vec<_> = changes.iter().filter(|c| c.kind == Kind::ServerChanged).collect();
    assert_eq!(servers.len(), 2, "{changes:#?}");
    assert_eq!(servers[0].level, Level::Breaking);
    assert!(servers[0].detail.contains(
        "from `https://api.example.com` to `https://api.example.net`: every request, with its credential, now goes"
    ));
    assert_eq!(servers[1].level, Level::NonBreaking);
    let version = one(&changes, Kind::VersionChanged, "info.version");
    assert_eq!((version.level, version.detail.as_str()), (Level::NonBreaking, "changed from `1.0` to `2.0`"));

    let gone = changes_after(|doc| doc["servers"] = json!([]));
    assert_eq!(one(&gone, Kind::ServerChanged, "servers").level, Level::Breaking);
}

#[test]
fn a_request_content_type_change_is_labelled_as_the_request() {
    let changes = changes_after(|doc| {
        let content = doc.pointer_mut("/paths/~1items/post/requestBody/content").unwrap().as_object_mut().unwrap();
        let media = content.shift_remove("application/json").unwrap();
        content.insert("application/x-www-form-urlencoded".into(), media);
    });
    let change = one(&changes, Kind::RequestBodyChanged, "op request body");
    assert_eq!(change.level, Level::Breaking);
    assert!(change.detail.ends_with("the server now expects application/x-www-form-urlencoded"), "{change:?}");
    assert!(changes.iter().all(|c| c.kind != Kind::ResponseBodyChanged), "{changes:#?}");
}

#[test]
fn a_removed_property_is_not_hidden_by_a_longer_name_it_prefixes() {
    let changes = changes_after(|doc| {
        let props = doc.pointer_mut("/components/schemas/Item/properties").unwrap().as_object_mut().unwrap();
        props.shift_remove("token");
        props.shift_remove("tokenId");
    });
    one(&changes, Kind::PropertyRemoved, "schema Item: token");
    one(&changes, Kind::PropertyRemoved, "schema Item: tokenId");
}

#[test]
fn deprecations_tags_error_responses_and_constant_headers_are_reported() {
    let changes = changes_after(|doc| {
        let op = doc.pointer_mut("/paths/~1items/post").unwrap();
        op["deprecated"] = json!(true);
        op["parameters"][0]["deprecated"] = json!(true);
        op["responses"].as_object_mut().unwrap().shift_remove("404");
        op["responses"]["409"] = json!({"description": "conflict"});
        op["parameters"].as_array_mut().unwrap().push(json!({"name": "Api-Version", "in": "header", "required": true, "schema": {"type": "string", "enum": ["2024"]}}));
        doc["paths"]["/other"] =
            json!({"get": {"operationId": "other", "tags": ["misc"], "responses": {"204": {"description": ""}}}});
    });
    assert_eq!(one(&changes, Kind::DeprecationChanged, "operation op").detail, "deprecated");
    assert_eq!(one(&changes, Kind::DeprecationChanged, "op parameter query limit").level, Level::NonBreaking);
    let removed = one(&changes, Kind::ErrorResponseRemoved, "op response 404");
    assert_eq!(removed.level, Level::PotentiallyBreaking);
    assert!(removed.detail.contains("`UnexpectedStatus`"), "{removed:?}");
    assert_eq!(one(&changes, Kind::ErrorResponseAdded, "op response 409").level, Level::NonBreaking);
    let added = one(&changes, Kind::OperationAdded, "operation other");
    assert_eq!(
        (added.detail.as_str(), added.tags.as_slice()),
        ("GET /other added (tag misc)", ["misc".to_string()].as_slice())
    );

    let before = crafted(|doc| {
        doc.pointer_mut("/paths/~1items/post/parameters").unwrap().as_array_mut().unwrap().push(
            json!({"name": "Api-Version", "in": "header", "required": true, "schema": {"type": "string", "enum": ["2024"]}}),
        )
    });
    let after = crafted(|doc| {
        doc.pointer_mut("/paths/~1items/post/parameters").unwrap().as_array_mut().unwrap().push(
            json!({"name": "Api-Version", "in": "header", "required": true, "schema": {"type": "string", "enum": ["2025"]}}),
        )
    });
    let changes = compare(&surface_of(&before, &Plan::default()), &surface_of(&after, &Plan::default()));
    let header = one(&changes, Kind::ParameterChanged, "op parameter header Api-Version");
    assert_eq!(header.level, Level::Breaking);
    assert_eq!(header.detail, "the client now sends `Api-Version: 2025` instead of `2024`");
    assert_eq!(changes.len(), 1, "{changes:#?}");
}
