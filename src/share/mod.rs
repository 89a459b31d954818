//! Link rules: expiry bounds, the credential-expiry cap, download names and the curl form.
//! Built on [`crate::store`]; knows nothing of windows or terminals.

pub mod content_disposition;
mod error;
mod expiry;
mod link;

pub use error::ShareError;
pub use expiry::LinkExpiry;
pub use link::{CredentialEndPolicy, LinkKind, LinkRequest, ShareLink, create_link, create_links};
