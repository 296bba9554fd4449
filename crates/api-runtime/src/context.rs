//! The state every generated `Client` carries (progenitor's "inner type") and every method
//! on it, in one place:
//! - construction ([`Context::new`]): credentials, constant headers, path checks and the
//!   client's scrub policy, prepared once;
//! - the `pre` hook ([`Context::prepare`]): authenticate as the operation's security
//!   requirement says, add constant headers, check the path, remember secrets the request
//!   sends (progenitor's own `api-version` header is taken out at codegen);
//! - the calls generated code makes ([`Context::call`], [`Context::call_json`],
//!   [`Context::call_events`], [`Context::call_download`]) and the `exec` hook
//!   ([`Context::execute`]), which run `call.rs`'s machinery.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use progenitor_client::{ByteStream, ResponseValue};
use reqwest::header::{HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use crate::api::{ApiDescription, OperationDescription};
use crate::auth::{Credentials, Presented};
use crate::call::{self, Finished, Mode};
use crate::call_options::CallOptions;
use crate::call_state;
use crate::config::{ConfigError, Limits};
use crate::error::Error;
use crate::path_check::PathTemplate;
use crate::redact::Scrubber;
use crate::secret::SecretString;
use crate::stream::{self, ByteDownload, EventStream, StreamFormat};

/// Shared, cheaply cloned client state. `Debug` never shows the credential.
#[derive(Clone)]
pub struct Context(Arc<Inner>);

struct Inner {
    api: &'static ApiDescription,
    /// What errors and streams may show: the API's secret fields, the credentials and the
    /// query parameters carrying a key (requests use the prepared credentials), narrowed by
    /// each call to its operation and what it sent.
    scrub: Scrubber,
    limits: Limits,
    /// Per scheme of `api.schemes`, ready to apply (built once, not per request).
    credentials: Vec<Option<Presented>>,
    /// The base URL: credentials go to its origin only.
    base_url: reqwest::Url,
    /// Per operation of `api.operations`.
    constant_headers: Vec<Vec<(HeaderName, HeaderValue)>>,
    /// Per operation of `api.operations`: what its request path must look like.
    paths: Vec<PathTemplate>,
    /// Each operation's index in `api.operations`, by its method name: found on every call,
    /// where a scan of Vercel's 234 names compared strings a thousand times per request.
    index: HashMap<&'static str, usize>,
    /// The base URL's path (no trailing `/`), which precedes every operation's path.
    base_path: Box<str>,
    transport: Transport,
    /// The wire log goes to stderr too (`<CRATE>_LOG=debug`, or the builder's `debug_log`).
    debug_log: bool,
}

/// Whose `reqwest::Client` sends the requests.
#[derive(Debug, Clone, Default)]
pub(crate) enum Transport {
    /// The builder's: attempt timeout, redirect policy and `User-Agent` are built in.
    #[default]
    Ours,
    /// The caller's: the attempt timeout goes on each request, and the builder's user agent
    /// (if one was set) on each request too.
    Callers { user_agent: Option<HeaderValue> },
}

/// Why a request could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("operation `{0}` is not in the API description")]
    UnknownOperation(String),
    #[error("operation `{operation}` needs a credential ({schemes}) and the client has none")]
    MissingCredential { operation: &'static str, schemes: String },
    /// Credentials go to the base URL's origin only (redirects elsewhere are refused too).
    #[error("operation `{operation}`: the request is not addressed to the base URL's origin; nothing was sent")]
    OtherOrigin { operation: &'static str },
    #[error("operation `{operation}`: the spec's media type `{media_type}` is not a valid header value")]
    InvalidMediaType { operation: &'static str, media_type: &'static str },
    /// A path parameter would make the request address another path (`..`, `.`, empty).
    #[error("{reason} (path `{template}`); nothing was sent")]
    PathChanged { template: &'static str, reason: String },
    /// An extra header of the call's options that is no header (its value is never shown).
    #[error("operation `{operation}`: the extra header `{name}` is not a valid header; nothing was sent")]
    InvalidHeader { operation: &'static str, name: String },
}

impl Context {
    /// Prepares the credential for every security scheme the API uses, and each operation's
    /// path check; `base_url` is the URL operation paths are appended to.
    pub fn new(
        api: &'static ApiDescription,
        credentials: &Credentials,
        limits: Limits,
        base_url: &reqwest::Url,
    ) -> Result<Self, ConfigError> {
        Self::with_transport(api, credentials, limits, base_url, Transport::Ours, false)
    }

    /// Whether the wire log goes to stderr too.
    pub(crate) fn debug_log(&self) -> bool {
        self.0.debug_log
    }

    /// [`Context::new`], sending through `transport`'s client.
    pub(crate) fn with_transport(
        api: &'static ApiDescription,
        credentials: &Credentials,
        limits: Limits,
        base_url: &reqwest::Url,
        transport: Transport,
        debug_log: bool,
    ) -> Result<Self, ConfigError> {
        let presented =
            api.schemes.iter().map(|scheme| Presented::new(scheme.kind, credentials)).collect::<Result<_, _>>()?;
        let constant_headers = api
            .operations
            .iter()
            .map(|op| {
                op.constant_headers
                    .iter()
                    .map(|(name, value)| {
                        let invalid = || ConfigError::InvalidSpecHeader { name };
                        Ok((
                            HeaderName::try_from(*name).map_err(|_| invalid())?,
                            HeaderValue::try_from(*value).map_err(|_| invalid())?,
                        ))
                    })
                    .collect::<Result<Vec<_>, ConfigError>>()
            })
            .collect::<Result<_, _>>()?;
        let paths = api.operations.iter().map(|op| PathTemplate::new(op.path)).collect();
        let index = api.operations.iter().enumerate().map(|(i, op)| (op.rust_name, i)).rev().collect();
        let base_path = base_url.path().trim_end_matches('/').into();
        Ok(Context(Arc::new(Inner {
            api,
            scrub: Scrubber::for_client(api, &credentials.secrets()),
            limits,
            credentials: presented,
            base_url: base_url.clone(),
            constant_headers,
            paths,
            index,
            base_path,
            transport,
            debug_log,
        })))
    }

    pub fn api(&self) -> &'static ApiDescription {
        self.0.api
    }

    /// The operation named `rust_name` (its method name).
    pub(crate) fn operation(&self, rust_name: &str) -> Option<&'static OperationDescription> {
        self.0.index.get(rust_name).map(|&index| &self.0.api.operations[index])
    }

    pub fn limits(&self) -> &Limits {
        &self.0.limits
    }

    /// The client's scrub policy, which each call narrows ([`Scrubber::for_call`]).
    pub(crate) fn scrubber(&self) -> &Scrubber {
        &self.0.scrub
    }

    /// Makes `request` exactly what the spec says for `operation_id`.
    pub fn prepare(&self, request: &mut reqwest::Request, operation_id: &str) -> Result<(), RequestError> {
        let inner = &*self.0;
        let index =
            *inner.index.get(operation_id).ok_or_else(|| RequestError::UnknownOperation(operation_id.to_string()))?;
        let op = &inner.api.operations[index];
        inner.paths[index]
            .check(&inner.base_path, request.url().path())
            .map_err(|mismatch| RequestError::PathChanged { template: op.path, reason: mismatch.to_string() })?;

        self.callers_user_agent(request);
        let headers = request.headers_mut();
        for (name, value) in &inner.constant_headers[index] {
            headers.insert(name.clone(), value.clone());
        }

        if let Some(accept) = call_state::accept() {
            let value = HeaderValue::try_from(accept)
                .map_err(|_| RequestError::InvalidMediaType { operation: op.id, media_type: accept })?;
            headers.insert(reqwest::header::ACCEPT, value);
        }

        extra_headers(request, op.id)?;

        if op.sends_secrets {
            call_state::remember_sent(sent_secrets(request, inner.api.secret_fields));
        }

        if op.security.is_empty() {
            return Ok(());
        }
        // The first alternative whose schemes all have a credential.
        let alternative = op
            .security
            .iter()
            .find(|schemes| schemes.iter().all(|&s| inner.credentials.get(s).is_some_and(Option::is_some)))
            .ok_or_else(|| RequestError::MissingCredential {
                operation: op.id,
                schemes: op
                    .security
                    .iter()
                    .flat_map(|alt| alt.iter().map(|&s| inner.api.schemes[s].name))
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        if !crate::urls::same_origin(request.url(), &inner.base_url) {
            return Err(RequestError::OtherOrigin { operation: op.id });
        }
        for presented in alternative.iter().filter_map(|&s| inner.credentials[s].as_ref()) {
            presented.apply(request);
        }
        Ok(())
    }

    /// Prepares a request the document does not describe ([`crate::RawRequest`]): it must
    /// address the base URL's origin; it gets the caller's extra headers and the client's
    /// credential (of the first security scheme the client has one for).
    pub fn prepare_raw(&self, request: &mut reqwest::Request) -> Result<(), RequestError> {
        let inner = &*self.0;
        let operation = crate::raw::RAW_OPERATION;
        if !crate::urls::same_origin(request.url(), &inner.base_url) {
            return Err(RequestError::OtherOrigin { operation });
        }
        self.callers_user_agent(request);
        extra_headers(request, operation)?;
        if let Some(presented) = inner.credentials.iter().flatten().next() {
            presented.apply(request);
        }
        Ok(())
    }

    /// The builder's user agent on a request sent through the caller's client.
    fn callers_user_agent(&self, request: &mut reqwest::Request) {
        if let Transport::Callers { user_agent: Some(agent) } = &self.0.transport {
            request.headers_mut().insert(reqwest::header::USER_AGENT, agent.clone());
        }
    }

    /// The URL operation paths are appended to.
    pub(crate) fn base_url(&self) -> &reqwest::Url {
        &self.0.base_url
    }

    /// progenitor's `exec` hook: sends `request`, retrying as [`crate::RetryPolicy`] allows,
    /// each attempt bounded by the attempt timeout and all of them by the deadline; the final
    /// response's body is capped at `max_response_bytes`.
    pub async fn execute(
        &self,
        http: &reqwest::Client,
        request: reqwest::Request,
    ) -> reqwest::Result<reqwest::Response> {
        let own = matches!(self.0.transport, Transport::Callers { .. });
        call::execute(self, own, http, request).await
    }

    /// Runs one operation: `send` is progenitor's request future for it.
    ///
    /// One `api_call` span per call, with the operation id, method, path template, final
    /// status, attempts and latency (and, for streams, items and duration when the stream
    /// ends). Nothing else of the request is recorded: no headers, no body, no query.
    ///
    /// `send` is moved to the heap before the call's own future exists (see [`call::run`]):
    /// the builder's `send` future stays small, whatever progenitor's is.
    pub fn call<'a, T: 'a, E: 'a>(
        &'a self,
        operation: &'static str,
        options: CallOptions,
        send: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>> + 'a,
    ) -> impl Future<Output = Result<ResponseValue<T>, Error<E>>> + 'a {
        let send = Box::pin(send);
        async move { call::run(self, operation, Mode::default(), options, send).await.result }
    }

    /// For an operation whose success body progenitor reads as bytes but which the caller
    /// asked for as JSON (one that also offers a stream): decoded into `T` here.
    pub fn call_json<'a, T: DeserializeOwned + std::fmt::Debug + 'a, E: 'a>(
        &'a self,
        operation: &'static str,
        options: CallOptions,
        send: impl Future<Output = Result<ResponseValue<ByteStream>, progenitor_client::Error<E>>> + 'a,
    ) -> impl Future<Output = Result<ResponseValue<T>, Error<E>>> + 'a {
        let mode = Mode { accept: Some("application/json"), streaming: false };
        let send = Box::pin(call::decode_json(send));
        async move { call::run(self, operation, mode, options, send).await.result }
    }

    /// An operation answering a JSON document at some success statuses and no body at others:
    /// `None` for an empty body.
    pub fn call_json_or_empty<'a, T: DeserializeOwned + std::fmt::Debug + 'a, E: 'a>(
        &'a self,
        operation: &'static str,
        options: CallOptions,
        send: impl Future<Output = Result<ResponseValue<ByteStream>, progenitor_client::Error<E>>> + 'a,
    ) -> impl Future<Output = Result<ResponseValue<Option<T>>, Error<E>>> + 'a {
        let mode = Mode { accept: Some("application/json"), streaming: false };
        let send = Box::pin(call::decode_json_or_empty(send));
        async move { call::run(self, operation, mode, options, send).await.result }
    }

    /// An operation whose success body is a stream of items (`format` says how framed):
    /// typed as `T`, read as they arrive. The stream shows what the call's errors would: its
    /// scrub policy is handed over.
    pub fn call_events<'a, T: 'a, E: 'a>(
        &'a self,
        operation: &'static str,
        options: CallOptions,
        format: &'static StreamFormat,
        decode: stream::Decode<T>,
        send: impl Future<Output = Result<ResponseValue<ByteStream>, progenitor_client::Error<E>>> + 'a,
    ) -> impl Future<Output = Result<ResponseValue<EventStream<T>>, Error<E>>> + 'a {
        let mode = Mode { accept: Some(format.media_type), streaming: true };
        let send = Box::pin(send);
        async move {
            let Finished { result, span, scrub } = call::run(self, operation, mode, options, send).await;
            let limit = self.limits().max_response_bytes;
            Ok(stream::events(result?, operation, format, decode, limit, scrub, span))
        }
    }

    /// An operation whose success body is bytes of `accept`'s media types (audio, CSV, a
    /// file): read as they arrive, in constant memory.
    pub fn call_download<'a, E: 'a>(
        &'a self,
        operation: &'static str,
        options: CallOptions,
        accept: &'static str,
        send: impl Future<Output = Result<ResponseValue<ByteStream>, progenitor_client::Error<E>>> + 'a,
    ) -> impl Future<Output = Result<ResponseValue<ByteDownload>, Error<E>>> + 'a {
        let mode = Mode { accept: Some(accept), streaming: true };
        let send = Box::pin(send);
        async move {
            let Finished { result, span, scrub } = call::run(self, operation, mode, options, send).await;
            Ok(stream::download(result?, operation, span, scrub))
        }
    }
}

/// The caller's extra headers ([`CallOptions`]): beside the request's own, never instead of
/// them (a credential applied after replaces one of its name); their values are scrubbed from
/// what the call shows, like secrets it sent.
fn extra_headers(request: &mut reqwest::Request, operation: &'static str) -> Result<(), RequestError> {
    let options = call_state::options();
    if options.is_empty() {
        return Ok(());
    }
    if let Some(name) = options.invalid_header() {
        return Err(RequestError::InvalidHeader { operation, name: name.to_string() });
    }
    let headers = request.headers_mut();
    for (name, value) in options.headers() {
        if !headers.contains_key(name) {
            headers.insert(name.clone(), value.clone());
        }
    }
    call_state::remember_sent(options.header_values());
    Ok(())
}

/// The values of secret fields in a JSON request body.
fn sent_secrets(request: &reqwest::Request, fields: &[&str]) -> Vec<SecretString> {
    fn walk(value: &serde_json::Value, fields: &[&str], out: &mut Vec<SecretString>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, child) in map {
                    match child {
                        serde_json::Value::String(s) if fields.contains(&key.as_str()) => {
                            out.push(SecretString::new(s.as_str()))
                        }
                        _ => walk(child, fields, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, fields, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Some(body) = request.body().and_then(reqwest::Body::as_bytes)
        && let Ok(value) = serde_json::from_slice(body)
    {
        walk(&value, fields, &mut out);
    }
    out
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let has_credential = self.0.credentials.iter().any(Option::is_some);
        f.debug_struct("Context")
            .field("api", &self.0.api.title)
            .field("credential", &if has_credential { "[REDACTED]" } else { "none" })
            .field("limits", &self.0.limits)
            .finish()
    }
}
