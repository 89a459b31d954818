//! The server's clock, read from the `Date` header of its answers.
//!
//! The SDK corrects its own requests for a skewed local clock, but never presigned ones: a link
//! signed by a computer whose clock is an hour fast is "not yet valid" for an hour, and one signed an
//! hour slow has lost an hour of its life. Links are therefore signed with the server's time once
//! the clocks are known to differ by more than [`SKEW_TOLERANCE`].

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::date_time::{DateTime, Format};

/// Clocks closer than this count as agreeing (`Date` has one-second resolution, and requests take time).
pub const SKEW_TOLERANCE: Duration = Duration::from_secs(30);

const UNKNOWN: i64 = i64::MIN;

/// How far the server's clock is ahead of this computer's, as last seen. Shared by every client of a store.
#[derive(Debug, Clone)]
pub(crate) struct ServerClock {
    offset_ms: Arc<AtomicI64>,
}

impl Default for ServerClock {
    fn default() -> Self {
        ServerClock { offset_ms: Arc::new(AtomicI64::new(UNKNOWN)) }
    }
}

impl ServerClock {
    /// Server time minus local time, once an answer carried a `Date`; `None` before.
    pub fn offset(&self) -> Option<chrono::Duration> {
        match self.offset_ms.load(Ordering::Relaxed) {
            UNKNOWN => None,
            ms => Some(chrono::Duration::milliseconds(ms)),
        }
    }

    /// The offset when it is larger than [`SKEW_TOLERANCE`], else `None`.
    pub fn skew(&self) -> Option<chrono::Duration> {
        self.offset().filter(|o| o.abs().to_std().is_ok_and(|o| o > SKEW_TOLERANCE))
    }

    /// Records an answer's `Date` against the local time it arrived.
    fn record(&self, server: SystemTime, local: SystemTime) {
        let ms = match server.duration_since(local) {
            Ok(ahead) => ahead.as_millis() as i64,
            Err(behind) => -(behind.duration().as_millis() as i64),
        };
        self.offset_ms.store(ms, Ordering::Relaxed);
    }

    /// `local` moved to the server's clock when the two disagree, else unchanged.
    pub fn server_time(&self, local: SystemTime) -> SystemTime {
        match self.skew().and_then(|s| Some((s, s.abs().to_std().ok()?))) {
            Some((skew, by)) if skew > chrono::Duration::zero() => local + by,
            Some((_, by)) => local - by,
            None => local,
        }
    }

    /// The SDK interceptor that feeds this clock.
    pub fn interceptor(&self) -> ServerClockInterceptor {
        ServerClockInterceptor(self.clone())
    }
}

/// Reads the `Date` header of every answer into a [`ServerClock`].
#[derive(Debug)]
pub(crate) struct ServerClockInterceptor(ServerClock);

impl Intercept for ServerClockInterceptor {
    fn name(&self) -> &'static str {
        "ServerClock"
    }

    fn read_after_transmit(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let local = runtime_components.time_source().map_or_else(SystemTime::now, |t| t.now());
        let server =
            context.response().headers().get("date").and_then(|d| DateTime::from_str(d, Format::HttpDate).ok());
        if let Some(server) = server.and_then(|s| SystemTime::try_from(s).ok()) {
            self.0.record(server, local);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_differences_are_ignored_and_large_ones_corrected() {
        let clock = ServerClock::default();
        let local = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert_eq!(clock.offset(), None);
        assert_eq!(clock.server_time(local), local);

        clock.record(local + Duration::from_secs(5), local);
        assert_eq!(clock.offset(), Some(chrono::Duration::seconds(5)));
        assert_eq!(clock.skew(), None);
        assert_eq!(clock.server_time(local), local);

        clock.record(local + Duration::from_secs(3600), local);
        assert_eq!(clock.skew(), Some(chrono::Duration::seconds(3600)));
        assert_eq!(clock.server_time(local), local + Duration::from_secs(3600));

        clock.record(local - Duration::from_secs(600), local);
        assert_eq!(clock.skew(), Some(chrono::Duration::seconds(-600)));
        assert_eq!(clock.server_time(local), local - Duration::from_secs(600));
    }
}
