//! The user's hooks (`--verify-cmd`, `--update-cmd`): `sh -c CMD` with the new secret in the
//! environment (never on a command line), in a process group of its own, under a time limit.

use std::time::Duration;

use api_runtime::SecretString;

/// A hook: its command, and what it gets.
#[derive(Debug, Clone)]
pub struct Hook {
    /// "verify" or "update", for messages.
    pub what: &'static str,
    pub cmd: String,
    /// The vendor's own variable for its key (`VERCEL_TOKEN`, …), set besides `NEW_TOKEN`.
    pub key_env: &'static str,
    pub timeout: Duration,
}

impl Hook {
    /// Runs the hook with `secret`; fails when it exits non-zero or outlives its time limit
    /// (then it is killed, with everything it started). Dropping the returned future (Ctrl-C)
    /// kills it too.
    pub async fn run(&self, secret: &SecretString) -> Result<(), String> {
        let what = self.what;
        let mut command = tokio::process::Command::new("sh");
        command
            .args(["-c", &self.cmd])
            .env("NEW_TOKEN", secret.expose_secret())
            .env(self.key_env, secret.expose_secret())
            .kill_on_drop(true);
        #[cfg(unix)]
        command.process_group(0);
        let mut child = command.spawn().map_err(|e| format!("cannot run the {what} command: {e}"))?;
        let mut group = Group(child.id());
        match tokio::time::timeout(self.timeout, child.wait()).await {
            Ok(Ok(status)) => {
                // It has exited: whatever it left running in the background is the user's.
                group.0 = None;
                if status.success() { Ok(()) } else { Err(format!("the {what} command exited with {status}")) }
            }
            Ok(Err(e)) => Err(format!("waiting for the {what} command failed: {e}")),
            Err(_) => {
                drop(group);
                let _ = child.kill().await;
                Err(format!(
                    "the {what} command did not finish within {} s (--hook-timeout) and was killed",
                    self.timeout.as_secs()
                ))
            }
        }
    }
}

/// A hook's process group, killed when this is dropped (unless it has exited).
struct Group(Option<u32>);

impl Drop for Group {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(id) = self.0.and_then(|id| i32::try_from(id).ok()) {
            let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(id), nix::sys::signal::Signal::SIGKILL);
        }
    }
}
