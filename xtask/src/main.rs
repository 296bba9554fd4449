//! `cargo xtask <task>`: maintainer tasks, in Rust so they run wherever cargo does.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use xtask::refresh::{self, FetchConfig, Mirror};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Maintainer tasks for the vendor-client workspace")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Runs every vendor client against mock servers answering from the specs, printing each
    /// request as it arrived on the wire and the parsed answer, secrets redacted (the `demo`
    /// package's binary, built on demand).
    Demo {
        /// Talk to the real APIs instead, each with the key in its overlay's
        /// `x-client.api-key-env` variable (vendors without one are skipped). It makes the
        /// calls of specs/<vendor>/scenario.toml: it may create tokens and revoke them again.
        #[arg(long)]
        live: bool,
    },
    /// Fetches every vendor's spec from its source (specs/<vendor>/source.toml), checks it
    /// generates, and writes it only if every vendor succeeded. Prints the drift.
    Refresh {
        /// Only this vendor (repeatable).
        #[arg(long = "vendor", value_name = "V")]
        vendors: Vec<String>,
        /// Write nothing; exit 1 if upstream differs from what is vendored.
        #[arg(long)]
        check: bool,
        /// Fetch `https://host/path` from `<URL>/host/path` or `<DIR>/host/path` instead.
        #[arg(long, value_name = "URL-or-DIR")]
        mirror: Option<String>,
        /// Also write the drift report as FILE.md and FILE.json.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Seconds allowed for each fetch attempt.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
    },
    /// Runs the whole generator (spec + overlay) on any spec directory and prints every
    /// problem, one `file: at /pointer: problem` line each: for evaluating a new vendor.
    CheckSpec {
        /// A directory with `openapi.yaml` and (optionally) `overlay.yaml`.
        dir: PathBuf,
    },
    /// The generator's time on spec directories, as a default build script runs it, printed as
    /// JSON: what `bench --only codegen` runs in the dev profile (a downstream build script's).
    #[command(hide = true)]
    CodegenTime {
        /// Runs per directory; the median is printed.
        #[arg(long, default_value_t = 1)]
        repeats: usize,
        dirs: Vec<PathBuf>,
    },
    /// Manages vendors: `vendor add NAME` creates specs/NAME and crates/NAME.
    Vendor {
        #[command(subcommand)]
        action: VendorAction,
    },
    /// Writes each client crate's tag features (`full` and one per tag of its spec) into
    /// crates/<vendor>/Cargo.toml; other features there are left as they are.
    Features {
        /// Write nothing; exit 1 if a manifest's tag features are stale.
        #[arg(long)]
        check: bool,
    },
    /// Writes the table of normalisation rules in docs/generator.md from the rules' own
    /// names and reasons (`api_codegen::rules::catalogue`).
    RulesTable {
        /// Write nothing; exit 1 if the table is stale.
        #[arg(long)]
        check: bool,
    },
    /// Runs the whole generator on every real public document of a corpus folder
    /// (tests/corpus: each gzipped, listed in MANIFEST.tsv with its provenance) as a new
    /// vendor's bare document: operations generated and left out, or every problem.
    Corpus {
        /// The corpus folder (default: tests/corpus).
        dir: Option<PathBuf>,
        /// Record the table in CORPUS.md.
        #[arg(long)]
        write: bool,
        /// Also build the clients of the N generated documents with the fewest operations
        /// (default 3) and call each operation once through the dispatcher against a loopback
        /// mock answering from the spec: build seconds, peak memory, answered. Builds in
        /// `CORPUS_TARGET_DIR` (default: under the system's temporary directory).
        #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "3")]
        build: Option<usize>,
        /// With `--build`: build only these documents (by name, comma-separated).
        #[arg(long, value_delimiter = ',', requires = "build")]
        only: Vec<String>,
    },
    /// Measures request overhead, streams, auto-pagination, codegen time, refresh concurrency and build cost side by
    /// side, prints one table of ratios, and with `--write` records it in BENCHMARKS.md.
    Bench {
        /// A smoke run: fewer requests and repetitions.
        #[arg(long)]
        quick: bool,
        /// Skip the clean builds (minutes on a small machine).
        #[arg(long)]
        skip_build: bool,
        /// Record the table and the machine in BENCHMARKS.md.
        #[arg(long)]
        write: bool,
        /// Only this group (repeatable): overhead, streams, paging, codegen, refresh, build, compile.
        #[arg(long)]
        only: Vec<String>,
    },
}

#[derive(Subcommand)]
enum VendorAction {
    /// Creates specs/NAME (source.toml, an overlay with `x-client`, the fetched spec, a first
    /// scenario.toml) and crates/NAME from the one client template, then checks it generates.
    Add {
        name: String,
        /// A docs page embedding the OpenAPI document in a ```yaml fence (repeatable; with
        /// `--docs-index`, a page that must always be there).
        #[arg(long = "docs-page", value_name = "URL", conflicts_with = "document")]
        docs_pages: Vec<String>,
        /// A documentation index for tools (`llms.txt`) listing the API reference pages.
        #[arg(long = "docs-index", value_name = "URL", requires = "pages", conflicts_with = "document")]
        docs_index: Option<String>,
        /// Path globs of the index's API reference pages (`/api-reference/**/*.md`).
        #[arg(long, value_name = "GLOB", num_args = 1.., requires = "docs_index")]
        pages: Vec<String>,
        /// One whole OpenAPI document, cut down to `--operations`.
        #[arg(long, value_name = "URL", requires = "operations")]
        document: Option<String>,
        /// The operationIds to keep from `--document`.
        #[arg(long, value_name = "ID", num_args = 1..)]
        operations: Vec<String>,
        /// Fetch `https://host/path` from `<URL>/host/path` or `<DIR>/host/path` instead.
        #[arg(long, value_name = "URL-or-DIR")]
        mirror: Option<String>,
        /// Seconds allowed for each fetch attempt.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let result = match Cli::parse().task {
        Task::Demo { live } => demo(live),
        Task::Refresh { vendors, check, mirror, report, timeout } => {
            let fetch = FetchConfig {
                timeout: Duration::from_secs(timeout),
                mirror: mirror.map(|m| Mirror::parse(&m)),
                ..FetchConfig::default()
            };
            let options = refresh::Options { vendors, check, report, fetch, quiet: false };
            refresh::run(&xtask::workspace_root(), &options).await.map(|outcome| outcome.exit_code())
        }
        Task::CodegenTime { repeats, dirs } => xtask::bench::codegen::print_times(&dirs, repeats),
        Task::CheckSpec { dir } => xtask::check_spec::run(&dir, &mut std::io::stdout().lock()).map_err(Into::into),
        Task::Vendor {
            action: VendorAction::Add { name, docs_pages, docs_index, pages, document, operations, mirror, timeout },
        } => {
            let fetch = FetchConfig {
                timeout: Duration::from_secs(timeout),
                mirror: mirror.map(|m| Mirror::parse(&m)),
                ..FetchConfig::default()
            };
            let options =
                xtask::vendor::AddOptions { name, docs_pages, docs_index, pages, document, operations, fetch };
            xtask::vendor::add(&xtask::workspace_root(), &options).await.map(|written| {
                for path in written {
                    println!("wrote {}", path.display());
                }
                println!(
                    "next: review specs/{0}/overlay.yaml (x-secret marks credentials recognised by name: remove a \
                     wrong one, add any missed) and scenario.toml; after an overlay edit, re-record the snapshots \
                     (cargo insta review), then cargo test --workspace",
                    options.name
                );
                ExitCode::SUCCESS
            })
        }
        Task::Features { check } => xtask::features::run(&xtask::workspace_root(), check).map(|stale| {
            for path in &stale {
                println!("{} {}", if check { "stale:" } else { "wrote" }, path.display());
            }
            if check && !stale.is_empty() {
                println!("run `cargo xtask features`");
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }),
        Task::Corpus { dir, write, build, only } => corpus(dir, write, build, only),
        Task::RulesTable { check } => {
            xtask::rules_table::run(&xtask::workspace_root(), check).map(|stale| match stale {
                Some(path) if check => {
                    println!("stale: {}", path.display());
                    println!("run `cargo xtask rules-table`");
                    ExitCode::FAILURE
                }
                Some(path) => {
                    println!("wrote {}", path.display());
                    ExitCode::SUCCESS
                }
                None => ExitCode::SUCCESS,
            })
        }
        Task::Bench { quick, skip_build, write, only } => {
            bench(xtask::bench::Options { quick, skip_build, only }, write).await
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::from(2)
    })
}

/// The demo needs every client, so it is the `demo` package's binary, built only now: xtask
/// itself builds even when a client does not.
fn demo(live: bool) -> anyhow::Result<ExitCode> {
    let args = if live { vec!["--live".to_string()] } else { Vec::new() };
    let status = xtask::scratch::cargo()
        .args(["run", "--quiet", "--package", "demo", "--bin", "demo", "--"])
        .args(args)
        .current_dir(xtask::workspace_root())
        .status()?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(status.code().map_or(2, |c| c.clamp(1, 255) as u8))
    })
}

/// Benchmarks are measured on optimised code: a debug build re-runs itself with `--release`.
async fn bench(options: xtask::bench::Options, write: bool) -> anyhow::Result<ExitCode> {
    if cfg!(debug_assertions) {
        let mut args: Vec<String> = std::env::args().skip(1).collect();
        args.insert(0, "--".into());
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["run", "--release", "--quiet", "--package", "xtask"])
            .args(args)
            .status()?;
        return Ok(if status.success() { ExitCode::SUCCESS } else { ExitCode::FAILURE });
    }
    let rows = xtask::bench::run(options).await?;
    let table = xtask::bench::table(&rows);
    let machine = xtask::bench::machine();
    println!(
        "{table}
Machine: {machine}"
    );
    if write {
        let path = xtask::workspace_root().join("BENCHMARKS.md");
        let doc = std::fs::read_to_string(&path).unwrap_or_default();
        std::fs::write(&path, xtask::bench::record(&doc, &table, &machine))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask corpus`: prints the table, and with `write` records it in CORPUS.md.
fn corpus(dir: Option<PathBuf>, write: bool, build: Option<usize>, only: Vec<String>) -> anyhow::Result<ExitCode> {
    let dir = dir.unwrap_or_else(xtask::corpus::default_dir);
    let mut outcomes = xtask::corpus::run(&dir)?;
    if let Some(count) = build {
        let options = xtask::corpus::BuildOptions { count, only, target_dir: xtask::corpus::default_target_dir() };
        eprintln!("building {count} clients in {}", options.target_dir.display());
        xtask::corpus::build(&dir, &mut outcomes, &options)?;
        for outcome in &outcomes {
            let Some(built) = &outcome.built else { continue };
            if !built.failures.is_empty() {
                eprintln!("{}: {} failures, the first five:", outcome.name, built.failures.len());
                for failure in built.failures.iter().take(5) {
                    eprintln!("  {failure}");
                }
            }
        }
    }
    let table = xtask::corpus::table(&outcomes);
    print!("{table}");
    for outcome in outcomes.iter().filter(|o| o.problems.len() > 1) {
        eprintln!("{}: {} problems, the first five:", outcome.name, outcome.problems.len());
        for problem in outcome.problems.iter().take(5) {
            eprintln!("  {problem}");
        }
    }
    if write {
        let path = xtask::workspace_root().join("CORPUS.md");
        let old = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Corpus\n".into());
        let profile = if cfg!(debug_assertions) { "dev profile" } else { "release" };
        let heading = format!(
            "Measured by `cargo xtask corpus --write` ({profile}) on {} documents of `tests/corpus/`.",
            outcomes.len()
        );
        std::fs::write(&path, xtask::corpus::write_table(&old, &table, &heading))?;
        println!("wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
