//! Normalisation rules: generic repairs for what real specs contain and progenitor or typify
//! cannot take as they are (an operation without `operationId`, an enum listing a value twice,
//! error responses of different types, …).
//!
//! Each rule is a named function over the whole (3.0-converted) document. A rule never knows a
//! vendor; it recognises a shape. Every change it makes is recorded in the [`RulesReport`]
//! (rule, what, where), which `cargo xtask check-spec` and the refresh report print, so a
//! maintainer sees every deviation from upstream. A spec that needs no repair yields an empty
//! report. Rules run after the overlay (which may pre-empt a rule, e.g. by naming an
//! operation) and before validation (which then sees the repaired document).

mod annotation_all_of_members;
mod constant_headers;
mod declare_path_parameters;
mod deduplicate_enum_values;
mod deep_object_query;
mod default_response_is_error;
mod derive_operation_id;
mod dropshot_extensions;
mod enum_beside_all_of;
mod error_response_union;
mod form_object_query;
mod form_urlencoded_body;
mod format_without_meaning;
mod head_without_body;
mod header_and_path_values;
mod long_type_names;
pub mod multipart_form;
mod non_standard_status;
mod nonconforming_defaults;
mod nullable_named_one_of;
mod pagination;
mod parameter_content;
mod transport_headers;
mod union_variant_names;
mod unique_enum_variant_names;
mod unique_parameter_names;
mod unique_type_titles;
mod unrepresentable_responses;
mod unsent_defaults;
pub(crate) mod unsupported_request_body;
mod unsupported_security;

use std::fmt;

use serde_json::Value;

use crate::plan::Plan;

mod secret_string_constraints;
mod share_inline_schemas;
mod stream_beside_json;
mod streamed_response_schemas;
mod string_constraints;

pub use secret_string_constraints::SECRET_CONSTRAINTS;
pub use string_constraints::STRING_CONSTRAINTS;

/// One rule: its name (kebab-case, stable: it appears in reports and tests), why it exists,
/// and the function applying it.
pub(crate) struct Rule {
    pub name: &'static str,
    pub why: &'static str,
    pub apply: Apply,
}

/// What a rule changes.
pub(crate) enum Apply {
    /// The document: a repair every later stage sees as the document.
    Doc(fn(&mut Value, &mut Places)),
    /// The document and the plan: a decision a later stage acts on, recorded in the plan.
    Plan(fn(&mut Value, &mut Plan, &mut Places)),
}

/// Every rule, in the order they run. Order matters where one rule's output is another's
/// input (operationIds are derived before anything names types after them).
/// The rule whose planned paginations emission may find it cannot write.
pub(crate) const PAGINATION: &str = "pagination";

pub(crate) const RULES: &[Rule] = &[
    // Operation-level rules.
    Rule {
        name: "derive-operation-id",
        why: "progenitor names methods and types after operationIds; these operations have none",
        apply: Apply::Doc(derive_operation_id::apply),
    },
    Rule {
        name: "declare-path-parameters",
        why: "the path template uses a parameter no one declares; progenitor cannot build the URL without it",
        apply: Apply::Doc(declare_path_parameters::apply),
    },
    Rule {
        name: "unique-parameter-names",
        why: "parameters whose names become one Rust name; the request still uses the spec's names",
        apply: Apply::Plan(unique_parameter_names::apply),
    },
    Rule {
        name: "parameter-content",
        why: "progenitor takes a parameter's `schema`, not a `content` media type; the value goes out as the string that media type spells",
        apply: Apply::Doc(parameter_content::apply),
    },
    Rule {
        name: "transport-headers",
        why: "header parameters only the HTTP stack may set (Content-Length, Host, …); a setter would promise a value that never goes out",
        apply: Apply::Doc(transport_headers::apply),
    },
    Rule {
        name: "constant-headers",
        why: "a required header with one allowed value is no choice for a caller; the runtime sends it on every request",
        apply: Apply::Plan(constant_headers::apply),
    },
    Rule {
        name: "header-and-path-values",
        why: "progenitor writes header and path values with `Display`, which a nullable, array, object or untyped value lacks (the client did not compile); null has no spelling there, so a nullable scalar is the scalar, anything else the string its style spells, written by the caller",
        apply: Apply::Doc(header_and_path_values::apply),
    },
    Rule {
        name: "head-without-body",
        why: "HEAD answers never carry a body; decoding the one the document describes fails on every answer",
        apply: Apply::Doc(head_without_body::apply),
    },
    Rule {
        name: "non-standard-status",
        why: "statuses progenitor or its httpmock generator cannot take as they are",
        apply: Apply::Plan(non_standard_status::apply),
    },
    Rule {
        name: "streamed-response-schemas",
        why: "progenitor reads a streamed response as bytes and types none of its schemas; named ones become types all the same",
        apply: Apply::Doc(streamed_response_schemas::apply),
    },
    Rule {
        name: "unsupported-security",
        why: "the runtime presents every scheme but mutual TLS (bearer, basic, other http schemes, API keys in a header, the query or a cookie); alternatives needing an unknown scheme are dropped where another remains",
        apply: Apply::Plan(unsupported_security::apply),
    },
    Rule {
        name: "dropshot-extensions",
        why: "progenitor makes `x-dropshot-websocket` operations upgrades the client's calls do not carry (left out) and `x-dropshot-pagination` a stream over its own error type (taken off)",
        apply: Apply::Plan(dropshot_extensions::apply),
    },
    Rule {
        name: "default-response-is-error",
        why: "beside declared successes, `default` can only be the error answer; progenitor would count it among the successes",
        apply: Apply::Doc(default_response_is_error::apply),
    },
    Rule {
        name: "unrepresentable-responses",
        why: "progenitor types an operation's successes as one and its errors as one; a JSON success beside one without a body is answered as `Option`, other mixes cannot be",
        apply: Apply::Plan(unrepresentable_responses::apply),
    },
    Rule {
        name: "error-response-union",
        why: "progenitor gives an operation one error type and one success type; these declare several",
        apply: Apply::Doc(error_response_union::apply),
    },
    // Schema-level rules.
    Rule {
        name: "annotation-all-of-members",
        why: "an `allOf` member holding only a description constrains nothing, yet typify merges it into a copy of the other member's type (named like it: the client did not compile); it goes, its description moves up",
        apply: Apply::Doc(annotation_all_of_members::apply),
    },
    Rule {
        name: "nonconforming-defaults",
        why: "typify refuses a schema whose `default` it does not allow; a string spelling the declared scalar is read as it, any other such default dropped",
        apply: Apply::Doc(nonconforming_defaults::apply),
    },
    Rule {
        name: "unsent-defaults",
        why: "typify fills an optional property's `default` into a plain field, so requests would send every default the caller never set; the default is documented and kept off progenitor's input, so the field is an `Option`, sent only when set",
        apply: Apply::Plan(unsent_defaults::apply),
    },
    Rule {
        name: "format-without-meaning",
        why: "typify panics on a `format` of an object, array or boolean; JSON Schema lets it be ignored, and it is",
        apply: Apply::Doc(format_without_meaning::apply),
    },
    Rule {
        name: "enum-beside-all-of",
        why: "typify panics on a schema listing values beside an `allOf`; the values are the narrower constraint and stay",
        apply: Apply::Doc(enum_beside_all_of::apply),
    },
    Rule {
        name: "deduplicate-enum-values",
        why: "an enum listing a value twice would give typify two variants of one name",
        apply: Apply::Doc(deduplicate_enum_values::apply),
    },
    Rule {
        name: "unique-enum-variant-names",
        why: "enum values that differ on the wire but not as Rust names make typify panic; they get names of their own, the wire values stay",
        apply: Apply::Doc(unique_enum_variant_names::apply),
    },
    Rule {
        name: "nullable-named-one-of",
        why: "a named schema both nullable and oneOf/anyOf/allOf becomes two Rust types of one name, and a nullable one with a title a type named after the title beside any other; nullable moves to its uses",
        apply: Apply::Doc(nullable_named_one_of::apply),
    },
    Rule {
        name: "unique-type-titles",
        why: "typify names an inline schema after its title, reusing or redefining a type that already has that name; such a title becomes a unique name from the schema's place",
        apply: Apply::Doc(unique_type_titles::apply),
    },
    // Build-cost rules (they see the repaired schemas).
    share_inline_schemas::RULE,
    Rule {
        name: "union-variant-names",
        why: "typify numbers the alternatives of an untagged oneOf/anyOf (`Variant0`, and `…Variant0Sudo` beneath) unless each has a name; an inline alternative gets a title from its constant property, the properties only it requires, or its type",
        apply: Apply::Doc(union_variant_names::apply),
    },
    Rule {
        name: "long-type-names",
        why: "typify names an inline schema after every step leading to it; a name past 64 characters gets a title keeping its first words and last steps",
        apply: Apply::Doc(long_type_names::apply),
    },
    // Request bodies progenitor cannot send as they are. After sharing: a form's fields
    // component copies the body's property schemas, a copy that must not count as a second
    // use of an inline schema (it would rename shared types).
    Rule {
        name: "multipart-form",
        why: "progenitor rejects multipart bodies; the client sends them as a typed form whose non-file fields need a named type",
        apply: Apply::Plan(multipart_form::apply),
    },
    Rule {
        name: "unsupported-request-body",
        why: "progenitor sends one request media type, of the kinds it knows: other JSON types (`application/json-patch+json`) go as JSON and raw ones (`image/jpeg`) as bytes, each with its own `Content-Type`",
        apply: Apply::Plan(unsupported_request_body::apply),
    },
    // After narrowing, so a form body is the one media type the client sends; after the rules
    // that leave operations out, so nothing is planned for an operation without a method.
    Rule {
        name: "form-urlencoded-body",
        why: "progenitor sends form bodies with serde_urlencoded, which fails on arrays and nested objects and ignores the spec's `encoding`; the client encodes each field as its `encoding` says",
        apply: Apply::Plan(form_urlencoded_body::apply),
    },
    Rule {
        name: "deep-object-query",
        why: "progenitor refuses the document at a `style: deepObject` query parameter; the client sends it as `name[key]=value`",
        apply: Apply::Plan(deep_object_query::apply),
    },
    Rule {
        name: "form-object-query",
        why: "progenitor panics at a query parameter whose type is a struct; the client sends its properties as form style says, `key=value` each (exploded, the default) or `name=key,value,…`",
        apply: Apply::Plan(form_object_query::apply),
    },
    Rule {
        name: "unique-type-names",
        why: "after sharing and forms, an inline schema that typify would still give another type's name gets a unique name from its place",
        apply: Apply::Doc(unique_type_titles::apply_remaining),
    },
    // What progenitor's input leaves out of the (final) document.
    Rule {
        name: "stream-beside-json",
        why: "progenitor reads one success body; where a response offers a stream beside a JSON document it reads the stream's bytes, and the client decodes either",
        apply: Apply::Doc(stream_beside_json::apply),
    },
    Rule {
        name: "string-constraints",
        why: "typify makes a string with a `pattern` or length bounds a validated newtype that refuses an answer the server has since widened; the server checks what it is sent, and the client reads and writes plain strings, as the vendors' SDKs do",
        apply: Apply::Plan(string_constraints::apply),
    },
    Rule {
        name: "secret-string-constraints",
        why: "typify makes a constrained string a validated newtype that prints its value; a secret stays the redacting SecretString",
        apply: Apply::Plan(secret_string_constraints::apply),
    },
    // Last: it reads the final answers and parameters of the operations that have a method.
    Rule {
        name: PAGINATION,
        why: "a list whose answer says where the next page starts (a cursor field, or the last item's id) gets `pages()` and `stream()`; `x-pagination` declares or corrects the shape, or turns it off",
        apply: Apply::Plan(pagination::apply),
    },
];

/// Every rule as (name, why, whether it records decisions in the plan), in the order they
/// run: the rules table of `docs/generator.md` is written from this (`cargo xtask rules-table`).
pub fn catalogue() -> impl Iterator<Item = (&'static str, &'static str, bool)> {
    RULES.iter().map(|rule| (rule.name, rule.why, matches!(rule.apply, Apply::Plan(_)))).chain(std::iter::once((
        GENERATOR_REJECTS,
        GENERATOR_REJECTS_WHY,
        true,
    )))
}

/// The name under which what progenitor or typify cannot take is reported: not a rule over
/// the document but emission's finding when a run fails (`emit::locate`), recorded last.
pub const GENERATOR_REJECTS: &str = "generator-rejects";
const GENERATOR_REJECTS_WHY: &str = "progenitor or typify stops at the first schema or operation it cannot take; located by bisecting the failed run, each is left out and the rest generated";

/// Leaves the operation at `pointer` out of the client for `why` (its plan says so, its place
/// in the report too): degrading one operation, never the document. The operation stays in
/// the document, so the surface and the drift report still list it.
pub(crate) fn leave_out(plan: &mut Plan, places: &mut Places, pointer: String, why: String) {
    places
        .record(&pointer, format!("{why}: no client method; the operation stays in the surface and the drift report"));
    plan.operation_mut(&pointer).request = crate::plan::Request::LeftOut(why);
}

/// Where one rule changed the document: one entry per change.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Places {
    changes: Vec<Change>,
}

/// One change: a JSON pointer into the document (as it was before the rule) and a short
/// description ("derived operationId `getV1Env`").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub pointer: String,
    pub what: String,
}

impl Places {
    /// Records one change at `pointer`.
    pub fn record(&mut self, pointer: impl Into<String>, what: impl Into<String>) {
        self.changes.push(Change { pointer: pointer.into(), what: what.into() });
    }

    pub fn changes(&self) -> &[Change] {
        &self.changes
    }
}

/// What every rule did to one document.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RulesReport {
    /// Rules that changed something, in the order they ran.
    pub applied: Vec<Applied>,
}

/// One rule that changed the document, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub rule: &'static str,
    pub why: &'static str,
    pub changes: Vec<Change>,
}

/// The name under which the 3.1 → 3.0 conversion's losses are reported.
pub const CONVERSION: &str = "openapi-3.1";

/// The name under which bundling a multi-file document is reported.
pub const BUNDLE: &str = "multi-file";

impl RulesReport {
    /// Reports the components bundling made of other files (pointer, the file it came from),
    /// first (it ran before anything else).
    pub fn record_bundle(&mut self, hoisted: Vec<(String, String)>) {
        if hoisted.is_empty() {
            return;
        }
        let changes = hoisted
            .into_iter()
            .map(|(pointer, from)| Change { pointer, what: format!("bundled from {from}") })
            .collect();
        let why = "a document in several files becomes one: what other files hold is hoisted into components (or inlined), as `redocly bundle` does";
        self.applied.insert(0, Applied { rule: BUNDLE, why, changes });
    }

    /// Reports what converting from OpenAPI 3.1 could not keep, first (it ran first).
    pub(crate) fn record_conversion(&mut self, losses: Vec<crate::load::normalize::Loss>) {
        if losses.is_empty() {
            return;
        }
        let changes = losses.into_iter().map(|l| Change { pointer: l.pointer, what: l.what }).collect();
        let why =
            "OpenAPI 3.1 (JSON Schema 2020-12) constructs with no 3.0 spelling become the nearest form typify takes";
        self.applied.insert(0, Applied { rule: CONVERSION, why, changes });
    }

    /// Adds what emission found to rule `rule`'s changes (a decision it could not carry out
    /// in the generated code). Idempotent: a change already reported is not added twice.
    pub(crate) fn record_emitted(&mut self, rule: &'static str, places: Places) {
        let Some(applied) = self.applied.iter_mut().find(|a| a.rule == rule) else { return };
        for change in places.changes {
            if !applied.changes.contains(&change) {
                applied.changes.push(change);
            }
        }
    }

    /// Reports what emission found progenitor or typify cannot take, last (it ran last).
    pub(crate) fn record_rejections(&mut self, places: Places) {
        if !places.changes.is_empty() {
            self.applied.push(Applied { rule: GENERATOR_REJECTS, why: GENERATOR_REJECTS_WHY, changes: places.changes });
        }
    }

    pub fn is_empty(&self) -> bool {
        self.applied.is_empty()
    }

    /// The changes a rule made (empty when it changed nothing or does not exist).
    pub fn changes_of(&self, rule: &str) -> &[Change] {
        self.applied.iter().find(|a| a.rule == rule).map_or(&[], |a| &a.changes)
    }
}

/// Runs every rule on `doc`: what they changed, and what they decided for later stages.
pub(crate) fn apply_all(doc: &mut Value) -> (RulesReport, Plan) {
    let mut report = RulesReport::default();
    let mut plan = Plan::default();
    for rule in RULES {
        let mut places = Places::default();
        match rule.apply {
            Apply::Doc(apply) => apply(doc, &mut places),
            Apply::Plan(apply) => apply(doc, &mut plan, &mut places),
        }
        if !places.changes.is_empty() {
            report.applied.push(Applied { rule: rule.name, why: rule.why, changes: places.changes });
        }
    }
    (report, plan)
}

/// Readable per-rule summary: a line per rule (name, count, why), then each place indented.
impl fmt::Display for RulesReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.applied.is_empty() {
            return writeln!(f, "no normalisation rule changed the document");
        }
        for applied in &self.applied {
            let n = applied.changes.len();
            writeln!(f, "{} ({n} change{}): {}", applied.rule, if n == 1 { "" } else { "s" }, applied.why)?;
            for change in &applied.changes {
                writeln!(f, "  {}: {}", display_pointer(&change.pointer), change.what)?;
            }
        }
        Ok(())
    }
}

fn display_pointer(pointer: &str) -> &str {
    if pointer.is_empty() { "(document root)" } else { pointer }
}
