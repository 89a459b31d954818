//! The window's state and its transitions: plain functions of (state, event) and (state, user action)
//! that return the commands to send. No drawing, no I/O, so they are unit-tested directly.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::batch::UploadBatch;
use super::browser::{Browser, ListingStatus};
use super::connections::{ConnectionChoice, THIS_COMPUTER};
use super::settings::Settings;
use super::transfer::{Transfer, TransferKind, TransferStatus};
use crate::local::embedded::Reach;
use crate::share::{CredentialEndPolicy, LinkExpiry, LinkKind, LinkQrCode, LinkRequest, ShareLink};
use crate::store::{BucketEntry, ObjectDetails, ObjectEntry, S3Location, StoreError, TransferProgress, UploadJournal};
use crate::worker::{Command, ConnectionSummary, Event, InterruptedUpload, LinkPurpose, OnConflict, TransferId};

/// How long a toast stays.
pub const TOAST_TIME: Duration = Duration::from_secs(6);

/// Toasts shown at once; a newer one pushes out the oldest (fifty uploads finishing make a hundred).
pub const MAX_TOASTS: usize = 3;

/// Where the connection stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ConnectionStatus {
    /// Nothing chosen yet.
    #[default]
    Disconnected,
    /// Connecting.
    Connecting,
    /// Connected.
    Connected(ConnectionSummary),
    /// It failed (the message is in the errors).
    Failed,
}

/// An error as the window shows it: what failed, why and what to do, with details on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiError {
    /// What was being done ("Could not list the buckets").
    pub title: String,
    /// Why, and what to do (the error's message).
    pub message: String,
    /// Technical details.
    pub details: String,
}

impl UiError {
    fn new(title: impl Into<String>, error: &(impl std::fmt::Display + std::fmt::Debug)) -> Self {
        UiError { title: title.into(), message: error.to_string(), details: format!("{error:?}") }
    }
}

/// A short message in the corner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    /// The text.
    pub text: String,
    /// When it goes away.
    pub until: Instant,
}

/// Download link or upload link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkMode {
    /// A link to download the selected object.
    #[default]
    Download,
    /// A link for someone to upload into the current folder.
    Upload,
}

/// The share panel's inputs and its last link.
#[derive(Debug, Clone, Default)]
pub struct ShareForm {
    /// Download or upload link.
    pub mode: LinkMode,
    /// File name for the download (empty: the object's own).
    pub download_name: String,
    /// Upload mode: the name the colleague's file will get in the current folder.
    pub upload_name: String,
    /// Upload mode: the content type the uploader must send (empty: none).
    pub content_type: String,
    /// The last link made, for the QR code and "copy as curl".
    pub last_link: Option<ShareLink>,
    /// A recent link and its QR code (`None`: too long for one), encoded by the worker; shown while
    /// that link is the last one.
    pub qr: Option<(String, Option<LinkQrCode>)>,
}

/// Everything the window shows.
pub struct AppState {
    /// Persisted settings.
    pub settings: Settings,
    /// Connections the picker offers.
    pub choices: Vec<ConnectionChoice>,
    /// The chosen connection (index into `choices`).
    pub current_choice: Option<usize>,
    /// Where the connection stands.
    pub connection: ConnectionStatus,
    /// The buckets.
    pub buckets: Vec<BucketEntry>,
    /// The bucket list is being fetched.
    pub buckets_loading: bool,
    /// The folder being browsed.
    pub browser: Browser,
    /// Key to select once it shows up in the listing (e.g. a file just uploaded).
    pub select_when_listed: Option<String>,
    /// The share panel.
    pub share: ShareForm,
    /// Details of the selected object.
    pub details: Option<(S3Location, Result<ObjectDetails, String>)>,
    /// Uploads and downloads.
    pub transfers: Vec<Transfer>,
    next_transfer_id: TransferId,
    /// Uploads started together whose links are copied together once all are settled.
    pub upload_batches: Vec<UploadBatch>,
    /// Uploads waiting for "replace / keep both / skip".
    pub conflicts: VecDeque<(TransferId, S3Location)>,
    /// An object waiting for delete confirmation.
    pub confirm_delete: Option<S3Location>,
    /// Errors not yet dismissed.
    pub errors: Vec<UiError>,
    /// Toasts.
    pub toasts: Vec<Toast>,
    /// Text the window must put on the clipboard this frame.
    pub clipboard_out: Option<String>,
    /// AWS profile files to use instead of the default ones.
    pub profile_files: Option<crate::store::ProfileFiles>,
    /// The built-in store's folder (`None`: no built-in store).
    pub local_store_dir: Option<PathBuf>,
    /// Who can reach the built-in store.
    pub local_reach: Reach,
    /// Show the first-run welcome.
    pub show_welcome: bool,
    /// The file multipart uploads are recorded in while they run (`None`: not recorded).
    pub upload_journal: Option<PathBuf>,
    /// Uploads cut off when the app last closed, waiting for "resume" or "discard".
    pub interrupted: Vec<InterruptedUpload>,
}

impl AppState {
    /// A state with these settings and connection choices.
    pub fn new(settings: Settings, choices: Vec<ConnectionChoice>) -> Self {
        AppState {
            settings,
            choices,
            current_choice: None,
            connection: ConnectionStatus::Disconnected,
            buckets: Vec::new(),
            buckets_loading: false,
            browser: Browser::default(),
            select_when_listed: None,
            share: ShareForm::default(),
            details: None,
            transfers: Vec::new(),
            next_transfer_id: 1,
            upload_batches: Vec::new(),
            conflicts: VecDeque::new(),
            confirm_delete: None,
            errors: Vec::new(),
            toasts: Vec::new(),
            clipboard_out: None,
            profile_files: None,
            local_store_dir: None,
            local_reach: Reach::ThisComputer,
            show_welcome: false,
            upload_journal: None,
            interrupted: Vec::new(),
        }
    }

    /// True when connected (or connecting) to the built-in store.
    pub fn on_this_computer(&self) -> bool {
        self.current_choice.and_then(|i| self.choices.get(i)).is_some_and(|c| c.name == THIS_COMPUTER)
    }

    /// Restarts the built-in store for `reach` (this computer only, or the local network).
    pub fn set_local_reach(&mut self, reach: Reach) -> Vec<Command> {
        self.local_reach = reach;
        self.local_store_dir.clone().map(|dir| Command::StartLocalStore { dir, reach }).into_iter().collect()
    }

    /// The credentials file typed keys are written to.
    pub fn credentials_file(&self) -> Option<PathBuf> {
        match &self.profile_files {
            Some(files) => Some(files.credentials.clone()),
            None => super::connections::default_credentials_file(),
        }
    }

    // ----- user actions -----

    /// Connects with choice `index`.
    pub fn choose_connection(&mut self, index: usize) -> Vec<Command> {
        let Some(choice) = self.choices.get(index) else { return Vec::new() };
        if self.settings.last_connection.as_deref() != Some(&choice.name) {
            self.settings.last_connection = Some(choice.name.clone());
            self.settings.last_bucket = None;
            self.settings.last_folder.clear();
        }
        self.current_choice = Some(index);
        self.connection = ConnectionStatus::Connecting;
        self.buckets.clear();
        self.browser = Browser::default();
        self.details = None;
        let mut config = choice.config();
        config.profile_files = self.profile_files.clone();
        self.interrupted.clear();
        let journal = self.upload_journal.as_ref().map(|path| UploadJournal::new(path, &choice.name));
        vec![Command::Connect { config, journal }]
    }

    /// Opens a folder (bucket root: empty key).
    pub fn open_folder(&mut self, folder: S3Location) -> Vec<Command> {
        self.settings.last_bucket = Some(folder.bucket.clone());
        self.settings.last_folder = folder.key.clone();
        self.details = None;
        self.share.last_link = None;
        let generation = self.browser.open(folder.clone());
        vec![Command::ListFolder { folder, generation }]
    }

    /// Opens a bucket at its root.
    pub fn open_bucket(&mut self, bucket: &str) -> Vec<Command> {
        self.open_folder(S3Location { bucket: bucket.to_owned(), key: String::new() })
    }

    /// Lists the buckets and the current folder again (F5), keeping the selection if it is still there.
    pub fn refresh(&mut self) -> Vec<Command> {
        let mut commands = self.reload_folder();
        commands.extend(self.reload_buckets());
        commands
    }

    /// Lists the current folder again, keeping the filter, and the selection if it is still there.
    fn reload_folder(&mut self) -> Vec<Command> {
        let Some(folder) = self.browser.folder.clone() else { return Vec::new() };
        self.select_when_listed = self.browser.selected_row().map(|r| r.key.clone());
        let filter = self.browser.filter.clone();
        let commands = self.open_folder(folder);
        self.browser.set_filter(filter);
        commands
    }

    fn reload_buckets(&mut self) -> Vec<Command> {
        if matches!(self.connection, ConnectionStatus::Connected(_)) {
            self.buckets_loading = true;
            vec![Command::ListBuckets]
        } else {
            Vec::new()
        }
    }

    /// Goes to the parent folder.
    pub fn go_up(&mut self) -> Vec<Command> {
        match self.browser.parent() {
            Some(parent) => self.open_folder(parent),
            None => Vec::new(),
        }
    }

    /// Activates the selected row: opens a folder; for an object, nothing (it is already selected).
    pub fn activate_selection(&mut self) -> Vec<Command> {
        let Some(row) = self.browser.selected_row().cloned() else { return Vec::new() };
        let Some(folder) = self.browser.folder.clone() else { return Vec::new() };
        if row.is_folder { self.open_folder(S3Location { bucket: folder.bucket, key: row.key }) } else { Vec::new() }
    }

    /// Selects row `index` (into `browser.rows`) and asks for its details if it is an object.
    pub fn select_row(&mut self, index: usize) -> Vec<Command> {
        if self.browser.selected == Some(index) {
            return Vec::new();
        }
        self.browser.selected = Some(index);
        let object = self.browser.selected_object();
        // Keep the last link only while its object stays selected (e.g. the file just uploaded).
        let same_object = |link: &ShareLink| object.as_ref().is_some_and(|o| o.to_string() == link.object);
        if !self.share.last_link.as_ref().is_some_and(same_object) {
            self.share.last_link = None;
        }
        self.share.download_name.clear();
        match object {
            Some(location) => {
                self.details = None;
                vec![Command::Details { location }]
            }
            None => {
                self.details = None;
                Vec::new()
            }
        }
    }

    /// The link lifetime chosen.
    pub fn expiry(&self) -> LinkExpiry {
        let secs = self.settings.expiry_secs.clamp(LinkExpiry::MIN.as_secs(), LinkExpiry::MAX.as_secs());
        LinkExpiry::from_secs(secs).expect("clamped into range")
    }

    /// The link the share panel would make now, if it can.
    pub fn link_request(&self) -> Option<LinkRequest> {
        let (location, kind) = match self.share.mode {
            LinkMode::Download => {
                let name = self.share.download_name.trim();
                (
                    self.browser.selected_object()?,
                    LinkKind::Download { download_name: (!name.is_empty()).then(|| name.to_owned()), version_id: None },
                )
            }
            LinkMode::Upload => {
                let folder = self.browser.folder.as_ref()?;
                let name = self.share.upload_name.trim();
                if name.is_empty() {
                    return None;
                }
                let content_type = self.share.content_type.trim();
                (
                    S3Location::new(folder.bucket.clone(), format!("{}{name}", folder.key)).ok()?,
                    LinkKind::Upload { content_type: (!content_type.is_empty()).then(|| content_type.to_owned()) },
                )
            }
        };
        Some(LinkRequest { location, kind, expiry: self.expiry(), policy: CredentialEndPolicy::Warn })
    }

    /// Asks for a link with `purpose`.
    pub fn make_link(&mut self, purpose: LinkPurpose) -> Vec<Command> {
        self.link_request().map(|request| Command::MakeLink { request, purpose }).into_iter().collect()
    }

    /// When the credentials end, if that is before a link made now would: the link's real end.
    pub fn credentials_cut_short(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let ConnectionStatus::Connected(summary) = &self.connection else { return None };
        let end = summary.credentials_expire_at?;
        (end < now + self.expiry().duration()).then_some(end)
    }

    /// Uploads `files` into `folder`: the one path for the file dialog and for dropped files.
    pub fn upload_files(&mut self, files: Vec<PathBuf>, folder: &S3Location) -> Vec<Command> {
        if files.len() > 1 && self.settings.copy_link_after_upload {
            // The ids the loop below hands out, in file order.
            let first = self.next_transfer_id;
            self.upload_batches.push(UploadBatch::new((first..first + files.len() as TransferId).collect()));
        }
        files
            .into_iter()
            .map(|source| {
                let id = self.next_transfer_id;
                self.next_transfer_id += 1;
                let name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let object = S3Location { bucket: folder.bucket.clone(), key: format!("{}{name}", folder.key) };
                self.transfers.push(Transfer::queued(
                    id,
                    TransferKind::Upload,
                    source.clone(),
                    object,
                    TransferProgress { done: 0, total: 0 },
                ));
                Command::Upload { id, source, target: folder.clone(), on_conflict: OnConflict::Ask }
            })
            .collect()
    }

    /// Finishes the cut-off upload `index` of [`AppState::interrupted`], as a transfer.
    pub fn resume_interrupted(&mut self, index: usize) -> Vec<Command> {
        if index >= self.interrupted.len() {
            return Vec::new();
        }
        let InterruptedUpload { pending, uploaded } = self.interrupted.remove(index);
        let id = self.next_transfer_id;
        self.next_transfer_id += 1;
        self.transfers.push(Transfer::queued(
            id,
            TransferKind::Upload,
            pending.source.clone(),
            S3Location { bucket: pending.bucket.clone(), key: pending.key.clone() },
            TransferProgress { done: uploaded.unwrap_or(0), total: pending.size },
        ));
        vec![Command::ResumeUpload { id, pending }]
    }

    /// Gives up the cut-off upload `index` of [`AppState::interrupted`]: aborted on the server.
    pub fn discard_interrupted(&mut self, index: usize) -> Vec<Command> {
        if index >= self.interrupted.len() {
            return Vec::new();
        }
        vec![Command::DiscardUpload { pending: self.interrupted.remove(index).pending }]
    }

    /// Resumes (or discards) every cut-off upload.
    pub fn settle_all_interrupted(&mut self, resume: bool) -> Vec<Command> {
        let mut commands = Vec::new();
        while !self.interrupted.is_empty() {
            commands.extend(if resume { self.resume_interrupted(0) } else { self.discard_interrupted(0) });
        }
        commands
    }

    /// Downloads `source` to `dest`.
    pub fn download_to(&mut self, source: S3Location, dest: PathBuf) -> Vec<Command> {
        let id = self.next_transfer_id;
        self.next_transfer_id += 1;
        self.transfers.push(Transfer::queued(
            id,
            TransferKind::Download,
            dest.clone(),
            source.clone(),
            TransferProgress { done: 0, total: 0 },
        ));
        vec![Command::Download { id, source, dest }]
    }

    /// Answers the first pending conflict: `Some(choice)` to upload anyway, `None` to skip.
    pub fn resolve_conflict(&mut self, choice: Option<OnConflict>) -> Vec<Command> {
        let Some((id, existing)) = self.conflicts.pop_front() else { return Vec::new() };
        let Some(transfer) = self.transfers.iter_mut().find(|t| t.id == id) else { return Vec::new() };
        match choice {
            None | Some(OnConflict::Ask) => {
                transfer.status = TransferStatus::Skipped;
                self.copy_settled_batches();
                Vec::new()
            }
            Some(on_conflict) => {
                transfer.status = TransferStatus::Queued;
                // The existing object's exact key: replaced, or the base of a "name (n)" key.
                vec![Command::Upload { id, source: transfer.local.clone(), target: existing, on_conflict }]
            }
        }
    }

    /// Deletes the object awaiting confirmation.
    pub fn confirm_delete(&mut self) -> Vec<Command> {
        self.confirm_delete.take().map(|location| Command::Delete { location }).into_iter().collect()
    }

    /// Adds a toast, dropping the oldest beyond [`MAX_TOASTS`].
    pub fn toast(&mut self, text: impl Into<String>) {
        self.toasts.push(Toast { text: text.into(), until: Instant::now() + TOAST_TIME });
        let surplus = self.toasts.len().saturating_sub(MAX_TOASTS);
        self.toasts.drain(..surplus);
    }

    // ----- worker events -----

    /// Applies a worker event; returns the follow-up commands.
    pub fn apply(&mut self, event: Event) -> Vec<Command> {
        let commands = self.apply_event(event);
        self.copy_settled_batches();
        commands
    }

    /// The batch `id` belongs to, while its links are being gathered.
    fn batch_of(&mut self, id: TransferId) -> Option<&mut UploadBatch> {
        self.upload_batches.iter_mut().find(|batch| batch.contains(id))
    }

    /// Copies the links of every batch whose uploads are all settled, one per line, in file order.
    fn copy_settled_batches(&mut self) {
        if self.upload_batches.is_empty() {
            return;
        }
        let (settled, waiting): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.upload_batches).into_iter().partition(|batch| batch.is_settled(&self.transfers));
        self.upload_batches = waiting;
        for links in settled.into_iter().map(UploadBatch::into_links) {
            self.copy_links(&links);
        }
    }

    /// Puts `links` on the clipboard, one per line, with a toast naming the earliest end (every link
    /// works at least until then). Nothing for no links.
    fn copy_links(&mut self, links: &[ShareLink]) {
        let Some(first_to_end) = links.iter().min_by_key(|link| link.effective_expires_at) else { return };
        let what = if links.len() == 1 { "Link copied".to_owned() } else { format!("{} links copied", links.len()) };
        let message = copied_message(&what, first_to_end);
        self.clipboard_out = Some(links.iter().map(|link| link.url.as_str()).collect::<Vec<_>>().join("\n"));
        self.toast(message);
    }

    /// [`AppState::apply`] without the batch bookkeeping.
    fn apply_event(&mut self, event: Event) -> Vec<Command> {
        match event {
            Event::Connected(summary) => {
                self.connection = ConnectionStatus::Connected(summary);
                self.buckets_loading = true;
                vec![Command::ListBuckets]
            }
            Event::InterruptedUploads(found) => {
                self.interrupted = found;
                Vec::new()
            }
            Event::UploadDiscarded { pending, result } => {
                let name = pending.source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                match result {
                    Ok(()) => self.toast(format!("Discarded the unfinished upload of {name}")),
                    Err(error) => self
                        .errors
                        .push(UiError::new(format!("Could not discard the unfinished upload of {name}"), &error)),
                }
                Vec::new()
            }
            Event::ConnectFailed(error) => {
                self.connection = ConnectionStatus::Failed;
                self.errors.push(UiError::new("Could not connect", &error));
                Vec::new()
            }
            Event::Buckets(result) => {
                self.buckets_loading = false;
                match result {
                    Ok(mut buckets) => {
                        buckets.sort_by(|a, b| a.name.cmp(&b.name));
                        self.buckets = buckets;
                        let last =
                            self.settings.last_bucket.clone().filter(|b| self.buckets.iter().any(|x| &x.name == b));
                        match last {
                            Some(bucket) if self.browser.folder.is_none() => {
                                let key = self.settings.last_folder.clone();
                                self.open_folder(S3Location { bucket, key })
                            }
                            _ => Vec::new(),
                        }
                    }
                    Err(error) => {
                        self.errors.push(UiError::new("Could not list the buckets", &error));
                        Vec::new()
                    }
                }
            }
            Event::BucketRegion { bucket, region } => {
                if let Some(entry) = self.buckets.iter_mut().find(|b| b.name == bucket) {
                    entry.region = Some(region);
                }
                Vec::new()
            }
            Event::FolderPage { generation, page } => {
                let added = self.browser.add_page(generation, page);
                if let Some(key) = self.select_when_listed.clone()
                    && let Some(index) = added.clone().find(|&i| self.browser.rows[i].key == key)
                {
                    self.select_when_listed = None;
                    return self.select_row(index);
                }
                Vec::new()
            }
            Event::FolderDone { generation } => {
                self.browser.finish(generation, ListingStatus::Complete);
                Vec::new()
            }
            Event::FolderFailed { generation, error } => {
                if generation == self.browser.generation {
                    self.browser.finish(generation, ListingStatus::Failed);
                    let place = self.browser.folder.as_ref().map(|f| f.to_string()).unwrap_or_default();
                    self.errors.push(UiError::new(format!("Could not open {place}"), &error));
                }
                Vec::new()
            }
            Event::TransferStarted { id, object } => {
                if let Some(t) = self.transfer_mut(id) {
                    t.object = object;
                    t.start();
                }
                Vec::new()
            }
            Event::TransferProgress { id, progress } => {
                if let Some(t) = self.transfer_mut(id) {
                    t.progress = progress;
                }
                Vec::new()
            }
            Event::UploadConflict { id, existing } => {
                if let Some(t) = self.transfer_mut(id) {
                    t.status = TransferStatus::Conflict;
                }
                self.conflicts.push_back((id, existing));
                Vec::new()
            }
            Event::UploadDone { id, outcome } => {
                if let Some(t) = self.transfer_mut(id) {
                    t.status = TransferStatus::Done;
                    t.object = outcome.location.clone();
                    t.progress = TransferProgress { done: outcome.size, total: outcome.size };
                }
                self.toast(format!("Uploaded {}", outcome.location.file_name()));
                let mut commands = Vec::new();
                let in_view = self.browser.folder.as_ref().is_some_and(|f| {
                    f.bucket == outcome.location.bucket
                        && outcome.location.key.strip_prefix(&f.key).is_some_and(|rest| !rest.contains('/'))
                });
                if in_view {
                    // Into the rows directly: relisting a big folder for each upload would cost a
                    // request per 1,000 keys and empty the list meanwhile.
                    let entry = ObjectEntry {
                        key: outcome.location.key.clone(),
                        size: outcome.size,
                        last_modified: Some(Utc::now()),
                        etag: outcome.etag.clone(),
                        storage_class: None,
                    };
                    match self.browser.upsert_object(entry) {
                        Some(index) => commands.extend(self.select_row(index)),
                        None => {
                            commands.extend(self.reload_folder());
                            self.select_when_listed = Some(outcome.location.key.clone());
                        }
                    }
                }
                if self.settings.copy_link_after_upload {
                    commands.push(Command::MakeLink {
                        request: LinkRequest {
                            location: outcome.location,
                            kind: LinkKind::Download { download_name: None, version_id: None },
                            expiry: self.expiry(),
                            policy: CredentialEndPolicy::Warn,
                        },
                        purpose: LinkPurpose::CopyAfterUpload(id),
                    });
                } else if let Some(batch) = self.batch_of(id) {
                    batch.no_link(id);
                }
                commands
            }
            Event::DownloadDone { id, outcome } => {
                if let Some(t) = self.transfer_mut(id) {
                    t.status = TransferStatus::Done;
                    t.progress = TransferProgress { done: outcome.size, total: outcome.size };
                }
                self.toast(format!("Saved {}", outcome.path.display()));
                Vec::new()
            }
            Event::TransferFailed { id, error } => {
                let label = self.transfer_mut(id).map(|t| t.label()).unwrap_or_default();
                let cancelled = matches!(error, StoreError::Cancelled);
                if let Some(t) = self.transfer_mut(id) {
                    t.status =
                        if cancelled { TransferStatus::Cancelled } else { TransferStatus::Failed(error.to_string()) };
                }
                if !cancelled {
                    self.errors.push(UiError::new(format!("Could not transfer {label}"), &error));
                }
                Vec::new()
            }
            Event::Link { purpose, result } => {
                match result {
                    Ok(link) => {
                        match purpose {
                            LinkPurpose::CopyUrl => {
                                self.copy_links(std::slice::from_ref(&link));
                                self.settings.remember_link(&link);
                            }
                            LinkPurpose::CopyCurl => {
                                let file = self.share.download_name.trim();
                                let object = link.object.rsplit('/').next().unwrap_or_default().to_owned();
                                let file = if file.is_empty() { object } else { file.to_owned() };
                                self.clipboard_out = Some(link.curl_command(&file));
                                self.toast(copied_message("curl command copied", &link));
                                self.settings.remember_link(&link);
                            }
                            LinkPurpose::CopyAfterUpload(id) => {
                                self.settings.remember_link(&link);
                                match self.batch_of(id) {
                                    Some(batch) => batch.add_link(id, link.clone()),
                                    None => self.copy_links(std::slice::from_ref(&link)),
                                }
                            }
                            LinkPurpose::Show => {}
                        }
                        let url = link.url.clone();
                        self.share.last_link = Some(link);
                        if self.share.qr.as_ref().is_none_or(|(encoded, _)| *encoded != url) {
                            return vec![Command::EncodeQr { url }];
                        }
                    }
                    Err(error) => {
                        if let LinkPurpose::CopyAfterUpload(id) = purpose
                            && let Some(batch) = self.batch_of(id)
                        {
                            batch.no_link(id);
                        }
                        self.errors.push(UiError::new("Could not make the link", &error));
                    }
                }
                Vec::new()
            }
            Event::QrEncoded { url, code } => {
                // Kept only while it is the last link's: a slower, older code never replaces a newer one.
                if self.share.last_link.as_ref().is_some_and(|link| link.url == url) {
                    self.share.qr = Some((url, code));
                }
                Vec::new()
            }
            Event::Deleted { location, result } => match result {
                Ok(()) => {
                    self.toast(format!("Deleted {}", location.file_name()));
                    self.reload_folder()
                }
                Err(error) => {
                    self.errors.push(UiError::new(format!("Could not delete {location}"), &error));
                    Vec::new()
                }
            },
            Event::Details { location, result } => {
                if let Ok(details) = &result
                    && self.browser.folder.as_ref().is_some_and(|f| f.bucket == location.bucket)
                {
                    // The server's size and date replace what the row had (e.g. this computer's clock
                    // for a file just uploaded).
                    self.browser.upsert_object(ObjectEntry {
                        key: location.key.clone(),
                        size: details.size,
                        last_modified: details.last_modified,
                        etag: details.etag.clone(),
                        storage_class: details.storage_class.clone(),
                    });
                }
                if self.browser.selected_object().as_ref() == Some(&location) {
                    self.details = Some((location, result.map_err(|e| e.to_string())));
                }
                Vec::new()
            }
            Event::FilesPicked { folder, files } => self.upload_files(files, &folder),
            Event::DownloadTargetPicked { source, dest } => match dest {
                Some(dest) => self.download_to(source, dest),
                None => Vec::new(),
            },
            Event::ConnectionSaved { connection, result } => match result {
                Ok(()) => {
                    self.settings.connections.retain(|c| c.name != connection.name);
                    self.settings.connections.push(connection.clone());
                    let choice = ConnectionChoice::custom(&connection);
                    self.choices.retain(|c| c.name != choice.name);
                    self.choices.push(choice);
                    self.choose_connection(self.choices.len() - 1)
                }
                Err(message) => {
                    self.errors.push(UiError {
                        title: format!("Could not save the connection {}", connection.name),
                        message,
                        details: String::new(),
                    });
                    Vec::new()
                }
            },
            Event::LocalStoreReady { endpoint, access_key, secret_key, reach } => {
                self.local_reach = reach;
                let choice = ConnectionChoice::this_computer(&endpoint, &access_key, &secret_key.0);
                let was_current = self.on_this_computer();
                let index = match self.choices.iter().position(|c| c.name == THIS_COMPUTER) {
                    Some(i) => {
                        self.choices[i] = choice;
                        i
                    }
                    None => {
                        self.choices.push(choice);
                        self.choices.len() - 1
                    }
                };
                if was_current || self.current_choice.is_none() {
                    let place = self.browser.folder.clone();
                    let commands = self.choose_connection(index);
                    // Same store, new address: stay where the user was.
                    if let Some(place) = place.filter(|_| was_current) {
                        self.settings.last_bucket = Some(place.bucket);
                        self.settings.last_folder = place.key;
                    }
                    commands
                } else {
                    Vec::new()
                }
            }
            Event::LocalStoreFailed(message) => {
                self.errors.push(UiError {
                    title: "The built-in store could not start".into(),
                    message: format!("{message} — other connections still work"),
                    details: String::new(),
                });
                Vec::new()
            }
            Event::DialogUnavailable => {
                self.errors.push(UiError {
                    title: "No file dialog available".into(),
                    message: "this system offers no file dialog (xdg-desktop-portal or zenity) — drag and drop files onto the window instead".into(),
                    details: String::new(),
                });
                Vec::new()
            }
        }
    }

    fn transfer_mut(&mut self, id: TransferId) -> Option<&mut Transfer> {
        self.transfers.iter_mut().find(|t| t.id == id)
    }

    /// Drops toasts whose time is up.
    pub fn expire_toasts(&mut self, now: Instant) {
        self.toasts.retain(|t| t.until > now);
    }
}

/// "Link copied — valid until Thu 4 Dec 14:03 (1h)".
fn copied_message(what: &str, link: &ShareLink) -> String {
    let until = super::format::local_time(link.effective_expires_at);
    let span = super::format::duration_words((link.effective_expires_at - link.created_at).num_seconds().max(0) as u64);
    if link.ends_early() {
        format!("{what} — valid until {until} ({span}): the credentials end then")
    } else {
        format!("{what} — valid until {until} ({span})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ListingPage, ObjectEntry, UploadOutcome};

    fn connected(expiry: Option<DateTime<Utc>>) -> AppState {
        let mut state = AppState::new(Settings::default(), Vec::new());
        let commands = state.apply(Event::Connected(ConnectionSummary {
            endpoint: None,
            region: "eu-west-1".into(),
            identity: "AKIA…TEST".into(),
            credentials_expire_at: expiry,
        }));
        assert!(matches!(commands.as_slice(), [Command::ListBuckets]));
        state
    }

    fn folder(key: &str) -> S3Location {
        S3Location { bucket: "bkt".into(), key: key.into() }
    }

    fn link(url: &str) -> ShareLink {
        ShareLink::example(url)
    }

    #[test]
    fn the_last_place_reopens_once_buckets_arrive() {
        let mut state = connected(None);
        state.settings.last_bucket = Some("bkt".into());
        state.settings.last_folder = "docs/".into();
        let bucket = BucketEntry { name: "bkt".into(), created: None, region: None };
        let commands = state.apply(Event::Buckets(Ok(vec![bucket])));
        assert!(matches!(commands.as_slice(), [Command::ListFolder { folder, .. }] if folder.key == "docs/"));
    }

    #[test]
    fn stale_listing_failures_are_ignored() {
        let mut state = connected(None);
        state.open_folder(folder("a/"));
        let old = state.browser.generation;
        state.open_folder(folder("b/"));
        state.apply(Event::FolderFailed { generation: old, error: StoreError::Cancelled });
        assert!(state.errors.is_empty());
        state.apply(Event::FolderFailed {
            generation: state.browser.generation,
            error: StoreError::AccessDenied { operation: "list objects", bucket: Some("bkt".into()) },
        });
        assert_eq!(state.errors.len(), 1);
        assert_eq!(state.errors[0].title, "Could not open s3://bkt/b/");
        assert!(state.errors[0].message.starts_with("access denied"));
    }

    #[test]
    fn a_finished_upload_joins_its_listed_folder_or_relists_one_still_loading_and_copies_its_link() {
        let mut state = connected(None);
        state.open_folder(folder("docs/"));
        let generation = state.browser.generation;
        let b_pdf =
            ObjectEntry { key: "docs/b.pdf".into(), size: 1, last_modified: None, etag: None, storage_class: None };
        state.apply(Event::FolderPage { generation, page: ListingPage { folders: vec![], objects: vec![b_pdf] } });
        let upload = |state: &mut AppState, name: &str| {
            let commands = state.upload_files(vec![format!("/tmp/{name}").into()], &folder("docs/"));
            let Command::Upload { id, on_conflict: OnConflict::Ask, .. } = commands[0] else { panic!("{commands:?}") };
            let outcome = UploadOutcome { location: folder(&format!("docs/{name}")), size: 10, etag: None, parts: 1 };
            state.apply(Event::UploadDone { id, outcome })
        };

        // Still loading: the folder is listed again, and the new object selected when it shows up.
        let commands = upload(&mut state, "a.pdf");
        assert!(matches!(&commands[0], Command::ListFolder { folder, .. } if folder.key == "docs/"));
        assert!(
            matches!(&commands[1], Command::MakeLink { purpose: LinkPurpose::CopyAfterUpload(_), request } if request.location.key == "docs/a.pdf")
        );
        assert_eq!(commands.len(), 2, "no bucket relisting for one upload");
        assert_eq!(state.select_when_listed.as_deref(), Some("docs/a.pdf"));
        assert_eq!(state.transfers[0].status, TransferStatus::Done);

        // Listed in full: the row goes in (in sort order, selected), with no new listing.
        let generation = state.browser.generation;
        state.apply(Event::FolderDone { generation });
        let commands = upload(&mut state, "0.pdf");
        assert!(matches!(&commands[0], Command::Details { location } if location.key == "docs/0.pdf"), "{commands:?}");
        assert!(matches!(&commands[1], Command::MakeLink { .. }));
        assert_eq!(commands.len(), 2, "no listing");
        assert_eq!(state.browser.generation, generation);
        let names: Vec<_> = state.browser.visible.iter().map(|&i| state.browser.rows[i].name.as_str()).collect();
        assert_eq!(names, ["0.pdf"]);
        assert_eq!(state.browser.selected_row().unwrap().name, "0.pdf");
        // The server's details then correct the row.
        let modified = DateTime::from_timestamp(1_700_000_000, 0);
        let details =
            ObjectDetails { size: 10, content_type: None, last_modified: modified, etag: None, storage_class: None };
        state.apply(Event::Details { location: folder("docs/0.pdf"), result: Ok(details) });
        assert_eq!(state.browser.selected_row().unwrap().modified, modified);
    }

    #[test]
    fn name_clashes_ask_then_replace_keep_both_or_skip() {
        let mut state = connected(None);
        let commands = state.upload_files(vec!["/tmp/a.pdf".into(), "/tmp/b.pdf".into()], &folder("docs/"));
        let ids: Vec<TransferId> = commands
            .iter()
            .map(|c| match c {
                Command::Upload { id, .. } => *id,
                other => panic!("{other:?}"),
            })
            .collect();
        state.apply(Event::UploadConflict { id: ids[0], existing: folder("docs/a.pdf") });
        state.apply(Event::UploadConflict { id: ids[1], existing: folder("docs/b.pdf") });
        assert_eq!(state.transfers[0].status, TransferStatus::Conflict);
        let commands = state.resolve_conflict(Some(OnConflict::KeepBoth));
        assert!(
            matches!(&commands[..], [Command::Upload { target, on_conflict: OnConflict::KeepBoth, .. }] if target.key == "docs/a.pdf")
        );
        assert!(state.resolve_conflict(None).is_empty());
        assert_eq!(state.transfers[1].status, TransferStatus::Skipped);
    }

    #[test]
    fn copied_links_reach_the_clipboard_history_and_a_toast() {
        let mut state = connected(None);
        state.apply(Event::Link {
            purpose: LinkPurpose::CopyUrl,
            result: Ok(link("http://h/bkt/docs/a.pdf?X-Amz-Signature=1")),
        });
        assert_eq!(state.clipboard_out.as_deref(), Some("http://h/bkt/docs/a.pdf?X-Amz-Signature=1"));
        assert_eq!(state.settings.history.len(), 1);
        assert!(state.toasts[0].text.starts_with("Link copied — valid until"));
        state.apply(Event::Link { purpose: LinkPurpose::CopyCurl, result: Ok(link("http://h/x")) });
        assert_eq!(state.clipboard_out.as_deref(), Some("curl --fail --output 'a.pdf' 'http://h/x'"));
    }

    #[test]
    fn links_of_uploads_started_together_are_copied_together_in_file_order() {
        let mut state = connected(None);
        let files = ["/tmp/a.pdf", "/tmp/b.pdf", "/tmp/c.pdf"].map(PathBuf::from).to_vec();
        let ids: Vec<_> = state
            .upload_files(files, &folder("docs/"))
            .iter()
            .map(|c| match c {
                Command::Upload { id, .. } => *id,
                other => panic!("{other:?}"),
            })
            .collect();
        let done = |state: &mut AppState, id: TransferId, name: &str| {
            let outcome = UploadOutcome { location: folder(&format!("docs/{name}")), size: 1, etag: None, parts: 1 };
            let commands = state.apply(Event::UploadDone { id, outcome });
            assert!(
                commands.iter().any(
                    |c| matches!(c, Command::MakeLink { purpose: LinkPurpose::CopyAfterUpload(i), .. } if *i == id)
                )
            );
        };
        let linked = |state: &mut AppState, id: TransferId, name: &str| {
            let purpose = LinkPurpose::CopyAfterUpload(id);
            state.apply(Event::Link { purpose, result: Ok(link(&format!("http://h/bkt/docs/{name}"))) });
        };
        done(&mut state, ids[2], "c.pdf");
        linked(&mut state, ids[2], "c.pdf");
        done(&mut state, ids[0], "a.pdf");
        linked(&mut state, ids[0], "a.pdf");
        assert_eq!(state.clipboard_out, None, "b is still uploading: nothing copied yet");
        assert_eq!(state.settings.history.len(), 2, "each link is in the history as it comes");
        state.apply(Event::TransferFailed { id: ids[1], error: StoreError::Cancelled });
        assert_eq!(state.clipboard_out.as_deref(), Some("http://h/bkt/docs/a.pdf\nhttp://h/bkt/docs/c.pdf"));
        assert!(state.toasts.last().unwrap().text.starts_with("2 links copied — valid until"));
        assert!(state.upload_batches.is_empty());

        // One file alone: its link is copied as soon as it comes.
        state.clipboard_out = None;
        let commands = state.upload_files(vec!["/tmp/d.pdf".into()], &folder("docs/"));
        let Command::Upload { id, .. } = commands[0] else { panic!() };
        assert!(state.upload_batches.is_empty());
        done(&mut state, id, "d.pdf");
        linked(&mut state, id, "d.pdf");
        assert_eq!(state.clipboard_out.as_deref(), Some("http://h/bkt/docs/d.pdf"));
    }

    #[test]
    fn many_toasts_at_once_keep_only_the_newest_few() {
        let mut state = connected(None);
        for i in 0..50 {
            state.toast(format!("Uploaded file-{i}"));
        }
        let shown: Vec<_> = state.toasts.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(shown, ["Uploaded file-47", "Uploaded file-48", "Uploaded file-49"]);
    }

    #[test]
    fn the_worker_encodes_each_new_links_qr_code_once_and_late_codes_are_dropped() {
        let mut state = connected(None);
        let (first, second) = ("http://h/bkt/a?X-Amz-Signature=1", "http://h/bkt/b?X-Amz-Signature=2");
        let asked = state.apply(Event::Link { purpose: LinkPurpose::Show, result: Ok(link(first)) });
        assert!(matches!(&asked[..], [Command::EncodeQr { url }] if url == first));
        let asked = state.apply(Event::Link { purpose: LinkPurpose::CopyUrl, result: Ok(link(second)) });
        assert!(matches!(&asked[..], [Command::EncodeQr { url }] if url == second));
        let code = |url: &str| LinkQrCode::encode(url);
        state.apply(Event::QrEncoded { url: first.into(), code: code(first) });
        assert_eq!(state.share.qr, None, "the first link's code came too late");
        state.apply(Event::QrEncoded { url: second.into(), code: code(second) });
        assert_eq!(state.share.qr, Some((second.to_owned(), code(second))));
        let again = state.apply(Event::Link { purpose: LinkPurpose::CopyUrl, result: Ok(link(second)) });
        assert!(again.is_empty(), "the same link is not encoded again");
        state.apply(Event::Link { purpose: LinkPurpose::Show, result: Ok(link(first)) });
        state.apply(Event::QrEncoded { url: first.into(), code: None });
        assert_eq!(state.share.qr, Some((first.to_owned(), None)), "too long for a QR code, and known to be");
    }

    #[test]
    fn cancelling_is_not_an_error() {
        let mut state = connected(None);
        let commands = state.upload_files(vec!["/tmp/a.pdf".into()], &folder(""));
        let Command::Upload { id, .. } = commands[0] else { panic!() };
        state.apply(Event::TransferFailed { id, error: StoreError::Cancelled });
        assert_eq!(state.transfers[0].status, TransferStatus::Cancelled);
        assert!(state.errors.is_empty());
    }

    #[test]
    fn credentials_that_end_first_cut_the_link_short() {
        let now = Utc::now();
        let state = connected(Some(now + chrono::Duration::minutes(30)));
        assert_eq!(state.expiry().as_secs(), 3600);
        assert_eq!(state.credentials_cut_short(now), Some(now + chrono::Duration::minutes(30)));
        let mut short = connected(Some(now + chrono::Duration::minutes(30)));
        short.settings.expiry_secs = 900;
        assert_eq!(short.credentials_cut_short(now), None);
        assert_eq!(connected(None).credentials_cut_short(now), None);
    }

    #[test]
    fn the_upload_link_goes_into_the_current_folder() {
        let mut state = connected(None);
        state.open_folder(folder("inbox/"));
        state.share.mode = LinkMode::Upload;
        assert!(state.link_request().is_none(), "needs a name");
        state.share.upload_name = "from-alice.zip".into();
        state.share.content_type = "application/zip".into();
        let request = state.link_request().unwrap();
        assert_eq!(request.location.key, "inbox/from-alice.zip");
        assert_eq!(request.kind, LinkKind::Upload { content_type: Some("application/zip".into()) });
        let page = ListingPage {
            folders: vec![],
            objects: vec![ObjectEntry {
                key: "inbox/x".into(),
                size: 1,
                last_modified: None,
                etag: None,
                storage_class: None,
            }],
        };
        state.apply(Event::FolderPage { generation: state.browser.generation, page });
        assert_eq!(state.browser.rows.len(), 1);
    }

    #[test]
    fn interrupted_uploads_resume_as_transfers_or_are_discarded() {
        let mut state = connected(None);
        let pending = |id: &str| crate::store::PendingUpload {
            upload_id: id.into(),
            connection: "c".into(),
            bucket: "b".into(),
            key: format!("docs/{id}.bin"),
            source: format!("/tmp/{id}.bin").into(),
            size: 100,
            modified_ms: None,
            part_size: 50,
            content_type: "application/octet-stream".into(),
            overwrite: false,
            started_at: Utc::now(),
            owner: None,
        };
        let found = ["a", "b", "c"].map(|id| InterruptedUpload { pending: pending(id), uploaded: Some(50) });
        state.apply(Event::InterruptedUploads(found.to_vec()));
        assert_eq!(state.interrupted.len(), 3);

        let commands = state.resume_interrupted(0);
        assert!(matches!(&commands[..], [Command::ResumeUpload { pending, .. }] if pending.upload_id == "a"));
        assert_eq!(state.transfers[0].progress, TransferProgress { done: 50, total: 100 }, "starts where it stopped");
        assert_eq!(state.transfers[0].object.key, "docs/a.bin");
        let commands = state.discard_interrupted(1);
        assert!(matches!(&commands[..], [Command::DiscardUpload { pending }] if pending.upload_id == "c"));
        assert!(state.discard_interrupted(5).is_empty(), "out of range does nothing");

        state.apply(Event::UploadDiscarded { pending: pending("c"), result: Ok(()) });
        assert!(state.toasts.iter().any(|t| t.text.contains("Discarded the unfinished upload of c.bin")));
        state.apply(Event::UploadDiscarded { pending: pending("x"), result: Err(StoreError::UploadGone) });
        assert_eq!(state.errors.len(), 1);

        assert_eq!(state.settle_all_interrupted(true).len(), 1);
        assert!(state.interrupted.is_empty());
        state.choices.push(ConnectionChoice::environment());
        state.apply(Event::InterruptedUploads(found.to_vec()));
        state.choose_connection(0);
        assert!(state.interrupted.is_empty(), "another connection: the offer goes");
    }
}
