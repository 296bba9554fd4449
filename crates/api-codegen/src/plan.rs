//! The plan: what the rules decided for later stages, as a typed value beside the document.
//!
//! A rule that repairs the document changes the document; a rule that decides something a
//! later stage must act on (send this body as a form, leave this operation out, send this
//! header for the caller, put this wire name back) records it here. Every later stage reads
//! the plan, never a key another stage wrote into the document: the document holds only what
//! its author wrote plus the public extensions of [`crate::doc::extensions`], so a document
//! cannot steer a stage by carrying a key meant for another (`tests/hostile_specs.rs`).
//!
//! Operations are keyed by their JSON pointer (`/paths/~1v1~1x/post`), which no rule changes;
//! parameters by the pointer of the parameter (or of the `$ref` standing for it).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::doc::Spec;
use crate::doc::media::{SuccessBody, success_body};
use crate::names::method_name;

/// Every decision, per operation and for the whole document.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Plan {
    operations: BTreeMap<String, OperationPlan>,
    /// Parameters a rule renamed in the document (their Rust name) → the name on the wire.
    wire_names: BTreeMap<String, String>,
    /// Secret strings whose constraints progenitor's input leaves out (schema pointers).
    pub unconstrained_secrets: Vec<String>,
    /// Strings whose `pattern` and length bounds progenitor's input leaves out (schema
    /// pointers): the server checks them, the client reads and writes plain strings
    /// (`string-constraints`).
    pub unchecked_strings: std::collections::BTreeSet<String>,
    /// Optional properties whose `default` progenitor's input leaves out (schema pointers):
    /// the server assumes it, the client sends the field only when set (`unsent-defaults`).
    pub unsent_defaults: Vec<String>,
    /// Component schemas progenitor's input leaves out (name → why): typify cannot take them
    /// (`generator-rejects`). Every operation reaching one is left out too.
    left_out_schemas: BTreeMap<String, String>,
}

/// What one operation becomes in the client.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct OperationPlan {
    /// progenitor's method name (and the hooks' operation id); set by [`Plan::complete`].
    pub rust_name: String,
    /// How the request body is sent.
    pub request: Request,
    /// What `send` returns; set by [`Plan::complete`].
    pub success: SuccessBody,
    /// Required headers with one allowed value, sent by the runtime (name, value).
    pub constant_headers: Vec<(String, String)>,
    /// Statuses progenitor's httpmock generator cannot name: the mock leaves them out.
    pub mock_omits: Vec<u16>,
    /// Query parameters (their names in the document) with `style: deepObject`, sent as
    /// `name[key]=value` (`deep-object-query`).
    pub deep_object_query: Vec<String>,
    /// Query parameters of `form` style (OpenAPI's default) whose type is a struct, sent as
    /// its properties (`form-object-query`).
    pub form_object_query: Vec<FormObjectQuery>,
    /// Query parameters (names in the document) whose type is a struct, which progenitor
    /// cannot take: it is given a map of that type, and the builder takes the struct again.
    pub struct_query: Vec<String>,
    /// How its builder walks the pages of a list (`pagination`).
    pub pagination: Option<Pagination>,
}

/// A paginated list: the query parameter the next page's cursor goes in, where the cursor
/// comes from, and the items (property paths in the answer, JSON names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    /// The query parameter's name in the document.
    pub cursor: String,
    pub next: NextCursor,
    /// The array of items.
    pub items: Vec<String>,
    /// A boolean that is false on the last page, where the answer has one.
    pub has_more: Option<Vec<String>>,
}

impl Pagination {
    /// The JSON pointer of a property path of the answer (or of an item): `["pagination",
    /// "next"]` is `/pagination/next`.
    pub fn pointer(path: &[String]) -> String {
        path.iter().fold(String::new(), |pointer, step| crate::error::join(&pointer, step))
    }
}

/// Where the next page's cursor comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextCursor {
    /// A field of the answer.
    Field(Vec<String>),
    /// A field of the page's last item (its `id`).
    LastItem(Vec<String>),
}

/// A `form` query parameter of a struct type: its properties as `key=value` pairs of their
/// own (exploded) or as one `name=k1,v1,k2,v2` (not exploded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormObjectQuery {
    /// Its name in the document.
    pub name: String,
    pub explode: bool,
}

/// How an operation's request body is sent.
#[derive(Debug, Default, Clone, PartialEq)]
pub enum Request {
    /// As progenitor sends it: JSON, bytes, text or form-urlencoded, or no body at all.
    #[default]
    Progenitor,
    /// A multipart body, sent as a typed form (`forms::<Operation>`).
    Form(FormShape),
    /// A form-urlencoded body, encoded as its `encoding` says (`form-urlencoded-body`).
    UrlEncoded(UrlEncodedShape),
    /// Not at all: the operation has no client method, for this reason.
    LeftOut(String),
}

/// What an operation's multipart body holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormShape {
    /// The component holding the non-file properties.
    pub fields: String,
    pub files: Vec<FileShape>,
    /// Object fields the spec's `encoding` gives `style: deepObject`: one part per property,
    /// named `field[property]`, instead of one JSON part.
    pub deep_objects: Vec<String>,
}

/// How a form-urlencoded body's fields are written: the spec's `encoding` of each field it
/// names (the others are `form`, exploded).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UrlEncodedShape {
    pub fields: Vec<FieldEncoding>,
}

/// One field's `encoding` (`style`, `explode`) in a form-urlencoded body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldEncoding {
    pub name: String,
    pub style: FieldStyle,
    pub explode: bool,
}

/// The styles a form-urlencoded field can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldStyle {
    Form,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}

/// One file property of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileShape {
    /// The property's (and the part's) name.
    pub name: String,
    pub required: bool,
    /// An array of files.
    pub multiple: bool,
    /// `encoding.<name>.contentType` (its first media type), else `application/octet-stream`.
    pub content_type: String,
}

impl Plan {
    /// The plan of the operation at `pointer` (all defaults when no rule decided anything).
    pub fn operation(&self, pointer: &str) -> Option<&OperationPlan> {
        self.operations.get(pointer)
    }

    /// The plan of the operation at `pointer`, for a rule to record a decision in.
    pub fn operation_mut(&mut self, pointer: &str) -> &mut OperationPlan {
        self.operations.entry(pointer.to_string()).or_default()
    }

    /// Every planned operation (pointer, plan), in pointer order.
    pub fn operations(&self) -> impl Iterator<Item = (&str, &OperationPlan)> {
        self.operations.iter().map(|(pointer, plan)| (pointer.as_str(), plan))
    }

    /// The operation's form, if its multipart body is sent as one.
    pub fn form(&self, pointer: &str) -> Option<&FormShape> {
        match &self.operation(pointer)?.request {
            Request::Form(form) => Some(form),
            _ => None,
        }
    }

    /// The operation's form-urlencoded body encoding, if it sends one.
    pub fn urlencoded(&self, pointer: &str) -> Option<&UrlEncodedShape> {
        match &self.operation(pointer)?.request {
            Request::UrlEncoded(shape) => Some(shape),
            _ => None,
        }
    }

    /// Why the operation has no client method, if it has none.
    pub fn left_out(&self, pointer: &str) -> Option<&str> {
        match &self.operation(pointer)?.request {
            Request::LeftOut(why) => Some(why),
            _ => None,
        }
    }

    /// Leaves the component schema `name` out of progenitor's input, for `why`.
    pub fn leave_out_schema(&mut self, name: &str, why: &str) {
        self.left_out_schemas.insert(name.to_string(), why.to_string());
    }

    /// The component schemas left out of progenitor's input, with why.
    pub fn left_out_schemas(&self) -> impl Iterator<Item = (&str, &str)> {
        self.left_out_schemas.iter().map(|(name, why)| (name.as_str(), why.as_str()))
    }

    /// Records that the parameter at `pointer` is sent as `wire` (its document name is now
    /// its Rust name).
    pub fn rename_parameter(&mut self, pointer: &str, wire: &str) {
        self.wire_names.insert(pointer.to_string(), wire.to_string());
    }

    /// The wire name of the parameter at `pointer`, when a rule renamed it.
    pub fn wire_name(&self, pointer: &str) -> Option<&str> {
        self.wire_names.get(pointer).map(String::as_str)
    }

    /// Fills in what every operation of `doc` (as selected) is named and returns, and forgets
    /// operations `doc` no longer has. Runs once the document's shape is final.
    pub fn complete(&mut self, doc: &Value) {
        let spec = Spec::new(doc);
        let operations = spec.operations();
        let present: std::collections::BTreeSet<&str> = operations.iter().map(|op| op.pointer.as_str()).collect();
        self.operations.retain(|pointer, _| present.contains(pointer.as_str()));
        for op in &operations {
            let Some(id) = op.id() else { continue };
            let plan = self.operation_mut(&op.pointer);
            plan.rust_name = method_name(id);
            plan.success = success_body(doc, op.node);
        }
    }
}
