//! Integration tests against a real, signature-checking S3 server (see `support`).

mod bad_input;
mod cli;
mod fault_proxy;
mod faults;
mod keys;
mod secrets;
mod store;
mod support;
mod window;
