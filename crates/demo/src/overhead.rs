//! Request overhead: each generated client against a hand-written reqwest call making the
//! identical request (same method, path, headers, body, response parsing into the same type)
//! to the same loopback server over a kept-alive connection. Variants alternate round by
//! round, so drift in the machine's load hits both alike.

use std::time::{Duration, Instant};

use loopback::{Reply, Server};
use serde_json::json;

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
async fn compare<C, CF, R, RF>(name: &str, quick: bool, mut client: C, mut raw: R) -> anyhow::Result<Row>
where
    C: FnMut() -> CF,
    CF: std::future::Future<Output = anyhow::Result<()>>,
    R: FnMut() -> RF,
    RF: std::future::Future<Output = anyhow::Result<()>>,
{
    let (rounds, n) = if quick { (3, 200) } else { (15, 2000) };
    // `XTASK_BENCH_VARIANT=client|raw` runs one side only, for instruction counts under
    // `valgrind --tool=callgrind` (deterministic where wall time is not).
    if let Ok(variant) = std::env::var("XTASK_BENCH_VARIANT") {
        let n = rounds * n;
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
        benchmark: format!("request overhead: {name} (client / raw reqwest)"),
        measured: show(&c),
        baseline: show(&r),
        ratio: Some(ratio),
        target: "≥ 0.97".into(),
        met: Some(ratio >= 0.97),
    })
}

pub async fn run(quick: bool) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    // The same timeouts as the generated clients' defaults: a hand-written production call
    // would not run without one either.
    let raw =
        reqwest::Client::builder().connect_timeout(Duration::from_secs(10)).timeout(Duration::from_secs(30)).build()?;

    // Perplexity: a POST with a body, answered with a secret (the runtime screens that body).
    let answer = json!({"auth_token": "pplx-bench", "created_at_epoch_seconds": 1735689600, "token_name": "bench"});
    let server = Server::start_unrecorded(move |_| Reply::json(200, answer.to_string())).await?;
    let client = perplexity::Client::builder().api_key(KEY).base_url(server.url()).build()?;
    let body = perplexity::types::GenerateAuthTokenRequest { token_name: Some("bench".into()) };
    let url = format!("{}/generate_auth_token", server.url());
    rows.push(
        compare(
            "perplexity generate_auth_token",
            quick,
            || {
                let (client, body) = (&client, body.clone());
                async move {
                    client.generate_auth_token().body(body).send().await?;
                    Ok(())
                }
            },
            || {
                let (raw, url, body) = (&raw, &url, &body);
                async move {
                    let response =
                        raw.post(url).header("accept", "application/json").bearer_auth(KEY).json(body).send().await?;
                    anyhow::ensure!(response.status() == 200);
                    let _: perplexity::types::GenerateAuthTokenResponse =
                        serde_json::from_slice(&response.bytes().await?)?;
                    Ok(())
                }
            },
        )
        .await?,
    );

    // Cartesia: API-key header and the constant version header.
    let server = Server::start_unrecorded(|_| Reply::json(200, r#"{"token":"bench"}"#)).await?;
    let client = cartesia::Client::builder().api_key(KEY).base_url(server.url()).build()?;
    let body = cartesia::types::TokenRequest {
        grants: Some(cartesia::types::TokenGrant { tts: Some(true), stt: None, agent: None }),
        expires_in: Some(60),
    };
    let url = format!("{}/access-token", server.url());
    rows.push(
        compare(
            "cartesia access-token",
            quick,
            || {
                let (client, body) = (&client, body.clone());
                async move {
                    client.auth_access_token().body(body).send().await?;
                    Ok(())
                }
            },
            || {
                let (raw, url, body) = (&raw, &url, &body);
                async move {
                    let response = raw
                        .post(url)
                        .header("accept", "application/json")
                        .header("x-api-key", KEY)
                        .header("cartesia-version", "2024-06-10")
                        .json(body)
                        .send()
                        .await?;
                    anyhow::ensure!(response.status() == 200);
                    let _: cartesia::types::TokenResponse = serde_json::from_slice(&response.bytes().await?)?;
                    Ok(())
                }
            },
        )
        .await?,
    );

    // Vercel: a GET with a list to parse.
    let token = json!({"id": "t", "name": "n", "type": "oauth2-token", "activeAt": 1, "createdAt": 1});
    let answer = json!({"tokens": vec![token; 10], "pagination": {"count": 10, "next": null, "prev": null}});
    let server = Server::start_unrecorded(move |_| Reply::json(200, answer.to_string())).await?;
    let client = vercel::Client::builder().api_key(KEY).base_url(server.url()).build()?;
    let url = format!("{}/v5/user/tokens", server.url());
    rows.push(
        compare(
            "vercel listAuthTokens",
            quick,
            || {
                let client = &client;
                async move {
                    client.list_auth_tokens().send().await?;
                    Ok(())
                }
            },
            || {
                let (raw, url) = (&raw, &url);
                async move {
                    let response = raw.get(url).header("accept", "application/json").bearer_auth(KEY).send().await?;
                    anyhow::ensure!(response.status() == 200);
                    let _: vercel::types::ListAuthTokensResponse = serde_json::from_slice(&response.bytes().await?)?;
                    Ok(())
                }
            },
        )
        .await?,
    );
    Ok(rows)
}
