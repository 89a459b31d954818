//! Single-object calls: details and delete.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::listing::to_chrono;
use super::{S3Location, Store, StoreError};

/// What S3 knows of one object (HeadObject).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectDetails {
    /// Size in bytes.
    pub size: u64,
    /// Content type, if stored.
    pub content_type: Option<String>,
    /// Last modification.
    pub last_modified: Option<DateTime<Utc>>,
    /// ETag without quotes.
    pub etag: Option<String>,
    /// Storage class, if the server says.
    pub storage_class: Option<String>,
}

impl Store {
    /// The details of an object; [`StoreError::NoSuchKey`] when it is not there.
    pub async fn object_details(&self, location: &S3Location) -> Result<ObjectDetails, StoreError> {
        location.require_object()?;
        let client = self.client_for_bucket(&location.bucket).await?;
        let out =
            client.head_object().bucket(&location.bucket).key(&location.key).send().await.map_err(|e| {
                self.context("read object details").bucket(&location.bucket).key(&location.key).classify(e)
            })?;
        Ok(ObjectDetails {
            size: out.content_length.unwrap_or(0).max(0) as u64,
            content_type: out.content_type,
            last_modified: out.last_modified.as_ref().and_then(to_chrono),
            etag: out.e_tag.map(|e| e.trim_matches('"').to_owned()),
            storage_class: out.storage_class.map(|c| c.as_str().to_owned()),
        })
    }

    /// Deletes an object. Fails with [`StoreError::NoSuchKey`] when there is nothing to delete
    /// (S3 itself would silently answer "done").
    pub async fn delete_object(&self, location: &S3Location) -> Result<(), StoreError> {
        self.object_details(location).await?;
        let client = self.client_for_bucket(&location.bucket).await?;
        client
            .delete_object()
            .bucket(&location.bucket)
            .key(&location.key)
            .send()
            .await
            .map_err(|e| self.context("delete").bucket(&location.bucket).key(&location.key).classify(e))?;
        Ok(())
    }

    /// Multipart uploads the server holds open under `prefix` (begun by any tool, neither completed
    /// nor aborted: their parts take space), in key order, every page of them.
    pub async fn open_multipart_uploads(&self, bucket: &str, prefix: &str) -> Result<Vec<OpenUpload>, StoreError> {
        let client = self.client_for_bucket(bucket).await?;
        let mut uploads = Vec::new();
        let (mut key_marker, mut upload_id_marker) = (None, None);
        loop {
            let page = client
                .list_multipart_uploads()
                .bucket(bucket)
                .prefix(prefix)
                .set_key_marker(key_marker.take())
                .set_upload_id_marker(upload_id_marker.take())
                .send()
                .await
                .map_err(|e| self.context("list multipart uploads").bucket(bucket).classify(e))?;
            uploads.extend(page.uploads.unwrap_or_default().into_iter().filter_map(|u| {
                Some(OpenUpload {
                    key: u.key?,
                    upload_id: u.upload_id?,
                    initiated: u.initiated.as_ref().and_then(to_chrono),
                })
            }));
            // A server that says "truncated" without a marker to go on from would loop forever.
            if page.is_truncated != Some(true) || page.next_key_marker.is_none() {
                return Ok(uploads);
            }
            (key_marker, upload_id_marker) = (page.next_key_marker, page.next_upload_id_marker);
        }
    }
}

/// A multipart upload the server holds open: begun, neither completed nor aborted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenUpload {
    /// The key it would create.
    pub key: String,
    /// The server's id for it.
    pub upload_id: String,
    /// When it was begun.
    pub initiated: Option<DateTime<Utc>>,
}
