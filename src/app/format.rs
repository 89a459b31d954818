//! Numbers and times as people read them.

use chrono::{DateTime, Local, Utc};

/// "Thu 4 Dec 2026 14:03", local time.
pub fn local_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Local).format("%a %-d %b %Y %H:%M").to_string()
}

/// "2026-12-04 14:03", local time, for table cells.
pub fn short_time(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()
}

/// "45 s", "15 min", "1 h 30 min", "2 days 4 h": the two largest units.
pub fn duration_words(secs: u64) -> String {
    const UNITS: [(u64, &str, &str); 4] =
        [(86_400, "day", "days"), (3600, "h", "h"), (60, "min", "min"), (1, "s", "s")];
    let mut parts = Vec::new();
    let mut rest = secs;
    for (size, one, many) in UNITS {
        if rest >= size {
            let n = rest / size;
            rest %= size;
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
        if parts.len() == 2 {
            break;
        }
    }
    if parts.is_empty() { "0 s".to_owned() } else { parts.join(" ") }
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
    fn durations_and_sizes() {
        assert_eq!(duration_words(45), "45 s");
        assert_eq!(duration_words(900), "15 min");
        assert_eq!(duration_words(5400), "1 h 30 min");
        assert_eq!(duration_words(604_800), "7 days");
        assert_eq!(duration_words(90_061), "1 day 1 h");
        assert_eq!(size(532), "532 B");
        assert_eq!(size(1536 * 1024), "1.5 MiB");
    }
}
