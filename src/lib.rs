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
pub mod byte_size;
pub mod cli;
pub mod duration_words;
pub mod local;
pub mod logging;
pub mod private_file;
pub mod share;
pub mod store;
pub mod worker;

/// s3share's data folder (`$XDG_DATA_HOME/s3share`, else `~/.local/share/s3share` on Linux): the
/// window's settings, the built-in store, the record of unfinished uploads.
pub fn data_dir() -> Option<std::path::PathBuf> {
    eframe::storage_dir("s3share")
}
