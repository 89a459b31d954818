//! Listing buckets and folders, one page at a time.

use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::operation::list_objects_v2::{ListObjectsV2Error, ListObjectsV2Output};
use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::DateTime as SmithyDateTime;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{S3Location, Store, StoreError};

/// One bucket of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BucketEntry {
    /// The bucket's name.
    pub name: String,
    /// When it was created, if the server says.
    pub created: Option<DateTime<Utc>>,
    /// The bucket's region, if the server reports it in the listing.
    pub region: Option<String>,
}

/// One object in a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectEntry {
    /// The full key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// Last modification time.
    pub last_modified: Option<DateTime<Utc>>,
    /// The ETag, without quotes.
    pub etag: Option<String>,
    /// The storage class (STANDARD, GLACIER, …) if the server says.
    pub storage_class: Option<String>,
}

/// One page of a folder listing: the sub-folders (full prefixes ending in the delimiter) and the objects.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ListingPage {
    /// Sub-folders, as full prefixes ending with `/`.
    pub folders: Vec<String>,
    /// Objects directly in the folder (or, in a recursive listing, anywhere below it).
    pub objects: Vec<ObjectEntry>,
}

/// A listing in progress: call [`FolderListing::next_page`] until it returns `None`.
/// Each call fetches one page, so the first page can be shown before the second is asked for.
pub struct FolderListing {
    pages: PaginationStream<Result<ListObjectsV2Output, SdkError<ListObjectsV2Error, HttpResponse>>>,
    bucket: String,
    context_endpoint: Option<String>,
}

impl FolderListing {
    /// The next page, or `None` when the listing is complete.
    pub async fn next_page(&mut self) -> Option<Result<ListingPage, StoreError>> {
        let page = self.pages.next().await?;
        Some(page.map(page_from_output).map_err(|err| {
            super::error::CallContext::new("list objects")
                .bucket(&self.bucket)
                .endpoint(self.context_endpoint.as_deref())
                .classify(err)
        }))
    }
}

fn page_from_output(out: ListObjectsV2Output) -> ListingPage {
    ListingPage {
        folders: out.common_prefixes.unwrap_or_default().into_iter().filter_map(|p| p.prefix).collect(),
        objects: out
            .contents
            .unwrap_or_default()
            .into_iter()
            .filter_map(|o| {
                Some(ObjectEntry {
                    size: o.size.unwrap_or(0).max(0) as u64,
                    last_modified: o.last_modified.as_ref().and_then(to_chrono),
                    etag: o.e_tag.map(|e| e.trim_matches('"').to_owned()),
                    storage_class: o.storage_class.map(|c| c.as_str().to_owned()),
                    key: o.key?,
                })
            })
            .collect(),
    }
}

/// Converts an SDK timestamp to chrono.
pub(crate) fn to_chrono(t: &SmithyDateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

impl Store {
    /// Lists the buckets the credentials can see.
    pub async fn list_buckets(&self) -> Result<Vec<BucketEntry>, StoreError> {
        let client = self.client_for_region(self.default_region());
        let mut buckets = Vec::new();
        let mut pages = client.list_buckets().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.context("list buckets").classify(e))?;
            buckets.extend(page.buckets.unwrap_or_default().into_iter().filter_map(|b| {
                Some(BucketEntry {
                    created: b.creation_date.as_ref().and_then(to_chrono),
                    region: b.bucket_region,
                    name: b.name?,
                })
            }));
        }
        Ok(buckets)
    }

    /// Lists one folder (`recursive == false`: sub-folders and the objects directly in it) or
    /// every key below the prefix (`recursive == true`). The listing is fetched page by page.
    pub async fn list_folder(&self, folder: &S3Location, recursive: bool) -> Result<FolderListing, StoreError> {
        let client = self.client_for_bucket(&folder.bucket).await?;
        let mut request = client.list_objects_v2().bucket(&folder.bucket).prefix(&folder.key);
        if !recursive {
            request = request.delimiter("/");
        }
        Ok(FolderListing {
            pages: request.into_paginator().send(),
            bucket: folder.bucket.clone(),
            context_endpoint: self.endpoint().map(str::to_owned),
        })
    }

    /// Creates a bucket in the connection's default region.
    pub async fn create_bucket(&self, bucket: &str) -> Result<(), StoreError> {
        super::validate_bucket_name(bucket)?;
        let client = self.client_for_region(self.default_region());
        let mut request = client.create_bucket().bucket(bucket);
        if self.default_region() != super::FALLBACK_REGION {
            request = request.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(self.default_region().into())
                    .build(),
            );
        }
        request.send().await.map_err(|e| self.context("create bucket").bucket(bucket).classify(e))?;
        Ok(())
    }
}
