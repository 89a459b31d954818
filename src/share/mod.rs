//! Link rules: expiry bounds, the credential-expiry cap, download names, the curl form and the QR code.
//! Built on [`crate::store`]; knows nothing of windows or terminals.

pub mod content_disposition;
mod error;
mod expiry;
mod link;
mod qr;

pub use error::ShareError;
pub use expiry::LinkExpiry;
pub use link::{CredentialEndPolicy, LinkKind, LinkRequest, ShareLink, create_link, create_links};
pub use qr::LinkQrCode;
