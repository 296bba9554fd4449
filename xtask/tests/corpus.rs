//! The generator on the real public documents of `tests/corpus/` (nobody here wrote them):
//! each ends in a client or in located problems, never a panic, and the copies are the
//! published bytes. `cargo xtask corpus` prints the whole table (CORPUS.md); this checks
//! what must hold for every document, not how many operations each yields today.
#![allow(clippy::unwrap_used)]

#[test]
fn every_corpus_document_is_a_client_or_located_problems() {
    let dir = xtask::corpus::default_dir();
    let documents = xtask::corpus::manifest(&dir).unwrap();
    assert!(documents.len() >= 13, "{documents:?}");
    let outcomes = xtask::corpus::run(&dir).unwrap();
    for outcome in &outcomes {
        match outcome.generated {
            Some(n) => {
                assert!(n > 0 && outcome.client_lines > 0, "{outcome:?}");
                assert!(outcome.problems.is_empty(), "{outcome:?}");
            }
            None => {
                assert!(!outcome.problems.is_empty(), "refused without a problem: {outcome:?}");
                for problem in &outcome.problems {
                    assert!(problem.contains(": at "), "not `file: at place: problem`: {problem}");
                    assert_eq!(problem.lines().count(), 1, "one line each: {problem}");
                }
            }
        }
    }
    // Swagger 2.0 is converted to OpenAPI 3.0.3 (load/swagger2.rs): Slack's 174 operations are
    // read as any 3.0 document's and generate.
    let slack = outcomes.iter().find(|o| o.name == "slack").unwrap();
    assert!(slack.generated.is_some_and(|n| n >= 150), "{slack:?}");
    // The classes this generator handles generically generate (their counts are CORPUS.md's).
    for name in ["github", "box", "spotify", "petstore-expanded", "propolis", "digitalocean"] {
        let outcome = outcomes.iter().find(|o| o.name == name).unwrap();
        assert!(outcome.generated.is_some(), "{outcome:?}");
    }
    // DigitalOcean's operations are all in other files (`get: {$ref: resources/…}`): bundled,
    // each is there.
    let digitalocean = outcomes.iter().find(|o| o.name == "digitalocean").unwrap();
    let left_out: usize = digitalocean.left_out.values().sum();
    assert_eq!(digitalocean.generated.map(|n| n + left_out), digitalocean.declared, "{digitalocean:?}");
}

#[test]
fn a_changed_copy_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = xtask::corpus::default_dir();
    std::fs::copy(corpus.join("MANIFEST.tsv"), dir.path().join("MANIFEST.tsv")).unwrap();
    let documents = xtask::corpus::manifest(&corpus).unwrap();
    let petstore = documents.iter().find(|d| d.name == "petstore-expanded").unwrap();
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut encoder, b"openapi: 3.0.0\n").unwrap();
    std::fs::write(dir.path().join(&petstore.file), encoder.finish().unwrap()).unwrap();
    let err = xtask::corpus::read(dir.path(), petstore).unwrap_err().to_string();
    assert!(err.contains("MANIFEST.tsv records"), "{err}");
}

/// The two smallest documents' clients built as `vendor add` makes them and every operation
/// called once through the dispatcher against the loopback mock: each builds and answers.
#[test]
fn the_smallest_clients_build_and_every_operation_is_answered() {
    let dir = xtask::corpus::default_dir();
    let documents = xtask::corpus::manifest(&dir).unwrap();
    let mut outcomes: Vec<_> = ["petstore-expanded", "propolis"]
        .iter()
        .map(|name| {
            let document = documents.iter().find(|d| d.name == *name).unwrap();
            let content = xtask::corpus::read(&dir, document).unwrap();
            xtask::corpus::generate(&document.name, &document.version, &content, &document.file).unwrap()
        })
        .collect();
    // Kept between runs beside the workspace's own target directory: the dependencies build once.
    let options = xtask::corpus::BuildOptions {
        count: 2,
        only: Vec::new(),
        target_dir: xtask::scratch::target_dir().join("corpus-build"),
    };
    xtask::corpus::build(&dir, &mut outcomes, &options).unwrap();
    let table = xtask::corpus::table(&outcomes);
    for outcome in &outcomes {
        let built = outcome.built.as_ref().unwrap_or_else(|| panic!("{} not built:\n{table}", outcome.name));
        assert!(built.seconds > 0.0, "{table}");
        let generated = outcome.generated.unwrap();
        assert_eq!(built.answered, Some((generated, generated)), "{:?}\n{table}", built.failures);
        assert!(built.failures.is_empty(), "{:?}", built.failures);
    }
}
