//! A link as a QR code, so a phone can open it. Encoding a long presigned URL takes milliseconds
//! (4 ms for 350 characters, 9 ms with a session token, in release builds), so the window has the
//! worker do it, never a frame.

/// A QR code: a square of `width` × `width` modules, row by row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkQrCode {
    /// The text it encodes.
    pub text: String,
    /// Modules per side.
    pub width: usize,
    /// Whether each module is dark, row by row (`width * width` of them).
    pub dark: Vec<bool>,
}

impl LinkQrCode {
    /// Encodes `text`; `None` when it is too long for any QR code (about 2,900 bytes).
    pub fn encode(text: &str) -> Option<Self> {
        let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
        let dark = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
        Some(LinkQrCode { text: text.to_owned(), width: code.width(), dark })
    }

    /// Whether the module at column `x`, row `y` is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_links_encode_and_too_long_text_does_not() {
        let url = "https://example.com/".repeat(40);
        let code = LinkQrCode::encode(&url).unwrap();
        assert_eq!(code.text, url);
        assert!(code.width > 40);
        assert_eq!(code.dark.len(), code.width * code.width);
        // Finder pattern: the top-left corner module is dark, the one inside its ring light.
        assert!(code.is_dark(0, 0) && !code.is_dark(1, 1));
        assert!(LinkQrCode::encode(&"x".repeat(5000)).is_none());
    }
}
