//! Client configuration: builder, environment, limits, errors.

use std::fmt;
use std::marker::PhantomData;
use std::time::Duration;

use crate::api::ApiDescription;
use crate::auth::{BasicAuth, Credentials};
use crate::context::{Context, Transport};
use crate::redirect;
use crate::retry::RetryPolicy;
use crate::secret::SecretString;
use crate::urls;

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// "No total timeout" for a streamed response (tokio clamps it to its far future); also the
/// longest read timeout given to reqwest, which adds it to the clock.
pub(crate) const NO_TOTAL_TIMEOUT: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Time, retry and size limits for every call of a client.
///
/// No value can make a call panic: a duration too long to add to the clock means no limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// One attempt, from sending to the last byte of the response.
    pub attempt_timeout: Duration,
    /// All attempts of one call together, waits included.
    pub deadline: Duration,
    pub retry: RetryPolicy,
    /// The largest response body read (error bodies included).
    pub max_response_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            attempt_timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(120),
            retry: RetryPolicy::default(),
            max_response_bytes: crate::body_limit::DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// Implemented by every generated `Client`, so one builder serves them all.
pub trait GeneratedClient: Sized {
    const API: &'static ApiDescription;
    /// The `User-Agent` sent unless the builder sets another: the client crate and its
    /// version (`vercel/0.1.0`), as every official SDK names itself.
    const USER_AGENT: &'static str = concat!("api-runtime/", env!("CARGO_PKG_VERSION"));
    fn from_parts(base_url: &str, http: reqwest::Client, context: Context) -> Self;

    /// The builder for this client (each client also has it as an inherent method).
    fn builder() -> ClientBuilder<Self> {
        ClientBuilder::new()
    }

    /// A client configured from the environment (also an inherent method of each client).
    fn from_env() -> Result<Self, ConfigError> {
        Self::builder().from_env()?.build()
    }
}

/// Why a client could not be configured. Never contains the API key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {var} is not set: it must hold the API key")]
    MissingEnv { var: &'static str },
    #[error("environment variable {var} is not valid Unicode")]
    NotUnicode { var: &'static str },
    #[error("no API key: call `.api_key(..)` on the builder or set {var}")]
    MissingApiKey { var: &'static str },
    #[error(
        "environment variables {username} and {password} must both be set: they hold the user and password for HTTP basic authentication"
    )]
    MissingBasicEnv { username: &'static str, password: &'static str },
    #[error(
        "no credential in the environment: set {key} (the API key) or {username} and {password} (user and password)"
    )]
    MissingCredentialEnv { key: &'static str, username: &'static str, password: &'static str },
    #[error("no user and password: call `.basic_auth(..)` on the builder or set {username} and {password}")]
    MissingBasicAuth { username: &'static str, password: &'static str },
    #[error(
        "no credential: call `.api_key(..)` or `.basic_auth(..)` on the builder, or set {key} or {username} and {password}"
    )]
    MissingCredential { key: &'static str, username: &'static str, password: &'static str },
    #[error("the API key contains characters that cannot be sent in an HTTP header")]
    InvalidApiKey,
    #[error("the API key contains characters a cookie cannot carry (whitespace, `\"`, `,`, `;`, `\\`)")]
    InvalidCookieKey,
    #[error(
        "the user or password cannot be sent with HTTP basic authentication (a `:` in the user, or a control character)"
    )]
    InvalidBasicAuth,
    #[error("no base URL: the spec names no server, so call `.base_url(..)`")]
    MissingBaseUrl,
    #[error("invalid base URL `{url}`: {reason}")]
    InvalidBaseUrl { url: String, reason: String },
    #[error(
        "refusing plain-http base URL `{url}`: the API key would travel in clear text (use https, a loopback host, or `.allow_insecure_http()`)"
    )]
    InsecureBaseUrl { url: String },
    #[error("the {what} is zero: no request could ever complete (a very large value means no limit)")]
    ZeroLimit { what: &'static str },
    #[error("invalid user agent: it must be visible ASCII")]
    InvalidUserAgent,
    #[error("the spec names header `{name}`, which is not a valid HTTP header")]
    InvalidSpecHeader { name: &'static str },
    #[error("the spec names {what} `{name}`, which cannot be sent")]
    InvalidSpecName { what: &'static str, name: &'static str },
    #[error("cannot build the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

/// Builds any generated client: API key (or user and password), base URL, timeouts, user
/// agent, limits.
///
/// The `User-Agent` names the client crate and its version (`vercel/0.1.0`) unless
/// [`ClientBuilder::user_agent`] replaces it.
/// Redirects are followed only within the base URL's origin ([`crate::MAX_REDIRECTS`] at most).
pub struct ClientBuilder<C> {
    api_key: Option<SecretString>,
    basic: Option<BasicAuth>,
    base_url: Option<String>,
    limits: Limits,
    connect_timeout: Duration,
    user_agent: Option<String>,
    allow_insecure_http: bool,
    /// The caller's own HTTP client, if given.
    http: Option<reqwest::Client>,
    /// The wire log to stderr: set, or from `<CRATE>_LOG`.
    debug_log: Option<bool>,
    client: PhantomData<fn() -> C>,
}

impl<C: GeneratedClient> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C: GeneratedClient> ClientBuilder<C> {
    pub fn new() -> Self {
        ClientBuilder {
            api_key: None,
            basic: None,
            base_url: None,
            limits: Limits::default(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            user_agent: None,
            allow_insecure_http: false,
            http: None,
            debug_log: None,
            client: PhantomData,
        }
    }

    /// The credential of every scheme but http `basic`: a bearer token, or an API key sent in
    /// the header, query parameter or cookie the spec names.
    pub fn api_key(mut self, key: impl Into<SecretString>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The user and password of http `basic` (`Authorization: Basic base64(user:password)`);
    /// both are kept and shown like the API key (never).
    pub fn basic_auth(mut self, username: impl Into<SecretString>, password: impl Into<SecretString>) -> Self {
        self.basic = Some(BasicAuth { username: username.into(), password: password.into() });
        self
    }

    /// Overrides the spec's server URL (for a proxy, a mock or another region).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The limit for one attempt, from connecting to reading the last byte (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.limits.attempt_timeout = timeout;
        self
    }

    /// The limit for a whole call: every attempt and every wait between them (default 120 s).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.limits.deadline = deadline;
        self
    }

    /// Retries after the first attempt (default 2); see [`RetryPolicy`] for which failures.
    pub fn retries(mut self, max_retries: u32) -> Self {
        self.limits.retry.max_retries = max_retries;
        self
    }

    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.limits.retry = policy;
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// The largest response body the client reads, error bodies included (default 16 MiB,
    /// [`crate::DEFAULT_MAX_RESPONSE_BYTES`]); a longer one fails the call.
    pub fn max_response_bytes(mut self, max: u64) -> Self {
        self.limits.max_response_bytes = max;
        self
    }

    /// Sends through the caller's `reqwest::Client` (a proxy, custom TLS roots, middleware of
    /// its own) instead of one the builder makes. What the runtime still enforces: the
    /// credential goes to the base URL's origin only, the attempt timeout (per request; a
    /// stream is bounded by the client's own read timeout only), the deadline, retries and the
    /// response cap. What then depends on how that client was built: redirects (build it with
    /// [`crate::redirect_policy`] to keep same-origin-only), the connect timeout, TLS, and the
    /// `User-Agent` (this builder's [`Self::user_agent`] if set, else the client's own).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Prints each request and answer (line, headers, bodies; redacted as errors are) to
    /// stderr, or not, whatever `<CRATE>_LOG` says (by default `debug` there turns it on). A
    /// `tracing` subscriber at DEBUG for `api_runtime::wire` gets the same log either way.
    pub fn debug_log(mut self, on: bool) -> Self {
        self.debug_log = Some(on);
        self
    }

    /// Accepts a plain-`http` base URL on a non-loopback host: the API key and every request
    /// and response then travel in clear text. (Loopback hosts are always accepted.)
    pub fn allow_insecure_http(mut self) -> Self {
        self.allow_insecure_http = true;
        self
    }

    /// Takes the credentials from the spec's environment variables and the base URL from its
    /// override variable (if set). The API key's variable is required when the API's schemes
    /// take only a key; the user's and password's when it uses only http `basic`; one or the
    /// other when it uses both.
    pub fn from_env(self) -> Result<Self, ConfigError> {
        self.from_lookup(|var| match std::env::var(var) {
            Ok(v) => Ok(Some(v)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::NotUnicode { var }),
        })
    }

    /// [`Self::from_env`] with another source of variables (a config file, a secret store).
    /// An empty value counts as unset.
    pub fn from_lookup(
        mut self,
        lookup: impl Fn(&'static str) -> Result<Option<String>, ConfigError>,
    ) -> Result<Self, ConfigError> {
        let api = C::API;
        let read = |var: &'static str| Ok::<_, ConfigError>(lookup(var)?.filter(|v| !v.is_empty()));
        if !api.uses_basic() {
            // Only the key (or nothing): its variable is required whenever the spec names one.
            if !api.api_key_env.is_empty() {
                let key = read(api.api_key_env)?.ok_or(ConfigError::MissingEnv { var: api.api_key_env })?;
                self.api_key = Some(SecretString::new(key));
            }
        } else {
            let (username, password) = (api.username_env, api.password_env);
            let named = |var: &'static str| if var.is_empty() { Ok(None) } else { read(var) };
            let key = if api.uses_key() { named(api.api_key_env)? } else { None };
            let basic = match (named(username)?, named(password)?) {
                (Some(user), Some(pass)) => Some(BasicAuth { username: user.into(), password: pass.into() }),
                (None, None) => None,
                // Half a pair is a mistake, whatever else is set.
                _ => return Err(ConfigError::MissingBasicEnv { username, password }),
            };
            match (key, basic) {
                (None, None) if !api.needs_credential() => {}
                (None, None) if api.uses_key() => {
                    return Err(ConfigError::MissingCredentialEnv { key: api.api_key_env, username, password });
                }
                (None, None) => return Err(ConfigError::MissingBasicEnv { username, password }),
                (key, basic) => {
                    self.api_key = key.map(SecretString::new).or(self.api_key);
                    self.basic = basic.or(self.basic);
                }
            }
        }
        if !api.base_url_env.is_empty()
            && let Some(url) = read(api.base_url_env)?
        {
            self.base_url = Some(url);
        }
        Ok(self)
    }

    /// The API key set so far (by `.api_key` or `from_env`).
    pub fn configured_api_key(&self) -> Option<&SecretString> {
        self.api_key.as_ref()
    }

    /// The base URL set so far, if any (otherwise the spec's server is used).
    pub fn configured_base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    pub fn build(self) -> Result<C, ConfigError> {
        let api = C::API;
        // reqwest races a zero timeout against the request: refused, so zero never half-works.
        for (what, limit) in [
            ("timeout", self.limits.attempt_timeout),
            ("deadline", self.limits.deadline),
            ("connect timeout", self.connect_timeout),
        ] {
            if limit.is_zero() {
                return Err(ConfigError::ZeroLimit { what });
            }
        }
        if api.needs_credential() && self.api_key.is_none() && self.basic.is_none() {
            let (key, username, password) = (api.api_key_env, api.username_env, api.password_env);
            return Err(match (api.uses_key(), api.uses_basic()) {
                (true, true) => ConfigError::MissingCredential { key, username, password },
                (false, true) => ConfigError::MissingBasicAuth { username, password },
                _ => ConfigError::MissingApiKey { var: key },
            });
        }
        let base_url = match (self.base_url, api.default_base_url) {
            (Some(url), _) => url,
            (None, Some(url)) => url.to_string(),
            (None, None) => return Err(ConfigError::MissingBaseUrl),
        };
        let invalid = |reason: String| ConfigError::InvalidBaseUrl { url: urls::mask(&base_url), reason };
        let parsed = reqwest::Url::parse(&base_url).map_err(|e| invalid(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(invalid("the scheme must be http or https".into()));
        }
        // The base URL is printed by `Debug` and in transport errors: no credentials in it.
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(invalid("credentials in the URL are not supported: they would be printed".into()));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(invalid("a query or fragment cannot work: operation paths are appended to the URL".into()));
        }
        if parsed.scheme() == "http" && !urls::is_loopback(&parsed) && !self.allow_insecure_http {
            return Err(ConfigError::InsecureBaseUrl { url: urls::mask_parsed(&parsed) });
        }
        // progenitor appends paths that start with `/`.
        let base_url = base_url.trim_end_matches('/');

        let credentials = Credentials { api_key: self.api_key, basic: self.basic };
        let debug_log = self.debug_log.unwrap_or_else(|| {
            let crate_name = C::USER_AGENT.split('/').next().unwrap_or_default();
            crate::wire_log::from_env_value(std::env::var(crate::wire_log::env_var(crate_name)).ok().as_deref())
        });
        if let Some(http) = self.http {
            let agent = self.user_agent.as_deref().map(reqwest::header::HeaderValue::try_from).transpose();
            let agent = agent.map_err(|_| ConfigError::InvalidUserAgent)?;
            let transport = Transport::Callers { user_agent: agent };
            let context = Context::with_transport(api, &credentials, self.limits, &parsed, transport, debug_log)?;
            return Ok(C::from_parts(base_url, http, context));
        }
        // The attempt timeout; `Context::execute` shortens it for an attempt near the deadline.
        let mut http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.limits.attempt_timeout)
            // What bounds a stream, which has no total timeout: each wait for the answer or
            // the next chunk.
            // (A century at most: reqwest adds it to the clock, and `Duration::MAX`, "no limit",
            // would overflow.)
            .read_timeout(self.limits.attempt_timeout.min(NO_TOTAL_TIMEOUT))
            .redirect(redirect::policy());
        let agent = self.user_agent.as_deref().unwrap_or(C::USER_AGENT);
        let agent = reqwest::header::HeaderValue::try_from(agent).map_err(|_| ConfigError::InvalidUserAgent)?;
        http = http.user_agent(agent);
        let http = http.build().map_err(ConfigError::Http)?;
        let context = Context::with_transport(api, &credentials, self.limits, &parsed, Transport::Ours, debug_log)?;
        Ok(C::from_parts(base_url, http, context))
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("ClientBuilder");
        out.field("api_key", &self.api_key);
        // Only when set: a builder of a client without basic shows what it always showed.
        if let Some(basic) = &self.basic {
            out.field("basic", basic);
        }
        out.field("base_url", &self.base_url.as_deref().map(urls::mask))
            .field("limits", &self.limits)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .finish()
    }
}
