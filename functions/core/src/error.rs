use crate::id::Id;
use crate::store::StoreError;

/// Everything a request can fail with. The HTTP edge maps each variant to a status exactly once.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the paste is empty: send some text")]
    EmptyContent,
    #[error("the paste is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the paste is not UTF-8 text: only text can be pasted")]
    NotText,
    #[error("invalid {option} {value:?}: {expected}")]
    InvalidOption {
        option: &'static str,
        value: String,
        expected: String,
    },
    #[error("the content is not an encrypted paste: {0}")]
    NotSealed(String),
    #[error("this Idempotency-Key was used for a different paste: use a new key for new content")]
    IdempotencyKeyReused,
    #[error("no such paste: it may have expired or been deleted")]
    NotFound,
    #[error("this paste is deleted once read: it must be revealed explicitly")]
    BurnNeedsReveal { id: Id, encrypted: bool },
    #[error("a delete token is required")]
    MissingToken,
    #[error("the delete token does not match this paste")]
    WrongToken,
    #[error("too many requests from this address: retry in {retry_after} seconds")]
    RateLimited { retry_after: u64 },
    #[error("no free id was found after {attempts} attempts")]
    IdsExhausted { attempts: u32 },
    #[error("storage is unavailable")]
    Unavailable(#[from] StoreError),
}
