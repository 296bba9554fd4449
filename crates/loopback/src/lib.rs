//! A loopback HTTP/1.1 server for tests and demos: it records every request exactly as it
//! arrived (method, path, query, headers in order, body bytes) and answers from a handler.
//!
//! Unlike a mock that matches on expectations, it lets a test assert on the *whole* request,
//! including headers nobody asked for.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One request as the server received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Header names (lowercase) and values, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// When the request arrived (its head and body read).
    pub arrived: Instant,
    /// How many responses the server had finished sending when this request arrived: with
    /// delayed replies, requests that overlap in time all see the same count.
    pub answered_before: usize,
}

impl Recorded {
    /// The value of a header (case-insensitive name), if present once or more (first wins).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Header names, sorted, for asserting the exact set.
    pub fn header_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        names
    }

    /// The body as text (lossy), for printing.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// How long to wait before answering (a slow or hanging server).
    pub delay: Option<Duration>,
    /// Drop the connection instead of answering (after the delay, if any).
    pub reset: bool,
    /// Send `body` this many times, chunked (no `Content-Length`), as fast as the client
    /// reads; the server stops when the client hangs up.
    pub repeat: Option<u64>,
    /// Send these chunks instead of `body`, each flushed on its own after `pace` (so they
    /// arrive as separate reads), then end the body, or break the connection if `broken`.
    pub paced: Option<Paced>,
}

/// A body sent in given pieces: events split across TCP chunks, a stream that breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paced {
    pub chunks: Vec<Bytes>,
    pub pace: Duration,
    pub broken: bool,
}

impl Reply {
    pub fn status(status: u16) -> Self {
        Reply { status, headers: Vec::new(), body: Bytes::new(), delay: None, reset: false, repeat: None, paced: None }
    }

    /// A reply with a JSON body (given as text, so callers choose their JSON library).
    pub fn json(status: u16, body: impl Into<String>) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(body.into()),
            delay: None,
            reset: false,
            repeat: None,
            paced: None,
        }
    }

    /// A 200 reply with this body and content type.
    pub fn bytes(content_type: &str, body: impl Into<Bytes>) -> Self {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
            delay: None,
            reset: false,
            repeat: None,
            paced: None,
        }
    }

    /// Closes the connection without a response: the client sees a reset.
    pub fn reset() -> Self {
        Reply { reset: true, ..Reply::status(500) }
    }

    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// A redirect: this status with a `Location` header.
    pub fn redirect(status: u16, location: impl Into<String>) -> Self {
        Reply::status(status).with_header("location", location)
    }

    /// Sends the body `times` times in chunks, without a `Content-Length` (see [`Reply::repeat`]).
    pub fn paced(mut self, chunks: Vec<Bytes>, pace: Duration, broken: bool) -> Self {
        self.paced = Some(Paced { chunks, pace, broken });
        self
    }

    pub fn repeated(mut self, times: u64) -> Self {
        self.repeat = Some(times);
        self
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

/// A running server; it stops when dropped.
pub struct Server {
    addr: SocketAddr,
    recorded: Arc<Mutex<Vec<Recorded>>>,
    streamed: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl Server {
    /// Starts a server on 127.0.0.1 (a free port) answering every request with `handler`.
    pub async fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> std::io::Result<Self> {
        Self::start_with(handler, true).await
    }

    /// Like [`Server::start`] but keeping no record of requests, for long benchmark runs.
    pub async fn start_unrecorded(
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        Self::start_with(handler, false).await
    }

    async fn start_with(
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
        record: bool,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let streamed = Arc::new(AtomicU64::new(0));
        let state = Arc::new(State {
            log: Arc::clone(&recorded),
            answered: AtomicUsize::new(0),
            streamed: Arc::clone(&streamed),
            record,
        });
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handler = Arc::clone(&handler);
                let state = Arc::clone(&state);
                tokio::spawn(async move {
                    let service = service_fn(move |req| {
                        let handler = Arc::clone(&handler);
                        let state = Arc::clone(&state);
                        async move { answer(req, &*handler, &state).await.ok_or(Reset) }
                    });
                    // A client hanging up mid-request is not the server's problem.
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        Ok(Server { addr, recorded, streamed, task })
    }

    /// Starts a server that answers every request with the same reply.
    pub async fn always(reply: Reply) -> std::io::Result<Self> {
        Self::start(move |_| reply.clone()).await
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.recorded.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Body bytes handed to the connection by repeated ([`Reply::repeated`]) replies so far.
    pub fn streamed_bytes(&self) -> u64 {
        self.streamed.load(Ordering::SeqCst)
    }

    /// The only request so far; panics (a test failure) if there were none or several.
    pub fn single_request(&self) -> Recorded {
        let mut all = self.requests();
        assert_eq!(all.len(), 1, "expected exactly one request, got {all:#?}");
        all.remove(0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct State {
    log: Arc<Mutex<Vec<Recorded>>>,
    answered: AtomicUsize,
    streamed: Arc<AtomicU64>,
    record: bool,
}

/// A body sent chunk by chunk, counting what it hands to the connection.
struct Repeat {
    chunk: Bytes,
    left: u64,
    streamed: Arc<AtomicU64>,
}

impl hyper::body::Body for Repeat {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.left == 0 || self.chunk.is_empty() {
            return Poll::Ready(None);
        }
        self.left -= 1;
        self.streamed.fetch_add(self.chunk.len() as u64, Ordering::SeqCst);
        Poll::Ready(Some(Ok(Frame::data(self.chunk.clone()))))
    }
}

/// A [`Paced`] body being sent.
struct PacedBody {
    chunks: std::collections::VecDeque<Bytes>,
    pace: Duration,
    broken: bool,
    wait: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl hyper::body::Body for PacedBody {
    type Data = Bytes;
    type Error = Reset;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let pace = self.pace;
        let wait = self.wait.get_or_insert_with(|| Box::pin(tokio::time::sleep(pace)));
        if wait.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.wait = None;
        match self.chunks.pop_front() {
            Some(chunk) => Poll::Ready(Some(Ok(Frame::data(chunk)))),
            None if self.broken => Poll::Ready(Some(Err(Reset))),
            None => Poll::Ready(None),
        }
    }
}

type ReplyBody = Either<Either<Full<Bytes>, Repeat>, PacedBody>;

/// A service error: hyper drops the connection without answering.
#[derive(Debug)]
struct Reset;

impl std::fmt::Display for Reset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset on purpose")
    }
}

impl std::error::Error for Reset {}

async fn answer(req: hyper::Request<Incoming>, handler: &Handler, state: &State) -> Option<hyper::Response<ReplyBody>> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body,
        arrived: Instant::now(),
        answered_before: state.answered.load(Ordering::SeqCst),
    };
    let reply = handler(&recorded);
    if state.record {
        state.log.lock().unwrap_or_else(PoisonError::into_inner).push(recorded);
    }
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    state.answered.fetch_add(1, Ordering::SeqCst);
    if reply.reset {
        return None;
    }

    let body = match (reply.paced, reply.repeat) {
        (Some(Paced { chunks, pace, broken }), _) => {
            Either::Right(PacedBody { chunks: chunks.into(), pace, broken, wait: None })
        }
        (None, None) => Either::Left(Either::Left(Full::new(reply.body))),
        (None, Some(left)) => {
            Either::Left(Either::Right(Repeat { chunk: reply.body, left, streamed: Arc::clone(&state.streamed) }))
        }
    };
    let mut response = hyper::Response::new(body);
    *response.status_mut() =
        hyper::StatusCode::from_u16(reply.status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in reply.headers {
        if let (Ok(name), Ok(value)) =
            (hyper::header::HeaderName::try_from(name), hyper::header::HeaderValue::try_from(value))
        {
            response.headers_mut().append(name, value);
        }
    }
    Some(response)
}
