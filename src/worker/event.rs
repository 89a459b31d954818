//! What the worker reports back to the window.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::{LinkPurpose, TransferId};
use crate::app::settings::SavedConnection;
use crate::share::{LinkQrCode, ShareError, ShareLink};
use crate::store::{
    BucketEntry, DownloadOutcome, ListingPage, ObjectDetails, PendingUpload, S3Location, StoreError, TransferProgress,
    UploadOutcome,
};

/// Who is connected where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSummary {
    /// The custom endpoint, or `None` for AWS.
    pub endpoint: Option<String>,
    /// The default region.
    pub region: String,
    /// The access key id, shortened for display (e.g. `AKIA…WXYZ`).
    pub identity: String,
    /// When the credentials end, if they do.
    pub credentials_expire_at: Option<DateTime<Utc>>,
}

/// An upload cut off when the app last closed, as found on the next start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterruptedUpload {
    /// The record of it.
    pub pending: PendingUpload,
    /// Bytes the server already holds, when it could say.
    pub uploaded: Option<u64>,
}

/// A report from the worker. Each failure arrives exactly once, as a typed error.
#[derive(Debug)]
pub enum Event {
    /// The connection is ready.
    Connected(ConnectionSummary),
    /// Uploads of this connection that were cut off when the app last closed (sent after `Connected`).
    InterruptedUploads(Vec<InterruptedUpload>),
    /// A cut-off upload was discarded (aborted on the server), or not.
    UploadDiscarded {
        /// The upload.
        pending: PendingUpload,
        /// Success or why not.
        result: Result<(), StoreError>,
    },
    /// Connecting failed.
    ConnectFailed(StoreError),
    /// The bucket list.
    Buckets(Result<Vec<BucketEntry>, StoreError>),
    /// A bucket's region, learnt when it was opened.
    BucketRegion {
        /// The bucket.
        bucket: String,
        /// Its region.
        region: String,
    },
    /// One page of a folder listing.
    FolderPage {
        /// The listing's generation.
        generation: u64,
        /// The page.
        page: ListingPage,
    },
    /// The folder listing is complete.
    FolderDone {
        /// The listing's generation.
        generation: u64,
    },
    /// The folder listing failed.
    FolderFailed {
        /// The listing's generation.
        generation: u64,
        /// Why.
        error: StoreError,
    },
    /// A transfer started (the target is now known, e.g. after "keep both" renaming).
    TransferStarted {
        /// The transfer.
        id: TransferId,
        /// The object uploaded to or downloaded from.
        object: S3Location,
    },
    /// Bytes moved.
    TransferProgress {
        /// The transfer.
        id: TransferId,
        /// How far.
        progress: TransferProgress,
    },
    /// The upload's target exists: the window asks what to do.
    UploadConflict {
        /// The transfer.
        id: TransferId,
        /// The existing object.
        existing: S3Location,
    },
    /// An upload finished.
    UploadDone {
        /// The transfer.
        id: TransferId,
        /// What was stored.
        outcome: UploadOutcome,
    },
    /// A download finished.
    DownloadDone {
        /// The transfer.
        id: TransferId,
        /// What was written.
        outcome: DownloadOutcome,
    },
    /// A transfer failed or was cancelled ([`StoreError::Cancelled`]).
    TransferFailed {
        /// The transfer.
        id: TransferId,
        /// Why.
        error: StoreError,
    },
    /// A link was made (or not).
    Link {
        /// What it was for.
        purpose: LinkPurpose,
        /// The link or why not.
        result: Result<ShareLink, ShareError>,
    },
    /// A link encoded as a QR code.
    QrEncoded {
        /// The link.
        url: String,
        /// Its QR code, or `None` when it is too long for one.
        code: Option<LinkQrCode>,
    },
    /// An object was deleted (or not).
    Deleted {
        /// The object.
        location: S3Location,
        /// Success or why not.
        result: Result<(), StoreError>,
    },
    /// An object's details.
    Details {
        /// The object.
        location: S3Location,
        /// The details or why not.
        result: Result<ObjectDetails, StoreError>,
    },
    /// Files chosen in the upload dialog.
    FilesPicked {
        /// Where they go.
        folder: S3Location,
        /// The files (empty if the user cancelled).
        files: Vec<PathBuf>,
    },
    /// A destination chosen in the save dialog.
    DownloadTargetPicked {
        /// The object.
        source: S3Location,
        /// The file to write, or `None` if cancelled.
        dest: Option<PathBuf>,
    },
    /// A connection was saved (its keys written to the credentials file), or not.
    ConnectionSaved {
        /// The connection.
        connection: SavedConnection,
        /// Success, or why the keys could not be written.
        result: Result<(), String>,
    },
    /// The built-in store runs.
    LocalStoreReady {
        /// Its endpoint.
        endpoint: String,
        /// Its access key id.
        access_key: String,
        /// Its secret key (redacted in Debug output).
        secret_key: super::Secret,
        /// Who can reach it.
        reach: crate::local::embedded::Reach,
    },
    /// The built-in store could not start.
    LocalStoreFailed(String),
    /// No native file dialog is available on this system.
    DialogUnavailable,
}
