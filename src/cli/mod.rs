//! The command line: `ls`, `put`, `get`, `rm`, `link`, on the same store and share code as the window.

pub mod args;
mod link;
mod ls;
mod output;
mod transfer;
mod uploads;

pub use args::{Cli, Command, ConnectionArgs, LinkOptions};
pub use link::LinkFormat;

use crate::share::LinkKind;
use crate::store::{Store, UploadJournal, UploadOptions};

/// Runs one subcommand. Errors come back to `main`, which prints them as one line.
pub async fn run(connection: &ConnectionArgs, command: Command) -> anyhow::Result<()> {
    if let Command::Serve { dir, addr } = command {
        return serve(dir, addr).await;
    }
    let store = Store::connect(connection.to_config()).await?;
    match command {
        Command::Ls { location, recursive, json } => ls::run(&store, location, recursive, json).await,
        Command::Put { file, target, overwrite, content_type, part_size, concurrency, link, link_options } => {
            let options = UploadOptions {
                part_size,
                concurrency: usize::from(concurrency),
                content_type,
                overwrite,
                journal: journal(connection, &store),
                ..UploadOptions::default()
            };
            transfer::put(&store, &file, &target, options, link.then_some(&link_options)).await
        }
        Command::Get { source, dest, overwrite } => transfer::get(&store, &source, dest, overwrite).await,
        Command::Uploads { location, abort } => {
            uploads::run(&store, &location, abort, journal(connection, &store).as_ref()).await
        }
        Command::Rm { location } => {
            store.delete_object(&location).await?;
            println!("deleted {location}");
            Ok(())
        }
        Command::Link { location, recursive, link_options, put: false, .. } if location.is_folder() => {
            link::run_folder(&store, &location, recursive, &link_options).await
        }
        Command::Link { location, put, content_type, version_id, curl, link_options, .. } => {
            let kind = if put {
                LinkKind::Upload { content_type }
            } else {
                LinkKind::Download { download_name: link_options.download_name.clone(), version_id }
            };
            let format = match (curl, link_options.json) {
                (true, _) => LinkFormat::Curl,
                (_, true) => LinkFormat::Json,
                _ => LinkFormat::Url,
            };
            link::run(&store, location, kind, &link_options, format).await
        }
        Command::Serve { .. } => unreachable!("handled above"),
    }
}

/// The record of this connection's multipart uploads, shared with the window's file: a `put` cut off
/// before it finished is picked up by the same command run again. Uploads are recorded under the
/// endpoint and profile they went to.
fn journal(connection: &ConnectionArgs, store: &Store) -> Option<UploadJournal> {
    let endpoint = store.endpoint().unwrap_or("AWS");
    let profile = connection.profile.clone().or_else(|| std::env::var("AWS_PROFILE").ok());
    let name = match profile {
        Some(profile) => format!("command line: {endpoint}, profile {profile}"),
        None => format!("command line: {endpoint}"),
    };
    UploadJournal::default_path().map(|path| UploadJournal::new(path, name))
}

/// `s3share serve`: the built-in store in the foreground, until Ctrl+C.
async fn serve(dir: Option<std::path::PathBuf>, addr: Option<std::net::SocketAddr>) -> anyhow::Result<()> {
    use crate::local::embedded::{self, Reach};
    let dir = match dir.or_else(embedded::default_dir) {
        Some(dir) => dir,
        None => anyhow::bail!("no data directory on this system — pass --dir"),
    };
    let store = embedded::start(&dir, Reach::ThisComputer, addr).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot start the store ({e}) — is the port in use? pass --addr 127.0.0.1:PORT: {}",
            dir.display()
        )
    })?;
    for line in store.env_lines() {
        println!("{line}");
    }
    eprintln!("serving {} — Ctrl+C stops it; links work while it runs", dir.display());
    use std::io::Write;
    std::io::stdout().flush()?;
    tokio::signal::ctrl_c().await?;
    Ok(())
}
