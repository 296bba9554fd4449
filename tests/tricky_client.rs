//! A client generated from `tests/tricky/` compiles and works: an operation called `type`,
//! parameters called `self`, `match` and `client`, the spec's own `api-version` header,
//! keyword properties, a recursive schema and schemas named like prelude types (`Result`,
//! `Option`, `String`, `Vec`), all with their wire names kept; and what the schema-level
//! normalisation rules repair (enum values repeated or colliding as Rust names, a nullable
//! `oneOf` schema, a title naming another type), with progenitor's array query mock fixed;
//! an operation answering a document or no body (`Option`); strings with a `pattern` and
//! length bounds sent and read as plain strings.
#![allow(clippy::unwrap_used)]
// A test binary uses a small part of a client: the rest is dead code here.
#![allow(dead_code, unused_imports)]

// At the crate root, as in a client crate, so the `mock` module (this package's default
// feature) compiles against it too.
include!(concat!(env!("OUT_DIR"), "/client.rs"));

/// The client's items, by the name the tests use.
mod tricky {
    pub use crate::generated::*;
}

use loopback::{Reply, Server};
use serde_json::json;
use workspace_tests::KEY;

#[tokio::test]
async fn an_operation_called_type_with_keyword_names_works() {
    // `name` is at most 4 lowercase letters by the spec: the server has since widened it.
    let answer = json!({"type": "root", "async": true, "name": "Root Node", "level": null, "visibility": 1,
        "connected": 0, "holder": 7,
        "children": [{"type": "leaf", "async": false, "name": "", "level": "info", "holder": null}]});
    let server = Server::always(Reply::json(200, answer.to_string())).await.unwrap();
    let client = tricky::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap();
    let response = client
        .type_()
        .self_("s 1")
        .match_(tricky::types::TypeMatch::Yes)
        .client("c")
        .api_version("2024-01-01")
        .x_trace_id("t-1")
        .x_betas("a=v1,b=v2")
        .last_event_id("7")
        .send()
        .await
        .unwrap();

    let request = server.single_request();
    assert_eq!(request.path, "/type/s%201");
    assert_eq!(request.query.as_deref(), Some("client=c&match=yes"));
    assert_eq!(request.header("api-version"), Some("2024-01-01"));
    assert_eq!(request.header("x-trace-id"), Some("t-1"));
    // An array header is the caller's comma-joined string; a nullable one its string.
    assert_eq!(request.header("x-betas"), Some("a=v1,b=v2"));
    assert_eq!(request.header("last-event-id"), Some("7"));
    assert_eq!(response.type_, "root");
    assert!(response.async_);
    assert_eq!(response.children[0].type_, "leaf");
    // Read as sent, and `self` (`^[a-z]+$`, at most 2 characters) sent as set: the server checks.
    assert_eq!(response.name.as_deref(), Some("Root Node"));
    assert_eq!(response.children[0].name.as_deref(), Some(""));
    assert!(response.parent.is_none());
    // `null` listed among a named enum's values is an absent one; each union's value decodes.
    assert!(response.level.is_none());
    assert_eq!(response.children[0].level, Some(tricky::types::Level::Info));
    assert!(response.visibility.is_some() && response.connected.is_some());
    assert!(matches!(response.holder, Some(tricky::types::Holder::Integer(7))));
    assert!(response.children[0].holder.is_none());
    assert_eq!(tricky::API.version, "1.0");
}

#[tokio::test]
async fn schemas_named_like_prelude_types_and_non_ascii_properties_work() {
    let server = Server::always(Reply::json(200, "\"None\"")).await.unwrap();
    let client = tricky::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap();
    let body = tricky::types::Result {
        string: None,
        naïve: Some("x".into()),
        vec: vec![tricky::types::Vec(Default::default())],
    };
    let response = client.post_result().body(body).send().await.unwrap();
    assert_eq!(*response, tricky::types::Option::None);
    assert_eq!(workspace_tests::body_json(&server.single_request()), json!({"naïve": "x", "Vec": [{}]}));
}

/// The `mock` module compiles for these names too (progenitor's helpers pass a simple enum
/// response by value to `json_body_obj`, which wants a reference; codegen borrows it).
#[tokio::test]
async fn typed_mocks_compile_and_work_for_enum_responses() {
    use mock::MockServerExt;

    let server = httpmock::MockServer::start_async().await;
    let mock = server.post_result(|when, then| {
        when.body(&tricky::types::Result::default());
        then.ok(tricky::types::Option::Some);
    });
    let client = tricky::Client::builder().api_key(KEY).base_url(server.base_url()).build().unwrap();
    let response = client.post_result().body(tricky::types::Result::default()).send().await.unwrap();
    mock.assert_async().await;
    assert_eq!(*response, tricky::types::Option::Some);
}

/// `unique-enum-variant-names`: `domain.created`, `domain-created` and `domain_created` are
/// one Rust name to typify; each gets its own variant, and every place the generated code
/// writes or reads the value (serde, `Display`, `FromStr`, `TryFrom`) keeps the exact wire
/// value. `deduplicate-enum-values`: `deployment.ready`, listed twice, is one variant (the
/// exhaustive match fails to compile if either rule stops working).
#[test]
fn colliding_enum_values_keep_their_exact_wire_values() {
    use tricky::types::EventKind;

    let all = [
        (EventKind::DomainDotCreated, "domain.created"),
        (EventKind::DomainDashCreated, "domain-created"),
        (EventKind::DomainUnderscoreCreated, "domain_created"),
        (EventKind::DeploymentReady, "deployment.ready"),
        (EventKind::Removed, "removed"),
    ];
    for (variant, wire) in all {
        match variant {
            EventKind::DomainDotCreated
            | EventKind::DomainDashCreated
            | EventKind::DomainUnderscoreCreated
            | EventKind::DeploymentReady
            | EventKind::Removed
            | EventKind::Unknown(_) => {}
        }
        assert_eq!(serde_json::to_value(&variant).unwrap(), json!(wire));
        assert_eq!(serde_json::from_value::<EventKind>(json!(wire)).unwrap(), variant);
        assert_eq!(variant.to_string(), wire);
        assert_eq!(wire.parse::<EventKind>().unwrap(), variant);
        assert_eq!(EventKind::try_from(wire).unwrap(), variant);
        assert_eq!(EventKind::try_from(wire.to_string()).unwrap(), variant);
    }
    assert!("DomainDotCreated".parse::<EventKind>().is_err());
    // A value the spec does not list decodes (an answer never fails on it), shows and writes
    // back as it came; parsing a caller's text stays strict.
    let unlisted: EventKind = serde_json::from_value(json!("domain.deleted")).unwrap();
    assert_eq!(unlisted, EventKind::Unknown("domain.deleted".into()));
    assert_eq!(unlisted.to_string(), "domain.deleted");
    assert_eq!(serde_json::to_value(&unlisted).unwrap(), json!("domain.deleted"));
    assert!("domain.deleted".parse::<EventKind>().is_err());
    assert_eq!(
        serde_json::from_value::<EventKind>(json!("domain.Created")).unwrap(),
        EventKind::Unknown("domain.Created".into())
    );
    assert!(serde_json::from_value::<EventKind>(json!(5)).is_err());
}

/// The colliding values on the wire (an array query parameter, one pair per item) and back;
/// `nullable-named-one-of`: the nullable JSON value type is one type, `null` at every level;
/// `unique-type-titles`: the property titled `String` is a type of its own, not the
/// component `String` typify would silently have reused.
#[tokio::test]
async fn repaired_schemas_work_on_the_wire() {
    use tricky::types::{EventKind, EventsSource, JsonValue};

    let answer = json!({"kinds": ["domain-created", "domain.created"], "value": {"a": [1.5, null, true], "b": null},
        "source": "cli"});
    let server = Server::always(Reply::json(200, answer.to_string())).await.unwrap();
    let client = tricky::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap();
    let events = client
        .list_events()
        .kind(vec![EventKind::DomainDotCreated, EventKind::DomainDashCreated])
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(server.single_request().query.as_deref(), Some("kind=domain.created&kind=domain-created"));
    assert_eq!(events.kinds, [EventKind::DomainDashCreated, EventKind::DomainDotCreated]);
    assert_eq!(events.source, Some(EventsSource::Cli));
    let Some(JsonValue::Object(map)) = &events.value else { panic!("{:?}", events.value) };
    assert_eq!(map["b"], None);
    assert_eq!(
        map["a"],
        Some(JsonValue::Array(vec![Some(JsonValue::Number(1.5)), None, Some(JsonValue::Boolean(true))]))
    );
    assert_eq!(serde_json::to_value(&events).unwrap(), answer);

    // `value` is required and nullable: an explicit null is a value, a missing one is not.
    let null: tricky::types::Events = serde_json::from_value(json!({"kinds": [], "value": null})).unwrap();
    assert_eq!(null.value, None);
    assert!(serde_json::from_value::<tricky::types::Events>(json!({"kinds": []})).is_err());
}

/// progenitor's mock helper for an array query parameter printed the whole `Vec` (which does
/// not compile); it matches one pair per item, as the client sends them.
#[tokio::test]
async fn typed_mocks_match_array_query_parameters_item_by_item() {
    use mock::MockServerExt;
    use tricky::types::EventKind;

    let server = httpmock::MockServer::start_async().await;
    let kinds = vec![EventKind::DomainDotCreated, EventKind::DomainUnderscoreCreated];
    let mock = server.list_events(|when, then| {
        when.kind(&kinds);
        then.ok(&tricky::types::Events { kinds: kinds.clone(), source: None, value: None });
    });
    let client = tricky::Client::builder().api_key(KEY).base_url(server.base_url()).build().unwrap();
    let events = client.list_events().kind(kinds.clone()).send().await.unwrap();
    mock.assert_async().await;
    assert_eq!(events.kinds, kinds);
    // One item missing: the mock does not match.
    assert!(client.list_events().kind(vec![EventKind::DomainDotCreated]).send().await.is_err());
}

/// The dispatcher (feature `dispatch`) compiles for these names too and sets each argument
/// through its setter: keyword methods and parameters, a schema called `Result`.
#[tokio::test]
async fn the_dispatcher_calls_keyword_named_operations_by_name() {
    let answer = json!({"type": "root", "async": true, "children": []});
    let server = Server::always(Reply::json(200, answer.to_string())).await.unwrap();
    let client = (dispatch::VENDOR.connect)(&server.url(), KEY).unwrap();
    let args = json!({"self_": "s 1", "match_": "yes", "client": "c", "api_version": "2024-01-01"});
    let answered = client.call("type_", args.as_object().unwrap()).await.unwrap();
    assert_eq!(answered.status, 200);
    assert_eq!(answered.pointer("/type"), Some(&json!("root")));
    let request = server.single_request();
    assert_eq!(request.path, "/type/s%201");
    assert_eq!(request.query.as_deref(), Some("client=c&match=yes"));

    let unknown = client.call("type_", json!({"nope": 1}).as_object().unwrap()).await.unwrap_err();
    assert_eq!(unknown.to_string(), "`type_` takes no argument `nope`");
    // (A string the enum does not list is sent as given: enums are open.)
    let wrong = client.call("type_", json!({"match_": 5}).as_object().unwrap()).await.unwrap_err();
    assert_eq!(wrong.to_string(), "argument `match_` does not fit its type");
    assert!(client.call("no_such", &serde_json::Map::new()).await.is_err());
    assert_eq!(dispatch::VENDOR.api.title, tricky::API.title);
}

/// A JSON body of a media type of its own (`application/json-patch+json`) and raw bytes of
/// another (`image/png`) go out with their own `Content-Type`, not `application/json` or
/// `application/octet-stream`.
#[tokio::test]
async fn a_body_of_its_own_media_type_is_sent_with_it() {
    let server = Server::always(Reply::status(204)).await.unwrap();
    let client = tricky::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap();
    let op = tricky::types::PatchDocumentBodyItem::builder().op("replace").path("/name").value(serde_json::json!("x"));
    client.patch_document().body(vec![op.try_into().unwrap()]).send().await.unwrap();
    let request = server.single_request();
    assert_eq!(request.header("content-type"), Some("application/json-patch+json"));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&request.body).unwrap(),
        serde_json::json!([{"op": "replace", "path": "/name", "value": "x"}])
    );

    let server = Server::always(Reply::status(204)).await.unwrap();
    let client = tricky::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap();
    client.put_avatar().body(vec![0x89, b'P', b'N', b'G']).send().await.unwrap();
    let request = server.single_request();
    assert_eq!(request.header("content-type"), Some("image/png"));
    assert_eq!(&request.body[..], [0x89, b'P', b'N', b'G']);
}

/// `200` with a document beside `204` without one (`unrepresentable-responses`): `send`
/// answers `Option`, `None` for the empty answer, and a body that is not the document is still
/// an error.
#[tokio::test]
async fn a_document_beside_no_body_is_an_option() {
    let server = Server::always(Reply::json(200, r#"{"id": "x1"}"#)).await.unwrap();
    let client = tricky::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap();
    let answer: Option<tricky::types::MaybeResponse> = client.maybe().send().await.unwrap().into_inner();
    assert_eq!(answer.map(|a| a.id).as_deref(), Some("x1"));
    assert_eq!(server.single_request().header("accept"), Some("application/json"));

    let server = Server::always(Reply::status(204)).await.unwrap();
    let client = tricky::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap();
    let response = client.maybe().send().await.unwrap();
    assert_eq!(response.status().as_u16(), 204);
    assert!(response.into_inner().is_none());

    let server = Server::always(Reply::json(200, r#"{"unexpected": true}"#)).await.unwrap();
    let client = tricky::Client::builder().api_key(KEY).base_url(server.url()).retries(0).build().unwrap();
    assert!(client.maybe().send().await.is_err());
}
