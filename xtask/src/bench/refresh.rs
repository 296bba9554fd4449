//! Refresh concurrency: every source delayed by the same amount on loopback; refreshing every
//! vendor (fetching all sources, then each vendor's generator run) should take about as long
//! as the slowest vendor alone.

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
    anyhow::ensure!(!vendors.is_empty(), "no vendor in specs/");
    let mut all = Vec::new();
    // Each vendor alone (its sources and its generator run): the slowest is the baseline, so
    // the ratio shows what running them together costs, whatever dominates one vendor.
    let mut alone: Vec<Vec<Duration>> = vec![Vec::new(); vendors.len()];
    for _ in 0..repeats {
        let started = Instant::now();
        let outcome = refresh::run(root.path(), &options(&[])).await?;
        anyhow::ensure!(outcome.failures.is_empty(), "refresh failed: {:?}", outcome.failures);
        all.push(started.elapsed());
        for (vendor, samples) in vendors.iter().zip(&mut alone) {
            let started = Instant::now();
            refresh::run(root.path(), &options(&[vendor.as_str()])).await?;
            samples.push(started.elapsed());
        }
    }
    let (slowest, single) = vendors
        .iter()
        .zip(alone)
        .map(|(vendor, samples)| (vendor.clone(), median(samples)))
        .max_by_key(|(_, took)| *took)
        .unwrap_or_default();
    let mut paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    paths.sort_unstable();
    paths.dedup();
    let sources = paths.len();
    let all = median(all);
    let ratio = all.as_secs_f64() / single.as_secs_f64();
    Ok(vec![Row {
        benchmark: format!(
            "refresh: all vendors ({sources} sources, each delayed {}) vs the slowest vendor alone ({slowest})",
            millis(delay)
        ),
        measured: millis(all),
        baseline: millis(single),
        ratio: Some(ratio),
        target: "≤ 1.2".into(),
        met: Some(ratio <= 1.2),
    }])
}
