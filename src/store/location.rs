//! `s3://bucket/key` addresses and S3's naming rules for buckets and keys.

use std::fmt;

use super::StoreError;

/// The longest key S3 accepts, in bytes of UTF-8.
pub const MAX_KEY_BYTES: usize = 1024;

/// A place in S3: a bucket and a key (which may be empty for the bucket's root, or end in `/` for a folder).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct S3Location {
    /// The bucket, already checked against S3's naming rules.
    pub bucket: String,
    /// The key or prefix, exactly as stored (never URL-encoded).
    pub key: String,
}

impl S3Location {
    /// A location from parts, checking the bucket name and the key length.
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Result<Self, StoreError> {
        let bucket = bucket.into();
        let key = key.into();
        validate_bucket_name(&bucket)?;
        if key.len() > MAX_KEY_BYTES {
            // The message shows where the key begins; all of it would bury the reason.
            let shown: String = key.chars().take(40).collect();
            return Err(StoreError::InvalidKey { key: format!("{shown}…"), reason: "longer than 1,024 bytes" });
        }
        Ok(S3Location { bucket, key })
    }

    /// Parses `s3://bucket`, `s3://bucket/` or `s3://bucket/some/key`. Nothing is decoded: the key is taken as written.
    pub fn parse(input: &str) -> Result<Self, StoreError> {
        let invalid = |reason| StoreError::InvalidLocation { input: input.to_owned(), reason };
        let rest = input.strip_prefix("s3://").ok_or_else(|| invalid("it must start with s3://"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(invalid("the bucket name is missing"));
        }
        S3Location::new(bucket, key)
    }

    /// True when the key is empty or ends with `/`: the location names a folder, not an object.
    pub fn is_folder(&self) -> bool {
        self.key.is_empty() || self.key.ends_with('/')
    }

    /// The location of an object: fails when the key is empty or names a folder.
    pub fn require_object(&self) -> Result<&Self, StoreError> {
        if self.key.is_empty() {
            return Err(StoreError::InvalidKey {
                key: self.key.clone(),
                reason: "an object key is needed, not just a bucket",
            });
        }
        Ok(self)
    }

    /// The object's own name: the part of the key after the last `/`.
    pub fn file_name(&self) -> &str {
        self.key.rsplit('/').next().unwrap_or(&self.key)
    }

    /// For a folder location, the location of `name` inside it; for an object location, itself.
    pub fn join_if_folder(&self, name: &str) -> Result<Self, StoreError> {
        if self.is_folder() {
            S3Location::new(self.bucket.clone(), format!("{}{}", self.key, name))
        } else {
            Ok(self.clone())
        }
    }
}

impl fmt::Display for S3Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

impl std::str::FromStr for S3Location {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        S3Location::parse(s)
    }
}

/// Checks a bucket name against S3's rules for general purpose buckets.
pub fn validate_bucket_name(name: &str) -> Result<(), StoreError> {
    let fail = |reason| Err(StoreError::InvalidBucketName { name: name.to_owned(), reason });
    if name.len() < 3 {
        return fail("shorter than 3 characters");
    }
    if name.len() > 63 {
        return fail("longer than 63 characters");
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-')) {
        return if c.is_ascii_uppercase() {
            fail("it contains uppercase letters")
        } else {
            fail("it contains a character other than a-z, 0-9, '.' and '-'")
        };
    }
    let first_last_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    if !first_last_ok(name.chars().next()) || !first_last_ok(name.chars().last()) {
        return fail("it must begin and end with a letter or digit");
    }
    if name.contains("..") {
        return fail("it contains two dots in a row");
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return fail("it looks like an IP address");
    }
    if name.starts_with("xn--") || name.starts_with("sthree-") {
        return fail("it starts with a reserved prefix");
    }
    if name.ends_with("-s3alias") || name.ends_with("--ol-s3") {
        return fail("it ends with a reserved suffix");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_addresses_without_decoding() {
        let loc = S3Location::parse("s3://my-bucket/docs/a b+%20é?.pdf").unwrap();
        assert_eq!(loc.bucket, "my-bucket");
        assert_eq!(loc.key, "docs/a b+%20é?.pdf");
        assert_eq!(loc.file_name(), "a b+%20é?.pdf");
        assert!(!loc.is_folder());
        let root = S3Location::parse("s3://my-bucket").unwrap();
        assert!(root.is_folder() && root.key.is_empty());
        let folder = S3Location::parse("s3://my-bucket/docs/").unwrap();
        assert_eq!(folder.join_if_folder("r.pdf").unwrap().key, "docs/r.pdf");
        assert!(S3Location::parse("my-bucket/x").is_err());
        assert!(S3Location::parse("s3:///x").is_err());
    }

    #[test]
    fn bucket_rules() {
        for good in ["abc", "my.bucket-1", "a1b", &"a".repeat(63)] {
            assert!(validate_bucket_name(good).is_ok(), "{good}");
        }
        for (bad, why) in [
            ("ab", "shorter"),
            ("My-Bucket", "uppercase"),
            ("my_bucket", "character"),
            ("-abc", "begin"),
            ("abc.", "begin"),
            ("a..b", "two dots"),
            ("192.168.1.1", "IP"),
            ("xn--abc", "prefix"),
        ] {
            let err = validate_bucket_name(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
        assert!(validate_bucket_name(&"a".repeat(64)).is_err());
    }

    #[test]
    fn key_length_limit() {
        assert!(S3Location::new("bucket", "k".repeat(1024)).is_ok());
        assert!(S3Location::new("bucket", "k".repeat(1025)).is_err());
    }
}
