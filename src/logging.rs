//! Logs, only when asked for with `RUST_LOG`, and never with a secret in them.

use tracing_subscriber::EnvFilter;

/// The filter for `directives` (RUST_LOG syntax: `debug`, `aws_smithy_runtime=trace`, …).
///
/// Some crates log secrets below a level, so they are capped whatever the directives say:
/// aws-sigv4's trace lines hold canonical requests, whose query carries the session token of
/// presigned links; the built-in store's s3s and s3s-fs put every request's headers (among them
/// `x-amz-security-token`) into their debug spans.
pub fn filter(directives: &str) -> EnvFilter {
    ["aws_sigv4=debug", "s3s=info", "s3s_fs=info"]
        .into_iter()
        .fold(EnvFilter::new(directives), |filter, cap| filter.add_directive(cap.parse().expect("a valid directive")))
}

/// Sends logs to stderr when `RUST_LOG` is set; does nothing otherwise.
pub fn init_from_env() {
    if let Ok(directives) = std::env::var("RUST_LOG") {
        tracing_subscriber::fmt().with_env_filter(filter(&directives)).with_writer(std::io::stderr).init();
    }
}
