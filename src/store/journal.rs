//! The record of multipart uploads in progress, kept in a file: an upload cut off by a crash, a kill or
//! a power cut leaves its entry behind, and the next start offers to resume it or clean it up.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A multipart upload that was begun and neither completed nor aborted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingUpload {
    /// The server's upload id.
    pub upload_id: String,
    /// The connection it was made over (the name the app shows).
    pub connection: String,
    /// The target bucket.
    pub bucket: String,
    /// The target key.
    pub key: String,
    /// The local file.
    pub source: PathBuf,
    /// The file's size when the upload began.
    pub size: u64,
    /// The file's modification time then (milliseconds since the epoch), to notice a changed file.
    pub modified_ms: Option<i64>,
    /// The part size used: every part but the last has this size.
    pub part_size: u64,
    /// The content type the upload was begun with.
    pub content_type: String,
    /// Whether it was meant to replace an object already at the key.
    #[serde(default)]
    pub overwrite: bool,
    /// When it began.
    pub started_at: DateTime<Utc>,
    /// The process that runs it (absent in entries from before this was recorded): while that
    /// process lives, the upload is running, not cut off.
    #[serde(default)]
    pub owner: Option<u32>,
}

impl PendingUpload {
    /// True when the process that ran it is gone (crashed, killed, closed) — or unknown — so nothing
    /// will finish it unless it is resumed. An upload of this very process is still running.
    pub fn is_cut_off(&self) -> bool {
        match self.owner {
            None => true,
            Some(pid) if pid == std::process::id() => false,
            Some(pid) => !process_is_alive(pid),
        }
    }
}

/// Whether a process with this id runs (Linux: has a /proc entry). Elsewhere every other process
/// counts as gone, so its uploads are offered as before.
fn process_is_alive(pid: u32) -> bool {
    cfg!(target_os = "linux") && Path::new("/proc").join(pid.to_string()).exists()
}

/// The file of [`PendingUpload`]s, as one JSON list. Entries are added when a multipart upload begins
/// and removed when it is completed or aborted. Cheap to clone; clones share the file.
#[derive(Debug, Clone)]
pub struct UploadJournal {
    path: PathBuf,
    connection: String,
    owner: u32,
}

/// Readers and writers in this process take turns (read, change, write back); other processes (the
/// window and a command-line upload at once) wait on a lock file beside the journal.
static TURN: Mutex<()> = Mutex::new(());

impl UploadJournal {
    /// The journal in `path`, recording uploads made over `connection`.
    pub fn new(path: impl Into<PathBuf>, connection: impl Into<String>) -> Self {
        UploadJournal { path: path.into(), connection: connection.into(), owner: std::process::id() }
    }

    /// The same journal recording new entries as made by process `owner` instead of this one: for
    /// tests that stand in for a process that has since died.
    pub fn recording_as(self, owner: u32) -> Self {
        UploadJournal { owner, ..self }
    }

    /// The process new entries are recorded as made by.
    pub(crate) fn owner(&self) -> u32 {
        self.owner
    }

    /// Where s3share keeps it: `unfinished-uploads.json` in the [data folder](crate::data_dir), shared
    /// by the window and the command line.
    pub fn default_path() -> Option<PathBuf> {
        crate::data_dir().map(|dir| dir.join("unfinished-uploads.json"))
    }

    /// The file it is kept in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection new entries are recorded under.
    pub fn connection(&self) -> &str {
        &self.connection
    }

    /// The uploads over this journal's connection that were cut off: on record, and their process
    /// gone. These are the ones to offer for resuming or discarding.
    pub fn cut_off(&self) -> Vec<PendingUpload> {
        self.pending().into_iter().filter(PendingUpload::is_cut_off).collect()
    }

    /// Every upload on record over this journal's connection, running or cut off.
    pub fn pending(&self) -> Vec<PendingUpload> {
        let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
        let _other_processes = self.lock_file(false);
        read(&self.path).into_iter().filter(|p| p.connection == self.connection).collect()
    }

    /// Adds an upload that has just begun.
    pub(crate) fn record(&self, upload: PendingUpload) {
        self.change(|all| all.push(upload));
    }

    /// Drops the entry of an upload that was completed or aborted.
    pub fn forget(&self, upload_id: &str) {
        self.change(|all| all.retain(|p| p.upload_id != upload_id));
    }

    /// Holds the lock file beside the journal until dropped (`None` if it cannot be had: the journal
    /// then works as before, unguarded against another process). Creates it only to write.
    fn lock_file(&self, create: bool) -> Option<std::fs::File> {
        let path = self.path.with_extension("json.lock");
        if create && let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).ok()?;
        }
        let file = std::fs::OpenOptions::new().write(true).create(create).truncate(false).open(path).ok()?;
        file.lock().ok()?;
        Some(file)
    }

    fn change(&self, edit: impl FnOnce(&mut Vec<PendingUpload>)) {
        let _turn = TURN.lock().unwrap_or_else(|p| p.into_inner());
        let _other_processes = self.lock_file(true);
        let mut all = read(&self.path);
        edit(&mut all);
        // Losing the journal only loses the offer to resume; the upload itself goes on.
        let json = serde_json::to_vec_pretty(&all).expect("plain data serializes");
        let temp = self.path.with_extension("json.tmp");
        if let Err(e) =
            crate::private_file::write_private(&temp, &json).and_then(|()| std::fs::rename(&temp, &self.path))
        {
            tracing::warn!("cannot record unfinished uploads in {}: {e}", self.path.display());
        }
    }
}

fn read(path: &Path) -> Vec<PendingUpload> {
    std::fs::read(path).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, connection: &str) -> PendingUpload {
        PendingUpload {
            upload_id: id.into(),
            connection: connection.into(),
            bucket: "b".into(),
            key: "k".into(),
            source: "/tmp/f".into(),
            size: 10,
            modified_ms: Some(1),
            part_size: 5,
            content_type: "text/plain".into(),
            overwrite: false,
            started_at: Utc::now(),
            owner: None,
        }
    }

    #[test]
    fn records_and_forgets_per_connection() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("uploads.json");
        let work = UploadJournal::new(&path, "work");
        let home = UploadJournal::new(&path, "home");
        assert!(work.pending().is_empty(), "no file yet");
        work.record(entry("1", "work"));
        home.record(entry("2", "home"));
        work.record(entry("3", "work"));
        assert_eq!(work.pending().iter().map(|p| p.upload_id.as_str()).collect::<Vec<_>>(), ["1", "3"]);
        assert_eq!(home.pending().len(), 1);
        work.forget("1");
        assert_eq!(UploadJournal::new(&path, "work").pending()[0].upload_id, "3", "kept on disk");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        std::fs::write(&path, "not json").unwrap();
        assert!(work.pending().is_empty(), "a damaged journal reads as empty");
    }

    #[test]
    fn only_uploads_whose_process_is_gone_are_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("uploads.json");
        let journal = UploadJournal::new(&path, "work");
        let mut gone = std::process::Command::new("true").spawn().unwrap();
        let gone_pid = gone.id();
        gone.wait().unwrap();
        for (id, owner) in [("mine", Some(std::process::id())), ("parent", Some(std::os::unix::process::parent_id()))] {
            journal.record(PendingUpload { owner, ..entry(id, "work") });
        }
        for (id, owner) in [("old", None), ("dead", Some(gone_pid))] {
            journal.record(PendingUpload { owner, ..entry(id, "work") });
        }
        let cut_off: Vec<String> = journal.cut_off().into_iter().map(|p| p.upload_id).collect();
        assert_eq!(cut_off, ["old", "dead"], "still running in this process or a live one: not cut off");
        assert_eq!(journal.pending().len(), 4);
    }
}
