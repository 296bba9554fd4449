//! The baseline for `cargo xtask bench`'s build-cost row: the Vercel token operations
//! written by hand with reqwest and serde, on the same runtime dependencies as the generated
//! client, so the comparison isolates what code generation costs a downstream build.

use api_runtime::SecretString;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthToken {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default)]
    pub scopes: Vec<serde_json::Value>,
    #[serde(rename = "createdAt")]
    pub created_at: f64,
    #[serde(rename = "activeAt")]
    pub active_at: f64,
    #[serde(rename = "expiresAt", default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CreateAuthTokenBody {
    pub name: String,
    #[serde(rename = "expiresAt", skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CreateAuthTokenResponse {
    pub token: AuthToken,
    #[serde(rename = "bearerToken")]
    pub bearer_token: SecretString,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Pagination {
    pub count: f64,
    pub next: Option<f64>,
    pub prev: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ListAuthTokensResponse {
    pub tokens: Vec<AuthToken>,
    pub pagination: Pagination,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GetAuthTokenResponse {
    pub token: AuthToken,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DeleteAuthTokenResponse {
    #[serde(rename = "tokenId")]
    pub token_id: String,
}

#[derive(Debug)]
pub enum Error {
    Http(reqwest::Error),
    Status(reqwest::StatusCode),
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        Error::Http(e)
    }
}

pub struct Client {
    http: reqwest::Client,
    base_url: String,
    token: SecretString,
}

impl Client {
    pub fn new(base_url: &str, token: SecretString) -> Result<Self, Error> {
        Ok(Client { http: reqwest::Client::builder().build()?, base_url: base_url.trim_end_matches('/').into(), token })
    }

    async fn send<T: serde::de::DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<T, Error> {
        let response = request.bearer_auth(self.token.expose_secret()).header("accept", "application/json").send().await?;
        if !response.status().is_success() {
            return Err(Error::Status(response.status()));
        }
        Ok(response.json().await?)
    }

    pub async fn create_auth_token(
        &self,
        team_id: Option<&str>,
        slug: Option<&str>,
        body: &CreateAuthTokenBody,
    ) -> Result<CreateAuthTokenResponse, Error> {
        let mut query = Vec::new();
        if let Some(team_id) = team_id {
            query.push(("teamId", team_id));
        }
        if let Some(slug) = slug {
            query.push(("slug", slug));
        }
        self.send(self.http.post(format!("{}/v3/user/tokens", self.base_url)).query(&query).json(body)).await
    }

    pub async fn list_auth_tokens(&self) -> Result<ListAuthTokensResponse, Error> {
        self.send(self.http.get(format!("{}/v5/user/tokens", self.base_url))).await
    }

    pub async fn get_auth_token(&self, token_id: &str) -> Result<GetAuthTokenResponse, Error> {
        self.send(self.http.get(format!("{}/v5/user/tokens/{}", self.base_url, encode(token_id)))).await
    }

    pub async fn delete_auth_token(&self, token_id: &str) -> Result<DeleteAuthTokenResponse, Error> {
        self.send(self.http.delete(format!("{}/v3/user/tokens/{}", self.base_url, encode(token_id)))).await
    }
}

fn encode(segment: &str) -> String {
    segment.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
