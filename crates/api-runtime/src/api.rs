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
}

/// A security scheme from `components.securitySchemes`.
#[derive(Debug)]
pub struct SecurityScheme {
    pub name: &'static str,
    pub kind: SchemeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeKind {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// The key in this header.
    Header(&'static str),
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
