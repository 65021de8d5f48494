//! Secrets sealed at rest: brands' payment credentials are stored encrypted with
//! AES-256-GCM (the `aes-gcm` crate, an authenticated cipher: a changed byte fails to
//! open) under keys from configuration (`PAYMENT_CREDENTIALS_KEYS`), never in the
//! database. Each sealed value names the key that sealed it, so keys rotate without
//! downtime: a new key is added to the list (every instance can then open what it seals),
//! then moved to the front (it seals from then on), and the scheduler re-seals older
//! values under it; a key leaves the list once nothing names it. Each value is bound by
//! associated data to its brand and provider (a sealed value copied to another brand's
//! row, or another provider's, does not open). A production server without a key refuses
//! to store credentials.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The id development and tests seal under when no key is configured (never production).
pub const DEVELOPMENT_KEY_ID: &str = "development";

/// Why a value could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// No key is configured: nothing can be sealed.
    #[error("no credentials key is configured")]
    NoKey,
    /// The value names a key this instance does not have.
    #[error("the credentials key {0:?} is not configured")]
    UnknownKey(String),
    /// The value does not open (changed, truncated, or bound to another row).
    #[error("the sealed value does not open")]
    Corrupt,
}

/// A sealed value: the key it names and base64 of nonce followed by ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub blob: String,
}

/// The configured keys; the first seals, all open.
#[derive(Clone, Default)]
pub struct Keyring {
    keys: Vec<(String, Aes256Gcm)>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("Keyring").field("key_ids", &ids).finish()
    }
}

impl Keyring {
    /// Parses `id:base64-of-32-bytes` entries separated by commas, the sealing key first.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut keys: Vec<(String, Aes256Gcm)> = Vec::new();
        for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (id, b64) = item
                .split_once(':')
                .ok_or_else(|| "each key is written id:base64".to_string())?;
            let id = id.trim();
            if id.is_empty()
                || id.len() > 32
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(format!("key id {id:?}: 1 to 32 letters, digits, - or _"));
            }
            let bytes = STANDARD
                .decode(b64.trim())
                .map_err(|_| format!("key {id}: not base64"))?;
            let cipher = Aes256Gcm::new_from_slice(&bytes)
                .map_err(|_| format!("key {id}: must be 32 bytes (256 bits)"))?;
            if keys.iter().any(|(k, _)| k == id) {
                return Err(format!("key id {id} is listed twice"));
            }
            keys.push((id.to_string(), cipher));
        }
        Ok(Self { keys })
    }

    /// A fixed, public key for development and tests only (`APP_ENV=development` without
    /// keys): what it seals is readable by anyone with the source.
    pub fn development() -> Self {
        Self {
            keys: vec![(
                DEVELOPMENT_KEY_ID.to_string(),
                Aes256Gcm::new(&[0x42u8; 32].into()),
            )],
        }
    }

    /// Whether any key is configured.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The ids of every configured key.
    pub fn ids(&self) -> Vec<String> {
        self.keys.iter().map(|(id, _)| id.clone()).collect()
    }

    /// The id of the key that seals.
    pub fn current_id(&self) -> Option<&str> {
        self.keys.first().map(|(id, _)| id.as_str())
    }

    /// Seals `plaintext` bound to `aad` under the current key, with a fresh random nonce.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Sealed, SealError> {
        let (id, cipher) = self.keys.first().ok_or(SealError::NoKey)?;
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ct = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| SealError::Corrupt)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(Sealed {
            key_id: id.clone(),
            blob: STANDARD.encode(out),
        })
    }

    /// Opens a value sealed under `key_id` and bound to `aad`.
    pub fn open(&self, key_id: &str, blob: &str, aad: &[u8]) -> Result<Vec<u8>, SealError> {
        let (_, cipher) = self
            .keys
            .iter()
            .find(|(id, _)| id == key_id)
            .ok_or_else(|| SealError::UnknownKey(key_id.to_string()))?;
        let bytes = STANDARD.decode(blob).map_err(|_| SealError::Corrupt)?;
        if bytes.len() < 12 + 16 {
            return Err(SealError::Corrupt);
        }
        let (nonce, ct) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| SealError::Corrupt)?;
        cipher
            .decrypt(&Nonce::from(nonce), Payload { msg: ct, aad })
            .map_err(|_| SealError::Corrupt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> String {
        STANDARD.encode([b; 32])
    }

    #[test]
    fn sealed_values_open_only_with_their_key_and_binding() {
        let ring = Keyring::parse(&format!("k1:{}", key(1))).unwrap();
        let s = ring.seal(b"sk_live_secret", b"tenant:1").unwrap();
        assert_eq!(s.key_id, "k1");
        assert!(!s.blob.contains("sk_live"));
        assert_eq!(
            ring.open("k1", &s.blob, b"tenant:1").unwrap(),
            b"sk_live_secret"
        );
        // Bound to its row.
        assert_eq!(
            ring.open("k1", &s.blob, b"tenant:2"),
            Err(SealError::Corrupt)
        );
        // A changed byte does not open.
        let mut raw = STANDARD.decode(&s.blob).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        assert_eq!(
            ring.open("k1", &STANDARD.encode(raw), b"tenant:1"),
            Err(SealError::Corrupt)
        );
        // Two seals of one value differ (fresh nonces).
        assert_ne!(
            ring.seal(b"x", b"a").unwrap().blob,
            ring.seal(b"x", b"a").unwrap().blob
        );
        assert_eq!(
            ring.open("k9", &s.blob, b"tenant:1"),
            Err(SealError::UnknownKey("k9".into()))
        );
    }

    #[test]
    fn a_new_key_in_front_seals_and_the_old_one_still_opens() {
        let old = Keyring::parse(&format!("k1:{}", key(1))).unwrap();
        let sealed_before = old.seal(b"v", b"a").unwrap();
        let rotated = Keyring::parse(&format!("k2:{}, k1:{}", key(2), key(1))).unwrap();
        assert_eq!(rotated.current_id(), Some("k2"));
        assert_eq!(rotated.open("k1", &sealed_before.blob, b"a").unwrap(), b"v");
        assert_eq!(rotated.seal(b"v", b"a").unwrap().key_id, "k2");
    }

    #[test]
    fn bad_key_lists_are_refused_and_no_key_seals_nothing() {
        assert!(Keyring::parse("k1").is_err());
        assert!(Keyring::parse("k1:nope!").is_err());
        assert!(Keyring::parse(&format!("k1:{}", STANDARD.encode([1u8; 16]))).is_err());
        assert!(Keyring::parse(&format!("k1:{},k1:{}", key(1), key(2))).is_err());
        assert!(Keyring::parse(&format!("bad id:{}", key(1))).is_err());
        let none = Keyring::parse("").unwrap();
        assert!(none.is_empty());
        assert_eq!(none.seal(b"v", b"a"), Err(SealError::NoKey));
        assert!(!format!("{:?}", Keyring::development()).contains("66"));
    }
}
