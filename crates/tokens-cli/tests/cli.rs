//! The `tokens` binary against stateful fake vendors on loopback.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Output;

use token_lifecycle::fake::Fake;

const VERCEL_KEY: &str = "vercel-CLI-OLD-SENTINEL";
const PPLX_KEY: &str = "pplx-CLI-OLD-SENTINEL";
const CARTESIA_KEY: &str = "cartesia-CLI-SENTINEL";

/// Runs `tokens` with `args` and only the given vendor variables set.
async fn tokens(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tokens"));
    command.args(args).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        command.env(k, v);
    }
    tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap()
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

fn assert_no_secret(output: &Output, secrets: &[&str]) {
    let all = text(output);
    for secret in secrets {
        assert!(!all.contains(secret), "output shows a secret ({secret}): {all}");
    }
}

fn mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }
    #[cfg(not(unix))]
    0o600
}

#[tokio::test(flavor = "multi_thread")]
async fn create_writes_the_secret_to_a_private_file_and_prints_nothing_secret() {
    let fake = Fake::vercel(("tok_old", VERCEL_KEY)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("new-token");
    let out = tokens(
        &["--base-url", &fake.url(), "vercel", "create", "--name", "ci", "--out", file.to_str().unwrap()],
        &[("VERCEL_TOKEN", VERCEL_KEY)],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let secret = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert!(fake.is_live(&secret));
    assert_eq!(mode(&file), 0o600);
    assert!(text(&out).contains("created token tok_new1"), "{}", text(&out));
    assert_no_secret(&out, &[VERCEL_KEY, &secret]);
}

#[tokio::test(flavor = "multi_thread")]
async fn stdout_gets_the_secret_only_when_asked() {
    let fake = Fake::vercel(("tok_old", VERCEL_KEY)).await.unwrap();
    let out = tokens(
        &["--base-url", &fake.url(), "vercel", "create", "--name", "ci", "--stdout"],
        &[("VERCEL_TOKEN", VERCEL_KEY)],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let printed = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(fake.is_live(printed.trim()), "stdout is exactly the secret: {printed:?}");

    // Neither --out nor --stdout: refused before anything is created.
    let out =
        tokens(&["--base-url", &fake.url(), "vercel", "create", "--name", "ci"], &[("VERCEL_TOKEN", VERCEL_KEY)]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert_eq!(fake.live_secrets().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn vercel_rotate_end_to_end_with_an_update_hook() {
    let fake = Fake::vercel(("tok_old", VERCEL_KEY)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    let marker = dir.path().join("deployed");
    let update = format!("test -n \"$NEW_TOKEN\" && cp \"{}\" \"{}\"", file.display(), marker.display());
    let out = tokens(
        &[
            "--base-url",
            &fake.url(),
            "vercel",
            "rotate",
            "--name",
            "rotated",
            "--out",
            file.to_str().unwrap(),
            "--wait",
            "1",
            "--update-cmd",
            &update,
        ],
        &[("VERCEL_TOKEN", VERCEL_KEY)],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let secret = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert_eq!(fake.live_secrets(), vec![secret.clone()], "old revoked, new live");
    assert_eq!(std::fs::read_to_string(&marker).unwrap().trim(), secret, "the update hook saw the stored key");
    let all = text(&out);
    assert!(all.contains("waiting for propagation") && all.contains("token tok_old revoked"), "{all}");
    assert_no_secret(&out, &[VERCEL_KEY, &secret]);

    let out = tokens(&["--base-url", &fake.url(), "vercel", "list"], &[("VERCEL_TOKEN", &secret)]).await;
    assert!(String::from_utf8_lossy(&out.stdout).contains("tok_new1\toauth2-token\trotated"), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn perplexity_rotate_needs_an_explicit_verification_choice() {
    let fake = Fake::perplexity(PPLX_KEY).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("key");
    let base = [
        "--base-url",
        &fake.url(),
        "perplexity",
        "rotate",
        "--name",
        "r",
        "--out",
        file.to_str().unwrap(),
        "--wait",
        "0",
    ];
    let out = tokens(&base, &[("PERPLEXITY_API_KEY", PPLX_KEY)]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("--verify-cmd"), "{}", text(&out));
    assert_eq!(fake.live_secrets(), vec![PPLX_KEY.to_string()], "nothing was created");

    // A failing check: the new key is revoked again and the old one kept.
    let mut args = base.to_vec();
    args.extend(["--verify-cmd", "exit 7"]);
    let out = tokens(&args, &[("PERPLEXITY_API_KEY", PPLX_KEY)]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("failed verification") && text(&out).contains("revoked again"), "{}", text(&out));
    assert_eq!(fake.live_secrets(), vec![PPLX_KEY.to_string()]);

    let mut args = base.to_vec();
    args.extend(["--verify-cmd", "test -n \"$NEW_TOKEN\""]);
    let out = tokens(&args, &[("PERPLEXITY_API_KEY", PPLX_KEY)]).await;
    assert!(out.status.success(), "{}", text(&out));
    let secret = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert_eq!(fake.live_secrets(), vec![secret.clone()]);
    assert_no_secret(&out, &[PPLX_KEY, &secret]);
}

#[tokio::test(flavor = "multi_thread")]
async fn cartesia_issues_access_tokens_and_cannot_rotate() {
    let fake = Fake::cartesia(CARTESIA_KEY).await.unwrap();
    let out = tokens(
        &["--base-url", &fake.url(), "cartesia", "access-token", "--grant", "tts", "--expires-in", "600", "--stdout"],
        &[("CARTESIA_API_KEY", CARTESIA_KEY)],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("cartesia-access-"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("cartesia-access-"));

    let out = tokens(&["cartesia", "rotate"], &[("CARTESIA_API_KEY", CARTESIA_KEY)]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("unrecognized subcommand 'rotate'"), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_key_names_the_variable() {
    let out = tokens(&["vercel", "list"], &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("VERCEL_TOKEN"), "{}", text(&out));
}
