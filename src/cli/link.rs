//! `s3share link` (and the link of `put --link`): the URL on stdout, warnings on stderr.

use std::io::IsTerminal;

use serde_json::json;

use super::args::LinkOptions;
use super::output::{local_time, time_left};
use crate::share::{CredentialEndPolicy, LinkKind, LinkRequest, ShareLink, create_link};
use crate::store::{S3Location, Store};

/// How the link is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkFormat {
    /// The bare URL.
    Url,
    /// A ready curl command.
    Curl,
    /// JSON with url, method, headers and times.
    Json,
}

/// Makes the link and prints it; warns on stderr when the credentials end first.
pub async fn run(
    store: &Store,
    location: S3Location,
    kind: LinkKind,
    options: &LinkOptions,
    format: LinkFormat,
) -> anyhow::Result<()> {
    let request = LinkRequest {
        location,
        kind,
        expiry: options.expires,
        policy: if options.strict { CredentialEndPolicy::Refuse } else { CredentialEndPolicy::Warn },
    };
    let link = create_link(store, &request).await?;
    if link.ends_early() {
        eprintln!(
            "warning: the credentials in use end at {} (in {}), before the requested {} — the link stops working then. Use longer-lived credentials for a longer link.",
            local_time(link.effective_expires_at),
            time_left(link.effective_expires_at),
            options.expires,
        );
    } else if std::io::stderr().is_terminal() {
        eprintln!("link valid until {} ({})", local_time(link.effective_expires_at), options.expires);
    }
    let file_name = request.location.file_name();
    println!("{}", render(&link, format, options.download_name.as_deref().unwrap_or(file_name)));
    Ok(())
}

/// The printed form of a link.
pub fn render(link: &ShareLink, format: LinkFormat, file_name: &str) -> String {
    match format {
        LinkFormat::Url => link.url.clone(),
        LinkFormat::Curl => link.curl_command(file_name),
        LinkFormat::Json => {
            let headers: serde_json::Map<String, serde_json::Value> =
                link.headers.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            json!({
                "url": link.url,
                "method": link.method,
                "headers": headers,
                "object": link.object,
                "created_at": link.created_at,
                "expires_at": link.expires_at,
                "effective_expires_at": link.effective_expires_at,
                "credentials_expire_at": link.credentials_expire_at,
            })
            .to_string()
        }
    }
}
