//! Durations as people read them, the same in the window, the command line and error messages.

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

#[cfg(test)]
mod tests {
    use super::duration_words;

    #[test]
    fn the_two_largest_units_in_words() {
        assert_eq!(duration_words(0), "0 s");
        assert_eq!(duration_words(45), "45 s");
        assert_eq!(duration_words(900), "15 min");
        assert_eq!(duration_words(5400), "1 h 30 min");
        assert_eq!(duration_words(7198), "1 h 59 min");
        assert_eq!(duration_words(604_800), "7 days");
        assert_eq!(duration_words(604_801), "7 days 1 s");
        assert_eq!(duration_words(691_200), "8 days");
        assert_eq!(duration_words(90_061), "1 day 1 h");
    }
}
