//! `tokens`: vendor API tokens from the command line.
//!
//! Keys come from the environment (`PERPLEXITY_API_KEY`, `VERCEL_TOKEN`, `CARTESIA_API_KEY`).
//! A new secret goes to a file written atomically with mode 0600 (`--out`; checked, and
//! locked, before the token is created), or to standard output only when asked (`--stdout`);
//! it is never logged. A token that cannot be delivered is revoked again. Hooks
//! (`--update-cmd`, `--verify-cmd`) get it in `NEW_TOKEN` and in the vendor's own variable,
//! never on a command line, and run under `--hook-timeout`. Ctrl-C during a rotation stops it
//! and says which credentials are live.

mod hook;

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use api_runtime::SecretString;
use clap::{Args, Parser, Subcommand};
use token_lifecycle::verification::{BuiltIn, Check, Unverified};
use token_lifecycle::{
    CartesiaGrants, CreateToken, FileStore, Journal, ListTokens, NewToken, Perplexity, Progress, RevokeToken,
    RotateOptions, SecretStore, TokenRef, Tokens, Vercel, Verification, create_or_clean_up, fingerprint, rotate,
};

use crate::hook::Hook;

#[derive(Parser)]
#[command(name = "tokens", version, about = "Create, revoke, list and rotate vendor API tokens")]
struct Cli {
    /// Talk to this server instead of the vendor's (a proxy, a mock).
    #[arg(long, global = true, value_name = "URL")]
    base_url: Option<String>,
    #[command(subcommand)]
    vendor: Vendor,
}

#[derive(Subcommand)]
enum Vendor {
    /// Perplexity API keys (key from PERPLEXITY_API_KEY).
    #[command(subcommand)]
    Perplexity(PerplexityCommand),
    /// Vercel tokens (token from VERCEL_TOKEN).
    #[command(subcommand)]
    Vercel(VercelCommand),
    /// Cartesia short-lived access tokens (key from CARTESIA_API_KEY).
    #[command(subcommand)]
    Cartesia(CartesiaCommand),
}

#[derive(Subcommand)]
enum PerplexityCommand {
    /// Creates a key.
    Create(Create),
    /// Revokes the key stored in a file.
    Revoke {
        /// File holding the key to revoke (keys never go on a command line).
        #[arg(long, value_name = "FILE")]
        secret_file: PathBuf,
    },
    /// Rotates PERPLEXITY_API_KEY: create, store, verify, update, wait, revoke the old key.
    Rotate(Rotate),
}

#[derive(Subcommand)]
enum VercelCommand {
    /// Creates a token.
    Create(Create),
    /// Lists your tokens (no secrets: Vercel never returns them twice).
    List,
    /// Revokes a token by id (`current`: the one in VERCEL_TOKEN).
    Revoke {
        #[arg(long)]
        id: String,
    },
    /// Rotates VERCEL_TOKEN: create, store, verify, update, wait, revoke the old token.
    Rotate(Rotate),
}

#[derive(Subcommand)]
enum CartesiaCommand {
    /// Issues a short-lived access token.
    AccessToken {
        /// What the token may do: tts, stt, agent (repeatable).
        #[arg(long = "grant", value_name = "GRANT", required = true)]
        grants: Vec<String>,
        /// Lifetime in seconds (at most 3600).
        #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..=3600))]
        expires_in: u32,
        #[command(flatten)]
        output: Output,
    },
}

#[derive(Args)]
struct Create {
    #[arg(long)]
    name: String,
    #[command(flatten)]
    output: Output,
}

/// Where a new secret goes: exactly one of the two.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct Output {
    /// Write the secret to FILE (mode 0600, replaced atomically).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print the secret on standard output.
    #[arg(long)]
    stdout: bool,
}

#[derive(Args)]
struct Rotate {
    /// The new token's name.
    #[arg(long)]
    name: String,
    /// Where the new secret is stored before anything else happens (mode 0600).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Seconds to wait for the new key to reach every application before revoking the old.
    #[arg(long, default_value_t = 30)]
    wait: u64,
    /// Deploys the new key: run with `sh -c`, the key in NEW_TOKEN and the vendor's variable.
    #[arg(long, value_name = "CMD")]
    update_cmd: Option<String>,
    /// Checks the new key: run like --update-cmd; must exit 0.
    #[arg(long, value_name = "CMD", conflicts_with = "no_verify")]
    verify_cmd: Option<String>,
    /// Trust the new key without checking it.
    #[arg(long)]
    no_verify: bool,
    /// Seconds a hook may run before it is killed (with everything it started) and fails.
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    hook_timeout: u64,
}

impl Rotate {
    fn hook<T: Tokens>(&self, what: &'static str, cmd: &str) -> Hook {
        Hook { what, cmd: cmd.to_string(), key_env: T::KEY_ENV, timeout: Duration::from_secs(self.hook_timeout) }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let base_url = cli.base_url;
    match cli.vendor {
        Vendor::Perplexity(command) => {
            let vendor = Perplexity::from_env(base_url)?;
            match command {
                PerplexityCommand::Create(create) => create_token(&vendor, create).await,
                PerplexityCommand::Revoke { secret_file } => {
                    let secret = std::fs::read_to_string(&secret_file)
                        .with_context(|| format!("reading {}", secret_file.display()))?;
                    let token = TokenRef::Secret(SecretString::new(secret.trim()));
                    vendor.revoke(&token).await?;
                    eprintln!("revoked {token}");
                    Ok(ExitCode::SUCCESS)
                }
                PerplexityCommand::Rotate(args) => {
                    // The API has no side-effect-free check of a key: the caller says how.
                    match (&args.verify_cmd, args.no_verify) {
                        (Some(cmd), _) => {
                            let check = command_check(args.hook::<Perplexity>("verify", cmd));
                            rotate_token(&vendor, &args, check).await
                        }
                        (None, true) => rotate_token(&vendor, &args, Unverified).await,
                        (None, false) => anyhow::bail!(
                            "Perplexity has no way to check a key without side effects: pass --verify-cmd CMD \
                             (the key is in NEW_TOKEN) or --no-verify"
                        ),
                    }
                }
            }
        }
        Vendor::Vercel(command) => {
            let vendor = Vercel::from_env(base_url)?;
            match command {
                VercelCommand::Create(create) => create_token(&vendor, create).await,
                VercelCommand::List => {
                    for token in vendor.list().await? {
                        println!("{}\t{}\t{}", token.id, token.kind, token.name);
                    }
                    Ok(ExitCode::SUCCESS)
                }
                VercelCommand::Revoke { id } => {
                    let token = TokenRef::Id(id);
                    vendor.revoke(&token).await?;
                    eprintln!("revoked {token}");
                    Ok(ExitCode::SUCCESS)
                }
                VercelCommand::Rotate(args) => match (&args.verify_cmd, args.no_verify) {
                    (Some(cmd), _) => {
                        let check = command_check(args.hook::<Vercel>("verify", cmd));
                        rotate_token(&vendor, &args, check).await
                    }
                    (None, true) => rotate_token(&vendor, &args, Unverified).await,
                    (None, false) => rotate_token(&vendor, &args, BuiltIn).await,
                },
            }
        }
        Vendor::Cartesia(CartesiaCommand::AccessToken { grants, expires_in, output }) => {
            let mut wanted = CartesiaGrants::default();
            for grant in &grants {
                match grant.as_str() {
                    "tts" => wanted.tts = true,
                    "stt" => wanted.stt = true,
                    "agent" => wanted.agent = true,
                    other => anyhow::bail!("unknown grant `{other}`: expected tts, stt or agent"),
                }
            }
            let vendor = token_lifecycle::Cartesia::from_env(base_url)?;
            let mut sink = Sink::prepare(&output)?;
            let token = vendor.access_token(wanted, expires_in).await?;
            if let Err(e) = sink.deliver(&token) {
                anyhow::bail!(
                    "{e:#}; the access token {} cannot be revoked: it expires in {expires_in} s",
                    fingerprint(&token.secret)
                );
            }
            eprintln!("issued an access token ({}) valid for {expires_in} s", grants.join(", "));
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn create_token<T: CreateToken + RevokeToken>(vendor: &T, create: Create) -> anyhow::Result<ExitCode> {
    // The output is checked (and a file locked) first: a token is never created for nowhere.
    let mut sink = Sink::prepare(&create.output)?;
    let token = create_or_clean_up(vendor, &create.name, None).await?;
    if let Err(e) = sink.deliver(&token) {
        let named = describe(&token);
        match vendor.revoke(&token.reference).await {
            Ok(()) => anyhow::bail!("{e:#}; the new {named} was revoked again"),
            Err(revoke) => anyhow::bail!(
                "{e:#}; the new {named} named {:?} is live and could NOT be revoked ({revoke}): revoke it by hand",
                create.name
            ),
        }
    }
    eprintln!("created {} named {:?}", token.reference, create.name);
    Ok(ExitCode::SUCCESS)
}

/// A new token by id and fingerprint (never by value), for revoking it by hand.
fn describe(token: &NewToken) -> String {
    match &token.reference {
        TokenRef::Id(_) => format!("{} (secret {})", token.reference, fingerprint(&token.secret)),
        TokenRef::Secret(_) => token.reference.to_string(),
    }
}

/// Where a new secret goes, as the user chose: a prepared (locked, writable) file, or stdout.
enum Sink {
    File(FileStore),
    Stdout,
}

impl Sink {
    fn prepare(output: &Output) -> anyhow::Result<Self> {
        match &output.out {
            Some(path) => {
                let mut store = FileStore::new(path);
                store.prepare()?;
                Ok(Sink::File(store))
            }
            None => Ok(Sink::Stdout),
        }
    }

    fn deliver(&mut self, token: &NewToken) -> anyhow::Result<()> {
        match self {
            Sink::File(store) => {
                if let Err(e) = store.store(token) {
                    store.discard();
                    return Err(e.into());
                }
                eprintln!("secret written to {} (mode 0600)", store.path().display());
            }
            Sink::Stdout => {
                let mut stdout = std::io::stdout().lock();
                writeln!(stdout, "{}", token.secret.expose_secret())
                    .and_then(|()| stdout.flush())
                    .context("cannot write the secret to standard output")?;
            }
        }
        Ok(())
    }
}

async fn rotate_token<T, V>(vendor: &T, args: &Rotate, verification: V) -> anyhow::Result<ExitCode>
where
    T: CreateToken + RevokeToken,
    V: Verification<T>,
{
    let options = RotateOptions::new(&args.name).propagation(Duration::from_secs(args.wait));
    let update_hook = args.update_cmd.as_deref().map(|cmd| args.hook::<T>("update", cmd));
    let update = async |token: &NewToken| match &update_hook {
        Some(hook) => hook.run(&token.secret).await,
        None => Ok(()),
    };
    let store = FileStore::new(&args.out);
    let journal = RefCell::new(Journal::default());
    let progress = |step: Progress| {
        journal.borrow_mut().record(&step);
        show_progress(step);
    };
    // Ctrl-C drops the rotation (killing a running hook) and says what is live.
    let outcome = tokio::select! {
        biased;
        _ = tokio::signal::ctrl_c() => None,
        result = rotate(vendor, options, verification, store, update, progress) => Some(result),
    };
    let Some(result) = outcome else {
        eprintln!();
        eprintln!("{}", journal.borrow().interrupted());
        return Ok(ExitCode::from(130));
    };
    let rotation = result?;
    eprintln!();
    println!("{rotation}");
    Ok(if rotation.old_revoked.is_ok() { ExitCode::SUCCESS } else { ExitCode::from(3) })
}

/// A `--verify-cmd` as a verification step.
fn command_check(hook: Hook) -> Check<impl AsyncFn(&SecretString) -> Result<(), String>> {
    Check(async move |secret: &SecretString| hook.run(secret).await)
}

fn show_progress(step: Progress) {
    let tty = std::io::stderr().is_terminal();
    match step {
        Progress::Waiting(left) if tty => eprint!("\r  waiting for propagation: {:>4} s left ", left.as_secs()),
        Progress::Waiting(left) if left.as_secs() % 10 == 0 || left.as_secs() <= 3 => {
            eprintln!("  waiting for propagation: {} s left", left.as_secs())
        }
        Progress::Waiting(_) => {}
        Progress::Current(old) => eprintln!("  current credential: {old}"),
        Progress::Creating(name) => eprintln!("  creating a token named {name:?}"),
        Progress::Created(new) => eprintln!("  created {new}"),
        Progress::Staged(at) => eprintln!("  new secret stored {at} (not yet in place)"),
        Progress::Verified => eprintln!("  new credential verified"),
        Progress::Stored(at) => eprintln!("  new secret in place {at}"),
        Progress::Updated => eprintln!("  applications updated"),
        Progress::RevokingOld(old) => eprintln!("{}  revoking {old}", if tty { "\n" } else { "" }),
    }
}
