//! Whole-client compile at corpus scale: the corpus clients with the most operations and
//! with the most generated lines, each built as a crate depending on it with its default
//! features compiles it (its build script and compile, the shared dependencies built before):
//! seconds per operation and the build's peak memory.

use super::Row;

/// Targets of issue 27 on a 2-core machine.
const SECONDS_PER_OPERATION: f64 = 0.25;
const PEAK_BYTES: u64 = 6 << 30;

pub fn run() -> anyhow::Result<Vec<Row>> {
    let dir = crate::corpus::default_dir();
    let outcomes = crate::corpus::run(&dir)?;
    let generated: Vec<&crate::corpus::Outcome> = outcomes.iter().filter(|o| o.generated.is_some()).collect();
    let most_operations = generated.iter().max_by_key(|o| o.generated).map(|o| o.name.clone());
    let most_lines = generated.iter().max_by_key(|o| o.client_lines).map(|o| o.name.clone());
    let mut names: Vec<String> = most_operations.into_iter().chain(most_lines).collect();
    names.dedup();
    let lines = |name: &str| outcomes.iter().find(|o| o.name == name).map_or(0, |o| o.client_lines);
    let compiled = crate::corpus::compile(&dir, &names, &crate::corpus::default_target_dir())?;
    Ok(compiled
        .into_iter()
        .map(|c| {
            let per_operation = c.seconds / c.operations.max(1) as f64;
            let peak = c.peak_bytes.map_or_else(|| "peak unknown".into(), |b| format!("peak {:.2} GiB", b as f64 / f64::from(1 << 30)));
            let built = c.errors.is_empty();
            Row {
                benchmark: format!(
                    "whole-client compile at corpus scale: {} ({} operations, {}k lines; default features, build script included, dependencies built)",
                    c.name,
                    c.operations,
                    lines(&c.name) / 1000
                ),
                measured: if built {
                    format!("{:.0} s ({per_operation:.3} s per operation), {peak}", c.seconds)
                } else {
                    format!("**failed**: {}", c.errors.first().map_or("", String::as_str))
                },
                baseline: String::new(),
                ratio: None,
                target: format!("≤ {SECONDS_PER_OPERATION} s per operation, ≤ {} GiB", PEAK_BYTES >> 30),
                met: Some(
                    built
                        && per_operation <= SECONDS_PER_OPERATION
                        && c.peak_bytes.is_some_and(|b| b <= PEAK_BYTES),
                ),
            }
        })
        .collect())
}
