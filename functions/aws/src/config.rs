use pastebin_core::{ConfigError, Env, vars};

/// Settings of the AWS adapter. The endpoint, region and credentials are the SDK's own
/// (`AWS_ENDPOINT_URL`, `AWS_REGION`, …) and are not read here.
#[derive(Clone)]
pub struct AwsSettings {
    pub table: String,
    pub bucket: String,
    /// Names S3 bodies; only a runtime that creates pastes needs it (and is given it).
    pub hash_key: Option<Vec<u8>>,
    /// Bodies larger than this many bytes go to S3.
    pub inline_max_bytes: u64,
    /// Create the table (with TTL and stream) and the bucket if missing.
    pub create_resources: bool,
}

impl std::fmt::Debug for AwsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsSettings")
            .field("table", &self.table)
            .field("bucket", &self.bucket)
            .field("hash_key", &"<redacted>")
            .field("inline_max_bytes", &self.inline_max_bytes)
            .field("create_resources", &self.create_resources)
            .finish()
    }
}

impl AwsSettings {
    /// 16 KiB: where inline and S3 cost about the same (see the README's table design):
    /// DynamoDB on-demand bills a write unit per 1 KB, so a 16 KiB inline body costs 16 write
    /// units, about what an S3 PUT plus the reference-count update costs.
    pub const DEFAULT_INLINE_MAX_BYTES: u64 = 16 * 1024;
    /// DynamoDB items are capped at 400 KB; leave room for the other attributes.
    pub const MAX_INLINE_MAX_BYTES: u64 = 350 * 1000;
    /// The content hash secret must be long enough not to be guessed.
    pub const MIN_HASH_KEY_LEN: usize = 32;

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(&lookup);
        let required = |var: &'static str| {
            env.get(var).ok_or_else(|| ConfigError {
                var,
                value: String::new(),
                reason: "required for the aws store".to_owned(),
            })
        };
        let table = required(vars::TABLE)?;
        let bucket = required(vars::BUCKET)?;
        let hash_key = env.get(vars::HASH_KEY);
        if hash_key
            .as_ref()
            .is_some_and(|k| k.len() < Self::MIN_HASH_KEY_LEN)
        {
            return Err(ConfigError {
                var: vars::HASH_KEY,
                value: "<redacted>".to_owned(),
                reason: format!(
                    "must be at least {} characters of secret (e.g. `openssl rand -hex 32`)",
                    Self::MIN_HASH_KEY_LEN
                ),
            });
        }
        let inline_max_bytes =
            env.number(vars::INLINE_MAX_BYTES, Self::DEFAULT_INLINE_MAX_BYTES)?;
        if inline_max_bytes > Self::MAX_INLINE_MAX_BYTES {
            return Err(ConfigError {
                var: vars::INLINE_MAX_BYTES,
                value: inline_max_bytes.to_string(),
                reason: format!(
                    "must be at most {} (DynamoDB items are limited to 400 KB)",
                    Self::MAX_INLINE_MAX_BYTES
                ),
            });
        }
        Ok(Self {
            table,
            bucket,
            hash_key: hash_key.map(String::into_bytes),
            inline_max_bytes,
            create_resources: env.flag(vars::CREATE_RESOURCES, false)?,
        })
    }

    /// The deployment's secret for derived ids and tokens (idempotent creates), from the hash
    /// key under its own label; a runtime without the key (it does not create) gets its own.
    pub fn server_secret(&self) -> pastebin_core::ServerSecret {
        match &self.hash_key {
            // Keyed by the label, not by the hash key: body names are HMACs under the hash
            // key, and no paste's text may ever name the secret.
            Some(key) => pastebin_core::ServerSecret::new(
                pastebin_core::content_key(b"pastebin server secret v1", key).as_bytes(),
            ),
            None => pastebin_core::ServerSecret::random(),
        }
    }

    /// For a runtime that creates pastes: the hash key must be there.
    pub fn require_hash_key(&self) -> Result<(), ConfigError> {
        match self.hash_key {
            Some(_) => Ok(()),
            None => Err(ConfigError {
                var: vars::HASH_KEY,
                value: String::new(),
                reason: "required to create pastes on the aws store".to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<AwsSettings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        AwsSettings::from_lookup(|n| map.get(n).cloned())
    }

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn table_and_bucket_are_required_and_the_hash_key_by_creators() {
        assert_eq!(settings(&[]).unwrap_err().var, "PASTEBIN_TABLE");
        assert_eq!(
            settings(&[("PASTEBIN_TABLE", "t")]).unwrap_err().var,
            "PASTEBIN_BUCKET"
        );
        let reader = settings(&[("PASTEBIN_TABLE", "t"), ("PASTEBIN_BUCKET", "b")]).unwrap();
        assert_eq!(
            reader.require_hash_key().unwrap_err().var,
            "PASTEBIN_HASH_KEY"
        );
        let short = settings(&[
            ("PASTEBIN_TABLE", "t"),
            ("PASTEBIN_BUCKET", "b"),
            ("PASTEBIN_HASH_KEY", "short"),
        ])
        .unwrap_err();
        assert_eq!(short.var, "PASTEBIN_HASH_KEY");
        assert!(
            !short.to_string().contains("short"),
            "the secret is never echoed"
        );
    }

    #[test]
    fn defaults_and_bounds() {
        let s = settings(&[
            ("PASTEBIN_TABLE", "t"),
            ("PASTEBIN_BUCKET", "b"),
            ("PASTEBIN_HASH_KEY", KEY),
        ])
        .unwrap();
        assert_eq!((s.inline_max_bytes, s.create_resources), (16 * 1024, false));
        let err = settings(&[
            ("PASTEBIN_TABLE", "t"),
            ("PASTEBIN_BUCKET", "b"),
            ("PASTEBIN_HASH_KEY", KEY),
            ("PASTEBIN_INLINE_MAX_BYTES", "500000"),
        ])
        .unwrap_err();
        assert_eq!(err.var, "PASTEBIN_INLINE_MAX_BYTES");
        let err = settings(&[
            ("PASTEBIN_TABLE", "t"),
            ("PASTEBIN_BUCKET", "b"),
            ("PASTEBIN_HASH_KEY", KEY),
            ("PASTEBIN_CREATE_RESOURCES", "maybe"),
        ])
        .unwrap_err();
        assert_eq!(err.var, "PASTEBIN_CREATE_RESOURCES");
    }
}
