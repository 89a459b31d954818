//! A share link: the presigned URL plus everything a person needs to know about it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{LinkExpiry, ShareError, content_disposition};
use crate::store::{PresignMethod, S3Location, Store};

/// What the link lets its holder do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkKind {
    /// Download the object.
    Download {
        /// The file name the browser saves it as (signed in as Content-Disposition).
        download_name: Option<String>,
        /// A specific version of the object.
        version_id: Option<String>,
    },
    /// Upload to the key (presigned PUT), e.g. for a colleague to send a file.
    Upload {
        /// The Content-Type the uploader must send.
        content_type: Option<String>,
    },
}

/// What to do when the credentials end before the link would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CredentialEndPolicy {
    /// Make the link, and report its real (earlier) end.
    #[default]
    Warn,
    /// Refuse with [`ShareError::CredentialsEndFirst`].
    Refuse,
}

/// A request for a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRequest {
    /// The object.
    pub location: S3Location,
    /// Download or upload.
    pub kind: LinkKind,
    /// How long it should live.
    pub expiry: LinkExpiry,
    /// What to do if the credentials end first.
    pub policy: CredentialEndPolicy,
}

/// A link, ready to hand out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShareLink {
    /// The presigned URL.
    pub url: String,
    /// `GET` or `PUT`.
    pub method: String,
    /// Headers the holder must send unchanged (for an upload link: Content-Type).
    pub headers: Vec<(String, String)>,
    /// The object, as `s3://bucket/key`.
    pub object: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When its signature expires.
    pub expires_at: DateTime<Utc>,
    /// When it really stops working: the earlier of `expires_at` and the credentials' end.
    pub effective_expires_at: DateTime<Utc>,
    /// When the signing credentials end, if they do.
    pub credentials_expire_at: Option<DateTime<Utc>>,
    /// How far the server's clock was ahead of this computer's (negative: behind), when it mattered.
    pub clock_skew: Option<chrono::Duration>,
}

impl ShareLink {
    /// True when the credentials end before the signature would: the link dies early.
    pub fn ends_early(&self) -> bool {
        self.effective_expires_at < self.expires_at
    }

    /// What to tell the user when this computer's clock is off, or `None` when it agrees with the server's.
    pub fn clock_note(&self) -> Option<String> {
        let skew = self.clock_skew?;
        // The server's clock is read to the second, after a round trip: whole minutes say it plainly.
        let secs = skew.num_seconds().unsigned_abs();
        let secs = if secs >= 120 { (secs + 30) / 60 * 60 } else { secs };
        let by = crate::duration_words::duration_words(secs);
        let direction = if skew > chrono::Duration::zero() { "behind" } else { "ahead of" };
        Some(format!(
            "this computer's clock is {by} {direction} the server's — the link was signed with the server's time so it works for its full span; set the clock right (enable NTP)"
        ))
    }

    /// What to tell the user when the key has a `.` or `..` segment: the link escapes them (`%2E`), which
    /// curl and wget send as written, but browsers treat `%2E` as a dot too and ask for another object.
    pub fn browser_note(&self) -> Option<&'static str> {
        let key = self.object.strip_prefix("s3://")?.split_once('/')?.1;
        key.split('/').any(|segment| segment == "." || segment == "..").then_some(
            "the key has a '.' or '..' folder, which browsers rewrite: this link works with curl or wget, not in a browser — rename the object to share it with a browser",
        )
    }

    /// A `curl` command that uses the link: saves the download, or uploads `FILE` with the signed headers.
    pub fn curl_command(&self, file: &str) -> String {
        let mut parts = vec!["curl".to_owned(), "--fail".to_owned()];
        if self.method == "PUT" {
            parts.push("--upload-file".to_owned());
            parts.push(shell_quote(file));
            for (name, value) in &self.headers {
                parts.push("-H".to_owned());
                parts.push(shell_quote(&format!("{name}: {value}")));
            }
        } else {
            parts.push("--output".to_owned());
            parts.push(shell_quote(file));
        }
        parts.push(shell_quote(&self.url));
        parts.join(" ")
    }
}

/// Quotes `text` for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Makes a link through the SDK's presigner, and works out when it really ends.
pub async fn create_link(store: &Store, request: &LinkRequest) -> Result<ShareLink, ShareError> {
    let method = match &request.kind {
        LinkKind::Download { download_name, version_id } => PresignMethod::Get {
            response_content_disposition: download_name.as_deref().map(content_disposition::attachment),
            version_id: version_id.clone(),
        },
        LinkKind::Upload { content_type } => PresignMethod::Put { content_type: content_type.clone() },
    };
    let presigned = store.presign(&request.location, &method, request.expiry.duration()).await?;
    let effective_expires_at = match presigned.credentials_expire_at {
        Some(end) if end < presigned.expires_at => {
            if request.policy == CredentialEndPolicy::Refuse {
                return Err(ShareError::CredentialsEndFirst {
                    credentials_end: end,
                    requested_end: presigned.expires_at,
                });
            }
            end
        }
        _ => presigned.expires_at,
    };
    Ok(ShareLink {
        url: presigned.url,
        method: presigned.method,
        headers: presigned.headers,
        object: request.location.to_string(),
        created_at: presigned.signed_at,
        expires_at: presigned.expires_at,
        effective_expires_at,
        credentials_expire_at: presigned.credentials_expire_at,
        clock_skew: presigned.clock_skew,
    })
}

/// Makes many links ("share this folder"), spread over the runtime's worker threads; results
/// come back in the order of the requests. Signing is CPU work, so this uses every core.
pub async fn create_links(store: &Store, requests: Vec<LinkRequest>) -> Vec<Result<ShareLink, ShareError>> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let per_task = requests.len().div_ceil(workers).max(1);
    let mut requests = requests.into_iter().peekable();
    let mut tasks = Vec::new();
    while requests.peek().is_some() {
        let part: Vec<LinkRequest> = requests.by_ref().take(per_task).collect();
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut links = Vec::with_capacity(part.len());
            for request in &part {
                links.push(create_link(&store, request).await);
            }
            links
        }));
    }
    let mut links = Vec::new();
    for task in tasks {
        links.extend(task.await.expect("a link task panicked"));
    }
    links
}

#[cfg(test)]
impl ShareLink {
    /// A one-hour GET link to `s3://bkt/docs/a.pdf` with this URL, for tests.
    pub(crate) fn example(url: &str) -> Self {
        let now = Utc::now();
        ShareLink {
            url: url.into(),
            method: "GET".into(),
            headers: vec![],
            object: "s3://bkt/docs/a.pdf".into(),
            created_at: now,
            expires_at: now + chrono::Duration::hours(1),
            effective_expires_at: now + chrono::Duration::hours(1),
            credentials_expire_at: None,
            clock_skew: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(method: &str) -> ShareLink {
        ShareLink {
            method: method.into(),
            headers: vec![("content-type".into(), "application/zip".into())],
            ..ShareLink::example("http://h/b/k?X-Amz-Signature=abc")
        }
    }

    #[test]
    fn curl_commands() {
        assert_eq!(
            link("PUT").curl_command("it's.zip"),
            r"curl --fail --upload-file 'it'\''s.zip' -H 'content-type: application/zip' 'http://h/b/k?X-Amz-Signature=abc'"
        );
        assert_eq!(link("GET").curl_command("k"), "curl --fail --output 'k' 'http://h/b/k?X-Amz-Signature=abc'");
    }

    #[test]
    fn only_keys_with_dot_folders_get_the_browser_note() {
        let with_key = |key: &str| ShareLink { object: format!("s3://bkt/{key}"), ..link("GET") };
        for key in ["a/../b", "./x", "a/.", "..", "x/./y"] {
            assert!(with_key(key).browser_note().is_some(), "{key}");
        }
        for key in ["a.pdf", ".hidden", "a/.../b", "..x", "a/b.", "docs/"] {
            assert_eq!(with_key(key).browser_note(), None, "{key}");
        }
    }
}
