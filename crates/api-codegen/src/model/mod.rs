//! The model between the stages: a document [`Prepared`] (loaded, overlaid, repaired by the
//! rules, selected) with its [`Plan`], and the [`ApiModel`] the runtime needs beyond
//! progenitor's types: how each operation authenticates, which headers are constants, how the
//! client is configured.

pub mod describe;
pub mod webhook;

use std::path::PathBuf;

use serde::Serialize;
use serde_json::Value;

use crate::plan::Plan;
use crate::rules::RulesReport;
use crate::select::Features;

/// A spec with its overlay applied, converted to 3.0, repaired, selected, validated and
/// described: what the checks, the maintainer tools and (once checked) emission read.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The file the document came from (named in errors).
    pub file: PathBuf,
    /// The other files it references, bundled into `doc` (a multi-file document).
    pub sources: Vec<PathBuf>,
    /// The normalised document: the vendor's, repaired by the rules, with only public
    /// extensions of ours.
    pub doc: Value,
    /// What the rules decided for later stages.
    pub plan: Plan,
    /// What the runtime needs to know.
    pub model: ApiModel,
    /// What the normalisation rules changed (empty for a spec progenitor takes as it is).
    pub rules: RulesReport,
    /// The cargo features the whole document defines (one per tag), whatever was selected.
    pub features: Features,
}

/// The runtime-relevant description of one API, extracted from its normalised spec.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiModel {
    pub title: String,
    pub version: String,
    /// `servers[0].url`, if the spec names one.
    pub default_base_url: Option<String>,
    /// Environment variable holding the API key (`x-client.api-key-env` in the overlay).
    pub api_key_env: String,
    /// Environment variables holding http `basic`'s user and password (`x-client.username-env`
    /// and `password-env`, else derived from `api_key_env`); empty when no scheme is basic.
    pub username_env: String,
    pub password_env: String,
    /// Environment variable overriding the base URL (`x-client.base-url-env`).
    pub base_url_env: String,
    /// The security schemes operations use, in name order.
    pub schemes: Vec<Scheme>,
    pub operations: Vec<Operation>,
    /// JSON property names marked `x-secret`, for redacting raw bodies.
    pub secret_fields: Vec<String>,
    /// How webhook deliveries are signed (`x-webhook-signature`), if the document says.
    pub webhook: Option<webhook::WebhookSignature>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scheme {
    pub name: String,
    pub kind: SchemeKind,
}

/// How a credential is presented, from `components.securitySchemes`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum SchemeKind {
    /// `Authorization: Bearer <key>` (http bearer, oauth2 and openIdConnect access tokens).
    Bearer,
    /// An API key in the named header.
    Header(String),
    /// http `basic`: `Authorization: Basic base64(user:password)`.
    Basic,
    /// Another http scheme, as the document spells it: `Authorization: <scheme> <key>`.
    Http(String),
    /// An API key in the named query parameter.
    Query(String),
    /// An API key in the named cookie.
    Cookie(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Operation {
    /// The spec's `operationId`.
    pub id: String,
    /// progenitor's method name for it, which its hooks see as `OperationInfo::operation_id`.
    pub rust_name: String,
    pub method: String,
    pub path: String,
    /// Alternatives (any one suffices), each a list of scheme names (all required).
    /// Empty: no authentication.
    pub security: Vec<Vec<String>>,
    /// Required headers whose schema allows exactly one value, sent for the caller.
    pub constant_headers: Vec<(String, String)>,
    /// Whether a success response can carry an `x-secret` value.
    pub returns_secrets: bool,
    /// Whether the request body can carry an `x-secret` value (a token to revoke).
    pub sends_secrets: bool,
}
