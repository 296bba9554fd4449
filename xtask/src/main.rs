//! `cargo xtask <task>`: maintainer tasks, in Rust so they run wherever cargo does.

mod demo;
mod wire;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
}

/// The workspace root (xtask lives one level down).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).unwrap_or_default()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().task {
        Task::Demo { live } => demo::run(live, &mut std::io::stdout().lock()).await,
    }
}
