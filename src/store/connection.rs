//! Connecting to S3: the AWS config chain, custom endpoints, per-region clients and bucket-region discovery.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::{IdentityCache, Region, RequestChecksumCalculation};

use aws_smithy_async::time::SharedTimeSource;

use super::credentials::CredentialsCache;
use super::error::CallContext;
use super::server_clock::ServerClock;
use super::{StoreError, validate_bucket_name};

/// Longest wait for a TCP (and TLS) connection.
pub const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Longest wait for the first byte of an answer once a request is sent.
pub const FIRST_BYTE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// The region used when neither the user nor the AWS config names one.
pub const FALLBACK_REGION: &str = "us-east-1";

/// How to connect: which profile, region and endpoint. Holds no secret of its own; an explicit
/// credentials provider (typed keys, tests) is optional and redacts itself in Debug output.
#[derive(Debug, Clone, Default)]
pub struct ConnectionConfig {
    /// A profile of `~/.aws/config`; `None` means the default chain (`AWS_PROFILE` or `default`).
    pub profile: Option<String>,
    /// The region for calls before a bucket's own region is known; `None` means the config chain's.
    pub region: Option<String>,
    /// A custom S3-compatible endpoint (MinIO, R2, Garage…); `None` means the chain's (`AWS_ENDPOINT_URL`) or AWS.
    pub endpoint_url: Option<String>,
    /// Path-style addressing; `None` means on for custom endpoints, off for AWS.
    pub path_style: Option<bool>,
    /// Credentials to use instead of the AWS chain.
    pub credentials: Option<SharedCredentialsProvider>,
    /// Read profiles from these files instead of `~/.aws/config` and `~/.aws/credentials`.
    pub profile_files: Option<ProfileFiles>,
    /// How long to wait for the first byte of an answer; `None` means [`FIRST_BYTE_TIMEOUT`].
    pub first_byte_timeout: Option<std::time::Duration>,
    /// This computer's clock; `None` means the system clock (tests give a skewed one).
    pub time_source: Option<SharedTimeSource>,
}

/// Where AWS profiles are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFiles {
    /// The config file (`~/.aws/config`).
    pub config: std::path::PathBuf,
    /// The credentials file (`~/.aws/credentials`).
    pub credentials: std::path::PathBuf,
}

impl ProfileFiles {
    /// The same files as aws-config's loader.
    pub fn to_env_config_files(&self) -> aws_runtime::env_config::file::EnvConfigFiles {
        use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
        EnvConfigFiles::builder()
            .with_file(EnvConfigFileKind::Config, &self.config)
            .with_file(EnvConfigFileKind::Credentials, &self.credentials)
            .build()
    }
}

/// A connection to one S3 service. Cheap to clone; every clone shares clients and caches.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<StoreInner>,
}

#[derive(Debug)]
struct StoreInner {
    /// Client config with everything but the region.
    base: aws_sdk_s3::config::Builder,
    default_region: String,
    endpoint: Option<String>,
    credentials: CredentialsCache,
    clients: Mutex<HashMap<String, Client>>,
    bucket_regions: Mutex<HashMap<String, String>>,
    presigners: Mutex<Option<PresignClients>>,
    clock: ServerClock,
    time_source: SharedTimeSource,
}

/// Clients that sign with one fixed snapshot of the credentials, so a link's real end is known.
#[derive(Debug)]
struct PresignClients {
    credentials: Credentials,
    by_region: HashMap<String, Client>,
}

impl Store {
    /// Loads the AWS configuration chain with the given overrides. No network call is made.
    pub async fn connect(config: ConnectionConfig) -> Result<Self, StoreError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(profile) = &config.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &config.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &config.endpoint_url {
            validate_endpoint_url(url)?;
            loader = loader.endpoint_url(url);
        }
        if let Some(files) = &config.profile_files {
            loader = loader.profile_files(files.to_env_config_files());
        }
        if let Some(provider) = config.credentials.clone() {
            loader = loader.credentials_provider(provider);
        }
        if let Some(time_source) = config.time_source.clone() {
            loader = loader.time_source(time_source);
        }
        let sdk = loader.load().await;
        let provider = sdk.credentials_provider().ok_or(StoreError::NoCredentials)?;
        let credentials = CredentialsCache::new(provider);
        let endpoint = sdk.endpoint_url().map(str::to_owned);
        if let Some(url) = &endpoint {
            validate_endpoint_url(url)?;
        }
        let path_style = config.path_style.unwrap_or(endpoint.is_some());
        let default_region = sdk.region().map_or_else(|| FALLBACK_REGION.to_owned(), |r| r.to_string());
        let clock = ServerClock::default();
        let time_source = sdk.time_source().unwrap_or_default();
        let base = aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(path_style)
            .interceptor(clock.interceptor())
            // Keep checksum headers out of requests that do not need them (presigned PUTs must
            // carry no header the uploader would have to reproduce; aws-sdk-rust#1253).
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .credentials_provider(credentials.clone())
            // Our cache is the one cache: the SDK must not hold a second, unseen copy.
            .identity_cache(IdentityCache::no_cache())
            // A server that has the whole request and says nothing for this long is stuck (seen:
            // Garage under SQLite lock contention held an UploadPart forever). The attempt then
            // fails as a timeout and is retried, instead of hanging the transfer.
            .timeout_config(
                aws_smithy_types::timeout::TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .read_timeout(config.first_byte_timeout.unwrap_or(FIRST_BYTE_TIMEOUT))
                    .build(),
            );
        Ok(Store {
            inner: Arc::new(StoreInner {
                base,
                default_region,
                endpoint,
                credentials,
                clients: Mutex::default(),
                bucket_regions: Mutex::default(),
                presigners: Mutex::default(),
                clock,
                time_source,
            }),
        })
    }

    /// The custom endpoint in use, if any.
    pub fn endpoint(&self) -> Option<&str> {
        self.inner.endpoint.as_deref()
    }

    /// The region used before a bucket's own region is known.
    pub fn default_region(&self) -> &str {
        &self.inner.default_region
    }

    /// The credentials currently in use (resolved on first call). Their `Debug` output redacts the secret.
    pub async fn credentials(&self) -> Result<Credentials, StoreError> {
        self.inner.credentials.current().await
    }

    /// This computer's time (from the configured time source).
    pub fn now(&self) -> std::time::SystemTime {
        self.inner.time_source.now()
    }

    /// How far the server's clock is ahead of this computer's (negative: behind), once known, and only
    /// when the difference matters (more than 30 s). Links are signed with the server's time then.
    pub fn clock_skew(&self) -> Option<chrono::Duration> {
        self.inner.clock.skew()
    }

    /// `local` moved onto the server's clock when the two disagree.
    pub(crate) fn server_time(&self, local: std::time::SystemTime) -> std::time::SystemTime {
        self.inner.clock.server_time(local)
    }

    pub(crate) fn context(&self, operation: &'static str) -> CallContext<'_> {
        CallContext::new(operation).endpoint(self.endpoint())
    }

    /// The client for `region`, built once and reused (one connection pool per region).
    pub(crate) fn client_for_region(&self, region: &str) -> Client {
        let mut clients = self.inner.clients.lock().unwrap_or_else(|p| p.into_inner());
        clients
            .entry(region.to_owned())
            .or_insert_with(|| {
                Client::from_conf(self.inner.base.clone().region(Region::new(region.to_owned())).build())
            })
            .clone()
    }

    /// The client to use for `bucket`, in the bucket's own region.
    pub(crate) async fn client_for_bucket(&self, bucket: &str) -> Result<Client, StoreError> {
        let region = self.bucket_region(bucket).await?;
        Ok(self.client_for_region(&region))
    }

    /// A client that signs with exactly `credentials`, for presigning in `region`.
    pub(crate) async fn presign_client(&self, bucket: &str) -> Result<(Client, Credentials), StoreError> {
        let region = self.bucket_region(bucket).await?;
        let credentials = self.inner.credentials.current().await?;
        let mut slot = self.inner.presigners.lock().unwrap_or_else(|p| p.into_inner());
        let same_snapshot = slot.as_ref().is_some_and(|p| same_credentials(&p.credentials, &credentials));
        if !same_snapshot {
            *slot = Some(PresignClients { credentials: credentials.clone(), by_region: HashMap::new() });
        }
        let presigners = slot.as_mut().expect("just filled");
        let client = presigners
            .by_region
            .entry(region.clone())
            .or_insert_with(|| {
                Client::from_conf(
                    self.inner
                        .base
                        .clone()
                        .region(Region::new(region))
                        .credentials_provider(credentials.clone())
                        .build(),
                )
            })
            .clone();
        Ok((client, credentials))
    }

    /// The bucket's region: asked once with HeadBucket (`x-amz-bucket-region`), then cached.
    ///
    /// Fails with [`StoreError::NoSuchBucket`] when the bucket does not exist. Servers that do not
    /// report a region (many S3-compatible stores) get the connection's default region.
    pub async fn bucket_region(&self, bucket: &str) -> Result<String, StoreError> {
        validate_bucket_name(bucket)?;
        if let Some(region) = self.inner.bucket_regions.lock().unwrap_or_else(|p| p.into_inner()).get(bucket) {
            return Ok(region.clone());
        }
        let client = self.client_for_region(&self.inner.default_region);
        let region = match client.head_bucket().bucket(bucket).send().await {
            Ok(out) => out.bucket_region().map(str::to_owned),
            Err(err) => {
                let header = err.raw_response().and_then(|r| r.headers().get("x-amz-bucket-region")).map(str::to_owned);
                let status = err.raw_response().map(|r| r.status().as_u16());
                match (header, status) {
                    (Some(region), _) => Some(region),
                    // Not allowed to HeadBucket, but perhaps to get objects: carry on in the default region.
                    (None, Some(403)) => None,
                    _ => return Err(self.context("open bucket").bucket(bucket).classify(err)),
                }
            }
        };
        let region = region.filter(|r| !r.is_empty()).unwrap_or_else(|| self.inner.default_region.clone());
        self.inner.bucket_regions.lock().unwrap_or_else(|p| p.into_inner()).insert(bucket.to_owned(), region.clone());
        Ok(region)
    }
}

fn same_credentials(a: &Credentials, b: &Credentials) -> bool {
    a.access_key_id() == b.access_key_id() && a.session_token() == b.session_token() && a.expiry() == b.expiry()
}

/// Checks that an endpoint is an absolute http(s) URL with a host (an explicit port is fine).
pub fn validate_endpoint_url(url: &str) -> Result<(), StoreError> {
    let invalid = |reason: &str| StoreError::InvalidEndpoint { url: url.to_owned(), reason: reason.to_owned() };
    let uri: http::Uri = url.parse().map_err(|e: http::uri::InvalidUri| invalid(&e.to_string()))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(_) => return Err(invalid("the scheme must be http or https")),
        None => return Err(invalid("the scheme (http:// or https://) is missing")),
    }
    match uri.host() {
        Some(h) if !h.is_empty() => Ok(()),
        _ => Err(invalid("the host is missing")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls() {
        assert!(validate_endpoint_url("http://127.0.0.1:9000").is_ok());
        assert!(validate_endpoint_url("https://s3.eu-central-003.backblazeb2.com").is_ok());
        assert!(validate_endpoint_url("localhost:9000").is_err());
        assert!(validate_endpoint_url("ftp://host").is_err());
        assert!(validate_endpoint_url("http://").is_err());
        assert!(validate_endpoint_url("http://exa mple.com").is_err());
    }
}
