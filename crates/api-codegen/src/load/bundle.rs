//! Multi-file documents become one document, as `redocly bundle` makes them.
//!
//! A root file may point into other files with relative references (`$ref:
//! 'resources/droplets/droplet.yml'`, `'../common/parameters.yml#/page'`). Each is resolved
//! against the folder of the file that holds it, and must stay inside the root's folder: a
//! reference to another host, an absolute path or a path climbing out of the folder is an
//! error, located in the file that holds it. Inside data (examples, defaults, `x-` extensions)
//! nothing is followed.
//!
//! What a reference becomes depends on where it stands:
//! - a schema, parameter, response, request body, header or example is hoisted into the
//!   matching `components` section once per target, named after the fragment's last segment
//!   or the file's stem (`droplet.yml` → `droplet`; the parent folder, then a number, only
//!   when that name is taken), and every use points at it: shared types stay shared and
//!   recursive schemas across files stay finite;
//! - a component of the root that is only a reference to a file takes the file's content
//!   under its own name;
//! - anything else (a path item, an operation, a tag's description) is inlined.
//!
//! A document without references to other files is returned unchanged, without a read.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, ErrorKind, join};

/// More files than any published document has; a reference loop through ever new names
/// stops here.
pub const MAX_FILES: usize = 10_000;

/// Nested inlining deeper than this is a cycle of inlined references (path items, operations).
const MAX_INLINE_DEPTH: usize = 64;

/// One document, with what it was built from.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub doc: Value,
    /// The other files read, relative to the root's folder (`resources/a.yml`), sorted.
    pub files: Vec<String>,
    /// Components made from other files: (JSON pointer, the file and fragment it came from).
    pub hoisted: Vec<(String, String)>,
}

/// Why a referenced file could not be had: the bundler reports it at the reference.
#[derive(Debug, Clone)]
pub enum Missing {
    /// Not there (refresh fetches it and bundles again).
    NotFound,
    /// There, but unreadable or not YAML/JSON.
    Unreadable(String),
}

/// Reads the root file at `path` and every file it references, relative to its folder.
pub fn read(path: &Path) -> Result<Bundle, Error> {
    let doc = super::yaml::read(path)?;
    let folder = path.parent().unwrap_or(Path::new("")).to_path_buf();
    // Symbolic links must not lead out of the folder either.
    let canonical = std::fs::canonicalize(&folder).unwrap_or_else(|_| folder.clone());
    bundle(doc, path, &mut |relative: &str| {
        let file = folder.join(relative);
        let real = std::fs::canonicalize(&file).map_err(|_| Missing::NotFound)?;
        if !real.starts_with(&canonical) || !real.is_file() {
            return Err(Missing::NotFound);
        }
        super::yaml::read(&file).map_err(|e| Missing::Unreadable(e.kind.to_string()))
    })
}

/// `root` (read from `root_file`) with every reference to another file resolved through
/// `read_file(path relative to the root's folder)`; every problem, located, at once.
pub fn bundle(
    root: Value,
    root_file: &Path,
    read_file: &mut dyn FnMut(&str) -> Result<Value, Missing>,
) -> Result<Bundle, Error> {
    if !references_other_files(&root) {
        return Ok(Bundle { doc: root, files: Vec::new(), hoisted: Vec::new() });
    }
    let folder = root_file.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut bundler = Bundler {
        read_file,
        root_file: root_file.to_path_buf(),
        folder,
        files: BTreeMap::new(),
        memo: HashMap::new(),
        taken: BTreeMap::new(),
        created: Vec::new(),
        hoisted: Vec::new(),
        inlining: Vec::new(),
        errors: Vec::new(),
    };
    let mut doc = root;
    // Another file may point into the root (`../openapi.yaml#/components/schemas/Page`).
    bundler.files.insert(String::new(), Some(doc.clone()));
    bundler.reserve_root_components(&doc);
    bundler.visit(&mut doc, Kind::Root, "", "");
    Error::collect(std::mem::take(&mut bundler.errors))?;
    for (section, name, value) in std::mem::take(&mut bundler.created) {
        let components =
            doc.as_object_mut().map(|d| d.entry("components").or_insert_with(|| Value::Object(Map::new())));
        if let Some(Value::Object(components)) = components
            && let Value::Object(section) = components.entry(section.key()).or_insert_with(|| Value::Object(Map::new()))
        {
            section.insert(name, value);
        }
    }
    let files = bundler.files.keys().filter(|f| !f.is_empty()).cloned().collect();
    Ok(Bundle { doc, files, hoisted: bundler.hoisted })
}

/// Whether any `$ref` outside extensions names another file (cheap, and generous: the bundler
/// decides what is a reference).
pub fn references_other_files(doc: &Value) -> bool {
    match doc {
        Value::Object(map) => {
            map.get("$ref").and_then(Value::as_str).is_some_and(|r| !r.starts_with('#'))
                || map.iter().any(|(key, value)| !key.starts_with("x-") && references_other_files(value))
        }
        Value::Array(items) => items.iter().any(references_other_files),
        _ => false,
    }
}

/// A `components` section a reference can be hoisted into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Section {
    Schemas,
    Parameters,
    Responses,
    RequestBodies,
    Headers,
    Examples,
}

impl Section {
    fn key(self) -> String {
        match self {
            Section::Schemas => "schemas",
            Section::Parameters => "parameters",
            Section::Responses => "responses",
            Section::RequestBodies => "requestBodies",
            Section::Headers => "headers",
            Section::Examples => "examples",
        }
        .to_string()
    }

    fn from_key(key: &str) -> Option<Section> {
        Some(match key {
            "schemas" => Section::Schemas,
            "parameters" => Section::Parameters,
            "responses" => Section::Responses,
            "requestBodies" => Section::RequestBodies,
            "headers" => Section::Headers,
            "examples" => Section::Examples,
            _ => return None,
        })
    }

    fn kind(self) -> Kind {
        match self {
            Section::Schemas => Kind::Schema,
            Section::Parameters => Kind::Parameter,
            Section::Responses => Kind::Response,
            Section::RequestBodies => Kind::RequestBody,
            Section::Headers => Kind::Header,
            Section::Examples => Kind::Example,
        }
    }
}

/// What an object of the document is, which says what its keys hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Root,
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Response,
    Header,
    MediaType,
    Schema,
    Example,
    /// Structure of no kind above (info, tags, servers, links): references are inlined.
    Other,
}

impl Kind {
    fn section(self) -> Option<Section> {
        Some(match self {
            Kind::Schema => Section::Schemas,
            Kind::Parameter => Section::Parameters,
            Kind::Response => Section::Responses,
            Kind::RequestBody => Section::RequestBodies,
            Kind::Header => Section::Headers,
            Kind::Example => Section::Examples,
            _ => return None,
        })
    }
}

/// Where a reference leads: a file (relative to the root's folder, `""` for the root) and a
/// JSON pointer into it.
type Target = (String, String);

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

struct Bundler<'r> {
    read_file: &'r mut dyn FnMut(&str) -> Result<Value, Missing>,
    root_file: PathBuf,
    folder: PathBuf,
    /// Every file read (`None`: it could not be, already reported).
    files: BTreeMap<String, Option<Value>>,
    /// Hoisted targets → their component names.
    memo: HashMap<(Section, Target), String>,
    /// Names in use per section, compared as Rust type names compare (case and punctuation
    /// aside).
    taken: BTreeMap<Section, BTreeSet<String>>,
    created: Vec<(Section, String, Value)>,
    hoisted: Vec<(String, String)>,
    /// Targets being inlined, outermost first (a target inside itself is a cycle).
    inlining: Vec<Target>,
    errors: Vec<Error>,
}

impl Bundler<'_> {
    /// The root's own component names stay; a root component that is only a reference to a
    /// file keeps its name for the file's content.
    fn reserve_root_components(&mut self, doc: &Value) {
        let Some(components) = doc.get("components").and_then(Value::as_object) else { return };
        for (key, entries) in components {
            let (Some(section), Some(entries)) = (Section::from_key(key), entries.as_object()) else { continue };
            for (name, value) in entries {
                self.taken.entry(section).or_default().insert(comparable(name));
                let pointer = join(&join("/components", key), name);
                if let Some(Ok(target)) =
                    value.get("$ref").and_then(Value::as_str).map(|r| self.target(r, "", &pointer))
                    && !target.0.is_empty()
                {
                    self.memo.entry((section, target)).or_insert_with(|| name.clone());
                }
            }
        }
    }

    /// Resolves the references under `node`, which came from `file` (at `pointer` there).
    fn visit(&mut self, node: &mut Value, kind: Kind, file: &str, pointer: &str) {
        if let Some(reference) = node.get("$ref").and_then(Value::as_str).map(str::to_string) {
            return self.resolve(node, &reference, kind, file, pointer);
        }
        match node {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    let Some(child) = child_kind(kind, key) else { continue };
                    let child_pointer = join(pointer, key);
                    match child {
                        Child::One(kind) => self.visit(value, kind, file, &child_pointer),
                        Child::Each(kind) => self.visit_each(value, kind, file, &child_pointer),
                        Child::Mapping => self.visit_mapping(value, file, &child_pointer),
                        Child::Components => self.visit_components(value, &child_pointer),
                    }
                }
            }
            Value::Array(items) if kind == Kind::Other => {
                for (index, item) in items.iter_mut().enumerate() {
                    self.visit(item, kind, file, &join(pointer, &index.to_string()));
                }
            }
            _ => {}
        }
    }

    /// Every value of a map (or item of a list) is a `kind`.
    fn visit_each(&mut self, node: &mut Value, kind: Kind, file: &str, pointer: &str) {
        // The whole map kept elsewhere (`properties: {$ref: attributes.yml#/ids}`); a property
        // named `$ref` holds a schema, never a string.
        if let Some(reference) = node.get("$ref").and_then(Value::as_str).map(str::to_string) {
            if reference.starts_with('#') && file.is_empty() {
                return;
            }
            let target = match self.target(&reference, file, pointer) {
                Ok(target) => target,
                Err(error) => return self.errors.push(error),
            };
            return self.inline(node, target, Child::Each(kind), file, pointer, &reference);
        }
        match node {
            Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    self.visit(value, kind, file, &join(pointer, key));
                }
            }
            Value::Array(items) => {
                for (index, value) in items.iter_mut().enumerate() {
                    self.visit(value, kind, file, &join(pointer, &index.to_string()));
                }
            }
            _ => {}
        }
    }

    /// A discriminator's `mapping`: its values are references to schemas, written as strings.
    fn visit_mapping(&mut self, node: &mut Value, file: &str, pointer: &str) {
        let Some(map) = node.as_object_mut() else { return };
        for (key, value) in map.iter_mut() {
            let Some(reference) = value.as_str().map(str::to_string) else { continue };
            // A bare name (`Dog`) names a component of the root.
            if (reference.starts_with('#') && file.is_empty()) || !reference.contains(['#', '/', '.']) {
                continue;
            }
            let at = join(pointer, key);
            match self.target(&reference, file, &at) {
                Ok(target) => {
                    if let Some(name) = self.hoist(Section::Schemas, target, file, &at, &reference) {
                        *value = Value::String(format!("#/components/schemas/{name}"));
                    }
                }
                Err(error) => self.errors.push(error),
            }
        }
    }

    /// `node` is `{$ref: reference, …}`, found in `file` at `pointer`, standing for a `kind`.
    fn resolve(&mut self, node: &mut Value, reference: &str, kind: Kind, file: &str, pointer: &str) {
        if reference.starts_with('#') && file.is_empty() {
            return;
        }
        let target = match self.target(reference, file, pointer) {
            Ok(target) => target,
            Err(error) => return self.errors.push(error),
        };
        if let Some(section) = kind.section() {
            if let Some(name) = self.hoist(section, target, file, pointer, reference) {
                node["$ref"] = Value::String(format!("#/components/{}/{name}", section.key()));
            }
            return;
        }
        self.inline(node, target, Child::One(kind), file, pointer, reference);
    }

    /// Replaces `node` (a reference) with the content of `target`; the reference's siblings (a
    /// 3.1 `description`, say) stay over it. A scalar (a description kept in another file)
    /// replaces the object.
    fn inline(&mut self, node: &mut Value, target: Target, what: Child, file: &str, pointer: &str, reference: &str) {
        if self.inlining.contains(&target) || self.inlining.len() >= MAX_INLINE_DEPTH {
            let message = format!("`$ref` {reference} leads back to itself through other files");
            return self.errors.push(self.error(file, pointer, message));
        }
        let Some(mut content) = self.content(&target, file, pointer, reference) else { return };
        self.inlining.push(target.clone());
        match what {
            Child::Each(kind) => self.visit_each(&mut content, kind, &target.0, &target.1),
            Child::One(kind) => self.visit(&mut content, kind, &target.0, &target.1),
            Child::Components => self.visit_components(&mut content, &target.1),
            Child::Mapping => self.visit_mapping(&mut content, &target.0, &target.1),
        }
        self.inlining.pop();
        if let (Value::Object(content), Value::Object(siblings)) = (&mut content, &mut *node) {
            siblings.remove("$ref");
            content.extend(std::mem::take(siblings));
        }
        *node = content;
    }

    /// The component name `target` has in `section`, creating it on first use; the reference
    /// to it stands in `from` at `pointer`.
    fn hoist(
        &mut self,
        section: Section,
        target: Target,
        from: &str,
        pointer: &str,
        reference: &str,
    ) -> Option<String> {
        if let Some(name) = self.memo.get(&(section, target.clone())) {
            return Some(name.clone());
        }
        // Another file pointing at one of the root's components points at it still.
        let prefix = format!("/components/{}/", section.key());
        if let Some(name) = target.1.strip_prefix(&prefix).filter(|n| target.0.is_empty() && !n.contains('/')) {
            return Some(name.replace("~1", "/").replace("~0", "~"));
        }
        let mut content = self.content(&target, from, pointer, reference)?;
        // A target that only refers on (`link: {$ref: link.yml}`) is the same component as
        // the one it names, not an alias of it.
        let mut target = target;
        let mut aliases = Vec::new();
        while let Some(next) = content.as_object().filter(|c| c.len() == 1).and_then(|c| c.get("$ref")?.as_str()) {
            let next = next.to_string();
            if aliases.len() >= MAX_INLINE_DEPTH {
                let message = format!("`$ref` {reference} leads back to itself through other files");
                self.errors.push(self.error(from, pointer, message));
                return None;
            }
            let next = match self.target(&next, &target.0, &target.1) {
                Ok(next) => next,
                Err(error) => {
                    self.errors.push(error);
                    return None;
                }
            };
            aliases.push(std::mem::replace(&mut target, next));
            if let Some(name) = self.memo.get(&(section, target.clone())).cloned() {
                return Some(self.alias(section, aliases, name));
            }
            if target.0.is_empty() {
                // Into the root: a reference to its component stays one.
                let name = target.1.strip_prefix(&prefix).filter(|n| !n.contains('/'))?;
                let name = name.replace("~1", "/").replace("~0", "~");
                return Some(self.alias(section, aliases, name));
            }
            content = self.content(&target, from, pointer, reference)?;
        }
        let name = self.unique_name(section, &target);
        let name = self.alias(section, aliases, name);
        self.memo.insert((section, target.clone()), name.clone());
        self.visit(&mut content, section.kind(), &target.0, &target.1);
        let source = if target.1.is_empty() { target.0.clone() } else { format!("{}#{}", target.0, target.1) };
        self.hoisted.push((join(&join("/components", &section.key()), &name), source));
        self.created.push((section, name.clone(), content));
        Some(name)
    }

    /// Every target of `aliases` names the component `name`.
    fn alias(&mut self, section: Section, aliases: Vec<Target>, name: String) -> String {
        for alias in aliases {
            self.memo.insert((section, alias), name.clone());
        }
        name
    }

    /// The `components` of the root: each entry is of its section's kind; an entry that is a
    /// reference to a file takes the file's content.
    fn visit_components(&mut self, node: &mut Value, pointer: &str) {
        let Some(components) = node.as_object_mut() else { return };
        for (key, entries) in components.iter_mut() {
            let Some(kind) = section_kind(key) else { continue };
            let Some(entries) = entries.as_object_mut() else { continue };
            let at = join(pointer, key);
            for (name, value) in entries.iter_mut() {
                let entry_pointer = join(&at, name);
                let external =
                    value.get("$ref").and_then(Value::as_str).filter(|r| !r.starts_with('#')).map(str::to_string);
                match external {
                    Some(reference) => match self.target(&reference, "", &entry_pointer) {
                        Ok(target) => self.inline(value, target, Child::One(kind), "", &entry_pointer, &reference),
                        Err(error) => self.errors.push(error),
                    },
                    None => self.visit(value, kind, "", &entry_pointer),
                }
            }
        }
    }

    fn unique_name(&mut self, section: Section, (file, fragment): &Target) -> String {
        let stem = Path::new(file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let base = fragment
            .rsplit('/')
            .next()
            .filter(|s| !s.is_empty())
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .unwrap_or(stem);
        let base = component_name(&base);
        let parent = Path::new(file)
            .parent()
            .and_then(Path::file_name)
            .map(|p| component_name(&p.to_string_lossy()))
            .filter(|p| !p.is_empty());
        let taken = self.taken.entry(section).or_default();
        let mut candidates = std::iter::once(base.clone())
            .chain(parent.map(|p| format!("{p}_{base}")))
            .chain((2..).map(|n| format!("{base}_{n}")));
        let name = candidates.find(|n| !taken.contains(&comparable(n))).unwrap_or(base);
        taken.insert(comparable(&name));
        name
    }

    /// The value `target` points at, or `None` after reporting why there is none (at the
    /// reference: `from`, `pointer`).
    fn content(&mut self, (file, fragment): &Target, from: &str, pointer: &str, reference: &str) -> Option<Value> {
        if !self.files.contains_key(file) {
            if self.files.len() > MAX_FILES {
                let message = format!("`$ref` {reference}: more than {MAX_FILES} files are referenced");
                self.errors.push(self.error(from, pointer, message));
                return None;
            }
            let value = match (self.read_file)(file) {
                Ok(value) => Some(value),
                Err(missing) => {
                    let why = match missing {
                        Missing::NotFound => "no such file in the document's folder".to_string(),
                        Missing::Unreadable(why) => why,
                    };
                    self.errors.push(self.error(from, pointer, format!("`$ref` {reference}: {file}: {why}")));
                    None
                }
            };
            self.files.insert(file.clone(), value);
        }
        let document = self.files.get(file)?.as_ref()?;
        match document.pointer(fragment) {
            Some(value) => Some(value.clone()),
            None => {
                let message = format!("`$ref` {reference}: {file} has nothing at `{fragment}`");
                self.errors.push(self.error(from, pointer, message));
                None
            }
        }
    }

    /// Where `reference`, found in `file`, leads (the root itself is `""`).
    fn target(&self, reference: &str, file: &str, pointer: &str) -> Result<Target, Error> {
        let (path, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy().into_owned();
        let refuse = |why: &str| self.error(file, pointer, format!("`$ref` {reference}: {why}"));
        if !fragment.is_empty() && !fragment.starts_with('/') {
            return Err(refuse("the fragment is not a JSON pointer"));
        }
        if path.is_empty() {
            return Ok((file.to_string(), fragment));
        }
        if has_scheme(path) {
            return Err(refuse("only files in the document's folder are read, never another location"));
        }
        if path.starts_with('/') || path.contains('\\') {
            return Err(refuse("only relative paths inside the document's folder are read"));
        }
        let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let mut parts: Vec<&str> = file.split('/').filter(|p| !p.is_empty()).collect();
        parts.pop();
        for part in path.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Err(refuse("leads out of the document's folder"));
                    }
                }
                part if part.contains('\\') => return Err(refuse("a path with a backslash")),
                part => parts.push(part),
            }
        }
        let joined = parts.join("/");
        // The root, reached from another file, is the root.
        let root_name = self.root_file.file_name().map(|n| n.to_string_lossy().into_owned());
        if root_name.as_deref() == Some(joined.as_str()) {
            return Ok((String::new(), fragment));
        }
        Ok((joined, fragment))
    }

    fn error(&self, file: &str, pointer: &str, message: String) -> Error {
        let path = if file.is_empty() { self.root_file.clone() } else { self.folder.join(file) };
        Error::new(&path, pointer, ErrorKind::Invalid(message))
    }
}

/// What the key of an object of `kind` holds; `None`: nothing to follow (data, extensions,
/// scalars).
enum Child {
    One(Kind),
    /// A map or list of `Kind`s.
    Each(Kind),
    /// A discriminator's mapping.
    Mapping,
    /// The root's `components`.
    Components,
}

fn child_kind(kind: Kind, key: &str) -> Option<Child> {
    if key.starts_with("x-") || matches!(key, "example" | "default" | "enum" | "const") {
        return None;
    }
    Some(match (kind, key) {
        (Kind::Root, "paths" | "webhooks") => Child::Each(Kind::PathItem),
        (Kind::Root, "components") => Child::Components,
        (Kind::PathItem, method) if METHODS.contains(&method) => Child::One(Kind::Operation),
        (Kind::PathItem | Kind::Operation, "parameters") => Child::Each(Kind::Parameter),
        (Kind::Operation, "requestBody") => Child::One(Kind::RequestBody),
        (Kind::Operation, "responses") => Child::Each(Kind::Response),
        (Kind::Operation, "callbacks") => Child::Each(Kind::Other),
        (Kind::Parameter | Kind::Header | Kind::MediaType, "schema") => Child::One(Kind::Schema),
        (Kind::Parameter | Kind::Header | Kind::RequestBody | Kind::Response, "content") => {
            Child::Each(Kind::MediaType)
        }
        (Kind::Parameter | Kind::Header | Kind::MediaType, "examples") => Child::Each(Kind::Example),
        (Kind::Response, "headers") => Child::Each(Kind::Header),
        (Kind::MediaType, "encoding") => Child::Each(Kind::Other),
        (Kind::Schema, "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas") => {
            Child::Each(Kind::Schema)
        }
        (Kind::Schema, "allOf" | "anyOf" | "oneOf" | "prefixItems") => Child::Each(Kind::Schema),
        (
            Kind::Schema,
            "items"
            | "additionalProperties"
            | "not"
            | "contains"
            | "propertyNames"
            | "if"
            | "then"
            | "else"
            | "unevaluatedProperties"
            | "unevaluatedItems"
            | "additionalItems",
        ) => Child::One(Kind::Schema),
        (Kind::Schema, "discriminator") => Child::One(Kind::Other),
        (Kind::Other, "mapping") => Child::Mapping,
        (Kind::Other, "headers") => Child::Each(Kind::Header),
        (Kind::Schema | Kind::Example, _) => return None,
        _ => Child::One(Kind::Other),
    })
}

/// `components` sections under `Kind::Other` (the root's `components`) are typed by their key.
fn section_kind(key: &str) -> Option<Kind> {
    Section::from_key(key).map(Section::kind).or(match key {
        "pathItems" | "callbacks" => Some(Kind::Other),
        _ => None,
    })
}

/// `http:`, `https:`, `file:`, … (a Windows drive letter is refused as well).
fn has_scheme(path: &str) -> bool {
    path.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            && !scheme.contains('/')
    })
}

/// A component name OpenAPI allows (`^[a-zA-Z0-9.\-_]+$`).
fn component_name(text: &str) -> String {
    let name: String =
        text.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    if name.is_empty() { "Component".into() } else { name }
}

/// Names that would become the same Rust type name compare equal.
fn comparable(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Bundles `root` with `files` (relative path → content) standing for the folder.
    fn bundled(root: Value, files: &[(&str, Value)]) -> Result<Bundle, Error> {
        let files: BTreeMap<String, Value> = files.iter().map(|(p, v)| (p.to_string(), v.clone())).collect();
        bundle(root, Path::new("spec/openapi.yaml"), &mut |path: &str| {
            files.get(path).cloned().ok_or(Missing::NotFound)
        })
    }

    fn root(paths: Value) -> Value {
        json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": paths})
    }

    #[test]
    fn operations_are_inlined_and_shared_parts_become_components() {
        let doc = root(json!({
            "/droplets": {"get": {"$ref": "resources/droplets/list.yml"}},
            "/droplets/{id}": {"get": {"$ref": "resources/droplets/get.yml"}}
        }));
        let list = json!({
            "operationId": "droplets_list",
            "parameters": [{"$ref": "../../common/parameters.yml#/per_page"}],
            "responses": {
                "200": {"$ref": "responses/all.yml"},
                "401": {"$ref": "../../common/responses/unauthorized.yml"}
            },
            "x-codeSamples": [{"$ref": "examples/curl/list.yml"}]
        });
        let get = json!({
            "operationId": "droplets_get",
            "responses": {"401": {"$ref": "../../common/responses/unauthorized.yml"}, "200": {"description": "ok",
                "content": {"application/json": {"schema": {"$ref": "models/droplet.yml"}}}}}
        });
        let all = json!({"description": "all", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"droplets": {"type": "array", "items": {"$ref": "../models/droplet.yml"}}}
        }}}});
        let droplet = json!({"type": "object", "properties": {"id": {"type": "integer"}}, "example": {"$ref": "x"}});
        let result = bundled(
            doc,
            &[
                ("resources/droplets/list.yml", list),
                ("resources/droplets/get.yml", get),
                ("resources/droplets/responses/all.yml", all),
                ("resources/droplets/models/droplet.yml", droplet.clone()),
                (
                    "common/parameters.yml",
                    json!({"per_page": {"name": "per_page", "in": "query", "schema": {"type": "integer"}}}),
                ),
                ("common/responses/unauthorized.yml", json!({"description": "unauthorized"})),
            ],
        )
        .unwrap();
        let doc = &result.doc;
        let list = &doc["paths"]["/droplets"]["get"];
        assert_eq!(list["operationId"], "droplets_list");
        assert_eq!(list["parameters"][0], json!({"$ref": "#/components/parameters/per_page"}));
        assert_eq!(list["responses"]["200"], json!({"$ref": "#/components/responses/all"}));
        assert_eq!(list["responses"]["401"], json!({"$ref": "#/components/responses/unauthorized"}));
        // Extensions are data: their references are not followed.
        assert_eq!(list["x-codeSamples"][0], json!({"$ref": "examples/curl/list.yml"}));
        let get = &doc["paths"]["/droplets/{id}"]["get"];
        assert_eq!(get["responses"]["401"], json!({"$ref": "#/components/responses/unauthorized"}));
        let schema = &get["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(schema, &json!({"$ref": "#/components/schemas/droplet"}));
        // Both paths to droplet.yml name one component, as it was written.
        let all = &doc["components"]["responses"]["all"]["content"]["application/json"]["schema"];
        assert_eq!(all["properties"]["droplets"]["items"], json!({"$ref": "#/components/schemas/droplet"}));
        assert_eq!(doc["components"]["schemas"]["droplet"], droplet);
        assert_eq!(result.files.len(), 6);
        assert!(result.hoisted.contains(&(
            "/components/schemas/droplet".to_string(),
            "resources/droplets/models/droplet.yml".to_string()
        )));
    }

    #[test]
    fn a_document_in_one_file_is_unchanged_and_nothing_is_read() {
        let doc = root(json!({"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/A"}},
            "x-samples": [{"$ref": "elsewhere.yml"}]}}}));
        let result = bundle(doc.clone(), Path::new("openapi.yaml"), &mut |_: &str| panic!("read")).unwrap();
        assert_eq!(result.doc, doc);
        assert!(result.files.is_empty() && result.hoisted.is_empty());
    }

    #[test]
    fn schemas_referring_to_each_other_across_files_stay_finite() {
        let doc = root(json!({"/a": {"get": {"responses": {"200": {"description": "", "content": {
            "application/json": {"schema": {"$ref": "models/node.yml"}}}}}}}}));
        let node = json!({"type": "object", "properties": {
            "children": {"type": "array", "items": {"$ref": "node.yml"}},
            "parent": {"$ref": "#/definitions/link"}
        }, "definitions": {"link": {"$ref": "link.yml"}}});
        let link = json!({"type": "object", "properties": {"node": {"$ref": "./node.yml"}}});
        let result = bundled(doc, &[("models/node.yml", node), ("models/link.yml", link)]).unwrap();
        let schemas = &result.doc["components"]["schemas"];
        assert_eq!(schemas["node"]["properties"]["children"]["items"], json!({"$ref": "#/components/schemas/node"}));
        assert_eq!(schemas["node"]["properties"]["parent"], json!({"$ref": "#/components/schemas/link"}));
        assert_eq!(schemas["link"]["properties"]["node"], json!({"$ref": "#/components/schemas/node"}));
    }

    #[test]
    fn the_same_file_name_in_two_folders_gets_its_folder_in_the_name() {
        let doc = root(json!({"/a": {"get": {"responses": {
            "200": {"description": "", "content": {"application/json": {"schema": {"$ref": "a/model.yml"}}}},
            "201": {"description": "", "content": {"application/json": {"schema": {"$ref": "b/model.yml"}}}},
            "202": {"description": "", "content": {"application/json": {"schema": {"$ref": "c/b/model.yml"}}}}
        }}}}));
        let doc = json!({"components": {"schemas": {"Model": {"type": "string"}}}})
            .as_object()
            .cloned()
            .map(|mut c| {
                c.extend(doc.as_object().cloned().unwrap_or_default());
                Value::Object(c)
            })
            .unwrap();
        let files = [
            ("a/model.yml", json!({"type": "integer"})),
            ("b/model.yml", json!({"type": "boolean"})),
            ("c/b/model.yml", json!({"type": "number"})),
        ];
        let result = bundled(doc, &files).unwrap();
        let names: Vec<&String> = result.doc["components"]["schemas"].as_object().unwrap().keys().collect();
        assert_eq!(names, ["Model", "a_model", "b_model", "model_2"]);
    }

    #[test]
    fn a_root_component_that_is_a_file_keeps_its_name() {
        let doc = json!({"openapi": "3.0.0", "paths": {}, "components": {"schemas": {
            "Pet": {"$ref": "pet.yml"},
            "Owner": {"type": "object", "properties": {"pet": {"$ref": "pet.yml"}}}
        }}});
        let pet =
            json!({"type": "object", "properties": {"owner": {"$ref": "openapi.yaml#/components/schemas/Owner"}}});
        let result = bundled(doc, &[("pet.yml", pet)]).unwrap();
        let schemas = &result.doc["components"]["schemas"];
        assert_eq!(schemas["Pet"]["properties"]["owner"], json!({"$ref": "#/components/schemas/Owner"}));
        assert_eq!(schemas["Owner"]["properties"]["pet"], json!({"$ref": "#/components/schemas/Pet"}));
        assert_eq!(schemas.as_object().unwrap().len(), 2);
    }

    #[test]
    fn a_map_of_properties_kept_in_another_file_is_inlined() {
        let body = json!({"content": {"application/json": {"schema": {"type": "object",
            "properties": {"$ref": "attributes.yml#/ids", "name": {"type": "string"}}}}}});
        let doc = root(json!({"/a": {"post": {"requestBody": body, "responses": {}}}}));
        let attributes = json!({"ids": {"ids": {"type": "array", "items": {"$ref": "id.yml"}}}});
        let result = bundled(doc, &[("attributes.yml", attributes), ("id.yml", json!({"type": "integer"}))]).unwrap();
        let schema = &result.doc["paths"]["/a"]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(
            schema["properties"],
            json!({"ids": {"type": "array", "items": {"$ref": "#/components/schemas/id"}}, "name": {"type": "string"}})
        );
    }

    #[test]
    fn text_kept_in_another_file_is_inlined() {
        let doc = json!({"openapi": "3.0.0", "paths": {}, "tags": [{"name": "a", "description": {"$ref": "text.yml#/intro"}}]});
        let result = bundled(doc, &[("text.yml", json!({"intro": "Hello"}))]).unwrap();
        assert_eq!(result.doc["tags"][0]["description"], "Hello");
    }

    #[test]
    fn references_out_of_the_folder_or_to_other_hosts_are_every_one_located() {
        let doc = root(json!({
            "/a": {"get": {"$ref": "../outside.yml"}},
            "/b": {"get": {"$ref": "https://example.com/op.yml"}},
            "/c": {"get": {"$ref": "/etc/passwd"}},
            "/d": {"get": {"$ref": "missing.yml"}},
            "/e": {"get": {"$ref": "ops.yml#/nothing"}},
            "/f": {"get": {"$ref": "ops.yml#/loop"}}
        }));
        let ops = json!({"loop": {"$ref": "#/loop"}});
        let err = bundled(doc, &[("ops.yml", ops)]).unwrap_err();
        let lines: Vec<String> = err.to_string().lines().map(str::to_string).collect();
        assert_eq!(lines.len(), 6, "{err}");
        assert!(
            lines[0].starts_with("spec/openapi.yaml: at /paths/~1a/get: `$ref` ../outside.yml: leads out"),
            "{err}"
        );
        assert!(lines[1].contains("/paths/~1b/get") && lines[1].contains("never another location"), "{err}");
        assert!(lines[2].contains("/paths/~1c/get") && lines[2].contains("relative paths"), "{err}");
        assert!(lines[3].contains("missing.yml: no such file"), "{err}");
        assert!(lines[4].contains("ops.yml has nothing at `/nothing`"), "{err}");
        assert!(lines[5].starts_with("spec/ops.yml: at /loop: `$ref` #/loop leads back to itself"), "{err}");
    }

    #[test]
    fn reading_from_disk_stays_in_the_folder() {
        let dir = tempdir();
        std::fs::create_dir_all(dir.join("spec/models")).unwrap();
        std::fs::write(dir.join("secret.yml"), "type: string\n").unwrap();
        std::fs::write(dir.join("spec/models/a.yml"), "type: integer\n").unwrap();
        let schema = |r: &str| json!({"description": "", "content": {"application/json": {"schema": {"$ref": r}}}});
        let doc = root(json!({"/a": {"get": {"responses": {"200": schema("models/a.yml")}}}}));
        std::fs::write(dir.join("spec/openapi.yaml"), serde_json::to_string(&doc).unwrap()).unwrap();
        let result = read(&dir.join("spec/openapi.yaml")).unwrap();
        assert_eq!(result.doc["components"]["schemas"]["a"], json!({"type": "integer"}));
        assert_eq!(result.files, ["models/a.yml"]);

        // A link inside the folder leading out of it is not followed.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("secret.yml"), dir.join("spec/models/link.yml")).unwrap();
            let doc = root(json!({"/a": {"get": {"responses": {"200": schema("models/link.yml")}}}}));
            std::fs::write(dir.join("spec/openapi.yaml"), serde_json::to_string(&doc).unwrap()).unwrap();
            let err = read(&dir.join("spec/openapi.yaml")).unwrap_err();
            assert!(err.to_string().contains("models/link.yml: no such file"), "{err}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A fresh folder under the system's temporary folder (the crate has no tempfile).
    fn tempdir() -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("bundle-test-{}-{:?}", std::process::id(), std::thread::current().id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
