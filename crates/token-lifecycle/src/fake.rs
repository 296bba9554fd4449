//! Stateful stand-ins for the vendors' token APIs, on a loopback server (feature `fake`):
//! tokens really are created, checked and revoked, and faults can be switched on, so that
//! rotation and the CLI can be tested (and demonstrated) end to end without the real APIs.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use loopback::{Recorded, Reply, Server};
use serde_json::{Value, json};

/// Faults a fake can inject.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Keys the server refuses to authenticate (as if not yet propagated).
    pub reject_keys: Vec<String>,
    /// Token ids (Vercel) or key values (Perplexity) whose revocation answers 500.
    pub fail_revoking: Vec<String>,
    /// Accept only the key the fake started with (new keys "have not propagated").
    pub only_initial_key: bool,
    /// Creates that are carried out but whose answer is lost, one per create, in order.
    pub lose_create_answers: Vec<Lost>,
    /// Revocations that are carried out but whose answer is lost, one per revocation.
    pub lose_revoke_answers: Vec<Lost>,
    /// A server that moved on: every answer carries what the spec does not list (a field, an
    /// enum value, a union alternative), as the real APIs do between two documents.
    pub moved: bool,
}

/// How the answer to a request the fake has carried out goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lost {
    /// The connection drops instead of an answer.
    Reset,
    /// 503 without `Retry-After` (a proxy in front gave up).
    Unavailable,
    /// The real body, with a success status the spec does not declare (201).
    UndeclaredSuccess,
    /// 200 with a body cut short.
    Garbled,
    /// 504 from a gateway that gave up waiting.
    GatewayTimeout,
    /// 200 with the real body inside an envelope the spec does not know
    /// (`{"data": …, "version": 2}`): every field is still there, one level down.
    Drifted,
}

impl Lost {
    /// The answer `reply` becomes.
    fn apply(self, reply: Reply) -> Reply {
        match self {
            Lost::Reset => Reply::reset(),
            Lost::Unavailable => error(503, "service unavailable"),
            Lost::GatewayTimeout => error(504, "gateway timeout"),
            Lost::UndeclaredSuccess => Reply { status: 201, ..reply },
            Lost::Drifted => {
                let real: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
                Reply { body: json!({"data": real, "version": 2}).to_string().into(), ..reply }
            }
            Lost::Garbled => {
                let cut = reply.body.len() / 2;
                Reply { body: reply.body.slice(..cut), ..reply }
            }
        }
    }
}

/// The next lost answer of `queue`, if any.
fn take(queue: &mut Vec<Lost>) -> Option<Lost> {
    (!queue.is_empty()).then(|| queue.remove(0))
}

#[derive(Debug, Default)]
struct State {
    /// Live tokens: id → (name, secret).
    live: BTreeMap<String, (String, String)>,
    /// When each token was created (Unix milliseconds; seeded tokens long ago).
    created: BTreeMap<String, f64>,
    initial: String,
    faults: Faults,
}

/// A fake vendor: its server and its state.
pub struct Fake {
    pub server: Server,
    state: Arc<Mutex<State>>,
}

impl Fake {
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The secrets of live tokens.
    pub fn live_secrets(&self) -> Vec<String> {
        self.lock().live.values().map(|(_, s)| s.clone()).collect()
    }

    pub fn is_live(&self, secret: &str) -> bool {
        self.lock().live.values().any(|(_, s)| s == secret)
    }

    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Vercel's four token operations, with `initial` (id, secret) live.
    pub async fn vercel(initial: (&str, &str)) -> std::io::Result<Fake> {
        let state = seeded(initial);
        let counter = AtomicUsize::new(0);
        let shared = Arc::clone(&state);
        let server = Server::start(move |r| {
            let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
            let Some(caller) = authenticate(&state, r, "authorization", "Bearer ") else {
                return error(403, "forbidden");
            };
            let path: Vec<&str> = r.path.trim_start_matches('/').split('/').collect();
            match (r.method.as_str(), path.as_slice()) {
                ("POST", ["v3", "user", "tokens"]) => {
                    let name = body(r)["name"].as_str().unwrap_or("unnamed").to_string();
                    let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                    let (id, secret) = (format!("tok_new{n}"), format!("vercel-secret-{n}-{}", fastid()));
                    state.live.insert(id.clone(), (name.clone(), secret.clone()));
                    state.created.insert(id.clone(), now_ms());
                    let token = token_json(&state, &id, &name);
                    let reply = moved(&state, json!({"token": token, "bearerToken": secret}));
                    match take(&mut state.faults.lose_create_answers) {
                        Some(lost) => lost.apply(reply),
                        None => reply,
                    }
                }
                ("GET", ["v5", "user", "tokens"]) => {
                    let tokens: Vec<Value> =
                        state.live.iter().map(|(id, (name, _))| token_json(&state, id, name)).collect();
                    let count = tokens.len();
                    moved(&state, json!({"tokens": tokens, "pagination": {"count": count, "next": null, "prev": null}}))
                }
                ("GET", ["v5", "user", "tokens", id]) => {
                    let id = if *id == "current" { caller.as_str() } else { id };
                    match state.live.get(id) {
                        Some((name, _)) => moved(&state, json!({"token": token_json(&state, id, name)})),
                        None => error(404, "not found"),
                    }
                }
                ("DELETE", ["v3", "user", "tokens", id]) => {
                    let id = if *id == "current" { caller.clone() } else { id.to_string() };
                    if state.faults.fail_revoking.contains(&id) {
                        return error(500, "internal error");
                    }
                    match state.live.remove(&id) {
                        Some(_) => {
                            let reply = Reply::json(200, json!({"tokenId": id}).to_string());
                            match take(&mut state.faults.lose_revoke_answers) {
                                Some(lost) => lost.apply(reply),
                                None => reply,
                            }
                        }
                        None => error(404, "not found"),
                    }
                }
                _ => error(404, "no such route"),
            }
        })
        .await?;
        Ok(Fake { server, state })
    }

    /// Perplexity's generate and revoke, with `initial` live.
    pub async fn perplexity(initial: &str) -> std::io::Result<Fake> {
        let state = seeded(("initial", initial));
        let counter = AtomicUsize::new(0);
        let shared = Arc::clone(&state);
        let server = Server::start(move |r| {
            let mut state = shared.lock().unwrap_or_else(PoisonError::into_inner);
            if authenticate(&state, r, "authorization", "Bearer ").is_none() {
                return error(401, "invalid api key");
            }
            match (r.method.as_str(), r.path.as_str()) {
                ("POST", "/generate_auth_token") => {
                    let name = body(r)["token_name"].as_str().unwrap_or("").to_string();
                    let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
                    let secret = format!("pplx-new-{n}-{}", fastid());
                    state.live.insert(format!("key{n}"), (name.clone(), secret.clone()));
                    let reply = moved(
                        &state,
                        json!({"auth_token": secret, "created_at_epoch_seconds": 1735689600, "token_name": name}),
                    );
                    match take(&mut state.faults.lose_create_answers) {
                        Some(lost) => lost.apply(reply),
                        None => reply,
                    }
                }
                ("POST", "/revoke_auth_token") => {
                    let target = body(r)["auth_token"].as_str().unwrap_or("").to_string();
                    if state.faults.fail_revoking.contains(&target) {
                        return error(500, "internal error");
                    }
                    let before = state.live.len();
                    state.live.retain(|_, (_, secret)| *secret != target);
                    if state.live.len() < before { Reply::status(200) } else { error(400, "unknown token") }
                }
                _ => error(404, "no such route"),
            }
        })
        .await?;
        Ok(Fake { server, state })
    }

    /// Cartesia's access-token endpoint, accepting `key`.
    pub async fn cartesia(key: &str) -> std::io::Result<Fake> {
        let state = seeded(("key", key));
        let shared = Arc::clone(&state);
        let server = Server::start(move |r| {
            let state = shared.lock().unwrap_or_else(PoisonError::into_inner);
            if authenticate(&state, r, "authorization", "Bearer ").is_none() {
                return error(401, "invalid api key");
            }
            if r.header("cartesia-version") != Some("2025-11-04") {
                return error(400, "Cartesia-Version is required");
            }
            moved(&state, json!({"token": format!("cartesia-access-{}", fastid())}))
        })
        .await?;
        Ok(Fake { server, state })
    }
}

fn seeded((id, secret): (&str, &str)) -> Arc<Mutex<State>> {
    let mut state = State { initial: secret.to_string(), ..State::default() };
    state.live.insert(id.to_string(), ("initial".into(), secret.to_string()));
    Arc::new(Mutex::new(state))
}

/// The id of the live token the request authenticates with, unless rejected.
fn authenticate(state: &State, r: &Recorded, header: &str, prefix: &str) -> Option<String> {
    let presented = r.header(header)?.strip_prefix(prefix)?;
    if state.faults.reject_keys.iter().any(|k| k == presented) {
        return None;
    }
    if state.faults.only_initial_key && state.initial != presented {
        return None;
    }
    state.live.iter().find(|(_, (_, secret))| secret == presented).map(|(id, _)| id.clone())
}

fn body(r: &Recorded) -> Value {
    serde_json::from_slice(&r.body).unwrap_or(Value::Null)
}

fn token_json(state: &State, id: &str, name: &str) -> Value {
    let created = state.created.get(id).copied().unwrap_or(1.0);
    let mut token = json!({"id": id, "name": name, "type": "oauth2-token", "activeAt": created, "createdAt": created});
    if state.faults.moved {
        // An origin and a scope kind the spec does not list (the issue's `origin: "okta"`).
        token["scopes"] = json!([
            {"type": "user", "origin": "okta", "createdAt": created, "sudo": {"origin": "security-key", "expiresAt": 1}},
            {"type": "service-account", "accountId": "sa_1", "createdAt": created},
        ]);
    }
    token
}

/// A 200 answer of `body`, with a field the spec does not list when the server has moved on.
fn moved(state: &State, mut body: Value) -> Reply {
    if state.faults.moved {
        body["movedOn"] = json!({"since": "2026-12-01", "fields": ["movedOn"]});
    }
    Reply::json(200, body.to_string())
}

fn now_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

fn error(status: u16, message: &str) -> Reply {
    Reply::json(status, json!({"error": {"message": message}}).to_string())
}

/// A few characters that make each secret unique.
fn fastid() -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{nanos:08x}")
}
