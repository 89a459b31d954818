//! One upload or download as the window shows it.

use std::path::PathBuf;
use std::time::Instant;

use crate::store::{S3Location, TransferProgress};
use crate::worker::TransferId;

/// Upload or download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferKind {
    /// Local file to S3.
    Upload,
    /// S3 to a local file.
    Download,
}

/// Where a transfer stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransferStatus {
    /// Waiting for one of the worker's transfer slots.
    Queued,
    /// Bytes are moving.
    Running,
    /// Waiting for the user: the target exists.
    Conflict,
    /// Finished.
    Done,
    /// Cancelled by the user (a multipart upload was aborted).
    Cancelled,
    /// Failed, with the message shown.
    Failed(String),
    /// The user chose not to upload over an existing object.
    Skipped,
}

/// A transfer in the transfers panel.
#[derive(Debug, Clone)]
pub struct Transfer {
    /// Its id.
    pub id: TransferId,
    /// Upload or download.
    pub kind: TransferKind,
    /// The local file.
    pub local: PathBuf,
    /// The object (known once the worker has settled the name).
    pub object: S3Location,
    /// Bytes so far.
    pub progress: TransferProgress,
    /// When it started (for speed and time left).
    pub started: Instant,
    /// Bytes already done when it started moving (a resumed upload's parts already on the server):
    /// left out of its speed.
    pub done_at_start: u64,
    /// Where it stands.
    pub status: TransferStatus,
}

impl Transfer {
    /// A transfer waiting for a slot, `progress` already done of it.
    pub fn queued(
        id: TransferId,
        kind: TransferKind,
        local: PathBuf,
        object: S3Location,
        progress: TransferProgress,
    ) -> Self {
        Self {
            id,
            kind,
            local,
            object,
            done_at_start: progress.done,
            progress,
            started: Instant::now(),
            status: TransferStatus::Queued,
        }
    }

    /// Marks it moving from now on: speed counts from here.
    pub fn start(&mut self) {
        self.status = TransferStatus::Running;
        self.started = Instant::now();
        self.done_at_start = self.progress.done;
    }

    /// The name shown.
    pub fn label(&self) -> String {
        match self.kind {
            TransferKind::Upload => {
                self.local.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
            }
            TransferKind::Download => self.object.file_name().to_owned(),
        }
    }

    /// Fraction done, 0..=1.
    pub fn fraction(&self) -> f32 {
        if self.progress.total == 0 {
            if self.status == TransferStatus::Done { 1.0 } else { 0.0 }
        } else {
            self.progress.done as f32 / self.progress.total as f32
        }
    }

    /// Bytes per second moved since it started.
    pub fn speed(&self, now: Instant) -> f64 {
        let secs = now.duration_since(self.started).as_secs_f64();
        let moved = self.progress.done.saturating_sub(self.done_at_start);
        if secs <= 0.0 { 0.0 } else { moved as f64 / secs }
    }

    /// Seconds left at the current speed, if it can be told.
    pub fn seconds_left(&self, now: Instant) -> Option<f64> {
        let speed = self.speed(now);
        (speed > 0.0).then(|| (self.progress.total.saturating_sub(self.progress.done)) as f64 / speed)
    }

    /// Still moving or waiting for an answer.
    pub fn is_active(&self) -> bool {
        matches!(self.status, TransferStatus::Queued | TransferStatus::Running | TransferStatus::Conflict)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_resumed_upload_counts_only_the_bytes_it_moved_in_its_speed() {
        let object = S3Location { bucket: "b".into(), key: "big.mov".into() };
        let progress = TransferProgress { done: 600, total: 1000 };
        let mut transfer = Transfer::queued(1, TransferKind::Upload, "big.mov".into(), object, progress);
        transfer.start();
        let started = transfer.started;
        transfer.progress.done = 700;
        let later = started + Duration::from_secs(2);
        assert_eq!(transfer.speed(later), 50.0, "100 bytes in 2 s, not 700");
        assert_eq!(transfer.seconds_left(later), Some(6.0));
        assert_eq!(transfer.fraction(), 0.7);
    }
}
