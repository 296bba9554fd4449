//! `streams [--quick]`: the stream rows of `cargo xtask bench` (SSE throughput, download
//! memory), printed as one JSON array for xtask to put in its table.

use demo::streams::Size;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let size = if demo::overhead::quick() { Size::QUICK } else { Size::FULL };
    demo::overhead::print_rows(demo::streams::run(size).await)
}
