//! `streams [--quick]`: the stream rows of `cargo xtask bench` (SSE throughput, download
//! memory), printed as one JSON array for xtask to put in its table.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let quick = std::env::args().skip(1).any(|a| a == "--quick");
    let size = if quick { demo::streams::Size::QUICK } else { demo::streams::Size::FULL };
    match demo::streams::run(size).await.and_then(|rows| Ok(serde_json::to_string(&rows)?)) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
