//! Request overhead: for every vendor of `specs/`, the first call of its `scenario.toml`
//! through its generated client's typed API (the operation's builder, its arguments set once,
//! cloned and sent on each call: what a caller's code does) against the same call written by
//! hand with reqwest (the method, path, query, headers and JSON body the client sent, as the
//! server recorded them, built into a request on every call as hand-written code builds it) to
//! the same loopback server over a kept-alive connection, each answered with the same example
//! from the spec. Both sides decode the answer into the operation's type and drop it. Variants
//! alternate round by round, so drift in the machine's load hits both alike.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use api_codegen::SpecDir;
use loopback::{Recorded, Server};
use serde_json::{Map, Value};

use crate::scenario::Scenario;
use crate::{VENDORS, Vendor, workspace_root};

/// One line of `cargo xtask bench`'s table (xtask's `bench::Row`, as JSON).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub benchmark: String,
    pub measured: String,
    pub baseline: String,
    pub ratio: Option<f64>,
    pub target: String,
    pub met: Option<bool>,
}

const KEY: &str = "bench-key-not-a-secret";

struct Stats {
    throughput: f64,
    p50: Duration,
    p99: Duration,
}

fn stats(mut latencies: Vec<Duration>, elapsed: Duration) -> Stats {
    latencies.sort_unstable();
    let at = |q: f64| latencies.get(((latencies.len() as f64 - 1.0) * q) as usize).copied().unwrap_or_default();
    Stats { throughput: latencies.len() as f64 / elapsed.as_secs_f64(), p50: at(0.50), p99: at(0.99) }
}

/// Runs `call` `n` times in sequence, recording each latency.
async fn measure<F, Fut>(n: usize, mut call: F, latencies: &mut Vec<Duration>) -> anyhow::Result<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let started = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        call().await?;
        latencies.push(t.elapsed());
    }
    Ok(started.elapsed())
}

/// Client and raw side by side: `rounds` alternating runs of `n` requests, after a warm-up.
/// How much to measure: `rounds` alternating runs of `n` requests per side.
#[derive(Debug, Clone, Copy)]
struct Size {
    rounds: usize,
    n: usize,
}

async fn compare<C, CF, R, RF>(name: &str, size: Size, mut client: C, mut raw: R) -> anyhow::Result<Row>
where
    C: FnMut() -> CF,
    CF: std::future::Future<Output = anyhow::Result<()>>,
    R: FnMut() -> RF,
    RF: std::future::Future<Output = anyhow::Result<()>>,
{
    let Size { rounds, n } = size;
    // `XTASK_BENCH_VARIANT=client|raw` runs one side only, for instruction counts under
    // `valgrind --tool=callgrind` (deterministic where wall time is not).
    if let Ok(variant) = std::env::var("XTASK_BENCH_VARIANT") {
        // `XTASK_BENCH_REQUESTS`: how many, so two runs' difference is the requests' own cost.
        let n = std::env::var("XTASK_BENCH_REQUESTS").ok().and_then(|n| n.parse().ok()).unwrap_or(rounds * n);
        let took = if variant == "client" {
            measure(n, &mut client, &mut Vec::new()).await?
        } else {
            measure(n, &mut raw, &mut Vec::new()).await?
        };
        eprintln!("{name}: {variant} only, {n} requests in {took:?}");
        return Ok(Row {
            benchmark: format!("request overhead: {name}, {variant} only"),
            measured: format!("{n} requests"),
            baseline: String::new(),
            ratio: None,
            target: String::new(),
            met: None,
        });
    }
    let (mut client_lat, mut raw_lat) = (Vec::new(), Vec::new());
    measure(n / 4, &mut client, &mut Vec::new()).await?;
    measure(n / 4, &mut raw, &mut Vec::new()).await?;
    let (mut client_time, mut raw_time) = (Duration::ZERO, Duration::ZERO);
    for round in 0..rounds {
        if round % 2 == 0 {
            client_time += measure(n, &mut client, &mut client_lat).await?;
            raw_time += measure(n, &mut raw, &mut raw_lat).await?;
        } else {
            raw_time += measure(n, &mut raw, &mut raw_lat).await?;
            client_time += measure(n, &mut client, &mut client_lat).await?;
        }
    }
    let (c, r) = (stats(client_lat, client_time), stats(raw_lat, raw_time));
    let show = |s: &Stats| {
        format!(
            "{:.0} req/s (p50 {:.0} µs, p99 {:.0} µs)",
            s.throughput,
            s.p50.as_secs_f64() * 1e6,
            s.p99.as_secs_f64() * 1e6
        )
    };
    let ratio = c.throughput / r.throughput;
    Ok(Row {
        benchmark: format!("request overhead: {name} (typed builder / reqwest by hand)"),
        measured: show(&c),
        baseline: show(&r),
        ratio: Some(ratio),
        target: "≥ 0.97".into(),
        met: Some(ratio >= 0.97),
    })
}

/// Whether a benchmark binary was asked for a smoke run (`--quick`).
pub fn quick() -> bool {
    std::env::args().skip(1).any(|a| a == "--quick")
}

/// What a benchmark binary prints: its rows as one JSON array for xtask, or the error (exit 2).
pub fn print_rows(rows: anyhow::Result<Vec<Row>>) -> std::process::ExitCode {
    match rows.and_then(|rows| Ok(serde_json::to_string(&rows)?)) {
        Ok(json) => {
            println!("{json}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Every vendor's row, in the order of `specs/`.
pub async fn run(quick: bool) -> anyhow::Result<Vec<Row>> {
    run_sized(if quick { Size { rounds: 3, n: 200 } } else { Size { rounds: 15, n: 2000 } }).await
}

async fn run_sized(size: Size) -> anyhow::Result<Vec<Row>> {
    // The same timeouts as the generated clients' defaults: a hand-written production call
    // would not run without one either.
    let raw =
        reqwest::Client::builder().connect_timeout(Duration::from_secs(10)).timeout(Duration::from_secs(30)).build()?;
    let mut rows = Vec::new();
    // `XTASK_BENCH_VENDOR`: that vendor only (instruction counts are taken one vendor at a time).
    let only = std::env::var("XTASK_BENCH_VENDOR").ok();
    for vendor in VENDORS.iter().filter(|v| only.as_deref().is_none_or(|name| name == v.name)) {
        rows.push(vendor_row(vendor, &raw, size).await.with_context(|| format!("request overhead: {}", vendor.name))?);
    }
    Ok(rows)
}

/// The first call of the vendor's scenario (it refers to no earlier answer), measured.
async fn vendor_row(vendor: &Vendor, raw: &reqwest::Client, size: Size) -> anyhow::Result<Row> {
    let dir = workspace_root().join("specs").join(vendor.name);
    let scenario = Scenario::read(&dir, vendor.api)?;
    let call = scenario.calls.first().context("no call in the scenario")?;
    let method = vendor
        .api
        .operations
        .iter()
        .find(|op| op.id == call.operation)
        .map(|op| op.rust_name)
        .context("the scenario's operation is not in the spec")?;
    let args = arguments(&call.params, call.body.as_ref());

    // What the client sends, recorded once, and the spec's example answer to it.
    let doc = api_codegen::load(&SpecDir::new(&dir))?.doc;
    let recorder = Server::start({
        let doc = doc.clone();
        move |request| crate::answers::example_reply(&doc, request)
    })
    .await?;
    let client = (vendor.connect)(&recorder.url(), KEY)?;
    client.call(method, &args).await.with_context(|| format!("{} against the recording server", call.operation))?;
    let mut requests = recorder.requests();
    anyhow::ensure!(requests.len() == 1, "{} made {} requests, not one", call.operation, requests.len());
    let sent = requests.remove(0);
    let reply = crate::answers::example_reply(&doc, &sent);

    let server = Server::start_unrecorded(move |_| reply.clone()).await?;
    let client = (vendor.connect)(&server.url(), KEY)?;
    // The typed API: the builder with its arguments set once (as a caller's code sets them),
    // cloned and sent on each call, the answer decoded into the operation's type.
    let prepared =
        client.prepare(method, &args).with_context(|| format!("{} through the typed API", call.operation))?;
    let by_hand = ByHand::new(&server.url(), &sent)?;
    let name = format!("{} {}", vendor.name, call.operation);
    compare(
        &name,
        size,
        || {
            let sent = prepared.send();
            async move { Ok(sent.await?) }
        },
        || {
            let (raw, by_hand, prepared) = (raw, &by_hand, &prepared);
            // Boxed as the typed side's future is (`Prepared::send`): the same allocation.
            Box::pin(async move {
                let response = by_hand.request(raw).send().await?;
                anyhow::ensure!(response.status().is_success(), "{}", response.status());
                // Into the same type as the client's answer.
                prepared.decode(&response.bytes().await?)?;
                Ok(())
            })
        },
    )
    .await
}

/// The same call written by hand against reqwest, as a caller without a client would: the URL
/// formatted and the request built on every call (method, the headers by name, the JSON body
/// serialised from its value), so both sides pay for building what they send.
struct ByHand {
    method: reqwest::Method,
    base_url: String,
    path_and_query: String,
    headers: Vec<(String, String)>,
    body: Body,
}

enum Body {
    None,
    Json(Value),
    Bytes(bytes::Bytes),
}

impl ByHand {
    fn new(base_url: &str, sent: &Recorded) -> anyhow::Result<ByHand> {
        let query = sent.query.as_ref().map(|q| format!("?{q}")).unwrap_or_default();
        let json = sent.headers.iter().any(|(n, v)| n == "content-type" && v.contains("json"));
        let body = match () {
            _ if sent.body.is_empty() => Body::None,
            _ if json => Body::Json(serde_json::from_slice(&sent.body)?),
            _ => Body::Bytes(sent.body.clone()),
        };
        // What reqwest sets itself (`.json` sets the content type).
        let skipped = ["host", "content-length", "transfer-encoding", "connection", "content-type"];
        Ok(ByHand {
            method: reqwest::Method::from_bytes(sent.method.as_bytes())?,
            base_url: base_url.to_string(),
            path_and_query: format!("{}{query}", sent.path),
            headers: sent
                .headers
                .iter()
                .filter(|(name, _)| !skipped.contains(&name.as_str()) || (name == "content-type" && !json))
                .cloned()
                .collect(),
            body,
        })
    }

    fn request(&self, raw: &reqwest::Client) -> reqwest::RequestBuilder {
        let mut request = raw.request(self.method.clone(), format!("{}{}", self.base_url, self.path_and_query));
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        match &self.body {
            Body::None => request,
            Body::Json(value) => request.json(value),
            Body::Bytes(bytes) => request.body(bytes.clone()),
        }
    }
}

/// The dispatcher's arguments of a call: parameters by setter name, and the body.
fn arguments(params: &Map<String, Value>, body: Option<&Value>) -> Map<String, Value> {
    let mut args: Map<String, Value> =
        params.iter().map(|(name, value)| (api_codegen::names::field_name(name), value.clone())).collect();
    if let Some(body) = body {
        args.insert("body".into(), body.clone());
    }
    args
}

/// The recorded request, to send again with plain reqwest: the same method, path, query,
/// headers (but those the connection sets: host, length) and body.
pub(crate) fn replay(raw: &reqwest::Client, base_url: &str, sent: &Recorded) -> anyhow::Result<reqwest::Request> {
    let query = sent.query.as_ref().map(|q| format!("?{q}")).unwrap_or_default();
    let method = reqwest::Method::from_bytes(sent.method.as_bytes())?;
    let mut request = raw.request(method, format!("{base_url}{}{query}", sent.path)).body(sent.body.clone());
    for (name, value) in &sent.headers {
        if !["host", "content-length", "transfer-encoding", "connection"].contains(&name.as_str()) {
            request = request.header(name, value);
        }
    }
    Ok(request.build()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every vendor of `specs/` gets its row, measured on its first scenario call (a handful of
    /// requests: this checks the wiring, not the numbers).
    #[tokio::test]
    async fn every_vendor_of_specs_is_measured() {
        let rows = run_sized(Size { rounds: 1, n: 4 }).await.unwrap();
        assert_eq!(rows.len(), VENDORS.len());
        for (row, vendor) in rows.iter().zip(VENDORS) {
            let first = Scenario::read(&workspace_root().join("specs").join(vendor.name), vendor.api).unwrap();
            let label = format!(
                "request overhead: {} {} (typed builder / reqwest by hand)",
                vendor.name, first.calls[0].operation
            );
            assert_eq!(row.benchmark, label);
            assert!(row.ratio.is_some_and(|r| r > 0.0) && row.measured.contains("req/s"), "{row:?}");
        }
    }
}
