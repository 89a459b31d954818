//! Transfers and listings through the fault-injecting proxy: resets, stalls, 500/503 and slow answers.

use std::time::Duration;

use s3share::store::{ConnectionConfig, S3Location, Store, StoreError, TransferProgress, UploadOptions};
use tokio_util::sync::CancellationToken;

use crate::fault_proxy::{Fault, FaultKind, FaultProxy, Target};
use crate::support::*;

fn no_progress(_: TransferProgress) {}

/// A store that talks to the server through `proxy`.
async fn store_through(env: &TestEnv, proxy: &FaultProxy) -> Store {
    let config = ConnectionConfig {
        endpoint_url: Some(proxy.endpoint()),
        first_byte_timeout: Some(Duration::from_secs(2)),
        ..env.connection()
    };
    Store::connect(config).await.unwrap()
}

/// The object's bytes, fetched straight from the server (not through the proxy) with a presigned link.
async fn stored_bytes(env: &TestEnv, location: &S3Location) -> Vec<u8> {
    let store = env.store().await;
    let request = s3share::share::LinkRequest {
        location: location.clone(),
        kind: s3share::share::LinkKind::Download { download_name: None, version_id: None },
        expiry: s3share::share::LinkExpiry::from_secs(300).unwrap(),
        policy: s3share::share::CredentialEndPolicy::Warn,
    };
    let link = s3share::share::create_link(&store, &request).await.unwrap();
    let (status, body, _) = fetch(&link.url).await;
    assert_eq!(status, 200);
    body
}

const PARTS: UploadOptions = UploadOptions {
    multipart_threshold: 0,
    part_size: Some(5 << 20),
    concurrency: 2,
    content_type: None,
    overwrite: false,
    journal: None,
    exact_key: false,
};

#[tokio::test]
async fn an_upload_survives_resets_and_server_errors() {
    let env = TestEnv::start().await;
    let proxy = FaultProxy::start(&env.endpoint).await;
    let store = store_through(&env, &proxy).await;
    let (path, data) = env.file("flaky", (22 << 20) + 123); // 5 parts, the last one short
    proxy.plan([
        Fault::new(Target::CreateUpload, FaultKind::Status(503), 1),
        Fault::new(Target::UploadPart, FaultKind::Status(503), 2),
        Fault::new(Target::UploadPart, FaultKind::ResetRequestAfter(1 << 20), 2),
        Fault::new(Target::UploadPart, FaultKind::Status(500), 1),
        Fault::new(Target::CompleteUpload, FaultKind::Status(503), 1),
    ]);
    let target = env.location("flaky.bin");
    let options = UploadOptions { ..PARTS };
    let outcome = store.upload_file(&path, &target, &options, &no_progress, &CancellationToken::new()).await.unwrap();
    assert_eq!(outcome.parts, 5);
    assert_eq!(proxy.injected(), 7, "every planned fault was hit");
    assert_eq!(proxy.unused(), 0);
    assert_eq!(stored_bytes(&env, &target).await, data, "byte-exact despite the faults");
    assert!(env.store().await.open_multipart_uploads(&env.bucket, &env.prefix).await.unwrap().is_empty());

    // A small file (one PUT) through a reset and a 503.
    let (small, small_data) = env.file("small", 300_000);
    proxy.plan([
        Fault::new(Target::Any, FaultKind::ResetRequestAfter(100_000), 1),
        Fault::new(Target::Any, FaultKind::Status(503), 1),
    ]);
    let small_target = env.location("small.bin");
    store
        .upload_file(&small, &small_target, &UploadOptions::default(), &no_progress, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(proxy.injected(), 9);
    assert_eq!(stored_bytes(&env, &small_target).await, small_data);
}

#[tokio::test]
async fn a_persistent_failure_ends_with_a_clear_error_and_aborts_the_upload() {
    let env = TestEnv::start().await;
    let proxy = FaultProxy::start(&env.endpoint).await;
    let store = store_through(&env, &proxy).await;
    let (path, _) = env.file("doomed", 12 << 20);
    proxy.plan([Fault::always(Target::UploadPart, FaultKind::Status(503))]);
    let target = env.location("doomed.bin");
    let err = store.upload_file(&path, &target, &PARTS, &no_progress, &CancellationToken::new()).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("upload a part failed") && message.contains("503"), "{message}");
    assert!(message.contains("try again"), "says what to do: {message}");
    assert!(proxy.injected() >= 4, "parts were retried before giving up ({} faults)", proxy.injected());
    proxy.heal();
    let open = env.store().await.open_multipart_uploads(&env.bucket, &env.prefix).await.unwrap();
    assert!(open.is_empty(), "the multipart upload was aborted: {open:?}");
    assert!(matches!(env.store().await.object_details(&target).await, Err(StoreError::NoSuchKey { .. })));

    // A connection that resets on every part: same outcome.
    proxy.plan([Fault::always(Target::UploadPart, FaultKind::ResetRequestAfter(64 << 10))]);
    let err = store.upload_file(&path, &target, &PARTS, &no_progress, &CancellationToken::new()).await.unwrap_err();
    assert!(matches!(err, StoreError::EndpointUnreachable { .. }), "{err:?}");
    proxy.heal();
    assert!(env.store().await.open_multipart_uploads(&env.bucket, &env.prefix).await.unwrap().is_empty());
}

#[tokio::test]
async fn downloads_pick_up_after_resets_stalls_and_slow_answers() {
    let env = TestEnv::start().await;
    let seeded = env.store().await;
    let (small, small_data) = env.seed(&seeded, "small.bin", 3 << 20).await;
    let (large, large_data) = env.seed(&seeded, "large.bin", 40 << 20).await; // ranged, 4 at once
    let proxy = FaultProxy::start(&env.endpoint).await;
    let store = store_through(&env, &proxy).await;
    let cancel = CancellationToken::new();

    proxy.plan([
        Fault::new(Target::GetObject, FaultKind::ResetResponseAfter(1 << 20), 2),
        Fault::new(Target::GetObject, FaultKind::Status(503), 1),
        Fault::new(Target::GetObject, FaultKind::Stall(Duration::from_secs(5)), 1), // > first-byte timeout
    ]);
    let dest = env.dir.path().join("small.out");
    store.download_file(&small, &dest, false, &no_progress, &cancel).await.unwrap();
    assert_eq!(read(&dest), small_data);
    assert_eq!(proxy.unused(), 0, "all four faults hit");

    proxy.plan([Fault::new(Target::GetObject, FaultKind::ResetResponseAfter(3 << 20), 4)]);
    let dest = env.dir.path().join("large.out");
    store.download_file(&large, &dest, false, &no_progress, &cancel).await.unwrap();
    assert_eq!(read(&dest), large_data, "every range resumed where it broke off");
    assert_eq!(proxy.unused(), 0);

    proxy
        .plan([Fault::always(Target::GetObject, FaultKind::Slow { chunk: 64 << 10, pause: Duration::from_millis(2) })]);
    let dest = env.dir.path().join("slow.out");
    store.download_file(&small, &dest, false, &no_progress, &cancel).await.unwrap();
    assert_eq!(read(&dest), small_data);
    assert_eq!(proxy.injected(), 9);
}

#[tokio::test]
async fn a_download_that_keeps_failing_leaves_no_file_behind() {
    let env = TestEnv::start().await;
    let seeded = env.store().await;
    let (source, _) = env.seed(&seeded, "doomed.bin", 2 << 20).await;
    let proxy = FaultProxy::start(&env.endpoint).await;
    let store = store_through(&env, &proxy).await;
    let folder = env.dir.path().join("downloads");
    std::fs::create_dir(&folder).unwrap();
    let dest = folder.join("doomed.bin");
    for kind in [FaultKind::ResetResponseAfter(0), FaultKind::Status(500)] {
        proxy.heal();
        proxy.plan([Fault::always(Target::GetObject, kind)]);
        let err =
            store.download_file(&source, &dest, false, &no_progress, &CancellationToken::new()).await.unwrap_err();
        assert!(!err.to_string().is_empty());
        let left: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(left.is_empty(), "{kind:?} left files behind: {left:?} ({err})");
    }
}

#[tokio::test]
async fn listings_survive_a_reset_show_the_first_page_early_and_fail_cleanly() {
    let env = TestEnv::start().await;
    let store = env.store().await;
    let (path, _) = env.file("tiny", 1);
    use futures::StreamExt;
    let seeded: Vec<_> = futures::stream::iter(0..1100)
        .map(|i| {
            let (store, path, target) = (&store, &path, env.location(&format!("many/k{i:05}")));
            async move {
                store
                    .upload_file(path, &target, &UploadOptions::default(), &no_progress, &CancellationToken::new())
                    .await
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    assert!(seeded.iter().all(Result::is_ok));
    let proxy = FaultProxy::start(&env.endpoint).await;
    let url = format!("s3://{}/{}many/", env.bucket, env.prefix);
    let cli = || {
        let mut cmd = env.cli();
        cmd.env("AWS_ENDPOINT_URL", proxy.endpoint());
        cmd
    };

    // A reset in the middle of the second page: retried, nothing lost, nothing twice.
    proxy.plan([Fault::new(Target::LaterListPage, FaultKind::ResetResponseAfter(2000), 1)]);
    let listed = run(cli(), &["ls", "--recursive", &url]).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let mut lines: Vec<_> = listed.stdout.lines().collect();
    assert_eq!(lines.len(), 1100);
    lines.dedup();
    assert_eq!(lines.len(), 1100);
    assert_eq!(proxy.unused(), 0);

    // The second page held back: the first 1,000 lines are already out while it is pending.
    proxy.plan([Fault::new(Target::LaterListPage, FaultKind::Stall(Duration::from_secs(60)), 1)]);
    let mut child = cli().args(["ls", "--recursive", &url]).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut reader = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let first_page = tokio::time::timeout(Duration::from_secs(30), async {
        let mut n = 0;
        while n < 1000 {
            reader.next_line().await.unwrap().expect("output ended before the first page was printed");
            n += 1;
        }
        n
    })
    .await
    .expect("the first page was not printed while the second was being fetched");
    assert_eq!(first_page, 1000);
    // Printed before the second page was even asked for; it is asked for next, and held.
    for _ in 0..100 {
        if proxy.unused() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(proxy.unused(), 0, "the second page was asked for");
    assert!(proxy.in_flight() >= 1, "…and is still pending");
    child.kill().await.unwrap();
    proxy.heal();

    // A server that fails every later page: the first page is printed, then one clear line and exit 1.
    proxy.plan([Fault::always(Target::LaterListPage, FaultKind::Status(500))]);
    let failed = run(cli(), &["ls", "--recursive", &url]).await;
    assert_eq!(failed.code, 1);
    assert_eq!(failed.stdout.lines().count(), 1000);
    let error_lines: Vec<_> = failed.stderr.lines().collect();
    assert_eq!(error_lines.len(), 1, "{}", failed.stderr);
    assert!(error_lines[0].contains("HTTP 500") && error_lines[0].contains("try again"), "{}", failed.stderr);
}
