//! `paging [--quick]`: the auto-pagination rows of `cargo xtask bench`, printed as one JSON
//! array for xtask to put in its table.

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    demo::overhead::print_rows(demo::paging::run(demo::overhead::quick()).await)
}
