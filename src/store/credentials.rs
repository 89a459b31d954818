//! One cache of the credentials in use: the SDK's clients sign with it, and link presigning
//! reads the very same snapshot to know when the credentials (and so the links) end.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};

use super::StoreError;

/// Credentials are refreshed this long before they expire.
const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// A caching wrapper around a credentials provider (the AWS default chain, a profile, or static keys).
#[derive(Debug, Clone)]
pub struct CredentialsCache {
    inner: Arc<CacheInner>,
}

#[derive(Debug)]
struct CacheInner {
    provider: SharedCredentialsProvider,
    current: tokio::sync::Mutex<Option<Credentials>>,
}

impl CredentialsCache {
    /// Wraps `provider`; nothing is resolved until first use.
    pub fn new(provider: SharedCredentialsProvider) -> Self {
        CredentialsCache { inner: Arc::new(CacheInner { provider, current: tokio::sync::Mutex::new(None) }) }
    }

    /// The current credentials, resolved or refreshed as needed.
    ///
    /// Fails with [`StoreError::CredentialsExpired`] when the source only hands out expired credentials.
    pub async fn current(&self) -> Result<Credentials, StoreError> {
        let mut slot = self.inner.current.lock().await;
        let now = SystemTime::now();
        if let Some(creds) = slot.as_ref()
            && is_fresh(creds, now + REFRESH_MARGIN)
        {
            return Ok(creds.clone());
        }
        let resolved = self.inner.provider.provide_credentials().await.map_err(|e| classify_credentials_error(&e))?;
        if !is_fresh(&resolved, now) {
            return Err(StoreError::CredentialsExpired);
        }
        *slot = Some(resolved.clone());
        Ok(resolved)
    }
}

fn is_fresh(creds: &Credentials, at: SystemTime) -> bool {
    creds.expiry().is_none_or(|end| end > at)
}

impl ProvideCredentials for CredentialsCache {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move { self.current().await.map_err(CredentialsError::provider_error) })
    }
}

/// Turns a provider failure into the store's error kinds. Provider messages never hold secrets.
pub(crate) fn classify_credentials_error(err: &CredentialsError) -> StoreError {
    match err {
        CredentialsError::CredentialsNotLoaded(_) => StoreError::NoCredentials,
        other => {
            let mut reason = other.to_string();
            let mut source = std::error::Error::source(other);
            while let Some(s) = source {
                reason = format!("{reason}: {s}");
                source = s.source();
            }
            StoreError::CredentialsUnavailable { reason }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn expired_credentials_are_refused() {
        let expired =
            Credentials::new("AKID", "secret", None, Some(SystemTime::now() - Duration::from_secs(1)), "test");
        let cache = CredentialsCache::new(SharedCredentialsProvider::new(expired));
        assert!(matches!(cache.current().await, Err(StoreError::CredentialsExpired)));
    }

    #[tokio::test]
    async fn static_credentials_are_cached() {
        let creds = Credentials::new("AKID", "hidden-value-42", None, None, "test");
        let cache = CredentialsCache::new(SharedCredentialsProvider::new(creds));
        let first = cache.current().await.unwrap();
        assert_eq!(first.access_key_id(), "AKID");
        assert!(first.expiry().is_none());
        // Debug output of the cache never shows the secret.
        assert!(!format!("{cache:?}").contains("hidden-value-42"));
    }
}
