//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::share::LinkExpiry;
use crate::store::{ConnectionConfig, S3Location};

/// Share files stored in S3 as presigned links. Without a subcommand, opens the window.
#[derive(Debug, Parser)]
#[command(name = "s3share", version, about, long_about = None)]
pub struct Cli {
    /// Which S3 service to talk to.
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Connection flags, shared by every subcommand.
#[derive(Debug, Clone, Args, Default)]
pub struct ConnectionArgs {
    /// AWS profile from ~/.aws/config (default: $AWS_PROFILE or "default").
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Region for requests before a bucket's own region is found (default: from the AWS config).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// A custom S3-compatible endpoint, e.g. http://127.0.0.1:9000 (default: $AWS_ENDPOINT_URL or AWS).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Address buckets as https://host/bucket (the default with a custom endpoint).
    #[arg(long, global = true, conflicts_with = "virtual_hosted")]
    pub path_style: bool,
    /// Address buckets as https://bucket.host (the default on AWS).
    #[arg(long, global = true)]
    pub virtual_hosted: bool,
}

impl ConnectionArgs {
    /// True when any flag was given (the window then offers this connection first).
    pub fn is_set(&self) -> bool {
        self.profile.is_some()
            || self.region.is_some()
            || self.endpoint_url.is_some()
            || self.path_style
            || self.virtual_hosted
    }

    /// The store's connection settings.
    pub fn to_config(&self) -> ConnectionConfig {
        ConnectionConfig {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            path_style: match (self.path_style, self.virtual_hosted) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
            credentials: None,
            profile_files: None,
            first_byte_timeout: None,
            time_source: None,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List buckets, or one folder of a bucket (sub-folders end in /).
    Ls {
        /// s3://bucket/folder/ to list; without it, the buckets.
        #[arg(value_parser = parse_location)]
        location: Option<S3Location>,
        /// Every key under the prefix, not just one folder level.
        #[arg(long, short)]
        recursive: bool,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Upload a file; a target ending in / means "into this folder, same name".
    Put {
        /// The local file.
        file: PathBuf,
        /// s3://bucket/key or s3://bucket/folder/.
        #[arg(value_parser = parse_location)]
        target: S3Location,
        /// Replace an existing object.
        #[arg(long)]
        overwrite: bool,
        /// Content-Type to store (default: guessed from the name).
        #[arg(long, value_name = "TYPE")]
        content_type: Option<String>,
        /// Multipart part size, e.g. 8M or 64M (default: chosen from the file size).
        #[arg(long, value_name = "SIZE", value_parser = parse_size)]
        part_size: Option<u64>,
        /// Parts uploaded at once.
        #[arg(long, default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
        concurrency: u16,
        /// Then print a download link for it instead of its address.
        #[arg(long)]
        link: bool,
        /// Link options (with --link).
        #[command(flatten)]
        link_options: LinkOptions,
    },
    /// Download an object to a file (or into a directory).
    Get {
        /// s3://bucket/key.
        #[arg(value_parser = parse_location)]
        source: S3Location,
        /// Where to write it (default: the current directory, same name).
        dest: Option<PathBuf>,
        /// Replace an existing file.
        #[arg(long)]
        overwrite: bool,
    },
    /// Delete an object.
    Rm {
        /// s3://bucket/key.
        #[arg(value_parser = parse_location)]
        location: S3Location,
    },
    /// List the multipart uploads left open under s3://bucket/prefix: begun (by any tool) and never
    /// completed or aborted, their parts take space. With --abort, discard them.
    Uploads {
        /// s3://bucket/ or s3://bucket/prefix.
        #[arg(value_parser = parse_location)]
        location: S3Location,
        /// Abort each one listed, deleting its parts.
        #[arg(long)]
        abort: bool,
    },
    /// Run the built-in S3 store in the foreground (the one the window calls "This computer").
    /// First prints AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION lines.
    Serve {
        /// The folder it keeps its buckets in (default: s3share's data directory).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Address to listen on (default: 127.0.0.1 and the port used last time).
        #[arg(long, value_name = "IP:PORT")]
        addr: Option<std::net::SocketAddr>,
    },
    /// Print a presigned link to an object: download (default) or upload (--put).
    /// For a folder (s3://bucket/folder/), one "key<TAB>link" line per object in it.
    Link {
        /// s3://bucket/key, or s3://bucket/folder/ for every object in the folder.
        #[arg(value_parser = parse_location)]
        location: S3Location,
        /// An upload link (presigned PUT) instead of a download link.
        #[arg(long)]
        put: bool,
        /// With --put: the Content-Type the uploader must send.
        #[arg(long, value_name = "TYPE", requires = "put")]
        content_type: Option<String>,
        /// A version of the object (download links).
        #[arg(long, value_name = "ID", conflicts_with = "put")]
        version_id: Option<String>,
        /// Print a ready curl command instead of the bare URL.
        #[arg(long, conflicts_with = "json")]
        curl: bool,
        /// For a folder: every object below it, not just those directly in it.
        #[arg(long, short)]
        recursive: bool,
        /// Link options.
        #[command(flatten)]
        link_options: LinkOptions,
    },
}

/// Options of the link `link` and `put --link` print.
#[derive(Debug, Clone, Args)]
pub struct LinkOptions {
    /// How long the link lives: 90s, 15m, 2h, 1h30m, 1d … 7d.
    #[arg(long, default_value = "1h", value_name = "DURATION", value_parser = parse_expiry, allow_hyphen_values = true)]
    pub expires: LinkExpiry,
    /// The file name a browser saves the download as.
    #[arg(long, value_name = "NAME")]
    pub download_name: Option<String>,
    /// Fail instead of warning when the credentials end before the link would.
    #[arg(long)]
    pub strict: bool,
    /// Print JSON: url, method, headers, expires_at, effective_expires_at.
    #[arg(long)]
    pub json: bool,
}

fn parse_location(text: &str) -> Result<S3Location, String> {
    S3Location::parse(text).map_err(|e| e.to_string())
}

fn parse_expiry(text: &str) -> Result<LinkExpiry, String> {
    LinkExpiry::parse(text).map_err(|e| e.to_string())
}

/// Parses "8M", "64MiB", "1G", "5242880".
fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let number: u64 = digits.parse().map_err(|_| format!("expected a size like 8M or 64M, got {text:?}"))?;
    let factor = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("unknown size unit {unit:?}: use K, M or G")),
    };
    number.checked_mul(factor).ok_or_else(|| "size too large".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn arguments_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8M"), Ok(8 << 20));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("8X").is_err());
        assert!(parse_size("M").is_err());
    }
}
