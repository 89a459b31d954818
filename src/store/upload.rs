//! Uploading a local file: one PUT for small files, parallel multipart for large ones,
//! with progress, retries of failed parts, cancellation that aborts, and a check that the file did not change.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::{ByteStream, Length};
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::journal::{PendingUpload, UploadJournal};
use super::{LocalFileProblem, S3Location, Store, StoreError};

/// S3's smallest part (except the last).
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// S3's largest number of parts.
pub const MAX_PARTS: u64 = 10_000;
/// How many times a failed part is tried before the upload gives up.
const PART_ATTEMPTS: u32 = 4;
/// Read buffer for file bodies: large enough that reading is never the bottleneck.
const READ_BUFFER: usize = 256 * 1024;

/// How to upload.
#[derive(Debug, Clone)]
pub struct UploadOptions {
    /// Files at least this large use multipart upload.
    pub multipart_threshold: u64,
    /// Part size; `None` picks one from the file size.
    pub part_size: Option<u64>,
    /// Parts in flight at once.
    pub concurrency: usize,
    /// Content type; `None` guesses it from the file name.
    pub content_type: Option<String>,
    /// Replace an existing object at the target key instead of refusing.
    pub overwrite: bool,
    /// Where multipart uploads are recorded while they run, so one cut off by a crash can be resumed.
    pub journal: Option<UploadJournal>,
    /// Upload to the target key exactly as given, even one ending in `/` (normally such a target is a
    /// folder, and the file keeps its name in it).
    pub exact_key: bool,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            multipart_threshold: 16 * 1024 * 1024,
            part_size: None,
            concurrency: 4,
            content_type: None,
            overwrite: false,
            journal: None,
            exact_key: false,
        }
    }
}

impl UploadOptions {
    /// Where `source` goes when uploaded to `target` with these options: `target` itself with
    /// `exact_key`, else as [`upload_target`] says.
    pub fn target_for(&self, source: &Path, target: &S3Location) -> Result<S3Location, StoreError> {
        if self.exact_key { Ok(target.clone()) } else { upload_target(source, target) }
    }

    /// The part size for a file of `size` bytes: the one asked for, else between 8 and 64 MiB,
    /// always large enough to stay within 10,000 parts.
    pub fn part_size_for(&self, size: u64) -> u64 {
        const MIB: u64 = 1024 * 1024;
        let wanted = self.part_size.unwrap_or_else(|| (size / 64).clamp(8 * MIB, 64 * MIB));
        let smallest_allowed = size.div_ceil(MAX_PARTS).max(MIN_PART_SIZE);
        wanted.max(smallest_allowed).div_ceil(MIB) * MIB
    }
}

/// Bytes done out of the total, reported as a transfer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferProgress {
    /// Bytes transferred so far.
    pub done: u64,
    /// Bytes in all.
    pub total: u64,
}

/// Receives progress reports; called from the transfer's tasks.
pub type ProgressFn<'a> = &'a (dyn Fn(TransferProgress) + Send + Sync);

/// What an upload produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UploadOutcome {
    /// Where the object now is.
    pub location: S3Location,
    /// Its size in bytes.
    pub size: u64,
    /// The ETag the server gave.
    pub etag: Option<String>,
    /// Number of parts (1 for a single PUT).
    pub parts: u64,
}

/// Size and modification time, to notice a file changing under us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl FileStamp {
    fn modified_ms(&self) -> Option<i64> {
        let since_epoch = self.modified?.duration_since(SystemTime::UNIX_EPOCH).ok()?;
        Some(since_epoch.as_millis() as i64)
    }
}

async fn stamp(path: &Path) -> Result<FileStamp, StoreError> {
    let meta = tokio::fs::metadata(path).await.map_err(|e| StoreError::from_io(path, &e))?;
    if meta.is_dir() {
        return Err(StoreError::local(path, LocalFileProblem::IsDirectory));
    }
    if !meta.is_file() {
        return Err(StoreError::local(path, LocalFileProblem::NotAFile));
    }
    Ok(FileStamp { len: meta.len(), modified: meta.modified().ok() })
}

/// Where `source` goes when uploaded to `target`: a target naming a folder (ending in `/`, or a bare bucket) means "same file name in there".
pub fn upload_target(source: &Path, target: &S3Location) -> Result<S3Location, StoreError> {
    let name = source.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        StoreError::local(source, LocalFileProblem::Inaccessible("the file name is not valid UTF-8".into()))
    })?;
    target.join_if_folder(name)
}

impl Store {
    /// Uploads `source` to `target` (see [`upload_target`]). Cancelling `cancel` stops the transfer and
    /// aborts a multipart upload, so no parts are left behind; so does any failure.
    pub async fn upload_file(
        &self,
        source: &Path,
        target: &S3Location,
        options: &UploadOptions,
        progress: ProgressFn<'_>,
        cancel: &CancellationToken,
    ) -> Result<UploadOutcome, StoreError> {
        let before = stamp(source).await?;
        // Fail early, with the file's own error, if it cannot be read.
        tokio::fs::File::open(source).await.map_err(|e| StoreError::from_io(source, &e))?;
        let target = options.target_for(source, target)?;
        target.require_object()?;
        let client = self.client_for_bucket(&target.bucket).await?;
        if !options.overwrite && self.object_exists(&client, &target).await? {
            return Err(StoreError::ObjectExists { bucket: target.bucket, key: target.key });
        }
        let content_type = options.content_type.clone().unwrap_or_else(|| guess_content_type(&target.key));
        progress(TransferProgress { done: 0, total: before.len });
        let job =
            UploadJob { store: self, client: &client, source, target: &target, content_type: &content_type, before };
        let result = if before.len < options.multipart_threshold {
            tokio::select! {
                r = job.single_put(progress) => r,
                () = cancel.cancelled() => Err(StoreError::Cancelled),
            }
        } else {
            job.multipart(options, progress, cancel).await
        };
        result.map(|(etag, parts)| UploadOutcome { location: target.clone(), size: before.len, etag, parts })
    }

    /// Picks up a multipart upload that was cut off (found in an [`UploadJournal`]): checks that the file
    /// is unchanged and that nothing new sits at the key, asks the server which parts it already has,
    /// uploads the rest and completes it. A failure or cancel then aborts it, as for a fresh upload.
    pub async fn resume_upload(
        &self,
        pending: &PendingUpload,
        options: &UploadOptions,
        progress: ProgressFn<'_>,
        cancel: &CancellationToken,
    ) -> Result<UploadOutcome, StoreError> {
        let target = S3Location::new(&pending.bucket, &pending.key)?;
        let client = self.client_for_bucket(&target.bucket).await?;
        let before = stamp(&pending.source).await?;
        if before.len != pending.size || before.modified_ms() != pending.modified_ms {
            return Err(StoreError::local(&pending.source, LocalFileProblem::ChangedSinceInterrupted));
        }
        if !pending.overwrite && self.object_exists(&client, &target).await? {
            return Err(StoreError::ObjectExists { bucket: target.bucket, key: target.key });
        }
        let uploaded = self.uploaded_parts(&client, &target, &pending.upload_id).await?;
        let job = UploadJob {
            store: self,
            client: &client,
            source: &pending.source,
            target: &target,
            content_type: &pending.content_type,
            before,
        };
        let (etag, parts) =
            job.finish_multipart(&pending.upload_id, pending.part_size, uploaded, options, progress, cancel).await?;
        Ok(UploadOutcome { location: target.clone(), size: before.len, etag, parts })
    }

    /// How many bytes of a cut-off upload the server holds; [`StoreError::UploadGone`] if it holds none
    /// because the upload no longer exists (completed, aborted, or expired by a lifecycle rule).
    pub async fn pending_upload_bytes(&self, pending: &PendingUpload) -> Result<u64, StoreError> {
        let target = S3Location::new(&pending.bucket, &pending.key)?;
        let client = self.client_for_bucket(&target.bucket).await?;
        let parts = self.uploaded_parts(&client, &target, &pending.upload_id).await?;
        Ok(parts.iter().map(|(_, size)| size).sum())
    }

    /// Gives up a cut-off upload: aborts it on the server, so its parts stop taking space.
    pub async fn discard_upload(&self, pending: &PendingUpload) -> Result<(), StoreError> {
        self.abort_upload(&S3Location::new(&pending.bucket, &pending.key)?, &pending.upload_id).await
    }

    /// Aborts the open multipart upload `upload_id` for `location` (retried a few times), so its parts
    /// stop taking space. One that is already gone counts as aborted.
    pub async fn abort_upload(&self, location: &S3Location, upload_id: &str) -> Result<(), StoreError> {
        let client = self.client_for_bucket(&location.bucket).await?;
        if self.abort_multipart(&client, location, upload_id).await {
            return Ok(());
        }
        // One more try, to say why (or to find it went through after all).
        match client
            .abort_multipart_upload()
            .bucket(&location.bucket)
            .key(&location.key)
            .upload_id(upload_id)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => Err(self.context("abort the upload").bucket(&location.bucket).key(&location.key).classify(e)),
        }
    }

    /// The parts the server holds of a multipart upload, each with its size.
    async fn uploaded_parts(
        &self,
        client: &Client,
        target: &S3Location,
        upload_id: &str,
    ) -> Result<Vec<(CompletedPart, u64)>, StoreError> {
        let mut pages =
            client.list_parts().bucket(&target.bucket).key(&target.key).upload_id(upload_id).into_paginator().send();
        let mut parts = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                self.context("list the uploaded parts").bucket(&target.bucket).key(&target.key).classify(e)
            })?;
            parts.extend(page.parts.unwrap_or_default().into_iter().map(|p| {
                let size = p.size.unwrap_or(0).max(0) as u64;
                (CompletedPart::builder().set_e_tag(p.e_tag).set_part_number(p.part_number).build(), size)
            }));
        }
        Ok(parts)
    }

    /// `location` if nothing is stored there, else the first free "name (n).ext" beside it.
    pub async fn free_key(&self, location: &S3Location) -> Result<S3Location, StoreError> {
        let client = self.client_for_bucket(&location.bucket).await?;
        if !self.object_exists(&client, location).await? {
            return Ok(location.clone());
        }
        let (folder, name) = location.key.rsplit_once('/').map_or(("", location.key.as_str()), |(f, n)| (f, n));
        let (stem, ext) = match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => (stem, format!(".{ext}")),
            _ => (name, String::new()),
        };
        let folder = if folder.is_empty() { String::new() } else { format!("{folder}/") };
        for n in 1..1000 {
            let candidate = S3Location::new(location.bucket.clone(), format!("{folder}{stem} ({n}){ext}"))?;
            if !self.object_exists(&client, &candidate).await? {
                return Ok(candidate);
            }
        }
        Err(StoreError::ObjectExists { bucket: location.bucket.clone(), key: location.key.clone() })
    }

    /// True when an object exists at `location`. A HEAD that is not allowed counts as "not known to exist".
    async fn object_exists(&self, client: &Client, location: &S3Location) -> Result<bool, StoreError> {
        match client.head_object().bucket(&location.bucket).key(&location.key).send().await {
            Ok(_) => Ok(true),
            Err(err) => {
                match self.context("check the target").bucket(&location.bucket).key(&location.key).classify(err) {
                    StoreError::NoSuchKey { .. } | StoreError::AccessDenied { .. } => Ok(false),
                    other => Err(other),
                }
            }
        }
    }
}

/// Guesses a content type from the key's extension; `application/octet-stream` when unknown.
pub fn guess_content_type(key: &str) -> String {
    mime_guess::from_path(key).first_or_octet_stream().essence_str().to_owned()
}

struct UploadJob<'a> {
    store: &'a Store,
    client: &'a Client,
    source: &'a Path,
    target: &'a S3Location,
    content_type: &'a str,
    before: FileStamp,
}

impl UploadJob<'_> {
    fn ctx(&self, operation: &'static str) -> super::error::CallContext<'_> {
        self.store.context(operation).bucket(&self.target.bucket).key(&self.target.key)
    }

    fn changed(&self) -> StoreError {
        StoreError::local(self.source, LocalFileProblem::ChangedDuringUpload)
    }

    /// Fails when the file is no longer what it was when the upload began.
    async fn ensure_unchanged(&self) -> Result<(), StoreError> {
        if stamp(self.source).await? == self.before { Ok(()) } else { Err(self.changed()) }
    }

    /// Small files: read whole, check, then one PUT of exactly what was read.
    async fn single_put(&self, progress: ProgressFn<'_>) -> Result<(Option<String>, u64), StoreError> {
        let data =
            bytes::Bytes::from(tokio::fs::read(self.source).await.map_err(|e| StoreError::from_io(self.source, &e))?);
        if data.len() as u64 != self.before.len {
            return Err(self.changed());
        }
        self.ensure_unchanged().await?;
        let size = data.len() as u64;
        let out = retry(|| async {
            self.client
                .put_object()
                .bucket(&self.target.bucket)
                .key(&self.target.key)
                .content_type(self.content_type)
                .content_length(size as i64)
                .body(ByteStream::from(data.clone()))
                .send()
                .await
                .map_err(|e| self.ctx("upload").classify(e))
        })
        .await?;
        progress(TransferProgress { done: size, total: size });
        Ok((out.e_tag.map(|e| e.trim_matches('"').to_owned()), 1))
    }

    /// Large files: parts read straight from the file, several in flight; abort on any failure or cancel.
    async fn multipart(
        &self,
        options: &UploadOptions,
        progress: ProgressFn<'_>,
        cancel: &CancellationToken,
    ) -> Result<(Option<String>, u64), StoreError> {
        let created = self
            .client
            .create_multipart_upload()
            .bucket(&self.target.bucket)
            .key(&self.target.key)
            .content_type(self.content_type)
            .send()
            .await
            .map_err(|e| self.ctx("start a multipart upload").classify(e))?;
        let upload_id = created.upload_id.ok_or_else(|| StoreError::Service {
            operation: "start a multipart upload",
            code: None,
            status: None,
            message: "the server returned no upload id".into(),
        })?;
        let part_size = options.part_size_for(self.before.len);
        if let Some(journal) = &options.journal {
            journal.record(PendingUpload {
                upload_id: upload_id.clone(),
                connection: journal.connection().to_owned(),
                bucket: self.target.bucket.clone(),
                key: self.target.key.clone(),
                source: self.source.to_owned(),
                size: self.before.len,
                modified_ms: self.before.modified_ms(),
                part_size,
                content_type: self.content_type.to_owned(),
                overwrite: options.overwrite,
                started_at: chrono::Utc::now(),
                owner: Some(journal.owner()),
            });
        }
        self.finish_multipart(&upload_id, part_size, Vec::new(), options, progress, cancel).await
    }

    /// Uploads the parts not in `uploaded` and completes the upload; on failure or cancel, aborts it.
    /// Either way its journal entry goes — unless the abort itself failed, so the next start can retry it.
    async fn finish_multipart(
        &self,
        upload_id: &str,
        part_size: u64,
        uploaded: Vec<(CompletedPart, u64)>,
        options: &UploadOptions,
        progress: ProgressFn<'_>,
        cancel: &CancellationToken,
    ) -> Result<(Option<String>, u64), StoreError> {
        let result = tokio::select! {
            r = self.upload_parts_and_complete(upload_id, part_size, uploaded, options.concurrency, progress) => r,
            () = cancel.cancelled() => Err(StoreError::Cancelled),
        };
        let settled = result.is_ok() || self.abort(upload_id).await;
        if settled && let Some(journal) = &options.journal {
            journal.forget(upload_id);
        }
        result
    }

    async fn upload_parts_and_complete(
        &self,
        upload_id: &str,
        part_size: u64,
        uploaded: Vec<(CompletedPart, u64)>,
        concurrency: usize,
        progress: ProgressFn<'_>,
    ) -> Result<(Option<String>, u64), StoreError> {
        let total = self.before.len;
        let part_count = total.div_ceil(part_size).max(1);
        let done = AtomicU64::new(uploaded.iter().map(|(_, size)| size).sum());
        progress(TransferProgress { done: done.load(Ordering::Relaxed), total });
        let have: std::collections::HashSet<i32> = uploaded.iter().filter_map(|(p, _)| p.part_number).collect();
        let missing = (1..=part_count).filter(|n| !have.contains(&(*n as i32)));
        let mut parts: Vec<CompletedPart> = futures::stream::iter(missing)
            .map(|number| {
                let offset = (number - 1) * part_size;
                let length = part_size.min(total - offset);
                let done = &done;
                async move {
                    let part = self.upload_part(upload_id, number as i32, offset, length).await?;
                    let now = done.fetch_add(length, Ordering::Relaxed) + length;
                    progress(TransferProgress { done: now, total });
                    Ok::<_, StoreError>(part)
                }
            })
            .buffer_unordered(concurrency.max(1))
            .try_collect()
            .await?;
        parts.extend(uploaded.into_iter().map(|(part, _)| part));
        self.ensure_unchanged().await?;
        parts.sort_by_key(|p| p.part_number);
        let out = self
            .client
            .complete_multipart_upload()
            .bucket(&self.target.bucket)
            .key(&self.target.key)
            .upload_id(upload_id)
            .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
            .send()
            .await
            .map_err(|e| self.ctx("finish the multipart upload").classify(e))?;
        Ok((out.e_tag.map(|e| e.trim_matches('"').to_owned()), part_count))
    }

    async fn upload_part(
        &self,
        upload_id: &str,
        number: i32,
        offset: u64,
        length: u64,
    ) -> Result<CompletedPart, StoreError> {
        let out = retry(|| async {
            let body = ByteStream::read_from()
                .path(self.source)
                .offset(offset)
                .length(Length::Exact(length))
                .buffer_size(READ_BUFFER)
                .build()
                .await
                .map_err(|_| self.changed())?;
            self.client
                .upload_part()
                .bucket(&self.target.bucket)
                .key(&self.target.key)
                .upload_id(upload_id)
                .part_number(number)
                .content_length(length as i64)
                .body(body)
                .send()
                .await
                .map_err(|e| self.ctx("upload a part").classify(e))
        })
        .await?;
        Ok(CompletedPart::builder().set_e_tag(out.e_tag).part_number(number).build())
    }

    /// Aborts the multipart upload so no parts stay behind (and keep costing storage); false if it could not.
    async fn abort(&self, upload_id: &str) -> bool {
        self.store.abort_multipart(self.client, self.target, upload_id).await
    }
}

impl Store {
    /// Aborts a multipart upload, trying a few times; true once it is gone (also when it already was).
    async fn abort_multipart(&self, client: &Client, target: &S3Location, upload_id: &str) -> bool {
        for attempt in 0..PART_ATTEMPTS {
            let aborted = client
                .abort_multipart_upload()
                .bucket(&target.bucket)
                .key(&target.key)
                .upload_id(upload_id)
                .send()
                .await;
            match aborted {
                Ok(_) => return true,
                Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_upload()) => return true,
                Err(_) => tokio::time::sleep(backoff(attempt)).await,
            }
        }
        false
    }
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(200 * 2u64.pow(attempt))
}

/// Runs `op` again (with backoff) while it fails with a transient error.
async fn retry<T, F, Fut>(mut op: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut attempt = 0;
    loop {
        match op().await {
            Err(err) if err.is_transient() && attempt + 1 < PART_ATTEMPTS => {
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn part_sizes_stay_within_s3_limits() {
        let auto = UploadOptions::default();
        assert_eq!(auto.part_size_for(40 * MIB), 8 * MIB);
        assert_eq!(auto.part_size_for(1024 * MIB), 16 * MIB);
        assert_eq!(auto.part_size_for(100 * 1024 * MIB), 64 * MIB);
        // 5 TiB needs parts of at least 525 MiB to fit in 10,000.
        let huge = 5 * 1024 * 1024 * MIB;
        assert!(huge.div_ceil(auto.part_size_for(huge)) <= MAX_PARTS);
        let tiny = UploadOptions { part_size: Some(1), ..UploadOptions::default() };
        assert_eq!(tiny.part_size_for(40 * MIB), 5 * MIB);
    }

    #[test]
    fn folder_targets_take_the_file_name() {
        let folder = S3Location::parse("s3://bucket/docs/").unwrap();
        assert_eq!(upload_target(Path::new("/tmp/report.pdf"), &folder).unwrap().key, "docs/report.pdf");
        let exact = S3Location::parse("s3://bucket/docs/other.pdf").unwrap();
        assert_eq!(upload_target(Path::new("/tmp/report.pdf"), &exact).unwrap().key, "docs/other.pdf");
    }

    #[test]
    fn content_types() {
        assert_eq!(guess_content_type("a/report.pdf"), "application/pdf");
        assert_eq!(guess_content_type("noext"), "application/octet-stream");
    }
}
