//! Measuring the processes a task runs (the build benchmarks and the corpus builds).

/// The largest resident set of any process this one has waited for (directly or through
/// cargo): it only grows, so a step's peak is known only when the step raises it.
#[cfg(unix)]
pub fn peak_child_memory() -> Option<u64> {
    use nix::sys::resource::{UsageWho, getrusage};
    // Linux reports kilobytes.
    getrusage(UsageWho::RUSAGE_CHILDREN).ok().map(|usage| usage.max_rss() as u64 * 1024)
}

#[cfg(not(unix))]
pub fn peak_child_memory() -> Option<u64> {
    None
}
