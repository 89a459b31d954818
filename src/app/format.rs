//! Numbers and times as people read them.

use chrono::{DateTime, Local, Utc};

pub use crate::byte_size::byte_size as size;
pub use crate::duration_words::duration_words;

/// "Thu 4 Dec 2026 14:03", local time.
pub fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%a %-d %b %Y %H:%M").to_string()
}

/// "2026-12-04 14:03", local time, for table cells.
pub fn short_time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}
