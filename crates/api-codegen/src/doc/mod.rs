//! The one way the generator reads a document: its operations (one walk over `paths`) and
//! `$ref`s (one resolver, one hop limit, one failure behaviour).
//!
//! Every module that reads operations, parameters, request bodies, responses or follows a
//! `$ref` goes through here, so they all agree on what a document says: a `$ref` that
//! loops or does not resolve is the same [`RefError`] everywhere (validation reports it,
//! readers that only look skip it), and a path-level parameter belongs to every operation of
//! its path.

pub mod extensions;
pub mod media;
pub mod path_template;
pub mod ref_sites;
pub mod responses;
pub mod schemas;

use serde_json::Value;

pub use crate::error::{escape_token, join};

/// The HTTP methods an OpenAPI path item may hold, in the order operations are listed.
pub const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// `$ref` hops followed in a row before the chain counts as looping.
pub const MAX_REF_HOPS: usize = 64;

/// Why a `$ref` gave no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    #[error("`$ref` is not a string")]
    NotString,
    #[error("`$ref: {0}` is not a reference into this document (`#/…`)")]
    NotLocal(String),
    #[error("`$ref: {0}` does not resolve to a place in this document")]
    Unresolved(String),
    #[error("`$ref` chain of more than {MAX_REF_HOPS} hops (it loops) at `$ref: {0}`")]
    Loop(String),
}

/// A (normalised) document, read.
#[derive(Debug, Clone, Copy)]
pub struct Spec<'a> {
    doc: &'a Value,
}

impl<'a> Spec<'a> {
    pub fn new(doc: &'a Value) -> Self {
        Spec { doc }
    }

    pub fn doc(&self) -> &'a Value {
        self.doc
    }

    /// The node a JSON pointer (a `$ref` without its `#`) names, also when the pointer is
    /// percent-encoded (`~1a%7Bid%7D`), as URI fragments may be.
    pub fn pointer(&self, pointer: &str) -> Option<&'a Value> {
        self.doc.pointer(pointer).or_else(|| self.doc.pointer(&percent_decode(pointer)?))
    }

    /// The node one `$ref` value names (one hop).
    pub fn target(&self, reference: &Value) -> Result<&'a Value, RefError> {
        let reference = reference.as_str().ok_or(RefError::NotString)?;
        let pointer = reference.strip_prefix('#').ok_or_else(|| RefError::NotLocal(reference.to_string()))?;
        self.pointer(pointer).ok_or_else(|| RefError::Unresolved(reference.to_string()))
    }

    /// The JSON pointer one `$ref` value names, spelled as the document spells it (decoded
    /// where only the percent-decoded pointer resolves).
    pub fn target_pointer(&self, reference: &Value) -> Result<String, RefError> {
        let text = reference.as_str().ok_or(RefError::NotString)?;
        let pointer = text.strip_prefix('#').ok_or_else(|| RefError::NotLocal(text.to_string()))?;
        if self.doc.pointer(pointer).is_some() {
            return Ok(pointer.to_string());
        }
        percent_decode(pointer)
            .filter(|decoded| self.doc.pointer(decoded).is_some())
            .ok_or_else(|| RefError::Unresolved(text.to_string()))
    }

    /// `node` with its `$ref` chain followed to a definition.
    pub fn resolve(&self, node: &'a Value) -> Result<&'a Value, RefError> {
        let mut node = node;
        for _ in 0..MAX_REF_HOPS {
            match node.get("$ref") {
                Some(reference) => node = self.target(reference)?,
                None => return Ok(node),
            }
        }
        let last = node.get("$ref").and_then(Value::as_str).unwrap_or_default();
        Err(RefError::Loop(last.to_string()))
    }

    /// [`Spec::resolve`], or `node` itself when its chain breaks: for readers that only look
    /// (validation reports the broken reference).
    pub fn resolved(&self, node: &'a Value) -> &'a Value {
        self.resolve(node).unwrap_or(node)
    }

    /// Every operation, in document order (paths as written, methods in [`METHODS`] order).
    pub fn operations(&self) -> Vec<Operation<'a>> {
        let mut out = Vec::new();
        for (path, item) in self.doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
            let item_pointer = join("/paths", path);
            for method in METHODS {
                if let Some(node) = item.get(method) {
                    out.push(Operation {
                        spec: *self,
                        pointer: join(&item_pointer, method),
                        item_pointer: item_pointer.clone(),
                        path,
                        method,
                        node,
                        item,
                    });
                }
            }
        }
        out
    }

    /// The operation whose `operationId` is `id`.
    pub fn operation(&self, id: &str) -> Option<Operation<'a>> {
        self.operations().into_iter().find(|op| op.id() == Some(id))
    }
}

/// One operation of a document.
#[derive(Debug, Clone)]
pub struct Operation<'a> {
    spec: Spec<'a>,
    /// JSON pointer of the operation object (`/paths/~1v1~1x/get`).
    pub pointer: String,
    /// JSON pointer of its path item.
    pub item_pointer: String,
    /// The path template as written (`/v1/x/{id}`).
    pub path: &'a str,
    /// Lower-case method (`get`).
    pub method: &'static str,
    /// The operation object.
    pub node: &'a Value,
    /// Its path item (holding the parameters shared by its operations).
    pub item: &'a Value,
}

/// One parameter of an operation, resolved.
#[derive(Debug, Clone)]
pub struct Parameter<'a> {
    /// Pointer of the list entry (path item's or operation's), before resolving.
    pub pointer: String,
    /// The parameter object its `$ref` chain ends at.
    pub node: &'a Value,
    /// Declared on the path item, so shared by every operation of the path.
    pub shared: bool,
}

impl<'a> Parameter<'a> {
    pub fn name(&self) -> Option<&'a str> {
        self.node.get("name").and_then(Value::as_str)
    }

    /// `in`: `path`, `query`, `header` or `cookie`.
    pub fn location(&self) -> Option<&'a str> {
        self.node.get("in").and_then(Value::as_str)
    }

    pub fn required(&self) -> bool {
        self.node.get("required") == Some(&Value::Bool(true))
    }

    /// Its schema, resolved.
    pub fn schema(&self, spec: &Spec<'a>) -> Option<&'a Value> {
        self.node.get("schema").map(|s| spec.resolved(s))
    }
}

impl<'a> Operation<'a> {
    pub fn spec(&self) -> Spec<'a> {
        self.spec
    }

    pub fn id(&self) -> Option<&'a str> {
        self.node.get("operationId").and_then(Value::as_str)
    }

    /// The pointers of its two parameter lists: the path item's, then its own.
    pub fn parameter_lists(&self) -> [String; 2] {
        [join(&self.item_pointer, "parameters"), join(&self.pointer, "parameters")]
    }

    /// Every parameter that applies to it: the path item's, then its own, each resolved (an
    /// entry whose `$ref` does not resolve is left out: validation reports it). An operation's
    /// own parameter overrides the path item's of the same name and location.
    pub fn parameters(&self) -> Vec<Parameter<'a>> {
        let list = |holder: &'a Value, pointer: String, shared: bool| {
            let spec = self.spec;
            holder.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate().filter_map(
                move |(index, entry)| {
                    let node = spec.resolve(entry).ok()?;
                    Some(Parameter { pointer: join(&pointer, &index.to_string()), node, shared })
                },
            )
        };
        let [shared_list, own_list] = self.parameter_lists();
        let own: Vec<Parameter<'a>> = list(self.node, own_list, false).collect();
        let overridden = |p: &Parameter<'a>| {
            own.iter().any(|o| o.name() == p.name() && o.location() == p.location() && p.name().is_some())
        };
        let mut out: Vec<Parameter<'a>> = list(self.item, shared_list, true).filter(|p| !overridden(p)).collect();
        out.extend(own);
        out
    }

    /// Its request body object, resolved.
    pub fn request_body(&self) -> Option<&'a Value> {
        self.node.get("requestBody").and_then(|b| self.spec.resolve(b).ok())
    }

    /// The schemas of its request body, one per media type.
    pub fn request_schemas(&self) -> impl Iterator<Item = &'a Value> {
        content_schemas(self.request_body())
    }

    /// Its responses by status key (`200`, `4XX`, `default`), each resolved.
    pub fn responses(&self) -> Vec<(&'a str, &'a Value)> {
        let spec = self.spec;
        self.node
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(status, response)| Some((status.as_str(), spec.resolve(response).ok()?)))
            .collect()
    }

    /// The schemas of its 2xx and `default` responses, one per media type.
    pub fn success_schemas(&self) -> Vec<&'a Value> {
        self.responses()
            .into_iter()
            .filter(|(status, _)| status.starts_with('2') || *status == "default")
            .flat_map(|(_, response)| content_schemas(Some(response)))
            .collect()
    }
}

/// The `schema` of each media type of a request body or response.
fn content_schemas(holder: Option<&Value>) -> impl Iterator<Item = &Value> {
    holder
        .and_then(|h| h.get("content"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(_, media)| media.get("schema"))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_resolver_names_each_way_a_reference_fails() {
        let doc = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"}, "B": {"type": "string"},
            "Loop": {"$ref": "#/components/schemas/Loop"}}}});
        let spec = Spec::new(&doc);
        assert_eq!(spec.resolve(&json!({"$ref": "#/components/schemas/A"})), Ok(&json!({"type": "string"})));
        assert_eq!(spec.resolve(&json!({"$ref": 3})), Err(RefError::NotString));
        assert_eq!(spec.resolve(&json!({"$ref": "other.yaml#/x"})), Err(RefError::NotLocal("other.yaml#/x".into())));
        assert_eq!(spec.resolve(&json!({"$ref": "#/nope"})), Err(RefError::Unresolved("#/nope".into())));
        assert_eq!(
            spec.resolve(&json!({"$ref": "#/components/schemas/Loop"})),
            Err(RefError::Loop("#/components/schemas/Loop".into()))
        );
        let broken = json!({"$ref": "#/nope"});
        assert_eq!(spec.resolved(&broken), &broken);
    }

    #[test]
    fn percent_encoded_pointers_resolve() {
        let doc = json!({"paths": {"/a/{id}": {"x": 1}}});
        assert_eq!(Spec::new(&doc).pointer("/paths/~1a~1%7Bid%7D/x"), Some(&json!(1)));
    }

    #[test]
    fn operations_see_path_level_parameters_their_own_overriding() {
        let doc = json!({
            "paths": {"/t/{id}": {
                "parameters": [
                    {"$ref": "#/components/parameters/Id"},
                    {"name": "v", "in": "query", "description": "shared"}],
                "post": {"operationId": "p", "parameters": [{"name": "v", "in": "query", "description": "own"}],
                         "requestBody": {"$ref": "#/components/requestBodies/B"},
                         "responses": {"200": {"$ref": "#/components/responses/R"}, "400": {"description": "x"}}},
                "get": {"operationId": "g"}}},
            "components": {
                "parameters": {"Id": {"name": "id", "in": "path", "required": true}},
                "requestBodies": {"B": {"content": {"application/json": {"schema": {"type": "object"}}}}},
                "responses": {"R": {"content": {"application/json": {"schema": {"type": "string"}}}}}}});
        let spec = Spec::new(&doc);
        let ops = spec.operations();
        assert_eq!(
            ops.iter().map(|o| (o.method, o.id())).collect::<Vec<_>>(),
            [("get", Some("g")), ("post", Some("p"))]
        );
        let post = spec.operation("p").unwrap();
        assert_eq!(post.pointer, "/paths/~1t~1{id}/post");
        let params = post.parameters();
        let described: Vec<_> =
            params.iter().map(|p| (p.name(), p.shared, p.node.get("description").and_then(Value::as_str))).collect();
        assert_eq!(described, [(Some("id"), true, None), (Some("v"), false, Some("own"))]);
        assert_eq!(params[0].pointer, "/paths/~1t~1{id}/parameters/0");
        assert!(params[0].required());
        assert_eq!(post.request_schemas().collect::<Vec<_>>(), [&json!({"type": "object"})]);
        assert_eq!(post.success_schemas(), [&json!({"type": "string"})]);
        assert_eq!(post.responses().len(), 2);
    }
}
