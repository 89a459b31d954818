//! Downloading an object to a local file: written under a temporary name, renamed only when complete.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

use super::upload::{ProgressFn, TransferProgress};
use super::{LocalFileProblem, S3Location, Store, StoreError};

/// What a download produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DownloadOutcome {
    /// The file written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
}

/// Where a download of `source` to `dest` lands: into `dest` if it is a directory, else at `dest`.
pub fn download_target(source: &S3Location, dest: &Path) -> PathBuf {
    if dest.is_dir() { dest.join(source.file_name()) } else { dest.to_owned() }
}

/// The temporary name a download is written under, next to its final place.
fn partial_path(dest: &Path) -> PathBuf {
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dest.with_file_name(format!(".{name}.s3share-partial"))
}

impl Store {
    /// Downloads `source` to `dest` (a file path, or a directory to put it in under its own name).
    /// An existing file is replaced only with `overwrite`. A failed or cancelled download leaves nothing
    /// under the final name.
    pub async fn download_file(
        &self,
        source: &S3Location,
        dest: &Path,
        overwrite: bool,
        progress: ProgressFn<'_>,
        cancel: &CancellationToken,
    ) -> Result<DownloadOutcome, StoreError> {
        source.require_object()?;
        let dest = download_target(source, dest);
        if dest.is_dir() {
            return Err(StoreError::local(dest, LocalFileProblem::IsDirectory));
        }
        if !overwrite && tokio::fs::try_exists(&dest).await.unwrap_or(false) {
            return Err(StoreError::local(dest, LocalFileProblem::AlreadyExists));
        }
        let partial = partial_path(&dest);
        let result = tokio::select! {
            r = self.download_to(source, &partial, progress) => r,
            () = cancel.cancelled() => Err(StoreError::Cancelled),
        };
        match result {
            Ok(size) => {
                tokio::fs::rename(&partial, &dest).await.map_err(|e| StoreError::from_io(&dest, &e))?;
                Ok(DownloadOutcome { path: dest, size })
            }
            Err(err) => {
                let _ = tokio::fs::remove_file(&partial).await;
                Err(err)
            }
        }
    }

    async fn download_to(
        &self,
        source: &S3Location,
        partial: &Path,
        progress: ProgressFn<'_>,
    ) -> Result<u64, StoreError> {
        let ctx = || self.context("download").bucket(&source.bucket).key(&source.key);
        let client = self.client_for_bucket(&source.bucket).await?;
        let out =
            client.get_object().bucket(&source.bucket).key(&source.key).send().await.map_err(|e| ctx().classify(e))?;
        let total = out.content_length.unwrap_or(0).max(0) as u64;
        let file = tokio::fs::File::create(partial).await.map_err(|e| StoreError::from_io(partial, &e))?;
        let mut writer = tokio::io::BufWriter::with_capacity(1 << 20, file);
        let mut body = out.body;
        let mut done = 0u64;
        progress(TransferProgress { done, total });
        while let Some(chunk) = body.try_next().await.map_err(|e| StoreError::EndpointUnreachable {
            endpoint: self.endpoint().map(str::to_owned),
            reason: format!("the download was interrupted: {e}"),
        })? {
            writer.write_all(&chunk).await.map_err(|e| StoreError::from_io(partial, &e))?;
            done += chunk.len() as u64;
            progress(TransferProgress { done, total });
        }
        writer.flush().await.map_err(|e| StoreError::from_io(partial, &e))?;
        if done != total {
            return Err(StoreError::EndpointUnreachable {
                endpoint: self.endpoint().map(str::to_owned),
                reason: format!("the download ended early ({done} of {total} bytes)"),
            });
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_name_is_hidden_beside_the_target() {
        assert_eq!(partial_path(Path::new("/tmp/a/report.pdf")), PathBuf::from("/tmp/a/.report.pdf.s3share-partial"));
    }
}
