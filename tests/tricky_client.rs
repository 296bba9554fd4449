//! A client generated from `tests/tricky/` compiles and works: an operation called `type`,
//! parameters called `self`, `match` and `client`, the spec's own `api-version` header,
//! keyword properties, a recursive schema and schemas named like prelude types (`Result`,
//! `Option`, `String`, `Vec`), all with their wire names kept.
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
    let answer = json!({"type": "root", "async": true, "children": [{"type": "leaf", "async": false}]});
    let server = Server::always(Reply::json(200, answer.to_string())).await.unwrap();
    let client = tricky::Client::builder().api_key(KEY).base_url(server.url()).build().unwrap();
    let response = client
        .type_()
        .self_("s 1")
        .match_(tricky::types::TypeMatch::Yes)
        .client("c")
        .api_version("2024-01-01")
        .x_trace_id("t-1")
        .send()
        .await
        .unwrap();

    let request = server.single_request();
    assert_eq!(request.path, "/type/s%201");
    assert_eq!(request.query.as_deref(), Some("client=c&match=yes"));
    assert_eq!(request.header("api-version"), Some("2024-01-01"));
    assert_eq!(request.header("x-trace-id"), Some("t-1"));
    assert_eq!(response.type_, "root");
    assert!(response.async_);
    assert_eq!(response.children[0].type_, "leaf");
    assert!(response.parent.is_none());
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
    let wrong = client.call("type_", json!({"match_": "maybe"}).as_object().unwrap()).await.unwrap_err();
    assert_eq!(wrong.to_string(), "argument `match_` does not fit its type");
    assert!(client.call("no_such", &serde_json::Map::new()).await.is_err());
    assert_eq!(dispatch::VENDOR.api.title, tricky::API.title);
}
