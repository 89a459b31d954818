//! Integration tests against a real, signature-checking S3 server (see `support`).

mod cli;
mod store;
mod support;
mod window;
