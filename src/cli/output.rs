//! Terminal output: progress bars, times and sizes in human form, stdout that tolerates a closed pipe.

use std::io::{IsTerminal, Write};

use chrono::{DateTime, Local, Utc};
use indicatif::{ProgressBar, ProgressStyle};

use crate::store::TransferProgress;

/// A progress bar on stderr when it is a terminal; nothing otherwise.
pub struct TransferBar {
    bar: Option<ProgressBar>,
}

impl TransferBar {
    /// A bar labelled `label` (hidden when stderr is not a terminal).
    pub fn new(label: &str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            bar.set_message(label.to_owned());
            bar
        });
        TransferBar { bar }
    }

    /// Shows `progress`.
    pub fn update(&self, progress: TransferProgress) {
        if let Some(bar) = &self.bar {
            bar.set_length(progress.total);
            bar.set_position(progress.done);
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// "Thu 4 Dec 2026 14:03 CET"-like local time.
pub fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%a %-d %b %Y %H:%M:%S %Z").to_string()
}

/// "2026-12-04 14:03:00" local time, as `aws s3 ls` shows it.
pub fn listing_time(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| " ".repeat(19), |t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M:%S").to_string())
}

/// How long from now until `t`, in its two largest units ("1 h 59 min"); "already passed" if it has.
pub fn time_left(t: DateTime<Utc>) -> String {
    let secs = (t - Utc::now()).num_seconds();
    if secs <= 0 { "already passed".to_owned() } else { crate::duration_words::duration_words(secs as u64) }
}

/// Writes a line to stdout; a closed pipe (e.g. `| head`) ends the program quietly.
pub fn print_line(out: &mut impl Write, line: &str) -> anyhow::Result<()> {
    match writeln!(out, "{line}") {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        other => Ok(other?),
    }
}
