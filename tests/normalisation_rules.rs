//! The operation-level normalisation rules on `tests/tricky/` (one crafted case per rule):
//! each rule fires and its report names the place, and the client generated from the
//! repaired document (by this package's build script) compiles and is wire-correct.
#![allow(clippy::unwrap_used)]
// A test binary uses a small part of a client: the rest is dead code here.
#![allow(dead_code, unused_imports)]

// At the crate root, as in a client crate (the `mock` module compiles against it).
include!(concat!(env!("OUT_DIR"), "/client.rs"));

mod tricky {
    pub use crate::generated::*;
}

use std::path::{Path, PathBuf};

use api_codegen::SpecDir;
use loopback::{Reply, Server};
use serde_json::json;
use workspace_tests::KEY;

mod form_parts;

fn tricky_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tricky")
}

fn report() -> api_codegen::rules::RulesReport {
    api_codegen::load(&SpecDir::new(tricky_dir())).unwrap().rules
}

/// The pointers a rule names in the report.
fn places(rule: &str) -> Vec<String> {
    report().changes_of(rule).iter().map(|c| c.pointer.clone()).collect()
}

async fn client_for(reply: Reply) -> (Server, tricky::Client) {
    let server = Server::always(reply).await.unwrap();
    let client = tricky::Client::builder().api_key(KEY).base_url(server.url()).retries(0).build().unwrap();
    (server, client)
}

#[test]
fn a_spec_needing_no_rule_yields_an_empty_report() {
    let spec = json!({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {"/a/{id}": {
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "get": {"operationId": "a", "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}},
                "404": {"description": "gone", "content": {"application/json": {"schema": {"type": "object"}}}},
                "500": {"description": "down", "content": {"application/json": {"schema": {"type": "object"}}}}}}}}});
    let overlay = json!({"overlay": "1.0.0", "info": {"title": "none", "version": "0"}, "actions": []});
    let prepared = api_codegen::prepare(spec, Path::new("s.yaml"), &overlay, Path::new("o.yaml")).unwrap();
    assert!(prepared.rules.is_empty(), "{}", prepared.rules);
    assert_eq!(prepared.rules.to_string(), "no normalisation rule changed the document\n");
}

#[test]
fn the_report_names_every_rule_and_place() {
    let report = report();
    let rules: Vec<&str> = report.applied.iter().map(|a| a.rule).collect();
    assert_eq!(
        rules,
        [
            "derive-operation-id",
            "declare-path-parameters",
            "unique-parameter-names",
            // `X-Betas` and `Last-Event-Id` (tests/tricky_client.rs).
            "header-and-path-values",
            "non-standard-status",
            "unrepresentable-responses",
            "error-response-union",
            // The schema-level rules' cases (tests/schema_rules.rs) share the tricky spec.
            "annotation-all-of-members",
            "deduplicate-enum-values",
            "unique-enum-variant-names",
            "nullable-named-one-of",
            "unique-type-titles",
            "multipart-form",
            "unsupported-request-body",
            // `self` and `crate.name` (tests/tricky_client.rs).
            "string-constraints"
        ]
    );
    let text = report.to_string();
    for line in [
        "derive-operation-id (1 change): ",
        "  /paths/~1teams~1{teamId}~1members/get/operationId: derived operationId `getTeamsTeamIdMembers`",
        "  /paths/~1teams~1{teamId}~1members/get/parameters: declared path parameter `teamId`",
        "  /paths/~1env/get/parameters/1/name: parameter `exclude-ids` is `exclude_ids_2` in Rust",
        "  /paths/~1env/get/parameters/2/name: parameter `X-Ids` is `x_ids_2` in Rust",
        "  /paths/~1upload/post: multipart body sent as a typed form: fields in component `UploadFileFields`, file parts `file`, `attachments`",
        "  /paths/~1import/post: request body media type `application/xml` is not supported: no client method",
        "  /paths/~1certs/post/responses/449: status 449 has no standard reason phrase",
        "  /paths/~1type~1{self}/get/parameters/5/schema: an array: a header value is written with `Display`",
        "  /paths/~1type~1{self}/get/parameters/6/schema: null has no spelling in a header",
        "  /components/schemas/crate/properties/holder/allOf/1: annotations only: moved onto the schema",
        "  /components/schemas/Level/enum: `null` removed from `Level`'s values",
        "  /components/schemas/crate/properties/name: `pattern`, `minLength`, `maxLength` left to the server: a plain string, read as sent",
        "  /paths/~1domains~1{domain}~1renew/post/responses: error bodies of 400, 403, 404 (3 distinct) are one union `RenewDomainError`: DomainTooShort | BadRequest | RenewDomainError403 | NotFound",
    ] {
        assert!(text.contains(line), "missing `{line}` in:\n{text}");
    }
}

#[tokio::test]
async fn derive_operation_id_and_declare_path_parameters_make_a_working_method() {
    assert_eq!(places("derive-operation-id"), ["/paths/~1teams~1{teamId}~1members/get/operationId"]);
    assert_eq!(places("declare-path-parameters"), ["/paths/~1teams~1{teamId}~1members/get/parameters"]);
    let (server, client) = client_for(Reply::json(200, r#"["ann","bo"]"#)).await;
    let members = client.get_teams_team_id_members().team_id("t 1").send().await.unwrap();
    assert_eq!(*members, ["ann", "bo"]);
    let request = server.single_request();
    assert_eq!((request.method.as_str(), request.path.as_str()), ("GET", "/teams/t%201/members"));
}

#[tokio::test]
async fn every_declared_error_body_decodes_to_its_typed_variant() {
    use tricky::types::{BadRequest, DomainTooShort, NotFound, RenewDomainError, RenewDomainError403};
    assert_eq!(places("error-response-union"), ["/paths/~1domains~1{domain}~1renew/post/responses"]);
    let cases = [
        (400, json!({"code": "domain_too_short", "minimum": 3})),
        (400, json!({"code": "bad_request", "message": "no"})),
        (403, json!({"scope": "team"})),
        (404, json!({"code": "not_found"})),
    ];
    let mut decoded = Vec::new();
    for (status, body) in cases {
        let (server, client) = client_for(Reply::json(status, body.to_string())).await;
        match client.renew_domain().domain("a.dev").send().await {
            Err(Error::ErrorResponse { response, .. }) => {
                assert_eq!(response.status().as_u16(), status);
                // The typed value serialises back to exactly what was sent: nothing lost.
                assert_eq!(serde_json::to_value(&*response).unwrap(), body);
                decoded.push(response.into_inner());
            }
            other => panic!("{status} {body}: expected a typed ErrorResponse, got {other:?}"),
        }
        assert_eq!(server.single_request().path, "/domains/a.dev/renew");
    }
    assert!(matches!(&decoded[0], RenewDomainError::DomainTooShort(DomainTooShort { minimum: 3, .. })), "{decoded:?}");
    assert!(matches!(&decoded[1], RenewDomainError::BadRequest(BadRequest { message, .. }) if message == "no"));
    assert!(
        matches!(&decoded[2], RenewDomainError::RenewDomainError403(RenewDomainError403 { scope }) if scope == "team")
    );
    assert!(matches!(&decoded[3], RenewDomainError::NotFound(NotFound { .. })));

    let (_server, client) = client_for(Reply::json(200, r#"{"orderId":"o1"}"#)).await;
    assert_eq!(client.renew_domain().domain("a.dev").send().await.unwrap().order_id, "o1");
}

#[tokio::test]
async fn colliding_parameters_keep_their_exact_wire_names() {
    assert_eq!(
        places("unique-parameter-names"),
        ["/paths/~1env/get/parameters/1/name", "/paths/~1env/get/parameters/2/name"]
    );
    let (server, client) = client_for(Reply::status(204)).await;
    client.list_env().exclude_ids("a").exclude_ids_2("b").x_ids("q").x_ids_2("h").send().await.unwrap();
    let request = server.single_request();
    assert_eq!(request.query.as_deref(), Some("exclude_ids=a&exclude-ids=b&x_ids=q"));
    assert_eq!(request.header("X-Ids"), Some("h"));
}

#[tokio::test]
async fn a_status_without_reason_phrase_is_typed_in_the_client_and_absent_from_the_mock() {
    assert_eq!(places("non-standard-status"), ["/paths/~1certs/post/responses/449"]);
    let body = json!({"code": "bad_request", "message": "more"});
    let (_server, client) = client_for(Reply::json(449, body.to_string())).await;
    match client.issue_cert().send().await {
        Err(Error::ErrorResponse { response, .. }) => {
            assert_eq!(response.status().as_u16(), 449);
            assert_eq!(response.message, "more");
        }
        other => panic!("expected a typed 449, got {other:?}"),
    }
    // The mock was generated (without a method for 449) and works for the other statuses.
    use mock::MockServerExt;
    let server = httpmock::MockServer::start_async().await;
    let tags = vec!["a".to_string(), "b c".to_string()];
    let domain = tricky::types::IssueCertDomain::String("x.dev".into());
    let mock = server.issue_cert(|when, then| {
        // Query parameters without `Display` (an array, a `oneOf`) match what the client
        // sends (codegen's fix: progenitor's mock calls `to_string`, which does not compile).
        when.tag(&tags).domain(&domain);
        then.ok(&tricky::types::IssueCertResponse { id: Some("c1".into()) });
    });
    let client = tricky::Client::builder().api_key(KEY).base_url(server.base_url()).build().unwrap();
    let issued = client.issue_cert().tag(tags.clone()).domain(domain.clone()).send().await.unwrap();
    assert_eq!(issued.id.as_deref(), Some("c1"));
    mock.assert_async().await;
}

#[test]
fn an_unknown_request_media_type_is_reported_left_out_of_the_client_and_kept_in_the_surface() {
    // The JSON-patch and PNG bodies are sent with their own types; the XML object is left out.
    assert_eq!(
        places("unsupported-request-body"),
        ["/paths/~1patch/patch/requestBody/content", "/paths/~1avatar/put/requestBody/content", "/paths/~1import/post"]
    );
    assert!(tricky::API.operations.iter().all(|op| op.id != "importXml"));
    assert!(tricky::API.operations.iter().any(|op| op.id == "issueCert"));
    let prepared = api_codegen::load(&SpecDir::new(tricky_dir())).unwrap();
    let surface = spec_tools::surface::surface(&prepared);
    let import = surface.operations.get("importXml").expect("the surface lists the operation left out");
    assert_eq!((import.method.as_str(), import.path.as_str()), ("POST", "/import"));
    // The renamed parameters show their wire names there too.
    let env = &surface.operations["listEnv"];
    let names: Vec<&str> = env.parameters.keys().map(String::as_str).collect();
    assert_eq!(names, ["header X-Ids", "query exclude-ids", "query exclude_ids", "query x_ids"]);
}

/// The multipart body, part by part as the server reads it: fields first (a string as text,
/// an integer as its JSON text, an array as one part per item, an object as a JSON part), then
/// the files in the spec's order, each with its file name and the content type the spec's
/// `encoding` gives unless the part names its own.
#[tokio::test]
async fn a_multipart_body_is_a_typed_form_sent_part_by_part() {
    use tricky::forms::{FilePart, UploadFile};
    use tricky::types::{UploadFileFields, UploadFileFieldsMeta};
    assert_eq!(places("multipart-form"), ["/paths/~1upload/post"]);
    let (server, client) = client_for(Reply::status(204)).await;
    let fields = UploadFileFields {
        purpose: "avatar".into(),
        copies: Some(2),
        labels: vec!["a b".into(), "c".into()],
        meta: Some(UploadFileFieldsMeta { n: Some(7) }),
    };
    // The required file is an argument of `new`: a form without it does not compile.
    let form = UploadFile::new(fields, FilePart::bytes(&b"PNG!"[..]).file_name("me.png"))
        .attachments(FilePart::bytes("first").file_name("1.txt").content_type("text/plain"))
        .attachments(FilePart::stream(futures_util::stream::iter([Ok(bytes::Bytes::from("second"))]), Some(6)));
    client.upload_file().body(form).send().await.unwrap();

    let request = server.single_request();
    let content_type = request.header("content-type").unwrap();
    assert!(content_type.starts_with("multipart/form-data; boundary="), "{content_type}");
    assert_eq!(request.header("content-length"), Some(request.body.len().to_string().as_str()));
    let parts = form_parts::parts(content_type, &request.body).unwrap();
    let seen: Vec<(&str, Option<&str>, Option<&str>, String)> =
        parts.iter().map(|p| (p.name.as_str(), p.file_name.as_deref(), p.content_type.as_deref(), p.text())).collect();
    assert_eq!(
        seen,
        [
            ("copies", None, None, "2".to_string()),
            ("labels", None, None, "a b".to_string()),
            ("labels", None, None, "c".to_string()),
            ("meta", None, Some("application/json"), r#"{"n":7}"#.to_string()),
            ("purpose", None, None, "avatar".to_string()),
            ("file", Some("me.png"), Some("image/png"), "PNG!".to_string()),
            ("attachments", Some("1.txt"), Some("text/plain"), "first".to_string()),
            ("attachments", None, Some("application/octet-stream"), "second".to_string()),
        ]
    );
}

#[test]
fn a_body_beside_no_body_among_the_successes_is_an_option_and_other_mixes_leave_that_operation_out() {
    let json =
        |schema: serde_json::Value| json!({"description": "d", "content": {"application/json": {"schema": schema}}});
    let text = json!({"description": "t", "content": {"text/plain": {"schema": {"type": "string"}}}});
    let spec = json!({"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {
        "/a": {"get": {"operationId": "a",
            "responses": {"200": json(json!({"type": "string"})), "201": {"description": "none"}}}},
        "/c": {"get": {"operationId": "c", "responses": {"200": json(json!({"type": "string"})), "202": text}}},
        "/b": {"get": {"operationId": "b", "responses": {"200": json(json!({"type": "string"}))}}}}});
    let overlay = json!({"overlay": "1.0.0", "info": {"title": "none", "version": "0"}, "actions": []});
    let mut prepared = api_codegen::prepare(spec, Path::new("s.yaml"), &overlay, Path::new("o.yaml")).unwrap();
    let why = prepared.rules.changes_of("unrepresentable-responses");
    assert_eq!(why.len(), 2, "{why:?}");
    assert_eq!(why[0].pointer, "/paths/~1a/get/responses");
    assert!(why[0].what.contains("`send` answers `Option`"), "{why:?}");
    assert_eq!(why[1].pointer, "/paths/~1c/get");
    assert!(why[1].what.contains("(200: a JSON body, 202: a non-JSON body)"), "{why:?}");
    // The operation left out stays in the document (the surface and drift see it), not in the client.
    assert!(prepared.doc.pointer("/paths/~1c/get").is_some());
    let ids: Vec<&str> = prepared.model.operations.iter().map(|op| op.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    let client = api_codegen::generate(&mut prepared).unwrap().client;
    assert!(client.contains("pub fn b(") && client.contains("pub fn a(") && !client.contains("pub fn c("), "{client}");
    assert!(client.contains("Option<types::AResponse>"), "{client}");
}
