//! Bad input, as a table: each input, through the library and through the CLI, gets a specific message
//! (or, where the input is fine after all, works), and never a panic.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_smithy_async::time::{SharedTimeSource, TimeSource};
use s3share::share::{CredentialEndPolicy, LinkExpiry, LinkKind, LinkRequest, create_link};
use s3share::store::{ConnectionConfig, S3Location, Store, UploadOptions};
use tokio_util::sync::CancellationToken;

use crate::support::*;

/// What a row expects.
enum Expect {
    /// Fails, with a message containing this.
    Error(&'static str),
    /// Works.
    Works,
}

/// One input and what came of it.
struct Row {
    input: String,
    outcome: Result<(), String>,
    expect: Expect,
}

fn row<T, E: std::fmt::Display>(input: impl Into<String>, outcome: Result<T, E>, expect: Expect) -> Row {
    Row { input: input.into(), outcome: outcome.map(|_| ()).map_err(|e| e.to_string()), expect }
}

/// Checks every row, and prints the table (input → message) for the record.
fn check(rows: &[Row], secrets: &[&str]) {
    let mut failures = Vec::new();
    for row in rows {
        let shown = match &row.outcome {
            Ok(()) => "works".to_owned(),
            Err(message) => message.clone(),
        };
        eprintln!("| {} | {} |", row.input, shown.replace('|', "\\|"));
        match (&row.expect, &row.outcome) {
            (Expect::Works, Ok(())) => {}
            (Expect::Error(wanted), Err(message)) if message.contains(wanted) => {}
            (Expect::Error(wanted), _) => failures.push(format!("{}: expected {wanted:?}, got {shown:?}", row.input)),
            (Expect::Works, Err(_)) => failures.push(format!("{}: expected it to work, got {shown:?}", row.input)),
        }
        for secret in secrets {
            assert!(!shown.contains(secret), "{}: the message shows a secret", row.input);
        }
    }
    assert!(failures.is_empty(), "{} of {} rows wrong:\n{}", failures.len(), rows.len(), failures.join("\n"));
}

/// This computer's clock, set `offset` ahead (or behind).
#[derive(Debug)]
struct SkewedClock {
    ahead: bool,
    offset: Duration,
}

impl TimeSource for SkewedClock {
    fn now(&self) -> SystemTime {
        if self.ahead { SystemTime::now() + self.offset } else { SystemTime::now() - self.offset }
    }
}

fn download(location: &S3Location) -> LinkRequest {
    LinkRequest {
        location: location.clone(),
        kind: LinkKind::Download { download_name: None, version_id: None },
        expiry: LinkExpiry::from_secs(600).unwrap(),
        policy: CredentialEndPolicy::Warn,
    }
}

/// A store call with a skewed clock works, and so does the link it signs (the server judges it by its own clock).
async fn with_skewed_clock(env: &TestEnv, location: &S3Location, data: &[u8], ahead: bool) -> Result<(), String> {
    let clock = SkewedClock { ahead, offset: Duration::from_secs(3600) };
    let config = ConnectionConfig { time_source: Some(SharedTimeSource::new(clock)), ..env.connection() };
    let store = Store::connect(config).await.map_err(|e| e.to_string())?;
    store.object_details(location).await.map_err(|e| e.to_string())?;
    let skew = store.clock_skew().ok_or("the skew went unnoticed")?;
    if (skew > chrono::Duration::zero()) == ahead {
        return Err(format!("the skew has the wrong sign: {skew}"));
    }
    let link = create_link(&store, &download(location)).await.map_err(|e| e.to_string())?;
    let note = link.clock_note().ok_or("no note about the clock")?;
    if !note.contains(if ahead { "1 h ahead of the server's" } else { "1 h behind the server's" }) {
        return Err(format!("unclear note: {note}"));
    }
    match fetch(&link.url).await {
        (200, body, _) if body == data => Ok(()),
        (status, _, _) => Err(format!("the link signed with a skewed clock got HTTP {status}")),
    }
}

#[tokio::test]
async fn the_library_answers_every_bad_input_with_a_specific_error() {
    let env = TestEnv::start_with_access(ForbidListing).await;
    let store = env.store().await;
    let (object, data) = env.seed(&store, "present.txt", 1000).await;
    let cancel = CancellationToken::new();
    let upload = |path: std::path::PathBuf, key: &'static str| {
        let (store, cancel, target) = (&store, &cancel, env.location(key));
        async move { store.upload_file(&path, &target, &UploadOptions::default(), &|_| {}, cancel).await }
    };
    let socket_path = env.dir.path().join("a-socket");
    let _socket = std::os::unix::net::UnixListener::bind(&socket_path).unwrap();
    let (empty, _) = env.file("empty.txt", 0);
    let wrong_secret = "wrong-secret-Sq8vX2";
    let connect_with = |credentials: Credentials| Store::connect(env.connection_with(credentials));
    let expired =
        Credentials::new(&env.access_key, &env.secret_key, None, Some(SystemTime::now() - Duration::from_secs(5)), "t");

    let mut rows = Vec::new();
    for name in ["Bad_Bucket", "ab", "-starts-with-hyphen", "two..dots", "192.168.1.1", &"x".repeat(64)] {
        rows.push(row(format!("bucket {name:?}"), S3Location::new(name, "k"), Expect::Error("invalid bucket name")));
    }
    rows.push(row("key of 1,025 bytes", S3Location::new("bucket", "k".repeat(1025)), Expect::Error("1,024 bytes")));
    rows.push(row("key of 1,024 bytes", S3Location::new("bucket", "é".repeat(512)), Expect::Works));
    for text in ["0", "-5m", "8d", "604801"] {
        rows.push(row(format!("expiry {text:?}"), LinkExpiry::parse(text), Expect::Error("1 second to 7 days")));
    }
    rows.push(row("expiry \"soon\"", LinkExpiry::parse("soon"), Expect::Error("write it like 90s, 15m")));
    rows.push(row("missing file", upload(env.dir.path().join("absent"), "a").await, Expect::Error("no such file")));
    rows.push(row("a directory", upload(env.dir.path().to_owned(), "b").await, Expect::Error("is a directory")));
    rows.push(row(
        "a socket (unreadable as a file)",
        upload(socket_path.clone(), "c").await,
        Expect::Error("not a regular file"),
    ));
    rows.push(row("an empty file", upload(empty, "empty.txt").await, Expect::Works));
    let closed = ConnectionConfig { endpoint_url: Some("http://127.0.0.1:9".into()), ..env.connection() };
    let unreachable = Store::connect(closed).await.unwrap().list_buckets().await;
    rows.push(row("unreachable endpoint", unreachable, Expect::Error("cannot reach the S3 endpoint")));
    for url in ["localhost:9000", "ftp://host", "http://", "http://exa mple.com"] {
        let malformed = ConnectionConfig { endpoint_url: Some(url.into()), ..env.connection() };
        rows.push(row(
            format!("endpoint {url:?}"),
            Store::connect(malformed).await,
            Expect::Error("invalid endpoint URL"),
        ));
    }
    let wrong = connect_with(Credentials::new(&env.access_key, wrong_secret, None, None, "t")).await.unwrap();
    rows.push(row("wrong secret key", wrong.list_buckets().await, Expect::Error("rejected the credentials")));
    let unknown = connect_with(Credentials::new("AKIDUNKNOWN", &env.secret_key, None, None, "t")).await.unwrap();
    rows.push(row("unknown access key", unknown.list_buckets().await, Expect::Error("rejected the credentials")));
    let stale = connect_with(expired).await.unwrap();
    rows.push(row("expired credentials", stale.list_buckets().await, Expect::Error("credentials have expired")));
    rows.push(row("clock 1 h fast", with_skewed_clock(&env, &object, &data, true).await, Expect::Works));
    rows.push(row("clock 1 h slow", with_skewed_clock(&env, &object, &data, false).await, Expect::Works));
    let missing_bucket = S3Location::new("no-such-bucket-s3share", "k").unwrap();
    rows.push(row(
        "bucket that does not exist",
        store.object_details(&missing_bucket).await,
        Expect::Error("bucket does not exist"),
    ));
    rows.push(row(
        "key that does not exist",
        store.object_details(&env.location("absent")).await,
        Expect::Error("no such object"),
    ));
    if env.is_local() {
        // The in-process server puts its buckets in another region than the client's default.
        let region = store.bucket_region(&env.bucket).await;
        let elsewhere = match region {
            Ok(r) if r == LOCAL_REGION => {
                create_link(&store, &download(&object)).await.map(|_| ()).map_err(|e| e.to_string())
            }
            other => Err(format!("region not discovered: {other:?}")),
        };
        rows.push(row("bucket in another region", elsewhere, Expect::Works));
        store.create_bucket("forbidden-bucket").await.unwrap();
        let forbidden = S3Location::new("forbidden-bucket", "").unwrap();
        let listing = async { store.list_folder(&forbidden, false).await?.next_page().await.transpose() }.await;
        rows.push(row(
            "listing a bucket where list is denied",
            listing,
            Expect::Error("access denied while trying to list objects"),
        ));
        let readable = S3Location::new("forbidden-bucket", "readable.txt").unwrap();
        let (file, bytes) = env.file("readable.txt", 64);
        store.upload_file(&file, &readable, &UploadOptions::default(), &|_| {}, &cancel).await.unwrap();
        let link = create_link(&store, &download(&readable)).await.unwrap();
        let got = match fetch(&link.url).await {
            (200, body, _) if body == bytes => Ok(()),
            (status, _, _) => Err(format!("HTTP {status}")),
        };
        rows.push(row("…but getting an object there is allowed", got, Expect::Works));
    }
    check(&rows, &[&env.secret_key, wrong_secret]);
    assert!(!format!("{store:?}").contains(&env.secret_key), "Debug output of the store shows the secret");
    let (status, body, _) = fetch(&create_link(&store, &download(&env.location("empty.txt"))).await.unwrap().url).await;
    assert_eq!((status, body.len()), (200, 0), "the empty file's link gives an empty body");
}

#[tokio::test]
async fn the_cli_answers_every_bad_input_with_one_clear_line_and_exit_1() {
    let env = TestEnv::start_with_access(ForbidListing).await;
    let store = env.store().await;
    env.seed(&store, "present.txt", 10).await;
    let url = |key: &str| format!("s3://{}/{}{key}", env.bucket, env.prefix);
    let socket_path = env.dir.path().join("a-socket");
    let _socket = std::os::unix::net::UnixListener::bind(&socket_path).unwrap();
    let (empty, _) = env.file("empty.txt", 0);
    let dir = env.dir.path().to_str().unwrap().to_owned();
    let long_key = url(&"k".repeat(1100));
    let present = url("present.txt");
    // Arguments the parser refuses exit with 2 (usage error); everything else with 1.
    let usage: &[(&[&str], &str)] = &[
        (&["link", "s3://Bad_Bucket/k"], "invalid bucket name"),
        (&["link", "s3://ab/k"], "invalid bucket name"),
        (&["link", "bucket/k"], "s3://"),
        (&["link", &long_key], "1,024 bytes"),
        (&["link", &present, "--expires", "0"], "1 second to 7 days"),
        (&["link", &present, "--expires", "-5m"], "1 second to 7 days"),
        (&["link", &present, "--expires", "8d"], "1 second to 7 days"),
        (&["link", &present, "--expires", "soon"], "like 90s, 15m"),
    ];
    let mut table = Vec::new();
    for (args, expected) in usage {
        let out = run(env.cli(), args).await;
        let first = out.stderr.lines().next().unwrap_or_default().to_owned();
        table.push(format!("| `s3share {}` | {} | {first} |", args.join(" "), out.code));
        assert_eq!(out.code, 2, "{args:?} is a usage error: {}", out.stderr);
        assert!(
            first.starts_with("error: ") && first.contains(expected),
            "{args:?}: expected {expected:?} in {}",
            out.stderr
        );
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout: {}", out.stdout);
    }
    let cases: &[(&[&str], &str)] = &[
        (&["put", "/definitely/not/here.txt", &url("")], "no such file"),
        (&["put", &dir, &url("")], "directory"),
        (&["put", socket_path.to_str().unwrap(), &url("")], "not a regular file"),
        (&["put", empty.to_str().unwrap(), &url("present.txt")], "already exists"),
        (&["ls", "s3://no-such-bucket-here/"], "bucket does not exist"),
        (&["uploads", "s3://no-such-bucket-here/"], "bucket does not exist"),
        (&["get", &url("absent.txt"), &dir], "no such object"),
        (&["--endpoint-url", "localhost:9000", "ls"], "invalid endpoint URL"),
        (&["--endpoint-url", "http://127.0.0.1:9", "ls"], "cannot reach the S3 endpoint"),
    ];
    // Listing denied, reading allowed: the in-process server's access policy (an external server has its own).
    let forbidden: &[(&[&str], &str)] = if env.is_local() {
        store.create_bucket("forbidden-bucket").await.unwrap();
        &[(&["ls", "s3://forbidden-bucket/"], "access denied while trying to list objects")]
    } else {
        &[]
    };
    for (args, expected) in cases.iter().chain(forbidden) {
        let out = run(env.cli(), args).await;
        table.push(format!("| `s3share {}` | {} | {} |", args.join(" "), out.code, out.stderr.trim()));
        assert_eq!(out.code, 1, "{args:?} should fail with exit code 1: {}", out.stderr);
        assert!(out.stderr.contains(expected), "{args:?}: expected {expected:?} in {}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{args:?}: one line: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout: {}", out.stdout);
    }

    let no_credentials = run(env.cli_without_credentials(), &["ls"]).await;
    table.push(format!("| no credentials | {} | {} |", no_credentials.code, no_credentials.stderr.trim()));
    assert_eq!(no_credentials.code, 1);
    assert!(no_credentials.stderr.contains("no AWS credentials found"), "{}", no_credentials.stderr);

    let mut wrong = env.cli();
    wrong.env("AWS_SECRET_ACCESS_KEY", "wrong-secret-value-123");
    let out = run(wrong, &["ls"]).await;
    table.push(format!("| wrong secret | {} | {} |", out.code, out.stderr.trim()));
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("rejected the credentials"), "{}", out.stderr);
    assert!(!out.stderr.contains("wrong-secret-value-123"));

    let mut expired = env.cli_without_credentials();
    expired.env("AWS_CONFIG_FILE", temporary_profile(&env, -60)).env("AWS_PROFILE", "temp");
    let out = run(expired, &["ls"]).await;
    table.push(format!("| expired credentials | {} | {} |", out.code, out.stderr.trim()));
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("expired"), "{}", out.stderr);

    // Inputs that are fine after all.
    let empty_target = url("empty-upload.txt");
    let out = run(env.cli(), &["put", empty.to_str().unwrap(), &empty_target, "--link"]).await;
    assert_eq!(out.code, 0, "an empty file uploads: {}", out.stderr);
    let (status, body, _) = fetch(out.stdout.lines().last().unwrap()).await;
    assert_eq!((status, body.len()), (200, 0));
    if env.is_local() {
        let readable = S3Location::new("forbidden-bucket", "r.txt").unwrap();
        let (file, bytes) = env.file("r.txt", 5);
        let cancel = CancellationToken::new();
        store.upload_file(&file, &readable, &UploadOptions::default(), &|_| {}, &cancel).await.unwrap();
        let out = run(env.cli(), &["link", "s3://forbidden-bucket/r.txt"]).await;
        assert_eq!(out.code, 0, "a link where listing is denied: {}", out.stderr);
        assert_eq!(fetch(out.stdout.trim()).await.1, bytes);
    }
    eprintln!("{}", table.join("\n"));
}
