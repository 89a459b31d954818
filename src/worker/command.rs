//! What the window asks the worker to do.

use std::path::PathBuf;

use crate::app::settings::SavedConnection;
use crate::share::LinkRequest;
use crate::store::{ConnectionConfig, PendingUpload, S3Location, UploadJournal};

/// Identifies one upload or download.
pub type TransferId = u64;

/// What to do when an upload's target already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// Stop and ask the user ([`super::Event::UploadConflict`]).
    Ask,
    /// Replace the existing object.
    Replace,
    /// Upload under a free name: "name (1).ext", "name (2).ext", …
    KeepBoth,
}

/// Why a link is being made: decides what the window does with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Put the URL on the clipboard.
    CopyUrl,
    /// Put the ready curl command on the clipboard.
    CopyCurl,
    /// Just show it (QR code, preview).
    Show,
    /// Copy the link of this finished upload (with the rest of its batch, if it has one).
    CopyAfterUpload(TransferId),
}

/// A request from the window. Every variant ends in one or more [`super::Event`]s.
#[derive(Debug)]
pub enum Command {
    /// Connect with these settings, replacing the current connection.
    Connect {
        /// The connection settings.
        config: ConnectionConfig,
        /// Where this connection's multipart uploads are recorded while they run (`None`: nowhere).
        journal: Option<UploadJournal>,
    },
    /// List the buckets.
    ListBuckets,
    /// List one folder, page by page; events carry `generation` so stale pages can be dropped.
    ListFolder {
        /// The folder (key empty or ending in `/`).
        folder: S3Location,
        /// Which navigation this listing belongs to.
        generation: u64,
    },
    /// Upload a local file to a folder or an exact key.
    Upload {
        /// The transfer's id, chosen by the window.
        id: TransferId,
        /// The local file.
        source: PathBuf,
        /// Folder (same name) or exact key.
        target: S3Location,
        /// What to do if the object exists.
        on_conflict: OnConflict,
    },
    /// Download an object to a local file.
    Download {
        /// The transfer's id.
        id: TransferId,
        /// The object.
        source: S3Location,
        /// The local file to write (the user confirmed replacing it in the save dialog).
        dest: PathBuf,
    },
    /// Finish an upload that was cut off when the app last closed.
    ResumeUpload {
        /// The transfer's id.
        id: TransferId,
        /// The upload, as recorded.
        pending: PendingUpload,
    },
    /// Give up an upload that was cut off: abort it on the server and forget it.
    DiscardUpload {
        /// The upload, as recorded.
        pending: PendingUpload,
    },
    /// Cancel a transfer (aborts a multipart upload).
    Cancel {
        /// The transfer.
        id: TransferId,
    },
    /// Delete an object.
    Delete {
        /// The object.
        location: S3Location,
    },
    /// Read an object's details (HeadObject).
    Details {
        /// The object.
        location: S3Location,
    },
    /// Make a presigned link.
    MakeLink {
        /// What link.
        request: LinkRequest,
        /// What to do with it.
        purpose: LinkPurpose,
    },
    /// Open the native dialog to pick files to upload into `folder`.
    PickUploadFiles {
        /// Where they go.
        folder: S3Location,
    },
    /// Write typed keys to the `~/.aws/credentials` profile the connection names, then save it.
    SaveConnection {
        /// The connection (its `profile` names where the keys go).
        connection: SavedConnection,
        /// Keys to store, if the user typed them.
        keys: Option<(String, Secret)>,
        /// The credentials file to write them to.
        credentials_file: Option<std::path::PathBuf>,
    },
    /// Start (or restart) the built-in store kept in `dir`.
    StartLocalStore {
        /// Its folder.
        dir: std::path::PathBuf,
        /// Who can reach it.
        reach: crate::local::embedded::Reach,
    },
    /// Encode a link as a QR code (answered by [`super::Event::QrEncoded`]).
    EncodeQr {
        /// The link.
        url: String,
    },
    /// Open the native save dialog for downloading `source`.
    PickDownloadTarget {
        /// The object to download.
        source: S3Location,
    },
}

/// A secret the user typed: its `Debug` output is redacted, so logging a command never leaks it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("** redacted **")
    }
}
