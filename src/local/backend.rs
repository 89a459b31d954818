//! The local server's S3 backend: s3s-fs over a folder, objects kept under hashed names with the
//! real keys in a [`KeyIndex`] (any key S3 allows; listings from memory), plus what s3s-fs 0.14 lacks —
//! `response-content-disposition` (and the other `response-*` overrides) on GET,
//! `ListMultipartUploads`, `NoSuchUpload` and part ETags in `ListParts`, the bucket's region on HeadBucket, and `encoding-type=url` in listings
//! (s3s-fs returns raw keys while saying they are encoded, so aws-cli, boto3 and rclone mangled
//! keys with `%`, `+` or non-ASCII characters).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::SystemTime;

use super::key_index::{IndexEntry, KeyIndex, migrate_plain_layout, stored_name};
use s3s::dto::*;
use s3s::{S3, S3Request, S3Response, S3Result, s3_error};
use serde::{Deserialize, Serialize};

/// An open multipart upload, recorded so it can be listed.
#[derive(Debug, Serialize, Deserialize)]
struct OpenUpload {
    bucket: String,
    key: String,
    initiated: SystemTime,
}

/// s3s-fs plus the missing operations.
#[derive(Debug)]
pub struct LocalBackend {
    fs: s3s_fs::FileSystem,
    objects_dir: PathBuf,
    uploads_dir: PathBuf,
    index: KeyIndex,
    region: String,
}

impl LocalBackend {
    /// Objects live under `objects_dir` (one folder per bucket), their keys in `keys_dir`; open uploads
    /// are recorded in `uploads_dir`. Buckets written by plain s3s-fs are moved to hashed names first.
    pub fn new(objects_dir: PathBuf, keys_dir: PathBuf, uploads_dir: PathBuf, region: String) -> std::io::Result<Self> {
        std::fs::create_dir_all(&objects_dir)?;
        std::fs::create_dir_all(&uploads_dir)?;
        let fs = s3s_fs::FileSystem::new(&objects_dir).map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        let index = KeyIndex::load(&keys_dir)?;
        for entry in std::fs::read_dir(&objects_dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_dir() && !name.starts_with('.') {
                migrate_plain_layout(&objects_dir, &name, &index)?;
            }
        }
        Ok(LocalBackend { fs, objects_dir, uploads_dir, index, region })
    }

    /// Records `key` in the index after a write, from the stored file.
    fn index_written(&self, bucket: &str, key: &str, etag: Option<&ETag>) -> S3Result<()> {
        let meta = std::fs::metadata(self.objects_dir.join(bucket).join(stored_name(key))).map_err(internal)?;
        let entry = IndexEntry {
            size: meta.len(),
            etag: etag.map(|e| e.value().to_owned()),
            modified: meta.modified().unwrap_or_else(|_| SystemTime::now()),
        };
        self.index.insert(bucket, key, entry).map_err(internal)
    }

    /// One page of a listing, from the index.
    fn list_page(
        &self,
        bucket: &str,
        prefix: &str,
        delimiter: Option<&str>,
        after: Option<&str>,
        max_keys: Option<i32>,
    ) -> S3Result<super::key_index::IndexPage> {
        if !self.objects_dir.join(bucket).is_dir() {
            return Err(s3_error!(NoSuchBucket));
        }
        let max = max_keys.map_or(1000, |m| m.clamp(0, 1000) as usize);
        Ok(self.index.list(bucket, prefix, delimiter, after, max))
    }

    fn upload_record(&self, upload_id: &str) -> S3Result<PathBuf> {
        if upload_id.is_empty() || !upload_id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(s3_error!(NoSuchUpload));
        }
        Ok(self.uploads_dir.join(format!("{upload_id}.json")))
    }

    /// Fails with `NoSuchUpload` unless the upload is open (s3s-fs answers an empty part list, or
    /// AccessDenied on abort, for an upload that is gone).
    async fn require_open(&self, upload_id: &str) -> S3Result<()> {
        match tokio::fs::try_exists(self.upload_record(upload_id)?).await {
            Ok(true) => Ok(()),
            _ => Err(s3_error!(NoSuchUpload)),
        }
    }

    /// The ETag of an uploaded part (its MD5, as UploadPart answered), which s3s-fs leaves out of ListParts.
    async fn part_etag(&self, upload_id: &str, part_number: i32) -> Option<String> {
        use md5::Digest;
        let bytes =
            tokio::fs::read(self.objects_dir.join(format!(".upload_id-{upload_id}.part-{part_number}"))).await.ok()?;
        let digest = md5::Md5::digest(&bytes);
        Some(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    async fn forget_upload(&self, upload_id: &str) {
        if let Ok(path) = self.upload_record(upload_id) {
            let _ = tokio::fs::remove_file(path).await;
        }
    }
}

fn wants_url_encoding(encoding: Option<&EncodingType>) -> bool {
    encoding.is_some_and(|e| e.as_str() == EncodingType::URL)
}

/// Everything but unreserved characters and `/` is percent-encoded, as S3 does: decoders that
/// also turn `+` into a space (boto3) and those that do not read it the same.
const KEY_ESCAPES: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~').remove(b'/');

fn url_encode_in_place(value: &mut Option<String>) {
    if let Some(v) = value {
        *v = percent_encoding::utf8_percent_encode(v, KEY_ESCAPES).to_string();
    }
}

fn encode_listing(contents: &mut Option<Vec<Object>>, prefixes: &mut Option<Vec<CommonPrefix>>) {
    for object in contents.iter_mut().flatten() {
        url_encode_in_place(&mut object.key);
    }
    for prefix in prefixes.iter_mut().flatten() {
        url_encode_in_place(&mut prefix.prefix);
    }
}

/// A listing entry from the index.
fn listed_object((key, entry): (String, IndexEntry)) -> Object {
    Object {
        key: Some(key),
        size: Some(entry.size as i64),
        e_tag: entry.etag.map(ETag::Strong),
        last_modified: Some(entry.modified.into()),
        storage_class: Some(ObjectStorageClass::from_static(ObjectStorageClass::STANDARD)),
        ..Default::default()
    }
}

/// Continuation tokens are the hex of the last key returned: opaque, and safe in XML and URLs.
fn encode_token(after: &str) -> String {
    after.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_token(token: &str) -> S3Result<String> {
    let bad = || s3_error!(InvalidArgument, "The continuation token provided is incorrect");
    if !token.len().is_multiple_of(2) {
        return Err(bad());
    }
    let bytes = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(token.get(i..i + 2).ok_or_else(bad)?, 16).map_err(|_| bad()))
        .collect::<S3Result<Vec<u8>>>()?;
    String::from_utf8(bytes).map_err(|_| bad())
}

fn internal(e: impl std::fmt::Display) -> s3s::S3Error {
    s3_error!(InternalError, "{e}")
}

#[async_trait::async_trait]
impl S3 for LocalBackend {
    async fn list_buckets(&self, req: S3Request<ListBucketsInput>) -> S3Result<S3Response<ListBucketsOutput>> {
        self.fs.list_buckets(req).await
    }

    async fn create_bucket(&self, req: S3Request<CreateBucketInput>) -> S3Result<S3Response<CreateBucketOutput>> {
        self.fs.create_bucket(req).await
    }

    async fn delete_bucket(&self, req: S3Request<DeleteBucketInput>) -> S3Result<S3Response<DeleteBucketOutput>> {
        let bucket = req.input.bucket.clone();
        let resp = self.fs.delete_bucket(req).await?;
        self.index.remove_bucket(&bucket);
        Ok(resp)
    }

    async fn head_bucket(&self, req: S3Request<HeadBucketInput>) -> S3Result<S3Response<HeadBucketOutput>> {
        let mut resp = self.fs.head_bucket(req).await?;
        resp.output.bucket_region = Some(self.region.clone());
        Ok(resp)
    }

    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        self.fs.get_bucket_location(req).await
    }

    async fn list_objects(&self, req: S3Request<ListObjectsInput>) -> S3Result<S3Response<ListObjectsOutput>> {
        let input = req.input;
        let prefix = input.prefix.clone().unwrap_or_default();
        let page = self.list_page(
            &input.bucket,
            &prefix,
            input.delimiter.as_deref(),
            input.marker.as_deref(),
            input.max_keys,
        )?;
        let mut out = ListObjectsOutput {
            name: Some(input.bucket),
            prefix: Some(prefix),
            delimiter: input.delimiter,
            marker: input.marker,
            max_keys: input.max_keys.or(Some(1000)),
            is_truncated: Some(page.next_after.is_some()),
            next_marker: page.next_after.clone(),
            contents: Some(page.objects.into_iter().map(listed_object).collect()),
            common_prefixes: Some(page.prefixes.into_iter().map(|p| CommonPrefix { prefix: Some(p) }).collect()),
            encoding_type: input.encoding_type.clone(),
            ..Default::default()
        };
        if wants_url_encoding(input.encoding_type.as_ref()) {
            encode_listing(&mut out.contents, &mut out.common_prefixes);
            for field in [&mut out.prefix, &mut out.delimiter, &mut out.marker, &mut out.next_marker] {
                url_encode_in_place(field);
            }
        }
        Ok(S3Response::new(out))
    }

    async fn list_objects_v2(&self, req: S3Request<ListObjectsV2Input>) -> S3Result<S3Response<ListObjectsV2Output>> {
        let input = req.input;
        let prefix = input.prefix.clone().unwrap_or_default();
        let token = match &input.continuation_token {
            Some(token) => Some(decode_token(token)?),
            None => None,
        };
        let after = token.as_deref().or(input.start_after.as_deref());
        let page = self.list_page(&input.bucket, &prefix, input.delimiter.as_deref(), after, input.max_keys)?;
        let key_count = (page.objects.len() + page.prefixes.len()) as i32;
        let mut out = ListObjectsV2Output {
            name: Some(input.bucket),
            prefix: Some(prefix),
            delimiter: input.delimiter,
            max_keys: input.max_keys.or(Some(1000)),
            key_count: Some(key_count),
            continuation_token: input.continuation_token,
            start_after: input.start_after,
            is_truncated: Some(page.next_after.is_some()),
            next_continuation_token: page.next_after.as_deref().map(encode_token),
            contents: Some(page.objects.into_iter().map(listed_object).collect()),
            common_prefixes: Some(page.prefixes.into_iter().map(|p| CommonPrefix { prefix: Some(p) }).collect()),
            encoding_type: input.encoding_type.clone(),
            ..Default::default()
        };
        if wants_url_encoding(input.encoding_type.as_ref()) {
            encode_listing(&mut out.contents, &mut out.common_prefixes);
            for field in [&mut out.prefix, &mut out.delimiter, &mut out.start_after] {
                url_encode_in_place(field);
            }
        }
        Ok(S3Response::new(out))
    }

    async fn head_object(&self, mut req: S3Request<HeadObjectInput>) -> S3Result<S3Response<HeadObjectOutput>> {
        req.input.key = stored_name(&req.input.key);
        self.fs.head_object(req).await
    }

    async fn get_object(&self, mut req: S3Request<GetObjectInput>) -> S3Result<S3Response<GetObjectOutput>> {
        req.input.key = stored_name(&req.input.key);
        let input = &req.input;
        let disposition = input.response_content_disposition.clone();
        let content_type = input.response_content_type.clone();
        let cache_control = input.response_cache_control.clone();
        let content_encoding = input.response_content_encoding.clone();
        let content_language = input.response_content_language.clone();
        let mut resp = self.fs.get_object(req).await?;
        let out = &mut resp.output;
        out.content_disposition = disposition.or(out.content_disposition.take());
        out.content_type = content_type.or(out.content_type.take());
        out.cache_control = cache_control.or(out.cache_control.take());
        out.content_encoding = content_encoding.or(out.content_encoding.take());
        out.content_language = content_language.or(out.content_language.take());
        Ok(resp)
    }

    async fn put_object(&self, mut req: S3Request<PutObjectInput>) -> S3Result<S3Response<PutObjectOutput>> {
        let (bucket, key) = (req.input.bucket.clone(), std::mem::take(&mut req.input.key));
        req.input.key = stored_name(&key);
        let resp = self.fs.put_object(req).await?;
        self.index_written(&bucket, &key, resp.output.e_tag.as_ref())?;
        Ok(resp)
    }

    async fn copy_object(&self, mut req: S3Request<CopyObjectInput>) -> S3Result<S3Response<CopyObjectOutput>> {
        if let CopySource::Bucket { key, .. } = &mut req.input.copy_source {
            *key = stored_name(key).into();
        }
        let (bucket, key) = (req.input.bucket.clone(), std::mem::take(&mut req.input.key));
        req.input.key = stored_name(&key);
        let resp = self.fs.copy_object(req).await?;
        let etag = resp.output.copy_object_result.as_ref().and_then(|r| r.e_tag.as_ref());
        self.index_written(&bucket, &key, etag)?;
        Ok(resp)
    }

    async fn delete_object(&self, mut req: S3Request<DeleteObjectInput>) -> S3Result<S3Response<DeleteObjectOutput>> {
        let (bucket, key) = (req.input.bucket.clone(), std::mem::take(&mut req.input.key));
        req.input.key = stored_name(&key);
        let resp = self.fs.delete_object(req).await?;
        self.index.remove(&bucket, &key);
        Ok(resp)
    }

    async fn delete_objects(
        &self,
        mut req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        let bucket = req.input.bucket.clone();
        let mut real_keys = HashMap::new();
        for object in &mut req.input.delete.objects {
            let stored = stored_name(&object.key);
            real_keys.insert(stored.clone(), std::mem::replace(&mut object.key, stored));
        }
        let mut resp = self.fs.delete_objects(req).await?;
        let real = |key: &mut Option<String>| {
            if let Some(k) = key.as_mut().and_then(|k| real_keys.get(k.as_str())) {
                *key = Some(k.clone());
            }
        };
        for deleted in resp.output.deleted.iter_mut().flatten() {
            real(&mut deleted.key);
            if let Some(key) = &deleted.key {
                self.index.remove(&bucket, key);
            }
        }
        for error in resp.output.errors.iter_mut().flatten() {
            real(&mut error.key);
        }
        Ok(resp)
    }

    async fn create_multipart_upload(
        &self,
        mut req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let bucket = req.input.bucket.clone();
        let key = std::mem::take(&mut req.input.key);
        req.input.key = stored_name(&key);
        let mut resp = self.fs.create_multipart_upload(req).await?;
        resp.output.key = Some(key.clone());
        if let Some(upload_id) = &resp.output.upload_id {
            let record = OpenUpload { bucket, key, initiated: SystemTime::now() };
            let json = serde_json::to_vec(&record).map_err(internal)?;
            tokio::fs::write(self.upload_record(upload_id)?, json).await.map_err(internal)?;
        }
        Ok(resp)
    }

    async fn upload_part(&self, mut req: S3Request<UploadPartInput>) -> S3Result<S3Response<UploadPartOutput>> {
        self.require_open(&req.input.upload_id).await?;
        req.input.key = stored_name(&req.input.key);
        self.fs.upload_part(req).await
    }

    async fn list_parts(&self, mut req: S3Request<ListPartsInput>) -> S3Result<S3Response<ListPartsOutput>> {
        let upload_id = req.input.upload_id.clone();
        self.require_open(&upload_id).await?;
        let key = std::mem::take(&mut req.input.key);
        req.input.key = stored_name(&key);
        let mut resp = self.fs.list_parts(req).await?;
        resp.output.key = Some(key);
        if let Some(parts) = &mut resp.output.parts {
            parts.sort_by_key(|p| p.part_number);
            for part in parts {
                if let Some(number) = part.part_number {
                    part.e_tag = self.part_etag(&upload_id, number).await.map(ETag::Strong);
                }
            }
        }
        Ok(resp)
    }

    async fn complete_multipart_upload(
        &self,
        mut req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let upload_id = req.input.upload_id.clone();
        self.require_open(&upload_id).await?;
        let (bucket, key) = (req.input.bucket.clone(), std::mem::take(&mut req.input.key));
        req.input.key = stored_name(&key);
        let mut resp = self.fs.complete_multipart_upload(req).await?;
        self.index_written(&bucket, &key, resp.output.e_tag.as_ref())?;
        resp.output.key = Some(key);
        self.forget_upload(&upload_id).await;
        Ok(resp)
    }

    async fn abort_multipart_upload(
        &self,
        mut req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let upload_id = req.input.upload_id.clone();
        self.require_open(&upload_id).await?;
        req.input.key = stored_name(&req.input.key);
        let resp = self.fs.abort_multipart_upload(req).await?;
        self.forget_upload(&upload_id).await;
        Ok(resp)
    }

    async fn list_multipart_uploads(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        let input = req.input;
        let prefix = input.prefix.unwrap_or_default();
        let mut uploads = Vec::new();
        let mut dir = tokio::fs::read_dir(&self.uploads_dir).await.map_err(internal)?;
        while let Some(entry) = dir.next_entry().await.map_err(internal)? {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(upload_id) = name.strip_suffix(".json") else {
                continue;
            };
            let Ok(bytes) = tokio::fs::read(entry.path()).await else {
                continue;
            };
            let Ok(record) = serde_json::from_slice::<OpenUpload>(&bytes) else {
                continue;
            };
            if record.bucket == input.bucket && record.key.starts_with(&prefix) {
                uploads.push(MultipartUpload {
                    key: Some(record.key),
                    upload_id: Some(upload_id.to_owned()),
                    initiated: Some(record.initiated.into()),
                    ..Default::default()
                });
            }
        }
        uploads.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(S3Response::new(ListMultipartUploadsOutput {
            bucket: Some(input.bucket),
            prefix: Some(prefix),
            is_truncated: Some(false),
            uploads: Some(uploads),
            ..Default::default()
        }))
    }
}
