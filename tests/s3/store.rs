//! The library against the server: listing, transfers, links, errors.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use s3share::share::{CredentialEndPolicy, LinkExpiry, LinkKind, LinkRequest, ShareError, create_link};
use s3share::store::{
    ConnectionConfig, LocalFileProblem, S3Location, Store, StoreError, TransferProgress, UploadOptions,
};
use tokio_util::sync::CancellationToken;

use crate::support::*;

fn no_progress(_: TransferProgress) {}

fn download_link(location: &S3Location, secs: u64) -> LinkRequest {
    LinkRequest {
        location: location.clone(),
        kind: LinkKind::Download { download_name: None, version_id: None },
        expiry: LinkExpiry::from_secs(secs).unwrap(),
        policy: CredentialEndPolicy::Warn,
    }
}

#[tokio::test]
async fn lists_buckets_and_folders() {
    let env = TestEnv::start().await;
    let store = env.store().await;
    let buckets = store.list_buckets().await.unwrap();
    assert!(buckets.iter().any(|b| b.name == env.bucket), "{buckets:?}");

    for key in ["docs/a.txt", "docs/sub/b.txt", "docs/other/c.txt", "top.txt"] {
        env.seed(&store, key, 10).await;
    }
    let mut listing = store.list_folder(&env.location("docs/"), false).await.unwrap();
    let mut folders = Vec::new();
    let mut objects = Vec::new();
    while let Some(page) = listing.next_page().await {
        let page = page.unwrap();
        folders.extend(page.folders);
        objects.extend(page.objects);
    }
    folders.sort();
    assert_eq!(folders, [format!("{}docs/other/", env.prefix), format!("{}docs/sub/", env.prefix)]);
    assert_eq!(objects.len(), 1);
    assert_eq!(objects[0].key, format!("{}docs/a.txt", env.prefix));
    assert_eq!(objects[0].size, 10);
    assert!(objects[0].last_modified.is_some());
    let details = store.object_details(&env.location("docs/a.txt")).await.unwrap();
    assert_eq!(details.size, 10);
    assert!(details.etag.is_some() && details.last_modified.is_some());
}

#[tokio::test]
async fn pages_through_2500_keys() {
    let env = TestEnv::start().await;
    let store = env.store().await;
    let (path, _) = env.file("tiny", 3);
    let options = UploadOptions { overwrite: true, ..UploadOptions::default() };
    let cancel = CancellationToken::new();
    use futures::StreamExt;
    let results: Vec<_> = futures::stream::iter(0..2500)
        .map(|i| {
            let target = env.location(&format!("many/k{i:05}"));
            let (store, path, options, cancel) = (&store, &path, &options, &cancel);
            async move { store.upload_file(path, &target, options, &no_progress, cancel).await }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    assert!(results.iter().all(Result::is_ok));

    for recursive in [false, true] {
        let mut listing = store.list_folder(&env.location("many/"), recursive).await.unwrap();
        let mut pages = 0;
        let mut keys = Vec::new();
        while let Some(page) = listing.next_page().await {
            pages += 1;
            keys.extend(page.unwrap().objects.into_iter().map(|o| o.key));
        }
        assert!(pages >= 3, "2,500 keys need at least 3 pages, got {pages}");
        assert_eq!(keys.len(), 2500);
        keys.dedup();
        assert_eq!(keys.len(), 2500, "no key listed twice");
    }

    let run = run(env.cli(), &["ls", "--recursive", &format!("s3://{}/{}many/", env.bucket, env.prefix)]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 2500);
}

#[tokio::test]
async fn uploads_round_trip_byte_exact() {
    let env = TestEnv::start().await;
    let store = env.store().await;
    for (name, len) in [("empty", 0usize), ("one-kib", 1024), ("forty-mib", 40 << 20)] {
        let (path, data) = env.file(name, len);
        let target = env.location(&format!("up/{name}"));
        let reports = std::sync::Mutex::new(Vec::new());
        let outcome = store
            .upload_file(
                &path,
                &env.location("up/"),
                &UploadOptions::default(),
                &|p| reports.lock().unwrap().push(p),
                &CancellationToken::new(),
            )
            .await
            .unwrap();
        assert_eq!(outcome.location, target, "a folder target keeps the file name");
        assert_eq!(outcome.size, len as u64);
        if len == 40 << 20 {
            assert!(outcome.parts >= 5, "40 MiB goes multipart, got {} parts", outcome.parts);
        }
        let reports = reports.into_inner().unwrap();
        assert_eq!(reports.last(), Some(&TransferProgress { done: len as u64, total: len as u64 }));

        let dest = env.dir.path().join(format!("{name}.back"));
        let got = store.download_file(&target, &dest, false, &no_progress, &CancellationToken::new()).await.unwrap();
        assert_eq!(got.size, len as u64);
        assert!(read(&dest) == data, "{name}: downloaded bytes differ");

        let link = create_link(&store, &download_link(&target, 300)).await.unwrap();
        let (status, body, _) = fetch(&link.url).await;
        assert_eq!(status, 200);
        assert!(body == data, "{name}: bytes through the link differ");
    }
}

#[tokio::test]
async fn refuses_to_overwrite_unless_asked() {
    let env = TestEnv::start().await;
    let store = env.store().await;
    let (target, _) = env.seed(&store, "same.txt", 5).await;
    let (path, new_data) = env.file("same.txt", 7);
    let refused =
        store.upload_file(&path, &target, &UploadOptions::default(), &no_progress, &CancellationToken::new()).await;
    assert!(matches!(refused, Err(StoreError::ObjectExists { .. })), "{refused:?}");
    let options = UploadOptions { overwrite: true, ..UploadOptions::default() };
    store.upload_file(&path, &target, &options, &no_progress, &CancellationToken::new()).await.unwrap();
    let dest = env.dir.path().join("same.back");
    store.download_file(&target, &dest, false, &no_progress, &CancellationToken::new()).await.unwrap();
    assert_eq!(read(&dest), new_data);
    let again = store.download_file(&target, &dest, false, &no_progress, &CancellationToken::new()).await;
    assert!(matches!(again, Err(StoreError::LocalFile { problem: LocalFileProblem::AlreadyExists, .. })));
}

#[tokio::test]
async fn cancelled_upload_leaves_no_parts() {
    let env = TestEnv::start().await;
    let store = env.store().await;
    let (path, _) = env.file("big", 40 << 20);
    let cancel = CancellationToken::new();
    let options = UploadOptions { part_size: Some(5 << 20), concurrency: 1, ..UploadOptions::default() };
    let target = env.location("cancelled/big");
    let result = store
        .upload_file(
            &path,
            &target,
            &options,
            &|p| {
                if p.done > 0 {
                    cancel.cancel();
                }
            },
            &cancel,
        )
        .await;
    assert!(matches!(result, Err(StoreError::Cancelled)), "{result:?}");
    let open = store.open_multipart_uploads(&env.bucket, &env.prefix).await.unwrap();
    assert!(open.is_empty(), "multipart uploads left behind: {open:?}");
    assert!(matches!(store.object_details(&target).await, Err(StoreError::NoSuchKey { .. })));
}

#[tokio::test]
async fn links_work_and_tampered_or_expired_links_are_refused() {
    let env = TestEnv::start().await;
    let store = env.store().await;
    let (target, data) = env.seed(&store, "share/report.pdf", 4096).await;

    let link = create_link(&store, &download_link(&target, 3600)).await.unwrap();
    assert!(
        link.url.contains(&format!("%2F{}%2Fs3%2Faws4_request", env.bucket_region())),
        "signed in the bucket's region: {}",
        link.url
    );
    assert!(link.url.contains("X-Amz-Expires=3600"));
    assert_eq!(link.effective_expires_at, link.expires_at, "static keys do not end");
    assert_eq!((link.expires_at - link.created_at).num_seconds(), 3600);
    let (status, body, _) = fetch(&link.url).await;
    assert_eq!(status, 200);
    assert_eq!(body, data);

    let (status, _, _) = fetch(&tamper(&link.url)).await;
    assert_eq!(status, 403, "a tampered signature must be refused with 403");

    let short = create_link(&store, &download_link(&target, 1)).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (status, _, _) = fetch(&short.url).await;
    assert_refused(status);

    for bad in ["0", "8d"] {
        let err = LinkExpiry::parse(bad).unwrap_err();
        assert!(matches!(err, ShareError::ExpiryOutOfRange { .. }));
        assert!(err.to_string().contains("1 second to 7 days"), "{err}");
    }
}

#[tokio::test]
async fn download_name_is_signed_into_the_link() {
    let env = TestEnv::start().await;
    let store = env.store().await;
    let (target, data) = env.seed(&store, "share/obj.bin", 100).await;
    for (name, expected) in [
        ("Q3 report.pdf", "attachment; filename=\"Q3 report.pdf\""),
        ("résumé.pdf", "filename*=UTF-8''r%C3%A9sum%C3%A9.pdf"),
    ] {
        let mut request = download_link(&target, 600);
        request.kind = LinkKind::Download { download_name: Some(name.into()), version_id: None };
        let link = create_link(&store, &request).await.unwrap();
        let (status, body, headers) = fetch(&link.url).await;
        assert_eq!(status, 200);
        assert_eq!(body, data);
        let disposition =
            headers.get("content-disposition").expect("Content-Disposition in the response").to_str().unwrap();
        assert!(disposition.contains(expected), "{disposition}");
    }
}

#[tokio::test]
async fn upload_links_enforce_their_content_type() {
    let env = TestEnv::start().await;
    let store = env.store().await;
    let target = env.location("inbox/from-alice.zip");
    let request = LinkRequest {
        location: target.clone(),
        kind: LinkKind::Upload { content_type: Some("application/zip".into()) },
        expiry: LinkExpiry::parse("1d").unwrap(),
        policy: CredentialEndPolicy::Warn,
    };
    let link = create_link(&store, &request).await.unwrap();
    assert_eq!(link.method, "PUT");
    assert!(
        link.headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v == "application/zip"),
        "{:?}",
        link.headers
    );

    let wrong = vec![("content-type".to_owned(), "text/plain".to_owned())];
    assert_eq!(put(&link.url, &wrong, b"nope".to_vec()).await, 403);

    let payload: Vec<u8> = (0..5000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(put(&link.url, &link.headers, payload.clone()).await, 200);
    let details = store.object_details(&target).await.unwrap();
    assert_eq!(details.size, payload.len() as u64);
    let get = create_link(&store, &download_link(&target, 60)).await.unwrap();
    assert_eq!(fetch(&get.url).await.1, payload);
}

#[tokio::test]
async fn awkward_keys_give_working_links() {
    let env = TestEnv::start().await;
    let store = env.store().await;
    let keys = [
        "with space.txt",
        "plus+sign.txt",
        "percent%20literal.txt",
        "ünïcödé/日本語 файл.txt",
        "question?mark.txt",
        "hash#tag.txt",
        "equals=and&amp.txt",
        "double//slash.txt",
        "trailing space ",
    ];
    for (i, key) in keys.iter().enumerate() {
        let (target, data) = env.seed(&store, key, 50 + i).await;
        assert_eq!(target.key, format!("{}{key}", env.prefix));
        let link = create_link(&store, &download_link(&target, 600)).await.unwrap();
        let (status, body, _) = fetch(&link.url).await;
        assert_eq!(status, 200, "{key:?}: {}", link.url);
        assert_eq!(body, data, "{key:?}");
        assert_eq!(store.object_details(&target).await.unwrap().size, (50 + i) as u64, "{key:?}");
    }
}

#[tokio::test]
async fn temporary_credentials_cap_the_link() {
    let env = TestEnv::start().await;
    let (target, data) = env.seed(&env.store().await, "temp/file.txt", 64).await;
    let ends = SystemTime::now() + Duration::from_secs(600);
    let temporary =
        Credentials::new(&env.access_key, &env.secret_key, Some("session-token-xyz".into()), Some(ends), "test");
    let store = Store::connect(env.connection_with(temporary)).await.unwrap();

    let link = create_link(&store, &download_link(&target, 7200)).await.unwrap();
    assert!(link.ends_early());
    let credential_end = chrono::DateTime::<chrono::Utc>::from(ends);
    assert_eq!(link.effective_expires_at, credential_end);
    assert_eq!(link.credentials_expire_at, Some(credential_end));
    assert!(link.url.contains("X-Amz-Security-Token=session-token-xyz"));
    if env.is_local() {
        // The in-process server does not validate session tokens, so the link still works here.
        assert_eq!(fetch(&link.url).await.1, data);
    }

    let mut strict = download_link(&target, 7200);
    strict.policy = CredentialEndPolicy::Refuse;
    assert!(matches!(create_link(&store, &strict).await, Err(ShareError::CredentialsEndFirst { .. })));

    let within = create_link(&store, &download_link(&target, 300)).await.unwrap();
    assert!(!within.ends_early());
}

#[tokio::test]
async fn listings_round_trip_keys_of_every_kind() {
    use aws_sdk_s3::types::EncodingType;
    let env = TestEnv::start().await;
    let store = env.store().await;
    let names = ["ünïcödé 日本語.txt", "a%2Fb.txt", "plus+and space.txt", "q?mark#hash.txt", "tab\there.txt"];
    for name in names {
        env.seed(&store, &format!("keys/{name}"), 3).await;
    }
    let mut expected: Vec<String> = names.iter().map(|n| format!("{}keys/{n}", env.prefix)).collect();
    expected.sort();

    // As s3share lists (no encoding asked).
    let mut listing = store.list_folder(&env.location("keys/"), false).await.unwrap();
    let mut listed = Vec::new();
    while let Some(page) = listing.next_page().await {
        listed.extend(page.unwrap().objects.into_iter().map(|o| o.key));
    }
    listed.sort();
    assert_eq!(listed, expected);

    // As aws-cli, boto3 and rclone list: encoding-type=url, keys percent-decoded by the client.
    let client = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::Config::builder()
            .behavior_version_latest()
            .endpoint_url(&env.endpoint)
            .region(aws_sdk_s3::config::Region::new(env.bucket_region().to_owned()))
            .force_path_style(true)
            .credentials_provider(aws_credential_types::Credentials::new(
                &env.access_key,
                &env.secret_key,
                None,
                None,
                "test",
            ))
            .build(),
    );
    let out = client
        .list_objects_v2()
        .bucket(&env.bucket)
        .prefix(format!("{}keys/", env.prefix))
        .encoding_type(EncodingType::Url)
        .send()
        .await
        .unwrap();
    let mut decoded: Vec<String> = out
        .contents()
        .iter()
        .map(|o| percent_encoding::percent_decode_str(o.key().unwrap()).decode_utf8().unwrap().into_owned())
        .collect();
    decoded.sort();
    assert_eq!(decoded, expected);
}

#[tokio::test]
async fn a_file_that_changes_during_upload_is_refused_and_leaves_nothing() {
    let env = TestEnv::start().await;
    let store = env.store().await;
    let (path, _) = env.file("growing.log", 20 << 20);
    let target = env.location("changing/growing.log");
    let options = UploadOptions { part_size: Some(5 << 20), concurrency: 1, ..UploadOptions::default() };
    let grown = std::sync::atomic::AtomicBool::new(false);
    let result = store
        .upload_file(
            &path,
            &target,
            &options,
            &|p| {
                // Someone appends to the file after the first part went up.
                if p.done > 0 && !grown.swap(true, std::sync::atomic::Ordering::SeqCst) {
                    use std::io::Write;
                    let mut f = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
                    f.write_all(b"one more line\n").unwrap();
                }
            },
            &CancellationToken::new(),
        )
        .await;
    assert!(
        matches!(result, Err(StoreError::LocalFile { problem: LocalFileProblem::ChangedDuringUpload, .. })),
        "{result:?}"
    );
    assert!(result.unwrap_err().to_string().contains("changed while it was being uploaded"));
    assert!(store.open_multipart_uploads(&env.bucket, &env.prefix).await.unwrap().is_empty(), "parts left behind");
    assert!(matches!(store.object_details(&target).await, Err(StoreError::NoSuchKey { .. })), "nothing stored");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_instead_of_hanging() {
    // Accepts connections, reads the requests, never says a word.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut sink = Vec::new();
                let _ = tokio::io::AsyncReadExt::read_to_end(&mut socket, &mut sink).await;
            });
        }
    });
    let env = TestEnv::start().await;
    let config = ConnectionConfig {
        endpoint_url: Some(format!("http://{addr}")),
        first_byte_timeout: Some(Duration::from_millis(500)),
        ..env.connection()
    };
    let started = std::time::Instant::now();
    let err = Store::connect(config).await.unwrap().list_buckets().await.unwrap_err();
    assert!(matches!(err, StoreError::EndpointUnreachable { .. }), "{err:?}");
    assert!(err.to_string().contains("timed out"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
}

/// Starts a multipart upload recorded in `journal` and drops it after two parts, as a crash would:
/// no abort, the parts stay on the server, the journal entry stays on disk.
pub async fn crash_during_upload(
    store: &Store,
    path: &std::path::Path,
    target: &S3Location,
    journal: &s3share::store::UploadJournal,
) {
    let options = UploadOptions {
        multipart_threshold: 0,
        part_size: Some(5 << 20),
        concurrency: 1,
        journal: Some(journal.clone()),
        ..UploadOptions::default()
    };
    let two_parts = tokio::sync::Notify::new();
    let progress = |p: TransferProgress| {
        if p.done >= 10 << 20 {
            two_parts.notify_one();
        }
    };
    let never_cancelled = CancellationToken::new();
    tokio::select! {
        r = store.upload_file(path, target, &options, &progress, &never_cancelled) => panic!("finished: {r:?}"),
        () = two_parts.notified() => {}
    }
}

#[tokio::test]
async fn an_upload_cut_off_by_a_crash_resumes_from_its_journal_or_is_discarded() {
    let env = TestEnv::start().await;
    let store = env.store().await;
    // Recorded as made by a process that has died, as after a real crash.
    let journal = s3share::store::UploadJournal::new(env.dir.path().join("uploads.json"), "test server")
        .recording_as(dead_process_id());
    let (path, data) = env.file("big.bin", (23 << 20) + 77);
    let target = env.location("resumed.bin");
    crash_during_upload(&store, &path, &target, &journal).await;

    let pending = journal.pending();
    assert_eq!(pending.len(), 1, "the cut-off upload is on record");
    let pending = &pending[0];
    assert_eq!((pending.bucket.as_str(), pending.key.as_str()), (target.bucket.as_str(), target.key.as_str()));
    let held = store.pending_upload_bytes(pending).await.unwrap();
    assert!(held >= 10 << 20, "the server holds the first parts ({held} bytes)");
    let options = UploadOptions { journal: Some(journal.clone()), ..UploadOptions::default() };
    let first_report = std::sync::Mutex::new(None);
    let progress = |p: TransferProgress| {
        first_report.lock().unwrap().get_or_insert(p.done);
    };
    let outcome = store.resume_upload(pending, &options, &progress, &CancellationToken::new()).await.unwrap();
    assert_eq!(outcome.parts, 5);
    assert_eq!(first_report.lock().unwrap().unwrap(), held, "the parts already there were not sent again");
    let dest = env.dir.path().join("resumed.back");
    store.download_file(&target, &dest, false, &no_progress, &CancellationToken::new()).await.unwrap();
    assert_eq!(read(&dest), data, "byte-exact");
    assert!(journal.pending().is_empty(), "done, so off the record");
    assert!(store.open_multipart_uploads(&env.bucket, &env.prefix).await.unwrap().is_empty());

    // Resuming is refused when the file changed meanwhile; discarding cleans the server up.
    let discarded = env.location("discarded.bin");
    crash_during_upload(&store, &path, &discarded, &journal).await;
    let pending = journal.pending().pop().unwrap();
    std::fs::write(&path, b"changed").unwrap();
    let err = store.resume_upload(&pending, &options, &no_progress, &CancellationToken::new()).await.unwrap_err();
    assert!(err.to_string().contains("the file changed since its upload was interrupted"), "{err}");
    store.discard_upload(&pending).await.unwrap();
    journal.forget(&pending.upload_id);
    assert!(store.open_multipart_uploads(&env.bucket, &env.prefix).await.unwrap().is_empty(), "no parts left");
    let gone = store.pending_upload_bytes(&pending).await.unwrap_err();
    assert!(matches!(gone, StoreError::UploadGone), "{gone:?}");
    assert!(matches!(store.object_details(&discarded).await, Err(StoreError::NoSuchKey { .. })));
}
