//! The `s3share` binary against the server.

use crate::support::*;

fn s3(env: &TestEnv, key: &str) -> String {
    format!("s3://{}/{}{key}", env.bucket, env.prefix)
}

#[tokio::test]
async fn put_ls_get_rm() {
    let env = TestEnv::start().await;
    let (path, data) = env.file("report.pdf", 3000);
    let path = path.to_str().unwrap();

    let put = run(env.cli(), &["put", path, &s3(&env, "docs/")]).await;
    assert_eq!(put.code, 0, "{}", put.stderr);
    assert_eq!(put.stdout.trim(), s3(&env, "docs/report.pdf"));

    let again = run(env.cli(), &["put", path, &s3(&env, "docs/")]).await;
    assert_ne!(again.code, 0);
    assert!(again.stderr.contains("--overwrite"), "{}", again.stderr);
    assert_eq!(run(env.cli(), &["put", "--overwrite", path, &s3(&env, "docs/")]).await.code, 0);

    let buckets = run(env.cli(), &["ls"]).await;
    assert_eq!(buckets.code, 0, "{}", buckets.stderr);
    assert!(buckets.stdout.lines().any(|l| l.ends_with(&format!(" {}", env.bucket))), "{}", buckets.stdout);

    let folder = run(env.cli(), &["ls", &s3(&env, "")]).await;
    assert!(folder.stdout.contains("PRE docs/"), "{}", folder.stdout);
    let files = run(env.cli(), &["ls", "--json", &s3(&env, "docs/")]).await;
    let entry: serde_json::Value = serde_json::from_str(files.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(entry["key"], format!("{}docs/report.pdf", env.prefix));
    assert_eq!(entry["size"], 3000);

    let get = run(env.cli(), &["get", &s3(&env, "docs/report.pdf"), "copy.pdf"]).await;
    assert_eq!(get.code, 0, "{}", get.stderr);
    assert_eq!(read(&env.dir.path().join("copy.pdf")), data);
    let clash = run(env.cli(), &["get", &s3(&env, "docs/report.pdf"), "copy.pdf"]).await;
    assert_ne!(clash.code, 0);
    assert!(clash.stderr.contains("already exists"), "{}", clash.stderr);

    assert_eq!(run(env.cli(), &["rm", &s3(&env, "docs/report.pdf")]).await.code, 0);
    let gone = run(env.cli(), &["rm", &s3(&env, "docs/report.pdf")]).await;
    assert_ne!(gone.code, 0);
    assert!(gone.stderr.contains("no such object"), "{}", gone.stderr);
    assert_eq!(gone.stderr.trim().lines().count(), 1, "one line: {}", gone.stderr);
}

#[tokio::test]
async fn put_with_link_and_link_command() {
    let env = TestEnv::start().await;
    let (path, data) = env.file("photo.jpg", 2048);
    let put = run(env.cli(), &["put", path.to_str().unwrap(), &s3(&env, "p/"), "--link", "--expires", "2h"]).await;
    assert_eq!(put.code, 0, "{}", put.stderr);
    let url = put.stdout.trim();
    assert!(url.starts_with(&env.endpoint) && url.contains("X-Amz-Expires=7200"), "{url}");
    assert_eq!(fetch(url).await.1, data);

    let link =
        run(env.cli(), &["link", &s3(&env, "p/photo.jpg"), "--expires", "90m", "--download-name", "Q3 report.pdf"])
            .await;
    assert_eq!(link.code, 0, "{}", link.stderr);
    assert_eq!(link.stdout.lines().count(), 1, "only the URL on stdout");
    let (status, body, headers) = fetch(link.stdout.trim()).await;
    assert_eq!((status, body), (200, data.clone()));
    assert!(headers["content-disposition"].to_str().unwrap().contains("Q3 report.pdf"));

    let json = run(env.cli(), &["link", &s3(&env, "p/photo.jpg"), "--expires", "1d", "--json"]).await;
    let value: serde_json::Value = serde_json::from_str(json.stdout.trim()).unwrap();
    assert_eq!(value["method"], "GET");
    assert!(value["url"].as_str().unwrap().contains("X-Amz-Expires=86400"));
    assert_eq!(value["expires_at"], value["effective_expires_at"]);
    for field in ["headers", "expires_at", "effective_expires_at"] {
        assert!(!value[field].is_null(), "{field} missing: {value}");
    }
}

#[tokio::test]
async fn upload_link_with_curl_command() {
    let env = TestEnv::start().await;
    let target = s3(&env, "inbox/from-alice.zip");
    let curl =
        run(env.cli(), &["link", &target, "--put", "--content-type", "application/zip", "--expires", "1d", "--curl"])
            .await;
    assert_eq!(curl.code, 0, "{}", curl.stderr);
    let command = curl.stdout.trim();
    assert!(command.starts_with("curl ") && command.contains("content-type: application/zip"), "{command}");
    // The colleague's side: run the printed command as it is, from a folder holding the file.
    let (_, data) = env.file("from-alice.zip", 10_000);
    let status =
        tokio::process::Command::new("sh").arg("-c").arg(command).current_dir(env.dir.path()).status().await.unwrap();
    assert!(status.success(), "the printed curl command failed");
    let get = run(env.cli(), &["get", &target, "back.zip"]).await;
    assert_eq!(get.code, 0, "{}", get.stderr);
    assert_eq!(read(&env.dir.path().join("back.zip")), data);
}

#[tokio::test]
async fn temporary_credentials_warn_and_cap() {
    let env = TestEnv::start().await;
    let (path, _) = env.file("t.txt", 10);
    assert_eq!(run(env.cli(), &["put", path.to_str().unwrap(), &s3(&env, "")]).await.code, 0);
    let config = temporary_profile(&env, 600);
    let cli = || {
        let mut cmd = env.cli_without_credentials();
        cmd.env("AWS_CONFIG_FILE", &config);
        cmd
    };

    let out = run(cli(), &["--profile", "temp", "link", &s3(&env, "t.txt"), "--expires", "2h", "--json"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("warning: the credentials in use end at"), "{}", out.stderr);
    let value: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(value["effective_expires_at"], value["credentials_expire_at"]);
    assert_ne!(value["effective_expires_at"], value["expires_at"]);
    assert!(value["url"].as_str().unwrap().contains("X-Amz-Security-Token=temporary-session-token"));
    let effective: chrono::DateTime<chrono::Utc> = value["effective_expires_at"].as_str().unwrap().parse().unwrap();
    let left = effective - chrono::Utc::now();
    assert!(left > chrono::Duration::seconds(500) && left <= chrono::Duration::seconds(600), "{left}");

    let strict = run(cli(), &["--profile", "temp", "link", &s3(&env, "t.txt"), "--expires", "2h", "--strict"]).await;
    assert_ne!(strict.code, 0);
    assert!(strict.stderr.contains("before the link would"), "{}", strict.stderr);
    assert!(strict.stdout.is_empty());

    let short = run(cli(), &["--profile", "temp", "link", &s3(&env, "t.txt"), "--expires", "5m"]).await;
    assert_eq!(short.code, 0, "{}", short.stderr);
    assert!(!short.stderr.contains("warning"), "{}", short.stderr);
}

#[tokio::test]
async fn serve_prints_the_environment_and_serves_the_store() {
    use tokio::io::AsyncBufReadExt;
    let env = TestEnv::start().await;
    let dir = env.dir.path().join("served");
    let mut cmd = env.cli_without_credentials();
    cmd.args(["serve", "--dir", dir.to_str().unwrap(), "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut vars = Vec::new();
    for _ in 0..4 {
        let line = lines.next_line().await.unwrap().expect("four AWS_ lines");
        let (name, value) = line.split_once('=').unwrap();
        vars.push((name.to_owned(), value.to_owned()));
    }
    let names: Vec<&str> = vars.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"]);

    let with_vars = || {
        let mut cmd = env.cli_without_credentials();
        cmd.envs(vars.iter().cloned());
        cmd
    };
    let buckets = run(with_vars(), &["ls"]).await;
    assert!(buckets.stdout.contains(" shared"), "{} {}", buckets.stdout, buckets.stderr);
    let (path, data) = env.file("from-serve.txt", 777);
    let put = run(with_vars(), &["put", path.to_str().unwrap(), "s3://shared/", "--link"]).await;
    assert_eq!(put.code, 0, "{}", put.stderr);
    assert_eq!(fetch(put.stdout.trim()).await.1, data);
    child.kill().await.unwrap();
}

#[tokio::test]
async fn ctrl_c_during_put_aborts_the_multipart_upload() {
    let env = TestEnv::start().await;
    let (path, _) = env.file("big.bin", 100 << 20);
    let mut cmd = env.cli();
    cmd.args(["put", path.to_str().unwrap(), &s3(&env, "interrupted/"), "--part-size", "5M", "--concurrency", "1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    let store = env.store().await;
    // Wait until the upload has begun, then press Ctrl+C.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while store.open_multipart_uploads(&env.bucket, &env.prefix).await.unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "the upload never started");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(stderr.contains("upload cancelled; nothing was stored and no parts were left behind"), "{stderr}");
    assert!(store.open_multipart_uploads(&env.bucket, &env.prefix).await.unwrap().is_empty(), "parts left behind");
}

#[tokio::test]
async fn links_for_a_whole_folder() {
    let env = TestEnv::start().await;
    let store = env.store().await;
    let mut expected = std::collections::HashMap::new();
    for (key, len) in [("f/a.txt", 10), ("f/b.txt", 20), ("f/c d.txt", 30), ("f/sub/e.txt", 40)] {
        let (location, data) = env.seed(&store, key, len).await;
        expected.insert(location.key, data);
    }
    let folder = run(env.cli(), &["link", &s3(&env, "f/"), "--expires", "10m"]).await;
    assert_eq!(folder.code, 0, "{}", folder.stderr);
    assert_eq!(folder.stdout.lines().count(), 3, "objects directly in the folder: {}", folder.stdout);
    let all = run(env.cli(), &["link", "--recursive", &s3(&env, "f/")]).await;
    assert_eq!(all.stdout.lines().count(), 4);
    for line in all.stdout.lines() {
        let (key, url) = line.split_once('\t').unwrap();
        assert_eq!(&fetch(url).await.1, &expected[key], "{key}");
    }
    let empty = run(env.cli(), &["link", &s3(&env, "nothing/")]).await;
    assert_ne!(empty.code, 0);
    assert!(empty.stderr.contains("no objects to link"), "{}", empty.stderr);
}

#[tokio::test]
async fn trace_logs_never_show_the_secret_key_or_the_session_token() {
    let env = TestEnv::start().await;
    let config = temporary_profile(&env, 600);
    let (path, _) = env.file("log-me.txt", 2000);
    let cli = || {
        let mut cmd = env.cli_without_credentials();
        cmd.env("AWS_CONFIG_FILE", &config).env("AWS_PROFILE", "temp").env("RUST_LOG", "trace");
        cmd
    };
    let mut logs = String::new();
    for args in [
        vec!["ls".to_owned()],
        vec!["put".into(), path.to_str().unwrap().into(), s3(&env, "")],
        vec!["link".into(), s3(&env, "log-me.txt")],
        vec!["get".into(), s3(&env, "log-me.txt"), "back.txt".into()],
        vec!["ls".into(), "s3://no-such-bucket-for-logs/".into()],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(cli(), &args).await;
        logs.push_str(&out.stderr);
    }
    assert!(logs.lines().filter(|l| l.contains("TRACE")).count() > 100, "trace logging is on: {} bytes", logs.len());
    assert!(!logs.contains(&env.secret_key), "the secret key leaked into the logs");
    let leaks: Vec<String> = logs
        .lines()
        .filter(|l| l.contains("temporary-session-token"))
        .map(|l| {
            let at = l.find("temporary-session-token").unwrap();
            l[..l.len().min(120)].to_owned() + " … " + &l[at.saturating_sub(150)..at]
        })
        .take(4)
        .collect();
    assert!(leaks.is_empty(), "the session token leaked into the logs: {leaks:#?}");
}

/// Starts `s3share put --link` of `file` to `key` through `proxy` with 5 MiB parts one at a time, lets
/// two parts through and holds the third, then kills the command (SIGKILL: no chance to clean up).
/// Returns the arguments, to run the same command again, and the journal entry it left.
async fn put_killed_after_two_parts(
    env: &TestEnv,
    proxy: &crate::fault_proxy::FaultProxy,
    file: &std::path::Path,
    key: &str,
) -> (Vec<String>, s3share::store::PendingUpload) {
    use crate::fault_proxy::{Fault, FaultKind, Target};
    use std::time::{Duration, Instant};
    let journal = s3share::store::UploadJournal::new(
        env.dir.path().join("data/s3share/unfinished-uploads.json"),
        format!("command line: {}", proxy.endpoint()),
    );
    proxy
        .plan([Fault::always(Target::UploadParts { from: 3, to: 10_000 }, FaultKind::Stall(Duration::from_secs(600)))]);
    let args: Vec<String> = ["put", file.to_str().unwrap(), &s3(env, key), "--part-size", "5M", "--concurrency", "1"]
        .into_iter()
        .chain(["--link"])
        .map(str::to_owned)
        .collect();
    let mut cmd = env.cli();
    cmd.env("AWS_ENDPOINT_URL", proxy.endpoint()).args(&args).kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    let store = env.store().await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let pending = loop {
        assert!(Instant::now() < deadline, "two parts never arrived");
        if let Some(pending) = journal.pending().into_iter().find(|p| p.key.ends_with(key))
            && store.pending_upload_bytes(&pending).await.unwrap() == 10 << 20
        {
            break pending;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // While it runs, another put over the same connection does not call it cut off.
    let (tiny, _) = env.file("while-running.txt", 10);
    let mut beside = env.cli();
    beside.env("AWS_ENDPOINT_URL", proxy.endpoint());
    let beside = run(beside, &["put", "--overwrite", tiny.to_str().unwrap(), &s3(env, "beside/")]).await;
    assert_eq!(beside.code, 0, "{}", beside.stderr);
    assert!(!beside.stderr.contains(key), "a running upload is not cut off: {}", beside.stderr);
    child.kill().await.unwrap();
    proxy.heal();
    (args, pending)
}

#[tokio::test]
async fn a_killed_put_is_picked_up_by_the_same_command_or_discarded() {
    use crate::fault_proxy::{Fault, FaultKind, FaultProxy, Target};
    let env = TestEnv::start().await;
    let proxy = FaultProxy::start(&env.endpoint).await;
    let cli = || {
        let mut cmd = env.cli();
        cmd.env("AWS_ENDPOINT_URL", proxy.endpoint());
        cmd
    };
    let store = env.store().await;
    let open = || store.open_multipart_uploads(&env.bucket, &env.prefix);

    // Killed after 2 of 5 parts; the same command again sends only parts 3 to 5 (parts 1 and 2 would
    // be refused) and completes the same upload.
    let (file, data) = env.file("video.mp4", 23 << 20);
    let (args, pending) = put_killed_after_two_parts(&env, &proxy, &file, "resumed/video.mp4").await;
    assert_eq!(pending.source, file.canonicalize().unwrap(), "recorded by full path");
    assert_eq!(open().await.unwrap().len(), 1, "the killed command's upload is still open");
    let listed = run(cli(), &["uploads", &s3(&env, "")]).await;
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    assert!(
        listed.stdout.contains(&format!("{}  {}", s3(&env, "resumed/video.mp4"), pending.upload_id)),
        "{}",
        listed.stdout
    );
    assert!(listed.stderr.contains("1 unfinished; `s3share uploads --abort"), "{}", listed.stderr);
    proxy.plan([Fault::always(Target::UploadParts { from: 1, to: 2 }, FaultKind::Status(500))]);
    let injected_before = proxy.injected();
    let again = run(cli(), &args.iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stderr.contains("picking up the upload of this file begun"), "{}", again.stderr);
    assert!(again.stderr.contains("(10.0 MiB of 23.0 MiB already on the server)"), "{}", again.stderr);
    assert_eq!(proxy.injected(), injected_before, "parts 1 and 2 were not sent again");
    proxy.heal();
    assert_eq!(fetch(again.stdout.trim()).await.1, data);
    assert!(open().await.unwrap().is_empty());

    // Killed, then the file changes: the old upload is aborted and the new content uploaded whole.
    let (file, _) = env.file("draft.bin", 23 << 20);
    let (args, _) = put_killed_after_two_parts(&env, &proxy, &file, "changed/draft.bin").await;
    let (_, new_data) = env.file("draft.bin", 24 << 20);
    let again = run(cli(), &args.iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        again.stderr.contains("the file has changed since: discarding that upload and starting over"),
        "{}",
        again.stderr
    );
    assert_eq!(fetch(again.stdout.trim()).await.1, new_data);
    assert!(open().await.unwrap().is_empty(), "the old upload was aborted");

    // Killed and never run again: `uploads --abort` discards it and forgets it.
    let (file, _) = env.file("old.iso", 23 << 20);
    let (_, pending) = put_killed_after_two_parts(&env, &proxy, &file, "abandoned/old.iso").await;
    let (tiny, _) = env.file("tiny.txt", 10);
    let other = run(cli(), &["put", tiny.to_str().unwrap(), &s3(&env, "abandoned/")]).await;
    assert_eq!(other.code, 0, "{}", other.stderr);
    let reminder = format!("`s3share uploads --abort {}` to discard it", s3(&env, "abandoned/old.iso"));
    assert!(other.stderr.contains(&reminder), "a later put mentions it: {}", other.stderr);
    let aborted = run(cli(), &["uploads", "--abort", &s3(&env, "abandoned/")]).await;
    assert_eq!(aborted.code, 0, "{}", aborted.stderr);
    assert_eq!(aborted.stdout.trim(), format!("aborted {}", s3(&env, "abandoned/old.iso")));
    assert!(open().await.unwrap().is_empty());
    let journal = std::fs::read_to_string(env.dir.path().join("data/s3share/unfinished-uploads.json")).unwrap();
    assert!(!journal.contains(&pending.upload_id), "forgotten: {journal}");
    let none = run(cli(), &["uploads", &s3(&env, "")]).await;
    assert_eq!((none.code, none.stdout.as_str()), (0, ""));
    assert!(none.stderr.contains("no unfinished uploads under"), "{}", none.stderr);
}
