//! Fetching sources: timeouts, a bounded retry with backoff for transient failures, a size
//! cap, and a mirror (base URL or local folder) that can stand in for every host.

use std::path::PathBuf;
use std::time::Duration;

use api_runtime::RetryPolicy;
use api_runtime::retry;
use reqwest::StatusCode;

/// Where fetches go instead of the real hosts: `https://host/a/b` is read from
/// `<base>/host/a/b` (a path ending in `/` or empty gets `index`).
#[derive(Debug, Clone, PartialEq)]
pub enum Mirror {
    Url(String),
    Dir(PathBuf),
}

impl Mirror {
    pub fn parse(text: &str) -> Mirror {
        if text.starts_with("http://") || text.starts_with("https://") {
            Mirror::Url(text.trim_end_matches('/').to_string())
        } else {
            Mirror::Dir(PathBuf::from(text))
        }
    }

    /// The mirror's location for `url`.
    fn locate(&self, url: &reqwest::Url) -> String {
        let mut path = url.path().to_string();
        if path.is_empty() || path.ends_with('/') {
            path.push_str("index");
        }
        let host = url.host_str().unwrap_or("unknown-host");
        match self {
            Mirror::Url(base) => format!("{base}/{host}{path}"),
            Mirror::Dir(dir) => dir.join(host).join(path.trim_start_matches('/')).display().to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// For each attempt, from connecting to the last byte.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Retries and their waits: the runtime's policy (jittered exponential backoff,
    /// `Retry-After` in seconds or as a date, capped). Which failures are retried is the
    /// fetcher's own: connect errors, 5xx and 429 (a GET of a document is safe to repeat).
    pub retry: RetryPolicy,
    /// Responses larger than this are refused.
    pub max_bytes: u64,
    /// For everything one source fetches (an index and all its pages): past it, the source
    /// fails and the next one runs.
    pub source_timeout: Duration,
    pub mirror: Option<Mirror>,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy {
                max_retries: 2,
                base_backoff: Duration::from_millis(500),
                max_retry_after: Duration::from_secs(10),
                ..RetryPolicy::default()
            },
            max_bytes: 32 * 1024 * 1024,
            source_timeout: Duration::from_secs(300),
            mirror: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("invalid URL: {0}")]
    BadUrl(String),
    #[error("HTTP status {0}")]
    Status(StatusCode),
    #[error("no complete response within {0:?}")]
    Timeout(Duration),
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("the response is larger than the {0}-byte cap")]
    TooLarge(u64),
    #[error("{0}")]
    Transfer(String),
    #[error("cannot read the mirror file: {0}")]
    File(std::io::Error),
}

impl FetchError {
    /// Worth another attempt: the server may not have seen the request, or asked for a retry.
    fn transient(&self) -> bool {
        match self {
            FetchError::Status(status) => status.is_server_error() || *status == StatusCode::TOO_MANY_REQUESTS,
            FetchError::Connect(_) => true,
            _ => false,
        }
    }
}

/// What a fetch got.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The source URL (as in `source.toml`).
    pub url: String,
    /// Where it was actually read from (the mirror's location, if any).
    pub location: String,
    pub bytes: Vec<u8>,
    pub attempts: u32,
}

/// A failed fetch: where it was tried and why.
#[derive(Debug, thiserror::Error)]
#[error("{location}: {error} (after {attempts} attempt(s))")]
pub struct Failed {
    pub location: String,
    pub error: FetchError,
    pub attempts: u32,
}

#[derive(Debug, Clone)]
pub struct Fetcher {
    http: reqwest::Client,
    config: FetchConfig,
}

impl Fetcher {
    pub fn new(config: FetchConfig) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("vendor-clients-xtask/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Fetcher { http, config })
    }

    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    pub async fn fetch(&self, url: &str) -> Result<Fetched, Failed> {
        let parsed = reqwest::Url::parse(url).map_err(|e| Failed {
            location: url.into(),
            error: FetchError::BadUrl(e.to_string()),
            attempts: 0,
        })?;
        let location = match &self.config.mirror {
            Some(mirror) => mirror.locate(&parsed),
            None => url.to_string(),
        };
        if let Some(Mirror::Dir(_)) = &self.config.mirror {
            let bytes =
                self.read_file(&location).map_err(|error| Failed { location: location.clone(), error, attempts: 1 })?;
            return Ok(Fetched { url: url.into(), location, bytes, attempts: 1 });
        }

        let mut attempt = 0;
        loop {
            attempt += 1;
            let (result, retry_after) = self.attempt(&location).await;
            match result {
                Ok(bytes) => return Ok(Fetched { url: url.into(), location, bytes, attempts: attempt }),
                Err(error) if error.transient() && attempt <= self.config.retry.max_retries => {
                    tokio::time::sleep(self.config.retry.wait(attempt, retry_after)).await;
                }
                Err(error) => return Err(Failed { location, error, attempts: attempt }),
            }
        }
    }

    async fn attempt(&self, location: &str) -> (Result<Vec<u8>, FetchError>, Option<Duration>) {
        let classify = |e: reqwest::Error| {
            if e.is_timeout() {
                FetchError::Timeout(self.config.timeout)
            } else if e.is_connect() {
                FetchError::Connect(e.to_string())
            } else {
                FetchError::Transfer(e.to_string())
            }
        };
        let mut response = match self.http.get(location).send().await {
            Ok(response) => response,
            Err(e) => return (Err(classify(e)), None),
        };
        if !response.status().is_success() {
            let retry_after = retry::retry_after(response.headers());
            return (Err(FetchError::Status(response.status())), retry_after);
        }
        let cap = self.config.max_bytes;
        if response.content_length().is_some_and(|len| len > cap) {
            return (Err(FetchError::TooLarge(cap)), None);
        }
        let mut bytes = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() as u64 + chunk.len() as u64 > cap {
                        return (Err(FetchError::TooLarge(cap)), None);
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => return (Ok(bytes), None),
                Err(e) => return (Err(classify(e)), None),
            }
        }
    }

    fn read_file(&self, path: &str) -> Result<Vec<u8>, FetchError> {
        let meta = std::fs::metadata(path).map_err(FetchError::File)?;
        if meta.len() > self.config.max_bytes {
            return Err(FetchError::TooLarge(self.config.max_bytes));
        }
        std::fs::read(path).map_err(FetchError::File)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirrors_map_host_and_path() {
        let url = reqwest::Url::parse("https://openapi.vercel.sh/").unwrap();
        assert_eq!(Mirror::parse("http://127.0.0.1:9/m/").locate(&url), "http://127.0.0.1:9/m/openapi.vercel.sh/index");
        let url =
            reqwest::Url::parse("https://docs.cartesia.ai/2024-06-10/api-reference/auth/access-token.md").unwrap();
        assert_eq!(
            Mirror::parse("/tmp/m").locate(&url),
            "/tmp/m/docs.cartesia.ai/2024-06-10/api-reference/auth/access-token.md"
        );
    }
}
