//! Comparing two [`Surface`]s: what changed between the vendored spec and upstream, and how
//! much it matters to a client. Levels follow oasdiff's ERR / WARN / INFO, judged for *our*
//! generated clients: progenitor's enums are closed and its required fields are not `Option`,
//! so some changes oasdiff calls warnings break deserialization here.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use crate::surface::{Body, Field, Fields, OperationSurface, ROOT, Surface};

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
}

/// The part of the API a change is in. `path` is a [`Fields`] path (`.` for the schema itself).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "in", rename_all = "kebab-case")]
pub enum Subject {
    Operation { operation: String },
    Parameter { operation: String, parameter: String },
    RequestBody { operation: String, path: String },
    Response { operation: String, status: String, path: String },
    Schema { schema: String, path: String },
    SecurityScheme { scheme: String },
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (base, path) = match self {
            Subject::Operation { operation } => return write!(f, "operation {operation}"),
            Subject::Parameter { operation, parameter } => return write!(f, "{operation} parameter {parameter}"),
            Subject::SecurityScheme { scheme } => return write!(f, "security scheme {scheme}"),
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Request,
    Response,
}

/// Every change from `before` to `after`, most severe first.
pub fn compare(before: &Surface, after: &Surface) -> Vec<Change> {
    let mut out = Changes(Vec::new());
    compare_operations(before, after, &mut out);
    compare_components(before, after, &mut out);
    for (name, scheme) in &before.security_schemes {
        let subject = || Subject::SecurityScheme { scheme: name.clone() };
        match after.security_schemes.get(name) {
            None => out.push(Level::PotentiallyBreaking, Kind::SecurityChanged, subject(), "removed"),
            Some(new) if new != scheme => out.push(
                Level::Breaking,
                Kind::SecurityChanged,
                subject(),
                format!("changed from `{scheme}` to `{new}`"),
            ),
            Some(_) => {}
        }
    }
    let mut changes = out.0;
    changes.sort();
    changes.dedup();
    changes
}

struct Changes(Vec<Change>);

impl Changes {
    fn push(&mut self, level: Level, kind: Kind, subject: Subject, detail: impl Into<String>) {
        self.0.push(Change { level, kind, location: subject.to_string(), detail: detail.into(), subject });
    }
}

fn compare_operations(before: &Surface, after: &Surface, out: &mut Changes) {
    for (id, old) in &before.operations {
        let Some(new) = after.operations.get(id) else {
            out.push(
                Level::Breaking,
                Kind::OperationRemoved,
                Subject::Operation { operation: id.clone() },
                format!("{} {} removed", old.method, old.path),
            );
            continue;
        };
        compare_operation(id, old, new, out);
    }
    for (id, new) in &after.operations {
        if !before.operations.contains_key(id) {
            out.push(
                Level::NonBreaking,
                Kind::OperationAdded,
                Subject::Operation { operation: id.clone() },
                format!("{} {} added", new.method, new.path),
            );
        }
    }
}

fn compare_operation(id: &str, old: &OperationSurface, new: &OperationSurface, out: &mut Changes) {
    let operation = || Subject::Operation { operation: id.to_string() };
    if (&old.method, &old.path) != (&new.method, &new.path) {
        out.push(
            Level::Breaking,
            Kind::OperationMoved,
            operation(),
            format!("moved from {} {} to {} {}", old.method, old.path, new.method, new.path),
        );
    }
    if old.security != new.security {
        out.push(
            Level::PotentiallyBreaking,
            Kind::SecurityChanged,
            operation(),
            format!("security changed from {:?} to {:?}", old.security, new.security),
        );
    }

    let parameter = |name: &str| Subject::Parameter { operation: id.to_string(), parameter: name.to_string() };
    for (name, before) in &old.parameters {
        let subject = parameter(name);
        match new.parameters.get(name) {
            None if name.starts_with("path ") => out.push(Level::Breaking, Kind::ParameterRemoved, subject, "removed"),
            None => out.push(Level::PotentiallyBreaking, Kind::ParameterRemoved, subject, "removed"),
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
            None => {
                let level = if success { Level::Breaking } else { Level::PotentiallyBreaking };
                out.push(level, Kind::ResponseStatusRemoved, location, "status removed");
            }
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
        // An undeclared success status is an error for a client generated from the old spec.
        let level = if status.starts_with('2') { Level::PotentiallyBreaking } else { Level::NonBreaking };
        out.push(level, Kind::ResponseStatusAdded, response(status), "status added");
    }
}

fn compare_body(location: &Subject, old: &Body, new: &Body, direction: Direction, out: &mut Changes) {
    if old.content_type != new.content_type {
        out.push(
            Level::Breaking,
            Kind::ResponseBodyChanged,
            location.clone(),
            format!("content type changed from {} to {}", old.content_type, new.content_type),
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
    let directions = directions(before);
    for (name, old) in &before.schemas {
        let location = Subject::Schema { schema: name.clone(), path: ROOT.to_string() };
        let Some(new) = after.schemas.get(name) else {
            // Its users' `$ref`s changed too and are reported there.
            out.push(Level::NonBreaking, Kind::AnnotationChanged, location, "component no longer used");
            continue;
        };
        let dirs = directions.get(name.as_str()).cloned().unwrap_or_default();
        compare_fields(&location, old, new, &dirs, out);
    }
}

/// For each component schema: the directions it is used in, transitively.
fn directions(surface: &Surface) -> BTreeMap<&str, Vec<Direction>> {
    let mut seen: BTreeSet<(&str, u8)> = BTreeSet::new();
    let mut stack: Vec<(&str, Direction)> = Vec::new();
    let refs = |fields: &Fields| -> Vec<String> {
        fields.values().map(|f| f.ty.trim_start_matches("all of ").to_string()).collect()
    };
    for op in surface.operations.values() {
        let mut push = |fields: &Fields, d: Direction| {
            for name in refs(fields) {
                if let Some((key, _)) = surface.schemas.get_key_value(&name) {
                    stack.push((key.as_str(), d));
                }
            }
        };
        if let Some(body) = &op.request_body {
            push(&body.schema, Direction::Request);
        }
        for body in op.responses.values().flatten() {
            push(&body.schema, Direction::Response);
        }
    }
    let mut out: BTreeMap<&str, Vec<Direction>> = BTreeMap::new();
    while let Some((name, d)) = stack.pop() {
        if !seen.insert((name, d as u8)) {
            continue;
        }
        out.entry(name).or_default().push(d);
        if let Some(fields) = surface.schemas.get(name) {
            for child in refs(fields) {
                if let Some((key, _)) = surface.schemas.get_key_value(&child) {
                    stack.push((key.as_str(), d));
                }
            }
        }
    }
    out
}

fn compare_fields(location: &Subject, old: &Fields, new: &Fields, directions: &[Direction], out: &mut Changes) {
    let removed: Vec<&String> = old.keys().filter(|k| !new.contains_key(*k)).collect();
    let added: Vec<&String> = new.keys().filter(|k| !old.contains_key(*k)).collect();
    // Report a removed or added object once, not once per property inside it.
    let under = |path: &str, roots: &[&String]| {
        roots.iter().any(|r| path != r.as_str() && path.starts_with(r.as_str()) && r.as_str() != ROOT)
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
        // Generated enums are closed: an unknown value fails to deserialize.
        let level = worst(directions, |d| if d == Response { Level::Breaking } else { Level::NonBreaking });
        out.push(level, Kind::EnumValueAdded, location.clone(), format!("enum value `{value}` added"));
    }
    if old.secret != new.secret {
        let what = if new.secret { "now marked secret" } else { "no longer marked secret" };
        out.push(Level::NonBreaking, Kind::AnnotationChanged, location.clone(), what);
    }
}
