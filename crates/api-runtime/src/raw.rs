//! A request the document does not describe (`Client::request(method, "/path")`), sent like
//! any operation: the client's credential, retries, timeouts, response cap, redirect rule,
//! one `api_call` span and redacted errors. The path is relative to the base URL; nothing can
//! address another origin. The caller types the answer (`send::<T>()`), or reads its bytes or
//! streams them.
//!
//! An undescribed answer may carry anything: errors show only its shape (as for operations
//! that return secrets), never its text.

use std::fmt;

use bytes::Bytes;
use progenitor_client::{ByteStream, ResponseValue};
use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use crate::call::{self, Finished, Mode};
use crate::call_options::CallOptions;
use crate::context::Context;
use crate::error::Error;
use crate::stream::{self, ByteDownload};

/// The operation name raw requests are traced and reported under.
pub const RAW_OPERATION: &str = "request";

/// A request to a path of the API the document lacks. Built by the generated
/// `Client::request`; `Debug` shows the method, the path without its query, and header
/// names (never a query value, header value or body).
pub struct RawRequest<'a> {
    context: &'a Context,
    http: &'a reqwest::Client,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Option<(HeaderValue, Bytes)>,
    options: CallOptions,
    /// Why the request cannot be sent (reported by `send`, nothing sent).
    invalid: Option<String>,
}

impl fmt::Debug for RawRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        // The path without its query: a caller may put a token there.
        let path = self.path.split('?').next().unwrap_or_default();
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("path", &path)
            .field("headers", &names)
            .finish_non_exhaustive()
    }
}

impl<'a> RawRequest<'a> {
    /// `method` to `path` (starting with `/`, appended to the base URL's path).
    pub fn new(context: &'a Context, http: &'a reqwest::Client, method: Method, path: &str) -> Self {
        RawRequest {
            context,
            http,
            method,
            path: path.to_string(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            options: CallOptions::default(),
            invalid: relative_path_problem(path),
        }
    }

    /// A query parameter (added after any the path carries).
    pub fn query(mut self, name: &str, value: impl fmt::Display) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// A header. It never replaces the credential; its value is never shown.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(name), Ok(mut value)) => {
                value.set_sensitive(true);
                self.headers.push((name, value));
            }
            _ => {
                self.invalid.get_or_insert_with(|| format!("header `{name}` is not a valid header"));
            }
        }
        self
    }

    /// A JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(bytes) => self.body = Some((HeaderValue::from_static("application/json"), bytes.into())),
            Err(_) => {
                self.invalid.get_or_insert_with(|| "the JSON body does not serialise".to_string());
            }
        }
        self
    }

    /// A body of `content_type`.
    pub fn body(mut self, content_type: &str, body: impl Into<Bytes>) -> Self {
        match HeaderValue::try_from(content_type) {
            Ok(value) => self.body = Some((value, body.into())),
            Err(_) => {
                self.invalid.get_or_insert_with(|| format!("`{content_type}` is not a media type"));
            }
        }
        self
    }

    /// Options for this call: timeout, retries, extra headers.
    pub fn with_options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Sends it and decodes a success answer's JSON as `T`.
    pub async fn send<T: DeserializeOwned + fmt::Debug>(self) -> Result<ResponseValue<T>, Error<()>> {
        let (context, options) = (self.context, self.options.clone());
        let mode = Mode { accept: None, streaming: false };
        let send = self.sending(Some("application/json"));
        call::run(context, RAW_OPERATION, mode, options, Box::pin(call::decode_json(send))).await.result
    }

    /// Sends it and reads a success answer's bytes whole (up to the response cap).
    pub async fn send_bytes(self) -> Result<ResponseValue<Bytes>, Error<()>> {
        let (context, options) = (self.context, self.options.clone());
        let send = self.sending(None);
        call::run(context, RAW_OPERATION, Mode::default(), options, Box::pin(call::read_bytes(send))).await.result
    }

    /// Sends it and streams a success answer's bytes as they arrive.
    pub async fn send_download(self) -> Result<ResponseValue<ByteDownload>, Error<()>> {
        let (context, options) = (self.context, self.options.clone());
        let mode = Mode { accept: None, streaming: true };
        let send = self.sending(None);
        let Finished { result, span, scrub } = call::run(context, RAW_OPERATION, mode, options, Box::pin(send)).await;
        Ok(stream::download(result?, RAW_OPERATION, span, scrub))
    }

    /// progenitor's request future, as generated code has one: build, prepare, execute; a
    /// status that is not a success is an unexpected answer.
    fn sending(
        self,
        accept: Option<&'static str>,
    ) -> impl Future<Output = Result<ResponseValue<ByteStream>, progenitor_client::Error<()>>> + 'a {
        let (context, http) = (self.context, self.http);
        let built = self.build(accept);
        async move {
            let mut request = built.map_err(progenitor_client::Error::InvalidRequest)?;
            context.prepare_raw(&mut request).map_err(|e| progenitor_client::Error::InvalidRequest(e.to_string()))?;
            let response =
                context.execute(http, request).await.map_err(progenitor_client::Error::CommunicationError)?;
            if response.status().is_success() {
                Ok(ResponseValue::stream(response))
            } else {
                Err(progenitor_client::Error::UnexpectedResponse(response))
            }
        }
    }

    fn build(self, accept: Option<&'static str>) -> Result<reqwest::Request, String> {
        if let Some(problem) = self.invalid {
            return Err(problem);
        }
        let base = self.context.base_url();
        let joined = format!("{}{}", base.as_str().trim_end_matches('/'), self.path);
        let mut url = reqwest::Url::parse(&joined).map_err(|_| "the path does not make a URL".to_string())?;
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&self.query);
        }
        let mut request = reqwest::Request::new(self.method, url);
        let headers = request.headers_mut();
        if let Some(accept) = accept {
            headers.insert(reqwest::header::ACCEPT, HeaderValue::from_static(accept));
        }
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        if let Some((content_type, body)) = self.body {
            request.headers_mut().insert(reqwest::header::CONTENT_TYPE, content_type);
            *request.body_mut() = Some(body.into());
        }
        Ok(request)
    }
}

/// Why `path` is not a path under the base URL: it must start with one `/` and hold no `.`
/// or `..` segment, no backslash and no fragment (each could address something else).
fn relative_path_problem(path: &str) -> Option<String> {
    let bare = path.split('?').next().unwrap_or_default();
    let problem = if !path.starts_with('/') || path.starts_with("//") {
        "must start with one `/` (it is relative to the base URL)"
    } else if path.contains('\\') || path.contains('#') {
        "holds a backslash or a fragment"
    } else if bare.split('/').any(|segment| {
        let decoded = segment.replace("%2e", ".").replace("%2E", ".");
        decoded == "." || decoded == ".."
    }) {
        "holds a `.` or `..` segment"
    } else {
        return None;
    };
    Some(format!("the path {problem}; nothing was sent"))
}

#[cfg(test)]
mod tests {
    use super::relative_path_problem;

    #[test]
    fn debug_shows_no_query_header_value_or_body() {
        let http = reqwest::Client::new();
        static API: crate::ApiDescription = crate::ApiDescription {
            title: "t",
            version: "1",
            default_base_url: None,
            api_key_env: "T_KEY",
            username_env: "",
            password_env: "",
            base_url_env: "",
            schemes: &[],
            operations: &[],
            secret_fields: &[],
        };
        let api = &API;
        let url = reqwest::Url::parse("http://127.0.0.1:1").unwrap();
        let context = crate::Context::new(api, &crate::Credentials::default(), crate::Limits::default(), &url).unwrap();
        let request = super::RawRequest::new(&context, &http, reqwest::Method::GET, "/v1/x?token=tok-SENTINEL")
            .header("x-key", "hdr-SENTINEL")
            .body("text/plain", "body-SENTINEL");
        let shown = format!("{request:?}");
        assert!(shown.contains("/v1/x") && shown.contains("x-key"), "{shown}");
        assert!(!shown.contains("SENTINEL"), "{shown}");
    }

    #[test]
    fn only_paths_under_the_base_url_are_taken() {
        for fine in ["/v1/things", "/v1/things?limit=5", "/a/b.c/d"] {
            assert_eq!(relative_path_problem(fine), None, "{fine}");
        }
        for other in
            ["https://evil.example/x", "//evil.example/x", "v1/x", "/v1/../admin", "/v1/%2e%2e/admin", "/a\\b", "/a#b"]
        {
            assert!(relative_path_problem(other).is_some(), "{other}");
        }
    }
}
