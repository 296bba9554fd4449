//! Instructions per request under callgrind, beside the wall-time ratio: repeatable where wall
//! time on a small shared machine is not. Each side of each vendor's request-overhead pair runs
//! alone (`XTASK_BENCH_VARIANT`) twice, with two request counts; the difference of the two
//! totals over the difference of the counts is the cost of one request, setup cancelled out.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::Row;

/// The two request counts: far enough apart that one request's cost dominates the noise.
const FEW: u64 = 100;
const MANY: u64 = 400;

/// One row per vendor of `specs/`, or none when valgrind is not installed (said on stderr).
pub fn rows(vendors: &[String]) -> anyhow::Result<Vec<Row>> {
    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("  (valgrind not found: no instruction counts)");
        return Ok(Vec::new());
    }
    let binary = overhead_binary()?;
    let mut rows = Vec::new();
    for vendor in vendors {
        let (client, name) = per_request(&binary, vendor, "client")?;
        let (raw, _) = per_request(&binary, vendor, "raw")?;
        let extra = client - raw;
        rows.push(Row {
            benchmark: format!("instructions per request: {name} (client / raw reqwest, callgrind, server included)"),
            measured: format!("{client:.0} (+{extra:.0})"),
            baseline: format!("{raw:.0}"),
            ratio: Some(client / raw),
            target: String::new(),
            met: None,
        });
    }
    Ok(rows)
}

/// Instructions one request of `variant` costs, and the row's name (`vendor operation`).
fn per_request(binary: &Path, vendor: &str, variant: &str) -> anyhow::Result<(f64, String)> {
    let (few, name) = collected(binary, vendor, variant, FEW)?;
    let (many, _) = collected(binary, vendor, variant, MANY)?;
    Ok((many.saturating_sub(few) as f64 / (MANY - FEW) as f64, name))
}

/// The instructions callgrind collected over a whole run of `requests` requests.
fn collected(binary: &Path, vendor: &str, variant: &str, requests: u64) -> anyhow::Result<(u64, String)> {
    let out = Command::new("valgrind")
        .args(["--tool=callgrind", "--callgrind-out-file=/dev/null"])
        .arg(binary)
        .arg("--quick")
        .env("XTASK_BENCH_VENDOR", vendor)
        .env("XTASK_BENCH_VARIANT", variant)
        .env("XTASK_BENCH_REQUESTS", requests.to_string())
        .current_dir(crate::workspace_root())
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    anyhow::ensure!(out.status.success(), "{vendor} {variant} under callgrind failed:\n{stderr}");
    let total = stderr
        .lines()
        .find_map(|line| line.split_once("Collected :").map(|(_, n)| n.trim().replace(',', "")))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no `Collected :` line in callgrind's output:\n{stderr}"))?;
    let rows: Vec<Row> = serde_json::from_slice(&out.stdout)?;
    let name = rows
        .first()
        .and_then(|row| row.benchmark.strip_prefix("request overhead: "))
        .and_then(|rest| rest.split(", ").next())
        .unwrap_or(vendor)
        .to_string();
    Ok((total, name))
}

/// The release `overhead` binary of the `demo` package, built if it is not (cargo says where).
fn overhead_binary() -> anyhow::Result<PathBuf> {
    let out = crate::scratch::cargo()
        .args(["build", "--release", "--quiet", "--package", "demo", "--bin", "overhead"])
        .args(["--message-format", "json-render-diagnostics"])
        .current_dir(crate::workspace_root())
        .stderr(std::process::Stdio::inherit())
        .output()?;
    anyhow::ensure!(out.status.success(), "building the overhead benchmark failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == "overhead")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| anyhow::anyhow!("cargo named no `overhead` executable"))
}
