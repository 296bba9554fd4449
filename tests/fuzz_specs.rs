//! A bounded property test: the real vendored specs, mutated the ways real documents go
//! wrong, never make the generator panic or hang, and every error names the file.
//! 64 cases, a few seconds; a failure prints the mutation that caused it.
#![allow(clippy::unwrap_used)]

use std::sync::mpsc;
use std::time::Duration;

use api_codegen::{SpecDir, generate_into};
use proptest::prelude::*;
use serde_json::{Value, json};
use workspace_tests::{spec_dir, vendors};

/// What a mutation puts in place of a node.
#[derive(Debug, Clone)]
enum Mutation {
    /// Delete the node.
    Remove,
    /// Replace it with a value real documents get wrong.
    Replace(Value),
    /// Add a member whose name collides with an existing one after case conversion.
    CollidingTwin,
    /// Point it at another node of the document (loops, wrong kinds of target).
    RefTo(usize),
    /// Prefix each path template segment with a parameter nobody declares.
    Rename,
}

fn hostile_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(true)),
        Just(json!(1.0)),
        Just(json!(-1)),
        Just(json!("")),
        Just(json!("type")),
        Just(json!("#/nope")),
        Just(json!("```rust\ncompile_error!(\"x\");\n```")),
        Just(json!({"$ref": "#/components/schemas"})),
        Just(json!({"type": ["string", "null"], "enum": ["a-b", "a_b"]})),
        Just(json!([])),
        Just(json!({})),
        "[a-z_{}/ -]{0,12}".prop_map(Value::String),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Remove),
        hostile_value().prop_map(Mutation::Replace),
        Just(Mutation::CollidingTwin),
        any::<usize>().prop_map(Mutation::RefTo),
        Just(Mutation::Rename),
    ]
}

/// Every node's pointer, in document order.
fn pointers(node: &Value, at: String, out: &mut Vec<String>) {
    let escape = |t: &str| t.replace('~', "~0").replace('/', "~1");
    match node {
        Value::Object(map) => map.iter().for_each(|(k, v)| pointers(v, format!("{at}/{}", escape(k)), out)),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| pointers(v, format!("{at}/{i}"), out)),
        _ => {}
    }
    out.push(at);
}

fn apply(doc: &mut Value, target: usize, mutation: &Mutation) {
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    let pointer = all[target % all.len()].clone();
    let Some((parent, key)) = pointer.rsplit_once('/') else { return };
    let key = key.replace("~1", "/").replace("~0", "~");
    let other = |n: usize| all[n % all.len()].clone();
    let Some(parent) = doc.pointer_mut(parent) else { return };
    match (mutation, parent) {
        (Mutation::Remove, Value::Object(map)) => {
            map.shift_remove(&key);
        }
        (Mutation::Remove, Value::Array(items)) => {
            if let Ok(i) = key.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        (Mutation::Replace(value), parent) => {
            if let Some(node) = parent.pointer_mut(&format!("/{}", key.replace('~', "~0").replace('/', "~1"))) {
                *node = value.clone();
            }
        }
        (Mutation::CollidingTwin, Value::Object(map)) => {
            if let Some(value) = map.get(&key).cloned() {
                let twin = if key.contains('_') { key.replace('_', "-") } else { format!("{key}_") };
                let twin = if twin == key { key.to_uppercase() } else { twin };
                map.insert(twin, value);
            }
        }
        (Mutation::RefTo(n), Value::Object(map)) => {
            map.insert(key, json!({"$ref": format!("#{}", other(*n))}));
        }
        (Mutation::Rename, Value::Object(map)) if key.starts_with('/') => {
            if let Some(value) = map.shift_remove(&key) {
                map.insert(format!("/{{undeclared}}{key}"), value);
            }
        }
        _ => {}
    }
}

/// The generator on one mutated document, on a thread of its own so a hang is a failure.
/// `file_name` is the vendored document's (`openapi.json` or `openapi.yaml`): JSON stays JSON.
fn run(spec: Value, file_name: String, overlay: String) -> Result<(), String> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(&file_name), serde_json::to_string_pretty(&spec).unwrap()).unwrap();
        std::fs::write(dir.path().join("overlay.yaml"), overlay).unwrap();
        let result = generate_into(&SpecDir::new(dir.path()), dir.path());
        let checked = match result {
            Ok(()) => Ok(()),
            Err(error) => error.all().try_for_each(|e| {
                let named = e.file.starts_with(dir.path())
                    && [file_name.as_str(), "overlay.yaml"].iter().any(|f| e.file.ends_with(f));
                if named { Ok(()) } else { Err(format!("an error that does not name the spec or overlay: {e}")) }
            }),
        };
        let _ = send.send(checked);
    });
    // Generous: a case takes milliseconds; only a real hang gets near this.
    match receive.recv_timeout(Duration::from_secs(120)) {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err("the generator hangs".into()),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("the generator panicked".into()),
    }
}

/// A vendor's document, its file name and its overlay.
fn vendored(vendor: &str) -> (Value, String, String) {
    let files = SpecDir::new(spec_dir(vendor));
    let spec = api_codegen::load::yaml::read(&files.spec).unwrap();
    let file_name = files.spec.file_name().unwrap().to_string_lossy().into_owned();
    (spec, file_name, std::fs::read_to_string(&files.overlay).unwrap())
}

/// 64 cases from a fixed seed, so CI tests the same inputs every run and a failure replays;
/// `PROPTEST_RNG_SEED` (and `PROPTEST_CASES`) explore further locally.
fn config() -> ProptestConfig {
    let defaults = ProptestConfig::default();
    let rng_seed = match std::env::var_os("PROPTEST_RNG_SEED") {
        Some(_) => defaults.rng_seed,
        None => proptest::test_runner::RngSeed::Fixed(0x005E_ED0F_5EC5),
    };
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() { defaults.cases } else { 64 };
    ProptestConfig { cases, rng_seed, failure_persistence: None, ..defaults }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_vendor_specs_never_panic_or_hang_and_errors_name_the_file(
        vendor in any::<usize>(),
        mutations in prop::collection::vec((any::<usize>(), mutation()), 1..4),
    ) {
        let vendors = vendors();
        let (mut spec, file_name, overlay) = vendored(&vendors[vendor % vendors.len()]);
        for (target, mutation) in &mutations {
            apply(&mut spec, *target, mutation);
        }
        if let Err(problem) = run(spec, file_name, overlay) {
            prop_assert!(false, "{}", problem);
        }
    }
}
