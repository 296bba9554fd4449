//! Generating several specs at once in one process is safe: a panic inside progenitor on
//! one thread becomes that spec's error, silently, while every other panic in the process
//! still reaches the panic hook (the old per-call hook swap could lose them for good).
//! Its own test binary: it installs a process-wide panic hook.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use api_codegen::{SpecDir, generate_into};

/// A JSON response without a schema: progenitor 0.15 hits a `todo!()`.
const PANICKING: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              example: {a: 1}\n";
const GOOD: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses: {'204': {description: ok}}\n";
const OVERLAY: &str = "overlay: 1.0.0\ninfo: {title: o, version: '1'}\nactions: []\n";

fn generate(spec: &str) -> Result<(), api_codegen::Error> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("openapi.yaml"), spec).unwrap();
    std::fs::write(dir.path().join("overlay.yaml"), OVERLAY).unwrap();
    generate_into(&SpecDir::new(dir.path()), dir.path())
}

#[test]
fn concurrent_generation_keeps_every_panic_message() {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = Arc::clone(&seen);
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload().downcast_ref::<&str>().map(|s| s.to_string()).unwrap_or_default();
        record.lock().unwrap().push(message);
    }));

    const ROUNDS: usize = 20;
    let threads: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                for _ in 0..ROUNDS {
                    match i % 4 {
                        // Panics of code outside the generator, on threads of their own.
                        0 => assert!(std::thread::spawn(|| panic!("elsewhere")).join().is_err()),
                        1 => generate(GOOD).unwrap(),
                        _ => {
                            let err = generate(PANICKING).unwrap_err().to_string();
                            assert!(err.contains("progenitor panicked") && err.contains("no schema"), "{err}");
                        }
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    // Every panic elsewhere reached the hook; none of the generator's did.
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), ROUNDS, "{seen:?}");
    assert!(seen.iter().all(|m| m == "elsewhere"), "{seen:?}");
}
