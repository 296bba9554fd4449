//! Every paginated operation of every vendor (the `pagination` rule's plan) walked with
//! `pages()` against a loopback server: three pages ending on an empty one, two ending on
//! `has_more: false` where the answer has the flag, and a server whose cursor repeats (an
//! error after its second page, never a loop). Each next request carries the cursor the page
//! before named, and every other argument the first request carried. Part of the
//! `every_operation` test binary (`mod paginated;`).

use std::sync::{Arc, Mutex, PoisonError};

use api_codegen::plan::{NextCursor, Pagination};
use demo::{Caller, Failure};
use loopback::{Recorded, Reply, Server};
use serde_json::{Value, json};
use spec_tools::examples;
use workspace_tests::KEY;

use crate::operations::{self, Operation};

#[tokio::test]
async fn every_paginated_operation_is_walked_to_its_end() {
    let mut report = Vec::new();
    let mut failures = Vec::new();
    for vendor in demo::VENDORS {
        let plan = operations::plan(vendor);
        let paginated: Vec<(&Operation, Pagination)> = plan
            .calls
            .iter()
            .filter_map(|op| Some((op, plan.prepared.plan.operation(&op.pointer)?.pagination.clone()?)))
            .collect();
        let pages: Arc<Mutex<Vec<Reply>>> = Arc::new(Mutex::new(Vec::new()));
        let served = Arc::clone(&pages);
        let server = Server::start(move |_| {
            let mut pages = served.lock().unwrap_or_else(PoisonError::into_inner);
            if pages.is_empty() { Reply::status(599) } else { pages.remove(0) }
        })
        .await
        .unwrap();
        let client = (vendor.connect_once)(&server.url(), KEY).unwrap();
        for (op, paging) in &paginated {
            let walk = Walk { client: client.as_ref(), server: &server, pages: &pages, op, paging };
            if let Err(problem) = walk.check(&plan.prepared.doc).await {
                failures.push(format!("{}: {}: {problem}", vendor.name, op.label()));
            }
        }
        report.push(format!("{}: {} paginated operations walked", vendor.name, paginated.len()));
    }
    eprintln!("{}", report.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

struct Walk<'a> {
    client: &'a dyn Caller,
    server: &'a Server,
    pages: &'a Mutex<Vec<Reply>>,
    op: &'a Operation,
    paging: &'a Pagination,
}

/// One page the server answers: how many items, the cursor it names, its `has_more`.
struct Page {
    items: usize,
    next: usize,
    has_more: bool,
}

impl Walk<'_> {
    async fn check(&self, doc: &Value) -> Result<(), String> {
        let (template, schema) = self.template(doc).ok_or_else(|| {
            let example = self.op.responses.iter().find(|r| (200..300).contains(&r.status)).map(|r| &r.body);
            format!("no example answer holds the items and the cursor: {example:?}")
        })?;
        let page = |items, next, has_more| Page { items, next, has_more };
        // Three pages, the last empty: the walk ends there.
        let three = [page(2, 1, true), page(2, 2, true), page(0, 3, true)];
        self.walk(doc, (&template, schema), &three, Ok(3)).await.map_err(|e| format!("three pages: {e}"))?;
        if self.paging.has_more.is_some() {
            let flagged = [page(2, 1, true), page(1, 2, false)];
            self.walk(doc, (&template, schema), &flagged, Ok(2)).await.map_err(|e| format!("has_more false: {e}"))?;
        }
        let repeating = [page(2, 1, true), page(2, 1, true)];
        self.walk(doc, (&template, schema), &repeating, Err(Failure::Pagination))
            .await
            .map_err(|e| format!("a repeating cursor: {e}"))
    }

    /// Serves `pages` and walks them: `expected` pages, or the walk's failure.
    async fn walk(
        &self,
        doc: &Value,
        template: (&Value, &Value),
        pages: &[Page],
        expected: Result<u64, Failure>,
    ) -> Result<(), String> {
        let bodies: Vec<(Value, String)> =
            pages.iter().map(|p| self.page(doc, template, p)).collect::<Result<_, _>>()?;
        *self.pages.lock().unwrap_or_else(PoisonError::into_inner) =
            bodies.iter().map(|(body, _)| Reply::json(200, body.to_string())).collect();
        let before = self.server.requests().len();
        let method = format!("{}{}", self.op.description.rust_name, api_codegen::PAGES_SUFFIX);
        let result = self.client.call(&method, &self.op.dispatch_args()).await;
        let requests: Vec<Recorded> = self.server.requests().split_off(before);
        self.pages.lock().unwrap_or_else(PoisonError::into_inner).clear();
        match (&result, expected) {
            (Ok(answer), Ok(count)) if answer.pages == count => {}
            (Err(error), Err(failure)) if error.failure() == Some(failure) => {}
            _ => {
                let first = result.as_ref().ok().and_then(|a| a.pointer("/0")).cloned();
                let served = &bodies[0].0;
                return Err(format!("expected {expected:?}, got {result:?}: served {served}, read {first:?}"));
            }
        }
        let sent = requests.len();
        let wanted = match expected {
            Ok(count) => count as usize,
            Err(_) => pages.len(),
        };
        if sent != wanted {
            return Err(format!("{sent} requests for {wanted} pages"));
        }
        // Each next request asks for the cursor the page before named, and keeps the rest.
        let first = query(&requests[0], Some(&self.paging.cursor));
        for (index, request) in requests.iter().enumerate().skip(1) {
            let cursor = &bodies[index - 1].1;
            let asked = query(request, None).into_iter().find(|(k, _)| *k == self.paging.cursor).map(|(_, v)| v);
            if asked.as_deref() != Some(cursor.as_str()) {
                return Err(format!(
                    "request {} asked `{}` = {asked:?}, not {cursor:?}",
                    index + 1,
                    self.paging.cursor
                ));
            }
            let rest = query(request, Some(&self.paging.cursor));
            if rest != first {
                return Err(format!("request {} lost the caller's arguments: {rest:?}, first {first:?}", index + 1));
            }
        }
        Ok(())
    }

    /// An example answer in which the items and the cursor have a place, and the schema (the
    /// answer's, or the union alternative's) it conforms to.
    fn template<'d>(&self, doc: &'d Value) -> Option<(Value, &'d Value)> {
        let response = self.op.responses.iter().find(|r| (200..300).contains(&r.status))?;
        let schema = schema(doc, self.op, response.status)?;
        let spec = api_codegen::doc::Spec::new(doc);
        let resolved = spec.resolved(schema);
        let alternatives: Vec<&Value> =
            ["oneOf", "anyOf"].iter().filter_map(|k| resolved.get(*k).and_then(Value::as_array)).flatten().collect();
        let candidates = if alternatives.is_empty() { vec![schema] } else { alternatives };
        let items = Pagination::pointer(&self.paging.items);
        candidates.into_iter().find_map(|alternative| {
            let mut candidate = examples::valid(doc, alternative);
            // An example whose array came out empty gets one item.
            let item = schema_at(doc, alternative, &self.paging.items, 0)
                .and_then(|array| array.get("items"))
                .map(|item| examples::valid(doc, item));
            if let (Some(Value::Array(list)), Some(item)) = (candidate.pointer_mut(&items), item)
                && list.is_empty()
            {
                list.push(item);
            }
            let has_items = candidate.pointer(&items).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
            let has_cursor = match &self.paging.next {
                NextCursor::Field(path) => parent(&candidate, path).is_some(),
                NextCursor::LastItem(_) => true,
            };
            (has_items && has_cursor).then_some((candidate, alternative))
        })
    }

    /// The answer for `page` (valid for the operation's schema) and the cursor it names as
    /// the next request must send it.
    fn page(&self, doc: &Value, (template, schema): (&Value, &Value), page: &Page) -> Result<(Value, String), String> {
        let items = Pagination::pointer(&self.paging.items);
        let item = template.pointer(&items).and_then(|a| a.get(0)).cloned().unwrap_or_default();
        // A cursor as text, and as a number for a field that holds numbers.
        let (text, number) = (format!("cursor-{}", page.next), 1_700_000_000_000_u64 + page.next as u64);
        let mut tried = Vec::new();
        // The kind the example holds first (a union lets a page of the wrong kind conform).
        let numeric = match &self.paging.next {
            NextCursor::Field(path) => template.pointer(&Pagination::pointer(path)).is_some_and(Value::is_number),
            NextCursor::LastItem(path) => item.pointer(&Pagination::pointer(path)).is_some_and(Value::is_number),
        };
        let kinds = if numeric { [json!(number), json!(text)] } else { [json!(text), json!(number)] };
        for cursor in kinds {
            let mut body = template.clone();
            let mut list: Vec<Value> = vec![item.clone(); page.items];
            match &self.paging.next {
                NextCursor::Field(path) => set(&mut body, path, cursor.clone()),
                NextCursor::LastItem(path) => {
                    for (index, each) in list.iter_mut().enumerate() {
                        let own = if index + 1 == page.items { cursor.clone() } else { json!(format!("item-{index}")) };
                        set(each, path, own);
                    }
                }
            }
            set(&mut body, &self.paging.items, Value::Array(list));
            if let Some(flag) = &self.paging.has_more {
                set(&mut body, flag, json!(page.has_more));
            }
            let valid = spec_tools::conformance::conforms(doc, schema, &body);
            let wire = match &cursor {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            if valid {
                return Ok((body, wire));
            }
            tried.push(body);
        }
        Err(format!("no page conforms to the answer's schema: {tried:?}"))
    }
}

/// The schema of the operation's JSON answer with `status`.
fn schema<'d>(doc: &'d Value, op: &Operation, status: u16) -> Option<&'d Value> {
    let spec = api_codegen::doc::Spec::new(doc);
    let response = spec.resolved(doc.pointer(&op.pointer)?.get("responses")?.get(status.to_string())?);
    let content = response.get("content")?.as_object()?;
    content.iter().find(|(media, _)| examples::is_json(media)).and_then(|(_, media)| media.get("schema"))
}

/// The query of `request` as (name, value) pairs, without `leave_out`.
fn query(request: &Recorded, leave_out: Option<&str>) -> Vec<(String, String)> {
    let text = request.query.clone().unwrap_or_default();
    let mut pairs: Vec<(String, String)> = text
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k.to_string(), v.to_string())
        })
        .filter(|(k, _)| Some(k.as_str()) != leave_out)
        .collect();
    pairs.sort();
    pairs
}

/// The schema at a property path, through `$ref`s and the members of unions and `allOf`.
fn schema_at<'d>(doc: &'d Value, schema: &'d Value, path: &[String], depth: usize) -> Option<&'d Value> {
    let schema = api_codegen::doc::Spec::new(doc).resolved(schema);
    let Some((first, rest)) = path.split_first() else { return Some(schema) };
    if depth > 16 {
        return None;
    }
    if let Some(property) = schema.get("properties").and_then(|p| p.get(first)) {
        return schema_at(doc, property, rest, depth + 1);
    }
    ["oneOf", "anyOf", "allOf"]
        .iter()
        .filter_map(|k| schema.get(*k).and_then(Value::as_array))
        .flatten()
        .find_map(|member| schema_at(doc, member, path, depth + 1))
}

/// The object holding the last step of `path`.
fn parent<'v>(value: &'v Value, path: &[String]) -> Option<&'v serde_json::Map<String, Value>> {
    let (_, init) = path.split_last()?;
    value.pointer(&Pagination::pointer(init))?.as_object()
}

/// Sets `path` in `value`, creating the objects on the way.
fn set(value: &mut Value, path: &[String], new: Value) {
    let Some((first, rest)) = path.split_first() else {
        *value = new;
        return;
    };
    if !value.is_object() {
        *value = json!({});
    }
    if let Value::Object(map) = value {
        set(map.entry(first.clone()).or_insert(Value::Null), rest, new);
    }
}
