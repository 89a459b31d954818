//! The one error type of the store layer: every S3 or local-file failure, in kinds a person understands.

use std::path::PathBuf;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

/// What went wrong while talking to S3 or reading/writing a local file.
///
/// Messages say what failed, why, and what to do; sensitive data (paths, URLs) comes last.
/// No variant ever carries a secret key or a session token.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The bucket name breaks S3's naming rules.
    #[error(
        "invalid bucket name: {reason} — bucket names are 3–63 lowercase letters, digits, dots and hyphens: {name:?}"
    )]
    InvalidBucketName {
        /// The name as given.
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The object key is empty or too long.
    #[error("invalid object key: {reason}: {key:?}")]
    InvalidKey {
        /// The key as given.
        key: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// An `s3://bucket/key` address could not be parsed.
    #[error("not an S3 address: {reason} — write it as s3://bucket/key: {input:?}")]
    InvalidLocation {
        /// The text as given.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The endpoint URL is malformed.
    #[error("invalid endpoint URL: {reason} — write it as http(s)://host[:port]: {url:?}")]
    InvalidEndpoint {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The bucket does not exist on this endpoint.
    #[error("bucket does not exist — check its name and the endpoint: {bucket}")]
    NoSuchBucket {
        /// The bucket asked for.
        bucket: String,
    },
    /// The object does not exist.
    #[error("no such object — check the key (it is case-sensitive): s3://{bucket}/{key}")]
    NoSuchKey {
        /// The bucket.
        bucket: String,
        /// The key asked for.
        key: String,
    },
    /// The object exists and overwriting it was not allowed.
    #[error("an object already exists there — pass --overwrite to replace it: s3://{bucket}/{key}")]
    ObjectExists {
        /// The bucket.
        bucket: String,
        /// The existing key.
        key: String,
    },
    /// The credentials are valid but not allowed to do this.
    #[error("access denied while trying to {operation} — the credentials in use lack permission{}", bucket_suffix(.bucket))]
    AccessDenied {
        /// What was being done, e.g. "list objects".
        operation: &'static str,
        /// The bucket involved, if any.
        bucket: Option<String>,
    },
    /// The server does not know this access key, or the signature does not match the secret.
    #[error("the server rejected the credentials ({code}) — check the access key and secret for this endpoint")]
    InvalidCredentials {
        /// The S3 error code, e.g. `InvalidAccessKeyId` or `SignatureDoesNotMatch`.
        code: String,
    },
    /// No credentials were found anywhere in the AWS chain.
    #[error(
        "no AWS credentials found — set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, run `aws configure`, or pick a profile with --profile"
    )]
    NoCredentials,
    /// The credential source (profile, SSO, credential_process…) failed.
    #[error("could not load credentials: {reason}")]
    CredentialsUnavailable {
        /// Why the provider failed (never contains a secret).
        reason: String,
    },
    /// The credentials have expired.
    #[error("the credentials have expired — refresh them (e.g. `aws sso login`) and try again")]
    CredentialsExpired,
    /// The local clock differs too much from the server's.
    #[error(
        "this computer's clock is off from the server's (RequestTimeTooSkewed) — set the clock right (enable NTP) and try again"
    )]
    ClockSkew,
    /// The endpoint could not be reached at all.
    #[error("cannot reach the S3 endpoint ({reason}) — check the network and the endpoint URL{}", endpoint_suffix(.endpoint))]
    EndpointUnreachable {
        /// The endpoint, if a custom one is configured.
        endpoint: Option<String>,
        /// What the connection attempt said.
        reason: String,
    },
    /// A local file problem: missing, a directory, unreadable, changed during upload, …
    #[error("{problem}: {}", .path.display())]
    LocalFile {
        /// The file involved.
        path: PathBuf,
        /// What is wrong with it.
        problem: LocalFileProblem,
    },
    /// A multipart upload to resume or abort is no longer on the server.
    #[error("the unfinished upload is no longer on the server (it was completed, aborted, or expired)")]
    UploadGone,
    /// Nothing is connected yet.
    #[error("not connected — pick a connection (or add one) first")]
    NotConnected,
    /// The operation was cancelled by the user (any multipart upload was aborted).
    #[error("cancelled")]
    Cancelled,
    /// A presigned link could not be built.
    #[error("could not presign the link: {reason}")]
    Presign {
        /// What the presigner said.
        reason: String,
    },
    /// Any other answer of the server.
    #[error("{operation} failed: {message}{}", code_suffix(.code, .status))]
    Service {
        /// What was being done.
        operation: &'static str,
        /// The S3 error code, if the server sent one.
        code: Option<String>,
        /// The HTTP status, if there was a response.
        status: Option<u16>,
        /// The server's message or the SDK's description.
        message: String,
    },
}

/// What is wrong with a local file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalFileProblem {
    /// Nothing exists at the path.
    #[error("no such file — check the path")]
    Missing,
    /// The path is a directory, not a file.
    #[error("this is a directory — give a file")]
    IsDirectory,
    /// The path is a socket, pipe or device: nothing with a known size to upload.
    #[error("this is not a regular file (a socket, pipe or device) — give a file")]
    NotAFile,
    /// The file exists but cannot be read or written.
    #[error("cannot access the file ({0}) — check its permissions")]
    Inaccessible(String),
    /// The file's size or modification time changed while it was uploaded.
    #[error("the file changed while it was being uploaded — nothing was stored; try again once it is complete")]
    ChangedDuringUpload,
    /// The file of an interrupted upload is no longer what was being uploaded.
    #[error(
        "the file changed since its upload was interrupted — discard the unfinished upload and upload the file again"
    )]
    ChangedSinceInterrupted,
    /// The destination of a download already exists.
    #[error("a file already exists there — pass --overwrite to replace it")]
    AlreadyExists,
}

fn bucket_suffix(bucket: &Option<String>) -> String {
    bucket.as_ref().map(|b| format!(": bucket {b}")).unwrap_or_default()
}

fn endpoint_suffix(endpoint: &Option<String>) -> String {
    endpoint.as_ref().map(|e| format!(": {e}")).unwrap_or_default()
}

fn code_suffix(code: &Option<String>, status: &Option<u16>) -> String {
    match (code, status) {
        (Some(c), Some(s)) => format!(" ({c}, HTTP {s})"),
        (Some(c), None) => format!(" ({c})"),
        (None, Some(s)) => format!(" (HTTP {s})"),
        (None, None) => String::new(),
    }
    .to_owned()
        + match status {
            Some(503 | 429) => " — the server is busy; try again in a moment",
            Some(500..) => " — the server failed; try again, and if it keeps failing, check the server's logs",
            _ => "",
        }
}

impl StoreError {
    /// A local-file error for `path`.
    pub fn local(path: impl Into<PathBuf>, problem: LocalFileProblem) -> Self {
        StoreError::LocalFile { path: path.into(), problem }
    }

    /// Turns an I/O error on `path` into a store error with the right problem.
    pub fn from_io(path: impl Into<PathBuf>, err: &std::io::Error) -> Self {
        let problem = match err.kind() {
            std::io::ErrorKind::NotFound => LocalFileProblem::Missing,
            std::io::ErrorKind::IsADirectory => LocalFileProblem::IsDirectory,
            _ => LocalFileProblem::Inaccessible(err.kind().to_string()),
        };
        StoreError::local(path, problem)
    }

    /// True for failures worth another attempt (network hiccups, 5xx, throttling).
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::EndpointUnreachable { .. } => true,
            StoreError::Service { status: Some(s), .. } => *s >= 500 || *s == 429,
            StoreError::Service { status: None, .. } => true,
            _ => false,
        }
    }
}

/// Context of a failed SDK call: what was being done, on which bucket/key, at which endpoint.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallContext<'a> {
    pub operation: &'static str,
    pub bucket: Option<&'a str>,
    pub key: Option<&'a str>,
    pub endpoint: Option<&'a str>,
}

impl<'a> CallContext<'a> {
    pub fn new(operation: &'static str) -> Self {
        CallContext { operation, bucket: None, key: None, endpoint: None }
    }
    pub fn bucket(mut self, bucket: &'a str) -> Self {
        self.bucket = Some(bucket);
        self
    }
    pub fn key(mut self, key: &'a str) -> Self {
        self.key = Some(key);
        self
    }
    pub fn endpoint(mut self, endpoint: Option<&'a str>) -> Self {
        self.endpoint = endpoint;
        self
    }

    /// Classifies an SDK error into a [`StoreError`].
    pub fn classify<E>(&self, err: SdkError<E, HttpResponse>) -> StoreError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        if let Some(found) = find_credentials_error(&err) {
            return found;
        }
        match &err {
            SdkError::DispatchFailure(failure) => {
                return StoreError::EndpointUnreachable {
                    endpoint: self.endpoint.map(str::to_owned),
                    reason: if failure.is_timeout() { "timed out".to_owned() } else { innermost_message(&err) },
                };
            }
            SdkError::TimeoutError(_) => {
                return StoreError::EndpointUnreachable {
                    endpoint: self.endpoint.map(str::to_owned),
                    reason: "timed out".to_owned(),
                };
            }
            _ => {}
        }
        let status = err.raw_response().map(|r| r.status().as_u16());
        let code = err.code().map(str::to_owned);
        let message = err.message().map(str::to_owned).unwrap_or_else(|| innermost_message(&err));
        self.classify_code(code, status, message)
    }

    /// Classifies an S3 error code and HTTP status.
    pub fn classify_code(&self, code: Option<String>, status: Option<u16>, message: String) -> StoreError {
        let bucket = || self.bucket.unwrap_or_default().to_owned();
        match (code.as_deref(), status) {
            (Some("NoSuchBucket"), _) => StoreError::NoSuchBucket { bucket: bucket() },
            (Some("NoSuchKey"), _) => {
                StoreError::NoSuchKey { bucket: bucket(), key: self.key.unwrap_or_default().to_owned() }
            }
            (Some("NotFound") | None, Some(404)) => match self.key {
                Some(key) => StoreError::NoSuchKey { bucket: bucket(), key: key.to_owned() },
                None => StoreError::NoSuchBucket { bucket: bucket() },
            },
            (Some("AccessDenied"), _) if let Some(code) = credentials_refused_as_access_denied(&message) => {
                StoreError::InvalidCredentials { code: code.to_owned() }
            }
            (Some("AccessDenied" | "AllAccessDisabled" | "Forbidden"), _) | (None, Some(403)) => {
                StoreError::AccessDenied { operation: self.operation, bucket: self.bucket.map(str::to_owned) }
            }
            (
                Some(
                    c @ ("InvalidAccessKeyId"
                    | "SignatureDoesNotMatch"
                    | "InvalidToken"
                    | "InvalidSecurity"
                    | "NotSignedUp"),
                ),
                _,
            ) => StoreError::InvalidCredentials { code: c.to_owned() },
            (Some("ExpiredToken" | "TokenRefreshRequired"), _) => StoreError::CredentialsExpired,
            (Some("RequestTimeTooSkewed"), _) => StoreError::ClockSkew,
            (Some("NoSuchUpload"), _) => StoreError::UploadGone,
            (Some("InvalidBucketName"), _) => {
                StoreError::InvalidBucketName { name: bucket(), reason: "the server refused it" }
            }
            _ => StoreError::Service { operation: self.operation, code, status, message },
        }
    }
}

/// Some servers (Garage) answer a wrong secret or an unknown access key with `AccessDenied` instead of
/// `SignatureDoesNotMatch` / `InvalidAccessKeyId`; their message tells it apart from a missing
/// permission. Returns the code to show for it.
fn credentials_refused_as_access_denied(message: &str) -> Option<&'static str> {
    let message = message.to_ascii_lowercase();
    if message.contains("invalid signature") || message.contains("signature does not match") {
        Some("AccessDenied: invalid signature")
    } else if message.contains("no such key") || (message.contains("access key") && message.contains("not exist")) {
        Some("AccessDenied: unknown access key")
    } else {
        None
    }
}

/// Finds a credentials-provider failure anywhere in the error's source chain.
fn find_credentials_error(err: &(dyn std::error::Error + 'static)) -> Option<StoreError> {
    use aws_credential_types::provider::error::CredentialsError;
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(creds) = e.downcast_ref::<CredentialsError>() {
            // Our own cache reports a StoreError inside the SDK's CredentialsError: keep its kind.
            let ours = std::error::Error::source(creds).and_then(|s| s.downcast_ref::<StoreError>());
            return Some(match ours {
                Some(store) => clone_credentials_error(store),
                None => crate::store::credentials::classify_credentials_error(creds),
            });
        }
        current = e.source();
    }
    None
}

/// A copy of a credentials failure of our own cache.
fn clone_credentials_error(err: &StoreError) -> StoreError {
    match err {
        StoreError::NoCredentials => StoreError::NoCredentials,
        StoreError::CredentialsExpired => StoreError::CredentialsExpired,
        StoreError::CredentialsUnavailable { reason } => StoreError::CredentialsUnavailable { reason: reason.clone() },
        other => StoreError::CredentialsUnavailable { reason: other.to_string() },
    }
}

/// The message of the deepest error in the chain: usually the most specific ("Connection refused").
fn innermost_message(err: &(dyn std::error::Error + 'static)) -> String {
    let mut current = err;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds() {
        let ctx = CallContext::new("get object").bucket("b").key("k");
        assert!(matches!(
            ctx.classify_code(Some("NoSuchKey".into()), Some(404), String::new()),
            StoreError::NoSuchKey { .. }
        ));
        assert!(matches!(ctx.classify_code(None, Some(404), String::new()), StoreError::NoSuchKey { .. }));
        let bucket_ctx = CallContext::new("head bucket").bucket("b");
        assert!(matches!(bucket_ctx.classify_code(None, Some(404), String::new()), StoreError::NoSuchBucket { .. }));
        assert!(matches!(ctx.classify_code(None, Some(403), String::new()), StoreError::AccessDenied { .. }));
        assert!(matches!(
            ctx.classify_code(Some("RequestTimeTooSkewed".into()), Some(403), String::new()),
            StoreError::ClockSkew
        ));
        assert!(matches!(
            ctx.classify_code(Some("SignatureDoesNotMatch".into()), Some(403), String::new()),
            StoreError::InvalidCredentials { .. }
        ));
        // Garage's way of saying the same two things.
        for message in ["Forbidden: Invalid signature", "Forbidden: No such key: GK0123456789abcdef01234567"] {
            let err = ctx.classify_code(Some("AccessDenied".into()), Some(403), message.into());
            assert!(matches!(err, StoreError::InvalidCredentials { .. }), "{message}: {err:?}");
            assert!(!err.to_string().contains("GK0123"), "the key id is not repeated: {err}");
        }
        assert!(matches!(
            ctx.classify_code(Some("AccessDenied".into()), Some(403), "Access Denied".into()),
            StoreError::AccessDenied { .. }
        ));
        assert!(matches!(
            ctx.classify_code(Some("ExpiredToken".into()), Some(400), String::new()),
            StoreError::CredentialsExpired
        ));
        let other = ctx.classify_code(Some("SlowDown".into()), Some(503), "slow down".into());
        assert!(other.is_transient());
        assert_eq!(
            other.to_string(),
            "get object failed: slow down (SlowDown, HTTP 503) — the server is busy; try again in a moment"
        );
    }

    #[test]
    fn io_errors_name_the_problem() {
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        let err = StoreError::from_io("/tmp/x", &missing);
        assert_eq!(err.to_string(), "no such file — check the path: /tmp/x");
    }
}
