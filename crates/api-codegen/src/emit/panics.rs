//! Turning a panic inside progenitor or typify into an error, safely when several threads
//! generate at once (a refresh generates every vendor concurrently).
//!
//! The panic hook is process-global: swapping it around each call races (one thread can
//! restore another's silent hook, and every later panic message in the process is lost). So
//! one hook is installed once; it stays silent only for a panic on a thread that is inside
//! [`catch`], and hands every other panic to the hook that was there before.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
}

static INSTALL: Once = Once::new();

/// Runs `f`; a panic in it becomes `Err(message)`, without printing anything.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !CAPTURING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let outer = CAPTURING.with(|c| c.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(f));
    CAPTURING.with(|c| c.set(outer));
    outcome.map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown panic".into())
    })
}
