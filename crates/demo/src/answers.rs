//! What the mock servers answer: the spec's own example of the operation's success, in the
//! media type the request accepts (a stream framed as one, bytes as bytes).

use loopback::{Recorded, Reply};
use serde_json::Value;
use spec_tools::examples::{self, Response};

/// The text of a non-JSON body the mocks send.
pub const BYTES: &str = "demo bytes";

/// The spec's example answer to `request`, as the demo's mock and the request benchmark give
/// it; 404 for a request no operation matches.
pub fn example_reply(doc: &Value, request: &Recorded) -> Reply {
    match examples::answer(doc, &request.method, &request.path, request.header("accept")) {
        Some((_, response)) => reply(&response),
        None => Reply::json(404, r#"{"error":"no such operation in the spec"}"#),
    }
}

/// One declared response as a server sends it: its example JSON body (framed when the media
/// type is a stream), or bytes of its media type, or no body.
pub fn reply(response: &Response) -> Reply {
    let reply = match (&response.body, &response.content_type) {
        (Some(item), Some(media)) if examples::framed(media, item).is_some() => {
            Reply::bytes(media, examples::framed(media, item).unwrap_or_default())
        }
        (Some(body), _) => Reply::json(response.status, body.to_string()),
        (None, Some(media)) => Reply::bytes(media, BYTES),
        (None, None) => Reply::status(response.status),
    };
    Reply { status: response.status, ..reply }
}
