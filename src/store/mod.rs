//! Everything that speaks S3: connect, list, upload, download, delete, presign.
//!
//! Knows nothing of windows or terminals; every failure is a [`StoreError`].

mod connection;
pub(crate) mod credentials;
mod download;
mod error;
mod journal;
mod listing;
mod location;
mod objects;
mod presign;
mod server_clock;
mod upload;

pub use connection::{ConnectionConfig, FALLBACK_REGION, ProfileFiles, Store, validate_endpoint_url};
pub use credentials::CredentialsCache;
pub use download::{DownloadOutcome, download_target};
pub use error::{LocalFileProblem, StoreError};
pub use journal::{PendingUpload, UploadJournal};
pub use listing::{BucketEntry, FolderListing, ListingPage, ObjectEntry};
pub use location::{MAX_KEY_BYTES, S3Location, validate_bucket_name};
pub use objects::{ObjectDetails, OpenUpload};
pub use presign::{PresignMethod, PresignedRequest};
pub use server_clock::SKEW_TOLERANCE;
pub use upload::{
    MAX_PARTS, MIN_PART_SIZE, ProgressFn, TransferProgress, UploadOptions, UploadOutcome, guess_content_type,
    upload_target,
};
