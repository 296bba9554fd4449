//! Refresh concurrency: every source delayed by the same amount on loopback; fetching all of
//! them should take about as long as the slowest one alone.

use std::time::{Duration, Instant};

use loopback::{Reply, Server};

use super::{Row, median, millis};
use crate::fixtures;
use crate::refresh::{self, FetchConfig, Mirror, Options};

pub async fn run(quick: bool) -> anyhow::Result<Vec<Row>> {
    let delay = Duration::from_millis(300);
    let site = fixtures::upstream_site()?;
    let server = Server::start(move |r| match site.get(r.path.trim_start_matches('/')) {
        Some(body) => Reply::bytes("text/plain", body.clone()).with_delay(delay),
        None => Reply::status(404),
    })
    .await?;
    let root = tempfile::tempdir()?;
    fixtures::copy_specs(root.path())?;
    let options = |vendors: &[&str]| Options {
        vendors: vendors.iter().map(|v| v.to_string()).collect(),
        check: true,
        report: None,
        fetch: FetchConfig { mirror: Some(Mirror::parse(&server.url())), ..FetchConfig::default() },
        quiet: true,
    };
    let repeats = if quick { 1 } else { 5 };
    let vendors = crate::vendors(root.path())?;
    let one = vendors.first().ok_or_else(|| anyhow::anyhow!("no vendor in specs/"))?;
    let mut all = Vec::new();
    let mut single = Vec::new();
    for _ in 0..repeats {
        let started = Instant::now();
        let outcome = refresh::run(root.path(), &options(&[])).await?;
        anyhow::ensure!(outcome.failures.is_empty(), "refresh failed: {:?}", outcome.failures);
        all.push(started.elapsed());
        let started = Instant::now();
        refresh::run(root.path(), &options(&[one.as_str()])).await?;
        single.push(started.elapsed());
    }
    let mut paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    paths.sort_unstable();
    paths.dedup();
    let sources = paths.len();
    let (all, single) = (median(all), median(single));
    let ratio = all.as_secs_f64() / single.as_secs_f64();
    Ok(vec![Row {
        benchmark: format!("refresh: all {sources} sources vs the slowest alone, each delayed {}", millis(delay)),
        measured: millis(all),
        baseline: millis(single),
        ratio: Some(ratio),
        target: "≤ 1.2".into(),
        met: Some(ratio <= 1.2),
    }])
}
