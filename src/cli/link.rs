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
    for note in link.clock_note().into_iter().chain(link.browser_note().map(str::to_owned)) {
        eprintln!("warning: {note}");
    }
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

/// One download link per object of a folder, made in parallel: `key<TAB>url` lines (or JSON lines).
pub async fn run_folder(
    store: &Store,
    folder: &S3Location,
    recursive: bool,
    options: &LinkOptions,
) -> anyhow::Result<()> {
    let mut listing = store.list_folder(folder, recursive).await?;
    let mut requests = Vec::new();
    while let Some(page) = listing.next_page().await {
        requests.extend(page?.objects.into_iter().map(|o| LinkRequest {
            location: S3Location { bucket: folder.bucket.clone(), key: o.key },
            kind: LinkKind::Download { download_name: None, version_id: None },
            expiry: options.expires,
            policy: if options.strict { CredentialEndPolicy::Refuse } else { CredentialEndPolicy::Warn },
        }));
    }
    if requests.is_empty() {
        anyhow::bail!("no objects to link in {folder} — check the folder (it needs a trailing /), or pass --recursive");
    }
    let links = crate::share::create_links(store, requests.clone()).await;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let (mut warned, mut clock_warned, mut browser_warned) = (false, false, false);
    for (request, link) in requests.iter().zip(links) {
        let link = link?;
        if let Some(note) = link.clock_note().filter(|_| !clock_warned) {
            clock_warned = true;
            eprintln!("warning: {note}");
        }
        if let Some(note) = link.browser_note().filter(|_| !browser_warned) {
            browser_warned = true;
            eprintln!("warning: {} (and maybe others): {note}", link.object);
        }
        if link.ends_early() && !warned {
            warned = true;
            eprintln!(
                "warning: the credentials in use end at {} (in {}), before the requested {} — these links stop working then.",
                local_time(link.effective_expires_at),
                time_left(link.effective_expires_at),
                options.expires,
            );
        }
        let line = if options.json {
            render(&link, LinkFormat::Json, request.location.file_name())
        } else {
            format!("{}\t{}", request.location.key, link.url)
        };
        super::output::print_line(&mut out, &line)?;
    }
    std::io::Write::flush(&mut out)?;
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
