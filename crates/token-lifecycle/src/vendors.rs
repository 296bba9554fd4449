//! The lifecycle operations of each vendor, on its generated client.

use std::time::SystemTime;

use api_runtime::{ClientBuilder, ConfigError, GeneratedClient, SecretString};

use crate::token::{NewToken, TokenInfo, TokenRef};
use crate::unknown::recovered_or_error;
use crate::{CreateToken, LifecycleError, ListTokens, RevokeToken, Tokens, VerifyToken};

/// What every vendor wrapper keeps: its client with the key and base URL it was built from,
/// to build a twin with another key.
#[derive(Debug, Clone)]
struct KeyedClient<C> {
    client: C,
    key: SecretString,
    base_url: Option<String>,
}

impl<C: GeneratedClient> KeyedClient<C> {
    fn new(key: SecretString, base_url: Option<String>) -> Result<Self, LifecycleError> {
        let builder = C::builder().api_key(key);
        Self::from_builder(match base_url {
            Some(url) => builder.base_url(url),
            None => builder,
        })
    }

    /// Keeps the key and base URL the builder was given, to build twins with other keys.
    fn from_builder(builder: ClientBuilder<C>) -> Result<Self, LifecycleError> {
        let key =
            builder.configured_api_key().cloned().ok_or(ConfigError::MissingApiKey { var: C::API.api_key_env })?;
        let base_url = builder.configured_base_url().map(str::to_string);
        Ok(KeyedClient { client: builder.build()?, key, base_url })
    }

    fn with_key(&self, key: SecretString) -> Result<Self, LifecycleError> {
        KeyedClient::new(key, self.base_url.clone())
    }
}

macro_rules! vendor {
    ($name:ident, $client:ty, $label:literal, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone)]
        pub struct $name(KeyedClient<$client>);

        impl $name {
            /// A client with `key`, at `base_url` or the spec's server.
            pub fn new(key: impl Into<SecretString>, base_url: Option<String>) -> Result<Self, LifecycleError> {
                KeyedClient::new(key.into(), base_url).map($name)
            }

            /// The key from the vendor's environment variable; `base_url` overrides the
            /// spec's server (and the environment's override).
            pub fn from_env(base_url: Option<String>) -> Result<Self, LifecycleError> {
                let builder = <$client as GeneratedClient>::builder().from_env()?;
                KeyedClient::from_builder(match base_url {
                    Some(url) => builder.base_url(url),
                    None => builder,
                })
                .map($name)
            }

            pub fn client(&self) -> &$client {
                &self.0.client
            }
        }

        impl Tokens for $name {
            const VENDOR: &'static str = $label;
            const KEY_ENV: &'static str = <$client as GeneratedClient>::API.api_key_env;
            fn with_key(&self, key: SecretString) -> Result<Self, LifecycleError> {
                self.0.with_key(key).map($name)
            }
        }
    };
}

vendor!(
    Perplexity,
    perplexity::Client,
    "perplexity",
    "Perplexity API keys: create, revoke (by value), rotate. The API has no listing and no side-effect-free check of a key, so rotation needs a caller-supplied verification."
);
vendor!(Vercel, vercel::Client, "vercel", "Vercel tokens: create, list, verify (`current`), revoke (by id), rotate.");
vendor!(
    Cartesia,
    cartesia::Client,
    "cartesia",
    "Cartesia access tokens: short-lived and without revocation, so they are issued, never rotated."
);

impl CreateToken for Perplexity {
    async fn create(&self, name: &str) -> Result<NewToken, LifecycleError> {
        let sent = self
            .0
            .client
            .generate_auth_token()
            .body(perplexity::types::GenerateAuthTokenRequest { token_name: Some(name.to_string()) })
            .send()
            .await;
        let created = match sent {
            Ok(created) => created.into_inner(),
            // Perplexity names a key by its value.
            Err(e) => {
                return recovered_or_error(Self::VENDOR, name, e, |found| Some(TokenRef::Secret(found.secret.clone())));
            }
        };
        Ok(NewToken {
            reference: TokenRef::Secret(created.auth_token.clone()),
            name: created.token_name.or_else(|| Some(name.to_string())),
            secret: created.auth_token,
            expires_at: None,
        })
    }
}

impl RevokeToken for Perplexity {
    async fn current(&self) -> Result<TokenRef, LifecycleError> {
        Ok(TokenRef::Secret(self.0.key.clone()))
    }

    async fn revoke(&self, token: &TokenRef) -> Result<(), LifecycleError> {
        let TokenRef::Secret(secret) = token else {
            return Err(LifecycleError::Unsupported { vendor: Self::VENDOR, what: "revoking a key by id" });
        };
        self.0
            .client
            .revoke_auth_token()
            .body(perplexity::types::RevokeAuthTokenRequest { auth_token: secret.clone() })
            .send()
            .await
            .map_err(|e| LifecycleError::api(Self::VENDOR, e))?;
        Ok(())
    }
}

impl CreateToken for Vercel {
    async fn create(&self, name: &str) -> Result<NewToken, LifecycleError> {
        let sent = self.0.client.create_auth_token().body_map(|b| b.name(name.to_string())).send().await;
        let created = match sent {
            Ok(created) => created.into_inner(),
            // Vercel revokes by id: the token's (`token.id`), or whatever id the answer holds.
            Err(e) => {
                return recovered_or_error(Self::VENDOR, name, e, |found| {
                    let id = found.identifier("token.id").or_else(|| found.identifier_named("id"));
                    id.map(|id| TokenRef::Id(id.to_string()))
                });
            }
        };
        Ok(NewToken {
            reference: TokenRef::Id(created.token.id),
            name: Some(created.token.name),
            secret: created.bearer_token,
            expires_at: created.token.expires_at.map(|ms| ms / 1000.0),
        })
    }

    async fn find_created(&self, name: &str, since: SystemTime) -> Option<Result<Vec<TokenRef>, LifecycleError>> {
        let since_ms = since.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0);
        Some(self.list().await.map(|tokens| {
            tokens
                .into_iter()
                .filter(|t| t.name == name && t.created_at >= since_ms)
                .map(|t| TokenRef::Id(t.id))
                .collect()
        }))
    }
}

impl RevokeToken for Vercel {
    async fn current(&self) -> Result<TokenRef, LifecycleError> {
        let current = self
            .0
            .client
            .get_auth_token()
            .token_id("current")
            .send()
            .await
            .map_err(|e| LifecycleError::api(Self::VENDOR, e))?;
        Ok(TokenRef::Id(current.into_inner().token.id))
    }

    async fn revoke(&self, token: &TokenRef) -> Result<(), LifecycleError> {
        let TokenRef::Id(id) = token else {
            return Err(LifecycleError::Unsupported { vendor: Self::VENDOR, what: "revoking a token by value" });
        };
        self.0
            .client
            .delete_auth_token()
            .token_id(id.clone())
            .send()
            .await
            .map_or_else(|e| LifecycleError::revoke(Self::VENDOR, e), |_| Ok(()))
    }
}

impl VerifyToken for Vercel {
    async fn verify(&self, expected: &NewToken) -> Result<(), LifecycleError> {
        match self.current().await {
            Ok(found) if found == expected.reference => Ok(()),
            Ok(found) => Err(LifecycleError::NotVerified {
                vendor: Self::VENDOR,
                reason: format!("it authenticates as {found}, not {}", expected.reference),
            }),
            Err(e) => Err(LifecycleError::NotVerified { vendor: Self::VENDOR, reason: e.to_string() }),
        }
    }
}

impl ListTokens for Vercel {
    async fn list(&self) -> Result<Vec<TokenInfo>, LifecycleError> {
        let listed = self
            .0
            .client
            .list_auth_tokens()
            .send()
            .await
            .map_err(|e| LifecycleError::api(Self::VENDOR, e))?
            .into_inner();
        Ok(listed
            .tokens
            .into_iter()
            .map(|t| TokenInfo {
                id: t.id,
                name: t.name,
                kind: t.type_,
                created_at: t.created_at,
                expires_at: t.expires_at,
            })
            .collect())
    }
}

/// What a Cartesia access token may do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CartesiaGrants {
    pub tts: bool,
    pub stt: bool,
    /// The Agent websocket calling endpoint (API version 2025-11-04); sent only when granted,
    /// so requests without it are as before.
    pub agent: bool,
}

impl Cartesia {
    /// Issues a short-lived access token (at most an hour; it cannot be revoked).
    pub async fn access_token(&self, grants: CartesiaGrants, expires_in: u32) -> Result<NewToken, LifecycleError> {
        let token = self
            .0
            .client
            .auth_access_token()
            .body(cartesia::types::TokenRequest {
                grants: Some(cartesia::types::TokenGrant {
                    tts: Some(grants.tts),
                    stt: Some(grants.stt),
                    agent: grants.agent.then_some(true),
                }),
                expires_in: Some(i64::from(expires_in)),
            })
            .send()
            .await
            .map_err(|e| LifecycleError::api(Self::VENDOR, e))?
            .into_inner();
        let expires_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|now| now.as_secs_f64() + f64::from(expires_in))
            .ok();
        Ok(NewToken { reference: TokenRef::Secret(token.token.clone()), name: None, secret: token.token, expires_at })
    }
}
