//! The drift mechanism itself: known changes to a temporary copy of a spec are each reported
//! by the surface comparison, with the expected severity, and each is one line of the
//! surface snapshot's diff. The real snapshot files are never touched.
#![allow(clippy::unwrap_used)]

use api_codegen::drift::{Kind, Level, compare};
use api_codegen::surface::surface;
use api_codegen::{SpecDir, yaml};
use serde_json::{Value, json};
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

    let changes = compare(&surface(&before.doc), &surface(&after.doc));
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
    // AuthToken is only received: a new enum value fails the closed generated enum.
    assert_eq!(find(Kind::EnumValueAdded, "schema AuthToken: origin").level, Level::Breaking);
    assert_eq!(find(Kind::EnumValueRemoved, "schema AuthToken: origin").level, Level::NonBreaking);
    assert_eq!(changes.len(), 4, "only the changes made: {changes:#?}");

    // Each change is one obvious line in the snapshot diff.
    let yaml = |p: &api_codegen::Prepared| serde_json::to_value(surface(&p.doc)).unwrap();
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
    assert_eq!(compare(&surface(&a.doc), &surface(&b.doc)), vec![]);
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
    let changes = compare(&surface(&before.doc), &surface(&after.doc));
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
