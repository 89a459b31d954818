//! Downloading an object to a local file: written under a temporary name, renamed only when complete.

use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_s3::primitives::ByteStream;
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

use super::upload::{ProgressFn, TransferProgress};
use super::{LocalFileProblem, S3Location, Store, StoreError};

/// Objects at least this large download as several ranges at once.
pub const PARALLEL_DOWNLOAD_THRESHOLD: u64 = 32 * 1024 * 1024;
/// The smallest range worth its own request.
const MIN_RANGE_SIZE: u64 = 8 * 1024 * 1024;
/// Ranges in flight at once.
const DOWNLOAD_CONCURRENCY: usize = 4;

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
        let client = self.client_for_bucket(&source.bucket).await?;
        let head = client
            .head_object()
            .bucket(&source.bucket)
            .key(&source.key)
            .send()
            .await
            .map_err(|e| self.download_context(source).classify(e))?;
        let total = head.content_length.unwrap_or(0).max(0) as u64;
        progress(TransferProgress { done: 0, total });
        if total < PARALLEL_DOWNLOAD_THRESHOLD {
            self.download_stream(&client, source, partial, total, progress).await
        } else {
            self.download_ranges(&client, source, partial, total, head.e_tag, progress).await
        }
    }

    fn download_context<'a>(&'a self, source: &'a S3Location) -> super::error::CallContext<'a> {
        self.context("download").bucket(&source.bucket).key(&source.key)
    }

    fn interrupted(&self, reason: String) -> StoreError {
        StoreError::EndpointUnreachable { endpoint: self.endpoint().map(str::to_owned), reason }
    }

    /// One GET, streamed to the file.
    async fn download_stream(
        &self,
        client: &aws_sdk_s3::Client,
        source: &S3Location,
        partial: &Path,
        total: u64,
        progress: ProgressFn<'_>,
    ) -> Result<u64, StoreError> {
        let out = client
            .get_object()
            .bucket(&source.bucket)
            .key(&source.key)
            .send()
            .await
            .map_err(|e| self.download_context(source).classify(e))?;
        let file = tokio::fs::File::create(partial).await.map_err(|e| StoreError::from_io(partial, &e))?;
        let done = AtomicU64::new(0);
        self.write_body(out.body, file, partial, total, |n| {
            let now = done.fetch_add(n, Ordering::Relaxed) + n;
            progress(TransferProgress { done: now, total });
        })
        .await?;
        Ok(total)
    }

    /// Streams `body` into `file` (at its current position), calling `on_chunk` with each chunk's
    /// length, and checks that exactly `expected` bytes came.
    async fn write_body(
        &self,
        mut body: ByteStream,
        file: tokio::fs::File,
        partial: &Path,
        expected: u64,
        on_chunk: impl Fn(u64),
    ) -> Result<(), StoreError> {
        let mut writer = tokio::io::BufWriter::with_capacity(1 << 20, file);
        let mut got = 0u64;
        while let Some(chunk) =
            body.try_next().await.map_err(|e| self.interrupted(format!("the download was interrupted: {e}")))?
        {
            writer.write_all(&chunk).await.map_err(|e| StoreError::from_io(partial, &e))?;
            got += chunk.len() as u64;
            on_chunk(chunk.len() as u64);
        }
        writer.flush().await.map_err(|e| StoreError::from_io(partial, &e))?;
        if got != expected {
            return Err(self.interrupted(format!("the download ended early ({got} of {expected} bytes)")));
        }
        Ok(())
    }

    /// A few ranged GETs at once, each streamed into its own stretch of the file through its own
    /// handle; `If-Match` keeps them all to one version of the object.
    async fn download_ranges(
        &self,
        client: &aws_sdk_s3::Client,
        source: &S3Location,
        partial: &Path,
        total: u64,
        etag: Option<String>,
        progress: ProgressFn<'_>,
    ) -> Result<u64, StoreError> {
        let io_error = |e: std::io::Error| StoreError::from_io(partial, &e);
        let file = tokio::fs::File::create(partial).await.map_err(io_error)?;
        file.set_len(total).await.map_err(io_error)?;
        drop(file);
        let done = AtomicU64::new(0);
        let range_size = total.div_ceil(DOWNLOAD_CONCURRENCY as u64).max(MIN_RANGE_SIZE);
        let ranges = (0..total).step_by(range_size as usize).map(|start| (start, (start + range_size).min(total)));
        futures::stream::iter(ranges)
            .map(|(start, end)| {
                let (etag, done) = (etag.clone(), &done);
                async move {
                    let out = client
                        .get_object()
                        .bucket(&source.bucket)
                        .key(&source.key)
                        .range(format!("bytes={start}-{}", end - 1))
                        .set_if_match(etag)
                        .send()
                        .await
                        .map_err(|e| self.download_context(source).classify(e))?;
                    let mut file = tokio::fs::OpenOptions::new().write(true).open(partial).await.map_err(io_error)?;
                    tokio::io::AsyncSeekExt::seek(&mut file, std::io::SeekFrom::Start(start))
                        .await
                        .map_err(io_error)?;
                    self.write_body(out.body, file, partial, end - start, |n| {
                        let now = done.fetch_add(n, Ordering::Relaxed) + n;
                        progress(TransferProgress { done: now, total });
                    })
                    .await?;
                    Ok::<_, StoreError>(())
                }
            })
            .buffer_unordered(DOWNLOAD_CONCURRENCY)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(total)
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
