//! The caller's credentials and how each security scheme presents them on a request: a
//! header (`Authorization` for bearer, basic and other http schemes, or the spec's own), a
//! query parameter, or a cookie. Everything is checked and built once per client; a request
//! only gets copies.

use base64::Engine as _;
use reqwest::header::{AUTHORIZATION, COOKIE, HeaderName, HeaderValue};
use zeroize::Zeroize;

use crate::api::SchemeKind;
use crate::config::ConfigError;
use crate::secret::SecretString;

/// What the caller supplied: the API key (presented by every scheme but http `basic`) and
/// http basic's user and password. `Debug` shows no value.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub api_key: Option<SecretString>,
    pub basic: Option<BasicAuth>,
}

/// A user and a password for http `basic`; both are secrets (a user is often an account id).
#[derive(Debug, Clone)]
pub struct BasicAuth {
    pub username: SecretString,
    pub password: SecretString,
}

impl Credentials {
    /// Every value a server could echo back, for the scrub policy: the key, the user, the
    /// password and their encoded pair as the `Authorization` header carries it.
    pub(crate) fn secrets(&self) -> Vec<SecretString> {
        let mut out: Vec<SecretString> = self.api_key.iter().cloned().collect();
        if let Some(basic) = &self.basic {
            out.extend([basic.username.clone(), basic.password.clone(), basic.encoded()]);
        }
        out
    }
}

impl BasicAuth {
    /// `base64(user:password)`, as RFC 7617 sends it.
    fn encoded(&self) -> SecretString {
        let mut pair = format!("{}:{}", self.username.expose_secret(), self.password.expose_secret());
        let encoded = base64::engine::general_purpose::STANDARD.encode(pair.as_bytes());
        pair.zeroize();
        SecretString::new(encoded)
    }

    /// RFC 7617: the user cannot contain `:` (the password can), and neither a control
    /// character.
    fn check(&self) -> Result<(), ConfigError> {
        let (user, password) = (self.username.expose_secret(), self.password.expose_secret());
        let controls = |s: &str| s.chars().any(char::is_control);
        if user.contains(':') || controls(user) || controls(password) {
            return Err(ConfigError::InvalidBasicAuth);
        }
        Ok(())
    }
}

/// One scheme's credential, ready to put on a request.
pub(crate) enum Presented {
    /// A header the credential is the whole value of.
    Header(HeaderName, HeaderValue),
    /// A query parameter appended to the URL.
    Query(&'static str, SecretString),
    /// `name=value`, added to the `Cookie` header.
    Cookie(SecretString),
}

impl Presented {
    /// How `kind` presents `credentials`; `None` when the caller supplied nothing it uses.
    pub fn new(kind: SchemeKind, credentials: &Credentials) -> Result<Option<Self>, ConfigError> {
        let key = credentials.api_key.as_ref().map(SecretString::expose_secret);
        let presented = match (kind, key) {
            (SchemeKind::Basic, _) => {
                let Some(basic) = &credentials.basic else { return Ok(None) };
                basic.check()?;
                let value = format!("Basic {}", basic.encoded().expose_secret());
                Presented::Header(AUTHORIZATION, sensitive(value, ConfigError::InvalidBasicAuth)?)
            }
            (_, None) => return Ok(None),
            (SchemeKind::Bearer, Some(key)) => {
                Presented::Header(AUTHORIZATION, sensitive(format!("Bearer {key}"), ConfigError::InvalidApiKey)?)
            }
            (SchemeKind::Http(scheme), Some(key)) => {
                if !is_token(scheme) {
                    return Err(ConfigError::InvalidSpecName { what: "http scheme", name: scheme });
                }
                Presented::Header(AUTHORIZATION, sensitive(format!("{scheme} {key}"), ConfigError::InvalidApiKey)?)
            }
            (SchemeKind::Header(name), Some(key)) => Presented::Header(
                HeaderName::try_from(name).map_err(|_| ConfigError::InvalidSpecHeader { name })?,
                sensitive(key.to_string(), ConfigError::InvalidApiKey)?,
            ),
            (SchemeKind::Query(name), Some(key)) => {
                if name.is_empty() {
                    return Err(ConfigError::InvalidSpecName { what: "query parameter", name });
                }
                Presented::Query(name, SecretString::new(key))
            }
            (SchemeKind::Cookie(name), Some(key)) => {
                if !is_token(name) {
                    return Err(ConfigError::InvalidSpecName { what: "cookie", name });
                }
                // RFC 6265 cookie-octets: a `;` would smuggle in another cookie.
                if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic() && !b"\",;\\".contains(&b)) {
                    return Err(ConfigError::InvalidCookieKey);
                }
                Presented::Cookie(SecretString::new(format!("{name}={key}")))
            }
        };
        Ok(Some(presented))
    }

    /// Puts the credential on `request`.
    pub fn apply(&self, request: &mut reqwest::Request) {
        match self {
            Presented::Header(name, value) => {
                request.headers_mut().insert(name.clone(), value.clone());
            }
            Presented::Query(name, key) => {
                request.url_mut().query_pairs_mut().append_pair(name, key.expose_secret());
            }
            Presented::Cookie(pair) => {
                let headers = request.headers_mut();
                // One `Cookie` header (RFC 6265 §5.4): joined to any cookie already there.
                let joined = match headers.get(COOKIE).and_then(|v| v.to_str().ok()) {
                    Some(existing) if !existing.is_empty() => format!("{existing}; {}", pair.expose_secret()),
                    _ => pair.expose_secret().to_string(),
                };
                // Checked when built, so it is a valid value; a failure would only lose the cookie.
                if let Ok(value) = sensitive(joined, ConfigError::InvalidCookieKey) {
                    headers.insert(COOKIE, value);
                }
            }
        }
    }
}

/// A header value redacted by http's `Debug` and never HPACK-indexed.
fn sensitive(mut value: String, error: ConfigError) -> Result<HeaderValue, ConfigError> {
    let header = HeaderValue::try_from(value.as_str()).map_err(|_| error);
    value.zeroize();
    let mut header = header?;
    header.set_sensitive(true);
    Ok(header)
}

/// An RFC 9110 token: an http scheme or a cookie name.
fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-SENTINEL-42";

    fn key() -> Credentials {
        Credentials { api_key: Some(SecretString::new(KEY)), basic: None }
    }

    fn basic(user: &str, password: &str) -> Credentials {
        Credentials {
            api_key: None,
            basic: Some(BasicAuth { username: SecretString::new(user), password: SecretString::new(password) }),
        }
    }

    fn presented(kind: SchemeKind, credentials: &Credentials) -> Presented {
        match Presented::new(kind, credentials) {
            Ok(Some(presented)) => presented,
            Ok(None) => panic!("{kind:?}: no credential"),
            Err(e) => panic!("{kind:?}: {e}"),
        }
    }

    fn request(url: &str) -> reqwest::Request {
        reqwest::Request::new(reqwest::Method::GET, reqwest::Url::parse(url).unwrap())
    }

    #[test]
    fn basic_is_the_base64_of_user_colon_password() {
        // RFC 7617 §2's example.
        let mut req = request("https://api.example.com/a");
        presented(SchemeKind::Basic, &basic("Aladdin", "open sesame")).apply(&mut req);
        let value = &req.headers()[AUTHORIZATION];
        assert_eq!(value, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert!(value.is_sensitive());
        // A password may hold `:`; a user may not.
        let mut req = request("https://api.example.com/a");
        presented(SchemeKind::Basic, &basic("u", "p:w")).apply(&mut req);
        assert_eq!(req.headers()[AUTHORIZATION], "Basic dTpwOnc=");
        for (user, password) in [("a:b", "p"), ("u", "p\nq"), ("u\r", "p")] {
            let error = Presented::new(SchemeKind::Basic, &basic(user, password)).err();
            assert!(matches!(error, Some(ConfigError::InvalidBasicAuth)), "{user:?} {password:?}: {error:?}");
        }
        // The key does not serve basic, nor a user and password the other schemes.
        assert!(Presented::new(SchemeKind::Basic, &key()).unwrap().is_none());
        assert!(Presented::new(SchemeKind::Bearer, &basic("u", "p")).unwrap().is_none());
    }

    #[test]
    fn header_kinds_carry_the_key_where_the_spec_says() {
        for (kind, name, value) in [
            (SchemeKind::Bearer, "authorization", format!("Bearer {KEY}")),
            (SchemeKind::Http("Digest"), "authorization", format!("Digest {KEY}")),
            (SchemeKind::Http("token"), "authorization", format!("token {KEY}")),
            (SchemeKind::Header("X-Api-Key"), "x-api-key", KEY.to_string()),
        ] {
            let mut req = request("https://api.example.com/a?x=1");
            presented(kind, &key()).apply(&mut req);
            assert_eq!(req.headers()[name], value.as_str(), "{kind:?}");
            assert!(req.headers()[name].is_sensitive());
            assert_eq!(req.headers().len(), 1);
            assert_eq!(req.url().query(), Some("x=1"), "{kind:?}");
        }
        let error = Presented::new(SchemeKind::Http("Bad Scheme"), &key()).err();
        assert!(matches!(error, Some(ConfigError::InvalidSpecName { .. })), "{error:?}");
    }

    #[test]
    fn a_query_key_is_appended_encoded_to_the_query() {
        let credentials = Credentials { api_key: Some(SecretString::new("k&y=1 2")), basic: None };
        let mut req = request("https://api.example.com/a?limit=5");
        presented(SchemeKind::Query("api_key"), &credentials).apply(&mut req);
        assert_eq!(req.url().query(), Some("limit=5&api_key=k%26y%3D1+2"));
        assert!(req.headers().is_empty());
        let mut req = request("https://api.example.com/a");
        presented(SchemeKind::Query("api_key"), &key()).apply(&mut req);
        assert_eq!(req.url().query(), Some(&*format!("api_key={KEY}")));
    }

    #[test]
    fn a_cookie_key_joins_the_cookie_header() {
        let mut req = request("https://api.example.com/a");
        presented(SchemeKind::Cookie("session"), &key()).apply(&mut req);
        assert_eq!(req.headers()[COOKIE], format!("session={KEY}").as_str());
        assert!(req.headers()[COOKIE].is_sensitive());
        assert!(!format!("{req:?}").contains(KEY), "http's Debug hides a sensitive value");
        presented(SchemeKind::Cookie("other"), &key()).apply(&mut req);
        assert_eq!(req.headers()[COOKIE], format!("session={KEY}; other={KEY}").as_str());
        assert_eq!(req.headers().get_all(COOKIE).iter().count(), 1);
        assert_eq!(req.url().query(), None);

        for bad in ["a;b=c", "a b", "a\"b", ""] {
            let credentials = Credentials { api_key: Some(SecretString::new(bad)), basic: None };
            let error = Presented::new(SchemeKind::Cookie("session"), &credentials).err();
            assert!(matches!(error, Some(ConfigError::InvalidCookieKey)), "{bad:?}: {error:?}");
        }
        let error = Presented::new(SchemeKind::Cookie("a=b"), &key()).err();
        assert!(matches!(error, Some(ConfigError::InvalidSpecName { .. })), "{error:?}");
    }

    #[test]
    fn the_secrets_to_scrub_include_the_encoded_pair() {
        let secrets = basic("Aladdin", "open sesame").secrets();
        let shown: Vec<&str> = secrets.iter().map(SecretString::expose_secret).collect();
        assert_eq!(shown, ["Aladdin", "open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="]);
        assert!(!format!("{:?}", basic("Aladdin", "open sesame")).contains("Aladdin"));
    }
}
