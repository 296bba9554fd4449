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

/// Pages of a paginated list, for the demo's walk: the example answer with two items and the
/// cursor `page-2`, then `page-3`, then a page without items (the end). `None` when `request`
/// is not for a paginated operation, or its example has no place for the items and the cursor.
pub fn paged_reply(prepared: &api_codegen::Prepared, request: &Recorded) -> Option<Reply> {
    use api_codegen::plan::{NextCursor, Pagination};
    let pointer = Pagination::pointer;
    let (id, response) = examples::answer(&prepared.doc, &request.method, &request.path, request.header("accept"))?;
    let op = api_codegen::doc::Spec::new(&prepared.doc).operation(&id)?;
    let paging = prepared.plan.operation(&op.pointer)?.pagination.as_ref()?;
    let mut body = response.body?;
    let items = pointer(&paging.items);
    let item = body.pointer(&items)?.as_array()?.first()?.clone();
    let asked = request.query.as_deref().unwrap_or_default().split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        (name == paging.cursor).then(|| value.to_string())
    });
    let page = match asked.as_deref() {
        Some("page-2" | "1002") => 2,
        Some("page-3" | "1003") => 3,
        _ => 1,
    };
    let count = if page == 3 { 0 } else { 2 };
    let mut list = vec![item; count];
    let cursor =
        |numeric: bool| if numeric { Value::from(1001 + page) } else { Value::from(format!("page-{}", page + 1)) };
    match &paging.next {
        NextCursor::Field(path) => {
            let numeric = body.pointer(&pointer(path)).is_some_and(Value::is_number);
            *body.pointer_mut(&pointer(path))? = cursor(numeric);
        }
        NextCursor::LastItem(path) => {
            if let Some(last) = list.last_mut() {
                let numeric = last.pointer(&pointer(path)).is_some_and(Value::is_number);
                *last.pointer_mut(&pointer(path))? = cursor(numeric);
            }
        }
    }
    *body.pointer_mut(&items)? = Value::Array(list);
    Some(Reply::json(response.status, body.to_string()))
}
