//! The window, driven headless with egui_kittest against the in-process server: the real app,
//! worker and store, no mocks. Widgets are found by their labels, as a user finds them.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use s3share::app::browser::ListingStatus;
use s3share::app::connections::ConnectionChoice;
use s3share::app::settings::{SavedConnection, Settings};
use s3share::app::state::ConnectionStatus;
use s3share::app::transfer::TransferStatus;
use s3share::app::{ClipboardSink, S3ShareApp, StartOptions};
use s3share::store::{S3Location, UploadOptions};
use tokio_util::sync::CancellationToken;

use crate::support::*;

/// Settings of someone who has seen the first-run welcome.
fn seen_settings() -> Settings {
    Settings { welcome_seen: true, ..Settings::default() }
}

/// Builds the real app connected to the test server, on `runtime`.
fn window<'a>(env: &TestEnv, runtime: &tokio::runtime::Runtime) -> Harness<'a, S3ShareApp> {
    window_with(env, runtime, &env.endpoint, &env.secret_key)
}

/// Builds the real app connected to `endpoint` with the test's access key and `secret_key`.
fn window_with<'a>(
    env: &TestEnv,
    runtime: &tokio::runtime::Runtime,
    endpoint: &str,
    secret_key: &str,
) -> Harness<'a, S3ShareApp> {
    window_with_credentials(env, runtime, endpoint, Credentials::new(&env.access_key, secret_key, None, None, "test"))
}

/// Builds the real app connected to `endpoint` with `credentials`.
pub fn window_with_credentials<'a>(
    env: &TestEnv,
    runtime: &tokio::runtime::Runtime,
    endpoint: &str,
    credentials: Credentials,
) -> Harness<'a, S3ShareApp> {
    let choice = ConnectionChoice {
        name: "Test server".into(),
        saved: SavedConnection {
            name: "Test server".into(),
            endpoint_url: endpoint.to_owned(),
            region: env.region.clone(),
            path_style: true,
            profile: None,
        },
        credentials: Some(SharedCredentialsProvider::new(credentials)),
    };
    let journal = journal_path(env);
    let handle = runtime.handle().clone();
    Harness::builder().with_size(egui::vec2(1280.0, 800.0)).build_eframe(move |cc| {
        S3ShareApp::new(
            &cc.egui_ctx,
            seen_settings(),
            &handle,
            StartOptions {
                command_line: Some(choice),
                upload_journal: Some(journal),
                ..StartOptions::bare(ClipboardSink::Egui)
            },
        )
    })
}

/// Where the test window records its running multipart uploads.
pub fn journal_path(env: &TestEnv) -> PathBuf {
    env.dir.path().join("unfinished-uploads.json")
}

/// Steps the window until `done` holds (the worker runs on its own threads meanwhile).
pub fn step_until(harness: &mut Harness<'_, S3ShareApp>, what: &str, done: impl Fn(&Harness<'_, S3ShareApp>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done(harness) {
        if Instant::now() > deadline {
            let state = &harness.state().state;
            let form = harness.state().local.add_connection.as_ref().map(|f| f.problem.clone());
            panic!(
                "timed out waiting for: {what}; connection {:?}; errors {:?}; form {form:?}",
                state.connection, state.errors
            );
        }
        harness.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.step();
}

/// Steps until the window puts new text on the clipboard; returns it. The app hands every copy
/// to egui's clipboard output (checked in the frame it happens) and keeps a record of it (read
/// here, so a copy is never missed between two looks).
pub fn step_until_copied(harness: &mut Harness<'_, S3ShareApp>) -> String {
    let before = harness.state().copied.len();
    step_until_copied_since(harness, before)
}

/// Like [`step_until_copied`] for a copy that may already have happened while the test stepped the
/// window for something else: returns copy number `before` (counted from 0), waiting for it if needed.
pub fn step_until_copied_since(harness: &mut Harness<'_, S3ShareApp>, before: usize) -> String {
    if let Some(text) = harness.state().copied.get(before).cloned() {
        return text;
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        harness.step();
        let in_output = harness.output().platform_output.commands.iter().find_map(|c| match c {
            egui::OutputCommand::CopyText(text) => Some(text.clone()),
            _ => None,
        });
        if let Some(text) = harness.state().copied.get(before).cloned() {
            if let Some(output) = in_output {
                assert_eq!(output, text, "egui got the same text");
            }
            return text;
        }
        if Instant::now() > deadline {
            let state = &harness.state().state;
            panic!("nothing was copied; errors {:?}", state.errors);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Opens the bucket and walks down to `folder` (relative to the test's prefix) by clicking and pressing Enter.
pub fn walk_to(harness: &mut Harness<'_, S3ShareApp>, env: &TestEnv, folder: &[&str]) {
    step_until(harness, "the bucket list", |h| h.state().state.buckets.iter().any(|b| b.name == env.bucket));
    harness.get_by_label(&env.bucket).click();
    let prefix = env.prefix.trim_end_matches('/').to_owned();
    // A shared bucket may hold more folders than fit on screen (other runs' prefixes): filter to
    // this test's, as a user would.
    step_until(harness, "the bucket's listing", |h| {
        let browser = &h.state().state.browser;
        browser.status == ListingStatus::Complete && browser.folder.as_ref().is_some_and(|f| f.key.is_empty())
    });
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.run_steps(2);
    harness.event(egui::Event::Text(prefix.clone()));
    harness.run_steps(2);
    for name in std::iter::once(prefix.as_str()).chain(folder.iter().copied()) {
        let row = format!("{name}/");
        step_until(harness, &format!("the row {row}"), |h| h.query_by_label(&row).is_some());
        harness.get_by_label(&row).click();
        harness.step();
        harness.key_press(egui::Key::Enter);
        harness.step();
    }
    let expected = format!("{}{}", env.prefix, folder.iter().map(|f| format!("{f}/")).collect::<String>());
    step_until(harness, "the folder to open", |h| {
        h.state().state.browser.folder.as_ref().is_some_and(|f| f.key == expected)
    });
}

#[test]
fn browse_select_and_copy_a_working_link() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let env = runtime.block_on(TestEnv::start());
    let (path, data) = env.file("report.pdf", 5000);
    runtime.block_on(async {
        let store = env.store().await;
        let nothing = |_| {};
        for key in ["docs/report.pdf", "docs/old/notes.txt"] {
            store
                .upload_file(&path, &env.location(key), &UploadOptions::default(), &nothing, &CancellationToken::new())
                .await
                .unwrap();
        }
    });

    let mut harness = window(&env, &runtime);
    step_until(&mut harness, "connected", |h| matches!(h.state().state.connection, ConnectionStatus::Connected(_)));
    walk_to(&mut harness, &env, &["docs"]);
    step_until(&mut harness, "report.pdf listed", |h| h.query_by_label("report.pdf").is_some());
    assert!(harness.query_by_label("old/").is_some(), "sub-folder shown");

    harness.get_by_label("report.pdf").click();
    step_until(&mut harness, "details", |h| matches!(&h.state().state.details, Some((_, Ok(_)))));
    assert!(harness.query_by_label_contains("5000 bytes").is_some(), "size shown in the details");

    harness.get_by_label("15 min").click();
    harness.step();
    assert_eq!(harness.state().state.settings.expiry_secs, 900);
    assert!(harness.query_by_label_contains("The link stops working at").is_some());

    // The slider, by keyboard: each step moves it along its logarithmic scale.
    harness.get_by_role(egui::accesskit::Role::Slider).focus();
    harness.step();
    for _ in 0..5 {
        harness.key_press(egui::Key::ArrowRight);
        harness.step();
    }
    let expiry = harness.state().state.settings.expiry_secs;
    assert!(expiry > 900 && expiry <= 604_800, "the slider moved the expiry: {expiry}");

    harness.get_by_label("📋 Copy link").click();
    let url = step_until_copied(&mut harness);
    assert!(url.contains(&format!("X-Amz-Expires={expiry}")), "{url}");
    let (status, body, _) = runtime.block_on(fetch(&url));
    assert_eq!(status, 200);
    assert_eq!(body, data, "the copied link serves the exact bytes");
    step_until(&mut harness, "the toast", |h| h.query_by_label_contains("Link copied — valid until").is_some());
    assert_eq!(harness.state().state.settings.history.len(), 1, "kept in the history");
    step_until(&mut harness, "the QR code from the worker", |h| h.state().state.share.qr.is_some());
    let (encoded, code) = harness.state().state.share.qr.clone().unwrap();
    assert_eq!(encoded, url, "the QR code is the copied link's");
    assert_eq!(code.map(|c| c.text), Some(url.clone()));

    // Keyboard: Backspace goes up, then Ctrl+C on a folder makes no link.
    harness.key_press(egui::Key::Backspace);
    step_until(&mut harness, "the parent folder", |h| {
        h.state().state.browser.folder.as_ref().is_some_and(|f| f.key == env.prefix)
    });
}

/// A dropped file, as eframe hands it over.
#[derive(Debug)]
pub struct Dropped(pub PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropped_file_uploads_with_progress_and_its_link_is_copied() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let env = runtime.block_on(TestEnv::start());
    runtime.block_on(async { env.seed(&env.store().await, "inbox/seed.txt", 10).await });
    let mut harness = window(&env, &runtime);
    walk_to(&mut harness, &env, &["inbox"]);

    let (path, data) = env.file("holiday photos.zip", 20 << 20);
    harness.input_mut().dropped_files.push(Arc::new(Dropped(path.clone())));
    let url = step_until_copied(&mut harness);
    let transfer = harness.state().state.transfers[0].clone();
    assert_eq!(transfer.status, TransferStatus::Done);
    assert_eq!(transfer.progress.done, 20 << 20);
    assert_eq!(transfer.object.key, format!("{}inbox/holiday photos.zip", env.prefix));
    let (status, body, _) = runtime.block_on(fetch(&url));
    assert_eq!(status, 200);
    assert!(body == data, "the uploaded file's link serves the exact bytes");
    step_until(&mut harness, "the new file in the list", |h| {
        h.state().state.browser.rows.iter().any(|r| r.name == "holiday photos.zip")
    });
    // In the table, the transfers panel and (selected after the upload) the share panel.
    assert_eq!(harness.query_all_by_label("holiday photos.zip").count(), 3);
    assert_eq!(harness.state().state.browser.selected_row().map(|r| r.name.as_str()), Some("holiday photos.zip"));

    // Dropping it again asks before overwriting; "Keep both" stores a second copy.
    harness.input_mut().dropped_files.push(Arc::new(Dropped(path)));
    step_until(&mut harness, "the name-conflict question", |h| h.query_by_label("Keep both").is_some());
    harness.get_by_label("Keep both").click();
    let second = step_until_copied(&mut harness);
    assert!(second.contains("holiday%20photos%20%281%29.zip"), "{second}");
    assert_eq!(runtime.block_on(fetch(&second)).1.len(), data.len());
}

#[test]
fn cancelling_an_upload_leaves_no_parts() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let env = runtime.block_on(TestEnv::start());
    runtime.block_on(async { env.seed(&env.store().await, "big/seed.txt", 10).await });
    let mut harness = window(&env, &runtime);
    walk_to(&mut harness, &env, &["big"]);
    let (path, _) = env.file("huge.bin", 200 << 20);
    let folder = harness.state().state.browser.folder.clone().unwrap();
    // The same entry point the file dialog's answer and a drop use.
    let commands = harness.state_mut().state.upload_files(vec![path], &folder);
    assert_eq!(commands.len(), 1);
    harness.state_mut().send_commands(commands);
    step_until(&mut harness, "the Cancel button", |h| h.query_by_label("Cancel").is_some());
    harness.get_by_label("Cancel").click();
    step_until(&mut harness, "cancelled", |h| h.state().state.transfers[0].status == TransferStatus::Cancelled);
    assert!(harness.query_by_label_contains("cancelled").is_some());
    let open =
        runtime.block_on(async { env.store().await.open_multipart_uploads(&env.bucket, &env.prefix).await.unwrap() });
    assert!(open.is_empty(), "multipart uploads left behind: {open:?}");
    let gone = runtime.block_on(async {
        env.store()
            .await
            .object_details(&S3Location::new(&env.bucket, format!("{}big/huge.bin", env.prefix)).unwrap())
            .await
    });
    assert!(gone.is_err(), "nothing stored");
}

#[test]
fn access_denied_bucket_shows_its_message() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let env = runtime.block_on(TestEnv::start_with_access(ForbidListing));
    if !env.is_local() {
        return; // needs the in-process server's access policy
    }
    runtime.block_on(async { env.store().await.create_bucket("forbidden-bucket").await.unwrap() });
    let mut harness = window(&env, &runtime);
    step_until(&mut harness, "the bucket list", |h| h.query_by_label("forbidden-bucket").is_some());
    harness.get_by_label("forbidden-bucket").click();
    step_until(&mut harness, "the error", |h| {
        h.query_by_label_contains("Could not open s3://forbidden-bucket").is_some()
    });
    assert!(harness.query_by_label_contains("access denied while trying to list objects").is_some());
    harness.get_by_label("Details").click();
    harness.step();
    assert!(harness.query_by_label_contains("AccessDenied").is_some(), "details on demand");
}

#[test]
fn main_screen_snapshot() {
    use s3share::app::browser::ListingStatus;
    use s3share::store::{BucketEntry, ListingPage, ObjectEntry};
    use s3share::worker::{ConnectionSummary, Event};

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let handle = runtime.handle().clone();
    let mut harness = Harness::builder().with_size(egui::vec2(1100.0, 640.0)).wgpu().build_eframe(move |cc| {
        S3ShareApp::new(&cc.egui_ctx, seen_settings(), &handle, StartOptions::bare(ClipboardSink::Egui))
    });
    // Fixed data, so the picture is the same on every run (no server, no clock in view).
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-20T09:30:00Z").unwrap().to_utc();
    let state = &mut harness.state_mut().state;
    state.apply(Event::Connected(ConnectionSummary {
        endpoint: Some("http://127.0.0.1:3900".into()),
        region: "garage".into(),
        identity: "GK79…ecae".into(),
        credentials_expire_at: None,
    }));
    let bucket = |name: &str| BucketEntry { name: name.into(), created: None, region: None };
    state.apply(Event::Buckets(Ok(vec![bucket("team-share"), bucket("archive")])));
    state.open_bucket("team-share");
    let generation = state.browser.generation;
    let object = |key: &str, size| ObjectEntry {
        key: key.into(),
        size,
        last_modified: Some(at),
        etag: None,
        storage_class: None,
    };
    state.apply(Event::FolderPage {
        generation,
        page: ListingPage {
            folders: vec!["invoices/".into(), "photos/".into()],
            objects: vec![object("Q3 board deck.pdf", 2_400_000), object("notes.md", 52_000)],
        },
    });
    state.apply(Event::FolderDone { generation });
    assert_eq!(state.browser.status, ListingStatus::Complete);
    harness.run_steps(4);
    harness.snapshot("main_screen");
}

#[test]
fn add_connection_with_typed_keys_connects_and_keeps_the_secret_out_of_settings() {
    use egui::accesskit::Role;

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let env = runtime.block_on(TestEnv::start());
    let files = s3share::store::ProfileFiles {
        config: env.dir.path().join("aws-config"),
        credentials: env.dir.path().join("aws-credentials"),
    };
    std::fs::write(&files.config, "").unwrap();
    let handle = runtime.handle().clone();
    let start_files = files.clone();
    let mut harness = Harness::builder().with_size(egui::vec2(1280.0, 800.0)).build_eframe(move |cc| {
        S3ShareApp::new(
            &cc.egui_ctx,
            seen_settings(),
            &handle,
            StartOptions { profile_files: Some(start_files), ..StartOptions::bare(ClipboardSink::Egui) },
        )
    });
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("Not connected").is_some());
    harness.get_by_label("Add connection…").click();
    harness.run_steps(2);
    for (field, text) in
        [("Name", "Lab store"), ("Endpoint URL", env.endpoint.as_str()), ("Region", env.region.as_str())]
    {
        harness.get_by_role_and_label(Role::TextInput, field).focus();
        harness.step();
        harness.get_by_role_and_label(Role::TextInput, field).type_text(text);
        harness.step();
    }
    harness.get_by_label("Access key").click();
    harness.run_steps(2);
    harness.get_by_role_and_label(Role::TextInput, "Access key id").focus();
    harness.step();
    harness.get_by_role_and_label(Role::TextInput, "Access key id").type_text(&env.access_key);
    harness.step();
    harness.get_by_role_and_label(Role::PasswordInput, "Secret access key").focus();
    harness.step();
    harness.get_by_role_and_label(Role::PasswordInput, "Secret access key").type_text(&env.secret_key);
    harness.step();
    harness.get_by_label("Save and connect").click();

    step_until(&mut harness, "connected with the new connection", |h| {
        h.state().state.buckets.iter().any(|b| b.name == env.bucket)
    });
    let saved = std::fs::read_to_string(&files.credentials).unwrap();
    assert!(saved.contains("[s3share-lab-store]") && saved.contains(&env.secret_key), "{saved}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&files.credentials).unwrap().permissions().mode() & 0o777, 0o600);
    let settings = serde_json::to_string(&harness.state().state.settings).unwrap();
    assert!(settings.contains("Lab store"));
    assert!(!settings.contains(&env.secret_key), "the secret must not reach the settings");
}

/// The app as a new user without AWS finds it: no profiles, no AWS variables, the built-in store in `dir`.
fn fresh_app<'a>(
    runtime: &tokio::runtime::Runtime,
    dir: &std::path::Path,
    settings: Settings,
) -> Harness<'a, S3ShareApp> {
    let handle = runtime.handle().clone();
    let empty = s3share::store::ProfileFiles { config: dir.join("no-config"), credentials: dir.join("no-credentials") };
    let store_dir = dir.join("local-store");
    Harness::builder().with_size(egui::vec2(1280.0, 800.0)).build_eframe(move |cc| {
        S3ShareApp::new(
            &cc.egui_ctx,
            settings,
            &handle,
            StartOptions {
                profile_files: Some(empty),
                local_store_dir: Some(store_dir),
                ..StartOptions::bare(ClipboardSink::Egui)
            },
        )
    })
}

#[test]
fn without_aws_the_built_in_store_opens_and_keeps_data_and_keys_across_restarts() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut harness = fresh_app(&runtime, home.path(), seen_settings());
    step_until(&mut harness, "the built-in store's bucket", |h| {
        h.state().state.buckets.iter().any(|b| b.name == "shared")
    });
    assert!(harness.state().state.on_this_computer());
    harness.get_by_label("shared").click();
    step_until(&mut harness, "the empty bucket", |h| h.query_by_label_contains("This folder is empty").is_some());
    assert!(
        harness.query_by_label_contains("links work while s3share runs").is_some(),
        "the share panel says where links work"
    );

    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let file = home.path().join("minutes.txt");
    std::fs::write(&file, &data).unwrap();
    harness.input_mut().dropped_files.push(Arc::new(Dropped(file)));
    let url = step_until_copied(&mut harness);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let (status, body, _) = runtime.block_on(fetch(&url));
    assert_eq!(status, 200);
    assert!(body == data, "the link serves the exact bytes");
    let settings = harness.state().state.settings.clone();
    drop(harness);
    std::thread::sleep(Duration::from_millis(200));

    // Restart: same keys and port, so the link still works; the file is still listed.
    let mut harness = fresh_app(&runtime, home.path(), settings);
    step_until(&mut harness, "the file after the restart", |h| {
        h.state().state.browser.rows.iter().any(|r| r.name == "minutes.txt")
    });
    let (status, body, _) = runtime.block_on(fetch(&url));
    assert_eq!((status, body.len()), (200, data.len()), "the link made before the restart still works");
    let store_json = std::fs::read_to_string(home.path().join("local-store").join("store.json")).unwrap();
    let saved = serde_json::to_string(&harness.state().state.settings).unwrap();
    let secret: serde_json::Value = serde_json::from_str(&store_json).unwrap();
    assert!(!saved.contains(secret["secret_key"].as_str().unwrap()), "the store's secret stays out of the settings");
}

#[test]
fn first_run_explains_what_was_found() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut harness = fresh_app(&runtime, home.path(), Settings::default());
    harness.run_steps(3);
    assert!(harness.query_by_label("Welcome to s3share").is_some());
    assert!(harness.query_by_label_contains("No AWS credentials or profiles").is_some());
    assert!(harness.query_by_label_contains("This computer: s3share's own store").is_some());
    assert!(harness.query_by_label("Cloudflare R2").is_some(), "custom endpoint examples");
    harness.get_by_label("Start").click();
    harness.run_steps(2);
    assert!(harness.query_by_label("Welcome to s3share").is_none());
    assert!(harness.state().state.settings.welcome_seen);
}

#[test]
fn sharing_the_built_in_store_on_the_local_network_moves_its_links_there() {
    let Some(lan) = s3share::local::embedded::lan_address() else {
        return; // no network on this machine: nothing to share on
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut harness = fresh_app(&runtime, home.path(), seen_settings());
    step_until(&mut harness, "the built-in store", |h| h.state().state.buckets.iter().any(|b| b.name == "shared"));
    harness.get_by_label("shared").click();
    step_until(&mut harness, "the bucket", |h| h.query_by_label("Share on local network").is_some());
    let data = b"for the whole office".to_vec();
    let file = home.path().join("menu.txt");
    std::fs::write(&file, &data).unwrap();

    harness.get_by_label("Share on local network").click();
    let lan_endpoint = format!("http://{lan}:");
    step_until(&mut harness, "the store on the LAN address", |h| match &h.state().state.connection {
        ConnectionStatus::Connected(summary) => {
            summary.endpoint.as_deref().is_some_and(|e| e.starts_with(&lan_endpoint))
        }
        _ => false,
    });
    // The share panel (and its warning) shows once the bucket is open again on the new endpoint.
    step_until(&mut harness, "the bucket again", |h| h.state().state.browser.folder.is_some());
    assert!(harness.query_by_label_contains("anyone on the network who gets a link").is_some(), "the warning");
    harness.input_mut().dropped_files.push(Arc::new(Dropped(file)));
    let url = step_until_copied(&mut harness);
    assert!(url.starts_with(&lan_endpoint), "{url}");
    assert_eq!(runtime.block_on(fetch(&url)).1, data);
}

#[test]
fn download_and_delete_from_the_window() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let env = runtime.block_on(TestEnv::start());
    let (_, data) = runtime.block_on(async { env.seed(&env.store().await, "box/contract.pdf", 70_000).await });
    let mut harness = window(&env, &runtime);
    walk_to(&mut harness, &env, &["box"]);
    step_until(&mut harness, "the file", |h| h.query_by_label("contract.pdf").is_some());
    harness.get_by_label("contract.pdf").click();
    step_until(&mut harness, "details", |h| matches!(&h.state().state.details, Some((_, Ok(_)))));

    // Download: the save dialog's answer goes through the same call as here.
    let dest = env.dir.path().join("saved-contract.pdf");
    let object = harness.state().state.browser.selected_object().unwrap();
    let commands = harness.state_mut().state.download_to(object.clone(), dest.clone());
    harness.state_mut().send_commands(commands);
    step_until(&mut harness, "the download", |h| {
        h.state().state.transfers.iter().any(|t| t.status == TransferStatus::Done)
    });
    assert_eq!(read(&dest), data);
    assert!(!env.dir.path().join(".saved-contract.pdf.s3share-partial").exists(), "no partial file left");

    // Delete asks first, naming the object; Cancel keeps it, Delete removes it.
    harness.get_by_label("Delete…").click();
    harness.run_steps(2);
    assert!(harness.query_by_label(&object.to_string()).is_some(), "the dialog names the object");
    harness.get_by_label("Cancel").click();
    harness.run_steps(2);
    assert!(runtime.block_on(async { env.store().await.object_details(&object).await }).is_ok());
    harness.get_by_label("Delete…").click();
    harness.run_steps(2);
    harness.get_by_label("Delete").click();
    step_until(&mut harness, "the file gone from the list", |h| {
        !h.state().state.browser.rows.iter().any(|r| r.name == "contract.pdf")
            && h.state().state.browser.status == s3share::app::browser::ListingStatus::Complete
    });
    assert!(
        runtime.block_on(async { env.store().await.object_details(&object).await }).is_err(),
        "deleted on the server"
    );
}

#[test]
fn keyboard_copy_filter_and_refresh() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let env = runtime.block_on(TestEnv::start());
    let data = runtime.block_on(async {
        let store = env.store().await;
        env.seed(&store, "kb/alpha.txt", 10).await;
        env.seed(&store, "kb/beta.txt", 20).await.1
    });
    let mut harness = window(&env, &runtime);
    walk_to(&mut harness, &env, &["kb"]);
    step_until(&mut harness, "the files", |h| h.state().state.browser.rows.len() == 2);

    harness.key_press(egui::Key::ArrowDown);
    harness.step();
    harness.key_press(egui::Key::ArrowDown);
    harness.step();
    assert_eq!(harness.state().state.browser.selected_row().unwrap().name, "beta.txt");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::C);
    let url = step_until_copied(&mut harness);
    assert_eq!(runtime.block_on(fetch(&url)).1, data, "Ctrl+C copied the selection's link");

    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    harness.run_steps(2);
    harness.event(egui::Event::Text("alp".into())); // typed into whatever has focus
    harness.run_steps(2);
    assert_eq!(harness.state().state.browser.visible.len(), 1, "Ctrl+F focused the filter");

    let generation = harness.state().state.browser.generation;
    harness.key_press(egui::Key::F5);
    harness.step();
    assert!(harness.state().state.browser.generation > generation, "F5 lists again");
    assert_eq!(harness.state().state.browser.filter, "alp", "and keeps the filter");
}

#[test]
fn fifty_dropped_files_upload_a_few_at_a_time_and_arrive_byte_exact() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let env = runtime.block_on(TestEnv::start());
    runtime.block_on(async { env.seed(&env.store().await, "load/seed.txt", 1).await });
    let mut harness = window(&env, &runtime);
    walk_to(&mut harness, &env, &["load"]);
    // The links may be copied in the very frame the last upload finishes, inside the loop below.
    let copies_before = harness.state().copied.len();
    let mut files = Vec::new();
    for i in 0..50 {
        let (path, data) = env.file(&format!("part-{i:02}.bin"), 20_000 + i * 7_919);
        harness.input_mut().dropped_files.push(Arc::new(Dropped(path)));
        files.push((format!("part-{i:02}.bin"), data));
    }
    let mut most_running = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        harness.step();
        let transfers = &harness.state().state.transfers;
        let running = transfers.iter().filter(|t| t.status == TransferStatus::Running).count();
        most_running = most_running.max(running);
        if transfers.len() == 50 && transfers.iter().all(|t| t.status == TransferStatus::Done) {
            break;
        }
        assert!(Instant::now() < deadline, "not all 50 uploads finished");
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(most_running <= s3share::worker::MAX_TRANSFERS, "{most_running} transfers ran at once");
    assert!(most_running >= 2, "transfers ran in parallel ({most_running} at most)");
    // With "copy link after upload" on, the batch's links are copied together, one per line, in the
    // order the files were dropped; each fetches its file's exact bytes.
    let copied = step_until_copied_since(&mut harness, copies_before);
    let urls: Vec<_> = copied.lines().collect();
    assert_eq!(urls.len(), 50, "one link per file: {copied}");
    for ((name, data), url) in files.iter().zip(urls) {
        assert!(url.contains(&format!("/load/{name}?")), "{name}: {url}");
        assert!(runtime.block_on(fetch(url)).1 == *data, "{name} differs");
    }
    assert_eq!(harness.state().copied.len(), 1, "the clipboard was written once, not once per file");
    assert!(harness.state().state.toasts.iter().any(|t| t.text.starts_with("50 links copied")));
}

#[test]
fn bad_input_is_explained_in_the_window() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let env = runtime.block_on(TestEnv::start());
    let shows =
        |harness: &Harness<'_, S3ShareApp>, text: &str| harness.query_all_by_label_contains(text).next().is_some();

    let mut wrong = window_with(&env, &runtime, &env.endpoint, "not-the-secret-Zq81");
    step_until(&mut wrong, "the credentials error", |h| shows(h, "rejected the credentials"));
    assert!(!shows(&wrong, "not-the-secret-Zq81"), "the typed secret is never shown");
    drop(wrong);

    let mut unreachable = window_with(&env, &runtime, "http://127.0.0.1:9", &env.secret_key);
    step_until(&mut unreachable, "the network error", |h| shows(h, "cannot reach the S3 endpoint"));
    drop(unreachable);

    runtime.block_on(async { env.seed(&env.store().await, "drops/seed.txt", 1).await });
    let mut harness = window(&env, &runtime);
    walk_to(&mut harness, &env, &["drops"]);
    let socket = env.dir.path().join("a-socket");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let (empty, _) = env.file("empty.txt", 0);
    let folder = env.dir.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    for path in [env.dir.path().join("vanished.txt"), folder, socket, empty] {
        harness.input_mut().dropped_files.push(Arc::new(Dropped(path)));
    }
    step_until(&mut harness, "all four drops to settle", |h| {
        let transfers = &h.state().state.transfers;
        transfers.len() == 4
            && transfers.iter().all(|t| !matches!(t.status, TransferStatus::Queued | TransferStatus::Running))
    });
    for message in ["no such file", "this is a directory", "not a regular file"] {
        assert!(shows(&harness, message), "the window shows {message:?}");
    }
    let done: Vec<_> = harness.state().state.transfers.iter().filter(|t| t.status == TransferStatus::Done).collect();
    assert_eq!(done.len(), 1, "the empty file uploads");
    let stored = runtime.block_on(async { env.store().await.object_details(&env.location("drops/empty.txt")).await });
    assert_eq!(stored.unwrap().size, 0);
}

#[test]
fn uploads_cut_off_by_a_crash_are_offered_for_resuming_or_discarding() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let env = runtime.block_on(TestEnv::start());
    // Recorded as made by a process that has died: a window that crashed.
    let journal = s3share::store::UploadJournal::new(journal_path(&env), "Test server").recording_as(dead_process_id());
    let (first, first_data) = env.file("first.bin", (21 << 20) + 5);
    let (second, _) = env.file("second.bin", 12 << 20);
    runtime.block_on(async {
        let store = env.store().await;
        crate::store::crash_during_upload(&store, &first, &env.location("first.bin"), &journal).await;
        crate::store::crash_during_upload(&store, &second, &env.location("second.bin"), &journal).await;
    });
    assert_eq!(journal.pending().len(), 2);

    let mut harness = window(&env, &runtime);
    step_until(&mut harness, "the offer", |h| h.query_by_label("Unfinished uploads").is_some());
    assert!(harness.query_by_label_contains("10.0 MiB of 21.0 MiB").is_some(), "says how far each got");
    harness.get_by_label("Resume first.bin").click();
    // The dialog shrinks and re-centres; let it settle before the next click.
    harness.run_steps(6);
    harness.get_by_label("Discard second.bin").click();
    step_until(&mut harness, "the resumed upload and the discard", |h| {
        let state = &h.state().state;
        state.transfers.iter().any(|t| t.status == TransferStatus::Done) && journal.pending().is_empty()
    });
    assert!(harness.query_by_label("Unfinished uploads").is_none(), "the offer is gone once answered");
    let store = runtime.block_on(env.store());
    assert!(runtime.block_on(store.open_multipart_uploads(&env.bucket, &env.prefix)).unwrap().is_empty());
    let dest = env.dir.path().join("first.back");
    let cancel = CancellationToken::new();
    runtime.block_on(store.download_file(&env.location("first.bin"), &dest, false, &|_| {}, &cancel)).unwrap();
    assert_eq!(read(&dest), first_data, "resumed byte-exact");
    assert!(runtime.block_on(store.object_details(&env.location("second.bin"))).is_err(), "discarded: nothing stored");
    drop(harness);

    // Nothing left to offer at the next start.
    let mut again = window(&env, &runtime);
    step_until(&mut again, "connected", |h| matches!(h.state().state.connection, ConnectionStatus::Connected(_)));
    again.run_steps(20);
    assert!(again.query_by_label("Unfinished uploads").is_none());
}
