//! Generates `tricky/`, a spec built to trip the generator, so that its client is compiled
//! and called by `tests/tricky_client.rs` like any vendor's.

fn main() -> std::process::ExitCode {
    // A test crate, not a vendor client: every operation, no tag features.
    api_codegen::build_whole_client("tricky")
}
