//! The `tokens` binary against stateful fake vendors on loopback.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Output;

use token_lifecycle::fake::{Fake, Faults, Lost};

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
async fn cartesia_grants_reach_the_wire_and_agent_only_when_asked() {
    let fake = Fake::cartesia(CARTESIA_KEY).await.unwrap();
    let issue = |grants: &'static [&'static str]| {
        let url = fake.url();
        async move {
            let mut args = vec!["--base-url".to_string(), url, "cartesia".into(), "access-token".into()];
            for grant in grants {
                args.extend(["--grant".to_string(), grant.to_string()]);
            }
            args.push("--stdout".into());
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = tokens(&args, &[("CARTESIA_API_KEY", CARTESIA_KEY)]).await;
            assert!(out.status.success(), "{}", text(&out));
        }
    };
    issue(&["tts"]).await;
    issue(&["agent", "stt"]).await;
    let bodies: Vec<serde_json::Value> =
        fake.server.requests().iter().map(|r| serde_json::from_slice(&r.body).unwrap()).collect();
    assert_eq!(bodies[0]["grants"], serde_json::json!({"tts": true, "stt": false}), "no agent unless asked");
    assert_eq!(bodies[1]["grants"], serde_json::json!({"tts": false, "stt": true, "agent": true}));

    let out =
        tokens(&["cartesia", "access-token", "--grant", "admin", "--stdout"], &[("CARTESIA_API_KEY", CARTESIA_KEY)])
            .await;
    assert!(text(&out).contains("expected tts, stt or agent"), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_key_names_the_variable() {
    let out = tokens(&["vercel", "list"], &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("VERCEL_TOKEN"), "{}", text(&out));
}

/// `tokens` started with `args`, its output piped, not waited for.
fn spawn(args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tokens"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    command.spawn().unwrap()
}

async fn finish(child: std::process::Child) -> Output {
    tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap()
}

/// Waits (at most 20 s) until `path` exists.
async fn appears(path: &Path) {
    for _ in 0..2000 {
        if path.exists() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{} never appeared", path.display());
}

fn rotate_args<'a>(url: &'a str, vendor: &'a str, file: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--base-url", url, vendor, "rotate", "--name", "rotated", "--out", file.to_str().unwrap()];
    args.extend(["--wait", "0"]);
    args.extend(extra);
    args
}

#[tokio::test(flavor = "multi_thread")]
async fn rotate_keeps_the_old_token_in_the_file_until_the_new_one_is_verified() {
    let fake = Fake::vercel(("tok_old", VERCEL_KEY)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, format!("{VERCEL_KEY}\n")).unwrap();
    let seen = dir.path().join("seen");
    // The check sees the old token in FILE and the new one in FILE.new (0600), then fails.
    let check = format!(
        "test \"$(cat '{f}')\" = \"$VERCEL_TOKEN_OLD\" && test \"$(cat '{f}.new')\" = \"$NEW_TOKEN\" \
         && test \"$(stat -c %a '{f}.new')\" = 600 && touch '{seen}'; exit 1",
        f = file.display(),
        seen = seen.display()
    );
    let url = fake.url();
    let args = rotate_args(&url, "vercel", &file, &["--verify-cmd", &check]);
    let out = tokens(&args, &[("VERCEL_TOKEN", VERCEL_KEY), ("VERCEL_TOKEN_OLD", VERCEL_KEY)]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(seen.exists(), "the check saw the old file and the staged new one: {}", text(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), format!("{VERCEL_KEY}\n"), "FILE still holds the old token");
    assert!(!dir.path().join("token.new").exists(), "the staging file is removed");
    assert_eq!(fake.live_secrets(), vec![VERCEL_KEY.to_string()], "the new token is revoked");
    assert!(text(&out).contains("failed verification") && text(&out).contains("revoked again"), "{}", text(&out));
    assert_no_secret(&out, &[VERCEL_KEY, "vercel-secret-"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn create_checks_the_output_before_creating_a_token() {
    let fake = Fake::vercel(("tok_old", VERCEL_KEY)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing/token");
    for out_path in [missing.to_str().unwrap(), dir.path().to_str().unwrap()] {
        let out = tokens(
            &["--base-url", &fake.url(), "vercel", "create", "--name", "ci", "--out", out_path],
            &[("VERCEL_TOKEN", VERCEL_KEY)],
        )
        .await;
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        assert!(text(&out).contains("cannot store the new secret"), "{}", text(&out));
        assert_eq!(fake.live_secrets(), vec![VERCEL_KEY.to_string()], "nothing was created for {out_path}");
    }
    assert!(fake.server.requests().is_empty(), "the vendor was not even asked");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_that_cannot_reach_a_closed_stdout_is_revoked() {
    let fake = Fake::vercel(("tok_old", VERCEL_KEY)).await.unwrap();
    let mut child = spawn(
        &["--base-url", &fake.url(), "vercel", "create", "--name", "ci", "--stdout"],
        &[("VERCEL_TOKEN", VERCEL_KEY)],
    );
    drop(child.stdout.take()); // the reader went away (`tokens … | head -c0`)
    let out = finish(child).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("cannot write the secret to standard output"), "{all}");
    assert!(all.contains("token tok_new1 (secret sha256:") && all.contains("revoked again"), "{all}");
    assert_eq!(fake.live_secrets(), vec![VERCEL_KEY.to_string()]);
    assert_no_secret(&out, &[VERCEL_KEY, "vercel-secret-"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_whose_answer_is_lost_says_so_and_revokes_what_it_finds() {
    let fake = Fake::vercel(("tok_old", VERCEL_KEY)).await.unwrap();
    fake.set_faults(Faults { lose_create_answers: vec![Lost::Reset], ..Faults::default() });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    let out = tokens(
        &["--base-url", &fake.url(), "vercel", "create", "--name", "ci", "--out", file.to_str().unwrap()],
        &[("VERCEL_TOKEN", VERCEL_KEY)],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains("may have created a token named \"ci\"") && all.contains("tok_new1, which was revoked"),
        "{all}"
    );
    assert_eq!(fake.live_secrets(), vec![VERCEL_KEY.to_string()]);
    assert!(!file.exists());
    assert_no_secret(&out, &[VERCEL_KEY, "vercel-secret-"]);

    // In a rotation too, said once; the token being rotated is never taken for it. (A 504: an
    // answer that arrives, even drifted, hands the token over instead.)
    fake.set_faults(Faults { lose_create_answers: vec![Lost::GatewayTimeout], ..Faults::default() });
    let url = fake.url();
    let out = tokens(&rotate_args(&url, "vercel", &file, &[]), &[("VERCEL_TOKEN", VERCEL_KEY)]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert_eq!(all.matches("may have created a token named \"rotated\"").count(), 1, "{all}");
    assert!(all.contains("tok_new2, which was revoked") && all.contains("old credential is kept"), "{all}");
    assert_eq!(fake.live_secrets(), vec![VERCEL_KEY.to_string()]);
    assert!(!file.exists());
    assert_no_secret(&out, &[VERCEL_KEY, "vercel-secret-"]);

    // Perplexity cannot list keys: the user is told where to look.
    let fake = Fake::perplexity(PPLX_KEY).await.unwrap();
    fake.set_faults(Faults { lose_create_answers: vec![Lost::Garbled], ..Faults::default() });
    let out = tokens(
        &["--base-url", &fake.url(), "perplexity", "create", "--name", "prod", "--stdout"],
        &[("PERPLEXITY_API_KEY", PPLX_KEY)],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("may have created a token named \"prod\"") && all.contains("dashboard"), "{all}");
    assert!(out.stdout.is_empty());
    let live = fake.live_secrets();
    assert_no_secret(&out, &live.iter().map(String::as_str).chain([PPLX_KEY, "pplx-new-"]).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoke_whose_first_answer_was_lost_succeeds() {
    let fake = Fake::vercel(("tok_old", VERCEL_KEY)).await.unwrap();
    let out = tokens(
        &["--base-url", &fake.url(), "vercel", "create", "--name", "x", "--stdout"],
        &[("VERCEL_TOKEN", VERCEL_KEY)],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out));
    fake.set_faults(Faults { lose_revoke_answers: vec![Lost::Unavailable], ..Faults::default() });
    let out =
        tokens(&["--base-url", &fake.url(), "vercel", "revoke", "--id", "tok_new1"], &[("VERCEL_TOKEN", VERCEL_KEY)])
            .await;
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(fake.live_secrets(), vec![VERCEL_KEY.to_string()]);
}

#[tokio::test(flavor = "multi_thread")]
async fn hooks_get_the_new_key_in_the_vendors_own_variable() {
    let fake = Fake::vercel(("tok_old", VERCEL_KEY)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    let (verified, updated) = (dir.path().join("verified"), dir.path().join("updated"));
    let hook = |marker: &Path| {
        format!(
            "test \"$VERCEL_TOKEN\" = \"$NEW_TOKEN\" && test \"$VERCEL_TOKEN\" != '{VERCEL_KEY}' && touch '{}'",
            marker.display()
        )
    };
    let (verify, update) = (hook(&verified), hook(&updated));
    let url = fake.url();
    let args = rotate_args(&url, "vercel", &file, &["--verify-cmd", &verify, "--update-cmd", &update]);
    let out = tokens(&args, &[("VERCEL_TOKEN", VERCEL_KEY)]).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(verified.exists() && updated.exists(), "{}", text(&out));

    let fake = Fake::perplexity(PPLX_KEY).await.unwrap();
    let check = format!("test \"$PERPLEXITY_API_KEY\" = \"$NEW_TOKEN\" && test \"$NEW_TOKEN\" != '{PPLX_KEY}'");
    let url = fake.url();
    let args = rotate_args(&url, "perplexity", &file, &["--verify-cmd", &check]);
    let out = tokens(&args, &[("PERPLEXITY_API_KEY", PPLX_KEY)]).await;
    assert!(out.status.success(), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hook_that_outlives_its_timeout_is_killed_with_what_it_started() {
    let fake = Fake::vercel(("tok_old", VERCEL_KEY)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    let late = dir.path().join("late");
    // A background child that outlives `sh`: only killing the whole process group stops it.
    let update = format!("(sleep 2; touch '{}') & wait", late.display());
    let url = fake.url();
    let args = rotate_args(&url, "vercel", &file, &["--update-cmd", &update, "--hook-timeout", "1"]);
    let out = tokens(&args, &[("VERCEL_TOKEN", VERCEL_KEY)]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let all = text(&out);
    assert!(all.contains("the update command did not finish within 1 s (--hook-timeout) and was killed"), "{all}");
    assert!(all.contains("both the old credential and the new token tok_new1"), "{all}");
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(!late.exists(), "the hook's children were killed too");
    let secret = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert_no_secret(&out, &[VERCEL_KEY, &secret]);
}

#[cfg(unix)]
fn interrupt(child: &std::process::Child) {
    use nix::sys::signal::{Signal, kill};
    kill(nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap()), Signal::SIGINT).unwrap();
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_during_a_hook_says_which_credentials_are_live() {
    // During verification: the new token is staged, not verified.
    let fake = Fake::vercel(("tok_old", VERCEL_KEY)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    let running = dir.path().join("running");
    let hook = format!("touch '{}'; sleep 5", running.display());
    let url = fake.url();
    let args = rotate_args(&url, "vercel", &file, &["--verify-cmd", &hook]);
    let child = spawn(&args, &[("VERCEL_TOKEN", VERCEL_KEY)]);
    appears(&running).await;
    let started = std::time::Instant::now();
    interrupt(&child);
    let out = finish(child).await;
    assert!(started.elapsed() < std::time::Duration::from_secs(4), "the hook was not waited for");
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    let staged = dir.path().join("token.new");
    let expected = format!(
        "interrupted after creating token tok_new1 (stored in {}, not verified): both the old token tok_old and \
         the new token tok_new1 are live",
        staged.display()
    );
    assert!(text(&out).contains(&expected), "{}", text(&out));
    let secret = std::fs::read_to_string(&staged).unwrap().trim().to_string();
    assert!(fake.is_live(&secret) && fake.is_live(VERCEL_KEY));
    assert!(!file.exists(), "nothing unverified replaced the file");
    assert_no_secret(&out, &[VERCEL_KEY, &secret]);

    // During the update step: the new token is in place.
    let fake = Fake::vercel(("tok_old", VERCEL_KEY)).await.unwrap();
    std::fs::remove_file(&staged).unwrap();
    std::fs::remove_file(&running).unwrap();
    let url = fake.url();
    let args = rotate_args(&url, "vercel", &file, &["--update-cmd", &hook]);
    let child = spawn(&args, &[("VERCEL_TOKEN", VERCEL_KEY)]);
    appears(&running).await;
    interrupt(&child);
    let out = finish(child).await;
    assert_eq!(out.status.code(), Some(130), "{}", text(&out));
    let all = text(&out);
    assert!(
        all.contains(&format!("during the update step, after storing token tok_new1 in {}", file.display()))
            && all.contains("both the old token tok_old and the new token tok_new1 are live"),
        "{all}"
    );
    let secret = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert!(fake.is_live(&secret) && fake.is_live(VERCEL_KEY));
    assert_no_secret(&out, &[VERCEL_KEY, &secret]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_rotation_of_the_same_file_is_refused_while_one_runs() {
    let fake = Fake::vercel(("tok_old", VERCEL_KEY)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    let running = dir.path().join("running");
    let hook = format!("touch '{}'; sleep 2", running.display());
    let url = fake.url();
    let args = rotate_args(&url, "vercel", &file, &["--update-cmd", &hook]);
    let first = spawn(&args, &[("VERCEL_TOKEN", VERCEL_KEY)]);
    appears(&running).await;
    let second = tokens(&rotate_args(&url, "vercel", &file, &[]), &[("VERCEL_TOKEN", VERCEL_KEY)]).await;
    assert_eq!(second.status.code(), Some(1), "{}", text(&second));
    assert!(text(&second).contains("another rotation or create of this file is running"), "{}", text(&second));
    assert!(text(&second).contains(".token.lock"), "{}", text(&second));
    let first = finish(first).await;
    assert!(first.status.success(), "{}", text(&first));
    let secret = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert_eq!(fake.live_secrets(), vec![secret], "the second created nothing");
}

/// A server that moved on (a scope kind and an origin the spec does not list, fields it does
/// not list) in the create answer and in the list used to find a lost one never costs a token:
/// `create` stores it, `rotate` completes, a create whose answer drifted too hands the token
/// over, and one whose answer is lost is found in the moved list and revoked.
#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_moved_on_never_costs_a_created_token() {
    let fake = Fake::vercel(("tok_old", VERCEL_KEY)).await.unwrap();
    fake.set_faults(Faults { moved: true, ..Faults::default() });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    let create = ["--base-url", &fake.url(), "vercel", "create", "--name", "ci", "--out", file.to_str().unwrap()];
    let out = tokens(&create, &[("VERCEL_TOKEN", VERCEL_KEY)]).await;
    assert!(out.status.success(), "{}", text(&out));
    let first = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert!(fake.is_live(&first) && text(&out).contains("created token tok_new1"), "{}", text(&out));
    assert_no_secret(&out, &[VERCEL_KEY, &first]);

    // The rotation's create answer drifted into an envelope as well: handed over all the same.
    fake.set_faults(Faults { moved: true, lose_create_answers: vec![Lost::Drifted], ..Faults::default() });
    let url = fake.url();
    let out = tokens(&rotate_args(&url, "vercel", &file, &[]), &[("VERCEL_TOKEN", &first)]).await;
    assert!(out.status.success(), "{}", text(&out));
    let rotated = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert!(fake.is_live(&rotated) && !fake.is_live(&first), "new live, old revoked: {}", text(&out));
    assert_no_secret(&out, &[VERCEL_KEY, &first, &rotated]);

    // The answer lost: the token is found in a list that moved on too, and revoked.
    fake.set_faults(Faults { moved: true, lose_create_answers: vec![Lost::Reset], ..Faults::default() });
    let lost = dir.path().join("lost");
    let create = ["--base-url", &url, "vercel", "create", "--name", "ci", "--out", lost.to_str().unwrap()];
    let out = tokens(&create, &[("VERCEL_TOKEN", &rotated)]).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("tok_new3, which was revoked"), "{}", text(&out));
    let mut live = fake.live_secrets();
    live.sort();
    let mut expected = vec![VERCEL_KEY.to_string(), rotated.clone()];
    expected.sort();
    assert_eq!(live, expected, "only the seeded token and the rotated one are live");
    assert_no_secret(&out, &[VERCEL_KEY, &rotated, "vercel-secret-"]);
}
