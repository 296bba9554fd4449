//! `demo [--live]`: what `cargo xtask demo` runs.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let mut live = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--live" => live = true,
            other => {
                eprintln!("error: unexpected argument `{other}` (usage: demo [--live])");
                return ExitCode::from(2);
            }
        }
    }
    match demo::demo::run(live, &mut std::io::stdout().lock()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
