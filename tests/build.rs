//! Generates `tricky/`, a spec built to trip the generator, so that its client is compiled
//! and called by `tests/tricky_client.rs` like any vendor's.

fn main() -> std::process::ExitCode {
    api_codegen::build_client("tricky")
}
