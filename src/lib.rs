//! s3share: share files stored in S3 (or any S3-compatible store) as presigned links.
//!
//! Layers, each depending only on those below it:
//! - [`app`]: the egui window (draws, queues commands) and [`worker`] (runs them on tokio), on top of
//! - [`cli`]: the command line, on top of
//! - [`share`]: link rules (expiry bounds, credential-expiry cap, download names, curl form), on top of
//! - [`store`]: everything that speaks S3.
//!
//! [`local`] is an S3 server over a folder, used by the tests (and, later, as the built-in store).

pub mod app;
pub mod cli;
pub mod duration_words;
pub mod local;
pub mod logging;
pub mod private_file;
pub mod share;
pub mod store;
pub mod worker;
