//! The tokio side of the window: runs [`Command`]s against the store and reports [`Event`]s,
//! waking the window after every one. It never draws; the window never awaits.

mod command;
mod event;
mod runtime;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub use command::{Command, LinkPurpose, OnConflict, Secret, TransferId};
pub use event::{ConnectionSummary, Event, InterruptedUpload};
pub use runtime::worker_runtime;

use crate::share::{LinkQrCode, create_link};
use crate::store::{S3Location, Store, StoreError, TransferProgress, UploadJournal, UploadOptions};

/// Uploads and downloads that move bytes at once; the others wait their turn.
pub const MAX_TRANSFERS: usize = 4;

/// Progress events are sent at most this often per transfer (plus the final one).
const PROGRESS_INTERVAL: Duration = Duration::from_millis(50);

/// Delivers events to the window and wakes it.
#[derive(Clone)]
pub struct EventSink {
    tx: std::sync::mpsc::Sender<Event>,
    wake: Arc<dyn Fn() + Send + Sync>,
}

impl EventSink {
    /// A sink that sends on `tx` and calls `wake` after each event (e.g. `ctx.request_repaint()`).
    pub fn new(tx: std::sync::mpsc::Sender<Event>, wake: impl Fn() + Send + Sync + 'static) -> Self {
        EventSink { tx, wake: Arc::new(wake) }
    }

    /// Sends one event and wakes the window. A closed window is not an error.
    pub fn send(&self, event: Event) {
        let _ = self.tx.send(event);
        (self.wake)();
    }
}

/// The window's handle on the worker: queue commands, never wait.
#[derive(Clone)]
pub struct Worker {
    tx: mpsc::UnboundedSender<Command>,
}

impl Worker {
    /// Starts the worker on `runtime`; events go to `events`.
    pub fn spawn(runtime: &tokio::runtime::Handle, events: EventSink) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        runtime.spawn(run(rx, events));
        Worker { tx }
    }

    /// Queues a command.
    pub fn send(&self, command: Command) {
        let _ = self.tx.send(command);
    }
}

/// The worker's own state: the current connection and the running transfers.
struct WorkerState {
    store: Option<Store>,
    journal: Option<UploadJournal>,
    slots: Arc<tokio::sync::Semaphore>,
    local: Option<crate::local::embedded::EmbeddedStore>,
    transfers: Arc<Mutex<HashMap<TransferId, CancellationToken>>>,
    events: EventSink,
}

async fn run(mut commands: mpsc::UnboundedReceiver<Command>, events: EventSink) {
    let mut state = WorkerState {
        store: None,
        journal: None,
        slots: Arc::new(tokio::sync::Semaphore::new(MAX_TRANSFERS)),
        local: None,
        transfers: Arc::default(),
        events,
    };
    while let Some(command) = commands.recv().await {
        state.handle(command).await;
    }
}

impl WorkerState {
    async fn handle(&mut self, command: Command) {
        let events = self.events.clone();
        match command {
            Command::Connect { config, journal } => {
                // Connecting is quick (configuration only); resolving credentials may run a process,
                // so it happens here too, before anything else uses the connection.
                let connected = match Store::connect(config).await {
                    Ok(store) => store.credentials().await.map(|c| (store, c)),
                    Err(e) => Err(e),
                };
                match connected {
                    Ok((store, credentials)) => {
                        events.send(Event::Connected(ConnectionSummary {
                            endpoint: store.endpoint().map(str::to_owned),
                            region: store.default_region().to_owned(),
                            identity: shorten_key_id(credentials.access_key_id()),
                            credentials_expire_at: credentials.expiry().map(Into::into),
                        }));
                        self.journal = journal.clone();
                        if let Some(journal) = journal {
                            tokio::spawn(report_interrupted_uploads(store.clone(), journal, events.clone()));
                        }
                        self.store = Some(store);
                    }
                    Err(error) => {
                        self.store = None;
                        self.journal = None;
                        events.send(Event::ConnectFailed(error));
                    }
                }
            }
            Command::PickUploadFiles { folder } => {
                tokio::spawn(async move {
                    let started = Instant::now();
                    let picked = rfd::AsyncFileDialog::new().set_title("Upload files").pick_files().await;
                    match picked {
                        None if started.elapsed() < Duration::from_millis(150) => events.send(Event::DialogUnavailable),
                        picked => events.send(Event::FilesPicked {
                            folder,
                            files: picked.unwrap_or_default().iter().map(|f| f.path().to_owned()).collect(),
                        }),
                    }
                });
            }
            Command::PickDownloadTarget { source } => {
                tokio::spawn(async move {
                    let started = Instant::now();
                    let picked = rfd::AsyncFileDialog::new()
                        .set_title("Save as")
                        .set_file_name(source.file_name())
                        .save_file()
                        .await;
                    match picked {
                        None if started.elapsed() < Duration::from_millis(150) => events.send(Event::DialogUnavailable),
                        picked => events
                            .send(Event::DownloadTargetPicked { source, dest: picked.map(|f| f.path().to_owned()) }),
                    }
                });
            }
            Command::SaveConnection { connection, keys, credentials_file } => {
                let result = match (keys, &connection.profile, credentials_file) {
                    (Some((access_key, secret)), Some(profile), Some(path)) => {
                        let profile = profile.clone();
                        tokio::task::spawn_blocking(move || {
                            crate::app::connections::store_keys(&path, &profile, &access_key, &secret.0)
                                .map_err(|e| format!("cannot write {}: {e}", path.display()))
                        })
                        .await
                        .unwrap_or_else(|e| Err(e.to_string()))
                    }
                    (Some(_), _, None) => Err("no home directory to keep the keys in (~/.aws/credentials)".to_owned()),
                    _ => Ok(()),
                };
                events.send(Event::ConnectionSaved { connection, result });
            }
            Command::StartLocalStore { dir, reach } => {
                // Stop the old one first: the new one wants the same port.
                self.local = None;
                tokio::task::yield_now().await;
                match crate::local::embedded::start(&dir, reach, None).await {
                    Ok(local) => {
                        events.send(Event::LocalStoreReady {
                            endpoint: local.endpoint(),
                            access_key: local.keys.access_key.clone(),
                            secret_key: Secret(local.keys.secret_key.clone()),
                            reach,
                        });
                        self.local = Some(local);
                    }
                    Err(e) => events.send(Event::LocalStoreFailed(format!("{e}: {}", dir.display()))),
                }
            }
            Command::EncodeQr { url } => {
                tokio::spawn(async move {
                    let text = url.clone();
                    let code = tokio::task::spawn_blocking(move || LinkQrCode::encode(&text)).await.ok().flatten();
                    events.send(Event::QrEncoded { url, code });
                });
            }
            Command::Cancel { id } => {
                if let Some(token) = self.transfers.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
                    token.cancel();
                }
            }
            other => {
                let Some(store) = self.store.clone() else {
                    report_not_connected(other, &events);
                    return;
                };
                // Registered before the task starts, so a Cancel sent right after is never lost.
                let cancel = match &other {
                    Command::Upload { id, .. } | Command::Download { id, .. } | Command::ResumeUpload { id, .. } => {
                        register(&self.transfers, *id)
                    }
                    _ => CancellationToken::new(),
                };
                let slots = self.slots.clone();
                let context = CommandContext {
                    store,
                    journal: self.journal.clone(),
                    events,
                    transfers: self.transfers.clone(),
                    cancel,
                    slots,
                };
                tokio::spawn(run_store_command(other, context));
            }
        }
    }
}

/// Every store command answers with its own event kind, even when there is no connection.
fn report_not_connected(command: Command, events: &EventSink) {
    let error = || StoreError::NotConnected;
    let event = match command {
        Command::ListBuckets => Event::Buckets(Err(error())),
        Command::ListFolder { generation, .. } => Event::FolderFailed { generation, error: error() },
        Command::Upload { id, .. } | Command::Download { id, .. } | Command::ResumeUpload { id, .. } => {
            Event::TransferFailed { id, error: error() }
        }
        Command::DiscardUpload { pending } => Event::UploadDiscarded { pending, result: Err(error()) },
        Command::Delete { location } => Event::Deleted { location, result: Err(error()) },
        Command::Details { location } => Event::Details { location, result: Err(error()) },
        Command::MakeLink { purpose, .. } => Event::Link { purpose, result: Err(error().into()) },
        _ => return,
    };
    events.send(event);
}

/// What a store command runs with.
struct CommandContext {
    store: Store,
    journal: Option<UploadJournal>,
    events: EventSink,
    transfers: Arc<Mutex<HashMap<TransferId, CancellationToken>>>,
    cancel: CancellationToken,
    slots: Arc<tokio::sync::Semaphore>,
}

async fn run_store_command(command: Command, context: CommandContext) {
    let CommandContext { store, journal, events, transfers, cancel, slots } = context;
    // Transfers wait for a slot (cancellable while they wait); other commands run at once.
    let _slot = match &command {
        Command::Upload { id, .. } | Command::Download { id, .. } | Command::ResumeUpload { id, .. } => {
            tokio::select! {
                permit = slots.acquire_owned() => Some(permit.expect("the semaphore is never closed")),
                () = cancel.cancelled() => {
                    forget(&transfers, *id);
                    return events.send(Event::TransferFailed { id: *id, error: StoreError::Cancelled });
                }
            }
        }
        _ => None,
    };
    match command {
        Command::ListBuckets => events.send(Event::Buckets(store.list_buckets().await)),
        Command::ListFolder { folder, generation } => {
            let mut listing = match store.list_folder(&folder, false).await {
                Ok(listing) => listing,
                Err(error) => return events.send(Event::FolderFailed { generation, error }),
            };
            // Known by now (listing needs it), so this is a cache read.
            if let Ok(region) = store.bucket_region(&folder.bucket).await {
                events.send(Event::BucketRegion { bucket: folder.bucket.clone(), region });
            }
            while let Some(page) = listing.next_page().await {
                match page {
                    Ok(page) => events.send(Event::FolderPage { generation, page }),
                    Err(error) => return events.send(Event::FolderFailed { generation, error }),
                }
            }
            events.send(Event::FolderDone { generation });
        }
        Command::Upload { id, source, target, on_conflict } => {
            let job = UploadRequest { id, source: &source, target, on_conflict, journal };
            let result = upload(&store, job, &events, &cancel).await;
            forget(&transfers, id);
            match result {
                Ok(outcome) => events.send(Event::UploadDone { id, outcome }),
                Err(StoreError::ObjectExists { bucket, key }) if on_conflict == OnConflict::Ask => {
                    events.send(Event::UploadConflict { id, existing: S3Location { bucket, key } })
                }
                Err(error) => events.send(Event::TransferFailed { id, error }),
            }
        }
        Command::ResumeUpload { id, pending } => {
            let target = S3Location { bucket: pending.bucket.clone(), key: pending.key.clone() };
            events.send(Event::TransferStarted { id, object: target });
            let options = UploadOptions { journal, ..UploadOptions::default() };
            let progress = throttled_progress(id, &events);
            let result = store.resume_upload(&pending, &options, &progress, &cancel).await;
            forget(&transfers, id);
            match result {
                Ok(outcome) => events.send(Event::UploadDone { id, outcome }),
                Err(error) => events.send(Event::TransferFailed { id, error }),
            }
        }
        Command::DiscardUpload { pending } => {
            let result = match store.discard_upload(&pending).await {
                Ok(()) | Err(StoreError::UploadGone) => Ok(()),
                Err(error) => Err(error),
            };
            if result.is_ok()
                && let Some(journal) = &journal
            {
                journal.forget(&pending.upload_id);
            }
            events.send(Event::UploadDiscarded { pending, result });
        }
        Command::Download { id, source, dest } => {
            events.send(Event::TransferStarted { id, object: source.clone() });
            let progress = throttled_progress(id, &events);
            let result = store.download_file(&source, &dest, true, &progress, &cancel).await;
            forget(&transfers, id);
            match result {
                Ok(outcome) => events.send(Event::DownloadDone { id, outcome }),
                Err(error) => events.send(Event::TransferFailed { id, error }),
            }
        }
        Command::Delete { location } => {
            let result = store.delete_object(&location).await;
            events.send(Event::Deleted { location, result });
        }
        Command::Details { location } => {
            let result = store.object_details(&location).await;
            events.send(Event::Details { location, result });
        }
        Command::MakeLink { request, purpose } => {
            let result = create_link(&store, &request).await;
            events.send(Event::Link { purpose, result });
        }
        Command::Connect { .. }
        | Command::Cancel { .. }
        | Command::SaveConnection { .. }
        | Command::StartLocalStore { .. }
        | Command::PickUploadFiles { .. }
        | Command::PickDownloadTarget { .. }
        | Command::EncodeQr { .. } => {
            unreachable!("handled by the worker loop")
        }
    }
}

/// The transfer is over: its cancel token goes.
fn forget(transfers: &Mutex<HashMap<TransferId, CancellationToken>>, id: TransferId) {
    transfers.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
}

fn register(transfers: &Mutex<HashMap<TransferId, CancellationToken>>, id: TransferId) -> CancellationToken {
    let token = CancellationToken::new();
    transfers.lock().unwrap_or_else(|p| p.into_inner()).insert(id, token.clone());
    token
}

/// One upload the window asked for.
struct UploadRequest<'a> {
    id: TransferId,
    source: &'a std::path::Path,
    target: S3Location,
    on_conflict: OnConflict,
    journal: Option<UploadJournal>,
}

async fn upload(
    store: &Store,
    request: UploadRequest<'_>,
    events: &EventSink,
    cancel: &CancellationToken,
) -> Result<crate::store::UploadOutcome, StoreError> {
    let UploadRequest { id, source, target, on_conflict, journal } = request;
    let mut target = crate::store::upload_target(source, &target)?;
    if on_conflict == OnConflict::KeepBoth {
        target = store.free_key(&target).await?;
    }
    events.send(Event::TransferStarted { id, object: target.clone() });
    let options = UploadOptions { overwrite: on_conflict != OnConflict::Ask, journal, ..UploadOptions::default() };
    let progress = throttled_progress(id, events);
    store.upload_file(source, &target, &options, &progress, cancel).await
}

/// Looks up the connection's cut-off uploads on the server: those it no longer has are forgotten,
/// the others reported (with the bytes already there) so the window can offer to resume or discard them.
async fn report_interrupted_uploads(store: Store, journal: UploadJournal, events: EventSink) {
    let mut found = Vec::new();
    for pending in journal.cut_off() {
        match store.pending_upload_bytes(&pending).await {
            Err(StoreError::UploadGone) => journal.forget(&pending.upload_id),
            result => found.push(InterruptedUpload { pending, uploaded: result.ok() }),
        }
    }
    if !found.is_empty() {
        events.send(Event::InterruptedUploads(found));
    }
}

/// A progress callback that sends at most one event per [`PROGRESS_INTERVAL`], and always the last.
fn throttled_progress(id: TransferId, events: &EventSink) -> impl Fn(TransferProgress) + Send + Sync + use<> {
    let events = events.clone();
    let last = Mutex::new(None::<Instant>);
    move |progress: TransferProgress| {
        let mut last = last.lock().unwrap_or_else(|p| p.into_inner());
        let due = last.is_none_or(|t| t.elapsed() >= PROGRESS_INTERVAL) || progress.done == progress.total;
        if due {
            *last = Some(Instant::now());
            events.send(Event::TransferProgress { id, progress });
        }
    }
}

/// `AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`: enough to recognise, not the whole id.
fn shorten_key_id(id: &str) -> String {
    if id.len() <= 8 || !id.is_ascii() { id.to_owned() } else { format!("{}…{}", &id[..4], &id[id.len() - 4..]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_are_shortened() {
        assert_eq!(shorten_key_id("AKIAIOSFODNN7EXAMPLE"), "AKIA…MPLE");
        assert_eq!(shorten_key_id("short"), "short");
    }
}
