//! The share layer's error: bad link requests, plus anything the store reports.

use chrono::{DateTime, Utc};

use crate::store::StoreError;

/// Why a link could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ShareError {
    /// The lifetime is outside what S3 allows.
    #[error(
        "a link can live from 1 second to 7 days (604,800 s); {requested} is outside that — pick a shorter or longer expiry"
    )]
    ExpiryOutOfRange {
        /// The lifetime asked for, in words.
        requested: String,
    },
    /// The lifetime could not be read.
    #[error("cannot read the expiry ({reason}) — write it like 90s, 15m, 2h, 1d or 7d: {input:?}")]
    InvalidExpiry {
        /// The text as given.
        input: String,
        /// What the parser said.
        reason: String,
    },
    /// The credentials end before the requested expiry and the caller asked to refuse such links.
    #[error(
        "the credentials in use end at {credentials_end}, before the link would (at {requested_end}); the link would stop working early — use longer-lived credentials or a shorter expiry"
    )]
    CredentialsEndFirst {
        /// When the credentials end.
        credentials_end: DateTime<Utc>,
        /// When the link was asked to end.
        requested_end: DateTime<Utc>,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
