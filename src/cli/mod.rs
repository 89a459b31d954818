//! The command line: `ls`, `put`, `get`, `rm`, `link`, on the same store and share code as the window.

pub mod args;
mod link;
mod ls;
mod output;
mod transfer;

pub use args::{Cli, Command, ConnectionArgs, LinkOptions};
pub use link::LinkFormat;

use crate::share::LinkKind;
use crate::store::{Store, UploadOptions};

/// Runs one subcommand. Errors come back to `main`, which prints them as one line.
pub async fn run(connection: &ConnectionArgs, command: Command) -> anyhow::Result<()> {
    let store = Store::connect(connection.to_config()).await?;
    match command {
        Command::Ls { location, recursive, json } => ls::run(&store, location, recursive, json).await,
        Command::Put { file, target, overwrite, content_type, part_size, concurrency, link, link_options } => {
            let options = UploadOptions {
                part_size,
                concurrency: usize::from(concurrency),
                content_type,
                overwrite,
                ..UploadOptions::default()
            };
            transfer::put(&store, &file, &target, options, link.then_some(&link_options)).await
        }
        Command::Get { source, dest, overwrite } => transfer::get(&store, &source, dest, overwrite).await,
        Command::Rm { location } => {
            store.delete_object(&location).await?;
            println!("deleted {location}");
            Ok(())
        }
        Command::Link { location, put, content_type, version_id, curl, link_options } => {
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
    }
}
