//! `cargo xtask bench`: measurements taken side by side in one run, printed as one table of
//! ratios and recorded in `BENCHMARKS.md`. Nothing here is a test: no time is asserted.

mod build;
pub mod codegen;
mod compile;
mod instructions;
mod refresh;

use std::fmt::Write as _;
use std::time::Duration;

/// One line of the table (also what the `demo` package's `overhead` binary prints as JSON).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Row {
    pub benchmark: String,
    pub measured: String,
    pub baseline: String,
    /// measured ÷ baseline, where that makes sense.
    pub ratio: Option<f64>,
    pub target: String,
    /// Whether the target is met (`None`: no target).
    pub met: Option<bool>,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Fewer requests and repetitions (a smoke run, not numbers to record).
    pub quick: bool,
    /// Skip the clean builds (minutes on a small machine).
    pub skip_build: bool,
    /// Only these groups: `overhead`, `streams`, `paging`, `codegen`, `refresh`, `build`,
    /// `compile` (empty: all).
    pub only: Vec<String>,
}

pub async fn run(options: Options) -> anyhow::Result<Vec<Row>> {
    let wanted = |group: &str| options.only.is_empty() || options.only.iter().any(|g| g == group);
    let mut rows = Vec::new();
    if wanted("overhead") {
        eprintln!("request overhead…");
        rows.extend(overhead(options.quick)?);
    }
    if wanted("streams") {
        eprintln!("streams…");
        rows.extend(streams(options.quick)?);
    }
    if wanted("paging") {
        eprintln!("auto-pagination…");
        rows.extend(paging(options.quick)?);
    }
    if wanted("codegen") {
        eprintln!("codegen time…");
        rows.extend(codegen::run(options.quick)?);
    }
    if wanted("refresh") {
        eprintln!("refresh concurrency…");
        rows.extend(refresh::run(options.quick).await?);
    }
    if wanted("build") && !options.skip_build {
        eprintln!("build cost (clean builds; this takes minutes)…");
        rows.extend(build::run()?);
    }
    if wanted("compile") && !options.skip_build {
        eprintln!("whole clients at corpus scale (builds; this takes many minutes)…");
        rows.extend(compile::run()?);
    }
    Ok(rows)
}

/// Request overhead needs the clients: the `demo` package measures it, in release mode.
fn overhead(quick: bool) -> anyhow::Result<Vec<Row>> {
    let args = if quick { vec!["--quick".to_string()] } else { Vec::new() };
    let out = crate::run_package("demo", "overhead", true, &args)?;
    anyhow::ensure!(out.status.success(), "the request-overhead benchmark failed ({})", out.status);
    let mut rows: Vec<Row> = serde_json::from_slice(&out.stdout)?;
    if !quick {
        eprintln!("instructions per request (callgrind)…");
        rows.extend(instructions::rows(&crate::vendors(&crate::workspace_root())?)?);
    }
    Ok(rows)
}

/// Stream throughput and download memory need the clients too (the `demo` package, release).
fn streams(quick: bool) -> anyhow::Result<Vec<Row>> {
    let args = if quick { vec!["--quick".to_string()] } else { Vec::new() };
    let out = crate::run_package("demo", "streams", true, &args)?;
    anyhow::ensure!(out.status.success(), "the stream benchmark failed ({})", out.status);
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// Auto-pagination against pages fetched by hand (the `demo` package, release).
fn paging(quick: bool) -> anyhow::Result<Vec<Row>> {
    let args = if quick { vec!["--quick".to_string()] } else { Vec::new() };
    let out = crate::run_package("demo", "paging", true, &args)?;
    anyhow::ensure!(out.status.success(), "the pagination benchmark failed ({})", out.status);
    Ok(serde_json::from_slice(&out.stdout)?)
}

/// The table, as markdown.
pub fn table(rows: &[Row]) -> String {
    let mut out =
        String::from("| benchmark | measured | baseline | ratio | target | met |\n|---|---|---|---|---|---|\n");
    for row in rows {
        let ratio = row.ratio.map(|r| format!("{r:.3}")).unwrap_or_default();
        let met = match row.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {ratio} | {} | {met} |",
            row.benchmark, row.measured, row.baseline, row.target
        );
    }
    out
}

/// What the numbers were measured on.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| info.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_string()))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| format!("{:.0} GiB", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let rustc = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    format!("{cores} cores ({cpu}), {memory}, {rustc}, {} {}", std::env::consts::OS, std::env::consts::ARCH)
}

pub(crate) fn millis(d: Duration) -> String {
    if d < Duration::from_millis(10) {
        format!("{:.2} ms", d.as_secs_f64() * 1000.0)
    } else if d < Duration::from_secs(10) {
        format!("{:.0} ms", d.as_secs_f64() * 1000.0)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// The median of some durations.
pub(crate) fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

const TABLE_START: &str = "<!-- bench:start -->";
const TABLE_END: &str = "<!-- bench:end -->";

/// `BENCHMARKS.md` with the table between its markers replaced (the prose around it, which
/// explains missed targets, is kept).
pub fn record(doc: &str, table: &str, machine: &str) -> String {
    let block = format!("{TABLE_START}\nMeasured by `cargo xtask bench --write` on {machine}.\n\n{table}{TABLE_END}");
    match (doc.find(TABLE_START), doc.find(TABLE_END)) {
        (Some(start), Some(end)) if start < end => format!("{}{block}{}", &doc[..start], &doc[end + TABLE_END.len()..]),
        _ => format!("# Benchmarks\n\n{block}\n"),
    }
}
