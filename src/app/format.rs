//! Numbers and times as people read them.

use chrono::{DateTime, Local, Utc};

pub use crate::duration_words::duration_words;

/// "Thu 4 Dec 2026 14:03", local time.
pub fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%a %-d %b %Y %H:%M").to_string()
}

/// "2026-12-04 14:03", local time, for table cells.
pub fn short_time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

/// "1.5 MiB", "532 B".
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(size(532), "532 B");
        assert_eq!(size(1536 * 1024), "1.5 MiB");
    }
}
