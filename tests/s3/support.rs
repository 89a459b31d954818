//! The test target: an in-process S3 server that checks signatures and expiry (the default), or any
//! external server named by S3SHARE_TEST_ENDPOINT / _ACCESS_KEY / _SECRET_KEY / _REGION (and optionally _BUCKET).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use s3s::access::{S3Access, S3AccessContext};
use s3s::path::S3Path;
use s3s::{S3Result, s3_error};
use s3share::local::{LocalServer, ServerKeys};
use s3share::store::{ConnectionConfig, S3Location, Store};
use tempfile::TempDir;

/// The region the in-process server reports for its buckets: deliberately not the client's default,
/// so every test also proves that the bucket's region is discovered and signed with.
pub const LOCAL_REGION: &str = "local-test-1";

/// Where the tests run: endpoint, keys, a bucket, and a prefix of this test's own.
pub struct TestEnv {
    pub endpoint: String,
    pub access_key: String,
    pub secret_key: String,
    pub region: String,
    pub bucket: String,
    pub prefix: String,
    pub dir: TempDir,
    _server: Option<LocalServer>,
}

/// A name unique within this run and across runs.
pub fn unique(tag: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{tag}{:x}{:x}{:x}", std::process::id(), nanos, COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A random-looking key for the in-process server.
fn random_hex(bytes: usize) -> String {
    use std::hash::{BuildHasher, RandomState};
    (0..bytes.div_ceil(8)).map(|i| format!("{:016x}", RandomState::new().hash_one(i))).collect::<String>()[..bytes * 2]
        .to_owned()
}

impl TestEnv {
    /// Starts the in-process server, or connects to the external one.
    pub async fn start() -> TestEnv {
        Self::start_with_access(s3share::local::SignedRequestsOnly).await
    }

    /// Like [`TestEnv::start`]; the in-process server also applies `access`.
    pub async fn start_with_access(access: impl s3s::access::S3Access) -> TestEnv {
        let dir = tempfile::tempdir().unwrap();
        let prefix = format!("{}/", unique("t"));
        if let Ok(endpoint) = std::env::var("S3SHARE_TEST_ENDPOINT") {
            let var = |name: &str| {
                std::env::var(name).unwrap_or_else(|_| panic!("{name} must be set with S3SHARE_TEST_ENDPOINT"))
            };
            let mut env = TestEnv {
                endpoint,
                access_key: var("S3SHARE_TEST_ACCESS_KEY"),
                secret_key: var("S3SHARE_TEST_SECRET_KEY"),
                region: var("S3SHARE_TEST_REGION"),
                bucket: std::env::var("S3SHARE_TEST_BUCKET").unwrap_or_default(),
                prefix,
                dir,
                _server: None,
            };
            if env.bucket.is_empty() {
                env.bucket = unique("s3share-test-");
                env.store().await.create_bucket(&env.bucket).await.unwrap();
            }
            return env;
        }
        let keys = ServerKeys { access_key: format!("AK{}", random_hex(8)).to_uppercase(), secret_key: random_hex(20) };
        let server = LocalServer::start_with_access(
            &dir.path().join("server"),
            SocketAddr::from(([127, 0, 0, 1], 0)),
            &keys,
            LOCAL_REGION,
            access,
        )
        .await
        .unwrap();
        let env = TestEnv {
            endpoint: server.endpoint(),
            access_key: keys.access_key.clone(),
            secret_key: keys.secret_key.clone(),
            region: "us-east-1".into(),
            bucket: "s3share-test".into(),
            prefix,
            dir,
            _server: Some(server),
        };
        env.store().await.create_bucket(&env.bucket).await.unwrap();
        env
    }

    /// True against the in-process server (some checks need to know its region).
    pub fn is_local(&self) -> bool {
        self._server.is_some()
    }

    /// The region links must be signed with.
    pub fn bucket_region(&self) -> &str {
        if self.is_local() { LOCAL_REGION } else { &self.region }
    }

    /// Connection settings with static keys.
    pub fn connection(&self) -> ConnectionConfig {
        self.connection_with(Credentials::new(&self.access_key, &self.secret_key, None, None, "test"))
    }

    /// Connection settings with the given credentials.
    pub fn connection_with(&self, credentials: Credentials) -> ConnectionConfig {
        ConnectionConfig {
            region: Some(self.region.clone()),
            endpoint_url: Some(self.endpoint.clone()),
            credentials: Some(SharedCredentialsProvider::new(credentials)),
            ..ConnectionConfig::default()
        }
    }

    /// A store connected with static keys.
    pub async fn store(&self) -> Store {
        Store::connect(self.connection()).await.unwrap()
    }

    /// `s3://bucket/<prefix><key>`.
    pub fn location(&self, key: &str) -> S3Location {
        S3Location::new(&self.bucket, format!("{}{key}", self.prefix)).unwrap()
    }

    /// Writes a local file of `len` bytes of varied content; returns its path and bytes.
    pub fn file(&self, name: &str, len: usize) -> (std::path::PathBuf, Vec<u8>) {
        let data: Vec<u8> = (0..len).map(|i| (i.wrapping_mul(31) ^ (i >> 8)) as u8).collect();
        let path = self.dir.path().join(name);
        std::fs::write(&path, &data).unwrap();
        (path, data)
    }

    /// Uploads a new file of `len` bytes to `<prefix><key>` through the library; returns where and what.
    pub async fn seed(&self, store: &Store, key: &str, len: usize) -> (S3Location, Vec<u8>) {
        let (path, data) = self.file(&unique("f"), len);
        let target = self.location(key);
        let options = s3share::store::UploadOptions::default();
        let cancel = tokio_util::sync::CancellationToken::new();
        store.upload_file(&path, &target, &options, &|_| {}, &cancel).await.unwrap();
        (target, data)
    }

    /// The CLI binary with a clean AWS environment pointing at the test server.
    pub fn cli(&self) -> tokio::process::Command {
        let mut cmd = self.cli_without_credentials();
        cmd.env("AWS_ACCESS_KEY_ID", &self.access_key).env("AWS_SECRET_ACCESS_KEY", &self.secret_key);
        cmd
    }

    /// The CLI binary with the endpoint and region set but no credentials.
    pub fn cli_without_credentials(&self) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_s3share"));
        for (name, _) in std::env::vars() {
            if name.starts_with("AWS_") {
                cmd.env_remove(name);
            }
        }
        let missing = self.dir.path().join("no-such-aws-file");
        cmd.env("AWS_CONFIG_FILE", &missing)
            .env("AWS_SHARED_CREDENTIALS_FILE", &missing)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_REGION", &self.region)
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            // Its record of unfinished uploads goes here, not into the real data folder.
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .current_dir(self.dir.path());
        cmd
    }
}

/// The id of a process that has ended (and been reaped): stands in for a crashed s3share.
pub fn dead_process_id() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

/// Output of a CLI run.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs a prepared CLI command with `args`.
pub async fn run(mut cmd: tokio::process::Command, args: &[&str]) -> Run {
    let out = cmd.args(args).output().await.unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "the CLI panicked: {}", run.stderr);
    run
}

/// GET with a plain HTTP client (not the SDK): status and body.
pub async fn fetch(url: &str) -> (u16, Vec<u8>, reqwest::header::HeaderMap) {
    let resp = reqwest::Client::new().get(url).send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, resp.bytes().await.unwrap().to_vec(), headers)
}

/// PUT with a plain HTTP client: status.
pub async fn put(url: &str, headers: &[(String, String)], body: Vec<u8>) -> u16 {
    let mut request = reqwest::Client::new().put(url).body(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.send().await.unwrap().status().as_u16()
}

/// The URL with one character of X-Amz-Signature changed.
pub fn tamper(url: &str) -> String {
    let at = url.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len() + 5;
    let mut bytes = url.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
    String::from_utf8(bytes).unwrap()
}

/// Asserts that a refused link got 403 (or 400, which some servers use for expired links).
pub fn assert_refused(status: u16) {
    assert!(status == 403 || status == 400, "expected the link to be refused, got HTTP {status}");
}

/// Reads a whole file.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// Everything allowed for signed requests, except listing the bucket named `forbidden-bucket`.
pub struct ForbidListing;

#[async_trait::async_trait]
impl S3Access for ForbidListing {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        let listing = matches!(cx.s3_op().name(), "ListObjectsV2" | "ListObjects");
        match cx.s3_path() {
            _ if cx.credentials().is_none() => Err(s3_error!(AccessDenied)),
            S3Path::Bucket { bucket } if listing && &**bucket == "forbidden-bucket" => Err(s3_error!(AccessDenied)),
            _ => Ok(()),
        }
    }
}

/// An AWS config file whose profile `temp` gets, from `credential_process`, temporary credentials
/// (with a session token) that end `ends_in_secs` from now (negative: already ended).
pub fn temporary_profile(env: &TestEnv, ends_in_secs: i64) -> std::path::PathBuf {
    let ends = chrono::Utc::now() + chrono::Duration::seconds(ends_in_secs);
    let script = env.dir.path().join("creds.sh");
    let json = serde_json::json!({
        "Version": 1,
        "AccessKeyId": env.access_key,
        "SecretAccessKey": env.secret_key,
        "SessionToken": "temporary-session-token",
        "Expiration": ends.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    std::fs::write(&script, format!("#!/bin/sh\ncat <<'JSON'\n{json}\nJSON\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o700)).unwrap();
    let config = env.dir.path().join("aws-config");
    std::fs::write(&config, format!("[profile temp]\ncredential_process = {}\n", script.display())).unwrap();
    config
}

/// A request sent with the path exactly as written, as curl sends it (reqwest, like browsers, resolves
/// `%2E`/`.` segments, which changes the object asked for): status and body.
pub async fn send_path_as_is(method: &str, url: &str, headers: &[(String, String)], body: &[u8]) -> (u16, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (host, target) = rest.split_at(rest.find('/').expect("a path"));
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let split = memchr::memmem::find(&response, b"\r\n\r\n").expect("a complete response");
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    let mut body = response[split + 4..].to_vec();
    if chunked {
        let mut plain = Vec::new();
        let mut rest = &body[..];
        while let Some(end) = memchr::memmem::find(rest, b"\r\n") {
            let size = usize::from_str_radix(std::str::from_utf8(&rest[..end]).unwrap().trim(), 16).unwrap();
            if size == 0 {
                break;
            }
            plain.extend_from_slice(&rest[end + 2..end + 2 + size]);
            rest = &rest[end + 4 + size..];
        }
        body = plain;
    }
    (status, body)
}

/// True when the key has a `.` or `..` segment (which URL libraries and browsers rewrite).
pub fn has_dot_segment(key: &str) -> bool {
    key.split('/').any(|s| s == "." || s == "..")
}
