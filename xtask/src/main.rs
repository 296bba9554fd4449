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
    /// request as it arrived on the wire and the parsed answer, secrets redacted.
    Demo {
        /// Talk to the real APIs instead, with keys from PERPLEXITY_API_KEY, CARTESIA_API_KEY
        /// and VERCEL_TOKEN. It creates tokens and revokes them again.
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
}

#[tokio::main]
async fn main() -> ExitCode {
    let result = match Cli::parse().task {
        Task::Demo { live } => xtask::demo::run(live, &mut std::io::stdout().lock()).await.map(|()| ExitCode::SUCCESS),
        Task::Refresh { vendors, check, mirror, report, timeout } => {
            let fetch = FetchConfig {
                timeout: Duration::from_secs(timeout),
                mirror: mirror.map(|m| Mirror::parse(&m)),
                ..FetchConfig::default()
            };
            let options = refresh::Options { vendors, check, report, fetch };
            refresh::run(&xtask::workspace_root(), &options).await.map(|outcome| outcome.exit_code())
        }
    };
    result.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::from(2)
    })
}
