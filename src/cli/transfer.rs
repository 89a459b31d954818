//! `s3share put` and `s3share get`, with a progress bar and Ctrl+C that aborts cleanly.

use std::path::{Path, PathBuf};

use tokio_util::sync::CancellationToken;

use super::args::LinkOptions;
use super::link::{self, LinkFormat};
use super::output::{TransferBar, local_time};
use crate::byte_size::byte_size;
use crate::share::LinkKind;
use crate::store::{LocalFileProblem, ProgressFn, S3Location, Store, StoreError, UploadOptions, UploadOutcome};

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
    // The journal names files by full path, so a rerun from another folder finds its upload.
    let file = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_owned());
    let label = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bar = TransferBar::new(&label);
    let cancel = cancel_on_ctrl_c();
    let outcome = upload_or_resume(store, &file, target, &options, &|p| bar.update(p), &cancel).await;
    bar.finish();
    let outcome = match outcome {
        Err(StoreError::Cancelled) => {
            anyhow::bail!("upload cancelled; nothing was stored and no parts were left behind")
        }
        other => other?,
    };
    if let Some(journal) = &options.journal {
        for earlier in journal.cut_off() {
            let target = format!("s3://{}/{}", earlier.bucket, earlier.key);
            eprintln!(
                "note: an earlier upload of {} to {target} was cut off before it finished; run that put again to finish it, or `s3share uploads --abort {target}` to discard it",
                earlier.source.display()
            );
        }
    }
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

/// Uploads `file` to `target`, or, when the journal holds a multipart upload of the same file to the
/// same key that was cut off (the command killed, the machine down), picks that one up where it stopped.
/// One whose file has changed since is aborted and the file uploaded afresh.
async fn upload_or_resume(
    store: &Store,
    file: &Path,
    target: &S3Location,
    options: &UploadOptions,
    progress: ProgressFn<'_>,
    cancel: &CancellationToken,
) -> Result<UploadOutcome, StoreError> {
    let Some(journal) = &options.journal else {
        return store.upload_file(file, target, options, progress, cancel).await;
    };
    let key = options.target_for(file, target)?;
    let cut_off =
        journal.cut_off().into_iter().find(|p| p.source == file && p.bucket == key.bucket && p.key == key.key);
    if let Some(mut pending) = cut_off {
        pending.overwrite |= options.overwrite;
        match store.pending_upload_bytes(&pending).await {
            Err(StoreError::UploadGone) => journal.forget(&pending.upload_id),
            Err(e) => return Err(e),
            Ok(stored) => {
                eprintln!(
                    "picking up the upload of this file begun {} ({} of {} already on the server)",
                    local_time(pending.started_at),
                    byte_size(stored),
                    byte_size(pending.size)
                );
                match store.resume_upload(&pending, options, progress, cancel).await {
                    Err(StoreError::LocalFile { problem: LocalFileProblem::ChangedSinceInterrupted, .. }) => {
                        eprintln!("the file has changed since: discarding that upload and starting over");
                        store.discard_upload(&pending).await?;
                        journal.forget(&pending.upload_id);
                    }
                    other => return other,
                }
            }
        }
    }
    store.upload_file(file, target, options, progress, cancel).await
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
