//! Keys of every shape (property test): whatever S3 allows — unicode of all planes, spaces, punctuation,
//! leading, trailing and double slashes, `.` and `..` segments, up to 1,024 bytes — uploads, lists,
//! and gives working download and upload links, and a tampered link is refused.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use s3share::share::{CredentialEndPolicy, LinkExpiry, LinkKind, LinkRequest, create_link};
use s3share::store::{MAX_KEY_BYTES, S3Location, Store, UploadOptions};
use tokio_util::sync::CancellationToken;

use crate::support::*;

/// The punctuation S3's docs call out as needing care, plus space.
const AWKWARD: &str = " +%?#&=;:@$,~*'()[]{}|\\^\"!<>`";

/// One character: ASCII letters, awkward punctuation, or any unicode scalar XML can carry (all planes).
fn key_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::char::range('a', 'z'),
        3 => prop::sample::select(AWKWARD.chars().collect::<Vec<_>>()),
        1 => prop::char::range('\u{a0}', '\u{d7ff}'),
        1 => prop::char::range('\u{e000}', '\u{fffd}'),
        1 => prop::char::range('\u{10000}', '\u{10ffff}'),
    ]
}

/// One path segment: empty (double or edge slashes), `.`, `..`, or a run of characters (sometimes long).
fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => Just(String::new()),
        1 => Just(".".to_owned()),
        1 => Just("..".to_owned()),
        6 => prop::collection::vec(key_char(), 1..12).prop_map(|c| c.into_iter().collect()),
        1 => prop::collection::vec(key_char(), 100..400).prop_map(|c| c.into_iter().collect()),
    ]
}

/// A key of 1..=`max_bytes` bytes (cut at a character boundary).
fn key(max_bytes: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(segment(), 1..8).prop_map(move |segments| {
        let mut key = segments.join("/");
        while key.len() > max_bytes {
            key.pop();
        }
        if key.is_empty() { "x".to_owned() } else { key }
    })
}

/// Status and body of a [`fetch`].
trait StatusAndBody {
    fn map_to_pair(self) -> (u16, Vec<u8>);
}

impl StatusAndBody for (u16, Vec<u8>, reqwest::header::HeaderMap) {
    fn map_to_pair(self) -> (u16, Vec<u8>) {
        (self.0, self.1)
    }
}

fn link(location: &S3Location, kind: LinkKind) -> LinkRequest {
    LinkRequest {
        location: location.clone(),
        kind,
        expiry: LinkExpiry::from_secs(300).unwrap(),
        policy: CredentialEndPolicy::Warn,
    }
}

/// Every check for one key; the error says which failed.
async fn check_key(env: &TestEnv, store: &Store, key: &str, data: &[u8]) -> Result<(), String> {
    let location = env.location(key);
    let path = env.dir.path().join("payload");
    std::fs::write(&path, data).unwrap();
    let options = UploadOptions { overwrite: true, exact_key: true, ..UploadOptions::default() };
    store
        .upload_file(&path, &location, &options, &|_| {}, &CancellationToken::new())
        .await
        .map_err(|e| format!("upload: {e}"))?;

    let dest = env.dir.path().join("back");
    let _ = std::fs::remove_file(&dest);
    store
        .download_file(&location, &dest, true, &|_| {}, &CancellationToken::new())
        .await
        .map_err(|e| format!("download: {e}"))?;
    if read(&dest) != data {
        return Err("download: different bytes".into());
    }

    let folder_key = location.key.rfind('/').map_or("", |at| &location.key[..=at]);
    let folder = S3Location::new(&env.bucket, folder_key).unwrap();
    let mut listing = store.list_folder(&folder, false).await.map_err(|e| format!("list: {e}"))?;
    let mut listed = false;
    while let Some(page) = listing.next_page().await {
        listed |= page.map_err(|e| format!("list: {e}"))?.objects.iter().any(|o| o.key == location.key);
    }
    if !listed {
        return Err(format!("the listing of {folder_key:?} does not show it"));
    }

    let get = create_link(store, &link(&location, LinkKind::Download { download_name: None, version_id: None }))
        .await
        .map_err(|e| format!("download link: {e}"))?;
    // Links to keys with dot segments work with clients that keep the path (curl); browsers rewrite it.
    let dots = has_dot_segment(&location.key);
    let get_url = |url: String| async move {
        if dots { send_path_as_is("GET", &url, &[], &[]).await } else { fetch(&url).await.map_to_pair() }
    };
    match get_url(get.url.clone()).await {
        (200, body) if body == data => {}
        (status, _) => return Err(format!("download link: HTTP {status}: {}", get.url)),
    }
    let tampered = get_url(tamper(&get.url)).await.0;
    if tampered != 403 && tampered != 400 {
        return Err(format!("a tampered link got HTTP {tampered}"));
    }

    let put = create_link(store, &link(&location, LinkKind::Upload { content_type: None }))
        .await
        .map_err(|e| format!("upload link: {e}"))?;
    let replacement: Vec<u8> = data.iter().rev().copied().collect();
    let status = if dots {
        send_path_as_is("PUT", &put.url, &put.headers, &replacement).await.0
    } else {
        crate::support::put(&put.url, &put.headers, replacement.clone()).await
    };
    if status != 200 {
        return Err(format!("upload link: HTTP {status}: {}", put.url));
    }
    let _ = std::fs::remove_file(&dest);
    store
        .download_file(&location, &dest, true, &|_| {}, &CancellationToken::new())
        .await
        .map_err(|e| format!("download after the upload link: {e}"))?;
    if read(&dest) != replacement {
        return Err("the upload link stored different bytes".into());
    }
    Ok(())
}

#[test]
fn keys_of_every_shape_upload_list_and_link() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let env = runtime.block_on(TestEnv::start());
    let store = runtime.block_on(env.store());
    let room = MAX_KEY_BYTES - env.prefix.len();
    let cases = std::env::var("S3SHARE_KEY_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(96);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let passed = AtomicUsize::new(0);
    let result = runner.run(&(key(room), prop::collection::vec(any::<u8>(), 0..300)), |(key, data)| {
        runtime
            .block_on(check_key(&env, &store, &key, &data))
            .map_err(|e| TestCaseError::fail(format!("{key:?}: {e}")))?;
        passed.fetch_add(1, Ordering::Relaxed);
        Ok(())
    });
    eprintln!("keys passed: {}", passed.load(Ordering::Relaxed));
    result.unwrap();
}
