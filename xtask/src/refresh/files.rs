//! A document served in several files: the root's relative `$ref`s name the others, which are
//! fetched from beside it (what `redocly bundle` reads), round by round until nothing is
//! missing, and vendored as served at the same relative paths.

use std::collections::BTreeMap;
use std::path::Path;

use api_codegen::load::bundle::{self, Bundle, Missing};
use api_codegen::load::yaml;
use serde_json::Value;
use tokio::task::JoinSet;

use super::fetch::{Failed, FetchError, Fetched, Fetcher};

/// Names in a vendor's folder that are ours: a referenced file may not take one.
const OURS: &[&str] =
    &["openapi.json", "openapi.yaml", "overlay.yaml", "source.toml", "scenario.toml", "fetched.sha256"];

/// One of the other files, as fetched.
#[derive(Debug, Clone)]
pub struct Other {
    /// Relative to the root's folder (`resources/droplets/droplet.yml`).
    pub path: String,
    pub fetched: Fetched,
}

/// Why the other files could not be had: a fetch (with its location) or the bundle's problems.
#[derive(Debug)]
pub enum Problem {
    Fetch(Failed),
    /// (location, reason)
    Document(String, String),
}

/// Fetches every file `root` (served at `root_url`) references, then bundles: the document, and
/// the files fetched in path order. A document in one file fetches nothing.
pub async fn fetch_and_bundle(fetcher: &Fetcher, root_url: &str, root: Value) -> Result<(Bundle, Vec<Other>), Problem> {
    let base = reqwest::Url::parse(root_url).map_err(|e| {
        Problem::Fetch(Failed { location: root_url.into(), error: FetchError::BadUrl(e.to_string()), attempts: 0 })
    })?;
    let root_name = base.path_segments().and_then(|mut s| s.next_back()).filter(|n| !n.is_empty()).unwrap_or("openapi");
    let root_file = Path::new(root_name).to_path_buf();
    let mut others: BTreeMap<String, Other> = BTreeMap::new();
    let mut parsed: BTreeMap<String, Value> = BTreeMap::new();
    loop {
        let mut missing = Vec::new();
        let result = bundle::bundle(root.clone(), &root_file, &mut |path: &str| match parsed.get(path) {
            Some(value) => Ok(value.clone()),
            None if others.contains_key(path) => Err(Missing::Unreadable("not YAML or JSON".into())),
            None => {
                missing.push(path.to_string());
                Err(Missing::NotFound)
            }
        });
        if missing.is_empty() {
            let bundle = result.map_err(|e| Problem::Document(root_url.to_string(), e.to_string()))?;
            return Ok((bundle, others.into_values().collect()));
        }
        if others.len() + missing.len() > bundle::MAX_FILES {
            let reason = format!("references more than {} files", bundle::MAX_FILES);
            return Err(Problem::Document(root_url.to_string(), reason));
        }
        for path in &missing {
            if !path.contains('/') && OURS.contains(&path.as_str()) {
                let reason = format!("references `{path}`, a name the vendor's folder keeps for its own file");
                return Err(Problem::Document(root_url.to_string(), reason));
            }
        }
        for other in fetch_round(fetcher, &base, missing).await? {
            match std::str::from_utf8(&other.fetched.bytes).ok().map(|text| yaml::parse(Path::new(&other.path), text)) {
                Some(Ok(value)) => {
                    parsed.insert(other.path.clone(), value);
                }
                Some(Err(e)) => return Err(Problem::Document(other.fetched.location.clone(), e.kind.to_string())),
                None => return Err(Problem::Document(other.fetched.location.clone(), "not UTF-8 text".into())),
            }
            others.insert(other.path.clone(), other);
        }
    }
}

/// The files of one round, concurrently.
async fn fetch_round(fetcher: &Fetcher, base: &reqwest::Url, paths: Vec<String>) -> Result<Vec<Other>, Problem> {
    let mut tasks = JoinSet::new();
    for path in paths {
        // The bundler only asks for relative paths inside the root's folder: joined, they stay
        // on its host, under its folder.
        let url = base.join(&path).map_err(|e| {
            Problem::Fetch(Failed { location: path.clone(), error: FetchError::BadUrl(e.to_string()), attempts: 0 })
        })?;
        let fetcher = fetcher.clone();
        tasks.spawn(async move { fetcher.fetch(url.as_str()).await.map(|fetched| Other { path, fetched }) });
    }
    let mut others = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let other = joined
            .map_err(|e| {
                Problem::Fetch(Failed {
                    location: "(task)".into(),
                    error: FetchError::Transfer(e.to_string()),
                    attempts: 0,
                })
            })?
            .map_err(Problem::Fetch)?;
        others.push(other);
    }
    Ok(others)
}
