//! Running Stoplight Prism (pinned in `tools/prism`) as an independent validator on loopback.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const STARTUP: Duration = Duration::from_secs(90);

fn tools_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("tools").join("prism")
}

/// Installs Prism with `npm ci` (once per process) and returns its executable.
fn install() -> Result<PathBuf, String> {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _guard = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tools_dir();
    let bin = dir.join("node_modules").join(".bin").join("prism");
    if bin.exists() {
        return Ok(bin);
    }
    for tool in ["node", "npm"] {
        let found = Command::new(tool).arg("--version").output().is_ok_and(|o| o.status.success());
        if !found {
            return Err(format!(
                "`{tool}` is not installed: the Prism contract tests need Node.js 18.20+ with npm \
                 (Debian/Ubuntu: `apt-get install nodejs npm`; or see https://nodejs.org)"
            ));
        }
    }
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if !out.status.success() {
        return Err(format!("`npm ci` in {} failed:\n{}", dir.display(), String::from_utf8_lossy(&out.stderr)));
    }
    Ok(bin)
}

/// What Prism's log says about one request.
#[allow(dead_code)] // Used by one of the two test crates sharing this module.
pub struct Verdict {
    /// Bytes of the log read up to the end of this request's lines.
    pub logged: usize,
    /// Whether Prism logged its validation of the request.
    pub seen: bool,
    /// Each `Violation: request…` line.
    pub request_violations: Vec<String>,
    /// Each `[VALIDATOR] ✖ error` line (what the request breaks, when Prism answers 422).
    pub invalid: Vec<String>,
}

/// A running `prism mock` for one spec, with request validation errors on. Killed on drop.
pub struct Prism {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Prism {
    pub fn start(spec: &Path) -> Prism {
        let bin = install().unwrap_or_else(|e| panic!("{e}"));
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("prism.log");
        let log_file = std::fs::File::create(&log).unwrap();
        let child = Command::new(bin)
            .args(["mock", "--errors", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg(spec)
            .stdout(log_file.try_clone().unwrap())
            .stderr(log_file)
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        let mut prism = Prism { child, addr: SocketAddr::from(([127, 0, 0, 1], port)), log, _dir: dir };
        prism.wait_until_listening();
        prism
    }

    fn wait_until_listening(&mut self) {
        let started = Instant::now();
        while TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("prism exited ({status}) before listening:\n{}", self.log());
            }
            assert!(started.elapsed() < STARTUP, "prism did not listen within {STARTUP:?}:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Prism's verdict on the next request after `logged` bytes of its log: whether it
    /// logged one (Prism logs it before answering; the file is read until it appears, up to a
    /// second), and the request violations it found.
    #[allow(dead_code)] // Used by one of the two test crates sharing this module.
    pub fn verdict_after(&self, logged: usize) -> Verdict {
        let started = Instant::now();
        loop {
            let log = self.log();
            let new = log.get(logged..).unwrap_or_default();
            // A request's block ends where the next one is received.
            let block_end = new.match_indices("Request received").nth(1).map_or(new.len(), |(at, _)| at);
            let block = &new[..block_end];
            let passed = block.contains("The request passed the validation rules");
            let request_violations: Vec<String> = block
                .lines()
                .filter_map(|l| l.split_once("Violation: request").map(|(_, rest)| format!("request{rest}")))
                .collect();
            // Without a response to fall back on, Prism lists what the request breaks itself.
            let invalid: Vec<String> = block
                .lines()
                .filter_map(|l| l.split_once("[VALIDATOR] ✖  error").map(|(_, rest)| rest.trim().to_string()))
                .collect();
            let seen = passed || !request_violations.is_empty() || !invalid.is_empty();
            if seen || started.elapsed() > Duration::from_secs(1) {
                return Verdict { logged: logged + block_end, seen, request_violations, invalid };
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Prism's own log, for failure messages.
    pub fn log(&self) -> String {
        let mut text = String::new();
        let _ = std::fs::File::open(&self.log).and_then(|mut f| f.read_to_string(&mut text));
        text
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
