//! Presigning GET and PUT requests through the SDK's presigner, with the credentials' own end.

use std::time::Duration;

use aws_sdk_s3::presigning::PresigningConfig;
use chrono::{DateTime, Utc};

use super::{S3Location, Store, StoreError};

/// What a presigned request lets its holder do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresignMethod {
    /// Download the object.
    Get {
        /// Signed in as `response-content-disposition` (the server answers with this header).
        response_content_disposition: Option<String>,
        /// A specific version of the object.
        version_id: Option<String>,
    },
    /// Upload to the key.
    Put {
        /// Signed in: the uploader must send exactly this `Content-Type`.
        content_type: Option<String>,
    },
}

/// A presigned request, as the SDK built it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresignedRequest {
    /// The full URL, query included.
    pub url: String,
    /// `GET` or `PUT`.
    pub method: String,
    /// Headers the requester must send unchanged (signed into the URL).
    pub headers: Vec<(String, String)>,
    /// When it was signed.
    pub signed_at: DateTime<Utc>,
    /// When the signature expires (`X-Amz-Date` + `X-Amz-Expires`).
    pub expires_at: DateTime<Utc>,
    /// When the credentials that signed it end, if they do (temporary credentials).
    /// The request stops working then, whatever `expires_at` says.
    pub credentials_expire_at: Option<DateTime<Utc>>,
    /// How far the server's clock was ahead of this computer's (negative: behind) when the difference
    /// mattered; the signature then carries the server's time and `signed_at`/`expires_at` stay local.
    pub clock_skew: Option<chrono::Duration>,
}

impl Store {
    /// Presigns `method` on `location` for `expires_in` (the caller checks the 1 s – 7 days bounds).
    ///
    /// The signature is made with one snapshot of the credentials, whose expiry is reported.
    pub async fn presign(
        &self,
        location: &S3Location,
        method: &PresignMethod,
        expires_in: Duration,
    ) -> Result<PresignedRequest, StoreError> {
        location.require_object()?;
        let (client, credentials) = self.presign_client(&location.bucket).await?;
        let signed_at = self.now();
        let config = PresigningConfig::builder()
            // The server judges the link by its own clock: sign with that time when ours is off.
            .start_time(self.server_time(signed_at))
            .expires_in(expires_in)
            .build()
            .map_err(|e| StoreError::Presign { reason: e.to_string() })?;
        let request = match method {
            PresignMethod::Get { response_content_disposition, version_id } => client
                .get_object()
                .bucket(&location.bucket)
                .key(&location.key)
                .set_response_content_disposition(response_content_disposition.clone())
                .set_version_id(version_id.clone())
                .presigned(config)
                .await
                .map_err(presign_error)?,
            PresignMethod::Put { content_type } => client
                .put_object()
                .bucket(&location.bucket)
                .key(&location.key)
                .set_content_type(content_type.clone())
                .presigned(config)
                .await
                .map_err(presign_error)?,
        };
        let signed_at: DateTime<Utc> = signed_at.into();
        Ok(PresignedRequest {
            url: protect_dot_segments(request.uri()),
            method: request.method().to_owned(),
            headers: request.headers().map(|(k, v)| (k.to_owned(), v.to_owned())).collect(),
            expires_at: signed_at + expires_in,
            signed_at,
            credentials_expire_at: credentials.expiry().map(DateTime::<Utc>::from),
            clock_skew: self.clock_skew(),
        })
    }
}

/// Writes `.` and `..` path segments as `%2E` and `%2E%2E`. URL libraries resolve literal dot segments
/// (`/b/a/../k` becomes `/b/k`), so a link to a key with such a segment would ask for another object
/// and be refused; curl and wget send the escaped form as written, and servers decode the path before
/// checking the signature, so it signs the same. Browsers treat `%2E` as a dot too: such links carry a
/// note (see `ShareLink::browser_note`).
fn protect_dot_segments(url: &str) -> String {
    let (path_end, _) = url.char_indices().find(|&(_, c)| c == '?').unwrap_or((url.len(), '?'));
    let (path, query) = url.split_at(path_end);
    let Some(start) = path.find("://").map(|at| path[at + 3..].find('/').map_or(path.len(), |p| at + 3 + p)) else {
        return url.to_owned();
    };
    let (origin, path) = path.split_at(start);
    let path: Vec<&str> = path
        .split('/')
        .map(|segment| match segment {
            "." => "%2E",
            ".." => "%2E%2E",
            other => other,
        })
        .collect();
    format!("{origin}{}{query}", path.join("/"))
}

fn presign_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Presign { reason: e.to_string() }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dot_segments_are_escaped_and_nothing_else_changes() {
        let escaped = super::protect_dot_segments("http://h:9/b/./a/../x/.../.y/?q=./..&X-Amz-Signature=1");
        assert_eq!(escaped, "http://h:9/b/%2E/a/%2E%2E/x/.../.y/?q=./..&X-Amz-Signature=1");
        let plain = "https://b.s3.amazonaws.com/k.txt?X-Amz-Signature=1";
        assert_eq!(super::protect_dot_segments(plain), plain);
        assert_eq!(super::protect_dot_segments("http://h/b/.."), "http://h/b/%2E%2E");
    }
}
