//! The window and its worker with trace logging on and temporary credentials: neither the secret key nor
//! the session token shows up in a log line, an error, Debug output or what the app saves.

use std::sync::{Arc, Mutex};

use aws_credential_types::Credentials;
use egui_kittest::kittest::Queryable;
use s3share::app::transfer::TransferStatus;

use crate::support::*;
use crate::window::{Dropped, step_until, step_until_copied, walk_to, window_with_credentials};

const TOKEN: &str = "IQoJb3JpZ2luX2VjEHgaCXVzLWVhc3QtMSJHMEUCIQknownSessionToken7f3a9";

/// Log output shared by every thread that logs.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What eframe would write to disk.
#[derive(Default)]
struct SavedStrings(std::collections::HashMap<String, String>);

impl eframe::Storage for SavedStrings {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn the_window_never_shows_or_stores_the_secret_key_or_the_session_token() {
    let logs = LogBuffer::default();
    // The same filter as the app with RUST_LOG=trace, one subscriber for this thread and every runtime thread.
    let dispatch = tracing::Dispatch::new(
        tracing_subscriber::fmt()
            .with_env_filter(s3share::logging::filter("trace"))
            .with_writer({
                let logs = logs.clone();
                move || logs.clone()
            })
            .with_ansi(false)
            .finish(),
    );
    let _this_thread = tracing::dispatcher::set_default(&dispatch);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(move || std::mem::forget(tracing::dispatcher::set_default(&dispatch)))
        .build()
        .unwrap();
    let env = runtime.block_on(TestEnv::start());
    runtime.block_on(async { env.seed(&env.store().await, "vault/seed.txt", 10).await });
    let ends = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    let credentials = Credentials::new(&env.access_key, &env.secret_key, Some(TOKEN.into()), Some(ends), "test");
    let mut harness = window_with_credentials(&env, &runtime, &env.endpoint, credentials);

    // Success: browse, upload (one PUT and one multipart), copy a link.
    walk_to(&mut harness, &env, &["vault"]);
    let (small, _) = env.file("small.txt", 1000);
    let (large, _) = env.file("large.bin", 20 << 20);
    for path in [small, large] {
        harness.input_mut().dropped_files.push(Arc::new(Dropped(path)));
    }
    step_until(&mut harness, "the uploads", |h| {
        let transfers = &h.state().state.transfers;
        transfers.len() == 2 && transfers.iter().all(|t| t.status == TransferStatus::Done)
    });
    step_until(&mut harness, "small.txt listed", |h| h.query_all_by_label("small.txt").count() == 2);
    // One is the finished transfer, the other the row in the table.
    harness.query_all_by_label("small.txt").last().unwrap().click();
    step_until(&mut harness, "details", |h| matches!(&h.state().state.details, Some((_, Ok(_)))));
    harness.get_by_label("15 min").click();
    harness.step();
    harness.get_by_label("📋 Copy link").click();
    let url = step_until_copied(&mut harness);
    assert!(url.contains("X-Amz-Security-Token="), "temporary credentials put the token in the link itself");

    // Failures: a missing file, and a wrong secret with the same token.
    harness.input_mut().dropped_files.push(Arc::new(Dropped(env.dir.path().join("vanished.txt"))));
    step_until(&mut harness, "the missing file's error", |h| !h.state().state.errors.is_empty());
    let wrong = Credentials::new(&env.access_key, "wrong-secret-for-this-test", Some(TOKEN.into()), Some(ends), "t");
    let mut refused = window_with_credentials(&env, &runtime, &env.endpoint, wrong);
    step_until(&mut refused, "the credentials error", |h| !h.state().state.errors.is_empty());

    let (mut saved, mut saved_refused) = (SavedStrings::default(), SavedStrings::default());
    eframe::App::save(harness.state_mut(), &mut saved);
    eframe::App::save(refused.state_mut(), &mut saved_refused);
    drop((harness, refused));
    drop(runtime);

    let logs = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(logs.lines().count() > 100, "trace logging was on ({} lines)", logs.lines().count());
    let secrets = [env.secret_key.as_str(), TOKEN, "wrong-secret-for-this-test"];
    for secret in secrets {
        let shown: Vec<_> = logs.lines().filter(|l| l.contains(secret)).take(3).collect();
        assert!(shown.is_empty(), "a log line shows a secret: {shown:#?}");
        for (key, value) in saved.0.iter().chain(&saved_refused.0) {
            assert!(!value.contains(secret), "the saved {key} holds a secret");
        }
    }
    assert!(saved.0.values().any(|v| v.contains("small.txt")), "the link history was saved (without the link)");
}

/// Errors and their details, as the window shows them, hold no secret.
#[test]
fn errors_and_debug_output_hold_no_secret() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let env = runtime.block_on(TestEnv::start());
    let wrong = Credentials::new(&env.access_key, "wrong-secret-Debug-77", Some(TOKEN.into()), None, "t");
    let mut harness = window_with_credentials(&env, &runtime, &env.endpoint, wrong.clone());
    step_until(&mut harness, "the credentials error", |h| !h.state().state.errors.is_empty());
    for error in &harness.state().state.errors {
        for text in [&error.title, &error.message, &error.details] {
            assert!(!text.contains("wrong-secret-Debug-77") && !text.contains(TOKEN), "{text}");
        }
    }
    for debug in [format!("{wrong:?}"), format!("{:?}", s3share::worker::Secret("wrong-secret-Debug-77".into()))] {
        assert!(!debug.contains("wrong-secret-Debug-77") && !debug.contains(TOKEN), "{debug}");
    }
}
