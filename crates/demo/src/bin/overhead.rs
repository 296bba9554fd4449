//! `overhead [--quick]`: the request-overhead rows of `cargo xtask bench`, printed as one JSON
//! array for xtask to put in its table.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    demo::overhead::print_rows(demo::overhead::run(demo::overhead::quick()).await)
}
