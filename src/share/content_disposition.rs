//! `Content-Disposition: attachment` with a file name, per RFC 6266 and RFC 5987.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// RFC 5987 `attr-char`: everything but ALPHA / DIGIT / "!#$&+-.^_`|~" is percent-encoded.
const ATTR_CHAR_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// The header value that makes a browser save the download as `name`.
///
/// Plain ASCII names give `attachment; filename="name"`. Others also carry `filename*=UTF-8''…`
/// (RFC 5987), with an ASCII fallback in `filename` for old clients.
pub fn attachment(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' { c } else { '_' })
        .collect();
    if fallback == name {
        format!("attachment; filename=\"{name}\"")
    } else {
        let encoded = utf8_percent_encode(name, ATTR_CHAR_ESCAPES);
        format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_names_are_quoted() {
        assert_eq!(attachment("Q3 report.pdf"), "attachment; filename=\"Q3 report.pdf\"");
    }

    #[test]
    fn other_names_are_encoded() {
        assert_eq!(
            attachment("résumé 2026.pdf"),
            "attachment; filename=\"r_sum_ 2026.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%202026.pdf"
        );
        assert_eq!(attachment("a\"b.txt"), "attachment; filename=\"a_b.txt\"; filename*=UTF-8''a%22b.txt");
    }
}
