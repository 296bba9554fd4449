//! Rotation against stateful fake vendors on loopback, with injected faults.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_runtime::SecretString;
use token_lifecycle::fake::{Fake, Faults};
use token_lifecycle::verification::{BuiltIn, Check, Unverified};
use token_lifecycle::{
    CreateToken, FileStore, ListTokens, NewToken, Progress, RevokeToken, RotateError, RotateOptions, StoreError,
    TokenRef, Vercel, rotate,
};

const OLD: &str = "vercel-OLD-SENTINEL-secret";

fn options() -> RotateOptions {
    RotateOptions::new("rotated").propagation(Duration::ZERO)
}

type Kept = Arc<Mutex<Vec<String>>>;

/// A store that keeps what it is handed, as a secret manager would.
fn memory() -> (Kept, impl FnMut(&NewToken) -> Result<(), StoreError>) {
    let kept = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&kept);
    (kept, move |t: &NewToken| {
        sink.lock().unwrap().push(t.secret.expose_secret().to_string());
        Ok(())
    })
}

fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    assert!(!text.contains(OLD), "{what} shows the old secret: {text}");
    for secret in secrets {
        assert!(!text.contains(secret.as_str()), "{what} shows a new secret: {text}");
    }
}

async fn vercel() -> (Fake, Vercel) {
    let fake = Fake::vercel(("tok_old", OLD)).await.unwrap();
    let vendor = Vercel::new(OLD, Some(fake.url())).unwrap();
    (fake, vendor)
}

#[tokio::test]
async fn vercel_rotation_creates_verifies_updates_and_revokes_the_old_token() {
    let (fake, vendor) = vercel().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    let updated = Arc::new(Mutex::new(None));
    let seen = Arc::clone(&updated);
    let mut steps = Vec::new();
    let rotation = rotate(
        &vendor,
        options().propagation(Duration::from_millis(1500)),
        BuiltIn,
        FileStore::new(&file),
        async |t: &NewToken| {
            *seen.lock().unwrap() = Some(t.secret.expose_secret().to_string());
            Ok(())
        },
        |step| steps.push(step),
    )
    .await
    .unwrap();

    let new_secret = rotation.new.secret.expose_secret().to_string();
    assert!(rotation.old_revoked.is_ok(), "{rotation}");
    assert_eq!(rotation.old, TokenRef::Id("tok_old".into()));
    assert_eq!(fake.live_secrets(), vec![new_secret.clone()], "only the new token is live");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), format!("{new_secret}\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(updated.lock().unwrap().as_deref(), Some(new_secret.as_str()));
    assert_eq!(steps.first(), Some(&Progress::Current("token tok_old".into())));
    assert!(steps.contains(&Progress::Waiting(Duration::from_millis(1500))), "{steps:?}");
    assert!(steps.contains(&Progress::Waiting(Duration::from_millis(500))), "progress during the wait: {steps:?}");

    // The tokenId flow on the wire: current (old key), create, current (new key), delete old (new key).
    let requests = fake.server.requests();
    let flow: Vec<(String, String, bool)> = requests
        .iter()
        .map(|r| (r.method.clone(), r.path.clone(), r.header("authorization") == Some(&format!("Bearer {OLD}"))))
        .collect();
    assert_eq!(
        flow,
        vec![
            ("GET".into(), "/v5/user/tokens/current".into(), true),
            ("POST".into(), "/v3/user/tokens".into(), true),
            ("GET".into(), "/v5/user/tokens/current".into(), false),
            ("DELETE".into(), "/v3/user/tokens/tok_old".into(), false),
        ]
    );
    let text = format!("{rotation} {rotation:?} {steps:?}");
    assert_clean("the rotation", &text, &[new_secret]);
}

#[tokio::test]
async fn failed_verification_revokes_the_new_token_and_keeps_the_old() {
    let (fake, vendor) = vercel().await;
    let (kept, store) = memory();
    // The new key is not accepted yet, whatever it is: reject every key but the old one.
    let err = rotate(
        &vendor,
        options(),
        Check(async |_: &SecretString| Err("the canary request got 401".to_string())),
        store,
        async |_: &NewToken| panic!("no update after a failed verification"),
        |_| {},
    )
    .await
    .unwrap_err();
    let RotateError::Verification { ref new, ref new_revoked, .. } = err else { panic!("{err:?}") };
    assert!(new_revoked.is_ok(), "{err}");
    assert_eq!(new, &TokenRef::Id("tok_new1".into()));
    assert_eq!(fake.live_secrets(), vec![OLD.to_string()], "the old token is kept, the new one gone");
    assert_eq!(kept.lock().unwrap().len(), 1, "stored before verification");
    let text = err.to_string();
    assert!(
        text.contains("tok_new1") && text.contains("old credential is kept") && text.contains("revoked again"),
        "{text}"
    );
    assert_clean("the error", &format!("{err} {err:?}"), &kept.lock().unwrap());
}

#[tokio::test]
async fn built_in_verification_catches_a_key_the_api_rejects() {
    let (fake, vendor) = vercel().await;
    // New keys "have not propagated": the API answers 403 to them.
    fake.set_faults(Faults { only_initial_key: true, ..Faults::default() });
    let (kept, store) = memory();
    let err = rotate(&vendor, options(), BuiltIn, store, async |_: &NewToken| Ok(()), |_| {}).await.unwrap_err();
    let RotateError::Verification { ref new_revoked, .. } = err else { panic!("{err:?}") };
    assert!(new_revoked.is_ok(), "revoked with the old token, which works: {err}");
    assert!(err.to_string().contains("403"), "{err}");
    assert_eq!(fake.live_secrets(), vec![OLD.to_string()]);
    assert_clean("the error", &format!("{err} {err:?}"), &kept.lock().unwrap());
}

#[tokio::test]
async fn a_failed_revocation_of_the_old_token_is_reported_by_name() {
    let (fake, vendor) = vercel().await;
    fake.set_faults(Faults { fail_revoking: vec!["tok_old".into()], ..Faults::default() });
    let (kept, store) = memory();
    let rotation = rotate(&vendor, options(), BuiltIn, store, async |_: &NewToken| Ok(()), |_| {}).await.unwrap();
    assert!(rotation.old_revoked.is_err());
    let text = rotation.to_string();
    assert!(text.contains("token tok_old is STILL LIVE") && text.contains("500"), "{text}");
    assert_eq!(fake.live_secrets().len(), 2);
    assert_clean("the result", &format!("{rotation} {rotation:?}"), &kept.lock().unwrap());
}

#[tokio::test]
async fn an_interrupted_rotation_has_already_stored_the_new_secret() {
    let (fake, vendor) = vercel().await;
    let (kept, store) = memory();
    // The process dies during the propagation wait (the future is dropped).
    let interrupted = tokio::time::timeout(
        Duration::from_millis(300),
        rotate(
            &vendor,
            options().propagation(Duration::from_secs(60)),
            BuiltIn,
            store,
            async |_: &NewToken| Ok(()),
            |_| {},
        ),
    )
    .await;
    assert!(interrupted.is_err(), "the rotation was cut short");
    let kept = kept.lock().unwrap().clone();
    assert_eq!(kept.len(), 1);
    assert!(fake.is_live(&kept[0]), "the stored secret is the live new token");
    assert!(fake.is_live(OLD), "and the old one was not revoked");
}

#[tokio::test]
async fn a_secret_that_cannot_be_stored_is_revoked_at_once() {
    let (fake, vendor) = vercel().await;
    let failing = |_: &NewToken| Err(StoreError { target: "vault".into(), reason: "sealed".into() });
    let err = rotate(&vendor, options(), BuiltIn, failing, async |_: &NewToken| Ok(()), |_| {}).await.unwrap_err();
    let RotateError::Store { ref new_revoked, .. } = err else { panic!("{err:?}") };
    assert!(new_revoked.is_ok());
    assert_eq!(fake.live_secrets(), vec![OLD.to_string()]);
    assert!(err.to_string().contains("cannot store the new secret in vault: sealed"), "{err}");
}

#[tokio::test]
async fn perplexity_rotation_revokes_the_old_key_by_value_with_the_new_key() {
    let fake = Fake::perplexity("pplx-OLD-SENTINEL").await.unwrap();
    let vendor = token_lifecycle::Perplexity::new("pplx-OLD-SENTINEL", Some(fake.url())).unwrap();
    let (kept, store) = memory();
    let rotation = rotate(&vendor, options(), Unverified, store, async |_: &NewToken| Ok(()), |_| {}).await.unwrap();
    assert!(rotation.old_revoked.is_ok(), "{rotation}");
    let new = rotation.new.secret.expose_secret().to_string();
    assert_eq!(fake.live_secrets(), vec![new.clone()]);
    let revoke = fake.server.requests().into_iter().find(|r| r.path == "/revoke_auth_token").unwrap();
    assert_eq!(revoke.header("authorization"), Some(format!("Bearer {new}").as_str()));
    assert_eq!(String::from_utf8_lossy(&revoke.body), r#"{"auth_token":"pplx-OLD-SENTINEL"}"#);
    let text = format!("{rotation} {rotation:?}");
    assert!(text.contains("key sha256:"), "named by fingerprint: {text}");
    assert!(!text.contains("pplx-OLD-SENTINEL") && !text.contains(&new), "{text}");
    assert_eq!(kept.lock().unwrap().as_slice(), [new]);
}

#[tokio::test]
async fn vercel_lists_and_revokes_by_id() {
    let (fake, vendor) = vercel().await;
    let created = vendor.create("extra").await.unwrap();
    let listed = vendor.list().await.unwrap();
    assert_eq!(listed.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["tok_new1", "tok_old"]);
    vendor.revoke(&created.reference).await.unwrap();
    assert_eq!(fake.live_secrets(), vec![OLD.to_string()]);
    assert!(format!("{created:?}").contains("[REDACTED]"));
}
