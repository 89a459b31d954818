//! `s3share put` and `s3share get`, with a progress bar and Ctrl+C that aborts cleanly.

use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;

use super::args::LinkOptions;
use super::link::{self, LinkFormat};
use super::output::TransferBar;
use crate::share::LinkKind;
use crate::store::{S3Location, Store, StoreError, UploadOptions};

/// A token cancelled by Ctrl+C.
fn cancel_on_ctrl_c() -> CancellationToken {
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            token.cancel();
        }
    });
    cancel
}

/// Uploads `file`, then prints its address, or (with `--link`) a download link.
pub async fn put(
    store: &Store,
    file: &Path,
    target: &S3Location,
    options: UploadOptions,
    link_options: Option<&LinkOptions>,
) -> anyhow::Result<()> {
    let label = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bar = TransferBar::new(&label);
    let cancel = cancel_on_ctrl_c();
    let outcome = store.upload_file(file, target, &options, &|p| bar.update(p), &cancel).await;
    bar.finish();
    let outcome = match outcome {
        Err(StoreError::Cancelled) => {
            anyhow::bail!("upload cancelled; nothing was stored and no parts were left behind")
        }
        other => other?,
    };
    match link_options {
        Some(opts) => {
            let kind = LinkKind::Download { download_name: opts.download_name.clone(), version_id: None };
            let format = if opts.json { LinkFormat::Json } else { LinkFormat::Url };
            link::run(store, outcome.location, kind, opts, format).await
        }
        None => {
            println!("{}", outcome.location);
            Ok(())
        }
    }
}

/// Downloads `source` into `dest` (default: the current directory) and prints the file's path.
pub async fn get(store: &Store, source: &S3Location, dest: Option<PathBuf>, overwrite: bool) -> anyhow::Result<()> {
    let dest = dest.unwrap_or_else(|| PathBuf::from("."));
    let bar = TransferBar::new(source.file_name());
    let cancel = cancel_on_ctrl_c();
    let outcome = store.download_file(source, &dest, overwrite, &|p| bar.update(p), &cancel).await;
    bar.finish();
    let outcome = match outcome {
        Err(StoreError::Cancelled) => anyhow::bail!("download cancelled; no file was written"),
        other => other?,
    };
    println!("{}", outcome.path.display());
    Ok(())
}
