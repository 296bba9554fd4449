//! Comparing two [`Surface`]s: what changed between the vendored spec and upstream, and how
//! much it matters to a client. Levels follow oasdiff's rule catalogue (ERR / WARN / INFO),
//! with its request/response asymmetry, judged for *our* generated clients: enums an answer
//! carries are open (an unlisted value decodes as `Unknown`) but one-value enums, constants,
//! are not; required fields are not `Option`, and typify validates string `pattern` and length
//! bounds while deserialising, so some changes oasdiff calls warnings break here.
//!
//! | change | used in a request (client sends) | used in a response (client receives) |
//! |---|---|---|
//! | operation removed / moved | breaking | breaking |
//! | operation added | non-breaking | non-breaking |
//! | required parameter or property added | breaking | non-breaking |
//! | optional property removed | potentially breaking | potentially breaking |
//! | required property removed | potentially breaking | breaking |
//! | became required | breaking | non-breaking |
//! | became optional | non-breaking | breaking (non-`Option` field) |
//! | type or format changed | breaking | breaking |
//! | became nullable | non-breaking | breaking |
//! | enum value added | non-breaking | potentially breaking (decoded as `Unknown`); breaking for a one-value enum (a constant stays closed) |
//! | enum value removed | breaking | non-breaking |
//! | bound set (`maximum`, `maxLength`, `minItems`, `pattern`, …) | potentially breaking | non-breaking |
//! | bound tightened (max decreased, min increased) | breaking | non-breaking |
//! | bound relaxed or removed | non-breaking | potentially breaking; breaking for `pattern` and lengths (typify validates them) |
//! | `pattern` or `multipleOf` changed | potentially breaking | potentially breaking |
//! | `default` changed | potentially breaking (an omitted value now means another) | non-breaking |
//! | became `readOnly` | potentially breaking (the server ignores it) | non-breaking |
//! | became `writeOnly` | non-breaking | breaking if required, else potentially breaking |
//! | deprecated set or cleared | non-breaking | non-breaking |
//! | content type changed | breaking | breaking |
//! | success status removed / added | breaking / potentially breaking | |
//! | declared error status removed / added | potentially breaking / non-breaking (typed ↔ `UnexpectedStatus`) | |
//! | what goes on the wire for authentication changes | breaking | |
//! | only scheme names change (same wire) | non-breaking | |
//! | credential no longer needed | potentially breaking | |
//! | default server (`servers[0]`) changed or removed | breaking (where every key is sent) | |
//! | other servers, `info.version` | non-breaking (informational) | |

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::surface::{Body, CONSTRAINTS, Field, Fields, OperationSurface, ROOT, Surface};

/// How much a change matters to existing callers of a generated client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Level {
    /// oasdiff's ERR: existing code or requests break.
    #[serde(rename = "breaking")]
    Breaking,
    /// oasdiff's WARN: may break, depending on use.
    #[serde(rename = "potentially-breaking")]
    PotentiallyBreaking,
    /// oasdiff's INFO.
    #[serde(rename = "non-breaking")]
    NonBreaking,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Breaking => "breaking",
            Level::PotentiallyBreaking => "potentially breaking",
            Level::NonBreaking => "non-breaking",
        })
    }
}

/// What the change is about, for callers that group or filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    OperationAdded,
    OperationRemoved,
    OperationMoved,
    ParameterAdded,
    ParameterRemoved,
    ParameterChanged,
    RequestBodyChanged,
    PropertyAdded,
    PropertyRemoved,
    PropertyRetyped,
    PropertyRequirednessChanged,
    PropertyNullabilityChanged,
    EnumValueAdded,
    EnumValueRemoved,
    ResponseStatusAdded,
    ResponseStatusRemoved,
    ResponseBodyChanged,
    SecurityChanged,
    AnnotationChanged,
    ConstraintChanged,
    DefaultChanged,
    AccessChanged,
    DeprecationChanged,
    ErrorResponseAdded,
    ErrorResponseRemoved,
    ServerChanged,
    VersionChanged,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    pub level: Level,
    pub kind: Kind,
    /// Where, in words: `operation createAuthToken`, `createAuthToken request body: name`,
    /// `schema AuthToken: expiresAt`.
    pub location: String,
    pub detail: String,
    /// Where, as data.
    pub subject: Subject,
    /// The tags of the operations it touches (empty: the whole API).
    pub tags: Vec<String>,
}

/// The part of the API a change is in. `path` is a [`Fields`] path (`.` for the schema itself).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "in", rename_all = "kebab-case")]
pub enum Subject {
    Operation {
        operation: String,
    },
    Parameter {
        operation: String,
        parameter: String,
    },
    RequestBody {
        operation: String,
        path: String,
    },
    Response {
        operation: String,
        status: String,
        path: String,
    },
    Schema {
        schema: String,
        path: String,
    },
    SecurityScheme {
        scheme: String,
    },
    /// A document-level field: `servers`, `info.version`.
    Document {
        field: String,
    },
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (base, path) = match self {
            Subject::Operation { operation } => return write!(f, "operation {operation}"),
            Subject::Parameter { operation, parameter } => return write!(f, "{operation} parameter {parameter}"),
            Subject::SecurityScheme { scheme } => return write!(f, "security scheme {scheme}"),
            Subject::Document { field } => return f.write_str(field),
            Subject::RequestBody { operation, path } => (format!("{operation} request body"), path),
            Subject::Response { operation, status, path } => (format!("{operation} response {status}"), path),
            Subject::Schema { schema, path } => (format!("schema {schema}"), path),
        };
        if path == ROOT { f.write_str(&base) } else { write!(f, "{base}: {path}") }
    }
}

impl Subject {
    /// The same subject, at another property path.
    fn at(&self, new_path: &str) -> Subject {
        let mut subject = self.clone();
        match &mut subject {
            Subject::RequestBody { path, .. } | Subject::Response { path, .. } | Subject::Schema { path, .. } => {
                *path = new_path.to_string();
            }
            _ => {}
        }
        subject
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}: {}", self.level, self.location, self.detail)
    }
}

/// Which way data flows through a schema: what the client sends, receives, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Direction {
    Request,
    Response,
}

/// Every change from `before` to `after`, most severe first.
pub fn compare(before: &Surface, after: &Surface) -> Vec<Change> {
    let mut out = Changes(Vec::new());
    compare_document(before, after, &mut out);
    compare_operations(before, after, &mut out);
    compare_components(before, after, &mut out);
    compare_schemes(before, after, &mut out);
    let (old_usage, new_usage) = (Usage::of(before), Usage::of(after));
    let mut changes = out.0;
    for change in &mut changes {
        change.tags = tags(&change.subject, [(after, &new_usage), (before, &old_usage)]);
    }
    changes.sort();
    changes.dedup();
    changes
}

/// The tags a change is filed under: its operation's, or those of every operation using its schema.
fn tags(subject: &Subject, surfaces: [(&Surface, &Usage); 2]) -> Vec<String> {
    let mut out = BTreeSet::new();
    for (surface, usage) in surfaces {
        match subject {
            Subject::Operation { operation }
            | Subject::Parameter { operation, .. }
            | Subject::RequestBody { operation, .. }
            | Subject::Response { operation, .. } => {
                if let Some(op) = surface.operations.get(operation) {
                    out.extend(op.tags.iter().cloned());
                    break;
                }
            }
            Subject::Schema { schema, .. } => {
                out.extend(usage.tags.get(schema.as_str()).into_iter().flatten().map(|t| t.to_string()))
            }
            Subject::SecurityScheme { .. } | Subject::Document { .. } => {}
        }
    }
    out.into_iter().collect()
}

/// `servers` and `info.version`.
fn compare_document(before: &Surface, after: &Surface, out: &mut Changes) {
    if before.version != after.version {
        out.push(
            Level::NonBreaking,
            Kind::VersionChanged,
            Subject::Document { field: "info.version".into() },
            format!("changed from `{}` to `{}`", before.version, after.version),
        );
    }
    let servers = || Subject::Document { field: "servers".into() };
    match (before.servers.first(), after.servers.first()) {
        (Some(old), Some(new)) if old != new => out.push(
            Level::Breaking,
            Kind::ServerChanged,
            servers(),
            format!(
                "default base URL changed from `{old}` to `{new}`: every request, with its credential, now goes \
                 to `{new}` unless the client sets a base URL"
            ),
        ),
        (Some(old), None) => out.push(
            Level::Breaking,
            Kind::ServerChanged,
            servers(),
            format!("default base URL `{old}` removed: a client must now be given a base URL"),
        ),
        (None, Some(new)) => {
            out.push(Level::NonBreaking, Kind::ServerChanged, servers(), format!("default base URL `{new}` added"))
        }
        _ => {}
    }
    for old in before.servers.iter().skip(1).filter(|s| !after.servers.contains(s)) {
        out.push(Level::NonBreaking, Kind::ServerChanged, servers(), format!("server `{old}` removed"));
    }
    for new in after.servers.iter().skip(1).filter(|s| !before.servers.contains(s)) {
        out.push(Level::NonBreaking, Kind::ServerChanged, servers(), format!("server `{new}` added"));
    }
}

/// Security schemes by name; what operations send is judged per operation.
fn compare_schemes(before: &Surface, after: &Surface, out: &mut Changes) {
    for (name, scheme) in &before.security_schemes {
        let subject = || Subject::SecurityScheme { scheme: name.clone() };
        match after.security_schemes.get(name) {
            None => out.push(Level::NonBreaking, Kind::SecurityChanged, subject(), format!("removed (was {scheme})")),
            Some(new) if new.wire() != scheme.wire() => out.push(
                Level::Breaking,
                Kind::SecurityChanged,
                subject(),
                format!(
                    "changed from `{scheme}` to `{new}`: the client now sends {} instead of {}",
                    new.wire(),
                    scheme.wire()
                ),
            ),
            Some(new) if new != scheme => out.push(
                Level::NonBreaking,
                Kind::SecurityChanged,
                subject(),
                format!("changed from `{scheme}` to `{new}`; the same goes on the wire"),
            ),
            Some(_) => {}
        }
    }
    for (name, scheme) in &after.security_schemes {
        if !before.security_schemes.contains_key(name) {
            let subject = Subject::SecurityScheme { scheme: name.clone() };
            out.push(Level::NonBreaking, Kind::SecurityChanged, subject, format!("added: {scheme}"));
        }
    }
}

/// What an operation's security requirement puts on the wire, in words.
fn wire(surface: &Surface, alternatives: &[String]) -> String {
    let described: Vec<String> = alternatives
        .iter()
        .map(|alternative| {
            alternative
                .split(" + ")
                .map(|name| surface.security_schemes.get(name).map_or_else(|| format!("`{name}`"), |s| s.wire()))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    described.join(", or ")
}

struct Changes(Vec<Change>);

impl Changes {
    fn push(&mut self, level: Level, kind: Kind, subject: Subject, detail: impl Into<String>) {
        let location = subject.to_string();
        self.0.push(Change { level, kind, location, detail: detail.into(), subject, tags: Vec::new() });
    }
}

fn compare_operations(before: &Surface, after: &Surface, out: &mut Changes) {
    for (id, old) in &before.operations {
        let Some(new) = after.operations.get(id) else {
            out.push(
                Level::Breaking,
                Kind::OperationRemoved,
                Subject::Operation { operation: id.clone() },
                format!("{} {} removed{}", old.method, old.path, tagged(&old.tags)),
            );
            continue;
        };
        compare_operation(id, old, new, (before, after), out);
    }
    for (id, new) in &after.operations {
        if !before.operations.contains_key(id) {
            out.push(
                Level::NonBreaking,
                Kind::OperationAdded,
                Subject::Operation { operation: id.clone() },
                format!("{} {} added{}", new.method, new.path, tagged(&new.tags)),
            );
        }
    }
}

/// ` (tag a, b)`, or nothing for an untagged operation.
fn tagged(tags: &[String]) -> String {
    if tags.is_empty() { String::new() } else { format!(" (tag {})", tags.join(", ")) }
}

fn compare_operation(
    id: &str,
    old: &OperationSurface,
    new: &OperationSurface,
    surfaces: (&Surface, &Surface),
    out: &mut Changes,
) {
    let operation = || Subject::Operation { operation: id.to_string() };
    if (&old.method, &old.path) != (&new.method, &new.path) {
        out.push(
            Level::Breaking,
            Kind::OperationMoved,
            operation(),
            format!("moved from {} {} to {} {}", old.method, old.path, new.method, new.path),
        );
    }
    if old.deprecated != new.deprecated {
        let what = if new.deprecated { "deprecated" } else { "no longer deprecated" };
        out.push(Level::NonBreaking, Kind::DeprecationChanged, operation(), what);
    }
    let (was, now) = (wire(surfaces.0, &old.security), wire(surfaces.1, &new.security));
    if old.security != new.security || was != now {
        let (level, detail) = if was == now {
            (
                Level::NonBreaking,
                format!(
                    "security schemes renamed from {:?} to {:?}; the client sends the same: {now}",
                    old.security, new.security
                ),
            )
        } else if new.security.is_empty() {
            (Level::PotentiallyBreaking, format!("no longer needs a credential: the client stops sending {was}"))
        } else if old.security.is_empty() {
            (Level::Breaking, format!("now needs a credential: the client will send {now}"))
        } else {
            (Level::Breaking, format!("authentication changed: the client now sends {now} instead of {was}"))
        };
        out.push(level, Kind::SecurityChanged, operation(), detail);
    }

    let parameter = |name: &str| Subject::Parameter { operation: id.to_string(), parameter: name.to_string() };
    for (name, before) in &old.parameters {
        let subject = parameter(name);
        match new.parameters.get(name) {
            None if name.starts_with("path ") => out.push(Level::Breaking, Kind::ParameterRemoved, subject, "removed"),
            None => out.push(Level::PotentiallyBreaking, Kind::ParameterRemoved, subject, "removed"),
            Some(after) if constant_header(name, before, after) => out.push(
                Level::Breaking,
                Kind::ParameterChanged,
                subject,
                format!(
                    "the client now sends `{}: {}` instead of `{}`",
                    name.trim_start_matches("header "),
                    after.enum_values[0],
                    before.enum_values[0]
                ),
            ),
            Some(after) => compare_field(&subject, before, after, &[Direction::Request], out),
        }
    }
    for (name, after) in &new.parameters {
        if !old.parameters.contains_key(name) {
            let (level, what) = if after.required {
                (Level::Breaking, "new required parameter")
            } else {
                (Level::NonBreaking, "new optional parameter")
            };
            out.push(level, Kind::ParameterAdded, parameter(name), format!("{what}: {after}"));
        }
    }

    let location = Subject::RequestBody { operation: id.to_string(), path: ROOT.to_string() };
    match (&old.request_body, &new.request_body) {
        (None, Some(body)) => {
            let level = if body.required { Level::Breaking } else { Level::NonBreaking };
            out.push(level, Kind::RequestBodyChanged, location, "request body added");
        }
        (Some(_), None) => {
            out.push(Level::PotentiallyBreaking, Kind::RequestBodyChanged, location, "request body removed")
        }
        (Some(a), Some(b)) => compare_body(&location, a, b, Direction::Request, out),
        (None, None) => {}
    }

    let response = |status: &str| Subject::Response {
        operation: id.to_string(),
        status: status.to_string(),
        path: ROOT.to_string(),
    };
    for (status, old_body) in &old.responses {
        let location = response(status);
        let success = status.starts_with('2') || status == "default";
        match new.responses.get(status) {
            None if success => out.push(Level::Breaking, Kind::ResponseStatusRemoved, location, "status removed"),
            None => out.push(
                Level::PotentiallyBreaking,
                Kind::ErrorResponseRemoved,
                location,
                "declared error response removed: the client now reports it as `UnexpectedStatus` with the raw \
                 body, not as a typed `ErrorResponse`",
            ),
            Some(new_body) => match (old_body, new_body) {
                (Some(a), Some(b)) => compare_body(&location, a, b, Direction::Response, out),
                (Some(_), None) => out.push(Level::Breaking, Kind::ResponseBodyChanged, location, "body removed"),
                (None, Some(_)) => {
                    let level = if success { Level::PotentiallyBreaking } else { Level::NonBreaking };
                    out.push(level, Kind::ResponseBodyChanged, location, "body added");
                }
                (None, None) => {}
            },
        }
    }
    for status in new.responses.keys().filter(|s| !old.responses.contains_key(*s)) {
        if status.starts_with('2') || status == "default" {
            // An undeclared success status is an error for a client generated from the old spec.
            out.push(Level::PotentiallyBreaking, Kind::ResponseStatusAdded, response(status), "status added");
        } else {
            out.push(
                Level::NonBreaking,
                Kind::ErrorResponseAdded,
                response(status),
                "declared error response added: the client now returns it as a typed `ErrorResponse`, not \
                 `UnexpectedStatus`",
            );
        }
    }
}

fn compare_body(location: &Subject, old: &Body, new: &Body, direction: Direction, out: &mut Changes) {
    if old.content_type != new.content_type {
        let (kind, effect) = match direction {
            Direction::Request => (Kind::RequestBodyChanged, "the server now expects"),
            Direction::Response => (Kind::ResponseBodyChanged, "the server now answers with"),
        };
        out.push(
            Level::Breaking,
            kind,
            location.clone(),
            format!(
                "content type changed from {} to {}: {effect} {}",
                old.content_type, new.content_type, new.content_type
            ),
        );
    }
    if direction == Direction::Request && old.required != new.required {
        let level = if new.required { Level::Breaking } else { Level::NonBreaking };
        out.push(
            level,
            Kind::RequestBodyChanged,
            location.clone(),
            if new.required { "became required" } else { "became optional" },
        );
    }
    compare_fields(location, &old.schema, &new.schema, &[direction], out);
}

/// Component schemas, judged by how the operations use them (in both directions if both).
fn compare_components(before: &Surface, after: &Surface, out: &mut Changes) {
    let usage = Usage::of(before);
    for (name, old) in &before.schemas {
        let location = Subject::Schema { schema: name.clone(), path: ROOT.to_string() };
        let Some(new) = after.schemas.get(name) else {
            // Its users' `$ref`s changed too and are reported there.
            out.push(Level::NonBreaking, Kind::AnnotationChanged, location, "component no longer used");
            continue;
        };
        let dirs: Vec<Direction> = usage.directions.get(name.as_str()).into_iter().flatten().copied().collect();
        compare_fields(&location, old, new, &dirs, out);
    }
}

/// For each component schema: the directions it is used in and the tags of the operations
/// using it, transitively.
struct Usage<'a> {
    directions: BTreeMap<&'a str, BTreeSet<Direction>>,
    tags: BTreeMap<&'a str, BTreeSet<&'a str>>,
}

impl<'a> Usage<'a> {
    fn of(surface: &'a Surface) -> Self {
        let mut usage = Usage { directions: BTreeMap::new(), tags: BTreeMap::new() };
        for op in surface.operations.values() {
            let bodies = op
                .request_body
                .iter()
                .map(|b| (&b.schema, Direction::Request))
                .chain(op.responses.values().flatten().map(|b| (&b.schema, Direction::Response)));
            for (fields, direction) in bodies {
                for name in reachable(surface, fields) {
                    usage.directions.entry(name).or_default().insert(direction);
                    usage.tags.entry(name).or_default().extend(op.tags.iter().map(String::as_str));
                }
            }
        }
        usage
    }
}

/// The component schemas `fields` refers to, transitively.
fn reachable<'a>(surface: &'a Surface, fields: &Fields) -> BTreeSet<&'a str> {
    let refs = |fields: &Fields| -> Vec<String> {
        fields.values().map(|f| f.ty.trim_start_matches("all of ").to_string()).collect()
    };
    let mut seen = BTreeSet::new();
    let mut stack = refs(fields);
    while let Some(name) = stack.pop() {
        if let Some((key, schema)) = surface.schemas.get_key_value(&name)
            && seen.insert(key.as_str())
        {
            stack.extend(refs(schema));
        }
    }
    seen
}

fn compare_fields(location: &Subject, old: &Fields, new: &Fields, directions: &[Direction], out: &mut Changes) {
    let removed: Vec<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
    let added: Vec<&String> = new.keys().filter(|k| !old.contains_key(*k)).collect();
    // Report a removed or added object once, not once per property inside it.
    // `token.id` and `token[]` are under `token`; `tokenId` is not.
    let under = |path: &str, roots: &[&String]| {
        roots.iter().any(|r| {
            r.as_str() != ROOT
                && path.strip_prefix(r.as_str()).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
    };
    let at = |path: &str| location.at(path);

    for path in removed.iter().filter(|p| !under(p, &removed)) {
        let was = &old[path.as_str()];
        let level = worst(directions, |d| match d {
            Direction::Response if was.required => Level::Breaking,
            _ => Level::PotentiallyBreaking,
        });
        out.push(level, Kind::PropertyRemoved, at(path), format!("removed (was {was})"));
    }
    for path in added.iter().filter(|p| !under(p, &added)) {
        let now = &new[path.as_str()];
        let level = worst(directions, |d| match d {
            Direction::Request if now.required => Level::Breaking,
            _ => Level::NonBreaking,
        });
        out.push(level, Kind::PropertyAdded, at(path), format!("added: {now}"));
    }
    for (path, before) in old {
        if let Some(after) = new.get(path) {
            compare_field(&at(path), before, after, directions, out);
        }
    }
}

/// The most severe level over the directions a schema is used in.
fn worst(directions: &[Direction], level: impl Fn(Direction) -> Level) -> Level {
    directions.iter().map(|d| level(*d)).min().unwrap_or(Level::NonBreaking)
}

fn compare_field(location: &Subject, old: &Field, new: &Field, directions: &[Direction], out: &mut Changes) {
    use Direction::{Request, Response};
    if (&old.ty, &old.format) != (&new.ty, &new.format) {
        let show = |f: &Field| match &f.format {
            Some(format) => format!("{}({format})", f.ty),
            None => f.ty.clone(),
        };
        out.push(
            Level::Breaking,
            Kind::PropertyRetyped,
            location.clone(),
            format!("type changed from {} to {}", show(old), show(new)),
        );
    }
    if old.required != new.required {
        // Requests: a newly required value must now be sent. Responses: a field that may now
        // be missing no longer fits the generated non-`Option` field.
        let level = worst(directions, |d| match (d, new.required) {
            (Request, true) | (Response, false) => Level::Breaking,
            _ => Level::NonBreaking,
        });
        let what = if new.required { "became required" } else { "became optional" };
        out.push(level, Kind::PropertyRequirednessChanged, location.clone(), what);
    }
    if old.nullable != new.nullable {
        let level = worst(directions, |d| match (d, new.nullable) {
            (Response, true) => Level::Breaking,
            (Request, false) => Level::PotentiallyBreaking,
            _ => Level::NonBreaking,
        });
        let what = if new.nullable { "became nullable" } else { "is no longer nullable" };
        out.push(level, Kind::PropertyNullabilityChanged, location.clone(), what);
    }
    for value in old.enum_values.iter().filter(|v| !new.enum_values.contains(v)) {
        let level = worst(directions, |d| if d == Request { Level::Breaking } else { Level::NonBreaking });
        out.push(level, Kind::EnumValueRemoved, location.clone(), format!("enum value `{value}` removed"));
    }
    for value in new.enum_values.iter().filter(|v| !old.enum_values.contains(v)) {
        // Answers' enums are open: an unlisted value decodes as `Unknown`, which code matching
        // on the enum sees; a one-value enum is a constant and stays closed.
        let constant = old.enum_values.len() == 1;
        let level = worst(directions, |d| match (d, constant) {
            (Response, true) => Level::Breaking,
            (Response, false) => Level::PotentiallyBreaking,
            _ => Level::NonBreaking,
        });
        let what = if constant {
            format!("enum value `{value}` added (a one-value enum is closed: answers carrying it fail)")
        } else {
            format!("enum value `{value}` added (answers carrying it decode as `Unknown`)")
        };
        out.push(level, Kind::EnumValueAdded, location.clone(), what);
    }
    if old.secret != new.secret {
        let what = if new.secret { "now marked secret" } else { "no longer marked secret" };
        out.push(Level::NonBreaking, Kind::AnnotationChanged, location.clone(), what);
    }
    compare_constraints(location, old, new, directions, out);
    if old.read_only != new.read_only {
        let (level, what) = if new.read_only {
            (
                worst(directions, |d| if d == Request { Level::PotentiallyBreaking } else { Level::NonBreaking }),
                "became read-only: the server ignores it in requests",
            )
        } else {
            (Level::NonBreaking, "no longer read-only")
        };
        out.push(level, Kind::AccessChanged, location.clone(), what);
    }
    if old.write_only != new.write_only {
        let (level, what) = if new.write_only {
            let level = worst(directions, |d| match d {
                Response if new.required => Level::Breaking,
                Response => Level::PotentiallyBreaking,
                Request => Level::NonBreaking,
            });
            (level, "became write-only: responses no longer carry it")
        } else {
            (Level::NonBreaking, "no longer write-only")
        };
        out.push(level, Kind::AccessChanged, location.clone(), what);
    }
    if old.deprecated != new.deprecated {
        let what = if new.deprecated { "deprecated" } else { "no longer deprecated" };
        out.push(Level::NonBreaking, Kind::DeprecationChanged, location.clone(), what);
    }
}

/// A required header with one allowed value (sent by the runtime) whose value changed.
fn constant_header(name: &str, old: &Field, new: &Field) -> bool {
    name.starts_with("header ")
        && old.required
        && new.required
        && old.enum_values.len() == 1
        && new.enum_values.len() == 1
        && old.enum_values != new.enum_values
}

/// Which way a validation keyword moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// Fewer values are valid than before.
    Tighter,
    /// More values are valid.
    Looser,
    /// Different, neither a superset nor a subset (a new `pattern`).
    Changed,
}

fn bound(keyword: &str, old: Option<&String>, new: Option<&String>) -> Bound {
    let number = |v: &String| v.parse::<f64>().ok();
    match (old, new) {
        (None, Some(_)) => Bound::Tighter,
        (Some(_), None) => Bound::Looser,
        (Some(a), Some(b)) => match (number(a), number(b)) {
            (Some(a), Some(b)) if keyword.starts_with("max") => {
                if b < a {
                    Bound::Tighter
                } else {
                    Bound::Looser
                }
            }
            (Some(a), Some(b)) if keyword.starts_with("min") => {
                if b > a {
                    Bound::Tighter
                } else {
                    Bound::Looser
                }
            }
            _ => Bound::Changed,
        },
        (None, None) => Bound::Changed,
    }
}

/// What a tighter `keyword` makes the server reject, for the wording.
fn rejected(keyword: &str) -> &'static str {
    match keyword {
        "maximum" => "larger values",
        "minimum" => "smaller values",
        "exclusiveMaximum" | "exclusiveMinimum" => "the bound itself",
        "multipleOf" => "values that are not multiples of it",
        "maxLength" => "longer strings",
        "minLength" => "shorter strings",
        "pattern" => "strings that do not match it",
        "maxItems" => "longer arrays",
        "minItems" => "shorter arrays",
        "uniqueItems" => "arrays with duplicates",
        _ => "other values",
    }
}

fn compare_constraints(location: &Subject, old: &Field, new: &Field, directions: &[Direction], out: &mut Changes) {
    use Direction::{Request, Response};
    for keyword in CONSTRAINTS {
        let (a, b) = (old.constraints.get(keyword), new.constraints.get(keyword));
        if a == b {
            continue;
        }
        let change = match (a, b) {
            (None, Some(b)) => format!("`{keyword}` set to {b}"),
            (Some(a), None) => format!("`{keyword}` {a} removed"),
            (Some(a), Some(b)) => format!("`{keyword}` changed from {a} to {b}"),
            (None, None) => continue,
        };
        if keyword == "default" {
            let level =
                worst(directions, |d| if d == Request { Level::PotentiallyBreaking } else { Level::NonBreaking });
            let effect = if directions.contains(&Request) {
                ": a request that omits it now means something else to the server"
            } else {
                ""
            };
            out.push(level, Kind::DefaultChanged, location.clone(), format!("{change}{effect}"));
            continue;
        }
        let moved = bound(keyword, a, b);
        // typify turns `pattern` and length bounds into validating newtypes.
        let validated = matches!(keyword, "pattern" | "minLength" | "maxLength");
        let level = worst(directions, |d| match (d, moved) {
            (Request, Bound::Tighter) if a.is_some() => Level::Breaking,
            (Request, Bound::Tighter) | (Request, Bound::Changed) => Level::PotentiallyBreaking,
            (Request, Bound::Looser) | (Response, Bound::Tighter) => Level::NonBreaking,
            (Response, _) if validated => Level::Breaking,
            (Response, _) => Level::PotentiallyBreaking,
        });
        let effect = match moved {
            Bound::Tighter | Bound::Changed if directions.contains(&Request) => {
                format!(": the server now rejects {} in requests", rejected(keyword))
            }
            Bound::Looser | Bound::Changed if directions.contains(&Response) && validated => {
                ": responses may now hold values the generated type rejects".to_string()
            }
            Bound::Looser | Bound::Changed if directions.contains(&Response) => {
                ": responses may now hold values outside the old bound".to_string()
            }
            _ => String::new(),
        };
        out.push(level, Kind::ConstraintChanged, location.clone(), format!("{change}{effect}"));
    }
}
