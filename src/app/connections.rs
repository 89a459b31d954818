//! The connections the picker offers: AWS profiles found on this machine, saved custom endpoints,
//! and the one given on the command line. Typed keys go to a `~/.aws/credentials` profile, never to settings.

use std::path::PathBuf;

use crate::store::{ConnectionConfig, ProfileFiles};

use super::settings::SavedConnection;

/// The name of the built-in store's connection.
pub const THIS_COMPUTER: &str = "This computer";

/// The name of the connection that uses the AWS environment variables.
pub const AWS_ENVIRONMENT: &str = "AWS (environment)";

/// One entry of the connection picker.
#[derive(Debug, Clone)]
pub struct ConnectionChoice {
    /// Shown in the picker; unique.
    pub name: String,
    /// How to connect.
    pub saved: SavedConnection,
    /// Credentials for this session only (never persisted); `None` means the profile or the AWS chain.
    pub credentials: Option<aws_credential_types::provider::SharedCredentialsProvider>,
}

impl ConnectionChoice {
    /// An AWS profile as a choice.
    pub fn profile(profile: &str) -> Self {
        ConnectionChoice {
            name: format!("AWS profile: {profile}"),
            saved: SavedConnection {
                name: profile.to_owned(),
                endpoint_url: String::new(),
                region: String::new(),
                path_style: false,
                profile: Some(profile.to_owned()),
            },
            credentials: None,
        }
    }

    /// The AWS credential chain as the environment sets it (no profile named).
    pub fn environment() -> Self {
        ConnectionChoice {
            name: AWS_ENVIRONMENT.to_owned(),
            saved: SavedConnection {
                name: AWS_ENVIRONMENT.to_owned(),
                endpoint_url: String::new(),
                region: String::new(),
                path_style: false,
                profile: None,
            },
            credentials: None,
        }
    }

    /// The built-in store as a choice.
    pub fn this_computer(endpoint: &str, access_key: &str, secret_key: &str) -> Self {
        use aws_credential_types::{Credentials, provider::SharedCredentialsProvider};
        ConnectionChoice {
            name: THIS_COMPUTER.to_owned(),
            saved: SavedConnection {
                name: THIS_COMPUTER.to_owned(),
                endpoint_url: endpoint.to_owned(),
                region: crate::local::embedded::LOCAL_REGION.to_owned(),
                path_style: true,
                profile: None,
            },
            credentials: Some(SharedCredentialsProvider::new(Credentials::new(
                access_key,
                secret_key,
                None,
                None,
                "s3share-local-store",
            ))),
        }
    }

    /// A saved custom endpoint as a choice.
    pub fn custom(saved: &SavedConnection) -> Self {
        ConnectionChoice { name: saved.name.clone(), saved: saved.clone(), credentials: None }
    }

    /// The store's settings for this choice.
    pub fn config(&self) -> ConnectionConfig {
        let non_empty = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        let endpoint_url = non_empty(&self.saved.endpoint_url);
        ConnectionConfig {
            profile: self.saved.profile.clone(),
            region: non_empty(&self.saved.region),
            path_style: endpoint_url.as_ref().map(|_| self.saved.path_style),
            endpoint_url,
            credentials: self.credentials.clone(),
            profile_files: None,
            first_byte_timeout: None,
            time_source: None,
        }
    }
}

/// The profiles in `files`, or in `~/.aws/config` and `~/.aws/credentials` (or the files
/// AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE name), parsed by aws-config itself.
pub async fn aws_profiles(files: Option<&ProfileFiles>) -> Vec<String> {
    let fs = aws_types::os_shim_internal::Fs::real();
    let env = aws_types::os_shim_internal::Env::real();
    let files = files.map(ProfileFiles::to_env_config_files).unwrap_or_default();
    match aws_config::profile::load(&fs, &env, &files, None).await {
        Ok(set) => {
            let mut names: Vec<String> = set.profiles().map(str::to_owned).collect();
            names.sort();
            names
        }
        Err(_) => Vec::new(),
    }
}

/// The credentials file: `$AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`.
pub fn default_credentials_file() -> Option<PathBuf> {
    std::env::var_os("AWS_SHARED_CREDENTIALS_FILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".aws").join("credentials")))
}

/// The profile name typed keys of connection `name` are stored under.
pub fn profile_name_for(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c.to_ascii_lowercase() } else { '-' })
        .collect();
    format!("s3share-{}", slug.trim_matches('-'))
}

/// Writes (or replaces) `[profile]` with the keys in the credentials file at `path`, readable by the owner only.
pub fn store_keys(path: &std::path::Path, profile: &str, access_key: &str, secret_key: &str) -> std::io::Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    let header = format!("[{profile}]");
    let mut kept = String::new();
    let mut skipping = false;
    for line in existing.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            skipping = trimmed == header;
        }
        if !skipping {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    if !kept.is_empty() && !kept.ends_with("\n\n") {
        kept.push('\n');
    }
    kept.push_str(&format!("{header}\naws_access_key_id = {access_key}\naws_secret_access_key = {secret_key}\n"));
    crate::private_file::write_private(path, kept.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_replace_their_own_profile_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(&path, "[default]\naws_access_key_id = A\naws_secret_access_key = B\n").unwrap();
        store_keys(&path, "s3share-minio", "K1", "S1").unwrap();
        store_keys(&path, "s3share-minio", "K2", "S2").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("[default]\naws_access_key_id = A"));
        assert!(text.contains("[s3share-minio]\naws_access_key_id = K2\naws_secret_access_key = S2"));
        assert!(!text.contains("K1"));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }

    #[test]
    fn profile_names_are_safe() {
        assert_eq!(profile_name_for("My MinIO (lab)"), "s3share-my-minio--lab");
    }

    #[test]
    fn custom_endpoints_default_to_path_style() {
        let choice = ConnectionChoice::custom(&SavedConnection {
            name: "lab".into(),
            endpoint_url: "http://127.0.0.1:9000".into(),
            region: String::new(),
            path_style: true,
            profile: Some("s3share-lab".into()),
        });
        let config = choice.config();
        assert_eq!(config.path_style, Some(true));
        assert_eq!(config.region, None);
        assert_eq!(config.profile.as_deref(), Some("s3share-lab"));
    }
}
