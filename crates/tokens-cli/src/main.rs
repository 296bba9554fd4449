//! `tokens`: vendor API tokens from the command line.
//!
//! Keys come from the environment (`PERPLEXITY_API_KEY`, `VERCEL_TOKEN`, `CARTESIA_API_KEY`).
//! A new secret goes to a file written atomically with mode 0600 (`--out`), or to standard
//! output only when asked (`--stdout`); it is never logged. Hooks (`--update-cmd`,
//! `--verify-cmd`) get it in the `NEW_TOKEN` environment variable, never on a command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use api_runtime::SecretString;
use clap::{Args, Parser, Subcommand};
use token_lifecycle::verification::{BuiltIn, Check, Unverified};
use token_lifecycle::{
    CartesiaGrants, CreateToken, FileStore, ListTokens, NewToken, Progress, RevokeToken, RotateOptions, Rotation,
    SecretStore, TokenRef, Verification, rotate,
};

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
        /// What the token may do: tts, stt (repeatable).
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
    /// Deploys the new key: run with `sh -c`, the key in NEW_TOKEN.
    #[arg(long, value_name = "CMD")]
    update_cmd: Option<String>,
    /// Checks the new key: run with `sh -c`, the key in NEW_TOKEN; must exit 0.
    #[arg(long, value_name = "CMD", conflicts_with = "no_verify")]
    verify_cmd: Option<String>,
    /// Trust the new key without checking it.
    #[arg(long)]
    no_verify: bool,
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
            let vendor = token_lifecycle::Perplexity::from_env(base_url)?;
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
                        (Some(cmd), _) => rotate_token(&vendor, &args, command_check(cmd.clone())).await,
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
            let vendor = token_lifecycle::Vercel::from_env(base_url)?;
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
                    (Some(cmd), _) => rotate_token(&vendor, &args, command_check(cmd.clone())).await,
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
                    other => anyhow::bail!("unknown grant `{other}`: expected tts or stt"),
                }
            }
            let vendor = token_lifecycle::Cartesia::from_env(base_url)?;
            let token = vendor.access_token(wanted, expires_in).await?;
            deliver(&token, &output)?;
            eprintln!("issued an access token ({}) valid for {expires_in} s", grants.join(", "));
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn create_token(vendor: &impl CreateToken, create: Create) -> anyhow::Result<ExitCode> {
    let token = vendor.create(&create.name).await?;
    deliver(&token, &create.output)?;
    eprintln!("created {} named {:?}", token.reference, create.name);
    Ok(ExitCode::SUCCESS)
}

/// Hands a new secret to the file or standard output, as the user chose.
fn deliver(token: &NewToken, output: &Output) -> anyhow::Result<()> {
    match &output.out {
        Some(path) => {
            FileStore::new(path).store(token)?;
            eprintln!("secret written to {} (mode 0600)", path.display());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{}", token.secret.expose_secret())?;
        }
    }
    Ok(())
}

async fn rotate_token<T, V>(vendor: &T, args: &Rotate, verification: V) -> anyhow::Result<ExitCode>
where
    T: CreateToken + RevokeToken,
    V: Verification<T>,
{
    let options = RotateOptions::new(&args.name).propagation(Duration::from_secs(args.wait));
    let update = async |token: &NewToken| match &args.update_cmd {
        Some(cmd) => run_hook("update", cmd, &token.secret).await,
        None => Ok(()),
    };
    let store = FileStore::new(&args.out);
    let rotation: Rotation = rotate(vendor, options, verification, store, update, show_progress).await?;
    eprintln!();
    println!("{rotation}");
    Ok(if rotation.old_revoked.is_ok() { ExitCode::SUCCESS } else { ExitCode::from(3) })
}

/// A `--verify-cmd` as a verification step.
fn command_check(cmd: String) -> Check<impl AsyncFn(&SecretString) -> Result<(), String>> {
    Check(async move |secret: &SecretString| run_hook("verify", &cmd, secret).await)
}

/// Runs `sh -c cmd` with the secret in `NEW_TOKEN`; its output is the user's own.
async fn run_hook(what: &str, cmd: &str, secret: &SecretString) -> Result<(), String> {
    let status = tokio::process::Command::new("sh")
        .args(["-c", cmd])
        .env("NEW_TOKEN", secret.expose_secret())
        .status()
        .await
        .map_err(|e| format!("cannot run the {what} command: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("the {what} command exited with {status}")) }
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
        Progress::Created(new) => eprintln!("  created {new}"),
        Progress::Stored => eprintln!("  new secret stored"),
        Progress::Verified => eprintln!("  new credential verified"),
        Progress::Updated => eprintln!("  applications updated"),
        Progress::RevokingOld(old) => eprintln!("{}  revoking {old}", if tty { "\n" } else { "" }),
    }
}
