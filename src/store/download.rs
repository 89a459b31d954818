//! Downloading an object to a local file: written under a temporary name, renamed only when complete.

use std::path::{Path, PathBuf};

use std::sync::atomic::{AtomicU64, Ordering};

use aws_sdk_s3::primitives::ByteStream;
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

use super::upload::{ProgressFn, TransferProgress};
use super::{LocalFileProblem, S3Location, Store, StoreError};

/// Objects at least this large download as several ranges at once.
pub const PARALLEL_DOWNLOAD_THRESHOLD: u64 = 32 * 1024 * 1024;
/// The smallest range worth its own request.
const MIN_RANGE_SIZE: u64 = 8 * 1024 * 1024;
/// Ranges in flight at once.
const DOWNLOAD_CONCURRENCY: usize = 4;
/// Tries of one range that makes no progress before the download gives up.
const RANGE_ATTEMPTS: u32 = 4;

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
        let io_error = |e: std::io::Error| StoreError::from_io(partial, &e);
        let file = tokio::fs::File::create(partial).await.map_err(io_error)?;
        file.set_len(total).await.map_err(io_error)?;
        drop(file);
        // Small objects come in one range, large ones in a few at once; each range resumes where it broke off.
        let range_size = if total < PARALLEL_DOWNLOAD_THRESHOLD {
            total.max(1)
        } else {
            total.div_ceil(DOWNLOAD_CONCURRENCY as u64).max(MIN_RANGE_SIZE)
        };
        let done = AtomicU64::new(0);
        let ranges = (0..total).step_by(range_size as usize).map(|start| start..(start + range_size).min(total));
        let job = RangeJob { store: self, client: &client, source, partial, etag: head.e_tag.as_deref() };
        futures::stream::iter(ranges)
            .map(|range| {
                job.fetch_range(range, |n| {
                    let now = done.fetch_add(n, Ordering::Relaxed) + n;
                    progress(TransferProgress { done: now, total });
                })
            })
            .buffer_unordered(DOWNLOAD_CONCURRENCY)
            .try_collect::<Vec<()>>()
            .await?;
        Ok(total)
    }

    fn download_context<'a>(&'a self, source: &'a S3Location) -> super::error::CallContext<'a> {
        self.context("download").bucket(&source.bucket).key(&source.key)
    }
}

/// Everything one ranged GET needs; `etag` (from the HEAD) pins every range to one version of the object.
struct RangeJob<'a> {
    store: &'a Store,
    client: &'a aws_sdk_s3::Client,
    source: &'a S3Location,
    partial: &'a Path,
    etag: Option<&'a str>,
}

impl RangeJob<'_> {
    fn interrupted(&self, reason: String) -> StoreError {
        StoreError::EndpointUnreachable { endpoint: self.store.endpoint().map(str::to_owned), reason }
    }

    /// Writes bytes `range` of the object into the same stretch of the partial file. A connection that
    /// breaks mid-body is picked up again from the first byte not yet written, a few times.
    async fn fetch_range(&self, range: std::ops::Range<u64>, on_chunk: impl Fn(u64)) -> Result<(), StoreError> {
        let io_error = |e: std::io::Error| StoreError::from_io(self.partial, &e);
        let mut position = range.start;
        let mut failures = 0;
        while position < range.end {
            let before = position;
            let result = match self.get(position..range.end).await {
                Ok(body) => {
                    let mut file =
                        tokio::fs::OpenOptions::new().write(true).open(self.partial).await.map_err(io_error)?;
                    file.seek(std::io::SeekFrom::Start(position)).await.map_err(io_error)?;
                    self.write_body(body, file, range.end - position, &mut position, &on_chunk).await
                }
                Err(err) => Err(err),
            };
            match result {
                Ok(()) => {}
                Err(err) if err.is_transient() && failures + 1 < RANGE_ATTEMPTS => {
                    // Progress made since the last break resets the count: only a range that keeps failing gives up.
                    failures = if position > before { 0 } else { failures + 1 };
                    tokio::time::sleep(std::time::Duration::from_millis(200 << failures)).await;
                }
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    /// The body of a GET of bytes `range`.
    async fn get(&self, range: std::ops::Range<u64>) -> Result<ByteStream, StoreError> {
        let out = self
            .client
            .get_object()
            .bucket(&self.source.bucket)
            .key(&self.source.key)
            .range(format!("bytes={}-{}", range.start, range.end - 1))
            .set_if_match(self.etag.map(str::to_owned))
            .send()
            .await
            .map_err(|e| self.store.download_context(self.source).classify(e))?;
        Ok(out.body)
    }

    /// Streams `body` into `file` (at its current position), advancing `position` and calling `on_chunk`
    /// with each chunk written; fails if fewer than `expected` bytes come.
    async fn write_body(
        &self,
        mut body: ByteStream,
        file: tokio::fs::File,
        expected: u64,
        position: &mut u64,
        on_chunk: &impl Fn(u64),
    ) -> Result<(), StoreError> {
        let io_error = |e: std::io::Error| StoreError::from_io(self.partial, &e);
        let mut writer = tokio::io::BufWriter::with_capacity(1 << 20, file);
        let mut got = 0u64;
        let outcome = loop {
            match body.try_next().await {
                Ok(Some(chunk)) => {
                    writer.write_all(&chunk).await.map_err(io_error)?;
                    got += chunk.len() as u64;
                    on_chunk(chunk.len() as u64);
                }
                Ok(None) if got == expected => break Ok(()),
                Ok(None) => {
                    break Err(self.interrupted(format!("the download ended early ({got} of {expected} bytes)")));
                }
                Err(e) => break Err(self.interrupted(format!("the download was interrupted: {e}"))),
            }
        };
        // What was received is kept either way, so a retry starts after it.
        writer.flush().await.map_err(io_error)?;
        *position += got;
        outcome
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
