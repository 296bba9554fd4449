//! The vendor extensions a document (or its overlay) may carry for this generator. These are
//! the only `x-` keys any stage reads; what one stage decides for another travels in the typed
//! [`crate::plan::Plan`], never in the document, so a document cannot steer a stage by
//! writing a key meant for another.

/// A string property, parameter or header holding a credential: `SecretString` in the client,
/// redacted in every error and log.
pub const SECRET: &str = "x-secret";
/// Client configuration under `info`: the environment variables of the API key, http basic's
/// user and password, and the base URL (`info.x-client.api-key-env`, `username-env`,
/// `password-env`, `base-url-env`).
pub const CLIENT: &str = "x-client";
/// Rust names for an enum's values, one per value (typify's own extension).
pub const ENUM_VARNAMES: &str = "x-enum-varnames";
/// `true` on a variant of a streamed item's discriminated union: items of that variant are
/// the server reporting an error, which ends the stream.
pub const ERROR_EVENT: &str = "x-error-event";
/// At the document root: how the API signs its webhook deliveries (`header`, `algorithm`,
/// `encoding`, optional `prefix` and `event`), for the generated `webhooks::verify`.
pub const WEBHOOK_SIGNATURE: &str = "x-webhook-signature";
/// On an operation: how its list pages (`cursor`, `next` or `next-from-last-item`, `items`,
/// optional `has-more`; JSON pointers into the answer), or `false` for not paginated.
pub const PAGINATION: &str = "x-pagination";
