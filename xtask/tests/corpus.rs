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
    // Swagger 2.0 is named as what it is.
    let slack = outcomes.iter().find(|o| o.name == "slack").unwrap();
    assert!(slack.problems.iter().any(|p| p.contains("Swagger 2.0")), "{slack:?}");
    // The classes this generator handles generically generate (their counts are CORPUS.md's).
    for name in ["github", "box", "spotify", "petstore-expanded", "propolis"] {
        let outcome = outcomes.iter().find(|o| o.name == name).unwrap();
        assert!(outcome.generated.is_some(), "{outcome:?}");
    }
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
