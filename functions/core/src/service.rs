use std::net::IpAddr;
use std::sync::Arc;

use crate::error::Error;
use crate::id::Id;
use crate::idempotency::{IDEMPOTENCY_WINDOW, IdempotencyKey, ServerSecret};
use crate::limits::Limits;
use crate::options::{CreateRequest, Lifetime, Syntax, Title};
use crate::paste::{Created, Paste};
use crate::rate_limit::{ClientKey, RateClass, RateLimiter, RateLimits};
use crate::sealed::check_sealed;
use crate::store::{DeleteOutcome, InsertOutcome, PasteStore, StoreError};
use crate::time::{Clock, UnixTime};
use crate::token::{DeleteToken, TokenHash};

/// How many fresh ids a create tries before giving up. With 2^59.5 ids a second collision in a
/// row is already beyond any realistic table size; the bound only stops a broken store looping.
const ID_ATTEMPTS: u32 = 5;

/// The product's rules, over whichever store and clock a runtime plugs in.
#[derive(Clone)]
pub struct Pastebin {
    store: Arc<dyn PasteStore>,
    limiter: Arc<dyn RateLimiter>,
    clock: Arc<dyn Clock>,
    limits: Limits,
    rates: RateLimits,
    secret: ServerSecret,
}

impl Pastebin {
    pub fn new(
        store: Arc<dyn PasteStore>,
        limiter: Arc<dyn RateLimiter>,
        clock: Arc<dyn Clock>,
        limits: Limits,
        rates: RateLimits,
    ) -> Self {
        Self {
            store,
            limiter,
            clock,
            limits,
            rates,
            secret: ServerSecret::random(),
        }
    }

    /// The deployment's secret, for what every instance must derive alike (idempotent creates);
    /// without it each process has its own.
    #[must_use]
    pub fn with_secret(mut self, secret: ServerSecret) -> Self {
        self.secret = secret;
        self
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn now(&self) -> UnixTime {
        self.clock.now()
    }

    /// Counts a request against the client's allowance for `class`.
    ///
    /// If the limiter's own storage fails the request is let through: refusing service because
    /// the counter is unavailable would turn a partial outage into a total one.
    pub async fn admit(&self, client: IpAddr, class: RateClass) -> Result<(), Error> {
        let limit = self.rates.per_minute(class);
        if limit == 0 {
            return Ok(());
        }
        match self
            .limiter
            .check(ClientKey::of(client), class, limit, self.clock.now())
            .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(limited)) => Err(Error::RateLimited {
                retry_after: limited.retry_after,
            }),
            Err(e) => {
                tracing::warn!(error = %e, class = class.as_str(), "rate limiter unavailable; admitting request");
                Ok(())
            }
        }
    }

    /// Stores a create under a fresh id. Its options were validated as they were decoded; the
    /// content is checked here, and the defaults applied.
    pub async fn create(&self, req: CreateRequest) -> Result<Created, Error> {
        self.create_retry_safe(req, None).await
    }

    /// A create; with the client's idempotency key (and address), a retry of it within
    /// [`IDEMPOTENCY_WINDOW`] answers the paste the first one made — same id, same delete token —
    /// and a reuse of the key for anything else is refused.
    pub async fn create_retry_safe(
        &self,
        req: CreateRequest,
        key: Option<(&IdempotencyKey, IpAddr)>,
    ) -> Result<Created, Error> {
        let (mut paste, mut token) = self.new_paste(req)?;
        // Not for burn pastes: a retry after the reveal would make the paste again under the
        // link its reader used, to be read twice. A retry makes a second paste instead.
        if let Some((key, client)) = key.filter(|_| !paste.burn_after_reading) {
            let (id, derived) = key.derive(&self.secret, ClientKey::of(client), &digest(&paste));
            paste.id = id;
            paste.delete_token_hash = derived.hash();
            if self.store.insert(&paste).await? == InsertOutcome::Inserted {
                return Ok(created(&paste, derived));
            }
            let now = self.clock.now();
            match self.store.get(&paste.id).await? {
                Some(first)
                    if !first.is_expired(now)
                        && now < first.created_at.saturating_add(IDEMPOTENCY_WINDOW) =>
                {
                    if !same_request(&first, &paste) {
                        return Err(Error::IdempotencyKeyReused);
                    }
                    tracing::info!(paste_id = %first.id, "retried create answered with its paste");
                    return Ok(created(&first, derived));
                }
                // The key's paste is past the window, or gone: the key no longer applies.
                _ => {
                    paste.id = Id::generate();
                    token = DeleteToken::generate();
                    paste.delete_token_hash = token.hash();
                }
            }
        }
        for attempt in 1..=ID_ATTEMPTS {
            match self.store.insert(&paste).await? {
                InsertOutcome::Inserted => return Ok(created(&paste, token)),
                InsertOutcome::IdTaken => {
                    tracing::warn!(attempt, "id collision; drawing another");
                    paste.id = Id::generate();
                }
            }
        }
        Err(Error::IdsExhausted {
            attempts: ID_ATTEMPTS,
        })
    }

    /// The paste a create asks for, checked, with the defaults applied, under a random id and
    /// delete token.
    fn new_paste(&self, req: CreateRequest) -> Result<(Paste, DeleteToken), Error> {
        if req.content.is_empty() {
            return Err(Error::EmptyContent);
        }
        if req.content.len() as u64 > self.limits.max_bytes {
            return Err(Error::TooLarge {
                limit: self.limits.max_bytes,
            });
        }
        let content = String::from_utf8(req.content).map_err(|_| Error::NotText)?;
        let options = req.options;
        let lifetime = options
            .expires_in
            .map_or(self.limits.default_expiry, Lifetime::duration);
        let burn = options.burn_after_reading.unwrap_or(false);
        let encrypted = options.encrypted.unwrap_or(false);
        if encrypted {
            check_sealed(&content)?;
            // Sent beside the ciphertext they would be stored in the clear: refused, not dropped,
            // so that a client learns its metadata belongs inside the envelope.
            let clear = |option: &'static str, value: String| Error::InvalidOption {
                option,
                value,
                expected: "nothing on an encrypted paste: it belongs inside the ciphertext"
                    .to_owned(),
            };
            if let Some(title) = &options.title {
                return Err(clear("title", title.as_str().chars().take(40).collect()));
            }
            if let Some(syntax) = options.syntax {
                let name = syntax.language().map_or("text", |l| l.name);
                return Err(clear("syntax", name.to_owned()));
            }
        }

        let token = DeleteToken::generate();
        let created_at = self.clock.now();
        let paste = Paste {
            id: Id::generate(),
            content: content.into(),
            syntax: options
                .syntax
                .and_then(Syntax::language)
                .map(|l| l.name.to_owned()),
            title: options.title.map(Title::into_string),
            burn_after_reading: burn,
            encrypted,
            created_at,
            expires_at: created_at.saturating_add(lifetime),
            delete_token_hash: token.hash(),
        };
        Ok((paste, token))
    }

    /// A paste for reading. Burn-after-reading pastes are only handed out by [`Self::reveal`].
    pub async fn read(&self, id: &Id) -> Result<Paste, Error> {
        let paste = self.live(id).await?;
        if paste.burn_after_reading {
            return Err(Error::BurnNeedsReveal {
                id: paste.id,
                encrypted: paste.encrypted,
            });
        }
        Ok(paste)
    }

    /// Metadata of a live paste without consuming it (used by the burn interstitial).
    pub async fn peek(&self, id: &Id) -> Result<Paste, Error> {
        self.live(id).await
    }

    /// Consumes a burn-after-reading paste: of any number of concurrent reveals, one succeeds.
    /// Revealing an ordinary paste just reads it.
    pub async fn reveal(&self, id: &Id) -> Result<Paste, Error> {
        if let Some(paste) = self.store.take_burn(id, self.clock.now()).await? {
            return Ok(paste);
        }
        match self.live(id).await {
            Ok(paste) if !paste.burn_after_reading => Ok(paste),
            // A burn paste that take_burn did not return was consumed in between.
            Ok(_) | Err(Error::NotFound) => Err(Error::NotFound),
            Err(e) => Err(e),
        }
    }

    /// Deletes with the creator's token. The paste is untouched unless the token matches.
    pub async fn delete(&self, id: &Id, token: Option<&str>) -> Result<(), Error> {
        let token = token
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(Error::MissingToken)?;
        match self
            .store
            .delete(id, &TokenHash::of(token), self.clock.now())
            .await?
        {
            DeleteOutcome::Deleted => Ok(()),
            DeleteOutcome::WrongToken => Err(Error::WrongToken),
            DeleteOutcome::NotFound => Err(Error::NotFound),
        }
    }

    pub async fn health(&self) -> Result<(), StoreError> {
        self.store.ping().await
    }

    pub async fn sweep_expired(&self) -> Result<u64, StoreError> {
        self.store.sweep_expired(self.clock.now()).await
    }

    async fn live(&self, id: &Id) -> Result<Paste, Error> {
        let now = self.clock.now();
        match self.store.get(id).await? {
            Some(paste) if !paste.is_expired(now) => Ok(paste),
            _ => Err(Error::NotFound),
        }
    }
}

/// What a successful create answers.
fn created(paste: &Paste, token: DeleteToken) -> Created {
    Created {
        size: paste.size(),
        id: paste.id.clone(),
        delete_token: token,
        created_at: paste.created_at,
        expires_at: paste.expires_at,
        burn_after_reading: paste.burn_after_reading,
        encrypted: paste.encrypted,
    }
}

/// Whether `retry` asks for the paste `first` is: the same text and options, the same lifetime.
fn same_request(first: &Paste, retry: &Paste) -> bool {
    first.content == retry.content
        && first.syntax == retry.syntax
        && first.title == retry.title
        && first.burn_after_reading == retry.burn_after_reading
        && first.encrypted == retry.encrypted
        && first.created_at.until(first.expires_at) == retry.created_at.until(retry.expires_at)
}

/// What a create asked for, as bytes for the derivation of its token: the content and every
/// option that `same_request` compares.
fn digest(paste: &Paste) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [
        paste.content.as_bytes(),
        paste.syntax.as_deref().unwrap_or("").as_bytes(),
        paste.title.as_deref().unwrap_or("").as_bytes(),
    ] {
        h.update(u64::try_from(part.len()).unwrap_or(u64::MAX).to_be_bytes());
        h.update(part);
    }
    h.update([
        u8::from(paste.syntax.is_some()),
        u8::from(paste.title.is_some()),
        u8::from(paste.burn_after_reading),
        u8::from(paste.encrypted),
    ]);
    h.update(paste.created_at.until(paste.expires_at).to_be_bytes());
    h.finalize().to_vec()
}
