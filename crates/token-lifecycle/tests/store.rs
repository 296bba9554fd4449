//! `FileStore`: two-phase, private from creation, unique temporary files, symlinks, a lock.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use api_runtime::SecretString;
use token_lifecycle::{FileStore, NewToken, SecretStore, TokenRef};

const SECRET: &str = "store-NEW-SENTINEL-secret";

fn token() -> NewToken {
    NewToken {
        reference: TokenRef::Id("tok_1".into()),
        name: Some("t".into()),
        secret: SecretString::new(SECRET),
        expires_at: None,
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Every name in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

#[test]
fn staging_leaves_the_live_file_alone_until_commit() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "old\n").unwrap();
    let mut store = FileStore::new(&file);
    store.prepare().unwrap();
    store.stage(&token()).unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "old\n", "the live file is untouched");
    let staged = dir.path().join("token.new");
    assert_eq!(std::fs::read_to_string(&staged).unwrap(), format!("{SECRET}\n"));
    #[cfg(unix)]
    assert_eq!(mode(&staged), 0o600);
    assert!(store.staged_at().ends_with("token.new"), "{}", store.staged_at());

    store.commit().unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), format!("{SECRET}\n"));
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
    assert_eq!(names(dir.path()), [".token.lock", "token"], "no staging or temporary file is left");
}

#[test]
fn discard_removes_the_staged_secret_and_keeps_the_old() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "old\n").unwrap();
    let mut store = FileStore::new(&file);
    store.stage(&token()).unwrap();
    store.discard();
    drop(store);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "old\n");
    assert_eq!(names(dir.path()), [".token.lock", "token"]);
}

#[test]
fn a_leftover_staging_file_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(dir.path().join("token.new"), "live secret of an interrupted rotation\n").unwrap();
    let err = FileStore::new(&file).prepare().unwrap_err();
    assert!(err.to_string().contains("token.new") && err.to_string().contains("may hold a live credential"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("token.new")).unwrap(),
        "live secret of an interrupted rotation\n"
    );
}

#[test]
fn the_temporary_file_has_a_unique_name() {
    // A file where the old pid-named temporary file went does not stop a store (nor is it
    // written through, were it a planted symlink).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    let pid_named = dir.path().join(format!(".token.{}.tmp", std::process::id()));
    std::fs::write(&pid_named, "someone else's").unwrap();
    FileStore::new(&file).store(&token()).unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), format!("{SECRET}\n"));
    assert_eq!(std::fs::read_to_string(&pid_named).unwrap(), "someone else's");
}

#[cfg(unix)]
#[test]
fn a_symlinked_file_keeps_its_link_and_its_target_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("secrets");
    std::fs::create_dir(&real).unwrap();
    let target = real.join("token");
    std::fs::write(&target, "old\n").unwrap();
    let link = dir.path().join("link");
    std::os::unix::fs::symlink("secrets/token", &link).unwrap();

    let mut store = FileStore::new(&link);
    store.stage(&token()).unwrap();
    assert!(real.join("token.new").exists(), "staged beside the target: {:?}", names(&real));
    store.commit().unwrap();
    drop(store);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link stays a link");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), format!("{SECRET}\n"));
    assert_eq!(mode(&target), 0o600);
    assert_eq!(names(dir.path()), ["link", "secrets"]);
    assert_eq!(names(&real), [".token.lock", "token"]);

    // A dangling link: its target is created.
    let dangling = dir.path().join("dangling");
    std::os::unix::fs::symlink("secrets/later", &dangling).unwrap();
    FileStore::new(&dangling).store(&token()).unwrap();
    assert_eq!(std::fs::read_to_string(real.join("later")).unwrap(), format!("{SECRET}\n"));
    assert!(std::fs::symlink_metadata(&dangling).unwrap().file_type().is_symlink());
}

#[test]
fn a_directory_or_a_missing_directory_is_refused_before_anything_happens() {
    let dir = tempfile::tempdir().unwrap();
    let err = FileStore::new(dir.path()).prepare().unwrap_err();
    assert!(err.to_string().contains("is a directory"), "{err}");
    let err = FileStore::new(dir.path().join("missing/token")).prepare().unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn a_second_store_of_the_same_file_is_locked_out() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    let mut first = FileStore::new(&file);
    first.prepare().unwrap();
    let err = FileStore::new(&file).prepare().unwrap_err();
    assert!(err.to_string().contains("another rotation or create of this file is running"), "{err}");
    assert!(err.to_string().contains(".token.lock"), "{err}");
    drop(first);
    FileStore::new(&file).prepare().unwrap();
}

#[test]
fn closures_still_store_in_one_step() {
    let mut kept = Vec::new();
    let mut store = |t: &NewToken| {
        kept.push(t.secret.expose_secret().to_string());
        Ok(())
    };
    store.prepare().unwrap();
    store.stage(&token()).unwrap();
    store.commit().unwrap();
    assert_eq!(kept, [SECRET]);
}
