//! How long a link lives: 1 second to 7 days, as S3 allows.

use std::fmt;
use std::time::Duration;

use super::ShareError;

/// A validated link lifetime, within [`LinkExpiry::MIN`]..=[`LinkExpiry::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkExpiry(Duration);

impl LinkExpiry {
    /// The shortest lifetime: 1 second.
    pub const MIN: Duration = Duration::from_secs(1);
    /// The longest lifetime SigV4 allows: 7 days (604,800 seconds).
    pub const MAX: Duration = Duration::from_secs(7 * 24 * 3600);

    /// Checks that `duration` is a whole number of seconds within bounds.
    pub fn new(duration: Duration) -> Result<Self, ShareError> {
        if duration.subsec_nanos() != 0 || duration < Self::MIN || duration > Self::MAX {
            return Err(ShareError::ExpiryOutOfRange { requested: describe(duration) });
        }
        Ok(LinkExpiry(duration))
    }

    /// A lifetime of `secs` seconds.
    pub fn from_secs(secs: u64) -> Result<Self, ShareError> {
        Self::new(Duration::from_secs(secs))
    }

    /// Parses "90s", "15m", "2h", "1h30m", "1d", "7d" or a bare number of seconds ("3600").
    pub fn parse(text: &str) -> Result<Self, ShareError> {
        let text = text.trim();
        if text.starts_with('-') {
            return Err(ShareError::ExpiryOutOfRange { requested: format!("{text} (negative)") });
        }
        let duration = match text.parse::<u64>() {
            Ok(secs) => Duration::from_secs(secs),
            Err(_) => humantime::parse_duration(text)
                .map_err(|e| ShareError::InvalidExpiry { input: text.to_owned(), reason: e.to_string() })?,
        };
        Self::new(duration)
    }

    /// The lifetime.
    pub fn duration(self) -> Duration {
        self.0
    }

    /// The lifetime in seconds.
    pub fn as_secs(self) -> u64 {
        self.0.as_secs()
    }
}

impl fmt::Display for LinkExpiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self.0))
    }
}

/// "1 h 30 min", "7 days", "45 s".
fn describe(d: Duration) -> String {
    crate::duration_words::duration_words(d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        for (text, secs) in [
            ("90s", 90),
            ("15m", 900),
            ("2h", 7200),
            ("1h30m", 5400),
            ("1d", 86_400),
            ("7d", 604_800),
            ("3600", 3600),
            ("1s", 1),
        ] {
            assert_eq!(LinkExpiry::parse(text).unwrap().as_secs(), secs, "{text}");
        }
    }

    #[test]
    fn refuses_out_of_range_and_garbage() {
        for text in ["0", "0s", "8d", "604801", "7d1s", "-5m", "-1"] {
            let err = LinkExpiry::parse(text).unwrap_err().to_string();
            assert!(err.contains("1 second") && err.contains("7 days"), "{text}: {err}");
        }
        for text in ["soon", "", "1.5.h"] {
            let err = LinkExpiry::parse(text).unwrap_err().to_string();
            assert!(err.contains("90s, 15m, 2h, 1d"), "{text}: {err}");
        }
        assert!(LinkExpiry::new(Duration::from_millis(1500)).is_err());
        assert_eq!(LinkExpiry::from_secs(604_800).unwrap().duration(), LinkExpiry::MAX);
    }
}
