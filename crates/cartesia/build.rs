fn main() -> std::process::ExitCode {
    // `spec` links to `specs/cartesia` in the workspace and is that folder in the package.
    api_codegen::build_client("spec")
}
