fn main() -> std::process::ExitCode {
    api_codegen::build_client("../../specs/cartesia")
}
