//! Access tokens: EdDSA (Ed25519) JWTs with `sub`, `tid`, `aud`, `iat`, `nbf`, `exp`, `jti`
//! and the session id `sid`, plus the JWKS document that lets internal tooling verify them.
//!
//! Only `EdDSA` is accepted; `alg: none`, HMAC or RSA headers, unknown key ids, a wrong
//! audience and expired or not-yet-valid tokens are refused.

use std::collections::HashMap;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey, spki::der::pem::LineEnding};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The issuer every token carries.
pub const ISSUER: &str = "partner-gateway";

/// The audience of tokens issued on a tenant. A token is good on that tenant only.
pub fn audience(tenant_id: i64) -> String {
    format!("tenant:{tenant_id}")
}

/// RFC 8693 actor: who is really acting when a token is used on someone else's behalf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub sub: String,
}

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    /// The user id.
    pub sub: String,
    /// The tenant id.
    pub tid: i64,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// The session (refresh-token family) the token belongs to.
    pub sid: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub act: Option<Actor>,
}

/// Why a token was refused. Deliberately coarse towards the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is malformed or its signature is invalid")]
    Invalid,
    #[error("the token has expired")]
    Expired,
    #[error("the token was issued for another tenant")]
    WrongAudience,
    #[error("the token is signed with an unknown key")]
    UnknownKey,
    #[error("the token could not be signed")]
    Signing,
}

/// Could not load or create the signing key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the signing key is not an Ed25519 PKCS#8 PEM: {0}")]
    Parse(String),
    #[error("could not read or write the key file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

struct VerifyingKey {
    key: DecodingKey,
    jwk: serde_json::Value,
}

/// The signing key and every key tokens are verified with.
pub struct JwtKeys {
    kid: String,
    encoding: EncodingKey,
    verifying: HashMap<String, VerifyingKey>,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("kid", &self.kid)
            .field("private_key", &"[redacted]")
            .finish()
    }
}

impl JwtKeys {
    /// Keys from a PKCS#8 PEM Ed25519 private key.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let signing =
            SigningKey::from_pkcs8_pem(pem.trim()).map_err(|e| KeyError::Parse(e.to_string()))?;
        Self::from_signing_key(&signing)
    }

    /// Keys from an Ed25519 signing key.
    pub fn from_signing_key(signing: &SigningKey) -> Result<Self, KeyError> {
        let pem = signing
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError::Parse(e.to_string()))?;
        let encoding =
            EncodingKey::from_ed_pem(pem.as_bytes()).map_err(|e| KeyError::Parse(e.to_string()))?;
        let x = URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes());
        let kid = thumbprint(&x);
        let key =
            DecodingKey::from_ed_components(&x).map_err(|e| KeyError::Parse(e.to_string()))?;
        let jwk = serde_json::json!({
            "kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig",
        });
        let mut verifying = HashMap::new();
        verifying.insert(kid.clone(), VerifyingKey { key, jwk });
        Ok(Self {
            kid,
            encoding,
            verifying,
        })
    }

    /// The key from the PEM given in configuration, or else a development key kept in
    /// `data_dir` (created on first use). The flag says whether the development key is used.
    pub fn load_or_generate(pem: Option<&str>, data_dir: &Path) -> Result<(Self, bool), KeyError> {
        if let Some(pem) = pem {
            return Ok((Self::from_pem(pem)?, false));
        }
        let path = data_dir.join("dev-jwt-ed25519.pem");
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(&path) {
            Ok(pem) => Ok((Self::from_pem(&pem)?, true)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let signing = SigningKey::generate(&mut rand::rngs::OsRng);
                let pem = signing
                    .to_pkcs8_pem(LineEnding::LF)
                    .map_err(|e| KeyError::Parse(e.to_string()))?;
                std::fs::create_dir_all(data_dir).map_err(io)?;
                write_private(&path, pem.as_bytes()).map_err(io)?;
                Ok((Self::from_signing_key(&signing)?, true))
            }
            Err(e) => Err(io(e)),
        }
    }

    /// A fresh random key (tests, benchmarks).
    pub fn generate() -> Self {
        let signing = SigningKey::generate(&mut rand::rngs::OsRng);
        match Self::from_signing_key(&signing) {
            Ok(k) => k,
            Err(e) => unreachable!("a freshly generated key always encodes: {e}"),
        }
    }

    /// The id of the signing key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public JWKS document.
    pub fn jwks(&self) -> serde_json::Value {
        let keys: Vec<_> = self.verifying.values().map(|k| k.jwk.clone()).collect();
        serde_json::json!({ "keys": keys })
    }

    /// Signs claims.
    pub fn sign(&self, claims: &Claims) -> Result<String, TokenError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(|_| TokenError::Signing)
    }

    /// Verifies a token for the tenant `tenant_id` and returns its claims.
    pub fn verify(&self, token: &str, tenant_id: i64) -> Result<Claims, TokenError> {
        // Parsing the header refuses `alg: none` and algorithms this library does not know.
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Invalid);
        }
        let kid = header.kid.ok_or(TokenError::UnknownKey)?;
        let key = self.verifying.get(&kid).ok_or(TokenError::UnknownKey)?;
        let mut v = Validation::new(Algorithm::EdDSA);
        v.set_audience(&[audience(tenant_id)]);
        v.set_issuer(&[ISSUER]);
        v.set_required_spec_claims(&["exp", "nbf", "iat", "aud", "iss", "sub"]);
        v.validate_nbf = true;
        v.leeway = 5;
        let data = jsonwebtoken::decode::<Claims>(token, &key.key, &v).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::InvalidAudience => TokenError::WrongAudience,
                _ => TokenError::Invalid,
            }
        })?;
        if data.claims.tid != tenant_id {
            return Err(TokenError::WrongAudience);
        }
        Ok(data.claims)
    }
}

impl JwtKeys {
    /// Signs the claims of a long-lived link (one-click unsubscribe): `aud` is
    /// `link:<purpose>:<tenant>`, so such a token never passes as an access token (whose
    /// audience is `tenant:<id>`), nor as a link of another purpose or tenant.
    pub fn sign_link(
        &self,
        purpose: &str,
        tenant_id: i64,
        sub: &str,
        data: &str,
    ) -> Result<String, TokenError> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        let claims = LinkClaims {
            iss: ISSUER.into(),
            aud: link_audience(purpose, tenant_id),
            sub: sub.into(),
            data: data.into(),
        };
        jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(|_| TokenError::Signing)
    }

    /// Verifies a link signed by [`JwtKeys::sign_link`] for `purpose` on `tenant_id`;
    /// answers its `(sub, data)`.
    pub fn verify_link(
        &self,
        purpose: &str,
        tenant_id: i64,
        token: &str,
    ) -> Result<(String, String), TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.alg != Algorithm::EdDSA {
            return Err(TokenError::Invalid);
        }
        let kid = header.kid.ok_or(TokenError::UnknownKey)?;
        let key = self.verifying.get(&kid).ok_or(TokenError::UnknownKey)?;
        let mut v = Validation::new(Algorithm::EdDSA);
        v.set_audience(&[link_audience(purpose, tenant_id)]);
        v.set_issuer(&[ISSUER]);
        v.set_required_spec_claims(&["aud", "iss", "sub"]);
        v.validate_exp = false;
        let data = jsonwebtoken::decode::<LinkClaims>(token, &key.key, &v)
            .map_err(|_| TokenError::Invalid)?;
        Ok((data.claims.sub, data.claims.data))
    }
}

fn link_audience(purpose: &str, tenant_id: i64) -> String {
    format!("link:{purpose}:{tenant_id}")
}

/// The claims of a signed link.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LinkClaims {
    iss: String,
    aud: String,
    sub: String,
    data: String,
}

/// RFC 7638 JWK thumbprint of an Ed25519 public key.
fn thumbprint(x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)?.write_all(bytes)
}

/// A random opaque token (refresh tokens, one-time links): 256 bits, URL-safe.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// How opaque tokens are stored: SHA-256, hex. They carry 256 bits of entropy, so a fast
/// hash is enough and lets the database look them up by an index.
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_tokens_are_bound_to_purpose_and_tenant() {
        let keys = JwtKeys::generate();
        let t = keys
            .sign_link("unsubscribe", 7, "42", "LINE_EXPIRING")
            .unwrap();
        assert_eq!(
            keys.verify_link("unsubscribe", 7, &t).unwrap(),
            ("42".to_string(), "LINE_EXPIRING".to_string())
        );
        assert_eq!(
            keys.verify_link("unsubscribe", 8, &t),
            Err(TokenError::Invalid)
        );
        assert_eq!(keys.verify_link("other", 7, &t), Err(TokenError::Invalid));
        // Never an access token.
        assert!(keys.verify(&t, 7).is_err());
        // Another key's signature is refused.
        assert!(
            JwtKeys::generate()
                .verify_link("unsubscribe", 7, &t)
                .is_err()
        );
        let mut forged = t.clone();
        forged.push('x');
        assert!(keys.verify_link("unsubscribe", 7, &forged).is_err());
    }

    fn claims(tid: i64, exp_in: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            iss: ISSUER.into(),
            sub: "1".into(),
            tid,
            aud: audience(tid),
            iat: now,
            nbf: now,
            exp: now + exp_in,
            jti: "j".into(),
            sid: 1,
            act: None,
        }
    }

    #[test]
    fn round_trip_and_refusals() {
        let keys = JwtKeys::generate();
        let token = keys.sign(&claims(1, 60)).unwrap();
        assert_eq!(keys.verify(&token, 1).unwrap().tid, 1);
        assert_eq!(keys.verify(&token, 2), Err(TokenError::WrongAudience));
        let expired = keys.sign(&claims(1, -120)).unwrap();
        assert_eq!(keys.verify(&expired, 1), Err(TokenError::Expired));
        let other = JwtKeys::generate();
        assert_eq!(other.verify(&token, 1), Err(TokenError::UnknownKey));
    }

    #[test]
    fn key_file_is_created_once_and_reused() {
        let dir = std::env::temp_dir().join(format!("pgw-keys-{}", uuid::Uuid::new_v4()));
        let (a, dev_a) = JwtKeys::load_or_generate(None, &dir).unwrap();
        let (b, dev_b) = JwtKeys::load_or_generate(None, &dir).unwrap();
        assert!(dev_a && dev_b);
        assert_eq!(a.kid(), b.kid());
        let jwks = a.jwks();
        assert_eq!(jwks["keys"][0]["kty"], "OKP");
        assert_eq!(jwks["keys"][0]["kid"], a.kid());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn debug_never_prints_the_private_key() {
        let keys = JwtKeys::generate();
        let shown = format!("{keys:?}");
        assert!(shown.contains("[redacted]"));
        assert!(!shown.contains("PRIVATE"));
    }

    #[test]
    fn token_hash_is_stable_hex() {
        let t = random_token();
        assert_eq!(t.len(), 43);
        assert_eq!(hash_token(&t), hash_token(&t));
        assert_eq!(hash_token("abc").len(), 64);
    }
}
