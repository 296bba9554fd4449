//! `overhead [--quick]`: the request-overhead rows of `cargo xtask bench`, printed as one JSON
//! array for xtask to put in its table.

// One thread for client, server and both sides: the difference between the sides is their
// work, not the scheduling of three tasks over two cores (BENCHMARKS.md).
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    demo::overhead::print_rows(demo::overhead::run(demo::overhead::quick()).await)
}
