//! The static description of an API that generated code emits and the runtime acts on.

/// One API, as its (normalised) spec describes it.
#[derive(Debug)]
pub struct ApiDescription {
    pub title: &'static str,
    pub version: &'static str,
    /// `servers[0].url` of the spec.
    pub default_base_url: Option<&'static str>,
    /// Environment variable read by `Client::from_env` for the API key.
    pub api_key_env: &'static str,
    /// Environment variables read by `Client::from_env` for http `basic`'s user and password
    /// (empty: the API uses no basic scheme).
    pub username_env: &'static str,
    pub password_env: &'static str,
    /// Environment variable overriding the base URL (empty: none).
    pub base_url_env: &'static str,
    pub schemes: &'static [SecurityScheme],
    pub operations: &'static [OperationDescription],
    /// JSON property names that hold secrets, for redacting raw bodies.
    pub secret_fields: &'static [&'static str],
}

impl ApiDescription {
    /// The operation progenitor's hooks name `rust_name`.
    pub fn operation(&self, rust_name: &str) -> Option<&'static OperationDescription> {
        self.operations.iter().find(|op| op.rust_name == rust_name)
    }

    /// Whether any operation needs a credential.
    pub fn needs_credential(&self) -> bool {
        self.operations.iter().any(|op| !op.security.is_empty())
    }

    /// Whether a scheme presents the API key (every kind but http `basic`).
    pub fn uses_key(&self) -> bool {
        self.schemes.iter().any(|s| s.kind != SchemeKind::Basic)
    }

    /// Whether a scheme presents a user and a password (http `basic`).
    pub fn uses_basic(&self) -> bool {
        self.schemes.iter().any(|s| s.kind == SchemeKind::Basic)
    }

    /// The query parameters that carry the API key, whose values no printed URL shows.
    pub fn query_keys(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.schemes.iter().filter_map(|s| match s.kind {
            SchemeKind::Query(name) => Some(name),
            _ => None,
        })
    }
}

/// A security scheme from `components.securitySchemes`.
#[derive(Debug)]
pub struct SecurityScheme {
    pub name: &'static str,
    pub kind: SchemeKind,
}

/// How a credential is presented. Every kind but `Basic` presents the API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <key>` (http bearer, oauth2, openIdConnect).
    Bearer,
    /// The key in this header.
    Header(&'static str),
    /// `Authorization: Basic base64(user:password)`.
    Basic,
    /// `Authorization: <scheme> <key>`, another http scheme as the spec spells it.
    Http(&'static str),
    /// The key in this query parameter (masked in every URL the client prints).
    Query(&'static str),
    /// The key in a `Cookie: <name>=<key>` header.
    Cookie(&'static str),
}

#[derive(Debug)]
pub struct OperationDescription {
    /// The spec's `operationId`.
    pub id: &'static str,
    /// progenitor's method name, reported to hooks as `OperationInfo::operation_id`.
    pub rust_name: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    /// Alternatives, each a list of indexes into [`ApiDescription::schemes`]; empty: no auth.
    pub security: &'static [&'static [usize]],
    /// Headers with one allowed value, sent on every request of this operation.
    pub constant_headers: &'static [(&'static str, &'static str)],
    /// Whether a success body carries secrets: one that does not match the spec and is not
    /// JSON (so its secret cannot be located) is withheld from errors whole.
    pub returns_secrets: bool,
    /// Whether the request body carries secrets (a token to revoke): their values are
    /// scrubbed from any error body that echoes them.
    pub sends_secrets: bool,
}
