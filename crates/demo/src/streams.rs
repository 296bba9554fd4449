//! Stream benchmarks, for `cargo xtask bench`:
//!
//! - **SSE throughput**: every vendor operation of `specs/` answering `text/event-stream`,
//!   called through its client's dispatcher (as the demo calls it) against a loopback server
//!   sending the spec's example event many times, side by side with plain reqwest reading the
//!   same request's answer through the same SSE parser (`sse-stream`). Both sides handle
//!   each event alike: the client decodes it into the spec's type, the raw side into a JSON
//!   value; at the end both render all of them (`Debug`) and convert them to JSON.
//! - **Download memory**: the first operation answering bytes, 1 GiB through the client's
//!   stream (its dispatcher counts the bytes, keeping none beyond a small prefix), and how
//!   much the process's peak resident memory grew meanwhile.

use std::pin::Pin;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use api_codegen::SpecDir;
use api_codegen::doc::media::{Framing, SuccessBody};
use futures_core::Stream;
use loopback::{Recorded, Reply, Server};
use serde_json::{Map, Value};

use crate::overhead::Row;
use crate::{VENDORS, workspace_root};

const KEY: &str = "bench-key-not-a-secret";

/// How much to measure.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    /// Events per stream.
    pub events: u64,
    /// Alternating rounds of one stream per side.
    pub rounds: usize,
    /// Bytes downloaded.
    pub download: u64,
}

impl Size {
    pub const FULL: Size = Size { events: 20_000, rounds: 10, download: 1 << 30 };
    pub const QUICK: Size = Size { events: 2_000, rounds: 2, download: 64 << 20 };
}

/// Every row: one per SSE operation, one for the download.
pub async fn run(size: Size) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    let mut download = None;
    for vendor in VENDORS {
        let prepared = api_codegen::load(&SpecDir::new(workspace_root().join("specs").join(vendor.name)))?;
        let doc = &prepared.doc;
        for call in crate::demo::calls(&prepared, vendor.api) {
            let Some(args) = &call.args else { continue };
            match &call.body {
                SuccessBody::Events { framing: Framing::ServerSentEvents, json, .. } => {
                    let method = match json {
                        Some(_) => format!("{}{}", call.method, api_codegen::STREAM_SUFFIX),
                        None => call.method.clone(),
                    };
                    let name = format!("{} {}", vendor.name, call.id);
                    let row = sse_row(&name, vendor, doc, &method, args, size)
                        .await
                        .with_context(|| format!("SSE throughput: {name}"))?;
                    rows.push(row);
                }
                SuccessBody::Download { .. } if download.is_none() => {
                    download = Some((vendor, call.method.clone(), call.id.clone(), args.clone()));
                }
                _ => {}
            }
        }
    }
    if let Some((vendor, method, id, args)) = download {
        let name = format!("{} {id}", vendor.name);
        rows.push(
            download_row(&name, vendor, &method, &args, size).await.with_context(|| format!("download: {name}"))?,
        );
    }
    Ok(rows)
}

async fn sse_row(
    name: &str,
    vendor: &crate::Vendor,
    doc: &Value,
    method: &str,
    args: &Map<String, Value>,
    size: Size,
) -> anyhow::Result<Row> {
    // The request the client sends, recorded once, and the spec's example event answering it.
    let recorder = Server::start({
        let doc = doc.clone();
        move |request: &Recorded| crate::answers::example_reply(&doc, request)
    })
    .await?;
    (vendor.connect)(&recorder.url(), KEY)?.call(method, args).await?;
    let sent = recorder.requests().pop().context("no request recorded")?;
    let event = crate::answers::example_reply(doc, &sent);
    anyhow::ensure!(!event.body.is_empty(), "the example answer has no event");

    let server = Server::start_unrecorded(move |_| event.clone().repeated(size.events)).await?;
    let client = (vendor.connect)(&server.url(), KEY)?;
    let raw = reqwest::Client::builder().connect_timeout(Duration::from_secs(10)).build()?;
    let request = crate::overhead::replay(&raw, &server.url(), &sent)?;

    let client_side = || async {
        let answer = client.call(method, args).await?;
        let items = answer.pointer("").and_then(Value::as_array).map_or(0, Vec::len);
        anyhow::ensure!(items as u64 == size.events, "{items} events, not {}", size.events);
        Ok(())
    };
    let raw_side = || async {
        let response = raw.execute(request.try_clone().context("the request body is a stream")?).await?;
        anyhow::ensure!(response.status().is_success(), "{}", response.status());
        let mut events = sse_stream::SseByteStream::new(response.bytes_stream());
        let mut items = Vec::new();
        while let Some(event) = std::future::poll_fn(|cx| Pin::new(&mut events).poll_next(cx)).await {
            if let Some(data) = event?.data {
                items.push(serde_json::from_str::<Value>(&data)?);
            }
        }
        anyhow::ensure!(items.len() as u64 == size.events, "{} events, not {}", items.len(), size.events);
        std::hint::black_box((format!("{items:?}"), Value::Array(items.clone())));
        Ok(())
    };
    // Warm-up, then alternating rounds.
    client_side().await?;
    raw_side().await?;
    let (mut client_time, mut raw_time) = (Duration::ZERO, Duration::ZERO);
    for round in 0..size.rounds {
        let order = if round % 2 == 0 { [true, false] } else { [false, true] };
        for client_first in order {
            let started = Instant::now();
            if client_first {
                client_side().await?
            } else {
                raw_side().await?
            }
            *if client_first { &mut client_time } else { &mut raw_time } += started.elapsed();
        }
    }
    let events = (size.events * size.rounds as u64) as f64;
    let (client_rate, raw_rate) = (events / client_time.as_secs_f64(), events / raw_time.as_secs_f64());
    let per_event_ns = (1.0 / client_rate - 1.0 / raw_rate) * 1e9;
    let ratio = client_rate / raw_rate;
    Ok(Row {
        benchmark: format!("SSE events: {name} (client / reqwest + sse-stream)"),
        measured: format!("{client_rate:.0} events/s ({per_event_ns:+.0} ns per event)"),
        baseline: format!("{raw_rate:.0} events/s"),
        ratio: Some(ratio),
        target: "≥ 0.95".into(),
        met: Some(ratio >= 0.95),
    })
}

async fn download_row(
    name: &str,
    vendor: &crate::Vendor,
    method: &str,
    args: &Map<String, Value>,
    size: Size,
) -> anyhow::Result<Row> {
    const CHUNK: usize = 64 * 1024;
    let chunk = Reply::bytes("application/octet-stream", vec![0u8; CHUNK]);
    let server = Server::start_unrecorded(move |_| chunk.clone().repeated(size.download / CHUNK as u64)).await?;
    let client = (vendor.connect)(&server.url(), KEY)?;
    let before = peak_resident().context("no peak resident memory on this platform")?;
    let started = Instant::now();
    let answer = client.call(method, args).await?;
    let took = started.elapsed();
    anyhow::ensure!(answer.shown == format!("({} bytes)", size.download), "{}", answer.shown);
    let grown = peak_resident().unwrap_or(before).saturating_sub(before);
    let mib = |b: u64| b as f64 / f64::from(1u32 << 20);
    Ok(Row {
        benchmark: format!("download: {name}, {:.0} MiB, peak memory growth", mib(size.download)),
        measured: format!("{:.1} MiB ({:.0} MiB/s)", mib(grown), mib(size.download) / took.as_secs_f64()),
        baseline: String::new(),
        ratio: None,
        target: "flat, < 50 MiB".into(),
        met: Some(grown < 50 << 20),
    })
}

/// The process's peak resident memory so far (`VmHWM`), in bytes.
fn peak_resident() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The wiring, not the numbers: a row per SSE operation and one download, all met where a
    /// few events and megabytes decide nothing but that both sides read everything.
    #[tokio::test]
    async fn every_stream_row_is_measured() {
        let rows = run(Size { events: 50, rounds: 1, download: 4 << 20 }).await.unwrap();
        assert!(rows.iter().filter(|r| r.benchmark.starts_with("SSE events")).count() >= 1, "{rows:?}");
        assert_eq!(rows.iter().filter(|r| r.benchmark.starts_with("download")).count(), 1, "{rows:?}");
    }
}
